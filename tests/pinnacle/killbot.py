"""A bot process for the kill -9 tests: places through the OrderManager with the SQLite journal,
and after every restart runs ``recover()`` first, then carries on where its journal says.

Its rule, the one the README gives: bot intent ``i`` has keys derived from ``(i, attempt)``;
an attempt is placed anew (next key) only when the journal says the previous one is NOT_SENT
(or, for a cashout, DECLINED). ACCEPTED is done; UNKNOWN is left alone.

Usage: ``python killbot.py pinnacle URL USER PASSWORD JOURNAL LINE_ID EVENT_ID N`` or
``python killbot.py odds88 URL CLIENT_ID PASSWORD JOURNAL N``. Prints ``start``, ``go`` (after
recover) and ``done``.
"""

from __future__ import annotations

import contextlib
import sys
import uuid

import anyio

from wagerkit.errors import WagerkitError
from wagerkit.execution import OrderManager, SqliteJournal
from wagerkit.transport import RetryPolicy

NS = uuid.UUID("0b7e6a4c-6d0e-4c4e-9a55-3f8f9d1f2a10")
RETRY = RetryPolicy(attempts=3, timeout=10.0, wait_initial=0.01, wait_max=0.05)


def pinnacle_key(i: int, attempt: int) -> str:
    return str(uuid.uuid5(NS, f"{i}/{attempt}"))


def odds88_key(i: int, attempt: int) -> str:
    return f"k{i}-{attempt}"


def _next(
    status: dict[str, str], key_of: object, i: int, retry_on: tuple[str, ...]
) -> tuple[str, str | None]:
    """The key to act on for intent ``i`` and its journaled status (None: never journaled)."""
    attempt = 0
    while True:
        key: str = key_of(i, attempt)  # type: ignore[operator]
        st = status.get(key)
        if st is None or st not in retry_on:
            return key, st
        attempt += 1


async def pinnacle(
    url: str, user: str, password: str, path: str, line: int, event: int, n: int
) -> None:
    from wagerkit.pinnacle import AsyncPinnacleClient
    from wagerkit.pinnacle.execution import PinnacleAdapter, straight_bet

    async with AsyncPinnacleClient(
        user, password, base_url=url, currency="USD", retry=RETRY, timeout=5.0
    ) as client:
        journal = SqliteJournal(path)
        manager = OrderManager(PinnacleAdapter(client), journal=journal)
        await manager.recover(resend=True)
        print("go", flush=True)
        status = {r.key: r.status for r in journal.history(venue="pinnacle")}
        for i in range(n):
            key, st = _next(status, pinnacle_key, i, ("NOT_SENT",))
            if st is not None:
                continue
            bet = straight_bet(
                sport_id=29,
                event_id=event,
                period_number=0,
                bet_type="MONEYLINE",
                team="TEAM1",
                line_id=line,
                stake=1.0,
                unique_request_id=key,
            )
            # a failure is journaled (NOT_SENT: the next run places the next attempt)
            with contextlib.suppress(WagerkitError):
                await manager.place(bet)
        journal.close()  # a clean exit: whatever the journal still buffers is written
    print("done", flush=True)


async def odds88(url: str, client_id: str, password: str, path: str, n: int) -> None:
    from wagerkit.odds88 import (
        Amount,
        BetAmount,
        BetItem,
        BetRequest,
        CashoutPriceChange,
        Odds88Client,
        Player,
    )
    from wagerkit.odds88.execution import Odds88Adapter, Odds88Bet, Odds88Cashout

    player = Player(device_id="d1", language_id="en", ip="127.0.0.1", segment_id=1)
    async with Odds88Client(url, client_id, password, retry=RETRY, timeout=5.0) as client:
        journal = SqliteJournal(path)
        manager = OrderManager(Odds88Adapter(client), journal=journal)
        await manager.recover(resend=True)
        print("go", flush=True)
        status = {r.key: r.status for r in journal.history(venue="odds88")}
        for i in range(n):
            key, st = _next(status, odds88_key, i, ("NOT_SENT",))
            if st is None:
                request = BetRequest(
                    id=key,
                    amount=BetAmount.from_decimal("10.00", "EUR", 2),
                    items=[BetItem(1001, 2001, 3001, price=2.10)],
                    player=player,
                )
                try:
                    st = (await manager.place(Odds88Bet(player_id="p1", request=request))).status
                except WagerkitError:
                    continue
            if st != "ACCEPTED":
                continue
            bet_id = key

            def cash_key(_i: int, attempt: int, bet_id: str = bet_id) -> str:
                return f"cashout/{bet_id}/{attempt + 1}"

            ckey, cst = _next(status, cash_key, i, ("NOT_SENT", "DECLINED"))
            if cst is not None:
                continue
            attempt = int(ckey.rsplit("/", 1)[1])
            cashout = Odds88Cashout(
                player_id="p1",
                bet_id=bet_id,
                amount=Amount(95000, 4, "EUR"),
                price_change=CashoutPriceChange.ANY,
                attempt=attempt,
            )
            with contextlib.suppress(WagerkitError):
                await manager.place(cashout)
        journal.close()
    print("done", flush=True)


def main(argv: list[str]) -> None:
    print("start", flush=True)
    venue = argv[0]
    if venue == "pinnacle":
        url, user, password, path, line, event, n = argv[1:]
        anyio.run(pinnacle, url, user, password, path, int(line), int(event), int(n))
    else:
        url, client_id, password, path, n = argv[1:]
        anyio.run(odds88, url, client_id, password, path, int(n))


if __name__ == "__main__":
    main(sys.argv[1:])
