"""The client models accept every payload the official schemas accept.

For every response the clients decode, hypothesis generates payloads from the official schema
(the vendored spec files: Pinnacle Lines, Bets v4 and Customer in ``tests/pinnacle/specs``,
Odds88 TradeArt in ``tests/odds88/specs``) and the model must decode every one of them.
A real venue may send anything its spec allows; a model stricter than the
spec would turn a valid answer into a ProtocolError (or an ambiguous placement).

The only exceptions are :data:`DEPARTURES`: deliberate, commented, and listed in the README.
They are applied as patches to the schema before generating, so everything else is still held
to 100 %.

The generator is :func:`strategy_for`, a small JSON Schema to hypothesis translation covering
the keywords these specs use (hypothesis-jsonschema 0.23 no longer runs on current hypothesis);
anything it does not know fails loudly, and every generated payload is checked against the
schema with ``jsonschema`` before it is decoded, so the generator cannot drift from the spec.

Schema preparation (not departures, just making OpenAPI usable as JSON Schema): ``$ref`` is
resolved inline; OAS 3.0 ``nullable: true`` becomes ``type: [T, "null"]``; integer formats
``int32``/``int64`` become the bounds they mean (and make a ``number`` or an untyped schema
an integer), ``format: double`` alone makes a number; unknown string formats are dropped; objects
without ``additionalProperties`` get ``false`` (extra properties are ignored by every model,
and generating them only slows the test down).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from wagerkit.odds88 import models as o88
from wagerkit.pinnacle import models as pin

ROOT = Path(__file__).resolve().parents[1]
SPECS = {
    "pinnacle-lines": ROOT / "pinnacle" / "specs" / "pinnacle-lines-api.yaml",
    "pinnacle-bets": ROOT / "pinnacle" / "specs" / "pinnacle-bets-api-v4.yaml",
    "pinnacle-customer": ROOT / "pinnacle" / "specs" / "pinnacle-customer-api.yaml",
    "odds88": ROOT / "odds88" / "specs" / "odds88-tradeart-api-openapi.json",
}
EXAMPLES = 40
"""Payloads generated per response model (bounded: the whole file runs in seconds)."""

Decoder = Callable[[bytes], object]


def _pinnacle(kind: type[pin.Response]) -> Decoder:
    return lambda data: pin.decode(data, kind)


def _msgspec(kind: Any) -> Decoder:
    decoder = msgspec.json.Decoder(kind)
    return decoder.decode


# (spec, schema name) -> how the client decodes that response
MODELS: dict[tuple[str, str], Decoder] = {
    ("pinnacle-lines", "FixturesResponse"): _pinnacle(pin.FixturesResponse),
    ("pinnacle-lines", "SpecialsFixturesResponse"): _pinnacle(pin.SpecialsFixturesResponse),
    ("pinnacle-lines", "SettledFixturesSport"): _pinnacle(pin.SettledFixturesResponse),
    ("pinnacle-lines", "SettledSpecialsResponse"): _pinnacle(pin.SettledSpecialsResponse),
    ("pinnacle-lines", "OddsResponse"): _pinnacle(pin.OddsResponse),
    ("pinnacle-lines", "TeaserOddsResponse"): _pinnacle(pin.TeaserOddsResponse),
    ("pinnacle-lines", "SpecialOddsResponse"): _pinnacle(pin.SpecialOddsResponse),
    ("pinnacle-lines", "LineResponse"): _pinnacle(pin.LineResponse),
    ("pinnacle-lines", "ParlayLinesResponseV2"): _pinnacle(pin.ParlayLinesResponseV2),
    ("pinnacle-lines", "TeaserLinesResponse"): _pinnacle(pin.TeaserLinesResponse),
    ("pinnacle-lines", "SpecialLineResponse"): _pinnacle(pin.SpecialLineResponse),
    ("pinnacle-lines", "SportsResponse"): _pinnacle(pin.SportsResponse),
    ("pinnacle-lines", "Leagues"): _pinnacle(pin.LeaguesResponse),
    ("pinnacle-lines", "SportPeriod"): _pinnacle(pin.PeriodsResponse),
    ("pinnacle-lines", "InRunningResponse"): _pinnacle(pin.InRunningResponse),
    ("pinnacle-lines", "TeaserGroupsResponse"): _pinnacle(pin.TeaserGroupsResponse),
    ("pinnacle-lines", "CancellationReasonResponse"): _pinnacle(pin.CancellationReasonsResponse),
    ("pinnacle-lines", "SuccessfulCurrenciesResponse"): _pinnacle(pin.CurrenciesResponse),
    ("pinnacle-bets", "PlaceStraightBetResponse"): _pinnacle(pin.PlaceStraightBetResponse),
    ("pinnacle-bets", "PlaceParlayBetResponse"): _pinnacle(pin.PlaceParlayBetResponse),
    ("pinnacle-bets", "PlaceTeaserBetResponse"): _pinnacle(pin.PlaceTeaserBetResponse),
    ("pinnacle-bets", "MultiBetResponse.SpecialBetResponse"): _pinnacle(pin.SpecialBetsResponse),
    ("pinnacle-bets", "GetBetsByTypeResponseV4"): _pinnacle(pin.GetBetsResponse),
    ("pinnacle-bets", "BettingStatusResponse"): _pinnacle(pin.BettingStatusResponse),
    ("pinnacle-customer", "ClientBalanceResponse"): _pinnacle(pin.ClientBalanceResponse),
    ("odds88", "Marlin.SportsbetApi.Host.Models.BetPlacement.BetResultViewModel"): _msgspec(
        o88.BetResult
    ),
    ("odds88", "Marlin.SportsbetApi.Models.Settlement.SettledBetViewModelV2"): _msgspec(
        o88.SettledBet
    ),
    ("odds88", "Marlin.SportsbetApi.Host.Models.BetPlacement.MaxBetResultViewModel"): _msgspec(
        o88.MaxBet
    ),
}


def _documented_result_types(schema: dict[str, Any]) -> None:
    schema["properties"]["resultType"]["enum"] = [1, 2, 3]


_BET_RESULT = "Marlin.SportsbetApi.Host.Models.BetPlacement.BetResultViewModel"

# Deliberate departures: (spec, schema name) -> patch applied to the resolved schema, with why.
# Each one is listed in the README's "where the docs are silent" section of its venue.
DEPARTURES: dict[tuple[str, str], Callable[[dict[str, Any]], None]] = {
    # resultType is a bare int32 in the schema, but its description lists the only meanings
    # (Pending 1, Accepted 2, Rejected 3). Another number cannot be told apart from "placed"
    # or "not placed", so it is a ProtocolError, and a placement answered that way is looked up
    # by request id (MaybePlaced if the lookup does not settle it). Absent is accepted.
    ("odds88", _BET_RESULT): _documented_result_types,
}


# -- schema preparation -------------------------------------------------------------------------


def _as_json(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _as_json(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_as_json(v) for v in node]
    if isinstance(node, dt.datetime):
        return node.isoformat().replace("+00:00", "Z")
    if isinstance(node, dt.date):
        return node.isoformat()
    return node


@functools.cache
def load(spec: str) -> dict[str, Any]:
    """The parsed spec (cached: never mutated, :func:`prepare` builds new nodes)."""
    path = SPECS[spec]
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else _as_json(yaml.safe_load(text))
    assert isinstance(data, dict)
    return data


_INT_BOUNDS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_FORMATS = {"date-time", "date", "uuid", "email"}
_KEEP = {
    "type", "properties", "items", "required", "enum", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern", "minItems",
    "maxItems", "uniqueItems", "additionalProperties", "oneOf", "anyOf", "allOf", "format",
    "multipleOf", "const", "minProperties", "maxProperties",
}  # fmt: skip


def prepare(node: Any, root: dict[str, Any], depth: int = 0) -> Any:
    """An OpenAPI schema as plain JSON Schema (see the module docstring)."""
    assert depth < 50, "a recursive schema: give it a departure"
    if isinstance(node, list):
        return [prepare(v, root, depth + 1) for v in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target: Any = root
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return prepare(target, root, depth + 1)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {name: prepare(v, root, depth + 1) for name, v in value.items()}
        elif key in _KEEP:
            out[key] = prepare(value, root, depth + 1)
    if out.get("format") in _INT_BOUNDS and out.get("type") in ("number", None):
        out["type"] = "integer"  # "format: int64" on a number (or on nothing) is an integer
    if out.get("format") in ("double", "float") and "type" not in out:
        out["type"] = "number"  # "format: double" alone (Pinnacle's contestant ``max``)
    kind = out.get("type")
    if kind == "integer" and out.get("format") in _INT_BOUNDS:
        low, high = _INT_BOUNDS[out["format"]]
        out.setdefault("minimum", low)
        out.setdefault("maximum", high)
    if out.get("format") is not None and out.get("format") not in _FORMATS:
        del out["format"]
    if kind == "string" and "format" in out and out["format"] not in _FORMATS:
        del out["format"]
    if kind == "object" or "properties" in out:
        out.setdefault("additionalProperties", False)
    if node.get("nullable") is True:
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        if "type" not in out and "enum" not in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def response_schema(spec: str, name: str) -> dict[str, Any]:
    root = load(spec)
    where = root.get("components", {}).get("schemas") or root.get("definitions")
    assert isinstance(where, dict) and name in where, f"{spec}: no schema {name}"
    schema = prepare(where[name], root)
    patch = DEPARTURES.get((spec, name))
    if patch is not None:
        schema = copy.deepcopy(schema)
        patch(schema)
    assert isinstance(schema, dict)
    return schema


_DATE_TIMES = st.datetimes(
    min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(dt.UTC)
)
_STRINGS = {
    "date-time": _DATE_TIMES.map(lambda d: d.isoformat().replace("+00:00", "Z")),
    "date": st.dates(dt.date(1970, 1, 1), dt.date(2100, 1, 1)).map(dt.date.isoformat),
    "uuid": st.uuids().map(str),
    "email": st.emails(),
}


def strategy_for(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Payloads valid under ``schema`` (prepared, $ref-free): every optional property is
    present or absent, every nullable value sometimes null, numbers across their range."""
    if "allOf" in schema:
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            for key, value in part.items():
                if key == "properties":
                    merged.setdefault("properties", {}).update(value)
                elif key == "required":
                    merged["required"] = sorted({*merged.get("required", []), *value})
                else:
                    merged.setdefault(key, value)
        return strategy_for(merged)
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return st.one_of([strategy_for(s) for s in schema[key]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kinds = schema.get("type")
    if isinstance(kinds, list):
        return st.one_of([strategy_for({**schema, "type": k}) for k in kinds])
    if kinds == "null":
        return st.none()
    if kinds == "boolean":
        return st.booleans()
    if kinds == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    if kinds == "number":
        return st.floats(
            schema.get("minimum"), schema.get("maximum"), allow_nan=False, allow_infinity=False
        )
    if kinds == "string":
        if "format" in schema:
            return _STRINGS[schema["format"]]
        assert "pattern" not in schema, f"pattern not supported: {schema}"
        return st.text(min_size=schema.get("minLength", 0), max_size=schema.get("maxLength", 12))
    if kinds == "array":
        return st.lists(
            strategy_for(schema.get("items", {})),
            min_size=schema.get("minItems", 0),
            max_size=min(schema.get("maxItems", 3), 3),
        )
    if kinds == "object" or "properties" in schema:
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        fixed = {n: strategy_for(s) for n, s in props.items() if n in required}
        optional = {n: strategy_for(s) for n, s in props.items() if n not in required}
        extra = schema.get("additionalProperties")
        if not props and isinstance(extra, dict):
            return st.dictionaries(st.text(max_size=8), strategy_for(extra), max_size=3)
        return st.fixed_dictionaries(fixed, optional=optional)
    if not schema:
        return st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8))
    raise AssertionError(f"schema construct not supported by the generator: {schema}")


def test_every_decoded_response_of_every_spec_is_covered() -> None:
    """Guard against a silently empty parametrisation or a renamed schema."""
    for spec, name in MODELS:
        assert response_schema(spec, name)
    assert {spec for spec, _ in MODELS} == set(SPECS)


@pytest.mark.parametrize(("spec", "name"), list(MODELS), ids=[f"{s}:{n}" for s, n in MODELS])
def test_every_payload_the_official_schema_allows_decodes(spec: str, name: str) -> None:
    decode = MODELS[spec, name]
    schema = response_schema(spec, name)
    validator = Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)
    strategy = strategy_for(schema)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(payload=strategy)
    def decodes(payload: Any) -> None:
        validator.validate(payload)  # the generator produced a spec-valid payload
        data = json.dumps(payload).encode()
        try:
            decode(data)
        except msgspec.ValidationError as exc:
            pytest.fail(f"{name}: valid under the official schema but refused: {exc}\n{data!r}")

    decodes()


def test_the_generator_really_explores_optional_fields() -> None:
    """The test would be hollow if every payload were ``{}``: payloads carry fields."""
    schema = response_schema("pinnacle-bets", "PlaceStraightBetResponse")
    seen: set[str] = set()

    @settings(max_examples=30, deadline=None, derandomize=True)
    @given(payload=strategy_for(schema))
    def collect(payload: Any) -> None:
        if isinstance(payload, dict):
            seen.update(payload)

    collect()
    assert {"status", "uniqueRequestId"} <= seen
