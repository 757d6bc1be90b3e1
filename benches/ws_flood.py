"""A loopback WebSocket server, in its own process, that floods pre-encoded frames.

Why its own process and a plain blocking socket: the benchmarks measure the *client's* CPU per
message (``time.process_time`` of the benchmark process), so the server must cost the client
nothing, and it must be cheap enough to keep a fast client busy. Frames are encoded once; each
connection gets them in 256 KiB ``sendall`` calls.

Protocol per connection: the HTTP upgrade, then the client's first frame (a login, or any
frame), then ``greeting`` (if any) and every frame of ``frames``; then the server waits for
the client to hang up. ``/ws?repeat=N`` sends the frames N times.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import multiprocessing
import socket
import socketserver
import struct
from collections.abc import Iterator, Sequence
from urllib.parse import parse_qs, urlsplit

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_CHUNK = 256 * 1024


def encode_frame(payload: bytes, opcode: int = 0x1) -> bytes:
    """One unmasked server frame (FIN set)."""
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
    return head + payload


def _read_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("client went away")
        buf += chunk
    return buf


def read_client_frame(sock: socket.socket) -> bytes:
    """One masked client frame's payload."""
    _, b1 = _read_exact(sock, 2)
    n = b1 & 0x7F
    if n == 126:
        (n,) = struct.unpack("!H", _read_exact(sock, 2))
    elif n == 127:
        (n,) = struct.unpack("!Q", _read_exact(sock, 8))
    mask = _read_exact(sock, 4) if b1 & 0x80 else b"\0\0\0\0"
    data = _read_exact(sock, n)
    return bytes(c ^ mask[i % 4] for i, c in enumerate(data))


def accept_upgrade(sock: socket.socket) -> str:
    """Read the upgrade request, answer 101, return the request target."""
    request = b""
    while b"\r\n\r\n" not in request:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("no upgrade request")
        request += chunk
    head = request.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    target = head[0].split(" ")[1]
    key = next(
        line.split(":", 1)[1].strip()
        for line in head[1:]
        if line.lower().startswith("sec-websocket-key:")
    )
    accept = base64.b64encode(hashlib.sha1(key.encode() + _GUID).digest()).decode()  # noqa: S324
    sock.sendall(
        (
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
        ).encode()
    )
    return target


def _serve(
    frames: Sequence[bytes], greeting: bytes | None, ready: multiprocessing.SimpleQueue[int]
) -> None:
    wire = b"".join(encode_frame(f) for f in frames)
    hello = encode_frame(greeting) if greeting is not None else b""

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            sock: socket.socket = self.request
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with contextlib.suppress(OSError, ConnectionError):
                target = accept_upgrade(sock)
                repeat = int(parse_qs(urlsplit(target).query).get("repeat", ["1"])[0])
                read_client_frame(sock)
                if hello:
                    sock.sendall(hello)
                view = memoryview(wire)
                for _ in range(repeat):
                    for start in range(0, len(view), _CHUNK):
                        sock.sendall(view[start : start + _CHUNK])
                while sock.recv(65536):
                    pass

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    with Server(("127.0.0.1", 0), Handler) as server:
        ready.put(server.server_address[1])
        server.serve_forever()


@contextlib.contextmanager
def flood_server(frames: Sequence[bytes], greeting: bytes | None = None) -> Iterator[str]:
    """Run the flood server in a child process; yields its ``ws://127.0.0.1:port`` base."""
    ctx = multiprocessing.get_context("spawn")
    ready: multiprocessing.SimpleQueue[int] = ctx.SimpleQueue()
    proc = ctx.Process(target=_serve, args=(list(frames), greeting, ready), daemon=True)
    proc.start()
    try:
        port = ready.get()
        yield f"ws://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.join(5)
