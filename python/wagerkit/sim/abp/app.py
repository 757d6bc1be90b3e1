"""Assemble the Starlette application: client API, WebSocket, optional admin, gate middleware."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, WebSocketRoute

from wagerkit.sim._limits import BodyLimit
from wagerkit.sim.abp.admin import admin_routes
from wagerkit.sim.abp.config import SimConfig
from wagerkit.sim.abp.endpoints import routes
from wagerkit.sim.abp.jsonio import JSONResponse
from wagerkit.sim.abp.middleware import GateMiddleware
from wagerkit.sim.abp.service import AbpSim
from wagerkit.sim.abp.ws import websocket_endpoint

__all__ = ["create_app"]


async def _http_error(request: Request, exc: Exception) -> Response:
    """404/405 as ABP's application error shape ``{"detail": ...}``."""
    assert isinstance(exc, HTTPException)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


async def _server_error(request: Request, exc: Exception) -> Response:
    return JSONResponse({"detail": "Internal Server Error"}, status_code=500)


def create_app(config: SimConfig | None = None, *, sim: AbpSim | None = None) -> BodyLimit:
    """The ASGI app of one simulator; state is built now, tasks start with the lifespan."""
    sim = sim or AbpSim(config)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await sim.startup()
        try:
            yield
        finally:
            await sim.shutdown()

    all_routes: list[BaseRoute] = [*routes(), WebSocketRoute("/ws", websocket_endpoint)]
    if sim.config.admin:
        all_routes.append(Mount(sim.config.admin_prefix, routes=admin_routes()))
    app = Starlette(
        routes=all_routes,
        lifespan=lifespan,
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )
    app.state.sim = sim
    app.add_middleware(GateMiddleware, sim=sim)
    # an oversized body: 413 in ABP's error shape, refused before it is buffered
    return BodyLimit(app, status=413, body=b'{"detail":"Request body too large"}')
