"""A tiny in-memory ABP behind ``httpx.MockTransport``, with scripted faults.

Only what the client's retry-safety needs: /place-orders with ABP's idempotency (a requestUuid
seen before is skipped; 409 when every order in a request is a duplicate), /orders and /bets with
their filters and keyset pagination, and faults on /place-orders that a real network produces:

- ``drop``: commit the orders, then lose the response (connection reset)
- ``timeout``: commit, then time out reading the response
- ``late``: time out *before* committing; the orders commit just before the next placement
  arrives (the request was still in flight when the client looked it up)
- ``500`` / ``503``: fail without committing; ``500-after``: commit, then answer 500
- ``connect``: the connection is refused (nothing sent)
- ``429``: rate limited with Retry-After 0
- ``garbage``: commit, then answer 200 with a body that does not decode
- ``hang``: commit, then never answer (the caller cancels: an interrupted placement)
- ``hold``: keep the request on the wire without committing and never answer; it lands (is
  committed) at the next placement or when the test calls :meth:`FakeAbp.land_deferred`

The real simulator (``wagerkit.sim.abp``) is the integration target; this fake makes the
duplicate-safety proof independent of it and lets it hit every fault path on purpose.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from typing import Any

import anyio
import httpx

GARBAGE = b'{"status": "accepted", "acceptedOrders": [{"orderId": "not-a-n'
"""A 2xx body cut short: what a proxy or a half-written response looks like."""


class FakeAbp:
    def __init__(
        self,
        faults: Iterable[str] = (),
        *,
        fault_rate: float = 0.0,
        seed: int = 0,
        kinds: tuple[str, ...] = (
            "drop",
            "timeout",
            "late",
            "500",
            "500-after",
            "503",
            "connect",
            "429",
        ),
        page_size: int = 100,
        decline_over: float | None = None,
    ) -> None:
        self.script = list(faults)
        self.lookup_faults: list[str] = []
        """Faults for GET /orders: ``timeout``, ``500``, ``garbage`` (200 with a body that
        does not decode) or ``401`` (consumed one per lookup)."""
        self.fault_rate = fault_rate
        self.kinds = kinds
        self.rng = random.Random(seed)
        self.page_size = page_size
        self.decline_over = decline_over
        self.orders: dict[int, dict[str, Any]] = {}
        self.by_uuid: dict[str, int] = {}
        self.bets: dict[int, dict[str, Any]] = {}
        self.deferred: list[list[dict[str, Any]]] = []
        self.placements = 0
        self.faults_hit: list[str] = []
        self.hung: anyio.Event | None = None
        """Set (when a test puts an Event here) once a ``hang`` placement has committed."""
        self.next_order = 100
        self.next_bet = 500

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    # -------------------------------------------------------------------------------------

    def _fault(self) -> str | None:
        if self.script:
            return self.script.pop(0) or None
        if self.fault_rate and self.rng.random() < self.fault_rate:
            return self.rng.choice(self.kinds)
        return None

    def land_deferred(self) -> None:
        """Requests held on the wire reach ABP now."""
        for batch in self.deferred:
            self._commit(batch)
        self.deferred.clear()

    def _commit(
        self, orders: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        accepted: list[dict[str, Any]] = []
        declined: list[dict[str, Any]] = []
        for o in orders:
            uuid = o["requestUuid"]
            if uuid in self.by_uuid:
                continue  # duplicate: skipped silently
            if self.decline_over is not None and o["orderStake"] > self.decline_over:
                declined.append(
                    {
                        "requestUuid": uuid,
                        "fixtureId": o["fixtureId"],
                        "outcomeId": o["outcomeId"],
                        "declineReason": f"Order stake {o['orderStake']:.2f} USD exceeds "
                        f"available limit {self.decline_over:.2f} USD",
                    }
                )
                continue
            self.next_order += 1
            oid = self.next_order
            self.next_bet += 1
            bet = {
                "betId": self.next_bet,
                "orderId": oid,
                "bookmaker": "pinnacle",
                "betStatus": "CONFIRMED",
                "settlementStatus": "UNSETTLED",
                "placedStake": o["orderStake"],
                "placedPrice": o["orderPrice"],
                "placedCurrency": "USD",
                "userRef": o["userRef"],
                "requestUuid": uuid,
            }
            order = {
                "orderId": oid,
                "requestUuid": uuid,
                "orderStatus": "FILLED",
                "fixtureId": o["fixtureId"],
                "outcomeId": o["outcomeId"],
                "playerId": o["playerId"],
                "orderStake": o["orderStake"],
                "orderPrice": o["orderPrice"],
                "filledStake": o["orderStake"],
                "userRef": o["userRef"],
                "orderCurrency": o["orderCurrency"],
                "testOrder": o["testOrder"],
            }
            self.orders[oid] = order
            self.by_uuid[uuid] = oid
            self.bets[bet["betId"]] = bet
            accepted.append({**order, "bets": [bet]})
        return accepted, declined

    def _page(
        self, rows: list[dict[str, Any]], key: str, request: httpx.Request, name: str
    ) -> httpx.Response:
        rows.sort(key=lambda r: -r[key])
        after = request.url.params.get("afterOrderId" if key == "orderId" else "afterBetId")
        if after is not None:
            rows = [r for r in rows if r[key] < int(after)]
        limit = int(request.url.params.get("limit", self.page_size))
        page, more = rows[:limit], len(rows) > limit
        body = {
            "status": "success",
            name: page,
            "count": len(page),
            "hasMore": more,
            "nextCursor": page[-1][key] if more else None,
        }
        return httpx.Response(200, json=body)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.headers.get("x-api-key") != "test-key":
            return httpx.Response(401, json={"error": "Invalid or inactive API key"})
        if path == "/place-orders":
            response = self._place(request)
            if response is None:  # "hang": committed, the answer never comes
                if self.hung is not None:
                    self.hung.set()
                await anyio.sleep_forever()
                raise AssertionError("unreachable")
            return response
        if path == "/orders":
            if self.lookup_faults:
                fault = self.lookup_faults.pop(0)
                self.faults_hit.append(f"lookup-{fault}")
                if fault == "timeout":
                    raise httpx.ReadTimeout("timed out", request=request)
                if fault == "garbage":
                    return httpx.Response(200, content=GARBAGE)
                if fault == "401":
                    return httpx.Response(401, json={"error": "Invalid or inactive API key"})
                return httpx.Response(500, json={"detail": "Internal Server Error"})
            p = request.url.params
            ids = {int(x) for x in p.get("orderIds", "").split(",") if x}
            uuids = {x for x in p.get("requestUuids", "").split(",") if x}
            ref = p.get("userRef")
            rows = [
                {**o, "bets": [b for b in self.bets.values() if b["orderId"] == o["orderId"]]}
                for o in self.orders.values()
                if o["orderId"] in ids or o["requestUuid"] in uuids or (ref and o["userRef"] == ref)
            ]
            return self._page(rows, "orderId", request, "orders")
        if path == "/bets":
            p = request.url.params
            oids = {int(x) for x in p.get("orderIds", "").split(",") if x}
            ref = p.get("userRef")
            rows = [
                dict(b)
                for b in self.bets.values()
                if b["orderId"] in oids or (ref and b["userRef"] == ref)
            ]
            return self._page(rows, "betId", request, "bets")
        return httpx.Response(404, json={"detail": "Not Found"})

    def _place(self, request: httpx.Request) -> httpx.Response | None:
        self.placements += 1
        for batch in self.deferred:  # in-flight requests from before land first
            self._commit(batch)
        self.deferred.clear()
        orders = json.loads(request.content)["orders"]
        fault = self._fault()
        if fault:
            self.faults_hit.append(fault)
        if fault == "connect":
            raise httpx.ConnectError("connection refused", request=request)
        if fault == "429":
            return httpx.Response(
                429,
                headers={"Retry-After": "0"},
                json={"detail": "Rate limit exceeded", "limit": "100", "retry_after": 0},
            )
        if fault in ("500", "503"):
            return httpx.Response(int(fault), json={"detail": "Internal Server Error"})
        if fault == "late":
            self.deferred.append(orders)
            raise httpx.ReadTimeout("timed out", request=request)
        if fault == "hold":
            self.deferred.append(orders)
            return None
        if all(o["requestUuid"] in self.by_uuid for o in orders):
            return httpx.Response(409, json={"detail": "All orders are duplicates"})
        accepted, declined = self._commit(orders)
        if fault == "drop":
            raise httpx.ReadError("connection reset by peer", request=request)
        if fault == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if fault == "500-after":
            return httpx.Response(500, json={"detail": "Internal Server Error"})
        if fault == "garbage":
            return httpx.Response(200, content=GARBAGE)
        if fault == "hang":
            return None
        status = "accepted" if not declined else ("declined" if not accepted else "partial-success")
        return httpx.Response(
            200,
            json={"status": status, "acceptedOrders": accepted, "declinedOrders": declined},
        )
