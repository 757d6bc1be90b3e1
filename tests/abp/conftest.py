"""Fixtures of the ABP client tests: a fast retry policy, a private rate limiter, the in-memory
fake ABP (``fakeabp.FakeAbp``) and, when it is available, the real simulator."""

from __future__ import annotations

import pytest

from tests.abp.fakeabp import FakeAbp
from wagerkit.abp import AbpClient
from wagerkit.transport import RateLimiter, RetryPolicy

API_KEY = "test-key"


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def fast_retry(attempts: int = 6) -> RetryPolicy:
    """Bounded, near-zero waits: tests prove behaviour, not patience."""
    return RetryPolicy(attempts=attempts, timeout=10.0, wait_initial=0.001, wait_max=0.005)


def fake_client(fake: FakeAbp, *, attempts: int = 6, timeout: float = 5.0) -> AbpClient:
    return AbpClient(
        API_KEY,
        "https://abp.invalid",
        transport=fake.transport(),
        retry=fast_retry(attempts),
        limiter=RateLimiter(100_000),
        timeout=timeout,
    )


@pytest.fixture
def fake() -> FakeAbp:
    return FakeAbp()


# The real simulator (issue 3): a fresh one per test that asks for ``abp_sim``.
from wagerkit.sim.abp.testing import SimHandle, abp_sim, abp_sim_options  # noqa: E402, F401


def sim_client(sim: SimHandle, *, timeout: float = 5.0, attempts: int = 6) -> AbpClient:
    """A client of the simulator with a private limiter (tests must not share the bucket)."""
    return AbpClient(
        sim.api_key,
        sim.base_url,
        retry=fast_retry(attempts),
        limiter=RateLimiter(100_000),
        timeout=timeout,
    )
