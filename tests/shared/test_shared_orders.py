"""Claims, leases and the order manager on a real Redis (and a real ABP simulator)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import pytest

from tests.shared.redis_server import RedisServer
from wagerkit.abp import AbpAdapter, AbpClient, OrderRequest
from wagerkit.errors import InvalidInput, SharedStateUnavailable
from wagerkit.execution import LocalStatus, OrderManager
from wagerkit.execution.shared import ClaimRecord, SharedOrders, connect
from wagerkit.sim.abp.testing import SimHandle
from wagerkit.transport import RateLimiter, RetryPolicy

pytestmark = pytest.mark.anyio
FIXTURE = "id1000004461512432"
ROOT = Path(__file__).resolve().parents[2]
RETRY = RetryPolicy(attempts=2, timeout=5.0, wait_initial=0.001, wait_max=0.005)


def record(key: str, owner: str = "x") -> ClaimRecord:
    return ClaimRecord("abp", key, owner, "order", None, None, time.time(), b"{}")


def test_one_claim_wins(rclient: Any) -> None:
    a = SharedOrders(rclient, owner="a")
    b = SharedOrders(rclient, owner="b")
    assert a.claim(record("k1", "a"), 60) is None
    assert b.claim(record("k1", "b"), 60) == "a"
    assert a.claim(record("k1", "a"), 60) is None  # the owner may claim again (idempotent)
    assert a.owner_of("abp", "k1") == "a"
    a.release("abp", "k1")  # never sent: the key is free again
    assert b.claim(record("k1", "b"), 60) is None


def test_resolved_keeps_the_claim_and_drops_the_lease(rclient: Any) -> None:
    a = SharedOrders(rclient, owner="a", lease=0.2)
    b = SharedOrders(rclient, owner="b", lease=0.2)
    assert a.claim(record("k2", "a"), 60) is None
    assert [r.key for r in a.pending()] == ["k2"]
    a.resolved("abp", "k2")
    assert a.pending() == []
    assert b.claim(record("k2", "b"), 60) == "a"  # still inside the window


def test_a_lapsed_lease_is_adopted_by_exactly_one(rclient: Any) -> None:
    dead = SharedOrders(rclient, owner="dead", lease=0.15)
    assert dead.claim(record("k3", "dead"), 60) is None
    others = [SharedOrders(rclient, owner=f"o{i}", lease=5) for i in range(3)]
    assert all(o.orphans() == [] for o in others)  # the owner's lease is live
    time.sleep(0.2)
    won = [o for o in others if o.orphans()]
    assert len(won) == 1
    assert won[0].owner_of("abp", "k3") == won[0].owner
    assert dead.renew() == [("abp", "k3")]  # the old owner learns it lost it


def test_heartbeat_keeps_the_lease(rclient: Any) -> None:
    with SharedOrders(rclient, owner="alive", lease=0.15) as alive:
        assert alive.claim(record("k4", "alive"), 60) is None
        time.sleep(0.4)
        assert SharedOrders(rclient, owner="other").orphans() == []


def manager(sim: SimHandle, shared: SharedOrders) -> tuple[OrderManager, AbpClient]:
    client = AbpClient(sim.api_key, sim.base_url, limiter=RateLimiter(100_000), retry=RETRY)
    return OrderManager(AbpAdapter(client, retry=RETRY), shared=shared, max_resends=1), client


def order(i: int, ref: str) -> OrderRequest:
    return OrderRequest.create(FIXTURE, 103, 2.0, 1.5, user_ref=ref, meta={"i": i})


async def test_a_dead_owners_orders_are_resolved_by_another(
    abp_sim: SimHandle, rclient: Any
) -> None:
    """The owner placed, then died before recording the outcome (its lease lapses): the
    adopter looks them up and resends the one never sent; one order per intent at ABP."""
    dead = SharedOrders(rclient, owner="dead", lease=0.2)
    m1, c1 = manager(abp_sim, dead)
    sent = order(0, "adopt")
    unsent = order(1, "adopt")
    await m1.place(sent)
    # the crash: claims made (as _admit does), lease and pending left behind, one never sent
    adapter = AbpAdapter(c1)
    for r in (sent, unsent):
        dead.claim(
            ClaimRecord("abp", r.request_uuid, "dead", "order", "adopt", None, time.time(),
                        adapter.encode(r)),
            1800,
        )  # fmt: skip
    await c1.aclose()
    await anyio.sleep(0.3)
    m2, c2 = manager(abp_sim, SharedOrders(rclient, owner="heir"))
    adopted = await m2.adopt(resend=True)
    assert {k: m.status for k, m in adopted.items()} == {
        sent.request_uuid: LocalStatus.ACCEPTED,
        unsent.request_uuid: LocalStatus.ACCEPTED,
    }
    assert SharedOrders(rclient).pending() == []
    orders = [o async for o in c2.iter_orders(user_ref="adopt")]
    assert sorted(o.meta["i"] for o in orders) == [0, 1]
    await c2.aclose()


async def test_redis_down_fails_closed_then_resumes(
    abp_sim: SimHandle, redis_server: RedisServer
) -> None:
    client = connect(redis_server.url, timeout=0.3, retries=1)
    client.flushall()
    m, c = manager(abp_sim, SharedOrders(client))
    assert (await m.place(order(0, "redis-down"))).status is LocalStatus.ACCEPTED
    redis_server.kill()
    try:
        down = order(1, "redis-down")
        with pytest.raises(SharedStateUnavailable):
            await m.place(down)
        assert [o async for o in c.iter_orders(user_ref="redis-down")].__len__() == 1
    finally:
        redis_server.start()
    # back: the same request goes through (the local refusal was undone), exactly once
    assert (await m.place(down)).status is LocalStatus.ACCEPTED
    with pytest.raises(InvalidInput):
        await m.place(down)
    orders = [o async for o in c.iter_orders(user_ref="redis-down")]
    assert sorted(o.meta["i"] for o in orders) == [0, 1]
    await c.aclose()


def start_owner(cfg: dict[str, Any]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    return subprocess.Popen(  # noqa: S603 - our own test program
        [sys.executable, "-m", "tests.shared.bot", "own", json.dumps(cfg)],
        stdout=subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )


async def test_kill_9_of_the_owner_another_process_resolves_its_orders(
    abp_sim: SimHandle, rclient: Any, redis_server: RedisServer
) -> None:
    """The owner's batch is on the wire (the simulator holds every request 1.5 s) when it is
    killed with -9. Once its leases lapse this process adopts the intents: it finds those that
    landed and resends (same requestUuid) the rest; one order per intent, none lost."""
    intents = [order(i, "kill9") for i in range(5)]
    adapter = AbpAdapter(AbpClient(abp_sim.api_key, abp_sim.base_url))
    cfg = {
        "redis": redis_server.url,
        "url": abp_sim.base_url,
        "key": abp_sim.api_key,
        "lease": 1.0,
        "intents": [adapter.encode(r).decode() for r in intents],
    }
    abp_sim.faults(latency=1.5)
    owner = start_owner(cfg)
    try:
        assert owner.stdout is not None
        assert owner.stdout.readline().strip() == b"sending"
        await anyio.sleep(0.5)  # the batch is at the simulator, held
        assert len(SharedOrders(rclient).pending()) == 5
    finally:
        owner.kill()
        owner.wait(timeout=10)
    abp_sim.clear_faults()
    heir_shared = SharedOrders(rclient, owner="heir", lease=5.0)
    m, c = manager(abp_sim, heir_shared)
    assert await m.adopt() == {}  # the dead owner's leases have not lapsed yet
    adopted: dict[str, Any] = {}
    with anyio.fail_after(15):
        while len(adopted) < 5:
            await anyio.sleep(0.2)
            adopted.update(await m.adopt())
    assert {k: v.status for k, v in adopted.items()} == {
        r.request_uuid: LocalStatus.ACCEPTED for r in intents
    }
    await anyio.sleep(1.5)  # anything still held on the wire has landed by now
    orders = [o async for o in c.iter_orders(user_ref="kill9")]
    assert sorted(o.meta["i"] for o in orders) == [0, 1, 2, 3, 4]
    assert SharedOrders(rclient).pending() == []
    await c.aclose()


async def test_a_restarted_process_takes_its_orders_back_from_its_journal(
    abp_sim: SimHandle, rclient: Any, tmp_path: Path
) -> None:
    """The placement is on the wire when the task dies (cancelled: the intent stays SENT in
    the process's own journal, its lease and pending record in Redis). The process restarts
    under the same ``owner`` name; its lease still holds others off, ``recover()`` settles the
    intent from its own journal and clears the shared records; one order at ABP."""
    from wagerkit.execution import SqliteJournal

    journal_path = tmp_path / "bot-3.sqlite"
    first = SharedOrders(rclient, owner="bot-3", lease=2.0)
    client = AbpClient(abp_sim.api_key, abp_sim.base_url, limiter=RateLimiter(100_000), retry=RETRY)
    journal = SqliteJournal(journal_path)
    m1 = OrderManager(AbpAdapter(client, retry=RETRY), shared=first, journal=journal)
    intent = order(0, "restart")
    abp_sim.faults(latency=1.0)
    with anyio.move_on_after(0.3):
        await m1.place(intent)
    await client.aclose()
    journal.close()
    abp_sim.clear_faults()
    assert [r.key for r in first.pending()] == [intent.request_uuid]

    m2, c2 = manager(abp_sim, SharedOrders(rclient, owner="bot-3", lease=2.0))
    m2.journal = SqliteJournal(journal_path)
    assert SharedOrders(rclient, owner="other").orphans() == []  # still leased to bot-3
    recovered = await m2.recover(resend=True)
    assert recovered[intent.request_uuid].status is LocalStatus.ACCEPTED
    assert SharedOrders(rclient).pending() == []
    await anyio.sleep(1.0)  # the held request has landed by now
    orders = [o async for o in c2.iter_orders(user_ref="restart")]
    assert len(orders) == 1
    await c2.aclose()


async def test_a_batch_with_one_key_taken_elsewhere_is_refused_whole(
    abp_sim: SimHandle, rclient: Any
) -> None:
    """Claims of a batch go in one round trip; one refused key refuses the batch, and the
    claims just made are given back (the others may be offered again)."""
    other = SharedOrders(rclient, owner="other")
    batch = [order(i, "batch") for i in range(3)]
    taken = batch[1]
    assert other.claim(record(taken.request_uuid, "other"), 60) is None
    m, c = manager(abp_sim, SharedOrders(rclient, owner="me"))
    with pytest.raises(InvalidInput, match="another process"):
        await m.place_many(batch)
    assert other.owner_of("abp", batch[0].request_uuid) is None
    assert other.owner_of("abp", batch[2].request_uuid) is None
    assert [o async for o in c.iter_orders(user_ref="batch")] == []
    other.release("abp", taken.request_uuid)
    placed = await m.place_many(batch)
    assert [p.status for p in placed] == [LocalStatus.ACCEPTED] * 3
    await c.aclose()
