"""Dedupe check-and-insert: engine vs a cachetools.TTLCache doing the same job (gate ≥ 6×).

The baseline is what a Python bot would otherwise write: a TTLCache keyed by the UUID's
128 bits (parsing the text, so every standard form of one id is one key, as in the engine).
Both run the steady state of a busy bot: a new id each call, the cache full, the oldest
entry evicted. A TTLCache keyed by the raw string (no parsing, weaker semantics) is measured
too and printed, ungated, so the table shows both baselines honestly.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Callable
from types import ModuleType
from typing import Any

from cachetools import TTLCache

from benches.ratio_gate import compare, measure_only

CAPACITY = 50_000
IDS = [
    str(uuid.UUID(int=(i * 0x9E3779B97F4A7C15F39CC0605CEDC835 + 1) % 2**128))
    for i in range(100_000)
]
"""Twice the capacity: an id is always evicted before it comes round again."""


class TTLCacheDedupe:
    """check_and_insert on top of cachetools.TTLCache, keyed by the UUID's 128 bits."""

    def __init__(self, ttl: float, capacity: int, clock: Callable[[], float]) -> None:
        self._cache: TTLCache[int, bool] = TTLCache(maxsize=capacity, ttl=ttl, timer=clock)

    def check_and_insert(self, request_uuid: str) -> bool:
        """True (and remember) the first time within the TTL, False for a repeat."""
        key = uuid.UUID(request_uuid).int
        if key in self._cache:
            return False
        self._cache[key] = True
        return True


class RawTTLCacheDedupe:
    """The same keyed by the raw text: faster, but "ABC…" and "abc…" are different ids."""

    def __init__(self, ttl: float, capacity: int, clock: Callable[[], float]) -> None:
        self._cache: TTLCache[str, bool] = TTLCache(maxsize=capacity, ttl=ttl, timer=clock)

    def check_and_insert(self, request_uuid: str) -> bool:
        """As above, without parsing."""
        if request_uuid in self._cache:
            return False
        self._cache[request_uuid] = True
        return True


def stepper(check_and_insert: Callable[[str], bool]) -> Callable[[], bool]:
    """One call = the next id of the endless feed."""
    feed = itertools.cycle(IDS)
    return lambda: check_and_insert(next(feed))


def test_bench_dedupe_check_and_insert(benchmark: Any, core: ModuleType, ref: ModuleType) -> None:
    """DedupeCache.check_and_insert: same answers as the baseline, and ≥ 6× faster."""
    engine = core.DedupeCache(ttl=1800.0, capacity=CAPACITY, clock=time.monotonic)
    baseline = TTLCacheDedupe(1800.0, CAPACITY, time.monotonic)
    sample = [*IDS[:1000], *IDS[:10]]
    assert (
        [engine.check_and_insert(u) for u in sample]
        == [baseline.check_and_insert(u) for u in sample]
        == [True] * 1000 + [False] * 10
    )

    engine = core.DedupeCache(ttl=1800.0, capacity=CAPACITY)
    baseline = TTLCacheDedupe(1800.0, CAPACITY, time.monotonic)
    result = compare(
        benchmark,
        "dedupe check-and-insert",
        stepper(engine.check_and_insert),
        stepper(baseline.check_and_insert),
        baseline_name="cachetools.TTLCache (UUID key)",
        min_ratio=6.0,  # ~half the 12.7-15× measured (3 timed runs)
    )
    if result is not None:
        raw = RawTTLCacheDedupe(1800.0, CAPACITY, time.monotonic)
        reference = ref.DedupeCache(ttl=1800.0, capacity=CAPACITY)
        others: list[tuple[str, Any]] = [
            ("cachetools.TTLCache (raw str key)", raw),
            ("reference DedupeCache", reference),
        ]
        for name, other in others:
            measure_only(
                "dedupe check-and-insert",
                stepper(engine.check_and_insert),
                stepper(other.check_and_insert),
                name,
            )
