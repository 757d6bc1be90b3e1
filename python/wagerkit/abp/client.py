"""The async ABP REST client: every documented endpoint, typed, rate-limited, retry-aware.

Built on :class:`wagerkit.transport.HttpTransport` (keep-alive pool, HTTPS unless loopback,
failure mapping into ConnectFailed / MaybePlaced) and anyio, so it runs under asyncio and trio.
All clients in the process that use one API key share one exact sliding-window limiter
(:func:`abp_limiter`): ABP counts requests per key per sliding second, and two clients of the
same bot must not together exceed it, not even in the first second.

Retries follow :class:`wagerkit.transport.RetryPolicy`: reads are retried on any transient
failure; :meth:`AbpClient.place_orders` is retried only when the request provably did not
reach ABP (connect failure) or ABP said "wait" (429, honouring Retry-After). An ambiguous
placement failure is raised to the caller: use :class:`wagerkit.execution.OrderManager`, which
looks the order up by requestUuid before anything else.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, TypeVar

import httpx
import msgspec

from wagerkit._core import Fx
from wagerkit.abp.errors import error_for, placement_unreadable, protocol_error
from wagerkit.abp.models import (
    Account,
    AccountCreate,
    AccountList,
    AccountUpdate,
    Bet,
    Betslip,
    BetsPage,
    CancelOrdersResponse,
    Order,
    OrdersPage,
    PlaceOrdersResponse,
    PnlResponse,
    PositionsResponse,
    decode_account,
    decode_accounts,
    decode_bet,
    decode_bets_page,
    decode_betslip,
    decode_cancel,
    decode_orders_page,
    decode_place,
    decode_pnl,
    decode_positions,
)
from wagerkit.abp.orders import OrderRequest, encode_orders
from wagerkit.abp.preview import Preview, preview_order
from wagerkit.errors import InvalidInput
from wagerkit.transport import (
    DECODE_FAILURES,
    HttpTransport,
    Limiter,
    RetryPolicy,
    SlidingWindowLimiter,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_RATE",
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "AbpClient",
    "GroupBy",
    "abp_limiter",
    "resolve_credentials",
]

DEFAULT_BASE_URL = "https://v2.55-tech.com"
DEFAULT_RATE = 100.0
"""ABP's default per-key budget, requests per sliding second."""
LIMITER_GUARD = 0.005
"""Seconds added to ABP's one-second window by our limiter: a request granted exactly one
window after another could otherwise reach ABP less than a second after it when the earlier one
travelled more slowly (a fresh connection). 0.5 % of the budget buys a 5 ms jitter margin."""
ENV_API_KEY = "ABP_API_KEY"
ENV_BASE_URL = "ABP_BASE_URL"

GroupBy = Literal["bookmaker", "account", "userRef"]
T = TypeVar("T")
_Item = TypeVar("_Item")
_json = msgspec.json.Encoder()


def resolve_credentials(api_key: str | None, base_url: str | None) -> tuple[str | None, str]:
    """Arguments first, then ``ABP_API_KEY`` / ``ABP_BASE_URL``, then the public service."""
    key = api_key if api_key is not None else os.environ.get(ENV_API_KEY)
    url = base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL
    return (key or None), url


def abp_limiter(api_key: str | None, rate: float = DEFAULT_RATE) -> SlidingWindowLimiter:
    """The process-wide limiter for one ABP key: ``rate`` requests per sliding second.

    Keyed by a digest of the key (ABP's budget is per key; the key itself never becomes a
    registry name that could be printed). ``rate`` must be a whole number of requests.
    """
    if not (rate >= 1 and float(rate).is_integer()):
        raise InvalidInput(f"rate must be a whole number >= 1, got {rate!r}", field="rate")
    digest = hashlib.sha256((api_key or "").encode()).hexdigest()[:16]
    return SlidingWindowLimiter.shared(f"abp:{digest}", int(rate), 1.0, guard=LIMITER_GUARD)


def _csv(values: Iterable[object] | None) -> str | None:
    if values is None:
        return None
    text = ",".join(str(v) for v in values)
    return text or None


def _params(**kw: Any) -> dict[str, Any]:
    return {k: v for k, v in kw.items() if v is not None}


class AbpClient:
    """Async client for ABP v2.

    ``api_key`` and ``base_url`` default to ``ABP_API_KEY`` / ``ABP_BASE_URL`` (then
    ``https://v2.55-tech.com``). Plain ``http://`` is refused unless the host is loopback (the
    simulator). ``timeout`` is the default per-call timeout in seconds; every method takes its own
    ``timeout=`` too. ``transport`` is httpx's transport seam for tests. The key never appears in
    a repr, a log line or an exception.
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout: float = 10.0,
        rate: float = DEFAULT_RATE,
        limiter: Limiter | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        allow_insecure: bool = False,
        max_connections: int = 32,
    ) -> None:
        key, url = resolve_credentials(api_key, base_url)
        self._key = key
        self._retry = retry if retry is not None else RetryPolicy()
        self._http = HttpTransport(
            url,
            headers={"x-api-key": key} if key else {},
            secrets=(key,) if key else (),
            timeout=timeout,
            limiter=limiter if limiter is not None else abp_limiter(key, rate),
            transport=transport,
            allow_insecure=allow_insecure,
            max_connections=max_connections,
        )

    # ----------------------------------------------------------------------------------------
    # plumbing

    @property
    def base_url(self) -> str:
        return self._http.base_url

    @property
    def ws_url(self) -> str:
        """The WebSocket endpoint on the same host (``wss://…/ws``, ``ws://`` for loopback)."""
        base = self._http.base_url
        if base.startswith("https://"):
            return "wss://" + base[len("https://") :] + "/ws"
        if base.startswith("http://"):
            return "ws://" + base[len("http://") :] + "/ws"
        return base + "/ws"

    @property
    def has_key(self) -> bool:
        return self._key is not None

    def redact(self, text: str) -> str:
        """Scrub the API key (and secret-looking fields) from ``text``."""
        return self._http.redact(text)

    def _need_key(self) -> None:
        if self._key is None:
            # Worded so that nothing looks like ``name=value`` (the redactor would mangle it).
            raise InvalidInput(
                "no ABP API key was given: use the --api-key option (or the api_key argument "
                f"of AbpClient) or set the {ENV_API_KEY} environment variable",
                field="api_key",
            )

    def _login_key(self) -> str:
        """The key, for the WebSocket login frame only (same package; never logged)."""
        self._need_key()
        assert self._key is not None
        return self._key

    async def request_raw(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """Send one request and return httpx's response untouched (no retry, no mapping).

        For anything the typed methods do not cover, or to see headers and status yourself.
        """
        return await self._http.request(
            method, path, params=params, json=json, content=content, timeout=timeout
        )

    async def _call(
        self,
        method: str,
        path: str,
        decode: Callable[[bytes], T],
        *,
        params: Mapping[str, Any] | None = None,
        content: bytes | None = None,
        timeout: float | None = None,
        read: bool,
        auth: bool = True,
        placement: bool = False,
        request_id: str | None = None,
    ) -> T:
        if auth:
            self._need_key()
        headers = {"content-type": "application/json"} if content is not None else None

        async def once() -> T:
            response = await self._http.request(
                method,
                path,
                params=params,
                content=content,
                headers=headers,
                timeout=timeout,
                request_id=request_id,
            )
            if response.status_code >= 300:
                raise error_for(
                    response, redact=self._http.redact, placement=placement, request_id=request_id
                )
            try:
                return decode(response.content)
            except DECODE_FAILURES as exc:
                if placement:
                    # ABP answered 2xx: it most likely stored the orders. Saying "malformed
                    # response" here would let a caller treat them as not placed and send them
                    # again, so this is the ambiguous case: look them up by requestUuid.
                    raise placement_unreadable(
                        response, exc, redact=self._http.redact, request_id=request_id
                    ) from None
                raise protocol_error(response, exc, redact=self._http.redact) from None

        return await self._retry.call(once, read=read)

    # ----------------------------------------------------------------------------------------
    # unauthenticated

    async def health(self, *, timeout: float | None = None) -> dict[str, Any]:
        """GET /health (liveness; no key needed)."""
        return await self._call(
            "GET", "/health", _decode_dict, timeout=timeout, read=True, auth=False
        )

    async def ready(self, *, timeout: float | None = None) -> dict[str, Any]:
        """GET /ready (database, cache and OddsPapi connected; no key needed)."""
        return await self._call(
            "GET", "/ready", _decode_dict, timeout=timeout, read=True, auth=False
        )

    async def status(self, *, timeout: float | None = None) -> dict[str, Any]:
        """GET /status (system status including emergency state; no key needed)."""
        return await self._call(
            "GET", "/status", _decode_dict, timeout=timeout, read=True, auth=False
        )

    # ----------------------------------------------------------------------------------------
    # accounts

    async def accounts(
        self, bookmaker: str | None = None, *, timeout: float | None = None
    ) -> AccountList:
        """GET /accounts: this client's accounts, highest priority first."""
        return await self._call(
            "GET",
            "/accounts",
            decode_accounts,
            params=_params(bookmaker=bookmaker),
            timeout=timeout,
            read=True,
        )

    async def account(
        self, bookmaker: str, username: str, *, timeout: float | None = None
    ) -> Account:
        """GET /accounts/{bookmaker}/{username}."""
        return await self._call(
            "GET", _account_path(bookmaker, username), decode_account, timeout=timeout, read=True
        )

    async def create_account(
        self, account: AccountCreate, *, timeout: float | None = None
    ) -> Account:
        """POST /accounts. Not retried after an ambiguous failure (look it up instead)."""
        return await self._call(
            "POST",
            "/accounts",
            decode_account,
            content=_json.encode(account),
            timeout=timeout,
            read=False,
        )

    async def update_account(
        self,
        bookmaker: str,
        username: str,
        changes: AccountUpdate,
        *,
        timeout: float | None = None,
    ) -> Account:
        """PATCH /accounts/{bookmaker}/{username} (idempotent, so retried like a read)."""
        return await self._call(
            "PATCH",
            _account_path(bookmaker, username),
            decode_account,
            content=_json.encode(changes),
            timeout=timeout,
            read=True,
        )

    async def delete_account(
        self, bookmaker: str, username: str, *, timeout: float | None = None
    ) -> None:
        """DELETE /accounts/{bookmaker}/{username}."""
        await self._call(
            "DELETE", _account_path(bookmaker, username), _ignore, timeout=timeout, read=False
        )

    # ----------------------------------------------------------------------------------------
    # betslip and placement

    async def betslip(
        self,
        fixture_id: str,
        outcome_id: int,
        player_id: int = 0,
        *,
        timeout: float | None = None,
    ) -> Betslip:
        """GET /betslip: live odds and effective limits of one selection at every bookmaker."""
        return await self._call(
            "GET",
            "/betslip",
            decode_betslip,
            params={"fixtureId": fixture_id, "outcomeId": outcome_id, "playerId": player_id},
            timeout=timeout,
            read=True,
        )

    async def place_orders(
        self,
        orders: OrderRequest | Sequence[OrderRequest],
        *,
        timeout: float | None = None,
    ) -> PlaceOrdersResponse:
        """POST /place-orders with 1-100 orders (validated before sending).

        Retried only when ABP cannot have seen the request (connect failure) or asked us to
        wait (429). A timeout or lost connection raises :class:`~wagerkit.errors.MaybePlaced`,
        a 5xx :class:`~wagerkit.errors.ServerError`: both mean "maybe placed", so look the
        orders up by requestUuid before resending. A 2xx whose body does not decode also raises
        :class:`~wagerkit.errors.MaybePlaced` (never :class:`~wagerkit.errors.ProtocolError`):
        ABP answered success, so it most likely stored them. 409 (every order a duplicate)
        raises :class:`~wagerkit.errors.DuplicateRequest`: the orders already exist.
        """
        batch = [orders] if isinstance(orders, OrderRequest) else list(orders)
        body = encode_orders(batch)
        return await self._call(
            "POST",
            "/place-orders",
            decode_place,
            content=body,
            timeout=timeout,
            read=False,
            placement=True,
            request_id=batch[0].request_uuid if len(batch) == 1 else None,
        )

    async def preview(
        self, order: OrderRequest, *, fx: Fx | None = None, timeout: float | None = None
    ) -> Preview:
        """Fetch the current betslip and route ``order`` across it with the engine.

        Shows the legs ABP would place right now; nothing is sent to ABP but the betslip read.
        """
        slip = await self.betslip(
            order.fixture_id, order.outcome_id, order.player_id, timeout=timeout
        )
        return preview_order(order, slip, fx=fx)

    async def cancel_orders(
        self,
        *,
        order_ids: Iterable[int] | None = None,
        request_uuids: Iterable[str] | None = None,
        user_ref: str | None = None,
        timeout: float | None = None,
    ) -> CancelOrdersResponse:
        """POST /cancel-orders (filters OR-ed, at least one). Cancelling twice is harmless, so
        this is retried like a read."""
        body: dict[str, Any] = {}
        if order_ids is not None:
            body["orderIds"] = [int(i) for i in order_ids]
        if request_uuids is not None:
            body["requestUuids"] = [str(u) for u in request_uuids]
        if user_ref is not None:
            body["userRef"] = user_ref
        if not body:
            raise InvalidInput("give order_ids, request_uuids or user_ref", field="filters")
        return await self._call(
            "POST",
            "/cancel-orders",
            decode_cancel,
            content=_json.encode(body),
            timeout=timeout,
            read=True,
        )

    # ----------------------------------------------------------------------------------------
    # orders and bets

    async def orders(
        self,
        *,
        order_ids: Iterable[int] | None = None,
        request_uuids: Iterable[str] | None = None,
        user_ref: str | None = None,
        after_order_id: int | None = None,
        limit: int | None = None,
        timeout: float | None = None,
    ) -> OrdersPage:
        """GET /orders: one page, newest first (filters OR-ed, at least one)."""
        params = _params(
            orderIds=_csv(order_ids),
            requestUuids=_csv(request_uuids),
            userRef=user_ref,
            afterOrderId=after_order_id,
            limit=limit,
        )
        if not ({"orderIds", "requestUuids", "userRef"} & params.keys()):
            raise InvalidInput("give order_ids, request_uuids or user_ref", field="filters")
        return await self._call(
            "GET", "/orders", decode_orders_page, params=params, timeout=timeout, read=True
        )

    async def iter_orders(
        self,
        *,
        order_ids: Iterable[int] | None = None,
        request_uuids: Iterable[str] | None = None,
        user_ref: str | None = None,
        limit: int | None = None,
        timeout: float | None = None,
    ) -> AsyncIterator[Order]:
        """Every matching order across all pages (keyset pagination on ``nextCursor``)."""
        ids = list(order_ids) if order_ids is not None else None
        uuids = list(request_uuids) if request_uuids is not None else None

        async def page(cursor: int | None) -> tuple[list[Order], bool, int | None]:
            got = await self.orders(
                order_ids=ids,
                request_uuids=uuids,
                user_ref=user_ref,
                after_order_id=cursor,
                limit=limit,
                timeout=timeout,
            )
            return got.orders, got.has_more, got.next_cursor

        async for order in _keyset_pages(page):
            yield order

    async def bets(
        self,
        *,
        bet_ids: Iterable[int] | None = None,
        order_ids: Iterable[int] | None = None,
        user_ref: str | None = None,
        after_bet_id: int | None = None,
        limit: int | None = None,
        timeout: float | None = None,
    ) -> BetsPage:
        """GET /bets: one page, newest first (filters OR-ed, at least one)."""
        params = _params(
            betIds=_csv(bet_ids),
            orderIds=_csv(order_ids),
            userRef=user_ref,
            afterBetId=after_bet_id,
            limit=limit,
        )
        if not ({"betIds", "orderIds", "userRef"} & params.keys()):
            raise InvalidInput("give bet_ids, order_ids or user_ref", field="filters")
        return await self._call(
            "GET", "/bets", decode_bets_page, params=params, timeout=timeout, read=True
        )

    async def iter_bets(
        self,
        *,
        bet_ids: Iterable[int] | None = None,
        order_ids: Iterable[int] | None = None,
        user_ref: str | None = None,
        limit: int | None = None,
        timeout: float | None = None,
    ) -> AsyncIterator[Bet]:
        """Every matching bet across all pages."""
        bids = list(bet_ids) if bet_ids is not None else None
        oids = list(order_ids) if order_ids is not None else None

        async def page(cursor: int | None) -> tuple[list[Bet], bool, int | None]:
            got = await self.bets(
                bet_ids=bids,
                order_ids=oids,
                user_ref=user_ref,
                after_bet_id=cursor,
                limit=limit,
                timeout=timeout,
            )
            return got.bets, got.has_more, got.next_cursor

        async for bet in _keyset_pages(page):
            yield bet

    async def bet(self, bet_id: int, *, timeout: float | None = None) -> Bet:
        """GET /bets/{bet_id}."""
        return await self._call(
            "GET", f"/bets/{int(bet_id)}", decode_bet, timeout=timeout, read=True
        )

    # ----------------------------------------------------------------------------------------
    # analytics

    async def positions(
        self,
        group_by: GroupBy = "bookmaker",
        *,
        bookmaker: str | None = None,
        user_ref: str | None = None,
        account: str | None = None,
        timeout: float | None = None,
    ) -> PositionsResponse:
        """GET /positions: ABP's own sums (mixed currencies are added as-is; see
        :mod:`wagerkit.abp.analytics` for the USD-correct figures)."""
        return await self._call(
            "GET",
            "/positions",
            decode_positions,
            params=_params(
                groupBy=group_by, bookmaker=bookmaker, userRef=user_ref, account=account
            ),
            timeout=timeout,
            read=True,
        )

    async def pnl(
        self,
        group_by: GroupBy = "bookmaker",
        *,
        bookmaker: str | None = None,
        user_ref: str | None = None,
        account: str | None = None,
        timeout: float | None = None,
    ) -> PnlResponse:
        """GET /pnl: ABP's own sums over settled bets (currencies not converted)."""
        return await self._call(
            "GET",
            "/pnl",
            decode_pnl,
            params=_params(
                groupBy=group_by, bookmaker=bookmaker, userRef=user_ref, account=account
            ),
            timeout=timeout,
            read=True,
        )

    # ----------------------------------------------------------------------------------------
    # lifecycle

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> AbpClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"AbpClient(base_url={self.base_url!r}, api_key={'***' if self._key else None})"


async def _keyset_pages(
    fetch: Callable[[int | None], Awaitable[tuple[list[_Item], bool, int | None]]],
) -> AsyncIterator[_Item]:
    """Walk ABP's keyset pagination: pass each page's ``nextCursor`` as the next ``after…Id``.

    Stops when ``hasMore`` is false, or when the cursor is missing or does not move (a broken
    venue must not make a bot loop forever on the same page).
    """
    cursor: int | None = None
    while True:
        items, has_more, next_cursor = await fetch(cursor)
        for item in items:
            yield item
        if not has_more or next_cursor is None or next_cursor == cursor:
            return
        cursor = next_cursor


def _account_path(bookmaker: str, username: str) -> str:
    from urllib.parse import quote

    return f"/accounts/{quote(bookmaker, safe='')}/{quote(username, safe='')}"


_dict_decoder = msgspec.json.Decoder(dict[str, Any])


def _decode_dict(data: bytes) -> dict[str, Any]:
    return _dict_decoder.decode(data) if data else {}


def _ignore(data: bytes) -> None:
    return None
