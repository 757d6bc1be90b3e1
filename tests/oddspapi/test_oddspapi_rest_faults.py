"""REST faults of the local OddsPapi server set over HTTP (``POST /admin/rest/…``), seen over
real HTTP on 127.0.0.1: by a bare HTTP client (what the wire carries) and by the wagerkit
client (how it copes). Each fault is bounded in count and time."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.oddspapi.conftest import QUICKSTART_FIXTURE
from wagerkit.errors import NetworkError
from wagerkit.oddspapi import RateLimiterDown
from wagerkit.sim.oddspapi.testing import RunningOddsPapi
from wagerkit.transport import RetryPolicy

pytestmark = pytest.mark.anyio

ONCE = RetryPolicy(attempts=1)
README = Path(__file__).resolve().parents[2] / "README.md"


async def admin(sim: RunningOddsPapi, action: str, **body: Any) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.post(f"{sim.server.base_url}/admin/rest/{action}", json=body)


async def get(sim: RunningOddsPapi, path: str, timeout: float = 5.0) -> httpx.Response:
    async with httpx.AsyncClient(timeout=timeout) as http:
        return await http.get(f"{sim.base_url}{path}", params={"apiKey": sim.api_key})


async def test_429_with_retry_after_over_http(oddspapi_sim: RunningOddsPapi) -> None:
    """The wire carries 429 ``rate_limited`` and the Retry-After asked for; the client waits
    it out and retries (a read)."""
    r = await admin(oddspapi_sim, "429", path="/sports", count=1, retryAfter=2)
    assert r.status_code == 200 and r.json()["pending"][0]["code"] == "rate_limited"
    answer = await get(oddspapi_sim, "/sports")
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "2"
    assert answer.json()["code"] == "rate_limited"
    assert (await get(oddspapi_sim, "/sports")).status_code == 200  # count 1: spent

    await admin(oddspapi_sim, "429", path="/fixtures/odds", retryAfter=0.3)
    async with oddspapi_sim.client() as client:
        started = time.monotonic()
        odds = await client.fixture_odds(QUICKSTART_FIXTURE)
        assert time.monotonic() - started >= 0.3 and odds.fixture_id == QUICKSTART_FIXTURE


async def test_503_rate_limiter_error_over_http(oddspapi_sim: RunningOddsPapi) -> None:
    await admin(oddspapi_sim, "503", path="/currencies", count=2)
    answer = await get(oddspapi_sim, "/currencies")
    assert answer.status_code == 503 and answer.json()["code"] == "rate_limiter_error"
    async with oddspapi_sim.client(retry=ONCE) as client:
        with pytest.raises(RateLimiterDown):
            await client.currencies()
        assert await client.currencies()  # both spent: the limiter is back


async def test_a_closed_connection_over_http(oddspapi_sim: RunningOddsPapi) -> None:
    """Headers, then the connection closes mid-body: a bare client sees a broken answer; the
    wagerkit client gives a NetworkError without retries, and a retried read gets through."""
    await admin(oddspapi_sim, "close", path="/sports", count=2)
    with pytest.raises(httpx.RemoteProtocolError):
        await get(oddspapi_sim, "/sports")
    async with oddspapi_sim.client(retry=ONCE) as client:
        with pytest.raises(NetworkError):
            await client.sports()
    await admin(oddspapi_sim, "close", path="/sports", count=1)
    async with oddspapi_sim.client(retry=RetryPolicy(wait_initial=0.01)) as client:
        assert await client.sports()


async def test_a_dropped_request_over_http(oddspapi_sim: RunningOddsPapi) -> None:
    """No answer at all within the hold: the caller's timeout fires (bounded: 0.3 s of a 1 s
    hold); the next request, past the fault, is answered."""
    await admin(oddspapi_sim, "drop", path="/tournaments", count=1, hold=1)
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        await get(oddspapi_sim, "/tournaments?sportId=10", timeout=0.3)
    assert time.monotonic() - started < 1
    assert (await get(oddspapi_sim, "/tournaments?sportId=10")).status_code == 200


async def test_status_clear_and_bad_requests(oddspapi_sim: RunningOddsPapi) -> None:
    await admin(oddspapi_sim, "503", count=3)  # path "/": every endpoint
    await admin(oddspapi_sim, "close", path="/fixtures")
    pending = (await admin(oddspapi_sim, "status")).json()["pending"]
    assert [(p["path"], p["count"], p["mode"]) for p in pending] == [
        ("/", 3, "answer"),
        ("/fixtures", 1, "close"),
    ]
    assert (await admin(oddspapi_sim, "clear")).json() == {"pending": []}
    assert (await get(oddspapi_sim, "/sports")).status_code == 200
    assert (await admin(oddspapi_sim, "explode")).status_code == 404
    assert (await admin(oddspapi_sim, "429", count=0)).status_code == 400
    assert (await admin(oddspapi_sim, "429", bogus=1)).status_code == 400
    assert (await admin(oddspapi_sim, "drop", hold=-1)).status_code == 400
    assert (await admin(oddspapi_sim, "status")).json() == {"pending": []}


async def test_the_readme_names_the_routes_that_exist(oddspapi_sim: RunningOddsPapi) -> None:
    """Every REST fault action the README's OddsPapi section names answers 200 with the body
    it shows, and the fault it sets is pending."""
    readme = README.read_text(encoding="utf-8")
    (actions,) = re.findall(r"`POST /admin/rest/\{([\w,]+)\}`", readme)
    (body,) = re.findall(r"`(\{\"path\": \"/fixtures/odds\"[^`]*\})`", readme)
    for action in [*actions.split(","), "status", "clear"]:
        r = await admin(oddspapi_sim, action, **json.loads(body))
        assert r.status_code == 200, (action, r.text)
        if action in actions.split(","):
            assert r.json()["pending"][-1]["path"] == "/fixtures/odds"
    assert (await admin(oddspapi_sim, "status")).json() == {"pending": []}
