"""Bets V2: place, max bet, get, settlements; reject reasons mapped onto the error tree."""

from __future__ import annotations

import math

import anyio
import pytest

from wagerkit.clock import FakeClock
from wagerkit.errors import (
    Declined,
    InvalidInput,
    MaybePlaced,
    NotFound,
    ProtocolError,
    VenueError,
)
from wagerkit.odds88 import (
    BetAmount,
    BetItem,
    BetRejected,
    BetRequest,
    BetRequestRefused,
    BetResultType,
    BetSettlement,
    Odds88Client,
    PriceChange,
    RejectReason,
    ResponseCode,
)
from wagerkit.sim.odds88.testing import RunningOdds88

from .helpers import SINNER_LIVE, bet_request

pytestmark = pytest.mark.anyio


async def test_accepted_bet_can_be_read_back(client: Odds88Client) -> None:
    request = bet_request(stake="12.34")
    result = await client.place_bet("p1", request)
    assert result.result_type is BetResultType.ACCEPTED
    assert result.accepted_bet is not None
    assert result.accepted_bet.amount == BetAmount("EUR", 1234, 2)
    again = await client.get_bet("p1", request.id)
    assert again.accepted and again.request_id == request.id
    assert again.raw is not None
    unsettled = await client.get_settlement("p1", request.id)
    assert unsettled.bet_settlement is BetSettlement.NONE


async def test_placing_the_same_id_twice_is_one_bet(
    client: Odds88Client, server: RunningOdds88
) -> None:
    request = bet_request()
    await client.place_bet("p1", request)
    await client.place_bet("p1", request)
    assert sum(1 for (_c, b) in server.sim.bets if b == request.id) == 1


@pytest.mark.parametrize(
    ("request_kwargs", "reason", "category"),
    [
        ({"price": 2.30}, RejectReason.PRICE_CHANGED_LOW, "price"),
        ({"price": 2.00}, RejectReason.PRICE_CHANGED_HIGH, "price"),
        ({"leg": (9999, 2001, 3001, 2.1)}, RejectReason.EVENT_NOT_FOUND, "availability"),
        ({"leg": (1001, 2001, 1, 2.1)}, RejectReason.SELECTION_NOT_FOUND, "availability"),
        ({"stake": "1000.01"}, RejectReason.BET_LIMIT_EXCEEDED, "limit"),
    ],
)
async def test_reject_reasons_become_bet_rejected(
    client: Odds88Client, request_kwargs: dict[str, object], reason: RejectReason, category: str
) -> None:
    with pytest.raises(BetRejected) as info:
        await client.place_bet("p1", bet_request(**request_kwargs))  # type: ignore[arg-type]
    error = info.value
    assert isinstance(error, Declined)
    assert error.reject_reason is reason and error.reason == reason.name
    assert error.category == category
    if reason is RejectReason.BET_LIMIT_EXCEEDED:
        assert error.max_bet == BetAmount("EUR", 100000, 2)


async def test_price_change_choices_for_bets(client: Odds88Client) -> None:
    higher_ok = await client.place_bet(
        "p1", bet_request(price=2.00, price_change=PriceChange.HIGHER)
    )
    assert higher_ok.accepted_bet is not None and higher_ok.accepted_bet.items
    assert higher_ok.accepted_bet.items[0].price == pytest.approx(2.10)
    with pytest.raises(BetRejected):
        await client.place_bet("p1", bet_request(price=2.30, price_change=PriceChange.HIGHER))
    assert await client.place_bet("p1", bet_request(price=2.30, price_change=PriceChange.ANY))


@pytest.mark.parametrize(
    ("currency", "precision", "stake", "code"),
    [
        ("EUR", 3, "10.000", ResponseCode.PRECISION_MISMATCH),
        ("XAU", 2, "10.00", ResponseCode.UNSUPPORTED_CURRENCY),
    ],
)
async def test_wrapper_refusals_become_bet_request_refused(
    client: Odds88Client, currency: str, precision: int, stake: str, code: ResponseCode
) -> None:
    request = bet_request(stake=stake, currency=currency, precision=precision)
    with pytest.raises(BetRequestRefused) as info:
        await client.place_bet("p1", request)
    assert info.value.response_code is code


async def test_max_bet_names_the_limit(client: Odds88Client) -> None:
    best = await client.max_bet("p1", bet_request(stake="1.00"))
    assert best.reject_reason == 0
    assert best.amount == BetAmount("EUR", 100000, 2)
    missing = await client.max_bet("p1", bet_request((9999, 1, 1, 2.0)))
    assert missing.reject_reason == RejectReason.EVENT_NOT_FOUND


async def test_live_bet_is_pending_until_the_delay_passes(
    client: Odds88Client, clock: FakeClock
) -> None:
    request = bet_request(SINNER_LIVE)
    first = await client.place_bet("p1", request)
    assert first.pending
    clock.advance(5.0)
    final = await client.wait_for_bet("p1", request.id, timeout=1.0)
    assert final.accepted


async def test_settlement_pays_by_the_bet_enum(client: Odds88Client, server: RunningOdds88) -> None:
    request = bet_request(stake="10.00")
    await client.place_bet("p1", request)
    server.sim.settle_bet(server.client_id, request.id, BetSettlement.HALF_WIN)
    settled = await client.get_settlement("p1", request.id)
    assert settled.bet_settlement is BetSettlement.HALF_WIN
    assert settled.payout == pytest.approx(15.5)  # half at 2.10, half returned
    assert settled.selections and settled.selections[0].settlement is not None
    assert settled.selections[0].settlement.settlement_result is BetSettlement.HALF_WIN


async def test_unknown_bet_and_wrong_player_are_not_found(client: Odds88Client) -> None:
    request = bet_request()
    await client.place_bet("p1", request)
    with pytest.raises(NotFound):
        await client.get_bet("p1", "nope")
    with pytest.raises(NotFound):
        await client.get_bet("p2", request.id)


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_bad_requests_are_refused_before_sending(
    client: Odds88Client, server: RunningOdds88
) -> None:
    with pytest.raises(InvalidInput):
        await client.place_bet("", bet_request())
    with pytest.raises(InvalidInput):
        await client.place_bet("p/1", bet_request())
    with pytest.raises(InvalidInput):
        await client.place_bet("p1", {"id": "x"})  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        await client.place_bet("p1", bet_request(stake="0"))
    assert not server.sim.bets


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_lost_answer_is_reconciled_by_request_id(
    client: Odds88Client, server: RunningOdds88
) -> None:
    request = bet_request()
    server.sim.inject_fault("/api/players/p1/Bets/V2", "500_after")
    result = await client.place_bet("p1", request)  # stored, then answered 500
    assert result.accepted and result.request_id == request.id
    other = bet_request()
    server.sim.inject_fault("/api/players/p1/Bets/V2", "500")  # never stored
    with pytest.raises(MaybePlaced) as info:
        await client.place_bet("p1", other)
    assert info.value.request_id == other.id


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_malformed_bet_answer_is_a_protocol_error(
    client: Odds88Client, server: RunningOdds88
) -> None:
    server.sim.inject_fault("/api/players/p1/Bets", "wrong_type")
    with pytest.raises(ProtocolError):
        await client.get_bet("p1", "whatever")


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize("fault", ["garbage_after", "wrong_type_after", "huge_after"])
async def test_an_unreadable_2xx_placement_is_looked_up_by_request_id(
    client: Odds88Client, server: RunningOdds88, fault: str
) -> None:
    """A 2xx means the bet was probably stored: ask by request id, never raise blindly."""
    request = bet_request()
    server.sim.inject_fault("/api/players/p1/Bets/V2", fault)  # stored, answer mangled
    result = await client.place_bet("p1", request)
    assert result.accepted and result.request_id == request.id
    assert sum(1 for (_c, b) in server.sim.bets if b == request.id) == 1


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize(
    "body",
    [
        b'{"responseCode": 1, "errorMessage": null, "payload": null}',  # success, no result
        b'{"responseCode": 77, "payload": null}',  # a code this version does not know
        b'{"responseCode": 1, "payload": {"resultType": 2, "requestId": "someone-else"}}',
    ],
)
async def test_a_2xx_placement_that_says_too_little_is_looked_up(
    client: Odds88Client, server: RunningOdds88, body: bytes
) -> None:
    request = bet_request()
    server.sim.inject_response("/api/players/p1/Bets/V2", body, process=True)
    result = await client.place_bet("p1", request)
    assert result.accepted and result.request_id == request.id


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_an_unreadable_2xx_for_a_bet_never_stored_is_maybe_placed(
    client: Odds88Client, server: RunningOdds88
) -> None:
    """The lookup finds nothing: still MaybePlaced (ask again), never a ProtocolError."""
    request = bet_request()
    server.sim.inject_fault("/api/players/p1/Bets/V2", "garbage")  # not processed
    with pytest.raises(MaybePlaced) as info:
        await client.place_bet("p1", request)
    assert info.value.request_id == request.id
    assert "not found by request id" in str(info.value)
    assert not server.sim.bets


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_failed_lookup_after_an_ambiguous_placement_is_maybe_placed(
    client: Odds88Client, server: RunningOdds88
) -> None:
    request = bet_request()
    server.sim.inject_fault("/api/players/p1/Bets/V2", "garbage_after")
    server.sim.inject_fault("/api/players/p1/Bets/" + request.id, "garbage", count=5)
    with pytest.raises(MaybePlaced) as info:
        await client.place_bet("p1", request)
    assert info.value.request_id == request.id
    assert "lookup" in str(info.value)


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_bet_read_back_under_another_request_id_is_a_protocol_error(
    client: Odds88Client, server: RunningOdds88
) -> None:
    request = bet_request()
    await client.place_bet("p1", request)
    server.sim.inject_response(
        "/api/players/p1/Bets/" + request.id, b'{"resultType": 2, "requestId": "other"}'
    )
    with pytest.raises(ProtocolError):
        await client.get_bet("p1", request.id)


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_venue_amount_that_breaks_the_rules_is_a_protocol_error(
    client: Odds88Client, server: RunningOdds88
) -> None:
    """The same checks that make a caller's bad Amount InvalidInput make the venue's a
    ProtocolError: the blame follows the direction."""
    request = bet_request()
    await client.place_bet("p1", request)
    path = "/api/players/p1/Bets/" + request.id
    for amount in (
        b'{"currency": "", "value": 1000, "precision": 2}',
        b'{"currency": "EUR", "value": 1000, "precision": 99}',
        b'{"currency": "EUR", "value": 100000000000000000000000, "precision": 2}',
    ):
        body = b'{"resultType": 2, "acceptedBet": {"amount": ' + amount + b"}}"
        server.sim.inject_response(path, body)
        with pytest.raises(ProtocolError):
            await client.get_bet("p1", request.id)


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_long_venue_messages_are_cut_short_in_errors(
    client: Odds88Client, server: RunningOdds88
) -> None:
    request = bet_request()
    refusal = b'{"responseCode": 2, "errorMessage": "' + b"x" * 100_000 + b'", "payload": null}'
    server.sim.inject_response("/api/players/p1/Bets/V2", refusal)
    with pytest.raises(BetRequestRefused) as refused:
        await client.place_bet("p1", request)
    problem = b'{"title": "bad", "detail": "' + b"y" * 100_000 + b'"}'
    server.sim.inject_response("/api/players/p1/Bets/V2", problem, status=400)
    with pytest.raises(VenueError) as bad:
        await client.place_bet("p1", bet_request())
    for error in (refused.value, bad.value):
        assert len(str(error)) < 500


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_caller_mistakes_in_a_bet_request_are_invalid_input_and_never_sent(
    client: Odds88Client, server: RunningOdds88
) -> None:
    good = bet_request()
    item = good.items[0]
    bad_requests = [
        BetRequest(good.id, {"currency": "EUR", "value": 1, "precision": 2}, good.items),  # type: ignore[arg-type]
        BetRequest(
            good.id, good.amount, [BetItem(item.event_id, item.market_id, 3001, price=math.nan)]
        ),
        BetRequest(good.id, good.amount, [BetItem(1001, 2001, 3001, price=math.inf)]),
        BetRequest(good.id, good.amount, [BetItem(1001, 2001, 3001, price=1.0)]),
        BetRequest(good.id, good.amount, [BetItem("1001", 2001, 3001, price=2.1)]),  # type: ignore[arg-type]
        BetRequest(good.id, good.amount, [{"eventId": 1001}]),  # type: ignore[list-item]
        BetRequest(good.id, good.amount, good.items, price_change=7),  # type: ignore[arg-type]
        BetRequest(good.id, good.amount, good.items, custom_payout_multiplier=math.nan),
    ]
    for request in bad_requests:
        with pytest.raises(InvalidInput):
            await client.place_bet("p1", request)
        with pytest.raises(InvalidInput):
            await client.max_bet("p1", request)
    assert not server.sim.bets


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize(
    "options", [{"timeout": math.nan}, {"timeout": -1.0}, {"every": 0.0}, {"every": math.inf}]
)
async def test_wait_for_bet_refuses_bounds_that_would_never_end(
    client: Odds88Client, options: dict[str, float]
) -> None:
    request = bet_request(SINNER_LIVE)
    await client.place_bet("p1", request)  # pending for 5 s of the fake clock
    with anyio.fail_after(5), pytest.raises(InvalidInput):
        await client.wait_for_bet("p1", request.id, **options)


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_answers_nested_thousands_deep_are_protocol_or_venue_errors(
    client: Odds88Client, server: RunningOdds88
) -> None:
    """msgspec raises RecursionError for deep nesting; callers see the error tree only."""
    deep = b"[" * 100_000 + b"]" * 100_000
    server.sim.inject_response("/api/players/p1/Bets/x1", b'{"resultType":2,"x":' + deep + b"}")
    with pytest.raises(ProtocolError):
        await client.get_bet("p1", "x1")
    problem = b'{"title":"bad","extra":' + deep + b"}"
    server.sim.inject_response("/api/players/p1/Bets/V2", problem, status=400)
    with pytest.raises(VenueError) as info:
        await client.place_bet("p1", bet_request())
    assert info.value.status == 400


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_ids_cannot_reach_another_bet_through_the_url(
    client: Odds88Client, server: RunningOdds88
) -> None:
    """Unencoded, "x#1" would GET bet "x" (the rest is a fragment) and ".." would climb the
    path: a lookup by request id must only ever read that request id."""
    other = bet_request(request_id="x")
    await client.place_bet("p1", other)
    with pytest.raises(NotFound):
        await client.get_bet("p1", "x#1")
    with pytest.raises(NotFound):
        await client.get_bet("p1", "x?y=1")
    with pytest.raises(NotFound):
        await client.get_settlement("p1", "x#")
    for bad in (".", ".."):
        with pytest.raises(InvalidInput):
            await client.get_bet("p1", bad)
        with pytest.raises(InvalidInput):
            await client.get_bet(bad, "x")
    odd = bet_request(request_id="r 1#%?")
    placed = await client.place_bet("p 1?#", odd)  # stored under exactly these ids
    assert placed.request_id == odd.id
    assert (await client.get_bet("p 1?#", odd.id)).request_id == odd.id


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_client_and_cashout_options_are_checked(
    client: Odds88Client, server: RunningOdds88
) -> None:
    from wagerkit.odds88 import Amount, CurrencyType

    for timeout in (math.nan, math.inf, 0.0, -1.0):
        with pytest.raises(InvalidInput):
            Odds88Client(server.base_url, server.client_id, server.password, timeout=timeout)
    with pytest.raises(InvalidInput):
        await client.cashout("b1", Amount(1, 4, "EUR"), True)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        await client.active_currencies("fiat")  # type: ignore[arg-type]
    assert {c.symbol for c in await client.active_currencies(CurrencyType(2))} == {"BTC"}
