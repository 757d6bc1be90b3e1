"""The blocking twin of :class:`~wagerkit.abp.client.AbpClient`, for scripts and notebooks.

Same method names, arguments and results; each call runs the async client's method on a private
event loop in a worker thread (:class:`wagerkit.transport.BlockingRunner`), so both clients share
one implementation and one behaviour (retries, rate limit, error mapping).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import httpx

from wagerkit._core import Fx
from wagerkit.abp.client import DEFAULT_RATE, AbpClient, GroupBy
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
)
from wagerkit.abp.orders import OrderRequest
from wagerkit.abp.preview import Preview
from wagerkit.transport import BlockingRunner, Limiter, RetryPolicy
from wagerkit.transport.blocking import BlockingTwin

__all__ = ["BlockingAbpClient"]


class BlockingAbpClient(BlockingTwin):
    """Blocking ABP client; see :class:`~wagerkit.abp.client.AbpClient` for every method.

    Use as a context manager, or call :meth:`close`, to stop its worker thread.
    """

    _client: AbpClient

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
        self._runner = BlockingRunner()
        try:
            self._client = AbpClient(
                api_key,
                base_url,
                timeout=timeout,
                rate=rate,
                limiter=limiter,
                retry=retry,
                transport=transport,
                allow_insecure=allow_insecure,
                max_connections=max_connections,
            )
        except BaseException:
            self._runner.close()
            raise

    @property
    def async_client(self) -> AbpClient:
        """The async client underneath (runs on this object's private loop)."""
        return self._client

    @property
    def base_url(self) -> str:
        return self._client.base_url

    @property
    def ws_url(self) -> str:
        return self._client.ws_url

    def request_raw(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self._runner.call(self._client.request_raw, method, path, **kwargs)

    def health(self, *, timeout: float | None = None) -> dict[str, Any]:
        return self._runner.call(self._client.health, timeout=timeout)

    def ready(self, *, timeout: float | None = None) -> dict[str, Any]:
        return self._runner.call(self._client.ready, timeout=timeout)

    def status(self, *, timeout: float | None = None) -> dict[str, Any]:
        return self._runner.call(self._client.status, timeout=timeout)

    def accounts(
        self, bookmaker: str | None = None, *, timeout: float | None = None
    ) -> AccountList:
        return self._runner.call(self._client.accounts, bookmaker, timeout=timeout)

    def account(self, bookmaker: str, username: str, *, timeout: float | None = None) -> Account:
        return self._runner.call(self._client.account, bookmaker, username, timeout=timeout)

    def create_account(self, account: AccountCreate, *, timeout: float | None = None) -> Account:
        return self._runner.call(self._client.create_account, account, timeout=timeout)

    def update_account(
        self,
        bookmaker: str,
        username: str,
        changes: AccountUpdate,
        *,
        timeout: float | None = None,
    ) -> Account:
        return self._runner.call(
            self._client.update_account, bookmaker, username, changes, timeout=timeout
        )

    def delete_account(
        self, bookmaker: str, username: str, *, timeout: float | None = None
    ) -> None:
        self._runner.call(self._client.delete_account, bookmaker, username, timeout=timeout)

    def betslip(
        self, fixture_id: str, outcome_id: int, player_id: int = 0, *, timeout: float | None = None
    ) -> Betslip:
        return self._runner.call(
            self._client.betslip, fixture_id, outcome_id, player_id, timeout=timeout
        )

    def place_orders(
        self, orders: OrderRequest | Sequence[OrderRequest], *, timeout: float | None = None
    ) -> PlaceOrdersResponse:
        return self._runner.call(self._client.place_orders, orders, timeout=timeout)

    def preview(
        self, order: OrderRequest, *, fx: Fx | None = None, timeout: float | None = None
    ) -> Preview:
        return self._runner.call(self._client.preview, order, fx=fx, timeout=timeout)

    def cancel_orders(
        self,
        *,
        order_ids: Iterable[int] | None = None,
        request_uuids: Iterable[str] | None = None,
        user_ref: str | None = None,
        timeout: float | None = None,
    ) -> CancelOrdersResponse:
        return self._runner.call(
            self._client.cancel_orders,
            order_ids=order_ids,
            request_uuids=request_uuids,
            user_ref=user_ref,
            timeout=timeout,
        )

    def orders(
        self,
        *,
        order_ids: Iterable[int] | None = None,
        request_uuids: Iterable[str] | None = None,
        user_ref: str | None = None,
        after_order_id: int | None = None,
        limit: int | None = None,
        timeout: float | None = None,
    ) -> OrdersPage:
        return self._runner.call(
            self._client.orders,
            order_ids=order_ids,
            request_uuids=request_uuids,
            user_ref=user_ref,
            after_order_id=after_order_id,
            limit=limit,
            timeout=timeout,
        )

    def iter_orders(
        self,
        *,
        order_ids: Iterable[int] | None = None,
        request_uuids: Iterable[str] | None = None,
        user_ref: str | None = None,
        limit: int | None = None,
        timeout: float | None = None,
    ) -> Iterator[Order]:
        return self._runner.iterate(
            lambda: self._client.iter_orders(
                order_ids=order_ids,
                request_uuids=request_uuids,
                user_ref=user_ref,
                limit=limit,
                timeout=timeout,
            )
        )

    def bets(
        self,
        *,
        bet_ids: Iterable[int] | None = None,
        order_ids: Iterable[int] | None = None,
        user_ref: str | None = None,
        after_bet_id: int | None = None,
        limit: int | None = None,
        timeout: float | None = None,
    ) -> BetsPage:
        return self._runner.call(
            self._client.bets,
            bet_ids=bet_ids,
            order_ids=order_ids,
            user_ref=user_ref,
            after_bet_id=after_bet_id,
            limit=limit,
            timeout=timeout,
        )

    def iter_bets(
        self,
        *,
        bet_ids: Iterable[int] | None = None,
        order_ids: Iterable[int] | None = None,
        user_ref: str | None = None,
        limit: int | None = None,
        timeout: float | None = None,
    ) -> Iterator[Bet]:
        return self._runner.iterate(
            lambda: self._client.iter_bets(
                bet_ids=bet_ids,
                order_ids=order_ids,
                user_ref=user_ref,
                limit=limit,
                timeout=timeout,
            )
        )

    def bet(self, bet_id: int, *, timeout: float | None = None) -> Bet:
        return self._runner.call(self._client.bet, bet_id, timeout=timeout)

    def positions(
        self,
        group_by: GroupBy = "bookmaker",
        *,
        bookmaker: str | None = None,
        user_ref: str | None = None,
        account: str | None = None,
        timeout: float | None = None,
    ) -> PositionsResponse:
        return self._runner.call(
            self._client.positions,
            group_by,
            bookmaker=bookmaker,
            user_ref=user_ref,
            account=account,
            timeout=timeout,
        )

    def pnl(
        self,
        group_by: GroupBy = "bookmaker",
        *,
        bookmaker: str | None = None,
        user_ref: str | None = None,
        account: str | None = None,
        timeout: float | None = None,
    ) -> PnlResponse:
        return self._runner.call(
            self._client.pnl,
            group_by,
            bookmaker=bookmaker,
            user_ref=user_ref,
            account=account,
            timeout=timeout,
        )

    def __repr__(self) -> str:
        return f"Blocking{self._client!r}"


def _share_docs() -> None:
    """One set of docstrings: copy the async client's onto the blocking methods."""
    for name, member in vars(BlockingAbpClient).items():
        source = getattr(AbpClient, name, None)
        if callable(member) and source is not None and not member.__doc__:
            member.__doc__ = source.__doc__


_share_docs()
