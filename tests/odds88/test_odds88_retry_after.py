"""Hostile ``Retry-After`` headers: parsed into a bounded wait, surfaced instead of slept on.

A venue (or a broken proxy) can answer 429 with ``Retry-After: inf``, ``1e400``, a date in the
year 9999 or garbage. None of these may crash (OverflowError), park a bot for days, or be slept
on inside a call: a wait longer than the retry policy's ``max_retry_after`` reaches the caller as
RateLimited with ``retry_after`` clamped to at most RateLimited.MAX_RETRY_AFTER.
"""

from __future__ import annotations

import math

import pytest

from wagerkit.errors import MaybePlaced, RateLimited
from wagerkit.odds88 import Odds88Client
from wagerkit.odds88.responses import parse_retry_after
from wagerkit.sim.odds88.testing import RunningOdds88

from .helpers import bet_request

pytestmark = pytest.mark.anyio

CAP = RateLimited.MAX_RETRY_AFTER


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("inf", CAP),
        ("Infinity", CAP),
        ("1e400", CAP),
        ("99999999999", CAP),
        ("Fri, 31 Dec 9999 23:59:59 GMT", CAP),
        ("-5", 0.0),
        ("-inf", 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # in the past
        ("nan", 1.0),  # unreadable: the default
        ("Wed, 21 Oct 99999 07:28:00 GMT", 1.0),
        ("soon", 1.0),
        ("", 1.0),
        (None, 1.0),
        (" 7 ", 7.0),
    ],
)
def test_every_retry_after_becomes_a_finite_bounded_wait(
    header: str | None, seconds: float
) -> None:
    wait = parse_retry_after(header, 1.0)
    assert math.isfinite(wait) and 0.0 <= wait <= CAP
    assert wait == seconds


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize("header", ["inf", "1e400", "99999999999", "Fri, 31 Dec 9999 23:59:59 GMT"])
async def test_a_huge_retry_after_on_a_read_is_rate_limited_not_overflow(
    client: Odds88Client, server: RunningOdds88, header: str
) -> None:
    server.sim.inject_fault("/api/CurrencyExchange", f"429:{header}")
    with pytest.raises(RateLimited) as info:
        await client.active_currencies()
    assert info.value.retry_after == CAP
    assert server.sim.pending_faults("/api/CurrencyExchange") == 0


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_retry_after_in_the_past_is_retried_at_once(
    client: Odds88Client, server: RunningOdds88
) -> None:
    server.sim.inject_fault("/api/CurrencyExchange", "429:Wed, 21 Oct 2015 07:28:00 GMT")
    assert await client.active_currencies()


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_huge_retry_after_on_a_placement_places_nothing(
    client: Odds88Client, server: RunningOdds88
) -> None:
    """429 means the bet was not taken: RateLimited (not MaybePlaced), nothing stored."""
    server.sim.inject_fault("/api/players/p1/Bets/V2", "429:inf")
    with pytest.raises(RateLimited) as info:
        await client.place_bet("p1", bet_request())
    assert not isinstance(info.value, MaybePlaced)
    assert info.value.retry_after == CAP
    assert not server.sim.bets
