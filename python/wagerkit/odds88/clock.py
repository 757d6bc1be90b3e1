"""Deprecated alias: the clock lives in :mod:`wagerkit.clock`, shared by every venue.

Nothing in Odds88, its simulator or the README imports this module any more; it stays only
because ``tests/pinnacle/test_shared_clock.py`` still checks that the old name is the same class.
Import from :mod:`wagerkit.clock` (or ``wagerkit.odds88``, which re-exports it).
"""

from wagerkit.clock import Clock, FakeClock, SystemClock

__all__ = ["Clock", "FakeClock", "SystemClock"]
