"""The spec files the simulators check requests against are the vendored official files."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
PINNACLE = ["pinnacle-lines-api.yaml", "pinnacle-bets-api-v4.yaml", "pinnacle-customer-api.yaml"]


@pytest.mark.parametrize("name", PINNACLE)
def test_pinnacle_server_specs_are_the_vendored_files(name: str) -> None:
    shipped = ROOT / "python" / "wagerkit" / "sim" / "pinnacle" / "specs" / name
    vendored = ROOT / "tests" / "pinnacle" / "specs" / name
    assert shipped.read_bytes() == vendored.read_bytes()
