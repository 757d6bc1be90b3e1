"""Pinnacle's execution adapter against the local server: each bet kind submitted and found
again by its uniqueRequestId, the live delay, what each failure proves, and hostile answers
turned into wagerkit errors (never anything else)."""

from __future__ import annotations

import httpx
import pytest

from tests.pinnacle.bets import (
    ARSENAL_CHELSEA,
    FAST_RETRY,
    PL_WINNER,
    ROMA_LAZIO,
    SOCCER,
    TEASER,
    contestant_lines,
    line_id,
    parlay_legs,
    teaser_legs,
)
from wagerkit.clock import FakeClock
from wagerkit.errors import (
    AuthError,
    ConnectFailed,
    Declined,
    InvalidInput,
    MaybePlaced,
    ProtocolError,
    RateLimited,
    ServerError,
    VenueError,
    WagerkitError,
)
from wagerkit.execution.adapter import Failure, LocalStatus, VenueAdapter
from wagerkit.pinnacle.execution import (
    PinnacleAdapter,
    parlay_bet,
    special_bet,
    straight_bet,
    teaser_bet,
)
from wagerkit.sim.pinnacle.testing import RunningPinnacle, running_pinnacle

pytestmark = pytest.mark.anyio

LEEDS_FULHAM = 1600000003  # live in the default scenario: the live delay applies


async def _straight(client: object, event: int = ARSENAL_CHELSEA, stake: float = 10.0) -> object:
    from wagerkit.pinnacle import AsyncPinnacleClient

    assert isinstance(client, AsyncPinnacleClient)
    return straight_bet(
        sport_id=SOCCER,
        event_id=event,
        period_number=0,
        bet_type="MONEYLINE",
        team="TEAM1",
        line_id=await line_id(client, event),
        stake=stake,
    )


async def test_adapter_satisfies_the_protocol_and_rounds_stakes(frozen: RunningPinnacle) -> None:
    async with frozen.client(retry=FAST_RETRY) as client:
        adapter = await PinnacleAdapter(client).prepare()
        assert isinstance(adapter, VenueAdapter)
        bet = await _straight(client, stake=10.009)
        intent = adapter.intent(bet)  # type: ignore[arg-type]
        assert intent.kind == "straight" and intent.key == bet.unique_request_id  # type: ignore[attr-defined]
        assert intent.payload.stake == 10.0  # rounded down to the cent before journaling
        again = adapter.decode(adapter.encode(intent.payload))
        assert again == intent.payload
        with pytest.raises(InvalidInput):
            adapter.intent("not a bet")  # type: ignore[arg-type]
        with pytest.raises(ProtocolError):
            adapter.decode(b'{"kind":"straight","body":{"stake":"x"}}')


async def test_each_kind_is_accepted_and_found_again_by_its_key(frozen: RunningPinnacle) -> None:
    """Straight and special by uniqueRequestIds; parlay and teaser in the bet list."""
    async with frozen.client(retry=FAST_RETRY) as client:
        adapter = await PinnacleAdapter(client).prepare()
        arsenal = await line_id(client, ARSENAL_CHELSEA)
        roma = await line_id(client, ROMA_LAZIO)
        [(contestant, cline), *_] = await contestant_lines(client)
        requests = [
            await _straight(client),
            parlay_bet(parlay_legs(arsenal, roma), risk_amount=5.0),
            teaser_bet(TEASER, teaser_legs(arsenal, roma), stake=5.0),
            special_bet(special_id=PL_WINNER, contestant_id=contestant, line_id=cline, stake=5.0),
        ]
        intents = [adapter.intent(r) for r in requests]  # type: ignore[arg-type]
        assert [i.kind for i in intents] == ["straight", "parlay", "teaser", "special"]
        for intent in intents:
            [answer] = await adapter.submit([intent], timeout=5.0)
            assert answer.status is LocalStatus.ACCEPTED, (intent.kind, answer)
            assert answer.record is not None and answer.record.venue_id
        found = await adapter.lookup(intents)
        assert set(found) == {i.key for i in intents}
        for intent in intents:
            record = found[intent.key]
            assert record.status == "ACCEPTED" and not record.final
            assert record.version, "Pinnacle's updateSequence orders the versions"
            assert frozen.sim.bet_count(intent.key) == 1


async def test_lookup_misses_what_was_never_sent(frozen: RunningPinnacle) -> None:
    async with frozen.client(retry=FAST_RETRY) as client:
        adapter = await PinnacleAdapter(client).prepare()
        arsenal = await line_id(client, ARSENAL_CHELSEA)
        roma = await line_id(client, ROMA_LAZIO)
        intents = [
            adapter.intent(await _straight(client)),  # type: ignore[arg-type]
            adapter.intent(parlay_bet(parlay_legs(arsenal, roma), risk_amount=5.0)),
        ]
        assert await adapter.lookup(intents) == {}


async def test_live_bet_waits_for_the_venue_decision(clock: FakeClock) -> None:
    with running_pinnacle({"move_probability": 0.0}, clock=clock) as running:
        async with running.client(retry=FAST_RETRY) as client:
            adapter = await PinnacleAdapter(client).prepare()
            intent = adapter.intent(await _straight(client, LEEDS_FULHAM))  # type: ignore[arg-type]
            [answer] = await adapter.submit([intent])
            assert answer.status is LocalStatus.ACCEPTED
            assert answer.record is not None and answer.record.status == "ACCEPTED"
            nowait = PinnacleAdapter(client, wait_live=False)
            other = nowait.intent(await _straight(client, LEEDS_FULHAM))  # type: ignore[arg-type]
            [pending] = await nowait.submit([other])
            assert pending.status is LocalStatus.ACCEPTED
            assert pending.record is not None and pending.record.status == "PENDING_ACCEPTANCE"
            assert not pending.record.final


async def test_live_bet_refused_after_the_delay_is_declined(clock: FakeClock) -> None:
    scenario = {"move_probability": 0.0, "live_acceptance": "never"}
    with running_pinnacle(scenario, clock=clock) as running:
        async with running.client(retry=FAST_RETRY) as client:
            adapter = await PinnacleAdapter(client).prepare()
            intent = adapter.intent(await _straight(client, LEEDS_FULHAM))  # type: ignore[arg-type]
            [answer] = await adapter.submit([intent])
            assert answer.status is LocalStatus.DECLINED and answer.reason == "NOT_ACCEPTED"
            [record] = (await adapter.lookup([intent])).values()
            assert record.status == "NOT_ACCEPTED" and record.final


async def test_documented_codes_decline_and_duplicates_are_ambiguous(
    frozen: RunningPinnacle,
) -> None:
    async with frozen.client(retry=FAST_RETRY) as client:
        adapter = await PinnacleAdapter(client).prepare()
        frozen.sim.inject("/v4/bets/straight", "code:LINE_CHANGED")
        declined = adapter.intent(await _straight(client))  # type: ignore[arg-type]
        [answer] = await adapter.submit([declined])
        assert answer.status is LocalStatus.DECLINED and answer.reason == "LINE_CHANGED"
        intent = adapter.intent(await _straight(client))  # type: ignore[arg-type]
        [first] = await adapter.submit([intent])
        [second] = await adapter.submit([intent])  # the same key again: the venue skips it
        assert first.status is LocalStatus.ACCEPTED
        assert second.status is LocalStatus.UNKNOWN  # DUPLICATED_REQUEST: look it up
        assert frozen.sim.bet_count(intent.key) == 1
        frozen.sim.inject("/v4/bets/straight", "resubmit")
        resubmitted = adapter.intent(await _straight(client))  # type: ignore[arg-type]
        [third] = await adapter.submit([resubmitted])
        assert third.status is LocalStatus.ACCEPTED  # RESUBMIT_REQUEST resent, same id


def test_classify_says_what_each_failure_proves() -> None:
    adapter = PinnacleAdapter.__new__(PinnacleAdapter)
    assert adapter.classify(ConnectFailed("refused")) is Failure.NOT_SENT
    assert adapter.classify(RateLimited("429", retry_after=1.0)) is Failure.NOT_SENT
    assert adapter.classify(AuthError("401", status=401)) is Failure.NOT_SENT
    assert adapter.classify(Declined("RESUBMIT_REQUEST", "again")) is Failure.NOT_SENT
    assert adapter.classify(VenueError("400", status=400)) is Failure.DECLINED
    assert adapter.classify(MaybePlaced("timeout")) is Failure.AMBIGUOUS
    assert adapter.classify(ServerError("500", status=500)) is Failure.AMBIGUOUS
    assert adapter.classify(ProtocolError("garbled", status=200)) is Failure.AMBIGUOUS
    assert adapter.classify(RecursionError()) is Failure.AMBIGUOUS


HOSTILE = {
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    "invalid utf-8": b'{"status":"ACCEPTED","betId":\xff\xfe}',
    "truncated": b'{"status":"ACCEPTED","betId":12',
    "wrong types": b'{"status":7,"betId":"many","uniqueRequestId":[1]}',
    "not json": b"<html>502 Bad Gateway</html>",
}


class HostileAfterPlacing(httpx.AsyncBaseTransport):
    """Real HTTP; a placement reaches the server (the bet is placed), then its answer is
    replaced by ``body`` with status 200."""

    def __init__(self, body: bytes) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.body = body

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "POST" and request.url.path.startswith("/v4/bets/"):
            await response.aread()
            await response.aclose()
            return httpx.Response(200, content=self.body, request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.mark.parametrize("name", sorted(HOSTILE))
async def test_hostile_answer_is_a_wagerkit_error_and_the_bet_is_found(
    frozen: RunningPinnacle, name: str
) -> None:
    transport = HostileAfterPlacing(HOSTILE[name])
    async with frozen.client(retry=FAST_RETRY, transport=transport) as client:
        adapter = await PinnacleAdapter(client).prepare()
        intent = adapter.intent(await _straight(client))  # type: ignore[arg-type]
        with pytest.raises(WagerkitError) as caught:
            await adapter.submit([intent])
        assert adapter.classify(caught.value) is Failure.AMBIGUOUS
        assert set(await adapter.lookup([intent])) == {intent.key}
