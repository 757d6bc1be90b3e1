"""GET /betslip: the documented shape, limits after the cascade, native and USD."""

from __future__ import annotations

import httpx

from tests.sim_abp.conftest import EPL_FIXTURE, QS_FIXTURE, place_one
from wagerkit.sim.abp.testing import SimHandle


def _slip(http: httpx.Client, fixture: str, outcome: int) -> httpx.Response:
    return http.get("/betslip", params={"fixtureId": fixture, "outcomeId": outcome, "playerId": 0})


def test_quickstart_betslip_values(http: httpx.Client) -> None:
    body = _slip(http, QS_FIXTURE, 103).json()
    assert body["client"] == "your-client"
    assert body["fixtureInfo"]["participants"]["participant1Name"] == "AS Roma"
    assert body["outcomeInfo"]["marketName"] == "Full Time Result"
    assert body["outcomeInfo"]["outcomeName"] == "2"
    pin = body["odds"]["pinnacle"][f"{QS_FIXTURE}:pinnacle:103:0"]
    assert (pin["price"], pin["limit"], pin["limitMin"], pin["limitCurrency"]) == (
        1.98,
        15000,
        5,
        "USD",
    )
    assert (pin["limitUsd"], pin["limitMinUsd"], pin["account"]) == (15000, 5, "pinnacle_main")
    sharp = body["odds"]["sharpbet"][f"{QS_FIXTURE}:sharpbet:103:0"]
    assert (sharp["price"], sharp["limit"], sharp["limitMin"], sharp["limitCurrency"]) == (
        2.0,
        751.34,
        1,
        "EUR",
    )
    assert (sharp["limitUsd"], sharp["limitMinUsd"]) == (886.13, 1.18)
    assert sharp["currencyInfo"]["currencyValue"] == 0.84788876
    assert set(body["odds"]) == {"pinnacle", "sharpbet"}


def test_limits_are_after_the_cascade(abp_sim: SimHandle, http: httpx.Client) -> None:
    # vertex: odds limit 1000 GBP, account maxStake 500 GBP wins; bookmaker minStake 2 GBP
    # beats the odds' limitMin 1
    vertex = _slip(http, QS_FIXTURE, 101).json()["odds"]["vertex"][f"{QS_FIXTURE}:vertex:101:0"]
    assert (vertex["limit"], vertex["limitMin"], vertex["limitCurrency"]) == (500, 2, "GBP")
    assert vertex["limitUsd"] == round(500 / 0.7412, 2)
    # the account balance caps the limit too (our choice, see README)
    http.patch("/accounts/pinnacle/pinnacle_main", json={"balance": 123.45})
    pin = _slip(http, QS_FIXTURE, 103).json()["odds"]["pinnacle"][f"{QS_FIXTURE}:pinnacle:103:0"]
    assert pin["limit"] == 123.45


def test_limit_is_used_up_by_bets_and_refreshed_by_a_move(
    abp_sim: SimHandle, http: httpx.Client
) -> None:
    key = f"{EPL_FIXTURE}:pinnacle:102:0"
    assert _slip(http, EPL_FIXTURE, 102).json()["odds"]["pinnacle"][key]["limit"] == 50
    place_one(
        http,
        fixtureId=EPL_FIXTURE,
        outcomeId=102,
        orderPrice=3.0,
        orderStake=20,
        bookmakers="pinnacle",
    )
    assert _slip(http, EPL_FIXTURE, 102).json()["odds"]["pinnacle"][key]["limit"] == 30
    abp_sim.move_price(EPL_FIXTURE, 102, "pinnacle", price=3.3, limit=60)
    after = _slip(http, EPL_FIXTURE, 102).json()["odds"]["pinnacle"][key]
    assert (after["price"], after["limit"]) == (3.3, 60)


def test_exchange_lay_quote_rides_in_meta(http: httpx.Client) -> None:
    entry = _slip(http, QS_FIXTURE, 101).json()["odds"]["betfair_ex"][
        f"{QS_FIXTURE}:betfair_ex:101:0"
    ]
    assert entry["price"] == 1.74
    assert entry["meta"]["lay"]["price"] == 1.76


def test_betslip_errors(http: httpx.Client) -> None:
    missing = http.get("/betslip", params={"fixtureId": QS_FIXTURE})
    assert missing.status_code == 422
    assert {tuple(d["loc"]) for d in missing.json()["detail"]} == {
        ("query", "outcomeId"),
        ("query", "playerId"),
    }
    assert _slip(http, "id-unknown", 103).status_code == 404
    assert _slip(http, "id-unknown", 103).json() == {"detail": "No odds found for given parameters"}
    futures = http.get(
        "/betslip", params={"futureId": "f1", "outcomeId": 1, "playerId": 0, "participantId": 5}
    )
    assert futures.status_code == 501
    bad = http.get("/betslip", params={"fixtureId": QS_FIXTURE, "outcomeId": "x", "playerId": 0})
    assert bad.status_code == 422 and bad.json()["detail"][0]["type"] == "int_parsing"
