"""An OddsBook fed by the live stream follows the REST snapshot exactly: a quote the venue
withdrew (gone from ``/fixtures/odds``) leaves the book at the next recovery, over real HTTP and
WebSocket against the local OddsPapi server on 127.0.0.1."""

from __future__ import annotations

import pytest

from tests.oddspapi.test_oddspapi_stream import FIX, admin, settled
from wagerkit.oddspapi import AsyncOddsPapiClient, OddsBook
from wagerkit.oddspapi.liveodds import is_live, updates_of_snapshot
from wagerkit.oddspapi.stream import OddsStream
from wagerkit.sim.oddspapi.testing import RunningOddsPapi
from wagerkit.transport import Backoff

pytestmark = pytest.mark.anyio


def live_of_books(books: dict[int, OddsBook]) -> dict[tuple[int, str], float]:
    """(outcome, bookmaker) → price of every live back quote the books would offer."""
    return {
        (outcome, q.bookmaker): q.price
        for outcome, book in books.items()
        for q in book.book.quotes(True)
        if q.active
    }


async def live_of_rest(client: AsyncOddsPapiClient) -> dict[tuple[int, str], float]:
    snapshot = await client.fixture_odds(FIX)
    return {
        (u.outcome_id, u.bookmaker): u.price
        for u in updates_of_snapshot(snapshot)
        if u.player_id == 0 and is_live(u)
    }


async def test_withdrawn_quotes_leave_the_books_at_the_next_recovery(
    oddspapi_sim: RunningOddsPapi, client: AsyncOddsPapiClient
) -> None:
    """Rounds: the venue withdraws one quote, then a refused resume (or dropped frames) makes
    the stream recover over REST. After each, every book's live quotes equal a fresh REST
    snapshot's (0 mismatches), and the withdrawn quote is in no book at all."""
    world = oddspapi_sim.sim.world
    start = await live_of_rest(client)
    books = {o: OddsBook(FIX, o) for o, _ in start}
    victims, mover = sorted(start)[:4], sorted(start)[-1]
    assert mover not in victims and len(books) >= 2, "the scenario prices the fixture widely"
    backoff = Backoff(initial=0.01, maximum=0.05)
    async with OddsStream(
        client,
        oddspapi_sim.api_key,
        fixture_ids=[FIX],
        books=list(books.values()),
        backoff=backoff,
    ) as stream:
        await stream.wait_whole(8.0)
        assert live_of_books(books) == start
        for n, (outcome, bookmaker) in enumerate(victims):
            world.withdraw(f"{FIX}:{bookmaker}:{outcome}:0")
            if n % 2:
                await admin(oddspapi_sim, "drop", count=1)
                world.move(f"{FIX}:{mover[1]}:{mover[0]}:0", price=2.0 + n / 10)
            else:
                await admin(oddspapi_sim, "gap", count=1)
                await admin(oddspapi_sim, "close")
            recoveries = stream.recoveries
            assert await settled(stream, client, FIX) == 0
            assert stream.recoveries > recoveries
            rest = await live_of_rest(client)
            mine = live_of_books(books)
            assert sum(1 for k in rest.keys() | mine.keys() if rest.get(k) != mine.get(k)) == 0
            assert all(q.bookmaker != bookmaker for q in books[outcome].book.quotes(None))
