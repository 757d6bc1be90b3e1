"""The WebSocket client every venue stream uses: ``websockets``' sans-I/O protocol over anyio.

Why this and not a WebSocket library's own connection object: wagerkit runs under asyncio and
trio (anyio), and a stream message is on a bot's hot path. ``websockets.client.ClientProtocol``
does the RFC 6455 work (handshake, frame parsing, masking, ping → pong, the close handshake,
size limits) without doing any I/O, so we drive it straight from an anyio byte stream: one
``receive`` of up to 64 KiB is parsed into every complete message it holds, and ``receive()``
then hands those out without another read, another task or a memory stream. The measured
alternatives and their figures are in ``docs/websocket.md``.

What the connection guarantees (the streams' tests check each):

- **Pings are answered** as soon as the frame that carries them is read (the protocol queues
  the pong; it is written before ``receive()`` returns the next message).
- **Close codes reach the caller**: :class:`ConnectionClosed` carries the server's code (or
  1006 when the TCP connection just ended, or the code we failed the connection with, 1002 for
  a protocol error, 1009 for a message over ``max_message``). Messages that arrived before the
  close frame are still delivered first.
- **A refused upgrade** is :class:`UpgradeRefused` with the status, headers and body, so a
  venue client can tell a 401 from a 429 and read ``Retry-After``.
- **Optional keepalive**: with ``keepalive=s`` the client pings every ``s`` seconds and drops
  the connection (:class:`ConnectionClosed` 1011) when no pong comes within the timeout.
  A pong is read by whoever is in ``receive()``, so keepalive is for streams that always read.
- **TLS** for ``wss://`` through anyio (the system's default verifying context unless an
  ``ssl_context`` is given); certificate errors surface as ``ssl.SSLError`` (an ``OSError``).
"""

from __future__ import annotations

import logging
import os
import ssl
from collections import deque
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager, suppress

import anyio
from anyio.abc import ByteStream
from websockets.client import ClientProtocol
from websockets.exceptions import InvalidStatus, InvalidURI
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.uri import parse_uri

from wagerkit.errors import InvalidInput, NetworkError
from wagerkit.transport.backoff import Backoff

__all__ = [
    "Backoff",
    "ConnectionClosed",
    "UpgradeRefused",
    "WebSocket",
    "WebSocketError",
    "connect_ws",
]

_READ = 65536
_TEXT = Opcode.TEXT
_BINARY = Opcode.BINARY
_CONT = Opcode.CONT
_PONG = Opcode.PONG
_CLOSE_TIMEOUT = 1.0
_BROKEN = (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError)

# websockets logs every header (an Authorization bearer token included) and every frame at
# DEBUG level. Its protocol gets a logger of its own pinned at WARNING, so turning on DEBUG
# logging in a bot can never print a token, and no frame pays for a debug check.
_protocol_log = logging.getLogger("wagerkit.transport.websocket.protocol")
_protocol_log.setLevel(logging.WARNING)


class WebSocketError(NetworkError):
    """The WebSocket failed: the handshake went wrong or the connection ended."""


class UpgradeRefused(WebSocketError):
    """The server answered the upgrade request with an HTTP error instead of ``101``."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        super().__init__(f"WebSocket upgrade refused with HTTP {status}")
        self.status = status
        self.headers = headers
        self.body = body


class ConnectionClosed(WebSocketError):
    """The connection is closed: ``code`` is the close code (1006 when no close frame came)."""

    def __init__(self, code: int, reason: str = "") -> None:
        super().__init__(f"WebSocket closed with code {code}" + (f": {reason}" if reason else ""))
        self.code = code
        self.reason = reason


class WebSocket:
    """One open WebSocket connection (get it from :func:`connect_ws`).

    ``receive()`` returns each message's payload as ``bytes`` (text frames too: every venue
    sends JSON, and msgspec decodes bytes without a detour through ``str``).
    """

    def __init__(
        self, stream: ByteStream, protocol: ClientProtocol, max_message: int | None = None
    ) -> None:
        self._stream = stream
        self._proto = protocol
        self._max = max_message if max_message is not None else 1 << 62
        self._fast = False  # set once the handshake has left the protocol at a frame boundary
        self._pending = b""  # the start of a frame the fast path is waiting to complete
        self._messages: deque[bytes] = deque()
        self._fragments: list[bytes] | None = None
        self._send_lock = anyio.Lock()
        self._pongs: dict[bytes, anyio.Event] = {}
        self._closed: ConnectionClosed | None = None

    async def receive(self, timeout: float | None = None) -> bytes:
        """The next message. Raises :class:`ConnectionClosed` once the connection has ended
        (after every message that arrived before the close), ``TimeoutError`` if nothing at
        all came from the server for ``timeout`` seconds."""
        messages = self._messages
        while not messages:
            await self._fill(timeout)
        return messages.popleft()

    def receive_nowait(self) -> bytes | None:
        """A message already read from the socket, or ``None`` (never waits, never reads)."""
        return self._messages.popleft() if self._messages else None

    async def send_text(self, text: str | bytes) -> None:
        """Send one text frame (``bytes`` must be UTF-8)."""
        self._proto.send_text(text.encode() if isinstance(text, str) else text)
        await self._flush()

    async def send_bytes(self, data: bytes) -> None:
        """Send one binary frame."""
        self._proto.send_binary(data)
        await self._flush()

    async def ping(self) -> anyio.Event:
        """Send a ping; the returned event is set when its pong has been read."""
        payload = os.urandom(4)
        pong = anyio.Event()
        self._pongs[payload] = pong
        self._proto.send_ping(payload)
        await self._flush()
        return pong

    @property
    def close_code(self) -> int | None:
        """The close code once the connection has ended, else ``None``."""
        return None if self._closed is None else self._closed.code

    # -- reading ---------------------------------------------------------------------------

    async def _fill(self, timeout: float | None) -> None:
        if self._closed is not None:
            raise self._closed
        proto = self._proto
        try:
            if timeout is None:
                data = await self._stream.receive(_READ)
            else:
                with anyio.fail_after(timeout):
                    data = await self._stream.receive(_READ)
        except anyio.EndOfStream:
            if self._pending:
                self._fast = False
                proto.receive_data(self._pending)
            proto.receive_eof()
        except TimeoutError:  # an OSError too, but not a lost connection: the caller's wait
            raise
        except _BROKEN:
            if self._closed is not None:  # our keepalive dropped it
                raise self._closed from None
            self._closed = ConnectionClosed(1006, "connection lost")
            raise self._closed from None
        else:
            if self._fast:
                self._split(data)
            else:
                proto.receive_data(data)
        await self._settle()

    async def _settle(self) -> None:
        """After a read: collect the parsed frames, write what the protocol queued (pongs, a
        close), and note the end of the connection."""
        proto = self._proto
        self._absorb(proto.events_received())
        if proto.state is State.CLOSING or proto.state is State.CLOSED:
            # before writing our close reply: a server that closes TCP right after its close
            # frame must not turn its code into a 1006 "lost while sending"
            self._closed = _close_error(proto)
        if proto.writes:
            # A failed write is recorded in ``_closed`` and reported after the messages this
            # read already delivered.
            with suppress(WebSocketError):
                await self._flush()

    def _split(self, data: bytes) -> None:
        """The fast path: cut complete, unfragmented, unmasked data frames straight into
        messages; hand every other frame, whole, to the protocol.

        A server's data frame is two to ten header bytes and a payload; parsing it needs no
        more than this loop, while the protocol's generator-based parser costs about 2 µs a
        frame. Control frames (ping, pong, close), fragments, frames over the size limit and
        anything malformed (a mask, reserved bits) go to ``websockets`` exactly as they came,
        at a frame boundary, so its checks and answers are unchanged; once it has closed or
        failed the connection, or meets a frame it must judge from its header alone, it gets
        all the bytes from then on.
        """
        if self._pending:
            data = self._pending + data
        proto = self._proto
        messages = self._messages
        size = len(data)
        pos = 0
        while pos + 2 <= size:
            first = data[pos]
            length = data[pos + 1]
            head = pos + 2
            if length > 125:
                if length == 126:
                    if pos + 4 > size:
                        break
                    length = int.from_bytes(data[pos + 2 : pos + 4])
                    head = pos + 4
                elif length == 127:
                    if pos + 10 > size:
                        break
                    length = int.from_bytes(data[pos + 2 : pos + 10])
                    head = pos + 10
                else:  # a masked frame: the protocol fails the connection
                    return self._hand_over(data[pos:])
            end = head + length
            if (first == 0x81 or first == 0x82) and length <= self._max:
                if self._fragments is not None:  # a new message inside a fragmented one
                    return self._hand_over(data[pos:])
                if end > size:
                    break
                messages.append(data[head:end])
            elif length > self._max or first & 0x70:  # too big, or reserved bits set
                return self._hand_over(data[pos:])
            else:  # control frame or fragment: the protocol handles it whole
                if end > size:
                    break
                proto.receive_data(data[pos:end])
                self._absorb(proto.events_received())
                if proto.state is not State.OPEN:
                    return self._hand_over(data[end:])
            pos = end
        self._pending = data[pos:] if pos < size else b""
        return None

    def _hand_over(self, rest: bytes) -> None:
        """From here on the protocol parses everything (it is closing or failing)."""
        self._fast = False
        self._pending = b""
        if rest:
            self._proto.receive_data(rest)

    def _absorb(self, events: Sequence[object]) -> None:
        """Turn parsed frames into messages; note pongs (pings were answered by the protocol)."""
        messages = self._messages
        for frame in events:
            if not isinstance(frame, Frame):
                continue  # the handshake's Response
            opcode = frame.opcode
            if opcode is _TEXT or opcode is _BINARY:
                if frame.fin:
                    messages.append(bytes(frame.data))
                else:
                    self._fragments = [bytes(frame.data)]
            elif opcode is _CONT:
                if self._fragments is not None:
                    self._fragments.append(bytes(frame.data))
                    if frame.fin:
                        messages.append(b"".join(self._fragments))
                        self._fragments = None
            elif opcode is _PONG:
                pong = self._pongs.pop(bytes(frame.data), None)
                if pong is not None:
                    pong.set()

    async def _flush(self) -> None:
        chunks = self._proto.data_to_send()
        async with self._send_lock:
            try:
                for chunk in chunks:
                    if chunk:  # b"" asks for a half-close: the server closes TCP for us
                        await self._stream.send(chunk)
            except _BROKEN:
                if self._closed is None:
                    self._closed = ConnectionClosed(1006, "connection lost while sending")
                raise self._closed from None

    # -- lifecycle ---------------------------------------------------------------------------

    async def _handshake(self) -> None:
        proto = self._proto
        await self._flush()
        while proto.state is State.CONNECTING:
            try:
                data = await self._stream.receive(_READ)
            except anyio.EndOfStream:
                proto.receive_eof()
            else:
                proto.receive_data(data)
            events = proto.events_received()
            exc = proto.handshake_exc
            if isinstance(exc, InvalidStatus):
                response = exc.response
                headers = {k.lower(): v for k, v in response.headers.raw_items()}
                raise UpgradeRefused(response.status_code, headers, bytes(response.body or b""))
            if exc is not None:
                raise WebSocketError(f"WebSocket handshake failed: {exc}") from None
            self._absorb(events)  # frames that came in the same read as the 101
        await self._settle()
        # The fast path may take over only at a frame boundary: when the protocol holds no
        # partial frame from the handshake's last read (else it keeps parsing, correctly).
        reader = getattr(proto, "reader", None)
        self._fast = proto.state is State.OPEN and not getattr(reader, "buffer", b"?")

    async def _keepalive(self, interval: float, timeout: float) -> None:
        while True:
            await anyio.sleep(interval)
            try:
                pong = await self.ping()
            except WebSocketError:
                return
            with anyio.move_on_after(timeout) as waiting:
                await pong.wait()
            if waiting.cancelled_caught:
                self._closed = ConnectionClosed(1011, "keepalive ping timeout")
                await anyio.aclose_forcefully(self._stream)
                return

    async def _close(self) -> None:
        """Send a normal close (1000) if the connection is still open; never waits for long."""
        if self._proto.state is not State.OPEN:
            return
        with anyio.move_on_after(_CLOSE_TIMEOUT, shield=True):
            self._proto.send_close(1000)
            with suppress(WebSocketError):
                await self._flush()


def _close_error(proto: ClientProtocol) -> ConnectionClosed:
    if proto.close_rcvd is not None:
        return ConnectionClosed(proto.close_rcvd.code, proto.close_rcvd.reason)
    if proto.close_sent is not None:  # we failed it (protocol error, message too big)
        return ConnectionClosed(proto.close_sent.code, proto.close_sent.reason)
    return ConnectionClosed(1006, "connection lost")


@asynccontextmanager
async def connect_ws(
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    max_message: int | None = 1024 * 1024,
    open_timeout: float = 10.0,
    keepalive: float | None = None,
    keepalive_timeout: float | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> AsyncIterator[WebSocket]:
    """Open a WebSocket to ``url`` (``ws://`` or ``wss://``) and close it on exit.

    ``open_timeout`` bounds the TCP connect, the TLS handshake and the upgrade together.
    Connect failures are ``OSError`` (``ssl.SSLError`` for TLS), a refused upgrade is
    :class:`UpgradeRefused`, a timeout is ``TimeoutError``.
    """
    try:
        uri = parse_uri(url)
    except InvalidURI as exc:
        raise InvalidInput(f"not a WebSocket URL: {exc}", field="url") from None
    stream: ByteStream
    with anyio.fail_after(open_timeout):
        if uri.secure:
            stream = await anyio.connect_tcp(
                uri.host, uri.port, tls=True, ssl_context=ssl_context, tls_hostname=uri.host
            )
        else:
            stream = await anyio.connect_tcp(uri.host, uri.port)
    try:
        proto = ClientProtocol(uri, max_size=max_message, logger=_protocol_log)
        request = proto.connect()
        for name, value in (headers or {}).items():
            request.headers[name] = value
        proto.send_request(request)
        ws = WebSocket(stream, proto, max_message)
        with anyio.fail_after(open_timeout):
            await ws._handshake()
        if keepalive is None:
            try:
                yield ws
            finally:
                await ws._close()
            return
        # The body's own exception leaves as itself, not wrapped in an ExceptionGroup.
        body_error: Exception | None = None
        async with anyio.create_task_group() as tg:
            tg.start_soon(ws._keepalive, keepalive, keepalive_timeout or keepalive)
            try:
                yield ws
            except Exception as exc:
                body_error = exc
            finally:
                tg.cancel_scope.cancel()
                await ws._close()
        if body_error is not None:
            raise body_error
    finally:
        await anyio.aclose_forcefully(stream)
