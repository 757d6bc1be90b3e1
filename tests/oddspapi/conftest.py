"""Fixtures for the OddsPapi tests: the local OddsPapi server on 127.0.0.1, real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from wagerkit.oddspapi import AsyncOddsPapiClient
from wagerkit.sim.oddspapi.testing import RunningOddsPapi, oddspapi_sim

__all__ = ["oddspapi_sim"]

QUICKSTART_FIXTURE = "id1000004461512432"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client(oddspapi_sim: RunningOddsPapi) -> AsyncIterator[AsyncOddsPapiClient]:
    async with oddspapi_sim.client() as c:
        yield c


@pytest.fixture(autouse=True)
def _no_stream_slot_leaks() -> Iterator[None]:
    """Every test gives back the connection slots its streams took: the per-key count is
    process-wide, so a leak would make a later test's 6th-stream check fail for no reason."""
    from wagerkit.oddspapi import stream

    before = dict(stream._OPEN)
    yield
    after = dict(stream._OPEN)
    assert after == before, f"stream slots leaked: {after} (before: {before})"
