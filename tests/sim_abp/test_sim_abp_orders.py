"""/place-orders validation and idempotency, testOrder, /orders and /cancel-orders."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

import httpx
import pytest

from tests.sim_abp.conftest import EPL_FIXTURE, QS_FIXTURE, order, place, place_one, wait_status
from wagerkit.sim.abp.testing import SimHandle


def test_quickstart_order_is_accepted_and_filled(http: httpx.Client) -> None:
    response = place(http, order())
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "accepted" and body["declinedOrders"] == []
    o = body["acceptedOrders"][0]
    assert o["orderStatus"] == "FILLED"
    assert o["bets"][0]["betStatus"] == "CONFIRMED"
    assert o["bets"][0]["settlementStatus"] == "UNSETTLED"
    assert o["clientName"] == "your-client" and o["allowedBookmakers"] == "*"


def test_validation_errors_are_422_with_detail_list(http: httpx.Client) -> None:
    bad = order(orderStake=0, requestUuid="not-a-uuid")
    del bad["userRef"]
    response = place(http, bad, order(orderPrice="x", testOrder="no"))
    assert response.status_code == 422
    detail = response.json()["detail"]
    by_loc = {tuple(d["loc"]): d for d in detail}
    assert by_loc[("body", "orders", 0, "orderStake")] == {
        "loc": ["body", "orders", 0, "orderStake"],
        "msg": "Input should be greater than 0",
        "type": "greater_than",
    }
    assert by_loc[("body", "orders", 0, "requestUuid")]["type"] == "uuid_parsing"
    assert by_loc[("body", "orders", 0, "userRef")]["type"] == "missing"
    assert by_loc[("body", "orders", 1, "orderPrice")]["type"] == "float_parsing"
    assert by_loc[("body", "orders", 1, "testOrder")]["type"] == "bool_type"
    # nothing of a rejected request is placed, not even its valid orders
    assert http.get("/orders", params={"userRef": "my-strategy-1"}).json()["orders"] == []


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({"orders": []}, "too_short"),
        ({"orders": [order() for _ in range(101)]}, "too_long"),
        ({}, "missing"),
        ({"orders": {}}, "list_type"),
    ],
)
def test_order_count_must_be_1_to_100(http: httpx.Client, body: object, kind: str) -> None:
    response = http.post("/place-orders", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == kind


def test_more_validation_paths(http: httpx.Client) -> None:
    both = order(futureId="f1")
    assert place(http, both).status_code == 422
    neither = order()
    del neither["fixtureId"]
    assert place(http, neither).json()["detail"][0]["msg"].startswith("Value error")
    assert place(http, order(orderCurrency="XYZ")).status_code == 422
    assert place(http, order(expiresAt="tomorrow")).status_code == 422
    assert place(http, order(orderPrice=1.0)).status_code == 422
    assert http.post("/place-orders", content=b"[").json()["detail"][0]["type"] == "json_invalid"


def test_absurd_numbers_are_declined_not_500(http: httpx.Client) -> None:
    # a stake beyond what the engine holds (i64 minor units) is a 422 on orderStake
    too_big = place(http, order(orderStake=1e30))
    assert too_big.status_code == 422
    assert too_big.json()["detail"][0]["loc"][-1] == "orderStake"
    body = place(http, order(orderPrice=1e300)).json()
    assert body["status"] == "declined" and len(body["declinedOrders"]) == 1


def test_futures_are_not_implemented(http: httpx.Client) -> None:
    body = order(futureId="fut1", participantId=5)
    del body["fixtureId"]
    response = place(http, body)
    assert response.status_code == 501


def test_one_hundred_orders_in_one_request(http: httpx.Client) -> None:
    orders = [order(orderStake=5, bookmakers="pinnacle", orderPrice=1.5) for _ in range(100)]
    body = place(http, *orders).json()
    assert body["status"] == "accepted" and len(body["acceptedOrders"]) == 100


def test_partial_success_mixes_accepted_and_declined(http: httpx.Client) -> None:
    ok = order()
    too_big = order(
        fixtureId=EPL_FIXTURE,
        outcomeId=102,
        orderPrice=3.0,
        orderStake=100,
        bookmakers="pinnacle",
        acceptPartialStake=False,
    )
    body = place(http, ok, too_big).json()
    assert body["status"] == "partial-success"
    assert [o["requestUuid"] for o in body["acceptedOrders"]] == [ok["requestUuid"]]
    assert body["declinedOrders"][0]["declineReason"] == (
        "Order stake 100.00 USD exceeds available limit 50.00 USD"
    )


def test_duplicates_are_skipped_and_all_duplicates_is_409(
    abp_sim: SimHandle, http: httpx.Client
) -> None:
    first = order()
    assert place(http, first).status_code == 200
    again = place(http, first)
    assert again.status_code == 409 and "detail" in again.json()
    fresh = order()
    mixed = place(http, first, fresh).json()
    assert [o["requestUuid"] for o in mixed["acceptedOrders"]] == [fresh["requestUuid"]]
    assert mixed["declinedOrders"] == []
    # the same requestUuid twice in one request: the second is skipped
    twin = order()
    twice = place(http, twin, twin).json()
    assert len(twice["acceptedOrders"]) == 1
    # the window is 30 minutes (simulator clock)
    abp_sim.advance(29 * 60)
    assert place(http, first).status_code == 409
    abp_sim.advance(61)
    assert place(http, first).status_code == 200
    assert (
        len(http.get("/orders", params={"requestUuids": first["requestUuid"]}).json()["orders"])
        == 2
    )


@pytest.mark.anyio
async def test_concurrent_duplicates_place_exactly_one_order(abp_sim: SimHandle) -> None:
    body = {"orders": [order(orderStake=5)]}
    async with httpx.AsyncClient(
        base_url=abp_sim.base_url, headers=abp_sim.headers, timeout=10
    ) as client:
        responses = await asyncio.gather(
            *(client.post("/place-orders", json=body) for _ in range(20))
        )
        codes = sorted(r.status_code for r in responses)
        assert codes == [200] + [409] * 19
        uuid_ = body["orders"][0]["requestUuid"]
        found = (await client.get("/orders", params={"requestUuids": uuid_})).json()["orders"]
        assert len(found) == 1 and len(found[0]["bets"]) == 1


def test_test_order_routes_but_places_nothing(http: httpx.Client) -> None:
    before = http.get("/accounts/sharpbet/sharpbet_user").json()["balance"]
    body = order(testOrder=True)
    response = place(http, body).json()
    o = response["acceptedOrders"][0]
    assert o["testOrder"] is True and o["orderStatus"] == "FILLED"
    assert o["bets"][0]["testBet"] is True and o["bets"][0]["bookmaker"] == "sharpbet"
    assert http.get("/accounts/sharpbet/sharpbet_user").json()["balance"] == before
    assert http.get("/orders", params={"requestUuids": body["requestUuid"]}).json()["orders"] == []
    # not remembered for idempotency: the real order with the same id goes through
    assert place(http, {**body, "testOrder": False}).status_code == 200
    declined = place(
        http,
        order(testOrder=True, orderStake=10**6, acceptPartialStake=False, bookmakers="pinnacle"),
    ).json()
    assert declined["status"] == "declined"


def test_orders_filters_are_or_and_required(http: httpx.Client) -> None:
    a = place_one(http, userRef="a")
    b = place_one(http, userRef="b")
    c = place_one(http, userRef="c")
    assert http.get("/orders").status_code == 400
    got = http.get(
        "/orders",
        params={
            "orderIds": f"{a['orderId']}",
            "userRef": "b",
            "requestUuids": c["requestUuid"].upper(),
        },
    ).json()
    assert [o["orderId"] for o in got["orders"]] == [c["orderId"], b["orderId"], a["orderId"]]
    assert got["status"] == "success" and got["count"] == 3 and got["hasMore"] is False
    assert http.get("/orders", params={"orderIds": "x"}).status_code == 422


def test_cancel_orders(abp_sim: SimHandle, http: httpx.Client) -> None:
    waiting = place_one(http, orderPrice=5.0, userRef="w", expiresAt=None)
    assert waiting["orderStatus"] == "PENDING"
    filled = place_one(http, userRef="w")
    response = http.post("/cancel-orders", json={"userRef": "w"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "cancelled"
    assert [o["orderId"] for o in body["cancelledOrders"]] == [waiting["orderId"]]
    assert body["cancelledOrders"][0]["orderStatus"] == "CANCELLED"
    # a filled order is not cancellable; cancelling again is a no-op
    assert (
        http.post("/cancel-orders", json={"orderIds": [filled["orderId"]]}).json()[
            "cancelledOrders"
        ]
        == []
    )
    # a cancelled order stays cancelled even when a price appears
    abp_sim.move_price(QS_FIXTURE, 103, "pinnacle", price=5.5)
    assert wait_status(http, waiting["orderId"], "CANCELLED")["bets"] == []
    assert http.post("/cancel-orders", json={}).status_code == 400
    assert http.post("/cancel-orders", json={"orderIds": ["x"]}).status_code == 422


def test_cancel_keeps_fills_and_ends_partially_filled(
    abp_sim: SimHandle, http: httpx.Client
) -> None:
    o = place_one(
        http,
        fixtureId=EPL_FIXTURE,
        outcomeId=102,
        orderPrice=3.0,
        orderStake=100,
        bookmakers="pinnacle",
    )
    assert o["orderStatus"] == "PARTIALLY_FILLED" and o["filledStake"] == 50.0
    body = http.post("/cancel-orders", json={"requestUuids": [o["requestUuid"]]}).json()
    assert body["cancelledOrders"][0]["orderStatus"] == "PARTIALLY_FILLED"
    assert body["cancelledOrders"][0]["bets"][0]["betStatus"] == "CONFIRMED"


def test_unknown_fixture_is_declined_bookmaker_not_available(http: httpx.Client) -> None:
    body = place(http, order(fixtureId="id-nothing")).json()
    assert body["status"] == "declined"
    assert body["declinedOrders"][0]["declineReason"].startswith("Bookmaker not available")


def test_order_uuid_is_normalised(http: httpx.Client) -> None:
    raw = str(uuid.uuid4()).upper()
    o = place_one(http, requestUuid=raw)
    assert o["requestUuid"] == raw.lower()


def test_internal_fault_before_anything_is_kept_does_not_burn_the_request_uuid(
    abp_sim: SimHandle, http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 500 from inside placement must not leave the requestUuid blocking the retry.

    Otherwise the client's retry is skipped as a duplicate and the order is lost for good.
    """
    placement = abp_sim.sim.placement
    real_pass = placement._pass
    calls = {"n": 0}

    def fail_once(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("simulated internal fault")
        return real_pass(*args, **kwargs)

    monkeypatch.setattr(placement, "_pass", fail_once)
    body = order()
    # the server answers 500 or drops the connection: either way the outcome is unclear
    with contextlib.suppress(httpx.TransportError):
        assert place(http, body).status_code == 500
    assert calls["n"] == 1
    # After a dropped connection a client reconnects: a fresh pool, the same requestUuid.
    with httpx.Client(base_url=abp_sim.base_url, headers=abp_sim.headers, timeout=10) as again:
        retry = place(again, body)
        assert retry.status_code == 200, retry.text
        accepted = retry.json()["acceptedOrders"]
        assert [o["requestUuid"] for o in accepted] == [body["requestUuid"]]
        listed = again.get("/orders", params={"requestUuids": body["requestUuid"]})
        assert len(listed.json()["orders"]) == 1
        assert place(again, body).status_code == 409  # now it really exists: a duplicate


def test_a_settled_fixture_takes_no_more_bets(abp_sim: SimHandle, http: httpx.Client) -> None:
    """Once a fixture is settled its markets are closed: the betslip shows the quotes
    inactive and a new order is declined (ABP's "Invalid odds" category), never filled on a
    result that is already known."""
    abp_sim.settle(QS_FIXTURE, {"103": "WON"}, default="LOST")
    slip = http.get(
        "/betslip", params={"fixtureId": QS_FIXTURE, "outcomeId": 103, "playerId": 0}
    ).json()
    quotes = [q for markets in slip["odds"].values() for q in markets.values()]
    assert quotes and not any(q["active"] for q in quotes)
    response = place(http, order())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "declined" and body["acceptedOrders"] == []
    assert body["declinedOrders"][0]["declineReason"].startswith("Price not available")
