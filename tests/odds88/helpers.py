"""Small builders shared by the Odds88 tests."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import anyio

from wagerkit.odds88 import BetAmount, BetItem, BetRequest, Player, PriceChange

# the simulator's offer: (event, market, selection, price)
ARSENAL_HOME = (1001, 2001, 3001, 2.10)
LAKERS = (1002, 2002, 3004, 1.95)
SINNER_LIVE = (1003, 2003, 3006, 1.80)


def bet_request(
    leg: tuple[int, int, int, float] = ARSENAL_HOME,
    *,
    stake: str = "10.00",
    currency: str = "EUR",
    precision: int = 2,
    price: float | None = None,
    price_change: PriceChange = PriceChange.NONE,
    request_id: str | None = None,
) -> BetRequest:
    event, market, selection, listed = leg
    return BetRequest(
        id=request_id or f"bet-{uuid.uuid4().hex[:12]}",
        amount=BetAmount.from_decimal(stake, currency, precision),
        items=[BetItem(event, market, selection, price=listed if price is None else price)],
        player=Player(device_id="d1", language_id="en", ip="127.0.0.1", segment_id=1),
        price_change=price_change,
    )


async def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll ``predicate`` (state changed by another task or the server thread), bounded."""
    with anyio.fail_after(timeout):
        while not predicate():  # noqa: ASYNC110 - no event to wait on across threads
            await anyio.sleep(0.01)
