"""An order's life as the bot saw it, with timestamps (the way flumine keeps it).

Why: after a bad night a bettor must be able to answer "what did the bot send, when, what did
the venue say, and when did it fill?" without grepping logs. Each :class:`ManagedOrder` keeps its
requestUuid (never changes), the venue's latest view of the order, and every status change.
"""

from __future__ import annotations

import datetime as dt
import enum
import time
from dataclasses import dataclass, field

from wagerkit.abp.models import Order, OrderStatus
from wagerkit.abp.orders import OrderRequest

__all__ = ["LocalStatus", "ManagedOrder", "Transition"]


class LocalStatus(enum.StrEnum):
    """Where an order is from the bot's side, before the venue's own status takes over."""

    CREATED = "CREATED"
    """Journaled; nothing sent yet."""
    SENT = "SENT"
    """A request carrying it went out (or may have). An order stays SENT only when its
    placement was interrupted (the task cancelled mid-request); ``reconcile()`` covers it."""
    ACCEPTED = "ACCEPTED"
    """ABP stored it (see :attr:`ManagedOrder.order` for its status)."""
    DECLINED = "DECLINED"
    """ABP refused it at placement; nothing was placed."""
    NOT_SENT = "NOT_SENT"
    """Provably never reached ABP, or was refused as invalid: nothing was placed."""
    UNKNOWN = "UNKNOWN"
    """Ambiguous failures and the lookups did not find it: reconcile before acting."""


@dataclass(frozen=True, slots=True)
class Transition:
    """One status change: wall-clock ``at`` (epoch seconds), the new status, and why."""

    at: float
    status: str
    note: str = ""

    @property
    def iso(self) -> str:
        """``at`` as an ISO 8601 UTC time with milliseconds, for people and logs."""
        return (
            dt.datetime.fromtimestamp(self.at, dt.UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z")
        )


@dataclass(slots=True, eq=False)
class ManagedOrder:
    """An order under the manager's care."""

    request: OrderRequest
    status: LocalStatus = LocalStatus.CREATED
    order: Order | None = None
    decline_reason: str | None = None
    attempts: int = 0
    history: list[Transition] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.history:
            self.history.append(Transition(time.time(), self.status.value, "created"))

    @property
    def request_uuid(self) -> str:
        return self.request.request_uuid

    @property
    def order_status(self) -> OrderStatus | None:
        """ABP's status of the order once accepted."""
        return self.order.order_status if self.order is not None else None

    @property
    def placed(self) -> bool:
        """True once ABP is known to hold the order."""
        return self.status is LocalStatus.ACCEPTED

    @property
    def resolved(self) -> bool:
        """The bot knows whether the order exists at ABP."""
        return self.status in (LocalStatus.ACCEPTED, LocalStatus.DECLINED, LocalStatus.NOT_SENT)

    def mark(self, status: LocalStatus, note: str = "") -> None:
        """Move to ``status`` and record it (repeats are recorded only with a new note)."""
        if status is self.status and (not note or note == self.history[-1].note):
            return
        self.status = status
        self.history.append(Transition(time.time(), status.value, note))

    def observe(self, order: Order, source: str) -> None:
        """Take a newer venue view of the order; records a transition when its status moved."""
        previous = self.order.order_status if self.order is not None else None
        self.order = order
        if self.status is not LocalStatus.ACCEPTED:
            self.mark(LocalStatus.ACCEPTED, f"orderId {order.order_id} via {source}")
        if order.order_status is not previous:
            self.history.append(Transition(time.time(), order.order_status.value, source))

    def __repr__(self) -> str:
        venue = f", {self.order.order_status.value} #{self.order.order_id}" if self.order else ""
        return f"ManagedOrder({self.request_uuid}, {self.status.value}{venue})"
