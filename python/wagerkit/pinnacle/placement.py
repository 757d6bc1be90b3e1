"""Placing a Pinnacle bet so that a retry can never become a second bet.

The rules (Pinnacle FAQ "How to handle unexpected error on placing a bet", the v1.0 manual's
deduplication and live-delay sections, docs/architecture.md "Idempotent end to end"):

1. The ``uniqueRequestId`` is fixed before the first send and reused on every retry; Pinnacle
   keeps it for 30 minutes and answers a repeat with ``DUPLICATED_REQUEST``.
2. After an ambiguous failure (timeout or connection lost after sending, a 5xx, a
   ``SYSTEM_ERROR_*``, a 2xx whose body cannot be read), the bet is looked up by that id
   *before anything else*. Found: that is the result. Not found ("empty response means that
   the bet was not placed"): resend, same id. A 2xx is the venue saying it processed the
   request, so an unreadable one is never a :class:`~wagerkit.errors.ProtocolError` to the
   caller: if the lookups never find the bet, it is :class:`~wagerkit.errors.MaybePlaced`.
3. A refused connection (nothing sent), a 429 (after its ``Retry-After``) and
   ``RESUBMIT_REQUEST`` are resent with the same id. A ``Retry-After`` is clamped
   (:func:`wagerkit.errors.clamp_retry_after`) and waited out only when it fits both the
   retry policy's ``max_retry_after`` and what is left of its ``timeout``; a longer one
   surfaces at once (:class:`~wagerkit.errors.RateLimited`, or ``MaybePlaced`` when an earlier
   send of the same call got no clear answer), never as a silent multi-hour sleep.
4. A ``PENDING_ACCEPTANCE`` bet (live delay) is polled by id: first after the documented
   delay (6 s), then every 5 s, until ``ACCEPTED`` or ``NOT_ACCEPTED``.
5. Only the statuses the spec documents are believed (``ACCEPTED`` with a bet id,
   ``PENDING_ACCEPTANCE``, ``PROCESSED_WITH_ERROR``). Any other answer (a new status, no
   status, ``ACCEPTED`` without a bet id) is looked up by id; not found is ``MaybePlaced``.

Straight and special bets can be looked up by ``uniqueRequestIds``; the API does not offer that
for parlays and teasers, so those are found in the bet list of the placement window by the
``uniqueRequestId`` the bet carries (same rule, different query).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import msgspec

from wagerkit.errors import (
    ConnectFailed,
    Declined,
    DuplicateRequest,
    MaybePlaced,
    NetworkError,
    ProtocolError,
    RateLimited,
    ServerError,
    WagerkitError,
)
from wagerkit.pinnacle._http import PinnacleHttp
from wagerkit.pinnacle.errors import (
    AMBIGUOUS_CODES,
    DUPLICATE_CODES,
    error_for_code,
    parse_retry_after,
)
from wagerkit.pinnacle.models import (
    GetBetsResponse,
    ParlayBet,
    Response,
    SpecialBet,
    StraightBet,
    TeaserBet,
)

__all__ = [
    "ACCEPTED_STATES",
    "DECLINED",
    "NOT_ACCEPTED_STATES",
    "NOT_PLACED",
    "UNKNOWN",
    "BetOutcome",
    "PlacementTimings",
    "Placer",
    "failure_status",
]

AnyBet = StraightBet | ParlayBet | TeaserBet | SpecialBet
B = TypeVar("B", StraightBet, ParlayBet, TeaserBet, SpecialBet)
P = TypeVar("P", bound=Response)

ACCEPTED_STATES = frozenset(
    {
        "ACCEPTED",
        "WON",
        "LOST",
        "LOSE",
        "PUSHED",
        "REFUNDED",
        "CANCELLED",
        "HALF_WON_HALF_PUSHED",
        "HALF_LOST_HALF_PUSHED",
        "PARTIAL_WON",
        "PARTIAL_LOST",
    }
)
"""Statuses of a bet that was accepted at some point (it may since have been settled)."""

NOT_ACCEPTED_STATES = frozenset({"NOT_ACCEPTED"})
"""Statuses of a bet that was never placed (a live bet refused after the live delay)."""

DECLINED = "PROCESSED_WITH_ERROR"
"""Outcome status of a bet of a batch that the venue declined (``error`` is a ``Declined``)."""
UNKNOWN = "UNKNOWN"
"""Outcome status of a bet of a batch that may have been placed (``error`` is a
``MaybePlaced`` or a ``DuplicateRequest``): look it up by its ``uniqueRequestId`` later."""
NOT_PLACED = "NOT_PLACED"
"""Outcome status of a bet of a batch that was never processed (``error`` says why: the
connection was refused, rate limited, an HTTP 4xx for the whole request)."""


def failure_status(exc: WagerkitError) -> str:
    """The outcome status for a bet of a batch that ended in ``exc``: the three cases a caller
    must tell apart (do not retry / reconcile first / safe to send again with the same id)."""
    if isinstance(exc, Declined):
        return DECLINED
    if isinstance(exc, (MaybePlaced, DuplicateRequest)):
        return UNKNOWN
    return NOT_PLACED


@dataclass(frozen=True, slots=True)
class PlacementTimings:
    """Live-delay polling (seconds): first poll ``live_delay`` after the answer, then every
    ``poll_interval``, giving up (``MaybePlaced``) after ``max_pending``."""

    live_delay: float = 6.0
    poll_interval: float = 5.0
    max_pending: float = 120.0


@dataclass(frozen=True, slots=True)
class BetOutcome:
    """What happened to one bet.

    ``status`` is ``ACCEPTED`` (or a later state when found by lookup), ``PENDING_ACCEPTANCE``
    when the caller chose not to wait, or, for one bet of a batch that failed (then ``error``
    holds the exception a single placement would have raised): ``PROCESSED_WITH_ERROR``
    (declined), ``UNKNOWN`` (may have been placed) or ``NOT_PLACED``. ``risk``/``win``
    are in the client currency; ``price`` in the request's odds format. ``history`` records each
    step with its wall time, like an order's status history.
    """

    unique_request_id: str
    status: str
    bet_id: int | None = None
    price: float | None = None
    risk: float | None = None
    win: float | None = None
    better_line_was_accepted: bool | None = None
    response: Response | None = None
    bet: AnyBet | None = None
    error: WagerkitError | None = None
    history: tuple[tuple[float, str], ...] = field(default=())

    @property
    def accepted(self) -> bool:
        return self.status in ACCEPTED_STATES


def _bet_fields(bet: AnyBet) -> dict[str, Any]:
    return {
        "bet_id": bet.bet_id or None,
        "price": bet.price,
        "risk": bet.risk,
        "win": bet.win,
    }


class Placer(Generic[P, B]):
    """The placement loop for one bet kind.

    ``send`` posts the request (the same body every time), ``classify`` reads the decoded
    answer into ``(status, error_code, bet_id)`` (``codes`` is the kind's error-code table, for
    the messages), ``outcome`` builds the result of an accepted
    answer, and ``lookup`` finds the bet by its id (``None`` = not placed); lookups are reads,
    retried by the read policy call by call, so the loop does not retry them again.
    """

    def __init__(
        self,
        http: PinnacleHttp,
        *,
        path: str,
        response_type: type[P],
        lookup: Callable[[str, float], Awaitable[B | None]],
        timings: PlacementTimings,
        codes: Mapping[str, str],
    ) -> None:
        self.http = http
        self.path = path
        self.response_type = response_type
        self.lookup: Callable[[str, float], Awaitable[B | None]] = lookup
        self.timings = timings
        self.codes = codes

    async def place(
        self,
        body: msgspec.Struct,
        unique_request_id: str,
        *,
        wait: bool,
        classify: Callable[[P], tuple[str, str | None, int | None]],
        outcome: Callable[[P, list[tuple[float, str]]], BetOutcome],
    ) -> BetOutcome:
        http, clock, policy = self.http, self.http.clock, self.http.retry
        uid = unique_request_id
        history: list[tuple[float, str]] = []
        started_wall = clock.time()
        deadline = clock.monotonic() + policy.timeout

        def note(event: str) -> None:
            history.append((clock.time(), event))

        async def reconcile() -> BetOutcome | None:
            """The bet's outcome from the venue's record (``None``: not placed). A lookup that
            fails leaves the outcome unknown (:class:`MaybePlaced`); a bet found decided
            (``NOT_ACCEPTED``) raises that decision, not a lookup failure."""
            note("lookup by uniqueRequestId")
            try:
                bet = await self.lookup(uid, started_wall)
            except WagerkitError as exc:
                note("lookup failed")
                raise MaybePlaced(
                    http.redact(f"{self.path}: outcome unknown and lookup failed ({exc})"),
                    request_id=uid,
                ) from None
            if bet is None:
                note("lookup: not placed")
                return None
            note(f"lookup: found {bet.bet_status}")
            return await self.outcome_of_bet(bet, uid, history, wait=wait)

        last: WagerkitError | None = None
        ambiguous = False  # the last send may have placed the bet: look it up before resending
        unclear = False  # some send of this call got no clear answer (it may still land)
        backoff = policy.wait_initial
        for attempt in range(1, policy.attempts + 1):
            if ambiguous:
                found = await reconcile()
                if found is not None:
                    return found
                ambiguous = False
            if clock.monotonic() > deadline:
                break
            note(f"send #{attempt}")
            try:
                response = await http.send("POST", self.path, body=body, request_id=uid)
            except ConnectFailed as exc:
                note("connect failed: not sent")
                last = exc
                await clock.sleep(min(backoff, max(0.0, deadline - clock.monotonic())))
                backoff = min(backoff * 2, policy.wait_max)
                continue
            except (MaybePlaced, NetworkError) as exc:
                note("no complete answer: ambiguous")
                last, ambiguous, unclear = exc, True, True
                continue
            status = response.status_code
            if status == 429:
                wait_s = parse_retry_after(response.headers.get("retry-after"))
                wait_s = http.pacer.policy.default_retry_after if wait_s is None else wait_s
                last = RateLimited(f"{self.path}: 429", retry_after=wait_s, limit=self.path)
                remaining = deadline - clock.monotonic()
                if wait_s > min(policy.max_retry_after, remaining):
                    # Never a silent long sleep: the caller decides whether the bet is still
                    # worth placing that late (the same id stays valid for the resend).
                    note(f"429: wait {wait_s:g}s is too long: give up")
                    if unclear:
                        raise MaybePlaced(
                            f"{self.path}: rate limited for {wait_s:g}s after a send with no "
                            "clear answer; look the bet up by its uniqueRequestId",
                            request_id=uid,
                        ) from last
                    raise last
                note(f"429: wait {wait_s:g}s")
                await clock.sleep(wait_s)
                continue
            if status == 400 and b"RESUBMIT_REQUEST" in response.content:
                note("RESUBMIT_REQUEST: resend")
                last = Declined("RESUBMIT_REQUEST", "could not be processed now", request_id=uid)
                continue
            if status >= 500:
                note(f"HTTP {status}: ambiguous")
                last = ServerError(f"{self.path}: HTTP {status}", status=status)
                ambiguous = unclear = True
                continue
            http.check(response, f"POST {self.path}")
            try:
                answer = http.decode(response, self.response_type, f"POST {self.path}")
            except ProtocolError as exc:
                # A 2xx means the request was processed, so the bet is probably placed:
                # what it says is unknown, so look it up like any ambiguous failure.
                note(f"HTTP {status}, unreadable answer: ambiguous")
                last, ambiguous, unclear = exc, True, True
                continue
            state, code, bet_id = classify(answer)
            note(f"answer {state or '(no status)'} {code or ''}".strip())
            if state == "PROCESSED_WITH_ERROR":
                if code is None or code in DUPLICATE_CODES or code in AMBIGUOUS_CODES:
                    found = await reconcile()  # an error without a code says nothing: look
                    if found is not None:
                        return found
                raise error_for_code(
                    code or "PROCESSED_WITH_ERROR",
                    request_id=uid,
                    bet_id=bet_id,
                    meanings=self.codes,
                )
            if state == "PENDING_ACCEPTANCE":
                pending = outcome(answer, history)
                if not wait:
                    return pending
                return await self.wait_for_acceptance(uid, history, response=answer)
            if state == "ACCEPTED" and bet_id:
                return outcome(answer, history)
            # A status outside the spec's enum, or ACCEPTED without a bet id: never report it
            # as a result. Only the venue's own record of the bet says what happened.
            note("answer not understood: look up")
            found = await reconcile()
            if found is not None:
                return found
            raise MaybePlaced(
                http.redact(
                    f"{self.path}: answer status {state!r} (bet id {bet_id}) is not one the "
                    "API documents and the bet was not found by uniqueRequestId; look it up "
                    "again later"
                ),
                request_id=uid,
            )
        if ambiguous or unclear:
            found = await reconcile()
            if found is not None:
                return found
            raise MaybePlaced(
                http.redact(
                    f"{self.path}: gave up after a send with no clear answer ({last}); the bet "
                    "was not found by uniqueRequestId yet, look it up again later"
                ),
                request_id=uid,
            ) from last
        if last is None:
            last = MaybePlaced(f"{self.path}: gave up", request_id=uid)
        raise last

    async def outcome_of_bet(
        self, bet: B, uid: str, history: list[tuple[float, str]], *, wait: bool
    ) -> BetOutcome:
        """The outcome of a bet found by lookup: accepted (or settled) is returned, pending is
        polled until decided (unless ``wait`` is false), ``NOT_ACCEPTED`` is
        :class:`Declined`, and a status the API does not document is :class:`MaybePlaced`
        (it is not a decline we can name)."""
        if bet.bet_status in ACCEPTED_STATES:
            return BetOutcome(
                uid, bet.bet_status, bet=bet, history=tuple(history), **_bet_fields(bet)
            )
        if bet.bet_status == "PENDING_ACCEPTANCE":
            if not wait:
                return BetOutcome(uid, "PENDING_ACCEPTANCE", bet=bet, history=tuple(history))
            return await self.wait_for_acceptance(uid, history)
        if bet.bet_status in NOT_ACCEPTED_STATES:
            raise error_for_code(bet.bet_status, request_id=uid, meanings=self.codes)
        raise MaybePlaced(
            self.http.redact(
                f"{self.path}: bet {uid} has status {bet.bet_status!r}, which the API does not "
                "document; look it up again later"
            ),
            request_id=uid,
        )

    async def wait_for_acceptance(
        self,
        uid: str,
        history: list[tuple[float, str]] | None = None,
        *,
        response: Response | None = None,
        first_delay: float | None = None,
    ) -> BetOutcome:
        """Poll by ``uniqueRequestId`` until ACCEPTED (returned) or NOT_ACCEPTED
        (:class:`Declined` with reason ``NOT_ACCEPTED``)."""
        clock, t = self.http.clock, self.timings
        history = history if history is not None else []
        started = clock.monotonic()
        started_wall = clock.time()
        await clock.sleep(t.live_delay if first_delay is None else first_delay)
        while True:
            bet = await self.lookup(uid, started_wall - 1800)
            state = bet.bet_status if bet is not None else "NOT_FOUND"
            history.append((clock.time(), f"poll: {state}"))
            if bet is not None and bet.bet_status in ACCEPTED_STATES:
                return BetOutcome(
                    uid,
                    bet.bet_status,
                    bet=bet,
                    response=response,
                    history=tuple(history),
                    **_bet_fields(bet),
                )
            if bet is not None and bet.bet_status == "NOT_ACCEPTED":
                raise error_for_code("NOT_ACCEPTED", request_id=uid)
            if clock.monotonic() - started >= t.max_pending:
                raise MaybePlaced(
                    f"bet {uid} still {state} after {t.max_pending:g}s; look it up later",
                    request_id=uid,
                )
            await clock.sleep(t.poll_interval)


# -- lookups ------------------------------------------------------------------------------------


def pick(bets: Sequence[B], uid: str) -> B | None:
    """The bet of ``bets`` carrying ``uid`` (a lookup by id may echo several)."""
    for bet in bets:
        if bet.unique_request_id is not None and bet.unique_request_id.lower() == uid.lower():
            return bet
    return None


def lookup_window(started_wall: float, now_wall: float) -> tuple[dt.datetime, dt.datetime]:
    """The date range that must contain a bet placed since ``started_wall`` (one minute of
    slack on both sides for clock skew; ``toDate`` is exclusive)."""
    start = dt.datetime.fromtimestamp(started_wall - 60, dt.UTC).replace(microsecond=0)
    end = dt.datetime.fromtimestamp(now_wall + 60, dt.UTC).replace(microsecond=0)
    return start, end


def straight_from(response: GetBetsResponse, uid: str) -> StraightBet | None:
    return pick(response.straight_bets, uid)


def special_from(response: GetBetsResponse, uid: str) -> SpecialBet | None:
    return pick(response.special_bets, uid)
