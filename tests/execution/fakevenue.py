"""A venue that exists only in memory, behind the adapter protocol: the manager's rules are
tested here without any real venue (``wagerkit.execution`` must not need one).

Requests are dicts ``{"key": ..., "expires_at": ...}``. The venue keeps what it stored by key
and skips a repeated key within its dedupe window, like ABP and Pinnacle. ``script`` lists what
happens to each submit: ``ok``, ``connect`` (nothing sent), ``refused`` (the whole request
declined), ``lost`` (stored, answer lost), ``held`` (on the wire: stored only when
:meth:`FakeVenue.land` is called), ``garbage`` (stored, then a non-wagerkit exception).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

import anyio
import anyio.lowlevel

from wagerkit.errors import ConnectFailed, InvalidInput, MaybePlaced, WagerkitError
from wagerkit.execution.adapter import (
    Failure,
    Intent,
    LocalStatus,
    SubmitAnswer,
    VenueRecord,
    default_decidable_at,
)

Request = dict[str, Any]


class FakeVenue:
    venue = "fake"
    max_batch = 10
    clock_skew = 0.5

    def __init__(self, script: Sequence[str] = (), *, dedupe_window: float = 1800.0) -> None:
        self.script = list(script)
        self.dedupe_window = dedupe_window
        self.stored: dict[str, int] = {}
        self.held: list[list[Request]] = []
        self.submits = 0
        self.lookups = 0
        self.lookup_fails = 0
        self._next = 0

    def _store(self, batch: Sequence[Request]) -> list[SubmitAnswer]:
        out = []
        for r in batch:
            expires = r.get("expires_at")
            if expires is not None and expires <= time.time():
                out.append(SubmitAnswer(r["key"], LocalStatus.DECLINED, reason="expired"))
                continue
            if r["key"] not in self.stored:
                self._next += 1
                self.stored[r["key"]] = self._next
            out.append(SubmitAnswer(r["key"], LocalStatus.ACCEPTED, self.record(r["key"])))
        return out

    def record(self, key: str) -> VenueRecord:
        return VenueRecord(key, str(self.stored[key]), "OPEN", version=(float(self._next),))

    def land(self) -> None:
        for batch in self.held:
            self._store(batch)
        self.held.clear()

    # -- the protocol --------------------------------------------------------------------------

    def intent(self, payload: Request) -> Intent[Request]:
        if not isinstance(payload, dict) or "key" not in payload:
            raise InvalidInput("a fake request is a dict with a key", field="orders")
        return Intent(self.venue, payload["key"], payload, expires_at=payload.get("expires_at"))

    async def submit(
        self, intents: Sequence[Intent[Request]], *, timeout: float | None = None
    ) -> Sequence[SubmitAnswer]:
        self.submits += 1
        step = self.script.pop(0) if self.script else "ok"
        await anyio.lowlevel.checkpoint()  # a send takes a moment: it can be cancelled
        batch = [i.payload for i in intents]
        if step == "connect":
            raise ConnectFailed("refused")
        if step == "refused":
            raise InvalidInput("the venue refused the request", field="orders")
        if step == "held":
            self.held.append(batch)
            raise MaybePlaced("timed out")
        answers = self._store(batch)
        if step == "lost":
            raise MaybePlaced("connection lost after sending")
        if step == "garbage":
            raise RecursionError("maximum recursion depth exceeded")
        return answers

    def classify(self, exc: BaseException) -> Failure:
        if isinstance(exc, ConnectFailed):
            return Failure.NOT_SENT
        if isinstance(exc, InvalidInput):
            return Failure.DECLINED
        return Failure.AMBIGUOUS

    async def lookup(self, intents: Sequence[Intent[Request]]) -> Mapping[str, VenueRecord]:
        self.lookups += 1
        if self.lookup_fails > 0:
            self.lookup_fails -= 1
            raise MaybePlaced("lookup timed out")
        return {i.key: self.record(i.key) for i in intents if i.key in self.stored}

    def decidable_at(self, intent: Intent[Request], last_sent_at: float) -> float:
        return default_decidable_at(
            intent, last_sent_at, dedupe_window=self.dedupe_window, clock_skew=self.clock_skew
        )

    def encode(self, payload: Request) -> bytes:
        return json.dumps(payload).encode()

    def decode(self, data: bytes) -> Request:
        value = json.loads(data)
        if not isinstance(value, dict):
            raise WagerkitError("not a fake request")
        return value
