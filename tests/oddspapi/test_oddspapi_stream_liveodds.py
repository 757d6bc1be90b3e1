"""The rules of the stream's quote store (LiveOdds), as properties."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from wagerkit.oddspapi.liveodds import LiveOdds, is_live, key_of
from wagerkit.oddspapi.models import BookmakerFixture, FixtureOdds, OddsRow, OddsUpdate

_update = st.builds(
    OddsUpdate,
    fixture_id=st.sampled_from(["f1", "f2"]),
    bookmaker=st.sampled_from(["pinnacle", "sharpbet"]),
    outcome_id=st.sampled_from([101, 102, 103]),
    price=st.floats(1.01, 100, allow_nan=False),
    changed_at=st.integers(0, 10**6),
    active=st.booleans(),
    stale_odds=st.booleans(),
    suspended=st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(updates=st.lists(_update, max_size=40), data=st.data())
def test_newest_update_wins_whatever_the_arrival_order(
    updates: list[OddsUpdate], data: st.DataObject
) -> None:
    """Per oddsId the store ends with an update of the greatest changedAt, in any arrival
    order: a late or replayed frame never moves a price back."""
    order = data.draw(st.permutations(updates))
    odds = LiveOdds()
    for u in order:
        odds.apply(u)
    newest: dict[str, int] = {}
    for u in updates:
        newest[key_of(u)] = max(newest.get(key_of(u), -1), u.changed_at or 0)
    assert {k: q.changed_at for k, q in odds.all_quotes().items()} == newest


@settings(deadline=None)
@given(updates=st.lists(_update, max_size=40))
def test_only_active_fresh_unsuspended_quotes_are_live(updates: list[OddsUpdate]) -> None:
    """live() and live_quotes() never offer a stale, suspended or inactive quote, and offer
    every other stored one."""
    odds = LiveOdds()
    for u in updates:
        odds.apply(u)
    live = odds.live_quotes()
    for k, q in odds.all_quotes().items():
        fresh = q.active and not q.stale_odds and not q.suspended
        assert (k in live) is fresh and (odds.live(k) is not None) is fresh
        assert is_live(q) is fresh


@settings(deadline=None)
@given(before=st.lists(_update, max_size=30), rows=st.lists(_update, max_size=10))
def test_a_snapshot_replaces_the_fixture_exactly(
    before: list[OddsUpdate], rows: list[OddsUpdate]
) -> None:
    """After replace_fixture, fixture f1 holds exactly the snapshot's quotes (with its
    bookmaker flags); f2 is untouched."""
    odds = LiveOdds()
    for u in before:
        odds.apply(u)
    f2_before = {k: q for k, q in odds.all_quotes().items() if q.fixture_id == "f2"}
    book: dict[str, dict[str, OddsRow]] = {}
    for r in rows:
        row = OddsRow(r.outcome_id, r.price, bookmaker=r.bookmaker, changed_at=r.changed_at)
        book.setdefault(r.bookmaker, {})[f"f1:{r.bookmaker}:{r.outcome_id}:0"] = row
    flags = {"pinnacle": BookmakerFixture(stale_odds=True)}
    odds.replace_fixture(FixtureOdds("f1", bookmakers=flags, odds=book))
    f1 = {k: q for k, q in odds.all_quotes().items() if q.fixture_id == "f1"}
    assert set(f1) == {k for rows_ in book.values() for k in rows_}
    assert all(q.stale_odds == (q.bookmaker == "pinnacle") for q in f1.values())
    assert {k: q for k, q in odds.all_quotes().items() if q.fixture_id == "f2"} == f2_before
