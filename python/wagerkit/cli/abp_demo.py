"""The end-to-end demo: a bot's whole day against the embedded ABP simulator, in one command.

1. start the ABP and OddsPapi simulators on 127.0.0.1 (nothing leaves the machine), and
   discover the fixture and outcome on OddsPapi by names a bettor uses (Soccer, Serie A, Roma,
   Full Time Result, "2"): ABP takes OddsPapi's ids as they are;
2. fetch that selection's betslip (AS Roma v Cagliari, outcome 103) and show the merged
   book across bookmakers and currencies;
3. preview two orders with the engine, then place them through the order manager;
4. follow them on the WebSocket stream until their bets are CONFIRMED;
5. settle the fixture and follow the bets to settlement;
6. print positions and PnL twice: ABP's own sums (which add EUR to USD) and the per-bet
   USD-converted figures.

``run_demo()`` returns the process exit code (0 when every step completed).
"""

from __future__ import annotations

from collections.abc import Callable

import anyio
import httpx
from rich.console import Console

from wagerkit._core import Fx, minor_to_str
from wagerkit.abp import analytics
from wagerkit.abp.client import AbpClient
from wagerkit.abp.models import Bet, BetStatus, SettlementStatus
from wagerkit.abp.orders import OrderRequest
from wagerkit.abp.preview import book_from_betslip, preview_order
from wagerkit.abp.stream import AbpStream
from wagerkit.cli import abp_render as render
from wagerkit.execution import ManagedOrder, OrderManager
from wagerkit.oddspapi import AsyncOddsPapiClient, OddsBook, Selection, find_selection

__all__ = ["DEMO_FIXTURE", "DEMO_OUTCOME", "run_demo"]

DEMO_FIXTURE = "id1000004461512432"
DEMO_OUTCOME = 103
USER_REF = "wagerkit-demo"
STEP_TIMEOUT = 30.0


def run_demo(console: Console | None = None) -> int:
    """Run the demo; 0 on success, 1 if a step did not complete."""
    from wagerkit.sim._server import ServerThread
    from wagerkit.sim.abp.app import create_app
    from wagerkit.sim.abp.config import SimConfig
    from wagerkit.sim.abp.service import AbpSim
    from wagerkit.sim.oddspapi.testing import running_oddspapi

    out = console or Console()
    sim = AbpSim(SimConfig(admin=True))
    with ServerThread(create_app(sim=sim)) as server, running_oddspapi() as oddspapi:
        key = sim.keys.clients()[0].key
        admin = server.base_url + sim.config.admin_prefix
        out.rule("[bold]wagerkit × ABP: end-to-end demo")
        out.print(f"embedded ABP simulator on {server.base_url} (WebSocket {server.ws_url}/ws)")
        out.print(f"embedded OddsPapi simulator on {oddspapi.base_url}")
        try:
            selection = anyio.run(_discover, out, oddspapi.api_key, oddspapi.base_url)
            return anyio.run(_demo, out, key, server.base_url, admin, selection)
        except TimeoutError:
            out.print("[red]a step did not complete in time")
            return 1


async def _discover(out: Console, key: str, base_url: str) -> Selection:
    """Step 0: find the fixture and outcome on OddsPapi by names, and its odds everywhere."""
    async with AsyncOddsPapiClient(key, base_url) as odds:
        with anyio.fail_after(STEP_TIMEOUT):
            selection = await find_selection(
                odds,
                sport="Soccer",
                tournament="Serie A",
                participant="Roma",
                market="Full Time Result",
                outcome="2",
            )
            currencies = {b.slug: b.limit_currency or "USD" for b in await odds.bookmakers()}
            book = OddsBook(selection.fixture_id, selection.outcome_id, limit_currencies=currencies)
            book.load_rates(await odds.currencies())
            book.apply_odds(await odds.fixture_odds(selection.fixture_id))
    out.rule("0 · discover on OddsPapi: Soccer / Serie A / Roma / Full Time Result / 2")
    out.print(
        f"{selection.fixture_name}: fixtureId {selection.fixture_id}, "
        f"{selection.market_name} '{selection.outcome_name}' = outcomeId {selection.outcome_id} "
        f"(Pinnacle event {selection.pinnacle_event_id})"
    )
    for q in book.book.quotes():
        limit = minor_to_str(q.limit, q.currency)
        out.print(f"  OddsPapi {q.bookmaker:<10} {q.price:<5} limit {limit} {q.currency}")
    return selection


async def _demo(
    out: Console, key: str, base_url: str, admin: str, selection: Selection | None = None
) -> int:
    fixture_id = DEMO_FIXTURE if selection is None else selection.fixture_id
    outcome_id = DEMO_OUTCOME if selection is None else selection.outcome_id
    async with AbpClient(key, base_url) as client, httpx.AsyncClient(base_url=admin) as ctl:
        # 2. the merged book, of the selection OddsPapi found (ABP takes its ids as they are)
        slip = await client.betslip(fixture_id, outcome_id)
        fx = Fx()
        book = book_from_betslip(slip, fx)
        out.rule("1 · betslip → merged book")
        out.print(render.book_table(slip, book, fx), render.ladder_table(book, fx))

        # 3. preview, then place
        orders = [
            OrderRequest.create(fixture_id, outcome_id, 10.0, 1.95, user_ref=USER_REF),
            OrderRequest.create(
                fixture_id, outcome_id, 25.0, 1.95, user_ref=USER_REF, bookmakers=["pinnacle"]
            ),
        ]
        out.rule("2 · preview with the engine (what ABP would do right now)")
        for order in orders:
            out.print(render.preview_table(preview_order(order, slip)))

        for slug in slip.odds:  # bookmakers take a moment to confirm, as real ones do
            (await ctl.post(f"/bookmakers/{slug}", json={"betDelay": 0.4})).raise_for_status()

        async with AbpStream(client, user_refs=[USER_REF]) as stream:
            await stream.wait_connected(STEP_TIMEOUT)
            manager = OrderManager(client, state=stream.state)
            shown: set[tuple[int, str, str]] = set()
            out.rule("3 · place through the order manager, follow on the stream")
            placed = await manager.place_many(orders)
            for m in placed:
                out.print(f"{m.request_uuid}: {m.status.value} {_order_line(m)}")
            ids = [m.order.order_id for m in placed if m.order is not None]
            if len(ids) != len(orders):
                out.print("[red]not every order was accepted")
                return 1
            with anyio.fail_after(STEP_TIMEOUT):
                await _until(stream, ids, lambda b: b.bet_status is BetStatus.CONFIRMED, out, shown)
            out.print(render.bets_table(_bets(stream, ids), "bets, CONFIRMED (from the stream)"))

            bets = [b async for b in client.iter_bets(user_ref=USER_REF)]
            out.rule("4 · open positions: ABP's sums vs every bet in USD")
            out.print(
                *render.positions_tables(
                    await client.positions(),
                    analytics.positions(bets, analytics.fx_from_bets(bets, _copy(fx))),
                )
            )

            out.rule("5 · settle the fixture (outcome 103 wins) and follow the bets")
            response = await ctl.post(
                f"/fixtures/{fixture_id}/settle",
                json={"results": {str(outcome_id): "WON"}, "default": "LOST"},
            )
            response.raise_for_status()
            with anyio.fail_after(STEP_TIMEOUT):
                await _until(
                    stream,
                    ids,
                    lambda b: b.settlement_status is not SettlementStatus.UNSETTLED,
                    out,
                    shown,
                )
            out.print(render.bets_table(_bets(stream, ids), "bets, settled (from the stream)"))

        bets = [b async for b in client.iter_bets(user_ref=USER_REF)]
        out.rule("6 · profit and loss: ABP's sums vs every bet in USD")
        out.print(
            *render.pnl_tables(
                await client.pnl(), analytics.pnl(bets, analytics.fx_from_bets(bets, _copy(fx)))
            )
        )
        out.rule("7 · one order's lifecycle")
        for t in placed[0].history:
            out.print(f"  {t.iso}  {t.status:<10} {t.note}")
        out.print(
            f"stream: {stream.connects} connection(s), {stream.messages} messages, "
            f"{stream.reconciliations} reconciliation(s), {stream.gaps} gap(s)"
        )
    return 0


def _order_line(m: ManagedOrder) -> str:
    o = m.order
    if o is None:
        return m.decline_reason or ""
    return (
        f"order {o.order_id} {o.order_status.value}, filled {o.filled_stake:g} {o.order_currency}"
    )


def _bets(stream: AbpStream, ids: list[int]) -> list[Bet]:
    return [b for oid in ids for b in stream.state.bets_of(oid)]


async def _until(
    stream: AbpStream,
    ids: list[int],
    done: Callable[[Bet], bool],
    out: Console,
    shown: set[tuple[int, str, str]],
) -> None:
    """Wait (the caller bounds it) until every bet of the orders satisfies ``done``, printing
    each bet state the stream reports on the way."""
    while True:
        bets = _bets(stream, ids)
        for b in bets:
            seen = (b.bet_id, b.bet_status.value, b.settlement_status.value)
            if seen not in shown:
                shown.add(seen)
                out.print(
                    f"  stream: bet {b.bet_id} ({b.bookmaker}) {b.bet_status.value}"
                    f" / {b.settlement_status.value}"
                )
        if bets and all(done(b) for b in bets):
            return
        await anyio.sleep(0.02)


def _copy(fx: Fx) -> Fx:
    out = Fx()
    for ccy in fx.currencies():
        if ccy != "USD":
            out.set_rate(ccy, fx.rate_str(ccy), fx.updated_at(ccy))
    return out
