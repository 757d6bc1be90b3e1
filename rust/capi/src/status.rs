//! Status codes, the thread-local last error, and the guard every entry point runs in.
//!
//! A C caller cannot catch a Rust panic nor read a Rust `Result`, so each exported function
//! returns a [`WagerkitStatus`] and leaves the message of a failure in a per-thread slot that
//! [`wagerkit_last_error`] reads. The mapping mirrors the Python bindings: `InvalidInput` and
//! `Overflow` blame an argument, `MissingRate` asks for a rate, anything else is an engine bug.

use std::cell::RefCell;
use std::ffi::{c_char, CString};
use std::panic::{self, AssertUnwindSafe};
use wagerkit_core::Error;

/// What a call did. `WAGERKIT_STATUS_OK` (0) is success; any other value leaves a message in
/// `wagerkit_last_error()`.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WagerkitStatus {
    /// Success.
    Ok = 0,
    /// An argument was refused (NULL, not UTF-8, out of range, not a currency...); nothing
    /// changed. `wagerkit_last_error_field()` names the argument.
    InvalidInput = 1,
    /// No exchange rate is known for a currency the call needed.
    MissingRate = 2,
    /// A caller buffer is too small; the length it needs was written to the length output.
    BufferTooSmall = 3,
    /// A bug in the engine (a caught panic, an internal overflow) or a handle left unusable
    /// by an earlier one. Please report it.
    EngineError = 4,
}

/// A failed call: its status, the argument it blames, and the message.
#[derive(Debug)]
pub(crate) struct Failure {
    pub status: WagerkitStatus,
    pub field: Option<&'static str>,
    pub message: String,
}

impl Failure {
    /// An `InvalidInput` failure naming `field`.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            status: WagerkitStatus::InvalidInput,
            field: Some(field),
            message: message.into(),
        }
    }

    /// An `EngineError` failure.
    pub fn engine(message: impl Into<String>) -> Failure {
        Failure {
            status: WagerkitStatus::EngineError,
            field: None,
            message: message.into(),
        }
    }
}

impl From<Error> for Failure {
    fn from(err: Error) -> Failure {
        let status = match err {
            Error::InvalidInput { .. } | Error::Overflow { .. } => WagerkitStatus::InvalidInput,
            Error::MissingRate { .. } => WagerkitStatus::MissingRate,
            Error::Internal { .. } => WagerkitStatus::EngineError,
        };
        Failure {
            status,
            field: err.field(),
            message: err.to_string(),
        }
    }
}

/// Shorthand for a binding body's result.
pub(crate) type Outcome<T> = Result<T, Failure>;

struct LastError {
    message: CString,
    field: Option<CString>,
}

thread_local! {
    static LAST_ERROR: RefCell<Option<LastError>> = const { RefCell::new(None) };
}

/// A `CString` from text that may hold NUL bytes (they become U+FFFD).
fn c_text(text: &str) -> CString {
    CString::new(text.replace('\0', "\u{fffd}")).unwrap_or_default()
}

fn record(failure: &Failure) {
    let last = LastError {
        message: c_text(&failure.message),
        field: failure.field.map(c_text),
    };
    LAST_ERROR.with(|slot| *slot.borrow_mut() = Some(last));
}

fn clear() {
    LAST_ERROR.with(|slot| *slot.borrow_mut() = None);
}

fn panic_failure(payload: Box<dyn std::any::Any + Send>) -> Failure {
    let detail = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    Failure::engine(format!(
        "internal error in the wagerkit engine (a bug, please report it): {detail}"
    ))
}

/// Runs a binding body: clears the last error, catches any panic, and turns the outcome into
/// a status code (recording the message of a failure).
pub(crate) fn guard(body: impl FnOnce() -> Outcome<()>) -> WagerkitStatus {
    clear();
    let failure = match panic::catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return WagerkitStatus::Ok,
        Ok(Err(failure)) => failure,
        Err(payload) => panic_failure(payload),
    };
    record(&failure);
    failure.status
}

/// Runs a body that cannot fail but must not unwind into C: a panic gives `fallback`.
pub(crate) fn guard_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    match panic::catch_unwind(AssertUnwindSafe(body)) {
        Ok(value) => value,
        Err(payload) => {
            record(&panic_failure(payload));
            fallback
        }
    }
}

/// The message of the last failed call on this thread, or NULL when the last call that returns
/// a `WagerkitStatus` succeeded (each such call clears it first).
///
/// The text is NUL-terminated UTF-8 owned by the library, valid until the next `wagerkit_`
/// call on this thread (copy it with `wagerkit_last_error_copy` to keep it). The functions that
/// return no status (`*_new` without arguments, `*_free`, `*_len`, ...) set it only when they
/// fail (a NULL or 0 result after an engine bug).
#[no_mangle]
pub extern "C" fn wagerkit_last_error() -> *const c_char {
    guard_value(std::ptr::null(), || {
        LAST_ERROR.with(|slot| match &*slot.borrow() {
            Some(last) => last.message.as_ptr(),
            None => std::ptr::null(),
        })
    })
}

/// The argument the last failure blames (`"stake"`, `"currency"`...), or NULL when it blames
/// none or the last call succeeded. Valid like `wagerkit_last_error()`.
#[no_mangle]
pub extern "C" fn wagerkit_last_error_field() -> *const c_char {
    guard_value(std::ptr::null(), || {
        LAST_ERROR.with(|slot| match &*slot.borrow() {
            Some(LastError {
                field: Some(field), ..
            }) => field.as_ptr(),
            _ => std::ptr::null(),
        })
    })
}

/// Copies the last error message into `buf` (`buf_len` bytes, NUL included), snprintf-style:
/// returns the message's full length in bytes without the NUL (0 when there is none), and
/// writes as much as fits, always NUL-terminated when `buf_len > 0`.
///
/// # Safety
/// `buf` must be NULL (then `buf_len` must be 0) or point to `buf_len` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_last_error_copy(buf: *mut c_char, buf_len: usize) -> usize {
    guard_value(0, || {
        LAST_ERROR.with(|slot| {
            let borrowed = slot.borrow();
            let bytes = match &*borrowed {
                Some(last) => last.message.as_bytes(),
                None => b"",
            };
            if !buf.is_null() && buf_len > 0 {
                let n = bytes.len().min(buf_len - 1);
                // SAFETY: the caller gives `buf_len` writable bytes; we write n + 1 <= buf_len.
                unsafe {
                    std::ptr::copy_nonoverlapping(bytes.as_ptr().cast::<c_char>(), buf, n);
                    *buf.add(n) = 0;
                }
            }
            bytes.len()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn last() -> Option<String> {
        let ptr = wagerkit_last_error();
        (!ptr.is_null()).then(|| {
            unsafe { CStr::from_ptr(ptr) }
                .to_string_lossy()
                .into_owned()
        })
    }

    #[test]
    fn a_panic_becomes_an_engine_error_with_its_message() {
        let status = guard(|| panic!("deliberate panic"));
        assert_eq!(status, WagerkitStatus::EngineError);
        let message = last().expect("a message");
        assert!(message.contains("deliberate panic"), "{message}");
        assert!(wagerkit_last_error_field().is_null());
    }

    #[test]
    fn a_success_clears_the_last_error() {
        guard(|| Err(Failure::invalid("stake", "stake must be > 0")));
        assert_eq!(last().as_deref(), Some("stake must be > 0"));
        let field = unsafe { CStr::from_ptr(wagerkit_last_error_field()) };
        assert_eq!(field.to_str(), Ok("stake"));
        assert_eq!(guard(|| Ok(())), WagerkitStatus::Ok);
        assert_eq!(last(), None);
    }

    #[test]
    fn engine_errors_map_to_their_status() {
        let missing: Failure = Error::MissingRate { currency: "JPY" }.into();
        assert_eq!(missing.status, WagerkitStatus::MissingRate);
        let overflow: Failure = Error::Overflow { field: "amount" }.into();
        assert_eq!(
            (overflow.status, overflow.field),
            (WagerkitStatus::InvalidInput, Some("amount"))
        );
        let internal: Failure = Error::Internal { what: "x" }.into();
        assert_eq!(internal.status, WagerkitStatus::EngineError);
    }

    #[test]
    fn copy_truncates_like_snprintf() {
        guard(|| Err(Failure::invalid("x", "abcdef")));
        let mut buf = [1 as c_char; 4];
        let full = unsafe { wagerkit_last_error_copy(buf.as_mut_ptr(), buf.len()) };
        assert_eq!(full, 6);
        let copied = unsafe { CStr::from_ptr(buf.as_ptr()) };
        assert_eq!(copied.to_str(), Ok("abc"));
        assert_eq!(
            unsafe { wagerkit_last_error_copy(std::ptr::null_mut(), 0) },
            6
        );
    }

    #[test]
    fn a_panic_in_a_value_function_gives_the_fallback() {
        assert_eq!(guard_value(7, || -> i32 { panic!("boom") }), 7);
        assert!(last().unwrap_or_default().contains("boom"));
    }
}
