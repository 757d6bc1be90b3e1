"""The order manager: submit intents so that a retry can never become a second bet, at any venue.

The rules, in the order they are applied (the venue specifics come from its
:class:`~wagerkit.execution.adapter.VenueAdapter`):

1. **Refuse a second submit.** The engine's :class:`~wagerkit.DedupeCache` refuses a key
   already submitted within the venue's dedupe window: :class:`InvalidInput`, nothing sent.
2. **Journal first.** Every intent (with its request bytes) is journaled before any byte is
   sent, and every send is journaled before it leaves.
3. **Same key, same bytes, every time.** The request is immutable; resends reuse it.
4. **Nothing is "not sent" without proof.** An intent is NOT_SENT only when the adapter
   classifies the failure of its *only* send as "provably not sent" (connect refused, an auth
   refusal before the request is read), when the venue refused the whole request, or when a
   lookup misses it after ``decidable_at`` (the venue can no longer act on a request still on
   the wire: its expiry plus a clock-skew margin, or the dedupe window). Any other failure,
   including one that is not a wagerkit error at all (a RecursionError or UnicodeDecodeError
   while reading the answer), is ambiguous.
5. **After an ambiguity, look first.** The manager asks the venue for the keys before anything
   else. Found: ACCEPTED. Missed while still inside the venue's dedupe window (counted from the
   first send): resent with the same key, so the venue skips whichever copy lands second.
   Missed after ``decidable_at``: NOT_SENT. Otherwise UNKNOWN, with ``decidable_at`` set.
6. **Shared across processes (optional).** With ``shared=``
   (:class:`~wagerkit.execution.shared.SharedOrders`) a key that passed the local cache is also
   claimed in Redis for the venue's window, so another process offering it is refused; the
   claimer holds a lease on it until its fate is known, and :meth:`OrderManager.adopt` resolves
   a dead process's intents once their leases lapse. An unreachable Redis refuses the placement
   (:class:`~wagerkit.errors.SharedStateUnavailable`, nothing sent).
7. **Bounded.** After ``max_resends`` rounds the still-unknown intents end UNKNOWN (also when
   the lookups themselves keep failing). :meth:`OrderManager.reconcile` and
   :meth:`OrderManager.recover` (after a restart) apply rule 5 again, and by the same proof only.
   An intent is never left SENT by an exception; only a cancelled task can leave one SENT, and
   reconcile covers it.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import anyio

from wagerkit._core import DedupeCache
from wagerkit.errors import InvalidInput, WagerkitError
from wagerkit.execution.adapter import (
    Failure,
    Intent,
    LocalStatus,
    SubmitAnswer,
    VenueAdapter,
    VenueRecord,
)
from wagerkit.execution.journal import VENUE_EVENT, Journal, JournalEntry, MemoryJournal
from wagerkit.execution.lifecycle import ManagedOrder
from wagerkit.execution.registry import adapter_for
from wagerkit.execution.shared.orders import ClaimRecord, SharedOrders
from wagerkit.transport import Backoff

__all__ = ["DEDUPE_WINDOW", "OrderManager"]

log = logging.getLogger("wagerkit.execution")

DEDUPE_WINDOW = 1800.0
"""Default seconds a key stays refused after a submit (ABP and Pinnacle skip repeats for 30
minutes); the manager uses the longest window of its venues."""

_RESEND_MARGIN = 5.0
"""Seconds before the end of the venue's dedupe window after which a key is no longer resent
(a resend that lands after the window could be taken for a new bet)."""

_KEY_NS = uuid.UUID("5f3b8c1e-8a4f-4a43-9d0e-6b1f6f0c9a21")


def _dedupe_id(venue: str, key: str) -> str:
    """The key as the 128-bit id the dedupe cache holds (UUID keys as themselves)."""
    try:
        return str(uuid.UUID(key))
    except ValueError:
        return str(uuid.uuid5(_KEY_NS, f"{venue}\x00{key}"))


class OrderManager:
    """Places intents at one or more venues safely and keeps each one's lifecycle.

    ``venue`` (and ``more``) are venue adapters, or venue clients whose package registered one
    (``OrderManager(abp_client)`` works as it always did). ``journal`` defaults to a bounded
    in-memory one (pass a :class:`~wagerkit.execution.SqliteJournal` to survive a crash).
    ``max_resends`` bounds the rounds of "look up, resend what is missing". ``capacity`` bounds
    how many *resolved* intents are remembered (oldest dropped first); an unresolved one is
    never forgotten. ``state`` (ABP: usually the stream's ``StateCache``) is handed to the
    adapter factory of a client given here: accepted orders go into it and its later updates
    come back into each order's lifecycle. ``timeout`` is passed to each submit. ``shared``
    (:class:`~wagerkit.execution.shared.SharedOrders`, run its lease heartbeat with ``with`` or
    ``start()``) makes the dedupe window and order ownership span processes (rule 6).
    """

    def __init__(
        self,
        venue: object,
        *more: object,
        journal: Journal | None = None,
        dedupe: DedupeCache | None = None,
        max_resends: int = 6,
        backoff: Backoff | None = None,
        capacity: int = 100_000,
        timeout: float | None = None,
        state: object | None = None,
        retry: object | None = None,
        shared: SharedOrders | None = None,
    ) -> None:
        if max_resends < 0:
            raise InvalidInput("max_resends must be >= 0", field="max_resends")
        options: dict[str, Any] = {}
        if state is not None:
            options["state"] = state
        if retry is not None:
            options["retry"] = retry
        adapters = [adapter_for(v, **options) for v in (venue, *more)]
        self._adapters: dict[str, VenueAdapter[Any]] = {}
        for a in adapters:
            if a.venue in self._adapters:
                raise InvalidInput(f"two adapters for venue {a.venue!r}", field="venue")
            self._adapters[a.venue] = a
        self.adapter: VenueAdapter[Any] = adapters[0]
        self.client: Any = getattr(self.adapter, "client", venue)
        self.journal: Journal = journal if journal is not None else MemoryJournal()
        window = max(a.dedupe_window for a in adapters)
        self.dedupe = dedupe if dedupe is not None else DedupeCache(ttl=window)
        self.max_resends = max_resends
        self._backoff = backoff if backoff is not None else Backoff(initial=0.05, maximum=1.0)
        self._capacity = capacity
        self._timeout = timeout
        self._orders: OrderedDict[tuple[str, str], ManagedOrder] = OrderedDict()
        self._inflight: set[tuple[str, str]] = set()
        """(venue, key) of batches being placed right now (reconcile leaves them alone)."""
        self._created: dict[tuple[str, str], JournalEntry] = {}
        """CREATED entries of admitted intents, journaled with their first send (one
        transaction: a placement costs the journal two commits, not three)."""
        self.state = state
        self.shared = shared
        for a in adapters:
            bind = getattr(a, "bind", None)
            if bind is not None:
                bind(self.observe)

    # ----------------------------------------------------------------------------------------
    # reading

    @property
    def venues(self) -> list[str]:
        return list(self._adapters)

    def get(self, key: str, venue: str | None = None) -> ManagedOrder | None:
        """The intent with this key (at ``venue``, or at any of the manager's venues)."""
        if venue is not None:
            return self._orders.get((venue, key))
        for v in self._adapters:
            found = self._orders.get((v, key))
            if found is not None:
                return found
        return None

    def orders(self) -> list[ManagedOrder]:
        """Every remembered intent, oldest first."""
        return list(self._orders.values())

    def observe(
        self, record: VenueRecord, source: str = "stream", venue: str | None = None
    ) -> None:
        """Feed a venue's view of a request (stream or REST) into its lifecycle and journal.

        Taken only when not behind the view held (the venue's own version order decides).
        """
        m = self.get(record.key, venue)
        if m is None:
            return
        previous, was = m.venue_status, m.status
        if m.observe(record, source) and (record.status != previous or m.status is not was):
            event = m.status.value if m.status is not was else VENUE_EVENT
            self.journal.append(
                durable=False,
                entries=[
                    JournalEntry(
                        time.time(),
                        m.venue,
                        m.key,
                        event,
                        source,
                        venue_id=record.venue_id,
                        venue_status=record.status,
                    )
                ],
            )

    # ----------------------------------------------------------------------------------------
    # placing

    def _adapter(self, payload: object, venue: str | None) -> VenueAdapter[Any]:
        if venue is not None:
            try:
                return self._adapters[venue]
            except KeyError:
                raise InvalidInput(f"no adapter for venue {venue!r}", field="venue") from None
        if len(self._adapters) == 1:
            return self.adapter
        for a in self._adapters.values():
            accepts = getattr(a, "accepts", None)
            if accepts is not None and accepts(payload):
                return a
        raise InvalidInput(
            f"which venue is a {type(payload).__name__} for? pass venue=", field="venue"
        )

    async def place(self, order: object, *, venue: str | None = None) -> ManagedOrder:
        """Submit one request; returns it ACCEPTED, DECLINED, NOT_SENT or UNKNOWN."""
        return (await self.place_many([order], venue=venue))[0]

    async def place_many(
        self, orders: Sequence[object], *, venue: str | None = None
    ) -> list[ManagedOrder]:
        """Submit requests of one venue in batches of the venue's size; results in order."""
        if not orders:
            raise InvalidInput("no orders to place", field="orders")
        adapter = self._adapter(orders[0], venue)
        out: list[ManagedOrder] = []
        size = max(1, adapter.max_batch)
        for start in range(0, len(orders), size):
            batch = orders[start : start + size]
            managed = self._admit(adapter, batch)
            out.extend(await self._run(adapter, managed))
        return out

    def _admit(self, adapter: VenueAdapter[Any], payloads: Sequence[object]) -> list[ManagedOrder]:
        intents = [adapter.intent(p) for p in payloads]
        if any(i.venue != adapter.venue for i in intents):
            raise InvalidInput(f"the {adapter.venue} adapter made an intent for another venue")
        keys = [i.key for i in intents]
        if len(set(keys)) != len(keys):
            raise InvalidInput("the same key appears twice in one batch", field="orders")
        check = getattr(adapter, "validate_batch", None)
        if check is not None:
            check(payloads)
        encoded = [adapter.encode(i.payload) for i in intents]
        admitted: list[str] = []
        for i in intents:
            ident = _dedupe_id(i.venue, i.key)
            if not self.dedupe.check_and_insert(ident):
                for done in admitted:  # refuse the whole batch, as if it was never offered
                    self.dedupe.remove(done)
                raise InvalidInput(
                    f"key {i.key} was already submitted; refusing to send it again "
                    "(look it up instead)",
                    field="request_uuid",
                )
            admitted.append(ident)
        if self.shared is not None:
            try:
                self._claim_shared(adapter, intents, encoded)
            except BaseException:
                for done in admitted:
                    self.dedupe.remove(done)
                raise
        managed = [ManagedOrder(i) for i in intents]
        for i, data in zip(intents, encoded, strict=True):
            # written with the first SENT, in the same transaction, before the first byte
            self._created[(i.venue, i.key)] = JournalEntry(
                i.created_at,
                i.venue,
                i.key,
                LocalStatus.CREATED.value,
                kind=i.kind,
                user_ref=i.user_ref,
                expires_at=i.expires_at,
                payload=data,
            )
        for m in managed:
            self._remember(m)
        return managed

    def _claim_shared(
        self, adapter: VenueAdapter[Any], intents: list[Intent[Any]], encoded: list[bytes]
    ) -> None:
        """Claim every key in Redis (rule 6); on a refusal, give back the claims just made."""
        assert self.shared is not None
        records = [
            ClaimRecord(
                i.venue,
                i.key,
                self.shared.owner,
                i.kind,
                i.user_ref,
                i.expires_at,
                i.created_at,
                data,
            )
            for i, data in zip(intents, encoded, strict=True)
        ]
        holders = self.shared.claim_many(records, adapter.dedupe_window)  # one round trip
        refused = [(i, h) for i, h in zip(intents, holders, strict=True) if h is not None]
        if refused:
            for i, h in zip(intents, holders, strict=True):
                if h is None:  # give back the claims just made: nothing of the batch is sent
                    with contextlib.suppress(WagerkitError):
                        self.shared.release(i.venue, i.key)
            i, holder = refused[0]
            raise InvalidInput(
                f"key {i.key} was already submitted by another process ({holder}); "
                "refusing to send it again",
                field="request_uuid",
            )

    def _settled_shared(self, m: ManagedOrder, *, release: bool = False) -> None:
        """The intent's fate is known: give up its lease (and, if never sent, its claim)."""
        if self.shared is None:
            return
        try:
            if release:
                self.shared.release(m.venue, m.key)
            else:
                self.shared.resolved(m.venue, m.key)
        except WagerkitError as exc:  # the lease lapses; an adopter looks it up first
            log.warning("shared release of %s failed (%s)", m.key, type(exc).__name__)

    def _remember(self, m: ManagedOrder) -> None:
        """Keep ``m``; over capacity, forget the oldest *resolved* intents only."""
        self._orders[(m.venue, m.key)] = m
        excess = len(self._orders) - self._capacity
        if excess <= 0:
            return
        victims = []
        for ident, held in self._orders.items():
            if held.resolved:
                victims.append(ident)
                if len(victims) == excess:
                    break
        for ident in victims:
            del self._orders[ident]

    async def _run(
        self, adapter: VenueAdapter[Any], managed: list[ManagedOrder]
    ) -> list[ManagedOrder]:
        idents = {(m.venue, m.key) for m in managed}
        self._inflight |= idents
        try:
            await self._send_rounds(adapter, managed)
        finally:
            self._inflight -= idents
        return managed

    def _journal(self, m: ManagedOrder, status: LocalStatus, note: str, **extra: Any) -> None:
        self.journal.append([self._entry(m, status, note, **extra)])

    @staticmethod
    def _entry(m: ManagedOrder, status: LocalStatus, note: str, **extra: Any) -> JournalEntry:
        return JournalEntry(time.time(), m.venue, m.key, status.value, note, **extra)

    def _resolve(self, m: ManagedOrder, status: LocalStatus, note: str) -> None:
        m.mark(status, note)
        self._journal(m, status, note)
        if status is not LocalStatus.NOT_SENT:
            self._settled_shared(m)

    def _not_sent(self, m: ManagedOrder, note: str, *, release: bool) -> None:
        self._resolve(m, LocalStatus.NOT_SENT, note)
        if release:
            self.dedupe.remove(_dedupe_id(m.venue, m.key))
        self._settled_shared(m, release=release)

    def _unknown(self, adapter: VenueAdapter[Any], ms: Iterable[ManagedOrder], note: str) -> None:
        entries = []
        for m in ms:
            m.mark(LocalStatus.UNKNOWN, note)
            m.decidable_at = adapter.decidable_at(m.intent, m.last_sent_at or time.time())
            entries.append(self._entry(m, LocalStatus.UNKNOWN, note, decidable_at=m.decidable_at))
        self.journal.append(entries)

    async def _send_rounds(self, adapter: VenueAdapter[Any], managed: list[ManagedOrder]) -> None:
        """Send, look up after ambiguity, resend what the venue lacks (module doc rules)."""
        pending = list(managed)
        self._backoff.reset()
        rounds = 0
        while pending:
            now = time.time()
            for m in pending:
                m.attempts += 1
                m.mark(LocalStatus.SENT, f"attempt {m.attempts}")
                if m.first_sent_at is None:
                    m.first_sent_at = now
                m.last_sent_at = now
            entries = [
                e for m in pending if (e := self._created.pop((m.venue, m.key), None)) is not None
            ]
            entries += [self._entry(m, LocalStatus.SENT, "", attempt=m.attempts) for m in pending]
            self.journal.append(entries)
            ambiguous = await self._submit(adapter, pending)
            if not ambiguous:
                return
            note = ambiguous[0][1]
            unsure = [m for m, _ in ambiguous]
            self._unknown(adapter, unsure, note)
            missing = await self._lookup_answered(adapter, unsure, rounds)
            if missing is None:
                return  # lookups kept failing: UNKNOWN, for reconcile
            rounds += 1
            pending = self._decide(adapter, missing, resend=rounds <= self.max_resends)
            if pending:
                await anyio.sleep(self._backoff.next_delay())

    async def _submit(
        self, adapter: VenueAdapter[Any], pending: list[ManagedOrder]
    ) -> list[tuple[ManagedOrder, str]]:
        """One send; resolves what the answer settles, returns (ambiguous intent, why)."""
        try:
            answers = await adapter.submit([m.intent for m in pending], timeout=self._timeout)
        except anyio.get_cancelled_exc_class():
            raise  # the intents stay SENT: reconcile() covers them
        except Exception as exc:
            return self._failed(adapter, pending, exc)
        try:
            return self._apply(pending, answers)
        except Exception as exc:  # an answer the adapter built wrongly: still ambiguous
            log.warning("unreadable submit answer (%s)", type(exc).__name__)
            return [(m, "unreadable answer") for m in pending if m.status is LocalStatus.SENT]

    def _failed(
        self, adapter: VenueAdapter[Any], pending: list[ManagedOrder], exc: Exception
    ) -> list[tuple[ManagedOrder, str]]:
        """What a failed send proves; raises it when it settled every intent (nothing sent)."""
        if isinstance(exc, WagerkitError):
            try:
                kind = adapter.classify(exc)
            except Exception:
                kind = Failure.AMBIGUOUS
            note = type(exc).__name__
        else:
            # Not even a wagerkit error: a bug or a hostile answer the adapter did not catch.
            # The request may have been acted on.
            kind = Failure.AMBIGUOUS
            note = f"ProtocolError ({type(exc).__name__})"
        if kind is Failure.AMBIGUOUS:
            return [(m, note) for m in pending]
        ambiguous = [(m, note) for m in pending if m.attempts > 1]
        for m in pending:
            if m.attempts == 1:
                self._not_sent(
                    m,
                    f"{note}: not sent" if kind is Failure.NOT_SENT else f"refused: {exc}",
                    release=kind is Failure.NOT_SENT,
                )
        if not ambiguous:
            raise exc
        return ambiguous

    def _apply(
        self, sent: list[ManagedOrder], answers: Sequence[SubmitAnswer]
    ) -> list[tuple[ManagedOrder, str]]:
        index = {m.key: m for m in sent}
        for a in answers:
            m = index.get(a.key)
            if m is None:
                continue
            if a.status is LocalStatus.ACCEPTED and a.record is not None:
                del index[a.key]
                self._accept(m, a.record, "placement answer")
            elif a.status is LocalStatus.DECLINED:
                del index[a.key]
                m.decline_reason = a.reason
                self._resolve(m, LocalStatus.DECLINED, a.reason)
        return [(m, "not in the answer") for m in index.values()]

    def _accept(self, m: ManagedOrder, record: VenueRecord, source: str) -> None:
        """The venue holds a record of it: ACCEPTED, or DECLINED when the record says the venue
        refused it (``placed=False``, e.g. found NOT_ACCEPTED after a lost answer)."""
        m.observe(record, source)
        status = LocalStatus.DECLINED if not record.placed else LocalStatus.ACCEPTED
        if status is LocalStatus.DECLINED and m.status is not status:
            m.decline_reason = record.status  # an older record was taken: still the venue's no
            m.mark(status, f"{record.status} via {source}")
        entry = self._entry(m, status, source, venue_id=record.venue_id, venue_status=record.status)
        # Not on the placement's critical path: lost in a crash, recover() asks the venue again.
        self.journal.append([entry], durable=False)
        self._settled_shared(m)

    def _decide(
        self, adapter: VenueAdapter[Any], missing: list[ManagedOrder], *, resend: bool
    ) -> list[ManagedOrder]:
        """Intents the venue does not have: NOT_SENT once decidable, resend (same key) while
        inside the dedupe window, else UNKNOWN. Returns those to resend."""
        now = time.time()
        again = []
        for m in missing:
            decidable = adapter.decidable_at(m.intent, m.last_sent_at or now)
            if now >= decidable:
                self._not_sent(m, "not found after it became decidable", release=False)
            elif (
                resend
                and m.payload_known
                and m.first_sent_at is not None
                and now < m.first_sent_at + adapter.dedupe_window - _RESEND_MARGIN
            ):
                again.append(m)
            elif m.decidable_at != decidable:
                m.decidable_at = decidable
                self._journal(m, LocalStatus.UNKNOWN, "not found yet", decidable_at=decidable)
        if missing and not again:
            left = [m for m in missing if m.status is LocalStatus.UNKNOWN]
            if left:
                log.warning(
                    "%d intent(s) unknown at %s; decidable from %s",
                    len(left),
                    adapter.venue,
                    min(m.decidable_at or now for m in left),
                )
        return again

    async def _lookup_answered(
        self, adapter: VenueAdapter[Any], ambiguous: list[ManagedOrder], rounds: int
    ) -> list[ManagedOrder] | None:
        """Look up until the venue answers; never resend before it has. None = it never
        answered within the remaining rounds (the intents stay UNKNOWN)."""
        while True:
            try:
                return await self._lookup(adapter, ambiguous)
            except Exception as exc:
                if rounds >= self.max_resends:
                    log.warning("lookup by key keeps failing (%s)", type(exc).__name__)
                    return None
                rounds += 1
                await anyio.sleep(self._backoff.next_delay())

    async def _lookup(
        self, adapter: VenueAdapter[Any], ms: list[ManagedOrder]
    ) -> list[ManagedOrder]:
        """Ask the venue for the intents; accept the found ones, return the rest."""
        found = await adapter.lookup([m.intent for m in ms])
        missing = []
        for m in ms:
            record = found.get(m.key)
            if record is not None:
                self._accept(m, record, "lookup by key")
            else:
                missing.append(m)
        return missing

    async def find(self, keys: Iterable[str], *, venue: str | None = None) -> list[Any]:
        """The venue's objects (ABP ``Order``...) for the keys it has, by lookup."""
        adapter = self._adapters[venue] if venue is not None else self.adapter
        intents = []
        for k in keys:
            held = self._orders.get((adapter.venue, k))
            intents.append(held.intent if held is not None else Intent(adapter.venue, k, None))
        found: Mapping[str, VenueRecord] = await adapter.lookup(intents)
        return [r.raw for r in found.values()]

    async def refresh(self, *, venue: str | None = None) -> list[ManagedOrder]:
        """Re-read, by key, every accepted intent the venue may still change; apply what is newer.

        For venues without a stream (Pinnacle, Odds88), or a stream that was down: every
        ACCEPTED intent whose record is not ``final`` (at ``venue``, or at every venue) is
        looked up, and each record found is taken by the venue's own version order (as
        :meth:`observe`), journaled when the venue's status moved. A record saying the venue
        refused it (``placed=False``) makes the intent DECLINED. Intents of a placement still
        running are left to it. A venue that cannot be asked is skipped (logged; call again).
        Pinnacle's lookup waits for a live bet still pending its decision (bounded). Returns
        the intents whose venue status or local status changed.
        """
        if venue is not None and venue not in self._adapters:
            raise InvalidInput(f"no adapter for venue {venue!r}", field="venue")
        by_venue: dict[str, list[ManagedOrder]] = {}
        for ident, m in self._orders.items():
            if (
                m.status is LocalStatus.ACCEPTED
                and (m.record is None or not m.record.final)
                and ident not in self._inflight
                and (venue is None or m.venue == venue)
            ):
                by_venue.setdefault(m.venue, []).append(m)
        changed: list[ManagedOrder] = []
        for name, ms in by_venue.items():
            try:
                found = await self._adapters[name].lookup([m.intent for m in ms])
            except Exception as exc:  # any failure to ask: nothing changes for this venue
                log.warning("refresh: lookup at %s failed (%s)", name, type(exc).__name__)
                continue
            for m in ms:
                record = found.get(m.key)
                if record is None:
                    continue
                before = (m.status, m.venue_status)
                self.observe(record, "refresh", name)
                if (m.status, m.venue_status) != before:
                    changed.append(m)
        return changed

    # ----------------------------------------------------------------------------------------
    # recovery

    async def reconcile(self, *, resend: bool = False) -> list[ManagedOrder]:
        """Look up every remembered intent whose fate is unknown; return those that stay so.

        That is every intent in UNKNOWN, and every one left SENT by a placement whose task was
        cancelled (marked UNKNOWN first). Intents of a placement still running are left to it.
        Found: ACCEPTED. Missed: NOT_SENT only once ``decidable_at`` has passed (the venue can
        no longer act on a request still on the wire); before that it stays UNKNOWN, and is
        resent with the same key when ``resend`` is true and the venue's dedupe window still
        covers it. When the venue cannot be asked, nothing changes and every one is returned.
        """
        todo = [
            m
            for ident, m in self._orders.items()
            if m.status in (LocalStatus.UNKNOWN, LocalStatus.SENT) and ident not in self._inflight
        ]
        await self._settle(todo, resend=resend, note="placement interrupted")
        return [m for m in todo if m.status is LocalStatus.UNKNOWN]

    async def _settle(self, todo: list[ManagedOrder], *, resend: bool, note: str) -> None:
        by_venue: dict[str, list[ManagedOrder]] = {}
        for m in todo:
            by_venue.setdefault(m.venue, []).append(m)
        for venue, ms in by_venue.items():
            adapter = self._adapters[venue]
            sent = [m for m in ms if m.status is LocalStatus.SENT]
            if sent:
                self._unknown(adapter, sent, note)
            created = [m for m in ms if m.status is LocalStatus.CREATED]
            try:
                missing = await self._lookup(adapter, ms)
            except Exception as exc:  # any failure to ask: nothing changes, all stay unknown
                log.warning("reconcile: lookup at %s failed (%s)", venue, type(exc).__name__)
                continue
            for m in created:  # journaled, never sent: provably nothing left
                if m in missing:
                    self._not_sent(m, "never sent (crashed before sending)", release=True)
            missing = [m for m in missing if m.status is LocalStatus.UNKNOWN]
            again = self._decide(adapter, missing, resend=resend)
            if again:
                idents = {(m.venue, m.key) for m in again}
                self._inflight |= idents
                try:
                    await self._send_rounds(adapter, again)
                finally:
                    self._inflight -= idents

    async def recover(self, *, resend: bool = False) -> dict[str, ManagedOrder]:
        """After a restart: refuse journaled keys again, then settle every journaled intent
        whose outcome was never recorded, by the same proof as :meth:`reconcile`.

        Every key journaled within the dedupe window goes back into the dedupe cache first, so
        a second submit of it is refused locally after the restart as before. Then every
        unresolved intent is taken back under the manager's care and looked up: found is
        ACCEPTED; never sent (journaled CREATED only) is NOT_SENT; missed is NOT_SENT only after
        ``decidable_at``, else UNKNOWN (resent with the same key when ``resend`` is true and
        the venue's window still covers it). Returns key -> intent; call it before placing.
        """
        for venue in self._adapters:
            window = self._adapters[venue].dedupe_window
            for key in self.journal.recent(time.time() - window, venue):
                self.dedupe.check_and_insert(_dedupe_id(venue, key))
        rows = [r for r in self.journal.unresolved() if r.venue in self._adapters]
        taken: list[ManagedOrder] = []
        for row in rows:
            adapter = self._adapters[row.venue]
            payload: Any = None
            known = False
            if row.payload is not None:
                try:
                    payload = adapter.decode(row.payload)
                    known = True
                except Exception as exc:  # e.g. an expiry now in the past: look up only
                    log.info("journaled request %s not rebuilt (%s)", row.key, exc)
            intent = Intent(
                row.venue,
                row.key,
                payload,
                kind=row.kind,
                user_ref=row.user_ref,
                expires_at=row.expires_at,
                created_at=row.created_at,
            )
            m = ManagedOrder(intent, status=LocalStatus(row.status))
            m.payload_known = known
            m.attempts = row.attempts
            m.first_sent_at = row.first_sent_at
            m.last_sent_at = row.last_sent_at
            m.decidable_at = row.decidable_at
            self._remember(m)
            taken.append(m)
        await self._settle(taken, resend=resend, note="unanswered before a restart")
        return {m.key: m for m in taken}

    async def adopt(self, *, resend: bool = True) -> dict[str, ManagedOrder]:
        """Resolve the unresolved intents of processes that died (their leases lapsed).

        Needs ``shared=``. Each intent nobody holds a lease on is taken (one process wins it),
        journaled here with the request bytes from its claim, then settled by the same proof as
        :meth:`recover`: looked up first; resent with the same key only inside the venue's
        window (the venue skips a repeat), so an intent is never doubled and never lost.
        """
        if self.shared is None:
            raise InvalidInput("adopt() needs OrderManager(..., shared=...)", field="shared")
        taken: list[ManagedOrder] = []
        now = time.time()
        for rec in self.shared.orphans(set(self._adapters)):
            if (rec.venue, rec.key) in self._orders:
                continue  # ours already (a stable owner name after a restart)
            adapter = self._adapters[rec.venue]
            payload: Any = None
            known = False
            if rec.payload is not None:
                try:
                    payload = adapter.decode(rec.payload)
                    known = True
                except Exception as exc:
                    log.info("adopted request %s not rebuilt (%s)", rec.key, exc)
            intent = Intent(
                rec.venue,
                rec.key,
                payload,
                kind=rec.kind,
                user_ref=rec.user_ref,
                expires_at=rec.expires_at,
                created_at=rec.created_at,
            )
            self.dedupe.check_and_insert(_dedupe_id(rec.venue, rec.key))
            self.journal.append(
                [
                    JournalEntry(
                        rec.created_at,
                        rec.venue,
                        rec.key,
                        LocalStatus.CREATED.value,
                        f"adopted from {rec.owner}",
                        kind=rec.kind,
                        user_ref=rec.user_ref,
                        expires_at=rec.expires_at,
                        payload=rec.payload,
                    )
                ]
            )
            m = ManagedOrder(intent, status=LocalStatus.SENT)
            m.payload_known = known
            m.attempts = 1
            # the dead owner may have sent it up to now: count the window from the claim, the
            # "decidable" time from now (the later, the safer)
            m.first_sent_at = rec.created_at
            m.last_sent_at = now
            self._remember(m)
            taken.append(m)
        await self._settle(taken, resend=resend, note="adopted (owner's lease lapsed)")
        return {m.key: m for m in taken}

    def __repr__(self) -> str:
        return f"OrderManager(venues={self.venues}, orders={len(self._orders)})"
