"""Time as the Odds88 client and simulator see it, behind one small seam.

Odds88's rules are measured in minutes and days (subscriptions wear out after 10 minutes, a JWT
lives 24 hours, feed recovery reaches 3 days back, reconnects are limited per 5 and 30 minutes).
Tests cannot wait that long, so everything that reads the time or sleeps for a rule takes a
:class:`Clock`. :class:`SystemClock` is the real one; :class:`FakeClock` only moves when a test
calls :meth:`FakeClock.advance`, and wakes whoever sleeps past the new time.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Protocol, runtime_checkable

import anyio
import anyio.lowlevel

__all__ = ["Clock", "FakeClock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """Seconds, for scheduling (``monotonic``) and for the venue's wall time (``time``)."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (scheduling, expiry)."""
        ...

    def time(self) -> float:
        """Unix seconds (UTC): what feed revisions and timestamps are made of."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` of this clock's time."""
        ...


class SystemClock:
    """The real clock: ``time.monotonic``, ``time.time`` and ``anyio.sleep``."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(max(0.0, seconds))

    def __repr__(self) -> str:
        return "SystemClock()"


class FakeClock:
    """A clock that moves only when told to; safe to read from other threads.

    Sleepers poll a short real interval and return once the fake time has passed their deadline,
    so they work from any event loop and from any thread (the simulator runs in its own thread).
    ``start`` is the initial Unix time; ``monotonic()`` starts at 0.
    """

    def __init__(self, start: float = 1_767_225_600.0, *, poll: float = 0.002) -> None:
        self._lock = threading.Lock()
        self._elapsed = 0.0
        self._start = float(start)
        self._poll = poll

    def monotonic(self) -> float:
        with self._lock:
            return self._elapsed

    def time(self) -> float:
        with self._lock:
            return self._start + self._elapsed

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` (never backwards)."""
        if not (seconds >= 0 and math.isfinite(seconds)):
            raise ValueError(f"a clock only moves forward by a finite amount, got {seconds!r}")
        with self._lock:
            self._elapsed += seconds

    async def sleep(self, seconds: float) -> None:
        deadline = self.monotonic() + max(0.0, seconds)
        await anyio.lowlevel.checkpoint()
        # polling, not an Event: advance() may be called from any thread or event loop
        while self.monotonic() < deadline:  # noqa: ASYNC110
            await anyio.sleep(self._poll)

    def __repr__(self) -> str:
        return f"FakeClock(time={self.time():.3f})"
