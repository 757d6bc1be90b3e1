//! Orders, `wagerkit_route` (ABP's four placement modes) and the route plan it returns.

use crate::args;
use crate::book::WagerkitBook;
use crate::fx::WagerkitFx;
use crate::status::{guard, guard_value, Failure, Outcome, WagerkitStatus};
use std::ffi::{c_char, CString};
use std::sync::OnceLock;
use wagerkit_core::price::{order_price_from_f64, price_to_f64};
use wagerkit_core::route::{self as core, DeclineReason, Status};

/// What ABP would do with the order: see `WagerkitPlanSummary`.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WagerkitRouteStatus {
    /// The legs (with any prior legs) cover the order, up to rounding dust.
    Filled = 1,
    /// Some fill; the rest may fill later (modes 2 and 4).
    Partial = 2,
    /// Nothing qualifies now; retry until the order expires.
    Waiting = 3,
    /// Refused: `decline` says why.
    Declined = 4,
}

/// An order as ABP receives it, validated when made. Free with `wagerkit_order_free`.
pub struct WagerkitOrder {
    inner: core::Order,
}

/// The switches of an order. Start from `wagerkit_order_options_default()` (ABP's defaults:
/// better odds and partial stakes accepted, back, every bookmaker).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct WagerkitOrderOptions {
    /// False places only at exactly the order price.
    pub accept_better_odds: bool,
    pub accept_partial_stake: bool,
    /// True for a back order, false for an exchange lay.
    pub back: bool,
    /// Bookmaker names (`bookmaker_count` of them); NULL means every bookmaker, as does the
    /// single name `"*"`. One name makes a single-bookmaker order (modes 1 and 2).
    pub bookmakers: *const *const c_char,
    pub bookmaker_count: usize,
}

/// A leg already filled for the order in an earlier pass (see `wagerkit_route`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct WagerkitPriorLeg {
    /// Stake in the order currency, minor units.
    pub order_stake: i64,
    /// Decimal odds it was placed at.
    pub price: f64,
}

/// The numbers of a route plan, read in one call.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct WagerkitPlanSummary {
    pub status: WagerkitRouteStatus,
    /// ABP placement mode 1-4 (single/multiple bookmakers × partial stake).
    pub mode: u8,
    /// Sum of this plan's legs' `order_stake` (order currency, minor units).
    pub filled: i64,
    /// Sum of the prior legs given to `wagerkit_route`.
    pub prior_filled: i64,
    /// What the whole order still lacks: stake − prior_filled − filled.
    pub remaining: i64,
    /// True when nothing more will be placed for the order (status filled).
    pub complete: bool,
    /// `WAGERKIT_DECLINE_*` code 1-7 when declined, else 0 (name: `wagerkit_decline_name`).
    pub decline: i32,
    /// How many legs `wagerkit_plan_leg` can read.
    pub leg_count: usize,
    /// Stake-weighted average price of this plan's legs; meaningful when `has_average_price`.
    pub has_average_price: bool,
    pub average_price: f64,
}

/// One bet the router would place. The three strings belong to the plan: valid until
/// `wagerkit_plan_free`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct WagerkitLeg {
    /// Market key of the quote the bet goes to.
    pub key: *const c_char,
    pub bookmaker: *const c_char,
    /// The account that places the bet.
    pub account: *const c_char,
    /// placedPrice (decimal odds).
    pub price: f64,
    /// placedStake: minor units of `currency` (the account currency), rounded down.
    pub stake: i64,
    pub currency: [c_char; 4],
    /// The same stake in the order currency (half-even): what it adds to `filled`.
    pub order_stake: i64,
    pub order_currency: [c_char; 4],
}

struct LegNames {
    key: CString,
    bookmaker: CString,
    account: CString,
}

/// The router's answer. Read it with `wagerkit_plan_summary`, `wagerkit_plan_leg` and
/// `wagerkit_plan_message`; free it with `wagerkit_plan_free`.
pub struct WagerkitRoutePlan {
    plan: core::RoutePlan,
    names: Vec<LegNames>,
}

fn c_string(text: &str) -> CString {
    // Names were accepted as C strings or betslip JSON text; a NUL would make them unusable.
    CString::new(text.replace('\0', "\u{fffd}")).unwrap_or_default()
}

/// Decline code: the stake is above what the bookmakers can take.
pub const WAGERKIT_DECLINE_STAKE_EXCEEDS_LIMIT: i32 = 1;
/// Decline code: the stake is below the minimum.
pub const WAGERKIT_DECLINE_STAKE_BELOW_MINIMUM: i32 = 2;
/// Decline code: the order's odds were refused.
pub const WAGERKIT_DECLINE_INVALID_ODDS: i32 = 3;
/// Decline code: no active account.
pub const WAGERKIT_DECLINE_NO_ACTIVE_ACCOUNTS: i32 = 4;
/// Decline code: a rate was missing.
pub const WAGERKIT_DECLINE_CURRENCY_CONVERSION_FAILED: i32 = 5;
/// Decline code: no odds from the bookmakers asked for.
pub const WAGERKIT_DECLINE_BOOKMAKER_NOT_AVAILABLE: i32 = 6;
/// Decline code: odds not fetched in time (the simulator's; the router never gives it).
pub const WAGERKIT_DECLINE_ODDS_TEMPORARILY_UNAVAILABLE: i32 = 7;

/// ABP's defaults: better odds and partial stakes accepted, back, every bookmaker.
#[no_mangle]
pub extern "C" fn wagerkit_order_options_default() -> WagerkitOrderOptions {
    let flags = core::OrderFlags::default();
    WagerkitOrderOptions {
        accept_better_odds: flags.accept_better_odds,
        accept_partial_stake: flags.accept_partial_stake,
        back: flags.back,
        bookmakers: std::ptr::null(),
        bookmaker_count: 0,
    }
}

/// # Safety
/// `options.bookmakers` must be NULL or point to `bookmaker_count` NUL-terminated strings.
unsafe fn bookmaker_names(options: &WagerkitOrderOptions) -> Outcome<Option<Vec<String>>> {
    if options.bookmakers.is_null() {
        return Ok(None);
    }
    // SAFETY: the caller's contract.
    let names = unsafe { std::slice::from_raw_parts(options.bookmakers, options.bookmaker_count) };
    names
        .iter()
        // SAFETY: each a NUL-terminated string (the caller's contract).
        .map(|&name| unsafe { args::text(name, "bookmakers") }.map(str::to_owned))
        .collect::<Outcome<Vec<String>>>()
        .map(Some)
}

/// Validates an order into `*out`: `stake` > 0 minor units of `currency`, `price` > 1 decimal
/// odds (the minimum acceptable for a back order, the maximum for a lay). `options` NULL
/// means the defaults. Free the order with `wagerkit_order_free`.
///
/// # Safety
/// `currency` must be NUL-terminated; `options` NULL or readable (with its bookmaker names
/// as documented there); `out` writable.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_order_new(
    stake: i64,
    currency: *const c_char,
    price: f64,
    options: *const WagerkitOrderOptions,
    out: *mut *mut WagerkitOrder,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let out = unsafe { args::out(out, "out") }?;
        *out = std::ptr::null_mut();
        let currency = unsafe { args::currency(currency, "currency") }?;
        let options = unsafe { options.as_ref() }
            .copied()
            .unwrap_or_else(|| wagerkit_order_options_default());
        let flags = core::OrderFlags {
            accept_better_odds: options.accept_better_odds,
            accept_partial_stake: options.accept_partial_stake,
            back: options.back,
        };
        let price = order_price_from_f64(price, flags.back, "price")?;
        let names = unsafe { bookmaker_names(&options) }?;
        let inner = core::Order::new(stake, currency, price, flags, names)?;
        *out = Box::into_raw(Box::new(WagerkitOrder { inner }));
        Ok(())
    })
}

/// Frees an order. NULL is ignored.
///
/// # Safety
/// `order` must be NULL or a live order, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_order_free(order: *mut WagerkitOrder) {
    guard_value((), || {
        if !order.is_null() {
            // SAFETY: made by Box::into_raw in wagerkit_order_new, freed once.
            drop(unsafe { Box::from_raw(order) });
        }
    })
}

/// ABP placement mode 1-4 of an order (0 for NULL): 1 single bookmaker & no partial,
/// 2 single & partial, 3 multiple & no partial, 4 multiple & partial.
///
/// # Safety
/// `order` must be NULL or a live order.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_order_mode(order: *const WagerkitOrder) -> u8 {
    guard_value(0, || {
        // SAFETY: the caller's contract.
        unsafe { order.as_ref() }.map_or(0, |o| o.inner.mode())
    })
}

/// Routes `order` across `book` the way ABP fills, into a new plan `*out`.
///
/// `prior` (`prior_count` legs, NULL when 0) are legs already filled for this order in
/// earlier passes: they count toward the weighted-average rule and the status, and the plan
/// places only what is left. Every business outcome (declined included) is a plan with
/// `WAGERKIT_STATUS_OK`; a failing status means a refused argument or an engine error. Free
/// the plan with `wagerkit_plan_free`.
///
/// # Safety
/// `order`, `book` and `fx` must be live; `prior` NULL or `prior_count` readable legs; `out`
/// writable.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_route(
    order: *const WagerkitOrder,
    book: *mut WagerkitBook,
    fx: *const WagerkitFx,
    prior: *const WagerkitPriorLeg,
    prior_count: usize,
    out: *mut *mut WagerkitRoutePlan,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let out = unsafe { args::out(out, "out") }?;
        *out = std::ptr::null_mut();
        let order = unsafe { args::handle(order, "order") }?;
        let book = unsafe { args::handle(book, "book") }?;
        let fx = unsafe { args::handle(fx, "fx") }?;
        let prior = if prior_count == 0 {
            &[][..]
        } else if prior.is_null() {
            return Err(Failure::invalid(
                "prior",
                "prior must not be NULL when prior_count > 0",
            ));
        } else {
            unsafe { std::slice::from_raw_parts(prior, prior_count) }
        };
        let prior = prior
            .iter()
            .map(|leg| {
                Ok(core::PriorLeg {
                    order_stake: leg.order_stake,
                    price: args::price(leg.price, "prior")?,
                })
            })
            .collect::<Outcome<Vec<_>>>()?;
        // Locks in one order everywhere: the book, then the rate table.
        let mut inner = args::lock(&book.inner, "Book")?;
        let plan = core::route_after(
            &order.inner,
            &mut inner,
            &*args::lock(&fx.inner, "Fx")?,
            &prior,
        )?;
        drop(inner);
        let names = plan
            .legs
            .iter()
            .map(|leg| LegNames {
                key: c_string(&leg.names.key),
                bookmaker: c_string(&leg.names.bookmaker),
                account: c_string(&leg.names.account),
            })
            .collect();
        *out = Box::into_raw(Box::new(WagerkitRoutePlan { plan, names }));
        Ok(())
    })
}

/// Frees a plan (and the leg strings it lent). NULL is ignored.
///
/// # Safety
/// `plan` must be NULL or a live plan, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_plan_free(plan: *mut WagerkitRoutePlan) {
    guard_value((), || {
        if !plan.is_null() {
            // SAFETY: made by Box::into_raw in wagerkit_route, freed once.
            drop(unsafe { Box::from_raw(plan) });
        }
    })
}

fn route_status(status: Status) -> WagerkitRouteStatus {
    match status {
        Status::Filled => WagerkitRouteStatus::Filled,
        Status::Partial => WagerkitRouteStatus::Partial,
        Status::Waiting => WagerkitRouteStatus::Waiting,
        Status::Declined => WagerkitRouteStatus::Declined,
    }
}

/// The plan's status and numbers into `*out`.
///
/// # Safety
/// `plan` must be a live plan; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_plan_summary(
    plan: *const WagerkitRoutePlan,
    out: *mut WagerkitPlanSummary,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let p = &unsafe { args::handle(plan, "plan") }?.plan;
        let out = unsafe { args::out(out, "out") }?;
        let average = p.average_price();
        *out = WagerkitPlanSummary {
            status: route_status(p.status),
            mode: p.mode,
            filled: p.filled,
            prior_filled: p.prior_filled,
            remaining: p.remaining,
            complete: p.complete(),
            decline: p.decline.map_or(0, |d| i32::from(d.code())),
            leg_count: p.legs.len(),
            has_average_price: average.is_some(),
            average_price: average.unwrap_or(0.0),
        };
        Ok(())
    })
}

/// Leg `index` (0-based, in placing order) into `*out`; its strings stay valid until the
/// plan is freed.
///
/// # Safety
/// `plan` must be a live plan; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_plan_leg(
    plan: *const WagerkitRoutePlan,
    index: usize,
    out: *mut WagerkitLeg,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let plan = unsafe { args::handle(plan, "plan") }?;
        let out = unsafe { args::out(out, "out") }?;
        let (Some(leg), Some(names)) = (plan.plan.legs.get(index), plan.names.get(index)) else {
            return Err(Failure::invalid(
                "index",
                format!(
                    "index {index} is out of range: the plan has {} legs",
                    plan.plan.legs.len()
                ),
            ));
        };
        *out = WagerkitLeg {
            key: names.key.as_ptr(),
            bookmaker: names.bookmaker.as_ptr(),
            account: names.account.as_ptr(),
            price: price_to_f64(leg.price),
            stake: leg.stake,
            currency: args::code4(leg.currency),
            order_stake: leg.order_stake,
            order_currency: args::code4(leg.order_currency),
        };
        Ok(())
    })
}

/// ABP-style text of the plan (`Order stake 20000.00 USD exceeds available limit 15886.13
/// USD` for a decline; a short note when waiting or partial; empty when filled) into `buf`,
/// snprintf-style like `wagerkit_minor_to_str`.
///
/// # Safety
/// `plan` must be a live plan; `buf` NULL or `buf_len` writable bytes; `len_out` NULL or a
/// writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_plan_message(
    plan: *const WagerkitRoutePlan,
    buf: *mut c_char,
    buf_len: usize,
    len_out: *mut usize,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract, for each pointer.
        let plan = unsafe { args::handle(plan, "plan") }?;
        let message = plan.plan.message();
        unsafe { args::write_text(&message, buf, buf_len, len_out) }
    })
}

/// The names of the decline codes, NUL-terminated, from the engine's own table.
fn decline_names() -> &'static [CString] {
    static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
    NAMES.get_or_init(|| {
        DeclineReason::ALL
            .iter()
            .map(|r| c_string(r.name()))
            .collect()
    })
}

/// The name of a decline code (`"STAKE_EXCEEDS_LIMIT"`), static text; NULL for a code that is
/// not one of `WAGERKIT_DECLINE_*`.
#[no_mangle]
pub extern "C" fn wagerkit_decline_name(code: i32) -> *const c_char {
    guard_value(std::ptr::null(), || {
        DeclineReason::ALL
            .iter()
            .position(|r| i32::from(r.code()) == code)
            .map_or(std::ptr::null(), |i| decline_names()[i].as_ptr())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn decline_constants_match_the_engine_codes() {
        let constants = [
            (WAGERKIT_DECLINE_STAKE_EXCEEDS_LIMIT, "STAKE_EXCEEDS_LIMIT"),
            (WAGERKIT_DECLINE_STAKE_BELOW_MINIMUM, "STAKE_BELOW_MINIMUM"),
            (WAGERKIT_DECLINE_INVALID_ODDS, "INVALID_ODDS"),
            (WAGERKIT_DECLINE_NO_ACTIVE_ACCOUNTS, "NO_ACTIVE_ACCOUNTS"),
            (
                WAGERKIT_DECLINE_CURRENCY_CONVERSION_FAILED,
                "CURRENCY_CONVERSION_FAILED",
            ),
            (
                WAGERKIT_DECLINE_BOOKMAKER_NOT_AVAILABLE,
                "BOOKMAKER_NOT_AVAILABLE",
            ),
            (
                WAGERKIT_DECLINE_ODDS_TEMPORARILY_UNAVAILABLE,
                "ODDS_TEMPORARILY_UNAVAILABLE",
            ),
        ];
        assert_eq!(constants.len(), DeclineReason::ALL.len());
        for (code, name) in constants {
            let text = unsafe { CStr::from_ptr(wagerkit_decline_name(code)) };
            assert_eq!(text.to_str(), Ok(name));
        }
        assert!(wagerkit_decline_name(0).is_null());
        assert!(wagerkit_decline_name(8).is_null());
    }
}
