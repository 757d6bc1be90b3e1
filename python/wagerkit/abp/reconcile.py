"""Bring the state cache level with ABP over REST, after every (re)connect and seq gap.

A WebSocket only delivers what happens while it is connected. After a reconnect or a gap in
``seq``, what was missed is fetched with REST:

1. orders of each tracked ``userRef`` newer than the watermark (the highest orderId seen by the
   previous reconciliation): orders created while we were away;
2. every order ABP may still change, by orderId: not final, or with a bet not yet settled, or
   with a bet that failed after the order's last version (a bookmaker's rejection re-opens an
   order ABP had reported FILLED; see :meth:`StateCache.open_order_ids
   <wagerkit.abp.state.StateCache.open_order_ids>`);
3. the bets of all those orders, by orderId.

Orders below the watermark that the cache never saw cannot be found without walking everything;
that cannot happen for orders of a tracked userRef, since the previous reconciliation walked
them. Reads are retried under the client's policy; the cache keeps ABP's latest word (by
``updatedAt``), so a snapshot that races with stream updates cannot undo a newer one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from wagerkit.abp.client import AbpClient
from wagerkit.abp.state import StateCache

__all__ = ["ReconcileReport", "Reconciler"]

_CHUNK = 50


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    orders_read: int
    bets_read: int
    orders_changed: int
    bets_changed: int


class Reconciler:
    """Keeps a watermark between runs; one per stream."""

    def __init__(self, client: AbpClient, state: StateCache, user_refs: Sequence[str] = ()) -> None:
        self.client = client
        self.state = state
        self.user_refs = tuple(user_refs)
        self.watermark = 0
        self.runs = 0

    async def run(self) -> ReconcileReport:
        """One full pass (see the module doc)."""
        orders_read = bets_read = orders_changed = bets_changed = 0
        new_ids: set[int] = set()
        top = self.watermark
        for ref in self.user_refs:
            async for order in self.client.iter_orders(user_ref=ref):
                if order.order_id <= self.watermark:
                    break
                orders_read += 1
                top = max(top, order.order_id)
                new_ids.add(order.order_id)
                orders_changed += self.state.apply_order(order)
        open_ids = [oid for oid in self.state.open_order_ids() if oid not in new_ids]
        for start in range(0, len(open_ids), _CHUNK):
            chunk = open_ids[start : start + _CHUNK]
            async for order in self.client.iter_orders(order_ids=chunk):
                orders_read += 1
                orders_changed += self.state.apply_order(order)
        bet_ids = sorted(new_ids | set(open_ids))
        for start in range(0, len(bet_ids), _CHUNK):
            chunk = bet_ids[start : start + _CHUNK]
            async for bet in self.client.iter_bets(order_ids=chunk):
                bets_read += 1
                bets_changed += self.state.apply_bet(bet)
        self.watermark = top
        self.runs += 1
        return ReconcileReport(orders_read, bets_read, orders_changed, bets_changed)
