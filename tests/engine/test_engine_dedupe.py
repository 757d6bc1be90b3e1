"""The request-UUID dedupe cache (docs/engine.md §7), driven by an injected clock."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

PROPERTY = settings(max_examples=200, deadline=None)

IDS = [uuid.UUID(int=(i * 0x9E3779B97F4A7C15F39CC0605CEDC835) % 2**128) for i in range(1, 9)]
"""A small pool of ids, so that repeats, expiries and evictions all happen."""


@dataclass
class Clock:
    """A settable monotonic clock, in seconds."""

    now: float = 0.0

    def __call__(self) -> float:
        return self.now


def forms(u: uuid.UUID) -> list[object]:
    """The same id as uuid.UUID, hyphenated, upper case, braced, URN, 32 hex, 16 bytes."""
    return [u, str(u), str(u).upper(), f"{{{u}}}", u.urn, u.hex, u.bytes]


def test_repeat_within_ttl_is_refused_then_accepted_after_expiry(impl: ModuleType) -> None:
    """First time True; again before inserted + ttl False; at inserted + ttl it has expired."""
    clock = Clock()
    cache = impl.DedupeCache(ttl=10.0, capacity=100, clock=clock)
    u = IDS[0]
    assert cache.check_and_insert(u) is True
    clock.now = 9.5
    assert cache.check_and_insert(u) is False
    assert cache.contains(u) and u in cache and len(cache) == 1
    clock.now = 10.0
    assert not cache.contains(u) and len(cache) == 0
    assert cache.check_and_insert(u) is True  # a new window starts at t = 10
    clock.now = 19.9
    assert cache.check_and_insert(u) is False


def test_every_uuid_form_is_the_same_key(impl: ModuleType) -> None:
    """Text in any standard form, 16 raw bytes and uuid.UUID all name the same 128 bits."""
    cache = impl.DedupeCache(clock=Clock())
    u = IDS[1]
    assert cache.check_and_insert(u.bytes) is True
    for form in forms(u):
        assert cache.check_and_insert(form) is False  # type: ignore[arg-type]
        assert cache.contains(form)  # type: ignore[arg-type]
    assert cache.remove(str(u).upper()) is True
    assert cache.remove(u) is False


def test_capacity_evicts_oldest_first(impl: ModuleType) -> None:
    """At capacity the oldest live entry goes; the newer ones stay."""
    clock = Clock()
    cache = impl.DedupeCache(ttl=100.0, capacity=3, clock=clock)
    for i, u in enumerate(IDS[:3]):
        clock.now = float(i)
        assert cache.check_and_insert(u)
    clock.now = 3.0
    assert cache.check_and_insert(IDS[3])
    assert [cache.contains(u) for u in IDS[:4]] == [False, True, True, True]
    assert len(cache) == 3
    assert cache.capacity == 3 and cache.ttl == 100.0


def test_capacity_drops_expired_entries_before_live_ones(impl: ModuleType) -> None:
    """At capacity, expired entries make room first, even when a live entry is older."""
    clock = Clock()
    cache = impl.DedupeCache(ttl=10.0, capacity=2, clock=clock)
    cache.check_and_insert(IDS[0])  # t=0, expires at 10
    clock.now = 5.0
    cache.check_and_insert(IDS[1])  # t=5, expires at 15
    clock.now = 12.0  # IDS[0] expired, IDS[1] live
    assert cache.check_and_insert(IDS[2])
    assert cache.contains(IDS[1]) and cache.contains(IDS[2])


def test_clear_forgets_everything(impl: ModuleType) -> None:
    """clear() empties the cache."""
    cache = impl.DedupeCache(clock=Clock())
    for u in IDS:
        cache.check_and_insert(u)
    cache.clear()
    assert len(cache) == 0
    assert all(cache.check_and_insert(u) for u in IDS)


def test_default_ttl_is_thirty_minutes(impl: ModuleType) -> None:
    """ABP skips a duplicate requestUuid within 30 minutes: the default window matches."""
    assert impl.DedupeCache().ttl == 1800.0


@pytest.mark.parametrize("reading", [math.nan, math.inf, -math.inf])
def test_non_finite_clock_is_refused(impl: ModuleType, reading: float) -> None:
    """A clock reading of NaN or ±inf makes every expiry comparison false, so a repeated id
    would be let through as new: the cache must refuse the reading instead."""
    cache = impl.DedupeCache(ttl=10.0, clock=lambda: reading)
    with pytest.raises(ValueError, match="clock"):
        cache.check_and_insert(IDS[0])
        cache.check_and_insert(IDS[0])


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("advance"), st.sampled_from([0.0, 0.5, 1.0, 2.5, 4.0, 7.0])),
        st.tuples(st.just("check_and_insert"), st.integers(0, len(IDS) - 1)),
        st.tuples(st.just("contains"), st.integers(0, len(IDS) - 1)),
        st.tuples(st.just("remove"), st.integers(0, len(IDS) - 1)),
        st.tuples(st.just("len"), st.just(0)),
        st.tuples(st.just("clear"), st.just(0)),
    ),
    max_size=60,
)


def replay(m: ModuleType, ttl: float, capacity: int, ops: list[tuple[str, Any]]) -> list[Any]:
    """Run ``ops`` against a fresh cache of implementation ``m``; collect every answer."""
    clock = Clock()
    cache = m.DedupeCache(ttl=ttl, capacity=capacity, clock=clock)
    out: list[Any] = []
    for op, arg in ops:
        if op == "advance":
            clock.now += arg
        elif op == "len":
            out.append(len(cache))
        elif op == "clear":
            cache.clear()
        else:
            out.append(getattr(cache, op)(str(IDS[arg])))
    return out


@PROPERTY
@given(
    ttl=st.sampled_from([1.0, 3.0, 10.0]),
    capacity=st.integers(1, 5),
    ops=OPS,
)
def test_engine_dedupe_agrees_with_reference(
    core: ModuleType, ref: ModuleType, ttl: float, capacity: int, ops: list[tuple[str, Any]]
) -> None:
    """Any sequence of inserts, lookups, removals, clears and clock moves answers exactly
    as the reference does (TTL expiry at inserted + ttl, oldest-first eviction)."""
    assert replay(core, ttl, capacity, ops) == replay(ref, ttl, capacity, ops)


@PROPERTY
@given(ttl=st.sampled_from([1.0, 3.0, 10.0]), capacity=st.integers(1, 5), ops=OPS)
def test_dedupe_never_holds_more_than_capacity(
    impl: ModuleType, ttl: float, capacity: int, ops: list[tuple[str, Any]]
) -> None:
    """len() never exceeds capacity, whatever happens."""
    with_lengths = [("len", 0)] + [step for op in ops for step in (op, ("len", 0))]
    answers = replay(impl, ttl, capacity, with_lengths)
    lengths = [
        a for (op, _), a in zip(answer_ops(with_lengths), answers, strict=True) if op == "len"
    ]
    assert lengths and all(0 <= n <= capacity for n in lengths)


def answer_ops(ops: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """The ops of ``replay`` that produce an answer, in order."""
    return [op for op in ops if op[0] not in {"advance", "clear"}]


@pytest.mark.parametrize(
    "bad",
    ["", "not-a-uuid", "12345678-1234-1234-1234-12345678901", b"\x00" * 15, b"\x00" * 17, 42],
)
def test_malformed_uuid_is_invalid_input(impl: ModuleType, bad: object) -> None:
    """A string that is not a UUID, bytes not 16 long, or another type: ValueError."""
    cache = impl.DedupeCache(clock=Clock())
    with pytest.raises(ValueError, match=r"(?i)uuid"):
        cache.check_and_insert(bad)  # type: ignore[arg-type]
