"""Run the local OddsPapi server in-process, for tests, demos and paper trading.

::

    with running_oddspapi() as sim:
        async with sim.client() as client:       # an AsyncOddsPapiClient on the server
            fixtures = await client.fixtures(tournament_id=23)

The ``oddspapi_sim`` pytest fixture below does the default setup.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from wagerkit.clock import Clock
from wagerkit.oddspapi.blocking import OddsPapiClient
from wagerkit.oddspapi.client import AsyncOddsPapiClient
from wagerkit.oddspapi.limits import EndpointLimits
from wagerkit.sim._server import ServerThread, ServesInThread
from wagerkit.sim.oddspapi.app import build_app
from wagerkit.sim.oddspapi.service import OddsPapiSim

__all__ = ["RunningOddsPapi", "running_oddspapi"]


class RunningOddsPapi(ServesInThread):
    """An :class:`OddsPapiSim` served on 127.0.0.1 (a free port) in a background thread."""

    def __init__(
        self,
        overlay: str | Path | dict[str, Any] | None = None,
        *,
        clock: Clock | None = None,
        port: int = 0,
    ) -> None:
        self.sim = OddsPapiSim(overlay, clock=clock)
        self.server = ServerThread(build_app(self.sim), port=port)
        self.limits: dict[str, EndpointLimits] = {}
        """Each key's budget at this server: a later server on a reused port starts afresh."""

    @property
    def base_url(self) -> str:
        """The REST root with its language, as clients take it: ``http://127.0.0.1:PORT/en``."""
        return self.server.base_url + "/en"

    @property
    def ws_url(self) -> str:
        return self.server.ws_url + "/ws"

    @property
    def api_key(self) -> str:
        """The full-plan key of the scenario."""
        return self.sim.default_key

    def key(self, name: str) -> str:
        """The API key of the scenario key called ``name``."""
        return next(k.api_key for k in self.sim.overlay.keys if k.name == name)

    def client(self, api_key: str | None = None, **kwargs: Any) -> AsyncOddsPapiClient:
        """An async client for this server; clients of one key share this server's budget."""
        key = api_key or self.api_key
        kwargs.setdefault("limits", self.limits.setdefault(key, EndpointLimits()))
        return AsyncOddsPapiClient(key, self.base_url, **kwargs)

    def blocking_client(self, api_key: str | None = None, **kwargs: Any) -> OddsPapiClient:
        key = api_key or self.api_key
        kwargs.setdefault("limits", self.limits.setdefault(key, EndpointLimits()))
        return OddsPapiClient(key, self.base_url, **kwargs)


def running_oddspapi(
    overlay: str | Path | dict[str, Any] | None = None, *, clock: Clock | None = None
) -> RunningOddsPapi:
    """A not-yet-started server; use it with ``with`` or ``async with``."""
    return RunningOddsPapi(overlay, clock=clock)


try:  # the fixture is offered only where pytest is installed
    import pytest
except ImportError:  # pragma: no cover
    pass
else:

    @pytest.fixture
    def oddspapi_sim() -> Iterator[RunningOddsPapi]:
        """A local OddsPapi server with the default scenario, on the real clock."""
        with running_oddspapi() as running:
            yield running
