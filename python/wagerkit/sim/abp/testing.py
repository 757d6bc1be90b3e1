"""Run the ABP simulator in-process for tests, notebooks and scripts.

``run_abp_sim()`` is an async context manager; the ``abp_sim`` pytest fixture
(:mod:`wagerkit.sim.abp.fixtures`) is built on the same :class:`SimHandle`. The server runs in
its own thread with its own event loop (see ``wagerkit.sim._server.ServerThread``), so the code
under test may use asyncio, trio or plain blocking calls, and the admin helpers below are
ordinary blocking HTTP calls that are safe to make from async tests too.

This module does not import pytest, so scripts and notebooks can use it on an install without
it. In your own suite: ``from wagerkit.sim.abp.fixtures import abp_sim, abp_sim_options  # noqa``
in a ``conftest.py``, then override ``abp_sim_options`` to change settings (importing them from
here still works: the names are forwarded on first use).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

import httpx

from wagerkit.sim._server import ServerThread
from wagerkit.sim.abp.app import create_app
from wagerkit.sim.abp.config import SimConfig
from wagerkit.sim.abp.service import AbpSim

__all__ = ["SimHandle", "fast_config", "run_abp_sim", "start_abp_sim"]


def fast_config(**overrides: Any) -> SimConfig:
    """Test settings: admin on, short retry cadence and WebSocket intervals, no bet delay."""
    values: dict[str, Any] = {
        "admin": True,
        "retry_interval": 0.02,
        "ws_login_timeout": 30.0,
        "ws_ping_interval": 30.0,
        "ws_pong_timeout": 120.0,
    }
    values.update(overrides)
    return SimConfig(**values)


class SimHandle:
    """A running simulator: where it listens, the keys to use, and admin helpers."""

    def __init__(self, server: ServerThread, sim: AbpSim) -> None:
        self.server = server
        self.sim = sim
        self.base_url = server.base_url
        self.ws_url = server.ws_url + "/ws"
        self.keys: dict[str, str] = {c.name: c.key for c in sim.keys.clients()}
        self.client_name = sim.keys.clients()[0].name
        self.api_key = self.keys[self.client_name]
        self.admin_url = self.base_url + sim.config.admin_prefix
        self._http = httpx.Client(base_url=self.admin_url, timeout=10.0)

    def __repr__(self) -> str:  # keys stay out of test logs
        return f"SimHandle({self.base_url}, clients={sorted(self.keys)})"

    @property
    def headers(self) -> dict[str, str]:
        """Headers for the primary client: ``{"x-api-key": ...}``."""
        return {"x-api-key": self.api_key}

    def headers_for(self, client: str) -> dict[str, str]:
        return {"x-api-key": self.keys[client]}

    def close(self) -> None:
        self._http.close()

    # -- admin helpers (blocking HTTP to the admin prefix) ------------------------------------

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        response = self._http.post(path, json=body)
        response.raise_for_status()
        return response.json()

    def move_price(
        self,
        fixture_id: str,
        outcome_id: int,
        bookmaker: str,
        *,
        player_id: int = 0,
        back: bool = True,
        price: float | None = None,
        limit: float | None = None,
        limit_min: float | None = None,
        active: bool | None = None,
    ) -> Any:
        body: dict[str, Any] = {
            "fixtureId": fixture_id,
            "outcomeId": outcome_id,
            "bookmaker": bookmaker,
            "playerId": player_id,
            "back": back,
        }
        for key, value in (
            ("price", price),
            ("limit", limit),
            ("limitMin", limit_min),
            ("active", active),
        ):
            if value is not None:
                body[key] = value
        return self._post("/quotes", body)

    def settle(self, fixture_id: str, results: dict[str, str], default: str | None = None) -> Any:
        return self._post(
            f"/fixtures/{fixture_id}/settle", {"results": results, "default": default}
        )

    def set_rates(self, rates: dict[str, float], updated_at: str | None = None) -> Any:
        return self._post("/rates", {"rates": rates, "updatedAt": updated_at})

    def faults(self, **settings: Any) -> Any:
        """``latency``, ``failNext``, ``failStatus``, ``dropNextPlacements`` and
        ``oddsUnavailable`` (``[{"bookmaker": "pinnacle", "fixtureId": None}]``: odds not fetched
        in time, for one fixture or all), camelCase like the admin API."""
        return self._post("/faults", settings)

    def clear_faults(self) -> Any:
        return self._http.delete("/faults").json()

    def bookmaker(self, slug: str, **settings: Any) -> Any:
        """``circuitOpen``, ``betDelay``, ``rejectRate``."""
        return self._post(f"/bookmakers/{slug}", settings)

    def close_websockets(self, code: int = 1012, client: str | None = None) -> Any:
        return self._post("/ws/close", {"code": code, "client": client})

    def advance(self, seconds: float) -> Any:
        """Move the simulator clock forward (expiry, idempotency window, schedules)."""
        return self._post("/clock/advance", {"seconds": seconds})

    def state(self) -> Any:
        return self._http.get("/state").json()


@contextlib.contextmanager
def start_abp_sim(config: SimConfig | None = None) -> Iterator[SimHandle]:
    """Blocking form: start on a free loopback port, yield a handle, stop on exit."""
    sim = AbpSim(config or fast_config())
    server = ServerThread(create_app(sim=sim))
    with server:
        handle = SimHandle(server, sim)
        try:
            yield handle
        finally:
            handle.close()


@contextlib.asynccontextmanager
async def run_abp_sim(
    config: SimConfig | None = None, **overrides: Any
) -> AsyncIterator[SimHandle]:
    """``async with run_abp_sim() as sim:`` – the simulator on a free port for the block.

    ``overrides`` are :class:`SimConfig` fields applied on top of ``config`` (default:
    :func:`fast_config`).
    """
    base = config or fast_config()
    with start_abp_sim(replace(base, **overrides) if overrides else base) as handle:
        yield handle


def __getattr__(name: str) -> Any:
    """``abp_sim``/``abp_sim_options`` moved to :mod:`wagerkit.sim.abp.fixtures` (they need
    pytest); forward them so existing ``conftest.py`` imports keep working."""
    if name in ("abp_sim", "abp_sim_options"):
        from wagerkit.sim.abp import fixtures

        return getattr(fixtures, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
