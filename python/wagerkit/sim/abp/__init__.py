"""A local ABP (55-Tech "Automated Bet Placing" v2) server for tests, the demo and paper trading.

Real HTTP and WebSocket on 127.0.0.1, shaped as ABP documents, filling orders with the engine
(``wagerkit._core``). Start it with ``wagerkit sim abp`` or, from Python,
``wagerkit.sim.abp.testing.run_abp_sim()``.

Modules: ``app`` (routes), ``endpoints`` (client API), ``admin`` (controls), ``middleware``
(faults, key, rate limit), ``auth``, ``ratelimit``, ``faults``, ``service`` (state and tasks),
``placement`` (orders), ``lifecycle`` (bets and settlement), ``analytics`` (positions, PnL),
``market`` (quotes, rates, engine Books), ``ws`` (WebSocket), ``events``, ``store`` (memory and
SQLite), ``records``, ``wire`` (JSON shapes), ``validation`` (422 bodies), ``scenario``,
``clock``, ``config``, ``cli``, ``testing``.
"""

from wagerkit.sim.abp.app import create_app
from wagerkit.sim.abp.config import SimConfig
from wagerkit.sim.abp.scenario import Scenario, load_scenario
from wagerkit.sim.abp.service import AbpSim

__all__ = ["AbpSim", "Scenario", "SimConfig", "create_app", "load_scenario"]
