"""Claims and leases: one intent is placed by one process, and resolved by one at a time.

Two records per intent, both in Redis:

- the **claim** (``wk:claim:{venue}:{key}``, SET NX with the venue's dedupe window as expiry,
  value = the owning process): the cross-process dedupe window. A second process that offers
  the same key inside the window is refused before anything is sent. The local Rust
  :class:`~wagerkit.DedupeCache` stays the first check (no round trip for a local repeat).
- the **lease** (``wk:lease:{venue}:{key}``, SET NX with a short expiry, value = owner token),
  renewed by a heartbeat thread while the owner lives, released by a compare-and-delete script.
  Next to it, the **pending** hash holds what another process needs to resolve the intent
  without the owner's journal: venue, key, kind, user ref, expiry, owner and the request bytes
  exactly as journaled.

Each process keeps its own SQLite journal (SQLite over a network file system is not safe for
several writers, and processes on other machines cannot open it): the journal is the owner's
history and what *it* recovers after a restart. What another process needs to pick up a dead
one's intents is in the pending hash. When a process dies its leases lapse after ``lease``
seconds; :meth:`SharedOrders.orphans` takes the lease of each pending intent nobody holds (one
process wins each, atomically) and the order manager's ``adopt()`` looks them up at the venue.
A process restarted under the same stable ``owner`` name gets its own intents back at once.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import threading
from dataclasses import dataclass
from typing import Any

from wagerkit.errors import InvalidInput
from wagerkit.execution.shared.store import DEFAULT_PREFIX, _redis, guarded, process_owner

__all__ = ["ClaimRecord", "SharedOrders"]

log = logging.getLogger("wagerkit.execution.shared")

_CLAIM = """
local ok = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
if not ok then
  local cur = redis.call('GET', KEYS[1])
  if cur ~= ARGV[1] then return cur end
end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
redis.call('HSET', KEYS[3], ARGV[4], ARGV[5])
return 1
"""

_RESOLVED = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('HDEL', KEYS[2], ARGV[2])
return 1
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
redis.call('HDEL', KEYS[3], ARGV[2])
return 1
"""

_RENEW = """
local lost = {}
for i, k in ipairs(KEYS) do
  if redis.call('GET', k) == ARGV[1] then
    redis.call('PEXPIRE', k, ARGV[2])
  else
    table.insert(lost, i)
  end
end
return lost
"""

_ADOPT = """
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('SET', KEYS[2], ARGV[1], 'KEEPTTL')
end
return 1
"""


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    """What another process needs to resolve an intent: enough to rebuild it and look it up."""

    venue: str
    key: str
    owner: str
    kind: str
    user_ref: str | None
    expires_at: float | None
    created_at: float
    payload: bytes | None

    def dump(self) -> str:
        data = {
            "venue": self.venue,
            "key": self.key,
            "owner": self.owner,
            "kind": self.kind,
            "user_ref": self.user_ref,
            "expires_at": self.expires_at,
            "created_at": self.created_at,
            "payload": base64.b64encode(self.payload).decode() if self.payload else None,
        }
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def load(cls, text: str | bytes) -> ClaimRecord:
        d = json.loads(text)
        payload = d.get("payload")
        return cls(
            str(d["venue"]),
            str(d["key"]),
            str(d["owner"]),
            str(d.get("kind", "order")),
            d.get("user_ref"),
            d.get("expires_at"),
            float(d.get("created_at", 0.0)),
            base64.b64decode(payload) if payload else None,
        )


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class SharedOrders:
    """The cross-process dedupe window and order ownership on one Redis.

    ``owner`` names this process (default ``host:pid:uuid``; give a stable name such as
    ``"bot-3"`` to get the intents back at once after a restart). ``lease`` is how long
    (seconds) a dead process's intents stay untouchable; the heartbeat renews held leases every
    ``lease / 3``. Call :meth:`start` (or use ``with``) to run the heartbeat.
    """

    def __init__(
        self,
        client: Any,
        *,
        owner: str | None = None,
        lease: float = 10.0,
        prefix: str = DEFAULT_PREFIX,
    ) -> None:
        if not (lease > 0):
            raise InvalidInput(f"lease must be > 0, got {lease!r}", field="lease")
        self.client = client
        self.owner = owner if owner else process_owner()
        self.lease = float(lease)
        self._prefix = prefix
        self._pending = f"{prefix}:pending"
        self._claim = client.register_script(_CLAIM)
        self._resolved = client.register_script(_RESOLVED)
        self._release = client.register_script(_RELEASE)
        self._renew = client.register_script(_RENEW)
        self._adopt = client.register_script(_ADOPT)
        self._held: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _k(self, kind: str, venue: str, key: str) -> str:
        return f"{self._prefix}:{kind}:{venue}:{key}"

    @staticmethod
    def _field(venue: str, key: str) -> str:
        return f"{venue}\x00{key}"

    @property
    def _lease_ms(self) -> int:
        return max(1, round(self.lease * 1000))

    # -- claims --------------------------------------------------------------------------

    def _claim_call(self, record: ClaimRecord, window: float) -> dict[str, Any]:
        venue, key = record.venue, record.key
        return {
            "keys": [self._k("claim", venue, key), self._k("lease", venue, key), self._pending],
            "args": [
                self.owner,
                max(1, round(window * 1000)),
                self._lease_ms,
                self._field(venue, key),
                record.dump(),
            ],
        }

    def queue_claim(self, pipe: Any, record: ClaimRecord, window: float) -> None:
        """Add the claim of ``record`` to a pipeline (see :func:`claimed` for its answer).

        By EVALSHA: the caller loads the scripts (:meth:`load`) and retries after NOSCRIPT.
        """
        call = self._claim_call(record, window)
        pipe.evalsha(self._claim.sha, len(call["keys"]), *call["keys"], *call["args"])

    def load(self) -> None:
        """Load the claim script into the server (again after a restart of Redis)."""
        guarded(lambda: self.client.script_load(_CLAIM), "loading a script")

    def claimed(self, record: ClaimRecord, out: Any) -> str | None:
        """Read the claim script's answer: None when ours, else the owner holding it."""
        if out == 1:
            with self._lock:
                self._held.add((record.venue, record.key))
            return None
        return _text(out) if out is not None else "?"

    def claim(self, record: ClaimRecord, window: float) -> str | None:
        """Claim ``record`` for ``window`` seconds; None when ours, else the owner holding it."""
        call = self._claim_call(record, window)
        out = guarded(lambda: self._claim(**call), "an idempotency claim")
        return self.claimed(record, out)

    def claim_many(self, records: list[ClaimRecord], window: float) -> list[str | None]:
        """Claim every record in one round trip (a pipeline); answers as for :meth:`claim`."""
        if len(records) == 1:
            return [self.claim(records[0], window)]
        redis = _redis()
        for attempt in (0, 1):
            pipe = self.client.pipeline(transaction=False)
            for r in records:
                self.queue_claim(pipe, r, window)
            try:
                out = guarded(pipe.execute, "idempotency claims")
                break
            except redis.exceptions.NoScriptError:  # a fresh or restarted Redis: load, once
                if attempt:
                    raise
                self.load()
        return [self.claimed(r, o) for r, o in zip(records, out, strict=True)]

    def owner_of(self, venue: str, key: str) -> str | None:
        """Who claimed the key (None: nobody within its window)."""
        out = guarded(lambda: self.client.get(self._k("claim", venue, key)), "reading a claim")
        return None if out is None else _text(out)

    def resolved(self, venue: str, key: str) -> None:
        """The intent's fate is known: drop the lease and the pending record, keep the claim."""
        with self._lock:
            self._held.discard((venue, key))
        guarded(
            lambda: self._resolved(
                keys=[self._k("lease", venue, key), self._pending],
                args=[self.owner, self._field(venue, key)],
            ),
            "releasing a lease",
        )

    def release(self, venue: str, key: str) -> None:
        """Provably never sent: drop the claim too, so the key may be offered again."""
        with self._lock:
            self._held.discard((venue, key))
        guarded(
            lambda: self._release(
                keys=[self._k("claim", venue, key), self._k("lease", venue, key), self._pending],
                args=[self.owner, self._field(venue, key)],
            ),
            "releasing a claim",
        )

    # -- leases --------------------------------------------------------------------------

    def held(self) -> set[tuple[str, str]]:
        with self._lock:
            return set(self._held)

    def renew(self) -> list[tuple[str, str]]:
        """Extend every lease held; returns those lost (another process took them)."""
        held = sorted(self.held())
        if not held:
            return []
        keys = [self._k("lease", v, k) for v, k in held]
        lost_idx = guarded(
            lambda: self._renew(keys=keys, args=[self.owner, self._lease_ms]), "renewing leases"
        )
        lost = [held[int(i) - 1] for i in lost_idx]
        if lost:
            with self._lock:
                self._held.difference_update(lost)
            log.warning("%d lease(s) lost to another process", len(lost))
        return lost

    def pending(self) -> list[ClaimRecord]:
        """Every unresolved intent of every process."""
        raw = guarded(lambda: self.client.hgetall(self._pending), "reading pending intents")
        return [ClaimRecord.load(v) for v in raw.values()]

    def orphans(self, venues: set[str] | None = None) -> list[ClaimRecord]:
        """Take the lease of each pending intent nobody holds (a dead owner's); return them."""
        taken = []
        for rec in self.pending():
            if venues is not None and rec.venue not in venues:
                continue
            keys = [self._k("lease", rec.venue, rec.key), self._k("claim", rec.venue, rec.key)]
            won = guarded(
                functools.partial(self._adopt, keys=keys, args=[self.owner, self._lease_ms]),
                "taking a lease",
            )
            if won == 1:
                with self._lock:
                    self._held.add((rec.venue, rec.key))
                taken.append(rec)
        return taken

    # -- heartbeat -----------------------------------------------------------------------

    def _beat(self) -> None:
        while not self._stop.wait(self.lease / 3):
            try:
                self.renew()
            except Exception as exc:  # Redis down: leases may lapse; adopters look up first
                log.warning("lease renewal failed (%s)", type(exc).__name__)

    def start(self) -> SharedOrders:
        """Run the heartbeat thread (renews held leases every ``lease / 3`` seconds)."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._beat, name="wagerkit-leases", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SharedOrders:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"SharedOrders(owner={self.owner!r}, lease={self.lease:g}s)"
