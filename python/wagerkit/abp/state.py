"""The bot's view of its orders and bets, kept current from the stream and REST, bounded.

Two sources feed it: WebSocket updates (fast, but lost while disconnected) and REST snapshots
(complete, but a snapshot can be older than an update still queued on the socket). So an
incoming object replaces the stored one only when it is the venue's *later word*: its
``updatedAt`` (ABP bumps it on every change) is later than the stored one's. Statuses are not
ranked: an order can go FILLED, back to work when a bookmaker rejects its bet, then REJECTED or
EXPIRED with filledStake 0, and each of those is taken because it is newer. On an equal
``updatedAt`` (ABP's timestamps have millisecond resolution) a stream update wins, since the
stream's ``seq`` orders updates within a connection; a REST snapshot wins only when it is at
least as far along the usual lifecycle (so a read racing a same-millisecond update cannot undo
it). Objects without ``updatedAt`` fall back to that lifecycle order alone.

Bounded: at most ``max_orders`` orders and ``max_bets`` bets; the least recently updated go
first, preferring closed ones; closed entries untouched for ``ttl`` seconds are dropped as new
ones arrive. A bot can run for weeks.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import TypeVar

from wagerkit.abp.models import Bet, BetStatus, Order, OrderStatus, SettlementStatus

__all__ = ["StateCache", "bet_closed", "bet_rank", "order_rank", "version_of"]

_ORDER_RANK = {
    OrderStatus.PENDING: 0,
    OrderStatus.PROCESSING: 1,
    OrderStatus.PARTIALLY_FILLED: 2,
    OrderStatus.FILLED: 3,
    OrderStatus.CANCELLED: 3,
    OrderStatus.REJECTED: 3,
    OrderStatus.EXPIRED: 3,
    OrderStatus.FAILED: 3,
}
_BET_RANK = {
    BetStatus.PENDING: 0,
    BetStatus.PLACED: 1,
    BetStatus.CONFIRMED: 2,
    BetStatus.REJECTED: 3,
    BetStatus.CANCELLED: 3,
    BetStatus.FAILED: 3,
    BetStatus.VOID: 3,
}
_FAILED_BET = frozenset({BetStatus.REJECTED, BetStatus.FAILED, BetStatus.CANCELLED})
_EPOCH = dt.datetime.min.replace(tzinfo=dt.UTC)

K = TypeVar("K")
V = TypeVar("V")


def _ts(value: dt.datetime | None) -> dt.datetime:
    if value is None:
        return _EPOCH
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def version_of(updated_at: dt.datetime | None) -> tuple[float, ...]:
    """ABP's version of an object: its ``updatedAt`` as epoch seconds (empty when absent)."""
    return (_ts(updated_at).timestamp(),) if updated_at is not None else ()


def order_rank(order: Order) -> tuple[int, float]:
    """How far along the usual lifecycle an order is: only breaks ties of ``updatedAt``."""
    return (_ORDER_RANK[order.order_status], order.filled_stake)


def bet_rank(bet: Bet) -> tuple[int, int]:
    """How far along the usual lifecycle a bet is (settled, then status): ties only."""
    settled = int(bet.settlement_status is not SettlementStatus.UNSETTLED)
    return (settled, _BET_RANK[bet.bet_status])


def _later(
    new_at: dt.datetime | None,
    held_at: dt.datetime | None,
    new_rank: tuple[int, float],
    held_rank: tuple[int, float],
    stream: bool,
) -> bool:
    """Whether an incoming version is the venue's later word (see the module doc)."""
    if new_at is not None and held_at is not None:
        a, b = _ts(new_at), _ts(held_at)
        if a != b:
            return a > b
        return stream or new_rank >= held_rank
    if new_at is not None and held_at is None:
        return True
    if new_at is None and held_at is not None:
        return False
    return new_rank >= held_rank


def bet_closed(bet: Bet) -> bool:
    """Nothing more will happen to this bet."""
    return bet.bet_status.final or bet.settlement_status is not SettlementStatus.UNSETTLED


class StateCache:
    """Orders by orderId and bets by betId, merged by the venue's latest word (module doc).

    ``on_order``/``on_bet`` callbacks run after a stored object changed (e.g. to feed
    :meth:`wagerkit.execution.OrderManager.on_order`).
    """

    def __init__(
        self,
        *,
        max_orders: int = 100_000,
        max_bets: int = 200_000,
        ttl: float = 86_400.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_orders = max_orders
        self.max_bets = max_bets
        self.ttl = ttl
        self._clock = clock
        self._orders: OrderedDict[int, tuple[Order, float]] = OrderedDict()
        self._bets: OrderedDict[int, tuple[Bet, float]] = OrderedDict()
        self._uuid: dict[str, int] = {}
        self._bets_of: dict[int, set[int]] = {}
        self.on_order: list[Callable[[Order], None]] = []
        self.on_bet: list[Callable[[Bet], None]] = []
        self.max_order_id = 0
        """Highest orderId ever stored (survives eviction)."""

    # ----------------------------------------------------------------------------------------
    # writing

    def apply_order(self, order: Order, *, stream: bool = False) -> bool:
        """Store ``order`` (and its nested bets) unless the stored version is later.

        ``stream`` marks an update read from the WebSocket (it wins a tie of ``updatedAt``).
        """
        for bet in order.bets:
            self.apply_bet(bet, stream=stream)
        oid = order.order_id
        now = self._clock()
        held = self._orders.get(oid)
        if held is not None and not _later(
            order.updated_at,
            held[0].updated_at,
            order_rank(order),
            order_rank(held[0]),
            stream,
        ):
            return False
        if held is not None and held[0] == order:
            self._orders.move_to_end(oid)
            return False
        self._orders[oid] = (order, now)
        self._orders.move_to_end(oid)
        if order.request_uuid:
            self._uuid[order.request_uuid] = oid
        self.max_order_id = max(self.max_order_id, oid)
        self._trim_orders(now)
        for cb in self.on_order:
            cb(order)
        return True

    def apply_bet(self, bet: Bet, *, stream: bool = False) -> bool:
        """Store ``bet`` unless the stored version is later (see :meth:`apply_order`)."""
        bid = bet.bet_id
        now = self._clock()
        held = self._bets.get(bid)
        if held is not None and not _later(
            bet.updated_at or bet.settled_at,
            held[0].updated_at or held[0].settled_at,
            bet_rank(bet),
            bet_rank(held[0]),
            stream,
        ):
            return False
        if held is not None and held[0] == bet:
            self._bets.move_to_end(bid)
            return False
        self._bets[bid] = (bet, now)
        self._bets.move_to_end(bid)
        if bet.order_id is not None:
            self._bets_of.setdefault(bet.order_id, set()).add(bid)
        self._trim_bets(now)
        for cb in self.on_bet:
            cb(bet)
        return True

    def apply_orders(self, orders: Iterable[Order]) -> int:
        return sum(self.apply_order(o) for o in orders)

    def apply_bets(self, bets: Iterable[Bet]) -> int:
        return sum(self.apply_bet(b) for b in bets)

    def _trim_orders(self, now: float) -> None:
        while self._orders:
            oid, (order, seen) = next(iter(self._orders.items()))
            expired = now - seen > self.ttl and self._order_closed(order)
            if len(self._orders) <= self.max_orders and not expired:
                return
            self._orders.popitem(last=False)
            if order.request_uuid and self._uuid.get(order.request_uuid) == oid:
                del self._uuid[order.request_uuid]

    def _trim_bets(self, now: float) -> None:
        while self._bets:
            bid, (bet, seen) = next(iter(self._bets.items()))
            expired = now - seen > self.ttl and bet_closed(bet)
            if len(self._bets) <= self.max_bets and not expired:
                return
            self._bets.popitem(last=False)
            if bet.order_id is not None:
                ids = self._bets_of.get(bet.order_id)
                if ids is not None:
                    ids.discard(bid)
                    if not ids:
                        del self._bets_of[bet.order_id]

    # ----------------------------------------------------------------------------------------
    # reading

    def order(self, order_id: int) -> Order | None:
        held = self._orders.get(order_id)
        return held[0] if held is not None else None

    def order_by_uuid(self, request_uuid: str) -> Order | None:
        oid = self._uuid.get(request_uuid)
        return self.order(oid) if oid is not None else None

    def bet(self, bet_id: int) -> Bet | None:
        held = self._bets.get(bet_id)
        return held[0] if held is not None else None

    def bets_of(self, order_id: int) -> list[Bet]:
        """The bets of one order, by betId."""
        return [
            self._bets[b][0] for b in sorted(self._bets_of.get(order_id, ())) if b in self._bets
        ]

    def orders(self) -> list[Order]:
        return [o for o, _ in self._orders.values()]

    def bets(self) -> list[Bet]:
        return [b for b, _ in self._bets.values()]

    def _order_closed(self, order: Order) -> bool:
        """Nothing more can happen to the order: final, every bet of it closed, and no bet
        failed after the order's own last version.

        ABP re-opens an order when a bookmaker rejects one of its bets, so a bet REJECTED (or
        FAILED, CANCELLED) later than the order's ``updatedAt`` means the order has a newer
        version we have not seen: it stays open until it is read again. An order with a filled
        stake but no bet known here is open too (its bets have not been read yet).
        """
        if not order.order_status.final:
            return False
        bets = self.bets_of(order.order_id)
        if order.filled_stake > 0 and not bets:
            return False
        at = _ts(order.updated_at)
        for b in bets:
            if not bet_closed(b):
                return False
            if b.bet_status in _FAILED_BET and _ts(b.updated_at) > at:
                return False
        return True

    def open_order_ids(self) -> list[int]:
        """Orders ABP may still change (see :meth:`_order_closed`): what reconciliation re-reads."""
        return [oid for oid, (o, _) in self._orders.items() if not self._order_closed(o)]

    def __len__(self) -> int:
        return len(self._orders)

    def __repr__(self) -> str:
        return f"StateCache(orders={len(self._orders)}, bets={len(self._bets)})"
