"""Money: ISO 4217 exponents, decimal input read exactly and rounded once (docs/engine.md §1)."""

from __future__ import annotations

from decimal import Decimal
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.reference import DOC_EXPONENTS

PROPERTY = settings(max_examples=200, deadline=None)

CURRENCIES = ("USD", "EUR", "JPY", "KWD", "CLF")
"""Exponents 2, 2, 0, 3 and 4."""


@pytest.mark.parametrize(("currency", "exponent"), sorted(DOC_EXPONENTS.items()))
def test_currency_exponent_is_iso_4217(impl: ModuleType, currency: str, exponent: int) -> None:
    """Every code docs/engine.md names has its ISO 4217 exponent."""
    assert impl.currency_exponent(currency) == exponent
    assert impl.is_currency(currency)


@pytest.mark.parametrize("code", ["usd", "XYZ", "US", "USDT", "", "EURO", "BTC"])
def test_unknown_currency_is_never_guessed(impl: ModuleType, code: str) -> None:
    """An unknown or malformed code is not a currency, and asking its exponent is an error."""
    assert not impl.is_currency(code)
    with pytest.raises(ValueError, match=r"(?i)currency"):
        impl.currency_exponent(code)


def test_engine_knows_the_reference_iso_list(core: ModuleType, ref: ModuleType) -> None:
    """The engine and the reference agree on every active ISO 4217 code and its exponent."""
    disagree = {
        code: (core.currency_exponent(code) if core.is_currency(code) else None, exp)
        for code, exp in ref.EXPONENTS.items()
        if not core.is_currency(code) or core.currency_exponent(code) != exp
    }
    assert disagree == {}


@pytest.mark.parametrize(
    ("amount", "currency", "rounding", "minor"),
    [
        (10.5, "USD", "half_even", 1050),
        ("751.34", "EUR", "half_even", 75134),
        (751.34, "EUR", "down", 75134),
        # 2.675 is 2.67499999... in binary; its shortest text is 2.675 → 267.5 → 268.
        (2.675, "USD", "half_even", 268),
        (0.125, "USD", "half_even", 12),  # tie → even
        ("0.135", "USD", "half_even", 14),  # tie → even
        (0.1 + 0.2, "USD", "half_even", 30),  # repr 0.30000000000000004
        ("1.2345", "KWD", "half_even", 1234),
        ("1.2345", "KWD", "up", 1235),
        ("1.2345", "KWD", "down", 1234),
        ("-1.005", "USD", "down", -100),  # toward zero
        ("-1.005", "USD", "up", -101),  # away from zero
        (Decimal("150.5"), "JPY", "half_even", 150),
        (Decimal("151.5"), "JPY", "half_even", 152),
        (1, "JPY", "half_even", 1),
        (7, "CLF", "half_even", 70000),
        ("1e3", "USD", "half_even", 100_000),
    ],
)
def test_to_minor_known_values(
    impl: ModuleType, amount: float | str | Decimal, currency: str, rounding: str, minor: int
) -> None:
    """Decimal input is read through its exact text and rounded once, as asked."""
    assert impl.to_minor(amount, currency, rounding) == minor


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (75134, "EUR", "751.34"),
        (5, "USD", "0.05"),
        (-5, "USD", "-0.05"),
        (0, "USD", "0.00"),
        (100, "JPY", "100"),
        (1, "KWD", "0.001"),
        (123456789, "CLF", "12345.6789"),
    ],
)
def test_minor_to_str_known_values(impl: ModuleType, minor: int, currency: str, text: str) -> None:
    """Exact text with the currency's number of decimals."""
    assert impl.minor_to_str(minor, currency) == text


@PROPERTY
@given(minor=st.integers(-(10**15), 10**15), currency=st.sampled_from(CURRENCIES))
def test_to_minor_inverts_minor_to_str(impl: ModuleType, minor: int, currency: str) -> None:
    """minor → text → minor is the identity, for every rounding mode (the text is exact)."""
    text = impl.minor_to_str(minor, currency)
    for rounding in ("down", "half_even", "up"):
        assert impl.to_minor(text, currency, rounding) == minor
    assert impl.to_minor(Decimal(text), currency) == minor


@PROPERTY
@given(minor=st.integers(-(10**12), 10**12), currency=st.sampled_from(CURRENCIES))
def test_minor_to_float_is_the_nearest_float(impl: ModuleType, minor: int, currency: str) -> None:
    """minor_to_float gives the float nearest to the exact amount (and reads back exactly)."""
    value = impl.minor_to_float(minor, currency)
    assert value == float(Decimal(minor).scaleb(-impl.currency_exponent(currency)))
    assert impl.to_minor(value, currency) == minor


@PROPERTY
@given(
    value=st.decimals(min_value=-(10**9), max_value=10**9, places=6, allow_nan=False),
    currency=st.sampled_from(CURRENCIES),
    rounding=st.sampled_from(["down", "half_even", "up"]),
)
def test_engine_to_minor_agrees_with_reference(
    core: ModuleType, ref: ModuleType, value: Decimal, currency: str, rounding: str
) -> None:
    """to_minor matches the reference for decimal text, Decimal and float input."""
    for amount in (str(value), value, float(value)):
        assert core.to_minor(amount, currency, rounding) == ref.to_minor(amount, currency, rounding)
