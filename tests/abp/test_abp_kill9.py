"""kill -9 of a bot at random moments: restart, recover, continue; no intent twice, none lost.

The bot (``killbot.py``) runs in its own process against the simulator, placing through the
order manager with the SQLite journal. It is killed with SIGKILL at 20 random moments while it
places (between journal and send, mid-request, mid-commit, between answer and journal...),
restarted each time, and finally left to finish. Then ABP must hold exactly one order per
intent, and the journal must know every one of them.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import msgspec
import pytest

from wagerkit.abp import AbpClient
from wagerkit.execution import SqliteJournal
from wagerkit.sim.abp.testing import SimHandle
from wagerkit.transport import RateLimiter

pytestmark = pytest.mark.anyio
BOT = Path(__file__).with_name("killbot.py")
INTENTS = 600
KILLS = 20


def start(sim: SimHandle, db: Path, ref: str) -> subprocess.Popen[str]:
    env = dict(os.environ, ABP_API_KEY=sim.api_key)
    return subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(BOT), sim.base_url, str(db), ref, str(INTENTS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def wait_ready(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith("ready"):
            return
        if not line and proc.poll() is not None:
            err = proc.stderr.read() if proc.stderr else ""
            raise AssertionError(f"bot died before ready: {err[-2000:]}")
    raise AssertionError("bot never got ready")


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_kill_9_at_random_moments_never_doubles_or_loses_an_intent(
    abp_sim: SimHandle, tmp_path: Path
) -> None:
    ref = "kill9"
    db = tmp_path / "bot.db"
    rng = random.Random(4242)
    kills = 0
    while kills < KILLS:
        proc = start(abp_sim, db, ref)
        wait_ready(proc)
        time.sleep(rng.uniform(0.0, 0.08))  # noqa: ASYNC251 - the loop has nothing else to do
        if proc.poll() is not None:
            break  # it finished everything before the kill: no moment left to hit
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        kills += 1
    final = start(abp_sim, db, ref)
    _, err = final.communicate(timeout=60)
    assert final.returncode == 0, err[-2000:]
    async with AbpClient(abp_sim.api_key, abp_sim.base_url, limiter=RateLimiter(100_000)) as c:
        orders = [o async for o in c.iter_orders(user_ref=ref)]
    per_intent = Counter(o.meta["intent"] for o in orders)
    doubled = {i: k for i, k in per_intent.items() if k > 1}
    lost = set(range(INTENTS)) - set(per_intent)
    assert kills >= KILLS, f"only {kills} kills landed while the bot was placing"
    assert doubled == {}, f"intents placed twice: {doubled}"
    assert lost == set(), f"intents never placed: {sorted(lost)}"
    with SqliteJournal(db) as journal:
        rows = journal.history(user_ref=ref)
        assert journal.unresolved() == []
    known = {r.key for r in rows if r.status == "ACCEPTED"}
    unknown = {o.request_uuid for o in orders} - known
    assert not unknown, [(r.key, r.status, r.venue_status) for r in rows if r.key in unknown][:5]
    assert all(o.bets for o in orders), "every intent was placed (none declined)"
    intents = Counter(msgspec.json.decode(r.payload)["meta"]["intent"] for r in rows if r.payload)
    assert len(intents) == INTENTS
