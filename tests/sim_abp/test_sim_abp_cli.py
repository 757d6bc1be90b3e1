"""``wagerkit sim abp``: the command starts a server and prints its URL and key."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx

from wagerkit.cli import build_parser
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
        assert httpx.get(url + "/health", timeout=5).json() == {"status": "ok"}
        accounts = httpx.get(url + "/accounts", headers={"x-api-key": "cli-key-123"}, timeout=5)
        assert accounts.status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
