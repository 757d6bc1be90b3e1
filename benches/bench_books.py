"""The books the benchmarks run on, built identically for the engine and the reference.

Every bookmaker has one account; currencies rotate through USD, EUR, GBP and JPY so that
routing converts on most legs, and prices spread around 2.0 so the order meets quotes both
better and worse than its price (the weighted-average rule has work to do).
"""

from __future__ import annotations

from decimal import Decimal
from types import ModuleType
from typing import Any

CURRENCIES = ("USD", "EUR", "GBP", "JPY")
RATES = {"EUR": "0.84788876", "GBP": "0.7412", "JPY": "151.234"}
LIMIT_USD_CENTS = 50_000
"""Each quote's limit is about 500 USD, written in its own currency."""


def limit_in(currency: str) -> int:
    """About 500 USD in minor units of ``currency``."""
    if currency == "USD":
        return LIMIT_USD_CENTS
    rate = Decimal(RATES[currency])
    exponent = 0 if currency == "JPY" else 2
    return int(Decimal(LIMIT_USD_CENTS) / 100 * rate * 10**exponent)


def price_of(i: int, n: int) -> float:
    """Prices 1.90, 1.91, … shuffled across bookmakers (a stride coprime with 7)."""
    return float(Decimal("1.90") + Decimal((i * 7) % n) / 100)


def make_book(m: ModuleType, n_bookmakers: int) -> tuple[Any, Any, list[int]]:
    """A book of ``n_bookmakers`` back quotes for implementation ``m``, with its Fx."""
    fx = m.Fx()
    for currency, value in RATES.items():
        fx.set_rate(currency, value)
    book = m.Book()
    slots = []
    for i in range(n_bookmakers):
        bookmaker = f"bk{i:02d}"
        currency = CURRENCIES[i % len(CURRENCIES)]
        book.set_account(f"{bookmaker}_main", bookmaker, currency, priority=i % 3)
        slots.append(
            book.upsert(
                f"id1000004461512432:{bookmaker}:103:0",
                f"{bookmaker}_main",
                price_of(i, n_bookmakers),
                limit_in(currency),
                100 if currency != "JPY" else 150,
            )
        )
    return book, fx, slots


def make_order(m: ModuleType, n_bookmakers: int) -> Any:
    """A USD order for 80% of the book's capacity, priced just under the median price,
    so it fills across most bookmakers and some legs sit below orderPrice."""
    stake = n_bookmakers * LIMIT_USD_CENTS * 8 // 10
    median = Decimal("1.90") + Decimal(n_bookmakers // 2) / 100
    return m.Order(stake, "USD", float(median - Decimal("0.005")))


def plan_data(plan: Any) -> tuple[Any, ...]:
    """What a plan decided, for checking that engine and reference agree."""
    return (
        plan.status,
        plan.filled,
        [(leg.account, leg.price, leg.stake, leg.order_stake) for leg in plan.legs],
    )
