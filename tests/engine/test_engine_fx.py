"""FX in ABP's convention, exact conversions with explicit rounding (docs/engine.md §1)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

PROPERTY = settings(max_examples=200, deadline=None)

ROUNDINGS = ("down", "half_even", "up")


@st.composite
def rate_tables(draw: st.DrawFn) -> dict[str, str]:
    """Rates for EUR, GBP, JPY (0 decimals), KWD (3) and CLF (4), as exact decimal text."""
    return {
        "EUR": str(Decimal(draw(st.integers(50_000_000, 150_000_000))).scaleb(-8)),
        "GBP": str(Decimal(draw(st.integers(50_000_000, 150_000_000))).scaleb(-8)),
        "JPY": str(Decimal(draw(st.integers(50_000, 200_000))).scaleb(-3)),
        "KWD": str(Decimal(draw(st.integers(250_000, 350_000))).scaleb(-6)),
        "CLF": str(Decimal(draw(st.integers(1, 10**12))).scaleb(-12)),
    }


CURRENCIES = st.sampled_from(["USD", "EUR", "GBP", "JPY", "KWD", "CLF"])


def fx_of(m: ModuleType, rates: dict[str, str]) -> Any:
    """A rate table of implementation ``m`` holding ``rates``."""
    fx = m.Fx()
    for currency, value in rates.items():
        fx.set_rate(currency, value)
    return fx


def minor_unit_in_usd(ref: ModuleType, rates: dict[str, str], currency: str) -> Fraction:
    """What one minor unit of ``currency`` is worth in USD, exactly."""
    cv = Fraction(Decimal(rates.get(currency, "1")))
    return 1 / (cv * 10 ** ref.currency_exponent(currency))


def test_usd_is_always_one(impl: ModuleType) -> None:
    """A fresh table holds USD = 1 and nothing else."""
    fx = impl.Fx()
    assert "USD" in fx and len(fx) == 1
    assert fx.rate("USD") == 1.0 and fx.rate_str("USD") in {"1", "1.0"}
    assert fx.currencies() == ["USD"]
    assert "EUR" not in fx


def test_rates_keep_exact_text_and_updated_at(impl: ModuleType) -> None:
    """A rate is stored exactly (12 decimals) with the snapshot time it came with."""
    fx = impl.Fx()
    fx.set_rate("EUR", 0.84788876, "2026-02-07T17:29:32+00:00")
    fx.set_rate("JPY", "151.123456789012")
    fx.set_rate("GBP", Decimal("0.79"))
    assert fx.rate_str("EUR") == "0.84788876"
    assert fx.rate_str("JPY") == "151.123456789012"
    assert fx.rate_str("GBP") == "0.79"
    assert fx.updated_at("EUR") == "2026-02-07T17:29:32+00:00"
    assert fx.updated_at("JPY") is None
    assert fx.currencies() == ["EUR", "GBP", "JPY", "USD"]
    fx.set_rate("EUR", "0.9", "later")
    assert (fx.rate_str("EUR"), fx.updated_at("EUR")) == ("0.9", "later")


@pytest.mark.parametrize(
    ("amount", "src", "dst", "rounding", "expected"),
    [
        # 10.00 USD at 0.84788876 = 8.4788876 EUR: down 847, half-even 848, up 848.
        (1_000, "USD", "EUR", "down", 847),
        (1_000, "USD", "EUR", "half_even", 848),
        (1_000, "USD", "EUR", "up", 848),
        # 751.34 EUR / 0.84788876 = 886.1303... USD (the betslip's limitUsd 886.13).
        (75_134, "EUR", "USD", "half_even", 88_613),
        (75_134, "EUR", "USD", "up", 88_614),
        # 1.00 EUR / 0.84788876 = 1.1794 USD: min stakes round up → 1.18 (limitMinUsd).
        (100, "EUR", "USD", "up", 118),
        # 10.00 EUR → JPY: 10 / 0.84788876 × 150.5 = 1774.9978... yen.
        (1_000, "EUR", "JPY", "down", 1_774),
        (1_000, "EUR", "JPY", "half_even", 1_775),
        # 1 yen → KWD: 1 / 150.5 × 0.307 = 0.0020398... KWD = 2.0398 fils.
        (1, "JPY", "KWD", "half_even", 2),
        (1, "JPY", "KWD", "up", 3),
        # Negative amounts: down is toward zero, up away from zero.
        (-1_000, "USD", "EUR", "down", -847),
        (-1_000, "USD", "EUR", "up", -848),
        (0, "EUR", "JPY", "up", 0),
    ],
)
def test_convert_known_values(
    impl: ModuleType, amount: int, src: str, dst: str, rounding: str, expected: int
) -> None:
    """amount_B = amount_A / cv(A) × cv(B), in minor units, rounded once as asked."""
    fx = impl.Fx()
    fx.set_rate("EUR", "0.84788876")
    fx.set_rate("JPY", "150.5")
    fx.set_rate("KWD", "0.307")
    assert fx.convert(amount, src, dst, rounding) == expected


def test_convert_abp_example(impl: ModuleType) -> None:
    """ABP's example: 100 USD at 1 USD = 0.92 EUR is 92 EUR, and 92 EUR is 100 USD."""
    fx = impl.Fx()
    fx.set_rate("EUR", "0.92")
    for rounding in ROUNDINGS:
        assert fx.convert(10_000, "USD", "EUR", rounding) == 9_200
        assert fx.convert(9_200, "EUR", "USD", rounding) == 10_000


def test_to_usd_is_convert_to_usd(impl: ModuleType) -> None:
    """to_usd(a, C) == convert(a, C, "USD") for each rounding."""
    fx = impl.Fx()
    fx.set_rate("EUR", "0.84788876")
    for rounding in ROUNDINGS:
        assert fx.to_usd(75_134, "EUR", rounding) == fx.convert(75_134, "EUR", "USD", rounding)


@PROPERTY
@given(
    rates=rate_tables(),
    amount=st.integers(-(10**12), 10**12),
    src=CURRENCIES,
    dst=CURRENCIES,
)
def test_round_trip_within_one_minor_unit_of_the_coarser_side(
    impl: ModuleType, ref: ModuleType, rates: dict[str, str], amount: int, src: str, dst: str
) -> None:
    """A → B → A half-even loses at most one minor unit of the coarser currency, and
    rounding down both ways never gains."""
    fx = fx_of(impl, rates)
    back = fx.convert(fx.convert(amount, src, dst, "half_even"), dst, src, "half_even")
    unit_src = minor_unit_in_usd(ref, rates, src)
    coarser = max(unit_src, minor_unit_in_usd(ref, rates, dst))
    assert abs(back - amount) * unit_src <= coarser
    if amount >= 0:
        down = fx.convert(fx.convert(amount, src, dst, "down"), dst, src, "down")
        assert 0 <= down <= amount


@PROPERTY
@given(rates=rate_tables(), amount=st.integers(-(10**12), 10**12), src=CURRENCIES, dst=CURRENCIES)
def test_rounding_modes_bracket_the_exact_value(
    impl: ModuleType, rates: dict[str, str], amount: int, src: str, dst: str
) -> None:
    """|down| <= |half_even| <= |up|, and up - down is 0 or 1 in absolute value."""
    fx = fx_of(impl, rates)
    down, even, up = (fx.convert(amount, src, dst, r) for r in ROUNDINGS)
    assert abs(down) <= abs(even) <= abs(up)
    assert abs(up - down) <= 1


@PROPERTY
@given(rates=rate_tables(), amount=st.integers(-(10**15), 10**15), src=CURRENCIES, dst=CURRENCIES)
def test_engine_conversion_agrees_with_reference(
    core: ModuleType,
    ref: ModuleType,
    rates: dict[str, str],
    amount: int,
    src: str,
    dst: str,
) -> None:
    """Every conversion, in every rounding mode, equals the reference's exact rational."""
    engine, reference = fx_of(core, rates), fx_of(ref, rates)
    for rounding in ROUNDINGS:
        assert engine.convert(amount, src, dst, rounding) == reference.convert(
            amount, src, dst, rounding
        )


@PROPERTY
@given(value=st.floats(min_value=1e-6, max_value=1e6, allow_nan=False, allow_infinity=False))
def test_engine_reads_float_rates_through_their_shortest_text(
    core: ModuleType, ref: ModuleType, value: float
) -> None:
    """A float rate means its repr (rounded half-even to 12 decimals), like the reference."""
    engine, reference = core.Fx(), ref.Fx()
    engine.set_rate("EUR", value)
    reference.set_rate("EUR", value)
    assert engine.rate_str("EUR") == reference.rate_str("EUR")
    assert engine.convert(10**9, "EUR", "USD", "down") == reference.convert(
        10**9, "EUR", "USD", "down"
    )
