"""The ``wagerkit`` command.

Each area registers its own sub-commands (``register(subparsers)``) so that this module stays a
table of contents: ``demo``, ``sim abp|pinnacle|odds88``, ``abp …``.

Only the area the user asked for is imported: the others appear in ``--help`` as one line each
from the tables below, so ``wagerkit --help`` does not load rich or a simulator, and a command
whose optional dependencies are missing says which extra to install instead of a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from wagerkit import __version__


@dataclass(frozen=True, slots=True)
class _Area:
    """One command: its name, its one-line help, the module exposing ``register(subparsers)``
    and the extras (``pip install 'wagerkit[...]'``) it needs beyond the core install."""

    name: str
    help: str
    module: str
    extras: tuple[str, ...]


_COMMANDS: tuple[_Area, ...] = (
    _Area(
        "demo",
        "run the demo against the embedded quickstart data / simulator",
        "wagerkit.cli.demo",
        ("sim", "cli"),
    ),
    _Area("abp", "trade through ABP (or the local simulator)", "wagerkit.cli.abp", ("cli",)),
    _Area(
        "history",
        "the bot's order and bet history, read from the execution journal",
        "wagerkit.cli.history",
        ("cli",),
    ),
    _Area("oddspapi", "find fixtures and odds (OddsPapi)", "wagerkit.cli.oddspapi", ("cli",)),
    _Area("budget", "shared rate budgets (Redis)", "wagerkit.cli.budget", ("redis", "cli")),
)

# ``wagerkit sim <venue>``
_SIMULATORS: tuple[_Area, ...] = (
    _Area(
        "odds88",
        "local Odds88 server (login, cashout, feeds, Bets V2)",
        "wagerkit.sim.odds88.cli",
        ("sim",),
    ),
    _Area("abp", "a local ABP (v2) server: REST + WebSocket", "wagerkit.sim.abp.cli", ("sim",)),
    _Area(
        "pinnacle",
        "local Pinnacle Lines/Bets/Customer API (fair use, live delay, settlement)",
        "wagerkit.sim.pinnacle.cli",
        ("sim",),
    ),
    _Area("oddspapi", "local OddsPapi v5: REST + WebSocket", "wagerkit.sim.oddspapi.cli", ("sim",)),
)
_SIM_HELP = "run a local venue simulator on 127.0.0.1"

# top-level module of an optional dependency -> the extra that installs it
_EXTRA_OF: dict[str, str] = {
    "rich": "cli",
    "starlette": "sim",
    "uvicorn": "sim",
    "yaml": "sim",
}


class MissingExtra(Exception):
    """A command needs an optional dependency that is not installed."""

    def __init__(self, command: str, extras: Sequence[str]) -> None:
        names = " and ".join(f"'{e}'" for e in extras)
        plural = "extras" if len(extras) > 1 else "extra"
        super().__init__(
            f"wagerkit {command} needs the {names} {plural}: "
            f"pip install 'wagerkit[{','.join(extras)}]'"
        )


def _missing_extra(error: ModuleNotFoundError, command: str, declared: Sequence[str]) -> None:
    """Turn the import error of an optional dependency into :class:`MissingExtra`."""
    root = (error.name or "").partition(".")[0]
    extra = _EXTRA_OF.get(root)
    if extra is None:
        return
    extras = [e for e in declared if e != extra]
    raise MissingExtra(command, [extra, *extras]) from error


def _register(
    area: _Area, subparsers: argparse._SubParsersAction[argparse.ArgumentParser], command: str
) -> None:
    try:
        importlib.import_module(area.module).register(subparsers)
    except ModuleNotFoundError as error:
        _missing_extra(error, command, area.extras)
        raise


def build_parser(only: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """Build the argument parser.

    ``only`` is the command path the user chose (``["sim", "abp"]``, ``["demo"]``, ``[]`` for
    none): only that area is imported, every other command is a one-line placeholder. ``None``
    (tests, documentation) imports and registers every area.
    """
    parser = argparse.ArgumentParser(
        prog="wagerkit", description="Betting-bot toolkit for ABP, OddsPapi, Pinnacle and Odds88."
    )
    parser.add_argument("--version", action="version", version=f"wagerkit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    first = None if only is None else (only[0] if only else "")
    for area in _COMMANDS:
        if first is None or first == area.name:
            _register(area, sub, area.name)
        else:
            sub.add_parser(area.name, help=area.help)
    sim = sub.add_parser("sim", help=_SIM_HELP)
    sim_sub = sim.add_subparsers(dest="venue", required=True, metavar="VENUE")
    venue = None if only is None else (only[1] if first == "sim" and len(only) > 1 else "")
    for area in _SIMULATORS:
        if venue is None or venue == area.name:
            _register(area, sim_sub, "sim")
        else:
            sim_sub.add_parser(area.name, help=area.help)
    return parser


def _chosen(argv: Sequence[str]) -> list[str]:
    """The leading positional words of ``argv`` (the command path), options skipped."""
    return [word for word in argv if not word.startswith("-")][:2]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    words = list(sys.argv[1:] if argv is None else argv)
    chosen = _chosen(words)
    declared: tuple[str, ...] = ()
    for area in _COMMANDS:
        if chosen and chosen[0] == area.name:
            declared = area.extras
    if chosen and chosen[0] == "sim":
        declared = ("sim",)
    try:
        args = build_parser(chosen).parse_args(words)
        try:
            result: int = args.func(args)
        except ModuleNotFoundError as error:  # a lazily imported optional dependency
            _missing_extra(error, chosen[0] if chosen else "", declared)
            raise
    except MissingExtra as error:
        print(error, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return result


if __name__ == "__main__":
    sys.exit(main())
