//! `WagerkitFx`: a rate table in ABP's convention (units of a currency per 1 USD).

use crate::args;
use crate::status::{guard, guard_value, WagerkitStatus};
use std::ffi::c_char;
use std::sync::Mutex;
use wagerkit_core::Currency;

/// Exchange-rate table; USD is always present with value 1. Rates are exact scaled integers
/// (12 decimals) and conversions use 128-bit intermediates. Safe to share between threads
/// (calls on one table are serialised). Free with `wagerkit_fx_free`.
pub struct WagerkitFx {
    pub(crate) inner: Mutex<wagerkit_core::Fx>,
}

/// A new table holding only USD = 1, or NULL if the engine failed (see `wagerkit_last_error`).
#[no_mangle]
pub extern "C" fn wagerkit_fx_new() -> *mut WagerkitFx {
    guard_value(std::ptr::null_mut(), || {
        Box::into_raw(Box::new(WagerkitFx {
            inner: Mutex::new(wagerkit_core::Fx::new()),
        }))
    })
}

/// Frees a table from `wagerkit_fx_new`. NULL is ignored.
///
/// # Safety
/// `fx` must be NULL or a live table, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_fx_free(fx: *mut WagerkitFx) {
    guard_value((), || {
        if !fx.is_null() {
            // SAFETY: made by Box::into_raw in wagerkit_fx_new, freed once (caller's contract).
            drop(unsafe { Box::from_raw(fx) });
        }
    })
}

/// Sets `value` (exact decimal text, `"0.84788876"`) units of `currency` per 1 USD. It must
/// be > 0, and USD must stay 1. `updated_at` (ISO 8601 text, may be NULL) is kept as given.
///
/// # Safety
/// `fx` must be a live table; the strings NUL-terminated (`updated_at` may be NULL).
#[no_mangle]
pub unsafe extern "C" fn wagerkit_fx_set_rate(
    fx: *mut WagerkitFx,
    currency: *const c_char,
    value: *const c_char,
    updated_at: *const c_char,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let fx = unsafe { args::handle(fx, "fx") }?;
        let currency = unsafe { args::currency(currency, "currency") }?;
        let value = unsafe { args::text(value, "currency_value") }?;
        let updated_at = unsafe { args::optional_text(updated_at, "updated_at") }?;
        args::lock(&fx.inner, "Fx")?.set_rate_text(currency, value, updated_at)?;
        Ok(())
    })
}

/// Like `wagerkit_fx_set_rate` with the value as a double, read through its shortest decimal
/// form (`0.84788876` is exactly 0.84788876). NaN, infinity and values <= 0 are refused.
///
/// # Safety
/// `fx` must be a live table; `currency` NUL-terminated; `updated_at` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_fx_set_rate_f64(
    fx: *mut WagerkitFx,
    currency: *const c_char,
    value: f64,
    updated_at: *const c_char,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let fx = unsafe { args::handle(fx, "fx") }?;
        let currency = unsafe { args::currency(currency, "currency") }?;
        let updated_at = unsafe { args::optional_text(updated_at, "updated_at") }?;
        args::lock(&fx.inner, "Fx")?.set_rate_f64(currency, value, updated_at)?;
        Ok(())
    })
}

/// The rate of `currency` as the nearest double into `*out`; `WAGERKIT_STATUS_MISSING_RATE`
/// when unknown.
///
/// # Safety
/// `fx` must be a live table; `currency` NUL-terminated; `out` a writable `double`.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_fx_rate(
    fx: *const WagerkitFx,
    currency: *const c_char,
    out: *mut f64,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let fx = unsafe { args::handle(fx, "fx") }?;
        let currency = unsafe { args::currency(currency, "currency") }?;
        let out = unsafe { args::out(out, "out") }?;
        *out = args::lock(&fx.inner, "Fx")?.rate_f64(currency)?;
        Ok(())
    })
}

/// The rate of `currency` as exact decimal text (`"0.84788876"`) into `buf`, snprintf-style
/// like `wagerkit_minor_to_str` (64 bytes always suffice).
///
/// # Safety
/// `fx` must be a live table; `currency` NUL-terminated; `buf` NULL or `buf_len` writable
/// bytes; `len_out` NULL or a writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_fx_rate_str(
    fx: *const WagerkitFx,
    currency: *const c_char,
    buf: *mut c_char,
    buf_len: usize,
    len_out: *mut usize,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let fx = unsafe { args::handle(fx, "fx") }?;
        let currency = unsafe { args::currency(currency, "currency") }?;
        let text = args::lock(&fx.inner, "Fx")?.rate_text(currency)?;
        unsafe { args::write_text(&text, buf, buf_len, len_out) }
    })
}

/// Converts `amount` minor units of `from` into minor units of `to`
/// (`amount / cv(from) * cv(to)`), rounded by `rounding` (`WAGERKIT_ROUNDING_DOWN` for a
/// stake sent to a bookmaker).
///
/// # Safety
/// `fx` must be a live table; the codes NUL-terminated; `out` a writable `int64_t`.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_fx_convert(
    fx: *const WagerkitFx,
    amount: i64,
    from_currency: *const c_char,
    to_currency: *const c_char,
    rounding: i32,
    out: *mut i64,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let fx = unsafe { args::handle(fx, "fx") }?;
        let from = unsafe { args::currency(from_currency, "from_currency") }?;
        let to = unsafe { args::currency(to_currency, "to_currency") }?;
        let rounding = args::rounding(rounding)?;
        let out = unsafe { args::out(out, "out") }?;
        *out = args::lock(&fx.inner, "Fx")?.convert(amount, from, to, rounding)?;
        Ok(())
    })
}

/// Whether `currency` is a code with a known rate (false for NULL or an unknown code).
///
/// # Safety
/// `fx` must be NULL or a live table; `currency` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_fx_contains(
    fx: *const WagerkitFx,
    currency: *const c_char,
) -> bool {
    guard_value(false, || {
        // SAFETY: the caller's contract, for each pointer.
        let (Ok(fx), Ok(code)) = (unsafe { args::handle(fx, "fx") }, unsafe {
            args::text(currency, "currency")
        }) else {
            return false;
        };
        match (Currency::lookup(code), fx.inner.lock()) {
            (Some(c), Ok(table)) => table.contains(c),
            _ => false,
        }
    })
}
