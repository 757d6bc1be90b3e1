"""Local simulators of ABP, Pinnacle and Odds88: real HTTP/WebSocket servers on 127.0.0.1.

They are the embedded default of wagerkit: the demo, the tests and paper trading run against
them. Each venue lives in its own sub-package (``wagerkit.sim.abp``, ``.pinnacle``, ``.odds88``);
:class:`wagerkit.sim._server.ServerThread` runs any of them in-process.
"""
