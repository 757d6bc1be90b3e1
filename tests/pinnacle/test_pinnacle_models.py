"""The client's models against the official spec files: every example decodes, every documented
code is known, types are strict and unknown fields tolerated, and raw bytes stay reachable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from tests.pinnacle.spec_check import CURRENT, SPECS, load
from wagerkit.pinnacle import codes, models

# spec schema name -> the model that decodes it
SCHEMAS: dict[str, type[Any]] = {
    "SpecialsFixturesResponse": models.SpecialsFixturesResponse,
    "SettledFixturesSport": models.SettledFixturesResponse,
    "SettledSpecialsResponse": models.SettledSpecialsResponse,
    "SpecialOddsResponse": models.SpecialOddsResponse,
    "SportPeriod": models.PeriodsResponse,  # the example is the {"periods": [...]} wrapper
    "PlaceStraightBetResponse": models.PlaceStraightBetResponse,
    "PlaceParlayBetResponse": models.PlaceParlayBetResponse,
    "PlaceTeaserBetResponse": models.PlaceTeaserBetResponse,
    "CancellationDetails": list[models.CancellationDetailsItem],
    # The spec files these request-body examples under the special-bet request, but they are
    # straight-bet *responses* (status, betId, win, risk): decode them as what they are.
    "MultiBetRequest.SpecialBetRequest": models.PlaceStraightBetResponse,
}


def _examples() -> Iterator[tuple[str, str, str, Any]]:
    """(spec, where, schema name, example) for every example in the three current specs."""
    for name in ("lines", "bets", "customer"):
        spec = load(name)
        for path, ops in spec["paths"].items():
            for method, op in ops.items():
                bodies = [("request", op.get("requestBody", {}).get("content", {}))]
                bodies += [
                    (f"response {s}", r.get("content", {}))
                    for s, r in op.get("responses", {}).items()
                ]
                for where, content in bodies:
                    media = content.get("application/json", {})
                    ref = media.get("schema", {}).get("$ref", "")
                    schema = ref.rsplit("/", 1)[-1]
                    for label, ex in media.get("examples", {}).items():
                        yield name, f"{method.upper()} {path} {where} {label}", schema, ex["value"]
                    if "example" in media:
                        yield name, f"{method.upper()} {path} {where}", schema, media["example"]
        for schema_name, schema in spec.get("components", {}).get("schemas", {}).items():
            if "example" in schema and schema.get("type") in ("object", "array"):
                yield name, f"schema {schema_name}", schema_name, schema["example"]


EXAMPLES = list(_examples())


def test_the_specs_have_the_examples_we_expect() -> None:
    """Guard against a silently empty parametrisation (a moved spec file)."""
    assert len(EXAMPLES) >= 12
    assert {schema for _, _, schema, _ in EXAMPLES} <= set(SCHEMAS)


@pytest.mark.parametrize(
    ("spec", "where", "schema", "example"), EXAMPLES, ids=[e[1] for e in EXAMPLES]
)
def test_every_spec_example_decodes_with_the_client_models(
    spec: str, where: str, schema: str, example: Any
) -> None:
    data = msgspec.json.encode(example)
    decoded = msgspec.json.decode(data, type=SCHEMAS[schema])
    assert decoded is not None


def test_special_odds_example_keeps_prices_and_null_handicaps() -> None:
    example = next(e for s, w, n, e in EXAMPLES if n == "SpecialOddsResponse")
    resp = models.decode(msgspec.json.encode(example), models.SpecialOddsResponse)
    line = resp.leagues[0].specials[0].contestant_lines[0]
    assert (line.line_id, line.price, line.handicap, line.max) == (1001, 4086.0, None, 450)


def _enum(name: str, schema: str, prop: str) -> set[str]:
    return set(load(name)["components"]["schemas"][schema]["properties"][prop]["enum"])


def test_error_code_tables_match_the_spec_enums() -> None:
    assert set(codes.STRAIGHT_ERROR_CODES) == _enum("bets", "PlaceStraightBetResponse", "errorCode")
    assert set(codes.PARLAY_ERROR_CODES) == _enum("bets", "PlaceParlayBetResponse", "errorCode")
    assert set(codes.TEASER_ERROR_CODES) == _enum("bets", "PlaceTeaserBetResponse", "errorCode")
    assert set(codes.SPECIAL_ERROR_CODES) == _enum("bets", "SpecialBetResponse", "errorCode")
    assert set(codes.BETS_ERROR_CODES) == _enum("bets", "ErrorResponse", "code")


def test_models_reject_wrong_types() -> None:
    with pytest.raises(msgspec.ValidationError):
        models.decode(b'{"sportId": 29, "last": "12", "leagues": []}', models.OddsResponse)
    with pytest.raises(msgspec.ValidationError):
        models.decode(b'{"leagues": [{"id": 1.5, "events": []}]}', models.OddsResponse)
    with pytest.raises(msgspec.ValidationError):  # optional, but typed when present
        models.decode(b'{"status": 7, "uniqueRequestId": "x"}', models.PlaceStraightBetResponse)


def test_a_status_the_spec_leaves_optional_may_be_absent() -> None:
    """The Bets spec requires nothing in PlaceStraightBetResponse: an answer without
    ``status`` decodes (and the placement treats it as "not understood": looked up)."""
    answer = models.decode(b'{"uniqueRequestId": "x"}', models.PlaceStraightBetResponse)
    assert answer.status is None and answer.unique_request_id == "x"


def test_models_ignore_unknown_fields_and_keep_the_raw_bytes() -> None:
    body = b'{"status": "ALL_BETTING_ENABLED", "brandNew": {"x": 1}}'
    resp = models.decode(body, models.BettingStatusResponse)
    assert resp.status == "ALL_BETTING_ENABLED"
    assert resp.raw() == body
    assert resp.raw_json()["brandNew"] == {"x": 1}


def test_models_are_frozen_values() -> None:
    resp = models.decode(b'{"status": "ALL_BETTING_ENABLED"}', models.BettingStatusResponse)
    with pytest.raises(AttributeError):
        resp.status = "ALL_BETTING_CLOSED"  # type: ignore[misc]


def test_live_delay_lookup_rows_decode_without_bet_id() -> None:
    """The manual's pending row has only uniqueRequestId and betStatus."""
    body = (
        b'{"straightBets": [{"uniqueRequestId": "86a90ab9-fca1-4703-a11c-ce329a85584e",'
        b' "betStatus": "PENDING_ACCEPTANCE"}]}'
    )
    resp = models.decode(body, models.GetBetsResponse)
    assert resp.straight_bets[0].bet_id is None
    assert resp.straight_bets[0].bet_status == "PENDING_ACCEPTANCE"


def test_cancellation_details_in_every_documented_shape() -> None:
    as_list = msgspec.json.decode(
        b'{"code":"X","details":[{"key":"correctSpread","value":-1.5}]}',
        type=models.CancellationReason,
    )
    as_item = msgspec.json.decode(
        b'{"code":"X","details":{"key":"correctSpread","value":"-1.5"}}',
        type=models.CancellationReason,
    )
    legacy = msgspec.json.decode(
        b'{"code":"X","details":{"correctSpread":"-1.5"}}', type=models.CancellationReason
    )
    assert (
        as_list.detail_items()
        == as_item.detail_items()
        == legacy.detail_items()
        == {"correctSpread": "-1.5"}
    )


def test_spec_files_are_vendored_in_the_repository() -> None:
    """The conformance checks must not depend on anything outside the repository: a user's
    fresh clone has no ``shared/`` beside it."""
    repo = Path(__file__).resolve().parents[2]
    for name in CURRENT.values():
        path = SPECS / name
        assert path.is_file(), name
        assert path.resolve().is_relative_to(repo), f"{path} is outside the repository"
