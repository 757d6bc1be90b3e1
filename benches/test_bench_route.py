"""Routing one order across 5, 20 and 50 bookmakers: engine vs reference, same run.

ARCHITECTURE.md's budget: ≤ 3 µs and ≥ 20× faster than the reference at 50 bookmakers.
Smaller books leave less work to amortise the call into Rust, so their gates are lower.
"""

from __future__ import annotations

import itertools
from types import ModuleType
from typing import Any

import pytest

from benches.bench_books import make_book, make_order, plan_data
from benches.ratio_gate import compare
from benches.test_bench_book import update_stream

GATES = {5: 40.0, 20: 100.0, 50: 100.0}
"""About half the ratios measured with an update before each route (3 timed runs, 2 cores:
~87×, ~208×, ~209×), rounded down for a noisy CI run."""


@pytest.mark.parametrize("n_bookmakers", sorted(GATES))
def test_bench_route(benchmark: Any, core: ModuleType, ref: ModuleType, n_bookmakers: int) -> None:
    """route(order, book, fx) on an n-bookmaker book, each route right after a quote update
    (so no route reuses a cached order of the book): same plans, faster by the gate. The
    time is update + route."""
    book, fx, slots = make_book(core, n_bookmakers)
    order = make_order(core, n_bookmakers)
    ref_book, ref_fx, _ = make_book(ref, n_bookmakers)
    ref_order = make_order(ref, n_bookmakers)
    expected = plan_data(ref.route(ref_order, ref_book, ref_fx))
    assert len(expected[2]) >= n_bookmakers // 2  # the order really walks the book
    assert plan_data(core.route(order, book, fx)) == expected

    stream = update_stream(slots)
    for slot, price, limit in stream[:100]:  # plans after moves agree
        book.update(slot, price, limit, None, True)
        ref_book.update(slot, price, limit, None, True)
        assert plan_data(core.route(order, book, fx)) == plan_data(
            ref.route(ref_order, ref_book, ref_fx)
        )
    feed, ref_feed = itertools.cycle(stream), itertools.cycle(stream)
    route, ref_route = core.route, ref.route
    update, ref_update = book.update, ref_book.update

    def engine() -> None:
        slot, price, limit = next(feed)
        update(slot, price, limit, None, True)
        route(order, book, fx)

    def reference() -> None:
        slot, price, limit = next(ref_feed)
        ref_update(slot, price, limit, None, True)
        ref_route(ref_order, ref_book, ref_fx)

    compare(
        benchmark,
        f"quote update + route one order across {n_bookmakers} bookmakers",
        engine,
        reference,
        min_ratio=GATES[n_bookmakers],
    )
