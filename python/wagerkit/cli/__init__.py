"""The ``wagerkit`` command.

Each area registers its own sub-commands (``register(subparsers)``) so that this module stays a
table of contents: ``demo``, ``sim abp|pinnacle|odds88``, ``abp …``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# (top-level command, module exposing ``register(subparsers)``)
_COMMANDS: tuple[tuple[str, str], ...] = (
    ("demo", "wagerkit.cli.demo"),
    ("abp", "wagerkit.cli.abp"),
    ("history", "wagerkit.cli.history"),
)

# ``wagerkit sim <venue>``: module exposing ``register(sim_subparsers)``
_SIMULATORS: tuple[str, ...] = (
    "wagerkit.sim.odds88.cli",
    "wagerkit.sim.abp.cli",
    "wagerkit.sim.pinnacle.cli",
)


def build_parser() -> argparse.ArgumentParser:
    """Build the full argument parser (importing each area's registration lazily)."""
    parser = argparse.ArgumentParser(
        prog="wagerkit", description="Betting-bot toolkit for ABP, Pinnacle and Odds88."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for _name, module in _COMMANDS:
        importlib.import_module(module).register(sub)
    if _SIMULATORS:
        sim = sub.add_parser("sim", help="run a local venue simulator on 127.0.0.1")
        sim_sub = sim.add_subparsers(dest="venue", required=True, metavar="VENUE")
        for module in _SIMULATORS:
            importlib.import_module(module).register(sim_sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except KeyboardInterrupt:
        return 130
    return result


if __name__ == "__main__":
    sys.exit(main())
