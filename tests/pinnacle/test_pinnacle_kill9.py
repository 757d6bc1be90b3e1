"""kill -9 of a Pinnacle bot placing through the OrderManager with the SQLite journal, at >= 20
random moments; each restart runs ``recover()`` and carries on: 0 duplicates, 0 lost."""

from __future__ import annotations

from pathlib import Path

from tests.pinnacle.bets import ARSENAL_CHELSEA, SOCCER
from tests.pinnacle.kill9 import kill_repeatedly
from tests.pinnacle.killbot import pinnacle_key
from wagerkit.execution import SqliteJournal
from wagerkit.sim.pinnacle.testing import running_pinnacle

INTENTS = 150
KILLS = 20


def test_kill9_during_placement_then_recover_loses_and_doubles_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite"
    with running_pinnacle({"move_probability": 0.0}) as server:  # the real clock
        with server.blocking_client() as client:
            odds = client.odds(SOCCER, event_ids=[ARSENAL_CHELSEA])
        [line] = [
            p.line_id
            for lg in odds.leagues
            for ev in lg.events
            for p in ev.periods
            if p.number == 0 and p.line_id is not None
        ]
        # every answer comes 30 ms after the bet is placed: many kills land in that gap
        server.sim.inject("/v4/bets/straight", "delay_after:0.03", count=1_000_000)
        args = ["pinnacle", server.base_url, server.username, server.password, str(path)]
        args += [str(line), str(ARSENAL_CHELSEA), str(INTENTS)]
        kills, _ = kill_repeatedly(args, kills=KILLS, seed=9, max_delay=0.8)
        assert kills >= KILLS

        rows = {r.key: r for r in SqliteJournal(path, read_only=True).history(venue="pinnacle")}
        assert [r.key for r in rows.values() if not r.resolved] == []  # nothing left unknown
        doubled = lost = accepted = 0
        for i in range(INTENTS):
            keys = [pinnacle_key(i, a) for a in range(20)]
            bets = sum(server.sim.bet_count(k) for k in keys)
            known = [k for k in keys if k in rows and rows[k].status == "ACCEPTED"]
            doubled += bets > 1
            lost += bets != len(known)  # a bet the journal does not know as ACCEPTED, or v.v.
            accepted += bets
        assert (doubled, lost) == (0, 0)
        assert accepted == INTENTS  # every intent ended as exactly one bet
        assert server.sim.bet_count() == INTENTS
