"""The password and every token stay out of logs, reprs and errors, even when things fail."""

from __future__ import annotations

import logging

import anyio
import pytest

from wagerkit.clock import FakeClock
from wagerkit.errors import WagerkitError
from wagerkit.odds88 import Amount, Odds88Client
from wagerkit.sim.odds88.testing import RunningOdds88

from .helpers import bet_request

pytestmark = [pytest.mark.anyio, pytest.mark.parametrize("anyio_backend", ["asyncio"])]


async def test_no_secret_in_any_output_of_a_troubled_session(
    client: Odds88Client,
    server: RunningOdds88,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    issued: list[str] = []
    signer = server.sim.tokens
    original = signer.issue

    def record(client_id: str, now: float) -> str:
        token = original(client_id, now)
        issued.append(token)
        return token

    signer.issue = record  # type: ignore[method-assign]
    shown: list[str] = []

    async def attempt(call: object) -> None:
        try:
            await call  # type: ignore[misc]
        except WagerkitError as exc:
            shown.extend([str(exc), repr(exc), repr(getattr(exc, "body", None))])

    request = bet_request()
    await client.place_bet("p1", request)
    server.sim.inject_fault("/api/CurrencyExchange", "401")
    await attempt(client.active_currencies())
    for fault in ("garbage", "html", "500", "429"):
        server.sim.inject_fault("/api/Cashout", fault, count=5)
        await attempt(client.cashout(request.id, Amount(1, 4, "EUR")))
    clock.advance(25 * 3600)  # a new token
    await attempt(client.get_bet("p1", request.id))
    async with client.cashout_feed(idle_timeout=0.2) as feed:
        await feed.connected.wait()
        server.sim.drop_feeds()
        with anyio.fail_after(5):
            while feed.connects < 2:  # noqa: ASYNC110
                await anyio.sleep(0.01)
    shown += [repr(client), repr(client.auth), repr(feed.__dict__), caplog.text]
    everything = "\n".join(shown)
    assert len(issued) >= 2
    for secret in [server.password, *issued]:
        assert secret not in everything
        assert secret.split(".")[-1] not in everything  # not even the signature


async def test_credentials_in_the_base_url_stay_out_of_the_repr() -> None:
    odds88 = Odds88Client("https://me:url-secret-77@odds88.example:8443/v1", "cid", "pw-secret-1")
    shown = repr(odds88)
    assert "url-secret-77" not in shown and "pw-secret-1" not in shown
    assert "odds88.example:8443/v1" in shown
