//! `WagerkitBook`: the merged book of one selection across bookmakers and accounts.

use crate::args;
use crate::fx::WagerkitFx;
use crate::status::{guard, guard_value, WagerkitStatus};
use std::ffi::c_char;
use std::sync::Mutex;
use wagerkit_core::book::{AccountSettings, Level, QuoteInput, QuoteView};
use wagerkit_core::price::price_to_f64;

/// The merged book. Register accounts, then upsert quotes against them; `upsert` gives a
/// slot that `update` (the feed's hot path) takes. Safe to share between threads (calls on
/// one book are serialised). Free with `wagerkit_book_free`.
pub struct WagerkitBook {
    pub(crate) inner: Mutex<wagerkit_core::Book>,
}

/// An account's settings, amounts in minor units of its currency. Start from
/// `wagerkit_account_settings_default()` and change what you need; a `has_*` flag false means
/// "not set" (the cascade falls through to the next level).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct WagerkitAccountSettings {
    /// Higher goes first among equal prices (default 0).
    pub priority: i64,
    pub has_max_stake: bool,
    pub max_stake: i64,
    pub has_min_stake: bool,
    pub min_stake: i64,
    /// When set, caps what a bet may risk: a back stake, or a lay liability.
    pub has_balance: bool,
    pub balance: i64,
    /// False keeps the account's quotes out of every read and route (default true).
    pub active: bool,
}

/// One price level of `wagerkit_book_ladder`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct WagerkitLevel {
    /// Decimal odds of the level.
    pub price: f64,
    /// Stake available at exactly this price, minor units of the ladder's currency.
    pub available: i64,
    /// How many quotes make up the level.
    pub quotes: usize,
}

/// A snapshot of one quote (`wagerkit_book_get`), amounts in minor units of `currency` (the
/// account currency). The key and account are the ones given to `wagerkit_book_upsert` (or
/// found in the betslip).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct WagerkitQuote {
    /// The quote's slot (the handle `wagerkit_book_update` takes).
    pub slot: u64,
    pub currency: [c_char; 4],
    /// The account priority (higher goes first among equal prices).
    pub priority: i64,
    /// Decimal odds.
    pub price: f64,
    /// odds.limit.
    pub limit: i64,
    pub has_limit_min: bool,
    /// odds.limitMin.
    pub limit_min: i64,
    /// False: price not available / market suspended.
    pub active: bool,
    /// True for a back quote, false for an exchange lay quote.
    pub back: bool,
    /// Effective max after the cascade and the balance cap; unknown (false) only when a
    /// bookmaker limit's currency has no rate in the last Fx the book used.
    pub has_max_stake: bool,
    pub max_stake: i64,
    /// Effective min after the cascade.
    pub min_stake: i64,
}

/// The default settings: priority 0, no limits, no balance, active.
#[no_mangle]
pub extern "C" fn wagerkit_account_settings_default() -> WagerkitAccountSettings {
    let d = AccountSettings::default();
    WagerkitAccountSettings {
        priority: d.priority,
        has_max_stake: d.max_stake.is_some(),
        max_stake: d.max_stake.unwrap_or(0),
        has_min_stake: d.min_stake.is_some(),
        min_stake: d.min_stake.unwrap_or(0),
        has_balance: d.balance.is_some(),
        balance: d.balance.unwrap_or(0),
        active: d.active,
    }
}

fn settings(s: &WagerkitAccountSettings) -> AccountSettings {
    let opt = |has: bool, value: i64| has.then_some(value);
    AccountSettings {
        priority: s.priority,
        max_stake: opt(s.has_max_stake, s.max_stake),
        min_stake: opt(s.has_min_stake, s.min_stake),
        balance: opt(s.has_balance, s.balance),
        active: s.active,
    }
}

fn boxed(book: wagerkit_core::Book) -> *mut WagerkitBook {
    Box::into_raw(Box::new(WagerkitBook {
        inner: Mutex::new(book),
    }))
}

/// A new empty book, or NULL if the engine failed (see `wagerkit_last_error`).
#[no_mangle]
pub extern "C" fn wagerkit_book_new() -> *mut WagerkitBook {
    guard_value(std::ptr::null_mut(), || boxed(wagerkit_core::Book::new()))
}

/// Frees a book. NULL is ignored.
///
/// # Safety
/// `book` must be NULL or a live book, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_book_free(book: *mut WagerkitBook) {
    guard_value((), || {
        if !book.is_null() {
            // SAFETY: made by Box::into_raw in this module, freed once (caller's contract).
            drop(unsafe { Box::from_raw(book) });
        }
    })
}

/// Builds a book from an ABP betslip given as JSON bytes (the whole `GET /betslip` response
/// or only its `odds` object) into `*out`.
///
/// Each quote's account is registered with the quote's `limitCurrency` and priority 0;
/// `limit`/`limitMin` become the odds limits. When `fx` is not NULL, every `currencyInfo` of
/// the betslip is loaded into it. Free the book with `wagerkit_book_free`.
///
/// # Safety
/// `data` must point to `len` readable bytes; `fx` NULL or a live table; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_book_from_betslip(
    data: *const u8,
    len: usize,
    fx: *mut WagerkitFx,
    out: *mut *mut WagerkitBook,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let out = unsafe { args::out(out, "out") }?;
        *out = std::ptr::null_mut();
        let bytes = unsafe { args::bytes(data, len, "data") }?;
        let fx = unsafe { fx.as_ref() };
        let (book, rates) = wagerkit_core::Book::from_betslip_json(bytes)?;
        if let Some(fx) = fx {
            let mut table = args::lock(&fx.inner, "Fx")?;
            for rate in rates {
                table.set_rate_scaled(rate.currency, rate.value, rate.updated_at.as_deref())?;
            }
        }
        *out = boxed(book);
        Ok(())
    })
}

/// Registers or replaces `account` on `bookmaker`, in `currency`. `settings` NULL means the
/// defaults. An account that holds quotes cannot move to another bookmaker nor change
/// currency (remove its quotes first).
///
/// # Safety
/// `book` must be a live book; the strings NUL-terminated; `settings` NULL or readable.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_book_set_account(
    book: *mut WagerkitBook,
    account: *const c_char,
    bookmaker: *const c_char,
    currency: *const c_char,
    settings: *const WagerkitAccountSettings,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let book = unsafe { args::handle(book, "book") }?;
        let account = unsafe { args::text(account, "account") }?;
        let bookmaker = unsafe { args::text(bookmaker, "bookmaker") }?;
        let currency = unsafe { args::currency(currency, "currency") }?;
        let settings = match unsafe { settings.as_ref() } {
            Some(s) => self::settings(s),
            None => AccountSettings::default(),
        };
        args::lock(&book.inner, "Book")?.set_account(account, bookmaker, currency, settings)?;
        Ok(())
    })
}

/// Removes an account that holds no quotes; `*removed` is false when there is none by that
/// name (on `bookmaker`, when not NULL).
///
/// # Safety
/// `book` must be a live book; `account` NUL-terminated; `bookmaker` NULL or NUL-terminated;
/// `removed` writable.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_book_remove_account(
    book: *mut WagerkitBook,
    account: *const c_char,
    bookmaker: *const c_char,
    removed: *mut bool,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let book = unsafe { args::handle(book, "book") }?;
        let account = unsafe { args::text(account, "account") }?;
        let bookmaker = unsafe { args::optional_text(bookmaker, "bookmaker") }?;
        let removed = unsafe { args::out(removed, "removed") }?;
        *removed = args::lock(&book.inner, "Book")?.remove_account(account, bookmaker)?;
        Ok(())
    })
}

/// Bookmaker-level limits (cascade step 2) in `currency` minor units; NULL = not set.
/// Converted into each account's currency when applied: max rounded down, min up.
///
/// # Safety
/// `book` must be a live book; the strings NUL-terminated; the limits NULL or readable.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_book_set_bookmaker_limits(
    book: *mut WagerkitBook,
    bookmaker: *const c_char,
    currency: *const c_char,
    max_stake: *const i64,
    min_stake: *const i64,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let book = unsafe { args::handle(book, "book") }?;
        let bookmaker = unsafe { args::text(bookmaker, "bookmaker") }?;
        let currency = unsafe { args::currency(currency, "currency") }?;
        let (max, min) = unsafe { (args::optional_i64(max_stake), args::optional_i64(min_stake)) };
        args::lock(&book.inner, "Book")?.set_bookmaker_limits(bookmaker, currency, max, min)?;
        Ok(())
    })
}

/// Inserts or replaces the quote of `account` under market `key`
/// (`fixtureId:bookmaker:outcomeId:playerId`); its slot goes to `*slot_out`.
///
/// `price` is decimal odds; `limit` and `limit_min` (NULL = none) are minor units of the
/// account currency; `back` false is an exchange lay quote.
///
/// # Safety
/// `book` must be a live book; the strings NUL-terminated; `limit_min` NULL or readable;
/// `slot_out` NULL or writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wagerkit_book_upsert(
    book: *mut WagerkitBook,
    key: *const c_char,
    account: *const c_char,
    price: f64,
    limit: i64,
    limit_min: *const i64,
    active: bool,
    back: bool,
    slot_out: *mut u64,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let book = unsafe { args::handle(book, "book") }?;
        let key = unsafe { args::text(key, "key") }?;
        let account = unsafe { args::text(account, "account") }?;
        let input = QuoteInput {
            price: args::price(price, "price")?,
            limit,
            limit_min: unsafe { args::optional_i64(limit_min) },
            active,
        };
        let slot = args::lock(&book.inner, "Book")?.upsert(key, account, input, back)?;
        if let Some(out) = unsafe { slot_out.as_mut() } {
            *out = slot;
        }
        Ok(())
    })
}

/// Hot path: moves the quote in `slot`. An unknown or removed slot is refused.
///
/// # Safety
/// `book` must be a live book; `limit_min` NULL or readable.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_book_update(
    book: *mut WagerkitBook,
    slot: u64,
    price: f64,
    limit: i64,
    limit_min: *const i64,
    active: bool,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let book = unsafe { args::handle(book, "book") }?;
        let input = QuoteInput {
            price: args::price(price, "price")?,
            limit,
            limit_min: unsafe { args::optional_i64(limit_min) },
            active,
        };
        args::lock(&book.inner, "Book")?.update(slot, input)?;
        Ok(())
    })
}

/// Removes one quote; `*removed` (may be NULL) is false when it was not there.
///
/// # Safety
/// `book` must be a live book; the strings NUL-terminated; `removed` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_book_remove(
    book: *mut WagerkitBook,
    key: *const c_char,
    account: *const c_char,
    back: bool,
    removed: *mut bool,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let book = unsafe { args::handle(book, "book") }?;
        let key = unsafe { args::text(key, "key") }?;
        let account = unsafe { args::text(account, "account") }?;
        let done = args::lock(&book.inner, "Book")?.remove(key, account, back);
        if let Some(out) = unsafe { removed.as_mut() } {
            *out = done;
        }
        Ok(())
    })
}

/// Number of live quotes, back and lay (0 for NULL).
///
/// # Safety
/// `book` must be NULL or a live book.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_book_len(book: *const WagerkitBook) -> usize {
    guard_value(0, || {
        // SAFETY: the caller's contract.
        match unsafe { book.as_ref() }.map(|b| b.inner.lock()) {
            Some(Ok(inner)) => inner.len(),
            _ => 0,
        }
    })
}

/// Best active price (highest for back, lowest for lay) into `*price_out`; `*found` is false
/// (and the price 0) when the side has none.
///
/// # Safety
/// `book` must be a live book; `price_out` and `found` writable.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_book_best_price(
    book: *mut WagerkitBook,
    back: bool,
    price_out: *mut f64,
    found: *mut bool,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let book = unsafe { args::handle(book, "book") }?;
        let price_out = unsafe { args::out(price_out, "price_out") }?;
        let found = unsafe { args::out(found, "found") }?;
        let best = args::lock(&book.inner, "Book")?.best_price(back);
        *found = best.is_some();
        *price_out = best.map(price_to_f64).unwrap_or(0.0);
        Ok(())
    })
}

/// Stake that can be placed at `price` or better, in `currency` minor units, into `*out`.
/// `WAGERKIT_STATUS_MISSING_RATE` when a qualifying quote's limits need a rate `fx` lacks
/// (never skipped silently).
///
/// # Safety
/// `book` and `fx` must be live; `currency` NUL-terminated; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_book_available(
    book: *mut WagerkitBook,
    price: f64,
    currency: *const c_char,
    fx: *const WagerkitFx,
    back: bool,
    out: *mut i64,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let book = unsafe { args::handle(book, "book") }?;
        let price = args::price(price, "price")?;
        let currency = unsafe { args::currency(currency, "currency") }?;
        let fx = unsafe { args::handle(fx, "fx") }?;
        let out = unsafe { args::out(out, "out") }?;
        let mut inner = args::lock(&book.inner, "Book")?;
        *out = inner.available(price, currency, &*args::lock(&fx.inner, "Fx")?, back)?;
        Ok(())
    })
}

/// Volume-weighted average price to fill `stake` (minor units of `currency`) best-first
/// into `*price_out`; `*found` is false when the book is too thin.
///
/// # Safety
/// `book` and `fx` must be live; `currency` NUL-terminated; the outputs writable.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_book_vwap(
    book: *mut WagerkitBook,
    stake: i64,
    currency: *const c_char,
    fx: *const WagerkitFx,
    back: bool,
    price_out: *mut f64,
    found: *mut bool,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let book = unsafe { args::handle(book, "book") }?;
        let currency = unsafe { args::currency(currency, "currency") }?;
        let fx = unsafe { args::handle(fx, "fx") }?;
        let price_out = unsafe { args::out(price_out, "price_out") }?;
        let found = unsafe { args::out(found, "found") }?;
        let mut inner = args::lock(&book.inner, "Book")?;
        let vwap = inner.vwap(stake, currency, &*args::lock(&fx.inner, "Fx")?, back)?;
        *found = vwap.is_some();
        *price_out = vwap.unwrap_or(0.0);
        Ok(())
    })
}

/// Price levels best first, each with the stake available at exactly that price (minor
/// units of `currency`), into `levels` (room for `capacity`). `*count` gets the number of
/// levels; when it exceeds `capacity` the status is `WAGERKIT_STATUS_BUFFER_TOO_SMALL` and
/// nothing is written (`levels` may be NULL with `capacity` 0 to ask for the count).
///
/// # Safety
/// `book` and `fx` must be live; `currency` NUL-terminated; `levels` NULL or `capacity`
/// writable elements; `count` writable.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_book_ladder(
    book: *mut WagerkitBook,
    currency: *const c_char,
    fx: *const WagerkitFx,
    back: bool,
    levels: *mut WagerkitLevel,
    capacity: usize,
    count: *mut usize,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let book = unsafe { args::handle(book, "book") }?;
        let currency = unsafe { args::currency(currency, "currency") }?;
        let fx = unsafe { args::handle(fx, "fx") }?;
        let count = unsafe { args::out(count, "count") }?;
        let mut inner = args::lock(&book.inner, "Book")?;
        let ladder = inner.ladder(currency, &*args::lock(&fx.inner, "Fx")?, back)?;
        *count = ladder.len();
        let level = |l: &Level| WagerkitLevel {
            price: price_to_f64(l.price),
            available: l.available,
            quotes: l.quotes,
        };
        // SAFETY: the caller's contract.
        unsafe { args::write_array(&ladder, level, levels, capacity, "levels") }?;
        Ok(())
    })
}

fn quote(view: &QuoteView) -> WagerkitQuote {
    WagerkitQuote {
        slot: view.slot,
        currency: args::code4(view.currency),
        priority: view.priority,
        price: price_to_f64(view.price),
        limit: view.limit,
        has_limit_min: view.limit_min.is_some(),
        limit_min: view.limit_min.unwrap_or(0),
        active: view.active,
        back: view.back,
        has_max_stake: view.max_stake.is_some(),
        max_stake: view.max_stake.unwrap_or(0),
        min_stake: view.min_stake,
    }
}

/// The quote in `slot` into `*out`. An unknown or removed slot is refused.
///
/// # Safety
/// `book` must be a live book; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_book_get(
    book: *const WagerkitBook,
    slot: u64,
    out: *mut WagerkitQuote,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let book = unsafe { args::handle(book, "book") }?;
        let out = unsafe { args::out(out, "out") }?;
        *out = quote(&args::lock(&book.inner, "Book")?.get(slot)?);
        Ok(())
    })
}

/// The live quotes of one side, best first (price, then priority, then limit), into
/// `quotes` (room for `capacity`), like `wagerkit_book_ladder`: `*count` gets how many there
/// are, and `WAGERKIT_STATUS_BUFFER_TOO_SMALL` means nothing was written.
///
/// # Safety
/// `book` must be a live book; `quotes` NULL or `capacity` writable elements; `count` writable.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_book_quotes(
    book: *const WagerkitBook,
    back: bool,
    quotes: *mut WagerkitQuote,
    capacity: usize,
    count: *mut usize,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let book = unsafe { args::handle(book, "book") }?;
        let count = unsafe { args::out(count, "count") }?;
        let views = args::lock(&book.inner, "Book")?.quotes(Some(back));
        *count = views.len();
        // SAFETY: the caller's contract.
        unsafe { args::write_array(&views, quote, quotes, capacity, "quotes") }
    })
}
