"""kill -9 of an Odds88 bot placing bets and cashing them out through the OrderManager with the
SQLite journal, at >= 20 random moments; each restart runs ``recover()`` and carries on:
0 duplicate bets, 0 lost bets or cashouts, every bet cashed out exactly once."""

from __future__ import annotations

from pathlib import Path

from tests.pinnacle.kill9 import kill_repeatedly
from tests.pinnacle.killbot import odds88_key
from wagerkit.execution import SqliteJournal
from wagerkit.odds88 import BetSettlement
from wagerkit.sim.odds88.state import Fault
from wagerkit.sim.odds88.testing import odds88_server

INTENTS = 80
KILLS = 20


def test_kill9_during_bets_and_cashouts_then_recover_loses_and_doubles_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bot.sqlite"
    with odds88_server() as server:  # the real clock
        # every placement and cashout is processed 20 ms after it arrives: many kills land
        # while one is on its way, and it still takes effect after the bot is gone
        late = Fault(delay=0.02, passthrough=True)
        server.sim._queue("/api/players/p1/Bets/V2", late, 1_000_000)
        server.sim._queue("/api/Cashout", late, 1_000_000)
        args = ["odds88", server.base_url, server.client_id, server.password, str(path)]
        kills, _ = kill_repeatedly([*args, str(INTENTS)], kills=KILLS, seed=88, max_delay=0.8)
        assert kills >= KILLS

        rows = {r.key: r for r in SqliteJournal(path, read_only=True).history(venue="odds88")}
        assert [r.key for r in rows.values() if not r.resolved] == []  # nothing left unknown
        doubled = lost = cashed = 0
        for i in range(INTENTS):
            keys = [odds88_key(i, a) for a in range(20)]
            stored = [k for k in keys if server.sim.get_bet(server.client_id, k) is not None]
            known = [k for k in keys if k in rows and rows[k].status == "ACCEPTED"]
            doubled += len(stored) > 1
            lost += stored != known
            for bet_id in stored:
                bet = server.sim.get_bet(server.client_id, bet_id)
                assert bet is not None
                done = [
                    k
                    for k, r in rows.items()
                    if k.startswith(f"cashout/{bet_id}/") and r.status == "ACCEPTED"
                ]
                cashed += bet.settlement is BetSettlement.CASH_OUT
                lost += (bet.settlement is BetSettlement.CASH_OUT) != (len(done) == 1)
                doubled += len(done) > 1
        assert (doubled, lost) == (0, 0)
        assert cashed == INTENTS  # every intent: one bet, cashed out once
