"""Which failures may be retried, and how.

Retrying is only ever safe when the retry cannot become a second bet: the request never left
(:class:`ConnectFailed`), the venue told us to wait (:class:`RateLimited`), or the call is a read.
A placement that failed ambiguously (:class:`MaybePlaced`) is *not* retried here: the caller
must first look the order up by its request id. Backoff comes from stamina (exponential, with
jitter, bounded in attempts and total time); a ``Retry-After`` is honoured exactly.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import stamina

from wagerkit.errors import (
    ConnectFailed,
    MaybePlaced,
    RateLimited,
    ServerError,
    clamp_retry_after,
)

__all__ = ["RetryPolicy"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded retries for one logical call.

    ``attempts`` counts the first try. ``timeout`` bounds the total time in seconds.
    ``read`` marks an idempotent read: then server errors and ambiguous network failures are
    retried too, since reading twice cannot place anything.
    """

    attempts: int = 4
    timeout: float = 30.0
    wait_initial: float = 0.1
    wait_max: float = 2.0
    max_retry_after: float = 10.0
    """A ``Retry-After`` longer than this is not waited out here: :class:`RateLimited`
    surfaces to the caller, who knows whether the call is still worth making that late."""

    def should_retry(self, exc: Exception, *, read: bool) -> bool | dt.timedelta:
        """stamina backoff hook: False = give up, True = back off, timedelta = wait exactly."""
        if isinstance(exc, RateLimited):
            wait = clamp_retry_after(exc.retry_after)
            if wait > min(self.max_retry_after, self.timeout):
                return False
            return dt.timedelta(seconds=wait)
        if isinstance(exc, ConnectFailed):
            return True
        return read and isinstance(exc, (ServerError, MaybePlaced))

    async def call(self, fn: Callable[[], Awaitable[T]], *, read: bool) -> T:
        """Run ``fn`` and retry it under this policy.

        The first attempt runs outside stamina: entering its retry machinery costs tens of
        microseconds (more than the rest of the client's work on a placement), and almost
        every call succeeds first time. A first failure is handed to stamina as its own first
        attempt (replayed, not re-sent), so its decision, backoff, logging and hooks are
        exactly those of a call that ran under stamina from the start; its time bound gets
        what is left of ``timeout``.
        """
        start = time.monotonic()
        try:
            return await fn()
        except Exception as exc:
            if self.attempts <= 1:
                raise
            first: list[Exception] = [exc]
        left = self.timeout - (time.monotonic() - start)
        if left <= 0:
            raise first[0]

        async def replay_then_call() -> T:
            if first:
                raise first.pop()
            return await fn()

        def hook(exc: Exception) -> bool | dt.timedelta:
            return self.should_retry(exc, read=read)

        async for attempt in stamina.retry_context(
            on=hook,
            attempts=self.attempts,
            timeout=left,
            wait_initial=self.wait_initial,
            wait_max=self.wait_max,
        ):
            with attempt:
                return await replay_then_call()
        raise AssertionError("unreachable: stamina re-raises the last error")  # pragma: no cover
