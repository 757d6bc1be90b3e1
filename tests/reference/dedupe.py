"""A TTL set of 128-bit request UUIDs with oldest-first eviction (docs/engine.md §7).

An ``OrderedDict`` of key → expiry in insertion order: with one TTL and a monotonic clock,
insertion order is also expiry order, so "oldest" is simply the front.
"""

from __future__ import annotations

import math
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable

from tests.reference.errors import InvalidInput


def uuid_key(request_uuid: object) -> int:
    """The UUID's 128 bits from text (any standard form), 16 raw bytes or ``uuid.UUID``."""
    if isinstance(request_uuid, uuid.UUID):
        return request_uuid.int
    if isinstance(request_uuid, bytes):
        if len(request_uuid) != 16:
            raise InvalidInput(
                f"request_uuid bytes must be 16 long, got {len(request_uuid)}",
                field="request_uuid",
            )
        return int.from_bytes(request_uuid, "big")
    if isinstance(request_uuid, str):
        try:
            return uuid.UUID(request_uuid).int
        except ValueError:
            raise InvalidInput(
                f"request_uuid is not a UUID: {request_uuid!r}", field="request_uuid"
            ) from None
    raise InvalidInput(
        f"request_uuid must be str, bytes or uuid.UUID, got {type(request_uuid).__name__}",
        field="request_uuid",
    )


class DedupeCache:
    """Check-and-insert in one step; bounded by ``capacity``; entries live ``ttl`` seconds."""

    def __init__(
        self,
        ttl: float = 1800.0,
        capacity: int = 1_000_000,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if not (isinstance(ttl, int | float) and math.isfinite(ttl) and ttl > 0):
            raise InvalidInput(f"ttl must be a finite number > 0, got {ttl!r}", field="ttl")
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            raise InvalidInput(f"capacity must be an int >= 1, got {capacity!r}", field="capacity")
        self._ttl = float(ttl)
        self._capacity = capacity
        self._clock = clock or time.monotonic
        self._expiry: OrderedDict[int, float] = OrderedDict()

    @property
    def ttl(self) -> float:
        """Seconds an id stays remembered."""
        return self._ttl

    @property
    def capacity(self) -> int:
        """Most ids kept at once."""
        return self._capacity

    def _now(self) -> float:
        """The clock's reading; a non-finite one would silently disable expiry, so refuse."""
        now = self._clock()
        if isinstance(now, bool) or not isinstance(now, int | float) or not math.isfinite(now):
            raise InvalidInput(f"clock() must return finite seconds, got {now!r}", field="clock")
        return float(now)

    def check_and_insert(self, request_uuid: str | bytes | uuid.UUID) -> bool:
        """True the first time in the window (and remember it); False for a repeat."""
        key = uuid_key(request_uuid)
        now = self._now()
        expiry = self._expiry.get(key)
        if expiry is not None:
            if now < expiry:
                return False
            del self._expiry[key]  # expired: it comes back as a new entry
        if len(self._expiry) >= self._capacity:
            for old in [k for k, exp in self._expiry.items() if exp <= now]:
                del self._expiry[old]
            while len(self._expiry) >= self._capacity:
                self._expiry.popitem(last=False)
        self._expiry[key] = now + self._ttl
        return True

    def contains(self, request_uuid: str | bytes | uuid.UUID) -> bool:
        """Seen within the window (no insert)."""
        expiry = self._expiry.get(uuid_key(request_uuid))
        return expiry is not None and self._now() < expiry

    def __contains__(self, request_uuid: object) -> bool:
        return self.contains(request_uuid)  # type: ignore[arg-type]

    def remove(self, request_uuid: str | bytes | uuid.UUID) -> bool:
        """Forget an id; False when it was not remembered (or had expired)."""
        key = uuid_key(request_uuid)
        expiry = self._expiry.pop(key, None)
        return expiry is not None and self._now() < expiry

    def clear(self) -> None:
        """Forget everything."""
        self._expiry.clear()

    def __len__(self) -> int:
        now = self._now()
        return sum(1 for exp in self._expiry.values() if now < exp)
