"""The live stream: reconnects, pings, seq gaps and reconciliation keep the client's state equal
to the server's."""

from __future__ import annotations

import functools
from typing import Any

import anyio
import msgspec
import pytest

from tests.abp.conftest import fake_client, sim_client
from tests.abp.fakeabp import FakeAbp
from wagerkit.abp import AbpClient, OrderRequest
from wagerkit.abp.livebook import LiveBook
from wagerkit.abp.state import StateCache
from wagerkit.abp.stream import AbpStream
from wagerkit.errors import AuthError
from wagerkit.execution import OrderManager
from wagerkit.sim.abp.testing import SimHandle
from wagerkit.transport import Backoff

pytestmark = pytest.mark.anyio
FIXTURE = "id1000004461512432"


async def admin(fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))


def view(state: StateCache) -> tuple[dict[int, Any], dict[int, Any]]:
    orders = {o.order_id: (o.order_status, o.filled_stake) for o in state.orders()}
    bets = {
        b.bet_id: (b.bet_status, b.settlement_status, b.settlement_amount) for b in state.bets()
    }
    return orders, bets


async def server_view(client: AbpClient, ref: str) -> tuple[dict[int, Any], dict[int, Any]]:
    orders = {
        o.order_id: (o.order_status, o.filled_stake)
        async for o in client.iter_orders(user_ref=ref, limit=25)
    }
    bets = {
        b.bet_id: (b.bet_status, b.settlement_status, b.settlement_amount)
        async for b in client.iter_bets(user_ref=ref, limit=25)
    }
    return orders, bets


async def converge(
    stream: AbpStream, client: AbpClient, ref: str, rounds: int = 100
) -> tuple[Any, Any]:
    """Poll (bounded) until the stream's view equals the server's; return both."""
    for _ in range(rounds):
        server = await server_view(client, ref)
        if view(stream.state) == server:
            break
        await anyio.sleep(0.05)
    return view(stream.state), server


async def test_final_state_equals_server_while_connection_is_closed_repeatedly(
    abp_sim: SimHandle,
) -> None:
    """A burst of orders (placed elsewhere: only the stream and reconciliation can see them)
    while the simulator closes the WebSocket again and again, then a settlement."""
    ref = "ws-burst"
    client, other = sim_client(abp_sim), sim_client(abp_sim)
    stream = AbpStream(client, user_refs=[ref], backoff=Backoff(0.01, 0.05))
    async with client, other, stream:
        await stream.wait_connected(10)

        async def burst() -> None:
            for _ in range(12):
                batch = [
                    OrderRequest.create(FIXTURE, 103, 3.0, 1.5, user_ref=ref) for _ in range(5)
                ]
                await other.place_orders(batch)
                await anyio.sleep(0.01)

        async def closer() -> None:
            for _ in range(6):
                await anyio.sleep(0.03)
                await admin(abp_sim.close_websockets)

        async with anyio.create_task_group() as tg:
            tg.start_soon(burst)
            tg.start_soon(closer)
        await admin(abp_sim.settle, FIXTURE, {"103": "WON"}, "LOST")
        await admin(abp_sim.close_websockets)
        mine, server = await converge(stream, client, ref)
        # The state can converge through stream updates before the last reconnect's
        # reconciliation has finished; let it finish (bounded) rather than race the exit.
        for _ in range(200):
            if stream.reconciliations >= stream.connects:
                break
            await anyio.sleep(0.01)
    assert len(server[0]) == 60
    assert mine == server
    assert stream.disconnects >= 3 and stream.connects >= 4
    assert stream.reconciliations >= stream.connects  # one per (re)connect, more on gaps
    assert all(s[1].value != "UNSETTLED" for s in server[1].values())


async def test_orders_placed_by_the_manager_follow_the_stream_to_confirmation(
    abp_sim: SimHandle,
) -> None:
    async with sim_client(abp_sim) as client, AbpStream(client, user_refs=["m"]) as stream:
        await stream.wait_connected(10)
        manager = OrderManager(client, state=stream.state)
        got = await manager.place(OrderRequest.create(FIXTURE, 103, 5.0, 1.5, user_ref="m"))
        assert got.order is not None
        await admin(abp_sim.settle, FIXTURE, {"103": "LOST"})
        for _ in range(100):
            bets = stream.state.bets_of(got.order.order_id)
            if bets and all(b.settlement_status.value == "LOST" for b in bets):
                break
            await anyio.sleep(0.05)
    assert bets and all(b.settlement_status.value == "LOST" for b in bets)
    statuses = [t.status for t in got.history]
    assert "ACCEPTED" in statuses and "FILLED" in statuses


async def test_betslip_channel_feeds_a_live_book(abp_sim: SimHandle) -> None:
    async with sim_client(abp_sim) as client:
        slip = await client.betslip(FIXTURE, 103)
        live = LiveBook.from_betslip(slip)
        before = live.book.best_price()
        async with AbpStream(client, channels=["betslip"], books=[live], reconcile=False) as stream:
            await stream.wait_connected(10)
            await admin(abp_sim.move_price, FIXTURE, 103, "pinnacle", price=2.35)
            for _ in range(100):
                if live.book.best_price() == 2.35:
                    break
                await anyio.sleep(0.02)
    assert before is not None and before < 2.35
    assert live.book.best_price() == 2.35
    assert live.updates >= 1


async def test_bad_key_stops_the_stream_with_auth_error(abp_sim: SimHandle) -> None:
    client = AbpClient("wrong-key", abp_sim.base_url)
    async with client:
        stream = AbpStream(client, reconcile=False)
        with pytest.raises(AuthError):
            async with stream:
                async for _ in stream:
                    pass
        assert "wrong-key" not in repr(stream)


# --------------------------------------------------------------------------------------------
# the frame loop against a scripted socket: pings and seq gaps


class ScriptedSocket:
    """Duck-typed transport WebSocket: plays frames, records what the client sends."""

    def __init__(self, frames: list[dict[str, Any]]) -> None:
        self.frames = [msgspec.json.encode(f) for f in frames]
        self.sent: list[str] = []

    async def send_text(self, text: str | bytes) -> None:
        self.sent.append(text.decode() if isinstance(text, bytes) else text)

    def receive_nowait(self) -> bytes | None:
        return None

    async def receive(self) -> bytes:
        if not self.frames:
            raise anyio.EndOfStream
        return self.frames.pop(0)


def order_frame(seq: int, oid: int, status: str = "PENDING") -> dict[str, Any]:
    return {
        "type": "data",
        "channel": "orders",
        "event": "UPDATE",
        "seq": seq,
        "ts": 1,
        "payload": {
            "orderId": oid,
            "orderStatus": status,
            "requestUuid": f"00000000-0000-4000-8000-{oid:012d}",
        },
    }


async def test_pings_are_answered_and_seq_gaps_trigger_reconciliation() -> None:
    fake = FakeAbp()
    client = fake_client(fake)
    stream = AbpStream(client, user_refs=["x"])
    ws = ScriptedSocket(
        [
            {"type": "login_ok", "clientName": "c", "channels": []},
            order_frame(1, 1),
            {"type": "ping"},
            order_frame(2, 2),
            order_frame(5, 3),  # 3 and 4 were lost
            order_frame(6, 3, "FILLED"),
        ]
    )
    with pytest.raises(anyio.EndOfStream):
        await stream._serve(ws, "test-key")  # type: ignore[arg-type]
    assert '{"type":"pong"}' in ws.sent
    assert "test-key" in ws.sent[0]  # the login frame (and only it) carries the key
    assert stream.gaps == 1
    assert stream.reconciliations == 2  # on connect, and on the gap
    assert stream.state.order(3) is not None
    assert stream.state.order(3).order_status.value == "FILLED"  # type: ignore[union-attr]
    await client.aclose()


async def test_a_malformed_payload_is_counted_not_fatal() -> None:
    client = fake_client(FakeAbp())
    stream = AbpStream(client, reconcile=False)
    bad = order_frame(2, 2)
    bad["payload"]["orderStatus"] = "NOT_A_STATUS"
    ws = ScriptedSocket([{"type": "login_ok"}, order_frame(1, 1), bad, order_frame(3, 3)])
    with pytest.raises(anyio.EndOfStream):
        await stream._serve(ws, "k")  # type: ignore[arg-type]
    assert stream.bad_frames == 1 and stream.state.order(3) is not None
    await client.aclose()
