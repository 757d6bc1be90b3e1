"""A betslip frame to an updated Book: one engine call against LiveBook's former Python path.

The engine side is :meth:`wagerkit.abp.LiveBook.apply_json`: the payload bytes go into Rust,
which decodes them, checks the whole quote, converts units, moves the slot and returns what
changed. The baseline is what LiveBook did before (``tests.reference.livebook``): msgspec's
typed decode, then the checks in Python and the engine's Book calls. A second, ungated line
compares with today's typed path (msgspec decode, then the engine's typed entry).

Each call takes the next frame of a repeating feed over 50 bookmakers (a quarter of them
exchanges with a lay quote, currencies rotating through USD, EUR, GBP and JPY) and asserts
inside the timed loop that the frame was applied.
"""

from __future__ import annotations

import itertools
from typing import Any

import msgspec
from tests.reference.livebook import PyLiveBook

from benches.ratio_gate import compare, measure_only
from wagerkit.abp.livebook import LiveBook
from wagerkit.abp.models import BetslipUpdate

FIX = "id1000004461512432"
N_BOOKMAKERS = 50
RATES = {"USD": 1, "EUR": 0.84788876, "GBP": 0.7412, "JPY": 151.234}
CURRENCIES = tuple(RATES)

GATE = 2.0
"""Below half the ratios measured against the former Python path: 1.8-10.3× over six timed
runs (median ~6×) on a 2-core machine at load average 7-11, where even the reference's own
times swing 3×; callgrind, which load does not disturb, counts 3.6× fewer instructions."""


def frames() -> list[bytes]:
    """1024 betslip payloads as ABP sends them, moving price and limit of every account."""
    out = []
    for i in range(1024):
        k = i % N_BOOKMAKERS
        bookmaker, currency = f"bk{k:02d}", CURRENCIES[k % len(CURRENCIES)]
        frame: dict[str, Any] = {
            "fixtureId": FIX,
            "outcomeId": 103,
            "playerId": 0,
            "bookmaker": bookmaker,
            "marketKey": f"{FIX}:{bookmaker}:103:0",
            "price": round(1.85 + ((i * 7) % 30) / 100, 2),
            "limit": 500 + (i % 97),
            "limitMin": 1,
            "limitCurrency": currency,
            "limitUsd": 500.0,
            "active": True,
            "account": f"{bookmaker}_main",
            "currencyInfo": {
                "currency": currency,
                "currencyValue": RATES[currency],
                "updatedAt": "2026-02-07T17:29:32+00:00",
            },
            "bookmakerFixtureId": "1610000000",
            "bookmakerOutcomeId": "103",
        }
        if k % 4 == 0:
            frame["meta"] = {"lay": {"price": frame["price"] + 0.04, "limit": 300}}
        out.append(msgspec.json.encode(frame))
    return out


def test_bench_betslip_frame(benchmark: Any) -> None:
    """One betslip frame → Book: the engine's one call against msgspec + LiveBook's former
    Python logic, same books afterwards, faster by the gate."""
    payloads = frames()
    decode = msgspec.json.Decoder(BetslipUpdate).decode
    live, old, typed = LiveBook(FIX, 103), PyLiveBook(FIX, 103), LiveBook(FIX, 103)
    for payload in payloads:
        assert live.apply_json(payload).applied
        assert old.apply(decode(payload))
        assert typed.apply(decode(payload))
    quotes = [(q.key, q.account, q.price, q.limit, q.back) for q in live.book.quotes()]
    assert quotes == [(q.key, q.account, q.price, q.limit, q.back) for q in old.book.quotes()]
    assert len(quotes) == N_BOOKMAKERS + N_BOOKMAKERS // 4 + 1

    feed, old_feed, typed_feed = (itertools.cycle(payloads) for _ in range(3))
    apply_json, old_apply, typed_apply = live.apply_json, old.apply, typed.apply

    def engine() -> None:
        assert apply_json(next(feed)).applied

    def former() -> None:
        assert old_apply(decode(next(old_feed)))

    def typed_path() -> None:
        assert typed_apply(decode(next(typed_feed)))

    result = compare(
        benchmark,
        "betslip frame bytes -> Book (decode, check, convert, update)",
        engine,
        former,
        baseline_name="msgspec + former Python LiveBook",
        min_ratio=GATE,
    )
    if result is not None:
        measure_only(
            "betslip frame bytes -> Book, vs today's decoded path",
            engine,
            typed_path,
            "msgspec + LiveBook.apply (engine's typed entry)",
        )
