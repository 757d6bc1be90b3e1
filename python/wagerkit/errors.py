"""One exception tree for the whole library.

A bot has to answer one question after every failure: *could a bet have been placed?*
The tree is shaped around that answer (the same split ccxt makes between "the network
failed" and "the exchange said no"):

- :class:`InvalidInput` – we refused before anything was sent. Nothing was placed. Fix the call.
- :class:`Declined` – the venue understood and said no (with its reason). Nothing was placed
  for that order; retrying the same thing will be declined again.
- :class:`RateLimited` – the venue (or our own limiter) asked us to wait ``retry_after`` seconds.
  Nothing was placed; safe to retry after the wait with the same request id.
- :class:`MaybePlaced` – ambiguous: the request may have reached the venue (timeout, connection
  dropped after send, 5xx after commit). Reconcile by request id before doing anything else.
- :class:`VenueError` – the venue answered with an error that is not a decline: auth, not found,
  conflict, server fault, or a malformed/hostile response (:class:`ProtocolError`).

Every error is a :class:`WagerkitError`. Messages never contain secrets: API keys, passwords
and tokens are redacted before an exception is built (see :func:`redact`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

__all__ = [
    "AuthError",
    "Conflict",
    "ConnectFailed",
    "Declined",
    "DuplicateRequest",
    "EngineError",
    "InvalidInput",
    "MaybePlaced",
    "MissingRate",
    "NetworkError",
    "NotFound",
    "NotImplementedByVenue",
    "ProtocolError",
    "RateLimited",
    "ServerError",
    "SharedStateUnavailable",
    "VenueError",
    "WagerkitError",
    "clamp_retry_after",
    "redact",
]


class WagerkitError(Exception):
    """Base of every error raised by wagerkit."""


class InvalidInput(WagerkitError, ValueError):
    """Bad input caught before anything was sent: nothing was placed.

    Also a :class:`ValueError`, so code that already catches ``ValueError`` keeps working.
    ``field`` names the offending argument or wire field when known.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class MissingRate(WagerkitError, LookupError):
    """No exchange rate is known for ``currency``: the conversion was refused, never guessed."""

    def __init__(self, message: str, *, currency: str) -> None:
        super().__init__(message)
        self.currency = currency


class EngineError(WagerkitError):
    """An internal fault in the Rust engine (a bug, never a user error).

    Raised instead of letting a Rust panic abort the interpreter.
    """


class Declined(WagerkitError):
    """The venue (or the engine acting as the venue would) said no to an order.

    ``reason`` is the machine-readable decline category (for ABP one of
    ``wagerkit.DeclineReason`` values as a string, for Pinnacle its error code), and
    ``message`` the human text the venue gave.
    """

    def __init__(self, reason: str, message: str, *, request_id: str | None = None) -> None:
        super().__init__(f"{reason}: {message}" if message else reason)
        self.reason = reason
        self.message = message
        self.request_id = request_id


class RateLimited(WagerkitError):
    """Too many requests: wait ``retry_after`` seconds before sending again.

    Nothing was placed; the retry must reuse the same request id.
    """

    #: The longest wait a venue can impose through one answer. A hostile or broken
    #: ``Retry-After`` (``inf``, ``1e9``, NaN, negative) is clamped into [0, MAX_RETRY_AFTER]
    #: so it can neither crash arithmetic nor park a bot for days.
    MAX_RETRY_AFTER = 3600.0

    def __init__(self, message: str, *, retry_after: float, limit: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = clamp_retry_after(retry_after)
        self.limit = limit


class NetworkError(WagerkitError):
    """The transport failed (connection refused, reset, timed out).

    Use the subclass to decide: :class:`ConnectFailed` means the request never left, so a retry
    is safe; :class:`MaybePlaced` means it may have reached the venue.
    """


class ConnectFailed(NetworkError):
    """The connection could not be opened: the request was never sent. Safe to retry."""


class SharedStateUnavailable(ConnectFailed):
    """The shared store (Redis) that coordinates several bot processes could not be reached.

    Raised *before* anything is sent: a placement fails closed rather than fall back to a
    local dedupe window or rate budget that would let two processes double a bet or the rate.
    Nothing was placed; retry (the Redis client reconnects by itself) with the same request.
    """


class MaybePlaced(NetworkError):
    """The outcome is unknown: the venue may have placed the bet.

    Raised after a timeout or a connection lost once the request was sent. The caller (or the
    order manager) must look the order up by ``request_id`` before anything else; resubmitting
    blindly is how duplicate bets happen.
    """

    def __init__(self, message: str, *, request_id: str | None = None) -> None:
        super().__init__(message)
        self.request_id = request_id


class VenueError(WagerkitError):
    """The venue answered with an error that is not a decline.

    ``status`` is the HTTP status (``None`` for a WebSocket or transport-level fault) and
    ``body`` the decoded error body with secrets redacted.
    """

    def __init__(self, message: str, *, status: int | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class AuthError(VenueError):
    """401/403: the credentials were refused or the resource belongs to someone else."""


class NotFound(VenueError):
    """404: no such object (for this client)."""


class Conflict(VenueError):
    """409: the request conflicts with the venue's state."""


class DuplicateRequest(Conflict):
    """Every order in the request was already seen (ABP's 409 on a duplicate requestUuid).

    Not an error for an idempotent retry: the orders exist; look them up by request id.
    """


class ServerError(VenueError):
    """5xx: the venue failed. For a placement this is ambiguous; see :class:`MaybePlaced`."""


class NotImplementedByVenue(VenueError):
    """501: the venue does not implement this (ABP futures orders)."""


class ProtocolError(VenueError):
    """The venue's response was malformed, of the wrong type, or hostile.

    Raised instead of passing garbage to the caller; ``body`` is a truncated, redacted excerpt.
    """


def clamp_retry_after(seconds: float, *, default: float = 1.0) -> float:
    """A venue-supplied wait as a finite number of seconds in [0, MAX_RETRY_AFTER].

    NaN and values that are not numbers fall back to ``default``; infinity and huge values
    are capped.
    """
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        return default
    if math.isnan(value):
        return default
    return min(max(value, 0.0), RateLimited.MAX_RETRY_AFTER)


_SECRET_KEYS = re.compile(
    r"(?i)(\"?(?:x-api-key|apikey|api_key|password|passwd|secret|token|jwt|authorization|"
    r"accesstoken|access_token)\"?\s*[:=]\s*)(\"[^\"]*\"|'[^']*'|[^\s,}&]+)"
)
_BEARER = re.compile(r"(?i)\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Return ``text`` with every known secret and every secret-looking field masked.

    ``secrets`` are literal values (an API key, a password, a JWT) that must not appear;
    the patterns catch ``password=…``, ``"apiKey": "…"``, ``Authorization: Bearer …`` and the like.
    """
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    text = _BEARER.sub(lambda m: f"{m.group(1)} ***", text)
    return _SECRET_KEYS.sub(lambda m: f"{m.group(1)}***", text)
