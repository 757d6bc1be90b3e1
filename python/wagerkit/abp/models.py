"""Typed shapes of everything ABP sends and receives (msgspec Structs).

Why Structs and not dicts: a betslip with fifty bookmakers decodes several times faster straight
into Structs than through ``json.loads`` plus dict walking, and a wrong type (a price sent as a
string) fails at the edge instead of deep inside a strategy. The wire is camelCase, Python is
snake_case (``rename="camel"``). Unknown fields are ignored, so a new field on ABP's side never
breaks a bot; a known field with the wrong type is rejected.

Units: every amount here is a float in *major* units of the currency named beside it, exactly as
ABP sends it (``orderStake`` in ``orderCurrency``, ``placedStake`` in ``placedCurrency``).
Convert with :func:`wagerkit.to_minor` before doing arithmetic.

Raw is reachable. Every object decoded from a whole response body carries the exact bytes
received in ``.raw``: the :class:`Response` subclasses, :class:`AccountList`, and the single
objects of :func:`decode_account`, :func:`decode_bet` and :func:`decode_order` (returned as
:class:`RawAccount`, :class:`RawBet`, :class:`RawOrder`: subclasses that add only ``.raw``).
A stream event keeps its payload bytes in :attr:`wagerkit.abp.messages.StreamEvent.raw`.
Nested objects (an :class:`Order` in a page, a :class:`Bet` in an order, an :class:`Account`
in a list) answer ``b""`` from ``.raw``: keeping a copy of each would cost memory and time on
every page, and their bytes are already inside the parent's ``.raw`` (for example
``msgspec.json.decode(page.raw)["orders"][i]`` is exactly what ABP sent for ``page.orders[i]``,
unknown fields included; ``msgspec.json.encode(order)`` re-encodes only the known fields).
:meth:`~wagerkit.abp.client.AbpClient.request_raw` gives the whole HTTP response for anything
else.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from typing import Any, TypeVar

import msgspec

from wagerkit.transport.http import DECODE_FAILURES

__all__ = [
    "Account",
    "AccountCreate",
    "AccountList",
    "AccountUpdate",
    "Bet",
    "BetStatus",
    "BetsPage",
    "Betslip",
    "BetslipQuote",
    "BetslipUpdate",
    "CancelOrdersResponse",
    "Category",
    "CurrencyInfo",
    "DeclinedOrder",
    "ErrorBody",
    "FixtureInfo",
    "FixtureStatus",
    "Order",
    "OrderStatus",
    "OrdersPage",
    "OutcomeInfo",
    "Participants",
    "PlaceOrdersResponse",
    "PlaceStatus",
    "PnlResponse",
    "PnlRow",
    "Position",
    "PositionsResponse",
    "RawAccount",
    "RawBet",
    "RawOrder",
    "Response",
    "SettlementStatus",
    "Sport",
    "Tournament",
    "ValidationIssue",
    "decode_account",
    "decode_accounts",
    "decode_bet",
    "decode_bets_page",
    "decode_betslip",
    "decode_cancel",
    "decode_error",
    "decode_order",
    "decode_orders_page",
    "decode_place",
    "decode_pnl",
    "decode_positions",
]


# --------------------------------------------------------------------------------------------
# Enumerations (abp-facts §4)


class OrderStatus(enum.StrEnum):
    """Lifecycle of an order (the client's instruction)."""

    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    FILLED = "FILLED"
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    CANCELLED = "CANCELLED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"
    FAILED = "FAILED"

    @property
    def cancellable(self) -> bool:
        """ABP only cancels PENDING and PARTIALLY_FILLED orders."""
        return self in (OrderStatus.PENDING, OrderStatus.PARTIALLY_FILLED)

    @property
    def final(self) -> bool:
        """No further fills can come (PARTIALLY_FILLED is not final: it may still fill)."""
        return self in _FINAL_ORDER


_FINAL_ORDER = frozenset(
    {
        OrderStatus.FILLED,
        OrderStatus.CANCELLED,
        OrderStatus.REJECTED,
        OrderStatus.EXPIRED,
        OrderStatus.FAILED,
    }
)


class BetStatus(enum.StrEnum):
    """Lifecycle of one bet at a bookmaker."""

    PENDING = "PENDING"
    PLACED = "PLACED"
    CONFIRMED = "CONFIRMED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"
    VOID = "VOID"

    @property
    def open(self) -> bool:
        """Counted in positions (when unsettled): the bookmaker holds the stake."""
        return self in (BetStatus.PLACED, BetStatus.CONFIRMED)

    @property
    def final(self) -> bool:
        return self in (BetStatus.REJECTED, BetStatus.CANCELLED, BetStatus.FAILED, BetStatus.VOID)


class SettlementStatus(enum.StrEnum):
    """How a bet was graded; UNSETTLED until the fixture is settled."""

    UNSETTLED = "UNSETTLED"
    WON = "WON"
    LOST = "LOST"
    VOID = "VOID"
    HALF_WON = "HALF_WON"
    HALF_LOST = "HALF_LOST"
    PUSH = "PUSH"
    CASHOUT = "CASHOUT"


class PlaceStatus(enum.StrEnum):
    """Top-level status of a /place-orders response."""

    ACCEPTED = "accepted"
    PARTIAL_SUCCESS = "partial-success"
    DECLINED = "declined"


# --------------------------------------------------------------------------------------------
# Shared pieces


class _Wire(msgspec.Struct, rename="camel", frozen=True, gc=False, repr_omit_defaults=True):
    """Base of value objects: camelCase wire, immutable, no GC tracking (no cycles)."""


class Response(msgspec.Struct, rename="camel", dict=True, repr_omit_defaults=True):
    """Base of top-level responses: keeps the exact bytes received in :attr:`raw`."""

    @property
    def raw(self) -> bytes:
        """The body exactly as ABP sent it (empty when built locally)."""
        raw: bytes = self.__dict__.get("_raw", b"")
        return raw


def _raw_of(obj: object) -> bytes:
    """``.raw`` of a value object: the bytes when it was decoded as a whole body, else b""."""
    d = getattr(obj, "__dict__", None)
    if d is None:
        return b""
    raw: bytes = d.get("_raw", b"")
    return raw


def attach_raw(obj: Any, raw: bytes) -> None:
    """Remember the bytes ``obj`` was decoded from (no copy: ``bytes`` is immutable)."""
    d = getattr(obj, "__dict__", None)
    if d is not None:
        d["_raw"] = raw


class CurrencyInfo(_Wire, frozen=True):
    """Rate snapshot: ``currency_value`` units of ``currency`` per 1 USD (USD = 1)."""

    currency: str
    currency_value: float
    updated_at: str | None = None


# --------------------------------------------------------------------------------------------
# Fixture and outcome metadata


class FixtureStatus(_Wire, frozen=True):
    live: bool = False
    status_id: int | None = None
    status_name: str | None = None


class Sport(_Wire, frozen=True):
    sport_id: int | None = None
    sport_name: str | None = None


class Tournament(_Wire, frozen=True):
    tournament_id: int | None = None
    tournament_name: str | None = None
    category_name: str | None = None


Category = Tournament  # ABP nests the category name inside tournament


class Participants(_Wire, frozen=True):
    participant1_id: int | None = None
    participant1_name: str | None = None
    participant2_id: int | None = None
    participant2_name: str | None = None


class FixtureInfo(_Wire, frozen=True):
    """What the fixture is; ``start_time`` is epoch seconds."""

    fixture_id: str | None = None
    status: FixtureStatus | None = None
    sport: Sport | None = None
    tournament: Tournament | None = None
    start_time: float | None = None
    participants: Participants | None = None
    scores: Any = None

    @property
    def name(self) -> str:
        """``"AS Roma v Cagliari Calcio"`` (or the fixture id when names are missing)."""
        p = self.participants
        if p and p.participant1_name and p.participant2_name:
            return f"{p.participant1_name} v {p.participant2_name}"
        return self.fixture_id or "?"


class OutcomeInfo(_Wire, frozen=True):
    market_id: int | None = None
    market_name: str | None = None
    market_name_short: str | None = None
    market_type: str | None = None
    period: str | None = None
    player_prop: bool | None = None
    handicap: float | None = None
    outcome_id: int | None = None
    outcome_name: str | None = None


# --------------------------------------------------------------------------------------------
# Accounts (§6)


class Account(_Wire, frozen=True):
    """A bookmaker account ABP bets through. ``balance``/``credit`` are in ``currency_id``.

    ``password`` is whatever ABP returned (always ``"***"``) and is never shown in a repr.
    """

    bookmaker: str
    username: str
    client: str | None = None
    password: str | None = msgspec.field(default=None)
    balance: float | None = None
    credit: float | None = None
    active: bool = True
    priority: int = 0
    max_stake: float | None = None
    min_stake: float | None = None
    currency_id: str | None = None
    verify_betslip: bool = False
    meta: dict[str, Any] | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    multi_limit_allowed: bool | None = None
    currency_info: CurrencyInfo | None = None

    @property
    def raw(self) -> bytes:
        """The body as ABP sent it for a single account (``b""`` when nested; see the module
        doc for where a nested account's bytes are)."""
        return _raw_of(self)

    def __repr__(self) -> str:
        return (
            f"Account(bookmaker={self.bookmaker!r}, username={self.username!r}, "
            f"balance={self.balance!r}, currency_id={self.currency_id!r}, "
            f"priority={self.priority!r}, active={self.active!r})"
        )


class AccountList(list[Account]):
    """GET /accounts answers a bare array; this list also keeps the bytes in :attr:`raw`."""

    raw: bytes = b""


class AccountCreate(msgspec.Struct, rename="camel", omit_defaults=True, frozen=True):
    """Body of POST /accounts. The password is sent once and never shown in a repr."""

    bookmaker: str
    username: str
    password: str
    currency_id: str | None = None
    balance: float | None = None
    credit: float | None = None
    active: bool = True
    priority: int = 0
    max_stake: float | None = None
    min_stake: float | None = None
    verify_betslip: bool = False
    multi_limit_allowed: bool | None = None
    meta: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"AccountCreate(bookmaker={self.bookmaker!r}, username={self.username!r}, ***)"


class AccountUpdate(msgspec.Struct, rename="camel", omit_defaults=True, frozen=True):
    """Body of PATCH /accounts/{bookmaker}/{username}.

    Fields left ``UNSET`` are not sent; ``None`` is sent as ``null`` (clears an override such
    as ``max_stake``). ``meta`` replaces the stored object.
    """

    password: str | msgspec.UnsetType = msgspec.UNSET
    balance: float | msgspec.UnsetType | None = msgspec.UNSET
    credit: float | msgspec.UnsetType | None = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET
    priority: int | msgspec.UnsetType = msgspec.UNSET
    max_stake: float | msgspec.UnsetType | None = msgspec.UNSET
    min_stake: float | msgspec.UnsetType | None = msgspec.UNSET
    currency_id: str | msgspec.UnsetType = msgspec.UNSET
    verify_betslip: bool | msgspec.UnsetType = msgspec.UNSET
    multi_limit_allowed: bool | msgspec.UnsetType = msgspec.UNSET
    meta: dict[str, Any] | msgspec.UnsetType | None = msgspec.UNSET

    def __repr__(self) -> str:
        shown = [
            f"{name}=***" if name == "password" else f"{name}={getattr(self, name)!r}"
            for name in self.__struct_fields__
            if getattr(self, name) is not msgspec.UNSET
        ]
        return f"AccountUpdate({', '.join(shown)})"


# --------------------------------------------------------------------------------------------
# Betslip (§7)


class BetslipQuote(_Wire, frozen=True):
    """One account's quote. ``limit``/``limit_min`` are in ``limit_currency`` (the account
    currency), already after the limit cascade; ``limit_usd``/``limit_min_usd`` in USD."""

    price: float
    limit: float | None = None
    limit_min: float | None = None
    limit_currency: str | None = None
    limit_usd: float | None = None
    limit_min_usd: float | None = None
    active: bool = True
    account: str | None = None
    currency_info: CurrencyInfo | None = None
    bookmaker_fixture_id: str | int | None = None
    bookmaker_market_id: str | int | None = None
    bookmaker_outcome_id: str | int | None = None
    market_key: str | None = None
    meta: Any = None


class BetslipUpdate(BetslipQuote, frozen=True):
    """One quote pushed on the ``betslip`` WebSocket channel: a betslip entry plus the
    selection and bookmaker it belongs to."""

    fixture_id: str | None = None
    outcome_id: int | None = None
    player_id: int = 0
    bookmaker: str | None = None


class Betslip(Response):
    """Live odds and limits of one selection across bookmakers.

    ``odds`` maps bookmaker slug → market key (``fixtureId:bookmaker:outcomeId:playerId``) →
    quote.
    """

    outcome_id: int
    fixture_id: str | None = None
    future_id: str | None = None
    player_id: int = 0
    participant_id: int | None = None
    client: str | None = None
    fixture_info: FixtureInfo | None = None
    outcome_info: OutcomeInfo | None = None
    player_info: Any = None
    odds: dict[str, dict[str, BetslipQuote]] = {}

    def quotes(self) -> list[tuple[str, str, BetslipQuote]]:
        """Flat ``(bookmaker, market_key, quote)`` rows, best price first."""
        rows = [(bm, key, q) for bm, markets in self.odds.items() for key, q in markets.items()]
        rows.sort(key=lambda r: -r[2].price)
        return rows


# --------------------------------------------------------------------------------------------
# Orders and bets (§8, §10)


class Bet(_Wire, frozen=True):
    """One wager at a bookmaker. ``placed_stake``/``settlement_amount`` are in
    ``placed_currency`` (= the account currency)."""

    bet_id: int
    bet_status: BetStatus
    bookmaker: str | None = None
    order_id: int | None = None
    settlement_status: SettlementStatus = SettlementStatus.UNSETTLED
    client_name: str | None = None
    test_bet: bool = False
    request_uuid: str | None = None
    bookmaker_bet_id: str | int | None = None
    bet_request_id: str | int | None = None
    placed_price: float | None = None
    placed_stake: float | None = None
    placed_currency: str | None = None
    placed_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    settled_at: dt.datetime | None = None
    decline_reason: str | None = None
    user_ref: str | None = None
    account: str | None = None
    fixture_id: str | None = None
    outcome_id: int | None = None
    player_id: int | None = None
    back: bool | None = None
    sent_data: Any = None
    received_data: Any = None
    currency_info: CurrencyInfo | None = None
    settlement_amount: float | None = None

    @property
    def raw(self) -> bytes:
        """The body as ABP sent it for GET /bets/{id} (``b""`` when nested in a page or an
        order; see the module doc)."""
        return _raw_of(self)


class Order(_Wire, frozen=True):
    """An order as ABP stores it. ``order_stake``/``filled_stake``/``remaining_stake`` are in
    ``order_currency``."""

    order_id: int
    order_status: OrderStatus
    request_uuid: str | None = None
    allowed_bookmakers: str | list[str] | None = None
    fixture_id: str | None = None
    future_id: str | None = None
    outcome_id: int | None = None
    player_id: int = 0
    participant_id: int | None = None
    order_price: float | None = None
    order_stake: float | None = None
    filled_stake: float = 0.0
    remaining_stake: float | None = None
    user_ref: str | None = None
    test_order: bool = False
    order_currency: str = "USD"
    back: bool = True
    expires_at: dt.datetime | None = None
    accept_better_odds: bool | None = None
    accept_partial_stake: bool | None = None
    client_name: str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    meta: Any = None
    bets: list[Bet] = []
    fixture_info: FixtureInfo | None = None
    outcome_info: OutcomeInfo | None = None
    player_info: Any = None
    currency_info: CurrencyInfo | None = None

    @property
    def raw(self) -> bytes:
        """The bytes ABP sent for this order when it was decoded alone (``b""`` when nested in
        a page or a placement response; see the module doc)."""
        return _raw_of(self)


class RawAccount(Account, frozen=True, gc=True, dict=True):
    """An :class:`Account` decoded from a whole body: the same fields, plus ``.raw``."""


class RawBet(Bet, frozen=True, gc=True, dict=True):
    """A :class:`Bet` decoded from a whole body: the same fields, plus ``.raw``."""


class RawOrder(Order, frozen=True, gc=True, dict=True):
    """An :class:`Order` decoded from a whole body: the same fields, plus ``.raw``."""


class DeclinedOrder(_Wire, frozen=True):
    """An order refused at placement: no bet was placed for it.

    ABP still records it: the simulator (following ABP) stores it as an order with
    ``orderStatus`` REJECTED and no bets, so a lookup by requestUuid finds it, and its
    requestUuid counts for idempotency (sending it again within 30 minutes is skipped as a
    duplicate, not re-evaluated). Send a changed order with a new requestUuid.
    """

    decline_reason: str
    request_uuid: str | None = None
    fixture_id: str | None = None
    outcome_id: int | None = None
    player_id: int | None = None
    order_stake: float | None = None
    order_price: float | None = None


class PlaceOrdersResponse(Response):
    """POST /place-orders. Duplicates of a requestUuid seen in the last 30 minutes appear in
    neither list (ABP skips them silently)."""

    status: PlaceStatus
    accepted_orders: list[Order] = []
    declined_orders: list[DeclinedOrder] = []


class CancelOrdersResponse(Response):
    """POST /cancel-orders. ABP only documents ``status: "cancelled"``; the other fields are
    read when present."""

    status: str
    cancelled_orders: list[Order] = []
    orders: list[Order] = []
    count: int | None = None
    message: str | None = None

    @property
    def affected(self) -> list[Order]:
        return self.cancelled_orders or self.orders


class OrdersPage(Response):
    """One page of GET /orders (ordered by orderId, newest first)."""

    orders: list[Order] = []
    status: str | None = None
    count: int | None = None
    has_more: bool = False
    next_cursor: int | None = None


class BetsPage(Response):
    """One page of GET /bets (ordered by betId, newest first)."""

    bets: list[Bet] = []
    status: str | None = None
    count: int | None = None
    has_more: bool = False
    next_cursor: int | None = None


# --------------------------------------------------------------------------------------------
# Analytics (§10). ABP sums these without converting currencies (see abp.analytics).


class Position(_Wire, frozen=True):
    """One group of open bets; exactly one of bookmaker/account/user_ref is the group key."""

    open_bets: int = 0
    total_stake: float = 0.0
    avg_price: float | None = None
    bookmaker: str | None = None
    account: str | None = None
    user_ref: str | None = None


class PositionsResponse(Response):
    status: str | None = None
    group_by: str | None = None
    positions: list[Position] = []
    count: int | None = None
    total_stake: float = 0.0
    total_open_bets: int = 0


class PnlRow(_Wire, frozen=True):
    settled_bets: int = 0
    wins: int = 0
    losses: int = 0
    voids: int = 0
    pushes: int = 0
    total_staked: float = 0.0
    total_won: float = 0.0
    total_lost: float = 0.0
    net_pnl: float = 0.0
    win_rate: float | None = None
    bookmaker: str | None = None
    account: str | None = None
    user_ref: str | None = None


class PnlResponse(Response):
    status: str | None = None
    group_by: str | None = None
    pnl: list[PnlRow] = []
    count: int | None = None
    total_net_pnl: float = 0.0
    total_staked: float = 0.0
    total_settled_bets: int = 0


# --------------------------------------------------------------------------------------------
# Error bodies (§12): middleware ``{"error": ...}``, application ``{"detail": ...}``


class ValidationIssue(_Wire, frozen=True):
    """One item of a 422 ``detail`` list."""

    msg: str
    loc: list[str | int] = []
    type: str | None = None


class ErrorBody(_Wire, frozen=True):
    """Either error shape (and the 429 extras: ``limit`` is a string on ABP, ``retry_after``
    snake_case)."""

    error: str | None = None
    detail: str | list[ValidationIssue] | dict[str, Any] | None = None
    limit: str | int | None = None
    retry_after: float | None = msgspec.field(default=None, name="retry_after")

    @property
    def message(self) -> str:
        """One human line from whichever shape was sent."""
        if self.error:
            return self.error
        d = self.detail
        if isinstance(d, str):
            return d
        if isinstance(d, list):
            return "; ".join(
                f"{'.'.join(str(p) for p in i.loc)}: {i.msg}" if i.loc else i.msg for i in d
            )
        if isinstance(d, dict):
            return str(d.get("message") or d)
        return ""


# --------------------------------------------------------------------------------------------
# Decoders: built once, reused for every response.

R = TypeVar("R")


def _decoder_with_raw(kind: type[R]) -> Callable[[bytes], R]:
    """A decoder for one body type, built once, that keeps the bytes in ``.raw``."""
    decoder = msgspec.json.Decoder(kind)

    def decode(data: bytes) -> R:
        out = decoder.decode(data)
        attach_raw(out, data)
        return out

    decode.__doc__ = f"Decode a {kind.__name__} body; the bytes stay reachable as ``.raw``."
    return decode


decode_account = _decoder_with_raw(RawAccount)  # GET/POST/PATCH /accounts/...
decode_betslip = _decoder_with_raw(Betslip)
decode_place = _decoder_with_raw(PlaceOrdersResponse)
decode_cancel = _decoder_with_raw(CancelOrdersResponse)
decode_order = _decoder_with_raw(RawOrder)
decode_bets_page = _decoder_with_raw(BetsPage)
decode_bet = _decoder_with_raw(RawBet)  # GET /bets/{id}
decode_positions = _decoder_with_raw(PositionsResponse)
decode_pnl = _decoder_with_raw(PnlResponse)

_accounts_decoder = msgspec.json.Decoder(list[Account])
_orders_decoder = msgspec.json.Decoder(OrdersPage | list[Order])
_error_decoder = msgspec.json.Decoder(ErrorBody)


def decode_accounts(data: bytes) -> AccountList:
    out = AccountList(_accounts_decoder.decode(data))
    out.raw = data
    return out


def decode_orders_page(data: bytes) -> OrdersPage:
    """GET /orders; an older ABP answered a bare array, read as one last page."""
    got = _orders_decoder.decode(data)
    page = OrdersPage(orders=got, count=len(got)) if isinstance(got, list) else got
    attach_raw(page, data)
    return page


def decode_error(data: bytes) -> ErrorBody | None:
    """Either error shape, or None when the body is not one (HTML from a proxy, empty)."""
    try:
        return _error_decoder.decode(data)
    except DECODE_FAILURES:
        return None
