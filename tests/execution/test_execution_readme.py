"""The README's execution section runs as pasted and its commands are the real ones."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

import pytest

from wagerkit.cli import build_parser

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def section() -> str:
    start = README.index("<!-- section:execution -->")
    return README[start : README.index("<!-- /section:execution -->", start)]


def test_the_snippet_places_journals_and_reads_the_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = re.search(r"```python\n(.*?)```", section(), re.S)
    assert code is not None
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.group(1), "README-execution", "exec"), {})  # noqa: S102
    assert out.getvalue().splitlines() == ["ACCEPTED FILLED", "abp ACCEPTED FILLED 1"]
    assert (tmp_path / "orders.sqlite").is_file()


def test_the_history_commands_parse() -> None:
    block = re.search(r"```bash\n(.*?)```", section(), re.S)
    assert block is not None
    lines = [ln.split("#")[0].strip() for ln in block.group(1).splitlines() if ln.strip()]
    assert len(lines) == 4
    for line in lines:
        argv = shlex.split(line.replace("<requestUuid>", "k"))
        assert argv[0] == "wagerkit"
        args = build_parser().parse_args(argv[1:])
        assert args.command == "history" and args.db == "orders.sqlite"
