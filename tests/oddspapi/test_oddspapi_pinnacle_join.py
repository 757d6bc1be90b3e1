"""A selection found on OddsPapi joins Pinnacle's own API through externalProviders.pinnacleId:
the local OddsPapi and Pinnacle servers agree on Arsenal v Chelsea's Pinnacle event."""

from __future__ import annotations

import pytest

from wagerkit.clock import FakeClock
from wagerkit.oddspapi import find_selection
from wagerkit.sim.oddspapi.testing import running_oddspapi
from wagerkit.sim.pinnacle.testing import running_pinnacle

pytestmark = pytest.mark.anyio


async def test_an_oddspapi_selection_names_its_pinnacle_event() -> None:
    async with running_oddspapi() as papi, papi.client() as odds:
        pick = await find_selection(
            odds,
            sport="Soccer",
            tournament="Premier League",
            participant="Arsenal",
            market="Full Time Result",
            outcome="1",
        )
    assert pick.pinnacle_event_id == 1600000001 and pick.pinnacle_side == "Team1"
    assert pick.side_at(rotated=True) == "Team2" and pick.side_at(rotated=False) == "Team1"
    async with running_pinnacle(clock=FakeClock(auto_advance=True)) as pin, pin.client() as api:
        fixtures = await api.fixtures(29, event_ids=[pick.pinnacle_event_id])
    events = [e for league in fixtures.league for e in league.events]
    assert [(e.id, e.home, e.away) for e in events] == [(1600000001, "Arsenal", "Chelsea")]
    assert pick.fixture_name == "Arsenal FC v Chelsea FC"


async def test_the_schedule_moves_prices_as_in_the_abp_scenario() -> None:
    """The ABP scenario's own moves (Nuggets at pinnacle: 2.38 after 600 s) and the overlay's
    (Arsenal at pinnacle: 2.08 after 30 s) show on OddsPapi at the same simulated times."""
    clock = FakeClock()
    nuggets = "id1100013412345678:pinnacle:112:0"
    arsenal = "id1000001772221240:pinnacle:101:0"
    async with running_oddspapi(clock=clock) as papi, papi.client() as odds:
        before = await odds.fixture_odds("id1000001772221240", bookmakers=["pinnacle"])
        assert before.odds["pinnacle"][arsenal].price == 2.10
        clock.advance(31)
        moved = await odds.fixture_odds("id1000001772221240", bookmakers=["pinnacle"])
        assert moved.odds["pinnacle"][arsenal].price == 2.08
        clock.advance(600)
        nba = await odds.fixture_odds("id1100013412345678", bookmakers=["pinnacle"])
        assert nba.odds["pinnacle"][nuggets].price == 2.38
        history = await odds.historical_odds("id1000001772221240", "pinnacle")
        ticks = history.odds["pinnacle"][arsenal]
        last_three = [ticks[k].price for k in sorted(ticks, key=int)[-3:]]
        assert last_three == [2.10, 2.08, 2.12]
