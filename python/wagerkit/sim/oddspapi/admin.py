"""REST faults of the local OddsPapi server over HTTP: ``POST /admin/rest/{action}``.

The stream's faults live under ``/admin/stream/`` (:mod:`.ws`); these make the REST side fail
the way OddsPapi's can, so a bot (or ``wagerkit oddspapi`` against ``wagerkit sim oddspapi``)
can be watched coping from outside the process, as the ABP simulator's admin controls allow:

- ``close``: the next ``count`` matching requests get a status line and headers, then the
  connection is closed mid-body;
- ``drop``: they get no answer for ``hold`` seconds (default 5), then the connection closes;
- ``429``: ``rate_limited`` with ``Retry-After: retryAfter`` (default 1 s);
- ``503``: ``rate_limiter_error`` (OddsPapi's limiter is down);
- ``clear`` forgets every pending fault; ``status`` lists them.

The body (JSON, optional) is ``{"path": "/fixtures/odds", "count": 1, "retryAfter": 1,
"hold": 5}``; ``path`` is a prefix of the REST path after the language (default ``/``: every
endpoint). Like the stream's, these routes take no key: the server only listens on loopback.
"""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from wagerkit.sim.oddspapi.service import Fault, OddsPapiSim

__all__ = ["rest_admin_routes"]


class _Body(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    path: str = "/"
    count: int = 1
    retry_after: float = 1.0
    hold: float = 5.0


_DECODER = msgspec.json.Decoder(_Body)
_FAULTS: dict[str, tuple[int, str, str]] = {  # action -> (status, code, mode)
    "close": (0, "connection_closed", "close"),
    "drop": (0, "connection_dropped", "drop"),
    "429": (429, "rate_limited", "answer"),
    "503": (503, "rate_limiter_error", "answer"),
}


def _pending(sim: OddsPapiSim) -> dict[str, Any]:
    return {
        "pending": [
            {"path": f.path, "status": f.status, "code": f.code, "mode": f.mode, "count": f.count}
            for f in sim.pending_faults()
        ]
    }


def rest_admin_routes(sim: OddsPapiSim) -> list[BaseRoute]:
    """``POST /admin/rest/{close,drop,429,503,clear,status}``; each answers the pending faults."""

    async def admin(request: Request) -> Response:
        action = request.path_params["action"]
        raw = await request.body()
        try:
            body = _DECODER.decode(raw) if raw.strip() else _Body()
        except msgspec.DecodeError as exc:
            return JSONResponse({"error": f"bad body: {exc}"}, 400)
        if not body.path.startswith("/") or not 1 <= body.count <= 10_000:
            return JSONResponse({"error": "path must start with / and count be 1..10000"}, 400)
        if not (0 <= body.retry_after <= 3600 and 0 <= body.hold <= 600):
            return JSONResponse({"error": "retryAfter must be 0..3600 and hold 0..600 s"}, 400)
        if action == "clear":
            sim.clear_faults()
        elif action in _FAULTS:
            status, code, mode = _FAULTS[action]
            sim.inject(
                Fault(
                    body.path,
                    status,
                    code,
                    count=body.count,
                    retry_after=body.retry_after if action == "429" else None,
                    mode=mode,
                    hold=body.hold,
                )
            )
        elif action != "status":
            return JSONResponse({"error": f"unknown action {action}"}, 404)
        return JSONResponse(_pending(sim))

    return [Route("/admin/rest/{action}", admin, methods=["POST"])]
