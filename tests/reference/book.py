"""The merged book of one selection (docs/engine.md §2, §3 sort order, §6 reads).

Same API shape as ``wagerkit._core.Book`` so that tests and benchmarks drive both the same
way. Quotes live in a dict by slot; every read recomputes the cascade from scratch, which is
slow and obviously right: that is the point of a reference.

Accounts are keyed by (bookmaker, name). A slot is ``generation << 32 | index``: a removed
quote's index is reused (most recently freed first) under the next generation, so a stale slot
is refused and never reaches another quote.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from tests.reference.errors import InvalidInput, MissingRate
from tests.reference.fx import Fx
from tests.reference.limits import effective_limits
from tests.reference.money import (
    PRICE_SCALE,
    currency_exponent,
    fixed_to_price,
    price_to_fixed,
    to_minor,
)


@dataclass
class Account:
    """A bookmaker account; amounts in minor units of ``currency``."""

    name: str
    bookmaker: str
    currency: str
    priority: int
    max_stake: int | None
    min_stake: int | None
    balance: int | None
    active: bool


@dataclass(frozen=True)
class BookmakerLimits:
    """Cascade step 2, in its own currency."""

    currency: str
    max_stake: int | None
    min_stake: int | None


@dataclass
class QuoteRecord:
    """One stored quote; ``price`` is fixed point (PRICE_SCALE)."""

    slot: int
    key: str
    account: str
    price: int
    limit: int
    limit_min: int | None
    active: bool
    back: bool


@dataclass(frozen=True)
class Quote:
    """A frozen snapshot with the same properties as the engine's ``Quote``."""

    slot: int
    key: str
    bookmaker: str
    account: str
    currency: str
    priority: int
    price_fixed: int
    limit: int
    limit_min: int | None
    active: bool
    back: bool
    max_stake: int | None
    min_stake: int
    account_active: bool
    missing_rate: str | None = None
    """The bookmaker-limit currency (or account currency) that left the cascade unresolved."""

    @property
    def price(self) -> float:
        """Decimal odds as a float, like the engine hands them back."""
        return fixed_to_price(self.price_fixed)

    @property
    def can_take_bet(self) -> bool:
        """§2: a quote with ``max <= 0`` or ``max < min`` cannot take a bet."""
        return (
            self.max_stake is not None and self.max_stake > 0 and self.max_stake >= self.min_stake
        )

    @property
    def eligible(self) -> bool:
        """Counts for the book reads of §6: active quote, active account, can take a bet."""
        return self.active and self.account_active and self.can_take_bet


@dataclass(frozen=True)
class Level:
    """One price level of :meth:`Book.ladder`."""

    price_fixed: int
    available: int
    quotes: int

    @property
    def price(self) -> float:
        """The level's price as a float."""
        return fixed_to_price(self.price_fixed)


def _check_amount(value: int | None, field: str, *, optional: bool) -> None:
    if value is None:
        if not optional:
            raise InvalidInput(f"{field} is required", field=field)
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{field} must be an int in minor units", field=field)
    if value < 0:
        raise InvalidInput(f"{field} must not be negative, got {value}", field=field)


def check_flag(value: object, field: str) -> bool:
    """A strict bool: None (or an int) is refused, never read as a default."""
    if not isinstance(value, bool):
        raise InvalidInput(f"{field} must be a bool, got {type(value).__name__}", field=field)
    return value


def _split_key(key: str) -> tuple[str, str, str, str]:
    parts = key.split(":") if isinstance(key, str) else []
    if len(parts) != 4 or not all(parts):
        raise InvalidInput(
            f"key must be fixtureId:bookmaker:outcomeId:playerId, got {key!r}", field="key"
        )
    return parts[0], parts[1], parts[2], parts[3]


def balance_stake(balance: int, back: bool, price_fixed: int) -> int:
    """§2: the largest stake whose risk fits in ``balance``.

    A back bet risks its stake; a lay bet risks its liability ``stake × (price − 1)``, so
    its stake is at most ``floor(balance · PRICE_SCALE / (price − PRICE_SCALE))``.
    """
    if back or balance <= 0:
        return balance
    return min(balance * PRICE_SCALE // (price_fixed - PRICE_SCALE), 2**63 - 1)


def better_or_equal(p: int, q: int, back: bool) -> bool:
    """Price ``p`` is at least as good as ``q`` for the side (back: higher, lay: lower)."""
    return p >= q if back else p <= q


class Book:
    """Accounts, bookmaker limits and quotes for one selection."""

    def __init__(self) -> None:
        self._accounts: dict[tuple[str, str], Account] = {}
        self._bookmaker_limits: dict[str, BookmakerLimits] = {}
        self._quotes: dict[int, QuoteRecord] = {}
        self._index: dict[tuple[str, str, bool], int] = {}
        self._generations: list[int] = []
        """Next generation of each slot index ever used."""
        self._free: list[int] = []
        """Free slot indices, reused last-freed first."""
        self._selection: tuple[str, str, str] | None = None
        self._fx: Fx | None = None

    # -- setup -----------------------------------------------------------------------------

    def set_account(
        self,
        account: str,
        bookmaker: str,
        currency: str,
        *,
        priority: int = 0,
        max_stake: int | None = None,
        min_stake: int | None = None,
        balance: int | None = None,
        active: bool = True,
    ) -> None:
        """Register or replace an account (amounts in its currency's minor units).

        Keyed by (bookmaker, name). A name found only on one other bookmaker moves there when
        it holds no quotes (refused when it does); an account holding quotes keeps its
        currency (refused otherwise): their limits are amounts of that currency.
        """
        self._put_account(
            account,
            bookmaker,
            currency,
            priority=priority,
            max_stake=max_stake,
            min_stake=min_stake,
            balance=balance,
            active=active,
            may_move=True,
        )

    def _put_account(
        self,
        account: str,
        bookmaker: str,
        currency: str,
        *,
        priority: int = 0,
        max_stake: int | None = None,
        min_stake: int | None = None,
        balance: int | None = None,
        active: bool = True,
        may_move: bool,
    ) -> None:
        if not account:
            raise InvalidInput("account name must not be empty", field="account")
        if not bookmaker or ":" in bookmaker:
            raise InvalidInput(
                f"bookmaker {bookmaker!r} must be a non-empty name without ':'", field="bookmaker"
            )
        currency_exponent(currency)
        _check_amount(max_stake, "max_stake", optional=True)
        _check_amount(min_stake, "min_stake", optional=True)
        _check_amount(balance, "balance", optional=True)
        check_flag(active, "active")
        old = self._accounts.get((bookmaker, account))
        if old is None and may_move:
            others = [a for (_, name), a in self._accounts.items() if name == account]
            if len(others) == 1:
                old = others[0]
        if old is not None:
            held = self._held(old)
            if old.bookmaker != bookmaker and held:
                raise InvalidInput(
                    f"account {account!r} holds quotes of bookmaker {old.bookmaker!r}; remove "
                    f"them before moving it to {bookmaker!r}",
                    field="bookmaker",
                )
            if old.currency != currency and held:
                raise InvalidInput(
                    f"account {account!r} holds quotes with limits in {old.currency}; remove "
                    f"them before changing its currency to {currency}",
                    field="currency",
                )
            del self._accounts[(old.bookmaker, account)]
        self._accounts[(bookmaker, account)] = Account(
            account, bookmaker, currency, priority, max_stake, min_stake, balance, active
        )

    def _held(self, acc: Account) -> int:
        """How many quotes the account holds."""
        return sum(
            1
            for rec in self._quotes.values()
            if rec.account == acc.name and _split_key(rec.key)[1] == acc.bookmaker
        )

    def remove_account(self, account: str, bookmaker: str | None = None) -> bool:
        """Remove an account that holds no quotes; False when there is none by that name (on
        ``bookmaker`` when given). Refused while it holds quotes, or when ``bookmaker`` is
        None and several bookmakers have an account by that name."""
        found = [a for (b, n), a in self._accounts.items() if n == account]
        if bookmaker is not None:
            found = [a for a in found if a.bookmaker == bookmaker]
        if not found:
            return False
        if len(found) > 1:
            raise InvalidInput(
                f"several bookmakers have an account {account!r}: name the bookmaker",
                field="bookmaker",
            )
        acc = found[0]
        if held := self._held(acc):
            raise InvalidInput(
                f"account {account!r} holds {held} quote(s); remove them before the account",
                field="account",
            )
        del self._accounts[(acc.bookmaker, account)]
        return True

    def _account_of(self, rec: QuoteRecord) -> Account:
        return self._accounts[(_split_key(rec.key)[1], rec.account)]

    def set_bookmaker_limits(
        self,
        bookmaker: str,
        currency: str,
        *,
        max_stake: int | None = None,
        min_stake: int | None = None,
    ) -> None:
        """Bookmaker-level limits, converted into each account's currency when applied."""
        currency_exponent(currency)
        _check_amount(max_stake, "max_stake", optional=True)
        _check_amount(min_stake, "min_stake", optional=True)
        self._bookmaker_limits[bookmaker] = BookmakerLimits(currency, max_stake, min_stake)

    # -- quotes ----------------------------------------------------------------------------

    def upsert(
        self,
        key: str,
        account: str,
        price: float,
        limit: int,
        limit_min: int | None = None,
        active: bool = True,
        back: bool = True,
    ) -> int:
        """Insert or replace a quote; a replaced quote keeps its slot."""
        fixture, bookmaker, outcome, player = _split_key(key)
        named = [a for (_, name), a in self._accounts.items() if name == account]
        if not named:
            raise InvalidInput(f"unknown account {account!r}", field="account")
        acc = self._accounts.get((bookmaker, account))
        if acc is None:
            raise InvalidInput(
                f"key {key!r} names bookmaker {bookmaker!r} but account {account!r} "
                f"belongs to {named[0].bookmaker!r}",
                field="key",
            )
        selection = (fixture, outcome, player)
        if self._selection is not None and selection != self._selection:
            raise InvalidInput(f"key {key!r} is for another selection", field="key")
        fixed = price_to_fixed(price)
        _check_amount(limit, "limit", optional=False)
        _check_amount(limit_min, "limit_min", optional=True)
        check_flag(active, "active")
        check_flag(back, "back")
        self._selection = selection
        slot = self._index.get((key, account, back))
        if slot is None:
            if self._free:
                index = self._free.pop()
            else:
                index = len(self._generations)
                self._generations.append(0)
            slot = self._generations[index] << 32 | index
            self._index[(key, account, back)] = slot
        self._quotes[slot] = QuoteRecord(slot, key, account, fixed, limit, limit_min, active, back)
        return slot

    def update(
        self, slot: int, price: float, limit: int, limit_min: int | None, active: bool
    ) -> None:
        """Move one quote by slot; an unknown or removed slot is refused."""
        rec = self._quotes.get(slot)
        if rec is None:
            raise InvalidInput(f"unknown slot {slot!r}", field="slot")
        fixed = price_to_fixed(price)
        _check_amount(limit, "limit", optional=False)
        _check_amount(limit_min, "limit_min", optional=True)
        check_flag(active, "active")
        rec.price, rec.limit, rec.limit_min, rec.active = fixed, limit, limit_min, active

    def remove(self, key: str, account: str, back: bool = True) -> bool:
        """Remove one quote; its slot is refused from then on (the index is reused under the
        next generation; an index whose 32-bit generations are used up is retired)."""
        slot = self._index.pop((key, account, back), None)
        if slot is None:
            return False
        del self._quotes[slot]
        index = slot & 0xFFFF_FFFF
        if self._generations[index] < 2**32 - 1:
            self._generations[index] += 1
            self._free.append(index)
        return True

    # -- the cascade -----------------------------------------------------------------------

    def _bookmaker_level(
        self, acc: Account, amount: int | None, rounding: str, fx: Fx | None
    ) -> tuple[bool, int | None]:
        """A bookmaker limit in the account currency: (resolved, value)."""
        limits = self._bookmaker_limits.get(acc.bookmaker)
        if limits is None or amount is None:
            return True, None
        if limits.currency == acc.currency:
            return True, amount
        if fx is None or not fx.has(limits.currency) or not fx.has(acc.currency):
            return False, None
        return True, fx.convert(amount, limits.currency, acc.currency, rounding)  # type: ignore[arg-type]

    def _snapshot(self, rec: QuoteRecord, fx: Fx | None) -> Quote:
        acc = self._account_of(rec)
        limits = self._bookmaker_limits.get(acc.bookmaker)
        ok_max, bm_max = self._bookmaker_level(
            acc, limits.max_stake if limits else None, "down", fx
        )
        ok_min, bm_min = self._bookmaker_level(acc, limits.min_stake if limits else None, "up", fx)
        maximum, minimum = effective_limits(
            account_max=acc.max_stake,
            account_min=acc.min_stake,
            bookmaker_max=bm_max,
            bookmaker_min=bm_min,
            odds_limit=rec.limit,
            odds_limit_min=rec.limit_min,
        )
        # A bookmaker level the cascade needs but cannot convert (no rate in this Fx) leaves
        # the quote unresolved: no max, min 0, and the router treats it as a currency
        # failure (§3 step 4) rather than guessing which level would have applied.
        unresolved = None
        if (acc.max_stake is None and not ok_max) or (acc.min_stake is None and not ok_min):
            assert limits is not None
            maximum = None
            minimum = acc.min_stake if acc.min_stake is not None else 0
            unresolved = limits.currency if fx is None or fx.has(acc.currency) else acc.currency
            if fx is not None and not fx.has(limits.currency):
                unresolved = limits.currency
        if maximum is not None and acc.balance is not None:
            maximum = min(maximum, balance_stake(acc.balance, rec.back, rec.price))
        return Quote(
            slot=rec.slot,
            key=rec.key,
            bookmaker=acc.bookmaker,
            account=rec.account,
            currency=acc.currency,
            priority=acc.priority,
            price_fixed=rec.price,
            limit=rec.limit,
            limit_min=rec.limit_min,
            active=rec.active,
            back=rec.back,
            max_stake=maximum,
            min_stake=minimum,
            account_active=acc.active,
            missing_rate=unresolved,
        )

    def snapshots(self, fx: Fx | None, back: bool | None = None) -> list[Quote]:
        """Every live quote with its cascade resolved against ``fx`` (unsorted)."""
        return [
            self._snapshot(rec, fx)
            for rec in self._quotes.values()
            if back is None or rec.back == back
        ]

    def use_fx(self, fx: Fx) -> None:
        """Remember ``fx`` as the last rate table used (for reads that take none)."""
        self._fx = fx

    # -- reads -----------------------------------------------------------------------------

    def get(self, slot: int) -> Quote:
        """The quote in ``slot``, cascade resolved against the last Fx used."""
        rec = self._quotes.get(slot)
        if rec is None:
            raise InvalidInput(f"unknown slot {slot!r}", field="slot")
        return self._snapshot(rec, self._fx)

    def quotes(self, back: bool | None = None) -> list[Quote]:
        """Live quotes, best first (price, then priority, then odds limit)."""
        snaps = self.snapshots(self._fx, back)
        snaps.sort(
            key=lambda q: (
                not q.back,
                -q.price_fixed if q.back else q.price_fixed,
                -q.priority,
                -q.limit,
                q.key,
                q.account,
            )
        )
        return snaps

    def __len__(self) -> int:
        return len(self._quotes)

    def best_price(self, back: bool = True) -> float | None:
        """Best price among eligible quotes (§6)."""
        prices = [q.price_fixed for q in self.snapshots(self._fx, back) if q.eligible]
        if not prices:
            return None
        return fixed_to_price(max(prices) if back else min(prices))

    def _eligible(self, currency: str, fx: Fx, back: bool) -> list[Quote]:
        """Eligible quotes (§6), best first; remembers ``fx`` and checks ``currency``.

        Conversions happen lazily in each read, so a quote whose currency has no rate raises
        MissingRate only when a read actually needs its amount (refused, never guessed).
        """
        fx.rate_fixed(currency)  # a read in a currency without a rate changes nothing
        self._fx = fx
        quotes = [q for q in self.snapshots(fx, back) if q.eligible]
        quotes.sort(
            key=lambda q: (
                -q.price_fixed if back else q.price_fixed,
                -q.priority,
                q.key,
                q.account,
            )
        )
        return quotes

    def _check_resolved(self, fx: Fx, back: bool, price_fixed: int | None) -> None:
        """§6: MissingRate for an active quote (active account) whose limits are unknown (a
        bookmaker limit it needs has no rate), at ``price_fixed`` or better (any price when
        None); the first by price, key and account when there are several."""
        unresolved = [
            q
            for q in self.snapshots(fx, back)
            if q.active
            and q.account_active
            and q.missing_rate is not None
            and (price_fixed is None or better_or_equal(q.price_fixed, price_fixed, back))
        ]
        if unresolved:
            first = min(
                unresolved,
                key=lambda q: (-q.price_fixed if back else q.price_fixed, q.key, q.account),
            )
            assert first.missing_rate is not None
            raise MissingRate(
                f"No exchange rate for {first.missing_rate}", currency=first.missing_rate
            )

    @staticmethod
    def _max_in(q: Quote, currency: str, fx: Fx) -> int:
        assert q.max_stake is not None
        return fx.convert(q.max_stake, q.currency, currency, "down")

    def available(self, price: float, currency: str, fx: Fx, back: bool = True) -> int:
        """Σ converted max over eligible quotes at ``price`` or better."""
        fixed = price_to_fixed(price)
        quotes = self._eligible(currency, fx, back)
        self._check_resolved(fx, back, fixed)
        return sum(
            self._max_in(q, currency, fx)
            for q in quotes
            if better_or_equal(q.price_fixed, fixed, back)
        )

    def vwap(self, stake: int, currency: str, fx: Fx, back: bool = True) -> float | None:
        """Average price of filling ``stake`` best first; None when the book is too thin."""
        _check_amount(stake, "stake", optional=False)
        if stake <= 0:
            raise InvalidInput("stake must be greater than 0", field="stake")
        left, weighted = stake, 0
        for q in self._eligible(currency, fx, back):
            take = min(left, self._max_in(q, currency, fx))
            weighted += take * q.price_fixed
            left -= take
            if left == 0:
                self._check_resolved(fx, back, q.price_fixed)
                return float(Fraction(weighted, stake * PRICE_SCALE))
        self._check_resolved(fx, back, None)
        return None

    def ladder(self, currency: str, fx: Fx, back: bool = True) -> list[Level]:
        """Eligible quotes grouped by exact price, best first."""
        levels: dict[int, list[int]] = {}
        quotes = self._eligible(currency, fx, back)
        self._check_resolved(fx, back, None)
        for q in quotes:
            level = levels.setdefault(q.price_fixed, [0, 0])
            level[0] += self._max_in(q, currency, fx)
            level[1] += 1
        order = sorted(levels, reverse=back)
        return [Level(p, levels[p][0], levels[p][1]) for p in order]

    # -- construction from the wire --------------------------------------------------------

    @staticmethod
    def from_betslip(data: bytes | str | Mapping[str, Any], fx: Fx | None = None) -> Book:
        """A book from an ABP betslip (whole response or its ``odds`` object)."""
        parsed: Any = json.loads(data) if isinstance(data, bytes | str) else data
        odds = parsed.get("odds", parsed) if isinstance(parsed, Mapping) else None
        if not isinstance(odds, Mapping):
            raise InvalidInput("betslip has no odds object", field="odds")
        book = Book()
        for bookmaker, markets in odds.items():
            for key, q in markets.items():
                currency = q["limitCurrency"]
                # Keyed by (bookmaker, username): two bookmakers may share a username.
                book._put_account(q["account"], bookmaker, currency, may_move=False)
                limit_min = q.get("limitMin")
                # A maximum rounds down and a minimum up: no leg exceeds the bookmaker's limit.
                book.upsert(
                    key,
                    q["account"],
                    q["price"],
                    to_minor(_wire_number(q["limit"]), currency, "down"),
                    None
                    if limit_min is None
                    else to_minor(_wire_number(limit_min), currency, "up"),
                    bool(q.get("active", True)),
                )
                info = q.get("currencyInfo")
                if fx is not None and info:
                    fx.set_rate(
                        info["currency"], _wire_number(info["currencyValue"]), info.get("updatedAt")
                    )
        if fx is not None:
            book._fx = fx
        return book


def _wire_number(value: Any) -> float | int | str | Decimal:
    """JSON numbers arrive as int or float; both are read through their exact text."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise InvalidInput(f"expected a number, got {value!r}")
    return value
