"""Fixtures for the engine suite: the compiled engine, the reference, and both side by side.

The engine is imported, never skipped: if ``wagerkit._core`` is missing these tests fail,
because a missing engine is a missing feature, not an environment quirk.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

import tests.reference as reference_module


@pytest.fixture(scope="session")
def core() -> ModuleType:
    """The compiled engine, ``wagerkit._core``."""
    return importlib.import_module("wagerkit._core")


@pytest.fixture(scope="session")
def errors() -> ModuleType:
    """``wagerkit.errors``, the library's one exception tree."""
    return importlib.import_module("wagerkit.errors")


@pytest.fixture(scope="session")
def ref() -> ModuleType:
    """The pure-Python reference (tests/reference)."""
    return reference_module


@pytest.fixture(scope="session", params=["reference", "engine"])
def impl(request: pytest.FixtureRequest) -> ModuleType:
    """Either implementation: hand-worked cases must hold for both."""
    if request.param == "engine":
        return importlib.import_module("wagerkit._core")
    return reference_module
