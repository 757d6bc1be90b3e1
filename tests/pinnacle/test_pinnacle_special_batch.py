"""Several special bets in one ``POST /v4/bets/special`` through real HTTP: each bet keeps the
``uniqueRequestId`` it was built with on every send, an ambiguous failure is answered by a
lookup of every unsettled bet before anything is resent, only the bets not found are resent,
and one bet's failure never hides another's success. Every request and response is checked
against the official spec when the server stops (the ``frozen`` fixture)."""

from __future__ import annotations

import pytest

from tests.pinnacle.bets import (
    FAST_RETRY,
    PL_WINNER,
    contestant_lines,
    lookups,
    posts,
    special_batches,
)
from tests.pinnacle.conftest import FlakyTransport, assert_spec_conformant
from wagerkit.clock import FakeClock
from wagerkit.errors import AuthError, Declined, DuplicateRequest, InvalidInput, MaybePlaced
from wagerkit.pinnacle import AsyncPinnacleClient, PinnacleClient, special_bet
from wagerkit.pinnacle.models import SpecialBetRequest
from wagerkit.sim.pinnacle.testing import RunningPinnacle, running_pinnacle


def _bets(lines: list[tuple[int, int]], *, stale: int | None = None) -> list[SpecialBetRequest]:
    """One 3.0 bet per contestant; the bet at index ``stale`` names an old lineId."""
    return [
        special_bet(
            special_id=PL_WINNER,
            contestant_id=contestant,
            line_id=line - 1 if i == stale else line,
            stake=3.0,
        )
        for i, (contestant, line) in enumerate(lines)
    ]


def _ids(bets: list[SpecialBetRequest]) -> list[str]:
    return [b.unique_request_id for b in bets]


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_a_batch_answers_each_bet_on_its_own_in_the_callers_order(
    frozen: RunningPinnacle,
) -> None:
    async with frozen.client() as client:
        bets = _bets(await contestant_lines(client), stale=1)
        outcomes = await client.place_specials(bets)
        assert [o.unique_request_id for o in outcomes] == _ids(bets)
        assert [o.status for o in outcomes] == ["ACCEPTED", "PROCESSED_WITH_ERROR", "ACCEPTED"]
        declined = outcomes[1].error
        assert isinstance(declined, Declined) and declined.reason == "LINE_CHANGED"
        assert declined.request_id == bets[1].unique_request_id
        assert all(o.bet_id and o.risk == 3.0 for o in (outcomes[0], outcomes[2]))
        assert special_batches(frozen) == [_ids(bets)]  # one call carried all three
        found = await client.get_bets(unique_request_ids=_ids(bets))
        assert sorted(b.bet_id for b in found.special_bets) == sorted(
            o.bet_id for o in (outcomes[0], outcomes[2]) if o.bet_id
        )
        assert (await client.balance()).available_balance == 10_000.0 - 6.0


@pytest.mark.anyio
async def test_a_lost_answer_is_looked_up_first_and_only_the_unplaced_bets_are_resent(
    frozen: RunningPinnacle,
) -> None:
    flaky = FlakyTransport()
    async with frozen.client(transport=flaky, retry=FAST_RETRY) as client:
        bets = _bets(await contestant_lines(client), stale=2)
        flaky.add("/v4/bets/special", "lose")  # processed by the server, answer lost
        outcomes = await client.place_specials(bets)
    assert [o.status for o in outcomes] == ["ACCEPTED", "ACCEPTED", "PROCESSED_WITH_ERROR"]
    assert frozen.sim.bet_count() == 2
    for o in outcomes[:2]:
        assert o.bet is not None  # found by the lookup, not taken from an answer
        steps = [e for _, e in o.history]
        assert steps[:3] == [
            "send #1 (3 of 3 bets)",
            "no complete answer: ambiguous",
            "lookup by uniqueRequestId",
        ]
        assert not any(e.startswith("send #2") for e in steps)
    stale = [e for _, e in outcomes[2].history]
    assert stale[1:5] == [
        "no complete answer: ambiguous",
        "lookup by uniqueRequestId",
        "lookup: not placed",
        "send #2 (1 of 3 bets)",
    ]
    # the resend carried the one bet the lookup did not find, under the id it was built with
    assert special_batches(frozen) == [_ids(bets), [bets[2].unique_request_id]]


@pytest.mark.anyio
@pytest.mark.parametrize("fault", ["refuse", "500"])
async def test_a_batch_that_was_not_processed_is_resent_whole_with_the_same_ids(
    frozen: RunningPinnacle, fault: str
) -> None:
    flaky = FlakyTransport()
    async with frozen.client(transport=flaky, retry=FAST_RETRY) as client:
        bets = _bets(await contestant_lines(client))
        if fault == "refuse":
            flaky.add("/v4/bets/special", "refuse", "refuse")  # never left the machine
        else:
            frozen.sim.inject("/v4/bets/special", "500")  # answered 500 before processing
        outcomes = await client.place_specials(bets)
    assert all(o.accepted for o in outcomes)
    for uid in _ids(bets):
        assert frozen.sim.bet_count(uid) == 1
    assert special_batches(frozen) == [_ids(bets)] * (1 if fault == "refuse" else 2)
    if fault == "500":  # ambiguous: the lookup came before the resend
        steps = [e for _, e in outcomes[0].history]
        assert steps[:5] == [
            "send #1 (3 of 3 bets)",
            "HTTP 500: ambiguous",
            "lookup by uniqueRequestId",
            "lookup: not placed",
            "send #2 (3 of 3 bets)",
        ]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["500_after", "delay_after:1.0", "code_after:SYSTEM_ERROR_1"])
async def test_bets_placed_behind_an_ambiguous_answer_are_found_and_never_resent(
    clock: FakeClock, kind: str
) -> None:
    with running_pinnacle({"move_probability": 0.0}, clock=clock) as running:
        async with running.client(retry=FAST_RETRY, timeout=0.3) as client:
            bets = _bets(await contestant_lines(client))
            running.sim.inject("/v4/bets/special", kind)
            outcomes = await client.place_specials(bets)
            assert all(o.accepted and o.bet is not None for o in outcomes)
            assert running.sim.bet_count() == 3
            assert posts(running, "/v4/bets/special") == 1
    assert_spec_conformant(running)


@pytest.mark.anyio
async def test_more_than_ten_bets_are_looked_up_ten_ids_at_a_time(frozen: RunningPinnacle) -> None:
    flaky = FlakyTransport()
    async with frozen.client(transport=flaky, retry=FAST_RETRY) as client:
        lines = await contestant_lines(client)
        bets = _bets(lines * 4)  # 12 bets, 4 per contestant (12 x 3.0 is inside the limits)
        flaky.add("/v4/bets/special", "lose")
        outcomes = await client.place_specials(bets)
    assert all(o.accepted for o in outcomes) and frozen.sim.bet_count() == 12
    assert lookups(frozen) == 2  # /v4/bets takes at most 10 uniqueRequestIds
    assert special_batches(frozen) == [_ids(bets)]


@pytest.mark.anyio
async def test_resending_an_accepted_batch_returns_the_existing_bets(
    frozen: RunningPinnacle,
) -> None:
    async with frozen.client() as client:
        bets = _bets(await contestant_lines(client))
        first = await client.place_specials(bets)
        again = await client.place_specials(bets)  # same ids: DUPLICATED_REQUEST, looked up
    assert [o.bet_id for o in again] == [o.bet_id for o in first]
    assert frozen.sim.bet_count() == 3
    assert all(
        "answer PROCESSED_WITH_ERROR DUPLICATED_REQUEST" in [e for _, e in o.history] for o in again
    )


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("kind", "error"),
    [("code:SYSTEM_ERROR_2", Declined), ("code:DUPLICATED_REQUEST", DuplicateRequest)],
)
async def test_an_unexpected_error_not_found_by_lookup_is_reported_per_bet(
    frozen: RunningPinnacle, kind: str, error: type[Exception]
) -> None:
    async with frozen.client() as client:
        bets = _bets(await contestant_lines(client))
        frozen.sim.inject("/v4/bets/special", kind)  # nothing placed
        outcomes = await client.place_specials(bets)
    expected = "PROCESSED_WITH_ERROR" if error is Declined else "UNKNOWN"
    assert [o.status for o in outcomes] == [expected] * 3
    assert all(isinstance(o.error, error) for o in outcomes)
    assert all("lookup: not placed" in [e for _, e in o.history] for o in outcomes)
    assert frozen.sim.bet_count() == 0 and len(special_batches(frozen)) == 1


@pytest.mark.anyio
async def test_a_failed_lookup_after_ambiguity_leaves_every_bet_maybe_placed(
    frozen: RunningPinnacle,
) -> None:
    flaky = FlakyTransport()
    async with frozen.client(transport=flaky, retry=FAST_RETRY) as client:
        bets = _bets(await contestant_lines(client))
        flaky.add("/v4/bets/special", "lose")
        flaky.add("/v4/bets", *["refuse"] * 20)  # the lookup cannot get through
        outcomes = await client.place_specials(bets)
    assert [o.status for o in outcomes] == ["UNKNOWN"] * 3
    for o, uid in zip(outcomes, _ids(bets), strict=True):
        assert isinstance(o.error, MaybePlaced) and o.error.request_id == uid
    assert len(special_batches(frozen)) == 1  # never resent without knowing
    assert frozen.sim.bet_count() == 3  # (they were placed: the caller reconciles later)


@pytest.mark.anyio
async def test_invalid_batches_are_refused_before_anything_is_sent(
    frozen: RunningPinnacle,
) -> None:
    async with frozen.client() as client:
        bets = _bets(await contestant_lines(client))
        with pytest.raises(InvalidInput):
            await client.place_specials([])
        with pytest.raises(InvalidInput):
            await client.place_specials([bets[0], bets[1], bets[0]])  # one id twice
        with pytest.raises(InvalidInput):
            special_bet(special_id=PL_WINNER, contestant_id=1, line_id=1, stake=0.0)
        with pytest.raises(InvalidInput):
            special_bet(
                special_id=PL_WINNER, contestant_id=1, line_id=1, stake=1.0, unique_request_id="x"
            )
    assert special_batches(frozen) == []


@pytest.mark.anyio
async def test_ids_are_sent_in_canonical_form(frozen: RunningPinnacle) -> None:
    async with frozen.client() as client:
        [(contestant, line), *_] = await contestant_lines(client)
        upper = "6F1C2B4E-94C0-4E3B-9D3A-2B7B7C1D0E5F"
        bet = SpecialBetRequest(
            unique_request_id=upper,
            accept_better_line=False,
            odds_format="DECIMAL",
            stake=2.0,
            win_risk_stake="RISK",
            line_id=line,
            special_id=PL_WINNER,
            contestant_id=contestant,
        )
        [outcome] = await client.place_specials([bet])
    assert outcome.accepted and outcome.unique_request_id == upper.lower()
    assert special_batches(frozen) == [[upper.lower()]]


@pytest.mark.anyio
async def test_a_whole_call_refused_before_any_bet_settled_raises(clock: FakeClock) -> None:
    with running_pinnacle(clock=clock) as running:
        client = AsyncPinnacleClient("tester", "wrongpass9", base_url=running.base_url, clock=clock)
        async with client:
            bet = special_bet(special_id=PL_WINNER, contestant_id=1, line_id=1, stake=1.0)
            with pytest.raises(AuthError) as err:
                await client.place_specials([bet])
        assert "wrongpass9" not in f"{err.value} {err.value.body!r}"
    assert_spec_conformant(running)


def test_the_blocking_twin_places_a_batch(clock: FakeClock) -> None:
    with running_pinnacle({"move_probability": 0.0}, clock=clock) as running:
        with running.blocking_client() as client:
            assert isinstance(client, PinnacleClient)
            lines = client.special_odds(29).leagues[0].specials[0].contestant_lines
            bets = [
                special_bet(
                    special_id=PL_WINNER, contestant_id=c.id, line_id=c.line_id or 0, stake=2.0
                )
                for c in lines[:2]
            ]
            outcomes = client.place_specials(bets)
        assert [o.status for o in outcomes] == ["ACCEPTED", "ACCEPTED"]
        assert running.sim.bet_count() == 2
    assert_spec_conformant(running)
