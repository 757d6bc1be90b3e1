"""Cashout with the three priceChange choices, the 2 % rule, and hostile answers."""

from __future__ import annotations

import pytest

from wagerkit.errors import InvalidInput, MaybePlaced, ServerError
from wagerkit.odds88 import (
    Amount,
    BetSettlement,
    CashedOut,
    CashoutAvailable,
    CashoutPriceChange,
    CashoutRejected,
    Odds88Client,
)
from wagerkit.sim.odds88.testing import RunningOdds88

from .helpers import ARSENAL_HOME, bet_request

pytestmark = pytest.mark.anyio

# 10.00 EUR at 2.10: cashout = 10 × 2.10 / current × 95 %, precision 4
AT_2_10 = Amount(95000, 4, "EUR")
AT_2_12 = Amount(94103, 4, "EUR")  # 0.94 % below: inside 2 %
AT_2_20 = Amount(90681, 4, "EUR")  # 4.5 % below: outside 2 %


async def _bet(client: Odds88Client) -> str:
    result = await client.place_bet("p1", bet_request())
    assert result.request_id is not None
    return result.request_id


async def test_feed_amount_cashes_out_exactly_and_settles_as_cashout(
    client: Odds88Client, server: RunningOdds88
) -> None:
    bet_id = await _bet(client)
    async with client.cashout_feed() as feed, client.keep_subscribed([bet_id]):
        updates = aiter(feed)
        first = await anext(updates)
        assert isinstance(first, CashoutAvailable)
        assert first.amount == AT_2_10
        done = await client.cashout(bet_id, first.amount, CashoutPriceChange.STRICT)
        assert done.amount == AT_2_10
        assert done.result.raw is not None and b'"success":true' in done.result.raw
        last = await anext(updates)
        assert isinstance(last, CashedOut)
    settlement = await client.get_settlement("p1", bet_id)
    assert settlement.bet_settlement is BetSettlement.CASH_OUT
    assert settlement.payout == pytest.approx(9.5)


async def test_strict_refuses_any_move_and_reports_the_new_amount(
    client: Odds88Client, server: RunningOdds88
) -> None:
    bet_id = await _bet(client)
    server.sim.set_price(ARSENAL_HOME[2], 2.12)
    with pytest.raises(CashoutRejected) as info:
        await client.cashout(bet_id, AT_2_10, CashoutPriceChange.STRICT)
    assert info.value.reason == "AmountChanged"
    assert info.value.amount == AT_2_12
    assert info.value.request_id == bet_id


async def test_within_two_percent_pays_the_current_amount(
    client: Odds88Client, server: RunningOdds88
) -> None:
    bet_id = await _bet(client)
    server.sim.set_price(ARSENAL_HOME[2], 2.12)
    done = await client.cashout(bet_id, AT_2_10, CashoutPriceChange.WITHIN_2_PERCENT)
    assert done.amount == AT_2_12


async def test_beyond_two_percent_needs_any(client: Odds88Client, server: RunningOdds88) -> None:
    bet_id = await _bet(client)
    server.sim.set_price(ARSENAL_HOME[2], 2.20)
    with pytest.raises(CashoutRejected) as info:
        await client.cashout(bet_id, AT_2_10)  # default: within 2 %
    assert info.value.amount == AT_2_20
    done = await client.cashout(bet_id, AT_2_10, CashoutPriceChange.ANY)
    assert done.amount == AT_2_20
    with pytest.raises(CashoutRejected, match="AlreadyCashedOut"):
        await client.cashout(bet_id, AT_2_20, CashoutPriceChange.ANY)


async def test_refusals_carry_the_venue_reason(client: Odds88Client, server: RunningOdds88) -> None:
    bet_id = await _bet(client)
    with pytest.raises(CashoutRejected, match="CurrencyMismatch"):
        await client.cashout(bet_id, Amount(95000, 4, "USD"))
    with pytest.raises(CashoutRejected, match="BetNotFound"):
        await client.cashout("no-such-bet", AT_2_10)
    server.sim.suspend_market(ARSENAL_HOME[1])
    with pytest.raises(CashoutRejected, match="MarketSuspended"):
        await client.cashout(bet_id, AT_2_10)


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_bad_input_is_refused_before_anything_is_sent(
    client: Odds88Client, server: RunningOdds88
) -> None:
    calls = [
        ("", AT_2_10, 1),
        ("a/b", AT_2_10, 1),
        ("b1", 9.5, 1),
        ("b1", Amount(0, 4, "EUR"), 1),
        ("b1", AT_2_10, 3),
        ("b1", AT_2_10, -1),
    ]
    for bet_id, amount, change in calls:
        with pytest.raises(InvalidInput):
            await client.cashout(bet_id, amount, change)  # type: ignore[arg-type]


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize(
    "fault",
    [
        "garbage",  # a 2xx we cannot read: the cashout may have happened
        "wrong_type",
        "huge",
        "html",  # a 5xx on a money call is ambiguous
        "500_after",
    ],
)
async def test_hostile_answers_to_a_cashout_are_maybe_placed(
    client: Odds88Client, server: RunningOdds88, fault: str
) -> None:
    bet_id = await _bet(client)
    server.sim.inject_fault("/api/Cashout", fault)
    with pytest.raises(MaybePlaced, match="get_settlement") as info:
        await client.cashout(bet_id, AT_2_10)
    assert info.value.request_id == bet_id


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize("fault", ["garbage_after", "wrong_type_after", "huge_after"])
async def test_an_unreadable_2xx_after_a_real_cashout_is_maybe_placed_and_says_where_to_look(
    client: Odds88Client, server: RunningOdds88, fault: str
) -> None:
    """The venue cashed out and the answer was mangled: never a plain ProtocolError, which a
    bot would read as "nothing happened"."""
    bet_id = await _bet(client)
    server.sim.inject_fault("/api/Cashout", fault)
    with pytest.raises(MaybePlaced, match="get_settlement") as info:
        await client.cashout(bet_id, AT_2_10)
    assert info.value.request_id == bet_id
    settlement = await client.get_settlement("p1", bet_id)  # where the message says to look
    assert settlement.bet_settlement is BetSettlement.CASH_OUT


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize(
    "body",
    [
        b'{"success": true, "reason": null, "payload": null}',
        b'{"success": true, "payload": {"betId": "another-bet", "localAmount": 95000}}',
        b'{"success": true, "payload": {"localAmount": 100000000000000000000000}}',
        b'{"success": true, "payload": {"localAmount": 95000.5}}',
    ],
)
async def test_a_successful_cashout_without_a_usable_amount_is_maybe_placed(
    client: Odds88Client, server: RunningOdds88, body: bytes
) -> None:
    bet_id = await _bet(client)
    server.sim.inject_response("/api/Cashout", body, process=True)
    with pytest.raises(MaybePlaced) as info:
        await client.cashout(bet_id, AT_2_10)
    assert info.value.request_id == bet_id


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_long_rejection_reason_is_cut_short(
    client: Odds88Client, server: RunningOdds88
) -> None:
    bet_id = await _bet(client)
    reason = rb"Nope\u0007" + b"z" * 100_000
    body = b'{"success": false, "reason": "' + reason + b'", "payload": null}'
    server.sim.inject_response("/api/Cashout", body)
    with pytest.raises(CashoutRejected) as info:
        await client.cashout(bet_id, AT_2_10)
    assert info.value.reason.startswith("Nope?")
    assert len(str(info.value)) < 500


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_pascal_case_rejection_from_the_docs_is_understood(
    client: Odds88Client, server: RunningOdds88
) -> None:
    import httpx

    body = (
        b'{"Success": false, "Reason": "AmountChanged",'
        b' "Payload": {"BetId": "b1", "LocalAmount": 9}}'
    )
    response = httpx.Response(200, content=body)
    result = client._decode_cashout(response)
    assert result.success is False and result.reason == "AmountChanged"
    assert result.payload is not None and result.payload.local_amount == 9
    assert result.raw == body


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_server_error_on_a_read_is_retried_then_typed(
    client: Odds88Client, server: RunningOdds88
) -> None:
    server.sim.inject_fault("/api/CurrencyExchange", "500", count=1)
    assert await client.active_currencies()  # retried once, then fine
    server.sim.inject_fault("/api/CurrencyExchange", "500", count=10)
    with pytest.raises(ServerError):
        await client.active_currencies()
