"""Pinnacle's execution adapter: straight, parlay, teaser and special bets through the shared
:class:`~wagerkit.execution.OrderManager`.

Why an adapter: the manager owns the journal, the dedupe window, ambiguity and recovery for
every venue; this module only says how Pinnacle does each thing (see
:mod:`wagerkit.execution.adapter` for the contract):

- **Key**: the bet's ``uniqueRequestId``, fixed when the request is built (:func:`straight_bet`,
  :func:`parlay_bet`, :func:`teaser_bet`, :func:`~wagerkit.pinnacle.client.special_bet`).
- **Dedupe window**: 30 minutes (the manual: an accepted bet's ``uniqueRequestId`` is kept for
  30 minutes and a repeat is answered ``DUPLICATED_REQUEST``).
- **Submit**: one POST per bet; ``RESUBMIT_REQUEST`` is resent a few times with the same id
  (the venue read it and placed nothing). A live bet (``PENDING_ACCEPTANCE``) is polled by id
  after the live delay until ACCEPTED (accepted) or ``NOT_ACCEPTED`` (declined), unless
  ``wait_live=False`` (then it is accepted with a pending record that
  ``OrderManager.refresh()`` follows).
- **Nothing sent** (proof): a refused connection, a 429 (fair use: refused before the bet is
  read), 401/403, ``RESUBMIT_REQUEST``. **Declined**: any other 4xx and a documented error
  code. **Ambiguous**: everything else (a timeout after sending, a 5xx, a 2xx we cannot read,
  ``SYSTEM_ERROR_*``, ``DUPLICATED_REQUEST``, a status the spec does not document).
- **Lookup**: straight and special bets by ``uniqueRequestIds`` (10 per call, only within 30
  minutes of placement: "an empty result means the bet was not placed"); parlays and teasers,
  and straight/special bets older than that, in the ``ALL`` bet list of the placement window
  by the ``uniqueRequestId`` each bet carries.
- **Decidable**: Pinnacle bets carry no expiry, so a miss proves "never placed" only after the
  last send plus the dedupe window plus the clock skew.
- **Versions**: the bet's ``updateSequence`` (Pinnacle's own ordering); a row without one (a
  pending live bet) never overrides a row that has one.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any, Final

import msgspec

from wagerkit.errors import (
    AuthError,
    ConnectFailed,
    Declined,
    InvalidInput,
    ProtocolError,
    RateLimited,
    ServerError,
    WagerkitError,
)
from wagerkit.execution.adapter import (
    Failure,
    Intent,
    LocalStatus,
    SubmitAnswer,
    VenueRecord,
    Version,
    default_decidable_at,
)
from wagerkit.execution.registry import register_adapter
from wagerkit.pinnacle.bet_requests import (
    WIN_RISK,
    PinnacleRequest,
    _check_uuid,
    parlay_bet,
    straight_bet,
    teaser_bet,
)
from wagerkit.pinnacle.client import AsyncPinnacleClient, special_bet
from wagerkit.pinnacle.errors import AMBIGUOUS_CODES, DUPLICATE_CODES, parse_retry_after
from wagerkit.pinnacle.models import (
    GetBetsResponse,
    ParlayBet,
    PlaceBetRequest,
    PlaceParlayBetRequest,
    PlaceParlayBetResponse,
    PlaceStraightBetResponse,
    PlaceTeaserBetRequest,
    PlaceTeaserBetResponse,
    SpecialBet,
    SpecialBetRequest,
    SpecialBetsRequest,
    SpecialBetsResponse,
    StraightBet,
    TeaserBet,
    decode,
)
from wagerkit.pinnacle.placement import ACCEPTED_STATES, PlacementTimings
from wagerkit.pinnacle.stakes import check_currency, check_stake

__all__ = [
    "DEDUPE_WINDOW",
    "FINAL_STATES",
    "PinnacleAdapter",
    "PinnacleRequest",
    "parlay_bet",
    "special_bet",
    "straight_bet",
    "teaser_bet",
]

AnyBet = StraightBet | ParlayBet | TeaserBet | SpecialBet

DEDUPE_WINDOW: Final = 1800.0
"""Seconds Pinnacle keeps an accepted bet's ``uniqueRequestId`` (and answers lookups by it)."""

FINAL_STATES = frozenset(ACCEPTED_STATES - {"ACCEPTED"}) | {"NOT_ACCEPTED"}
"""Bet statuses Pinnacle no longer changes (settled, cancelled, refused after the live delay)."""

_LOOKUP_CHUNK = 10
_PENDING = "PENDING_ACCEPTANCE"
_MAX_BORN = 100_000
_RESUBMITS = 3

_KIND: dict[type[Any], tuple[str, str]] = {
    PlaceBetRequest: ("straight", "/v4/bets/straight"),
    PlaceParlayBetRequest: ("parlay", "/v4/bets/parlay"),
    PlaceTeaserBetRequest: ("teaser", "/v4/bets/teaser"),
    SpecialBetRequest: ("special", "/v4/bets/special"),
}
_TYPE_OF = {kind: type_ for type_, (kind, _) in _KIND.items()}
_LIST_TYPE = {"parlay": "PARLAY", "teaser": "TEASER"}


class _Envelope(msgspec.Struct, frozen=True):
    """A journaled request: its kind, then its wire body."""

    kind: str
    body: msgspec.Raw


_envelope = msgspec.json.Decoder(_Envelope)


# -- the adapter ------------------------------------------------------------------------------


def _version(bet: AnyBet) -> Version:
    seq = bet.update_sequence
    return (float(seq),) if seq is not None else ()


def _record(uid: str, bet: AnyBet) -> VenueRecord:
    return VenueRecord(
        key=uid,
        venue_id=str(bet.bet_id) if bet.bet_id else None,
        status=bet.bet_status,
        final=bet.bet_status in FINAL_STATES,
        version=_version(bet),
        raw=bet,
        placed=bet.bet_status != "NOT_ACCEPTED",  # refused after the live delay: no bet
    )


class PinnacleAdapter:
    """The :class:`~wagerkit.execution.adapter.VenueAdapter` of one Pinnacle account.

    ``currency`` is the account currency stakes are rounded down to (as the client does);
    leave it out and the client's is used, after ``await adapter.prepare()`` when the client
    does not know it yet. ``timings`` are the live-delay polls (the client's by default);
    ``wait_live=False`` accepts a live bet as pending at once (follow it with lookups).
    ``user_ref`` labels every intent in the journal (Pinnacle's requests have no such field).
    """

    venue = "pinnacle"
    max_batch = 1
    dedupe_window = DEDUPE_WINDOW
    clock_skew = 30.0

    def __init__(
        self,
        client: AsyncPinnacleClient,
        *,
        currency: str | None = None,
        timings: PlacementTimings | None = None,
        wait_live: bool = True,
        user_ref: str | None = None,
    ) -> None:
        self.client = client
        self.user_ref = user_ref
        self._currency = check_currency(currency) if currency is not None else None
        self.timings = timings if timings is not None else client.timings
        self.wait_live = wait_live
        self._born: OrderedDict[str, float] = OrderedDict()
        """Key -> creation time on the client's clock (bounded), for the lookup window."""

    def __repr__(self) -> str:
        return f"PinnacleAdapter({self.client!r})"

    async def prepare(self) -> PinnacleAdapter:
        """Learn the account currency (one ``/v1/client/balance`` read when unknown)."""
        if self._currency is None:
            self._currency = await self.client.account_currency()
        return self

    @property
    def currency(self) -> str | None:
        return self._currency or self.client._currency

    # -- intents ------------------------------------------------------------------------------

    def intent(self, payload: PinnacleRequest) -> Intent[PinnacleRequest]:
        """Check ``payload`` and fix its stake (rounded down to the account currency)."""
        spec = _KIND.get(type(payload))
        if spec is None:
            raise InvalidInput(
                "a Pinnacle intent is a straight, parlay, teaser or special bet request "
                "(see wagerkit.pinnacle.execution.straight_bet and friends)",
                field="payload",
            )
        currency = self.currency
        if currency is None:
            raise InvalidInput(
                "the account currency is not known yet: pass currency= or await "
                "adapter.prepare() first",
                field="currency",
            )
        kind = spec[0]
        uid = _check_uuid(payload.unique_request_id)
        changes: dict[str, Any] = {}
        if isinstance(payload, PlaceParlayBetRequest):
            amount = check_stake(payload.risk_amount, currency, field="risk_amount")
            if amount != payload.risk_amount:
                changes["risk_amount"] = amount
        else:
            zero_ok = isinstance(payload, PlaceBetRequest) and payload.fill_type == "FILLMAXLIMIT"
            stake = check_stake(payload.stake, currency, allow_zero=zero_ok)
            if stake != payload.stake:
                changes["stake"] = stake
            if payload.win_risk_stake not in WIN_RISK:
                raise InvalidInput("win_risk_stake must be WIN or RISK", field="win_risk_stake")
        if uid != payload.unique_request_id:
            changes["unique_request_id"] = uid
        if changes:
            payload = msgspec.structs.replace(payload, **changes)
        self._born[uid] = self.client.clock.time()
        while len(self._born) > _MAX_BORN:
            self._born.popitem(last=False)
        return Intent(self.venue, uid, payload, kind=kind, user_ref=self.user_ref)

    def accepts(self, payload: object) -> bool:
        """Whether ``payload`` is a Pinnacle bet request (the manager picks the venue by it)."""
        return type(payload) in _KIND

    def _age(self, intent: Intent[PinnacleRequest]) -> float:
        """Seconds since the intent was created, on the client's clock (the venue's dates are
        compared on it); an intent rebuilt after a restart counts its journaled wall time."""
        born = self._born.get(intent.key)
        if born is not None:
            return max(0.0, self.client.clock.time() - born)
        return max(0.0, time.time() - intent.created_at)

    def encode(self, payload: PinnacleRequest) -> bytes:
        kind = _KIND[type(payload)][0]
        return msgspec.json.encode({"kind": kind, "body": payload})

    def decode(self, data: bytes) -> PinnacleRequest:
        try:
            env = _envelope.decode(data)
            type_ = _TYPE_OF[env.kind]
            body: PinnacleRequest = msgspec.json.decode(env.body, type=type_)
        except (msgspec.MsgspecError, KeyError) as exc:
            raise ProtocolError(f"journal: not a Pinnacle bet request ({exc})") from None
        return body

    # -- submitting ---------------------------------------------------------------------------

    async def submit(
        self, intents: Sequence[Intent[PinnacleRequest]], *, timeout: float | None = None
    ) -> Sequence[SubmitAnswer]:
        """POST each bet (one per call); see the module doc for what each answer means."""
        return [await self._submit_one(intent, timeout) for intent in intents]

    async def _post(self, intent: Intent[PinnacleRequest], timeout: float | None) -> bytes:
        """One POST, RESUBMIT_REQUEST resent; the 2xx body, or the mapped error raised."""
        http = self.client._http
        path = _KIND[type(intent.payload)][1]
        body: Any = intent.payload
        if isinstance(body, SpecialBetRequest):
            body = SpecialBetsRequest(bets=[body])
        for attempt in range(_RESUBMITS + 1):
            response = await http.send(
                "POST", path, body=body, timeout=timeout, request_id=intent.key
            )
            status = response.status_code
            if status == 400 and b"RESUBMIT_REQUEST" in response.content:
                if attempt < _RESUBMITS:
                    await self.client.clock.sleep(0.05 * (attempt + 1))
                    continue
                raise Declined("RESUBMIT_REQUEST", "could not be processed now; resend")
            if status == 429:
                wait = parse_retry_after(response.headers.get("retry-after"))
                raise RateLimited(
                    f"{path}: 429",
                    retry_after=http.pacer.policy.default_retry_after if wait is None else wait,
                    limit=path,
                )
            if status >= 500:
                raise ServerError(f"{path}: HTTP {status}", status=status)
            http.check(response, f"POST {path}")
            return response.content
        raise AssertionError("unreachable")  # pragma: no cover

    async def _submit_one(
        self, intent: Intent[PinnacleRequest], timeout: float | None
    ) -> SubmitAnswer:
        content = await self._post(intent, timeout)
        uid = intent.key
        state, code, bet_id, raw = _read_answer(intent, content)
        if state == "PROCESSED_WITH_ERROR":
            if code is None or code in DUPLICATE_CODES or code in AMBIGUOUS_CODES:
                # A duplicate means the venue holds this id; a system error or no code says
                # nothing: the manager looks it up.
                return SubmitAnswer(uid, LocalStatus.UNKNOWN, reason=code or state)
            return SubmitAnswer(uid, LocalStatus.DECLINED, reason=code)
        if state == "PENDING_ACCEPTANCE":
            pending = VenueRecord(uid, None, "PENDING_ACCEPTANCE", raw=raw)
            if not self.wait_live:
                return SubmitAnswer(uid, LocalStatus.ACCEPTED, record=pending)
            return await self._await_live(intent, pending)
        if state == "ACCEPTED" and bet_id:
            record = VenueRecord(uid, str(bet_id), "ACCEPTED", raw=raw)
            return SubmitAnswer(uid, LocalStatus.ACCEPTED, record=record)
        # an undocumented status, or ACCEPTED without a bet id: only a lookup can tell
        return SubmitAnswer(uid, LocalStatus.UNKNOWN, reason=f"answer status {state!r}")

    async def _await_live(
        self, intent: Intent[PinnacleRequest], pending: VenueRecord
    ) -> SubmitAnswer:
        """Poll a live bet by id: first after the live delay, then every poll interval."""
        clock, t = self.client.clock, self.timings
        started = clock.monotonic()
        await clock.sleep(t.live_delay)
        record = pending
        while True:
            try:
                found = (await self._find([intent])).get(intent.key)
            except WagerkitError:
                found = None
            if found is not None:
                record = found
                if found.status == "NOT_ACCEPTED":
                    return SubmitAnswer(intent.key, LocalStatus.DECLINED, reason="NOT_ACCEPTED")
                if found.status != "PENDING_ACCEPTANCE":
                    return SubmitAnswer(intent.key, LocalStatus.ACCEPTED, record=found)
            if clock.monotonic() - started >= t.max_pending:
                # The venue answered PENDING_ACCEPTANCE: it holds the bet, undecided yet.
                return SubmitAnswer(intent.key, LocalStatus.ACCEPTED, record=record)
            await clock.sleep(t.poll_interval)

    def classify(self, exc: BaseException) -> Failure:
        """What a failed submit proves (module doc)."""
        if isinstance(exc, (ConnectFailed, RateLimited, AuthError)):
            return Failure.NOT_SENT
        if isinstance(exc, Declined) and exc.reason == "RESUBMIT_REQUEST":
            return Failure.NOT_SENT
        if isinstance(exc, InvalidInput):
            return Failure.DECLINED
        if isinstance(exc, WagerkitError) and not isinstance(exc, ProtocolError):
            status = getattr(exc, "status", None)
            if isinstance(status, int) and 400 <= status < 500:
                return Failure.DECLINED
        return Failure.AMBIGUOUS

    # -- looking up ---------------------------------------------------------------------------

    async def lookup(self, intents: Sequence[Intent[PinnacleRequest]]) -> Mapping[str, VenueRecord]:
        """Find bets by ``uniqueRequestId`` (module doc); key -> the venue's record.

        A live bet found ``PENDING_ACCEPTANCE`` is polled until Pinnacle decides (as after a
        placement; not with ``wait_live=False``), so a bet whose answer was lost ends with its
        decision: ACCEPTED, or ``NOT_ACCEPTED`` (a final record with ``placed=False``: no bet
        was placed, the manager marks the intent DECLINED).
        """
        found = dict(await self._find(intents))
        pending = [i for i in intents if i.key in found and found[i.key].status == _PENDING]
        if pending and self.wait_live:
            clock, t = self.client.clock, self.timings
            started = clock.monotonic()
            while pending and clock.monotonic() - started < t.max_pending:
                await clock.sleep(t.poll_interval)
                try:
                    again = await self._find(pending)
                except WagerkitError:
                    continue
                for key, record in again.items():
                    if record.newer_than(found.get(key)) or found[key].status == _PENDING:
                        found[key] = record
                pending = [i for i in pending if found[i.key].status == _PENDING]
        return found

    async def _find(self, intents: Sequence[Intent[PinnacleRequest]]) -> Mapping[str, VenueRecord]:
        """One lookup of ``intents`` (no waiting)."""
        client = self.client
        now = client.clock.time()
        found: dict[str, VenueRecord] = {}
        fresh = [
            i
            for i in intents
            if i.kind in ("straight", "special")
            and self._age(i) < self.dedupe_window - 2 * self.clock_skew
        ]
        for start in range(0, len(fresh), _LOOKUP_CHUNK):
            chunk = [i.key for i in fresh[start : start + _LOOKUP_CHUNK]]
            page = await client.get_bets(unique_request_ids=chunk)
            _collect(page, {k.lower(): k for k in chunk}, found)
        asked = {i.key for i in fresh}
        rest = [i for i in intents if i.key not in found and i.key not in asked]
        if rest:
            await self._search_lists(rest, now, found)
        return found

    async def _search_lists(
        self, intents: Sequence[Intent[PinnacleRequest]], now: float, found: dict[str, VenueRecord]
    ) -> None:
        """The ``ALL`` bet list from the first intent's creation (one minute of slack) to now
        (the bet lists show no pending or refused live bets, which the id lookup covers)."""
        earliest = now - max(self._age(i) for i in intents) - 60
        start = dt.datetime.fromtimestamp(max(earliest, now - 29 * 86400), dt.UTC)
        end = dt.datetime.fromtimestamp(now + 60, dt.UTC)
        types = sorted({_LIST_TYPE.get(i.kind, "") for i in intents} - {""})
        wanted = {i.key.lower(): i.key for i in intents}
        if any(i.kind in ("straight", "special") for i in intents):
            types = []  # straight bets are listed by their market type: no filter
        pages = self.client.iter_bets(
            betlist="ALL",
            from_date=start.replace(microsecond=0),
            to_date=end.replace(microsecond=0),
            bet_type=types or None,
            max_pages=50,
        )
        async for page in pages:
            _collect(page, wanted, found)

    def decidable_at(self, intent: Intent[PinnacleRequest], last_sent_at: float) -> float:
        return default_decidable_at(
            intent, last_sent_at, dedupe_window=self.dedupe_window, clock_skew=self.clock_skew
        )


def _collect(page: GetBetsResponse, wanted: Mapping[str, str], out: dict[str, VenueRecord]) -> None:
    rows: list[AnyBet] = [*page.straight_bets, *page.special_bets]
    rows += [*page.parlay_bets, *page.teaser_bets]
    for bet in rows:
        uid = (bet.unique_request_id or "").lower()
        key = wanted.get(uid)
        if key is None:
            continue
        record = _record(key, bet)
        if record.newer_than(out.get(key)):
            out[key] = record


_ANSWER_TYPES: dict[str, type[Any]] = {
    "straight": PlaceStraightBetResponse,
    "parlay": PlaceParlayBetResponse,
    "teaser": PlaceTeaserBetResponse,
    "special": SpecialBetsResponse,
}


def _read_answer(
    intent: Intent[PinnacleRequest], content: bytes
) -> tuple[str, str | None, int | None, Any]:
    """``(status, errorCode, betId, decoded)`` of a 2xx placement answer.

    Anything that cannot be read (bad JSON, deep nesting, invalid UTF-8, wrong types, the row of
    another bet) is :class:`ProtocolError`: the manager treats it as ambiguous.
    """
    try:
        answer = decode(content, _ANSWER_TYPES[intent.kind])
    except Exception as exc:  # RecursionError, UnicodeDecodeError...: all typed
        raise ProtocolError(
            f"POST {intent.kind} bet: unreadable answer ({type(exc).__name__})", status=200
        ) from None
    if isinstance(answer, SpecialBetsResponse):
        rows = [r for r in answer.bets if (r.unique_request_id or "").lower() == intent.key.lower()]
        if not rows:
            raise ProtocolError("POST special bet: the answer has no row for this bet", status=200)
        row = rows[0]
        return row.status or "", row.error_code, row.bet_id, row
    uid = answer.unique_request_id
    if uid is not None and uid.lower() != intent.key.lower():
        raise ProtocolError("POST bet: the answer is about another uniqueRequestId", status=200)
    return answer.status or "", answer.error_code, answer.bet_id, answer


register_adapter(AsyncPinnacleClient, PinnacleAdapter)
