"""Reconnect backoff shared by every venue's WebSocket stream."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

__all__ = ["Backoff"]


@dataclass
class Backoff:
    """Exponential reconnect delays with full jitter, reset after a healthy connection.

    ``next_delay()`` returns ``uniform(0, min(maximum, initial * factor**n))``; jitter keeps a
    fleet of bots from reconnecting in lockstep after a venue restart.
    """

    initial: float = 0.2
    maximum: float = 10.0
    factor: float = 2.0
    _attempt: int = field(default=0, repr=False)
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    def next_delay(self) -> float:
        """Delay before the next reconnect attempt, in seconds."""
        # Past the point where the ceiling reaches ``maximum`` the exponent stops growing, so
        # a venue that stays down for days cannot overflow the float power.
        exponent = min(self._attempt, 64)
        ceiling = min(self.maximum, self.initial * self.factor**exponent)
        self._attempt += 1
        return self._rng.uniform(0.0, ceiling)

    def reset(self) -> None:
        """Call once a connection has proven healthy (logged in, first message)."""
        self._attempt = 0

    @property
    def attempts(self) -> int:
        """Reconnect attempts since the last reset."""
        return self._attempt
