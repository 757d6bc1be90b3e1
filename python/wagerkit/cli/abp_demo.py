"""The end-to-end demo: a bot's whole day against the embedded ABP simulator, in one command.

1. start the simulator on 127.0.0.1 (nothing leaves the machine);
2. fetch the quickstart fixture's betslip (AS Roma v Cagliari, outcome 103) and show the merged
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

from wagerkit._core import Fx
from wagerkit.abp import analytics
from wagerkit.abp.client import AbpClient
from wagerkit.abp.models import Bet, BetStatus, SettlementStatus
from wagerkit.abp.orders import OrderRequest
from wagerkit.abp.preview import book_from_betslip, preview_order
from wagerkit.abp.stream import AbpStream
from wagerkit.cli import abp_render as render
from wagerkit.execution import ManagedOrder, OrderManager

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

    out = console or Console()
    sim = AbpSim(SimConfig(admin=True))
    with ServerThread(create_app(sim=sim)) as server:
        key = sim.keys.clients()[0].key
        admin = server.base_url + sim.config.admin_prefix
        out.rule("[bold]wagerkit × ABP: end-to-end demo")
        out.print(f"embedded ABP simulator on {server.base_url} (WebSocket {server.ws_url}/ws)")
        try:
            return anyio.run(_demo, out, key, server.base_url, admin)
        except TimeoutError:
            out.print("[red]a step did not complete in time")
            return 1


async def _demo(out: Console, key: str, base_url: str, admin: str) -> int:
    async with AbpClient(key, base_url) as client, httpx.AsyncClient(base_url=admin) as ctl:
        # 2. the merged book
        slip = await client.betslip(DEMO_FIXTURE, DEMO_OUTCOME)
        fx = Fx()
        book = book_from_betslip(slip, fx)
        out.rule("1 · betslip → merged book")
        out.print(render.book_table(slip, book, fx), render.ladder_table(book, fx))

        # 3. preview, then place
        orders = [
            OrderRequest.create(DEMO_FIXTURE, DEMO_OUTCOME, 10.0, 1.95, user_ref=USER_REF),
            OrderRequest.create(
                DEMO_FIXTURE, DEMO_OUTCOME, 25.0, 1.95, user_ref=USER_REF, bookmakers=["pinnacle"]
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
                f"/fixtures/{DEMO_FIXTURE}/settle",
                json={"results": {str(DEMO_OUTCOME): "WON"}, "default": "LOST"},
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
