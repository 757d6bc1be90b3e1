"""The latest state of every quote the stream has seen, as the venue last said it.

OddsPapi's ``odds`` channel is latest-state only: it may coalesce or drop updates and is not
replayed, so this store keeps one :class:`~wagerkit.oddspapi.models.OddsUpdate` per oddsId and
two rules make mixing the stream with REST snapshots safe:

- **Newer wins.** An update replaces the stored quote only if its ``changed_at`` (Unix ms) is
  not older than the stored one's; a late or replayed frame cannot move a price back, and one
  identical to the stored quote changes nothing.
- **A snapshot replaces.** :meth:`LiveOdds.replace_fixture` sets a fixture's quotes to exactly
  what ``/fixtures/odds`` answered (quotes it no longer lists are gone); the stream then drains
  the updates it buffered meanwhile through the first rule.

A quote flagged ``stale_odds`` or ``suspended``, or inactive (the quote or its market), is kept
(it is what the bookmaker last said) but never offered as live: :meth:`LiveOdds.live` and
:meth:`LiveOdds.live_quotes` skip it.
"""

from __future__ import annotations

from collections.abc import Iterable

from wagerkit.oddspapi.models import FixtureOdds, OddsRow, OddsUpdate, odds_id

__all__ = ["LiveOdds", "is_live", "key_of", "update_of_row", "updates_of_snapshot"]


def is_live(quote: OddsUpdate) -> bool:
    """True when the quote may be offered: active, market active, not stale, not suspended."""
    return quote.active and quote.market_active and not quote.stale_odds and not quote.suspended


def key_of(update: OddsUpdate) -> str:
    return odds_id(update.fixture_id, update.bookmaker, update.outcome_id, update.player_id)


def updates_of_snapshot(snapshot: FixtureOdds) -> Iterable[OddsUpdate]:
    """The rows of a ``/fixtures/odds`` answer as stream updates, carrying each bookmaker's
    ``staleOdds``/``suspended`` flags."""
    for bookmaker, rows in snapshot.odds.items():
        state = snapshot.bookmakers.get(bookmaker)
        stale = state.stale_odds if state is not None else False
        suspended = state.suspended if state is not None else False
        for row in rows.values():
            yield update_of_row(snapshot.fixture_id, bookmaker, row, stale, suspended)


def update_of_row(
    fixture_id: str, bookmaker: str, row: OddsRow, stale: bool, suspended: bool
) -> OddsUpdate:
    """One ``/fixtures/odds`` row as the stream would have sent it."""
    return OddsUpdate(
        fixture_id=fixture_id,
        bookmaker=row.bookmaker or bookmaker,
        outcome_id=row.outcome_id,
        price=row.price,
        player_id=row.player_id,
        market_id=row.market_id,
        limit=row.limit,
        active=row.active,
        market_active=row.market_active,
        stale_odds=stale,
        suspended=suspended,
        changed_at=row.changed_at,
    )


class LiveOdds:
    """oddsId → latest :class:`OddsUpdate` (see the module doc for the rules)."""

    def __init__(self) -> None:
        self._quotes: dict[str, OddsUpdate] = {}

    def __len__(self) -> int:
        return len(self._quotes)

    def apply(self, update: OddsUpdate) -> bool:
        """Store ``update`` unless the stored quote is newer or the same; True when it
        changed something (a replayed or re-sent frame is not news)."""
        key = key_of(update)
        old = self._quotes.get(key)
        if old is not None and ((update.changed_at or 0) < (old.changed_at or 0) or update == old):
            return False
        self._quotes[key] = update
        return True

    def replace_fixture(self, snapshot: FixtureOdds, bookmakers: Iterable[str] = ()) -> int:
        """Set the fixture's quotes (of ``bookmakers``, or all when empty) to the snapshot's;
        the number of quotes it holds."""
        slugs = set(bookmakers)
        fixture = snapshot.fixture_id
        for key in [
            k
            for k, q in self._quotes.items()
            if q.fixture_id == fixture and (not slugs or q.bookmaker in slugs)
        ]:
            del self._quotes[key]
        count = 0
        for update in updates_of_snapshot(snapshot):
            if not slugs or update.bookmaker in slugs:
                self._quotes[key_of(update)] = update
                count += 1
        return count

    def get(self, odds_id: str) -> OddsUpdate | None:
        """The stored quote, live or not."""
        return self._quotes.get(odds_id)

    def live(self, odds_id: str) -> OddsUpdate | None:
        """The quote if it may be offered as live (see :func:`is_live`), else None."""
        quote = self._quotes.get(odds_id)
        return quote if quote is not None and is_live(quote) else None

    def live_quotes(self, fixture_id: str | None = None) -> dict[str, OddsUpdate]:
        """Every live quote (of one fixture, when given), by oddsId."""
        return {
            k: q
            for k, q in self._quotes.items()
            if is_live(q) and (fixture_id is None or q.fixture_id == fixture_id)
        }

    def all_quotes(self) -> dict[str, OddsUpdate]:
        """Every stored quote, live or not, by oddsId (a copy)."""
        return dict(self._quotes)

    def fixtures(self) -> set[str]:
        return {q.fixture_id for q in self._quotes.values()}

    def __repr__(self) -> str:
        return f"LiveOdds(quotes={len(self._quotes)})"
