"""Fixtures for the Pinnacle tests: a local server on a shared FakeClock, whose every response
is checked against the official spec when the test ends."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.pinnacle.spec_check import check, check_request
from wagerkit.clock import FakeClock
from wagerkit.sim.pinnacle.testing import RunningPinnacle, running_pinnacle


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(auto_advance=True)


def assert_spec_conformant(running: RunningPinnacle) -> int:
    """Validate every recorded response, and every request body sent; return how many
    exchanges were checked. Answers injected off-spec on purpose (``body:`` faults) are
    skipped, but the request bodies that drew them are still checked."""
    exchanges = list(running.sim.exchanges)
    for e in exchanges:
        if not e.injected:
            check(e.method, e.path, e.status, e.content_type, e.body)
        if e.request_body:
            check_request(e.method, e.path, e.request_body)
    return len(exchanges)


@pytest.fixture
def server(clock: FakeClock) -> Iterator[RunningPinnacle]:
    with running_pinnacle(clock=clock) as running:
        yield running
    assert_spec_conformant(running)


@pytest.fixture
def frozen(clock: FakeClock) -> Iterator[RunningPinnacle]:
    """A server whose prices hold still (so a lineId stays valid), spec-checked at the end."""
    with running_pinnacle({"move_probability": 0.0}, clock=clock) as running:
        yield running
    assert_spec_conformant(running)


class FlakyTransport(httpx.AsyncBaseTransport):
    """Real HTTP with injected network faults, per path, in order.

    ``refuse``: the connection fails before anything is sent. ``lose``: the request reaches the
    server and is processed, then the answer is lost (a read timeout).
    """

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.plan: dict[str, list[str]] = {}
        self.sent: list[str] = []

    def add(self, path: str, *actions: str) -> None:
        self.plan.setdefault(path, []).extend(actions)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        plan = self.plan.get(request.url.path)
        action = plan.pop(0) if plan else None
        if action == "refuse":
            raise httpx.ConnectError("connection refused (injected)", request=request)
        self.sent.append(request.url.path)
        response = await self.inner.handle_async_request(request)
        if action == "lose":
            await response.aread()
            await response.aclose()
            raise httpx.ReadTimeout("answer lost (injected)", request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()
