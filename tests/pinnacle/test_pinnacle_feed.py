"""The since-delta feed: after many rounds against the moving local market, the cached state
equals a fresh snapshot; plus the delta rules one by one on hand-made responses."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from tests.pinnacle.conftest import assert_spec_conformant
from wagerkit.clock import FakeClock
from wagerkit.pinnacle import AsyncPinnacleClient, PinnacleClient
from wagerkit.pinnacle.feed import BlockingOddsFeed, OddsFeed, OddsState
from wagerkit.pinnacle.models import OddsResponse, decode
from wagerkit.sim.pinnacle.testing import running_pinnacle

SOCCER = 29


def _normal(resp: OddsResponse) -> object:
    data = msgspec.to_builtins(resp)
    assert isinstance(data, dict)
    data.pop("last", None)
    return data


@pytest.mark.anyio
@pytest.mark.parametrize(("policy", "rounds"), [("2018", 100), ("2025", 25)])
async def test_cached_state_equals_a_fresh_snapshot_after_many_rounds(
    clock: FakeClock, policy: str, rounds: int
) -> None:
    users = {"tester": "s3cretpw", "checker": "pw2"}  # two accounts: two fair-use budgets
    with running_pinnacle(clock=clock, policy=policy, users=users) as running:
        checker = AsyncPinnacleClient(
            "checker", "pw2", base_url=running.base_url, clock=clock, policy=policy
        )
        async with running.client(policy=policy) as client, checker:
            feed = OddsFeed(client, SOCCER, resync_every=None)
            changed_rounds = 0
            for i in range(rounds):
                before = feed.odds.last
                await feed.refresh()
                changed_rounds += feed.odds.last != before
                if i % 25 == 24 or i == rounds - 1:
                    at = clock.time()
                    fresh = await checker.odds(SOCCER)  # the other account's snapshot, same instant
                    fixtures = await checker.fixtures(SOCCER)
                    assert clock.time() == at
                    assert _normal(feed.odds.to_response()) == _normal(fresh)
                    assert msgspec.to_builtins(
                        feed.fixtures.to_response().league
                    ) == msgspec.to_builtins(fixtures.league)
            assert changed_rounds >= rounds // 2  # the market really moved under the feed
            assert feed.rounds == rounds
    assert_spec_conformant(running)


@pytest.mark.anyio
async def test_feed_drops_events_past_cutoff(clock: FakeClock) -> None:
    with running_pinnacle(clock=clock, policy="2018") as running:
        async with running.client(policy="2018") as client:
            feed = OddsFeed(client, SOCCER)
            await feed.refresh()
            assert feed.event(1600000011) is not None  # Milan-Inter, cutoff in 10 minutes
            clock.advance(601)
            assert feed.event(1600000011) is None  # dropped on read, before any call
            await feed.refresh()
            assert 1600000011 not in feed.odds.events


def test_the_blocking_feed_has_the_async_feeds_methods() -> None:
    public = {n for n in dir(OddsFeed) if not n.startswith("_")}
    assert public <= {n for n in dir(BlockingOddsFeed) if not n.startswith("_")}


def test_the_blocking_feed_is_paced_and_equals_a_fresh_snapshot(clock: FakeClock) -> None:
    users = {"tester": "s3cretpw", "checker": "pw2"}  # two accounts: two fair-use budgets
    with (
        running_pinnacle(clock=clock, policy="2018", users=users) as running,
        running.blocking_client(policy="2018") as client,
        PinnacleClient(
            "checker", "pw2", base_url=running.base_url, clock=clock, policy="2018"
        ) as checker,
    ):
        feed = BlockingOddsFeed(client, SOCCER, resync_every=None)
        start = clock.time()
        feed.run(rounds=10)
        assert feed.rounds == 10
        # fake time, not wall time: ten odds calls, deltas at least 5 s apart under 2018 rules
        assert clock.time() - start >= 9 * 5.0
        at = clock.time()
        fresh, fixtures = checker.odds(SOCCER), checker.fixtures(SOCCER)
        assert clock.time() == at
        assert _normal(feed.odds.to_response()) == _normal(fresh)
        assert msgspec.to_builtins(feed.fixtures.to_response().league) == msgspec.to_builtins(
            fixtures.league
        )
        roma = feed.fixture(1600000012)
        assert roma is not None and roma.home == "Roma"
        assert feed.event(1600000011) is not None  # Milan-Inter, cutoff in 10 minutes
        clock.advance(601)
        assert feed.event(1600000011) is None  # dropped on read, on the client's loop
        assert "s3cretpw" not in repr(feed)
    assert_spec_conformant(running)


def test_one_thread_may_read_the_blocking_feed_while_another_drives_it(clock: FakeClock) -> None:
    import threading

    with (
        running_pinnacle(clock=clock, policy="2018") as running,
        running.blocking_client(policy="2018") as client,
    ):
        feed = BlockingOddsFeed(client, SOCCER)
        feed.refresh()
        errors: list[BaseException] = []

        def drive() -> None:
            try:
                feed.run(rounds=20)
            except BaseException as exc:  # reported below
                errors.append(exc)

        driver = threading.Thread(target=drive)
        driver.start()
        seen = 0
        for _ in range(200):  # bounded: reads interleave with the deltas being applied
            event = feed.event(1600000012)
            seen += event is not None and bool(event.periods)
            if not driver.is_alive():
                break
        driver.join()
        assert errors == [] and feed.rounds == 21 and seen > 0
    assert_spec_conformant(running)


def _odds(last: int, *events: dict[str, object]) -> OddsResponse:
    body = {"sportId": SOCCER, "last": last, "leagues": [{"id": 1, "events": list(events)}]}
    return decode(msgspec.json.encode(body), OddsResponse)


CUTOFF = "2026-01-01T02:00:00Z"
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp()


def _period(number: int, line_id: int, **markets: object) -> dict[str, object]:
    return {"lineId": line_id, "number": number, "cutoff": CUTOFF, "status": 1, **markets}


def test_a_changed_period_replaces_the_cached_one_whole() -> None:
    state = OddsState()
    ml = {"home": 2.0, "away": 1.9}
    spreads = [{"hdp": -0.5, "home": 1.9, "away": 1.95}]
    state.apply(
        _odds(
            10,
            {
                "id": 5,
                "periods": [
                    _period(0, 1, moneyline=ml, spreads=spreads),
                    _period(1, 2, moneyline=ml),
                ],
            },
        ),
        snapshot=True,
        now=NOW,
    )
    totals = [{"points": 2.5, "over": 1.9, "under": 1.9}]
    state.apply(
        _odds(11, {"id": 5, "periods": [_period(1, 3, moneyline=ml, totals=totals)]}),
        snapshot=False,
        now=NOW,
    )
    p0, p1 = state.events[5].periods[0], state.events[5].periods[1]
    assert p0.spreads and p0.line_id == 1  # untouched period kept
    assert p1.line_id == 3 and p1.totals and not p1.spreads  # the missing market is gone
    assert state.last == 11


def test_an_empty_period_in_a_delta_removes_it_and_then_the_event() -> None:
    state = OddsState()
    state.apply(
        _odds(10, {"id": 5, "periods": [_period(0, 1, moneyline={"home": 2.0, "away": 1.9})]}),
        snapshot=True,
        now=NOW,
    )
    state.apply(
        _odds(12, {"id": 5, "periods": [{"lineId": 1, "number": 0, "cutoff": CUTOFF}]}),
        snapshot=False,
        now=NOW,
    )
    assert 5 not in state.events


def test_an_older_or_empty_delta_never_moves_the_cache_back() -> None:
    state = OddsState()
    state.apply(
        _odds(20, {"id": 5, "periods": [_period(0, 9, moneyline={"home": 2.0, "away": 1.9})]}),
        snapshot=True,
        now=NOW,
    )
    state.apply(
        _odds(15, {"id": 5, "periods": [_period(0, 3, moneyline={"home": 3.0, "away": 1.2})]}),
        snapshot=False,
        now=NOW,
    )
    assert state.events[5].periods[0].line_id == 9 and state.last == 20
    state.apply(OddsResponse(sport_id=SOCCER, last=20), snapshot=False, now=NOW)
    assert state.events[5].periods[0].line_id == 9


def test_memory_is_bounded_by_max_events() -> None:
    state = OddsState(max_events=3)
    events = [
        {
            "id": i,
            "periods": [
                {
                    **_period(0, i, moneyline={"home": 2.0, "away": 1.9}),
                    "cutoff": f"2026-01-0{i}T12:00:00Z",
                }
            ],
        }
        for i in range(1, 8)
    ]
    state.apply(_odds(10, *events), snapshot=True, now=NOW)
    assert sorted(state.events) == [5, 6, 7]  # the ones that close first were dropped
