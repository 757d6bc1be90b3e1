"""``wagerkit oddspapi …``: find what to bet on from the shell, as tables or ``--json``.

``sports``, ``tournaments``, ``fixtures`` (of a sport or tournament, in a window), ``markets``
(the catalogue, names and outcome ids), ``odds FIXTURE`` (every bookmaker's quote with its
limit and currency; stale or suspended quotes are marked, never shown as live) and ``watch
FIXTURE`` (follows the odds on the live stream, or with ``--poll`` by polling REST within
the odds budget, printing each change).

The key and URL come from ``--api-key``/``--base-url`` or ``ODDSPAPI_API_KEY``/
``ODDSPAPI_BASE_URL`` (prefer the environment: a flag is visible in the process list); the key is
never printed. Exit codes: 0 done, 1 the venue or the network failed, 2 a bad argument or an
entitlement the key lacks (nothing to retry).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import msgspec
from rich.console import Console
from rich.table import Table

from wagerkit.errors import InvalidInput, WagerkitError, redact
from wagerkit.oddspapi import AsyncOddsPapiClient, EntitlementError
from wagerkit.oddspapi.client import DEFAULT_BASE_URL
from wagerkit.oddspapi.discovery import MarketCatalogue, resolve_sport, resolve_tournament
from wagerkit.oddspapi.models import FixtureOdds, odds_id
from wagerkit.oddspapi.stream import OddsStream

__all__ = ["ENV_API_KEY", "ENV_BASE_URL", "register"]

ENV_API_KEY = "ODDSPAPI_API_KEY"
ENV_BASE_URL = "ODDSPAPI_BASE_URL"

Command = Callable[[AsyncOddsPapiClient, argparse.Namespace, "Output"], Awaitable[int]]


class Output:
    """Tables on a console, or JSON on stdout."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        console = Console()
        self.console = console if console.is_terminal else Console(width=160)

    def json(self, value: Any) -> None:
        sys.stdout.write(msgspec.json.encode(value).decode() + "\n")
        sys.stdout.flush()

    def table(self, title: str, columns: list[str], rows: list[list[Any]]) -> None:
        table = Table(title=title)
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        self.console.print(table)


def _when(seconds: int | None) -> str:
    if seconds is None:
        return ""
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


async def _sports(client: AsyncOddsPapiClient, args: argparse.Namespace, out: Output) -> int:
    sports = await client.sports()
    if out.as_json:
        out.json(sports)
    else:
        out.table("sports", ["sportId", "name"], [[s.sport_id, s.sport_name] for s in sports])
    return 0


async def _tournaments(client: AsyncOddsPapiClient, args: argparse.Namespace, out: Output) -> int:
    found = await client.tournaments(await resolve_sport(client, _id_or_name(args.sport)))
    if out.as_json:
        out.json(found)
    else:
        out.table(
            "tournaments",
            ["tournamentId", "name", "category", "upcoming"],
            [
                [t.tournament_id, t.tournament_name, t.category_name, t.upcoming_fixtures]
                for t in found
            ],
        )
    return 0


async def _fixtures(client: AsyncOddsPapiClient, args: argparse.Namespace, out: Output) -> int:
    sport_id = await resolve_sport(client, _id_or_name(args.sport))
    tournament_id = None
    if args.tournament is not None:
        tournament = await resolve_tournament(client, _id_or_name(args.tournament), sport=sport_id)
        tournament_id = tournament.tournament_id
    if args.live:
        found = await client.fixtures_live(sport_id=sport_id, tournament_id=tournament_id)
    else:
        now = dt.datetime.now(dt.UTC)
        found = await client.fixtures(
            sport_id=sport_id,
            tournament_id=tournament_id,
            start_from=now,
            start_to=now + dt.timedelta(hours=args.hours),
        )
    found = sorted(found, key=lambda f: (f.start_time or 0, f.fixture_id))
    if out.as_json:
        out.json(found)
    else:
        out.table(
            "fixtures",
            ["fixtureId", "start", "fixture", "tournament", "pinnacleId"],
            [
                [
                    f.fixture_id,
                    _when(f.start_time),
                    f.name,
                    f.tournament.tournament_name if f.tournament else None,
                    f.external_providers.pinnacle_id if f.external_providers else None,
                ]
                for f in found
            ],
        )
    return 0


async def _markets(client: AsyncOddsPapiClient, args: argparse.Namespace, out: Output) -> int:
    sport_id = await resolve_sport(client, _id_or_name(args.sport))
    markets = MarketCatalogue(await client.markets(sport_id)).markets
    if args.name:
        wanted = args.name.casefold()
        markets = [m for m in markets if wanted in m.market_name.casefold()]
    if out.as_json:
        out.json(markets)
    else:
        out.table(
            "markets (each line is its own market)",
            ["marketId", "name", "line", "outcomes"],
            [
                [
                    m.market_id,
                    m.market_name,
                    m.handicap,
                    ", ".join(f"{o.outcome_name}={o.outcome_id}" for o in m.outcomes),
                ]
                for m in markets
            ],
        )
    return 0


def _odds_rows(
    odds: FixtureOdds, currencies: dict[str, str], outcome: int | None
) -> list[list[Any]]:
    rows = []
    for slug, quotes in sorted(odds.odds.items()):
        state = odds.bookmakers.get(slug)
        flags = []
        if state is not None and state.stale_odds:
            flags.append("STALE")
        if state is not None and state.suspended:
            flags.append("SUSPENDED")
        for oid, q in sorted(quotes.items(), key=lambda kv: kv[1].outcome_id):
            if outcome is not None and q.outcome_id != outcome:
                continue
            live = q.active and q.market_active and not flags
            status = "live" if live else ",".join(flags) or "inactive"
            rows.append(
                [slug, q.outcome_id, q.price, q.limit, currencies.get(slug, "USD"), status, oid]
            )
    return rows


async def _odds(client: AsyncOddsPapiClient, args: argparse.Namespace, out: Output) -> int:
    bookmakers = args.bookmakers.split(",") if args.bookmakers else None
    odds = await client.fixture_odds(args.fixture_id, bookmakers=bookmakers)
    if out.as_json:
        out.json(odds)
        return 0
    currencies = {b.slug: b.limit_currency or "USD" for b in await client.bookmakers()}
    out.table(
        f"odds of {args.fixture_id}",
        ["bookmaker", "outcomeId", "price", "limit", "currency", "status", "oddsId"],
        _odds_rows(odds, currencies, args.outcome),
    )
    return 0


async def _watch(client: AsyncOddsPapiClient, args: argparse.Namespace, out: Output) -> int:
    """Print the fixture's quotes, then each change: from the live stream (resumed or re-read
    over REST after any drop), or with ``--poll`` by polling ``/fixtures/odds`` within the odds
    budget."""
    shown: dict[str, tuple[float, float | None, bool]] = {}
    changes = 0

    def show(oid: str, price: float, limit: float | None, live: bool) -> bool:
        """Print one quote if it changed; True once ``--count`` changes were printed."""
        nonlocal changes
        if shown.get(oid) == (price, limit, live):
            return False
        shown[oid] = (price, limit, live)
        changes += 1
        if out.as_json:
            out.json({"oddsId": oid, "price": price, "limit": limit, "live": live})
        else:
            out.console.print(f"{oid}  {price:<6} limit {limit}  {'live' if live else 'not live'}")
        return bool(args.count) and changes >= args.count

    with anyio.move_on_after(args.seconds):
        if not args.poll:
            async with OddsStream(client, args.resolved_key, fixture_ids=[args.fixture_id]) as s:
                for oid, q in sorted(s.odds.all_quotes().items()):
                    if show(oid, q.price, q.limit, s.odds.live(oid) is not None):
                        return 0
                async for q in s:
                    oid = odds_id(q.fixture_id, q.bookmaker, q.outcome_id, q.player_id)
                    if show(oid, q.price, q.limit, s.odds.live(oid) is not None):
                        return 0
        while True:
            odds = await client.fixture_odds(args.fixture_id)
            for slug, quotes in odds.odds.items():
                state = odds.bookmakers.get(slug)
                dead = state is not None and (state.stale_odds or state.suspended)
                for oid, row in quotes.items():
                    live = row.active and row.market_active and not dead
                    if show(oid, row.price, row.limit, live):
                        return 0
            await anyio.sleep(args.interval)
    return 0


def _id_or_name(text: str) -> int | str:
    return int(text) if text.isdigit() else text


def _run(command: Command) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        out = Output(args.json)
        key = args.api_key or os.environ.get(ENV_API_KEY)
        base_url = args.base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL
        secrets = [k for k in (key,) if k]

        async def main() -> int:
            if not key:
                raise InvalidInput(
                    f"no API key: set ${ENV_API_KEY} or pass --api-key", field="api_key"
                )
            args.resolved_key = key
            async with AsyncOddsPapiClient(key, base_url, timeout=args.timeout) as client:
                return await command(client, args, out)

        try:
            return anyio.run(main)
        except (InvalidInput, EntitlementError) as exc:
            print(f"error: {type(exc).__name__}: {redact(str(exc), secrets)}", file=sys.stderr)
            return 2
        except WagerkitError as exc:
            print(f"error: {type(exc).__name__}: {redact(str(exc), secrets)}", file=sys.stderr)
            return 1

    return run


def register(subparsers: Any) -> None:
    """Add ``oddspapi`` and its sub-commands to the ``wagerkit`` parser."""
    p = subparsers.add_parser("oddspapi", help="find fixtures, markets and odds on OddsPapi")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--api-key", default=None, help=f"API key (default ${ENV_API_KEY})")
    common.add_argument(
        "--base-url", default=None, help=f"REST base URL with language (default ${ENV_BASE_URL})"
    )
    common.add_argument("--json", action="store_true", help="print JSON instead of tables")
    common.add_argument("--timeout", type=float, default=30.0, help="per-call timeout, seconds")
    sub = p.add_subparsers(dest="oddspapi_command", required=True, metavar="COMMAND")

    def add(name: str, command: Command, help: str) -> argparse.ArgumentParser:
        sp: argparse.ArgumentParser = sub.add_parser(name, parents=[common], help=help)
        sp.set_defaults(func=_run(command))
        return sp

    add("sports", _sports, "the sports this key may see")
    sp = add("tournaments", _tournaments, "tournaments of a sport")
    sp.add_argument("--sport", default="Soccer", help="sport id or name (default Soccer)")
    sp = add("fixtures", _fixtures, "fixtures of a sport or tournament starting soon")
    sp.add_argument("--sport", default="Soccer", help="sport id or name (default Soccer)")
    sp.add_argument("--tournament", help="tournament id or name, e.g. 'Serie A'")
    sp.add_argument("--hours", type=float, default=48.0, help="window from now (default 48)")
    sp.add_argument("--live", action="store_true", help="live fixtures instead")
    sp = add("markets", _markets, "the market catalogue with outcome ids")
    sp.add_argument("--sport", default="Soccer", help="sport id or name (default Soccer)")
    sp.add_argument("--name", help="only markets whose name contains this")
    sp = add("odds", _odds, "every bookmaker's odds of one fixture")
    sp.add_argument("fixture_id")
    sp.add_argument("--bookmakers", help="comma-separated slugs (at most 5)")
    sp.add_argument("--outcome", type=int, help="only this outcome id")
    sp = add("watch", _watch, "follow a fixture's odds on the live stream, printing changes")
    sp.add_argument("fixture_id")
    sp.add_argument("--poll", action="store_true", help="poll REST instead of the stream")
    sp.add_argument("--interval", type=float, default=1.0, help="seconds between --poll polls")
    sp.add_argument("--count", type=int, default=0, help="stop after N changes")
    sp.add_argument("--seconds", type=float, default=None, help="stop after S seconds")
