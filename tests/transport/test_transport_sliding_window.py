"""The exact sliding-window limiter: never more than ``limit`` grants in any window of
``window`` seconds, from the very first request, across every client and thread that shares it;
and never fewer than the venue allows (a request is refused only when the window is full)."""

from __future__ import annotations

import threading
from bisect import bisect_left

import anyio
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wagerkit.abp.client import AbpClient, abp_limiter
from wagerkit.clock import FakeClock, SystemClock
from wagerkit.errors import InvalidInput
from wagerkit.transport import HttpTransport, Limiter, RateLimiter, SlidingWindowLimiter


class RecordingLimiter(SlidingWindowLimiter):
    """Logs every grant time (taken under the limiter's lock, at the moment it is made)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.log: list[float] = []

    def _grant(self, now: float) -> None:
        super()._grant(now)
        self.log.append(now)


def busiest_window(times: list[float], window: float) -> int:
    """The largest number of ``times`` inside any half-open window ``[t, t + window)``."""
    ordered = sorted(times)
    return max(
        (bisect_left(ordered, t + window) - i for i, t in enumerate(ordered)),
        default=0,
    )


def test_both_limiters_implement_the_interface() -> None:
    assert isinstance(SlidingWindowLimiter(5), Limiter)
    assert isinstance(RateLimiter(5), Limiter)


@settings(max_examples=200, deadline=None)
@given(
    limit=st.integers(1, 12),
    window=st.sampled_from([0.25, 1.0, 3.0]),
    gaps=st.lists(st.floats(0, 0.6, allow_nan=False), min_size=1, max_size=120),
)
def test_no_window_ever_holds_more_than_the_limit_and_no_request_is_refused_needlessly(
    limit: int, window: float, gaps: list[float]
) -> None:
    """try_acquire at arbitrary times: the grants never exceed ``limit`` in any window, and a
    request is refused only when ``limit`` grants already lie in the window ending at it."""
    clock = FakeClock()
    limiter = SlidingWindowLimiter(limit, window, clock=clock)
    granted: list[float] = []
    for gap in gaps:
        clock.advance(gap)
        now = clock.monotonic()
        if limiter.try_acquire():
            granted.append(now)
        else:
            recent = [t for t in granted if t > now - window]
            assert len(recent) >= limit
    assert busiest_window(granted, window) <= limit


@pytest.mark.anyio
async def test_four_clients_get_exactly_the_limit_in_the_first_second_on_a_frozen_clock() -> None:
    """The burst the token bucket allowed (206 in the first second with four clients) is gone:
    the first window holds exactly 100 requests, and every later window at most 100."""
    clock = FakeClock(auto_advance=True)
    limiter = RecordingLimiter(100, 1.0, clock=clock)
    arrived: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        arrived.append(clock.monotonic())
        return httpx.Response(200, json=[])

    clients = [
        AbpClient(
            "key",
            "https://abp.example.com",
            limiter=limiter,
            transport=httpx.MockTransport(handler),
        )
        for _ in range(4)
    ]

    async def burst(client: AbpClient) -> None:
        async with anyio.create_task_group() as tg:
            for _ in range(60):
                tg.start_soon(client.accounts)

    async with anyio.create_task_group() as tg:
        for client in clients:
            tg.start_soon(burst, client)
    for client in clients:
        await client.aclose()
    assert len(arrived) == 240
    assert sum(1 for t in arrived if t < 1.0) == 100
    assert busiest_window(arrived, 1.0) == 100
    assert busiest_window(limiter.log, 1.0) == 100


def test_threads_with_their_own_event_loops_share_one_exact_window_in_real_time() -> None:
    """Four threads (as four blocking clients would), real clock: 250 grants over about two
    seconds, never more than 100 in any sliding second, measured where the grant is made."""
    limiter = RecordingLimiter(100, 1.0, clock=SystemClock())
    errors: list[BaseException] = []

    async def worker(n: int) -> None:
        async with anyio.create_task_group() as tg:
            for _ in range(n):
                tg.start_soon(limiter.acquire)

    def run(n: int, backend: str) -> None:
        try:
            anyio.run(worker, n, backend=backend)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=run, args=(n, backend))
        for n, backend in [(70, "asyncio"), (60, "trio"), (60, "asyncio"), (60, "trio")]
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors
    assert len(limiter.log) == 250
    assert busiest_window(limiter.log, 1.0) == 100
    first = min(limiter.log)
    assert sorted(limiter.log)[100] - first >= 1.0  # the 101st waited for the window to slide


@pytest.mark.anyio
async def test_waiters_are_served_in_arrival_order_and_a_cancelled_one_gives_up_its_place() -> None:
    clock = FakeClock(auto_advance=True)
    limiter = SlidingWindowLimiter(2, 1.0, clock=clock)
    assert limiter.try_acquire() and limiter.try_acquire()
    order: list[str] = []

    async def take(name: str) -> None:
        await limiter.acquire()
        order.append(name)

    with anyio.move_on_after(0):  # cancelled while queued: must not block the queue
        await limiter.acquire()
    async with anyio.create_task_group() as tg:
        for name in "abcd":
            tg.start_soon(take, name)
            await anyio.lowlevel.checkpoint()
    assert order == list("abcd")


def test_a_queued_waiter_keeps_newcomers_from_jumping_ahead() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(1, 1.0, clock=clock)
    assert limiter.try_acquire()
    limiter._next_ticket += 1  # someone is waiting in acquire()
    clock.advance(2.0)
    assert not limiter.try_acquire()


def test_penalize_holds_every_grant_back_for_the_venue_wait() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(100, 1.0, clock=clock)
    limiter.penalize(2.5)
    assert not limiter.try_acquire()
    clock.advance(2.4)
    assert not limiter.try_acquire()
    clock.advance(0.1)
    assert limiter.try_acquire()


@pytest.mark.parametrize("hostile", [float("nan"), -5.0, 0.0])
def test_penalize_ignores_a_wait_that_is_not_a_positive_number(hostile: float) -> None:
    limiter = SlidingWindowLimiter(1, clock=FakeClock())
    limiter.penalize(hostile)
    assert limiter.try_acquire()


def test_penalize_is_capped_so_a_hostile_retry_after_cannot_park_the_process() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(1, clock=clock)
    limiter.penalize(1e9)
    clock.advance(60.0)
    assert limiter.try_acquire()


@pytest.mark.anyio
async def test_a_429_with_retry_after_holds_back_every_client_sharing_the_limiter() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(100, 1.0, clock=clock)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"retry-after": "3"})

    async with HttpTransport(
        "https://venue.example.com", limiter=limiter, transport=httpx.MockTransport(handler)
    ) as http:
        assert (await http.request("GET", "/x")).status_code == 429
    assert not limiter.try_acquire()
    clock.advance(3.0)
    assert limiter.try_acquire()


def test_the_token_bucket_honours_penalize_too() -> None:
    now = [0.0]
    bucket = RateLimiter(10, burst=5, clock=lambda: now[0])
    bucket.penalize(1.0)
    assert not bucket.try_acquire()
    now[0] = 1.05
    assert bucket.try_acquire()


def test_shared_limiters_are_one_per_name_and_refuse_a_different_budget() -> None:
    a = SlidingWindowLimiter.shared("t-sw", 7)
    assert SlidingWindowLimiter.shared("t-sw", 7) is a
    with pytest.raises(InvalidInput, match="already allows 7"):
        SlidingWindowLimiter.shared("t-sw", 8)
    assert abp_limiter("some-key") is abp_limiter("some-key")
    assert "some-key" not in repr(abp_limiter("some-key"))


@pytest.mark.parametrize(
    ("limit", "window", "guard"),
    [
        (0, 1.0, 0.0),
        (True, 1.0, 0.0),
        (1.5, 1.0, 0.0),
        (1, 0.0, 0.0),
        (1, float("inf"), 0.0),
        (1, 1.0, -1.0),
        (1, 1.0, float("nan")),
    ],
)
def test_bad_limiter_settings_are_refused(limit: object, window: float, guard: float) -> None:
    with pytest.raises(InvalidInput):
        SlidingWindowLimiter(limit, window, guard=guard)  # type: ignore[arg-type]


def test_abp_rate_must_be_a_whole_number() -> None:
    with pytest.raises(InvalidInput):
        abp_limiter("k", 99.5)


def test_real_time_test_helper_counts_windows() -> None:
    """The counting helper itself: three grants within a second, the fourth a second later."""
    assert busiest_window([0.0, 0.5, 0.99, 1.0], 1.0) == 3
    assert busiest_window([], 1.0) == 0
