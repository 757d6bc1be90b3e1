"""Async HTTP for every venue client: keep-alive pool, per-call timeouts, rate limiting,
HTTPS enforcement and the mapping of transport failures onto the error tree.

What a failure means for a bet is decided here, once:

- the connection could not be opened (refused, DNS, connect timeout, pool exhausted):
  :class:`~wagerkit.errors.ConnectFailed`, the request never left, a retry is safe;
- anything after the request started going out (read/write timeout, reset, malformed HTTP):
  :class:`~wagerkit.errors.MaybePlaced`, the venue may have acted on it.

Error *bodies* are venue-specific, so status codes are left to each client.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx
import msgspec

from wagerkit.errors import ConnectFailed, InvalidInput, MaybePlaced, NetworkError, redact
from wagerkit.transport.ratelimit import Limiter

__all__ = ["DECODE_FAILURES", "HttpTransport", "check_base_url", "is_loopback_url"]

DECODE_FAILURES: tuple[type[Exception], ...] = (
    msgspec.DecodeError,  # malformed or truncated JSON; ValidationError (wrong types) is one
    RecursionError,  # JSON nested thousands deep (msgspec raises it, not a DecodeError)
    UnicodeDecodeError,  # invalid UTF-8 inside a JSON string
)
"""Everything reading a venue's body can raise. Every client turns these into
:class:`~wagerkit.errors.ProtocolError` (or :class:`~wagerkit.errors.MaybePlaced` for a
placement), so a hostile answer never escapes the error tree."""

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}

# Failures that happen before a single byte of the request reaches the venue.
_NEVER_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
)


def is_loopback_url(url: str) -> bool:
    """True when ``url`` points at this machine (127.0.0.0/8, ::1 or localhost)."""
    host = (urlsplit(url).hostname or "").lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str, *, allow_insecure: bool = False) -> str:
    """Validate a venue base URL and return it without a trailing slash.

    Plain ``http``/``ws`` is refused unless the host is loopback (the simulators) or
    ``allow_insecure`` is set: an API key must never cross a network in clear text.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https", "ws", "wss"} or not parts.hostname:
        raise InvalidInput(f"not an http(s) or ws(s) URL: {url!r}", field="base_url")
    if parts.scheme in {"http", "ws"} and not (allow_insecure or is_loopback_url(url)):
        raise InvalidInput(
            f"{parts.scheme}:// is only allowed for loopback hosts; use https:// for "
            f"{parts.hostname}",
            field="base_url",
        )
    return url.rstrip("/")


class HttpTransport:
    """One pooled ``httpx.AsyncClient`` bound to a venue base URL.

    ``secrets`` are literal values (keys, passwords, tokens) scrubbed from every error message;
    ``headers``/``auth`` are never shown in :func:`repr`. ``transport`` is the httpx transport
    seam for tests. ``limiter`` (usually a shared
    :class:`~wagerkit.transport.ratelimit.SlidingWindowLimiter`) is awaited before each request,
    and a 429 with a numeric ``Retry-After`` holds it back for that long (every client sharing
    it waits, not only the one refused).
    """

    def __init__(
        self,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
        secrets: Sequence[str] = (),
        timeout: float = 10.0,
        limiter: Limiter | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        allow_insecure: bool = False,
        max_connections: int = 32,
    ) -> None:
        self.base_url = check_base_url(base_url, allow_insecure=allow_insecure)
        self._secrets = tuple(s for s in secrets if s)
        self._limiter = limiter
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            headers=dict(headers or {}),
            auth=auth,
            timeout=httpx.Timeout(timeout),
            transport=transport,
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            follow_redirects=False,
        )

    def redact(self, text: str) -> str:
        """Scrub this transport's secrets (and anything secret-looking) from ``text``."""
        return redact(text, self._secrets)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> httpx.Response:
        """Send one request and return the response whatever its status.

        ``json`` is encoded with msgspec (Structs, dicts, lists). ``request_id`` (a requestUuid
        or uniqueRequestId) is attached to :class:`MaybePlaced` so the caller can reconcile.
        """
        if json is not None:
            content = msgspec.json.encode(json)
            headers = {**(headers or {}), "content-type": "application/json"}
        if self._limiter is not None:
            await self._limiter.acquire()
        extra: dict[str, Any] = {}
        if timeout is not None:
            extra["timeout"] = httpx.Timeout(timeout)
        try:
            response = await self._client.request(
                method, path, params=params, content=content, headers=headers, **extra
            )
        except _NEVER_SENT as exc:
            raise ConnectFailed(
                self.redact(f"{method} {path}: could not connect ({type(exc).__name__}: {exc})")
            ) from None
        except httpx.HTTPError as exc:
            # Timeouts, resets, malformed HTTP, a body that fails to decompress: the request
            # (or part of it) went out, so the venue may have acted on it.
            raise MaybePlaced(
                self.redact(
                    f"{method} {path}: no complete response ({type(exc).__name__}: {exc}); "
                    "the venue may have processed the request"
                ),
                request_id=request_id,
            ) from None
        if response.status_code == 429 and self._limiter is not None:
            self._limiter.penalize(_retry_after_seconds(response.headers.get("retry-after")))
        correct = getattr(self._limiter, "correct", None)  # a shared budget follows the venue
        if correct is not None:
            left = response.headers.get("x-ratelimit-remaining", "")
            if left.isdigit():
                correct(int(left))
        return response

    @asynccontextmanager
    async def stream(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None
    ) -> AsyncIterator[httpx.Response]:
        """Like :meth:`request` (a read: no body is sent), but the response body is not read:
        iterate ``response.aiter_bytes()`` inside the block. For bodies too big to hold (a
        big fixture's historical odds are ~100 MB). Connect failures are ConnectFailed, a
        broken body is :class:`~wagerkit.errors.NetworkError`."""
        if self._limiter is not None:
            await self._limiter.acquire()
        try:
            async with self._client.stream(method, path, params=params) as response:
                if response.status_code == 429 and self._limiter is not None:
                    self._limiter.penalize(
                        _retry_after_seconds(response.headers.get("retry-after"))
                    )
                yield response
        except _NEVER_SENT as exc:
            raise ConnectFailed(
                self.redact(f"{method} {path}: could not connect ({type(exc).__name__}: {exc})")
            ) from None
        except httpx.HTTPError as exc:
            raise NetworkError(
                self.redact(f"{method} {path}: the body broke off ({type(exc).__name__}: {exc})")
            ) from None

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def __aenter__(self) -> HttpTransport:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"HttpTransport(base_url={_without_userinfo(self.base_url)!r})"


def _without_userinfo(url: str) -> str:
    """``url`` without any ``user:password@`` part, for reprs and logs."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]).geturl()


def _retry_after_seconds(header: str | None) -> float:
    """A numeric ``Retry-After`` in seconds; 0 when absent or not a number (HTTP dates are left
    to the venue clients, which parse them for their own retry decision)."""
    if header is None:
        return 0.0
    try:
        value = float(header.strip())
    except ValueError:
        return 0.0
    return value if math.isfinite(value) and value > 0 else 0.0
