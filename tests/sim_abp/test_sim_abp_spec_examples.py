"""Every request and response example of the two ABP pages in shared/specs, replayed.

The requests are sent as written (only the requestUuid is fresh and ids come from the
simulator); each response must carry every field of the documented example with the same
JSON type (numbers are numbers: ABP's own examples mix ``15000`` and ``5000.0``).
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.sim_abp.conftest import EPL_FIXTURE
from wagerkit.sim.abp.testing import SimHandle

CURRENCY_INFO_USD: dict[str, Any] = {
    "currency": "USD",
    "currencyValue": 1,
    "updatedAt": "2026-02-07T17:29:32+00:00",
}
CURRENCY_INFO_EUR: dict[str, Any] = {
    "currency": "EUR",
    "currencyValue": 0.84788876,
    "updatedAt": "2026-02-07T17:29:32+00:00",
}

ACCOUNT_EXAMPLE: dict[str, Any] = {
    "bookmaker": "pinnacle",
    "username": "pinnacle_main",
    "client": "your-client",
    "password": "***",
    "balance": 5000.0,
    "active": True,
    "priority": 10,
    "maxStake": 1000.0,
    "minStake": 5.0,
    "currencyId": "USD",
    "verifyBetslip": False,
    "meta": {},
    "createdAt": "2026-01-01T00:00:00Z",
    "updatedAt": "2026-02-01T12:00:00Z",
    "multiLimitAllowed": True,
    "currencyInfo": CURRENCY_INFO_USD,
}

BETSLIP_EXAMPLE: dict[str, Any] = {
    "fixtureId": "id1000004461512432",
    "outcomeId": 103,
    "playerId": 0,
    "client": "your-client",
    "fixtureInfo": {
        "sport": {"sportId": 10, "sportName": "Soccer"},
        "tournament": {"tournamentName": "Serie A", "categoryName": "Italy"},
        "participants": {"participant1Name": "AS Roma", "participant2Name": "Cagliari Calcio"},
    },
    "outcomeInfo": {"marketName": "Full Time Result", "outcomeName": "2"},
    "odds": {
        "pinnacle": {
            "id1000004461512432:pinnacle:103:0": {
                "price": 1.98,
                "limit": 15000,
                "limitMin": 5,
                "limitCurrency": "USD",
                "limitUsd": 15000,
                "limitMinUsd": 5,
                "active": True,
                "account": "pinnacle_main",
                "currencyInfo": CURRENCY_INFO_USD,
            }
        },
        "sharpbet": {
            "id1000004461512432:sharpbet:103:0": {
                "price": 2.0,
                "limit": 751.34,
                "limitMin": 1,
                "limitCurrency": "EUR",
                "limitUsd": 886.13,
                "limitMinUsd": 1.18,
                "active": True,
                "account": "sharpbet_user",
                "currencyInfo": CURRENCY_INFO_EUR,
            }
        },
    },
}

PLACE_REQUEST_ORDER: dict[str, Any] = {
    "requestUuid": "eb45b192-317b-42d5-9f65-af497b9fa8c1",
    "fixtureId": "id1000004461512432",
    "outcomeId": 103,
    "playerId": 0,
    "orderStake": 10.0,
    "orderPrice": 1.95,
    "userRef": "my-strategy-1",
    "testOrder": False,
}

ACCEPTED_EXAMPLE: dict[str, Any] = {
    "status": "accepted",
    "acceptedOrders": [
        {
            "orderId": 327,
            "requestUuid": "eb45b192-317b-42d5-9f65-af497b9fa8c1",
            "orderStatus": "FILLED",
            "fixtureId": "id1000004461512432",
            "outcomeId": 103,
            "orderStake": 10.0,
            "orderPrice": 1.95,
            "filledStake": 10.0,
            "bets": [
                {
                    "betId": 73,
                    "bookmaker": "pinnacle",
                    "placedPrice": 1.98,
                    "placedStake": 10.0,
                    "betStatus": "CONFIRMED",
                }
            ],
        }
    ],
    "declinedOrders": [],
}

DECLINED_EXAMPLE: dict[str, Any] = {
    "status": "declined",
    "acceptedOrders": [],
    "declinedOrders": [
        {
            "requestUuid": "fb5f2dd9-c855-4ba9-8ef9-4c2278ca2f1d",
            "fixtureId": "id1000004461512432",
            "outcomeId": 103,
            "declineReason": "Order stake 100.00 USD exceeds available limit 50.00 USD",
        }
    ],
}

BETS_EXAMPLE: dict[str, Any] = {
    "status": "success",
    "bets": [
        {
            "betId": 73,
            "orderId": 327,
            "bookmaker": "pinnacle",
            "bookmakerBetId": "3332684214",
            "placedStake": 10.0,
            "placedPrice": 1.98,
            "placedCurrency": "USD",
            "betStatus": "CONFIRMED",
            "settlementStatus": "UNSETTLED",
            "account": "pinnacle_main",
            "userRef": "my-strategy-1",
        }
    ],
    "count": 1,
    "hasMore": False,
    "nextCursor": None,
}

POSITIONS_EXAMPLE: dict[str, Any] = {
    "status": "success",
    "groupBy": "bookmaker",
    "positions": [{"bookmaker": "pinnacle", "openBets": 5, "totalStake": 250.0, "avgPrice": 1.92}],
    "count": 1,
    "totalStake": 250.0,
    "totalOpenBets": 5,
}

PNL_EXAMPLE: dict[str, Any] = {
    "status": "success",
    "groupBy": "bookmaker",
    "pnl": [
        {
            "bookmaker": "pinnacle",
            "settledBets": 42,
            "wins": 23,
            "losses": 17,
            "netPnl": 250.0,
            "winRate": 54.8,
        }
    ],
    "count": 1,
    "totalNetPnl": 250.0,
    "totalStaked": 2100.0,
    "totalSettledBets": 42,
}

MC_BETSLIP_ENTRY: dict[str, Any] = {
    "price": 1.52,
    "limit": 751.34,
    "limitMin": 1,
    "limitCurrency": "EUR",
    "limitUsd": 886.13,
    "limitMinUsd": 1.18,
    "active": True,
    "account": "sharpbet_user",
    "currencyInfo": CURRENCY_INFO_EUR,
}


# Documented as nullable (abp-facts §6: "maxStake, minStake (nullable overrides)").
NULLABLE = frozenset({"maxStake", "minStake"})


def same_shape(example: Any, actual: Any, path: str = "$") -> None:
    """Every field of ``example`` is in ``actual`` with the same JSON type."""
    if isinstance(example, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        for key, value in example.items():
            assert key in actual, f"{path}.{key} is missing"
            if key in NULLABLE and actual[key] is None:
                continue
            same_shape(value, actual[key], f"{path}.{key}")
    elif isinstance(example, list):
        assert isinstance(actual, list), f"{path}: expected an array"
        if example:
            assert actual, f"{path}: expected items"
            for i, item in enumerate(actual):
                same_shape(example[0], item, f"{path}[{i}]")
    elif isinstance(example, bool):
        assert isinstance(actual, bool), f"{path}: expected a boolean, got {actual!r}"
    elif isinstance(example, int | float):
        assert isinstance(actual, int | float) and not isinstance(actual, bool), (
            f"{path}: expected a number, got {actual!r}"
        )
    elif isinstance(example, str):
        assert isinstance(actual, str), f"{path}: expected a string, got {actual!r}"
    else:  # null in the example: our value may be null or filled in (nextCursor)
        assert actual is None or isinstance(actual, int | str), path


def test_step1_list_accounts(http: httpx.Client) -> None:
    accounts = http.get("/accounts").json()
    same_shape([ACCOUNT_EXAMPLE], accounts)
    assert accounts[0]["username"] == "pinnacle_main" and accounts[0]["priority"] == 10


def test_step2_betslip_as_curl_and_python(http: httpx.Client) -> None:
    curl = http.get("/betslip?fixtureId=id1000004461512432&outcomeId=103&playerId=0").json()
    python = http.get(
        "/betslip", params={"fixtureId": "id1000004461512432", "outcomeId": 103, "playerId": 0}
    ).json()
    assert curl == python
    same_shape(BETSLIP_EXAMPLE, curl)
    for bookmaker, entries in BETSLIP_EXAMPLE["odds"].items():
        for key, documented in entries.items():
            ours = curl["odds"][bookmaker][key]
            for field in (
                "price",
                "limit",
                "limitMin",
                "limitCurrency",
                "limitUsd",
                "limitMinUsd",
                "active",
                "account",
            ):
                assert ours[field] == documented[field], (bookmaker, field)
            same_shape(MC_BETSLIP_ENTRY, ours)


def test_step3_place_order_accepted(http: httpx.Client) -> None:
    body = {"orders": [{**PLACE_REQUEST_ORDER, "requestUuid": str(uuid.uuid4())}]}
    response = http.post("/place-orders", json=body)
    assert response.status_code == 200
    same_shape(ACCEPTED_EXAMPLE, response.json())
    assert response.json()["acceptedOrders"][0]["orderStatus"] == "FILLED"


def test_step3_place_order_declined(http: httpx.Client) -> None:
    # The default scenario's Arsenal-Chelsea draw has a 50 USD pinnacle limit.
    order = {
        **PLACE_REQUEST_ORDER,
        "requestUuid": str(uuid.uuid4()),
        "fixtureId": EPL_FIXTURE,
        "outcomeId": 102,
        "orderStake": 100.0,
        "orderPrice": 3.0,
        "bookmakers": "pinnacle",
        "acceptPartialStake": False,
    }
    response = http.post("/place-orders", json={"orders": [order]})
    same_shape(DECLINED_EXAMPLE, response.json())
    assert (
        response.json()["declinedOrders"][0]["declineReason"]
        == (DECLINED_EXAMPLE["declinedOrders"][0]["declineReason"])
    )


def test_step4_track_orders_and_bets(http: httpx.Client) -> None:
    body = {
        "orders": [
            {**PLACE_REQUEST_ORDER, "requestUuid": str(uuid.uuid4()), "bookmakers": "pinnacle"}
        ]
    }
    order_id = http.post("/place-orders", json=body).json()["acceptedOrders"][0]["orderId"]
    orders = http.get("/orders?userRef=my-strategy-1").json()
    assert [o["orderId"] for o in orders["orders"]] == [order_id]
    bets = http.get(f"/bets?orderIds={order_id}").json()
    same_shape(BETS_EXAMPLE, bets)
    bet = bets["bets"][0]
    assert (bet["bookmaker"], bet["placedStake"], bet["placedPrice"], bet["placedCurrency"]) == (
        "pinnacle",
        10.0,
        1.98,
        "USD",
    )


def test_step5_positions_and_pnl(abp_sim: SimHandle, http: httpx.Client) -> None:
    for _ in range(2):
        body = {
            "orders": [
                {**PLACE_REQUEST_ORDER, "requestUuid": str(uuid.uuid4()), "bookmakers": "pinnacle"}
            ]
        }
        http.post("/place-orders", json=body)
    same_shape(POSITIONS_EXAMPLE, http.get("/positions").json())
    abp_sim.settle("id1000004461512432", {"103": "WON"})
    same_shape(PNL_EXAMPLE, http.get("/pnl").json())


def test_multi_currency_currency_info_on_reads(http: httpx.Client) -> None:
    accounts = {a["username"]: a for a in http.get("/accounts").json()}
    assert accounts["sharpbet_user"]["currencyInfo"] == CURRENCY_INFO_EUR
    order = {
        **PLACE_REQUEST_ORDER,
        "requestUuid": str(uuid.uuid4()),
        "bookmakers": "sharpbet",
        "orderCurrency": "EUR",
    }
    placed = http.post("/place-orders", json={"orders": [order]}).json()["acceptedOrders"][0]
    assert placed["currencyInfo"] == CURRENCY_INFO_EUR  # the order's currency
    same_shape(CURRENCY_INFO_EUR, placed["bets"][0]["currencyInfo"])  # the bet's currency
    for field in ("orderStake", "filledStake", "remainingStake"):
        assert isinstance(placed[field], float)
