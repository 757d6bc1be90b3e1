"""The README's OddsPapi stream and historical snippets run as pasted and print what their
comments say; the stream's names in backticks exist."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import wagerkit.oddspapi.stream as stream_module
from wagerkit.oddspapi.liveodds import LiveOdds

README = Path(__file__).resolve().parents[2] / "README.md"


def _subsection() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("### OddsPapi live stream and historical odds")
    return text[start : text.index("<!-- /section:oddspapi -->", start)]


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", _subsection(), flags=re.S)


def _run(code: str) -> list[str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})  # noqa: S102
    return out.getvalue().splitlines()


def test_the_stream_snippet() -> None:
    assert _run(_blocks()[0]) == ["9 7", "pinnacle 101 2.2", "None"]


def test_the_historical_snippet() -> None:
    (line,) = _run(_blocks()[1])
    assert line == "id1000004461512432:pinnacle:101:0 1.78 72"


def test_named_stream_api_exists() -> None:
    names = set(re.findall(r"`(\w+)(?:\(\))?`", _subsection()))
    assert {"OddsStream", "TooManyConnections"} <= names
    for name in ("OddsStream", "TooManyConnections"):
        assert hasattr(stream_module, name)
    assert {"live", "live_quotes"} <= names and all(
        hasattr(LiveOdds, n) for n in ("live", "live_quotes")
    )
