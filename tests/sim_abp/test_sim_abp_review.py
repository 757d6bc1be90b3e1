"""Fixes from review: each test failed before its fix (lay liability vs balance, bookmaker
limits in a currency without a rate, stake bounds, restart schedule, past expiry, precision,
idempotency of engine-rejected orders, test orders, WebSocket order, lay prices above 2)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.sim_abp.conftest import (
    QS_FIXTURE,
    TEST_FIXTURE,
    order,
    place,
    place_one,
    usd_scenario,
    wait_for,
)
from wagerkit._core import Fx
from wagerkit.errors import InvalidInput
from wagerkit.sim.abp import placement as placement_module
from wagerkit.sim.abp.clock import iso
from wagerkit.sim.abp.scenario import Scenario
from wagerkit.sim.abp.testing import SimHandle, fast_config, start_abp_sim


def _balance(http: httpx.Client, bookmaker: str, username: str) -> float:
    value: float = http.get(f"/accounts/{bookmaker}/{username}").json()["balance"]
    return value


def _lay(http: httpx.Client, **fields: object) -> dict[str, object]:
    body: dict[str, object] = {
        "fixtureId": QS_FIXTURE,
        "outcomeId": 101,
        "back": False,
        "orderCurrency": "EUR",
        "bookmakers": "betfair_ex",
        **fields,
    }
    return place_one(http, **body)


def test_lay_liability_never_exceeds_the_balance(abp_sim: SimHandle, http: httpx.Client) -> None:
    """Lay at 6.0 with 100 EUR: liability 5 per unit of stake → at most 20 EUR of stake."""
    http.patch("/accounts/betfair_ex/betfair_main", json={"balance": 100})
    abp_sim.move_price(QS_FIXTURE, 101, "betfair_ex", back=False, price=6.0, limit=1800)
    o = _lay(http, orderStake=1000, orderPrice=7.0)
    bets = o["bets"]
    assert isinstance(bets, list) and len(bets) == 1
    assert (bets[0]["placedStake"], bets[0]["placedPrice"]) == (20.0, 6.0)
    assert o["filledStake"] == 20.0
    assert _balance(http, "betfair_ex", "betfair_main") == 0.0


def test_lay_with_no_balance_is_not_filled(abp_sim: SimHandle, http: httpx.Client) -> None:
    """Nothing left to cover a liability: no bet, the balance never goes below zero."""
    http.patch("/accounts/betfair_ex/betfair_main", json={"balance": 0.04})
    abp_sim.move_price(QS_FIXTURE, 101, "betfair_ex", back=False, price=6.0, limit=1800)
    r = place(
        http,
        order(
            fixtureId=QS_FIXTURE,
            outcomeId=101,
            back=False,
            orderStake=100,
            orderPrice=7.0,
            orderCurrency="EUR",
            bookmakers="betfair_ex",
        ),
    )
    body = r.json()
    orders = body["acceptedOrders"] + body["declinedOrders"]
    assert all(not o.get("bets") for o in orders)
    assert _balance(http, "betfair_ex", "betfair_main") >= 0.0


def test_lay_above_two_debits_and_settles_the_liability(
    abp_sim: SimHandle, http: httpx.Client
) -> None:
    """Lay 100 EUR at 3.5: liability 250 EUR (more than the stake); the lay wins 350."""
    abp_sim.move_price(QS_FIXTURE, 101, "betfair_ex", back=False, price=3.5, limit=5000)
    o = _lay(http, orderStake=100, orderPrice=4.0)
    bets = o["bets"]
    assert isinstance(bets, list)
    assert (bets[0]["placedStake"], bets[0]["placedPrice"]) == (100.0, 3.5)
    assert _balance(http, "betfair_ex", "betfair_main") == 20000 - 250
    abp_sim.settle(QS_FIXTURE, {"101": "LOST"})
    bet = http.get(f"/bets/{bets[0]['betId']}").json()
    assert (bet["settlementStatus"], bet["settlementAmount"]) == ("WON", 350.0)
    assert _balance(http, "betfair_ex", "betfair_main") == 20000 + 100


def _sek_scenario(rates: dict[str, float]) -> Scenario:
    scenario = usd_scenario(
        [{"bookmaker": "pinnacle", "price": 2.10, "limit": 1000}],
        bookmakers=[
            {"slug": "pinnacle", "currency": "SEK"},
            {"slug": "vertex"},
            {"slug": "sharpbet"},
        ],
        rates=rates,
    )
    return scenario


def test_scenario_needs_a_rate_for_every_bookmaker_currency() -> None:
    with pytest.raises(InvalidInput, match="pinnacle: no rate for its currency SEK"):
        _sek_scenario({})


def test_bookmaker_limit_without_a_rate_is_declined_not_read_as_usd() -> None:
    """1000 SEK of limit is about 95 USD: it must never fill 900 USD. With the SEK rate gone
    at runtime the engine gets the limit in SEK and declines the conversion itself."""
    config = fast_config(scenario=_sek_scenario({"SEK": 10.5}))
    with (
        start_abp_sim(config) as sim,
        httpx.Client(base_url=sim.base_url, headers=sim.headers_for("c1"), timeout=10) as http,
    ):
        body = order(fixtureId=TEST_FIXTURE, outcomeId=101, orderStake=900, orderPrice=2.0)
        body["bookmakers"] = "pinnacle"
        # with the rate: 1000 SEK / 10.5 = 95.23 USD of limit
        first = place(http, body).json()
        assert first["acceptedOrders"][0]["filledStake"] == 95.23
        fx = Fx()
        fx.set_rate("USD", "1", None)
        with sim.sim.lock:
            sim.sim.market.fx = fx  # rates can change under a running world
        body["requestUuid"] = str(uuid.uuid4())
        second = place(http, body).json()
        assert second["status"] == "declined", second
        assert "SEK" in second["declinedOrders"][0]["declineReason"]


def test_account_stake_limits_round_toward_the_stricter_side(http: httpx.Client) -> None:
    """maxStake 10.009 → 10.00 (down, half-even would give 10.01); minStake 5.001 → 5.01 (up)."""
    r = http.patch("/accounts/pinnacle/pinnacle_main", json={"maxStake": 10.009, "minStake": 5.001})
    assert r.status_code == 200, r.text
    acc = http.get("/accounts/pinnacle/pinnacle_main").json()
    assert (acc["maxStake"], acc["minStake"]) == (10.0, 5.01)


def test_scenario_account_stake_limits_round_toward_the_stricter_side() -> None:
    scenario = usd_scenario(
        accounts=[
            {
                "client": "c1",
                "bookmaker": "pinnacle",
                "username": "pinnacle_1",
                "balance": 1000,
                "maxStake": 10.009,
            },
            {
                "client": "c1",
                "bookmaker": "vertex",
                "username": "vertex_1",
                "balance": 1000,
                "minStake": 5.001,
            },
        ]
    )
    with (
        start_abp_sim(fast_config(scenario=scenario)) as sim,
        httpx.Client(base_url=sim.base_url, headers=sim.headers_for("c1"), timeout=10) as http,
    ):
        accounts = {a["username"]: a for a in http.get("/accounts").json()}
        assert accounts["pinnacle_1"]["maxStake"] == 10.0
        assert accounts["vertex_1"]["minStake"] == 5.01


def _pinnacle_quote(http: httpx.Client) -> tuple[float, float]:
    slip = http.get(
        "/betslip", params={"fixtureId": TEST_FIXTURE, "outcomeId": 101, "playerId": 0}
    ).json()
    quote = next(iter(slip["odds"]["pinnacle"].values()))
    return quote["price"], quote["limit"]


def test_restart_does_not_replay_the_schedule(tmp_path: Path) -> None:
    """A scheduled move that already happened is not applied again after a --db restart."""
    scenario = usd_scenario(
        moves=[
            {
                "after": 5,
                "fixtureId": TEST_FIXTURE,
                "outcomeId": 101,
                "bookmaker": "pinnacle",
                "price": 2.5,
                "limit": 100,
            }
        ]
    )
    db = str(tmp_path / "paper.sqlite")
    with (
        start_abp_sim(fast_config(scenario=scenario, db_path=db)) as sim,
        httpx.Client(base_url=sim.base_url, headers=sim.headers_for("c1"), timeout=10) as http,
    ):
        sim.advance(6)
        wait_for(lambda: _pinnacle_quote(http) == (2.5, 100.0))
        sim.move_price(TEST_FIXTURE, 101, "pinnacle", price=2.45)
    with (
        start_abp_sim(fast_config(scenario=scenario, db_path=db)) as sim,
        httpx.Client(base_url=sim.base_url, headers=sim.headers_for("c1"), timeout=10) as http,
    ):
        assert _pinnacle_quote(http) == (2.45, 100.0)
        sim.advance(6)
        time.sleep(0.3)  # 15 scheduler passes at the fast 0.02 s cadence
        assert _pinnacle_quote(http) == (2.45, 100.0)


def _lookup(http: httpx.Client, request_uuid: str) -> list[dict[str, Any]]:
    orders: list[dict[str, Any]] = http.get(
        "/orders", params={"requestUuids": request_uuid}
    ).json()["orders"]
    return orders


def test_order_already_expired_is_declined_unrouted(abp_sim: SimHandle, http: httpx.Client) -> None:
    past = iso(abp_sim.sim.clock.now() - 3600)
    body = order(expiresAt=past)
    answer = place(http, body).json()
    assert answer["status"] == "declined" and answer["acceptedOrders"] == []
    assert answer["declinedOrders"][0]["declineReason"].startswith("Order expired: expiresAt")
    assert http.get("/bets", params={"userRef": "my-strategy-1"}).json()["bets"] == []
    assert _balance(http, "sharpbet", "sharpbet_user") == 10000
    (stored,) = _lookup(http, body["requestUuid"])
    assert (stored["orderStatus"], stored["bets"]) == ("REJECTED", [])
    test = place(http, order(expiresAt=past, testOrder=True)).json()
    assert test["declinedOrders"][0]["declineReason"].startswith("Order expired")


def test_order_price_beyond_six_decimals_rounds_to_the_stricter_side(
    abp_sim: SimHandle, http: httpx.Client
) -> None:
    """Back 2.0000001 is a minimum: it becomes 2.000001 and does not take 2.0 (half-even
    would read 2.0 and fill). Lay 1.0000001 is a maximum: 1.0 is no price → 422."""
    abp_sim.move_price(QS_FIXTURE, 103, "pinnacle", price=2.0)
    back = place(http, order(orderPrice=2.0000001, bookmakers="sharpbet,pinnacle")).json()
    assert back["status"] == "accepted", back
    (o,) = back["acceptedOrders"]
    assert o["orderPrice"] == 2.000001 and o["bets"] == [] and o["filledStake"] == 0
    tiny = place(http, order(orderPrice=1.0000001)).json()
    assert tiny["status"] == "accepted" and tiny["acceptedOrders"][0]["orderPrice"] == 1.000001
    lay = place(http, order(orderPrice=1.0000001, back=False))
    assert lay.status_code == 422
    assert lay.json()["detail"][0]["loc"][-1] == "orderPrice"


def test_stake_beyond_the_engine_range_is_422_and_keeps_the_uuid_free(
    http: httpx.Client,
) -> None:
    body = order(orderStake=1e30)
    bad = place(http, body)
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][-1] == "orderStake"
    body["orderStake"] = 10
    assert place(http, body).json()["status"] == "accepted"
    assert len(_lookup(http, body["requestUuid"])) == 1


def test_engine_invalid_input_is_stored_as_rejected(
    abp_sim: SimHandle, http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An order the engine refuses as InvalidInput is kept REJECTED: its requestUuid finds it."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise InvalidInput("stake out of range", field="stake")

    monkeypatch.setattr(placement_module, "route", refuse)
    body = order()
    answer = place(http, body).json()
    assert answer["declinedOrders"][0]["declineReason"].startswith("Invalid order")
    (stored,) = _lookup(http, body["requestUuid"])
    assert stored["orderStatus"] == "REJECTED"
    assert place(http, body).status_code == 409  # consistent with what the lookup shows


def test_test_orders_use_up_no_ids(http: httpx.Client) -> None:
    test = place_one(http, testOrder=True)
    assert test["orderId"] == 0 and test["bets"][0]["betId"] == 0
    real = place_one(http)
    assert real["orderId"] == 1 and real["bets"][0]["betId"] == 1
