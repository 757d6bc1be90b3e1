"""Routing one order across 5, 20 and 50 bookmakers: engine vs reference, same run.

ARCHITECTURE.md's budget: ≤ 3 µs and ≥ 20× faster than the reference at 50 bookmakers.
Smaller books leave less work to amortise the call into Rust, so their gates are lower.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from benches.bench_books import make_book, make_order, plan_data
from benches.ratio_gate import compare

GATES = {5: 5.0, 20: 10.0, 50: 20.0}


@pytest.mark.parametrize("n_bookmakers", sorted(GATES))
def test_bench_route(benchmark: Any, core: ModuleType, ref: ModuleType, n_bookmakers: int) -> None:
    """route(order, book, fx) on an n-bookmaker book: same plan, and faster by the gate."""
    book, fx, _ = make_book(core, n_bookmakers)
    order = make_order(core, n_bookmakers)
    ref_book, ref_fx, _ = make_book(ref, n_bookmakers)
    ref_order = make_order(ref, n_bookmakers)
    expected = plan_data(ref.route(ref_order, ref_book, ref_fx))
    assert len(expected[2]) >= n_bookmakers // 2  # the order really walks the book
    assert plan_data(core.route(order, book, fx)) == expected

    route, ref_route = core.route, ref.route
    compare(
        benchmark,
        f"route one order across {n_bookmakers} bookmakers",
        lambda: route(order, book, fx),
        lambda: ref_route(ref_order, ref_book, ref_fx),
        min_ratio=GATES[n_bookmakers],
    )
