"""ABP wire handling: a 50-bookmaker betslip decoded into Structs (≥ 5× json + dicts) and one
stream message decoded and applied to the state cache (≥ 0.8× json + a dict, see STREAM_GATE).

Baselines are what a bot without msgspec would write: ``json.loads`` and then the checks the
Structs give for free (each quote's fields present with the right types), collected into plain
dicts. ``json.loads`` alone (no checks at all) is measured too and printed, ungated, so the
table shows both honestly.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import msgspec

from benches.ratio_gate import compare, measure_only
from wagerkit.abp.client import AbpClient
from wagerkit.abp.messages import decode_envelope
from wagerkit.abp.models import decode_betslip
from wagerkit.abp.stream import AbpStream

FIXTURE = "id1000004461512432"
CURRENCIES = {"USD": 1.0, "EUR": 0.84788876, "GBP": 0.7412, "JPY": 151.234}


def betslip_bytes(bookmakers: int = 50) -> bytes:
    """An ABP betslip for one selection with ``bookmakers`` quotes in four currencies."""
    odds: dict[str, Any] = {}
    for i in range(bookmakers):
        slug = f"book{i:02d}"
        ccy = list(CURRENCIES)[i % 4]
        odds[slug] = {
            f"{FIXTURE}:{slug}:103:0": {
                "price": round(1.9 + (i * 7 % 50) / 100, 2),
                "limit": round(500 * CURRENCIES[ccy], 2),
                "limitMin": 1,
                "limitCurrency": ccy,
                "limitUsd": 500.0,
                "limitMinUsd": round(1 / CURRENCIES[ccy], 2),
                "active": True,
                "account": f"{slug}_main",
                "currencyInfo": {
                    "currency": ccy,
                    "currencyValue": CURRENCIES[ccy],
                    "updatedAt": "2026-02-07T17:29:32+00:00",
                },
                "bookmakerFixtureId": f"{slug}-{FIXTURE}",
                "bookmakerMarketId": str(1000 + i),
                "bookmakerOutcomeId": str(2000 + i),
                "meta": {},
            }
        }
    return json.dumps(
        {
            "fixtureId": FIXTURE,
            "outcomeId": 103,
            "playerId": 0,
            "client": "bench",
            "fixtureInfo": {
                "fixtureId": FIXTURE,
                "status": {"live": False, "statusId": 0, "statusName": "Pre-Game"},
                "sport": {"sportId": 10, "sportName": "Soccer"},
                "tournament": {
                    "tournamentId": 1,
                    "tournamentName": "Serie A",
                    "categoryName": "Italy",
                },
                "startTime": 1790000000,
                "participants": {
                    "participant1Name": "AS Roma",
                    "participant2Name": "Cagliari Calcio",
                },
            },
            "outcomeInfo": {"marketName": "Full Time Result", "outcomeName": "2"},
            "odds": odds,
        }
    ).encode()


_NUM = (int, float)
_OPT_NUM_FIELDS = ("limit", "limitMin", "limitUsd", "limitMinUsd")
_OPT_STR_FIELDS = ("limitCurrency", "account", "marketKey")
_ID_FIELDS = ("bookmakerFixtureId", "bookmakerMarketId", "bookmakerOutcomeId")


def _is_num(value: Any) -> bool:
    return isinstance(value, _NUM) and not isinstance(value, bool)


def _check_quote(q: Any) -> None:
    """Every guarantee the ``BetslipQuote`` Struct gives, written by hand."""
    if not isinstance(q, dict) or not _is_num(q.get("price")):
        raise ValueError("price")
    for name in _OPT_NUM_FIELDS:
        value = q.get(name)
        if value is not None and not _is_num(value):
            raise ValueError(name)
    for name in _OPT_STR_FIELDS:
        value = q.get(name)
        if value is not None and not isinstance(value, str):
            raise ValueError(name)
    for name in _ID_FIELDS:
        value = q.get(name)
        if value is not None and not isinstance(value, (str, int)):
            raise ValueError(name)
    if not isinstance(q.get("active", True), bool):
        raise ValueError("active")
    info = q.get("currencyInfo")
    if info is not None and not (
        isinstance(info, dict)
        and isinstance(info.get("currency"), str)
        and _is_num(info.get("currencyValue"))
        and (info.get("updatedAt") is None or isinstance(info.get("updatedAt"), str))
    ):
        raise ValueError("currencyInfo")


def json_and_checked_dicts(data: bytes) -> dict[str, Any]:
    """json.loads, then the same type checks a Struct decode performs, into plain dicts.

    Like for like: the Struct rejects a wrong type in any field it declares, so the baseline
    checks every one of those fields too (fixture/outcome info is checked for shape only).
    """
    doc = json.loads(data)
    if not isinstance(doc, dict) or not isinstance(doc.get("outcomeId"), int):
        raise ValueError("bad betslip")
    for name in ("fixtureId", "client"):
        if doc.get(name) is not None and not isinstance(doc[name], str):
            raise ValueError(name)
    for name in ("fixtureInfo", "outcomeInfo"):
        if doc.get(name) is not None and not isinstance(doc[name], dict):
            raise ValueError(name)
    odds = doc.get("odds", {})
    if not isinstance(odds, dict):
        raise ValueError("odds")
    quotes: dict[str, dict[str, dict[str, Any]]] = {}
    for slug, markets in odds.items():
        if not isinstance(markets, dict):
            raise ValueError("odds")
        out: dict[str, dict[str, Any]] = {}
        for key, q in markets.items():
            _check_quote(q)
            out[key] = q
        quotes[slug] = out
    doc["odds"] = quotes
    return doc


def test_bench_abp_betslip_decode(benchmark: Any) -> None:
    """Decoding a 50-bookmaker betslip into Structs is ≥ 5× json + checked dicts."""
    data = betslip_bytes(50)
    slip = decode_betslip(data)
    plain = json_and_checked_dicts(data)
    assert len(slip.odds) == len(plain["odds"]) == 50
    assert {k: q.price for m in slip.odds.values() for k, q in m.items()} == {
        k: q["price"] for m in plain["odds"].values() for k, q in m.items()
    }
    result = compare(
        benchmark,
        "ABP betslip decode (50 bookmakers)",
        lambda: decode_betslip(data),
        lambda: json_and_checked_dicts(data),
        baseline_name="json + checked dicts",
        min_ratio=5.0,
    )
    if result is not None:
        measure_only(
            "ABP betslip decode (50 bookmakers)",
            lambda: decode_betslip(data),
            lambda: json.loads(data),
            "json.loads only (no checks)",
        )


def order_frames(n: int = 1000) -> list[bytes]:
    """Stream frames: order updates cycling through n orders, each with one bet."""
    frames = []
    for seq in range(1, 4 * n + 1):
        oid = seq % n + 1
        status = ("PENDING", "PARTIALLY_FILLED", "FILLED")[min(2, seq // n)]
        frames.append(
            msgspec.json.encode(
                {
                    "type": "data",
                    "channel": "orders",
                    "event": "UPDATE",
                    "ts": 1790000000000 + seq,
                    "seq": seq,
                    "payload": {
                        "orderId": oid,
                        "requestUuid": f"00000000-0000-4000-8000-{oid:012d}",
                        "orderStatus": status,
                        "fixtureId": FIXTURE,
                        "outcomeId": 103,
                        "playerId": 0,
                        "orderStake": 10.0,
                        "orderPrice": 1.95,
                        "filledStake": 10.0 if status == "FILLED" else 0.0,
                        "orderCurrency": "USD",
                        "userRef": "bench",
                        "updatedAt": f"2026-11-21T05:{seq // 600 % 60:02d}:{seq // 10 % 60:02d}Z",
                        "bets": [
                            {
                                "betId": oid,
                                "orderId": oid,
                                "bookmaker": "pinnacle",
                                "betStatus": "CONFIRMED",
                                "settlementStatus": "UNSETTLED",
                                "placedStake": 10.0,
                                "placedPrice": 1.98,
                                "placedCurrency": "USD",
                            }
                        ],
                    },
                }
            )
        )
    return frames


class DictCache:
    """The baseline: json.loads and a dict of dicts, last write wins, no checks."""

    def __init__(self) -> None:
        self.orders: dict[int, dict[str, Any]] = {}
        self.bets: dict[int, dict[str, Any]] = {}

    def apply(self, frame: bytes) -> None:
        msg = json.loads(frame)
        if msg.get("type") == "data" and msg.get("channel") == "orders":
            payload = msg["payload"]
            for bet in payload.get("bets", ()):
                self.bets[bet["betId"]] = bet
            self.orders[payload["orderId"]] = payload


STREAM_GATE = 0.8
"""The stream path does more than its baseline (typed decode with checks, the monotonic merge,
a bounded cache, bad-frame handling) and measures about 1.2× faster anyway. The gate asks for
no worse than 0.8×: met with a wide margin on a noisy shared machine, yet a change that makes
message handling half as fast again fails the build."""


def test_bench_abp_stream_message(benchmark: Any) -> None:
    """Decode one stream frame, apply it to the state cache (monotonic merge, bounded) and
    hand the event to the bot (queued and taken, as ``async for`` would: nothing dropped)."""
    frames = order_frames()
    stream = AbpStream(AbpClient("bench-key", "https://abp.invalid"), reconcile=False, buffer=1)
    baseline = DictCache()
    for f in frames:
        stream._apply(decode_envelope(f))
        stream._events.popleft()
        baseline.apply(f)
    assert len(stream.state) == len(baseline.orders) == 1000
    mine = itertools.cycle(frames)
    theirs = itertools.cycle(frames)
    events = stream._events

    def apply_and_take() -> None:
        stream._apply(decode_envelope(next(mine)))
        events.popleft()  # raises IndexError if the event was not delivered

    compare(
        benchmark,
        "ABP stream message decode + apply",
        apply_and_take,
        lambda: baseline.apply(next(theirs)),
        baseline_name="json.loads + dict (no checks, no merge)",
        min_ratio=STREAM_GATE,
    )
    assert stream.dropped == 0 and stream.messages > len(frames)
