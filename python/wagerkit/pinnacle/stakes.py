"""The one check every amount passes before it is sent to Pinnacle as a stake.

A stake goes on the wire as a JSON number in the account currency, major units. Three things
went wrong without this check: infinity and NaN have no JSON form, so the encoder sent
``"stake": null``; a negative or zero amount reached the venue; and ``10.005`` was sent as
is, although docs/architecture.md says a stake sent to a bookmaker is rounded *down* to its minor
unit (so no limit and no balance is ever exceeded by rounding). Every ``place_*`` method and
:func:`~wagerkit.pinnacle.client.special_bet` go through :func:`check_stake`, and it raises
:class:`~wagerkit.errors.InvalidInput` before anything is sent.

The rounding is the engine's (``to_minor(..., "down")`` reads a float through its shortest
decimal form, so ``0.1 + 0.2`` noise never costs a cent), and the float handed back is
``minor_to_float`` of the result: the nearest float to an exact minor-unit amount, which a JSON
encoder writes with no more decimals than the currency has.
"""

from __future__ import annotations

import math

from wagerkit._core import is_currency, minor_to_float, to_minor
from wagerkit.errors import InvalidInput, WagerkitError

__all__ = ["check_amount", "check_currency", "check_stake"]


def check_currency(currency: str) -> str:
    """``currency`` as an ISO 4217 code (upper case), or :class:`InvalidInput`: the minor
    unit of the account currency decides how stakes are rounded, so it is never guessed."""
    code = currency.strip().upper() if isinstance(currency, str) else ""
    if not is_currency(code):
        raise InvalidInput(f"unknown currency {currency!r}", field="currency")
    return code


def check_amount(value: object, *, field: str = "stake") -> float:
    """``value`` as a finite float greater than 0, or :class:`InvalidInput` (no currency
    needed: for building a bet before the client knows the account currency)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInput(f"{field} must be a number, got {type(value).__name__}", field=field)
    amount = float(value)
    if not math.isfinite(amount):
        raise InvalidInput(f"{field} must be finite, got {amount!r}", field=field)
    if not amount > 0:
        raise InvalidInput(f"{field} must be > 0, got {amount!r}", field=field)
    return amount


def check_stake(
    value: object, currency: str, *, field: str = "stake", allow_zero: bool = False
) -> float:
    """The stake to send: ``value`` (major units of ``currency``, the account currency) checked
    finite and > 0, then rounded down to the currency's minor unit by the engine.

    Raises :class:`InvalidInput` (nothing sent) for a non-number, NaN, infinity, a value <= 0,
    one too large for exact arithmetic, or one that rounds down to zero (``0.004`` USD).
    ``allow_zero`` admits exactly 0 for a stake the venue ignores (``fillType=FILLMAXLIMIT``).
    """
    if allow_zero and not isinstance(value, bool) and value == 0:
        return 0.0
    amount = check_amount(value, field=field)
    try:
        minor = to_minor(amount, currency, "down")
    except WagerkitError as exc:
        raise InvalidInput(f"{field}: {exc}", field=field) from None
    if minor <= 0:
        raise InvalidInput(
            f"{field} {amount!r} is less than one minor unit of {currency}", field=field
        )
    return minor_to_float(minor, currency)
