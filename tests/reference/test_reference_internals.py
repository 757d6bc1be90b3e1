"""The reference's building blocks, checked on their own (the engine has no equivalent API).

The reference is the oracle for the engine, so its own arithmetic must be beyond doubt:
these pin the rounding, the exact reading of decimal input and the key forms.
"""

from __future__ import annotations

import math
import uuid
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.reference.dedupe import uuid_key
from tests.reference.errors import InvalidInput
from tests.reference.fx import convert_exact
from tests.reference.money import (
    fixed_to_str,
    parse_decimal,
    price_to_fixed,
    rate_to_fixed,
    round_fraction,
)


@pytest.mark.parametrize(
    ("value", "down", "half_even", "up"),
    [
        (Fraction(5, 2), 2, 2, 3),
        (Fraction(7, 2), 3, 4, 4),
        (Fraction(-5, 2), -2, -2, -3),
        (Fraction(-7, 2), -3, -4, -4),
        (Fraction(26, 10), 2, 3, 3),
        (Fraction(-26, 10), -2, -3, -3),
        (Fraction(3), 3, 3, 3),
        (Fraction(0), 0, 0, 0),
    ],
)
def test_round_fraction_modes(value: Fraction, down: int, half_even: int, up: int) -> None:
    """down is toward zero, up away from zero, half_even to nearest with ties to even."""
    assert round_fraction(value, "down") == down
    assert round_fraction(value, "half_even") == half_even
    assert round_fraction(value, "up") == up


def test_parse_decimal_reads_floats_through_repr() -> None:
    """0.1 means 1/10 and 2.675 means 2675/1000, not their binary approximations."""
    assert parse_decimal(0.1, "x") == Fraction(1, 10)
    assert parse_decimal(2.675, "x") == Fraction(2675, 1000)
    assert parse_decimal(1e16, "x") == Fraction(10**16)
    assert parse_decimal("1.50", "x") == Fraction(3, 2)
    assert parse_decimal(Decimal("-0.001"), "x") == Fraction(-1, 1000)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, "nan", "inf", "x", True, None])
def test_parse_decimal_refuses_non_numbers(bad: object) -> None:
    """NaN, infinities, text that is no number, bools and None are refused."""
    with pytest.raises(InvalidInput):
        parse_decimal(bad, "x")  # type: ignore[arg-type]


def test_prices_round_half_even_to_six_decimals_and_stay_above_one() -> None:
    """1.0000005 → 1.000000 (tie to even) is not > 1; 1.0000015 → 1.000002 is."""
    assert price_to_fixed("1.98") == 1_980_000
    assert price_to_fixed("1.0000015") == 1_000_002
    with pytest.raises(InvalidInput):
        price_to_fixed("1.0000005")
    with pytest.raises(InvalidInput):
        price_to_fixed(1.0)


def test_rates_round_to_twelve_decimals() -> None:
    """currencyValue keeps 12 decimals; text drops trailing zeros."""
    assert rate_to_fixed("0.84788876") == 847_888_760_000
    with pytest.raises(InvalidInput):
        rate_to_fixed("0.0000000000004")  # rounds to 0: not > 0
    assert fixed_to_str(847_888_760_000, 12) == "0.84788876"
    assert fixed_to_str(10**12, 12) == "1"


@settings(max_examples=200, deadline=None)
@given(
    amount=st.integers(-(10**12), 10**12),
    cv_a=st.integers(1, 10**15),
    cv_b=st.integers(1, 10**15),
    exp_a=st.integers(0, 4),
    exp_b=st.integers(0, 4),
)
def test_convert_exact_brackets_the_true_value(
    amount: int, cv_a: int, cv_b: int, exp_a: int, exp_b: int
) -> None:
    """down and up differ by at most one and bracket the exact rational; half_even is the
    nearer of the two."""
    exact = Fraction(amount * 10**exp_b * cv_b, 10**exp_a * cv_a)
    down = convert_exact(amount, exp_a, cv_a, exp_b, cv_b, "down")
    up = convert_exact(amount, exp_a, cv_a, exp_b, cv_b, "up")
    even = convert_exact(amount, exp_a, cv_a, exp_b, cv_b, "half_even")
    assert abs(down) <= abs(exact) <= abs(up) and abs(up - down) <= 1
    assert abs(even - exact) <= Fraction(1, 2)


def test_uuid_key_accepts_every_standard_form() -> None:
    """Hyphenated, upper case, braced, URN, 32 hex digits, 16 bytes and UUID are one key."""
    u = uuid.UUID("eb45b192-317b-42d5-9f65-af497b9fa8c1")
    forms: list[object] = [u, str(u), str(u).upper(), f"{{{u}}}", u.urn, u.hex, u.bytes]
    assert {uuid_key(f) for f in forms} == {u.int}
    for bad in ("eb45b192", b"\x00" * 15, 42):
        with pytest.raises(InvalidInput):
            uuid_key(bad)
