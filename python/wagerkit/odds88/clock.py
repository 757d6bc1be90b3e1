"""Kept for existing imports: the clock lives in :mod:`wagerkit.clock`, shared by every venue.

``wagerkit.sim.odds88`` and the Odds88 section of the README import :class:`FakeClock` from here,
so this name stays; new code should import from :mod:`wagerkit.clock`.
"""

from wagerkit.clock import Clock, FakeClock, SystemClock

__all__ = ["Clock", "FakeClock", "SystemClock"]
