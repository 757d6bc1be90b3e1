"""A real Redis per test module (started on a free loopback port, flushed per test)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.shared.redis_server import RedisServer
from wagerkit.execution.shared import connect


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def rclient(redis_server: RedisServer) -> Iterator[Any]:
    if redis_server.proc is None:
        redis_server.start()
    client = connect(redis_server.url, timeout=0.5, retries=1)
    client.flushall()
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# the real ABP simulator (its per-key limit is an exact sliding second, always on)
from wagerkit.sim.abp.testing import abp_sim, abp_sim_options  # noqa: E402, F401
