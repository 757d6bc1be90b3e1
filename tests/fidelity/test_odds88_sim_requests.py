"""The local Odds88 server on hostile and off-type requests, and the shapes the issue found
off-spec: /settlements holds only the official schema's properties, 404 is "Not Found"."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis

from tests.odds88.helpers import bet_request
from wagerkit.odds88 import BetSettlement, BlockingOdds88Client
from wagerkit.sim._contract import MAX_DEPTH
from wagerkit.sim._limits import DEFAULT_MAX_BODY
from wagerkit.sim.odds88.testing import RunningOdds88, odds88_server

SPECS = Path(__file__).parents[2] / "python" / "wagerkit" / "sim" / "odds88" / "specs"
OFFICIAL = schemathesis.openapi.from_dict(
    json.loads((SPECS / "odds88-tradeart-api-openapi.json").read_text(encoding="utf-8"))
)
BET = "/api/players/{playerId}/Bets/{requestId}"


@pytest.fixture(scope="module")
def server() -> Iterator[RunningOdds88]:
    with odds88_server() as running:
        yield running


@pytest.fixture(scope="module")
def http(server: RunningOdds88) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=30) as c:
        token = c.post(
            "/api/Account/login", json={"clientId": server.client_id, "password": server.password}
        ).text
        c.headers["Authorization"] = f"Bearer {token}"
        yield c


def test_settlements_hold_only_the_official_properties(server: RunningOdds88) -> None:
    with BlockingOdds88Client(server.base_url, server.client_id, server.password) as odds88:
        request = bet_request()
        assert odds88.place_bet("p1", request).accepted
        server.sim.settle_bet(server.client_id, request.id, BetSettlement.WIN)
        with httpx.Client(base_url=server.base_url, timeout=10) as c:
            token = c.post(
                "/api/Account/login",
                json={"clientId": server.client_id, "password": server.password},
            ).text
            answer = c.get(
                f"/api/players/p1/Bets/{request.id}/settlements",
                headers={"Authorization": f"Bearer {token}"},
            )
        assert answer.status_code == 200
        assert "currency" not in answer.json() and "timestamp" not in answer.json()
        # SettledBetViewModelV2 has additionalProperties false: this raises on any extra field
        OFFICIAL[BET + "/settlements"]["GET"].validate_response(answer)
        assert odds88.get_settlement("p1", request.id).bet_settlement is BetSettlement.WIN


@pytest.mark.parametrize("suffix", ["", "/settlements"])
def test_unknown_bet_is_not_found_not_a_validation_error(http: httpx.Client, suffix: str) -> None:
    answer = http.get(f"/api/players/p1/Bets/no-such-bet{suffix}")
    assert answer.status_code == 404
    body = answer.json()
    assert body["title"] == "Not Found" and body["status"] == 404
    assert body["type"].endswith("section-6.5.4")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/Account/login", {"clientId": {"a": 1}, "password": "x"}),
        ("/api/Account/login", {"clientId": "c", "password": ["x"]}),
        ("/api/Cashout/subscribe", {"betIds": [1, 2]}),
        ("/api/Cashout/subscribe", {"betIds": "b1"}),
        ("/api/Cashout", {"betId": "b1", "priceChange": 7, "amount": {}}),
        (
            "/api/Cashout",
            {"betId": "b1", "priceChange": 1, "amount": {"localAmount": "1", "precision": 2}},
        ),
    ],
)
def test_wrong_types_are_a_400_problem(http: httpx.Client, path: str, body: object) -> None:
    answer = http.post(path, json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["title"] == "One or more validation errors occurred."


@pytest.mark.parametrize("path", ["/api/Account/login", "/api/Cashout", "/api/players/p1/Bets/V2"])
@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
def test_deep_json_is_a_400(http: httpx.Client, path: str, depth: int) -> None:
    method = "PUT" if path.endswith("/V2") else "POST"
    answer = http.request(method, path, content=b"[" * depth + b"]" * depth)
    assert answer.status_code == 400, answer.text


@pytest.mark.parametrize("path", ["/api/Account/login", "/api/Cashout", "/api/players/p1/Bets/V2"])
def test_oversized_body_is_a_413_problem(http: httpx.Client, path: str) -> None:
    method = "PUT" if path.endswith("/V2") else "POST"
    answer = http.request(method, path, content=b" " * (DEFAULT_MAX_BODY + 1))
    assert answer.status_code == 413
    assert answer.json()["title"] == "Payload Too Large"
