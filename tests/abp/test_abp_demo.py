"""The end-to-end demo runs to completion against the embedded simulator."""

from __future__ import annotations

import io
import re

from rich.console import Console

from wagerkit.cli.abp_demo import run_demo


def test_demo_runs_every_step() -> None:
    buffer = io.StringIO()
    assert run_demo(Console(file=buffer, width=140)) == 0
    out = buffer.getvalue()
    for step in (
        "discover on OddsPapi",
        "fixtureId id1000004461512432",
        "outcomeId 103",
        "OddsPapi sharpbet   2.0   limit 751.34 EUR",
        "merged book",
        "preview",
        "CONFIRMED",
        "WON",
        "ABP /pnl",
        "converted to USD",
        "lifecycle",
    ):
        assert step in out, step
    lifecycle = out[out.index("lifecycle") :]
    times = re.findall(r"^\s+(\S+)\s+(?:CREATED|SENT|ACCEPTED|FILLED)\b", lifecycle, re.M)
    assert times, "the lifecycle lines are printed"
    for stamp in times:  # ISO 8601 UTC, not raw epoch seconds
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", stamp), stamp
