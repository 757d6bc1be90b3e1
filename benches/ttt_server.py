"""A loopback venue, in its own process, that times tick-to-trade from the outside.

It serves a WebSocket (``/ws?ticks=N``) and HTTP (``POST /place-orders``,
``GET /latencies``) on two ports. Per WebSocket connection: after the client's first frame it
sends ``greeting``, then ``N`` ticks one at a time. For each tick it notes
``time.perf_counter_ns()`` just before writing the frame, and again when the HTTP side has
read a whole place-orders request; the difference is one tick-to-trade sample, measured on
the same monotonic clock (``CLOCK_MONOTONIC`` is system-wide on Linux) by a process that
costs the client nothing. The next tick goes out ``GAP`` seconds after the answer, so a
client still digesting the previous answer does not delay the next sample. ``GET
/latencies`` returns the last connection's samples (JSON list of nanoseconds).
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import queue
import socket
import socketserver
import threading
import time
from collections.abc import Iterator, Sequence
from urllib.parse import parse_qs, urlsplit

from benches.ws_flood import accept_upgrade, encode_frame, read_client_frame

GAP = 0.0005


def _read_request(sock: socket.socket, buf: bytes) -> tuple[str, bytes, bytes] | None:
    """One HTTP/1.1 request: (request line, body, bytes left over), or None at EOF."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        rest += chunk
    return lines[0], rest[:length], rest[length:]


def _response(status: str, body: bytes) -> bytes:
    return (
        f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    ).encode() + body


def _serve(
    ticks: Sequence[bytes], greeting: bytes, ready: multiprocessing.SimpleQueue[tuple[int, int]]
) -> None:
    arrivals: queue.SimpleQueue[int] = queue.SimpleQueue()
    last: list[int] = []
    frames = [encode_frame(t) for t in ticks]
    hello = encode_frame(greeting)

    class Http(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            sock: socket.socket = self.request
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            buf = b""
            order_id = 0
            with contextlib.suppress(OSError):
                while (request := _read_request(sock, buf)) is not None:
                    line, body, buf = request
                    if line.startswith("POST /place-orders"):
                        arrived = time.perf_counter_ns()
                        orders = json.loads(body)["orders"]
                        accepted = []
                        for o in orders:
                            order_id += 1
                            accepted.append(
                                {
                                    "orderId": order_id,
                                    "requestUuid": o["requestUuid"],
                                    "orderStatus": "PENDING",
                                    "fixtureId": o.get("fixtureId"),
                                    "outcomeId": o.get("outcomeId"),
                                    "orderPrice": o.get("orderPrice"),
                                    "orderStake": o.get("orderStake"),
                                    "userRef": o.get("userRef"),
                                    "testOrder": o.get("testOrder", False),
                                }
                            )
                        answer = {"status": "accepted", "acceptedOrders": accepted}
                        sock.sendall(_response("200 OK", json.dumps(answer).encode()))
                        arrivals.put(arrived)
                    else:
                        sock.sendall(_response("200 OK", json.dumps(last).encode()))

    class Ws(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            sock: socket.socket = self.request
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with contextlib.suppress(OSError, ConnectionError):
                target = accept_upgrade(sock)
                n = int(parse_qs(urlsplit(target).query).get("ticks", ["1"])[0])
                read_client_frame(sock)
                sock.sendall(hello)
                samples: list[int] = []
                while not arrivals.empty():
                    arrivals.get_nowait()
                for i in range(n):
                    time.sleep(GAP)
                    sent = time.perf_counter_ns()
                    sock.sendall(frames[i % len(frames)])
                    try:
                        samples.append(arrivals.get(timeout=5) - sent)
                    except queue.Empty:
                        break
                last[:] = samples
                while sock.recv(65536):
                    pass

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    with Server(("127.0.0.1", 0), Http) as http, Server(("127.0.0.1", 0), Ws) as ws:
        ready.put((http.server_address[1], ws.server_address[1]))
        threading.Thread(target=http.serve_forever, daemon=True).start()
        ws.serve_forever()


@contextlib.contextmanager
def venue(ticks: Sequence[bytes], greeting: bytes) -> Iterator[tuple[str, str]]:
    """Run the venue in a child process; yields (``http://…`` base, ``ws://…/ws`` URL)."""
    ctx = multiprocessing.get_context("spawn")
    ready: multiprocessing.SimpleQueue[tuple[int, int]] = ctx.SimpleQueue()
    proc = ctx.Process(target=_serve, args=(list(ticks), greeting, ready), daemon=True)
    proc.start()
    try:
        http_port, ws_port = ready.get()
        yield f"http://127.0.0.1:{http_port}", f"ws://127.0.0.1:{ws_port}/ws"
    finally:
        proc.terminate()
        proc.join(5)
