"""A rate budget shared by every process on one venue key: a sliding-window log in Redis.

Why a sliding-window log and not GCRA: ABP counts 100 requests per key per *sliding* second
and allows them in a burst; GCRA with a burst of 100 lets 100 through at once and then one per
10 ms, which is never over the limit but gives away the burst a bot needs to hedge at once,
and a GCRA with burst admits ``burst + rate`` requests in the first second unless it is tuned
down. The log (a sorted set of the grant times of the last window, at most ``limit`` members)
is the same exact rule as the in-process :class:`~wagerkit.transport.SlidingWindowLimiter`
and as the venue: no half-open window of ``window`` seconds ever holds more than ``limit``
grants. Its memory is ``limit`` members per budget, which is small for venue budgets.

Everything happens in one Lua script (atomic on the server) stamped with the server's ``TIME``,
so processes on machines with different clocks still agree. One call per request when nobody
is waiting. Waiting is fair and bounded: a process that must wait takes a ticket (a counter in
the budget's hash) and joins a queue ordered by ticket; a grant goes only to a waiter with fewer
waiters ahead of it than free slots. A waiter that stops asking (its process died) is dropped
after :data:`STALE_WAITER` seconds. A wait longer than ``max_wait`` raises
:class:`~wagerkit.errors.RateLimited`. ``penalize`` (a venue's ``Retry-After``) holds back
every process on the budget.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any

import anyio

from wagerkit.errors import InvalidInput, RateLimited, SharedStateUnavailable
from wagerkit.execution.shared.store import DEFAULT_PREFIX, guarded
from wagerkit.transport.ratelimit import Limiter

__all__ = ["STALE_WAITER", "BudgetState", "RedisBudget", "budget_states"]

log = logging.getLogger("wagerkit.execution.shared")

STALE_WAITER = 2.0
"""Seconds after which a waiter that stopped asking loses its place in the queue."""
_POLL_MAX = 0.25
"""Longest sleep between two attempts of a waiter (it must refresh its place well before
:data:`STALE_WAITER`)."""

_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local ticket = ARGV[3]
redis.call('HSET', KEYS[2], 'limit', limit, 'window', window)
local stale = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now - tonumber(ARGV[4]))
for _, s in ipairs(stale) do
  redis.call('ZREM', KEYS[3], s)
  redis.call('ZREM', KEYS[4], s)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])
local blocked = tonumber(redis.call('HGET', KEYS[2], 'blocked') or '0')
local ahead
if ticket == '' or ticket == 'new' then
  ahead = redis.call('ZCARD', KEYS[3])
else
  ahead = redis.call('ZRANK', KEYS[3], ticket)
  if not ahead then
    redis.call('ZADD', KEYS[3], tonumber(ticket), ticket)
    ahead = redis.call('ZRANK', KEYS[3], ticket)
  end
  redis.call('ZADD', KEYS[4], now, ticket)
end
if blocked <= now and used + ahead < limit then
  local seq = redis.call('HINCRBY', KEYS[2], 'seq', 1)
  redis.call('ZADD', KEYS[1], now, seq)
  redis.call('PEXPIRE', KEYS[1], math.floor(window / 1000) + 1000)
  if ticket ~= '' and ticket ~= 'new' then
    redis.call('ZREM', KEYS[3], ticket)
    redis.call('ZREM', KEYS[4], ticket)
  end
  return {1, 0, ''}
end
local wait = 0
if blocked > now then wait = blocked - now end
local idx = used + ahead - limit
if idx >= 0 and idx < used then
  local g = redis.call('ZRANGE', KEYS[1], idx, idx, 'WITHSCORES')
  wait = math.max(wait, tonumber(g[2]) + window - now)
elseif idx >= used then
  wait = math.max(wait, math.floor(window / limit))
end
if ticket == 'new' then
  ticket = tostring(redis.call('HINCRBY', KEYS[2], 'ticket', 1))
  redis.call('ZADD', KEYS[3], tonumber(ticket), ticket)
  redis.call('ZADD', KEYS[4], now, ticket)
end
return {0, wait, ticket}
"""

_PENALIZE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local untl = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('HGET', KEYS[1], 'blocked') or '0')
if untl > cur then redis.call('HSET', KEYS[1], 'blocked', untl) end
return untl
"""

_CORRECT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
local used = redis.call('ZCARD', KEYS[1])
local missing = math.min(tonumber(ARGV[3]), tonumber(ARGV[1])) - used
for i = 1, missing do
  local seq = redis.call('HINCRBY', KEYS[2], 'seq', 1)
  redis.call('ZADD', KEYS[1], now, seq)
end
return math.max(missing, 0)
"""

_STATE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(redis.call('HGET', KEYS[2], 'window') or '0')
local used = redis.call('ZCOUNT', KEYS[1], '(' .. (now - window), '+inf')
local blocked = tonumber(redis.call('HGET', KEYS[2], 'blocked') or '0')
return {used, redis.call('ZCARD', KEYS[3]), math.max(0, blocked - now),
        tonumber(redis.call('HGET', KEYS[2], 'limit') or '0'), window}
"""


@dataclass(frozen=True, slots=True)
class BudgetState:
    """One shared budget as ``wagerkit budget`` shows it."""

    name: str
    limit: int
    window: float
    used: int
    waiting: int
    blocked_for: float


def _keys(prefix: str, name: str) -> list[str]:
    base = f"{prefix}:budget:{{{name}}}"
    return [f"{base}:log", f"{base}:meta", f"{base}:wait", f"{base}:seen"]


class RedisBudget:
    """At most ``limit`` grants in any ``window`` (+ ``guard``) seconds, across processes.

    Implements :class:`~wagerkit.transport.Limiter`, so an ``AbpClient(limiter=...)`` or any
    :class:`~wagerkit.transport.HttpTransport` takes it in place of the in-process limiter.
    ``name`` identifies the budget (venue, key digest and endpoint class, e.g.
    ``abp:3f2a...:all``); every process that names it the same shares it. ``max_wait``
    bounds :meth:`acquire` (then :class:`~wagerkit.errors.RateLimited`).

    When Redis cannot be reached, :meth:`acquire` raises
    :class:`~wagerkit.errors.SharedStateUnavailable` (fail closed). ``fallback`` (an in-process
    limiter) is for a *read-only* client that may go on without the shared budget, e.g. a
    dashboard: with it, requests are paced by ``fallback`` while Redis is away. Never give a
    fallback to a client that places orders.
    """

    def __init__(
        self,
        client: Any,
        name: str,
        limit: int,
        window: float = 1.0,
        *,
        guard: float = 0.0,
        max_wait: float = 30.0,
        prefix: str = DEFAULT_PREFIX,
        fallback: Limiter | None = None,
    ) -> None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidInput(f"limit must be an integer >= 1, got {limit!r}", field="limit")
        if not (window > 0 and math.isfinite(window)):
            raise InvalidInput(f"window must be finite and > 0, got {window!r}", field="window")
        if not (guard >= 0 and math.isfinite(guard)):
            raise InvalidInput(f"guard must be finite and >= 0, got {guard!r}", field="guard")
        if not (max_wait > 0):
            raise InvalidInput(f"max_wait must be > 0, got {max_wait!r}", field="max_wait")
        if not name or any(c in name for c in "{}"):
            raise InvalidInput(f"bad budget name {name!r}", field="name")
        self.name = name
        self.limit = limit
        self.window = float(window)
        self.guard = float(guard)
        self.max_wait = float(max_wait)
        self._span_us = round((self.window + self.guard) * 1_000_000)
        self._client = client
        self._keys = _keys(prefix, name)
        self._take = client.register_script(_TAKE)
        self._penalize = client.register_script(_PENALIZE)
        self._correct = client.register_script(_CORRECT)
        self._stale_us = str(round(STALE_WAITER * 1_000_000))
        self.fallback = fallback

    def _call(self, ticket: str) -> tuple[bool, float, str]:
        granted, wait_us, out = guarded(
            lambda: self._take(
                keys=self._keys, args=[self.limit, self._span_us, ticket, self._stale_us]
            ),
            "a rate budget take",
        )
        text = out.decode() if isinstance(out, bytes) else str(out)
        return bool(granted), int(wait_us) / 1_000_000, text

    async def acquire(self) -> None:
        """Wait (fairly, at most ``max_wait``) for a slot and take it."""
        try:
            granted, wait, ticket = self._call("new")
        except SharedStateUnavailable:
            if self.fallback is None:
                raise
            log.warning("shared budget %s unreachable: pacing reads locally", self.name)
            await self.fallback.acquire()
            return
        if granted:
            return
        deadline = time.monotonic() + self.max_wait
        done = False
        try:
            while True:
                now = time.monotonic()
                if now + min(wait, _POLL_MAX) > deadline:
                    raise RateLimited(
                        f"shared budget {self.name} had no slot within {self.max_wait:g}s",
                        retry_after=max(wait, 0.0),
                        limit=self.name,
                    )
                await anyio.sleep(min(max(wait, 0.0005), _POLL_MAX))
                granted, wait, _ = self._call(ticket)
                if granted:
                    done = True
                    return
        finally:
            if not done:
                self._leave(ticket)

    def _leave(self, ticket: str) -> None:
        try:
            self._client.zrem(self._keys[2], ticket)
            self._client.zrem(self._keys[3], ticket)
        except Exception as exc:  # best effort: a stale ticket is dropped after STALE_WAITER
            log.debug("leaving the budget queue failed (%s)", type(exc).__name__)

    def queue_try(self, pipe: Any) -> None:
        """Add a :meth:`try_acquire` to a pipeline (its answer's first item: 1 = taken)."""
        args = [self.limit, self._span_us, "", self._stale_us]
        pipe.evalsha(self._take.sha, len(self._keys), *self._keys, *args)

    def load(self) -> None:
        """Load the take script into the server (again after a restart of Redis)."""
        guarded(lambda: self._client.script_load(_TAKE), "loading a script")

    def try_acquire(self) -> bool:
        """Take a slot if one is free now and nobody is queued for it."""
        try:
            return self._call("")[0]
        except SharedStateUnavailable:
            if self.fallback is None:
                raise
            return self.fallback.try_acquire()

    def penalize(self, seconds: float) -> None:
        """The venue said wait: no process gets a slot for ``seconds`` (capped at 60 s)."""
        if not seconds > 0:
            return
        hold = round(min(float(seconds), 60.0) * 1_000_000)
        guarded(lambda: self._penalize(keys=[self._keys[1]], args=[hold]), "a budget penalty")

    def correct(self, remaining: int | None, reset: float | None = None) -> None:
        """Follow the venue's ``X-RateLimit-Remaining``: when the venue counts more requests
        in its window than this budget holds (another client on the key, or a window shifted
        by latency), the difference is recorded as grants made now, so every process holds
        back. Only looked at when the venue says little is left (a round trip per call)."""
        if remaining is None or remaining < 0 or remaining > self.limit // 20:
            return
        args = [self.limit, self._span_us, self.limit - remaining]
        guarded(lambda: self._correct(keys=self._keys[:2], args=args), "a budget correction")

    def state(self) -> BudgetState:
        """Used in the current window, limit, waiting and penalty left."""
        return _state(self._client, self.name, self._keys)

    def __repr__(self) -> str:
        return f"RedisBudget({self.name!r}, limit={self.limit}, window={self.window:g})"


def _state(client: Any, name: str, keys: list[str]) -> BudgetState:
    used, waiting, blocked, limit, window = guarded(
        lambda: client.eval(_STATE, 3, *keys[:3]), "reading a budget"
    )
    return BudgetState(
        name, int(limit), int(window) / 1_000_000, int(used), int(waiting), int(blocked) / 1e6
    )


def budget_states(client: Any, prefix: str = DEFAULT_PREFIX) -> list[BudgetState]:
    """Every shared budget in the store, by name."""
    names = []
    for raw in guarded(
        lambda: list(client.scan_iter(match=f"{prefix}:budget:*:meta", count=500)), "a scan"
    ):
        key = raw.decode() if isinstance(raw, bytes) else str(raw)
        start, end = key.find("{"), key.rfind("}")
        if start >= 0 and end > start:
            names.append(key[start + 1 : end])
    return [_state(client, n, _keys(prefix, n)) for n in sorted(set(names))]
