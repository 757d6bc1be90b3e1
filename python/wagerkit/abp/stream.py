"""The live ABP stream: login, channels, pings, reconnects, gap detection, reconciliation.

Why it is built like this:

- **No update is lost.** A WebSocket only carries what happens while it is up, and a slow reader
  can lose frames (ABP buffers 100 per subscription). So after every (re)connect, and whenever
  ``seq`` skips a number, the stream reconciles orders and bets over REST
  (:class:`~wagerkit.abp.reconcile.Reconciler`) into the :class:`~wagerkit.abp.state.StateCache`,
  whose monotonic merge makes it safe to mix both sources.
- **The socket is never blocked by the bot.** Frames update the cache and the live books at
  once; the decoded :class:`~wagerkit.abp.messages.StreamEvent` objects go to a bounded buffer
  the bot reads with ``async for``. If the bot falls behind, events are dropped (counted in
  :attr:`AbpStream.dropped`), never state.
- **Keepalive is answered.** ``{"type":"ping"}`` gets ``{"type":"pong"}`` at once.
- **Reconnects back off** (:class:`wagerkit.transport.Backoff`, jittered) and reset after a
  successful login; a refused key stops the stream with :class:`~wagerkit.errors.AuthError`
  instead of hammering ABP. Only the login handshake can stop the stream: once logged in,
  every failure ends in a reconnect.
- **One bad frame is one bad frame.** A frame that does not decode, or whose values the
  engine refuses (a price of 1, a negative limit, an unknown currency, a rate of 0), is
  counted in :attr:`AbpStream.bad_frames`, logged (redacted) and skipped; nothing of it is
  applied (:class:`~wagerkit.abp.livebook.LiveBook` validates a whole quote before touching
  the book). Dropping the connection instead would only bring the same frame back on every
  reconnect; what it should have told us is fetched by reconciliation.

Runs under asyncio and trio (anyio; the socket is
:func:`~wagerkit.transport.websocket.connect_ws`). Entering the stream waits (at most
``connect_timeout`` seconds) until it is logged in, subscribed and reconciled, so an order
placed inside the block cannot have events the stream misses::

    async with AbpStream(client, user_refs=["bot-1"]) as stream:
        placed = await OrderManager(client, state=stream.state).place(order)
        async for event in stream:
            print(event.channel, event.event)
            if stream.state.order_by_uuid(order.request_uuid) ...:  # done when you say so
                break
"""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

import anyio
import httpx
import msgspec
from anyio.abc import TaskGroup

from wagerkit._core import Book, Fx
from wagerkit.abp.client import AbpClient
from wagerkit.abp.livebook import LiveBook
from wagerkit.abp.messages import (
    ANY_DECODER,
    ENVELOPE_DECODER,
    NOT_DECODED,
    PAYLOAD_DECODERS,
    PONG,
    Envelope,
    StreamEvent,
    decode_envelope,
    decode_payload,
    login_frame,
)
from wagerkit.abp.models import Bet, CurrencyInfo, Order
from wagerkit.abp.reconcile import Reconciler
from wagerkit.abp.state import StateCache
from wagerkit.errors import AuthError, InvalidInput, ProtocolError, WagerkitError
from wagerkit.transport import DECODE_FAILURES, Backoff, check_base_url
from wagerkit.transport.websocket import WebSocket, connect_ws

__all__ = ["AbpStream"]

_UNUSABLE_FRAME: tuple[type[Exception], ...] = (*DECODE_FAILURES, WagerkitError)
"""A frame whose payload cannot be decoded or used: counted and left to reconciliation."""

log = logging.getLogger("wagerkit.abp.stream")

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


def _json_string(text: str) -> bytes:
    return msgspec.json.encode(text)


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for sub in exc.exceptions for leaf in _leaves(sub)]
    return [exc]


class _LoginRefused(Exception):
    """Carries a login refusal that retrying cannot fix (a bad key, a bad channel, no key).

    A wrapper, so that the same error types raised later (an AuthError from a REST
    reconciliation, an InvalidInput from a frame) are never mistaken for it: after login,
    everything is transient.
    """

    def __init__(self, error: WagerkitError) -> None:
        super().__init__(str(error))
        self.error = error


class AbpStream:
    """One WebSocket subscription to ABP, kept alive.

    ``channels`` ``()`` means all. ``user_refs`` are reconciled in full on every reconnect
    (orders created while disconnected are found through them); orders placed through an
    :class:`~wagerkit.execution.OrderManager` sharing ``state`` are tracked regardless.
    ``books`` are :class:`~wagerkit.abp.livebook.LiveBook` objects fed by the ``betslip``
    channel; ``fx`` is kept current from the ``currencies`` channel and every currencyInfo.
    Without ``fx``, the stream uses the books' table when they share one (each ``LiveBook``
    without one has its own), so a betslip frame is one engine call that moves the quote and
    the rate (see :meth:`_betslip`).

    ``async with`` returns once the first login (channels subscribed) and its reconciliation
    are done, so nothing that happens inside the block is missed; it raises the login's
    error (:class:`~wagerkit.errors.AuthError`, ...) if the login is refused, and
    ``TimeoutError`` if that takes more than ``connect_timeout`` seconds (reconnects with
    backoff included). ``wait_on_enter=False`` returns at once instead; then
    :meth:`wait_connected` waits for the same moment.
    """

    def __init__(
        self,
        client: AbpClient,
        *,
        channels: Sequence[str] = (),
        user_refs: Sequence[str] = (),
        state: StateCache | None = None,
        books: Sequence[LiveBook] = (),
        fx: Fx | None = None,
        backoff: Backoff | None = None,
        ws_url: str | None = None,
        login_timeout: float = 10.0,
        buffer: int = 10_000,
        reconcile: bool = True,
        wait_on_enter: bool = True,
        connect_timeout: float = 30.0,
    ) -> None:
        self.client = client
        self.channels = list(channels)
        self.state = state if state is not None else StateCache()
        self.books = list(books)
        if fx is None:  # the books' own table when they share one, so one call updates both
            shared = {id(book.fx): book.fx for book in self.books}
            fx = next(iter(shared.values())) if len(shared) == 1 else Fx()
        self.fx = fx
        self._one_call: tuple[tuple[LiveBook, bytes, Any, Book, Fx], ...] = (
            tuple(
                (book, _json_string(book.selection[0]), book.feed.apply_betslip, book.book, fx)
                for book in self.books
            )
            if all(book.fx is fx for book in self.books)
            else ()
        )
        """Books fed the raw payload in one engine call (see :meth:`_betslip`), with the
        fixture id as a JSON string; empty when a book converts with another rate table."""
        self.reconciler = Reconciler(client, self.state, user_refs)
        self._reconcile = reconcile
        self._backoff = backoff if backoff is not None else Backoff()
        self._url = check_base_url(ws_url or client.ws_url)
        self._login_timeout = login_timeout
        # The bot's buffer: a deque and a wake-up event rather than an anyio memory stream,
        # whose every receive is an event-loop turn. A bot that keeps up drains a whole
        # socket read's worth of events without a turn per event; one that falls behind
        # loses events beyond ``buffer`` (counted in ``dropped``), never state.
        self._events: deque[StreamEvent] = deque()
        self._buffer = buffer
        self._wakeup: anyio.Event | None = None
        self._ended = False
        self._rates_set: dict[str, tuple[float, Any]] = {}
        """currency → the (value, updatedAt) last given to ``fx``, to skip repeats."""
        self._tg: TaskGroup | None = None
        self._error: BaseException | None = None
        self._connected = anyio.Event()
        self._finished = anyio.Event()
        self._wait_on_enter = wait_on_enter
        self._connect_timeout = connect_timeout
        self._reconciled = 0
        # counters a bot (and the tests) can watch
        self.connects = 0
        self.disconnects = 0
        self.gaps = 0
        self.messages = 0
        self.pings = 0
        self.dropped = 0
        self.bad_frames = 0

    # ----------------------------------------------------------------------------------------
    # lifecycle

    async def __aenter__(self) -> AbpStream:
        self._tg = anyio.create_task_group()
        await self._tg.__aenter__()
        self._tg.start_soon(self._run)
        if not self._wait_on_enter:
            return self
        try:
            with anyio.fail_after(self._connect_timeout):
                async with anyio.create_task_group() as waiters:

                    async def first(event: anyio.Event) -> None:
                        await event.wait()
                        waiters.cancel_scope.cancel()

                    waiters.start_soon(first, self._connected)
                    waiters.start_soon(first, self._finished)
            if not self._connected.is_set():
                # the stream stopped before its first login (a refused key, say)
                raise (
                    self._error
                    if self._error is not None
                    else ProtocolError("ABP stream ended before logging in")
                )
        except BaseException:
            self._tg.cancel_scope.cancel()
            await self._tg.__aexit__(None, None, None)
            self._tg = None
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        if self._tg is None:
            return None
        self._tg.cancel_scope.cancel()
        # The body's own exception (if any) propagates as itself, not wrapped in a group.
        await self._tg.__aexit__(None, None, None)
        return None

    def __aiter__(self) -> AbpStream:
        return self

    async def __anext__(self) -> StreamEvent:
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

    def _deliver(self, event: StreamEvent) -> None:
        """Queue an event for the bot; count it dropped when the buffer is full (a bot
        waiting on an empty buffer always gets it, even with ``buffer=0``)."""
        events = self._events
        wakeup = self._wakeup
        if len(events) < self._buffer or (wakeup is not None and not events):
            events.append(event)
            if wakeup is not None:  # wake the bot once, not once per event
                self._wakeup = None
                wakeup.set()
        else:
            self.dropped += 1

    async def wait_connected(self, timeout: float | None = None) -> None:
        """Wait until the first login (and its reconciliation) has completed."""
        with anyio.fail_after(timeout):
            await self._connected.wait()

    @property
    def reconciliations(self) -> int:
        return self.reconciler.runs

    # ----------------------------------------------------------------------------------------
    # the connection loop

    async def _run(self) -> None:
        try:
            while True:
                try:
                    await self._session()
                except BaseException as exc:
                    leaves = _leaves(exc)
                    fatal = [e for e in leaves if isinstance(e, _LoginRefused)]
                    if fatal:
                        raise fatal[0].error from None
                    if not all(isinstance(e, _TRANSIENT) for e in leaves):
                        raise
                    log.info(
                        "ABP stream disconnected (%s); reconnecting",
                        self.client.redact(f"{type(leaves[0]).__name__}: {leaves[0]}"),
                    )
                self.disconnects += 1
                await anyio.sleep(self._backoff.next_delay())
        except anyio.get_cancelled_exc_class():
            raise
        except BaseException as exc:
            self._error = exc
        finally:
            self._ended = True
            if self._wakeup is not None:
                self._wakeup.set()
            self._finished.set()

    async def _session(self) -> None:
        try:
            key = self.client._login_key()
        except InvalidInput as exc:  # no key at all: no reconnect can fix that
            raise _LoginRefused(exc) from None
        async with connect_ws(self._url, open_timeout=self._login_timeout) as ws:
            await self._serve(ws, key)

    async def _serve(self, ws: WebSocket, key: str) -> None:
        """Login, reconcile, then read frames until the connection ends."""
        await ws.send_text(login_frame(key, self.channels))
        with anyio.fail_after(self._login_timeout):
            while True:
                frame = decode_envelope(await ws.receive())
                if frame.type == "login_ok":
                    break
                if frame.type == "ping":
                    await ws.send_text(PONG)
                    continue
                if frame.type == "error":
                    error = _login_error(frame, self.client.redact)
                    if isinstance(error, (AuthError, InvalidInput)):
                        raise _LoginRefused(error)
                    raise error
        self.connects += 1
        last_seq: int | None = None
        if self._reconcile:
            await self.reconciler.run()
        self._backoff.reset()
        self._connected.set()
        receive_nowait = ws.receive_nowait
        decode = ENVELOPE_DECODER.decode
        apply = self._apply
        while True:
            # Messages already read from the socket are taken without an await each.
            text = receive_nowait()
            if text is None:
                text = await ws.receive()
            try:
                frame = decode(text)
            except DECODE_FAILURES as exc:
                # Not even an envelope: skip it (the next seq shows whether data was lost).
                self._bad_frame("?", exc)
                continue
            kind = frame.type
            if kind == "data":
                gap = False
                if frame.seq is not None:
                    if last_seq is not None and frame.seq != last_seq + 1:
                        self.gaps += 1
                        gap = True
                    last_seq = frame.seq
                apply(frame)
                if gap and self._reconcile:
                    await self.reconciler.run()
            elif kind == "ping":
                self.pings += 1
                await ws.send_text(PONG)
            elif kind == "error":
                raise ProtocolError(self.client.redact(f"ABP stream error: {_why(frame)}"))

    # ----------------------------------------------------------------------------------------
    # applying one frame

    def _apply(self, frame: Envelope) -> StreamEvent:
        """Decode one data frame, update the cache, books and rates, and queue the event.

        A frame that does not decode, or that the cache or a book refuses, is a bad frame:
        counted, logged, queued with ``data=None``, and the connection carries on (see the
        module doc). Reconciliation fetches over REST whatever it should have told us.
        """
        channel = frame.channel or ""
        self.messages += 1
        payload = frame.payload
        data: Any
        try:
            if channel == "betslip":
                data = self._betslip(payload)
            else:
                data = PAYLOAD_DECODERS.get(channel, ANY_DECODER).decode(payload)
                kind = type(data)
                if kind is Order:
                    self.state.apply_order(data, stream=True)
                    if data.currency_info is not None:
                        self._rate(data.currency_info)
                elif kind is Bet:
                    self.state.apply_bet(data, stream=True)
                    self._rate(data.currency_info)
                elif kind is CurrencyInfo:
                    self._rate(data)
        except _UNUSABLE_FRAME as exc:
            self._bad_frame(channel, exc)
            data = None
        event = StreamEvent(channel, frame.event or "", frame.seq, frame.ts, data, payload)
        # _deliver, inlined: this runs once per message
        events = self._events
        wakeup = self._wakeup
        if len(events) < self._buffer or (wakeup is not None and not events):
            events.append(event)
            if wakeup is not None:
                self._wakeup = None
                wakeup.set()
        else:
            self.dropped += 1
        return event

    def _betslip(self, payload: msgspec.Raw) -> Any:
        """Apply a ``betslip`` payload to the books and rates; the event's ``data``.

        When every book converts with the stream's ``fx`` (the default) and the payload names
        a followed fixture, each book takes the raw bytes in one engine call (decode, checks,
        rate, slot update) and ``data`` is decoded only if the bot reads it. Otherwise (no
        book took it, books with other rate tables) the payload is decoded here, its rate kept
        and the decoded update handed to the books. Either way a bad quote changes nothing.
        """
        if self._one_call:
            raw = bytes(payload)
            applied = False
            for live, needle, apply, engine_book, fx in self._one_call:
                # A payload that does not contain the fixture id as a JSON string is not for
                # that book (an escaped id takes the decoded path below, which is exact).
                # LiveBook.apply_json, inlined: the engine call and the count.
                if needle in raw and apply(raw, engine_book, fx).applied:
                    live.updates += 1
                    applied = True
            if applied:
                return NOT_DECODED
            data = decode_payload("betslip", payload)
            self._rate(data.currency_info)
            return data
        data = decode_payload("betslip", payload)
        # books first: each validates the whole quote before changing anything, so a bad quote
        # leaves books and rates as they were
        for live in self.books:
            live.apply(data)
        self._rate(data.currency_info)
        return data

    def _bad_frame(self, channel: str, exc: Exception) -> None:
        """Count a bad frame and log it, redacted; after the first ten only every 1000th is
        logged, so a venue sending garbage cannot flood the bot's logs."""
        self.bad_frames += 1
        if self.bad_frames <= 10 or self.bad_frames % 1000 == 0:
            log.warning(
                "ABP stream: bad %s frame skipped (%d so far): %s",
                channel,
                self.bad_frames,
                self.client.redact(f"{type(exc).__name__}: {exc}")[:500],
            )

    def _rate(self, info: CurrencyInfo | None) -> None:
        if info is None or info.currency == "USD":
            return
        # Most frames repeat the rate the previous one carried: skip the engine call then.
        seen = (info.currency_value, info.updated_at)
        if self._rates_set.get(info.currency) == seen:
            return
        if math.isfinite(info.currency_value) and info.currency_value > 0:
            try:
                self.fx.set_rate(info.currency, info.currency_value, info.updated_at)
            except ValueError:  # InvalidInput: not an ISO 4217 code; ignore the rate
                log.debug("ABP stream: ignoring rate for %r", info.currency)
            else:
                if len(self._rates_set) < 1024:  # ISO 4217 has fewer codes: bounded anyway
                    self._rates_set[info.currency] = seen

    def __repr__(self) -> str:
        return (
            f"AbpStream(url={self._url!r}, connects={self.connects}, gaps={self.gaps}, "
            f"messages={self.messages})"
        )


_RETRYABLE_LOGIN = {"TOO_MANY_CONNECTIONS", "LOGIN_TIMEOUT", "RATE_LIMITED"}


def _login_error(frame: Envelope, redact: Callable[[str], str]) -> Exception:
    """A refused login: a bad key or channel stops the stream (retrying cannot help); a
    transient refusal (too many connections) is retried with backoff."""
    text = redact(f"ABP stream login refused: {_why(frame)}")
    code = str(frame.code or "").upper()
    if code in _RETRYABLE_LOGIN or "TOO_MANY" in code:
        return ProtocolError(text)
    if "CHANNEL" in code or code == "BAD_LOGIN":
        return InvalidInput(text, field="channels")
    return AuthError(text)


def _why(frame: Envelope) -> str:
    return str(frame.message or frame.error or frame.detail or frame.type)
