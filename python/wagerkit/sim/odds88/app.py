"""The local Odds88 server as an ASGI app: :func:`create_app` wires REST, feeds and faults."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from wagerkit.sim.odds88.feeds import feed_endpoint
from wagerkit.sim.odds88.rest import RestHandlers
from wagerkit.sim.odds88.state import Odds88Sim

__all__ = ["create_app"]

_FAULT_BODIES: dict[str, tuple[int, bytes, str]] = {
    "html": (502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html"),
    "garbage": (200, b'{"success": tru', "application/json"),
    "wrong_type": (200, b"[1, 2, 3]", "application/json"),
    "huge": (200, b"[" + b"0," * (5 * 1024 * 1024 // 2) + b"0]", "application/json"),
    "500": (500, b"", "text/plain"),
    "429": (429, b"", "text/plain"),
    "401": (401, b"", "text/plain"),
}


async def _swallow(message: Any) -> None:
    """An ASGI ``send`` that discards the real answer (the request was still processed)."""


class _Faults:
    """Serve a queued fault (see :meth:`Odds88Sim.inject_fault`) instead of the real answer."""

    def __init__(self, app: ASGIApp, sim: Odds88Sim) -> None:
        self.app = app
        self.sim = sim

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = self.sim.take_fault(scope["path"]) if scope["type"] == "http" else None
        if kind is None:
            await self.app(scope, receive, send)
            return
        if kind == "slow":
            await asyncio.sleep(3.0)
            await self.app(scope, receive, send)
            return
        if kind == "500_after":
            await self.app(scope, receive, _swallow)
            kind = "500"
        status, body, content_type = _FAULT_BODIES[kind]
        headers = {"retry-after": "0"} if status == 429 else None
        response = Response(body, status_code=status, media_type=content_type, headers=headers)
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
    return _Faults(app, sim)
