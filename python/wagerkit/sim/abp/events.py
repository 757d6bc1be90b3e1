"""Fan-out of state changes to WebSocket subscribers.

Services call :meth:`EventBus.publish` synchronously while they change state; each subscriber
wraps the payload in ABP's envelope with its own sequence number and queues it. Client-filtered
channels reach only the owning client's connections; global channels reach everyone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final, Protocol

__all__ = ["CLIENT_CHANNELS", "GLOBAL_CHANNELS", "EventBus", "Subscriber"]

CLIENT_CHANNELS: Final = ("orders", "bets", "settlements", "accounts", "balance", "betslip")
GLOBAL_CHANNELS: Final = ("fixtures", "currencies", "status", "emergency")


class Subscriber(Protocol):
    """A WebSocket connection after login."""

    @property
    def client(self) -> str: ...
    @property
    def channels(self) -> frozenset[str]: ...
    def deliver(self, channel: str, event: str, payload: Any) -> None: ...


class EventBus:
    """The set of logged-in connections and the publish step."""

    def __init__(self) -> None:
        self._subs: list[Subscriber] = []
        self._held: list[tuple[str, str, Any, str | None]] | None = None

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold what is published inside the block and send it, in order, when it ends
        (``first=True`` events go ahead of the rest: a new order before its bets)."""
        outer, self._held = self._held, []
        try:
            yield
        finally:
            events, self._held = self._held, outer
            for channel, event, payload, client in events:
                self.publish(channel, event, payload, client)

    def add(self, sub: Subscriber) -> None:
        self._subs.append(sub)

    def remove(self, sub: Subscriber) -> None:
        if sub in self._subs:
            self._subs.remove(sub)

    def subscribers(self, client: str | None = None) -> list[Subscriber]:
        return [s for s in self._subs if client is None or s.client == client]

    def publish(
        self,
        channel: str,
        event: str,
        payload: Any,
        client: str | None = None,
        *,
        first: bool = False,
    ) -> None:
        """Queue one event; ``client`` None means a global channel (every connection)."""
        if self._held is not None:
            item = (channel, event, payload, client)
            if first:
                self._held.insert(0, item)
            else:
                self._held.append(item)
            return
        for sub in list(self._subs):
            if channel in sub.channels and (client is None or sub.client == client):
                sub.deliver(channel, event, payload)
