"""The simulated market: fixtures, per-bookmaker quotes, exchange rates and bookmaker health.

It turns that state into engine objects: :meth:`Market.build_book` returns a
``wagerkit._core.Book`` holding one client's accounts and the quotes they can take, and the
router works on that. No routing or limit rule lives here; the engine applies the cascade.

Quote limits are kept in the bookmaker's currency and converted into each account's currency
(rounded down; minimums rounded up). A bet uses up limit: the bookmaker has taken that much
liability on the market for that account, so the next bet sees ``limit − consumed`` until a
price move sets a fresh limit. This is what makes partial fills and waiting observable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from wagerkit._core import Book, Fx, to_minor
from wagerkit.errors import InvalidInput, MissingRate
from wagerkit.sim.abp.records import Account
from wagerkit.sim.abp.scenario import BookmakerSpec, FixtureSpec, MarketSpec, Scenario

__all__ = ["BookmakerState", "Market", "QuoteState", "Selection", "SelectionKey", "market_key"]

SelectionKey = tuple[str, int, int]
"""(fixtureId, outcomeId, playerId)."""


def market_key(fixture_id: str, bookmaker: str, outcome_id: int, player_id: int) -> str:
    """ABP's composite market key ``fixtureId:bookmaker:outcomeId:playerId``."""
    return f"{fixture_id}:{bookmaker}:{outcome_id}:{player_id}"


@dataclass
class QuoteState:
    """A bookmaker's current quote; ``limit``/``limit_min`` in bookmaker-currency minor units."""

    bookmaker: str
    price: float
    limit: int
    limit_min: int | None
    active: bool
    back: bool
    bookmaker_market_id: str
    bookmaker_outcome_id: str


@dataclass
class Selection:
    """One outcome of one fixture and the quotes on it, keyed by (bookmaker, back)."""

    fixture: FixtureSpec
    market: MarketSpec
    quotes: dict[tuple[str, bool], QuoteState] = field(default_factory=dict)

    @property
    def key(self) -> SelectionKey:
        return (self.fixture.fixture_id, self.market.outcome_id, self.market.player_id)


@dataclass
class BookmakerState:
    """A bookmaker's runtime knobs: its spec plus what admin controls have changed."""

    spec: BookmakerSpec
    bet_delay: float = 0.0
    reject_rate: float = 0.0
    forced_open: bool = False  # set by the admin control
    failures: int = 0  # consecutive rejected bets
    open_until: float = 0.0  # simulator time until which the breaker stays open

    def circuit_open(self, now: float) -> bool:
        """Open when forced, or for a cooldown after too many consecutive rejections."""
        return self.forced_open or now < self.open_until

    def record(self, ok: bool, now: float, threshold: int, cooldown: float) -> bool:
        """Count a bookmaker answer; True when this one opened the breaker."""
        if ok:
            self.failures = 0
            return False
        self.failures += 1
        if self.failures >= threshold:
            self.failures = 0
            self.open_until = now + cooldown
            return True
        return False


class Market:
    """Fixtures, quotes, rates and bookmakers of one simulated world."""

    def __init__(self, scenario: Scenario, world_start: float) -> None:
        self.world_start = world_start
        self.fx = Fx()
        self.fx.set_rate("USD", "1", scenario.rates_updated_at)
        self.fixture_status: dict[str, int] = {}  # statusId changes (settled → 2 Finished)
        # results given when a fixture was settled: (per outcome, default); bets confirmed
        # after the settlement are settled on them
        self.fixture_results: dict[str, tuple[dict[str, str], str | None]] = {}
        for ccy, value in scenario.rates.items():
            self.fx.set_rate(ccy, repr(value), scenario.rates_updated_at)
        self.bookmakers: dict[str, BookmakerState] = {
            b.slug: BookmakerState(b, bet_delay=b.bet_delay, reject_rate=b.reject_rate)
            for b in scenario.bookmakers
        }
        self.fixtures: dict[str, FixtureSpec] = {f.fixture_id: f for f in scenario.fixtures}
        self.selections: dict[SelectionKey, Selection] = {}
        # liability taken per (account engine id, market key, back), account minor units
        self.consumed: dict[tuple[str, str, bool], int] = {}
        for fixture in scenario.fixtures:
            for spec in fixture.markets:
                sel = Selection(fixture, spec)
                self.selections[sel.key] = sel
                for q in spec.quotes:
                    ccy = self.bookmakers[q.bookmaker].spec.currency
                    sel.quotes[(q.bookmaker, q.back)] = QuoteState(
                        bookmaker=q.bookmaker,
                        price=q.price,
                        limit=to_minor(q.limit, ccy, "down"),
                        limit_min=None if q.limit_min is None else to_minor(q.limit_min, ccy, "up"),
                        active=q.active,
                        back=q.back,
                        bookmaker_market_id=q.bookmaker_market_id or str(spec.market_id),
                        bookmaker_outcome_id=q.bookmaker_outcome_id or str(spec.outcome_id),
                    )

    # -- reads -----------------------------------------------------------------------------

    def selection(self, fixture_id: str, outcome_id: int, player_id: int) -> Selection | None:
        return self.selections.get((fixture_id, outcome_id, player_id))

    def fixture_selections(self, fixture_id: str) -> list[Selection]:
        return [s for s in self.selections.values() if s.fixture.fixture_id == fixture_id]

    def is_closed(self, sel: Selection) -> bool:
        """True once the selection can no longer be bet: its fixture is finished or settled.

        A closed market's quotes are shown and routed as inactive, so an order on a result
        that is already known is declined as a suspended market instead of winning for sure.
        """
        fid, oid, pid = sel.key
        return self.fixture_status.get(fid) == 2 or self.result_for(fid, oid, pid) is not None

    def result_for(self, fixture_id: str, outcome_id: int, player_id: int) -> str | None:
        """The settled result of a selection (``"outcomeId:playerId"`` first), or None."""
        known = self.fixture_results.get(fixture_id)
        if known is None:
            return None
        results, default = known
        return results.get(f"{outcome_id}:{player_id}") or results.get(str(outcome_id), default)

    def record_results(self, fixture_id: str, results: dict[str, str], default: str | None) -> None:
        """Keep a settlement's results: outcomes named again are replaced, a new default wins."""
        old, old_default = self.fixture_results.get(fixture_id, ({}, None))
        self.fixture_results[fixture_id] = (
            {**old, **results},
            default if default is not None else old_default,
        )

    def currency_of(self, bookmaker: str) -> str:
        state = self.bookmakers.get(bookmaker)
        return state.spec.currency if state is not None else "USD"

    def quote_limits(
        self, quote: QuoteState, account: Account, key: str
    ) -> tuple[int, int | None] | None:
        """odds.limit and odds.limitMin for ``account``: converted, minus what it has used.

        None when a rate between the bookmaker's and the account's currency is missing.
        """
        src = self.currency_of(quote.bookmaker)
        try:
            limit = self.fx.convert(quote.limit, src, account.currency, "down")
            limit_min = (
                None
                if quote.limit_min is None
                else self.fx.convert(quote.limit_min, src, account.currency, "up")
            )
        except MissingRate:
            return None
        used = self.consumed.get((account.engine_id, key, quote.back), 0)
        return max(0, limit - used), limit_min

    def build_book(
        self,
        sel: Selection,
        accounts: Iterable[Account],
        *,
        allowed: frozenset[str] | None = None,
        skip_open_circuits: bool = True,
        now: float = 0.0,
        balance_caps: dict[str, int] | None = None,
    ) -> Book:
        """An engine Book for one client: its accounts and the quotes they can take.

        ``allowed`` is the API key's bookmaker allow-list (None = all). Bookmakers whose
        circuit is open are left out, as ABP stops routing to them. ``balance_caps`` (account
        engine id → minor units) lowers the balance handed to the engine for those accounts.
        """
        book = Book()
        accounts = list(accounts)
        fid, oid, pid = sel.key
        unconvertible = self._unconvertible(sel, accounts)
        for slug, state in self.bookmakers.items():
            spec = state.spec
            max_stake = (
                None if spec.max_stake is None else to_minor(spec.max_stake, spec.currency, "down")
            )
            min_stake = (
                None if spec.min_stake is None else to_minor(spec.min_stake, spec.currency, "up")
            )
            if slug in unconvertible:
                # Quote limits in a currency without a rate: the engine gets the limit in its
                # real currency as a bookmaker limit, and declines the conversion itself
                # (CURRENCY_CONVERSION_FAILED) instead of reading the number in another unit.
                raw = unconvertible[slug]
                max_stake = raw if max_stake is None else min(max_stake, raw)
            if max_stake is not None or min_stake is not None:
                book.set_bookmaker_limits(
                    slug, spec.currency, max_stake=max_stake, min_stake=min_stake
                )
        for acc in accounts:
            bm_state = self.bookmakers.get(acc.bookmaker)
            if bm_state is None or (allowed is not None and acc.bookmaker not in allowed):
                continue
            if skip_open_circuits and bm_state.circuit_open(now):
                continue
            book.set_account(
                acc.engine_id,
                acc.bookmaker,
                acc.currency,
                priority=acc.priority,
                max_stake=acc.max_stake,
                min_stake=acc.min_stake,
                balance=max(
                    0, min(acc.balance, (balance_caps or {}).get(acc.engine_id, acc.balance))
                ),
                active=acc.active,
            )
            for (slug, back), q in sel.quotes.items():
                if slug != acc.bookmaker:
                    continue
                key = market_key(fid, slug, oid, pid)
                limits = self.quote_limits(q, acc, key)
                if limits is None:  # the bookmaker limit above makes the engine decline
                    limit, limit_min = q.limit, None
                else:
                    limit, limit_min = limits
                active = q.active and not self.is_closed(sel)
                book.upsert(key, acc.engine_id, q.price, limit, limit_min, active, back)
        return book

    def _unconvertible(self, sel: Selection, accounts: Iterable[Account]) -> dict[str, int]:
        """Bookmakers of ``sel`` whose limit cannot be converted into one of their accounts'
        currencies (a rate is missing): slug → the largest quote limit, bookmaker minor units."""
        out: dict[str, int] = {}
        for acc in accounts:
            for (slug, _back), q in sel.quotes.items():
                if slug != acc.bookmaker:
                    continue
                src = self.currency_of(slug)
                try:
                    self.fx.convert(q.limit, src, acc.currency, "down")
                except MissingRate:
                    out[slug] = max(out.get(slug, 0), q.limit)
        return out

    # -- writes ----------------------------------------------------------------------------

    def consume(self, account: Account, key: str, back: bool, stake: int) -> None:
        """Record liability taken by a bet (account minor units)."""
        slot = (account.engine_id, key, back)
        self.consumed[slot] = self.consumed.get(slot, 0) + stake

    def release(self, account_id: str, key: str, back: bool, stake: int) -> None:
        """Give limit back after a bookmaker rejected the bet."""
        slot = (account_id, key, back)
        left = self.consumed.get(slot, 0) - stake
        if left > 0:
            self.consumed[slot] = left
        else:
            self.consumed.pop(slot, None)

    def move(
        self,
        fixture_id: str,
        outcome_id: int,
        player_id: int,
        bookmaker: str,
        *,
        back: bool = True,
        price: float | None = None,
        limit: float | None = None,
        limit_min: float | None = None,
        active: bool | None = None,
    ) -> Selection:
        """Change (or add) a quote. A new ``limit`` also clears the liability used against it."""
        sel = self.selection(fixture_id, outcome_id, player_id)
        if sel is None:
            raise InvalidInput(f"no selection {fixture_id}/{outcome_id}/{player_id}")
        if bookmaker not in self.bookmakers:
            raise InvalidInput(f"unknown bookmaker {bookmaker}", field="bookmaker")
        if price is not None and not price > 1.0:
            raise InvalidInput("price must be > 1", field="price")
        ccy = self.currency_of(bookmaker)
        quote = sel.quotes.get((bookmaker, back))
        if quote is None:
            if price is None or limit is None:
                raise InvalidInput("a new quote needs price and limit", field="price")
            quote = QuoteState(
                bookmaker, price, 0, None, True, back, str(sel.market.market_id), str(outcome_id)
            )
            sel.quotes[(bookmaker, back)] = quote
        if price is not None:
            quote.price = price
        if limit is not None:
            quote.limit = to_minor(limit, ccy, "down")
            key = market_key(fixture_id, bookmaker, outcome_id, player_id)
            for slot in [s for s in self.consumed if s[1] == key and s[2] == back]:
                del self.consumed[slot]
        if limit_min is not None:
            quote.limit_min = to_minor(limit_min, ccy, "up")
        if active is not None:
            quote.active = active
        return sel

    # -- persistence -----------------------------------------------------------------------

    def snapshot(self) -> dict[str, object]:
        """Quote state, consumed limits and rates, for the SQLite store."""
        return {
            "quotes": [
                [*sel.key, q.bookmaker, q.back, q.price, q.limit, q.limit_min, q.active]
                for sel in self.selections.values()
                for q in sel.quotes.values()
            ],
            "consumed": [[a, k, b, v] for (a, k, b), v in self.consumed.items()],
            "rates": [
                [c, self.fx.rate_str(c), self.fx.updated_at(c)] for c in self.fx.currencies()
            ],
            "fixtureStatus": [[f, s] for f, s in self.fixture_status.items()],
            "fixtureResults": [[f, res, d] for f, (res, d) in self.fixture_results.items()],
        }

    def restore(self, snap: dict[str, list[list[object]]]) -> None:
        """Load what :meth:`snapshot` wrote (quotes unknown to the scenario are added)."""
        for ccy, value, updated in snap.get("rates", []):
            self.fx.set_rate(str(ccy), str(value), None if updated is None else str(updated))
        for fid, status in snap.get("fixtureStatus", []):
            self.fixture_status[str(fid)] = int(str(status))
        for fid, results, default in snap.get("fixtureResults", []):
            assert isinstance(results, dict)
            self.fixture_results[str(fid)] = (
                {str(k): str(v) for k, v in results.items()},
                None if default is None else str(default),
            )
        for fid, oid, pid, bm, back, price, limit, limit_min, active in snap.get("quotes", []):
            sel = self.selection(str(fid), int(str(oid)), int(str(pid)))
            if sel is None or str(bm) not in self.bookmakers:
                continue
            q = QuoteState(
                str(bm),
                float(str(price)),
                int(str(limit)),
                None,
                bool(active),
                bool(back),
                str(sel.market.market_id),
                str(oid),
            )
            q.limit_min = None if limit_min is None else int(str(limit_min))
            old = sel.quotes.get((q.bookmaker, q.back))
            if old is not None:
                q.bookmaker_market_id = old.bookmaker_market_id
                q.bookmaker_outcome_id = old.bookmaker_outcome_id
            sel.quotes[(q.bookmaker, q.back)] = q
        self.consumed = {
            (str(a), str(k), bool(b)): int(str(v)) for a, k, b, v in snap.get("consumed", [])
        }
