"""Find what to bet on, by names a bettor uses: "Serie A fixtures tomorrow", "the outcome ids
of Full Time Result for this fixture", then the ids ABP and Pinnacle take.

Names come from OddsPapi itself (sports, tournaments, the market catalogue), compared without
case and surrounding spaces. A name that matches nothing raises
:class:`~wagerkit.errors.NotFound`; one that matches several (two tournaments called "Premier
League" in two countries) raises :class:`~wagerkit.errors.InvalidInput` listing them, so a bot
never trades a guess. Each line of a market is its own catalogue market (O/U 2.5 and O/U 3.5
are two ``marketId``s), so a market with lines is chosen by name *and* ``handicap``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from wagerkit.errors import InvalidInput, NotFound
from wagerkit.oddspapi.client import AsyncOddsPapiClient, When
from wagerkit.oddspapi.models import Fixture, Market, Outcome, Tournament, odds_id

__all__ = [
    "MarketCatalogue",
    "Selection",
    "find_fixtures",
    "find_selection",
    "outcome_ids",
    "resolve_sport",
    "resolve_tournament",
]


def _norm(name: str) -> str:
    return " ".join(name.split()).casefold()


def _one(found: Sequence[Any], what: str, describe: Any) -> Any:
    if not found:
        raise NotFound(f"no {what}", status=None)
    if len(found) > 1:
        names = ", ".join(describe(x) for x in found[:10])
        raise InvalidInput(f"{what} is ambiguous: {names}", field=what.split()[0])
    return found[0]


class MarketCatalogue:
    """A sport's market catalogue (``/markets?sportId=``), indexed by name and outcome id."""

    def __init__(self, markets: Iterable[Market]) -> None:
        self.markets = list(markets)
        self._by_outcome = {o.outcome_id: (m, o) for m in self.markets for o in m.outcomes}

    def find(
        self, name: str, *, handicap: float | None = None, period: str | None = None
    ) -> Market:
        """The market called ``name`` (full or short name), on line ``handicap``."""
        wanted = _norm(name)
        found = [
            m
            for m in self.markets
            if wanted in (_norm(m.market_name), _norm(m.market_name_short or ""))
            and (handicap is None or m.handicap == handicap)
            and (period is None or m.period == period)
        ]
        return _one(  # type: ignore[no-any-return]
            found,
            f"market {name!r}" + (f" at {handicap:g}" if handicap is not None else ""),
            lambda m: f"{m.market_name} [{m.market_id}] handicap={m.handicap}",
        )

    def outcome(self, outcome_id: int) -> tuple[Market, Outcome]:
        """The market and outcome of an outcome id."""
        hit = self._by_outcome.get(outcome_id)
        if hit is None:
            raise NotFound(f"outcome {outcome_id} is not in the catalogue", status=None)
        return hit

    def __len__(self) -> int:
        return len(self.markets)


@dataclass(frozen=True, slots=True)
class Selection:
    """One chosen outcome of one fixture, with every id needed to trade it.

    ``fixture_id``/``outcome_id``/``player_id`` are what ABP's betslip and place-orders take
    (ABP uses OddsPapi's ids directly); :meth:`odds_id` is the key of a bookmaker's quote (and
    of ABP's betslip market); ``pinnacle_event_id`` joins the fixture to Pinnacle's own API.
    """

    fixture_id: str
    outcome_id: int
    market_id: int
    market_name: str
    outcome_name: str
    fixture_name: str
    start_time: int | None
    player_id: int = 0
    handicap: float | None = None
    pinnacle_event_id: int | None = None

    def odds_id(self, bookmaker: str) -> str:
        """``{fixtureId}:{bookmaker}:{outcomeId}:{playerId}``."""
        return odds_id(self.fixture_id, bookmaker, self.outcome_id, self.player_id)

    def abp_ids(self) -> dict[str, Any]:
        """The ids of ABP's ``GET /betslip`` and of each order of ``POST /orders``."""
        return {
            "fixtureId": self.fixture_id,
            "outcomeId": self.outcome_id,
            "playerId": self.player_id,
        }

    @property
    def pinnacle_side(self) -> str | None:
        """Pinnacle's side of a 1X2 or moneyline outcome (``Team1``, ``Draw``, ``Team2``), as
        OddsPapi orders the participants; see :meth:`side_at` for a rotated bookmaker."""
        return self.side_at(rotated=False)

    def side_at(self, *, rotated: bool) -> str | None:
        """The side at a bookmaker whose fixture state says ``participantsRotated`` (it lists
        home and away the other way round): Team1 and Team2 swap, the draw stays."""
        side = {"1": "Team1", "X": "Draw", "2": "Team2"}.get(self.outcome_name)
        if rotated and side in ("Team1", "Team2"):
            return "Team2" if side == "Team1" else "Team1"
        return side


async def resolve_sport(client: AsyncOddsPapiClient, sport: int | str) -> int:
    """A sport id from an id or a name (``"Soccer"``)."""
    if isinstance(sport, int):
        return sport
    found = [s for s in await client.sports() if _norm(sport) in (_norm(s.sport_name), s.slug)]
    return int(_one(found, f"sport {sport!r}", lambda s: s.sport_name).sport_id)


async def resolve_tournament(
    client: AsyncOddsPapiClient,
    tournament: int | str,
    *,
    sport: int | str,
    category: str | None = None,
) -> Tournament:
    """A tournament by id or by name within a sport (``category`` tells apart two leagues of
    the same name, e.g. "England")."""
    sport_id = await resolve_sport(client, sport)
    tournaments = await client.tournaments(sport_id)
    if isinstance(tournament, int):
        found = [t for t in tournaments if t.tournament_id == tournament]
    else:
        found = [
            t
            for t in tournaments
            if _norm(t.tournament_name) == _norm(tournament)
            and (category is None or _norm(t.category_name or "") == _norm(category))
        ]
    return _one(  # type: ignore[no-any-return]
        found,
        f"tournament {tournament!r}",
        lambda t: f"{t.tournament_name} ({t.category_name}) [{t.tournament_id}]",
    )


async def find_fixtures(
    client: AsyncOddsPapiClient,
    *,
    sport: int | str,
    tournament: int | str | None = None,
    start_from: When | None = None,
    start_to: When | None = None,
    within: dt.timedelta | None = None,
    category: str | None = None,
) -> list[Fixture]:
    """Fixtures of a sport (and tournament) starting in a window, soonest first.

    ``within`` is a shortcut for "from now to now + within". Raises the entitlement errors of
    the client rather than returning an empty list the plan explains.
    """
    sport_id = await resolve_sport(client, sport)
    tournament_id = None
    if tournament is not None:
        t = await resolve_tournament(client, tournament, sport=sport_id, category=category)
        tournament_id = t.tournament_id
    if within is not None:
        now = dt.datetime.now(dt.UTC)
        start_from, start_to = start_from or now, start_to or now + within
    fixtures = await client.fixtures(
        sport_id=sport_id, tournament_id=tournament_id, start_from=start_from, start_to=start_to
    )
    return sorted(fixtures, key=lambda f: (f.start_time or 0, f.fixture_id))


async def outcome_ids(
    client: AsyncOddsPapiClient,
    fixture: Fixture | str,
    market: str,
    *,
    handicap: float | None = None,
) -> dict[str, int]:
    """``{outcome name: outcome id}`` of the market called ``market`` for ``fixture``'s sport,
    from the (cached) catalogue: ``{"1": 101, "X": 102, "2": 103}`` for Full Time Result."""
    if isinstance(fixture, str):
        fixture = await client.fixture(fixture)
    if fixture.sport is None:
        raise NotFound(f"fixture {fixture.fixture_id} has no sport", status=None)
    catalogue = MarketCatalogue(await client.markets(fixture.sport.sport_id))
    found = catalogue.find(market, handicap=handicap)
    return {o.outcome_name: o.outcome_id for o in found.outcomes}


async def find_selection(
    client: AsyncOddsPapiClient,
    *,
    sport: int | str,
    market: str,
    outcome: str,
    tournament: int | str | None = None,
    participant: str | None = None,
    fixture_id: str | None = None,
    handicap: float | None = None,
    start_from: When | None = None,
    start_to: When | None = None,
) -> Selection:
    """One outcome to trade, by names: the fixture is ``fixture_id`` or the one fixture of
    ``tournament`` (in the window) where ``participant`` plays; ``market``/``outcome`` are
    catalogue names (``"Full Time Result"``, ``"2"``)."""
    if fixture_id is not None:
        fixture = await client.fixture(fixture_id)
    else:
        fixtures = await find_fixtures(
            client, sport=sport, tournament=tournament, start_from=start_from, start_to=start_to
        )
        if participant is not None:
            wanted = _norm(participant)
            fixtures = [
                f
                for f in fixtures
                if f.participants is not None
                and any(
                    wanted in _norm(n or "")
                    for n in (f.participants.participant1_name, f.participants.participant2_name)
                )
            ]
        fixture = _one(fixtures, f"fixture of {participant or tournament!r}", lambda f: f.name)
    sport_id = fixture.sport.sport_id if fixture.sport else await resolve_sport(client, sport)
    catalogue = MarketCatalogue(await client.markets(sport_id))
    chosen = catalogue.find(market, handicap=handicap)
    picked = _one(
        [o for o in chosen.outcomes if _norm(o.outcome_name) == _norm(outcome)],
        f"outcome {outcome!r} of {chosen.market_name}",
        lambda o: o.outcome_name,
    )
    providers = fixture.external_providers
    return Selection(
        fixture_id=fixture.fixture_id,
        outcome_id=picked.outcome_id,
        market_id=chosen.market_id,
        market_name=chosen.market_name,
        outcome_name=picked.outcome_name,
        fixture_name=fixture.name,
        start_time=fixture.start_time,
        handicap=chosen.handicap,
        pinnacle_event_id=None if providers is None else providers.pinnacle_id,
    )
