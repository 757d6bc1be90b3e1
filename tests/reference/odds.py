"""Odds formats (docs/engine.md §8): exact on the inputs' decimal text, rounded once.

Each function turns its float argument into the exact rational of its shortest text, applies
the formula with ``Fraction`` and rounds to a float only at the end (``float(Fraction)`` is
correctly rounded).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

from tests.reference.errors import InvalidInput
from tests.reference.money import parse_decimal, price_to_fixed

OddsFormat = Literal["decimal", "american", "hongkong", "indonesian", "malay"]

ONE = Fraction(1)


def _decimal(price: float, field: str = "price") -> Fraction:
    """Decimal odds the book and router would accept (§1, §8): > 1.0 at 6 decimals."""
    d = parse_decimal(price, field)
    if d <= 1:
        raise InvalidInput(f"{field} must be greater than 1.0, got {price!r}", field=field)
    price_to_fixed(price, field)
    return d


def _decimal_out(d: Fraction, field: str = "odds") -> float:
    """A decimal result must be a price too (> 1.0 at 6 decimals), or it is refused."""
    out = float(d)
    try:
        price_to_fixed(out, field)
    except InvalidInput:
        raise InvalidInput(
            f"{field} is decimal odds {out}, not a price above 1.0 at 6 decimals", field=field
        ) from None
    return out


def _from_decimal(d: Fraction, fmt: OddsFormat) -> Fraction:
    if fmt == "decimal":
        return d
    if fmt == "american":
        return (d - 1) * 100 if d >= 2 else Fraction(-100) / (d - 1)
    if fmt == "hongkong":
        return d - 1
    if fmt == "indonesian":
        return d - 1 if d >= 2 else -ONE / (d - 1)
    if fmt == "malay":
        return d - 1 if d <= 2 else -ONE / (d - 1)
    raise InvalidInput(f"unknown odds format {fmt!r}", field="format")


def _to_decimal(value: float, fmt: OddsFormat) -> Fraction:
    v = parse_decimal(value, "odds")
    if fmt == "decimal":
        return _decimal(value)
    if fmt == "american":
        if v >= 100:
            return 1 + v / 100
        if v <= -100:
            return 1 + Fraction(100) / -v
    elif fmt == "hongkong":
        if v > 0:
            return 1 + v
    elif fmt == "indonesian":
        if v >= 1:
            return 1 + v
        if v <= -1:
            return 1 + ONE / -v
    elif fmt == "malay":
        if 0 < v <= 1:
            return 1 + v
        if -1 <= v < 0:
            return 1 + ONE / -v
    else:
        raise InvalidInput(f"unknown odds format {fmt!r}", field="format")
    raise InvalidInput(f"{value!r} is not valid {fmt} odds", field="odds")


def convert_odds(value: float, from_format: OddsFormat, to_format: OddsFormat) -> float:
    """Any format to any format through the exact decimal value."""
    out = _from_decimal(_to_decimal(value, from_format), to_format)
    return _decimal_out(out) if to_format == "decimal" else float(out)


def decimal_to_american(price: float) -> float:
    """``(d-1)·100`` from 2.0 up, else ``-100/(d-1)``."""
    return float(_from_decimal(_decimal(price), "american"))


def american_to_decimal(odds: float) -> float:
    """Inverse of :func:`decimal_to_american`; accepts ``>= 100`` or ``<= -100``."""
    return _decimal_out(_to_decimal(odds, "american"))


def decimal_to_hongkong(price: float) -> float:
    """``d - 1``."""
    return float(_from_decimal(_decimal(price), "hongkong"))


def hongkong_to_decimal(odds: float) -> float:
    """``h + 1`` for ``h > 0``."""
    return _decimal_out(_to_decimal(odds, "hongkong"))


def decimal_to_indonesian(price: float) -> float:
    """``d - 1`` from 2.0 up, else ``-1/(d-1)``."""
    return float(_from_decimal(_decimal(price), "indonesian"))


def indonesian_to_decimal(odds: float) -> float:
    """Inverse; accepts ``>= 1`` or ``<= -1``."""
    return _decimal_out(_to_decimal(odds, "indonesian"))


def decimal_to_malay(price: float) -> float:
    """``d - 1`` up to 2.0, else ``-1/(d-1)``."""
    return float(_from_decimal(_decimal(price), "malay"))


def malay_to_decimal(odds: float) -> float:
    """Inverse; accepts ``[-1, 0) ∪ (0, 1]``."""
    return _decimal_out(_to_decimal(odds, "malay"))
