"""The REST client: every endpoint against the simulator, error mapping of both body shapes and
every status, Retry-After, the shared limiter, HTTPS policy, secrets, and the blocking twin."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import anyio
import httpx
import msgspec
import pytest

from tests.abp.conftest import fast_retry, sim_client
from wagerkit.abp import AbpClient, AccountCreate, AccountUpdate, BlockingAbpClient, OrderRequest
from wagerkit.abp.client import abp_limiter
from wagerkit.abp.models import Bet, PlaceStatus
from wagerkit.errors import (
    AuthError,
    Conflict,
    DuplicateRequest,
    InvalidInput,
    MaybePlaced,
    NotFound,
    NotImplementedByVenue,
    ProtocolError,
    RateLimited,
    ServerError,
    VenueError,
)
from wagerkit.sim.abp.testing import SimHandle
from wagerkit.transport import RateLimiter, SlidingWindowLimiter

pytestmark = pytest.mark.anyio
FIX = "id1000004461512432"
SECRET = "sk-live-0123456789abcdef"


def scripted(status: int, body: Any = None, headers: dict[str, str] | None = None) -> AbpClient:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(body, bytes):
            return httpx.Response(status, content=body, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return AbpClient(
        SECRET,
        "https://abp.invalid",
        transport=httpx.MockTransport(handler),
        retry=fast_retry(1),
        limiter=RateLimiter(100_000),
    )


def order() -> OrderRequest:
    return OrderRequest.create(FIX, 103, 10.0, 1.95, user_ref="t")


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (400, {"detail": "fixtureId is required"}, InvalidInput),
        (401, {"error": "Invalid or inactive API key"}, AuthError),
        (403, {"detail": "Missing API key header: x-api-key"}, AuthError),
        (403, {"error": "Access denied to endpoint"}, AuthError),
        (404, {"detail": "Bet not found"}, NotFound),
        (409, {"detail": "conflict"}, Conflict),
        (
            422,
            {
                "detail": [
                    {"loc": ["query", "outcomeId"], "msg": "field required", "type": "missing"}
                ]
            },
            InvalidInput,
        ),
        (500, {"detail": "Internal Server Error"}, ServerError),
        (501, {"detail": "futures not implemented"}, NotImplementedByVenue),
        (503, b"<html>upstream down</html>", ServerError),
        (418, {"detail": "teapot"}, VenueError),
    ],
)
async def test_status_codes_map_onto_the_error_tree(status: int, body: Any, error: type) -> None:
    async with scripted(status, body) as client:
        with pytest.raises(error) as info:
            await client.bet(1)
    assert SECRET not in str(info.value)
    if isinstance(info.value, VenueError):
        assert info.value.status == status


async def test_422_names_the_offending_field() -> None:
    body = {
        "detail": [
            {
                "loc": ["body", "orders", 0, "orderStake"],
                "msg": "Input should be greater than 0",
                "type": "greater_than",
            }
        ]
    }
    async with scripted(422, body) as client:
        with pytest.raises(InvalidInput) as info:
            await client.place_orders(order())
    assert info.value.field == "body.orders.0.orderStake"
    assert "greater than 0" in str(info.value)


async def test_409_on_placement_means_all_duplicates() -> None:
    async with scripted(409, {"detail": "duplicate"}) as client:
        with pytest.raises(DuplicateRequest):
            await client.place_orders(order())


async def test_429_waits_retry_after_then_succeeds() -> None:
    """The wait comes from Retry-After (header first, then the body), and the call succeeds."""
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls < 3:
            return httpx.Response(
                429,
                headers={"Retry-After": "0.05"},
                json={"detail": "Rate limit exceeded", "limit": "100", "retry_after": 1},
            )
        return httpx.Response(200, json={"betId": 9, "betStatus": "PLACED"})

    waits: list[object] = []
    policy = fast_retry(5)
    original = policy.should_retry

    class Spy(type(policy)):  # type: ignore[misc]
        def should_retry(self, exc: Exception, *, read: bool) -> object:
            decision = original(exc, read=read)
            waits.append(decision)
            return decision

    spy = Spy(policy.attempts, policy.timeout, policy.wait_initial, policy.wait_max)
    client = AbpClient(
        SECRET,
        "https://abp.invalid",
        transport=httpx.MockTransport(handler),
        retry=spy,
        limiter=RateLimiter(100_000),
    )
    async with client:
        bet = await client.bet(9)
    assert bet.bet_id == 9 and calls == 3
    assert waits == [dt.timedelta(seconds=0.05)] * 2  # exactly Retry-After, not a backoff guess


async def test_429_when_retries_are_exhausted_carries_the_wait() -> None:
    async with scripted(
        429, {"detail": "Rate limit exceeded", "limit": "100", "retry_after": 2}
    ) as c:
        with pytest.raises(RateLimited) as info:
            await c.bet(1)
    assert info.value.retry_after == 2 and info.value.limit == "100"


async def test_placement_is_not_retried_after_a_timeout() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ReadTimeout("slow", request=request)

    client = AbpClient(
        SECRET,
        "https://abp.invalid",
        transport=httpx.MockTransport(handler),
        retry=fast_retry(5),
        limiter=RateLimiter(100_000),
    )
    async with client:
        o = order()
        with pytest.raises(MaybePlaced) as info:
            await client.place_orders(o)
        assert calls == 1, "an ambiguous placement must not be resent blindly"
        assert info.value.request_id == o.request_uuid
        calls = 0
        with pytest.raises(MaybePlaced):
            await client.bet(1)
        assert calls == 5, "a read is retried"


async def test_a_malformed_2xx_body_is_a_protocol_error() -> None:
    async with scripted(200, {"betId": "not-an-int", "betStatus": "PLACED"}) as client:
        with pytest.raises(ProtocolError):
            await client.bet(1)


async def test_a_2xx_placement_body_that_does_not_decode_is_maybe_placed_not_protocol() -> None:
    """ABP said 200 to /place-orders: it most likely stored the orders. A body we cannot read
    must not be reported as a protocol error (which reads as "nothing placed"), and is never
    retried blindly."""
    for body in (b'{"status": "accepted", "acceptedOrders": [{"orderId": 1', b"<html>ok</html>"):
        calls = 0

        def handler(request: httpx.Request, body: bytes = body) -> httpx.Response:
            nonlocal calls
            calls += 1
            return httpx.Response(200, content=body)

        client = AbpClient(
            SECRET,
            "https://abp.invalid",
            transport=httpx.MockTransport(handler),
            retry=fast_retry(5),
            limiter=RateLimiter(100_000),
        )
        async with client:
            o = order()
            with pytest.raises(MaybePlaced) as info:
                await client.place_orders(o)
        assert not isinstance(info.value, ProtocolError)
        assert info.value.request_id == o.request_uuid and calls == 1
        assert "look them up by requestUuid" in str(info.value) and SECRET not in str(info.value)


def test_https_is_required_except_for_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InvalidInput):
        AbpClient("k", "http://abp.example.com")
    AbpClient("k", "http://127.0.0.1:1")
    monkeypatch.setenv("ABP_API_KEY", "from-env")
    monkeypatch.setenv("ABP_BASE_URL", "https://abp.example.com")
    c = AbpClient()
    assert c.base_url == "https://abp.example.com" and c.ws_url == "wss://abp.example.com/ws"
    assert "from-env" not in repr(c)


async def test_missing_key_is_refused_before_sending(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ABP_API_KEY", raising=False)
    async with AbpClient(base_url="https://abp.invalid") as client:
        with pytest.raises(InvalidInput):
            await client.accounts()


def test_clients_of_one_key_share_one_process_wide_sliding_window() -> None:
    """ABP's budget is per key: clients of one key share a limiter, another key has its own."""
    a, b, other = AbpClient("k1"), AbpClient("k1"), AbpClient("k2")
    assert a._http._limiter is b._http._limiter is abp_limiter("k1")
    assert other._http._limiter is not a._http._limiter
    assert isinstance(a._http._limiter, SlidingWindowLimiter) and a._http._limiter.limit == 100
    assert "k1" not in repr(a._http._limiter)


# --------------------------------------------------------------------------------------------
# against the simulator


async def test_every_endpoint_against_the_simulator(
    abp_sim: SimHandle, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with sim_client(abp_sim) as c:
        assert (await c.health())["status"] == "ok"
        assert "status" in await c.status()
        accounts = await c.accounts()
        assert accounts and accounts[0].priority >= accounts[-1].priority
        pin = await c.account("pinnacle", "pinnacle_main")
        assert pin.password == "***"

        made = await c.create_account(
            AccountCreate(
                bookmaker="vertex",
                username="vx2",
                password="pw-secret-1",
                currency_id="GBP",
                priority=2,
                balance=100.0,
            )
        )
        assert made.username == "vx2" and made.password == "***"
        changed = await c.update_account("vertex", "vx2", AccountUpdate(priority=9, max_stake=50.0))
        assert changed.priority == 9 and changed.max_stake == 50.0
        await c.delete_account("vertex", "vx2")
        with pytest.raises(NotFound):
            await c.account("vertex", "vx2")

        slip = await c.betslip(FIX, 103)
        assert slip.fixture_id == FIX and slip.odds

        test = OrderRequest.create(FIX, 103, 10.0, 1.95, user_ref="ep", test=True)
        placed = await c.place_orders(test)
        assert placed.status is PlaceStatus.ACCEPTED and placed.accepted_orders[0].test_order
        real = [OrderRequest.create(FIX, 103, 2.0, 1.5, user_ref="ep") for _ in range(12)]
        res = await c.place_orders(real)
        assert len(res.accepted_orders) == 12
        with pytest.raises(DuplicateRequest):
            await c.place_orders(real)

        all_orders = [o async for o in c.iter_orders(user_ref="ep", limit=5)]
        ids = [o.order_id for o in all_orders]
        assert len(ids) >= 12 and ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
        by_uuid = await c.orders(request_uuids=[real[0].request_uuid])
        assert [o.request_uuid for o in by_uuid.orders] == [real[0].request_uuid]

        bets = [b async for b in c.iter_bets(user_ref="ep", limit=4)]
        assert len({b.bet_id for b in bets}) == len(bets) >= 12
        one = await c.bet(bets[0].bet_id)
        assert one.bet_id == bets[0].bet_id
        raw = (await c.request_raw("GET", f"/bets/{one.bet_id}")).content
        assert one.raw and msgspec.json.decode(one.raw) == msgspec.json.decode(raw)
        assert isinstance(one, Bet) and bets[0].raw == b""  # nested: see the page's raw
        page = await c.bets(user_ref="ep", limit=4)
        assert msgspec.json.decode(page.raw)["bets"][0]["betId"] == page.bets[0].bet_id
        assert msgspec.json.decode(pin.raw)["username"] == "pinnacle_main"
        assert msgspec.json.decode(made.raw)["username"] == "vx2"
        with pytest.raises(NotFound):
            await c.bet(987654321)

        positions = await c.positions("userRef", user_ref="ep")
        assert positions.positions and positions.positions[0].user_ref == "ep"
        assert (await c.pnl()).status == "success"
        cancelled = await c.cancel_orders(user_ref="ep")
        assert cancelled.status == "cancelled"
    assert abp_sim.api_key not in caplog.text and "pw-secret-1" not in caplog.text


async def test_simulator_rate_limit_is_waited_out(abp_sim: SimHandle) -> None:
    """150 requests at once against the simulator's 100 per second: all succeed."""
    seen: list[int] = []
    inner = httpx.AsyncHTTPTransport()

    class Counting(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await inner.handle_async_request(request)
            seen.append(response.status_code)
            return response

    client = AbpClient(
        abp_sim.api_key,
        abp_sim.base_url,
        transport=Counting(),
        retry=fast_retry(10),
        limiter=RateLimiter(100_000),
    )
    results: list[int] = []

    async def one() -> None:
        results.append(len(await client.accounts()))

    async with client, anyio.create_task_group() as tg:
        for _ in range(150):
            tg.start_soon(one)
    assert len(results) == 150
    assert 429 in seen, "the simulator did rate-limit us"


def test_blocking_client_has_the_same_methods(abp_sim: SimHandle) -> None:
    public = {n for n in dir(AbpClient) if not n.startswith("_")} - {"aclose", "has_key", "redact"}
    assert public <= set(dir(BlockingAbpClient))
    with BlockingAbpClient(abp_sim.api_key, abp_sim.base_url, limiter=RateLimiter(100_000)) as c:
        assert c.accounts()
        o = OrderRequest.create(FIX, 103, 2.0, 1.5, user_ref="blk")
        assert c.place_orders([o]).accepted_orders
        assert [x.request_uuid for x in c.iter_orders(user_ref="blk")] == [o.request_uuid]
        assert c.preview(OrderRequest.create(FIX, 103, 2.0, 1.5, user_ref="blk")).status == "filled"
        assert "Blocking" in repr(c) and abp_sim.api_key not in repr(c)
    assert BlockingAbpClient.accounts.__doc__ == AbpClient.accounts.__doc__
