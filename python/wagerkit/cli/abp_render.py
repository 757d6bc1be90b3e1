"""Readable tables (rich) of ABP objects for the ``wagerkit abp`` command and the demo.

Kept apart from the command parsing so the demo and notebooks can print the same views.
Amounts are shown with their currency; the merged book is the engine's, best price first.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table

from wagerkit._core import Book, Fx, minor_to_str
from wagerkit.abp.analytics import PnlReport, PositionsReport
from wagerkit.abp.models import Account, Bet, Betslip, Order, PnlResponse, PositionsResponse
from wagerkit.abp.preview import Preview

__all__ = [
    "accounts_table",
    "bets_table",
    "book_table",
    "ladder_table",
    "orders_table",
    "pnl_tables",
    "positions_tables",
    "preview_table",
    "price",
]


def _cols(t: Table, names: tuple[str, ...], right: set[str]) -> None:
    for name in names:
        t.add_column(name, justify="right" if name in right else "left")


def _f(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def price(value: float | None) -> str:
    """A decimal price, always with three decimals (one format everywhere)."""
    return _f(value, 3)


def accounts_table(accounts: Iterable[Account]) -> Table:
    t = Table(title="ABP accounts (highest priority first)")
    for col in ("bookmaker", "username", "priority", "balance", "ccy", "min", "max", "active"):
        t.add_column(
            col, justify="right" if col in ("priority", "balance", "min", "max") else "left"
        )
    for a in accounts:
        t.add_row(
            a.bookmaker,
            a.username,
            str(a.priority),
            _f(a.balance),
            a.currency_id or "?",
            _f(a.min_stake),
            _f(a.max_stake),
            "yes" if a.active else "no",
        )
    return t


def book_table(betslip: Betslip, book: Book, fx: Fx, currency: str = "USD") -> Table:
    """The merged book: every bookmaker's quote best first, limits native and in ``currency``,
    with the cumulative stake available at that price or better."""
    info = betslip.fixture_info
    outcome = betslip.outcome_info
    title = f"{info.name if info else betslip.fixture_id}"
    if outcome is not None:
        title += f" — {outcome.market_name or '?'}: {outcome.outcome_name or betslip.outcome_id}"
    t = Table(title=f"merged book (back) · {title}")
    for col in (
        "price",
        "bookmaker",
        "account",
        "limit",
        "ccy",
        f"limit {currency}",
        f"cum {currency}",
    ):
        t.add_column(col, justify="left" if col in ("bookmaker", "account", "ccy") else "right")
    cumulative = 0
    for q in book.quotes(back=True):
        if not q.active:
            t.add_row(price(q.price), q.bookmaker, q.account, "suspended", q.currency, "-", "-")
            continue
        limit = q.max_stake if q.max_stake is not None else q.limit
        try:
            converted = fx.convert(limit, q.currency, currency, "down")
        except LookupError:
            converted = None
        cumulative += converted or 0
        t.add_row(
            price(q.price),
            q.bookmaker,
            q.account,
            minor_to_str(limit, q.currency),
            q.currency,
            minor_to_str(converted, currency) if converted is not None else "no rate",
            minor_to_str(cumulative, currency),
        )
    return t


def ladder_table(book: Book, fx: Fx, currency: str = "USD") -> Table:
    t = Table(title=f"price ladder ({currency})")
    t.add_column("price", justify="right")
    t.add_column(f"available {currency}", justify="right")
    t.add_column("quotes", justify="right")
    for level in book.ladder(currency, fx, back=True):
        t.add_row(price(level.price), minor_to_str(level.available, currency), str(level.quotes))
    return t


def preview_table(preview: Preview) -> Table:
    o = preview.order
    t = Table(
        title=(
            f"preview: {_f(o.order_stake)} {o.order_currency} at {price(o.order_price)} → "
            f"{preview.status}" + (f" ({preview.plan.message})" if preview.plan.message else "")
        )
    )
    for col in ("bookmaker", "account", "price", "stake", "ccy", f"= {o.order_currency}"):
        t.add_column(
            col, justify="right" if col in ("price", "stake") or col.startswith("=") else "left"
        )
    for leg in preview.legs:
        t.add_row(
            leg.bookmaker,
            leg.account,
            price(leg.price),
            minor_to_str(leg.stake, leg.currency),
            leg.currency,
            minor_to_str(leg.order_stake, leg.order_currency),
        )
    return t


def orders_table(orders: Iterable[Order], title: str = "orders") -> Table:
    t = Table(title=title)
    for col in ("orderId", "status", "stake", "filled", "ccy", "price", "userRef", "requestUuid"):
        t.add_column(
            col, justify="right" if col in ("orderId", "stake", "filled", "price") else "left"
        )
    for o in orders:
        t.add_row(
            str(o.order_id),
            o.order_status.value,
            _f(o.order_stake),
            _f(o.filled_stake),
            o.order_currency,
            price(o.order_price),
            o.user_ref or "",
            o.request_uuid or "",
        )
    return t


def bets_table(bets: Iterable[Bet], title: str = "bets") -> Table:
    t = Table(title=title)
    for col in (
        "betId",
        "orderId",
        "bookmaker",
        "status",
        "settlement",
        "stake",
        "ccy",
        "price",
        "paid",
    ):
        t.add_column(
            col,
            justify="right" if col in ("betId", "orderId", "stake", "price", "paid") else "left",
        )
    for b in bets:
        t.add_row(
            str(b.bet_id),
            str(b.order_id or ""),
            b.bookmaker or "",
            b.bet_status.value,
            b.settlement_status.value,
            _f(b.placed_stake),
            b.placed_currency or "",
            price(b.placed_price),
            _f(b.settlement_amount),
        )
    return t


def positions_tables(abp: PositionsResponse, mine: PositionsReport | None) -> list[Table]:
    """ABP's sums (mixed currencies added as-is) beside the per-row converted ones."""
    group = abp.group_by or "bookmaker"
    a = Table(title=f"ABP /positions by {group} (raw sums, no currency)")
    for col in (group, "open bets", "total stake", "avg price"):
        a.add_column(col, justify="left" if col == group else "right")
    for p in abp.positions:
        key = p.bookmaker or p.account or p.user_ref or "?"
        a.add_row(key, str(p.open_bets), _f(p.total_stake), price(p.avg_price))
    a.add_row("TOTAL", str(abp.total_open_bets), _f(abp.total_stake), "", style="bold")
    tables = [a]
    if mine is not None:
        c = mine.currency
        m = Table(title=f"positions by {mine.group_by}, every bet converted to {c} (engine Fx)")
        for col in (mine.group_by, "open bets", f"total stake {c}", "avg price"):
            m.add_column(col, justify="left" if col == mine.group_by else "right")
        for g in mine.groups:
            m.add_row(g.key, str(g.open_bets), minor_to_str(g.total_stake, c), price(g.avg_price))
        m.add_row(
            "TOTAL", str(mine.total_open_bets), minor_to_str(mine.total_stake, c), "", style="bold"
        )
        tables.append(m)
    return tables


def pnl_tables(abp: PnlResponse, mine: PnlReport | None) -> list[Table]:
    group = abp.group_by or "bookmaker"
    a = Table(title=f"ABP /pnl by {group} (raw sums, no currency)")
    for col in (group, "settled", "wins", "losses", "staked", "net pnl", "win %"):
        a.add_column(col, justify="left" if col == group else "right")
    for r in abp.pnl:
        key = r.bookmaker or r.account or r.user_ref or "?"
        a.add_row(
            key,
            str(r.settled_bets),
            str(r.wins),
            str(r.losses),
            _f(r.total_staked),
            _f(r.net_pnl),
            _f(r.win_rate, 1),
        )
    a.add_row(
        "TOTAL",
        str(abp.total_settled_bets),
        "",
        "",
        _f(abp.total_staked),
        _f(abp.total_net_pnl),
        "",
        style="bold",
    )
    tables = [a]
    if mine is not None:
        c = mine.currency
        m = Table(title=f"PnL by {mine.group_by}, every bet converted to {c} (engine Fx)")
        for col in (
            mine.group_by,
            "settled",
            "wins",
            "losses",
            f"staked {c}",
            f"net pnl {c}",
            "win %",
        ):
            m.add_column(col, justify="left" if col == mine.group_by else "right")
        for g in mine.groups:
            m.add_row(
                g.key,
                str(g.settled_bets),
                str(g.wins),
                str(g.losses),
                minor_to_str(g.total_staked, c),
                minor_to_str(g.net_pnl, c),
                f"{g.win_rate:.1f}",
            )
        m.add_row(
            "TOTAL",
            str(mine.total_settled_bets),
            "",
            "",
            minor_to_str(mine.total_staked, c),
            minor_to_str(mine.total_net_pnl, c),
            "",
            style="bold",
        )
        tables.append(m)
    return tables
