"""Historical odds: the body is parsed while it arrives, with flat memory, through real HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wagerkit.errors import ProtocolError
from wagerkit.oddspapi import AsyncOddsPapiClient
from wagerkit.oddspapi.historical import HistoricalTick, TickParser, iter_ticks_sync
from wagerkit.sim.oddspapi.bulk import expected_ticks
from wagerkit.sim.oddspapi.testing import RunningOddsPapi

FIXTURE = "id1000004461512432"
BIG, SMALL, PER_ID = 100_000, 20_000, 250

pytestmark = pytest.mark.anyio

# The server runs in a child process so that tracemalloc sees the client's allocations only
# (an in-process server thread's 64 KiB body chunks would count too) and both cores work.
_SERVER = r"""
import sys
from wagerkit.sim.oddspapi.bulk import bulk_chunks, enable_bulk
from wagerkit.sim.oddspapi.testing import running_oddspapi
fixture = sys.argv[1]
with running_oddspapi() as sim:
    sizes = []
    for bookmaker, ticks, ids in (("pinnacle", int(sys.argv[2]), int(sys.argv[3])),
                                  ("sharpbet", int(sys.argv[4]), int(sys.argv[5]))):
        enable_bulk(sim.sim, fixture, bookmaker, ticks, ids)
        sizes.append(str(sum(len(c) for c in bulk_chunks(fixture, bookmaker, ticks, ids))))
    print(sim.base_url, sim.api_key, *sizes, flush=True)
    sys.stdin.read()
"""


def _chunked(body: bytes, size: int) -> list[bytes]:
    return [body[i : i + size] for i in range(0, len(body), size)]


async def _traced_pass(
    client: AsyncOddsPapiClient, bookmaker: str, ticks: int
) -> tuple[int, int, int]:
    """(ticks seen, mismatches against the server's generator, peak bytes allocated)."""
    expected = expected_ticks(FIXTURE, bookmaker, ticks, ticks // PER_ID)
    count = mismatches = 0
    tracemalloc.start()
    try:
        async for tick in client.iter_historical(FIXTURE, bookmaker):
            count += 1
            got = (tick.odds_id, tick.changed_at, tick.price, tick.limit, tick.active)
            if got != next(expected, None) or tick.bookmaker != bookmaker:
                mismatches += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    if next(expected, None) is not None:
        mismatches += 1
    return count, mismatches, peak


async def test_big_history_streams_with_flat_memory() -> None:
    """100k ticks (about 6 MB of JSON) through the client over real HTTP: every tick equals
    the server's generator, the peak of the client's allocations is far below the body, and
    it does not grow with the body (100k ticks peak within 2x of a 20k-tick answer's)."""
    args = [FIXTURE, str(BIG), str(BIG // PER_ID), str(SMALL), str(SMALL // PER_ID)]
    proc = subprocess.Popen(  # noqa: ASYNC220, S603 - our own interpreter, started once
        [sys.executable, "-c", _SERVER, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ,
    )
    try:
        assert proc.stdout is not None
        base_url, api_key, big_size, _ = proc.stdout.readline().split()
        async with AsyncOddsPapiClient(api_key, base_url) as client:
            small = await _traced_pass(client, "sharpbet", SMALL)
            big = await _traced_pass(client, "pinnacle", BIG)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=20)
    assert small[:2] == (SMALL, 0) and big[:2] == (BIG, 0)
    body = int(big_size)
    assert body > 5_000_000
    assert big[2] < body / 5, (big[2], body)
    assert big[2] < 2 * small[2], (big[2], small[2])


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_scenario_history_matches_whole_decode(oddspapi_sim: RunningOddsPapi) -> None:
    """The recorded ticks of the scenario, streamed, equal the whole-body decode."""
    async with oddspapi_sim.client() as client:
        whole = await client.historical_odds(FIXTURE, "pinnacle")
        streamed = [t async for t in client.iter_historical(FIXTURE, "pinnacle")]
    expected = [
        (oid, int(ms), q.price, q.limit, q.active)
        for oid, ticks in whole.odds["pinnacle"].items()
        for ms, q in sorted(ticks.items(), key=lambda kv: int(kv[0]))
    ]
    assert expected
    assert [(t.odds_id, t.changed_at, t.price, t.limit, t.active) for t in streamed] == expected


async def test_history_error_status_is_typed(oddspapi_sim: RunningOddsPapi) -> None:
    """A refused bookmaker is the typed entitlement error, not a parse failure."""
    from wagerkit.oddspapi.errors import EntitlementError

    async with oddspapi_sim.client(oddspapi_sim.key("soccer-only")) as client:
        with pytest.raises(EntitlementError):
            async for _ in client.iter_historical(FIXTURE, "pinnacle"):
                pass


_quote = st.fixed_dictionaries(
    {"price": st.floats(1.01, 1000, allow_nan=False)},
    optional={
        "limit": st.one_of(st.none(), st.floats(0, 1e6, allow_nan=False)),
        "active": st.booleans(),
        # JSON-safe integers: yajl (ijson's C tokenizer) overflows at the 64-bit edge
        "meta": st.dictionaries(
            st.text(max_size=3), st.lists(st.integers(-(2**53), 2**53), max_size=3)
        ),
    },
)
_doc = st.dictionaries(
    st.sampled_from(["pinnacle", "sharpbet"]),
    st.dictionaries(
        st.sampled_from([f"f:pinnacle:{o}:0" for o in range(101, 106)]),
        st.dictionaries(st.integers(0, 10**13).map(str), _quote, max_size=6),
        max_size=4,
    ),
    max_size=2,
)


@settings(max_examples=40, deadline=None)
@given(doc=_doc, size=st.integers(1, 64))
def test_chunking_never_changes_the_ticks(
    doc: dict[str, dict[str, dict[str, Any]]], size: int
) -> None:
    """However the body is cut, the parse yields the same ticks: per oddsId in the order sent,
    each oddsId's ticks in time order, equal to a whole-document json decode."""
    body = json.dumps({"fixtureId": "f", "odds": doc}).encode()
    got = list(iter_ticks_sync(_chunked(body, size)))
    want = [
        HistoricalTick(
            book,
            oid,
            int(ms),
            float(q["price"]),
            None if q.get("limit") is None else float(q["limit"]),
            q.get("active", True),
        )
        for book, by_id in doc.items()
        for oid, ticks in by_id.items()
        for ms, q in sorted(ticks.items(), key=lambda kv: int(kv[0]))
    ]
    assert got == want


@pytest.mark.parametrize(
    "body",
    [
        b'{"fixtureId":"f","odds":{"p":{"x":{"12":{"price":2.0}}}',  # cut short
        b'{"fixtureId":"f","odds":{"p":{"x":{"noon":{"price":2.0}}}}}',  # time not ms
        b'{"fixtureId":"f","odds":{"p":{"x":{"12":{"limit":5}}}}}',  # no price
        b'{"fixtureId":"f","odds":{"p":{"x":[1,2]}}}',  # ticks not an object
        b'{"fixtureId":"f","odds":{"p":{"x":{"12":{"price":2.0}}}}}}',  # trailing garbage
        b"<html>502</html>",
    ],
)
def test_malformed_history_is_a_protocol_error(body: bytes) -> None:
    """A malformed body raises ProtocolError, however it is chunked."""
    for size in (1, 7, len(body)):
        with pytest.raises(ProtocolError):
            list(iter_ticks_sync(_chunked(body, size)))


def test_parser_counts_and_fixture_id() -> None:
    parser = TickParser()
    out = parser.feed(b'{"fixtureId":"abc","odds":{"p":{"x":{"2":{"price":3},"1":{"price":2}')
    assert out == []  # the oddsId is not complete yet: its ticks are sorted when it is
    out = parser.feed(b"}}}}") + parser.close()
    assert [t.changed_at for t in out] == [1, 2]
    assert parser.fixture_id == "abc" and parser.ticks == 2
