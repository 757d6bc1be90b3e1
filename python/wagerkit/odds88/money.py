"""Odds88 fixed-point amounts ↔ wagerkit minor units, exactly.

Odds88 sends money as an integer and a precision (``{localAmount: 40000, precision: 4}`` is
4.0000). wagerkit keeps money as integer minor units of the ISO currency (USD cents). The two
scales differ (precision 4 vs exponent 2), so every conversion goes through exact decimal text
and the engine's :func:`wagerkit.to_minor` / :func:`wagerkit.minor_to_str`, never a float.
Rounding is always explicit; a conversion that would lose a digit without being asked to round
raises :class:`~wagerkit.errors.InvalidInput`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from wagerkit import minor_to_str, to_minor
from wagerkit.errors import InvalidInput

if TYPE_CHECKING:
    from wagerkit._core import Rounding

__all__ = [
    "MAX_PRECISION",
    "check_precision",
    "decimal_to_fixed",
    "fixed_to_decimal",
    "fixed_to_minor",
    "minor_to_fixed",
]

MAX_PRECISION = 18
"""Largest precision accepted: beyond it an int64 amount cannot hold one whole unit of money."""

_MAX_DIGITS = 40
"""Digits a fixed-point integer may have here; the models refuse anything beyond 64 bits, this
only keeps ``10**shift`` from building a huge number first."""


def check_precision(precision: int, *, field: str = "precision") -> int:
    """Refuse a precision outside ``0..MAX_PRECISION`` (a bool is not a precision)."""
    if isinstance(precision, bool) or not isinstance(precision, int):
        raise InvalidInput(f"{field} must be an int, got {type(precision).__name__}", field=field)
    if not 0 <= precision <= MAX_PRECISION:
        raise InvalidInput(f"{field} must be 0..{MAX_PRECISION}, got {precision}", field=field)
    return precision


def fixed_to_decimal(value: int, precision: int) -> Decimal:
    """``value / 10**precision`` as an exact Decimal with ``precision`` places."""
    return Decimal(value).scaleb(-check_precision(precision))


def fixed_to_minor(
    value: int, precision: int, currency: str, rounding: Rounding = "half_even"
) -> int:
    """Minor units of ``currency`` for the fixed-point amount, rounded as asked.

    Raises InvalidInput for a currency the engine does not know (crypto and custom currencies
    have no ISO minor unit: keep those as fixed-point amounts).
    """
    return to_minor(format(fixed_to_decimal(value, precision), "f"), currency, rounding)


def decimal_to_fixed(value: Decimal | str | int, precision: int, *, field: str = "amount") -> int:
    """The integer Odds88 sends for ``value`` at ``precision``; refuses floats and lost digits."""
    check_precision(precision)
    if isinstance(value, (bool, float)):
        raise InvalidInput(
            f"{field}: pass a Decimal, str or int, not a {type(value).__name__} "
            "(money never goes through a float)",
            field=field,
        )
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput(f"{field}: not a decimal number: {_shown(value)}", field=field) from None
    if not number.is_finite():
        raise InvalidInput(f"{field}: must be finite, got {_shown(value)}", field=field)
    # Exact integer arithmetic on the digits, never the decimal context: a context operation
    # would round an extreme exponent ("1e-999999999" → 0) or overflow instead of refusing it.
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # finite, checked above
    coefficient = int("".join(map(str, digits)))
    while coefficient and coefficient % 10 == 0:  # bounded by the number of digits
        coefficient //= 10
        exponent += 1
    shift = exponent + precision
    if coefficient == 0:
        return 0
    if shift < 0:
        raise InvalidInput(
            f"{field}: {_shown(value)} has more than {precision} decimal places", field=field
        )
    if len(str(coefficient)) + shift > _MAX_DIGITS:
        raise InvalidInput(f"{field}: {_shown(value)} is out of range", field=field)
    fixed = int(coefficient * 10**shift)  # shift >= 0 here: an int, exactly
    return -fixed if sign else fixed


def _shown(value: object) -> str:
    """``repr`` of a caller's value, cut short so an error message stays readable."""
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


def minor_to_fixed(minor: int, currency: str, precision: int, *, field: str = "amount") -> int:
    """The fixed-point integer at ``precision`` for ``minor`` units of ``currency``.

    Exact: a precision below the currency's exponent is only accepted when no digit is lost.
    """
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise InvalidInput(f"{field}: minor units must be an int", field=field)
    return decimal_to_fixed(minor_to_str(minor, currency), precision, field=field)
