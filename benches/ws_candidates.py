"""Which WebSocket client to build the streams on: CPU per received message, measured here.

Run: ``python -m benches.ws_candidates [messages] [rounds]``. A flood server in another process
(:mod:`benches.ws_flood`) sends ``messages`` ABP-sized text frames (about 330 bytes, a betslip
update) over loopback; each candidate reads them all, and we take the client process's CPU
time from its first to its last message. Candidates run in alternating rounds; the table
shows medians. Every candidate must receive every message (counted, bytes summed) or the run
fails. The figures and the choice are written up in docs/websocket.md.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable

import anyio
import msgspec

from benches.ws_flood import flood_server

FRAME = msgspec.json.encode(
    {
        "type": "data",
        "channel": "betslip",
        "event": "UPDATE",
        "ts": 1790000000000,
        "seq": 1,
        "payload": {
            "fixtureId": "id1000004461512432",
            "outcomeId": 103,
            "playerId": 0,
            "bookmaker": "pinnacle",
            "marketKey": "id1000004461512432:pinnacle:103:0",
            "price": 2.02,
            "limit": 500.0,
            "limitMin": 1,
            "limitCurrency": "EUR",
            "limitUsd": 590.0,
            "limitMinUsd": 1.18,
            "active": True,
            "account": "pinnacle_main",
            "currencyInfo": {"currency": "EUR", "currencyValue": 0.8479},
        },
    }
)

Result = tuple[int, int, float]  # messages, bytes, cpu seconds (first message → last)


async def wagerkit_ws(url: str, n: int) -> Result:
    from wagerkit.transport.websocket import connect_ws

    async with connect_ws(url) as ws:
        await ws.send_text(b"go")
        total = len(await ws.receive())
        start = time.process_time()
        for _ in range(n - 1):
            total += len(await ws.receive())
        return n, total, time.process_time() - start


async def sans_io_only(url: str, n: int) -> Result:
    """websockets' sans-I/O parser for every frame (wagerkit's fast path switched off)."""
    from wagerkit.transport.websocket import connect_ws

    async with connect_ws(url) as ws:
        ws._fast = False
        await ws.send_text(b"go")
        total = len(await ws.receive())
        start = time.process_time()
        for _ in range(n - 1):
            total += len(await ws.receive())
        return n, total, time.process_time() - start


async def wagerkit_ws_decode(url: str, n: int) -> Result:
    """The floor the stream benchmark gates against: receive + msgspec envelope decode."""
    from wagerkit.abp.messages import decode_envelope
    from wagerkit.transport.websocket import connect_ws

    async with connect_ws(url) as ws:
        await ws.send_text(b"go")
        total = len(await ws.receive())
        start = time.process_time()
        for _ in range(n - 1):
            total += decode_envelope(await ws.receive()).seq or 0
        return n, total, time.process_time() - start


async def websockets_asyncio(url: str, n: int) -> Result:
    from websockets.asyncio.client import connect

    async with connect(url, compression=None, max_size=None) as ws:
        await ws.send("go")
        total = len(await ws.recv(decode=False))
        start = time.process_time()
        for _ in range(n - 1):
            total += len(await ws.recv(decode=False))
        return n, total, time.process_time() - start


async def httpx_ws(url: str, n: int) -> Result:
    import httpx
    from httpx_ws import aconnect_ws

    async with (
        httpx.AsyncClient() as http,
        aconnect_ws(url, http, keepalive_ping_interval_seconds=None) as ws,
    ):
        await ws.send_text("go")
        total = len(await ws.receive_text())
        start = time.process_time()
        for _ in range(n - 1):
            total += len(await ws.receive_text())
        return n, total, time.process_time() - start


async def picows_client(url: str, n: int) -> Result:
    import picows

    done: asyncio.Future[Result] = asyncio.get_running_loop().create_future()

    class Listener(picows.WSListener):  # type: ignore[misc]
        count = 0
        total = 0
        start = 0.0

        def on_ws_frame(self, transport: picows.WSTransport, frame: picows.WSFrame) -> None:
            if frame.msg_type != picows.WSMsgType.TEXT:
                return
            if self.count == 0:
                self.start = time.process_time()
            self.count += 1
            self.total += len(frame.get_payload_as_bytes())
            if self.count == n and not done.done():
                done.set_result((n, self.total, time.process_time() - self.start))

    transport, _ = await picows.ws_connect(Listener, url)
    transport.send(picows.WSMsgType.TEXT, b"go")
    try:
        return await done
    finally:
        transport.disconnect()


CANDIDATES: dict[str, tuple[str, Callable[[str, int], Awaitable[Result]]]] = {
    "httpx-ws (asyncio)": ("asyncio", httpx_ws),
    "websockets asyncio client": ("asyncio", websockets_asyncio),
    "picows (asyncio only)": ("asyncio", picows_client),
    "websockets sans-I/O parser over anyio, asyncio": ("asyncio", sans_io_only),
    "wagerkit connect_ws, asyncio": ("asyncio", wagerkit_ws),
    "wagerkit connect_ws, trio": ("trio", wagerkit_ws),
    "wagerkit connect_ws + envelope decode, asyncio": ("asyncio", wagerkit_ws_decode),
}


def main(n: int = 20_000, rounds: int = 3) -> None:
    times: dict[str, list[float]] = {name: [] for name in CANDIDATES}
    with flood_server([FRAME] * n) as base:
        for _ in range(rounds):
            for name, (backend, fn) in CANDIDATES.items():
                got, total, cpu = anyio.run(fn, f"{base}/ws", n, backend=backend)
                assert got == n and total > 0, name
                times[name].append(cpu / (n - 1))
    print(f"| client | CPU per message (median of {rounds}) | messages/s per core |")
    print("|---|---|---|")
    for name, values in times.items():
        med = statistics.median(values)
        print(f"| {name} | {med * 1e6:.2f} µs | {1 / med:,.0f} |")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
