"""Discovery by names a bettor uses, against the local server: the quickstart's fixture and
outcome found from "Soccer / Serie A / Roma / Full Time Result / 2", then the ids ABP and
Pinnacle take; and OddsPapi quotes feeding an engine Book."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from tests.oddspapi.conftest import QUICKSTART_FIXTURE
from wagerkit import Fx
from wagerkit.errors import InvalidInput, NotFound, ProtocolError
from wagerkit.oddspapi import (
    AsyncOddsPapiClient,
    MarketCatalogue,
    OddsBook,
    find_fixtures,
    find_selection,
    outcome_ids,
)
from wagerkit.oddspapi.book import best_lay
from wagerkit.sim.oddspapi.testing import RunningOddsPapi

pytestmark = pytest.mark.anyio


async def test_the_quickstart_selection_is_found_by_names(client: AsyncOddsPapiClient) -> None:
    selection = await find_selection(
        client,
        sport="Soccer",
        tournament="Serie A",
        participant="Roma",
        market="Full Time Result",
        outcome="2",
        start_from=dt.datetime.now(dt.UTC),
        start_to=dt.datetime.now(dt.UTC) + dt.timedelta(days=2),
    )
    assert (selection.fixture_id, selection.outcome_id, selection.player_id) == (
        QUICKSTART_FIXTURE,
        103,
        0,
    )
    assert selection.abp_ids() == {"fixtureId": QUICKSTART_FIXTURE, "outcomeId": 103, "playerId": 0}
    assert selection.odds_id("pinnacle") == f"{QUICKSTART_FIXTURE}:pinnacle:103:0"
    assert selection.pinnacle_event_id == 1610000001 and selection.pinnacle_side == "Team2"
    assert selection.fixture_name == "AS Roma v Cagliari Calcio"


async def test_fixtures_of_a_tournament_in_a_window(client: AsyncOddsPapiClient) -> None:
    tomorrow = await find_fixtures(
        client, sport="soccer", tournament="Serie A", within=dt.timedelta(days=1, hours=1)
    )
    assert [f.fixture_id for f in tomorrow] == [QUICKSTART_FIXTURE]
    assert await find_fixtures(client, sport=10, tournament=23, within=dt.timedelta(hours=1)) == []
    with pytest.raises(NotFound):
        await find_fixtures(client, sport="Soccer", tournament="Serie Z")


async def test_outcome_ids_of_named_markets(client: AsyncOddsPapiClient) -> None:
    assert await outcome_ids(client, QUICKSTART_FIXTURE, "Full Time Result") == {
        "1": 101,
        "X": 102,
        "2": 103,
    }
    assert await outcome_ids(client, QUICKSTART_FIXTURE, "1X2") == {"1": 101, "X": 102, "2": 103}
    ou = await outcome_ids(client, QUICKSTART_FIXTURE, "Over Under Full Time", handicap=3.5)
    assert ou == {"Over": 1012, "Under": 1013}
    with pytest.raises(InvalidInput, match="ambiguous"):  # two lines, two markets
        await outcome_ids(client, QUICKSTART_FIXTURE, "Over Under Full Time")
    catalogue = MarketCatalogue(await client.markets(10))
    market, outcome = catalogue.outcome(103)
    assert (market.market_name, outcome.outcome_name) == ("Full Time Result", "2")


async def test_odds_feed_an_engine_book_stale_never_live(oddspapi_sim: RunningOddsPapi) -> None:
    async with oddspapi_sim.client() as client:
        currencies = {b.slug: b.limit_currency or "USD" for b in await client.bookmakers()}
        book = OddsBook(QUICKSTART_FIXTURE, 103, limit_currencies=currencies)
        book.load_rates(await client.currencies())
        assert book.apply_odds(await client.fixture_odds(QUICKSTART_FIXTURE)) == 2
        fx = book.fx
        assert book.book.best_price() == 2.0
        quotes = {q.bookmaker: (q.price, q.limit, q.currency) for q in book.book.quotes()}
        assert quotes == {"pinnacle": (1.98, 1_500_000, "USD"), "sharpbet": (2.0, 75_134, "EUR")}
        assert book.book.available(1.95, "USD", fx) == 1_500_000 + 88_613  # 751.34 EUR in USD
        book.set_state("sharpbet", stale_odds=True)  # stale: shown, never live
        assert book.book.best_price() == 1.98
        assert book.book.available(1.95, "USD", fx) == 1_500_000
        book.set_state("sharpbet", stale_odds=False)
        assert book.book.best_price() == 2.0
        # an OddsPapi stream frame moves the quote; a suspended one goes dead
        frame = {
            "channel": "odds",
            "type": "UPDATE",
            "entryId": "1-0",
            "payload": {
                "fixtureId": QUICKSTART_FIXTURE,
                "bookmaker": "pinnacle",
                "outcomeId": 103,
                "price": 2.04,
                "limit": 9000,
            },
        }
        result = book.apply_frame(msgspec.json.encode(frame))
        assert result is not None and result.best_back_moved and book.book.best_price() == 2.04
        frame["payload"]["suspended"] = True  # type: ignore[index]
        book.apply_frame(msgspec.json.encode(frame))
        assert book.book.best_price() == 2.0
        other = dict(frame, payload={**frame["payload"], "outcomeId": 101})  # type: ignore[dict-item]
        assert book.apply_frame(msgspec.json.encode(other)) is None
        with pytest.raises(ProtocolError):
            book.apply_frame(b'{"channel": "odds"}')
        bad = dict(frame, payload={**frame["payload"], "price": 0.5, "suspended": False})  # type: ignore[dict-item]
        with pytest.raises(ProtocolError):
            book.apply_frame(msgspec.json.encode(bad))
        assert isinstance(fx, Fx)


async def test_an_exchange_lay_from_meta_is_a_lay_quote(oddspapi_sim: RunningOddsPapi) -> None:
    """Betfair's ladder in ``meta`` (the ABP scenario's lay quote: 2.16 for 400 EUR on Arsenal)
    becomes the Book's lay side, and goes dead with the exchange's stale flag."""
    arsenal = "id1000001772221240"
    async with oddspapi_sim.client() as client:
        currencies = {b.slug: b.limit_currency or "USD" for b in await client.bookmakers()}
        odds = await client.fixture_odds(arsenal, bookmakers=["betfair_ex"])
        meta = odds.odds["betfair_ex"][f"{arsenal}:betfair_ex:101:0"].meta
        assert meta == {
            "availableToBack": [{"price": 2.12, "size": 500}],
            "availableToLay": [{"price": 2.16, "size": 400}],
        }
        book = OddsBook(arsenal, 101, limit_currencies=currencies)
        book.apply_odds(odds)
    assert book.book.best_price(back=False) == 2.16
    lay = next(q for q in book.book.quotes(back=False))
    assert (lay.bookmaker, lay.limit, lay.currency) == ("betfair_ex", 40_000, "EUR")
    book.set_state("betfair_ex", suspended=True)
    assert book.book.best_price(back=False) is None and book.book.best_price() is None
    book.set_state("betfair_ex", suspended=False)
    assert book.book.best_price(back=False) == 2.16
    assert best_lay({"lay": [{"price": 3.1, "limit": 20, "cents": 32}]}) == {
        "price": 3.1,
        "limit": 20,
        "active": True,
    }
    assert best_lay({"availableToLay": []}) is None and best_lay(None) is None
