"""Fair-use intervals shared by every process: "at most one call per interval" slots in Redis.

Pinnacle's fair-use rules are not a count per window but a minimum interval per endpoint and
sport. Each slot is a Redis key whose *expiry is the interval*: a call may go when none of the
slots its rules name exists (and no 429 block key does), and going sets every one of them
with ``PX interval``. One Lua script checks and sets atomically, on the server's clock, so four
processes polling one sport's odds together still make one call per interval. A 429's
``Retry-After`` sets a block key that only ever lengthens. Used by
:class:`~wagerkit.pinnacle.pacer.Pacer` through its ``shared=`` argument.
"""

from __future__ import annotations

from typing import Any

from wagerkit.execution.shared.store import DEFAULT_PREFIX, guarded

__all__ = ["RedisPacing"]

_TAKE = """
local n = tonumber(ARGV[1])
local wait = 0
for i, k in ipairs(KEYS) do
  local ttl = redis.call('PTTL', k)
  if ttl > wait then wait = ttl end
end
if wait > 0 or ARGV[2] == '0' then return wait end
for i = 1, n do
  redis.call('SET', KEYS[i], '1', 'PX', ARGV[i + 2])
end
return 0
"""

_BLOCK = """
local ttl = redis.call('PTTL', KEYS[1])
if tonumber(ARGV[1]) > ttl then redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) end
return 1
"""


class RedisPacing:
    """The slots of one account's fair-use rules, shared in Redis (``name``: the account)."""

    def __init__(self, client: Any, name: str, *, prefix: str = DEFAULT_PREFIX) -> None:
        self._base = f"{prefix}:pace:{name}"
        self._take = client.register_script(_TAKE)
        self._block = client.register_script(_BLOCK)

    def _slot(self, key: object) -> str:
        return f"{self._base}:slot:{key}"

    def _blocked(self, key: object) -> str:
        return f"{self._base}:block:{key}"

    def take(
        self, slots: list[tuple[object, float]], blocks: list[object], *, reserve: bool = True
    ) -> float:
        """Set every slot for its interval if none is busy (0.0), else seconds to wait."""
        keys = [self._slot(k) for k, _ in slots] + [self._blocked(b) for b in blocks]
        args: list[object] = [len(slots), 1 if reserve else 0]
        args += [max(1, round(interval * 1000)) for _, interval in slots]
        wait = guarded(lambda: self._take(keys=keys, args=args), "a fair-use slot")
        return int(wait) / 1000

    def block(self, key: object, seconds: float) -> None:
        """No call on ``key`` for ``seconds`` (a 429's Retry-After); never shortens a block."""
        ms = max(1, round(seconds * 1000))
        guarded(lambda: self._block(keys=[self._blocked(key)], args=[ms]), "a fair-use block")
