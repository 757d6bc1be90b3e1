"""The stake-limit cascade: the first non-null level wins (docs/engine.md §2)."""

from __future__ import annotations

from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

PROPERTY = settings(max_examples=200, deadline=None)

LEVEL = st.one_of(st.none(), st.integers(0, 10**9))


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, (None, 0)),
        ({"odds_limit": 1500, "odds_limit_min": 5}, (1500, 5)),
        ({"bookmaker_max": 900, "odds_limit": 1500}, (900, 0)),
        ({"account_max": 100, "bookmaker_max": 900, "odds_limit": 1500}, (100, 0)),
        # A zero is a value, not a null: it wins and blocks the lower levels.
        ({"account_max": 0, "bookmaker_max": 900, "odds_limit": 1500}, (0, 0)),
        ({"account_min": 0, "bookmaker_min": 7, "odds_limit_min": 5}, (None, 0)),
        ({"bookmaker_min": 7, "odds_limit_min": 5}, (None, 7)),
        ({"odds_limit_min": 5}, (None, 5)),
    ],
)
def test_cascade_known_values(
    impl: ModuleType, kwargs: dict[str, int], expected: tuple[int | None, int]
) -> None:
    """account → bookmaker → odds for the max; account → bookmaker → odds → 0 for the min."""
    assert impl.effective_limits(**kwargs) == expected


@PROPERTY
@given(levels=st.tuples(LEVEL, LEVEL, LEVEL, LEVEL, LEVEL, LEVEL))
def test_cascade_first_non_null_wins(
    impl: ModuleType,
    levels: tuple[int | None, int | None, int | None, int | None, int | None, int | None],
) -> None:
    """max is the first non-null of (account, bookmaker, odds); min likewise, else 0."""
    a_max, a_min, b_max, b_min, o_max, o_min = levels
    got = impl.effective_limits(
        account_max=a_max,
        account_min=a_min,
        bookmaker_max=b_max,
        bookmaker_min=b_min,
        odds_limit=o_max,
        odds_limit_min=o_min,
    )
    first_max = next((v for v in (a_max, b_max, o_max) if v is not None), None)
    first_min = next((v for v in (a_min, b_min, o_min) if v is not None), 0)
    assert got == (first_max, first_min)
