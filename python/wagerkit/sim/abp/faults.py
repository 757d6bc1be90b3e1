"""Faults an operator or a test can switch on to see how a client copes.

Added latency, 5xx answers, a placement whose HTTP response is dropped after the orders were
committed (the ambiguous case a client must reconcile by requestUuid), closing WebSocket
connections, and odds that are "not fetched in time" for a bookmaker (ABP's "Odds temporarily
unavailable" decline). Counters make a fault hit exactly the next N requests, so tests are
deterministic; stale odds stay stale until the fault is cleared.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Faults"]


@dataclass
class Faults:
    """Current fault settings; all off by default."""

    latency: float = 0.0  # seconds added before every client API request is handled
    fail_next: int = 0  # the next N client API requests answer ``fail_status`` unprocessed
    fail_status: int = 500
    drop_next_placements: int = 0  # the next N /place-orders commit, then drop the response
    # (bookmaker, fixtureId or None for every fixture) whose odds are not fetched in time
    odds_unavailable: set[tuple[str, str | None]] = field(default_factory=set)

    def odds_stale(self, bookmaker: str, fixture_id: str) -> bool:
        """True when placement cannot get fresh odds from ``bookmaker`` for the fixture."""
        stale = self.odds_unavailable
        return bool(stale) and ((bookmaker, fixture_id) in stale or (bookmaker, None) in stale)

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
        self.odds_unavailable = set()

    def as_json(self) -> dict[str, object]:
        return {
            "latency": self.latency,
            "failNext": self.fail_next,
            "failStatus": self.fail_status,
            "dropNextPlacements": self.drop_next_placements,
            "oddsUnavailable": [
                {"bookmaker": bookmaker, "fixtureId": fixture}
                for bookmaker, fixture in sorted(
                    self.odds_unavailable, key=lambda t: (t[0], t[1] or "")
                )
            ],
        }
