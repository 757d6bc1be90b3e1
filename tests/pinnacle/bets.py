"""Building blocks for the bet tests: ids of the default scenario, current line ids read from the
local server, legs for parlays and teasers, and what the server saw of the special batches."""

from __future__ import annotations

import msgspec

from wagerkit.pinnacle import AsyncPinnacleClient, new_request_id
from wagerkit.pinnacle.models import ParlayLegRequest, TeaserBetLeg
from wagerkit.sim.pinnacle.testing import RunningPinnacle
from wagerkit.transport import RetryPolicy

SOCCER = 29
ARSENAL_CHELSEA = 1600000001  # pre-game, Premier League (homeTeamType Team1), in 2 h
ROMA_LAZIO = 1600000012  # pre-game, Serie A (homeTeamType Team2), in 24 h
PL_WINNER = 1700000001  # the special: three contestants, maxBet 500 USD, cutoff in 7 days
TEASER = 11  # 2 to 4 legs
FAST_RETRY = RetryPolicy(attempts=5, timeout=30.0, wait_initial=0.01, wait_max=0.02)


async def line_id(client: AsyncPinnacleClient, event_id: int, period: int = 0) -> int:
    """The current ``lineId`` of a period, from ``/v2/odds``."""
    odds = await client.odds(SOCCER, event_ids=[event_id])
    for lg in odds.leagues:
        for ev in lg.events:
            for p in ev.periods:
                if p.number == period and p.line_id is not None:
                    return p.line_id
    raise AssertionError(f"no line for event {event_id} period {period}")


async def contestant_lines(client: AsyncPinnacleClient) -> list[tuple[int, int]]:
    """``(contestantId, lineId)`` of every priced contestant of :data:`PL_WINNER`."""
    odds = await client.special_odds(SOCCER)
    return [
        (line.id, line.line_id)
        for lg in odds.leagues
        for sp in lg.specials
        if sp.id == PL_WINNER
        for line in sp.contestant_lines
        if line.line_id is not None and line.price is not None
    ]


def parlay_legs(arsenal_line: int, roma_line: int) -> list[ParlayLegRequest]:
    return [
        ParlayLegRequest(
            unique_leg_id=new_request_id(),
            line_id=arsenal_line,
            sport_id=SOCCER,
            event_id=ARSENAL_CHELSEA,
            period_number=0,
            leg_bet_type="MONEYLINE",
            team="TEAM1",
        ),
        ParlayLegRequest(
            unique_leg_id=new_request_id(),
            line_id=roma_line,
            sport_id=SOCCER,
            event_id=ROMA_LAZIO,
            period_number=0,
            leg_bet_type="TOTAL_POINTS",
            side="OVER",
        ),
    ]


def teaser_legs(arsenal_line: int, roma_line: int) -> list[TeaserBetLeg]:
    return [
        TeaserBetLeg(
            leg_id=new_request_id(),
            bet_type="SPREAD",
            line_id=arsenal_line,
            event_id=ARSENAL_CHELSEA,
            team="TEAM1",
        ),
        TeaserBetLeg(
            leg_id=new_request_id(),
            bet_type="TOTAL_POINTS",
            line_id=roma_line,
            event_id=ROMA_LAZIO,
            side="UNDER",
        ),
    ]


def special_batches(running: RunningPinnacle) -> list[list[str]]:
    """The ``uniqueRequestId`` s of every ``POST /v4/bets/special`` the server received, one
    list per request, in order."""
    out = []
    for e in running.sim.exchanges:
        if e.method == "POST" and e.path == "/v4/bets/special":
            body = msgspec.json.decode(e.request_body)
            out.append([bet["uniqueRequestId"] for bet in body["bets"]])
    return out


def lookups(running: RunningPinnacle) -> int:
    """How many ``GET /v4/bets`` the server answered (each one lookup page)."""
    return sum(1 for e in running.sim.exchanges if e.method == "GET" and e.path == "/v4/bets")


def posts(running: RunningPinnacle, path: str) -> int:
    """How many POSTs to ``path`` reached the server (counted on arrival, so a request whose
    answer is still being delayed counts too)."""
    with running.sim.lock:
        return sum(1 for _, method, p in running.sim.requests if method == "POST" and p == path)
