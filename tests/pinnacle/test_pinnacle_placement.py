"""Placing bets through real HTTP: idempotent retries under injected faults (never a second bet),
lookup by uniqueRequestId after ambiguity, live delay, every documented error code, settlement."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.pinnacle.conftest import FlakyTransport, assert_spec_conformant
from wagerkit.clock import FakeClock
from wagerkit.errors import Declined, DuplicateRequest, MaybePlaced, RateLimited, WagerkitError
from wagerkit.pinnacle import AsyncPinnacleClient, new_request_id
from wagerkit.pinnacle.codes import STRAIGHT_ERROR_CODES
from wagerkit.pinnacle.models import ParlayLegRequest, TeaserBetLeg
from wagerkit.sim.pinnacle.testing import RunningPinnacle, running_pinnacle
from wagerkit.transport import RetryPolicy

SOCCER = 29
ROMA_LAZIO = 1600000012  # pre-game, Serie A (homeTeamType Team2), starts in 24 h
LEEDS_FULHAM = 1600000003  # live: live delay applies
FAST_RETRY = RetryPolicy(attempts=5, timeout=30.0, wait_initial=0.01, wait_max=0.02)


async def _line_id(client: AsyncPinnacleClient, event_id: int, period: int = 0) -> int:
    odds = await client.odds(SOCCER, event_ids=[event_id])
    for lg in odds.leagues:
        for ev in lg.events:
            for p in ev.periods:
                if p.number == period and p.line_id is not None:
                    return p.line_id
    raise AssertionError("no line")


def _ml(line_id: int, event_id: int = ROMA_LAZIO, **kw: Any) -> dict[str, Any]:
    return {
        "sport_id": SOCCER,
        "event_id": event_id,
        "period_number": 0,
        "bet_type": "MONEYLINE",
        "team": "TEAM1",
        "line_id": line_id,
        "stake": 10.0,
        **kw,
    }


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_accepted_straight_bet_and_lookup(frozen: RunningPinnacle) -> None:
    async with frozen.client() as client:
        uid = new_request_id()
        outcome = await client.place_straight(
            **_ml(await _line_id(client, ROMA_LAZIO)), unique_request_id=uid
        )
        assert outcome.status == "ACCEPTED" and outcome.bet_id and outcome.risk == 10.0
        assert outcome.win == pytest.approx(10.0 * (outcome.price - 1), abs=0.01)  # type: ignore[operator]
        by_uid = await client.get_bets(unique_request_ids=[uid])
        assert [b.bet_id for b in by_uid.straight_bets] == [outcome.bet_id]
        assert (
            by_uid.straight_bets[0].team_name == "Llazio".title()
            or by_uid.straight_bets[0].team_name
        )
        by_id = await client.get_bets(bet_ids=[outcome.bet_id])  # type: ignore[list-item]
        assert by_id.straight_bets[0].unique_request_id == uid
        balance = await client.balance()
        assert balance.available_balance == 9990.0 and balance.outstanding_transactions == 10.0


@pytest.mark.anyio
@pytest.mark.parametrize("fault", ["lose", "refuse"])
async def test_network_faults_never_make_a_second_bet(
    frozen: RunningPinnacle, clock: FakeClock, fault: str
) -> None:
    flaky = FlakyTransport()
    async with frozen.client(transport=flaky, retry=FAST_RETRY) as client:
        line_id = await _line_id(client, ROMA_LAZIO)
        flaky.add("/v4/bets/straight", fault, fault)
        uid = new_request_id()
        outcome = await client.place_straight(**_ml(line_id), unique_request_id=uid)
        assert outcome.accepted
        assert frozen.sim.bet_count(uid) == 1 and frozen.sim.bet_count() == 1
        events = [e for _, e in outcome.history]
        if fault == "lose":
            # the answer was lost after the bet was placed: the lookup finds it, nothing is resent
            assert events[:3] == [
                "send #1",
                "no complete answer: ambiguous",
                "lookup by uniqueRequestId",
            ]
            assert flaky.sent.count("/v4/bets/straight") == 1
        else:
            # nothing left the machine: resent with the same id until it got through
            assert flaky.sent.count("/v4/bets/straight") == 1
            assert events.count("connect failed: not sent") == 2


@pytest.mark.anyio
async def test_lookup_comes_before_any_resend_after_ambiguity(frozen: RunningPinnacle) -> None:
    """Lost answer on a bet the server did NOT place (500 before processing): lookup says not
    placed, then the same id is resent once."""
    async with frozen.client(retry=FAST_RETRY) as client:
        line_id = await _line_id(client, ROMA_LAZIO)
        frozen.sim.inject("/v4/bets/straight", "500")
        uid = new_request_id()
        outcome = await client.place_straight(**_ml(line_id), unique_request_id=uid)
        steps = [e for _, e in outcome.history]
        assert steps[:5] == [
            "send #1",
            "HTTP 500: ambiguous",
            "lookup by uniqueRequestId",
            "lookup: not placed",
            "send #2",
        ]
        assert frozen.sim.bet_count(uid) == 1


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["500_after", "delay_after:1.0"])
async def test_server_side_ambiguity_is_reconciled(clock: FakeClock, kind: str) -> None:
    with running_pinnacle({"move_probability": 0.0}, clock=clock) as running:
        async with running.client(retry=FAST_RETRY, timeout=0.3) as client:
            line_id = await _line_id(client, ROMA_LAZIO)
            running.sim.inject("/v4/bets/straight", kind)
            uid = new_request_id()
            outcome = await client.place_straight(**_ml(line_id), unique_request_id=uid)
            assert outcome.accepted and outcome.bet is not None  # found by the lookup
            assert running.sim.bet_count() == 1
    assert_spec_conformant(running)


@pytest.mark.anyio
async def test_resubmit_and_429_are_resent_with_the_same_id(
    frozen: RunningPinnacle, clock: FakeClock
) -> None:
    async with frozen.client(retry=FAST_RETRY) as client:
        line_id = await _line_id(client, ROMA_LAZIO)
        frozen.sim.inject("/v4/bets/straight", "resubmit", 2)
        frozen.sim.inject("/v4/bets/straight", "429:7")
        before = clock.time()
        uid = new_request_id()
        outcome = await client.place_straight(**_ml(line_id), unique_request_id=uid)
        assert outcome.accepted and frozen.sim.bet_count() == 1
        assert clock.time() - before >= 7  # waited the Retry-After
        assert sum(e.startswith("RESUBMIT") for _, e in outcome.history) == 2


@pytest.mark.anyio
async def test_reusing_an_id_returns_the_existing_bet(frozen: RunningPinnacle) -> None:
    async with frozen.client() as client:
        line_id = await _line_id(client, ROMA_LAZIO)
        uid = new_request_id()
        first = await client.place_straight(**_ml(line_id), unique_request_id=uid)
        again = await client.place_straight(**_ml(line_id), unique_request_id=uid)
        assert again.bet_id == first.bet_id and frozen.sim.bet_count() == 1
        assert "answer PROCESSED_WITH_ERROR DUPLICATED_REQUEST" in [e for _, e in again.history]


@pytest.mark.anyio
async def test_live_delay_pending_then_accepted(clock: FakeClock) -> None:
    with running_pinnacle({"move_probability": 0.0}, clock=clock) as running:
        async with running.client() as client:
            line_id = await _line_id(client, LEEDS_FULHAM)
            start = clock.time()
            outcome = await client.place_straight(**_ml(line_id, LEEDS_FULHAM))
            assert outcome.status == "ACCEPTED" and outcome.bet_id
            polls = [t - start for t, e in outcome.history if e.startswith("poll")]
            assert polls and polls[0] >= 6.0  # the first poll waits the documented live delay
            assert [e for _, e in outcome.history if e.startswith("poll")][-1] == "poll: ACCEPTED"
            pending = await client.place_straight(**_ml(line_id, LEEDS_FULHAM), wait=False)
            assert pending.status == "PENDING_ACCEPTANCE" and pending.bet_id is None
            done = await client.wait_for_acceptance(pending.unique_request_id)
            assert done.status == "ACCEPTED"
    assert_spec_conformant(running)


@pytest.mark.anyio
async def test_live_delay_not_accepted_is_declined(clock: FakeClock) -> None:
    with running_pinnacle(
        {"move_probability": 0.0, "live_acceptance": "never"}, clock=clock
    ) as running:
        async with running.client() as client:
            line_id = await _line_id(client, LEEDS_FULHAM)
            with pytest.raises(Declined) as err:
                await client.place_straight(**_ml(line_id, LEEDS_FULHAM))
            assert err.value.reason == "NOT_ACCEPTED"
            assert (await client.balance()).available_balance == 10_000.0  # the risk came back
    assert_spec_conformant(running)


@pytest.mark.anyio
@pytest.mark.parametrize("code", sorted(STRAIGHT_ERROR_CODES))
async def test_every_documented_straight_error_code_is_mapped(
    frozen: RunningPinnacle, code: str
) -> None:
    async with frozen.client(retry=FAST_RETRY) as client:
        line_id = await _line_id(client, ROMA_LAZIO)
        frozen.sim.inject("/v4/bets/straight", f"code:{code}")
        if code == "DUPLICATED_REQUEST":
            with pytest.raises(DuplicateRequest):  # nothing under that id: not a known bet
                await client.place_straight(**_ml(line_id))
            return
        with pytest.raises(Declined) as err:
            await client.place_straight(**_ml(line_id))
        assert err.value.reason == code and err.value.request_id
        assert isinstance(err.value, WagerkitError) and frozen.sim.bet_count() == 0


@pytest.mark.anyio
async def test_error_codes_the_server_derives_itself(
    frozen: RunningPinnacle, clock: FakeClock
) -> None:
    async with frozen.client() as client:
        line_id = await _line_id(client, ROMA_LAZIO)

        async def code_of(**kw: Any) -> str:
            with pytest.raises(Declined) as err:
                await client.place_straight(**{**_ml(line_id), **kw})
            return err.value.reason

        assert await code_of(line_id=line_id - 1) == "LINE_CHANGED"
        assert await code_of(stake=0.5) == "BELOW_MIN_BET_AMOUNT"
        assert await code_of(stake=1_000_000.0) == "ABOVE_MAX_BET_AMOUNT"
        assert await code_of(event_id=999) == "INVALID_EVENT"
        assert await code_of(bet_type="SPREAD", alt_line_id=123) == "OFFLINE_EVENT"
        frozen.sim.set_betting_status("ALL_BETTING_CLOSED")
        assert await code_of() == "ALL_BETTING_CLOSED"
        frozen.sim.set_betting_status("ALL_BETTING_ENABLED")
        milan = await _line_id(client, 1600000011)
        clock.advance(700)  # Milan-Inter's cutoff (10 min) has passed
        assert await code_of(event_id=1600000011, line_id=milan) == "PAST_CUTOFFTIME"
        assert frozen.sim.bet_count() == 0


@pytest.mark.anyio
async def test_parlay_teaser_and_special_bets(frozen: RunningPinnacle, clock: FakeClock) -> None:
    flaky = FlakyTransport()
    async with frozen.client(transport=flaky, retry=FAST_RETRY) as client:
        a = await _line_id(client, 1600000001)
        b = await _line_id(client, ROMA_LAZIO)
        legs = [
            ParlayLegRequest(
                unique_leg_id=new_request_id(),
                line_id=a,
                sport_id=SOCCER,
                event_id=1600000001,
                period_number=0,
                leg_bet_type="MONEYLINE",
                team="TEAM1",
            ),
            ParlayLegRequest(
                unique_leg_id=new_request_id(),
                line_id=b,
                sport_id=SOCCER,
                event_id=ROMA_LAZIO,
                period_number=0,
                leg_bet_type="TOTAL_POINTS",
                side="OVER",
            ),
        ]
        flaky.add("/v4/bets/parlay", "lose")  # placed, answer lost: found in the bet list
        parlay = await client.place_parlay(legs, risk_amount=5.0)
        assert parlay.accepted and parlay.bet is not None and frozen.sim.bet_count() == 1
        teaser = await client.place_teaser(
            11,
            [
                TeaserBetLeg(
                    leg_id=new_request_id(),
                    bet_type="SPREAD",
                    line_id=a,
                    event_id=1600000001,
                    team="TEAM1",
                ),
                TeaserBetLeg(
                    leg_id=new_request_id(),
                    bet_type="TOTAL_POINTS",
                    line_id=b,
                    event_id=ROMA_LAZIO,
                    side="UNDER",
                ),
            ],
            stake=5.0,
        )
        assert teaser.accepted and teaser.price is not None
        special_odds = await client.special_odds(SOCCER)
        line = special_odds.leagues[0].specials[0].contestant_lines[0]
        flaky.add("/v4/bets/special", "lose")
        special = await client.place_special(
            special_id=1700000001, contestant_id=line.id, line_id=line.line_id or 0, stake=3.0
        )
        assert special.accepted and frozen.sim.bet_count() == 3
        with pytest.raises(Declined) as err:
            await client.place_parlay([legs[0], legs[0]], risk_amount=0.1)
        assert err.value.reason == "BELOW_MIN_BET_AMOUNT"


@pytest.mark.anyio
async def test_settlement_pays_out_and_moves_bets_to_settled(
    frozen: RunningPinnacle, clock: FakeClock
) -> None:
    async with frozen.client() as client:
        line_id = await _line_id(client, 1600000011)  # Milan-Inter starts in 10 minutes
        outcome = await client.place_straight(**_ml(line_id, 1600000011, stake=20.0))
        clock.advance(3 * 3600)  # the match is over and settled
        now = dt.datetime.fromtimestamp(clock.time(), dt.UTC)
        settled = await client.get_bets(
            betlist="SETTLED", from_date=now - dt.timedelta(days=1), to_date=now
        )
        bet = settled.straight_bets[0]
        assert bet.bet_id == outcome.bet_id and bet.bet_status in {
            "WON",
            "LOST",
            "PUSHED",
            "HALF_WON_HALF_PUSHED",
            "HALF_LOST_HALF_PUSHED",
        }
        assert bet.win_loss is not None and bet.ft_team1_score is not None
        balance = await client.balance()
        assert balance.available_balance == pytest.approx(10_000.0 + bet.win_loss)
        assert balance.outstanding_transactions == 0.0
        results = await client.settled_fixtures(SOCCER)
        assert any(e.id == 1600000011 for lg in results.leagues for e in lg.events)


@pytest.mark.anyio
async def test_rate_limited_reads_wait_in_the_pacer(
    frozen: RunningPinnacle, clock: FakeClock
) -> None:
    async with frozen.client() as client:
        frozen.sim.inject("/v2/currencies", "429:30", 4)
        with pytest.raises(RateLimited) as err:  # four 429s in a row exceed max_429=3
            await client.currencies()
        assert err.value.retry_after == 30
        frozen.sim.inject("/v2/currencies", "429:30", 1)
        before = clock.time()
        assert (await client.currencies()).currencies
        assert clock.time() - before >= 30


@pytest.mark.anyio
async def test_pending_too_long_is_maybe_placed(clock: FakeClock) -> None:
    from wagerkit.pinnacle import PlacementTimings

    with running_pinnacle({"move_probability": 0.0, "live_delay": 600}, clock=clock) as running:
        async with running.client(timings=PlacementTimings(max_pending=60)) as client:
            line_id = await _line_id(client, LEEDS_FULHAM)
            with pytest.raises(MaybePlaced) as err:
                await client.place_straight(**_ml(line_id, LEEDS_FULHAM))
            assert err.value.request_id
    assert_spec_conformant(running)
