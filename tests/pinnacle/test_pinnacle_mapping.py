"""Odds → bets mapping (teams by homeTeamType, the open rule, limits) and filling an engine Book,
checked against the local server: every mapped selection is a line it knows and a bet it takes."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.pinnacle.conftest import assert_spec_conformant
from wagerkit import Book, currency_exponent
from wagerkit.clock import FakeClock
from wagerkit.errors import InvalidInput
from wagerkit.pinnacle.mapping import (
    Selection,
    bet_team,
    fill_book,
    is_open,
    limit_minor,
    line_team,
    max_risk,
    max_risk_exact,
    quote_from_line,
    quotes,
    register_account,
    update_book,
)
from wagerkit.pinnacle.models import LineResponse, OddsPeriod
from wagerkit.sim.pinnacle.testing import running_pinnacle

SOCCER = 29


@pytest.mark.parametrize(
    ("side", "home_team_type", "bet", "line"),
    [
        ("home", "Team1", "TEAM1", "Team1"),
        ("away", "Team1", "TEAM2", "Team2"),
        ("home", "Team2", "TEAM2", "Team2"),
        ("away", "Team2", "TEAM1", "Team1"),
        ("draw", "Team2", "DRAW", "Draw"),
    ],
)
def test_home_and_away_map_through_home_team_type(
    side: str, home_team_type: str, bet: str, line: str
) -> None:
    assert bet_team(side, home_team_type) == bet
    assert line_team(side, home_team_type) == line


def test_unknown_home_team_type_is_refused() -> None:
    with pytest.raises(InvalidInput):
        bet_team("home", None)


def test_open_for_betting_needs_status_1_future_cutoff_and_a_price() -> None:
    cutoff = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
    period = OddsPeriod(number=0, line_id=1, cutoff=cutoff, status=1)
    before = cutoff - dt.timedelta(minutes=1)
    assert is_open(period, before)
    assert not is_open(period, cutoff)
    assert not is_open(OddsPeriod(number=0, line_id=1, cutoff=cutoff, status=2), before)
    assert not is_open(period, before, priced=False)


def test_max_risk_from_max_volume_follows_the_faq() -> None:
    assert max_risk(1000, 2.5) == 1000
    assert max_risk(1000, 1.5) == pytest.approx(2000)
    with pytest.raises(InvalidInput):
        max_risk(1000, 1.0)


def test_limits_are_floored_for_non_usd_and_never_rounded_up() -> None:
    assert limit_minor(345.23, "GBP") == 34500
    assert limit_minor(345.239, "USD") == 34523
    assert limit_minor(1234.9, "JPY") == 1234


_SELECTION = Selection(SOCCER, 1, 2, 0, "MONEYLINE", "home")
_CURRENCIES = st.sampled_from(["USD", "EUR", "GBP", "JPY", "BHD"])


@settings(max_examples=400, deadline=None)
@given(
    units=st.integers(1, 10**6),
    cents=st.integers(0, 99),
    price_thousandths=st.integers(1_001, 30_000),
    currency=_CURRENCIES,
)
@example(units=3, cents=0, price_thousandths=1_700, currency="EUR")  # the reviewer's case
def test_a_line_quote_loses_no_unit_of_its_max_risk(
    units: int, cents: int, price_thousandths: int, currency: str
) -> None:
    """``/v1/line`` quotes the max *risk*; it reaches the engine Book as exactly that amount
    (floored to whole units outside USD, Pinnacle's rule), never a unit less. With float
    arithmetic through a volume and back, about one pair in twenty lost a unit."""
    exponent = currency_exponent(currency)
    quoted = Fraction(units) + (Fraction(cents, 100) if currency == "USD" else 0)
    risk = float(quoted)  # what the JSON decoder hands over: "2.99" -> 2.99
    price = price_thousandths / 1000
    line = LineResponse(status="SUCCESS", price=price, line_id=7, max_risk_stake=risk)
    quote = quote_from_line(_SELECTION, line)
    assert quote is not None and quote.max_risk == risk
    expected = int(quoted * 10**exponent)
    assert quote.max_risk_minor(currency) == expected
    book = Book()
    register_account(book, "pin", currency)
    slot = fill_book(book, quote, account="pin", currency=currency)
    assert book.get(slot).limit == expected


@settings(max_examples=400, deadline=None)
@given(
    volume_cents=st.integers(1, 10**8),
    price_thousandths=st.integers(1_001, 2_000),
)
@example(volume_cents=210, price_thousandths=1_700)  # 2.1 / 0.7 is 3 exactly, not 2.99
def test_an_odds_limit_is_the_largest_risk_within_the_volume(
    volume_cents: int, price_thousandths: int
) -> None:
    """For a price up to 2 the max risk is volume / (price - 1): the limit in cents is the
    largest risk whose win stays within the volume, computed exactly and rounded down once."""
    volume = Fraction(volume_cents, 100)
    price = Fraction(price_thousandths, 1000)
    limit = limit_minor(max_risk_exact(float(volume), float(price)), "USD")
    assert Fraction(limit, 100) * (price - 1) <= volume  # never above the limit
    assert Fraction(limit + 1, 100) * (price - 1) > volume  # and no cent given away


@pytest.mark.anyio
async def test_every_quote_maps_to_a_known_line_and_a_bet_the_server_takes(
    clock: FakeClock,
) -> None:
    with running_pinnacle({"move_probability": 0.0}, clock=clock, policy="2022") as running:
        async with running.client(policy="2022") as client:
            leagues = {lg.id: lg.home_team_type for lg in (await client.leagues(SOCCER)).leagues}
            odds = await client.odds(SOCCER, event_ids=[1600000012])  # Serie A: home is Team2
            league = odds.leagues[0]
            event = league.events[0]
            period = next(p for p in event.periods if p.number == 0)
            all_quotes = list(quotes(SOCCER, league.id, event.id, period, now=clock.time()))
            kinds = {q.selection.bet_type for q in all_quotes}
            assert kinds == {"MONEYLINE", "SPREAD", "TOTAL_POINTS", "TEAM_TOTAL_POINTS"}
            for q in all_quotes:
                line = await client.line(**q.selection.line_fields(leagues[league.id]))  # type: ignore[arg-type]
                assert line.status == "SUCCESS", q.selection
                assert line.price == pytest.approx(q.price)
                assert line.alt_line_id == q.selection.alt_line_id
                assert line.max_risk_stake == pytest.approx(q.max_risk, abs=0.01)
                exact = quote_from_line(q.selection, line)
                assert exact is not None and exact.max_risk == pytest.approx(line.max_risk_stake)
            for q in all_quotes[:6]:
                outcome = await client.place_straight(
                    **q.selection.bet_fields(leagues[league.id]),
                    line_id=q.line_id,
                    stake=5.0,  # type: ignore[arg-type]
                )
                assert outcome.price == pytest.approx(q.price)
    assert_spec_conformant(running)


@pytest.mark.anyio
async def test_pinnacle_quotes_fill_an_engine_book_in_the_account_currency(
    clock: FakeClock,
) -> None:
    with running_pinnacle(
        {"move_probability": 0.0, "account": {"currency": "EUR"}}, clock=clock
    ) as running:
        async with running.client() as client:
            odds = await client.odds(SOCCER, event_ids=[1600000012], to_currency="EUR")
            league = odds.leagues[0]
            period = league.events[0].periods[0]
            home = next(
                q
                for q in quotes(SOCCER, league.id, 1600000012, period, now=clock.time())
                if q.selection.bet_type == "MONEYLINE" and q.selection.side == "home"
            )
            book = Book()
            register_account(book, "pin-eur", "EUR")
            slot = fill_book(
                book, home, account="pin-eur", currency="EUR", fixture_id="F1", outcome_id="O1"
            )
            assert book.best_price() == home.price
            quote = book.get(slot)
            assert quote.limit == limit_minor(
                max_risk(period.max_moneyline or 0, home.price), "EUR"
            )
            assert period.max_moneyline == 920.0  # 1000 USD floored to whole euros by the server
            closed = type(home)(home.selection, home.line_id, home.price, home.max_volume, False)
            update_book(book, slot, closed, "EUR")
            assert book.best_price() is None  # an inactive quote is not a price
    assert_spec_conformant(running)
