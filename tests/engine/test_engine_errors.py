"""Bad input raises typed errors with clear messages; an engine bug raises, never aborts.

The engine's errors must be ``wagerkit.errors`` classes: InvalidInput (also a ValueError) for
anything the caller got wrong, MissingRate for an unknown exchange rate, EngineError for a
Rust panic.
"""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

BAD_FLOATS = [math.nan, math.inf, -math.inf]


def expect_invalid(errors: ModuleType, call: Callable[[], Any], *words: str) -> None:
    """``call`` raises InvalidInput (a ValueError) whose message names each of ``words``."""
    with pytest.raises(errors.InvalidInput) as info:
        call()
    assert isinstance(info.value, ValueError)
    message = str(info.value).lower()
    for word in words:
        assert word.lower() in message, f"{word!r} not in {str(info.value)!r}"


@pytest.mark.parametrize("stake", [0, -1, -100_000])
def test_order_stake_must_be_positive(core: ModuleType, errors: ModuleType, stake: int) -> None:
    """A zero or negative stake is refused before anything is routed, naming the stake."""
    expect_invalid(errors, lambda: core.Order(stake, "USD", 1.9), "stake")


@pytest.mark.parametrize("price", [*BAD_FLOATS, 1.0, 0.5, -2.0, 0.0])
def test_order_price_must_be_finite_and_above_one(
    core: ModuleType, errors: ModuleType, price: float
) -> None:
    """NaN, ±inf and prices <= 1.0 are refused, naming the price."""
    expect_invalid(errors, lambda: core.Order(1000, "USD", price), "price")


@pytest.mark.parametrize("amount", [*BAD_FLOATS, 0.0, -5.0, "nan", "abc"])
def test_order_from_amount_refuses_bad_amounts(
    core: ModuleType, errors: ModuleType, amount: float | str
) -> None:
    """from_amount: a non-finite, non-numeric, zero or negative amount is refused."""
    with pytest.raises(errors.InvalidInput):
        core.Order.from_amount(amount, "USD", 1.9)


def test_order_from_amount_reads_major_units(core: ModuleType) -> None:
    """from_amount(10.5, "USD") is a stake of 1050 cents; in JPY 1500 is 1500 yen."""
    assert core.Order.from_amount(10.5, "USD", 1.9).stake == 1050
    assert core.Order.from_amount("1500", "JPY", 1.9).stake == 1500


@pytest.mark.parametrize("currency", ["usd", "XYZ", "", "DOLLAR"])
def test_unknown_currency_is_invalid_input(
    core: ModuleType, errors: ModuleType, currency: str
) -> None:
    """An unknown currency is refused everywhere one is taken, naming the code."""
    fx = core.Fx()
    book = core.Book()
    calls: list[Callable[[], Any]] = [
        lambda: core.Order(1000, currency, 1.9),
        lambda: core.to_minor(1, currency),
        lambda: core.minor_to_str(1, currency),
        lambda: core.currency_exponent(currency),
        lambda: fx.set_rate(currency, 1.1),
        lambda: fx.convert(100, "USD", currency),
        lambda: book.set_account("a", "alpha", currency),
    ]
    for call in calls:
        expect_invalid(errors, call, "currency")


@pytest.mark.parametrize("amount", BAD_FLOATS)
def test_non_finite_amounts_are_invalid_input(
    core: ModuleType, errors: ModuleType, amount: float
) -> None:
    """to_minor refuses NaN and ±infinity instead of inventing a number."""
    expect_invalid(errors, lambda: core.to_minor(amount, "USD"))


@pytest.mark.parametrize("value", [*BAD_FLOATS, 0.0, -0.9, "0"])
def test_rate_must_be_finite_and_positive(core: ModuleType, errors: ModuleType, value: Any) -> None:
    """A currency value must be finite and > 0."""
    expect_invalid(errors, lambda: core.Fx().set_rate("EUR", value))


def test_usd_rate_cannot_change(core: ModuleType, errors: ModuleType) -> None:
    """USD is 1 by definition; setting it to anything else is refused (1 is accepted)."""
    fx = core.Fx()
    fx.set_rate("USD", 1)
    expect_invalid(errors, lambda: fx.set_rate("USD", 1.1), "USD")


def test_missing_rate_raises_missing_rate(core: ModuleType, errors: ModuleType) -> None:
    """Converting through a currency without a rate raises MissingRate naming it."""
    fx = core.Fx()
    for call in (
        lambda: fx.convert(100, "USD", "EUR"),
        lambda: fx.convert(100, "EUR", "USD"),
        lambda: fx.rate("EUR"),
        lambda: fx.to_usd(100, "EUR"),
    ):
        with pytest.raises(errors.MissingRate) as info:
            call()
        assert info.value.currency == "EUR"
        assert "EUR" in str(info.value)
    book = core.Book()
    book.set_account("a", "alpha", "USD")
    book.upsert("f1:alpha:103:0", "a", 1.5, 1000)
    with pytest.raises(errors.MissingRate):
        book.available(1.5, "EUR", fx)  # a read in a currency the table does not know


@pytest.mark.parametrize("price", [*BAD_FLOATS, 1.0, 0.99])
def test_book_refuses_bad_prices(core: ModuleType, errors: ModuleType, price: float) -> None:
    """upsert and update refuse NaN, ±inf and prices <= 1, naming the price."""
    book = core.Book()
    book.set_account("a", "alpha", "USD")
    slot = book.upsert("f1:alpha:103:0", "a", 1.5, 1000)
    expect_invalid(errors, lambda: book.upsert("f1:alpha:103:0", "a", price, 1000), "price")
    expect_invalid(errors, lambda: book.update(slot, price, 1000, None, True), "price")
    assert book.get(slot).price == 1.5  # the failed calls changed nothing


@pytest.mark.parametrize("slot", [7, 10**6, -1])
def test_unknown_slot_is_invalid_input(core: ModuleType, errors: ModuleType, slot: int) -> None:
    """update and get with a slot that was never handed out are refused, naming the slot."""
    book = core.Book()
    book.set_account("a", "alpha", "USD")
    book.upsert("f1:alpha:103:0", "a", 1.5, 1000)
    expect_invalid(errors, lambda: book.update(slot, 1.6, 1000, None, True), "slot")
    expect_invalid(errors, lambda: book.get(slot), "slot")


@pytest.mark.parametrize(
    "bad", ["", "not-a-uuid", "eb45b192-317b-42d5-9f65-af497b9fa8c", b"\x01" * 15, b"\x01" * 17]
)
def test_malformed_uuid_is_invalid_input(core: ModuleType, errors: ModuleType, bad: Any) -> None:
    """A dedupe key that is not a UUID is refused (never hashed as some other key)."""
    cache = core.DedupeCache()
    expect_invalid(errors, lambda: cache.check_and_insert(bad), "uuid")
    assert len(cache) == 0


def test_negative_amounts_in_book_are_invalid_input(core: ModuleType, errors: ModuleType) -> None:
    """A negative limit or stake limit cannot mean anything: refused."""
    book = core.Book()
    expect_invalid(errors, lambda: book.set_account("a", "alpha", "USD", max_stake=-1))
    book.set_account("a", "alpha", "USD")
    expect_invalid(errors, lambda: book.upsert("f1:alpha:103:0", "a", 1.5, -1), "limit")


def test_panic_becomes_engine_error_and_the_process_survives(
    core: ModuleType, errors: ModuleType
) -> None:
    """A Rust panic surfaces as EngineError; the interpreter and the engine keep working."""
    with pytest.raises(errors.EngineError):
        core._panic_for_tests()
    with pytest.raises(errors.EngineError):
        core._panic_for_tests()
    assert core.to_minor("1.50", "USD") == 150


def test_panic_does_not_abort_a_fresh_interpreter() -> None:
    """In a separate process: the panic is caught and the process exits normally."""
    script = (
        "import wagerkit._core as c, wagerkit.errors as e\n"
        "try:\n    c._panic_for_tests()\nexcept e.EngineError:\n    print('caught')\n"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout.strip()) == (0, "caught"), done.stderr


def test_none_is_not_a_bool_default(impl: ModuleType) -> None:
    """L3: passing None for a bool is InvalidInput, never read as the default."""
    book = impl.Book()
    book.set_account("a", "x", "USD")
    slot = book.upsert("f:x:1:0", "a", 2.0, 100)
    calls: list[tuple[str, Any]] = [
        ("active", lambda: book.update(slot, 2.0, 100, None, None)),
        ("active", lambda: book.set_account("a", "x", "USD", active=None)),
        ("active", lambda: book.upsert("f:x:1:0", "a", 2.0, 100, None, None)),
        ("back", lambda: book.upsert("f:x:1:0", "a", 2.0, 100, None, True, None)),
        ("accept_better_odds", lambda: impl.Order(1, "USD", 2.0, accept_better_odds=None)),
        ("accept_partial_stake", lambda: impl.Order(1, "USD", 2.0, accept_partial_stake=None)),
        ("back", lambda: impl.Order(1, "USD", 2.0, back=None)),
    ]
    for field, call in calls:
        with pytest.raises(ValueError) as info:
            call()
        assert getattr(info.value, "field", None) == field
    assert book.get(slot).active is True


def test_lone_surrogates_are_invalid_input(core: ModuleType, errors: ModuleType) -> None:
    """L1: a str holding a lone surrogate is InvalidInput naming the argument."""
    book = core.Book()
    with pytest.raises(errors.InvalidInput) as info:
        book.set_account("\ud800", "x", "USD")
    assert info.value.field == "account"
    with pytest.raises(errors.InvalidInput):
        core.Order(1, "USD", 2.0, bookmakers=["\udfff"])
    with pytest.raises(errors.InvalidInput):
        core.Fx().set_rate("EUR", "0.9\ud800")
    assert not core.is_currency("\ud800")
    assert "\ud800" not in core.Fx()


def test_read_overflow_blames_no_argument(core: ModuleType, errors: ModuleType) -> None:
    """L2: a read whose own arithmetic overflows (a quote's max in the read's currency at an
    extreme rate) is EngineError saying so, not InvalidInput(field="amount")."""
    fx = core.Fx()
    fx.set_rate("JPY", "0.000000000001")
    book = core.Book()
    book.set_account("j", "y", "JPY")
    book.upsert("f:y:1:0", "j", 2.0, 2**62)
    for read in (lambda: book.ladder("USD", fx), lambda: book.available(1.5, "USD", fx)):
        with pytest.raises(errors.EngineError, match="max stake in the read's currency") as info:
            read()
        assert not isinstance(info.value, errors.InvalidInput)
