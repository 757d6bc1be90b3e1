"""Benchmark fixtures and the end-of-run table of engine-versus-baseline medians."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest
import tests.reference as reference_module

from benches import ratio_gate

REPORT = Path(".benchmarks") / "wagerkit-ratios.json"
"""Where the timed run leaves its comparisons (git-ignored)."""


@pytest.fixture(scope="session")
def core() -> ModuleType:
    """The compiled engine; a missing engine fails the benchmarks, it is never skipped."""
    return importlib.import_module("wagerkit._core")


@pytest.fixture(scope="session")
def ref() -> ModuleType:
    """The pure-Python reference of docs/engine.md."""
    return reference_module


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the medians and ratios measured in this run (only when timing was enabled)."""
    if not ratio_gate.RESULTS:
        return
    terminalreporter.section("engine vs baseline (medians, same run)")
    for line in ratio_gate.summary_lines():
        terminalreporter.write_line(line)
    ratio_gate.write_report(Path(terminalreporter.config.rootpath) / REPORT)
    terminalreporter.write_line(f"saved to {REPORT}")
