"""The fair-use pacer: presets as documented, a driver that asks far too often never gets past
the policy (on an injectable clock, no wall time), concurrent callers share the budget, and a
429's Retry-After is honoured."""

from __future__ import annotations

import itertools

import anyio
import pytest

from wagerkit.clock import FakeClock
from wagerkit.errors import InvalidInput, RateLimited
from wagerkit.pinnacle import Pacer
from wagerkit.pinnacle.feed import OddsFeed
from wagerkit.pinnacle.pacer import POLICIES, endpoint_of
from wagerkit.sim.pinnacle.testing import running_pinnacle

SOCCER = 29


def test_endpoint_families_ignore_versions() -> None:
    assert endpoint_of("/v2/odds") == endpoint_of("/v1/odds") == "odds"
    assert endpoint_of("/v1/fixtures/special?sportId=1") == "fixtures/special"
    assert endpoint_of("/v2/line/parlay") == "line/parlay"


@pytest.mark.parametrize(
    ("policy", "path", "snapshot", "interval"),
    [
        ("2018", "/v1/fixtures", True, 60.0),
        ("2018", "/v1/fixtures", False, 5.0),
        ("2018", "/v2/odds", False, 5.0),
        ("2018", "/v2/sports", False, 0.0),
        ("2022", "/v1/odds/special", True, 60.0),
        ("2022", "/v2/leagues", False, 3600.0),
        ("2022", "/v1/line", False, 0.0),
        ("2025", "/v2/odds", False, 120.0),
        ("2025", "/v1/line", False, 120.0),
        ("2025", "/v1/fixtures", False, 5.0),
        ("2025", "/v1/fixtures", True, 60.0),
    ],
)
def test_presets_encode_the_documented_intervals(
    policy: str, path: str, snapshot: bool, interval: float
) -> None:
    clock = FakeClock(auto_advance=True)
    pacer = Pacer(policy, clock=clock, margin=0.0)
    assert pacer.try_acquire(path, SOCCER, snapshot=snapshot) == 0.0
    assert pacer.wait_time(path, SOCCER, snapshot=snapshot) == pytest.approx(interval)
    assert pacer.wait_time(path, SOCCER + 1, snapshot=snapshot) == 0.0 or path.endswith("sports")


def test_the_default_is_the_current_2025_policy_and_unknown_names_fail() -> None:
    assert Pacer().policy is POLICIES["2025"]
    with pytest.raises(InvalidInput):
        Pacer("1999")


def test_a_snapshot_also_counts_for_the_delta_interval() -> None:
    clock = FakeClock(auto_advance=True)
    pacer = Pacer("2018", clock=clock, margin=0.0)
    pacer.try_acquire("/v2/odds", SOCCER, snapshot=True)
    assert pacer.wait_time("/v2/odds", SOCCER, snapshot=False) == pytest.approx(5.0)
    clock.advance(5)
    assert pacer.try_acquire("/v2/odds", SOCCER, snapshot=False) == 0.0
    assert pacer.try_acquire("/v2/odds", SOCCER, snapshot=True) == pytest.approx(55.0)


def test_threads_racing_for_one_slot_get_it_once() -> None:
    import threading

    pacer = Pacer("2025", clock=FakeClock(auto_advance=True), margin=0.0)
    barrier = threading.Barrier(8)
    results: list[float] = []

    def race() -> None:
        barrier.wait()
        results.append(pacer.try_acquire("/v2/odds", SOCCER))

    threads = [threading.Thread(target=race) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0.0] + [120.0] * 7


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_concurrent_tasks_each_wait_their_turn(anyio_backend: str) -> None:
    clock = FakeClock(auto_advance=True)
    pacer = Pacer("2025", clock=clock, margin=0.0)
    taken: list[float] = []

    async def call() -> None:
        await pacer.acquire("/v2/odds", SOCCER)
        taken.append(clock.monotonic())  # no await between taking the slot and this line

    async with anyio.create_task_group() as tg:
        for _ in range(5):
            tg.start_soon(call)
    assert len(taken) == 5
    assert all(b - a >= 120.0 for a, b in itertools.pairwise(taken))


def test_check_raises_instead_of_waiting() -> None:
    pacer = Pacer("2025", clock=FakeClock(auto_advance=True))
    pacer.check("/v1/line", SOCCER)
    with pytest.raises(RateLimited) as err:
        pacer.check("/v1/line", SOCCER)
    assert err.value.retry_after == pytest.approx(120.25)


def test_a_429_blocks_the_endpoint_for_retry_after() -> None:
    clock = FakeClock(auto_advance=True)
    pacer = Pacer("2018", clock=clock, margin=0.0)
    pacer.penalize("/v2/sports", None, 90)
    assert pacer.wait_time("/v2/sports") == pytest.approx(90)
    pacer.penalize("/v2/odds", SOCCER, None)  # no header: the policy's default
    assert pacer.wait_time("/v2/odds", SOCCER) == pytest.approx(60)


@pytest.mark.anyio
@pytest.mark.parametrize("policy", ["2018", "2022", "2025"])
async def test_a_feed_driven_too_often_never_exceeds_the_policy(
    clock: FakeClock, policy: str
) -> None:
    """A driver refreshing in a tight loop from three tasks: the server (enforcing the same
    preset on the same clock) never answers 429, and the recorded request times keep every
    interval."""
    with running_pinnacle(clock=clock, policy=policy) as running:
        async with running.client(policy=policy) as client:
            feed = OddsFeed(client, SOCCER, resync_every=600)

            async def driver() -> None:
                for _ in range(12):
                    await feed.refresh()

            async with anyio.create_task_group() as tg:
                for _ in range(3):
                    tg.start_soon(driver)
        statuses = [e.status for e in running.sim.exchanges]
        requests = list(running.sim.requests)
    assert statuses.count(200) == len(statuses) == 72
    interval = {"2018": 5.0, "2022": 5.0, "2025": 120.0}[policy]
    odds_times = [t for t, _, path in requests if path == "/v2/odds"]
    gaps = [b - a for a, b in itertools.pairwise(odds_times)]
    assert min(gaps) >= interval
    fixture_times = [t for t, _, path in requests if path == "/v1/fixtures"]
    assert min(b - a for a, b in itertools.pairwise(fixture_times)) >= 5.0


@pytest.mark.anyio
async def test_the_server_answers_429_with_retry_after_to_an_unpaced_client(
    clock: FakeClock,
) -> None:
    """Without the pacer's help (a pacer on the lax 2018 preset against a 2025 server), the
    server's 429 and Retry-After are what keep the client within the policy."""
    with running_pinnacle(clock=clock, policy="2025") as running:
        async with running.client(policy="2018") as client:
            first = await client.odds(SOCCER)
            start = clock.time()
            await client.odds(SOCCER, since=first.last)
            assert clock.time() - start >= 115  # waited the server's Retry-After
        statuses = [e.status for e in running.sim.exchanges if e.path == "/v2/odds"]
        retry_after = [
            dict(e.headers).get("retry-after") for e in running.sim.exchanges if e.status == 429
        ]
    assert statuses == [200, 429, 200]
    assert retry_after == ["115"]  # the 2018 pacer had already waited 5.25 s of the 120
