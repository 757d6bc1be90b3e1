"""Time as every wagerkit client, pacer, feed and simulator sees it, behind one small seam.

Venue rules are measured in seconds to days: Pinnacle's fair use allows one odds call per
2 minutes and delays live bets by 6 s; Odds88 subscriptions wear out after 10 minutes, its JWT
lives 24 hours and feed recovery reaches 3 days back. Tests and back-tests cannot wait that long,
so everything that reads the time or sleeps for a rule takes a :class:`Clock`:

- :class:`SystemClock` is the real one (``time.monotonic``, ``time.time``, ``anyio.sleep``, so it
  works under asyncio and trio);
- :class:`FakeClock` only moves when told to. By default a sleeper waits until someone calls
  :meth:`FakeClock.advance` past its deadline (background loops stay put while a test steps
  time); with ``auto_advance=True`` a sleep moves the clock itself by the time asked, so code
  that paces itself runs as fast as the CPU allows while seeing exactly the intervals it asked
  for. Either way it is safe to share between threads and event loops (a simulator in its own
  thread and a test driving it).
"""

from __future__ import annotations

import math
import threading
import time
from typing import Protocol, runtime_checkable

import anyio
import anyio.lowlevel

__all__ = ["DEFAULT_START", "Clock", "FakeClock", "SystemClock"]

DEFAULT_START = 1_767_225_600.0
"""2026-01-01T00:00:00Z: where a :class:`FakeClock` starts unless told otherwise."""


@runtime_checkable
class Clock(Protocol):
    """Seconds, for scheduling (``monotonic``) and for the venue's wall time (``time``)."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (intervals, expiry, pacing)."""
        ...

    def time(self) -> float:
        """Unix seconds (UTC): what the venues' timestamps, cutoffs and revisions are made of."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` of this clock's time (a negative value sleeps 0)."""
        ...


class SystemClock:
    """The real clocks and ``anyio.sleep``."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(max(0.0, seconds))

    def __repr__(self) -> str:
        return "SystemClock()"


class FakeClock:
    """A clock that moves only when told to; safe to read and advance from any thread.

    ``start`` is the initial Unix time; ``monotonic()`` starts at 0. With ``auto_advance=False``
    (the default) ``sleep(s)`` returns once the fake time has passed ``s`` from the call: the
    sleeper polls a short real interval (``poll`` seconds) rather than waiting on an event,
    because :meth:`advance` may come from another thread or event loop. With
    ``auto_advance=True`` ``sleep(s)`` advances the clock by ``s`` at once and yields to the event
    loop, so every wait (fair-use pacing, live delay, backoff) passes instantly and
    deterministically. It is only deterministic if every sleeper is waiting for something: a
    background loop that sleeps on the clock while it has nothing to do would advance it on
    every event-loop turn (days of fake time per real millisecond), so idle loops wait on an
    event instead (as the Odds88 subscription keeper does).
    """

    def __init__(
        self, start: float = DEFAULT_START, *, auto_advance: bool = False, poll: float = 0.002
    ) -> None:
        if not math.isfinite(start):
            raise ValueError(f"a clock starts at a finite time, got {start!r}")
        if not poll > 0:
            raise ValueError(f"poll must be > 0 seconds, got {poll!r}")
        self._lock = threading.Lock()
        self._start = float(start)
        self._elapsed = 0.0
        self._poll = poll
        self.auto_advance = auto_advance

    def monotonic(self) -> float:
        with self._lock:
            return self._elapsed

    def time(self) -> float:
        with self._lock:
            return self._start + self._elapsed

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` (never backward, never by an infinite amount)."""
        if not (seconds >= 0 and math.isfinite(seconds)):
            raise ValueError(f"a clock only moves forward by a finite amount, got {seconds!r}")
        with self._lock:
            self._elapsed += seconds

    async def sleep(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        if self.auto_advance:
            self.advance(seconds)
            await anyio.lowlevel.checkpoint()
            return
        deadline = self.monotonic() + seconds
        await anyio.lowlevel.checkpoint()
        # polling, not an Event: advance() may be called from any thread or event loop
        while self.monotonic() < deadline:  # noqa: ASYNC110
            await anyio.sleep(self._poll)

    def __repr__(self) -> str:
        mode = ", auto_advance=True" if self.auto_advance else ""
        return f"FakeClock(time={self.time():.3f}{mode})"
