"""``wagerkit history``: the bot's orders and bets as its SQLite journal recorded them.

Reads the journal read-only (the bot may keep running and writing it): one row per intent
(when it was created, the venue, the key, the local status and the venue's own status), or,
with ``--key``, every event of one intent (sends, answers, status changes). Filters: ``--venue``,
``--user-ref``, ``--status`` (local status such as UNKNOWN, or the venue's word such as
FILLED), ``--since``/``--until`` (ISO 8601, or a span back from now: ``90s``, ``30m``, ``2h``,
``7d``). ``--json`` prints one JSON document instead of a table.

The journal path comes from ``--db`` or ``$WAGERKIT_JOURNAL``. Exit codes: 0 shown (also when
nothing matched), 2 a bad argument or no journal at that path.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

import msgspec
from rich.console import Console
from rich.table import Table

from wagerkit.errors import InvalidInput
from wagerkit.execution import JournalEntry, JournalIntent, SqliteJournal
from wagerkit.execution.lifecycle import iso

__all__ = ["ENV_JOURNAL", "main", "parse_when", "register"]

ENV_JOURNAL = "WAGERKIT_JOURNAL"

_SPAN = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_UNIT = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_when(text: str, now: float | None = None) -> float:
    """Epoch seconds from ISO 8601 (a time without a zone is UTC) or a span back from now."""
    now = time.time() if now is None else now
    span = _SPAN.match(text.strip())
    if span is not None:
        return now - float(span.group(1)) * _UNIT[span.group(2)]
    try:
        when = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            f"not a time: {text!r} (ISO 8601, or a span such as 30m, 2h, 7d)", field="since"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp()


def _request(payload: bytes | None) -> Any:
    if payload is None:
        return None
    try:
        return msgspec.json.decode(payload)
    except msgspec.DecodeError:
        return None


def _row_json(r: JournalIntent) -> dict[str, Any]:
    return {
        "venue": r.venue,
        "key": r.key,
        "kind": r.kind,
        "userRef": r.user_ref,
        "createdAt": iso(r.created_at),
        "status": r.status,
        "statusAt": iso(r.status_at),
        "venueId": r.venue_id,
        "venueStatus": r.venue_status,
        "attempts": r.attempts,
        "expiresAt": iso(r.expires_at) if r.expires_at is not None else None,
        "decidableAt": iso(r.decidable_at) if r.decidable_at is not None else None,
        "request": _request(r.payload),
    }


def _event_json(e: JournalEntry) -> dict[str, Any]:
    return {
        "at": iso(e.at),
        "event": e.event,
        "note": e.note,
        "attempt": e.attempt,
        "venueId": e.venue_id,
        "venueStatus": e.venue_status,
        "decidableAt": iso(e.decidable_at) if e.decidable_at is not None else None,
    }


def intents_table(rows: list[JournalIntent]) -> Table:
    table = Table(title=f"{len(rows)} intent(s)")
    for name in ("created", "venue", "kind", "key", "user ref", "status", "venue says", "id"):
        table.add_column(name)
    table.add_column("sends", justify="right")
    table.add_column("decidable")
    for r in rows:
        table.add_row(
            iso(r.created_at),
            r.venue,
            r.kind,
            r.key,
            r.user_ref or "",
            r.status,
            r.venue_status or "",
            r.venue_id or "",
            str(r.attempts),
            iso(r.decidable_at) if r.decidable_at is not None else "",
        )
    return table


def events_table(venue: str, key: str, events: list[JournalEntry]) -> Table:
    table = Table(title=f"{venue} {key}")
    for name in ("at", "event", "note", "venue says", "id", "decidable"):
        table.add_column(name)
    for e in events:
        event = e.event if e.attempt is None else f"{e.event} #{e.attempt}"
        table.add_row(
            iso(e.at),
            event,
            e.note,
            e.venue_status or "",
            e.venue_id or "",
            iso(e.decidable_at) if e.decidable_at is not None else "",
        )
    return table


def _show(args: argparse.Namespace, console: Console) -> int:
    path = args.db or os.environ.get(ENV_JOURNAL)
    if not path:
        raise InvalidInput(f"no journal: pass --db or set ${ENV_JOURNAL}", field="db")
    if not Path(path).is_file():
        raise InvalidInput(f"no journal at {path}", field="db")
    since = parse_when(args.since) if args.since else None
    until = parse_when(args.until) if args.until else None
    journal = SqliteJournal(path, read_only=True)
    try:
        if args.key:
            venues = [args.venue] if args.venue else sorted({r.venue for r in journal.history()})
            for venue in venues:
                events = journal.events(venue, args.key)
                if events:
                    if args.json:
                        doc = {"venue": venue, "key": args.key}
                        doc["events"] = [_event_json(e) for e in events]
                        sys.stdout.write(msgspec.json.encode(doc).decode() + "\n")
                    else:
                        console.print(events_table(venue, args.key, events))
                    return 0
            raise InvalidInput(f"no intent with key {args.key}", field="key")
        rows = journal.history(
            venue=args.venue,
            user_ref=args.user_ref,
            status=args.status,
            since=since,
            until=until,
            limit=args.limit,
        )
    finally:
        journal.close()
    if args.json:
        sys.stdout.write(msgspec.json.encode([_row_json(r) for r in rows]).decode() + "\n")
    else:
        console.print(intents_table(rows))
    return 0


def main(args: argparse.Namespace, console: Console | None = None) -> int:
    if console is None:
        console = Console()
        if not console.is_terminal:
            console = Console(width=max(200, console.width))
    try:
        return _show(args, console)
    except InvalidInput as exc:
        sys.stderr.write(f"wagerkit history: {exc}\n")
        return 2


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be > 0")
    return value


def register(subparsers: Any) -> None:
    """Add ``history`` to the ``wagerkit`` parser."""
    p = subparsers.add_parser(
        "history", help="orders and bets from the bot's SQLite journal (tables or --json)"
    )
    p.add_argument("--db", default=None, help=f"journal file (default ${ENV_JOURNAL})")
    p.add_argument("--venue", help="abp, pinnacle, odds88 ...")
    p.add_argument("--user-ref")
    p.add_argument("--status", help="local (ACCEPTED, UNKNOWN ...) or the venue's (FILLED ...)")
    p.add_argument("--since", help="ISO 8601 or a span back from now (30m, 2h, 7d)")
    p.add_argument("--until", help="ISO 8601 or a span back from now")
    p.add_argument("--limit", type=_positive_int)
    p.add_argument("--key", help="every event of the intent with this key")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=main)
