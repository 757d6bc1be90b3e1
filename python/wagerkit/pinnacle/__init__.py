"""Pinnacle: Lines, Bets (v4) and Customer API client, ``since``-delta odds feed, fair-use pacer,
odds→bets mapping and engine Book filling.

Start with :class:`AsyncPinnacleClient` (or the blocking :class:`PinnacleClient`), keep a live
snapshot with :class:`OddsFeed`, and test everything against the local server in
:mod:`wagerkit.sim.pinnacle`.
"""

from wagerkit.clock import Clock, FakeClock, SystemClock
from wagerkit.pinnacle.client import (
    AsyncPinnacleClient,
    PinnacleClient,
    new_request_id,
    special_bet,
)
from wagerkit.pinnacle.execution import PinnacleAdapter, parlay_bet, straight_bet, teaser_bet
from wagerkit.pinnacle.pacer import DEFAULT_POLICY, POLICIES, FairUsePolicy, Pacer, Rule
from wagerkit.pinnacle.placement import BetOutcome, PlacementTimings

__all__ = [
    "DEFAULT_POLICY",
    "POLICIES",
    "AsyncPinnacleClient",
    "BetOutcome",
    "Clock",
    "FairUsePolicy",
    "FakeClock",
    "Pacer",
    "PinnacleAdapter",
    "PinnacleClient",
    "PlacementTimings",
    "Rule",
    "SystemClock",
    "new_request_id",
    "parlay_bet",
    "special_bet",
    "straight_bet",
    "teaser_bet",
]
