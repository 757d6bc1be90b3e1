"""ABP's execution adapter: how the venue-neutral order manager talks to ABP.

What ABP promises, as the adapter protocol (``wagerkit.execution.adapter``) asks for it:

- **Key**: the order's ``requestUuid``. A repeat within **30 minutes** is skipped (only a
  request whose every order repeats gets a 409), so resending the same key is safe for 30
  minutes from the first send.
- **Batch**: 1-100 orders per POST /place-orders; each order is answered in ``acceptedOrders``
  or ``declinedOrders``. One the answer leaves out is ambiguous (a skipped duplicate).
- **Proof of "not sent"**: a refused connection and a 429 (the client's own retries of these
  are exhausted: nothing was stored), and 401/403 (the middleware refuses before reading the
  body). A 400/422 is a refusal of the whole request (nothing placed, the key stays used).
  A 409, a timeout, a lost connection, a 5xx and an unreadable 2xx are ambiguous.
- **Until when a request can still take effect**: ABP declines an order whose ``expiresAt``
  has passed when it arrives, so a lookup that misses an order after ``expiresAt`` plus the
  clock-skew margin proves it was never placed. An order sent without ``expiresAt`` gets
  "arrival + 5 s" from ABP, which does not bound a request still on the wire: it is decidable
  only after the 30-minute window. Set ``expires_in`` to keep ambiguity short.
- **Versions**: an order's ``updatedAt`` (ABP bumps it on every change). The stream's ``seq``
  orders updates within one connection; a REST read is a fresh version.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import msgspec

from wagerkit.abp.client import AbpClient
from wagerkit.abp.models import Order, PlaceOrdersResponse
from wagerkit.abp.orders import MAX_ORDERS_PER_REQUEST, OrderRequest, validate_batch
from wagerkit.abp.state import StateCache, bet_closed, version_of
from wagerkit.errors import (
    AuthError,
    ConnectFailed,
    DuplicateRequest,
    InvalidInput,
    NetworkError,
    ProtocolError,
    RateLimited,
    ServerError,
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
from wagerkit.transport import RetryPolicy

__all__ = ["ABP_DEDUPE_WINDOW", "AbpAdapter", "record_of"]

ABP_DEDUPE_WINDOW = 1800.0
"""ABP skips a repeated requestUuid for 30 minutes."""

_LOOKUP_CHUNK = 50
_decoder = msgspec.json.Decoder(OrderRequest)
_encoder = msgspec.json.Encoder()


def record_of(order: Order) -> VenueRecord:
    """ABP's word about one order as a venue-neutral record (version = ``updatedAt``)."""
    final = order.order_status.final and all(bet_closed(b) for b in order.bets)
    return VenueRecord(
        key=order.request_uuid or "",
        venue_id=str(order.order_id),
        status=order.order_status.value,
        final=final,
        version=version_of(order.updated_at),
        raw=order,
    )


class AbpAdapter:
    """The :class:`~wagerkit.execution.adapter.VenueAdapter` of ABP (see the module doc).

    ``state``, when given (usually the stream's), receives every order placed or looked up,
    and its later updates are fed back to the manager (:meth:`bind`). ``retry`` governs the
    lookups (reads); ``clock_skew`` is the margin added to ``expiresAt`` (seconds).
    """

    venue = "abp"
    max_batch = MAX_ORDERS_PER_REQUEST
    dedupe_window = ABP_DEDUPE_WINDOW

    def __init__(
        self,
        client: AbpClient,
        *,
        state: StateCache | None = None,
        retry: RetryPolicy | None = None,
        clock_skew: float = 5.0,
    ) -> None:
        if clock_skew < 0:
            raise InvalidInput("clock_skew must be >= 0 seconds", field="clock_skew")
        self.client = client
        self.state = state
        self.retry = retry if retry is not None else RetryPolicy()
        self.clock_skew = clock_skew

    # -- intents -------------------------------------------------------------------------------

    def accepts(self, payload: object) -> bool:
        return isinstance(payload, OrderRequest)

    def intent(self, payload: OrderRequest) -> Intent[OrderRequest]:
        if not isinstance(payload, OrderRequest):
            raise InvalidInput(f"not an OrderRequest: {type(payload).__name__}", field="orders")
        exp = payload.expires_at.timestamp() if payload.expires_at is not None else None
        return Intent("abp", payload.request_uuid, payload, "order", payload.user_ref, exp)

    def validate_batch(self, payloads: Sequence[OrderRequest]) -> None:
        validate_batch(payloads)

    def encode(self, payload: OrderRequest) -> bytes:
        return _encoder.encode(payload)

    def decode(self, data: bytes) -> OrderRequest:
        """The journaled order (raises InvalidInput when its expiry has passed meanwhile)."""
        return _decoder.decode(data)

    def decidable_at(self, intent: Intent[OrderRequest], last_sent_at: float) -> float:
        return default_decidable_at(
            intent, last_sent_at, dedupe_window=self.dedupe_window, clock_skew=self.clock_skew
        )

    # -- the wire ------------------------------------------------------------------------------

    async def submit(
        self, intents: Sequence[Intent[OrderRequest]], *, timeout: float | None = None
    ) -> list[SubmitAnswer]:
        try:
            response: PlaceOrdersResponse = await self.client.place_orders(
                [i.payload for i in intents], timeout=timeout
            )
        except WagerkitError:
            raise
        except Exception as exc:  # RecursionError, UnicodeDecodeError...: still "maybe placed"
            raise ProtocolError(f"unreadable place-orders answer ({type(exc).__name__})") from None
        out: list[SubmitAnswer] = []
        for order in response.accepted_orders:
            if self.state is not None:
                self.state.apply_order(order)
            out.append(
                SubmitAnswer(order.request_uuid or "", LocalStatus.ACCEPTED, record_of(order))
            )
        for declined in response.declined_orders:
            out.append(
                SubmitAnswer(
                    declined.request_uuid or "",
                    LocalStatus.DECLINED,
                    reason=declined.decline_reason or "",
                )
            )
        return out

    def classify(self, exc: BaseException) -> Failure:
        if isinstance(exc, DuplicateRequest):
            return Failure.AMBIGUOUS  # 409: every order of it is already at ABP (or on its way)
        if isinstance(exc, (ConnectFailed, RateLimited, AuthError)):
            return Failure.NOT_SENT
        if isinstance(exc, (NetworkError, ServerError, ProtocolError)):
            return Failure.AMBIGUOUS
        if isinstance(exc, (InvalidInput, VenueError)):
            return Failure.DECLINED  # 400/404/422/501: the request as a whole was refused
        return Failure.AMBIGUOUS

    async def lookup(self, intents: Sequence[Intent[OrderRequest]]) -> Mapping[str, VenueRecord]:
        """GET /orders by requestUuid (chunks of 50, all pages, reads retried under ``retry``)."""
        keys = [i.key for i in intents]
        wanted = set(keys)
        found: dict[str, VenueRecord] = {}
        for start in range(0, len(keys), _LOOKUP_CHUNK):
            chunk = keys[start : start + _LOOKUP_CHUNK]

            async def read(chunk: list[str] = chunk) -> list[Order]:
                try:
                    return [o async for o in self.client.iter_orders(request_uuids=chunk)]
                except WagerkitError:
                    raise
                except Exception as exc:
                    raise ProtocolError(f"unreadable orders page ({type(exc).__name__})") from None

            for order in await self.retry.call(read, read=True):
                if order.request_uuid in wanted:
                    if self.state is not None:
                        self.state.apply_order(order)
                    found[order.request_uuid] = record_of(order)
        return found

    def bind(self, observe: Callable[..., Any]) -> None:
        """Feed every order the state cache takes back to the manager (``observe(record,
        source)``)."""
        if self.state is None:
            return

        def on_order(order: Order) -> None:
            if order.request_uuid:
                observe(record_of(order), "stream", "abp")

        self.state.on_order.append(on_order)

    def __repr__(self) -> str:
        return f"AbpAdapter({self.client!r})"


register_adapter(AbpClient, AbpAdapter)
