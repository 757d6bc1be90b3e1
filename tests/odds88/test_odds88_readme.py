"""The README's Odds88 snippet runs as printed, under asyncio and trio: it places two bets
with Bets V2 in the local server, settles one and cashes out the other."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def _snippet() -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("<!-- section:odds88 -->") : text.index("<!-- /section:odds88 -->")]
    return str(re.findall(r"```python\n(.*?)```", section, flags=re.S)[0])


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_the_cashout_snippet_runs_as_printed(backend: str) -> None:
    code = _snippet()
    if backend == "trio":  # as its last line says
        assert code.count("anyio.run(main)") == 1
        code = code.replace("anyio.run(main)", 'anyio.run(main, backend="trio")')
    done = subprocess.run(  # noqa: S603 - our interpreter, the README's code
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "CashoutAvailable bet-1" in lines
    assert "CashoutNotSupported bet-2" in lines  # settled in the server: no cashout any more
    assert lines[-1] == "CashedOut bet-1"
