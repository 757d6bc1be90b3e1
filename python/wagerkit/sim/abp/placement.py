"""Order lifecycle on top of the engine: accept, route, fill, wait, expire, cancel.

Every routing decision is the engine's (``wagerkit._core.route``): this module only turns a
RoutePlan into bets and order states, and keeps trying while no price qualifies, every
``retry_interval`` seconds until ``expiresAt``. An order that reaches ``expiresAt`` with some
fill ends ``PARTIALLY_FILLED`` (the rest released), without any fill ``EXPIRED``.

Glue the engine does not provide: a later pass routes only the *remaining* stake as a fresh
engine Order, so the first-bet rule applies again to that pass (the engine's ``route`` has no
input for earlier fills). Each pass keeps its own average at or above orderPrice, so the
order's overall average does too; the simulator is at most stricter than ABP here.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from wagerkit._core import Book, DeclineReason, RoutePlan, minor_to_str, route, to_minor
from wagerkit._core import Order as EngineOrder
from wagerkit.sim.abp import records as r
from wagerkit.sim.abp.auth import Client
from wagerkit.sim.abp.clock import parse_iso
from wagerkit.sim.abp.records import Bet, Order
from wagerkit.sim.abp.validation import OrderRequest
from wagerkit.sim.abp.wire import order_json

if TYPE_CHECKING:
    from wagerkit.sim.abp.service import AbpSim

__all__ = ["PlaceResult", "Placement"]


class PlaceResult:
    """HTTP status and body of a /place-orders call."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status = status
        self.body = body


class Placement:
    """Places, works and cancels orders for :class:`~wagerkit.sim.abp.service.AbpSim`."""

    def __init__(self, sim: AbpSim) -> None:
        self.sim = sim
        self._workers: dict[int, asyncio.Task[None]] = {}

    # -- placing -----------------------------------------------------------------------------

    def place(self, client: Client, requests: list[OrderRequest]) -> PlaceResult:
        """Handle a validated /place-orders body (the whole request under the lock).

        A requestUuid already seen in the last 30 minutes is skipped silently; when every
        order is such a duplicate the answer is 409. Test orders are routed but nothing is
        stored, debited or deduplicated.
        """
        sim = self.sim
        accepted: list[dict[str, Any]] = []
        declined: list[dict[str, Any]] = []
        duplicates = 0
        with sim.lock:
            dedupe = sim.dedupe(client.name)
            for req in requests:
                if req.test_order:
                    self._test(client, req, accepted, declined)
                    continue
                if not dedupe.check_and_insert(req.request_uuid):
                    duplicates += 1
                    continue
                self._new(client, req, accepted, declined)
        if duplicates == len(requests):
            return PlaceResult(
                409,
                {"detail": "Duplicate requestUuid: every order was already received in the "
                 "last 30 minutes"},
            )
        if not declined:
            status = "accepted"
        elif not accepted:
            status = "declined"
        else:
            status = "partial-success"
        return PlaceResult(
            200, {"status": status, "acceptedOrders": accepted, "declinedOrders": declined}
        )

    def _order_from(self, client: Client, req: OrderRequest, order_id: int) -> Order:
        sim = self.sim
        now = sim.clock.now()
        expires = parse_iso(req.expires_at) if req.expires_at else now + sim.config.default_expiry
        expires = min(expires, now + sim.config.max_expiry)
        return Order(
            order_id=order_id,
            client=client.name,
            request_uuid=req.request_uuid,
            fixture_id=req.fixture_id or "",
            outcome_id=req.outcome_id,
            player_id=req.player_id,
            price=req.order_price,
            stake=to_minor(req.order_stake, req.order_currency),
            currency=req.order_currency,
            user_ref=req.user_ref,
            back=req.back,
            bookmakers=req.bookmakers,
            accept_better_odds=req.accept_better_odds,
            accept_partial_stake=req.accept_partial_stake,
            expires_at=expires,
            test_order=req.test_order,
            meta=req.meta,
            created_at=now,
            updated_at=now,
        )

    def _new(
        self,
        client: Client,
        req: OrderRequest,
        accepted: list[dict[str, Any]],
        declined: list[dict[str, Any]],
    ) -> None:
        sim = self.sim
        order = self._order_from(client, req, sim.store.next_id("order"))
        plan, message = self._route(client, order)
        if plan is None or plan.status == "declined":
            order.status = r.REJECTED
            order.working = False
            order.decline_reason = message
            sim.save_order(order, "INSERT")
            declined.append(_declined(req, message))
            return
        self._apply(client, order, plan)
        sim.save_order(order, "INSERT")
        if order.working:
            self._start_worker(order.order_id)
        accepted.append(order_json(order, sim.market, self.bets_of(order)))

    def _test(
        self,
        client: Client,
        req: OrderRequest,
        accepted: list[dict[str, Any]],
        declined: list[dict[str, Any]],
    ) -> None:
        """testOrder: validation and routing only; the would-be bets are shown, not placed."""
        sim = self.sim
        order = self._order_from(client, req, sim.store.next_id("order"))
        plan, message = self._route(client, order)
        if plan is None or plan.status == "declined":
            declined.append(_declined(req, message))
            return
        bets = [
            sim.lifecycle.open_bet(order, leg, self._account(leg.account), test=True)
            for leg in plan.legs
        ]
        order.filled = plan.filled
        order.status = _status_after(plan, order, False)
        order.working = False
        accepted.append(order_json(order, sim.market, bets))

    # -- routing -----------------------------------------------------------------------------

    def _route(self, client: Client, order: Order) -> tuple[RoutePlan | None, str]:
        """Route the order's remaining stake against the client's book right now."""
        sim = self.sim
        remaining = order.stake - order.filled
        if remaining <= 0:
            return None, (
                f"Order stake {minor_to_str(order.stake, order.currency)} {order.currency} "
                f"is below the smallest unit of {order.currency}"
            )
        books = sim.market.bookmakers
        if order.bookmakers and all(
            b in books and books[b].circuit_open(sim.clock.now()) for b in order.bookmakers
        ):
            return None, "Bookmaker not available: circuit open for " + ", ".join(order.bookmakers)
        engine_order = EngineOrder(
            remaining,
            order.currency,
            order.price,
            accept_better_odds=order.accept_better_odds,
            accept_partial_stake=order.accept_partial_stake,
            back=order.back,
            bookmakers=order.bookmakers,
        )
        sel = sim.market.selection(order.fixture_id, order.outcome_id, order.player_id)
        if sel is None:
            book = Book()
        else:
            book = sim.market.build_book(
                sel,
                sim.store.client_accounts(client.name),
                allowed=client.bookmakers,
                now=sim.clock.now(),
            )
        plan = route(engine_order, book, sim.market.fx)
        message = plan.message
        if plan.decline == DeclineReason.BOOKMAKER_NOT_AVAILABLE:
            message = "Bookmaker not available: " + message
        return plan, message

    def _apply(self, client: Client, order: Order, plan: RoutePlan) -> None:
        """Open a bet per leg and set the order's status from what is now filled."""
        sim = self.sim
        rejected = False
        for leg in plan.legs:
            bet = sim.lifecycle.open_bet(order, leg, self._account(leg.account))
            order.bet_ids.append(bet.bet_id)
            if bet.status in r.ACTIVE_BET_STATUSES:
                order.filled += bet.order_stake
            else:
                rejected = True
        order.status = _status_after(plan, order, rejected)
        order.working = order.status in r.LIVE_ORDER_STATUSES

    def _account(self, engine_id: str) -> r.Account:
        bookmaker, _, username = engine_id.partition("/")
        return self.sim.store.accounts[(bookmaker, username)]

    def bets_of(self, order: Order) -> list[Bet]:
        return [self.sim.store.bets[i] for i in order.bet_ids if i in self.sim.store.bets]

    # -- waiting -------------------------------------------------------------------------------

    def _start_worker(self, order_id: int) -> None:
        task = self._workers.get(order_id)
        if task is None or task.done():
            self._workers[order_id] = self.sim.spawn(self._work(order_id))

    async def _work(self, order_id: int) -> None:
        """Retry the order every ``retry_interval`` until filled, cancelled or expired."""
        sim = self.sim
        try:
            while True:
                await asyncio.sleep(sim.config.retry_interval)
                with sim.lock:
                    if not self.step(order_id):
                        return
        finally:
            self._workers.pop(order_id, None)

    def step(self, order_id: int) -> bool:
        """One retry pass; False when the order no longer needs a worker."""
        sim = self.sim
        order = sim.store.orders.get(order_id)
        if order is None or not order.working:
            return False
        if sim.clock.now() >= order.expires_at:
            self._expire(order)
            return False
        client = sim.keys.client(order.client)
        plan, _ = self._route(client, order)
        if plan is not None and plan.legs:
            before = order.status
            self._apply(client, order, plan)
            sim.save_order(order, "STATUS" if order.status != before else "UPDATE")
        return order.working

    def _expire(self, order: Order) -> None:
        order.working = False
        order.status = r.PARTIALLY_FILLED if order.filled > 0 else r.EXPIRED
        self.sim.save_order(order, "STATUS")

    def resume(self) -> None:
        """After a restart: expire what ran out while down, keep working the rest."""
        for order in list(self.sim.store.orders.values()):
            if order.working:
                self._start_worker(order.order_id)

    def reopen(self, order: Order) -> None:
        """A bet of ``order`` was rejected: work the order again if it has time left."""
        sim = self.sim
        before = order.status
        if order.status == r.CANCELLED:
            pass
        elif sim.clock.now() < order.expires_at:
            order.status = r.PARTIALLY_FILLED if order.filled > 0 else r.PENDING
            order.working = True
            self._start_worker(order.order_id)
        else:
            order.working = False
            order.status = r.PARTIALLY_FILLED if order.filled > 0 else r.REJECTED
        sim.save_order(order, "STATUS" if order.status != before else "UPDATE")

    # -- cancelling ----------------------------------------------------------------------------

    def cancel(
        self, client: str, order_ids: list[int], request_uuids: list[str], user_ref: str | None
    ) -> list[Order]:
        """Stop matching working orders (filter terms are OR-ed).

        An order without fills becomes CANCELLED; one with bets keeps them and ends
        PARTIALLY_FILLED with the rest released (ABP: confirmed bets cannot be cancelled).
        """
        sim = self.sim
        ids, uuids = set(order_ids), set(request_uuids)
        done: list[Order] = []
        with sim.lock:
            for oid in sim.store.client_order_ids(client):
                order = sim.store.orders[oid]
                if not (
                    oid in ids or order.request_uuid in uuids
                    or (user_ref is not None and order.user_ref == user_ref)
                ):
                    continue
                if not order.working:
                    continue
                order.working = False
                order.status = r.PARTIALLY_FILLED if order.filled > 0 else r.CANCELLED
                task = self._workers.pop(oid, None)
                if task is not None:
                    task.cancel()
                sim.save_order(order, "STATUS")
                done.append(order)
        return done


def _status_after(plan: RoutePlan, order: Order, rejected: bool) -> str:
    """FILLED when this pass covered the rest and no leg was refused on the spot."""
    if plan.status == "filled" and order.filled > 0 and not rejected:
        return r.FILLED
    return r.PARTIALLY_FILLED if order.filled > 0 else r.PENDING


def _declined(req: OrderRequest, reason: str) -> dict[str, Any]:
    return {
        "requestUuid": req.request_uuid,
        "fixtureId": req.fixture_id,
        "outcomeId": req.outcome_id,
        "declineReason": reason,
    }

