"""The simulated Odds88 offer: a few events, markets and selections whose prices move.

Prices are decimal odds held as integers in millionths (``1_950_000`` is 1.95), so the cashout
arithmetic that depends on them stays exact. :meth:`Catalog.move` is a seeded random walk: the
same seed gives the same prices, which keeps tests and demos reproducible.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = ["MICRO", "Catalog", "Event", "Market", "Selection", "price_to_micro"]

MICRO = 1_000_000


def price_to_micro(price: float) -> int:
    """Decimal odds → millionths, read through the float's shortest decimal form."""
    return int((Decimal(repr(price)) * MICRO).to_integral_value())


@dataclass
class Selection:
    id: int
    name: str
    price: int
    """Decimal odds in millionths."""


@dataclass
class Market:
    id: int
    event_id: int
    name: str
    type: int
    selections: dict[int, Selection]
    suspended: bool = False


@dataclass
class Event:
    id: int
    name: str
    sport_id: int
    live: bool
    start_time: str
    markets: dict[int, Market] = field(default_factory=dict)


def _default_events() -> list[Event]:
    spec: list[tuple[int, str, int, bool, list[tuple[int, str, int, tuple[float, ...]]]]] = [
        (1001, "Arsenal v Chelsea", 1, False, [(2001, "1X2", 1, (2.10, 3.40, 3.60))]),
        (1002, "Lakers v Celtics", 2, False, [(2002, "Moneyline", 186, (1.95, 1.90))]),
        (1003, "Sinner v Alcaraz", 5, True, [(2003, "Match winner", 186, (1.80, 2.05))]),
    ]
    events = []
    next_selection = 3001
    for event_id, name, sport, live, markets in spec:
        event = Event(event_id, name, sport, live, "2026-01-02T18:00:00Z")
        for market_id, market_name, market_type, prices in markets:
            selections = {}
            for i, price in enumerate(prices):
                selections[next_selection] = Selection(
                    next_selection, f"{market_name} #{i + 1}", price_to_micro(price)
                )
                next_selection += 1
            event.markets[market_id] = Market(
                market_id, event_id, market_name, market_type, selections
            )
        events.append(event)
    return events


class Catalog:
    """Events by id, with lookups by market and selection id."""

    def __init__(self, seed: int = 88) -> None:
        self.events = {e.id: e for e in _default_events()}
        self._rng = random.Random(seed)

    def market(self, market_id: int) -> Market | None:
        for event in self.events.values():
            if market_id in event.markets:
                return event.markets[market_id]
        return None

    def selections(self) -> list[tuple[Event, Market, Selection]]:
        return [
            (e, m, s)
            for e in self.events.values()
            for m in e.markets.values()
            for s in m.selections.values()
        ]

    def move(self) -> None:
        """One random-walk step: every open price moves by up to ±4 %, to two decimals."""
        for _event, market, selection in self.selections():
            if market.suspended:
                continue
            factor = Decimal(self._rng.randint(960, 1040)) / 1000
            price = (Decimal(selection.price) / MICRO * factor).quantize(Decimal("0.01"))
            selection.price = max(int(price * MICRO), 1_010_000)
