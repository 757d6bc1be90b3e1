"""An append-only, bounded log of feed messages that WebSocket handlers can wait on.

Odds88 feeds recover by ``revision`` (Unix seconds, at most 3 days back), so the simulator keeps
what it published with a timestamp and a sequence number. Test code publishes from its own
thread while the handlers wait in the server's event loop, so appends take a thread lock and wake
waiters with ``call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import bisect
import threading
from collections import deque
from dataclasses import dataclass

__all__ = ["RETENTION", "Entry", "Journal"]

RETENTION = 3 * 24 * 3600.0
"""Seconds of history kept: the documented recovery window."""


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    ts: float
    bet_id: str
    data: bytes
    """One JSON object, the ``data`` of a feed message."""


class Journal:
    """Entries in publication order; ``ts`` never decreases (the simulator's clock)."""

    def __init__(self, *, retention: float = RETENTION, cap: int = 200_000) -> None:
        self._entries: deque[Entry] = deque()
        self._next_seq = 0
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self._retention = retention
        self._cap = cap

    def append(self, ts: float, bet_id: str, data: bytes) -> Entry:
        with self._lock:
            if self._entries and ts < self._entries[-1].ts:
                ts = self._entries[-1].ts
            entry = Entry(self._next_seq, ts, bet_id, data)
            self._next_seq += 1
            self._entries.append(entry)
            while len(self._entries) > self._cap or (
                self._entries and self._entries[0].ts < ts - self._retention
            ):
                self._entries.popleft()
            waiters = list(self._waiters)
        for loop, event in waiters:
            loop.call_soon_threadsafe(event.set)
        return entry

    @property
    def next_seq(self) -> int:
        with self._lock:
            return self._next_seq

    def first_seq_at(self, revision: float) -> int:
        """Sequence number of the first entry with ``ts >= revision``."""
        with self._lock:
            entries = list(self._entries)
        index = bisect.bisect_left([e.ts for e in entries], revision)
        return entries[index].seq if index < len(entries) else self._next_seq

    def since(self, seq: int, limit: int = 500) -> list[Entry]:
        """Entries with sequence ``>= seq``, oldest first, at most ``limit``."""
        with self._lock:
            if not self._entries or seq >= self._next_seq:
                return []
            start = max(0, seq - self._entries[0].seq)
            out: list[Entry] = []
            for i in range(start, len(self._entries)):
                out.append(self._entries[i])
                if len(out) >= limit:
                    break
            return out

    def all(self) -> list[Entry]:
        with self._lock:
            return list(self._entries)

    def register(self, event: asyncio.Event) -> tuple[asyncio.AbstractEventLoop, asyncio.Event]:
        key = (asyncio.get_running_loop(), event)
        with self._lock:
            self._waiters.add(key)
        return key

    def unregister(self, key: tuple[asyncio.AbstractEventLoop, asyncio.Event]) -> None:
        with self._lock:
            self._waiters.discard(key)
