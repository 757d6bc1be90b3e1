"""No input makes the ABP simulator answer 500: random JSON bodies (objects with the API's own
field names, and any JSON) on every JSON route, admin included, and random query strings on
the reads. Bounded and deterministic (``derandomize``); one server for the module."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wagerkit.sim.abp.testing import fast_config, start_abp_sim

FIELDS = [
    "requestUuid", "fixtureId", "outcomeId", "playerId", "orderStake", "orderPrice", "userRef",
    "orders", "bookmaker", "username", "expiresAt", "orderIds", "requestUuids", "currency",
    "price", "limit", "rates", "seconds", "code", "client", "result", "status", "password",
    "balance", "maxStake", "minStake", "active",
]  # fmt: skip
QUERY = ["fixtureId", "status", "limit", "cursor", "offset", "bookmaker", "currency", "since"]

LEAF = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
ANY_JSON = st.recursive(
    LEAF,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=15,
)
NAMED = st.dictionaries(
    st.sampled_from(FIELDS),
    ANY_JSON | st.lists(st.dictionaries(st.sampled_from(FIELDS), ANY_JSON, max_size=8), max_size=3),
    max_size=8,
)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with (
        start_abp_sim(fast_config()) as sim,
        httpx.Client(base_url=sim.base_url, headers=sim.headers, timeout=10) as client,
    ):
        yield client


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/place-orders"),
        ("POST", "/cancel-orders"),
        ("POST", "/accounts"),
        ("PATCH", "/accounts/bk/user"),
        ("POST", "/_admin/quotes"),
        ("POST", "/_admin/rates"),
        ("POST", "/_admin/faults"),
        ("POST", "/_admin/fixtures/idTEST0001/settle"),
    ],
)
def test_no_json_body_gets_a_server_error(http: httpx.Client, method: str, path: str) -> None:
    @FUZZ
    @given(NAMED | ANY_JSON)
    def one(body: Any) -> None:
        answer = http.request(method, path, content=json.dumps(body))
        assert answer.status_code < 500, (body, answer.text[:300])

    one()


@pytest.mark.parametrize("path", ["/orders", "/bets", "/betslip", "/positions", "/pnl", "/bets/1"])
def test_no_query_gets_a_server_error(http: httpx.Client, path: str) -> None:
    @FUZZ
    @given(st.dictionaries(st.sampled_from(QUERY), st.text(max_size=10), max_size=5))
    def one(query: dict[str, str]) -> None:
        answer = http.get(path, params=query)
        assert answer.status_code < 500, (query, answer.text[:300])

    one()
