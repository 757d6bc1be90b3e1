"""A token-bucket rate limiter that every client in the process can share.

ABP allows 100 requests per second per key; Pinnacle and Odds88 have their own rules. A limiter
keyed by name (``RateLimiter.shared("abp", 100)``) is shared by all clients that use that name,
so two clients in one bot cannot together exceed the venue's budget. State is guarded by a
thread lock and waiting uses ``anyio.sleep``, so it works under asyncio, trio and from several
event loops in different threads (the blocking clients run their own loop).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import ClassVar

import anyio

from wagerkit.errors import InvalidInput

__all__ = ["RateLimiter"]


class RateLimiter:
    """Token bucket: ``rate`` tokens per second, at most ``burst`` saved up.

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

    def reserve(self) -> float:
        """Take one token now and return how many seconds the caller must wait for it."""
        with self._lock:
            now = self._clock()
            elapsed = max(0.0, now - self._updated)
            self._updated = now
            self._tokens = min(self.burst, self._tokens + elapsed * self.rate)
            self._tokens -= 1.0
            if self._tokens >= 0:
                return 0.0
            return -self._tokens / self.rate

    async def acquire(self) -> None:
        """Wait until a request may be sent."""
        delay = self.reserve()
        if delay > 0:
            await anyio.sleep(delay)

    def __repr__(self) -> str:
        return f"RateLimiter(rate={self.rate:g}, burst={self.burst:g})"
