"""The order builder refuses bad orders before anything is sent, and fixes the requestUuid."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from typing import Any

import msgspec
import pytest

from wagerkit import Fx
from wagerkit.abp.models import decode_betslip
from wagerkit.abp.orders import MAX_ORDERS_PER_REQUEST, OrderRequest, encode_orders
from wagerkit.abp.preview import preview_order
from wagerkit.errors import InvalidInput

from .test_abp_models import quickstart_betslip

FIX = "id1000004461512432"


def make(**kw: object) -> OrderRequest:
    args: dict[str, object] = {"user_ref": "t"}
    args.update(kw)
    stake = args.pop("stake", 10.0)
    price = args.pop("price", 1.95)
    return OrderRequest.create(FIX, 103, stake, price, **args)  # type: ignore[arg-type]


@pytest.mark.parametrize("stake", [0.0, -1.0, math.nan, math.inf, 0.001, True])
def test_stake_must_be_positive_finite_and_at_least_one_minor_unit(stake: float) -> None:
    with pytest.raises(InvalidInput) as info:
        make(stake=stake)
    assert info.value.field == "order_stake"


@pytest.mark.parametrize("price", [1.0, 0.5, -2.0, math.nan, math.inf])
def test_price_must_be_above_one(price: float) -> None:
    with pytest.raises(InvalidInput) as info:
        make(price=price)
    assert info.value.field == "order_price"


def test_currency_must_be_known() -> None:
    with pytest.raises(InvalidInput):
        make(currency="XYZ")
    with pytest.raises(InvalidInput):
        make(currency="EUR", fx=Fx())  # ISO code, but no rate in the given Fx
    assert make(currency="EUR").order_currency == "EUR"


def test_expiry_within_24_hours_and_in_the_future() -> None:
    assert make(expires_in=60).expires_at is not None
    with pytest.raises(InvalidInput):
        make(expires_in=dt.timedelta(hours=24, minutes=1))
    with pytest.raises(InvalidInput):
        make(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    with pytest.raises(InvalidInput):
        make(expires_at=dt.datetime.now() + dt.timedelta(hours=1))  # naive: ambiguous


def test_at_most_100_orders_per_request_and_no_uuid_twice() -> None:
    encode_orders([make() for _ in range(MAX_ORDERS_PER_REQUEST)])
    with pytest.raises(InvalidInput):
        encode_orders([make() for _ in range(MAX_ORDERS_PER_REQUEST + 1)])
    with pytest.raises(InvalidInput):
        encode_orders([])
    o = make()
    with pytest.raises(InvalidInput):
        encode_orders([o, o])


def test_request_uuid_is_fixed_at_creation_and_bytes_are_stable() -> None:
    o = make()
    uuid.UUID(o.request_uuid)
    assert encode_orders([o]) == encode_orders([o])
    with pytest.raises(AttributeError):
        o.request_uuid = str(uuid.uuid4())  # type: ignore[misc]
    with pytest.raises(InvalidInput):
        make(request_uuid="not-a-uuid")


def test_wire_body_is_abp_camel_case_with_required_fields() -> None:
    o = make(stake=10.009, bookmakers=["pinnacle", "vertex"], test=True)
    (wire,) = msgspec.json.decode(encode_orders([o]))["orders"]
    assert wire["orderStake"] == 10.0  # rounded down to the cent: never more than asked
    assert wire["testOrder"] is True and wire["playerId"] == 0 and wire["userRef"] == "t"
    assert wire["bookmakers"] == "pinnacle,vertex" and wire["orderCurrency"] == "USD"
    assert "expiresAt" not in wire and "meta" not in wire


def test_preview_routes_the_quickstart_order_with_the_engine() -> None:
    slip = decode_betslip(quickstart_betslip())
    p = preview_order(make(), slip)
    assert p.status == "filled"
    (leg,) = p.legs
    assert (leg.bookmaker, leg.currency, leg.price) == ("sharpbet", "EUR", 2.0)
    only_pinnacle = preview_order(make(bookmakers=["pinnacle"]), slip)
    assert [leg.bookmaker for leg in only_pinnacle.legs] == ["pinnacle"]
    assert preview_order(make(price=2.5), slip).status == "waiting"
    with pytest.raises(InvalidInput):
        preview_order(OrderRequest.create(FIX, 101, 10.0, 1.95, user_ref="t"), slip)


class NotJson:
    """Something a bot might put in meta by mistake."""


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"expires_in": math.nan}, "expires_in"),  # ValueError from timedelta before
        ({"expires_in": math.inf}, "expires_in"),
        ({"expires_in": 1e20}, "expires_in"),  # OverflowError before
        ({"expires_in": -5}, "expires_in"),
        ({"expires_in": "60"}, "expires_in"),
        ({"expires_in": dt.timedelta(days=10**8)}, "expires_in"),
        ({"bookmakers": [1, 2]}, "bookmakers"),  # TypeError from str.join before
        ({"bookmakers": 7}, "bookmakers"),
        ({"meta": {"x": NotJson()}}, "meta"),  # TypeError at encode time, after send began
        ({"meta": {1: "x"}}, "meta"),
        ({"meta": {"f": print}}, "meta"),
        ({"meta": ["not", "an", "object"]}, "meta"),
        ({"test": "yes"}, "test_order"),
        ({"expires_at": "2030-01-01T00:00:00Z"}, "expires_at"),
    ],
)
def test_bad_arguments_are_invalid_input_never_raw_python_errors(
    kw: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        make(**kw)
    assert info.value.field == field


def test_a_struct_built_by_hand_is_checked_too() -> None:
    good = make()
    fields: dict[str, Any] = {f: getattr(good, f) for f in good.__struct_fields__}
    for bad in ({"meta": {"x": NotJson()}}, {"bookmakers": ["a", "b"]}, {"back": 1}):
        with pytest.raises(InvalidInput):
            OrderRequest(**{**fields, **bad})


def test_valid_meta_and_bookmakers_still_encode() -> None:
    o = make(meta={"strategy": "s1", "n": 3, "nested": [1.5, None]}, bookmakers=("a", "b"))
    body = msgspec.json.decode(encode_orders([o]))["orders"][0]
    assert body["meta"]["nested"] == [1.5, None] and body["bookmakers"] == "a,b"
    assert make(expires_in=dt.timedelta(minutes=5)).expires_at is not None


def test_generated_request_uuids_are_canonical_random_v4() -> None:
    from wagerkit.abp.orders import new_request_uuid

    seen = {new_request_uuid() for _ in range(2000)}
    assert len(seen) == 2000
    for text in seen:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122


@pytest.mark.parametrize(
    "given",
    [
        "0E5B2F7C-1D2A-4B3C-8D4E-5F6A7B8C9D0E",
        "{0e5b2f7c-1d2a-4b3c-8d4e-5f6a7b8c9d0e}",
        "0e5b2f7c1d2a4b3c8d4e5f6a7b8c9d0e",
    ],
)
def test_a_non_canonical_uuid_is_stored_in_canonical_form(given: str) -> None:
    order = OrderRequest.create("id1", 103, 1.5, 2.0, user_ref="r", request_uuid=given)
    assert order.request_uuid == "0e5b2f7c-1d2a-4b3c-8d4e-5f6a7b8c9d0e"
