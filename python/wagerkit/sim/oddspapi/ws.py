"""The live stream's seam (``wss …/ws``): the WebSocket routes of the local OddsPapi server.

:func:`stream_routes` is mounted by :func:`wagerkit.sim.oddspapi.app.build_app` beside the REST
routes. It returns no route yet: the stream (login, channels, ``entryId`` cursors, resume,
control frames, fault injection) is built here, fed by
:meth:`wagerkit.sim.oddspapi.world.World.listen`, which calls back with every quote that moves.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from wagerkit.sim.oddspapi.service import OddsPapiSim

__all__ = ["stream_routes"]


def stream_routes(sim: OddsPapiSim) -> list[BaseRoute]:
    """The ``/ws`` route(s) for ``sim`` (none until the stream lands)."""
    del sim
    return []
