"""Positions and PnL converted per bet: equal to ABP's sums for one currency, correct (and
different) for mixed currencies."""

from __future__ import annotations

import functools
import math
from typing import Any

import anyio
import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.abp.conftest import sim_client
from tests.abp.test_abp_models import quickstart_betslip
from wagerkit import Fx, minor_to_str, to_minor
from wagerkit.abp import OrderRequest
from wagerkit.abp.analytics import fx_from_bets, pnl, positions
from wagerkit.abp.models import Bet, BetStatus, CurrencyInfo, SettlementStatus, decode_betslip
from wagerkit.abp.preview import book_from_betslip
from wagerkit.errors import InvalidInput, MissingRate, ProtocolError
from wagerkit.sim.abp.lifecycle import liability
from wagerkit.sim.abp.testing import SimHandle

FIX = "id1000004461512432"
EUR = CurrencyInfo("EUR", 0.84788876, "2026-02-07T17:29:32+00:00")


def bet(bid: int, stake: float, ccy: str, price: float = 2.0, **kw: object) -> Bet:
    info = EUR if ccy == "EUR" else CurrencyInfo("USD", 1.0)
    args = {
        "bet_id": bid,
        "bet_status": BetStatus.CONFIRMED,
        "bookmaker": "b",
        "placed_stake": stake,
        "placed_currency": ccy,
        "placed_price": price,
        "currency_info": info,
        "user_ref": "r",
    }
    args.update(kw)
    return Bet(**args)  # type: ignore[arg-type]


def test_mixed_currencies_are_converted_before_adding() -> None:
    bets = [bet(1, 100.0, "USD"), bet(2, 84.79, "EUR")]
    fx = fx_from_bets(bets)
    report = positions(bets, fx, group_by="userRef")
    # 84.79 EUR at 0.84788876 per USD is 100.00 USD (half-even), not "184.79"
    assert report.total_stake == to_minor("200.00", "USD")
    assert report.groups[0].open_bets == 2 and report.groups[0].avg_price == 2.0


def test_pnl_profit_is_payout_minus_risk_for_back_and_lay() -> None:
    bets = [
        bet(1, 10.0, "USD", 2.5, settlement_status=SettlementStatus.WON, settlement_amount=25.0),
        bet(2, 10.0, "USD", 3.0, settlement_status=SettlementStatus.LOST, settlement_amount=0.0),
        bet(
            3,
            10.0,
            "USD",
            3.0,
            back=False,
            settlement_status=SettlementStatus.WON,
            settlement_amount=30.0,
        ),
        bet(4, 10.0, "USD", settlement_status=SettlementStatus.PUSH, settlement_amount=10.0),
        bet(5, 10.0, "USD"),  # unsettled: not in PnL
    ]
    report = pnl(bets, Fx())
    (g,) = report.groups
    assert (g.settled_bets, g.wins, g.losses, g.pushes) == (4, 2, 1, 1)
    # +15 (back win) -10 (back loss) +10 (lay win: 30 back on a 20 liability) +0 (push)
    assert g.net_pnl == to_minor("15.00", "USD") and g.win_rate == 50.0


def test_an_unknown_rate_is_refused_not_guessed() -> None:
    with pytest.raises(MissingRate):
        positions([bet(1, 5.0, "GBP", currency_info=None)], Fx())


@pytest.mark.anyio
async def test_against_the_simulator_single_currency_agrees_mixed_differs(
    abp_sim: SimHandle,
) -> None:
    async with sim_client(abp_sim) as c:
        await c.place_orders(
            [
                OrderRequest.create(FIX, 103, 10.0, 1.95, user_ref="mix"),  # sharpbet, EUR
                OrderRequest.create(FIX, 103, 20.0, 1.95, user_ref="mix", bookmakers=["pinnacle"]),
            ]
        )
        await anyio.to_thread.run_sync(
            functools.partial(abp_sim.settle, FIX, {"103": "WON"}, "LOST")
        )
        bets = [b async for b in c.iter_bets(user_ref="mix")]
        assert {b.placed_currency for b in bets} == {"EUR", "USD"}
        fx = fx_from_bets(bets)
        for group_by in ("bookmaker", "userRef"):
            abp = await c.pnl(group_by, user_ref="mix")
            mine = pnl(bets, fx, "USD", group_by)
            assert abp.total_settled_bets == mine.total_settled_bets == 2
        by_book = {g.key: g for g in pnl(bets, fx, "USD", "bookmaker").groups}
        abp_rows = {r.bookmaker: r for r in (await c.pnl("bookmaker", user_ref="mix")).pnl}
        # one currency per bookmaker: pinnacle (USD) agrees to the cent
        assert by_book["pinnacle"].net_pnl == to_minor(abp_rows["pinnacle"].net_pnl, "USD")
        # mixed: ABP adds EUR to USD; per-bet USD conversion is larger than the raw sum here
        abp_total = (await c.pnl("userRef", user_ref="mix")).total_net_pnl
        mine_total = pnl(bets, fx, "USD", "userRef").total_net_pnl
        assert mine_total != to_minor(abp_total, "USD")


# --------------------------------------------------------------------------------------------
# venue data problems are ProtocolError; bad arguments are InvalidInput; money stays exact


@pytest.mark.parametrize(
    "kw",
    [
        {"placed_currency": "XYZ", "currency_info": None},
        {"placed_stake": math.inf},
        {"placed_stake": 1e300},
    ],
    ids=["unknown placedCurrency", "infinite stake", "stake beyond exact range"],
)
def test_bets_abp_sent_that_are_not_money_are_protocol_errors(kw: dict[str, Any]) -> None:
    bad = bet(7, 5.0, "USD", **kw)
    with pytest.raises(ProtocolError, match="bet 7"):
        positions([bet(1, 5.0, "USD"), bad], Fx())
    settled = bet(7, 5.0, "USD", settlement_status=SettlementStatus.WON, settlement_amount=9.0)
    with pytest.raises(ProtocolError):
        pnl([msgspec.structs.replace(settled, **kw)], Fx())


def test_an_unusable_rate_from_abp_is_a_protocol_error_and_leaves_fx_alone() -> None:
    fx = Fx()
    good = bet(1, 5.0, "EUR")
    zero = bet(2, 5.0, "GBP", currency_info=CurrencyInfo("GBP", 0.0))
    with pytest.raises(ProtocolError, match="bet 2"):
        fx_from_bets([good, zero], fx)
    assert fx.currencies() == ["USD"]


def test_bad_arguments_are_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        positions([bet(1, 5.0, "USD")], Fx(), currency="DOLLARS")
    with pytest.raises(InvalidInput):
        pnl([], Fx(), group_by="sport")  # type: ignore[arg-type]


def test_a_refused_betslip_is_a_protocol_error_and_leaves_fx_alone() -> None:
    data = msgspec.json.decode(quickstart_betslip())
    first = next(iter(data["odds"].values()))
    next(iter(first.values()))["price"] = 0.5
    slip = decode_betslip(msgspec.json.encode(data))
    fx = Fx()
    with pytest.raises(ProtocolError):
        book_from_betslip(slip, fx)
    assert fx.currencies() == ["USD"]
    assert book_from_betslip(decode_betslip(quickstart_betslip()), fx)
    assert "EUR" in fx.currencies()


@settings(max_examples=300, deadline=None)
@given(
    stake=st.integers(min_value=1, max_value=10**13),
    price=st.decimals(min_value="1.000001", max_value="1000", places=6),
    currency=st.sampled_from(["USD", "JPY", "KWD"]),
)
def test_a_lay_risks_exactly_the_simulators_liability(
    stake: int, price: Any, currency: str
) -> None:
    """A lost lay (payout 0) loses exactly its liability stake × (price − 1), rounded up once
    in minor units, as the simulator computes it: no float in between."""
    placed_price = float(price)
    lost = Bet(
        bet_id=1,
        bet_status=BetStatus.CONFIRMED,
        placed_stake=float(minor_to_str(stake, currency)),
        placed_currency=currency,
        placed_price=placed_price,
        back=False,
        settlement_status=SettlementStatus.LOST,
        settlement_amount=0.0,
        currency_info=None,
    )
    fx = Fx()
    fx.set_rate("JPY", "150")
    fx.set_rate("KWD", "0.3")
    (group,) = pnl([lost], fx, currency).groups
    assert group.net_pnl == -liability(stake, placed_price)
