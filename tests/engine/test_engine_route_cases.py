"""Hand-worked routing cases from ABP's docs, checked on the engine and on the reference.

Every expected number below is worked out by hand in the comments, from the rules in
docs/engine.md, and written out literally: nothing here is computed by the reference.

The quickstart betslip (shared/specs/abp-quickstart.txt) holds two quotes:

- pinnacle  1.98, limit 15000 USD (1_500_000 cents), limitMin 5 USD (500)
- sharpbet  2.00, limit 751.34 EUR (75_134 cents), limitMin 1 EUR (100), EUR cv 0.84788876

Conversions used below (USD → EUR multiplies by 0.84788876, EUR → USD divides by it):

- 751.34 EUR → USD: 75134 / 0.84788876 = 88613.03... → half-even 88613 (886.13 USD, the
  betslip's own ``limitUsd``), rounded down also 88613.
- 1.00 EUR → USD rounded up: 100 / 0.84788876 = 117.94... → 118 (1.18 USD = ``limitMinUsd``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pytest

QUICKSTART_BETSLIP = json.dumps(
    {
        "fixtureId": "id1000004461512432",
        "outcomeId": 103,
        "playerId": 0,
        "client": "your-client",
        "fixtureInfo": {
            "sport": {"sportId": 10, "sportName": "Soccer"},
            "tournament": {"tournamentName": "Serie A", "categoryName": "Italy"},
            "participants": {
                "participant1Name": "AS Roma",
                "participant2Name": "Cagliari Calcio",
            },
        },
        "outcomeInfo": {"marketName": "Full Time Result", "outcomeName": "2"},
        "odds": {
            "pinnacle": {
                "id1000004461512432:pinnacle:103:0": {
                    "price": 1.98,
                    "limit": 15000,
                    "limitMin": 5,
                    "limitCurrency": "USD",
                    "limitUsd": 15000,
                    "limitMinUsd": 5,
                    "active": True,
                    "account": "pinnacle_main",
                    "currencyInfo": {
                        "currency": "USD",
                        "currencyValue": 1,
                        "updatedAt": "2026-02-07T17:29:32+00:00",
                    },
                }
            },
            "sharpbet": {
                "id1000004461512432:sharpbet:103:0": {
                    "price": 2.0,
                    "limit": 751.34,
                    "limitMin": 1,
                    "limitCurrency": "EUR",
                    "limitUsd": 886.13,
                    "limitMinUsd": 1.18,
                    "active": True,
                    "account": "sharpbet_user",
                    "currencyInfo": {
                        "currency": "EUR",
                        "currencyValue": 0.84788876,
                        "updatedAt": "2026-02-07T17:29:32+00:00",
                    },
                }
            },
        },
    }
)

PIN = "id1000004461512432:pinnacle:103:0"
SHARP = "id1000004461512432:sharpbet:103:0"


@dataclass(frozen=True)
class Case:
    """One order against the quickstart book and the plan we worked out by hand."""

    stake: int
    currency: str
    price: float
    status: str
    # (key, account, price, stake in account currency, currency, order_stake)
    legs: list[tuple[str, str, float, int, str, int]] = field(default_factory=list)
    decline: str | None = None
    message: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)


SHARP_FULL = (SHARP, "sharpbet_user", 2.0, 75134, "EUR", 88613)
"""sharpbet's whole limit: 751.34 EUR placed, 886.13 USD filled."""

CASES: dict[str, Case] = {
    # Mode 4. sharpbet's 2.00 is best. 10.00 USD → 1000 × 0.84788876 = 847.88876 → down
    # 847 (8.47 EUR); back: 847 / 0.84788876 = 998.95... → 999 (9.99 USD). The last cent
    # is dust: pinnacle's min is 5 USD and 1 cent is 0.84 EUR cents → 0. Filled.
    "10 USD, all books": Case(
        1000, "USD", 1.95, "filled", [(SHARP, "sharpbet_user", 2.0, 847, "EUR", 999)]
    ),
    # 3.00 USD → 254.366... → 254 EUR cents (>= the 1 EUR min); 254 / 0.84788876 =
    # 299.57 → 300: the whole stake, although the EUR stake was rounded down.
    "3 USD, all books": Case(
        300, "USD", 1.95, "filled", [(SHARP, "sharpbet_user", 2.0, 254, "EUR", 300)]
    ),
    # 1000 USD → 84788.876 EUR cents > 75134: sharpbet takes its limit (886.13 USD), then
    # pinnacle at 1.98 (>= 1.95) takes the remaining 1000.00 - 886.13 = 113.87 USD.
    "1000 USD, all books": Case(
        100_000,
        "USD",
        1.95,
        "filled",
        [SHARP_FULL, (PIN, "pinnacle_main", 1.98, 11387, "USD", 11387)],
    ),
    # 20000 USD: 886.13 + 15000.00 = 15886.13 USD available; mode 4 keeps the rest open.
    "20000 USD, all books, partial": Case(
        2_000_000,
        "USD",
        1.95,
        "partial",
        [SHARP_FULL, (PIN, "pinnacle_main", 1.98, 1_500_000, "USD", 1_500_000)],
    ),
    # Mode 3 (no partial): one bet per bookmaker, all or nothing. 1000 USD fits in
    # 886.13 + 113.87 as in mode 4.
    "1000 USD, all books, no partial": Case(
        100_000,
        "USD",
        1.95,
        "filled",
        [SHARP_FULL, (PIN, "pinnacle_main", 1.98, 11387, "USD", 11387)],
        kwargs={"accept_partial_stake": False},
    ),
    # Mode 3 with 20000 USD: the summed capacity 886.13 + 15000.00 = 15886.13 < 20000.
    "20000 USD, all books, no partial": Case(
        2_000_000,
        "USD",
        1.95,
        "declined",
        decline="STAKE_EXCEEDS_LIMIT",
        message="Order stake 20000.00 USD exceeds available limit 15886.13 USD",
        kwargs={"accept_partial_stake": False},
    ),
    # Mode 1 at pinnacle: the quickstart's own example, 10 USD at 1.95 → one bet of 10 USD
    # at 1.98 (its response shows exactly this bet).
    "10 USD, pinnacle only, no partial": Case(
        1000,
        "USD",
        1.95,
        "filled",
        [(PIN, "pinnacle_main", 1.98, 1000, "USD", 1000)],
        kwargs={"bookmakers": ["pinnacle"], "accept_partial_stake": False},
    ),
    # Mode 1 at pinnacle for 20000 USD: above its 15000 USD max.
    "20000 USD, pinnacle only, no partial": Case(
        2_000_000,
        "USD",
        1.95,
        "declined",
        decline="STAKE_EXCEEDS_LIMIT",
        message="Order stake 20000.00 USD exceeds available limit 15000.00 USD",
        kwargs={"bookmakers": ["pinnacle"], "accept_partial_stake": False},
    ),
    # Mode 1 at sharpbet for 1000 USD: 847.88 EUR > 751.34 EUR; the limit is reported in
    # the order currency, rounded down: 886.13 USD.
    "1000 USD, sharpbet only, no partial": Case(
        100_000,
        "USD",
        1.95,
        "declined",
        decline="STAKE_EXCEEDS_LIMIT",
        message="Order stake 1000.00 USD exceeds available limit 886.13 USD",
        kwargs={"bookmakers": ["sharpbet"], "accept_partial_stake": False},
    ),
    # Mode 1 at sharpbet for 0.50 USD: 42.39 → 42 EUR cents < 100; the min in USD rounded
    # up is 1.18.
    "0.50 USD, sharpbet only, no partial": Case(
        50,
        "USD",
        1.95,
        "declined",
        decline="STAKE_BELOW_MINIMUM",
        message="Order stake 0.50 USD is below minimum stake 1.18 USD",
        kwargs={"bookmakers": ["sharpbet"], "accept_partial_stake": False},
    ),
    # Mode 1 at pinnacle for 3 USD: below its 5 USD min.
    "3 USD, pinnacle only, no partial": Case(
        300,
        "USD",
        1.95,
        "declined",
        decline="STAKE_BELOW_MINIMUM",
        message="Order stake 3.00 USD is below minimum stake 5.00 USD",
        kwargs={"bookmakers": ["pinnacle"], "accept_partial_stake": False},
    ),
    # Mode 1 at pinnacle asking 2.00: the stake fits but 1.98 < 2.00: wait for a price.
    "10 USD at 2.00, pinnacle only, no partial": Case(
        1000,
        "USD",
        2.0,
        "waiting",
        kwargs={"bookmakers": ["pinnacle"], "accept_partial_stake": False},
    ),
    # Mode 2 at pinnacle for 20000 USD: its whole 15000 USD, the rest stays open.
    "20000 USD, pinnacle only, partial": Case(
        2_000_000,
        "USD",
        1.95,
        "partial",
        [(PIN, "pinnacle_main", 1.98, 1_500_000, "USD", 1_500_000)],
        kwargs={"bookmakers": ["pinnacle"]},
    ),
    # An order in EUR: no conversion for sharpbet, 100.00 EUR fits its 751.34 EUR.
    "100 EUR, all books": Case(
        10_000, "EUR", 1.95, "filled", [(SHARP, "sharpbet_user", 2.0, 10_000, "EUR", 10_000)]
    ),
    # acceptBetterOdds=false at 1.98: only pinnacle's exact 1.98 qualifies; sharpbet's
    # better 2.00 is ignored [choice].
    "1000 USD at exactly 1.98": Case(
        100_000,
        "USD",
        1.98,
        "filled",
        [(PIN, "pinnacle_main", 1.98, 100_000, "USD", 100_000)],
        kwargs={"accept_better_odds": False},
    ),
    # At 2.00: sharpbet fills 886.13 USD at exactly 2.00, so W - P·F = 0 and pinnacle's
    # 1.98 gets no room under the weighted-average rule. Partial.
    "1000 USD at 2.00": Case(100_000, "USD", 2.0, "partial", [SHARP_FULL]),
    # At 1.99: after sharpbet, room = 886.13 × (2.00 - 1.99) / (1.99 - 1.98) = 886.13 USD
    # at 1.98, more than the 113.87 USD left: filled, average 1.9977226 >= 1.99.
    "1000 USD at 1.99": Case(
        100_000,
        "USD",
        1.99,
        "filled",
        [SHARP_FULL, (PIN, "pinnacle_main", 1.98, 11387, "USD", 11387)],
    ),
    # At 1.999: room = 88613 × 0.001 / 0.019 = 4663.84 → 4663 cents at 1.98. Partial with
    # 886.13 + 46.63 = 932.76 USD; average = (1772.26 + 92.3274) / 932.76 = 1.99900...
    "1000 USD at 1.999": Case(
        100_000,
        "USD",
        1.999,
        "partial",
        [SHARP_FULL, (PIN, "pinnacle_main", 1.98, 4663, "USD", 4663)],
    ),
    # The betslip has back quotes only.
    "10 USD lay": Case(
        1000,
        "USD",
        1.95,
        "declined",
        decline="BOOKMAKER_NOT_AVAILABLE",
        message="No odds available from any bookmaker",
        kwargs={"back": False},
    ),
    "10 USD at betfair": Case(
        1000,
        "USD",
        1.95,
        "declined",
        decline="BOOKMAKER_NOT_AVAILABLE",
        message="No odds available from betfair",
        kwargs={"bookmakers": ["betfair"]},
    ),
    # The betslip gives rates for USD and EUR only.
    "1000 JPY": Case(
        1000,
        "JPY",
        1.95,
        "declined",
        decline="CURRENCY_CONVERSION_FAILED",
        message="No exchange rate for JPY",
    ),
}


def quickstart(impl: ModuleType) -> tuple[Any, Any]:
    """The quickstart betslip loaded into a fresh book and rate table."""
    fx = impl.Fx()
    return impl.Book.from_betslip(QUICKSTART_BETSLIP, fx), fx


def legs_of(plan: Any) -> list[tuple[str, str, float, int, str, int]]:
    """A plan's legs as (key, account, price, stake, currency, order_stake)."""
    for leg in plan.legs:
        assert leg.order_currency == plan_currency(plan)
    return [
        (leg.key, leg.account, leg.price, leg.stake, leg.currency, leg.order_stake)
        for leg in plan.legs
    ]


def plan_currency(plan: Any) -> str:
    """The order currency every leg reports (all legs agree)."""
    return str(plan.legs[0].order_currency)


@pytest.mark.parametrize("name", list(CASES))
def test_quickstart_betslip_routes_as_worked_by_hand(impl: ModuleType, name: str) -> None:
    """The quickstart book routes every hand-worked order to exactly the legs above."""
    case = CASES[name]
    book, fx = quickstart(impl)
    order = impl.Order(case.stake, case.currency, case.price, **case.kwargs)
    plan = impl.route(order, book, fx)
    assert plan.status == case.status
    assert legs_of(plan) == case.legs
    assert plan.filled == sum(leg[5] for leg in case.legs)
    assert plan.remaining == case.stake - plan.filled
    if case.decline is None:
        assert plan.decline is None
    else:
        assert plan.decline is not None and plan.decline.name == case.decline
        assert plan.message == case.message


def test_quickstart_averages_match_hand_arithmetic(impl: ModuleType) -> None:
    """Average prices: (886.13 × 2.00 + 113.87 × 1.98) / 1000 = 1.9977226, and at 1.999
    (1772.26 + 92.3274) / 932.76 = 1.999000... which clears orderPrice 1.999."""
    book, fx = quickstart(impl)
    plan = impl.route(impl.Order(100_000, "USD", 1.99), book, fx)
    assert plan.average_price == 1.9977226
    plan = impl.route(impl.Order(100_000, "USD", 1.999), book, fx)
    assert plan.average_price is not None and plan.average_price >= 1.999
    assert plan.average_price == pytest.approx(1864.5874 / 932.76, rel=1e-15)


def test_quickstart_betslip_loads_limits_in_account_currency(impl: ModuleType) -> None:
    """from_betslip: limits become minor units of limitCurrency, rates land in the Fx."""
    book, fx = quickstart(impl)
    assert len(book) == 2
    by_account = {q.account: q for q in book.quotes()}
    pin, sharp = by_account["pinnacle_main"], by_account["sharpbet_user"]
    assert (pin.key, pin.bookmaker, pin.currency, pin.price) == (PIN, "pinnacle", "USD", 1.98)
    assert (pin.limit, pin.limit_min, pin.max_stake, pin.min_stake) == (
        1_500_000,
        500,
        1_500_000,
        500,
    )
    assert (sharp.key, sharp.bookmaker, sharp.currency, sharp.price) == (
        SHARP,
        "sharpbet",
        "EUR",
        2.0,
    )
    assert (sharp.limit, sharp.limit_min, sharp.max_stake, sharp.min_stake) == (
        75134,
        100,
        75134,
        100,
    )
    assert pin.priority == sharp.priority == 0
    assert pin.active and sharp.active and pin.back and sharp.back
    assert fx.rate_str("EUR") == "0.84788876"
    assert fx.rate("EUR") == 0.84788876
    assert fx.updated_at("EUR") == "2026-02-07T17:29:32+00:00"
    assert fx.currencies() == ["EUR", "USD"]


def test_quickstart_book_reads(impl: ModuleType) -> None:
    """Book reads on the quickstart: best price 2.00; 886.13 USD available at 2.00 and
    886.13 + 15000 = 15886.13 USD at 1.98; in EUR at 1.98: 751.34 + 15000 × 0.84788876 =
    751.34 + 12718.3314 → 12718.33 (down) = 13469.67 EUR; VWAP for 1000 USD 1.9977226;
    too thin for 20000 USD."""
    book, fx = quickstart(impl)
    assert book.best_price() == 2.0
    assert book.best_price(back=False) is None
    assert book.available(2.0, "USD", fx) == 88613
    assert book.available(1.98, "USD", fx) == 1_588_613
    assert book.available(1.99, "USD", fx) == 88613
    assert book.available(1.98, "EUR", fx) == 1_346_967
    assert book.vwap(100_000, "USD", fx) == 1.9977226
    assert book.vwap(88613, "USD", fx) == 2.0
    assert book.vwap(2_000_000, "USD", fx) is None
    ladder = [(level.price, level.available, level.quotes) for level in book.ladder("USD", fx)]
    assert ladder == [(2.0, 88613, 1), (1.98, 1_500_000, 1)]


def test_multi_currency_doc_example(impl: ModuleType) -> None:
    """ABP's worked example: 100 USD filled on a Betfair EUR account at 1 USD = 0.92 EUR →
    placedStake 92.00 EUR, filledStake 100.00 USD, remainingStake 0, FILLED."""
    fx = impl.Fx()
    fx.set_rate("EUR", "0.92")
    book = impl.Book()
    book.set_account("betfair_eur", "betfair", "EUR")
    book.upsert("f1:betfair:103:0", "betfair_eur", 2.0, 100_000)
    for kwargs in ({}, {"bookmakers": ["betfair"], "accept_partial_stake": False}):
        plan = impl.route(impl.Order(10_000, "USD", 1.9, **kwargs), book, fx)
        assert plan.status == "filled"
        assert [
            (leg.stake, leg.currency, leg.order_stake, leg.order_currency) for leg in plan.legs
        ] == [(9200, "EUR", 10_000, "USD")]
        assert (plan.filled, plan.remaining) == (10_000, 0)
        assert impl.minor_to_str(plan.legs[0].stake, "EUR") == "92.00"
        assert impl.minor_to_str(plan.filled, "USD") == "100.00"


def small_book(
    impl: ModuleType,
    *,
    account_active: bool = True,
    quote_active: bool = True,
    limit: int = 100_000,
) -> tuple[Any, Any]:
    """One pinnacle USD account and quote at 2.00, with knobs for the decline cases."""
    fx = impl.Fx()
    book = impl.Book()
    book.set_account("pin", "pinnacle", "USD", active=account_active)
    book.upsert("f1:pinnacle:103:0", "pin", 2.0, limit, None, quote_active)
    return book, fx


def test_no_active_accounts_decline(impl: ModuleType) -> None:
    """Every candidate's account is inactive → NO_ACTIVE_ACCOUNTS, naming the filter."""
    book, fx = small_book(impl, account_active=False)
    plan = impl.route(impl.Order(1000, "USD", 1.9), book, fx)
    assert (plan.status, plan.decline.name, plan.message) == (
        "declined",
        "NO_ACTIVE_ACCOUNTS",
        "No active accounts for any bookmaker",
    )
    plan = impl.route(impl.Order(1000, "USD", 1.9, bookmakers=["pinnacle"]), book, fx)
    assert plan.message == "No active accounts for pinnacle"


def test_suspended_market_decline(impl: ModuleType) -> None:
    """Every candidate quote is inactive → INVALID_ODDS (price not available)."""
    book, fx = small_book(impl, quote_active=False)
    plan = impl.route(impl.Order(1000, "USD", 1.9), book, fx)
    assert (plan.status, plan.decline.name, plan.message) == (
        "declined",
        "INVALID_ODDS",
        "Price not available: market suspended",
    )


def test_zero_limit_decline_reports_zero_available(impl: ModuleType) -> None:
    """No candidate can take a bet (max 0) → STAKE_EXCEEDS_LIMIT with limit 0.00."""
    book, fx = small_book(impl, limit=0)
    plan = impl.route(impl.Order(1000, "USD", 1.9), book, fx)
    assert (plan.status, plan.decline.name, plan.message) == (
        "declined",
        "STAKE_EXCEEDS_LIMIT",
        "Order stake 10.00 USD exceeds available limit 0.00 USD",
    )


def test_account_priority_breaks_price_ties(impl: ModuleType) -> None:
    """Equal prices: the higher-priority account goes first, then the larger limit [choice]."""
    fx = impl.Fx()
    book = impl.Book()
    book.set_account("a_low", "alpha", "USD", priority=1)
    book.set_account("b_high", "bravo", "USD", priority=5)
    book.set_account("c_big", "charlie", "USD", priority=1)
    book.upsert("f1:alpha:103:0", "a_low", 2.0, 1000)
    book.upsert("f1:bravo:103:0", "b_high", 2.0, 1000)
    book.upsert("f1:charlie:103:0", "c_big", 2.0, 5000)
    plan = impl.route(impl.Order(6500, "USD", 2.0), book, fx)
    assert [(leg.account, leg.stake) for leg in plan.legs] == [
        ("b_high", 1000),
        ("c_big", 5000),
        ("a_low", 500),
    ]


def test_cascade_account_then_bookmaker_then_odds(impl: ModuleType) -> None:
    """Effective max: account 300 wins over bookmaker 20 EUR; without the account level the
    bookmaker's 20.00 EUR → USD at 0.8 EUR/USD = 25.00 USD wins over the odds limit; balance
    10.00 USD caps everything (our choice)."""
    fx = impl.Fx()
    fx.set_rate("EUR", "0.8")
    book = impl.Book()
    book.set_bookmaker_limits("alpha", "EUR", max_stake=2000, min_stake=80)
    book.set_account("acct", "alpha", "USD", max_stake=300)
    book.set_account("plain", "alpha", "USD")
    book.set_account("poor", "alpha", "USD", balance=1000)
    book.upsert("f1:alpha:103:0", "acct", 2.0, 100_000, 50)
    book.upsert("f1:alpha:103:0", "plain", 2.0, 100_000, 50)
    book.upsert("f1:alpha:103:0", "poor", 2.0, 100_000, 50)
    book.available(2.0, "USD", fx)  # reads take an Fx: the book now knows the rates
    limits = {q.account: (q.max_stake, q.min_stake) for q in book.quotes()}
    # min: account none → bookmaker 0.80 EUR → 1.00 USD (80 / 0.8 = 100 cents, rounded up).
    assert limits == {"acct": (300, 100), "plain": (2500, 100), "poor": (1000, 100)}


@pytest.mark.parametrize(
    ("bookmakers", "words"),
    [
        ([], "at least one bookmaker"),
        (["*", "pinnacle"], "'*' alone"),
        (["pinnacle", ""], "must not be empty"),
        ([""], "must not be empty"),
    ],
)
def test_bookmaker_filter_shapes_refused(
    impl: ModuleType, bookmakers: list[str], words: str
) -> None:
    """§3: ``[]``, an empty name and ``"*"`` mixed with names are InvalidInput."""
    with pytest.raises(ValueError, match=words) as info:
        impl.Order(1000, "USD", 1.9, bookmakers=bookmakers)
    assert getattr(info.value, "field", None) == "bookmakers"


def test_bookmaker_filter_duplicates_dropped(impl: ModuleType) -> None:
    """§3: duplicates are dropped (first kept) before mode inference and messages; ``["*"]``
    and ``["*", "*"]`` mean every bookmaker."""
    twice = impl.Order(1000, "USD", 1.9, accept_partial_stake=False, bookmakers=["zulu", "zulu"])
    assert twice.mode == 1
    assert twice.bookmakers == ["zulu"]
    mixed = impl.Order(1000, "USD", 1.9, bookmakers=["zulu", "yankee", "zulu"])
    assert mixed.mode == 4
    book, fx = quickstart(impl)
    plan = impl.route(mixed, book, fx)
    assert plan.message == "No odds available from zulu, yankee"
    for stars in (["*"], ["*", "*"]):
        assert impl.Order(1000, "USD", 1.9, accept_partial_stake=False, bookmakers=stars).mode == 3


def test_order_price_beyond_six_decimals_rounds_toward_the_stricter_side(
    impl: ModuleType,
) -> None:
    """§1: orderPrice 2.0000005 is 2.000001 for a back order (the minimum) and 2.0 for a lay
    order (the maximum), so mode 1 never bets below (back) or above (lay) what was asked."""
    back = impl.Order(1000, "USD", 2.0000005, accept_partial_stake=False, bookmakers=["a"])
    lay = impl.Order(1000, "USD", 2.0000005, back=False, bookmakers=["a"])
    assert back.price == 2.000001
    assert lay.price == 2.0
    assert impl.Order(1000, "USD", 1.9999999, back=False).price == 1.999999
    book = impl.Book()
    book.set_account("acct", "a", "USD")
    book.upsert("f:a:1:0", "acct", 2.0, 100_000)
    plan = impl.route(back, book, impl.Fx())
    assert plan.status == "waiting" and plan.legs == []
    with pytest.raises(ValueError):
        impl.Order(1000, "USD", 1.0000001, back=False)


def test_a_huge_limit_never_fails_the_route(impl: ModuleType) -> None:
    """§3: one quote whose max does not fit in the order currency (here about 4.6e44 EUR
    cents) saturates for sorting and messages; every order still routes."""
    fx = impl.Fx()
    fx.set_rate("JPY", "0.000000000001")
    fx.set_rate("EUR", "1000000000000")
    book = impl.Book()
    book.set_account("big", "b0", "JPY")
    book.upsert("f:b0:1:0", "big", 1.9, 2**62)
    book.set_account("n", "b1", "EUR")
    book.upsert("f:b1:1:0", "n", 2.0, 1000)
    for kwargs in ({}, {"bookmakers": ["b1"]}, {"accept_partial_stake": False}):
        plan = impl.route(impl.Order(500, "EUR", 2.0, **kwargs), book, fx)
        assert plan.status == "filled"
        assert [(leg.account, leg.stake) for leg in plan.legs] == [("n", 500)]
    # Mode 1 on the huge quote alone: the stake in JPY rounds down to 0, it cannot fit.
    plan = impl.route(
        impl.Order(500, "EUR", 1.9, accept_partial_stake=False, bookmakers=["b0"]), book, fx
    )
    assert plan.status == "declined"
    assert plan.decline.name == "STAKE_EXCEEDS_LIMIT"
    assert "9223372036854775807" in plan.message.replace(".", "")


def test_internal_overflow_is_an_engine_error(core: ModuleType, errors: ModuleType) -> None:
    """An amount the router computes itself that 128 bits cannot hold (a leg's stake back in
    the order currency at extreme rates) is EngineError, never InvalidInput blaming an
    argument. (The reference, in unbounded ints, routes it: a known engine limit.)"""
    fx = core.Fx()
    fx.set_rate("JPY", "999999999999.999999999999")
    fx.set_rate("EUR", "1000000000000")
    book = core.Book()
    book.set_account("a", "b1", "EUR")
    book.upsert("f:b1:1:0", "a", 2.0, 2**62)
    with pytest.raises(errors.EngineError, match="internal overflow") as info:
        core.route(core.Order(2**53, "JPY", 2.0), book, fx)
    assert not isinstance(info.value, errors.InvalidInput)
