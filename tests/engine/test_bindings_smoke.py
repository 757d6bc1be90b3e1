"""The pyo3 layer itself: argument conversion, error mapping, panics, and module shape.

The rules are tested against the reference elsewhere in tests/engine; these tests pin what only
the bindings decide: every bad argument is ``InvalidInput`` naming it (never a bare
``TypeError``), a Rust panic is ``EngineError``, and the module matches its stub.
"""

from __future__ import annotations

import re
import tomllib
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def quickstart(core: ModuleType) -> tuple[Any, Any]:
    """The quickstart's two quotes and the EUR rate."""
    fx = core.Fx()
    fx.set_rate("EUR", "0.84788876")
    book = core.Book()
    book.set_account("pinnacle_main", "pinnacle", "USD")
    book.set_account("sharpbet_user", "sharpbet", "EUR")
    book.upsert("id1:pinnacle:103:0", "pinnacle_main", 1.98, 1_500_000, 500)
    book.upsert("id1:sharpbet:103:0", "sharpbet_user", 2.0, 75_134, 100)
    return book, fx


def test_version_comes_from_cargo(core: ModuleType) -> None:
    """``__version__`` is the workspace version in Cargo.toml (pyproject takes it from there)."""
    cargo = tomllib.loads((ROOT / "Cargo.toml").read_text())
    assert core.__version__ == cargo["workspace"]["package"]["version"]
    assert core.PRICE_SCALE == 1_000_000


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda core, book, fx: core.Order(True, "USD", 1.9), "stake"),
        (lambda core, book, fx: core.Order(1.5, "USD", 1.9), "stake"),
        (lambda core, book, fx: core.Order(100, 840, 1.9), "currency"),
        (lambda core, book, fx: core.Order(100, "USD", "1.9"), "price"),
        (lambda core, book, fx: core.Order(100, "USD", 1.9, bookmakers="pinnacle"), "bookmakers"),
        (lambda core, book, fx: core.Order(100, "USD", 1.9, back=1), "back"),
        (lambda core, book, fx: book.update(99, 1.9, 100, None, True), "slot"),
        (lambda core, book, fx: book.update(-1, 1.9, 100, None, True), "slot"),
        (lambda core, book, fx: book.update(0, 1.9, 2**70, None, True), "limit"),
        (lambda core, book, fx: book.update(0, 1.9, 100, None, "yes"), "active"),
        (lambda core, book, fx: book.available(1.9, "USD", {}), "fx"),
        (lambda core, book, fx: core.route(object(), book, fx), "order"),
        (lambda core, book, fx: fx.convert("12", "USD", "EUR"), "amount"),
        (lambda core, book, fx: fx.convert(12, "USD", "EUR", "nearest"), "rounding"),
        (lambda core, book, fx: core.to_minor(b"1", "USD"), "amount"),
        (lambda core, book, fx: core.DedupeCache().check_and_insert(b"short"), "request_uuid"),
        (lambda core, book, fx: core.DedupeCache().check_and_insert(42), "request_uuid"),
        (lambda core, book, fx: core.DedupeCache(capacity=0), "capacity"),
        (lambda core, book, fx: core.convert_odds(2.0, "decimal", "fractional"), "to_format"),
        (lambda core, book, fx: core.Book.from_betslip(b"{not json"), "data"),
    ],
)
def test_bad_arguments_are_invalid_input_naming_the_field(
    core: ModuleType, errors: ModuleType, call: Any, field: str
) -> None:
    """Wrong types, out-of-range ints and bad names all raise InvalidInput with ``field``."""
    book, fx = quickstart(core)
    with pytest.raises(errors.InvalidInput) as info:
        call(core, book, fx)
    assert info.value.field == field
    assert isinstance(info.value, ValueError)


def test_missing_rate_carries_the_currency(core: ModuleType, errors: ModuleType) -> None:
    """MissingRate names the currency, in its attribute and its message."""
    with pytest.raises(errors.MissingRate) as info:
        core.Fx().convert(100, "USD", "GBP")
    assert info.value.currency == "GBP"
    assert "GBP" in str(info.value)


def test_a_panic_is_an_engine_error_and_the_module_survives(
    core: ModuleType, errors: ModuleType
) -> None:
    """A Rust panic raises EngineError (an Exception, unlike pyo3's PanicException)."""
    for _ in range(3):
        with pytest.raises(errors.EngineError, match="bug"):
            core._panic_for_tests()
    assert core.to_minor("1.5", "USD") == 150


def test_uuid_forms_are_one_key(core: ModuleType) -> None:
    """str (any standard form), 16 bytes and uuid.UUID name the same entry."""
    u = uuid.UUID("eb45b192-317b-42d5-9f65-af497b9fa8c1")
    cache = core.DedupeCache(ttl=60.0, clock=lambda: 0.0)
    assert cache.check_and_insert(u)
    for form in (str(u), u.hex, str(u).upper(), f"{{{u}}}", u.urn, u.bytes, u):
        assert not cache.check_and_insert(form)
        assert form in cache
    assert "not a uuid" not in cache
    assert len(cache) == 1
    assert cache.remove(u.bytes)
    assert len(cache) == 0


def test_wide_ints_pass_through_conversions(core: ModuleType) -> None:
    """Fx.convert takes and returns ints beyond 64 bits while the exact product fits 128."""
    fx = core.Fx()
    fx.set_rate("CLF", "1e-12")
    assert fx.convert(10**15, "CLF", "USD") == 10**25
    assert core.minor_to_str(2**70, "USD") == f"{2**70 // 100}.{2**70 % 100:02d}"


def test_literal_aliases_exist_at_runtime(core: ModuleType) -> None:
    """The stub's Literal aliases can be imported from the module too."""
    assert set(core.Rounding.__args__) == {"down", "half_even", "up"}
    assert set(core.RouteStatus.__args__) == {"filled", "partial", "waiting", "declined"}
    assert "malay" in core.OddsFormat.__args__


def test_reprs_and_decline_reason_protocol(core: ModuleType) -> None:
    """Objects print usefully; DeclineReason compares, hashes and converts to int."""
    book, fx = quickstart(core)
    plan = core.route(core.Order(100_000, "USD", 1.95), book, fx)
    assert plan.status == "filled"
    for obj in (book, fx, plan, *plan.legs, *book.quotes(), *book.ladder("USD", fx)):
        assert re.match(r"^[A-Z][A-Za-z]+\(", repr(obj))
    reason = core.DeclineReason.STAKE_BELOW_MINIMUM
    assert reason == core.DeclineReason.STAKE_BELOW_MINIMUM
    assert reason != core.DeclineReason.STAKE_EXCEEDS_LIMIT
    assert {reason: 1}[core.DeclineReason.STAKE_BELOW_MINIMUM] == 1
    assert (int(reason), reason.name, reason.label) == (
        2,
        "STAKE_BELOW_MINIMUM",
        "Stake below minimum",
    )
