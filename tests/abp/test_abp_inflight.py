"""A request still on the wire is never taken for "not sent", against the real simulator.

A transport holds each POST /place-orders on the wire (in a thread that sends it later) while
the caller gives up: its task is cancelled, or the transport reports a read timeout. The bot
then reconciles (or crashes and recovers) and re-places, with a new order, every intent the
manager calls NOT_SENT. Some held requests land before their order expires (ABP stores them:
the manager must find them, not call them NOT_SENT), others after (ABP declines them as
expired: the manager may call them NOT_SENT, but only once the expiry plus the skew margin has
passed). Either way every intent ends as exactly one order at ABP.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import anyio
import httpx
import pytest

from tests.abp.conftest import fast_retry
from wagerkit.abp import AbpAdapter, AbpClient, OrderRequest
from wagerkit.execution import LocalStatus, OrderManager, SqliteJournal
from wagerkit.sim.abp.testing import SimHandle
from wagerkit.transport import Backoff, RateLimiter

pytestmark = pytest.mark.anyio
FIXTURE = "id1000004461512432"
EXPIRY = 0.8
"""Seconds each order may live at ABP."""
SKEW = 0.2
"""The clock-skew margin the adapter adds to an expiry (both clocks are this machine's)."""


class HoldingTransport(httpx.AsyncBaseTransport):
    """Holds each place-orders request carrying one of the ``held`` requestUuids on the wire
    (``held[uuid]`` seconds, then a thread sends it); the caller sees a read timeout after
    ``give_up`` seconds (or is cancelled before). Every other request goes straight through."""

    def __init__(self, held: dict[str, float], give_up: float = 0.05) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.held = held
        self.give_up = give_up
        self.sent = 0
        self.threads: list[threading.Thread] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        hold = next((h for u, h in self.held.items() if u.encode() in body), None)
        if request.url.path != "/place-orders" or hold is None:
            return await self.inner.handle_async_request(request)
        self.sent += 1
        headers = dict(request.headers)

        def later() -> None:
            time.sleep(hold)
            httpx.post(str(request.url), content=body, headers=headers, timeout=10)

        thread = threading.Thread(target=later, daemon=True)
        thread.start()
        self.threads.append(thread)
        await anyio.sleep(self.give_up)
        raise httpx.ReadTimeout("held on the wire", request=request)

    def land_all(self) -> None:
        for t in self.threads:
            t.join(10)

    async def aclose(self) -> None:
        await self.inner.aclose()


def client_of(sim: SimHandle, transport: httpx.AsyncBaseTransport) -> AbpClient:
    return AbpClient(
        sim.api_key,
        sim.base_url,
        transport=transport,
        retry=fast_retry(),
        limiter=RateLimiter(100_000),
    )


def manager_of(client: AbpClient, journal: SqliteJournal | None = None) -> OrderManager:
    return OrderManager(
        AbpAdapter(client, retry=fast_retry(), clock_skew=SKEW),
        journal=journal,
        max_resends=1,
        backoff=Backoff(initial=0.01, maximum=0.02),
    )


def intent(i: int, ref: str) -> OrderRequest:
    """The bot's i-th intent; a re-placement is a new order (new requestUuid), same intent."""
    return OrderRequest.create(
        FIXTURE, 103, 2.0, 1.5, user_ref=ref, meta={"intent": i}, expires_in=EXPIRY
    )


async def settle(m: OrderManager, intents: dict[str, int], ref: str) -> int:
    """The bot's loop: reconcile until nothing is unknown, re-placing (with a new order)
    every intent the manager calls NOT_SENT. Returns how many it re-placed."""
    replaced = 0
    with anyio.fail_after(15):
        while True:
            await m.reconcile()
            for managed in list(m.orders()):
                if managed.status is LocalStatus.NOT_SENT and managed.key in intents:
                    i = intents.pop(managed.key)
                    fresh = intent(i, ref)
                    intents[fresh.request_uuid] = i
                    assert (await m.place(fresh)).status is not LocalStatus.NOT_SENT
                    replaced += 1
            if not any(o.status in (LocalStatus.UNKNOWN, LocalStatus.SENT) for o in m.orders()):
                return replaced
            await anyio.sleep(0.1)


async def per_intent(sim: SimHandle, ref: str) -> tuple[Counter[int], int]:
    """How many orders of each intent got bets at ABP, and how many held requests landed too
    late (ABP keeps those as REJECTED orders without a bet: nothing was placed)."""
    async with AbpClient(sim.api_key, sim.base_url, limiter=RateLimiter(100_000)) as c:
        orders = [o async for o in c.iter_orders(user_ref=ref)]
    placed = Counter(o.meta["intent"] for o in orders if o.bets)
    late = sum(1 for o in orders if not o.bets and o.order_status.value == "REJECTED")
    return placed, late


def hold_for(i: int) -> float:
    """Even intents are held 0.3 s (they land while the order is alive: stored), odd ones
    1.5 s (they land after the expiry: ABP declines them)."""
    return 0.3 if i % 2 == 0 else 1.5


@pytest.mark.parametrize("how", ["cancel", "timeout"])
async def test_cancel_or_timeout_then_reconcile_never_doubles_an_intent(
    abp_sim: SimHandle, how: str
) -> None:
    ref = f"inflight-{how}"
    intents: dict[str, int] = {}
    held = HoldingTransport({}, give_up=0.05 if how == "timeout" else 5.0)
    async with client_of(abp_sim, held) as client:
        m = manager_of(client)
        for i in range(6):
            o = intent(i, ref)
            intents[o.request_uuid] = i
            held.held[o.request_uuid] = hold_for(i)
            if how == "cancel":
                with anyio.move_on_after(0.05):  # the bot's own deadline
                    await m.place(o)
            else:
                await m.place(o)  # timeouts, lookups miss, one resend (also held): UNKNOWN
        first = await m.reconcile()
        assert first, "right after giving up nothing is found yet: UNKNOWN, not NOT_SENT"
        assert all(x.status is LocalStatus.UNKNOWN and x.decidable_at for x in first)
        replaced = await settle(m, intents, ref)
        held.land_all()
    counts, late = await per_intent(abp_sim, ref)
    assert counts == Counter(range(6)), f"each intent placed exactly once: {counts}"
    assert replaced == 3, "the three held past their expiry were proven NOT_SENT, re-placed"
    assert late == 3, "and their held requests did land, after the expiry"


async def test_crash_then_recover_never_doubles_an_intent(
    abp_sim: SimHandle, tmp_path: Path
) -> None:
    """The bot dies with its requests held on the wire; the next process recovers from the
    SQLite journal and re-places only what the manager proves NOT_SENT."""
    ref = "inflight-crash"
    path = tmp_path / "bot.db"
    intents: dict[str, int] = {}
    held = HoldingTransport({}, give_up=5.0)
    async with client_of(abp_sim, held) as client:
        crashed = manager_of(client, SqliteJournal(path))
        for i in range(6):
            o = intent(i, ref)
            intents[o.request_uuid] = i
            held.held[o.request_uuid] = hold_for(i)
            with anyio.move_on_after(0.05):
                await crashed.place(o)
        assert all(x.status is LocalStatus.SENT for x in crashed.orders())
        crashed.journal.close()  # type: ignore[attr-defined]
        del crashed  # the process is gone; its requests are still on the wire
    async with AbpClient(abp_sim.api_key, abp_sim.base_url, limiter=RateLimiter(100_000)) as c:
        bot = manager_of(c, SqliteJournal(path))
        found = await bot.recover()
        assert set(found) == set(intents)
        assert not any(x.status is LocalStatus.NOT_SENT for x in found.values()), (
            "nothing can be proven NOT_SENT before the expiry + skew"
        )
        replaced = await settle(bot, intents, ref)
        held.land_all()
        history = bot.journal.history(user_ref=ref)
    counts, late = await per_intent(abp_sim, ref)
    assert counts == Counter(range(6)), f"each intent placed exactly once: {counts}"
    assert replaced == 3 and late == 3
    assert {r.status for r in history} <= {"ACCEPTED", "NOT_SENT"}
