"""Odds88's cashout and settlement feeds over WebSocket, with recovery that loses nothing.

Both feeds send ``{"pingId": …}`` pings and ``{"data": …}`` updates (``data`` may also be a list).
A :class:`Feed` runs one connection at a time in a background task and hands typed updates to
``async for``. When the connection drops (or goes silent for ``idle_timeout`` seconds) it
reconnects with ``?revision=`` set to the second of the last update received, drops the replayed
updates it already delivered (:class:`~wagerkit.odds88.recovery.ReplayFilter`), and keeps the
documented reconnect budgets (:class:`~wagerkit.odds88.recovery.ReconnectLimiter`) with jittered
backoff between attempts.

Choices where the docs are silent (also in the README): the JWT goes in the upgrade's
``Authorization: Bearer`` header; every ping is answered by sending the same ``{"pingId": …}``
back; the first connect uses ``revision = now - 60 s`` unless given one, so updates published
while the feed was opening are not missed.

Waits are bounded and documented. A refused upgrade's ``Retry-After`` (429) is read through
:func:`~wagerkit.odds88.responses.parse_retry_after` and never waited beyond
:data:`MAX_FEED_WAIT` (30 minutes, the longest documented reconnect window: after it every
budget has refilled), whatever the header says (``inf``, ``1e12``, a date in 9999); a 429 on the
feed's login is capped the same way. Each such attempt counts against ``max_reconnects`` and
takes a slot of the reconnect budget, like any other.

An update stamped more than :data:`FUTURE_TOLERANCE` seconds after our clock still reaches
the caller but is not used as a resume point: one bad timestamp would otherwise move the
revision into the future and make the next reconnect skip everything published until then.

Errors end the ``async for`` with a typed exception: :class:`~wagerkit.errors.AuthError` when the
token is refused twice in a row, :class:`~wagerkit.errors.VenueError` for another refused
upgrade, :class:`~wagerkit.errors.ProtocolError` for a malformed message (unless
``on_malformed`` is given, which is then called and the message skipped).
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import AsyncIterator, Callable
from typing import Any, ClassVar, Generic, Protocol, TypeVar
from urllib.parse import urlsplit, urlunsplit

import anyio
import msgspec
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from wagerkit.clock import Clock
from wagerkit.errors import (
    AuthError,
    InvalidInput,
    NetworkError,
    ProtocolError,
    RateLimited,
    ServerError,
    VenueError,
    WagerkitError,
)
from wagerkit.odds88.auth import TokenManager
from wagerkit.odds88.models import CashoutUpdate, FeedEnvelope, SettledBet
from wagerkit.odds88.recovery import ReconnectLimiter, ReplayFilter
from wagerkit.odds88.responses import excerpt, parse_retry_after
from wagerkit.transport.http import DECODE_FAILURES, check_base_url
from wagerkit.transport.websocket import (
    Backoff,
    ConnectionClosed,
    UpgradeRefused,
    WebSocketError,
    connect_ws,
)

__all__ = ["FUTURE_TOLERANCE", "MAX_FEED_WAIT", "CashoutFeed", "Feed", "SettlementFeed", "feed_url"]

log = logging.getLogger("wagerkit.odds88.feeds")


class TimedUpdate(Protocol):
    """A feed update that knows when it was published (the resume revision comes from it)."""

    def unix_time(self) -> float | None: ...


U = TypeVar("U", bound=TimedUpdate)

_envelope = msgspec.json.Decoder(FeedEnvelope)
_items = msgspec.json.Decoder(list[msgspec.Raw])
_MAX_MESSAGE = 1024 * 1024

MAX_FEED_WAIT = 1800.0
"""Longest wait (clock seconds) a 429 can impose on a feed before its next connect attempt:
the longest documented reconnect window (5 per 30 minutes), after which every budget is full."""

FUTURE_TOLERANCE = 300.0
"""Seconds an update's timestamp may run ahead of our clock and still become the resume
revision (clock skew); a later stamp is delivered but not trusted as a resume point."""


def feed_url(base_url: str, *, allow_insecure: bool = False) -> str:
    """The WebSocket base for a REST base URL: ``https`` → ``wss``, ``http`` → ``ws``."""
    parts = urlsplit(check_base_url(base_url, allow_insecure=allow_insecure))
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    return urlunsplit((scheme, parts.netloc, parts.path, "", "")).rstrip("/")


class _Stop:
    """Sent through the stream to end iteration, with the error that ended the feed."""

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


class Feed(Generic[U]):
    """One Odds88 feed: iterate it (``async for update in feed``) inside ``async with``.

    ``revision`` is the Unix second to resume from (persist :attr:`revision` to resume after a
    restart); ``None`` starts one minute back. ``max_reconnects`` bounds reconnect attempts in
    a row without a healthy connection (``None`` = keep trying within the budgets).
    """

    path: ClassVar[str]
    _decoder: ClassVar[msgspec.json.Decoder[Any]]

    def __init__(
        self,
        ws_base: str,
        auth: TokenManager,
        clock: Clock,
        *,
        revision: int | None = None,
        idle_timeout: float = 60.0,
        backoff: Backoff | None = None,
        limiter: ReconnectLimiter | None = None,
        on_malformed: Callable[[ProtocolError], None] | None = None,
        max_reconnects: int | None = None,
        buffer: int = 10_000,
        keepalive_ping: float | None = 20.0,
        open_feeds: set[str] | None = None,
    ) -> None:
        _check_options(revision, idle_timeout, max_reconnects, buffer, keepalive_ping)
        self._ws_base = ws_base
        self._auth = auth
        self._clock = clock
        start = int(clock.time()) - 60 if revision is None else revision
        self._filter = ReplayFilter(start)
        self._idle_timeout = idle_timeout
        self._backoff = backoff or Backoff()
        self._limiter = limiter or ReconnectLimiter(clock)
        self._on_malformed = on_malformed
        self._max_reconnects = max_reconnects
        self._keepalive = keepalive_ping
        self._open_feeds = open_feeds if open_feeds is not None else set()
        self._send: MemoryObjectSendStream[U | _Stop]
        self._recv: MemoryObjectReceiveStream[U | _Stop]
        self._send, self._recv = anyio.create_memory_object_stream[U | _Stop](buffer)
        self._delivered_revision = self._filter.revision
        self._tg: TaskGroup | None = None
        self._stack: contextlib.AsyncExitStack | None = None
        self.connects = 0
        """Successful connections so far (the first one included)."""
        self.pings = 0
        """Pings answered."""
        self.connected = anyio.Event()
        """Set once the first connection is open (handy before subscribing)."""
        self.waiting_until: float | None = None
        """While a 429 (or a rate-limited login) holds the feed back: the ``clock.monotonic()``
        second it waits for, never more than :data:`MAX_FEED_WAIT` ahead; else ``None``."""

    # -- public -----------------------------------------------------------------------------

    @property
    def revision(self) -> int:
        """The Unix second of the last update handed out: persist it to resume later."""
        return self._delivered_revision

    @property
    def skipped_duplicates(self) -> int:
        """Replayed updates dropped because they had already been delivered."""
        return self._filter.skipped

    async def __aenter__(self) -> Feed[U]:
        if self.path in self._open_feeds:
            raise InvalidInput(
                f"{self.path} is already open: Odds88 allows one connection per feed and "
                "a second one would keep replacing the first",
                field="feed",
            )
        self._open_feeds.add(self.path)
        stack = contextlib.AsyncExitStack()
        stack.callback(self._open_feeds.discard, self.path)
        tg = await stack.enter_async_context(anyio.create_task_group())
        stack.callback(tg.cancel_scope.cancel)
        tg.start_soon(self._run_guarded)
        self._stack, self._tg = stack, tg
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._stack is not None:
            stack, self._stack = self._stack, None
            await stack.aclose()

    def __aiter__(self) -> AsyncIterator[U]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[U]:
        if self._tg is None:
            raise RuntimeError("use the feed inside `async with`")
        while True:
            try:
                item = await self._recv.receive()
            except (anyio.EndOfStream, anyio.ClosedResourceError):
                return
            if isinstance(item, _Stop):
                if item.error is not None:
                    raise item.error
                return
            ts = self._resume_point(self._timestamp(item))
            if ts is not None:
                self._delivered_revision = max(self._delivered_revision, math.floor(ts))
            yield item

    # -- per-feed decoding --------------------------------------------------------------------

    def _timestamp(self, update: U) -> float | None:
        """The update's time as Unix seconds (both feeds' updates carry one)."""
        return update.unix_time()

    def _resume_point(self, ts: float | None) -> float | None:
        """``ts`` when it may become the resume revision: finite and not beyond
        :data:`FUTURE_TOLERANCE` of our clock; otherwise ``None``."""
        if ts is None or not math.isfinite(ts) or ts > self._clock.time() + FUTURE_TOLERANCE:
            return None
        return ts

    # -- the connection loop ----------------------------------------------------------------

    async def _run_guarded(self) -> None:
        error: BaseException | None = None
        try:
            await self._run()
        except WagerkitError as exc:
            error = exc
        finally:
            with anyio.CancelScope(shield=True):
                with contextlib.suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
                    await self._send.send(_Stop(error))

    async def _run(self) -> None:
        failures = 0
        auth_failures = 0
        while True:
            revision, kind = self._filter.resume_revision(self._clock.time())
            await self._limiter.acquire(kind)
            url = f"{self._ws_base}{self.path}?revision={revision}"
            token = ""
            try:
                token = await self._auth.token()
                await self._session(url, token)
                failures = 0
            except UpgradeRefused as exc:
                status = exc.status
                if status == 401:
                    auth_failures += 1
                    self._auth.invalidate(token)
                    if auth_failures >= 2:
                        raise AuthError(
                            f"{self.path}: the feed refused the token", status=401
                        ) from None
                    continue
                if status == 429:
                    failures += 1
                    asked = parse_retry_after(exc.headers.get("retry-after"), 60.0)
                    wait = min(MAX_FEED_WAIT, max(1.0, asked))
                    log.warning("odds88 %s: reconnect limited, waiting %.0f s", self.path, wait)
                    self._check_give_up(failures)
                    await self._wait(wait)
                    continue
                if status < 500:
                    raise VenueError(
                        f"{self.path}: upgrade refused with HTTP {status}", status=status
                    ) from None
                failures += 1
            except (OSError, TimeoutError, WebSocketError) as exc:
                failures += 1
                log.info("odds88 %s: connect failed (%s)", self.path, type(exc).__name__)
            except RateLimited as exc:  # the feed's login was rate limited
                failures += 1
                log.warning("odds88 %s: login rate limited (%s)", self.path, exc)
                self._check_give_up(failures)
                await self._wait(min(MAX_FEED_WAIT, exc.retry_after))
                continue
            except (NetworkError, ServerError) as exc:  # the login failed, transiently
                failures += 1
                log.info("odds88 %s: login for the feed failed (%s)", self.path, exc)
            except _Disconnected as exc:
                auth_failures = 0
                if exc.healthy:
                    failures = 0
                    self._backoff.reset()
                failures += 1
                log.info("odds88 %s: connection lost (%s); resuming", self.path, exc)
            self._check_give_up(failures)
            await anyio.sleep(self._backoff.next_delay())

    def _check_give_up(self, failures: int) -> None:
        if self._max_reconnects is not None and failures > self._max_reconnects:
            raise VenueError(f"{self.path}: gave up after {failures} failed connects")

    async def _wait(self, seconds: float) -> None:
        """Sleep ``seconds`` on the feed's clock, published as :attr:`waiting_until`.

        Sleeps until the clock reaches that second (in steps, however the clock moves), so the
        wait is exactly the bounded amount decided, never restarted from a later "now".
        """
        until = self._clock.monotonic() + seconds
        self.waiting_until = until
        try:
            while (left := until - self._clock.monotonic()) > 0:
                await self._clock.sleep(left)
        finally:
            self.waiting_until = None

    async def _session(self, url: str, token: str) -> None:
        healthy = False
        try:
            async with connect_ws(
                url,
                headers={"authorization": f"Bearer {token}"},
                max_message=_MAX_MESSAGE,
                keepalive=self._keepalive,
                keepalive_timeout=self._keepalive,
            ) as ws:
                self.connects += 1
                self._filter.begin_replay()
                self.connected.set()
                while True:
                    try:
                        message = await ws.receive(timeout=self._idle_timeout)
                    except TimeoutError:
                        raise _Disconnected("silent for too long", healthy) from None
                    healthy = True
                    ping = await self._handle(message)
                    if ping is not None:
                        await ws.send_text(msgspec.json.encode({"pingId": ping}))
                        self.pings += 1
        except ConnectionClosed as exc:
            raise _Disconnected(f"closed with code {exc.code}", healthy) from None

    async def _handle(self, message: bytes) -> str | None:
        """Deliver the updates in ``message``; return the ping id to answer, if any."""
        try:
            envelope = _envelope.decode(message)
            data = bytes(envelope.data).strip()
            if data == b"null":
                items: list[msgspec.Raw] = []
            elif data[:1] == b"[":
                items = _items.decode(data)
            else:
                items = [envelope.data]
            updates = [(bytes(raw), self._decoder.decode(raw)) for raw in items]
        except DECODE_FAILURES as exc:  # deep nesting, invalid UTF-8 in a string: hostile too
            error = ProtocolError(
                f"{self.path}: malformed feed message ({self._auth.redact(str(exc))})",
                body=excerpt(message, self._auth.redact),
            )
            if self._on_malformed is None:
                raise error from None
            self._on_malformed(error)
            return None
        for raw, update in updates:
            msgspec.structs.force_setattr(update, "_raw", raw)
            if self._filter.accept(self._resume_point(self._timestamp(update)), raw):
                await self._send.send(update)
        if envelope.ping_id is not None:
            return envelope.ping_id
        return None


class _Disconnected(Exception):
    def __init__(self, why: str, healthy: bool) -> None:
        super().__init__(why)
        self.healthy = healthy


def _check_options(
    revision: object,
    idle_timeout: object,
    max_reconnects: object,
    buffer: object,
    keepalive_ping: object,
) -> None:
    """Refuse feed options that would crash later inside the background task or never end."""

    def seconds(value: object) -> bool:
        return (
            isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < math.inf
        )

    def count(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0

    if revision is not None and not count(revision):
        raise InvalidInput(f"revision must be Unix seconds (an int >= 0), got {revision!r}")
    if not seconds(idle_timeout):
        raise InvalidInput(f"idle_timeout must be finite and > 0, got {idle_timeout!r}")
    if max_reconnects is not None and not count(max_reconnects):
        raise InvalidInput(f"max_reconnects must be an int >= 0, got {max_reconnects!r}")
    if not count(buffer):
        raise InvalidInput(f"buffer must be an int >= 0, got {buffer!r}")
    if keepalive_ping is not None and not seconds(keepalive_ping):
        raise InvalidInput(f"keepalive_ping must be finite and > 0, got {keepalive_ping!r}")


class CashoutFeed(Feed[CashoutUpdate]):
    """``/feed/cashout/v2``: :class:`CashoutAvailable`, :class:`CashoutNotSupported` or
    :class:`CashedOut` per subscribed bet. Recovery returns only bets subscribed now."""

    path = "/feed/cashout/v2"
    _decoder = msgspec.json.Decoder(CashoutUpdate)


class SettlementFeed(Feed[SettledBet]):
    """``/feed/settlement/v4``: one :class:`SettledBet` per settlement (``betSettlement`` uses
    the bet settlement enum: 0 None … 6 CashOut, 7 PlaceWin)."""

    path = "/feed/settlement/v4"
    _decoder = msgspec.json.Decoder(SettledBet)
