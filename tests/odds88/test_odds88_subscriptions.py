"""Cashout subscriptions renew themselves across the 10-minute expiry while held, and only then.

The server and the client share a FakeClock, so crossing the expiry takes no wall time.
"""

from __future__ import annotations

import itertools
import math

import anyio
import anyio.lowlevel
import pytest

from wagerkit.clock import FakeClock
from wagerkit.errors import InvalidInput
from wagerkit.odds88 import Odds88Client
from wagerkit.sim.odds88 import SUBSCRIPTION_TTL
from wagerkit.sim.odds88.testing import RunningOdds88

from .helpers import bet_request, wait_until

pytestmark = pytest.mark.anyio


async def _place(client: Odds88Client, n: int = 1) -> list[str]:
    ids = []
    for _ in range(n):
        result = await client.place_bet("p1", bet_request())
        assert result.request_id is not None
        ids.append(result.request_id)
    return ids


async def test_held_subscription_outlives_many_expiries(
    client: Odds88Client, server: RunningOdds88, clock: FakeClock
) -> None:
    (bet_id,) = await _place(client)
    cid = server.client_id
    async with client.keep_subscribed([bet_id]):
        assert server.sim.is_subscribed(cid, bet_id)
        for _ in range(10):  # 40 minutes in 4-minute steps: four times the 10-minute life
            clock.advance(240)
            await client.subscriptions.settled()
            assert server.sim.is_subscribed(cid, bet_id)
        assert client.subscriptions.renewals >= 4
    assert not server.sim.is_subscribed(cid, bet_id)  # released: unsubscribed at once
    calls = [t for t, _c, ids in server.sim.subscribe_calls if bet_id in ids]
    assert all(b - a < SUBSCRIPTION_TTL for a, b in itertools.pairwise(calls))


async def test_a_plain_subscribe_wears_out_after_ten_minutes(
    client: Odds88Client, server: RunningOdds88, clock: FakeClock
) -> None:
    (bet_id,) = await _place(client)
    await client.subscribe_cashout([bet_id])
    clock.advance(SUBSCRIPTION_TTL - 1)
    assert server.sim.is_subscribed(server.client_id, bet_id)
    clock.advance(2)
    assert not server.sim.is_subscribed(server.client_id, bet_id)


async def test_two_holders_of_one_bet_unsubscribe_only_when_both_let_go(
    client: Odds88Client, server: RunningOdds88, clock: FakeClock
) -> None:
    a, b = await _place(client, 2)
    cid = server.client_id
    async with client.keep_subscribed([a, b]):
        async with client.keep_subscribed([a]):
            pass
        assert server.sim.is_subscribed(cid, a)
        clock.advance(500)
        await client.subscriptions.settled()
    assert server.sim.subscribed(cid) == set()
    # nothing held: no more renewals, however long we wait
    renewals = client.subscriptions.renewals
    clock.advance(3 * SUBSCRIPTION_TTL)
    await anyio.sleep(0.05)
    assert client.subscriptions.renewals == renewals


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_failed_renewal_is_retried_before_the_expiry(
    client: Odds88Client, server: RunningOdds88, clock: FakeClock
) -> None:
    (bet_id,) = await _place(client)
    async with client.keep_subscribed([bet_id]):
        # fail more than the retry policy's attempts, so the keeper's own retry is needed
        server.sim.inject_fault("/api/Cashout/subscribe", "500", count=4)
        clock.advance(480)
        await wait_until(lambda: client.subscriptions.last_error is not None, 10)
        clock.advance(10)  # the keeper retries after retry_every
        await client.subscriptions.settled()
        assert client.subscriptions.last_error is None
        clock.advance(100)  # 590 s after the first subscribe: still alive thanks to the retry
        assert server.sim.is_subscribed(server.client_id, bet_id)


async def test_bad_bet_ids_are_refused_before_sending(client: Odds88Client) -> None:
    for bad in ("b1", [""], [None], [" "], ["x" * 200]):
        with pytest.raises(InvalidInput):
            await client.subscribe_cashout(bad)  # type: ignore[arg-type]


async def test_keep_subscribed_needs_an_open_client(server: RunningOdds88) -> None:
    odds88 = Odds88Client(server.base_url, server.client_id, server.password)
    with pytest.raises(InvalidInput):
        async with odds88.keep_subscribed(["b1"]):
            pass
    await odds88.aclose()


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_rate_limited_renewal_waits_for_retry_after_within_the_ttl(
    client: Odds88Client, server: RunningOdds88, clock: FakeClock
) -> None:
    """A 429 asking for 2 minutes is honoured (not retried every 10 s); one asking for
    ``inf`` is capped at the subscription TTL, after which waiting saves nothing."""
    (bet_id,) = await _place(client)
    keeper = client.subscriptions
    async with client.keep_subscribed([bet_id]):
        for header, expected in (("120", 120.0), ("inf", SUBSCRIPTION_TTL)):
            server.sim.inject_fault("/api/Cashout/subscribe", f"429:{header}")
            clock.advance(keeper.renew_every)
            await wait_until(lambda: keeper.retry_at is not None)
            assert keeper.retry_at is not None
            assert keeper.retry_at - clock.monotonic() == expected
            clock.advance(expected)
            await keeper.settled()
            assert keeper.last_error is None and keeper.retry_at is None


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize(
    "options", [{"retry_every": 0.0}, {"retry_every": math.nan}, {"ttl": math.inf}]
)
async def test_keeper_timings_that_would_spin_or_never_fire_are_refused(
    client: Odds88Client, options: dict[str, float]
) -> None:
    from wagerkit.odds88 import SubscriptionKeeper

    with pytest.raises(InvalidInput):
        SubscriptionKeeper(
            client.subscribe_cashout, client.unsubscribe_cashout, FakeClock(), **options
        )


async def test_an_idle_keeper_leaves_an_auto_advancing_clock_alone() -> None:
    """Nothing held: the loop waits for ``add``, not on the clock. (It used to wake every
    ``renew_every`` seconds, so with ``auto_advance`` every event-loop turn moved a shared
    clock 8 minutes: days of fake time per real millisecond, expiring tokens mid-test.)
    Once something is held it renews on that clock as before."""
    from wagerkit.odds88 import SubscriptionKeeper

    clock = FakeClock(auto_advance=True)
    sent: list[list[str]] = []

    async def subscribe(ids: list[str]) -> None:
        sent.append(ids)

    async def unsubscribe(ids: list[str]) -> None:
        pass

    keeper = SubscriptionKeeper(subscribe, unsubscribe, clock)
    async with anyio.create_task_group() as tg:
        tg.start_soon(keeper.run)
        for _ in range(200):
            await anyio.lowlevel.checkpoint()
        assert clock.monotonic() == 0.0 and sent == []
        await keeper.add(["b1"])
        with anyio.fail_after(5):
            while len(sent) < 3:  # the first subscribe, then renewals every renew_every
                await anyio.lowlevel.checkpoint()
        assert sent[:3] == [["b1"]] * 3
        assert clock.monotonic() >= 2 * keeper.renew_every
        tg.cancel_scope.cancel()
