"""Run the kill -9 bot (``killbot.py``) again and again, killing it with SIGKILL at random
moments, until it has been killed ``kills`` times; then let one run finish. Bounded: every wait
has a deadline, and the whole loop has one."""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.childenv import child_env

BOT = Path(__file__).with_name("killbot.py")


def _env() -> dict[str, str]:
    return child_env()  # the interpreter's own wagerkit, and the repo root for ``tests``


def _wait_for(proc: subprocess.Popen[bytes], word: bytes, deadline: float) -> bool:
    """Read the bot's lines until ``word`` (True) or its exit / the deadline (False)."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    buf = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            chunk = os.read(fd, 4096)
            if not chunk:
                return False
            buf += chunk
            if word in buf.split(b"\n"):
                return True
        elif proc.poll() is not None:
            return False
    return False


def kill_repeatedly(
    args: list[str], *, kills: int, seed: int, max_delay: float, budget: float = 120.0
) -> tuple[int, int]:
    """Start the bot, SIGKILL it ``max_delay``·U(0,1) seconds after it started (it recovers
    and places meanwhile), ``kills`` times; then run it to ``done``. Returns (kills, runs)."""
    rng = random.Random(seed)
    end = time.monotonic() + budget
    done = runs = 0
    while time.monotonic() < end:
        runs += 1
        errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
        proc = subprocess.Popen(  # noqa: S603 - our own script, our interpreter
            [sys.executable, str(BOT), *args],
            stdout=subprocess.PIPE,
            stderr=errors,
            env=_env(),
        )
        try:
            assert _wait_for(proc, b"start", end), "the bot did not start"
            if done < kills:
                time.sleep(rng.uniform(0.0, max_delay))
                if proc.poll() is None:
                    proc.send_signal(signal.SIGKILL)
                    done += 1
                proc.wait(timeout=10)
                continue
            finished = _wait_for(proc, b"done", end)
            proc.wait(timeout=10)
            if not (finished and proc.returncode == 0):
                errors.seek(0)
                tail = errors.read()[-3000:].decode("utf-8", "replace")
                raise AssertionError(f"the last run ended {proc.returncode}:\n{tail}")
            return done, runs
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
            if proc.stdout is not None:
                proc.stdout.close()
            errors.close()
    raise AssertionError(f"out of time after {done} kills in {runs} runs")
