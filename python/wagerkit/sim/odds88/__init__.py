"""A local Odds88 server: login, cashout with self-expiring subscriptions, both feeds, Bets V2.

Run it with ``wagerkit sim odds88``, or in-process with
:func:`wagerkit.sim.odds88.testing.odds88_server`.
"""

from wagerkit.sim.odds88.app import create_app
from wagerkit.sim.odds88.state import SUBSCRIPTION_TTL, Odds88Sim

__all__ = ["SUBSCRIPTION_TTL", "Odds88Sim", "create_app"]
