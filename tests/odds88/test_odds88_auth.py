"""Login: a JWT reused for up to 24 hours, renewed before expiry, never shown."""

from __future__ import annotations

import logging

import pytest

from wagerkit.clock import FakeClock
from wagerkit.errors import AuthError, ProtocolError, ServerError
from wagerkit.odds88 import Odds88Client
from wagerkit.sim.odds88.testing import RunningOdds88

pytestmark = pytest.mark.anyio


async def test_token_is_reused_then_renewed_before_24_hours(
    client: Odds88Client, clock: FakeClock
) -> None:
    await client.active_currencies()
    first = await client.auth.token()
    clock.advance(12 * 3600)
    await client.active_currencies()
    assert client.auth.logins == 1
    assert await client.auth.token() == first
    clock.advance(11 * 3600 + 50 * 60)  # 23h50: inside the renewal margin, still valid
    await client.active_currencies()
    assert client.auth.logins == 2
    assert await client.auth.token() != first


async def test_a_refused_token_is_replaced_once(
    client: Odds88Client, server: RunningOdds88
) -> None:
    await client.login()
    server.sim.inject_fault("/api/CurrencyExchange", "401")
    currencies = await client.active_currencies()
    assert {c.symbol for c in currencies} >= {"EUR", "USD"}
    assert client.auth.logins == 2


async def test_wrong_password_is_an_auth_error_without_the_password(
    server: RunningOdds88, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "not-the-right-password-123"
    async with Odds88Client(server.base_url, server.client_id, wrong, clock=clock) as odds88:
        with pytest.raises(AuthError) as info:
            await odds88.login()
    text = str(info.value) + repr(info.value) + caplog.text
    assert wrong not in text
    assert server.client_id in str(info.value)


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize("fault", ["garbage", "wrong_type", "html"])
async def test_a_login_answer_that_is_not_a_token_is_a_protocol_error(
    server: RunningOdds88, clock: FakeClock, fault: str
) -> None:
    server.sim.inject_fault("/api/Account/login", fault)
    async with Odds88Client(
        server.base_url, server.client_id, server.password, clock=clock
    ) as odds88:
        with pytest.raises((ProtocolError, ServerError)) as info:
            await odds88.login()
    # a proxy's HTML error page is a server fault; a 200 that is not a token is a protocol error
    assert isinstance(info.value, ServerError if fault == "html" else ProtocolError)


async def test_token_and_password_never_show(
    client: Odds88Client, server: RunningOdds88, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await client.login()
    token = await client.auth.token()
    shown = repr(client) + str(client) + repr(client.auth) + caplog.text
    assert server.password not in shown
    assert token not in shown
    assert token.split(".")[2] not in client.auth.redact(f"Authorization: Bearer {token}")


def _jwt(claims: bytes) -> str:
    import base64

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    return f"{b64(b'{}')}.{b64(claims)}.{b64(b'not-a-real-signature')}"


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize(
    "claims",
    [
        b'{"exp": 1' + b"0" * 400 + b"}",  # float() of it overflows
        b"[" * 2500 + b"]" * 2500,  # json.loads of it recurses too deep
        b'{"exp": NaN}',
        b'{"exp": Infinity}',
    ],
)
async def test_a_token_with_hostile_claims_is_used_for_the_documented_24_hours(
    client: Odds88Client, server: RunningOdds88, clock: FakeClock, claims: bytes
) -> None:
    """The JWT is the venue's: claims we cannot use mean "no expiry claim", never a raw
    OverflowError or RecursionError out of login()."""
    token = _jwt(claims)
    server.sim.inject_response("/api/Account/login", token.encode(), content_type="text/plain")
    await client.login()
    assert await client.auth.token() == token
    expires = client.auth.expires_at
    assert expires is not None and expires - clock.monotonic() == 24 * 3600


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_login_answer_nested_thousands_deep_is_a_protocol_error(
    server: RunningOdds88, clock: FakeClock
) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    server.sim.inject_response("/api/Account/login", deep)
    async with Odds88Client(
        server.base_url, server.client_id, server.password, clock=clock
    ) as odds88:
        with pytest.raises(ProtocolError):
            await odds88.login()


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_made_up_client_ids_do_not_grow_the_simulators_login_table(
    server: RunningOdds88,
) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        for i in range(20):
            body = {"clientId": f"nobody-{i}", "password": "x"}
            answer = await http.post("/api/Account/login", json=body)
            assert answer.status_code in (401, 429)
    assert len(server.sim.login_times) <= 1
