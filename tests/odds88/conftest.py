"""Fixtures for the Odds88 tests: a local server on a fake clock and a client bound to it.

Client tests run under asyncio and trio (``anyio_backend`` is parametrized here); the server
runs in its own thread either way. The clock is shared by server and client so a test can move
time past the 10-minute subscription expiry or the 24-hour token life without waiting.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from wagerkit.clock import FakeClock
from wagerkit.odds88 import Odds88Client
from wagerkit.sim.odds88.testing import RunningOdds88, odds88_server
from wagerkit.transport.retry import RetryPolicy

PASSWORD = "s3cret-pa55word-odds88"
FAST_RETRY = RetryPolicy(attempts=3, timeout=5.0, wait_initial=0.01, wait_max=0.05)


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def server(clock: FakeClock) -> Iterator[RunningOdds88]:
    with odds88_server(password=PASSWORD, clock=clock, ping_interval=0.1, live_delay=5.0) as srv:
        yield srv


@pytest.fixture
async def client(server: RunningOdds88, clock: FakeClock) -> AsyncIterator[Odds88Client]:
    async with Odds88Client(
        server.base_url,
        server.client_id,
        server.password,
        clock=clock,
        timeout=5.0,
        retry=FAST_RETRY,
    ) as odds88:
        yield odds88
