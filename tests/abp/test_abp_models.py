"""Decoding ABP's documented shapes: tolerant of new fields, strict on types, raw kept."""

from __future__ import annotations

import importlib.resources

import msgspec
import pytest

from wagerkit.abp.models import (
    Account,
    AccountCreate,
    AccountUpdate,
    BetStatus,
    OrderStatus,
    PlaceStatus,
    SettlementStatus,
    decode_accounts,
    decode_bets_page,
    decode_betslip,
    decode_error,
    decode_orders_page,
    decode_place,
    decode_pnl,
    decode_positions,
)

QUICKSTART_ACCOUNTS = b"""[{"bookmaker":"pinnacle","username":"pinnacle_main",
"client":"your-client","password":"***","balance":5000.0,"active":true,"priority":10,"maxStake":1000.0,"minStake":5.0,
"currencyId":"USD","verifyBetslip":false,"meta":{},"createdAt":"2026-01-01T00:00:00Z",
"updatedAt":"2026-02-01T12:00:00Z","multiLimitAllowed":true,
"currencyInfo":{"currency":"USD","currencyValue":1,"updatedAt":"2026-02-07T17:29:32+00:00"}}]"""

QUICKSTART_PLACE = b"""{"status":"accepted","acceptedOrders":[{"orderId":327,
"requestUuid":"eb45b192-317b-42d5-9f65-af497b9fa8c1","orderStatus":"FILLED",
"fixtureId":"id1000004461512432","outcomeId":103,"orderStake":10.0,"orderPrice":1.95,
"filledStake":10.0,"bets":[{"betId":73,"bookmaker":"pinnacle","placedPrice":1.98,
"placedStake":10.0,"betStatus":"CONFIRMED"}]}],"declinedOrders":[]}"""

QUICKSTART_DECLINED = b"""{"status":"declined","acceptedOrders":[],"declinedOrders":[
{"requestUuid":"fb5f2dd9-c855-4ba9-8ef9-4c2278ca2f1d","fixtureId":"id1000004461512432",
"outcomeId":103,"declineReason":"Order stake 100.00 USD exceeds available limit 50.00 USD"}]}"""

QUICKSTART_BETS = b"""{"status":"success","bets":[{"betId":73,"orderId":327,"bookmaker":"pinnacle",
"bookmakerBetId":"3332684214","placedStake":10.0,"placedPrice":1.98,"placedCurrency":"USD",
"betStatus":"CONFIRMED","settlementStatus":"UNSETTLED","account":"pinnacle_main",
"userRef":"my-strategy-1"}],"count":1,"hasMore":false,"nextCursor":null}"""

QUICKSTART_POSITIONS = b"""{"status":"success","groupBy":"bookmaker","positions":[{"bookmaker":
"pinnacle","openBets":5,"totalStake":250.0,"avgPrice":1.92}],"count":1,"totalStake":250.0,
"totalOpenBets":5}"""

QUICKSTART_PNL = b"""{"status":"success","groupBy":"bookmaker","pnl":[{"bookmaker":"pinnacle",
"settledBets":42,"wins":23,"losses":17,"netPnl":250.0,"winRate":54.8}],"count":1,
"totalNetPnl":250.0,"totalStaked":2100.0,"totalSettledBets":42}"""


def quickstart_betslip() -> bytes:
    return (importlib.resources.files("wagerkit") / "data" / "quickstart_betslip.json").read_bytes()


def test_quickstart_betslip_decodes_with_both_currencies() -> None:
    slip = decode_betslip(quickstart_betslip())
    assert slip.fixture_info is not None and slip.fixture_info.name == "AS Roma v Cagliari Calcio"
    assert slip.outcome_info is not None and slip.outcome_info.market_name == "Full Time Result"
    sharp = slip.odds["sharpbet"]["id1000004461512432:sharpbet:103:0"]
    assert (sharp.price, sharp.limit, sharp.limit_currency, sharp.limit_usd) == (
        2.0,
        751.34,
        "EUR",
        886.13,
    )
    assert sharp.currency_info is not None and sharp.currency_info.currency_value == 0.84788876
    assert [bm for bm, _, _ in slip.quotes()] == ["sharpbet", "pinnacle"]  # best price first


def test_raw_bytes_are_kept_exactly() -> None:
    data = quickstart_betslip()
    assert decode_betslip(data).raw is data
    assert decode_place(QUICKSTART_PLACE).raw == QUICKSTART_PLACE
    assert decode_accounts(QUICKSTART_ACCOUNTS).raw == QUICKSTART_ACCOUNTS


def test_every_quickstart_response_decodes() -> None:
    (acc,) = decode_accounts(QUICKSTART_ACCOUNTS)
    assert acc.priority == 10 and acc.currency_info is not None and acc.max_stake == 1000.0
    place = decode_place(QUICKSTART_PLACE)
    assert place.status is PlaceStatus.ACCEPTED
    (order,) = place.accepted_orders
    assert (
        order.order_status is OrderStatus.FILLED and order.bets[0].bet_status is BetStatus.CONFIRMED
    )
    declined = decode_place(QUICKSTART_DECLINED)
    assert declined.status is PlaceStatus.DECLINED
    assert "exceeds available limit" in declined.declined_orders[0].decline_reason
    bets = decode_bets_page(QUICKSTART_BETS)
    assert bets.bets[0].settlement_status is SettlementStatus.UNSETTLED and not bets.has_more
    assert bets.bets[0].bookmaker_bet_id == "3332684214"
    assert decode_positions(QUICKSTART_POSITIONS).positions[0].avg_price == 1.92
    assert decode_pnl(QUICKSTART_PNL).pnl[0].win_rate == 54.8


def test_unknown_fields_are_ignored() -> None:
    data = QUICKSTART_BETS.replace(b'"betId":73,', b'"betId":73,"brandNewField":{"x":[1,2]},')
    assert decode_bets_page(data).bets[0].bet_id == 73


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b'"betId":73', b'"betId":"73"'),  # a string where an int belongs
        (b'"placedPrice":1.98', b'"placedPrice":"1.98"'),
        (b'"betStatus":"CONFIRMED"', b'"betStatus":"MAYBE"'),  # not a documented status
        (b'"hasMore":false', b'"hasMore":"no"'),
    ],
)
def test_wrong_types_are_rejected(old: bytes, new: bytes) -> None:
    with pytest.raises(msgspec.ValidationError):
        decode_bets_page(QUICKSTART_BETS.replace(old, new))


def test_orders_page_accepts_the_older_bare_array() -> None:
    page = decode_orders_page(b'[{"orderId":1,"orderStatus":"PENDING"}]')
    assert [o.order_id for o in page.orders] == [1] and not page.has_more


def test_both_error_body_shapes() -> None:
    middleware = decode_error(b'{"error":"Invalid or inactive API key"}')
    assert middleware is not None and middleware.message == "Invalid or inactive API key"
    app = decode_error(b'{"detail":"No odds found for given parameters"}')
    assert app is not None and app.message == "No odds found for given parameters"
    v = decode_error(
        b'{"detail":[{"loc":["body","orders",0,"orderStake"],'
        b'"msg":"Input should be greater than 0","type":"greater_than"}]}'
    )
    assert v is not None and v.message == "body.orders.0.orderStake: Input should be greater than 0"
    r = decode_error(b'{"detail":"Rate limit exceeded","limit":"100","retry_after":1}')
    assert r is not None and r.retry_after == 1 and r.limit == "100"
    assert decode_error(b"<html>bad gateway</html>") is None


def test_passwords_never_appear_in_reprs() -> None:
    create = AccountCreate(bookmaker="pinnacle", username="u", password="hunter2-secret")
    update = AccountUpdate(password="hunter2-secret", priority=3)
    assert "hunter2" not in repr(create) and "hunter2" not in repr(update)
    assert "priority=3" in repr(update)
    acc = msgspec.json.decode(b'{"bookmaker":"b","username":"u","password":"plain"}', type=Account)
    assert "plain" not in repr(acc)


def test_account_update_sends_only_what_is_set() -> None:
    body = msgspec.json.encode(AccountUpdate(max_stake=None, priority=7))
    assert msgspec.json.decode(body) == {"maxStake": None, "priority": 7}
