"""Positions and PnL that are right across currencies.

ABP's /positions and /pnl add raw amounts: 100 EUR and 100 USD make "200" with no currency
(its own docs warn about it). Here the same figures are computed from the bets themselves, each
bet converted into one currency (USD by default) with the engine's exact :class:`~wagerkit.Fx`
before anything is added. Grouping, filters and counting follow ABP's definitions, so for a
single-currency group the two agree exactly:

- a position is a bet with betStatus PLACED or CONFIRMED and settlementStatus UNSETTLED;
- PnL counts bets with settlementStatus other than UNSETTLED; a bet's profit is
  ``settlementAmount`` (what the bookmaker paid back) minus what was risked (the stake, or a
  lay's liability ``stake × (price − 1)``, rounded up to the minor unit like the simulator:
  never understated); wins = WON + HALF_WON, losses = LOST + HALF_LOST;
- test bets are left out.

Money stays exact: amounts are read into minor units of the bet's currency, a lay's liability
is computed in Decimal from those and rounded once, a bet's profit is taken in its own currency
and converted once (half-even). All amounts in the reports are integers in minor units of
:attr:`PositionsReport.currency`.

Errors: a bad ``currency``/``group_by`` argument is :class:`~wagerkit.errors.InvalidInput`;
a bet ABP sent that cannot be read as money (an unknown ``placedCurrency``, an amount that is
not finite, a ``currencyInfo`` rate that is not positive) is
:class:`~wagerkit.errors.ProtocolError` (ABP's data, not the caller's fault); a currency
without a rate is :class:`~wagerkit.errors.MissingRate`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Literal

from wagerkit._core import Fx, is_currency, to_minor
from wagerkit.abp.models import Bet, SettlementStatus
from wagerkit.errors import InvalidInput, ProtocolError

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
    """An Fx holding every bet's ``currencyInfo`` rate (rates already in ``fx`` are kept).

    A rate ABP sent that the engine refuses raises :class:`~wagerkit.errors.ProtocolError`
    and leaves ``fx`` unchanged (the rates are gathered aside and copied in at the end).
    """
    out = fx if fx is not None else Fx()
    found = Fx()
    for bet in bets:
        info = bet.currency_info
        if info is None or info.currency == "USD" or info.currency in out:
            continue
        if info.currency in found:
            continue
        try:
            found.set_rate(info.currency, info.currency_value, info.updated_at)
        except InvalidInput as exc:
            raise ProtocolError(f"bet {bet.bet_id}: ABP sent an unusable rate: {exc}") from None
    for ccy in found.currencies():
        if ccy != "USD":
            out.set_rate(ccy, found.rate_str(ccy), found.updated_at(ccy))
    return out


def _minor(bet: Bet, amount: float, currency: str) -> int:
    """A wire amount of ``bet`` in minor units; ABP's garbage is ProtocolError."""
    try:
        return to_minor(amount, currency)
    except InvalidInput as exc:
        raise ProtocolError(
            f"bet {bet.bet_id}: ABP sent an amount that is not money in {currency!r}: {exc}"
        ) from None


def _currency(bet: Bet) -> str:
    ccy = bet.placed_currency or "USD"
    if not is_currency(ccy):
        raise ProtocolError(f"bet {bet.bet_id}: ABP sent an unknown placedCurrency {ccy!r}")
    return ccy


def _risk(bet: Bet, stake: int) -> int:
    """What the bet put at risk, minor units of its currency: the stake, or a lay's liability
    ``stake × (price − 1)`` computed exactly and rounded up once (as the simulator does)."""
    if bet.back is False and bet.placed_price is not None:
        liability = Decimal(stake) * (Decimal(repr(bet.placed_price)) - 1)
        if not liability.is_finite():
            raise ProtocolError(f"bet {bet.bet_id}: ABP sent an unusable placedPrice")
        return int(liability.to_integral_value(ROUND_CEILING))
    return stake


def _check_args(currency: str, group_by: str) -> Callable[[Bet], str]:
    if not isinstance(currency, str) or not is_currency(currency):
        raise InvalidInput(f"unknown currency {currency!r}", field="currency")
    key = _KEY.get(group_by)
    if key is None:
        raise InvalidInput(
            f"group_by must be one of {sorted(_KEY)}, got {group_by!r}", field="group_by"
        )
    return key


def positions(
    bets: Iterable[Bet], fx: Fx, currency: str = "USD", group_by: GroupBy = "bookmaker"
) -> PositionsReport:
    """Open positions with every stake converted to ``currency`` before summing.

    Raises :class:`~wagerkit.errors.MissingRate` when a bet's currency has no rate: a total is
    never built from a guess.
    """
    key = _check_args(currency, group_by)
    groups: dict[str, list[tuple[int, float | None]]] = {}
    for bet in bets:
        if bet.test_bet or not bet.bet_status.open:
            continue
        if bet.settlement_status is not SettlementStatus.UNSETTLED:
            continue
        ccy = _currency(bet)
        stake = fx.convert(_minor(bet, bet.placed_stake or 0.0, ccy), ccy, currency, "half_even")
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
    key = _check_args(currency, group_by)
    acc: dict[str, list[int]] = {}
    for bet in bets:
        status = bet.settlement_status
        if bet.test_bet or status is SettlementStatus.UNSETTLED or bet.settlement_amount is None:
            continue
        ccy = _currency(bet)
        stake = _minor(bet, bet.placed_stake or 0.0, ccy)
        paid = _minor(bet, bet.settlement_amount, ccy)
        staked = fx.convert(stake, ccy, currency, "half_even")
        # profit in the bet's own currency, exact; converted once
        profit = fx.convert(paid - _risk(bet, stake), ccy, currency, "half_even")
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
