"""Wire models: exact money, tolerant of new fields, strict on types, raw kept."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import msgspec
import pytest

from wagerkit.errors import InvalidInput, ProtocolError
from wagerkit.odds88 import (
    Amount,
    BetAmount,
    BetSettlement,
    CashedOut,
    CashoutAvailable,
    CashoutNotSupported,
    CashoutUpdate,
    SelectionSettlement,
    SettledBet,
)
from wagerkit.odds88.responses import decode

UPDATE = (
    b'{"playerId":"p1","betId":"b1","status":1,"timestamp":"2026-01-01T00:00:01.250Z",'
    b'"amount":{"localAmount":40000,"precision":4,"currency":"USD"},"newField":[1,2]}'
)
_updates = msgspec.json.Decoder(CashoutUpdate)


def _plain(text: str) -> str:
    return text


def test_docs_example_amount_is_four_dollars_exactly() -> None:
    amount = Amount(40000, 4, "USD")
    assert amount.decimal() == Decimal("4.0000")
    assert amount.to_minor() == 400
    assert str(amount) == "4.0000 USD"


def test_finer_precision_rounds_only_as_asked() -> None:
    amount = Amount(40125, 4, "USD")  # 4.0125 USD
    assert amount.to_minor("down") == 401
    assert amount.to_minor("half_even") == 401
    assert amount.to_minor("up") == 402


def test_from_minor_round_trips_without_a_float() -> None:
    assert Amount.from_minor(401, "USD", 4) == Amount(40100, 4, "USD")
    assert Amount.from_minor(1050, "EUR") == Amount(1050, 2, "EUR")
    assert BetAmount.from_minor(1234, "JPY") == BetAmount("JPY", 1234, 0)
    # big amounts stay exact (beyond a float's 2**53, within the 64 bits Odds88 sends)
    assert Amount.from_minor(10**15 + 1, "USD", 4).local_amount == (10**15 + 1) * 100


def test_losing_a_digit_or_passing_a_float_is_refused() -> None:
    with pytest.raises(InvalidInput):
        Amount.from_minor(401, "USD", 1)  # 4.01 does not fit one decimal
    with pytest.raises(InvalidInput, match="float"):
        BetAmount.from_decimal(10.5, "EUR", 2)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        BetAmount.from_decimal("10.505", "EUR", 2)
    with pytest.raises(InvalidInput):
        BetAmount.from_decimal("NaN", "EUR", 2)
    with pytest.raises(InvalidInput):
        Amount(1, 19, "USD")
    with pytest.raises(InvalidInput):
        Amount(1, True, "USD")  # type: ignore[arg-type]


def test_crypto_amounts_stay_fixed_point() -> None:
    amount = BetAmount.from_decimal("0.00012345", "BTC", 8)
    assert amount.decimal() == Decimal("0.00012345")
    with pytest.raises(InvalidInput):
        amount.to_minor()  # no ISO minor unit: refused, never guessed


def test_update_is_typed_by_status_and_tolerates_new_fields() -> None:
    update = _updates.decode(UPDATE)
    assert isinstance(update, CashoutAvailable)
    assert update.amount == Amount(40000, 4, "USD")
    assert update.unix_time() == pytest.approx(1767225601.25)
    not_supported = _updates.decode(
        b'{"playerId":"p","betId":"b","status":2,"reason":"MarketSuspended",'
        b'"timestamp":"2026-01-01T00:00:00Z"}'
    )
    assert isinstance(not_supported, CashoutNotSupported)
    assert not_supported.reason == "MarketSuspended"
    done = _updates.decode(
        b'{"playerId":"p","betId":"b","status":3,"timestamp":"2026-01-01T00:00:00Z"}'
    )
    assert isinstance(done, CashedOut)
    assert int(done.status) == 3


@pytest.mark.parametrize(
    "bad",
    [
        b'{"playerId":"p","betId":"b","status":4,"timestamp":"2026-01-01T00:00:00Z"}',
        b'{"playerId":"p","betId":"b","status":"1","timestamp":"2026-01-01T00:00:00Z"}',
        b'{"playerId":"p","betId":"b","status":1,"timestamp":"2026-01-01T00:00:00Z"}',
        b'{"playerId":"p","betId":"b","status":1,"timestamp":"2026-01-01T00:00:00Z",'
        b'"amount":{"localAmount":1.5,"precision":4,"currency":"USD"}}',
        b'{"playerId":7,"betId":"b","status":2,"timestamp":"2026-01-01T00:00:00Z"}',
    ],
)
def test_wrong_types_and_unknown_status_are_protocol_errors(bad: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode(_updates, bad, what="cashout update", redact=_plain)


def test_raw_bytes_are_reachable() -> None:
    update = decode(_updates, UPDATE, what="update", redact=_plain)
    assert update.raw == UPDATE
    assert Amount(1, 2, "EUR").__class__.__name__ == "Amount"


def test_protocol_error_excerpt_is_short_and_redacted() -> None:
    body = b'{"password": "hunter2", ' + b"x" * 5000
    with pytest.raises(ProtocolError) as info:
        decode(_updates, body, what="update", redact=lambda t: t.replace("hunter2", "***"))
    assert "hunter2" not in str(info.value) + str(info.value.body)
    assert len(str(info.value.body)) < 400


def test_bet_and_selection_settlement_enums_are_different_types() -> None:
    assert BetSettlement(1) is BetSettlement.WIN
    assert SelectionSettlement(1) is SelectionSettlement.REFUND
    assert BetSettlement.CASH_OUT == 6 and BetSettlement.PLACE_WIN == 7
    settled = msgspec.json.decode(
        b'{"betId":"b","betSettlement":6,"payout":4.01,"selections":[{"settlement":'
        b'{"settlementResult":6,"settlementTime":"2026-01-01T00:00:00Z"}}]}',
        type=SettledBet,
    )
    assert settled.bet_settlement is BetSettlement.CASH_OUT
    assert settled.unix_time() == pytest.approx(1767225600.0)
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"betId":"b","betSettlement":9}', type=SettledBet)


def test_requests_encode_camel_case_and_leave_out_empty_fields() -> None:
    from tests.odds88.helpers import bet_request

    body = msgspec.json.decode(msgspec.json.encode(bet_request(request_id="r1")))
    assert body["id"] == "r1"
    assert body["amount"] == {"currency": "EUR", "value": 1000, "precision": 2}
    assert body["items"][0] == {
        "eventId": 1001,
        "marketId": 2001,
        "selectionId": 3001,
        "price": 2.1,
    }
    assert "customPayoutMultiplier" not in body


@pytest.mark.parametrize(
    "build",
    [
        lambda: Amount(1, 2, ""),
        lambda: Amount(1, 2, "EURO-TOO-LONG-CODE"),
        lambda: Amount(1, 2, "E R"),
        lambda: Amount(1, 2, "€"),
        lambda: Amount(1, 2, 5),
        lambda: Amount(1.5, 2, "EUR"),
        lambda: Amount("150", 2, "EUR"),
        lambda: Amount(True, 2, "EUR"),
        lambda: Amount(2**63, 2, "EUR"),
        lambda: BetAmount("", 1, 2),
        lambda: BetAmount(None, 1, 2),
        lambda: BetAmount("EUR", 10.5, 2),
        lambda: BetAmount("EUR", -(2**63) - 1, 2),
        lambda: BetAmount.from_decimal("1e999999", "EUR", 2),
        lambda: BetAmount.from_decimal("1e-999999999", "EUR", 2),
        lambda: Amount.from_decimal("99999999999999999999", "EUR", 2),
    ],
)
def test_a_bad_amount_from_the_caller_is_invalid_input(build: Callable[[], object]) -> None:
    """The caller's mistake, caught before anything is sent: InvalidInput, never a bare
    ValueError, TypeError or decimal.Overflow."""
    with pytest.raises(InvalidInput):
        build()


def test_an_extreme_exponent_is_refused_not_rounded_away() -> None:
    # the decimal context would have turned 1e-999999999 into 0 without a word
    with pytest.raises(InvalidInput, match="decimal places"):
        Amount.from_decimal("1e-999999999", "EUR", 4)
    assert Amount.from_decimal("0E-99999", "EUR", 2) == Amount(0, 2, "EUR")
    assert BetAmount.from_decimal("1.2e1", "JPY", 0) == BetAmount("JPY", 12, 0)


@pytest.mark.parametrize(
    "amount",
    [
        b'{"localAmount":1,"precision":2,"currency":""}',
        b'{"localAmount":1,"precision":2,"currency":"E R"}',
        b'{"localAmount":1,"precision":19,"currency":"EUR"}',
        b'{"localAmount":100000000000000000000000,"precision":2,"currency":"EUR"}',
    ],
)
def test_the_same_amount_from_the_venue_is_a_protocol_error(amount: bytes) -> None:
    message = (
        b'{"playerId":"p","betId":"b","status":1,"timestamp":"2026-01-01T00:00:00Z","amount":'
        + amount
        + b"}"
    )
    with pytest.raises(ProtocolError):
        decode(_updates, message, what="cashout update", redact=_plain)


def test_json_nested_thousands_deep_is_a_protocol_error() -> None:
    """msgspec raises RecursionError (not a DecodeError) for deep nesting, even in a field it
    would skip; callers still only ever see ProtocolError."""
    deep = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(ProtocolError):
        decode(_updates, b'{"playerId":"p","x":' + deep + b"}", what="update", redact=_plain)
