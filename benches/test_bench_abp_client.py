"""The client's overhead on a placement: ``AbpClient.place_orders`` (validation, encoding, rate
limiter, error mapping, decoding into Structs) against a bare ``httpx`` POST of the same bytes,
both to the simulator on 127.0.0.1 from the same event loop. Reported as a ratio (< 1 means the
client is slower); gated loosely so a regression that doubles the cost fails the build.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from benches.ratio_gate import compare
from wagerkit.abp import AbpClient, OrderRequest
from wagerkit.abp.orders import encode_orders
from wagerkit.sim._server import ServerThread
from wagerkit.sim.abp.app import create_app
from wagerkit.sim.abp.service import AbpSim
from wagerkit.sim.abp.testing import fast_config
from wagerkit.transport import RateLimiter

FIXTURE = "id1000004461512432"
POOL = 200
"""Distinct test orders per side, reused in a cycle: calibration and the timed rounds may
make any number of calls without running out. Reuse is fine because the simulator neither
stores nor deduplicates testOrders (a duplicate would raise DuplicateRequest and fail here)."""


class Served:
    """The simulator on 127.0.0.1 with a rate limit no benchmark reaches.

    :class:`~wagerkit.sim._server.ServerThread` sets TCP_NODELAY on its socket, so responses
    do not wait for a delayed ACK (which would drown the client's overhead in noise).
    """

    def __init__(self) -> None:
        self.sim = AbpSim(fast_config(rps=10_000_000))
        self.server = ServerThread(create_app(sim=self.sim))
        self.api_key = self.sim.keys.clients()[0].key
        self.base_url = ""

    def __enter__(self) -> Served:
        self.server.start()
        self.base_url = self.server.base_url
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()


@pytest.fixture(scope="module")
def sim() -> Iterator[Served]:
    with Served() as served:
        yield served


def test_bench_abp_place_orders_overhead(benchmark: Any, sim: Served) -> None:
    loop = asyncio.new_event_loop()
    client = AbpClient(sim.api_key, sim.base_url, limiter=RateLimiter(1e9))
    bare = httpx.AsyncClient(base_url=sim.base_url, headers={"x-api-key": sim.api_key})
    mine = itertools.cycle(
        [
            OrderRequest.create(FIXTURE, 103, 2.0, 1.5, user_ref="bench", test=True)
            for _ in range(POOL)
        ]
    )
    theirs = itertools.cycle(
        [
            encode_orders(
                [OrderRequest.create(FIXTURE, 103, 2.0, 1.5, user_ref="bench", test=True)]
            )
            for _ in range(POOL)
        ]
    )

    def with_client() -> Any:
        return loop.run_until_complete(client.place_orders(next(mine)))

    def with_httpx() -> Any:
        response = loop.run_until_complete(
            bare.post(
                "/place-orders", content=next(theirs), headers={"content-type": "application/json"}
            )
        )
        assert response.status_code == 200
        return response

    try:
        for _ in range(POOL + 1):  # a full cycle and one more: reuse is accepted every time
            assert with_client().accepted_orders
        with_httpx()
        compare(
            benchmark,
            "ABP place_orders round trip (simulator)",
            with_client,
            with_httpx,
            baseline_name="bare httpx POST, same bytes",
            min_ratio=0.5,
        )
    finally:
        loop.run_until_complete(client.aclose())
        loop.run_until_complete(bare.aclose())
        loop.close()
