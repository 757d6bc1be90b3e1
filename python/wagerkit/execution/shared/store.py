"""The connection to the shared store (Redis or Valkey) and its failure rule.

Why one small module: every shared backend (claims, leases, budgets) must fail the same way.
A Redis that cannot be reached becomes :class:`~wagerkit.errors.SharedStateUnavailable`, raised
before anything is sent: no silent fallback to a local budget or dedupe window, which would let
four processes send four times the rate or two processes place one intent twice. Reconnecting is
redis-py's job: the client is built with a bounded exponential-backoff :class:`redis.retry.Retry`
on connection and timeout errors, so a Redis that comes back is used again without a restart.

The client is the *blocking* redis-py client on purpose: one Lua call on loopback or a LAN is a
few tens of microseconds, less than handing it to a thread, and a blocking client works the
same under asyncio, trio and the blocking wagerkit clients (each runs its own loop).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from wagerkit.errors import InvalidInput, SharedStateUnavailable

__all__ = ["DEFAULT_PREFIX", "connect", "guarded", "process_owner"]

DEFAULT_PREFIX = "wk"
"""Prefix of every key wagerkit writes (``wk:budget:...``, ``wk:claim:...``, ``wk:lease:...``)."""

T = TypeVar("T")


def _redis() -> Any:
    try:
        import redis
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the install
        raise InvalidInput(
            "the shared backends need the redis extra: pip install 'wagerkit[redis]'",
            field="redis",
        ) from exc
    return redis


def connect(
    url: str = "redis://127.0.0.1:6379/0",
    *,
    timeout: float = 1.0,
    retries: int = 3,
) -> Any:
    """A redis-py client for ``url`` that reconnects by itself.

    ``timeout`` bounds connecting and each command (seconds); a command that fails on a
    connection or timeout error is retried ``retries`` times with exponential backoff (10 ms
    doubling, at most 0.5 s) before :func:`guarded` turns it into SharedStateUnavailable. The
    URL (which may carry a password) never appears in an error.
    """
    redis = _redis()
    from redis.backoff import ExponentialBackoff
    from redis.retry import Retry

    if not (timeout > 0):
        raise InvalidInput(f"timeout must be > 0, got {timeout!r}", field="timeout")
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.01), retries),
        retry_on_error=[redis.exceptions.ConnectionError, redis.exceptions.TimeoutError],
        health_check_interval=15,
    )


def guarded(call: Callable[[], T], what: str) -> T:
    """Run one store command; an unreachable store becomes SharedStateUnavailable."""
    redis = _redis()
    try:
        return call()
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
        raise SharedStateUnavailable(
            f"shared store unreachable during {what} ({type(exc).__name__}); nothing was sent"
        ) from None


def process_owner() -> str:
    """This process as an owner token: ``host:pid:uuid`` (unique even after a pid is reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
