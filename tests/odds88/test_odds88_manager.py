"""Odds88 bets and cashouts through the venue-neutral OrderManager with the SQLite journal:
requests held on the wire past the caller's cancel or timeout, then ``reconcile()`` or crash +
``recover()``, and a bot that re-places whatever the manager calls NOT_SENT: never a second bet
for one intent, every bet cashed out exactly once. Hostile answers: nothing left SENT."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.pinnacle.wire import HoldingTransport, cancel_once_held
from wagerkit.clock import FakeClock
from wagerkit.errors import WagerkitError
from wagerkit.execution import OrderManager, SqliteJournal
from wagerkit.execution.adapter import LocalStatus
from wagerkit.odds88 import Amount, BetSettlement, CashoutPriceChange, Odds88Client
from wagerkit.odds88.execution import Odds88Adapter, Odds88Bet, Odds88Cashout
from wagerkit.sim.odds88.testing import RunningOdds88

from .conftest import FAST_RETRY
from .helpers import bet_request

pytestmark = pytest.mark.anyio

HELD, REFUSED, TIMED_OUT = range(3)
PLAN = [HELD, REFUSED, HELD, TIMED_OUT, REFUSED, HELD]
AT_2_10 = Amount(95000, 4, "EUR")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def held(
    server: RunningOdds88, clock: FakeClock
) -> AsyncIterator[tuple[Odds88Client, HoldingTransport]]:
    transport = HoldingTransport(("/Bets/V2", "/api/Cashout"), hold_for=0.2)
    async with Odds88Client(
        server.base_url,
        server.client_id,
        server.password,
        clock=clock,
        retry=FAST_RETRY,
        transport=transport,
    ) as client:
        yield client, transport


def _bet() -> Odds88Bet:
    return Odds88Bet(player_id="p1", request=bet_request())


def _cashout(bet_id: str, attempt: int = 1) -> Odds88Cashout:
    return Odds88Cashout(
        player_id="p1",
        bet_id=bet_id,
        amount=AT_2_10,
        price_change=CashoutPriceChange.ANY,
        attempt=attempt,
    )


async def _send(
    manager: OrderManager,
    transport: HoldingTransport,
    payload: Odds88Bet | Odds88Cashout,
    what: int,
) -> None:
    if what == HELD:
        await cancel_once_held(lambda: manager.place(payload), transport)
    elif what == REFUSED:
        transport.refuse = 1
        with pytest.raises(WagerkitError):
            await manager.place(payload)
    else:
        transport.hold = 1
        assert (await manager.place(payload)).status is LocalStatus.ACCEPTED  # same key resent


def _status(manager: OrderManager, key: str) -> LocalStatus | None:
    m = manager.get(key, "odds88")
    return m.status if m is not None else None


@pytest.mark.parametrize("restart", [False, True], ids=["reconcile", "crash+recover"])
async def test_in_flight_bets_and_cashouts_are_never_doubled(
    held: tuple[Odds88Client, HoldingTransport],
    server: RunningOdds88,
    tmp_path: Path,
    restart: bool,
) -> None:
    client, transport = held
    path = tmp_path / "bot.sqlite"
    journal = SqliteJournal(path)
    manager = OrderManager(Odds88Adapter(client), journal=journal)
    bets: list[list[str]] = []
    for what in PLAN:
        bet = _bet()
        bets.append([bet.request.id])
        await _send(manager, transport, bet, what)

    async def settle() -> OrderManager:
        nonlocal manager
        if restart:
            held = manager.journal
            assert isinstance(held, SqliteJournal)
            held.close()  # the process ends; a new one opens the same journal
            manager = OrderManager(Odds88Adapter(client), journal=SqliteJournal(path))
            await manager.recover()
        else:
            await manager.reconcile()
        return manager

    manager = await settle()
    for ids, what in zip(bets, PLAN, strict=True):
        # held: may still land, so UNKNOWN (never re-placed); refused: provably NOT_SENT
        expected = {HELD: LocalStatus.UNKNOWN, REFUSED: LocalStatus.NOT_SENT}
        assert _status(manager, ids[0]) in (expected.get(what, LocalStatus.ACCEPTED), None)
        m = manager.get(ids[0], "odds88")
        if what == HELD:
            assert m is not None and m.status is LocalStatus.UNKNOWN
        if what == REFUSED:
            assert (m is None and restart) or (m is not None and m.status is LocalStatus.NOT_SENT)
            again = _bet()
            ids.append(again.request.id)
            assert (await manager.place(again)).status is LocalStatus.ACCEPTED
    assert transport.release()
    assert await manager.reconcile() == []
    placed = [[k for k in ids if server.sim.get_bet(server.client_id, k)] for ids in bets]
    assert [len(p) for p in placed] == [1] * len(PLAN)  # 0 doubled, 0 lost

    # cash every bet out, with the same faults
    cashouts: list[list[str]] = []
    for [bet_id], what in zip(placed, PLAN, strict=True):
        cashout = _cashout(bet_id)
        cashouts.append([cashout.key])
        await _send(manager, transport, cashout, what)
    manager = await settle()
    for keys, [bet_id], what in zip(cashouts, placed, PLAN, strict=True):
        if what == REFUSED:
            assert _status(manager, keys[0]) in (LocalStatus.NOT_SENT, None)
            again = _cashout(bet_id, attempt=2)
            keys.append(again.key)
            assert (await manager.place(again)).status is LocalStatus.ACCEPTED
    transport.release()
    assert await manager.reconcile() == []
    live = manager.journal
    assert isinstance(live, SqliteJournal)
    live.flush()  # answers are committed lazily (the venue can be asked again)
    journaled = {r.key: r.status for r in SqliteJournal(path).history(venue="odds88")}
    for keys, [bet_id] in zip(cashouts, placed, strict=True):
        settled = server.sim.get_bet(server.client_id, bet_id)
        assert settled is not None and settled.settlement is BetSettlement.CASH_OUT
        accepted = [k for k in keys if journaled[k] == LocalStatus.ACCEPTED.value]
        assert len(accepted) == 1, keys  # exactly one cashout known as done, none lost


HOSTILE = {
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    "invalid utf-8": b'{"responseCode":1,"payload":{"requestId":"\xff","resultType":2}}',
    "truncated": b'{"responseCode":1,"payload":{"resultType":2',
    "wrong types": b'{"responseCode":"one","payload":[2],"success":"yes"}',
}


@pytest.mark.parametrize("processed", [True, False], ids=["placed", "not-placed"])
@pytest.mark.parametrize("name", sorted(HOSTILE))
async def test_hostile_answers_leave_nothing_sent(
    client: Odds88Client, server: RunningOdds88, name: str, processed: bool
) -> None:
    manager = OrderManager(Odds88Adapter(client))
    bet = _bet()
    server.sim.inject_response("/api/players/p1/Bets/V2", HOSTILE[name], process=processed)
    placed = await manager.place(bet)
    assert placed.status is LocalStatus.ACCEPTED  # found by id, or resent with the same id
    assert server.sim.get_bet(server.client_id, bet.request.id) is not None
    server.sim.inject_response("/api/Cashout", HOSTILE[name], process=processed)
    done = await manager.place(_cashout(bet.request.id))
    assert done.status is LocalStatus.ACCEPTED
    settled = server.sim.get_bet(server.client_id, bet.request.id)
    assert settled is not None and settled.settlement is BetSettlement.CASH_OUT


async def test_a_live_bet_whose_answer_was_lost_is_found_and_followed_to_its_decision() -> None:
    from wagerkit.sim.odds88.testing import odds88_server

    from .helpers import SINNER_LIVE

    clock = FakeClock(auto_advance=True)
    with odds88_server(clock=clock, live_delay=5.0) as srv:
        async with Odds88Client(
            srv.base_url, srv.client_id, srv.password, clock=clock, retry=FAST_RETRY
        ) as client:
            manager = OrderManager(Odds88Adapter(client))
            bet = Odds88Bet(player_id="p1", request=bet_request(SINNER_LIVE))
            srv.sim.inject_response("/api/players/p1/Bets/V2", b"{", process=True)
            placed = await manager.place(bet)
            assert placed.status is LocalStatus.ACCEPTED and placed.attempts == 1
            assert placed.venue_status == "ACCEPTED"  # Pending when found, then decided


async def test_a_bet_rejected_after_its_answer_was_lost_ends_declined(
    server: RunningOdds88, client: Odds88Client, tmp_path: Path
) -> None:
    """The answer to a bet Odds88 rejects (over the limit) is lost; the lookup by id finds it
    Rejected: the intent ends DECLINED (as when the answer arrives), journaled so, not resent."""
    journal = SqliteJournal(tmp_path / "j.db")
    manager = OrderManager(Odds88Adapter(client), journal=journal)
    bet = Odds88Bet(player_id="p1", request=bet_request(stake="5000.00"))
    server.sim.inject_response("/api/players/p1/Bets/V2", b"{", process=True)
    placed = await manager.place(bet)
    assert placed.status is LocalStatus.DECLINED and placed.attempts == 1
    assert placed.venue_status == "REJECTED" and placed.decline_reason == "REJECTED"
    assert placed.record is not None and placed.record.final and not placed.placed
    (row,) = journal.history(venue="odds88")
    assert (row.status, row.venue_status) == ("DECLINED", "REJECTED")
    journal.close()


async def test_refresh_reads_a_pending_live_bet_until_odds88_decides() -> None:
    """No stream for bets: a live bet placed without waiting stays Pending until ``refresh()``
    reads it again after the live delay and applies the decision (journaled)."""
    from wagerkit.sim.odds88.testing import odds88_server

    from .helpers import SINNER_LIVE

    clock = FakeClock()  # moved by hand: nothing decides the bet before the test says
    with odds88_server(clock=clock, live_delay=600.0) as srv:
        async with Odds88Client(
            srv.base_url, srv.client_id, srv.password, clock=clock, retry=FAST_RETRY
        ) as client:
            manager = OrderManager(Odds88Adapter(client, wait_live=False))
            bet = Odds88Bet(player_id="p1", request=bet_request(SINNER_LIVE))
            placed = await manager.place(bet)
            assert (placed.status, placed.venue_status) == (LocalStatus.ACCEPTED, "PENDING")
            assert await manager.refresh(venue="odds88") == []  # still undecided
            clock.advance(601.0)
            assert await manager.refresh() == [placed]
            assert placed.venue_status == "ACCEPTED" and placed.attempts == 1
            events = manager.journal.events("odds88", placed.key)
            assert (events[-1].event, events[-1].venue_status) == ("VENUE", "ACCEPTED")


async def test_the_journal_is_the_bots_history_by_venue_user_ref_and_status(
    client: Odds88Client, server: RunningOdds88, tmp_path: Path
) -> None:
    journal = SqliteJournal(tmp_path / "h.sqlite")
    manager = OrderManager(Odds88Adapter(client), journal=journal)
    bet = Odds88Bet(player_id="p1", request=bet_request(), user_ref="bot-7")
    await manager.place(bet)
    refused = Odds88Bet(player_id="p1", request=bet_request(stake="5000.00"), user_ref="bot-7")
    await manager.place(refused)
    cash = Odds88Cashout(player_id="p1", bet_id=bet.request.id, amount=AT_2_10, user_ref="bot-8")
    await manager.place(cash)
    mine = journal.history(venue="odds88", user_ref="bot-7")
    assert [(r.key, r.kind, r.status) for r in mine] == [
        (bet.request.id, "bet", "ACCEPTED"),
        (refused.request.id, "bet", "DECLINED"),
    ]
    [row] = journal.history(venue="odds88", user_ref="bot-8")
    assert (row.key, row.kind, row.status, row.venue_status) == (
        cash.key,
        "cashout",
        "ACCEPTED",
        "CASHED_OUT",
    )
    assert journal.history(venue="pinnacle") == []


async def test_a_client_given_to_the_manager_gets_its_adapter(
    client: Odds88Client, server: RunningOdds88
) -> None:
    manager = OrderManager(client)
    assert manager.venues == ["odds88"]
    assert (await manager.place(_bet())).status is LocalStatus.ACCEPTED
