"""The simulated Pinnacle market: events, periods and prices that move, with ``since`` versions.

Prices live here as decimal odds and limits as USD max volumes. Time only moves through
:meth:`Market.advance_to`: ticks at fixed times (``tick_seconds``) each apply one seeded random
step, so the same scenario gives the same prices at the same time however the server is polled.
Every change stamps the changed period (or fixture) with a new global version; ``since=v``
returns what changed after ``v`` and ``last`` is the current version, as Pinnacle's feeds do.

Documented rules it follows (``bookmaker-facts.md`` §1.4): a changed period is sent whole; a
market missing from a sent period is no longer offered; a period past its cutoff drops out of
snapshots and appears once in a delta as ``{lineId, number, cutoff}``; an event whose periods are
all past cutoff drops out of odds snapshots.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Event", "Market", "Period", "Special", "iso", "to_team_side"]

_MAX_TICKS_PER_ADVANCE = 10_000
_LINE_HISTORY = 32


def iso(ts: float) -> str:
    """Epoch seconds as Pinnacle's ISO 8601 UTC text."""
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _r3(x: float) -> float:
    return round(x, 3)


def _price(p: float) -> float:
    return _r3(min(25.0, max(1.02, p)))


@dataclass
class Line:
    """A two-way line (spread, total or team total); ``alt`` is the altLineId (None = main)."""

    alt: int | None
    points: float
    a: float  # home / over
    b: float  # away / under
    max: float | None = None
    offered: bool = True


@dataclass
class Period:
    number: int
    line_id: int
    cutoff: float
    version: int
    status: int = 1
    moneyline: tuple[float, float, float | None] | None = None
    spreads: list[Line] = field(default_factory=list)
    totals: list[Line] = field(default_factory=list)
    team_home: list[Line] = field(default_factory=list)
    team_away: list[Line] = field(default_factory=list)
    max_spread: float = 2000.0
    max_moneyline: float = 1000.0
    max_total: float = 1500.0
    max_team_total: float = 500.0
    updated_at: float = 0.0
    closed: bool = False  # past cutoff: sent once as an empty period, then gone
    # lineId -> (score, prices by selection) for bets on an older lineId
    history: OrderedDict[int, tuple[tuple[int, int], dict[tuple[Any, ...], float]]] = field(
        default_factory=OrderedDict
    )


@dataclass
class Event:
    id: int
    sport_id: int
    league_id: int
    home: str
    away: str
    starts: float
    live: bool
    duration: float
    home_team_type: str
    version: int
    periods: dict[int, Period] = field(default_factory=dict)
    score: tuple[int, int] = (0, 0)  # (home, away), live only
    red_cards: tuple[int, int] = (0, 0)
    result: tuple[int, int] | None = None
    half_result: tuple[int, int] | None = None
    settle_at: float = 0.0
    settled: bool = False
    settled_at: float = 0.0
    settlement_id: int = 0
    settled_version: int = 0

    @property
    def open_periods(self) -> list[Period]:
        return [p for p in self.periods.values() if not p.closed]


@dataclass
class Contestant:
    id: int
    name: str
    rot_num: int
    line_id: int
    price: float | None
    handicap: float | None = None
    max: float | None = None


@dataclass
class Special:
    id: int
    sport_id: int
    league_id: int
    name: str
    category: str
    cutoff: float
    max_bet: float
    version: int
    contestants: list[Contestant] = field(default_factory=list)
    date: float = 0.0
    status: str = "O"


def to_team_side(team: str | None, home_team_type: str) -> str | None:
    """``TEAM1``/``Team1`` → ``home`` or ``away`` by the league's ``homeTeamType``;
    ``DRAW`` → ``draw``."""
    if team is None:
        return None
    t = team.upper()
    if t == "DRAW":
        return "draw"
    if t not in ("TEAM1", "TEAM2"):
        return None
    home_is_team1 = home_team_type.upper() == "TEAM1"
    return "home" if (t == "TEAM1") == home_is_team1 else "away"


class Market:
    """All events and specials of a scenario, moving with the clock."""

    def __init__(self, scenario: dict[str, Any], start: float) -> None:
        self.scenario = scenario
        self.start = start
        self.seed = int(scenario.get("seed", 7))
        self.tick_seconds = float(scenario.get("tick_seconds", 5.0))
        self.move_probability = float(scenario.get("move_probability", 0.5))
        self.version = 1_700_000_000_000
        self._line_id = 3_000_000_000
        self._alt_id = 4_000_000_000
        self._settlement_id = 9_000_000
        self.now = start
        self._next_tick = start + self.tick_seconds
        self._tick_index = 0
        self.sports: dict[int, dict[str, Any]] = {}
        self.leagues: dict[int, dict[str, Any]] = {}
        self.events: dict[int, Event] = {}
        self.specials: dict[int, Special] = {}
        rng = random.Random(self.seed)
        for sport in scenario.get("sports", []):
            sid = int(sport["id"])
            self.sports[sid] = sport
            for league in sport.get("leagues", []):
                lid = int(league["id"])
                self.leagues[lid] = {**league, "sportId": sid}
                for ev in league.get("events", []):
                    self._add_event(sid, league, ev, rng)
            for sp in sport.get("specials", []):
                self._add_special(sid, sp)
        self._close_past_cutoffs()

    # -- ids and versions --------------------------------------------------------------------

    def bump(self) -> int:
        self.version += 1
        return self.version

    def next_line_id(self) -> int:
        self._line_id += 1
        return self._line_id

    def _next_alt(self) -> int:
        self._alt_id += 1
        return self._alt_id

    # -- building ----------------------------------------------------------------------------

    def _add_event(
        self, sport_id: int, league: dict[str, Any], ev: dict[str, Any], rng: random.Random
    ) -> None:
        live = bool(ev.get("live", False))
        starts = self.start + float(ev.get("starts", 3600))
        duration = float(ev.get("duration", 6300))
        event = Event(
            id=int(ev["id"]),
            sport_id=sport_id,
            league_id=int(league["id"]),
            home=str(ev["home"]),
            away=str(ev["away"]),
            starts=starts,
            live=live,
            duration=duration,
            home_team_type=str(league.get("homeTeamType", "Team1")),
            version=self.bump(),
        )
        if live and "score" in ev:
            event.score = (int(ev["score"][0]), int(ev["score"][1]))
        result = ev.get("result")
        event.result = (
            (int(result[0]), int(result[1])) if result else (rng.randint(0, 3), rng.randint(0, 3))
        )
        event.half_result = (
            min(event.result[0], rng.randint(0, 2)),
            min(event.result[1], rng.randint(0, 2)),
        )
        event.settle_at = starts + duration + float(ev.get("settle_after", 600))
        for number, scale in ((0, 1.0), (1, 0.5)):
            cutoff = starts + (duration * (0.5 if number == 1 else 1.0) if live else 0.0)
            event.periods[number] = self._new_period(number, cutoff, scale, rng)
        self.events[event.id] = event

    def _new_period(self, number: int, cutoff: float, scale: float, rng: random.Random) -> Period:
        p_home = rng.uniform(0.28, 0.52)
        p_draw = 0.26
        p_away = 1.0 - p_home - p_draw
        margin = 1.04
        period = Period(
            number=number,
            line_id=self.next_line_id(),
            cutoff=cutoff,
            version=self.bump(),
            moneyline=(
                _price(1 / (p_home * margin)),
                _price(1 / (p_away * margin)),
                _price(1 / (p_draw * margin)),
            ),
            max_spread=2000.0 * scale,
            max_moneyline=1000.0 * scale,
            max_total=1500.0 * scale,
            max_team_total=500.0 * scale,
            updated_at=self.start,
        )
        hdp = -0.25 if p_home > p_away else 0.25
        period.spreads = [
            Line(None, hdp, _price(rng.uniform(1.85, 2.05)), _price(rng.uniform(1.85, 2.05))),
            Line(
                self._next_alt(),
                hdp - 0.5,
                _price(rng.uniform(2.3, 2.6)),
                _price(rng.uniform(1.5, 1.7)),
                500.0 * scale,
            ),
            Line(
                self._next_alt(),
                hdp + 0.5,
                _price(rng.uniform(1.5, 1.7)),
                _price(rng.uniform(2.3, 2.6)),
                500.0 * scale,
            ),
        ]
        total = 2.5 if number == 0 else 1.0
        period.totals = [
            Line(None, total, _price(rng.uniform(1.85, 2.05)), _price(rng.uniform(1.85, 2.05))),
            Line(
                self._next_alt(),
                total - 0.25,
                _price(rng.uniform(1.6, 1.8)),
                _price(rng.uniform(2.0, 2.3)),
                400.0 * scale,
            ),
            Line(
                self._next_alt(),
                total + 0.25,
                _price(rng.uniform(2.0, 2.3)),
                _price(rng.uniform(1.6, 1.8)),
                None,
            ),
        ]
        period.team_home = [
            Line(
                None,
                1.5 if number == 0 else 0.5,
                _price(rng.uniform(1.8, 2.1)),
                _price(rng.uniform(1.8, 2.1)),
            )
        ]
        period.team_away = [
            Line(
                None,
                1.0 if number == 0 else 0.5,
                _price(rng.uniform(1.8, 2.1)),
                _price(rng.uniform(1.8, 2.1)),
            ),
            Line(
                self._next_alt(), 1.5, _price(rng.uniform(2.2, 2.6)), _price(rng.uniform(1.5, 1.7))
            ),
        ]
        self._remember(period, (0, 0))
        return period

    def _add_special(self, sport_id: int, sp: dict[str, Any]) -> None:
        special = Special(
            id=int(sp["id"]),
            sport_id=sport_id,
            league_id=int(sp["leagueId"]),
            name=str(sp.get("name", "")),
            category=str(sp.get("category", "")),
            cutoff=self.start + float(sp.get("cutoff", 86400)),
            max_bet=float(sp.get("maxBet", 500.0)),
            version=self.bump(),
            date=self.start + float(sp.get("cutoff", 86400)),
        )
        for i, c in enumerate(sp.get("contestants", [])):
            special.contestants.append(
                Contestant(
                    id=int(c["id"]),
                    name=str(c["name"]),
                    rot_num=100 + i,
                    line_id=self.next_line_id(),
                    price=float(c["price"]),
                    handicap=c.get("handicap"),
                    max=c.get("max"),
                )
            )
        self.specials[special.id] = special

    # -- prices by selection -----------------------------------------------------------------

    @staticmethod
    def selections(period: Period) -> dict[tuple[Any, ...], float]:
        """Every priced selection of a period: key ``(betType, altLineId, side-or-team)``."""
        out: dict[tuple[Any, ...], float] = {}
        if period.moneyline is not None:
            h, a, d = period.moneyline
            out[("MONEYLINE", None, "home")] = h
            out[("MONEYLINE", None, "away")] = a
            if d is not None:
                out[("MONEYLINE", None, "draw")] = d
        for line in period.spreads:
            if line.offered:
                out[("SPREAD", line.alt, "home")] = line.a
                out[("SPREAD", line.alt, "away")] = line.b
        for line in period.totals:
            if line.offered:
                out[("TOTAL_POINTS", line.alt, "OVER")] = line.a
                out[("TOTAL_POINTS", line.alt, "UNDER")] = line.b
        for side, lines in (("home", period.team_home), ("away", period.team_away)):
            for line in lines:
                if line.offered:
                    out[("TEAM_TOTAL_POINTS", line.alt, side, "OVER")] = line.a
                    out[("TEAM_TOTAL_POINTS", line.alt, side, "UNDER")] = line.b
        return out

    def _remember(self, period: Period, score: tuple[int, int]) -> None:
        period.history[period.line_id] = (score, self.selections(period))
        while len(period.history) > _LINE_HISTORY:
            period.history.popitem(last=False)

    def find_line(
        self, period: Period, bet_type: str, alt: int | None, hdp: float | None = None
    ) -> Line | None:
        """The offered line of ``bet_type`` with this altLineId (or, when ``hdp`` is given and
        ``alt`` is None, with this handicap/points, main or alternate)."""
        pool = {"SPREAD": period.spreads, "TOTAL_POINTS": period.totals}.get(bet_type, [])
        for line in pool:
            if not line.offered:
                continue
            if hdp is None and line.alt == alt:
                return line
            if hdp is not None and math.isclose(line.points, hdp):
                return line
        return None

    # -- time --------------------------------------------------------------------------------

    def advance_to(self, now: float) -> None:
        """Apply every tick due by ``now``, then close periods past cutoff."""
        if now <= self.now:
            return
        due = int((now - self._next_tick) // self.tick_seconds) + 1 if now >= self._next_tick else 0
        if due > _MAX_TICKS_PER_ADVANCE:  # a long jump: skip the oldest ticks (bounded CPU)
            skip = due - _MAX_TICKS_PER_ADVANCE
            self._tick_index += skip
            self._next_tick += skip * self.tick_seconds
        while self._next_tick <= now:
            self.now = self._next_tick
            self._tick(self._tick_index)
            self._tick_index += 1
            self._next_tick += self.tick_seconds
        self.now = now
        self._close_past_cutoffs()

    def _close_past_cutoffs(self) -> None:
        for event in self.events.values():
            for period in event.periods.values():
                if not period.closed and period.cutoff <= self.now:
                    period.closed = True
                    period.version = self.bump()
        for special in self.specials.values():
            if special.status != "H" and special.cutoff <= self.now:
                special.status = "H"
                special.version = self.bump()

    def _tick(self, index: int) -> None:
        rng = random.Random(self.seed * 1_000_003 + index)
        for event_id in sorted(self.events):
            event = self.events[event_id]
            if event.settled:
                continue
            if event.live and event.starts <= self.now and rng.random() < 0.02:
                scorer = rng.randrange(2)
                event.score = (event.score[0] + (scorer == 0), event.score[1] + (scorer == 1))
                for period in event.open_periods:
                    self.touch(period, event)
            for number in sorted(event.periods):
                period = event.periods[number]
                if (
                    period.closed
                    or period.cutoff <= self.now
                    or rng.random() >= self.move_probability
                ):
                    continue
                self._move(period, rng)
                self.touch(period, event)
        for special_id in sorted(self.specials):
            special = self.specials[special_id]
            if special.status == "H" or rng.random() >= self.move_probability / 2:
                continue
            c = special.contestants[rng.randrange(len(special.contestants))]
            if c.price is not None:
                c.price = _price(c.price * rng.uniform(0.97, 1.03))
                c.line_id = self.next_line_id()
                special.version = self.bump()

    def touch(self, period: Period, event: Event) -> None:
        """Mark a period changed: new lineId, new version, remembered prices."""
        period.line_id = self.next_line_id()
        period.version = self.bump()
        period.updated_at = self.now
        self._remember(period, event.score)

    @staticmethod
    def _move(period: Period, rng: random.Random) -> None:
        roll = rng.random()
        if roll < 0.03:
            period.status = 2 if period.status == 1 else 1
            return
        if roll < 0.10:  # an alternate total comes and goes: "missing market = not offered"
            alt = period.totals[-1]
            alt.offered = not alt.offered
            return
        if roll < 0.40 and period.moneyline is not None:
            h, a, d = period.moneyline
            step = rng.uniform(-0.06, 0.06)
            period.moneyline = (_price(h + step), _price(a - step), d)
            return
        lines = period.spreads if roll < 0.70 else period.totals
        line = lines[rng.randrange(len(lines))]
        step = rng.uniform(-0.05, 0.05)
        line.a, line.b = _price(line.a + step), _price(line.b - step)
