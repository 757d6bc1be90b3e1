//! `libwagerkit`: wagerkit's engine behind a C ABI (header `include/wagerkit.h`).
//!
//! Thin by design, like the Python bindings: each function reads its C arguments (`args`),
//! calls `wagerkit-core`, and turns the outcome into a status code (`status`). No rule lives
//! here, so the engine behaves the same from Rust, Python, C and anything that binds C.
//!
//! The contract, for every function:
//! - Objects are opaque handles made by `wagerkit_*_new` (or `wagerkit_book_from_betslip`,
//!   `wagerkit_order_new`, `wagerkit_route`) and released by the matching `*_free`.
//! - A fallible call returns a `WagerkitStatus`; on failure `wagerkit_last_error()` gives a
//!   message (per thread, valid until the next call on that thread).
//! - No panic crosses the boundary: each entry point catches it as `ENGINE_ERROR`.
//! - No allocation is handed over without its free: texts are copied into caller buffers,
//!   lists into caller arrays, and leg names are borrowed from their plan.

mod args;
mod book;
mod dedupe;
mod fx;
mod money;
mod odds;
mod route;
mod status;

use std::ffi::c_char;

pub use args::{WAGERKIT_ROUNDING_DOWN, WAGERKIT_ROUNDING_HALF_EVEN, WAGERKIT_ROUNDING_UP};
pub use book::{WagerkitAccountSettings, WagerkitBook, WagerkitLevel, WagerkitQuote};
pub use dedupe::WagerkitDedupeCache;
pub use fx::WagerkitFx;
pub use odds::{
    WAGERKIT_ODDS_AMERICAN, WAGERKIT_ODDS_DECIMAL, WAGERKIT_ODDS_HONGKONG,
    WAGERKIT_ODDS_INDONESIAN, WAGERKIT_ODDS_MALAY,
};
pub use route::{
    WagerkitLeg, WagerkitOrder, WagerkitOrderOptions, WagerkitPlanSummary, WagerkitPriorLeg,
    WagerkitRoutePlan, WagerkitRouteStatus,
};
pub use route::{
    WAGERKIT_DECLINE_BOOKMAKER_NOT_AVAILABLE, WAGERKIT_DECLINE_CURRENCY_CONVERSION_FAILED,
    WAGERKIT_DECLINE_INVALID_ODDS, WAGERKIT_DECLINE_NO_ACTIVE_ACCOUNTS,
    WAGERKIT_DECLINE_ODDS_TEMPORARILY_UNAVAILABLE, WAGERKIT_DECLINE_STAKE_BELOW_MINIMUM,
    WAGERKIT_DECLINE_STAKE_EXCEEDS_LIMIT,
};
pub use status::WagerkitStatus;

/// The library's version (`"0.1.0"`), static text.
#[no_mangle]
pub extern "C" fn wagerkit_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shareable<T: Send + Sync>() {}

    #[test]
    fn handles_the_header_calls_shareable_are_send_and_sync() {
        shareable::<WagerkitBook>();
        shareable::<WagerkitFx>();
        shareable::<WagerkitDedupeCache>();
        shareable::<WagerkitOrder>();
    }

    #[test]
    fn version_is_the_crate_version_nul_terminated() {
        let text = unsafe { std::ffi::CStr::from_ptr(wagerkit_version()) };
        assert_eq!(text.to_str(), Ok(env!("CARGO_PKG_VERSION")));
    }
}
