"""The live OddsPapi stream against the local server over real WebSocket and HTTP on 127.0.0.1:
recovery after drops inside and outside the resume window, control frames, close codes."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import httpx
import msgspec
import pytest

from wagerkit.clock import FakeClock
from wagerkit.errors import AuthError, InvalidInput
from wagerkit.oddspapi import (
    AsyncOddsPapiClient,
    BookmakerNotAllowed,
    OddsBook,
    SportNotAllowed,
)
from wagerkit.oddspapi.liveodds import key_of, updates_of_snapshot
from wagerkit.oddspapi.models import odds_id
from wagerkit.oddspapi.stream import OddsStream, TooManyConnections, ws_url_of
from wagerkit.sim.oddspapi.service import Fault
from wagerkit.sim.oddspapi.testing import RunningOddsPapi, running_oddspapi
from wagerkit.sim.oddspapi.ws import hub_of
from wagerkit.transport import Backoff
from wagerkit.transport.websocket import ConnectionClosed, connect_ws

FIX = "id1000004461512432"
OTHER = "id1000001772221240"  # vertex is staleOdds there in the scenario

pytestmark = pytest.mark.anyio


def _fast() -> Backoff:
    return Backoff(initial=0.01, maximum=0.05)


async def admin(sim: RunningOddsPapi, action: str, **body: Any) -> dict[str, Any]:
    async with httpx.AsyncClient() as http:
        r = await http.post(f"{sim.server.base_url}/admin/stream/{action}", json=body)
        r.raise_for_status()
        result: dict[str, Any] = r.json()
        return result


async def mismatches(stream: OddsStream, client: AsyncOddsPapiClient, fixture: str) -> int:
    """Quotes of ``fixture`` where the stream's odds differ from a fresh REST snapshot."""
    snapshot = await client.fixture_odds(fixture)
    ref = {key_of(u): u for u in updates_of_snapshot(snapshot)}
    mine = {k: q for k, q in stream.odds.all_quotes().items() if q.fixture_id == fixture}
    assert ref, "the snapshot holds quotes"
    return sum(1 for k in ref.keys() | mine.keys() if ref.get(k) != mine.get(k))


async def settled(
    stream: OddsStream, client: AsyncOddsPapiClient, fixture: str = FIX, timeout: float = 8.0
) -> int:
    """Prices stopped: wait (bounded) until the stream equals REST; the last mismatch count."""
    deadline = time.monotonic() + timeout
    while True:
        await stream.wait_whole(timeout)
        found = await mismatches(stream, client, fixture)
        if found == 0 or time.monotonic() > deadline:
            return found
        await anyio.sleep(0.1)


async def until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait (bounded) until ``predicate()`` holds; the stream updates it from its own task."""
    with anyio.fail_after(timeout):
        while not predicate():  # noqa: ASYNC110 - counters and quotes, no event to wait on
            await anyio.sleep(0.01)


@pytest.fixture
async def client(oddspapi_sim: RunningOddsPapi) -> AsyncIterator[AsyncOddsPapiClient]:
    async with oddspapi_sim.client() as c:
        yield c


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_odds_equal_rest_after_every_kind_of_drop(
    oddspapi_sim: RunningOddsPapi, client: AsyncOddsPapiClient
) -> None:
    """12 rounds of prices moving every few ms while the socket is closed (resume inside the
    window), a resume is refused (snapshot_required), frames are dropped (snapshot_required
    client_backpressure), the server sheds us (4002), restarts (server_restarted) or asks for a
    reconnect: after each, the stream's odds equal a fresh REST snapshot: 0 mismatches."""
    faults = ["close", "gap", "drop", "backpressure", "restart", "reconnect"] * 2
    async with OddsStream(
        client, oddspapi_sim.api_key, fixture_ids=[FIX], backoff=_fast()
    ) as stream:
        assert await settled(stream, client) == 0
        for fault in faults:
            await admin(
                oddspapi_sim, "walk", interval=0.003, seed=len(stream.close_codes), fixtureId=FIX
            )
            await anyio.sleep(0.08)
            if fault == "gap":
                await admin(oddspapi_sim, "gap", count=1)
                await admin(oddspapi_sim, "close")
            elif fault == "drop":
                await admin(oddspapi_sim, "drop", count=5)
            elif fault == "restart":
                await admin(oddspapi_sim, "restart")
                await admin(oddspapi_sim, "close")
            else:
                assert (await admin(oddspapi_sim, fault))["connections"] == 1
            await anyio.sleep(0.12)
            await admin(oddspapi_sim, "stop-walk")
            assert await settled(stream, client) == 0, fault
        assert stream.resumes >= 4  # close and reconnect rounds resumed from the cursor
        assert stream.snapshots_required >= 6  # gap, drop, restart rounds
        assert stream.recoveries >= 7  # the first snapshot, then one per refused resume
        assert stream.reconnect_frames == 2
        assert stream.close_codes.count(4002) == 2
        assert stream.updates > 100  # prices really moved under the stream


async def test_drop_inside_the_window_resumes_with_the_missed_move(
    oddspapi_sim: RunningOddsPapi, client: AsyncOddsPapiClient
) -> None:
    """A price that moves while the socket is down is replayed on resume (no REST needed)."""
    oid = odds_id(FIX, "pinnacle", 101)
    async with OddsStream(
        client, oddspapi_sim.api_key, fixture_ids=[FIX], backoff=Backoff(initial=0.3, maximum=0.3)
    ) as stream:
        await admin(oddspapi_sim, "walk", interval=0.01, seed=3, fixtureId=FIX)
        await anyio.sleep(0.1)
        await admin(oddspapi_sim, "stop-walk")
        recoveries = stream.recoveries
        await admin(oddspapi_sim, "close")
        oddspapi_sim.sim.world.move(oid, price=7.77)
        await until(lambda: getattr(stream.odds.get(oid), "price", None) == 7.77)
        assert stream.resumes == 1 and stream.snapshots_required == 0
        assert stream.recoveries == recoveries
        assert await settled(stream, client) == 0


async def test_drop_outside_the_window_recovers_over_rest(
    oddspapi_sim: RunningOddsPapi, client: AsyncOddsPapiClient
) -> None:
    """A cursor older than the server's window gets snapshot_required; the stream buffers,
    reads REST and ends equal to it, the move made while it was down included."""
    hub_of(oddspapi_sim.sim).resume_window = 0.3
    oid = odds_id(FIX, "pinnacle", 101)
    async with OddsStream(
        client, oddspapi_sim.api_key, fixture_ids=[FIX], backoff=Backoff(initial=0.2, maximum=0.2)
    ) as stream:
        await admin(oddspapi_sim, "walk", interval=0.01, seed=4, fixtureId=FIX)
        await anyio.sleep(0.1)
        await admin(oddspapi_sim, "stop-walk")
        await anyio.sleep(0.5)  # the cursor is now older than the window
        await admin(oddspapi_sim, "close")
        oddspapi_sim.sim.world.move(oid, price=8.88)
        await until(lambda: stream.snapshots_required != 0)
        assert await settled(stream, client) == 0
        assert stream.odds.get(oid).price == 8.88  # type: ignore[union-attr]
        assert stream.resumes == 0


async def test_client_skips_resume_when_its_cursor_is_too_old(
    oddspapi_sim: RunningOddsPapi, client: AsyncOddsPapiClient
) -> None:
    """With a cursor older than the window the client does not ask to resume: it logs in fresh
    and reads REST (no snapshot_required round trip)."""
    async with OddsStream(
        client, oddspapi_sim.api_key, fixture_ids=[FIX], backoff=_fast(), resume_window=0.2
    ) as stream:
        await admin(oddspapi_sim, "walk", interval=0.01, seed=5, fixtureId=FIX)
        await anyio.sleep(0.1)
        await admin(oddspapi_sim, "stop-walk")
        await anyio.sleep(0.4)
        await admin(oddspapi_sim, "close")
        await until(lambda: stream.recoveries >= 2)
        assert stream.snapshots_required == 0 and stream.resumes == 0
        assert await settled(stream, client) == 0


async def test_msgpack_stream_recovers_too(
    oddspapi_sim: RunningOddsPapi, client: AsyncOddsPapiClient
) -> None:
    """receiveType binary (msgpack frames) ends equal to REST after a drop and a gap."""
    async with OddsStream(
        client, oddspapi_sim.api_key, fixture_ids=[FIX], receive_type="binary", backoff=_fast()
    ) as stream:
        for fault in ("close", "gap"):
            await admin(oddspapi_sim, "walk", interval=0.003, seed=6, fixtureId=FIX)
            await anyio.sleep(0.08)
            if fault == "gap":
                await admin(oddspapi_sim, "gap", count=1)
            await admin(oddspapi_sim, "close")
            await anyio.sleep(0.1)
            await admin(oddspapi_sim, "stop-walk")
            assert await settled(stream, client) == 0
        assert stream.updates > 10 and stream.bad_frames == 0


async def test_reconnect_frame_reconnects_at_once_and_resumes(
    oddspapi_sim: RunningOddsPapi, client: AsyncOddsPapiClient
) -> None:
    slow = Backoff(initial=30.0, maximum=30.0)  # a backoff delay would time the test out
    async with OddsStream(client, oddspapi_sim.api_key, fixture_ids=[FIX], backoff=slow) as stream:
        slow._attempt = 5  # as if reconnects had failed before: backoff would now be long
        assert (await admin(oddspapi_sim, "reconnect"))["connections"] == 1
        await until(lambda: stream.resumes >= 1)
        assert stream.reconnect_frames == 1 and stream.connects == 2


async def test_backpressure_close_4002_reconnects_at_once(
    oddspapi_sim: RunningOddsPapi, client: AsyncOddsPapiClient
) -> None:
    slow = Backoff(initial=30.0, maximum=30.0)
    async with OddsStream(client, oddspapi_sim.api_key, fixture_ids=[FIX], backoff=slow) as stream:
        slow._attempt = 5
        await admin(oddspapi_sim, "backpressure")
        await until(lambda: stream.connects >= 2)
        assert stream.close_codes == [4002]


async def test_server_closes_a_sixth_connection_with_4003(oddspapi_sim: RunningOddsPapi) -> None:
    login = msgspec.json.encode(
        {"type": "login", "apiKey": oddspapi_sim.api_key, "channels": ["odds"], "fixtureIds": [FIX]}
    )
    async with anyio.create_task_group() as tg:
        opened = anyio.Event()
        release = anyio.Event()
        count = 0

        async def hold() -> None:
            nonlocal count
            async with connect_ws(oddspapi_sim.ws_url) as ws:
                await ws.send_text(login)
                assert msgspec.json.decode(await ws.receive(5))["type"] == "login_ok"
                count += 1
                if count == 5:
                    opened.set()
                await release.wait()

        for _ in range(5):
            tg.start_soon(hold)
        with anyio.fail_after(5):
            await opened.wait()
        async with connect_ws(oddspapi_sim.ws_url) as ws:
            await ws.send_text(login)
            with pytest.raises(ConnectionClosed) as closed:
                await ws.receive(5)
        assert closed.value.code == 4003
        release.set()


async def test_client_refuses_a_sixth_stream_on_a_key(
    oddspapi_sim: RunningOddsPapi, client: AsyncOddsPapiClient
) -> None:
    """The 6th stream on one key raises TooManyConnections before anything is sent; the
    server never sees it. Closing one frees the slot."""

    def new() -> OddsStream:
        return OddsStream(client, oddspapi_sim.api_key, fixture_ids=[FIX])

    async with contextlib.AsyncExitStack() as four:
        for _ in range(4):
            await four.enter_async_context(new())
        async with new():
            with pytest.raises(TooManyConnections):
                async with new():
                    pass
            status = await admin(oddspapi_sim, "status")
            assert status["connections"] == 5 and status["refused4003"] == 0
        async with new() as sixth:
            assert sixth.whole


async def test_login_timeout_closes_with_4000(oddspapi_sim: RunningOddsPapi) -> None:
    hub_of(oddspapi_sim.sim).login_timeout = 0.2
    async with connect_ws(oddspapi_sim.ws_url) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await ws.receive(5)
    assert closed.value.code == 4000


async def test_refused_logins_stop_the_stream_with_typed_errors(
    oddspapi_sim: RunningOddsPapi, client: AsyncOddsPapiClient
) -> None:
    with pytest.raises(AuthError):
        async with OddsStream(client, "f" * 32, fixture_ids=[FIX]):
            pass
    narrow = oddspapi_sim.key("soccer-only")
    with pytest.raises(BookmakerNotAllowed) as refused:
        async with OddsStream(client, narrow, fixture_ids=[FIX], bookmakers=["vertex"]):
            pass
    assert narrow not in str(refused.value) and "f" * 32 not in str(refused.value)


async def test_stale_and_suspended_quotes_are_never_live(
    oddspapi_sim: RunningOddsPapi, client: AsyncOddsPapiClient
) -> None:
    """vertex is staleOdds on OTHER in the scenario (REST snapshot); sharpbet is suspended on
    OTHER mid-stream (stream update): both are stored, neither is offered as live."""
    world = oddspapi_sim.sim.world
    sharp = odds_id(OTHER, "sharpbet", 101)
    async with OddsStream(client, oddspapi_sim.api_key, fixture_ids=[FIX, OTHER]) as stream:
        quotes = stream.odds.all_quotes().items()
        vertex = [k for k, q in quotes if q.bookmaker == "vertex" and q.fixture_id == OTHER]
        assert vertex and all(stream.odds.get(k).stale_odds for k in vertex)  # type: ignore[union-attr]
        assert all(stream.odds.live(k) is None for k in vertex)
        assert stream.odds.live(sharp) is not None
        world.set_state(OTHER, "sharpbet", suspended=True)
        world.move(sharp, price=3.33)
        await until(lambda: getattr(stream.odds.get(sharp), "price", None) == 3.33)
        assert stream.odds.get(sharp).suspended  # type: ignore[union-attr]
        assert stream.odds.live(sharp) is None
        assert sharp not in stream.odds.live_quotes(OTHER)
        assert vertex[0] not in stream.odds.live_quotes()
        assert len(stream.odds.live_quotes(FIX)) > 0


async def test_bad_arguments_are_refused_before_anything_is_sent(
    oddspapi_sim: RunningOddsPapi, client: AsyncOddsPapiClient
) -> None:
    key = oddspapi_sim.api_key
    with pytest.raises(InvalidInput):
        OddsStream(client, key, receive_type="zstd")
    with pytest.raises(InvalidInput):
        OddsStream(client, key, bookmakers=["a", "b", "c", "d", "e", "f"])
    with pytest.raises(InvalidInput):
        OddsStream(client, key, channels=["nope"])
    with pytest.raises(InvalidInput):
        OddsStream(client, key, sport_ids=[0])
    with pytest.raises(InvalidInput):
        OddsStream(client, "not a key")
    stream = OddsStream(client, key)
    assert key not in repr(stream)
    assert ws_url_of("https://v5.oddspapi.io/en") == "wss://v5.oddspapi.io/ws"


async def test_recovery_rides_out_rest_faults(
    oddspapi_sim: RunningOddsPapi, client: AsyncOddsPapiClient
) -> None:
    """The REST snapshot of a recovery meets a 503 rate_limiter_error and a 429 with
    Retry-After (injected): the client's retries carry it through, and the odds end equal."""
    async with OddsStream(
        client, oddspapi_sim.api_key, fixture_ids=[FIX], backoff=_fast()
    ) as stream:
        oddspapi_sim.sim.inject(Fault("/fixtures/odds", 503, "rate_limiter_error", count=1))
        oddspapi_sim.sim.inject(Fault("/fixtures/odds", 429, "rate_limited", 1, 0.2))
        await admin(oddspapi_sim, "walk", interval=0.005, seed=9, fixtureId=FIX)
        await admin(oddspapi_sim, "drop", count=3)  # -> snapshot_required -> REST
        await until(lambda: stream.snapshots_required >= 1)
        await admin(oddspapi_sim, "stop-walk")
        await stream.wait_whole(10)
        assert not oddspapi_sim.sim.faults  # both faults were met by the recovery
        assert await settled(stream, client) == 0
        assert stream.recoveries >= 2


async def test_plan_and_filters_bound_what_is_streamed(oddspapi_sim: RunningOddsPapi) -> None:
    """A soccer-only key on pinnacle and sharpbet receives nothing else; a sport outside its
    plan is refused at login with SportNotAllowed."""
    narrow = oddspapi_sim.key("soccer-only")
    async with oddspapi_sim.client(narrow) as c:
        with pytest.raises(SportNotAllowed):
            async with OddsStream(c, narrow, sport_ids=[11]):
                pass
        async with OddsStream(c, narrow, fixture_ids=[OTHER], backoff=_fast()) as stream:
            await admin(oddspapi_sim, "walk", interval=0.003, seed=10)  # every fixture moves
            await anyio.sleep(0.3)
            await admin(oddspapi_sim, "stop-walk")
            seen = stream.odds.all_quotes().values()
            assert {q.bookmaker for q in seen} <= {"pinnacle", "sharpbet"}
            assert {q.fixture_id for q in seen} == {OTHER}
            assert stream.updates > 0


async def test_a_silent_server_is_dropped_by_the_keepalive(client: AsyncOddsPapiClient) -> None:
    """A server that logs us in, then neither sends nor answers pings (a half-open socket):
    the keepalive drops it (1011) and the stream reconnects instead of waiting forever."""
    from websockets.server import ServerProtocol

    async def silent(conn: anyio.abc.SocketStream) -> None:
        proto = ServerProtocol()
        logged_in = False
        async with conn:
            while True:
                proto.receive_data(await conn.receive())
                for event in proto.events_received():
                    if hasattr(event, "path"):  # the upgrade request
                        proto.send_response(proto.accept(event))
                    elif b"login" in getattr(event, "data", b""):
                        logged_in = True
                        proto.send_text(b'{"type":"login_ok","serverEpoch":"e1"}')
                for chunk in proto.data_to_send():
                    await conn.send(chunk)
                if logged_in:
                    await anyio.sleep(30)  # silent from now on: no reads, so no pongs

    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)  # noqa: S610 - anyio, not Django
    async with anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, silent)
        stream = OddsStream(
            client,
            "0123456789abcdef0123456789abcdef",
            fixture_ids=[FIX],
            ws_url=f"ws://127.0.0.1:{port}/ws",
            keepalive=0.2,
            backoff=_fast(),
        )
        async with stream:
            await until(lambda: stream.connects >= 2, timeout=10)
        assert 1011 in stream.close_codes
        tg.cancel_scope.cancel()


async def test_scheduled_moves_reach_the_stream_and_resume_uses_venue_time() -> None:
    """On a fake clock: the scenario's move at 30 s (pinnacle 101 on OTHER to 2.08) reaches the
    stream once the clock passes it; with the stream on the same clock, a drop 10 fake seconds
    after the last entry resumes, one 70 fake seconds after does not (the window is 60 s; an
    entry's id carries the time it was published)."""
    clock = FakeClock()
    oid = odds_id(OTHER, "pinnacle", 101)
    with running_oddspapi(clock=clock) as sim:
        async with (
            sim.client() as c,
            OddsStream(c, sim.api_key, fixture_ids=[OTHER], backoff=_fast(), clock=clock) as stream,
        ):
            assert stream.odds.get(oid).price != 2.08  # type: ignore[union-attr]
            clock.advance(31)
            await until(lambda: getattr(stream.odds.get(oid), "price", None) == 2.08)
            clock.advance(10)
            await admin(sim, "close")
            await until(lambda: stream.resumes == 1)
            clock.advance(2000)  # every other move of the schedule is due: one advance() call
            await until(lambda: stream.updates >= 3)  # ... publishes them all (60, 90 s here)
            clock.advance(70)  # ... and the cursor is now 70 s old
            await admin(sim, "close")
            await until(lambda: stream.recoveries == 2)  # fresh login, REST: no resume asked
            assert stream.resumes == 1 and stream.snapshots_required == 0
            assert await settled(stream, c, OTHER) == 0


async def test_a_reader_the_server_cannot_keep_up_with_is_shed_with_4002(
    oddspapi_sim: RunningOddsPapi, client: AsyncOddsPapiClient
) -> None:
    """A burst larger than the server's per-connection queue (made tiny here) closes the
    socket with 4002 (no injected fault); the stream reconnects at once; the server refuses to
    replay more than the queue holds (snapshot_required), and the stream ends equal to REST."""
    hub_of(oddspapi_sim.sim).buffer = 20  # room for the login's snapshot (8 frames)
    world = oddspapi_sim.sim.world
    oid = odds_id(FIX, "pinnacle", 102)
    async with OddsStream(
        client, oddspapi_sim.api_key, fixture_ids=[FIX], backoff=_fast()
    ) as stream:
        for i in range(300):  # queued on the server's loop faster than it can write
            world.move(oid, price=round(3.0 + i / 100, 2))
        await until(lambda: 4002 in stream.close_codes)
        assert await settled(stream, client) == 0
        assert stream.odds.get(oid).price == 5.99  # type: ignore[union-attr]
        assert stream.snapshots_required >= 1


async def test_a_server_shedding_us_in_a_loop_gets_the_backoff(
    oddspapi_sim: RunningOddsPapi, client: AsyncOddsPapiClient
) -> None:
    """Reconnects the server asked for are immediate three times in ten seconds, then they
    wait like any failure; after ten quiet seconds they are immediate again."""
    clock = FakeClock()
    stream = OddsStream(
        client, oddspapi_sim.api_key, backoff=Backoff(initial=1.0, maximum=1.0), clock=clock
    )
    assert [stream._delay(True) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert all(stream._delay(True) > 0.0 for _ in range(20))  # full jitter: never exactly 0
    clock.advance(11)
    assert stream._delay(True) == 0.0


async def test_books_follow_the_stream_through_recoveries(
    oddspapi_sim: RunningOddsPapi, client: AsyncOddsPapiClient
) -> None:
    """An OddsBook given to the stream gets the snapshots and the live updates: after moves,
    a dropped socket and a refused resume, its best price is the best live quote of the
    stream's odds (vertex, stale on OTHER, never counts)."""
    currencies = {b.slug: b.limit_currency or "USD" for b in await client.bookmakers()}
    book = OddsBook(OTHER, 101, limit_currencies=currencies)
    book.load_rates(await client.currencies())
    async with OddsStream(
        client, oddspapi_sim.api_key, fixture_ids=[OTHER], books=[book], backoff=_fast()
    ) as stream:
        for fault in ("close", "gap"):
            await admin(oddspapi_sim, "walk", interval=0.003, seed=11, fixtureId=OTHER)
            await anyio.sleep(0.08)
            if fault == "gap":
                await admin(oddspapi_sim, "gap", count=1)
            await admin(oddspapi_sim, "close")
            await anyio.sleep(0.1)
            await admin(oddspapi_sim, "stop-walk")
            assert await settled(stream, client, OTHER) == 0
        vertex = odds_id(OTHER, "vertex", 101)
        oddspapi_sim.sim.world.move(vertex, price=9.0)  # the best price, if stale counted
        await until(lambda: getattr(stream.odds.get(vertex), "price", None) == 9.0)
        live = [q.price for q in stream.odds.live_quotes(OTHER).values() if q.outcome_id == 101]
        assert live and book.book.best_price() == max(live) < 9.0


async def test_a_cancelled_stream_gives_its_slot_back(
    oddspapi_sim: RunningOddsPapi, client: AsyncOddsPapiClient
) -> None:
    """Streams cut short by a timeout around them (while entering, and while iterating) do
    not keep the key's connection slots: five more open afterwards."""
    for deadline in (0.0, 0.001, 0.3) * 3:
        with anyio.move_on_after(deadline):
            async with OddsStream(client, oddspapi_sim.api_key, fixture_ids=[FIX]) as s:
                async for _ in s:
                    pass
    async with contextlib.AsyncExitStack() as five:
        for _ in range(5):
            await five.enter_async_context(
                OddsStream(client, oddspapi_sim.api_key, fixture_ids=[FIX])
            )


async def test_a_stream_entered_twice_is_refused_and_leaks_no_slot(
    oddspapi_sim: RunningOddsPapi, client: AsyncOddsPapiClient
) -> None:
    """Entering an open stream again would take a 2nd slot that only one exit gives back:
    refused (InvalidInput) before anything is sent; five fresh streams open afterwards."""
    async with OddsStream(client, oddspapi_sim.api_key, fixture_ids=[FIX]) as stream:
        with pytest.raises(InvalidInput, match="entered once"):
            await stream.__aenter__()
    async with contextlib.AsyncExitStack() as five:
        for _ in range(5):
            await five.enter_async_context(
                OddsStream(client, oddspapi_sim.api_key, fixture_ids=[FIX])
            )
