"""Fixtures for the OddsPapi tests: the local OddsPapi server on 127.0.0.1, real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

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
