"""The README's "One manager, several venues" snippet runs as pasted (a fresh process in an empty
directory) against the in-process ABP and Pinnacle servers, and prints what its comments say:
both placements accepted, and after the simulated crash the bet that was on its way placed
exactly once by ``recover(resend=True)``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.childenv import child_env

README = Path(__file__).resolve().parents[2] / "README.md"
ROOT = README.parent


def _snippet() -> str:
    text = README.read_text(encoding="utf-8")
    section = text[
        text.index("<!-- section:execution-venues -->") : text.index(
            "<!-- /section:execution-venues -->"
        )
    ]
    [code] = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    return str(code)


def _run(cwd: Path) -> list[str]:
    env = child_env()  # the interpreter's own wagerkit (an installed wheel in CI)
    done = subprocess.run(  # noqa: S603 - our interpreter, the README's own code
        [sys.executable, "-c", _snippet()],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split("\n")[:-1]


def test_one_manager_two_venues_and_a_crash_runs_as_pasted(tmp_path: Path) -> None:
    expected = ["abp ACCEPTED", "pinnacle ACCEPTED", "pinnacle ACCEPTED 2", "1"]
    assert _run(tmp_path) == expected
    assert (tmp_path / "bot.sqlite").exists()
    assert _run(tmp_path) == expected  # again, on the journal the first run left
