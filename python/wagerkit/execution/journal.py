"""The order journal: what we are about to send is written down before it is sent.

Why first: if the process dies between "send" and "answer", the journal is the only record that
an order with this requestUuid may exist. On restart, :meth:`FileJournal.unresolved` lists those
orders, and :meth:`wagerkit.execution.OrderManager.recover` looks each one up by requestUuid
before the bot does anything else.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

import msgspec

from wagerkit.abp.orders import OrderRequest

__all__ = ["FileJournal", "Journal", "JournalEntry", "MemoryJournal", "entry"]

_RESOLVED = frozenset({"ACCEPTED", "DECLINED", "NOT_SENT"})


class JournalEntry(msgspec.Struct, frozen=True, gc=False, omit_defaults=True):
    """One line: ``event`` is a :class:`~wagerkit.execution.lifecycle.LocalStatus` value."""

    at: float
    request_uuid: str
    event: str
    note: str = ""
    order_id: int | None = None
    request: dict[str, Any] | None = None
    """The wire body of the order (on the first entry of each uuid), kept for the record."""


class Journal(Protocol):
    """Where the order manager writes; :meth:`append` must be durable when it returns."""

    def append(self, entries: Iterable[JournalEntry]) -> None: ...

    def unresolved(self) -> list[str]: ...


def entry(
    uuid: str,
    event: str,
    note: str = "",
    *,
    order_id: int | None = None,
    request: OrderRequest | None = None,
) -> JournalEntry:
    """A journal line stamped now; ``request`` is stored as its wire body."""
    body = msgspec.to_builtins(request) if request is not None else None
    return JournalEntry(time.time(), uuid, event, note, order_id, body)


class _Index:
    """Last event of each uuid, bounded (oldest dropped first)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._last: OrderedDict[str, str] = OrderedDict()

    def add(self, e: JournalEntry) -> None:
        self._last.pop(e.request_uuid, None)
        self._last[e.request_uuid] = e.event
        while len(self._last) > self.capacity:
            self._last.popitem(last=False)

    def unresolved(self) -> list[str]:
        return [uuid for uuid, ev in self._last.items() if ev not in _RESOLVED]


class MemoryJournal:
    """In-memory journal, bounded: for tests and bots that accept losing it on a crash."""

    def __init__(self, capacity: int = 100_000) -> None:
        self._lock = threading.Lock()
        self.entries: deque[JournalEntry] = deque(maxlen=capacity)
        self._index = _Index(capacity)

    def append(self, entries: Iterable[JournalEntry]) -> None:
        with self._lock:
            for e in entries:
                self.entries.append(e)
                self._index.add(e)

    def unresolved(self) -> list[str]:
        with self._lock:
            return self._index.unresolved()


class FileJournal:
    """Append-only JSON-lines file; each append is flushed (and fsync'ed when ``fsync``).

    The index of the latest event per requestUuid is rebuilt from the file when opened, and
    kept bounded to ``capacity`` uuids.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, fsync: bool = True, capacity: int = 100_000
    ) -> None:
        self.path = Path(path)
        self._fsync = fsync
        self._lock = threading.Lock()
        self._index = _Index(capacity)
        decoder = msgspec.json.Decoder(JournalEntry)
        if self.path.exists():
            with self.path.open("rb") as fh:
                for line in fh:
                    line = line.strip()
                    if line:
                        try:
                            self._index.add(decoder.decode(line))
                        except msgspec.DecodeError:
                            continue  # a torn last line after a crash
        self._fh = self.path.open("ab")
        self._encoder = msgspec.json.Encoder()

    def append(self, entries: Iterable[JournalEntry]) -> None:
        with self._lock:
            buf = bytearray()
            for e in entries:
                buf += self._encoder.encode(e)
                buf += b"\n"
                self._index.add(e)
            self._fh.write(buf)
            self._fh.flush()
            if self._fsync:
                os.fsync(self._fh.fileno())

    def unresolved(self) -> list[str]:
        with self._lock:
            return self._index.unresolved()

    def close(self) -> None:
        with self._lock:
            self._fh.close()
