"""Odds88's execution adapter: Bets V2 bets and cashouts through the shared
:class:`~wagerkit.execution.OrderManager`.

Why an adapter: the manager owns the journal, the dedupe window, ambiguity and recovery for
every venue; this module only says how Odds88 does each thing (see
:mod:`wagerkit.execution.adapter` for the contract):

- **Keys**: a bet's ``id`` (the client's request id, which Odds88 keeps as the bet's id and
  answers ``GET …/Bets/{id}`` for); a cashout's key is ``cashout/<betId>/<attempt>`` (ids
  cannot contain ``/``, so it never collides with a bet id). Odds88 cashes a bet out at most
  once, whatever the attempt.
- **Dedupe window**: the docs are silent. A repeated bet ``id`` names the same bet for as long
  as Odds88 keeps the bet (the simulator: always), and a bet is cashed out at most once; we
  take 30 minutes, as for the other venues: long past any request still on the wire, and no
  resend ever goes out later than that after the first send.
- **Submit**: one request per call (``PUT …/Bets/V2``, ``POST /api/Cashout``). A live bet
  (``resultType`` 1 Pending) is polled by id until Accepted or Rejected, unless
  ``wait_live=False``.
- **Nothing sent** (proof): a refused connection, a 429, 401/403. **Declined**: a rejected
  bet (``resultType`` 3), ``responseCode`` 2-4, a refused cashout, any other 4xx.
  **Ambiguous**: the rest (lost answer, 5xx, a 2xx we cannot read), and a cashout refused as
  ``AlreadyCashedOut`` (an earlier send of ours may have done it: the lookup says).
- **Lookup**: a bet by ``GET …/Bets/{id}`` (404: not there); a cashout by the bet's
  settlement (``betSettlement`` 6 CashOut).
- **Decidable**: nothing carries an expiry, so a miss proves "never placed" only after the
  last send plus the window plus the clock skew.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import httpx
import msgspec

from wagerkit.errors import (
    AuthError,
    ConnectFailed,
    Declined,
    InvalidInput,
    NotFound,
    ProtocolError,
    RateLimited,
    VenueError,
    WagerkitError,
)
from wagerkit.execution.adapter import (
    Failure,
    Intent,
    LocalStatus,
    SubmitAnswer,
    VenueRecord,
    default_decidable_at,
)
from wagerkit.execution.registry import register_adapter
from wagerkit.odds88.client import Odds88Client, _check_id, _segment
from wagerkit.odds88.enums import BetResultType, BetSettlement, CashoutPriceChange
from wagerkit.odds88.models import (
    Amount,
    BetRequest,
    BetResponse,
    BetResult,
    CashoutRequest,
    CashoutResult,
    SettledBet,
)
from wagerkit.odds88.rejects import raise_for_response_code
from wagerkit.odds88.responses import raise_for_status

__all__ = [
    "DEDUPE_WINDOW",
    "Odds88Adapter",
    "Odds88Bet",
    "Odds88Cashout",
    "Odds88Request",
]

DEDUPE_WINDOW: Final = 1800.0
"""Seconds during which the manager may resend a key (a choice: see the module doc)."""


class Odds88Bet(msgspec.Struct, frozen=True, kw_only=True, tag="bet"):
    """A Bets V2 bet for the manager: the player it is for and the request (its ``id`` is the
    key)."""

    player_id: str
    request: BetRequest
    user_ref: str | None = None
    """The bot's own label, journaled with the intent (``wagerkit history --user-ref``)."""


class Odds88Cashout(msgspec.Struct, frozen=True, kw_only=True, tag="cashout"):
    """A cashout of ``bet_id`` for ``amount`` (the feed's amount, unchanged). ``attempt``
    tells a new try after a refusal apart from a resend of the same one."""

    player_id: str
    bet_id: str
    amount: Amount
    price_change: CashoutPriceChange = CashoutPriceChange.WITHIN_2_PERCENT
    attempt: int = 1
    user_ref: str | None = None

    @property
    def key(self) -> str:
        return f"cashout/{self.bet_id}/{self.attempt}"


Odds88Request = Odds88Bet | Odds88Cashout

_bet_response = msgspec.json.Decoder(BetResponse)
_bet_result = msgspec.json.Decoder(BetResult)
_cashout = msgspec.json.Decoder(CashoutResult)
_settled = msgspec.json.Decoder(SettledBet)
_journaled = msgspec.json.Decoder(Odds88Bet | Odds88Cashout)


def _decode(decoder: msgspec.json.Decoder[Any], data: bytes, what: str) -> Any:
    """Any failure to read an answer (bad JSON, deep nesting, invalid UTF-8, wrong types) is a
    :class:`ProtocolError`."""
    try:
        return decoder.decode(data)
    except Exception as exc:  # RecursionError, UnicodeDecodeError...: all typed
        raise ProtocolError(f"{what}: unreadable answer ({type(exc).__name__})") from None


_RESULT_STATUS = {
    BetResultType.PENDING: "PENDING",
    BetResultType.ACCEPTED: "ACCEPTED",
    BetResultType.REJECTED: "REJECTED",
}


def _bet_record(key: str, result: BetResult) -> VenueRecord:
    # An absent resultType (optional in the schema) says nothing yet: treat it as pending.
    kind = result.result_type
    status = "PENDING" if kind is None else _RESULT_STATUS.get(kind, str(kind))
    return VenueRecord(
        key=key,
        venue_id=key if result.result_type is not BetResultType.REJECTED else None,
        status=status,
        final=result.result_type is BetResultType.REJECTED,
        version=(0.0,) if result.pending else (1.0,),
        raw=result,
        placed=result.result_type is not BetResultType.REJECTED,  # Rejected: no bet
    )


class Odds88Adapter:
    """The :class:`~wagerkit.execution.adapter.VenueAdapter` of one Odds88 account (an open
    :class:`~wagerkit.odds88.client.Odds88Client`)."""

    venue = "odds88"
    max_batch = 1
    dedupe_window = DEDUPE_WINDOW
    clock_skew = 30.0

    def __init__(
        self,
        client: Odds88Client,
        *,
        wait_live: bool = True,
        live_timeout: float = 30.0,
        poll_every: float = 0.5,
    ) -> None:
        self.client = client
        self.wait_live = wait_live
        self.live_timeout = live_timeout
        self.poll_every = poll_every

    def __repr__(self) -> str:
        return f"Odds88Adapter({self.client!r})"

    # -- intents ------------------------------------------------------------------------------

    def accepts(self, payload: object) -> bool:
        """Whether ``payload`` is an Odds88 bet or cashout (the manager picks the venue by it)."""
        return isinstance(payload, (Odds88Bet, Odds88Cashout))

    def intent(self, payload: Odds88Request) -> Intent[Odds88Request]:
        if isinstance(payload, Odds88Bet):
            _check_id(payload.player_id, "player_id")
            self.client._check_request(payload.request)
            return Intent(
                self.venue, payload.request.id, payload, kind="bet", user_ref=payload.user_ref
            )
        if isinstance(payload, Odds88Cashout):
            _check_id(payload.player_id, "player_id")
            _check_id(payload.bet_id, "bet_id")
            if not isinstance(payload.amount, Amount) or payload.amount.local_amount <= 0:
                raise InvalidInput("amount must be a positive odds88 Amount", field="amount")
            if not isinstance(payload.attempt, int) or payload.attempt < 1:
                raise InvalidInput("attempt must be an int >= 1", field="attempt")
            try:
                CashoutPriceChange(payload.price_change)
            except (TypeError, ValueError):
                raise InvalidInput("price_change must be 0, 1 or 2", field="price_change") from None
            return Intent(
                self.venue, payload.key, payload, kind="cashout", user_ref=payload.user_ref
            )
        raise InvalidInput("an Odds88 intent is an Odds88Bet or an Odds88Cashout", field="payload")

    def encode(self, payload: Odds88Request) -> bytes:
        return msgspec.json.encode(payload)

    def decode(self, data: bytes) -> Odds88Request:
        try:
            payload: Odds88Request = _journaled.decode(data)
        except msgspec.MsgspecError as exc:
            raise ProtocolError(f"journal: not an Odds88 request ({exc})") from None
        return payload

    # -- submitting ---------------------------------------------------------------------------

    async def _send(
        self, method: str, path: str, *, what: str, json: Any, key: str, timeout: float | None
    ) -> httpx.Response:
        """One request (re-logged in once after a 401), status mapped; no retry."""
        client = self.client
        for attempt in range(2):
            token = await client._auth.token()
            response = await client._http.request(
                method,
                path,
                json=json,
                headers={"authorization": f"Bearer {token}"},
                timeout=timeout,
                request_id=key,
            )
            if response.status_code == 401 and attempt == 0:
                client._auth.invalidate(token)
                continue
            raise_for_status(
                response, what=what, redact=client._auth.redact, request_id=key, ambiguous_5xx=True
            )
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    async def submit(
        self, intents: Sequence[Intent[Odds88Request]], *, timeout: float | None = None
    ) -> Sequence[SubmitAnswer]:
        out = []
        for intent in intents:
            payload = intent.payload
            if isinstance(payload, Odds88Bet):
                out.append(await self._submit_bet(intent, payload, timeout))
            else:
                assert isinstance(payload, Odds88Cashout)
                out.append(await self._submit_cashout(intent, payload, timeout))
        return out

    async def _submit_bet(
        self, intent: Intent[Odds88Request], bet: Odds88Bet, timeout: float | None
    ) -> SubmitAnswer:
        path = f"/api/players/{_segment(bet.player_id, 'player_id')}/Bets/V2"
        response = await self._send(
            "PUT", path, what="place bet", json=bet.request, key=intent.key, timeout=timeout
        )
        wrapped: BetResponse = _decode(_bet_response, response.content, "place bet")
        try:
            raise_for_response_code(
                wrapped.response_code,
                wrapped.error_message,
                request_id=intent.key,
                scrub=self.client._auth.redact,
            )
        except Declined as refused:  # responseCode 2-4: the bet was not considered
            return SubmitAnswer(intent.key, LocalStatus.DECLINED, reason=refused.reason)
        result = wrapped.payload
        if result is None:
            raise ProtocolError("place bet: success without payload")
        if result.request_id not in (None, intent.key):
            raise ProtocolError("place bet: the answer is about another request id")
        return await self._bet_answer(intent, result)

    async def _bet_answer(self, intent: Intent[Odds88Request], result: BetResult) -> SubmitAnswer:
        if result.result_type is BetResultType.REJECTED:
            info = result.reject_info
            reason = f"reject {info.reason}" if info is not None else "rejected"
            return SubmitAnswer(intent.key, LocalStatus.DECLINED, reason=reason)
        if result.pending and self.wait_live:
            result = await self._await_live(intent, result)
            if result.result_type is BetResultType.REJECTED:
                return SubmitAnswer(intent.key, LocalStatus.DECLINED, reason="rejected after delay")
        return SubmitAnswer(
            intent.key, LocalStatus.ACCEPTED, record=_bet_record(intent.key, result)
        )

    async def _await_live(self, intent: Intent[Odds88Request], result: BetResult) -> BetResult:
        """Poll a Pending bet by id until decided or ``live_timeout`` (then still Pending)."""
        clock = self.client._clock
        deadline = clock.monotonic() + self.live_timeout
        while result.pending and clock.monotonic() < deadline:
            await clock.sleep(self.poll_every)
            try:
                found = await self._get_bet(intent)
            except WagerkitError:
                continue
            if found is not None:
                result = found
        return result

    async def _submit_cashout(
        self, intent: Intent[Odds88Request], cashout: Odds88Cashout, timeout: float | None
    ) -> SubmitAnswer:
        body = CashoutRequest(cashout.bet_id, cashout.price_change, cashout.amount)
        response = await self._send(
            "POST", "/api/Cashout", what="cashout", json=body, key=intent.key, timeout=timeout
        )
        result: CashoutResult = _decode(_cashout, response.content, "cashout")
        if not isinstance(result.success, bool):
            raise ProtocolError("cashout: no success flag")
        if result.payload is not None and result.payload.bet_id not in (None, cashout.bet_id):
            raise ProtocolError("cashout: the answer is about another bet")
        if not result.success:
            reason = (result.reason or "CashoutRejected")[:100]
            if reason == "AlreadyCashedOut":
                return SubmitAnswer(intent.key, LocalStatus.UNKNOWN, reason=reason)
            return SubmitAnswer(intent.key, LocalStatus.DECLINED, reason=reason)
        if result.payload is None or result.payload.local_amount is None:
            raise ProtocolError("cashout: success without payload.localAmount")
        record = VenueRecord(intent.key, cashout.bet_id, "CASHED_OUT", final=True, raw=result)
        return SubmitAnswer(intent.key, LocalStatus.ACCEPTED, record=record)

    def classify(self, exc: BaseException) -> Failure:
        """What a failed submit proves (module doc)."""
        if isinstance(exc, (ConnectFailed, RateLimited, AuthError)):
            return Failure.NOT_SENT
        if isinstance(exc, (InvalidInput, NotFound)):
            return Failure.DECLINED
        if type(exc) is VenueError:  # a 4xx that is none of the above
            status = exc.status
            if isinstance(status, int) and 400 <= status < 500:
                return Failure.DECLINED
        return Failure.AMBIGUOUS

    # -- looking up ---------------------------------------------------------------------------

    async def _get_bet(self, intent: Intent[Odds88Request]) -> BetResult | None:
        payload = intent.payload
        assert isinstance(payload, Odds88Bet)
        path = f"/api/players/{_segment(payload.player_id, 'player_id')}/Bets/"
        path += _segment(intent.key, "request_id")
        try:
            response = await self.client._retrying(
                lambda: self.client._send("GET", path, what="get bet"), read=True
            )
        except NotFound:
            return None
        result: BetResult = _decode(_bet_result, response.content, "get bet")
        if result.request_id not in (None, intent.key):
            raise ProtocolError("get bet: the answer is about another request id")
        return result

    async def _get_cashout(self, intent: Intent[Odds88Request]) -> VenueRecord | None:
        payload = intent.payload
        assert isinstance(payload, Odds88Cashout)
        path = f"/api/players/{_segment(payload.player_id, 'player_id')}/Bets/"
        path += f"{_segment(payload.bet_id, 'bet_id')}/settlements"
        try:
            response = await self.client._retrying(
                lambda: self.client._send("GET", path, what="get settlement"), read=True
            )
        except NotFound:
            return None
        settled: SettledBet = _decode(_settled, response.content, "get settlement")
        if settled.bet_settlement is not BetSettlement.CASH_OUT:
            return None
        return VenueRecord(intent.key, payload.bet_id, "CASHED_OUT", final=True, raw=settled)

    async def lookup(self, intents: Sequence[Intent[Odds88Request]]) -> Mapping[str, VenueRecord]:
        """Bets by id, cashouts by the bet's settlement (an intent whose request is not known,
        e.g. one the journal could not rebuild, cannot be asked for: Odds88 needs the player id).
        A bet found Pending (live delay) is
        polled until decided (as after a placement; not with ``wait_live=False``): Accepted,
        or Rejected (a final record with ``placed=False``: no bet was placed, the manager
        marks the intent DECLINED)."""
        found: dict[str, VenueRecord] = {}
        for intent in intents:
            if isinstance(intent.payload, Odds88Bet):
                result = await self._get_bet(intent)
                if result is not None and result.pending and self.wait_live:
                    result = await self._await_live(intent, result)
                if result is not None:
                    found[intent.key] = _bet_record(intent.key, result)
            elif isinstance(intent.payload, Odds88Cashout):
                record = await self._get_cashout(intent)
                if record is not None:
                    found[intent.key] = record
        return found

    def decidable_at(self, intent: Intent[Odds88Request], last_sent_at: float) -> float:
        return default_decidable_at(
            intent, last_sent_at, dedupe_window=self.dedupe_window, clock_skew=self.clock_skew
        )


register_adapter(Odds88Client, Odds88Adapter)
