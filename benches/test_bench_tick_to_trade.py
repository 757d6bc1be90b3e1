"""Tick-to-trade: a betslip price move on the WebSocket → the place-orders request at the venue.

A loopback venue in another process (:mod:`benches.ttt_server`) sends one tick at a time and
times, on the system's monotonic clock, from just before it writes the tick to when it has
read the whole place-orders request. Two clients are timed by the same venue, in alternating
rounds of ``TICKS_PER_ROUND``, ``ROUNDS`` rounds each (≥ 2,000 ticks a side):

- **wagerkit**: :class:`~wagerkit.abp.stream.AbpStream` updates a
  :class:`~wagerkit.abp.livebook.LiveBook`, the bot's ``async for`` calls a strategy callback
  that reads the book's best price and places through ``OrderManager(client).place`` (which
  validates, dedupes, journals and encodes before the first byte leaves);
- **the floor**: the WebSocket layer's bare receive, then a bare ``httpx`` POST of pre-encoded
  bytes of the same order.

Figures: p50 and p99 of each, and wagerkit's added latency (p50 − p50). Gates are ratios
from this run: wagerkit's p50 ≤ ``MAX_P50_RATIO`` × the floor's, p99 ≤ ``MAX_P99_RATIO`` ×.
Each loop proves the work: the book saw every tick, every tick led to one placement, and the
venue answered each request with an accepted order and took one sample per tick.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import anyio
import httpx
import msgspec
import pytest

from benches.ratio_gate import RESULTS, GateResult
from benches.test_bench_stream import FIXTURE, LOGIN_OK
from benches.ttt_server import venue
from wagerkit.abp import AbpClient, OrderRequest
from wagerkit.abp.livebook import LiveBook
from wagerkit.abp.messages import StreamEvent
from wagerkit.abp.orders import encode_orders
from wagerkit.abp.stream import AbpStream
from wagerkit.execution import OrderManager
from wagerkit.transport import RateLimiter
from wagerkit.transport.websocket import connect_ws

TICKS_PER_ROUND = 500
ROUNDS = 5
PRICES = (2.02, 2.1)
MAX_P50_RATIO = 2.0
MAX_P99_RATIO = 3.0
"""Gates on wagerkit's latency over the bare floor's, from the same run (measured 1.3× at p50,
1.1× at p99 on a loaded 2-core machine). The README states the added microseconds against the
≤ 50 µs goal; no absolute time is asserted."""


def ticks(n: int = 2) -> list[bytes]:
    """Betslip frames that move one bookmaker's price back and forth (each is a change)."""
    return [
        msgspec.json.encode(
            {
                "type": "data",
                "channel": "betslip",
                "event": "UPDATE",
                "ts": 1790000000000 + i,
                "seq": i + 1,
                "payload": {
                    "fixtureId": FIXTURE,
                    "outcomeId": 103,
                    "playerId": 0,
                    "bookmaker": "pinnacle",
                    "marketKey": f"{FIXTURE}:pinnacle:103:0",
                    "price": PRICES[i % 2],
                    "limit": 500.0,
                    "limitMin": 1,
                    "limitCurrency": "USD",
                    "limitUsd": 500.0,
                    "limitMinUsd": 1,
                    "active": True,
                    "account": "pinnacle_main",
                },
            }
        )
        for i in range(n)
    ]


async def latencies(http_base: str) -> list[int]:
    async with httpx.AsyncClient(base_url=http_base) as http:
        samples: list[int] = (await http.get("/latencies")).json()
    return samples


CPU: dict[str, list[float]] = {"wagerkit": [], "floor": []}
"""Client CPU seconds per tick of each round (process time over the tick loop, idle waits cost
none): the added work per tick, free of the wall-clock noise of a shared machine."""


async def wagerkit_round(http_base: str, ws_url: str, n: int) -> list[int]:
    client = AbpClient("bench-key", http_base, limiter=RateLimiter(1e9), allow_insecure=True)
    book = LiveBook(FIXTURE, 103)
    stream = AbpStream(client, ws_url=f"{ws_url}?ticks={n}", reconcile=False, books=[book])
    manager = OrderManager(client)
    placed = 0

    async def strategy(event: StreamEvent) -> bool:
        """The bot's decision: back at the best price whenever the book moves."""
        price = book.book.best_price()
        if event.channel != "betslip" or price is None:
            return False
        order = OrderRequest.create(FIXTURE, 103, 1.5, price, user_ref="ttt", test=True)
        await manager.place(order)  # only the public API: the manager is being reworked
        return True

    async with stream:
        cpu = time.process_time()
        async for event in stream:
            placed += await strategy(event)
            if placed == n:
                break
        CPU["wagerkit"].append((time.process_time() - cpu) / n)
    await client.aclose()
    assert placed == n and book.updates == n  # every tick was seen and traded
    return await latencies(http_base)


async def floor_round(http_base: str, ws_url: str, n: int) -> list[int]:
    body = encode_orders(
        [OrderRequest.create(FIXTURE, 103, 1.5, PRICES[0], user_ref="ttt", test=True)]
    )
    headers = {"x-api-key": "bench-key", "content-type": "application/json"}
    answered = 0
    async with (
        httpx.AsyncClient(base_url=http_base, headers=headers) as http,
        connect_ws(f"{ws_url}?ticks={n}") as ws,
    ):
        await ws.send_text(b'{"type":"login"}')
        await ws.receive()  # login_ok
        cpu = time.process_time()
        for _ in range(n):
            await ws.receive()
            response = await http.post("/place-orders", content=body)
            answered += response.status_code == 200
        CPU["floor"].append((time.process_time() - cpu) / n)
    assert answered == n
    return await latencies(http_base)


def _pct(samples: list[int], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1000  # µs


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
def test_bench_tick_to_trade(benchmark: Any, anyio_backend: str) -> None:
    """stream → strategy → OrderManager.place → request at the venue, against the bare floor."""
    rounds, per_round = (ROUNDS, TICKS_PER_ROUND) if benchmark.enabled else (1, 20)
    mine: list[int] = []
    floor: list[int] = []
    CPU["wagerkit"].clear()
    CPU["floor"].clear()
    with venue(ticks(), LOGIN_OK) as (http_base, ws_url):
        for _ in range(rounds):
            got = anyio.run(wagerkit_round, http_base, ws_url, per_round, backend=anyio_backend)
            assert len(got) == per_round
            mine.extend(got)
            got = anyio.run(floor_round, http_base, ws_url, per_round, backend=anyio_backend)
            assert len(got) == per_round
            floor.extend(got)
    benchmark.extra_info["operation"] = "tick-to-trade (loopback venue)"
    benchmark.pedantic(lambda: None, rounds=1)  # the figures are the venue's samples
    if not benchmark.enabled:
        return
    p50, p99 = _pct(mine, 0.5), _pct(mine, 0.99)
    f50, f99 = _pct(floor, 0.5), _pct(floor, 0.99)
    benchmark.extra_info.update(
        p50_us=p50, p99_us=p99, floor_p50_us=f50, floor_p99_us=f99, added_p50_us=p50 - f50
    )
    at50 = GateResult(
        "tick-to-trade p50 (loopback venue)",
        "bare receive + httpx POST p50",
        p50 * 1000,
        f50 * 1000,
        1 / MAX_P50_RATIO,
    )
    at99 = GateResult(
        "tick-to-trade p99 (loopback venue)",
        "bare receive + httpx POST p99",
        p99 * 1000,
        f99 * 1000,
        1 / MAX_P99_RATIO,
    )
    RESULTS.extend([at50, at99])
    cpu_mine, cpu_floor = (statistics.median(CPU[k]) * 1e6 for k in ("wagerkit", "floor"))
    benchmark.extra_info.update(cpu_us_per_tick=cpu_mine, floor_cpu_us_per_tick=cpu_floor)
    print(
        f"\nclient CPU per tick (median of rounds): wagerkit {cpu_mine:.0f} µs, floor "
        f"{cpu_floor:.0f} µs, added {cpu_mine - cpu_floor:.0f} µs"
    )
    print(
        f"tick-to-trade over {len(mine)} ticks: wagerkit p50 {p50:.0f} µs p99 {p99:.0f} µs; "
        f"floor p50 {f50:.0f} µs p99 {f99:.0f} µs; added p50 {p50 - f50:.0f} µs "
        f"(mean {statistics.mean(mine) / 1000 - statistics.mean(floor) / 1000:.0f} µs)"
    )
    assert at50.passed, f"p50 {p50:.0f} µs vs floor {f50:.0f} µs"
    assert at99.passed, f"p99 {p99:.0f} µs vs floor {f99:.0f} µs"
