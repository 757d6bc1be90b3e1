"""Router invariants on random books (docs/engine.md §3-§4), for the engine and the reference.

Each test states one rule. Effective limits are taken from the reference's cascade, never
from the implementation under test, so a wrong cascade cannot hide a wrong leg.
"""

from __future__ import annotations

import random
from dataclasses import replace
from types import ModuleType
from typing import Any

from hypothesis import HealthCheck, event, given, settings

from tests.engine.book_strategies import (
    BookSpec,
    OrderSpec,
    build,
    deep_single_order,
    few_bookmakers_book,
    make_order,
    market_key,
    plan_summary,
    refused_filters,
    scenarios,
)
from tests.reference import Quote
from tests.reference import book as ref_book
from tests.reference.money import PRICE_SCALE, price_to_fixed

PROPERTY = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def routed(m: ModuleType, spec: BookSpec, order: OrderSpec) -> Any:
    """Route ``order`` on ``spec`` with implementation ``m``."""
    built = build(m, spec)
    return m.route(make_order(m, order), built.book, built.fx)


def reference_quotes(ref: ModuleType, spec: BookSpec, back: bool) -> dict[tuple[str, str], Quote]:
    """The reference's view of each quote (cascade resolved), by (key, account)."""
    built = build(ref, spec)
    book: ref_book.Book = built.book
    return {(q.key, q.account): q for q in book.snapshots(built.fx, back)}


def fixed(price: float) -> int:
    """A leg's float price back to the 6-decimal fixed point it came from."""
    return price_to_fixed(price)


def better_or_equal(p: int, target: int, back: bool) -> bool:
    """Back: higher is better; lay: lower is better."""
    return p >= target if back else p <= target


@PROPERTY
@given(scenarios())
def test_no_leg_exceeds_effective_max(
    impl: ModuleType, ref: ModuleType, scenario: tuple[BookSpec, OrderSpec]
) -> None:
    """A leg never stakes more than its quote's effective max (cascade, then balance cap)."""
    spec, order = scenario
    plan = routed(impl, spec, order)
    quotes = reference_quotes(ref, spec, order.back)
    for leg in plan.legs:
        q = quotes[(leg.key, leg.account)]
        assert q.max_stake is not None
        assert leg.stake <= q.max_stake


@PROPERTY
@given(scenarios())
def test_no_leg_below_effective_min(
    impl: ModuleType, ref: ModuleType, scenario: tuple[BookSpec, OrderSpec]
) -> None:
    """A leg stakes at least its quote's effective min, and at least one minor unit."""
    spec, order = scenario
    plan = routed(impl, spec, order)
    quotes = reference_quotes(ref, spec, order.back)
    for leg in plan.legs:
        assert leg.stake >= max(quotes[(leg.key, leg.account)].min_stake, 1)


@PROPERTY
@given(scenarios())
def test_total_filled_never_exceeds_order_stake(
    impl: ModuleType, scenario: tuple[BookSpec, OrderSpec]
) -> None:
    """filled = Σ order_stake <= stake, and remaining is the rest (stakes round down)."""
    spec, order = scenario
    plan = routed(impl, spec, order)
    assert plan.filled == sum(leg.order_stake for leg in plan.legs)
    assert plan.filled <= order.stake
    assert plan.remaining == order.stake - plan.filled


@PROPERTY
@given(scenarios())
def test_first_leg_at_or_better_than_order_price(
    impl: ModuleType, scenario: tuple[BookSpec, OrderSpec]
) -> None:
    """First-bet rule: the first bet is never at a worse price than orderPrice."""
    spec, order = scenario
    plan = routed(impl, spec, order)
    if plan.legs:
        assert better_or_equal(fixed(plan.legs[0].price), fixed(float(order.price)), order.back)


@PROPERTY
@given(scenarios())
def test_weighted_average_at_or_better_than_order_price(
    impl: ModuleType, scenario: tuple[BookSpec, OrderSpec]
) -> None:
    """Weighted-average rule, exactly: Σ order_stake·price >= P·filled (lay: <=)."""
    spec, order = scenario
    plan = routed(impl, spec, order)
    weighted = sum(leg.order_stake * fixed(leg.price) for leg in plan.legs)
    target = fixed(float(order.price)) * plan.filled
    assert weighted >= target if order.back else weighted <= target
    if plan.legs:
        average = plan.average_price
        assert average is not None
        exact = weighted / (plan.filled * PRICE_SCALE)
        assert abs(average - exact) <= 1e-12 * exact


@PROPERTY
@given(scenarios())
def test_mode_1_places_at_most_one_leg_at_a_qualifying_price(
    impl: ModuleType, scenario: tuple[BookSpec, OrderSpec]
) -> None:
    """Mode 1: all or nothing, one bet, never below orderPrice (no averaging relaxation)."""
    spec, order = scenario
    plan = routed(impl, spec, order)
    if plan.mode != 1:
        return
    assert len(plan.legs) <= 1
    assert plan.status in {"filled", "waiting", "declined"}
    for leg in plan.legs:
        assert better_or_equal(fixed(leg.price), fixed(float(order.price)), order.back)


@PROPERTY
@given(scenarios())
def test_mode_3_one_leg_per_bookmaker_and_all_or_nothing(
    impl: ModuleType, scenario: tuple[BookSpec, OrderSpec]
) -> None:
    """Mode 3: one bet per bookmaker, and either the order fills or nothing is placed."""
    spec, order = scenario
    plan = routed(impl, spec, order)
    if plan.mode != 3:
        return
    bookmakers = [leg.bookmaker for leg in plan.legs]
    assert len(bookmakers) == len(set(bookmakers))
    assert plan.status in {"filled", "waiting", "declined"}
    if plan.status != "filled":
        assert plan.legs == []


@PROPERTY
@given(scenarios())
def test_mode_follows_filter_and_partial_flag(
    impl: ModuleType, scenario: tuple[BookSpec, OrderSpec]
) -> None:
    """Mode = single/multiple bookmakers × partial stake; no filter or "*" is multiple;
    duplicate names count once."""
    spec, order = scenario
    names = None if order.bookmakers is None else set(order.bookmakers)
    single = names is not None and len(names) == 1 and names != {"*"}
    expected = (2 if order.accept_partial_stake else 1) if single else 3
    if not single and order.accept_partial_stake:
        expected = 4
    assert make_order(impl, order).mode == expected
    assert routed(impl, spec, order).mode == expected


@PROPERTY
@given(scenarios())
def test_without_better_odds_every_leg_is_at_order_price(
    impl: ModuleType, scenario: tuple[BookSpec, OrderSpec]
) -> None:
    """acceptBetterOdds=false: a bet is only ever placed at exactly orderPrice [choice]."""
    spec, order = scenario
    plan = routed(impl, spec, order)
    if not order.accept_better_odds:
        for leg in plan.legs:
            assert fixed(leg.price) == fixed(float(order.price))


@PROPERTY
@given(scenarios())
def test_legs_come_from_eligible_quotes_in_account_currency(
    impl: ModuleType, ref: ModuleType, scenario: tuple[BookSpec, OrderSpec]
) -> None:
    """Each leg is an active quote on the order's side, of an active account inside the
    filter, staked in the account currency; order_stake is that stake converted half-even."""
    spec, order = scenario
    plan = routed(impl, spec, order)
    quotes = reference_quotes(ref, spec, order.back)
    fx = build(ref, spec).fx
    allowed = (
        None if order.bookmakers in (None, ("*",), ("*", "*")) else set(order.bookmakers or ())
    )
    for leg in plan.legs:
        q = quotes[(leg.key, leg.account)]
        assert q.active and q.account_active
        assert leg.key == market_key(leg.bookmaker) and leg.bookmaker == q.bookmaker
        assert allowed is None or leg.bookmaker in allowed
        assert fixed(leg.price) == q.price_fixed
        assert leg.currency == q.currency
        assert leg.order_currency == order.currency
        assert leg.order_stake == fx.convert(leg.stake, q.currency, order.currency, "half_even")
        assert leg.order_stake > 0


@PROPERTY
@given(scenarios())
def test_status_matches_legs_and_decline(
    impl: ModuleType, scenario: tuple[BookSpec, OrderSpec]
) -> None:
    """filled ⇔ complete; partial only in modes 2/4 with legs; waiting and declined place
    nothing; a decline reason and message exist exactly when declined."""
    spec, order = scenario
    plan = routed(impl, spec, order)
    assert plan.complete == (plan.status == "filled")
    if plan.status == "filled":
        assert plan.legs
    if plan.status == "partial":
        assert plan.mode in {2, 4} and plan.legs and plan.remaining > 0
    if plan.status in {"waiting", "declined"}:
        assert plan.legs == [] and plan.filled == 0 and plan.average_price is None
    assert (plan.decline is not None) == (plan.status == "declined")
    if plan.status == "declined":
        assert plan.message


@PROPERTY
@given(scenarios())
def test_lay_order_mirrors_back_order(
    impl: ModuleType, scenario: tuple[BookSpec, OrderSpec]
) -> None:
    """Lay is back seen in a mirror: flip every quote's side, map each price p to 25 - p
    (and orderPrice alike), and the router must place the same legs at the mirrored prices.

    Balances are dropped: a balance bounds a back stake but a lay liability (§2), so it is
    the one rule that is not symmetric."""
    spec, order = scenario
    spec = replace(spec, accounts=tuple(replace(a, balance=None) for a in spec.accounts))
    plan = plan_summary(routed(impl, spec, order))
    mirror = plan_summary(routed(impl, spec.mirrored(), order.mirrored()))
    status, mode, decline, message, legs, filled, remaining, complete = plan
    m_status, m_mode, m_decline, m_message, m_legs, m_filled, m_remaining, m_complete = mirror
    assert (status, mode, decline, message) == (m_status, m_mode, m_decline, m_message)
    assert (filled, remaining, complete) == (m_filled, m_remaining, m_complete)
    assert len(legs) == len(m_legs)
    for leg, m_leg in zip(legs, m_legs, strict=True):
        assert leg[:3] == m_leg[:3] and leg[4:] == m_leg[4:]
        assert fixed(leg[3]) == 25 * PRICE_SCALE - fixed(m_leg[3])


@PROPERTY
@given(scenarios())
def test_engine_agrees_with_reference(
    core: ModuleType, ref: ModuleType, scenario: tuple[BookSpec, OrderSpec]
) -> None:
    """The engine routes exactly like the reference: status, mode, decline and its message,
    every leg (account, price, both stakes), filled and remaining."""
    spec, order = scenario
    expected = routed(ref, spec, order)
    actual = routed(core, spec, order)
    for label in coverage_labels(spec, order, expected):
        event(label)
    assert plan_summary(actual) == plan_summary(expected)
    if expected.legs:
        assert actual.average_price == expected.average_price


@PROPERTY
@given(scenarios())
def test_lay_liability_never_exceeds_balance(
    impl: ModuleType, scenario: tuple[BookSpec, OrderSpec]
) -> None:
    """§2: a lay leg's liability ``stake × (price − 1)`` fits in its account's balance."""
    spec, order = scenario
    order = order if not order.back else order.mirrored()
    plan = routed(impl, spec, order)
    balances = {a.name: a.balance for a in spec.accounts}
    for leg in plan.legs:
        balance = balances[leg.account]
        if balance is not None:
            assert leg.stake * (fixed(leg.price) - PRICE_SCALE) <= balance * PRICE_SCALE


def test_lay_balance_bounds_the_liability(impl: ModuleType) -> None:
    """Lay at 6.0 with 100.00 of balance: max 20.00 (liability 100.00), not 100.00; lay at
    1.5 with the same balance: max 200.00 (liability 100.00)."""
    book = impl.Book()
    book.set_account("a", "alpha", "EUR", balance=10_000)
    book.set_account("b", "bravo", "EUR", balance=10_000)
    slot = book.upsert(market_key("alpha"), "a", 6.0, 180_000, back=False)
    other = book.upsert(market_key("bravo"), "b", 1.5, 180_000, back=False)
    fx = impl.Fx()
    fx.set_rate("EUR", "0.9")
    assert book.get(slot).max_stake == 2_000
    assert book.get(other).max_stake == 20_000
    book.update(slot, 7.0, 180_000, None, True)
    assert book.get(slot).max_stake == 1_666
    order = impl.Order(
        100_000, "EUR", 7.0, accept_partial_stake=True, back=False, bookmakers=["alpha"]
    )
    plan = impl.route(order, book, fx)
    assert [leg.stake for leg in plan.legs] == [1_666]
    # A back quote's balance cap stays the balance itself.
    back = book.upsert(market_key("alpha"), "a", 6.0, 180_000, back=True)
    assert book.get(back).max_stake == 10_000


@PROPERTY
@given(refused_filters())
def test_refused_filter_shapes(impl: ModuleType, bookmakers: list[str]) -> None:
    """§3: ``[]``, an empty name, ``"*"`` mixed with names: InvalidInput on ``bookmakers``."""
    try:
        impl.Order(1000, "USD", 1.9, bookmakers=bookmakers)
    except ValueError as error:
        assert getattr(error, "field", None) == "bookmakers"
    else:
        raise AssertionError(f"{bookmakers!r} was accepted")


def coverage_labels(spec: BookSpec, order: OrderSpec, plan: Any) -> list[str]:
    """What a scenario exercises, for hypothesis' statistics (``--hypothesis-show-statistics``)."""
    labels = [f"mode {plan.mode}", f"status {plan.status}"]
    p = fixed(float(order.price))
    if any(not better_or_equal(fixed(leg.price), p, order.back) for leg in plan.legs):
        labels.append(f"mode {plan.mode}: leg below orderPrice")
    if order.price.as_tuple().exponent == -6 or any(
        q.price.as_tuple().exponent == -6 for q in spec.quotes
    ):
        labels.append("6-decimal price")
    if order.bookmakers is not None and len(set(order.bookmakers)) < len(order.bookmakers):
        labels.append("filter with duplicates")
    if order.stake >= 10**9:
        labels.append("extreme stake")
    return labels


def test_strategies_reach_the_hard_cases(core: ModuleType) -> None:
    """The generators really produce the cases the properties are for: mode-2 legs below
    orderPrice and 6-decimal prices (a cheap, seeded census of the mode-2 generator)."""
    seen: set[str] = set()
    for seed in range(150):
        rng = random.Random(seed)
        spec = few_bookmakers_book(rng, rng.randint(6, 40))
        order = deep_single_order(spec, True, rng.randint(50_000, 2_000_000), "USD")
        seen.update(coverage_labels(spec, order, routed(core, spec, order)))
    assert "mode 2: leg below orderPrice" in seen
    assert "6-decimal price" in seen
