"""The Lua sliding-window budget against a real Redis: never more than the limit in any window."""

from __future__ import annotations

import threading
import time
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.shared.redis_server import RedisServer, free_port
from wagerkit.errors import InvalidInput, RateLimited, SharedStateUnavailable
from wagerkit.execution.shared import RedisBudget, budget_states
from wagerkit.transport import Limiter

pytestmark = pytest.mark.anyio


def over_limit(spans: list[tuple[float, float]], limit: int, window: float) -> int:
    """Windows that provably held more than ``limit`` grants.

    Each grant is known only to lie in [before, after] (the Lua call's round trip): ``limit``+1
    consecutive grants prove a violation only if the last one's ``after`` is less than
    ``window`` after the first one's ``before``.
    """
    spans = sorted(spans)
    return sum(1 for i in range(len(spans) - limit) if spans[i + limit][1] - spans[i][0] < window)


def test_is_a_limiter(rclient: Any) -> None:
    assert isinstance(RedisBudget(rclient, "t", 5), Limiter)
    with pytest.raises(InvalidInput):
        RedisBudget(rclient, "t", 0)
    with pytest.raises(InvalidInput):
        RedisBudget(rclient, "a{b}", 5)


def test_try_acquire_stops_at_the_limit_then_slides(rclient: Any) -> None:
    b = RedisBudget(rclient, "slide", 3, 0.2)
    assert [b.try_acquire() for _ in range(4)] == [True, True, True, False]
    time.sleep(0.21)
    assert b.try_acquire()


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(limit=st.integers(1, 6), threads=st.integers(1, 4), per=st.integers(1, 6))
def test_threads_never_exceed_the_limit(rclient: Any, limit: int, threads: int, per: int) -> None:
    """Several clients (own connections, own threads) racing on one budget: exact."""
    window = 0.05
    name = f"prop:{limit}:{threads}:{per}:{time.monotonic_ns()}"
    spans: list[tuple[float, float]] = []
    lock = threading.Lock()

    def worker() -> None:
        b = RedisBudget(rclient, name, limit, window, max_wait=10)
        call = b._call

        def timed(ticket: str) -> tuple[bool, float, str]:
            before = time.monotonic()  # the granting Lua call runs within [before, after]
            out = call(ticket)
            if out[0]:
                with lock:
                    spans.append((before, time.monotonic()))
            return out

        b._call = timed  # type: ignore[method-assign]

        async def run() -> None:
            for _ in range(per):
                await b.acquire()

        anyio.run(run)

    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert len(spans) == threads * per
    assert over_limit(spans, limit, window) == 0


def test_over_limit_detector_can_fail() -> None:
    assert over_limit([(0.0, 0.001), (0.002, 0.003), (0.004, 0.005)], 2, 0.05) == 1


async def test_waiting_is_bounded(rclient: Any) -> None:
    b = RedisBudget(rclient, "bounded", 1, 5.0, max_wait=0.2)
    await b.acquire()
    with pytest.raises(RateLimited) as info:
        await b.acquire()
    assert info.value.limit == "bounded"
    assert b.state().waiting == 0  # the ticket was given back


async def test_penalize_holds_every_process(rclient: Any) -> None:
    a = RedisBudget(rclient, "pen", 100, 1.0)
    other = RedisBudget(rclient, "pen", 100, 1.0)
    a.penalize(0.15)
    assert not other.try_acquire()
    start = time.monotonic()
    await other.acquire()
    assert time.monotonic() - start >= 0.1


def test_venue_headers_correct_the_budget(rclient: Any) -> None:
    """The venue counts more than we granted (another client on the key): we hold back."""
    b = RedisBudget(rclient, "corr", 20, 1.0)
    for _ in range(3):
        assert b.try_acquire()
    b.correct(50)  # plenty left: not even looked at
    assert b.state().used == 3
    b.correct(1)  # the venue saw 19 in its window, we granted 3
    assert b.state().used == 19
    assert b.try_acquire()
    assert not b.try_acquire()
    b.correct(0)  # consistent now: nothing added
    assert b.state().used == 20


async def test_waiters_are_served_in_ticket_order(rclient: Any) -> None:
    b = RedisBudget(rclient, "fifo", 1, 0.05, max_wait=5)
    order: list[int] = []
    await b.acquire()

    async def waiter(i: int) -> None:
        await b.acquire()
        order.append(i)

    async with anyio.create_task_group() as tg:
        for i in range(5):
            tg.start_soon(waiter, i)
            await anyio.sleep(0.005)  # arrive in order
    assert order == [0, 1, 2, 3, 4]


def test_state_shows_used_and_limit(rclient: Any) -> None:
    b = RedisBudget(rclient, "show", 10, 1.0)
    for _ in range(4):
        assert b.try_acquire()
    [s] = [s for s in budget_states(rclient) if s.name == "show"]
    assert (s.used, s.limit, s.waiting) == (4, 10, 0)


async def test_unreachable_redis_fails_closed_unless_a_read_fallback(
    redis_server: RedisServer,
) -> None:
    from wagerkit.execution.shared import connect
    from wagerkit.transport import SlidingWindowLimiter

    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    dead = connect(url, timeout=0.2, retries=1)
    with pytest.raises(SharedStateUnavailable):
        await RedisBudget(dead, "down", 5).acquire()
    reads = RedisBudget(dead, "down", 5, fallback=SlidingWindowLimiter(2, 10.0))
    await reads.acquire()
    assert reads.try_acquire()
    assert not reads.try_acquire()  # paced by the local fallback, not let through


def test_abp_budget_is_named_by_a_digest_of_the_key(rclient: Any) -> None:
    from wagerkit.abp.budget import abp_budget

    b = abp_budget(rclient, "secret-key-123")
    assert b.name.startswith("abp:") and "secret" not in b.name and b.name.endswith(":all")
    assert (b.limit, b.window, b.guard) == (100, 1.0, 0.1)
    assert abp_budget(rclient, "secret-key-123").name == b.name != abp_budget(rclient, "k2").name
    assert b.try_acquire()
    assert all(b"secret" not in k for k in rclient.keys("*"))
