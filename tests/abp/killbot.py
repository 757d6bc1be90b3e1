"""A bot for the kill -9 proof: places intents 0..n-1 through the order manager with the SQLite
journal, and picks up after being killed at any moment.

Run as ``python killbot.py BASE_URL DB_PATH USER_REF N`` with the API key in ``ABP_API_KEY``.
On start it recovers (resending, with the same requestUuid, whatever the journal says may be
on its way and ABP lacks), reads from the journal which intents already have an order, prints
``ready``, and places the rest in small batches, printing ``placed`` after each batch.
"""

from __future__ import annotations

import os
import sys

import anyio
import msgspec

from wagerkit.abp import AbpClient, OrderRequest
from wagerkit.execution import LocalStatus, OrderManager, SqliteJournal
from wagerkit.transport import Backoff, RateLimiter, RetryPolicy

FIXTURE = "id1000004461512432"


def intent_of(payload: bytes | None) -> int | None:
    if payload is None:
        return None
    meta = msgspec.json.decode(payload).get("meta") or {}
    value = meta.get("intent")
    return value if isinstance(value, int) else None


async def run(base_url: str, db: str, ref: str, n: int) -> None:
    journal = SqliteJournal(db)
    retry = RetryPolicy(attempts=4, timeout=10.0, wait_initial=0.005, wait_max=0.02)
    async with AbpClient(
        os.environ["ABP_API_KEY"], base_url, limiter=RateLimiter(100_000), retry=retry
    ) as client:
        m = OrderManager(client, journal=journal, retry=retry, backoff=Backoff(0.01, 0.05))
        await m.recover(resend=True)
        done = {
            i
            for row in journal.history(user_ref=ref)
            if row.status != LocalStatus.NOT_SENT.value
            and (i := intent_of(row.payload)) is not None
        }
        print("ready", len(done), flush=True)
        todo = [i for i in range(n) if i not in done]
        for start in range(0, len(todo), 3):
            chunk = todo[start : start + 3]
            orders = [
                OrderRequest.create(FIXTURE, 103, 5.0, 1.5, user_ref=ref, meta={"intent": i})
                for i in chunk
            ]
            await m.place_many(orders)
            print("placed", chunk[-1], flush=True)
            await anyio.sleep(0.005)
    journal.close()
    print("done", flush=True)


if __name__ == "__main__":
    anyio.run(run, sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
