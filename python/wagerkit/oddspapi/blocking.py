"""The blocking twin of :class:`~wagerkit.oddspapi.client.AsyncOddsPapiClient`.

Derived, not copied: every public coroutine method of the async client is exposed under the same
name with the same signature and docstring, run on a private event loop thread
(:class:`~wagerkit.transport.BlockingRunner`); async iterators become blocking iterators. The
method list is :data:`METHODS`, and a test checks it covers the async client exactly.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from wagerkit.oddspapi.client import AsyncOddsPapiClient
from wagerkit.transport import BlockingRunner
from wagerkit.transport.blocking import BlockingTwin

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    import httpx

    from wagerkit.oddspapi.client import When
    from wagerkit.oddspapi.historical import HistoricalTick
    from wagerkit.oddspapi.models import (
        Bookmaker,
        Currency,
        Fixture,
        FixtureClv,
        FixtureMapping,
        FixtureOdds,
        FixtureSettlement,
        HistoricalOdds,
        Market,
        Participant,
        Sport,
        Tournament,
    )

__all__ = ["METHODS", "OddsPapiClient"]

METHODS = (
    "request_raw",
    "sports",
    "tournaments",
    "participants",
    "markets",
    "bookmakers",
    "currencies",
    "fixtures",
    "fixture",
    "fixtures_today",
    "fixtures_live",
    "fixture_odds",
    "main_odds",
    "clv",
    "historical_odds",
    "iter_historical",
    "mapping",
    "settlement",
)
"""The async client's public calls the blocking client mirrors."""


def _blocking(name: str) -> Callable[..., Any]:
    target = getattr(AsyncOddsPapiClient, name)
    iterator = inspect.isasyncgenfunction(target)

    @functools.wraps(target)
    def call(self: OddsPapiClient, *args: Any, **kwargs: Any) -> Any:
        method = getattr(self._client, name)
        if iterator:
            return self._runner.iterate(lambda: method(*args, **kwargs))
        return self._runner.call(method, *args, **kwargs)

    return call


class OddsPapiClient(BlockingTwin):
    """Blocking OddsPapi client: same constructor and methods as the async one."""

    def __init__(self, api_key: str, *args: Any, **kwargs: Any) -> None:
        self._runner = BlockingRunner()
        try:
            self._client: AsyncOddsPapiClient = self._runner.call(_make, api_key, args, kwargs)
        except BaseException:
            self._runner.close()
            raise

    @property
    def async_client(self) -> AsyncOddsPapiClient:
        return self._client

    @property
    def base_url(self) -> str:
        return self._client.base_url

    def forget_cache(self) -> None:
        self._client.forget_cache()

    def __repr__(self) -> str:
        return f"OddsPapiClient(base_url={self.base_url!r}, apiKey=***)"

    if TYPE_CHECKING:  # the derived methods' types for callers (bodies are generated below)

        def request_raw(
            self, path: str, params: Mapping[str, Any] | None = None
        ) -> httpx.Response: ...
        def sports(self) -> list[Sport]: ...
        def tournaments(
            self, sport_id: int | None = None, *, tournament_ids: Iterable[int] | None = None
        ) -> list[Tournament]: ...
        def participants(
            self, sport_id: int, *, participant_ids: Iterable[int] | None = None
        ) -> list[Participant]: ...
        def markets(
            self,
            sport_id: int | None = None,
            *,
            market_ids: Iterable[int] | None = None,
            outcome_ids: Iterable[int] | None = None,
        ) -> list[Market]: ...
        def bookmakers(self) -> list[Bookmaker]: ...
        def currencies(self) -> list[Currency]: ...
        def fixtures(
            self,
            *,
            fixture_ids: Iterable[str] | None = None,
            sport_id: int | None = None,
            tournament_id: int | None = None,
            start_from: When | None = None,
            start_to: When | None = None,
        ) -> list[Fixture]: ...
        def fixture(self, fixture_id: str) -> Fixture: ...
        def fixtures_today(
            self, *, sport_id: int | None = None, tournament_id: int | None = None
        ) -> list[Fixture]: ...
        def fixtures_live(
            self, *, sport_id: int | None = None, tournament_id: int | None = None
        ) -> list[Fixture]: ...
        def fixture_odds(
            self,
            fixture_id: str,
            *,
            bookmakers: Iterable[str] | None = None,
            since_ms: int | None = None,
            market_active: bool | None = None,
            main_line: bool | None = None,
        ) -> FixtureOdds: ...
        def main_odds(
            self,
            *,
            tournament_id: int | None = None,
            fixture_ids: Iterable[str] | None = None,
            bookmakers: Iterable[str] | None = None,
        ) -> list[FixtureOdds]: ...
        def clv(
            self, fixture_id: str, *, bookmakers: Iterable[str] | None = None
        ) -> FixtureClv: ...
        def historical_odds(
            self,
            fixture_id: str,
            bookmaker: str | None = None,
            *,
            odds_ids: Iterable[str] | None = None,
        ) -> HistoricalOdds: ...
        def iter_historical(
            self,
            fixture_id: str,
            bookmaker: str | None = None,
            *,
            odds_ids: Iterable[str] | None = None,
        ) -> Iterator[HistoricalTick]: ...
        def mapping(self, fixture_id: str) -> FixtureMapping: ...
        def settlement(self, fixture_id: str) -> FixtureSettlement: ...


for _name in METHODS:
    setattr(OddsPapiClient, _name, _blocking(_name))


async def _make(api_key: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> AsyncOddsPapiClient:
    # Built on the runner's loop so the httpx pool belongs to that loop.
    return AsyncOddsPapiClient(api_key, *args, **kwargs)
