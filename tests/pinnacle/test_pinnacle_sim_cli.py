"""``wagerkit sim pinnacle``: the real bound port once listening; mistakes are one line."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from wagerkit.cli import main


def _clean_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.startswith("error: ") and captured.err.count("\n") == 1, captured.err
    assert "Traceback" not in captured.err and captured.out == ""
    return captured.err


def test_a_busy_port_or_a_missing_scenario_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        err = _clean_error(capsys, ["sim", "pinnacle", "--port", str(port)])
        assert f"127.0.0.1:{port} is already in use" in err
    err = _clean_error(
        capsys, ["sim", "pinnacle", "--port", "0", "--scenario", str(tmp_path / "nope.yaml")]
    )
    assert "nope.yaml" in err


def test_port_0_prints_the_real_port_once_listening() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "wagerkit", "sim", "pinnacle", "--port", "0", "--policy", "off"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)", first)
        assert match, first
        port = int(match.group(1))
        assert port != 0
        # printed only once listening: the first request right after the line succeeds
        reply = httpx.get(f"http://127.0.0.1:{port}/v1/client/balance", timeout=5)
        assert reply.status_code in (200, 401)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
