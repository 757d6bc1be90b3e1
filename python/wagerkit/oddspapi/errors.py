"""OddsPapi error bodies onto wagerkit's one error tree.

OddsPapi answers errors as ``{error: <http>, message, code | reason, details}`` with a machine
code (``code`` on the live service, ``reason`` in some docs; both are read). The mapping:

=========================================  ===============================================
``missing_api_key`` / ``invalid_api_key``  :class:`~wagerkit.errors.AuthError` (401)
``sport_not_allowed``                      :class:`SportNotAllowed` (an entitlement)
``bookmaker_not_allowed``                  :class:`BookmakerNotAllowed`
``channel_not_allowed``                    :class:`ChannelNotAllowed`
``rate_limited`` (429)                     :class:`~wagerkit.errors.RateLimited`
``rate_limiter_error`` (503)               :class:`RateLimiterDown` (a server error: reads
                                           are retried)
``invalid_filters`` / ``validation_error``  :class:`InvalidRequest`
``not_implemented`` (501)                  :class:`~wagerkit.errors.NotImplementedByVenue`
=========================================  ===============================================

Entitlement errors are their own classes because the right reaction differs from "no data":
the key's plan does not cover that sport, bookmaker or endpoint family, and asking again will
never help. ``inferred`` is True when the client raised one itself for an empty answer that the
key's entitlements explain (see :mod:`wagerkit.oddspapi.client`).
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from typing import Any

import msgspec

from wagerkit.errors import (
    AuthError,
    NotFound,
    NotImplementedByVenue,
    ProtocolError,
    RateLimited,
    ServerError,
    VenueError,
    clamp_retry_after,
)

__all__ = [
    "BookmakerNotAllowed",
    "ChannelNotAllowed",
    "EntitlementError",
    "InvalidRequest",
    "RateLimiterDown",
    "SportNotAllowed",
    "error_from_response",
    "retry_after_of",
]


class EntitlementError(AuthError):
    """The key is not entitled to what was asked (403). Retrying will not help.

    ``code`` is OddsPapi's machine code, ``denied`` what was refused (sport ids, bookmaker
    slugs or channel names, when known) and ``inferred`` True when the client concluded it from
    an empty answer plus the key's entitlement lists rather than from a 403.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        denied: tuple[str, ...] = (),
        status: int | None = 403,
        body: Any = None,
        inferred: bool = False,
    ) -> None:
        super().__init__(message, status=status, body=body)
        self.code = code
        self.denied = denied
        self.inferred = inferred


class SportNotAllowed(EntitlementError):
    """``sport_not_allowed``: the key's plan does not include that sport."""


class BookmakerNotAllowed(EntitlementError):
    """``bookmaker_not_allowed``: the key's plan does not include that bookmaker."""


class ChannelNotAllowed(EntitlementError):
    """``channel_not_allowed``: the key's plan does not include that endpoint family."""


class RateLimiterDown(ServerError):
    """503 ``rate_limiter_error``: OddsPapi's own limiter is down. A read may be retried."""


class InvalidRequest(VenueError):
    """400/422 ``invalid_filters``/``validation_error``: the venue refused the parameters.

    The client checks what it can before sending (:class:`~wagerkit.errors.InvalidInput`);
    this is what it could not know (an unknown id, a filter combination the venue refuses).
    """


_ENTITLEMENTS: dict[str, type[EntitlementError]] = {
    "sport_not_allowed": SportNotAllowed,
    "bookmaker_not_allowed": BookmakerNotAllowed,
    "channel_not_allowed": ChannelNotAllowed,
}

_DENIED_FIELDS = ("denied", "bookmaker", "bookmakers", "sportId", "sportIds", "requestedChannels")


def retry_after_of(headers: Mapping[str, str], *, now: float | None = None) -> float:
    """Seconds to wait from ``Retry-After`` (seconds or an HTTP date), else from
    ``X-RateLimit-Reset`` (Unix seconds), else 1 s; clamped to a sane range."""
    value = headers.get("retry-after")
    now = time.time() if now is None else now
    if value is not None:
        try:
            return clamp_retry_after(float(value))
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value).timestamp()
            except (TypeError, ValueError):
                when = None
            if when is not None:
                return clamp_retry_after(when - now)
    reset = headers.get("x-ratelimit-reset")
    if reset is not None:
        try:
            return clamp_retry_after(float(reset) - now)
        except ValueError:
            pass
    return 1.0


def _body_of(content: bytes) -> dict[str, Any]:
    try:
        body = msgspec.json.decode(content[:65536])
    except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


_SECRET_FIELDS = frozenset({"apikey", "api_key", "key", "token", "password"})


def _scrub(value: Any, redact: Any, depth: int = 0) -> Any:
    """``value`` with every string redacted and secret-named fields masked (a venue echoing
    the request's ``apiKey`` must not carry it into an exception)."""
    if depth > 20:
        return "..."
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {
            k: "***" if str(k).lower() in _SECRET_FIELDS else _scrub(v, redact, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_scrub(v, redact, depth + 1) for v in value]
    return value


def _denied(body: Mapping[str, Any]) -> tuple[str, ...]:
    for name in _DENIED_FIELDS:
        value = body.get(name)
        if value is None and isinstance(body.get("details"), dict):
            value = body["details"].get(name)
        if isinstance(value, (str, int)):
            return (str(value),)
        if isinstance(value, list):
            return tuple(str(v) for v in value[:50] if isinstance(v, (str, int)))
    return ()


def error_from_response(
    status: int,
    content: bytes,
    headers: Mapping[str, str],
    *,
    what: str,
    redact: Any = None,
) -> Exception:
    """The typed error for a non-2xx OddsPapi answer. ``what`` names the call in the message;
    ``redact`` (a ``str -> str``) scrubs secrets from the venue's text."""
    body = _body_of(content)
    code = body.get("code") or body.get("reason") or ""
    code = code if isinstance(code, str) else str(code)
    message = body.get("message") if isinstance(body.get("message"), str) else ""
    text = f"{what}: {status} {code or 'error'}" + (f": {message}" if message else "")
    if redact is not None:
        text = redact(text)
        body = _scrub(body, redact)
    if code in _ENTITLEMENTS:
        return _ENTITLEMENTS[code](text, code=code, denied=_denied(body), status=status, body=body)
    if code == "rate_limiter_error":  # the limiter is down, whatever the status says
        return RateLimiterDown(text, status=status, body=body)
    if status == 429 or code == "rate_limited":
        return RateLimited(text, retry_after=retry_after_of(headers), limit=what)
    if status in (401, 403):
        return AuthError(text, status=status, body=body)
    if status == 404:
        return NotFound(text, status=status, body=body)
    if status == 501 or code == "not_implemented":
        return NotImplementedByVenue(text, status=status, body=body)
    if status in (400, 422) or code in ("invalid_filters", "validation_error"):
        return InvalidRequest(text, status=status, body=body)
    if status >= 500:
        return ServerError(text, status=status, body=body)
    return ProtocolError(f"{text} (unexpected status)", status=status, body=body)
