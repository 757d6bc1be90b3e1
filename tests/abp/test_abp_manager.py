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
    FileJournal,
    JournalEntry,
    LocalStatus,
    ManagedOrder,
    MemoryJournal,
    OrderManager,
)
from wagerkit.execution.journal import entry
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
    fake = FakeAbp()
    journal = FileJournal(tmp_path / "orders.jsonl", fsync=False)
    inner = fake.handle
    o = order()

    async def spy(request):  # type: ignore[no-untyped-def]
        text = (tmp_path / "orders.jsonl").read_text()
        assert o.request_uuid in text and '"SENT"' in text
        return await inner(request)

    fake.handle = spy  # type: ignore[method-assign]
    await OrderManager(fake_client(fake), journal=journal).place(o)
    assert journal.unresolved() == []


async def test_recover_after_a_crash_looks_orders_up(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A journal with orders sent but never answered: recover() asks ABP about each."""
    fake = FakeAbp(["drop"])
    path = tmp_path / "orders.jsonl"
    o1, o2 = order(1), order(2)
    crashed = OrderManager(fake_client(fake), journal=FileJournal(path, fsync=False), max_resends=0)
    # simulate a crash right after sending: journal SENT, then the process dies
    crashed._admit([o1, o2])
    crashed.journal.append([])
    from wagerkit.execution.journal import entry

    crashed.journal.append([entry(o1.request_uuid, "SENT"), entry(o2.request_uuid, "SENT")])
    fake._commit([__import__("msgspec").to_builtins(o1)])  # o1 reached ABP, o2 did not
    restarted = OrderManager(fake_client(fake), journal=FileJournal(path, fsync=False))
    found = await restarted.recover()
    assert found[o1.request_uuid] is not None and found[o2.request_uuid] is None
    assert restarted.journal.unresolved() == []


async def test_memory_journal_is_bounded() -> None:
    j = MemoryJournal(capacity=10)
    from wagerkit.execution.journal import entry

    j.append(entry(str(uuid.uuid4()), "SENT") for _ in range(50))
    assert len(j.entries) == 10
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
    path = tmp_path / "orders.jsonl"
    o = order()
    before = OrderManager(fake_client(fake), journal=FileJournal(path, fsync=False))
    assert (await before.place(o)).status is LocalStatus.ACCEPTED
    restarted = OrderManager(fake_client(fake), journal=FileJournal(path, fsync=False))
    await restarted.recover()
    with pytest.raises(InvalidInput, match="already submitted"):
        await restarted.place(o)
    assert fake.placements == 1


async def test_recover_does_not_refuse_uuids_older_than_the_window(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "orders.jsonl"
    o = order()
    journal = FileJournal(path, fsync=False, compact=False)
    old = time.time() - DEDUPE_WINDOW - 60
    journal.append(
        [
            JournalEntry(old, o.request_uuid, "CREATED"),
            JournalEntry(old, o.request_uuid, "ACCEPTED", order_id=1),
        ]
    )
    journal.close()
    restarted = OrderManager(fake_client(FakeAbp()), journal=FileJournal(path, fsync=False))
    await restarted.recover()
    assert o.request_uuid not in restarted.dedupe


async def test_file_journal_compacts_resolved_history_on_open(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Reopening drops the lines of orders resolved long ago and keeps everything recover()
    needs: unresolved orders (with their request body) and recently journaled uuids."""
    path = tmp_path / "orders.jsonl"
    journal = FileJournal(path, fsync=False, compact=False)
    old = time.time() - 7200
    stale = [str(uuid.uuid4()) for _ in range(200)]
    for u in stale:
        journal.append(
            [
                JournalEntry(old, u, "CREATED"),
                JournalEntry(old, u, "SENT"),
                JournalEntry(old, u, "ACCEPTED"),
            ]
        )
    pending, fresh = order(1), order(2)
    journal.append([entry(pending.request_uuid, "CREATED", request=pending)])
    journal.append([JournalEntry(old, pending.request_uuid, "SENT")])
    journal.append([entry(fresh.request_uuid, "CREATED"), entry(fresh.request_uuid, "ACCEPTED")])
    journal.close()
    size_before = path.stat().st_size
    reopened = FileJournal(path, fsync=False)
    assert reopened.compactions == 1
    assert path.stat().st_size < size_before / 50
    assert reopened.unresolved() == [pending.request_uuid]
    assert set(reopened.recent(time.time() - 1800)) == {pending.request_uuid, fresh.request_uuid}
    text = path.read_text()
    assert '"request"' in text and not any(u in text for u in stale)
    reopened.close()
    again = FileJournal(path, fsync=False)
    assert again.compactions == 0, "nothing left to drop: the file is left alone"
    again.close()


async def test_file_journal_stays_bounded_while_appending(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "orders.jsonl"
    journal = FileJournal(path, fsync=False, max_bytes=20_000, keep_resolved_for=0.0)
    keep = order()
    journal.append([entry(keep.request_uuid, "SENT")])
    for _ in range(3000):
        u = str(uuid.uuid4())
        journal.append([entry(u, "CREATED"), entry(u, "SENT"), entry(u, "ACCEPTED")])
        assert path.stat().st_size < 40_000
    assert journal.compactions >= 10
    assert journal.unresolved() == [keep.request_uuid]
    journal.close()


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
