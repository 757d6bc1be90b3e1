"""The Pinnacle HTTP session: Basic auth, pacing, decoding and error mapping for one account.

Everything a Pinnacle call needs besides its own parameters lives here, so that
:mod:`wagerkit.pinnacle.client` reads like the API reference. Credentials go into an
``httpx.BasicAuth`` (never into a header dict we could print) and every message built here is
scrubbed of the username, the password and the encoded header value.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import Any, TypeVar

import httpx

from wagerkit.clock import Clock
from wagerkit.errors import ProtocolError, RateLimited, WagerkitError, clamp_retry_after
from wagerkit.pinnacle.errors import error_for_response
from wagerkit.pinnacle.models import Response, decode
from wagerkit.pinnacle.pacer import Pacer
from wagerkit.transport import DECODE_FAILURES, HttpTransport, RetryPolicy

__all__ = ["DEFAULT_BASE_URL", "PinnacleHttp", "Query", "query_value"]

DEFAULT_BASE_URL = "https://api.pinnacle.com"
T = TypeVar("T", bound=Response)
Query = Mapping[str, Any]


def query_value(value: object) -> str | None:
    """Pinnacle's query encoding: lists comma-separated, booleans ``1``/``0``, dates ISO 8601
    UTC with ``Z``; ``None`` means "leave the parameter out"."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return str(value.isoformat())
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [query_value(v) for v in value]
        return ",".join(i for i in items if i is not None) or None
    return str(value)


class _ReadRetry(RetryPolicy):
    """The shared policy for reads, minus 429s: the pacer owns those (it waits the
    ``Retry-After`` on the injectable clock and keeps every other caller out meanwhile)."""

    def should_retry(self, exc: Exception, *, read: bool) -> bool | dt.timedelta:
        if isinstance(exc, RateLimited):
            return False
        return RetryPolicy.should_retry(self, exc, read=read)


class PinnacleHttp:
    """One account's session. ``pacer`` is consulted before every paced call; a 429 blocks the
    endpoint in the pacer for its (clamped) ``Retry-After``, and the read waits and tries again
    (at most ``max_429`` times) when the wait is at most ``max_429_wait`` seconds. A longer
    one raises :class:`RateLimited` at once, and so does every read of the endpoint while it
    stays blocked that long: the caller decides, the client never sleeps through it.

    The default (300 s) is above every per-endpoint interval of the fair-use presets except
    the hourly ``/sports``/``/leagues`` ones, so an ordinary fair-use 429 is waited out like
    the pacer's own intervals, while a hostile ``Retry-After: 1e9`` surfaces at once.
    Placements do not use this: see :mod:`~wagerkit.pinnacle.placement`."""

    def __init__(
        self,
        username: str,
        password: str,
        *,
        base_url: str,
        pacer: Pacer,
        clock: Clock,
        retry: RetryPolicy,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None,
        user_agent: str,
        max_429: int = 3,
        max_429_wait: float = 300.0,
    ) -> None:
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        self.pacer = pacer
        self.clock = clock
        # every field of the caller's policy carried over (max_retry_after included)
        self.retry = _ReadRetry(**{f.name: getattr(retry, f.name) for f in fields(retry)})
        self.max_429 = max_429
        self.max_429_wait = clamp_retry_after(max_429_wait, default=300.0)
        self._http = HttpTransport(
            base_url,
            headers={"accept": "application/json", "user-agent": user_agent},
            auth=httpx.BasicAuth(username, password),
            secrets=(password, token, username),
            timeout=timeout,
            transport=transport,
        )

    @property
    def base_url(self) -> str:
        return self._http.base_url

    def redact(self, text: str) -> str:
        return self._http.redact(text)

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- one exchange ------------------------------------------------------------------------

    async def send(
        self,
        method: str,
        path: str,
        *,
        params: Query | None = None,
        body: Any = None,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> httpx.Response:
        """One request, no retry, no pacing; transport failures are already mapped."""
        query = None
        if params is not None:
            query = {
                k: v for k, v in ((k, query_value(v)) for k, v in params.items()) if v is not None
            }
        return await self._http.request(
            method, path, params=query, json=body, timeout=timeout, request_id=request_id
        )

    def check(self, response: httpx.Response, what: str) -> None:
        """Raise the mapped error for an HTTP error status."""
        if response.status_code >= 400:
            raise error_for_response(
                response.status_code,
                response.content,
                response.headers,
                what=what,
                redact=self.redact,
                default_retry_after=self.pacer.policy.default_retry_after,
            )

    def decode(self, response: httpx.Response, type_: type[T], what: str) -> T:
        """Decode a 200 body or raise :class:`ProtocolError` (never a half-built object)."""
        try:
            return decode(response.content, type_)
        except DECODE_FAILURES as exc:
            excerpt = self.redact(response.content[:300].decode("utf-8", "replace"))
            raise ProtocolError(
                self.redact(f"{what}: unexpected response ({exc})"),
                status=response.status_code,
                body=excerpt,
            ) from None

    # -- reads: paced, retried ---------------------------------------------------------------

    async def read(
        self,
        path: str,
        type_: type[T],
        params: Query | None = None,
        *,
        sport_id: int | None = None,
        snapshot: bool = False,
        method: str = "GET",
        body: Any = None,
        empty: Callable[[], T] | None = None,
    ) -> T:
        """A read (GET, or a POST that only validates, like ``/v2/line/parlay``): paced by the
        fair-use policy, retried on connect failures and 5xx, 429s waited out in the pacer.

        ``empty`` builds the result for an empty 200 body (Pinnacle answers a ``since`` call
        with no changes that way).
        """
        what = f"{method} {path}"

        longest = self.max_429_wait

        async def once() -> T:
            last: WagerkitError | None = None
            for _ in range(self.max_429 + 1):
                blocked = self.pacer.blocked_for(path, sport_id)
                if blocked > longest + self.pacer.margin:
                    raise RateLimited(
                        f"{what}: blocked by Pinnacle's 429 for another {blocked:.0f}s",
                        retry_after=blocked,
                        limit=what,
                    )
                await self.pacer.acquire(path, sport_id, snapshot=snapshot)
                response = await self.send(method, path, params=params, body=body)
                if response.status_code == 429:
                    exc = error_for_response(
                        429,
                        response.content,
                        response.headers,
                        what=what,
                        redact=self.redact,
                        default_retry_after=self.pacer.policy.default_retry_after,
                    )
                    assert isinstance(exc, RateLimited)
                    self.pacer.penalize(path, sport_id, exc.retry_after)  # other callers too
                    if exc.retry_after > longest:
                        raise exc
                    last = exc
                    continue
                self.check(response, what)
                if empty is not None and not response.content.strip():
                    return empty()
                return self.decode(response, type_, what)
            assert last is not None
            raise last

        return await self.retry.call(once, read=True)
