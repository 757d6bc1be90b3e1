"""The end-to-end demo runs to completion against the embedded simulator."""

from __future__ import annotations

import io

from rich.console import Console

from wagerkit.abp.demo import run_demo


def test_demo_runs_every_step() -> None:
    buffer = io.StringIO()
    assert run_demo(Console(file=buffer, width=140)) == 0
    out = buffer.getvalue()
    for step in (
        "merged book",
        "preview",
        "CONFIRMED",
        "WON",
        "ABP /pnl",
        "converted to USD",
        "lifecycle",
    ):
        assert step in out, step
