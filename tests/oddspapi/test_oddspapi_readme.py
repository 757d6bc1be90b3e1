"""The README's OddsPapi section is run, not just read: each Python snippet executes as pasted
(against the in-process servers it starts), each ``wagerkit oddspapi`` line of the shell block
runs against the local server with the key the block exports, and the API names in backticks
exist."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

import pytest

import wagerkit.oddspapi as oddspapi
from wagerkit.cli import main
from wagerkit.sim.oddspapi.testing import running_oddspapi

README = Path(__file__).resolve().parents[2] / "README.md"


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index("<!-- section:oddspapi -->") : text.index("<!-- /section:oddspapi -->")]


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", _section(), flags=re.S)


def _run(code: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})  # noqa: S102
    return out.getvalue()


def test_discover_then_trade_on_abp() -> None:
    out = _run(_blocks("python")[0]).splitlines()
    assert out[0] == "{'1': 101, 'X': 102, '2': 103}"
    assert out[1] == (
        "{'fixtureId': 'id1000004461512432', 'outcomeId': 103, 'playerId': 0} "
        "id1000004461512432:pinnacle:103:0 1610000001"
    )
    assert out[2].startswith("['pinnacle', 'sharpbet'] [")  # the betslip, one accepted order
    assert out[2].count("'") == 6


def test_the_book_snippet_prints_what_its_comments_say() -> None:
    out = _run(_blocks("python")[1]).splitlines()
    assert out == ["2.0 1588613", "1.98"]


def test_the_shell_block(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (block,) = _blocks("bash")
    lines = [line.split("#")[0].strip() for line in block.splitlines()]
    export = next(line for line in lines if line.startswith("export "))
    env = dict(pair.split("=", 1) for pair in shlex.split(export)[1:])
    assert env["ODDSPAPI_BASE_URL"].endswith(":8083/en") and "--port 8083" in block
    commands = [shlex.split(line)[1:] for line in lines if line.startswith("wagerkit oddspapi")]
    assert len(commands) == 4
    with running_oddspapi() as papi:
        assert env["ODDSPAPI_API_KEY"] == papi.api_key  # the default scenario's key
        monkeypatch.setenv("ODDSPAPI_API_KEY", env["ODDSPAPI_API_KEY"])
        monkeypatch.setenv("ODDSPAPI_BASE_URL", papi.base_url)
        monkeypatch.setenv("COLUMNS", "160")
        for argv in commands:
            if argv[1] == "watch":
                argv = [*argv[:-1], "0.5"]  # the same command, shorter
            assert main(argv) == 0, argv
            assert capsys.readouterr().out


def test_named_api_exists() -> None:
    for name in re.findall(r"`(\w+)`", _section()):
        if name[0].isupper() and name in {
            "AsyncOddsPapiClient",
            "OddsPapiClient",
            "OddsBook",
            "SportNotAllowed",
            "BookmakerNotAllowed",
            "ChannelNotAllowed",
            "EntitlementError",
            "RateLimiterDown",
            "InvalidRequest",
            "EndpointLimits",
        }:
            assert hasattr(oddspapi, name), name
    assert {"Selection", "find_selection", "outcome_ids"} <= set(oddspapi.__all__)
