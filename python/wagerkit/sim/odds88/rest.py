"""REST endpoints of the local Odds88 server (Starlette handlers over :class:`Odds88Sim`).

Answers follow the docs' shapes: 400 carries an ASP.NET ``ProblemDetails``; 401, 403 and 429
have no body; the login answers with the bare token as ``text/plain``.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any, TypeGuard

import msgspec
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from wagerkit.sim._contract import Contract, ContractViolation, decode_json, load_spec
from wagerkit.sim.odds88.state import CURRENCIES, Odds88Sim

__all__ = ["LOGIN_RATE", "RestHandlers", "contract"]

_SPECS = Path(__file__).with_name("specs")
_BETS = "/api/players/{playerId}/Bets/{requestId}"

LOGIN_RATE = 5
"""Logins per second per client id (the docs' OAS figure)."""


#: ASP.NET Core's ProblemDetails ``type`` and ``title`` per status (its defaults).
_PROBLEMS = {
    400: (
        "https://tools.ietf.org/html/rfc7231#section-6.5.1",
        "One or more validation errors occurred.",
    ),
    404: ("https://tools.ietf.org/html/rfc7231#section-6.5.4", "Not Found"),
    409: ("https://tools.ietf.org/html/rfc7231#section-6.5.8", "Conflict"),
    413: ("https://tools.ietf.org/html/rfc7231#section-6.5.11", "Payload Too Large"),
}


def problem(detail: str, status: int = 400) -> JSONResponse:
    kind, title = _PROBLEMS.get(status, _PROBLEMS[400])
    return JSONResponse(
        {"type": kind, "title": title, "status": status, "detail": detail}, status_code=status
    )


@functools.cache
def contract() -> Contract:
    """The request side of the official file and of the cashout operations (loaded once)."""
    return Contract(
        load_spec(_SPECS / "odds88-tradeart-api-openapi.json"),
        load_spec(_SPECS / "odds88-cashout-api.yaml"),
    )


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _bet_ids(body: Any) -> list[str] | None:
    if not isinstance(body, dict):
        return None
    ids = body.get("betIds")
    if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
        return None
    return ids


class RestHandlers:
    """Bound to one simulator; each method is a Starlette endpoint."""

    def __init__(self, sim: Odds88Sim) -> None:
        self.sim = sim
        self._login_lock = threading.Lock()

    # -- helpers ----------------------------------------------------------------------------

    async def _json(self, request: Request) -> Any:
        """The JSON body, or UNSET when it is not JSON or nests too deep."""
        try:
            return decode_json(await request.body())
        except ContractViolation:
            return msgspec.UNSET

    async def _invalid(
        self, request: Request, method: str, template: str, **path: str
    ) -> Response | None:
        """A 400 ProblemDetails when the request breaks its operation's declared types."""
        try:
            contract().check(
                method,
                template,
                query=request.query_params.multi_items(),
                path_params=path,
                headers=request.headers,
                body=await request.body(),
            )
        except ContractViolation as exc:
            return problem(exc.message)
        return None

    def _client(self, request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        return self.sim.client_for(token.strip())

    def _login_allowed(self, client_id: str) -> bool:
        now = time.monotonic()
        # one bucket per known account; every unknown client id shares one, so a caller
        # trying made-up ids cannot grow this table
        bucket = client_id if client_id in self.sim.accounts else ""
        with self._login_lock:
            times = self.sim.login_times.setdefault(bucket, deque())
            while times and times[0] <= now - 1.0:
                times.popleft()
            if len(times) >= LOGIN_RATE:
                return False
            times.append(now)
            return True

    # -- account ----------------------------------------------------------------------------

    async def login(self, request: Request) -> Response:
        invalid = await self._invalid(request, "POST", "/api/Account/login")
        if invalid is not None:
            return invalid
        body = await self._json(request)
        if not isinstance(body, dict):
            return problem("body must be a JSON object")
        client_id, password = body.get("clientId"), body.get("password")
        if not isinstance(client_id, str) or not client_id:
            return problem("The clientId field is required.")
        if not isinstance(password, str) or not password:
            return problem("The password field is required.")
        if not self._login_allowed(client_id):
            return Response(status_code=429, headers={"retry-after": "1"})
        token = self.sim.login(client_id, password)
        if token is None:
            return Response(status_code=401)
        return PlainTextResponse(token)

    # -- cashout ----------------------------------------------------------------------------

    async def subscribe(self, request: Request) -> Response:
        return await self._subscription(request, subscribe=True)

    async def unsubscribe(self, request: Request) -> Response:
        return await self._subscription(request, subscribe=False)

    async def _subscription(self, request: Request, *, subscribe: bool) -> Response:
        client = self._client(request)
        if client is None:
            return Response(status_code=401)
        path = "/api/Cashout/subscribe" if subscribe else "/api/Cashout/unsubscribe"
        invalid = await self._invalid(request, "POST", path)
        if invalid is not None:
            return invalid
        ids = _bet_ids(await self._json(request))
        if ids is None:
            return problem("betIds must be a list of bet id strings")
        if subscribe:
            self.sim.subscribe(client, ids)
        else:
            self.sim.unsubscribe(client, ids)
        return Response(status_code=200)

    async def cashout(self, request: Request) -> Response:
        client = self._client(request)
        if client is None:
            return Response(status_code=401)
        invalid = await self._invalid(request, "POST", "/api/Cashout")
        if invalid is not None:
            return invalid
        body = await self._json(request)
        if not isinstance(body, dict):
            return problem("body must be a JSON object")
        bet_id, price_change, amount = (
            body.get("betId"),
            body.get("priceChange"),
            body.get("amount"),
        )
        if not isinstance(bet_id, str) or not bet_id:
            return problem("The betId field is required.")
        if price_change not in (0, 1, 2) or isinstance(price_change, bool):
            return problem("priceChange must be 0, 1 or 2")
        if (
            not isinstance(amount, dict)
            or not _is_int(amount.get("localAmount"))
            or not _is_int(amount.get("precision"))
            or not 0 <= amount["precision"] <= 18
            or not isinstance(amount.get("currency"), str)
        ):
            return problem("amount must be {localAmount:int, precision:int, currency:string}")
        return JSONResponse(self.sim.cashout(client, bet_id, price_change, amount))

    # -- bets V2 ----------------------------------------------------------------------------

    def _check_v2(self, body: Any) -> tuple[int, str] | None:
        """``(responseCode, message)`` when the V2 wrapper refuses the request, else None."""
        if not isinstance(body, dict) or not isinstance(body.get("id"), str) or not body["id"]:
            return 2, "id is required"
        amount = body.get("amount")
        if not isinstance(amount, dict):
            return 2, "amount is required"
        currency, value, precision = (
            amount.get("currency"),
            amount.get("value"),
            amount.get("precision"),
        )
        if not isinstance(currency, str) or not _is_int(value) or not _is_int(precision):
            return 2, "amount must be {currency:string, value:int, precision:int}"
        if value <= 0:
            return 2, "amount.value must be positive"
        if currency not in CURRENCIES:
            return 4, f"currency {currency} is not supported"
        if precision != CURRENCIES[currency][1]:
            return 3, f"precision of {currency} is {CURRENCIES[currency][1]}"
        items = body.get("items")
        if not isinstance(items, list):
            return 2, "items must be a list"
        for item in items:
            if not isinstance(item, dict) or not all(
                _is_int(item.get(k)) for k in ("eventId", "marketId", "selectionId")
            ):
                return 2, "each item needs integer eventId, marketId and selectionId"
            price = item.get("price")
            if price is not None and (
                isinstance(price, bool) or not isinstance(price, (int, float))
            ):
                return 2, "item price must be a number"
        if body.get("priceChange", 0) not in (0, 1, 2):
            return 2, "priceChange must be 0, 1 or 2"
        return None

    async def place_bet(self, request: Request) -> Response:
        client = self._client(request)
        if client is None:
            return Response(status_code=401)
        body = await self._json(request)
        if body is msgspec.UNSET:
            return problem("body is not JSON")
        refused = self._check_v2(body)
        if refused is not None:
            code, message = refused
            return JSONResponse({"responseCode": code, "errorMessage": message, "payload": None})
        player_id = request.path_params["player_id"]
        existing = self.sim.get_bet(client, body["id"])
        if existing is not None and existing.player_id != player_id:
            return problem("a bet with this id exists for another player", 409)
        bet = self.sim.place(client, player_id, body)
        return JSONResponse(
            {"responseCode": 1, "errorMessage": None, "payload": self.sim.bet_result(bet)}
        )

    async def max_bet(self, request: Request) -> Response:
        client = self._client(request)
        if client is None:
            return Response(status_code=401)
        body = await self._json(request)
        if body is msgspec.UNSET:
            return problem("body is not JSON")
        refused = self._check_v2(body)
        if refused is not None:
            code, message = refused
            return JSONResponse({"responseCode": code, "errorMessage": message, "payload": None})
        with self.sim.lock:
            code, _message, _legs, limit = self.sim.evaluate(
                {**body, "amount": {**body["amount"], "value": 0}}
            )
        amount = body["amount"]
        payload = {
            "rejectReason": int(code),
            "amount": {
                "currency": amount["currency"],
                "value": limit if code == 0 and limit is not None else 0,
                "precision": amount["precision"],
            },
        }
        return JSONResponse({"responseCode": 1, "errorMessage": None, "payload": payload})

    async def get_bet(self, request: Request) -> Response:
        client = self._client(request)
        if client is None:
            return Response(status_code=401)
        invalid = await self._invalid(
            request,
            "GET",
            _BETS,
            playerId=request.path_params["player_id"],
            requestId=request.path_params["request_id"],
        )
        if invalid is not None:
            return invalid
        bet = self.sim.get_bet(client, request.path_params["request_id"])
        if bet is None or bet.player_id != request.path_params["player_id"]:
            return problem("Bet not found for player.", 404)
        with self.sim.lock:
            return JSONResponse(self.sim.bet_result(bet))

    async def settlements(self, request: Request) -> Response:
        client = self._client(request)
        if client is None:
            return Response(status_code=401)
        invalid = await self._invalid(
            request,
            "GET",
            _BETS + "/settlements",
            playerId=request.path_params["player_id"],
            requestId=request.path_params["request_id"],
        )
        if invalid is not None:
            return invalid
        bet = self.sim.get_bet(client, request.path_params["request_id"])
        if bet is None or bet.player_id != request.path_params["player_id"]:
            return problem("Bet not found for player.", 404)
        with self.sim.lock:
            return JSONResponse(self.sim.settlement_view(bet))

    async def active_currencies(self, request: Request) -> Response:
        if self._client(request) is None:
            return Response(status_code=401)
        wanted = request.query_params.get("type")
        out = [
            {"symbol": symbol, "type": kind, "precision": precision}
            for symbol, (kind, precision, _max) in CURRENCIES.items()
            if wanted is None or str(kind) == wanted
        ]
        return JSONResponse(out)

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})
