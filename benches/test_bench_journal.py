"""What the durable journal costs a placement: ``OrderManager.place`` against the simulator on
127.0.0.1 with the SQLite journal (WAL, the default ``synchronous=NORMAL``) versus the same
with the in-memory journal, interleaved in one run. The gate: SQLite adds at most 5 % to the
placement round trip (ratio >= 1 / 1.05).

Each call is a real placement through the manager: a new order (new requestUuid, so the
dedupe cache admits it), journaled CREATED + SENT before the request leaves and ACCEPTED after
the answer; the calls check the answer and the journal's row count proves every one was
written. Test orders keep the simulator's side short, which makes the ratio conservative.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benches.ratio_gate import compare
from benches.test_bench_abp_client import FIXTURE, Served
from wagerkit.abp import AbpClient, OrderRequest
from wagerkit.execution import LocalStatus, MemoryJournal, OrderManager, SqliteJournal
from wagerkit.transport import RateLimiter


@pytest.fixture(scope="module")
def sim() -> Iterator[Served]:
    with Served() as served:
        yield served


def test_bench_journal_cost_per_placement(benchmark: Any, sim: Served, tmp_path: Path) -> None:
    loop = asyncio.new_event_loop()
    client = AbpClient(sim.api_key, sim.base_url, limiter=RateLimiter(1e9))
    sqlite = SqliteJournal(tmp_path / "bench.db")
    memory = MemoryJournal(capacity=1_000_000)
    durable = OrderManager(client, journal=sqlite)
    volatile = OrderManager(client, journal=memory)
    calls = {"sqlite": 0, "memory": 0}

    def place(m: OrderManager, side: str) -> Any:
        order = OrderRequest.create(FIXTURE, 103, 2.0, 1.5, user_ref="bench", test=True)
        got = loop.run_until_complete(m.place(order))
        assert got.status is LocalStatus.ACCEPTED
        calls[side] += 1
        return got

    def with_sqlite() -> Any:
        return place(durable, "sqlite")

    def with_memory() -> Any:
        return place(volatile, "memory")

    try:
        compare(
            benchmark,
            "place through OrderManager, SQLite journal (simulator)",
            with_sqlite,
            with_memory,
            baseline_name="same, in-memory journal",
            min_ratio=1 / 1.05,
        )
        assert len(sqlite) == calls["sqlite"] and len(memory) == calls["memory"]
        assert sqlite.unresolved() == [] and len(sqlite.history(status="ACCEPTED")) == len(sqlite)
    finally:
        sqlite.close()
        loop.run_until_complete(client.aclose())
        loop.close()
