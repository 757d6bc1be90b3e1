"""``wagerkit sim abp``: the command starts a server and prints its URL and key."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from wagerkit.cli import build_parser, main
from wagerkit.sim.abp.scenario import default_scenario_path, load_scenario


def test_parser_knows_sim_abp() -> None:
    args = build_parser().parse_args(
        ["sim", "abp", "--port", "0", "--api-key", "k", "--db", "x.db", "--admin"]
    )
    assert (args.port, args.api_key, args.db, args.admin, args.host) == (
        0,
        "k",
        "x.db",
        True,
        "127.0.0.1",
    )


def test_default_scenario_ships_and_loads() -> None:
    assert default_scenario_path().is_file()
    scenario = load_scenario()
    assert scenario.clients[0].name == "your-client"


def test_command_serves_and_prints_url_and_key(tmp_path: Path) -> None:
    env = dict(os.environ)
    cmd = [
        sys.executable,
        "-m",
        "wagerkit",
        "sim",
        "abp",
        "--port",
        "0",
        "--api-key",
        "cli-key-123",
        "--db",
        str(tmp_path / "s.db"),
    ]
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+)", first)
        assert match, first
        key_line = proc.stdout.readline()
        assert "cli-key-123" in key_line
        url = match.group(1)
        rest = [proc.stdout.readline() for _ in range(5)]
        exports = [line.strip() for line in rest if line.strip().startswith("export ")]
        # the exact line to paste: the sim's URL (never the real ABP) with the sim's key
        assert exports == [f"export ABP_BASE_URL={url} ABP_API_KEY=cli-key-123"], rest
        assert httpx.get(url + "/health", timeout=5).json() == {"status": "ok"}
        accounts = httpx.get(url + "/accounts", headers={"x-api-key": "cli-key-123"}, timeout=5)
        assert accounts.status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _clean_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.startswith("error: ") and captured.err.count("\n") == 1, captured.err
    assert "Traceback" not in captured.err + captured.out
    return captured.err


def test_ordinary_mistakes_are_one_error_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        err = _clean_error(capsys, ["sim", "abp", "--port", str(port)])
        assert f"127.0.0.1:{port} is already in use" in err and "--port 0" in err
    err = _clean_error(capsys, ["sim", "abp", "--host", "0.0.0.0", "--port", "0"])  # noqa: S104
    assert "loopback" in err
    missing = tmp_path / "nope.yaml"
    err = _clean_error(capsys, ["sim", "abp", "--port", "0", "--scenario", str(missing)])
    assert "nope.yaml" in err
    err = _clean_error(capsys, ["sim", "abp", "--port", "70000"])
    assert "65535" in err
