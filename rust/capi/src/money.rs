//! Money: currencies, minor units, and the stake-limit cascade.

use crate::args;
use crate::status::{guard, guard_value, Failure, Outcome, WagerkitStatus};
use std::ffi::c_char;
use wagerkit_core::limits::{self, LimitInputs};
use wagerkit_core::money::{self, Currency};

/// ISO 4217 minor-unit exponent of `currency` (`"USD"` → 2, `"JPY"` → 0) into `*out`.
///
/// # Safety
/// `currency` must be a NUL-terminated string; `out` must point to a writable `uint32_t`.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_currency_exponent(
    currency: *const c_char,
    out: *mut u32,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let currency = unsafe { args::currency(currency, "currency") }?;
        *unsafe { args::out(out, "out") }? = currency.exponent();
        Ok(())
    })
}

/// True when `code` is a known ISO 4217 code (upper case, three letters); false for NULL.
///
/// # Safety
/// `code` must be NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_is_currency(code: *const c_char) -> bool {
    guard_value(false, || {
        // SAFETY: the caller's contract.
        match unsafe { args::text(code, "code") } {
            Ok(text) => Currency::lookup(text).is_some(),
            Err(_) => false,
        }
    })
}

/// Major-unit decimal text (`"10.50"`) as minor units of `currency`, rounded by `rounding`
/// (a `WAGERKIT_ROUNDING_*` constant), into `*out`.
///
/// # Safety
/// `amount` and `currency` must be NUL-terminated strings; `out` a writable `int64_t`.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_to_minor(
    amount: *const c_char,
    currency: *const c_char,
    rounding: i32,
    out: *mut i64,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let text = unsafe { args::text(amount, "amount") }?;
        let currency = unsafe { args::currency(currency, "currency") }?;
        let rounding = args::rounding(rounding)?;
        let out = unsafe { args::out(out, "out") }?;
        *out = money::text_to_minor(text, currency, rounding, "amount")?;
        Ok(())
    })
}

/// A major-unit double (read through its shortest decimal form, so `10.1` is exactly 1010
/// cents) as minor units of `currency`, into `*out`. NaN and infinity are refused.
///
/// # Safety
/// `currency` must be a NUL-terminated string; `out` a writable `int64_t`.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_to_minor_f64(
    amount: f64,
    currency: *const c_char,
    rounding: i32,
    out: *mut i64,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let currency = unsafe { args::currency(currency, "currency") }?;
        let rounding = args::rounding(rounding)?;
        let out = unsafe { args::out(out, "out") }?;
        *out = money::float_to_minor(amount, currency, rounding, "amount")?;
        Ok(())
    })
}

/// Exact decimal text of a minor-unit amount (`75134`, `"EUR"` → `"751.34"`) into `buf`.
///
/// `*len_out` (may be NULL) gets the text's length without the NUL; a `buf` too small gives
/// `WAGERKIT_STATUS_BUFFER_TOO_SMALL` (32 bytes always suffice).
///
/// # Safety
/// `currency` must be a NUL-terminated string; `buf` NULL or `buf_len` writable bytes;
/// `len_out` NULL or a writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_minor_to_str(
    amount: i64,
    currency: *const c_char,
    buf: *mut c_char,
    buf_len: usize,
    len_out: *mut usize,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let currency = unsafe { args::currency(currency, "currency") }?;
        let text = money::minor_to_text(i128::from(amount), currency);
        unsafe { args::write_text(&text, buf, buf_len, len_out) }
    })
}

/// The double nearest to a minor-unit amount (for JSON wires that carry floats).
///
/// # Safety
/// `currency` must be a NUL-terminated string; `out` a writable `double`.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_minor_to_f64(
    amount: i64,
    currency: *const c_char,
    out: *mut f64,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let currency = unsafe { args::currency(currency, "currency") }?;
        *unsafe { args::out(out, "out") }? = money::minor_to_f64(i128::from(amount), currency);
        Ok(())
    })
}

/// A limit argument: NULL is "not set"; a set limit must be >= 0.
///
/// # Safety
/// `ptr` must be NULL or a readable `int64_t`.
unsafe fn limit_arg(ptr: *const i64, field: &'static str) -> Outcome<Option<i64>> {
    // SAFETY: the caller's contract.
    match unsafe { args::optional_i64(ptr) } {
        Some(v) if v < 0 => Err(Failure::invalid(
            field,
            format!("{field} must be >= 0 (minor units), got {v}"),
        )),
        value => Ok(value),
    }
}

/// ABP's stake-limit cascade, all amounts in the account currency (minor units).
///
/// max = account max → bookmaker max → odds limit (none when all are NULL);
/// min = account min → bookmaker min → odds limitMin → 0. The first non-NULL wins.
/// `*has_max` says whether `*max_out` holds a maximum.
///
/// # Safety
/// The six inputs must each be NULL or a readable `int64_t`; the outputs writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wagerkit_effective_limits(
    account_max: *const i64,
    account_min: *const i64,
    bookmaker_max: *const i64,
    bookmaker_min: *const i64,
    odds_limit: *const i64,
    odds_limit_min: *const i64,
    max_out: *mut i64,
    has_max: *mut bool,
    min_out: *mut i64,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let inputs = unsafe {
            LimitInputs {
                account_max: limit_arg(account_max, "account_max")?,
                account_min: limit_arg(account_min, "account_min")?,
                bookmaker_max: limit_arg(bookmaker_max, "bookmaker_max")?,
                bookmaker_min: limit_arg(bookmaker_min, "bookmaker_min")?,
                odds_limit: limit_arg(odds_limit, "odds_limit")?,
                odds_limit_min: limit_arg(odds_limit_min, "odds_limit_min")?,
            }
        };
        let max_out = unsafe { args::out(max_out, "max_out") }?;
        let has_max = unsafe { args::out(has_max, "has_max") }?;
        let min_out = unsafe { args::out(min_out, "min_out") }?;
        let (max, min) = limits::effective_limits(&inputs);
        *has_max = max.is_some();
        *max_out = max.unwrap_or(0);
        *min_out = min;
        Ok(())
    })
}
