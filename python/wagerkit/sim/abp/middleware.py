"""The gate in front of the client API: injected faults, the API key, the rate limit.

Order: added latency and injected 5xx first (they model the network and the server), then
``x-api-key`` (403 when missing, 401 when unknown or inactive), then the per-key sliding
window (429 with ``Retry-After``). Every authenticated answer carries the ``X-RateLimit-*``
headers. ``/health``, ``/ready``, ``/status``, ``/metrics``, ``/ws`` and the admin prefix pass
straight through (the WebSocket authenticates with its login message).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

import msgspec
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wagerkit.sim.abp.auth import HEADER, INVALID_KEY, MISSING_KEY

if TYPE_CHECKING:
    from wagerkit.sim.abp.service import AbpSim

__all__ = ["PUBLIC_PATHS", "GateMiddleware"]

PUBLIC_PATHS = frozenset({"/health", "/ready", "/status", "/metrics", "/ws"})
_HEADER = HEADER.encode()


async def _send_json(
    send: Send, status: int, body: object, headers: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    data = msgspec.json.encode(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


class GateMiddleware:
    """Pure ASGI middleware (no body buffering, WebSocket-safe)."""

    def __init__(self, app: ASGIApp, sim: AbpSim) -> None:
        self.app = app
        self.sim = sim

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        sim = self.sim
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        admin = sim.config.admin and path.startswith(sim.config.admin_prefix)
        if sim.faults.latency > 0 and not admin:
            await asyncio.sleep(sim.faults.latency)
        if admin or path in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return
        failure = sim.faults.take_failure()
        if failure is not None:
            await _send_json(send, failure, {"detail": "Internal Server Error (injected fault)"})
            return
        key = None
        for name, value in scope["headers"]:
            if name == _HEADER:
                key = value.decode("latin-1")
                break
        if key is None:
            await _send_json(send, 403, MISSING_KEY)
            return
        client = sim.keys.lookup(key)
        if client is None:
            await _send_json(send, 401, INVALID_KEY)
            return
        decision = sim.limiter.check(client.name, client.rps)
        headers = decision.headers()
        if not decision.allowed:
            body = {
                "detail": "Rate limit exceeded",
                "limit": str(client.rps),
                "retry_after": decision.retry_after,
            }
            await _send_json(send, 429, body, headers)
            return
        scope.setdefault("state", {})["client"] = client

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *headers]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
