"""The blocking client: same names, same behaviour, from plain code (no event loop here)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from wagerkit.clock import FakeClock
from wagerkit.odds88 import (
    BetSettlement,
    BlockingOdds88Client,
    CashedOut,
    CashoutAvailable,
    CashoutPriceChange,
    Odds88Client,
)
from wagerkit.sim.odds88.testing import RunningOdds88, odds88_server

from .conftest import FAST_RETRY, PASSWORD
from .helpers import bet_request


@pytest.fixture
def blocking_server() -> Iterator[tuple[RunningOdds88, FakeClock]]:
    clock = FakeClock()
    with odds88_server(password=PASSWORD, clock=clock, ping_interval=0.1) as srv:
        yield srv, clock


def test_method_names_match_the_async_client() -> None:
    def public(cls: type) -> set[str]:
        return {n for n in vars(cls) if not n.startswith("_")}

    assert public(Odds88Client) - {"aclose", "auth"} <= public(BlockingOdds88Client) | {
        "subscriptions"
    }


def test_blocking_round_trip(blocking_server: tuple[RunningOdds88, FakeClock]) -> None:
    srv, clock = blocking_server
    with BlockingOdds88Client(
        srv.base_url, srv.client_id, srv.password, clock=clock, retry=FAST_RETRY
    ) as odds88:
        request = bet_request()
        assert odds88.place_bet("p1", request).accepted
        with odds88.cashout_feed() as feed, odds88.keep_subscribed([request.id]):
            updates = iter(feed)
            first = next(updates)
            assert isinstance(first, CashoutAvailable)
            clock.advance(600)  # past the first expiry: the keeper renewed on its loop thread
            done = odds88.cashout(request.id, first.amount, CashoutPriceChange.STRICT)
            assert done.amount == first.amount
            assert isinstance(next(updates), CashedOut)
        settled = odds88.get_settlement("p1", request.id)
        assert settled.bet_settlement is BetSettlement.CASH_OUT
        assert not srv.sim.subscribed(srv.client_id)
    assert not any(t.name.startswith("AnyIO") and t.is_alive() for t in threading.enumerate())
