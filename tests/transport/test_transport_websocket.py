"""The WebSocket client: its fast path agrees with ``websockets`` on any byte split, and over
real loopback sockets it answers pings, reports close codes, refused upgrades, size limits,
keepalive and idle timeouts, and speaks TLS."""

from __future__ import annotations

import ssl
from collections import deque

import anyio
import anyio.lowlevel
import pytest
import trustme
from hypothesis import given, settings
from hypothesis import strategies as st
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.server import ServerProtocol
from websockets.uri import parse_uri

from tests.transport.ws_server import Peer, ws_server
from wagerkit.errors import InvalidInput, NetworkError
from wagerkit.transport.websocket import (
    ConnectionClosed,
    UpgradeRefused,
    WebSocket,
    connect_ws,
)

# -- the fast path against the library, without sockets ------------------------------------


class ChunkStream:
    """A duck-typed anyio byte stream that plays chunks and records what is sent."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = deque(chunks)
        self.sent: list[bytes] = []

    async def receive(self, max_bytes: int = 65536) -> bytes:
        if not self.chunks:
            raise anyio.EndOfStream
        return self.chunks.popleft()

    async def send(self, data: bytes) -> None:
        self.sent.append(data)

    async def aclose(self) -> None:
        pass


Message = tuple[str, bytes]  # ("text" | "binary" | "fragmented" | "ping", payload)

payloads = st.one_of(
    st.binary(max_size=130),
    # lengths past the 16-bit length field; filled cheaply (generating 64 KiB is slow)
    st.builds(lambda n, b: bytes([b]) * n, st.integers(60_000, 70_000), st.integers(0, 255)),
)
messages = st.lists(
    st.tuples(st.sampled_from(["text", "binary", "fragmented", "ping"]), payloads),
    max_size=12,
)


def handshake() -> tuple[ClientProtocol, ServerProtocol, bytes]:
    """A client and a server protocol after the upgrade, and the server's 101 bytes."""
    client = ClientProtocol(parse_uri("ws://127.0.0.1/ws"), max_size=None)
    client.send_request(client.connect())
    server = ServerProtocol(max_size=None)
    server.receive_data(b"".join(client.data_to_send()))
    request = next(e for e in server.events_received() if isinstance(e, Request))
    server.send_response(server.accept(request))
    return client, server, b"".join(server.data_to_send())


def server_frames(server: ServerProtocol, script: list[Message], close: int | None) -> bytes:
    """The frames of ``script`` as the server writes them."""
    for kind, payload in script:
        if kind == "text":
            server.send_text(payload.hex().encode())
        elif kind == "binary":
            server.send_binary(payload)
        elif kind == "fragmented":
            half = len(payload) // 2
            server.send_binary(payload[:half], fin=False)
            server.send_continuation(payload[half:], fin=True)
        else:
            server.send_ping(payload[:125])
    if close is not None:
        server.send_close(close, "bye")
    return b"".join(server.data_to_send())


def expected(script: list[Message]) -> list[bytes]:
    return [p.hex().encode() if k == "text" else p for k, p in script if k != "ping"]


@settings(max_examples=100, deadline=None)
@given(
    script=messages,
    cuts=st.lists(st.integers(min_value=1, max_value=70_000), max_size=40),
    close=st.sampled_from([None, 1000, 4003]),
)
def test_any_split_of_any_frames_gives_the_same_messages_pongs_and_close(
    script: list[Message], cuts: list[int], close: int | None
) -> None:
    """The fast path cuts data frames itself; whatever the read boundaries (frames in the
    101's own read included), the messages, the pongs and the close code are the library's."""
    client, server, response = handshake()
    rest = server_frames(server, script, close)
    chunks = [response]
    for cut in cuts:
        if not rest:
            break
        chunks.append(rest[:cut])
        rest = rest[cut:]
    chunks.append(rest)
    if len(chunks) > 1:  # frames can arrive in the same read as the 101
        chunks[0:2] = [chunks[0] + chunks[1]]
    stream = ChunkStream([c for c in chunks if c])

    async def read_all() -> tuple[list[bytes], int]:
        ws = WebSocket(stream, client)  # type: ignore[arg-type]
        await ws._handshake()
        got: list[bytes] = []
        with pytest.raises(ConnectionClosed) as info:
            while True:
                got.append(await ws.receive())
        return got, info.value.code

    got, code = anyio.run(read_all)
    assert got == expected(script)
    assert code == (close if close is not None else 1006)
    server.receive_data(b"".join(stream.sent))
    pongs = [
        f.data for f in server.events_received() if isinstance(f, Frame) and f.opcode is Opcode.PONG
    ]
    assert pongs == [p[:125] for k, p in script if k == "ping"]


# -- real sockets ----------------------------------------------------------------------------


@pytest.mark.anyio
async def test_messages_then_the_close_code_and_pings_are_answered() -> None:
    async def script(peer: Peer) -> None:
        await peer.send_text("one")
        peer.proto.send_ping(b"abcd")
        await peer.flush()
        await peer.send_text("two")
        while not any(f.opcode is Opcode.PONG for f in peer.received):
            assert await peer.read_frames()
        await peer.close(4001, "unauthorized")
        await peer.read_frames()

    async with ws_server(script) as url, connect_ws(url) as ws:
        with anyio.fail_after(5):
            assert await ws.receive() == b"one"
            assert await ws.receive() == b"two"
            with pytest.raises(ConnectionClosed) as info:
                await ws.receive()
    assert info.value.code == 4001 and info.value.reason == "unauthorized"
    assert isinstance(info.value, NetworkError)


@pytest.mark.anyio
async def test_a_server_that_hangs_up_right_after_its_close_frame_keeps_its_code() -> None:
    """The message before the close and the server's code reach the caller, even though our
    close reply goes to a connection the server has already left."""

    async def script(peer: Peer) -> None:
        await peer.send_text("last words")
        await peer.close(4003, "too many connections")  # and the TCP connection ends here

    for _ in range(5):
        async with ws_server(script) as url, connect_ws(url) as ws:
            await anyio.sleep(0.05)  # let the close and the hang-up both arrive first
            with anyio.fail_after(5):
                assert await ws.receive() == b"last words"
                with pytest.raises(ConnectionClosed) as info:
                    await ws.receive()
        assert info.value.code == 4003


@pytest.mark.anyio
async def test_a_refused_upgrade_keeps_status_headers_and_body() -> None:
    refuse = (429, {"Retry-After": "7"}, b"slow down")
    async with ws_server(lambda peer: anyio.lowlevel.checkpoint(), refuse=refuse) as url:
        with pytest.raises(UpgradeRefused) as info, anyio.fail_after(5):
            async with connect_ws(url):
                pass
    assert info.value.status == 429
    assert info.value.headers["retry-after"] == "7" and info.value.body == b"slow down"


@pytest.mark.anyio
async def test_a_message_over_the_limit_closes_with_1009() -> None:
    async def script(peer: Peer) -> None:
        await peer.send_text("x" * 2000)
        await peer.read_frames()

    async with ws_server(script) as url, connect_ws(url, max_message=1000) as ws:
        with pytest.raises(ConnectionClosed) as info, anyio.fail_after(5):
            await ws.receive()
    assert info.value.code == 1009


@pytest.mark.anyio
async def test_a_masked_server_frame_is_a_protocol_error() -> None:
    async def script(peer: Peer) -> None:
        await peer.raw(b"\x81\x82abcd\x00\x00")  # servers must not mask
        await peer.read_frames()

    async with ws_server(script) as url, connect_ws(url) as ws:
        with pytest.raises(ConnectionClosed) as info, anyio.fail_after(5):
            await ws.receive()
    assert info.value.code == 1002


@pytest.mark.anyio
async def test_keepalive_drops_a_server_that_never_answers_pings() -> None:
    async def script(peer: Peer) -> None:
        await anyio.sleep(10)  # never reads, so never answers a ping

    async with ws_server(script) as url, connect_ws(url, keepalive=0.05) as ws:
        with pytest.raises(ConnectionClosed) as info, anyio.fail_after(5):
            await ws.receive()
    assert info.value.code == 1011


@pytest.mark.anyio
async def test_keepalive_keeps_an_answering_connection_open() -> None:
    async def script(peer: Peer) -> None:
        pings = 0
        while pings < 4:
            frames = await peer.read_frames()
            pings += sum(f.opcode is Opcode.PING for f in frames)
            await peer.flush()  # the protocol queued a pong for each ping
        await peer.send_text("still here")

    # pings every 30 ms; a generous pong deadline, so a loaded machine cannot fail the test
    async with ws_server(script) as url, connect_ws(url, keepalive=0.03, keepalive_timeout=2) as ws:
        with anyio.fail_after(5):
            assert await ws.receive() == b"still here"


@pytest.mark.anyio
async def test_a_silent_server_is_a_timeout_when_asked() -> None:
    async def script(peer: Peer) -> None:
        await anyio.sleep(10)

    async with ws_server(script) as url, connect_ws(url) as ws:
        with pytest.raises(TimeoutError):
            await ws.receive(timeout=0.05)


@pytest.mark.anyio
async def test_bad_urls_and_unreachable_ports() -> None:
    with pytest.raises(InvalidInput):
        async with connect_ws("http://127.0.0.1/ws"):
            pass
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)  # noqa: S610
    await listener.aclose()
    with pytest.raises(OSError):
        async with connect_ws(f"ws://127.0.0.1:{port}/ws"):
            pass


@pytest.mark.anyio
async def test_tls_verifies_the_server_certificate() -> None:
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ctx)
    trusting = ssl.create_default_context()
    ca.configure_trust(trusting)

    async def script(peer: Peer) -> None:
        await peer.send_text("over tls")
        await peer.read_frames()

    async with ws_server(script, tls=server_ctx) as url:
        assert url.startswith("wss://")
        async with connect_ws(url, ssl_context=trusting) as ws:
            assert await ws.receive() == b"over tls"
        with pytest.raises(ssl.SSLError), anyio.fail_after(5):  # default trust: not our CA
            async with connect_ws(url):
                pass
