"""Fixes from review: each test failed before its fix (lay liability vs balance, bookmaker
limits in a currency without a rate, stake bounds, restart schedule, past expiry, precision,
idempotency of engine-rejected orders, test orders, WebSocket order, lay prices above 2)."""

from __future__ import annotations

import httpx

from tests.sim_abp.conftest import QS_FIXTURE, order, place, place_one
from wagerkit.sim.abp.testing import SimHandle


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
