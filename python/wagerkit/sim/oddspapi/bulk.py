"""A big historical-odds answer, generated while it is sent.

A busy in-play fixture at DraftKings is 433k ticks / 96 MB. To prove a client parses such a
body with flat memory, the server must not hold it either: :func:`bulk_chunks` writes the
``odds[bookmaker][oddsId][changedAtMs] = quote`` document piece by piece from a seeded walk,
and :func:`expected_ticks` replays the same walk for a test to compare with (without parsing
anything). Switch it on per fixture × bookmaker with :func:`enable_bulk`; the
``/fixtures/odds/historical`` handler then answers with a streamed response.
"""

from __future__ import annotations

import random
import weakref
from collections.abc import Iterator

from starlette.responses import StreamingResponse

from wagerkit.sim.oddspapi.service import OddsPapiSim

__all__ = ["bulk_chunks", "bulk_response", "enable_bulk", "expected_ticks"]

_BULK: weakref.WeakKeyDictionary[OddsPapiSim, dict[tuple[str, str], tuple[int, int]]] = (
    weakref.WeakKeyDictionary()
)
_START_MS = 1_767_000_000_000


def enable_bulk(sim: OddsPapiSim, fixture_id: str, bookmaker: str, ticks: int, ids: int) -> None:
    """Serve ``ticks`` generated ticks spread over ``ids`` oddsIds for this fixture × bookmaker."""
    _BULK.setdefault(sim, {})[(fixture_id, bookmaker)] = (ticks, ids)


def expected_ticks(
    fixture_id: str, bookmaker: str, ticks: int, ids: int
) -> Iterator[tuple[str, int, float, float, bool]]:
    """(oddsId, changedAt ms, price, limit, active) in the order the body holds them (each
    oddsId's ticks in time order)."""
    per_id, extra = divmod(ticks, ids)
    for i in range(ids):
        oid = f"{fixture_id}:{bookmaker}:{101 + i}:0"
        rng = random.Random(f"{oid}:bulk")
        price = 2.0
        ms = _START_MS
        for _ in range(per_id + (1 if i < extra else 0)):
            ms += rng.randint(1, 900)
            price = round(min(50.0, max(1.01, price + rng.choice((-0.02, -0.01, 0.01, 0.02)))), 2)
            yield oid, ms, price, 500.0, rng.random() > 0.05


def bulk_chunks(fixture_id: str, bookmaker: str, ticks: int, ids: int) -> Iterator[bytes]:
    """The JSON body in chunks of about 64 KiB."""
    parts: list[str] = [f'{{"fixtureId":"{fixture_id}","odds":{{"{bookmaker}":{{']
    size = 0
    current: str | None = None
    for oid, ms, price, limit, active in expected_ticks(fixture_id, bookmaker, ticks, ids):
        if oid != current:
            parts.append(("}," if current is not None else "") + f'"{oid}":{{')
            first = True
            current = oid
        part = ("" if first else ",") + (
            f'"{ms}":{{"price":{price},"limit":{limit},"active":{"true" if active else "false"}}}'
        )
        first = False
        parts.append(part)
        size += len(part)
        if size >= 65536:
            yield "".join(parts).encode()
            parts, size = [], 0
    parts.append(("}" if current is not None else "") + "}}}")
    yield "".join(parts).encode()


def bulk_response(
    sim: OddsPapiSim, fixture_id: str, bookmaker: str | None
) -> StreamingResponse | None:
    """The streamed answer when bulk history is on for this fixture × bookmaker, else None."""
    if bookmaker is None:
        return None
    spec = _BULK.get(sim, {}).get((fixture_id, bookmaker))
    if spec is None:
        return None
    return StreamingResponse(
        bulk_chunks(fixture_id, bookmaker, *spec), media_type="application/json"
    )
