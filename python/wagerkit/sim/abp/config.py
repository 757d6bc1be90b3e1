"""Settings of one simulator instance. Defaults are ABP's documented values.

Tests shrink the intervals (retry cadence, WebSocket login/ping/pong) so they run in
milliseconds; nothing else differs between a test server and ``wagerkit sim abp``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wagerkit.sim.abp.clock import SimClock
from wagerkit.sim.abp.scenario import Scenario

__all__ = ["SimConfig"]


@dataclass
class SimConfig:
    """Everything that shapes a simulator run.

    ``api_key`` is the key of the scenario's first client (generated when None); ``admin``
    mounts the admin endpoints under ``admin_prefix``; ``db_path`` keeps state in SQLite.
    """

    scenario: Scenario | None = None  # None: the default scenario shipped with wagerkit
    api_key: str | None = field(default=None, repr=False)
    admin: bool = False
    db_path: str | None = None
    admin_prefix: str = "/_admin"
    retry_interval: float = 0.25  # seconds between routing attempts of a waiting order
    default_expiry: float = 5.0  # expiresAt default: now + 5 s
    max_expiry: float = 86_400.0  # expiresAt is capped at 24 h
    dedupe_ttl: float = 1_800.0  # a requestUuid is remembered for 30 min
    dedupe_capacity: int = 1_000_000
    page_size: int = 100  # /orders and /bets default page size (``limit`` query parameter)
    max_page_size: int = 1_000
    rps: int | None = None  # overrides every client's requests per second
    ws_login_timeout: float = 30.0
    ws_ping_interval: float = 30.0
    ws_pong_timeout: float = 120.0
    ws_max_connections: int = 5
    ws_buffer: int = 100  # queued messages per connection before it is closed as too slow
    circuit_threshold: int = 5  # consecutive bookmaker rejections that open its breaker
    circuit_cooldown: float = 30.0  # seconds (simulator clock) before it half-opens
    seed: int = 0  # seeds bookmaker rejections (rejectRate) and ids sent to bookmakers
    clock: SimClock = field(default_factory=SimClock)
