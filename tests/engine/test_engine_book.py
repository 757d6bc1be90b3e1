"""The Book: slots, updates, removals, and reads (docs/engine.md §2, §6) on random books."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.engine.book_strategies import RATED, BookSpec, book_specs, build, prices

PROPERTY = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

KEY = "f1:alpha:103:0"


def two_account_book(impl: ModuleType) -> Any:
    """Two alpha accounts in USD, no quotes yet."""
    book = impl.Book()
    book.set_account("a1", "alpha", "USD")
    book.set_account("a2", "alpha", "USD", priority=2)
    return book


def test_upsert_returns_a_slot_that_update_moves(impl: ModuleType) -> None:
    """upsert hands out a slot; update(slot, …) moves that quote and only that quote."""
    book = two_account_book(impl)
    s1 = book.upsert(KEY, "a1", 1.9, 1000)
    s2 = book.upsert(KEY, "a2", 2.1, 2000, 100)
    assert s1 != s2 and len(book) == 2
    book.update(s1, 2.5, 3000, 50, True)
    q1, q2 = book.get(s1), book.get(s2)
    assert (q1.slot, q1.account, q1.price, q1.limit, q1.limit_min) == (s1, "a1", 2.5, 3000, 50)
    assert (q2.slot, q2.account, q2.price, q2.limit, q2.limit_min) == (s2, "a2", 2.1, 2000, 100)
    assert book.best_price() == 2.5
    book.update(s1, 2.5, 3000, None, False)  # suspended: no longer the best
    assert book.best_price() == 2.1


def test_upsert_of_the_same_quote_replaces_it_in_place(impl: ModuleType) -> None:
    """The same (key, account, side) upserted twice is one quote with one slot."""
    book = two_account_book(impl)
    slot = book.upsert(KEY, "a1", 1.9, 1000)
    assert book.upsert(KEY, "a1", 1.8, 500) == slot
    assert len(book) == 1 and book.get(slot).price == 1.8
    lay = book.upsert(KEY, "a1", 1.85, 700, None, True, False)
    assert lay != slot and len(book) == 2
    assert [q.back for q in book.quotes(back=False)] == [False]


def test_removed_slot_is_never_reused(impl: ModuleType) -> None:
    """After remove, the old slot is refused and a new quote gets a fresh slot."""
    book = two_account_book(impl)
    slot = book.upsert(KEY, "a1", 1.9, 1000)
    assert book.remove(KEY, "a1") is True
    assert book.remove(KEY, "a1") is False
    assert len(book) == 0
    with pytest.raises(ValueError, match="slot"):
        book.update(slot, 2.0, 1000, None, True)
    assert book.upsert(KEY, "a1", 1.9, 1000) != slot


def test_quotes_are_listed_best_first(impl: ModuleType) -> None:
    """quotes(back) lists back quotes highest price first, lay quotes lowest first."""
    book = two_account_book(impl)
    book.set_account("b1", "bravo", "USD")
    book.upsert(KEY, "a1", 1.9, 1000)
    book.upsert(KEY, "a2", 2.1, 1000)
    book.upsert("f1:bravo:103:0", "b1", 2.0, 1000)
    book.upsert(KEY, "a1", 2.2, 1000, None, True, False)
    book.upsert("f1:bravo:103:0", "b1", 2.05, 1000, None, True, False)
    assert [q.price for q in book.quotes(back=True)] == [2.1, 2.0, 1.9]
    assert [q.price for q in book.quotes(back=False)] == [2.05, 2.2]
    assert book.best_price(back=False) == 2.05
    assert len(book.quotes()) == 5


def test_key_must_name_the_accounts_bookmaker_and_the_books_selection(impl: ModuleType) -> None:
    """A key for another bookmaker or another selection, or a malformed key, is refused."""
    book = two_account_book(impl)
    book.upsert(KEY, "a1", 1.9, 1000)
    for bad in ("f1:bravo:103:0", "f2:alpha:103:0", "f1:alpha:104:0", "f1:alpha:103", "junk"):
        with pytest.raises(ValueError):
            book.upsert(bad, "a2", 1.9, 1000)
    with pytest.raises(ValueError, match="account"):
        book.upsert(KEY, "nobody", 1.9, 1000)


def outcome(read: Callable[..., Any], *args: Any) -> Any:
    """A read's value, or the name of the error it raised (MissingRate for a quote whose
    currency has no rate: which of several such currencies is named first is not a rule)."""
    try:
        return read(*args)
    except Exception as exc:
        return type(exc).__name__


def ladder_rows(book: Any, currency: str, fx: Any, back: bool) -> list[tuple[float, int, int]]:
    """The ladder as plain tuples."""
    return [(lv.price, lv.available, lv.quotes) for lv in book.ladder(currency, fx, back)]


def quote_rows(book: Any, back: bool | None) -> list[tuple[Any, ...]]:
    """quotes(back) in the order the book lists them (best first: price, priority, odds
    limit, then key and account), every property included."""
    return [
        (
            q.slot,
            q.key,
            q.bookmaker,
            q.account,
            q.currency,
            q.price,
            q.limit,
            q.limit_min,
            q.active,
            q.back,
            q.priority,
            q.max_stake,
            q.min_stake,
        )
        for q in book.quotes(back)
    ]


def reads(m: ModuleType, spec: BookSpec, currency: str, price: Decimal, stake: int) -> Any:
    """Every read of §6 on the book built from ``spec``, as plain data."""
    built = build(m, spec)
    book, fx = built.book, built.fx
    out: list[Any] = [len(book)]
    for back in (True, False):
        # Reads that take an Fx first, so the quotes' own limits are resolved with it.
        out.append(outcome(book.available, float(price), currency, fx, back))
        out.append(outcome(book.vwap, stake, currency, fx, back))
        out.append(outcome(ladder_rows, book, currency, fx, back))
        out.append(book.best_price(back))
        out.append(quote_rows(book, back))
    out.append(quote_rows(book, None))
    return out


@PROPERTY
@given(
    spec=book_specs(),
    currency=st.sampled_from(RATED),
    price=prices(),
    stake=st.integers(1, 1_000_000),
)
def test_engine_book_reads_agree_with_reference(
    core: ModuleType, ref: ModuleType, spec: BookSpec, currency: str, price: Decimal, stake: int
) -> None:
    """best_price, available, vwap, ladder, the quote listing (order included) and every
    quote's effective limits match the reference on random books (after updates and
    removals), including books where some currencies have no rate: a read that needs such a
    quote's amount raises MissingRate on both sides."""
    assert reads(core, spec, currency, price, stake) == reads(ref, spec, currency, price, stake)


@PROPERTY
@given(spec=book_specs(), currency=st.sampled_from(RATED), price=prices())
def test_available_grows_as_the_price_gets_worse(
    impl: ModuleType, spec: BookSpec, currency: str, price: Decimal
) -> None:
    """available(p) counts quotes at p or better, so a worse p never shows less, and the
    ladder's levels at p or better add up to it."""
    if not spec.all_rated:
        return
    built = build(impl, spec)
    book, fx = built.book, built.fx
    worse = float(price - Decimal("0.05")) if price > Decimal("1.06") else float(price)
    assert book.available(worse, currency, fx) >= book.available(float(price), currency, fx)
    ladder = book.ladder(currency, fx)
    assert sum(lv.available for lv in ladder if lv.price >= float(price)) == book.available(
        float(price), currency, fx
    )
    assert [lv.price for lv in ladder] == sorted({lv.price for lv in ladder}, reverse=True)
    if ladder:
        assert book.best_price() == ladder[0].price


def test_removed_slot_index_is_reused_but_the_old_slot_refused(impl: ModuleType) -> None:
    """A removed quote's index comes back under a new generation: memory stays bounded, and
    the stale slot is refused and never moves the new quote."""
    book = two_account_book(impl)
    keep = book.upsert(KEY, "a2", 2.0, 500)
    slots = set()
    old = book.upsert(KEY, "a1", 1.9, 1000)
    for _ in range(50):
        assert book.remove(KEY, "a1")
        new = book.upsert(KEY, "a1", 1.9, 1000)
        assert new != old and new & 0xFFFF_FFFF == old & 0xFFFF_FFFF
        with pytest.raises(ValueError):
            book.update(old, 3.0, 1, None, True)
        with pytest.raises(ValueError):
            book.get(old)
        assert book.get(new).price == 1.9
        slots.add(new)
        old = new
    assert len(slots) == 50
    assert book.get(keep).price == 2.0


def test_remove_account_only_without_quotes(impl: ModuleType) -> None:
    """remove_account refuses an account that holds quotes, and frees one that does not."""
    book = two_account_book(impl)
    book.upsert(KEY, "a1", 1.9, 1000)
    with pytest.raises(ValueError, match="holds 1 quote"):
        book.remove_account("a1")
    assert book.remove_account("a2") is True
    assert book.remove_account("a2") is False
    with pytest.raises(ValueError, match="unknown account"):
        book.upsert(KEY, "a2", 1.9, 1000)
    assert book.remove(KEY, "a1")
    assert book.remove_account("a1", "alpha") is True
    assert len(book) == 0


def test_account_currency_is_fixed_while_it_holds_quotes(impl: ModuleType) -> None:
    """Changing an account's currency would change what its quotes' limits mean: refused."""
    book = two_account_book(impl)
    slot = book.upsert(KEY, "a1", 1.9, 1000)
    with pytest.raises(ValueError) as info:
        book.set_account("a1", "alpha", "EUR")
    assert getattr(info.value, "field", None) == "currency"
    assert book.get(slot).currency == "USD"
    book.set_account("a1", "alpha", "USD", priority=5)  # same currency: fine
    assert book.get(slot).priority == 5
    assert book.remove(KEY, "a1")
    book.set_account("a1", "alpha", "EUR")
    assert book.get(book.upsert(KEY, "a1", 1.9, 1000)).currency == "EUR"


def test_same_username_on_two_bookmakers_in_a_betslip(impl: ModuleType) -> None:
    """A betslip where two bookmakers use the same username: two accounts, each in its own
    currency, and each quote still names the username."""
    slip = {
        "odds": {
            "pinnacle": {
                "f1:pinnacle:103:0": {
                    "price": 1.98,
                    "limit": 100,
                    "limitCurrency": "USD",
                    "active": True,
                    "account": "main",
                }
            },
            "sharpbet": {
                "f1:sharpbet:103:0": {
                    "price": 2.0,
                    "limit": 50,
                    "limitCurrency": "EUR",
                    "active": True,
                    "account": "main",
                }
            },
        }
    }
    book = impl.Book.from_betslip(slip)
    got = sorted((q.bookmaker, q.account, q.currency, q.limit) for q in book.quotes())
    assert got == [("pinnacle", "main", "USD", 10_000), ("sharpbet", "main", "EUR", 5_000)]
    with pytest.raises(ValueError, match="name the bookmaker"):
        book.remove_account("main")
    assert book.remove("f1:sharpbet:103:0", "main")
    assert book.remove_account("main", "sharpbet") is True


@pytest.mark.parametrize(
    ("limit", "limit_min", "expected"),
    [
        (751.3451, 0.001, (75_134, 1)),
        (751.349, 1.001, (75_134, 101)),
        (0.009, 0.009, (0, 1)),
        (10, 1, (1_000, 100)),
    ],
)
def test_betslip_limits_round_max_down_and_min_up(
    impl: ModuleType, limit: float, limit_min: float, expected: tuple[int, int]
) -> None:
    """A betslip max is rounded down and a min up, so no leg exceeds the bookmaker's limit."""
    slip = {
        "f1:sharpbet:103:0": {
            "price": 2.0,
            "limit": limit,
            "limitMin": limit_min,
            "limitCurrency": "EUR",
            "account": "s",
        }
    }
    book = impl.Book.from_betslip({"odds": {"sharpbet": slip}})
    (quote,) = book.quotes()
    assert (quote.limit, quote.limit_min) == expected


def test_reads_raise_missing_rate_for_unresolved_limits(impl: ModuleType) -> None:
    """§6: a quote whose bookmaker limit is in a currency without a rate is never skipped
    silently by available, vwap or ladder: MissingRate names that currency."""
    book = impl.Book()
    book.set_account("a1", "alpha", "USD")
    book.set_account("b1", "bravo", "USD")
    book.set_bookmaker_limits("bravo", "CHF", max_stake=50_000)
    book.upsert(KEY, "a1", 2.0, 10_000)
    book.upsert("f1:bravo:103:0", "b1", 1.8, 10_000)
    fx = impl.Fx()

    def missing(call: Callable[[], Any]) -> str:
        with pytest.raises(LookupError) as info:
            call()
        assert type(info.value).__name__ == "MissingRate"
        return str(getattr(info.value, "currency", None))

    assert missing(lambda: book.available(1.5, "USD", fx)) == "CHF"
    assert missing(lambda: book.ladder("USD", fx)) == "CHF"
    # Not covered by the 2.0 quote alone: the walk reaches the unresolved 1.8 quote.
    assert missing(lambda: book.vwap(20_000, "USD", fx)) == "CHF"
    # Reads that stop before the unresolved quote's price do not need it.
    assert book.available(1.9, "USD", fx) == 10_000
    assert book.vwap(5_000, "USD", fx) == 2.0
    fx.set_rate("CHF", "0.9")
    # 500.00 CHF at 0.9 CHF/USD = 555.55 USD replaces the odds limit of b1.
    assert book.available(1.5, "USD", fx) == 10_000 + 55_555


def test_a_refused_read_does_not_change_the_last_fx(impl: ModuleType) -> None:
    """§6: a read refused for its own currency (no rate) leaves the last Fx used as it was,
    so best_price and quotes still resolve bookmaker limits with the earlier table."""
    book = impl.Book()
    book.set_account("a1", "alpha", "USD")
    book.set_bookmaker_limits("alpha", "EUR", max_stake=5_000)
    slot = book.upsert(KEY, "a1", 2.0, 10_000)
    with_eur = impl.Fx()
    with_eur.set_rate("EUR", "0.5")
    assert book.available(1.5, "USD", with_eur) == 10_000
    bare = impl.Fx()
    with pytest.raises(LookupError):
        book.available(1.5, "CHF", bare)
    assert book.best_price() == 2.0
    assert book.get(slot).max_stake == 10_000
