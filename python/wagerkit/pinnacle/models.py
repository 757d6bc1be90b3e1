"""Pinnacle wire objects (Lines API, Bets API v4, Customer API) as msgspec Structs.

One Struct per object of the current official specs (in ``tests/pinnacle/specs/``:
``pinnacle-lines-api.yaml``, ``pinnacle-bets-api-v4.yaml``, ``pinnacle-customer-api.yaml``),
named after the spec's schema where that name is clear. Rules that hold for all of them:

- the wire is camelCase, Python is snake_case (``rename="camel"``; ``max`` keeps its name);
- values are frozen; unknown fields are ignored, so a new field from Pinnacle never breaks a bot;
- types are strict: an ``int`` field refuses ``1.5`` or ``"1"``; a venue that sends garbage gets
  a :class:`~wagerkit.errors.ProtocolError`, not a half-decoded object;
- enum-like codes are ``str`` (constants in :mod:`wagerkit.pinnacle.codes`): Pinnacle adds codes
  over time and a new one must reach the caller instead of failing the decode;
- nearly every field is optional, as in the spec. Where the spec says *required* but Pinnacle's
  own documentation shows the field missing (a live-delay bet that is still
  ``PENDING_ACCEPTANCE`` has no ``betId``), the field is optional here and the docstring says so;
- every top-level response remembers the bytes it was decoded from: :meth:`Response.raw`.
"""

from __future__ import annotations

import datetime as dt
import weakref
from typing import Any, TypeVar

import msgspec

__all__ = [
    "BettingStatusResponse",
    "CancellationDetailsItem",
    "CancellationReason",
    "CancellationReasonLookup",
    "CancellationReasonsResponse",
    "ClientBalanceResponse",
    "CurrenciesResponse",
    "Currency",
    "ErrorResponse",
    "Fixture",
    "FixturesLeague",
    "FixturesResponse",
    "GetBetsResponse",
    "InRunningEvent",
    "InRunningLeague",
    "InRunningResponse",
    "InRunningSport",
    "League",
    "LeaguesResponse",
    "LineResponse",
    "LinesErrorResponse",
    "ManualBet",
    "OddsEvent",
    "OddsLeague",
    "OddsMoneyline",
    "OddsPeriod",
    "OddsResponse",
    "OddsSpread",
    "OddsTeamTotal",
    "OddsTeamTotals",
    "OddsTotal",
    "ParlayBet",
    "ParlayLeg",
    "ParlayLegRequest",
    "ParlayLegResponse",
    "ParlayLineLeg",
    "ParlayLineRequest",
    "ParlayLinesRequest",
    "ParlayLinesResponse",
    "ParlayLinesResponseV2",
    "PeriodsResponse",
    "PlaceBetRequest",
    "PlaceParlayBetRequest",
    "PlaceParlayBetResponse",
    "PlaceStraightBetResponse",
    "PlaceTeaserBetLegResponse",
    "PlaceTeaserBetRequest",
    "PlaceTeaserBetResponse",
    "Response",
    "RoundRobinOptionWithOdds",
    "SettledContestant",
    "SettledFixturesEvent",
    "SettledFixturesLeague",
    "SettledFixturesPeriod",
    "SettledFixturesResponse",
    "SettledSpecial",
    "SettledSpecialsLeague",
    "SettledSpecialsResponse",
    "SpecialBet",
    "SpecialBetRequest",
    "SpecialBetResponse",
    "SpecialBetsRequest",
    "SpecialBetsResponse",
    "SpecialFixture",
    "SpecialLineResponse",
    "SpecialOddsContestantLine",
    "SpecialOddsLeague",
    "SpecialOddsResponse",
    "SpecialOddsSpecial",
    "SpecialsFixturesContestant",
    "SpecialsFixturesEvent",
    "SpecialsFixturesLeague",
    "SpecialsFixturesResponse",
    "Sport",
    "SportPeriod",
    "SportsResponse",
    "StraightBet",
    "TeaserBet",
    "TeaserBetLeg",
    "TeaserGroup",
    "TeaserGroupsBetType",
    "TeaserGroupsLeague",
    "TeaserGroupsPayout",
    "TeaserGroupsResponse",
    "TeaserGroupsTeaser",
    "TeaserLeg",
    "TeaserLineLeg",
    "TeaserLineRequest",
    "TeaserLinesRequest",
    "TeaserLinesResponse",
    "TeaserOddsEvent",
    "TeaserOddsLeague",
    "TeaserOddsPeriod",
    "TeaserOddsResponse",
    "TeaserOddsSpread",
    "TeaserOddsTotalPoints",
    "decode",
]

R = TypeVar("R", bound="Response")


class Wire(msgspec.Struct, rename="camel", frozen=True, kw_only=True, omit_defaults=True, gc=False):
    """Base of every nested wire object: camelCase, frozen, no cycles (so no GC tracking)."""


_RAW: dict[int, bytes] = {}


def _forget(key: int) -> None:
    _RAW.pop(key, None)


class Response(
    msgspec.Struct, rename="camel", frozen=True, kw_only=True, omit_defaults=True, weakref=True
):
    """Base of every top-level response: it can hand back the exact bytes Pinnacle sent.

    The bytes live beside the object (keyed by identity, dropped when the object is collected)
    rather than in a field, so they never leak into equality, hashing or re-encoding.
    """

    def raw(self) -> bytes:
        """The response body this object was decoded from (``b""`` if built by hand)."""
        return _RAW.get(id(self), b"")

    def raw_json(self) -> Any:
        """The body as plain JSON values (dicts, lists), unknown fields included."""
        data = self.raw()
        return msgspec.json.decode(data) if data else msgspec.to_builtins(self)


_DECODERS: dict[type[Any], msgspec.json.Decoder[Any]] = {}


def decode(data: bytes, type_: type[R]) -> R:
    """Decode a response body into ``type_`` and remember the bytes (see :meth:`Response.raw`).

    Decoders are built once per type and reused. Raises :class:`msgspec.ValidationError` or
    :class:`msgspec.DecodeError`; the client turns those into ``ProtocolError``.
    """
    decoder = _DECODERS.get(type_)
    if decoder is None:
        decoder = _DECODERS[type_] = msgspec.json.Decoder(type_)
    obj: R = decoder.decode(data)
    key = id(obj)
    _RAW[key] = bytes(data)
    weakref.finalize(obj, _forget, key)
    return obj


# ============================================================================================
# Errors (every API)


class ErrorResponse(Response, frozen=True, kw_only=True):
    """4xx body of every API: ``code`` such as ``INVALID_REQUEST_DATA``, ``TOO_MANY_REQUESTS``.

    Also the body of a 500 (``ExtendedErrorResponse``/``ErrorResponseWithErrorRef``): then ``ref``
    is a GUID to quote to Pinnacle support.
    """

    code: str | None = None
    message: str | None = None
    ref: str | None = None


class _LinesError(Wire, frozen=True, kw_only=True):
    code: str | None = None
    message: str | None = None


class LinesErrorResponse(Response, frozen=True, kw_only=True):
    """Error body of ``/v2/sports`` and ``/v1/inrunning``: ``{status, error:{code,message}, code}``
    (``ExtendedLinesErrorResponse`` adds ``ref``)."""

    status: str | None = None
    error: _LinesError | None = None
    code: int | None = None
    ref: str | None = None


# ============================================================================================
# Lines API: reference data


class Sport(Wire, frozen=True, kw_only=True):
    id: int | None = None  # optional in the spec
    name: str | None = None
    has_offerings: bool | None = None
    league_specials_count: int | None = None
    event_specials_count: int | None = None
    event_count: int | None = None


class SportsResponse(Response, frozen=True, kw_only=True):
    sports: list[Sport] = []


class League(Wire, frozen=True, kw_only=True):
    """A league. ``home_team_type`` ("Team1"/"Team2") says which bet-side team is the home team."""

    id: int | None = None  # optional in the spec
    name: str | None = None
    home_team_type: str | None = None
    has_offerings: bool | None = None
    container: str | None = None
    allow_round_robins: bool | None = None
    league_specials_count: int | None = None
    event_specials_count: int | None = None
    event_count: int | None = None


class LeaguesResponse(Response, frozen=True, kw_only=True):
    """``/v2/leagues`` (schema ``Leagues``)."""

    leagues: list[League] = []


class SportPeriod(Wire, frozen=True, kw_only=True):
    number: int | None = None  # optional in the spec
    description: str | None = None
    short_description: str | None = None
    spread_description: str | None = None
    moneyline_description: str | None = None
    total_description: str | None = None
    team1_total_description: str | None = None
    team2_total_description: str | None = None
    spread_short_description: str | None = None
    moneyline_short_description: str | None = None
    total_short_description: str | None = None
    team1_total_short_description: str | None = None
    team2_total_short_description: str | None = None


class PeriodsResponse(Response, frozen=True, kw_only=True):
    """``/v1/periods``: the spec's schema names one ``SportPeriod`` but its example (and the
    real API) wraps them as ``{"periods": [...]}``; this is that wrapper."""

    periods: list[SportPeriod] = []


class Currency(Wire, frozen=True, kw_only=True):
    code: str | None = None  # optional in the spec
    name: str | None = None
    rate: float | None = None
    """Exchange rate to USD (units of this currency per 1 USD)."""


class CurrenciesResponse(Response, frozen=True, kw_only=True):
    """``/v2/currencies`` (schema ``SuccessfulCurrenciesResponse``)."""

    currencies: list[Currency] = []


class CancellationReasonLookup(Wire, frozen=True, kw_only=True):
    """One row of ``/v1/cancellationreasons`` (schema ``CancellationReason`` of the Lines API)."""

    code: str | None = None  # optional in the spec
    description: str | None = None


class CancellationReasonsResponse(Response, frozen=True, kw_only=True):
    cancellation_reasons: list[CancellationReasonLookup] = []


# ============================================================================================
# Lines API: fixtures


class Fixture(Wire, frozen=True, kw_only=True):
    """A non-settled event. ``status`` is deprecated (use the odds period ``status``)."""

    id: int | None = None  # optional in the spec
    parent_id: int | None = None
    starts: dt.datetime | None = None
    home: str | None = None
    away: str | None = None
    rot_num: str | None = None
    live_status: int | None = None
    home_pitcher: str | None = None
    away_pitcher: str | None = None
    status: str | None = None
    parlay_restriction: int | None = None
    alt_teaser: bool | None = None
    resulting_unit: str | None = None
    version: int | None = None
    same_event_parlay_periods_enabled: list[int] | None = None


class FixturesLeague(Wire, frozen=True, kw_only=True):
    id: int | None = None  # optional in the spec
    name: str | None = None
    events: list[Fixture] = []


class FixturesResponse(Response, frozen=True, kw_only=True):
    """``/v1/fixtures``. Note the key ``league`` (singular), unlike odds' ``leagues``."""

    sport_id: int | None = None
    last: int | None = None
    league: list[FixturesLeague] = []


class CancellationDetailsItem(Wire, frozen=True, kw_only=True):
    """One ``{key, value}`` detail. The spec types ``value`` as a string but its own example
    sends a number (``-1.5``), so both are accepted."""

    key: str | None = None
    value: str | float | None = None


class CancellationReason(Wire, frozen=True, kw_only=True):
    """Why a bet/period was cancelled. ``details`` is a list of ``{key, value}`` in the Bets API,
    one ``{key, value}`` object in the Lines schema, and an object of ``correct*`` fields in the
    Lines example: all three shapes decode."""

    code: str | None = None
    details: list[CancellationDetailsItem] | dict[str, str | float | None] | None = None

    def detail_items(self) -> dict[str, str]:
        """The details as one flat ``{key: value-as-text}`` mapping, whatever the shape."""
        d = self.details
        if d is None:
            return {}
        if isinstance(d, list):
            return {i.key: str(i.value) for i in d if i.key is not None}
        if set(d) <= {"key", "value"} and isinstance(d.get("key"), str):
            return {str(d["key"]): str(d.get("value"))}
        return {k: str(v) for k, v in d.items()}


class SettledFixturesPeriod(Wire, frozen=True, kw_only=True):
    number: int | None = None
    status: int | None = None
    """1 settled, 2 re-settled, 3 cancelled, 4 re-settled as cancelled, 5 event deleted."""
    settlement_id: int | None = None
    settled_at: dt.datetime | None = None
    team1_score: int | None = None
    team2_score: int | None = None
    team1_score_sets: int | None = None
    team2_score_sets: int | None = None
    cancellation_reason: CancellationReason | None = None


class SettledFixturesEvent(Wire, frozen=True, kw_only=True):
    id: int | None = None  # optional in the spec
    periods: list[SettledFixturesPeriod] = []


class SettledFixturesLeague(Wire, frozen=True, kw_only=True):
    id: int | None = None  # optional in the spec
    events: list[SettledFixturesEvent] = []


class SettledFixturesResponse(Response, frozen=True, kw_only=True):
    """``/v1/fixtures/settled`` (deprecated; schema ``SettledFixturesSport``)."""

    sport_id: int | None = None
    last: int | None = None
    leagues: list[SettledFixturesLeague] = []


class SpecialsFixturesEvent(Wire, frozen=True, kw_only=True):
    id: int | None = None
    period_number: int | None = None
    home: str | None = None
    away: str | None = None


class SpecialsFixturesContestant(Wire, frozen=True, kw_only=True):
    id: int | None = None  # optional in the spec
    name: str | None = None
    rot_num: int | None = None


class SpecialFixture(Wire, frozen=True, kw_only=True):
    id: int | None = None  # optional in the spec
    bet_type: str | None = None
    name: str | None = None
    date: dt.datetime | None = None
    cutoff: dt.datetime | None = None
    category: str | None = None
    units: str | None = None
    status: str | None = None
    event: SpecialsFixturesEvent | None = None
    contestants: list[SpecialsFixturesContestant] = []
    live_status: int | None = None


class SpecialsFixturesLeague(Wire, frozen=True, kw_only=True):
    id: int | None = None  # optional in the spec
    specials: list[SpecialFixture] = []


class SpecialsFixturesResponse(Response, frozen=True, kw_only=True):
    sport_id: int | None = None
    last: int | None = None
    leagues: list[SpecialsFixturesLeague] = []


class SettledContestant(Wire, frozen=True, kw_only=True):
    id: int | None = None
    name: str | None = None
    outcome: str | None = None
    """W won, L lost, X cancelled, T tie, Z scratched."""


class SettledSpecial(Wire, frozen=True, kw_only=True):
    id: int | None = None  # optional in the spec
    status: int | None = None
    settlement_id: int | None = None
    settled_at: dt.datetime | None = None
    cancellation_reason: CancellationReason | None = None
    contestants: list[SettledContestant] = []


class SettledSpecialsLeague(Wire, frozen=True, kw_only=True):
    id: int | None = None  # optional in the spec
    specials: list[SettledSpecial] = []


class SettledSpecialsResponse(Response, frozen=True, kw_only=True):
    sport_id: int | None = None
    last: int | None = None
    leagues: list[SettledSpecialsLeague] = []


class InRunningEvent(Wire, frozen=True, kw_only=True):
    id: int | None = None  # optional in the spec
    state: int | None = None
    elapsed: int | None = None


class InRunningLeague(Wire, frozen=True, kw_only=True):
    id: int | None = None  # optional in the spec
    events: list[InRunningEvent] = []


class InRunningSport(Wire, frozen=True, kw_only=True):
    id: int | None = None  # optional in the spec
    leagues: list[InRunningLeague] = []


class InRunningResponse(Response, frozen=True, kw_only=True):
    """``/v1/inrunning`` (deprecated since Oct 2024)."""

    sports: list[InRunningSport] = []


# ============================================================================================
# Lines API: odds (v2 shape)


class OddsSpread(Wire, frozen=True, kw_only=True):
    """A spread line. ``hdp`` is the home handicap; ``alt_line_id`` marks an alternate line, whose
    ``max`` (when set) overrides the period's ``max_spread``."""

    alt_line_id: int | None = None
    hdp: float | None = None
    home: float | None = None
    away: float | None = None
    max: float | None = None


class OddsMoneyline(Wire, frozen=True, kw_only=True):
    home: float | None = None
    away: float | None = None
    draw: float | None = None


class OddsTotal(Wire, frozen=True, kw_only=True):
    alt_line_id: int | None = None
    points: float | None = None
    over: float | None = None
    under: float | None = None
    max: float | None = None


class OddsTeamTotal(Wire, frozen=True, kw_only=True):
    alt_line_id: int | None = None
    points: float | None = None
    over: float | None = None
    under: float | None = None


class OddsTeamTotals(Wire, frozen=True, kw_only=True):
    """``teamTotal`` of ``/v2/odds``: lists per side (v1 had one object per side)."""

    home: list[OddsTeamTotal] | None = None
    away: list[OddsTeamTotal] | None = None


class OddsPeriod(Wire, frozen=True, kw_only=True):
    """One period of an event's odds. Sent whole in a delta: a market missing from it is no
    longer offered. A period with only ``line_id``/``number``/``cutoff`` is past cutoff.

    ``status`` 1 = online, 2 = offline. ``max_*`` are max *volume* limits in the requested
    currency (see :func:`wagerkit.pinnacle.mapping.max_risk`).
    """

    number: int | None = None  # optional in the spec
    line_id: int | None = None
    cutoff: dt.datetime | None = None
    status: int | None = None
    max_spread: float | None = None
    max_moneyline: float | None = None
    max_total: float | None = None
    max_team_total: float | None = None
    moneyline_updated_at: dt.datetime | None = None
    spread_updated_at: dt.datetime | None = None
    total_updated_at: dt.datetime | None = None
    team_total_updated_at: dt.datetime | None = None
    spreads: list[OddsSpread] | None = None
    moneyline: OddsMoneyline | None = None
    totals: list[OddsTotal] | None = None
    team_total: OddsTeamTotals | None = None
    away_score: float | None = None
    home_score: float | None = None
    away_red_cards: int | None = None
    home_red_cards: int | None = None

    def has_markets(self) -> bool:
        """True when the period carries at least one priced market."""
        tt = self.team_total
        return bool(
            self.spreads
            or self.totals
            or (self.moneyline is not None and self.moneyline.home is not None)
            or (tt is not None and (tt.home or tt.away))
        )


class OddsEvent(Wire, frozen=True, kw_only=True):
    id: int | None = None  # optional in the spec
    away_score: float | None = None
    home_score: float | None = None
    away_red_cards: int | None = None
    home_red_cards: int | None = None
    periods: list[OddsPeriod] = []


class OddsLeague(Wire, frozen=True, kw_only=True):
    id: int | None = None  # optional in the spec
    events: list[OddsEvent] = []


class OddsResponse(Response, frozen=True, kw_only=True):
    """``/v2/odds``: pass ``last`` as ``since`` next time to get only the changed periods."""

    sport_id: int | None = None
    last: int | None = None
    leagues: list[OddsLeague] = []


class SpecialOddsContestantLine(Wire, frozen=True, kw_only=True):
    """A contestant's line; ``price`` is ``null`` when the line is no longer offered (delta)."""

    id: int | None = None  # optional in the spec
    line_id: int | None = None
    price: float | None = None
    handicap: float | None = None
    max: float | None = None


class SpecialOddsSpecial(Wire, frozen=True, kw_only=True):
    id: int | None = None  # optional in the spec
    max_bet: float | None = None
    contestant_lines: list[SpecialOddsContestantLine] = []


class SpecialOddsLeague(Wire, frozen=True, kw_only=True):
    id: int | None = None  # optional in the spec
    specials: list[SpecialOddsSpecial] = []


class SpecialOddsResponse(Response, frozen=True, kw_only=True):
    sport_id: int | None = None
    last: int | None = None
    leagues: list[SpecialOddsLeague] = []


class TeaserOddsSpread(Wire, frozen=True, kw_only=True):
    max_bet: float | None = None
    home_hdp: float | None = None
    away_hdp: float | None = None
    alt_hdp: bool | None = None


class TeaserOddsTotalPoints(Wire, frozen=True, kw_only=True):
    max_bet: float | None = None
    over_points: float | None = None
    under_points: float | None = None


class TeaserOddsPeriod(Wire, frozen=True, kw_only=True):
    number: int | None = None  # optional in the spec
    line_id: int | None = None
    spread_updated_at: dt.datetime | None = None
    total_updated_at: dt.datetime | None = None
    spread: TeaserOddsSpread | None = None
    total: TeaserOddsTotalPoints | None = None


class TeaserOddsEvent(Wire, frozen=True, kw_only=True):
    id: int | None = None  # optional in the spec
    periods: list[TeaserOddsPeriod] = []


class TeaserOddsLeague(Wire, frozen=True, kw_only=True):
    id: int | None = None  # optional in the spec
    events: list[TeaserOddsEvent] = []


class TeaserOddsResponse(Response, frozen=True, kw_only=True):
    teaser_id: int | None = None
    sport_id: int | None = None
    leagues: list[TeaserOddsLeague] = []


class TeaserGroupsPayout(Wire, frozen=True, kw_only=True):
    number_of_legs: int | None = None
    price: float | None = None


class TeaserGroupsBetType(Wire, frozen=True, kw_only=True):
    points: float | None = None


class TeaserGroupsLeague(Wire, frozen=True, kw_only=True):
    id: int | None = None  # optional in the spec
    spread: TeaserGroupsBetType | None = None
    total: TeaserGroupsBetType | None = None


class TeaserGroupsTeaser(Wire, frozen=True, kw_only=True):
    id: int | None = None  # optional in the spec
    description: str | None = None
    sport_id: int | None = None
    min_legs: int | None = None
    max_legs: int | None = None
    same_event_only: bool | None = None
    payouts: list[TeaserGroupsPayout] = []
    leagues: list[TeaserGroupsLeague] = []


class TeaserGroup(Wire, frozen=True, kw_only=True):
    """Schema ``TeaserGroups`` (one group)."""

    id: int | None = None  # optional in the spec
    name: str | None = None
    teasers: list[TeaserGroupsTeaser] = []


class TeaserGroupsResponse(Response, frozen=True, kw_only=True):
    teaser_groups: list[TeaserGroup] = []


# ============================================================================================
# Lines API: lines


class LineResponse(Response, frozen=True, kw_only=True):
    """``/v1/line``: the current price and limits of one selection.

    With ``status="NOT_EXISTS"`` no other field is present. Stakes are in the client currency.
    """

    status: str | None = None  # optional in the spec: absent means "not understood"
    price: float | None = None
    line_id: int | None = None
    alt_line_id: int | None = None
    team1_score: int | None = None
    team2_score: int | None = None
    team1_red_cards: int | None = None
    team2_red_cards: int | None = None
    max_risk_stake: float | None = None
    min_risk_stake: float | None = None
    max_win_stake: float | None = None
    min_win_stake: float | None = None
    effective_as_of: str | None = None
    period_team1_score: int | None = None
    period_team2_score: int | None = None
    period_team1_red_cards: int | None = None
    period_team2_red_cards: int | None = None


class SpecialLineResponse(Response, frozen=True, kw_only=True):
    status: str | None = None  # optional in the spec: absent means "not understood"
    special_id: int | None = None
    contestant_id: int | None = None
    min_risk_stake: float | None = None
    max_risk_stake: float | None = None
    min_win_stake: float | None = None
    max_win_stake: float | None = None
    line_id: int | None = None
    price: float | None = None
    handicap: float | None = None


class ParlayLineRequest(Wire, frozen=True, kw_only=True):
    """One leg of ``/v2/line/parlay``; ``team`` is ``Team1|Team2|Draw`` (mixed case) here."""

    unique_leg_id: str
    event_id: int
    period_number: int
    leg_bet_type: str
    team: str | None = None
    side: str | None = None
    handicap: float | None = None


class ParlayLinesRequest(Wire, frozen=True, kw_only=True):
    odds_format: str | None = None
    legs: list[ParlayLineRequest] = []


class RoundRobinOptionWithOdds(Wire, frozen=True, kw_only=True):
    """Parlay odds for one round-robin option; ``number_of_bets`` only in ``/v2/line/parlay``."""

    round_robin_option: str | None = None  # all optional in the spec
    odds: float | None = None
    unrounded_decimal_odds: float | None = None
    number_of_bets: float | None = None


class ParlayLineLeg(Wire, frozen=True, kw_only=True):
    status: str
    leg_id: str
    error_code: str | None = None
    line_id: int | None = None
    alt_line_id: int | None = None
    price: float | None = None
    correlated_legs: list[str] | None = None


class ParlayLinesResponseV2(Response, frozen=True, kw_only=True):
    status: str
    error: str | None = None
    min_risk_stake: float | None = None
    max_parlay_risk_stake: float | None = None
    max_round_robin_total_risk: float | None = None
    max_round_robin_total_win: float | None = None
    round_robin_option_with_odds: list[RoundRobinOptionWithOdds] = []
    legs: list[ParlayLineLeg] = []


class ParlayLinesResponse(Response, frozen=True, kw_only=True):
    """The v1 shape (``/v1/line/parlay``, deprecated); kept because the current spec still
    defines it."""

    status: str
    error: str | None = None
    max_risk_stake: float | None = None
    min_risk_stake: float | None = None
    round_robin_option_with_odds: list[RoundRobinOptionWithOdds] = []
    legs: list[ParlayLineLeg] = []


class TeaserLineRequest(Wire, frozen=True, kw_only=True):
    leg_id: str
    event_id: int
    period_number: int
    bet_type: str
    handicap: float
    team: str | None = None
    side: str | None = None


class TeaserLinesRequest(Wire, frozen=True, kw_only=True):
    """Schema ``LinesRequestTeaser``."""

    teaser_id: int
    odds_format: str
    legs: list[TeaserLineRequest]


class TeaserLineLeg(Wire, frozen=True, kw_only=True):
    status: str
    leg_id: str
    error_code: str | None = None
    line_id: int | None = None


class TeaserLinesResponse(Response, frozen=True, kw_only=True):
    status: str
    legs: list[TeaserLineLeg] = []
    error_code: str | None = None
    price: float | None = None
    min_risk_stake: float | None = None
    max_risk_stake: float | None = None
    min_win_stake: float | None = None
    max_win_stake: float | None = None


# ============================================================================================
# Bets API v4: placing


class PlaceBetRequest(Wire, frozen=True, kw_only=True):
    """``/v4/bets/straight``. ``unique_request_id`` is the idempotency key: fixed before the
    first send and reused on every retry. There is no handicap: ``line_id``/``alt_line_id`` name
    it. ``team`` is ``TEAM1|TEAM2|DRAW`` here (upper case, unlike ``/v1/line``)."""

    unique_request_id: str
    accept_better_line: bool
    odds_format: str
    stake: float
    win_risk_stake: str
    line_id: int
    sport_id: int
    event_id: int
    period_number: int
    bet_type: str
    alt_line_id: int | None = None
    fill_type: str = "NORMAL"
    team: str | None = None
    side: str | None = None


class PlaceStraightBetResponse(Response, frozen=True, kw_only=True):
    """Slim v4 response. ``PENDING_ACCEPTANCE`` (live delay) has no ``bet_id``: poll by
    ``unique_request_id``. Business errors come as ``PROCESSED_WITH_ERROR`` + ``error_code``."""

    status: str | None = None  # optional in the spec: absent means "not understood"
    unique_request_id: str | None = None
    error_code: str | None = None
    bet_id: int | None = None
    win: float | None = None
    risk: float | None = None
    price: float | None = None
    better_line_was_accepted: bool | None = None


class ParlayLegRequest(Wire, frozen=True, kw_only=True):
    unique_leg_id: str
    line_id: int
    sport_id: int
    event_id: int
    period_number: int
    leg_bet_type: str
    alt_line_id: int | None = None
    team: str | None = None
    side: str | None = None


class PlaceParlayBetRequest(Wire, frozen=True, kw_only=True):
    """``risk_amount`` applies to every parlay of a round robin (total = amount × parlays)."""

    unique_request_id: str
    accept_better_line: bool
    risk_amount: float
    odds_format: str
    legs: list[ParlayLegRequest]
    round_robin_options: list[str]


class ParlayLegResponse(Wire, frozen=True, kw_only=True):
    status: str | None = None
    error_code: str | None = None
    leg_id: str | None = None
    line_id: int | None = None
    alt_line_id: int | None = None
    price: float | None = None
    correlated_legs: list[str] | None = None


class PlaceParlayBetResponse(Response, frozen=True, kw_only=True):
    status: str | None = None  # optional in the spec: absent means "not understood"
    error_code: str | None = None
    bet_id: int | None = None
    unique_request_id: str | None = None
    round_robin_option_with_odds: list[RoundRobinOptionWithOdds] | None = None
    max_risk_stake: float | None = None
    min_risk_stake: float | None = None
    valid_legs: list[ParlayLegResponse] | None = None
    invalid_legs: list[ParlayLegResponse] | None = None


class TeaserBetLeg(Wire, frozen=True, kw_only=True):
    leg_id: str
    bet_type: str
    line_id: int
    event_id: int
    team: str | None = None
    side: str | None = None


class PlaceTeaserBetRequest(Wire, frozen=True, kw_only=True):
    unique_request_id: str
    teaser_id: int
    odds_format: str
    win_risk_stake: str
    stake: float
    legs: list[TeaserBetLeg]


class PlaceTeaserBetLegResponse(Wire, frozen=True, kw_only=True):
    status: str | None = None
    error_code: str | None = None
    leg_id: str | None = None
    line_id: int | None = None
    points: float | None = None


class PlaceTeaserBetResponse(Response, frozen=True, kw_only=True):
    status: str | None = None
    error_code: str | None = None
    bet_id: int | None = None
    unique_request_id: str | None = None
    price: float | None = None
    risk: float | None = None
    win: float | None = None
    invalid_legs: list[PlaceTeaserBetLegResponse] | None = None
    valid_legs: list[PlaceTeaserBetLegResponse] | None = None


class SpecialBetRequest(Wire, frozen=True, kw_only=True):
    unique_request_id: str
    accept_better_line: bool
    odds_format: str
    stake: float
    win_risk_stake: str
    line_id: int
    special_id: int
    contestant_id: int


class SpecialBetsRequest(Wire, frozen=True, kw_only=True):
    """Schema ``MultiBetRequest.SpecialBetRequest``: several special bets in one call."""

    bets: list[SpecialBetRequest] = []


class SpecialBetResponse(Wire, frozen=True, kw_only=True):
    status: str | None = None
    error_code: str | None = None
    bet_id: int | None = None
    unique_request_id: str | None = None
    win: float | None = None
    risk: float | None = None
    price: float | None = None
    better_line_was_accepted: bool | None = None


class SpecialBetsResponse(Response, frozen=True, kw_only=True):
    """Schema ``MultiBetResponse.SpecialBetResponse``."""

    bets: list[SpecialBetResponse] = []


class BettingStatusResponse(Response, frozen=True, kw_only=True):
    """``ALL_BETTING_ENABLED``, ``ALL_LIVE_BETTING_CLOSED`` or ``ALL_BETTING_CLOSED``."""

    status: str


# ============================================================================================
# Bets API v4: reading


class StraightBet(Wire, frozen=True, kw_only=True):
    """Schema ``StraightBetV4``. The spec marks ``betId``, ``placedAt``, ``win``, ``risk``… as
    required, but a live-delay bet looked up by ``uniqueRequestId`` while ``PENDING_ACCEPTANCE``
    or after ``NOT_ACCEPTED`` carries only ``uniqueRequestId`` and ``betStatus`` (documented in
    the manual), so only ``bet_status`` is required here. ``unique_request_id`` is not in the v4
    schema but is what such a lookup echoes."""

    bet_status: str
    bet_id: int | None = None
    unique_request_id: str | None = None
    wager_number: int | None = None
    placed_at: dt.datetime | None = None
    bet_type: str | None = None
    win: float | None = None
    risk: float | None = None
    win_loss: float | None = None
    odds_format: str | None = None
    customer_commission: float | None = None
    cancellation_reason: CancellationReason | None = None
    update_sequence: int | None = None
    sport_id: int | None = None
    league_id: int | None = None
    event_id: int | None = None
    handicap: float | None = None
    price: float | None = None
    team_name: str | None = None
    side: str | None = None
    team1: str | None = None
    team2: str | None = None
    period_number: int | None = None
    team1_score: float | None = None
    team2_score: float | None = None
    ft_team1_score: float | None = None
    ft_team2_score: float | None = None
    p_team1_score: float | None = None
    p_team2_score: float | None = None
    is_live: bool | None = None
    event_start_time: dt.datetime | None = None
    resulting_unit: str | None = None


class ParlayLeg(Wire, frozen=True, kw_only=True):
    sport_id: int | None = None
    leg_bet_type: str | None = None
    leg_bet_status: str | None = None
    league_id: int | None = None
    event_id: int | None = None
    event_start_time: dt.datetime | None = None
    handicap: float | None = None
    price: float | None = None
    team_name: str | None = None
    side: str | None = None
    team1: str | None = None
    team2: str | None = None
    period_number: int | None = None
    ft_team1_score: float | None = None
    ft_team2_score: float | None = None
    p_team1_score: float | None = None
    p_team2_score: float | None = None
    cancellation_reason: CancellationReason | None = None


class ParlayBet(Wire, frozen=True, kw_only=True):
    bet_id: int
    bet_status: str
    bet_type: str = "PARLAY"
    unique_request_id: str | None = None
    wager_number: int | None = None
    placed_at: dt.datetime | None = None
    win: float | None = None
    risk: float | None = None
    win_loss: float | None = None
    odds_format: str | None = None
    customer_commission: float | None = None
    cancellation_reason: CancellationReason | None = None
    update_sequence: int | None = None
    legs: list[ParlayLeg] = []
    price: float | None = None
    final_price: float | None = None


class TeaserLeg(Wire, frozen=True, kw_only=True):
    sport_id: int | None = None
    leg_bet_type: str | None = None
    leg_bet_status: str | None = None
    league_id: int | None = None
    event_id: int | None = None
    event_start_time: dt.datetime | None = None
    handicap: float | None = None
    team_name: str | None = None
    side: str | None = None
    team1: str | None = None
    team2: str | None = None
    period_number: int | None = None


class TeaserBet(Wire, frozen=True, kw_only=True):
    bet_id: int
    bet_status: str
    bet_type: str = "TEASER"
    unique_request_id: str | None = None
    wager_number: int | None = None
    placed_at: dt.datetime | None = None
    win: float | None = None
    risk: float | None = None
    win_loss: float | None = None
    odds_format: str | None = None
    customer_commission: float | None = None
    cancellation_reason: CancellationReason | None = None
    update_sequence: int | None = None
    teaser_name: str | None = None
    is_same_event_only: bool | None = None
    min_picks: float | None = None
    max_picks: float | None = None
    price: float | None = None
    final_price: float | None = None
    teaser_id: float | None = None
    teaser_group_id: float | None = None
    legs: list[TeaserLeg] = []


class SpecialBet(Wire, frozen=True, kw_only=True):
    bet_id: int
    bet_status: str
    bet_type: str = "SPECIAL"
    unique_request_id: str | None = None
    wager_number: int | None = None
    placed_at: dt.datetime | None = None
    win: float | None = None
    risk: float | None = None
    win_loss: float | None = None
    odds_format: str | None = None
    customer_commission: float | None = None
    cancellation_reason: CancellationReason | None = None
    update_sequence: int | None = None
    special_id: int | None = None
    special_name: str | None = None
    contestant_id: int | None = None
    contestant_name: str | None = None
    price: float | None = None
    handicap: float | None = None
    units: str | None = None
    sport_id: int | None = None
    league_id: int | None = None
    event_id: int | None = None
    period_number: int | None = None
    team1: str | None = None
    team2: str | None = None
    event_start_time: dt.datetime | None = None


class ManualBet(Wire, frozen=True, kw_only=True):
    bet_id: int
    bet_status: str
    bet_type: str = "MANUAL"
    wager_number: int | None = None
    placed_at: dt.datetime | None = None
    win: float | None = None
    risk: float | None = None
    win_loss: float | None = None
    update_sequence: int | None = None
    description: str | None = None
    reference_bet_id: int | None = None


class GetBetsResponse(Response, frozen=True, kw_only=True):
    """``/v4/bets`` (schema ``GetBetsByTypeResponseV4``). ``more_available`` with
    ``to_record`` tells how to page on (``fromRecord = toRecord + 1``)."""

    more_available: bool | None = None
    page_size: int | None = None
    from_record: int | None = None
    to_record: int | None = None
    straight_bets: list[StraightBet] = []
    parlay_bets: list[ParlayBet] = []
    teaser_bets: list[TeaserBet] = []
    special_bets: list[SpecialBet] = []
    manual_bets: list[ManualBet] = []


# ============================================================================================
# Customer API


class ClientBalanceResponse(Response, frozen=True, kw_only=True):
    """``/v1/client/balance`` (marked deprecated in the current spec); amounts in ``currency``."""

    available_balance: float
    outstanding_transactions: float
    given_credit: float
    currency: str
