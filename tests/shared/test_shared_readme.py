"""The README's "Running many bots" snippet runs as printed, against Redis and the simulator."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.shared.redis_server import RedisServer
from wagerkit.sim.abp.testing import SimHandle

ROOT = Path(__file__).resolve().parents[2]


def _section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Running many bots")
    return readme[start : readme.index("\n## ", start + 1)]


def test_many_bots_snippet_runs(abp_sim: SimHandle, redis_server: RedisServer) -> None:
    code = re.search(r"```python\n(.*?)```", _section(), re.S)
    assert code is not None
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(sys.path),
        "WAGERKIT_REDIS_URL": redis_server.url,
        "ABP_API_KEY": abp_sim.api_key,
        "ABP_BASE_URL": abp_sim.base_url,
    }
    done = subprocess.run(  # noqa: S603 - our interpreter, the README's own code
        [sys.executable, "-c", code.group(1)],
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert done.stdout.decode().strip() == "ACCEPTED"


def test_the_section_names_the_cli_and_the_error() -> None:
    section = _section()
    for name in ("wagerkit budget", "SharedStateUnavailable", "--json", "adopt()"):
        assert name in section, name
