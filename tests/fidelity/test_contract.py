"""The request contract: declared types, formats and ranges decide, on a small inline spec."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wagerkit.sim._contract import Contract, ContractViolation

INT32 = (-(2**31), 2**31 - 1)

SPEC: dict[str, Any] = {
    "openapi": "3.0.1",
    "paths": {
        "/things": {
            "get": {
                "parameters": [
                    {"name": "id", "in": "query", "required": True,
                     "schema": {"type": "integer", "format": "int32"}},
                    {"name": "ids", "in": "query", "style": "form", "explode": False,
                     "schema": {"type": "array", "items": {"type": "integer"}}},
                    {"name": "live", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "side", "in": "query", "schema": {"enum": ["OVER", "UNDER"],
                                                               "type": "string"}},
                    {"name": "when", "in": "query",
                     "schema": {"type": "string", "format": "date-time"}},
                ]
            },
            "post": {
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Thing"}}}},
            },
        },
        "/things/{thingId}": {
            "get": {"parameters": [{"name": "thingId", "in": "path", "required": True,
                                    "schema": {"type": "integer"}}]},
        },
    },
    "components": {"schemas": {"Thing": {
        "type": "object",
        "required": ["uid"],
        "properties": {
            "uid": {"type": "string", "format": "uuid"},
            "stake": {"type": "number"},
            "note": {"type": "string", "nullable": True},
            "legs": {"type": "array", "items": {"type": "object"}},
        },
    }}},
}  # fmt: skip

CONTRACT = Contract(SPEC)


def _get(**query: str) -> Any:
    return CONTRACT.check("GET", "/things", query=list(query.items()))


def _post(body: Any) -> Any:
    return CONTRACT.check("POST", "/things", body=msgspec.json.encode(body))


@given(st.integers(min_value=-(2**40), max_value=2**40))
def test_int32_parameters_hold_exactly_the_int32_range(value: int) -> None:
    if INT32[0] <= value <= INT32[1]:
        _get(id=str(value))
    else:
        with pytest.raises(ContractViolation, match="id"):
            _get(id=str(value))


@pytest.mark.parametrize(
    "query",
    [{}, {"id": ""}, {"id": "1.5"}, {"id": "1", "ids": "1,x"}, {"id": "1", "live": "yes"},
     {"id": "1", "side": "over"}, {"id": "1", "when": "2024-01-01"},
     {"id": "1", "when": "2024-02-30T00:00:00Z"}],
)  # fmt: skip
def test_bad_parameters_are_refused(query: dict[str, str]) -> None:
    with pytest.raises(ContractViolation):
        _get(**query)


def test_good_parameters_pass_and_unknown_ones_are_ignored() -> None:
    _get(id="7", ids="1,2,3", live="TRUE", side="OVER", when="2024-01-01T10:00:00Z", x="?")


def test_path_parameters_are_typed() -> None:
    CONTRACT.check("GET", "/things/{thingId}", path_params={"thingId": "12"})
    with pytest.raises(ContractViolation):
        CONTRACT.check("GET", "/things/{thingId}", path_params={"thingId": "twelve"})


@given(st.uuids())
def test_a_hyphenated_uuid_is_a_uuid_and_other_spellings_are_not(value: uuid.UUID) -> None:
    assert _post({"uid": str(value)}) == {"uid": str(value)}
    for spelling in (value.hex, "{" + str(value) + "}", value.urn):
        with pytest.raises(ContractViolation, match="uid"):
            _post({"uid": spelling})


@pytest.mark.parametrize(
    "body",
    [None, [], {"stake": 1}, {"uid": 5}, {"uid": str(uuid.uuid4()), "stake": "1"},
     {"uid": str(uuid.uuid4()), "legs": [1]}, {"uid": str(uuid.uuid4()), "stake": True}],
)  # fmt: skip
def test_bad_bodies_are_refused(body: Any) -> None:
    with pytest.raises(ContractViolation):
        _post(body)


def test_nullable_admits_null_and_a_required_body_must_be_there() -> None:
    _post({"uid": str(uuid.uuid4()), "note": None, "legs": [{}]})
    with pytest.raises(ContractViolation, match="required"):
        CONTRACT.check("POST", "/things", body=b"")


def test_a_relaxed_parameter_is_optional_only_where_named() -> None:
    relaxed = Contract(SPEC, optional={("GET", "/things"): frozenset({"id"})})
    relaxed.check("GET", "/things")
    with pytest.raises(ContractViolation):
        relaxed.check("GET", "/things", query=[("id", "x")])
