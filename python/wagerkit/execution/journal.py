"""The order journal: what we are about to send is written down before it is sent.

Why first: if the process dies between "send" and "answer", the journal is the only record that
an order with this requestUuid may exist. On restart, :meth:`FileJournal.unresolved` lists those
orders, and :meth:`wagerkit.execution.OrderManager.recover` looks each one up by requestUuid
before the bot does anything else; :meth:`FileJournal.recent` lists the uuids of the last
30 minutes, which recover puts back into the dedupe cache so that a second submit stays
refused across the restart.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

import msgspec

from wagerkit.abp.orders import OrderRequest
from wagerkit.errors import InvalidInput

__all__ = ["FileJournal", "Journal", "JournalEntry", "MemoryJournal", "entry"]

log = logging.getLogger("wagerkit.execution")

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

    def unresolved(self) -> list[str]:
        """requestUuids whose last event is not a resolution (ACCEPTED, DECLINED, NOT_SENT)."""
        ...

    def recent(self, since: float) -> list[str]:
        """requestUuids first journaled at or after ``since`` (epoch seconds)."""
        ...


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
    """Per uuid: its last event and when it was first journaled; bounded to ``capacity``.

    Over capacity, the least recently updated *resolved* uuids are forgotten first, since
    :meth:`wagerkit.execution.OrderManager.recover` must still look the unresolved ones up.
    Only when every remembered uuid is unresolved is the oldest of those dropped (with a
    warning): the cap is hard, so memory stays bounded whatever happens.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._last: OrderedDict[str, tuple[str, float]] = OrderedDict()

    def add(self, e: JournalEntry) -> None:
        held = self._last.pop(e.request_uuid, None)
        self._last[e.request_uuid] = (e.event, held[1] if held is not None else e.at)
        excess = len(self._last) - self.capacity
        if excess > 0:
            victims = []
            for uuid, (event, _) in self._last.items():
                if event in _RESOLVED:
                    victims.append(uuid)
                    if len(victims) == excess:
                        break
            while len(victims) < excess:  # nothing resolved left to drop
                uuid = next(u for u in self._last if u not in victims)
                log.warning("journal index full: forgetting unresolved requestUuid %s", uuid)
                victims.append(uuid)
            for uuid in victims:
                del self._last[uuid]

    def unresolved(self) -> list[str]:
        return [uuid for uuid, (ev, _) in self._last.items() if ev not in _RESOLVED]

    def recent(self, since: float) -> list[str]:
        return [uuid for uuid, (_, first) in self._last.items() if first >= since]

    def needed(self, uuid: str, since: float) -> bool:
        """Whether a compaction must keep this uuid's lines: unresolved, or first journaled at
        or after ``since`` (recover reloads it into the dedupe cache)."""
        held = self._last.get(uuid)
        return held is not None and (held[0] not in _RESOLVED or held[1] >= since)

    def __len__(self) -> int:
        return len(self._last)


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

    def recent(self, since: float) -> list[str]:
        with self._lock:
            return self._index.recent(since)


class FileJournal:
    """Append-only JSON-lines file; each append is flushed (and fsync'ed when ``fsync``).

    The index of the latest event per requestUuid is rebuilt from the file when opened, and
    kept bounded to ``capacity`` uuids (unresolved ones are never dropped).

    Bounded on disk too: when ``compact`` is on, the file is rewritten when opened and whenever
    it grows past ``max_bytes``, keeping only the lines of orders :meth:`OrderManager.recover
    <wagerkit.execution.OrderManager.recover>` still needs: those not resolved, and those first
    journaled less than ``keep_resolved_for`` seconds ago (reloaded into the dedupe cache). The
    history of older resolved orders is dropped; pass ``compact=False`` to keep a full audit
    trail (and rotate the file yourself). The rewrite is atomic (temporary file, fsync,
    rename): a crash during it leaves the old file or the new one, never half of each. If what
    must be kept is itself larger than ``max_bytes``, the next compaction waits until the file
    has doubled, so appends never rewrite the file each time.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        fsync: bool = True,
        capacity: int = 100_000,
        compact: bool = True,
        max_bytes: int = 64 * 1024 * 1024,
        keep_resolved_for: float = 1800.0,
    ) -> None:
        if max_bytes <= 0 or keep_resolved_for < 0:
            raise InvalidInput(
                "max_bytes must be > 0 and keep_resolved_for >= 0", field="max_bytes"
            )
        self.path = Path(path)
        self._fsync = fsync
        self._lock = threading.Lock()
        self._index = _Index(capacity)
        self._compact = compact
        self._max_bytes = max_bytes
        self._threshold = max_bytes
        self._keep_for = keep_resolved_for
        self._encoder = msgspec.json.Encoder()
        self.compactions = 0
        """How many times the file was rewritten (for tests and monitoring)."""
        if self.path.exists():
            for e in self._read():
                self._index.add(e)
            if compact:
                self._rewrite()
        self._fh = self.path.open("ab")

    def _read(self) -> Iterator[JournalEntry]:
        with self.path.open("rb") as fh:
            for line in fh:
                line = line.strip()
                if line:
                    try:
                        yield _decoder.decode(line)
                    except msgspec.DecodeError:
                        continue  # a torn last line after a crash

    def _rewrite(self) -> None:
        """Keep only the lines still needed (see the class doc); atomic replace.

        Leaves the file alone when every line is still needed.
        """
        since = time.time() - self._keep_for
        total = 0
        kept = []
        for e in self._read():
            total += 1
            if self._index.needed(e.request_uuid, since):
                kept.append(e)
        if len(kept) == total:
            self._threshold = max(self._max_bytes, 2 * self.path.stat().st_size)
            return
        tmp = self.path.with_name(self.path.name + ".compact")
        with tmp.open("wb") as fh:
            buf = bytearray()
            for e in kept:
                buf += self._encoder.encode(e)
                buf += b"\n"
            fh.write(buf)
            fh.flush()
            if self._fsync:
                os.fsync(fh.fileno())
        os.replace(tmp, self.path)
        if self._fsync:
            _fsync_dir(self.path.parent)
        self.compactions += 1
        self._threshold = max(self._max_bytes, 2 * self.path.stat().st_size)

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
            if self._compact and self._fh.tell() > self._threshold:
                self._fh.close()
                self._rewrite()
                self._fh = self.path.open("ab")

    def unresolved(self) -> list[str]:
        with self._lock:
            return self._index.unresolved()

    def recent(self, since: float) -> list[str]:
        with self._lock:
            return self._index.recent(since)

    def close(self) -> None:
        with self._lock:
            self._fh.close()


_decoder = msgspec.json.Decoder(JournalEntry)


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
