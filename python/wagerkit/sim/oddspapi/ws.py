"""The live stream of the local OddsPapi server: ``/ws`` and its admin routes.

Protocol (oddspapi-facts, "WebSocket"): the client sends ``{"type": "login", "apiKey", channels,
fixtureIds, bookmakers, sportIds, receiveType, lastSeenId, serverEpoch}`` within
``LOGIN_TIMEOUT`` (10 s, else close 4000); the server answers ``login_ok`` (with its
``serverEpoch``) and pushes ``{channel, type: "UPDATE", payload, ts, entryId: "<ms>-<seq>"}``.
A key has at most ``MAX_CONNECTIONS`` (5) open sockets (the 6th is closed with 4003); a reader
whose queue overflows is closed with 4002.

Where the docs are silent (our choices, the same in the client and the README):

- a refused login is an ``error`` frame (``code`` as on REST: ``invalid_api_key``,
  ``channel_not_allowed``, ``bookmaker_not_allowed``, ``invalid_filters``) then close 4001;
- ``seq`` in ``entryId`` counts up per server epoch (not per millisecond), so ids sort;
- resume: a ``lastSeenId.odds`` cursor younger than the window (60 s, by the cursor's age) is
  answered by replaying the logged entries after it, then ``resume_complete``; an older cursor,
  or one from another ``serverEpoch``, gets ``snapshot_required`` and the stream flows on; so
  does a replay longer than half the reader's queue (``client_backpressure``), which would
  only shed the reader again;
- a fresh login (no cursor) gets the current state of its quotes as ``type: "SNAPSHOT"``
  entries, then updates;
- ``receiveType`` ``json`` (text frames) and ``binary`` (msgpack); zstd is refused
  (``invalid_filters``), see ``docs/oddspapi-stream.md``.

Prices move on the scenario's schedule (:meth:`World.advance`, polled every ``tick`` seconds)
and when a test moves them (:meth:`World.move`, or ``POST /admin/stream/walk`` for a seeded
random walk). Faults: :mod:`wagerkit.sim.oddspapi.faults`.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import uuid
import weakref
from collections import deque
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from wagerkit.sim.oddspapi.faults import StreamFaults
from wagerkit.sim.oddspapi.scenario import KeySpec
from wagerkit.sim.oddspapi.service import OddsPapiSim
from wagerkit.sim.oddspapi.world import SimQuote

__all__ = [
    "LOGIN_TIMEOUT",
    "MAX_CONNECTIONS",
    "RESUME_WINDOW",
    "StreamHub",
    "hub_of",
    "stream_routes",
]

LOGIN_TIMEOUT = 10.0
MAX_CONNECTIONS = 5
RESUME_WINDOW = 60.0
WS_CHANNELS = ("odds", "fixtures")
_json = msgspec.json.encode
_msgpack = msgspec.msgpack.encode


class _Conn:
    """One logged-in socket: its filters, encoding and outgoing queue."""

    def __init__(
        self, ws: WebSocket, key: KeySpec, login: dict[str, Any], buffer: int, binary: bool
    ) -> None:
        self.ws = ws
        self.key = key
        self.fixtures = set(login.get("fixtureIds") or ())
        self.bookmakers = set(login.get("bookmakers") or ())
        self.sports = set(login.get("sportIds") or ())
        self.tournaments = set(login.get("tournamentIds") or ())
        self.where: dict[str, tuple[int, int]] = {}  # fixtureId -> (sportId, tournamentId)
        self.channels = set(login.get("channels") or ("odds",))
        self.binary = binary
        self.queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(maxsize=buffer)
        self.close_code: int | None = None
        self.owes_snapshot = False

    def wants(self, payload: dict[str, Any]) -> bool:
        if "odds" not in self.channels:
            return False
        if self.fixtures and payload["fixtureId"] not in self.fixtures:
            return False
        if self.bookmakers and payload["bookmaker"] not in self.bookmakers:
            return False
        if self.key.bookmakers is not None and payload["bookmaker"] not in self.key.bookmakers:
            return False
        sport, tournament = self.where.get(payload["fixtureId"], (0, 0))
        if self.key.sports is not None and sport not in self.key.sports:
            return False
        if self.sports and sport not in self.sports:
            return False
        return not self.tournaments or tournament in self.tournaments

    def push(self, frame: dict[str, Any]) -> None:
        """Queue a frame; a full queue is a reader too slow to keep: close it with 4002."""
        if self.close_code is not None:
            return
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            self.close(4002)

    def close(self, code: int) -> None:
        if self.close_code is None:
            self.close_code = code
            with contextlib.suppress(asyncio.QueueFull):
                self.queue.put_nowait(None)
            if self.queue.full():  # make room for the wake-up
                with contextlib.suppress(asyncio.QueueEmpty):
                    self.queue.get_nowait()
                self.queue.put_nowait(None)

    def encode(self, frame: dict[str, Any]) -> tuple[bytes | None, str | None]:
        if self.binary:
            return _msgpack(frame), None
        return None, _json(frame).decode()


class StreamHub:
    """The stream of one :class:`OddsPapiSim`: connections per key, the entry log for resumes,
    the price ticker and the faults. Get it with :func:`hub_of`."""

    def __init__(
        self,
        sim: OddsPapiSim,
        *,
        login_timeout: float = LOGIN_TIMEOUT,
        max_connections: int = MAX_CONNECTIONS,
        resume_window: float = RESUME_WINDOW,
        buffer: int = 10_000,
        tick: float = 0.05,
    ) -> None:
        self.sim = sim
        self.login_timeout = login_timeout
        self.max_connections = max_connections
        self.resume_window = resume_window
        self.buffer = buffer
        self.tick = tick
        self.faults = StreamFaults()
        self.epoch = uuid.uuid4().hex[:12]
        self._seq = 0
        self._log: deque[tuple[int, int, dict[str, Any]]] = deque()
        self._conns: dict[str, set[_Conn]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._walk: asyncio.Task[None] | None = None
        self._unlisten = sim.world.listen(self._heard)
        self.published = 0
        self.refused_4003 = 0

    # -- entries ---------------------------------------------------------------------------------

    def _heard(self, quote: SimQuote) -> None:
        """World listener (any thread): publish on the server's loop."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        payload = self._payload(quote)
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._publish(payload)
        else:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._publish, payload)

    def _payload(self, q: SimQuote) -> dict[str, Any]:
        state = self.sim.world.bookmaker_state(q.fixture_id, q.bookmaker)
        return {
            "fixtureId": q.fixture_id,
            "bookmaker": q.bookmaker,
            "outcomeId": q.outcome_id,
            "playerId": q.player_id,
            "marketId": q.market_id,
            "price": q.price,
            "limit": q.limit,
            "active": q.active,
            "marketActive": True,
            "staleOdds": state["staleOdds"],
            "suspended": state["suspended"],
            "changedAt": q.changed_at,
        }

    def _next_id(self) -> tuple[int, int]:
        self._seq += 1
        return self.sim.world.now_ms(), self._seq

    def _publish(self, payload: dict[str, Any]) -> None:
        ms, seq = self._next_id()
        self._log.append((ms, seq, payload))
        horizon = ms - int(self.resume_window * 1000) - 1000
        while self._log and self._log[0][0] < horizon:
            self._log.popleft()
        self.published += 1
        frame = _envelope("UPDATE", payload, ms, seq)
        drop, last = self.faults.take_drop()
        for conns in self._conns.values():
            for conn in conns:
                if not conn.wants(payload):
                    continue
                if drop:
                    conn.owes_snapshot = True
                else:
                    conn.push(frame)
        if last:
            for conns in self._conns.values():
                for conn in conns:
                    if conn.owes_snapshot:
                        conn.owes_snapshot = False
                        conn.push(_control("snapshot_required", reason="client_backpressure"))

    # -- admin -----------------------------------------------------------------------------------

    def each(self) -> list[_Conn]:
        return [c for conns in self._conns.values() for c in conns]

    def reconnect_all(self) -> int:
        conns = self.each()
        for conn in conns:
            conn.push(_control("reconnect", reason="server_upgrade"))
        return len(conns)

    def close_all(self, code: int) -> int:
        conns = self.each()
        for conn in conns:
            conn.close(code)
        return len(conns)

    def restart(self) -> None:
        self.epoch = uuid.uuid4().hex[:12]
        self._log.clear()

    def start_walk(self, interval: float, seed: int, fixture_id: str | None) -> None:
        """Move a random quote (seeded) every ``interval`` seconds until stopped."""
        self.stop_walk()
        world = self.sim.world
        oids = sorted(
            oid
            for oid, q in world.quotes.items()
            if fixture_id is None or q.fixture_id == fixture_id
        )
        rng = random.Random(seed)

        async def walk() -> None:
            while True:
                await asyncio.sleep(interval)
                quote = world.quotes.get(rng.choice(oids))
                if quote is None:  # withdrawn since the walk began
                    continue
                oid, price = quote.odds_id, quote.price
                step = rng.choice((-0.03, -0.01, 0.01, 0.03))
                world.move(oid, price=round(min(50.0, max(1.02, price + step)), 2))

        self._walk = asyncio.get_running_loop().create_task(walk())

    def stop_walk(self) -> None:
        if self._walk is not None:
            self._walk.cancel()
            self._walk = None

    # -- the socket ------------------------------------------------------------------------------

    def _start(self) -> None:
        if self._loop is None or self._loop.is_closed():
            self._loop = asyncio.get_running_loop()
        if self._ticker is None or self._ticker.done():
            self._ticker = self._loop.create_task(self._tick())

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.tick)
            self.sim.world.advance()

    async def serve(self, ws: WebSocket) -> None:
        """One connection, login to close."""
        self._start()
        await ws.accept()
        message: Any = None
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.login_timeout):
                message = await ws.receive()
        if message is None:
            await ws.close(4000, "login timeout")
            return
        if message.get("type") == "websocket.disconnect":
            return
        raw = message.get("text") or message.get("bytes") or b""
        try:
            login = msgspec.json.decode(raw)
        except msgspec.DecodeError:
            login = None
        refused = self._refusal(login)
        if refused is not None:
            code, text = refused
            await ws.send_text(_json(_control("error", code=code, message=text)).decode())
            await ws.close(4001, code)
            return
        assert isinstance(login, dict)
        key = self.sim.keys[login["apiKey"]]
        conns = self._conns.setdefault(key.api_key, set())
        if len(conns) >= self.max_connections:
            self.refused_4003 += 1
            await ws.close(4003, "too many connections")
            return
        conn = _Conn(ws, key, login, self.buffer, login.get("receiveType") == "binary")
        conn.where = {
            fid: (f["sport"]["sportId"], f["tournament"]["tournamentId"])
            for fid, f in self.sim.world.fixtures.items()
        }
        conns.add(conn)
        try:
            self._login(conn, login)
            async with asyncio.TaskGroup() as tg:
                reader = tg.create_task(self._read(conn))
                await self._write(conn)
                reader.cancel()
        except* (WebSocketDisconnect, OSError, RuntimeError):
            pass
        finally:
            conns.discard(conn)
            if conn.close_code is not None:
                with contextlib.suppress(Exception):
                    await ws.close(conn.close_code)

    def _refusal(self, login: Any) -> tuple[str, str] | None:
        if not isinstance(login, dict) or login.get("type") != "login":
            return "invalid_filters", "the first frame must be a login"
        key = self.sim.keys.get(login.get("apiKey") or "")
        if key is None:
            return "invalid_api_key", "invalid apiKey"
        channels = login.get("channels") or ["odds"]
        for channel in channels:
            if channel not in WS_CHANNELS:
                return "invalid_filters", f"unknown channel {channel}"
            if key.channels is not None and channel not in key.channels:
                return "channel_not_allowed", f"channel {channel} is not in your plan"
        for slug in login.get("bookmakers") or ():
            if key.bookmakers is not None and slug not in key.bookmakers:
                return "bookmaker_not_allowed", f"bookmaker {slug} is not in your plan"
        for sport in login.get("sportIds") or ():
            if key.sports is not None and sport not in key.sports:
                return "sport_not_allowed", f"sport {sport} is not in your plan"
        if login.get("receiveType", "json") not in ("json", "binary"):
            return "invalid_filters", "receiveType must be json or binary here"
        return None

    def _login(self, conn: _Conn, login: dict[str, Any]) -> None:
        conn.push(_control("login_ok", serverEpoch=self.epoch))
        cursor = (login.get("lastSeenId") or {}).get("odds")
        if cursor is None:
            world = self.sim.world
            with world.lock:
                payloads = [self._payload(q) for q in world.quotes.values()]
            for payload in payloads:
                if conn.wants(payload):
                    ms, seq = self._next_id()
                    conn.push(_envelope("SNAPSHOT", payload, ms, seq))
            return
        reason = self._resume_refusal(login, cursor)
        if reason is not None:
            conn.push(_control("snapshot_required", reason=reason))
            return
        after = _parse_id(cursor)
        missed = [e for e in self._log if (e[0], e[1]) > after and conn.wants(e[2])]
        if len(missed) > self.buffer // 2:  # a replay that would shed the reader again
            conn.push(_control("snapshot_required", reason="client_backpressure"))
            return
        for ms, seq, payload in missed:
            conn.push(_envelope("UPDATE", payload, ms, seq))
        conn.push(_control("resume_complete"))

    def _resume_refusal(self, login: dict[str, Any], cursor: str) -> str | None:
        if login.get("serverEpoch") not in (None, self.epoch):
            return "server_restarted"
        if self.faults.take_gap():
            return "resume_window_exceeded"
        try:
            ms, _ = _parse_id(cursor)
        except ValueError:
            return "resume_window_exceeded"
        if self.sim.world.now_ms() - ms > self.resume_window * 1000:
            return "resume_window_exceeded"
        return None

    async def _read(self, conn: _Conn) -> None:
        """Read (and ignore) what the client sends, until it goes."""
        while True:
            message = await conn.ws.receive()
            if message.get("type") == "websocket.disconnect":
                conn.close(1000)
                return

    async def _write(self, conn: _Conn) -> None:
        while True:
            frame = await conn.queue.get()
            if frame is None or conn.close_code is not None:  # closing: send nothing more
                return
            data, text = conn.encode(frame)
            if data is not None:
                await conn.ws.send_bytes(data)
            else:
                assert text is not None
                await conn.ws.send_text(text)


def _envelope(kind: str, payload: dict[str, Any], ms: int, seq: int) -> dict[str, Any]:
    return {"channel": "odds", "type": kind, "payload": payload, "ts": ms, "entryId": f"{ms}-{seq}"}


def _control(kind: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, **fields}


def _parse_id(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq)


_HUBS: weakref.WeakKeyDictionary[OddsPapiSim, StreamHub] = weakref.WeakKeyDictionary()


def hub_of(sim: OddsPapiSim, **settings: Any) -> StreamHub:
    """The stream hub of ``sim`` (made on first use; ``settings`` apply then)."""
    hub = _HUBS.get(sim)
    if hub is None:
        hub = _HUBS[sim] = StreamHub(sim, **settings)
    return hub


def stream_routes(sim: OddsPapiSim) -> list[BaseRoute]:
    """``/ws`` and the stream's admin routes ``POST /admin/stream/{action}``: ``reconnect``,
    ``close``, ``backpressure``, ``drop`` (``{"count": n}``), ``gap`` (``{"count": n}``),
    ``restart``, ``walk`` (``{"interval": s, "seed": n, "fixtureId": id}``), ``stop-walk``,
    ``status``; each answers the hub's counters."""
    hub = hub_of(sim)

    async def ws_endpoint(ws: WebSocket) -> None:
        await hub.serve(ws)

    async def admin(request: Request) -> Response:
        action = request.path_params["action"]
        body: dict[str, Any] = {}
        raw = await request.body()
        if raw:
            try:
                body = msgspec.json.decode(raw)
            except msgspec.DecodeError:
                return JSONResponse({"error": "body must be JSON"}, 400)
        hub._start()
        count = int(body.get("count", 1))
        if action == "reconnect":
            return JSONResponse({"connections": hub.reconnect_all()})
        if action == "close":
            return JSONResponse({"connections": hub.close_all(1011)})
        if action == "backpressure":
            return JSONResponse({"connections": hub.close_all(4002)})
        if action == "drop":
            hub.faults.add_drops(count)
        elif action == "gap":
            hub.faults.add_gaps(count)
        elif action == "restart":
            hub.restart()
        elif action == "walk":
            hub.start_walk(
                float(body.get("interval", 0.01)), int(body.get("seed", 1)), body.get("fixtureId")
            )
        elif action == "stop-walk":
            hub.stop_walk()
        elif action == "status":
            pass
        else:
            return JSONResponse({"error": f"unknown action {action}"}, 404)
        return JSONResponse(
            {
                "epoch": hub.epoch,
                "published": hub.published,
                "connections": len(hub.each()),
                "refused4003": hub.refused_4003,
            }
        )

    return [
        WebSocketRoute("/ws", ws_endpoint),
        Route("/admin/stream/{action}", admin, methods=["POST"]),
    ]
