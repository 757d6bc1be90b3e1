"""The default journal: one embedded SQLite file (stdlib ``sqlite3``), WAL, queryable.

Schema (one row per intent, one per event; every table has the venue):

- ``intents``: venue, key (the idempotency key), kind, user_ref, created_at, expires_at, the
  adapter-encoded request (``payload``), the local status and when it was set, the venue's id
  and status word, ``decidable_at`` while UNKNOWN, first/last send and the number of attempts;
- ``sends``: every send of a key (when, which attempt);
- ``answers``: everything the venue said about a key (ACCEPTED, DECLINED, a newer venue status
  seen on a stream or a read), with its id and status word;
- ``transitions``: every local status change, with the reason.

Durability. ``journal_mode=WAL``: a commit appends to the write-ahead log, readers (``wagerkit
history``) never block the bot. ``synchronous`` is ``NORMAL`` by default: in WAL mode a commit
has reached the operating system when :meth:`SqliteJournal.append` returns, so it survives the
bot being killed (``kill -9``, an exception, an OOM kill) - the failure a bot actually meets -
and costs no fsync per placement; only an operating-system crash or power cut can lose the
last commits (the database itself stays consistent). Pass ``synchronous="FULL"`` to fsync the
log on every commit as well (survives a power cut; costs one fsync per journal write, about a
millisecond or more on most disks: measure with ``benches/test_bench_journal.py``).

Retention. Resolved intents (ACCEPTED, DECLINED, NOT_SENT) whose status last changed more than
``retention`` seconds ago (default 30 days) are deleted with all their events: when the journal
is opened, then at most once per ``prune_every`` seconds as entries are appended, or when
:meth:`SqliteJournal.prune` is called. Unresolved intents are never pruned: ``recover()`` still
needs them. ``retention=None`` keeps everything (rotate or prune yourself).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterable
from typing import Any

from wagerkit.errors import InvalidInput
from wagerkit.execution.adapter import LocalStatus
from wagerkit.execution.journal import VENUE_EVENT, JournalEntry, JournalIntent

__all__ = ["DEFAULT_RETENTION", "SqliteJournal"]

DEFAULT_RETENTION = 30 * 86_400.0
"""Seconds a resolved intent and its events are kept (30 days)."""

_SCHEMA = """
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
CREATE INDEX IF NOT EXISTS intents_status_at ON intents (status_at);
CREATE INDEX IF NOT EXISTS intents_user_ref ON intents (user_ref, created_at);
CREATE TABLE IF NOT EXISTS sends (
    venue TEXT NOT NULL, key TEXT NOT NULL, at REAL NOT NULL, attempt INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sends_key ON sends (venue, key);
CREATE TABLE IF NOT EXISTS answers (
    venue TEXT NOT NULL, key TEXT NOT NULL, at REAL NOT NULL, outcome TEXT NOT NULL,
    venue_id TEXT, venue_status TEXT, note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS answers_key ON answers (venue, key);
CREATE TABLE IF NOT EXISTS transitions (
    venue TEXT NOT NULL, key TEXT NOT NULL, at REAL NOT NULL, status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '', decidable_at REAL
);
CREATE INDEX IF NOT EXISTS transitions_key ON transitions (venue, key);
PRAGMA user_version = 1;
"""

_COLUMNS = (
    "venue, key, kind, user_ref, created_at, expires_at, payload, status, status_at, "
    "venue_id, venue_status, decidable_at, first_sent_at, last_sent_at, attempts"
)

_INSERT_INTENT = (
    "INSERT OR IGNORE INTO intents (venue, key, kind, user_ref, created_at, expires_at, payload,"
    " status, status_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'CREATED', ?)"
)
_SENT = (
    "UPDATE intents SET status = 'SENT', status_at = ?1, decidable_at = NULL,"
    " attempts = max(attempts, coalesce(?2, attempts + 1)),"
    " first_sent_at = coalesce(first_sent_at, ?1), last_sent_at = ?1"
    " WHERE venue = ?3 AND key = ?4"
)
_STATUS = (
    "UPDATE intents SET status = ?1, status_at = ?2, decidable_at = ?3,"
    " venue_id = coalesce(?4, venue_id), venue_status = coalesce(?5, venue_status)"
    " WHERE venue = ?6 AND key = ?7"
)
_VENUE = (
    "UPDATE intents SET venue_id = coalesce(?1, venue_id), venue_status = coalesce(?2,"
    " venue_status) WHERE venue = ?3 AND key = ?4"
)
_ANSWERED = frozenset({LocalStatus.ACCEPTED.value, LocalStatus.DECLINED.value, VENUE_EVENT})


class SqliteJournal:
    """The journal in one SQLite file (see the module doc for schema, durability, retention).

    Safe to share between threads (one connection behind a lock). Other processes may read the
    file at any time (``wagerkit history``); only one bot process should write it.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        synchronous: str = "NORMAL",
        retention: float | None = DEFAULT_RETENTION,
        prune_every: float = 3600.0,
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
        if read_only:
            self._db = sqlite3.connect(
                f"file:{self.path}?mode=ro", uri=True, check_same_thread=False
            )
        else:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={synchronous.upper()}")
            self._db.executescript(_SCHEMA)
        self._db.execute("PRAGMA busy_timeout=5000")
        self._last_prune = 0.0
        self.pruned = 0
        """How many intents retention has deleted since opening (for tests and monitoring)."""
        if not read_only and retention is not None:
            self.prune()

    # -- writing -------------------------------------------------------------------------------

    def append(self, entries: Iterable[JournalEntry]) -> None:
        """Write every entry in one transaction; committed when this returns."""
        batch = list(entries)
        if not batch:
            return
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                for e in batch:
                    self._write(db, e)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            if self.retention is not None and time.time() - self._last_prune >= self._prune_every:
                self._prune_locked(time.time() - self.retention)

    @staticmethod
    def _write(db: sqlite3.Connection, e: JournalEntry) -> None:
        ev = e.event
        if ev == LocalStatus.CREATED.value:
            db.execute(
                _INSERT_INTENT,
                (
                    e.venue,
                    e.key,
                    e.kind or "order",
                    e.user_ref,
                    e.at,
                    e.expires_at,
                    e.payload,
                    e.at,
                ),
            )
        elif ev == LocalStatus.SENT.value:
            db.execute(_SENT, (e.at, e.attempt, e.venue, e.key))
            db.execute(
                "INSERT INTO sends VALUES (?, ?, ?, ?)", (e.venue, e.key, e.at, e.attempt or 0)
            )
        elif ev == VENUE_EVENT:
            db.execute(_VENUE, (e.venue_id, e.venue_status, e.venue, e.key))
        else:
            db.execute(
                _STATUS, (ev, e.at, e.decidable_at, e.venue_id, e.venue_status, e.venue, e.key)
            )
        if ev in _ANSWERED:
            db.execute(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?)",
                (e.venue, e.key, e.at, ev, e.venue_id, e.venue_status, e.note),
            )
        if ev != VENUE_EVENT:
            db.execute(
                "INSERT INTO transitions VALUES (?, ?, ?, ?, ?, ?)",
                (e.venue, e.key, e.at, ev, e.note, e.decidable_at),
            )

    def prune(self, older_than: float | None = None) -> int:
        """Delete resolved intents whose status last changed before ``older_than`` (epoch
        seconds; default now minus ``retention``) and all their events. Returns how many."""
        if older_than is None:
            if self.retention is None:
                return 0
            older_than = time.time() - self.retention
        with self._lock:
            return self._prune_locked(older_than)

    def _prune_locked(self, older_than: float) -> int:
        db = self._db
        self._last_prune = time.time()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(
                "CREATE TEMP TABLE IF NOT EXISTS doomed (venue TEXT, key TEXT)",
            )
            db.execute("DELETE FROM temp.doomed")
            db.execute(
                "INSERT INTO temp.doomed SELECT venue, key FROM intents WHERE status_at < ?"
                " AND status NOT IN ('CREATED', 'SENT', 'UNKNOWN')",
                (older_than,),
            )
            for table in ("sends", "answers", "transitions", "intents"):
                db.execute(
                    f"DELETE FROM {table} WHERE (venue, key) IN"  # noqa: S608 - fixed names
                    " (SELECT venue, key FROM temp.doomed)"
                )
            count = int(db.execute("SELECT count(*) FROM temp.doomed").fetchone()[0])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self.pruned += count
        return count

    # -- reading -------------------------------------------------------------------------------

    def _rows(self, where: str, args: tuple[Any, ...], tail: str = "") -> list[JournalIntent]:
        sql = f"SELECT {_COLUMNS} FROM intents WHERE {where} ORDER BY created_at, key{tail}"  # noqa: S608
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return [JournalIntent(*row) for row in rows]

    def unresolved(self, venue: str | None = None) -> list[JournalIntent]:
        where = "status IN ('CREATED', 'SENT', 'UNKNOWN')"
        if venue is not None:
            return self._rows(where + " AND venue = ?", (venue,))
        return self._rows(where, ())

    def recent(self, since: float, venue: str | None = None) -> list[str]:
        sql = "SELECT key FROM intents WHERE created_at >= ?"
        args: tuple[Any, ...] = (since,)
        if venue is not None:
            sql += " AND venue = ?"
            args += (venue,)
        with self._lock:
            return [k for (k,) in self._db.execute(sql, args)]

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
        tail = ""
        if limit is not None:
            tail = " LIMIT ?"
            args.append(int(limit))
        return self._rows(" AND ".join(clauses), tuple(args), tail)

    def events(self, venue: str, key: str) -> list[JournalEntry]:
        """Every transition, send and answer of one intent, in time order."""
        with self._lock:
            head = self._db.execute(
                "SELECT created_at, kind, user_ref, expires_at, payload FROM intents"
                " WHERE venue = ? AND key = ?",
                (venue, key),
            ).fetchone()
            if head is None:
                return []
            trans = self._db.execute(
                "SELECT at, status, note, decidable_at, rowid FROM transitions"
                " WHERE venue = ? AND key = ? ORDER BY at, rowid",
                (venue, key),
            ).fetchall()
            sends = self._db.execute(
                "SELECT at, attempt FROM sends WHERE venue = ? AND key = ? ORDER BY at, rowid",
                (venue, key),
            ).fetchall()
            answers = self._db.execute(
                "SELECT at, outcome, venue_id, venue_status, note FROM answers"
                " WHERE venue = ? AND key = ? ORDER BY at, rowid",
                (venue, key),
            ).fetchall()
        out: list[JournalEntry] = []
        attempts = iter(sends)
        ans = {(a[0], a[1]): a for a in answers}
        for at, status, note, decidable_at, _ in trans:
            if status == LocalStatus.CREATED.value:
                out.append(
                    JournalEntry(
                        at,
                        venue,
                        key,
                        status,
                        note,
                        kind=head[1],
                        user_ref=head[2],
                        expires_at=head[3],
                        payload=head[4],
                    )
                )
                continue
            attempt = None
            if status == LocalStatus.SENT.value:
                s = next(attempts, None)
                attempt = s[1] if s is not None else None
            a = ans.pop((at, status), None)
            out.append(
                JournalEntry(
                    at,
                    venue,
                    key,
                    status,
                    note,
                    venue_id=a[2] if a else None,
                    venue_status=a[3] if a else None,
                    decidable_at=decidable_at,
                    attempt=attempt,
                )
            )
        for at, outcome, venue_id, venue_status, note in ans.values():  # VENUE events
            out.append(JournalEntry(at, venue, key, outcome, note, venue_id, venue_status))
        out.sort(key=lambda e: e.at)
        return out

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM intents").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> SqliteJournal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqliteJournal({self.path!r})"
