"""The router (docs/engine.md §3-§5), written to be read next to the doc's pseudo-code.

Amounts are ints in minor units, prices fixed-point ints; the weighted-average room is an
exact integer division. Names follow the doc: ``S`` stake, ``C`` order currency, ``P`` order
price, ``F`` filled, ``W`` Σ order_stake·price (both starting from the prior legs, if any).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from tests.reference.book import Book, Quote, better_or_equal, check_flag
from tests.reference.errors import InvalidInput
from tests.reference.fx import Fx
from tests.reference.money import (
    PRICE_SCALE,
    currency_exponent,
    fixed_to_price,
    minor_to_str,
    price_to_fixed,
    to_minor,
)

RouteStatus = Literal["filled", "partial", "waiting", "declined"]


class DeclineReason(enum.Enum):
    """ABP's documented decline categories; the value is the label in ABP's table."""

    STAKE_EXCEEDS_LIMIT = "Stake exceeds limit"
    STAKE_BELOW_MINIMUM = "Stake below minimum"
    INVALID_ODDS = "Invalid odds"
    NO_ACTIVE_ACCOUNTS = "No active accounts"
    CURRENCY_CONVERSION_FAILED = "Currency conversion failed"
    BOOKMAKER_NOT_AVAILABLE = "Bookmaker not available"
    ODDS_TEMPORARILY_UNAVAILABLE = "Odds temporarily unavailable"

    @property
    def label(self) -> str:
        """The label as ABP's docs print it."""
        return self.value


def _bookmaker_filter(bookmakers: Sequence[str]) -> list[str]:
    """§3: a non-empty list of names, or ``["*"]``; duplicates dropped (first kept)."""
    names = list(dict.fromkeys(bookmakers))
    if not names:
        raise InvalidInput(
            "bookmakers must name at least one bookmaker or be '*'", field="bookmakers"
        )
    if any(name == "" for name in names):
        raise InvalidInput("bookmaker names must not be empty", field="bookmakers")
    if len(names) > 1 and "*" in names:
        raise InvalidInput(
            "bookmakers must be '*' alone or bookmaker names, not both", field="bookmakers"
        )
    return names


class Order:
    """An order as ABP receives it; validated like the engine's ``Order``."""

    def __init__(
        self,
        stake: int,
        currency: str,
        price: float,
        *,
        accept_better_odds: bool = True,
        accept_partial_stake: bool = True,
        back: bool = True,
        bookmakers: Sequence[str] | None = None,
    ) -> None:
        if isinstance(stake, bool) or not isinstance(stake, int):
            raise InvalidInput("stake must be an int in minor units", field="stake")
        if stake <= 0:
            raise InvalidInput(f"stake must be greater than 0, got {stake}", field="stake")
        currency_exponent(currency)
        # §1: beyond 6 decimals orderPrice rounds toward the stricter side, so no leg is ever
        # placed below what the caller asked (back: up, lay: down).
        check_flag(back, "back")
        check_flag(accept_better_odds, "accept_better_odds")
        check_flag(accept_partial_stake, "accept_partial_stake")
        self.price_fixed = price_to_fixed(price, "price", "up" if back else "down")
        self.stake = stake
        self.currency = currency
        self.accept_better_odds = accept_better_odds
        self.accept_partial_stake = accept_partial_stake
        self.back = back
        self.bookmakers = None if bookmakers is None else _bookmaker_filter(bookmakers)

    @staticmethod
    def from_amount(
        amount: float | str | Decimal,
        currency: str,
        price: float,
        *,
        accept_better_odds: bool = True,
        accept_partial_stake: bool = True,
        back: bool = True,
        bookmakers: Sequence[str] | None = None,
    ) -> Order:
        """The stake in major units (``10.0`` USD)."""
        return Order(
            to_minor(amount, currency),
            currency,
            price,
            accept_better_odds=accept_better_odds,
            accept_partial_stake=accept_partial_stake,
            back=back,
            bookmakers=bookmakers,
        )

    @property
    def price(self) -> float:
        """orderPrice as a float."""
        return fixed_to_price(self.price_fixed)

    @property
    def filter(self) -> list[str] | None:
        """The bookmaker filter, None for all (``None`` or ``["*"]``)."""
        if self.bookmakers is None or self.bookmakers == ["*"]:
            return None
        return self.bookmakers

    @property
    def mode(self) -> int:
        """ABP mode: 1/2 single bookmaker, 3/4 multiple; odd = no partial stake."""
        names = self.filter
        single = names is not None and len(names) == 1
        if single:
            return 2 if self.accept_partial_stake else 1
        return 4 if self.accept_partial_stake else 3


@dataclass(frozen=True)
class Leg:
    """One bet: ``stake`` in the account currency, ``order_stake`` in the order currency."""

    key: str
    bookmaker: str
    account: str
    price_fixed: int
    stake: int
    currency: str
    order_stake: int
    order_currency: str

    @property
    def price(self) -> float:
        """placedPrice as a float."""
        return fixed_to_price(self.price_fixed)


@dataclass(frozen=True)
class RoutePlan:
    """What ABP would do with the order right now.

    ``legs``, ``filled`` and ``average_price`` are this plan's bets; ``status``, ``complete``
    and ``remaining`` are the whole order's, ``prior_filled`` included.
    """

    status: RouteStatus
    mode: int
    stake: int
    legs: list[Leg] = field(default_factory=list)
    decline: DeclineReason | None = None
    message: str = ""
    complete: bool = False
    prior_filled: int = 0

    @property
    def filled(self) -> int:
        """Σ order_stake of this plan's legs (prior legs are not in it)."""
        return sum(leg.order_stake for leg in self.legs)

    @property
    def remaining(self) -> int:
        """Order stake covered neither by the prior legs nor by this plan's."""
        return self.stake - self.prior_filled - self.filled

    @property
    def weighted_sum(self) -> int:
        """Σ order_stake·price (fixed point), the doc's ``W``."""
        return sum(leg.order_stake * leg.price_fixed for leg in self.legs)

    @property
    def average_price(self) -> float | None:
        """Stake-weighted average price, correctly rounded to a float."""
        if not self.legs:
            return None
        return float(Fraction(self.weighted_sum, self.filled * PRICE_SCALE))


I64_MAX = 2**63 - 1


def _saturated(amount: int) -> int:
    """A quote's max in the order currency, for sorting and messages only: a value beyond
    64 bits saturates (it can take any stake) rather than failing the route (§3)."""
    return min(amount, I64_MAX)


def _names(order: Order) -> str:
    names = order.filter
    return "any bookmaker" if names is None else ", ".join(order.bookmakers or [])


def _declined(order: Order, reason: DeclineReason, message: str) -> RoutePlan:
    return RoutePlan("declined", order.mode, order.stake, decline=reason, message=message)


def _exceeds(order: Order, limit: int) -> RoutePlan:
    c = order.currency
    return _declined(
        order,
        DeclineReason.STAKE_EXCEEDS_LIMIT,
        f"Order stake {minor_to_str(order.stake, c)} {c} exceeds available limit "
        f"{minor_to_str(limit, c)} {c}",
    )


def _below(order: Order, minimum: int) -> RoutePlan:
    c = order.currency
    return _declined(
        order,
        DeclineReason.STAKE_BELOW_MINIMUM,
        f"Order stake {minor_to_str(order.stake, c)} {c} is below minimum stake "
        f"{minor_to_str(minimum, c)} {c}",
    )


def candidates(order: Order, book: Book, fx: Fx) -> list[Quote] | RoutePlan:
    """§3: the filtered, sorted candidates, or the decline of the first empty filter."""
    book.use_fx(fx)
    names = order.filter
    quotes = [q for q in book.snapshots(fx, order.back) if names is None or q.bookmaker in names]
    if not quotes:
        return _declined(
            order, DeclineReason.BOOKMAKER_NOT_AVAILABLE, f"No odds available from {_names(order)}"
        )
    quotes = [q for q in quotes if q.account_active]
    if not quotes:
        return _declined(
            order, DeclineReason.NO_ACTIVE_ACCOUNTS, f"No active accounts for {_names(order)}"
        )
    quotes = [q for q in quotes if q.active]
    if not quotes:
        return _declined(order, DeclineReason.INVALID_ODDS, "Price not available: market suspended")
    if not fx.has(order.currency):
        return _declined(
            order,
            DeclineReason.CURRENCY_CONVERSION_FAILED,
            f"No exchange rate for {order.currency}",
        )

    def missing_rate(q: Quote) -> str | None:
        return q.currency if not fx.has(q.currency) else q.missing_rate

    rated = [q for q in quotes if missing_rate(q) is None]
    if not rated:
        missing = sorted({m for q in quotes if (m := missing_rate(q)) is not None})[0]
        return _declined(
            order, DeclineReason.CURRENCY_CONVERSION_FAILED, f"No exchange rate for {missing}"
        )
    usable = [q for q in rated if q.can_take_bet]
    if not usable:
        return _exceeds(order, 0)

    def max_in_order_ccy(q: Quote) -> int:
        assert q.max_stake is not None
        return _saturated(fx.convert(q.max_stake, q.currency, order.currency, "down"))

    usable.sort(
        key=lambda q: (
            -q.price_fixed if order.back else q.price_fixed,
            -q.priority,
            -max_in_order_ccy(q),
            q.key,
            q.account,
        )
    )
    return usable


def _prior_totals(order: Order, prior: Sequence[tuple[int, float]]) -> tuple[int, int]:
    """§4: validate the prior legs; return their (F, W)."""
    if not prior:
        return 0, 0
    if order.mode in (1, 3):
        raise InvalidInput(
            f"prior legs need an order that accepts a partial stake; mode {order.mode} is "
            "all-or-nothing",
            field="prior",
        )
    filled = weighted = 0
    for leg in prior:
        if len(leg) != 2:
            raise InvalidInput(
                "prior must be a sequence of (order_stake, price) pairs", field="prior"
            )
        stake, price = leg
        if isinstance(stake, bool) or not isinstance(stake, int) or stake <= 0:
            raise InvalidInput(
                f"prior stakes must be > 0 (minor units), got {stake!r}", field="prior"
            )
        fixed = price_to_fixed(price, "prior")
        filled += stake
        if filled > order.stake:
            raise InvalidInput(
                f"prior stakes add up to more than the order stake {order.stake}", field="prior"
            )
        weighted += stake * fixed
    return filled, weighted


def route(order: Order, book: Book, fx: Fx, prior: Sequence[tuple[int, float]] = ()) -> RoutePlan:
    """Route ``order`` across ``book`` the way docs/engine.md §3-§5 says ABP fills.

    ``prior`` are legs already filled for the order by earlier passes, ``(order_stake,
    price)``: F and W start from them, and an order holding them is never waiting or declined.
    """
    prior_filled, prior_weighted = _prior_totals(order, prior)
    found = candidates(order, book, fx)
    if isinstance(found, RoutePlan):
        if not prior_filled:
            return found
        # Already holding bets: not refused, just nothing more now (or nothing more needed).
        if prior_filled == order.stake:
            return RoutePlan(
                "filled", order.mode, order.stake, complete=True, prior_filled=prior_filled
            )
        c = order.currency
        message = (
            f"Filled {minor_to_str(prior_filled, c)} {c} of {minor_to_str(order.stake, c)} {c}; "
            f"nothing more can be placed now: {found.message}"
        )
        return RoutePlan(
            "partial", order.mode, order.stake, message=message, prior_filled=prior_filled
        )
    quotes = found
    S, C, P, back = order.stake, order.currency, order.price_fixed, order.back  # noqa: N806

    def conv(amount: int, a: str, b: str, rounding: str) -> int:
        return fx.convert(amount, a, b, rounding)  # type: ignore[arg-type]

    def at_or_better(p: int) -> bool:
        return better_or_equal(p, P, back)

    def qualifies(p: int) -> bool:
        return at_or_better(p) if order.accept_better_odds else p == P

    def max_of(q: Quote) -> int:
        assert q.max_stake is not None
        return q.max_stake

    def smallest_min() -> int:
        return min(_saturated(conv(q.min_stake, q.currency, C, "up")) for q in quotes)

    def below_every_min() -> bool:
        return all(conv(S, C, q.currency, "down") < q.min_stake for q in quotes)

    mode = order.mode
    if mode == 1:
        fitting = []
        for q in quotes:
            stake_acct = conv(S, C, q.currency, "down")
            if q.min_stake <= stake_acct <= max_of(q) and stake_acct > 0:
                fitting.append((q, stake_acct))
        for q, stake_acct in fitting:
            if qualifies(q.price_fixed):
                leg = _leg(q, stake_acct, conv(stake_acct, q.currency, C, "half_even"), C)
                return RoutePlan("filled", mode, S, [leg], complete=True)
        if fitting:
            return RoutePlan("waiting", mode, S)
        if below_every_min():
            return _below(order, smallest_min())
        return _exceeds(
            order, max(_saturated(conv(max_of(q), q.currency, C, "down")) for q in quotes)
        )

    filled, weighted = prior_filled, prior_weighted  # the whole order's F and W
    legs: list[Leg] = []
    used: set[str] = set()
    for q in quotes:
        if mode == 3 and q.bookmaker in used:
            continue
        remaining = S - filled
        if remaining <= 0:
            break
        cap = min(conv(remaining, C, q.currency, "down"), max_of(q))
        if at_or_better(q.price_fixed):
            if not qualifies(q.price_fixed):
                continue
        else:
            if not order.accept_better_odds:
                continue  # only orderPrice itself qualifies [choice]
            if not legs and not prior_filled:
                continue  # first-bet rule
            if back:
                room = (weighted - P * filled) // (P - q.price_fixed)
            else:
                room = (P * filled - weighted) // (q.price_fixed - P)
            if room <= 0:
                continue  # weighted average exhausted for this order
            cap = min(cap, conv(room, C, q.currency, "down"))
        if cap < max(q.min_stake, 1):
            continue
        order_stake = conv(cap, q.currency, C, "half_even")
        if order_stake == 0:
            continue
        legs.append(_leg(q, cap, order_stake, C))
        filled += order_stake
        weighted += order_stake * q.price_fixed
        used.add(q.bookmaker)

    remaining = S - filled
    # Prior legs carry no currency: rounding dust is judged on this plan's legs.
    complete = remaining == 0 or (
        bool(legs) and all(conv(remaining, C, leg.currency, "down") == 0 for leg in legs)
    )
    if complete:
        return RoutePlan("filled", mode, S, legs, complete=True, prior_filled=prior_filled)
    if mode == 3:
        # "best account's max": the largest single bet each bookmaker could take, in the
        # order currency. One bet per bookmaker, so this bounds what mode 3 can ever fill.
        per_bookmaker: dict[str, int] = {}
        for q in quotes:
            cap_c = _saturated(conv(max_of(q), q.currency, C, "down"))
            per_bookmaker[q.bookmaker] = max(cap_c, per_bookmaker.get(q.bookmaker, 0))
        capacity = _saturated(sum(per_bookmaker.values()))
        if capacity < S:
            return _exceeds(order, capacity)
        if below_every_min():
            return _below(order, smallest_min())
        return RoutePlan("waiting", mode, S)
    if legs or prior_filled:
        return RoutePlan("partial", mode, S, legs, prior_filled=prior_filled)
    if below_every_min():
        return _below(order, smallest_min())
    return RoutePlan("waiting", mode, S)


def _leg(q: Quote, stake: int, order_stake: int, order_currency: str) -> Leg:
    return Leg(
        key=q.key,
        bookmaker=q.bookmaker,
        account=q.account,
        price_fixed=q.price_fixed,
        stake=stake,
        currency=q.currency,
        order_stake=order_stake,
        order_currency=order_currency,
    )
