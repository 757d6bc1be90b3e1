"""wagerkit's LiveBook as it was before the engine took its rules (the Python logic over the
engine's Book): the baseline of the betslip benchmark and an oracle for the engine's
``QuoteFeed``, which must take and refuse exactly the same entries with the same results.

Kept verbatim apart from this docstring and the class name; it drives ``wagerkit._core``.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, NamedTuple

from wagerkit._core import Book, Fx, is_currency, to_minor
from wagerkit.abp.models import Betslip, BetslipQuote, BetslipUpdate, CurrencyInfo
from wagerkit.errors import InvalidInput, ProtocolError

if TYPE_CHECKING:
    from wagerkit._core import Rounding

__all__ = ["MAX_ACCOUNTS", "PyLiveBook"]

MAX_ACCOUNTS = 4096
"""Default cap on accounts in one LiveBook (a real betslip has a few hundred at most)."""

_MAX_NAME = 200
"""Longest bookmaker or account name accepted from the venue, in characters."""

_MAX_PRICE = 1e12
"""Decimal odds above this are garbage (the engine's own ceiling is about 1.8e13)."""

_SAFE_PRICE = 1.000001
"""Above this a finite price is > 1.0 after the engine's rounding to 6 decimals."""

_MICRO = Decimal("0.000001")


class _Side(NamedTuple):
    """One validated quote, ready for the engine: amounts in minor units of the account."""

    price: float
    limit: int
    limit_min: int | None
    active: bool
    back: bool


class _Plan(NamedTuple):
    """Everything one entry will change, computed before anything is changed."""

    key: str
    account: str
    bookmaker: str
    currency: str
    rate: CurrencyInfo | None
    sides: tuple[_Side, ...]


class PyLiveBook:
    """The merged book of ``(fixture_id, outcome_id, player_id)``, kept current.

    ``fx`` receives every ``currencyInfo`` seen, so :meth:`wagerkit.Book.available` and
    routing convert with ABP's own rates. ``max_accounts`` bounds memory (see the module doc):
    a quote of a new account beyond it is refused with ProtocolError.
    """

    def __init__(
        self,
        fixture_id: str,
        outcome_id: int,
        player_id: int = 0,
        fx: Fx | None = None,
        *,
        max_accounts: int = MAX_ACCOUNTS,
    ) -> None:
        if not isinstance(fixture_id, str) or not fixture_id or ":" in fixture_id:
            raise InvalidInput("fixture_id must be a non-empty id without ':'", field="fixture_id")
        if max_accounts < 1:
            raise InvalidInput("max_accounts must be >= 1", field="max_accounts")
        self.selection = (fixture_id, outcome_id, player_id)
        self.fx = fx if fx is not None else Fx()
        self.book = Book()
        self.updates = 0
        self.max_accounts = max_accounts
        self._slots: dict[tuple[str, bool], int] = {}
        """(account, back) → engine slot: the engine keeps one quote per account and side."""
        self._accounts: dict[str, str] = {}
        """account → the currency it is registered with."""
        self._probe = Fx()
        """Scratch rates: a rate is tried here first, so a bad one never reaches ``fx``."""

    @classmethod
    def from_betslip(
        cls, betslip: Betslip, fx: Fx | None = None, *, max_accounts: int = MAX_ACCOUNTS
    ) -> PyLiveBook:
        """Seed from a REST betslip; later stream updates move the same quotes.

        A quote ABP sent that cannot be used raises :class:`~wagerkit.errors.ProtocolError`.
        """
        if betslip.fixture_id is None:
            raise InvalidInput("a futures betslip has no fixture book", field="betslip")
        live = cls(
            betslip.fixture_id, betslip.outcome_id, betslip.player_id, fx, max_accounts=max_accounts
        )
        for bookmaker, markets in betslip.odds.items():
            for key, quote in markets.items():
                live._put(bookmaker, key, quote)
        return live

    def apply(self, update: BetslipUpdate) -> bool:
        """Apply one ``betslip`` channel entry; False when it is for another selection.

        Raises :class:`~wagerkit.errors.ProtocolError` (and changes nothing) when the entry
        cannot be used.
        """
        if (update.fixture_id, update.outcome_id, update.player_id) != self.selection:
            return False
        if update.bookmaker is None:
            return False
        self._put(update.bookmaker, update.market_key, update)
        self.updates += 1
        return True

    # ----------------------------------------------------------------------------------------

    def _put(self, bookmaker: str, key: str | None, quote: BetslipQuote) -> None:
        self._commit(self._plan(bookmaker, key, quote))

    def _plan(self, bookmaker: str, key: str | None, quote: BetslipQuote) -> _Plan:
        """Check the whole entry; raise ProtocolError without changing anything."""
        fixture, outcome, player = self.selection
        if not isinstance(bookmaker, str) or not bookmaker or ":" in bookmaker:
            raise _bad(f"bookmaker {bookmaker!r} is not a slug")
        if len(bookmaker) > _MAX_NAME:
            raise _bad("bookmaker name too long")
        expected = f"{fixture}:{bookmaker}:{outcome}:{player}"
        if key is not None and key != expected:
            raise _bad(f"market key {key[:_MAX_NAME]!r} is not {expected!r}")
        username = quote.account or bookmaker
        if len(username) > _MAX_NAME:
            raise _bad("account name too long")
        account = f"{bookmaker}/{username}"
        if account not in self._accounts and len(self._accounts) >= self.max_accounts:
            raise _bad(f"more than {self.max_accounts} accounts in one book")
        info = quote.currency_info
        currency = quote.limit_currency or (info.currency if info is not None else "USD")
        if not is_currency(currency):
            raise _bad(f"unknown currency {currency!r}")
        if info is not None:
            if not is_currency(info.currency):
                raise _bad(f"unknown currency {info.currency!r} in currencyInfo")
            try:
                self._probe.set_rate(info.currency, info.currency_value, info.updated_at)
            except InvalidInput as exc:
                raise _bad(f"unusable rate: {exc}") from None
        back = _side(quote.price, quote.limit, quote.limit_min, quote.active, currency, True)
        sides: tuple[_Side, ...] = (back,)
        lay = quote.meta.get("lay") if isinstance(quote.meta, dict) else None
        if lay is not None and lay != {}:
            if not isinstance(lay, dict):
                raise _bad("meta.lay is not an object")
            active = lay.get("active", True)
            if not isinstance(active, bool):
                raise _bad("meta.lay.active is not a boolean")
            sides += (
                _side(
                    _number(lay.get("price"), "meta.lay.price", required=True),
                    _number(lay.get("limit"), "meta.lay.limit"),
                    _number(lay.get("limitMin"), "meta.lay.limitMin"),
                    active,
                    currency,
                    False,
                ),
            )
        return _Plan(expected, account, bookmaker, currency, info, sides)

    def _commit(self, plan: _Plan) -> None:
        """Apply a checked entry. The checks mirror the engine's, so nothing here fails on
        venue data; should the engine still refuse, it is reported as ProtocolError."""
        try:
            if plan.rate is not None:
                self.fx.set_rate(plan.rate.currency, plan.rate.currency_value, plan.rate.updated_at)
            if self._accounts.get(plan.account) != plan.currency:
                # The account changed currency at ABP (a PATCH of currencyId): its old quotes'
                # limits are in the old currency, so they go before the account is re-registered.
                for back in (True, False):
                    if self._slots.pop((plan.account, back), None) is not None:
                        self.book.remove(plan.key, plan.account, back)
                self.book.set_account(plan.account, plan.bookmaker, plan.currency)
                self._accounts[plan.account] = plan.currency
            for side in plan.sides:
                slot = self._slots.get((plan.account, side.back))
                if slot is None:
                    self._slots[(plan.account, side.back)] = self.book.upsert(
                        plan.key,
                        plan.account,
                        side.price,
                        side.limit,
                        side.limit_min,
                        side.active,
                        side.back,
                    )
                else:
                    self.book.update(slot, side.price, side.limit, side.limit_min, side.active)
        except InvalidInput as exc:
            raise _bad(f"refused by the engine: {exc}") from None

    def __repr__(self) -> str:
        return f"PyLiveBook({self.selection}, quotes={len(self.book)}, updates={self.updates})"


def _bad(why: str) -> ProtocolError:
    return ProtocolError(f"betslip quote from ABP not usable: {why}")


def _number(value: Any, name: str, *, required: bool = False) -> float | None:
    """A JSON number from an untyped object (``meta`` is free-form), or None when absent."""
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _bad(f"{name} is not a number: {value!r}"[:300])
    return float(value)


def _side(
    price: float | None,
    limit: float | None,
    limit_min: float | None,
    active: bool,
    currency: str,
    back: bool,
) -> _Side:
    """Check one quote the way the engine will: price > 1.0 after rounding to 6 decimals,
    amounts finite, representable and not negative, in minor units of ``currency``."""
    if price is None or not _price_ok(price):
        raise _bad(f"price {price!r} is not decimal odds above 1")
    return _Side(
        price,
        _amount(limit, currency, "down", "limit") if limit is not None else 0,
        _amount(limit_min, currency, "up", "limitMin") if limit_min is not None else None,
        bool(active),
        back,
    )


def _price_ok(price: float) -> bool:
    if not math.isfinite(price) or price > _MAX_PRICE:
        return False
    if price > _SAFE_PRICE:
        return True
    try:  # the engine reads the shortest decimal form, rounded half-even to 6 places
        return Decimal(repr(price)).quantize(_MICRO, ROUND_HALF_EVEN) > 1
    except InvalidOperation:
        return False


def _amount(value: float, currency: str, rounding: Rounding, name: str) -> int:
    if not math.isfinite(value):
        raise _bad(f"{name} {value!r} is not finite")
    try:
        minor = to_minor(value, currency, rounding)
    except InvalidInput as exc:
        raise _bad(f"{name} {value!r}: {exc}") from None
    if minor < 0:
        raise _bad(f"{name} {value!r} is negative")
    return minor
