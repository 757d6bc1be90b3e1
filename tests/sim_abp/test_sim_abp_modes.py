"""The four placement modes with worked numbers (all-USD world, orderPrice 2.00).

Book of ``usd_scenario``: pinnacle 2.10 limit 400, vertex 2.05 limit 300, sharpbet 1.95 limit
1000. Weighted-average rule: a bet below orderPrice may take at most
(W − P·F) / (P − price), where F is the filled stake and W = Σ stake·price.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sim_abp.conftest import (
    TEST_FIXTURE,
    get_order,
    order,
    place,
    place_one,
    usd_scenario,
    wait_for,
    wait_status,
)
from wagerkit.sim.abp.testing import SimHandle

pytestmark = pytest.mark.sim_options(scenario=usd_scenario())


def _order(**fields: Any) -> dict[str, Any]:
    return order(**{"fixtureId": TEST_FIXTURE, "outcomeId": 101, "orderPrice": 2.0, **fields})


def _legs(o: dict[str, Any]) -> list[tuple[str, float, float]]:
    bets = o["bets"]
    assert isinstance(bets, list)
    return [(b["bookmaker"], b["placedPrice"], b["placedStake"]) for b in bets]


def test_mode1_all_or_nothing_one_bet(http: httpx.Client) -> None:
    o = place_one(http, **_order(orderStake=300, bookmakers="pinnacle", acceptPartialStake=False))
    assert o["orderStatus"] == "FILLED"
    assert _legs(o) == [("pinnacle", 2.10, 300.0)]
    assert (o["filledStake"], o["remainingStake"]) == (300.0, 0.0)


def test_mode1_declines_at_once_when_stake_exceeds_limit(http: httpx.Client) -> None:
    body = _order(orderStake=500, bookmakers="pinnacle", acceptPartialStake=False)
    response = place(http, body).json()
    assert response["status"] == "declined" and response["acceptedOrders"] == []
    assert response["declinedOrders"] == [
        {
            "requestUuid": body["requestUuid"],
            "fixtureId": TEST_FIXTURE,
            "outcomeId": 101,
            "declineReason": "Order stake 500.00 USD exceeds available limit 400.00 USD",
        }
    ]
    # the declined order is kept as REJECTED, so a client can reconcile by requestUuid
    found = http.get("/orders", params={"requestUuids": body["requestUuid"]}).json()["orders"]
    assert found[0]["orderStatus"] == "REJECTED" and found[0]["bets"] == []


def test_mode1_never_bets_below_order_price(abp_sim: SimHandle, http: httpx.Client) -> None:
    o = place_one(http, **_order(orderStake=100, bookmakers="sharpbet", acceptPartialStake=False))
    assert o["orderStatus"] == "PENDING" and o["bets"] == []  # waits: first-bet rule
    abp_sim.move_price(TEST_FIXTURE, 101, "sharpbet", price=2.01)
    done = wait_status(http, o["orderId"], "FILLED")
    assert _legs(done) == [("sharpbet", 2.01, 100.0)]


def test_mode2_worked_example_repeated_bets_at_one_book(
    abp_sim: SimHandle, http: httpx.Client
) -> None:
    """orderStake 1000 @ 2.00 at pinnacle, partial allowed (the docs' Mode 2 example)."""
    o = place_one(http, **_order(orderStake=1000, bookmakers="pinnacle", expiresAt=None))
    # pass 1: market 2.10 limit 400 → 400 @ 2.10
    assert o["orderStatus"] == "PARTIALLY_FILLED" and _legs(o) == [("pinnacle", 2.10, 400.0)]
    # pass 2: market 1.95 limit 500; room = (840 − 800) / 0.05 = 800 → 500 @ 1.95
    abp_sim.move_price(TEST_FIXTURE, 101, "pinnacle", price=1.95, limit=500)
    o2 = wait_for(lambda: (x := get_order(http, o["orderId"]))["filledStake"] == 900 and x)
    assert _legs(o2) == [("pinnacle", 2.10, 400.0), ("pinnacle", 1.95, 500.0)]
    # pass 3: market 1.90; room = (1815 − 1800) / 0.10 = 150 ≥ the 100 left → filled
    abp_sim.move_price(TEST_FIXTURE, 101, "pinnacle", price=1.90, limit=500)
    o3 = wait_status(http, o["orderId"], "FILLED")
    assert _legs(o3)[-1] == ("pinnacle", 1.90, 100.0)
    total = sum(s * p for _, p, s in _legs(o3))
    assert total / 1000 >= 2.0  # 2005 / 1000 = 2.005


def test_mode2_stops_where_the_average_would_drop(abp_sim: SimHandle, http: httpx.Client) -> None:
    o = place_one(http, **_order(orderStake=1000, bookmakers="pinnacle"))
    # market 1.50: room = (840 − 800) / 0.50 = 80 → exactly 80 more, then exhausted
    abp_sim.move_price(TEST_FIXTURE, 101, "pinnacle", price=1.50, limit=1000)
    o2 = wait_for(lambda: (x := get_order(http, o["orderId"]))["filledStake"] == 480 and x)
    assert _legs(o2)[-1] == ("pinnacle", 1.5, 80.0)
    abp_sim.advance(10)  # past the default 5 s expiry
    final = wait_status(http, o["orderId"], "PARTIALLY_FILLED", "EXPIRED")
    assert final["orderStatus"] == "PARTIALLY_FILLED"
    assert (final["filledStake"], final["remainingStake"]) == (480.0, 520.0)


def test_mode3_one_bet_per_bookmaker(http: httpx.Client) -> None:
    o = place_one(http, **_order(orderStake=600, acceptPartialStake=False))
    assert o["orderStatus"] == "FILLED"
    assert _legs(o) == [("pinnacle", 2.10, 400.0), ("vertex", 2.05, 200.0)]


def test_mode3_uses_weighted_average_for_a_below_price_book(http: httpx.Client) -> None:
    # 400 @ 2.10 + 300 @ 2.05, then sharpbet 1.95: room = (1455 − 1400) / 0.05 = 1100 ≥ 100
    o = place_one(http, **_order(orderStake=800, acceptPartialStake=False))
    assert _legs(o) == [
        ("pinnacle", 2.10, 400.0),
        ("vertex", 2.05, 300.0),
        ("sharpbet", 1.95, 100.0),
    ]


def test_mode3_declines_above_summed_capacity(http: httpx.Client) -> None:
    response = place(http, _order(orderStake=2000, acceptPartialStake=False)).json()
    assert response["status"] == "declined"
    assert response["declinedOrders"][0]["declineReason"] == (
        "Order stake 2000.00 USD exceeds available limit 1700.00 USD"
    )


def test_mode4_sequential_by_best_price_then_expiry(abp_sim: SimHandle, http: httpx.Client) -> None:
    # 400 @ 2.10, 300 @ 2.05, then 1.95 capped by room 1100 and limit 1000 → 1000
    o = place_one(http, **_order(orderStake=2000))
    assert _legs(o) == [
        ("pinnacle", 2.10, 400.0),
        ("vertex", 2.05, 300.0),
        ("sharpbet", 1.95, 1000.0),
    ]
    assert o["orderStatus"] == "PARTIALLY_FILLED"
    assert (o["filledStake"], o["remainingStake"]) == (1700.0, 300.0)
    abp_sim.advance(6)
    final = wait_status(http, o["orderId"], "PARTIALLY_FILLED", "EXPIRED")
    assert final["orderStatus"] == "PARTIALLY_FILLED" and final["filledStake"] == 1700.0


def test_waiting_order_expires_without_fill(abp_sim: SimHandle, http: httpx.Client) -> None:
    o = place_one(http, **_order(orderStake=50, orderPrice=3.0))
    assert o["orderStatus"] == "PENDING"
    abp_sim.advance(5.5)
    final = wait_status(http, o["orderId"], "EXPIRED")
    assert final["filledStake"] == 0.0 and final["bets"] == []


def test_accept_better_odds_false_takes_only_the_exact_price(http: httpx.Client) -> None:
    o = place_one(http, **_order(orderStake=100, orderPrice=2.05, acceptBetterOdds=False))
    assert _legs(o) == [("vertex", 2.05, 100.0)]


def test_priority_breaks_price_ties(abp_sim: SimHandle, http: httpx.Client) -> None:
    abp_sim.move_price(TEST_FIXTURE, 101, "vertex", price=2.10)  # tie with pinnacle
    http.patch("/accounts/vertex/vertex_1", json={"priority": 9})
    o = place_one(http, **_order(orderStake=100))
    assert _legs(o)[0][0] == "vertex"


def test_expires_at_is_capped_at_24h(abp_sim: SimHandle, http: httpx.Client) -> None:
    from wagerkit.sim.abp.clock import iso, parse_iso

    now = abp_sim.sim.clock.now()
    o = place_one(http, **_order(orderStake=10, orderPrice=9.0, expiresAt=iso(now + 3 * 86400)))
    assert parse_iso(o["expiresAt"]) - now <= 86400 + 5
    default = place_one(http, **_order(orderStake=10, orderPrice=9.0))
    assert 4.0 <= parse_iso(default["expiresAt"]) - parse_iso(default["createdAt"]) <= 5.5
