"""Cashout subscriptions that stay alive while someone wants them, and only then.

Odds88 drops a cashout subscription 10 minutes after the last ``subscribe`` call for it, and asks
for ``unsubscribe`` as soon as the amounts are not needed. :class:`SubscriptionKeeper` holds a
reference count per bet id: the first holder subscribes at once, a background loop re-subscribes
every id before it wears out (every ``renew_every`` seconds, 8 minutes by default, in batches),
and the last holder to let go unsubscribes. A failed renewal is retried every ``retry_every``
seconds and never stops the loop (after a 429, once its ``Retry-After`` has passed, but never
later than the subscription TTL: by then there is nothing left to save by waiting); a failed
unsubscribe is only logged, since the venue drops the subscription within 10 minutes anyway.
While nothing is held the loop waits for the first :meth:`~SubscriptionKeeper.add` instead of
waking every ``renew_every`` seconds: an idle client does no work, and a
:class:`~wagerkit.clock.FakeClock` with ``auto_advance`` is not pushed forward by a loop
that has nothing to renew (each idle wake-up would move it ``renew_every`` seconds, days of
fake time per real millisecond, expiring tokens and deadlines under a test's feet).

All timing runs on an injectable :class:`~wagerkit.clock.Clock`, so a test can cross the
10-minute expiry without waiting for it.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable

import anyio

from wagerkit.clock import Clock
from wagerkit.errors import InvalidInput, RateLimited, WagerkitError
from wagerkit.odds88.models import check_bet_ids

__all__ = ["SUBSCRIPTION_TTL", "SubscriptionKeeper"]

log = logging.getLogger("wagerkit.odds88.subscriptions")

SUBSCRIPTION_TTL = 600.0
"""Seconds a subscription lives after the last subscribe call (the docs' 10 minutes)."""

Send = Callable[[list[str]], Awaitable[None]]


class SubscriptionKeeper:
    """Reference-counted cashout subscriptions renewed in the background.

    ``subscribe``/``unsubscribe`` send one batch to the venue. Run :meth:`run` in a task group
    for as long as the keeper is used (``Odds88Client`` does that in ``async with``).
    """

    def __init__(
        self,
        subscribe: Send,
        unsubscribe: Send,
        clock: Clock,
        *,
        ttl: float = SUBSCRIPTION_TTL,
        renew_every: float = 480.0,
        retry_every: float = 10.0,
        batch: int = 100,
    ) -> None:
        if not 0 < ttl < math.inf:
            raise InvalidInput("ttl must be finite and > 0", field="ttl")
        if not 0 < renew_every < ttl:
            raise InvalidInput("renew_every must be between 0 and the ttl", field="renew_every")
        if not 0 < retry_every < math.inf:
            raise InvalidInput("retry_every must be finite and > 0", field="retry_every")
        if batch < 1:
            raise InvalidInput("batch must be at least 1", field="batch")
        self._subscribe = subscribe
        self._unsubscribe = unsubscribe
        self._clock = clock
        self.ttl = ttl
        self.renew_every = renew_every
        self.retry_every = retry_every
        self.batch = batch
        self._holders: dict[str, int] = {}
        self._renewed_at: dict[str, float] = {}
        self._lock = anyio.Lock()
        self.renewals = 0
        """Renewal batches sent successfully (for monitoring and tests)."""
        self.last_error: WagerkitError | None = None
        """The last renewal failure, cleared by the next success."""
        self.retry_at: float | None = None
        """After a failed renewal: when (clock monotonic seconds) the next try is due."""
        self._wanted: anyio.Event | None = None
        """Set by :meth:`add` to wake an idle :meth:`run` (created there: it needs a loop)."""

    # -- what is wanted ---------------------------------------------------------------------

    @property
    def bet_ids(self) -> frozenset[str]:
        """Bet ids someone currently holds."""
        return frozenset(self._holders)

    def expires_at(self, bet_id: str) -> float | None:
        """When the venue drops ``bet_id`` unless renewed (clock monotonic seconds)."""
        renewed = self._renewed_at.get(bet_id)
        return None if renewed is None else renewed + self.ttl

    async def add(self, bet_ids: Iterable[str]) -> None:
        """Hold ``bet_ids``; those not yet held are subscribed before this returns."""
        ids = check_bet_ids(bet_ids)
        async with self._lock:
            new = [b for b in ids if b not in self._holders]
            await self._send(self._subscribe, new)
            now = self._clock.monotonic()
            for bet_id in ids:
                self._holders[bet_id] = self._holders.get(bet_id, 0) + 1
            for bet_id in new:
                self._renewed_at[bet_id] = now
            if new and self._wanted is not None:
                self._wanted.set()

    async def remove(self, bet_ids: Iterable[str]) -> None:
        """Let go of ``bet_ids``; those nobody holds any more are unsubscribed."""
        ids = check_bet_ids(bet_ids)
        async with self._lock:
            gone = []
            for bet_id in ids:
                count = self._holders.get(bet_id, 0)
                if count <= 1:
                    if bet_id in self._holders:
                        gone.append(bet_id)
                    self._holders.pop(bet_id, None)
                    self._renewed_at.pop(bet_id, None)
                else:
                    self._holders[bet_id] = count - 1
            try:
                await self._send(self._unsubscribe, gone)
            except WagerkitError as exc:
                log.warning("odds88: unsubscribe failed (it wears out in 10 min): %s", exc)

    @contextlib.asynccontextmanager
    async def hold(self, bet_ids: Iterable[str]) -> AsyncIterator[frozenset[str]]:
        """``async with keeper.hold(ids):`` subscribed and renewed inside, released after."""
        ids = check_bet_ids(bet_ids)
        await self.add(ids)
        try:
            yield frozenset(ids)
        finally:
            with anyio.CancelScope(shield=True), anyio.move_on_after(10):
                await self.remove(ids)

    async def release_all(self) -> None:
        """Let go of everything (the client is closing)."""
        async with self._lock:
            gone = list(self._holders)
            self._holders.clear()
            self._renewed_at.clear()
            try:
                await self._send(self._unsubscribe, gone)
            except WagerkitError as exc:
                log.warning("odds88: unsubscribe on close failed: %s", exc)

    # -- renewing ---------------------------------------------------------------------------

    async def _send(self, send: Send, ids: list[str]) -> None:
        for start in range(0, len(ids), self.batch):
            await send(ids[start : start + self.batch])

    def _due(self, now: float) -> list[str]:
        return [b for b, t in self._renewed_at.items() if t + self.renew_every <= now]

    def next_due(self) -> float | None:
        """When the next renewal is due (clock monotonic seconds), or ``None``."""
        if not self._renewed_at:
            return None
        return min(self._renewed_at.values()) + self.renew_every

    async def renew_due(self) -> int:
        """Renew every id that is due now; returns how many were renewed."""
        async with self._lock:
            now = self._clock.monotonic()
            due = self._due(now)
            if not due:
                return 0
            await self._send(self._subscribe, due)
            for bet_id in due:
                if bet_id in self._renewed_at:
                    self._renewed_at[bet_id] = now
            self.renewals += 1
            self.last_error = None
            return len(due)

    async def run(self) -> None:
        """Renew forever (until cancelled); failures are logged and retried. Idle (nothing
        held) it sleeps until :meth:`add`, not on the clock."""
        while True:
            if not self._renewed_at:
                self._wanted = anyio.Event()
                await self._wanted.wait()
                self._wanted = None
                continue
            try:
                await self.renew_due()
            except WagerkitError as exc:
                wait = self.retry_every
                if isinstance(exc, RateLimited):  # honour the venue, within the TTL
                    wait = min(max(wait, exc.retry_after), self.ttl)
                self.retry_at = self._clock.monotonic() + wait
                self.last_error = exc
                log.warning("odds88: cashout subscription renewal failed: %s", exc)
                await self._clock.sleep(wait)
                self.retry_at = None
                continue
            due = self.next_due()
            now = self._clock.monotonic()
            wait = self.renew_every if due is None else max(0.0, due - now)
            await self._clock.sleep(min(wait, self.renew_every))

    async def settled(self, timeout: float = 5.0) -> None:
        """Wait (real seconds, bounded) until nothing held is due for renewal: for tests and
        for callers that just moved a fake clock."""
        with anyio.fail_after(timeout):
            # the clock may be a FakeClock moved from another thread: poll it
            while self._due(self._clock.monotonic()):  # noqa: ASYNC110
                await anyio.sleep(0.005)
            async with self._lock:
                pass

    def __repr__(self) -> str:
        return f"SubscriptionKeeper(bet_ids={len(self._holders)}, renewals={self.renewals})"
