"""Type stubs for ``wagerkit._core``, the compiled Rust engine (crate ``wagerkit-python``).

Units, everywhere in this module:

- **amounts** are ``int`` in minor units of their currency (ISO 4217 exponent: USD 2, JPY 0,
  KWD 3). ``1050`` with currency ``"EUR"`` is 10.50 EUR.
- **prices** are decimal odds as ``float`` at this edge; inside the engine they are fixed-point
  with 6 decimals (the float's shortest decimal form rounded half-even), so ``1.98`` is exact.
- **rates** follow ABP: ``currency_value`` = units of that currency per 1 USD (USD = 1).

Every bad argument raises :class:`wagerkit.errors.InvalidInput` (a ``ValueError``) with a
message naming the argument; a missing exchange rate raises :class:`wagerkit.errors.MissingRate`;
an internal bug raises :class:`wagerkit.errors.EngineError`, never aborts the process.
The rules are written out in ``docs/engine.md``.
"""

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final, Literal, final
from uuid import UUID

__version__: Final[str]

PRICE_SCALE: Final[int]
"""Prices are fixed-point integers with this scale inside the engine (1_000_000)."""

Rounding = Literal["down", "half_even", "up"]
"""``down`` truncates toward zero (stakes sent to a bookmaker), ``half_even`` is banker's
rounding (display and reporting), ``up`` rounds away from zero (minimum stakes)."""

# --------------------------------------------------------------------------------------------
# Money

def currency_exponent(currency: str) -> int:
    """ISO 4217 minor-unit exponent of ``currency`` (``"USD"`` → 2, ``"JPY"`` → 0).

    Raises InvalidInput for a code that is not an ISO 4217 currency: never guessed.
    """

def is_currency(currency: str) -> bool:
    """True when ``currency`` is a known ISO 4217 code (upper case, three letters)."""

def to_minor(
    amount: float | int | str | Decimal, currency: str, rounding: Rounding = "half_even"
) -> int:
    """Convert a major-unit amount (``10.5``, ``"10.50"``) to minor units of ``currency``.

    Floats are read through their shortest decimal form, so ``0.1 + 0.2`` style noise never
    leaks in. NaN and infinity raise InvalidInput.
    """

def minor_to_str(amount: int, currency: str) -> str:
    """Exact decimal text of a minor-unit amount: ``minor_to_str(75134, "EUR") == "751.34"``."""

def minor_to_float(amount: int, currency: str) -> float:
    """Nearest float to a minor-unit amount, for JSON wires that carry floats."""

# --------------------------------------------------------------------------------------------
# FX

@final
class Fx:
    """Exchange-rate table in ABP's convention; USD is always present with value 1.

    Rates are stored as exact scaled integers (12 decimals); conversions use 128-bit
    intermediates and an explicit rounding mode. ``updated_at`` is kept as given (ISO 8601).
    """

    def __init__(self) -> None: ...
    def set_rate(
        self, currency: str, currency_value: float | str | Decimal, updated_at: str | None = None
    ) -> None:
        """Set units of ``currency`` per 1 USD. Must be finite and > 0; USD must stay 1."""

    def rate(self, currency: str) -> float:
        """The currency value as a float; raises MissingRate when unknown."""

    def rate_str(self, currency: str) -> str:
        """The currency value as exact decimal text (``"0.84788876"``)."""

    def updated_at(self, currency: str) -> str | None:
        """The ``updatedAt`` of the rate snapshot, as given to :meth:`set_rate`."""

    def currencies(self) -> list[str]:
        """Currencies with a known rate, sorted."""

    def convert(
        self, amount: int, from_currency: str, to_currency: str, rounding: Rounding = "half_even"
    ) -> int:
        """``amount_B = amount_A / cv(A) * cv(B)`` in minor units, rounded as asked.

        Use ``rounding="down"`` for a stake that will be sent to a bookmaker.
        """

    def to_usd(self, amount: int, currency: str, rounding: Rounding = "half_even") -> int:
        """Shorthand for ``convert(amount, currency, "USD", rounding)``."""

    def __contains__(self, currency: object, /) -> bool: ...
    def __len__(self) -> int: ...

# --------------------------------------------------------------------------------------------
# Limits

def effective_limits(
    *,
    account_max: int | None = None,
    account_min: int | None = None,
    bookmaker_max: int | None = None,
    bookmaker_min: int | None = None,
    odds_limit: int | None = None,
    odds_limit_min: int | None = None,
) -> tuple[int | None, int]:
    """ABP's stake-limit cascade, all amounts in the account currency (minor units).

    max = account.maxStake → bookmaker.maxStake → odds.limit (``None`` when all are null);
    min = account.minStake → bookmaker.minStake → odds.limitMin → 0. First non-null wins.
    """

# --------------------------------------------------------------------------------------------
# Book

@final
class Quote:
    """One bookmaker account's quote for the selection (a frozen snapshot)."""

    @property
    def slot(self) -> int: ...
    @property
    def key(self) -> str:
        """Market key ``fixtureId:bookmaker:outcomeId:playerId``."""

    @property
    def bookmaker(self) -> str: ...
    @property
    def account(self) -> str: ...
    @property
    def currency(self) -> str:
        """The account currency; ``limit`` and ``limit_min`` are in it."""

    @property
    def priority(self) -> int: ...
    @property
    def price(self) -> float: ...
    @property
    def limit(self) -> int:
        """odds.limit, minor units of the account currency."""

    @property
    def limit_min(self) -> int | None: ...
    @property
    def active(self) -> bool: ...
    @property
    def back(self) -> bool:
        """True for a back quote, False for an exchange lay quote."""

    @property
    def max_stake(self) -> int | None:
        """Effective max after the cascade and the balance cap (account currency).

        ``None`` only when the bookmaker limit's currency has no rate in the last Fx used.
        """

    @property
    def min_stake(self) -> int:
        """Effective min after the cascade (account currency)."""

@final
class Level:
    """One price level of :meth:`Book.ladder`."""

    @property
    def price(self) -> float: ...
    @property
    def available(self) -> int:
        """Stake available at exactly this price, minor units of the ladder's currency."""

    @property
    def quotes(self) -> int:
        """How many quotes make up the level."""

@final
class Book:
    """The merged book of one selection across bookmakers and accounts.

    Accounts are registered first (:meth:`set_account`), then quotes are upserted against them.
    :meth:`upsert` returns a *slot*; :meth:`update` takes that slot and four scalars and is the
    hot path for a price feed. A removed quote's slot is refused from then on (its index is
    reused under a new generation, so a stale slot cannot move another quote). Back and lay
    quotes live side by side; every read takes ``back``.

    Accounts are keyed by (bookmaker, name): two bookmakers may each have an account with the
    same username, and quotes name their account by the username.
    """

    def __init__(self) -> None: ...
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
        """Register or replace an account. Amounts are minor units of ``currency``.

        ``balance``, when given, caps what a bet may risk (our choice): a back quote's max stake
        is at most the balance, a lay quote's liability ``stake × (price − 1)`` is.

        An account that holds quotes cannot move to another bookmaker nor change currency
        (InvalidInput): remove its quotes first.
        """

    def remove_account(self, account: str, bookmaker: str | None = None) -> bool:
        """Remove an account that holds no quotes; False when there is none by that name
        (on ``bookmaker``, when given). InvalidInput while it holds quotes, or when several
        bookmakers have an account by that name and ``bookmaker`` is None.
        """

    def set_bookmaker_limits(
        self,
        bookmaker: str,
        currency: str,
        *,
        max_stake: int | None = None,
        min_stake: int | None = None,
    ) -> None:
        """Bookmaker-level limits (cascade step 2) in ``currency`` minor units.

        Converted into each account's currency when applied: max rounded down, min up.
        """

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
        """Insert or replace the quote of ``account`` under market ``key``; return its slot.

        ``key`` must be ``fixtureId:bookmaker:outcomeId:playerId`` with the account's
        bookmaker, and the same selection as every other quote in this book.
        """

    def update(
        self, slot: int, price: float, limit: int, limit_min: int | None, active: bool
    ) -> None:
        """Hot path: move one quote. Raises InvalidInput for an unknown or removed slot."""

    def remove(self, key: str, account: str, back: bool = True) -> bool:
        """Remove one quote; False when it was not there."""

    def get(self, slot: int) -> Quote: ...
    def quotes(self, back: bool | None = None) -> list[Quote]:
        """Live quotes, best first (price, then priority, then limit)."""

    def __len__(self) -> int: ...
    def best_price(self, back: bool = True) -> float | None:
        """Best active price (highest for back, lowest for lay), or None.

        Takes no rate table: a quote whose bookmaker limits are in another currency counts
        only once the last ``Fx`` used by this book (any read or route) has that rate.
        """

    def available(self, price: float, currency: str, fx: Fx, back: bool = True) -> int:
        """Stake that can be placed at ``price`` or better, in ``currency`` minor units.

        Sums each active quote's effective max, converted with rounding down. Raises
        MissingRate when a quote at ``price`` or better has a bookmaker limit in a currency
        ``fx`` has no rate for (it is never skipped silently).
        """

    def vwap(self, stake: int, currency: str, fx: Fx, back: bool = True) -> float | None:
        """Volume-weighted average price to fill ``stake`` best-first; None if the book is
        too thin."""

    def ladder(self, currency: str, fx: Fx, back: bool = True) -> list[Level]:
        """Price levels best first, each with the stake available at exactly that price."""

    @staticmethod
    def from_betslip(data: bytes | str | Mapping[str, Any], fx: Fx | None = None) -> Book:
        """Build a book from an ABP betslip (the whole response or only its ``odds`` object).

        Each quote's account is registered with the quote's ``limitCurrency`` and priority 0;
        ``limit``/``limitMin`` (already after the cascade) become the odds limits. When ``fx``
        is given, every ``currencyInfo`` in the betslip is loaded into it.
        """

# --------------------------------------------------------------------------------------------
# Quote feeds: one venue quote frame into a Book in one call

@final
class FrameResult:
    """What one frame did (a frozen snapshot)."""

    @property
    def applied(self) -> bool:
        """True when the frame was for this feed's selection and was applied."""

    @property
    def changed(self) -> bool:
        """True when a quote appeared or one of its values changed."""

    @property
    def best_back_moved(self) -> bool:
        """True when the best live back price is not what it was."""

    @property
    def best_lay_moved(self) -> bool:
        """True when the best live lay price is not what it was."""

@final
class QuoteFeed:
    """The state of one selection's quote feed between frames.

    Applies one venue quote (an account's back quote, its optional lay quote, the rate of its
    currency) to a caller-held :class:`Book` and :class:`Fx` in one call, checked whole first:
    a refused frame raises ``wagerkit.errors.ProtocolError`` (message starting with ``label``)
    and leaves book, rates and registrations exactly as they were. Accounts are registered as
    ``bookmaker/username`` in the quote's limit currency; at most ``max_accounts`` of them.
    Rules: docs/engine.md, "Quote feeds".
    """

    def __new__(
        cls,
        fixture_id: str,
        outcome_id: int,
        player_id: int = 0,
        *,
        max_accounts: int = 4096,
        label: str | None = None,
    ) -> QuoteFeed: ...
    @property
    def selection(self) -> tuple[str, int, int]:
        """(fixture id, outcome id, player id)."""

    @property
    def max_accounts(self) -> int:
        """The most accounts this feed registers."""

    def accounts(self) -> list[tuple[str, str]]:
        """Registered accounts (``bookmaker/username``) and their currencies, sorted."""

    def slots(self) -> list[tuple[tuple[str, bool], int]]:
        """``((account, back), slot)`` of every quote this feed placed, sorted."""

    def apply_betslip(self, data: bytes | str | Any, book: Book, fx: Fx) -> FrameResult:
        """Decode one ABP ``betslip`` update payload (bytes, any bytes-like buffer such as
        ``msgspec.Raw``, or str) and apply it. A payload for another selection, or without a
        bookmaker, changes nothing (``applied`` False); one that is not a well-typed update
        raises ProtocolError."""

    def apply_quote(
        self,
        book: Book,
        fx: Fx,
        *,
        bookmaker: str,
        price: float,
        limit: float | None = None,
        limit_min: float | None = None,
        active: bool = True,
        key: str | None = None,
        account: str | None = None,
        limit_currency: str | None = None,
        rate_currency: str | None = None,
        rate_value: float | None = None,
        rate_updated_at: str | None = None,
        lay: Any = None,
    ) -> FrameResult:
        """Apply one decoded quote of this selection: decimal odds, amounts in major units of
        the account currency (``limit_currency``; else ``rate_currency``; else USD), the rate
        as units per 1 USD, and ``lay`` the venue's untyped lay quote object
        (``{"price": ..., "limit": ..., "limitMin": ..., "active": ...}``) or None."""

# --------------------------------------------------------------------------------------------
# Router

@final
class DeclineReason:
    """ABP's documented decline categories."""

    STAKE_EXCEEDS_LIMIT: Final[DeclineReason]
    STAKE_BELOW_MINIMUM: Final[DeclineReason]
    INVALID_ODDS: Final[DeclineReason]
    NO_ACTIVE_ACCOUNTS: Final[DeclineReason]
    CURRENCY_CONVERSION_FAILED: Final[DeclineReason]
    BOOKMAKER_NOT_AVAILABLE: Final[DeclineReason]
    ODDS_TEMPORARILY_UNAVAILABLE: Final[DeclineReason]
    @property
    def name(self) -> str: ...
    @property
    def label(self) -> str:
        """The label in ABP's docs, e.g. ``"Stake exceeds limit"``."""

    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __int__(self) -> int: ...

@final
class Order:
    """An order as ABP receives it, validated at construction.

    ``stake`` is minor units of ``currency`` (> 0); ``price`` is the decimal ``orderPrice``
    (> 1, finite): the minimum acceptable price for a back order, the maximum for a lay.
    Beyond 6 decimals it rounds toward the stricter side (back up, lay down).
    ``bookmakers`` ``None`` or ``["*"]`` means every bookmaker in the book; otherwise it is a
    non-empty list of bookmaker names, duplicates dropped (first occurrence kept) before the
    mode is inferred (``["a", "a"]`` is a single bookmaker). ``[]``, an empty name, or
    ``"*"`` mixed with names raise ``InvalidInput``.
    """

    def __new__(
        cls,
        stake: int,
        currency: str,
        price: float,
        *,
        accept_better_odds: bool = True,
        accept_partial_stake: bool = True,
        back: bool = True,
        bookmakers: Sequence[str] | None = None,
    ) -> Order: ...
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
        """Same as the constructor with the stake in major units (``10.0`` USD)."""

    @property
    def stake(self) -> int: ...
    @property
    def currency(self) -> str: ...
    @property
    def price(self) -> float: ...
    @property
    def accept_better_odds(self) -> bool: ...
    @property
    def accept_partial_stake(self) -> bool: ...
    @property
    def back(self) -> bool: ...
    @property
    def bookmakers(self) -> list[str] | None: ...
    @property
    def mode(self) -> int:
        """ABP placement mode 1-4 (single/multiple bookmakers × partial stake)."""

@final
class Leg:
    """One bet the router would place."""

    @property
    def key(self) -> str: ...
    @property
    def bookmaker(self) -> str: ...
    @property
    def account(self) -> str: ...
    @property
    def price(self) -> float: ...
    @property
    def stake(self) -> int:
        """placedStake: minor units of the account currency, rounded down."""

    @property
    def currency(self) -> str:
        """placedCurrency (the account currency)."""

    @property
    def order_stake(self) -> int:
        """The same stake in the order currency (half-even): what it adds to filledStake."""

    @property
    def order_currency(self) -> str: ...

RouteStatus = Literal["filled", "partial", "waiting", "declined"]

@final
class RoutePlan:
    """What ABP would do with the order against the book right now.

    ``status``, ``complete``, ``remaining`` and ``message`` describe the whole order, prior legs
    (see :func:`route`) included; ``legs``, ``filled`` and ``average_price`` describe only the
    bets this plan places. ``prior_filled + filled + remaining == order.stake``.

    - ``filled``: the order is covered (``remaining`` is 0, or below one minor unit of every
      new leg's currency: rounding dust that no bookmaker can take). With prior legs covering
      the stake this holds with no new legs.
    - ``partial``: the order holds some fill (new legs, prior legs or both); the rest may fill
      later (modes 2 and 4 only).
    - ``waiting``: nothing qualifies now (first-bet rule, price); retry until expiresAt. Never
      with prior legs.
    - ``declined``: ``decline`` says why; ``message`` is ABP-style text. Never with prior legs:
      an order that already holds bets is ``partial`` and ``message`` gives the reason.
    """

    @property
    def status(self) -> RouteStatus: ...
    @property
    def legs(self) -> list[Leg]: ...
    @property
    def mode(self) -> int: ...
    @property
    def filled(self) -> int:
        """Sum of this plan's legs' ``order_stake`` (order currency, minor units); prior legs
        are not in it."""

    @property
    def prior_filled(self) -> int:
        """Sum of the prior legs' stakes given to :func:`route` (0 without ``prior``)."""

    @property
    def remaining(self) -> int:
        """What the whole order still lacks: ``stake - prior_filled - filled``."""
    @property
    def complete(self) -> bool: ...
    @property
    def average_price(self) -> float | None:
        """Stake-weighted average price of this plan's legs (order-currency weights); None
        without legs."""

    @property
    def decline(self) -> DeclineReason | None: ...
    @property
    def message(self) -> str: ...

def route(order: Order, book: Book, fx: Fx, prior: Sequence[tuple[int, float]] = ()) -> RoutePlan:
    """Route ``order`` across ``book`` the way ABP fills (see docs/engine.md §4).

    ``prior`` holds the ``(order_stake, price)`` legs already filled for this order by earlier
    passes (order-currency minor units), so a later pass of a partly filled order obeys ABP's
    weighted-average rule over the whole order: the prior legs start the filled stake and the
    weighted sum, the first-bet rule counts as met, and only ``stake - sum(prior)`` is placed.
    Raises InvalidInput for a prior stake <= 0, a price <= 1, stakes adding up to more than
    the order stake, or any prior leg for the all-or-nothing modes 1 and 3.
    """

# --------------------------------------------------------------------------------------------
# Dedupe

@final
class DedupeCache:
    """A TTL set of 128-bit request UUIDs with a bounded size.

    ``check_and_insert`` is one atomic step: True means "first time in the window, go ahead",
    False means "seen within ``ttl`` seconds: do not submit again". When ``capacity`` is
    reached the oldest entry is evicted first. ``clock`` (seconds, monotonic) is for tests;
    by default the engine reads a monotonic clock itself.
    """

    def __new__(
        cls,
        ttl: float = 1800.0,
        capacity: int = 1_000_000,
        clock: Callable[[], float] | None = None,
    ) -> DedupeCache: ...
    def check_and_insert(self, request_uuid: str | bytes | UUID) -> bool: ...
    def contains(self, request_uuid: str | bytes | UUID) -> bool: ...
    def __contains__(self, request_uuid: object, /) -> bool: ...
    def remove(self, request_uuid: str | bytes | UUID) -> bool: ...
    def clear(self) -> None: ...
    def __len__(self) -> int:
        """Entries not yet expired."""

    @property
    def ttl(self) -> float: ...
    @property
    def capacity(self) -> int: ...

# --------------------------------------------------------------------------------------------
# Odds formats (Pinnacle's five)

OddsFormat = Literal["decimal", "american", "hongkong", "indonesian", "malay"]

def decimal_to_american(price: float) -> float: ...
def american_to_decimal(odds: float) -> float: ...
def decimal_to_hongkong(price: float) -> float: ...
def hongkong_to_decimal(odds: float) -> float: ...
def decimal_to_indonesian(price: float) -> float: ...
def indonesian_to_decimal(odds: float) -> float: ...
def decimal_to_malay(price: float) -> float: ...
def malay_to_decimal(odds: float) -> float: ...
def convert_odds(value: float, from_format: OddsFormat, to_format: OddsFormat) -> float:
    """Convert between any two of the five formats, exactly where the result is representable
    (the arithmetic is done on the inputs' decimal forms, then rounded once to a float)."""

def _panic_for_tests() -> None:
    """Trigger a Rust panic, to prove it surfaces as EngineError (tests only)."""
