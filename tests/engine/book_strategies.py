"""Random books and orders for the property tests, as plain data applied to either side.

A :class:`BookSpec` is built once by hypothesis and then replayed, call for call, against the
engine and the reference (and mirrored for the lay tests), so the two always see the same book.
Prices are decimal text with two, three or six places, so each is exact as a float's repr and
as a 6-decimal fixed-point value; amounts are minor units scaled to each currency.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from decimal import Decimal
from types import ModuleType
from typing import Any

from hypothesis import strategies as st

RATED = ("USD", "EUR", "GBP", "JPY", "KWD")
"""Currencies with a rate in every random Fx: exponents 2, 2, 2, 0 and 3."""

UNRATED = "CHF"
"""A real ISO currency that random books never give a rate: exercises the missing-rate path."""

ALSO_UNRATED = "SEK"
"""A second currency without a rate, so a decline must pick which one to name."""

BOOKMAKERS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel")
"""Bookmaker slugs of random books."""

ABSENT_BOOKMAKER = "zulu"
"""A bookmaker no random book ever holds."""

FIXTURE = "id1000004461512432"

MIRROR = Decimal(25)
"""Lay mirror: a back price ``p`` becomes the lay price ``MIRROR - p`` (every price < 24)."""

_SCALE = {"USD": 1, "EUR": 1, "GBP": 1, "JPY": 1, "KWD": 10, "CHF": 1, "SEK": 10}
"""Minor units per cent-sized step, so amounts mean about the same money in each currency."""


def market_key(bookmaker: str) -> str:
    """``fixtureId:bookmaker:outcomeId:playerId`` for the one selection of random books."""
    return f"{FIXTURE}:{bookmaker}:103:0"


@dataclass(frozen=True)
class AccountSpec:
    """Arguments of ``Book.set_account``."""

    name: str
    bookmaker: str
    currency: str
    priority: int
    max_stake: int | None
    min_stake: int | None
    balance: int | None
    active: bool


@dataclass(frozen=True)
class LimitSpec:
    """Arguments of ``Book.set_bookmaker_limits``."""

    bookmaker: str
    currency: str
    max_stake: int | None
    min_stake: int | None


@dataclass(frozen=True)
class QuoteSpec:
    """Arguments of ``Book.upsert`` (the key follows from the account's bookmaker)."""

    account: str
    price: Decimal
    limit: int
    limit_min: int | None
    active: bool
    back: bool


@dataclass(frozen=True)
class UpdateSpec:
    """``Book.update`` on the slot of quote number ``index``."""

    index: int
    price: Decimal
    limit: int
    limit_min: int | None
    active: bool


@dataclass(frozen=True)
class BookSpec:
    """A whole random book: rates, accounts, bookmaker limits, quotes, then moves."""

    rates: tuple[tuple[str, str], ...]
    accounts: tuple[AccountSpec, ...]
    limits: tuple[LimitSpec, ...]
    quotes: tuple[QuoteSpec, ...]
    updates: tuple[UpdateSpec, ...]
    removals: tuple[int, ...]

    @property
    def bookmakers(self) -> list[str]:
        """Bookmakers that have at least one account, sorted."""
        return sorted({a.bookmaker for a in self.accounts})

    @property
    def all_rated(self) -> bool:
        """True when every currency in the book (accounts, bookmaker limits) has a rate."""
        return all(a.currency in RATED for a in self.accounts) and all(
            lim.currency in RATED for lim in self.limits
        )

    def mirrored(self) -> BookSpec:
        """The lay twin: every quote flips side and its price becomes ``MIRROR - p``."""
        return replace(
            self,
            quotes=tuple(replace(q, back=not q.back, price=MIRROR - q.price) for q in self.quotes),
            updates=tuple(replace(u, price=MIRROR - u.price) for u in self.updates),
        )


@dataclass(frozen=True)
class OrderSpec:
    """Arguments of ``Order``; the price is decimal text like the quotes'."""

    stake: int
    currency: str
    price: Decimal
    accept_better_odds: bool
    accept_partial_stake: bool
    back: bool
    bookmakers: tuple[str, ...] | None

    def mirrored(self) -> OrderSpec:
        """The lay twin of a back order (and back twin of a lay one)."""
        return replace(self, back=not self.back, price=MIRROR - self.price)


@dataclass
class Built:
    """A spec applied to one implementation."""

    book: Any
    fx: Any
    slots: list[int]


def _price(rng: random.Random) -> Decimal:
    """Decimal odds from 1.01 to 3.00, mostly on a coarse grid so that ties are common, one
    in eight with all six decimals the engine keeps."""
    kind = rng.randrange(8)
    if kind in (0, 1, 2):
        return Decimal(rng.randint(101, 300)).scaleb(-2)
    if kind in (3, 4):
        return rng.choice(GRID)
    if kind == 7:
        return Decimal(rng.randint(1_010_000, 3_000_000)).scaleb(-6)
    return Decimal(rng.randint(1010, 3000)).scaleb(-3)


GRID = (Decimal("1.9"), Decimal("1.95"), Decimal("2"), Decimal("2.05"))
"""A few prices every random book and order draws often, so prices tie and match."""


def prices() -> st.SearchStrategy[Decimal]:
    """Hypothesis twin of :func:`_price`, for orders (so their price shrinks nicely)."""
    return st.one_of(
        st.integers(101, 300).map(lambda k: Decimal(k).scaleb(-2)),
        st.sampled_from(GRID),
        st.integers(1010, 3000).map(lambda k: Decimal(k).scaleb(-3)),
        st.integers(1_010_000, 3_000_000).map(lambda k: Decimal(k).scaleb(-6)),
    )


def _amount(rng: random.Random, currency: str, low: int, high: int) -> int:
    return rng.randint(low, high) * _SCALE[currency]


def _maybe(rng: random.Random, currency: str, low: int, high: int) -> int | None:
    return None if rng.random() < 0.5 else _amount(rng, currency, low, high)


def random_book(rng: random.Random, n_quotes: int, with_unrated: bool) -> BookSpec:
    """A book of ``n_quotes`` quotes drawn from ``rng`` (see :func:`book_specs`)."""
    n_accounts = rng.randint((n_quotes + 1) // 2, n_quotes)
    pool = BOOKMAKERS[: rng.randint(1, len(BOOKMAKERS))]
    currencies = (*RATED, UNRATED, ALSO_UNRATED) if with_unrated else RATED
    accts = []
    for i in range(n_accounts):
        currency = rng.choice(currencies)
        accts.append(
            AccountSpec(
                name=f"acct{i:02d}",
                bookmaker=rng.choice(pool),
                currency=currency,
                priority=rng.randint(0, 3),
                max_stake=_maybe(rng, currency, 0, 300_000),
                min_stake=_maybe(rng, currency, 0, 3_000),
                balance=_maybe(rng, currency, 0, 600_000),
                active=rng.random() < 0.9,
            )
        )
    sides = rng.sample([(a, back) for a in accts for back in (True, False)], n_quotes)
    quotes = tuple(
        QuoteSpec(
            account=a.name,
            price=_price(rng),
            limit=_amount(rng, a.currency, 0, 400_000),
            limit_min=_maybe(rng, a.currency, 0, 2_000),
            active=rng.random() < 0.9,
            back=back,
        )
        for a, back in sides
    )
    limits = []
    for bookmaker in sorted({a.bookmaker for a in accts}):
        if rng.random() < 0.25:
            currency = rng.choice(currencies)
            limits.append(
                LimitSpec(
                    bookmaker,
                    currency,
                    _maybe(rng, currency, 0, 300_000),
                    _maybe(rng, currency, 0, 3_000),
                )
            )
    updates = tuple(
        UpdateSpec(
            index=rng.randrange(n_quotes),
            price=_price(rng),
            limit=rng.randint(0, 400_000),
            limit_min=None if rng.random() < 0.5 else rng.randint(0, 2_000),
            active=rng.random() < 0.8,
        )
        for _ in range(rng.randint(0, 3))
    )
    removals = tuple(rng.sample(range(n_quotes), min(n_quotes, rng.randint(0, 2))))
    rates = (
        ("EUR", str(Decimal(rng.randint(70_000_000, 100_000_000)).scaleb(-8))),
        ("GBP", str(Decimal(rng.randint(60_000_000, 90_000_000)).scaleb(-8))),
        ("JPY", str(Decimal(rng.randint(100_000, 160_000)).scaleb(-3))),
        ("KWD", str(Decimal(rng.randint(300_000, 320_000)).scaleb(-6))),
    )
    return BookSpec(rates, tuple(accts), tuple(limits), quotes, updates, removals)


@st.composite
def book_specs(draw: st.DrawFn, *, min_quotes: int = 1, max_quotes: int = 50) -> BookSpec:
    """A random book: 1-50 quotes, back and lay, several accounts per bookmaker in USD,
    EUR, GBP, JPY (0 decimals) and KWD (3 decimals), sometimes a CHF account without a
    rate; random priorities, limits, mins, balances, bookmaker limits and active flags; then
    a few ``update`` and ``remove`` calls.

    Hypothesis draws the size and a seed; the bulk comes from ``random.Random(seed)``, which
    keeps generation cheap enough for hundreds of 50-quote books per test. Shrinking still
    reduces the number of quotes.
    """
    n_quotes = draw(st.sampled_from(range(min_quotes, max_quotes + 1)))
    with_unrated = draw(st.integers(0, 7)) == 7
    seed = draw(st.integers(0, 2**32 - 1))
    return random_book(random.Random(seed), n_quotes, with_unrated)


@st.composite
def order_specs(draw: st.DrawFn, spec: BookSpec) -> OrderSpec:
    """A random order against ``spec``: any mode, either side, any filter shape.

    The price is often one of the book's own prices nudged by up to two ticks, so orders
    land where the first-bet and weighted-average rules have work to do; stakes span a
    single cent to several times a typical limit.
    """
    present = spec.bookmakers
    filters = st.one_of(
        st.none(),
        st.none(),
        st.just(("*",)),
        st.sampled_from(present).map(lambda b: (b,)),
        st.sampled_from(present).map(lambda b: (b,)),
        st.lists(
            st.sampled_from([*present, ABSENT_BOOKMAKER]), min_size=2, max_size=3, unique=True
        ).map(tuple),
        st.just((ABSENT_BOOKMAKER,)),
        # Duplicates: deduplicated before mode inference (("a", "a") is single).
        st.sampled_from(present).map(lambda b: (b, b)),
        st.lists(st.sampled_from(present), min_size=2, max_size=4).map(tuple),
        st.just(("*", "*")),
    )
    currency = draw(st.sampled_from(RATED) if draw(st.integers(0, 39)) < 39 else st.just(UNRATED))
    back = draw(st.integers(0, 3)) < 3
    book_prices = [q.price for q in spec.quotes if q.back == back]
    if book_prices and draw(st.integers(0, 2)) < 2:
        nudge = Decimal(draw(st.integers(-2, 2))).scaleb(-2)
        price = max(Decimal("1.01"), draw(st.sampled_from(book_prices)) + nudge)
    else:
        price = draw(prices())
    stake = draw(
        st.one_of(
            st.integers(1, 5_000),
            st.integers(1, 100_000),
            st.integers(1, 800_000),
            # Extreme amounts: far beyond any limit, still exact in 64-bit minor units.
            st.integers(10**9, 10**12),
        )
    )
    return OrderSpec(
        stake=stake * _SCALE[currency],
        currency=currency,
        price=price,
        accept_better_odds=draw(st.integers(0, 3)) < 3,
        accept_partial_stake=not draw(st.booleans()),
        back=back,
        bookmakers=draw(filters),
    )


def build(m: ModuleType, spec: BookSpec) -> Built:
    """Replay ``spec`` against implementation ``m`` (engine or reference)."""
    fx = m.Fx()
    for currency, value in spec.rates:
        fx.set_rate(currency, value)
    book = m.Book()
    for a in spec.accounts:
        book.set_account(
            a.name,
            a.bookmaker,
            a.currency,
            priority=a.priority,
            max_stake=a.max_stake,
            min_stake=a.min_stake,
            balance=a.balance,
            active=a.active,
        )
    for lim in spec.limits:
        book.set_bookmaker_limits(
            lim.bookmaker, lim.currency, max_stake=lim.max_stake, min_stake=lim.min_stake
        )
    bookmaker_of = {a.name: a.bookmaker for a in spec.accounts}
    slots = [
        book.upsert(
            market_key(bookmaker_of[q.account]),
            q.account,
            float(q.price),
            q.limit,
            q.limit_min,
            q.active,
            q.back,
        )
        for q in spec.quotes
    ]
    removed = set(spec.removals)
    for u in spec.updates:
        if u.index not in removed:
            book.update(slots[u.index], float(u.price), u.limit, u.limit_min, u.active)
    for i in spec.removals:
        q = spec.quotes[i]
        assert book.remove(market_key(bookmaker_of[q.account]), q.account, q.back)
    return Built(book, fx, slots)


def make_order(m: ModuleType, order: OrderSpec) -> Any:
    """``order`` as implementation ``m``'s ``Order``."""
    return m.Order(
        order.stake,
        order.currency,
        float(order.price),
        accept_better_odds=order.accept_better_odds,
        accept_partial_stake=order.accept_partial_stake,
        back=order.back,
        bookmakers=None if order.bookmakers is None else list(order.bookmakers),
    )


def plan_summary(plan: Any) -> tuple[Any, ...]:
    """Everything a route plan decides, as plain data, for comparing engine and reference."""
    return (
        plan.status,
        plan.mode,
        None if plan.decline is None else plan.decline.name,
        plan.message if plan.status == "declined" else None,
        tuple(
            (
                leg.key,
                leg.bookmaker,
                leg.account,
                leg.price,
                leg.stake,
                leg.currency,
                leg.order_stake,
                leg.order_currency,
            )
            for leg in plan.legs
        ),
        plan.filled,
        plan.remaining,
        plan.complete,
    )


@st.composite
def deep_order_specs(draw: st.DrawFn, spec: BookSpec) -> OrderSpec:
    """A large order priced inside the book, across all bookmakers: several legs, and
    legs below orderPrice admitted by the weighted-average rule, become common."""
    back = draw(st.integers(0, 3)) < 3
    side_prices = sorted({q.price for q in spec.quotes if q.back == back}) or [Decimal(2)]
    price = side_prices[len(side_prices) // 2]
    currency = draw(st.sampled_from(RATED))
    return OrderSpec(
        stake=draw(st.integers(50_000, 2_000_000)) * _SCALE[currency],
        currency=currency,
        price=price,
        accept_better_odds=True,
        accept_partial_stake=draw(st.integers(0, 3)) < 3,
        back=back,
        bookmakers=None,
    )


def deep_single_order(spec: BookSpec, back: bool, stake: int, currency: str) -> OrderSpec:
    """A mode-2 order (one bookmaker, partial stake, better odds accepted) on the bookmaker
    with the most quotes on the side, priced at the middle of its prices: its first legs fill
    at or better than orderPrice, and the weighted-average rule then admits legs below it."""
    counts: dict[str, list[Decimal]] = {}
    bookmaker_of = {a.name: a.bookmaker for a in spec.accounts}
    for q in spec.quotes:
        if q.back == back:
            counts.setdefault(bookmaker_of[q.account], []).append(q.price)
    if not counts:
        return OrderSpec(stake, currency, Decimal(2), True, True, back, (BOOKMAKERS[0],))
    bookmaker = max(sorted(counts), key=lambda b: len(counts[b]))
    side_prices = sorted(counts[bookmaker], reverse=not back)
    return OrderSpec(
        stake=stake,
        currency=currency,
        price=side_prices[len(side_prices) // 2],
        accept_better_odds=True,
        accept_partial_stake=True,
        back=back,
        bookmakers=(bookmaker,),
    )


@st.composite
def deep_single_order_specs(draw: st.DrawFn, spec: BookSpec) -> OrderSpec:
    """Hypothesis form of :func:`deep_single_order`."""
    currency = draw(st.sampled_from(RATED))
    stake = draw(st.integers(50_000, 2_000_000)) * _SCALE[currency]
    return deep_single_order(spec, draw(st.integers(0, 3)) < 3, stake, currency)


def few_bookmakers_book(rng: random.Random, n_quotes: int) -> BookSpec:
    """A random book whose accounts crowd onto at most three bookmakers (several quotes per
    bookmaker, so single-bookmaker orders have depth)."""
    spec = random_book(rng, n_quotes, with_unrated=False)
    pool = BOOKMAKERS[: rng.randint(1, 3)]
    accounts = tuple(replace(a, bookmaker=pool[i % len(pool)]) for i, a in enumerate(spec.accounts))
    kept = {a.bookmaker for a in accounts}
    return replace(
        spec, accounts=accounts, limits=tuple(x for x in spec.limits if x.bookmaker in kept)
    )


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[BookSpec, OrderSpec]:
    """A random book and an order against it: half any order, the rest deep ones: across
    all bookmakers, or mode 2 on one crowded bookmaker (legs below orderPrice)."""
    kind = draw(st.integers(0, 3))
    if kind < 2:
        spec = draw(book_specs())
        return spec, draw(order_specs(spec))
    if kind == 2:
        spec = draw(book_specs(min_quotes=10))
        return spec, draw(deep_order_specs(spec))
    n_quotes = draw(st.integers(6, 40))
    spec = few_bookmakers_book(random.Random(draw(st.integers(0, 2**32 - 1))), n_quotes)
    return spec, draw(deep_single_order_specs(spec))


def refused_filters() -> st.SearchStrategy[list[str]]:
    """Bookmaker filters every implementation must refuse (§3): ``[]``, an empty name among
    others, and ``"*"`` mixed with names."""
    names = st.sampled_from([*BOOKMAKERS[:3], ABSENT_BOOKMAKER])
    return st.one_of(
        st.just([]),
        st.lists(st.one_of(names, st.just("")), min_size=1, max_size=4).filter(lambda xs: "" in xs),
        st.lists(st.one_of(names, st.just("*")), min_size=2, max_size=4).filter(
            lambda xs: "*" in xs and any(x != "*" for x in xs)
        ),
    )
