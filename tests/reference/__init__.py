"""A small, readable pure-Python implementation of docs/engine.md: the engine's oracle.

It exposes the same names and call shapes as ``wagerkit._core`` so a test or a benchmark can
take either module and drive it identically. It uses ``int`` and ``fractions.Fraction``
only, never floats for money, and makes no attempt to be fast.
"""

from tests.reference.book import Book, Level, Quote
from tests.reference.dedupe import DedupeCache, uuid_key
from tests.reference.errors import InvalidInput, MissingRate
from tests.reference.fx import Fx
from tests.reference.limits import effective_limits
from tests.reference.money import (
    DOC_EXPONENTS,
    EXPONENTS,
    PRICE_SCALE,
    RATE_SCALE,
    currency_exponent,
    is_currency,
    minor_to_float,
    minor_to_str,
    to_minor,
)
from tests.reference.odds import (
    american_to_decimal,
    convert_odds,
    decimal_to_american,
    decimal_to_hongkong,
    decimal_to_indonesian,
    decimal_to_malay,
    hongkong_to_decimal,
    indonesian_to_decimal,
    malay_to_decimal,
)
from tests.reference.route import DeclineReason, Leg, Order, RoutePlan, route

__all__ = [
    "DOC_EXPONENTS",
    "EXPONENTS",
    "PRICE_SCALE",
    "RATE_SCALE",
    "Book",
    "DeclineReason",
    "DedupeCache",
    "Fx",
    "InvalidInput",
    "Leg",
    "Level",
    "MissingRate",
    "Order",
    "Quote",
    "RoutePlan",
    "american_to_decimal",
    "convert_odds",
    "currency_exponent",
    "decimal_to_american",
    "decimal_to_hongkong",
    "decimal_to_indonesian",
    "decimal_to_malay",
    "effective_limits",
    "hongkong_to_decimal",
    "indonesian_to_decimal",
    "is_currency",
    "malay_to_decimal",
    "minor_to_float",
    "minor_to_str",
    "route",
    "to_minor",
    "uuid_key",
]
