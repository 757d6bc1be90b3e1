"""A local Pinnacle server (Lines, Bets v4, Customer) for tests, demos and paper trading.

``wagerkit sim pinnacle`` runs it from the command line; :func:`running_pinnacle` in
:mod:`wagerkit.sim.pinnacle.testing` runs it in-process.
"""

from wagerkit.sim.pinnacle.simulator import Fault, PinnacleSim

__all__ = ["Fault", "PinnacleSim"]
