"""The REST face of the local OddsPapi v5 server (all GET, under ``/{lang}``, ``?apiKey=``).

Order of checks on every request, as a bettor meets them at the real service: language, key
(401 ``missing_api_key``/``invalid_api_key``), injected fault, rate limit (429 ``rate_limited``
with ``Retry-After``; every answer carries ``X-RateLimit-Limit/Remaining/Reset``), the key's
channels (403 ``channel_not_allowed``), then the endpoint's own parameters (400
``invalid_filters``, 422 ``validation_error``) and entitlements. Like the real service it is
not consistent about entitlements: ``/tournaments``, ``/markets`` and ``/fixtures/odds`` refuse
with 403 ``sport_not_allowed``/``bookmaker_not_allowed``, while ``/fixtures`` and
``/fixtures/odds/main`` answer ``200`` with nothing, which clients must not read as "no data".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import anyio
import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from wagerkit.sim.abp.jsonio import DroppedResponse
from wagerkit.sim.oddspapi.bulk import bulk_response
from wagerkit.sim.oddspapi.scenario import KeySpec
from wagerkit.sim.oddspapi.service import OddsPapiSim, channel_of
from wagerkit.sim.oddspapi.world import World

__all__ = ["LANGUAGES", "rest_routes"]

LANGUAGES = ("en", "es", "fr", "pt", "de", "it", "ru", "zh")
MAX_BOOKMAKERS = 5
MAX_FIXTURE_IDS = 50


class ApiError(Exception):
    """An OddsPapi error answer ``{error, message, code, ...extra}``."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra

    def body(self) -> dict[str, Any]:
        return {"error": self.status, "message": self.message, "code": self.code, **self.extra}


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        msgspec.json.encode(data),
        status_code=status,
        headers=headers,
        media_type="application/json",
    )


class Params:
    """Query parameters with OddsPapi's validation answers."""

    def __init__(self, request: Request) -> None:
        self.q = request.query_params

    def has(self, name: str) -> bool:
        return name in self.q

    def int_(self, name: str, *, required: bool = False) -> int | None:
        raw = self.q.get(name)
        if raw is None:
            if required:
                raise ApiError(400, "invalid_filters", f"{name} is required")
            return None
        try:
            return int(raw)
        except ValueError:
            detail = [{"loc": ["query", name], "msg": "value is not a valid integer"}]
            raise ApiError(
                422, "validation_error", f"{name} must be an integer", detail=detail, details=detail
            ) from None

    def text(self, name: str, *, required: bool = False) -> str | None:
        raw = self.q.get(name)
        if raw is None and required:
            raise ApiError(400, "invalid_filters", f"{name} is required")
        return raw

    def items(self, name: str) -> list[str] | None:
        raw = self.q.get(name)
        return None if raw is None else [v for v in raw.split(",") if v]

    def ints(self, name: str) -> list[int] | None:
        values = self.items(name)
        if values is None:
            return None
        try:
            return [int(v) for v in values]
        except ValueError:
            detail = [{"loc": ["query", name], "msg": "value is not a valid integer list"}]
            raise ApiError(
                422, "validation_error", f"{name} must be integers", detail=detail, details=detail
            ) from None


class Ctx:
    """One request: the sim, the key's plan and the parameters."""

    def __init__(self, sim: OddsPapiSim, key: KeySpec, params: Params) -> None:
        self.sim, self.key, self.p = sim, key, params
        self.world: World = sim.world

    def sport_ok(self, sport_id: int) -> bool:
        return self.key.sports is None or sport_id in self.key.sports

    def bookmaker_ok(self, slug: str) -> bool:
        return self.key.bookmakers is None or slug in self.key.bookmakers

    def need_sport(self, sport_id: int) -> None:
        if not self.sport_ok(sport_id):
            raise ApiError(
                403, "sport_not_allowed", f"sport {sport_id} is not in your plan", denied=[sport_id]
            )

    def bookmakers(self) -> list[str] | None:
        """The ``bookmakers`` filter, checked (≤ 5, entitled)."""
        slugs = self.p.items("bookmakers")
        if slugs is None:
            return None
        if len(slugs) > MAX_BOOKMAKERS:
            raise ApiError(400, "invalid_filters", f"at most {MAX_BOOKMAKERS} bookmakers")
        return slugs

    def fixture(self, fixture_id: str) -> dict[str, Any]:
        fixture = self.world.fixtures.get(fixture_id)
        if fixture is None:
            raise ApiError(404, "not_found", f"fixture {fixture_id} not found")
        self.need_sport(fixture["sport"]["sportId"])
        return fixture


# -- reference data ----------------------------------------------------------------------------


def sports(c: Ctx) -> Any:
    return [s for s in c.world.sports if c.sport_ok(s["sportId"])]


def tournaments(c: Ctx) -> Any:
    ids = c.p.ints("tournamentIds")
    if ids is not None:
        found = [t for i in ids if (t := c.world.tournaments.get(i)) is not None]
        return [t for t in found if c.sport_ok(t["sportId"])]
    sport_id = c.p.int_("sportId")
    sport_id = 11 if sport_id is None else sport_id  # the documented fallback (basketball)
    c.need_sport(sport_id)
    return [t for t in c.world.tournaments.values() if t["sportId"] == sport_id]


def participants(c: Ctx) -> Any:
    sport_id = c.p.int_("sportId", required=True)
    assert sport_id is not None
    c.need_sport(sport_id)
    ids = c.p.ints("participantIds")
    return [
        p
        for p in c.world.participants.values()
        if p["sportId"] == sport_id and (ids is None or p["participantId"] in ids)
    ]


def markets(c: Ctx) -> Any:
    given = [c.p.has(n) for n in ("marketIds", "sportId", "outcomeIds")]
    if sum(given) != 1:
        raise ApiError(400, "invalid_filters", "give exactly one of marketIds, sportId, outcomeIds")
    everything = list(c.world.markets.values())
    if (sport_id := c.p.int_("sportId")) is not None:
        c.need_sport(sport_id)
        return [m for m in everything if m["sportId"] == sport_id]
    if (ids := c.p.ints("marketIds")) is not None:
        return [m for m in everything if m["marketId"] in ids and c.sport_ok(m["sportId"])]
    outcomes: set[int] = set(c.p.ints("outcomeIds") or ())
    return [
        m
        for m in everything
        if c.sport_ok(m["sportId"]) and any(o["outcomeId"] in outcomes for o in m["outcomes"])
    ]


def bookmakers(c: Ctx) -> Any:
    return [b for b in c.world.bookmakers if c.bookmaker_ok(b["slug"])]


def currencies(c: Ctx) -> Any:
    return c.world.currencies


# -- fixtures ----------------------------------------------------------------------------------


def fixtures(c: Ctx) -> Any:
    ids = c.p.items("fixtureIds")
    if ids is not None:
        if len(ids) > MAX_FIXTURE_IDS:
            raise ApiError(400, "invalid_filters", f"at most {MAX_FIXTURE_IDS} fixtureIds")
        found = [f for i in ids if (f := c.world.fixtures.get(i)) is not None]
        return [f for f in found if c.sport_ok(f["sport"]["sportId"])]
    sport_id, tournament_id = c.p.int_("sportId"), c.p.int_("tournamentId")
    if sport_id is None and tournament_id is None:
        raise ApiError(400, "invalid_filters", "give fixtureIds, sportId or tournamentId")
    start_from, start_to = c.p.int_("startTimeFrom"), c.p.int_("startTimeTo")
    return [
        f
        for f in c.world.fixtures.values()
        if c.sport_ok(f["sport"]["sportId"])  # outside the plan: silently nothing
        and (sport_id is None or f["sport"]["sportId"] == sport_id)
        and (tournament_id is None or f["tournament"]["tournamentId"] == tournament_id)
        and (start_from is None or f["startTime"] >= start_from)
        and (start_to is None or f["startTime"] <= start_to)
    ]


def _by_sport_or_tournament(c: Ctx, keep: Callable[[dict[str, Any]], bool]) -> Any:
    sport_id, tournament_id = c.p.int_("sportId"), c.p.int_("tournamentId")
    if sport_id is None and tournament_id is None:
        raise ApiError(400, "invalid_filters", "give sportId or tournamentId")
    return [
        f
        for f in c.world.fixtures.values()
        if c.sport_ok(f["sport"]["sportId"])
        and (sport_id is None or f["sport"]["sportId"] == sport_id)
        and (tournament_id is None or f["tournament"]["tournamentId"] == tournament_id)
        and keep(f)
    ]


def fixtures_today(c: Ctx) -> Any:
    today = dt.datetime.fromtimestamp(c.sim.clock.time(), dt.UTC).date()
    return _by_sport_or_tournament(
        c, lambda f: dt.datetime.fromtimestamp(f["startTime"], dt.UTC).date() == today
    )


def fixtures_live(c: Ctx) -> Any:
    return _by_sport_or_tournament(c, lambda f: bool(f["status"]["live"]))


# -- odds --------------------------------------------------------------------------------------


def _odds_of(c: Ctx, fixture_id: str, slugs: list[str] | None, since: int | None) -> Any:
    odds: dict[str, dict[str, Any]] = {}
    state: dict[str, Any] = {}
    for q in c.world.quotes.values():
        if q.fixture_id != fixture_id or not c.bookmaker_ok(q.bookmaker):
            continue
        if slugs is not None and q.bookmaker not in slugs:
            continue
        if since is not None and q.changed_at < since:
            continue
        odds.setdefault(q.bookmaker, {})[q.odds_id] = q.row()
        state[q.bookmaker] = c.world.bookmaker_state(fixture_id, q.bookmaker)
    return {"fixtureId": fixture_id, "bookmakers": state, "odds": odds}


def fixture_odds(c: Ctx) -> Any:
    fixture_id = c.p.text("fixtureId", required=True)
    assert fixture_id is not None
    c.fixture(fixture_id)
    slugs = c.bookmakers()
    denied = [s for s in slugs or () if not c.bookmaker_ok(s)]
    if denied:
        raise ApiError(
            403,
            "bookmaker_not_allowed",
            "bookmaker not in your plan",
            bookmaker=denied[0],
            denied=denied,
        )
    with c.world.lock:
        return _odds_of(c, fixture_id, slugs, c.p.int_("since"))


def main_odds(c: Ctx) -> Any:
    tournament_id, ids = c.p.int_("tournamentId"), c.p.items("fixtureIds")
    if (tournament_id is None) == (ids is None):
        raise ApiError(400, "invalid_filters", "give exactly one of tournamentId or fixtureIds")
    if ids is not None and len(ids) > MAX_FIXTURE_IDS:
        raise ApiError(400, "invalid_filters", f"at most {MAX_FIXTURE_IDS} fixtureIds")
    slugs = c.bookmakers()
    chosen = [
        f
        for f in c.world.fixtures.values()
        if c.sport_ok(f["sport"]["sportId"])
        and (ids is None or f["fixtureId"] in ids)
        and (tournament_id is None or f["tournament"]["tournamentId"] == tournament_id)
    ][:100]
    with c.world.lock:  # a bookmaker outside the plan: silently no odds (as the service does)
        return [_odds_of(c, f["fixtureId"], slugs, None) for f in chosen]


def clv(c: Ctx) -> Any:
    fixture_id = c.p.text("fixtureId", required=True)
    assert fixture_id is not None
    c.fixture(fixture_id)
    slugs = c.bookmakers()
    lines = []
    with c.world.lock:
        for q in c.world.quotes.values():
            if q.fixture_id != fixture_id or not c.bookmaker_ok(q.bookmaker):
                continue
            if slugs is not None and q.bookmaker not in slugs:
                continue
            first, last = q.history[0], q.history[-1]
            lines.append(
                {
                    "oddsId": q.odds_id,
                    "openingPrice": first[1],
                    "openingChangedAt": first[0],
                    "closingPrice": last[1],
                    "closingChangedAt": last[0],
                }
            )
    return {"fixtureId": fixture_id, "lines": lines}


def historical(c: Ctx) -> Any:
    fixture_id = c.p.text("fixtureId", required=True)
    assert fixture_id is not None
    c.fixture(fixture_id)
    bookmaker, odds_ids = c.p.text("bookmaker"), c.p.items("oddsIds")
    if (bookmaker is None) == (odds_ids is None):
        raise ApiError(400, "invalid_filters", "give exactly one bookmaker or oddsIds")
    if bookmaker is not None and not c.bookmaker_ok(bookmaker):
        raise ApiError(
            403, "bookmaker_not_allowed", "bookmaker not in your plan", bookmaker=bookmaker
        )
    streamed = bulk_response(c.sim, fixture_id, bookmaker)  # a big generated body (bulk.py)
    if streamed is not None:
        return streamed
    odds: dict[str, dict[str, dict[str, Any]]] = {}
    with c.world.lock:
        for q in c.world.quotes.values():
            if q.fixture_id != fixture_id or not c.bookmaker_ok(q.bookmaker):
                continue
            if bookmaker is not None and q.bookmaker != bookmaker:
                continue
            if odds_ids is not None and q.odds_id not in odds_ids:
                continue
            odds.setdefault(q.bookmaker, {})[q.odds_id] = {
                str(ms): {"price": price, "limit": limit, "active": active}
                for ms, price, limit, active in q.history
            }
    return {"fixtureId": fixture_id, "odds": odds}


def mapping(c: Ctx) -> Any:
    fixture_id = c.p.text("fixtureId", required=True)
    assert fixture_id is not None
    fixture = c.fixture(fixture_id)
    slugs = sorted({q.bookmaker for q in c.world.quotes.values() if q.fixture_id == fixture_id})
    return {
        "fixtureId": fixture_id,
        "bookmakers": {
            s: c.world.bookmaker_state(fixture_id, s) for s in slugs if c.bookmaker_ok(s)
        },
        "externalProviders": fixture["externalProviders"],
    }


def settlement(c: Ctx) -> Any:
    fixture_id = c.p.text("fixtureId", required=True)
    assert fixture_id is not None
    c.fixture(fixture_id)
    return {"fixtureId": fixture_id, "settlements": c.world.settlements.get(fixture_id, [])}


HANDLERS: dict[str, Callable[[Ctx], Any]] = {
    "/sports": sports,
    "/tournaments": tournaments,
    "/participants": participants,
    "/markets": markets,
    "/bookmakers": bookmakers,
    "/currencies": currencies,
    "/fixtures": fixtures,
    "/fixtures/today": fixtures_today,
    "/fixtures/live": fixtures_live,
    "/fixtures/odds": fixture_odds,
    "/fixtures/odds/main": main_odds,
    "/fixtures/odds/clv": clv,
    "/fixtures/odds/historical": historical,
    "/fixtures/mapping": mapping,
    "/fixtures/settlement": settlement,
}


def rest_routes(sim: OddsPapiSim) -> list[BaseRoute]:
    """Every REST endpoint under every language prefix."""

    async def dispatch(request: Request) -> Response:
        lang, rest = request.path_params["lang"], "/" + request.path_params["path"].rstrip("/")
        handler = HANDLERS.get(rest)
        if lang not in LANGUAGES or handler is None:
            return _json(ApiError(404, "not_found", "no such endpoint").body(), 404)
        api_key = request.query_params.get("apiKey")
        if not api_key:
            return _json(ApiError(401, "missing_api_key", "apiKey is required").body(), 401)
        key = sim.keys.get(api_key)
        if key is None:
            return _json(ApiError(401, "invalid_api_key", "invalid apiKey").body(), 401)
        fault = sim.take_fault(rest)
        if fault is not None and fault.mode != "answer":
            if fault.mode == "drop":
                await anyio.sleep(fault.hold)
            return DroppedResponse()
        if fault is not None:
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = f"{fault.retry_after:g}"
            err = ApiError(fault.status, fault.code, f"injected {fault.code}")
            return _json(err.body(), fault.status, headers)
        allowed, headers = sim.admit(api_key, rest)
        if not allowed:
            err = ApiError(429, "rate_limited", "rate limit exceeded")
            return _json(err.body(), 429, headers)
        channel = channel_of(rest)
        if channel is not None and key.channels is not None and channel not in key.channels:
            err = ApiError(
                403,
                "channel_not_allowed",
                f"channel {channel} is not in your plan",
                requestedChannels=[channel],
                allowedChannels=key.channels,
            )
            return _json(err.body(), 403, headers)
        sim.world.advance()
        try:
            data = handler(Ctx(sim, key, Params(request)))
        except ApiError as exc:
            return _json(exc.body(), exc.status, headers)
        if isinstance(data, Response):  # a streamed answer (bulk historical odds)
            data.headers.update(headers)
            return data
        return _json(data, 200, headers)

    return [Route("/{lang}/{path:path}", dispatch, methods=["GET"])]
