"""Turn Odds88 HTTP answers into typed objects or errors of the one tree.

Odds88 documents 400 as an ASP.NET ``ProblemDetails`` body and 401, 403, 429 and 500 without a
body. Anything else that comes back (HTML from a proxy, a huge body, the wrong JSON type) is a
:class:`~wagerkit.errors.ProtocolError` with a short, redacted excerpt, never passed on.

Text the venue chooses (a ProblemDetails ``detail``, a reject message) reaches an exception only
through :func:`venue_text`: cut to a few hundred characters, printable, redacted. A
``Retry-After`` goes through :func:`parse_retry_after`, which never returns more than
:data:`~wagerkit.errors.RateLimited.MAX_RETRY_AFTER` seconds, whatever the header says.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from typing import TypeVar

import httpx
import msgspec

from wagerkit.errors import (
    AuthError,
    Conflict,
    MaybePlaced,
    NotFound,
    ProtocolError,
    RateLimited,
    ServerError,
    VenueError,
    clamp_retry_after,
)
from wagerkit.odds88.models import ProblemDetails, Wire
from wagerkit.transport.http import DECODE_FAILURES

__all__ = [
    "MAX_BODY",
    "decode",
    "excerpt",
    "parse_retry_after",
    "raise_for_status",
    "venue_text",
]

T = TypeVar("T")

MAX_BODY = 4 * 1024 * 1024
"""Largest response body decoded (bytes); anything bigger is refused as hostile."""

_EXCERPT = 200
_problem_decoder = msgspec.json.Decoder(ProblemDetails)


def excerpt(data: bytes, redact: Callable[[str], str]) -> str:
    """A short printable, redacted view of a body for an error message."""
    text = data[:_EXCERPT].decode("utf-8", "replace")
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return redact(text) + ("…" if len(data) > _EXCERPT else "")


def venue_text(text: str, redact: Callable[[str], str]) -> str:
    """Venue-chosen text made fit for an error message: at most a couple of hundred printable
    characters, redacted. A hostile venue cannot make our exceptions megabytes long."""
    cut = text[:_EXCERPT]
    cut = "".join(ch if ch.isprintable() else "?" for ch in cut)
    return redact(cut) + ("…" if len(text) > _EXCERPT else "")


def decode(
    decoder: msgspec.json.Decoder[T], data: bytes, *, what: str, redact: Callable[[str], str]
) -> T:
    """Decode ``data`` or raise ProtocolError naming ``what`` was expected; keep ``.raw``."""
    if len(data) > MAX_BODY:
        raise ProtocolError(f"{what}: response of {len(data)} bytes is too large")
    try:
        obj = decoder.decode(data)
    except DECODE_FAILURES as exc:
        # msgspec raises RecursionError, not a DecodeError, for JSON nested thousands deep,
        # even inside a field it would skip, and UnicodeDecodeError for invalid UTF-8 in a
        # string: hostile input all the same
        raise ProtocolError(
            f"{what}: malformed response ({redact(str(exc))})", body=excerpt(data, redact)
        ) from None
    if isinstance(obj, Wire):
        msgspec.structs.force_setattr(obj, "_raw", bytes(data))
    return obj


def parse_retry_after(value: str | None, default: float) -> float:
    """Seconds a ``Retry-After`` header asks for, clamped into [0, RateLimited.MAX_RETRY_AFTER].

    Both forms are read (delta seconds and an HTTP date). ``inf``, ``1e400``, a date in the
    year 9999 are capped; NaN, garbage and impossible dates give ``default``: a hostile header
    can neither crash the arithmetic nor park a bot for days.
    """
    if not value:
        return clamp_retry_after(default)
    text = value.strip()[:64]
    try:
        return clamp_retry_after(float(text), default=default)
    except (ValueError, OverflowError):
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
        return clamp_retry_after(when.timestamp() - time.time(), default=default)
    except (TypeError, ValueError, IndexError, OverflowError, OSError):
        return clamp_retry_after(default)


def raise_for_status(
    response: httpx.Response,
    *,
    what: str,
    redact: Callable[[str], str],
    request_id: str | None = None,
    ambiguous_5xx: bool = False,
) -> None:
    """Raise the error the status means; return for 2xx.

    ``ambiguous_5xx`` marks a call that changes money (place a bet, cash out): a 5xx then means
    the venue may have acted, so it raises MaybePlaced carrying ``request_id``.
    """
    status = response.status_code
    if 200 <= status < 300:
        return
    body = response.content[:MAX_BODY]
    detail = ""
    if body:
        try:
            problem = _problem_decoder.decode(body)
            detail = " ".join(p for p in (problem.title, problem.detail) if p)
            detail = venue_text(detail, redact)
        except DECODE_FAILURES:
            detail = excerpt(body, redact)
    message = f"{what}: HTTP {status}" + (f": {detail}" if detail else "")
    shown = excerpt(body, redact) if body else None
    if status in (401, 403):
        raise AuthError(message, status=status, body=shown)
    if status == 404:
        raise NotFound(message, status=status, body=shown)
    if status == 409:
        raise Conflict(message, status=status, body=shown)
    if status == 429:
        raise RateLimited(
            message,
            retry_after=parse_retry_after(response.headers.get("retry-after"), 1.0),
            limit=what,
        )
    if status >= 500:
        if ambiguous_5xx:
            raise MaybePlaced(
                message + "; the venue may have processed the request", request_id=request_id
            )
        raise ServerError(message, status=status, body=shown)
    raise VenueError(message, status=status, body=shown)
