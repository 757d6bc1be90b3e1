"""What an Odds88 feed needs to survive a dropped connection: where to resume, what not to
repeat, and how often it may reconnect.

Odds88 feeds resume from ``revision``, Unix *seconds*, at most 3 days back. Resuming from the
second of the last update we processed is the only way not to lose one, and it replays the
updates of that second we already have. :class:`ReplayFilter` removes exactly those: it counts
the updates received since the start of the last second (by their exact bytes) and, after a
reconnect, skips each of them once until the replay moves past that second. A price that goes
A → B → A within one second is delivered three times, not collapsed.

:class:`ReconnectLimiter` keeps the documented reconnect budgets (5 per 5 minutes with a proper
revision, 5 per 30 minutes without one or with one older than 3 days) on an injectable clock,
waiting instead of being refused.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from typing import Literal

from wagerkit.clock import Clock

__all__ = ["MAX_REVISION_AGE", "ReconnectLimiter", "ReplayFilter", "RevisionKind"]

MAX_REVISION_AGE = 3 * 24 * 3600
"""Seconds back a revision may reach (the docs' 3 days)."""

RevisionKind = Literal["proper", "small"]


class ReplayFilter:
    """Decides, update by update, whether a feed update is new; tracks the resume revision.

    ``cap`` bounds the memory for one second's updates; beyond it the oldest are forgotten (a
    replay could then repeat them: only after more than ``cap`` updates in one second).
    """

    def __init__(self, revision: int = 0, *, cap: int = 50_000) -> None:
        self._revision = max(0, int(revision))
        self._last_ts: float | None = None
        self._window: Counter[bytes] = Counter()
        self._order: deque[bytes] = deque()
        self._skip: Counter[bytes] = Counter()
        self._cap = cap
        self.skipped = 0
        """Replayed duplicates dropped so far."""

    @property
    def revision(self) -> int:
        """The revision to reconnect with: the second of the last update received."""
        return self._revision

    def begin_replay(self) -> None:
        """Call on every (re)connect: the updates of the last second may come again."""
        self._skip = Counter(self._window)

    def accept(self, ts: float | None, key: bytes) -> bool:
        """True when the update (published at ``ts``, exact bytes ``key``) is new."""
        if self._skip and (ts is None or self._last_ts is None or ts <= self._last_ts):
            if self._skip[key] > 0:
                self._skip[key] -= 1
                self.skipped += 1
                return False
        elif self._skip and ts is not None and self._last_ts is not None and ts > self._last_ts:
            self._skip.clear()
        if ts is not None and math.isfinite(ts):
            second = math.floor(ts)
            # Before the first timestamp everything received may come back in a replay
            # (it is all after the start revision), so the window only restarts when a
            # second newer than a known one begins.
            if self._last_ts is not None and second > math.floor(self._last_ts):
                self._window.clear()
                self._order.clear()
            if self._last_ts is None or ts >= self._last_ts:
                self._last_ts = ts
                self._revision = max(self._revision, second)
        self._window[key] += 1
        self._order.append(key)
        if len(self._order) > self._cap:
            old = self._order.popleft()
            self._window[old] -= 1
            if self._window[old] <= 0:
                del self._window[old]
        return True

    def resume_revision(self, now: float) -> tuple[int, RevisionKind]:
        """Revision for the next connect and the reconnect budget it counts against.

        A revision older than 3 days is moved forward (the venue would not serve it; updates
        older than that are lost) and counts as "small".
        """
        if self._revision <= 0:
            return 0, "small"
        oldest = math.ceil(now) - MAX_REVISION_AGE + 60
        if self._revision < oldest:
            return oldest, "small"
        return self._revision, "proper"


class ReconnectLimiter:
    """Sliding-window reconnect budgets; :meth:`acquire` waits (on ``clock``) for a slot."""

    def __init__(
        self,
        clock: Clock,
        *,
        proper: tuple[int, float] = (5, 300.0),
        small: tuple[int, float] = (5, 1800.0),
    ) -> None:
        self._clock = clock
        self._limits: dict[RevisionKind, tuple[int, float]] = {"proper": proper, "small": small}
        self._times: dict[RevisionKind, deque[float]] = {"proper": deque(), "small": deque()}

    def delay(self, kind: RevisionKind) -> float:
        """Seconds until a connect of ``kind`` fits its budget (0 = now)."""
        count, window = self._limits[kind]
        times = self._times[kind]
        now = self._clock.monotonic()
        while times and times[0] <= now - window:
            times.popleft()
        return 0.0 if len(times) < count else times[0] + window - now

    async def acquire(self, kind: RevisionKind) -> float:
        """Wait for a slot, take it, and return how long we waited."""
        waited = 0.0
        while (delay := self.delay(kind)) > 0:
            await self._clock.sleep(delay)
            waited += delay
        self._times[kind].append(self._clock.monotonic())
        return waited
