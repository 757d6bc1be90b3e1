"""Every error path of the OddsPapi client through real HTTP: entitlements (403 and the empty
answers a plan explains), 401, 429 + Retry-After, 503 rate_limiter_error, 4xx validation, a
malformed answer, and the API key kept out of reprs, errors and logs."""

from __future__ import annotations

import logging
import time

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.oddspapi.conftest import QUICKSTART_FIXTURE
from wagerkit.errors import (
    AuthError,
    NotFound,
    NotImplementedByVenue,
    ProtocolError,
    RateLimited,
    ServerError,
    VenueError,
    WagerkitError,
    redact,
)
from wagerkit.oddspapi import (
    AsyncOddsPapiClient,
    BookmakerNotAllowed,
    ChannelNotAllowed,
    EntitlementError,
    InvalidRequest,
    RateLimiterDown,
    SportNotAllowed,
)
from wagerkit.oddspapi.errors import error_from_response
from wagerkit.sim.oddspapi.service import Fault
from wagerkit.sim.oddspapi.testing import RunningOddsPapi
from wagerkit.transport import RetryPolicy

pytestmark = pytest.mark.anyio

ONCE = RetryPolicy(attempts=1)


async def test_entitlement_refusals_are_typed(oddspapi_sim: RunningOddsPapi) -> None:
    narrow = oddspapi_sim.key("soccer-only")
    async with oddspapi_sim.client(narrow, retry=ONCE) as client:
        with pytest.raises(SportNotAllowed) as sport:
            await client.tournaments(11)
        assert not sport.value.inferred and sport.value.status == 403
        for refused in (client.markets(11), client.participants(11)):
            with pytest.raises(SportNotAllowed):
                await refused
        assert {b.slug for b in await client.bookmakers()} == {"pinnacle", "sharpbet"}
        with pytest.raises(BookmakerNotAllowed) as bookmaker:
            await client.fixture_odds(QUICKSTART_FIXTURE, bookmakers=["vertex"])
        assert bookmaker.value.denied == ("vertex",)
        with pytest.raises(ChannelNotAllowed) as channel:
            await client.historical_odds(QUICKSTART_FIXTURE, "pinnacle")
        assert channel.value.code == "channel_not_allowed"
        assert isinstance(channel.value, EntitlementError) and isinstance(channel.value, AuthError)
        # what the plan covers still works
        odds = await client.fixture_odds(QUICKSTART_FIXTURE)
        assert set(odds.odds) == {"pinnacle", "sharpbet"}


async def test_an_empty_answer_the_plan_explains_is_an_entitlement_error(
    oddspapi_sim: RunningOddsPapi,
) -> None:
    """/fixtures answers 200 [] for a sport outside the plan, /fixtures/odds/main 200 with no
    odds for a bookmaker outside it: the client raises the entitlement instead of "no data"."""
    narrow = oddspapi_sim.key("soccer-only")
    async with oddspapi_sim.client(narrow, retry=ONCE) as client:
        raw = await client.request_raw("/fixtures", {"sportId": 11})
        assert raw.status_code == 200 and raw.json() == []
        with pytest.raises(SportNotAllowed) as sport:
            await client.fixtures(sport_id=11)
        assert sport.value.inferred and sport.value.denied == ("11",)
        with pytest.raises(BookmakerNotAllowed) as bookmaker:
            await client.main_odds(tournament_id=23, bookmakers=["vertex"])
        assert bookmaker.value.inferred and bookmaker.value.denied == ("vertex",)
    async with oddspapi_sim.client() as full:
        # entitled to tennis, and there is no tennis: a genuine empty answer
        assert await full.fixtures(sport_id=12) == []
        assert await full.tournaments(12) == []


async def test_401_missing_and_invalid_key(oddspapi_sim: RunningOddsPapi) -> None:
    async with httpx.AsyncClient(base_url=oddspapi_sim.base_url) as raw:
        answer = await raw.get("/sports")
        assert answer.status_code == 401 and answer.json()["code"] == "missing_api_key"
    async with oddspapi_sim.client("ffffffffffffffffffffffffffffffff", retry=ONCE) as client:
        with pytest.raises(AuthError) as refused:
            await client.sports()
        assert refused.value.status == 401 and "invalid_api_key" in str(refused.value)


async def test_429_retry_after_is_honoured_then_retried(oddspapi_sim: RunningOddsPapi) -> None:
    oddspapi_sim.sim.inject(Fault("/fixtures/odds", 429, "rate_limited", retry_after=0.3))
    async with oddspapi_sim.client() as client:
        started = time.monotonic()
        odds = await client.fixture_odds(QUICKSTART_FIXTURE)
        assert time.monotonic() - started >= 0.3  # waited the venue's Retry-After
        assert odds.fixture_id == QUICKSTART_FIXTURE
    # a wait longer than the retry policy takes surfaces as RateLimited with the wait
    oddspapi_sim.sim.inject(Fault("/fixtures/odds", 429, "rate_limited", retry_after=30))
    async with oddspapi_sim.client(retry=RetryPolicy(max_retry_after=1.0)) as client:
        with pytest.raises(RateLimited) as limited:
            await client.fixture_odds(QUICKSTART_FIXTURE)
        assert limited.value.retry_after == 30


async def test_503_rate_limiter_error_is_a_retried_server_error(
    oddspapi_sim: RunningOddsPapi,
) -> None:
    oddspapi_sim.sim.inject(Fault("/sports", 503, "rate_limiter_error", count=1))
    async with oddspapi_sim.client(retry=RetryPolicy(wait_initial=0.01)) as client:
        assert await client.sports()  # a read: retried after the limiter came back
    oddspapi_sim.sim.inject(Fault("/currencies", 503, "rate_limiter_error", count=5))
    async with oddspapi_sim.client(retry=ONCE) as client:
        with pytest.raises(RateLimiterDown) as down:
            await client.currencies()
        assert isinstance(down.value, ServerError) and down.value.status == 503


async def test_venue_validation_and_not_found(client: AsyncOddsPapiClient) -> None:
    with pytest.raises(NotFound):
        await client.fixture_odds("id0000000000000000")
    raw = await client.request_raw("/fixtures", {"sportId": "soccer"})
    assert raw.status_code == 422
    body = raw.json()
    assert body["code"] == "validation_error" and body["detail"] and body["details"]
    raw = await client.request_raw("/markets", {})
    assert raw.status_code == 400 and raw.json()["code"] == "invalid_filters"


async def test_a_malformed_answer_is_a_protocol_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b'[{"sportId": "ten"}]')

    async with AsyncOddsPapiClient(
        "0123456789abcdef0123456789abcdef",
        "http://127.0.0.1:9/en",
        transport=httpx.MockTransport(handler),
        retry=ONCE,
    ) as client:
        with pytest.raises(ProtocolError):
            await client.sports()


async def test_the_key_never_shows(
    oddspapi_sim: RunningOddsPapi, caplog: pytest.LogCaptureFixture
) -> None:
    key = oddspapi_sim.api_key
    caplog.set_level(logging.DEBUG)
    oddspapi_sim.sim.inject(Fault("/bookmakers", 500, "internal", count=5))
    async with oddspapi_sim.client(retry=ONCE) as client:
        await client.sports()
        with pytest.raises(ServerError) as failed:
            await client.bookmakers()
        assert key not in repr(client) and key not in str(failed.value)
        assert key not in repr(failed.value.body)
    assert caplog.records and all(key not in r.getMessage() for r in caplog.records)
    with pytest.raises(WagerkitError) as bad:
        AsyncOddsPapiClient("not a key with spaces", oddspapi_sim.base_url)
    assert "spaces" not in str(bad.value)


CODES = st.sampled_from(
    [
        "sport_not_allowed",
        "bookmaker_not_allowed",
        "channel_not_allowed",
        "rate_limited",
        "rate_limiter_error",
        "invalid_filters",
        "validation_error",
        "not_implemented",
        "missing_api_key",
        "invalid_api_key",
        "whatever",
    ]
)


@given(status=st.integers(min_value=300, max_value=599), code=CODES, junk=st.binary(max_size=40))
def test_every_error_answer_maps_into_the_error_tree(status: int, code: str, junk: bytes) -> None:
    """Whatever OddsPapi answers, the error is a typed VenueError or RateLimited, and the three
    entitlement codes always map to their own classes."""
    body = b'{"error": %d, "message": "m", "code": "%s"}' % (status, code.encode())
    for content in (body, junk):
        error = error_from_response(status, content, {}, what="GET /x")
        assert isinstance(error, (VenueError, RateLimited))
    error = error_from_response(status, body, {}, what="GET /x")
    expected = {
        "sport_not_allowed": SportNotAllowed,
        "bookmaker_not_allowed": BookmakerNotAllowed,
        "channel_not_allowed": ChannelNotAllowed,
        "rate_limiter_error": RateLimiterDown,
    }
    if code in expected:
        assert type(error) is expected[code]
    elif status == 429 or code == "rate_limited":
        assert isinstance(error, RateLimited)
    elif code in ("invalid_filters", "validation_error") and status not in (401, 403, 404, 501):
        assert isinstance(error, (InvalidRequest, NotImplementedByVenue))


def test_a_venue_echoing_the_key_does_not_leak_it() -> None:
    key = "0123456789abcdef0123456789abcdef"
    body = (
        b'{"error": 401, "code": "invalid_api_key", "message": "bad key %s", '
        b'"apiKey": "%s", "details": [{"loc": ["query", "apiKey"], "input": "%s"}]}'
    ) % (key.encode(), key.encode(), key.encode())
    error = error_from_response(  # the client's own scrubber, as HttpTransport.redact runs it
        401, body, {}, what="GET /sports", redact=lambda t: redact(t, [key])
    )
    assert isinstance(error, AuthError)
    assert key not in str(error) and key not in repr(error.body)
    assert error.body["apiKey"] == "***"
