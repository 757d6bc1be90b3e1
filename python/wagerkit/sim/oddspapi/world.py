"""The local OddsPapi server's data: reference lists, fixtures, the quotes and their history.

Built from an ABP scenario plus the OddsPapi overlay (:mod:`.scenario`). Quotes move on the
scenario's schedule: the ABP scenario's moves and the overlay's, applied lazily whenever the
world is read (:meth:`World.advance`), each recorded as a tick (historical odds, CLV) and handed
to the listeners (the live stream's seam: :meth:`World.listen`).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wagerkit.clock import Clock, SystemClock
from wagerkit.sim.abp.scenario import MoveSpec, Scenario
from wagerkit.sim.oddspapi.scenario import Overlay

__all__ = ["SimQuote", "World"]


@dataclass(slots=True)
class SimQuote:
    """One bookmaker's back quote on one outcome; ``limit`` in the bookmaker currency."""

    fixture_id: str
    bookmaker: str
    outcome_id: int
    player_id: int
    market_id: int
    price: float
    limit: float
    active: bool
    changed_at: int  # Unix ms
    history: list[tuple[int, float, float, bool]] = field(default_factory=list)
    lay: tuple[float, float] | None = None
    """An exchange's best lay (price, size in the bookmaker currency), sent in ``meta``."""

    @property
    def odds_id(self) -> str:
        return f"{self.fixture_id}:{self.bookmaker}:{self.outcome_id}:{self.player_id}"

    def row(self) -> dict[str, Any]:
        """The quote as ``/fixtures/odds`` sends it."""
        return {
            "bookmaker": self.bookmaker,
            "outcomeId": self.outcome_id,
            "playerId": self.player_id,
            "marketId": self.market_id,
            "price": self.price,
            "limit": self.limit,
            "active": self.active,
            "marketActive": True,
            "mainLine": True,
            "changedAt": self.changed_at,
            "bookmakerChangedAt": self.changed_at,
            **({} if self.lay is None else {"meta": self.meta()}),
        }

    def meta(self) -> dict[str, Any]:
        """Betfair's ladder shape: ``availableToBack``/``availableToLay`` of ``{price, size}``."""
        assert self.lay is not None
        return {
            "availableToBack": [{"price": self.price, "size": self.limit}],
            "availableToLay": [{"price": self.lay[0], "size": self.lay[1]}],
        }


Listener = Callable[[SimQuote], None]


class World:
    """Everything the server answers from. Thread-safe: the server and a test may share it."""

    def __init__(self, abp: Scenario, overlay: Overlay, *, clock: Clock | None = None) -> None:
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.overlay = overlay
        self._lock = threading.RLock()
        self._started = self.clock.monotonic()
        self._start_wall = self.clock.time()
        self._listeners: list[Listener] = []
        self.sports: list[dict[str, Any]] = [
            {"sportId": s.sport_id, "sportName": s.sport_name, "slug": s.slug}
            for s in overlay.sports
        ]
        known = {s.sport_id for s in overlay.sports}
        for f in abp.fixtures:
            if f.sport_id not in known:
                known.add(f.sport_id)
                self.sports.append({"sportId": f.sport_id, "sportName": f.sport_name})
        self.bookmakers: list[dict[str, Any]] = [
            {
                "slug": b.slug,
                "bookmakerName": overlay.bookmaker_names.get(b.slug, b.slug),
                "limitCurrency": b.currency,
                "active": True,
            }
            for b in abp.bookmakers
        ]
        self.limit_currency = {b.slug: b.currency for b in abp.bookmakers}
        stamp = abp.rates_updated_at
        self.currencies: list[dict[str, Any]] = [
            {"currency": "USD", "currencyValue": 1.0, "updatedAt": stamp}
        ] + [{"currency": c, "currencyValue": v, "updatedAt": stamp} for c, v in abp.rates.items()]
        self.tournaments: dict[int, dict[str, Any]] = {}
        self.participants: dict[int, dict[str, Any]] = {}
        self.fixtures: dict[str, dict[str, Any]] = {}
        self.markets: dict[int, dict[str, Any]] = {}
        self.quotes: dict[str, SimQuote] = {}
        self.state: dict[tuple[str, str], dict[str, bool]] = {}
        self.settlements: dict[str, list[dict[str, Any]]] = {}
        for f in abp.fixtures:
            self._add_fixture(f, overlay)
        for m in overlay.extra_markets:
            self.markets[m.market_id] = {
                "marketId": m.market_id,
                "sportId": m.sport_id,
                "marketName": m.market_name,
                "marketNameShort": m.market_name_short,
                "marketType": m.market_type,
                "period": m.period,
                "handicap": m.handicap,
                "outcomes": [
                    {"outcomeId": o.outcome_id, "outcomeName": o.outcome_name} for o in m.outcomes
                ],
            }
        for s in overlay.bookmaker_state:
            self.state[(s.fixture_id, s.bookmaker)] = {
                "staleOdds": s.stale_odds,
                "suspended": s.suspended,
                "participantsRotated": s.participants_rotated,
            }
        self._moves = sorted([*abp.moves, *overlay.moves], key=lambda m: m.after)
        self._next_move = 0
        self._record_history(overlay)

    # -- building --------------------------------------------------------------------------------

    def _add_fixture(self, f: Any, overlay: Overlay) -> None:
        self.tournaments.setdefault(
            f.tournament_id,
            {
                "tournamentId": f.tournament_id,
                "tournamentName": f.tournament_name,
                "sportId": f.sport_id,
                "categoryName": f.category_name,
                "upcomingFixtures": 0,
                "liveFixtures": 0,
            },
        )
        self.tournaments[f.tournament_id]["upcomingFixtures"] += 1
        for pid, name in (
            (f.participant1_id, f.participant1_name),
            (f.participant2_id, f.participant2_name),
        ):
            self.participants[pid] = {
                "participantId": pid,
                "participantName": name,
                "sportId": f.sport_id,
            }
        external: dict[str, Any] = {}
        if f.fixture_id in overlay.pinnacle_ids:
            external["pinnacleId"] = overlay.pinnacle_ids[f.fixture_id]
        self.fixtures[f.fixture_id] = {
            "fixtureId": f.fixture_id,
            "status": {
                "live": f.status_id == 1,
                "statusId": f.status_id,
                "statusName": _STATUS[f.status_id],
            },
            "sport": {"sportId": f.sport_id, "sportName": f.sport_name},
            "tournament": {
                "tournamentId": f.tournament_id,
                "tournamentName": f.tournament_name,
                "categoryName": f.category_name,
            },
            "participants": {
                "participant1Id": f.participant1_id,
                "participant1Name": f.participant1_name,
                "participant2Id": f.participant2_id,
                "participant2Name": f.participant2_name,
            },
            "startTime": int(self._start_wall + f.starts_in),
            "externalProviders": external,
        }
        now_ms = int(self._start_wall * 1000)
        for m in f.markets:
            market = self.markets.setdefault(
                m.market_id,
                {
                    "marketId": m.market_id,
                    "sportId": f.sport_id,
                    "marketName": m.market_name,
                    "marketNameShort": m.market_name_short,
                    "marketType": m.market_type,
                    "period": m.period,
                    "handicap": m.handicap,
                    "outcomes": [],
                },
            )
            if all(o["outcomeId"] != m.outcome_id for o in market["outcomes"]):
                market["outcomes"].append(
                    {"outcomeId": m.outcome_id, "outcomeName": m.outcome_name}
                )
                market["outcomes"].sort(key=lambda o: o["outcomeId"])
            lays = {q.bookmaker: (q.price, q.limit) for q in m.quotes if not q.back}
            for q in m.quotes:
                if not q.back:  # an exchange's lay side: in its back quote's meta (below)
                    continue
                quote = SimQuote(
                    f.fixture_id,
                    q.bookmaker,
                    m.outcome_id,
                    m.player_id,
                    m.market_id,
                    q.price,
                    q.limit,
                    q.active,
                    now_ms,
                    lay=lays.get(q.bookmaker),
                )
                self.quotes[quote.odds_id] = quote

    def _record_history(self, overlay: Overlay) -> None:
        """Ticks before the start: a seeded walk that ends at each quote's current price."""
        spec = overlay.history
        for oid, q in self.quotes.items():
            rng = random.Random(f"{spec.seed}:{oid}")
            price = q.price
            ticks = [(q.changed_at, q.price, q.limit, q.active)]
            for i in range(1, spec.ticks):
                price = max(1.01, round(price + rng.choice((-0.02, -0.01, 0.01, 0.02)), 2))
                ticks.append((q.changed_at - int(i * spec.spacing * 1000), price, q.limit, True))
            q.history = ticks[::-1]

    # -- time ------------------------------------------------------------------------------------

    def elapsed(self) -> float:
        return self.clock.monotonic() - self._started

    def now_ms(self) -> int:
        return int(self.clock.time() * 1000)

    def advance(self) -> list[SimQuote]:
        """Apply every move now due; return the quotes that changed (in order)."""
        changed: list[SimQuote] = []
        with self._lock:
            elapsed = self.elapsed()
            while (
                self._next_move < len(self._moves) and self._moves[self._next_move].after <= elapsed
            ):
                move = self._moves[self._next_move]
                self._next_move += 1
                quote = self._apply(move)
                if quote is not None:
                    changed.append(quote)
            listeners = list(self._listeners)
        for quote in changed:
            for listener in listeners:
                listener(quote)
        return changed

    def _apply(self, move: MoveSpec) -> SimQuote | None:
        if not move.back:
            return None
        oid = f"{move.fixture_id}:{move.bookmaker}:{move.outcome_id}:{move.player_id}"
        quote = self.quotes.get(oid)
        if quote is None:
            return None
        when = int((self._start_wall + move.after) * 1000)
        self._set(quote, move.price, move.limit, move.active, when)
        return quote

    def _set(
        self,
        quote: SimQuote,
        price: float | None,
        limit: float | None,
        active: bool | None,
        when: int,
    ) -> None:
        if price is not None:
            quote.price = price
        if limit is not None:
            quote.limit = limit
        if active is not None:
            quote.active = active
        quote.changed_at = max(when, quote.changed_at + 1)
        quote.history.append((quote.changed_at, quote.price, quote.limit, quote.active))

    def move(
        self,
        odds_id: str,
        *,
        price: float | None = None,
        limit: float | None = None,
        active: bool | None = None,
    ) -> SimQuote:
        """Move one quote now (tests, demos); listeners hear of it."""
        with self._lock:
            quote = self.quotes[odds_id]
            self._set(quote, price, limit, active, self.now_ms())
            listeners = list(self._listeners)
        for listener in listeners:
            listener(quote)
        return quote

    def withdraw(self, odds_id: str) -> SimQuote:
        """Take one quote off the venue now (a bookmaker stops pricing the outcome): REST
        snapshots no longer carry it and the stream sends nothing for it, as OddsPapi does."""
        with self._lock:
            return self.quotes.pop(odds_id)

    def set_state(self, fixture_id: str, bookmaker: str, **flags: bool) -> None:
        """Set ``staleOdds``/``suspended``/``participantsRotated`` of a bookmaker on a fixture."""
        with self._lock:
            self.state.setdefault((fixture_id, bookmaker), {}).update(flags)

    def settle(self, fixture_id: str, results: dict[int, str]) -> None:
        """Grade outcomes (WIN, LOSE, ...): ``/fixtures/settlement`` answers them."""
        with self._lock:
            self.settlements[fixture_id] = [
                {"outcomeId": o, "playerId": 0, "result": r} for o, r in sorted(results.items())
            ]

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every quote that moves; returns the unsubscribe function.
        The live stream (``ws.py``) hangs here."""
        with self._lock:
            self._listeners.append(listener)

        def stop() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return stop

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    def bookmaker_state(self, fixture_id: str, bookmaker: str) -> dict[str, Any]:
        flags = self.state.get((fixture_id, bookmaker), {})
        return {
            "hasOdds": True,
            "staleOdds": flags.get("staleOdds", False),
            "suspended": flags.get("suspended", False),
            "participantsRotated": flags.get("participantsRotated", False),
            "bookmakerFixtureId": f"{bookmaker}-{fixture_id[-8:]}",
        }


_STATUS = {0: "Pre-Game", 1: "Live", 2: "Finished", 3: "Cancelled"}
