"""``wagerkit abp …``: ABP from the shell, as tables for people and ``--json`` for machines.

The key and URL come from ``--api-key``/``--base-url`` or ``ABP_API_KEY``/``ABP_BASE_URL``
(prefer the environment: a flag is visible in the process list). Placement goes through the
:class:`~wagerkit.execution.OrderManager`, so a retried ``place`` can never become two bets.

Re-running a command must never place a second bet either: ``place`` prints its requestUuid
(on stderr, before sending) and takes ``--request-uuid`` to reuse it. With a given uuid it
first asks ABP for that order and only sends when ABP does not have it, so a re-run after a
crash or an UNKNOWN outcome is safe even after ABP's 30-minute duplicate window.

Exit codes: 0 done; 1 the venue or the network failed (or the order was declined/not sent);
2 a bad argument (nothing was sent); 3 the order's fate is UNKNOWN (look it up, or re-run with
``--request-uuid``). A bad argument never prints a traceback, and the key is never printed.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import shlex
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import anyio
import msgspec
import stamina.instrumentation
from rich.console import Console
from rich.table import Table
from stamina.instrumentation import RetryDetails, RetryHook

from wagerkit._core import Fx, minor_to_float
from wagerkit.abp import analytics
from wagerkit.abp.client import ENV_API_KEY, ENV_BASE_URL, AbpClient
from wagerkit.abp.orders import OrderRequest
from wagerkit.abp.preview import Preview, book_from_betslip, preview_order
from wagerkit.abp.stream import AbpStream
from wagerkit.cli import abp_render as render
from wagerkit.errors import InvalidInput, WagerkitError, redact
from wagerkit.execution import LocalStatus, ManagedOrder, OrderManager

__all__ = ["main", "register"]

Command = Callable[[AbpClient, argparse.Namespace, "Output"], Awaitable[int]]


class Output:
    """Tables on a console, or one JSON document per line."""

    def __init__(self, as_json: bool, console: Console | None = None) -> None:
        self.as_json = as_json
        if console is None:
            console = Console()
            if not console.is_terminal:
                # Piped or redirected: no terminal to fit, so never cut ids at 80 columns.
                console = Console(width=max(160, console.width))
        self.console = console

    def json(self, value: Any) -> None:
        sys.stdout.write(msgspec.json.encode(value).decode() + "\n")
        sys.stdout.flush()

    def show(self, *renderables: Any) -> None:
        for r in renderables:
            if isinstance(r, Table):
                for column in r.columns:  # wrap a long id or name, never cut it with "…"
                    column.overflow = "fold"
            self.console.print(r)


def _managed_json(m: ManagedOrder) -> dict[str, Any]:
    return {
        "requestUuid": m.request_uuid,
        "status": m.status.value,
        "declineReason": m.decline_reason,
        "order": m.order,
        "history": [
            {"at": t.at, "time": t.iso, "status": t.status, "note": t.note} for t in m.history
        ],
    }


EXIT_UNKNOWN = 3
"""Exit code of ``place`` when ABP did not tell whether the order exists."""


def _resume_command(args: argparse.Namespace, request_uuid: str) -> str:
    """The same ``place`` with ``--request-uuid``: safe to run again (it looks up first).

    Never includes the key or the URL (they come from the environment or flags the user
    already has).
    """
    argv = [
        "wagerkit",
        "abp",
        "place",
        args.fixture_id,
        str(args.outcome_id),
        repr(args.stake),
        repr(args.price),
        "--user-ref",
        args.user_ref,
    ]
    if args.player_id:
        argv += ["--player-id", str(args.player_id)]
    if args.currency != "USD":
        argv += ["--currency", args.currency]
    if args.bookmakers:
        argv += ["--bookmakers", args.bookmakers]
    if args.expires_in is not None:
        argv += ["--expires-in", repr(args.expires_in)]
    for flag, on in (
        ("--test", args.test),
        ("--lay", args.lay),
        ("--no-partial", args.no_partial),
        ("--exact-price", args.exact_price),
    ):
        if on:
            argv.append(flag)
    return shlex.join([*argv, "--request-uuid", request_uuid])


def _lookup_command(request_uuid: str) -> str:
    return shlex.join(["wagerkit", "abp", "orders", "--request-uuid", request_uuid])


def _note(text: str) -> None:
    """A line for the person at the terminal, on stderr (stdout stays for the results)."""
    print(text, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# commands


async def _accounts(client: AbpClient, args: argparse.Namespace, out: Output) -> int:
    accounts = await client.accounts(args.bookmaker)
    if out.as_json:
        out.json(list(accounts))
    else:
        out.show(render.accounts_table(accounts))
    return 0


async def _betslip(client: AbpClient, args: argparse.Namespace, out: Output) -> int:
    slip = await client.betslip(args.fixture_id, args.outcome_id, args.player_id)
    if out.as_json:
        out.json(slip)
        return 0
    fx = Fx()
    book = book_from_betslip(slip, fx)
    out.show(
        render.book_table(slip, book, fx, args.currency),
        render.ladder_table(book, fx, args.currency),
    )
    return 0


def _order_from(args: argparse.Namespace) -> OrderRequest:
    return OrderRequest.create(
        args.fixture_id,
        args.outcome_id,
        args.stake,
        args.price,
        user_ref=args.user_ref,
        player_id=args.player_id,
        currency=args.currency,
        test=args.test,
        back=not args.lay,
        bookmakers=args.bookmakers.split(",") if args.bookmakers else None,
        accept_partial_stake=not args.no_partial,
        accept_better_odds=not args.exact_price,
        expires_in=args.expires_in,
        request_uuid=args.request_uuid,
    )


def _differences(order: OrderRequest, found: Any) -> list[str]:
    """Fields where the order ABP holds under this uuid differs from the arguments."""
    pairs = (
        ("fixtureId", order.fixture_id, found.fixture_id),
        ("outcomeId", order.outcome_id, found.outcome_id),
        ("orderPrice", order.order_price, found.order_price),
        ("orderStake", order.order_stake, found.order_stake),
        ("orderCurrency", order.order_currency, found.order_currency),
        ("back", order.back, found.back),
    )
    return [f"{name} {theirs!r} (asked {mine!r})" for name, mine, theirs in pairs if mine != theirs]


async def _place(client: AbpClient, args: argparse.Namespace, out: Output) -> int:
    order = _order_from(args)
    uid = order.request_uuid
    manager = OrderManager(client)
    if args.request_uuid is not None:
        # A re-run: ask ABP first, so that this can never become a second bet (even after
        # ABP's own 30-minute duplicate window).
        found = [o for o in await manager.find([uid]) if o.request_uuid == uid]
        if found:
            held = found[0]
            diff = _differences(order, held)
            if out.as_json:
                out.json({"requestUuid": uid, "status": "ALREADY_PLACED", "order": held})
            else:
                out.show(f"{uid}: already at ABP, not sent again")
                out.show(render.orders_table([held], "at ABP"))
            if diff:
                _note(f"warning: the order at ABP under {uid} differs: " + "; ".join(diff))
                return 1
            return 0
    preview_doc: dict[str, Any] | None = None
    if args.preview:
        slip = await client.betslip(order.fixture_id, order.outcome_id, order.player_id)
        preview = preview_order(order, slip)
        if out.as_json:
            preview_doc = _preview_json(preview)
        else:
            out.show(render.preview_table(preview))
    _note(f"requestUuid {uid} (to re-run safely: --request-uuid {uid})")
    try:
        managed = await manager.place(order)
    except BaseException:
        mine = manager.get(uid)
        if mine is not None and not mine.resolved:
            _unknown_hint(args, uid)
        raise
    if out.as_json:
        doc = _managed_json(managed)
        if not managed.resolved:
            doc["resume"] = _resume_command(args, uid)
            doc["lookup"] = _lookup_command(uid)
        # One JSON document per command: with --preview, the preview and the result together.
        out.json(doc if preview_doc is None else {"preview": preview_doc, "result": doc})
    else:
        line = f"{managed.request_uuid}: {managed.status.value}"
        if managed.decline_reason:
            line += f" — {managed.decline_reason}"
        out.show(line)
        if managed.order is not None:
            out.show(render.orders_table([managed.order], "placed"))
            if managed.order.bets:
                out.show(render.bets_table(managed.order.bets))
    if not managed.resolved:
        _unknown_hint(args, uid)
        return EXIT_UNKNOWN
    return 1 if managed.status in (LocalStatus.NOT_SENT, LocalStatus.DECLINED) else 0


def _preview_json(preview: Preview) -> dict[str, Any]:
    """The preview in major units, each amount beside its currency (as ABP's own JSON)."""
    ccy = preview.order.order_currency
    return {
        "status": preview.status,
        "stake": minor_to_float(preview.order.stake_minor, ccy),
        "filled": preview.filled,
        "currency": ccy,
        "averagePrice": preview.average_price,
        "message": preview.plan.message,
        "legs": [
            {
                "bookmaker": leg.bookmaker,
                "account": leg.account,
                "price": leg.price,
                "stake": minor_to_float(leg.stake, leg.currency),
                "currency": leg.currency,
                "orderStake": minor_to_float(leg.order_stake, leg.order_currency),
                "orderCurrency": leg.order_currency,
            }
            for leg in preview.legs
        ],
    }


def _unknown_hint(args: argparse.Namespace, request_uuid: str) -> None:
    _note(
        f"requestUuid {request_uuid}: ABP did not confirm whether this order exists. "
        "Do not place it again with a new uuid.\n"
        f"  look it up:      {_lookup_command(request_uuid)}\n"
        f"  resume (safe):   {_resume_command(args, request_uuid)}"
    )


_FILTER_HELP = "one filter is required (ABP requires one); they are OR-ed and may be repeated"


def _need_filter(args: argparse.Namespace, *flags: str) -> None:
    """ABP refuses a listing or cancel without a filter: say so in CLI terms, nothing sent."""
    if not any(getattr(args, f.lstrip("-").replace("-", "_"), None) for f in flags):
        raise InvalidInput(
            f"wagerkit abp {args.abp_command} needs at least one of {', '.join(flags)} "
            "(ABP requires a filter)",
            field="filters",
        )


async def _cancel(client: AbpClient, args: argparse.Namespace, out: Output) -> int:
    _need_filter(args, "--order-id", "--request-uuid", "--user-ref")
    result = await client.cancel_orders(
        order_ids=args.order_id or None,
        request_uuids=args.request_uuid or None,
        user_ref=args.user_ref,
    )
    if out.as_json:
        out.json(result)
    else:
        out.show(f"status: {result.status}")
        if result.affected:
            out.show(render.orders_table(result.affected, "cancelled"))
    return 0


async def _orders(client: AbpClient, args: argparse.Namespace, out: Output) -> int:
    _need_filter(args, "--order-id", "--request-uuid", "--user-ref")
    rows = [
        o
        async for o in client.iter_orders(
            order_ids=args.order_id or None,
            request_uuids=args.request_uuid or None,
            user_ref=args.user_ref,
        )
    ]
    if out.as_json:
        out.json(rows)
    else:
        out.show(render.orders_table(rows, f"orders ({len(rows)})"))
    return 0


async def _bets(client: AbpClient, args: argparse.Namespace, out: Output) -> int:
    _need_filter(args, "--bet-id", "--order-id", "--user-ref")
    rows = [
        b
        async for b in client.iter_bets(
            bet_ids=args.bet_id or None, order_ids=args.order_id or None, user_ref=args.user_ref
        )
    ]
    if out.as_json:
        out.json(rows)
    else:
        out.show(render.bets_table(rows, f"bets ({len(rows)})"))
    return 0


async def _converted_bets(client: AbpClient, user_ref: str | None) -> list[Any] | None:
    if user_ref is None:
        return None
    return [b async for b in client.iter_bets(user_ref=user_ref)]


async def _positions(client: AbpClient, args: argparse.Namespace, out: Output) -> int:
    abp = await client.positions(args.group_by, user_ref=args.user_ref, bookmaker=args.bookmaker)
    bets = await _converted_bets(client, args.user_ref)
    mine = None
    if bets is not None:
        mine = analytics.positions(bets, analytics.fx_from_bets(bets), args.currency, args.group_by)
    if out.as_json:
        out.json({"abp": abp, "converted": mine and _positions_json(mine)})
    else:
        out.show(*render.positions_tables(abp, mine))
        if mine is None:
            out.show("(give --user-ref to see the same figures converted per bet to one currency)")
    return 0


async def _pnl(client: AbpClient, args: argparse.Namespace, out: Output) -> int:
    abp = await client.pnl(args.group_by, user_ref=args.user_ref, bookmaker=args.bookmaker)
    bets = await _converted_bets(client, args.user_ref)
    mine = None
    if bets is not None:
        mine = analytics.pnl(bets, analytics.fx_from_bets(bets), args.currency, args.group_by)
    if out.as_json:
        out.json({"abp": abp, "converted": mine and _pnl_json(mine)})
    else:
        out.show(*render.pnl_tables(abp, mine))
        if mine is None:
            out.show("(give --user-ref to see the same figures converted per bet to one currency)")
    return 0


def _positions_json(report: analytics.PositionsReport) -> dict[str, Any]:
    """Shaped like ABP's /positions: camelCase, amounts in major units of ``currency``."""
    ccy = report.currency
    return {
        "currency": ccy,
        "groupBy": report.group_by,
        "positions": [
            {
                report.group_by: g.key,
                "openBets": g.open_bets,
                "totalStake": minor_to_float(g.total_stake, ccy),
                "avgPrice": g.avg_price,
            }
            for g in report.groups
        ],
        "totalStake": minor_to_float(report.total_stake, ccy),
        "totalOpenBets": report.total_open_bets,
    }


def _pnl_json(report: analytics.PnlReport) -> dict[str, Any]:
    """Shaped like ABP's /pnl: camelCase, amounts in major units of ``currency``, winRate."""
    ccy = report.currency
    return {
        "currency": ccy,
        "groupBy": report.group_by,
        "pnl": [
            {
                report.group_by: g.key,
                "settledBets": g.settled_bets,
                "wins": g.wins,
                "losses": g.losses,
                "voids": g.voids,
                "pushes": g.pushes,
                "totalStaked": minor_to_float(g.total_staked, ccy),
                "totalWon": minor_to_float(g.total_won, ccy),
                "totalLost": minor_to_float(g.total_lost, ccy),
                "netPnl": minor_to_float(g.net_pnl, ccy),
                "winRate": g.win_rate,
            }
            for g in report.groups
        ],
        "totalNetPnl": minor_to_float(report.total_net_pnl, ccy),
        "totalStaked": minor_to_float(report.total_staked, ccy),
        "totalSettledBets": report.total_settled_bets,
    }


async def _watch(client: AbpClient, args: argparse.Namespace, out: Output) -> int:
    seen = 0
    channels = args.channels.split(",") if args.channels else []
    refs = [args.user_ref] if args.user_ref else []
    with anyio.move_on_after(args.seconds):
        async with AbpStream(client, channels=channels, user_refs=refs) as stream:
            async for event in stream:
                if out.as_json:
                    out.json(
                        {
                            "channel": event.channel,
                            "event": event.event,
                            "seq": event.seq,
                            "ts": event.ts,
                            "payload": event.data,
                        }
                    )
                else:
                    out.show(f"[{event.seq}] {event.channel} {event.event}: {_summary(event.data)}")
                seen += 1
                if args.count and seen >= args.count:
                    break
    return 0


def _money(value: float | None, currency: str | None) -> str:
    return f"{render._f(value)} {currency or '?'}"


def _summary(data: Any) -> str:
    """One readable line per stream event (never the raw JSON): what moved, amounts with
    2 decimals and their currency, prices with 3."""
    from wagerkit.abp.models import Bet, BetslipUpdate, CurrencyInfo, Order

    if isinstance(data, Order):
        return (
            f"order {data.order_id} {data.order_status.value}: filled "
            f"{_money(data.filled_stake, data.order_currency)} of "
            f"{_money(data.order_stake, data.order_currency)} at "
            f"{render.price(data.order_price)} (userRef {data.user_ref}, {data.request_uuid})"
        )
    if isinstance(data, Bet):
        return (
            f"bet {data.bet_id} of order {data.order_id} at {data.bookmaker}: "
            f"{data.bet_status.value}/{data.settlement_status.value} "
            f"{_money(data.placed_stake, data.placed_currency)} @ "
            f"{render.price(data.placed_price)}"
        )
    if isinstance(data, BetslipUpdate):
        state = "" if data.active else " (suspended)"
        limit = _money(data.limit, data.limit_currency) if data.limit is not None else "-"
        return (
            f"fixture {data.fixture_id} outcome {data.outcome_id}"
            f"{f' player {data.player_id}' if data.player_id else ''}: {data.bookmaker} "
            f"({data.account or '?'}) @ {render.price(data.price)} limit {limit}{state}"
        )
    if isinstance(data, CurrencyInfo):
        return f"rate {data.currency} {data.currency_value:g} per USD"
    if isinstance(data, dict):
        if "balance" in data and ("bookmaker" in data or "username" in data):
            return (
                f"balance {data.get('bookmaker')}/{data.get('username')}: "
                f"{_money(_num(data.get('balance')), data.get('currencyId'))}"
            )
        scalars = [f"{k} {v}" for k, v in data.items() if isinstance(v, (str, int, float, bool))]
        return ", ".join(scalars[:8]) or "(no details)"
    if data is None:
        return "(a frame that could not be decoded; skipped)"
    return str(data)[:160]


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


# --------------------------------------------------------------------------------------------
# wiring


def _retry_line(secrets: list[str]) -> RetryHook:
    """A stamina hook: one readable stderr line per scheduled retry (instead of stamina's
    bare ``stamina.retry_scheduled`` log record)."""

    def hook(details: RetryDetails) -> AbstractContextManager[None] | None:
        exc = details.caused_by
        text = redact(str(exc), secrets)
        endpoint, _, why = text.partition(": ")  # our errors start "METHOD /path: ..."
        if not why:
            endpoint, why = "request", text
        _note(
            f"retrying {endpoint}: attempt {details.retry_num + 1} in {details.wait_for:.2f}s "
            f"after {type(exc).__name__}: {why[:200]}"
        )
        return None

    return hook


@contextlib.contextmanager
def _retry_lines(secrets: list[str]) -> Iterator[None]:
    """Replace stamina's default instrumentation for the duration of one command."""
    previous = stamina.instrumentation.get_on_retry_hooks()
    stamina.instrumentation.set_on_retry_hooks([_retry_line(secrets)])
    try:
        yield
    finally:
        stamina.instrumentation.set_on_retry_hooks(previous)


def _run(command: Command) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        out = Output(args.json)
        secrets = [k for k in (args.api_key, os.environ.get(ENV_API_KEY)) if k]

        async def main() -> int:
            async with AbpClient(args.api_key, args.base_url, timeout=args.timeout) as client:
                return await command(client, args, out)

        try:
            with _retry_lines(secrets):
                return anyio.run(main)
        except Exception as raised:
            exc = _leaf(raised)
            text = redact(str(exc), secrets)
            if isinstance(exc, InvalidInput):
                print(f"error: {text}", file=sys.stderr)
                return 2
            if isinstance(exc, WagerkitError):
                print(f"error: {type(exc).__name__}: {text}", file=sys.stderr)
                return 1
            if os.environ.get("WAGERKIT_DEBUG"):
                raise
            # Not ours: still one clean line (set WAGERKIT_DEBUG=1 for the traceback).
            print(f"error: unexpected {type(exc).__name__}: {text}", file=sys.stderr)
            return 1

    return run


def _leaf(exc: BaseException) -> BaseException:
    """The error inside a group of one (task groups wrap what they re-raise)."""
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    return exc


def _finite(text: str) -> float:
    """argparse type: a finite number (``nan``/``inf`` are refused before anything runs)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


def _positive(text: str) -> float:
    value = _finite(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text!r}")
    return value


def _request_uuid(text: str) -> str:
    """argparse type: a UUID, reused exactly as ABP knows it (canonical lower-case form)."""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a UUID: {text!r}") from None


def _demo(args: argparse.Namespace) -> int:
    from wagerkit.cli.abp_demo import run_demo

    return run_demo()


def register(subparsers: Any) -> None:
    """Add ``abp`` and its sub-commands to the ``wagerkit`` parser."""
    p = subparsers.add_parser("abp", help="trade through ABP (or the local simulator)")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--api-key", default=None, help=f"API key (default ${ENV_API_KEY})")
    common.add_argument(
        "--base-url", default=None, help=f"REST base URL (default ${ENV_BASE_URL} or ABP's)"
    )
    common.add_argument("--json", action="store_true", help="print JSON instead of tables")
    common.add_argument("--timeout", type=_positive, default=10.0, help="per-call timeout, seconds")
    sub = p.add_subparsers(dest="abp_command", required=True, metavar="COMMAND")

    def add(name: str, command: Command, help: str) -> argparse.ArgumentParser:
        sp: argparse.ArgumentParser = sub.add_parser(name, parents=[common], help=help)
        sp.set_defaults(func=_run(command))
        return sp

    sp = add("accounts", _accounts, "list bookmaker accounts")
    sp.add_argument("--bookmaker")

    sp = add("betslip", _betslip, "live odds of one selection as a merged book")
    sp.add_argument("fixture_id")
    sp.add_argument("outcome_id", type=int)
    sp.add_argument("--player-id", type=int, default=0)
    sp.add_argument("--currency", default="USD", help="currency of the cumulative columns")

    sp = add("place", _place, "place one order (safe to retry; --test places nothing)")
    sp.epilog = (
        "The requestUuid is printed on stderr before sending. Exit codes: 0 placed (or already "
        "at ABP), 1 declined, not sent or failed, 2 bad argument (nothing sent), 3 UNKNOWN: "
        "re-run with --request-uuid (it looks the order up first) or look it up with "
        "'wagerkit abp orders --request-uuid UUID'."
    )
    sp.add_argument("fixture_id")
    sp.add_argument("outcome_id", type=int)
    sp.add_argument("stake", type=_finite, help="in --currency, major units")
    sp.add_argument("price", type=_finite, help="minimum acceptable decimal price")
    sp.add_argument("--user-ref", required=True)
    sp.add_argument("--player-id", type=int, default=0)
    sp.add_argument("--currency", default="USD")
    sp.add_argument("--bookmakers", help="comma-separated slugs (default: all)")
    sp.add_argument("--test", action="store_true", help="testOrder: validate and route only")
    sp.add_argument("--lay", action="store_true", help="an exchange lay order")
    sp.add_argument("--no-partial", action="store_true", help="acceptPartialStake=false")
    sp.add_argument("--exact-price", action="store_true", help="acceptBetterOdds=false")
    sp.add_argument("--expires-in", type=_finite, default=None, help="seconds (max 24 h)")
    sp.add_argument("--preview", action="store_true", help="show the engine's expected fills first")
    sp.add_argument(
        "--request-uuid",
        type=_request_uuid,
        default=None,
        help="reuse this requestUuid (from an earlier run): ABP is asked first and the order "
        "is only sent if ABP does not have it, so a re-run never places twice",
    )

    sp = add("cancel", _cancel, "cancel orders (needs --order-id, --request-uuid or --user-ref)")
    sp.epilog = _FILTER_HELP
    sp.add_argument("--order-id", type=int, action="append")
    sp.add_argument("--request-uuid", type=_request_uuid, action="append")
    sp.add_argument("--user-ref")

    sp = add("orders", _orders, "list orders (needs --order-id, --request-uuid or --user-ref)")
    sp.epilog = _FILTER_HELP
    sp.add_argument("--order-id", type=int, action="append")
    sp.add_argument("--request-uuid", type=_request_uuid, action="append")
    sp.add_argument("--user-ref")

    sp = add("bets", _bets, "list bets (needs --bet-id, --order-id or --user-ref)")
    sp.epilog = _FILTER_HELP
    sp.add_argument("--bet-id", type=int, action="append")
    sp.add_argument("--order-id", type=int, action="append")
    sp.add_argument("--user-ref")

    for name, fn, what in (
        ("positions", _positions, "open positions"),
        ("pnl", _pnl, "profit and loss"),
    ):
        sp = add(name, fn, f"{what}: ABP's sums, and per-bet converted with --user-ref")
        sp.add_argument(
            "--group-by", choices=["bookmaker", "account", "userRef"], default="bookmaker"
        )
        sp.add_argument("--user-ref")
        sp.add_argument("--bookmaker")
        sp.add_argument("--currency", default="USD", help="currency of the converted figures")

    sp = add("watch", _watch, "follow the live stream")
    sp.add_argument("--channels", help="comma-separated (default: all)")
    sp.add_argument("--user-ref", help="reconcile this userRef's orders on every reconnect")
    sp.add_argument("--count", type=int, default=0, help="stop after N events")
    sp.add_argument("--seconds", type=_positive, default=None, help="stop after S seconds")

    dp = sub.add_parser("demo", help="the end-to-end demo against the embedded simulator")
    dp.set_defaults(func=_demo)


def main(argv: list[str] | None = None) -> int:
    """``python -m wagerkit.cli.abp …`` (the same as ``wagerkit abp …``)."""
    parser = argparse.ArgumentParser(prog="wagerkit")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result
