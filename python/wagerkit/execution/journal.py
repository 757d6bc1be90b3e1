"""The journal: every intent is written down before it is sent, then every send, answer and
status change, per venue. It is the bot's order and bet history.

Why first: if the process dies between "send" and "answer", the journal is the only record that
a request with this key may exist. On restart, :meth:`Journal.unresolved` lists those intents
(with their request bytes), and :meth:`wagerkit.execution.OrderManager.recover` looks each one
up before the bot does anything else; :meth:`Journal.recent` lists the keys sent within the
venue's dedupe window, which recover puts back into the dedupe cache so that a second submit
stays refused across the restart.

Two journals share one protocol: :class:`~wagerkit.execution.sqlite.SqliteJournal` (the
default for a bot: durable, queryable, bounded by a retention) and :class:`MemoryJournal` (tests
and throwaway scripts; lost on a crash).
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Protocol

import msgspec

from wagerkit.errors import InvalidInput
from wagerkit.execution.adapter import LocalStatus

__all__ = ["VENUE_EVENT", "Journal", "JournalEntry", "JournalIntent", "MemoryJournal"]

VENUE_EVENT = "VENUE"
"""The event of an entry that records a newer venue status of an accepted intent (its
``venue_status``), without changing the local status."""

_UNRESOLVED = frozenset(
    {LocalStatus.CREATED.value, LocalStatus.SENT.value, LocalStatus.UNKNOWN.value}
)


class JournalEntry(msgspec.Struct, frozen=True, gc=False, omit_defaults=True):
    """One journaled event of one intent.

    ``event`` is a :class:`~wagerkit.execution.adapter.LocalStatus` value, or
    :data:`VENUE_EVENT`. A ``CREATED`` entry carries the intent (kind, user_ref, expiry and the
    adapter-encoded request bytes); a ``SENT`` entry its attempt number; an answer its venue id
    and venue status; an ``UNKNOWN`` entry the time it becomes decidable.
    """

    at: float
    venue: str
    key: str
    event: str
    note: str = ""
    venue_id: str | None = None
    venue_status: str | None = None
    decidable_at: float | None = None
    attempt: int | None = None
    kind: str | None = None
    user_ref: str | None = None
    expires_at: float | None = None
    payload: bytes | None = None


@dataclasses.dataclass(slots=True)
class JournalIntent:
    """What the journal knows about one intent now (one row of the ``intents`` table)."""

    venue: str
    key: str
    kind: str
    user_ref: str | None
    created_at: float
    expires_at: float | None
    payload: bytes | None
    status: str
    status_at: float
    venue_id: str | None = None
    venue_status: str | None = None
    decidable_at: float | None = None
    first_sent_at: float | None = None
    last_sent_at: float | None = None
    attempts: int = 0

    @property
    def resolved(self) -> bool:
        return self.status not in _UNRESOLVED

    def apply(self, e: JournalEntry) -> None:
        """Fold one later entry in (the same rule the SQLite journal applies in SQL)."""
        if e.event == LocalStatus.CREATED.value:
            return
        if e.venue_id is not None:
            self.venue_id = e.venue_id
        if e.venue_status is not None:
            self.venue_status = e.venue_status
        if e.event == VENUE_EVENT:
            return
        if e.event == LocalStatus.SENT.value:
            self.attempts = max(self.attempts, e.attempt or self.attempts + 1)
            if self.first_sent_at is None:
                self.first_sent_at = e.at
            self.last_sent_at = e.at
        self.status = e.event
        self.status_at = e.at
        self.decidable_at = e.decidable_at


def new_intent(e: JournalEntry) -> JournalIntent:
    """The row a CREATED entry starts."""
    return JournalIntent(
        venue=e.venue,
        key=e.key,
        kind=e.kind or "order",
        user_ref=e.user_ref,
        created_at=e.at,
        expires_at=e.expires_at,
        payload=e.payload,
        status=e.event,
        status_at=e.at,
    )


class Journal(Protocol):
    """Where the order manager writes; :meth:`append` must be durable when it returns (as far
    as the journal promises: see each class)."""

    def append(self, entries: Iterable[JournalEntry], *, durable: bool = True) -> None:
        """Write the entries in one go (one transaction). ``durable=False`` allows a journal
        to delay them (they are facts the venue can be asked for again after a crash)."""
        ...

    def unresolved(self, venue: str | None = None) -> list[JournalIntent]:
        """Intents whose last status is CREATED, SENT or UNKNOWN, oldest first."""
        ...

    def recent(self, since: float, venue: str | None = None) -> list[str]:
        """Keys of intents created at or after ``since`` (epoch seconds)."""
        ...

    def history(
        self,
        *,
        venue: str | None = None,
        user_ref: str | None = None,
        status: str | None = None,
        since: float | None = None,
        until: float | None = None,
        limit: int | None = None,
    ) -> list[JournalIntent]:
        """Intents created in ``[since, until)`` matching the filters, oldest first.

        ``status`` matches the local status (``ACCEPTED``, ``UNKNOWN``...) or the venue's
        status word (``FILLED``, ``REJECTED``...).
        """
        ...

    def events(self, venue: str, key: str) -> list[JournalEntry]:
        """Every entry of one intent, in order (what was sent, answered and changed)."""
        ...


def matches(
    row: JournalIntent,
    venue: str | None,
    user_ref: str | None,
    status: str | None,
    since: float | None,
    until: float | None,
) -> bool:
    """The filter of :meth:`Journal.history` for one row."""
    return (
        (venue is None or row.venue == venue)
        and (user_ref is None or row.user_ref == user_ref)
        and (status is None or status in (row.status, row.venue_status))
        and (since is None or row.created_at >= since)
        and (until is None or row.created_at < until)
    )


class MemoryJournal:
    """In-memory journal, bounded: for tests and bots that accept losing it on a crash.

    Over ``capacity`` intents, the least recently changed *resolved* ones are forgotten first;
    an unresolved one only when nothing resolved is left (the cap is hard).
    """

    def __init__(self, capacity: int = 100_000) -> None:
        if capacity <= 0:
            raise InvalidInput("capacity must be > 0", field="capacity")
        self.capacity = capacity
        self._lock = threading.Lock()
        self._rows: OrderedDict[tuple[str, str], JournalIntent] = OrderedDict()
        self._events: dict[tuple[str, str], list[JournalEntry]] = {}

    def append(self, entries: Iterable[JournalEntry], *, durable: bool = True) -> None:
        with self._lock:
            for e in entries:
                ident = (e.venue, e.key)
                row = self._rows.get(ident)
                if row is None:
                    if e.event != LocalStatus.CREATED.value:
                        continue  # an intent forgotten by the cap: nothing to attach it to
                    self._rows[ident] = new_intent(e)
                    self._events[ident] = [e]
                else:
                    row.apply(e)
                    self._events[ident].append(e)
                    self._rows.move_to_end(ident)
            self._trim()

    def _trim(self) -> None:
        excess = len(self._rows) - self.capacity
        if excess <= 0:
            return
        victims = [ident for ident, row in self._rows.items() if row.resolved][:excess]
        if len(victims) < excess:
            victims += [i for i in self._rows if i not in victims][: excess - len(victims)]
        for ident in victims:
            del self._rows[ident]
            self._events.pop(ident, None)

    def unresolved(self, venue: str | None = None) -> list[JournalIntent]:
        with self._lock:
            rows = [r for r in self._rows.values() if not r.resolved]
        rows = [r for r in rows if venue is None or r.venue == venue]
        return sorted(rows, key=lambda r: (r.created_at, r.key))

    def recent(self, since: float, venue: str | None = None) -> list[str]:
        with self._lock:
            return [
                r.key
                for r in self._rows.values()
                if r.created_at >= since and (venue is None or r.venue == venue)
            ]

    def history(
        self,
        *,
        venue: str | None = None,
        user_ref: str | None = None,
        status: str | None = None,
        since: float | None = None,
        until: float | None = None,
        limit: int | None = None,
    ) -> list[JournalIntent]:
        with self._lock:
            rows = [
                dataclasses.replace(r)
                for r in self._rows.values()
                if matches(r, venue, user_ref, status, since, until)
            ]
        rows.sort(key=lambda r: (r.created_at, r.key))
        return rows[:limit] if limit is not None else rows

    def events(self, venue: str, key: str) -> list[JournalEntry]:
        with self._lock:
            return list(self._events.get((venue, key), ()))

    def __len__(self) -> int:
        return len(self._rows)
