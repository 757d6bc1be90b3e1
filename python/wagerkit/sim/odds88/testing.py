"""Run the local Odds88 server in-process for a test or a script.

::

    with odds88_server() as srv:          # or: async with odds88_server() as srv
        client = Odds88Client(srv.base_url, srv.client_id, srv.password)

``srv.sim`` is the :class:`~wagerkit.sim.odds88.state.Odds88Sim` behind it: move prices, settle
bets, drop feeds. Pass a :class:`~wagerkit.clock.FakeClock` as ``clock`` (and the same one
to the client) to cross the 10-minute subscription expiry or the 24-hour token life instantly.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from wagerkit.clock import Clock
from wagerkit.sim._server import ServerThread
from wagerkit.sim.odds88.app import create_app
from wagerkit.sim.odds88.state import Odds88Sim

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_PASSWORD",
    "Odds88Server",
    "RunningOdds88",
    "odds88_server",
]

DEFAULT_CLIENT_ID = "sim-client"
DEFAULT_PASSWORD = "sim-password"  # noqa: S105 - the local simulator's documented default


@dataclass(frozen=True)
class RunningOdds88:
    """A started server: where it listens, the account it accepts, and its state."""

    base_url: str
    ws_url: str
    client_id: str
    password: str
    sim: Odds88Sim

    def __repr__(self) -> str:
        return f"RunningOdds88(base_url={self.base_url!r}, client_id={self.client_id!r})"


class Odds88Server(
    contextlib.AbstractContextManager[RunningOdds88],
    contextlib.AbstractAsyncContextManager[RunningOdds88],
):
    """Start a local Odds88 server on 127.0.0.1 (a free port unless ``port`` is given).

    Usable with ``with`` and ``async with``; the server runs in its own thread, so the caller may
    use asyncio, trio or blocking code.
    """

    def __init__(
        self,
        *,
        client_id: str = DEFAULT_CLIENT_ID,
        password: str = DEFAULT_PASSWORD,
        port: int = 0,
        clock: Clock | None = None,
        ping_interval: float = 15.0,
        live_delay: float = 5.0,
        reconnect_limits: bool = True,
        seed: int = 88,
        max_bets: int = 100_000,
    ) -> None:
        self._sim = Odds88Sim(
            accounts={client_id: password},
            clock=clock,
            seed=seed,
            ping_interval=ping_interval,
            live_delay=live_delay,
            reconnect_limits=reconnect_limits,
            max_bets=max_bets,
        )
        self._client_id = client_id
        self._password = password
        self._thread = ServerThread(create_app(self._sim), port=port)

    def _start(self) -> RunningOdds88:
        self._thread.start()
        return RunningOdds88(
            self._thread.base_url,
            self._thread.ws_url,
            self._client_id,
            self._password,
            self._sim,
        )

    def __enter__(self) -> RunningOdds88:
        return self._start()

    def __exit__(self, *exc: object) -> None:
        self._sim.release_feeds()
        self._thread.stop()

    async def __aenter__(self) -> RunningOdds88:
        return self._start()

    async def __aexit__(self, *exc: object) -> None:
        self.__exit__()


def odds88_server(**options: Any) -> Odds88Server:
    """A local Odds88 server to use with ``with`` or ``async with`` (see :class:`Odds88Server`)."""
    return Odds88Server(**options)
