"""Pinnacle clients: :class:`AsyncPinnacleClient` (anyio: asyncio or trio) and its blocking twin
:class:`PinnacleClient`, with the same method names.

Covered (current API): Lines (``/v2/sports``, ``/v2/leagues``, ``/v1/periods``,
``/v2/currencies``, ``/v1/cancellationreasons``, ``/v1/fixtures``, ``/v1/fixtures/special``,
``/v1/fixtures/settled``, ``/v1/fixtures/special/settled``, ``/v2/odds``, ``/v1/odds/special``,
``/v1/odds/teaser``, ``/v1/teaser/groups``, ``/v1/inrunning`` (deprecated), ``/v1/line``,
``/v1/line/special``, ``/v2/line/parlay``, ``/v1/line/teaser``), Bets v4
(``/v4/bets/straight|parlay|teaser|special``, the last also as a batch, ``/v4/bets``,
``/v4/bets/betting-status``) and Customer (``/v1/client/balance``).

Every Lines call goes through the fair-use :class:`~wagerkit.pinnacle.pacer.Pacer`; every bet goes
through :class:`~wagerkit.pinnacle.placement.Placer` (fixed ``uniqueRequestId``, lookup after an
ambiguous failure, live-delay polling). Errors are :mod:`wagerkit.errors`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator, Sequence
from types import TracebackType
from typing import Any

import httpx
from msgspec.structs import replace

from wagerkit.clock import Clock, SystemClock
from wagerkit.errors import InvalidInput, ProtocolError
from wagerkit.pinnacle._http import DEFAULT_BASE_URL, PinnacleHttp
from wagerkit.pinnacle.batch import LOOKUP_CHUNK, SPECIAL_PATH, SpecialBatch
from wagerkit.pinnacle.bet_requests import (
    WIN_RISK,
    _bet_format,
    _check_uuid,
    new_request_id,
    parlay_bet,
    straight_bet,
    teaser_bet,
)
from wagerkit.pinnacle.codes import (
    ODDS_FORMAT_BET,
    ODDS_FORMAT_QUERY,
    PARLAY_ERROR_CODES,
    SPECIAL_ERROR_CODES,
    STRAIGHT_ERROR_CODES,
    TEASER_ERROR_CODES,
    OddsFormatName,
)
from wagerkit.pinnacle.models import (
    BettingStatusResponse,
    CancellationReasonsResponse,
    ClientBalanceResponse,
    CurrenciesResponse,
    FixturesResponse,
    GetBetsResponse,
    InRunningResponse,
    LeaguesResponse,
    LineResponse,
    OddsResponse,
    ParlayBet,
    ParlayLegRequest,
    ParlayLineRequest,
    ParlayLinesRequest,
    ParlayLinesResponseV2,
    PeriodsResponse,
    PlaceParlayBetResponse,
    PlaceStraightBetResponse,
    PlaceTeaserBetResponse,
    SettledFixturesResponse,
    SettledSpecialsResponse,
    SpecialBet,
    SpecialBetRequest,
    SpecialBetsResponse,
    SpecialLineResponse,
    SpecialOddsResponse,
    SpecialsFixturesResponse,
    SportsResponse,
    StraightBet,
    TeaserBet,
    TeaserBetLeg,
    TeaserGroupsResponse,
    TeaserLineRequest,
    TeaserLinesRequest,
    TeaserLinesResponse,
    TeaserOddsResponse,
)
from wagerkit.pinnacle.pacer import DEFAULT_POLICY, FairUsePolicy, Pacer
from wagerkit.pinnacle.placement import (
    BetOutcome,
    PlacementTimings,
    Placer,
    lookup_window,
    pick,
    special_from,
    straight_from,
)
from wagerkit.pinnacle.stakes import check_amount, check_currency, check_stake
from wagerkit.transport import BlockingRunner, RetryPolicy
from wagerkit.transport.blocking import BlockingTwin

__all__ = ["AsyncPinnacleClient", "PinnacleClient", "new_request_id", "special_bet"]

_USER_AGENT = "wagerkit-pinnacle/1"


def _query_format(odds_format: OddsFormatName) -> str:
    try:
        return ODDS_FORMAT_QUERY[odds_format]
    except KeyError:
        raise InvalidInput(f"unknown odds format {odds_format!r}", field="odds_format") from None


def _check_since(since: int | None) -> None:
    # Fair-use rule since 2019: ``since`` is the previous ``last``, never 0 or 1.
    if since is not None and since in (0, 1):
        raise InvalidInput(
            "since must be the previous response's last, never 0 or 1", field="since"
        )


def special_bet(
    *,
    special_id: int,
    contestant_id: int,
    line_id: int,
    stake: float,
    win_risk_stake: str = "RISK",
    accept_better_line: bool = False,
    odds_format: OddsFormatName = "decimal",
    unique_request_id: str | None = None,
) -> SpecialBetRequest:
    """One special bet for :meth:`AsyncPinnacleClient.place_specials`, checked, with its
    ``uniqueRequestId`` fixed now (a fresh UUID unless given) so the caller can journal it
    before anything is sent. ``stake`` is in the client currency, major units, finite and > 0
    (:class:`~wagerkit.errors.InvalidInput` otherwise); ``place_specials`` rounds it down to
    the currency's minor unit before sending. ``win_risk_stake`` says whether it is the risk
    or the win.
    """
    uid = _check_uuid(unique_request_id) if unique_request_id else new_request_id()
    stake = check_amount(stake)
    if win_risk_stake not in WIN_RISK:
        raise InvalidInput("win_risk_stake must be WIN or RISK", field="win_risk_stake")
    return SpecialBetRequest(
        unique_request_id=uid,
        accept_better_line=accept_better_line,
        odds_format=_bet_format(odds_format),
        stake=stake,
        win_risk_stake=win_risk_stake,
        line_id=line_id,
        special_id=special_id,
        contestant_id=contestant_id,
    )


def _check_special_bets(
    bets: Sequence[SpecialBetRequest], currency: str | None
) -> list[SpecialBetRequest]:
    """The batch as sent: ids in canonical (lower-case) form and distinct, since the id is how
    each bet's answer and lookup are matched (a repeat would be a DUPLICATED_REQUEST); stakes
    checked, and rounded down to the minor unit of ``currency`` (the account currency) when
    it is known (call again with it before sending: the rounding is idempotent)."""
    if not bets:
        raise InvalidInput("place_specials needs at least one bet", field="bets")
    seen: set[str] = set()
    out = []
    for bet in bets:
        uid = _check_uuid(bet.unique_request_id)
        if uid in seen:
            raise InvalidInput(f"uniqueRequestId {uid} appears twice in the batch", field="bets")
        seen.add(uid)
        stake = check_amount(bet.stake) if currency is None else check_stake(bet.stake, currency)
        if bet.odds_format not in ODDS_FORMAT_BET.values():
            raise InvalidInput(f"unknown odds format {bet.odds_format!r}", field="odds_format")
        if bet.win_risk_stake not in WIN_RISK:
            raise InvalidInput("win_risk_stake must be WIN or RISK", field="win_risk_stake")
        if uid != bet.unique_request_id or stake != bet.stake:
            bet = replace(bet, unique_request_id=uid, stake=stake)
        out.append(bet)
    return out


class AsyncPinnacleClient:
    """Async client for one Pinnacle account.

    ``policy`` selects the fair-use preset (``"2025"`` default, ``"2022"``, ``"2018"``) unless a
    shared ``pacer`` is given (share one per account across clients: the limits are per
    account). ``clock`` drives every wait (pacing, live delay, backoff): inject a
    :class:`~wagerkit.clock.FakeClock` with ``auto_advance=True`` in tests. ``transport`` is
    the httpx seam.

    ``currency`` is the account currency (ISO 4217): every stake is rounded down to its minor
    unit before it is sent. Leave it out and it is read once from ``/v1/client/balance``
    before the first bet (an account's currency never changes).

    A read that gets a 429 waits its ``Retry-After`` (clamped to at most an hour) when it is
    at most ``max_429_wait`` seconds, else raises :class:`~wagerkit.errors.RateLimited` at
    once. A bet waits a 429 only within the retry policy's ``max_retry_after`` and what is left
    of its ``timeout``.
    """

    def __init__(
        self,
        username: str,
        password: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        policy: FairUsePolicy | str = DEFAULT_POLICY,
        pacer: Pacer | None = None,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
        timings: PlacementTimings | None = None,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
        user_agent: str = _USER_AGENT,
        currency: str | None = None,
        max_429_wait: float = 300.0,
    ) -> None:
        if not username or not password:
            raise InvalidInput("username and password are required", field="username")
        self._currency = check_currency(currency) if currency is not None else None
        self.clock: Clock = (
            clock if clock is not None else (pacer.clock if pacer else SystemClock())
        )
        self.pacer = pacer if pacer is not None else Pacer(policy, clock=self.clock)
        self.timings = timings if timings is not None else PlacementTimings()
        self._http = PinnacleHttp(
            username,
            password,
            base_url=base_url,
            pacer=self.pacer,
            clock=self.clock,
            retry=retry if retry is not None else RetryPolicy(),
            timeout=timeout,
            transport=transport,
            user_agent=user_agent,
            max_429_wait=max_429_wait,
        )

    @property
    def base_url(self) -> str:
        return self._http.base_url

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, policy={self.pacer.policy.name!r})"
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncPinnacleClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # =========================================================================================
    # Lines: reference data

    async def sports(self) -> SportsResponse:
        """``GET /v2/sports``: every sport and whether it has offerings."""
        return await self._http.read("/v2/sports", SportsResponse)

    async def leagues(self, sport_id: int) -> LeaguesResponse:
        """``GET /v2/leagues``: a sport's leagues, with ``homeTeamType`` (needed to bet)."""
        return await self._http.read(
            "/v2/leagues", LeaguesResponse, {"sportId": sport_id}, sport_id=sport_id
        )

    async def periods(self, sport_id: int) -> PeriodsResponse:
        """``GET /v1/periods``: the period numbers of a sport and their names."""
        return await self._http.read(
            "/v1/periods", PeriodsResponse, {"sportId": sport_id}, sport_id=sport_id
        )

    async def currencies(self) -> CurrenciesResponse:
        """``GET /v2/currencies``: codes and rates (units per 1 USD)."""
        return await self._http.read("/v2/currencies", CurrenciesResponse)

    async def cancellation_reasons(self) -> CancellationReasonsResponse:
        """``GET /v1/cancellationreasons``: the code → description lookup."""
        return await self._http.read("/v1/cancellationreasons", CancellationReasonsResponse)

    async def teaser_groups(self, odds_format: OddsFormatName = "decimal") -> TeaserGroupsResponse:
        """``GET /v1/teaser/groups``."""
        return await self._http.read(
            "/v1/teaser/groups", TeaserGroupsResponse, {"oddsFormat": _query_format(odds_format)}
        )

    # =========================================================================================
    # Lines: feeds (snapshot without ``since``, delta with it)

    async def fixtures(
        self,
        sport_id: int,
        *,
        league_ids: Sequence[int] | None = None,
        event_ids: Sequence[int] | None = None,
        is_live: bool | None = None,
        since: int | None = None,
    ) -> FixturesResponse:
        """``GET /v1/fixtures``: non-settled events; pass the previous ``last`` as ``since``."""
        _check_since(since)
        params = {
            "sportId": sport_id,
            "leagueIds": league_ids,
            "eventIds": event_ids,
            "isLive": True if is_live else None,
            "since": since,
        }
        return await self._http.read(
            "/v1/fixtures",
            FixturesResponse,
            params,
            sport_id=sport_id,
            snapshot=since is None,
            empty=lambda: FixturesResponse(sport_id=sport_id, last=since),
        )

    async def odds(
        self,
        sport_id: int,
        *,
        league_ids: Sequence[int] | None = None,
        event_ids: Sequence[int] | None = None,
        is_live: bool | None = None,
        since: int | None = None,
        odds_format: OddsFormatName = "decimal",
        to_currency: str | None = None,
    ) -> OddsResponse:
        """``GET /v2/odds``: straight odds in ``odds_format``; limits in ``to_currency``
        (default USD; non-USD limits come floored to whole units). With ``since`` only the
        changed periods come back, each whole."""
        _check_since(since)
        params = {
            "sportId": sport_id,
            "leagueIds": league_ids,
            "eventIds": event_ids,
            "isLive": True if is_live else None,
            "since": since,
            "oddsFormat": _query_format(odds_format),
            "toCurrencyCode": to_currency,
        }
        return await self._http.read(
            "/v2/odds",
            OddsResponse,
            params,
            sport_id=sport_id,
            snapshot=since is None,
            empty=lambda: OddsResponse(sport_id=sport_id, last=since),
        )

    async def special_fixtures(
        self,
        sport_id: int,
        *,
        league_ids: Sequence[int] | None = None,
        since: int | None = None,
        category: str | None = None,
        event_id: int | None = None,
        special_id: int | None = None,
    ) -> SpecialsFixturesResponse:
        """``GET /v1/fixtures/special``."""
        _check_since(since)
        params = {
            "sportId": sport_id,
            "leagueIds": league_ids,
            "since": since,
            "category": category,
            "eventId": event_id,
            "specialId": special_id,
        }
        return await self._http.read(
            "/v1/fixtures/special",
            SpecialsFixturesResponse,
            params,
            sport_id=sport_id,
            snapshot=since is None,
            empty=lambda: SpecialsFixturesResponse(sport_id=sport_id, last=since),
        )

    async def special_odds(
        self,
        sport_id: int,
        *,
        league_ids: Sequence[int] | None = None,
        since: int | None = None,
        special_id: int | None = None,
        odds_format: OddsFormatName = "decimal",
    ) -> SpecialOddsResponse:
        """``GET /v1/odds/special``."""
        _check_since(since)
        params = {
            "sportId": sport_id,
            "leagueIds": league_ids,
            "since": since,
            "specialId": special_id,
            "oddsFormat": _query_format(odds_format),
        }
        return await self._http.read(
            "/v1/odds/special",
            SpecialOddsResponse,
            params,
            sport_id=sport_id,
            snapshot=since is None,
            empty=lambda: SpecialOddsResponse(sport_id=sport_id, last=since),
        )

    async def settled_fixtures(
        self, sport_id: int, *, league_ids: Sequence[int] | None = None, since: int | None = None
    ) -> SettledFixturesResponse:
        """``GET /v1/fixtures/settled`` (deprecated by Pinnacle, still served): periods settled
        in the last 24 hours."""
        _check_since(since)
        params = {"sportId": sport_id, "leagueIds": league_ids, "since": since}
        return await self._http.read(
            "/v1/fixtures/settled", SettledFixturesResponse, params, sport_id=sport_id
        )

    async def settled_special_fixtures(
        self, sport_id: int, *, league_ids: Sequence[int] | None = None, since: int | None = None
    ) -> SettledSpecialsResponse:
        """``GET /v1/fixtures/special/settled`` (deprecated by Pinnacle, still served)."""
        _check_since(since)
        params = {"sportId": sport_id, "leagueIds": league_ids, "since": since}
        return await self._http.read(
            "/v1/fixtures/special/settled", SettledSpecialsResponse, params, sport_id=sport_id
        )

    async def teaser_odds(self, teaser_id: int) -> TeaserOddsResponse:
        """``GET /v1/odds/teaser``."""
        return await self._http.read("/v1/odds/teaser", TeaserOddsResponse, {"teaserId": teaser_id})

    async def inrunning(self) -> InRunningResponse:
        """``GET /v1/inrunning``: the live soccer events in progress, with their ``state`` (1 first
        half … 11 penalties) and ``elapsed`` minutes.

        Deprecated: Pinnacle deprecated this endpoint in October 2024 and the current Lines spec
        marks it ``deprecated: true``; it is still served, so it is offered for bots that use it.
        It may stop answering at any time: new code should read the live state from
        :meth:`fixtures` (``liveStatus``) and :meth:`odds` (scores and red cards) instead.
        """
        return await self._http.read("/v1/inrunning", InRunningResponse)

    # =========================================================================================
    # Lines: one line (check a price and its exact limits right before betting)

    async def line(
        self,
        *,
        sport_id: int,
        league_id: int,
        event_id: int,
        period_number: int,
        bet_type: str,
        team: str | None = None,
        side: str | None = None,
        handicap: float | None = None,
        odds_format: OddsFormatName = "decimal",
    ) -> LineResponse:
        """``GET /v1/line``: ``team`` is ``Team1|Team2|Draw`` (see
        :func:`wagerkit.pinnacle.mapping.line_team`). Never call it in a loop: fair use."""
        if bet_type != "MONEYLINE" and handicap is None:
            raise InvalidInput(f"handicap is required for {bet_type}", field="handicap")
        params = {
            "sportId": sport_id,
            "leagueId": league_id,
            "eventId": event_id,
            "periodNumber": period_number,
            "betType": bet_type,
            "team": team,
            "side": side,
            "handicap": handicap,
            "oddsFormat": _query_format(odds_format),
        }
        return await self._http.read("/v1/line", LineResponse, params, sport_id=sport_id)

    async def special_line(
        self,
        special_id: int,
        contestant_id: int,
        *,
        handicap: float | None = None,
        odds_format: OddsFormatName = "decimal",
    ) -> SpecialLineResponse:
        """``GET /v1/line/special``."""
        params = {
            "specialId": special_id,
            "contestantId": contestant_id,
            "handicap": handicap,
            "oddsFormat": _query_format(odds_format),
        }
        return await self._http.read("/v1/line/special", SpecialLineResponse, params)

    async def parlay_line(
        self, legs: Sequence[ParlayLineRequest], *, odds_format: OddsFormatName = "decimal"
    ) -> ParlayLinesResponseV2:
        """``POST /v2/line/parlay``: validate legs, get round-robin odds and limits."""
        body = ParlayLinesRequest(odds_format=_query_format(odds_format), legs=list(legs))
        return await self._http.read(
            "/v2/line/parlay", ParlayLinesResponseV2, method="POST", body=body
        )

    async def teaser_line(
        self,
        teaser_id: int,
        legs: Sequence[TeaserLineRequest],
        *,
        odds_format: OddsFormatName = "decimal",
    ) -> TeaserLinesResponse:
        """``POST /v1/line/teaser``: validate a teaser, get its price and limits."""
        body = TeaserLinesRequest(
            teaser_id=teaser_id, odds_format=_query_format(odds_format), legs=list(legs)
        )
        return await self._http.read(
            "/v1/line/teaser", TeaserLinesResponse, method="POST", body=body
        )

    # =========================================================================================
    # Bets: reading

    async def get_bets(
        self,
        *,
        bet_ids: Sequence[int] | None = None,
        unique_request_ids: Sequence[str] | None = None,
        betlist: str | None = None,
        bet_statuses: Sequence[str] | None = None,
        from_date: dt.datetime | dt.date | None = None,
        to_date: dt.datetime | dt.date | None = None,
        sort_dir: str | None = None,
        page_size: int | None = None,
        from_record: int | None = None,
        bet_type: Sequence[str] | None = None,
    ) -> GetBetsResponse:
        """``GET /v4/bets``, one page. By ids (≤100), by uniqueRequestIds (≤10, straight and
        special bets, 30 minutes), or by ``betlist`` (``RUNNING``/``SETTLED``/``ALL``) and a
        date range (``to_date`` exclusive, ``from_date`` at most 30 days back)."""
        if bet_ids is not None and len(bet_ids) > 100:
            raise InvalidInput("at most 100 bet ids per call", field="bet_ids")
        if unique_request_ids is not None and len(unique_request_ids) > 10:
            raise InvalidInput("at most 10 uniqueRequestIds per call", field="unique_request_ids")
        if betlist is not None and (from_date is None or to_date is None):
            raise InvalidInput("betlist needs from_date and to_date", field="from_date")
        params = {
            "betids": bet_ids,
            "uniqueRequestIds": unique_request_ids,
            "betlist": betlist,
            "betStatuses": bet_statuses,
            "fromDate": from_date,
            "toDate": to_date,
            "sortDir": sort_dir,
            "pageSize": page_size,
            "fromRecord": from_record,
            "betType": bet_type,
        }
        return await self._http.read("/v4/bets", GetBetsResponse, params)

    async def iter_bets(
        self,
        *,
        betlist: str,
        from_date: dt.datetime | dt.date,
        to_date: dt.datetime | dt.date,
        bet_statuses: Sequence[str] | None = None,
        bet_type: Sequence[str] | None = None,
        page_size: int = 1000,
        max_pages: int = 1000,
    ) -> AsyncIterator[GetBetsResponse]:
        """Every page of a date-range query (``fromRecord = toRecord + 1`` until
        ``moreAvailable`` is false; at most ``max_pages``)."""
        from_record = 0
        for _ in range(max_pages):
            page = await self.get_bets(
                betlist=betlist,
                from_date=from_date,
                to_date=to_date,
                bet_statuses=bet_statuses,
                bet_type=bet_type,
                page_size=page_size,
                from_record=from_record,
            )
            yield page
            if not page.more_available or page.to_record is None:
                return
            from_record = page.to_record + 1

    async def betting_status(self) -> BettingStatusResponse:
        """``GET /v4/bets/betting-status``."""
        return await self._http.read("/v4/bets/betting-status", BettingStatusResponse)

    # =========================================================================================
    # Bets: placing

    async def account_currency(self) -> str:
        """The account currency (ISO 4217) that stakes are rounded in: the constructor's
        ``currency``, else read once from ``/v1/client/balance`` and kept."""
        if self._currency is None:
            balance = await self.balance()
            try:
                self._currency = check_currency(balance.currency)
            except InvalidInput:
                raise ProtocolError(
                    f"/v1/client/balance: currency {balance.currency!r} is not ISO 4217; pass "
                    "currency= to the client",
                    status=200,
                ) from None
        return self._currency

    async def _lookup_straight(self, uid: str, _started: float) -> StraightBet | None:
        return straight_from(await self.get_bets(unique_request_ids=[uid]), uid)

    async def _lookup_special(self, uid: str, _started: float) -> SpecialBet | None:
        return special_from(await self.get_bets(unique_request_ids=[uid]), uid)

    async def _lookup_specials(self, uids: Sequence[str]) -> dict[str, SpecialBet]:
        # By uniqueRequestIds, at most LOOKUP_CHUNK per call; keyed by the lower-case id.
        found: dict[str, SpecialBet] = {}
        for i in range(0, len(uids), LOOKUP_CHUNK):
            page = await self.get_bets(unique_request_ids=list(uids[i : i + LOOKUP_CHUNK]))
            for bet in page.special_bets:
                if bet.unique_request_id:
                    found.setdefault(bet.unique_request_id.lower(), bet)
        return {uid: found[uid] for uid in uids if uid in found}

    async def _lookup_parlay(self, uid: str, started: float) -> ParlayBet | None:
        start, end = lookup_window(started, self.clock.time())
        pages = self.iter_bets(
            betlist="ALL", from_date=start, to_date=end, bet_type=["PARLAY"], max_pages=20
        )
        async for page in pages:
            found = pick(page.parlay_bets, uid)
            if found is not None:
                return found
        return None

    async def _lookup_teaser(self, uid: str, started: float) -> TeaserBet | None:
        start, end = lookup_window(started, self.clock.time())
        pages = self.iter_bets(
            betlist="ALL", from_date=start, to_date=end, bet_type=["TEASER"], max_pages=20
        )
        async for page in pages:
            found = pick(page.teaser_bets, uid)
            if found is not None:
                return found
        return None

    async def place_straight(
        self,
        *,
        sport_id: int,
        event_id: int,
        period_number: int,
        bet_type: str,
        line_id: int,
        stake: float,
        team: str | None = None,
        side: str | None = None,
        alt_line_id: int | None = None,
        win_risk_stake: str = "RISK",
        fill_type: str = "NORMAL",
        accept_better_line: bool = False,
        odds_format: OddsFormatName = "decimal",
        unique_request_id: str | None = None,
        wait: bool = True,
    ) -> BetOutcome:
        """``POST /v4/bets/straight`` with every retry and reconciliation rule of
        :mod:`~wagerkit.pinnacle.placement`. ``stake`` is in the client currency (major units,
        finite, > 0; 0 is allowed with ``fill_type="FILLMAXLIMIT"``, which ignores it) and is
        sent rounded down to the currency's minor unit. ``team`` is ``TEAM1|TEAM2|DRAW`` (see
        :func:`wagerkit.pinnacle.mapping.bet_team`).

        Returns once ACCEPTED (or, with ``wait=False``, PENDING_ACCEPTANCE). Raises
        :class:`~wagerkit.errors.Declined` (reason = Pinnacle's code, or ``NOT_ACCEPTED``),
        :class:`~wagerkit.errors.MaybePlaced` when the outcome cannot be established.
        """
        # Checked (garbage refused) before asking the venue anything, then the stake rounded
        # down to the account currency.
        body = straight_bet(
            sport_id=sport_id,
            event_id=event_id,
            period_number=period_number,
            bet_type=bet_type,
            line_id=line_id,
            stake=stake,
            team=team,
            side=side,
            alt_line_id=alt_line_id,
            win_risk_stake=win_risk_stake,
            fill_type=fill_type,
            accept_better_line=accept_better_line,
            odds_format=odds_format,
            unique_request_id=unique_request_id,
        )
        uid = body.unique_request_id
        max_limit = fill_type == "FILLMAXLIMIT"
        stake = check_stake(stake, await self.account_currency(), allow_zero=max_limit)
        body = replace(body, stake=stake)
        placer: Placer[PlaceStraightBetResponse, StraightBet] = Placer(
            self._http,
            path="/v4/bets/straight",
            response_type=PlaceStraightBetResponse,
            lookup=self._lookup_straight,
            timings=self.timings,
            codes=STRAIGHT_ERROR_CODES,
        )

        def outcome(r: PlaceStraightBetResponse, history: list[tuple[float, str]]) -> BetOutcome:
            return BetOutcome(
                uid,
                r.status or "",  # only built for ACCEPTED / PENDING_ACCEPTANCE answers
                bet_id=r.bet_id,
                price=r.price,
                risk=r.risk,
                win=r.win,
                better_line_was_accepted=r.better_line_was_accepted,
                response=r,
                history=tuple(history),
            )

        return await placer.place(
            body,
            uid,
            wait=wait,
            classify=lambda r: (r.status or "", r.error_code, r.bet_id),
            outcome=outcome,
        )

    async def wait_for_acceptance(self, unique_request_id: str) -> BetOutcome:
        """Poll a ``PENDING_ACCEPTANCE`` straight bet (from ``place_straight(wait=False)``) by
        its id until ACCEPTED or NOT_ACCEPTED; the first poll is ``timings.poll_interval`` from
        now."""
        placer: Placer[PlaceStraightBetResponse, StraightBet] = Placer(
            self._http,
            path="/v4/bets/straight",
            response_type=PlaceStraightBetResponse,
            lookup=self._lookup_straight,
            timings=self.timings,
            codes=STRAIGHT_ERROR_CODES,
        )
        return await placer.wait_for_acceptance(
            _check_uuid(unique_request_id), first_delay=self.timings.poll_interval
        )

    async def place_parlay(
        self,
        legs: Sequence[ParlayLegRequest],
        *,
        risk_amount: float,
        round_robin_options: Sequence[str] = ("Parlay",),
        accept_better_line: bool = False,
        odds_format: OddsFormatName = "decimal",
        unique_request_id: str | None = None,
    ) -> BetOutcome:
        """``POST /v4/bets/parlay``: ``risk_amount`` per parlay (a round robin stakes it on each
        of its parlays), in the client currency, finite and > 0, sent rounded down to the
        currency's minor unit."""
        body = parlay_bet(
            legs,
            risk_amount=risk_amount,
            round_robin_options=round_robin_options,
            accept_better_line=accept_better_line,
            odds_format=odds_format,
            unique_request_id=unique_request_id,
        )
        uid = body.unique_request_id
        risk_amount = check_stake(risk_amount, await self.account_currency(), field="risk_amount")
        body = replace(body, risk_amount=risk_amount)
        placer: Placer[PlaceParlayBetResponse, ParlayBet] = Placer(
            self._http,
            path="/v4/bets/parlay",
            response_type=PlaceParlayBetResponse,
            lookup=self._lookup_parlay,
            timings=self.timings,
            codes=PARLAY_ERROR_CODES,
        )

        def outcome(r: PlaceParlayBetResponse, history: list[tuple[float, str]]) -> BetOutcome:
            return BetOutcome(
                uid, r.status or "", bet_id=r.bet_id, response=r, history=tuple(history)
            )

        return await placer.place(
            body,
            uid,
            wait=True,
            classify=lambda r: (r.status or "", r.error_code, r.bet_id),
            outcome=outcome,
        )

    async def place_teaser(
        self,
        teaser_id: int,
        legs: Sequence[TeaserBetLeg],
        *,
        stake: float,
        win_risk_stake: str = "RISK",
        odds_format: OddsFormatName = "decimal",
        unique_request_id: str | None = None,
    ) -> BetOutcome:
        """``POST /v4/bets/teaser``. ``stake`` is in the client currency, finite and > 0, sent
        rounded down to the currency's minor unit."""
        body = teaser_bet(
            teaser_id,
            legs,
            stake=stake,
            win_risk_stake=win_risk_stake,
            odds_format=odds_format,
            unique_request_id=unique_request_id,
        )
        uid = body.unique_request_id
        stake = check_stake(stake, await self.account_currency())
        body = replace(body, stake=stake)
        placer: Placer[PlaceTeaserBetResponse, TeaserBet] = Placer(
            self._http,
            path="/v4/bets/teaser",
            response_type=PlaceTeaserBetResponse,
            lookup=self._lookup_teaser,
            timings=self.timings,
            codes=TEASER_ERROR_CODES,
        )

        def outcome(r: PlaceTeaserBetResponse, history: list[tuple[float, str]]) -> BetOutcome:
            return BetOutcome(
                uid,
                r.status or "",
                bet_id=r.bet_id,
                price=r.price,
                risk=r.risk,
                win=r.win,
                response=r,
                history=tuple(history),
            )

        return await placer.place(
            body,
            uid,
            wait=True,
            classify=lambda r: (r.status or "", r.error_code, r.bet_id),
            outcome=outcome,
        )

    async def place_special(
        self,
        *,
        special_id: int,
        contestant_id: int,
        line_id: int,
        stake: float,
        win_risk_stake: str = "RISK",
        accept_better_line: bool = False,
        odds_format: OddsFormatName = "decimal",
        unique_request_id: str | None = None,
    ) -> BetOutcome:
        """``POST /v4/bets/special`` with one bet: :meth:`place_specials` of a batch of one, with
        its failure raised (:class:`~wagerkit.errors.Declined`,
        :class:`~wagerkit.errors.MaybePlaced`…) like every other ``place_*`` method."""
        bet = special_bet(
            special_id=special_id,
            contestant_id=contestant_id,
            line_id=line_id,
            stake=stake,
            win_risk_stake=win_risk_stake,
            accept_better_line=accept_better_line,
            odds_format=odds_format,
            unique_request_id=unique_request_id,
        )
        [outcome] = await self.place_specials([bet])
        if outcome.error is not None:
            raise outcome.error
        return outcome

    async def place_specials(self, bets: Sequence[SpecialBetRequest]) -> list[BetOutcome]:
        """``POST /v4/bets/special`` with several bets in one call (build each with
        :func:`special_bet`, which fixes its ``uniqueRequestId``; journal the ids, then call).

        Returns one :class:`~wagerkit.pinnacle.placement.BetOutcome` per bet, in order. A bet
        that failed does not raise: its outcome carries ``error`` (the exception
        :meth:`place_special` would raise) and a ``status`` of ``PROCESSED_WITH_ERROR``
        (declined: do not resend), ``UNKNOWN`` (may be placed: look it up by its id) or
        ``NOT_PLACED``. After an ambiguous failure every unsettled bet is looked up by its id
        before anything is resent, and only the bets not found are resent, with the same ids
        (:mod:`~wagerkit.pinnacle.batch`). Raises only when the whole call failed before any bet
        was settled (:class:`~wagerkit.errors.AuthError`, a 400
        :class:`~wagerkit.errors.VenueError`) or for invalid input (nothing sent).
        """
        _check_special_bets(bets, None)  # refuse garbage before asking the venue anything
        checked = _check_special_bets(bets, await self.account_currency())
        single: Placer[SpecialBetsResponse, SpecialBet] = Placer(
            self._http,
            path=SPECIAL_PATH,
            response_type=SpecialBetsResponse,
            lookup=self._lookup_special,
            timings=self.timings,
            codes=SPECIAL_ERROR_CODES,
        )
        batch = SpecialBatch(self._http, lookup=self._lookup_specials, single=single)
        return await batch.place(checked)

    # =========================================================================================
    # Customer

    async def balance(self) -> ClientBalanceResponse:
        """``GET /v1/client/balance``: available balance, outstanding, credit, currency."""
        return await self._http.read("/v1/client/balance", ClientBalanceResponse)


class PinnacleClient(BlockingTwin):
    """The blocking twin of :class:`AsyncPinnacleClient`: same constructor, same method names,
    same behaviour (it runs the async client on a private event loop thread)."""

    _client: AsyncPinnacleClient

    def __init__(self, username: str, password: str, **kwargs: Any) -> None:
        self._runner = BlockingRunner()
        try:
            self._client = self._runner.call(_make_async, username, password, kwargs)
        except BaseException:
            self._runner.close()
            raise

    @property
    def async_client(self) -> AsyncPinnacleClient:
        return self._client

    @property
    def runner(self) -> BlockingRunner:
        """The event loop thread this client runs on; blocking helpers built on this client
        (:class:`~wagerkit.pinnacle.feed.BlockingOddsFeed`) run there too, because the
        connection pool belongs to that loop."""
        return self._runner

    @property
    def pacer(self) -> Pacer:
        return self._client.pacer

    @property
    def base_url(self) -> str:
        return self._client.base_url

    def __repr__(self) -> str:
        return f"PinnacleClient(base_url={self.base_url!r}, policy={self.pacer.policy.name!r})"

    def sports(self) -> SportsResponse:
        return self._runner.call(self._client.sports)

    def leagues(self, sport_id: int) -> LeaguesResponse:
        return self._runner.call(self._client.leagues, sport_id)

    def periods(self, sport_id: int) -> PeriodsResponse:
        return self._runner.call(self._client.periods, sport_id)

    def currencies(self) -> CurrenciesResponse:
        return self._runner.call(self._client.currencies)

    def cancellation_reasons(self) -> CancellationReasonsResponse:
        return self._runner.call(self._client.cancellation_reasons)

    def teaser_groups(self, odds_format: OddsFormatName = "decimal") -> TeaserGroupsResponse:
        return self._runner.call(self._client.teaser_groups, odds_format)

    def fixtures(self, sport_id: int, **kwargs: Any) -> FixturesResponse:
        return self._runner.call(self._client.fixtures, sport_id, **kwargs)

    def odds(self, sport_id: int, **kwargs: Any) -> OddsResponse:
        return self._runner.call(self._client.odds, sport_id, **kwargs)

    def special_fixtures(self, sport_id: int, **kwargs: Any) -> SpecialsFixturesResponse:
        return self._runner.call(self._client.special_fixtures, sport_id, **kwargs)

    def special_odds(self, sport_id: int, **kwargs: Any) -> SpecialOddsResponse:
        return self._runner.call(self._client.special_odds, sport_id, **kwargs)

    def settled_fixtures(self, sport_id: int, **kwargs: Any) -> SettledFixturesResponse:
        return self._runner.call(self._client.settled_fixtures, sport_id, **kwargs)

    def settled_special_fixtures(self, sport_id: int, **kwargs: Any) -> SettledSpecialsResponse:
        return self._runner.call(self._client.settled_special_fixtures, sport_id, **kwargs)

    def teaser_odds(self, teaser_id: int) -> TeaserOddsResponse:
        return self._runner.call(self._client.teaser_odds, teaser_id)

    def inrunning(self) -> InRunningResponse:
        """Deprecated by Pinnacle (see :meth:`AsyncPinnacleClient.inrunning`)."""
        return self._runner.call(self._client.inrunning)

    def line(self, **kwargs: Any) -> LineResponse:
        return self._runner.call(self._client.line, **kwargs)

    def special_line(
        self, special_id: int, contestant_id: int, **kwargs: Any
    ) -> SpecialLineResponse:
        return self._runner.call(self._client.special_line, special_id, contestant_id, **kwargs)

    def parlay_line(
        self, legs: Sequence[ParlayLineRequest], **kwargs: Any
    ) -> ParlayLinesResponseV2:
        return self._runner.call(self._client.parlay_line, legs, **kwargs)

    def teaser_line(
        self, teaser_id: int, legs: Sequence[TeaserLineRequest], **kwargs: Any
    ) -> TeaserLinesResponse:
        return self._runner.call(self._client.teaser_line, teaser_id, legs, **kwargs)

    def get_bets(self, **kwargs: Any) -> GetBetsResponse:
        return self._runner.call(self._client.get_bets, **kwargs)

    def iter_bets(self, **kwargs: Any) -> Iterator[GetBetsResponse]:
        return self._runner.iterate(lambda: self._client.iter_bets(**kwargs))

    def betting_status(self) -> BettingStatusResponse:
        return self._runner.call(self._client.betting_status)

    def account_currency(self) -> str:
        return self._runner.call(self._client.account_currency)

    def place_straight(self, **kwargs: Any) -> BetOutcome:
        return self._runner.call(self._client.place_straight, **kwargs)

    def wait_for_acceptance(self, unique_request_id: str) -> BetOutcome:
        return self._runner.call(self._client.wait_for_acceptance, unique_request_id)

    def place_parlay(self, legs: Sequence[ParlayLegRequest], **kwargs: Any) -> BetOutcome:
        return self._runner.call(self._client.place_parlay, legs, **kwargs)

    def place_teaser(
        self, teaser_id: int, legs: Sequence[TeaserBetLeg], **kwargs: Any
    ) -> BetOutcome:
        return self._runner.call(self._client.place_teaser, teaser_id, legs, **kwargs)

    def place_special(self, **kwargs: Any) -> BetOutcome:
        return self._runner.call(self._client.place_special, **kwargs)

    def place_specials(self, bets: Sequence[SpecialBetRequest]) -> list[BetOutcome]:
        return self._runner.call(self._client.place_specials, bets)

    def balance(self) -> ClientBalanceResponse:
        return self._runner.call(self._client.balance)


async def _make_async(username: str, password: str, kwargs: dict[str, Any]) -> AsyncPinnacleClient:
    # Built on the runner's loop so the httpx pool belongs to that loop.
    return AsyncPinnacleClient(username, password, **kwargs)
