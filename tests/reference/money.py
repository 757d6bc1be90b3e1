"""Money in the reference: ISO 4217 exponents, exact decimal input, explicit rounding.

Everything here works on ``int`` and ``fractions.Fraction`` so that each rule of
docs/engine.md §1 reads as one line of arithmetic; speed is not a goal.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Literal

from tests.reference.errors import InvalidInput

Rounding = Literal["down", "half_even", "up"]

PRICE_SCALE = 1_000_000
"""Prices are integers with 6 decimals (docs/engine.md §1)."""

RATE_SCALE = 10**12
"""Rates (``currencyValue``) are integers with 12 decimals."""

# ISO 4217 list one: active currency and fund codes with their minor-unit exponent.
# Codes whose minor unit is "N.A." (precious metals, XDR, XTS, XXX, bond units) are left
# out: an amount in them has no minor unit to count in.
_ISO_4217 = """
AED 2 AFN 2 ALL 2 AMD 2 AOA 2 ARS 2 AUD 2 AWG 2 AZN 2 BAM 2 BBD 2 BDT 2 BGN 2 BHD 3 BIF 0
BMD 2 BND 2 BOB 2 BOV 2 BRL 2 BSD 2 BTN 2 BWP 2 BYN 2 BZD 2 CAD 2 CDF 2 CHE 2 CHF 2 CHW 2
CLF 4 CLP 0 CNY 2 COP 2 COU 2 CRC 2 CUP 2 CVE 2 CZK 2 DJF 0 DKK 2 DOP 2 DZD 2 EGP 2 ERN 2
ETB 2 EUR 2 FJD 2 FKP 2 GBP 2 GEL 2 GHS 2 GIP 2 GMD 2 GNF 0 GTQ 2 GYD 2 HKD 2 HNL 2 HTG 2
HUF 2 IDR 2 ILS 2 INR 2 IQD 3 IRR 2 ISK 0 JMD 2 JOD 3 JPY 0 KES 2 KGS 2 KHR 2 KMF 0 KPW 2
KRW 0 KWD 3 KYD 2 KZT 2 LAK 2 LBP 2 LKR 2 LRD 2 LSL 2 LYD 3 MAD 2 MDL 2 MGA 2 MKD 2 MMK 2
MNT 2 MOP 2 MRU 2 MUR 2 MVR 2 MWK 2 MXN 2 MXV 2 MYR 2 MZN 2 NAD 2 NGN 2 NIO 2 NOK 2 NPR 2
NZD 2 OMR 3 PAB 2 PEN 2 PGK 2 PHP 2 PKR 2 PLN 2 PYG 0 QAR 2 RON 2 RSD 2 RUB 2 RWF 0 SAR 2
SBD 2 SCR 2 SDG 2 SEK 2 SGD 2 SHP 2 SLE 2 SOS 2 SRD 2 SSP 2 STN 2 SVC 2 SYP 2 SZL 2 THB 2
TJS 2 TMT 2 TND 3 TOP 2 TRY 2 TTD 2 TWD 2 TZS 2 UAH 2 UGX 0 USD 2 USN 2 UYI 0 UYU 2 UYW 4
UZS 2 VED 2 VES 2 VND 0 VUV 0 WST 2 XAF 0 XCD 2 XCG 2 XOF 0 XPF 0 YER 2 ZAR 2 ZMW 2 ZWG 2
"""

EXPONENTS: dict[str, int] = {
    code: int(exp)
    for code, exp in zip(_ISO_4217.split()[::2], _ISO_4217.split()[1::2], strict=True)
}
"""Currency code → number of decimal places of its minor unit."""

DOC_EXPONENTS: dict[str, int] = {
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "JPY": 0,
    "KRW": 0,
    "VND": 0,
    "CLP": 0,
    "ISK": 0,
    "KWD": 3,
    "BHD": 3,
    "JOD": 3,
    "OMR": 3,
    "TND": 3,
    "LYD": 3,
    "IQD": 3,
    "CLF": 4,
    "UYW": 4,
}
"""The codes docs/engine.md names explicitly: the engine must agree on these at least."""


def is_currency(currency: str) -> bool:
    """True for a known ISO 4217 code; case matters (``"usd"`` is not a code)."""
    return isinstance(currency, str) and currency in EXPONENTS


def currency_exponent(currency: str) -> int:
    """Minor-unit exponent of ``currency``; an unknown code is refused, never guessed."""
    if not is_currency(currency):
        raise InvalidInput(f"unknown currency {currency!r}", field="currency")
    return EXPONENTS[currency]


def parse_decimal(value: float | int | str | Decimal, field: str) -> Fraction:
    """The exact rational value of a decimal input (§1).

    A float is read through its shortest round-trip text (``repr``), so ``2.675`` means
    2675/1000 and not the binary value just below it. NaN and infinities are refused.
    """
    if isinstance(value, bool):
        raise InvalidInput(f"{field} must be a number, not a bool", field=field)
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInput(f"{field} must be finite, got {value!r}", field=field)
        return Fraction(Decimal(repr(value)))
    if isinstance(value, str | Decimal):
        try:
            dec = Decimal(value)
        except InvalidOperation:
            raise InvalidInput(f"{field} is not a decimal number: {value!r}", field=field) from None
        if not dec.is_finite():
            raise InvalidInput(f"{field} must be finite, got {value!r}", field=field)
        return Fraction(dec)
    raise InvalidInput(f"{field} must be a number, got {type(value).__name__}", field=field)


def round_fraction(value: Fraction, rounding: Rounding) -> int:
    """Round once: ``down`` toward zero, ``up`` away from zero, ``half_even`` to nearest."""
    if rounding == "down":
        return math.trunc(value)
    if rounding == "up":
        return math.ceil(value) if value >= 0 else math.floor(value)
    if rounding == "half_even":
        return round(value)  # Fraction.__round__ rounds ties to even
    raise InvalidInput(f"unknown rounding {rounding!r}", field="rounding")


def to_minor(
    amount: float | int | str | Decimal, currency: str, rounding: Rounding = "half_even"
) -> int:
    """Major-unit amount → minor units of ``currency``, rounded once as asked."""
    exp = currency_exponent(currency)
    return round_fraction(parse_decimal(amount, "amount") * 10**exp, rounding)


def minor_to_str(amount: int, currency: str) -> str:
    """Exact decimal text of a minor-unit amount, with exactly ``exponent`` decimals."""
    exp = currency_exponent(currency)
    sign = "-" if amount < 0 else ""
    whole, frac = divmod(abs(amount), 10**exp)
    if exp == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{frac:0{exp}d}"


def minor_to_float(amount: int, currency: str) -> float:
    """Nearest float to a minor-unit amount (correctly rounded from the exact value)."""
    return float(Fraction(amount, 10 ** currency_exponent(currency)))


def price_to_fixed(
    price: float | int | str | Decimal, field: str = "price", rounding: Rounding = "half_even"
) -> int:
    """Decimal odds → fixed point with 6 decimals (half-even unless told); must stay strictly
    above 1. An orderPrice rounds toward the stricter side (§1): back up, lay down."""
    fixed = round_fraction(parse_decimal(price, field) * PRICE_SCALE, rounding)
    if fixed <= PRICE_SCALE:
        raise InvalidInput(f"{field} must be greater than 1.0, got {price!r}", field=field)
    return fixed


def fixed_to_price(fixed: int) -> float:
    """Fixed-point price → the nearest float, as the engine hands prices back."""
    return float(Fraction(fixed, PRICE_SCALE))


def rate_to_fixed(value: float | int | str | Decimal) -> int:
    """``currencyValue`` → fixed point with 12 decimals (half-even); must be > 0."""
    fixed = round_fraction(parse_decimal(value, "currency_value") * RATE_SCALE, "half_even")
    if fixed <= 0:
        raise InvalidInput(
            f"currency_value must be greater than 0, got {value!r}", field="currency_value"
        )
    return fixed


def fixed_to_str(fixed: int, scale_digits: int) -> str:
    """Shortest exact decimal text of a fixed-point value (``840000000000`` → ``"0.84"``)."""
    whole, frac = divmod(fixed, 10**scale_digits)
    text = f"{frac:0{scale_digits}d}".rstrip("0")
    return f"{whole}.{text}" if text else f"{whole}"
