"""Check recorded responses of the local Pinnacle server against the official spec files.

The official spec files drive everything. They are vendored unchanged in
``tests/pinnacle/specs`` (the README there names their source), so a fresh clone can run these
checks. The operation is found by path and method, the response schema by status code, and the
body is validated with
``openapi_schema_validator.OAS30Validator`` (OAS 3: ``nullable``, enums, formats) or jsonschema
Draft 4 (the Swagger 2.0 Customer API), with ``$ref`` resolved inside the file. A status the
spec does not list for the operation (a fair-use 429, a 401 on ``/v2/odds``) must still carry the
file's ``ErrorResponse``; a 429 (in no spec file) must carry the README's
``{"code": "TOO_MANY_REQUESTS"}``, checked against the Lines ``ErrorResponse``.

Request bodies are checked too (:func:`check_request`): what the client sends to a POST
endpoint must match the operation's ``requestBody`` schema, so the client and the local server
cannot agree on a shape the real API would refuse.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any

import jsonschema
import msgspec
import yaml
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SPECS = Path(__file__).resolve().parent / "specs"

CURRENT = {
    "lines": "pinnacle-lines-api.yaml",
    "bets": "pinnacle-bets-api-v4.yaml",
    "customer": "pinnacle-customer-api.yaml",
}


def _as_json(node: Any) -> Any:
    """YAML reads ``200:`` as an int key and unquoted dates as datetimes; JSON has neither."""
    if isinstance(node, dict):
        return {str(k): _as_json(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_as_json(v) for v in node]
    if isinstance(node, dt.datetime):
        text = node.isoformat()
        return text.replace("+00:00", "Z")
    if isinstance(node, dt.date):
        return node.isoformat()
    return node


@functools.cache
def load(name: str) -> dict[str, Any]:
    data = _as_json(yaml.safe_load((SPECS / CURRENT[name]).read_text(encoding="utf-8")))
    assert isinstance(data, dict)
    return data


def spec_for(path: str) -> str:
    if path.startswith("/v4/bets"):
        return "bets"
    if path.startswith("/v1/client"):
        return "customer"
    return "lines"


@functools.cache
def _validator(name: str, ref: str) -> Any:
    spec = load(name)
    uri = f"urn:pinnacle:{name}"
    registry: Registry[Any] = Registry().with_resource(
        uri, Resource.from_contents(spec, default_specification=DRAFT4)
    )
    schema = {"$ref": f"{uri}#{ref}"}
    if spec.get("swagger") == "2.0":
        return jsonschema.Draft4Validator(schema, registry=registry)
    return OAS30Validator(schema, registry=registry, format_checker=OAS30Validator.FORMAT_CHECKER)


def response_ref(name: str, path: str, method: str, status: int) -> str:
    """JSON pointer (``/paths/...``) of the response schema, or the ErrorResponse fallback."""
    spec = load(name)
    op = spec["paths"].get(path, {}).get(method.lower(), {"responses": {}})
    responses = op["responses"]
    key = str(status) if str(status) in responses else None
    escaped = path.replace("~", "~0").replace("/", "~1")
    if key is None:
        return (
            "/definitions/ErrorResponse"
            if spec.get("swagger") == "2.0"
            else "/components/schemas/ErrorResponse"
        )
    if spec.get("swagger") == "2.0":
        return f"/paths/{escaped}/{method.lower()}/responses/{key}/schema"
    return f"/paths/{escaped}/{method.lower()}/responses/{key}/content/application~1json/schema"


def check(method: str, path: str, status: int, content_type: str, body: bytes) -> None:
    """Raise AssertionError (with the reason) if this response breaks the spec."""
    name = spec_for(path)
    assert path in load(name)["paths"], f"{method} {path} is not in {CURRENT[name]}"
    assert content_type.startswith("application/json"), (
        f"{method} {path}: content-type {content_type!r}"
    )
    data = msgspec.json.decode(body)
    if status == 429:
        # No spec file lists 429; Pinnacle's README documents the body (and Retry-After).
        assert data.get("code") == "TOO_MANY_REQUESTS", f"{method} {path}: 429 body {data!r}"
        name = "lines"
    ref = response_ref(name, path, method, status)
    errors = sorted(_validator(name, ref).iter_errors(data), key=lambda e: list(e.path))
    assert not errors, f"{method} {path} -> {status} breaks {CURRENT[name]} {ref}: " + "; ".join(
        f"{list(e.path)}: {e.message}" for e in errors[:5]
    )


def check_request(method: str, path: str, body: bytes) -> None:
    """Raise AssertionError if a request body breaks the operation's ``requestBody`` schema."""
    name = spec_for(path)
    op = load(name)["paths"].get(path, {}).get(method.lower())
    assert op is not None, f"{method} {path} is not in {CURRENT[name]}"
    assert "requestBody" in op, f"{method} {path} takes no body in {CURRENT[name]}"
    escaped = path.replace("~", "~0").replace("/", "~1")
    ref = f"/paths/{escaped}/{method.lower()}/requestBody/content/application~1json/schema"
    data = msgspec.json.decode(body)
    errors = sorted(_validator(name, ref).iter_errors(data), key=lambda e: list(e.path))
    assert not errors, f"{method} {path} request breaks {CURRENT[name]} {ref}: " + "; ".join(
        f"{list(e.path)}: {e.message}" for e in errors[:5]
    )
