"""Fixtures of the ABP simulator tests: the in-process server (``abp_sim``), an HTTP client for
it, small builders for orders and scenarios, and a bounded polling helper."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import httpx
import pytest

from wagerkit.sim.abp.scenario import Scenario, parse_scenario
from wagerkit.sim.abp.testing import SimHandle, abp_sim

__all__ = ["abp_sim"]

T = TypeVar("T")

QS_FIXTURE = "id1000004461512432"  # AS Roma v Cagliari, the quickstart's fixture
EPL_FIXTURE = "id1000001772221240"  # Arsenal v Chelsea in the default scenario
TEST_FIXTURE = "idTEST0001"  # the fixture of usd_scenario()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sim_options(**kw): SimConfig overrides for the abp_sim fixture of a test"
    )


@pytest.fixture
def abp_sim_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """``@pytest.mark.sim_options(rps=5)`` on a test changes its simulator's settings."""
    marker = request.node.get_closest_marker("sim_options")
    return dict(marker.kwargs) if marker else {}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def http(abp_sim: SimHandle) -> Iterator[httpx.Client]:
    """A client of the simulator with the primary client's key."""
    with httpx.Client(base_url=abp_sim.base_url, headers=abp_sim.headers, timeout=10) as client:
        yield client


def order(**fields: Any) -> dict[str, Any]:
    """A /place-orders order: the quickstart's by default, any field overridable."""
    body: dict[str, Any] = {
        "requestUuid": str(uuid.uuid4()),
        "fixtureId": QS_FIXTURE,
        "outcomeId": 103,
        "playerId": 0,
        "orderStake": 10.0,
        "orderPrice": 1.95,
        "userRef": "my-strategy-1",
        "testOrder": False,
    }
    body.update(fields)
    return body


def place(http: httpx.Client, *orders: dict[str, Any]) -> httpx.Response:
    return http.post("/place-orders", json={"orders": list(orders)})


def place_one(http: httpx.Client, **fields: Any) -> dict[str, Any]:
    """Place one order that must be accepted; return the accepted order object."""
    response = place(http, order(**fields))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["acceptedOrders"], body
    result: dict[str, Any] = body["acceptedOrders"][0]
    return result


def get_order(http: httpx.Client, order_id: int) -> dict[str, Any]:
    response = http.get("/orders", params={"orderIds": str(order_id)})
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()["orders"][0]
    return found


def wait_for(check: Callable[[], T | None], timeout: float = 5.0, interval: float = 0.01) -> T:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(interval)


def wait_status(http: httpx.Client, order_id: int, *statuses: str) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        found = get_order(http, order_id)
        return found if found["orderStatus"] in statuses else None

    return wait_for(check)


def usd_scenario(quotes: list[dict[str, Any]] | None = None, **extra: Any) -> Scenario:
    """A small all-USD world for worked numbers: pinnacle 2.10/400, vertex 2.05/300,
    sharpbet 1.95/1000 on TEST_FIXTURE outcome 101, one client with rich accounts."""
    if quotes is None:
        quotes = [
            {"bookmaker": "pinnacle", "price": 2.10, "limit": 400},
            {"bookmaker": "vertex", "price": 2.05, "limit": 300},
            {"bookmaker": "sharpbet", "price": 1.95, "limit": 1000},
        ]
    data: dict[str, Any] = {
        "name": "usd",
        "clients": [{"name": "c1"}, {"name": "c2"}],
        "bookmakers": [{"slug": s} for s in ("pinnacle", "vertex", "sharpbet")],
        "accounts": [
            {"client": "c1", "bookmaker": s, "username": f"{s}_1", "balance": 100000, "priority": p}
            for s, p in (("pinnacle", 3), ("vertex", 2), ("sharpbet", 1))
        ],
        "fixtures": [
            {
                "fixtureId": TEST_FIXTURE,
                "sportId": 10,
                "sportName": "Soccer",
                "tournamentId": 1,
                "tournamentName": "Test League",
                "categoryName": "Test",
                "participant1Id": 1,
                "participant1Name": "Home",
                "participant2Id": 2,
                "participant2Name": "Away",
                "markets": [
                    {
                        "outcomeId": 101,
                        "marketId": 101,
                        "marketName": "Full Time Result",
                        "outcomeName": "1",
                        "quotes": quotes,
                    },
                ],
            }
        ],
    }
    data.update(extra)
    return parse_scenario(data)
