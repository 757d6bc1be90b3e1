"""Every documented place-bet error code of parlay, teaser and special bets, end to end through
real HTTP: the local server rejects the bet with the code (as the spec shapes that answer, which
the fixtures validate), and the client maps it onto the error tree. Then the codes the server
derives from its own rules, and the "unexpected error" that hides a placed bet, for every kind.
(Straight bets: ``test_pinnacle_placement.py``.)"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable

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
    special_batches,
    teaser_legs,
)
from tests.pinnacle.conftest import assert_spec_conformant
from wagerkit.clock import FakeClock
from wagerkit.errors import Declined, DuplicateRequest, WagerkitError
from wagerkit.pinnacle import AsyncPinnacleClient, BetOutcome, new_request_id, special_bet
from wagerkit.pinnacle.codes import (
    PARLAY_ERROR_CODES,
    SPECIAL_ERROR_CODES,
    TEASER_ERROR_CODES,
)
from wagerkit.pinnacle.errors import AMBIGUOUS_CODES
from wagerkit.sim.pinnacle.scenario import DEFAULT_SCENARIO
from wagerkit.sim.pinnacle.testing import RunningPinnacle, running_pinnacle

PATHS = {
    "straight": "/v4/bets/straight",
    "parlay": "/v4/bets/parlay",
    "teaser": "/v4/bets/teaser",
    "special": "/v4/bets/special",
}
CODES = {"parlay": PARLAY_ERROR_CODES, "teaser": TEASER_ERROR_CODES, "special": SPECIAL_ERROR_CODES}
CASES = [(kind, code) for kind, codes in CODES.items() for code in sorted(codes)]

Place = Callable[..., Awaitable[BetOutcome]]


async def _placer(client: AsyncPinnacleClient, kind: str) -> Place:
    """A function placing one valid bet of ``kind`` (keyword overrides allowed)."""
    arsenal = await line_id(client, ARSENAL_CHELSEA)
    roma = await line_id(client, ROMA_LAZIO)
    if kind == "straight":

        async def straight(**kw: object) -> BetOutcome:
            args = {
                "sport_id": SOCCER,
                "event_id": ROMA_LAZIO,
                "period_number": 0,
                "bet_type": "MONEYLINE",
                "team": "TEAM1",
                "line_id": roma,
                "stake": 10.0,
                **kw,
            }
            return await client.place_straight(**args)  # type: ignore[arg-type]

        return straight
    if kind == "parlay":

        async def parlay(**kw: object) -> BetOutcome:
            legs = kw.pop("legs", parlay_legs(arsenal, roma))
            return await client.place_parlay(legs, **{"risk_amount": 5.0, **kw})  # type: ignore[arg-type]

        return parlay
    if kind == "teaser":

        async def teaser(**kw: object) -> BetOutcome:
            teaser_id = kw.pop("teaser_id", TEASER)
            legs = kw.pop("legs", teaser_legs(arsenal, roma))
            return await client.place_teaser(teaser_id, legs, **{"stake": 5.0, **kw})  # type: ignore[arg-type]

        return teaser
    [(contestant, line), *_] = await contestant_lines(client)

    async def special(**kw: object) -> BetOutcome:
        args = {
            "special_id": PL_WINNER,
            "contestant_id": contestant,
            "line_id": line,
            "stake": 3.0,
            **kw,
        }
        return await client.place_special(**args)  # type: ignore[arg-type]

    return special


@pytest.mark.anyio
@pytest.mark.parametrize(("kind", "code"), CASES)
async def test_every_documented_code_is_mapped_onto_the_error_tree(
    frozen: RunningPinnacle, kind: str, code: str
) -> None:
    async with frozen.client(retry=FAST_RETRY) as client:
        place = await _placer(client, kind)
        frozen.sim.inject(PATHS[kind], f"code:{code}")  # answered with the code, nothing placed
        uid = new_request_id()
        with pytest.raises(WagerkitError) as err:
            await place(unique_request_id=uid)
    if code == "DUPLICATED_REQUEST":  # the id is taken, yet no bet carries it: say so
        assert isinstance(err.value, DuplicateRequest)
        assert err.value.body["uniqueRequestId"] == uid
    else:
        assert isinstance(err.value, Declined)
        assert (err.value.reason, err.value.request_id) == (code, uid)
        assert err.value.message == CODES[kind][code]
    assert frozen.sim.bet_count() == 0
    sent = [p for _, m, p in frozen.sim.requests if m == "POST" and p == PATHS[kind]]
    assert len(sent) == 1  # a declined bet is never resent
    if code in AMBIGUOUS_CODES or code == "DUPLICATED_REQUEST":
        # "never assume it failed": the bet was looked up before the error was reported
        assert any(p == "/v4/bets" for _, m, p in frozen.sim.requests if m == "GET")


@pytest.mark.anyio
@pytest.mark.parametrize("code", sorted(SPECIAL_ERROR_CODES))
async def test_every_special_code_reaches_each_bet_of_a_batch(
    frozen: RunningPinnacle, code: str
) -> None:
    async with frozen.client(retry=FAST_RETRY) as client:
        lines = await contestant_lines(client)
        bets = [
            special_bet(special_id=PL_WINNER, contestant_id=c, line_id=line, stake=2.0)
            for c, line in lines[:2]
        ]
        frozen.sim.inject("/v4/bets/special", f"code:{code}")
        outcomes = await client.place_specials(bets)
    for bet, outcome in zip(bets, outcomes, strict=True):
        assert not outcome.accepted and outcome.unique_request_id == bet.unique_request_id
        if code == "DUPLICATED_REQUEST":
            assert outcome.status == "UNKNOWN" and isinstance(outcome.error, DuplicateRequest)
        else:
            assert outcome.status == "PROCESSED_WITH_ERROR"
            assert isinstance(outcome.error, Declined) and outcome.error.reason == code
            assert outcome.error.request_id == bet.unique_request_id
    assert frozen.sim.bet_count() == 0 and len(special_batches(frozen)) == 1


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("straight", "SYSTEM_ERROR_3"),
        ("parlay", "SYSTEM_ERROR_3"),
        ("teaser", "SYSTEM_ERROR_1"),
        ("special", "SYSTEM_ERROR_2"),
    ],
)
async def test_an_unexpected_error_over_a_placed_bet_is_found_by_lookup(
    frozen: RunningPinnacle, kind: str, code: str
) -> None:
    async with frozen.client(retry=FAST_RETRY) as client:
        place = await _placer(client, kind)
        path = PATHS[kind]
        frozen.sim.inject(path, f"code_after:{code}")  # placed, then "unexpected error"
        uid = new_request_id()
        outcome = await place(unique_request_id=uid)
    assert outcome.accepted and outcome.bet is not None and outcome.bet_id
    assert frozen.sim.bet_count(uid) == 1 and frozen.sim.bet_count() == 1
    steps = [e for _, e in outcome.history]
    assert f"answer PROCESSED_WITH_ERROR {code}" in steps[1]
    assert steps[2] == "lookup by uniqueRequestId" and steps[3].startswith("lookup: found")
    sent = [p for _, m, p in frozen.sim.requests if m == "POST" and p == path]
    assert len(sent) == 1  # found: never resent


# -- codes the server derives from its own rules ------------------------------------------------


async def _reason(place: Place, **kw: object) -> str:
    with pytest.raises(Declined) as err:
        await place(**kw)
    return err.value.reason


@pytest.mark.anyio
async def test_parlay_codes_the_server_derives(frozen: RunningPinnacle) -> None:
    async with frozen.client() as client:
        place = await _placer(client, "parlay")
        arsenal = await line_id(client, ARSENAL_CHELSEA)
        roma = await line_id(client, ROMA_LAZIO)
        assert await _reason(place, legs=parlay_legs(arsenal - 1, roma)) == "INVALID_LEGS"
        assert (
            await _reason(place, round_robin_options=("TwoLegRoundRobin",))
            == "INVALID_ROUND_ROBIN_OPTIONS"
        )
        assert await _reason(place, risk_amount=0.5) == "BELOW_MIN_BET_AMOUNT"
        assert await _reason(place, risk_amount=20_000.0) == "INSUFFICIENT_FUNDS"
        frozen.sim.set_betting_status("ALL_BETTING_CLOSED")
        assert await _reason(place) == "ALL_BETTING_CLOSED"
    assert frozen.sim.bet_count() == 0


@pytest.mark.anyio
async def test_teaser_codes_the_server_derives(frozen: RunningPinnacle) -> None:
    async with frozen.client() as client:
        place = await _placer(client, "teaser")
        arsenal = await line_id(client, ARSENAL_CHELSEA)
        roma = await line_id(client, ROMA_LAZIO)
        legs = teaser_legs(arsenal, roma)
        assert await _reason(place, teaser_id=99) == "TEASER_DOES_NOT_EXIST"
        assert await _reason(place, legs=legs[:1]) == "TOO_FEW_LEGS"
        five = [*legs, *teaser_legs(arsenal, roma), *teaser_legs(arsenal, roma)[:1]]
        assert await _reason(place, legs=five) == "TOO_MANY_LEGS"
        assert await _reason(place, legs=teaser_legs(arsenal, roma - 1)) == "INVALID_LEGS"
        assert await _reason(place, stake=0.5) == "BELOW_MIN_BET_AMOUNT"
        assert await _reason(place, stake=20_000.0) == "INSUFFICIENT_FUNDS"
    assert frozen.sim.bet_count() == 0


@pytest.mark.anyio
async def test_special_codes_the_server_derives(clock: FakeClock) -> None:
    scenario = copy.deepcopy(DEFAULT_SCENARIO)
    scenario["move_probability"] = 0.0
    scenario["account"]["balance"] = 400.0
    scenario["sports"][0]["specials"][0]["cutoff"] = 600  # closes in 10 minutes
    with running_pinnacle(scenario, clock=clock) as running:
        async with running.client() as client:
            place = await _placer(client, "special")
            [(_, line), *_] = await contestant_lines(client)
            assert await _reason(place, special_id=999) == "CONTEST_NOT_FOUND"
            assert await _reason(place, contestant_id=999) == "CONTEST_NOT_FOUND"
            assert await _reason(place, line_id=line - 1) == "LINE_CHANGED"
            assert await _reason(place, stake=0.5) == "BELOW_MIN_BET_AMOUNT"
            assert await _reason(place, stake=600.0) == "ABOVE_MAX_BET_AMOUNT"  # max 500 USD
            assert await _reason(place, stake=450.0) == "INSUFFICIENT_FUNDS"  # balance 400
            running.sim.set_betting_status("ALL_BETTING_CLOSED")
            assert await _reason(place) == "ALL_BETTING_CLOSED"
            running.sim.set_betting_status("ALL_BETTING_ENABLED")
            clock.advance(601)
            assert await _reason(place) == "PAST_CUTOFFTIME"
            assert running.sim.bet_count() == 0
    assert_spec_conformant(running)
