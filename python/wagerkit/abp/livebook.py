"""A live engine Book for one selection, fed by the ``betslip`` WebSocket channel.

Why an engine Book and not a dict: the Book answers "best price", "how much at 2.0 or better
in USD" and routes an order with ABP's rules in microseconds, and a quote update is one call
with four scalars (:meth:`wagerkit.Book.update`) on a slot remembered here.
Accounts are keyed ``bookmaker/account`` (one username can exist at two bookmakers). An exchange's
lay quote, which ABP puts in the entry's ``meta.lay``, becomes a lay quote of the Book.
"""

from __future__ import annotations

from typing import Any

from wagerkit._core import Book, Fx, to_minor
from wagerkit.abp.models import Betslip, BetslipQuote, BetslipUpdate

__all__ = ["LiveBook"]


class LiveBook:
    """The merged book of ``(fixture_id, outcome_id, player_id)``, kept current.

    ``fx`` receives every ``currencyInfo`` seen, so :meth:`wagerkit.Book.available` and
    routing convert with ABP's own rates.
    """

    def __init__(
        self, fixture_id: str, outcome_id: int, player_id: int = 0, fx: Fx | None = None
    ) -> None:
        self.selection = (fixture_id, outcome_id, player_id)
        self.fx = fx if fx is not None else Fx()
        self.book = Book()
        self.updates = 0
        self._slots: dict[tuple[str, str, bool], int] = {}
        self._accounts: set[str] = set()

    @classmethod
    def from_betslip(cls, betslip: Betslip, fx: Fx | None = None) -> LiveBook:
        """Seed from a REST betslip; later stream updates move the same quotes."""
        if betslip.fixture_id is None:
            raise ValueError("a futures betslip has no fixture book")
        live = cls(betslip.fixture_id, betslip.outcome_id, betslip.player_id, fx)
        for bookmaker, markets in betslip.odds.items():
            for key, quote in markets.items():
                live._put(bookmaker, key, quote)
        return live

    def apply(self, update: BetslipUpdate) -> bool:
        """Apply one ``betslip`` channel entry; False when it is for another selection."""
        if (update.fixture_id, update.outcome_id, update.player_id) != self.selection:
            return False
        if update.bookmaker is None:
            return False
        key = update.market_key or ":".join(
            (
                str(update.fixture_id),
                update.bookmaker,
                str(update.outcome_id),
                str(update.player_id),
            )
        )
        self._put(update.bookmaker, key, update)
        self.updates += 1
        return True

    def _put(self, bookmaker: str, key: str, quote: BetslipQuote) -> None:
        currency = quote.limit_currency or (
            quote.currency_info.currency if quote.currency_info else "USD"
        )
        info = quote.currency_info
        if info is not None:
            self.fx.set_rate(info.currency, info.currency_value, info.updated_at)
        account = f"{bookmaker}/{quote.account or bookmaker}"
        if account not in self._accounts:
            self.book.set_account(account, bookmaker, currency)
            self._accounts.add(account)
        self._quote(
            key, account, currency, quote.price, quote.limit, quote.limit_min, quote.active, True
        )
        lay = quote.meta.get("lay") if isinstance(quote.meta, dict) else None
        if isinstance(lay, dict) and isinstance(lay.get("price"), (int, float)):
            self._quote(
                key,
                account,
                currency,
                float(lay["price"]),
                _num(lay.get("limit")),
                _num(lay.get("limitMin")),
                bool(lay.get("active", True)),
                False,
            )

    def _quote(
        self,
        key: str,
        account: str,
        currency: str,
        price: float,
        limit: float | None,
        limit_min: float | None,
        active: bool,
        back: bool,
    ) -> None:
        lim = to_minor(limit, currency, "down") if limit is not None else 0
        lmin = to_minor(limit_min, currency, "up") if limit_min is not None else None
        slot = self._slots.get((key, account, back))
        if slot is None:
            self._slots[(key, account, back)] = self.book.upsert(
                key, account, price, lim, lmin, active, back
            )
        else:
            self.book.update(slot, price, lim, lmin, active)

    def __repr__(self) -> str:
        return f"LiveBook({self.selection}, quotes={len(self.book)}, updates={self.updates})"


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
