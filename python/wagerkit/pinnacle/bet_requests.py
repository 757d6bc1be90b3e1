"""Pinnacle bet requests for the order manager, each with its ``uniqueRequestId`` fixed when it is
built (so the manager can journal it before anything is sent), checked before anything is sent.
The client's ``place_straight``/``place_parlay``/``place_teaser`` build their bodies here too, then
round the stake down to the account currency.

:func:`~wagerkit.pinnacle.client.special_bet` (in the client, which places special batches on
its own too) builds the fourth kind. Stakes are rounded down to the account currency by
:class:`~wagerkit.pinnacle.execution.PinnacleAdapter` when it makes the intent.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from wagerkit.errors import InvalidInput
from wagerkit.pinnacle.codes import ODDS_FORMAT_BET, OddsFormatName
from wagerkit.pinnacle.models import (
    ParlayLegRequest,
    PlaceBetRequest,
    PlaceParlayBetRequest,
    PlaceTeaserBetRequest,
    SpecialBetRequest,
    TeaserBetLeg,
)
from wagerkit.pinnacle.stakes import check_amount

__all__ = [
    "WIN_RISK",
    "PinnacleRequest",
    "new_request_id",
    "parlay_bet",
    "straight_bet",
    "teaser_bet",
]

PinnacleRequest = (
    PlaceBetRequest | PlaceParlayBetRequest | PlaceTeaserBetRequest | SpecialBetRequest
)
"""What the Pinnacle adapter places: one bet request of any of Pinnacle's four kinds."""

WIN_RISK = frozenset({"WIN", "RISK"})
"""Whether a stake is the risk or the win."""


def new_request_id() -> str:
    """A fresh ``uniqueRequestId`` (UUID4 text). Keep it with the order before sending."""
    return str(uuid.uuid4())


def _bet_format(odds_format: OddsFormatName) -> str:
    try:
        return ODDS_FORMAT_BET[odds_format]
    except KeyError:
        raise InvalidInput(f"unknown odds format {odds_format!r}", field="odds_format") from None


def _check_uuid(value: str, name: str = "unique_request_id") -> str:
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        raise InvalidInput(f"{name} must be a UUID, got {value!r}", field=name) from None


def straight_bet(
    *,
    sport_id: int,
    event_id: int,
    period_number: int,
    bet_type: str,
    line_id: int,
    stake: float,
    team: str | None = None,
    side: str | None = None,
    alt_line_id: int | None = None,
    win_risk_stake: str = "RISK",
    fill_type: str = "NORMAL",
    accept_better_line: bool = False,
    odds_format: OddsFormatName = "decimal",
    unique_request_id: str | None = None,
) -> PlaceBetRequest:
    """A straight bet for the manager, checked, its ``uniqueRequestId`` fixed now (the
    arguments of :meth:`AsyncPinnacleClient.place_straight`). The stake is rounded down to the
    account currency when the adapter turns it into an intent."""
    uid = _check_uuid(unique_request_id) if unique_request_id else new_request_id()
    if not (fill_type == "FILLMAXLIMIT" and stake == 0):
        check_amount(stake)
    if win_risk_stake not in WIN_RISK:
        raise InvalidInput("win_risk_stake must be WIN or RISK", field="win_risk_stake")
    return PlaceBetRequest(
        unique_request_id=uid,
        accept_better_line=accept_better_line,
        odds_format=_bet_format(odds_format),
        stake=float(stake),
        win_risk_stake=win_risk_stake,
        line_id=line_id,
        alt_line_id=alt_line_id,
        fill_type=fill_type,
        sport_id=sport_id,
        event_id=event_id,
        period_number=period_number,
        bet_type=bet_type,
        team=team,
        side=side,
    )


def parlay_bet(
    legs: Sequence[ParlayLegRequest],
    *,
    risk_amount: float,
    round_robin_options: Sequence[str] = ("Parlay",),
    accept_better_line: bool = False,
    odds_format: OddsFormatName = "decimal",
    unique_request_id: str | None = None,
) -> PlaceParlayBetRequest:
    """A parlay (2 to 10 legs) for the manager, its ``uniqueRequestId`` fixed now."""
    uid = _check_uuid(unique_request_id) if unique_request_id else new_request_id()
    if not 2 <= len(legs) <= 10:
        raise InvalidInput("a parlay has 2 to 10 legs", field="legs")
    return PlaceParlayBetRequest(
        unique_request_id=uid,
        accept_better_line=accept_better_line,
        risk_amount=check_amount(risk_amount, field="risk_amount"),
        odds_format=_bet_format(odds_format),
        legs=list(legs),
        round_robin_options=list(round_robin_options),
    )


def teaser_bet(
    teaser_id: int,
    legs: Sequence[TeaserBetLeg],
    *,
    stake: float,
    win_risk_stake: str = "RISK",
    odds_format: OddsFormatName = "decimal",
    unique_request_id: str | None = None,
) -> PlaceTeaserBetRequest:
    """A teaser for the manager, its ``uniqueRequestId`` fixed now."""
    uid = _check_uuid(unique_request_id) if unique_request_id else new_request_id()
    if win_risk_stake not in WIN_RISK:
        raise InvalidInput("win_risk_stake must be WIN or RISK", field="win_risk_stake")
    return PlaceTeaserBetRequest(
        unique_request_id=uid,
        teaser_id=teaser_id,
        odds_format=_bet_format(odds_format),
        win_risk_stake=win_risk_stake,
        stake=check_amount(stake),
        legs=list(legs),
    )
