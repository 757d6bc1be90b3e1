"""GET /positions and GET /pnl, summed exactly as ABP documents, caveat included.

ABP sums raw amounts without converting currencies and returns no currency field: a group
inside one bookmaker (one currency) is meaningful, a group across currencies (groupBy=userRef,
or the top-level totals) adds EUR to USD. We reproduce that on purpose so clients can be
tested against it. Sums are exact (Decimal over each amount's decimal text) before the single
conversion to a JSON number.

- positions: bets with betStatus PLACED or CONFIRMED and settlementStatus UNSETTLED;
  ``avgPrice`` is stake-weighted (raw stakes), rounded to 4 decimals.
- pnl: bets with settlementStatus != UNSETTLED; profit = settlementAmount − risk (the stake,
  or a lay's liability); ``totalWon``/``totalLost`` sum the positive/negative profits;
  wins = WON + HALF_WON, losses = LOST + HALF_LOST; ``winRate`` = wins / settledBets in
  percent, one decimal (23 of 42 → 54.8, the quickstart's numbers).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from wagerkit._core import minor_to_str
from wagerkit.sim.abp import records as r
from wagerkit.sim.abp.records import Bet

if TYPE_CHECKING:
    from wagerkit.sim.abp.service import AbpSim

__all__ = ["GROUP_BY", "Analytics"]

GROUP_BY: Final = ("bookmaker", "account", "userRef")
_KEY: dict[str, Callable[[Bet], str]] = {
    "bookmaker": lambda b: b.bookmaker,
    "account": lambda b: b.account,
    "userRef": lambda b: b.user_ref,
}


def _amount(minor: int, currency: str) -> Decimal:
    return Decimal(minor_to_str(minor, currency))


def _num(value: Decimal) -> float:
    return float(value)


class Analytics:
    """Positions and PnL over one client's bets."""

    def __init__(self, sim: AbpSim) -> None:
        self.sim = sim

    def _bets(
        self, client: str, bookmaker: str | None, user_ref: str | None, account: str | None
    ) -> list[Bet]:
        store = self.sim.store
        out = []
        for bet_id in store.client_bet_ids(client):
            bet = store.bets[bet_id]
            if bet.test_bet:
                continue
            if bookmaker is not None and bet.bookmaker != bookmaker:
                continue
            if user_ref is not None and bet.user_ref != user_ref:
                continue
            if account is not None and bet.account != account:
                continue
            out.append(bet)
        return out

    def positions(
        self,
        client: str,
        group_by: str,
        *,
        bookmaker: str | None = None,
        user_ref: str | None = None,
        account: str | None = None,
    ) -> dict[str, Any]:
        groups: dict[str, list[Bet]] = {}
        for bet in self._bets(client, bookmaker, user_ref, account):
            if (
                bet.status in (r.BET_PLACED, r.BET_CONFIRMED)
                and bet.settlement_status == r.UNSETTLED
            ):
                groups.setdefault(_KEY[group_by](bet), []).append(bet)
        rows = []
        total = Decimal(0)
        count = 0
        for key in sorted(groups):
            bets = groups[key]
            stake = sum((_amount(b.stake, b.currency) for b in bets), Decimal(0))
            weighted = sum(
                (_amount(b.stake, b.currency) * Decimal(repr(b.price)) for b in bets), Decimal(0)
            )
            avg = round(float(weighted / stake), 4) if stake else 0.0
            rows.append(
                {group_by: key, "openBets": len(bets), "totalStake": _num(stake), "avgPrice": avg}
            )
            total += stake
            count += len(bets)
        return {
            "status": "success",
            "groupBy": group_by,
            "positions": rows,
            "count": len(rows),
            "totalStake": _num(total),
            "totalOpenBets": count,
        }

    def pnl(
        self,
        client: str,
        group_by: str,
        *,
        bookmaker: str | None = None,
        user_ref: str | None = None,
        account: str | None = None,
    ) -> dict[str, Any]:
        groups: dict[str, list[Bet]] = {}
        for bet in self._bets(client, bookmaker, user_ref, account):
            if bet.settlement_status != r.UNSETTLED and bet.settlement_amount is not None:
                groups.setdefault(_KEY[group_by](bet), []).append(bet)
        rows = []
        total_net = total_staked = Decimal(0)
        total_settled = 0
        for key in sorted(groups):
            bets = groups[key]
            staked = won = lost = Decimal(0)
            wins = losses = voids = pushes = 0
            for b in bets:
                staked += _amount(b.stake, b.currency)
                profit = _amount(b.settlement_amount or 0, b.currency) - _amount(b.risk, b.currency)
                if profit > 0:
                    won += profit
                else:
                    lost -= profit
                s = b.settlement_status
                wins += s in ("WON", "HALF_WON")
                losses += s in ("LOST", "HALF_LOST")
                voids += s == "VOID"
                pushes += s == "PUSH"
            rows.append(
                {
                    group_by: key,
                    "settledBets": len(bets),
                    "wins": wins,
                    "losses": losses,
                    "voids": voids,
                    "pushes": pushes,
                    "totalStaked": _num(staked),
                    "totalWon": _num(won),
                    "totalLost": _num(lost),
                    "netPnl": _num(won - lost),
                    "winRate": round(wins * 100 / len(bets), 1),
                }
            )
            total_net += won - lost
            total_staked += staked
            total_settled += len(bets)
        return {
            "status": "success",
            "groupBy": group_by,
            "pnl": rows,
            "count": len(rows),
            "totalNetPnl": _num(total_net),
            "totalStaked": _num(total_staked),
            "totalSettledBets": total_settled,
        }
