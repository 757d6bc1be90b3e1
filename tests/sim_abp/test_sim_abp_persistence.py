"""``--db FILE``: accounts, orders, bets, rates and the idempotency window survive a restart."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.sim_abp.conftest import order, place, place_one
from wagerkit.sim.abp.testing import fast_config, start_abp_sim


def test_state_survives_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "abp.sqlite")
    with start_abp_sim(fast_config(db_path=db, api_key="key-1")) as sim:
        http = httpx.Client(base_url=sim.base_url, headers=sim.headers)
        first = order(bookmakers="pinnacle")
        placed = place_one(http, **first)
        http.post(
            "/accounts",
            json={
                "bookmaker": "vertex",
                "username": "new",
                "password": "p",
                "currencyId": "GBP",
                "balance": 42,
            },
        )
        sim.set_rates({"EUR": 0.9})
        sim.move_price("id1000004461512432", 103, "pinnacle", price=2.2)
        waiting = place_one(http, orderPrice=9.0, expiresAt=None)
        http.close()
    with start_abp_sim(fast_config(db_path=db, api_key="key-2")) as sim:
        http = httpx.Client(base_url=sim.base_url, headers=sim.headers)
        found = http.get("/orders", params={"requestUuids": first["requestUuid"]}).json()["orders"]
        assert found[0]["orderId"] == placed["orderId"] and found[0]["orderStatus"] == "FILLED"
        assert found[0]["bets"][0]["betId"] == placed["bets"][0]["betId"]
        assert http.get("/accounts/vertex/new").json()["balance"] == 42.0
        assert http.get("/accounts/pinnacle/pinnacle_main").json()["balance"] == 50000 - 10
        assert place(http, first).status_code == 409  # still within 30 minutes
        slip = http.get(
            "/betslip", params={"fixtureId": "id1000004461512432", "outcomeId": 103, "playerId": 0}
        ).json()["odds"]
        assert slip["pinnacle"]["id1000004461512432:pinnacle:103:0"]["price"] == 2.2
        assert (
            slip["sharpbet"]["id1000004461512432:sharpbet:103:0"]["currencyInfo"]["currencyValue"]
            == 0.9
        )
        # new ids continue after the old ones; the waiting order was picked up again
        assert place_one(http)["orderId"] > waiting["orderId"]
        sim.advance(10)
        from tests.sim_abp.conftest import wait_status

        wait_status(http, waiting["orderId"], "EXPIRED")
        http.close()


def test_without_db_nothing_is_kept(tmp_path: Path) -> None:
    with start_abp_sim() as sim:
        http = httpx.Client(base_url=sim.base_url, headers=sim.headers)
        first = place_one(http)
        http.close()
    with start_abp_sim() as sim:
        http = httpx.Client(base_url=sim.base_url, headers=sim.headers)
        assert (
            http.get("/orders", params={"orderIds": str(first["orderId"])}).json()["orders"] == []
        )
        http.close()
    assert list(tmp_path.iterdir()) == []
