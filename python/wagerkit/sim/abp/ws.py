"""WebSocket ``/ws``: login, channels, the data envelope and the keepalive ABP documents.

Protocol (abp-facts §13): connect without auth, send ``{"type": "login", "apiKey": ...,
"channels": [...]}`` within ``ws_login_timeout`` (30 s); the server answers ``login_ok`` and
then pushes ``{type: "data", channel, event, payload, ts, seq}`` with ``seq`` counting per
subscription from 1. The server pings (``{"type": "ping"}``) every ``ws_ping_interval`` (30 s)
and closes a connection whose ping stays unanswered for ``ws_pong_timeout`` (120 s); a client
ping gets ``{"type": "pong"}``. At most ``ws_max_connections`` (5) per key.

Close codes (the docs name none; our choice): 4000 keepalive timeout, 4001 login missing,
late or refused, 4002 malformed login or unknown channel, 4003 too many connections,
4008 client too slow (more than ``ws_buffer`` messages queued), 1012 closed by the admin.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from typing import TYPE_CHECKING, Any

import msgspec
from starlette.websockets import WebSocket, WebSocketDisconnect

from wagerkit.sim.abp.events import CLIENT_CHANNELS, GLOBAL_CHANNELS

if TYPE_CHECKING:
    from wagerkit.sim.abp.service import AbpSim

__all__ = ["Connection", "websocket_endpoint"]

ALL_CHANNELS = (*CLIENT_CHANNELS, *GLOBAL_CHANNELS)
_encode = msgspec.json.encode


class Connection:
    """One logged-in WebSocket: its subscription, sequence counter and outgoing queue."""

    def __init__(
        self, sim: AbpSim, ws: WebSocket, client: str, channels: frozenset[str], reliable: bool
    ) -> None:
        self.sim = sim
        self.ws = ws
        self._client = client
        self._channels = channels
        self.reliable = reliable
        self.subscription_id = str(uuid.uuid4())
        self.seq = 0
        self.queue: asyncio.Queue[bytes] = asyncio.Queue(maxsize=sim.config.ws_buffer)
        self.closing = asyncio.Event()
        self.close_code = 1000
        self.close_reason = ""
        self.send_lock = asyncio.Lock()
        self.awaiting_pong_since: float | None = None  # monotonic time of the unanswered ping

    @property
    def client(self) -> str:
        return self._client

    @property
    def channels(self) -> frozenset[str]:
        return self._channels

    def deliver(self, channel: str, event: str, payload: Any) -> None:
        """Envelope and queue one event; a full queue closes the connection (too slow)."""
        if self.closing.is_set():
            return
        self.seq += 1
        message: dict[str, Any] = {
            "type": "data",
            "channel": channel,
            "event": event,
            "payload": payload,
            "ts": int(self.sim.clock.now() * 1000),
            "seq": self.seq,
        }
        if self.reliable:
            message["requireAck"] = True
        try:
            self.queue.put_nowait(_encode(message))
        except asyncio.QueueFull:
            self.kick(4008, "client too slow: message buffer full")

    def kick(self, code: int, reason: str) -> None:
        """Ask the connection's handler to close it."""
        if not self.closing.is_set():
            self.close_code, self.close_reason = code, reason
            self.closing.set()

    async def send(self, message: dict[str, Any] | bytes) -> None:
        data = message if isinstance(message, bytes) else _encode(message)
        async with self.send_lock:
            await self.ws.send_text(data.decode())


async def _refuse(ws: WebSocket, code: int, error: str, message: str) -> None:
    with contextlib.suppress(Exception):
        await ws.send_text(_encode({"type": "error", "code": error, "message": message}).decode())
        await ws.close(code, message)


async def websocket_endpoint(ws: WebSocket) -> None:
    """Serve one WebSocket connection from login to close."""
    sim: AbpSim = ws.app.state.sim
    cfg = sim.config
    await ws.accept()
    try:
        raw = await asyncio.wait_for(ws.receive_text(), timeout=cfg.ws_login_timeout)
    except TimeoutError:
        await _refuse(ws, 4001, "LOGIN_TIMEOUT", "no login within the time allowed")
        return
    except (WebSocketDisconnect, RuntimeError, KeyError):
        return
    try:
        login = msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError):  # deep nesting raises RecursionError
        login = None
    if not isinstance(login, dict) or login.get("type") != "login":
        await _refuse(ws, 4002, "BAD_LOGIN", "the first message must be a login")
        return
    api_key = login.get("apiKey")
    client = sim.keys.lookup(api_key) if isinstance(api_key, str) else None
    if client is None:
        await _refuse(ws, 4001, "UNAUTHORIZED", "Invalid or inactive API key")
        return
    wanted = login.get("channels") or []
    if not isinstance(wanted, list) or any(c not in ALL_CHANNELS for c in wanted):
        await _refuse(ws, 4002, "INVALID_CHANNEL", f"channels must be among {list(ALL_CHANNELS)}")
        return
    if len(sim.bus.subscribers(client.name)) >= cfg.ws_max_connections:
        await _refuse(
            ws,
            4003,
            "TOO_MANY_CONNECTIONS",
            f"at most {cfg.ws_max_connections} connections per API key",
        )
        return
    channels = frozenset(wanted) if wanted else frozenset(ALL_CHANNELS)
    reliable = login.get("reliableDelivery") is True
    conn = Connection(sim, ws, client.name, channels, reliable)
    sim.bus.add(conn)
    try:
        await conn.send(
            {
                "type": "login_ok",
                "clientName": client.name,
                "channels": [c for c in ALL_CHANNELS if c in channels],
                "subscriptionId": conn.subscription_id,
                "access": {
                    "clientFiltered": list(CLIENT_CHANNELS),
                    "global": list(GLOBAL_CHANNELS),
                },
                "reliableDelivery": reliable,
                "features": {
                    "messageOrdering": True,
                    "acknowledgments": reliable,
                    "batchAck": False,
                },
            }
        )
        await _serve(conn)
    except (WebSocketDisconnect, RuntimeError, OSError):
        pass
    finally:
        sim.bus.remove(conn)
    if conn.closing.is_set():
        with contextlib.suppress(Exception):
            await ws.close(conn.close_code, conn.close_reason)


async def _serve(conn: Connection) -> None:
    """Run reader, writer and keepalive until one ends or the connection is kicked."""
    tasks = [
        asyncio.create_task(_reader(conn)),
        asyncio.create_task(_writer(conn)),
        asyncio.create_task(_keepalive(conn)),
        asyncio.create_task(conn.closing.wait()),
    ]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
    for task in done:
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            if isinstance(exc, WebSocketDisconnect | RuntimeError | OSError):
                raise exc


async def _reader(conn: Connection) -> None:
    while True:
        raw = await conn.ws.receive_text()
        try:
            msg = msgspec.json.decode(raw)
        except (msgspec.DecodeError, RecursionError):  # deep nesting raises RecursionError
            msg = None
        kind = msg.get("type") if isinstance(msg, dict) else None
        if kind == "pong":
            conn.awaiting_pong_since = None
        elif kind == "ping":
            await conn.send({"type": "pong"})
        elif kind in ("ack", "login"):
            pass  # acknowledgements are accepted; redelivery is not simulated
        else:
            await conn.send({"type": "error", "code": "BAD_MESSAGE", "message": "unknown message"})


async def _writer(conn: Connection) -> None:
    while True:
        data = await conn.queue.get()
        await conn.send(data)


async def _keepalive(conn: Connection) -> None:
    cfg = conn.sim.config
    tick = max(0.005, min(cfg.ws_ping_interval, cfg.ws_pong_timeout) / 4)
    last_ping = time.monotonic()
    while True:
        await asyncio.sleep(tick)
        now = time.monotonic()
        if now - last_ping >= cfg.ws_ping_interval:
            await conn.send({"type": "ping"})
            last_ping = now
            if conn.awaiting_pong_since is None:
                conn.awaiting_pong_since = now
        since = conn.awaiting_pong_since
        if since is not None and now - since >= cfg.ws_pong_timeout:
            conn.kick(4000, "no pong within the keepalive timeout")
            return
