"""Cashout and settlement feeds over real WebSockets: pings, typed updates, and recovery after a
dropped connection with nothing lost and nothing repeated."""

from __future__ import annotations

import math
import socket
from collections.abc import AsyncIterator

import anyio
import httpx
import pytest
from httpx_ws import WebSocketDisconnect, WebSocketUpgradeError, aconnect_ws

from wagerkit.clock import FakeClock
from wagerkit.errors import AuthError, ProtocolError
from wagerkit.odds88 import (
    BetSettlement,
    CashoutAvailable,
    CashoutNotSupported,
    CashoutUpdate,
    Odds88Client,
    SettledBet,
)
from wagerkit.sim.odds88.testing import RunningOdds88

from .helpers import ARSENAL_HOME, LAKERS, bet_request, wait_until

pytestmark = pytest.mark.anyio


async def _bets(client: Odds88Client, n: int) -> list[str]:
    legs = [ARSENAL_HOME, LAKERS]
    out = []
    for i in range(n):
        result = await client.place_bet("p1", bet_request(legs[i % 2]))
        assert result.request_id is not None
        out.append(result.request_id)
    return out


async def _drain(
    updates: AsyncIterator[CashoutUpdate], into: list[CashoutUpdate], target: int
) -> None:
    with anyio.fail_after(10):
        while len(into) < target:
            into.append(await anext(updates))


async def test_dropped_feed_resumes_without_losing_or_repeating(
    client: Odds88Client, server: RunningOdds88, clock: FakeClock
) -> None:
    ids = await _bets(client, 2)
    journal = server.sim.journal(server.client_id, "cashout")
    received: list[CashoutUpdate] = []
    async with client.cashout_feed() as feed:
        await feed.connected.wait()
        async with client.keep_subscribed(ids):
            updates = aiter(feed)
            await _drain(updates, received, 2)
            for _ in range(4):
                clock.advance(0.4)
                server.sim.tick()
            await _drain(updates, received, len(journal.all()))
            server.sim.hold_feeds()
            assert server.sim.drop_feeds() == 1
            for _ in range(3):  # published while no connection is open
                clock.advance(0.3)
                server.sim.tick()
            server.sim.release_feeds()
            await _drain(updates, received, len(journal.all()))
            assert feed.connects == 2
            assert feed.skipped_duplicates > 0  # the last second was replayed and filtered
            clock.advance(0.5)
            server.sim.tick()  # and live updates still flow after recovery
            await _drain(updates, received, len(journal.all()))
    assert [u.raw for u in received] == [e.data for e in journal.all()]
    assert feed.revision == int(clock.time()) or feed.revision == int(clock.time()) - 1


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_recovery_returns_only_bets_still_subscribed(
    client: Odds88Client, server: RunningOdds88, clock: FakeClock
) -> None:
    a, b = await _bets(client, 2)
    await client.subscribe_cashout([a, b])
    await client.unsubscribe_cashout([b])
    received: list[CashoutUpdate] = []
    async with client.cashout_feed(revision=int(clock.time()) - 5) as feed:
        await _drain(aiter(feed), received, 1)
        await anyio.sleep(0.2)  # give a wrongly replayed second bet time to show up
    assert [u.bet_id for u in received] == [a]


async def test_pings_are_answered_and_the_connection_stays(
    client: Odds88Client, server: RunningOdds88
) -> None:
    async with client.cashout_feed() as feed:
        await wait_until(lambda: feed.pings >= 5)  # the server drops a socket missing 2 pings
        assert feed.connects == 1


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_server_closes_a_socket_that_ignores_pings(
    client: Odds88Client, server: RunningOdds88
) -> None:
    token = await client.auth.token()
    url = f"{server.ws_url}/feed/cashout/v2?revision=0"
    headers = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient() as http, aconnect_ws(url, http, headers=headers) as ws:
        with pytest.raises(WebSocketDisconnect) as info, anyio.fail_after(5):
            while True:
                await ws.receive_text()
    assert info.value.code == 4002


async def test_typed_updates_follow_the_market(client: Odds88Client, server: RunningOdds88) -> None:
    (bet_id,) = await _bets(client, 1)
    received: list[CashoutUpdate] = []
    async with client.cashout_feed() as feed, client.keep_subscribed([bet_id]):
        updates = aiter(feed)
        await _drain(updates, received, 1)
        server.sim.suspend_market(ARSENAL_HOME[1])
        await _drain(updates, received, 2)
        server.sim.suspend_market(ARSENAL_HOME[1], suspended=False)
        await _drain(updates, received, 3)
    first, suspended, back = received
    assert isinstance(first, CashoutAvailable) and isinstance(back, CashoutAvailable)
    assert isinstance(suspended, CashoutNotSupported)
    assert suspended.reason == "MarketSuspended" and suspended.amount is None


async def test_settlement_feed_carries_the_bet_settlement_enum(
    client: Odds88Client, server: RunningOdds88, clock: FakeClock
) -> None:
    win, lose = await _bets(client, 2)
    server.sim.settle_bet(server.client_id, win, BetSettlement.WIN)
    clock.advance(1.0)
    server.sim.settle_bet(server.client_id, lose, BetSettlement.LOSE)
    received: list[SettledBet] = []
    # the feed opens after both settlements: the revision brings them back
    async with client.settlement_feed(revision=int(clock.time()) - 30) as feed:
        updates = aiter(feed)
        with anyio.fail_after(5):
            received = [await anext(updates), await anext(updates)]
    assert [(s.bet_id, s.bet_settlement) for s in received] == [
        (win, BetSettlement.WIN),
        (lose, BetSettlement.LOSE),
    ]
    assert received[0].payout == pytest.approx(21.0)  # 10.00 EUR at 2.10
    assert received[0].currency == "EUR"
    assert received[0].raw is not None and received[0].raw.startswith(b"{")
    assert feed.revision == int(clock.time())


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_malformed_feed_message_is_a_protocol_error_or_skipped(
    client: Odds88Client, server: RunningOdds88
) -> None:
    (bet_id,) = await _bets(client, 1)
    server.sim.publish_raw(server.client_id, "settlement", b'{"betId": 5, "betSettlement": "x"}')
    server.sim.settle_bet(server.client_id, bet_id, BetSettlement.REFUND)
    async with client.settlement_feed() as feed:
        with pytest.raises(ProtocolError), anyio.fail_after(5):
            async for _ in feed:
                pass
    skipped: list[ProtocolError] = []
    async with client.settlement_feed(on_malformed=skipped.append) as feed:
        with anyio.fail_after(5):
            settled = await anext(aiter(feed))
    assert settled.bet_settlement is BetSettlement.REFUND
    assert len(skipped) == 1


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_refused_token_on_the_feed_ends_with_an_auth_error(
    client: Odds88Client, server: RunningOdds88
) -> None:
    await client.login()
    server.sim.accounts[server.client_id] = "changed-elsewhere"
    from wagerkit.sim.odds88.tokens import TokenSigner

    server.sim.tokens = TokenSigner()  # every issued token is now invalid
    async with client.cashout_feed() as feed:
        with pytest.raises(AuthError), anyio.fail_after(5):
            async for _ in feed:
                pass
    assert server.password not in repr(feed.__dict__)


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_simulator_enforces_five_reconnects_per_five_minutes(
    client: Odds88Client, server: RunningOdds88, clock: FakeClock
) -> None:
    token = await client.auth.token()
    url = f"{server.ws_url}/feed/settlement/v4?revision={int(clock.time()) - 10}"
    headers = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient() as http:
        for _ in range(5):
            async with aconnect_ws(url, http, headers=dict(headers)):
                pass
        with pytest.raises(WebSocketUpgradeError) as info:
            async with aconnect_ws(url, http, headers=dict(headers)):
                pass
        assert info.value.response.status_code == 429
        clock.advance(301)
        async with aconnect_ws(url, http, headers=dict(headers)):
            pass


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_an_unreachable_feed_gives_up_after_max_reconnects(
    client: Odds88Client, server: RunningOdds88
) -> None:
    from wagerkit.errors import VenueError
    from wagerkit.odds88.feeds import CashoutFeed
    from wagerkit.transport.websocket import Backoff

    await client.login()
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    feed = CashoutFeed(
        f"ws://127.0.0.1:{port}",
        client.auth,
        FakeClock(),
        max_reconnects=2,
        backoff=Backoff(initial=0.01, maximum=0.02),
    )
    async with feed:
        with pytest.raises(VenueError, match="gave up"), anyio.fail_after(5):
            async for _ in feed:
                pass
    assert feed.connects == 0


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_second_feed_of_the_same_kind_is_refused(client: Odds88Client) -> None:
    from wagerkit.errors import InvalidInput

    async with client.cashout_feed():
        with pytest.raises(InvalidInput, match="one connection"):
            async with client.cashout_feed():
                pass
        async with client.settlement_feed():  # a different feed is fine
            pass
    async with client.cashout_feed():  # and the first one is free again
        pass


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_transient_login_failure_does_not_end_the_feed(
    client: Odds88Client, server: RunningOdds88
) -> None:
    from wagerkit.sim.odds88.tokens import TokenSigner
    from wagerkit.transport.websocket import Backoff

    await client.login()
    server.sim.tokens = TokenSigner()  # the held token is refused: the feed must log in again
    server.sim.inject_fault("/api/Account/login", "500")  # ... and that login fails once
    async with client.cashout_feed(backoff=Backoff(initial=0.01, maximum=0.02)) as feed:
        with anyio.fail_after(5):
            await feed.connected.wait()
    assert client.auth.logins == 2


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize("header", ["inf", "1e400", "Fri, 31 Dec 9999 23:59:59 GMT", "nan"])
async def test_a_hostile_retry_after_on_the_upgrade_waits_at_most_the_documented_maximum(
    client: Odds88Client, server: RunningOdds88, clock: FakeClock, header: str
) -> None:
    from wagerkit.odds88.feeds import MAX_FEED_WAIT
    from wagerkit.transport.websocket import Backoff

    await client.login()
    server.sim.inject_fault("/feed/cashout/v2", f"429:{header}")
    async with client.cashout_feed(backoff=Backoff(initial=0.01, maximum=0.02)) as feed:
        await wait_until(lambda: feed.waiting_until is not None)
        until = feed.waiting_until
        assert until is not None and 0 < until - clock.monotonic() <= MAX_FEED_WAIT
        assert feed.connects == 0
        clock.advance(until - clock.monotonic())  # the bounded wait passes: it connects
        with anyio.fail_after(5):
            await feed.connected.wait()
    assert feed.connects == 1


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_rate_limited_feed_login_waits_a_bounded_time_then_connects(
    client: Odds88Client, server: RunningOdds88, clock: FakeClock
) -> None:
    from wagerkit.odds88.feeds import MAX_FEED_WAIT
    from wagerkit.sim.odds88.tokens import TokenSigner

    await client.login()
    server.sim.tokens = TokenSigner()  # the held token is refused: the feed logs in again...
    server.sim.inject_fault("/api/Account/login", "429:inf")  # ... and is told to wait forever
    async with client.cashout_feed() as feed:
        await wait_until(lambda: feed.waiting_until is not None)
        until = feed.waiting_until
        assert until is not None and 0 < until - clock.monotonic() <= MAX_FEED_WAIT
        clock.advance(until - clock.monotonic())
        with anyio.fail_after(5):
            await feed.connected.wait()


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_repeated_429s_count_against_max_reconnects(
    client: Odds88Client, server: RunningOdds88, clock: FakeClock
) -> None:
    from wagerkit.errors import VenueError
    from wagerkit.odds88.feeds import SettlementFeed

    await client.login()
    server.sim.inject_fault("/feed/settlement/v4", "429:0", count=10)
    # its own clock that moves by what the feed sleeps: the waits pass at once
    feed = SettlementFeed(
        server.ws_url, client.auth, FakeClock(auto_advance=True), max_reconnects=2
    )
    async with feed:
        with pytest.raises(VenueError, match="gave up"), anyio.fail_after(5):
            async for _ in feed:
                pass
    assert feed.connects == 0
    assert server.sim.pending_faults("/feed/settlement/v4") == 7  # three attempts, no more


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_feed_down_for_thousands_of_attempts_does_not_overflow_its_backoff(
    client: Odds88Client,
) -> None:
    """Backoff's ``factor ** attempt`` overflows a float after ~1000 attempts; the feed
    restarts the exponent instead of dying with a raw OverflowError."""
    from wagerkit.errors import VenueError
    from wagerkit.odds88.feeds import CashoutFeed
    from wagerkit.transport.websocket import Backoff

    await client.login()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    worn = Backoff(initial=0.001, maximum=0.002, _attempt=2000)  # a long outage behind it
    feed = CashoutFeed(
        f"ws://127.0.0.1:{port}", client.auth, FakeClock(), max_reconnects=2, backoff=worn
    )
    async with feed:
        with pytest.raises(VenueError, match="gave up"), anyio.fail_after(5):
            async for _ in feed:
                pass


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_future_timestamp_does_not_move_the_resume_point(
    client: Odds88Client, server: RunningOdds88, clock: FakeClock
) -> None:
    """One update stamped in 2100 must not make the next reconnect ask for revision 2100 and
    so skip everything published while the connection was down."""
    first, second = await _bets(client, 2)
    future = b'{"betId":"from-the-future","betSettlement":1,"timestamp":"2100-01-01T00:00:00Z"}'
    received: list[SettledBet] = []
    async with client.settlement_feed(revision=int(clock.time()) - 5) as feed:
        updates = aiter(feed)
        server.sim.publish_raw(server.client_id, "settlement", future)
        server.sim.settle_bet(server.client_id, first, BetSettlement.WIN)
        with anyio.fail_after(5):
            received += [await anext(updates), await anext(updates)]
        assert feed.revision <= clock.time()
        server.sim.hold_feeds()
        assert server.sim.drop_feeds() == 1
        clock.advance(1.0)
        server.sim.settle_bet(server.client_id, second, BetSettlement.LOSE)  # while down
        server.sim.release_feeds()
        with anyio.fail_after(5):
            received.append(await anext(updates))
    assert [s.bet_id for s in received] == ["from-the-future", first, second]


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_feed_message_nested_thousands_deep_is_a_protocol_error(
    client: Odds88Client, server: RunningOdds88
) -> None:
    (bet_id,) = await _bets(client, 1)
    deep = b'{"betId":"x","nested":' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    server.sim.publish_raw(server.client_id, "settlement", deep)
    server.sim.settle_bet(server.client_id, bet_id, BetSettlement.WIN)
    async with client.settlement_feed() as feed:
        with pytest.raises(ProtocolError), anyio.fail_after(5):
            async for _ in feed:
                pass
    skipped: list[ProtocolError] = []
    async with client.settlement_feed(on_malformed=skipped.append) as feed:
        with anyio.fail_after(5):
            settled = await anext(aiter(feed))
    assert settled.bet_id == bet_id and len(skipped) == 1


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize(
    "options",
    [
        {"revision": math.inf},
        {"revision": -1},
        {"revision": "yesterday"},
        {"idle_timeout": math.nan},
        {"idle_timeout": 0},
        {"max_reconnects": -1},
        {"buffer": -5},
        {"keepalive_ping": math.inf},
    ],
)
async def test_feed_options_that_could_never_work_are_invalid_input(
    client: Odds88Client, options: dict[str, object]
) -> None:
    from wagerkit.errors import InvalidInput

    with pytest.raises(InvalidInput):
        client.cashout_feed(**options)
