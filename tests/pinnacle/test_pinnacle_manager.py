"""Pinnacle bets through the venue-neutral OrderManager with the SQLite journal: requests held on
the wire past the caller's cancel or timeout, then ``reconcile()`` or crash + ``recover()``, and
a bot that re-places whatever the manager calls NOT_SENT: never a second bet for one intent.
Hostile answers during placement: only wagerkit errors, nothing left SENT."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from tests.pinnacle.bets import ARSENAL_CHELSEA, FAST_RETRY, SOCCER, line_id
from tests.pinnacle.wire import HoldingTransport, cancel_once_held
from wagerkit.clock import FakeClock
from wagerkit.errors import WagerkitError
from wagerkit.execution import OrderManager, SqliteJournal
from wagerkit.execution.adapter import LocalStatus
from wagerkit.pinnacle.execution import PinnacleAdapter, straight_bet
from wagerkit.pinnacle.models import PlaceBetRequest
from wagerkit.sim.pinnacle.testing import RunningPinnacle, running_pinnacle

from .test_pinnacle_execution import HOSTILE, HostileAfterPlacing

pytestmark = pytest.mark.anyio

HELD, REFUSED, TIMED_OUT = range(3)


def _maker(line: int) -> Callable[[], PlaceBetRequest]:
    def make() -> PlaceBetRequest:
        return straight_bet(
            sport_id=SOCCER,
            event_id=ARSENAL_CHELSEA,
            period_number=0,
            bet_type="MONEYLINE",
            team="TEAM1",
            line_id=line,
            stake=10.0,
        )

    return make


async def _place_all(
    manager: OrderManager,
    transport: HoldingTransport,
    make: Callable[[], PlaceBetRequest],
    plan: list[int],
    keys: list[list[str]],
) -> None:
    """One bet per bot intent: held then cancelled by the caller, refused at connect, or held
    past the client's timeout (the manager resends the same id)."""
    for what in plan:
        bet = make()
        keys.append([bet.unique_request_id])
        if what == HELD:
            await cancel_once_held(partial(manager.place, bet), transport)
        elif what == REFUSED:
            transport.refuse = 1
            with pytest.raises(WagerkitError):
                await manager.place(bet)
        else:
            transport.hold = 1
            placed = await manager.place(bet)
            assert placed.status is LocalStatus.ACCEPTED  # by resending the same id


async def _replace_not_sent(
    manager: OrderManager, make: Callable[[], PlaceBetRequest], keys: list[list[str]]
) -> int:
    """The bot's rule: an intent whose every request is NOT_SENT is placed anew (new id)."""
    replaced = 0
    for ids in keys:
        held = [manager.get(k, "pinnacle") for k in ids]
        if all(m is not None and m.status is LocalStatus.NOT_SENT for m in held):
            bet = make()
            ids.append(bet.unique_request_id)
            placed = await manager.place(bet)
            assert placed.status is LocalStatus.ACCEPTED
            replaced += 1
    return replaced


def _bets_per_intent(server: RunningPinnacle, keys: list[list[str]]) -> list[int]:
    return [sum(server.sim.bet_count(k) for k in ids) for ids in keys]


PLAN = [HELD, REFUSED, HELD, TIMED_OUT, REFUSED, HELD]


async def test_in_flight_then_reconcile_never_doubles_an_intent(
    frozen: RunningPinnacle, tmp_path: Path
) -> None:
    transport = HoldingTransport(("/v4/bets/",), hold_for=0.2)
    async with frozen.client(retry=FAST_RETRY, transport=transport) as client:
        adapter = await PinnacleAdapter(client).prepare()
        manager = OrderManager(adapter, journal=SqliteJournal(tmp_path / "bot.sqlite"))
        make = _maker(await line_id(client, ARSENAL_CHELSEA))
        keys: list[list[str]] = []
        await _place_all(manager, transport, make, PLAN, keys)
        unknown = await manager.reconcile()
        # the held bets are not at Pinnacle yet, but may still land: UNKNOWN, not NOT_SENT
        held = {ids[0] for ids, w in zip(keys, PLAN, strict=True) if w == HELD}
        assert {m.key for m in unknown} == held
        for m in unknown:
            assert m.decidable_at is not None and m.last_sent_at is not None
            assert m.decidable_at >= m.last_sent_at + adapter.dedupe_window
        assert await _replace_not_sent(manager, make, keys) == PLAN.count(REFUSED)
        assert transport.release()  # the held requests finally land
        assert await manager.reconcile() == []
        assert _bets_per_intent(frozen, keys) == [1] * len(PLAN)
        for ids in keys:
            m = manager.get(ids[-1], "pinnacle")
            assert m is not None and m.status is LocalStatus.ACCEPTED


async def test_in_flight_then_crash_and_recover_never_doubles_an_intent(
    frozen: RunningPinnacle, tmp_path: Path
) -> None:
    path = tmp_path / "bot.sqlite"
    transport = HoldingTransport(("/v4/bets/",), hold_for=0.2)
    async with frozen.client(retry=FAST_RETRY, transport=transport) as client:
        adapter = await PinnacleAdapter(client).prepare()
        make = _maker(await line_id(client, ARSENAL_CHELSEA))
        keys: list[list[str]] = []
        first = SqliteJournal(path)
        await _place_all(OrderManager(adapter, journal=first), transport, make, PLAN, keys)
        first.close()  # the process dies here; a new one opens the same journal

        restarted = OrderManager(PinnacleAdapter(client), journal=SqliteJournal(path))
        recovered = await restarted.recover()
        held = {ids[0] for ids, w in zip(keys, PLAN, strict=True) if w == HELD}
        assert {k for k, m in recovered.items() if m.status is LocalStatus.UNKNOWN} == held
        # NOT_SENT intents were resolved before the crash: the bot reads them in its journal
        for ids, what in zip(keys, PLAN, strict=True):
            if what == REFUSED:
                bet = make()
                ids.append(bet.unique_request_id)
                assert (await restarted.place(bet)).status is LocalStatus.ACCEPTED
        with pytest.raises(WagerkitError):  # a journaled id stays refused after the restart
            await restarted.place(_same(make, keys[0][0]))
        assert transport.release()
        assert await restarted.reconcile() == []
        for k in held:
            m = restarted.get(k, "pinnacle")
            assert m is not None and m.status is LocalStatus.ACCEPTED
        assert _bets_per_intent(frozen, keys) == [1] * len(PLAN)


def _same(make: Callable[[], PlaceBetRequest], uid: str) -> PlaceBetRequest:
    import msgspec

    return msgspec.structs.replace(make(), unique_request_id=uid)


@pytest.mark.parametrize("name", sorted(HOSTILE))
async def test_hostile_answers_leave_nothing_sent_and_no_second_bet(
    frozen: RunningPinnacle, name: str
) -> None:
    transport = HostileAfterPlacing(HOSTILE[name])
    async with frozen.client(retry=FAST_RETRY, transport=transport) as client:
        manager = OrderManager(await PinnacleAdapter(client).prepare())
        bet = _maker(await line_id(client, ARSENAL_CHELSEA))()
        placed = await manager.place(bet)  # placed, answer garbled: found by its id
        assert placed.status is LocalStatus.ACCEPTED
        assert frozen.sim.bet_count(bet.unique_request_id) == 1


@pytest.mark.parametrize("body", ["body:[[[[[[", 'body:{"status": 5}', "body:<html>"])
async def test_garbled_answer_without_a_bet_is_resent_with_the_same_id(
    frozen: RunningPinnacle, body: str
) -> None:
    async with frozen.client(retry=FAST_RETRY) as client:
        manager = OrderManager(await PinnacleAdapter(client).prepare())
        bet = _maker(await line_id(client, ARSENAL_CHELSEA))()
        frozen.sim.inject("/v4/bets/straight", body)  # answers 200 with garbage, places nothing
        placed = await manager.place(bet)
        assert placed.status is LocalStatus.ACCEPTED and placed.attempts == 2
        assert frozen.sim.bet_count(bet.unique_request_id) == 1


async def test_every_kind_goes_through_the_manager_and_a_lost_answer_is_found(
    frozen: RunningPinnacle, tmp_path: Path
) -> None:
    """Straight (pre-game and live), parlay, teaser and special: placed, then placed again with
    the answer lost after the venue took it: found by its id (parlays and teasers in the bet
    list), never a second bet."""
    from tests.pinnacle.bets import (
        PL_WINNER,
        ROMA_LAZIO,
        TEASER,
        contestant_lines,
        parlay_legs,
        teaser_legs,
    )
    from wagerkit.pinnacle.execution import parlay_bet, special_bet, teaser_bet

    from .conftest import FlakyTransport

    transport = FlakyTransport()
    async with frozen.client(retry=FAST_RETRY, transport=transport) as client:
        manager = OrderManager(
            await PinnacleAdapter(client).prepare(), journal=SqliteJournal(tmp_path / "b.sqlite")
        )
        arsenal = await line_id(client, ARSENAL_CHELSEA)
        roma = await line_id(client, ROMA_LAZIO)
        live = await line_id(client, 1600000003)
        [(contestant, cline), *_] = await contestant_lines(client)

        def requests() -> list[object]:
            return [
                _maker(arsenal)(),
                straight_bet(
                    sport_id=SOCCER,
                    event_id=1600000003,
                    period_number=0,
                    bet_type="MONEYLINE",
                    team="TEAM1",
                    line_id=live,
                    stake=5.0,
                ),
                parlay_bet(parlay_legs(arsenal, roma), risk_amount=5.0),
                teaser_bet(TEASER, teaser_legs(arsenal, roma), stake=5.0),
                special_bet(
                    special_id=PL_WINNER, contestant_id=contestant, line_id=cline, stake=5.0
                ),
            ]

        paths = ["straight", "straight", "parlay", "teaser", "special"]
        for lose in (False, True):
            for request, kind in zip(requests(), paths, strict=True):
                if lose:
                    transport.add(f"/v4/bets/{kind}", "lose")  # placed, the answer lost
                placed = await manager.place(request)
                assert placed.status is LocalStatus.ACCEPTED, (kind, lose, placed.history)
                assert placed.venue_status == "ACCEPTED"  # a live bet: after its delay
                assert frozen.sim.bet_count(placed.key) == 1
                assert placed.attempts == 1  # found by lookup, not resent


async def test_a_live_bet_refused_after_its_answer_was_lost_ends_declined(
    clock: FakeClock, tmp_path: Path
) -> None:
    """The answer (PENDING_ACCEPTANCE) is lost; the lookup finds the bet pending and waits for
    Pinnacle's decision: NOT_ACCEPTED, a final record with no bet id, and no second send. The
    intent ends DECLINED (as when the answer arrives), in memory and in the journal."""
    from .conftest import FlakyTransport

    transport = FlakyTransport()
    scenario = {"move_probability": 0.0, "live_acceptance": "never"}
    journal = SqliteJournal(tmp_path / "j.db")
    with running_pinnacle(scenario, clock=clock) as running:
        async with running.client(retry=FAST_RETRY, transport=transport) as client:
            manager = OrderManager(await PinnacleAdapter(client).prepare(), journal=journal)
            bet = straight_bet(
                sport_id=SOCCER,
                event_id=1600000003,
                period_number=0,
                bet_type="MONEYLINE",
                team="TEAM1",
                line_id=await line_id(client, 1600000003),
                stake=5.0,
            )
            transport.add("/v4/bets/straight", "lose")
            placed = await manager.place(bet)
            assert placed.attempts == 1 and placed.record is not None
            assert placed.venue_status == "NOT_ACCEPTED" and placed.record.final
            assert placed.record.venue_id is None
            assert placed.status is LocalStatus.DECLINED and not placed.placed
            assert placed.decline_reason == "NOT_ACCEPTED"
            (row,) = journal.history(venue="pinnacle")
            assert (row.status, row.venue_status) == ("DECLINED", "NOT_ACCEPTED")
            assert journal.unresolved() == []
    journal.close()


async def test_a_client_given_to_the_manager_gets_its_adapter(frozen: RunningPinnacle) -> None:
    """``OrderManager(client)``: the Pinnacle package registers its adapter for its client."""
    async with frozen.client(retry=FAST_RETRY, currency="USD") as client:
        manager = OrderManager(client)
        assert manager.venues == ["pinnacle"]
        placed = await manager.place(_maker(await line_id(client, ARSENAL_CHELSEA))())
        assert placed.status is LocalStatus.ACCEPTED
    async with frozen.client(retry=FAST_RETRY) as unknown_currency:
        with pytest.raises(WagerkitError, match="currency"):  # nothing sent: prepare() first
            await OrderManager(unknown_currency).place(_maker(1)())


@pytest.mark.parametrize(
    ("acceptance", "venue_status", "local"),
    [("always", "ACCEPTED", LocalStatus.ACCEPTED), ("never", "NOT_ACCEPTED", LocalStatus.DECLINED)],
)
async def test_refresh_reads_pending_live_bets_until_pinnacle_decides(
    clock: FakeClock, acceptance: str, venue_status: str, local: LocalStatus
) -> None:
    """No stream at Pinnacle: a live bet placed without waiting stays PENDING_ACCEPTANCE until
    ``refresh()`` reads it again after the live delay and applies Pinnacle's decision."""
    scenario = {"move_probability": 0.0, "live_acceptance": acceptance, "live_delay": 6.0}
    with running_pinnacle(scenario, clock=clock) as running:
        async with running.client(retry=FAST_RETRY) as client:
            adapter = await PinnacleAdapter(client, wait_live=False).prepare()
            manager = OrderManager(adapter)
            bet = straight_bet(
                sport_id=SOCCER,
                event_id=1600000003,  # live: the delay applies
                period_number=0,
                bet_type="MONEYLINE",
                team="TEAM1",
                line_id=await line_id(client, 1600000003),
                stake=5.0,
            )
            placed = await manager.place(bet)
            assert placed.venue_status == "PENDING_ACCEPTANCE" and placed.placed
            assert await manager.refresh(venue="pinnacle") == []  # still undecided
            await clock.sleep(7.0)
            assert await manager.refresh() == [placed]
            assert (placed.status, placed.venue_status) == (local, venue_status)
            assert placed.attempts == 1 and running.sim.bet_count(placed.key) == 1
            events = [e.event for e in manager.journal.events("pinnacle", placed.key)]
            assert events[-1] == ("VENUE" if local is LocalStatus.ACCEPTED else "DECLINED")
