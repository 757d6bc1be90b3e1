"""Hostile venue answers, for all three clients: every failure to read an answer is a wagerkit
error (ProtocolError for reads, MaybePlaced for a placement ABP or Odds88 accepted with an
unreadable 2xx), never a UnicodeDecodeError, RecursionError or KeyError escaping to the bot.

The answers come through httpx's transport seam (``httpx.MockTransport``), so the clients run
their whole stack (transport, status mapping, decoding) without a network. Bounded: a dozen
bodies times four statuses times a few calls per client, fast retries, a frozen clock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import httpx
import pytest

from tests.abp.conftest import fake_client
from tests.abp.fakeabp import FakeAbp
from tests.abp.test_abp_stream import ScriptedSocket, order_frame
from tests.odds88.helpers import bet_request
from wagerkit.abp import AbpClient, OrderRequest
from wagerkit.abp.stream import AbpStream
from wagerkit.clock import FakeClock
from wagerkit.errors import MaybePlaced, ProtocolError, WagerkitError
from wagerkit.odds88 import Odds88Client
from wagerkit.pinnacle import AsyncPinnacleClient
from wagerkit.transport import RateLimiter, RetryPolicy

pytestmark = pytest.mark.anyio

RETRY = RetryPolicy(attempts=2, timeout=30.0, wait_initial=0.0, wait_max=0.0, max_retry_after=0)

UNREADABLE: dict[str, bytes] = {
    "invalid utf-8": b"\xff\xfe\xfa not text",
    "truncated multibyte": b'{"detail": "caf\xc3',
    "deep array": b"[" * 100_000,
    "deep object": b'{"a":' * 50_000,
    "deep inside a known field": b'{"status": "ACCEPTED", "betId": 1, "x": ' + b"[" * 100_000,
    "truncated": b'{"status": "ACCEPTED", "bet',
    "html": b"<html><body>502 Bad Gateway</body></html>",
}
WRONG_TYPES: dict[str, bytes] = {
    # msgspec skips unknown fields without validating them, so invalid UTF-8 there may be
    # accepted (the fields we read are intact); in a field we read it is a ProtocolError
    "invalid utf-8 in a string": b'{"message": "\xff\xfe", "detail": "\xc3\x28"}',
    "invalid utf-8 in a known field": b'{"status": "\xff\xfe", "betId": 1, "data": "\xc3"}',
    "array": b"[1, 2, 3]",
    "number": b"123",
    "null": b"null",
    "wrong field types": b'{"status": [1], "betId": "x", "accounts": 5, "data": {"a": []}}',
}
STATUSES = [200, 400, 429, 500]


def _answer(status: int, body: bytes) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"content-type": "application/json"})

    return handler


async def _outcome(call: Awaitable[Any]) -> BaseException | None:
    try:
        await call
    except Exception as exc:  # the point of the test: which exceptions come out
        return exc
    return None


def _check(exc: BaseException | None, *, body: str, status: int, placement: bool) -> None:
    if body in UNREADABLE:
        assert exc is not None, f"an unreadable {status} answer was accepted"
    if exc is None:
        return
    assert isinstance(exc, WagerkitError), f"{type(exc).__name__} escaped: {exc}"
    if status == 200 and body in UNREADABLE:
        assert isinstance(exc, MaybePlaced if placement else ProtocolError), repr(exc)


ABP_CALLS: dict[str, tuple[bool, Callable[[AbpClient], Awaitable[Any]]]] = {
    "health": (False, lambda c: c.health()),
    "accounts": (False, lambda c: c.accounts()),
    "orders": (False, lambda c: c.orders(request_uuids=["r-1"])),
    "bet": (False, lambda c: c.bet(7)),
    "place_orders": (
        True,
        lambda c: c.place_orders(OrderRequest.create("fixture-1", 103, 10.0, 1.95, user_ref="h")),
    ),
}


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("body", [*UNREADABLE, *WRONG_TYPES])
async def test_abp_client_turns_every_hostile_answer_into_a_wagerkit_error(
    body: str, status: int
) -> None:
    content = UNREADABLE.get(body) or WRONG_TYPES[body]
    async with AbpClient(
        "key",
        "https://abp.example.com",
        retry=RETRY,
        limiter=RateLimiter(1e9),
        transport=httpx.MockTransport(_answer(status, content)),
    ) as client:
        for placement, call in ABP_CALLS.values():
            exc = await _outcome(call(client))
            _check(exc, body=body, status=status, placement=placement)


PINNACLE_CALLS: dict[str, Callable[[AsyncPinnacleClient], Awaitable[Any]]] = {
    "sports": lambda c: c.sports(),
    "odds": lambda c: c.odds(29, event_ids=[1]),
    "get_bets": lambda c: c.get_bets(bet_ids=[1]),
    "balance": lambda c: c.balance(),
}


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("body", [*UNREADABLE, *WRONG_TYPES])
async def test_pinnacle_client_turns_every_hostile_answer_into_a_wagerkit_error(
    body: str, status: int
) -> None:
    content = UNREADABLE.get(body) or WRONG_TYPES[body]
    async with AsyncPinnacleClient(
        "user",
        "secret-password",
        base_url="https://pinnacle.example.com",
        clock=FakeClock(auto_advance=True),
        retry=RETRY,
        currency="EUR",
        transport=httpx.MockTransport(_answer(status, content)),
    ) as client:
        for call in PINNACLE_CALLS.values():
            _check(await _outcome(call(client)), body=body, status=status, placement=False)
        exc = await _outcome(
            client.place_straight(
                sport_id=29,
                event_id=1,
                period_number=0,
                bet_type="MONEYLINE",
                team="TEAM1",
                line_id=5,
                stake=10.0,
            )
        )
        # a placement's unreadable answer is looked up; the lookup is hostile too, so the
        # outcome stays unknown (MaybePlaced), or the venue's error status says what happened
        assert exc is not None and isinstance(exc, WagerkitError), repr(exc)
        if status == 200:
            assert isinstance(exc, MaybePlaced), repr(exc)


TOKEN = b"header.payload-that-is-long-enough.signature"


def _odds88_answer(
    status: int, body: bytes, *, hostile_login: bool = False
) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/Account/login" and not hostile_login:
            return httpx.Response(200, content=TOKEN, headers={"content-type": "text/plain"})
        return httpx.Response(status, content=body, headers={"content-type": "application/json"})

    return handler


ODDS88_CALLS: dict[str, tuple[bool, Callable[[Odds88Client], Awaitable[Any]]]] = {
    "get_bet": (False, lambda c: c.get_bet("p1", "bet-1")),
    "get_settlement": (False, lambda c: c.get_settlement("p1", "bet-1")),
    "active_currencies": (False, lambda c: c.active_currencies()),
    "max_bet": (False, lambda c: c.max_bet("p1", bet_request())),
    "place_bet": (True, lambda c: c.place_bet("p1", bet_request())),
}


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("body", [*UNREADABLE, *WRONG_TYPES])
async def test_odds88_client_turns_every_hostile_answer_into_a_wagerkit_error(
    body: str, status: int
) -> None:
    content = UNREADABLE.get(body) or WRONG_TYPES[body]
    client = Odds88Client(
        "https://odds88.example.com",
        "client",
        "secret-password",
        clock=FakeClock(auto_advance=True),
        retry=RETRY,
        transport=httpx.MockTransport(_odds88_answer(status, content)),
    )
    try:
        for placement, call in ODDS88_CALLS.values():
            _check(await _outcome(call(client)), body=body, status=status, placement=placement)
    finally:
        await client.aclose()


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("body", list(UNREADABLE))
async def test_odds88_hostile_login_answer_is_a_wagerkit_error(body: str, status: int) -> None:
    client = Odds88Client(
        "https://odds88.example.com",
        "client",
        "secret-password",
        clock=FakeClock(auto_advance=True),
        retry=RETRY,
        transport=httpx.MockTransport(_odds88_answer(status, UNREADABLE[body], hostile_login=True)),
    )
    try:
        exc = await _outcome(client.login())
    finally:
        await client.aclose()
    assert isinstance(exc, WagerkitError), repr(exc)
    assert "secret-password" not in str(exc)


@pytest.mark.parametrize(
    "frame",
    [
        "[" * 100_000,  # not even an envelope, nested too deep for msgspec
        '{"type": "data", "channel": "orders", "event": "UPDATE", "seq": 2, "ts": 1, '
        '"payload": ' + "[" * 100_000 + "}",  # an envelope whose payload is
    ],
    ids=["deep-envelope", "deep-payload"],
)
async def test_abp_stream_counts_a_deeply_nested_frame_instead_of_crashing(frame: str) -> None:
    client = fake_client(FakeAbp())
    stream = AbpStream(client, reconcile=False)
    ws = ScriptedSocket([{"type": "login_ok"}, order_frame(1, 1), order_frame(3, 3)])
    ws.frames.insert(2, frame)
    with pytest.raises(anyio.EndOfStream):
        await stream._serve(ws, "k")  # type: ignore[arg-type]
    assert stream.bad_frames == 1 and stream.state.order(3) is not None
    await client.aclose()
