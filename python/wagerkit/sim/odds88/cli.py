"""``wagerkit sim odds88``: serve the local Odds88 server on 127.0.0.1 until Ctrl+C."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from typing import Any

from wagerkit.errors import WagerkitError
from wagerkit.sim.abp.cli import startup_error
from wagerkit.sim.odds88.testing import DEFAULT_CLIENT_ID, DEFAULT_PASSWORD, odds88_server

__all__ = ["register", "run"]


def register(sim_subparsers: Any) -> None:
    """Add the ``odds88`` venue to ``wagerkit sim``."""
    parser: argparse.ArgumentParser = sim_subparsers.add_parser(
        "odds88",
        help="local Odds88 server (login, cashout, feeds, Bets V2)",
        description="Serve a local Odds88 API on 127.0.0.1. Prices move every --tick seconds.",
    )
    parser.add_argument("--port", type=int, default=8088, help="port on 127.0.0.1 (0 = any)")
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID, help="accepted clientId")
    parser.add_argument(
        "--password",
        default=os.environ.get("WAGERKIT_ODDS88_PASSWORD", DEFAULT_PASSWORD),
        help="accepted password (default: $WAGERKIT_ODDS88_PASSWORD or the documented default)",
    )
    parser.add_argument("--tick", type=float, default=2.0, help="seconds between price moves")
    parser.add_argument("--ping", type=float, default=15.0, help="seconds between feed pings")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; prices move every ``args.tick`` seconds."""
    if not 0 <= args.port <= 65535:
        print(f"error: --port must be 0..65535, got {args.port}", file=sys.stderr)
        return 2
    stop = threading.Event()
    server = odds88_server(
        port=args.port,
        client_id=args.client_id,
        password=args.password,
        ping_interval=args.ping,
    )
    try:
        srv = server.__enter__()
    except (OSError, ValueError, WagerkitError) as exc:
        print(f"error: {startup_error(exc, '127.0.0.1', args.port)}", file=sys.stderr)
        return 2
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())  # stop cleanly on `kill`
    try:
        print(f"Odds88 simulator on {srv.base_url} (feeds on {srv.ws_url})")
        print(f"clientId: {srv.client_id} (password not shown). Ctrl+C to stop.", flush=True)
        try:
            while not stop.wait(max(args.tick, 0.05)):
                srv.sim.tick()
        except KeyboardInterrupt:
            pass
    finally:
        server.__exit__()
    return 0
