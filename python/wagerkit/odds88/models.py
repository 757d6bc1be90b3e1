"""Odds88 wire models: msgspec Structs, camelCase on the wire, snake_case in Python.

Decoding is tolerant of fields Odds88 adds later (unknown keys are ignored) and strict on types
(a string where a number belongs is a :class:`~wagerkit.errors.ProtocolError`, never coerced).
Every top-level response and feed message keeps the bytes it was decoded from in ``.raw``.

Money comes in two shapes, both fixed-point integers with a precision:

- :class:`Amount` ``{localAmount, precision, currency}`` (cashout);
- :class:`BetAmount` ``{currency, value, precision}`` (Bets V2).

``amount.decimal()`` is exact; ``amount.to_minor()`` converts to wagerkit minor units through the
engine with an explicit rounding; ``Amount.from_minor`` goes back without losing a digit.
Legacy fields that Odds88 defines as doubles in EUR (settlement ``payout``/``amount``, v1 max
bet) stay floats here, as sent; convert them with :func:`wagerkit.to_minor`, which reads a
float through its shortest decimal form.

Who is to blame for a bad value decides the error. A value built in Python (``Amount(1, 2, "")``)
raises :class:`~wagerkit.errors.InvalidInput`: the caller's mistake, nothing was sent. The same
checks run when msgspec decodes the venue's bytes, where msgspec turns them into a validation
error that :func:`wagerkit.odds88.responses.decode` and the feeds raise as
:class:`~wagerkit.errors.ProtocolError`: the venue's mistake.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, cast

import msgspec

from wagerkit.errors import InvalidInput
from wagerkit.odds88.enums import (
    BetResultType,
    BetSettlement,
    CashoutPriceChange,
    CashoutStatus,
    PriceChange,
)
from wagerkit.odds88.money import (
    check_precision,
    decimal_to_fixed,
    fixed_to_decimal,
    fixed_to_minor,
    minor_to_fixed,
)

if TYPE_CHECKING:
    from wagerkit._core import Rounding

__all__ = [
    "MAX_FIXED",
    "AcceptedBet",
    "ActiveCurrency",
    "Amount",
    "BetAmount",
    "BetBuilderItem",
    "BetItem",
    "BetItemView",
    "BetRequest",
    "BetResponse",
    "BetResult",
    "CancellationInfo",
    "CashedOut",
    "CashoutAvailable",
    "CashoutNotSupported",
    "CashoutPayload",
    "CashoutRequest",
    "CashoutResult",
    "CashoutUpdate",
    "FeedEnvelope",
    "MaxBet",
    "MaxBetResponse",
    "Player",
    "ProblemDetails",
    "RejectInfo",
    "SettledBet",
    "SettledBetItem",
    "SettledEvent",
    "SettledMarket",
    "SettlementInfo",
    "SubscribeRequest",
]

_MAX_CURRENCY_LEN = 16
MAX_FIXED = 2**63 - 1
"""Largest fixed-point amount accepted either way: Odds88 is a .NET API whose amounts are
64-bit (``long``); a bigger number is a bug or hostile, and would overflow the engine."""


class Wire(msgspec.Struct, frozen=True, rename="camel", dict=True):
    """Base of top-level messages: :attr:`raw` gives back the bytes they came from."""

    @property
    def raw(self) -> bytes | None:
        """The exact bytes Odds88 sent (``None`` for an object built in Python)."""
        value = self.__dict__.get("_raw")
        return value if isinstance(value, bytes) else None


class _Value(msgspec.Struct, frozen=True, rename="camel", gc=False):
    """Base of nested values (no cycles, so no GC tracking)."""


class _Request(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """Base of request bodies we send (``None`` and defaults are left out)."""


def _check_currency(currency: object) -> None:
    """A currency code is a short printable ASCII word ("EUR", "USDT"); InvalidInput otherwise
    (a ValueError, so msgspec reports it as a validation error when decoding venue data)."""
    if (
        not isinstance(currency, str)
        or not 0 < len(currency) <= _MAX_CURRENCY_LEN
        or not currency.isascii()
        or not currency.isprintable()
        or any(ch.isspace() for ch in currency)
    ):
        shown = currency[:32] if isinstance(currency, str) else type(currency).__name__
        raise InvalidInput(f"currency must be a short ASCII code, got {shown!r}", field="currency")


def _check_fixed(value: object, field: str) -> None:
    """A fixed-point amount is a plain int within 64 bits (never a float, a bool or a str)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(
            f"{field} must be an int (fixed-point), got {type(value).__name__}", field=field
        )
    if not -MAX_FIXED - 1 <= value <= MAX_FIXED:
        raise InvalidInput(f"{field} does not fit in 64 bits", field=field)


# -------------------------------------------------------------------------------------------
# Money


class Amount(_Value, frozen=True):
    """Cashout money ``{localAmount, precision, currency}``: ``local_amount / 10**precision``.

    ``Amount(40000, 4, "USD")`` is 4.0000 USD. Send the amount you last received back unchanged
    when cashing out: it is exact and in the bet's currency.
    """

    local_amount: int
    precision: int
    currency: str

    def __post_init__(self) -> None:
        _check_fixed(self.local_amount, "local_amount")
        check_precision(self.precision)
        _check_currency(self.currency)

    def decimal(self) -> Decimal:
        """The exact decimal value in major units (``Decimal("4.0000")``)."""
        return fixed_to_decimal(self.local_amount, self.precision)

    def to_minor(self, rounding: Rounding = "half_even") -> int:
        """Minor units of the currency (USD cents), rounded as asked when precision is finer."""
        return fixed_to_minor(self.local_amount, self.precision, self.currency, rounding)

    @classmethod
    def from_minor(cls, minor: int, currency: str, precision: int | None = None) -> Amount:
        """Build from minor units; ``precision`` defaults to the currency's exponent."""
        from wagerkit import currency_exponent

        prec = currency_exponent(currency) if precision is None else precision
        return cls(minor_to_fixed(minor, currency, prec), prec, currency)

    @classmethod
    def from_decimal(cls, value: Decimal | str | int, currency: str, precision: int) -> Amount:
        """Build from a major-unit decimal (``"4.25"``); floats are refused."""
        return cls(decimal_to_fixed(value, precision), precision, currency)

    def __str__(self) -> str:
        return f"{format(self.decimal(), 'f')} {self.currency}"


class BetAmount(_Value, frozen=True):
    """Bets V2 stake ``{currency, value, precision}``: ``value / 10**precision``.

    ``precision`` must equal the currency's precision in ``/api/CurrencyExchange/active-currencies``
    (Odds88 answers PrecisionMismatch otherwise). ``value`` is an integer (our reading of the
    docs' fixed-point convention: see the README).
    """

    currency: str
    value: int
    precision: int

    def __post_init__(self) -> None:
        _check_fixed(self.value, "value")
        check_precision(self.precision)
        _check_currency(self.currency)

    def decimal(self) -> Decimal:
        """The exact decimal stake in major units."""
        return fixed_to_decimal(self.value, self.precision)

    def to_minor(self, rounding: Rounding = "half_even") -> int:
        """Minor units of the currency, rounded as asked when precision is finer."""
        return fixed_to_minor(self.value, self.precision, self.currency, rounding)

    @classmethod
    def from_minor(cls, minor: int, currency: str, precision: int | None = None) -> BetAmount:
        """Build from minor units; ``precision`` defaults to the currency's exponent."""
        from wagerkit import currency_exponent

        prec = currency_exponent(currency) if precision is None else precision
        return cls(currency, minor_to_fixed(minor, currency, prec), prec)

    @classmethod
    def from_decimal(cls, value: Decimal | str | int, currency: str, precision: int) -> BetAmount:
        """Build from a major-unit decimal (``"10.50"``); floats are refused."""
        return cls(currency, decimal_to_fixed(value, precision), precision)

    def __str__(self) -> str:
        return f"{format(self.decimal(), 'f')} {self.currency}"


# -------------------------------------------------------------------------------------------
# Cashout REST


class SubscribeRequest(_Request, frozen=True):
    """Body of ``/api/Cashout/subscribe`` and ``/unsubscribe``: bet ids without the player id."""

    bet_ids: list[str]


class CashoutRequest(_Request, frozen=True):
    """Body of ``POST /api/Cashout``."""

    bet_id: str
    price_change: CashoutPriceChange
    amount: Amount


class CashoutPayload(_Value, frozen=True):
    """``payload`` of a cashout answer: the amount (in the request's precision) it refers to."""

    bet_id: str | None = None
    local_amount: int | None = None

    def __post_init__(self) -> None:
        if self.local_amount is not None:
            _check_fixed(self.local_amount, "localAmount")


class CashoutResult(Wire, frozen=True):
    """Answer of ``POST /api/Cashout`` (HTTP 200 whether it succeeded or not)."""

    success: bool
    reason: str | None = None
    payload: CashoutPayload | None = None


class _PascalCashoutPayload(msgspec.Struct, frozen=True, rename="pascal"):
    bet_id: str | None = None
    local_amount: int | None = None

    def __post_init__(self) -> None:
        if self.local_amount is not None:
            _check_fixed(self.local_amount, "LocalAmount")


class PascalCashoutResult(msgspec.Struct, frozen=True, rename="pascal"):
    """The docs' rejection example spells the keys in PascalCase; we accept that too."""

    success: bool
    reason: str | None = None
    payload: _PascalCashoutPayload | None = None

    def to_camel(self) -> CashoutResult:
        p = self.payload
        return CashoutResult(
            self.success,
            self.reason,
            None if p is None else CashoutPayload(p.bet_id, p.local_amount),
        )


# -------------------------------------------------------------------------------------------
# Cashout feed


class _Update(Wire, frozen=True, tag_field="status"):
    player_id: str
    bet_id: str
    timestamp: dt.datetime

    @property
    def status(self) -> CashoutStatus:
        """The update's ``status``: the tag msgspec chose the subclass by."""
        return CashoutStatus(cast("int", self.__struct_config__.tag))

    def unix_time(self) -> float:
        """``timestamp`` as Unix seconds (a timestamp without a zone is read as UTC)."""
        ts = self.timestamp
        if ts.tzinfo is None:
            ts = ts.replace(tzinfo=dt.UTC)
        return ts.timestamp()


class CashoutAvailable(_Update, frozen=True, tag=int(CashoutStatus.AVAILABLE)):
    """The bet can be cashed out now for ``amount`` (send this amount to cash out)."""

    amount: Amount
    reason: str | None = None


class CashoutNotSupported(_Update, frozen=True, tag=int(CashoutStatus.NOT_SUPPORTED)):
    """Cashout is not offered for the bet right now; ``reason`` says why when Odds88 does."""

    reason: str | None = None
    amount: Amount | None = None


class CashedOut(_Update, frozen=True, tag=int(CashoutStatus.CASHED_OUT)):
    """The bet has been cashed out (it is settled as ``BetSettlement.CASH_OUT``)."""

    reason: str | None = None
    amount: Amount | None = None


CashoutUpdate = CashoutAvailable | CashoutNotSupported | CashedOut
"""One cashout feed update, typed by its ``status``."""


class FeedEnvelope(msgspec.Struct, frozen=True, rename="camel"):
    """A feed message: a ping (``pingId``, no data) or data (one object or a list of them)."""

    ping_id: str | None = None
    data: msgspec.Raw = msgspec.Raw(b"null")
    """The undecoded ``data`` (``null`` when absent), decoded by the feed that knows its type."""


# -------------------------------------------------------------------------------------------
# Settlement (feed V4 messages and GET .../settlements)


class SettledEvent(_Value, frozen=True):
    id: int | None = None  # optional in the spec
    name: str | None = None
    is_live: bool = False
    start_time: dt.datetime | None = None


class SettledMarket(_Value, frozen=True):
    id: int | None = None  # optional in the spec
    type: int | None = None
    name: str | None = None
    properties: dict[str, str] | None = None


class SettlementInfo(_Value, frozen=True):
    """Settlement of one bet item; ``settlement_result`` uses the *bet* settlement enum."""

    settlement_result: BetSettlement = BetSettlement.NONE
    settlement_time: dt.datetime | None = None
    settlement_version: int = 0


class SettledBetItem(_Value, frozen=True):
    event: SettledEvent | None = None
    market: SettledMarket | None = None
    selection_id: int | None = None
    competition_id: int | None = None
    country_id: int | None = None
    sport_id: int | None = None
    settlement: SettlementInfo | None = None
    price: float | None = None
    limits_rating_id: int | None = None
    limits_factor: float | None = None
    has_line_deviation: bool = False
    is_outright: bool = False
    version: int = 0
    dead_heat_factor: float | None = None
    parameters: dict[str, str] | None = None


class SettledBet(Wire, frozen=True):
    """A bet settlement (``SettledBetViewModelV2`` fields; the feed's V3 may add more).

    ``payout``, ``amount`` and ``partial_refund`` are doubles as Odds88 defines them: EUR for
    legacy bets; for V2 bets the simulator also sends ``currency`` (the docs are silent).
    ``timestamp`` is when the settlement was published; the feed uses it as its revision.
    """

    bet_id: str | None = None  # "nullable: true" and optional in SettledBetViewModelV2
    bet_settlement: BetSettlement | None = None  # optional in the spec: None = not said
    payout: float = 0.0
    payout_multiplier: float = 0.0
    is_cancelled: bool = False
    selections: list[SettledBetItem] | None = None
    amount: float = 0.0
    partial_refund: float = 0.0
    is_rejected: bool = False
    currency: str | None = None
    timestamp: dt.datetime | None = None

    def unix_time(self) -> float | None:
        """When the settlement was published (Unix seconds), from ``timestamp`` or else the
        latest item ``settlementTime``; ``None`` when Odds88 sent neither."""
        times = [self.timestamp] if self.timestamp is not None else []
        if not times:
            times = [
                s.settlement.settlement_time
                for s in self.selections or ()
                if s.settlement is not None and s.settlement.settlement_time is not None
            ]
        if not times:
            return None
        latest = max(t if t.tzinfo else t.replace(tzinfo=dt.UTC) for t in times)
        return latest.timestamp()


# -------------------------------------------------------------------------------------------
# Bets V2


class Player(_Value, frozen=True, omit_defaults=True):
    """The end user behind a bet (``segment_id`` is their limit id)."""

    device_id: str | None = None
    language_id: str | None = None
    ip: str | None = None
    segment_id: int = 0
    channel: str | None = None


class BetBuilderItem(_Value, frozen=True):
    market_id: int
    selection_id: int


class BetItem(_Value, frozen=True, omit_defaults=True):
    """One leg. ``price`` is decimal odds (``None`` for tote exotics and SP)."""

    event_id: int
    market_id: int
    selection_id: int
    racing_selection: str | None = None
    price: float | None = None
    bet_builder_bet_items: list[BetBuilderItem] | None = None


class BetItemView(_Value, frozen=True):
    """One leg as Odds88 reports it back (``BetItemViewModel`` in a reject or an accepted bet).

    Every field is optional there, unlike in what we send (:class:`BetItem`): a rejection that
    leaves an id out must still be read as a rejection."""

    event_id: int | None = None
    market_id: int | None = None
    selection_id: int | None = None
    racing_selection: str | None = None
    price: float | None = None


class BetRequest(_Request, frozen=True):
    """Body of ``PUT /api/players/{playerId}/Bets/V2`` and ``POST .../Bets/V2/max``.

    ``id`` is our unique request id: it becomes the bet's ``requestId`` and is reused on
    every retry, so a retry can never become a second bet.
    """

    id: str
    amount: BetAmount
    items: list[BetItem]
    player: Player = Player()
    price_change: PriceChange = PriceChange.NONE
    bet_type: int = 0
    free_bet_type: int = 0
    custom_payout_multiplier: float | None = None
    alternative_odds_id: str | None = None
    alternative_price: float | None = None


class RejectInfo(_Value, frozen=True):
    """Why a bet was rejected; ``reason`` is a :class:`~wagerkit.odds88.enums.RejectReason`
    number, kept as an int because Odds88's list grows."""

    reason: int = 0
    bet_item: BetItemView | None = None
    max_bet: float | BetAmount | None = None
    message: str | None = None


class AcceptedBet(_Value, frozen=True):
    id: str | None = None
    player: Player | None = None
    amount: float | BetAmount | None = None
    kind: int = 0
    price_change: int = 0
    items: list[BetItemView] | None = None


class CancellationInfo(_Value, frozen=True):
    status: int | None = None  # optional in the spec
    message: str | None = None


class BetResult(Wire, frozen=True):
    """A bet's state (``BetResultViewModel``): pending, accepted or rejected.

    ``result_type`` is optional in the spec; ``None`` (not said) is neither pending nor accepted,
    so a placement answered that way is looked up like any unclear answer."""

    result_type: BetResultType | None = None
    request_id: str | None = None
    reject_info: RejectInfo | None = None
    created_at: dt.datetime | None = None
    accepted_bet: AcceptedBet | None = None
    cancellation_status: CancellationInfo | None = None
    bet_processor: int | None = None

    @property
    def pending(self) -> bool:
        return self.result_type is BetResultType.PENDING

    @property
    def accepted(self) -> bool:
        return self.result_type is BetResultType.ACCEPTED


class BetResponse(Wire, frozen=True):
    """The V2 wrapper ``{responseCode, errorMessage, payload}`` around a bet result."""

    response_code: int
    error_message: str | None = None
    payload: BetResult | None = None


class MaxBet(_Value, frozen=True):
    """Largest stake Odds88 would take now; ``reject_reason`` 0 means it would take one."""

    reject_reason: int = 0
    amount: float | BetAmount | None = None


class MaxBetResponse(Wire, frozen=True):
    response_code: int
    error_message: str | None = None
    payload: MaxBet | None = None


class ActiveCurrency(_Value, frozen=True):
    """A currency Odds88 accepts, with the precision V2 amounts must use."""

    symbol: str
    type: int
    precision: int


class ProblemDetails(msgspec.Struct, frozen=True, rename="camel"):
    """ASP.NET's 400 body."""

    type: str | None = None
    title: str | None = None
    status: int | None = None
    detail: str | None = None
    instance: str | None = None


def check_bet_ids(bet_ids: object) -> list[str]:
    """Validate bet ids before sending: non-empty strings without the player id, no duplicates
    (order kept). Raises InvalidInput; nothing is sent."""
    if isinstance(bet_ids, (str, bytes)) or not isinstance(bet_ids, Iterable):
        raise InvalidInput("bet_ids must be a list of bet id strings", field="bet_ids")
    out: list[str] = []
    seen: set[str] = set()
    for bet_id in bet_ids:
        if not isinstance(bet_id, str) or not bet_id.strip() or len(bet_id) > 128:
            raise InvalidInput(f"not a bet id: {bet_id!r}", field="bet_ids")
        if bet_id not in seen:
            seen.add(bet_id)
            out.append(bet_id)
    return out
