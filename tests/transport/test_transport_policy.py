"""Rate limiter, retry policy, reconnect backoff, blocking runner and secret redaction."""

from __future__ import annotations

import pytest
import stamina

from wagerkit.errors import (
    ConnectFailed,
    Declined,
    InvalidInput,
    MaybePlaced,
    RateLimited,
    ServerError,
    clamp_retry_after,
    redact,
)
from wagerkit.transport import Backoff, BlockingRunner, RateLimiter, RetryPolicy


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_allows_burst_then_paces() -> None:
    """`burst` requests go at once; the next waits 1/rate; refills with time."""
    clock = FakeClock()
    limiter = RateLimiter(10, burst=3, clock=clock)
    assert [limiter.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.reserve() == pytest.approx(0.1)
    assert limiter.reserve() == pytest.approx(0.2)  # queued behind the previous waiter
    clock.now = 10.0
    assert limiter.reserve() == 0.0


def test_token_bucket_never_exceeds_rate_over_a_window() -> None:
    """Over any stretch, granted-by-time requests never exceed burst + rate * elapsed."""
    clock = FakeClock()
    limiter = RateLimiter(100, clock=clock)
    send_times = []
    for _ in range(500):
        delay = limiter.reserve()
        send_times.append(clock.now + delay)
        clock.now += 0.001
    horizon = max(send_times)
    assert len(send_times) <= 100 + 100 * horizon + 1e-6


def test_shared_limiter_is_one_per_name() -> None:
    """Every client asking for the same name gets the same bucket."""
    assert RateLimiter.shared("t-shared", 5) is RateLimiter.shared("t-shared", 5)
    assert RateLimiter.shared("t-a", 5) is not RateLimiter.shared("t-b", 5)


def test_shared_limiter_refuses_a_conflicting_rate() -> None:
    """Two clients may not silently disagree about one venue's request budget."""
    RateLimiter.shared("t-conflict", 5)
    with pytest.raises(InvalidInput, match="already runs at 5/s"):
        RateLimiter.shared("t-conflict", 50)


@pytest.mark.parametrize(
    ("given", "expected"),
    [(1.5, 1.5), (-3, 0.0), (float("inf"), 3600.0), (1e9, 3600.0), (float("nan"), 1.0)],
)
def test_hostile_retry_after_is_clamped(given: float, expected: float) -> None:
    """A venue cannot crash us (inf, NaN) or park us for days (1e9) with Retry-After."""
    assert clamp_retry_after(given) == expected
    assert RateLimited("429", retry_after=given).retry_after == expected


def test_long_retry_after_surfaces_instead_of_sleeping() -> None:
    """Waits beyond the policy's patience are the caller's decision, not a silent sleep."""
    policy = RetryPolicy(max_retry_after=10.0)
    assert policy.should_retry(RateLimited("429", retry_after=11), read=True) is False
    assert policy.should_retry(RateLimited("429", retry_after=float("inf")), read=True) is False


def test_limiter_rejects_nonsense() -> None:
    """A zero, negative or infinite rate is invalid input."""
    for rate in (0, -1, float("inf"), float("nan")):
        with pytest.raises(InvalidInput):
            RateLimiter(rate)


def test_retry_decisions() -> None:
    """Writes retry only when nothing could have been placed; reads also retry 5xx/ambiguous."""
    policy = RetryPolicy()
    wait = policy.should_retry(RateLimited("slow down", retry_after=1.5), read=False)
    assert not isinstance(wait, bool)
    assert wait.total_seconds() == 1.5
    assert policy.should_retry(ConnectFailed("refused"), read=False) is True
    assert policy.should_retry(MaybePlaced("timeout"), read=False) is False
    assert policy.should_retry(ServerError("boom", status=502), read=False) is False
    assert policy.should_retry(ServerError("boom", status=502), read=True) is True
    assert policy.should_retry(Declined("STAKE", "no"), read=True) is False


@pytest.mark.anyio
async def test_retry_policy_call_retries_then_succeeds() -> None:
    """A connect failure is retried with the same callable until it succeeds."""
    calls = []

    async def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectFailed("refused")
        return "ok"

    with stamina.set_testing(True, attempts=5):
        assert await RetryPolicy(attempts=5).call(flaky, read=False) == "ok"
    assert len(calls) == 3


@pytest.mark.anyio
async def test_retry_policy_never_retries_ambiguous_write() -> None:
    """MaybePlaced on a write surfaces at once: the caller must reconcile first."""
    calls = []

    async def ambiguous() -> str:
        calls.append(1)
        raise MaybePlaced("timeout", request_id="r1")

    with stamina.set_testing(True, attempts=5), pytest.raises(MaybePlaced):
        await RetryPolicy(attempts=5).call(ambiguous, read=False)
    assert len(calls) == 1


def test_backoff_grows_is_capped_and_resets() -> None:
    """Delays stay within the exponential ceiling and the maximum; reset starts over."""
    backoff = Backoff(initial=0.5, maximum=4.0, factor=2.0)
    for attempt in range(8):
        assert 0.0 <= backoff.next_delay() <= min(4.0, 0.5 * 2**attempt)
    assert backoff.attempts == 8
    backoff.reset()
    assert backoff.attempts == 0
    assert backoff.next_delay() <= 0.5


def test_blocking_runner_calls_and_iterates() -> None:
    """Blocking code can await a coroutine and walk an async iterator."""

    async def double(x: int) -> int:
        return 2 * x

    async def pages() -> object:
        for page in range(3):
            yield page

    runner = BlockingRunner()
    try:
        assert runner.call(double, 21) == 42
        assert list(runner.iterate(pages)) == [0, 1, 2]  # type: ignore[arg-type]
    finally:
        runner.close()


@pytest.mark.parametrize(
    "text",
    [
        'password="hunter22"',
        "apiKey: abcdef123",
        '{"x-api-key": "abcdef123"}',
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig",
        "token=abc.def.ghi&x=1",
    ],
)
def test_redact_masks_secret_looking_fields(text: str) -> None:
    """Secret-looking fields lose their values even when the secret is not known upfront."""
    out = redact(text)
    for secret in ("hunter22", "abcdef123", "eyJhbGciOiJIUzI1NiJ9", "abc.def.ghi"):
        assert secret not in out
    assert "***" in out


def test_redact_masks_short_known_secrets_too() -> None:
    """Even a two-character password is a secret."""
    assert "pw" not in redact("login failed: pw", ["pw"]).replace("login", "")


def test_redact_masks_known_secrets_anywhere() -> None:
    """A known secret is masked wherever it appears, even in free text."""
    assert redact("login failed for key s3cr3t-value!", ["s3cr3t-value"]) == (
        "login failed for key ***!"
    )


def test_blocking_runner_holds_an_async_context_open() -> None:
    """An async context entered through hold() stays open until the blocking exit."""
    import contextlib
    from collections.abc import AsyncIterator

    events: list[str] = []

    @contextlib.asynccontextmanager
    async def resource() -> AsyncIterator[str]:
        events.append("open")
        try:
            yield "handle"
        finally:
            events.append("closed")

    runner = BlockingRunner()
    try:
        with runner.hold(resource()) as handle:
            assert handle == "handle"
            assert events == ["open"]
        assert events == ["open", "closed"]
    finally:
        runner.close()


def test_backoff_survives_a_venue_down_for_days() -> None:
    """Thousands of failed reconnects keep giving bounded delays, never OverflowError."""
    backoff = Backoff(initial=0.5, maximum=30.0)
    delays = [backoff.next_delay() for _ in range(5000)]
    assert max(delays) <= 30.0


@pytest.mark.parametrize("fails", [False, True])
def test_close_after_runs_the_async_close_then_stops_the_runner(fails: bool) -> None:
    """A blocking client's close: the pool is closed on the loop, and the loop thread stops
    even when that close raises (the error still reaches the caller)."""
    closed: list[str] = []

    async def aclose() -> None:
        closed.append("pool")
        if fails:
            raise OSError("pool close failed")

    runner = BlockingRunner()
    if fails:
        with pytest.raises(OSError, match="pool close failed"):
            runner.close_after(aclose)
    else:
        runner.close_after(aclose)
    assert closed == ["pool"]

    async def noop() -> None:
        return None

    with pytest.raises(RuntimeError):  # the loop is gone: nothing more runs on it
        runner.call(noop)
