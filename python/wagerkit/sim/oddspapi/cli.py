"""``wagerkit sim oddspapi``: serve the local OddsPapi v5 API on 127.0.0.1 until Ctrl-C.

The same world as ``wagerkit sim abp`` (fixtures, outcome ids, bookmakers, prices), so a bot can
discover on this server and trade on the local ABP. Prints the REST root (with its language)
and the scenario's keys once the server is really listening.
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
from wagerkit.sim.oddspapi.app import build_app
from wagerkit.sim.oddspapi.service import OddsPapiSim

__all__ = ["register"]


def register(sim_subparsers: Any) -> None:
    """Add ``oddspapi`` to ``wagerkit sim``."""
    parser: argparse.ArgumentParser = sim_subparsers.add_parser(
        "oddspapi", help="a local OddsPapi v5 server: REST + WebSocket"
    )
    parser.add_argument(
        "--port", type=int, default=8083, help="port on 127.0.0.1 (default 8083; 0 = a free one)"
    )
    parser.add_argument("--scenario", default=None, help="OddsPapi overlay (YAML or JSON)")
    parser.add_argument("--abp-scenario", default=None, help="ABP scenario it builds on")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    try:
        sim = OddsPapiSim(args.scenario, abp_scenario=args.abp_scenario)
        server = ServerThread(build_app(sim), port=args.port).start()
    except (OSError, OverflowError, ValueError, WagerkitError) as exc:
        print(f"error: {startup_error(exc, '127.0.0.1', args.port)}", file=sys.stderr)
        return 2
    try:
        print(f"local OddsPapi API on {server.base_url}/en (WebSocket {server.ws_url}/ws)")
        for key in sim.overlay.keys:
            print(f"  key {key.name}: {key.api_key}")
        print(f"faults: POST {server.base_url}/admin/rest/... and /admin/stream/... (see README)")
        print("Ctrl-C to stop", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    finally:
        server.stop()
    return 0
