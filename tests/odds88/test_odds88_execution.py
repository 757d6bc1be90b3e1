"""Odds88's execution adapter against the local server: bets and cashouts submitted and found
again by key, the live delay, what each failure proves, and hostile answers turned into
wagerkit errors (never anything else)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from wagerkit.clock import FakeClock
from wagerkit.errors import (
    AuthError,
    ConnectFailed,
    InvalidInput,
    MaybePlaced,
    ProtocolError,
    RateLimited,
    VenueError,
    WagerkitError,
)
from wagerkit.execution.adapter import Failure, LocalStatus, VenueAdapter
from wagerkit.odds88 import Amount, BetSettlement, Odds88Client
from wagerkit.odds88.execution import Odds88Adapter, Odds88Bet, Odds88Cashout
from wagerkit.sim.odds88.testing import RunningOdds88, odds88_server

from .conftest import FAST_RETRY
from .helpers import SINNER_LIVE, bet_request

pytestmark = pytest.mark.anyio

AT_2_10 = Amount(95000, 4, "EUR")  # the cashout of 10.00 EUR at 2.10 while the price holds


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def auto_clock() -> FakeClock:
    return FakeClock(auto_advance=True)


@pytest.fixture
async def live(auto_clock: FakeClock) -> AsyncIterator[tuple[RunningOdds88, Odds88Client]]:
    with odds88_server(clock=auto_clock, live_delay=5.0) as srv:
        async with Odds88Client(
            srv.base_url, srv.client_id, srv.password, clock=auto_clock, retry=FAST_RETRY
        ) as client:
            yield srv, client


async def test_bets_and_cashouts_are_submitted_and_found_by_key(
    client: Odds88Client, server: RunningOdds88
) -> None:
    adapter = Odds88Adapter(client)
    assert isinstance(adapter, VenueAdapter)
    bet = adapter.intent(Odds88Bet(player_id="p1", request=bet_request()))
    assert bet.kind == "bet" and adapter.decode(adapter.encode(bet.payload)) == bet.payload
    assert await adapter.lookup([bet]) == {}
    [answer] = await adapter.submit([bet], timeout=5.0)
    assert answer.status is LocalStatus.ACCEPTED and answer.record is not None
    assert answer.record.status == "ACCEPTED"
    assert (await adapter.lookup([bet]))[bet.key].status == "ACCEPTED"

    cashout = adapter.intent(Odds88Cashout(player_id="p1", bet_id=bet.key, amount=AT_2_10))
    assert cashout.kind == "cashout" and cashout.key == f"cashout/{bet.key}/1"
    assert adapter.decode(adapter.encode(cashout.payload)) == cashout.payload
    assert await adapter.lookup([cashout]) == {}
    [done] = await adapter.submit([cashout])
    assert done.status is LocalStatus.ACCEPTED
    [record] = (await adapter.lookup([cashout])).values()
    assert record.status == "CASHED_OUT" and record.final
    [again] = await adapter.submit([cashout])  # the venue cashes a bet out once: look it up
    assert again.status is LocalStatus.UNKNOWN and again.reason == "AlreadyCashedOut"
    settled = await client.get_settlement("p1", bet.key)
    assert settled.bet_settlement is BetSettlement.CASH_OUT


async def test_refusals_are_declined(client: Odds88Client, server: RunningOdds88) -> None:
    adapter = Odds88Adapter(client)
    too_big = adapter.intent(Odds88Bet(player_id="p1", request=bet_request(stake="5000.00")))
    [answer] = await adapter.submit([too_big])
    assert answer.status is LocalStatus.DECLINED
    bad_precision = adapter.intent(Odds88Bet(player_id="p1", request=bet_request(precision=3)))
    [refused] = await adapter.submit([bad_precision])
    assert refused.status is LocalStatus.DECLINED
    placed = adapter.intent(Odds88Bet(player_id="p1", request=bet_request()))
    await adapter.submit([placed])
    low = adapter.intent(
        Odds88Cashout(player_id="p1", bet_id=placed.key, amount=Amount(50000, 4, "EUR"))
    )
    [cashout] = await adapter.submit([low])
    assert cashout.status is LocalStatus.DECLINED and cashout.reason == "AmountChanged"


def test_intents_refuse_garbage_before_anything_is_sent() -> None:
    adapter = Odds88Adapter.__new__(Odds88Adapter)
    with pytest.raises(InvalidInput):
        adapter.intent("bet")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        adapter.intent(Odds88Cashout(player_id="p1", bet_id="a/b", amount=AT_2_10))
    with pytest.raises(InvalidInput):
        adapter.intent(Odds88Cashout(player_id="p1", bet_id="b", amount=AT_2_10, attempt=0))
    with pytest.raises(ProtocolError):
        adapter.decode(b'{"type":"bet"}')


async def test_live_bet_waits_for_the_venue(
    live: tuple[RunningOdds88, Odds88Client], auto_clock: FakeClock
) -> None:
    """Only the adapter's polls move the shared clock (the client's idle subscription loop
    does not), so the bet is decided once the venue's 5 s live delay has passed on it, well
    inside ``live_timeout``: deterministic however loaded the machine is."""
    _, client = live
    adapter = Odds88Adapter(client)
    intent = adapter.intent(Odds88Bet(player_id="p1", request=bet_request(SINNER_LIVE)))
    [answer] = await adapter.submit([intent])
    assert answer.status is LocalStatus.ACCEPTED and answer.record is not None
    assert answer.record.status == "ACCEPTED"
    assert 5.0 <= auto_clock.monotonic() <= 5.0 + adapter.poll_every < adapter.live_timeout
    nowait = Odds88Adapter(client, wait_live=False)
    other = nowait.intent(Odds88Bet(player_id="p1", request=bet_request(SINNER_LIVE)))
    [pending] = await nowait.submit([other])
    assert pending.record is not None and pending.record.status == "PENDING"
    assert not pending.record.final


def test_classify_says_what_each_failure_proves() -> None:
    adapter = Odds88Adapter.__new__(Odds88Adapter)
    assert adapter.classify(ConnectFailed("refused")) is Failure.NOT_SENT
    assert adapter.classify(RateLimited("429", retry_after=1.0)) is Failure.NOT_SENT
    assert adapter.classify(AuthError("403", status=403)) is Failure.NOT_SENT
    assert adapter.classify(VenueError("400", status=400)) is Failure.DECLINED
    assert adapter.classify(MaybePlaced("timeout")) is Failure.AMBIGUOUS
    assert adapter.classify(ProtocolError("garbled")) is Failure.AMBIGUOUS
    assert adapter.classify(RecursionError()) is Failure.AMBIGUOUS


HOSTILE = {
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    "invalid utf-8": b'{"responseCode":1,"payload":{"requestId":"\xff\xfe","resultType":2}}',
    "truncated": b'{"responseCode":1,"payload":{"resultType":2',
    "wrong types": b'{"responseCode":"one","payload":[2]}',
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
async def test_hostile_answers_are_wagerkit_errors_and_the_bet_is_found(
    client: Odds88Client, server: RunningOdds88, name: str
) -> None:
    adapter = Odds88Adapter(client)
    bet = adapter.intent(Odds88Bet(player_id="p1", request=bet_request()))
    server.sim.inject_response("/api/players/p1/Bets/V2", HOSTILE[name], process=True)
    with pytest.raises(WagerkitError) as caught:
        await adapter.submit([bet])
    assert adapter.classify(caught.value) is Failure.AMBIGUOUS
    assert set(await adapter.lookup([bet])) == {bet.key}
    cashout = adapter.intent(Odds88Cashout(player_id="p1", bet_id=bet.key, amount=AT_2_10))
    server.sim.inject_response("/api/Cashout", HOSTILE[name], process=True)
    with pytest.raises(WagerkitError) as again:
        await adapter.submit([cashout])
    assert adapter.classify(again.value) is Failure.AMBIGUOUS
    assert set(await adapter.lookup([cashout])) == {cashout.key}
