"""OddsPapi's request budget: per key **and per endpoint**, learned from the headers.

OddsPapi counts each endpoint apart (``/fixtures/mapping`` has its own 200/min, ``/fixtures``
its own, ...). The documented defaults are 10 requests per second for the odds endpoints
(``/fixtures/odds*``) and 200 per minute for every other one; a doc example says 30/s for odds,
so the headers win: ``X-RateLimit-Limit`` lower than the budget in use shrinks it,
``X-RateLimit-Remaining: 0`` holds the endpoint until ``X-RateLimit-Reset`` (Unix seconds), and a
429 holds it for ``Retry-After``. Each endpoint has one
:class:`~wagerkit.transport.SlidingWindowLimiter` (exact over any window), so a burst of calls
to one endpoint waits without slowing the others.

Every client of one key on one OddsPapi (base URL) in the process shares one
:class:`EndpointLimits` by default (:meth:`EndpointLimits.shared`), as OddsPapi counts per key;
two keys, or two servers, have two budgets.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Mapping
from typing import ClassVar

from wagerkit.clock import Clock
from wagerkit.oddspapi.errors import retry_after_of
from wagerkit.transport.ratelimit import SlidingWindowLimiter

__all__ = ["GUARD", "ODDS_LIMIT", "OTHER_LIMIT", "EndpointLimits", "is_odds_endpoint"]

ODDS_LIMIT = (10, 1.0)
"""(requests, seconds) on each odds endpoint: the documented 10/s."""

OTHER_LIMIT = (200, 60.0)
"""(requests, seconds) on every other endpoint: the documented 200/min."""

GUARD = 0.05
"""Seconds added to each window, and to each wait the headers impose, so network jitter
between our grant and OddsPapi's arrival stamp cannot squeeze one request too many into its
window."""


def is_odds_endpoint(path: str) -> bool:
    """True for the odds family (``/fixtures/odds``, ``/fixtures/odds/main``, ...)."""
    return path.rstrip("/").startswith("/fixtures/odds")


class EndpointLimits:
    """One sliding-window limiter per endpoint path, created on first use.

    ``odds``/``other`` are the (limit, window seconds) defaults; ``clock`` paces the limiters
    and reads Unix seconds for ``X-RateLimit-Reset`` (a :class:`~wagerkit.clock.FakeClock` in
    tests).
    """

    def __init__(
        self,
        *,
        odds: tuple[int, float] = ODDS_LIMIT,
        other: tuple[int, float] = OTHER_LIMIT,
        guard: float = GUARD,
        clock: Clock | None = None,
    ) -> None:
        self.odds = odds
        self.other = other
        self.guard = guard
        self._clock = clock
        self._wall = clock.time if clock is not None else time.time
        self._lock = threading.Lock()
        self._limiters: dict[str, SlidingWindowLimiter] = {}

    _registry: ClassVar[dict[str, EndpointLimits]] = {}
    _registry_lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def shared(cls, base_url: str, api_key: str) -> EndpointLimits:
        """The process-wide budget of ``api_key`` at ``base_url`` (created on first use; the
        registry holds a digest, never the key)."""
        digest = hashlib.sha256(f"{base_url}\n{api_key}".encode()).hexdigest()[:24]
        with cls._registry_lock:
            limits = cls._registry.get(digest)
            if limits is None:
                limits = cls._registry[digest] = cls()
            return limits

    def limiter(self, path: str) -> SlidingWindowLimiter:
        """The limiter of ``path`` (created with the documented default)."""
        with self._lock:
            limiter = self._limiters.get(path)
            if limiter is None:
                limit, window = self.odds if is_odds_endpoint(path) else self.other
                limiter = SlidingWindowLimiter(limit, window, guard=self.guard, clock=self._clock)
                self._limiters[path] = limiter
            return limiter

    async def acquire(self, path: str) -> None:
        """Wait until one more request to ``path`` fits the budget."""
        await self.limiter(path).acquire()

    def observe(self, path: str, status: int, headers: Mapping[str, str]) -> None:
        """Learn from one answer's headers (every answer, not only 429s)."""
        limiter = self.limiter(path)
        shrink = _int(headers.get("x-ratelimit-limit"))
        if shrink is not None and 0 < shrink < limiter.limit:
            with self._lock:  # the venue says less than we assumed: keep to its word
                self._limiters[path] = replacement = SlidingWindowLimiter(
                    shrink, limiter.window, guard=self.guard, clock=self._clock
                )
            replacement.penalize(limiter.window / shrink + self.guard)
            limiter = replacement
        remaining = _int(headers.get("x-ratelimit-remaining"))
        reset = _float(headers.get("x-ratelimit-reset"))
        if remaining == 0 and reset is not None:
            limiter.penalize(reset - self._wall() + self.guard)
        if status == 429:
            limiter.penalize(retry_after_of(headers, now=self._wall()) + self.guard)

    def budgets(self) -> dict[str, tuple[int, float]]:
        """``path -> (limit, window)`` of every endpoint used so far."""
        with self._lock:
            return {p: (lim.limit, lim.window) for p, lim in self._limiters.items()}

    def __repr__(self) -> str:
        return (
            f"EndpointLimits(odds={self.odds}, other={self.other}, endpoints={len(self._limiters)})"
        )


def _int(value: str | None) -> int | None:
    try:
        return None if value is None else int(value.strip())
    except ValueError:
        return None


def _float(value: str | None) -> float | None:
    try:
        return None if value is None else float(value.strip())
    except ValueError:
        return None
