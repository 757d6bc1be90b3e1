"""One bot process for the many-process proofs (run as ``python -m tests.shared.bot MODE ...``).

Modes (arguments as one JSON object on argv[2]; one JSON line of results on stdout):

- ``budget``: GET /accounts through a :class:`RedisBudget` at ``rate`` per second for
  ``seconds``; reports how many requests went through and how many ABP refused with 429
  (the client does not retry, so every 429 is seen).
- ``pinnacle``: polls one sport's odds deltas through a fair-use pacer whose slots are in
  Redis; reports calls made and 429s seen.
- ``own``: places intents in one batch, holding their leases, to be killed with -9.
- ``place``: places the given intents (request bytes) through an OrderManager with
  ``shared=``; reports each key's outcome ("placed", "refused" or the error name).
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import anyio

from wagerkit.abp import AbpAdapter, AbpClient
from wagerkit.abp.client import LIMITER_GUARD
from wagerkit.errors import InvalidInput, RateLimited, SharedStateUnavailable, WagerkitError
from wagerkit.execution import OrderManager
from wagerkit.execution.shared import RedisBudget, SharedOrders, connect
from wagerkit.transport import Backoff, RateLimiter, RetryPolicy


async def budget(cfg: dict[str, Any]) -> dict[str, Any]:
    redis = connect(cfg["redis"])
    guard = cfg.get("guard", LIMITER_GUARD)
    limiter = RedisBudget(redis, "abp:test:all", 100, 1.0, guard=guard, max_wait=10)
    retry = RetryPolicy(attempts=1, timeout=10.0)
    ok = limited = 0
    interval = 1.0 / cfg["rate"]
    async with AbpClient(cfg["key"], cfg["url"], limiter=limiter, retry=retry) as client:
        await client.health()  # connect first (not counted by ABP), as a bot does at start
        await anyio.sleep(max(0.0, cfg["start"] - time.time()))
        end = cfg["start"] + cfg["seconds"]
        nxt = time.monotonic()
        while time.time() < end:
            try:
                await client.accounts()
                ok += 1
            except RateLimited:
                limited += 1
            nxt += interval
            await anyio.sleep(max(0.0, nxt - time.monotonic()))
    return {"ok": ok, "limited": limited}


async def place(cfg: dict[str, Any]) -> dict[str, Any]:
    redis = connect(cfg["redis"])
    shared = SharedOrders(redis, lease=cfg.get("lease", 5.0))
    retry = RetryPolicy(attempts=3, timeout=10.0, wait_initial=0.001, wait_max=0.01)
    out: dict[str, str] = {}
    async with AbpClient(cfg["key"], cfg["url"], limiter=RateLimiter(100_000), retry=retry) as c:
        adapter = AbpAdapter(c, retry=retry)
        manager = OrderManager(
            adapter, shared=shared, max_resends=2, backoff=Backoff(initial=0.01, maximum=0.05)
        )
        await anyio.sleep(max(0.0, cfg["start"] - time.time()))
        unavailable = 0
        for raw in cfg["intents"]:
            request = adapter.decode(raw.encode())
            while True:
                try:
                    m = await manager.place(request)
                    out[request.request_uuid] = m.status.value
                except SharedStateUnavailable:
                    unavailable += 1
                    if cfg.get("retry_unavailable"):
                        await anyio.sleep(0.05)
                        continue
                    out[request.request_uuid] = "SharedStateUnavailable"
                except InvalidInput:
                    out[request.request_uuid] = "refused"
                except WagerkitError as exc:
                    out[request.request_uuid] = type(exc).__name__
                break
            await anyio.sleep(cfg.get("pause", 0.0))
    return {"outcomes": out, "unavailable": unavailable}


async def pinnacle(cfg: dict[str, Any]) -> dict[str, Any]:
    """Poll one sport's odds deltas as fast as the shared fair-use pacer allows."""
    from wagerkit.execution.shared.pacing import RedisPacing
    from wagerkit.pinnacle import AsyncPinnacleClient
    from wagerkit.pinnacle.pacer import Pacer

    pacer = Pacer(cfg["policy"], shared=RedisPacing(connect(cfg["redis"]), cfg["username"]))
    calls = limited = 0
    async with AsyncPinnacleClient(
        cfg["username"], cfg["password"], base_url=cfg["url"], pacer=pacer, max_429_wait=0.0
    ) as client:
        await anyio.sleep(max(0.0, cfg["start"] - time.time()))
        end = cfg["start"] + cfg["seconds"]
        while time.time() < end:
            with anyio.move_on_after(max(0.0, end - time.time())):
                try:
                    await client.odds(cfg["sport"], since=1000)
                    calls += 1
                except RateLimited:
                    limited += 1
    return {"calls": calls, "limited": limited}


async def own(cfg: dict[str, Any]) -> dict[str, Any]:
    """Place the intents in one batch with leases held by a heartbeat; says ``sending`` on
    stdout just before (the test kills this process while the batch is on the wire)."""
    redis = connect(cfg["redis"])
    with SharedOrders(redis, owner="owner", lease=cfg["lease"]) as shared:
        retry = RetryPolicy(attempts=1, timeout=30.0)
        async with AbpClient(
            cfg["key"], cfg["url"], limiter=RateLimiter(100_000), retry=retry, timeout=30.0
        ) as c:
            adapter = AbpAdapter(c, retry=retry)
            manager = OrderManager(adapter, shared=shared, timeout=30.0)
            requests = [adapter.decode(raw.encode()) for raw in cfg["intents"]]
            print("sending", flush=True)
            placed = await manager.place_many(requests)
    return {"statuses": [m.status.value for m in placed]}


def main() -> None:
    mode, cfg = sys.argv[1], json.loads(sys.argv[2])
    fn = {"budget": budget, "place": place, "pinnacle": pinnacle, "own": own}[mode]
    print(json.dumps(anyio.run(fn, cfg)), flush=True)


if __name__ == "__main__":
    main()
