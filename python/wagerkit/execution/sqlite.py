"""The default journal: one embedded SQLite file (stdlib ``sqlite3``), WAL, queryable.

Schema (every row carries its venue):

- ``transitions``: the log, one row per event of an intent, append-only: CREATED (with the
  kind, user_ref, expiry and the adapter-encoded request), SENT (with the attempt), ACCEPTED /
  DECLINED (with the venue's id and status word), UNKNOWN (with ``decidable_at``), NOT_SENT,
  and VENUE (a newer status the venue reported later), each with its reason;
- ``sends``: a view of the log, every send of a key (when, which attempt);
- ``answers``: a view of the log, everything the venue said about a key;
- ``intents``: one row per intent, folded from the log: its local status and when it was set,
  the venue's id and latest status word, ``decidable_at``, first/last send, attempts, and the
  request. ``folded`` (table ``journal_meta``) is the last log row (``n``) folded
  in; reads replay the few rows after it, so a query always sees the whole log.

Why a log plus a fold: a placement waits for exactly one commit, the CREATED and SENT rows
appended before the first byte leaves. Appending to the end of one table touches a page or
two; updating ``intents`` and its indexes in the same commit would touch five or more, and
each page is a write to the log file. The fold runs in the background.

Durability. ``journal_mode=WAL``: a commit appends to the write-ahead log, readers (``wagerkit
history``) never block the bot. ``synchronous`` is ``NORMAL`` by default: in WAL mode a commit
has reached the operating system when :meth:`SqliteJournal.append` returns, so it survives the
bot being killed (``kill -9``, an exception, an OOM kill) - the failure a bot actually meets -
and costs no fsync per placement; only an operating-system crash or power cut can lose the
last commits (the database itself stays consistent). Pass ``synchronous="FULL"`` to fsync on
every commit as well (survives a power cut; costs an fsync per placement, a millisecond or more
on most disks: measure with ``benches/test_bench_journal.py``). An answer the venue can be
asked for again (ACCEPTED, a newer venue status) is appended with ``durable=False``: committed
with the next write or within ``checkpoint_every`` seconds; a crash before that loses nothing
``recover()`` needs (the intent is unresolved in the log, so it is looked up again).

Checkpoints. SQLite's automatic checkpoint is off: it would run inside a commit (with
``synchronous=NORMAL`` an fsync of the database, a multi-millisecond stall of one placement in
a hundred). A background thread commits queued answers, folds the log into ``intents`` and
checkpoints (PASSIVE: it neither waits for nor blocks the bot's commits) every
``checkpoint_every`` seconds.

Retention. Resolved intents (ACCEPTED, DECLINED, NOT_SENT) whose status last changed more than
``retention`` seconds ago (default 30 days) are deleted with all their events: when the journal
is opened, then at most once per ``prune_every`` seconds by the background thread, or when
:meth:`SqliteJournal.prune` is called. Unresolved intents are never pruned: ``recover()`` still
needs them. ``retention=None`` keeps everything (rotate or prune yourself).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sqlite3
import threading
import time
from collections.abc import Iterable
from typing import Any

from wagerkit.errors import InvalidInput
from wagerkit.execution.adapter import LocalStatus
from wagerkit.execution.journal import (
    JournalEntry,
    JournalIntent,
    matches,
    new_intent,
)

__all__ = ["DEFAULT_RETENTION", "SqliteJournal"]

DEFAULT_RETENTION = 30 * 86_400.0
"""Seconds a resolved intent and its events are kept (30 days)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS transitions (
    n INTEGER PRIMARY KEY,
    venue TEXT NOT NULL,
    key TEXT NOT NULL,
    at REAL NOT NULL,
    event TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    venue_id TEXT,
    venue_status TEXT,
    decidable_at REAL,
    attempt INTEGER,
    kind TEXT,
    user_ref TEXT,
    expires_at REAL,
    payload BLOB
);
CREATE TABLE IF NOT EXISTS intents (
    venue TEXT NOT NULL,
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    user_ref TEXT,
    created_at REAL NOT NULL,
    expires_at REAL,
    payload BLOB,
    status TEXT NOT NULL,
    status_at REAL NOT NULL,
    venue_id TEXT,
    venue_status TEXT,
    decidable_at REAL,
    first_sent_at REAL,
    last_sent_at REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (venue, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS intents_open ON intents (status)
    WHERE status IN ('CREATED', 'SENT', 'UNKNOWN');
CREATE INDEX IF NOT EXISTS intents_created ON intents (created_at);
CREATE TABLE IF NOT EXISTS journal_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO journal_meta VALUES ('folded', 0);
CREATE VIEW IF NOT EXISTS sends AS
    SELECT n, venue, key, at, attempt FROM transitions WHERE event = 'SENT';
CREATE VIEW IF NOT EXISTS answers AS
    SELECT n, venue, key, at, event AS outcome, venue_id, venue_status, note
    FROM transitions WHERE event IN ('ACCEPTED', 'DECLINED', 'VENUE');
PRAGMA user_version = 2;
"""

_LOG_COLUMNS = (
    "venue, key, at, event, note, venue_id, venue_status, decidable_at, attempt, kind, "
    "user_ref, expires_at, payload"
)
_INTENT_COLUMNS = (
    "venue, key, kind, user_ref, created_at, expires_at, payload, status, status_at, "
    "venue_id, venue_status, decidable_at, first_sent_at, last_sent_at, attempts"
)
_APPEND = f"INSERT INTO transitions ({_LOG_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"  # noqa: S608
_UPSERT = (
    f"INSERT OR REPLACE INTO intents ({_INTENT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"  # noqa: S608
)
_OPEN = "('CREATED', 'SENT', 'UNKNOWN')"


def _row(e: JournalEntry) -> tuple[Any, ...]:
    return (
        e.venue,
        e.key,
        e.at,
        e.event,
        e.note,
        e.venue_id,
        e.venue_status,
        e.decidable_at,
        e.attempt,
        e.kind,
        e.user_ref,
        e.expires_at,
        e.payload,
    )


def _entry(row: tuple[Any, ...]) -> JournalEntry:
    """A log row (in ``_LOG_COLUMNS`` order) as an entry."""
    venue, key, at, event, note, venue_id, venue_status, decidable_at, attempt = row[:9]
    kind, user_ref, expires_at, payload = row[9:]
    return JournalEntry(
        at,
        venue,
        key,
        event,
        note,
        venue_id=venue_id,
        venue_status=venue_status,
        decidable_at=decidable_at,
        attempt=attempt,
        kind=kind,
        user_ref=user_ref,
        expires_at=expires_at,
        payload=payload,
    )


class SqliteJournal:
    """The journal in one SQLite file (see the module doc for schema, durability, retention).

    Safe to share between threads (one connection behind a lock). Other processes may read the
    file at any time (``wagerkit history`` opens it ``read_only``); only one bot process should
    write it.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        synchronous: str = "NORMAL",
        retention: float | None = DEFAULT_RETENTION,
        prune_every: float = 3600.0,
        checkpoint_every: float = 0.5,
        read_only: bool = False,
    ) -> None:
        if synchronous.upper() not in ("NORMAL", "FULL", "EXTRA"):
            raise InvalidInput("synchronous must be NORMAL, FULL or EXTRA", field="synchronous")
        if retention is not None and retention < 0:
            raise InvalidInput("retention must be >= 0 seconds (or None)", field="retention")
        self.path = os.fspath(path)
        self.retention = retention
        self._prune_every = prune_every
        self._lock = threading.Lock()
        self._read_only = read_only
        self._pending: list[JournalEntry] = []
        self._last_prune = 0.0
        self.pruned = 0
        """How many intents retention has deleted since opening (for tests and monitoring)."""
        if read_only:
            self._db = sqlite3.connect(
                f"file:{self.path}?mode=ro", uri=True, check_same_thread=False
            )
            self._db.execute("PRAGMA busy_timeout=5000")
        else:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={synchronous.upper()}")
            self._db.execute("PRAGMA wal_autocheckpoint=0")
            self._db.executescript(_SCHEMA)
            with self._lock:
                self._fold_locked()  # what a crash left unfolded
            if retention is not None:
                self.prune()
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None
        if not read_only and checkpoint_every > 0:
            self._worker = threading.Thread(
                target=self._background,
                args=(checkpoint_every,),
                name="wagerkit-journal",
                daemon=True,
            )
            self._worker.start()

    # -- writing -------------------------------------------------------------------------------

    def append(self, entries: Iterable[JournalEntry], *, durable: bool = True) -> None:
        """Append the entries to the log in one transaction, committed when this returns.

        ``durable=False`` only queues them (see the module doc): they are committed with the
        next durable append or by the background thread.
        """
        batch = list(entries)
        if self._read_only:
            raise InvalidInput("this journal was opened read-only", field="journal")
        with self._lock:
            if not durable:
                self._pending += batch
                return
            self._commit_locked(batch)

    def _commit_locked(self, batch: list[JournalEntry]) -> None:
        rows = [_row(e) for e in (*self._pending, *batch)]
        if not rows:
            return
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(_APPEND, rows)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self._pending.clear()

    def flush(self) -> None:
        """Commit the queued entries and fold the log into ``intents``."""
        if self._read_only:
            return
        with self._lock:
            self._commit_locked([])
            self._fold_locked()

    def _fold_locked(self) -> None:
        """Apply the log rows after ``folded`` to ``intents`` (one transaction)."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            done = int(
                db.execute("SELECT value FROM journal_meta WHERE name = 'folded'").fetchone()[0]
            )
            tail = db.execute(
                f"SELECT n, {_LOG_COLUMNS} FROM transitions WHERE n > ? ORDER BY n",  # noqa: S608
                (done,),
            ).fetchall()
            if tail:
                rows = self._apply_tail(db, [(r[0], _entry(r[1:])) for r in tail])
                db.executemany(_UPSERT, [dataclasses.astuple(r) for r in rows.values()])
                db.execute(
                    "UPDATE journal_meta SET value = ? WHERE name = 'folded'", (tail[-1][0],)
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    @staticmethod
    def _apply_tail(
        db: sqlite3.Connection, tail: list[tuple[int, JournalEntry]]
    ) -> dict[tuple[str, str], JournalIntent]:
        """The intents the tail touches, as they are after it (from their stored rows)."""
        rows: dict[tuple[str, str], JournalIntent] = {}
        for _, e in tail:
            ident = (e.venue, e.key)
            row = rows.get(ident)
            if row is None:
                held = db.execute(
                    f"SELECT {_INTENT_COLUMNS} FROM intents WHERE venue = ? AND key = ?",  # noqa: S608
                    ident,
                ).fetchone()
                if held is not None:
                    row = JournalIntent(*held)
            if row is None:
                if e.event == LocalStatus.CREATED.value:
                    rows[ident] = new_intent(e)
                continue  # an event of a pruned intent
            row.apply(e)
            rows[ident] = row
        return rows

    def prune(self, older_than: float | None = None) -> int:
        """Delete resolved intents whose status last changed before ``older_than`` (epoch
        seconds; default now minus ``retention``) and all their events. Returns how many."""
        if self._read_only:
            return 0
        if older_than is None:
            if self.retention is None:
                return 0
            older_than = time.time() - self.retention
        with self._lock:
            self._commit_locked([])
            self._fold_locked()
            return self._prune_locked(older_than)

    def _prune_locked(self, older_than: float) -> int:
        db = self._db
        self._last_prune = time.time()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TEMP TABLE IF NOT EXISTS doomed (venue TEXT, key TEXT)")
            db.execute("DELETE FROM temp.doomed")
            db.execute(
                "INSERT INTO temp.doomed SELECT venue, key FROM intents WHERE status_at < ?"
                " AND status NOT IN ('CREATED', 'SENT', 'UNKNOWN')",
                (older_than,),
            )
            count = int(db.execute("SELECT count(*) FROM temp.doomed").fetchone()[0])
            if count:
                db.execute(
                    "DELETE FROM intents WHERE (venue, key) IN (SELECT venue, key FROM temp.doomed)"
                )
                # Their log rows, and any left by an earlier prune. The last log row stays even
                # when its intent is gone: a new row's ``n`` is max(n) + 1 and must stay above
                # ``folded``; a later prune removes it.
                db.execute(
                    "DELETE FROM transitions WHERE n < (SELECT max(n) FROM transitions)"
                    " AND n <= (SELECT value FROM journal_meta WHERE name = 'folded')"
                    " AND NOT EXISTS (SELECT 1 FROM intents i"
                    " WHERE i.venue = transitions.venue AND i.key = transitions.key)"
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self.pruned += count
        return count

    def _background(self, every: float) -> None:
        """Commit queued answers, fold, checkpoint and prune, off the bot's path.

        The checkpoint (which fsyncs the database) runs on a connection of its own, outside
        the journal's lock, in PASSIVE mode: a placement never waits for it.
        """
        try:
            ckpt = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            ckpt.execute("PRAGMA busy_timeout=1000")
        except sqlite3.Error:
            ckpt = None
        try:
            while not self._stop.wait(every):
                try:
                    self.flush()
                    if ckpt is not None:
                        ckpt.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    if (
                        self.retention is not None
                        and time.time() - self._last_prune >= self._prune_every
                    ):
                        self.prune()
                except sqlite3.Error:
                    continue
        finally:
            if ckpt is not None:
                ckpt.close()

    # -- reading -------------------------------------------------------------------------------

    def _current(self, where: str, args: tuple[Any, ...]) -> list[JournalIntent]:
        """Rows matching ``where`` in ``intents``, brought up to date with the unfolded tail
        of the log (and the rows only that tail has), unfiltered by the tail: the caller
        filters the result again."""
        with self._lock:
            if not self._read_only:
                self._commit_locked([])
            db = self._db
            done = int(
                db.execute("SELECT value FROM journal_meta WHERE name = 'folded'").fetchone()[0]
            )
            base = db.execute(
                f"SELECT {_INTENT_COLUMNS} FROM intents WHERE {where}",  # noqa: S608
                args,
            ).fetchall()
            tail = db.execute(
                f"SELECT n, {_LOG_COLUMNS} FROM transitions WHERE n > ? ORDER BY n",  # noqa: S608
                (done,),
            ).fetchall()
            rows = {(r[0], r[1]): JournalIntent(*r) for r in base}
            if tail:
                rows.update(self._apply_tail(db, [(t[0], _entry(t[1:])) for t in tail]))
        return sorted(rows.values(), key=lambda r: (r.created_at, r.key))

    def unresolved(self, venue: str | None = None) -> list[JournalIntent]:
        rows = self._current(f"status IN {_OPEN}", ())
        return [r for r in rows if not r.resolved and (venue is None or r.venue == venue)]

    def recent(self, since: float, venue: str | None = None) -> list[str]:
        rows = self._current("created_at >= ?", (since,))
        return [r.key for r in rows if matches(r, venue, None, None, since, None)]

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
        clauses = ["1"]
        args: list[Any] = []
        if venue is not None:
            clauses.append("venue = ?")
            args.append(venue)
        if user_ref is not None:
            clauses.append("user_ref = ?")
            args.append(user_ref)
        if status is not None:
            clauses.append("(status = ? OR venue_status = ?)")
            args += [status, status]
        if since is not None:
            clauses.append("created_at >= ?")
            args.append(since)
        if until is not None:
            clauses.append("created_at < ?")
            args.append(until)
        rows = self._current(" AND ".join(clauses), tuple(args))
        rows = [r for r in rows if matches(r, venue, user_ref, status, since, until)]
        return rows[:limit] if limit is not None else rows

    def events(self, venue: str, key: str) -> list[JournalEntry]:
        """Every event of one intent, in the order it was journaled."""
        with self._lock:
            if not self._read_only:
                self._commit_locked([])
            rows = self._db.execute(
                f"SELECT {_LOG_COLUMNS} FROM transitions WHERE venue = ? AND key = ?"  # noqa: S608
                " ORDER BY n",
                (venue, key),
            ).fetchall()
        return [_entry(r) for r in rows]

    def __len__(self) -> int:
        """Intents in the journal."""
        return len(self._current("1", ()))

    def close(self) -> None:
        """Commit what is queued, fold, stop the background thread, checkpoint, close."""
        self._stop.set()
        if self._worker is not None:
            self._worker.join(5)
        with self._lock:
            if not self._read_only:
                self._commit_locked([])
                self._fold_locked()
                # a reader may hold the log: the next writer folds it then
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            self._db.close()

    def __enter__(self) -> SqliteJournal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqliteJournal({self.path!r})"
