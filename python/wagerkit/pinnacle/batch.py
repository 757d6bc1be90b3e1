"""Several special bets in one ``POST /v4/bets/special`` call, as safely as one bet.

The Bets API takes special bets as a batch (``{"bets": [...]}``) and answers each bet on its own
row. The rules of :mod:`~wagerkit.pinnacle.placement` apply to every bet of the batch:

1. every bet's ``uniqueRequestId`` is fixed before the first send (the caller builds the bets,
   so it can journal the ids first) and reused on every resend;
2. after an ambiguous failure of the whole call (timeout or connection lost after sending, a 5xx,
   an unreadable 200), every unsettled bet is looked up by its id *before anything else*; found
   bets are settled, and only the bets the lookup did not find are sent again (same ids);
3. a bet whose row says ``SYSTEM_ERROR_*``, ``DUPLICATED_REQUEST`` or gives no code is looked up
   on its own; a bet missing from the answer is treated as ambiguous; a row whose status the
   spec does not document (none at all, ``ACCEPTED`` without a bet id, anything new) is
   looked up, and ``MaybePlaced`` when not found, never taken for ACCEPTED;
4. a refused connection, a 429 (after its ``Retry-After``) and ``RESUBMIT_REQUEST`` resend the
   unsettled bets with the same ids; a ``Retry-After`` longer than the retry policy allows
   (``max_retry_after``, or what is left of ``timeout``) ends the unsettled bets at once,
   ``RateLimited`` (or ``MaybePlaced`` if an earlier send of the bet got no clear answer).

One bet's failure never hides another's success, so the result is one
:class:`~wagerkit.pinnacle.placement.BetOutcome` per bet, in the caller's order: accepted, or
failed with ``error`` set and a status saying what the caller may do next (``failure_status``).
Only a failure of the whole call before any bet was settled (bad credentials, a 400 for the
request) is raised, since then no bet has an outcome to report.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from wagerkit.errors import (
    ConnectFailed,
    Declined,
    MaybePlaced,
    NetworkError,
    ProtocolError,
    RateLimited,
    ServerError,
    WagerkitError,
)
from wagerkit.pinnacle._http import PinnacleHttp
from wagerkit.pinnacle.codes import SPECIAL_ERROR_CODES
from wagerkit.pinnacle.errors import (
    AMBIGUOUS_CODES,
    DUPLICATE_CODES,
    error_for_code,
    parse_retry_after,
)
from wagerkit.pinnacle.models import (
    SpecialBet,
    SpecialBetRequest,
    SpecialBetResponse,
    SpecialBetsRequest,
    SpecialBetsResponse,
)
from wagerkit.pinnacle.placement import BetOutcome, Placer, failure_status

__all__ = ["LOOKUP_CHUNK", "SPECIAL_PATH", "SpecialBatch"]

SPECIAL_PATH = "/v4/bets/special"
LOOKUP_CHUNK = 10
"""``/v4/bets`` takes at most 10 ``uniqueRequestIds`` per call."""

Lookup = Callable[[Sequence[str]], Awaitable[dict[str, SpecialBet]]]


class SpecialBatch:
    """The placement loop for one batch of special bets.

    ``lookup`` finds bets by their (lower-case) ids and returns the ones it found, keyed by id;
    ``single`` is the one-bet placer of specials, used to turn a looked-up bet into an outcome
    (and to poll one that is pending).
    """

    def __init__(
        self,
        http: PinnacleHttp,
        *,
        lookup: Lookup,
        single: Placer[SpecialBetsResponse, SpecialBet],
    ) -> None:
        self.http = http
        self.lookup = lookup
        self.single = single

    async def place(self, bets: Sequence[SpecialBetRequest]) -> list[BetOutcome]:
        """Place ``bets`` (ids already fixed, lower-case and distinct); one outcome per bet."""
        http, clock, policy = self.http, self.http.clock, self.http.retry
        order = [b.unique_request_id for b in bets]
        pending: dict[str, SpecialBetRequest] = {b.unique_request_id: b for b in bets}
        histories: dict[str, list[tuple[float, str]]] = {uid: [] for uid in order}
        done: dict[str, BetOutcome] = {}
        maybe: set[str] = set()  # sent, outcome unknown: must be looked up before a resend
        unclear: set[str] = set()  # some send of it got no clear answer (it may still land)
        deadline = clock.monotonic() + policy.timeout
        what = f"POST {SPECIAL_PATH}"
        codes = SPECIAL_ERROR_CODES

        def note(uids: Sequence[str], event: str) -> None:
            now = clock.time()
            for uid in uids:
                histories[uid].append((now, event))

        def settle(uid: str, outcome: BetOutcome) -> None:
            done[uid] = outcome
            pending.pop(uid, None)
            maybe.discard(uid)

        def fail(uid: str, exc: WagerkitError) -> None:
            settle(
                uid,
                BetOutcome(uid, failure_status(exc), error=exc, history=tuple(histories[uid])),
            )

        async def from_bet(uid: str, bet: SpecialBet) -> None:
            try:
                outcome = await self.single.outcome_of_bet(bet, uid, histories[uid], wait=True)
            except WagerkitError as exc:
                fail(uid, exc)
            else:
                settle(uid, outcome)

        async def reconcile(uids: list[str]) -> list[str]:
            """Look ``uids`` up and settle the ones found; return the ones not placed."""
            note(uids, "lookup by uniqueRequestId")
            try:
                found = await self.lookup(uids)
            except WagerkitError as exc:
                note(uids, "lookup failed")
                for uid in uids:
                    fail(
                        uid,
                        MaybePlaced(
                            http.redact(f"{what}: outcome unknown and lookup failed ({exc})"),
                            request_id=uid,
                        ),
                    )
                return []
            missing = []
            for uid in uids:
                bet = found.get(uid)
                if bet is None:
                    note([uid], "lookup: not placed")
                    maybe.discard(uid)
                    missing.append(uid)
                else:
                    note([uid], f"lookup: found {bet.bet_status}")
                    await from_bet(uid, bet)
            return missing

        async def read_rows(answer: SpecialBetsResponse, uids: list[str]) -> None:
            rows: dict[str, SpecialBetResponse] = {}
            for answered in answer.bets:
                if answered.unique_request_id:
                    rows.setdefault(answered.unique_request_id.lower(), answered)
            recheck: dict[str, tuple[str, int | None]] = {}
            unknown: list[str] = []
            for uid in uids:
                row = rows.get(uid)
                if row is None:
                    note([uid], "not in the answer: ambiguous")
                    maybe.add(uid)
                    unclear.add(uid)
                    continue
                state, code = row.status, row.error_code
                note([uid], f"answer {state or '(no status)'} {code or ''}".strip())
                if state == "PROCESSED_WITH_ERROR":
                    if code is None or code in DUPLICATE_CODES or code in AMBIGUOUS_CODES:
                        recheck[uid] = (code or "PROCESSED_WITH_ERROR", row.bet_id)
                    else:
                        fail(
                            uid,
                            error_for_code(code, request_id=uid, bet_id=row.bet_id, meanings=codes),
                        )
                elif state == "PENDING_ACCEPTANCE":
                    try:
                        settle(
                            uid,
                            await self.single.wait_for_acceptance(
                                uid, histories[uid], response=answer
                            ),
                        )
                    except WagerkitError as exc:
                        fail(uid, exc)
                elif state == "ACCEPTED" and row.bet_id:
                    settle(
                        uid,
                        BetOutcome(
                            uid,
                            state,
                            bet_id=row.bet_id,
                            price=row.price,
                            risk=row.risk,
                            win=row.win,
                            better_line_was_accepted=row.better_line_was_accepted,
                            response=answer,
                            history=tuple(histories[uid]),
                        ),
                    )
                else:
                    # not a status the spec documents (or ACCEPTED without a bet id): only
                    # the venue's record of the bet can say what happened
                    note([uid], "answer not understood: look up")
                    unknown.append(uid)
            if unknown:
                for uid in await reconcile(unknown):
                    fail(
                        uid,
                        MaybePlaced(
                            f"{what}: bet {uid} got an answer the API does not document and "
                            "was not found by uniqueRequestId; look it up again later",
                            request_id=uid,
                        ),
                    )
            if recheck:
                for uid in await reconcile(list(recheck)):
                    code, bet_id = recheck[uid]
                    fail(uid, error_for_code(code, request_id=uid, bet_id=bet_id, meanings=codes))

        last: WagerkitError | None = None
        backoff = policy.wait_initial
        for attempt in range(1, policy.attempts + 1):
            if maybe:  # the lookup comes before anything else
                await reconcile([uid for uid in pending if uid in maybe])
            if not pending or clock.monotonic() > deadline:
                break
            uids = list(pending)
            note(uids, f"send #{attempt} ({len(uids)} of {len(order)} bets)")
            try:
                response = await http.send(
                    "POST", SPECIAL_PATH, body=SpecialBetsRequest(bets=list(pending.values()))
                )
            except ConnectFailed as exc:
                note(uids, "connect failed: not sent")
                last = exc
                await clock.sleep(backoff)
                backoff = min(backoff * 2, policy.wait_max)
                continue
            except (MaybePlaced, NetworkError) as exc:
                note(uids, "no complete answer: ambiguous")
                last = exc
                maybe.update(uids)
                unclear.update(uids)
                continue
            status = response.status_code
            if status == 429:
                wait_s = parse_retry_after(response.headers.get("retry-after"))
                wait_s = http.pacer.policy.default_retry_after if wait_s is None else wait_s
                last = RateLimited(f"{what}: 429", retry_after=wait_s, limit=SPECIAL_PATH)
                if wait_s > min(policy.max_retry_after, deadline - clock.monotonic()):
                    # never a silent long sleep: each unsettled bet ends now, NOT_PLACED
                    # (RateLimited), or UNKNOWN if an earlier send of it got no clear answer
                    note(uids, f"429: wait {wait_s:g}s is too long: give up")
                    rate_limited = last
                    for uid in uids:
                        if uid in unclear:
                            fail(
                                uid,
                                MaybePlaced(
                                    f"{what}: rate limited for {wait_s:g}s after a send of bet "
                                    f"{uid} with no clear answer; look it up by its id",
                                    request_id=uid,
                                ),
                            )
                        else:
                            fail(uid, rate_limited)
                    break
                note(uids, f"429: wait {wait_s:g}s")
                await clock.sleep(wait_s)
                continue
            if status == 400 and b"RESUBMIT_REQUEST" in response.content:
                note(uids, "RESUBMIT_REQUEST: resend")
                last = Declined("RESUBMIT_REQUEST", "could not be processed now")
                continue
            if status >= 500:
                note(uids, f"HTTP {status}: ambiguous")
                last = ServerError(f"{what}: HTTP {status}", status=status)
                maybe.update(uids)
                unclear.update(uids)
                continue
            try:
                http.check(response, what)
            except WagerkitError as exc:
                if not done:
                    raise  # nothing settled yet: the whole call failed, say so plainly
                note(uids, f"HTTP {status}: not processed")
                for uid in uids:
                    fail(uid, exc)
                break
            try:
                answer = http.decode(response, SpecialBetsResponse, what)
            except ProtocolError as exc:
                note(uids, "unreadable answer: ambiguous")
                last = exc
                maybe.update(uids)
                unclear.update(uids)
                continue
            await read_rows(answer, uids)

        unresolved = [uid for uid in pending if uid in maybe]
        if unresolved:
            await reconcile(unresolved)
        for uid in list(pending):
            if last is None or isinstance(last, (MaybePlaced, ServerError, ProtocolError)):
                # sent at least once with no clear answer: never report it as not placed
                fail(
                    uid,
                    MaybePlaced(
                        f"{what}: gave up; bet {uid} not found by uniqueRequestId yet, look it "
                        "up again later",
                        request_id=uid,
                    ),
                )
            else:
                fail(uid, last)
        return [done[uid] for uid in order]
