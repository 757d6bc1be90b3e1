"""Bets of the simulated ledger in the Bets API v4 shapes (plain dicts, spec field names)."""

from __future__ import annotations

from typing import Any

from wagerkit.sim.pinnacle.ledger import BetRecord, Ledger
from wagerkit.sim.pinnacle.market import Market, iso
from wagerkit.sim.pinnacle.render import Formatter

__all__ = ["bet_dict"]

# Straight/parlay use LOST, teaser/special/manual use LOSE (as the v4 schemas enumerate).
_LOSE = {"STRAIGHT": "LOST", "PARLAY": "LOST", "TEASER": "LOSE", "SPECIAL": "LOSE"}


def _price(bet: BetRecord, decimal: float) -> float:
    return Formatter(bet.odds_format.lower()).price(decimal)


def _common(bet: BetRecord) -> dict[str, Any]:
    status = bet.status
    if status in ("LOST", "LOSE"):
        status = _LOSE[bet.kind]
    d: dict[str, Any] = {
        "betId": bet.bet_id,
        "uniqueRequestId": bet.uid,
        "wagerNumber": 1,
        "placedAt": iso(bet.placed_at),
        "betStatus": status,
        "betType": bet.bet_type,
        "win": bet.win,
        "risk": bet.risk,
        "oddsFormat": bet.odds_format,
        "updateSequence": bet.update_sequence,
    }
    if bet.win_loss is not None:
        d["winLoss"] = bet.win_loss
    return d


def _team_name(market: Market, bet: BetRecord) -> str | None:
    event = market.events[bet.event_id]
    side = bet.team_side if bet.bet_type == "TEAM_TOTAL_POINTS" else bet.side
    return {"home": event.home, "away": event.away, "draw": "Draw"}.get(side or "")


def _teams(market: Market, event_id: int) -> tuple[str, str]:
    event = market.events[event_id]
    if event.home_team_type.upper() == "TEAM1":
        return event.home, event.away
    return event.away, event.home


def bet_dict(ledger: Ledger, bet: BetRecord) -> dict[str, Any]:
    """One bet as ``StraightBetV4``/``ParlayBet``/``TeaserBet``/``SpecialBet``."""
    market = ledger.market
    d = _common(bet)
    if bet.kind == "STRAIGHT":
        event = market.events[bet.event_id]
        team1, team2 = _teams(market, bet.event_id)
        d.update(
            sportId=bet.sport_id,
            leagueId=bet.league_id,
            eventId=bet.event_id,
            handicap=bet.handicap,
            price=_price(bet, bet.price),
            team1=team1,
            team2=team2,
            periodNumber=bet.period_number,
            isLive=bet.is_live,
            eventStartTime=iso(event.starts),
            resultingUnit="Regular",
        )
        name = _team_name(market, bet)
        if name is not None:
            d["teamName"] = name
        if bet.side in ("OVER", "UNDER"):
            d["side"] = bet.side
        if bet.is_live:
            home, away = bet.score
            d["team1Score"], d["team2Score"] = (
                (float(home), float(away)) if team1 == event.home else (float(away), float(home))
            )
        if bet.settled_at is not None and event.result is not None:
            home, away = event.result
            d["ftTeam1Score"], d["ftTeam2Score"] = (
                (float(home), float(away)) if team1 == event.home else (float(away), float(home))
            )
        return d
    if bet.kind in ("PARLAY", "TEASER"):
        legs = []
        for leg in bet.legs:
            team1, team2 = _teams(market, leg["event"])
            event = market.events[leg["event"]]
            row: dict[str, Any] = {
                "sportId": leg["sportId"],
                "legBetType": leg["betType"],
                "leagueId": leg["leagueId"],
                "eventId": leg["event"],
                "eventStartTime": iso(event.starts),
                "handicap": leg["handicap"],
                "team1": team1,
                "team2": team2,
                "periodNumber": leg["period"],
            }
            if bet.kind == "PARLAY":
                row["price"] = _price(bet, leg["price"])
                row["legBetStatus"] = "ACCEPTED"
            if "grade" in leg:
                g = leg["grade"]
                row["legBetStatus"] = {
                    1.0: "WON",
                    0.5: "HALF_WON_HALF_PUSHED",
                    0.0: "PUSHED",
                    -0.5: "HALF_LOST_HALF_PUSHED",
                    -1.0: "LOST",
                }[g]
                if bet.kind == "TEASER" and row["legBetStatus"].startswith("HALF"):
                    row["legBetStatus"] = "WON" if g > 0 else "LOST"
            side = leg["key"][2]
            if side in ("OVER", "UNDER"):
                row["side"] = side
            legs.append(row)
        d["legs"] = legs
        d["price"] = _price(bet, bet.price)
        if bet.kind == "TEASER":
            teaser = ledger.teasers[bet.teaser_id]
            d.update(
                teaserName=str(teaser.get("description", "")),
                isSameEventOnly=False,
                minPicks=float(teaser["minLegs"]),
                maxPicks=float(teaser["maxLegs"]),
                teaserId=bet.teaser_id,
                teaserGroupId=int(teaser.get("groupId", 1)),
            )
        return d
    special = market.specials[bet.special_id]
    contestant = next(c for c in special.contestants if c.id == bet.contestant_id)
    d.update(
        specialId=special.id,
        specialName=special.name,
        contestantId=contestant.id,
        contestantName=contestant.name,
        price=_price(bet, bet.price),
        sportId=special.sport_id,
        leagueId=special.league_id,
        units="",
        eventStartTime=iso(special.date),
    )
    return d
