"""The local Pinnacle server's HTTP face: a Starlette app speaking the current Lines, Bets v4
and Customer APIs.

Every answer is shaped to validate against the official spec (the tests check each one). Where
the spec is silent the server follows Pinnacle's prose docs: Basic auth (401
``INVALID_AUTHORIZATION_HEADER`` / ``INVALID_CREDENTIALS``), fair-use 429 with ``Retry-After``
and ``{"code":"TOO_MANY_REQUESTS"}`` (for every preset: the 2018 reply is undocumented), 400
``INVALID_REQUEST_DATA`` for bad parameters.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import math
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import msgspec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from wagerkit.pinnacle.pacer import endpoint_of
from wagerkit.sim._contract import Contract, ContractViolation, load_spec
from wagerkit.sim._limits import BodyLimit
from wagerkit.sim.pinnacle import render
from wagerkit.sim.pinnacle.ledger import (
    BetRecord,
    Ledger,
    Rejected,
    parlay_rejected,
    teaser_rejected,
)
from wagerkit.sim.pinnacle.market import Market, iso, to_team_side
from wagerkit.sim.pinnacle.render_bets import bet_dict
from wagerkit.sim.pinnacle.simulator import Exchange, PinnacleSim

__all__ = ["build_app"]

_JSON = "application/json"
_SPECS = Path(__file__).with_name("specs")
_SPEC_FILES = ("pinnacle-lines-api.yaml", "pinnacle-bets-api-v4.yaml", "pinnacle-customer-api.yaml")
#: Oversized bodies: 413, in Pinnacle's error shape (what its front server would refuse).
_TOO_LARGE = b'{"code":"INVALID_REQUEST_DATA","message":"request body too large"}'


#: Parameters the spec marks required but its own description makes optional (README, "where
#: the docs are silent"): ``/v1/line`` needs ``handicap`` only for spreads and totals.
RELAXED = {("GET", "/v1/line"): frozenset({"handicap"})}


@functools.cache
def contract() -> Contract:
    """The request side of the current Lines, Bets v4 and Customer specs (loaded once)."""
    return Contract(*(load_spec(_SPECS / name) for name in _SPEC_FILES), optional=RELAXED)


_ODDS_FORMATS = {"american", "decimal", "hongkong", "indonesian", "malay"}


class BadRequest(Exception):
    def __init__(self, message: str, code: str = "INVALID_REQUEST_DATA", status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


class _Injected(Response):
    """A deliberately off-spec answer from a ``body:``/``body_after:`` fault (recorded as
    such, so the conformance checks can tell it from the server's own answers)."""


def _injected(text: str) -> Response:
    return _Injected(text.encode(), status_code=200, media_type=_JSON)


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        msgspec.json.encode(data), status_code=status, media_type=_JSON, headers=headers
    )


# -- parameters ---------------------------------------------------------------------------------


def _int(q: Any, name: str, *, required: bool = False) -> int | None:
    raw = q.get(name)
    if raw is None or raw == "":
        if required:
            raise BadRequest(f"{name} is required")
        return None
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be an integer") from None


def _ints(q: Any, name: str) -> set[int] | None:
    values = [v for raw in q.getlist(name) for v in raw.split(",") if v.strip()]
    if not values:
        return None
    try:
        return {int(v) for v in values}
    except ValueError:
        raise BadRequest(f"{name} must be integers") from None


def _strs(q: Any, name: str) -> list[str]:
    return [v.strip() for raw in q.getlist(name) for v in raw.split(",") if v.strip()]


def _format(q: Any, *, required: bool = False) -> str:
    raw = q.get("oddsFormat")
    if raw is None:
        if required:
            raise BadRequest("oddsFormat is required")
        return "american"
    if raw.lower() not in _ODDS_FORMATS:
        raise BadRequest("oddsFormat is not valid")
    return str(raw.lower())


def _flag(q: Any, name: str) -> bool:
    return str(q.get(name, "")).lower() in ("1", "true")


def _date(raw: str | None, name: str) -> float:
    if not raw:
        raise BadRequest(f"{name} is required with betlist")
    try:
        when = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"{name} must be ISO 8601") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp()


# -- the app ------------------------------------------------------------------------------------


def build_app(sim: PinnacleSim) -> BodyLimit:
    """The Starlette app serving ``sim``."""

    Handler = Callable[[Request, str], Awaitable[Response]]  # noqa: N806 - a local alias

    def endpoint(
        handler: Handler, *, paced: bool = False, sport_param: bool = True
    ) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            response = await guarded(request, handler, paced, sport_param)
            sim.record(
                Exchange(
                    request.method,
                    request.url.path,
                    request.url.query,
                    response.status_code,
                    response.headers.get("content-type", ""),
                    bytes(response.body),
                    tuple(response.headers.items()),
                    await request.body(),  # read once by the handler already: cached
                    injected=isinstance(response, _Injected),
                )
            )
            return response

        return run

    async def guarded(
        request: Request, handler: Handler, paced: bool, sport_param: bool
    ) -> Response:
        with sim.lock:
            sim.requests.append((sim.clock.time(), request.method, request.url.path))
        user = _authenticate(request)
        if isinstance(user, Response):
            return user
        try:
            contract().check(
                request.method,
                request.url.path,
                query=request.query_params.multi_items(),
                headers=request.headers,
                body=await request.body(),
            )
        except ContractViolation as exc:
            return _json({"code": "INVALID_REQUEST_DATA", "message": exc.message}, 400)
        try:
            if paced:
                pacer = sim.pacer_for(user)
                if pacer is not None:
                    sport = _int(request.query_params, "sportId") if sport_param else None
                    snapshot = request.query_params.get("since") is None
                    with sim.lock:
                        wait = pacer.try_acquire(request.url.path, sport, snapshot=snapshot)
                    if wait > 0:
                        return _json(
                            {
                                "code": "TOO_MANY_REQUESTS",
                                "message": "Notice of Excessive Request Activity",
                            },
                            429,
                            {"Retry-After": str(max(1, math.ceil(wait)))},
                        )
            fault = sim.take_fault(request.url.path)
            if fault is not None:
                if fault.kind.startswith("code:"):
                    return await _declined(request, fault.kind[len("code:") :])
                early = _early_fault(fault.kind)
                if early is not None:
                    return early
            response = await handler(request, user)
            if fault is not None:
                if fault.kind == "500_after":
                    return _server_error()
                if fault.kind.startswith("code_after:"):
                    return await _declined(request, fault.kind[len("code_after:") :])
                if fault.kind.startswith("delay_after:"):
                    await anyio.sleep(float(fault.kind.split(":", 1)[1]))
                if fault.kind.startswith("body_after:"):
                    return _injected(fault.kind[len("body_after:") :])
            return response
        except BadRequest as exc:
            return _json({"code": exc.code, "message": exc.message}, exc.status)

    def _authenticate(request: Request) -> str | Response:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("basic "):
            return _json(
                {
                    "code": "INVALID_AUTHORIZATION_HEADER",
                    "message": "Authorization header is missing",
                },
                401,
            )
        try:
            user, _, password = base64.b64decode(header[6:].strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return _json(
                {"code": "INVALID_AUTHORIZATION_HEADER", "message": "Malformed header"}, 401
            )
        if sim.users.get(user) != password or not password:
            return _json({"code": "INVALID_CREDENTIALS", "message": "Authorization failed"}, 401)
        return user

    def _early_fault(kind: str) -> Response | None:
        if kind.startswith("body:"):
            return _injected(kind[len("body:") :])
        if kind == "resubmit":
            return _json(
                {"code": "RESUBMIT_REQUEST", "message": "Please resubmit the request"}, 400
            )
        if kind == "500":
            return _server_error()
        if kind.startswith("429"):
            seconds = kind.split(":", 1)[1] if ":" in kind else "60"
            return _json(
                {"code": "TOO_MANY_REQUESTS", "message": "Notice of Excessive Request Activity"},
                429,
                {"Retry-After": seconds},
            )
        return None

    async def _declined(request: Request, code: str) -> Response:
        """A place-bet answer ``PROCESSED_WITH_ERROR`` with ``code``, in the shape of the path
        (a row per bet for the special batch), echoing each ``uniqueRequestId`` as Pinnacle
        does."""
        try:
            body = msgspec.json.decode(await request.body())
        except msgspec.DecodeError:
            raise BadRequest("body must be JSON") from None
        if not isinstance(body, dict):
            raise BadRequest("body must be a JSON object")

        def row(req: Any) -> dict[str, Any]:
            out: dict[str, Any] = {"status": "PROCESSED_WITH_ERROR", "errorCode": code}
            uid = req.get("uniqueRequestId") if isinstance(req, dict) else None
            if uid:
                out["uniqueRequestId"] = str(uid)
            return out

        if request.url.path == "/v4/bets/special":
            bets = body.get("bets")
            if not isinstance(bets, list) or not bets:
                raise BadRequest("bets is required")
            return _json({"bets": [row(bet) for bet in bets]})
        return _json(row(body))

    def _server_error() -> Response:
        return _json(
            {"ref": str(uuid.uuid4()), "code": "UNEXPECTED_ERROR", "message": "Internal error"}, 500
        )

    def state(fn: Callable[[Request, str], Any]) -> Handler:
        """A handler that reads/mutates state under the lock, after moving time."""

        async def handler(request: Request, user: str) -> Response:
            body = None
            if request.method == "POST":
                try:
                    body = msgspec.json.decode(await request.body())
                except msgspec.DecodeError:
                    raise BadRequest("body must be JSON") from None
                if not isinstance(body, dict):
                    raise BadRequest("body must be a JSON object")
            with sim.lock:
                sim.sync()
                result = fn(request, body) if body is not None else fn(request, user)
            return result if isinstance(result, Response) else _json(result)

        return handler

    market: Market = sim.market
    ledger: Ledger = sim.ledger

    # -- Lines: reference ----------------------------------------------------------------------

    def sports(request: Request, _: Any) -> Any:
        return {
            "sports": [
                {
                    "id": sid,
                    "name": s["name"],
                    "hasOfferings": True,
                    "leagueSpecialsCount": len(s.get("specials", [])),
                    "eventSpecialsCount": 0,
                    "eventCount": sum(
                        1 for e in market.events.values() if e.sport_id == sid and not e.settled
                    ),
                }
                for sid, s in sorted(market.sports.items())
            ]
        }

    def leagues(request: Request, _: Any) -> Any:
        sport_id = _int(request.query_params, "sportId", required=True)
        if sport_id not in market.sports:
            raise BadRequest("unknown sportId")
        return {
            "leagues": [
                {
                    "id": lid,
                    "name": lg["name"],
                    "homeTeamType": lg.get("homeTeamType", "Team1"),
                    "hasOfferings": True,
                    "container": lg.get("container", ""),
                    "allowRoundRobins": True,
                    "leagueSpecialsCount": 0,
                    "eventSpecialsCount": 0,
                    "eventCount": sum(
                        1 for e in market.events.values() if e.league_id == lid and not e.settled
                    ),
                }
                for lid, lg in sorted(market.leagues.items())
                if lg["sportId"] == sport_id
            ]
        }

    def periods(request: Request, _: Any) -> Any:
        sport_id = _int(request.query_params, "sportId", required=True)
        sport = market.sports.get(sport_id or 0)
        if sport is None:
            raise BadRequest("unknown sportId")
        return {"periods": [dict(p) for p in sport.get("periods", [])]}

    def currencies(request: Request, _: Any) -> Any:
        return {"currencies": [dict(c) for c in sim.scenario.get("currencies", [])]}

    def cancellation_reasons(request: Request, _: Any) -> Any:
        return {
            "cancellationReasons": [
                {"code": "FBS_CW_65", "description": "The event was postponed"},
                {"code": "FBS_CW_227", "description": "Wrong team names"},
                {"code": "FBS_CW_1", "description": "Event cancelled"},
            ]
        }

    def teaser_groups(request: Request, _: Any) -> Any:
        _format(request.query_params, required=True)
        groups: dict[int, dict[str, Any]] = {}
        for t in sim.scenario.get("teasers", []):
            g = groups.setdefault(
                int(t["groupId"]), {"id": int(t["groupId"]), "name": t["groupName"], "teasers": []}
            )
            g["teasers"].append(
                {
                    "id": int(t["id"]),
                    "description": t["description"],
                    "sportId": int(t["sportId"]),
                    "minLegs": int(t["minLegs"]),
                    "maxLegs": int(t["maxLegs"]),
                    "sameEventOnly": False,
                    "payouts": [
                        {"numberOfLegs": int(p["numberOfLegs"]), "price": float(p["price"])}
                        for p in t["payouts"]
                    ],
                    "leagues": [
                        {
                            "id": lid,
                            "spread": {"points": float(t["points"])},
                            "total": {"points": float(t["points"])},
                        }
                        for lid, lg in sorted(market.leagues.items())
                        if lg["sportId"] == int(t["sportId"])
                    ],
                }
            )
        return {"teaserGroups": list(groups.values())}

    # -- Lines: feeds --------------------------------------------------------------------------

    def _since(q: Any) -> int | None:
        since = _int(q, "since")
        if since is not None and since in (0, 1):
            raise BadRequest("since must be the last value of a previous response")
        return since

    def _currency(q: Any) -> render.Formatter:
        code = q.get("toCurrencyCode") or "USD"
        rates = {c["code"]: float(c["rate"]) for c in sim.scenario.get("currencies", [])}
        if code not in rates:
            raise BadRequest("unknown toCurrencyCode")
        return render.Formatter(_format(q), rates[code], code == "USD")

    def fixtures(request: Request, _: Any) -> Any:
        q = request.query_params
        return render.fixtures(
            market,
            _int(q, "sportId", required=True) or 0,
            since=_since(q),
            league_ids=_ints(q, "leagueIds"),
            event_ids=_ints(q, "eventIds"),
            is_live=_flag(q, "isLive"),
        )

    def odds(request: Request, _: Any) -> Any:
        q = request.query_params
        return render.odds(
            market,
            _int(q, "sportId", required=True) or 0,
            since=_since(q),
            league_ids=_ints(q, "leagueIds"),
            event_ids=_ints(q, "eventIds"),
            is_live=_flag(q, "isLive"),
            f=_currency(q),
        )

    def special_fixtures(request: Request, _: Any) -> Any:
        q = request.query_params
        return render.special_fixtures(
            market,
            _int(q, "sportId", required=True) or 0,
            since=_since(q),
            league_ids=_ints(q, "leagueIds"),
        )

    def special_odds(request: Request, _: Any) -> Any:
        q = request.query_params
        return render.special_odds(
            market,
            _int(q, "sportId", required=True) or 0,
            since=_since(q),
            league_ids=_ints(q, "leagueIds"),
            f=render.Formatter(_format(q), 1.0, True),
        )

    def settled_fixtures(request: Request, _: Any) -> Any:
        q = request.query_params
        sport_id = _int(q, "sportId", required=True)
        since = _since(q)
        league_ids = _ints(q, "leagueIds")
        out: dict[int, list[dict[str, Any]]] = {}
        for event_id in sorted(market.events):
            e = market.events[event_id]
            if (
                not e.settled
                or e.sport_id != sport_id
                or (league_ids and e.league_id not in league_ids)
            ):
                continue
            if (
                since is not None and e.settled_version <= since
            ) or e.settled_at + 86400 < market.now:
                continue
            home_is_1 = e.home_team_type.upper() == "TEAM1"
            rows = []
            for number, score in ((0, e.result or (0, 0)), (1, e.half_result or (0, 0))):
                t1, t2 = score if home_is_1 else (score[1], score[0])
                rows.append(
                    {
                        "number": number,
                        "status": 1,
                        "settlementId": e.settlement_id,
                        "settledAt": iso(e.settled_at),
                        "team1Score": t1,
                        "team2Score": t2,
                    }
                )
            out.setdefault(e.league_id, []).append({"id": e.id, "periods": rows})
        return {
            "sportId": sport_id,
            "last": market.version,
            "leagues": [{"id": lid, "events": evs} for lid, evs in sorted(out.items())],
        }

    def settled_specials(request: Request, _: Any) -> Any:
        q = request.query_params
        sport_id = _int(q, "sportId", required=True)
        out: dict[int, list[dict[str, Any]]] = {}
        for s in market.specials.values():
            if s.sport_id != sport_id or s.version >= 0:
                continue
            out.setdefault(s.league_id, []).append(
                {
                    "id": s.id,
                    "status": 1,
                    "settlementId": abs(s.version),
                    "settledAt": iso(s.cutoff + 3600),
                    "contestants": [
                        {"id": c.id, "name": c.name, "outcome": "W" if i == 0 else "L"}
                        for i, c in enumerate(s.contestants)
                    ],
                }
            )
        return {
            "sportId": sport_id,
            "last": market.version,
            "leagues": [{"id": lid, "specials": sps} for lid, sps in sorted(out.items())],
        }

    def teaser_odds(request: Request, _: Any) -> Any:
        teaser_id = _int(request.query_params, "teaserId", required=True)
        teaser = ledger.teasers.get(teaser_id or 0)
        if teaser is None:
            raise BadRequest("unknown teaserId")
        points = float(teaser["points"])
        out: dict[int, list[dict[str, Any]]] = {}
        for event_id in sorted(market.events):
            e = market.events[event_id]
            p = e.periods.get(0)
            if e.sport_id != int(teaser["sportId"]) or e.live or e.settled or p is None or p.closed:
                continue
            spread = market.find_line(p, "SPREAD", None)
            total = market.find_line(p, "TOTAL_POINTS", None)
            period: dict[str, Any] = {
                "number": 0,
                "lineId": p.line_id,
                "spreadUpdatedAt": iso(p.updated_at),
                "totalUpdatedAt": iso(p.updated_at),
            }
            if spread is not None:
                period["spread"] = {
                    "maxBet": p.max_spread,
                    "homeHdp": spread.points + points,
                    "awayHdp": -spread.points + points,
                    "altHdp": False,
                }
            if total is not None:
                period["total"] = {
                    "maxBet": p.max_total,
                    "overPoints": total.points - points,
                    "underPoints": total.points + points,
                }
            out.setdefault(e.league_id, []).append({"id": e.id, "periods": [period]})
        return {
            "teaserId": teaser_id,
            "sportId": int(teaser["sportId"]),
            "leagues": [{"id": lid, "events": evs} for lid, evs in sorted(out.items())],
        }

    def inrunning(request: Request, _: Any) -> Any:
        sports: dict[int, dict[int, list[dict[str, Any]]]] = {}
        for e in market.events.values():
            if e.live and not e.settled and e.starts <= market.now:
                elapsed = int((market.now - e.starts) // 60)
                state = 1 if elapsed < 45 else 2 if elapsed < 60 else 3
                sports.setdefault(e.sport_id, {}).setdefault(e.league_id, []).append(
                    {"id": e.id, "state": state, "elapsed": min(elapsed, 120)}
                )
        return {
            "sports": [
                {
                    "id": sid,
                    "leagues": [{"id": lid, "events": evs} for lid, evs in sorted(lgs.items())],
                }
                for sid, lgs in sorted(sports.items())
            ]
        }

    # -- Lines: lines --------------------------------------------------------------------------

    def line(request: Request, _: Any) -> Any:
        q = request.query_params
        f = ledger.formatter(_format(q, required=True))
        event = market.events.get(_int(q, "eventId", required=True) or 0)
        bet_type = q.get("betType", "")
        if bet_type not in ("SPREAD", "MONEYLINE", "TOTAL_POINTS", "TEAM_TOTAL_POINTS"):
            raise BadRequest("betType is not valid")
        period_no = _int(q, "periodNumber", required=True)
        handicap = q.get("handicap")
        if (
            event is None
            or event.settled
            or event.sport_id != _int(q, "sportId", required=True)
            or event.league_id != _int(q, "leagueId", required=True)
        ):
            return {"status": "NOT_EXISTS"}
        period = event.periods.get(period_no or 0)
        if period is None or period.closed or period.status != 1:
            return {"status": "NOT_EXISTS"}
        team = q.get("team")
        side = q.get("side")
        alt: int | None = None
        if bet_type in ("SPREAD", "TOTAL_POINTS"):
            if handicap is None:
                raise BadRequest("handicap is required")
            h = float(handicap)
            team_side = to_team_side(team, event.home_team_type)
            want = h if bet_type == "TOTAL_POINTS" or team_side == "home" else -h
            found = market.find_line(period, bet_type, None, want)
            if found is None:
                return {"status": "NOT_EXISTS"}
            alt = found.alt
        elif bet_type == "TEAM_TOTAL_POINTS":
            if handicap is None:
                raise BadRequest("handicap is required")
            team_side = to_team_side(team, event.home_team_type)
            lines = period.team_home if team_side == "home" else period.team_away
            match = [ln for ln in lines if ln.offered and math.isclose(ln.points, float(handicap))]
            if not match:
                return {"status": "NOT_EXISTS"}
            alt = match[0].alt
        sel = ledger._selection(event, period, bet_type, team, side, alt)
        if sel is None:
            return {"status": "NOT_EXISTS"}
        _, decimal, _, max_volume = sel
        max_risk = ledger.max_risk(max_volume, decimal)
        out: dict[str, Any] = {
            "status": "SUCCESS",
            "price": f.price(decimal),
            "lineId": period.line_id,
            "maxRiskStake": round(max_risk, 2),
            "minRiskStake": ledger.min_risk,
            "maxWinStake": round(max_risk * (decimal - 1), 2),
            "minWinStake": round(ledger.min_risk * (decimal - 1), 2),
            "effectiveAsOf": iso(market.now),
        }
        if alt is not None:
            out["altLineId"] = alt
        if event.live:
            t1_home = event.home_team_type.upper() == "TEAM1"
            s1, s2 = event.score if t1_home else (event.score[1], event.score[0])
            out.update(
                team1Score=s1,
                team2Score=s2,
                team1RedCards=0,
                team2RedCards=0,
                periodTeam1Score=s1,
                periodTeam2Score=s2,
                periodTeam1RedCards=0,
                periodTeam2RedCards=0,
            )
        return out

    def special_line(request: Request, _: Any) -> Any:
        q = request.query_params
        f = ledger.formatter(_format(q, required=True))
        special = market.specials.get(_int(q, "specialId", required=True) or 0)
        cid = _int(q, "contestantId", required=True)
        c = next((c for c in special.contestants if c.id == cid), None) if special else None
        if special is None or c is None or c.price is None or special.cutoff <= market.now:
            return {"status": "NOT_EXISTS"}
        handicap = q.get("handicap")
        if handicap is not None and (
            c.handicap is None or not math.isclose(float(handicap), c.handicap)
        ):
            return {"status": "NOT_EXISTS"}
        max_risk = ledger.max_risk(c.max or special.max_bet, c.price)
        out: dict[str, Any] = {
            "status": "SUCCESS",
            "specialId": special.id,
            "contestantId": c.id,
            "minRiskStake": ledger.min_risk,
            "maxRiskStake": round(max_risk, 2),
            "minWinStake": round(ledger.min_risk * (c.price - 1), 2),
            "maxWinStake": round(max_risk * (c.price - 1), 2),
            "lineId": c.line_id,
            "price": f.price(c.price),
        }
        if c.handicap is not None:
            out["handicap"] = c.handicap
        return out

    def parlay_line(request: Request, body: dict[str, Any]) -> Any:
        f = ledger.formatter(str(body.get("oddsFormat") or "American"))
        legs_out = []
        prices = []
        for leg in body.get("legs") or []:
            code, info = ledger.parlay_leg(leg, by_handicap=True)
            row: dict[str, Any] = {
                "status": "VALID" if code is None else "PROCESSED_WITH_ERROR",
                "legId": str(leg.get("uniqueLegId", "")),
            }
            if code is None:
                row.update(lineId=info["lineId"], price=f.price(info["price"]))
                if info["altLineId"] is not None:
                    row["altLineId"] = info["altLineId"]
                prices.append(info["price"])
            else:
                row["errorCode"] = code
            legs_out.append(row)
        n = len(legs_out)
        valid = len(prices) == n and n >= 2
        out: dict[str, Any] = {
            "status": "VALID" if valid else "PROCESSED_WITH_ERROR",
            "legs": legs_out,
        }
        if not valid:
            out["error"] = "INVALID_LEGS"
            return out
        decimal = math.prod(prices)
        options = [
            {
                "roundRobinOption": "Parlay",
                "odds": f.price(round(decimal, 3)),
                "unroundedDecimalOdds": decimal,
                "numberOfBets": 1,
            }
        ]
        for size, name in (
            (2, "TwoLegRoundRobin"),
            (3, "ThreeLegRoundRobin"),
            (4, "FourLegRoundRobin"),
        ):
            if size < n:
                options.append(
                    {
                        "roundRobinOption": name,
                        "odds": f.price(round(decimal, 3)),
                        "unroundedDecimalOdds": decimal,
                        "numberOfBets": math.comb(n, size),
                    }
                )
        out.update(
            minRiskStake=ledger.min_risk,
            maxParlayRiskStake=round(1000.0 / (decimal - 1), 2),
            maxRoundRobinTotalRisk=5000.0,
            maxRoundRobinTotalWin=20000.0,
            roundRobinOptionWithOdds=options,
        )
        return out

    def teaser_line(request: Request, body: dict[str, Any]) -> Any:
        teaser = ledger.teasers.get(int(body.get("teaserId") or 0))
        legs = list(body.get("legs") or [])
        rows: list[dict[str, Any]] = [
            {"status": "VALID", "legId": str(leg.get("legId", ""))} for leg in legs
        ]
        if teaser is None:
            return {
                "status": "PROCESSED_WITH_ERROR",
                "errorCode": "TEASER_DOES_NOT_EXIST",
                "legs": rows,
            }
        if len(legs) < int(teaser["minLegs"]):
            return {"status": "PROCESSED_WITH_ERROR", "errorCode": "TOO_FEW_LEGS", "legs": rows}
        if len(legs) > int(teaser["maxLegs"]):
            return {"status": "PROCESSED_WITH_ERROR", "errorCode": "TOO_MANY_LEGS", "legs": rows}
        bad = False
        for leg, row in zip(legs, rows, strict=True):
            event = market.events.get(int(leg.get("eventId") or 0))
            p = event.periods.get(int(leg.get("periodNumber") or 0)) if event else None
            if event is None or p is None or p.closed or event.live:
                row.update(status="PROCESSED_WITH_ERROR", errorCode="EVENT_NOT_FOUND")
                bad = True
            else:
                row["lineId"] = p.line_id
        if bad:
            return {"status": "PROCESSED_WITH_ERROR", "errorCode": "INVALID_LEGS", "legs": rows}
        price = next(
            float(p["price"]) for p in teaser["payouts"] if int(p["numberOfLegs"]) == len(legs)
        )
        f = ledger.formatter(str(body.get("oddsFormat") or "American"))
        return {
            "status": "VALID",
            "legs": rows,
            "price": f.price(price),
            "minRiskStake": ledger.min_risk,
            "maxRiskStake": 1000.0,
            "minWinStake": round(ledger.min_risk * (price - 1), 2),
            "maxWinStake": round(1000.0 * (price - 1), 2),
        }

    # -- Bets ----------------------------------------------------------------------------------

    def _require(body: dict[str, Any], *names: str) -> None:
        for name in names:
            if body.get(name) is None:
                raise BadRequest(f"{name} is required")
        uid = body.get("uniqueRequestId")
        if uid is not None:
            try:
                uuid.UUID(str(uid))
            except ValueError:
                raise BadRequest("uniqueRequestId must be a UUID") from None
        fmt = body.get("oddsFormat")
        if fmt is not None and str(fmt).lower() not in _ODDS_FORMATS:
            raise BadRequest("oddsFormat is not valid")

    def _amount(body: dict[str, Any], name: str, *, required: bool = True) -> None:
        """The spec types stakes as ``number`` (not nullable): a ``null`` (what a JSON encoder
        makes of NaN or infinity), a string or a boolean is a bad request, never a 0 stake. A
        number that is too small is the ledger's business (``BELOW_MIN_BET_AMOUNT``)."""
        if name not in body:
            if required:
                raise BadRequest(f"{name} is required")
            return
        value = body[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise BadRequest(f"{name} must be a number")
        if not math.isfinite(value):
            raise BadRequest(f"{name} must be a finite number")

    def place_straight(request: Request, body: dict[str, Any]) -> Any:
        _require(
            body,
            "uniqueRequestId",
            "lineId",
            "sportId",
            "eventId",
            "periodNumber",
            "betType",
            "oddsFormat",
        )
        # FILLMAXLIMIT ignores the stake (the spec), so only then may it be left out
        _amount(body, "stake", required=str(body.get("fillType") or "NORMAL") != "FILLMAXLIMIT")
        uid = str(body["uniqueRequestId"])
        try:
            bet = ledger.place_straight(body)
        except Rejected as exc:
            out: dict[str, Any] = {
                "status": "PROCESSED_WITH_ERROR",
                "errorCode": exc.code,
                "uniqueRequestId": uid,
            }
            if exc.bet_id:
                out["betId"] = exc.bet_id
            return out
        if bet.status == "PENDING_ACCEPTANCE":
            return {"status": "PENDING_ACCEPTANCE", "uniqueRequestId": uid}
        f = ledger.formatter(bet.odds_format.lower())
        return {
            "betId": bet.bet_id,
            "status": "ACCEPTED",
            "uniqueRequestId": uid,
            "win": bet.win,
            "risk": bet.risk,
            "price": f.price(bet.price),
            "betterLineWasAccepted": bool(bet.legs and bet.legs[0].get("better")),
        }

    def _leg_uuids(body: dict[str, Any], name: str) -> None:
        """Bets v4 echoes each leg's id as a ``uuid`` (its response schema): like Pinnacle's
        typed request model, a leg without one, or with a non-UUID, is a bad request."""
        for leg in body.get("legs") or []:
            try:
                uuid.UUID(str(leg.get(name)))
            except ValueError:
                raise BadRequest(f"each leg needs a UUID {name}") from None

    def place_parlay(request: Request, body: dict[str, Any]) -> Any:
        _require(body, "uniqueRequestId", "legs", "oddsFormat")
        _leg_uuids(body, "uniqueLegId")
        _amount(body, "riskAmount")
        uid = str(body["uniqueRequestId"])
        f = ledger.formatter(str(body["oddsFormat"]).lower())
        try:
            bet, valid, invalid, decimal = ledger.place_parlay(body)
        except Rejected as exc:
            out: dict[str, Any] = {
                "status": "PROCESSED_WITH_ERROR",
                "errorCode": exc.code,
                "uniqueRequestId": uid,
            }
            if exc.bet_id:
                out["betId"] = exc.bet_id
            detail = parlay_rejected(exc)
            if detail is not None:
                v, inv, _ = detail
                for row in v + inv:
                    if "price" in row:
                        row["price"] = f.price(row["price"])
                    if row.get("errorCode") == "WAGER_TYPE_NO_LONGER_AVAILABLE_FOR_BETTING":
                        row["errorCode"] = "LINE_IS_NOT_AVAILABLE"
                out.update(validLegs=v, invalidLegs=inv)
            return out
        for row in valid:
            row["price"] = f.price(row["price"])
        assert bet is not None
        return {
            "betId": bet.bet_id,
            "status": "ACCEPTED",
            "uniqueRequestId": uid,
            "roundRobinOptionWithOdds": [
                {
                    "roundRobinOption": "Parlay",
                    "odds": f.price(round(decimal, 3)),
                    "unroundedDecimalOdds": decimal,
                }
            ],
            "maxRiskStake": round(1000.0 / (decimal - 1), 2),
            "minRiskStake": ledger.min_risk,
            "validLegs": valid,
            "invalidLegs": invalid,
        }

    def place_teaser(request: Request, body: dict[str, Any]) -> Any:
        _require(body, "uniqueRequestId", "teaserId", "legs", "oddsFormat")
        _leg_uuids(body, "legId")
        _amount(body, "stake")
        uid = str(body["uniqueRequestId"])
        try:
            bet, valid = ledger.place_teaser(body)
        except Rejected as exc:
            out: dict[str, Any] = {
                "status": "PROCESSED_WITH_ERROR",
                "errorCode": exc.code,
                "uniqueRequestId": uid,
            }
            if exc.bet_id:
                out["betId"] = exc.bet_id
            detail = teaser_rejected(exc)
            if detail is not None:
                out.update(validLegs=detail[0], invalidLegs=detail[1])
            return out
        f = ledger.formatter(bet.odds_format.lower())
        return {
            "status": "ACCEPTED",
            "betId": bet.bet_id,
            "uniqueRequestId": uid,
            "price": f.price(bet.price),
            "risk": bet.risk,
            "win": bet.win,
            "validLegs": valid,
        }

    def place_special(request: Request, body: dict[str, Any]) -> Any:
        bets = body.get("bets")
        if not isinstance(bets, list) or not bets:
            raise BadRequest("bets is required")
        out = []
        for req in bets:
            if not isinstance(req, dict):
                raise BadRequest("each bet must be an object")
            _require(req, "lineId", "specialId", "contestantId", "oddsFormat")
            _amount(req, "stake")
            uid = req.get("uniqueRequestId")
            try:
                bet = ledger.place_special(req)
            except Rejected as exc:
                row: dict[str, Any] = {"status": "PROCESSED_WITH_ERROR", "errorCode": exc.code}
                if uid:
                    row["uniqueRequestId"] = str(uid)
                if exc.bet_id:
                    row["betId"] = exc.bet_id
                out.append(row)
                continue
            f = ledger.formatter(bet.odds_format.lower())
            out.append(
                {
                    "status": "ACCEPTED",
                    "betId": bet.bet_id,
                    "uniqueRequestId": bet.uid,
                    "win": bet.win,
                    "risk": bet.risk,
                    "price": f.price(bet.price),
                    "betterLineWasAccepted": False,
                }
            )
        return {"bets": out}

    def get_bets(request: Request, _: Any) -> Any:
        q = request.query_params
        uids = _strs(q, "uniqueRequestIds")
        ids = _ints(q, "betids") or _ints(q, "betIds")
        empty: dict[str, Any] = {
            "straightBets": [],
            "parlayBets": [],
            "teaserBets": [],
            "specialBets": [],
            "manualBets": [],
        }
        selected: list[BetRecord]
        if uids:
            if len(uids) > 10:
                raise BadRequest("at most 10 uniqueRequestIds")
            selected = [b for b in ledger.by_request_ids(uids) if b.kind in ("STRAIGHT", "SPECIAL")]
            return _group(selected, empty)
        if ids:
            if len(ids) > 100:
                raise BadRequest("at most 100 betids")
            selected = [
                b
                for b in ledger.bets.values()
                if b.bet_id in ids and b.status not in ("PENDING_ACCEPTANCE", "NOT_ACCEPTED")
            ]
            return _group(selected, empty)
        betlist = (q.get("betlist") or q.get("betList") or "").upper()
        if betlist not in ("RUNNING", "SETTLED", "ALL"):
            raise BadRequest("betlist, betids or uniqueRequestIds is required")
        start, end = _date(q.get("fromDate"), "fromDate"), _date(q.get("toDate"), "toDate")
        if end <= start:
            raise BadRequest("toDate must be after fromDate")
        if start < market.now - 30 * 86400:
            raise BadRequest("fromDate can be at most 30 days in the past")
        statuses = {s.upper() for s in _strs(q, "betStatuses")}
        types = {t.upper() for t in _strs(q, "betType")}
        rows: list[tuple[float, BetRecord]] = []
        for b in ledger.bets.values():
            if b.status in ("PENDING_ACCEPTANCE", "NOT_ACCEPTED"):
                continue  # the bet lists never show live-delay bets that are not accepted
            settled = b.settled_at is not None
            if (betlist == "RUNNING" and settled) or (betlist == "SETTLED" and not settled):
                continue
            when = (
                b.settled_at if betlist == "SETTLED" and b.settled_at is not None else b.placed_at
            )
            if not start <= when < end:
                continue
            status = "LOSE" if b.status in ("LOST", "LOSE") else b.status
            if statuses and status not in statuses and b.status not in statuses:
                continue
            kind_type = b.bet_type if b.kind == "STRAIGHT" else b.kind
            if types and kind_type not in types:
                continue
            rows.append((when, b))
        rows.sort(
            key=lambda r: (r[0], r[1].bet_id), reverse=(q.get("sortDir", "ASC").upper() == "DESC")
        )
        page_size = min(1000, max(1, _int(q, "pageSize") or 1000))
        from_record = max(0, _int(q, "fromRecord") or 0)
        page = [b for _, b in rows[from_record : from_record + page_size]]
        out = _group(page, empty)
        out.update(
            moreAvailable=from_record + page_size < len(rows),
            pageSize=page_size,
            fromRecord=from_record,
            toRecord=from_record + max(0, len(page) - 1),
        )
        return out

    def _group(bets: list[BetRecord], base: dict[str, Any]) -> dict[str, Any]:
        out = {k: list(v) for k, v in base.items()}
        key = {
            "STRAIGHT": "straightBets",
            "PARLAY": "parlayBets",
            "TEASER": "teaserBets",
            "SPECIAL": "specialBets",
        }
        for b in bets:
            out[key[b.kind]].append(bet_dict(ledger, b))
        return out

    def betting_status(request: Request, _: Any) -> Any:
        return {"status": ledger.betting_status}

    def balance(request: Request, _: Any) -> Any:
        return {
            "availableBalance": ledger.balance,
            "outstandingTransactions": ledger.outstanding(),
            "givenCredit": ledger.credit,
            "currency": ledger.currency,
        }

    def route(
        path: str,
        fn: Callable[[Request, Any], Any],
        *,
        method: str = "GET",
        paced: bool = False,
        sport_param: bool = True,
    ) -> Route:
        return Route(
            path, endpoint(state(fn), paced=paced, sport_param=sport_param), methods=[method]
        )

    routes = [
        route("/v2/sports", sports, paced=True, sport_param=False),
        route("/v2/leagues", leagues, paced=True),
        route("/v1/periods", periods),
        route("/v2/currencies", currencies),
        route("/v1/cancellationreasons", cancellation_reasons),
        route("/v1/teaser/groups", teaser_groups),
        route("/v1/fixtures", fixtures, paced=True),
        route("/v1/fixtures/special", special_fixtures, paced=True),
        route("/v1/fixtures/settled", settled_fixtures),
        route("/v1/fixtures/special/settled", settled_specials),
        route("/v2/odds", odds, paced=True),
        route("/v1/odds/special", special_odds, paced=True),
        route("/v1/odds/teaser", teaser_odds),
        route("/v1/inrunning", inrunning),
        route("/v1/line", line, paced=True),
        route("/v1/line/special", special_line, paced=True, sport_param=False),
        route("/v2/line/parlay", parlay_line, method="POST", paced=True, sport_param=False),
        route("/v1/line/teaser", teaser_line, method="POST"),
        route("/v4/bets/straight", place_straight, method="POST"),
        route("/v4/bets/parlay", place_parlay, method="POST"),
        route("/v4/bets/teaser", place_teaser, method="POST"),
        route("/v4/bets/special", place_special, method="POST"),
        route("/v4/bets", get_bets),
        route("/v4/bets/betting-status", betting_status),
        route("/v1/client/balance", balance),
    ]
    assert all(endpoint_of(r.path) for r in routes)
    assert all(contract().covers(m, r.path) for r in routes for m in r.methods or () if m != "HEAD")
    return BodyLimit(Starlette(routes=routes), status=413, body=_TOO_LARGE)
