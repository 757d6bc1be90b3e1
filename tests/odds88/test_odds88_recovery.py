"""Replay filtering and reconnect budgets, on their own (no network)."""

from __future__ import annotations

import pytest

from wagerkit.clock import FakeClock
from wagerkit.odds88.recovery import MAX_REVISION_AGE, ReconnectLimiter, ReplayFilter


def test_replayed_updates_of_the_last_second_are_skipped_once() -> None:
    f = ReplayFilter()
    seen = [f.accept(100.1, b"A"), f.accept(100.2, b"B"), f.accept(100.3, b"A")]
    assert seen == [True, True, True]  # A → B → A is three updates, not two
    assert f.revision == 100
    f.begin_replay()
    # the venue replays the whole second 100, then what we missed
    replay = [(100.1, b"A"), (100.2, b"B"), (100.3, b"A"), (100.4, b"C"), (101.0, b"A")]
    assert [f.accept(ts, key) for ts, key in replay] == [False, False, False, True, True]
    assert f.skipped == 3
    assert f.revision == 101


def test_an_unseen_update_inside_the_replayed_second_is_delivered() -> None:
    f = ReplayFilter()
    f.accept(50.5, b"A")
    f.begin_replay()
    assert f.accept(50.2, b"Z") is True  # published before A, never received
    assert f.accept(50.5, b"A") is False


def test_resume_revision_is_clamped_to_three_days() -> None:
    f = ReplayFilter(1_000)
    now = 1_000 + MAX_REVISION_AGE + 500
    revision, kind = f.resume_revision(now)
    assert kind == "small"
    assert now - revision < MAX_REVISION_AGE
    assert ReplayFilter(0).resume_revision(now) == (0, "small")
    assert ReplayFilter(int(now) - 10).resume_revision(now) == (int(now) - 10, "proper")


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_sixth_reconnect_in_five_minutes_waits_for_the_window() -> None:
    clock = FakeClock()
    limiter = ReconnectLimiter(clock)
    for _ in range(5):
        assert await limiter.acquire("proper") == 0.0
    assert limiter.delay("proper") == pytest.approx(300.0)
    assert limiter.delay("small") == 0.0  # separate budget
    clock.advance(299.0)
    assert limiter.delay("proper") == pytest.approx(1.0)
    clock.advance(1.0)
    assert await limiter.acquire("proper") == 0.0
