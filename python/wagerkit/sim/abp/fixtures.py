"""pytest fixtures for the ABP simulator: ``abp_sim`` and ``abp_sim_options``.

Kept apart from :mod:`wagerkit.sim.abp.testing` because they import pytest, which a normal
install does not have. In a ``conftest.py``:
``from wagerkit.sim.abp.fixtures import abp_sim, abp_sim_options  # noqa: F401``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from wagerkit.sim.abp.testing import SimHandle, fast_config, start_abp_sim

__all__ = ["abp_sim", "abp_sim_options"]


@pytest.fixture
def abp_sim_options() -> dict[str, Any]:
    """Override in a conftest or test module to change the simulator's settings."""
    return {}


@pytest.fixture
def abp_sim(abp_sim_options: dict[str, Any]) -> Iterator[SimHandle]:
    """A fresh simulator per test (default scenario, admin on, fast intervals)."""
    with start_abp_sim(fast_config(**abp_sim_options)) as handle:
        yield handle
