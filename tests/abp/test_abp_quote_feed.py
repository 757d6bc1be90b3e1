"""The engine's one-call betslip path takes and refuses exactly what LiveBook's Python logic
did, with the same book, rates and registrations afterwards.

``tests.reference.livebook.PyLiveBook`` is LiveBook as it was before its rules moved into the
engine (msgspec decode, then checks in Python over the engine's Book). Every generated frame
goes through three paths: that oracle, :meth:`LiveBook.apply_json` (raw bytes, one engine
call) and :meth:`LiveBook.apply` (msgspec decode, then the engine's typed entry). The values
mix good ones with every kind of garbage a venue could send.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.reference.livebook import PyLiveBook
from wagerkit import Book, FrameResult, Fx, QuoteFeed
from wagerkit.abp.livebook import LiveBook
from wagerkit.abp.messages import decode_envelope
from wagerkit.abp.models import BetslipUpdate
from wagerkit.errors import InvalidInput, ProtocolError

FIX = "id1000004461512432"
MISSING = object()
_decode = msgspec.json.Decoder(BetslipUpdate)


def pick(*values: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from(values)


def _with_key(frame: dict[str, Any]) -> dict[str, Any]:
    if "price " in frame:  # now and then a price of the wrong type
        frame["price"] = frame.pop("price ")
    if frame.get("marketKey") == "right":
        frame["marketKey"] = f"{FIX}:{frame.get('bookmaker')}:103:0"
    return frame


rates = st.fixed_dictionaries(
    {
        "currency": pick("USD", "EUR", "GBP", "JPY", "ZZZ"),
        "currencyValue": pick(1, 0.84788876, 0, 1e300, 1e-20, 1.5, 151.234),
    },
    optional={"updatedAt": pick(None, "2026-02-07T17:29:32+00:00")},
)
lays = pick(
    None,
    {},
    {"price": 2.5},
    {"price": 2.6, "limit": 300, "limitMin": 2},
    {"price": 1.0},
    {"price": "2.3"},
    {"price": 2.5, "limit": -1},
    {"price": 2.5, "active": "no"},
    {"price": 2.5, "active": None},
    {"price": 2.5, "active": False},
    {"limit": 3},
    {"price": True},
    [2.3],
    5,
    "x",
)
frames = st.fixed_dictionaries(
    {
        "fixtureId": pick(FIX, FIX, FIX, FIX, "id1", None),
        "outcomeId": pick(103, 103, 103, 103, 104, None),
        "bookmaker": pick("pinnacle", "pinnacle", "sharpbet", "sharpbet", "pin:nacle", "", None),
        "price": pick(2.0, 2.05, 2.5, 3, 1.0, 1.0000004, 1.0000006, 0.5, 1e300, 1e12, 1e13),
    },
    optional={
        "limit": pick(None, 500, 500, 0, -5, 1e300, 12.345, 751.3451, 0.001),
        "limitMin": pick(None, 1, 1.001, -1, 0.5),
        "limitCurrency": pick(None, "", "USD", "USD", "EUR", "EUR", "JPY", "XYZ", "usd"),
        "currencyInfo": st.one_of(st.none(), rates),
        "account": pick(None, "", "main", "main", "alt", "x" * 201),
        "marketKey": pick("right", "right", "right", None, f"{FIX}:pinnacle:104:0", "other"),
        "playerId": pick(0, 0, 0, 7),
        "active": pick(True, True, False, None),
        "meta": st.one_of(pick(None, {}, "text", [1]), st.builds(lambda lay: {"lay": lay}, lays)),
        "limitUsd": pick(None, 5.0, 5.0, "x"),
        "bookmakerMarketId": pick(None, 7, "m7", "m7", 1.5),
        "price ": pick("2.0"),
    },
).map(_with_key)


def snapshot(book: Book, fx: Fx, accounts: dict[str, str], slots: dict[Any, int]) -> Any:
    quotes = sorted(
        (q.key, q.account, q.currency, q.price, q.limit, q.limit_min, q.active, q.back)
        for q in (book.get(slot) for slot in slots.values())
    )
    rates = [(c, fx.rate_str(c), fx.updated_at(c)) for c in fx.currencies()]
    return quotes, rates, sorted(accounts.items()), sorted(slots), len(book)


def outcome(call: Any, *args: Any) -> Any:
    try:
        return call(*args)
    except (ProtocolError, msgspec.DecodeError):
        return "refused"


def decoded(apply: Any) -> Any:
    """``apply`` of a decoded frame: msgspec's typed decode first, as the stream does."""
    return lambda payload: apply(_decode.decode(payload))


@settings(max_examples=400, deadline=None)
@given(sequence=st.lists(frames, min_size=1, max_size=4))
def test_every_path_takes_and_refuses_the_same_frames_with_the_same_result(
    sequence: list[dict[str, Any]],
) -> None:
    """For any sequence of betslip frames, the engine's one-call path (bytes) and its typed
    path (decoded) accept, ignore or refuse each frame exactly as the Python logic did, and
    leave the same quotes, rates, registrations and update count."""
    oracle, raw, typed = PyLiveBook(FIX, 103), LiveBook(FIX, 103), LiveBook(FIX, 103)
    for frame in sequence:
        payload = json.dumps(frame).encode()
        expected = outcome(decoded(oracle.apply), payload)
        got_raw = outcome(raw.apply_json, payload)
        got_typed = outcome(decoded(typed.apply), payload)
        applied_raw = got_raw if got_raw == "refused" else got_raw.applied
        assert applied_raw == expected == got_typed, frame
        want = snapshot(oracle.book, oracle.fx, oracle._accounts, oracle._slots)
        assert snapshot(raw.book, raw.fx, raw._accounts, raw._slots) == want, frame
        assert snapshot(typed.book, typed.fx, typed._accounts, typed._slots) == want, frame
        assert raw.updates == typed.updates == oracle.updates


def test_the_result_says_what_moved() -> None:
    live = LiveBook(FIX, 103)
    frame = {
        "fixtureId": FIX,
        "outcomeId": 103,
        "bookmaker": "pinnacle",
        "account": "main",
        "price": 2.0,
        "limit": 100,
        "meta": {"lay": {"price": 2.2, "limit": 50}},
    }
    first = live.apply_json(json.dumps(frame).encode())
    assert isinstance(first, FrameResult)
    assert (first.applied, first.changed, first.best_back_moved, first.best_lay_moved) == (
        True,
        True,
        True,
        True,
    )
    same = live.apply_json(msgspec.json.encode(frame))  # the same values again
    assert (same.applied, same.changed, same.best_back_moved) == (True, False, False)
    frame["limit"] = 200
    bigger = live.apply_json(memoryview(json.dumps(frame).encode()))
    assert (bigger.changed, bigger.best_back_moved, bigger.best_lay_moved) == (True, False, False)
    envelope = decode_envelope(
        b'{"type": "data", "channel": "betslip", "payload": %s}'
        % json.dumps({**frame, "price": 2.1}).encode()
    )
    raw = live.apply_json(envelope.payload)  # the stream's zero-copy msgspec.Raw
    assert raw.best_back_moved and live.book.best_price() == 2.1
    other = live.apply_json(json.dumps({**frame, "outcomeId": 104}).encode())
    assert not other.applied and live.updates == 4
    assert "applied=True" in repr(first)


def test_a_refused_frame_is_a_protocol_error_naming_why() -> None:
    live = LiveBook(FIX, 103)
    with pytest.raises(ProtocolError, match="betslip quote from ABP not usable: price"):
        live.apply_json(
            b'{"fixtureId": "%s", "outcomeId": 103, "bookmaker": "b", "price": 1}' % FIX.encode()
        )
    with pytest.raises(ProtocolError, match="not a betslip update"):
        live.apply_json(b"this is not JSON")
    with pytest.raises(InvalidInput):
        live.apply_json(12)
    assert len(live.book) == 0 and live.updates == 0


def test_a_quote_feed_serves_any_venue_through_its_typed_entry() -> None:
    """The generic entry: a venue's decoded quote (here with a rate and no lay) lands in a
    Book the caller holds; a bad argument type is InvalidInput, a bad value ProtocolError."""
    feed = QuoteFeed("fx1", 5, label="odds quote")
    book, fx = Book(), Fx()
    result = feed.apply_quote(
        book,
        fx,
        bookmaker="bet365",
        price=1.91,
        limit=250.0,
        limit_currency="GBP",
        rate_currency="GBP",
        rate_value=0.7412,
    )
    assert result.applied and book.best_price() == 1.91
    assert feed.accounts() == [("bet365/bet365", "GBP")] and fx.rate_str("GBP") == "0.7412"
    assert feed.selection == ("fx1", 5, 0) and feed.max_accounts == 4096
    with pytest.raises(ProtocolError, match="odds quote not usable"):
        feed.apply_quote(book, fx, bookmaker="bet365", price=0.5)
    with pytest.raises(InvalidInput):
        feed.apply_quote(book, fx, bookmaker=3, price=2.0)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        QuoteFeed("a:b", 1)
    assert book.best_price() == 1.91


def test_readme_quote_feed_snippet_runs_as_printed() -> None:
    """The engine section's quote-feed example runs as pasted and prints what it says."""
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    start = readme.index("## The engine")
    section = readme[start : readme.index("\n## ", start + 1)]
    snippet = next(
        block for block in re.findall(r"```python\n(.*?)```", section, re.S) if "QuoteFeed" in block
    )
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(snippet, "README-quote-feed", "exec"), {})  # noqa: S102
    assert out.getvalue().splitlines() == [
        "True True 2.0 0.84788876",
        "2.05 [('pinnacle/pinnacle', 'USD'), ('sharpbet/sharpbet_user', 'EUR')]",
    ]


def test_one_feed_shared_by_threads_never_fails_nor_deadlocks() -> None:
    """Two threads feed one LiveBook (raw and typed paths) while a third reads the book with
    its Fx: every call converts its arguments before locking feed, book, then fx (the order
    every binding uses), so no call fails and none waits forever."""
    from tests.engine.test_engine_threads import run_threads

    live = LiveBook(FIX, 103)
    payloads = [
        json.dumps(
            {
                "fixtureId": FIX,
                "outcomeId": 103,
                "bookmaker": f"bk{i % 7}",
                "price": 1.9 + (i % 30) / 100,
                "limit": 100 + i,
                "limitCurrency": "EUR",
                "currencyInfo": {"currency": "EUR", "currencyValue": 0.85},
                "meta": {"lay": {"price": 2.5 + (i % 5) / 10}},
            }
        ).encode()
        for i in range(300)
    ]
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        errors = run_threads(
            lambda: [live.apply_json(p) for p in payloads],
            lambda: [live.apply(_decode.decode(p)) for p in reversed(payloads)],
            lambda: [live.book.available(1.5, "USD", live.fx) for _ in range(300)],
        )
    finally:
        sys.setswitchinterval(before)
    assert errors == []
    assert live.updates == 600 and len(live.book) == 14 and len(live._slots) == 14
