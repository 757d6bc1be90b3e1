"""The order manager: submit orders so that a retry can never become a second bet.

The rules, in the order they are applied:

1. **Refuse a second submit.** The engine's :class:`~wagerkit.DedupeCache` (30 minutes, like
   ABP's own window) refuses a requestUuid already submitted: :class:`InvalidInput`, nothing sent.
2. **Journal first.** Every order is written to the journal before any byte is sent.
3. **Same requestUuid, same bytes, every time.** The :class:`OrderRequest` is immutable.
4. **Only retry what is safe.** The client retries by itself only what provably did not reach
   ABP (connect failure) or what ABP asked to delay (429, Retry-After), through
   :class:`~wagerkit.transport.RetryPolicy`. Everything else is handled here:
5. **After an ambiguous failure, look first.** A timeout, a lost connection (any network
   failure except "could not connect"), a 5xx, a 2xx whose body we could not read, or a 409
   ("all duplicates") means the orders may exist: the manager asks ABP for them by requestUuid
   (a read, retried under the policy) before anything else. Those found are accepted; only those
   not found are sent again, with the same requestUuid, so that even if the first request is
   still in flight ABP's own idempotency skips the second.
6. **Bounded.** After ``max_resends`` rounds the still-unknown orders end ``UNKNOWN`` (also when
   the lookups themselves keep failing, whatever the error): the bot must reconcile
   (``recover``/``reconcile``) before acting on them. Orders whose placement was interrupted
   (the task cancelled mid-request) stay ``SENT``; :meth:`OrderManager.reconcile` covers them
   too.
7. **Restart-safe.** After a restart, :meth:`OrderManager.recover` reloads every requestUuid
   journaled within the dedupe window into the dedupe cache (so the local refusal of a second
   submit survives the restart) and looks up every order whose outcome was never recorded.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence

import anyio

from wagerkit._core import DedupeCache
from wagerkit.abp.client import AbpClient
from wagerkit.abp.models import Order, PlaceOrdersResponse
from wagerkit.abp.orders import MAX_ORDERS_PER_REQUEST, OrderRequest, validate_batch
from wagerkit.abp.state import StateCache
from wagerkit.errors import (
    AuthError,
    ConnectFailed,
    DuplicateRequest,
    InvalidInput,
    NetworkError,
    ProtocolError,
    RateLimited,
    ServerError,
    VenueError,
    WagerkitError,
)
from wagerkit.execution.journal import Journal, MemoryJournal, entry
from wagerkit.execution.lifecycle import LocalStatus, ManagedOrder
from wagerkit.transport import Backoff, RetryPolicy

__all__ = ["DEDUPE_WINDOW", "OrderManager"]

log = logging.getLogger("wagerkit.execution")

DEDUPE_WINDOW = 1800.0
"""Seconds a requestUuid stays refused after a submit (ABP skips duplicates for 30 minutes)."""

_LOOKUP_CHUNK = 50


class OrderManager:
    """Places ABP orders safely and keeps each one's lifecycle.

    ``journal`` defaults to a bounded in-memory one (pass a
    :class:`~wagerkit.execution.FileJournal` to survive a crash). ``retry`` governs the
    lookups (reads). ``max_resends`` bounds the rounds of "look up, resend what is missing".
    ``capacity`` bounds how many *resolved* orders are remembered (oldest dropped first); an
    order whose fate is not known yet (CREATED, SENT, UNKNOWN) is never forgotten, since
    :meth:`reconcile` still has to ask ABP about it.
    ``state``, when given (usually the stream's), receives accepted orders and feeds their
    later updates back into each order's lifecycle.
    """

    def __init__(
        self,
        client: AbpClient,
        *,
        journal: Journal | None = None,
        dedupe: DedupeCache | None = None,
        retry: RetryPolicy | None = None,
        max_resends: int = 6,
        backoff: Backoff | None = None,
        capacity: int = 100_000,
        timeout: float | None = None,
        state: StateCache | None = None,
    ) -> None:
        if max_resends < 0:
            raise InvalidInput("max_resends must be >= 0", field="max_resends")
        self.client = client
        self.journal: Journal = journal if journal is not None else MemoryJournal()
        self.dedupe = dedupe if dedupe is not None else DedupeCache(ttl=DEDUPE_WINDOW)
        self.retry = retry if retry is not None else RetryPolicy()
        self.max_resends = max_resends
        self._backoff = backoff if backoff is not None else Backoff(initial=0.05, maximum=1.0)
        self._capacity = capacity
        self._timeout = timeout
        self._orders: OrderedDict[str, ManagedOrder] = OrderedDict()
        self._inflight: set[str] = set()
        """requestUuids of batches being placed right now (reconcile leaves them alone)."""
        self.state = state
        if state is not None:
            state.on_order.append(self.on_order)

    # ----------------------------------------------------------------------------------------
    # reading

    def get(self, request_uuid: str) -> ManagedOrder | None:
        return self._orders.get(request_uuid)

    def orders(self) -> list[ManagedOrder]:
        """Every remembered order, oldest first."""
        return list(self._orders.values())

    def on_order(self, order: Order, source: str = "stream") -> None:
        """Feed a venue update (stream or REST) into the matching order's lifecycle."""
        if order.request_uuid is None:
            return
        managed = self._orders.get(order.request_uuid)
        if managed is not None:
            managed.observe(order, source)

    # ----------------------------------------------------------------------------------------
    # placing

    async def place(self, order: OrderRequest) -> ManagedOrder:
        """Submit one order; returns it ACCEPTED, DECLINED, NOT_SENT or (rarely) UNKNOWN."""
        return (await self.place_many([order]))[0]

    async def place_many(self, orders: Sequence[OrderRequest]) -> list[ManagedOrder]:
        """Submit orders in requests of at most 100; results in the same order as given."""
        out: list[ManagedOrder] = []
        for start in range(0, len(orders), MAX_ORDERS_PER_REQUEST):
            out.extend(await self._place_batch(orders[start : start + MAX_ORDERS_PER_REQUEST]))
        return out

    def _admit(self, orders: Sequence[OrderRequest]) -> list[ManagedOrder]:
        validate_batch(orders)
        admitted: list[str] = []
        for o in orders:
            if not self.dedupe.check_and_insert(o.request_uuid):
                for uuid in admitted:  # refuse the whole batch, as if it was never offered
                    self.dedupe.remove(uuid)
                raise InvalidInput(
                    f"requestUuid {o.request_uuid} was already submitted; refusing to send it "
                    "again (look it up instead)",
                    field="request_uuid",
                )
            admitted.append(o.request_uuid)
        managed = [ManagedOrder(o) for o in orders]
        self.journal.append(
            entry(m.request_uuid, LocalStatus.CREATED.value, request=m.request) for m in managed
        )
        for m in managed:
            self._remember(m)
        return managed

    def _remember(self, m: ManagedOrder) -> None:
        """Keep ``m``; over capacity, forget the oldest *resolved* orders only.

        Unresolved orders stay whatever the count: forgetting one would let reconcile skip an
        order that may exist at ABP. Their number is bounded by what the bot has in flight.
        """
        self._orders[m.request_uuid] = m
        excess = len(self._orders) - self._capacity
        if excess <= 0:
            return
        victims = []
        for uuid, held in self._orders.items():
            if held.resolved:
                victims.append(uuid)
                if len(victims) == excess:
                    break
        for uuid in victims:
            del self._orders[uuid]

    async def _place_batch(self, orders: Sequence[OrderRequest]) -> list[ManagedOrder]:
        managed = self._admit(orders)
        uuids = {m.request_uuid for m in managed}
        self._inflight |= uuids
        try:
            return await self._send_rounds(orders, managed)
        finally:
            self._inflight -= uuids

    async def _send_rounds(
        self, orders: Sequence[OrderRequest], managed: list[ManagedOrder]
    ) -> list[ManagedOrder]:
        """Send, look up after ambiguity, resend what ABP lacks: the rules of the module doc."""
        by_uuid = {m.request_uuid: m for m in managed}
        pending = list(managed)
        maybe_sent: set[str] = set()
        self._backoff.reset()
        rounds = 0
        while pending:
            for m in pending:
                m.attempts += 1
                m.mark(LocalStatus.SENT, f"attempt {m.attempts}")
                maybe_sent.add(m.request_uuid)
            self.journal.append(entry(m.request_uuid, LocalStatus.SENT.value) for m in pending)
            ambiguous: list[ManagedOrder]
            try:
                response = await self.client.place_orders(
                    [m.request for m in pending], timeout=self._timeout
                )
            except DuplicateRequest:
                ambiguous = pending
                note = "409: all duplicates"
            except (ConnectFailed, RateLimited) as exc:
                # The client already retried these as far as its policy allows. Nothing reached
                # ABP in the last attempt, but an earlier round may have: treat as ambiguous
                # only for orders that might have been sent before.
                ambiguous = [m for m in pending if m.attempts > 1]
                for m in pending:
                    if m.attempts == 1:
                        self._resolve(m, LocalStatus.NOT_SENT, f"{type(exc).__name__}: not sent")
                        self.dedupe.remove(m.request_uuid)
                note = type(exc).__name__
                if not ambiguous:
                    raise
            except (NetworkError, ServerError, ProtocolError) as exc:
                # MaybePlaced, or any other network failure once the request may have left
                # (the transport's mapping may change; only ConnectFailed proves "not sent"),
                # a 5xx, or a 2xx we could not read: the orders may exist. Look them up.
                ambiguous = pending
                note = type(exc).__name__
            except (InvalidInput, VenueError) as exc:
                # 400/422/401/403/404/501: ABP refused the request as a whole; nothing placed.
                # (Only after round one: a refusal after an ambiguous round is looked up.)
                ambiguous = [m for m in pending if m.attempts > 1]
                for m in pending:
                    if m.attempts == 1:
                        self._resolve(m, LocalStatus.NOT_SENT, f"refused: {exc}")
                        if isinstance(exc, AuthError):
                            # 401/403 come from ABP's middleware, before the request is looked
                            # at: nothing was stored, so the uuid may go again once the key is
                            # fixed (as after a connect failure).
                            self.dedupe.remove(m.request_uuid)
                note = type(exc).__name__
                if not ambiguous:
                    raise
            else:
                ambiguous = self._apply(response, pending)
                note = "not in the response (duplicate skipped?)"
            if not ambiguous:
                break
            for m in ambiguous:
                m.mark(LocalStatus.UNKNOWN, note)
            self.journal.append(
                entry(m.request_uuid, LocalStatus.UNKNOWN.value, note) for m in ambiguous
            )
            missing = await self._lookup_answered(ambiguous, rounds)
            if missing is None:
                rounds = self.max_resends  # lookups kept failing: out of rounds, stay UNKNOWN
                missing = ambiguous
            if not missing:
                break
            if rounds >= self.max_resends:
                log.warning(
                    "%d order(s) still unknown after %d resends; reconcile before acting",
                    len(missing),
                    rounds,
                )
                break
            rounds += 1
            await anyio.sleep(self._backoff.next_delay())
            pending = missing
        return [by_uuid[o.request_uuid] for o in orders]

    def _apply(self, response: PlaceOrdersResponse, sent: list[ManagedOrder]) -> list[ManagedOrder]:
        """Record accepted and declined orders; return those the response did not mention."""
        index = {m.request_uuid: m for m in sent}
        for order in response.accepted_orders:
            m = index.pop(order.request_uuid or "", None)
            if m is not None:
                self._accept(m, order, "place-orders")
        for declined in response.declined_orders:
            m = index.pop(declined.request_uuid or "", None)
            if m is not None:
                m.decline_reason = declined.decline_reason
                self._resolve(m, LocalStatus.DECLINED, declined.decline_reason)
        return list(index.values())

    def _accept(self, m: ManagedOrder, order: Order, source: str) -> None:
        m.observe(order, source)
        if self.state is not None:
            self.state.apply_order(order)
        self.journal.append(
            [entry(m.request_uuid, LocalStatus.ACCEPTED.value, source, order_id=order.order_id)]
        )

    def _resolve(self, m: ManagedOrder, status: LocalStatus, note: str) -> None:
        m.mark(status, note)
        self.journal.append([entry(m.request_uuid, status.value, note)])

    async def _lookup_answered(
        self, ambiguous: list[ManagedOrder], rounds: int
    ) -> list[ManagedOrder] | None:
        """Look up until ABP answers; never resend before it has. None = it never answered
        within the remaining rounds.

        Any library error counts as "no answer" (a network failure, a 5xx, but also a malformed
        page or a refused key): the orders stay UNKNOWN rather than the error escaping from
        :meth:`place`, which would leave the bot unsure what to do with them.
        """
        while True:
            try:
                return await self._lookup(ambiguous)
            except WagerkitError as exc:
                if rounds >= self.max_resends:
                    log.warning("lookup by requestUuid keeps failing (%s)", type(exc).__name__)
                    return None
                rounds += 1
                await anyio.sleep(self._backoff.next_delay())

    async def _lookup(self, ambiguous: list[ManagedOrder]) -> list[ManagedOrder]:
        """Ask ABP for the orders by requestUuid; accept the found ones, return the rest."""
        index = {m.request_uuid: m for m in ambiguous}
        for found in await self.find(index):
            m = index.pop(found.request_uuid or "", None)
            if m is not None:
                self._accept(m, found, "lookup by requestUuid")
        return list(index.values())

    async def find(self, request_uuids: Iterable[str]) -> list[Order]:
        """GET /orders by requestUuid (chunked, all pages, reads retried under the policy)."""
        uuids = list(request_uuids)
        found: list[Order] = []
        for start in range(0, len(uuids), _LOOKUP_CHUNK):
            chunk = uuids[start : start + _LOOKUP_CHUNK]

            async def read(chunk: list[str] = chunk) -> list[Order]:
                return [o async for o in self.client.iter_orders(request_uuids=chunk)]

            found.extend(await self.retry.call(read, read=True))
        return found

    # ----------------------------------------------------------------------------------------
    # recovery

    async def reconcile(self) -> list[ManagedOrder]:
        """Look up every remembered order whose fate is unknown; return those that stay so.

        That is every order in UNKNOWN, and every order left SENT by a placement that was
        interrupted (its task cancelled mid-request); those are marked UNKNOWN first. Orders of
        a placement still running are left to it. An order ABP does not have after its fate was
        unknown was never stored there; it is marked NOT_SENT rather than resent (its moment
        has usually passed: resend explicitly with a new order if still wanted). When ABP
        cannot be asked (any library error), nothing changes and every one is returned.
        """
        todo = [
            m
            for m in self._orders.values()
            if m.status in (LocalStatus.UNKNOWN, LocalStatus.SENT)
            and m.request_uuid not in self._inflight
        ]
        if not todo:
            return []
        interrupted = [m for m in todo if m.status is LocalStatus.SENT]
        for m in interrupted:
            m.mark(LocalStatus.UNKNOWN, "placement interrupted after sending")
        self.journal.append(
            entry(m.request_uuid, LocalStatus.UNKNOWN.value, "placement interrupted")
            for m in interrupted
        )
        try:
            missing = await self._lookup(todo)
        except WagerkitError as exc:
            log.warning("reconcile: lookup by requestUuid failed (%s)", type(exc).__name__)
            return todo
        for m in missing:
            self._resolve(m, LocalStatus.NOT_SENT, "not found at ABP on reconcile")
        return [m for m in todo if m.status is LocalStatus.UNKNOWN]

    async def recover(self) -> dict[str, Order | None]:
        """After a restart: refuse journaled uuids again, then look up every journaled order
        whose outcome was never recorded.

        Every requestUuid first journaled within the dedupe window (``dedupe.ttl`` seconds of
        wall-clock time) goes back into the dedupe cache first, so that a second submit of it is
        refused locally after the restart as it was before (for a full window from now: longer
        than needed, never shorter). Then returns requestUuid → the order at ABP, or None when
        ABP does not have it, and journals each answer so the next restart does not ask again.
        Call it before placing anything.
        """
        for uuid in self.journal.recent(time.time() - self.dedupe.ttl):
            self.dedupe.check_and_insert(uuid)
        uuids = self.journal.unresolved()
        result: dict[str, Order | None] = dict.fromkeys(uuids)
        for found in await self.find(uuids):
            if found.request_uuid in result:
                result[found.request_uuid] = found
        self.journal.append(
            entry(
                uuid,
                LocalStatus.ACCEPTED.value if o is not None else LocalStatus.NOT_SENT.value,
                "recover",
                order_id=o.order_id if o is not None else None,
            )
            for uuid, o in result.items()
        )
        return result

    def __repr__(self) -> str:
        return f"OrderManager(orders={len(self._orders)}, client={self.client!r})"
