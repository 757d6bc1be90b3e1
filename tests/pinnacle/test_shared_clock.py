"""The shared clock (``wagerkit.clock``) that Pinnacle and Odds88 both run on: a fake clock that
moves only when told to (or, with ``auto_advance``, by exactly what a sleeper asks), readable and
advanceable from any thread, and usable from asyncio and trio."""

from __future__ import annotations

import math
import threading

import anyio
import pytest

from wagerkit.clock import Clock, FakeClock, SystemClock


def test_both_clocks_satisfy_the_protocol_and_every_venue_shares_the_class() -> None:
    from wagerkit import odds88, pinnacle

    assert isinstance(SystemClock(), Clock) and isinstance(FakeClock(), Clock)
    assert odds88.FakeClock is FakeClock
    assert pinnacle.FakeClock is FakeClock and pinnacle.Clock is Clock


def test_fake_time_starts_where_asked_and_monotonic_starts_at_zero() -> None:
    clock = FakeClock(1000.0)
    assert (clock.time(), clock.monotonic()) == (1000.0, 0.0)
    clock.advance(2.5)
    assert (clock.time(), clock.monotonic()) == (1002.5, 2.5)
    assert "1002.500" in repr(clock)


@pytest.mark.parametrize("bad", [-1.0, math.inf, math.nan])
def test_a_fake_clock_never_moves_back_or_by_infinity(bad: float) -> None:
    clock = FakeClock()
    with pytest.raises(ValueError):
        clock.advance(bad)
    assert clock.monotonic() == 0.0


def test_threads_advancing_together_lose_no_time() -> None:
    clock = FakeClock()
    barrier = threading.Barrier(8)

    def push() -> None:
        barrier.wait()
        for _ in range(1000):
            clock.advance(0.5)

    threads = [threading.Thread(target=push) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert clock.monotonic() == 8 * 1000 * 0.5


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_auto_advance_sleeps_move_the_clock_by_exactly_what_was_asked(
    anyio_backend: str,
) -> None:
    clock = FakeClock(auto_advance=True)
    await clock.sleep(120.0)
    await clock.sleep(-5.0)  # a negative sleep is no sleep, never time travel
    await clock.sleep(6.0)
    assert clock.monotonic() == 126.0


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_a_manual_sleeper_wakes_only_once_another_thread_advances_past_its_deadline(
    anyio_backend: str,
) -> None:
    clock = FakeClock()
    woke = anyio.Event()
    observed: list[float] = []

    async def sleeper() -> None:
        await clock.sleep(600.0)
        observed.append(clock.monotonic())
        woke.set()

    async with anyio.create_task_group() as tg:
        tg.start_soon(sleeper)
        for _ in range(5):  # it does not wake while time stands still
            await anyio.sleep(0.005)
        assert not woke.is_set()
        await anyio.to_thread.run_sync(clock.advance, 300.0)
        for _ in range(5):
            await anyio.sleep(0.005)
        assert not woke.is_set()  # half way is not enough
        await anyio.to_thread.run_sync(clock.advance, 300.0)
        with anyio.fail_after(30):  # a safety bound for a broken clock, not a timing assertion
            await woke.wait()
    assert observed == [600.0]
