"""Odds formats (docs/engine.md §8): exact on the decimal forms, rounded once to a float."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

PROPERTY = settings(max_examples=200, deadline=None)

FORMATS = ("decimal", "american", "hongkong", "indonesian", "malay")


@pytest.mark.parametrize(
    ("function", "value", "expected"),
    [
        ("decimal_to_american", 1.5, -200.0),
        ("decimal_to_american", 2.5, 150.0),
        ("decimal_to_american", 2.0, 100.0),
        # -100 / 0.91 = -109.890109890109890...; the nearest float:
        ("decimal_to_american", 1.91, -109.89010989010988),
        ("american_to_decimal", -200.0, 1.5),
        ("american_to_decimal", 150.0, 2.5),
        ("american_to_decimal", 100.0, 2.0),
        ("american_to_decimal", -100.0, 2.0),
        # 1 + 100/110 = 21/11 = 1.909090...
        ("american_to_decimal", -110.0, 1.9090909090909092),
        # 1.91 - 1 is 0.91 exactly on the decimal forms (float arithmetic gives 0.9099999...).
        ("decimal_to_hongkong", 1.91, 0.91),
        ("decimal_to_hongkong", 2.5, 1.5),
        ("hongkong_to_decimal", 0.91, 1.91),
        ("decimal_to_indonesian", 1.5, -2.0),
        ("decimal_to_indonesian", 2.5, 1.5),
        ("decimal_to_indonesian", 2.0, 1.0),
        ("indonesian_to_decimal", -2.0, 1.5),
        ("indonesian_to_decimal", 1.5, 2.5),
        ("indonesian_to_decimal", -1.0, 2.0),
        ("decimal_to_malay", 1.5, 0.5),
        ("decimal_to_malay", 2.0, 1.0),
        ("decimal_to_malay", 2.5, -0.6666666666666666),
        ("decimal_to_malay", 1.91, 0.91),
        ("malay_to_decimal", 0.5, 1.5),
        ("malay_to_decimal", -0.5, 3.0),
        ("malay_to_decimal", 1.0, 2.0),
        ("malay_to_decimal", -1.0, 2.0),
    ],
)
def test_odds_known_values(impl: ModuleType, function: str, value: float, expected: float) -> None:
    """Pinnacle's formats on textbook values, exact where the result is representable."""
    assert getattr(impl, function)(value) == expected


@pytest.mark.parametrize(
    ("value", "src", "dst", "expected"),
    [
        (-110.0, "american", "hongkong", 0.9090909090909091),  # 100/110
        (1.91, "decimal", "american", -109.89010989010988),
        (0.5, "malay", "indonesian", -2.0),
        (-0.5, "malay", "american", 200.0),
        (150.0, "american", "american", 150.0),
        (1.5, "hongkong", "malay", -0.6666666666666666),
    ],
)
def test_convert_odds_known_values(
    impl: ModuleType, value: float, src: str, dst: str, expected: float
) -> None:
    """Any format to any other through the exact decimal value, rounded once."""
    assert impl.convert_odds(value, src, dst) == expected


@pytest.mark.parametrize(
    ("function", "value"),
    [
        ("decimal_to_american", 1.0),
        ("decimal_to_american", 0.5),
        ("american_to_decimal", 99.0),
        ("american_to_decimal", -99.5),
        ("american_to_decimal", 0.0),
        ("hongkong_to_decimal", 0.0),
        ("hongkong_to_decimal", -0.5),
        ("indonesian_to_decimal", 0.5),
        ("indonesian_to_decimal", -0.99),
        ("malay_to_decimal", 0.0),
        ("malay_to_decimal", 1.5),
        ("malay_to_decimal", -1.01),
        ("decimal_to_malay", math.nan),
        ("american_to_decimal", math.inf),
    ],
)
def test_odds_outside_their_domain_are_invalid(
    impl: ModuleType, function: str, value: float
) -> None:
    """Values no format can express (|American| < 100, Malay outside [-1, 1], …) are refused."""
    with pytest.raises(ValueError):
        getattr(impl, function)(value)


PRICES = st.integers(1001, 100_000).map(lambda k: float(Decimal(k).scaleb(-3)))
"""Decimal odds 1.001 to 100.000 with up to three decimals."""


def pairs(m: ModuleType) -> dict[str, tuple[Callable[[float], float], Callable[[float], float]]]:
    """Each format's (from decimal, to decimal) functions."""
    return {
        "american": (m.decimal_to_american, m.american_to_decimal),
        "hongkong": (m.decimal_to_hongkong, m.hongkong_to_decimal),
        "indonesian": (m.decimal_to_indonesian, m.indonesian_to_decimal),
        "malay": (m.decimal_to_malay, m.malay_to_decimal),
    }


@PROPERTY
@given(price=PRICES)
def test_odds_round_trip_through_every_format(impl: ModuleType, price: float) -> None:
    """decimal → format → decimal returns the price: exactly when the intermediate is a
    short decimal (Hong Kong always; American and Indonesian from 2.0 up; Malay up to 2.0),
    else within a few ulps (the intermediate was rounded to a float once)."""
    for name, (there, back) in pairs(impl).items():
        again = back(there(price))
        exact = name == "hongkong" or (price >= 2.0) == (name != "malay")
        if exact:
            assert again == price, name
        else:
            assert math.isclose(again, price, rel_tol=1e-14), name


@PROPERTY
@given(price=PRICES, dst=st.sampled_from(FORMATS))
def test_convert_odds_matches_the_named_functions(impl: ModuleType, price: float, dst: str) -> None:
    """convert_odds(d, "decimal", f) is decimal_to_f(d), and back again from f."""
    if dst == "decimal":
        assert impl.convert_odds(price, "decimal", "decimal") == price
        return
    there, back = pairs(impl)[dst]
    value = impl.convert_odds(price, "decimal", dst)
    assert value == there(price)
    assert impl.convert_odds(value, dst, "decimal") == back(value)


@PROPERTY
@given(price=PRICES, src=st.sampled_from(FORMATS), dst=st.sampled_from(FORMATS))
def test_engine_odds_agree_with_reference(
    core: ModuleType, ref: ModuleType, price: float, src: str, dst: str
) -> None:
    """Every conversion equals the reference's exact-rational result, to the last bit."""
    value = ref.convert_odds(price, "decimal", src)
    assert core.convert_odds(value, src, dst) == ref.convert_odds(value, src, dst)
    for name, (there, back) in pairs(core).items():
        ref_there, ref_back = pairs(ref)[name]
        assert there(price) == ref_there(price), name
        assert back(ref_there(price)) == ref_back(ref_there(price)), name


@pytest.mark.parametrize("price", [1.0000001, 1.0000004, 1.0])
def test_odds_refuse_prices_the_book_refuses(impl: ModuleType, price: float) -> None:
    """L5/§8: a decimal price the Book and Order refuse (not > 1.0 at 6 decimals) is refused
    by every odds function too, instead of giving -1e9 American odds."""
    for name in ("decimal_to_american", "decimal_to_hongkong", "decimal_to_indonesian"):
        with pytest.raises(ValueError):
            getattr(impl, name)(price)
    book = impl.Book()
    book.set_account("a", "x", "USD")
    with pytest.raises(ValueError):
        book.upsert("f:x:1:0", "a", price, 100)


def test_odds_to_decimal_must_give_a_price(impl: ModuleType) -> None:
    """A conversion whose decimal result is not a price above 1.0 at 6 decimals is refused."""
    with pytest.raises(ValueError):
        impl.american_to_decimal(-1e12)
    with pytest.raises(ValueError):
        impl.hongkong_to_decimal(1e-9)
    assert impl.decimal_to_hongkong(1.000001) == pytest.approx(0.000001)
    assert impl.american_to_decimal(-100) == 2.0
