"""Run the local Pinnacle server in-process, for tests, demos and paper trading.

::

    with running_pinnacle() as sim:
        async with sim.client() as client:      # an AsyncPinnacleClient on the server
            odds = await client.odds(29)

    clock = FakeClock(auto_advance=True)          # waits move the clock instead of waiting
    async with running_pinnacle(clock=clock) as sim:   # the same, as an async CM
        ...

Share one :class:`~wagerkit.clock.FakeClock` with ``auto_advance=True`` between the server and
the client and fair-use intervals, live delays and price ticks all pass instantly and
deterministically.
The ``pinnacle_sim`` pytest fixture below does the default setup.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from wagerkit.clock import Clock
from wagerkit.pinnacle.client import AsyncPinnacleClient, PinnacleClient
from wagerkit.sim._server import ServerThread, ServesInThread
from wagerkit.sim.pinnacle.app import build_app
from wagerkit.sim.pinnacle.simulator import PinnacleSim

__all__ = ["RunningPinnacle", "running_pinnacle"]

USERNAME = "tester"
PASSWORD = "s3cretpw"  # noqa: S105 - a test account of the local server (max 10 chars)


class RunningPinnacle(ServesInThread):
    """A :class:`PinnacleSim` served on 127.0.0.1 (a free port) in a background thread."""

    def __init__(
        self,
        scenario: str | Path | Mapping[str, Any] | None = None,
        *,
        clock: Clock | None = None,
        policy: str | None = None,
        users: Mapping[str, str] | None = None,
        record: bool = True,
        port: int = 0,
    ) -> None:
        self.username = USERNAME
        self.password = PASSWORD
        self.sim = PinnacleSim(
            scenario,
            clock=clock,
            users=users if users is not None else {USERNAME: PASSWORD},
            policy=policy,
            record=record,
        )
        self.server = ServerThread(build_app(self.sim), port=port)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def client(self, **kwargs: Any) -> AsyncPinnacleClient:
        """An async client for this server (same clock unless you pass one)."""
        kwargs.setdefault("clock", self.sim.clock)
        return AsyncPinnacleClient(self.username, self.password, base_url=self.base_url, **kwargs)

    def blocking_client(self, **kwargs: Any) -> PinnacleClient:
        kwargs.setdefault("clock", self.sim.clock)
        return PinnacleClient(self.username, self.password, base_url=self.base_url, **kwargs)


def running_pinnacle(
    scenario: str | Path | Mapping[str, Any] | None = None,
    *,
    clock: Clock | None = None,
    policy: str | None = None,
    users: Mapping[str, str] | None = None,
    record: bool = True,
) -> RunningPinnacle:
    """A not-yet-started server; use it with ``with`` or ``async with``."""
    return RunningPinnacle(scenario, clock=clock, policy=policy, users=users, record=record)


try:  # the fixture is offered only where pytest is installed
    import pytest
except ImportError:  # pragma: no cover
    pass
else:

    @pytest.fixture
    def pinnacle_sim() -> Iterator[RunningPinnacle]:
        """A local Pinnacle server on an auto-advancing :class:`~wagerkit.clock.FakeClock`
        (instant fair use and live delay)."""
        from wagerkit.clock import FakeClock

        with running_pinnacle(clock=FakeClock(auto_advance=True)) as running:
            yield running
