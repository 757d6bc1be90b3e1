"""Every amount sent to Pinnacle as a stake passes one check: a finite number > 0, rounded down
to the account currency's minor unit by the engine, refused with InvalidInput before anything is
sent. Through real HTTP: the tests read what reached the local server, which refuses a stake
that is not a number (``null`` is what a JSON encoder makes of NaN or infinity)."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import msgspec
import pytest

from tests.pinnacle.bets import (
    ARSENAL_CHELSEA,
    PL_WINNER,
    ROMA_LAZIO,
    SOCCER,
    TEASER,
    contestant_lines,
    line_id,
    parlay_legs,
    teaser_legs,
)
from tests.pinnacle.conftest import assert_spec_conformant
from tests.pinnacle.spec_check import check
from wagerkit.clock import FakeClock
from wagerkit.errors import InvalidInput, ProtocolError
from wagerkit.pinnacle import AsyncPinnacleClient, new_request_id, special_bet
from wagerkit.pinnacle.models import SpecialBetRequest
from wagerkit.pinnacle.stakes import check_stake
from wagerkit.sim.pinnacle.testing import RunningPinnacle, running_pinnacle

BAD = [math.inf, -math.inf, math.nan, 0.0, -5.0, 0.004, 1e30, "10", True, None]
BAD_IDS = ["inf", "-inf", "nan", "zero", "negative", "below-a-cent", "huge", "text", "bool", "none"]


def _sent(running: RunningPinnacle, path: str) -> list[dict[str, Any]]:
    """The JSON bodies of the POSTs to ``path`` that reached the server, in order."""
    return [
        msgspec.json.decode(e.request_body)
        for e in running.sim.exchanges
        if e.method == "POST" and e.path == path
    ]


def _bets_posted(running: RunningPinnacle) -> int:
    return sum(
        1 for e in running.sim.exchanges if e.method == "POST" and e.path.startswith("/v4/bets")
    )


def _straight(line: int, stake: Any, **kw: Any) -> dict[str, Any]:
    return {
        "sport_id": SOCCER,
        "event_id": ROMA_LAZIO,
        "period_number": 0,
        "bet_type": "MONEYLINE",
        "team": "TEAM1",
        "line_id": line,
        "stake": stake,
        **kw,
    }


# -- the shared check ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", BAD, ids=BAD_IDS)
def test_check_stake_refuses_anything_but_a_finite_positive_amount(value: Any) -> None:
    with pytest.raises(InvalidInput) as err:
        check_stake(value, "USD")
    assert err.value.field == "stake"


@pytest.mark.parametrize(
    ("value", "currency", "sent"),
    [
        (10.005, "USD", 10.0),
        (10.009999, "EUR", 10.0),
        (0.1 + 0.2, "USD", 0.3),  # float noise never costs a cent
        (12.34, "USD", 12.34),
        (1500.9, "JPY", 1500.0),
        (1.2345, "BHD", 1.234),  # three decimals
        (7, "USD", 7.0),
    ],
)
def test_check_stake_rounds_down_to_the_minor_unit(
    value: float, currency: str, sent: float
) -> None:
    assert check_stake(value, currency) == sent


# -- every place_* method, through real HTTP -----------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("stake", BAD, ids=BAD_IDS)
async def test_no_invalid_stake_is_ever_sent(frozen: RunningPinnacle, stake: Any) -> None:
    async with frozen.client() as client:
        a, b = await line_id(client, ARSENAL_CHELSEA), await line_id(client, ROMA_LAZIO)
        (contestant, special_line), *_ = await contestant_lines(client)
        attempts: list[Callable[[], Awaitable[object]]] = [
            lambda: client.place_straight(**_straight(b, stake)),
            lambda: client.place_straight(**_straight(b, stake, fill_type="FILLANDKILL")),
            lambda: client.place_parlay(parlay_legs(a, b), risk_amount=stake),
            lambda: client.place_teaser(TEASER, teaser_legs(a, b), stake=stake),
            lambda: client.place_special(
                special_id=PL_WINNER, contestant_id=contestant, line_id=special_line, stake=stake
            ),
            lambda: client.place_specials(
                [  # built by hand, past special_bet's own check
                    SpecialBetRequest(
                        unique_request_id=new_request_id(),
                        accept_better_line=False,
                        odds_format="DECIMAL",
                        stake=stake,
                        win_risk_stake="RISK",
                        line_id=special_line,
                        special_id=PL_WINNER,
                        contestant_id=contestant,
                    )
                ]
            ),
        ]
        for attempt in attempts:
            with pytest.raises(InvalidInput):
                await attempt()
    assert _bets_posted(frozen) == 0 and frozen.sim.bet_count() == 0


@pytest.mark.anyio
async def test_special_bet_refuses_a_bad_stake_when_it_is_built() -> None:
    with pytest.raises(InvalidInput):
        special_bet(special_id=1, contestant_id=2, line_id=3, stake=math.inf)


@pytest.mark.anyio
async def test_stakes_are_sent_rounded_down_to_the_cent(frozen: RunningPinnacle) -> None:
    async with frozen.client() as client:
        a, b = await line_id(client, ARSENAL_CHELSEA), await line_id(client, ROMA_LAZIO)
        straight = await client.place_straight(**_straight(b, 10.005))
        parlay = await client.place_parlay(parlay_legs(a, b), risk_amount=5.019)
        teaser = await client.place_teaser(TEASER, teaser_legs(a, b), stake=5.999)
        (contestant, special_line), *_ = await contestant_lines(client)
        special = await client.place_special(
            special_id=PL_WINNER, contestant_id=contestant, line_id=special_line, stake=3.0099
        )
    assert _sent(frozen, "/v4/bets/straight")[0]["stake"] == 10.0
    assert _sent(frozen, "/v4/bets/parlay")[0]["riskAmount"] == 5.01
    assert _sent(frozen, "/v4/bets/teaser")[0]["stake"] == 5.99
    assert _sent(frozen, "/v4/bets/special")[0]["bets"][0]["stake"] == 3.0
    assert straight.risk == 10.0 and teaser.risk == 5.99 and special.risk == 3.0
    assert parlay.accepted


@pytest.mark.anyio
async def test_fill_max_limit_may_send_a_zero_stake(frozen: RunningPinnacle) -> None:
    async with frozen.client() as client:
        b = await line_id(client, ROMA_LAZIO)
        outcome = await client.place_straight(**_straight(b, 0.0, fill_type="FILLMAXLIMIT"))
        assert outcome.accepted and outcome.risk is not None and outcome.risk > 0
        with pytest.raises(InvalidInput):
            await client.place_straight(**_straight(b, math.inf, fill_type="FILLMAXLIMIT"))
    sent = _sent(frozen, "/v4/bets/straight")
    assert len(sent) == 1 and sent[0]["stake"] == 0.0  # the infinite one never left


@pytest.mark.anyio
async def test_stakes_follow_the_account_currency_read_from_the_balance(
    clock: FakeClock,
) -> None:
    scenario = {"move_probability": 0.0, "account": {"currency": "JPY", "balance": 1_000_000.0}}
    with running_pinnacle(scenario, clock=clock) as running:
        async with running.client() as client:
            assert await client.account_currency() == "JPY"
            b = await line_id(client, ROMA_LAZIO)
            outcome = await client.place_straight(**_straight(b, 1500.9))
            await client.place_straight(**_straight(b, 700.5))
        assert [s["stake"] for s in _sent(running, "/v4/bets/straight")] == [1500.0, 700.0]
        assert outcome.risk == 1500.0
        balance_reads = [e for e in running.sim.exchanges if e.path == "/v1/client/balance"]
        assert len(balance_reads) == 1  # read once, kept
    assert_spec_conformant(running)


@pytest.mark.anyio
async def test_a_currency_given_to_the_client_is_used_without_asking(
    frozen: RunningPinnacle,
) -> None:
    async with frozen.client(currency="usd") as client:
        assert await client.account_currency() == "USD"
    assert not [e for e in frozen.sim.exchanges if e.path == "/v1/client/balance"]
    with pytest.raises(InvalidInput):
        AsyncPinnacleClient("u", "p", currency="EURO")


@pytest.mark.anyio
async def test_an_account_currency_that_is_not_iso_is_a_protocol_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = {
            "availableBalance": 1.0,
            "outstandingTransactions": 0.0,
            "givenCredit": 0.0,
            "currency": "XXXX",
        }
        return httpx.Response(200, json=body)

    async with AsyncPinnacleClient(
        "u", "p", base_url="http://127.0.0.1:9", transport=httpx.MockTransport(handler)
    ) as client:
        with pytest.raises(ProtocolError):
            await client.account_currency()


# -- the local server refuses what the spec refuses ----------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("path", "field", "value"),
    [
        ("/v4/bets/straight", "stake", None),
        ("/v4/bets/straight", "stake", "10"),
        ("/v4/bets/straight", "stake", True),
        ("/v4/bets/straight", "stake", "<missing>"),
        ("/v4/bets/parlay", "riskAmount", None),
        ("/v4/bets/teaser", "stake", None),
        ("/v4/bets/special", "stake", None),
    ],
)
async def test_the_server_refuses_a_stake_that_is_not_a_number(
    clock: FakeClock, path: str, field: str, value: Any
) -> None:
    """Sent by hand (the client would never send these), so the request bodies are off-spec
    on purpose; the server's answers are still checked against the spec."""
    with running_pinnacle({"move_probability": 0.0}, clock=clock) as running:
        await _post_bad_stake(running, path, field, value)
    for e in running.sim.exchanges:
        check(e.method, e.path, e.status, e.content_type, e.body)


async def _post_bad_stake(running: RunningPinnacle, path: str, field: str, value: Any) -> None:
    async with running.client() as client:
        a, b = await line_id(client, ARSENAL_CHELSEA), await line_id(client, ROMA_LAZIO)
        (contestant, special_line), *_ = await contestant_lines(client)
    uid = new_request_id()
    common = {"uniqueRequestId": uid, "oddsFormat": "DECIMAL", "acceptBetterLine": False}
    bodies: dict[str, dict[str, Any]] = {
        "/v4/bets/straight": {
            **common,
            "winRiskStake": "RISK",
            "lineId": b,
            "sportId": SOCCER,
            "eventId": ROMA_LAZIO,
            "periodNumber": 0,
            "betType": "MONEYLINE",
            "team": "TEAM1",
        },
        "/v4/bets/parlay": {
            **common,
            "roundRobinOptions": ["Parlay"],
            "legs": msgspec.to_builtins(parlay_legs(a, b)),
        },
        "/v4/bets/teaser": {
            **common,
            "teaserId": TEASER,
            "winRiskStake": "RISK",
            "legs": msgspec.to_builtins(teaser_legs(a, b)),
        },
    }
    if path == "/v4/bets/special":
        bet = {
            **common,
            "winRiskStake": "RISK",
            "lineId": special_line,
            "specialId": PL_WINNER,
            "contestantId": contestant,
        }
        if value != "<missing>":
            bet[field] = value
        payload: dict[str, Any] = {"bets": [bet]}
    else:
        payload = bodies[path]
        if value != "<missing>":
            payload[field] = value
    async with httpx.AsyncClient(base_url=running.base_url) as http:
        response = await http.post(
            path, json=payload, auth=httpx.BasicAuth(running.username, running.password)
        )
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "INVALID_REQUEST_DATA"
    assert running.sim.bet_count() == 0
