"""Exchange rates in ABP's convention, converted exactly (docs/engine.md §1).

``currencyValue`` is units of the currency per 1 USD, so
``amount_B = amount_A / cv(A) * cv(B)``; with minor units and scaled rates that is the
rational ``a * 10^eB * cvB / (10^eA * cvA)``, rounded once.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from tests.reference.errors import InvalidInput, MissingRate
from tests.reference.money import (
    RATE_SCALE,
    Rounding,
    currency_exponent,
    fixed_to_str,
    rate_to_fixed,
    round_fraction,
)


def convert_exact(
    amount: int, exp_a: int, cv_a: int, exp_b: int, cv_b: int, rounding: Rounding
) -> int:
    """The conversion formula on plain integers; the one place the rounding happens."""
    return round_fraction(Fraction(amount * 10**exp_b * cv_b, 10**exp_a * cv_a), rounding)


class Fx:
    """Rate table: currency → (rate scaled by 10**12, updatedAt). USD is always 1."""

    def __init__(self) -> None:
        self._rates: dict[str, tuple[int, str | None]] = {"USD": (RATE_SCALE, None)}

    def set_rate(
        self, currency: str, currency_value: float | str | Decimal, updated_at: str | None = None
    ) -> None:
        """Set units of ``currency`` per 1 USD; USD must stay exactly 1."""
        currency_exponent(currency)
        fixed = rate_to_fixed(currency_value)
        if currency == "USD" and fixed != RATE_SCALE:
            raise InvalidInput("the USD currency_value is always 1", field="currency_value")
        self._rates[currency] = (fixed, updated_at)

    def rate_fixed(self, currency: str) -> int:
        """The scaled rate; MissingRate when unknown (InvalidInput for a non-currency)."""
        currency_exponent(currency)
        try:
            return self._rates[currency][0]
        except KeyError:
            raise MissingRate(f"No exchange rate for {currency}", currency=currency) from None

    def rate(self, currency: str) -> float:
        """The currency value as the nearest float."""
        return float(Fraction(self.rate_fixed(currency), RATE_SCALE))

    def rate_str(self, currency: str) -> str:
        """The currency value as exact decimal text, trailing zeros dropped."""
        return fixed_to_str(self.rate_fixed(currency), 12)

    def updated_at(self, currency: str) -> str | None:
        """The snapshot time given with the rate."""
        self.rate_fixed(currency)
        return self._rates[currency][1]

    def currencies(self) -> list[str]:
        """Currencies with a rate, sorted."""
        return sorted(self._rates)

    def has(self, currency: str) -> bool:
        """True when ``currency`` has a rate (no validation: used by the router's filters)."""
        return currency in self._rates

    def convert(
        self, amount: int, from_currency: str, to_currency: str, rounding: Rounding = "half_even"
    ) -> int:
        """``amount`` minor units of ``from_currency`` in minor units of ``to_currency``."""
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise InvalidInput("amount must be an int in minor units", field="amount")
        exp_a = currency_exponent(from_currency)
        exp_b = currency_exponent(to_currency)
        cv_a = self.rate_fixed(from_currency)
        cv_b = self.rate_fixed(to_currency)
        return convert_exact(amount, exp_a, cv_a, exp_b, cv_b, rounding)

    def to_usd(self, amount: int, currency: str, rounding: Rounding = "half_even") -> int:
        """Shorthand for a conversion into USD."""
        return self.convert(amount, currency, "USD", rounding)

    def __contains__(self, currency: object) -> bool:
        return isinstance(currency, str) and currency in self._rates

    def __len__(self) -> int:
        return len(self._rates)
