"""One running simulated ABP: state, engine objects, background tasks and change publishing.

The HTTP and WebSocket layers call into :class:`AbpSim`; placement and the bet lifecycle live
in their own modules and use it. Everything runs on the server's event loop; state changes
happen in synchronous sections (no ``await`` inside), so each request sees a consistent world.
The lock makes those sections explicit and keeps them safe if a caller ever comes from
another thread (for example the admin helpers in ``testing.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import threading
from collections.abc import Coroutine
from typing import Any

from wagerkit._core import DedupeCache, to_minor
from wagerkit.sim.abp.analytics import Analytics
from wagerkit.sim.abp.auth import KeyRing
from wagerkit.sim.abp.clock import iso
from wagerkit.sim.abp.config import SimConfig
from wagerkit.sim.abp.events import EventBus
from wagerkit.sim.abp.faults import Faults
from wagerkit.sim.abp.lifecycle import BetLifecycle
from wagerkit.sim.abp.market import Market, Selection
from wagerkit.sim.abp.placement import Placement
from wagerkit.sim.abp.ratelimit import SlidingWindowLimiter
from wagerkit.sim.abp.records import Account, Bet, Order
from wagerkit.sim.abp.scenario import Scenario, load_scenario
from wagerkit.sim.abp.store import Store
from wagerkit.sim.abp.wire import (
    account_json,
    bet_json,
    currency_info,
    fixture_info,
    order_json,
    outcome_info,
    quote_json,
)

__all__ = ["AbpSim"]

log = logging.getLogger("wagerkit.sim.abp")


class AbpSim:
    """The simulator's core: build it from a :class:`SimConfig`, serve it with ``app.py``."""

    def __init__(self, config: SimConfig | None = None) -> None:
        self.config = config = config or SimConfig()
        self.clock = config.clock
        self.scenario: Scenario = config.scenario or load_scenario()
        self.keys = KeyRing(self.scenario.clients, config.api_key, config.rps)
        self.store = Store(config.db_path)
        restored = self.store.load()
        if restored:
            offset = float(self.store.get_meta("clockOffset", 0.0))
            if offset > self.clock.offset:
                self.clock.advance(offset - self.clock.offset)
            world_start = float(self.store.get_meta("worldStart"))
        else:
            world_start = self.clock.now()
        self.market = Market(self.scenario, world_start)
        self.bus = EventBus()
        self.faults = Faults()
        self.limiter = SlidingWindowLimiter(self.clock.monotonic)
        self.lock = threading.RLock()
        self.rng = random.Random(config.seed)
        self._dedupe: dict[str, DedupeCache] = {}
        self._dedupe_backdate = 0.0  # seconds the dedupe clock reads in the past (restores)
        self._tasks: set[asyncio.Task[None]] = set()
        self.started_at = self.clock.now()
        self._moves_done: set[int] = set()
        self._settlements_done: set[int] = set()
        self.lifecycle = BetLifecycle(self)
        self.placement = Placement(self)
        self.analytics = Analytics(self)
        if restored:
            self.market.restore(self.store.get_meta("market", {}))
            done = self.store.get_meta("scheduleDone", {})
            self._moves_done = {int(i) for i in done.get("moves", [])}
            self._settlements_done = {int(i) for i in done.get("settlements", [])}
            self._remember_recent_uuids()
        else:
            self._seed(world_start)

    # -- setup -------------------------------------------------------------------------------

    def _seed(self, world_start: float) -> None:
        now = self.clock.now()
        for spec in self.scenario.accounts:
            ccy = spec.currency_id
            self.store.put_account(
                Account(
                    client=spec.client,
                    bookmaker=spec.bookmaker,
                    username=spec.username,
                    password=spec.password,
                    currency=ccy,
                    balance=to_minor(spec.balance, ccy),
                    credit=None if spec.credit is None else to_minor(spec.credit, ccy),
                    active=spec.active,
                    priority=spec.priority,
                    max_stake=None
                    if spec.max_stake is None
                    else to_minor(spec.max_stake, ccy, "down"),
                    min_stake=None
                    if spec.min_stake is None
                    else to_minor(spec.min_stake, ccy, "up"),
                    verify_betslip=spec.verify_betslip,
                    multi_limit_allowed=spec.multi_limit_allowed,
                    meta=dict(spec.meta),
                    created_at=now,
                    updated_at=now,
                )
            )
        self.store.set_meta("worldStart", world_start)
        self.save_market()
        self.store.set_meta("seeded", True)

    def _remember_recent_uuids(self) -> None:
        """After a restart, requestUuids seen in the last 30 minutes are still duplicates, each
        for what is left of its window: it is put back at the time it was first seen.

        The first-seen times come from the store; a database written before they were stored
        falls back on each order's ``createdAt`` (the same instant: placement dedupes and
        creates the order under one lock).
        """
        now = self.clock.now()
        horizon = now - self.config.dedupe_ttl
        first_seen: dict[tuple[str, str], float] = {}
        for order in self.store.orders.values():
            if order.created_at > horizon and not order.test_order:
                first_seen[(order.client, order.request_uuid)] = order.created_at
        for client, request_uuid, seen_at in self.store.recent_uuids(horizon):
            key = (client, request_uuid)
            first_seen[key] = min(seen_at, first_seen.get(key, seen_at))
        # Oldest first: the cache expires and evicts in insertion order.
        for (client, request_uuid), seen_at in sorted(first_seen.items(), key=lambda kv: kv[1]):
            self._dedupe_backdate = max(0.0, now - seen_at)
            try:
                self.dedupe(client).check_and_insert(request_uuid)
            finally:
                self._dedupe_backdate = 0.0

    def _dedupe_clock(self) -> float:
        """The simulator's monotonic clock, read ``_dedupe_backdate`` seconds in the past."""
        return self.clock.monotonic() - self._dedupe_backdate

    def dedupe(self, client: str) -> DedupeCache:
        """The client's requestUuid window (the engine's TTL cache, on the simulator clock)."""
        cache = self._dedupe.get(client)
        if cache is None:
            cache = DedupeCache(
                ttl=self.config.dedupe_ttl,
                capacity=self.config.dedupe_capacity,
                clock=self._dedupe_clock,
            )
            self._dedupe[client] = cache
        return cache

    def first_seen(self, client: str, request_uuid: str) -> None:
        """A requestUuid entered the client's window now: keep that time (with ``--db``)."""
        self.store.remember_uuid(client, request_uuid, self.clock.now())

    def release_uuid(self, client: str, request_uuid: str) -> None:
        """Take a requestUuid back out of the window: the order it named was never stored.

        Used when placement fails inside the simulator before anything was kept, so the
        client's retry with the same requestUuid is processed instead of skipped (skipping it
        would lose the order).
        """
        self.dedupe(client).remove(request_uuid)
        self.store.forget_uuid(client, request_uuid)

    # -- background tasks --------------------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run ``coro`` on the server loop; failures are logged, never lost silently."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("simulator task failed", exc_info=task.exception())

    async def startup(self) -> None:
        """Start the scheduler and pick up orders and bets that were in flight at shutdown."""
        self.spawn(self._scheduler())
        with self.lock:
            self.placement.resume()
            self.lifecycle.resume()

    async def shutdown(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        with self.lock:
            self.store.set_meta("clockOffset", self.clock.offset)
            self.store.close()

    async def _scheduler(self) -> None:
        """Apply the scenario's timed price moves and settlements (simulator clock)."""
        while True:
            with self.lock:
                elapsed = self.clock.now() - self.market.world_start
                changed = False
                for i, mv in enumerate(self.scenario.moves):
                    if i not in self._moves_done and mv.after <= elapsed:
                        self._moves_done.add(i)
                        changed = True
                        sel = self.market.move(
                            mv.fixture_id,
                            mv.outcome_id,
                            mv.player_id,
                            mv.bookmaker,
                            back=mv.back,
                            price=mv.price,
                            limit=mv.limit,
                            limit_min=mv.limit_min,
                            active=mv.active,
                        )
                        self.market_changed(sel, mv.bookmaker)
                for i, st in enumerate(self.scenario.settlements):
                    if i not in self._settlements_done and st.after <= elapsed:
                        self._settlements_done.add(i)
                        changed = True
                        self.lifecycle.settle_fixture(st.fixture_id, st.results, st.default)
                if changed:
                    self.store.set_meta(
                        "scheduleDone",
                        {
                            "moves": sorted(self._moves_done),
                            "settlements": sorted(self._settlements_done),
                        },
                    )
            await asyncio.sleep(self.config.retry_interval)

    def advance_clock(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.store.set_meta("clockOffset", self.clock.offset)

    # -- change publishing -------------------------------------------------------------------

    def save_order(self, order: Order, event: str) -> None:
        """Persist an order and tell the client's ``orders`` subscribers."""
        order.updated_at = self.clock.now()
        self.store.put_order(order)
        if not self.bus.subscribers(order.client):
            return
        bets = [self.store.bets[i] for i in order.bet_ids if i in self.store.bets]
        self.bus.publish(
            "orders",
            event,
            order_json(order, self.market, bets),
            order.client,
            first=event == "INSERT",  # a new order goes ahead of its bets and balance
        )

    def save_bet(self, bet: Bet, event: str) -> None:
        bet.updated_at = self.clock.now()
        self.store.put_bet(bet)
        if self.bus.subscribers(bet.client):
            payload = bet_json(bet, self.market.fx)
            self.bus.publish("bets", event, payload, bet.client)
            if event == "SETTLED":
                self.bus.publish("settlements", "UPDATE", payload, bet.client)

    def save_account(self, acc: Account, event: str = "UPDATE", *, balance: bool = False) -> None:
        """Persist an account; publish on ``accounts`` or, for a balance change, ``balance``."""
        acc.updated_at = self.clock.now()
        self.store.put_account(acc)
        if not self.bus.subscribers(acc.client):
            return
        wire = account_json(acc, self.market.fx)
        if not balance:
            self.bus.publish("accounts", event, wire, acc.client)
            return
        payload = {
            k: wire[k]
            for k in (
                "bookmaker",
                "username",
                "balance",
                "credit",
                "currencyId",
                "currencyInfo",
                "updatedAt",
            )
        }
        self.bus.publish("balance", "UPDATE", payload, acc.client)

    def delete_account(self, acc: Account) -> None:
        self.store.delete_account(acc)
        self.bus.publish("accounts", "DELETE", account_json(acc, self.market.fx), acc.client)

    def save_market(self) -> None:
        """Persist quotes, used limits and rates (only with ``--db``: it is a full snapshot)."""
        if self.store.persistent:
            self.store.set_meta("market", self.market.snapshot())

    def market_changed(self, sel: Selection, bookmaker: str) -> None:
        """A quote moved: persist, push betslip updates, and let waiting orders retry."""
        self.save_market()
        fid, oid, pid = sel.key
        for client in {s.client for s in self.bus.subscribers()}:
            accounts = [a for a in self.store.client_accounts(client) if a.bookmaker == bookmaker]
            if not accounts:
                continue
            for entry in self.betslip_entries(sel, accounts):
                entry.update({"fixtureId": fid, "outcomeId": oid, "playerId": pid})
                entry["bookmaker"] = bookmaker
                self.bus.publish("betslip", "UPDATE", entry, client)

    def betslip_entries(self, sel: Selection, accounts: list[Account]) -> list[dict[str, Any]]:
        """Betslip odds entries for ``accounts``: one per bookmaker, its preferred account.

        Limits come from the engine's Book (cascade and balance cap applied), converted to USD
        beside the native values. An exchange's lay quote rides along in ``meta.lay``.
        """
        book = self.market.build_book(sel, accounts, skip_open_circuits=False)
        by_id = {a.engine_id: a for a in accounts}
        chosen: dict[str, Any] = {}
        lay: dict[str, Any] = {}
        for q in book.quotes(back=None):
            acc = by_id[q.account]
            state = sel.quotes.get((q.bookmaker, q.back))
            if state is None:
                continue
            if not q.back:
                if q.bookmaker not in lay:
                    entry = quote_json(self.market, sel, state, acc, q.max_stake, q.min_stake)
                    lay[q.bookmaker] = {
                        k: entry[k] for k in ("price", "limit", "limitMin", "limitUsd", "active")
                    }
                continue
            if q.bookmaker not in chosen or (acc.active and not chosen[q.bookmaker][0].active):
                chosen[q.bookmaker] = (acc, state, q)
        return [
            quote_json(self.market, sel, state, acc, q.max_stake, q.min_stake, lay.get(slug))
            for slug, (acc, state, q) in chosen.items()
        ]

    # -- reads shared by HTTP and WebSocket ------------------------------------------------------

    def fixture_info(self, fixture_id: str) -> dict[str, Any] | None:
        return fixture_info(self.market, fixture_id)

    def outcome_info(self, fixture_id: str, outcome_id: int, player_id: int) -> Any:
        return outcome_info(self.market, fixture_id, outcome_id, player_id)

    def currency_payload(self, currency: str) -> dict[str, Any] | None:
        return currency_info(self.market.fx, currency)

    def status_payload(self) -> dict[str, Any]:
        """GET /status (undocumented schema; ours): health, emergency flag, breakers."""
        now = self.clock.now()
        return {
            "status": "ok",
            "emergency": {"active": False, "level": None},
            "bookmakers": {
                slug: {"circuit": "open" if st.circuit_open(now) else "closed"}
                for slug, st in sorted(self.market.bookmakers.items())
            },
            "time": iso(now),
        }
