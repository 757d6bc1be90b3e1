"""``wagerkit sim abp``: serve the ABP simulator on 127.0.0.1 until stopped."""

from __future__ import annotations

import argparse
import contextlib
import threading
from typing import Any

from wagerkit.sim._server import LOOPBACK, ServerThread
from wagerkit.sim.abp.app import create_app
from wagerkit.sim.abp.config import SimConfig
from wagerkit.sim.abp.scenario import load_scenario
from wagerkit.sim.abp.service import AbpSim

__all__ = ["register", "run"]


def register(sim_subparsers: Any) -> None:
    """Add ``abp`` to ``wagerkit sim``."""
    p = sim_subparsers.add_parser("abp", help="a local ABP (v2) server: REST + WebSocket")
    p.add_argument("--host", default=LOOPBACK, help="loopback address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8055, help="port (default 8055; 0 picks a free one)")
    p.add_argument("--api-key", default=None, help="API key of the first client (default: random)")
    p.add_argument("--scenario", default=None, help="scenario YAML file (default: built-in)")
    p.add_argument("--db", default=None, help="SQLite file that keeps state across restarts")
    p.add_argument("--admin", action="store_true", help="mount the admin controls under /_admin")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Start the server, print where it listens and the key(s), block until interrupted."""
    config = SimConfig(
        scenario=load_scenario(args.scenario),
        api_key=args.api_key,
        admin=args.admin,
        db_path=args.db,
    )
    sim = AbpSim(config)
    server = ServerThread(create_app(sim=sim), host=args.host, port=args.port)
    with server:
        print(f"ABP simulator listening on {server.base_url}  (WebSocket {server.ws_url}/ws)")
        for client in sim.keys.clients():
            print(f"  client {client.name}: x-api-key: {client.key}")
        if config.admin:
            print(f"  admin controls: {server.base_url}{config.admin_prefix}")
        if config.db_path:
            print(f"  state kept in {config.db_path}")
        print("Press Ctrl+C to stop.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0
