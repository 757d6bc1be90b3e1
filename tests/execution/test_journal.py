"""The journals: SQLite (durable, queryable, bounded by retention) and in-memory agree on what
they record; history is queryable by venue, user_ref, status and time."""

from __future__ import annotations

import sqlite3
import time
import uuid
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wagerkit.errors import InvalidInput
from wagerkit.execution import JournalEntry, MemoryJournal, SqliteJournal

T = 1_790_000_000.0


def life(venue: str, key: str, at: float, *events: str, ref: str = "bot") -> list[JournalEntry]:
    out = [JournalEntry(at, venue, key, "CREATED", user_ref=ref, payload=b'{"k": 1}')]
    sends = 0
    for n, ev in enumerate(events, 1):
        extra: dict[str, object] = {}
        if ev == "SENT":
            sends += 1
            extra["attempt"] = sends
        if ev == "ACCEPTED":
            extra.update(venue_id=f"id-{key[:4]}", venue_status="FILLED")
        if ev == "UNKNOWN":
            extra["decidable_at"] = at + 60
        out.append(JournalEntry(at + n, venue, key, ev, **extra))  # type: ignore[arg-type]
    return out


def test_schema_is_queryable_with_plain_sql(tmp_path: Path) -> None:
    """Intents, sends, answers and transitions are tables any SQLite tool can read."""
    path = tmp_path / "j.db"
    with SqliteJournal(path) as j:
        j.append(life("abp", "k1", T, "SENT", "UNKNOWN", "SENT", "ACCEPTED"))
        j.append([JournalEntry(T + 9, "abp", "k1", "VENUE", "stream", "id-k1", "REJECTED")])
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert db.execute("SELECT status, venue_status, attempts FROM intents").fetchall() == [
        ("ACCEPTED", "REJECTED", 2)
    ]
    assert db.execute("SELECT count(*) FROM sends").fetchone() == (2,)
    assert db.execute("SELECT outcome FROM answers ORDER BY at").fetchall() == [
        ("ACCEPTED",),
        ("VENUE",),
    ]
    events = [s for (s,) in db.execute("SELECT event FROM transitions ORDER BY rowid")]
    assert events == ["CREATED", "SENT", "UNKNOWN", "SENT", "ACCEPTED", "VENUE"]


def test_history_filters_by_venue_user_ref_status_and_time(tmp_path: Path) -> None:
    with SqliteJournal(tmp_path / "j.db") as j:
        j.append(life("abp", "a", T, "SENT", "ACCEPTED", ref="r1"))
        j.append(life("pinnacle", "p", T + 100, "SENT", "UNKNOWN", ref="r1"))
        j.append(life("abp", "b", T + 200, "SENT", "ACCEPTED", ref="r2"))
        assert [r.key for r in j.history()] == ["a", "p", "b"]
        assert [r.key for r in j.history(venue="abp")] == ["a", "b"]
        assert [r.key for r in j.history(user_ref="r1")] == ["a", "p"]
        assert [r.key for r in j.history(status="UNKNOWN")] == ["p"]
        assert [r.key for r in j.history(status="FILLED")] == ["a", "b"]  # the venue's word
        assert [r.key for r in j.history(since=T + 50, until=T + 200)] == ["p"]
        assert [r.key for r in j.history(limit=1)] == ["a"]
        assert [r.key for r in j.unresolved()] == ["p"]
        assert j.unresolved()[0].decidable_at == T + 100 + 60
        assert sorted(j.recent(T + 100)) == ["b", "p"] and j.recent(T, "pinnacle") == ["p"]
        events = j.events("abp", "a")
    assert [(e.event, e.attempt) for e in events] == [
        ("CREATED", None),
        ("SENT", 1),
        ("ACCEPTED", None),
    ]
    assert events[0].payload == b'{"k": 1}' and events[2].venue_status == "FILLED"


def test_retention_prunes_old_resolved_intents_never_unresolved_ones(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    now = time.time()
    with SqliteJournal(path, retention=None) as j:
        for i in range(300):
            j.append(life("abp", f"old{i}", now - 90_000, "SENT", "ACCEPTED"))
        j.append(life("abp", "stuck", now - 90_000, "SENT", "UNKNOWN"))
        j.append(life("abp", "fresh", now - 10, "SENT", "ACCEPTED"))
        assert len(j) == 302
    with SqliteJournal(path, retention=86_400.0) as j:  # pruned when opened
        assert j.pruned == 300
        assert sorted(r.key for r in j.history()) == ["fresh", "stuck"]
        assert j.events("abp", "old7") == []
        assert j.prune() == 0
    db = sqlite3.connect(path)
    for table in ("sends", "answers", "transitions"):
        keys = {k for (k,) in db.execute(f"SELECT DISTINCT key FROM {table}")}  # noqa: S608
        assert "fresh" in keys and keys <= {"fresh", "stuck"}, table


def test_the_journal_stays_bounded_while_appending(tmp_path: Path) -> None:
    """The background thread prunes as the bot appends: the journal stops growing."""
    path = tmp_path / "j.db"
    with SqliteJournal(path, retention=0.0, prune_every=0.0, checkpoint_every=0.01) as j:
        j.append(life("abp", "unresolved", time.time() - 10, "SENT"))
        for _ in range(600):
            j.append(life("abp", str(uuid.uuid4()), time.time() - 10, "SENT", "ACCEPTED"))
        deadline = time.monotonic() + 5
        while j.pruned < 600 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert j.pruned == 600
        assert len(j) == 1 and [r.key for r in j.unresolved()] == ["unresolved"]
    db = sqlite3.connect(path)
    left = {k for (k,) in db.execute("SELECT DISTINCT key FROM transitions")}
    assert "unresolved" in left and len(left) <= 2, "at most the last row of a pruned intent"


def test_a_reader_sees_commits_while_the_bot_writes(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    writer = SqliteJournal(path)
    reader = SqliteJournal(path, read_only=True)
    writer.append(life("abp", "k", T, "SENT"))
    assert [r.status for r in reader.history()] == ["SENT"]
    writer.append([JournalEntry(T + 5, "abp", "k", "ACCEPTED", venue_id="1")])
    assert [r.status for r in reader.history()] == ["ACCEPTED"]
    reader.close()
    writer.close()


def test_bad_settings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        SqliteJournal(tmp_path / "j.db", synchronous="OFF")
    with pytest.raises(InvalidInput):
        SqliteJournal(tmp_path / "j.db", retention=-1)
    with pytest.raises(InvalidInput):
        MemoryJournal(capacity=0)


def test_memory_journal_keeps_unresolved_over_resolved_at_its_cap() -> None:
    j = MemoryJournal(capacity=5)
    j.append(life("abp", "stuck", T, "SENT", "UNKNOWN"))
    for i in range(20):
        j.append(life("abp", f"k{i}", T + i, "SENT", "ACCEPTED"))
    assert len(j) == 5 and [r.key for r in j.unresolved()] == ["stuck"]


EVENT = st.sampled_from(["SENT", "UNKNOWN", "ACCEPTED", "DECLINED", "NOT_SENT", "VENUE"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), EVENT), max_size=30))
def test_sqlite_and_memory_journals_fold_the_same_entries_to_the_same_rows(
    script: list[tuple[str, str]],
) -> None:
    """One rule, two implementations: whatever sequence of events is journaled, the SQLite
    journal and the in-memory one hold the same row for every intent."""
    entries = [JournalEntry(T, "v", k, "CREATED", user_ref=k) for k in "abc"]
    for n, (key, ev) in enumerate(script, 1):
        entries.append(
            JournalEntry(
                T + n,
                "v",
                key,
                ev,
                attempt=n if ev == "SENT" else None,
                venue_status=f"S{n}" if ev in ("ACCEPTED", "VENUE") else None,
                decidable_at=T + 100 if ev == "UNKNOWN" else None,
            )
        )
    mem = MemoryJournal()
    sql = SqliteJournal(":memory:")
    for e in entries:
        mem.append([e])
        sql.append([e])
    assert mem.history() == sql.history()
    assert [r.key for r in mem.unresolved()] == [r.key for r in sql.unresolved()]
    sql.close()
