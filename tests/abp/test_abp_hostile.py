"""Hostile answers during placement: only wagerkit errors, and an order is never left SENT.

The request really reaches the simulator (ABP stores the order); the answer the client reads
is replaced by something hostile: JSON nested 100 000 deep (inside ``meta`` it makes the
decoder raise RecursionError), bytes that are not UTF-8, a body cut short, fields of the wrong
type. The manager must treat each as "maybe placed", find the order by its requestUuid, and
never place it twice. When the lookups are hostile too, the order ends UNKNOWN, and place()
still raises nothing.
"""

from __future__ import annotations

import anyio
import httpx
import pytest

from tests.abp.conftest import fast_retry
from wagerkit.abp import AbpAdapter, AbpClient, OrderRequest
from wagerkit.errors import WagerkitError
from wagerkit.execution import LocalStatus, OrderManager
from wagerkit.sim.abp.testing import SimHandle
from wagerkit.transport import Backoff, RateLimiter

pytestmark = pytest.mark.anyio
FIXTURE = "id1000004461512432"

HOSTILE = {
    "deep": b"[" * 100_000 + b"]" * 100_000,
    "deep-meta": b'{"status": "accepted", "acceptedOrders": [{"orderId": 1, "orderStatus": '
    b'"FILLED", "meta": ' + b"[" * 100_000 + b"]" * 100_000 + b'}], "declinedOrders": []}',
    "deep-object": b'{"acceptedOrders":' + b'{"a":' * 50_000 + b"1" + b"}" * 50_001,
    "not-utf8": b'{"status": "accepted", "acceptedOrders": [{"orderId": 1, "x": "\xff\xfe\xc3"}]}',
    "truncated": b'{"status": "accepted", "acceptedOrders": [{"orderId": 7, "orderSt',
    "wrong-types": b'{"status": 3, "acceptedOrders": {"orderId": "seven"}, "declinedOrders": 1}',
    "empty": b"",
    "null": b"null",
}


class HostileTransport(httpx.AsyncBaseTransport):
    """Sends every request for real; replaces the answer of the paths in ``paths`` (the first
    ``times`` of them) with ``body``, status 200."""

    def __init__(self, body: bytes, paths: tuple[str, ...], times: int = 1_000) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.body = body
        self.paths = paths
        self.left = times

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        real = await self.inner.handle_async_request(request)
        await real.aread()
        if request.url.path in self.paths and self.left > 0:
            self.left -= 1
            return httpx.Response(
                200, content=self.body, headers={"content-type": "application/json"}
            )
        return real

    async def aclose(self) -> None:
        await self.inner.aclose()


def manager_of(sim: SimHandle, transport: httpx.AsyncBaseTransport) -> OrderManager:
    client = AbpClient(
        sim.api_key,
        sim.base_url,
        transport=transport,
        retry=fast_retry(2),
        limiter=RateLimiter(100_000),
    )
    return OrderManager(
        AbpAdapter(client, retry=fast_retry(2)),
        max_resends=2,
        backoff=Backoff(initial=0.001, maximum=0.002),
    )


@pytest.mark.parametrize("kind", sorted(HOSTILE))
async def test_a_hostile_placement_answer_is_looked_up_never_left_sent(
    abp_sim: SimHandle, kind: str
) -> None:
    m = manager_of(abp_sim, HostileTransport(HOSTILE[kind], ("/place-orders",), times=1))
    o = OrderRequest.create(FIXTURE, 103, 2.0, 1.5, user_ref=f"hostile-{kind}")
    async with m.client:
        with anyio.fail_after(10):
            got = await m.place(o)
        found = [x async for x in m.client.iter_orders(user_ref=f"hostile-{kind}")]
    assert got.status is LocalStatus.ACCEPTED, got.history
    assert "UNKNOWN" in [t.status for t in got.history], "the answer was not believed"
    assert [x.request_uuid for x in found] == [o.request_uuid], "placed exactly once"


@pytest.mark.parametrize("kind", ["deep-meta", "not-utf8", "truncated", "wrong-types"])
async def test_hostile_placement_and_lookups_end_unknown_without_raising(
    abp_sim: SimHandle, kind: str
) -> None:
    """Nothing readable at all: place() returns the order UNKNOWN (with the time it becomes
    decidable) and raises nothing; once the venue answers sanely, reconcile() finds it."""
    hostile = HostileTransport(HOSTILE[kind], ("/place-orders", "/orders"))
    m = manager_of(abp_sim, hostile)
    o = OrderRequest.create(FIXTURE, 103, 2.0, 1.5, user_ref=f"hostile2-{kind}")
    async with m.client:
        try:
            with anyio.fail_after(10):
                got = await m.place(o)
        except WagerkitError as exc:  # allowed by the contract, but this path needs none
            pytest.fail(f"place raised {exc!r}")
        assert got.status is LocalStatus.UNKNOWN and got.decidable_at is not None
        hostile.left = 0
        assert await m.reconcile() == []
    assert got.status is LocalStatus.ACCEPTED
