"""Where the simulator's state lives: in memory, and with ``--db FILE`` also in SQLite.

Paper trading needs history that survives a restart, so every change is written through to
SQLite at once (one small JSON row per record, WAL mode); on start the rows are read back.
Without a file nothing touches the disk. Records are indexed per client, because every query
the API allows is scoped to the caller's clientName.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import msgspec

from wagerkit.sim.abp.records import Account, Bet, Order

__all__ = ["Store"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (bookmaker TEXT, username TEXT, data BLOB,
                                     PRIMARY KEY (bookmaker, username));
CREATE TABLE IF NOT EXISTS orders (order_id INTEGER PRIMARY KEY, data BLOB);
CREATE TABLE IF NOT EXISTS bets (bet_id INTEGER PRIMARY KEY, data BLOB);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, data BLOB);
CREATE TABLE IF NOT EXISTS request_uuids (client TEXT, uuid TEXT, seen_at REAL,
                                          PRIMARY KEY (client, uuid));
"""


class Store:
    """Accounts, orders, bets and a few named values (counters, rates, quote state)."""

    def __init__(self, db_path: str | Path | None = None) -> None:
        self.accounts: dict[tuple[str, str], Account] = {}
        self.orders: dict[int, Order] = {}
        self.bets: dict[int, Bet] = {}
        self._orders_by_client: dict[str, list[int]] = {}
        self._bets_by_client: dict[str, list[int]] = {}
        self._meta: dict[str, Any] = {}
        self._db: sqlite3.Connection | None = None
        if db_path is not None:
            # The server runs in its own thread; every write comes from its event loop.
            self._db = sqlite3.connect(str(db_path), check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)

    @property
    def persistent(self) -> bool:
        return self._db is not None

    # -- loading -------------------------------------------------------------------------

    def load(self) -> bool:
        """Read everything back from SQLite; False when there is no saved world yet."""
        if self._db is None:
            return False
        rows = self._db.execute("SELECT key, data FROM meta").fetchall()
        self._meta = {key: msgspec.json.decode(data) for key, data in rows}
        if not self._meta.get("seeded"):
            return False
        for (data,) in self._db.execute("SELECT data FROM accounts"):
            acc = msgspec.json.decode(data, type=Account)
            self.accounts[(acc.bookmaker, acc.username)] = acc
        for (data,) in self._db.execute("SELECT data FROM orders ORDER BY order_id"):
            self._index_order(msgspec.json.decode(data, type=Order))
        for (data,) in self._db.execute("SELECT data FROM bets ORDER BY bet_id"):
            self._index_bet(msgspec.json.decode(data, type=Bet))
        return True

    # -- idempotency window ------------------------------------------------------------------

    def remember_uuid(self, client: str, request_uuid: str, seen_at: float) -> None:
        """Record when a requestUuid was first seen (simulator epoch seconds), so a restart
        gives it only what is left of its window, not a fresh one. Only with ``--db``."""
        if self._db is not None:
            self._db.execute(
                "INSERT OR REPLACE INTO request_uuids (client, uuid, seen_at) VALUES (?, ?, ?)",
                (client, request_uuid, seen_at),
            )

    def forget_uuid(self, client: str, request_uuid: str) -> None:
        """Drop a requestUuid's first-seen row (its order was never stored)."""
        if self._db is not None:
            self._db.execute(
                "DELETE FROM request_uuids WHERE client = ? AND uuid = ?", (client, request_uuid)
            )

    def recent_uuids(self, since: float) -> list[tuple[str, str, float]]:
        """(client, requestUuid, first seen) seen after ``since``, oldest first; older rows are
        deleted, so the table stays as small as the window."""
        if self._db is None:
            return []
        self._db.execute("DELETE FROM request_uuids WHERE seen_at <= ?", (since,))
        rows = self._db.execute(
            "SELECT client, uuid, seen_at FROM request_uuids ORDER BY seen_at"
        ).fetchall()
        return [(str(c), str(u), float(t)) for c, u, t in rows]

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- named values ----------------------------------------------------------------------

    def get_meta(self, key: str, default: Any = None) -> Any:
        return self._meta.get(key, default)

    def set_meta(self, key: str, value: Any) -> None:
        self._meta[key] = value
        if self._db is not None:
            self._db.execute(
                "INSERT OR REPLACE INTO meta (key, data) VALUES (?, ?)",
                (key, msgspec.json.encode(value)),
            )

    def next_id(self, kind: str) -> int:
        """Next orderId / betId: increasing integers shared by all clients, like a DB serial."""
        value = int(self._meta.get(f"seq:{kind}", 0)) + 1
        self.set_meta(f"seq:{kind}", value)
        return value

    # -- accounts --------------------------------------------------------------------------

    def put_account(self, account: Account) -> None:
        self.accounts[(account.bookmaker, account.username)] = account
        if self._db is not None:
            self._db.execute(
                "INSERT OR REPLACE INTO accounts (bookmaker, username, data) VALUES (?, ?, ?)",
                (account.bookmaker, account.username, msgspec.json.encode(account)),
            )

    def delete_account(self, account: Account) -> None:
        self.accounts.pop((account.bookmaker, account.username), None)
        if self._db is not None:
            self._db.execute(
                "DELETE FROM accounts WHERE bookmaker = ? AND username = ?",
                (account.bookmaker, account.username),
            )

    def client_accounts(self, client: str) -> list[Account]:
        return [a for a in self.accounts.values() if a.client == client]

    # -- orders and bets -----------------------------------------------------------------

    def put_order(self, order: Order) -> None:
        if order.order_id not in self.orders:
            self._index_order(order)
        if self._db is not None:
            self._db.execute(
                "INSERT OR REPLACE INTO orders (order_id, data) VALUES (?, ?)",
                (order.order_id, msgspec.json.encode(order)),
            )

    def put_bet(self, bet: Bet) -> None:
        if bet.bet_id not in self.bets:
            self._index_bet(bet)
        if self._db is not None:
            self._db.execute(
                "INSERT OR REPLACE INTO bets (bet_id, data) VALUES (?, ?)",
                (bet.bet_id, msgspec.json.encode(bet)),
            )

    def client_order_ids(self, client: str) -> list[int]:
        """The client's orderIds in increasing order (ids only grow)."""
        return self._orders_by_client.get(client, [])

    def client_bet_ids(self, client: str) -> list[int]:
        return self._bets_by_client.get(client, [])

    def _index_order(self, order: Order) -> None:
        self.orders[order.order_id] = order
        self._orders_by_client.setdefault(order.client, []).append(order.order_id)

    def _index_bet(self, bet: Bet) -> None:
        self.bets[bet.bet_id] = bet
        self._bets_by_client.setdefault(bet.client, []).append(bet.bet_id)
