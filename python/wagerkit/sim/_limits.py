"""Bound what one HTTP request may cost a simulator: its body size.

Every venue sits behind a front server that refuses an oversized body before the application
sees it (nginx and most API gateways answer 413). Without a cap, a 60 MB body is buffered whole
and the allocator keeps the memory afterwards. :class:`BodyLimit` is an ASGI middleware that
refuses a declared ``Content-Length`` over the cap at once, and otherwise counts the streamed
chunks and stops reading (answering 413) as soon as the count passes the cap, so at most
``max_bytes`` are ever held. Nesting depth is bounded where the body is decoded
(:func:`wagerkit.sim._contract.decode_json`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["DEFAULT_MAX_BODY", "BodyLimit"]

#: 1 MiB: a hundred-bet special batch is ~60 KB; nothing a venue accepts comes near it.
DEFAULT_MAX_BODY = 1 << 20

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyLimit:
    """Answer ``status`` with ``body`` (JSON) to an HTTP request whose body passes
    ``max_bytes``; pass everything else through with the body replayed."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int = DEFAULT_MAX_BODY,
        status: int = 413,
        body: bytes = b'{"message":"request body too large"}',
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.status = status
        self.body = body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # a disconnect: let the app see it
                chunks.append(b"")
                break
            chunk = bytes(message.get("body", b""))
            size += len(chunk)
            if size > self.max_bytes:
                chunks.clear()
                await self._refuse(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        data = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": data, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": self.status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(self.body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": self.body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
