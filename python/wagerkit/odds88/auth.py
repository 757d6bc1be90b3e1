"""Odds88 login: client id + password → a JWT, reused for up to 24 hours, renewed before expiry.

``POST /api/Account/login`` answers with the bare token (``text/plain`` or a JSON string). The
docs say a token can and should be reused for up to 24 hours, so :class:`TokenManager` keeps one,
renews it a margin before it would expire (earlier if the JWT's own ``exp`` says so) and logs in
again at once after a 401. Concurrent callers share one login. Login is limited to 5 requests per
second per account (the docs' stricter figure).

The password and the token are held in :class:`Secret` wrappers: they never appear in a repr, a
log line or an exception message.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import math
from collections.abc import Callable

import anyio
import msgspec

from wagerkit.clock import Clock, SystemClock
from wagerkit.errors import AuthError, InvalidInput, ProtocolError, redact
from wagerkit.odds88.responses import excerpt, raise_for_status
from wagerkit.transport.http import DECODE_FAILURES, HttpTransport
from wagerkit.transport.ratelimit import RateLimiter

__all__ = ["LOGIN_PATH", "TOKEN_LIFETIME", "Secret", "TokenManager"]

log = logging.getLogger("wagerkit.odds88.auth")

LOGIN_PATH = "/api/Account/login"
TOKEN_LIFETIME = 24 * 3600.0
"""Seconds a token may be reused, per the docs."""

_MAX_TOKEN = 8192


class Secret:
    """A string that does not show itself: ``repr`` and ``str`` are ``'***'``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value itself, for the one place that must send it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def _jwt_expiry(token: str) -> float | None:
    """The ``exp`` claim of a JWT (Unix seconds), without verifying it; ``None`` if absent.

    The token is the venue's (up to 8 KiB), so a payload nested thousands deep or an ``exp``
    of 10**400 must mean "no usable expiry", not a RecursionError or an OverflowError.
    """
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError, RecursionError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    if isinstance(exp, bool) or not isinstance(exp, (int, float)):
        return None
    try:
        value = float(exp)
    except OverflowError:
        return None
    return value if math.isfinite(value) else None


def _parse_token(response_body: bytes, content_type: str, scrub: Callable[[str], str]) -> str:
    text: object
    if "json" in content_type or response_body[:1] == b'"':
        try:  # typed: anything but a JSON string fails at its first byte, however deep
            text = msgspec.json.decode(response_body, type=str)
        except DECODE_FAILURES:
            raise ProtocolError(
                "login: malformed JSON token", body=excerpt(response_body, scrub)
            ) from None
    else:
        text = response_body.decode("utf-8", "replace").strip()
    if (
        not isinstance(text, str)
        or not 16 <= len(text) <= _MAX_TOKEN
        or not text.isascii()
        or any(ch.isspace() or not ch.isprintable() for ch in text)
    ):
        # never echo what might be a token
        raise ProtocolError("login: the response is not a bearer token")
    return text


class TokenManager:
    """Hands out a valid JWT for the ``Authorization: Bearer`` header, logging in as needed.

    ``renew_before`` is how many seconds before expiry a token is replaced. ``clock`` decides
    when that is (a :class:`~wagerkit.clock.FakeClock` in tests).
    """

    def __init__(
        self,
        http: HttpTransport,
        client_id: str,
        password: str,
        *,
        clock: Clock | None = None,
        lifetime: float = TOKEN_LIFETIME,
        renew_before: float = 900.0,
        limiter: RateLimiter | None = None,
    ) -> None:
        if not isinstance(client_id, str) or not client_id.strip():
            raise InvalidInput("client_id must be a non-empty string", field="client_id")
        if not isinstance(password, str) or not password:
            raise InvalidInput("password must be a non-empty string", field="password")
        if not 0 <= renew_before < lifetime:
            raise InvalidInput("renew_before must be in [0, lifetime)", field="renew_before")
        self._http = http
        self.client_id = client_id
        self._password = Secret(password)
        self._token: Secret | None = None
        self._old_tokens: list[Secret] = []
        self._renew_at = 0.0
        self._expires_at = 0.0
        self._clock: Clock = clock or SystemClock()
        self._lifetime = lifetime
        self._renew_before = renew_before
        self._limiter = limiter or RateLimiter(5.0, 1.0)
        self._lock = anyio.Lock()
        self.logins = 0
        """How many successful logins this manager made (for monitoring and tests)."""

    def redact(self, text: str) -> str:
        """Scrub the password and every token this manager has held from ``text``."""
        secrets = [self._password.reveal()]
        secrets += [t.reveal() for t in self._old_tokens]
        if self._token is not None:
            secrets.append(self._token.reveal())
        return redact(text, secrets)

    @property
    def expires_at(self) -> float | None:
        """When the current token stops being used (``clock.monotonic()`` seconds)."""
        return self._expires_at if self._token is not None else None

    def _valid(self) -> bool:
        return self._token is not None and self._clock.monotonic() < self._renew_at

    async def token(self) -> str:
        """A token that is valid now; logs in when there is none or it is due for renewal."""
        if self._valid():
            assert self._token is not None
            return self._token.reveal()
        async with self._lock:
            if not self._valid():
                await self._login()
            assert self._token is not None
            return self._token.reveal()

    def invalidate(self, token: str) -> None:
        """Drop ``token`` after the venue refused it (401); the next call logs in again.

        A token that was already replaced is ignored, so a burst of 401s causes one login.
        """
        if self._token is not None and self._token.reveal() == token:
            self._renew_at = 0.0

    async def _login(self) -> None:
        await self._limiter.acquire()
        body = {"clientId": self.client_id, "password": self._password.reveal()}
        started = self._clock.monotonic()
        wall_started = self._clock.time()
        response = await self._http.request("POST", LOGIN_PATH, json=body)
        if response.status_code in (400, 401, 403):
            raise AuthError(
                f"login refused for client id {self.client_id!r} (HTTP {response.status_code})",
                status=response.status_code,
            )
        raise_for_status(response, what="login", redact=self.redact)
        token = _parse_token(
            response.content, response.headers.get("content-type", ""), self.redact
        )
        lifetime = self._lifetime
        exp = _jwt_expiry(token)
        if exp is not None:
            lifetime = min(lifetime, exp - wall_started)
        if lifetime <= 0:
            raise ProtocolError("login: the venue issued a token that has already expired")
        if self._token is not None:
            self._old_tokens = [*self._old_tokens[-3:], self._token]
        self._token = Secret(token)
        self._expires_at = started + lifetime
        self._renew_at = started + max(lifetime - self._renew_before, lifetime / 2)
        self.logins += 1
        log.info("odds88: logged in as %s; token renewed in %.0f s", self.client_id, lifetime)

    def __repr__(self) -> str:
        state = "none" if self._token is None else "held"
        return f"TokenManager(client_id={self.client_id!r}, token={state})"
