"""The local Pinnacle server on the off-type requests the issue found answered with a 500 and a
traceback, on deep JSON and oversized bodies; and the parlay legId echo."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from wagerkit.clock import FakeClock
from wagerkit.sim._contract import MAX_DEPTH
from wagerkit.sim._limits import DEFAULT_MAX_BODY
from wagerkit.sim.pinnacle.testing import RunningPinnacle, running_pinnacle


@pytest.fixture(scope="module")
def server() -> Iterator[RunningPinnacle]:
    with running_pinnacle(clock=FakeClock(auto_advance=True), policy="off") as running:
        yield running


@pytest.fixture(scope="module")
def http(server: RunningPinnacle) -> Iterator[httpx.Client]:
    auth = (server.username, server.password)
    with httpx.Client(base_url=server.base_url, auth=auth, timeout=30) as c:
        yield c


def _uid() -> str:
    return str(uuid.uuid4())


WRONG_TYPES: list[tuple[str, dict[str, Any]]] = [
    ("/v2/line/parlay", {"oddsFormat": "Decimal", "legs": [1, "x"]}),
    ("/v2/line/parlay", {"oddsFormat": "Fractional", "legs": []}),
    (
        "/v2/line/parlay",
        {
            "legs": [
                {
                    "uniqueLegId": _uid(),
                    "eventId": {"id": 1},
                    "periodNumber": 0,
                    "legBetType": "MONEYLINE",
                }
            ]
        },
    ),
    ("/v1/line/teaser", {"teaserId": {"id": 1}, "oddsFormat": "American", "legs": []}),
    ("/v1/line/teaser", {"teaserId": 1, "oddsFormat": "American", "legs": ["leg"]}),
    ("/v4/bets/straight", {"uniqueRequestId": _uid(), "lineId": {"x": 1}, "stake": 10}),
    ("/v4/bets/straight", {"uniqueRequestId": _uid(), "oddsFormat": "WRONG", "stake": 10}),
    ("/v4/bets/straight", {"uniqueRequestId": "not-a-uuid", "stake": 10}),
    ("/v4/bets/parlay", {"uniqueRequestId": _uid(), "legs": [[1]], "riskAmount": 5}),
    ("/v4/bets/teaser", {"uniqueRequestId": _uid(), "teaserId": "eleven", "legs": []}),
    ("/v4/bets/special", {"bets": [{"lineId": [], "specialId": 1}]}),
    ("/v4/bets/special", {"bets": "all"}),
]


@pytest.mark.parametrize(("path", "body"), WRONG_TYPES)
def test_wrong_types_are_a_400_invalid_request_data(
    http: httpx.Client, path: str, body: dict[str, Any]
) -> None:
    answer = http.post(path, json=body)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["code"] == "INVALID_REQUEST_DATA"


@pytest.mark.parametrize(
    "query",
    ["sportId=29.5", "sportId=29&leagueIds=a", "sportId=99999999999", "sportId=29&isLive=maybe"],
)
def test_wrong_query_types_are_a_400(http: httpx.Client, query: str) -> None:
    answer = http.get(f"/v1/fixtures?{query}")
    assert answer.status_code == 400
    assert answer.json()["code"] == "INVALID_REQUEST_DATA"


def test_parlay_legs_echo_the_request_uuid(http: httpx.Client) -> None:
    legs = [
        {
            "uniqueLegId": _uid(),
            "eventId": 1,
            "periodNumber": 0,
            "legBetType": "MONEYLINE",
            "team": "Team1",
        }
        for _ in range(2)
    ]
    answer = http.post("/v2/line/parlay", json={"oddsFormat": "Decimal", "legs": legs})
    assert answer.status_code == 200
    assert [leg["legId"] for leg in answer.json()["legs"]] == [leg["uniqueLegId"] for leg in legs]
    placed = http.post(
        "/v4/bets/parlay",
        json={
            "uniqueRequestId": _uid(),
            "oddsFormat": "DECIMAL",
            "riskAmount": 5,
            "legs": [{k: v for k, v in leg.items() if k != "team"} for leg in legs],
        },
    )
    rows = placed.json().get("validLegs", []) + placed.json().get("invalidLegs", [])
    assert {row["legId"] for row in rows} <= {leg["uniqueLegId"] for leg in legs}
    missing = http.post(
        "/v4/bets/parlay",
        json={
            "uniqueRequestId": _uid(),
            "oddsFormat": "DECIMAL",
            "riskAmount": 5,
            "legs": [{"lineId": 1}, {"uniqueLegId": "leg-2", "lineId": 2}],
        },
    )
    assert missing.status_code == 400  # no UUID to echo: refused, never legId ""


@pytest.mark.parametrize("path", ["/v2/line/parlay", "/v4/bets/straight", "/v4/bets/special"])
@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
def test_deep_json_is_a_400(http: httpx.Client, path: str, depth: int) -> None:
    answer = http.post(path, content=b"[" * depth + b"]" * depth)
    assert answer.status_code == 400
    assert answer.json()["code"] == "INVALID_REQUEST_DATA"


@pytest.mark.parametrize("path", ["/v2/line/parlay", "/v4/bets/straight"])
def test_oversized_body_is_a_413(http: httpx.Client, path: str) -> None:
    answer = http.post(path, content=b" " * (DEFAULT_MAX_BODY + 1))
    assert answer.status_code == 413
    assert answer.json()["code"] == "INVALID_REQUEST_DATA"


def test_without_credentials_it_is_401_before_any_validation(server: RunningPinnacle) -> None:
    answer = httpx.post(server.base_url + "/v4/bets/straight", content=b"[[[", timeout=10)
    assert answer.status_code == 401
