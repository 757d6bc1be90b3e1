"""Order lifecycle on top of the engine: accept, route, fill, wait, expire, cancel.

Every routing decision is the engine's (``wagerkit._core.route``): this module only turns a
RoutePlan into bets and order states, and keeps trying while no price qualifies, every
``retry_interval`` seconds until ``expiresAt``. An order that reaches ``expiresAt`` with some
fill ends ``PARTIALLY_FILLED`` (the rest released), without any fill ``EXPIRED``.

Glue for what the engine's ``route`` cannot be told: the fills an order already has. ABP's
weighted-average rule lets a later bet go below orderPrice while the *order's* running average
stays at or above it (the Mode 2 worked example). A later pass therefore runs in two steps,
both through the engine:

1. route the remaining stake against the live book (prices at or better than orderPrice fill
   first, the first-bet rule applies to this pass);
2. if the order has fills and is still open, route ``filled + remaining`` against a book that
   holds a stand-in for the earlier fills (one quote at their average price, rounded toward
   orderPrice, limit = filledStake, in the order currency, first in sort order) and the live
   quotes *below* orderPrice only. The engine takes the stand-in first, so its
   weighted-average rule sees the order's true (F, W), and caps the new below-price legs
   exactly as ABP does. The stand-in leg is not a bet.
"""

from __future__ import annotations

import asyncio
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from wagerkit._core import (
    PRICE_SCALE,
    Book,
    DeclineReason,
    RoutePlan,
    minor_to_str,
    route,
    to_minor,
)
from wagerkit._core import Order as EngineOrder
from wagerkit.errors import InvalidInput
from wagerkit.sim.abp import records as r
from wagerkit.sim.abp.auth import Client
from wagerkit.sim.abp.clock import parse_iso
from wagerkit.sim.abp.records import Bet, Order
from wagerkit.sim.abp.validation import OrderRequest
from wagerkit.sim.abp.wire import order_json

if TYPE_CHECKING:
    from wagerkit.sim.abp.service import AbpSim

__all__ = ["PRIOR", "PlaceResult", "Placement"]

PRIOR = "__prior_fills__"
"""Bookmaker slug of the stand-in quote for an order's earlier fills (never a real bet)."""


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
                if not req.test_order and not dedupe.check_and_insert(req.request_uuid):
                    duplicates += 1
                    continue
                try:
                    if req.test_order:
                        self._test(client, req, accepted, declined)
                    else:
                        self._new(client, req, accepted, declined)
                except InvalidInput as exc:  # e.g. a stake beyond the engine's integer range
                    declined.append(_declined(req, f"Invalid order: {exc}"))
        if duplicates == len(requests):
            return PlaceResult(
                409,
                {
                    "detail": "Duplicate requestUuid: every order was already received in the "
                    "last 30 minutes"
                },
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
        plan, message = self._pass(client, order)
        if plan is None or plan.status == "declined":
            order.status = r.REJECTED
            order.working = False
            order.decline_reason = message
            sim.save_order(order, "INSERT")
            declined.append(_declined(req, message))
            return
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
        plan, message = self._route(client, order)  # a new order: step 1 is the whole pass
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

    def _pass(self, client: Client, order: Order) -> tuple[RoutePlan | None, str]:
        """One routing pass (both steps, see the module docstring); bets are opened."""
        plan, message = self._route(client, order)
        if plan is None or plan.status == "declined":
            return plan, message
        if plan.legs:
            self._apply(order, plan)
        if (
            order.working
            and order.filled > 0
            and order.accept_partial_stake
            and order.accept_better_odds
        ):
            more = self._route_after_fills(client, order)
            if more is not None:
                self._apply(order, more)
        return plan, message

    def _route_after_fills(self, client: Client, order: Order) -> RoutePlan | None:
        """Step 2: let below-price quotes in, judged against the order's earlier fills."""
        sim = self.sim
        sel = sim.market.selection(order.fixture_id, order.outcome_id, order.player_id)
        bets = [b for b in self.bets_of(order) if b.status in r.ACTIVE_BET_STATUSES]
        filled = sum(b.order_stake for b in bets)
        if sel is None or filled <= 0 or filled != order.filled:
            return None
        average = (
            sum((Fraction(b.order_stake) * Fraction(repr(b.price)) for b in bets), Fraction(0))
            / filled
        )
        scaled = average * PRICE_SCALE
        # Round toward orderPrice so the stand-in never claims more surplus than the fills have.
        fixed = int(scaled) if order.back else -int(-scaled)
        stand_in = fixed / PRICE_SCALE
        if (order.back and stand_in < order.price) or (not order.back and stand_in > order.price):
            return None

        def below(price: float, back: bool) -> bool:
            return price < order.price if back else price > order.price

        book = sim.market.build_book(
            sel,
            sim.store.client_accounts(client.name),
            allowed=client.bookmakers,
            now=sim.clock.now(),
            keep=below,
        )
        fid, oid, pid = sel.key
        account = f"{PRIOR}/{order.order_id}"
        book.set_account(account, PRIOR, order.currency, priority=2**31 - 1)
        book.upsert(f"{fid}:{PRIOR}:{oid}:{pid}", account, stand_in, filled, None, True, order.back)
        engine_order = EngineOrder(
            order.stake,
            order.currency,
            order.price,
            accept_better_odds=True,
            accept_partial_stake=True,
            back=order.back,
            bookmakers=None if order.bookmakers is None else [*order.bookmakers, PRIOR],
        )
        plan = route(engine_order, book, sim.market.fx)
        prior = [leg for leg in plan.legs if leg.bookmaker == PRIOR]
        if len(prior) != 1 or prior[0].order_stake != filled or len(plan.legs) == 1:
            return None
        return plan

    def _apply(self, order: Order, plan: RoutePlan) -> None:
        """Open a bet per leg and set the order's status from what is now filled."""
        sim = self.sim
        rejected = False
        for leg in plan.legs:
            if leg.bookmaker == PRIOR:
                continue
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
        before, filled = order.status, order.filled
        self._pass(sim.keys.client(order.client), order)
        if order.status != before:
            sim.save_order(order, "STATUS")
        elif order.filled != filled:
            sim.save_order(order, "UPDATE")
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
                    oid in ids
                    or order.request_uuid in uuids
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
