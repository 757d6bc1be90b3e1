"""Pre-trade preview: how would ABP fill this order against the betslip right now?

The engine (``wagerkit._core``) holds ABP's fill rules (modes, first-bet and weighted-average
rules, limits in the account currency), the same rules the simulator fills with, so a preview
made against the simulator's betslip matches what the simulator then does. Against the real ABP
it is an estimate: account priorities and balances are not in the betslip.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from wagerkit._core import Book, Fx, Leg, Order, RoutePlan, minor_to_float, minor_to_str, route
from wagerkit.abp.models import Betslip
from wagerkit.abp.orders import OrderRequest
from wagerkit.errors import InvalidInput, ProtocolError

__all__ = ["Preview", "book_from_betslip", "preview_order"]


def book_from_betslip(betslip: Betslip, fx: Fx | None = None) -> Book:
    """The merged engine Book of a betslip; its ``currencyInfo`` rates are loaded into ``fx``.

    Uses the bytes ABP sent when available (no re-encoding), else the Struct re-encoded.
    A quote the engine refuses (price not above 1, negative limit, unknown currency, a rate
    that is not positive) is ABP's data being wrong, not the caller: it raises
    :class:`~wagerkit.errors.ProtocolError`, and ``fx`` is left as it was.
    """
    data = betslip.raw or msgspec.json.encode(betslip)
    scratch = Fx()
    try:
        book = Book.from_betslip(data, scratch)
    except InvalidInput as exc:
        raise ProtocolError(f"betslip from ABP refused by the engine: {exc}") from None
    if fx is not None:
        for ccy in scratch.currencies():
            if ccy != "USD":
                fx.set_rate(ccy, scratch.rate_str(ccy), scratch.updated_at(ccy))
    return book


@dataclass(frozen=True, slots=True)
class Preview:
    """The engine's routing of one order. Amounts in :attr:`plan` are minor units."""

    order: OrderRequest
    plan: RoutePlan
    book: Book
    fx: Fx

    @property
    def status(self) -> str:
        """``filled``, ``partial``, ``waiting`` or ``declined``."""
        return self.plan.status

    @property
    def legs(self) -> list[Leg]:
        return self.plan.legs

    @property
    def filled(self) -> float:
        """Expected filled stake in the order currency (major units)."""
        return minor_to_float(self.plan.filled, self.order.order_currency)

    @property
    def average_price(self) -> float | None:
        return self.plan.average_price

    def describe(self) -> str:
        """A few human lines: status, then one line per expected bet."""
        ccy = self.order.order_currency
        head = (
            f"{self.plan.status}: {minor_to_str(self.plan.filled, ccy)} of "
            f"{minor_to_str(self.order.stake_minor, ccy)} {ccy}"
        )
        if self.plan.average_price is not None:
            head += f" at avg {self.plan.average_price:.4f}"
        if self.plan.message:
            head += f" ({self.plan.message})"
        lines = [head]
        for leg in self.plan.legs:
            lines.append(
                f"  {leg.bookmaker:<12} {leg.account:<16} @ {leg.price:<7g} "
                f"{minor_to_str(leg.stake, leg.currency)} {leg.currency}"
                f" (= {minor_to_str(leg.order_stake, leg.order_currency)} {leg.order_currency})"
            )
        return "\n".join(lines)


def preview_order(order: OrderRequest, betslip: Betslip, *, fx: Fx | None = None) -> Preview:
    """Route ``order`` across ``betslip`` with the engine (nothing is sent anywhere)."""
    if betslip.fixture_id is not None and betslip.fixture_id != order.fixture_id:
        raise InvalidInput(
            f"betslip is for {betslip.fixture_id}, order for {order.fixture_id}", field="betslip"
        )
    if betslip.outcome_id != order.outcome_id or betslip.player_id != order.player_id:
        raise InvalidInput("betslip is for another outcome or player", field="betslip")
    rates = fx if fx is not None else Fx()
    book = book_from_betslip(betslip, rates)
    engine_order = Order(
        order.stake_minor,
        order.order_currency,
        order.order_price,
        accept_better_odds=order.accept_better_odds,
        accept_partial_stake=order.accept_partial_stake,
        back=order.back,
        bookmakers=order.bookmaker_list,
    )
    return Preview(order=order, plan=route(engine_order, book, rates), book=book, fx=rates)
