"""JSON in and out with msgspec, and the odd responses the simulator needs.

``DroppedResponse`` is the "response lost after commit" fault: it starts a response and then
ends the exchange without a body, so uvicorn closes the connection and the client sees a
broken read (ambiguous: the orders *were* placed).
"""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from wagerkit.sim._contract import MAX_DEPTH, ContractViolation, decode_json

__all__ = ["BodyError", "DroppedResponse", "JSONResponse", "error", "read_json"]


class JSONResponse(Response):
    """A Starlette response encoded by msgspec."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return msgspec.json.encode(content)


def error(status: int, body: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


class BodyError(Exception):
    """The request body is not JSON; carries the 422 response to send."""

    def __init__(self, response: JSONResponse) -> None:
        super().__init__("invalid JSON body")
        self.response = response


async def read_json(request: Request) -> Any:
    """Decode the body, or raise :class:`BodyError` with FastAPI's ``json_invalid`` 422 (also
    for JSON nested deeper than :data:`~wagerkit.sim._contract.MAX_DEPTH` levels, which no ABP
    request comes near: refused before any handler walks it)."""
    raw = await request.body()
    try:
        return decode_json(raw, max_depth=MAX_DEPTH)
    except ContractViolation as exc:
        detail = [
            {"loc": ["body", 0], "msg": f"JSON decode error: {exc.message}", "type": "json_invalid"}
        ]
        raise BodyError(error(422, {"detail": detail})) from exc


class DroppedResponse(Response):
    """Send the status line and headers, then stop: the connection is closed mid-response."""

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
            }
        )
