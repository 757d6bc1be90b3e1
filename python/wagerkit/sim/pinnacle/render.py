"""Turn the simulated market into Pinnacle's JSON shapes (plain dicts, spec field names).

Deliberately independent of the client's Structs: the conformance tests check these dicts
against the official spec, so a mistake in the client models cannot hide one here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from wagerkit._core import convert_odds
from wagerkit.sim.pinnacle.market import Event, Line, Market, Period, Special, iso

__all__ = ["FORMATS", "Formatter", "fixtures", "odds", "special_fixtures", "special_odds"]

FORMATS = {
    "american": "american",
    "decimal": "decimal",
    "hongkong": "hongkong",
    "indonesian": "indonesian",
    "malay": "malay",
}


class Formatter:
    """Prices in the requested odds format and limits in the requested currency.

    Non-decimal prices come from the engine's conversions, rounded to 2 places (American) or
    3 (the others). Non-USD limits are floored to whole units, as Pinnacle documents.
    """

    def __init__(
        self, odds_format: str | None = "decimal", rate: float = 1.0, usd: bool = True
    ) -> None:
        fmt = (odds_format or "American").lower()
        if fmt not in FORMATS:
            raise ValueError(odds_format)
        self.format = fmt
        self.rate = rate
        self.usd = usd

    def price(self, decimal: float) -> float:
        if self.format == "decimal":
            return decimal
        value = convert_odds(decimal, "decimal", self.format)  # type: ignore[arg-type]
        return round(value, 2 if self.format == "american" else 3)

    def limit(self, usd: float) -> float:
        value = usd * self.rate
        return value if self.usd else float(math.floor(value))


def _lines(
    lines: Iterable[Line], f: Formatter, a: str, b: str, points: str
) -> list[dict[str, Any]]:
    out = []
    for line in lines:
        if not line.offered:
            continue
        d: dict[str, Any] = {}
        if line.alt is not None:
            d["altLineId"] = line.alt
        d[points] = line.points
        d[a] = f.price(line.a)
        d[b] = f.price(line.b)
        if line.alt is not None and line.max is not None and points != "teamPoints":
            d["max"] = f.limit(line.max)
        out.append(d)
    return out


def period_dict(event: Event, period: Period, f: Formatter) -> dict[str, Any]:
    if period.closed:
        return {"lineId": period.line_id, "number": period.number, "cutoff": iso(period.cutoff)}
    d: dict[str, Any] = {
        "lineId": period.line_id,
        "number": period.number,
        "cutoff": iso(period.cutoff),
        "status": period.status,
        "maxSpread": f.limit(period.max_spread),
        "maxMoneyline": f.limit(period.max_moneyline),
        "maxTotal": f.limit(period.max_total),
        "maxTeamTotal": f.limit(period.max_team_total),
        "moneylineUpdatedAt": iso(period.updated_at),
        "spreadUpdatedAt": iso(period.updated_at),
        "totalUpdatedAt": iso(period.updated_at),
        "teamTotalUpdatedAt": iso(period.updated_at),
        "spreads": _lines(period.spreads, f, "home", "away", "hdp"),
        "totals": _lines(period.totals, f, "over", "under", "points"),
    }
    if period.moneyline is not None:
        h, a, dr = period.moneyline
        ml = {"home": f.price(h), "away": f.price(a)}
        if dr is not None:
            ml["draw"] = f.price(dr)
        d["moneyline"] = ml
    team_total: dict[str, Any] = {}
    for side, lines in (("home", period.team_home), ("away", period.team_away)):
        rows = []
        for line in lines:
            if line.offered:
                row: dict[str, Any] = {
                    "points": line.points,
                    "over": f.price(line.a),
                    "under": f.price(line.b),
                }
                if line.alt is not None:
                    row = {"altLineId": line.alt, **row}
                rows.append(row)
        if rows:
            team_total[side] = rows
    if team_total:
        d["teamTotal"] = team_total
    if event.live and period.number in (0, 3):
        d["homeScore"] = float(event.score[0])
        d["awayScore"] = float(event.score[1])
        d["homeRedCards"] = event.red_cards[0]
        d["awayRedCards"] = event.red_cards[1]
    return d


def _keep(
    event: Event,
    sport_id: int,
    league_ids: set[int] | None,
    event_ids: set[int] | None,
    is_live: bool,
) -> bool:
    if event.sport_id != sport_id or event.settled:
        return False
    if league_ids and event.league_id not in league_ids:
        return False
    if event_ids and event.id not in event_ids:
        return False
    return not (is_live and not event.live)


def odds(
    market: Market,
    sport_id: int,
    *,
    since: int | None,
    league_ids: set[int] | None,
    event_ids: set[int] | None,
    is_live: bool,
    f: Formatter,
) -> dict[str, Any]:
    leagues: dict[int, list[dict[str, Any]]] = {}
    for event_id in sorted(market.events):
        event = market.events[event_id]
        if not _keep(event, sport_id, league_ids, event_ids, is_live):
            continue
        periods = []
        for number in sorted(event.periods):
            period = event.periods[number]
            if since is None and period.closed:
                continue
            if since is not None and period.version <= since:
                continue
            periods.append(period_dict(event, period, f))
        if not periods:
            continue
        ev: dict[str, Any] = {"id": event.id, "periods": periods}
        if event.live:
            ev["homeScore"] = float(event.score[0])
            ev["awayScore"] = float(event.score[1])
            ev["homeRedCards"] = event.red_cards[0]
            ev["awayRedCards"] = event.red_cards[1]
        leagues.setdefault(event.league_id, []).append(ev)
    return {
        "sportId": sport_id,
        "last": market.version,
        "leagues": [{"id": lid, "events": evs} for lid, evs in sorted(leagues.items())],
    }


def fixture_dict(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "starts": iso(event.starts),
        "home": event.home,
        "away": event.away,
        "rotNum": str(event.id % 10_000),
        "liveStatus": 1 if event.live else 0,
        "status": "O",
        "parlayRestriction": 2,
        "altTeaser": False,
        "resultingUnit": "Regular",
        "version": event.version,
        "sameEventParlayPeriodsEnabled": [],
    }


def fixtures(
    market: Market,
    sport_id: int,
    *,
    since: int | None,
    league_ids: set[int] | None,
    event_ids: set[int] | None,
    is_live: bool,
) -> dict[str, Any]:
    leagues: dict[int, list[dict[str, Any]]] = {}
    for event_id in sorted(market.events):
        event = market.events[event_id]
        if not _keep(event, sport_id, league_ids, event_ids, is_live):
            continue
        if since is not None and event.version <= since:
            continue
        leagues.setdefault(event.league_id, []).append(fixture_dict(event))
    return {
        "sportId": sport_id,
        "last": market.version,
        "league": [
            {"id": lid, "name": market.leagues[lid]["name"], "events": evs}
            for lid, evs in sorted(leagues.items())
        ],
    }


def _specials(
    market: Market, sport_id: int, since: int | None, league_ids: set[int] | None
) -> list[Special]:
    out = []
    for special_id in sorted(market.specials):
        s = market.specials[special_id]
        if s.sport_id != sport_id or (league_ids and s.league_id not in league_ids):
            continue
        if since is not None and s.version <= since:
            continue
        if since is None and s.status == "H" and s.cutoff <= market.now:
            continue
        out.append(s)
    return out


def special_fixtures(
    market: Market, sport_id: int, *, since: int | None, league_ids: set[int] | None
) -> dict[str, Any]:
    leagues: dict[int, list[dict[str, Any]]] = {}
    for s in _specials(market, sport_id, since, league_ids):
        leagues.setdefault(s.league_id, []).append(
            {
                "id": s.id,
                "betType": "MULTI_WAY_HEAD_TO_HEAD",
                "name": s.name,
                "date": iso(s.date),
                "cutoff": iso(s.cutoff),
                "category": s.category,
                "units": "",
                "status": s.status,
                "contestants": [
                    {"id": c.id, "name": c.name, "rotNum": c.rot_num} for c in s.contestants
                ],
                "liveStatus": 0,
            }
        )
    return {
        "sportId": sport_id,
        "last": market.version,
        "leagues": [{"id": lid, "specials": sps} for lid, sps in sorted(leagues.items())],
    }


def special_odds(
    market: Market, sport_id: int, *, since: int | None, league_ids: set[int] | None, f: Formatter
) -> dict[str, Any]:
    leagues: dict[int, list[dict[str, Any]]] = {}
    for s in _specials(market, sport_id, since, league_ids):
        lines = []
        for c in s.contestants:
            # A line no longer offered has no price. The 2018 changelog says ``null``, but the
            # current spec types ``price``/``handicap`` as non-nullable numbers: we omit them.
            row: dict[str, Any] = {"id": c.id, "lineId": c.line_id}
            if c.price is not None and s.status != "H":
                row["price"] = f.price(c.price)
            if c.handicap is not None:
                row["handicap"] = c.handicap
            if c.max is not None:
                row["max"] = f.limit(c.max)
            lines.append(row)
        leagues.setdefault(s.league_id, []).append(
            {"id": s.id, "maxBet": f.limit(s.max_bet), "contestantLines": lines}
        )
    return {
        "sportId": sport_id,
        "last": market.version,
        "leagues": [{"id": lid, "specials": sps} for lid, sps in sorted(leagues.items())],
    }
