"""The simulator's clock: real time plus an offset that admin controls can move forward.

Everything in the simulator that depends on time (order expiry, the 30-minute idempotency
window, scheduled price moves, timestamps on the wire) reads this clock, so a test or a paper
trader can jump ahead ("advance 6 s") instead of sleeping. Delays that only pace the server
(retry cadence, bookmaker delay, WebSocket keepalive) use real time with configurable values.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

__all__ = ["SimClock", "iso", "parse_iso"]


class SimClock:
    """Wall-clock and monotonic readings shifted by a shared, only-growing offset (seconds)."""

    def __init__(self, offset: float = 0.0) -> None:
        self._offset = offset

    @property
    def offset(self) -> float:
        """Seconds added to real time so far (persisted with ``--db`` so history stays ordered)."""
        return self._offset

    def now(self) -> float:
        """Epoch seconds (UTC) as the simulated world sees them."""
        return time.time() + self._offset

    def monotonic(self) -> float:
        """Monotonic seconds including the offset; for TTLs and rate windows."""
        return time.monotonic() + self._offset

    def advance(self, seconds: float) -> None:
        """Jump forward; time never goes back, so expiries and windows stay consistent."""
        if seconds < 0:
            raise ValueError("the simulator clock only moves forward")
        self._offset += seconds

    def iso_now(self) -> str:
        """:meth:`now` as ISO 8601 UTC text."""
        return iso(self.now())


def iso(epoch: float) -> str:
    """ISO 8601 UTC with milliseconds and ``Z``, the shape of ABP's ``createdAt`` fields."""
    text = datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def parse_iso(text: str) -> float:
    """Epoch seconds from ISO 8601 text; a value without a zone is read as UTC.

    Raises ValueError for text that is not ISO 8601.
    """
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()
