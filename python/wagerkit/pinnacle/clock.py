"""Time as the Pinnacle client, pacer, feed and simulator see it.

Everything that waits or compares times takes a :class:`Clock`, so tests and back-tests can run
fair-use intervals of minutes and live delays of seconds instantly and deterministically
(:class:`ManualClock`), while production uses the real clocks (:class:`SystemClock`).
"""

from __future__ import annotations

import threading
import time
from typing import Protocol, runtime_checkable

import anyio
import anyio.lowlevel

__all__ = ["Clock", "ManualClock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """``monotonic()`` for intervals, ``time()`` for wall time (epoch seconds, UTC)."""

    def monotonic(self) -> float: ...

    def time(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clocks and ``anyio.sleep`` (works under asyncio and trio)."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(max(0.0, seconds))

    def __repr__(self) -> str:
        return "SystemClock()"


class ManualClock:
    """A clock that only moves when told to, or when someone sleeps on it.

    ``sleep(s)`` advances the clock by ``s`` at once (then yields to the event loop), so code
    that paces itself with this clock runs as fast as the CPU allows while seeing exactly the
    intervals it asked for. Thread-safe: a simulator thread and a test can share one.
    """

    def __init__(self, start: float = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self._now = float(start)
        self._start = float(start)
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            return self._now - self._start

    def time(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (never backward)."""
        with self._lock:
            self._now += max(0.0, seconds)

    async def sleep(self, seconds: float) -> None:
        self.advance(seconds)
        await anyio.lowlevel.checkpoint()

    def __repr__(self) -> str:
        return f"ManualClock(time={self.time():.3f})"
