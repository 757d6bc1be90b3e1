"""Every endpoint through real HTTP against the local server (responses are spec-checked by the
``server`` fixture), under asyncio and trio, plus auth, redaction and the blocking twin."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.pinnacle.conftest import assert_spec_conformant
from wagerkit.clock import FakeClock
from wagerkit.errors import AuthError, InvalidInput, VenueError
from wagerkit.pinnacle import AsyncPinnacleClient, new_request_id
from wagerkit.pinnacle.models import InRunningResponse, ParlayLineRequest, TeaserLineRequest
from wagerkit.sim.pinnacle.testing import RunningPinnacle, running_pinnacle

SOCCER = 29


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_reference_endpoints(server: RunningPinnacle) -> None:
    async with server.client() as client:
        sports = await client.sports()
        assert [s.id for s in sports.sports] == [SOCCER]
        leagues = await client.leagues(SOCCER)
        assert {lg.home_team_type for lg in leagues.leagues} == {"Team1", "Team2"}
        periods = await client.periods(SOCCER)
        assert [p.number for p in periods.periods] == [0, 1]
        currencies = await client.currencies()
        assert {c.code for c in currencies.currencies} >= {"USD", "EUR"}
        reasons = await client.cancellation_reasons()
        assert reasons.cancellation_reasons[0].code.startswith("FBS")
        groups = await client.teaser_groups()
        assert groups.teaser_groups[0].teasers[0].min_legs == 2
        teaser_odds = await client.teaser_odds(11)
        assert teaser_odds.leagues
        assert (await client.betting_status()).status == "ALL_BETTING_ENABLED"
        balance = await client.balance()
        assert (balance.available_balance, balance.currency) == (10_000.0, "USD")


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_feed_endpoints_snapshot_then_delta(
    server: RunningPinnacle, clock: FakeClock
) -> None:
    async with server.client(policy="2018") as client:
        fixtures = await client.fixtures(SOCCER)
        assert sum(len(lg.events) for lg in fixtures.league) == 5
        odds = await client.odds(SOCCER)
        assert odds.last is not None and odds.leagues
        clock.advance(30)
        delta = await client.odds(SOCCER, since=odds.last)
        assert delta.last is not None and delta.last > odds.last
        changed = {p.line_id for lg in delta.leagues for e in lg.events for p in e.periods}
        assert changed, "30 s of ticks must change some period"
        american = await client.odds(SOCCER, since=delta.last, odds_format="american")
        assert american.last is not None
        specials = await client.special_fixtures(SOCCER)
        assert specials.leagues[0].specials[0].contestants
        special_odds = await client.special_odds(SOCCER)
        assert special_odds.leagues[0].specials[0].contestant_lines[0].price is not None
        settled = await client.settled_fixtures(SOCCER)
        assert settled.leagues == []
        assert (await client.settled_special_fixtures(SOCCER)).leagues == []
        eur = await client.odds(SOCCER, to_currency="EUR", event_ids=[1600000012])
        period = eur.leagues[0].events[0].periods[0]
        assert period.max_moneyline == 920.0  # 1000 USD * 0.92, floored to whole euros


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_inrunning_lists_the_live_events_in_progress(
    server: RunningPinnacle, clock: FakeClock
) -> None:
    def states(resp: InRunningResponse) -> dict[int, tuple[int | None, int | None]]:
        return {
            e.id: (e.state, e.elapsed) for s in resp.sports for lg in s.leagues for e in lg.events
        }

    async with server.client() as client:
        assert states(await client.inrunning()) == {1600000003: (1, 30)}  # Leeds-Fulham, 1st half
        clock.advance(20 * 60)
        assert states(await client.inrunning()) == {1600000003: (2, 50)}  # half time
    doc = AsyncPinnacleClient.inrunning.__doc__ or ""
    assert "Deprecated" in doc  # as the spec marks it


@pytest.mark.anyio
async def test_odds_in_every_format_agree_through_the_engine(clock: FakeClock) -> None:
    from wagerkit import convert_odds

    frozen = running_pinnacle({"move_probability": 0.0}, clock=clock)  # prices hold still
    with frozen:
        async with frozen.client() as client:
            decimal = await client.odds(SOCCER, event_ids=[1600000012])
            ml = decimal.leagues[0].events[0].periods[0].moneyline
            assert ml is not None and ml.home is not None
            for fmt in ("american", "hongkong", "indonesian", "malay"):
                other = await client.odds(SOCCER, event_ids=[1600000012], odds_format=fmt)  # type: ignore[arg-type]
                oml = other.leagues[0].events[0].periods[0].moneyline
                assert oml is not None and oml.home is not None
                assert convert_odds(oml.home, fmt, "decimal") == pytest.approx(ml.home, abs=2e-3)  # type: ignore[arg-type]
    assert_spec_conformant(frozen)


@pytest.mark.anyio
async def test_line_endpoints(server: RunningPinnacle) -> None:
    async with server.client() as client:
        line = await client.line(
            sport_id=SOCCER,
            league_id=2036,
            event_id=1600000012,
            period_number=0,
            bet_type="MONEYLINE",
            team="Team1",
        )
        assert line.status == "SUCCESS" and line.price is not None and line.line_id is not None
        assert line.max_risk_stake is not None and line.min_risk_stake == 1.0
        missing = await client.line(
            sport_id=SOCCER,
            league_id=2036,
            event_id=1600000012,
            period_number=0,
            bet_type="SPREAD",
            team="Team1",
            handicap=9.5,
        )
        assert missing.status == "NOT_EXISTS" and missing.price is None
        special = await client.special_line(1700000001, 1700000101)
        assert special.status == "SUCCESS" and special.line_id is not None
        legs = [
            ParlayLineRequest(
                unique_leg_id=new_request_id(),
                event_id=1600000001,
                period_number=0,
                leg_bet_type="MONEYLINE",
                team="Team1",
            ),
            ParlayLineRequest(
                unique_leg_id=new_request_id(),
                event_id=1600000012,
                period_number=0,
                leg_bet_type="TOTAL_POINTS",
                side="OVER",
                handicap=2.5,
            ),
        ]
        parlay = await client.parlay_line(legs)
        assert parlay.status == "VALID" and len(parlay.legs) == 2
        assert parlay.round_robin_option_with_odds[0].round_robin_option == "Parlay"
        teaser = await client.teaser_line(
            11,
            [
                TeaserLineRequest(
                    leg_id=new_request_id(),
                    event_id=1600000001,
                    period_number=0,
                    bet_type="SPREAD",
                    team="Team1",
                    handicap=0.75,
                ),
                TeaserLineRequest(
                    leg_id=new_request_id(),
                    event_id=1600000012,
                    period_number=0,
                    bet_type="TOTAL_POINTS",
                    side="OVER",
                    handicap=1.5,
                ),
            ],
        )
        assert teaser.status == "VALID" and teaser.price == 1.9
        with pytest.raises(InvalidInput):
            await client.line(
                sport_id=SOCCER, league_id=2036, event_id=1, period_number=0, bet_type="SPREAD"
            )


@pytest.mark.anyio
async def test_get_bets_validation_and_paging_arguments(
    server: RunningPinnacle, clock: FakeClock
) -> None:
    async with server.client() as client:
        with pytest.raises(InvalidInput):
            await client.get_bets(unique_request_ids=[f"id{i}" for i in range(11)])
        with pytest.raises(InvalidInput):
            await client.get_bets(betlist="RUNNING")
        with pytest.raises(InvalidInput):
            await client.odds(SOCCER, since=1)
        now = dt.datetime.fromtimestamp(clock.time(), dt.UTC)
        page = await client.get_bets(
            betlist="ALL", from_date=now - dt.timedelta(days=1), to_date=now + dt.timedelta(days=1)
        )
        assert page.straight_bets == [] and page.more_available is False
        with pytest.raises(VenueError) as err:  # the server's 400 INVALID_REQUEST_DATA
            await client.get_bets(betlist="ALL", from_date=now - dt.timedelta(days=40), to_date=now)
        assert err.value.status == 400


@pytest.mark.anyio
async def test_bad_credentials_never_leak(clock: FakeClock) -> None:
    with running_pinnacle(clock=clock) as running:
        client = AsyncPinnacleClient("tester", "wrongpass9", base_url=running.base_url, clock=clock)
        async with client:
            with pytest.raises(AuthError) as err:
                await client.balance()
        text = f"{err.value} {err.value.body!r} {client!r}"
        assert "wrongpass9" not in text
        assert "dGVzdGVyOndyb25ncGFzczk" not in text  # base64("tester:wrongpass9")
        assert err.value.status == 401 and "INVALID_CREDENTIALS" in str(err.value)
        assert_spec_conformant(running)


def test_blocking_twin_has_the_same_methods(clock: FakeClock) -> None:
    from wagerkit.pinnacle.client import PinnacleClient

    public = {n for n in dir(AsyncPinnacleClient) if not n.startswith("_")} - {"aclose", "base_url"}
    assert public <= {n for n in dir(PinnacleClient) if not n.startswith("_")}
    with running_pinnacle(clock=clock) as running, running.blocking_client() as client:
        assert client.sports().sports[0].id == SOCCER
        outcome = client.place_straight(
            sport_id=SOCCER,
            event_id=1600000012,
            period_number=0,
            bet_type="MONEYLINE",
            team="TEAM1",
            line_id=client.odds(SOCCER, event_ids=[1600000012])
            .leagues[0]
            .events[0]
            .periods[0]
            .line_id
            or 0,
            stake=10.0,
        )
        assert outcome.accepted and outcome.bet_id
        pages = list(
            client.iter_bets(
                betlist="RUNNING", from_date=dt.date(2025, 12, 31), to_date=dt.date(2026, 1, 3)
            )
        )
        assert [b.bet_id for p in pages for b in p.straight_bets] == [outcome.bet_id]
        assert "s3cretpw" not in repr(client)
    assert_spec_conformant(running)


def test_cli_registers_sim_pinnacle() -> None:
    from wagerkit.cli import build_parser

    args = build_parser().parse_args(
        ["sim", "pinnacle", "--port", "0", "--username", "u", "--password", "p", "--policy", "2018"]
    )
    assert (args.port, args.username, args.password, args.policy) == (0, "u", "p", "2018")
    assert callable(args.func)
