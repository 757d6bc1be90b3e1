"""Routing the rest of a partly filled order: ``route(order, book, fx, prior)`` (docs/engine.md §4).

Hand-worked cases (the docs' Mode 2 example across passes) run on both implementations; the
properties replay random books and random prior legs on both and compare them, and check the
rules on the whole order: prior + new never above the stake, and the weighted average of
prior + new at or better than orderPrice whenever the prior legs were.
"""

from __future__ import annotations

import random
from dataclasses import replace
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.engine.book_strategies import (
    BookSpec,
    OrderSpec,
    book_specs,
    build,
    deep_order_specs,
    make_order,
    plan_summary,
    prices,
)
from tests.reference.money import price_to_fixed

PROPERTY = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

Prior = list[tuple[int, float]]


def _invalid(impl: ModuleType, errors: ModuleType) -> type[Exception]:
    """The InvalidInput class of ``impl`` (the reference has its own, independent of _core)."""
    if impl.__name__ == "wagerkit._core":
        cls: type[Exception] = errors.InvalidInput
        return cls
    cls = impl.InvalidInput
    return cls


def _pinnacle(impl: ModuleType, price: float, limit: int) -> tuple[Any, Any]:
    """A book with one USD pinnacle account quoting ``price`` with ``limit`` cents."""
    book = impl.Book()
    book.set_account("pinnacle_main", "pinnacle", "USD")
    book.upsert("id1000004461512432:pinnacle:103:0", "pinnacle_main", price, limit)
    return book, impl.Fx()


def _route(impl: ModuleType, order: Any, price: float, limit: int, prior: Prior) -> Any:
    book, fx = _pinnacle(impl, price, limit)
    return impl.route(order, book, fx, prior)


def _legs(plan: Any) -> list[tuple[float, int]]:
    return [(leg.price, leg.stake) for leg in plan.legs]


# -- hand-worked ---------------------------------------------------------------------------------


def test_mode_2_worked_example_across_passes(impl: ModuleType) -> None:
    """orderStake 1000.00 USD at orderPrice 2.00, pinnacle only, partial stake allowed."""
    order = impl.Order(100_000, "USD", 2.0, bookmakers=["pinnacle"])
    # Pass 1: market 2.10, limit 400 → 400 @ 2.10.
    one = _route(impl, order, 2.10, 40_000, [])
    assert (one.status, _legs(one), one.remaining) == ("partial", [(2.10, 40_000)], 60_000)
    # Pass 2: market 1.95. room = (400·2.10 − 2.00·400) / (2.00 − 1.95) = 800, capped by the
    # 600 left (limit 1000) → 600 @ 1.95; the whole order is filled at (840 + 1170) / 1000.
    two = _route(impl, order, 1.95, 100_000, [(40_000, 2.10)])
    assert (two.status, two.complete, _legs(two)) == ("filled", True, [(1.95, 60_000)])
    assert (two.filled, two.prior_filled, two.remaining) == (60_000, 40_000, 0)
    assert two.average_price == 1.95  # this plan's legs only
    # Pass 2 with limit 500: capped by the limit; 100 stay open.
    two = _route(impl, order, 1.95, 50_000, [(40_000, 2.10)])
    assert (two.status, _legs(two), two.remaining) == ("partial", [(1.95, 50_000)], 10_000)
    # Pass 3 at 1.90: room = (840 + 975 − 1800) / 0.10 = 150 ≥ the 100 left → filled.
    three = _route(impl, order, 1.90, 50_000, [(40_000, 2.10), (50_000, 1.95)])
    assert (three.status, _legs(three)) == ("filled", [(1.90, 10_000)])
    # At 1.50 instead: room = 15 / 0.50 = 30 → 30.00 USD, and the order stays partial.
    three = _route(impl, order, 1.50, 50_000, [(40_000, 2.10), (50_000, 1.95)])
    assert (three.status, _legs(three), three.remaining) == ("partial", [(1.5, 3_000)], 7_000)


def test_the_same_pass_without_prior_waits(impl: ModuleType) -> None:
    """The prior legs are what lets 1.95 in: alone, the first-bet rule holds the order."""
    order = impl.Order(60_000, "USD", 2.0, bookmakers=["pinnacle"])
    assert _route(impl, order, 1.95, 100_000, []).status == "waiting"


def test_prior_covering_the_stake_is_filled_with_no_legs(impl: ModuleType) -> None:
    order = impl.Order(10_000, "USD", 2.0)
    plan = impl.route(order, impl.Book(), impl.Fx(), [(4_000, 2.1), (6_000, 2.0)])
    assert (plan.status, plan.complete, plan.legs, plan.decline) == ("filled", True, [], None)
    assert (plan.filled, plan.prior_filled, plan.remaining) == (0, 10_000, 0)


def test_a_declining_book_leaves_a_prior_order_partial(impl: ModuleType) -> None:
    """An order that already holds bets is never declined: it waits for more."""
    order = impl.Order(10_000, "USD", 2.0, bookmakers=["pinnacle"])
    assert impl.route(order, impl.Book(), impl.Fx()).status == "declined"
    plan = impl.route(order, impl.Book(), impl.Fx(), [(4_000, 2.1)])
    assert (plan.status, plan.legs, plan.decline, plan.remaining) == ("partial", [], None, 6_000)
    assert plan.message == (
        "Filled 40.00 USD of 100.00 USD; nothing more can be placed now: "
        "No odds available from pinnacle"
    )


@pytest.mark.parametrize(
    ("partial", "bookmakers", "prior"),
    [
        (True, None, [(0, 2.0)]),
        (True, None, [(-5, 2.0)]),
        (True, None, [(100, 1.0)]),
        (True, None, [(100, 0.5)]),
        (True, None, [(6_000, 2.0), (4_001, 2.0)]),
        (False, ["pinnacle"], [(100, 2.0)]),  # mode 1: all-or-nothing
        (False, None, [(100, 2.0)]),  # mode 3: all-or-nothing
    ],
)
def test_bad_prior_is_invalid_input(
    impl: ModuleType,
    errors: ModuleType,
    partial: bool,
    bookmakers: list[str] | None,
    prior: Prior,
) -> None:
    order = impl.Order(10_000, "USD", 2.0, accept_partial_stake=partial, bookmakers=bookmakers)
    book, fx = _pinnacle(impl, 2.1, 100_000)
    with pytest.raises(_invalid(impl, errors)) as caught:
        impl.route(order, book, fx, prior)
    assert getattr(caught.value, "field", None) == "prior"


@pytest.mark.parametrize("bad", ["40:2.1", [(1,)], [(1, 2.0, 3)], [("1", 2.0)], [(True, 2.0)], 5])
def test_engine_refuses_malformed_prior(core: ModuleType, errors: ModuleType, bad: Any) -> None:
    order = core.Order(10_000, "USD", 2.0)
    book, fx = _pinnacle(core, 2.1, 100_000)
    with pytest.raises(errors.InvalidInput, match="prior"):
        core.route(order, book, fx, bad)


# -- properties ----------------------------------------------------------------------------------


@st.composite
def prior_legs(draw: st.DrawFn, stake: int) -> Prior:
    """0-4 legs whose stakes add up to at most ``stake`` (sometimes exactly), any prices."""
    legs: Prior = []
    left = stake
    for _ in range(draw(st.integers(0, 4))):
        if left <= 0:
            break
        amount = left if draw(st.integers(0, 7)) == 0 else draw(st.integers(1, left))
        legs.append((amount, float(draw(prices()))))
        left -= amount
    return legs


@st.composite
def partial_scenarios(draw: st.DrawFn) -> tuple[BookSpec, OrderSpec, Prior]:
    """A random book, a mode 2/4 order deep inside it, and random prior legs."""
    spec = draw(book_specs(min_quotes=5))
    order = replace(draw(deep_order_specs(spec)), accept_partial_stake=True)
    if draw(st.booleans()):
        order = replace(order, bookmakers=(draw(st.sampled_from(spec.bookmakers)),))
    if draw(st.integers(0, 3)) == 0:
        order = replace(order, accept_better_odds=False)
    return spec, order, draw(prior_legs(order.stake))


def _summary(plan: Any) -> tuple[Any, ...]:
    return (*plan_summary(plan), plan.prior_filled)


@PROPERTY
@given(partial_scenarios())
def test_engine_agrees_with_reference_with_random_priors(
    core: ModuleType, ref: ModuleType, scenario: tuple[BookSpec, OrderSpec, Prior]
) -> None:
    """Same legs, status, totals and average on both, whatever the prior legs are."""
    spec, order, prior = scenario
    ref_built, core_built = build(ref, spec), build(core, spec)
    expected = ref.route(make_order(ref, order), ref_built.book, ref_built.fx, prior)
    actual = core.route(make_order(core, order), core_built.book, core_built.fx, prior)
    assert _summary(actual) == _summary(expected)
    assert actual.average_price == expected.average_price


@PROPERTY
@given(partial_scenarios())
def test_whole_order_never_exceeds_the_stake(
    impl: ModuleType, scenario: tuple[BookSpec, OrderSpec, Prior]
) -> None:
    spec, order, prior = scenario
    built = build(impl, spec)
    plan = impl.route(make_order(impl, order), built.book, built.fx, prior)
    assert plan.prior_filled == sum(stake for stake, _ in prior)
    assert plan.filled == sum(leg.order_stake for leg in plan.legs)
    assert plan.prior_filled + plan.filled + plan.remaining == order.stake
    assert plan.remaining >= 0
    if prior:
        assert plan.status in {"filled", "partial"} and plan.decline is None


def _at_or_better(weighted: int, filled: int, price: Decimal, back: bool) -> bool:
    target = price_to_fixed(price) * filled
    return weighted >= target if back else weighted <= target


@PROPERTY
@given(partial_scenarios(), st.integers(0, 2**32 - 1))
def test_passes_keep_the_whole_orders_average(
    impl: ModuleType, scenario: tuple[BookSpec, OrderSpec, Prior], seed: int
) -> None:
    """Pass after pass on moving books, each with the earlier legs as prior, the order's
    weighted average stays at or better than orderPrice and its total within the stake."""
    spec, order, _ = scenario
    rng = random.Random(seed)
    prior: Prior = []
    engine_order = make_order(impl, order)
    for _pass in range(4):
        # The book moves between passes: every quote's price shifts by up to ±0.15.
        moved = replace(
            spec,
            quotes=tuple(
                replace(
                    q, price=max(Decimal("1.01"), q.price + Decimal(rng.randint(-15, 15)) / 100)
                )
                for q in spec.quotes
            ),
        )
        built = build(impl, moved)
        plan = impl.route(engine_order, built.book, built.fx, prior)
        prior += [(leg.order_stake, leg.price) for leg in plan.legs]
        total = sum(stake for stake, _ in prior)
        weighted = sum(stake * price_to_fixed(price) for stake, price in prior)
        assert total <= order.stake
        assert _at_or_better(weighted, total, order.price, order.back)
        if plan.complete:
            break


@PROPERTY
@given(partial_scenarios())
def test_prior_at_or_better_keeps_the_average(
    impl: ModuleType, scenario: tuple[BookSpec, OrderSpec, Prior]
) -> None:
    """Random prior legs whose own average is at or better than orderPrice: prior + new
    stays there too (the weighted-average rule reads the prior legs exactly)."""
    spec, order, prior = scenario
    weighted = sum(stake * price_to_fixed(price) for stake, price in prior)
    filled = sum(stake for stake, _ in prior)
    if not _at_or_better(weighted, filled, order.price, order.back):
        return
    built = build(impl, spec)
    plan = impl.route(make_order(impl, order), built.book, built.fx, prior)
    weighted += sum(leg.order_stake * price_to_fixed(leg.price) for leg in plan.legs)
    filled += plan.filled
    assert filled <= order.stake
    assert _at_or_better(weighted, filled, order.price, order.back)
