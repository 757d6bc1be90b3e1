"""The local Odds88 server's state and rules, independent of HTTP.

Everything a test or a demo may want to poke lives on :class:`Odds88Sim`: move prices, suspend a
market, settle a bet, drop or hold the feed connections, queue a hostile response. It is shared
between the server thread and the caller's thread, so every public method takes one lock.

Rules (the docs', and our choices where they are silent; the README lists them):

- Cashout subscriptions wear out 600 s (simulator clock) after the last subscribe call.
  Unknown bet ids are ignored. A new or lapsed subscription publishes the current state at once.
- Cashout value of a single = stake × placed odds ÷ current odds × 95 %, rounded down, at
  precision ``max(4, stake precision)`` in the bet's currency. Multiples, pending and settled
  bets and suspended markets are ``NotSupported`` with a reason.
- ``POST /api/Cashout`` priceChange 0 needs the exact current amount, 1 accepts a current amount
  within 2 % of the sent one, 2 accepts any; the bet is then paid the *current* amount and
  settled as CashOut (6). ``payload.localAmount`` is in the request's precision (rounded down).
- Bets V2: ``value`` is fixed-point at ``precision``, which must equal the currency's. Placing
  the same ``id`` again returns the first result (idempotent). Live bets are Pending for
  ``live_delay`` seconds, then Accepted.
- Bounded for a demo server that runs for weeks: at most ``max_bets`` bets are kept (the
  oldest are forgotten first, as a venue purges history), lapsed subscriptions are dropped,
  and the journals and test histories have caps.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import msgspec

from wagerkit.clock import Clock, SystemClock
from wagerkit.odds88.enums import BetSettlement, CashoutPriceChange, PriceChange, RejectReason
from wagerkit.sim.odds88.catalog import MICRO, Catalog, price_to_micro
from wagerkit.sim.odds88.journal import Journal
from wagerkit.sim.odds88.tokens import TokenSigner

__all__ = ["CURRENCIES", "FAULT_KINDS", "SUBSCRIPTION_TTL", "Fault", "Odds88Sim", "SimBet"]

SUBSCRIPTION_TTL = 600.0
CASHOUT_MARGIN_PERCENT = 5

CURRENCIES: dict[str, tuple[int, int, Decimal]] = {
    # symbol: (type 1 fiat / 2 crypto, precision, max stake per bet in major units)
    "EUR": (1, 2, Decimal(1000)),
    "USD": (1, 2, Decimal(1000)),
    "GBP": (1, 2, Decimal(1000)),
    "JPY": (1, 0, Decimal(150000)),
    "KWD": (1, 3, Decimal(300)),
    "BTC": (2, 8, Decimal("0.02")),
}

FEEDS = ("cashout", "settlement")

_HISTORY = 10_000
"""Entries kept in the simulator's test-facing histories (``subscribe_calls``): a demo server
may run for weeks, so nothing it records for inspection grows without bound."""


@dataclass(frozen=True)
class Fault:
    """One queued misbehaviour, served instead of the real answer (HTTP) or upgrade (WebSocket).

    ``process`` runs the real handler first and throws its answer away, so the request took
    effect and only the answer is lost or mangled. ``delay`` (real seconds) then ``passthrough``
    gives the real answer late. A WebSocket upgrade answered by a fault is denied with it.
    """

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()
    process: bool = False
    delay: float = 0.0
    passthrough: bool = False


FAULT_KINDS: dict[str, Fault] = {
    "html": Fault(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html"),
    "garbage": Fault(200, b'{"success": tru'),
    "wrong_type": Fault(200, b"[1, 2, 3]"),
    "huge": Fault(200, b"[" + b"0," * (5 * 1024 * 1024 // 2) + b"0]"),
    "500": Fault(500, b"", "text/plain"),
    "429": Fault(429, b"", "text/plain", (("retry-after", "0"),)),
    "401": Fault(401, b"", "text/plain"),
    "slow": Fault(delay=3.0, passthrough=True),
}
"""Named faults for :meth:`Odds88Sim.inject_fault`."""


def parse_fault(kind: str) -> Fault:
    """A named fault; ``<kind>_after`` processes the request first; ``429:<value>`` answers 429
    with that exact ``Retry-After`` (``inf``, ``1e12``, an HTTP date: anything)."""
    if kind.startswith("429:"):
        return Fault(429, b"", "text/plain", (("retry-after", kind[4:]),))
    if kind.endswith("_after") and kind[: -len("_after")] in FAULT_KINDS:
        base = FAULT_KINDS[kind[: -len("_after")]]
        return Fault(base.status, base.body, base.content_type, base.headers, process=True)
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault kind {kind!r}")
    return FAULT_KINDS[kind]


def iso(ts: float) -> str:
    """Unix seconds → ISO 8601 UTC with milliseconds (how the simulator stamps messages)."""
    moment = dt.datetime.fromtimestamp(ts, tz=dt.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Leg:
    event_id: int
    market_id: int
    selection_id: int
    price: int
    """Accepted odds in millionths."""


@dataclass
class SimBet:
    client_id: str
    player_id: str
    bet_id: str
    currency: str
    value: int
    precision: int
    legs: list[Leg]
    price_change: int
    created_at: float
    accept_at: float
    """Simulator monotonic time at which a pending (live) bet becomes accepted."""
    request: dict[str, Any]
    reject: tuple[int, str, dict[str, Any] | None] | None = None
    settlement: BetSettlement | None = None
    payout: int = 0
    """Paid amount, fixed-point at :attr:`payout_precision`."""
    payout_precision: int = 0
    settled_at: float | None = None
    last_cashout: tuple[int, str | None, int | None] | None = field(default=None, repr=False)

    @property
    def cashout_precision(self) -> int:
        return max(4, self.precision)


def _scale(value: int, from_precision: int, to_precision: int) -> int:
    """Rescale a fixed-point integer, rounding down when digits are dropped."""
    if to_precision >= from_precision:
        return int(value * 10 ** (to_precision - from_precision))
    return int(value // 10 ** (from_precision - to_precision))


def _major(value: int, precision: int) -> float:
    return float(Decimal(value).scaleb(-precision))


class Odds88Sim:
    """State of one simulated Odds88 venue (any number of client accounts)."""

    def __init__(
        self,
        *,
        accounts: dict[str, str] | None = None,
        clock: Clock | None = None,
        seed: int = 88,
        live_delay: float = 5.0,
        ping_interval: float = 15.0,
        max_missed_pings: int = 2,
        reconnect_limits: bool = True,
        max_bets: int = 100_000,
    ) -> None:
        if max_bets < 1:
            raise ValueError("max_bets must be at least 1")
        self.accounts = dict(accounts or {"sim-client": "sim-password"})
        self.max_bets = max_bets
        self.clock: Clock = clock or SystemClock()
        self.catalog = Catalog(seed)
        self.tokens = TokenSigner()
        self.live_delay = live_delay
        self.ping_interval = ping_interval
        self.max_missed_pings = max_missed_pings
        self.reconnect_limits = reconnect_limits
        self.lock = threading.RLock()
        self.bets: dict[tuple[str, str], SimBet] = {}
        self._subs: dict[tuple[str, str], float] = {}
        self._journals: dict[tuple[str, str], Journal] = {}
        self._faults: dict[str, deque[Fault]] = {}
        self.connections: dict[tuple[str, str], Any] = {}
        self.connects: dict[tuple[str, str, str], deque[float]] = {}
        self.feed_gate = threading.Event()
        self.feed_gate.set()
        self.login_times: dict[str, deque[float]] = {}
        """Recent login times per known client id (unknown ids share one bucket, ``""``)."""
        self.subscribe_calls: deque[tuple[float, str, tuple[str, ...]]] = deque(maxlen=_HISTORY)
        """(simulator time, client id, bet ids) of the latest subscribe calls, for tests."""

    # -- accounts ---------------------------------------------------------------------------

    def login(self, client_id: str, password: str) -> str | None:
        with self.lock:
            if self.accounts.get(client_id) != password:
                return None
            return self.tokens.issue(client_id, self.clock.time())

    def client_for(self, token: str) -> str | None:
        return self.tokens.verify(token, self.clock.time())

    # -- journals ---------------------------------------------------------------------------

    def journal(self, client_id: str, feed: str) -> Journal:
        with self.lock:
            key = (client_id, feed)
            if key not in self._journals:
                self._journals[key] = Journal()
            return self._journals[key]

    def publish_raw(self, client_id: str, feed: str, data: bytes, bet_id: str = "") -> None:
        """Put arbitrary bytes on a feed as its next ``data`` (for hostile-input tests)."""
        self.journal(client_id, feed).append(self.clock.time(), bet_id, data)

    # -- faults -----------------------------------------------------------------------------

    def inject_fault(self, path: str, kind: str, count: int = 1) -> None:
        """Make the next ``count`` requests whose path starts with ``path`` misbehave.

        Kinds: ``html`` (502 HTML page), ``garbage`` (200, truncated JSON), ``wrong_type``
        (200, a JSON list), ``huge`` (200, a 5 MiB body), ``500``, ``429`` (Retry-After 0),
        ``429:<value>`` (that Retry-After, verbatim), ``slow`` (the real answer after 3 s),
        ``401``. ``<kind>_after`` (``500_after``, ``garbage_after``…) processes the request
        first, then answers with the fault. Feed paths (``/feed/…``) take the status faults
        as a refused upgrade.
        """
        self._queue(path, parse_fault(kind), count)

    def inject_response(
        self,
        path: str,
        body: bytes,
        *,
        status: int = 200,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
        process: bool = False,
        count: int = 1,
    ) -> None:
        """Answer the next ``count`` requests under ``path`` with exactly ``body``
        (after processing the request for real when ``process``)."""
        fault = Fault(status, body, content_type, tuple((headers or {}).items()), process=process)
        self._queue(path, fault, count)

    def _queue(self, path: str, fault: Fault, count: int) -> None:
        with self.lock:
            self._faults.setdefault(path, deque()).extend([fault] * count)

    def pending_faults(self, path: str) -> int:
        """Faults still queued for ``path`` (0 once every injected one has been served)."""
        with self.lock:
            return len(self._faults.get(path, ()))

    def take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for prefix, queue in self._faults.items():
                if path.startswith(prefix) and queue:
                    return queue.popleft()
            return None

    # -- feed connections -------------------------------------------------------------------

    def drop_feeds(self) -> int:
        """Close every open feed connection (as a network drop would); returns how many."""
        with self.lock:
            conns = list(self.connections.values())
            self.connections.clear()
        for conn in conns:
            conn.drop()
        return len(conns)

    def hold_feeds(self) -> None:
        """Make new feed connections wait before the handshake completes (until released)."""
        self.feed_gate.clear()

    def release_feeds(self) -> None:
        self.feed_gate.set()

    # -- subscriptions ----------------------------------------------------------------------

    def subscribe(self, client_id: str, bet_ids: list[str]) -> None:
        now = self.clock.monotonic()
        with self.lock:
            self.subscribe_calls.append((now, client_id, tuple(bet_ids)))
            lapsed = [key for key, expires in self._subs.items() if expires <= now]
            for key in lapsed:  # nobody renews them: forget them, bounded by live ones
                del self._subs[key]
            for bet_id in bet_ids:
                bet = self.bets.get((client_id, bet_id))
                if bet is None:
                    continue
                was_active = self._subs.get((client_id, bet_id), -1.0) > now
                self._subs[(client_id, bet_id)] = now + SUBSCRIPTION_TTL
                if not was_active:
                    self._publish_cashout(bet, force=True)

    def unsubscribe(self, client_id: str, bet_ids: list[str]) -> None:
        with self.lock:
            for bet_id in bet_ids:
                self._subs.pop((client_id, bet_id), None)

    def is_subscribed(self, client_id: str, bet_id: str) -> bool:
        with self.lock:
            return self._subs.get((client_id, bet_id), -1.0) > self.clock.monotonic()

    def subscribed(self, client_id: str) -> set[str]:
        now = self.clock.monotonic()
        with self.lock:
            return {b for (c, b), exp in self._subs.items() if c == client_id and exp > now}

    # -- prices and cashout -----------------------------------------------------------------

    def tick(self, steps: int = 1) -> None:
        """Move prices ``steps`` times, publishing cashout changes for subscribed bets."""
        with self.lock:
            for _ in range(steps):
                self.catalog.move()
                self._refresh()

    def set_price(self, selection_id: int, price: float) -> None:
        with self.lock:
            for _e, _m, selection in self.catalog.selections():
                if selection.id == selection_id:
                    selection.price = price_to_micro(price)
            self._refresh()

    def suspend_market(self, market_id: int, suspended: bool = True) -> None:
        with self.lock:
            market = self.catalog.market(market_id)
            if market is not None:
                market.suspended = suspended
            self._refresh()

    def _refresh(self) -> None:
        """Publish what changed (prices, suspensions, pending bets that became accepted)."""
        for bet in list(self.bets.values()):
            self._publish_cashout(bet)

    def is_pending(self, bet: SimBet) -> bool:
        return bet.reject is None and self.clock.monotonic() < bet.accept_at

    def cashout_state(self, bet: SimBet) -> tuple[int, str | None, int | None]:
        """``(status, reason, amount at cashout precision)`` of a bet right now."""
        if bet.settlement is BetSettlement.CASH_OUT:
            return 3, None, _scale(bet.payout, bet.payout_precision, bet.cashout_precision)
        if bet.settlement is not None:
            return 2, "BetSettled", None
        if bet.reject is not None:
            return 2, "BetRejected", None
        if self.is_pending(bet):
            return 2, "BetPending", None
        if len(bet.legs) != 1:
            return 2, "MultiplesNotSupported", None
        leg = bet.legs[0]
        market = self.catalog.market(leg.market_id)
        if market is None or leg.selection_id not in market.selections:
            return 2, "SelectionNotFound", None
        if market.suspended:
            return 2, "MarketSuspended", None
        current = market.selections[leg.selection_id].price
        stake = _scale(bet.value, bet.precision, bet.cashout_precision)
        value = stake * leg.price * (100 - CASHOUT_MARGIN_PERCENT) // (current * 100)
        return 1, None, value

    def _cashout_message(self, bet: SimBet, state: tuple[int, str | None, int | None]) -> bytes:
        status, reason, amount = state
        data: dict[str, Any] = {
            "playerId": bet.player_id,
            "betId": bet.bet_id,
            "status": status,
            "timestamp": iso(self.clock.time()),
        }
        if reason is not None:
            data["reason"] = reason
        if amount is not None:
            data["amount"] = {
                "localAmount": amount,
                "precision": bet.cashout_precision,
                "currency": bet.currency,
            }
        return msgspec.json.encode(data)

    def _publish_cashout(self, bet: SimBet, *, force: bool = False) -> None:
        if not self.is_subscribed(bet.client_id, bet.bet_id):
            return
        state = self.cashout_state(bet)
        if not force and state == bet.last_cashout:
            return
        bet.last_cashout = state
        self.journal(bet.client_id, "cashout").append(
            self.clock.time(), bet.bet_id, self._cashout_message(bet, state)
        )

    def cashout(
        self, client_id: str, bet_id: str, price_change: int, amount: dict[str, Any]
    ) -> dict[str, Any]:
        """Apply ``POST /api/Cashout``; returns the JSON answer (HTTP 200 either way)."""
        with self.lock:
            bet = self.bets.get((client_id, bet_id))

            def no(reason: str, local: int | None = None) -> dict[str, Any]:
                return {
                    "success": False,
                    "reason": reason,
                    "payload": {"betId": bet_id, "localAmount": local},
                }

            if bet is None:
                return no("BetNotFound")
            status, reason, current = self.cashout_state(bet)
            if status == 3:
                return no("AlreadyCashedOut")
            if status != 1 or current is None:
                return no(reason or "CashoutNotAvailable")
            if amount["currency"] != bet.currency:
                return no("CurrencyMismatch")
            req_precision = amount["precision"]
            requested = amount["localAmount"]
            current_at_req = _scale(current, bet.cashout_precision, req_precision)
            common = max(req_precision, bet.cashout_precision)
            req_c = _scale(requested, req_precision, common)
            cur_c = _scale(current, bet.cashout_precision, common)
            if price_change == CashoutPriceChange.STRICT:
                ok = req_c == cur_c
            elif price_change == CashoutPriceChange.WITHIN_2_PERCENT:
                ok = requested > 0 and abs(cur_c - req_c) * 100 <= 2 * req_c
            else:
                ok = True
            if not ok:
                return no("AmountChanged", current_at_req)
            bet.payout = current
            bet.payout_precision = bet.cashout_precision
            self._settle(bet, BetSettlement.CASH_OUT)
            return {
                "success": True,
                "reason": None,
                "payload": {"betId": bet_id, "localAmount": current_at_req},
            }

    # -- settlement -------------------------------------------------------------------------

    def settle_bet(self, client_id: str, bet_id: str, result: BetSettlement) -> None:
        """Settle an accepted bet (as its events would); publishes on the settlement feed."""
        with self.lock:
            bet = self.bets[(client_id, bet_id)]
            if bet.settlement is not None or bet.reject is not None:
                raise ValueError(f"bet {bet_id} cannot be settled again")
            odds = Decimal(1)
            for leg in bet.legs:
                odds *= Decimal(leg.price) / MICRO
            stake = Decimal(bet.value)
            factor = {
                BetSettlement.WIN: odds,
                BetSettlement.PLACE_WIN: odds,
                BetSettlement.LOSE: Decimal(0),
                BetSettlement.REFUND: Decimal(1),
                BetSettlement.HALF_WIN: (odds + 1) / 2,
                BetSettlement.HALF_LOSE: Decimal("0.5"),
            }.get(result, Decimal(0))
            bet.payout = int(stake * factor)  # rounded down, in the stake's precision
            bet.payout_precision = bet.precision
            self._settle(bet, result)

    def _settle(self, bet: SimBet, result: BetSettlement) -> None:
        now = self.clock.time()
        bet.settlement = result
        bet.settled_at = now
        self.journal(bet.client_id, "settlement").append(
            now, bet.bet_id, msgspec.json.encode(self.settlement_message(bet))
        )
        self._publish_cashout(bet)

    def settlement_view(self, bet: SimBet) -> dict[str, Any]:
        result = bet.settlement if bet.settlement is not None else BetSettlement.NONE
        odds = Decimal(1)
        for leg in bet.legs:
            odds *= Decimal(leg.price) / MICRO
        selections = []
        for leg in bet.legs:
            event = self.catalog.events.get(leg.event_id)
            market = self.catalog.market(leg.market_id)
            selections.append(
                {
                    "event": {
                        "id": leg.event_id,
                        "name": event.name if event else None,
                        "isLive": bool(event and event.live),
                        "startTime": event.start_time if event else None,
                    },
                    "market": {
                        "id": leg.market_id,
                        "type": market.type if market else None,
                        "name": market.name if market else None,
                        "properties": {},
                    },
                    "selectionId": leg.selection_id,
                    "sportId": event.sport_id if event else None,
                    "settlement": {
                        "settlementResult": int(result),
                        "settlementTime": iso(bet.settled_at) if bet.settled_at else None,
                        "settlementVersion": 1 if bet.settlement is not None else 0,
                    },
                    "price": leg.price / MICRO,
                    "version": 1,
                }
            )
        view: dict[str, Any] = {
            "betId": bet.bet_id,
            "betSettlement": int(result),
            "payout": _major(bet.payout, bet.payout_precision) if bet.settlement else 0.0,
            "payoutMultiplier": float(odds) if result is BetSettlement.WIN else 0.0,
            "isCancelled": False,
            "selections": selections,
            "amount": _major(bet.value, bet.precision),
            "partialRefund": 0.0,
            "isRejected": bet.reject is not None,
        }
        # no ``currency`` or ``timestamp``: the REST SettledBetViewModelV2 forbids other
        # properties (additionalProperties false); the feed message adds them
        return view

    def settlement_message(self, bet: SimBet) -> dict[str, Any]:
        """The settlement feed's message: the REST view plus the bet's currency and the
        settlement time, which the feed carries."""
        message = {**self.settlement_view(bet), "currency": bet.currency}
        if bet.settled_at is not None:
            message["timestamp"] = iso(bet.settled_at)
        return message

    # -- bets V2 ----------------------------------------------------------------------------

    def max_stake(self, currency: str, precision: int) -> int:
        return int(CURRENCIES[currency][2].scaleb(precision))

    def evaluate(self, request: dict[str, Any]) -> tuple[int, str, list[Leg], int | None]:
        """Check a bet request against the offer: ``(reject code, message, legs, max)``.

        ``max`` is the largest stake (fixed-point) when the limit is the problem.
        """
        items = request.get("items") or []
        if not items:
            return RejectReason.MISSING_MANDATORY_FIELDS, "items are required", [], None
        legs: list[Leg] = []
        seen_markets: set[int] = set()
        seen_events: set[int] = set()
        price_change = request.get("priceChange", 0)
        for item in items:
            event = self.catalog.events.get(item["eventId"])
            if event is None:
                return RejectReason.EVENT_NOT_FOUND, f"event {item['eventId']}", [], None
            market = event.markets.get(item["marketId"])
            if market is None:
                return RejectReason.MARKET_NOT_FOUND, f"market {item['marketId']}", [], None
            selection = market.selections.get(item["selectionId"])
            if selection is None:
                return (
                    RejectReason.SELECTION_NOT_FOUND,
                    f"selection {item['selectionId']}",
                    [],
                    None,
                )
            if market.suspended:
                return RejectReason.MARKET_NOT_ACTIVE, f"market {market.id} is suspended", [], None
            if market.id in seen_markets:
                return RejectReason.SELECTIONS_FROM_SAME_MARKET, "same market twice", [], None
            if event.id in seen_events:
                return RejectReason.MULTIPLE_SELECTIONS_IN_EVENT, "same event twice", [], None
            seen_markets.add(market.id)
            seen_events.add(event.id)
            current = selection.price
            wanted = item.get("price")
            if wanted is not None:
                asked = price_to_micro(wanted)
                if asked != current:
                    accept = price_change == PriceChange.ANY or (
                        price_change == PriceChange.HIGHER and current > asked
                    )
                    if not accept:
                        code = (
                            RejectReason.PRICE_CHANGED_LOW
                            if current < asked
                            else RejectReason.PRICE_CHANGED_HIGH
                        )
                        return code, f"price is now {current / MICRO:.2f}", [], None
            legs.append(Leg(event.id, market.id, selection.id, current))
        amount = request["amount"]
        limit = self.max_stake(amount["currency"], amount["precision"])
        if amount["value"] > limit:
            return RejectReason.BET_LIMIT_EXCEEDED, "stake above the bet limit", legs, limit
        return RejectReason.NONE, "", legs, limit

    def place(self, client_id: str, player_id: str, request: dict[str, Any]) -> SimBet:
        """Store a checked V2 request (``amount`` already validated) and return the bet."""
        with self.lock:
            key = (client_id, request["id"])
            existing = self.bets.get(key)
            if existing is not None:
                return existing
            code, message, legs, limit = self.evaluate(request)
            amount = request["amount"]
            now = self.clock.monotonic()
            live = any(self.catalog.events[leg.event_id].live for leg in legs)
            bet = SimBet(
                client_id=client_id,
                player_id=player_id,
                bet_id=request["id"],
                currency=amount["currency"],
                value=amount["value"],
                precision=amount["precision"],
                legs=legs,
                price_change=request.get("priceChange", 0),
                created_at=self.clock.time(),
                accept_at=now + (self.live_delay if live else 0.0),
                request=request,
            )
            if code != RejectReason.NONE:
                max_bet = None
                if limit is not None:
                    max_bet = {
                        "currency": bet.currency,
                        "value": limit,
                        "precision": bet.precision,
                    }
                bet.reject = (int(code), message, max_bet)
            self.bets[key] = bet
            while len(self.bets) > self.max_bets:  # the oldest first (insertion order)
                oldest = next(iter(self.bets))
                del self.bets[oldest]
                self._subs.pop(oldest, None)
            return bet

    def bet_result(self, bet: SimBet) -> dict[str, Any]:
        """``BetResultViewModel`` of a bet now (``acceptedBet.amount`` in V2 shape)."""
        if bet.reject is not None:
            result_type = 3
        elif self.is_pending(bet):
            result_type = 1
        else:
            result_type = 2
        out: dict[str, Any] = {
            "requestId": bet.bet_id,
            "resultType": result_type,
            "createdAt": iso(bet.created_at),
            "betProcessor": 1,
            "rejectInfo": None,
            "acceptedBet": None,
            "cancellationStatus": None,
        }
        if bet.reject is not None:
            code, message, max_bet = bet.reject
            out["rejectInfo"] = {"reason": code, "message": message, "maxBet": max_bet}
        elif result_type == 2:
            out["acceptedBet"] = {
                "id": bet.bet_id,
                "player": bet.request.get("player"),
                "amount": {
                    "currency": bet.currency,
                    "value": bet.value,
                    "precision": bet.precision,
                },
                "kind": 0 if len(bet.legs) == 1 else 1,
                "priceChange": bet.price_change,
                "items": [
                    {
                        "eventId": leg.event_id,
                        "marketId": leg.market_id,
                        "selectionId": leg.selection_id,
                        "price": leg.price / MICRO,
                    }
                    for leg in bet.legs
                ],
            }
        return out

    def get_bet(self, client_id: str, bet_id: str) -> SimBet | None:
        with self.lock:
            return self.bets.get((client_id, bet_id))
