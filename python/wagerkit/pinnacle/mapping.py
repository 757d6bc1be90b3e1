"""From Pinnacle odds to Pinnacle bets, and from Pinnacle prices and limits to an engine Book.

The rules (Pinnacle's "Getting Started" and FAQ, ``bookmaker-facts.md`` §1.4):

- odds speak ``home``/``away``; bets speak ``TEAM1``/``TEAM2`` (``/v1/line`` and parlay lines:
  ``Team1``/``Team2``). Which is which comes from the league's ``homeTeamType``: with
  ``homeTeamType="Team1"`` home is TEAM1, with ``"Team2"`` home is TEAM2. A draw is ``DRAW``.
- a period is open for betting when its ``status`` is 1, its ``cutoff`` is in the future and the
  market is priced (before 2018 the fixture status O/I was the test; that field is deprecated);
- limits in odds are max *volume*: for a decimal price above 2 the max risk equals it, otherwise
  max risk = volume / (price − 1); an alternate line's own ``max`` overrides the period's;
- limits in a currency other than USD are floored to whole units (Pinnacle's rule), and every
  stake handed to the engine is rounded *down* to the minor unit, so no limit is ever exceeded.

Limit arithmetic is exact: each float is read as the decimal it was written as (its shortest
form, like the engine's ``to_minor``), the volume rule runs on fractions, and the one rounding
is the final floor to the minor unit. In floats, 3 EUR of max risk at 1.7 came back from the
volume as 2.9999999999999996 and was floored to 2 EUR: a unit lost on about one (risk, price)
pair in twenty.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from wagerkit._core import Book, convert_odds, currency_exponent
from wagerkit.errors import InvalidInput
from wagerkit.pinnacle.codes import OddsFormatName
from wagerkit.pinnacle.models import LineResponse, OddsPeriod, OddsTeamTotal

__all__ = [
    "BOOKMAKER",
    "PinnacleQuote",
    "Selection",
    "bet_team",
    "exact",
    "fill_book",
    "is_open",
    "limit_minor",
    "line_team",
    "max_risk",
    "max_risk_exact",
    "quote_from_line",
    "quotes",
    "register_account",
    "update_book",
]

BOOKMAKER = "pinnacle"
Side = Literal["home", "away", "draw", "over", "under"]
BetType = Literal["MONEYLINE", "SPREAD", "TOTAL_POINTS", "TEAM_TOTAL_POINTS"]


def _team(side: str, home_team_type: str | None) -> int | None:
    if side == "draw":
        return None
    if side not in ("home", "away"):
        raise InvalidInput(f"side must be home, away or draw, got {side!r}", field="side")
    htt = (home_team_type or "").strip().lower()
    if htt not in ("team1", "team2"):
        raise InvalidInput(
            f"homeTeamType must be Team1 or Team2, got {home_team_type!r}", field="home_team_type"
        )
    home_is_1 = htt == "team1"
    return 1 if (side == "home") == home_is_1 else 2


def bet_team(side: str, home_team_type: str | None) -> str:
    """``home``/``away``/``draw`` → the Bets API's ``TEAM1``/``TEAM2``/``DRAW``."""
    n = _team(side, home_team_type)
    return "DRAW" if n is None else f"TEAM{n}"


def line_team(side: str, home_team_type: str | None) -> str:
    """``home``/``away``/``draw`` → ``/v1/line``'s ``Team1``/``Team2``/``Draw``."""
    n = _team(side, home_team_type)
    return "Draw" if n is None else f"Team{n}"


def _ts(when: dt.datetime | float | None) -> float | None:
    if when is None:
        return None
    if isinstance(when, dt.datetime):
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        return when.timestamp()
    return float(when)


def is_open(period: OddsPeriod, now: dt.datetime | float, *, priced: bool = True) -> bool:
    """Pinnacle's open-for-betting rule: ``status`` 1, cutoff in the future, market priced."""
    cutoff = _ts(period.cutoff)
    current = _ts(now)
    assert current is not None
    return period.status == 1 and cutoff is not None and cutoff > current and priced


def exact(value: float | int, field: str = "amount") -> Fraction:
    """``value`` as the exact decimal it was written as (a float's shortest form: ``0.7`` is
    7/10, not the binary neighbour), so money arithmetic on it loses nothing."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInput(f"{field} must be a number, got {value!r}", field=field)
    if not math.isfinite(value):
        raise InvalidInput(f"{field} must be finite, got {value!r}", field=field)
    return Fraction(Decimal(repr(float(value)))) if isinstance(value, float) else Fraction(value)


def max_risk_exact(max_volume: float, decimal_price: float) -> Fraction:
    """:func:`max_risk` as an exact fraction (no rounding at all)."""
    if not decimal_price > 1:
        raise InvalidInput(f"decimal price must be > 1, got {decimal_price!r}", field="price")
    volume = exact(max_volume, "max_volume")
    return volume if decimal_price > 2 else volume / (exact(decimal_price, "price") - 1)


def max_risk(max_volume: float, decimal_price: float) -> float:
    """Max risk from a max volume: ``volume`` when the decimal price is above 2, else
    ``volume / (price - 1)`` (Pinnacle FAQ); the nearest float to the exact value, for
    display. Limits use :func:`max_risk_exact` through :func:`limit_minor`."""
    return float(max_risk_exact(max_volume, decimal_price))


def limit_minor(amount: float | Fraction, currency: str) -> int:
    """A Pinnacle limit in ``currency`` minor units, never above the limit: floored to whole
    units for non-USD currencies (Pinnacle's rule), then rounded down to the minor unit. A
    float is read exactly (:func:`exact`); a :class:`~fractions.Fraction` is used as is, so a
    computed limit is rounded once, here."""
    value = amount if isinstance(amount, Fraction) else exact(amount)
    if currency != "USD":
        value = Fraction(math.floor(value))
    return math.floor(value * Fraction(10) ** currency_exponent(currency))


@dataclass(frozen=True, slots=True)
class Selection:
    """One bettable outcome of an odds period, in odds terms (``home``/``away``/``over``...).

    ``team_side`` is the team of a team total; ``points`` is the home handicap (spreads) or the
    points (totals); ``alt_line_id`` is set only for alternate lines.
    """

    sport_id: int
    league_id: int
    event_id: int
    period_number: int
    bet_type: BetType
    side: Side
    points: float | None = None
    alt_line_id: int | None = None
    team_side: Literal["home", "away"] | None = None

    @property
    def outcome_id(self) -> str:
        """A stable id for the outcome, usable in an engine Book key (no ``:``)."""
        alt = self.alt_line_id if self.alt_line_id is not None else "main"
        team = f"{self.team_side}-" if self.team_side else ""
        pts = "" if self.points is None else f"{self.points:g}"
        return f"p{self.period_number}-{self.bet_type}-{team}{self.side}-{pts}-{alt}"

    def handicap(self) -> float | None:
        """The bettor's handicap for ``/v1/line``: the home hdp for home, its negation for
        away, the points for totals."""
        if self.points is None:
            return None
        if self.bet_type == "SPREAD" and self.side == "away":
            return -self.points
        return self.points

    def bet_fields(self, home_team_type: str | None) -> dict[str, object]:
        """The selection part of :meth:`AsyncPinnacleClient.place_straight`'s arguments
        (without ``line_id`` and ``stake``)."""
        fields: dict[str, object] = {
            "sport_id": self.sport_id,
            "event_id": self.event_id,
            "period_number": self.period_number,
            "bet_type": self.bet_type,
            "alt_line_id": self.alt_line_id,
        }
        if self.bet_type in ("MONEYLINE", "SPREAD"):
            fields["team"] = bet_team(self.side, home_team_type)
        elif self.bet_type == "TOTAL_POINTS":
            fields["side"] = self.side.upper()
        else:
            assert self.team_side is not None
            fields["team"] = bet_team(self.team_side, home_team_type)
            fields["side"] = self.side.upper()
        return fields

    def line_fields(self, home_team_type: str | None) -> dict[str, object]:
        """The arguments of :meth:`AsyncPinnacleClient.line` for this selection."""
        fields: dict[str, object] = {
            "sport_id": self.sport_id,
            "league_id": self.league_id,
            "event_id": self.event_id,
            "period_number": self.period_number,
            "bet_type": self.bet_type,
            "handicap": self.handicap(),
        }
        if self.bet_type in ("MONEYLINE", "SPREAD"):
            fields["team"] = line_team(self.side, home_team_type)
        elif self.bet_type == "TOTAL_POINTS":
            fields["side"] = self.side.upper()
        else:
            assert self.team_side is not None
            fields["team"] = line_team(self.team_side, home_team_type)
            fields["side"] = self.side.upper()
        return fields


@dataclass(frozen=True, slots=True)
class PinnacleQuote:
    """A price and its limits: ``price`` in decimal odds, ``max_volume``/``max_risk`` in the
    currency the odds were requested in (``toCurrencyCode``), ``open`` per the betting rules.

    ``quoted_max_risk`` is set for a quote from ``/v1/line``, which gives the max *risk*
    itself: it is the limit as is (``max_volume`` is then derived from it, for display only),
    never converted to a volume and back.
    """

    selection: Selection
    line_id: int
    price: float
    max_volume: float | None
    open: bool
    quoted_max_risk: float | None = None

    @property
    def max_risk(self) -> float | None:
        if self.quoted_max_risk is not None:
            return self.quoted_max_risk
        return None if self.max_volume is None else max_risk(self.max_volume, self.price)

    def max_risk_minor(self, currency: str) -> int | None:
        """The max risk in minor units of ``currency`` (the currency the limits are in),
        computed exactly and rounded down once (:func:`limit_minor`)."""
        if self.quoted_max_risk is not None:
            return limit_minor(self.quoted_max_risk, currency)
        if self.max_volume is None:
            return None
        return limit_minor(max_risk_exact(self.max_volume, self.price), currency)


def _decimal(value: float, odds_format: OddsFormatName) -> float:
    return value if odds_format == "decimal" else convert_odds(value, odds_format, "decimal")


def quotes(
    sport_id: int,
    league_id: int,
    event_id: int,
    period: OddsPeriod,
    *,
    now: dt.datetime | float,
    odds_format: OddsFormatName = "decimal",
) -> Iterator[PinnacleQuote]:
    """Every priced selection of a period, prices converted to decimal by the engine.

    A period without a line id or a number (both optional in the spec) cannot be bet on."""
    if period.line_id is None or period.number is None:
        return
    period_open = is_open(period, now)
    line_id = period.line_id
    number: int = period.number  # not None: checked above
    out: list[PinnacleQuote] = []

    def add(
        bet_type: BetType,
        side: Side,
        price: float | None,
        volume: float | None,
        points: float | None = None,
        alt: int | None = None,
        team_side: Literal["home", "away"] | None = None,
    ) -> None:
        if price is None:
            return
        sel = Selection(
            sport_id, league_id, event_id, number, bet_type, side, points, alt, team_side
        )
        out.append(PinnacleQuote(sel, line_id, _decimal(price, odds_format), volume, period_open))

    ml = period.moneyline
    if ml is not None:
        add("MONEYLINE", "home", ml.home, period.max_moneyline)
        add("MONEYLINE", "away", ml.away, period.max_moneyline)
        add("MONEYLINE", "draw", ml.draw, period.max_moneyline)
    for sp in period.spreads or []:
        volume = sp.max if sp.alt_line_id is not None and sp.max is not None else period.max_spread
        add("SPREAD", "home", sp.home, volume, sp.hdp, sp.alt_line_id)
        add("SPREAD", "away", sp.away, volume, sp.hdp, sp.alt_line_id)
    for t in period.totals or []:
        volume = t.max if t.alt_line_id is not None and t.max is not None else period.max_total
        add("TOTAL_POINTS", "over", t.over, volume, t.points, t.alt_line_id)
        add("TOTAL_POINTS", "under", t.under, volume, t.points, t.alt_line_id)
    tt = period.team_total
    if tt is not None:
        sides: tuple[tuple[Literal["home", "away"], list[OddsTeamTotal]], ...] = (
            ("home", tt.home or []),
            ("away", tt.away or []),
        )
        for team_side, rows in sides:
            for r in rows:
                vol = period.max_team_total
                add("TEAM_TOTAL_POINTS", "over", r.over, vol, r.points, r.alt_line_id, team_side)
                add("TEAM_TOTAL_POINTS", "under", r.under, vol, r.points, r.alt_line_id, team_side)
    yield from out


def quote_from_line(
    selection: Selection, line: LineResponse, *, odds_format: OddsFormatName = "decimal"
) -> PinnacleQuote | None:
    """A quote from ``/v1/line`` (exact max *risk*, already in the client currency); ``None``
    for ``NOT_EXISTS``."""
    if line.status != "SUCCESS" or line.price is None or line.line_id is None:
        return None
    price = _decimal(line.price, odds_format)
    risk = line.max_risk_stake
    volume = None
    if risk is not None:  # the volume is for display; the limit is the quoted risk itself
        volume = risk if price > 2 else float(exact(risk) * (exact(price) - 1))
    return PinnacleQuote(selection, line.line_id, price, volume, True, quoted_max_risk=risk)


def register_account(
    book: Book,
    account: str,
    currency: str,
    *,
    balance: int | None = None,
    priority: int = 0,
    min_stake: int | None = None,
) -> None:
    """Register a Pinnacle account in an engine Book (``balance``/``min_stake`` in minor units
    of ``currency``, the account currency)."""
    book.set_account(
        account, BOOKMAKER, currency, priority=priority, balance=balance, min_stake=min_stake
    )


def _limit(quote: PinnacleQuote, currency: str) -> int:
    risk = quote.max_risk_minor(currency)
    return 0 if risk is None else risk


def fill_book(
    book: Book,
    quote: PinnacleQuote,
    *,
    account: str,
    currency: str,
    fixture_id: str | int | None = None,
    outcome_id: str | None = None,
    player_id: str = "0",
) -> int:
    """Upsert one Pinnacle quote into ``book`` and return its slot.

    The price is decimal; the limit is the max risk in the account ``currency`` (the currency
    the odds were requested in), in minor units, rounded down. Pass the ABP ``fixture_id`` /
    ``outcome_id`` to put Pinnacle in the same book as an ABP betslip's selection; by default
    the Pinnacle event id and :attr:`Selection.outcome_id` are used. A closed period gives an
    inactive quote.
    """
    fixture = fixture_id if fixture_id is not None else quote.selection.event_id
    outcome = outcome_id if outcome_id is not None else quote.selection.outcome_id
    key = f"{fixture}:{BOOKMAKER}:{outcome}:{player_id}"
    return book.upsert(key, account, quote.price, _limit(quote, currency), None, quote.open)


def update_book(book: Book, slot: int, quote: PinnacleQuote, currency: str) -> None:
    """Move a quote already in the book (the hot path after a feed delta)."""
    book.update(slot, quote.price, _limit(quote, currency), None, quote.open)
