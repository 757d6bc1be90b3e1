"""A LiveBook takes the venue's quotes whole or not at all, and stays bounded; the stream
skips a bad frame and keeps going.

ABP (and the simulator, which validates what it publishes) never sends these values on
purpose, so the hostile frames are played through a scripted socket, the stream's equivalent
of ``httpx.MockTransport``.
"""

from __future__ import annotations

import logging
import math
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import anyio
import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.abp.conftest import fake_client
from tests.abp.fakeabp import FakeAbp
from tests.abp.test_abp_stream import ScriptedSocket, order_frame
from wagerkit._core import Fx
from wagerkit.abp.livebook import LiveBook
from wagerkit.abp.messages import NOT_DECODED
from wagerkit.abp.models import BetslipUpdate, CurrencyInfo
from wagerkit.abp.stream import AbpStream
from wagerkit.errors import AuthError, InvalidInput, ProtocolError
from wagerkit.transport import Backoff

FIX = "id1000004461512432"
KEY = f"{FIX}:pinnacle:103:0"


def update(**kw: Any) -> BetslipUpdate:
    values: dict[str, Any] = {
        "price": 2.0,
        "limit": 500.0,
        "limit_min": 1.0,
        "limit_currency": "USD",
        "account": "main",
        "currency_info": CurrencyInfo("USD", 1.0),
        "market_key": KEY,
        "fixture_id": FIX,
        "outcome_id": 103,
        "player_id": 0,
        "bookmaker": "pinnacle",
    }
    values.update(kw)
    return BetslipUpdate(**values)


def seeded() -> LiveBook:
    live = LiveBook(FIX, 103)
    live.apply(update(meta={"lay": {"price": 2.1, "limit": 300.0}}))
    live.apply(
        update(
            bookmaker="sharpbet",
            market_key=f"{FIX}:sharpbet:103:0",
            limit_currency="EUR",
            currency_info=CurrencyInfo("EUR", 0.84788876, "2026-02-07T17:29:32+00:00"),
            price=2.05,
        )
    )
    return live


def snapshot(live: LiveBook) -> Any:
    """Everything a frame could change: every quote (live or not), rates, registrations."""
    quotes = sorted(
        (q.key, q.account, q.currency, q.price, q.limit, q.limit_min, q.active, q.back)
        for q in (live.book.get(slot) for slot in live._slots.values())
    )
    rates = [(c, live.fx.rate_str(c), live.fx.updated_at(c)) for c in live.fx.currencies()]
    return quotes, rates, dict(live._slots), dict(live._accounts), live.updates, len(live.book)


BAD = {
    "price of 1": {"price": 1.0},
    "price below 1": {"price": 0.5},
    "price that rounds to 1": {"price": 1.0000004},
    "price infinite": {"price": math.inf},
    "price 1e300": {"price": 1e300},
    "negative limit": {"limit": -5.0},
    "limit 1e300": {"limit": 1e300},
    "limit NaN": {"limit": math.nan},
    "negative limitMin": {"limit_min": -1.0},
    "unknown currency": {"limit_currency": "XYZ", "currency_info": None},
    "currencyValue 0": {"limit_currency": "EUR", "currency_info": CurrencyInfo("EUR", 0.0)},
    "currencyValue 1e300": {"limit_currency": "EUR", "currency_info": CurrencyInfo("EUR", 1e300)},
    "USD rate not 1": {"currency_info": CurrencyInfo("USD", 1.5)},
    "rate for a made-up currency": {"currency_info": CurrencyInfo("ZZZ", 2.0)},
    "market key of another selection": {"market_key": f"{FIX}:pinnacle:104:0"},
    "market key of another bookmaker": {"market_key": f"{FIX}:sharpbet:103:0"},
    "bookmaker with a colon": {"bookmaker": "pin:nacle", "market_key": None},
    "lay price of 1, back fine": {"price": 2.2, "meta": {"lay": {"price": 1.0}}},
    "lay negative limit, back fine": {"price": 2.2, "meta": {"lay": {"price": 2.3, "limit": -1}}},
    "lay price a string": {"price": 2.2, "meta": {"lay": {"price": "2.3"}}},
    "lay not an object": {"price": 2.2, "meta": {"lay": [2.3]}},
    "lay active not a bool": {"price": 2.2, "meta": {"lay": {"price": 2.3, "active": "no"}}},
    "good rate, bad quote": {
        "price": 0.9,
        "limit_currency": "GBP",
        "currency_info": CurrencyInfo("GBP", 0.75),
    },
}


@pytest.mark.parametrize("fields", list(BAD.values()), ids=list(BAD))
def test_a_bad_quote_is_a_protocol_error_and_changes_nothing(fields: dict[str, Any]) -> None:
    live = seeded()
    before = snapshot(live)
    with pytest.raises(ProtocolError):
        live.apply(update(**fields))
    assert snapshot(live) == before


def test_a_good_quote_moves_back_and_lay_together() -> None:
    live = seeded()
    assert live.apply(update(price=2.4, meta={"lay": {"price": 2.5, "limit": 10.0}}))
    assert live.book.best_price() == 2.4 and live.book.best_price(back=False) == 2.5
    assert live.updates == 3


def test_an_account_that_changes_currency_gets_its_quotes_in_the_new_currency() -> None:
    """After ABP re-denominates an account (PATCH currencyId), its old USD quotes are dropped
    and the new one is read in EUR: limits are never interpreted in the wrong currency."""
    live = seeded()
    eur = CurrencyInfo("EUR", 0.84788876, "2026-02-07T17:29:32+00:00")
    assert live.apply(update(limit_currency="EUR", currency_info=eur, limit=100.0, price=2.2))
    pinnacle = [q for q in live.book.quotes() if q.bookmaker == "pinnacle"]
    assert [(q.currency, q.limit, q.back) for q in pinnacle] == [("EUR", 10000, True)]
    # 100.00 EUR at 0.84788876 EUR per USD is 117.939... USD, 117.93 rounded down
    assert live.book.available(2.2, "USD", live.fx) == 11793  # only pinnacle is at 2.2


finite = st.floats(allow_nan=True, allow_infinity=True, width=64)
amount = st.one_of(st.none(), finite, st.sampled_from([0.0, -1.0, 1e300, 12.345]))


@settings(max_examples=300, deadline=None)
@given(
    price=st.one_of(finite, st.sampled_from([1.0, 1.0000004, 1.0000006, 1.5, 2.0])),
    limit=amount,
    limit_min=amount,
    currency=st.sampled_from(["USD", "EUR", "GBP", "JPY", "XYZ", "usd"]),
    rate=st.one_of(st.none(), finite, st.sampled_from([0.0, 1.0, 0.84, 1e300, 1e-20])),
    lay=st.one_of(
        st.none(),
        st.fixed_dictionaries({"price": st.one_of(finite, st.text(max_size=3))}),
        st.fixed_dictionaries({"price": st.just(2.5), "limit": amount}),
        st.integers(),
    ),
)
def test_a_quote_is_applied_whole_or_refused_with_nothing_changed(
    price: float,
    limit: float | None,
    limit_min: float | None,
    currency: str,
    rate: float | None,
    lay: Any,
) -> None:
    """Whatever values the venue sends, the entry either lands completely or raises
    ProtocolError leaving book, rates and registrations exactly as they were; never any
    other exception."""
    live = seeded()
    before = snapshot(live)
    info = None if rate is None else CurrencyInfo(currency, rate)
    frame = update(
        price=price,
        limit=limit,
        limit_min=limit_min,
        limit_currency=currency,
        currency_info=info,
        meta=None if lay is None else {"lay": lay},
    )
    try:
        live.apply(frame)
    except ProtocolError:
        assert snapshot(live) == before
    else:
        quote = live.book.get(live._slots[("pinnacle/main", True)])
        assert quote.price == six_places(price) and quote.currency == currency
        if isinstance(lay, dict):
            lay_quote = live.book.get(live._slots[("pinnacle/main", False)])
            assert lay_quote.price == six_places(lay["price"])


def six_places(price: float) -> float:
    """The engine keeps prices to 6 decimals (shortest form, half-even)."""
    return float(Decimal(repr(price)).quantize(Decimal("0.000001"), ROUND_HALF_EVEN))


def test_hostile_account_names_cannot_grow_the_book_without_limit() -> None:
    live = LiveBook(FIX, 103, max_accounts=50)
    for i in range(50):
        live.apply(update(account=f"acct{i}"))
    before = snapshot(live)
    for i in range(50, 1000):
        with pytest.raises(ProtocolError, match="more than 50 accounts"):
            live.apply(update(account=f"acct{i}"))
    for i in range(1000):  # new market keys for a known account: refused, not remembered
        with pytest.raises(ProtocolError):
            live.apply(update(account="acct0", market_key=f"{FIX}:pinnacle:103:{i + 1}"))
    with pytest.raises(ProtocolError, match="too long"):
        live.apply(update(account="x" * 10_000))
    assert snapshot(live) == before
    assert len(live._slots) <= 2 * live.max_accounts
    live.apply(update(account="acct7", price=3.0))  # known accounts still move
    assert live.book.best_price() == 3.0


# --------------------------------------------------------------------------------------------
# the stream: a bad frame is skipped, the connection and the rest of the state carry on


def betslip_frame(seq: int, **fields: Any) -> dict[str, Any]:
    payload = msgspec.to_builtins(update(**fields))
    return {"type": "data", "channel": "betslip", "event": "UPDATE", "seq": seq, "payload": payload}


@pytest.mark.anyio
async def test_the_stream_skips_bad_frames_and_keeps_going(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, "wagerkit.abp.stream")
    client = fake_client(FakeAbp())
    live = seeded()
    stream = AbpStream(client, books=[live], reconcile=False)
    ws = ScriptedSocket(
        [
            {"type": "login_ok"},
            betslip_frame(1, price=1.0),  # InvalidInput from the engine before the fix
            betslip_frame(2, price=2.2, meta={"lay": {"price": -3}}),
            betslip_frame(
                3, limit_currency="EUR", currency_info={"currency": "EUR", "currencyValue": 0}
            ),
            order_frame(4, 4),
            betslip_frame(5, price=2.6),
        ]
    )
    ws.frames.insert(4, "this is not JSON")
    with pytest.raises(anyio.EndOfStream):
        await stream._serve(ws, "test-key")  # type: ignore[arg-type]
    assert stream.bad_frames == 4
    assert live.book.best_price() == 2.6 and live.book.best_price(back=False) == 2.1
    assert stream.state.order(4) is not None
    events = [await anext(stream) for _ in range(5)]
    assert [e.data is None for e in events] == [True, True, True, False, False]
    assert msgspec.json.decode(events[0].raw)["price"] == 1.0  # what ABP sent stays reachable
    assert "bad betslip frame" in caplog.text and "test-key" not in caplog.text
    await client.aclose()


@pytest.mark.anyio
async def test_after_login_every_failure_reconnects_only_login_refusals_stop() -> None:
    """A refused key on a REST reconciliation, or an InvalidInput from applying data, after the
    WebSocket login succeeded must not kill the stream: it reconnects. A login refusal does."""
    client = fake_client(FakeAbp())
    # _session is replaced and never logs in: do not wait for a login on entering
    stream = AbpStream(client, reconcile=False, backoff=Backoff(0.001, 0.002), wait_on_enter=False)
    failures = [AuthError("GET /orders: HTTP 401"), InvalidInput("bad quote")]
    blocked = anyio.Event()

    async def session() -> None:
        if failures:
            raise failures.pop(0)
        blocked.set()
        await anyio.sleep_forever()

    stream._session = session  # type: ignore[method-assign]
    async with stream:
        with anyio.fail_after(5):
            await blocked.wait()
    assert stream.disconnects == 2 and stream._error is None
    await client.aclose()

    refused = AbpStream(fake_client(FakeAbp()), reconcile=False)
    ws = ScriptedSocket([{"type": "error", "code": "UNAUTHORIZED", "message": "bad key"}])

    async def login_refused() -> None:
        await refused._serve(ws, "k")  # type: ignore[arg-type]

    refused._session = login_refused  # type: ignore[method-assign]
    with pytest.raises(AuthError):
        async with refused:
            async for _ in refused:
                pass


def frames_of_both_paths() -> list[dict[str, Any]]:
    """Betslip frames: ours (EUR rate), another selection's (GBP rate), ours with a bad price."""
    return [
        {"type": "login_ok"},
        betslip_frame(
            1,
            bookmaker="sharpbet",
            market_key=f"{FIX}:sharpbet:103:0",
            limit_currency="EUR",
            currency_info=CurrencyInfo("EUR", 0.9, "2026-02-07T18:00:00+00:00"),
            price=2.4,
        ),
        betslip_frame(
            2,
            fixture_id="id999",
            market_key="id999:pinnacle:103:0",
            limit_currency="GBP",
            currency_info=CurrencyInfo("GBP", 0.75),
        ),
        betslip_frame(3, price=1.0),
    ]


@pytest.mark.anyio
@pytest.mark.parametrize("own_fx", [False, True], ids=["one-call", "decoded"])
async def test_betslip_frames_move_books_and_rates_the_same_on_both_paths(own_fx: bool) -> None:
    """By default the stream shares its books' rate table and hands each betslip payload to
    the engine in one call, decoding ``data`` only when read; with a table of its own it
    decodes first. Books, rates, bad-frame counts and the events' data are the same."""
    client = fake_client(FakeAbp())
    live = seeded()
    stream = AbpStream(client, books=[live], reconcile=False, fx=Fx() if own_fx else None)
    assert (stream.fx is live.fx) is not own_fx
    with pytest.raises(anyio.EndOfStream):
        await stream._serve(ScriptedSocket(frames_of_both_paths()), "k")  # type: ignore[arg-type]
    assert stream.bad_frames == 1 and live.updates == 3  # two seeded, one from the stream
    assert live.book.best_price() == 2.4 and stream.fx.rate("EUR") == 0.9
    assert stream.fx.rate("GBP") == 0.75  # another selection's frame still brings its rate
    assert live.fx.rate("EUR") == 0.9
    events = [await anext(stream) for _ in range(3)]
    assert (events[0]._data is NOT_DECODED) is not own_fx  # one call: not decoded yet
    first = events[0].data
    assert isinstance(first, BetslipUpdate) and first.price == 2.4 and first.bookmaker == "sharpbet"
    assert events[0].data is first  # decoded once, then kept
    assert first == msgspec.json.decode(events[0].raw, type=BetslipUpdate)
    assert isinstance(events[1].data, BetslipUpdate) and events[1].data.fixture_id == "id999"
    assert events[2].data is None
    await client.aclose()
