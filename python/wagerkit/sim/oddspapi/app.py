"""The local OddsPapi server as one Starlette app: REST (:mod:`.rest`) under ``/{lang}``, the
live stream (:mod:`.ws`) at ``/ws``, and the fault controls under ``/admin/`` (:mod:`.admin`
for REST, :mod:`.ws` for the stream)."""

from __future__ import annotations

from starlette.applications import Starlette

from wagerkit.sim.oddspapi.admin import rest_admin_routes
from wagerkit.sim.oddspapi.rest import rest_routes
from wagerkit.sim.oddspapi.service import OddsPapiSim
from wagerkit.sim.oddspapi.ws import stream_routes

__all__ = ["build_app"]


def build_app(sim: OddsPapiSim) -> Starlette:
    """Serve ``sim``: ``/en/sports`` … ``/en/fixtures/settlement``, ``/ws`` and ``/admin/``."""
    return Starlette(routes=[*rest_admin_routes(sim), *rest_routes(sim), *stream_routes(sim)])
