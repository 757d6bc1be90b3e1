"""``wagerkit oddspapi …`` and ``wagerkit sim oddspapi`` against the local server."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import threading
import time

import httpx
import pytest

from tests.oddspapi.conftest import QUICKSTART_FIXTURE
from wagerkit.cli import main
from wagerkit.sim.oddspapi.testing import RunningOddsPapi


@pytest.fixture
def env(oddspapi_sim: RunningOddsPapi, monkeypatch: pytest.MonkeyPatch) -> RunningOddsPapi:
    monkeypatch.setenv("ODDSPAPI_API_KEY", oddspapi_sim.api_key)
    monkeypatch.setenv("ODDSPAPI_BASE_URL", oddspapi_sim.base_url)
    monkeypatch.setenv("COLUMNS", "160")
    return oddspapi_sim


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["oddspapi", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_tables(env: RunningOddsPapi, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "sports")
    assert code == 0 and "Soccer" in out
    code, out, _ = run(capsys, "tournaments", "--sport", "Soccer")
    assert code == 0 and "Serie A" in out and "Italy" in out
    code, out, _ = run(capsys, "fixtures", "--tournament", "Serie A")
    assert code == 0 and QUICKSTART_FIXTURE in out and "AS Roma v Cagliari Calcio" in out
    code, out, _ = run(capsys, "markets", "--name", "full time result")
    assert code == 0 and "1=101, X=102, 2=103" in out
    code, out, _ = run(capsys, "odds", "id1000001772221240")
    assert code == 0 and "STALE" in out and "GBP" in out  # vertex is stale on this fixture
    assert env.api_key not in out


def test_json(env: RunningOddsPapi, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "odds", QUICKSTART_FIXTURE, "--json", "--bookmakers", "sharpbet")
    assert code == 0
    odds = json.loads(out)
    assert odds["odds"]["sharpbet"][f"{QUICKSTART_FIXTURE}:sharpbet:103:0"]["price"] == 2.0
    code, out, _ = run(capsys, "fixtures", "--sport", "10", "--json", "--hours", "25")
    assert [f["fixtureId"] for f in json.loads(out)] == [QUICKSTART_FIXTURE]
    for mode in ([], ["--poll"]):  # the live stream, then REST polling: the same quotes
        code, out, _ = run(capsys, "watch", QUICKSTART_FIXTURE, "--json", "--count", "7", *mode)
        lines = [json.loads(line) for line in out.splitlines()]
        assert code == 0 and len(lines) == 7, mode
        assert {x["oddsId"]: x["price"] for x in lines}[
            f"{QUICKSTART_FIXTURE}:sharpbet:103:0"
        ] == 2.0


def test_watch_prints_a_move_from_the_stream(
    env: RunningOddsPapi, capsys: pytest.CaptureFixture[str]
) -> None:
    """After the fixture's 7 quotes, the 8th line is a move the server made while the command
    watched (the server keeps moving one quote, so the test does not race the login)."""
    moved = f"{QUICKSTART_FIXTURE}:vertex:101:0"
    done = threading.Event()

    def mover() -> None:
        for i in itertools.count():
            if done.wait(0.3):
                return
            env.sim.world.move(moved, price=(1.69, 1.68)[i % 2])

    thread = threading.Thread(target=mover, daemon=True)
    thread.start()
    try:
        code, out, _ = run(
            capsys, "watch", QUICKSTART_FIXTURE, "--json", "--count", "8", "--seconds", "60"
        )
    finally:
        done.set()
        thread.join(timeout=5)
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(lines) == 8
    assert lines[-1]["oddsId"] == moved and lines[-1]["price"] in (1.69, 1.68)


def test_errors_are_one_line(
    env: RunningOddsPapi, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ODDSPAPI_API_KEY", env.key("soccer-only"))
    code, _, err = run(capsys, "tournaments", "--sport", "11")
    assert code == 2 and err.startswith("error: SportNotAllowed")
    monkeypatch.delenv("ODDSPAPI_API_KEY")
    code, _, err = run(capsys, "sports")
    assert code == 2 and "ODDSPAPI_API_KEY" in err


def test_sim_command_serves_the_api() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "wagerkit", "sim", "oddspapi", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        key = proc.stdout.readline().split()[-1]
        url = first.split()[4]
        assert url.startswith("http://127.0.0.1:") and url.endswith("/en")
        deadline = time.monotonic() + 10
        while True:
            try:
                answer = httpx.get(url + "/sports", params={"apiKey": key})
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert answer.status_code == 200 and answer.json()[0]["sportName"] == "Soccer"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
