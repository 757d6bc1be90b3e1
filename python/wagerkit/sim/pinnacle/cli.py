"""``wagerkit sim pinnacle``: serve the local Pinnacle API on 127.0.0.1 until Ctrl-C.

The address is printed once the server is really listening, with the real port (``--port 0``
picks a free one). A busy port or a bad scenario file is one ``error:`` line and exit 2.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
from typing import Any

from wagerkit.errors import WagerkitError
from wagerkit.sim._server import ServerThread
from wagerkit.sim.abp.cli import startup_error
from wagerkit.sim.pinnacle.app import build_app
from wagerkit.sim.pinnacle.simulator import PinnacleSim

__all__ = ["register"]


def register(sim_subparsers: Any) -> None:
    """Add ``pinnacle`` to ``wagerkit sim``."""
    parser: argparse.ArgumentParser = sim_subparsers.add_parser(
        "pinnacle", help="local Pinnacle Lines/Bets/Customer API (fair use, live delay, settlement)"
    )
    parser.add_argument(
        "--port", type=int, default=8082, help="port on 127.0.0.1 (default 8082; 0 = a free one)"
    )
    parser.add_argument("--username", default="demo", help="accepted username (default demo)")
    parser.add_argument("--password", default="demo", help="accepted password (default demo)")
    parser.add_argument("--scenario", default=None, help="YAML or JSON scenario file")
    parser.add_argument(
        "--policy",
        default=None,
        choices=["2018", "2022", "2025", "off"],
        help="fair-use preset enforced with 429s (default: the scenario's, 2025)",
    )
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    try:
        sim = PinnacleSim(args.scenario, users={args.username: args.password}, policy=args.policy)
        server = ServerThread(build_app(sim), port=args.port).start()
    except (OSError, OverflowError, ValueError, WagerkitError) as exc:
        print(f"error: {startup_error(exc, '127.0.0.1', args.port)}", file=sys.stderr)
        return 2
    try:
        print(
            f"local Pinnacle API on {server.base_url} "
            f"(user {args.username!r}, fair use {sim.policy_name}); Ctrl-C to stop",
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    finally:
        server.stop()
    return 0
