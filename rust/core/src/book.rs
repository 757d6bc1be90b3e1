//! The merged book of one selection across bookmakers and accounts.
//!
//! Accounts are registered first; quotes are then upserted against them and get a *slot*, a
//! stable handle that the price-feed hot path ([`Book::update`]) uses instead of strings.
//! A slot is an index tagged with a generation: a removed quote's index is reused, under the
//! next generation, so memory stays bounded while a stale slot is still refused and can never
//! move another quote.
//!
//! Accounts are keyed by (bookmaker, name): two bookmakers may each have an account with the
//! same username (a betslip routinely shows that), and quotes still name the account by its
//! username.
//!
//! Each quote keeps its effective limits (the cascade of [`crate::limits`], in its account
//! currency) up to date, so reads never redo the cascade. Two things are cached per side and
//! recomputed lazily: the best price, and the order of quotes by (price, priority, key,
//! account). Route and reads refine that order with the limit converted into the caller's
//! currency only where price and priority tie.

use crate::decimal::Rounding;
use crate::error::{Error, Result};
use crate::fx::Fx;
use crate::limits::{self, LimitInputs};
use crate::money::Currency;
use crate::price::{Price, PRICE_SCALE};
use crate::ratio;
use rustc_hash::FxHashMap;
use std::cmp::Ordering;
use std::sync::Arc;

/// A quote's handle: `generation << 32 | index`. An index is reused after its quote is removed,
/// under the next generation, so an old handle never reaches the new quote.
pub type Slot = u64;

/// Marks a free slot in the slot table.
const GONE: u32 = u32::MAX;

/// One entry of the slot table.
#[derive(Debug, Clone, Copy)]
struct SlotCell {
    /// Dense index in `entries`, or `GONE`.
    dense: u32,
    generation: u32,
}

#[inline]
fn slot_parts(slot: Slot) -> (usize, u32) {
    ((slot & 0xFFFF_FFFF) as usize, (slot >> 32) as u32)
}

/// A bookmaker-level limit once converted into an account's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Converted {
    /// No bookmaker limit: the cascade falls through to the odds limit.
    Absent,
    Known(i64),
    /// The limit's currency has no rate in the last Fx used: the limit is unknown, and the
    /// quote cannot take a bet until a table with that rate is used.
    Unknown,
}

/// Settings of an account (amounts in minor units of its currency).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountSettings {
    /// Higher goes first among equal prices.
    pub priority: i64,
    pub max_stake: Option<i64>,
    pub min_stake: Option<i64>,
    /// Caps the effective max stake when known.
    pub balance: Option<i64>,
    pub active: bool,
}

impl Default for AccountSettings {
    fn default() -> Self {
        AccountSettings {
            priority: 0,
            max_stake: None,
            min_stake: None,
            balance: None,
            active: true,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub(crate) name: Arc<str>,
    pub(crate) bookmaker: u32,
    pub(crate) currency: Currency,
    pub(crate) settings: AccountSettings,
    pub(crate) bookmaker_max: Converted,
    pub(crate) bookmaker_min: Converted,
    live_quotes: u32,
    /// False once removed; its index waits in the free list.
    alive: bool,
}

#[derive(Debug, Clone, Copy)]
struct BookmakerLimits {
    currency: Currency,
    max: Option<i64>,
    min: Option<i64>,
}

/// The feed-side fields of a quote (limits in minor units of the account currency).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuoteInput {
    pub price: Price,
    pub limit: i64,
    pub limit_min: Option<i64>,
    pub active: bool,
}

/// The names of a quote, shared (one reference count) by the book and every leg routed to it.
#[derive(Debug, PartialEq, Eq)]
pub struct QuoteNames {
    /// Market key `fixtureId:bookmaker:outcomeId:playerId`.
    pub key: Box<str>,
    pub bookmaker: Arc<str>,
    pub account: Arc<str>,
}

#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) slot: Slot,
    pub(crate) names: Arc<QuoteNames>,
    /// Position of (key, account) among this side's quotes: the last tie-break of the order,
    /// as an integer so that re-sorting after a price move compares no strings.
    rank: u32,
    pub(crate) account: u32,
    pub(crate) back: bool,
    pub(crate) input: QuoteInput,
    /// Effective max after the cascade and the balance cap; `None` when unknown.
    pub(crate) max: Option<i64>,
    pub(crate) min: i64,
    /// Active quote, active account, known limits that can take a bet.
    pub(crate) live: bool,
}

/// A snapshot of one quote with its effective limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteView {
    pub slot: Slot,
    pub names: Arc<QuoteNames>,
    pub currency: Currency,
    pub priority: i64,
    pub price: Price,
    pub limit: i64,
    pub limit_min: Option<i64>,
    pub active: bool,
    pub back: bool,
    pub max_stake: Option<i64>,
    pub min_stake: i64,
}

/// One price level of [`Book::ladder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    pub price: Price,
    /// Stake available at exactly this price, minor units of the ladder's currency.
    pub available: i64,
    /// How many quotes make up the level.
    pub quotes: usize,
}

/// Per-side caches.
#[derive(Debug, Clone, Default)]
pub(crate) struct Side {
    /// Dense indices of this side's quotes in (price, priority, key, account) order.
    pub(crate) order: Vec<u32>,
    /// The quotes in `order` are this side's, but their prices may have moved.
    sorted: bool,
    /// Quotes were added or removed (or moved in memory): `order` must be rebuilt.
    stale_members: bool,
    /// `Some(best)` while known; `None` = recompute on the next read.
    best: Option<Option<Price>>,
}

/// `a` is a better price than `b` for this side (back: higher, lay: lower).
#[inline]
pub fn better(back: bool, a: Price, b: Price) -> bool {
    if back {
        a > b
    } else {
        a < b
    }
}

/// `price` is at `limit` or better for this side.
#[inline]
pub fn at_or_better(back: bool, price: Price, limit: Price) -> bool {
    if back {
        price >= limit
    } else {
        price <= limit
    }
}

impl Side {
    fn new() -> Side {
        Side {
            order: Vec::new(),
            sorted: true,
            stale_members: false,
            best: Some(None),
        }
    }

    /// Keeps the cached best price right after one quote moved from `old` to `new`
    /// (each `Some(price)` when the quote was/is live), without a scan when possible.
    #[inline]
    fn note_change(&mut self, back: bool, old: Option<Price>, new: Option<Price>) {
        let Some(best) = self.best else { return };
        if old.is_some() && old == best {
            // This quote held the best price: only a move to an equal or better price keeps
            // the best known without a scan (another quote may share the old best).
            self.best = match new {
                Some(n) if !better(back, best.unwrap_or(n), n) => Some(Some(n)),
                _ => None,
            };
            return;
        }
        if let Some(n) = new {
            if best.is_none_or(|b| better(back, n, b)) {
                self.best = Some(Some(n));
            }
        }
    }
}

/// Splits `fixtureId:bookmaker:outcomeId:playerId`.
fn parse_key(key: &str) -> Result<[&str; 4]> {
    let mut parts = key.split(':');
    let mut out = [""; 4];
    for slot in &mut out {
        *slot = parts.next().unwrap_or("");
    }
    if parts.next().is_some() || out.iter().any(|p| p.is_empty()) {
        return Err(Error::invalid(
            "key",
            format!("key {key:?} is not fixtureId:bookmaker:outcomeId:playerId"),
        ));
    }
    Ok(out)
}

fn check_amount(value: i64, field: &'static str) -> Result<i64> {
    if value < 0 {
        return Err(Error::invalid(
            field,
            format!("{field} must be >= 0 (minor units), got {value}"),
        ));
    }
    Ok(value)
}

fn check_optional(value: Option<i64>, field: &'static str) -> Result<Option<i64>> {
    value.map(|v| check_amount(v, field)).transpose()
}

/// The merged book of one selection.
#[derive(Debug, Clone)]
pub struct Book {
    /// (fixtureId, outcomeId, playerId) shared by every quote.
    selection: Option<[Box<str>; 3]>,
    pub(crate) bookmakers: Vec<Arc<str>>,
    bookmaker_ids: FxHashMap<Arc<str>, u32>,
    bookmaker_limits: Vec<Option<BookmakerLimits>>,
    pub(crate) accounts: Vec<Account>,
    /// Account name → indices of the live accounts with that name (one per bookmaker).
    account_ids: FxHashMap<Arc<str>, Vec<u32>>,
    /// Indices of removed accounts, reused first.
    free_accounts: Vec<u32>,
    pub(crate) entries: Vec<Entry>,
    /// Slot index → dense index in `entries` (or `GONE`) and its generation.
    slots: Vec<SlotCell>,
    /// Free slot indices, reused first.
    free_slots: Vec<u32>,
    by_account: FxHashMap<(u32, bool), Slot>,
    pub(crate) sides: [Side; 2],
    /// A copy of the last rate table used, for bookmaker limits in another currency.
    fx: Option<Fx>,
    fx_stamp: Option<(u64, u64)>,
    /// Some bookmaker limit is in another currency than an account it applies to.
    needs_fx: bool,
    /// The router's candidate buffer, kept to save an allocation per route.
    pub(crate) scratch: Vec<crate::route::Candidate>,
}

impl Default for Book {
    fn default() -> Self {
        Book::new()
    }
}

impl Book {
    /// An empty book.
    pub fn new() -> Book {
        Book {
            selection: None,
            bookmakers: Vec::new(),
            bookmaker_ids: FxHashMap::default(),
            bookmaker_limits: Vec::new(),
            accounts: Vec::new(),
            account_ids: FxHashMap::default(),
            free_accounts: Vec::new(),
            entries: Vec::new(),
            slots: Vec::new(),
            free_slots: Vec::new(),
            by_account: FxHashMap::default(),
            sides: [Side::new(), Side::new()],
            fx: None,
            fx_stamp: None,
            needs_fx: false,
            scratch: Vec::new(),
        }
    }

    /// Number of live quotes (both sides).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the book holds no quote.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The id of a bookmaker name, if the book has seen it.
    #[inline]
    pub(crate) fn bookmaker_id(&self, name: &str) -> Option<u32> {
        self.bookmaker_ids.get(name).copied()
    }

    /// The currency of a bookmaker's limits, if it has any.
    #[inline]
    pub(crate) fn bookmaker_limit_currency(&self, bookmaker: u32) -> Option<Currency> {
        self.bookmaker_limits[bookmaker as usize].map(|l| l.currency)
    }

    fn intern_bookmaker(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.bookmaker_ids.get(name) {
            return id;
        }
        let id = self.bookmakers.len() as u32;
        let name: Arc<str> = Arc::from(name);
        self.bookmakers.push(name.clone());
        self.bookmaker_ids.insert(name, id);
        self.bookmaker_limits.push(None);
        id
    }

    /// Registers or replaces an account (amounts in minor units of `currency`).
    ///
    /// Accounts are keyed by (bookmaker, name). When `name` exists only on another bookmaker
    /// and holds no quotes, it moves to `bookmaker`; when it holds quotes the move is refused
    /// (its quotes' keys name the old bookmaker). An account that holds quotes cannot change
    /// currency either: their limits are amounts of the old one.
    pub fn set_account(
        &mut self,
        name: &str,
        bookmaker: &str,
        currency: Currency,
        settings: AccountSettings,
    ) -> Result<()> {
        self.put_account(name, bookmaker, currency, settings, true)
    }

    /// [`Book::set_account`]; with `may_move` false a name found only on other bookmakers
    /// gets a new account on `bookmaker` instead (what a betslip means).
    pub(crate) fn put_account(
        &mut self,
        name: &str,
        bookmaker: &str,
        currency: Currency,
        settings: AccountSettings,
        may_move: bool,
    ) -> Result<()> {
        if name.is_empty() {
            return Err(Error::invalid("account", "account name must not be empty"));
        }
        if bookmaker.is_empty() || bookmaker.contains(':') {
            return Err(Error::invalid(
                "bookmaker",
                format!("bookmaker {bookmaker:?} must be a non-empty name without ':'"),
            ));
        }
        check_optional(settings.max_stake, "max_stake")?;
        check_optional(settings.min_stake, "min_stake")?;
        let bookmaker_id = self.intern_bookmaker(bookmaker);
        let existing = self.find_account(name, bookmaker_id).or_else(|| {
            let others = self.account_ids.get(name)?;
            (may_move && others.len() == 1).then(|| others[0])
        });
        let index = match existing {
            Some(index) => {
                let account = &self.accounts[index as usize];
                if account.bookmaker != bookmaker_id && account.live_quotes > 0 {
                    return Err(Error::invalid(
                        "bookmaker",
                        format!(
                            "account {name:?} holds quotes of bookmaker {:?}; remove them before moving it to {bookmaker:?}",
                            self.bookmakers[account.bookmaker as usize]
                        ),
                    ));
                }
                if account.currency != currency && account.live_quotes > 0 {
                    return Err(Error::invalid(
                        "currency",
                        format!(
                            "account {name:?} holds quotes with limits in {}; remove them before changing its currency to {}",
                            account.currency.code(),
                            currency.code()
                        ),
                    ));
                }
                let account = &mut self.accounts[index as usize];
                account.bookmaker = bookmaker_id;
                account.currency = currency;
                account.settings = settings;
                index
            }
            None => {
                let name: Arc<str> = Arc::from(name);
                let account = Account {
                    name: name.clone(),
                    bookmaker: bookmaker_id,
                    currency,
                    settings,
                    bookmaker_max: Converted::Absent,
                    bookmaker_min: Converted::Absent,
                    live_quotes: 0,
                    alive: true,
                };
                let index = match self.free_accounts.pop() {
                    Some(index) => {
                        self.accounts[index as usize] = account;
                        index
                    }
                    None => {
                        let index = u32::try_from(self.accounts.len()).map_err(|_| {
                            Error::invalid("account", "this book holds too many accounts")
                        })?;
                        self.accounts.push(account);
                        index
                    }
                };
                self.account_ids.entry(name).or_default().push(index);
                index
            }
        };
        self.convert_bookmaker_limits(index as usize);
        self.refresh_quotes(|i, _| i == index);
        Ok(())
    }

    /// The live account `name` on bookmaker `bookmaker`.
    #[inline]
    fn find_account(&self, name: &str, bookmaker: u32) -> Option<u32> {
        self.account_ids
            .get(name)?
            .iter()
            .copied()
            .find(|&i| self.accounts[i as usize].bookmaker == bookmaker)
    }

    /// Removes an account that holds no quotes; false when there is none by that name (on
    /// `bookmaker`, when given). Refused while it holds quotes, or when `bookmaker` is `None`
    /// and several bookmakers have an account by that name.
    pub fn remove_account(&mut self, name: &str, bookmaker: Option<&str>) -> Result<bool> {
        let Some(candidates) = self.account_ids.get(name) else {
            return Ok(false);
        };
        let index = match bookmaker {
            Some(b) => match self
                .bookmaker_id(b)
                .and_then(|id| self.find_account(name, id))
            {
                Some(index) => index,
                None => return Ok(false),
            },
            None if candidates.len() == 1 => candidates[0],
            None => {
                return Err(Error::invalid(
                    "bookmaker",
                    format!("several bookmakers have an account {name:?}: name the bookmaker"),
                ))
            }
        };
        let account = &self.accounts[index as usize];
        if account.live_quotes > 0 {
            return Err(Error::invalid(
                "account",
                format!(
                    "account {name:?} holds {} quote(s); remove them before the account",
                    account.live_quotes
                ),
            ));
        }
        let ids = self.account_ids.get_mut(name).expect("looked up above");
        ids.retain(|&i| i != index);
        if ids.is_empty() {
            self.account_ids.remove(name);
        }
        let account = &mut self.accounts[index as usize];
        account.alive = false;
        account.name = Arc::from("");
        self.free_accounts.push(index);
        Ok(true)
    }

    /// Number of registered accounts.
    pub fn account_count(&self) -> usize {
        self.accounts.len() - self.free_accounts.len()
    }

    /// Bookmaker-level limits (cascade step 2), in minor units of `currency`.
    ///
    /// Applied to each account of the bookmaker in its own currency: max rounded down, min
    /// rounded up, with the last rate table used.
    pub fn set_bookmaker_limits(
        &mut self,
        bookmaker: &str,
        currency: Currency,
        max_stake: Option<i64>,
        min_stake: Option<i64>,
    ) -> Result<()> {
        if bookmaker.is_empty() || bookmaker.contains(':') {
            return Err(Error::invalid(
                "bookmaker",
                format!("bookmaker {bookmaker:?} must be a non-empty name without ':'"),
            ));
        }
        check_optional(max_stake, "max_stake")?;
        check_optional(min_stake, "min_stake")?;
        let id = self.intern_bookmaker(bookmaker);
        self.bookmaker_limits[id as usize] = Some(BookmakerLimits {
            currency,
            max: max_stake,
            min: min_stake,
        });
        for index in 0..self.accounts.len() {
            if self.accounts[index].alive && self.accounts[index].bookmaker == id {
                self.convert_bookmaker_limits(index);
            }
        }
        self.refresh_quotes(|_, account| account.bookmaker == id);
        Ok(())
    }

    /// Brings the bookmaker limits of one account into its currency.
    fn convert_bookmaker_limits(&mut self, index: usize) {
        let account = &self.accounts[index];
        let Some(limits) = self.bookmaker_limits[account.bookmaker as usize] else {
            let account = &mut self.accounts[index];
            account.bookmaker_max = Converted::Absent;
            account.bookmaker_min = Converted::Absent;
            return;
        };
        let target = account.currency;
        if limits.currency != target && (limits.max.is_some() || limits.min.is_some()) {
            self.needs_fx = true;
        }
        let fx = self.fx.as_ref();
        let convert = |amount: Option<i64>, rounding: Rounding| match amount {
            None => Converted::Absent,
            Some(a) if limits.currency == target => Converted::Known(a),
            Some(a) => match fx.map(|fx| fx.convert(a, limits.currency, target, rounding)) {
                Some(Ok(v)) => Converted::Known(v),
                _ => Converted::Unknown,
            },
        };
        let max = convert(limits.max, Rounding::Down);
        let min = convert(limits.min, Rounding::Up);
        let account = &mut self.accounts[index];
        account.bookmaker_max = max;
        account.bookmaker_min = min;
    }

    /// Recomputes the effective limits of every quote whose account matches, and drops the
    /// cached best prices (priorities may have changed too, so the order as well).
    fn refresh_quotes(&mut self, matches: impl Fn(u32, &Account) -> bool) {
        let mut touched = false;
        for entry in &mut self.entries {
            let account = &self.accounts[entry.account as usize];
            if matches(entry.account, account) {
                resolve_limits(entry, account);
                touched = true;
            }
        }
        if touched {
            for side in &mut self.sides {
                side.best = None;
                side.sorted = false;
            }
        }
    }

    /// Makes `fx` the last rate table used. Cheap when it is the same table as last time.
    #[inline]
    pub fn use_fx(&mut self, fx: &Fx) {
        if self.fx_stamp == Some(fx.stamp()) {
            return;
        }
        self.fx_stamp = Some(fx.stamp());
        self.fx = Some(fx.clone());
        if self.needs_fx {
            for index in 0..self.accounts.len() {
                self.convert_bookmaker_limits(index);
            }
            self.refresh_quotes(|_, _| true);
        }
    }

    /// Inserts or replaces the quote of `account` under market `key`; returns its slot.
    ///
    /// `key` must name the account's bookmaker and the same selection as every other quote.
    pub fn upsert(
        &mut self,
        key: &str,
        account: &str,
        input: QuoteInput,
        back: bool,
    ) -> Result<Slot> {
        let &first = self
            .account_ids
            .get(account)
            .and_then(|ids| ids.first())
            .ok_or_else(|| {
                Error::invalid(
                    "account",
                    format!("unknown account {account:?}: register it with set_account first"),
                )
            })?;
        let [fixture, bookmaker, outcome, player] = parse_key(key)?;
        let Some(account_index) = self
            .bookmaker_id(bookmaker)
            .and_then(|id| self.find_account(account, id))
        else {
            let expected = &self.bookmakers[self.accounts[first as usize].bookmaker as usize];
            return Err(Error::invalid(
                "key",
                format!("key {key:?} names bookmaker {bookmaker:?} but account {account:?} is on {expected:?}"),
            ));
        };
        match &self.selection {
            Some([f, o, p]) if (&**f, &**o, &**p) != (fixture, outcome, player) => {
                return Err(Error::invalid(
                    "key",
                    format!("key {key:?} is for another selection than this book ({f}:*:{o}:{p})"),
                ));
            }
            Some(_) => {}
            None => self.selection = Some([fixture.into(), outcome.into(), player.into()]),
        }
        check_input(&input)?;

        if let Some(&slot) = self.by_account.get(&(account_index, back)) {
            let index = self.slots[slot_parts(slot).0].dense as usize;
            self.apply(index, input);
            return Ok(slot);
        }
        let slot_index = match self.free_slots.last() {
            Some(&i) => i,
            None => u32::try_from(self.slots.len())
                .ok()
                .filter(|&s| s != GONE)
                .ok_or_else(|| Error::invalid("slot", "this book holds too many quotes"))?,
        };
        let generation = self
            .slots
            .get(slot_index as usize)
            .map_or(0, |cell| cell.generation);
        let slot = (u64::from(generation) << 32) | u64::from(slot_index);
        let account_info = &self.accounts[account_index as usize];
        let names = Arc::new(QuoteNames {
            key: key.into(),
            bookmaker: self.bookmakers[account_info.bookmaker as usize].clone(),
            account: account_info.name.clone(),
        });
        let mut entry = Entry {
            slot,
            names,
            rank: 0,
            account: account_index,
            back,
            input,
            max: None,
            min: 0,
            live: false,
        };
        resolve_limits(&mut entry, &self.accounts[account_index as usize]);
        let live_price = entry.live.then_some(entry.input.price);
        let cell = SlotCell {
            dense: self.entries.len() as u32,
            generation,
        };
        if slot_index as usize == self.slots.len() {
            self.slots.push(cell);
        } else {
            self.free_slots.pop();
            self.slots[slot_index as usize] = cell;
        }
        self.entries.push(entry);
        self.by_account.insert((account_index, back), slot);
        self.accounts[account_index as usize].live_quotes += 1;
        let side = &mut self.sides[usize::from(back)];
        side.stale_members = true;
        side.sorted = false;
        side.note_change(back, None, live_price);
        Ok(slot)
    }

    /// Hot path: moves one quote. Fails for an unknown or removed slot.
    #[inline]
    pub fn update(&mut self, slot: Slot, input: QuoteInput) -> Result<()> {
        let index = self.index_of(slot)?;
        check_input(&input)?;
        self.apply(index, input);
        Ok(())
    }

    #[inline]
    fn index_of(&self, slot: Slot) -> Result<usize> {
        let (index, generation) = slot_parts(slot);
        match self.slots.get(index) {
            Some(cell) if cell.dense != GONE && cell.generation == generation => {
                Ok(cell.dense as usize)
            }
            _ => Err(Error::invalid(
                "slot",
                format!("slot {slot} is not a live quote of this book (unknown or removed)"),
            )),
        }
    }

    #[inline]
    fn apply(&mut self, index: usize, input: QuoteInput) {
        let entry = &mut self.entries[index];
        let old_price = entry.input.price;
        let old_live = entry.live.then_some(old_price);
        entry.input = input;
        resolve_limits(entry, &self.accounts[entry.account as usize]);
        let new_live = entry.live.then_some(input.price);
        let back = entry.back;
        let side = &mut self.sides[usize::from(back)];
        if old_price != input.price {
            side.sorted = false;
        }
        side.note_change(back, old_live, new_live);
    }

    /// Removes one quote; false when it was not there.
    pub fn remove(&mut self, key: &str, account: &str, back: bool) -> bool {
        let Ok([_, bookmaker, _, _]) = parse_key(key) else {
            return false;
        };
        let Some(account_index) = self
            .bookmaker_id(bookmaker)
            .and_then(|id| self.find_account(account, id))
        else {
            return false;
        };
        let Some(&slot) = self.by_account.get(&(account_index, back)) else {
            return false;
        };
        let slot_index = slot_parts(slot).0;
        let index = self.slots[slot_index].dense as usize;
        if &*self.entries[index].names.key != key {
            return false;
        }
        let removed = self.entries.swap_remove(index);
        if let Some(moved) = self.entries.get(index) {
            self.slots[slot_parts(moved.slot).0].dense = index as u32;
        }
        let cell = &mut self.slots[slot_index];
        cell.dense = GONE;
        // The next quote in this index gets the next generation; an index whose generations
        // are used up is retired, so an old slot can never match again.
        if let Some(next) = cell.generation.checked_add(1) {
            cell.generation = next;
            self.free_slots.push(slot_index as u32);
        }
        self.by_account.remove(&(account_index, back));
        self.accounts[account_index as usize].live_quotes -= 1;
        let old_live = removed.live.then_some(removed.input.price);
        self.sides[usize::from(back)].note_change(back, old_live, None);
        for side in &mut self.sides {
            // Dense indices moved: both orders are rebuilt.
            side.stale_members = true;
            side.sorted = false;
        }
        if self.entries.is_empty() {
            self.selection = None;
        }
        true
    }

    fn view(&self, entry: &Entry) -> QuoteView {
        let account = &self.accounts[entry.account as usize];
        QuoteView {
            slot: entry.slot,
            names: entry.names.clone(),
            currency: account.currency,
            priority: account.settings.priority,
            price: entry.input.price,
            limit: entry.input.limit,
            limit_min: entry.input.limit_min,
            active: entry.input.active,
            back: entry.back,
            max_stake: entry.max,
            min_stake: entry.min,
        }
    }

    /// The feed-side values of the quote in `slot` (no names copied, unlike [`Book::get`]).
    #[inline]
    pub fn input(&self, slot: Slot) -> Result<QuoteInput> {
        Ok(self.entries[self.index_of(slot)?].input)
    }

    /// A snapshot of the quote in `slot`.
    pub fn get(&self, slot: Slot) -> Result<QuoteView> {
        Ok(self.view(&self.entries[self.index_of(slot)?]))
    }

    /// Live quotes best first: price, then priority, then odds limit, then key and account.
    /// `None` gives the back side, then the lay side.
    pub fn quotes(&self, back: Option<bool>) -> Vec<QuoteView> {
        let sides: &[bool] = match back {
            Some(true) => &[true],
            Some(false) => &[false],
            None => &[true, false],
        };
        let mut out = Vec::with_capacity(self.entries.len());
        for &side in sides {
            let mut views: Vec<QuoteView> = self
                .entries
                .iter()
                .filter(|e| e.back == side)
                .map(|e| self.view(e))
                .collect();
            views.sort_by(|a, b| {
                price_order(side, a.price, b.price)
                    .then(b.priority.cmp(&a.priority))
                    .then(b.limit.cmp(&a.limit))
                    .then_with(|| a.names.key.cmp(&b.names.key))
                    .then_with(|| a.names.account.cmp(&b.names.account))
            });
            out.extend(views);
        }
        out
    }

    /// Best price among live quotes (active, active account, can take a bet), or `None`.
    #[inline]
    pub fn best_price(&mut self, back: bool) -> Option<Price> {
        let side = &self.sides[usize::from(back)];
        if let Some(best) = side.best {
            return best;
        }
        let best = self
            .entries
            .iter()
            .filter(|e| e.back == back && e.live)
            .map(|e| e.input.price)
            .reduce(|a, b| if better(back, b, a) { b } else { a });
        self.sides[usize::from(back)].best = Some(best);
        best
    }

    /// Dense indices of one side in (price, priority, key, account) order.
    pub(crate) fn ordered(&mut self, back: bool) -> &[u32] {
        let side_index = usize::from(back);
        if !self.sides[side_index].sorted {
            let mut order = std::mem::take(&mut self.sides[side_index].order);
            if self.sides[side_index].stale_members {
                order.clear();
                order.extend(
                    self.entries
                        .iter()
                        .enumerate()
                        .filter(|(_, e)| e.back == back)
                        .map(|(i, _)| i as u32),
                );
                // Quotes came or went: rank the (key, account) names once.
                let entries = &self.entries;
                order.sort_unstable_by(|&a, &b| {
                    let (na, nb) = (&entries[a as usize].names, &entries[b as usize].names);
                    na.key
                        .cmp(&nb.key)
                        .then_with(|| na.account.cmp(&nb.account))
                });
                for (rank, &index) in order.iter().enumerate() {
                    self.entries[index as usize].rank = rank as u32;
                }
            }
            // Stable sort on integer keys: after a price move the order is nearly sorted,
            // which it finishes in about linear time.
            let entries = &self.entries;
            let accounts = &self.accounts;
            order.sort_by_key(|&index| {
                let entry = &entries[index as usize];
                let price = if back {
                    u64::MAX - entry.input.price
                } else {
                    entry.input.price
                };
                let priority = accounts[entry.account as usize].settings.priority;
                (price, std::cmp::Reverse(priority), entry.rank)
            });
            let side = &mut self.sides[side_index];
            side.order = order;
            side.sorted = true;
            side.stale_members = false;
        }
        &self.sides[side_index].order
    }

    /// Stake that can be placed at `price` or better, in minor units of `currency`:
    /// each live quote's effective max converted with rounding down, summed.
    pub fn available(
        &mut self,
        price: Price,
        currency: Currency,
        fx: &Fx,
        back: bool,
    ) -> Result<i64> {
        fx.rate_scaled(currency)?;
        self.use_fx(fx);
        self.check_resolved(back, Some(price), fx)?;
        let mut total: i64 = 0;
        for entry in &self.entries {
            if entry.back == back && entry.live && at_or_better(back, entry.input.price, price) {
                total = total.checked_add(self.max_in(entry, currency, fx)?).ok_or(
                    Error::Internal {
                        what: "the stake available summed over quotes",
                    },
                )?;
            }
        }
        Ok(total)
    }

    /// A quote that would count for a read (active, active account) but whose limits are
    /// unknown: a bookmaker limit it needs is in a currency without a rate.
    #[inline]
    fn unresolved(&self, entry: &Entry) -> bool {
        entry.max.is_none()
            && entry.input.active
            && self.accounts[entry.account as usize].settings.active
    }

    /// The `MissingRate` of an unresolved quote: the bookmaker-limit currency when `fx` has no
    /// rate for it, else the account currency.
    fn missing_rate(&self, entry: &Entry, fx: &Fx) -> Error {
        let account = &self.accounts[entry.account as usize];
        let currency = match self.bookmaker_limit_currency(account.bookmaker) {
            Some(c) if !fx.contains(c) => c,
            _ => account.currency,
        };
        Error::MissingRate {
            currency: currency.code(),
        }
    }

    /// `MissingRate` for the first unresolved quote of `back` (in the book's order) at `price`
    /// or better (any price when `None`).
    fn check_resolved(&self, back: bool, price: Option<Price>, fx: &Fx) -> Result<()> {
        let mut worst: Option<&Entry> = None;
        for entry in &self.entries {
            if entry.back == back
                && self.unresolved(entry)
                && price.is_none_or(|p| at_or_better(back, entry.input.price, p))
            {
                let first = worst.is_none_or(|w| {
                    price_order(back, entry.input.price, w.input.price)
                        .then_with(|| entry.names.key.cmp(&w.names.key))
                        .then_with(|| entry.names.account.cmp(&w.names.account))
                        == Ordering::Less
                });
                if first {
                    worst = Some(entry);
                }
            }
        }
        match worst {
            Some(entry) => Err(self.missing_rate(entry, fx)),
            None => Ok(()),
        }
    }

    /// Effective max of a live quote in `currency`, rounded down.
    #[inline]
    fn max_in(&self, entry: &Entry, currency: Currency, fx: &Fx) -> Result<i64> {
        let from = self.accounts[entry.account as usize].currency;
        fx.convert(entry.max.unwrap_or(0), from, currency, Rounding::Down)
            .map_err(|e| e.internal("a quote's max stake in the read's currency"))
    }

    /// Volume-weighted average price to fill `stake` (minor units of `currency`) best first;
    /// `None` when the live quotes cannot cover it.
    pub fn vwap(
        &mut self,
        stake: i64,
        currency: Currency,
        fx: &Fx,
        back: bool,
    ) -> Result<Option<f64>> {
        if stake <= 0 {
            return Err(Error::invalid(
                "stake",
                format!("stake must be > 0 (minor units), got {stake}"),
            ));
        }
        fx.rate_scaled(currency)?;
        self.use_fx(fx);
        self.ordered(back);
        let mut left = stake;
        let mut weighted: u128 = 0;
        for &index in &self.sides[usize::from(back)].order {
            let entry = &self.entries[index as usize];
            if !entry.live {
                continue;
            }
            let take = left.min(self.max_in(entry, currency, fx)?);
            if take <= 0 {
                continue;
            }
            weighted += take as u128 * u128::from(entry.input.price);
            left -= take;
            if left == 0 {
                self.check_resolved(back, Some(entry.input.price), fx)?;
                let denominator = stake as u128 * u128::from(PRICE_SCALE);
                return Ok(Some(ratio::to_f64(weighted, denominator)));
            }
        }
        self.check_resolved(back, None, fx)?;
        Ok(None)
    }

    /// Live quotes grouped by exact price, best first, with the stake available at each
    /// price in minor units of `currency`.
    pub fn ladder(&mut self, currency: Currency, fx: &Fx, back: bool) -> Result<Vec<Level>> {
        fx.rate_scaled(currency)?;
        self.use_fx(fx);
        self.check_resolved(back, None, fx)?;
        self.ordered(back);
        let mut levels: Vec<Level> = Vec::new();
        for &index in &self.sides[usize::from(back)].order {
            let entry = &self.entries[index as usize];
            if !entry.live {
                continue;
            }
            let amount = self.max_in(entry, currency, fx)?;
            match levels.last_mut() {
                Some(level) if level.price == entry.input.price => {
                    level.available =
                        level.available.checked_add(amount).ok_or(Error::Internal {
                            what: "the stake available summed over quotes",
                        })?;
                    level.quotes += 1;
                }
                _ => levels.push(Level {
                    price: entry.input.price,
                    available: amount,
                    quotes: 1,
                }),
            }
        }
        Ok(levels)
    }
}

fn check_input(input: &QuoteInput) -> Result<()> {
    if input.price <= PRICE_SCALE {
        return Err(Error::invalid(
            "price",
            "price must be > 1.0 (decimal odds)",
        ));
    }
    check_amount(input.limit, "limit")?;
    check_optional(input.limit_min, "limit_min")?;
    Ok(())
}

/// Best price first for the side.
#[inline]
pub(crate) fn price_order(back: bool, a: Price, b: Price) -> Ordering {
    if back {
        b.cmp(&a)
    } else {
        a.cmp(&b)
    }
}

/// Runs the cascade for one quote and decides whether it is live.
#[inline]
fn resolve_limits(entry: &mut Entry, account: &Account) {
    let settings = &account.settings;
    let known = |c: Converted, own: Option<i64>| own.is_some() || c != Converted::Unknown;
    if !known(account.bookmaker_max, settings.max_stake)
        || !known(account.bookmaker_min, settings.min_stake)
    {
        entry.max = None;
        entry.min = settings.min_stake.unwrap_or(0);
        entry.live = false;
        return;
    }
    let as_option = |c: Converted| match c {
        Converted::Known(v) => Some(v),
        _ => None,
    };
    let (max, min) = limits::effective_limits(&LimitInputs {
        account_max: settings.max_stake,
        account_min: settings.min_stake,
        bookmaker_max: as_option(account.bookmaker_max),
        bookmaker_min: as_option(account.bookmaker_min),
        odds_limit: Some(entry.input.limit),
        odds_limit_min: entry.input.limit_min,
    });
    let max = limits::cap_by_balance(max, settings.balance, entry.back, entry.input.price);
    entry.max = max;
    entry.min = min;
    entry.live = entry.input.active && settings.active && limits::can_take_bet(max, min);
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_P: &str = "id1000004461512432:pinnacle:103:0";
    const KEY_S: &str = "id1000004461512432:sharpbet:103:0";

    fn q(price: Price, limit: i64) -> QuoteInput {
        QuoteInput {
            price,
            limit,
            limit_min: None,
            active: true,
        }
    }

    fn eur_fx() -> Fx {
        let mut fx = Fx::new();
        fx.set_rate_text(Currency::EUR, "0.84788876", None).unwrap();
        fx
    }

    /// The quickstart betslip's two quotes.
    fn quickstart() -> Book {
        let mut book = Book::new();
        book.set_account(
            "pinnacle_main",
            "pinnacle",
            Currency::USD,
            AccountSettings::default(),
        )
        .unwrap();
        book.set_account(
            "sharpbet_user",
            "sharpbet",
            Currency::EUR,
            AccountSettings::default(),
        )
        .unwrap();
        let mut pin = q(1_980_000, 1_500_000);
        pin.limit_min = Some(500);
        let mut sharp = q(2_000_000, 75_134);
        sharp.limit_min = Some(100);
        assert_eq!(book.upsert(KEY_P, "pinnacle_main", pin, true), Ok(0));
        assert_eq!(book.upsert(KEY_S, "sharpbet_user", sharp, true), Ok(1));
        book
    }

    #[test]
    fn removed_slots_are_reused_under_a_new_generation() {
        let mut book = quickstart();
        let mut last = 0;
        for round in 0..1_000_u64 {
            assert!(book.remove(KEY_S, "sharpbet_user", true));
            let slot = book
                .upsert(KEY_S, "sharpbet_user", q(2_000_000, 100), true)
                .unwrap();
            // Same index, next generation: memory stays bounded.
            assert_eq!(slot, ((round + 1) << 32) | 1);
            assert_eq!(book.slots.len(), 2);
            last = slot;
        }
        // Every old handle is refused and moves nothing.
        for stale in [1_u64, (5 << 32) | 1, (999 << 32) | 1] {
            assert!(book.update(stale, q(3_000_000, 1)).is_err());
            assert!(book.get(stale).is_err());
        }
        assert_eq!(book.get(last).unwrap().price, 2_000_000);
        assert_eq!(book.get(0).unwrap().price, 1_980_000);
        // A retired index (generations used up) is never handed out again.
        book.slots[1].generation = u32::MAX;
        assert!(book.remove(KEY_S, "sharpbet_user", true));
        let fresh = book
            .upsert(KEY_S, "sharpbet_user", q(2_000_000, 100), true)
            .unwrap();
        assert_eq!(fresh, 2);
    }

    #[test]
    fn accounts_are_keyed_by_bookmaker_and_name() {
        let mut book = Book::new();
        book.put_account(
            "main",
            "pinnacle",
            Currency::USD,
            AccountSettings::default(),
            false,
        )
        .unwrap();
        book.put_account(
            "main",
            "sharpbet",
            Currency::EUR,
            AccountSettings::default(),
            false,
        )
        .unwrap();
        book.upsert(KEY_P, "main", q(1_980_000, 100), true).unwrap();
        let s = book.upsert(KEY_S, "main", q(2_000_000, 100), true).unwrap();
        assert_eq!(book.get(s).unwrap().currency, Currency::EUR);
        assert_eq!(&*book.get(s).unwrap().names.account, "main");
        assert!(book.remove(KEY_P, "main", true));
        assert_eq!(book.len(), 1);
        // Ambiguous without a bookmaker; refused while it holds quotes.
        assert!(book.remove_account("main", None).is_err());
        assert!(book.remove_account("main", Some("sharpbet")).is_err());
        assert_eq!(book.remove_account("main", Some("pinnacle")), Ok(true));
        assert_eq!(book.remove_account("main", Some("pinnacle")), Ok(false));
        assert_eq!(book.account_count(), 1);
        assert_eq!(book.remove_account("nobody", None), Ok(false));
    }

    #[test]
    fn an_account_with_quotes_keeps_its_currency() {
        let mut book = quickstart();
        let err = book
            .set_account(
                "sharpbet_user",
                "sharpbet",
                Currency::USD,
                AccountSettings::default(),
            )
            .unwrap_err();
        assert!(matches!(
            err,
            Error::InvalidInput {
                field: "currency",
                ..
            }
        ));
        assert_eq!(book.get(1).unwrap().currency, Currency::EUR);
        assert!(book.remove(KEY_S, "sharpbet_user", true));
        book.set_account(
            "sharpbet_user",
            "sharpbet",
            Currency::USD,
            AccountSettings::default(),
        )
        .unwrap();
        assert_eq!(book.remove_account("sharpbet_user", None), Ok(true));
        // The freed account index is reused.
        book.set_account(
            "other",
            "sharpbet",
            Currency::EUR,
            AccountSettings::default(),
        )
        .unwrap();
        assert_eq!(book.accounts.len(), 2);
    }

    #[test]
    fn upsert_returns_stable_slots_and_update_moves_one_quote() {
        let mut book = quickstart();
        assert_eq!(book.len(), 2);
        assert_eq!(book.best_price(true), Some(2_000_000));
        // Upserting the same account again replaces in place, same slot.
        assert_eq!(
            book.upsert(KEY_S, "sharpbet_user", q(1_900_000, 100), true),
            Ok(1)
        );
        assert_eq!(book.len(), 2);
        assert_eq!(book.best_price(true), Some(1_980_000));
        book.update(1, q(2_100_000, 100)).unwrap();
        assert_eq!(book.best_price(true), Some(2_100_000));
        let view = book.get(1).unwrap();
        assert_eq!(view.price, 2_100_000);
        assert_eq!(&*view.names.bookmaker, "sharpbet");
        assert_eq!(view.currency, Currency::EUR);
    }

    #[test]
    fn removed_slots_are_never_handed_out_again() {
        let mut book = quickstart();
        assert!(book.remove(KEY_P, "pinnacle_main", true));
        assert!(!book.remove(KEY_P, "pinnacle_main", true));
        assert!(book.update(0, q(2_000_000, 1)).is_err());
        assert!(book.get(0).is_err());
        // Slot 1 still points at sharpbet after the swap.
        assert_eq!(&*book.get(1).unwrap().names.account, "sharpbet_user");
        // Index 0 comes back under generation 1: a different slot.
        assert_eq!(
            book.upsert(KEY_P, "pinnacle_main", q(1_500_000, 10), true),
            Ok(1 << 32)
        );
        assert!(book.get(0).is_err());
        assert_eq!(book.best_price(true), Some(2_000_000));
        assert!(!book.remove(KEY_S, "nobody", true));
        assert!(!book.remove(KEY_P, "sharpbet_user", true));
    }

    #[test]
    fn keys_must_match_the_account_and_the_selection() {
        let mut book = quickstart();
        let err = book
            .upsert(
                "id1000004461512432:pinnacle:103:0",
                "sharpbet_user",
                q(2_000_000, 1),
                true,
            )
            .unwrap_err();
        assert_eq!(err.field(), Some("key"));
        let err = book
            .upsert(
                "other:pinnacle:103:0",
                "pinnacle_main",
                q(2_000_000, 1),
                true,
            )
            .unwrap_err();
        assert_eq!(err.field(), Some("key"));
        for bad in ["a:b:c", "a:pinnacle:c:d:e", ":pinnacle:1:0", ""] {
            assert!(book
                .upsert(bad, "pinnacle_main", q(2_000_000, 1), true)
                .is_err());
        }
        let err = book
            .upsert(KEY_P, "ghost", q(2_000_000, 1), true)
            .unwrap_err();
        assert_eq!(err.field(), Some("account"));
        let err = book
            .upsert(KEY_P, "pinnacle_main", q(2_000_000, -1), true)
            .unwrap_err();
        assert_eq!(err.field(), Some("limit"));
        let err = book.update(0, q(PRICE_SCALE, 1)).unwrap_err();
        assert_eq!(err.field(), Some("price"));
    }

    #[test]
    fn best_price_skips_quotes_that_cannot_bet() {
        let mut book = quickstart();
        book.update(
            1,
            QuoteInput {
                active: false,
                ..q(2_000_000, 75_134)
            },
        )
        .unwrap();
        assert_eq!(book.best_price(true), Some(1_980_000));
        book.update(1, q(2_000_000, 0)).unwrap();
        assert_eq!(book.best_price(true), Some(1_980_000));
        book.update(
            1,
            QuoteInput {
                limit_min: Some(200),
                ..q(2_000_000, 100)
            },
        )
        .unwrap();
        assert_eq!(book.best_price(true), Some(1_980_000));
        book.update(1, q(2_000_000, 100)).unwrap();
        assert_eq!(book.best_price(true), Some(2_000_000));
        book.set_account(
            "sharpbet_user",
            "sharpbet",
            Currency::EUR,
            AccountSettings {
                active: false,
                ..AccountSettings::default()
            },
        )
        .unwrap();
        assert_eq!(book.best_price(true), Some(1_980_000));
        assert_eq!(book.best_price(false), None);
    }

    #[test]
    fn best_price_cache_follows_every_kind_of_move() {
        // Compare the cached answer with a fresh scan after each of many random moves.
        let mut book = Book::new();
        for i in 0..6 {
            let name = format!("acct{i}");
            book.set_account(
                &name,
                &format!("bm{i}"),
                Currency::USD,
                AccountSettings::default(),
            )
            .unwrap();
            book.upsert(
                &format!("f:bm{i}:1:0"),
                &name,
                q(2_000_000, 100),
                i % 2 == 0,
            )
            .unwrap();
        }
        let mut seed: u64 = 7;
        for _ in 0..5_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let slot = (seed >> 33) % 6;
            let input = QuoteInput {
                price: 1_100_000 + (seed >> 40) % 4 * 100_000,
                limit: ((seed >> 20) % 3) as i64,
                limit_min: None,
                active: (seed >> 50) % 5 != 0,
            };
            book.update(slot, input).unwrap();
            for back in [true, false] {
                let fresh = book
                    .entries
                    .iter()
                    .filter(|e| e.back == back && e.live)
                    .map(|e| e.input.price)
                    .reduce(|a, b| if better(back, b, a) { b } else { a });
                assert_eq!(book.best_price(back), fresh);
            }
        }
    }

    #[test]
    fn lay_side_is_separate_and_lowest_is_best() {
        let mut book = quickstart();
        book.upsert(KEY_P, "pinnacle_main", q(2_100_000, 1000), false)
            .unwrap();
        book.upsert(KEY_S, "sharpbet_user", q(2_050_000, 1000), false)
            .unwrap();
        assert_eq!(book.len(), 4);
        assert_eq!(book.best_price(false), Some(2_050_000));
        assert_eq!(book.best_price(true), Some(2_000_000));
        let lays = book.quotes(Some(false));
        assert_eq!(lays.len(), 2);
        assert_eq!(lays[0].price, 2_050_000);
        assert_eq!(book.quotes(None).len(), 4);
    }

    #[test]
    fn cascade_in_the_account_currency() {
        let mut book = quickstart();
        let fx = eur_fx();
        // Bookmaker limits in USD apply to the EUR account converted: max down, min up.
        book.set_bookmaker_limits("sharpbet", Currency::USD, Some(10_000), Some(500))
            .unwrap();
        // No table used yet: the limit cannot be known.
        assert_eq!(book.get(1).unwrap().max_stake, None);
        assert_eq!(book.best_price(true), Some(1_980_000));
        book.use_fx(&fx);
        let view = book.get(1).unwrap();
        assert_eq!(view.max_stake, Some(8_478)); // 100 USD = 84.788876 EUR, down
        assert_eq!(view.min_stake, 424); // 5 USD = 4.2394438 EUR, up
        assert_eq!(book.best_price(true), Some(2_000_000));
        // The account's own limits come first; the balance caps the max.
        book.set_account(
            "sharpbet_user",
            "sharpbet",
            Currency::EUR,
            AccountSettings {
                max_stake: Some(50_000),
                min_stake: Some(200),
                balance: Some(30_000),
                ..AccountSettings::default()
            },
        )
        .unwrap();
        let view = book.get(1).unwrap();
        assert_eq!((view.max_stake, view.min_stake), (Some(30_000), 200));
        // Same-currency bookmaker limits need no rate.
        book.set_bookmaker_limits("pinnacle", Currency::USD, Some(100_000), None)
            .unwrap();
        assert_eq!(book.get(0).unwrap().max_stake, Some(100_000));
        assert_eq!(book.get(0).unwrap().min_stake, 500);
    }

    #[test]
    fn account_cannot_change_bookmaker_while_quoting() {
        let mut book = quickstart();
        let err = book
            .set_account(
                "pinnacle_main",
                "sharpbet",
                Currency::USD,
                AccountSettings::default(),
            )
            .unwrap_err();
        assert_eq!(err.field(), Some("bookmaker"));
        let err = book
            .set_account(
                "x",
                "pinnacle",
                Currency::USD,
                AccountSettings {
                    max_stake: Some(-1),
                    ..AccountSettings::default()
                },
            )
            .unwrap_err();
        assert_eq!(err.field(), Some("max_stake"));
    }

    #[test]
    fn available_vwap_and_ladder_in_any_currency() {
        let mut book = quickstart();
        let fx = eur_fx();
        // sharpbet 751.34 EUR = 886.13 USD (down); pinnacle 15000 USD.
        assert_eq!(
            book.available(2_000_000, Currency::USD, &fx, true),
            Ok(88_613)
        );
        assert_eq!(
            book.available(1_980_000, Currency::USD, &fx, true),
            Ok(1_588_613)
        );
        assert_eq!(
            book.available(1_990_000, Currency::EUR, &fx, true),
            Ok(75_134)
        );
        assert_eq!(book.available(2_010_000, Currency::USD, &fx, true), Ok(0));
        // 100 USD all at 2.0; 1000 USD = 886.13 @ 2.0 + 113.87 @ 1.98.
        assert_eq!(book.vwap(10_000, Currency::USD, &fx, true), Ok(Some(2.0)));
        let expected = (88_613.0 * 2.0 + 11_387.0 * 1.98) / 100_000.0;
        let got = book
            .vwap(100_000, Currency::USD, &fx, true)
            .unwrap()
            .unwrap();
        assert!((got - expected).abs() < 1e-12);
        assert_eq!(book.vwap(1_600_000, Currency::USD, &fx, true), Ok(None));
        assert!(book.vwap(0, Currency::USD, &fx, true).is_err());
        let ladder = book.ladder(Currency::USD, &fx, true).unwrap();
        assert_eq!(
            ladder,
            vec![
                Level {
                    price: 2_000_000,
                    available: 88_613,
                    quotes: 1
                },
                Level {
                    price: 1_980_000,
                    available: 1_500_000,
                    quotes: 1
                },
            ]
        );
        let gbp = Currency::lookup("GBP").unwrap();
        assert_eq!(
            book.available(1_500_000, gbp, &fx, true),
            Err(Error::MissingRate { currency: "GBP" })
        );
    }

    #[test]
    fn ladder_groups_equal_prices() {
        let mut book = quickstart();
        book.set_account(
            "pin2",
            "pinnacle",
            Currency::USD,
            AccountSettings {
                priority: 5,
                ..AccountSettings::default()
            },
        )
        .unwrap();
        book.upsert(KEY_P, "pin2", q(2_000_000, 1_000), true)
            .unwrap();
        let fx = eur_fx();
        let ladder = book.ladder(Currency::USD, &fx, true).unwrap();
        assert_eq!(
            ladder[0],
            Level {
                price: 2_000_000,
                available: 89_613,
                quotes: 2
            }
        );
        // Among equal prices the higher priority comes first.
        let order: Vec<String> = book
            .quotes(Some(true))
            .iter()
            .map(|v| v.names.account.to_string())
            .collect();
        assert_eq!(order, ["pin2", "sharpbet_user", "pinnacle_main"]);
    }
}
