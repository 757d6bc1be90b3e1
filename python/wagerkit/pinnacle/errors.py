"""Pinnacle failures mapped onto :mod:`wagerkit.errors`.

Two sources of failure, two functions:

- an HTTP error status with an ``ErrorResponse`` body → :func:`error_for_response`
  (401/403 → :class:`AuthError`, 429 → :class:`RateLimited` with ``Retry-After``, 5xx →
  :class:`ServerError`, other 4xx → :class:`VenueError`);
- a place-bet answer ``PROCESSED_WITH_ERROR`` with an ``errorCode`` → :func:`error_for_code`:
  every documented code is a :class:`Declined` whose ``reason`` is the code, except
  ``DUPLICATED_REQUEST`` (:class:`DuplicateRequest`: the bet exists, look it up).

``SYSTEM_ERROR_*`` and ``RESUBMIT_REQUEST`` are handled by the client before mapping (the first
is reconciled by ``uniqueRequestId``, the second resubmitted with the same id); when they still
reach the caller they are a :class:`Declined` (nothing was placed).
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Callable, Mapping

import msgspec

from wagerkit.errors import (
    AuthError,
    Declined,
    DuplicateRequest,
    NotFound,
    RateLimited,
    ServerError,
    VenueError,
    WagerkitError,
    clamp_retry_after,
)
from wagerkit.pinnacle.codes import (
    BETS_ERROR_CODES,
    PARLAY_ERROR_CODES,
    SPECIAL_ERROR_CODES,
    STRAIGHT_ERROR_CODES,
    TEASER_ERROR_CODES,
)
from wagerkit.transport.http import DECODE_FAILURES

__all__ = [
    "AMBIGUOUS_CODES",
    "DUPLICATE_CODES",
    "error_for_code",
    "error_for_response",
    "parse_retry_after",
]

DUPLICATE_CODES = frozenset({"DUPLICATED_REQUEST", "DUPLICATE_UNIQUE_REQUEST_ID"})
"""``DUPLICATE_UNIQUE_REQUEST_ID`` is the 2018 name, still used by old special-bet servers."""

AMBIGUOUS_CODES = frozenset({"SYSTEM_ERROR_1", "SYSTEM_ERROR_2", "SYSTEM_ERROR_3"})
""""Unexpected error": the FAQ says never to assume such a bet failed, so the client looks it
up by ``uniqueRequestId`` before reporting anything."""

_MEANINGS: dict[str, str] = {
    **TEASER_ERROR_CODES,
    **SPECIAL_ERROR_CODES,
    **PARLAY_ERROR_CODES,
    **STRAIGHT_ERROR_CODES,
    **BETS_ERROR_CODES,
    "NOT_ACCEPTED": "The live bet was not accepted after the live delay",
    "PROCESSED_WITH_ERROR": "Declined without an error code, and not found by uniqueRequestId",
}


def parse_retry_after(value: str | None, *, now: Callable[[], float] | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date), or
    ``None`` when there is no usable value (the caller then uses the policy's default).

    The venue is not trusted with our time: every value goes through
    :func:`~wagerkit.errors.clamp_retry_after`, so ``inf``, ``1e9`` or a date in the year 9999
    become at most :attr:`RateLimited.MAX_RETRY_AFTER` seconds, a negative one 0, and NaN the
    clamp's default.
    """
    if not value:
        return None
    value = value.strip()
    try:
        return clamp_retry_after(float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    current = now() if now is not None else dt.datetime.now(dt.UTC).timestamp()
    return clamp_retry_after(when.timestamp() - current)


def _body_fields(body: bytes) -> tuple[str | None, str | None, object]:
    try:
        data = msgspec.json.decode(body) if body else None
    except DECODE_FAILURES:
        return None, None, body[:200].decode("utf-8", "replace")
    if not isinstance(data, dict):
        return None, None, data
    code = data.get("code")
    message = data.get("message")
    err = data.get("error")
    if isinstance(err, dict):  # LinesErrorResponse: {status, error:{code,message}, code:int}
        code = err.get("code", code)
        message = err.get("message", message)
    return (
        code if isinstance(code, str) else None,
        message if isinstance(message, str) else None,
        data,
    )


def error_for_response(
    status: int,
    body: bytes,
    headers: Mapping[str, str],
    *,
    what: str,
    redact: Callable[[str], str],
    default_retry_after: float = 60.0,
) -> WagerkitError:
    """The exception for an HTTP error answer (``status`` >= 400)."""
    code, message, data = _body_fields(body)
    text = redact(f"{what}: HTTP {status} {code or ''} {message or ''}".strip())
    raw_text = msgspec.json.encode(data).decode() if data is not None else ""
    scrubbed = redact(raw_text)
    safe_body = data if scrubbed == raw_text else scrubbed
    if status == 429:
        wait = parse_retry_after(headers.get("retry-after"))
        return RateLimited(
            text, retry_after=default_retry_after if wait is None else wait, limit=what
        )
    if status in (401, 403):
        return AuthError(text, status=status, body=safe_body)
    if status == 404:
        return NotFound(text, status=status, body=safe_body)
    if status >= 500:
        return ServerError(text, status=status, body=safe_body)
    return VenueError(text, status=status, body=safe_body)


def error_for_code(
    code: str,
    *,
    request_id: str | None,
    bet_id: int | None = None,
    meanings: Mapping[str, str] | None = None,
) -> WagerkitError:
    """The exception for a place-bet ``errorCode`` (``status=PROCESSED_WITH_ERROR``).

    ``meanings`` is the code table of the bet kind (``codes.PARLAY_ERROR_CODES``…): the same
    code means different things per kind (a teaser's ``INSUFFICIENT_FUNDS`` is "risk above the
    available balance"), so the message follows the spec of the endpoint that answered.
    """
    meaning = (meanings or {}).get(code) or _MEANINGS.get(code, "undocumented error code")
    if code in DUPLICATE_CODES:
        return DuplicateRequest(
            f"{code}: {meaning} (uniqueRequestId {request_id}); look the bet up by that id",
            status=200,
            body={"errorCode": code, "uniqueRequestId": request_id, "betId": bet_id},
        )
    return Declined(code, meaning, request_id=request_id)
