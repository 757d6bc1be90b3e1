"""A scriptable loopback WebSocket server for the transport tests (asyncio and trio).

Built on ``websockets``' sans-I/O ``ServerProtocol`` over an anyio listener, so a test decides
exactly what goes on the wire: frames, pings, close codes, a refused upgrade, raw bytes.
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import anyio
from anyio.abc import ByteStream, SocketStream
from anyio.streams.tls import TLSListener
from websockets.frames import Frame
from websockets.http11 import Request
from websockets.server import ServerProtocol


@dataclass
class Peer:
    """The server's side of one connection."""

    stream: ByteStream
    proto: ServerProtocol
    received: list[Frame] = field(default_factory=list)

    async def flush(self) -> None:
        for chunk in self.proto.data_to_send():
            if chunk:
                await self.stream.send(chunk)

    async def send_text(self, text: str) -> None:
        self.proto.send_text(text.encode())
        await self.flush()

    async def raw(self, data: bytes) -> None:
        await self.stream.send(data)

    async def close(self, code: int, reason: str = "") -> None:
        self.proto.send_close(code, reason)
        await self.flush()

    async def read_frames(self) -> list[Frame]:
        """Read once from the client; return (and keep) the frames it sent."""
        try:
            data = await self.stream.receive()
        except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError):
            return []
        self.proto.receive_data(data)
        frames = [e for e in self.proto.events_received() if isinstance(e, Frame)]
        self.received.extend(frames)
        return frames


Script = Callable[[Peer], Awaitable[None]]


@contextlib.asynccontextmanager
async def ws_server(
    script: Script,
    *,
    refuse: tuple[int, dict[str, str], bytes] | None = None,
    tls: ssl.SSLContext | None = None,
) -> AsyncIterator[str]:
    """Serve ``script`` to every connection; yields the ``ws://`` (or ``wss://``) URL."""

    async def handle(stream: ByteStream) -> None:
        async with stream:
            proto = ServerProtocol()
            request: Request | None = None
            while request is None:
                try:
                    proto.receive_data(await stream.receive())
                except (anyio.EndOfStream, anyio.BrokenResourceError):
                    return
                request = next((e for e in proto.events_received() if isinstance(e, Request)), None)
            if refuse is not None:
                status, headers, body = refuse
                response = proto.reject(status, body.decode())
                for name, value in headers.items():
                    response.headers[name] = value
            else:
                response = proto.accept(request)
            proto.send_response(response)
            peer = Peer(stream, proto)
            await peer.flush()
            if refuse is None:
                with contextlib.suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
                    await script(peer)

    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)  # noqa: S610
    served = TLSListener(listener, tls, standard_compatible=False) if tls else listener

    async def serve_one(stream: SocketStream) -> None:
        await handle(stream)

    async with anyio.create_task_group() as tg:
        tg.start_soon(served.serve, serve_one if tls is None else handle)
        try:
            yield f"{'wss' if tls else 'ws'}://127.0.0.1:{port}/ws"
        finally:
            tg.cancel_scope.cancel()
    await listener.aclose()
