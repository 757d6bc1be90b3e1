"""The state cache: ABP's latest word wins (its updatedAt, not a status rank), memory stays
bounded."""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import given
from hypothesis import strategies as st

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
    t: int | None = None,
) -> Bet:
    at = T0 + dt.timedelta(seconds=t) if t is not None else None
    return Bet(
        bet_id=bid, bet_status=status, settlement_status=settled, order_id=oid, updated_at=at
    )


def test_a_filled_order_goes_back_to_work_then_rejected_when_abp_says_so() -> None:
    """FILLED -> PENDING (its bet was rejected) -> REJECTED with 0 filled: each later
    updatedAt is taken although a status rank would call it a step back."""
    s = StateCache()
    seen: list[str] = []
    s.on_order.append(lambda o: seen.append(o.order_status.value))
    assert s.apply_order(order(1, OrderStatus.FILLED, 50.0, t=1), stream=True)
    assert s.apply_order(order(1, OrderStatus.PENDING, 0.0, t=2), stream=True)
    assert s.apply_order(order(1, OrderStatus.REJECTED, 0.0, t=3), stream=True)
    got = s.order(1)
    assert got is not None and got.order_status is OrderStatus.REJECTED
    assert got.filled_stake == 0.0 and seen == ["FILLED", "PENDING", "REJECTED"]


def test_a_rest_snapshot_older_than_a_stream_update_never_undoes_it() -> None:
    s = StateCache()
    s.apply_order(order(1, OrderStatus.REJECTED, 0.0, t=5), stream=True)
    assert not s.apply_order(order(1, OrderStatus.FILLED, 50.0, t=4))  # a read from before
    assert s.order(1).order_status is OrderStatus.REJECTED  # type: ignore[union-attr]


def test_on_an_equal_updated_at_the_stream_wins_and_a_read_only_moves_forward() -> None:
    """Same millisecond: the stream's seq orders its updates, so a stream update is taken; a
    REST read is taken only if at least as far along (it cannot undo the stream)."""
    s = StateCache()
    s.apply_order(order(1, OrderStatus.FILLED, 50.0, t=1), stream=True)
    assert s.apply_order(order(1, OrderStatus.PENDING, 0.0, t=1), stream=True)
    assert not s.apply_order(order(1, OrderStatus.PENDING, 10.0, t=0))
    assert s.apply_order(order(1, OrderStatus.FILLED, 50.0, t=1))  # read, further along
    assert not s.apply_order(order(1, OrderStatus.PENDING, 0.0, t=1))  # read, behind


def test_an_order_whose_bet_failed_after_its_last_version_stays_open() -> None:
    """The stream lost the order's update after a bookmaker rejected its bet: the cache still
    says FILLED, but the rejection is newer than that version, so reconciliation re-reads it."""
    s = StateCache()
    s.apply_order(order(1, OrderStatus.FILLED, 5.0, t=1, bets=[bet(10, BetStatus.PENDING, t=1)]))
    s.apply_bet(bet(10, BetStatus.REJECTED, t=2))
    assert s.open_order_ids() == [1]
    s.apply_order(order(1, OrderStatus.REJECTED, 0.0, t=2))  # the re-read
    assert s.open_order_ids() == []
    s.apply_order(order(2, OrderStatus.FILLED, 5.0, t=1))  # filled, its bets never read
    assert s.open_order_ids() == [2]


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


@given(
    st.lists(
        st.tuples(st.sampled_from(list(OrderStatus)), st.floats(0, 100)), min_size=1, max_size=8
    ),
    st.randoms(use_true_random=False),
)
def test_whatever_the_arrival_order_the_latest_updated_at_is_kept(
    versions: list[tuple[OrderStatus, float]], rnd: random.Random
) -> None:
    """Versions of one order with distinct updatedAt, delivered in any order by any source:
    the cache ends holding the one ABP wrote last."""
    made = [order(1, status, filled, t=i) for i, (status, filled) in enumerate(versions)]
    arrivals = made[:]
    rnd.shuffle(arrivals)
    s = StateCache()
    for o in arrivals:
        s.apply_order(o, stream=rnd.random() < 0.5)
    assert s.order(1) == made[-1]
