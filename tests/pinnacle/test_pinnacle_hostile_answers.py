"""Answers a well-behaved Pinnacle never gives, through real HTTP against the local server: a
2xx whose body cannot be read, a status the spec does not document, an empty ``{}`` 200, and a
hostile ``Retry-After``. None of them may become a wrong result, a duplicate bet or a silent
multi-hour sleep.

The server's ``body:``/``body_after:`` faults send an exact body (before/after the bet is
placed); ``429:<value>`` sends that ``Retry-After`` as given."""

from __future__ import annotations

from typing import Any

import httpx
import msgspec
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
    posts,
    teaser_legs,
)
from wagerkit.clock import FakeClock
from wagerkit.errors import Declined, MaybePlaced, ProtocolError, RateLimited
from wagerkit.pinnacle import special_bet
from wagerkit.pinnacle.errors import parse_retry_after
from wagerkit.pinnacle.pacer import Pacer
from wagerkit.pinnacle.placement import NOT_PLACED, UNKNOWN, BetOutcome
from wagerkit.sim.pinnacle.testing import RunningPinnacle, running_pinnacle
from wagerkit.transport import RetryPolicy

STRAIGHT = "/v4/bets/straight"
HOUR = 3600.0


def _ml(line: int, **kw: Any) -> dict[str, Any]:
    return {
        "sport_id": SOCCER,
        "event_id": ROMA_LAZIO,
        "period_number": 0,
        "bet_type": "MONEYLINE",
        "team": "TEAM1",
        "line_id": line,
        "stake": 10.0,
        **kw,
    }


def _steps(outcome: BetOutcome) -> list[str]:
    return [e for _, e in outcome.history]


# -- H2: a 2xx that cannot be read is "probably placed", never a ProtocolError -----------------


@pytest.mark.anyio
@pytest.mark.parametrize("garbage", ["<html>gateway</html>", '{"status": 7}', ""])
async def test_an_unreadable_2xx_to_a_placed_straight_bet_is_looked_up_not_resent(
    frozen: RunningPinnacle, garbage: str
) -> None:
    async with frozen.client(retry=FAST_RETRY) as client:
        line = await line_id(client, ROMA_LAZIO)
        frozen.sim.inject(STRAIGHT, f"body_after:{garbage}")
        outcome = await client.place_straight(**_ml(line))
    assert outcome.accepted and outcome.bet is not None  # found by the lookup
    assert _steps(outcome)[:3] == [
        "send #1",
        "HTTP 200, unreadable answer: ambiguous",
        "lookup by uniqueRequestId",
    ]
    assert posts(frozen, STRAIGHT) == 1 and frozen.sim.bet_count() == 1


@pytest.mark.anyio
async def test_an_unreadable_2xx_for_a_bet_not_placed_is_resent_with_the_same_id(
    frozen: RunningPinnacle,
) -> None:
    async with frozen.client(retry=FAST_RETRY) as client:
        line = await line_id(client, ROMA_LAZIO)
        frozen.sim.inject(STRAIGHT, "body:not json")
        outcome = await client.place_straight(**_ml(line))
    assert outcome.accepted
    assert _steps(outcome)[:5] == [
        "send #1",
        "HTTP 200, unreadable answer: ambiguous",
        "lookup by uniqueRequestId",
        "lookup: not placed",
        "send #2",
    ]
    assert frozen.sim.bet_count(outcome.unique_request_id) == 1


@pytest.mark.anyio
async def test_unreadable_2xx_until_the_retries_run_out_is_maybe_placed(
    frozen: RunningPinnacle,
) -> None:
    async with frozen.client(retry=FAST_RETRY) as client:
        line = await line_id(client, ROMA_LAZIO)
        frozen.sim.inject(STRAIGHT, "body:not json", FAST_RETRY.attempts)
        with pytest.raises(MaybePlaced) as err:
            await client.place_straight(**_ml(line))
    assert not isinstance(err.value, ProtocolError) and err.value.request_id
    assert frozen.sim.bet_count() == 0


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["parlay", "teaser"])
async def test_an_unreadable_2xx_to_a_parlay_or_teaser_is_found_in_the_bet_list(
    frozen: RunningPinnacle, kind: str
) -> None:
    async with frozen.client(retry=FAST_RETRY) as client:
        a, b = await line_id(client, ARSENAL_CHELSEA), await line_id(client, ROMA_LAZIO)
        frozen.sim.inject(f"/v4/bets/{kind}", "body_after:}{")
        if kind == "parlay":
            outcome = await client.place_parlay(parlay_legs(a, b), risk_amount=5.0)
        else:
            outcome = await client.place_teaser(TEASER, teaser_legs(a, b), stake=5.0)
    assert outcome.accepted and outcome.bet is not None and outcome.bet_id
    assert "lookup by uniqueRequestId" in _steps(outcome)
    assert posts(frozen, f"/v4/bets/{kind}") == 1 and frozen.sim.bet_count() == 1


@pytest.mark.anyio
async def test_an_unreadable_2xx_to_a_special_batch_is_looked_up_bet_by_bet(
    frozen: RunningPinnacle,
) -> None:
    async with frozen.client(retry=FAST_RETRY) as client:
        bets = [
            special_bet(special_id=PL_WINNER, contestant_id=c, line_id=line, stake=3.0)
            for c, line in await contestant_lines(client)
        ]
        frozen.sim.inject("/v4/bets/special", "body_after:[oops")
        outcomes = await client.place_specials(bets)
    assert all(o.accepted and o.bet is not None for o in outcomes)
    assert posts(frozen, "/v4/bets/special") == 1 and frozen.sim.bet_count() == len(bets)


# -- M3: only documented statuses are believed --------------------------------------------------


@pytest.mark.anyio
async def test_an_undocumented_status_for_a_placed_bet_gives_the_bet_found_by_lookup(
    frozen: RunningPinnacle,
) -> None:
    async with frozen.client(retry=FAST_RETRY) as client:
        line = await line_id(client, ROMA_LAZIO)
        frozen.sim.inject(STRAIGHT, 'body_after:{"status": "WHATEVER", "betId": 5}')
        outcome = await client.place_straight(**_ml(line))
    assert outcome.status == "ACCEPTED" and outcome.bet is not None
    assert outcome.bet_id == outcome.bet.bet_id != 5  # the venue's record, not the odd answer
    assert "answer not understood: look up" in _steps(outcome)
    assert posts(frozen, STRAIGHT) == 1


@pytest.mark.anyio
@pytest.mark.parametrize(
    "body", ['{"status": "WHATEVER"}', '{"status": "ACCEPTED"}', '{"status": "accepted"}']
)
async def test_an_undocumented_answer_for_a_bet_not_placed_is_maybe_placed(
    frozen: RunningPinnacle, body: str
) -> None:
    """``ACCEPTED`` without a bet id is not an accepted bet either: there is nothing to
    reconcile it with."""
    async with frozen.client(retry=FAST_RETRY) as client:
        line = await line_id(client, ROMA_LAZIO)
        frozen.sim.inject(STRAIGHT, f"body:{body}")
        with pytest.raises(MaybePlaced) as err:
            await client.place_straight(**_ml(line))
    assert err.value.request_id and posts(frozen, STRAIGHT) == 1  # not resent blindly
    assert frozen.sim.bet_count() == 0


@pytest.mark.anyio
async def test_an_empty_teaser_answer_is_never_an_accepted_bet(frozen: RunningPinnacle) -> None:
    async with frozen.client(retry=FAST_RETRY) as client:
        a, b = await line_id(client, ARSENAL_CHELSEA), await line_id(client, ROMA_LAZIO)
        frozen.sim.inject("/v4/bets/teaser", "body:{}")
        with pytest.raises(MaybePlaced):
            await client.place_teaser(TEASER, teaser_legs(a, b), stake=5.0)
        frozen.sim.inject("/v4/bets/teaser", "body_after:{}")
        placed = await client.place_teaser(TEASER, teaser_legs(a, b), stake=5.0)
    assert placed.accepted and placed.bet is not None and placed.bet_id  # from the lookup
    assert frozen.sim.bet_count() == 1


@pytest.mark.anyio
async def test_special_rows_without_a_status_are_looked_up_not_accepted(
    frozen: RunningPinnacle,
) -> None:
    async with frozen.client(retry=FAST_RETRY) as client:
        lines = await contestant_lines(client)
        bets = [
            special_bet(special_id=PL_WINNER, contestant_id=c, line_id=line, stake=3.0)
            for c, line in lines[:2]
        ]
        rows = [{"uniqueRequestId": b.unique_request_id} for b in bets]
        rows[1]["status"] = "ACCEPTED"  # but no betId
        body = msgspec.json.encode({"bets": rows}).decode()
        frozen.sim.inject("/v4/bets/special", f"body:{body}")
        outcomes = await client.place_specials(bets)
        assert [o.status for o in outcomes] == [UNKNOWN, UNKNOWN]
        assert all(isinstance(o.error, MaybePlaced) for o in outcomes)
        # the same answer after the first bet *was* placed: its lookup finds it
        first = special_bet(
            special_id=PL_WINNER,
            contestant_id=lines[0][0],
            line_id=lines[0][1],
            stake=3.0,
            unique_request_id=bets[0].unique_request_id,
        )
        body = msgspec.json.encode({"bets": rows[:1]}).decode()
        frozen.sim.inject("/v4/bets/special", f"body_after:{body}")
        again = await client.place_specials([first])
    assert again[0].status == "ACCEPTED" and again[0].bet is not None


@pytest.mark.anyio
async def test_each_special_bet_gets_its_own_row_whatever_the_answers_order(
    frozen: RunningPinnacle,
) -> None:
    async with frozen.client(retry=FAST_RETRY) as client:
        lines = await contestant_lines(client)
        bets = [
            special_bet(special_id=PL_WINNER, contestant_id=c, line_id=line, stake=3.0)
            for c, line in lines[:2]
        ]
        rows = [
            {"status": "ACCEPTED", "betId": 900 + i, "uniqueRequestId": b.unique_request_id}
            for i, b in enumerate(bets)
        ]
        body = msgspec.json.encode({"bets": rows[::-1]}).decode()
        frozen.sim.inject("/v4/bets/special", f"body_after:{body}")
        outcomes = await client.place_specials(bets)
    assert [o.bet_id for o in outcomes] == [900, 901]


# -- H3: a hostile Retry-After is clamped and never slept through --------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("inf", HOUR),
        ("1e9", HOUR),
        ("-5", 0.0),
        ("nan", 1.0),
        ("Fri, 31 Dec 9999 23:59:59 GMT", HOUR),
        ("12", 12.0),
        ("soon", None),
    ],
)
def test_retry_after_is_clamped_into_an_hour(header: str, expected: float | None) -> None:
    assert parse_retry_after(header, now=lambda: 0.0) == expected


def test_pacer_penalties_are_capped() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, margin=0.0)
    pacer.penalize("/v2/sports", None, float("inf"))
    assert pacer.blocked_for("/v2/sports") == HOUR
    pacer.penalize("/v2/odds", 29, float("nan"))
    assert pacer.blocked_for("/v2/odds", 29) == 1.0


@pytest.mark.anyio
@pytest.mark.parametrize("value", ["1e9", "inf"])
async def test_a_huge_retry_after_on_a_bet_surfaces_at_once(
    frozen: RunningPinnacle, clock: FakeClock, value: str
) -> None:
    async with frozen.client(retry=FAST_RETRY) as client:
        line = await line_id(client, ROMA_LAZIO)
        frozen.sim.inject(STRAIGHT, f"429:{value}")
        before = clock.monotonic()
        with pytest.raises(RateLimited) as err:
            await client.place_straight(**_ml(line))
        assert clock.monotonic() - before < 60  # no sleep at all, on the fake clock
    assert err.value.retry_after == HOUR
    assert posts(frozen, STRAIGHT) == 1 and frozen.sim.bet_count() == 0


@pytest.mark.anyio
async def test_a_retry_after_beyond_the_deadline_is_not_waited(
    frozen: RunningPinnacle, clock: FakeClock
) -> None:
    """8 s is within ``max_retry_after`` (10 s) but not within the 5 s left of the timeout."""
    retry = RetryPolicy(attempts=5, timeout=5.0, wait_initial=0.01, wait_max=0.02)
    async with frozen.client(retry=retry) as client:
        line = await line_id(client, ROMA_LAZIO)
        frozen.sim.inject(STRAIGHT, "429:8")
        before = clock.monotonic()
        with pytest.raises(RateLimited) as err:
            await client.place_straight(**_ml(line))
        assert clock.monotonic() - before < 8
    assert err.value.retry_after == 8.0 and frozen.sim.bet_count() == 0


@pytest.mark.anyio
async def test_a_long_retry_after_after_an_unclear_send_is_maybe_placed(
    frozen: RunningPinnacle,
) -> None:
    """The first send got a 500 (the lookup did not find the bet yet); the resend is rate
    limited for an hour: the first send may still land, so this is not "nothing placed"."""
    async with frozen.client(retry=FAST_RETRY) as client:
        line = await line_id(client, ROMA_LAZIO)
        frozen.sim.inject(STRAIGHT, "500")
        frozen.sim.inject(STRAIGHT, "429:1e9")
        with pytest.raises(MaybePlaced) as err:
            await client.place_straight(**_ml(line))
    assert isinstance(err.value.__cause__, RateLimited) and err.value.request_id


@pytest.mark.anyio
async def test_a_nan_retry_after_is_a_short_wait(frozen: RunningPinnacle) -> None:
    async with frozen.client(retry=FAST_RETRY) as client:
        line = await line_id(client, ROMA_LAZIO)
        frozen.sim.inject(STRAIGHT, "429:nan")
        outcome = await client.place_straight(**_ml(line))
    assert outcome.accepted and "429: wait 1s" in _steps(outcome)


@pytest.mark.anyio
async def test_a_huge_retry_after_on_a_special_batch_ends_it_not_placed(
    frozen: RunningPinnacle, clock: FakeClock
) -> None:
    async with frozen.client(retry=FAST_RETRY) as client:
        bets = [
            special_bet(special_id=PL_WINNER, contestant_id=c, line_id=line, stake=3.0)
            for c, line in await contestant_lines(client)
        ]
        frozen.sim.inject("/v4/bets/special", "429:1e9")
        before = clock.monotonic()
        outcomes = await client.place_specials(bets)
        assert clock.monotonic() - before < 60
    assert [o.status for o in outcomes] == [NOT_PLACED] * len(bets)
    assert all(isinstance(o.error, RateLimited) for o in outcomes)


@pytest.mark.anyio
async def test_a_huge_retry_after_on_a_read_raises_and_keeps_the_endpoint_blocked(
    server: RunningPinnacle, clock: FakeClock
) -> None:
    async with server.client() as client:
        server.sim.inject("/v2/sports", "429:1e9")
        before = clock.monotonic()
        with pytest.raises(RateLimited) as err:
            await client.sports()
        assert err.value.retry_after == HOUR
        with pytest.raises(RateLimited):  # still blocked: refused without a request
            await client.sports()
        assert clock.monotonic() - before < 60
    assert sum(1 for e in server.sim.exchanges if e.path == "/v2/sports") == 1


@pytest.mark.anyio
async def test_an_ordinary_fair_use_retry_after_on_a_read_is_waited_out(
    server: RunningPinnacle, clock: FakeClock
) -> None:
    async with server.client() as client:
        server.sim.inject("/v2/currencies", "429:120")
        before = clock.monotonic()
        assert (await client.currencies()).currencies
        assert clock.monotonic() - before >= 120


@pytest.mark.anyio
async def test_the_blocking_client_surfaces_a_huge_retry_after_too(
    frozen: RunningPinnacle,
) -> None:
    frozen.sim.inject("/v2/sports", "429:1e9")
    with frozen.blocking_client() as client, pytest.raises(RateLimited):
        client.sports()


class _LoseAndRelabel(httpx.AsyncBaseTransport):
    """Real HTTP; the first answer to a straight bet is lost after the server placed it, and
    the placed bet's status is then changed to ``status`` on the server, so the client's
    lookup finds a bet in a state the spec does not document."""

    def __init__(self, running: RunningPinnacle, status: str) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.running = running
        self.status = status
        self.done = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.url.path == STRAIGHT and not self.done:
            self.done = True
            await response.aread()
            await response.aclose()
            with self.running.sim.lock:
                for bet in self.running.sim.ledger.bets.values():
                    bet.status = self.status
            raise httpx.ReadTimeout("answer lost (injected)", request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.mark.anyio
async def test_a_bet_found_in_an_undocumented_state_is_maybe_placed_not_declined(
    clock: FakeClock,
) -> None:
    # The server's lookup answer is off-spec on purpose here, so it is not spec-checked.
    with running_pinnacle({"move_probability": 0.0}, clock=clock, record=False) as running:
        transport = _LoseAndRelabel(running, "VOIDED_BY_MARS")
        async with running.client(retry=FAST_RETRY, transport=transport) as client:
            line = await line_id(client, ROMA_LAZIO)
            with pytest.raises(MaybePlaced) as err:
                await client.place_straight(**_ml(line))
    assert not isinstance(err.value, Declined) and "VOIDED_BY_MARS" in str(err.value)
    assert running.sim.bet_count() == 1  # and it was not sent again


@pytest.mark.anyio
async def test_a_bet_found_not_accepted_is_declined(clock: FakeClock) -> None:
    with running_pinnacle({"move_probability": 0.0}, clock=clock) as running:
        transport = _LoseAndRelabel(running, "NOT_ACCEPTED")
        async with running.client(retry=FAST_RETRY, transport=transport) as client:
            line = await line_id(client, ROMA_LAZIO)
            with pytest.raises(Declined) as err:
                await client.place_straight(**_ml(line))
    assert err.value.reason == "NOT_ACCEPTED"
