"""OddsPapi v5 wire types: msgspec Structs, camelCase on the wire, snake_case in Python.

Why Structs with defaults everywhere: OddsPapi leaves fields *absent* rather than null, and adds
fields by class of object; a missing optional field decodes to ``None`` and an unknown one is
ignored, while a field of the wrong type is refused (:class:`~wagerkit.errors.ProtocolError` at
the client). Times keep the venue's units and say so: schedule times in Unix **seconds**
(``start_time``), odds times in Unix **milliseconds** (``changed_at``).

Where the vendor documents no shape (fixture odds, CLV, mapping, settlement), the shapes follow
the historical-odds layout ``odds[bookmaker][oddsId]`` (the same nesting as ABP's betslip): see
the README, "OddsPapi: where the docs are silent". The simulator serves exactly these.
"""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = [
    "Bookmaker",
    "BookmakerFixture",
    "ClvLine",
    "Currency",
    "ExternalProviders",
    "Fixture",
    "FixtureClv",
    "FixtureMapping",
    "FixtureOdds",
    "FixtureSettlement",
    "FixtureStatus",
    "HistoricalOdds",
    "HistoricalQuote",
    "Market",
    "OddsEnvelope",
    "OddsRow",
    "OddsUpdate",
    "Outcome",
    "Participant",
    "Participants",
    "Settlement",
    "SettlementResult",
    "Sport",
    "SportRef",
    "Tournament",
    "TournamentRef",
    "odds_id",
    "split_odds_id",
]

SETTLEMENT_RESULTS = ("WIN", "LOSE", "PUSH", "HALFWIN", "HALFLOSS", "CANCELLED", "UNDECIDED")
"""OddsPapi's own grading of an outcome (not ABP's WON/LOST/...)."""

SettlementResult = str


class _Wire(msgspec.Struct, rename="camel", frozen=True, gc=False):
    """Base of every OddsPapi value: camelCase keys, immutable, no GC tracking (no cycles).
    Encoding one (``--json``) writes every field, absent ones as null."""


def odds_id(fixture_id: str, bookmaker: str, outcome_id: int, player_id: int = 0) -> str:
    """``{fixtureId}:{bookmaker}:{outcomeId}:{playerId}``: OddsPapi's oddsId, which is also
    ABP's betslip market key."""
    return f"{fixture_id}:{bookmaker}:{outcome_id}:{player_id}"


def split_odds_id(value: str) -> tuple[str, str, int, int]:
    """(fixtureId, bookmaker, outcomeId, playerId) of an oddsId; ValueError when malformed."""
    fixture, bookmaker, outcome, player = value.rsplit(":", 3)
    return fixture, bookmaker, int(outcome), int(player)


# -- reference data ----------------------------------------------------------------------------


class Sport(_Wire, frozen=True):
    """One sport the key may see (``/sports``)."""

    sport_id: int
    sport_name: str
    slug: str | None = None


class Tournament(_Wire, frozen=True):
    """A tournament (league); ``category_name`` is the country or region."""

    tournament_id: int
    tournament_name: str
    sport_id: int
    tournament_slug: str | None = None
    category_name: str | None = None
    category_slug: str | None = None
    upcoming_fixtures: int | None = None
    live_fixtures: int | None = None


class Participant(_Wire, frozen=True):
    """A team or player."""

    participant_id: int
    participant_name: str
    sport_id: int | None = None
    abbreviation: str | None = None


class Outcome(_Wire, frozen=True):
    """One outcome of a market; outcome ids are frozen and the same at every bookmaker."""

    outcome_id: int
    outcome_name: str


class Market(_Wire, frozen=True):
    """One catalogue market. Each line is its own market: ``handicap`` holds the line (O/U 2.5
    and O/U 3.5 are two markets with two ids)."""

    market_id: int
    market_name: str
    sport_id: int
    outcomes: list[Outcome] = msgspec.field(default_factory=list)
    market_name_short: str | None = None
    market_type: str | None = None
    period: str | None = None
    handicap: float | None = None
    player_prop: bool = False


class Bookmaker(_Wire, frozen=True):
    """A bookmaker the key is entitled to; quote limits are in ``limit_currency``."""

    slug: str
    bookmaker_name: str | None = None
    limit_currency: str | None = None
    active: bool = True
    max_delay_prematch_in_sec: float | None = None
    max_delay_live_in_sec: float | None = None


class Currency(_Wire, frozen=True):
    """An exchange rate: ``currency_value`` units of ``currency`` per 1 USD (ABP's convention)."""

    currency: str
    currency_value: float
    updated_at: str | None = None


# -- fixtures ----------------------------------------------------------------------------------


class FixtureStatus(_Wire, frozen=True):
    """``status_id`` 0 not started, 1 live, 2 finished, 3 cancelled/postponed."""

    live: bool = False
    status_id: int = 0
    status_name: str | None = None


class SportRef(_Wire, frozen=True):
    sport_id: int
    sport_name: str | None = None


class TournamentRef(_Wire, frozen=True):
    tournament_id: int
    tournament_name: str | None = None
    category_name: str | None = None


class Participants(_Wire, frozen=True):
    participant1_id: int | None = None
    participant1_name: str | None = None
    participant2_id: int | None = None
    participant2_name: str | None = None


class ExternalProviders(_Wire, frozen=True):
    """Ids of the same fixture at other providers; ``pinnacle_id`` is Pinnacle's event id."""

    pinnacle_id: int | None = None
    betradar_id: int | None = None
    opticodds_id: str | None = None


class Fixture(_Wire, frozen=True):
    """A fixture; ``start_time`` in Unix seconds. ``fixture_id`` is opaque (never parse it)."""

    fixture_id: str
    status: FixtureStatus = FixtureStatus()
    sport: SportRef | None = None
    tournament: TournamentRef | None = None
    participants: Participants | None = None
    start_time: int | None = None
    true_start_time: str | None = None
    true_end_time: str | None = None
    external_providers: ExternalProviders | None = None
    has_odds: bool | None = None

    @property
    def name(self) -> str:
        """``Home v Away`` (or the fixture id when the participants are unknown)."""
        p = self.participants
        if p is None or not (p.participant1_name or p.participant2_name):
            return self.fixture_id
        return f"{p.participant1_name} v {p.participant2_name}"


# -- odds --------------------------------------------------------------------------------------


class OddsRow(_Wire, frozen=True):
    """One bookmaker quote. ``limit`` is the max stake in the bookmaker's ``limitCurrency``
    (from :class:`Bookmaker`); ``changed_at``/``bookmaker_changed_at`` are Unix ms."""

    outcome_id: int
    price: float
    player_id: int = 0
    bookmaker: str | None = None
    market_id: int | None = None
    active: bool = True
    market_active: bool = True
    main_line: bool | None = None
    limit: float | None = None
    changed_at: int | None = None
    bookmaker_changed_at: int | None = None
    bookmaker_market_id: str | None = None
    bookmaker_outcome_id: str | None = None
    price_fractional: str | None = None
    price_american: float | None = None
    betslip: str | None = None
    meta: dict[str, Any] | None = None


class BookmakerFixture(_Wire, frozen=True):
    """One bookmaker's state on one fixture. ``stale_odds`` or ``suspended`` means its quotes
    must not be offered as live; ``participants_rotated`` means it lists home/away swapped."""

    has_odds: bool = True
    stale_odds: bool = False
    suspended: bool = False
    participants_rotated: bool = False
    bookmaker_fixture_id: str | None = None


class FixtureOdds(_Wire, frozen=True):
    """``/fixtures/odds`` (and each item of ``/fixtures/odds/main``): ``odds[bookmaker][oddsId]``
    beside the per-bookmaker state ``bookmakers[bookmaker]``."""

    fixture_id: str
    bookmakers: dict[str, BookmakerFixture] = msgspec.field(default_factory=dict)
    odds: dict[str, dict[str, OddsRow]] = msgspec.field(default_factory=dict)


class OddsUpdate(_Wire, frozen=True):
    """The payload of one ``odds`` stream entry: the latest state of one quote."""

    fixture_id: str
    bookmaker: str
    outcome_id: int
    price: float
    player_id: int = 0
    market_id: int | None = None
    limit: float | None = None
    active: bool = True
    market_active: bool = True
    stale_odds: bool = False
    suspended: bool = False
    changed_at: int | None = None


class OddsEnvelope(_Wire, frozen=True):
    """A stream frame ``{channel, type, payload, ts, entryId}``; ``entry_id`` is
    ``"<ms>-<seq>"`` (a cursor, not a delivery guarantee)."""

    channel: str
    payload: OddsUpdate
    type: str = "UPDATE"
    ts: int | None = None
    entry_id: str | None = None


class ClvLine(_Wire, frozen=True):
    """Opening and closing price of one oddsId (closing-line value)."""

    odds_id: str
    opening_price: float | None = None
    opening_changed_at: int | None = None
    closing_price: float | None = None
    closing_changed_at: int | None = None


class FixtureClv(_Wire, frozen=True):
    fixture_id: str
    lines: list[ClvLine] = msgspec.field(default_factory=list)


class HistoricalQuote(_Wire, frozen=True):
    """One recorded tick (its time is the key it is stored under, Unix ms as text)."""

    price: float
    limit: float | None = None
    active: bool = True


class HistoricalOdds(_Wire, frozen=True):
    """``/fixtures/odds/historical``: ``odds[bookmaker][oddsId][changedAtMs] = quote``."""

    fixture_id: str
    odds: dict[str, dict[str, dict[str, HistoricalQuote]]] = msgspec.field(default_factory=dict)


class FixtureMapping(_Wire, frozen=True):
    """``/fixtures/mapping``: the fixture's ids at each bookmaker and provider."""

    fixture_id: str
    bookmakers: dict[str, BookmakerFixture] = msgspec.field(default_factory=dict)
    external_providers: ExternalProviders | None = None


class Settlement(_Wire, frozen=True):
    """OddsPapi's grading of one outcome: one of :data:`SETTLEMENT_RESULTS`."""

    outcome_id: int
    result: str
    player_id: int = 0
    market_id: int | None = None


class FixtureSettlement(_Wire, frozen=True):
    fixture_id: str
    settlements: list[Settlement] = msgspec.field(default_factory=list)
