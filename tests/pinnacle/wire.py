"""Network seams for the execution tests of every direct venue (Pinnacle, Odds88).

:class:`HoldingTransport` keeps chosen placement requests "on the wire": the caller gets no
answer (a read timeout after ``hold_for`` seconds, or its own cancel), while the request itself
is kept and delivered to the server later, when the test calls :meth:`release`, exactly as a
slow path, a retransmit or a proxy queue would deliver it. ``refuse`` fails the next requests
before anything is sent (a refused connection).
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import httpx

_FORWARDED = frozenset({b"authorization", b"content-type", b"accept", b"user-agent"})


class HoldingTransport(httpx.AsyncBaseTransport):
    """Real HTTP, except: the next ``refuse`` placements fail before sending, then the next
    ``hold`` placements are held (delivered on :meth:`release`). ``placement`` says which
    requests are placements (method and path)."""

    def __init__(self, placement: tuple[str, ...], *, hold_for: float = 0.05) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.placement = placement
        self.hold_for = hold_for
        self.hold = 0
        self.refuse = 0
        self.held: list[tuple[str, str, list[tuple[bytes, bytes]], bytes]] = []
        self.delivered: list[int] = []
        self.captured = 0
        """How many requests were held so far."""
        self._lock = threading.Lock()

    def _is_placement(self, request: httpx.Request) -> bool:
        return request.method in ("POST", "PUT") and any(
            part in request.url.path for part in self.placement
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._is_placement(request):
            with self._lock:
                refuse = self.refuse > 0
                hold = not refuse and self.hold > 0
                if refuse:
                    self.refuse -= 1
                if hold:
                    self.hold -= 1
            if refuse:
                raise httpx.ConnectError("connection refused (injected)", request=request)
            if hold:
                body = await request.aread()
                with self._lock:
                    headers = [(k, v) for k, v in request.headers.raw if k.lower() in _FORWARDED]
                    self.held.append((request.method, str(request.url), headers, body))
                    self.captured += 1
                await anyio.sleep(self.hold_for)  # the caller may cancel here too
                raise httpx.ReadTimeout("no answer yet (request held on the wire)", request=request)
        return await self.inner.handle_async_request(request)

    def release(self) -> list[int]:
        """Deliver every held request now (in order, from another connection); returns the
        HTTP statuses the server answered."""
        with self._lock:
            held, self.held = self.held, []
        statuses = []
        with httpx.Client(timeout=10.0) as client:
            for method, url, headers, body in held:
                response = client.request(method, url, headers=headers, content=body)
                statuses.append(response.status_code)
        self.delivered += statuses
        return statuses

    async def aclose(self) -> None:
        await self.inner.aclose()


async def cancel_once_held(
    place: Callable[[], Awaitable[Any]], transport: HoldingTransport
) -> None:
    """Run ``place`` with its next placement request held, and cancel it as soon as that
    request is on the wire (the caller gave up, the request did not)."""
    before = transport.captured
    transport.hold = 1
    async with anyio.create_task_group() as tg:
        tg.start_soon(place)
        with anyio.fail_after(10):
            while transport.captured == before:  # noqa: ASYNC110 - the transport runs elsewhere
                await anyio.sleep(0.001)
        tg.cancel_scope.cancel()
