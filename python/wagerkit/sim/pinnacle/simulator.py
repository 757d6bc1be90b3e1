"""The local Pinnacle server's state and controls: market, ledger, fair use, faults, recorder.

One :class:`PinnacleSim` is shared by the HTTP app (in the server thread) and the test or demo
that drives it (in another thread), so every access takes :attr:`PinnacleSim.lock` and moves
time first (:meth:`PinnacleSim.sync`): ticks, live-delay decisions and settlements are applied in
time order, so the same scenario on the same clock always gives the same answers.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wagerkit.clock import Clock, SystemClock
from wagerkit.pinnacle.pacer import Pacer
from wagerkit.sim.pinnacle.ledger import Ledger
from wagerkit.sim.pinnacle.market import Market
from wagerkit.sim.pinnacle.scenario import load_scenario

__all__ = ["Exchange", "Fault", "PinnacleSim"]


@dataclass
class Fault:
    """An injected failure for the next ``count`` requests to ``path``.

    ``kind``: ``code:<ERROR_CODE>`` (a place-bet answer PROCESSED_WITH_ERROR with that code,
    nothing placed; on ``/v4/bets/special`` every bet of the batch gets it),
    ``code_after:<ERROR_CODE>`` (the same answer after the bets *were* placed: Pinnacle's
    "unexpected error" that must never be taken for a failure), ``resubmit`` (400
    RESUBMIT_REQUEST), ``500`` (before processing), ``500_after`` (after the bet was placed),
    ``delay_after:<seconds>`` (placed, then the answer is late: a client timeout),
    ``429:<seconds>`` (Retry-After, sent as given: ``1e9`` and ``inf`` test a hostile venue),
    ``body:<text>`` (HTTP 200 with exactly ``<text>`` as the body, nothing processed) and
    ``body_after:<text>`` (the same after the request *was* processed: a garbled or
    unexpected answer to a bet that was placed). The last two are deliberately off-spec, so
    they are recorded with ``injected=True`` and the conformance checks skip them.
    """

    path: str
    kind: str
    count: int = 1


@dataclass(frozen=True)
class Exchange:
    """One request/response pair, kept for the conformance tests (``request_body`` lets them
    check what clients send against the spec too)."""

    method: str
    path: str
    query: str
    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...]
    request_body: bytes = b""
    injected: bool = False
    """The response is an injected off-spec answer (``body:``/``body_after:`` faults)."""


class PinnacleSim:
    """A Pinnacle server's whole state. ``users`` maps username → password (``demo``/``demo`` by
    default); ``policy`` overrides the scenario's fair-use preset (``None`` = scenario's,
    ``"off"`` = no 429s)."""

    def __init__(
        self,
        scenario: str | Path | Mapping[str, Any] | None = None,
        *,
        clock: Clock | None = None,
        users: Mapping[str, str] | None = None,
        policy: str | None = None,
        record: bool = False,
        record_limit: int = 20_000,
    ) -> None:
        self.scenario = load_scenario(scenario)
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.users = dict(users) if users is not None else dict(self.scenario.get("users", {}))
        self.policy_name = policy or str(self.scenario.get("policy", "2025"))
        self.lock = threading.RLock()
        self.market = Market(self.scenario, self.clock.time())
        self.ledger = Ledger(self.market, self.scenario)
        self._pacers: dict[str, Pacer] = {}
        self.faults: list[Fault] = []
        self.recording = record
        self.exchanges: deque[Exchange] = deque(maxlen=record_limit)
        self.requests: deque[tuple[float, str, str]] = deque(maxlen=record_limit)

    # -- time --------------------------------------------------------------------------------

    def sync(self) -> None:
        """Bring the market and ledger to the clock's time (call with the lock held)."""
        now = self.clock.time()
        due = sorted(
            b.decide_at
            for b in self.ledger.bets.values()
            if b.status == "PENDING_ACCEPTANCE" and b.decide_at <= now
        )
        for t in due:
            self.market.advance_to(t)
            self.ledger.decide_pending()
        self.market.advance_to(now)
        self.ledger.decide_pending()
        self.ledger.settle_due()

    # -- fair use ----------------------------------------------------------------------------

    def pacer_for(self, username: str) -> Pacer | None:
        if self.policy_name == "off":
            return None
        pacer = self._pacers.get(username)
        if pacer is None:
            pacer = self._pacers[username] = Pacer(self.policy_name, clock=self.clock, margin=0.0)
        return pacer

    # -- controls for tests and demos --------------------------------------------------------

    def inject(self, path: str, kind: str, count: int = 1) -> None:
        """Queue a :class:`Fault` for ``path`` (e.g. ``"/v4/bets/straight"``)."""
        with self.lock:
            self.faults.append(Fault(path, kind, count))

    def take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.path == path and fault.count > 0:
                    fault.count -= 1
                    if fault.count == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def set_betting_status(self, status: str) -> None:
        with self.lock:
            self.ledger.betting_status = status

    def bet_count(self, unique_request_id: str | None = None) -> int:
        """Bets on the ledger (with this ``uniqueRequestId`` when given): the no-duplicate
        check of the tests."""
        with self.lock:
            return sum(
                1
                for b in self.ledger.bets.values()
                if unique_request_id is None or b.uid.lower() == unique_request_id.lower()
            )

    def record(self, exchange: Exchange) -> None:
        if self.recording:
            self.exchanges.append(exchange)
