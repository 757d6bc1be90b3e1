"""An intent's life as the bot saw it, with timestamps (the way flumine keeps it).

Why: after a bad night a bettor must be able to answer "what did the bot send, when, what did
the venue say, and when did it fill?" without grepping logs. Each :class:`ManagedOrder` keeps
its intent (the idempotency key never changes), the venue's latest word about it (a
:class:`~wagerkit.execution.adapter.VenueRecord`), and every status change.

The venue's latest word is decided by the venue's own ordering of versions
(:meth:`VenueRecord.newer_than`), never by a ranking of statuses: an ABP order can go FILLED,
back to work after a bookmaker rejects its bet, then REJECTED, and each step replaces the last.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

from wagerkit.execution.adapter import Intent, LocalStatus, VenueRecord

__all__ = ["LocalStatus", "ManagedOrder", "Transition"]


@dataclass(frozen=True, slots=True)
class Transition:
    """One status change: wall-clock ``at`` (epoch seconds), the new status, and why."""

    at: float
    status: str
    note: str = ""

    @property
    def iso(self) -> str:
        """``at`` as an ISO 8601 UTC time with milliseconds, for people and logs."""
        return iso(self.at)


def iso(at: float) -> str:
    """Epoch seconds as ISO 8601 UTC with milliseconds and ``Z``."""
    return (
        dt.datetime.fromtimestamp(at, dt.UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


@dataclass(slots=True, eq=False)
class ManagedOrder:
    """An intent under the manager's care.

    ``decidable_at`` (epoch seconds) is set while the intent is UNKNOWN: from then on a lookup
    that misses it proves it was never placed (see
    :meth:`~wagerkit.execution.adapter.VenueAdapter.decidable_at`).
    """

    intent: Intent[Any]
    status: LocalStatus = LocalStatus.CREATED
    record: VenueRecord | None = None
    decline_reason: str | None = None
    attempts: int = 0
    first_sent_at: float | None = None
    last_sent_at: float | None = None
    decidable_at: float | None = None
    history: list[Transition] = field(default_factory=list)
    payload_known: bool = True
    """False for an intent recovered from the journal whose request could not be rebuilt: it
    is looked up, never resent."""

    def __post_init__(self) -> None:
        if not self.history:
            self.history.append(Transition(time.time(), self.status.value, "created"))

    # -- identity ------------------------------------------------------------------------------

    @property
    def key(self) -> str:
        """The idempotency key (ABP requestUuid, Pinnacle uniqueRequestId, ...)."""
        return self.intent.key

    @property
    def request_uuid(self) -> str:
        """Alias of :attr:`key` (ABP's name for it)."""
        return self.intent.key

    @property
    def venue(self) -> str:
        return self.intent.venue

    @property
    def request(self) -> Any:
        """The venue request as the bot built it (e.g. an ABP ``OrderRequest``)."""
        return self.intent.payload

    # -- the venue's word ----------------------------------------------------------------------

    @property
    def order(self) -> Any:
        """The venue's latest object for it (an ABP ``Order``...), None until it is known."""
        return self.record.raw if self.record is not None else None

    @property
    def venue_status(self) -> str | None:
        """The venue's own status word for it, once known."""
        return self.record.status if self.record is not None else None

    @property
    def order_status(self) -> Any:
        """The venue's status as its own type (ABP ``OrderStatus``) when the record has one."""
        raw = self.order
        found = getattr(raw, "order_status", None)
        return found if found is not None else self.venue_status

    @property
    def placed(self) -> bool:
        """True once the venue is known to hold it."""
        return self.status is LocalStatus.ACCEPTED

    @property
    def resolved(self) -> bool:
        """The bot knows whether it exists at the venue."""
        return self.status.resolved

    # -- changes -------------------------------------------------------------------------------

    def mark(self, status: LocalStatus, note: str = "") -> None:
        """Move to ``status`` and record it (repeats are recorded only with a new note)."""
        if status is self.status and (not note or note == self.history[-1].note):
            return
        self.status = status
        if status is not LocalStatus.UNKNOWN:
            self.decidable_at = None
        self.history.append(Transition(time.time(), status.value, note))

    def observe(self, record: VenueRecord, source: str) -> bool:
        """Take the venue's view if it is not behind the one held (the venue's ordering of
        versions decides); records a transition when the venue's status moved. A record with
        ``placed=False`` (the venue refused it) makes the intent DECLINED, else it is ACCEPTED.
        Returns whether the view was taken."""
        if not record.newer_than(self.record):
            return False
        previous = self.record.status if self.record is not None else None
        self.record = record
        if not record.placed:  # the venue refused it: nothing was placed
            self.decline_reason = record.status
            self.mark(LocalStatus.DECLINED, f"{record.status} via {source}")
        elif self.status is not LocalStatus.ACCEPTED:
            self.mark(LocalStatus.ACCEPTED, f"id {record.venue_id} via {source}")
        if record.status != previous:
            self.history.append(Transition(time.time(), record.status, source))
        return True

    def __repr__(self) -> str:
        venue = ""
        if self.record is not None:
            venue = f", {self.record.status} #{self.record.venue_id}"
        return f"ManagedOrder({self.intent.venue}:{self.key}, {self.status.value}{venue})"
