"""ABP's per-key budget shared by every process of a bot: :func:`abp_budget`.

The in-process :func:`~wagerkit.abp.client.abp_limiter` covers the clients of one process; this
is the same budget (100 requests per key per sliding second) held in Redis for all of them.
"""

from __future__ import annotations

import hashlib
from typing import Any

from wagerkit.abp.client import DEFAULT_RATE, resolve_credentials
from wagerkit.errors import InvalidInput
from wagerkit.execution.shared.budget import RedisBudget

__all__ = ["SHARED_GUARD", "abp_budget"]

SHARED_GUARD = 0.1
"""Seconds added to ABP's one-second window by a budget shared across processes: a grant and
its request's arrival can be tens of milliseconds apart on a busy host (docs/shared.md)."""


def abp_budget(
    redis: Any,
    api_key: str | None = None,
    *,
    rate: float = DEFAULT_RATE,
    endpoint: str = "all",
    guard: float = SHARED_GUARD,
    max_wait: float = 30.0,
) -> RedisBudget:
    """The shared budget of one ABP key (``api_key`` or ``$ABP_API_KEY``), for ``AbpClient``.

    Named ``abp:<digest of the key>:<endpoint>`` (the key itself is never written to Redis),
    so every process using the key shares it, whatever machine it runs on.
    """
    key, _ = resolve_credentials(api_key, None)
    if not (rate >= 1 and float(rate).is_integer()):
        raise InvalidInput(f"rate must be a whole number >= 1, got {rate!r}", field="rate")
    digest = hashlib.sha256((key or "").encode()).hexdigest()[:16]
    return RedisBudget(
        redis, f"abp:{digest}:{endpoint}", int(rate), 1.0, guard=guard, max_wait=max_wait
    )
