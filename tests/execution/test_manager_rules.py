"""The manager's rules against a venue that exists only behind the adapter protocol.

NOT_SENT only by proof (nothing left, a refusal of the whole request, or a miss after the venue
can no longer act), otherwise look up, resend the same key inside the dedupe window, or stay
UNKNOWN with the time it becomes decidable. Nothing is ever left SENT by an exception.
"""

from __future__ import annotations

import ast
import contextlib
import time
import uuid
from pathlib import Path

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.execution.fakevenue import FakeVenue
from wagerkit.errors import ConnectFailed, InvalidInput, WagerkitError
from wagerkit.execution import LocalStatus, MemoryJournal, OrderManager, SqliteJournal
from wagerkit.transport import Backoff

pytestmark = pytest.mark.anyio

EXECUTION = Path(__file__).resolve().parents[2] / "python" / "wagerkit" / "execution"


def req(expires_in: float | None = None) -> dict[str, object]:
    r: dict[str, object] = {"key": str(uuid.uuid4())}
    if expires_in is not None:
        r["expires_at"] = time.time() + expires_in
    return r


def manager(venue: FakeVenue, **kw: object) -> OrderManager:
    kw.setdefault("backoff", Backoff(initial=0.001, maximum=0.002))
    return OrderManager(venue, **kw)  # type: ignore[arg-type]


def test_execution_imports_no_venue_simulator_or_cli() -> None:
    """The layer rule, read from the source: every import in wagerkit.execution points down."""
    banned = ("wagerkit.abp", "wagerkit.pinnacle", "wagerkit.odds88", "wagerkit.oddspapi")
    banned += ("wagerkit.sim", "wagerkit.cli", "rich", "pytest")
    found = []
    for path in sorted(EXECUTION.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            found += [f"{path.name}: {n}" for n in names if n.startswith(banned)]
    assert len(list(EXECUTION.glob("*.py"))) >= 6
    assert found == []


async def test_a_connect_failure_on_the_only_send_is_not_sent_and_frees_the_key() -> None:
    venue = FakeVenue(["connect"])
    m = manager(venue)
    r = req()
    with pytest.raises(ConnectFailed):
        await m.place(r)
    got = m.get(r["key"])  # type: ignore[arg-type]
    assert got is not None and got.status is LocalStatus.NOT_SENT
    assert (await m.place(r)).status is LocalStatus.ACCEPTED  # the same key may go again


async def test_a_refused_request_is_not_sent_but_its_key_stays_used() -> None:
    venue = FakeVenue(["refused"])
    m = manager(venue)
    r = req()
    with pytest.raises(InvalidInput, match="refused"):
        await m.place(r)
    assert m.get(r["key"]).status is LocalStatus.NOT_SENT  # type: ignore[arg-type, union-attr]
    with pytest.raises(InvalidInput, match="already submitted"):
        await m.place(r)
    assert venue.submits == 1


@pytest.mark.parametrize("fault", ["lost", "garbage"])
async def test_an_ambiguous_send_is_looked_up_and_found(fault: str) -> None:
    venue = FakeVenue([fault])
    m = manager(venue)
    got = await m.place(req())
    assert got.status is LocalStatus.ACCEPTED and venue.submits == 1 and venue.lookups == 1
    assert [t.status for t in got.history][:4] == ["CREATED", "SENT", "UNKNOWN", "ACCEPTED"]


async def test_a_miss_inside_the_window_is_resent_with_the_same_key() -> None:
    venue = FakeVenue(["held", "ok"])
    got = await manager(venue).place(req())
    assert got.status is LocalStatus.ACCEPTED and venue.submits == 2
    venue.land()  # the first copy lands late: the same key, skipped
    assert len(venue.stored) == 1


async def test_a_miss_is_unknown_until_decidable_then_not_sent() -> None:
    """Held on the wire, every resend too: UNKNOWN with decidable_at = expiry + skew; a
    reconcile before then changes nothing, one after it proves NOT_SENT."""
    venue = FakeVenue(["held"] * 5)
    venue.clock_skew = 0.05
    m = manager(venue, max_resends=1)
    r = req(expires_in=0.3)
    got = await m.place(r)
    assert got.status is LocalStatus.UNKNOWN
    assert got.decidable_at == pytest.approx(r["expires_at"] + 0.05)  # type: ignore[operator]
    assert await m.reconcile() == [got]
    await anyio.sleep(max(0.0, got.decidable_at - time.time()) + 0.01)  # type: ignore[operator]
    assert await m.reconcile() == [] and got.status is LocalStatus.NOT_SENT
    venue.land()  # the held copies arrive after the expiry: the venue declines them
    assert venue.stored == {}


async def test_outside_the_dedupe_window_a_key_is_never_resent() -> None:
    venue = FakeVenue(["held"] * 5, dedupe_window=2.0)  # less than the resend margin
    got = await manager(venue).place(req())
    assert got.status is LocalStatus.UNKNOWN and venue.submits == 1


async def test_reconcile_with_resend_places_a_missing_intent_once() -> None:
    venue = FakeVenue(["held"] * 2)
    m = manager(venue, max_resends=1)
    got = await m.place(req())
    assert got.status is LocalStatus.UNKNOWN
    assert await m.reconcile(resend=True) == [] and got.status is LocalStatus.ACCEPTED
    venue.land()
    assert len(venue.stored) == 1


async def test_lookups_that_keep_failing_leave_it_unknown_without_raising() -> None:
    venue = FakeVenue(["lost"])
    venue.lookup_fails = 100
    m = manager(venue, max_resends=2)
    got = await m.place(req())
    assert got.status is LocalStatus.UNKNOWN and venue.submits == 1
    venue.lookup_fails = 0
    assert await m.reconcile() == [] and got.status is LocalStatus.ACCEPTED


async def test_recover_from_sqlite_after_a_crash_mid_send(tmp_path: Path) -> None:
    """The task dies inside its first send (journaled SENT). After the restart the venue does
    not have it: recover() says UNKNOWN until decidable (never NOT_SENT), and recover(resend=
    True) sends the same key again: placed once."""
    venue = FakeVenue(["held"])
    path = tmp_path / "j.db"
    r = req()
    with anyio.move_on_after(0):  # cancelled at once: the task dies inside its first send
        await manager(venue, journal=SqliteJournal(path)).place(r)
    journal = SqliteJournal(path)
    (row,) = journal.unresolved()
    assert row.key == r["key"] and row.status == "SENT" and row.attempts == 1
    found = await manager(venue, journal=journal).recover()
    lost = found[r["key"]]  # type: ignore[index]
    assert lost.status is LocalStatus.UNKNOWN and lost.decidable_at is not None
    assert journal.unresolved()[0].decidable_at == pytest.approx(lost.decidable_at)
    again = await manager(venue, journal=journal).recover(resend=True)
    assert again[r["key"]].status is LocalStatus.ACCEPTED  # type: ignore[index]
    assert journal.unresolved() == [] and len(venue.stored) == 1


async def test_one_manager_routes_each_request_to_its_venue() -> None:
    a, b = FakeVenue(), FakeVenue()
    b.venue = "other"
    m = OrderManager(a, b, backoff=Backoff(0.001, 0.002))
    assert (await m.place(req(), venue="other")).venue == "other"
    assert (await m.place(req(), venue="fake")).venue == "fake"
    with pytest.raises(InvalidInput, match="which venue"):
        await m.place(req())
    assert len(a.stored) == 1 and len(b.stored) == 1


STEPS = st.sampled_from(["ok", "connect", "refused", "lost", "held", "garbage"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(script=st.lists(STEPS, max_size=12), batch=st.integers(1, 4))
def test_a_key_called_not_sent_is_never_at_the_venue_and_none_stays_sent(
    script: list[str], batch: int
) -> None:
    """Whatever the venue does to each send, after a reconcile: every key the manager calls
    NOT_SENT is absent from the venue (even once held copies land), every key it calls
    ACCEPTED is there, and no intent is left SENT."""

    async def run() -> None:
        venue = FakeVenue(script)
        m = manager(venue, journal=MemoryJournal(), max_resends=2)
        for _ in range(3):
            with contextlib.suppress(WagerkitError):
                await m.place_many([req() for _ in range(batch)])
        await m.reconcile()
        venue.land()
        for o in m.orders():
            assert o.status is not LocalStatus.SENT
            if o.status is LocalStatus.NOT_SENT:
                assert o.key not in venue.stored
            if o.status is LocalStatus.ACCEPTED:
                assert o.key in venue.stored

    anyio.run(run)


async def test_a_later_venue_refusal_declines_the_intent_and_older_views_cannot_undo_it(
    tmp_path: Path,
) -> None:
    """A record with ``placed=False`` (the venue refused it: no bet) arriving from a stream makes
    an ACCEPTED intent DECLINED, journaled; an older view of it is ignored, and refresh() leaves
    the final record alone (nothing to re-read)."""
    from wagerkit.execution.adapter import VenueRecord

    venue = FakeVenue()
    with SqliteJournal(tmp_path / "j.db") as journal:
        m = manager(venue, journal=journal)
        r = req()
        got = await m.place(r)
        assert got.status is LocalStatus.ACCEPTED and got.record is not None
        key, version = got.key, got.record.version
        newer = (version[0] + 1,)
        m.observe(VenueRecord(key, None, "REFUSED", final=True, placed=False, version=newer))
        assert (got.status, got.decline_reason, got.placed) == (
            LocalStatus.DECLINED,
            "REFUSED",
            False,
        )
        m.observe(VenueRecord(key, "1", "OPEN", version=version))  # older: ignored
        assert got.status is LocalStatus.DECLINED and got.venue_status == "REFUSED"
        assert await m.refresh() == [] and venue.lookups == 0
        (row,) = journal.history(venue="fake")
        assert (row.status, row.venue_status) == ("DECLINED", "REFUSED")
        with pytest.raises(InvalidInput):
            await m.refresh(venue="nowhere")
