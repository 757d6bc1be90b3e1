"""Order lifecycle on top of the engine: accept, route, fill, wait, expire, cancel.

Every routing decision is the engine's (``wagerkit._core.route``): this module only turns a
RoutePlan into bets and order states, and keeps trying while no price qualifies, every
``retry_interval`` seconds until ``expiresAt``. An order that reaches ``expiresAt`` with some
fill ends ``PARTIALLY_FILLED`` (the rest released), without any fill ``EXPIRED``.

A later pass of a partly filled order (modes 2 and 4) gives the engine the order's standing
bets as ``prior`` legs, so ABP's weighted-average rule judges a below-price bet against the
whole order's running average, as in the docs' Mode 2 worked example (400 at 2.10, then at
1.95 up to (840 − 800) / 0.05 = 800 more). The all-or-nothing modes 1 and 3 only hold fills
on a later pass after a bookmaker rejected one of their bets; the rest is then routed as an
all-or-nothing order of its own (mode 3 skipping the bookmakers that already hold a bet).

Around the engine, the simulator decides which accounts and quotes go into the book, because
those are facts about bookmakers and accounts, not prices:

- a bookmaker whose circuit is open is left out; an order naming only such bookmakers is
  declined "Bookmaker not available";
- a bookmaker whose odds are "not fetched in time" (the ``oddsUnavailable`` admin fault) is
  left out; an order that only it could have served is declined "Odds temporarily
  unavailable", ABP's reason for that case;
- an account with ``multiLimitAllowed=false`` takes at most one bet per order: once it holds
  a standing bet of the order, later passes leave it out.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from wagerkit._core import (
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
from wagerkit.sim.abp.lifecycle import liability, max_lay_stake
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
                if not req.test_order:
                    if not dedupe.check_and_insert(req.request_uuid):
                        duplicates += 1
                        continue
                    sim.first_seen(client.name, req.request_uuid)
                stored = (len(sim.store.orders), len(sim.store.bets))
                try:
                    if req.test_order:
                        self._test(client, req, accepted, declined)
                    else:
                        with sim.bus.held():  # the order's INSERT goes out before its bets
                            self._new(client, req, accepted, declined)
                except InvalidInput as exc:  # e.g. a stake the engine cannot convert
                    message = f"Invalid order: {exc}"
                    if not req.test_order and stored[0] == len(sim.store.orders):
                        try:
                            self._store_rejected(client, req, message)
                        except InvalidInput:  # not even storable: the retry gets processed
                            sim.release_uuid(client.name, req.request_uuid)
                    declined.append(_declined(req, message))
                except Exception:
                    # A fault inside the simulator (the client sees a 500). If nothing of this
                    # order was kept, its requestUuid must not block the retry: that would
                    # lose the order. If anything was kept, the uuid stays (no second bet).
                    if not req.test_order and stored == (
                        len(sim.store.orders),
                        len(sim.store.bets),
                    ):
                        sim.release_uuid(client.name, req.request_uuid)
                    raise
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

    def _store_rejected(self, client: Client, req: OrderRequest, message: str) -> None:
        """Keep a declined order as REJECTED (no bets) so its requestUuid finds it."""
        sim = self.sim
        order = self._order_from(client, req, sim.store.next_id("order"))
        order.status = r.REJECTED
        order.working = False
        order.decline_reason = message
        sim.save_order(order, "INSERT")

    def _expired(self, req: OrderRequest) -> str | None:
        """The decline reason of an order whose expiresAt has already passed, else None."""
        if not req.expires_at:
            return None
        expires = parse_iso(req.expires_at)
        if expires > self.sim.clock.now():
            return None
        return f"Order expired: expiresAt {req.expires_at} is not in the future"

    def _new(
        self,
        client: Client,
        req: OrderRequest,
        accepted: list[dict[str, Any]],
        declined: list[dict[str, Any]],
    ) -> None:
        sim = self.sim
        late = self._expired(req)
        if late is not None:  # never routed: it would fill after the bettor's deadline
            self._store_rejected(client, req, late)
            declined.append(_declined(req, late))
            return
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
        late = self._expired(req)
        if late is not None:
            declined.append(_declined(req, late))
            return
        order = self._order_from(client, req, 0)  # never stored: no real orderId is used up
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
        """Route what the order still lacks against the client's book right now.

        Returns the engine's plan and the decline text ABP would give, or ``None`` and that
        text when the simulator itself refuses (circuit open, odds not fetched in time).
        """
        sim = self.sim
        if order.stake - order.filled <= 0:
            return None, (
                f"Order stake {minor_to_str(order.stake, order.currency)} {order.currency} "
                f"is below the smallest unit of {order.currency}"
            )
        books = sim.market.bookmakers
        now = sim.clock.now()
        if order.bookmakers and all(
            b in books and books[b].circuit_open(now) for b in order.bookmakers
        ):
            return None, "Bookmaker not available: circuit open for " + ", ".join(order.bookmakers)
        standing = [b for b in self.bets_of(order) if b.status in r.ACTIVE_BET_STATUSES]
        if order.accept_partial_stake:
            # The engine places stake − Σ prior and applies the rules to the whole order.
            stake = order.stake
            prior = [(b.order_stake, b.price) for b in standing]
        else:
            stake, prior = order.stake - sum(b.order_stake for b in standing), []
        engine_order = EngineOrder(
            stake,
            order.currency,
            order.price,
            accept_better_odds=order.accept_better_odds,
            accept_partial_stake=order.accept_partial_stake,
            back=order.back,
            bookmakers=order.bookmakers,
        )
        sel = sim.market.selection(order.fixture_id, order.outcome_id, order.player_id)
        stale: set[str] = set()
        if sel is None:
            plan = route(engine_order, Book(), sim.market.fx, prior)
        else:
            accounts = sim.store.client_accounts(client.name)
            stale = {
                a.bookmaker
                for a in accounts
                if sim.faults.odds_stale(a.bookmaker, order.fixture_id)
                and (a.bookmaker, order.back) in sel.quotes
                and client.allows(a.bookmaker)
                and (not order.bookmakers or a.bookmaker in order.bookmakers)
            }
            usable = self._usable_accounts(order, standing, accounts, stale)
            caps: dict[str, int] = {}
            while True:
                book = sim.market.build_book(
                    sel, usable, allowed=client.bookmakers, now=now, balance_caps=caps
                )
                plan = route(engine_order, book, sim.market.fx, prior)
                over = self._overdrawn(order, plan)
                if not over:
                    break
                if all(caps.get(a) == cap for a, cap in over.items()):
                    # The engine still routes more than the balance covers: not fillable now.
                    return None, "Insufficient balance: the lay liability exceeds the balance"
                caps.update(over)
        message = plan.message
        if plan.decline == DeclineReason.BOOKMAKER_NOT_AVAILABLE:
            if stale:
                label = DeclineReason.ODDS_TEMPORARILY_UNAVAILABLE.label
                return None, (
                    f"{label}: odds from {', '.join(sorted(stale))} were not fetched in time; retry"
                )
            message = "Bookmaker not available: " + message
        return plan, message

    def _overdrawn(self, order: Order, plan: RoutePlan) -> dict[str, int]:
        """Accounts whose leg would debit more than their balance, with the stake cap to use.

        A lay bet debits its liability stake×(price−1). The engine caps lay liability by the
        balance it is given; should it cap only the stake, the account is routed again with
        the largest stake whose liability fits (so a lay never takes the balance below zero).
        """
        over: dict[str, int] = {}
        for leg in plan.legs:
            acc = self._account(leg.account)
            risk = leg.stake if order.back else liability(leg.stake, leg.price)
            if risk > max(0, acc.balance):
                over[leg.account] = max_lay_stake(max(0, acc.balance), leg.price)
        return over

    def _usable_accounts(
        self, order: Order, standing: list[Bet], accounts: list[r.Account], stale: set[str]
    ) -> list[r.Account]:
        """The client's accounts this pass may bet with (see the module docstring)."""
        holding = {(b.bookmaker, b.account) for b in standing}
        used_bookmakers = {b.bookmaker for b in standing}
        return [
            a
            for a in accounts
            if a.bookmaker not in stale
            and (a.multi_limit_allowed or (a.bookmaker, a.username) not in holding)
            # mode 3 re-routing after a rejection: still one bet per bookmaker
            and (order.accept_partial_stake or a.bookmaker not in used_bookmakers)
        ]

    def _pass(self, client: Client, order: Order) -> tuple[RoutePlan | None, str]:
        """One routing pass; the plan's bets are opened and the order's status follows."""
        plan, message = self._route(client, order)
        if plan is None or plan.status == "declined":
            return plan, message
        if plan.legs:
            self._apply(order, plan)
        return plan, message

    def _apply(self, order: Order, plan: RoutePlan) -> None:
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
