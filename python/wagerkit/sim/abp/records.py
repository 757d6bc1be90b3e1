"""What the simulator stores: accounts, orders and bets, in exact minor units.

Records are mutable msgspec Structs so the SQLite store can write them as JSON in one call.
Amounts are integers in minor units of the currency the ABP docs assign them (order fields in
the order currency, bet and account fields in the account currency); floats appear only when a
record is rendered for the wire (see ``wire.py``).
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

__all__ = [
    "ACTIVE_BET_STATUSES",
    "LIVE_ORDER_STATUSES",
    "SETTLEMENT_RESULTS",
    "Account",
    "Bet",
    "Order",
]

# orderStatus values (abp-facts §4); an order in these is still being worked.
PENDING: Final = "PENDING"
PARTIALLY_FILLED: Final = "PARTIALLY_FILLED"
FILLED: Final = "FILLED"
CANCELLED: Final = "CANCELLED"
REJECTED: Final = "REJECTED"
EXPIRED: Final = "EXPIRED"
LIVE_ORDER_STATUSES: Final = frozenset({PENDING, PARTIALLY_FILLED})

# betStatus values; a bet in these holds stake at the bookmaker.
BET_PENDING: Final = "PENDING"
BET_PLACED: Final = "PLACED"
BET_CONFIRMED: Final = "CONFIRMED"
BET_REJECTED: Final = "REJECTED"
ACTIVE_BET_STATUSES: Final = frozenset({BET_PENDING, BET_PLACED, BET_CONFIRMED})

UNSETTLED: Final = "UNSETTLED"
SETTLEMENT_RESULTS: Final = ("WON", "LOST", "VOID", "HALF_WON", "HALF_LOST", "PUSH")


class Account(msgspec.Struct, kw_only=True):
    """A client's bookmaker account; ``balance``/``credit``/stakes in ``currency`` minor units."""

    client: str
    bookmaker: str
    username: str
    password: str
    currency: str
    balance: int
    credit: int | None = None
    active: bool = True
    priority: int = 0
    max_stake: int | None = None
    min_stake: int | None = None
    verify_betslip: bool = False
    multi_limit_allowed: bool = True
    meta: dict[str, Any] = msgspec.field(default_factory=dict)
    created_at: float = 0.0
    updated_at: float = 0.0

    @property
    def engine_id(self) -> str:
        """The account's name inside an engine Book: unique across bookmakers."""
        return f"{self.bookmaker}/{self.username}"

    def __repr__(self) -> str:  # the password never reaches a log line
        return f"Account({self.bookmaker}/{self.username}, client={self.client!r}, password=***)"


class Order(msgspec.Struct, kw_only=True):
    """An accepted order; ``stake``/``filled`` in ``currency`` (orderCurrency) minor units."""

    order_id: int
    client: str
    request_uuid: str
    fixture_id: str
    outcome_id: int
    player_id: int
    price: float
    stake: int
    currency: str
    user_ref: str
    back: bool
    bookmakers: list[str] | None
    accept_better_odds: bool
    accept_partial_stake: bool
    expires_at: float
    status: str = PENDING
    working: bool = True  # still routed every retry_interval (PENDING / PARTIALLY_FILLED)
    filled: int = 0
    test_order: bool = False
    meta: dict[str, Any] | None = None
    bet_ids: list[int] = msgspec.field(default_factory=list)
    decline_reason: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0

    @property
    def allowed_bookmakers(self) -> str:
        """ABP echoes the filter as ``"*"`` or the comma-separated slugs."""
        return ",".join(self.bookmakers) if self.bookmakers else "*"


class Bet(msgspec.Struct, kw_only=True):
    """One wager at a bookmaker.

    ``stake``, ``risk`` and ``settlement_amount`` are minor units of ``currency`` (the account
    currency, ABP's placedCurrency); ``order_stake`` is the same stake in the order currency,
    what the bet adds to the order's filledStake. ``risk`` is what the balance was debited: the
    stake for a back bet, the liability ``stake × (price − 1)`` for a lay.
    """

    bet_id: int
    order_id: int
    client: str
    bookmaker: str
    account: str
    request_uuid: str
    bet_request_id: str
    fixture_id: str
    outcome_id: int
    player_id: int
    market_key: str
    back: bool
    price: float
    stake: int
    currency: str
    order_stake: int
    order_currency: str
    risk: int
    user_ref: str
    status: str = BET_PENDING
    settlement_status: str = UNSETTLED
    settlement_amount: int | None = None
    bookmaker_bet_id: str | None = None
    decline_reason: str | None = None
    test_bet: bool = False
    doomed: bool = False  # the bookmaker will reject it once its delay has passed
    placed_at: float = 0.0
    settled_at: float | None = None
    updated_at: float = 0.0
