"""Pinnacle's codes and enum values, copied from the current specs (Bets API v4, Lines API).

Kept as plain strings (not Python enums) because the models keep them as ``str``: a code that
Pinnacle adds tomorrow still reaches the caller. The tables here are what the error mapping,
the simulator and the tests agree on.
"""

from __future__ import annotations

from typing import Final, Literal

__all__ = [
    "BETS_ERROR_CODES",
    "BET_LIST",
    "ODDS_FORMAT_BET",
    "ODDS_FORMAT_QUERY",
    "PARLAY_ERROR_CODES",
    "SPECIAL_ERROR_CODES",
    "STRAIGHT_ERROR_CODES",
    "TEASER_ERROR_CODES",
    "OddsFormatName",
]

OddsFormatName = Literal["decimal", "american", "hongkong", "indonesian", "malay"]
"""The engine's names for the five odds formats (``wagerkit.convert_odds``)."""

ODDS_FORMAT_QUERY: Final[dict[str, str]] = {
    "american": "American",
    "decimal": "Decimal",
    "hongkong": "HongKong",
    "indonesian": "Indonesian",
    "malay": "Malay",
}
"""Lines API query spelling (mixed case)."""

ODDS_FORMAT_BET: Final[dict[str, str]] = {k: k.upper() for k in ODDS_FORMAT_QUERY}
"""Bets API spelling (upper case)."""

BET_LIST: Final[frozenset[str]] = frozenset({"SETTLED", "RUNNING", "ALL"})

# -- place-bet error codes (status PROCESSED_WITH_ERROR, HTTP 200), with the spec's meaning ----

STRAIGHT_ERROR_CODES: Final[dict[str, str]] = {
    "ALL_BETTING_CLOSED": "Betting is not allowed at this moment (maintenance)",
    "ALL_LIVE_BETTING_CLOSED": "Live betting is not allowed at this moment",
    "ABOVE_EVENT_MAX": "Client exceeded the allowed maximum risk on this line",
    "ABOVE_MAX_BET_AMOUNT": "Stake is above the allowed maximum",
    "BELOW_MIN_BET_AMOUNT": "Stake is below the allowed minimum",
    "BLOCKED_BETTING": "Betting is suspended for the client",
    "BLOCKED_CLIENT": "Client is no longer active",
    "INSUFFICIENT_FUNDS": "Insufficient funds",
    "INVALID_COUNTRY": "Client country is not allowed for betting",
    "INVALID_EVENT": "Invalid eventId",
    "INVALID_ODDS_FORMAT": "Odds format not allowed for the client",
    "LINE_CHANGED": "The line has changed",
    "LISTED_PITCHERS_SELECTION_ERROR": "Pitcher selection not allowed",
    "OFFLINE_EVENT": "Event offline, or the line/bet type is not offered now",
    "PAST_CUTOFFTIME": "Past the betting cutoff time",
    "RED_CARDS_CHANGED": "Live soccer red-card count changed",
    "SCORE_CHANGED": "Live soccer score changed",
    "TIME_RESTRICTION": "Same bet placed again too soon",
    "DUPLICATED_REQUEST": "uniqueRequestId already processed",
    "INCOMPLETE_CUSTOMER_BETTING_PROFILE": "System configuration issue",
    "INVALID_CUSTOMER_PROFILE": "System configuration issue",
    "LIMITS_CONFIGURATION_ISSUE": "System configuration issue",
    "RESPONSIBLE_BETTING_LOSS_LIMIT_EXCEEDED": "Client reached the total loss limit",
    "RESPONSIBLE_BETTING_RISK_LIMIT_EXCEEDED": "Client reached the total risk limit",
    "SYSTEM_ERROR_3": "Unexpected error",
    "LICENCE_RESTRICTION_LIVE_BETTING_BLOCKED": "Live betting blocked by licence restrictions",
    "BETTING_SUSPENDED": "Anomalous market: not accepting bets on this line; try the next lineId",
}

PARLAY_ERROR_CODES: Final[dict[str, str]] = {
    "ABOVE_MAX_BET_AMOUNT": "Stake is above the allowed maximum",
    "ALL_BETTING_CLOSED": "Betting is not allowed at this moment",
    "BELOW_MIN_BET_AMOUNT": "Stake is below the allowed minimum",
    "BLOCKED_BETTING": "Betting is suspended for the client",
    "BLOCKED_CLIENT": "Client is no longer active",
    "INSUFFICIENT_FUNDS": "Insufficient funds",
    "INVALID_COUNTRY": "Client country is not allowed for betting",
    "INVALID_LEGS": "One or more legs are invalid",
    "INVALID_ODDS_FORMAT": "Odds format not allowed for the client",
    "INVALID_ROUND_ROBIN_OPTIONS": "Round robin options do not match the legs",
    "ROUND_ROBIN_DISALLOWED": "Round robin is disallowed for one of the leagues",
    "TOO_MANY_LEGS": "At most 10 legs",
    "TOO_FEW_LEGS": "At least 2 legs",
    "RESPONSIBLE_BETTING_RISK_LIMIT_EXCEEDED": "Client reached the total risk limit",
    "RESPONSIBLE_BETTING_LOSS_LIMIT_EXCEEDED": "Client reached the total loss limit",
    "INVALID_REQUEST": "Request has invalid parameters",
    "DUPLICATED_REQUEST": "uniqueRequestId already processed",
    "SYSTEM_ERROR_3": "Unexpected error",
}

TEASER_ERROR_CODES: Final[dict[str, str]] = {
    "ABOVE_MAX_BET_AMOUNT": "Stake is above the allowed maximum",
    "ALL_BETTING_CLOSED": "Wagering is disabled in the system",
    "BELOW_MIN_BET_AMOUNT": "Stake is below the allowed minimum",
    "BLOCKED_BETTING": "Betting is suspended for the client",
    "BLOCKED_CLIENT": "Customer is inactive",
    "DOUBLE_HIT": "The same bet was submitted more than once",
    "DUPLICATE_CLIENT_REFERENCE_ID": "Teaser or leg unique ids repeat",
    "INCOMPLETE_CUSTOMER_BETTING_PROFILE": "The customer does not exist",
    "INSUFFICIENT_FUNDS": "Risk above the available balance",
    "INVALID_COUNTRY": "Current location is proscribed",
    "INVALID_CUSTOMER_PROFILE": "Customer business rules not verified",
    "INVALID_LEGS": "One or more legs are not verified",
    "INVALID_REQUEST": "Teaser request is not valid",
    "ODDS_FORMAT_MISMATCH": "Odds format differs from the customer's",
    "TEASER_DOES_NOT_EXIST": "Teaser does not exist",
    "SAME_EVENT_ONLY_REQUIRED": "Legs must be from the same game",
    "SYSTEM_ERROR_1": "System error",
    "SYSTEM_ERROR_2": "System error",
    "SYSTEM_ERROR_3": "System error",
    "TOO_FEW_LEGS": "Below the teaser's minimum picks",
    "TOO_MANY_LEGS": "Above the teaser's maximum picks",
    "DUPLICATED_REQUEST": "uniqueRequestId already processed",
    "RESPONSIBLE_BETTING_LOSS_LIMIT_EXCEEDED": "Client reached the total loss limit",
    "RESPONSIBLE_BETTING_RISK_LIMIT_EXCEEDED": "Client reached the total risk limit",
}

SPECIAL_ERROR_CODES: Final[dict[str, str]] = {
    "ALL_BETTING_CLOSED": "Betting is not allowed at this moment",
    "ABOVE_MAX_BET_AMOUNT": "Stake is above the allowed maximum",
    "BELOW_MIN_BET_AMOUNT": "Stake is below the allowed minimum",
    "BLOCKED_BETTING": "Betting is suspended for the client",
    "BLOCKED_CLIENT": "Client is no longer active",
    "CONTEST_NOT_FOUND": "Unknown or closed contest",
    "DUPLICATED_REQUEST": "uniqueRequestId must be unique for each bet",
    "INCOMPLETE_CUSTOMER_BETTING_PROFILE": "Customer profile could not be loaded",
    "INSUFFICIENT_FUNDS": "Insufficient funds",
    "INVALID_COUNTRY": "Client country is not allowed for betting",
    "INVALID_REQUEST": "Special bet request is not valid",
    "LINE_CHANGED": "The line has changed",
    "PAST_CUTOFFTIME": "Past the betting cutoff time",
    "RESPONSIBLE_BETTING_LOSS_LIMIT_EXCEEDED": "Self-imposed loss limit exceeded",
    "RESPONSIBLE_BETTING_RISK_LIMIT_EXCEEDED": "Self-imposed risk limit exceeded",
    "SYSTEM_ERROR_1": "Unexpected error",
    "SYSTEM_ERROR_2": "Unexpected error",
    "UNIQUE_REQUEST_ID_REQUIRED": "uniqueRequestId is missing",
    "INVALID_CUSTOMER_PROFILE": "System configuration issue",
    "BETTING_SUSPENDED": "Anomalous market: not accepting bets on this line",
}

BETS_ERROR_CODES: Final[dict[str, str]] = {
    "INVALID_REQUEST_DATA": "Invalid request parameters (400)",
    "INVALID_CREDENTIALS": "Authorization failed (401)",
    "INVALID_AUTHORIZATION_HEADER": "Authorization header missing (401)",
    "ACCOUNT_INACTIVE": "Account is not active (403)",
    "NO_API_ACCESS": "Account not permitted to use the API (403)",
    "RESUBMIT_REQUEST": "Valid request that could not be processed now: resubmit (400)",
}
"""HTTP-level ``ErrorResponse`` codes of the Bets API."""
