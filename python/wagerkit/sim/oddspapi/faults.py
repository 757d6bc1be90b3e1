"""Faults of the local OddsPapi server's live stream, for tests and for watching a client cope.

REST faults (a 429, a 503 ``rate_limiter_error``) are :class:`~wagerkit.sim.oddspapi.service.Fault`
entries on the sim (``sim.inject``); this module adds what only a WebSocket can do wrong:

- ``close``: drop every open connection now (close code 1011), as a crashed node would;
- ``drop``: silently skip the next N odds frames of every connection, then tell it
  ``snapshot_required`` (reason ``client_backpressure``), as OddsPapi does for a slow reader;
- ``backpressure``: close every open connection with 4002 (what OddsPapi does to a reader it
  gave up on);
- ``gap``: answer the next N resumes with ``snapshot_required`` (``resume_window_exceeded``)
  whatever the cursor's age;
- ``reconnect``: send ``reconnect`` (``server_upgrade``) to every connection, as before a deploy;
- ``restart``: a new ``serverEpoch`` and an empty resume log (resumes then get
  ``snapshot_required`` ``server_restarted``).

Counters make a fault hit exactly the next N frames or resumes, so tests are deterministic.
Each one is also a POST under ``/admin/stream/`` (see :mod:`wagerkit.sim.oddspapi.ws`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

__all__ = ["StreamFaults"]


@dataclass
class StreamFaults:
    """Counters of pending stream faults; thread-safe (a test thread sets, the server takes)."""

    drop_frames: int = 0
    resume_gaps: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add_drops(self, count: int) -> None:
        with self._lock:
            self.drop_frames += max(0, count)

    def add_gaps(self, count: int) -> None:
        with self._lock:
            self.resume_gaps += max(0, count)

    def take_gap(self) -> bool:
        """True (consuming one) when this resume must be refused."""
        with self._lock:
            if self.resume_gaps > 0:
                self.resume_gaps -= 1
                return True
            return False

    def take_drop(self) -> tuple[bool, bool]:
        """(drop this frame, it was the last of the run): the caller then sends
        ``snapshot_required`` after the run."""
        with self._lock:
            if self.drop_frames > 0:
                self.drop_frames -= 1
                return True, self.drop_frames == 0
            return False, False

    def clear(self) -> None:
        with self._lock:
            self.drop_frames = 0
            self.resume_gaps = 0
