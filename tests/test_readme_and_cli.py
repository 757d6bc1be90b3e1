"""The README's promises: its engine tour runs as printed, its two commands are the real ones,
and the ``wagerkit`` command exposes what the README documents."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from wagerkit.cli import build_parser
from wagerkit.cli.demo import run_engine_demo

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def test_engine_tour_snippet_runs_and_fills_as_the_comment_says() -> None:
    """The engine section's example is executable and routes 1000 USD as described."""
    section = _section("The engine")
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.group(1), "README-engine", "exec"), {})  # noqa: S102
    lines = out.getvalue().splitlines()
    assert lines[1:] == [
        "sharpbet 2.0 751.34 EUR",  # best price first: sharpbet's whole limit
        "pinnacle 1.99 113.87 USD",  # then pinnacle, after the hot-path update to 1.99
        "filled 1000.00",
    ]
    best, available = lines[0].split()
    assert best == "2.0"
    assert int(available) == 88613 + 1500000  # 886.13 USD + 15000.00 USD, minor units


def test_the_two_commands_are_the_ones_ci_runs() -> None:
    """README command 1 installs and runs the demo; command 2 is exactly what .ci/run runs."""
    commands = _section("The two commands")
    assert "python3 -m pip install '.[sim,cli]' && python3 -m wagerkit demo" in commands
    assert "bash scripts/check" in commands
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "exec bash scripts/check" in ci
    check = (ROOT / "scripts" / "check").read_text(encoding="utf-8")
    for step in (
        "cargo test",
        "pytest",
        "--benchmark-enable",
        "mypy",
        "ruff",
        "stubtest",
        "scripts/check-wheels",
    ):
        assert step in check, step


def test_engine_demo_prints_the_documented_plans() -> None:
    """`wagerkit demo --engine`: the merged book and one plan per mode with ABP's outcomes."""
    buffer = io.StringIO()
    assert run_engine_demo(Console(file=buffer, width=160)) == 0
    out = " ".join(buffer.getvalue().split())  # rich wraps titles to the table width
    for expected in (
        "751.34 EUR",
        "886.13 USD",
        "113.87 USD",
        "mode 3 → FILLED",
        "mode 2 → PARTIAL",  # pinnacle alone: its 15000 USD limit, the rest keeps trying
        "filled 15000.00 of 20000.00 USD",
        "mode 1 → DECLINED (Stake exceeds limit: Order stake 20000.00 USD exceeds available "
        "limit 15000.00 USD)",
        "mode 4 → WAITING",
        "filled 9.99 of 10.00 USD",
    ):
        assert expected in out, expected


def test_command_line_lists_every_documented_command() -> None:
    """demo, abp (with its sub-commands) and the three simulators are all registered."""
    parser = build_parser()
    help_text = parser.format_help()
    for command in ("demo", "abp", "sim"):
        assert command in help_text
    args = parser.parse_args(["sim", "pinnacle", "--port", "0"])
    assert args.venue == "pinnacle"
    for venue in ("abp", "odds88"):
        assert parser.parse_args(["sim", venue]).venue == venue
    for sub in (
        "accounts",
        "betslip",
        "place",
        "cancel",
        "orders",
        "bets",
        "positions",
        "pnl",
        "watch",
    ):
        assert sub in README, sub


def test_python_dash_m_entry_point_works() -> None:
    """`python -m wagerkit` is the same command as the console script."""
    result = subprocess.run(
        [sys.executable, "-m", "wagerkit", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "demo" in result.stdout and "sim" in result.stdout
