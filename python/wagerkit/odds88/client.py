"""The async Odds88 client: cashout (with self-renewing subscriptions), feeds and Bets V2.

::

    async with Odds88Client(base_url, client_id, password) as odds88:
        async with odds88.cashout_feed() as feed, odds88.keep_subscribed(["bet-1"]):
            async for update in feed:
                if isinstance(update, CashoutAvailable):
                    await odds88.cashout(update.bet_id, update.amount)

Every call authenticates with a JWT from :class:`~wagerkit.odds88.auth.TokenManager` (renewed
before its 24 hours run out, and again at once after a 401). Reads and subscription calls are
retried under :class:`~wagerkit.transport.retry.RetryPolicy`; a bet placement or a cashout is
only retried when it certainly never left (connect failure, a short 429).

An ambiguous placement is reconciled by request id before anything is raised. Ambiguous means
any answer that does not settle the outcome: a lost answer, a 5xx, and also a 2xx we cannot
read (a 2xx means the venue probably stored the bet). A cashout has no lookup endpoint of its
own, so an ambiguous cashout is :class:`~wagerkit.errors.MaybePlaced` naming where to look.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

import anyio
import httpx
import msgspec
from anyio.abc import TaskGroup

from wagerkit.clock import Clock, SystemClock
from wagerkit.errors import InvalidInput, MaybePlaced, NotFound, ProtocolError, WagerkitError
from wagerkit.odds88.auth import TokenManager
from wagerkit.odds88.enums import CashoutPriceChange, CurrencyType, PriceChange
from wagerkit.odds88.feeds import CashoutFeed, SettlementFeed, feed_url
from wagerkit.odds88.models import (
    ActiveCurrency,
    Amount,
    BetAmount,
    BetItem,
    BetRequest,
    BetResponse,
    BetResult,
    CashoutRequest,
    CashoutResult,
    MaxBet,
    MaxBetResponse,
    PascalCashoutResult,
    Player,
    SettledBet,
    SubscribeRequest,
    check_bet_ids,
)
from wagerkit.odds88.recovery import ReconnectLimiter
from wagerkit.odds88.rejects import CashoutRejected, raise_for_bet_result, raise_for_response_code
from wagerkit.odds88.responses import decode, raise_for_status
from wagerkit.odds88.subscriptions import SubscriptionKeeper
from wagerkit.transport.http import HttpTransport
from wagerkit.transport.ratelimit import Limiter
from wagerkit.transport.retry import RetryPolicy

__all__ = ["CashoutConfirmation", "Odds88Client"]

T = TypeVar("T")

_bet_response = msgspec.json.Decoder(BetResponse)
_bet_result = msgspec.json.Decoder(BetResult)
_max_response = msgspec.json.Decoder(MaxBetResponse)
_settled = msgspec.json.Decoder(SettledBet)
_currencies = msgspec.json.Decoder(list[ActiveCurrency])
_cashout_result = msgspec.json.Decoder(CashoutResult)
_cashout_pascal = msgspec.json.Decoder(PascalCashoutResult)


_WHERE_TO_LOOK = (
    "the cashout may have happened: check get_settlement(player_id, bet_id) (betSettlement 6 "
    "CashOut) or the cashout feed (CashedOut) before cashing out again"
)


class CashoutConfirmation(msgspec.Struct, frozen=True):
    """A successful cashout: ``amount`` paid (request precision and currency) and the answer."""

    bet_id: str
    amount: Amount
    result: CashoutResult


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _positive_finite(value: object) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )


def _check_item(item: object) -> None:
    """One bet leg: integer ids and, when given, decimal odds above 1 that are finite."""
    if not isinstance(item, BetItem):
        raise InvalidInput("each item must be a BetItem", field="request.items")
    for name in ("event_id", "market_id", "selection_id"):
        if not _is_int(getattr(item, name)):
            raise InvalidInput(f"item {name} must be an int", field=f"request.items.{name}")
    if item.price is not None and not (_positive_finite(item.price) and item.price > 1):
        raise InvalidInput(
            f"item price must be finite decimal odds above 1, got {item.price!r}",
            field="request.items.price",
        )


def _check_id(value: object, field: str) -> str:
    """A caller's id: a non-empty string of at most 128 characters, without '/'."""
    if (
        not isinstance(value, str)
        or not value.strip()
        or len(value) > 128
        or "/" in value
        or value in (".", "..")
    ):
        raise InvalidInput(f"{field} must be a non-empty id without '/'", field=field)
    return value


def _segment(value: object, field: str) -> str:
    """``value`` checked and percent-encoded as one URL path segment.

    Unencoded, ``"x#1"`` would request bet ``x`` (the rest is a fragment) and ``"p?a"`` would
    move the path into the query: a lookup by request id could read another bet.
    """
    return quote(_check_id(value, field), safe="")


class Odds88Client:
    """Async Odds88 client (anyio: asyncio or trio). Use it with ``async with``.

    ``base_url`` is the REST base (``https://…``; plain ``http`` only for loopback or with
    ``allow_insecure``); ``ws_url`` defaults to the same host with ``wss``/``ws``. ``clock``
    drives token renewal, subscription renewal and feed revisions (a
    :class:`~wagerkit.clock.FakeClock` in tests). ``transport`` is the httpx seam.
    """

    def __init__(
        self,
        base_url: str,
        client_id: str,
        password: str,
        *,
        ws_url: str | None = None,
        clock: Clock | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        limiter: Limiter | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        allow_insecure: bool = False,
        renew_every: float = 480.0,
    ) -> None:
        if not _positive_finite(timeout):
            raise InvalidInput(f"timeout must be finite and > 0, got {timeout!r}", field="timeout")
        self._clock: Clock = clock or SystemClock()
        self._http = HttpTransport(
            base_url,
            secrets=(password,),
            timeout=timeout,
            limiter=limiter,
            transport=transport,
            allow_insecure=allow_insecure,
        )
        self._ws_base = (
            feed_url(ws_url, allow_insecure=allow_insecure)
            if ws_url
            else feed_url(base_url, allow_insecure=allow_insecure)
        )
        self._auth = TokenManager(self._http, client_id, password, clock=self._clock)
        self._retry = retry or RetryPolicy()
        self.subscriptions = SubscriptionKeeper(
            self.subscribe_cashout, self.unsubscribe_cashout, self._clock, renew_every=renew_every
        )
        self._stack: contextlib.AsyncExitStack | None = None
        self._tg: TaskGroup | None = None
        self._open_feeds: set[str] = set()
        self._limiters: dict[str, ReconnectLimiter] = {}
        """Feed paths open on this client: Odds88 allows one connection per feed."""

    # -- lifecycle --------------------------------------------------------------------------

    async def __aenter__(self) -> Odds88Client:
        stack = contextlib.AsyncExitStack()
        await stack.enter_async_context(self._http)
        tg = await stack.enter_async_context(anyio.create_task_group())
        stack.callback(tg.cancel_scope.cancel)
        stack.push_async_callback(self._release)
        tg.start_soon(self.subscriptions.run)
        self._stack, self._tg = stack, tg
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Unsubscribe what is still held, stop the background renewals, close the pool."""
        if self._stack is not None:
            stack, self._stack, self._tg = self._stack, None, None
            await stack.aclose()
        else:
            await self._http.aclose()

    async def _release(self) -> None:
        with anyio.CancelScope(shield=True), anyio.move_on_after(5):
            await self.subscriptions.release_all()

    # -- plumbing ---------------------------------------------------------------------------

    @property
    def auth(self) -> TokenManager:
        """The token manager (its repr shows no secret)."""
        return self._auth

    async def login(self) -> None:
        """Log in now (otherwise the first call does); raises AuthError if refused."""
        await self._auth.token()

    async def _send(
        self,
        method: str,
        path: str,
        *,
        what: str,
        json: Any = None,
        params: dict[str, Any] | None = None,
        request_id: str | None = None,
        money: bool = False,
    ) -> httpx.Response:
        for attempt in range(2):
            token = await self._auth.token()
            response = await self._http.request(
                method,
                path,
                json=json,
                params=params,
                headers={"authorization": f"Bearer {token}"},
                request_id=request_id,
            )
            if response.status_code == 401 and attempt == 0:
                self._auth.invalidate(token)
                continue
            raise_for_status(
                response,
                what=what,
                redact=self._auth.redact,
                request_id=request_id,
                ambiguous_5xx=money,
            )
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    async def _retrying(self, fn: Callable[[], Awaitable[T]], *, read: bool) -> T:
        return await self._retry.call(fn, read=read)

    def _decode(self, decoder: msgspec.json.Decoder[T], response: httpx.Response, what: str) -> T:
        return decode(decoder, response.content, what=what, redact=self._auth.redact)

    # -- cashout ----------------------------------------------------------------------------

    async def subscribe_cashout(self, bet_ids: Iterable[str]) -> None:
        """Subscribe once (wears out after 10 minutes). Prefer :meth:`keep_subscribed`."""
        ids = check_bet_ids(bet_ids)
        if ids:
            body = SubscribeRequest(ids)
            await self._retrying(
                lambda: self._send("POST", "/api/Cashout/subscribe", json=body, what="subscribe"),
                read=True,
            )

    async def unsubscribe_cashout(self, bet_ids: Iterable[str]) -> None:
        """Stop cashout updates for ``bet_ids`` now."""
        ids = check_bet_ids(bet_ids)
        if ids:
            body = SubscribeRequest(ids)
            await self._retrying(
                lambda: self._send(
                    "POST", "/api/Cashout/unsubscribe", json=body, what="unsubscribe"
                ),
                read=True,
            )

    @contextlib.asynccontextmanager
    async def keep_subscribed(self, bet_ids: Iterable[str]) -> AsyncIterator[frozenset[str]]:
        """Subscribed and renewed every 8 minutes while inside; unsubscribed when the last
        holder of a bet id leaves. Needs the client to be open (``async with``)."""
        if self._tg is None:
            raise InvalidInput("keep_subscribed needs `async with Odds88Client(...)`")
        async with self.subscriptions.hold(bet_ids) as held:
            yield held

    async def cashout(
        self,
        bet_id: str,
        amount: Amount,
        price_change: CashoutPriceChange = CashoutPriceChange.WITHIN_2_PERCENT,
    ) -> CashoutConfirmation:
        """Cash out ``bet_id`` for ``amount`` (the last amount from the feed, unchanged).

        ``price_change``: STRICT (0) only at exactly the current amount, WITHIN_2_PERCENT (1)
        if the current amount is within 2 % of ``amount``, ANY (2) at whatever it is now.
        Raises :class:`~wagerkit.odds88.rejects.CashoutRejected` when Odds88 says no, and
        MaybePlaced (``request_id`` = ``bet_id``) whenever the cashout may have happened
        without a usable answer: lost, 5xx, or a 2xx we cannot read. Odds88 has no cashout
        lookup, so check ``get_settlement(player_id, bet_id)`` (CashOut) or the feed
        (CashedOut) before cashing out again.
        """
        _check_id(bet_id, "bet_id")
        if not isinstance(amount, Amount):
            raise InvalidInput("amount must be an odds88 Amount", field="amount")
        if amount.local_amount <= 0:
            raise InvalidInput("amount must be positive", field="amount")
        try:
            if isinstance(price_change, bool):
                raise ValueError(price_change)
            change = CashoutPriceChange(price_change)
        except (TypeError, ValueError):
            raise InvalidInput(
                f"price_change must be 0, 1 or 2, got {price_change!r}", field="price_change"
            ) from None
        body = CashoutRequest(bet_id, change, amount)
        try:
            response = await self._retrying(
                lambda: self._send(
                    "POST", "/api/Cashout", json=body, what="cashout", request_id=bet_id, money=True
                ),
                read=False,
            )
        except MaybePlaced as lost:
            raise MaybePlaced(f"{lost}; {_WHERE_TO_LOOK}", request_id=bet_id) from None
        try:
            result = self._decode_cashout(response)
            paid = None
            if result.payload is not None:
                if result.payload.bet_id not in (None, bet_id):
                    raise ProtocolError("cashout: the answer is about another bet")
                if result.payload.local_amount is not None:
                    paid = Amount(result.payload.local_amount, amount.precision, amount.currency)
            if result.success and paid is None:
                raise ProtocolError("cashout: success without payload.localAmount")
        except ProtocolError as exc:
            raise self._ambiguous_cashout(bet_id, response.status_code, exc) from None
        if not result.success:
            raise CashoutRejected(
                result.reason or "", bet_id=bet_id, amount=paid, scrub=self._auth.redact
            )
        assert paid is not None  # checked above
        return CashoutConfirmation(bet_id, paid, result)

    @staticmethod
    def _ambiguous_cashout(bet_id: str, status: int, exc: ProtocolError) -> MaybePlaced:
        """A 2xx cashout answer we cannot read: the cashout may have happened.

        ``POST /api/Cashout`` has no lookup of its own and takes no player id, so the client
        cannot reconcile here; the message says where the answer is.
        """
        return MaybePlaced(
            f"cashout of {bet_id}: HTTP {status} but the answer is unusable ({exc}); "
            f"{_WHERE_TO_LOOK}",
            request_id=bet_id,
        )

    def _decode_cashout(self, response: httpx.Response) -> CashoutResult:
        try:
            return self._decode(_cashout_result, response, "cashout")
        except ProtocolError:
            if b'"Success"' not in response.content:
                raise
            pascal = self._decode(_cashout_pascal, response, "cashout")
            result = pascal.to_camel()
            msgspec.structs.force_setattr(result, "_raw", response.content)
            return result

    # -- feeds ------------------------------------------------------------------------------

    def _limiter_for(self, path: str) -> ReconnectLimiter:
        """One reconnect budget per feed for the client's life, however often it is reopened."""
        if path not in self._limiters:
            self._limiters[path] = ReconnectLimiter(self._clock)
        return self._limiters[path]

    def cashout_feed(self, revision: int | None = None, **options: Any) -> CashoutFeed:
        """The cashout feed; use ``async with`` then ``async for``. Options: see
        :class:`~wagerkit.odds88.feeds.Feed`."""
        options.setdefault("limiter", self._limiter_for(CashoutFeed.path))
        options.setdefault("open_feeds", self._open_feeds)
        return CashoutFeed(self._ws_base, self._auth, self._clock, revision=revision, **options)

    def settlement_feed(self, revision: int | None = None, **options: Any) -> SettlementFeed:
        """The settlement feed; use ``async with`` then ``async for``."""
        options.setdefault("limiter", self._limiter_for(SettlementFeed.path))
        options.setdefault("open_feeds", self._open_feeds)
        return SettlementFeed(self._ws_base, self._auth, self._clock, revision=revision, **options)

    # -- bets V2 ----------------------------------------------------------------------------

    async def place_bet(self, player_id: str, request: BetRequest) -> BetResult:
        """Place a bet (``PUT …/Bets/V2``); returns it Accepted or Pending (live delay).

        Raises BetRejected (with the reject reason), BetRequestRefused (responseCode 2-4),
        or MaybePlaced when the outcome stayed unknown even after asking by ``request.id``.
        """
        self._check_request(request)
        path = f"/api/players/{_segment(player_id, 'player_id')}/Bets/V2"
        try:
            response = await self._retrying(
                lambda: self._send(
                    "PUT", path, json=request, what="place bet", request_id=request.id, money=True
                ),
                read=False,
            )
        except MaybePlaced as ambiguous:
            result = await self._reconcile(player_id, request.id, ambiguous)
        else:
            result = await self._placed(player_id, request.id, response)
        raise_for_bet_result(result, request_id=request.id, scrub=self._auth.redact)
        return result

    async def _placed(self, player_id: str, request_id: str, response: httpx.Response) -> BetResult:
        """The result in a 2xx placement answer; one we cannot read is reconciled.

        A 2xx means Odds88 probably stored the bet, so an unreadable body, an unknown
        ``responseCode``, a success without a payload or a payload about another request are
        all ambiguous, never a plain ProtocolError: ask by request id first.
        """
        try:
            wrapped = self._decode(_bet_response, response, "place bet")
            raise_for_response_code(
                wrapped.response_code,
                wrapped.error_message,
                request_id=request_id,
                scrub=self._auth.redact,
            )
            if wrapped.payload is None:
                raise ProtocolError("place bet: success without payload")
            if wrapped.payload.request_id not in (None, request_id):
                raise ProtocolError("place bet: the answer is about another request id")
            if wrapped.payload.result_type is None:  # optional in the spec: says nothing
                raise ProtocolError("place bet: the answer has no resultType")
            return wrapped.payload
        except ProtocolError as exc:
            ambiguous = MaybePlaced(
                f"place bet: HTTP {response.status_code} but the answer is unusable ({exc}); "
                "the bet was probably placed",
                request_id=request_id,
            )
        return await self._reconcile(player_id, request_id, ambiguous)

    async def _reconcile(
        self, player_id: str, request_id: str, ambiguous: MaybePlaced
    ) -> BetResult:
        """Ask by request id what became of an ambiguous placement; MaybePlaced if still unknown."""
        try:
            found = await self.get_bet(player_id, request_id)
        except NotFound:
            raise MaybePlaced(
                f"{ambiguous}; not found by request id {request_id} yet: ask again before "
                "placing anything else",
                request_id=request_id,
            ) from None
        except WagerkitError as exc:
            raise MaybePlaced(
                f"{ambiguous}; the lookup by request id {request_id} failed too ({exc}): ask "
                "again before placing anything else",
                request_id=request_id,
            ) from None
        if found.result_type is None:  # the venue's record does not say either
            raise MaybePlaced(
                f"{ambiguous}; the bet found by request id {request_id} has no resultType: "
                "ask again before placing anything else",
                request_id=request_id,
            )
        return found

    async def wait_for_bet(
        self, player_id: str, request_id: str, *, timeout: float = 30.0, every: float = 0.5
    ) -> BetResult:
        """Poll a Pending bet until it is Accepted or Rejected (raises BetRejected), at most
        ``timeout`` clock seconds, asking every ``every`` seconds (both finite; ``every`` > 0,
        so the loop always ends and never hammers the venue)."""
        if not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout >= 0):
            raise InvalidInput(f"timeout must be finite and >= 0, got {timeout!r}", field="timeout")
        if not (isinstance(every, (int, float)) and math.isfinite(every) and every > 0):
            raise InvalidInput(f"every must be finite and > 0, got {every!r}", field="every")
        deadline = self._clock.monotonic() + timeout
        while True:
            result = await self.get_bet(player_id, request_id)
            if result.result_type is not None and not result.pending:  # None: not said yet
                raise_for_bet_result(result, request_id=request_id, scrub=self._auth.redact)
                return result
            if self._clock.monotonic() >= deadline:
                return result
            await self._clock.sleep(every)

    async def max_bet(self, player_id: str, request: BetRequest) -> MaxBet:
        """Largest stake Odds88 would take for ``request`` now (nothing is stored)."""
        self._check_request(request)
        path = f"/api/players/{_segment(player_id, 'player_id')}/Bets/V2/max"
        response = await self._retrying(
            lambda: self._send("POST", path, json=request, what="max bet"), read=True
        )
        wrapped = self._decode(_max_response, response, "max bet")
        raise_for_response_code(
            wrapped.response_code, wrapped.error_message, request_id=None, scrub=self._auth.redact
        )
        if wrapped.payload is None:
            raise ProtocolError("max bet: success without payload")
        return wrapped.payload

    async def get_bet(self, player_id: str, request_id: str) -> BetResult:
        """A bet's current state by our request id (pending, accepted or rejected)."""
        path = f"/api/players/{_segment(player_id, 'player_id')}/Bets/"
        path += _segment(request_id, "request_id")
        response = await self._retrying(lambda: self._send("GET", path, what="get bet"), read=True)
        result = self._decode(_bet_result, response, "get bet")
        if result.request_id not in (None, request_id):
            raise ProtocolError(f"get bet: asked for {request_id}, the answer is about another id")
        return result

    async def get_settlement(self, player_id: str, request_id: str) -> SettledBet:
        """A bet's settlement (``betSettlement`` 0 None while unsettled)."""
        path = f"/api/players/{_segment(player_id, 'player_id')}/Bets/"
        path += f"{_segment(request_id, 'request_id')}/settlements"
        response = await self._retrying(
            lambda: self._send("GET", path, what="get settlement"), read=True
        )
        return self._decode(_settled, response, "get settlement")

    async def active_currencies(self, type: CurrencyType | None = None) -> list[ActiveCurrency]:
        """Currencies Odds88 accepts, with the precision V2 amounts must use."""
        params = None
        if type is not None:
            try:
                params = {"type": int(CurrencyType(type))}
            except (TypeError, ValueError):
                raise InvalidInput(f"not a currency type: {type!r}", field="type") from None
        response = await self._retrying(
            lambda: self._send(
                "GET", "/api/CurrencyExchange/active-currencies", params=params, what="currencies"
            ),
            read=True,
        )
        return self._decode(_currencies, response, "currencies")

    @staticmethod
    def _check_request(request: object) -> None:
        """Refuse a BetRequest that msgspec would send as something else.

        Struct constructors do not check types, so a dict amount, a string id or a NaN price
        would be encoded as written, and msgspec encodes NaN and infinity as ``null``: a bet
        "at any price". Every such mistake is InvalidInput here, before anything is sent.
        """
        if not isinstance(request, BetRequest):
            raise InvalidInput("request must be an odds88 BetRequest", field="request")
        _check_id(request.id, "request.id")
        if not isinstance(request.amount, BetAmount):
            raise InvalidInput("request.amount must be a BetAmount", field="request.amount")
        if request.amount.value <= 0:
            raise InvalidInput("the stake must be positive", field="request.amount")
        if not isinstance(request.items, list) or not request.items:
            raise InvalidInput("a bet needs a list of at least one item", field="request.items")
        for item in request.items:
            _check_item(item)
        if not isinstance(request.player, Player):
            raise InvalidInput("request.player must be a Player", field="request.player")
        try:
            PriceChange(request.price_change)
        except (TypeError, ValueError):
            raise InvalidInput(
                f"price_change must be 0, 1 or 2, got {request.price_change!r}",
                field="request.price_change",
            ) from None
        for name in ("bet_type", "free_bet_type"):
            if not _is_int(getattr(request, name)):
                raise InvalidInput(f"{name} must be an int", field=f"request.{name}")
        for name in ("custom_payout_multiplier", "alternative_price"):
            value = getattr(request, name)
            if value is not None and not _positive_finite(value):
                raise InvalidInput(f"{name} must be a positive finite number", field=name)

    def __repr__(self) -> str:
        # a base URL may carry ``user:password@``: never shown
        parts = urlsplit(self._http.base_url)
        host = parts.hostname or ""
        if parts.port is not None:
            host += f":{parts.port}"
        shown = urlunsplit((parts.scheme, host, parts.path, "", ""))
        return f"Odds88Client(base_url={shown!r}, client_id={self._auth.client_id!r})"
