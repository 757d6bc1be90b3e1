"""Odds88's integer enums, named as the docs name them.

Two enums look alike and are not: :class:`BetSettlement` (how a *bet* was settled: the settlement
feed and ``/settlements``) and :class:`SelectionSettlement` (how a *selection* was settled in the
odds delta feed). Their numbers mean different things (2 is Lose in both, but 1 is Win for a bet
and Refund for a selection), so they are separate types and never converted into each other.

Cashout ``priceChange`` codes are not the bet ``PriceChange`` codes either: see
:class:`CashoutPriceChange` and :class:`PriceChange`.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = [
    "BetKind",
    "BetProcessor",
    "BetResultType",
    "BetSettlement",
    "BetType",
    "CancellationReason",
    "CancellationStatus",
    "CashoutPriceChange",
    "CashoutStatus",
    "CurrencyType",
    "FreeBetType",
    "PriceChange",
    "RejectReason",
    "ResponseCode",
    "SelectionSettlement",
]


class CashoutStatus(IntEnum):
    """``status`` of a cashout feed update."""

    AVAILABLE = 1
    NOT_SUPPORTED = 2
    CASHED_OUT = 3


class CashoutPriceChange(IntEnum):
    """``priceChange`` of ``POST /api/Cashout``: how far the amount may move before a reject.

    The docs give 1 = reject beyond 2 % and 2 = accept any amount, and one example sends 0;
    we read 0 as strict (the amount must be exactly the server's). See the README.
    """

    STRICT = 0
    WITHIN_2_PERCENT = 1
    ANY = 2


class PriceChange(IntEnum):
    """``priceChange`` of a *bet* request: which odds changes are accepted at placement."""

    NONE = 0
    ANY = 1
    HIGHER = 2


class BetSettlement(IntEnum):
    """How a bet (or a bet item in ``/settlements``) was settled."""

    NONE = 0
    WIN = 1
    LOSE = 2
    REFUND = 3
    HALF_WIN = 4
    HALF_LOSE = 5
    CASH_OUT = 6
    PLACE_WIN = 7


class SelectionSettlement(IntEnum):
    """How a selection was settled in the odds delta feed (a different numbering)."""

    NONE = 0
    REFUND = 1
    LOSE = 2
    WIN = 3
    HALF_LOSE = 4
    HALF_WIN = 5


class BetResultType(IntEnum):
    """``resultType`` of a bet result."""

    PENDING = 1
    ACCEPTED = 2
    REJECTED = 3


class ResponseCode(IntEnum):
    """``responseCode`` of the V2 bet endpoints' wrapper."""

    SUCCESS = 1
    FORMAT_ERROR = 2
    PRECISION_MISMATCH = 3
    UNSUPPORTED_CURRENCY = 4


class BetKind(IntEnum):
    SINGLE = 0
    MULTIPLE = 1


class BetType(IntEnum):
    STANDARD = 0
    PICKEM = 1


class FreeBetType(IntEnum):
    NOT_FREE = 0
    BASIC_FREE_BET = 1


class BetProcessor(IntEnum):
    INTERNAL = 1
    BETRADAR = 2


class CancellationReason(IntEnum):
    TIME_OUT_TRIGGERED = 2
    BOOKMAKER_BACKOFFICE_TRIGGERED = 3


class CancellationStatus(IntEnum):
    ACCEPTED = 1
    REJECTED = 2


class CurrencyType(IntEnum):
    FIAT = 1
    CRYPTO = 2
    CUSTOM = 3


class RejectReason(IntEnum):
    """Why Odds88 rejected a bet (``rejectInfo.reason``), as listed in the 2025 OAS.

    The live list may be longer: the models keep the raw integer and
    :func:`wagerkit.odds88.rejects.reject_reason` maps unknown numbers to ``None``.
    """

    NONE = 0
    PRICE_CHANGED = 1
    PRICE_CHANGED_LOW = 2
    PRICE_CHANGED_HIGH = 3
    MISSING_MANDATORY_FIELDS = 4
    INVALID_DATA_FORMAT = 5
    EVENTS_OR_MARKETS_CANNOT_BE_COMBINED = 6
    SELECTIONS_FROM_SAME_MARKET = 7
    MULTIPLE_SELECTIONS_IN_EVENT = 8
    DUPLICATE_TEAM_IDS = 9
    EVENT_NOT_FOUND = 10
    EVENT_NOT_ACTIVE = 11
    MARKET_NOT_FOUND = 12
    MARKET_NOT_ACTIVE = 13
    SELECTION_NOT_FOUND = 14
    SELECTION_NOT_ACTIVE = 15
    ADMIN_CONSOLE_ERROR = 16
    EVENT_LIMIT_EXCEEDED = 17
    MARKET_LIMIT_EXCEEDED = 18
    BET_LIMIT_EXCEEDED = 19
    PAYOUT_LIMIT_EXCEEDED = 20
    EVENT_VAR_LIMIT_EXCEEDED = 21
    MARKET_VAR_LIMIT_EXCEEDED = 22
    BET_VAR_LIMIT_EXCEEDED = 23
    PAYOUT_VAR_LIMIT_EXCEEDED = 24
    TOO_HIGH_ODDS = 25
    SPORT_RESTRICTED = 26
    EVENT_MARKED_STALE = 27
    RESPONSE_TIMEOUT_EXCEEDED = 28
    EXOTIC_SELECTION_INVALID_FORMAT = 29
    EXOTIC_TYPE_NOT_MATCH_WITH_MARKET = 39
    EXOTICS_MULTIBET_NOT_SUPPORTED = 40
    SELECTION_LIMIT_EXCEEDED = 50
    SELECTION_VAR_LIMIT_EXCEEDED = 51
    MARKET_IS_NOT_FIXED_EXOTICS = 52
    FIXED_EXOTICS_PRICE_NOT_FOUND_BY_SELECTION = 53
    FIXED_EXOTICS_SELECTION_CONTAINS_MULTIPLE_COMBINATIONS = 54
    PLAYER_BET_LIMIT_EXCEEDED = 55
    STARTING_PRICE_MARKET_LIVE = 56
    STARTING_PRICE_MULTIBET_NOT_SUPPORTED = 57
    STARTING_PRICE_MARKET_MATCH = 58
    NULL_BET_PRICE_IS_NOT_SUPPORTED_FOR_THIS_MARKET = 59
    COMBINATION_CONTAINS_SCRATCHED_COMPETITOR_NUMBER = 60
    BET_BUILDER_NOT_SUPPORTED = 61
    UNEXPECTED_ERROR = 100
