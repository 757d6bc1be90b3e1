"""The live OddsPapi stream (``wss …/ws``): login, cursors, resume, control frames, recovery.

Why it is built like this:

- **Odds are latest-state, not a log.** OddsPapi's ``odds`` channel may coalesce or drop
  updates and is not guaranteed to be replayed, so after every fresh login, every
  ``snapshot_required`` and every resume the server refuses, the stream **re-reads the odds over
  REST**: it buffers the socket's updates while ``/fixtures/odds`` is fetched (the REST client's
  :meth:`~wagerkit.oddspapi.client.AsyncOddsPapiClient.fixture_odds`), replaces each fixture's
  quotes with the snapshot, then drains the buffered updates whose ``changedAt`` is not older
  than the snapshot's quote (:class:`~wagerkit.oddspapi.liveodds.LiveOdds`). The odds then equal
  what REST says; the tests prove it over many rounds of dropped sockets and frames.
- **Resume when it is cheap.** The last ``entryId`` of each channel is kept; a reconnect sends
  it as ``lastSeenId`` (with the ``serverEpoch``) when it is younger than the 60 s window, and
  the server either replays what was missed and says ``resume_complete`` or answers
  ``snapshot_required`` (then the REST recovery above runs). A cursor older than the window is
  not sent at all: the stream goes straight to REST.
- **Reconnect before the server goes.** ``reconnect`` (``server_upgrade``, before a deploy)
  makes the stream reconnect at once and resume; so does a backpressure close (4002). Other
  drops reconnect with :class:`~wagerkit.transport.Backoff` (jittered), 4003 (too many
  connections on the key) included: another process may let one go.
- **Five sockets per key.** OddsPapi closes a key's 6th connection with 4003; this process
  refuses to open it: :class:`TooManyConnections` is raised before anything is sent.
- **Refusals that retrying cannot fix stop the stream**: a bad key
  (:class:`~wagerkit.errors.AuthError`) or a channel or bookmaker outside the plan
  (:class:`~wagerkit.oddspapi.errors.ChannelNotAllowed`, ...).
- **Never stale.** Quotes flagged ``staleOdds`` or ``suspended`` (or inactive) are kept but
  never offered as live (:meth:`LiveOdds.live`).

Runs under asyncio and trio (anyio; the socket is
:func:`~wagerkit.transport.websocket.connect_ws`). ``receive_type`` ``"json"`` or ``"binary"``
(msgpack); zstd is not offered (see ``docs/oddspapi-stream.md``). Entering the stream waits
until it is logged in and its odds are whole::

    async with OddsStream(client, api_key, fixture_ids=[fixture]) as stream:
        async for update in stream:          # each applied update, in order
            quote = stream.odds.live(odds_id)  # None while stale, suspended or inactive
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import deque
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import anyio
import httpx
import msgspec
from anyio.abc import TaskGroup

from wagerkit.clock import Clock, SystemClock
from wagerkit.errors import AuthError, InvalidInput, ProtocolError, WagerkitError
from wagerkit.oddspapi.auth import check_api_key
from wagerkit.oddspapi.book import OddsBook
from wagerkit.oddspapi.client import MAX_BOOKMAKERS, AsyncOddsPapiClient
from wagerkit.oddspapi.errors import (
    BookmakerNotAllowed,
    ChannelNotAllowed,
    EntitlementError,
    SportNotAllowed,
)
from wagerkit.oddspapi.liveodds import LiveOdds
from wagerkit.oddspapi.models import OddsUpdate
from wagerkit.transport import Backoff
from wagerkit.transport.websocket import ConnectionClosed, WebSocket, connect_ws

__all__ = [
    "CHANNELS",
    "MAX_CONNECTIONS_PER_KEY",
    "RECEIVE_TYPES",
    "RESUME_WINDOW",
    "OddsStream",
    "TooManyConnections",
    "ws_url_of",
]

log = logging.getLogger("wagerkit.oddspapi.stream")

MAX_CONNECTIONS_PER_KEY = 5
RESUME_WINDOW = 60.0
"""Seconds a cursor stays resumable (by the cursor's age, not by how long the socket was down)."""
RECEIVE_TYPES = ("json", "binary")
CHANNELS = (
    "fixtures",
    "futures",
    "bookmakers",
    "bookmakersFutures",
    "odds",
    "oddsFutures",
    "scores",
    "currencies",
    "events",
    "stats",
    "injuries",
    "lineups",
    "clocks",
)
CLOSE_LOGIN_TIMEOUT = 4000
CLOSE_BACKPRESSURE = 4002
CLOSE_TOO_MANY = 4003
_QUICK_LIMIT = 3
_QUICK_SPAN = 10.0

_TRANSIENT: tuple[type[BaseException], ...] = (
    httpx.HTTPError,
    OSError,
    anyio.EndOfStream,
    anyio.BrokenResourceError,
    anyio.ClosedResourceError,
    TimeoutError,
    msgspec.DecodeError,
    WagerkitError,
)
_ENTITLEMENT_CODES: dict[str, type[EntitlementError]] = {
    "channel_not_allowed": ChannelNotAllowed,
    "bookmaker_not_allowed": BookmakerNotAllowed,
    "sport_not_allowed": SportNotAllowed,
}


class TooManyConnections(InvalidInput):
    """This process already holds OddsPapi's limit of live connections for the key (5); the
    6th would be closed with 4003. Nothing was sent."""


class _Frame(msgspec.Struct, rename="camel", gc=False):
    type: str = "UPDATE"
    channel: str | None = None
    payload: msgspec.Raw = msgspec.field(default_factory=msgspec.Raw)
    ts: int | None = None
    entry_id: str | None = None
    reason: str | None = None
    code: str | None = None
    message: str | None = None
    server_epoch: str | None = None


_JSON_FRAME = msgspec.json.Decoder(_Frame)
_JSON_UPDATE = msgspec.json.Decoder(OddsUpdate)
_PACK_FRAME = msgspec.msgpack.Decoder(_Frame)
_PACK_UPDATE = msgspec.msgpack.Decoder(OddsUpdate)

# connections open per key in this process (keyed by a digest: the key itself is never kept here)
_OPEN: dict[str, int] = {}
_OPEN_LOCK = threading.Lock()


def _digest(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]


def ws_url_of(base_url: str) -> str:
    """``https://host/en`` → ``wss://host/ws`` (``http`` → ``ws``)."""
    parts = urlsplit(base_url)
    scheme = {"https": "wss", "http": "ws"}.get(parts.scheme, parts.scheme)
    return urlunsplit((scheme, parts.netloc, "/ws", "", ""))


def _parse_id(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for sub in exc.exceptions for leaf in _leaves(sub)]
    return [exc]


class _Fatal(Exception):
    """A refusal no reconnect can fix (bad key, channel or bookmaker outside the plan)."""

    def __init__(self, error: WagerkitError) -> None:
        super().__init__(str(error))
        self.error = error


class _ReconnectNow(Exception):
    """The server asked us to reconnect (``reconnect``) or shed us (4002): no backoff."""


def _strings(values: Iterable[Any], field: str) -> list[str]:
    out = [values] if isinstance(values, str) else list(values)
    for v in out:
        if not isinstance(v, str) or not v or len(v) > 128:
            raise InvalidInput(f"{field} must be non-empty strings, got {v!r}", field=field)
    return out


def _ints(values: Iterable[Any], field: str) -> list[int]:
    out = list(values)
    for v in out:
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise InvalidInput(f"{field} must be positive integers, got {v!r}", field=field)
    return out


class OddsStream:
    """One OddsPapi WebSocket subscription, kept alive and whole.

    ``client`` is the REST client used for snapshots (same key); ``api_key`` logs the socket
    in. Filters (``fixture_ids``, ``bookmakers``, ``sport_ids``, ``tournament_ids``) are sent
    at login (OddsPapi subscriptions are login-only: a new filter is a new stream). The REST
    recovery reads ``/fixtures/odds`` for ``fixture_ids`` plus every fixture already seen, so
    give ``fixture_ids`` when you subscribe by sport or tournament and need every quote.

    ``odds`` is the :class:`~wagerkit.oddspapi.liveodds.LiveOdds` kept current; ``books`` are
    :class:`~wagerkit.oddspapi.book.OddsBook` objects fed the same updates and snapshots.
    ``async for`` yields each applied :class:`OddsUpdate` (a bounded buffer of ``buffer``;
    beyond it events are dropped and counted in ``dropped``, never state). ``keepalive`` is
    the seconds between WebSocket pings (a missing pong drops and reconnects); None: off.
    ``clock`` tells a cursor's age (Unix time, the venue's clock; a FakeClock in tests).
    """

    def __init__(
        self,
        client: AsyncOddsPapiClient,
        api_key: str,
        *,
        fixture_ids: Iterable[str] = (),
        bookmakers: Iterable[str] = (),
        sport_ids: Iterable[int] = (),
        tournament_ids: Iterable[int] = (),
        channels: Sequence[str] = ("odds",),
        receive_type: str = "json",
        ws_url: str | None = None,
        books: Sequence[OddsBook] = (),
        backoff: Backoff | None = None,
        login_timeout: float = 10.0,
        connect_timeout: float = 30.0,
        resume_window: float = RESUME_WINDOW,
        buffer: int = 10_000,
        max_pending: int = 100_000,
        client_name: str | None = None,
        keepalive: float | None = 20.0,
        clock: Clock | None = None,
    ) -> None:
        self._key = check_api_key(api_key)
        if receive_type not in RECEIVE_TYPES:
            raise InvalidInput(
                f"receive_type must be one of {RECEIVE_TYPES} (zstd is not offered: see "
                "docs/oddspapi-stream.md)",
                field="receive_type",
            )
        chans = _strings(channels, "channels")
        unknown = [c for c in chans if c not in CHANNELS]
        if unknown or not chans:
            raise InvalidInput(f"unknown channels {unknown}: one of {CHANNELS}", field="channels")
        self.client = client
        self.fixture_ids = _strings(fixture_ids, "fixture_ids")
        self.bookmakers = _strings(bookmakers, "bookmakers")
        if len(self.bookmakers) > MAX_BOOKMAKERS:
            # the REST snapshot takes at most 5 slugs; a wider stream could not be recovered
            raise InvalidInput(
                f"bookmakers takes at most {MAX_BOOKMAKERS} slugs", field="bookmakers"
            )
        self.sport_ids = _ints(sport_ids, "sport_ids")
        self.tournament_ids = _ints(tournament_ids, "tournament_ids")
        self.channels = chans
        self.receive_type = receive_type
        self._url = ws_url or ws_url_of(client.base_url)
        self.odds = LiveOdds()
        self.books = list(books)
        self._backoff = backoff if backoff is not None else Backoff()
        self._login_timeout = login_timeout
        self._connect_timeout = connect_timeout
        self._resume_window = resume_window
        self._buffer = buffer
        self._max_pending = max_pending
        self._client_name = client_name
        self._keepalive = keepalive
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._quick: deque[float] = deque()  # times of recent immediate reconnects
        self._frame = _PACK_FRAME if receive_type == "binary" else _JSON_FRAME
        self._update = _PACK_UPDATE if receive_type == "binary" else _JSON_UPDATE
        # state kept across connections
        self._cursor: dict[str, str] = {}
        self._epoch: str | None = None
        self._whole = False  # the odds equal a REST snapshot plus every update since
        self._pending: list[OddsUpdate] | None = None  # updates buffered during a recovery
        self._again = False
        self._recovering = False
        self._recovered = anyio.Event()
        # the bot's side
        self._events: deque[OddsUpdate] = deque()
        self._wakeup: anyio.Event | None = None
        self._ended = False
        self._error: BaseException | None = None
        self._ready = anyio.Event()
        self._finished = anyio.Event()
        self._tg: TaskGroup | None = None
        self._held = False
        # counters a bot (and the tests) can watch
        self.connects = 0
        self.disconnects = 0
        self.resumes = 0
        self.snapshots_required = 0
        self.recoveries = 0
        self.reconnect_frames = 0
        self.updates = 0
        self.stale_updates = 0
        self.dropped = 0
        self.bad_frames = 0
        self.close_codes: list[int] = []

    # -- lifecycle ---------------------------------------------------------------------------------

    async def __aenter__(self) -> OddsStream:
        self._hold()
        try:  # from the slot's taking on: any exit, a cancel included, gives it back
            tg = anyio.create_task_group()
            await tg.__aenter__()
            self._tg = tg
            tg.start_soon(self._run)
            with anyio.fail_after(self._connect_timeout):
                async with anyio.create_task_group() as waiters:

                    async def first(event: anyio.Event) -> None:
                        await event.wait()
                        waiters.cancel_scope.cancel()

                    waiters.start_soon(first, self._ready)
                    waiters.start_soon(first, self._finished)
            if not self._ready.is_set():
                raise (
                    self._error
                    if self._error is not None
                    else ProtocolError("OddsPapi stream ended before logging in")
                )
        except BaseException:
            await self._stop()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._stop()

    async def _stop(self) -> None:
        """Stop the tasks and give the key's connection slot back, even when the caller is
        being cancelled (``move_on_after`` around the stream): the slot must never leak."""
        try:
            if self._tg is not None:
                tg, self._tg = self._tg, None
                tg.cancel_scope.cancel()
                await tg.__aexit__(None, None, None)
        finally:
            self._release()

    def _hold(self) -> None:
        if self._held:  # a second slot under one flag would be given back only once
            raise InvalidInput("an OddsStream is entered once at a time", field="stream")
        digest = _digest(self._key)
        with _OPEN_LOCK:
            if _OPEN.get(digest, 0) >= MAX_CONNECTIONS_PER_KEY:
                raise TooManyConnections(
                    f"this process already has {MAX_CONNECTIONS_PER_KEY} OddsPapi streams open "
                    "on this key (OddsPapi closes a 6th with 4003)",
                    field="api_key",
                )
            _OPEN[digest] = _OPEN.get(digest, 0) + 1
        self._held = True

    def _release(self) -> None:
        if self._held:
            digest = _digest(self._key)
            with _OPEN_LOCK:
                left = _OPEN.get(digest, 1) - 1
                if left > 0:
                    _OPEN[digest] = left
                else:
                    _OPEN.pop(digest, None)
            self._held = False

    def __aiter__(self) -> OddsStream:
        return self

    async def __anext__(self) -> OddsUpdate:
        events = self._events
        while not events:
            if self._ended:
                if self._error is not None:
                    raise self._error
                raise StopAsyncIteration
            self._wakeup = wakeup = anyio.Event()
            try:
                await wakeup.wait()
            finally:
                self._wakeup = None
        return events.popleft()

    async def wait_whole(self, timeout: float | None = None) -> None:
        """Wait until no recovery is running and the odds are whole (after a
        ``snapshot_required``, say)."""
        with anyio.fail_after(timeout):
            while not self.whole:
                if self._ended:
                    raise self._error or ProtocolError("OddsPapi stream has ended")
                await self._recovered.wait()

    @property
    def whole(self) -> bool:
        """True when the odds equal a REST snapshot plus every update since."""
        return self._whole and not self._recovering

    @property
    def cursor(self) -> dict[str, str]:
        """The last ``entryId`` seen per channel (what a resume sends as ``lastSeenId``)."""
        return dict(self._cursor)

    # -- connection loop ---------------------------------------------------------------------------

    async def _run(self) -> None:
        try:
            while True:
                now = False
                try:
                    await self._session()
                except BaseException as exc:
                    leaves = _leaves(exc)
                    fatal = [e for e in leaves if isinstance(e, _Fatal)]
                    if fatal:
                        raise fatal[0].error from None
                    now = any(isinstance(e, _ReconnectNow) for e in leaves)
                    if not now and not all(isinstance(e, _TRANSIENT) for e in leaves):
                        raise
                    for e in leaves:
                        if isinstance(e, ConnectionClosed):
                            self.close_codes.append(e.code)
                            now = now or e.code == CLOSE_BACKPRESSURE
                    log.info(
                        "OddsPapi stream disconnected (%s); reconnecting",
                        self._redact(f"{type(leaves[0]).__name__}: {leaves[0]}"),
                    )
                self.disconnects += 1
                self._recovering = False
                self._pending = None
                await anyio.sleep(self._delay(now))
        except anyio.get_cancelled_exc_class():
            raise
        except BaseException as exc:
            self._error = exc
        finally:
            self._ended = True
            if self._wakeup is not None:
                self._wakeup.set()
            self._recovered.set()
            self._finished.set()

    def _delay(self, now: bool) -> float:
        """Seconds before the next connection: none when the server asked for it (``reconnect``,
        4002), unless that happened ``_QUICK_LIMIT`` times within ``_QUICK_SPAN`` seconds: a
        server shedding us in a loop then gets the backoff like any failure."""
        if now:
            t = self._clock.monotonic()
            quick = self._quick
            while quick and quick[0] < t - _QUICK_SPAN:
                quick.popleft()
            if len(quick) < _QUICK_LIMIT:
                quick.append(t)
                return 0.0
        return self._backoff.next_delay()

    def _redact(self, text: str) -> str:
        return text.replace(self._key, "***")

    def _login_frame(self, cursor: dict[str, str] | None) -> bytes:
        frame: dict[str, Any] = {
            "type": "login",
            "apiKey": self._key,
            "channels": self.channels,
            "receiveType": self.receive_type,
        }
        if self.fixture_ids:
            frame["fixtureIds"] = self.fixture_ids
        if self.bookmakers:
            frame["bookmakers"] = self.bookmakers
        if self.sport_ids:
            frame["sportIds"] = self.sport_ids
        if self.tournament_ids:
            frame["tournamentIds"] = self.tournament_ids
        if self._client_name:
            frame["clientName"] = self._client_name
        if cursor:
            frame["lastSeenId"] = cursor
            if self._epoch is not None:
                frame["serverEpoch"] = self._epoch
        return msgspec.json.encode(frame)

    def _resumable(self) -> dict[str, str] | None:
        """The cursor to resume from, or None when a resume cannot give whole odds."""
        if not self._whole or "odds" not in self._cursor:
            return None
        ms, _ = _parse_id(self._cursor["odds"])
        if self._clock.time() * 1000 - ms > self._resume_window * 1000:
            return None
        return dict(self._cursor)

    async def _session(self) -> None:
        cursor = self._resumable()
        async with connect_ws(
            self._url,
            open_timeout=self._login_timeout,
            max_message=64 * 1024 * 1024,
            keepalive=self._keepalive,  # a silent half-open socket is dropped, not waited on
        ) as ws:
            await ws.send_text(self._login_frame(cursor))
            with anyio.fail_after(self._login_timeout):
                while True:
                    frame = self._frame.decode(await ws.receive())
                    if frame.type == "login_ok":
                        break
                    if frame.type == "error":
                        raise self._login_error(frame)
            if frame.server_epoch is not None:
                self._epoch = frame.server_epoch
            self.connects += 1
            self._backoff.reset()
            async with anyio.create_task_group() as tg:
                if cursor is None:
                    self._whole = False
                    self._start_recovery(tg)
                await self._read(ws, tg)

    def _login_error(self, frame: _Frame) -> BaseException:
        code = (frame.code or frame.reason or "").lower()
        text = self._redact(f"OddsPapi stream login refused: {frame.message or code}")
        entitlement = _ENTITLEMENT_CODES.get(code)
        if entitlement is not None:
            return _Fatal(entitlement(text, code=code))
        if code in ("invalid_api_key", "missing_api_key"):
            return _Fatal(AuthError(text))
        if code in ("invalid_filters", "validation_error"):
            return _Fatal(InvalidInput(text, field="filters"))
        return ProtocolError(text)

    async def _read(self, ws: WebSocket, tg: TaskGroup) -> None:
        decode = self._frame.decode
        while True:
            data = await ws.receive()
            try:
                frame = decode(data)
            except msgspec.DecodeError as exc:
                self._bad_frame(exc)
                continue
            kind = frame.type
            if kind == "UPDATE" or kind == "SNAPSHOT":
                self._entry(frame)
            elif kind == "snapshot_required":
                self.snapshots_required += 1
                log.info("OddsPapi stream: snapshot_required (%s)", frame.reason)
                self._start_recovery(tg)
            elif kind == "resume_complete":
                self.resumes += 1
            elif kind == "reconnect":
                self.reconnect_frames += 1
                raise _ReconnectNow(frame.reason or "reconnect")
            elif kind == "error":
                raise ProtocolError(self._redact(f"OddsPapi stream error: {frame.message}"))

    def _entry(self, frame: _Frame) -> None:
        channel = frame.channel or ""
        entry = frame.entry_id
        if entry is not None:
            last = self._cursor.get(channel)
            try:
                if last is None or _parse_id(entry) > _parse_id(last):
                    self._cursor[channel] = entry
            except ValueError:
                self.bad_frames += 1
        if channel != "odds" or not frame.payload:
            return
        try:
            update = self._update.decode(frame.payload)
        except msgspec.DecodeError as exc:
            self._bad_frame(exc)
            return
        pending = self._pending
        if pending is not None:
            if len(pending) >= self._max_pending:  # recovering for too long: start over
                pending.clear()
                self._again = True
            pending.append(update)
            return
        self._apply(update)

    def _apply(self, update: OddsUpdate) -> None:
        if not self.odds.apply(update):
            self.stale_updates += 1  # older than, or the same as, the quote held
            return
        self.updates += 1
        for book in self.books:
            try:
                book.apply_update(update)
            except WagerkitError as exc:
                self._bad_frame(exc)
        self._deliver(update)

    def _deliver(self, update: OddsUpdate) -> None:
        wakeup = self._wakeup
        if len(self._events) < self._buffer or (wakeup is not None and not self._events):
            self._events.append(update)
            if wakeup is not None:
                wakeup.set()
        else:
            self.dropped += 1

    def _bad_frame(self, exc: Exception) -> None:
        self.bad_frames += 1
        if self.bad_frames <= 10 or self.bad_frames % 1000 == 0:
            log.warning(
                "OddsPapi stream: bad frame skipped (%d so far): %s",
                self.bad_frames,
                self._redact(f"{type(exc).__name__}: {exc}")[:500],
            )

    # -- recovery over REST ------------------------------------------------------------------------

    def _start_recovery(self, tg: TaskGroup) -> None:
        if self._recovering:
            self._again = True  # frames may have been lost after the running fetch began
            return
        self._recovering = True
        self._whole = False  # a drop before it completes must not resume from the cursor
        self._again = False
        self._pending = []
        tg.start_soon(self._recover)

    async def _recover(self) -> None:
        """Buffer updates, fetch the snapshot, apply it, drain what was buffered; again if a
        ``snapshot_required`` came meanwhile."""
        while True:
            self._again = False
            fixtures = list(dict.fromkeys([*self.fixture_ids, *sorted(self.odds.fixtures())]))
            slugs = self.bookmakers or None
            snapshots = [await self.client.fixture_odds(f, bookmakers=slugs) for f in fixtures]
            if self._again:
                continue
            for snapshot in snapshots:  # no await from here on: atomic for the reader
                self.odds.replace_fixture(snapshot, self.bookmakers)
                for book in self.books:
                    book.apply_odds(snapshot, self.bookmakers)
            pending, self._pending = self._pending or [], None
            for update in pending:
                self._apply(update)
            break
        self.recoveries += 1
        self._recovering = False
        self._whole = True
        self._ready.set()
        self._recovered.set()
        self._recovered = anyio.Event()

    def __repr__(self) -> str:
        return (
            f"OddsStream(url={self._url!r}, apiKey=***, connects={self.connects}, "
            f"recoveries={self.recoveries}, quotes={len(self.odds)})"
        )
