"""Multi-currency fills, bet lifecycle, bookmaker behaviour, settlement, positions and PnL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sim_abp.conftest import (
    EPL_FIXTURE,
    QS_FIXTURE,
    get_order,
    order,
    place,
    place_one,
    wait_for,
    wait_status,
)
from wagerkit.sim.abp.testing import SimHandle


def _balance(http: httpx.Client, bookmaker: str, username: str) -> float:
    value: float = http.get(f"/accounts/{bookmaker}/{username}").json()["balance"]
    return value


def test_usd_order_on_eur_account_bets_in_eur(http: httpx.Client) -> None:
    """The quickstart order: sharpbet's 2.0 beats pinnacle's 1.98; 10 USD = 8.47 EUR (down)."""
    o = place_one(http)
    bet = o["bets"][0]
    assert (bet["bookmaker"], bet["placedCurrency"], bet["placedStake"]) == (
        "sharpbet",
        "EUR",
        8.47,
    )
    assert bet["currencyInfo"]["currency"] == "EUR"
    assert o["orderCurrency"] == "USD" and o["currencyInfo"]["currency"] == "USD"
    # 8.47 EUR back in USD is 9.99; the 0.01 left cannot be staked in EUR (dust) → FILLED
    assert (o["filledStake"], o["remainingStake"], o["orderStatus"]) == (9.99, 0.01, "FILLED")
    assert _balance(http, "sharpbet", "sharpbet_user") == 10000 - 8.47


def test_multi_currency_worked_example(abp_sim: SimHandle, http: httpx.Client) -> None:
    """The multi-currency page: 100 USD on an EUR account at 0.92 → 92 EUR, filled 100 USD."""
    abp_sim.set_rates({"EUR": 0.92})
    o = place_one(http, orderStake=100, orderPrice=1.99, bookmakers="sharpbet")
    bet = o["bets"][0]
    assert (bet["placedStake"], bet["placedCurrency"]) == (92.0, "EUR")
    assert bet["currencyInfo"]["currencyValue"] == 0.92
    assert (o["filledStake"], o["remainingStake"], o["orderStatus"]) == (100.0, 0.0, "FILLED")


def test_eur_order_on_usd_account(http: httpx.Client) -> None:
    o = place_one(http, orderStake=84.79, orderCurrency="EUR", bookmakers="pinnacle")
    bet = o["bets"][0]
    # 84.79 EUR / 0.84788876 = 100.0001 → 100.00 USD (rounded down); back: 84.79 EUR
    assert (bet["placedStake"], bet["placedCurrency"]) == (100.0, "USD")
    assert (o["orderStake"], o["filledStake"], o["orderCurrency"]) == (84.79, 84.79, "EUR")
    assert o["orderStatus"] == "FILLED" and o["currencyInfo"]["currency"] == "EUR"
    assert _balance(http, "pinnacle", "pinnacle_main") == 50000 - 100


def test_missing_rate_declines_currency_conversion(http: httpx.Client) -> None:
    http.post(
        "/accounts",
        json={
            "bookmaker": "vertex",
            "username": "chf_acc",
            "password": "p",
            "currencyId": "CHF",
            "balance": 1000,
            "priority": 99,
        },
    )
    http.patch("/accounts/vertex/vertex_uk", json={"active": False})
    body = place(
        http, order(fixtureId=QS_FIXTURE, outcomeId=101, orderPrice=1.5, bookmakers="vertex")
    ).json()
    assert body["status"] == "declined"
    assert "CHF" in body["declinedOrders"][0]["declineReason"]
    assert http.get("/accounts/vertex/chf_acc").json()["currencyInfo"] is None


def test_no_active_accounts_decline(http: httpx.Client) -> None:
    http.patch("/accounts/pinnacle/pinnacle_main", json={"active": False})
    body = place(http, order(bookmakers="pinnacle")).json()
    assert body["declinedOrders"][0]["declineReason"].startswith("No active accounts")


def test_suspended_market_declines_invalid_odds(abp_sim: SimHandle, http: httpx.Client) -> None:
    abp_sim.move_price(QS_FIXTURE, 103, "pinnacle", active=False)
    abp_sim.move_price(QS_FIXTURE, 103, "sharpbet", active=False)
    body = place(http, order()).json()
    assert body["declinedOrders"][0]["declineReason"] == "Price not available: market suspended"


def test_lay_order_on_the_exchange(http: httpx.Client) -> None:
    """Lay 100 EUR at most 1.80 on betfair_ex: the lay quote is 1.76, liability 76 EUR."""
    o = place_one(
        http,
        fixtureId=QS_FIXTURE,
        outcomeId=101,
        back=False,
        orderPrice=1.80,
        orderStake=100,
        orderCurrency="EUR",
        bookmakers="betfair_ex",
    )
    bet = o["bets"][0]
    assert (bet["placedPrice"], bet["placedStake"], bet["back"]) == (1.76, 100.0, False)
    assert _balance(http, "betfair_ex", "betfair_main") == 20000 - 76


def test_bookmaker_delay_walks_pending_placed_confirmed(
    abp_sim: SimHandle, http: httpx.Client
) -> None:
    abp_sim.bookmaker("pinnacle", betDelay=0.05)
    o = place_one(http, bookmakers="pinnacle")
    assert o["bets"][0]["betStatus"] == "PENDING" and o["orderStatus"] == "FILLED"
    bet_id = o["bets"][0]["betId"]
    bet = wait_for(
        lambda: (b := http.get(f"/bets/{bet_id}").json())["betStatus"] == "CONFIRMED" and b
    )
    assert bet["bookmakerBetId"] and bet["receivedData"]["status"] == "accepted"


def test_bookmaker_rejection_refunds_and_reopens(abp_sim: SimHandle, http: httpx.Client) -> None:
    abp_sim.bookmaker("pinnacle", betDelay=0.3, rejectRate=1.0)
    before = _balance(http, "pinnacle", "pinnacle_main")
    o = place_one(http, bookmakers="pinnacle", orderStake=20, expiresAt=None)
    assert o["bets"][0]["betStatus"] == "PENDING"
    assert _balance(http, "pinnacle", "pinnacle_main") == before - 20
    bet_id = o["bets"][0]["betId"]
    rejected = wait_for(
        lambda: (b := http.get(f"/bets/{bet_id}").json())["betStatus"] == "REJECTED" and b
    )
    assert rejected["declineReason"] == "Bet rejected by bookmaker"
    # the order works again; once the bookmaker accepts, it fills with a new bet
    abp_sim.bookmaker("pinnacle", rejectRate=0.0)
    done = wait_for(
        lambda: (
            (x := get_order(http, o["orderId"]))["orderStatus"] == "FILLED"
            and any(b["betStatus"] == "CONFIRMED" for b in x["bets"])
            and x
        )
    )
    assert done["filledStake"] == 20.0
    assert _balance(http, "pinnacle", "pinnacle_main") == before - 20


def test_repeated_rejections_open_the_circuit(abp_sim: SimHandle, http: httpx.Client) -> None:
    abp_sim.bookmaker("pinnacle", rejectRate=1.0)
    o = place_one(http, bookmakers="pinnacle", orderStake=20)
    wait_for(
        lambda: (
            httpx.get(abp_sim.base_url + "/status").json()["bookmakers"]["pinnacle"]
            == {"circuit": "open"}
        )
    )
    rejected = get_order(http, o["orderId"])["bets"]
    assert len(rejected) == 5 and {b["betStatus"] for b in rejected} == {"REJECTED"}
    body = place(http, order(bookmakers="pinnacle")).json()
    assert body["declinedOrders"][0]["declineReason"].startswith("Bookmaker not available")
    abp_sim.advance(31)  # the breaker half-opens after its cooldown
    assert httpx.get(abp_sim.base_url + "/status").json()["bookmakers"]["pinnacle"] == {
        "circuit": "closed"
    }


def test_forced_circuit_open(abp_sim: SimHandle, http: httpx.Client) -> None:
    abp_sim.bookmaker("sharpbet", circuitOpen=True)
    body = place(http, order(bookmakers="sharpbet")).json()
    assert body["declinedOrders"][0]["declineReason"] == (
        "Bookmaker not available: circuit open for sharpbet"
    )
    # routing without a filter skips the open bookmaker
    assert place_one(http)["bets"][0]["bookmaker"] == "pinnacle"
    abp_sim.bookmaker("sharpbet", circuitOpen=False)
    assert place_one(http)["bets"][0]["bookmaker"] == "sharpbet"


@pytest.mark.parametrize(
    ("result", "status", "amount", "net"),
    [
        ("WON", "WON", 19.8, 9.8),
        ("LOST", "LOST", 0.0, -10.0),
        ("VOID", "VOID", 10.0, 0.0),
        ("PUSH", "PUSH", 10.0, 0.0),
        ("HALF_WON", "HALF_WON", 14.9, 4.9),
        ("HALF_LOST", "HALF_LOST", 5.0, -5.0),
    ],
)
def test_settlement_amounts(
    abp_sim: SimHandle, http: httpx.Client, result: str, status: str, amount: float, net: float
) -> None:
    o = place_one(http, bookmakers="pinnacle", orderStake=10)  # 10 USD @ 1.98
    before = _balance(http, "pinnacle", "pinnacle_main")
    settled = abp_sim.settle(QS_FIXTURE, {"103": result})
    assert settled["settledBets"] == [o["bets"][0]["betId"]]
    bet = http.get(f"/bets/{o['bets'][0]['betId']}").json()
    assert (bet["settlementStatus"], bet["settlementAmount"]) == (status, amount)
    assert _balance(http, "pinnacle", "pinnacle_main") == pytest.approx(before + amount)
    pnl = http.get("/pnl").json()
    assert pnl["pnl"][0]["netPnl"] == net and pnl["totalSettledBets"] == 1
    assert http.get("/positions").json()["positions"] == []


def test_lay_bet_settles_as_the_mirror(abp_sim: SimHandle, http: httpx.Client) -> None:
    o = place_one(
        http,
        fixtureId=QS_FIXTURE,
        outcomeId=101,
        back=False,
        orderPrice=1.80,
        orderStake=100,
        orderCurrency="EUR",
        bookmakers="betfair_ex",
    )
    abp_sim.settle(QS_FIXTURE, {"101": "LOST"})
    bet = http.get(f"/bets/{o['bets'][0]['betId']}").json()
    # the selection lost → the lay won: liability 76 back plus the backer's 100
    assert (bet["settlementStatus"], bet["settlementAmount"]) == ("WON", 176.0)


def test_positions_and_pnl_sum_raw_amounts_across_currencies(
    abp_sim: SimHandle, http: httpx.Client
) -> None:
    place_one(http, userRef="s1")  # 8.47 EUR @ 2.0 at sharpbet
    place_one(http, userRef="s1", bookmakers="pinnacle", orderStake=20)  # 20 USD @ 1.98
    place_one(http, userRef="s2", bookmakers="pinnacle", orderStake=30)  # 30 USD @ 1.98
    by_bm = http.get("/positions").json()
    assert by_bm["groupBy"] == "bookmaker"
    rows = {r["bookmaker"]: r for r in by_bm["positions"]}
    assert rows["pinnacle"] == {
        "bookmaker": "pinnacle",
        "openBets": 2,
        "totalStake": 50.0,
        "avgPrice": 1.98,
    }
    assert rows["sharpbet"]["totalStake"] == 8.47
    # the documented caveat: totals add EUR to USD without conversion
    assert by_bm["totalStake"] == 58.47 and by_bm["totalOpenBets"] == 3 and by_bm["count"] == 2
    by_ref = http.get("/positions", params={"groupBy": "userRef"}).json()
    assert {r["userRef"]: r["totalStake"] for r in by_ref["positions"]} == {"s1": 28.47, "s2": 30.0}
    by_acc = http.get("/positions", params={"groupBy": "account", "bookmaker": "pinnacle"}).json()
    assert [r["account"] for r in by_acc["positions"]] == ["pinnacle_main"]
    assert http.get("/positions", params={"groupBy": "fixture"}).status_code == 422

    abp_sim.settle(QS_FIXTURE, {"103": "WON"})
    pnl = http.get("/pnl", params={"groupBy": "userRef"}).json()
    s1 = next(r for r in pnl["pnl"] if r["userRef"] == "s1")
    # 8.47 EUR won at 2.0 (+8.47) and 20 USD won at 1.98 (+19.60): summed raw, 28.07
    assert (s1["settledBets"], s1["wins"], s1["losses"], s1["winRate"]) == (2, 2, 0, 100.0)
    assert s1["netPnl"] == 28.07 and s1["totalStaked"] == 28.47 and s1["totalWon"] == 28.07
    assert pnl["totalSettledBets"] == 3 and pnl["totalStaked"] == 58.47
    assert http.get("/positions").json()["totalOpenBets"] == 0


def test_win_rate_is_a_rounded_percentage(abp_sim: SimHandle, http: httpx.Client) -> None:
    for _ in range(2):
        place_one(http, bookmakers="pinnacle", orderStake=10)
    place_one(
        http,
        bookmakers="pinnacle",
        orderStake=10,
        fixtureId=EPL_FIXTURE,
        outcomeId=103,
        orderPrice=3.0,
    )
    abp_sim.settle(QS_FIXTURE, {"103": "WON"})
    abp_sim.settle(EPL_FIXTURE, {}, default="LOST")
    row = http.get("/pnl").json()["pnl"][0]
    assert (row["wins"], row["losses"], row["winRate"]) == (2, 1, 66.7)
    assert row["totalLost"] == 10.0


def test_settled_fixture_reports_finished(abp_sim: SimHandle, http: httpx.Client) -> None:
    o = place_one(http, bookmakers="pinnacle")
    abp_sim.settle(QS_FIXTURE, {}, default="VOID")
    again = get_order(http, o["orderId"])
    assert again["fixtureInfo"]["status"] == {
        "live": False,
        "statusId": 2,
        "statusName": "Finished",
    }
    wait_status(http, o["orderId"], "FILLED")


def test_bet_confirmed_after_settlement_is_settled_then(
    abp_sim: SimHandle, http: httpx.Client
) -> None:
    """A bet still PENDING when its fixture settles is paid the moment it is CONFIRMED."""
    abp_sim.bookmaker("pinnacle", betDelay=0.3)
    before = _balance(http, "pinnacle", "pinnacle_main")
    o = place_one(http, bookmakers="pinnacle", orderStake=10)  # 10 USD @ 1.98
    bet_id = o["bets"][0]["betId"]
    assert o["bets"][0]["betStatus"] == "PENDING"
    answer = abp_sim.settle(QS_FIXTURE, {"103": "WON"})
    assert (answer["settledBets"], answer["awaitingConfirmation"]) == ([], [bet_id])
    bet = http.get(f"/bets/{bet_id}").json()
    assert bet["betStatus"] in {"PENDING", "PLACED"} and bet["settlementStatus"] == "UNSETTLED"
    assert _balance(http, "pinnacle", "pinnacle_main") == before - 10
    settled = wait_for(
        lambda: (b := http.get(f"/bets/{bet_id}").json())["settlementStatus"] != "UNSETTLED" and b
    )
    assert (settled["betStatus"], settled["settlementStatus"]) == ("CONFIRMED", "WON")
    assert settled["settlementAmount"] == 19.8
    assert _balance(http, "pinnacle", "pinnacle_main") == pytest.approx(before - 10 + 19.8)
    assert http.get("/pnl").json()["totalSettledBets"] == 1


def test_bet_rejected_after_settlement_is_refunded_not_settled(
    abp_sim: SimHandle, http: httpx.Client
) -> None:
    abp_sim.bookmaker("pinnacle", betDelay=0.2, rejectRate=1.0)
    before = _balance(http, "pinnacle", "pinnacle_main")
    o = place_one(http, bookmakers="pinnacle", orderStake=10)
    bet_id = o["bets"][0]["betId"]
    abp_sim.settle(QS_FIXTURE, {"103": "WON"})
    bet = wait_for(
        lambda: (b := http.get(f"/bets/{bet_id}").json())["betStatus"] == "REJECTED" and b
    )
    assert (bet["settlementStatus"], bet["settlementAmount"]) == ("UNSETTLED", None)
    abp_sim.bookmaker("pinnacle", rejectRate=0.0, betDelay=0.0)
    http.post("/cancel-orders", json={"orderIds": [o["orderId"]]})
    # Whatever the order did meanwhile: once the bookmaker has answered every bet, each
    # confirmed bet is settled WON (here or at once if it came after the settlement), no other.

    def answered() -> list[dict[str, Any]] | None:
        bets: list[dict[str, Any]] = get_order(http, o["orderId"])["bets"]
        done = all(b["betStatus"] in {"CONFIRMED", "REJECTED"} for b in bets)
        return bets if done else None

    bets = wait_for(answered)
    assert all((b["betStatus"] == "CONFIRMED") == (b["settlementStatus"] == "WON") for b in bets)
    paid = sum(b["settlementAmount"] for b in bets if b["settlementStatus"] == "WON")
    staked = sum(b["placedStake"] for b in bets if b["betStatus"] == "CONFIRMED")
    assert _balance(http, "pinnacle", "pinnacle_main") == pytest.approx(before - staked + paid)
