"""The local OddsPapi server's rules: keys and their plans, the per-key per-endpoint rate
limit (with OddsPapi's headers), and injected faults. The HTTP face is :mod:`.rest`; the
WebSocket face plugs in through :mod:`.ws`.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wagerkit.clock import Clock, SystemClock
from wagerkit.sim.abp.scenario import load_scenario
from wagerkit.sim.oddspapi.scenario import KeySpec, Overlay, load_overlay
from wagerkit.sim.oddspapi.world import World

__all__ = ["CHANNELS", "FAULT_MODES", "Fault", "OddsPapiSim", "channel_of"]

CHANNELS = ("fixtures", "odds", "historical", "clv", "mapping", "settlement")
"""Endpoint families a plan can include (reference data is always allowed)."""


def channel_of(path: str) -> str | None:
    """The plan channel of a REST path, or None for reference data."""
    if path.startswith("/fixtures/odds/historical"):
        return "historical"
    if path.startswith("/fixtures/odds/clv"):
        return "clv"
    if path.startswith("/fixtures/odds"):
        return "odds"
    if path.startswith("/fixtures/mapping"):
        return "mapping"
    if path.startswith("/fixtures/settlement"):
        return "settlement"
    if path.startswith("/fixtures"):
        return "fixtures"
    return None


FAULT_MODES = ("answer", "close", "drop")


@dataclass
class Fault:
    """Answer the next ``count`` requests to paths starting with ``path`` with ``status`` and
    OddsPapi's error ``code`` (``retry_after`` seconds on a 429).

    ``mode`` ``close`` instead sends the status line and headers then closes the connection
    mid-body (a node dying under the request); ``drop`` holds the request ``hold`` seconds
    without a byte of answer, then closes it (a lost packet: the client's timeout must fire).
    """

    path: str
    status: int
    code: str
    count: int = 1
    retry_after: float | None = None
    mode: str = "answer"
    hold: float = 5.0


class _Window:
    """Arrival times of one key on one endpoint (exact sliding window)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self.times: deque[float] = deque()


class OddsPapiSim:
    """The whole local OddsPapi: world + keys + limits + faults."""

    def __init__(
        self,
        overlay: str | Path | dict[str, Any] | Overlay | None = None,
        *,
        abp_scenario: str | Path | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.overlay = overlay if isinstance(overlay, Overlay) else load_overlay(overlay)
        abp = load_scenario(abp_scenario or self.overlay.abp_scenario)
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.world = World(abp, self.overlay, clock=self.clock)
        self.keys: dict[str, KeySpec] = {k.api_key: k for k in self.overlay.keys}
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], _Window] = {}
        self.faults: list[Fault] = []
        self.rejected_429 = 0
        """429s sent by the limiter itself (not injected): a polite client keeps this at 0."""
        self.requests: list[tuple[str, str]] = []
        """(key name, path) of every authenticated request, in order (bounded)."""

    @property
    def default_key(self) -> str:
        return self.overlay.keys[0].api_key

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    def pending_faults(self) -> list[Fault]:
        """A copy of the REST faults still to fire, in order."""
        with self._lock:
            return list(self.faults)

    def clear_faults(self) -> int:
        """Forget every pending REST fault; how many there were."""
        with self._lock:
            pending, self.faults = len(self.faults), []
            return pending

    def take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if path.startswith(fault.path) and fault.count > 0:
                    fault.count -= 1
                    if fault.count == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def admit(self, key: str, path: str) -> tuple[bool, dict[str, str]]:
        """Count one request of ``key`` on ``path``; (allowed, rate-limit headers)."""
        odds = path.startswith("/fixtures/odds")
        limit, window = self.overlay.rate_limits.odds if odds else self.overlay.rate_limits.other
        now = self.clock.monotonic()
        with self._lock:
            w = self._windows.get((key, path))
            if w is None:
                w = self._windows[(key, path)] = _Window(limit, window)
            while w.times and w.times[0] <= now - w.window:
                w.times.popleft()
            allowed = len(w.times) < w.limit
            if allowed:
                w.times.append(now)
                if len(self.requests) < 100_000:
                    self.requests.append((self.keys[key].name, path))
            else:
                self.rejected_429 += 1
            oldest = w.times[0] if w.times else now
            reset_in = max(0.0, oldest + w.window - now)
            headers = {
                "X-RateLimit-Limit": str(w.limit),
                "X-RateLimit-Remaining": str(max(0, w.limit - len(w.times))),
                "X-RateLimit-Reset": str(math.ceil(self.clock.time() + reset_in)),
            }
            if not allowed:
                headers["Retry-After"] = str(max(1, math.ceil(reset_in)))
            return allowed, headers
