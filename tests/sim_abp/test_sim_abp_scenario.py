"""Scenario files: validation, scheduled price moves and settlements; small error paths."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sim_abp.conftest import TEST_FIXTURE, place_one, usd_scenario, wait_for
from wagerkit.errors import InvalidInput
from wagerkit.sim.abp.scenario import load_scenario, parse_scenario
from wagerkit.sim.abp.testing import SimHandle

SCHEDULED = usd_scenario(
    moves=[
        {
            "after": 60,
            "fixtureId": TEST_FIXTURE,
            "outcomeId": 101,
            "bookmaker": "pinnacle",
            "price": 2.5,
            "limit": 50,
        }
    ],
    settlements=[{"after": 120, "fixtureId": TEST_FIXTURE, "results": {"101": "WON"}}],
)


def _price(http: httpx.Client) -> Any:
    slip = http.get(
        "/betslip", params={"fixtureId": TEST_FIXTURE, "outcomeId": 101, "playerId": 0}
    ).json()
    return slip["odds"]["pinnacle"][f"{TEST_FIXTURE}:pinnacle:101:0"]


@pytest.mark.sim_options(scenario=SCHEDULED)
def test_scheduled_moves_and_settlements_follow_the_clock(
    abp_sim: SimHandle, http: httpx.Client
) -> None:
    assert _price(http)["price"] == 2.1
    o = place_one(
        http,
        fixtureId=TEST_FIXTURE,
        outcomeId=101,
        orderPrice=2.0,
        orderStake=10,
        bookmakers="pinnacle",
    )
    abp_sim.advance(61)
    moved = wait_for(lambda: (q := _price(http))["price"] == 2.5 and q)
    assert moved["limit"] == 50
    abp_sim.advance(60)
    bet_id = o["bets"][0]["betId"]
    bet = wait_for(
        lambda: (b := http.get(f"/bets/{bet_id}").json())["settlementStatus"] == "WON" and b
    )
    assert bet["settlementAmount"] == 21.0


def test_scenario_errors_are_reported_together() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_scenario(
            {
                "clients": [{"name": "a"}],
                "rates": {"XXX": 1.0},
                "bookmakers": [{"slug": "p", "currency": "ZZZ"}],
                "accounts": [{"client": "nobody", "bookmaker": "q", "username": "u"}],
            }
        )
    text = str(info.value)
    for part in ("XXX", "ZZZ", "unknown client nobody", "unknown bookmaker q"):
        assert part in text
    with pytest.raises(InvalidInput):
        parse_scenario({"clients": [{"name": "a", "typo": 1}]})
    with pytest.raises(InvalidInput):
        load_scenario("/nonexistent/scenario.yaml")


def test_small_error_paths(http: httpx.Client) -> None:
    assert http.get("/bets/999999").status_code == 404
    assert http.get("/bets/abc").status_code == 422
    assert http.get("/bets").status_code == 400
    assert http.patch("/accounts/pinnacle/nobody", json={"balance": 1}).status_code == 404
    assert http.put("/accounts").status_code == 405
    assert http.get("/pnl", params={"groupBy": "x"}).status_code == 422
