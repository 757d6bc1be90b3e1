"""Every OddsPapi REST endpoint through real HTTP against the local server, decoded into the
typed models, and agreeing with the ABP simulator's default scenario."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from tests.oddspapi.conftest import QUICKSTART_FIXTURE
from wagerkit.clock import FakeClock
from wagerkit.errors import InvalidInput, NotFound
from wagerkit.oddspapi import AsyncOddsPapiClient, OddsPapiClient, blocking
from wagerkit.oddspapi.blocking import METHODS
from wagerkit.oddspapi.models import odds_id, split_odds_id
from wagerkit.sim.abp.scenario import load_scenario
from wagerkit.sim.oddspapi.testing import RunningOddsPapi, running_oddspapi

pytestmark = pytest.mark.anyio

Q103 = f"{QUICKSTART_FIXTURE}:pinnacle:103:0"


async def test_reference_endpoints(client: AsyncOddsPapiClient) -> None:
    sports = {s.sport_id: s.sport_name for s in await client.sports()}
    assert sports[10] == "Soccer" and sports[11] == "Basketball"
    serie_a = [t for t in await client.tournaments(10) if t.tournament_name == "Serie A"]
    assert serie_a[0].tournament_id == 23 and serie_a[0].category_name == "Italy"
    assert [t.tournament_id for t in await client.tournaments(tournament_ids=[23])] == [23]
    teams = {p.participant_name for p in await client.participants(10)}
    assert {"AS Roma", "Cagliari Calcio", "Arsenal FC"} <= teams
    assert [p.participant_id for p in await client.participants(10, participant_ids=[2702])] == [
        2702
    ]
    books = {b.slug: b.limit_currency for b in await client.bookmakers()}
    assert books["pinnacle"] == "USD" and books["sharpbet"] == "EUR"
    rates = {c.currency: c.currency_value for c in await client.currencies()}
    assert rates["EUR"] == 0.84788876 and rates["USD"] == 1.0


async def test_market_catalogue_each_line_its_own_market(client: AsyncOddsPapiClient) -> None:
    catalogue = await client.markets(10)
    ftr = next(m for m in catalogue if m.market_id == 101)
    assert [(o.outcome_id, o.outcome_name) for o in ftr.outcomes] == [
        (101, "1"),
        (102, "X"),
        (103, "2"),
    ]
    totals = {m.handicap: m.market_id for m in catalogue if m.market_name == "Over Under Full Time"}
    assert totals == {2.5: 1010, 3.5: 1012}
    assert [m.market_id for m in await client.markets(market_ids=[104])] == [104]
    assert [m.market_id for m in await client.markets(outcome_ids=[1013])] == [1012]


async def test_the_catalogue_is_cached(oddspapi_sim: RunningOddsPapi) -> None:
    async with oddspapi_sim.client() as client:
        first = await client.markets(10)
        again = await client.markets(10)
        assert first is again
        calls = [p for _, p in oddspapi_sim.sim.requests if p == "/markets"]
        assert len(calls) == 1
        client.forget_cache()
        await client.markets(10)
        assert len([p for _, p in oddspapi_sim.sim.requests if p == "/markets"]) == 2


async def test_fixtures_by_ids_window_today_live(client: AsyncOddsPapiClient) -> None:
    by_id = await client.fixtures(fixture_ids=[QUICKSTART_FIXTURE])
    (fixture,) = by_id
    assert fixture.name == "AS Roma v Cagliari Calcio"
    assert fixture.external_providers is not None
    assert fixture.external_providers.pinnacle_id == 1610000001
    assert fixture.start_time is not None
    start = fixture.start_time
    window = await client.fixtures(sport_id=10, start_from=start - 60, start_to=start + 60)
    assert [f.fixture_id for f in window] == [QUICKSTART_FIXTURE]
    later = await client.fixtures(sport_id=10, start_from=start + 1)
    assert QUICKSTART_FIXTURE not in {f.fixture_id for f in later}
    assert await client.fixtures_live(sport_id=10) == []
    today = await client.fixtures_today(sport_id=11)
    assert all(f.sport is not None and f.sport.sport_id == 11 for f in today)
    assert (await client.fixture(QUICKSTART_FIXTURE)).fixture_id == QUICKSTART_FIXTURE
    with pytest.raises(NotFound):
        await client.fixture("id0000000000000000")


async def test_fixture_odds_agree_with_the_abp_scenario(client: AsyncOddsPapiClient) -> None:
    """Every quote OddsPapi serves is the ABP scenario's quote on the same ids."""
    odds = await client.fixture_odds(QUICKSTART_FIXTURE)
    served = {
        oid: (row.price, row.limit) for rows in odds.odds.values() for oid, row in rows.items()
    }
    scenario = load_scenario()
    expected = {
        odds_id(f.fixture_id, q.bookmaker, m.outcome_id, m.player_id): (q.price, q.limit)
        for f in scenario.fixtures
        if f.fixture_id == QUICKSTART_FIXTURE
        for m in f.markets
        for q in m.quotes
        if q.back
    }
    assert served == expected
    assert served[Q103] == (1.98, 15000)
    assert served[f"{QUICKSTART_FIXTURE}:sharpbet:103:0"] == (2.0, 751.34)
    assert split_odds_id(Q103) == (QUICKSTART_FIXTURE, "pinnacle", 103, 0)
    only = await client.fixture_odds(QUICKSTART_FIXTURE, bookmakers=["sharpbet"])
    assert set(only.odds) == {"sharpbet"} and not only.bookmakers["sharpbet"].stale_odds
    none_newer = await client.fixture_odds(QUICKSTART_FIXTURE, since_ms=2**62)
    assert none_newer.odds == {}


async def test_main_odds_clv_history_mapping_settlement(oddspapi_sim: RunningOddsPapi) -> None:
    async with oddspapi_sim.client() as client:
        main = await client.main_odds(tournament_id=23)
        assert [m.fixture_id for m in main] == [QUICKSTART_FIXTURE]
        assert [m.fixture_id for m in await client.main_odds(fixture_ids=[QUICKSTART_FIXTURE])] == [
            QUICKSTART_FIXTURE
        ]
        clv = await client.clv(QUICKSTART_FIXTURE, bookmakers=["pinnacle"])
        line = next(x for x in clv.lines if x.odds_id == Q103)
        assert line.closing_price == 1.98 and line.opening_price is not None
        assert line.opening_changed_at is not None and line.closing_changed_at is not None
        assert line.opening_changed_at < line.closing_changed_at
        history = await client.historical_odds(QUICKSTART_FIXTURE, "pinnacle")
        ticks = history.odds["pinnacle"][Q103]
        assert len(ticks) == 24 and ticks[max(ticks, key=int)].price == 1.98
        streamed = [t async for t in client.iter_historical(QUICKSTART_FIXTURE, "pinnacle")]
        assert len(streamed) == sum(len(v) for v in history.odds["pinnacle"].values())
        by_ids = await client.historical_odds(QUICKSTART_FIXTURE, odds_ids=[Q103])
        assert list(by_ids.odds["pinnacle"]) == [Q103]
        mapping = await client.mapping(QUICKSTART_FIXTURE)
        assert set(mapping.bookmakers) == {"pinnacle", "sharpbet", "vertex", "betfair_ex"}
        assert mapping.external_providers is not None
        assert mapping.external_providers.pinnacle_id == 1610000001
        assert (await client.settlement(QUICKSTART_FIXTURE)).settlements == []
        oddspapi_sim.sim.world.settle(QUICKSTART_FIXTURE, {101: "LOSE", 102: "LOSE", 103: "WIN"})
        graded = await client.settlement(QUICKSTART_FIXTURE)
        assert {s.outcome_id: s.result for s in graded.settlements}[103] == "WIN"


async def test_prices_move_on_the_schedule(oddspapi_sim: RunningOddsPapi) -> None:
    """A move recorded by the world shows in the odds, the history and the CLV closing."""
    world = oddspapi_sim.sim.world
    heard = []
    stop = world.listen(heard.append)
    arsenal = "id1000001772221240:pinnacle:101:0"
    world.move(arsenal, price=2.2, limit=450)
    stop()
    async with oddspapi_sim.client() as client:
        odds = await client.fixture_odds("id1000001772221240", bookmakers=["pinnacle"])
        assert (odds.odds["pinnacle"][arsenal].price, odds.odds["pinnacle"][arsenal].limit) == (
            2.2,
            450,
        )
        clv = await client.clv("id1000001772221240", bookmakers=["pinnacle"])
        assert next(x for x in clv.lines if x.odds_id == arsenal).closing_price == 2.2
    assert [q.odds_id for q in heard] == [arsenal]
    scheduled = [m for m in oddspapi_sim.sim.overlay.moves]
    assert scheduled and all(m.outcome_id != 103 for m in scheduled)


async def test_bad_input_is_refused_before_sending(oddspapi_sim: RunningOddsPapi) -> None:
    async with oddspapi_sim.client() as client:
        cases = [
            client.tournaments(),
            client.markets(),
            client.markets(10, market_ids=[101]),
            client.fixtures(),
            client.fixtures(sport_id=10, start_from=200, start_to=100),
            client.fixtures(fixture_ids=[f"id{i}" for i in range(51)]),
            client.fixture_odds(QUICKSTART_FIXTURE, bookmakers=["a", "b", "c", "d", "e", "f"]),
            client.fixture_odds(""),
            client.main_odds(),
            client.historical_odds(QUICKSTART_FIXTURE),
            client.historical_odds(QUICKSTART_FIXTURE, odds_ids=["not-an-odds-id"]),
            client.fixtures_live(),
            client.participants(0),
        ]
        for call in cases:
            with pytest.raises(InvalidInput):
                await call
    assert oddspapi_sim.sim.requests == []


def test_the_blocking_twin_mirrors_the_async_client(oddspapi_sim: RunningOddsPapi) -> None:
    public = {
        name
        for name in dir(AsyncOddsPapiClient)
        if not name.startswith("_") and callable(getattr(AsyncOddsPapiClient, name))
    }
    assert public - {"aclose", "forget_cache"} == set(METHODS)
    with oddspapi_sim.blocking_client() as client:
        assert isinstance(client, OddsPapiClient)
        assert [s.sport_id for s in client.sports()][:2] == [10, 11]
        assert len(list(client.iter_historical(QUICKSTART_FIXTURE, "sharpbet"))) == 24
        assert client.fixture_odds(QUICKSTART_FIXTURE).odds["pinnacle"][Q103].price == 1.98
        assert OddsPapiClient.fixture_odds.__doc__ == AsyncOddsPapiClient.fixture_odds.__doc__


async def test_today_is_the_utc_date_of_the_server_clock() -> None:
    """At 00:00 UTC the NBA game (12 h later) is today's, the Serie A one (24 h later) is not."""
    async with running_oddspapi(clock=FakeClock()) as papi, papi.client() as client:
        assert [f.fixture_id for f in await client.fixtures_today(sport_id=11)] == [
            "id1100013412345678"
        ]
        assert await client.fixtures_today(tournament_id=23) == []


def test_the_blocking_twins_declared_types_follow_the_async_signatures() -> None:
    """The typed declarations mypy users see for the derived methods name the same parameters,
    in the same kinds and with the same defaults, as the async methods they run."""
    tree = ast.parse(Path(blocking.__file__).read_text(encoding="utf-8"))
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "OddsPapiClient")
    guarded = next(n for n in cls.body if isinstance(n, ast.If))
    declared = {f.name: f for f in guarded.body if isinstance(f, ast.FunctionDef)}
    assert set(declared) == set(METHODS)
    for name, node in declared.items():
        sig = inspect.signature(getattr(AsyncOddsPapiClient, name))
        params = [p for p in sig.parameters.values() if p.name != "self"]
        args = node.args
        positional = [a.arg for a in args.args if a.arg != "self"]
        keyword = [a.arg for a in args.kwonlyargs]
        assert positional == [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD], name
        assert keyword == [p.name for p in params if p.kind is p.KEYWORD_ONLY], name
        defaults = [ast.literal_eval(d) for d in args.defaults] + [
            ast.literal_eval(d) for d in args.kw_defaults if d is not None
        ]
        expected = [p.default for p in params if p.default is not p.empty]
        assert defaults == expected, name
