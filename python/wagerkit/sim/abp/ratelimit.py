"""Per-key request limit: a sliding one-second window (ABP's "Limits & Reliability" page).

Each accepted request is timestamped; a request is refused when ``limit`` requests already
happened in the last second. Refused requests are not counted, so a client that sleeps
``Retry-After`` seconds always gets through. Memory is bounded by ``limit`` per key.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RateDecision", "SlidingWindowLimiter"]

WINDOW = 1.0


@dataclass(frozen=True)
class RateDecision:
    """The outcome of one check and the values for the ``X-RateLimit-*`` headers."""

    allowed: bool
    limit: int
    remaining: int
    reset: int  # whole seconds until the window has room again (X-RateLimit-Reset)
    retry_after: int  # whole seconds to wait (Retry-After); 0 when allowed

    def headers(self) -> list[tuple[bytes, bytes]]:
        out = [
            (b"x-ratelimit-limit", str(self.limit).encode()),
            (b"x-ratelimit-remaining", str(self.remaining).encode()),
            (b"x-ratelimit-reset", str(self.reset).encode()),
        ]
        if not self.allowed:
            out.append((b"retry-after", str(self.retry_after).encode()))
        return out


class SlidingWindowLimiter:
    """``check(key, limit)`` admits at most ``limit`` requests per key per second."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}

    def check(self, key: str, limit: int) -> RateDecision:
        now = self._clock()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - WINDOW:
            hits.popleft()
        while len(hits) > limit:  # the limit was lowered since
            hits.popleft()
        if len(hits) >= limit:
            wait = max(1, math.ceil(hits[0] + WINDOW - now))
            return RateDecision(False, limit, 0, wait, wait)
        hits.append(now)
        reset = max(1, math.ceil(hits[0] + WINDOW - now))
        return RateDecision(True, limit, limit - len(hits), reset, 0)

    def reset(self) -> None:
        self._hits.clear()
