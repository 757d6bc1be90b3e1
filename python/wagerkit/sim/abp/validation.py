"""Request validation with FastAPI/pydantic-shaped 422 bodies.

ABP answers a malformed body with ``{"detail": [{"loc": [...], "msg": ..., "type": ...}]}``
(abp-facts §12). These checkers collect every problem of a request, not only the first, so a
client sees the whole list as it would from the real service. Values that are well formed but
refused by business rules (limits, prices) are declines, not 422s.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal
from typing import Any

from wagerkit._core import currency_exponent, is_currency
from wagerkit.sim.abp.clock import parse_iso

__all__ = [
    "MAX_ORDERS",
    "FieldErrors",
    "OrderRequest",
    "parse_account_create",
    "parse_account_patch",
    "parse_place_orders",
]

MAX_ORDERS = 100
Loc = list[str | int]
_MISSING: Any = object()


class FieldErrors:
    """The ``detail`` list of a 422 response."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, loc: Loc, msg: str, kind: str) -> None:
        self.items.append({"loc": loc, "msg": msg, "type": kind})

    def __bool__(self) -> bool:
        return bool(self.items)


@dataclass(frozen=True)
class OrderRequest:
    """One validated order of a /place-orders body (amounts still as the client sent them)."""

    index: int
    request_uuid: str
    fixture_id: str | None
    future_id: str | None
    outcome_id: int
    player_id: int
    order_stake: float
    order_price: float
    user_ref: str
    test_order: bool
    bookmakers: list[str] | None
    order_currency: str
    back: bool
    expires_at: str | None
    accept_better_odds: bool
    accept_partial_stake: bool
    meta: dict[str, Any] | None


class _Reader:
    """Typed field access on one JSON object, recording errors under ``loc``."""

    def __init__(self, obj: dict[str, Any], loc: Loc, errors: FieldErrors) -> None:
        self.obj, self.loc, self.errors = obj, loc, errors

    def _raw(self, name: str, required: bool) -> Any:
        value = self.obj.get(name, _MISSING)
        if value is _MISSING and required:
            self.errors.add([*self.loc, name], "Field required", "missing")
        return value

    def string(self, name: str, *, required: bool = False, default: Any = None) -> Any:
        value = self._raw(name, required)
        if value is _MISSING or (value is None and not required):
            return default
        if not isinstance(value, str):
            self.errors.add([*self.loc, name], "Input should be a valid string", "string_type")
            return default
        return value

    def integer(self, name: str, *, required: bool = False, default: Any = None) -> Any:
        value = self._raw(name, required)
        if value is _MISSING or (value is None and not required):
            return default
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.errors.add([*self.loc, name], "Input should be a valid integer", "int_type")
            return default
        try:
            number = float(value) if not isinstance(value, int) else value
        except ValueError:
            number = math.nan
        if isinstance(number, float) and (not math.isfinite(number) or number != int(number)):
            self.errors.add(
                [*self.loc, name],
                "Input should be a valid integer, unable to parse string as an integer",
                "int_parsing",
            )
            return default
        return int(number)

    def number(
        self,
        name: str,
        *,
        required: bool = False,
        default: Any = None,
        gt: float | None = None,
        ge: float | None = None,
    ) -> Any:
        value = self._raw(name, required)
        if value is _MISSING or (value is None and not required):
            return default
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.errors.add([*self.loc, name], "Input should be a valid number", "float_type")
            return default
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            self.errors.add(
                [*self.loc, name],
                "Input should be a valid number, unable to parse string as a number",
                "float_parsing",
            )
            return default
        if gt is not None and not number > gt:
            self.errors.add(
                [*self.loc, name], f"Input should be greater than {gt:g}", "greater_than"
            )
            return default
        if ge is not None and not number >= ge:
            self.errors.add(
                [*self.loc, name],
                f"Input should be greater than or equal to {ge:g}",
                "greater_than_equal",
            )
            return default
        return value if isinstance(value, int | float) else number

    def boolean(self, name: str, *, required: bool = False, default: Any = None) -> Any:
        value = self._raw(name, required)
        if value is _MISSING or (value is None and not required):
            return default
        if not isinstance(value, bool):
            self.errors.add([*self.loc, name], "Input should be a valid boolean", "bool_type")
            return default
        return value

    def mapping(self, name: str, *, default: Any = None) -> Any:
        value = self._raw(name, False)
        if value is _MISSING or value is None:
            return default
        if not isinstance(value, dict):
            self.errors.add([*self.loc, name], "Input should be a valid dictionary", "dict_type")
            return default
        return value

    def currency(self, name: str, *, default: Any = None) -> Any:
        value = self.string(name, default=default)
        if isinstance(value, str) and not is_currency(value):
            self.errors.add(
                [*self.loc, name], f"Value error, unknown currency code {value!r}", "value_error"
            )
            return default
        return value


def _bookmakers(value: Any, loc: Loc, errors: FieldErrors) -> list[str] | None:
    """``"pinnacle,vertex"`` (the API reference) or ``["pinnacle"]`` (the placement guide)."""
    if value is None or value == "" or value == "*":
        return None
    if isinstance(value, str):
        slugs = [s.strip() for s in value.split(",") if s.strip()]
    elif isinstance(value, list) and all(isinstance(s, str) for s in value):
        slugs = [s.strip() for s in value if s.strip()]
    else:
        errors.add(loc, "Input should be a valid string", "string_type")
        return None
    if not slugs or "*" in slugs:
        return None
    return list(dict.fromkeys(slugs))


def parse_place_orders(body: Any) -> tuple[list[OrderRequest], FieldErrors]:
    """Validate a /place-orders body: ``{"orders": [...]}`` with 1-100 orders."""
    errors = FieldErrors()
    if not isinstance(body, dict):
        errors.add(["body"], "Input should be a valid dictionary", "dict_type")
        return [], errors
    orders = body.get("orders", _MISSING)
    if orders is _MISSING:
        errors.add(["body", "orders"], "Field required", "missing")
        return [], errors
    if not isinstance(orders, list):
        errors.add(["body", "orders"], "Input should be a valid list", "list_type")
        return [], errors
    if not orders:
        errors.add(
            ["body", "orders"],
            "List should have at least 1 item after validation, not 0",
            "too_short",
        )
    if len(orders) > MAX_ORDERS:
        errors.add(
            ["body", "orders"],
            f"List should have at most {MAX_ORDERS} items after validation, not {len(orders)}",
            "too_long",
        )
    if errors:
        return [], errors
    parsed: list[OrderRequest] = []
    for i, raw in enumerate(orders):
        loc: Loc = ["body", "orders", i]
        if not isinstance(raw, dict):
            errors.add(loc, "Input should be a valid dictionary", "dict_type")
            continue
        before = len(errors.items)
        r = _Reader(raw, loc, errors)
        request_uuid = r.string("requestUuid", required=True)
        if isinstance(request_uuid, str):
            try:
                request_uuid = str(uuid.UUID(request_uuid))
            except ValueError:
                errors.add([*loc, "requestUuid"], "Input should be a valid UUID", "uuid_parsing")
        fixture_id = r.string("fixtureId")
        future_id = r.string("futureId")
        if fixture_id is None and future_id is None:
            errors.add(loc, "Value error, one of fixtureId or futureId is required", "value_error")
        elif fixture_id is not None and future_id is not None:
            errors.add(
                loc, "Value error, fixtureId and futureId are mutually exclusive", "value_error"
            )
        outcome_id = r.integer("outcomeId", required=True)
        player_id = r.integer("playerId", required=True)
        stake = r.number("orderStake", required=True, gt=0)
        price = r.number("orderPrice", required=True, gt=1)
        user_ref = r.string("userRef", required=True)
        test_order = r.boolean("testOrder", required=True)
        bookmakers = _bookmakers(raw.get("bookmakers"), [*loc, "bookmakers"], errors)
        currency = r.currency("orderCurrency", default="USD")
        back = r.boolean("back", default=True)
        expires_at = r.string("expiresAt")
        if isinstance(expires_at, str):
            try:
                parse_iso(expires_at)
            except ValueError:
                errors.add(
                    [*loc, "expiresAt"],
                    "Input should be a valid datetime",
                    "datetime_from_date_parsing",
                )
        if price is not None:
            price = _order_price(price, bool(back) if back is not None else True)
            if price is None:
                errors.add(
                    [*loc, "orderPrice"],
                    "Input should be greater than 1 (prices have 6 decimals)",
                    "greater_than",
                )
        if stake is not None and isinstance(currency, str):
            top = _max_stake(currency)
            if Decimal(_decimal_text(stake)) > top:
                errors.add(
                    [*loc, "orderStake"],
                    f"Input should be less than or equal to {top}",
                    "less_than_equal",
                )
        better = r.boolean("acceptBetterOdds", default=True)
        partial = r.boolean("acceptPartialStake", default=True)
        meta = r.mapping("meta")
        if len(errors.items) != before:
            continue
        parsed.append(
            OrderRequest(
                index=i,
                request_uuid=request_uuid,
                fixture_id=fixture_id,
                future_id=future_id,
                outcome_id=outcome_id,
                player_id=player_id,
                order_stake=float(stake),
                order_price=float(price),
                user_ref=user_ref,
                test_order=test_order,
                bookmakers=bookmakers,
                order_currency=currency,
                back=back,
                expires_at=expires_at,
                accept_better_odds=better,
                accept_partial_stake=partial,
                meta=meta,
            )
        )
    return parsed, errors


def _decimal_text(value: Any) -> str:
    """The exact decimal text of a JSON number (a float through its shortest repr)."""
    return repr(value) if isinstance(value, float) else str(value)


def _order_price(value: Any, back: bool) -> float | None:
    """orderPrice on the engine's 6-decimal grid, rounded toward the stricter side.

    A back order's price is a minimum (rounded up), a lay order's a maximum (rounded down),
    so rounding never lets an order fill at a price the bettor did not accept. None when
    the rounded price is not above 1.
    """
    exact = Decimal(_decimal_text(value))
    exponent = exact.as_tuple().exponent
    if not isinstance(exponent, int) or exponent >= -6:  # already on the grid
        return float(value) if exact > 1 else None
    context = Context(prec=len(exact.as_tuple().digits) + 8)
    grid = exact.quantize(
        _PRICE_STEP, rounding=ROUND_CEILING if back else ROUND_FLOOR, context=context
    )
    if grid <= 1:
        return None
    return float(grid)


def _max_stake(currency: str) -> Decimal:
    """The largest orderStake the engine holds: i64 minor units, in major units."""
    places = currency_exponent(currency)
    return Decimal(_I64_MAX).scaleb(-places).quantize(Decimal(1).scaleb(-places), ROUND_FLOOR)


_PRICE_STEP = Decimal("0.000001")
_I64_MAX = 2**63 - 1


_ACCOUNT_FIELDS = {
    "password": "string",
    "balance": "amount",
    "credit": "amount_or_null",
    "active": "bool",
    "priority": "int",
    "maxStake": "amount_or_null",
    "minStake": "amount_or_null",
    "currencyId": "currency",
    "verifyBetslip": "bool",
    "multiLimitAllowed": "bool",
    "meta": "dict",
}


def _account_fields(body: dict[str, Any], errors: FieldErrors, *, create: bool) -> dict[str, Any]:
    r = _Reader(body, ["body"], errors)
    out: dict[str, Any] = {}
    for name, kind in _ACCOUNT_FIELDS.items():
        if name not in body:
            continue
        value = body[name]
        if kind == "string":
            out[name] = r.string(name, required=True)
        elif kind == "amount":
            out[name] = r.number(name, required=True, ge=0)
        elif kind == "amount_or_null":
            out[name] = None if value is None else r.number(name, ge=0)
        elif kind == "bool":
            out[name] = r.boolean(name, required=True)
        elif kind == "int":
            out[name] = r.integer(name, required=True)
        elif kind == "currency":
            out[name] = r.currency(name)
        elif kind == "dict":
            out[name] = r.mapping(name, default={})
    if create:
        for name in ("bookmaker", "username", "password"):
            value = r.string(name, required=True)
            if isinstance(value, str) and not value.strip():
                errors.add(
                    ["body", name], "String should have at least 1 character", "string_too_short"
                )
            out[name] = value
    return out


def parse_account_create(body: Any) -> tuple[dict[str, Any], FieldErrors]:
    """POST /accounts: bookmaker, username and password required; the rest optional."""
    errors = FieldErrors()
    if not isinstance(body, dict):
        errors.add(["body"], "Input should be a valid dictionary", "dict_type")
        return {}, errors
    return _account_fields(body, errors, create=True), errors


def parse_account_patch(body: Any) -> tuple[dict[str, Any], FieldErrors]:
    """PATCH /accounts/{bookmaker}/{username}: any subset of the updatable fields."""
    errors = FieldErrors()
    if not isinstance(body, dict):
        errors.add(["body"], "Input should be a valid dictionary", "dict_type")
        return {}, errors
    return _account_fields(body, errors, create=False), errors
