"""One Book, Fx or DedupeCache used from several threads at once (bindings, not rules).

Each call converts its Python arguments (and reads a Python clock) before it takes the
object's lock, so Python code that runs during a conversion, and lets another thread in, can
never make a call fail with pyo3's "Already borrowed". The switch interval is made tiny so
that threads really interleave inside those conversions; every loop is bounded.
"""

from __future__ import annotations

import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from types import ModuleType

import pytest


@pytest.fixture
def fast_switching() -> Iterator[None]:
    """Threads switch as often as the interpreter allows."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def run_threads(*targets: Callable[[], None]) -> list[BaseException]:
    """Run each target in its own thread; the exceptions they raised."""
    errors: list[BaseException] = []

    def wrap(target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except BaseException as error:  # collected and asserted on
                errors.append(error)

        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
        assert not t.is_alive(), "a thread did not finish: deadlock?"
    return errors


class SlowFloat:
    """A price whose ``__float__`` runs Python code (a thread switch can happen inside)."""

    def __init__(self, value: float) -> None:
        self.value = value

    def __float__(self) -> float:
        total = 0
        for i in range(200):
            total += i
        return self.value


@pytest.mark.usefixtures("fast_switching")
def test_book_updates_and_routes_from_two_threads(core: ModuleType) -> None:
    """update() with slow-converting prices in one thread, route() and reads in another."""
    book = core.Book()
    book.set_account("a", "alpha", "USD")
    slot = book.upsert("f:alpha:1:0", "a", 2.0, 100_000)
    fx = core.Fx()
    order = core.Order(1000, "USD", 1.5)

    def updates() -> None:
        for i in range(1500):
            book.update(slot, SlowFloat(2.0 + (i % 10) / 100), 100_000, None, True)

    def routes() -> None:
        for _ in range(1500):
            assert core.route(order, book, fx).status == "filled"
            assert book.best_price() is not None
            assert book.available(SlowFloat(1.5), "USD", fx) == 100_000

    def rates() -> None:
        for i in range(1500):
            fx.set_rate("EUR", 0.9 + (i % 5) / 100)
            assert "EUR" in fx and len(fx) == 2

    assert run_threads(updates, routes, rates) == []


@pytest.mark.usefixtures("fast_switching")
def test_dedupe_with_a_python_clock_from_four_threads(core: ModuleType) -> None:
    """check_and_insert with a Python clock from four threads: each id is new exactly once."""

    def clock() -> float:
        total = 0
        for i in range(200):
            total += i
        return 0.0

    cache = core.DedupeCache(clock=clock)
    ids = [uuid.uuid4() for _ in range(1000)]
    firsts: list[int] = []
    lock = threading.Lock()

    def work() -> None:
        new = sum(cache.check_and_insert(u) for u in ids)
        with lock:
            firsts.append(new)

    assert run_threads(work, work, work, work) == []
    assert sum(firsts) == len(ids)
    assert len(cache) == len(ids)
