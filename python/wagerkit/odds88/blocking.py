"""The blocking twin of :class:`~wagerkit.odds88.client.Odds88Client`, for scripts.

Same method names, same behaviour: every call runs the async client's method on a private event
loop thread (:class:`~wagerkit.transport.blocking.BlockingRunner`), where the background
subscription renewals and the feeds also run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Any, Generic, TypeVar

from wagerkit.odds88.client import CashoutConfirmation, Odds88Client
from wagerkit.odds88.enums import CashoutPriceChange, CurrencyType
from wagerkit.odds88.feeds import Feed, TimedUpdate
from wagerkit.odds88.models import (
    ActiveCurrency,
    Amount,
    BetRequest,
    BetResult,
    CashoutUpdate,
    MaxBet,
    SettledBet,
    check_bet_ids,
)
from wagerkit.odds88.subscriptions import SubscriptionKeeper
from wagerkit.transport.blocking import BlockingRunner

__all__ = ["BlockingFeed", "BlockingOdds88Client"]

U = TypeVar("U", bound=TimedUpdate)
T = TypeVar("T")


class BlockingFeed(Generic[U]):
    """A feed opened by the blocking client: iterate it with ``for``."""

    def __init__(self, runner: BlockingRunner, feed: Feed[U]) -> None:
        self._runner = runner
        self.feed = feed

    def __iter__(self) -> Iterator[U]:
        return self._runner.iterate(self.feed.__aiter__)

    @property
    def revision(self) -> int:
        return self.feed.revision


class BlockingOdds88Client:
    """Blocking Odds88 client; use it with ``with``. Arguments as for Odds88Client."""

    def __init__(self, base_url: str, client_id: str, password: str, **options: Any) -> None:
        # the client and its feeds own task groups, which one task must enter and exit:
        # BlockingRunner.hold keeps each open in one long-lived task on the runner's loop
        self._runner = BlockingRunner(options.pop("backend", "asyncio"))
        self._client = Odds88Client(base_url, client_id, password, **options)
        self._held: AbstractContextManager[Odds88Client] | None = None

    def __enter__(self) -> BlockingOdds88Client:
        held = self._runner.hold(self._client)
        held.__enter__()
        self._held = held
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def _open(self) -> bool:
        return self._held is not None

    def close(self) -> None:
        """Release subscriptions, stop background work, close the pool and the loop thread."""
        try:
            if self._held is not None:
                held, self._held = self._held, None
                held.__exit__(None, None, None)
            else:
                self._runner.call(self._client.aclose)
        finally:
            self._runner.close()

    @property
    def subscriptions(self) -> SubscriptionKeeper:
        return self._client.subscriptions

    @property
    def async_client(self) -> Odds88Client:
        """The async client doing the work (its methods must run on the runner's loop)."""
        return self._client

    def login(self) -> None:
        self._runner.call(self._client.login)

    def subscribe_cashout(self, bet_ids: Iterable[str]) -> None:
        self._runner.call(self._client.subscribe_cashout, bet_ids)

    def unsubscribe_cashout(self, bet_ids: Iterable[str]) -> None:
        self._runner.call(self._client.unsubscribe_cashout, bet_ids)

    @contextlib.contextmanager
    def keep_subscribed(self, bet_ids: Iterable[str]) -> Iterator[frozenset[str]]:
        ids = check_bet_ids(bet_ids)
        keeper = self._client.subscriptions
        if not self._open:
            self._client.keep_subscribed(ids)  # raises the same InvalidInput
        self._runner.call(keeper.add, ids)
        try:
            yield frozenset(ids)
        finally:
            self._runner.call(keeper.remove, ids)

    def cashout(
        self,
        bet_id: str,
        amount: Amount,
        price_change: CashoutPriceChange = CashoutPriceChange.WITHIN_2_PERCENT,
    ) -> CashoutConfirmation:
        return self._runner.call(self._client.cashout, bet_id, amount, price_change)

    @contextlib.contextmanager
    def cashout_feed(
        self, revision: int | None = None, **options: Any
    ) -> Iterator[BlockingFeed[CashoutUpdate]]:
        with self._runner.hold(self._client.cashout_feed(revision, **options)) as feed:
            yield BlockingFeed(self._runner, feed)

    @contextlib.contextmanager
    def settlement_feed(
        self, revision: int | None = None, **options: Any
    ) -> Iterator[BlockingFeed[SettledBet]]:
        with self._runner.hold(self._client.settlement_feed(revision, **options)) as feed:
            yield BlockingFeed(self._runner, feed)

    def place_bet(self, player_id: str, request: BetRequest) -> BetResult:
        return self._runner.call(self._client.place_bet, player_id, request)

    def wait_for_bet(self, player_id: str, request_id: str, **options: float) -> BetResult:
        return self._runner.call(self._client.wait_for_bet, player_id, request_id, **options)

    def max_bet(self, player_id: str, request: BetRequest) -> MaxBet:
        return self._runner.call(self._client.max_bet, player_id, request)

    def get_bet(self, player_id: str, request_id: str) -> BetResult:
        return self._runner.call(self._client.get_bet, player_id, request_id)

    def get_settlement(self, player_id: str, request_id: str) -> SettledBet:
        return self._runner.call(self._client.get_settlement, player_id, request_id)

    def active_currencies(self, type: CurrencyType | None = None) -> list[ActiveCurrency]:
        return self._runner.call(self._client.active_currencies, type)

    def __repr__(self) -> str:
        return f"Blocking{self._client!r}"
