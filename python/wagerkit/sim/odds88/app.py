"""The local Odds88 server as an ASGI app: :func:`create_app` wires REST, feeds and faults."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from wagerkit.sim._limits import BodyLimit
from wagerkit.sim.odds88.feeds import feed_endpoint
from wagerkit.sim.odds88.rest import RestHandlers
from wagerkit.sim.odds88.state import Odds88Sim

__all__ = ["create_app"]


async def _swallow(message: Any) -> None:
    """An ASGI ``send`` that discards the real answer (the request was still processed)."""


class _Faults:
    """Serve a queued fault (see :meth:`Odds88Sim.inject_fault`) instead of the real answer."""

    def __init__(self, app: ASGIApp, sim: Odds88Sim) -> None:
        self.app = app
        self.sim = sim

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        fault = (
            self.sim.take_fault(scope["path"]) if scope["type"] in ("http", "websocket") else None
        )
        if fault is None:
            await self.app(scope, receive, send)
            return
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.passthrough:
            await self.app(scope, receive, send)
            return
        response = Response(
            fault.body,
            status_code=fault.status,
            media_type=fault.content_type,
            headers=dict(fault.headers),
        )
        if scope["type"] == "websocket":
            # a refused upgrade: the feed handler never runs
            await WebSocket(scope, receive, send).send_denial_response(response)
            return
        if fault.process:
            await self.app(scope, receive, _swallow)
        await response(scope, receive, send)


def create_app(sim: Odds88Sim | None = None) -> Any:
    """An ASGI app serving ``sim`` (a fresh default simulator when omitted)."""
    sim = sim or Odds88Sim()
    rest = RestHandlers(sim)
    player = "/api/players/{player_id}/Bets"

    async def cashout_feed(websocket: WebSocket) -> None:
        await feed_endpoint(websocket, sim, "cashout")

    async def settlement_feed(websocket: WebSocket) -> None:
        await feed_endpoint(websocket, sim, "settlement")

    app = Starlette(
        routes=[
            Route("/health", rest.health, methods=["GET"]),
            Route("/api/Account/login", rest.login, methods=["POST"]),
            Route("/api/Cashout/subscribe", rest.subscribe, methods=["POST"]),
            Route("/api/Cashout/unsubscribe", rest.unsubscribe, methods=["POST"]),
            Route("/api/Cashout", rest.cashout, methods=["POST"]),
            Route(f"{player}/V2", rest.place_bet, methods=["PUT"]),
            Route(f"{player}/V2/max", rest.max_bet, methods=["POST"]),
            Route(player + "/{request_id}", rest.get_bet, methods=["GET"]),
            Route(player + "/{request_id}/settlements", rest.settlements, methods=["GET"]),
            Route(
                "/api/CurrencyExchange/active-currencies",
                rest.active_currencies,
                methods=["GET"],
            ),
            WebSocketRoute("/feed/cashout/v2", cashout_feed),
            WebSocketRoute("/feed/settlement/v4", settlement_feed),
        ]
    )
    app.state.sim = sim
    # an oversized body: 413 in ASP.NET's ProblemDetails shape, before anything is buffered
    too_large = (
        b'{"type":"https://tools.ietf.org/html/rfc7231#section-6.5.11",'
        b'"title":"Payload Too Large","status":413}'
    )
    return BodyLimit(_Faults(app, sim), status=413, body=too_large)
