"""``wagerkit budget``: the rate budgets every bot process shares, read from Redis.

Shows, per budget (venue, key digest, endpoint class): requests used in the current window,
the limit, the window, how many processes are waiting and any penalty a venue imposed
(``Retry-After``). Tables for people, ``--json`` for machines. Read-only.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from typing import Any

from wagerkit.errors import WagerkitError
from wagerkit.execution.shared import budget_states, connect

ENV_REDIS_URL = "WAGERKIT_REDIS_URL"


def _run(args: argparse.Namespace) -> int:
    url = args.redis or os.environ.get(ENV_REDIS_URL) or "redis://127.0.0.1:6379/0"
    try:
        states = budget_states(connect(url, timeout=args.timeout, retries=1), args.prefix)
    except WagerkitError as exc:
        sys.stderr.write(f"wagerkit budget: {exc}\n")
        return 2
    if args.json:
        sys.stdout.write(json.dumps([dataclasses.asdict(s) for s in states]) + "\n")
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title="shared rate budgets")
    for col in ("budget", "used", "limit", "window s", "waiting", "held back s"):
        table.add_column(col, justify="left" if col == "budget" else "right")
    for s in states:
        table.add_row(
            s.name,
            str(s.used),
            str(s.limit),
            f"{s.window:g}",
            str(s.waiting),
            f"{s.blocked_for:.3f}" if s.blocked_for else "",
        )
    Console().print(table)
    return 0


def register(subparsers: Any) -> None:
    """Add ``budget`` to the ``wagerkit`` parser."""
    p = subparsers.add_parser("budget", help="the rate budgets shared by every process (Redis)")
    p.add_argument("--redis", default=None, help=f"Redis URL (default ${ENV_REDIS_URL})")
    p.add_argument("--prefix", default="wk", help="key prefix the bots use (default wk)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--timeout", type=float, default=1.0, help="Redis timeout, seconds")
    p.set_defaults(func=_run)
