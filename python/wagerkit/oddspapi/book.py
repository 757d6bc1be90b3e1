"""OddsPapi quotes into an engine :class:`~wagerkit.Book`: the whole market across the
bookmakers OddsPapi covers, beside ABP's executable betslip.

Why the engine's :class:`~wagerkit.QuoteFeed`: it is the same one-call path that feeds ABP's
betslip into a Book (checks the whole quote, converts the limit into minor units of the
bookmaker's ``limitCurrency``, moves the quote's slot), so an OddsPapi quote and an ABP quote
obey one set of rules, and a venue sending garbage gets a
:class:`~wagerkit.errors.ProtocolError` with the book untouched.

Why a quote can be present but not live: OddsPapi flags a bookmaker's whole fixture
``staleOdds`` (its feed stopped updating) or ``suspended``, and a quote or its market can be
inactive. Such a quote is kept in the book with ``active=False``: it shows what the bookmaker
last said, it is never offered as a live price (best price, availability and routing skip it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from wagerkit._core import Book, FrameResult, Fx, QuoteFeed
from wagerkit.errors import ProtocolError
from wagerkit.oddspapi.models import (
    BookmakerFixture,
    Currency,
    FixtureOdds,
    OddsEnvelope,
    OddsRow,
    OddsUpdate,
    odds_id,
)
from wagerkit.transport import DECODE_FAILURES

__all__ = ["OddsBook", "best_lay"]

_LABEL = "odds quote from OddsPapi"
_ENVELOPE = msgspec.json.Decoder(OddsEnvelope)


def best_lay(meta: Any, active: bool = True) -> dict[str, Any] | None:
    """The best lay of an exchange quote's ``meta`` as the engine's lay object, or None.

    OddsPapi passes exchange ladders through ``meta``: Betfair ``availableToLay: [{price,
    size}]``, Polymarket and SX ``lay: [{price, limit, ...}]``; the first level is the best.
    Anything else (no ladder, a malformed one) is no lay quote: the back quote still counts.
    """
    if not isinstance(meta, dict):
        return None
    for field, amount in (("availableToLay", "size"), ("lay", "limit")):
        ladder = meta.get(field)
        if isinstance(ladder, list) and ladder and isinstance(ladder[0], dict):
            top = ladder[0]
            return {"price": top.get("price"), "limit": top.get(amount), "active": active}
    return None


class OddsBook:
    """The merged OddsPapi book of ``(fixture_id, outcome_id, player_id)``.

    ``limit_currencies`` maps bookmaker slug → its ``limitCurrency`` (from
    :meth:`~wagerkit.oddspapi.client.AsyncOddsPapiClient.bookmakers`); a bookmaker missing from
    it is taken as USD (read when a bookmaker's first quote arrives). ``fx`` receives
    ``/currencies`` (:meth:`load_rates`) so availability can be read in any currency. Each
    bookmaker's quote is one account ``bookmaker/bookmaker``.
    """

    def __init__(
        self,
        fixture_id: str,
        outcome_id: int,
        player_id: int = 0,
        *,
        limit_currencies: Mapping[str, str] | None = None,
        fx: Fx | None = None,
        max_bookmakers: int = 1024,
    ) -> None:
        self.feed = QuoteFeed(
            fixture_id, outcome_id, player_id, max_accounts=max_bookmakers, label=_LABEL
        )
        self.selection = (fixture_id, outcome_id, player_id)
        self.book = Book()
        self.fx = fx if fx is not None else Fx()
        self.limit_currencies = dict(limit_currencies or {})
        self.updates = 0
        self._state: dict[str, tuple[bool, bool]] = {}  # bookmaker -> (stale, suspended)
        self._last: dict[str, tuple[float, float | None, bool, dict[str, Any] | None]] = {}
        self._keys: dict[str, tuple[str, str]] = {}  # bookmaker -> (oddsId, limitCurrency)

    def load_rates(self, currencies: Iterable[Currency]) -> None:
        """Take OddsPapi's rates (units per 1 USD, ABP's convention) into :attr:`fx`."""
        for c in currencies:
            if c.currency != "USD" and c.currency_value > 0:
                self.fx.set_rate(c.currency, repr(c.currency_value), c.updated_at)

    # -- entries ---------------------------------------------------------------------------------

    def apply_odds(self, odds: FixtureOdds, bookmakers: Iterable[str] = ()) -> int:
        """Apply a ``/fixtures/odds`` answer (every bookmaker's quote of this selection, and
        each bookmaker's stale/suspended state); returns how many quotes were applied.

        The answer is the whole truth for the bookmakers it covers (``bookmakers``, the slugs
        the request was filtered to; empty: all of them): a bookmaker whose quote is no longer
        in it is withdrawn (:meth:`withdraw`), so the book never offers a quote the venue no
        longer has."""
        fixture_id, outcome_id, player_id = self.selection
        if odds.fixture_id != fixture_id:
            return 0
        scope = set(bookmakers)
        for slug in [b for b in self._last if not scope or b in scope]:
            if odds_id(fixture_id, slug, outcome_id, player_id) not in odds.odds.get(slug, {}):
                self.withdraw(slug)
        applied = 0
        for slug, state in odds.bookmakers.items():
            self._state[slug] = (state.stale_odds, state.suspended)
        for slug, rows in odds.odds.items():
            row = rows.get(odds_id(fixture_id, slug, outcome_id, player_id))
            if row is not None:
                self.apply_row(slug, row, odds.bookmakers.get(slug))
                applied += 1
        return applied

    def apply_row(
        self, bookmaker: str, row: OddsRow, state: BookmakerFixture | None = None
    ) -> FrameResult:
        """Apply one quote row of this selection (``state`` updates the bookmaker's flags)."""
        if state is not None:
            self._state[bookmaker] = (state.stale_odds, state.suspended)
        live = row.active and row.market_active
        return self._put(bookmaker, row.price, row.limit, live, best_lay(row.meta, live))

    def apply_update(self, update: OddsUpdate) -> FrameResult | None:
        """Apply one ``odds`` stream payload; None when it is for another selection."""
        if (update.fixture_id, update.outcome_id, update.player_id) != self.selection:
            return None
        self._state[update.bookmaker] = (update.stale_odds, update.suspended)
        return self._put(
            update.bookmaker, update.price, update.limit, update.active and update.market_active
        )

    def apply_frame(self, frame: bytes | bytearray | memoryview | str) -> FrameResult | None:
        """Decode one stream frame ``{channel, type, payload, ts, entryId}`` and apply it."""
        try:
            envelope = _ENVELOPE.decode(frame)
        except DECODE_FAILURES as exc:
            raise ProtocolError(f"{_LABEL}: not an odds frame ({exc})") from None
        return self.apply_update(envelope.payload)

    def withdraw(self, bookmaker: str) -> int:
        """Remove the bookmaker's quotes (back and lay) of this selection from the book; the
        number removed. Its next quote, if the venue prices the outcome again, is added anew."""
        self._last.pop(bookmaker, None)
        removed = 0
        for quote in self.book.quotes(None):
            if quote.bookmaker == bookmaker:
                removed += self.book.remove(quote.key, quote.account, quote.back)
        return removed

    def set_state(
        self, bookmaker: str, *, stale_odds: bool | None = None, suspended: bool | None = None
    ) -> None:
        """Change a bookmaker's fixture flags; its quote goes dead (or live again) at once."""
        stale, susp = self._state.get(bookmaker, (False, False))
        self._state[bookmaker] = (
            stale if stale_odds is None else stale_odds,
            susp if suspended is None else suspended,
        )
        last = self._last.get(bookmaker)
        if last is not None:
            self._put(bookmaker, *last)

    def _put(
        self,
        bookmaker: str,
        price: float,
        limit: float | None,
        active: bool,
        lay: dict[str, Any] | None = None,
    ) -> FrameResult:
        if lay is None:  # a stream update carries no ladder: the last one known still stands
            last = self._last.get(bookmaker)
            lay = None if last is None else last[3]
        sent = (price, limit, active, lay)  # kept once applied: set_state replays it
        stale, suspended = self._state.get(bookmaker, (False, False))
        if lay is not None and (stale or suspended):
            lay = {**lay, "active": False}
        known = self._keys.get(bookmaker)
        if known is None:
            fixture_id, outcome_id, player_id = self.selection
            known = (
                odds_id(fixture_id, bookmaker, outcome_id, player_id),
                self.limit_currencies.get(bookmaker, "USD"),
            )
            if len(self._keys) < self.feed.max_accounts:
                self._keys[bookmaker] = known
        result = self.feed.apply_quote(
            self.book,
            self.fx,
            bookmaker=bookmaker,
            key=known[0],
            price=price,
            limit=limit,
            active=active and not stale and not suspended,
            limit_currency=known[1],
            lay=lay,
        )
        self._last[bookmaker] = sent
        self.updates += 1
        return result

    def __repr__(self) -> str:
        return f"OddsBook({self.selection}, quotes={len(self.book)}, updates={self.updates})"
