"""The async OddsPapi v5 REST client (anyio: asyncio or trio). Its blocking twin is
:class:`wagerkit.oddspapi.blocking.OddsPapiClient`.

Why it looks the way it does:

- **Entitlements are typed, and an empty array is not "no data".** OddsPapi refuses some
  requests outside the key's plan with a 403 (:class:`~wagerkit.oddspapi.errors.SportNotAllowed`
  and friends) but answers others with ``200 []``. So when an answer is empty (or lacks a
  bookmaker that was asked for), the client checks the filter against the key's own lists
  (``/sports`` and ``/bookmakers``, fetched once and cached) and raises the entitlement error
  with ``inferred=True`` when the plan explains the emptiness. An empty list is returned only
  when the key *is* entitled to what was asked.
- **Budgets per endpoint** (:mod:`wagerkit.oddspapi.limits`): 10/s on odds endpoints, 200/min on
  the others, corrected by the ``X-RateLimit-*`` headers; ``Retry-After`` on a 429 is honoured
  (and retried when short, :class:`~wagerkit.transport.RetryPolicy`).
- **Reference data is cached**: the market catalogue (thousands of markets per sport, each line
  its own marketId) and the bookmaker list change rarely; they are fetched once per
  ``catalogue_ttl`` seconds. Everything else is fetched every time.
- **The key never shows**: added below httpx's logging (:mod:`wagerkit.oddspapi.auth`), never in
  a repr, scrubbed from every error message.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, TypeVar

import httpx
import msgspec

from wagerkit.errors import InvalidInput, NotFound, ProtocolError
from wagerkit.oddspapi.auth import KeyTransport, check_api_key
from wagerkit.oddspapi.errors import (
    BookmakerNotAllowed,
    SportNotAllowed,
    error_from_response,
)
from wagerkit.oddspapi.historical import HistoricalTick, iter_ticks
from wagerkit.oddspapi.limits import EndpointLimits
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
from wagerkit.transport import DECODE_FAILURES, HttpTransport, RetryPolicy

__all__ = ["DEFAULT_BASE_URL", "MAX_BOOKMAKERS", "MAX_FIXTURE_IDS", "AsyncOddsPapiClient"]

DEFAULT_BASE_URL = "https://v5.oddspapi.io/en"
MAX_BOOKMAKERS = 5
"""``bookmakers=`` takes at most 5 slugs (OddsPapi refuses more)."""
MAX_FIXTURE_IDS = 50
"""``fixtureIds=`` takes at most 50 ids."""
CATALOGUE_TTL = 3600.0
"""Seconds the market catalogue, bookmaker list and sport list are reused."""

T = TypeVar("T")
When = dt.datetime | int | float

_DECODERS: dict[Any, msgspec.json.Decoder[Any]] = {}


def _decoder(kind: Any) -> msgspec.json.Decoder[Any]:
    decoder = _DECODERS.get(kind)
    if decoder is None:
        decoder = _DECODERS[kind] = msgspec.json.Decoder(kind)
    return decoder


def _epoch(value: When, field: str) -> int:
    """Unix seconds of a datetime (aware) or a number; InvalidInput otherwise."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise InvalidInput(f"{field} must be timezone-aware", field=field)
        return int(value.timestamp())
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise InvalidInput(f"{field} must be a datetime or Unix seconds", field=field)
    return int(value)


def _slugs(bookmakers: Iterable[str] | None) -> list[str] | None:
    if bookmakers is None:
        return None
    slugs = [bookmakers] if isinstance(bookmakers, str) else list(bookmakers)
    if not slugs or len(slugs) > MAX_BOOKMAKERS:
        raise InvalidInput(
            f"bookmakers takes 1 to {MAX_BOOKMAKERS} slugs, got {len(slugs)}", field="bookmakers"
        )
    for slug in slugs:
        if not isinstance(slug, str) or not slug or "," in slug:
            raise InvalidInput(f"not a bookmaker slug: {slug!r}", field="bookmakers")
    return slugs


def _positive_int(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidInput(f"{field} must be a positive integer, got {value!r}", field=field)
    return value


def _fixture_id(value: object, field: str = "fixture_id") -> str:
    if not isinstance(value, str) or not value or len(value) > 64 or "," in value:
        raise InvalidInput(f"not a fixture id: {value!r}", field=field)
    return value


def _ids(values: Iterable[int], field: str) -> str:
    ids = [_positive_int(v, field) for v in values]
    if not ids:
        raise InvalidInput(f"{field} must not be empty", field=field)
    return ",".join(map(str, ids))


class AsyncOddsPapiClient:
    """OddsPapi v5 REST. ``base_url`` includes the language (``…/en``).

    ``limits`` is the per-endpoint budget (default: the one every client of this key and base
    URL in the process shares, :meth:`EndpointLimits.shared`); ``transport`` is the
    httpx seam for tests; ``allow_insecure`` permits plain http to a non-loopback host.
    """

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = 30.0,
        limits: EndpointLimits | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        allow_insecure: bool = False,
        max_connections: int = 16,
        catalogue_ttl: float = CATALOGUE_TTL,
    ) -> None:
        key = check_api_key(api_key)
        inner = transport if transport is not None else httpx.AsyncHTTPTransport()
        self._http = HttpTransport(
            base_url,
            secrets=(key,),
            timeout=timeout,
            transport=KeyTransport(key, inner),
            allow_insecure=allow_insecure,
            max_connections=max_connections,
        )
        self.limits = limits if limits is not None else EndpointLimits.shared(self.base_url, key)
        self._retry = retry if retry is not None else RetryPolicy()
        self._ttl = catalogue_ttl
        self._cache: dict[tuple[str, Any], tuple[float, Any]] = {}

    @property
    def base_url(self) -> str:
        return self._http.base_url

    def __repr__(self) -> str:
        return f"AsyncOddsPapiClient(base_url={self.base_url!r}, apiKey=***)"

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncOddsPapiClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- plumbing ----------------------------------------------------------------------------

    async def request_raw(
        self, path: str, params: Mapping[str, Any] | None = None
    ) -> httpx.Response:
        """One GET under the endpoint's budget, whatever the answer (raw data reachable)."""
        await self.limits.acquire(path)
        response = await self._http.request("GET", path, params=params)
        self.limits.observe(path, response.status_code, response.headers)
        return response

    async def _get(self, path: str, params: Mapping[str, Any], kind: Any) -> Any:
        clean = {k: v for k, v in params.items() if v is not None}

        async def once() -> Any:
            response = await self.request_raw(path, clean)
            if response.status_code != 200:
                raise error_from_response(
                    response.status_code,
                    response.content,
                    response.headers,
                    what=f"GET {path}",
                    redact=self._http.redact,
                )
            try:
                return _decoder(kind).decode(response.content)
            except DECODE_FAILURES as exc:
                raise ProtocolError(
                    self._http.redact(f"GET {path}: malformed answer ({exc})"),
                    status=response.status_code,
                    body=self._http.redact(response.text[:200]),
                ) from None

        return await self._retry.call(once, read=True)

    async def _cached(
        self, name: str, arg: Any, path: str, params: dict[str, Any], kind: Any
    ) -> Any:
        now = time.monotonic()
        hit = self._cache.get((name, arg))
        if hit is not None and now - hit[0] < self._ttl:
            return hit[1]
        value = await self._get(path, params, kind)
        if len(self._cache) > 256:  # bounded: ~80 sports of catalogue plus a few lists
            self._cache.clear()
        self._cache[(name, arg)] = (now, value)
        return value

    def forget_cache(self) -> None:
        """Drop the cached catalogue, bookmaker and sport lists (e.g. after a plan change)."""
        self._cache.clear()

    async def _explain_empty(
        self, *, sport_id: int | None = None, bookmakers: Sequence[str] = (), what: str
    ) -> None:
        """Raise the entitlement error that explains an empty answer, if there is one."""
        if sport_id is not None:
            try:
                sports = {s.sport_id for s in await self.sports()}
            except SportNotAllowed:
                sports = set()
            if sport_id not in sports:
                raise SportNotAllowed(
                    f"{what}: empty answer, and sport {sport_id} is not in this key's plan",
                    code="sport_not_allowed",
                    denied=(str(sport_id),),
                    status=None,
                    inferred=True,
                )
        if bookmakers:
            entitled = {b.slug for b in await self.bookmakers()}
            denied = tuple(b for b in bookmakers if b not in entitled)
            if denied:
                raise BookmakerNotAllowed(
                    f"{what}: no odds, and {', '.join(denied)} not in this key's plan",
                    code="bookmaker_not_allowed",
                    denied=denied,
                    status=None,
                    inferred=True,
                )

    # -- reference data ------------------------------------------------------------------------

    async def sports(self) -> list[Sport]:
        """``/sports``: the sports this key may see (cached)."""
        result: list[Sport] = await self._cached("sports", None, "/sports", {}, list[Sport])
        return result

    async def tournaments(
        self, sport_id: int | None = None, *, tournament_ids: Iterable[int] | None = None
    ) -> list[Tournament]:
        """``/tournaments`` of a sport, or by ids. One is required: OddsPapi silently falls
        back to basketball when neither is given, which is never what a caller meant."""
        if (sport_id is None) == (tournament_ids is None):
            raise InvalidInput("give exactly one of sport_id or tournament_ids", field="sport_id")
        params: dict[str, Any] = {}
        if sport_id is not None:
            params["sportId"] = _positive_int(sport_id, "sport_id")
        if tournament_ids is not None:
            params["tournamentIds"] = _ids(tournament_ids, "tournament_ids")
        result: list[Tournament] = await self._get("/tournaments", params, list[Tournament])
        if not result:
            await self._explain_empty(sport_id=sport_id, what="tournaments")
        return result

    async def participants(
        self, sport_id: int, *, participant_ids: Iterable[int] | None = None
    ) -> list[Participant]:
        """``/participants`` of a sport (optionally only some ids)."""
        params: dict[str, Any] = {"sportId": _positive_int(sport_id, "sport_id")}
        if participant_ids is not None:
            params["participantIds"] = _ids(participant_ids, "participant_ids")
        result: list[Participant] = await self._get("/participants", params, list[Participant])
        if not result:
            await self._explain_empty(sport_id=sport_id, what="participants")
        return result

    async def markets(
        self,
        sport_id: int | None = None,
        *,
        market_ids: Iterable[int] | None = None,
        outcome_ids: Iterable[int] | None = None,
    ) -> list[Market]:
        """``/markets``: exactly one of a sport's whole catalogue (cached), some market ids, or
        the markets of some outcome ids."""
        given = [x is not None for x in (sport_id, market_ids, outcome_ids)]
        if sum(given) != 1:
            raise InvalidInput(
                "give exactly one of sport_id, market_ids or outcome_ids", field="sport_id"
            )
        if sport_id is not None:
            sid = _positive_int(sport_id, "sport_id")
            result: list[Market] = await self._cached(
                "markets", sid, "/markets", {"sportId": sid}, list[Market]
            )
            if not result:
                await self._explain_empty(sport_id=sid, what="markets")
            return result
        if market_ids is not None:
            params = {"marketIds": _ids(market_ids, "market_ids")}
        else:
            params = {"outcomeIds": _ids(outcome_ids or (), "outcome_ids")}
        found: list[Market] = await self._get("/markets", params, list[Market])
        return found

    async def bookmakers(self) -> list[Bookmaker]:
        """``/bookmakers``: the bookmakers this key is entitled to, with ``limitCurrency``
        (cached)."""
        result: list[Bookmaker] = await self._cached(
            "bookmakers", None, "/bookmakers", {}, list[Bookmaker]
        )
        return result

    async def currencies(self) -> list[Currency]:
        """``/currencies``: units per 1 USD (ABP's convention)."""
        result: list[Currency] = await self._get("/currencies", {}, list[Currency])
        return result

    # -- fixtures ------------------------------------------------------------------------------

    async def fixtures(
        self,
        *,
        fixture_ids: Iterable[str] | None = None,
        sport_id: int | None = None,
        tournament_id: int | None = None,
        start_from: When | None = None,
        start_to: When | None = None,
    ) -> list[Fixture]:
        """``/fixtures``: by ids (at most 50), or by sport and/or tournament in a start-time
        window (datetimes or Unix seconds, both ends inclusive)."""
        params: dict[str, Any] = {}
        if fixture_ids is not None:
            if sport_id is not None or tournament_id is not None:
                raise InvalidInput(
                    "fixture_ids excludes sport_id/tournament_id", field="fixture_ids"
                )
            ids = [_fixture_id(f, "fixture_ids") for f in fixture_ids]
            if not ids or len(ids) > MAX_FIXTURE_IDS:
                raise InvalidInput(
                    f"fixture_ids takes 1 to {MAX_FIXTURE_IDS} ids", field="fixture_ids"
                )
            params["fixtureIds"] = ",".join(ids)
        elif sport_id is None and tournament_id is None:
            raise InvalidInput("give fixture_ids, sport_id or tournament_id", field="sport_id")
        if sport_id is not None:
            params["sportId"] = _positive_int(sport_id, "sport_id")
        if tournament_id is not None:
            params["tournamentId"] = _positive_int(tournament_id, "tournament_id")
        if start_from is not None:
            params["startTimeFrom"] = _epoch(start_from, "start_from")
        if start_to is not None:
            params["startTimeTo"] = _epoch(start_to, "start_to")
        if params.get("startTimeFrom", 0) > params.get("startTimeTo", float("inf")):
            raise InvalidInput("start_from is after start_to", field="start_from")
        result: list[Fixture] = await self._get("/fixtures", params, list[Fixture])
        if not result:
            await self._explain_empty(sport_id=sport_id, what="fixtures")
        return result

    async def fixture(self, fixture_id: str) -> Fixture:
        """One fixture by id; :class:`~wagerkit.errors.NotFound` when OddsPapi has none."""
        found = await self.fixtures(fixture_ids=[fixture_id])
        for fixture in found:
            if fixture.fixture_id == fixture_id:
                return fixture
        raise NotFound(f"no fixture {fixture_id!r} at OddsPapi", status=None)

    async def fixtures_today(
        self, *, sport_id: int | None = None, tournament_id: int | None = None
    ) -> list[Fixture]:
        """``/fixtures/today`` (a sport or a tournament is required in practice)."""
        return await self._fixtures_at("/fixtures/today", sport_id, tournament_id)

    async def fixtures_live(
        self, *, sport_id: int | None = None, tournament_id: int | None = None
    ) -> list[Fixture]:
        """``/fixtures/live`` (a sport or a tournament is required in practice)."""
        return await self._fixtures_at("/fixtures/live", sport_id, tournament_id)

    async def _fixtures_at(
        self, path: str, sport_id: int | None, tournament_id: int | None
    ) -> list[Fixture]:
        if sport_id is None and tournament_id is None:
            raise InvalidInput("give sport_id or tournament_id", field="sport_id")
        params: dict[str, Any] = {}
        if sport_id is not None:
            params["sportId"] = _positive_int(sport_id, "sport_id")
        if tournament_id is not None:
            params["tournamentId"] = _positive_int(tournament_id, "tournament_id")
        result: list[Fixture] = await self._get(path, params, list[Fixture])
        if not result:
            await self._explain_empty(sport_id=sport_id, what=path.lstrip("/"))
        return result

    # -- odds ----------------------------------------------------------------------------------

    async def fixture_odds(
        self,
        fixture_id: str,
        *,
        bookmakers: Iterable[str] | None = None,
        since_ms: int | None = None,
        market_active: bool | None = None,
        main_line: bool | None = None,
    ) -> FixtureOdds:
        """``/fixtures/odds``: every quote of one fixture (a live soccer match can be ~3 MB;
        narrow with ``bookmakers`` (≤ 5) and ``since_ms`` (Unix ms) when you can).

        A requested bookmaker missing from the answer and outside the key's plan raises
        :class:`~wagerkit.oddspapi.errors.BookmakerNotAllowed` (``inferred``).
        """
        slugs = _slugs(bookmakers)
        params: dict[str, Any] = {"fixtureId": _fixture_id(fixture_id)}
        if slugs:
            params["bookmakers"] = ",".join(slugs)
        if since_ms is not None:
            params["since"] = _positive_int(since_ms, "since_ms")
        if market_active is not None:
            params["marketActive"] = str(bool(market_active)).lower()
        if main_line is not None:
            params["mainLine"] = str(bool(main_line)).lower()
        result: FixtureOdds = await self._get("/fixtures/odds", params, FixtureOdds)
        missing = [s for s in slugs or () if s not in result.odds and s not in result.bookmakers]
        if missing:
            await self._explain_empty(bookmakers=missing, what="fixture odds")
        return result

    async def main_odds(
        self,
        *,
        tournament_id: int | None = None,
        fixture_ids: Iterable[str] | None = None,
        bookmakers: Iterable[str] | None = None,
    ) -> list[FixtureOdds]:
        """``/fixtures/odds/main``: main lines of a tournament (capped near 100 fixtures by
        OddsPapi) or of up to 50 fixture ids."""
        if (tournament_id is None) == (fixture_ids is None):
            raise InvalidInput(
                "give exactly one of tournament_id or fixture_ids", field="fixture_ids"
            )
        params: dict[str, Any] = {}
        if tournament_id is not None:
            params["tournamentId"] = _positive_int(tournament_id, "tournament_id")
        if fixture_ids is not None:
            ids = [_fixture_id(f, "fixture_ids") for f in fixture_ids]
            if not ids or len(ids) > MAX_FIXTURE_IDS:
                raise InvalidInput(
                    f"fixture_ids takes 1 to {MAX_FIXTURE_IDS} ids", field="fixture_ids"
                )
            params["fixtureIds"] = ",".join(ids)
        slugs = _slugs(bookmakers)
        if slugs:
            params["bookmakers"] = ",".join(slugs)
        result: list[FixtureOdds] = await self._get(
            "/fixtures/odds/main", params, list[FixtureOdds]
        )
        if slugs and not any(o.odds for o in result):
            await self._explain_empty(bookmakers=slugs, what="main odds")
        return result

    async def clv(self, fixture_id: str, *, bookmakers: Iterable[str] | None = None) -> FixtureClv:
        """``/fixtures/odds/clv``: opening and closing price per oddsId."""
        slugs = _slugs(bookmakers)
        params: dict[str, Any] = {"fixtureId": _fixture_id(fixture_id)}
        if slugs:
            params["bookmakers"] = ",".join(slugs)
        result: FixtureClv = await self._get("/fixtures/odds/clv", params, FixtureClv)
        if slugs and not result.lines:
            await self._explain_empty(bookmakers=slugs, what="clv")
        return result

    async def historical_odds(
        self,
        fixture_id: str,
        bookmaker: str | None = None,
        *,
        odds_ids: Iterable[str] | None = None,
    ) -> HistoricalOdds:
        """``/fixtures/odds/historical`` of one fixture × exactly one bookmaker (or some
        oddsIds), decoded whole. A big in-play fixture can be ~100 MB: prefer
        :meth:`iter_historical`, which yields ticks."""
        params = self._historical_params(fixture_id, bookmaker, odds_ids)
        result: HistoricalOdds = await self._get(
            "/fixtures/odds/historical", params, HistoricalOdds
        )
        if bookmaker is not None and not result.odds:
            await self._explain_empty(bookmakers=[bookmaker], what="historical odds")
        return result

    async def iter_historical(
        self,
        fixture_id: str,
        bookmaker: str | None = None,
        *,
        odds_ids: Iterable[str] | None = None,
    ) -> AsyncIterator[HistoricalTick]:
        """The ticks of :meth:`historical_odds`, one :class:`HistoricalTick` at a time, parsed
        while the body arrives (:func:`wagerkit.oddspapi.historical.iter_ticks`): memory stays
        flat however big the answer. An error status before the body is the usual typed
        error; no retry once ticks have been yielded.
        """
        params = self._historical_params(fixture_id, bookmaker, odds_ids)
        path = "/fixtures/odds/historical"
        await self.limits.acquire(path)
        async with self._http.stream("GET", path, params=params) as response:
            self.limits.observe(path, response.status_code, response.headers)
            if response.status_code != 200:
                raise error_from_response(
                    response.status_code,
                    await response.aread(),
                    response.headers,
                    what=f"GET {path}",
                    redact=self._http.redact,
                )
            async for tick in iter_ticks(response.aiter_bytes()):
                yield tick

    async def _checked(self, path: str, params: Mapping[str, Any]) -> httpx.Response:
        response = await self.request_raw(path, params)
        if response.status_code != 200:
            raise error_from_response(
                response.status_code,
                response.content,
                response.headers,
                what=f"GET {path}",
                redact=self._http.redact,
            )
        return response

    @staticmethod
    def _historical_params(
        fixture_id: str, bookmaker: str | None, odds_ids: Iterable[str] | None
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"fixtureId": _fixture_id(fixture_id)}
        if (bookmaker is None) == (odds_ids is None):
            raise InvalidInput("give exactly one of bookmaker or odds_ids", field="bookmaker")
        if bookmaker is not None:
            (slug,) = _slugs([bookmaker]) or [bookmaker]
            params["bookmaker"] = slug
        if odds_ids is not None:
            ids = list(odds_ids)
            if not ids or any(not isinstance(i, str) or i.count(":") != 3 for i in ids):
                raise InvalidInput(
                    "odds_ids must be oddsIds fixture:bookmaker:outcome:player", field="odds_ids"
                )
            params["oddsIds"] = ",".join(ids)
        return params

    # -- after the game ------------------------------------------------------------------------

    async def mapping(self, fixture_id: str) -> FixtureMapping:
        """``/fixtures/mapping``: the fixture's ids per bookmaker and external provider."""
        result: FixtureMapping = await self._get(
            "/fixtures/mapping", {"fixtureId": _fixture_id(fixture_id)}, FixtureMapping
        )
        return result

    async def settlement(self, fixture_id: str) -> FixtureSettlement:
        """``/fixtures/settlement``: OddsPapi's grading per outcome (WIN, LOSE, PUSH, HALFWIN,
        HALFLOSS, CANCELLED, UNDECIDED)."""
        result: FixtureSettlement = await self._get(
            "/fixtures/settlement", {"fixtureId": _fixture_id(fixture_id)}, FixtureSettlement
        )
        return result
