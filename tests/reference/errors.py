"""The reference's own exceptions, shaped like ``wagerkit.errors`` but independent of it.

The reference must import without the compiled engine (it is the oracle we test the engine
against), and ``import wagerkit.errors`` loads ``wagerkit/__init__`` which imports ``_core``.
So it raises these instead; tests that check *types* do so against the engine's errors.
"""

from __future__ import annotations


class InvalidInput(ValueError):
    """Bad input: the same category as ``wagerkit.errors.InvalidInput`` (also a ValueError)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class MissingRate(LookupError):
    """No exchange rate for ``currency``: a conversion was refused rather than guessed."""

    def __init__(self, message: str, *, currency: str) -> None:
        super().__init__(message)
        self.currency = currency
