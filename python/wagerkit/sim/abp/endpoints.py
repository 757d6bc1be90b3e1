"""The client API's HTTP endpoints (ABP v2 paths, shapes and status codes).

Handlers parse and check input, call the service under its lock, and render with ``wire.py``.
Every read is scoped to the caller's clientName, which the gate middleware put in the scope.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from wagerkit._core import minor_to_str, to_minor
from wagerkit.sim.abp.analytics import GROUP_BY
from wagerkit.sim.abp.auth import ACCESS_DENIED, Client
from wagerkit.sim.abp.jsonio import BodyError, DroppedResponse, JSONResponse, error, read_json
from wagerkit.sim.abp.records import Account
from wagerkit.sim.abp.validation import (
    FieldErrors,
    parse_account_create,
    parse_account_patch,
    parse_place_orders,
)
from wagerkit.sim.abp.wire import account_json, bet_json, order_json

if TYPE_CHECKING:
    from wagerkit.sim.abp.service import AbpSim

__all__ = ["routes"]


def _sim(request: Request) -> AbpSim:
    sim: AbpSim = request.app.state.sim
    return sim


def _client(request: Request) -> Client:
    client: Client = request.state.client
    return client


def _unprocessable(errors: FieldErrors) -> JSONResponse:
    return error(422, {"detail": errors.items})


class _Query:
    """Typed query-string access with 422 errors located at ``["query", name]``."""

    def __init__(self, request: Request) -> None:
        self.params = request.query_params
        self.errors = FieldErrors()

    def string(self, name: str, *, required: bool = False) -> str | None:
        value = self.params.get(name)
        if value is None and required:
            self.errors.add(["query", name], "Field required", "missing")
        return value

    def integer(
        self, name: str, *, required: bool = False, lo: int | None = None, hi: int | None = None
    ) -> int | None:
        value = self.string(name, required=required)
        if value is None:
            return None
        try:
            number = int(value)
        except ValueError:
            self.errors.add(
                ["query", name],
                "Input should be a valid integer, unable to parse string as an integer",
                "int_parsing",
            )
            return None
        if lo is not None and number < lo:
            self.errors.add(
                ["query", name],
                f"Input should be greater than or equal to {lo}",
                "greater_than_equal",
            )
        if hi is not None and number > hi:
            self.errors.add(
                ["query", name], f"Input should be less than or equal to {hi}", "less_than_equal"
            )
        return number

    def int_list(self, name: str) -> list[int]:
        value = self.string(name)
        if not value:
            return []
        out = []
        for part in value.split(","):
            try:
                out.append(int(part.strip()))
            except ValueError:
                self.errors.add(
                    ["query", name],
                    "Input should be a comma-separated list of integers",
                    "int_parsing",
                )
                return []
        return out

    def str_list(self, name: str) -> list[str]:
        value = self.string(name)
        return [p.strip() for p in value.split(",") if p.strip()] if value else []


# -- public ----------------------------------------------------------------------------------


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def ready(request: Request) -> Response:
    sim = _sim(request)
    checks = {"database": "ok", "cache": "ok", "oddspapi": "ok"}
    return JSONResponse({"status": "ready", "checks": checks, "persistent": sim.store.persistent})


async def status(request: Request) -> Response:
    return JSONResponse(_sim(request).status_payload())


async def metrics(request: Request) -> Response:
    sim = _sim(request)
    lines = [
        "# TYPE abp_sim_orders_total counter",
        f"abp_sim_orders_total {len(sim.store.orders)}",
        "# TYPE abp_sim_bets_total counter",
        f"abp_sim_bets_total {len(sim.store.bets)}",
        "# TYPE abp_sim_ws_connections gauge",
        f"abp_sim_ws_connections {len(sim.bus.subscribers())}",
    ]
    return PlainTextResponse("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")


# -- accounts --------------------------------------------------------------------------------


def _own_account(sim: AbpSim, client: Client, bookmaker: str, username: str) -> Account | Response:
    acc = sim.store.accounts.get((bookmaker, username))
    if acc is None:
        return error(404, {"detail": "Account not found"})
    if acc.client != client.name:
        return error(403, {"detail": "Account belongs to another client"})
    return acc


async def list_accounts(request: Request) -> Response:
    sim, client = _sim(request), _client(request)
    bookmaker = request.query_params.get("bookmaker")
    accounts = [
        a
        for a in sim.store.client_accounts(client.name)
        if (bookmaker is None or a.bookmaker == bookmaker) and client.allows(a.bookmaker)
    ]
    accounts.sort(key=lambda a: (-a.priority, a.bookmaker, a.username))
    return JSONResponse([account_json(a, sim.market.fx) for a in accounts])


_Rounding = Literal["down", "half_even", "up"]


def _apply_account_fields(acc: Account, fields: dict[str, Any]) -> None:
    """Copy validated fields onto ``acc``; amounts are major units of the (new) currency."""
    if "currencyId" in fields and fields["currencyId"] and fields["currencyId"] != acc.currency:
        old, new = acc.currency, fields["currencyId"]
        # Balances are never converted (multi-currency page): the number stays, the unit moves.
        acc.balance = to_minor(minor_to_str(acc.balance, old), new, "down")
        converted: tuple[tuple[str, _Rounding], ...] = (
            ("credit", "down"),
            ("max_stake", "down"),
            ("min_stake", "up"),
        )
        for name, rounding in converted:
            value = getattr(acc, name)
            if value is not None:
                setattr(acc, name, to_minor(minor_to_str(value, old), new, rounding))
        acc.currency = new
    ccy = acc.currency
    if "password" in fields:
        acc.password = fields["password"]
    if "balance" in fields:
        acc.balance = to_minor(fields["balance"], ccy)
    # A maximum is rounded down and a minimum up: a limit never widens by rounding.
    amounts: tuple[tuple[str, str, _Rounding], ...] = (
        ("credit", "credit", "half_even"),
        ("maxStake", "max_stake", "down"),
        ("minStake", "min_stake", "up"),
    )
    for wire, attr, rounding in amounts:
        if wire in fields:
            value = fields[wire]
            setattr(acc, attr, None if value is None else to_minor(value, ccy, rounding))
    for wire, attr in (
        ("active", "active"),
        ("priority", "priority"),
        ("verifyBetslip", "verify_betslip"),
        ("multiLimitAllowed", "multi_limit_allowed"),
        ("meta", "meta"),
    ):
        if wire in fields:
            setattr(acc, attr, fields[wire])


async def create_account(request: Request) -> Response:
    sim, client = _sim(request), _client(request)
    try:
        body = await read_json(request)
    except BodyError as exc:
        return exc.response
    fields, errors = parse_account_create(body)
    if errors:
        return _unprocessable(errors)
    if not client.allows(fields["bookmaker"]):
        return error(403, ACCESS_DENIED)
    with sim.lock:
        if (fields["bookmaker"], fields["username"]) in sim.store.accounts:
            return error(409, {"detail": "Account already exists"})
        now = sim.clock.now()
        acc = Account(
            client=client.name,
            bookmaker=fields["bookmaker"],
            username=fields["username"],
            password=fields["password"],
            currency=fields.get("currencyId") or "USD",
            balance=0,
            created_at=now,
            updated_at=now,
        )
        _apply_account_fields(acc, {k: v for k, v in fields.items() if k != "currencyId"})
        sim.save_account(acc, "INSERT")
        return JSONResponse(account_json(acc, sim.market.fx), status_code=201)


async def get_account(request: Request) -> Response:
    sim, client = _sim(request), _client(request)
    found = _own_account(
        sim, client, request.path_params["bookmaker"], request.path_params["username"]
    )
    if isinstance(found, Response):
        return found
    return JSONResponse(account_json(found, sim.market.fx))


async def patch_account(request: Request) -> Response:
    sim, client = _sim(request), _client(request)
    try:
        body = await read_json(request)
    except BodyError as exc:
        return exc.response
    fields, errors = parse_account_patch(body)
    if errors:
        return _unprocessable(errors)
    with sim.lock:
        found = _own_account(
            sim, client, request.path_params["bookmaker"], request.path_params["username"]
        )
        if isinstance(found, Response):
            return found
        _apply_account_fields(found, fields)
        sim.save_account(found, "UPDATE")
        if "balance" in fields or "currencyId" in fields:
            sim.save_account(found, balance=True)
        return JSONResponse(account_json(found, sim.market.fx))


async def delete_account(request: Request) -> Response:
    sim, client = _sim(request), _client(request)
    with sim.lock:
        found = _own_account(
            sim, client, request.path_params["bookmaker"], request.path_params["username"]
        )
        if isinstance(found, Response):
            return found
        sim.delete_account(found)
    return Response(status_code=204)


# -- betslip ---------------------------------------------------------------------------------


async def betslip(request: Request) -> Response:
    sim, client = _sim(request), _client(request)
    q = _Query(request)
    if q.string("futureId") is not None:
        return error(501, {"detail": "Futures (futureId) are not implemented yet"})
    fixture_id = q.string("fixtureId", required=True)
    outcome_id = q.integer("outcomeId", required=True)
    player_id = q.integer("playerId", required=True)
    if q.errors:
        return _unprocessable(q.errors)
    assert fixture_id is not None and outcome_id is not None and player_id is not None
    with sim.lock:
        sel = sim.market.selection(fixture_id, outcome_id, player_id)
        accounts = [a for a in sim.store.client_accounts(client.name) if client.allows(a.bookmaker)]
        entries = sim.betslip_entries(sel, accounts) if sel is not None else []
    if sel is None or not entries:
        return error(404, {"detail": "No odds found for given parameters"})
    odds: dict[str, dict[str, Any]] = {}
    for entry in entries:
        key = entry.pop("marketKey")
        odds.setdefault(key.split(":")[1], {})[key] = entry
    info = sim.fixture_info(fixture_id)
    return JSONResponse(
        {
            "fixtureId": fixture_id,
            "outcomeId": outcome_id,
            "playerId": player_id,
            "client": client.name,
            "fixtureInfo": info,
            "outcomeInfo": sim.outcome_info(fixture_id, outcome_id, player_id),
            "playerInfo": None,
            "odds": odds,
        }
    )


# -- orders ----------------------------------------------------------------------------------


async def place_orders(request: Request) -> Response:
    sim, client = _sim(request), _client(request)
    try:
        body = await read_json(request)
    except BodyError as exc:
        return exc.response
    orders, errors = parse_place_orders(body)
    if errors:
        return _unprocessable(errors)
    if any(o.future_id is not None for o in orders):
        return error(501, {"detail": "Futures orders (futureId) are not implemented yet"})
    if any(not client.allows(b) for o in orders for b in (o.bookmakers or [])):
        return error(403, ACCESS_DENIED)
    result = sim.placement.place(client, orders)
    if result.status == 200 and sim.faults.take_drop():
        return DroppedResponse()
    return JSONResponse(result.body, status_code=result.status)


def _page(q: _Query, sim: AbpSim) -> int:
    size = q.integer("limit", lo=1, hi=sim.config.max_page_size)
    return size if size is not None else sim.config.page_size


async def list_orders(request: Request) -> Response:
    sim, client = _sim(request), _client(request)
    q = _Query(request)
    ids = set(q.int_list("orderIds"))
    uuids = {u.lower() for u in q.str_list("requestUuids")}
    user_ref = q.string("userRef")
    after = q.integer("afterOrderId")
    size = _page(q, sim)
    if q.errors:
        return _unprocessable(q.errors)
    if not ids and not uuids and user_ref is None:
        return error(
            400, {"detail": "At least one filter is required: orderIds, requestUuids or userRef"}
        )
    with sim.lock:
        page: list[dict[str, Any]] = []
        more = False
        for oid in reversed(sim.store.client_order_ids(client.name)):
            if after is not None and oid >= after:
                continue
            order = sim.store.orders[oid]
            if oid in ids or order.request_uuid in uuids or order.user_ref == user_ref:
                if len(page) == size:
                    more = True
                    break
                page.append(order_json(order, sim.market, sim.placement.bets_of(order)))
    return JSONResponse(
        {
            "status": "success",
            "orders": page,
            "count": len(page),
            "hasMore": more,
            "nextCursor": page[-1]["orderId"] if more else None,
        }
    )


async def cancel_orders(request: Request) -> Response:
    sim, client = _sim(request), _client(request)
    try:
        body = await read_json(request)
    except BodyError as exc:
        return exc.response
    errors = FieldErrors()
    if not isinstance(body, dict):
        errors.add(["body"], "Input should be a valid dictionary", "dict_type")
        return _unprocessable(errors)
    order_ids = body.get("orderIds") or []
    uuids = body.get("requestUuids") or []
    user_ref = body.get("userRef")
    if not isinstance(order_ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in order_ids
    ):
        errors.add(["body", "orderIds"], "Input should be a valid list of integers", "list_type")
    if not isinstance(uuids, list) or not all(isinstance(u, str) for u in uuids):
        errors.add(["body", "requestUuids"], "Input should be a valid list of strings", "list_type")
    if user_ref is not None and not isinstance(user_ref, str):
        errors.add(["body", "userRef"], "Input should be a valid string", "string_type")
    if errors:
        return _unprocessable(errors)
    if not order_ids and not uuids and user_ref is None:
        return error(
            400, {"detail": "At least one filter is required: orderIds, requestUuids or userRef"}
        )
    done = sim.placement.cancel(client.name, order_ids, [u.lower() for u in uuids], user_ref)
    with sim.lock:
        rendered = [order_json(o, sim.market, sim.placement.bets_of(o)) for o in done]
    return JSONResponse({"status": "cancelled", "cancelledOrders": rendered, "count": len(done)})


# -- bets ------------------------------------------------------------------------------------


async def list_bets(request: Request) -> Response:
    sim, client = _sim(request), _client(request)
    q = _Query(request)
    bet_ids = set(q.int_list("betIds"))
    order_ids = set(q.int_list("orderIds"))
    user_ref = q.string("userRef")
    after = q.integer("afterBetId")
    size = _page(q, sim)
    if q.errors:
        return _unprocessable(q.errors)
    if not bet_ids and not order_ids and user_ref is None:
        return error(
            400, {"detail": "At least one filter is required: betIds, orderIds or userRef"}
        )
    with sim.lock:
        page: list[dict[str, Any]] = []
        more = False
        for bid in reversed(sim.store.client_bet_ids(client.name)):
            if after is not None and bid >= after:
                continue
            bet = sim.store.bets[bid]
            if bid in bet_ids or bet.order_id in order_ids or bet.user_ref == user_ref:
                if len(page) == size:
                    more = True
                    break
                page.append(bet_json(bet, sim.market.fx))
    return JSONResponse(
        {
            "status": "success",
            "bets": page,
            "count": len(page),
            "hasMore": more,
            "nextCursor": page[-1]["betId"] if more else None,
        }
    )


async def get_bet(request: Request) -> Response:
    sim, client = _sim(request), _client(request)
    try:
        bet_id = int(request.path_params["bet_id"])
    except ValueError:
        errors = FieldErrors()
        errors.add(["path", "bet_id"], "Input should be a valid integer", "int_parsing")
        return _unprocessable(errors)
    bet = sim.store.bets.get(bet_id)
    if bet is None:
        return error(404, {"detail": "Bet not found"})
    if bet.client != client.name:
        return error(403, {"detail": "Bet belongs to another client"})
    return JSONResponse(bet_json(bet, sim.market.fx))


# -- analytics -------------------------------------------------------------------------------


def _analytics_args(request: Request) -> tuple[str, dict[str, str | None]] | Response:
    q = _Query(request)
    group_by = q.string("groupBy") or "bookmaker"
    if group_by not in GROUP_BY:
        q.errors.add(
            ["query", "groupBy"], "Input should be 'bookmaker', 'account' or 'userRef'", "enum"
        )
        return _unprocessable(q.errors)
    filters = {
        "bookmaker": q.string("bookmaker"),
        "user_ref": q.string("userRef"),
        "account": q.string("account"),
    }
    return group_by, filters


async def positions(request: Request) -> Response:
    sim, client = _sim(request), _client(request)
    args = _analytics_args(request)
    if isinstance(args, Response):
        return args
    with sim.lock:
        return JSONResponse(sim.analytics.positions(client.name, args[0], **args[1]))


async def pnl(request: Request) -> Response:
    sim, client = _sim(request), _client(request)
    args = _analytics_args(request)
    if isinstance(args, Response):
        return args
    with sim.lock:
        return JSONResponse(sim.analytics.pnl(client.name, args[0], **args[1]))


def routes() -> list[Route]:
    """Every client-API route; the WebSocket and admin routes are added in ``app.py``."""
    return [
        Route("/health", health),
        Route("/ready", ready),
        Route("/status", status),
        Route("/metrics", metrics),
        Route("/accounts", list_accounts, methods=["GET"]),
        Route("/accounts", create_account, methods=["POST"]),
        Route("/accounts/{bookmaker}/{username}", get_account, methods=["GET"]),
        Route("/accounts/{bookmaker}/{username}", patch_account, methods=["PATCH"]),
        Route("/accounts/{bookmaker}/{username}", delete_account, methods=["DELETE"]),
        Route("/betslip", betslip, methods=["GET"]),
        Route("/place-orders", place_orders, methods=["POST"]),
        Route("/orders", list_orders, methods=["GET"]),
        Route("/cancel-orders", cancel_orders, methods=["POST"]),
        Route("/bets", list_bets, methods=["GET"]),
        Route("/bets/{bet_id}", get_bet, methods=["GET"]),
        Route("/positions", positions, methods=["GET"]),
        Route("/pnl", pnl, methods=["GET"]),
    ]
