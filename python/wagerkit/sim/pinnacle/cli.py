"""``wagerkit sim pinnacle``: serve the local Pinnacle API on 127.0.0.1 until Ctrl-C."""

from __future__ import annotations

import argparse
from typing import Any

import uvicorn

from wagerkit.sim._server import LOOPBACK
from wagerkit.sim.pinnacle.app import build_app
from wagerkit.sim.pinnacle.simulator import PinnacleSim

__all__ = ["register"]


def register(sim_subparsers: Any) -> None:
    """Add ``pinnacle`` to ``wagerkit sim``."""
    parser: argparse.ArgumentParser = sim_subparsers.add_parser(
        "pinnacle", help="local Pinnacle Lines/Bets/Customer API (fair use, live delay, settlement)"
    )
    parser.add_argument("--port", type=int, default=8082, help="port on 127.0.0.1 (default 8082)")
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
    sim = PinnacleSim(args.scenario, users={args.username: args.password}, policy=args.policy)
    print(
        f"local Pinnacle API on http://{LOOPBACK}:{args.port} "
        f"(user {args.username!r}, fair use {sim.policy_name}); Ctrl-C to stop"
    )
    uvicorn.run(build_app(sim), host=LOOPBACK, port=args.port, log_level="warning")
    return 0
