"""Turn Odds88 HTTP answers into typed objects or errors of the one tree.

Odds88 documents 400 as an ASP.NET ``ProblemDetails`` body and 401, 403, 429 and 500 without a
body. Anything else that comes back (HTML from a proxy, a huge body, the wrong JSON type) is a
:class:`~wagerkit.errors.ProtocolError` with a short, redacted excerpt, never passed on.
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
)
from wagerkit.odds88.models import ProblemDetails, Wire

__all__ = ["MAX_BODY", "decode", "excerpt", "raise_for_status"]

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


def decode(
    decoder: msgspec.json.Decoder[T], data: bytes, *, what: str, redact: Callable[[str], str]
) -> T:
    """Decode ``data`` or raise ProtocolError naming ``what`` was expected; keep ``.raw``."""
    if len(data) > MAX_BODY:
        raise ProtocolError(f"{what}: response of {len(data)} bytes is too large")
    try:
        obj = decoder.decode(data)
    except msgspec.DecodeError as exc:
        raise ProtocolError(
            f"{what}: malformed response ({redact(str(exc))})", body=excerpt(data, redact)
        ) from None
    if isinstance(obj, Wire):
        msgspec.structs.force_setattr(obj, "_raw", bytes(data))
    return obj


def _retry_after(response: httpx.Response, default: float) -> float:
    value = response.headers.get("retry-after")
    if not value:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, when.timestamp() - time.time())


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
        except msgspec.DecodeError:
            detail = excerpt(body, redact)
    detail = redact(detail)
    message = f"{what}: HTTP {status}" + (f": {detail}" if detail else "")
    shown = excerpt(body, redact) if body else None
    if status in (401, 403):
        raise AuthError(message, status=status, body=shown)
    if status == 404:
        raise NotFound(message, status=status, body=shown)
    if status == 409:
        raise Conflict(message, status=status, body=shown)
    if status == 429:
        raise RateLimited(message, retry_after=_retry_after(response, 1.0), limit=what)
    if status >= 500:
        if ambiguous_5xx:
            raise MaybePlaced(
                message + "; the venue may have processed the request", request_id=request_id
            )
        raise ServerError(message, status=status, body=shown)
    raise VenueError(message, status=status, body=shown)
