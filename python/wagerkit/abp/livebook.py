"""A live engine Book for one selection, fed by the ``betslip`` WebSocket channel.

Why an engine Book and not a dict: the Book answers "best price", "how much at 2.0 or better
in USD" and routes an order with ABP's rules in microseconds, and a quote update is one call
with four scalars (:meth:`wagerkit.Book.update`) on a slot remembered here.
Accounts are keyed ``bookmaker/account`` (one username can exist at two bookmakers). An exchange's
lay quote, which ABP puts in the entry's ``meta.lay``, becomes a lay quote of the Book.

Why every quote is validated before anything is touched: the values come from the venue, and a
venue can send garbage (a price of 1, a negative limit, an unknown currency, a rate of 0 or
1e300). Each entry is checked whole (its back quote, its lay quote, its rate) and either
applied whole or refused with :class:`~wagerkit.errors.ProtocolError` with the book and the
rates exactly as they were: never a back quote moved while its lay was refused. Memory is
bounded too: one slot per account and side, and at most ``max_accounts`` accounts, so a stream
inventing account names cannot grow the book without limit.

Why the rules are not here: they live in the engine's :class:`wagerkit.QuoteFeed` (Rust), which
checks and applies a whole entry in one call. :meth:`LiveBook.apply_json` hands it the raw bytes
of a ``betslip`` payload (decode, checks, unit conversion and the slot update without building a
Python object); :meth:`LiveBook.apply` hands it an already decoded :class:`BetslipUpdate`.
"""

from __future__ import annotations

from typing import Any

from wagerkit._core import Book, FrameResult, Fx, QuoteFeed
from wagerkit.abp.models import Betslip, BetslipQuote, BetslipUpdate
from wagerkit.errors import InvalidInput

__all__ = ["MAX_ACCOUNTS", "LiveBook"]

MAX_ACCOUNTS = 4096
"""Default cap on accounts in one LiveBook (a real betslip has a few hundred at most)."""

_LABEL = "betslip quote from ABP"
"""How a refused entry's ProtocolError message starts."""


class LiveBook:
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
        self.feed = QuoteFeed(
            fixture_id, outcome_id, player_id, max_accounts=max_accounts, label=_LABEL
        )
        """The engine's state between entries: which slot holds each account's quotes."""
        self.selection = (fixture_id, outcome_id, player_id)
        self.fx = fx if fx is not None else Fx()
        self.book = Book()
        self.updates = 0
        self.max_accounts = max_accounts

    @classmethod
    def from_betslip(
        cls, betslip: Betslip, fx: Fx | None = None, *, max_accounts: int = MAX_ACCOUNTS
    ) -> LiveBook:
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

    def apply_json(self, payload: bytes | bytearray | memoryview | Any) -> FrameResult:
        """Apply the raw JSON payload of one ``betslip`` data frame in one engine call.

        ``payload`` is the frame's ``payload`` bytes (a :class:`msgspec.Raw` works too). The
        result says whether the entry was for this selection (``applied``), whether a quote
        moved (``changed``) and whether the best back or lay price moved. A payload that is not
        a well-typed betslip update, or whose quote cannot be used, raises
        :class:`~wagerkit.errors.ProtocolError` and changes nothing, as :meth:`apply` does.
        """
        result = self.feed.apply_betslip(payload, self.book, self.fx)
        if result.applied:
            self.updates += 1
        return result

    @property
    def _slots(self) -> dict[tuple[str, bool], int]:
        """(account, back) → engine slot: the engine keeps one quote per account and side."""
        return dict(self.feed.slots())

    @property
    def _accounts(self) -> dict[str, str]:
        """account → the currency it is registered with."""
        return dict(self.feed.accounts())

    # ----------------------------------------------------------------------------------------

    def _put(self, bookmaker: str, key: str | None, quote: BetslipQuote) -> None:
        """Hand one decoded quote to the engine, which checks it whole and applies it or
        raises ProtocolError. ABP puts an exchange's lay quote in the free-form ``meta``."""
        info = quote.currency_info
        meta = quote.meta
        self.feed.apply_quote(
            self.book,
            self.fx,
            bookmaker=bookmaker,
            key=key,
            account=quote.account,
            price=quote.price,
            limit=quote.limit,
            limit_min=quote.limit_min,
            active=quote.active,
            limit_currency=quote.limit_currency,
            rate_currency=None if info is None else info.currency,
            rate_value=None if info is None else info.currency_value,
            rate_updated_at=None if info is None else info.updated_at,
            lay=meta.get("lay") if isinstance(meta, dict) else None,
        )

    def __repr__(self) -> str:
        return f"LiveBook({self.selection}, quotes={len(self.book)}, updates={self.updates})"
