"""OddsPapi's budgets are never exceeded: per key and per endpoint, from the documented
defaults and from the headers. The server counts every request in exact sliding windows and
answers 429 to one too many; a polite client draws none."""

from __future__ import annotations

import math
import time
from collections import deque

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.oddspapi.conftest import QUICKSTART_FIXTURE
from wagerkit.clock import FakeClock
from wagerkit.oddspapi import AsyncOddsPapiClient, EndpointLimits
from wagerkit.oddspapi.limits import is_odds_endpoint
from wagerkit.sim.oddspapi.scenario import load_overlay
from wagerkit.sim.oddspapi.testing import running_oddspapi

pytestmark = pytest.mark.anyio


async def test_a_burst_on_the_odds_endpoint_stays_within_10_per_second() -> None:
    """25 concurrent odds calls take at least two extra windows and draw no 429, while another
    endpoint's budget is untouched by the burst."""
    async with running_oddspapi() as sim, sim.client() as client:
        started = time.monotonic()
        async with anyio.create_task_group() as tg:
            for _ in range(25):
                tg.start_soon(client.fixture_odds, QUICKSTART_FIXTURE)
        took = time.monotonic() - started
        assert sim.sim.rejected_429 == 0
        assert took >= 2.0  # 10 + 10 + 5: two full windows waited
        other = time.monotonic()
        await client.currencies()  # its own budget: no wait behind the odds burst
        assert time.monotonic() - other < 0.5
        assert client.limits.budgets()["/fixtures/odds"] == (10, 1.0)
        assert client.limits.budgets()["/currencies"] == (200, 60.0)


async def test_a_lower_limit_in_the_headers_is_obeyed() -> None:
    """The server allows 3 odds calls per second while the client assumes the documented 10:
    the first answer's X-RateLimit-* headers shrink the budget and no call is refused."""
    overlay = load_overlay()
    data = {
        "name": "tight",
        "keys": [{"name": k.name, "apiKey": k.api_key} for k in overlay.keys],
        "rateLimits": {"odds": [3, 1.0], "other": [200, 60.0]},
    }
    async with running_oddspapi(data) as sim, sim.client() as client:
        for _ in range(8):
            await client.fixture_odds(QUICKSTART_FIXTURE)
        assert sim.sim.rejected_429 == 0
        assert client.limits.budgets()["/fixtures/odds"][0] == 3


async def test_two_clients_of_one_key_share_one_budget() -> None:
    """By default every client of one key at one server shares its budget: 22 calls split over
    two clients draw no 429; another key, or another server, has its own budget."""
    async with running_oddspapi() as sim:
        key, url = sim.api_key, sim.base_url
        async with (
            AsyncOddsPapiClient(key, url) as a,
            AsyncOddsPapiClient(key, url) as b,
            anyio.create_task_group() as tg,
        ):
            assert a.limits is b.limits is EndpointLimits.shared(url, key)
            for i in range(22):
                tg.start_soon((a if i % 2 else b).fixture_odds, QUICKSTART_FIXTURE)
        assert sim.sim.rejected_429 == 0
        other = sim.key("soccer-only")
        assert EndpointLimits.shared(url, other) is not EndpointLimits.shared(url, key)
        assert EndpointLimits.shared(url + "x", key) is not EndpointLimits.shared(url, key)


def test_odds_endpoints_are_the_odds_family() -> None:
    assert is_odds_endpoint("/fixtures/odds") and is_odds_endpoint("/fixtures/odds/main")
    assert not is_odds_endpoint("/fixtures") and not is_odds_endpoint("/fixtures/mapping")


@settings(max_examples=100, deadline=None)
@given(
    server_limit=st.integers(min_value=1, max_value=12),
    gaps=st.lists(st.floats(min_value=0.0, max_value=0.6), min_size=1, max_size=40),
)
def test_the_venue_never_counts_more_than_the_limit_its_headers_announce(
    server_limit: int, gaps: list[float]
) -> None:
    """Whatever the venue's real budget (at or below the documented 10/s, or above it) and
    however requests are spaced, a client that reads the X-RateLimit-* headers of each answer
    never lands more than the venue's limit in any one-second window (venue modelled exactly,
    time fake)."""
    clock = FakeClock(auto_advance=True)
    limits = EndpointLimits(clock=clock)
    path = "/fixtures/odds"
    arrivals: deque[float] = deque()

    async def run() -> None:
        for gap in gaps:
            await clock.sleep(gap)
            await limits.acquire(path)
            now = clock.monotonic()
            while arrivals and arrivals[0] <= now - 1.0:
                arrivals.popleft()
            assert len(arrivals) < server_limit, "the venue would answer 429"
            arrivals.append(now)
            reset_in = arrivals[0] + 1.0 - now
            limits.observe(
                path,
                200,
                {
                    "x-ratelimit-limit": str(server_limit),
                    "x-ratelimit-remaining": str(server_limit - len(arrivals)),
                    "x-ratelimit-reset": str(math.ceil(clock.time() + reset_in)),
                },
            )

    anyio.run(run)
