"""Keyset pagination of /orders and /bets over hundreds of rows."""

from __future__ import annotations

import httpx

from tests.sim_abp.conftest import order, place


def _fill(http: httpx.Client, n: int) -> None:
    for start in range(0, n, 100):
        batch = [
            order(orderStake=5, orderPrice=1.5, bookmakers="pinnacle", userRef="page")
            for _ in range(min(100, n - start))
        ]
        assert place(http, *batch).json()["status"] == "accepted"


def _walk(http: httpx.Client, path: str, key: str, cursor: str, items: str) -> list[int]:
    seen: list[int] = []
    params: dict[str, str | int] = {"userRef": "page", "limit": 40}
    pages = 0
    while True:
        body = http.get(path, params=params).json()
        ids = [row[key] for row in body[items]]
        assert body["count"] == len(ids) and len(ids) <= 40
        seen += ids
        pages += 1
        if not body["hasMore"]:
            assert body["nextCursor"] is None
            break
        assert body["nextCursor"] == ids[-1]
        params[cursor] = body["nextCursor"]
        assert pages < 50
    return seen


def test_orders_and_bets_page_through_every_row_once(http: httpx.Client) -> None:
    _fill(http, 250)
    order_ids = _walk(http, "/orders", "orderId", "afterOrderId", "orders")
    assert len(order_ids) == 250 and len(set(order_ids)) == 250
    assert order_ids == sorted(order_ids, reverse=True)  # orderId descending
    bet_ids = _walk(http, "/bets", "betId", "afterBetId", "bets")
    assert len(bet_ids) == 250 and bet_ids == sorted(set(bet_ids), reverse=True)
    # the default page size is 100; limit is bounded
    body = http.get("/orders", params={"userRef": "page"}).json()
    assert body["count"] == 100 and body["hasMore"] is True
    assert http.get("/orders", params={"userRef": "page", "limit": 0}).status_code == 422
    assert http.get("/bets", params={"userRef": "page", "limit": 5000}).status_code == 422
