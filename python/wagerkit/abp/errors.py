"""Map ABP's HTTP error answers onto :mod:`wagerkit.errors`.

ABP has two error body shapes (middleware ``{"error": ...}`` for auth and rate limits,
application ``{"detail": ...}`` with a list for 422) and a status table (abp-facts §12). A bot
only needs to know which branch of the error tree it is in, so the mapping lives here, once:

- 400, 422 → :class:`InvalidInput` (the venue refused the request: nothing was placed)
- 401, 403 → :class:`AuthError`; 404 → :class:`NotFound`
- 409 → :class:`DuplicateRequest` on /place-orders (every order was a duplicate: they exist),
  :class:`Conflict` elsewhere
- 429 → :class:`RateLimited` with ``Retry-After`` (header first, then the body)
- 501 → :class:`NotImplementedByVenue`; other 5xx → :class:`ServerError` (for a placement this
  is ambiguous: the order manager looks the order up before anything else)
- a 2xx body that does not decode → :class:`ProtocolError`, except on /place-orders, where it
  is :class:`MaybePlaced` (ABP said yes; the orders most likely exist)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import msgspec

from wagerkit.abp.models import ErrorBody, decode_error
from wagerkit.errors import (
    AuthError,
    Conflict,
    DuplicateRequest,
    InvalidInput,
    MaybePlaced,
    NotFound,
    NotImplementedByVenue,
    ProtocolError,
    RateLimited,
    ServerError,
    VenueError,
)

__all__ = [
    "DEFAULT_RETRY_AFTER",
    "error_for",
    "placement_unreadable",
    "protocol_error",
    "retry_after_of",
]

DEFAULT_RETRY_AFTER = 1.0
"""Seconds to wait after a 429 that names no wait (ABP's window is one second)."""

_EXCERPT = 300


def retry_after_of(response: httpx.Response, body: ErrorBody | None) -> float:
    """Seconds to wait: the ``Retry-After`` header, else the body's ``retry_after``."""
    header = response.headers.get("retry-after")
    if header is not None:
        try:
            value = float(header)
        except ValueError:
            value = -1.0
        if value >= 0 and value == value:  # not NaN
            return value
    if body is not None and body.retry_after is not None and body.retry_after >= 0:
        return float(body.retry_after)
    return DEFAULT_RETRY_AFTER


def _body_view(
    body: ErrorBody | None, response: httpx.Response, redact: Callable[[str], str]
) -> Any:
    if body is not None:
        built: Any = msgspec.to_builtins(body)
        return msgspec.json.decode(redact(msgspec.json.encode(built).decode()))
    return redact(response.text[:_EXCERPT])


def error_for(
    response: httpx.Response,
    *,
    redact: Callable[[str], str],
    placement: bool = False,
    request_id: str | None = None,
) -> Exception:
    """The exception for a non-2xx ``response`` (the caller raises it).

    ``placement`` marks POST /place-orders, where 409 means "all duplicates".
    """
    status = response.status_code
    body = decode_error(response.content)
    text = body.message if body is not None else response.text[:_EXCERPT].strip()
    where = f"{response.request.method} {response.request.url.path}"
    message = redact(f"{where}: HTTP {status}: {text}" if text else f"{where}: HTTP {status}")
    view = _body_view(body, response, redact)
    if status in (400, 422):
        field: str | None = None
        if body is not None and isinstance(body.detail, list) and body.detail:
            field = ".".join(str(p) for p in body.detail[0].loc) or None
        return InvalidInput(message, field=field)
    if status in (401, 403):
        return AuthError(message, status=status, body=view)
    if status == 404:
        return NotFound(message, status=status, body=view)
    if status == 409:
        if placement:
            return DuplicateRequest(message, status=status, body=view)
        return Conflict(message, status=status, body=view)
    if status == 429:
        limit = body.limit if body is not None else response.headers.get("x-ratelimit-limit")
        return RateLimited(
            message,
            retry_after=retry_after_of(response, body),
            limit=None if limit is None else str(limit),
        )
    if status == 501:
        return NotImplementedByVenue(message, status=status, body=view)
    if status >= 500:
        return ServerError(message, status=status, body=view)
    return VenueError(message, status=status, body=view)


def protocol_error(
    response: httpx.Response, exc: Exception, *, redact: Callable[[str], str]
) -> ProtocolError:
    """A 2xx body that does not decode into the documented shape."""
    where = f"{response.request.method} {response.request.url.path}"
    excerpt = redact(response.text[:_EXCERPT])
    return ProtocolError(
        redact(f"{where}: unexpected response body ({exc})"),
        status=response.status_code,
        body=excerpt,
    )


def placement_unreadable(
    response: httpx.Response,
    exc: Exception,
    *,
    redact: Callable[[str], str],
    request_id: str | None,
) -> MaybePlaced:
    """A 2xx answer to POST /place-orders whose body does not decode.

    ABP said success, so it has most likely stored the orders; but we cannot read which were
    accepted or declined. That is the ambiguous case (look up by requestUuid), never "nothing
    placed". The message carries a redacted excerpt of the body for the logs.
    """
    where = f"{response.request.method} {response.request.url.path}"
    excerpt = response.text[:_EXCERPT]
    return MaybePlaced(
        redact(
            f"{where}: HTTP {response.status_code} but the body does not decode ({exc}); "
            f"ABP probably stored the orders: look them up by requestUuid. Body: {excerpt!r}"
        ),
        request_id=request_id,
    )
