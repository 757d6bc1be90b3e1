//! Reading C arguments: NUL-terminated text, optional integers, handles and out-pointers.
//!
//! Every refusal is `InvalidInput` naming the argument, so a NULL or a text that is not UTF-8
//! never reaches the engine. The engine's own parsers (currency codes, prices) do the rest.

use crate::status::{Failure, Outcome, WagerkitStatus};
use std::ffi::{c_char, CStr};
use std::sync::{Mutex, MutexGuard};
use wagerkit_core::price::{self, Price};
use wagerkit_core::{Currency, Rounding};

/// Rounding mode constant: toward zero (use it for a stake sent to a bookmaker).
pub const WAGERKIT_ROUNDING_DOWN: i32 = 0;
/// Rounding mode constant: to nearest, ties to even (the default of the Python API).
pub const WAGERKIT_ROUNDING_HALF_EVEN: i32 = 1;
/// Rounding mode constant: away from zero.
pub const WAGERKIT_ROUNDING_UP: i32 = 2;

/// The text of a NUL-terminated UTF-8 argument.
///
/// # Safety
/// `ptr` must be NULL or point to a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn text<'a>(ptr: *const c_char, field: &'static str) -> Outcome<&'a str> {
    if ptr.is_null() {
        return Err(Failure::invalid(field, format!("{field} must not be NULL")));
    }
    // SAFETY: the caller's contract.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes
        .to_str()
        .map_err(|_| Failure::invalid(field, format!("{field} must be UTF-8 text")))
}

/// Like [`text`], with NULL as `None`.
///
/// # Safety
/// As [`text`].
pub(crate) unsafe fn optional_text<'a>(
    ptr: *const c_char,
    field: &'static str,
) -> Outcome<Option<&'a str>> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: the caller's contract.
    unsafe { text(ptr, field) }.map(Some)
}

/// An ISO 4217 code given as text.
///
/// # Safety
/// As [`text`].
pub(crate) unsafe fn currency(ptr: *const c_char, field: &'static str) -> Outcome<Currency> {
    // SAFETY: the caller's contract.
    let code = unsafe { text(ptr, field) }?;
    Ok(Currency::parse(code, field)?)
}

/// An optional amount passed by pointer (NULL = none).
///
/// # Safety
/// `ptr` must be NULL or point to a readable `int64_t`.
pub(crate) unsafe fn optional_i64(ptr: *const i64) -> Option<i64> {
    // SAFETY: the caller's contract.
    unsafe { ptr.as_ref() }.copied()
}

/// A byte buffer (`ptr` may be NULL only when `len` is 0).
///
/// # Safety
/// `ptr` must point to `len` readable bytes that outlive `'a`.
pub(crate) unsafe fn bytes<'a>(
    ptr: *const u8,
    len: usize,
    field: &'static str,
) -> Outcome<&'a [u8]> {
    if ptr.is_null() {
        if len == 0 {
            return Ok(&[]);
        }
        return Err(Failure::invalid(field, format!("{field} must not be NULL")));
    }
    // SAFETY: the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// A shared borrow of a handle.
///
/// # Safety
/// `ptr` must be NULL or a live handle of type `T` made by this library.
pub(crate) unsafe fn handle<'a, T>(ptr: *const T, field: &'static str) -> Outcome<&'a T> {
    // SAFETY: the caller's contract.
    unsafe { ptr.as_ref() }
        .ok_or_else(|| Failure::invalid(field, format!("{field} must not be NULL")))
}

/// Where a result goes.
///
/// # Safety
/// `ptr` must be NULL or point to writable memory for a `T`.
pub(crate) unsafe fn out<'a, T>(ptr: *mut T, field: &'static str) -> Outcome<&'a mut T> {
    // SAFETY: the caller's contract.
    unsafe { ptr.as_mut() }
        .ok_or_else(|| Failure::invalid(field, format!("{field} must not be NULL")))
}

/// Decimal odds as a fixed-point price (through the float's shortest decimal form).
pub(crate) fn price(x: f64, field: &'static str) -> Outcome<Price> {
    Ok(price::price_from_f64(x, field)?)
}

/// A rounding mode constant.
pub(crate) fn rounding(mode: i32) -> Outcome<Rounding> {
    match mode {
        WAGERKIT_ROUNDING_DOWN => Ok(Rounding::Down),
        WAGERKIT_ROUNDING_HALF_EVEN => Ok(Rounding::HalfEven),
        WAGERKIT_ROUNDING_UP => Ok(Rounding::Up),
        other => Err(Failure::invalid(
            "rounding",
            format!(
                "rounding must be WAGERKIT_ROUNDING_DOWN, _HALF_EVEN or _UP (0, 1, 2), got {other}"
            ),
        )),
    }
}

/// Locks a handle's engine state; a lock poisoned by an earlier panic is an engine error.
pub(crate) fn lock<'a, T>(mutex: &'a Mutex<T>, what: &str) -> Outcome<MutexGuard<'a, T>> {
    mutex.lock().map_err(|_| {
        Failure::engine(format!(
            "this {what} is unusable: an internal error interrupted an earlier call (please \
             report it); free it and build a new {what}"
        ))
    })
}

/// Copies `value` into a caller buffer, snprintf-style, and reports its length.
///
/// `*len_out` (when not NULL) gets the text's length in bytes without the NUL. When `buf_len`
/// cannot hold it and the NUL, the status is `BufferTooSmall` and `buf` gets an empty string
/// (when `buf_len > 0`): never a truncated amount that could be misread.
///
/// # Safety
/// `buf` must be NULL or point to `buf_len` writable bytes; `len_out` NULL or writable.
pub(crate) unsafe fn write_text(
    value: &str,
    buf: *mut c_char,
    buf_len: usize,
    len_out: *mut usize,
) -> Outcome<()> {
    // SAFETY: the caller's contract.
    if let Some(len) = unsafe { len_out.as_mut() } {
        *len = value.len();
    }
    if buf.is_null() || buf_len <= value.len() {
        if !buf.is_null() && buf_len > 0 {
            // SAFETY: at least one writable byte.
            unsafe { *buf = 0 };
        }
        return Err(Failure {
            status: WagerkitStatus::BufferTooSmall,
            field: Some("buf"),
            message: format!(
                "buf holds {buf_len} bytes; the text needs {} (NUL included)",
                value.len() + 1
            ),
        });
    }
    // SAFETY: value.len() + 1 <= buf_len writable bytes.
    unsafe {
        std::ptr::copy_nonoverlapping(value.as_ptr().cast::<c_char>(), buf, value.len());
        *buf.add(value.len()) = 0;
    }
    Ok(())
}

/// A currency code as a fixed 4-byte C string (`"EUR\0"`).
pub(crate) fn code4(currency: Currency) -> [c_char; 4] {
    let mut out = [0 as c_char; 4];
    for (slot, byte) in out.iter_mut().zip(currency.code().bytes().take(3)) {
        *slot = byte as c_char;
    }
    out
}

/// Copies `items` (converted by `convert`) into a caller array of `capacity` elements; when
/// they do not fit, nothing is written and the status is `BufferTooSmall`.
///
/// # Safety
/// `out` must be NULL or point to `capacity` writable elements.
pub(crate) unsafe fn write_array<T, U>(
    items: &[T],
    convert: impl Fn(&T) -> U,
    out: *mut U,
    capacity: usize,
    field: &'static str,
) -> Outcome<()> {
    if items.len() > capacity || (out.is_null() && !items.is_empty()) {
        return Err(Failure {
            status: WagerkitStatus::BufferTooSmall,
            field: Some(field),
            message: format!("{field} has room for {capacity}; there are {}", items.len()),
        });
    }
    for (i, item) in items.iter().enumerate() {
        // SAFETY: i < items.len() <= capacity writable elements.
        unsafe { out.add(i).write(convert(item)) };
    }
    Ok(())
}
