"""``wagerkit sim abp``: serve the ABP simulator on 127.0.0.1 until stopped.

An ordinary mistake (a busy port, a non-loopback ``--host``, a missing or bad scenario file)
is one ``error:`` line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import shlex
import sys
import threading
from typing import Any

from wagerkit.errors import WagerkitError
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


def startup_error(exc: BaseException, host: str, port: int) -> str:
    """One line for a simulator that could not start (shared by the ``wagerkit sim`` CLIs)."""
    if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
        return f"{host}:{port} is already in use (pick another --port, or --port 0 for a free one)"
    if isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM):
        return f"not allowed to listen on {host}:{port} (use a port above 1023, or --port 0)"
    if isinstance(exc, OverflowError):
        return f"--port must be 0..65535, got {port}"
    if isinstance(exc, FileNotFoundError):
        return f"file not found: {exc.filename}"
    if isinstance(exc, OSError) and exc.strerror:
        where = f" {exc.filename}" if exc.filename else f" ({host}:{port})"
        return f"{exc.strerror.lower()}{where}"
    return str(exc)


def run(args: argparse.Namespace) -> int:
    """Start the server, print where it listens and the key(s), block until interrupted."""
    try:
        config = SimConfig(
            scenario=load_scenario(args.scenario),
            api_key=args.api_key,
            admin=args.admin,
            db_path=args.db,
        )
        sim = AbpSim(config)
        server = ServerThread(create_app(sim=sim), host=args.host, port=args.port)
        server.start()
    except (OSError, OverflowError, ValueError, WagerkitError) as exc:
        print(f"error: {startup_error(exc, args.host, args.port)}", file=sys.stderr)
        return 2
    try:
        print(f"ABP simulator listening on {server.base_url}  (WebSocket {server.ws_url}/ws)")
        clients = list(sim.keys.clients())
        for client in clients:
            print(f"  client {client.name}: x-api-key: {client.key}")
        if config.admin:
            print(f"  admin controls: {server.base_url}{config.admin_prefix}")
        if config.db_path:
            print(f"  state kept in {config.db_path}")
        if clients:
            # Without ABP_BASE_URL the client talks to the real ABP: export both, always.
            print("Point the client (and `wagerkit abp ...`) at this simulator, not the real ABP:")
            print(
                f"  export ABP_BASE_URL={shlex.quote(server.base_url)} "
                f"ABP_API_KEY={shlex.quote(clients[0].key)}"
            )
        print("Press Ctrl+C to stop.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    finally:
        server.stop()
    return 0
