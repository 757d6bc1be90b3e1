"""``wagerkit demo``: the main job, runnable on a fresh machine with no account anywhere.

By default it runs the end-to-end ABP demo (:func:`wagerkit.cli.abp_demo.run_demo`): start the
embedded ABP simulator, fetch the quickstart fixture's betslip, show the merged book, preview
and place an order, follow it on the stream to settlement, print positions and PnL.

``wagerkit demo --engine`` runs only the engine part, offline: the betslip from ABP's
quickstart (AS Roma v Cagliari, outcome 103: pinnacle at 1.98 in USD, sharpbet at 2.0 in EUR)
merged into one :class:`~wagerkit.Book`, and how ABP would fill a handful of orders in each
placement mode.
"""

from __future__ import annotations

import argparse
import importlib.resources
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from wagerkit import Book, Fx, Order, RoutePlan, minor_to_str, route

__all__ = ["DEMO_ORDERS", "DemoOrder", "load_quickstart_book", "register", "run_engine_demo"]


@dataclass(frozen=True, slots=True)
class DemoOrder:
    """One order to route in the demo, with why it is interesting."""

    title: str
    amount: str
    price: float
    bookmakers: tuple[str, ...] | None = None
    partial: bool = True
    back: bool = True


DEMO_ORDERS: tuple[DemoOrder, ...] = (
    DemoOrder("quickstart order: 10 USD at 1.95 or better", "10.00", 1.95),
    DemoOrder("1000 USD across both books (mode 4)", "1000.00", 1.95),
    DemoOrder(
        "20000 USD at pinnacle only, partial fills allowed (mode 2)",
        "20000.00",
        1.95,
        ("pinnacle",),
    ),
    DemoOrder("1000 USD all-or-nothing, one bet per book (mode 3)", "1000.00", 1.95, None, False),
    DemoOrder(
        "20000 USD at pinnacle only, all-or-nothing (mode 1)",
        "20000.00",
        1.95,
        ("pinnacle",),
        False,
    ),
    DemoOrder("200 USD at 2.05: no price qualifies yet", "200.00", 2.05),
)


def load_quickstart_book(fx: Fx) -> Book:
    """The quickstart betslip (shipped as package data) as an engine book; loads its rates."""
    raw = importlib.resources.files("wagerkit.data").joinpath("quickstart_betslip.json")
    return Book.from_betslip(raw.read_bytes(), fx)


def _book_table(book: Book, fx: Fx) -> Table:
    table = Table(title="Merged book: AS Roma v Cagliari, Full Time Result '2' (back)")
    for column in ("bookmaker", "account", "price", "max stake", "min stake", "max in USD"):
        table.add_column(column, justify="right" if column != "account" else "left")
    for quote in book.quotes(back=True):
        max_stake = quote.max_stake if quote.max_stake is not None else quote.limit
        table.add_row(
            quote.bookmaker,
            quote.account,
            f"{quote.price:.3f}",
            f"{minor_to_str(max_stake, quote.currency)} {quote.currency}",
            f"{minor_to_str(quote.min_stake, quote.currency)} {quote.currency}",
            f"{minor_to_str(fx.to_usd(max_stake, quote.currency, 'down'), 'USD')} USD",
        )
    return table


def _ladder_table(book: Book, fx: Fx) -> Table:
    table = Table(title="Ladder in USD (stake available at each price)")
    table.add_column("price", justify="right")
    table.add_column("available", justify="right")
    table.add_column("at or better", justify="right")
    for level in book.ladder("USD", fx):
        cumulative = book.available(level.price, "USD", fx)
        table.add_row(
            f"{level.price:.3f}",
            f"{minor_to_str(level.available, 'USD')} USD",
            f"{minor_to_str(cumulative, 'USD')} USD",
        )
    return table


def _plan_table(spec: DemoOrder, order: Order, plan: RoutePlan) -> Table:
    status = plan.status.upper()
    if plan.decline is not None:
        status += f" ({plan.decline.label}: {plan.message})"
    elif plan.status == "waiting":
        status += f" ({plan.message})"
    avg = f", average {plan.average_price:.4f}" if plan.average_price is not None else ""
    table = Table(
        title=f"{spec.title}\nmode {plan.mode} → {status}",
        caption=f"filled {minor_to_str(plan.filled, order.currency)} of "
        f"{minor_to_str(order.stake, order.currency)} {order.currency}{avg}",
    )
    for column in ("bookmaker", "account", "price", "placedStake", "in order currency"):
        table.add_column(column, justify="right" if column != "account" else "left")
    if not plan.legs:
        table.add_row("—", "no bet placed", "—", "—", "—")
    for leg in plan.legs:
        table.add_row(
            leg.bookmaker,
            leg.account,
            f"{leg.price:.3f}",
            f"{minor_to_str(leg.stake, leg.currency)} {leg.currency}",
            f"{minor_to_str(leg.order_stake, leg.order_currency)} {leg.order_currency}",
        )
    return table


def run_engine_demo(console: Console | None = None) -> int:
    """Print the merged quickstart book and the engine's fill plan for each demo order."""
    console = console or Console()
    fx = Fx()
    book = load_quickstart_book(fx)
    console.print(_book_table(book, fx))
    console.print(_ladder_table(book, fx))
    for spec in DEMO_ORDERS:
        order = Order.from_amount(
            spec.amount,
            "USD",
            spec.price,
            accept_partial_stake=spec.partial,
            back=spec.back,
            bookmakers=list(spec.bookmakers) if spec.bookmakers else None,
        )
        console.print(_plan_table(spec, order, route(order, book, fx)))
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.engine:
        return run_engine_demo()
    from wagerkit.cli.abp_demo import run_demo

    status = run_demo()
    if status == 0:
        Console().rule("the engine on its own: fill plans for the quickstart betslip")
        status = run_engine_demo()
    return status


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``wagerkit demo`` to the command line."""
    parser = subparsers.add_parser(
        "demo", help="run the demo against the embedded quickstart data / simulator"
    )
    parser.add_argument(
        "--engine",
        action="store_true",
        help="only the offline engine part: merged book and fill plans, no simulator",
    )
    parser.set_defaults(func=_run)
