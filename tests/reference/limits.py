"""ABP's stake-limit cascade (docs/engine.md §2): the first non-null value wins."""

from __future__ import annotations


def effective_limits(
    *,
    account_max: int | None = None,
    account_min: int | None = None,
    bookmaker_max: int | None = None,
    bookmaker_min: int | None = None,
    odds_limit: int | None = None,
    odds_limit_min: int | None = None,
) -> tuple[int | None, int]:
    """(max, min) in the account currency; max is None only when every level is null."""
    maximum = next((v for v in (account_max, bookmaker_max, odds_limit) if v is not None), None)
    minimum = next(
        (v for v in (account_min, bookmaker_min, odds_limit_min) if v is not None),
        0,
    )
    return maximum, minimum
