"""Faults an operator or a test can switch on to see how a client copes.

Added latency, 5xx answers, a placement whose HTTP response is dropped after the orders were
committed (the ambiguous case a client must reconcile by requestUuid), and closing WebSocket
connections. Counters make a fault hit exactly the next N requests, so tests are deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Faults"]


@dataclass
class Faults:
    """Current fault settings; all off by default."""

    latency: float = 0.0  # seconds added before every client API request is handled
    fail_next: int = 0  # the next N client API requests answer ``fail_status`` unprocessed
    fail_status: int = 500
    drop_next_placements: int = 0  # the next N /place-orders commit, then drop the response

    def take_failure(self) -> int | None:
        """The status to fail this request with, consuming one, or None."""
        if self.fail_next > 0:
            self.fail_next -= 1
            return self.fail_status
        return None

    def take_drop(self) -> bool:
        if self.drop_next_placements > 0:
            self.drop_next_placements -= 1
            return True
        return False

    def clear(self) -> None:
        self.latency = 0.0
        self.fail_next = 0
        self.fail_status = 500
        self.drop_next_placements = 0

    def as_json(self) -> dict[str, float | int]:
        return {
            "latency": self.latency,
            "failNext": self.fail_next,
            "failStatus": self.fail_status,
            "dropNextPlacements": self.drop_next_placements,
        }
