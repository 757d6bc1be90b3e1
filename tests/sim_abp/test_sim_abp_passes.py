"""Later passes of working orders: prior legs, accounts without multiLimitAllowed, and odds that
were not fetched in time ("Odds temporarily unavailable").

All-USD world of ``usd_scenario``: pinnacle 2.10 limit 400, vertex 2.05 limit 300, sharpbet 1.95
limit 1000 on TEST_FIXTURE outcome 101; orderPrice 2.00 unless said otherwise.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.sim_abp.conftest import (
    EPL_FIXTURE,
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
    return [(b["bookmaker"], b["placedPrice"], b["placedStake"]) for b in o["bets"]]


def _filled(http: httpx.Client, order_id: int, stake: float) -> dict[str, Any]:
    return wait_for(lambda: (x := get_order(http, order_id))["filledStake"] == stake and x)


def _passes(abp_sim: SimHandle, n: int = 10) -> None:
    """Let the order worker run ``n`` retry passes (the test config retries every 0.02 s)."""
    time.sleep(n * abp_sim.sim.config.retry_interval)


# -- prior legs -----------------------------------------------------------------------------------


def test_later_pass_weighs_every_earlier_bet_exactly(
    abp_sim: SimHandle, http: httpx.Client
) -> None:
    """Mode 4, 2000 @ 2.00: pass 1 places 400 @ 2.10, 300 @ 2.05 and 1000 @ 1.95 (room 1100).
    A fresh 1000 at sharpbet then admits (840 + 615 + 1950 − 2.00·1700) / 0.05 = 100.00 more:
    exactly, because the earlier bets reach the engine as they are (no rounded stand-in)."""
    o = place_one(http, **_order(orderStake=2000, expiresAt=None))
    assert _legs(o) == [
        ("pinnacle", 2.10, 400.0),
        ("vertex", 2.05, 300.0),
        ("sharpbet", 1.95, 1000.0),
    ]
    abp_sim.move_price(TEST_FIXTURE, 101, "sharpbet", limit=1000)  # fresh limit, same price
    o2 = _filled(http, o["orderId"], 1800.0)
    assert _legs(o2)[-1] == ("sharpbet", 1.95, 100.0)
    # The order's average is now exactly 2.00: nothing more below it, however long it waits.
    _passes(abp_sim)
    final = get_order(http, o["orderId"])
    assert (final["orderStatus"], final["filledStake"], len(final["bets"])) == (
        "PARTIALLY_FILLED",
        1800.0,
        4,
    )
    total = sum(stake * price for _, price, stake in _legs(final))
    assert total == pytest.approx(2.0 * 1800)


def test_rejected_bet_is_not_a_prior_leg(abp_sim: SimHandle, http: httpx.Client) -> None:
    """A bet the bookmaker rejected holds no stake, so it gives no room below orderPrice.

    Pass 1 bets 400 @ 2.10; the price moves to 1.95 while that bet is pending, and the pending
    bet does count (a later pass may add up to 800 at 1.95). Then the bookmaker rejects every
    bet: with no standing bet left, the first-bet rule holds the order at 1.95 again.
    """
    abp_sim.bookmaker("pinnacle", betDelay=0.2, rejectRate=1.0)
    o = place_one(http, **_order(orderStake=1000, bookmakers="pinnacle", expiresAt=None))
    assert _legs(o) == [("pinnacle", 2.10, 400.0)]
    abp_sim.move_price(TEST_FIXTURE, 101, "pinnacle", price=1.95, limit=1000)

    def all_rejected() -> dict[str, Any] | None:
        x = get_order(http, o["orderId"])
        return x if x["bets"] and all(b["betStatus"] == "REJECTED" for b in x["bets"]) else None

    rejected = wait_for(all_rejected)
    assert rejected["filledStake"] == 0.0
    abp_sim.bookmaker("pinnacle", betDelay=0.0, rejectRate=0.0)
    _passes(abp_sim)
    after = get_order(http, o["orderId"])
    assert after["orderStatus"] == "PENDING" and after["filledStake"] == 0.0
    assert len(after["bets"]) == len(rejected["bets"])


# -- multiLimitAllowed ------------------------------------------------------------------------


def test_account_without_multi_limit_takes_one_bet_per_order(
    abp_sim: SimHandle, http: httpx.Client
) -> None:
    """The Mode 2 example again, but pinnacle_1 has multiLimitAllowed=false: its one bet is
    400 @ 2.10, and pass 2 (room 800 at 1.95) skips it. A second pinnacle account can go on."""
    patched = http.patch("/accounts/pinnacle/pinnacle_1", json={"multiLimitAllowed": False})
    assert patched.json()["multiLimitAllowed"] is False
    o = place_one(http, **_order(orderStake=1000, bookmakers="pinnacle", expiresAt=None))
    assert _legs(o) == [("pinnacle", 2.10, 400.0)]
    abp_sim.move_price(TEST_FIXTURE, 101, "pinnacle", price=1.95, limit=500)
    _passes(abp_sim)
    assert len(get_order(http, o["orderId"])["bets"]) == 1
    # A new order is another order: the account bets for it.
    other = place_one(http, **_order(orderStake=50, orderPrice=1.9, bookmakers="pinnacle"))
    assert [(b["account"], b["placedStake"]) for b in other["bets"]] == [("pinnacle_1", 50.0)]
    created = http.post(
        "/accounts",
        json={"bookmaker": "pinnacle", "username": "pinnacle_2", "password": "p", "balance": 1000},
    )
    assert created.status_code == 201
    o2 = _filled(http, o["orderId"], 900.0)
    assert [(b["account"], b["placedPrice"], b["placedStake"]) for b in o2["bets"]] == [
        ("pinnacle_1", 2.10, 400.0),
        ("pinnacle_2", 1.95, 500.0),
    ]


def test_multi_limit_account_keeps_betting(abp_sim: SimHandle, http: httpx.Client) -> None:
    """The default (multiLimitAllowed=true) is the docs' repeated bets at one book."""
    o = place_one(http, **_order(orderStake=1000, bookmakers="pinnacle", expiresAt=None))
    abp_sim.move_price(TEST_FIXTURE, 101, "pinnacle", price=1.95, limit=500)
    o2 = _filled(http, o["orderId"], 900.0)
    assert {b["account"] for b in o2["bets"]} == {"pinnacle_1"}


# -- Odds temporarily unavailable ----------------------------------------------------------


def test_stale_odds_decline_an_order_for_that_bookmaker(
    abp_sim: SimHandle, http: httpx.Client
) -> None:
    state = abp_sim.faults(oddsUnavailable=[{"bookmaker": "pinnacle", "fixtureId": TEST_FIXTURE}])
    assert state["oddsUnavailable"] == [{"bookmaker": "pinnacle", "fixtureId": TEST_FIXTURE}]
    body = _order(orderStake=100, bookmakers="pinnacle")
    response = place(http, body).json()
    assert response["status"] == "declined"
    reason = response["declinedOrders"][0]["declineReason"]
    assert reason == (
        "Odds temporarily unavailable: odds from pinnacle were not fetched in time; retry"
    )
    found = http.get("/orders", params={"requestUuids": body["requestUuid"]}).json()["orders"]
    assert found[0]["orderStatus"] == "REJECTED" and found[0]["bets"] == []
    # Every bookmaker: pinnacle is left out, the best of the others fills.
    anywhere = place_one(http, **_order(orderStake=100))
    assert _legs(anywhere) == [("vertex", 2.05, 100.0)]
    # Cleared: pinnacle's odds are fresh again.
    abp_sim.clear_faults()
    again = place_one(http, **_order(orderStake=100, bookmakers="pinnacle"))
    assert _legs(again) == [("pinnacle", 2.10, 100.0)]


def test_stale_odds_for_every_quoting_bookmaker_decline_any_bookmaker_orders(
    abp_sim: SimHandle, http: httpx.Client
) -> None:
    abp_sim.faults(
        oddsUnavailable=[{"bookmaker": b} for b in ("pinnacle", "vertex", "sharpbet")]
    )  # no fixtureId: every fixture
    response = place(http, _order(orderStake=100)).json()
    reason = response["declinedOrders"][0]["declineReason"]
    assert reason.startswith("Odds temporarily unavailable: odds from pinnacle, sharpbet, vertex")


@pytest.mark.sim_options()  # the default scenario: two soccer fixtures quoted by pinnacle
def test_stale_odds_of_another_fixture_change_nothing(
    abp_sim: SimHandle, http: httpx.Client
) -> None:
    abp_sim.faults(oddsUnavailable=[{"bookmaker": "pinnacle", "fixtureId": EPL_FIXTURE}])
    o = place_one(http, bookmakers="pinnacle")  # the quickstart order, on QS_FIXTURE
    assert _legs(o) == [("pinnacle", 1.98, 10.0)]
    response = place(http, order(fixtureId=EPL_FIXTURE, outcomeId=101, bookmakers="pinnacle"))
    assert response.json()["declinedOrders"][0]["declineReason"].startswith(
        "Odds temporarily unavailable"
    )


def test_unknown_bookmaker_is_not_a_stale_odds_decline(
    abp_sim: SimHandle, http: httpx.Client
) -> None:
    """A bookmaker that never quoted the selection is still "Bookmaker not available"."""
    abp_sim.faults(oddsUnavailable=[{"bookmaker": "pinnacle"}])
    response = place(http, _order(orderStake=100, outcomeId=999, bookmakers="pinnacle")).json()
    assert response["declinedOrders"][0]["declineReason"].startswith("Bookmaker not available")


def test_waiting_order_skips_stale_odds_until_they_are_fresh(
    abp_sim: SimHandle, http: httpx.Client
) -> None:
    o = place_one(
        http, **_order(orderStake=100, orderPrice=2.2, bookmakers="pinnacle", expiresAt=None)
    )
    assert o["orderStatus"] == "PENDING"
    abp_sim.faults(oddsUnavailable=[{"bookmaker": "pinnacle"}])
    abp_sim.move_price(TEST_FIXTURE, 101, "pinnacle", price=2.25)
    _passes(abp_sim)
    assert get_order(http, o["orderId"])["orderStatus"] == "PENDING"  # still working
    abp_sim.clear_faults()
    done = wait_status(http, o["orderId"], "FILLED")
    assert _legs(done) == [("pinnacle", 2.25, 100.0)]


def test_stale_odds_fault_is_validated(abp_sim: SimHandle) -> None:
    for bad in (
        {"oddsUnavailable": [{"bookmaker": "nobody"}]},
        {"oddsUnavailable": [{"bookmaker": "pinnacle", "fixtureId": "idNOPE"}]},
        {"oddsUnavailable": [{"fixtureId": TEST_FIXTURE}]},
    ):
        with pytest.raises(httpx.HTTPStatusError) as caught:
            abp_sim.faults(**bad)
        assert caught.value.response.status_code == 422
    assert abp_sim.state()["faults"]["oddsUnavailable"] == []
