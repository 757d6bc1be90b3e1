"""Odds88 refusals mapped onto the error tree.

Every refusal here is a :class:`~wagerkit.errors.Declined`: Odds88 understood the request and
did not store a bet (or did not cash out), so a blind retry of the same request will be refused
again. Subclasses carry what a bot needs to decide what to do next:

- :class:`BetRejected`: ``resultType`` 3 with ``rejectInfo``; ``category`` groups the reasons
  (``price``, ``limit``, ``availability``, ``format``, ``restricted``, ``internal``) and
  ``max_bet`` is filled when Odds88 named a maximum.
- :class:`BetRequestRefused`: the V2 wrapper's ``responseCode`` 2-4 (format, precision,
  currency); the bet was never considered.
- :class:`CashoutRejected`: ``success: false`` from ``POST /api/Cashout``; ``amount`` is the
  amount Odds88 answered with, when it did.

Messages and reasons are the venue's own text, so they are cut short, made printable and
redacted (:func:`~wagerkit.odds88.responses.venue_text`) before they reach an exception.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from wagerkit.errors import Declined, ProtocolError, redact
from wagerkit.odds88.enums import BetResultType, RejectReason, ResponseCode
from wagerkit.odds88.models import Amount, BetAmount, BetItemView, BetResult
from wagerkit.odds88.responses import venue_text

__all__ = [
    "BetRejected",
    "BetRequestRefused",
    "CashoutRejected",
    "RejectCategory",
    "category_of",
    "raise_for_bet_result",
    "raise_for_response_code",
    "reject_reason",
]

RejectCategory = Literal["price", "limit", "availability", "format", "restricted", "internal"]

_R = RejectReason
_CATEGORY: dict[RejectReason, RejectCategory] = {
    **dict.fromkeys((_R.PRICE_CHANGED, _R.PRICE_CHANGED_LOW, _R.PRICE_CHANGED_HIGH), "price"),
    **dict.fromkeys(
        (
            _R.EVENT_LIMIT_EXCEEDED,
            _R.MARKET_LIMIT_EXCEEDED,
            _R.BET_LIMIT_EXCEEDED,
            _R.PAYOUT_LIMIT_EXCEEDED,
            _R.EVENT_VAR_LIMIT_EXCEEDED,
            _R.MARKET_VAR_LIMIT_EXCEEDED,
            _R.BET_VAR_LIMIT_EXCEEDED,
            _R.PAYOUT_VAR_LIMIT_EXCEEDED,
            _R.SELECTION_LIMIT_EXCEEDED,
            _R.SELECTION_VAR_LIMIT_EXCEEDED,
            _R.PLAYER_BET_LIMIT_EXCEEDED,
            _R.TOO_HIGH_ODDS,
        ),
        "limit",
    ),
    **dict.fromkeys(
        (
            _R.EVENT_NOT_FOUND,
            _R.EVENT_NOT_ACTIVE,
            _R.MARKET_NOT_FOUND,
            _R.MARKET_NOT_ACTIVE,
            _R.SELECTION_NOT_FOUND,
            _R.SELECTION_NOT_ACTIVE,
            _R.EVENT_MARKED_STALE,
            _R.STARTING_PRICE_MARKET_LIVE,
            _R.FIXED_EXOTICS_PRICE_NOT_FOUND_BY_SELECTION,
            _R.COMBINATION_CONTAINS_SCRATCHED_COMPETITOR_NUMBER,
        ),
        "availability",
    ),
    **dict.fromkeys(
        (
            _R.MISSING_MANDATORY_FIELDS,
            _R.INVALID_DATA_FORMAT,
            _R.EVENTS_OR_MARKETS_CANNOT_BE_COMBINED,
            _R.SELECTIONS_FROM_SAME_MARKET,
            _R.MULTIPLE_SELECTIONS_IN_EVENT,
            _R.DUPLICATE_TEAM_IDS,
            _R.EXOTIC_SELECTION_INVALID_FORMAT,
            _R.EXOTIC_TYPE_NOT_MATCH_WITH_MARKET,
            _R.EXOTICS_MULTIBET_NOT_SUPPORTED,
            _R.MARKET_IS_NOT_FIXED_EXOTICS,
            _R.FIXED_EXOTICS_SELECTION_CONTAINS_MULTIPLE_COMBINATIONS,
            _R.STARTING_PRICE_MULTIBET_NOT_SUPPORTED,
            _R.STARTING_PRICE_MARKET_MATCH,
            _R.NULL_BET_PRICE_IS_NOT_SUPPORTED_FOR_THIS_MARKET,
            _R.BET_BUILDER_NOT_SUPPORTED,
        ),
        "format",
    ),
    **dict.fromkeys((_R.SPORT_RESTRICTED, _R.ADMIN_CONSOLE_ERROR), "restricted"),
    **dict.fromkeys((_R.RESPONSE_TIMEOUT_EXCEEDED, _R.UNEXPECTED_ERROR), "internal"),
}


def reject_reason(code: int) -> RejectReason | None:
    """The named reason for ``code``, or ``None`` for a number this version does not know."""
    try:
        return RejectReason(code)
    except ValueError:
        return None


def category_of(code: int) -> RejectCategory:
    """Group of a reject reason; unknown numbers count as ``internal``."""
    reason = reject_reason(code)
    return _CATEGORY.get(reason, "internal") if reason is not None else "internal"


class BetRejected(Declined):
    """Odds88 rejected the bet (``resultType`` 3). Nothing was stored."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        request_id: str | None,
        max_bet: float | BetAmount | None = None,
        bet_item: BetItemView | None = None,
    ) -> None:
        named = reject_reason(code)
        super().__init__(
            named.name if named is not None else f"REJECT_REASON_{code}",
            message,
            request_id=request_id,
        )
        self.code = code
        self.reject_reason = named
        self.category: RejectCategory = category_of(code)
        self.max_bet = max_bet
        self.bet_item = bet_item


class BetRequestRefused(Declined):
    """The V2 wrapper refused the request (``responseCode`` 2-4): the bet was not considered."""

    def __init__(self, code: ResponseCode, message: str, *, request_id: str | None) -> None:
        super().__init__(code.name, message, request_id=request_id)
        self.response_code = code


class CashoutRejected(Declined):
    """Odds88 refused the cashout (``success: false``); ``amount`` is its answer's amount."""

    def __init__(
        self,
        reason: str,
        *,
        bet_id: str,
        amount: Amount | None,
        scrub: Callable[[str], str] = redact,
    ) -> None:
        reason = venue_text(reason, scrub) if reason else "CashoutRejected"
        super().__init__(reason, "cashout refused", request_id=bet_id)
        self.bet_id = bet_id
        self.amount = amount


def raise_for_response_code(
    code: int,
    message: str | None,
    *,
    request_id: str | None,
    scrub: Callable[[str], str] = redact,
) -> None:
    """Raise for a V2 ``responseCode`` other than Success; unknown codes are protocol errors."""
    try:
        known = ResponseCode(code)
    except ValueError:
        raise ProtocolError(f"unknown V2 responseCode {code}") from None
    if known is not ResponseCode.SUCCESS:
        text = venue_text(message, scrub) if message else known.name
        raise BetRequestRefused(known, text, request_id=request_id)


def raise_for_bet_result(
    result: BetResult, *, request_id: str | None, scrub: Callable[[str], str] = redact
) -> None:
    """Raise :class:`BetRejected` when ``result`` is a rejection; return otherwise."""
    if result.result_type is not BetResultType.REJECTED:
        return
    info = result.reject_info
    if info is None:
        raise BetRejected(100, "rejected without rejectInfo", request_id=request_id)
    raise BetRejected(
        info.reason,
        venue_text(info.message, scrub) if info.message else "",
        request_id=request_id,
        max_bet=info.max_bet,
        bet_item=info.bet_item,
    )
