"""The stream's state follows ABP's latest word, field by field, against the real simulator.

A bookmaker may reject a bet of an order ABP already reported FILLED: the order goes back to
work and may end REJECTED or EXPIRED with filledStake 0. The state cache must take each of
those newer versions (ABP's ``updatedAt`` orders them), and reconciliation after each reconnect
must re-read every order such a rejection re-opened and every bet of them.
"""

from __future__ import annotations

import functools
import random
from typing import Any

import anyio
import msgspec
import pytest

from tests.abp.conftest import sim_client
from wagerkit.abp import AbpClient, OrderRequest
from wagerkit.abp.state import StateCache
from wagerkit.abp.stream import AbpStream
from wagerkit.execution import LocalStatus, OrderManager
from wagerkit.sim.abp.testing import SimHandle
from wagerkit.transport import Backoff

pytestmark = pytest.mark.anyio
FIXTURE = "id1000004461512432"


async def admin(fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))


JOINED = ("fixtureInfo", "outcomeInfo", "playerInfo")
"""Fixture data ABP joins into an order when it is read, not part of the order's versions: a
fixture's status changes arrive on the ``fixtures`` channel, not as order updates."""


def fields(obj: Any) -> dict[str, Any]:
    """Every wire field of an order or bet (an order's nested bets are compared as bets; the
    fixture data joined at read time is left out, see ``JOINED``)."""
    out: dict[str, Any] = msgspec.to_builtins(obj)
    out.pop("bets", None)
    for name in JOINED:
        out.pop(name, None)
    return out


async def server_state(client: AbpClient, ref: str) -> tuple[dict[int, Any], dict[int, Any]]:
    orders = {o.order_id: fields(o) async for o in client.iter_orders(user_ref=ref)}
    bets = {b.bet_id: fields(b) async for b in client.iter_bets(user_ref=ref)}
    return orders, bets


def stream_state(state: StateCache, ref: str) -> tuple[dict[int, Any], dict[int, Any]]:
    orders = {o.order_id: fields(o) for o in state.orders() if o.user_ref == ref}
    bets = {b.bet_id: fields(b) for b in state.bets() if b.user_ref == ref}
    return orders, bets


def mismatches(mine: dict[int, Any], server: dict[int, Any]) -> list[str]:
    """Every differing (id, field), and ids only one side has."""
    out = [f"{i}: missing in stream" for i in server if i not in mine]
    out += [f"{i}: unknown to server" for i in mine if i not in server]
    for i in server.keys() & mine.keys():
        for name in server[i].keys() | mine[i].keys():
            theirs, ours = server[i].get(name), mine[i].get(name)
            if theirs != ours:
                out.append(f"{i}.{name}: stream {ours!r} server {theirs!r}")
    return out


async def settled_equal(
    stream: AbpStream, client: AbpClient, ref: str, seconds: float = 10.0
) -> list[str]:
    """Poll (bounded) until the stream's state equals the server's; the remaining diffs."""
    diffs: list[str] = ["never compared"]
    with anyio.move_on_after(seconds):
        while True:
            server = await server_state(client, ref)
            mine = stream_state(stream.state, ref)
            diffs = mismatches(mine[0], server[0]) + mismatches(mine[1], server[1])
            if not diffs:
                break
            await anyio.sleep(0.05)
    return diffs


async def wait_final(client: AbpClient, ref: str, seconds: float = 15.0) -> list[Any]:
    """Orders of ``ref`` once every one is final at ABP and no bet of them still waits for its
    bookmaker (a FILLED order with a PENDING bet may still be re-opened), bounded."""
    with anyio.fail_after(seconds):
        while True:
            orders = [o async for o in client.iter_orders(user_ref=ref)]
            if orders and all(
                o.order_status.final
                and all(b.bet_status.value not in ("PENDING", "PLACED") for b in o.bets)
                for o in orders
            ):
                return orders
            await anyio.sleep(0.1)


async def test_an_order_filled_then_rejected_by_the_bookmaker_ends_as_abp_says(
    abp_sim: SimHandle,
) -> None:
    """pinnacle answers after 0.3 s and rejects every bet: ABP reports the order FILLED 50,
    then puts it back to work after each rejection, and it ends REJECTED/EXPIRED with 0
    filled. The stream's state and the manager's order follow it there, field by field."""
    ref = "filled-then-rejected"
    await admin(abp_sim.bookmaker, "pinnacle", betDelay=0.3, rejectRate=1.0)
    client = sim_client(abp_sim)
    stream = AbpStream(client, user_refs=[ref], backoff=Backoff(0.01, 0.05))
    async with client, stream:
        await stream.wait_connected(10)
        manager = OrderManager(client, state=stream.state)
        order = OrderRequest.create(
            FIXTURE, 103, 50.0, 1.5, user_ref=ref, bookmakers=["pinnacle"], expires_in=1.2
        )
        got = await manager.place(order)
        assert got.status is LocalStatus.ACCEPTED
        (final,) = await wait_final(client, ref)
        diffs = await settled_equal(stream, client, ref)
    assert final.order_status.value in ("REJECTED", "EXPIRED") and final.filled_stake == 0.0
    assert diffs == []
    assert got.order is not None and fields(got.order) == fields(final)
    seen = [t.status for t in got.history]
    assert "FILLED" in seen, "ABP did report it FILLED first"
    assert seen.index("FILLED") < len(seen) - 1 and seen[-1] == final.order_status.value
    assert stream.state.order(final.order_id) is not None
    assert final.order_id in stream.state.open_order_ids() or all(
        b.bet_status.final for b in stream.state.bets_of(final.order_id)
    )
    # ABP took and stored the order; its bookmakers refused it: still ACCEPTED locally (the
    # venue's word is the venue status), never DECLINED, unlike a Pinnacle NOT_ACCEPTED.
    assert got.status is LocalStatus.ACCEPTED and got.placed and got.decline_reason is None
    assert got.record is not None and got.record.placed


async def test_rejection_storm_with_websocket_closes_settles_to_the_server_state(
    abp_sim: SimHandle,
) -> None:
    """150 orders placed through the manager while bookmakers reject 12% of bets after a delay
    and the simulator closes the WebSocket every 0.1-0.4 s; after settlement every order and
    every bet in the stream's state equals the server's, field by field."""
    ref = "storm"
    rng = random.Random(9)
    # bets answered after 0.4 s, orders that expire soon after: a rejected bet often
    # re-opens an order ABP had reported FILLED, which then ends REJECTED or EXPIRED
    for slug in ("pinnacle", "sharpbet"):
        await admin(abp_sim.bookmaker, slug, betDelay=0.4, rejectRate=0.12)
    client = sim_client(abp_sim)
    stream = AbpStream(client, user_refs=[ref], backoff=Backoff(0.01, 0.05))
    async with client, stream:
        await stream.wait_connected(10)
        manager = OrderManager(client, state=stream.state)
        done = anyio.Event()

        async def closer() -> None:
            while not done.is_set():
                await anyio.sleep(rng.uniform(0.1, 0.4))
                await admin(abp_sim.close_websockets)

        results = []
        async with anyio.create_task_group() as tg:
            tg.start_soon(closer)
            for _ in range(15):
                batch = [
                    OrderRequest.create(
                        FIXTURE,
                        103,
                        rng.choice([2.0, 3.0, 5.0]),
                        1.5,
                        user_ref=ref,
                        expires_in=rng.uniform(0.2, 0.6),
                    )
                    for _ in range(10)
                ]
                results += await manager.place_many(batch)
                await anyio.sleep(rng.uniform(0.0, 0.1))
            await wait_final(client, ref)
            await admin(abp_sim.settle, FIXTURE, {"103": "WON"}, "LOST")
            await anyio.sleep(0.5)  # bets confirmed after the settlement settle on arrival
            done.set()
        diffs = await settled_equal(stream, client, ref, seconds=15.0)
        server_orders, server_bets = await server_state(client, ref)
    assert len(server_orders) == 150 and all(r.status is LocalStatus.ACCEPTED for r in results)
    rejected = [b for b in server_bets.values() if b["betStatus"] == "REJECTED"]
    assert 0.05 * len(server_bets) <= len(rejected) <= 0.25 * len(server_bets)
    assert stream.disconnects >= 5
    reopened = [r for r in results if "FILLED" in [t.status for t in r.history][:-1]]
    assert sum(r.history[-1].status != "FILLED" for r in reopened) >= 3, "FILLED, then not"
    assert diffs == [], diffs[:20]
    for r in results:
        assert r.order is not None
        assert fields(r.order) == server_orders[r.order.order_id], "the manager's view too"


async def test_refresh_without_a_stream_follows_the_order_to_abps_final_word(
    abp_sim: SimHandle,
) -> None:
    """No stream: ``refresh()`` re-reads the order over REST until ABP's record is final, through
    FILLED and back to work to REJECTED/EXPIRED, as the server has it."""
    ref = "refresh-no-stream"
    await admin(abp_sim.bookmaker, "pinnacle", betDelay=0.3, rejectRate=1.0)
    client = sim_client(abp_sim)
    async with client:
        manager = OrderManager(client)
        order = OrderRequest.create(
            FIXTURE, 103, 50.0, 1.5, user_ref=ref, bookmakers=["pinnacle"], expires_in=1.2
        )
        got = await manager.place(order)
        assert got.status is LocalStatus.ACCEPTED and got.record is not None
        changed = 0
        with anyio.fail_after(15):
            while not got.record.final:
                changed += len(await manager.refresh(venue="abp"))
                await anyio.sleep(0.05)
        (final,) = await wait_final(client, ref)
        assert await manager.refresh() == []  # final: not read again
    assert changed >= 1 and fields(got.order) == fields(final)
    assert got.venue_status in ("REJECTED", "EXPIRED") and got.order.filled_stake == 0.0
    assert got.status is LocalStatus.ACCEPTED  # ABP stored it; its bookmakers refused it
    events = [e.event for e in manager.journal.events("abp", got.key)]
    assert "VENUE" in events
