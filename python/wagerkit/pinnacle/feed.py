"""A local, always-current copy of Pinnacle's fixtures and straight odds, kept with ``since``
deltas.

The documented delta rules (Pinnacle FAQ, v1.0 manual release 7.5) are applied exactly:

- the first call is a snapshot (no ``since``); every later call passes the previous ``last``;
- a delta carries only the periods that changed, each *whole*: the period replaces the cached
  one, so a market missing from it is no longer offered;
- a period past its cutoff drops out: a delta may send it as ``{lineId, number, cutoff}`` (no
  markets), which removes it, and the cache also drops any period whose cutoff has passed on
  its own clock; an event left without periods is removed;
- an empty body (no changes) keeps ``last`` as it was.

Memory is bounded: at most ``max_events`` events per cache (past the cap, the events that
close first are dropped first), and fixtures are forgotten ``fixture_ttl`` seconds after they
start (a delta never says that a fixture was settled). Every call goes through the client's
fair-use pacer, and refreshes are
serialised, so no way of driving the feed can exceed the policy or apply deltas out of order.

:class:`BlockingOddsFeed` is the same feed for blocking code, with the same method names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import anyio

from wagerkit.errors import InvalidInput
from wagerkit.pinnacle.client import AsyncPinnacleClient, PinnacleClient
from wagerkit.pinnacle.codes import OddsFormatName
from wagerkit.pinnacle.models import (
    Fixture,
    FixturesLeague,
    FixturesResponse,
    OddsEvent,
    OddsLeague,
    OddsPeriod,
    OddsResponse,
)

__all__ = ["BlockingOddsFeed", "EventOdds", "FixturesState", "OddsFeed", "OddsState"]

T = TypeVar("T")


def _ts(when: dt.datetime | None) -> float | None:
    if when is None:
        return None
    if when.tzinfo is None:  # Pinnacle's times are UTC even when the offset is missing
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp()


@dataclass(slots=True)
class EventOdds:
    """The cached odds of one event: its league, live scores and periods by number."""

    id: int
    league_id: int
    periods: dict[int, OddsPeriod] = field(default_factory=dict)
    home_score: float | None = None
    away_score: float | None = None
    home_red_cards: int | None = None
    away_red_cards: int | None = None

    def to_event(self) -> OddsEvent:
        return OddsEvent(
            id=self.id,
            home_score=self.home_score,
            away_score=self.away_score,
            home_red_cards=self.home_red_cards,
            away_red_cards=self.away_red_cards,
            periods=[self.periods[n] for n in sorted(self.periods)],
        )


class OddsState:
    """The delta-applying cache of ``/v2/odds`` (no I/O, so it can be tested on its own)."""

    def __init__(self, *, max_events: int = 5000) -> None:
        if max_events < 1:
            raise InvalidInput("max_events must be >= 1", field="max_events")
        self.max_events = max_events
        self.events: dict[int, EventOdds] = {}
        self.last: int | None = None
        self.sport_id: int | None = None

    def apply(self, response: OddsResponse, *, snapshot: bool, now: float) -> None:
        """Fold one response (a snapshot, or a delta since :attr:`last`) into the cache."""
        if (
            not snapshot
            and response.last is not None
            and self.last is not None
            and response.last < self.last
        ):
            return  # an older answer than what we have: never go back in time
        if snapshot:
            self.events = {}
        self.sport_id = response.sport_id if response.sport_id is not None else self.sport_id
        for league in response.leagues:
            if league.id is None:
                continue  # optional in the spec, but a row we cannot key is of no use
            for event in league.events:
                if event.id is None:
                    continue
                cached = self.events.get(event.id)
                if cached is None:
                    cached = self.events[event.id] = EventOdds(event.id, league.id)
                cached.league_id = league.id
                cached.home_score = event.home_score
                cached.away_score = event.away_score
                cached.home_red_cards = event.home_red_cards
                cached.away_red_cards = event.away_red_cards
                for period in event.periods:
                    if period.number is None:
                        continue
                    if period.status is None and not period.has_markets():
                        cached.periods.pop(period.number, None)  # past cutoff
                    else:
                        cached.periods[period.number] = period  # sent whole: replace
        if response.last is not None:
            self.last = response.last
        self.prune(now)

    def prune(self, now: float) -> None:
        """Drop periods past cutoff, events without periods, and the overflow beyond
        ``max_events`` (the events whose latest cutoff comes first go first)."""
        for event_id in list(self.events):
            event = self.events[event_id]
            for number in list(event.periods):
                cutoff = _ts(event.periods[number].cutoff)
                if cutoff is not None and cutoff <= now:
                    del event.periods[number]
            if not event.periods:
                del self.events[event_id]
        if len(self.events) > self.max_events:

            def closing(e: EventOdds) -> float:
                return max((_ts(p.cutoff) or 0.0) for p in e.periods.values())

            keep = sorted(self.events.values(), key=closing, reverse=True)[: self.max_events]
            self.events = {e.id: e for e in keep}

    def to_response(self) -> OddsResponse:
        """The cache in the shape of an ``/v2/odds`` snapshot (leagues and events sorted)."""
        leagues: dict[int, list[OddsEvent]] = {}
        for event_id in sorted(self.events):
            event = self.events[event_id]
            leagues.setdefault(event.league_id, []).append(event.to_event())
        return OddsResponse(
            sport_id=self.sport_id,
            last=self.last,
            leagues=[OddsLeague(id=lid, events=evs) for lid, evs in sorted(leagues.items())],
        )


class FixturesState:
    """The cache of ``/v1/fixtures`` (a changed fixture arrives whole and replaces the old)."""

    def __init__(self, *, max_events: int = 5000, ttl: float = 12 * 3600.0) -> None:
        self.max_events = max_events
        self.ttl = ttl
        self.fixtures: dict[int, tuple[int, str | None, Fixture]] = {}
        self.last: int | None = None
        self.sport_id: int | None = None

    def apply(self, response: FixturesResponse, *, snapshot: bool, now: float) -> None:
        if (
            not snapshot
            and response.last is not None
            and self.last is not None
            and response.last < self.last
        ):
            return
        if snapshot:
            self.fixtures = {}
        self.sport_id = response.sport_id if response.sport_id is not None else self.sport_id
        for league in response.league:
            if league.id is None:
                continue  # optional in the spec, but a row we cannot key is of no use
            for fixture in league.events:
                if fixture.id is not None:
                    self.fixtures[fixture.id] = (league.id, league.name, fixture)
        if response.last is not None:
            self.last = response.last
        self.prune(now)

    def prune(self, now: float) -> None:
        for event_id, (_, _, fixture) in list(self.fixtures.items()):
            starts = _ts(fixture.starts)
            if starts is not None and starts + self.ttl <= now:
                del self.fixtures[event_id]
        if len(self.fixtures) > self.max_events:
            keep = sorted(
                self.fixtures.items(), key=lambda kv: _ts(kv[1][2].starts) or 0.0, reverse=True
            )
            self.fixtures = dict(keep[: self.max_events])

    def to_response(self) -> FixturesResponse:
        leagues: dict[int, tuple[str | None, list[Fixture]]] = {}
        for event_id in sorted(self.fixtures):
            league_id, name, fixture = self.fixtures[event_id]
            leagues.setdefault(league_id, (name, []))[1].append(fixture)
        return FixturesResponse(
            sport_id=self.sport_id,
            last=self.last,
            league=[
                FixturesLeague(id=lid, name=name, events=evs)
                for lid, (name, evs) in sorted(leagues.items())
            ],
        )


class OddsFeed:
    """Keep fixtures and odds of one sport current.

    Drive it with :meth:`refresh` (one paced round: fixtures delta, then odds delta) or
    :meth:`run` (rounds forever). Read at any time with :attr:`odds` / :attr:`fixtures` (the
    caches) or :meth:`event`. ``resync_every`` seconds (default 1 h) a snapshot replaces the
    deltas, so a missed change cannot live forever.
    """

    def __init__(
        self,
        client: AsyncPinnacleClient,
        sport_id: int,
        *,
        league_ids: Sequence[int] | None = None,
        is_live: bool | None = None,
        odds_format: OddsFormatName = "decimal",
        to_currency: str | None = None,
        with_fixtures: bool = True,
        max_events: int = 5000,
        fixture_ttl: float = 12 * 3600.0,
        resync_every: float | None = 3600.0,
    ) -> None:
        self.client = client
        self.sport_id = sport_id
        self.league_ids = list(league_ids) if league_ids else None
        self.is_live = is_live
        self.odds_format: OddsFormatName = odds_format
        self.to_currency = to_currency
        self.with_fixtures = with_fixtures
        self.resync_every = resync_every
        self.odds = OddsState(max_events=max_events)
        self.fixtures = FixturesState(max_events=max_events, ttl=fixture_ttl)
        self.rounds = 0
        self._lock = anyio.Lock()
        self._odds_synced_at: float | None = None
        self._fixtures_synced_at: float | None = None

    def _snapshot_due(self, synced_at: float | None, last: int | None) -> bool:
        if last is None or synced_at is None:
            return True
        return (
            self.resync_every is not None
            and self.client.clock.monotonic() - synced_at >= self.resync_every
        )

    async def refresh_odds(self) -> None:
        """One ``/v2/odds`` call (snapshot first, then deltas), folded into :attr:`odds`."""
        async with self._lock:
            snapshot = self._snapshot_due(self._odds_synced_at, self.odds.last)
            response = await self.client.odds(
                self.sport_id,
                league_ids=self.league_ids,
                is_live=self.is_live,
                since=None if snapshot else self.odds.last,
                odds_format=self.odds_format,
                to_currency=self.to_currency,
            )
            if snapshot:
                self._odds_synced_at = self.client.clock.monotonic()
            self.odds.apply(response, snapshot=snapshot, now=self.client.clock.time())

    async def refresh_fixtures(self) -> None:
        """One ``/v1/fixtures`` call, folded into :attr:`fixtures`."""
        async with self._lock:
            snapshot = self._snapshot_due(self._fixtures_synced_at, self.fixtures.last)
            response = await self.client.fixtures(
                self.sport_id,
                league_ids=self.league_ids,
                is_live=self.is_live,
                since=None if snapshot else self.fixtures.last,
            )
            if snapshot:
                self._fixtures_synced_at = self.client.clock.monotonic()
            self.fixtures.apply(response, snapshot=snapshot, now=self.client.clock.time())

    async def refresh(self) -> None:
        """One round: fixtures (if enabled) then odds. Waits as long as fair use requires."""
        if self.with_fixtures:
            await self.refresh_fixtures()
        await self.refresh_odds()
        self.rounds += 1

    async def run(self, *, rounds: int | None = None) -> None:
        """Refresh forever (or ``rounds`` times); the pacer sets the pace."""
        done = 0
        while rounds is None or done < rounds:
            await self.refresh()
            done += 1

    def event(self, event_id: int) -> EventOdds | None:
        """The cached odds of one event (periods past cutoff already dropped)."""
        self.odds.prune(self.client.clock.time())
        return self.odds.events.get(event_id)

    def fixture(self, event_id: int) -> Fixture | None:
        entry = self.fixtures.fixtures.get(event_id)
        return entry[2] if entry is not None else None


class BlockingOddsFeed:
    """The blocking twin of :class:`OddsFeed`, for scripts: the same arguments (with a blocking
    :class:`~wagerkit.pinnacle.client.PinnacleClient`), the same method names, the same state.

    It drives an :class:`OddsFeed` on the client's
    :class:`~wagerkit.transport.BlockingRunner` (the loop the client's connections belong to), so
    fair use, the delta rules and the memory bounds are the async feed's own. :meth:`event` and
    :meth:`fixture` run on that loop as well, between two deltas, so one thread may read while
    another drives :meth:`run`; :attr:`odds` and :attr:`fixtures` are the live caches, to read
    directly only from the thread that refreshes.
    """

    def __init__(
        self,
        client: PinnacleClient,
        sport_id: int,
        *,
        league_ids: Sequence[int] | None = None,
        is_live: bool | None = None,
        odds_format: OddsFormatName = "decimal",
        to_currency: str | None = None,
        with_fixtures: bool = True,
        max_events: int = 5000,
        fixture_ttl: float = 12 * 3600.0,
        resync_every: float | None = 3600.0,
    ) -> None:
        self.client = client
        self._runner = client.runner

        async def make() -> OddsFeed:
            # built on the runner's loop, like the client, so its lock belongs to that loop
            return OddsFeed(
                client.async_client,
                sport_id,
                league_ids=league_ids,
                is_live=is_live,
                odds_format=odds_format,
                to_currency=to_currency,
                with_fixtures=with_fixtures,
                max_events=max_events,
                fixture_ttl=fixture_ttl,
                resync_every=resync_every,
            )

        self.async_feed: OddsFeed = self._runner.call(make)

    @property
    def sport_id(self) -> int:
        return self.async_feed.sport_id

    @property
    def odds(self) -> OddsState:
        """The live ``/v2/odds`` cache (see the class note on threads)."""
        return self.async_feed.odds

    @property
    def fixtures(self) -> FixturesState:
        """The live ``/v1/fixtures`` cache (see the class note on threads)."""
        return self.async_feed.fixtures

    @property
    def rounds(self) -> int:
        return self.async_feed.rounds

    def __repr__(self) -> str:
        return f"BlockingOddsFeed(sport_id={self.sport_id}, rounds={self.rounds})"

    def refresh_odds(self) -> None:
        """One ``/v2/odds`` call (snapshot first, then deltas), folded into :attr:`odds`."""
        self._runner.call(self.async_feed.refresh_odds)

    def refresh_fixtures(self) -> None:
        """One ``/v1/fixtures`` call, folded into :attr:`fixtures`."""
        self._runner.call(self.async_feed.refresh_fixtures)

    def refresh(self) -> None:
        """One round: fixtures (if enabled) then odds. Blocks as long as fair use requires."""
        self._runner.call(self.async_feed.refresh)

    def run(self, *, rounds: int | None = None) -> None:
        """Refresh forever (or ``rounds`` times); the pacer sets the pace. Each round is its own
        call into the loop, so an interrupt (Ctrl-C) stops between two rounds."""
        done = 0
        while rounds is None or done < rounds:
            self.refresh()
            done += 1

    def event(self, event_id: int) -> EventOdds | None:
        """The cached odds of one event (periods past cutoff already dropped)."""
        return self._on_loop(lambda: self.async_feed.event(event_id))

    def fixture(self, event_id: int) -> Fixture | None:
        """The cached fixture of one event."""
        return self._on_loop(lambda: self.async_feed.fixture(event_id))

    def _on_loop(self, read: Callable[[], T]) -> T:
        async def run() -> T:
            return read()

        return self._runner.call(run)
