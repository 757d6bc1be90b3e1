"""The ABP stream over a real loopback WebSocket: CPU per message, socket read included.

A flood server in another process (:mod:`benches.ws_flood`) answers the login and then sends
``MESSAGES`` data frames, alternating betslip price moves (applied to a
:class:`~wagerkit.abp.livebook.LiveBook`) and order updates (merged into the state cache).
Three things are timed the same way, in alternating rounds, as the benchmark process's CPU
time from the first message to the last:

- **wagerkit**: :class:`~wagerkit.abp.stream.AbpStream` → the bot's ``async for``;
- **the floor**: the chosen WebSocket layer's bare receive + msgspec's envelope decode
  (what any client must pay to see the same bytes as typed frames);
- **betfairlightweight**: its ``StreamListener`` cache update of comparable Betfair
  market-change messages (one runner's price per message), fed from memory: its socket read
  is *not* counted, so the comparison favours it.

Goals (ratios of medians from this one run): wagerkit ≥ 2× betfairlightweight, and ≤ 3× the
floor; ``MIN_VS_BETFAIRLIGHTWEIGHT`` is the goal (met), ``MAX_VS_FLOOR`` still above it (see
there). The bot loop reads each event and the book, not ``event.data``: a betslip event's
``data`` is decoded when first read (the last one is read and checked after the loop). Each
loop proves it did the work: every message is counted, the book's best price and update count
moved, the cache holds every order, and betfairlightweight's cached ladder matches the last
price sent.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

import anyio
import msgspec
import pytest

from benches.ratio_gate import RESULTS, GateResult
from benches.ws_flood import flood_server
from wagerkit.abp.client import AbpClient
from wagerkit.abp.livebook import LiveBook
from wagerkit.abp.messages import StreamEvent, decode_envelope
from wagerkit.abp.models import BetslipUpdate, Order
from wagerkit.abp.stream import AbpStream
from wagerkit.transport.websocket import connect_ws

FIXTURE = "id1000004461512432"
MESSAGES = 10_000
ACCOUNTS = 20
ORDERS = 500
PRICES = (1.95, 2.02, 2.1, 2.25)
LOGIN_OK = b'{"type":"login_ok","clientName":"bench","channels":["betslip","orders"]}'
GOAL_VS_BETFAIRLIGHTWEIGHT = 2.0
GOAL_VS_FLOOR = 3.0
"""The goals (issue: ≥ 2× betfairlightweight, ≤ 3× the receive + decode floor); the run prints
whether they are met."""
MIN_VS_BETFAIRLIGHTWEIGHT = GOAL_VS_BETFAIRLIGHTWEIGHT
"""Met since a betslip frame is one engine call: 2.2-2.4× in every run on the loaded 2-core
machine (asyncio and trio), so the gate is the goal."""
MAX_VS_FLOOR = 4.0
"""Not met yet (3.0-3.4× the floor measured): the gate sits where it passes reliably on a
loaded machine and still fails a regression to the former 4.1-4.3×. What is left: the
engine's JSON decode of the betslip payload (about 7k of its 9k instructions) and msgspec's
typed decode of each order frame with the state cache merge (see docs/websocket.md)."""


def stream_frames(n: int = MESSAGES) -> list[bytes]:
    """``n`` data frames, seq 1..n: even ones move a quote, odd ones update an order."""
    frames = []
    for seq in range(1, n + 1):
        if seq % 2 == 0:
            account = seq // 2 % ACCOUNTS
            payload: dict[str, Any] = {
                "fixtureId": FIXTURE,
                "outcomeId": 103,
                "playerId": 0,
                "bookmaker": f"book{account:02d}",
                "marketKey": f"{FIXTURE}:book{account:02d}:103:0",
                "price": PRICES[seq // (2 * ACCOUNTS) % len(PRICES)],
                "limit": 500.0,
                "limitMin": 1,
                "limitCurrency": "EUR",
                "limitUsd": 590.0,
                "limitMinUsd": 1.18,
                "active": True,
                "account": f"book{account:02d}_main",
                "currencyInfo": {"currency": "EUR", "currencyValue": 0.8479},
            }
            channel = "betslip"
        else:
            oid = seq // 2 % ORDERS + 1
            payload = {
                "orderId": oid,
                "requestUuid": f"00000000-0000-4000-8000-{oid:012d}",
                "orderStatus": "PENDING" if seq < n // 2 else "FILLED",
                "fixtureId": FIXTURE,
                "outcomeId": 103,
                "playerId": 0,
                "orderStake": 10.0,
                "orderPrice": 1.95,
                "filledStake": 0.0 if seq < n // 2 else 10.0,
                "orderCurrency": "USD",
                "userRef": "bench",
            }
            channel = "orders"
        frames.append(
            msgspec.json.encode(
                {
                    "type": "data",
                    "channel": channel,
                    "event": "UPDATE",
                    "ts": 1790000000000 + seq,
                    "seq": seq,
                    "payload": payload,
                }
            )
        )
    return frames


async def wagerkit_round(base: str, n: int) -> float:
    """CPU seconds per message through AbpStream to the bot's ``async for``."""
    client = AbpClient("bench-key", "https://abp.invalid")
    book = LiveBook(FIXTURE, 103)
    stream = AbpStream(
        client, ws_url=f"{base}/ws", reconcile=False, books=[book], buffer=n, backoff=None
    )
    count = 0
    last: dict[str, StreamEvent] = {}
    async with stream:
        async for event in stream:
            if count == 0:
                start = time.process_time()
            count += 1
            last[event.channel] = event  # the bot sees each event; it reads the book, not data
            if count == n:
                break
        cpu = time.process_time() - start
    await client.aclose()
    # the work was done: every frame arrived, applied, nothing dropped or refused
    assert stream.messages == n and stream.bad_frames == 0 and stream.dropped == 0
    assert book.updates == n // 2 and book.book.best_price() in PRICES
    assert len(stream.state) == ORDERS
    # the events carry the frames: the last quote's data (decoded when read) is the book's
    assert last["betslip"].seq == n and last["orders"].seq == n - 1
    quote = last["betslip"].data
    assert isinstance(quote, BetslipUpdate) and quote.account == f"book{n // 2 % ACCOUNTS:02d}_main"
    assert isinstance(last["orders"].data, Order)
    return cpu / (n - 1)


async def floor_round(base: str, n: int) -> float:
    """CPU seconds per message for the bare receive + envelope decode."""
    seqs = 0
    async with connect_ws(f"{base}/ws") as ws:
        await ws.send_text(b'{"type":"login"}')
        assert decode_envelope(await ws.receive()).type == "login_ok"
        seqs += decode_envelope(await ws.receive()).seq or 0
        start = time.process_time()
        for _ in range(n - 1):
            seqs += decode_envelope(await ws.receive()).seq or 0
        cpu = time.process_time() - start
    assert seqs == n * (n + 1) // 2  # every frame decoded
    return cpu / (n - 1)


def betfair_messages(n: int) -> tuple[list[str], str]:
    """A market image and ``n - 1`` deltas, each moving one runner's best back price."""
    market = "1.234567890"
    runners = [{"id": 1000 + i, "sortPriority": i + 1, "status": "ACTIVE"} for i in range(20)]
    definition = {
        "bspMarket": False,
        "turnInPlayEnabled": True,
        "persistenceEnabled": True,
        "marketBaseRate": 5,
        "eventId": "30000000",
        "eventTypeId": "1",
        "numberOfWinners": 1,
        "bettingType": "ODDS",
        "marketType": "MATCH_ODDS",
        "marketTime": "2026-12-04T20:00:00.000Z",
        "suspendTime": "2026-12-04T20:00:00.000Z",
        "bspReconciled": False,
        "complete": True,
        "inPlay": False,
        "crossMatching": True,
        "runnersVoidable": False,
        "numberOfActiveRunners": 20,
        "betDelay": 0,
        "status": "OPEN",
        "runners": runners,
        "regulators": ["MR_INT"],
        "venue": None,
        "countryCode": "GB",
        "discountAllowed": True,
        "timezone": "Europe/London",
        "openDate": "2026-12-04T20:00:00.000Z",
        "version": 1,
    }
    image = {
        "op": "mcm",
        "id": 1,
        "clk": "AAA",
        "pt": 1790000000000,
        "ct": "SUB_IMAGE",
        "initialClk": "BBB",
        "mc": [
            {
                "id": market,
                "img": True,
                "marketDefinition": definition,
                "rc": [{"id": r["id"], "atb": [[2.0, 100.0]]} for r in runners],
            }
        ],
    }
    msgs = [json.dumps(image)]
    for i in range(1, n):
        price = PRICES[i % len(PRICES)]
        change = {
            "op": "mcm",
            "id": 1,
            "clk": f"C{i}",
            "pt": 1790000000000 + i,
            "mc": [{"id": market, "rc": [{"id": 1000 + i % 20, "atb": [[price, 50.0 + i]]}]}],
        }
        msgs.append(json.dumps(change))
    return msgs, market


def betfair_round(n: int) -> float:
    """CPU seconds per message for betfairlightweight's cache update (no socket)."""
    from betfairlightweight.streaming import StreamListener

    msgs, market = betfair_messages(n)
    listener = StreamListener(max_latency=None)
    listener.register_stream(1, "marketSubscription")
    listener.on_data(msgs[0])
    start = time.process_time()
    for raw in msgs[1:]:
        listener.on_data(raw)
    cpu = time.process_time() - start
    cache = listener.stream._caches[market]
    last = json.loads(msgs[-1])["mc"][0]["rc"][0]
    runner = next(r for r in cache.runners if r.selection_id == last["id"])
    ladder = {level["price"]: level["size"] for level in runner.available_to_back.serialised}
    assert ladder[last["atb"][0][0]] == last["atb"][0][1]  # the last change was applied
    return cpu / (n - 1)


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
def test_bench_stream_throughput(benchmark: Any, anyio_backend: str) -> None:
    """AbpStream over loopback against betfairlightweight and the receive + decode floor."""
    frames = stream_frames()
    rounds = 5 if benchmark.enabled else 1
    mine: list[float] = []
    floor: list[float] = []
    betfair: list[float] = []
    with flood_server(frames, greeting=LOGIN_OK) as base:
        for _ in range(rounds):
            mine.append(anyio.run(wagerkit_round, base, MESSAGES, backend=anyio_backend))
            floor.append(anyio.run(floor_round, base, MESSAGES, backend=anyio_backend))
            betfair.append(betfair_round(MESSAGES))
    benchmark.extra_info["operation"] = "ABP stream message over loopback (CPU)"
    benchmark.pedantic(lambda: None, rounds=1)  # the figures are CPU medians, recorded below
    if not benchmark.enabled:
        return
    ours, bare, bf = (statistics.median(v) * 1e9 for v in (mine, floor, betfair))
    vs_bf = GateResult(
        f"ABP stream message, socket read included (CPU, {anyio_backend})",
        "betfairlightweight cache update (no socket)",
        ours,
        bf,
        MIN_VS_BETFAIRLIGHTWEIGHT,
    )
    vs_floor = GateResult(
        f"ABP stream message, socket read included (CPU, {anyio_backend})",
        "bare receive + msgspec envelope decode",
        ours,
        bare,
        1 / MAX_VS_FLOOR,
    )
    RESULTS.extend([vs_bf, vs_floor])
    benchmark.extra_info.update(
        cpu_ns_per_message=round(ours), floor_ns=round(bare), betfairlightweight_ns=round(bf)
    )
    print(
        f"\nstream ({anyio_backend}): {ours:.0f} ns/message ({1e9 / ours:,.0f}/s per core); "
        f"betfairlightweight {bf:.0f} ns ({vs_bf.ratio:.2f}x, goal {GOAL_VS_BETFAIRLIGHTWEIGHT}x"
        f" {'met' if vs_bf.ratio >= GOAL_VS_BETFAIRLIGHTWEIGHT else 'not met'}); floor "
        f"{bare:.0f} ns ({ours / bare:.2f}x the floor, goal <= {GOAL_VS_FLOOR}x "
        f"{'met' if ours / bare <= GOAL_VS_FLOOR else 'not met'})"
    )
    assert vs_bf.passed, f"{ours:.0f} ns vs betfairlightweight {bf:.0f} ns: {vs_bf.ratio:.2f}x"
    assert vs_floor.passed, f"{ours:.0f} ns vs floor {bare:.0f} ns: {ours / bare:.2f}x the floor"
