//! One venue quote frame → one updated [`Book`], in one call, validated whole first.
//!
//! A stream hands the engine one quote at a time (ABP's `betslip` channel: one bookmaker
//! account's back quote, its exchange lay quote in `meta.lay`, and the `currencyInfo` of its
//! limit currency). [`QuoteFeed`] keeps what a feed needs between frames (which slot holds
//! each account's back and lay quote, which currency each account is registered with) and
//! applies a frame to a caller-held [`Book`] and [`Fx`]:
//!
//! - **whole or nothing**: every value (names, market key, currency, rate, both sides) is
//!   checked before anything is touched, so a refused frame leaves book, rates and
//!   registrations exactly as they were: never a back quote moved while its lay was refused;
//! - **bounded**: one slot per account and side, at most `max_accounts` accounts, names of at
//!   most [`MAX_NAME`] characters, so a stream inventing names cannot grow memory;
//! - **typed errors**: a refused frame is a [`FrameError`] (the bindings raise the venue's
//!   "malformed answer" error), never the engine's argument error.
//!
//! Two entry points share the rules: [`QuoteFeed::apply_betslip_json`] takes the bytes of an
//! ABP `betslip` update payload (decoded here with serde_json into borrowed fields: no
//! intermediate object graph), and [`QuoteFeed::apply_quote`] takes a [`QuoteFrame`] of
//! already decoded scalars, for any venue whose quotes carry the same facts (OddsPapi, or a
//! REST betslip seeding the feed). Accounts are keyed `bookmaker/username` (one username can
//! exist at two bookmakers). Rules: docs/engine.md, "Quote feeds".

use crate::book::{AccountSettings, Book, QuoteInput, Slot};
use crate::decimal::{self, Rounding};
use crate::error::Error;
use crate::fx::{Fx, RATE_SCALE};
use crate::money::{float_to_minor, Currency};
use crate::price::{price_from_f64, Price};
use rustc_hash::FxHashMap;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;

/// Default cap on accounts in one feed (a real betslip has a few hundred at most).
pub const MAX_ACCOUNTS: usize = 4096;

/// Longest bookmaker or account name accepted from a venue, in characters.
pub const MAX_NAME: usize = 200;

/// Decimal odds above this are garbage (the engine's own ceiling is about 1.8e13).
const MAX_PRICE: f64 = 1e12;

/// Why a frame was refused. Nothing of it was applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameError {
    /// `true` when the bytes were not a well-typed frame at all (bad JSON, wrong types).
    pub malformed: bool,
    /// What was wrong, for a log line (venue values are truncated).
    pub message: String,
}

impl FrameError {
    fn quote(message: impl Into<String>) -> Self {
        FrameError {
            malformed: false,
            message: message.into(),
        }
    }
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FrameError {}

/// What one frame did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Applied {
    /// The frame was for this feed's selection and was applied (false: another selection,
    /// or no bookmaker named; nothing was touched).
    pub applied: bool,
    /// A quote appeared or one of its values (price, limit, limit min, active) changed.
    pub changed: bool,
    /// The best live back price is not what it was before the frame.
    pub best_back_moved: bool,
    /// The best live lay price is not what it was before the frame.
    pub best_lay_moved: bool,
}

/// One side's numbers as a venue sends them: decimal odds, amounts in major units of the
/// account's currency (`None`: not sent; a missing limit is 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SideFrame {
    pub price: f64,
    pub limit: Option<f64>,
    pub limit_min: Option<f64>,
    pub active: bool,
}

/// A `currencyInfo`: units of `currency` per 1 USD (ABP's convention).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateFrame<'a> {
    pub currency: &'a str,
    pub value: f64,
    pub updated_at: Option<&'a str>,
}

/// One account's quote for the feed's selection, decoded but not yet checked.
#[derive(Debug, Clone, PartialEq)]
pub struct QuoteFrame<'a> {
    /// The bookmaker's slug (no `:`).
    pub bookmaker: &'a str,
    /// The market key, when the venue sent one: it must be this selection's key for
    /// `bookmaker` (`fixtureId:bookmaker:outcomeId:playerId`).
    pub key: Option<&'a str>,
    /// The username at the bookmaker; `None` or empty means the bookmaker's only account.
    pub account: Option<&'a str>,
    /// Currency of the limits; `None` or empty means the rate's currency, else USD.
    pub limit_currency: Option<&'a str>,
    pub rate: Option<RateFrame<'a>>,
    pub back: SideFrame,
    /// The exchange lay quote as the venue sent it, untyped (ABP: `meta.lay`, a free-form
    /// object): `None`, JSON null or `{}` mean none. Checked here, field by field.
    pub lay: Option<&'a Value>,
}

/// Registration of one account in the feed.
#[derive(Debug, Clone, Copy)]
struct AccountState {
    currency: Currency,
    /// Slot of the back quote (index 1) and of the lay quote (index 0) in the book.
    slots: [Option<Slot>; 2],
}

/// A checked frame: everything it will change, computed before anything is changed.
struct Plan<'a> {
    bookmaker: &'a str,
    currency: Currency,
    rate: Option<(Currency, u128, Option<&'a str>)>,
    back: QuoteInput,
    lay: Option<QuoteInput>,
}

/// The state a feed keeps between the frames of one selection (see the module doc).
#[derive(Debug, Clone)]
pub struct QuoteFeed {
    fixture: Box<str>,
    outcome: i64,
    player: i64,
    /// `:{outcome}:{player}`, the end of every market key of this selection.
    key_tail: Box<str>,
    max_accounts: usize,
    accounts: FxHashMap<Box<str>, AccountState>,
    /// Per currency, the last rate value seen (its bits) and its checked scaled form: a venue
    /// repeats the same `currencyInfo` on every frame, so it is read from text only once.
    rates_seen: FxHashMap<Currency, (u64, u128)>,
    /// Scratch buffers reused across frames: the account name, the market key.
    account_buf: String,
    key_buf: String,
}

impl QuoteFeed {
    /// A feed for `(fixture, outcome, player)` holding at most `max_accounts` accounts.
    pub fn new(
        fixture: &str,
        outcome: i64,
        player: i64,
        max_accounts: usize,
    ) -> Result<QuoteFeed, Error> {
        if fixture.is_empty() || fixture.contains(':') {
            return Err(Error::invalid(
                "fixture_id",
                "fixture_id must be a non-empty id without ':'",
            ));
        }
        if max_accounts < 1 {
            return Err(Error::invalid("max_accounts", "max_accounts must be >= 1"));
        }
        Ok(QuoteFeed {
            fixture: fixture.into(),
            outcome,
            player,
            key_tail: format!(":{outcome}:{player}").into(),
            max_accounts,
            accounts: FxHashMap::default(),
            rates_seen: FxHashMap::default(),
            account_buf: String::new(),
            key_buf: String::new(),
        })
    }

    /// The selection: (fixture id, outcome id, player id).
    pub fn selection(&self) -> (&str, i64, i64) {
        (&self.fixture, self.outcome, self.player)
    }

    /// The account cap given at construction.
    pub fn max_accounts(&self) -> usize {
        self.max_accounts
    }

    /// Registered accounts (`bookmaker/username`) and their currencies, sorted by name.
    pub fn accounts(&self) -> Vec<(String, Currency)> {
        let mut out: Vec<_> = self
            .accounts
            .iter()
            .map(|(name, state)| (name.to_string(), state.currency))
            .collect();
        out.sort();
        out
    }

    /// The slot of every quote this feed placed: `((account, back), slot)`, sorted.
    pub fn slots(&self) -> Vec<((String, bool), Slot)> {
        let mut out = Vec::new();
        for (name, state) in &self.accounts {
            for back in [false, true] {
                if let Some(slot) = state.slots[usize::from(back)] {
                    out.push(((name.to_string(), back), slot));
                }
            }
        }
        out.sort();
        out
    }

    /// Decodes the payload of one ABP `betslip` update and applies it (see the module doc).
    ///
    /// A frame for another selection, or without a bookmaker, is decoded and checked for
    /// types but changes nothing (`applied` false).
    pub fn apply_betslip_json(
        &mut self,
        data: &[u8],
        book: &mut Book,
        fx: &mut Fx,
    ) -> Result<Applied, FrameError> {
        let wire = decode_update(data)?;
        let for_us = wire.fixture_id.as_deref() == Some(&*self.fixture)
            && wire.outcome_id == Some(self.outcome)
            && wire.player_id == self.player;
        let Some(bookmaker) = wire.bookmaker.as_deref().filter(|_| for_us) else {
            return Ok(Applied::default());
        };
        let lay = match &wire.meta {
            Some(Value::Object(meta)) => meta.get("lay"),
            _ => None,
        };
        let frame = QuoteFrame {
            bookmaker,
            key: wire.market_key.as_deref(),
            account: wire.account.as_deref(),
            limit_currency: wire.limit_currency.as_deref(),
            rate: wire.currency_info.as_ref().map(|info| RateFrame {
                currency: &info.currency,
                value: info.currency_value,
                updated_at: info.updated_at.as_deref(),
            }),
            back: SideFrame {
                price: wire.price,
                limit: wire.limit,
                limit_min: wire.limit_min,
                active: wire.active,
            },
            lay,
        };
        self.apply_quote(&frame, book, fx)
    }

    /// Checks `frame` whole, then applies it to `book` and its rate to `fx` (see the module
    /// doc). The frame must be for this feed's selection: its key, when given, is checked.
    pub fn apply_quote(
        &mut self,
        frame: &QuoteFrame<'_>,
        book: &mut Book,
        fx: &mut Fx,
    ) -> Result<Applied, FrameError> {
        let plan = self.plan(frame)?;
        self.commit(&plan, book, fx)
    }

    /// Check the whole frame; on success `account_buf` holds the account's name and
    /// `key_buf` the market key. Changes nothing else.
    fn plan<'a>(&mut self, frame: &QuoteFrame<'a>) -> Result<Plan<'a>, FrameError> {
        let bookmaker = frame.bookmaker;
        if bookmaker.is_empty() || bookmaker.contains(':') {
            return Err(FrameError::quote(format!(
                "bookmaker {:?} is not a slug",
                truncated(bookmaker)
            )));
        }
        if too_long(bookmaker) {
            return Err(FrameError::quote("bookmaker name too long"));
        }
        self.key_buf.clear();
        self.key_buf.push_str(&self.fixture);
        self.key_buf.push(':');
        self.key_buf.push_str(bookmaker);
        self.key_buf.push_str(&self.key_tail);
        if let Some(key) = frame.key {
            if key != self.key_buf {
                return Err(FrameError::quote(format!(
                    "market key {:?} is not {:?}",
                    truncated(key),
                    self.key_buf
                )));
            }
        }
        let username = frame.account.filter(|a| !a.is_empty()).unwrap_or(bookmaker);
        if too_long(username) {
            return Err(FrameError::quote("account name too long"));
        }
        self.account_buf.clear();
        self.account_buf.push_str(bookmaker);
        self.account_buf.push('/');
        self.account_buf.push_str(username);
        if !self.accounts.contains_key(self.account_buf.as_str())
            && self.accounts.len() >= self.max_accounts
        {
            return Err(FrameError::quote(format!(
                "more than {} accounts in one book",
                self.max_accounts
            )));
        }
        let code = frame
            .limit_currency
            .filter(|c| !c.is_empty())
            .or(frame.rate.map(|r| r.currency))
            .unwrap_or("USD");
        let currency = Currency::lookup(code)
            .ok_or_else(|| FrameError::quote(format!("unknown currency {:?}", truncated(code))))?;
        let rate = match frame.rate {
            Some(rate) => Some(self.checked_rate(rate)?),
            None => None,
        };
        let back = side(&frame.back, currency)?;
        let lay = match frame.lay {
            None | Some(Value::Null) => None,
            Some(Value::Object(fields)) if fields.is_empty() => None,
            Some(Value::Object(fields)) => {
                let active = match fields.get("active") {
                    None => true,
                    Some(Value::Bool(b)) => *b,
                    Some(_) => return Err(FrameError::quote("meta.lay.active is not a boolean")),
                };
                let lay = SideFrame {
                    price: lay_number(fields.get("price"), "meta.lay.price")?
                        .ok_or_else(|| FrameError::quote("meta.lay.price is not a number: None"))?,
                    limit: lay_number(fields.get("limit"), "meta.lay.limit")?,
                    limit_min: lay_number(fields.get("limitMin"), "meta.lay.limitMin")?,
                    active,
                };
                Some(side(&lay, currency)?)
            }
            Some(_) => return Err(FrameError::quote("meta.lay is not an object")),
        };
        Ok(Plan {
            bookmaker,
            currency,
            rate,
            back,
            lay,
        })
    }

    /// [`check_rate`], remembering the last value per currency (see `rates_seen`).
    fn checked_rate<'a>(
        &mut self,
        rate: RateFrame<'a>,
    ) -> Result<(Currency, u128, Option<&'a str>), FrameError> {
        if let Some(currency) = Currency::lookup(rate.currency) {
            if let Some(&(bits, scaled)) = self.rates_seen.get(&currency) {
                if bits == rate.value.to_bits() {
                    return Ok((currency, scaled, rate.updated_at));
                }
            }
        }
        let checked = check_rate(rate)?;
        // Bounded by the ISO 4217 table: one entry per currency.
        self.rates_seen
            .insert(checked.0, (rate.value.to_bits(), checked.1));
        Ok(checked)
    }

    /// Apply a checked plan. Every check the engine makes was made by [`QuoteFeed::plan`],
    /// so nothing here fails on venue data; should the engine still refuse (a book shared
    /// with quotes of another selection), that is reported as a [`FrameError`].
    fn commit(
        &mut self,
        plan: &Plan<'_>,
        book: &mut Book,
        fx: &mut Fx,
    ) -> Result<Applied, FrameError> {
        let engine = |e: Error| FrameError::quote(format!("refused by the engine: {e}"));
        if let Some((currency, scaled, updated_at)) = plan.rate {
            // The same rate again leaves the table as it is (and its version, so books that
            // convert with it keep their converted limits).
            let same = fx.rate_scaled(currency) == Ok(scaled)
                && fx.updated_at(currency).ok() == Some(updated_at);
            if !same {
                fx.set_rate_scaled(currency, scaled, updated_at)
                    .map_err(engine)?;
            }
        }
        let best_before = (book.best_price(true), book.best_price(false));
        let account = self.account_buf.as_str();
        let key = self.key_buf.as_str();
        let mut changed = false;
        let mut state = match self.accounts.get(account) {
            Some(state) if state.currency == plan.currency => *state,
            known => {
                // New, or the account changed currency at the venue (ABP: a PATCH of
                // currencyId): its old quotes' limits are in the old currency, so they go
                // before the account is re-registered.
                if let Some(old) = known {
                    for back in [false, true] {
                        if old.slots[usize::from(back)].is_some() {
                            book.remove(key, account, back);
                        }
                    }
                }
                book.set_account(
                    account,
                    plan.bookmaker,
                    plan.currency,
                    AccountSettings::default(),
                )
                .map_err(engine)?;
                changed = true;
                AccountState {
                    currency: plan.currency,
                    slots: [None, None],
                }
            }
        };
        let sides = [(true, Some(plan.back)), (false, plan.lay)];
        for (back, input) in sides {
            let Some(input) = input else { continue };
            let held = &mut state.slots[usize::from(back)];
            let moved = match *held {
                Some(slot) => match book.input(slot) {
                    Ok(old) => {
                        book.update(slot, input).map_err(engine)?;
                        old != input
                    }
                    Err(_) => {
                        // Removed from the book behind the feed's back: place it again.
                        *held = Some(book.upsert(key, account, input, back).map_err(engine)?);
                        true
                    }
                },
                None => {
                    *held = Some(book.upsert(key, account, input, back).map_err(engine)?);
                    true
                }
            };
            changed |= moved;
        }
        if let Some(entry) = self.accounts.get_mut(account) {
            *entry = state;
        } else {
            self.accounts.insert(account.into(), state);
        }
        Ok(Applied {
            applied: true,
            changed,
            best_back_moved: book.best_price(true) != best_before.0,
            best_lay_moved: book.best_price(false) != best_before.1,
        })
    }
}

/// More than [`MAX_NAME`] characters (a name of at most that many bytes never is).
#[inline]
fn too_long(name: &str) -> bool {
    name.len() > MAX_NAME && name.chars().count() > MAX_NAME
}

/// A venue value in a message, cut short so a hostile frame cannot flood a log line.
fn truncated(text: &str) -> &str {
    match text.char_indices().nth(MAX_NAME) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// A rate checked as [`Fx::set_rate_f64`] would take it: units per 1 USD, > 0, USD = 1.
fn check_rate<'a>(rate: RateFrame<'a>) -> Result<(Currency, u128, Option<&'a str>), FrameError> {
    let currency = Currency::lookup(rate.currency).ok_or_else(|| {
        FrameError::quote(format!(
            "unknown currency {:?} in currencyInfo",
            truncated(rate.currency)
        ))
    })?;
    let unusable = |why: String| FrameError::quote(format!("unusable rate: {why}"));
    let text = decimal::float_text(rate.value)
        .ok_or_else(|| unusable(format!("currency_value must be finite, got {}", rate.value)))?;
    let scaled = decimal::parse_scaled(&text, 12, Rounding::HalfEven)
        .map_err(|_| unusable(format!("currency_value {text} is out of range")))?;
    if scaled <= 0 {
        return Err(unusable(format!(
            "currency_value for {currency} must be > 0, got {text}"
        )));
    }
    if currency == Currency::USD && scaled != RATE_SCALE as i128 {
        return Err(unusable(format!(
            "currency_value of USD must stay 1 (rates are per 1 USD), got {text}"
        )));
    }
    Ok((currency, scaled as u128, rate.updated_at))
}

/// One side checked the way the engine will take it: price > 1.0 after rounding to 6
/// decimals and at most 1e12; amounts finite, representable and not negative, in minor units
/// of `currency` (a maximum rounded down, a minimum up, so no leg can break either).
fn side(frame: &SideFrame, currency: Currency) -> Result<QuoteInput, FrameError> {
    let price: Price = if frame.price <= MAX_PRICE {
        price_from_f64(frame.price, "price").ok()
    } else {
        None
    }
    .ok_or_else(|| {
        FrameError::quote(format!(
            "price {} is not decimal odds above 1",
            py_float(frame.price)
        ))
    })?;
    Ok(QuoteInput {
        price,
        limit: match frame.limit {
            Some(x) => amount(x, currency, Rounding::Down, "limit")?,
            None => 0,
        },
        limit_min: frame
            .limit_min
            .map(|x| amount(x, currency, Rounding::Up, "limitMin"))
            .transpose()?,
        active: frame.active,
    })
}

fn amount(
    x: f64,
    currency: Currency,
    rounding: Rounding,
    name: &'static str,
) -> Result<i64, FrameError> {
    if let Some(minor) = grid_minor(x, currency.exponent()) {
        return Ok(minor);
    }
    let shown = py_float(x);
    if !x.is_finite() {
        return Err(FrameError::quote(format!("{name} {shown} is not finite")));
    }
    let minor = float_to_minor(x, currency, rounding, name)
        .map_err(|e| FrameError::quote(format!("{name} {shown}: {e}")))?;
    if minor < 0 {
        return Err(FrameError::quote(format!("{name} {shown} is negative")));
    }
    Ok(minor)
}

/// Fast path of `float_to_minor` for the usual amount (`500`, `751.34`): when `n / 10^exp`
/// reads back as `x` exactly, `x`'s shortest decimal form is that grid point (below 1e9 a
/// float's unit in the last place is far finer than 10^-4, so no other point with as few
/// decimals rounds to `x`), which needs no rounding either way: the slow path gives `n` too.
#[inline]
fn grid_minor(x: f64, exp: u32) -> Option<i64> {
    const SCALES: [f64; 5] = [1.0, 10.0, 100.0, 1_000.0, 10_000.0];
    let scale = *SCALES.get(exp as usize)?;
    if !(0.0..1e9).contains(&x) {
        return None;
    }
    let n = (x * scale + 0.5) as u64;
    (n as f64 / scale == x).then_some(n as i64)
}

/// A float as Python prints it in messages (`inf`, `nan`, `1e+300` read alike enough).
fn py_float(x: f64) -> String {
    if x.is_nan() {
        "nan".to_owned()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.to_owned()
    } else {
        format!("{x:?}")
    }
}

/// A number from the untyped `meta.lay` object (`None` when absent or null; a boolean or
/// any other type is refused, though JSON-wise `true` is no number anyway).
fn lay_number(value: Option<&Value>, name: &str) -> Result<Option<f64>, FrameError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_f64()
            .map(Some)
            .ok_or_else(|| FrameError::quote(format!("{name} is not a number: {n}"))),
        Some(other) => {
            let mut shown = other.to_string();
            shown.truncate(MAX_NAME);
            Err(FrameError::quote(format!(
                "{name} is not a number: {shown}"
            )))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// the wire shape of an ABP `betslip` update (fields as ABP sends them, camelCase)

fn yes() -> bool {
    true
}

/// Text that borrows from the frame unless JSON escapes forced a copy.
#[derive(Debug, Default)]
struct Text<'a>(Cow<'a, str>);

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

/// An id a bookmaker may send as text or as a number; only its type is checked.
#[derive(Debug)]
struct AnyId;

impl<'de> Deserialize<'de> for AnyId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl Visitor<'_> for IdVisitor {
            type Value = AnyId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an integer")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<AnyId, E> {
                Ok(AnyId)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<AnyId, E> {
                Ok(AnyId)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<AnyId, E> {
                Ok(AnyId)
            }
        }
        deserializer.deserialize_any(IdVisitor)
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireRate<'a> {
    #[serde(borrow)]
    currency: Text<'a>,
    currency_value: f64,
    #[serde(default, borrow)]
    updated_at: Option<Text<'a>>,
}

/// The fields of wagerkit.abp.models.BetslipUpdate, with the same types; unknown fields
/// are ignored, wrong types refused.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // type-checked only, as the Python model does
struct WireUpdate<'a> {
    price: f64,
    #[serde(default)]
    limit: Option<f64>,
    #[serde(default)]
    limit_min: Option<f64>,
    #[serde(default, borrow)]
    limit_currency: Option<Text<'a>>,
    #[serde(default)]
    limit_usd: Option<f64>,
    #[serde(default)]
    limit_min_usd: Option<f64>,
    #[serde(default = "yes")]
    active: bool,
    #[serde(default, borrow)]
    account: Option<Text<'a>>,
    #[serde(default, borrow)]
    currency_info: Option<WireRate<'a>>,
    #[serde(default)]
    bookmaker_fixture_id: Option<AnyId>,
    #[serde(default)]
    bookmaker_market_id: Option<AnyId>,
    #[serde(default)]
    bookmaker_outcome_id: Option<AnyId>,
    #[serde(default, borrow)]
    market_key: Option<Text<'a>>,
    #[serde(default)]
    meta: Option<Value>,
    #[serde(default, borrow)]
    fixture_id: Option<Text<'a>>,
    #[serde(default)]
    outcome_id: Option<i64>,
    #[serde(default)]
    player_id: i64,
    #[serde(default, borrow)]
    bookmaker: Option<Text<'a>>,
}

fn decode_update(data: &[u8]) -> Result<WireUpdate<'_>, FrameError> {
    let malformed = |why: String| FrameError {
        malformed: true,
        message: format!("not a betslip update: {why}"),
    };
    // serde accepts a struct written as a JSON array too; a frame is an object.
    if data.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(malformed("expected a JSON object".to_owned()));
    }
    // One UTF-8 check of the whole frame (std's has an ASCII fast path) lets serde_json read
    // strings without checking each one again: about 18% fewer instructions per frame than
    // `from_slice` (callgrind, a ~430-byte betslip update).
    let text = std::str::from_utf8(data).map_err(|e| malformed(e.to_string()))?;
    serde_json::from_str(text).map_err(|e| malformed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::price::PRICE_SCALE;

    const FIX: &str = "id1000004461512432";

    fn frame(extra: &str) -> Vec<u8> {
        let base = format!(
            r#""fixtureId": "{FIX}", "outcomeId": 103, "playerId": 0, "bookmaker": "pinnacle",
               "marketKey": "{FIX}:pinnacle:103:0", "account": "main", "limitCurrency": "USD",
               "currencyInfo": {{"currency": "USD", "currencyValue": 1}}"#
        );
        // later keys win in our test frames: build the object from a map
        let mut map: serde_json::Map<String, Value> = serde_json::from_str(&format!(
            "{{{base}, \"price\": 2.0, \"limit\": 500, \"limitMin\": 1}}"
        ))
        .unwrap();
        let extra: serde_json::Map<String, Value> =
            serde_json::from_str(&format!("{{{extra}}}")).unwrap();
        map.extend(extra);
        serde_json::to_vec(&map).unwrap()
    }

    fn seeded() -> (QuoteFeed, Book, Fx) {
        let mut feed = QuoteFeed::new(FIX, 103, 0, MAX_ACCOUNTS).unwrap();
        let (mut book, mut fx) = (Book::new(), Fx::new());
        let first = feed
            .apply_betslip_json(
                &frame(r#""meta": {"lay": {"price": 2.1, "limit": 300}}"#),
                &mut book,
                &mut fx,
            )
            .unwrap();
        assert!(first.applied && first.changed && first.best_back_moved && first.best_lay_moved);
        feed.apply_betslip_json(
            &frame(
                r#""bookmaker": "sharpbet", "marketKey": "id1000004461512432:sharpbet:103:0",
                   "limitCurrency": "EUR", "price": 2.05,
                   "currencyInfo": {"currency": "EUR", "currencyValue": 0.84788876,
                                    "updatedAt": "2026-02-07T17:29:32+00:00"}"#,
            ),
            &mut book,
            &mut fx,
        )
        .unwrap();
        (feed, book, fx)
    }

    fn snapshot(feed: &QuoteFeed, book: &Book, fx: &Fx) -> String {
        let quotes: Vec<_> = feed
            .slots()
            .into_iter()
            .map(|(_, slot)| book.get(slot).unwrap())
            .collect();
        format!(
            "{quotes:?} {:?} {:?} {:?} {}",
            fx.currencies()
                .into_iter()
                .map(|c| (
                    c,
                    fx.rate_scaled(c).unwrap(),
                    fx.updated_at(c).unwrap().map(String::from)
                ))
                .collect::<Vec<_>>(),
            feed.slots(),
            feed.accounts(),
            book.len()
        )
    }

    #[test]
    fn a_good_frame_moves_back_and_lay_together_and_reports_what_moved() {
        let (mut feed, mut book, mut fx) = seeded();
        assert_eq!(book.best_price(true), Some(2_050_000));
        assert_eq!(fx.rate_scaled(Currency::EUR), Ok(847_888_760_000));
        let applied = feed
            .apply_betslip_json(
                &frame(r#""price": 2.4, "meta": {"lay": {"price": 2.5, "limit": 10}}"#),
                &mut book,
                &mut fx,
            )
            .unwrap();
        assert_eq!(
            applied,
            Applied {
                applied: true,
                changed: true,
                best_back_moved: true,
                best_lay_moved: true
            }
        );
        assert_eq!(book.best_price(true), Some(2_400_000));
        assert_eq!(book.best_price(false), Some(2_500_000));
        // the same frame again: applied, nothing changed
        let again = feed
            .apply_betslip_json(
                &frame(r#""price": 2.4, "meta": {"lay": {"price": 2.5, "limit": 10}}"#),
                &mut book,
                &mut fx,
            )
            .unwrap();
        assert_eq!(
            again,
            Applied {
                applied: true,
                ..Applied::default()
            }
        );
        // a lower price at pinnacle: changed, but sharpbet (2.05) is now... best moves to 2.05
        let lower = feed
            .apply_betslip_json(&frame(r#""price": 1.5"#), &mut book, &mut fx)
            .unwrap();
        assert!(lower.changed && lower.best_back_moved && !lower.best_lay_moved);
        assert_eq!(book.best_price(true), Some(2_050_000));
    }

    #[test]
    fn limits_are_minor_units_rounded_toward_the_venues_bounds() {
        let (mut feed, mut book, mut fx) = seeded();
        feed.apply_betslip_json(
            &frame(r#""limit": 751.3451, "limitMin": 1.001, "limitCurrency": "EUR", "currencyInfo": null"#),
            &mut book,
            &mut fx,
        )
        .unwrap();
        let slots = feed.slots();
        let back = slots
            .iter()
            .find(|((a, b), _)| a == "pinnacle/main" && *b)
            .unwrap()
            .1;
        let quote = book.get(back).unwrap();
        assert_eq!((quote.limit, quote.limit_min), (75_134, Some(101)));
        assert_eq!(quote.currency, Currency::EUR);
        // the account changed currency: its lay quote (in USD) is gone
        assert!(!slots.iter().any(|((a, b), _)| a == "pinnacle/main" && !*b));
        assert_eq!(book.len(), 2);
    }

    #[test]
    fn frames_for_another_selection_change_nothing() {
        let (mut feed, mut book, mut fx) = seeded();
        let before = snapshot(&feed, &book, &fx);
        for extra in [
            r#""outcomeId": 104"#,
            r#""playerId": 7"#,
            r#""fixtureId": "other""#,
            r#""fixtureId": null"#,
            r#""bookmaker": null"#,
        ] {
            let got = feed
                .apply_betslip_json(&frame(extra), &mut book, &mut fx)
                .unwrap();
            assert_eq!(got, Applied::default(), "{extra}");
        }
        assert_eq!(snapshot(&feed, &book, &fx), before);
    }

    #[test]
    fn a_bad_frame_is_refused_whole() {
        let cases = [
            (r#""price": 1.0"#, "price"),
            (r#""price": 0.5"#, "price"),
            (r#""price": 1.0000004"#, "price"),
            (r#""price": 1e300"#, "price"),
            (r#""limit": -5"#, "negative"),
            (r#""limit": 1e300"#, "limit"),
            (r#""limitMin": -1"#, "negative"),
            (
                r#""limitCurrency": "XYZ", "currencyInfo": null"#,
                "unknown currency",
            ),
            (
                r#""limitCurrency": "EUR", "currencyInfo": {"currency": "EUR", "currencyValue": 0}"#,
                "rate",
            ),
            (
                r#""limitCurrency": "EUR", "currencyInfo": {"currency": "EUR", "currencyValue": 1e300}"#,
                "rate",
            ),
            (
                r#""currencyInfo": {"currency": "USD", "currencyValue": 1.5}"#,
                "USD",
            ),
            (
                r#""currencyInfo": {"currency": "ZZZ", "currencyValue": 2}"#,
                "currencyInfo",
            ),
            (
                r#""marketKey": "id1000004461512432:pinnacle:104:0""#,
                "market key",
            ),
            (
                r#""marketKey": "id1000004461512432:sharpbet:103:0""#,
                "market key",
            ),
            (r#""bookmaker": "pin:nacle", "marketKey": null"#, "slug"),
            (r#""price": 2.2, "meta": {"lay": {"price": 1.0}}"#, "price"),
            (
                r#""price": 2.2, "meta": {"lay": {"price": 2.3, "limit": -1}}"#,
                "negative",
            ),
            (
                r#""price": 2.2, "meta": {"lay": {"price": "2.3"}}"#,
                "not a number",
            ),
            (
                r#""price": 2.2, "meta": {"lay": {"limit": 3}}"#,
                "not a number",
            ),
            (r#""price": 2.2, "meta": {"lay": [2.3]}"#, "not an object"),
            (
                r#""price": 2.2, "meta": {"lay": {"price": 2.3, "active": "no"}}"#,
                "boolean",
            ),
            (
                r#""price": 2.2, "meta": {"lay": {"price": 2.3, "active": null}}"#,
                "boolean",
            ),
            (
                r#""price": 0.9, "limitCurrency": "GBP", "currencyInfo": {"currency": "GBP", "currencyValue": 0.75}"#,
                "price",
            ),
            (r#""account": "x""#, ""), // placeholder replaced below by a long name
        ];
        let long = format!(r#""account": "{}""#, "x".repeat(201));
        for (extra, why) in cases {
            let extra = if why.is_empty() { long.as_str() } else { extra };
            let why = if why.is_empty() { "too long" } else { why };
            let (mut feed, mut book, mut fx) = seeded();
            let before = snapshot(&feed, &book, &fx);
            let err = feed
                .apply_betslip_json(&frame(extra), &mut book, &mut fx)
                .unwrap_err();
            assert!(!err.malformed, "{extra}: {err}");
            assert!(err.message.contains(why), "{extra}: {err}");
            assert_eq!(snapshot(&feed, &book, &fx), before, "{extra}");
        }
    }

    #[test]
    fn malformed_bytes_are_refused_as_malformed() {
        let (mut feed, mut book, mut fx) = seeded();
        let before = snapshot(&feed, &book, &fx);
        for bytes in [
            &b"this is not JSON"[..],
            b"[2.0]",
            b"{}",
            br#"{"price": "2.0"}"#,
            br#"{"price": true}"#,
            br#"{"price": 2.0, "active": null}"#,
            br#"{"price": 2.0, "outcomeId": 1.5}"#,
            br#"{"price": 2.0, "playerId": null}"#,
            br#"{"price": 2.0, "bookmakerMarketId": 1.5}"#,
            br#"{"price": 2.0, "currencyInfo": {"currency": "EUR"}}"#,
            b"{\"price\": 2.0, \"account\": \"\xff\"}",
        ] {
            let err = feed
                .apply_betslip_json(bytes, &mut book, &mut fx)
                .unwrap_err();
            assert!(err.malformed, "{}", String::from_utf8_lossy(bytes));
        }
        assert_eq!(snapshot(&feed, &book, &fx), before);
    }

    #[test]
    fn a_repeated_rate_leaves_the_table_untouched_and_a_new_one_is_checked_again() {
        let (mut feed, mut book, mut fx) = seeded();
        let eur = r#""limitCurrency": "EUR", "currencyInfo": {"currency": "EUR",
                     "currencyValue": 0.84788876, "updatedAt": "2026-02-07T17:29:32+00:00"}"#;
        feed.apply_betslip_json(&frame(eur), &mut book, &mut fx)
            .unwrap();
        let stamp = fx.stamp();
        feed.apply_betslip_json(
            &frame(&format!("{eur}, \"price\": 2.3")),
            &mut book,
            &mut fx,
        )
        .unwrap();
        assert_eq!(
            fx.stamp(),
            stamp,
            "same rate, same timestamp: table untouched"
        );
        let later = eur.replace("17:29:32", "17:30:00");
        feed.apply_betslip_json(&frame(&later), &mut book, &mut fx)
            .unwrap();
        assert_ne!(fx.stamp(), stamp);
        assert_eq!(
            fx.updated_at(Currency::EUR),
            Ok(Some("2026-02-07T17:30:00+00:00"))
        );
        let zero = eur.replace("0.84788876", "0");
        let err = feed
            .apply_betslip_json(&frame(&zero), &mut book, &mut fx)
            .unwrap_err();
        assert!(err.message.contains("rate"), "{err}");
        let moved = eur.replace("0.84788876", "0.9");
        feed.apply_betslip_json(&frame(&moved), &mut book, &mut fx)
            .unwrap();
        assert_eq!(fx.rate_scaled(Currency::EUR), Ok(900_000_000_000));
    }

    #[test]
    fn the_amount_fast_path_agrees_with_the_exact_text_route() {
        let mut values = vec![
            0.0,
            -0.0,
            1e-9,
            0.004,
            0.005,
            0.015,
            751.3451,
            1e9 - 0.01,
            123.456,
        ];
        let mut x = 0.001_f64;
        while x < 2e9 {
            values.extend([x, x * 1.000_000_1, (x * 100.0).round() / 100.0, x + 0.005]);
            x *= 1.37;
        }
        values.extend((0..20_000).map(|i| f64::from(i) / 100.0 + 0.001 * f64::from(i % 7)));
        for code in ["USD", "JPY", "BHD", "CLF", "EUR"] {
            let currency = Currency::lookup(code).unwrap();
            for &v in &values {
                if let Some(fast) = grid_minor(v, currency.exponent()) {
                    for rounding in [Rounding::Down, Rounding::Up] {
                        let slow = float_to_minor(v, currency, rounding, "limit").unwrap();
                        assert_eq!(fast, slow, "{v} {code} {rounding:?}");
                    }
                }
            }
        }
        assert_eq!(grid_minor(751.34, 2), Some(75_134));
        assert_eq!(grid_minor(751.3451, 2), None); // not on the grid: the exact route rounds
    }

    #[test]
    fn accounts_are_bounded_and_known_ones_still_move() {
        let mut feed = QuoteFeed::new(FIX, 103, 0, 3).unwrap();
        let (mut book, mut fx) = (Book::new(), Fx::new());
        for i in 0..3 {
            feed.apply_betslip_json(&frame(&format!(r#""account": "a{i}""#)), &mut book, &mut fx)
                .unwrap();
        }
        let err = feed
            .apply_betslip_json(&frame(r#""account": "a3""#), &mut book, &mut fx)
            .unwrap_err();
        assert!(err.message.contains("more than 3 accounts"));
        let moved = feed
            .apply_betslip_json(
                &frame(r#""account": "a1", "price": 3.0"#),
                &mut book,
                &mut fx,
            )
            .unwrap();
        assert!(moved.best_back_moved);
        assert_eq!(book.best_price(true), Some(3 * PRICE_SCALE));
        assert_eq!(feed.accounts().len(), 3);
    }

    #[test]
    fn the_typed_entry_takes_the_same_rules_and_escaped_names_decode() {
        let mut feed = QuoteFeed::new(FIX, 103, 0, MAX_ACCOUNTS).unwrap();
        let (mut book, mut fx) = (Book::new(), Fx::new());
        let lay: Value = serde_json::from_str(r#"{"price": 2.2}"#).unwrap();
        let quote = QuoteFrame {
            bookmaker: "betfair",
            key: None,
            account: Some(""),
            limit_currency: None,
            rate: Some(RateFrame {
                currency: "GBP",
                value: 0.75,
                updated_at: None,
            }),
            back: SideFrame {
                price: 2.0,
                limit: Some(10.0),
                limit_min: None,
                active: true,
            },
            lay: Some(&lay),
        };
        assert!(
            feed.apply_quote(&quote, &mut book, &mut fx)
                .unwrap()
                .changed
        );
        assert_eq!(
            feed.accounts(),
            vec![(
                "betfair/betfair".to_owned(),
                Currency::lookup("GBP").unwrap()
            )]
        );
        assert_eq!(book.len(), 2);
        let nan = QuoteFrame {
            back: SideFrame {
                price: f64::NAN,
                ..quote.back
            },
            ..quote.clone()
        };
        assert!(feed.apply_quote(&nan, &mut book, &mut fx).is_err());
        let escaped = frame(r#""account": "m\u00e4in""#);
        feed.apply_betslip_json(&escaped, &mut Book::new(), &mut Fx::new())
            .unwrap();
        assert!(feed.accounts().iter().any(|(a, _)| a == "pinnacle/mäin"));
        assert!(QuoteFeed::new("a:b", 1, 0, 1).is_err());
        assert!(QuoteFeed::new("a", 1, 0, 0).is_err());
    }
}
