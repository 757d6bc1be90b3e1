"""Request limiters that every client in the process can share.

ABP allows 100 requests per key per *sliding* second, from the first request on: a token bucket
that starts full and refills lets ``burst + rate`` through in the first second (206 with four
clients sharing a 100/s bucket in a measurement), so the ABP clients use
:class:`SlidingWindowLimiter`, which remembers the last ``limit`` grant times and admits a request
only when the ``limit``-th previous grant is at least one window old. It is exact: no half-open
window of ``window`` seconds ever contains more than ``limit`` grants. Waiters are served in
arrival order (a ticket queue), and a grant is recorded at the moment :meth:`acquire` returns, so
a waiter that wakes up late can never make a later one bunch up behind it.

:class:`RateLimiter` (token bucket) stays for pacing that is not a venue's sliding budget (an
Odds88 login at most every 200 ms).

Both implement :class:`Limiter`, the small interface the HTTP transport needs: ``acquire``,
``try_acquire`` and ``penalize`` (the venue said "wait", e.g. ``Retry-After`` on a 429: every
client sharing the limiter holds back, not only the one that was refused). A later shared backend
(e.g. Redis, for several processes on one key) implements the same three methods.

State is guarded by a thread lock and waiting goes through a :class:`~wagerkit.clock.Clock`
(``anyio.sleep`` by default), so one limiter works under asyncio, trio and from several event loops
in different threads (the blocking clients run their own loop), and tests can freeze time.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import ClassVar, Protocol, runtime_checkable

import anyio

from wagerkit.clock import Clock, SystemClock
from wagerkit.errors import InvalidInput

__all__ = ["Limiter", "RateLimiter", "SlidingWindowLimiter"]

MAX_PENALTY = 60.0
"""Longest hold (seconds) a venue's ``Retry-After`` may put on a shared limiter. A longer wait
is surfaced to the caller as :class:`~wagerkit.errors.RateLimited` by the clients' retry policy;
the limiter must not silently park every other request of the process for an hour."""


@runtime_checkable
class Limiter(Protocol):
    """What :class:`~wagerkit.transport.HttpTransport` awaits before each request."""

    async def acquire(self) -> None:
        """Wait until one request may be sent, and count it as sent."""
        ...

    def try_acquire(self) -> bool:
        """Count one request as sent if that is allowed right now, without waiting."""
        ...

    def penalize(self, seconds: float) -> None:
        """The venue asked us to wait ``seconds`` (``Retry-After``): grant nothing before."""
        ...


def _check_penalty(seconds: float) -> float:
    if not seconds > 0:  # negative, zero or NaN: nothing to hold back
        return 0.0
    return min(float(seconds), MAX_PENALTY)


class SlidingWindowLimiter:
    """At most ``limit`` grants in any ``window`` seconds (plus ``guard``), exactly.

    ``guard`` widens the window the limiter keeps (seconds) so that network jitter between our
    grant and the venue's arrival stamp cannot make two windows overlap at the venue; the ABP
    client uses a few milliseconds (see its docs). ``clock`` reads ``monotonic()`` and
    ``sleep()``; a :class:`~wagerkit.clock.FakeClock` makes tests deterministic.
    """

    _registry: ClassVar[dict[str, SlidingWindowLimiter]] = {}
    _registry_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        limit: int,
        window: float = 1.0,
        *,
        guard: float = 0.0,
        clock: Clock | None = None,
    ) -> None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidInput(f"limit must be an integer >= 1, got {limit!r}", field="limit")
        if not (window > 0 and math.isfinite(window)):
            raise InvalidInput(f"window must be finite and > 0, got {window!r}", field="window")
        if not (guard >= 0 and math.isfinite(guard)):
            raise InvalidInput(f"guard must be finite and >= 0, got {guard!r}", field="guard")
        self.limit = limit
        self.window = float(window)
        self.guard = float(guard)
        self._span = self.window + self.guard
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._lock = threading.Lock()
        self._grants: deque[float] = deque(maxlen=limit)  # the last `limit` grant times
        self._next_ticket = 0
        self._serving = 0
        self._abandoned: set[int] = set()
        self._blocked_until = -math.inf

    @classmethod
    def shared(
        cls, name: str, limit: int, window: float = 1.0, *, guard: float = 0.0
    ) -> SlidingWindowLimiter:
        """The process-wide limiter called ``name`` (created on first use).

        Asking for the same name with a different budget is refused: two clients silently
        disagreeing about a venue's budget is how a bot gets banned.
        """
        with cls._registry_lock:
            limiter = cls._registry.get(name)
            if limiter is None:
                limiter = cls._registry[name] = cls(limit, window, guard=guard)
            elif (limiter.limit, limiter.window, limiter.guard) != (limit, window, guard):
                raise InvalidInput(
                    f"rate limiter {name!r} already allows {limiter.limit} per "
                    f"{limiter.window:g}s; got {limit} per {window:g}s",
                    field="limit",
                )
            return limiter

    # -- the rule ---------------------------------------------------------------------------

    def _earliest(self, position: int, now: float) -> float:
        """Earliest time the waiter ``position`` places behind the head could be granted."""
        earliest = max(now, self._blocked_until)
        grants = self._grants
        index = len(grants) + position - self.limit  # the grant ours must be one span after
        if index >= len(grants):  # depends on grants not made yet: a lower bound
            earliest = max(earliest, now + self._span * ((index - len(grants)) // self.limit + 1))
        elif index >= 0:
            earliest = max(earliest, grants[index] + self._span)
        return earliest

    def _grant(self, now: float) -> None:
        """Record a grant at ``now`` (called with the lock held; the one place grants happen)."""
        self._grants.append(now)

    def _skip_abandoned(self) -> None:
        while self._serving in self._abandoned:
            self._abandoned.discard(self._serving)
            self._serving += 1

    def _attempt(self, ticket: int) -> float:
        """Grant ``ticket`` now (0.0) or return how long to sleep before asking again."""
        with self._lock:
            self._skip_abandoned()
            now = self._clock.monotonic()
            position = ticket - self._serving
            earliest = self._earliest(position, now)
            if position == 0 and earliest <= now:
                self._grant(now)
                self._serving += 1
                return 0.0
            # Behind the head and already due: the head is about to go; look again shortly.
            return max(earliest - now, self._span / self.limit / 4)

    def _abandon(self, ticket: int) -> None:
        with self._lock:
            if ticket == self._serving:
                self._serving += 1
                self._skip_abandoned()
            elif ticket > self._serving:
                self._abandoned.add(ticket)

    # -- the interface ----------------------------------------------------------------------

    async def acquire(self) -> None:
        """Wait for a slot (in arrival order) and take it; cancellation gives the place up."""
        with self._lock:
            ticket = self._next_ticket
            self._next_ticket += 1
        granted = False
        try:
            while True:
                wait = self._attempt(ticket)
                if wait == 0.0:
                    granted = True
                    return
                await self._clock.sleep(wait)
        finally:
            if not granted:
                self._abandon(ticket)

    def try_acquire(self) -> bool:
        """Take a slot if one is free now and nobody is queued for it."""
        with self._lock:
            self._skip_abandoned()
            if self._serving != self._next_ticket:
                return False
            now = self._clock.monotonic()
            if self._earliest(0, now) > now:
                return False
            self._grant(now)
            self._next_ticket += 1
            self._serving += 1
            return True

    def penalize(self, seconds: float) -> None:
        """Grant nothing for ``seconds`` (capped at :data:`MAX_PENALTY`)."""
        hold = _check_penalty(seconds)
        if hold:
            with self._lock:
                until = self._clock.monotonic() + hold
                self._blocked_until = max(self._blocked_until, until)

    def __repr__(self) -> str:
        guard = f", guard={self.guard:g}" if self.guard else ""
        return f"SlidingWindowLimiter(limit={self.limit}, window={self.window:g}{guard})"


class RateLimiter:
    """Token bucket: ``rate`` tokens per second, at most ``burst`` saved up.

    Not exact over a sliding window (a full bucket lets ``burst`` through at once and then
    ``rate`` more in the same second): use :class:`SlidingWindowLimiter` for a venue budget.
    :meth:`acquire` reserves a token at once (the bucket may go negative) and then sleeps for
    the debt, so waiters are served in arrival order without a queue.
    """

    _registry: ClassVar[dict[str, RateLimiter]] = {}
    _registry_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not rate > 0 or rate == float("inf"):
            raise InvalidInput(f"rate must be a positive number, got {rate!r}", field="rate")
        self.rate = float(rate)
        self.burst = float(burst) if burst is not None else float(rate)
        if not self.burst >= 1:
            raise InvalidInput(f"burst must be at least 1, got {burst!r}", field="burst")
        self._clock = clock
        self._tokens = self.burst
        self._updated = clock()
        self._lock = threading.Lock()

    @classmethod
    def shared(cls, name: str, rate: float, burst: float | None = None) -> RateLimiter:
        """The process-wide limiter called ``name`` (created with ``rate`` on first use).

        Asking for the same name with a different rate is refused: two clients silently
        disagreeing about a venue's budget is how a bot gets banned.
        """
        with cls._registry_lock:
            limiter = cls._registry.get(name)
            if limiter is None:
                limiter = cls._registry[name] = cls(rate, burst)
            elif limiter.rate != float(rate) or (
                burst is not None and limiter.burst != float(burst)
            ):
                raise InvalidInput(
                    f"rate limiter {name!r} already runs at {limiter.rate:g}/s "
                    f"(burst {limiter.burst:g}); got {rate:g}/s",
                    field="rate",
                )
            return limiter

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._updated)
        self._updated = now
        self._tokens = min(self.burst, self._tokens + elapsed * self.rate)

    def reserve(self) -> float:
        """Take one token now and return how many seconds the caller must wait for it."""
        with self._lock:
            self._refill()
            self._tokens -= 1.0
            if self._tokens >= 0:
                return 0.0
            return -self._tokens / self.rate

    async def acquire(self) -> None:
        """Wait until a request may be sent."""
        delay = self.reserve()
        if delay > 0:
            await anyio.sleep(delay)

    def try_acquire(self) -> bool:
        """Take a token if one is there now."""
        with self._lock:
            self._refill()
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return True
            return False

    def penalize(self, seconds: float) -> None:
        """Owe ``seconds`` worth of tokens: nothing is granted until they are paid back."""
        hold = _check_penalty(seconds)
        if hold:
            with self._lock:
                self._refill()
                self._tokens = min(self._tokens, 1.0) - hold * self.rate

    def __repr__(self) -> str:
        return f"RateLimiter(rate={self.rate:g}, burst={self.burst:g})"
