"""The README's ABP strategy snippet, run as printed (only the environment points it at the
local simulator), under asyncio and trio: it must print stream events and terminate."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.abp.conftest import sim_client
from tests.childenv import child_pythonpath
from wagerkit.abp import AbpClient
from wagerkit.abp.stream import AbpStream
from wagerkit.errors import AuthError
from wagerkit.sim.abp.testing import SimHandle

README = Path(__file__).resolve().parents[2] / "README.md"


def _snippet() -> str:
    text = README.read_text()
    section = text[text.index("<!-- section:abp -->") : text.index("<!-- /section:abp -->")]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    return str(next(b for b in blocks if "AbpStream" in b))


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_the_readme_strategy_prints_events_and_ends(abp_sim: SimHandle, backend: str) -> None:
    code = _snippet()
    if backend == "trio":  # the README says how: anyio.run(main, backend="trio")
        code = code.replace("anyio.run(main)", 'anyio.run(main, backend="trio")')
        assert 'backend="trio"' in code
    env = {"ABP_API_KEY": abp_sim.api_key, "ABP_BASE_URL": abp_sim.base_url, "PATH": ""}
    proc = subprocess.run(  # noqa: S603 (the README's own code, our interpreter)
        [sys.executable, "-c", code],
        env={**env, "PYTHONPATH": child_pythonpath()},  # the interpreter's own wagerkit
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    events = [ln for ln in lines if ln.startswith(("orders ", "bets ", "balance "))]
    assert events, proc.stdout
    assert any(ln.startswith("orders ") for ln in events), proc.stdout
    assert lines[-1].startswith("done: FILLED") and "CONFIRMED" in lines[-1], proc.stdout


@pytest.mark.anyio
async def test_entering_the_stream_waits_for_the_login(abp_sim: SimHandle) -> None:
    async with sim_client(abp_sim) as client, AbpStream(client, connect_timeout=10) as stream:
        assert stream.connects == 1  # logged in and subscribed before the body runs
        await stream.wait_connected(1)  # still available


@pytest.mark.anyio
async def test_entering_the_stream_raises_a_refused_login(abp_sim: SimHandle) -> None:
    async with AbpClient("not-the-key", abp_sim.base_url) as client:
        with pytest.raises(AuthError):
            async with AbpStream(client, connect_timeout=10):
                pytest.fail("entered without a login")


@pytest.mark.anyio
async def test_entering_is_bounded_by_connect_timeout(abp_sim: SimHandle) -> None:
    async with sim_client(abp_sim) as client:
        stream = AbpStream(client, ws_url="ws://127.0.0.1:9/ws", connect_timeout=0.5)
        with pytest.raises(TimeoutError):
            async with stream:
                pytest.fail("entered without a login")
