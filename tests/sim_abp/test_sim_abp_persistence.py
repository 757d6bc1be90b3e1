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


def test_request_uuids_keep_what_is_left_of_their_window(tmp_path: Path) -> None:
    """Seen 20 minutes before a restart: a duplicate for 10 more minutes, not 30."""
    db = str(tmp_path / "abp.sqlite")
    with start_abp_sim(fast_config(db_path=db)) as sim:
        http = httpx.Client(base_url=sim.base_url, headers=sim.headers)
        first = order(bookmakers="pinnacle")
        place_one(http, **first)
        # Declined by the engine (kept as a REJECTED order): its uuid counts all the same.
        absurd = order(orderPrice=1e300)
        assert place(http, absurd).json()["status"] == "declined"
        sim.advance(20 * 60)
        http.close()
    with start_abp_sim(fast_config(db_path=db)) as sim:
        http = httpx.Client(base_url=sim.base_url, headers=sim.headers)
        assert place(http, first).status_code == 409
        assert place(http, absurd).status_code == 409
        sim.advance(9 * 60)
        assert place(http, first).status_code == 409  # 29 minutes after it was first seen
        sim.advance(61)
        again = place(http, first)
        assert again.status_code == 200 and again.json()["status"] == "accepted"
        assert place(http, absurd).json()["status"] == "declined"  # a fresh attempt
        http.close()
    # The second sighting starts a new window, kept across the next restart too.
    with start_abp_sim(fast_config(db_path=db)) as sim:
        http = httpx.Client(base_url=sim.base_url, headers=sim.headers)
        assert place(http, first).status_code == 409
        sim.advance(30 * 60)
        assert place(http, first).status_code == 200
        http.close()


def test_late_confirmation_after_a_restart_is_settled(tmp_path: Path) -> None:
    """A bet pending when its fixture settles and the simulator stops is settled on the kept
    result once the restarted simulator confirms it."""
    db = str(tmp_path / "abp.sqlite")
    with start_abp_sim(fast_config(db_path=db)) as sim:
        http = httpx.Client(base_url=sim.base_url, headers=sim.headers)
        sim.bookmaker("pinnacle", betDelay=60)
        bet_id = place_one(http, bookmakers="pinnacle")["bets"][0]["betId"]
        assert sim.settle("id1000004461512432", {"103": "LOST"})["awaitingConfirmation"] == [bet_id]
        http.close()
    with start_abp_sim(fast_config(db_path=db)) as sim:  # betDelay back to the scenario's 0
        http = httpx.Client(base_url=sim.base_url, headers=sim.headers)
        from tests.sim_abp.conftest import wait_for

        bet = wait_for(
            lambda: (
                (b := http.get(f"/bets/{bet_id}").json())["settlementStatus"] != "UNSETTLED" and b
            )
        )
        assert (bet["betStatus"], bet["settlementStatus"], bet["settlementAmount"]) == (
            "CONFIRMED",
            "LOST",
            0.0,
        )
        http.close()
