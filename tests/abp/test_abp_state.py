"""The state cache: objects only move forward, memory stays bounded."""

from __future__ import annotations

import datetime as dt

from wagerkit.abp.models import Bet, BetStatus, Order, OrderStatus, SettlementStatus
from wagerkit.abp.state import StateCache

T0 = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)


def order(
    oid: int, status: OrderStatus, filled: float = 0.0, t: int = 0, bets: list[Bet] | None = None
) -> Order:
    return Order(
        order_id=oid,
        order_status=status,
        request_uuid=f"00000000-0000-4000-8000-{oid:012d}",
        filled_stake=filled,
        updated_at=T0 + dt.timedelta(seconds=t),
        bets=bets or [],
    )


def bet(
    bid: int,
    status: BetStatus,
    settled: SettlementStatus = SettlementStatus.UNSETTLED,
    oid: int = 1,
) -> Bet:
    return Bet(bet_id=bid, bet_status=status, settlement_status=settled, order_id=oid)


def test_a_stale_snapshot_never_moves_an_order_backwards() -> None:
    s = StateCache()
    assert s.apply_order(order(1, OrderStatus.FILLED, 10.0, t=5))
    assert not s.apply_order(order(1, OrderStatus.PENDING, 0.0, t=1))  # queued older update
    assert not s.apply_order(order(1, OrderStatus.FILLED, 10.0, t=3))  # same status, older
    assert s.order(1).order_status is OrderStatus.FILLED  # type: ignore[union-attr]
    assert s.apply_order(order(1, OrderStatus.FILLED, 10.0, t=9))


def test_bets_move_forward_through_settlement() -> None:
    s = StateCache()
    s.apply_bet(bet(1, BetStatus.CONFIRMED, SettlementStatus.WON))
    assert not s.apply_bet(bet(1, BetStatus.PLACED))
    assert s.bet(1).settlement_status is SettlementStatus.WON  # type: ignore[union-attr]


def test_nested_bets_are_indexed_by_order_and_uuid_lookup_works() -> None:
    s = StateCache()
    s.apply_order(order(7, OrderStatus.FILLED, 5.0, bets=[bet(70, BetStatus.CONFIRMED, oid=7)]))
    assert [b.bet_id for b in s.bets_of(7)] == [70]
    assert s.order_by_uuid("00000000-0000-4000-8000-000000000007") is not None
    assert s.open_order_ids() == [7]  # filled, but its bet is not settled yet
    s.apply_bet(bet(70, BetStatus.CONFIRMED, SettlementStatus.LOST, oid=7))
    assert s.open_order_ids() == []


def test_memory_is_bounded_by_count_and_ttl() -> None:
    now = [0.0]
    s = StateCache(max_orders=100, max_bets=50, ttl=60.0, clock=lambda: now[0])
    for i in range(1, 1001):
        s.apply_order(order(i, OrderStatus.PENDING))
        s.apply_bet(bet(i, BetStatus.PENDING, oid=i))
    assert len(s) == 100 and len(s.bets()) == 50
    assert s.max_order_id == 1000
    closed = StateCache(ttl=60.0, clock=lambda: now[0])
    closed.apply_order(order(1, OrderStatus.CANCELLED))
    now[0] = 120.0
    closed.apply_order(order(2, OrderStatus.PENDING))
    assert closed.order(1) is None and closed.order(2) is not None  # closed and stale: dropped


def test_callbacks_fire_only_on_change() -> None:
    s = StateCache()
    seen: list[int] = []
    s.on_order.append(lambda o: seen.append(o.order_id))
    s.apply_order(order(1, OrderStatus.PENDING))
    s.apply_order(order(1, OrderStatus.PENDING))
    s.apply_order(order(1, OrderStatus.FILLED, 1.0, t=1))
    assert seen == [1, 1]
