"""Check a request against the official OpenAPI operation it targets, before any handler reads
a field.

A simulator that uses a field before checking its type answers a wrong-typed request with a
500 and a traceback; a real venue answers 400. So every simulator route first runs
:meth:`Contract.check`, which reads the venue's own spec (OpenAPI 3.0): declared query, path and
header parameters are parsed as their declared types and validated with their schemas, and the
JSON body is decoded with a depth bound and validated against the declared request schema.
Unknown query parameters and headers are ignored, as web servers do. The caller turns a
:class:`ContractViolation` into the venue's own error shape.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import yaml
from jsonschema import Draft4Validator, FormatChecker

__all__ = ["MAX_DEPTH", "Contract", "ContractViolation", "decode_json", "load_spec"]

#: Deepest JSON nesting any simulator accepts; every venue body is at most ~6 levels deep.
MAX_DEPTH = 32

_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_INTEGER = re.compile(r"[+-]?\d+")
#: RFC 4122's hyphenated form (what the specs' ``format: uuid`` means).
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
#: RFC 3339 date-time; the offset may be left out (read as UTC), as the venues accept it.
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?")


class ContractViolation(Exception):
    """The request does not match the operation's declared types (a 400 at the venue)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def load_spec(path: Path) -> dict[str, Any]:
    """An OpenAPI document from a YAML or JSON file."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        data = msgspec.json.decode(text)
    else:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    if not isinstance(data, dict):
        raise ValueError(f"{path.name} is not an OpenAPI document")
    return data


def _depth_ok(value: Any, limit: int) -> bool:
    """Whether ``value`` nests at most ``limit`` containers deep (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in children)
    return True


def decode_json(raw: bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """Decode a request body, refusing invalid JSON and nesting deeper than ``max_depth``."""
    try:
        value = msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError):
        raise ContractViolation("body is not valid JSON (or is nested too deep)") from None
    if not _depth_ok(value, max_depth):
        raise ContractViolation(f"body nests deeper than {max_depth} levels")
    return value


def _openapi_to_jsonschema(node: Any) -> Any:
    """OpenAPI 3.0 schema objects to draft-4 JSON Schema: ``nullable: true`` admits null."""
    if isinstance(node, list):
        return [_openapi_to_jsonschema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _openapi_to_jsonschema(v) for k, v in node.items()}
    if out.pop("nullable", False) is True:
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
        elif "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        elif "type" not in out and ("$ref" in out or "allOf" in out or "oneOf" in out):
            out = {"anyOf": [{"type": "null"}, out]}
    return out


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())

    @checker.checks("int32")
    def _int32(value: object) -> bool:
        low, high = _INT_RANGES["int32"]
        return not isinstance(value, int) or isinstance(value, bool) or low <= value <= high

    @checker.checks("int64")
    def _int64(value: object) -> bool:
        low, high = _INT_RANGES["int64"]
        return not isinstance(value, int) or isinstance(value, bool) or low <= value <= high

    @checker.checks("uuid")
    def _uuid(value: object) -> bool:
        return not isinstance(value, str) or _UUID.fullmatch(value) is not None

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if _DATE_TIME.fullmatch(value) is None:
            return False
        dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))  # a real date and time
        return True

    return checker


_FORMATS = _format_checker()


@dataclass(frozen=True)
class _Param:
    name: str
    location: str
    required: bool
    schema: dict[str, Any]
    explode: bool

    @property
    def kind(self) -> str:
        kind = self.schema.get("type")
        return kind if isinstance(kind, str) else "string"


@dataclass(frozen=True)
class _Operation:
    params: tuple[_Param, ...]
    body: dict[str, Any] | None
    body_required: bool
    validators: Mapping[str, Draft4Validator]


class Contract:
    """The request side of an OpenAPI document, ready to check requests quickly."""

    def __init__(
        self,
        *specs: Mapping[str, Any],
        base_path: str = "",
        optional: Mapping[tuple[str, str], frozenset[str]] | None = None,
    ) -> None:
        """``optional`` names parameters a spec marks required that its own prose makes
        optional (``{("GET", "/v1/line"): frozenset({"handicap"})}``): a deliberate,
        documented departure."""
        self._optional = dict(optional or {})
        self._operations: dict[tuple[str, str], _Operation] = {}
        for spec in specs:
            self._index(spec, base_path)

    def _index(self, spec: Mapping[str, Any], base_path: str) -> None:
        root = _openapi_to_jsonschema(dict(spec))
        components = root.get("components", {})
        for path, item in root.get("paths", {}).items():
            shared = item.get("parameters", [])
            for method, op in item.items():
                if method == "parameters" or not isinstance(op, dict):
                    continue
                relaxed = self._optional.get((method.upper(), base_path + path), frozenset())
                params = tuple(
                    self._param(p, components, relaxed)
                    for p in [*shared, *op.get("parameters", [])]
                )
                body, body_required = None, False
                request_body = _resolve(op.get("requestBody"), components)
                if isinstance(request_body, dict):
                    media = request_body.get("content", {})
                    chosen = media.get("application/json") or next(iter(media.values()), None)
                    if isinstance(chosen, dict) and "schema" in chosen:
                        body = {"allOf": [chosen["schema"]], "components": components}
                    body_required = bool(request_body.get("required", False))
                validators = {p.name: self._validator(p.schema, components) for p in params}
                if body is not None:
                    validators = {**validators, "": Draft4Validator(body, format_checker=_FORMATS)}
                self._operations[(method.upper(), base_path + path)] = _Operation(
                    params, body, body_required, validators
                )

    @staticmethod
    def _param(
        raw: Mapping[str, Any], components: Mapping[str, Any], relaxed: frozenset[str]
    ) -> _Param:
        param = _resolve(raw, components)
        location = str(param.get("in", "query"))
        required = bool(param.get("required", False)) and param.get("name") not in relaxed
        style_default = location in ("query", "cookie")
        return _Param(
            name=str(param["name"]),
            location=location,
            required=required or location == "path",
            schema=_resolve(param.get("schema", {}), components),
            explode=bool(param.get("explode", style_default)),
        )

    @staticmethod
    def _validator(schema: Mapping[str, Any], components: Mapping[str, Any]) -> Draft4Validator:
        return Draft4Validator(
            {"allOf": [schema], "components": components}, format_checker=_FORMATS
        )

    def covers(self, method: str, template: str) -> bool:
        return (method.upper(), template) in self._operations

    def check(
        self,
        method: str,
        template: str,
        *,
        query: Iterable[tuple[str, str]] = (),
        path_params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> Any:
        """Validate one request; return the decoded JSON body (``None`` without one).

        ``template`` is the spec's path (``/api/players/{playerId}/Bets``); raises
        :class:`ContractViolation` with a short reason on the first problem found.
        """
        op = self._operations.get((method.upper(), template))
        if op is None:
            raise KeyError(f"{method} {template} is not in the contract")
        pairs = list(query)
        for param in op.params:
            raw: list[str]
            if param.location == "query":
                raw = [v for k, v in pairs if k == param.name]
            elif param.location == "path":
                value = (path_params or {}).get(param.name)
                raw = [] if value is None else [value]
            elif param.location == "header":
                header = (headers or {}).get(param.name.lower())
                raw = [] if header is None else [header]
            else:
                continue
            if not raw:
                if param.required:
                    raise ContractViolation(f"{param.name} is required")
                continue
            value = self._parse(param, raw)
            self._validate(op, param.name, value)
        decoded: Any = None
        if body and op.body is not None:
            decoded = decode_json(body)
            self._validate(op, "", decoded)
        elif op.body is not None and op.body_required:
            raise ContractViolation("a JSON body is required")
        return decoded

    @staticmethod
    def _parse(param: _Param, raw: list[str]) -> Any:
        if param.kind == "array":
            items = param.schema.get("items", {})
            kind = items.get("type", "string") if isinstance(items, dict) else "string"
            parts = raw if param.explode else [p for r in raw for p in r.split(",")]
            if param.explode and kind in ("integer", "number"):
                parts = [p for r in raw for p in r.split(",")]  # both spellings, as servers do
            return [_scalar(param.name, kind, p) for p in parts]
        if len(raw) > 1:
            raise ContractViolation(f"{param.name} is given more than once")
        return _scalar(param.name, param.kind, raw[0])

    @staticmethod
    def _validate(op: _Operation, name: str, value: Any) -> None:
        error = next(iter(op.validators[name].iter_errors(value)), None)
        if error is not None:
            where = name or "body"
            at = "/".join(str(p) for p in error.absolute_path)
            raise ContractViolation(f"{where}{'/' + at if at else ''}: {error.message[:200]}")


def _resolve(node: Any, components: Mapping[str, Any]) -> Any:
    """Follow local ``$ref`` pointers on parameter and request-body objects."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 16:
        target: Any = {"components": components}
        for part in str(node["$ref"]).lstrip("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        node, seen = target, seen + 1
    return node


def _scalar(name: str, kind: str, text: str) -> Any:
    """A query/path/header string as the declared JSON type."""
    if kind == "integer":
        if not _INTEGER.fullmatch(text.strip()):
            raise ContractViolation(f"{name} must be an integer")
        return int(text)
    if kind == "number":
        try:
            number = float(text)
        except ValueError:
            raise ContractViolation(f"{name} must be a number") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ContractViolation(f"{name} must be a finite number")
        return number
    if kind == "boolean":
        lowered = text.lower()
        if lowered not in ("true", "false"):
            raise ContractViolation(f"{name} must be true or false")
        return lowered == "true"
    return text
