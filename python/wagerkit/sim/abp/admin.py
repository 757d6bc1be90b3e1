"""Admin controls, mounted under ``admin_prefix`` (default ``/_admin``) only with ``--admin``.

They move the world a test or a paper trader needs to move: quotes, rates, settlements, the
clock, bookmaker behaviour (delay, rejections, circuit breaker) and injected faults. They take
no API key: the simulator only listens on loopback, and the flag must be given on purpose.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from wagerkit.errors import InvalidInput
from wagerkit.sim.abp.jsonio import BodyError, JSONResponse, error, read_json

if TYPE_CHECKING:
    from wagerkit.sim.abp.service import AbpSim

__all__ = ["admin_routes"]

_T = TypeVar("_T")


class QuoteMove(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    fixture_id: str
    outcome_id: int
    bookmaker: str
    player_id: int = 0
    back: bool = True
    price: float | None = None
    limit: float | None = None
    limit_min: float | None = None
    active: bool | None = None


class Settle(msgspec.Struct, forbid_unknown_fields=True):
    results: dict[str, str] = msgspec.field(default_factory=dict)
    default: str | None = None


class OddsTarget(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """A bookmaker whose odds are not fetched in time, for one fixture or (None) all."""

    bookmaker: str
    fixture_id: str | None = None


class FaultSettings(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    latency: float | None = None
    fail_next: int | None = None
    fail_status: int | None = None
    drop_next_placements: int | None = None
    odds_unavailable: list[OddsTarget] | None = None  # replaces the set; [] clears it


class BookmakerSettings(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    circuit_open: bool | None = None
    bet_delay: float | None = None
    reject_rate: float | None = None


class CloseWs(msgspec.Struct, forbid_unknown_fields=True):
    code: int = 1012
    client: str | None = None


class Advance(msgspec.Struct, forbid_unknown_fields=True):
    seconds: float


def _sim(request: Request) -> AbpSim:
    sim: AbpSim = request.app.state.sim
    return sim


async def _body(request: Request, kind: type[_T]) -> _T | Response:
    try:
        data = await read_json(request)
        return msgspec.convert(data, kind)
    except BodyError as exc:
        return exc.response
    except msgspec.ValidationError as exc:
        return error(422, {"detail": str(exc)})


async def move_quote(request: Request) -> Response:
    sim = _sim(request)
    body = await _body(request, QuoteMove)
    if isinstance(body, Response):
        return body
    with sim.lock:
        try:
            sel = sim.market.move(
                body.fixture_id,
                body.outcome_id,
                body.player_id,
                body.bookmaker,
                back=body.back,
                price=body.price,
                limit=body.limit,
                limit_min=body.limit_min,
                active=body.active,
            )
        except InvalidInput as exc:
            return error(422, {"detail": str(exc)})
        sim.market_changed(sel, body.bookmaker)
        q = sel.quotes[(body.bookmaker, body.back)]
        return JSONResponse(
            {"bookmaker": q.bookmaker, "back": q.back, "price": q.price, "active": q.active}
        )


async def settle_fixture(request: Request) -> Response:
    sim = _sim(request)
    body = await _body(request, Settle)
    if isinstance(body, Response):
        return body
    fixture_id = request.path_params["fixture_id"]
    if fixture_id not in sim.market.fixtures:
        return error(404, {"detail": "Fixture not found"})
    try:
        bets = sim.lifecycle.settle_fixture(fixture_id, body.results, body.default)
    except InvalidInput as exc:
        return error(422, {"detail": str(exc)})
    with sim.lock:
        waiting = sim.lifecycle.awaiting_confirmation(fixture_id)
    return JSONResponse(
        {
            "fixtureId": fixture_id,
            "settledBets": [b.bet_id for b in bets],
            "awaitingConfirmation": [b.bet_id for b in waiting],
        }
    )


async def set_rates(request: Request) -> Response:
    """Body ``{"rates": {"EUR": 0.9}, "updatedAt": "..."}``: units per 1 USD."""
    sim = _sim(request)
    try:
        data = await read_json(request)
    except BodyError as exc:
        return exc.response
    rates = data.get("rates") if isinstance(data, dict) else None
    if not isinstance(rates, dict) or not rates:
        return error(422, {"detail": 'body must be {"rates": {CCY: currencyValue}}'})
    updated = data.get("updatedAt") or sim.clock.iso_now()
    with sim.lock:
        try:
            for ccy, value in rates.items():
                sim.market.fx.set_rate(
                    ccy, repr(value) if isinstance(value, float) else str(value), updated
                )
        except (InvalidInput, ValueError, TypeError) as exc:
            return error(422, {"detail": str(exc)})
        sim.save_market()
        for ccy in rates:
            sim.bus.publish("currencies", "UPDATE", sim.currency_payload(ccy))
    return JSONResponse({c: sim.currency_payload(c) for c in rates})


async def set_faults(request: Request) -> Response:
    sim = _sim(request)
    body = await _body(request, FaultSettings)
    if isinstance(body, Response):
        return body
    for target in body.odds_unavailable or []:
        if target.bookmaker not in sim.market.bookmakers:
            return error(422, {"detail": f"unknown bookmaker {target.bookmaker}"})
        if target.fixture_id is not None and target.fixture_id not in sim.market.fixtures:
            return error(422, {"detail": f"unknown fixture {target.fixture_id}"})
    f = sim.faults
    if body.latency is not None:
        f.latency = max(0.0, body.latency)
    if body.fail_next is not None:
        f.fail_next = max(0, body.fail_next)
    if body.fail_status is not None:
        if not 500 <= body.fail_status <= 599:
            return error(422, {"detail": "failStatus must be a 5xx status"})
        f.fail_status = body.fail_status
    if body.drop_next_placements is not None:
        f.drop_next_placements = max(0, body.drop_next_placements)
    if body.odds_unavailable is not None:
        with sim.lock:
            f.odds_unavailable = {(t.bookmaker, t.fixture_id) for t in body.odds_unavailable}
    return JSONResponse(f.as_json())


async def clear_faults(request: Request) -> Response:
    sim = _sim(request)
    sim.faults.clear()
    return JSONResponse(sim.faults.as_json())


async def set_bookmaker(request: Request) -> Response:
    sim = _sim(request)
    body = await _body(request, BookmakerSettings)
    if isinstance(body, Response):
        return body
    state = sim.market.bookmakers.get(request.path_params["slug"])
    if state is None:
        return error(404, {"detail": "Bookmaker not found"})
    with sim.lock:
        if body.circuit_open is not None:
            state.forced_open = body.circuit_open
            if not body.circuit_open:
                state.open_until = 0.0
                state.failures = 0
            sim.bus.publish("status", "UPDATE", sim.status_payload())
        if body.bet_delay is not None:
            state.bet_delay = max(0.0, body.bet_delay)
        if body.reject_rate is not None:
            state.reject_rate = min(1.0, max(0.0, body.reject_rate))
    return JSONResponse(
        {
            "slug": state.spec.slug,
            "circuitOpen": state.circuit_open(sim.clock.now()),
            "betDelay": state.bet_delay,
            "rejectRate": state.reject_rate,
        }
    )


async def close_ws(request: Request) -> Response:
    sim = _sim(request)
    body = await _body(request, CloseWs)
    if isinstance(body, Response):
        return body
    subs = sim.bus.subscribers(body.client)
    for sub in subs:
        kick = getattr(sub, "kick", None)
        if kick is not None:
            kick(body.code, "closed by the simulator admin")
    return JSONResponse({"closed": len(subs)})


async def advance_clock(request: Request) -> Response:
    sim = _sim(request)
    body = await _body(request, Advance)
    if isinstance(body, Response):
        return body
    if body.seconds < 0:
        return error(422, {"detail": "the clock only moves forward"})
    with sim.lock:
        sim.advance_clock(body.seconds)
    return JSONResponse({"now": sim.clock.iso_now(), "offset": sim.clock.offset})


async def state(request: Request) -> Response:
    """A summary for humans and tests (never the API keys or passwords)."""
    sim = _sim(request)
    now = sim.clock.now()
    out: dict[str, Any] = {
        "now": sim.clock.iso_now(),
        "clockOffset": sim.clock.offset,
        "faults": sim.faults.as_json(),
        "clients": [c.name for c in sim.keys.clients()],
        "bookmakers": {
            slug: {
                "circuitOpen": st.circuit_open(now),
                "betDelay": st.bet_delay,
                "rejectRate": st.reject_rate,
            }
            for slug, st in sim.market.bookmakers.items()
        },
        "orders": len(sim.store.orders),
        "bets": len(sim.store.bets),
        "wsConnections": len(sim.bus.subscribers()),
    }
    return JSONResponse(out)


def admin_routes() -> list[Route]:
    """Routes relative to the admin prefix."""
    return [
        Route("/state", state, methods=["GET"]),
        Route("/quotes", move_quote, methods=["POST"]),
        Route("/fixtures/{fixture_id}/settle", settle_fixture, methods=["POST"]),
        Route("/rates", set_rates, methods=["POST"]),
        Route("/faults", set_faults, methods=["POST"]),
        Route("/faults", clear_faults, methods=["DELETE"]),
        Route("/bookmakers/{slug}", set_bookmaker, methods=["POST"]),
        Route("/ws/close", close_ws, methods=["POST"]),
        Route("/clock/advance", advance_clock, methods=["POST"]),
    ]
