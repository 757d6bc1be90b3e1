"""The order manager never turns a retry into a second bet, and never loses an order.

Driven against the in-memory fake ABP so every fault path is hit on purpose; the same proof
against the real simulator lives in test_abp_sim_faults.py.
"""

from __future__ import annotations

import time
import uuid

import anyio
import pytest

from tests.abp.conftest import fake_client, fast_retry
from tests.abp.fakeabp import FakeAbp
from wagerkit.abp import AbpClient, OrderRequest
from wagerkit.errors import AuthError, ConnectFailed, InvalidInput, NetworkError
from wagerkit.execution import (
    DEDUPE_WINDOW,
    JournalEntry,
    LocalStatus,
    ManagedOrder,
    MemoryJournal,
    OrderManager,
    SqliteJournal,
)
from wagerkit.sim.abp.testing import SimHandle
from wagerkit.transport import Backoff, RateLimiter

pytestmark = pytest.mark.anyio


def order(i: int = 0, stake: float = 10.0, ref: str = "bot") -> OrderRequest:
    return OrderRequest.create("id1000004461512432", 103, stake, 1.95, user_ref=ref, meta={"i": i})


def manager(fake: FakeAbp, **kw: object) -> OrderManager:
    kw.setdefault("retry", fast_retry())
    return OrderManager(fake_client(fake), backoff=Backoff(initial=0.001, maximum=0.002), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("fault", ["drop", "timeout", "late", "500", "500-after", "503", "429"])
async def test_each_ambiguous_fault_ends_as_exactly_one_order(fault: str) -> None:
    """Whatever goes wrong on the first attempt, the order exists once at ABP."""
    fake = FakeAbp([fault])
    m = manager(fake)
    o = order()
    got = await m.place(o)
    assert got.status is LocalStatus.ACCEPTED
    assert list(fake.by_uuid) == [o.request_uuid]
    assert got.order is not None and got.order.order_id == fake.by_uuid[o.request_uuid]
    assert fake.faults_hit == [fault]


async def test_many_orders_under_random_faults_none_lost_none_duplicated() -> None:
    """300 orders in batches while a third of placements fail in every way a network can:
    the server ends with exactly 300 orders, one per requestUuid, each known to the bot."""
    fake = FakeAbp(fault_rate=0.35, seed=7)
    m = manager(fake, max_resends=20)
    orders = [order(i) for i in range(300)]
    results = []
    for start in range(0, 300, 5):
        results += await m.place_many(orders[start : start + 5])
    assert len(fake.orders) == 300
    assert sorted(fake.by_uuid) == sorted(o.request_uuid for o in orders)
    assert all(r.status is LocalStatus.ACCEPTED for r in results)
    assert {r.order.order_id for r in results if r.order} == set(fake.orders)
    assert len(fake.faults_hit) >= 15  # the faults really happened
    assert {"drop", "timeout", "late"} <= set(fake.faults_hit)


async def test_request_uuid_is_identical_on_every_resend() -> None:
    fake = FakeAbp(["late", "500", "drop"])
    seen: list[bytes] = []
    inner = fake.handle

    async def spy(request):  # type: ignore[no-untyped-def]
        if request.url.path == "/place-orders":
            seen.append(request.content)
        return await inner(request)

    fake.handle = spy  # type: ignore[method-assign]
    m = manager(fake)
    await m.place(order())
    assert len(seen) >= 2
    assert len(set(seen)) == 1, "every retry must send the very same bytes"


async def test_lookup_comes_before_any_resend() -> None:
    """After an ambiguous failure the next request is a GET /orders by requestUuid."""
    fake = FakeAbp(["timeout"])
    paths: list[str] = []
    inner = fake.handle

    async def spy(request):  # type: ignore[no-untyped-def]
        paths.append(f"{request.method} {request.url.path}")
        return await inner(request)

    fake.handle = spy  # type: ignore[method-assign]
    o = order()
    await manager(fake).place(o)
    assert paths == ["POST /place-orders", "GET /orders"]


async def test_second_submit_of_same_uuid_is_refused_before_sending(fake: FakeAbp) -> None:
    m = manager(fake)
    o = order()
    await m.place(o)
    with pytest.raises(InvalidInput, match="already submitted"):
        await m.place(o)
    assert fake.placements == 1


async def test_connect_failure_is_not_sent_and_may_be_retried() -> None:
    fake = FakeAbp(["connect"] * 20)
    m = OrderManager(fake_client(fake, attempts=2))
    o = order()
    with pytest.raises(ConnectFailed):
        await m.place(o)
    got = m.get(o.request_uuid)
    assert got is not None and got.status is LocalStatus.NOT_SENT
    fake.script.clear()
    again = await m.place(o)  # provably never sent: the same order may go again
    assert again.status is LocalStatus.ACCEPTED
    assert len(fake.orders) == 1


async def test_declined_orders_are_recorded_with_reason() -> None:
    fake = FakeAbp(decline_over=50.0)
    got = await manager(fake).place_many([order(0, 10.0), order(1, 100.0)])
    assert [g.status for g in got] == [LocalStatus.ACCEPTED, LocalStatus.DECLINED]
    assert got[1].decline_reason and "exceeds available limit" in got[1].decline_reason


async def test_lifecycle_history_is_timestamped_and_ordered() -> None:
    fake = FakeAbp(["drop"])
    got = await manager(fake).place(order())
    states = [t.status for t in got.history]
    assert states[0] == "CREATED" and "SENT" in states and "UNKNOWN" in states
    assert states[-2:] == ["ACCEPTED", "FILLED"]
    times = [t.at for t in got.history]
    assert times == sorted(times)


async def test_journal_is_written_before_the_request(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Another connection to the SQLite file sees the intent SENT, with its request bytes,
    while the request is on its way: a crash from then on cannot lose it."""
    fake = FakeAbp()
    path = tmp_path / "orders.db"
    journal = SqliteJournal(path)
    inner = fake.handle
    o = order()
    seen: list[tuple[str, int]] = []

    async def spy(request):  # type: ignore[no-untyped-def]
        reader = SqliteJournal(path, read_only=True)
        (row,) = reader.unresolved()
        reader.close()
        assert row.key == o.request_uuid and row.payload and o.request_uuid.encode() in row.payload
        seen.append((row.status, row.attempts))
        return await inner(request)

    fake.handle = spy  # type: ignore[method-assign]
    await OrderManager(fake_client(fake), journal=journal).place(o)
    assert seen[0] == ("SENT", 1)
    assert journal.unresolved() == []
    journal.close()


def sent(o: OrderRequest, at: float | None = None) -> list[JournalEntry]:
    """What the manager journals for an order right before its request leaves."""
    at = time.time() if at is None else at
    exp = o.expires_at.timestamp() if o.expires_at else None
    return [
        JournalEntry(at, "abp", o.request_uuid, "CREATED", expires_at=exp, payload=enc(o)),
        JournalEntry(at, "abp", o.request_uuid, "SENT", attempt=1),
    ]


def enc(o: OrderRequest) -> bytes:
    return __import__("msgspec").json.encode(o)  # type: ignore[no-any-return]


async def test_recover_after_a_crash_looks_orders_up(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A journal with orders sent but never answered: recover() asks ABP about each. The one
    ABP has is ACCEPTED; the one it lacks is not called NOT_SENT (its request may still be on
    the wire) but UNKNOWN, with the time from which a miss proves it: its expiry + skew."""
    fake = FakeAbp()
    path = tmp_path / "orders.db"
    o1 = order(1)
    o2 = OrderRequest.create("id1000004461512432", 103, 10.0, 1.95, user_ref="bot", expires_in=60)
    crashed = SqliteJournal(path)
    crashed.append(sent(o1) + sent(o2))  # the process dies right after sending
    crashed.close()
    fake._commit([__import__("msgspec").to_builtins(o1)])  # o1 reached ABP, o2 did not (yet)
    restarted = OrderManager(fake_client(fake), journal=SqliteJournal(path))
    found = await restarted.recover()
    assert found[o1.request_uuid].status is LocalStatus.ACCEPTED
    assert found[o1.request_uuid].order.order_id == fake.by_uuid[o1.request_uuid]
    lost = found[o2.request_uuid]
    assert lost.status is LocalStatus.UNKNOWN and o2.expires_at is not None
    assert lost.decidable_at == pytest.approx(o2.expires_at.timestamp() + 5.0)
    assert [r.key for r in restarted.journal.unresolved()] == [o2.request_uuid]
    assert fake.placements == 0, "recover never resends unless asked"


async def test_recover_calls_a_journaled_but_never_sent_order_not_sent(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Journaled CREATED and nothing else: the crash came before the send was journaled, so
    no byte left (the send is journaled first). That is proof: NOT_SENT, free to go again."""
    fake = FakeAbp()
    path = tmp_path / "orders.db"
    o = order()
    with SqliteJournal(path) as j:
        j.append(sent(o)[:1])
    m = OrderManager(fake_client(fake), journal=SqliteJournal(path))
    found = await m.recover()
    assert found[o.request_uuid].status is LocalStatus.NOT_SENT
    assert (await m.place(o)).status is LocalStatus.ACCEPTED and len(fake.orders) == 1


async def test_recover_with_resend_places_a_missing_order_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """resend=True: a journaled order ABP lacks, still inside its 30-minute window, is resent
    with the same requestUuid (ABP would skip it if the first copy landed meanwhile)."""
    fake = FakeAbp()
    path = tmp_path / "orders.db"
    o = order()
    with SqliteJournal(path) as j:
        j.append(sent(o))
    m = OrderManager(fake_client(fake), journal=SqliteJournal(path))
    found = await m.recover(resend=True)
    assert found[o.request_uuid].status is LocalStatus.ACCEPTED
    assert list(fake.by_uuid) == [o.request_uuid] and fake.placements == 1


async def test_recover_looks_up_a_journaled_order_it_cannot_rebuild_and_never_resends_it(
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    """The journaled order expired while the bot was down: its request no longer validates,
    so recover() only looks it up by requestUuid (found: ACCEPTED; missed after its expiry:
    NOT_SENT by proof), even with resend=True."""
    fake = FakeAbp()
    path = tmp_path / "orders.db"
    o1, o2 = order(1), order(2)
    past = time.time() - 3600
    with SqliteJournal(path) as j:
        for o in (o1, o2):
            body = enc(o).replace(
                b'"requestUuid"', b'"expiresAt":"2020-01-01T00:00:00Z","requestUuid"'
            )
            j.append(
                [
                    JournalEntry(
                        past, "abp", o.request_uuid, "CREATED", expires_at=past + 5, payload=body
                    ),
                    JournalEntry(past, "abp", o.request_uuid, "SENT", attempt=1),
                ]
            )
    fake._commit([__import__("msgspec").to_builtins(o1)])
    m = OrderManager(fake_client(fake), journal=SqliteJournal(path))
    found = await m.recover(resend=True)
    assert found[o1.request_uuid].status is LocalStatus.ACCEPTED
    assert found[o2.request_uuid].status is LocalStatus.NOT_SENT
    assert found[o2.request_uuid].request is None and fake.placements == 0


async def test_memory_journal_is_bounded() -> None:
    j = MemoryJournal(capacity=10)
    for _ in range(50):
        u = str(uuid.uuid4())
        j.append([JournalEntry(time.time(), "abp", u, "CREATED")])
        j.append([JournalEntry(time.time(), "abp", u, "SENT", attempt=1)])
    assert len(j) == 10
    assert len(j.unresolved()) == 10


async def test_more_than_100_orders_go_in_requests_of_at_most_100() -> None:
    fake = FakeAbp()
    got = await manager(fake).place_many([order(i) for i in range(150)])
    assert fake.placements == 2 and len(fake.orders) == 150
    assert all(g.status is LocalStatus.ACCEPTED for g in got)


async def test_a_failing_lookup_is_retried_and_never_replaced_by_a_blind_resend() -> None:
    """The lookup after a dropped response fails too (timeouts, 5xx): the manager keeps
    asking, and only resends once ABP has answered that it does not have the order."""
    fake = FakeAbp(["drop"])
    fake.lookup_faults = ["timeout"] * 8 + ["500"] * 8
    got = await OrderManager(
        fake_client(fake, attempts=3),
        backoff=Backoff(initial=0.001, maximum=0.002),
        max_resends=10,
        retry=fast_retry(3),
    ).place(order())
    assert got.status is LocalStatus.ACCEPTED
    assert fake.placements == 1, "found by lookup: never sent twice"
    assert len(fake.orders) == 1


async def test_when_abp_never_answers_the_order_stays_unknown_for_reconcile() -> None:
    fake = FakeAbp(["timeout"])
    fake.lookup_faults = ["500"] * 100
    m = OrderManager(
        fake_client(fake, attempts=2),
        backoff=Backoff(initial=0.001, maximum=0.002),
        max_resends=2,
        retry=fast_retry(2),
    )
    got = await m.place(order())
    assert got.status is LocalStatus.UNKNOWN and fake.placements == 1
    fake.lookup_faults.clear()
    assert await m.reconcile() == []
    assert status(got) is LocalStatus.ACCEPTED and len(fake.orders) == 1


async def test_reconcile_never_calls_a_missed_order_not_sent_before_it_is_decidable() -> None:
    """The request is held on the wire (ABP has not stored it) when the bot gives up waiting:
    reconcile() misses it but keeps it UNKNOWN until its expiry + skew; once ABP stores it,
    the next reconcile finds it. A bot re-placing only NOT_SENT orders never doubles it."""
    fake = FakeAbp(["hold"])
    m = manager(fake)
    o = OrderRequest.create("id1000004461512432", 103, 10.0, 1.95, user_ref="b", expires_in=60)
    with anyio.move_on_after(0.3):
        await m.place(o)
    assert await m.reconcile() == [m.get(o.request_uuid)]
    got = m.get(o.request_uuid)
    assert got is not None and got.status is LocalStatus.UNKNOWN and got.decidable_at
    assert got.decidable_at > time.time() + 50
    fake.land_deferred()  # the held request lands
    assert await m.reconcile() == [] and status(got) is LocalStatus.ACCEPTED
    assert len(fake.orders) == 1


# --------------------------------------------------------------------------------------------
# review fixes: every failure after the request may have left is ambiguous, lookups that fail
# leave orders UNKNOWN, interrupted placements are reconciled, restarts keep the local refusal


async def test_a_2xx_placement_whose_body_does_not_decode_is_looked_up_not_called_unsent() -> None:
    """ABP answered 200 (it stored the order) but the body is cut short: the order is
    ambiguous, so the manager looks it up and finds it; never NOT_SENT, never sent twice."""
    fake = FakeAbp(["garbage"])
    paths: list[str] = []
    inner = fake.handle

    async def spy(request):  # type: ignore[no-untyped-def]
        paths.append(f"{request.method} {request.url.path}")
        return await inner(request)

    fake.handle = spy  # type: ignore[method-assign]
    o = order()
    got = await manager(fake).place(o)
    assert got.status is LocalStatus.ACCEPTED
    assert paths == ["POST /place-orders", "GET /orders"]
    assert fake.placements == 1 and list(fake.by_uuid) == [o.request_uuid]
    assert "UNKNOWN" in [t.status for t in got.history]


async def test_a_plain_network_error_after_sending_is_ambiguous() -> None:
    """Whatever the transport calls a failure once the request may have left (here a bare
    NetworkError, not MaybePlaced), the manager looks the order up instead of resolving it."""
    fake = FakeAbp()
    client = fake_client(fake)
    real = client.place_orders
    calls = 0

    async def lost_answer(orders, *, timeout=None):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        await real(orders, timeout=timeout)  # ABP stores it...
        raise NetworkError("connection lost while reading the answer")  # ...we never hear

    client.place_orders = lost_answer  # type: ignore[method-assign]
    m = OrderManager(client, backoff=Backoff(initial=0.001, maximum=0.002), retry=fast_retry())
    o = order()
    got = await m.place(o)
    assert got.status is LocalStatus.ACCEPTED and calls == 1
    assert len(fake.orders) == 1 and fake.placements == 1


@pytest.mark.parametrize(
    "error",
    [
        RecursionError("maximum recursion depth exceeded while deserializing an object"),
        UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
        KeyError("acceptedOrders"),
    ],
)
async def test_any_exception_while_reading_the_answer_is_maybe_placed(error: Exception) -> None:
    """Not a wagerkit error at all, raised after ABP stored the order: the manager treats it
    as ambiguous, finds the order, never leaves it SENT and lets nothing foreign escape."""
    fake = FakeAbp()
    client = fake_client(fake)
    real = client.place_orders

    async def unreadable(orders, *, timeout=None):  # type: ignore[no-untyped-def]
        await real(orders, timeout=timeout)
        raise error

    client.place_orders = unreadable  # type: ignore[method-assign]
    m = OrderManager(client, backoff=Backoff(initial=0.001, maximum=0.002), retry=fast_retry())
    got = await m.place(order())
    assert got.status is LocalStatus.ACCEPTED and fake.placements == 1
    assert "UNKNOWN" in [t.status for t in got.history]


async def test_a_lookup_answering_garbage_leaves_the_order_unknown_without_raising() -> None:
    """The lookup after a dropped answer keeps returning a malformed page (ProtocolError):
    place() returns the order UNKNOWN (the README's promise), and reconcile finds it later."""
    fake = FakeAbp(["drop"])
    fake.lookup_faults = ["garbage"] * 100
    m = OrderManager(
        fake_client(fake, attempts=2),
        backoff=Backoff(initial=0.001, maximum=0.002),
        max_resends=2,
        retry=fast_retry(2),
    )
    got = await m.place(order())
    assert got.status is LocalStatus.UNKNOWN and fake.placements == 1
    assert "lookup-garbage" in fake.faults_hit
    fake.lookup_faults = ["401"]  # still failing: reconcile reports it, changes nothing
    assert await m.reconcile() == [got] and got.status is LocalStatus.UNKNOWN
    fake.lookup_faults.clear()
    assert await m.reconcile() == []
    assert status(got) is LocalStatus.ACCEPTED and len(fake.orders) == 1


async def test_reconcile_covers_an_order_left_sent_by_an_interrupted_placement() -> None:
    """The bot's task is cancelled while the request is out (ABP stored it): the order stays
    SENT, and reconcile() looks it up like an UNKNOWN one."""
    fake = FakeAbp(["hang"])
    m = manager(fake)
    o = order()
    with anyio.move_on_after(0.5):
        await m.place(o)
    got = m.get(o.request_uuid)
    assert got is not None and got.status is LocalStatus.SENT
    assert await m.reconcile() == []
    assert status(got) is LocalStatus.ACCEPTED
    assert got.order is not None and got.order.order_id == fake.by_uuid[o.request_uuid]
    assert fake.placements == 1


async def test_reconcile_leaves_a_placement_still_running_alone() -> None:
    fake = FakeAbp(["hang"])
    m = manager(fake)
    o = order()
    fake.hung = anyio.Event()
    async with anyio.create_task_group() as tg:
        tg.start_soon(m.place, o)
        with anyio.fail_after(5):
            await fake.hung.wait()  # the request is out and ABP stored it
        assert await m.reconcile() == []  # in flight: not reconcile's business
        got = m.get(o.request_uuid)
        assert got is not None and got.status is LocalStatus.SENT
        tg.cancel_scope.cancel()


async def test_unresolved_orders_are_never_forgotten_resolved_ones_are_bounded() -> None:
    """Capacity bounds the resolved orders only: two UNKNOWN orders in a manager that may
    remember one are both kept (reconcile needs them), and later ACCEPTED ones are capped."""
    fake = FakeAbp(["drop", "drop"])
    fake.lookup_faults = ["500"] * 100
    m = OrderManager(
        fake_client(fake, attempts=1),
        backoff=Backoff(initial=0.001, maximum=0.002),
        max_resends=1,
        retry=fast_retry(1),
        capacity=1,
    )
    lost = [await m.place(order(0)), await m.place(order(1))]
    assert all(g.status is LocalStatus.UNKNOWN for g in lost)
    assert m.orders() == lost, "both kept although capacity is 1"
    fake.lookup_faults.clear()
    for i in range(2, 12):
        assert (await m.place(order(i))).status is LocalStatus.ACCEPTED
    kept = m.orders()
    assert kept[:2] == lost and len(kept) == 3 and kept[2].resolved
    assert await m.reconcile() == [] and all(g.status is LocalStatus.ACCEPTED for g in lost)


async def test_recover_restores_the_local_refusal_of_a_second_submit(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """After a restart the dedupe cache is empty; recover() reloads the journaled uuids, so
    submitting one of them again is still refused locally (nothing sent)."""
    fake = FakeAbp()
    path = tmp_path / "orders.db"
    o = order()
    before = OrderManager(fake_client(fake), journal=SqliteJournal(path))
    assert (await before.place(o)).status is LocalStatus.ACCEPTED
    restarted = OrderManager(fake_client(fake), journal=SqliteJournal(path))
    await restarted.recover()
    with pytest.raises(InvalidInput, match="already submitted"):
        await restarted.place(o)
    assert fake.placements == 1


async def test_recover_does_not_refuse_uuids_older_than_the_window(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "orders.db"
    o = order()
    old = time.time() - DEDUPE_WINDOW - 60
    with SqliteJournal(path) as journal:
        journal.append(
            [
                JournalEntry(old, "abp", o.request_uuid, "CREATED"),
                JournalEntry(old, "abp", o.request_uuid, "ACCEPTED", venue_id="1"),
            ]
        )
    restarted = OrderManager(fake_client(FakeAbp()), journal=SqliteJournal(path))
    await restarted.recover()
    assert o.request_uuid not in restarted.dedupe


async def test_a_refused_key_at_round_one_releases_the_uuid(abp_sim: SimHandle) -> None:
    """401 comes from ABP's middleware: nothing was stored, so (like a connect failure) the
    uuid may be submitted again once the key is fixed; against the real simulator."""
    client = AbpClient(
        "not-the-key", abp_sim.base_url, retry=fast_retry(), limiter=RateLimiter(100_000)
    )
    async with client:
        m = OrderManager(client, retry=fast_retry())
        o = order()
        with pytest.raises(AuthError):
            await m.place(o)
        got = m.get(o.request_uuid)
        assert got is not None and got.status is LocalStatus.NOT_SENT
        assert o.request_uuid not in m.dedupe
        with pytest.raises(AuthError):  # not "already submitted": it may go again
            await m.place(o)


def status(m: ManagedOrder) -> LocalStatus:
    """An order's status read afresh (after an await that may have changed it)."""
    return m.status
