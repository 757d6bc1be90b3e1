"""Transports shared by every venue client: HTTP (httpx), WebSocket (websockets sans-I/O
over anyio), the process-wide rate limiter, the retry policy and the blocking facade.

Venue clients (``wagerkit.abp``, ``.pinnacle``, ``.odds88``) own their wire formats and error
bodies; what is the same for all of them lives here.
"""

from wagerkit.transport.blocking import BlockingRunner
from wagerkit.transport.http import (
    DECODE_FAILURES,
    HttpTransport,
    check_base_url,
    is_loopback_url,
)
from wagerkit.transport.ratelimit import Limiter, RateLimiter, SlidingWindowLimiter
from wagerkit.transport.retry import RetryPolicy
from wagerkit.transport.websocket import (
    Backoff,
    ConnectionClosed,
    UpgradeRefused,
    WebSocket,
    WebSocketError,
    connect_ws,
)

__all__ = [
    "DECODE_FAILURES",
    "Backoff",
    "BlockingRunner",
    "ConnectionClosed",
    "HttpTransport",
    "Limiter",
    "RateLimiter",
    "RetryPolicy",
    "SlidingWindowLimiter",
    "UpgradeRefused",
    "WebSocket",
    "WebSocketError",
    "check_base_url",
    "connect_ws",
    "is_loopback_url",
]
