"""``wagerkit history`` reads the SQLite journal: tables, --json, and its filters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wagerkit.cli import main
from wagerkit.cli.history import parse_when
from wagerkit.execution import JournalEntry, SqliteJournal

T = 1_790_000_000.0  # 2026-09-21T14:13:20Z


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    path = tmp_path / "bot.db"
    with SqliteJournal(path, retention=None) as j:
        for n, (venue, key, ref, end) in enumerate(
            [
                ("abp", "a-1", "r1", "ACCEPTED"),
                ("pinnacle", "p-1", "r1", "UNKNOWN"),
                ("abp", "a-2", "r2", "NOT_SENT"),
            ]
        ):
            at = T + 100 * n
            j.append(
                [
                    JournalEntry(at, venue, key, "CREATED", user_ref=ref, payload=b'{"stake": 2}'),
                    JournalEntry(at + 1, venue, key, "SENT", attempt=1),
                    JournalEntry(
                        at + 2,
                        venue,
                        key,
                        end,
                        "why",
                        venue_id="77" if end == "ACCEPTED" else None,
                        venue_status="FILLED" if end == "ACCEPTED" else None,
                        decidable_at=at + 60 if end == "UNKNOWN" else None,
                    ),
                ]
            )
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["history", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_lists_every_intent_with_its_request(
    journal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", str(journal), "--json")
    doc = json.loads(out)
    assert code == 0 and [r["key"] for r in doc] == ["a-1", "p-1", "a-2"]
    assert doc[0]["venueStatus"] == "FILLED" and doc[0]["request"] == {"stake": 2}
    assert doc[0]["createdAt"] == "2026-09-21T14:13:20.000Z"
    assert doc[1]["status"] == "UNKNOWN" and doc[1]["decidableAt"] == "2026-09-21T14:16:00.000Z"


@pytest.mark.parametrize(
    ("flags", "keys"),
    [
        (["--venue", "abp"], ["a-1", "a-2"]),
        (["--user-ref", "r1"], ["a-1", "p-1"]),
        (["--status", "UNKNOWN"], ["p-1"]),
        (["--status", "FILLED"], ["a-1"]),
        (["--since", "2026-09-21T14:14:00Z"], ["p-1", "a-2"]),
        (["--since", "2026-09-21T14:14:00Z", "--until", "2026-09-21T14:16:00"], ["p-1"]),
        (["--limit", "1"], ["a-1"]),
        (["--since", "1h"], []),
    ],
)
def test_filters(
    journal: Path, capsys: pytest.CaptureFixture[str], flags: list[str], keys: list[str]
) -> None:
    code, out, _ = run(capsys, "--db", str(journal), "--json", *flags)
    assert code == 0 and [r["key"] for r in json.loads(out)] == keys


def test_a_table_for_people_and_the_events_of_one_intent(
    journal: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WAGERKIT_JOURNAL", str(journal))
    code, out, _ = run(capsys)
    assert code == 0 and "3 intent(s)" in out
    for text in ("a-1", "p-1", "pinnacle", "FILLED", "UNKNOWN", "NOT_SENT"):
        assert text in out
    code, out, _ = run(capsys, "--key", "a-1")
    assert code == 0 and "SENT #1" in out and "ACCEPTED" in out and "FILLED" in out
    code, out, _ = run(capsys, "--key", "a-1", "--json")
    events = json.loads(out)["events"]
    assert [e["event"] for e in events] == ["CREATED", "SENT", "ACCEPTED"]


@pytest.mark.parametrize(
    "args",
    [
        ["--db", "/nonexistent/bot.db"],
        ["--since", "yesterday-ish"],
        ["--key", "no-such-key"],
    ],
)
def test_bad_arguments_exit_2_without_a_traceback(
    journal: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    if "--db" not in args:
        args = ["--db", str(journal), *args]
    code, _, err = run(capsys, *args)
    assert code == 2 and err.startswith("wagerkit history:") and "Traceback" not in err


def test_no_journal_given_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WAGERKIT_JOURNAL", raising=False)
    code, _, err = run(capsys)
    assert code == 2 and "--db" in err


def test_spans_count_back_from_now() -> None:
    assert parse_when("90s", now=1000.0) == 910.0
    assert parse_when("2h", now=10_000.0) == 2800.0
    assert parse_when("2026-09-21T14:13:20") == T
