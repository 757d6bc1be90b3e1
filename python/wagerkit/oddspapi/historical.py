"""Historical odds as a stream of ticks, parsed with flat memory.

``/fixtures/odds/historical`` answers ``{fixtureId, odds: {bookmaker: {oddsId: {changedAtMs:
quote}}}}`` for one fixture × one bookmaker: 25k ticks / 6 MB for a Pinnacle MLB game, 433k ticks
/ 96 MB at DraftKings. Holding that body (and its decoded tree, several times bigger) to look at
one tick at a time is what a bot on a small machine cannot afford, so the body is parsed as it
arrives: :class:`TickParser` takes the chunks and hands back the ticks each one completes.

Why ijson: it is the maintained incremental JSON tokenizer for Python, and its ``yajl2_c``
backend (compiled wheels on PyPI) tokenizes a chunk in C, so the only Python work left is one
small state machine per event. Its push interface (``basic_parse_coro``) takes bytes as we have
them, which fits an async HTTP body without threads or file adapters. msgspec, our decoder
everywhere else, decodes whole documents only. The choice and the measured figures are in
``docs/oddspapi-stream.md``.

Memory is bounded by the ticks of one oddsId (they are sorted by time before they are yielded,
as OddsPapi keys them by a time string and JSON objects carry no order guarantee), never by the
body: the test measures the peak with ``tracemalloc`` on a 100k-tick body.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import ijson  # type: ignore[import-untyped]  # no stubs; used through 3 calls
import msgspec

from wagerkit.errors import ProtocolError

__all__ = ["HistoricalTick", "TickParser", "iter_ticks", "iter_ticks_sync"]


class HistoricalTick(msgspec.Struct, frozen=True, gc=False):
    """One recorded quote: ``changed_at`` in Unix ms; ``limit`` in the bookmaker's
    ``limitCurrency``."""

    bookmaker: str
    odds_id: str
    changed_at: int
    price: float
    limit: float | None
    active: bool


# depths of the document: 1 the top object, 2 ``odds``, 3 a bookmaker, 4 an oddsId,
# 5 a tick (its key is the time), 6 inside a quote's nested values (``meta`` ladders: skipped)
_ODDS, _BOOK, _ODDS_ID, _TICK = 2, 3, 4, 5
_SLICE = 4096


class TickParser:
    """Push parser: :meth:`feed` the body's chunks, collect the ticks each returns, then
    :meth:`close`. Ticks come per oddsId in the order sent, each oddsId's ticks in time order.
    A malformed body (bad JSON, a tick time that is not ms, a quote without a price) raises
    :class:`~wagerkit.errors.ProtocolError`."""

    def __init__(self) -> None:
        self._events: Any = ijson.sendable_list()
        self._coro: Any = ijson.basic_parse_coro(self._events, use_float=True)
        self._depth = 0
        self._in_odds = False
        self._key: str | None = None
        self._book = ""
        self._odds_id = ""
        self._pending: list[tuple[int, float, float | None, bool]] = []
        self._sorted = True
        self._ms = 0
        self._price: float | None = None
        self._limit: float | None = None
        self._active = True
        self.ticks = 0
        self.fixture_id: str | None = None

    def feed(self, chunk: bytes) -> list[HistoricalTick]:
        """Parse one chunk; the ticks of every oddsId it completed.

        The chunk goes to the tokenizer in slices of ``_SLICE`` bytes, each slice's events
        handled before the next: ijson collects a slice's events as Python tuples (about 15
        times the bytes they came from), so a 64 KiB network read fed whole would cost ~1 MB.
        """
        out: list[HistoricalTick] = []
        send = self._coro.send
        for start in range(0, len(chunk), _SLICE):
            try:
                send(chunk[start : start + _SLICE])
            except ijson.JSONError as exc:
                raise ProtocolError(f"historical odds: malformed answer ({exc})") from None
            out.extend(self._drain())
        return out

    def close(self) -> list[HistoricalTick]:
        """End of body: the remaining ticks; ProtocolError if the document is incomplete."""
        try:
            self._coro.close()
        except ijson.JSONError as exc:
            raise ProtocolError(f"historical odds: malformed answer ({exc})") from None
        out = self._drain()
        if self._depth != 0:
            raise ProtocolError("historical odds: the answer ended early")
        return out

    def _drain(self) -> list[HistoricalTick]:
        out: list[HistoricalTick] = []
        events = self._events
        for event, value in events:
            self._step(event, value, out)
        del events[:]
        return out

    def _step(self, event: str, value: Any, out: list[HistoricalTick]) -> None:
        depth = self._depth
        if event == "map_key":
            self._key = value
            if depth == 1 and value == "odds":
                self._in_odds = True
            elif depth == 1:
                self._in_odds = False
            return
        if event == "start_map" or event == "start_array":
            if event == "start_map" and self._in_odds:
                if depth == _ODDS:
                    self._book = self._key or ""
                elif depth == _BOOK:
                    self._odds_id = self._key or ""
                    self._pending = []
                    self._sorted = True
                elif depth == _ODDS_ID:
                    self._start_tick(self._key or "")
            elif event == "start_array" and depth == _TICK - 1 and self._in_odds:
                raise ProtocolError("historical odds: ticks must be an object keyed by time")
            self._depth = depth + 1
            return
        if event == "end_map" or event == "end_array":
            self._depth = depth = depth - 1
            if self._in_odds:
                if depth == _ODDS_ID:
                    self._end_tick()
                elif depth == _BOOK:
                    self._flush(out)
                elif depth == 1:
                    self._in_odds = False
            return
        # a scalar
        if depth == 1 and self._key == "fixtureId" and event == "string":
            self.fixture_id = value
        elif depth == _TICK and self._in_odds:
            key = self._key
            if key == "price":
                self._price = float(value) if event == "number" else None
            elif key == "limit":
                self._limit = float(value) if event == "number" else None
            elif key == "active":
                self._active = bool(value) if event == "boolean" else True
        elif self._in_odds and _ODDS <= depth < _TICK:
            raise ProtocolError(f"historical odds: unexpected {event} under {self._key!r}")

    def _start_tick(self, key: str) -> None:
        try:
            self._ms = int(key)
        except ValueError:
            raise ProtocolError(
                f"historical odds: a tick time of {self._odds_id} is not ms: {key[:40]!r}"
            ) from None
        self._price = None
        self._limit = None
        self._active = True

    def _end_tick(self) -> None:
        price = self._price
        if price is None or not math.isfinite(price):
            raise ProtocolError(f"historical odds: a tick of {self._odds_id} has no price")
        pending = self._pending
        if pending and pending[-1][0] > self._ms:
            self._sorted = False
        pending.append((self._ms, price, self._limit, self._active))

    def _flush(self, out: list[HistoricalTick]) -> None:
        pending = self._pending
        if not self._sorted:
            pending.sort(key=lambda t: t[0])
        book, oid = self._book, self._odds_id
        out.extend(HistoricalTick(book, oid, ms, p, lim, act) for ms, p, lim, act in pending)
        self.ticks += len(pending)
        self._pending = []


async def iter_ticks(chunks: AsyncIterator[bytes]) -> AsyncIterator[HistoricalTick]:
    """Ticks of one historical-odds body given as chunks (see :class:`TickParser`); memory
    stays flat however big the body."""
    parser = TickParser()
    async for chunk in chunks:
        for start in range(0, len(chunk), _SLICE):  # yield as we go: a read can be 64 KiB
            for tick in parser.feed(chunk[start : start + _SLICE]):
                yield tick
    for tick in parser.close():
        yield tick


def iter_ticks_sync(chunks: Iterable[bytes]) -> Iterator[HistoricalTick]:
    """The blocking twin of :func:`iter_ticks`."""
    parser = TickParser()
    for chunk in chunks:
        for start in range(0, len(chunk), _SLICE):
            yield from parser.feed(chunk[start : start + _SLICE])
    yield from parser.close()
