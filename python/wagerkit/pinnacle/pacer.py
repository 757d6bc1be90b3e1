"""Pinnacle's fair-use policy as code: how often each endpoint may be called, per sport.

Pinnacle blocks API access that ignores its Fair Use Policy, and the policy changed three times
(the 2018 manual, the 2022 notice and the 2025 policy page). Each version is a
:class:`FairUsePolicy` preset:

- ``"2018"`` (v1.0 manual): ``/fixtures`` and ``/odds`` snapshots (no ``since``) at most once
  per 60 s per sport; delta calls (with ``since``) at most once per 5 s.
- ``"2022"`` (2019-2022 rules + April 2022): the same for ``/fixtures`` and ``/odds``;
  snapshots of ``/fixtures/special`` and ``/odds/special`` once a minute per sport (their deltas
  are paced like ``/odds``: our reading, the policy names no number); ``/sports`` and
  ``/leagues`` once per 60 min.
- ``"2025"`` (July 2025, the current one and the default): on top of 2022, every odds-exposing
  endpoint (``/odds``, ``/odds/special``, ``/odds/parlay``, ``/line``, ``/line/special``,
  ``/line/parlay``) at most once per 2 min per endpoint per sport, deltas included.

A request must satisfy every rule that matches it; a snapshot also counts as a request for the
"any" rules. Versions are ignored when matching (``/v1/odds`` and ``/v2/odds`` are one
endpoint), which is the stricter reading.

:class:`Pacer` enforces a policy by taking a slot only when it is free *now* (under a lock), and
otherwise sleeping until it should be, then trying again: concurrent callers (tasks, threads,
several clients sharing one pacer) can never together exceed the policy however often they ask.
A 429 blocks the endpoint for the
``Retry-After`` the server gave. With ``shared=`` (a
:class:`~wagerkit.execution.shared.pacing.RedisPacing`) the slots live in Redis, so every
process of one account (say four bots polling the same sport) respects each interval together.
The same class, without waiting, is what the simulator uses to decide its 429s.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from wagerkit.clock import Clock, SystemClock
from wagerkit.errors import InvalidInput, RateLimited, clamp_retry_after

__all__ = [
    "DEFAULT_POLICY",
    "POLICIES",
    "FairUsePolicy",
    "Pacer",
    "Rule",
    "endpoint_of",
]

Kind = Literal["any", "snapshot", "delta"]


def endpoint_of(path: str) -> str:
    """The endpoint family of a path, without the version: ``/v2/odds`` → ``odds``."""
    parts = [p for p in path.split("?")[0].strip("/").split("/") if p]
    if parts and len(parts[0]) >= 2 and parts[0][0] == "v" and parts[0][1:].isdigit():
        parts = parts[1:]
    return "/".join(parts)


@dataclass(frozen=True, slots=True)
class Rule:
    """At most one call per ``interval`` seconds to each of ``endpoints`` (per sport when
    ``per_sport``), counting only ``kind`` calls (``any``, ``snapshot`` = no ``since``, or
    ``delta`` = with ``since``)."""

    endpoints: frozenset[str]
    interval: float
    kind: Kind = "any"
    per_sport: bool = True

    def matches(self, endpoint: str, snapshot: bool) -> bool:
        if endpoint not in self.endpoints:
            return False
        return self.kind == "any" or (self.kind == "snapshot") == snapshot


@dataclass(frozen=True, slots=True)
class FairUsePolicy:
    """A named set of :class:`Rule` s. ``default_retry_after`` is used for a 429 that carries
    no ``Retry-After`` header."""

    name: str
    rules: tuple[Rule, ...]
    default_retry_after: float = 60.0

    def matching(self, endpoint: str, snapshot: bool) -> list[Rule]:
        return [r for r in self.rules if r.matches(endpoint, snapshot)]

    def with_rules(self, *rules: Rule, name: str | None = None) -> FairUsePolicy:
        """A copy with ``rules`` added (e.g. a stricter private agreement)."""
        return FairUsePolicy(name or self.name, self.rules + rules, self.default_retry_after)


def _eps(*names: str) -> frozenset[str]:
    return frozenset(names)


_FEEDS = _eps("fixtures", "odds")
_SPECIAL_FEEDS = _eps("fixtures/special", "odds/special")
_ODDS_EXPOSING = _eps("odds", "odds/special", "odds/parlay", "line", "line/special", "line/parlay")

POLICY_2018 = FairUsePolicy(
    "2018",
    (
        Rule(_FEEDS, 60.0, "snapshot"),
        Rule(_FEEDS, 5.0, "any"),
    ),
)
POLICY_2022 = FairUsePolicy(
    "2022",
    (
        Rule(_FEEDS | _SPECIAL_FEEDS, 60.0, "snapshot"),
        Rule(_FEEDS | _SPECIAL_FEEDS, 5.0, "any"),
        Rule(_eps("sports"), 3600.0, "any", per_sport=False),
        Rule(_eps("leagues"), 3600.0, "any"),
    ),
)
POLICY_2025 = POLICY_2022.with_rules(Rule(_ODDS_EXPOSING, 120.0, "any"), name="2025")

POLICIES: Mapping[str, FairUsePolicy] = {p.name: p for p in (POLICY_2018, POLICY_2022, POLICY_2025)}
DEFAULT_POLICY = POLICY_2025


def _policy(policy: FairUsePolicy | str) -> FairUsePolicy:
    if isinstance(policy, FairUsePolicy):
        return policy
    try:
        return POLICIES[policy]
    except KeyError:
        raise InvalidInput(
            f"unknown fair-use policy {policy!r}; choose one of {sorted(POLICIES)}",
            field="policy",
        ) from None


_Key = tuple[int, str, int | None]  # (rule index, endpoint, sport or None)


class SharedSlots(Protocol):
    """A store of fair-use slots shared by processes (``RedisPacing``)."""

    def take(
        self, slots: list[tuple[object, float]], blocks: list[object], *, reserve: bool = True
    ) -> float: ...

    def block(self, key: object, seconds: float) -> None: ...


@dataclass(slots=True)
class _State:
    last: dict[_Key, float] = field(default_factory=dict)
    blocked: dict[tuple[str, int | None], float] = field(default_factory=dict)


class Pacer:
    """Keeps calls within a :class:`FairUsePolicy` (``"2018"``, ``"2022"``, ``"2025"`` or your
    own).

    ``margin`` seconds are added to every interval on the client side: Pinnacle measures
    intervals when requests *arrive*, and network jitter must not turn an on-time request into
    an early one. ``max_keys`` bounds memory: entries whose interval has long passed are dropped
    first (only those: a live entry is never forgotten).
    """

    def __init__(
        self,
        policy: FairUsePolicy | str = DEFAULT_POLICY,
        *,
        clock: Clock | None = None,
        margin: float = 0.25,
        max_keys: int = 10_000,
        shared: SharedSlots | None = None,
    ) -> None:
        if margin < 0:
            raise InvalidInput("margin must be >= 0", field="margin")
        self.policy = _policy(policy)
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.margin = float(margin)
        self._max_keys = max_keys
        self._state = _State()
        self._lock = threading.Lock()
        self.shared = shared

    def _shared_take(
        self, endpoint: str, sport_id: int | None, snapshot: bool, *, reserve: bool
    ) -> float:
        assert self.shared is not None
        slots: list[tuple[object, float]] = [
            (f"{i}:{ep}:{sport}", interval + self.margin)
            for (i, ep, sport), interval in self._keys(endpoint, sport_id, snapshot)
        ]
        return self.shared.take(
            slots, [f"{endpoint}:{sport_id}", f"{endpoint}:None"], reserve=reserve
        )

    # -- the core: one locked step ----------------------------------------------------------

    def _keys(
        self, endpoint: str, sport_id: int | None, snapshot: bool
    ) -> list[tuple[_Key, float]]:
        out: list[tuple[_Key, float]] = []
        for i, rule in enumerate(self.policy.rules):
            if rule.matches(endpoint, snapshot):
                out.append(((i, endpoint, sport_id if rule.per_sport else None), rule.interval))
        return out

    def _earliest(
        self, keys: Iterable[tuple[_Key, float]], endpoint: str, sport_id: int | None
    ) -> float:
        state = self._state
        t = max(
            state.blocked.get((endpoint, sport_id), float("-inf")),
            state.blocked.get((endpoint, None), float("-inf")),
        )
        for key, interval in keys:
            last = state.last.get(key)
            if last is not None:
                t = max(t, last + interval + self.margin)
        return t

    def try_acquire(
        self, path: str, sport_id: int | None = None, *, snapshot: bool = False
    ) -> float:
        """Take the slot only if it is free now: return 0.0 (taken) or the seconds to wait
        (nothing taken). This is the server side of the policy."""
        endpoint = endpoint_of(path)
        if self.shared is not None:
            return self._shared_take(endpoint, sport_id, snapshot, reserve=True)
        with self._lock:
            now = self.clock.monotonic()
            keys = self._keys(endpoint, sport_id, snapshot)
            earliest = self._earliest(keys, endpoint, sport_id)
            if earliest > now:
                return earliest - now
            for key, _ in keys:
                self._state.last[key] = now
            self._trim(now)
            return 0.0

    async def acquire(
        self, path: str, sport_id: int | None = None, *, snapshot: bool = False
    ) -> None:
        """Wait (on the pacer's clock) until this call is allowed, then take the slot.

        The slot is taken at the moment the call really goes, never booked ahead: a task that
        wakes late cannot squeeze the next one below the interval. Bounded: after 10,000 waits
        (a clock that never moves) :class:`RateLimited` is raised.
        """
        for _ in range(10_000):
            wait = self.try_acquire(path, sport_id, snapshot=snapshot)
            if wait <= 0:
                return
            await self.clock.sleep(wait)
        raise RateLimited(
            f"fair use ({self.policy.name}): {endpoint_of(path)} never became free",
            retry_after=self.wait_time(path, sport_id, snapshot=snapshot),
            limit=endpoint_of(path),
        )

    def check(self, path: str, sport_id: int | None = None, *, snapshot: bool = False) -> None:
        """Take the slot now or raise :class:`RateLimited` with the wait; for callers that
        would rather do something else than sleep."""
        wait = self.try_acquire(path, sport_id, snapshot=snapshot)
        if wait > 0:
            raise RateLimited(
                f"fair use ({self.policy.name}): {endpoint_of(path)} for sport {sport_id} is "
                f"allowed again in {wait:.1f}s",
                retry_after=wait,
                limit=endpoint_of(path),
            )

    def penalize(self, path: str, sport_id: int | None, retry_after: float | None) -> None:
        """Honour a 429: no call to this endpoint (for this sport) before ``retry_after``.

        The wait is clamped (:func:`~wagerkit.errors.clamp_retry_after`: at most
        :attr:`RateLimited.MAX_RETRY_AFTER`, NaN → 1 s): a hostile ``Retry-After: 1e9`` must not
        block an endpoint for thirty years, nor ``inf`` break the arithmetic."""
        wait = clamp_retry_after(
            self.policy.default_retry_after if retry_after is None else retry_after
        )
        endpoint = endpoint_of(path)
        if self.shared is not None:
            self.shared.block(f"{endpoint}:{sport_id}", wait + self.margin)
            return
        with self._lock:
            until = self.clock.monotonic() + wait + self.margin
            key = (endpoint, sport_id)
            self._state.blocked[key] = max(self._state.blocked.get(key, until), until)

    def blocked_for(self, path: str, sport_id: int | None = None) -> float:
        """Seconds this endpoint (for this sport) stays blocked by a 429 (0 when it is not):
        a caller that will not sleep that long can refuse at once instead of waiting in
        :meth:`acquire`."""
        endpoint = endpoint_of(path)
        if self.shared is not None:
            return self.shared.take([], [f"{endpoint}:{sport_id}", f"{endpoint}:None"])
        with self._lock:
            until = max(
                self._state.blocked.get((endpoint, sport_id), float("-inf")),
                self._state.blocked.get((endpoint, None), float("-inf")),
            )
            return max(0.0, until - self.clock.monotonic())

    def wait_time(self, path: str, sport_id: int | None = None, *, snapshot: bool = False) -> float:
        """Seconds until this call would be allowed (0 when now), without reserving."""
        endpoint = endpoint_of(path)
        if self.shared is not None:
            return self._shared_take(endpoint, sport_id, snapshot, reserve=False)
        with self._lock:
            now = self.clock.monotonic()
            return max(
                0.0,
                self._earliest(self._keys(endpoint, sport_id, snapshot), endpoint, sport_id) - now,
            )

    def _trim(self, now: float) -> None:
        state = self._state
        if len(state.last) + len(state.blocked) <= self._max_keys:
            return
        horizon = max((r.interval for r in self.policy.rules), default=0.0) + self.margin
        state.last = {k: v for k, v in state.last.items() if v + horizon > now}
        state.blocked = {k: v for k, v in state.blocked.items() if v > now}
        # Entries still inside their interval are never dropped: that would let a call through
        # early. Their number is bounded by endpoints x sports in use.

    def __repr__(self) -> str:
        return f"Pacer(policy={self.policy.name!r}, margin={self.margin})"
