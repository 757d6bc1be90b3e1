"""WebSocket feeds of the local Odds88 server: ``/feed/cashout/v2`` and ``/feed/settlement/v4``.

Per the docs: ``?revision=`` is Unix seconds, at most 3 days back (older is clamped); recovery
returns the messages published since then (for cashout only those of bets subscribed now); each
feed allows one connection per account; reconnects are limited to 5 per 5 minutes with a proper
revision and 5 per 30 minutes without one (or with one that is too old). Where the docs are
silent we chose: the JWT goes in the upgrade's ``Authorization: Bearer`` header; a newer
connection replaces the older one; the server pings with ``{"pingId": …}`` every
``ping_interval`` seconds and closes (4002) a connection that leaves ``max_missed_pings`` pings
unanswered; an answer is the same ``{"pingId": …}`` sent back.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import uuid
from collections import deque
from typing import Any

import anyio
import msgspec
from starlette.responses import Response
from starlette.websockets import WebSocket, WebSocketDisconnect

from wagerkit.sim.odds88.journal import RETENTION
from wagerkit.sim.odds88.state import Odds88Sim

__all__ = ["PROPER_LIMIT", "SMALL_LIMIT", "FeedConnection", "feed_endpoint"]

PROPER_LIMIT = (5, 300.0)
"""(connections, seconds) allowed with a proper revision."""
SMALL_LIMIT = (5, 1800.0)
"""(connections, seconds) allowed with no revision or one older than 3 days."""

CLOSE_REPLACED = 4001
CLOSE_PING_TIMEOUT = 4002
CLOSE_DROPPED = 1012


class FeedConnection:
    """One accepted feed socket; :meth:`drop` may be called from any thread."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.dropped = asyncio.Event()
        """Wakes the handler; set on its loop, so it lags :attr:`stopping` slightly."""
        self.stopping = threading.Event()
        """Set at once by :meth:`drop`: nothing is sent on this socket after it."""
        self.code = CLOSE_DROPPED

    def drop(self, code: int = CLOSE_DROPPED) -> None:
        self.code = code
        self.stopping.set()
        self._loop.call_soon_threadsafe(self.dropped.set)


def _deny(status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, headers=headers)


def _allowed(sim: Odds88Sim, client: str, feed: str, kind: str) -> float:
    """0 when a connection may be accepted now (and count it); else seconds to wait."""
    if not sim.reconnect_limits:
        return 0.0
    count, window = PROPER_LIMIT if kind == "proper" else SMALL_LIMIT
    now = sim.clock.monotonic()
    with sim.lock:
        times = sim.connects.setdefault((client, feed, kind), deque())
        while times and times[0] <= now - window:
            times.popleft()
        if len(times) >= count:
            return times[0] + window - now
        times.append(now)
        return 0.0


async def feed_endpoint(websocket: WebSocket, sim: Odds88Sim, feed: str) -> None:
    header = websocket.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    client = sim.client_for(token.strip()) if scheme.lower() == "bearer" else None
    if client is None:
        await websocket.send_denial_response(_deny(401))
        return
    raw_revision = websocket.query_params.get("revision", "0")
    try:
        revision = int(raw_revision)
    except ValueError:
        await websocket.send_denial_response(_deny(400))
        return
    now = sim.clock.time()
    oldest = now - RETENTION
    kind = "proper" if revision > 0 and revision >= oldest else "small"
    if 0 < revision < oldest:
        revision = int(oldest) + 1
    wait = _allowed(sim, client, feed, kind)
    if wait > 0:
        await websocket.send_denial_response(_deny(429, {"retry-after": str(int(wait) + 1)}))
        return
    # the gate is a threading.Event opened from the test's thread: poll it
    while not sim.feed_gate.is_set():  # noqa: ASYNC110
        await asyncio.sleep(0.005)
    # registered before the handshake completes, so a test that saw the client connect can
    # always drop this connection
    conn = FeedConnection()
    with sim.lock:
        old = sim.connections.get((client, feed))
        sim.connections[(client, feed)] = conn
    if old is not None:
        old.drop(CLOSE_REPLACED)
    journal = sim.journal(client, feed)
    connect_seq = journal.next_seq
    cursor = journal.first_seq_at(revision) if revision > 0 else connect_seq
    await websocket.accept()
    outstanding: set[str] = set()
    wake = asyncio.Event()
    key = journal.register(wake)

    async def receive() -> None:
        while True:
            try:
                text = await websocket.receive_text()
            except (WebSocketDisconnect, RuntimeError, KeyError):
                conn.dropped.set()
                return
            with contextlib.suppress(msgspec.DecodeError, RecursionError):
                message: Any = msgspec.json.decode(text)
                if isinstance(message, dict) and isinstance(message.get("pingId"), str):
                    outstanding.discard(message["pingId"])

    async def send() -> None:
        nonlocal cursor
        loop = asyncio.get_running_loop()
        next_ping = loop.time() + sim.ping_interval
        while not conn.stopping.is_set() and not conn.dropped.is_set():
            wake.clear()
            entries = journal.since(cursor)
            subscribed = sim.subscribed(client) if feed == "cashout" else set()
            for entry in entries:
                if conn.stopping.is_set():
                    return
                cursor = entry.seq + 1
                if feed == "cashout" and entry.seq < connect_seq and entry.bet_id not in subscribed:
                    continue
                await websocket.send_text(
                    (b'{"data":' + entry.data + b"}").decode("utf-8", "replace")
                )
            if entries:
                continue
            if loop.time() >= next_ping:
                if len(outstanding) >= sim.max_missed_pings:
                    conn.code = CLOSE_PING_TIMEOUT
                    return
                ping_id = uuid.uuid4().hex
                outstanding.add(ping_id)
                await websocket.send_text(msgspec.json.encode({"pingId": ping_id}).decode())
                next_ping = loop.time() + sim.ping_interval
            waiter = asyncio.ensure_future(wake.wait())
            dropper = asyncio.ensure_future(conn.dropped.wait())
            try:
                await asyncio.wait(
                    {waiter, dropper},
                    timeout=max(0.0, next_ping - loop.time()),
                    return_when=asyncio.FIRST_COMPLETED,
                )
            finally:
                waiter.cancel()
                dropper.cancel()

    try:
        async with anyio.create_task_group() as tg:

            async def run_send() -> None:
                with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
                    await send()
                tg.cancel_scope.cancel()

            async def run_receive() -> None:
                await receive()
                tg.cancel_scope.cancel()

            tg.start_soon(run_send)
            tg.start_soon(run_receive)
    finally:
        journal.unregister(key)
        with sim.lock:
            if sim.connections.get((client, feed)) is conn:
                del sim.connections[(client, feed)]
        with contextlib.suppress(Exception):
            await websocket.close(code=conn.code)
