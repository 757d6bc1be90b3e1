//! wagerkit's engine, in plain Rust (no Python here, so other bindings can follow).
//!
//! - [`money`], [`decimal`], [`price`]: exact amounts in minor units, decimal text, fixed-point
//!   prices. Floats only ever enter through their shortest decimal form.
//! - [`fx`]: ABP's rate convention (units per 1 USD) and exact conversions.
//! - [`limits`]: the stake-limit cascade.
//! - [`book`] (+ [`betslip`]): the merged book of one selection.
//! - [`quote_feed`]: one venue quote frame (bytes or scalars) → the book, checked whole.
//! - [`route`]: the order router (ABP's four placement modes).
//! - [`dedupe`]: the TTL set of request UUIDs.
//! - [`odds`]: Pinnacle's five odds formats.
//!
//! The rules live in `docs/engine.md`; each module cites the part it implements.

pub mod betslip;
pub mod book;
pub mod decimal;
pub mod dedupe;
pub mod error;
pub mod fx;
pub mod limits;
pub mod money;
pub mod odds;
pub mod price;
pub mod quote_feed;
pub mod ratio;
pub mod route;

pub use book::{AccountSettings, Book, Level, QuoteInput, QuoteView, Slot};
pub use decimal::Rounding;
pub use error::{Error, Result};
pub use fx::Fx;
pub use money::Currency;
pub use price::{Price, PRICE_SCALE};
pub use quote_feed::{Applied, FrameError, QuoteFeed, QuoteFrame, RateFrame, SideFrame};
pub use route::{
    route, route_after, DeclineReason, Leg, Order, OrderFlags, PriorLeg, RoutePlan, Status,
};
