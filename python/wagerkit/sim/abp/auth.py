"""API keys: which client a key belongs to, and ABP's authentication error bodies.

ABP scopes every read and write to the key's clientName and can restrict a key to some
bookmakers. Keys are secrets: :class:`Client` keeps its key out of ``repr`` and nothing here
logs or echoes one.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any

from wagerkit.sim.abp.scenario import ClientSpec

__all__ = [
    "ACCESS_DENIED",
    "INVALID_KEY",
    "MISSING_KEY",
    "Client",
    "KeyRing",
    "generate_key",
]

HEADER = "x-api-key"
MISSING_KEY: dict[str, Any] = {"detail": "Missing API key header: x-api-key"}  # 403
INVALID_KEY: dict[str, Any] = {"error": "Invalid or inactive API key"}  # 401
ACCESS_DENIED: dict[str, Any] = {"error": "Access denied to endpoint"}  # 403


def generate_key() -> str:
    """A fresh random key, for clients the scenario gives none."""
    return "wk-sim-" + secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Client:
    """A client as a key resolves to: its name, request rate and bookmaker allow-list."""

    name: str
    rps: int
    bookmakers: frozenset[str] | None  # None: every bookmaker
    active: bool = True
    key: str = field(default="", repr=False, compare=False)

    def allows(self, bookmaker: str) -> bool:
        return self.bookmakers is None or bookmaker in self.bookmakers


class KeyRing:
    """Key → client. The first client takes ``primary_key`` when one is given."""

    def __init__(
        self, clients: list[ClientSpec], primary_key: str | None, rps: int | None = None
    ) -> None:
        self._by_key: dict[str, Client] = {}
        self._by_name: dict[str, Client] = {}
        for i, spec in enumerate(clients):
            key = (primary_key if i == 0 else None) or spec.api_key or generate_key()
            client = Client(
                name=spec.name,
                rps=rps if rps is not None else spec.rps,
                bookmakers=frozenset(spec.bookmakers) if spec.bookmakers else None,
                active=spec.active,
                key=key,
            )
            self._by_key[key] = client
            self._by_name[spec.name] = client

    def lookup(self, key: str) -> Client | None:
        """The active client owning ``key``; compared in constant time per candidate."""
        client = self._by_key.get(key)
        if client is None or not hmac.compare_digest(client.key, key) or not client.active:
            return None
        return client

    def client(self, name: str) -> Client:
        return self._by_name[name]

    def clients(self) -> list[Client]:
        return list(self._by_name.values())

    def __repr__(self) -> str:
        return f"KeyRing(clients={sorted(self._by_name)})"
