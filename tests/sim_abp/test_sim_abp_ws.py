"""WebSocket /ws: login, channels, envelope and per-subscription seq, keepalive, limits."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from httpx_ws import AsyncWebSocketSession, WebSocketDisconnect, aconnect_ws

from tests.sim_abp.conftest import QS_FIXTURE, order
from wagerkit.sim.abp.testing import SimHandle

pytestmark = pytest.mark.anyio


@contextlib.asynccontextmanager
async def ws_session(sim: SimHandle) -> AsyncIterator[AsyncWebSocketSession]:
    ws: AsyncWebSocketSession
    async with (
        httpx.AsyncClient(timeout=10) as client,
        aconnect_ws(sim.ws_url, client, keepalive_ping_interval_seconds=None) as ws,
    ):
        yield ws


async def login(
    ws: AsyncWebSocketSession, key: str, channels: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    await ws.send_json({"type": "login", "apiKey": key, "channels": channels or [], **extra})
    reply: dict[str, Any] = await ws.receive_json(timeout=5)
    return reply


async def data(ws: AsyncWebSocketSession) -> dict[str, Any]:
    """The next data message (server pings are skipped)."""
    while True:
        msg: dict[str, Any] = await ws.receive_json(timeout=5)
        if msg["type"] == "data":
            return msg


async def closed_with(ws: AsyncWebSocketSession) -> int:
    with pytest.raises(WebSocketDisconnect) as info:
        for _ in range(50):
            await ws.receive_json(timeout=5)
    return info.value.code


async def place(sim: SimHandle, *orders: dict[str, Any], client: str | None = None) -> Any:
    headers = sim.headers_for(client) if client else sim.headers
    async with httpx.AsyncClient(base_url=sim.base_url, headers=headers, timeout=10) as http:
        response = await http.post("/place-orders", json={"orders": list(orders)})
        return response.json()


async def test_login_ok_shape(abp_sim: SimHandle) -> None:
    async with ws_session(abp_sim) as ws:
        ok = await login(ws, abp_sim.api_key, reliableDelivery=True)
    assert ok["type"] == "login_ok" and ok["clientName"] == "your-client"
    assert set(ok["channels"]) >= {
        "orders",
        "bets",
        "settlements",
        "accounts",
        "balance",
        "betslip",
        "currencies",
        "status",
    }
    assert ok["access"] == {
        "clientFiltered": ["orders", "bets", "settlements", "accounts", "balance", "betslip"],
        "global": ["fixtures", "currencies", "status", "emergency"],
    }
    assert isinstance(ok["subscriptionId"], str) and ok["reliableDelivery"] is True
    assert ok["features"] == {"messageOrdering": True, "acknowledgments": True, "batchAck": False}


async def test_envelope_and_per_subscription_seq(abp_sim: SimHandle) -> None:
    async with ws_session(abp_sim) as a, ws_session(abp_sim) as b:
        await login(a, abp_sim.api_key, ["orders"])
        await login(b, abp_sim.api_key, ["orders", "bets", "balance"])
        body = await place(abp_sim, order())
        order_id = body["acceptedOrders"][0]["orderId"]
        first = await data(a)
        assert set(first) == {"type", "channel", "event", "payload", "ts", "seq"}
        assert (first["channel"], first["event"], first["seq"]) == ("orders", "INSERT", 1)
        assert first["payload"]["orderId"] == order_id and isinstance(first["ts"], int)
        got_b = [await data(b) for _ in range(3)]
        assert [m["seq"] for m in got_b] == [1, 2, 3]
        assert {m["channel"] for m in got_b} == {"orders", "bets", "balance"}
        await place(abp_sim, order())
        assert (await data(a))["seq"] == 2  # a saw only orders: its own counter


async def test_reliable_delivery_marks_messages(abp_sim: SimHandle) -> None:
    async with ws_session(abp_sim) as ws:
        await login(ws, abp_sim.api_key, ["orders"], reliableDelivery=True)
        await place(abp_sim, order())
        msg = await data(ws)
        assert msg["requireAck"] is True
        await ws.send_json({"type": "ack", "seq": msg["seq"]})


async def test_events_are_scoped_per_client_and_globals_reach_all(abp_sim: SimHandle) -> None:
    async with ws_session(abp_sim) as mine, ws_session(abp_sim) as other:
        await login(mine, abp_sim.api_key, ["orders", "currencies"])
        await login(other, abp_sim.keys["other-client"], ["orders", "currencies"])
        await place(abp_sim, order())
        assert (await data(mine))["channel"] == "orders"
        abp_sim.set_rates({"GBP": 0.75})
        assert (await data(mine))["payload"]["currency"] == "GBP"
        msg = await data(other)  # the other client's first message is the global one
        assert (msg["channel"], msg["event"], msg["seq"]) == ("currencies", "UPDATE", 1)
        assert msg["payload"]["currencyValue"] == 0.75


async def test_settlement_bets_balance_and_betslip_channels(abp_sim: SimHandle) -> None:
    async with ws_session(abp_sim) as ws:
        await login(ws, abp_sim.api_key, ["settlements", "betslip"])
        await place(abp_sim, order(bookmakers="pinnacle"))
        abp_sim.move_price(QS_FIXTURE, 103, "pinnacle", price=2.02)
        slip = await data(ws)
        assert (slip["channel"], slip["payload"]["price"]) == ("betslip", 2.02)
        assert {"limit", "limitUsd", "limitMinUsd", "account"} <= set(slip["payload"])
        abp_sim.settle(QS_FIXTURE, {"103": "WON"})
        settled = await data(ws)
        assert settled["channel"] == "settlements"
        assert settled["payload"]["settlementStatus"] == "WON"


async def test_refused_logins(abp_sim: SimHandle) -> None:
    async with ws_session(abp_sim) as ws:
        error = await login(ws, "wrong-key")
        assert error["type"] == "error" and error["code"] == "UNAUTHORIZED"
        assert await closed_with(ws) == 4001
    async with ws_session(abp_sim) as ws:
        await ws.send_json({"type": "hello"})
        assert (await ws.receive_json(timeout=5))["code"] == "BAD_LOGIN"
        assert await closed_with(ws) == 4002
    async with ws_session(abp_sim) as ws:
        assert (await login(ws, abp_sim.api_key, ["nope"]))["code"] == "INVALID_CHANNEL"


@pytest.mark.sim_options(ws_login_timeout=0.1)
async def test_login_must_come_in_time(abp_sim: SimHandle) -> None:
    async with ws_session(abp_sim) as ws:
        assert (await ws.receive_json(timeout=5))["code"] == "LOGIN_TIMEOUT"
        assert await closed_with(ws) == 4001


async def test_at_most_five_connections_per_key(abp_sim: SimHandle) -> None:
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(5):
            ws: AsyncWebSocketSession = await stack.enter_async_context(ws_session(abp_sim))
            assert (await login(ws, abp_sim.api_key))["type"] == "login_ok"
        sixth = await stack.enter_async_context(ws_session(abp_sim))
        assert (await login(sixth, abp_sim.api_key))["code"] == "TOO_MANY_CONNECTIONS"
        assert await closed_with(sixth) == 4003
        other = await stack.enter_async_context(ws_session(abp_sim))
        assert (await login(other, abp_sim.keys["other-client"]))["type"] == "login_ok"


@pytest.mark.sim_options(ws_ping_interval=0.05, ws_pong_timeout=0.3)
async def test_server_ping_and_pong_timeout(abp_sim: SimHandle) -> None:
    async with ws_session(abp_sim) as ws:
        await login(ws, abp_sim.api_key)
        for _ in range(12):  # answering keeps the connection open past the timeout
            msg = await ws.receive_json(timeout=5)
            assert msg == {"type": "ping"}
            await ws.send_json({"type": "pong"})
        assert await closed_with(ws) == 4000  # now silent: closed after the pong timeout


async def test_client_ping_gets_pong(abp_sim: SimHandle) -> None:
    async with ws_session(abp_sim) as ws:
        await login(ws, abp_sim.api_key)
        await ws.send_json({"type": "ping"})
        assert await ws.receive_json(timeout=5) == {"type": "pong"}
        await ws.send_json({"type": "what"})
        assert (await ws.receive_json(timeout=5))["type"] == "error"


async def test_admin_can_close_connections(abp_sim: SimHandle) -> None:
    async with ws_session(abp_sim) as ws:
        await login(ws, abp_sim.api_key)
        assert abp_sim.close_websockets(code=1012)["closed"] == 1
        assert await closed_with(ws) == 1012


async def test_accounts_and_balance_channels(abp_sim: SimHandle) -> None:
    async with ws_session(abp_sim) as ws:
        await login(ws, abp_sim.api_key, ["accounts", "balance"])
        async with httpx.AsyncClient(base_url=abp_sim.base_url, headers=abp_sim.headers) as http:
            await http.post(
                "/accounts", json={"bookmaker": "vertex", "username": "n", "password": "secret-pw"}
            )
            created = await data(ws)
            assert (created["channel"], created["event"]) == ("accounts", "INSERT")
            assert created["payload"]["password"] == "***"
            await http.patch("/accounts/vertex/n", json={"balance": 12.5})
            update = await data(ws)
            assert (update["channel"], update["event"]) == ("accounts", "UPDATE")
            balance = await data(ws)
            assert (balance["channel"], balance["payload"]["balance"]) == ("balance", 12.5)
            await http.delete("/accounts/vertex/n")
            assert (await data(ws))["event"] == "DELETE"


async def test_new_order_insert_arrives_before_its_bets_and_balance(abp_sim: SimHandle) -> None:
    async with ws_session(abp_sim) as ws:
        await login(ws, abp_sim.api_key, ["orders", "bets", "balance"])
        body = await place(abp_sim, order())
        assert body["status"] == "accepted"
        seen = [await data(ws) for _ in range(3)]
        assert [(m["channel"], m["event"]) for m in seen] == [
            ("orders", "INSERT"),
            ("balance", "UPDATE"),
            ("bets", "INSERT"),
        ]
        assert seen[0]["payload"]["orderStatus"] == "FILLED"
