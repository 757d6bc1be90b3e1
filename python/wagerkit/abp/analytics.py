"""Positions and PnL that are right across currencies.

ABP's /positions and /pnl add raw amounts: 100 EUR and 100 USD make "200" with no currency
(its own docs warn about it). Here the same figures are computed from the bets themselves, each
bet converted into one currency (USD by default) with the engine's exact :class:`~wagerkit.Fx`
before anything is added. Grouping, filters and counting follow ABP's definitions, so for a
single-currency group the two agree exactly:

- a position is a bet with betStatus PLACED or CONFIRMED and settlementStatus UNSETTLED;
- PnL counts bets with settlementStatus other than UNSETTLED; a bet's profit is
  ``settlementAmount`` (what the bookmaker paid back) minus what was risked (the stake, or a
  lay's liability ``stake × (price − 1)``); wins = WON + HALF_WON, losses = LOST + HALF_LOST;
- test bets are left out.

All amounts in the reports are integers in minor units of :attr:`PositionsReport.currency`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from wagerkit._core import Fx, to_minor
from wagerkit.abp.models import Bet, SettlementStatus

__all__ = [
    "PnlGroup",
    "PnlReport",
    "PositionGroup",
    "PositionsReport",
    "fx_from_bets",
    "pnl",
    "positions",
]

GroupBy = Literal["bookmaker", "account", "userRef"]

_KEY: dict[str, Callable[[Bet], str]] = {
    "bookmaker": lambda b: b.bookmaker or "?",
    "account": lambda b: b.account or "?",
    "userRef": lambda b: b.user_ref or "?",
}


@dataclass(frozen=True, slots=True)
class PositionGroup:
    key: str
    open_bets: int
    total_stake: int
    avg_price: float | None


@dataclass(frozen=True, slots=True)
class PositionsReport:
    currency: str
    group_by: str
    groups: list[PositionGroup]
    total_stake: int
    total_open_bets: int


@dataclass(frozen=True, slots=True)
class PnlGroup:
    key: str
    settled_bets: int
    wins: int
    losses: int
    voids: int
    pushes: int
    total_staked: int
    total_won: int
    total_lost: int
    net_pnl: int

    @property
    def win_rate(self) -> float:
        """Percent, one decimal, as ABP reports it."""
        return round(self.wins * 100 / self.settled_bets, 1) if self.settled_bets else 0.0


@dataclass(frozen=True, slots=True)
class PnlReport:
    currency: str
    group_by: str
    groups: list[PnlGroup]
    total_net_pnl: int
    total_staked: int
    total_settled_bets: int


def fx_from_bets(bets: Iterable[Bet], fx: Fx | None = None) -> Fx:
    """An Fx holding every bet's ``currencyInfo`` rate (rates already in ``fx`` are kept)."""
    out = fx if fx is not None else Fx()
    for bet in bets:
        info = bet.currency_info
        if info is not None and info.currency != "USD" and info.currency not in out:
            out.set_rate(info.currency, info.currency_value, info.updated_at)
    return out


def _convert(amount: float, currency: str, target: str, fx: Fx) -> int:
    return fx.convert(to_minor(amount, currency), currency, target, "half_even")


def _risk(bet: Bet) -> float:
    stake = bet.placed_stake or 0.0
    if bet.back is False and bet.placed_price is not None:
        return float(Decimal(repr(stake)) * (Decimal(repr(bet.placed_price)) - 1))
    return stake


def positions(
    bets: Iterable[Bet], fx: Fx, currency: str = "USD", group_by: GroupBy = "bookmaker"
) -> PositionsReport:
    """Open positions with every stake converted to ``currency`` before summing.

    Raises :class:`~wagerkit.errors.MissingRate` when a bet's currency has no rate: a total is
    never built from a guess.
    """
    groups: dict[str, list[tuple[int, float | None]]] = {}
    key = _KEY[group_by]
    for bet in bets:
        if bet.test_bet or not bet.bet_status.open:
            continue
        if bet.settlement_status is not SettlementStatus.UNSETTLED:
            continue
        ccy = bet.placed_currency or "USD"
        stake = _convert(bet.placed_stake or 0.0, ccy, currency, fx)
        groups.setdefault(key(bet), []).append((stake, bet.placed_price))
    rows = []
    for name in sorted(groups):
        items = groups[name]
        total = sum(s for s, _ in items)
        weighted = sum(Decimal(s) * Decimal(repr(p)) for s, p in items if p is not None)
        avg = round(float(weighted / total), 4) if total else None
        rows.append(PositionGroup(name, len(items), total, avg))
    return PositionsReport(
        currency,
        group_by,
        rows,
        sum(r.total_stake for r in rows),
        sum(r.open_bets for r in rows),
    )


def pnl(
    bets: Iterable[Bet], fx: Fx, currency: str = "USD", group_by: GroupBy = "bookmaker"
) -> PnlReport:
    """Settled-bet PnL with every amount converted to ``currency`` before summing."""
    acc: dict[str, list[int]] = {}
    key = _KEY[group_by]
    for bet in bets:
        status = bet.settlement_status
        if bet.test_bet or status is SettlementStatus.UNSETTLED or bet.settlement_amount is None:
            continue
        ccy = bet.placed_currency or "USD"
        staked = _convert(bet.placed_stake or 0.0, ccy, currency, fx)
        paid = _convert(bet.settlement_amount, ccy, currency, fx)
        risk = _convert(_risk(bet), ccy, currency, fx)
        profit = paid - risk
        row = acc.setdefault(key(bet), [0] * 8)
        row[0] += 1
        row[1] += status in (SettlementStatus.WON, SettlementStatus.HALF_WON)
        row[2] += status in (SettlementStatus.LOST, SettlementStatus.HALF_LOST)
        row[3] += status is SettlementStatus.VOID
        row[4] += status is SettlementStatus.PUSH
        row[5] += staked
        row[6] += max(profit, 0)
        row[7] += max(-profit, 0)
    groups = []
    for name in sorted(acc):
        n, wins, losses, voids, pushes, staked, won, lost = acc[name]
        groups.append(PnlGroup(name, n, wins, losses, voids, pushes, staked, won, lost, won - lost))
    return PnlReport(
        currency,
        group_by,
        groups,
        sum(g.net_pnl for g in groups),
        sum(g.total_staked for g in groups),
        sum(g.settled_bets for g in groups),
    )
