//! ABP's order router: which bets an order gets against a book, right now.
//!
//! The rules are docs/engine.md §3-§5: candidates are filtered in the documented steps (each
//! empty step has its own decline reason), sorted best first, then either placed all-or-nothing
//! at one quote (mode 1) or greedily with the first-bet and weighted-average rules (modes 2-4).
//! Stakes are converted into each account currency rounded down, so no leg ever exceeds a
//! limit and the filled total never exceeds the order stake.
//!
//! [`route_after`] routes the rest of an order that already holds bets (`prior`): the
//! simulator's later passes of a partly filled order, or a client previewing its next pass.
//! The earlier legs count toward the filled stake and the weighted-average sum exactly as if
//! they had been placed in this call, so ABP's rule holds across passes (docs/engine.md §4).

use crate::book::{at_or_better, Book, QuoteNames};
use crate::decimal::Rounding;
use crate::error::{Error, Result};
use crate::fx::{Factor, Fx};
use crate::limits;
use crate::money::{display_amount, Currency};
use crate::price::{price_text, Price, PRICE_SCALE};
use crate::ratio;
use std::sync::Arc;

/// ABP's documented decline categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeclineReason {
    StakeExceedsLimit = 1,
    StakeBelowMinimum = 2,
    InvalidOdds = 3,
    NoActiveAccounts = 4,
    CurrencyConversionFailed = 5,
    BookmakerNotAvailable = 6,
    /// Reserved for the simulator (odds not fetched in time); the router never gives it.
    OddsTemporarilyUnavailable = 7,
}

impl DeclineReason {
    /// Every reason, in code order.
    pub const ALL: [DeclineReason; 7] = [
        DeclineReason::StakeExceedsLimit,
        DeclineReason::StakeBelowMinimum,
        DeclineReason::InvalidOdds,
        DeclineReason::NoActiveAccounts,
        DeclineReason::CurrencyConversionFailed,
        DeclineReason::BookmakerNotAvailable,
        DeclineReason::OddsTemporarilyUnavailable,
    ];

    /// The constant's name, e.g. `STAKE_EXCEEDS_LIMIT`.
    pub fn name(self) -> &'static str {
        match self {
            DeclineReason::StakeExceedsLimit => "STAKE_EXCEEDS_LIMIT",
            DeclineReason::StakeBelowMinimum => "STAKE_BELOW_MINIMUM",
            DeclineReason::InvalidOdds => "INVALID_ODDS",
            DeclineReason::NoActiveAccounts => "NO_ACTIVE_ACCOUNTS",
            DeclineReason::CurrencyConversionFailed => "CURRENCY_CONVERSION_FAILED",
            DeclineReason::BookmakerNotAvailable => "BOOKMAKER_NOT_AVAILABLE",
            DeclineReason::OddsTemporarilyUnavailable => "ODDS_TEMPORARILY_UNAVAILABLE",
        }
    }

    /// The label in ABP's docs, e.g. `Stake exceeds limit`.
    pub fn label(self) -> &'static str {
        match self {
            DeclineReason::StakeExceedsLimit => "Stake exceeds limit",
            DeclineReason::StakeBelowMinimum => "Stake below minimum",
            DeclineReason::InvalidOdds => "Invalid odds",
            DeclineReason::NoActiveAccounts => "No active accounts",
            DeclineReason::CurrencyConversionFailed => "Currency conversion failed",
            DeclineReason::BookmakerNotAvailable => "Bookmaker not available",
            DeclineReason::OddsTemporarilyUnavailable => "Odds temporarily unavailable",
        }
    }

    /// The stable integer code (1-7).
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// An order as ABP receives it, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    stake: i64,
    currency: Currency,
    price: Price,
    accept_better_odds: bool,
    accept_partial_stake: bool,
    back: bool,
    bookmakers: Option<Vec<Arc<str>>>,
    /// The filter as a set of names; `None` = every bookmaker.
    filter: Option<Vec<Arc<str>>>,
}

/// The yes/no switches of an order (ABP's defaults: all true).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderFlags {
    pub accept_better_odds: bool,
    pub accept_partial_stake: bool,
    pub back: bool,
}

impl Default for OrderFlags {
    fn default() -> Self {
        OrderFlags {
            accept_better_odds: true,
            accept_partial_stake: true,
            back: true,
        }
    }
}

/// Checks a bookmaker filter and drops duplicate names (first occurrence kept).
fn bookmaker_filter(names: Vec<String>) -> Result<Vec<Arc<str>>> {
    if names.is_empty() {
        return Err(Error::invalid(
            "bookmakers",
            "bookmakers must name at least one bookmaker or be '*'",
        ));
    }
    let mut set: Vec<Arc<str>> = Vec::with_capacity(names.len());
    for name in names {
        if name.is_empty() {
            return Err(Error::invalid(
                "bookmakers",
                "bookmaker names must not be empty",
            ));
        }
        if !set.iter().any(|n| **n == *name) {
            set.push(Arc::from(name));
        }
    }
    if set.len() > 1 && set.iter().any(|n| &**n == "*") {
        return Err(Error::invalid(
            "bookmakers",
            "bookmakers must be '*' alone or bookmaker names, not both",
        ));
    }
    Ok(set)
}

impl Order {
    /// Validates an order: `stake` > 0 in minor units of `currency`, `price` > 1.0.
    ///
    /// `bookmakers` `None` or `["*"]` means every bookmaker in the book; otherwise it names
    /// bookmakers (duplicates dropped, first occurrence kept). An empty list, an empty name,
    /// or `"*"` mixed with names is refused.
    pub fn new(
        stake: i64,
        currency: Currency,
        price: Price,
        flags: OrderFlags,
        bookmakers: Option<Vec<String>>,
    ) -> Result<Order> {
        if stake <= 0 {
            return Err(Error::invalid(
                "stake",
                format!("stake must be > 0 (minor units), got {stake}"),
            ));
        }
        if price <= PRICE_SCALE {
            return Err(Error::invalid(
                "price",
                "price must be > 1.0 (decimal odds)",
            ));
        }
        let bookmakers = match bookmakers {
            None => None,
            Some(names) => Some(bookmaker_filter(names)?),
        };
        let filter = match &bookmakers {
            Some(names) if !(names.len() == 1 && &*names[0] == "*") => Some(names.clone()),
            _ => None,
        };
        Ok(Order {
            stake,
            currency,
            price,
            accept_better_odds: flags.accept_better_odds,
            accept_partial_stake: flags.accept_partial_stake,
            back: flags.back,
            bookmakers,
            filter,
        })
    }

    pub fn stake(&self) -> i64 {
        self.stake
    }
    pub fn currency(&self) -> Currency {
        self.currency
    }
    pub fn price(&self) -> Price {
        self.price
    }
    pub fn accept_better_odds(&self) -> bool {
        self.accept_better_odds
    }
    pub fn accept_partial_stake(&self) -> bool {
        self.accept_partial_stake
    }
    pub fn back(&self) -> bool {
        self.back
    }
    /// The filter as given, duplicates dropped (first occurrence kept).
    pub fn bookmakers(&self) -> Option<&[Arc<str>]> {
        self.bookmakers.as_deref()
    }

    /// ABP placement mode: 1 single & no partial, 2 single & partial, 3 multiple & no
    /// partial, 4 multiple & partial. "Single" = the filter names exactly one bookmaker.
    pub fn mode(&self) -> u8 {
        let single = matches!(&self.filter, Some(names) if names.len() == 1);
        match (single, self.accept_partial_stake) {
            (true, false) => 1,
            (true, true) => 2,
            (false, false) => 3,
            (false, true) => 4,
        }
    }

    /// `price` qualifies for a bet under the order's price rules.
    #[inline]
    fn qualifies(&self, price: Price) -> bool {
        if self.accept_better_odds {
            at_or_better(self.back, price, self.price)
        } else {
            price == self.price
        }
    }

    fn who(&self) -> String {
        match &self.filter {
            None => "any bookmaker".to_owned(),
            Some(names) => names.iter().map(|n| &**n).collect::<Vec<_>>().join(", "),
        }
    }
}

/// One bet the router would place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leg {
    /// Key, bookmaker and account of the quote (shared with the book).
    pub names: Arc<QuoteNames>,
    pub price: Price,
    /// placedStake: minor units of the account currency, rounded down.
    pub stake: i64,
    /// placedCurrency (the account currency).
    pub currency: Currency,
    /// The same stake in the order currency (half-even): what it adds to filledStake.
    pub order_stake: i64,
    pub order_currency: Currency,
}

/// A bet already filled for the order before this call (see [`route_after`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PriorLeg {
    /// Its stake in the order currency, minor units (the leg's `order_stake`), > 0.
    pub order_stake: i64,
    /// Its price (> 1.0).
    pub price: Price,
}

/// The prior legs of an order, validated and summed: `F` and `W` of docs/engine.md §4.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Prior {
    /// Σ order_stake (order currency, minor units); 0 = no prior legs.
    filled: i64,
    /// Σ order_stake · price (price in millionths), exact.
    weighted: u128,
}

impl Prior {
    /// Checks `legs` against `order` (docs/engine.md §4): every stake > 0, every price > 1,
    /// the sum not above the order stake, and none at all for the all-or-nothing modes 1 and
    /// 3 (an all-or-nothing order either filled whole or holds nothing).
    fn of(order: &Order, legs: &[PriorLeg]) -> Result<Prior> {
        if legs.is_empty() {
            return Ok(Prior::default());
        }
        let mode = order.mode();
        if mode == 1 || mode == 3 {
            return Err(Error::invalid(
                "prior",
                format!(
                    "prior legs need an order that accepts a partial stake; mode {mode} is \
                     all-or-nothing"
                ),
            ));
        }
        let mut prior = Prior::default();
        for leg in legs {
            if leg.order_stake <= 0 {
                return Err(Error::invalid(
                    "prior",
                    format!(
                        "prior stakes must be > 0 (minor units), got {}",
                        leg.order_stake
                    ),
                ));
            }
            if leg.price <= PRICE_SCALE {
                return Err(Error::invalid(
                    "prior",
                    "prior prices must be > 1.0 (decimal odds)",
                ));
            }
            prior.filled = prior
                .filled
                .checked_add(leg.order_stake)
                .filter(|&f| f <= order.stake)
                .ok_or_else(|| {
                    Error::invalid(
                        "prior",
                        format!(
                            "prior stakes add up to more than the order stake {}",
                            order.stake
                        ),
                    )
                })?;
            prior.weighted = prior
                .weighted
                .checked_add(weigh(leg.order_stake, leg.price)?)
                .ok_or(Error::Overflow { field: "prior" })?;
        }
        Ok(prior)
    }
}

/// The outcome of routing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// The legs (with any prior legs) cover the order, up to rounding dust no bookmaker can
    /// take.
    Filled,
    /// The order holds some fill (new legs, prior legs or both) but not all of it; the rest
    /// may fill later (modes 2 and 4).
    Partial,
    /// Nothing qualifies now; retry until the order expires.
    Waiting,
    /// Refused, with a reason.
    Declined,
}

impl Status {
    /// `filled`, `partial`, `waiting` or `declined`.
    pub fn name(self) -> &'static str {
        match self {
            Status::Filled => "filled",
            Status::Partial => "partial",
            Status::Waiting => "waiting",
            Status::Declined => "declined",
        }
    }
}

/// What ABP would do with the order against the book right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutePlan {
    pub status: Status,
    pub legs: Vec<Leg>,
    pub mode: u8,
    /// Sum of this plan's legs' `order_stake` (order currency, minor units); prior legs are
    /// not in it (they are in `prior_filled`).
    pub filled: i64,
    /// Sum of the prior legs' stakes given to [`route_after`] (0 for [`route`]).
    pub prior_filled: i64,
    /// What the whole order still lacks: stake − prior_filled − filled.
    pub remaining: i64,
    pub decline: Option<DeclineReason>,
    /// What [`RoutePlan::message`] says; text is only built when asked for (except declines).
    note: Note,
    /// Σ order_stake · price (price in millionths) of this plan's legs, for the average.
    weighted: u128,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Note {
    Empty,
    Text(String),
    Waiting {
        price: Price,
    },
    Partial {
        filled: i64,
        stake: i64,
        currency: Currency,
        price: Price,
    },
}

impl RoutePlan {
    /// ABP-style text for a decline (`Order stake 100.00 USD exceeds available limit 50.00
    /// USD`); a short note when waiting or partial; empty when filled.
    pub fn message(&self) -> String {
        match &self.note {
            Note::Empty => String::new(),
            Note::Text(text) => text.clone(),
            Note::Waiting { price } => format!(
                "Waiting for a price at or better than {} that can take the stake",
                price_text(*price)
            ),
            Note::Partial {
                filled,
                stake,
                currency,
                price,
            } => format!(
                "Filled {} of {}; the rest waits for a price at or better than {}",
                display_amount(i128::from(*filled), *currency),
                display_amount(i128::from(*stake), *currency),
                price_text(*price)
            ),
        }
    }

    /// The order is done: nothing more will be placed for it.
    pub fn complete(&self) -> bool {
        self.status == Status::Filled
    }

    /// Stake-weighted average price of this plan's legs (order-currency weights), rounded
    /// once; prior legs are not in it, like `filled`.
    pub fn average_price(&self) -> Option<f64> {
        let first = self.legs.first()?;
        if self.filled <= 0 {
            return Some(crate::price::price_to_f64(first.price));
        }
        Some(ratio::to_f64(
            self.weighted,
            self.filled as u128 * u128::from(PRICE_SCALE),
        ))
    }

    /// The same as `average_price`, as an exact fixed-point price rounded half-even.
    pub fn average_price_scaled(&self) -> Option<Price> {
        let first = self.legs.first()?;
        if self.filled <= 0 {
            return Some(first.price);
        }
        Some(Rounding::HalfEven.divide(self.weighted, self.filled as u128) as Price)
    }

    fn without_legs(
        order: &Order,
        status: Status,
        decline: Option<DeclineReason>,
        note: Note,
    ) -> RoutePlan {
        RoutePlan {
            status,
            legs: Vec::new(),
            mode: order.mode(),
            filled: 0,
            prior_filled: 0,
            remaining: order.stake,
            decline,
            note,
            weighted: 0,
        }
    }

    fn declined(order: &Order, reason: DeclineReason, message: String) -> RoutePlan {
        RoutePlan::without_legs(order, Status::Declined, Some(reason), Note::Text(message))
    }

    fn waiting(order: &Order) -> RoutePlan {
        let note = Note::Waiting { price: order.price };
        RoutePlan::without_legs(order, Status::Waiting, None, note)
    }

    /// An order with prior legs whose book gives nothing now (`declined` says why). Such an
    /// order is never declined: it already holds bets, so it is `partial` and keeps waiting,
    /// or `filled` when the prior legs cover the stake.
    fn after_prior(order: &Order, prior: Prior, declined: &RoutePlan) -> RoutePlan {
        let remaining = order.stake - prior.filled;
        let (status, note) = if remaining == 0 {
            (Status::Filled, Note::Empty)
        } else {
            let text = format!(
                "Filled {} of {}; nothing more can be placed now: {}",
                display_amount(i128::from(prior.filled), order.currency),
                display_amount(i128::from(order.stake), order.currency),
                declined.message()
            );
            (Status::Partial, Note::Text(text))
        };
        RoutePlan {
            status,
            legs: Vec::new(),
            mode: order.mode(),
            filled: 0,
            prior_filled: prior.filled,
            remaining,
            decline: None,
            note,
            weighted: 0,
        }
    }
}

/// A quote that passed every filter, with what routing needs at hand.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate {
    index: u32,
    price: Price,
    priority: i64,
    bookmaker: u32,
    currency: Currency,
    max: i64,
    min: i64,
    /// Effective max in the order currency, rounded down (sort key, capacity, messages).
    order_max: i64,
    to_account: Factor,
    to_order: Factor,
}

/// Conversion factors between the order currency and each account currency, computed once
/// per route (a book holds few currencies).
struct Factors<'a> {
    fx: &'a Fx,
    order: Currency,
    known: Vec<(Currency, Option<(Factor, Factor)>)>,
}

impl<'a> Factors<'a> {
    fn new(fx: &'a Fx, order: Currency) -> Self {
        Factors {
            fx,
            order,
            known: Vec::new(),
        }
    }

    /// (order → account, account → order), or `None` when a rate is missing.
    #[inline]
    fn get(&mut self, account: Currency) -> Option<(Factor, Factor)> {
        if account == self.order {
            return Some((Factor::IDENTITY, Factor::IDENTITY));
        }
        if let Some((_, pair)) = self.known.iter().find(|(c, _)| *c == account) {
            return *pair;
        }
        let pair = match (
            self.fx.factor(self.order, account),
            self.fx.factor(account, self.order),
        ) {
            (Ok(there), Ok(back)) => Some((there, back)),
            _ => None,
        };
        self.known.push((account, pair));
        pair
    }
}

/// How far the best quote got through the candidate steps of docs/engine.md §3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Reached {
    Nothing,
    OnSide,
    ActiveAccount,
    ActiveQuote,
    HasRate,
}

/// Routes `order` across `book` the way ABP fills. `fx` becomes the book's last table used.
///
/// Fails only when exact arithmetic overflows; every business outcome is a [`RoutePlan`].
pub fn route(order: &Order, book: &mut Book, fx: &Fx) -> Result<RoutePlan> {
    route_after(order, book, fx, &[])
}

/// Routes the rest of `order` when `prior` legs were already filled for it (earlier passes).
///
/// The prior legs start `F` and `W` (docs/engine.md §4), so the weighted-average rule judges
/// a below-price leg against the whole order and the first-bet rule is already met; the
/// stake left to place is `stake − Σ prior`. Status and completeness describe the whole
/// order: with prior legs the plan is `Filled` or `Partial`, never `Waiting` or `Declined`.
/// `filled` and the average cover this plan's legs only. Invalid `prior` (a stake <= 0, a
/// price <= 1, a sum above the stake, or any prior leg for modes 1 and 3) is `InvalidInput`.
pub fn route_after(
    order: &Order,
    book: &mut Book,
    fx: &Fx,
    prior: &[PriorLeg],
) -> Result<RoutePlan> {
    let prior = Prior::of(order, prior)?;
    let mut candidates = std::mem::take(&mut book.scratch);
    candidates.clear();
    let plan = plan(order, book, fx, &mut candidates, prior);
    book.scratch = candidates;
    let plan = plan?;
    if prior.filled > 0 && plan.status == Status::Declined {
        return Ok(RoutePlan::after_prior(order, prior, &plan));
    }
    Ok(plan)
}

/// The body of [`route_after`], with the candidate buffer passed in.
fn plan(
    order: &Order,
    book: &mut Book,
    fx: &Fx,
    candidates: &mut Vec<Candidate>,
    prior: Prior,
) -> Result<RoutePlan> {
    book.use_fx(fx);
    let back = order.back;
    let filter: Option<Vec<u32>> = order
        .filter
        .as_ref()
        .map(|names| names.iter().filter_map(|n| book.bookmaker_id(n)).collect());
    let order_has_rate = fx.contains(order.currency);
    let mut factors = Factors::new(fx, order.currency);
    let mut reached = Reached::Nothing;
    let mut missing: Option<Currency> = None;
    book.ordered(back);
    for &index in &book.sides[usize::from(back)].order {
        let entry = &book.entries[index as usize];
        let account = &book.accounts[entry.account as usize];
        if let Some(ids) = &filter {
            if !ids.contains(&account.bookmaker) {
                continue;
            }
        }
        reached = reached.max(Reached::OnSide);
        if !account.settings.active {
            continue;
        }
        reached = reached.max(Reached::ActiveAccount);
        if !entry.input.active {
            continue;
        }
        reached = reached.max(Reached::ActiveQuote);
        if !order_has_rate {
            continue;
        }
        let (Some((to_account, to_order)), Some(max)) = (factors.get(account.currency), entry.max)
        else {
            // The account currency has no rate, or a bookmaker limit is in a currency
            // without one (then the limits are unknown).
            let culprit = if fx.contains(account.currency) {
                book.bookmaker_limit_currency(account.bookmaker)
                    .unwrap_or(account.currency)
            } else {
                account.currency
            };
            if missing.is_none_or(|m| culprit.code() < m.code()) {
                missing = Some(culprit);
            }
            continue;
        };
        reached = reached.max(Reached::HasRate);
        if !limits::can_take_bet(Some(max), entry.min) {
            continue;
        }
        candidates.push(Candidate {
            index,
            price: entry.input.price,
            priority: account.settings.priority,
            bookmaker: account.bookmaker,
            currency: account.currency,
            max,
            min: entry.min,
            // For sorting and messages only: a limit too large for the order currency
            // saturates (it can take any stake), it does not fail the route.
            order_max: to_order
                .apply(max, Rounding::Down, "limit")
                .unwrap_or(i64::MAX),
            to_account,
            to_order,
        });
    }

    let stake_text = || display_amount(i128::from(order.stake), order.currency);
    match reached {
        Reached::Nothing => {
            return Ok(RoutePlan::declined(
                order,
                DeclineReason::BookmakerNotAvailable,
                format!("No odds available from {}", order.who()),
            ))
        }
        Reached::OnSide => {
            return Ok(RoutePlan::declined(
                order,
                DeclineReason::NoActiveAccounts,
                format!("No active accounts for {}", order.who()),
            ))
        }
        Reached::ActiveAccount => {
            return Ok(RoutePlan::declined(
                order,
                DeclineReason::InvalidOdds,
                "Price not available: market suspended".to_owned(),
            ))
        }
        Reached::ActiveQuote => {
            let currency = if order_has_rate {
                missing.unwrap_or(order.currency)
            } else {
                order.currency
            };
            return Ok(RoutePlan::declined(
                order,
                DeclineReason::CurrencyConversionFailed,
                format!("No exchange rate for {currency}"),
            ));
        }
        Reached::HasRate => {}
    }
    if candidates.is_empty() {
        return Ok(RoutePlan::declined(
            order,
            DeclineReason::StakeExceedsLimit,
            format!(
                "Order stake {} exceeds available limit {}",
                stake_text(),
                display_amount(0, order.currency)
            ),
        ));
    }

    // The cached order is (price, priority, key, account); where price and priority tie,
    // the larger limit in the order currency goes first (a stable sort keeps key/account).
    let mut start = 0;
    while start < candidates.len() {
        let head = (candidates[start].price, candidates[start].priority);
        let end = start
            + candidates[start..]
                .iter()
                .take_while(|c| (c.price, c.priority) == head)
                .count();
        if end - start > 1 {
            candidates[start..end].sort_by_key(|c| std::cmp::Reverse(c.order_max));
        }
        start = end;
    }

    let mode = order.mode();
    if mode == 1 {
        return all_or_nothing(order, book, candidates);
    }
    greedy(order, book, candidates, mode, prior)
}

/// The order → account factor of a candidate in `currency` (one exists for every leg).
fn fx_factor_to(candidates: &[Candidate], currency: Currency) -> Factor {
    candidates
        .iter()
        .find(|c| c.currency == currency)
        .map_or(Factor::IDENTITY, |c| c.to_account)
}

fn make_leg(
    order: &Order,
    book: &Book,
    candidate: &Candidate,
    stake: i64,
    order_stake: i64,
) -> Leg {
    Leg {
        names: book.entries[candidate.index as usize].names.clone(),
        price: candidate.price,
        stake,
        currency: candidate.currency,
        order_stake,
        order_currency: order.currency,
    }
}

fn exceeds_limit(order: &Order, limit: i64) -> RoutePlan {
    RoutePlan::declined(
        order,
        DeclineReason::StakeExceedsLimit,
        format!(
            "Order stake {} exceeds available limit {}",
            display_amount(i128::from(order.stake), order.currency),
            display_amount(i128::from(limit), order.currency)
        ),
    )
}

/// Declined for being below every candidate's minimum, quoting the smallest minimum in the
/// order currency (rounded up).
fn below_minimum(order: &Order, candidates: &[Candidate]) -> Result<RoutePlan> {
    let mut smallest: Option<i64> = None;
    for c in candidates {
        // For the message only: saturates rather than failing.
        let min = capped(&c.to_order, c.min, Rounding::Up, i64::MAX);
        smallest = Some(smallest.map_or(min, |s| s.min(min)));
    }
    Ok(RoutePlan::declined(
        order,
        DeclineReason::StakeBelowMinimum,
        format!(
            "Order stake {} is below minimum stake {}",
            display_amount(i128::from(order.stake), order.currency),
            display_amount(i128::from(smallest.unwrap_or(0)), order.currency)
        ),
    ))
}

/// A non-negative amount converted exactly, in 128 bits; a result too large even for that
/// saturates. Only compared with (or capped by) 64-bit limits, so saturating never changes a
/// decision, and a huge rate never fails a route.
#[inline]
fn wide(factor: &Factor, amount: i64, rounding: Rounding) -> i128 {
    factor
        .apply_wide(i128::from(amount), rounding, "stake")
        .unwrap_or(i128::MAX)
}

/// `min(wide(..), cap)` as an `i64` (`cap` is a 64-bit limit).
#[inline]
fn capped(factor: &Factor, amount: i64, rounding: Rounding, cap: i64) -> i64 {
    wide(factor, amount, rounding).min(i128::from(cap)) as i64
}

/// The order stake in each candidate's currency (rounded down) is below its minimum.
fn below_every_minimum(order: &Order, candidates: &[Candidate]) -> Result<bool> {
    for c in candidates {
        if wide(&c.to_account, order.stake, Rounding::Down) >= i128::from(c.min) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Mode 1: one bet at one qualifying quote that can take the whole stake.
fn all_or_nothing(order: &Order, book: &Book, candidates: &[Candidate]) -> Result<RoutePlan> {
    let mut some_fit = false;
    for c in candidates {
        let stake = wide(&c.to_account, order.stake, Rounding::Down);
        let fits = stake > 0 && i128::from(c.min) <= stake && stake <= i128::from(c.max);
        if !fits {
            continue;
        }
        let stake = stake as i64; // <= c.max
        if order.qualifies(c.price) {
            let order_stake = c
                .to_order
                .apply(stake, Rounding::HalfEven, "stake")
                .map_err(|e| e.internal("a leg's stake in the order currency"))?;
            let weighted = weigh(order_stake, c.price)?;
            return Ok(RoutePlan {
                status: Status::Filled,
                legs: vec![make_leg(order, book, c, stake, order_stake)],
                mode: 1,
                filled: order_stake,
                prior_filled: 0,
                remaining: order.stake - order_stake,
                decline: None,
                note: Note::Empty,
                weighted,
            });
        }
        some_fit = true;
    }
    if some_fit {
        return Ok(RoutePlan::waiting(order));
    }
    if below_every_minimum(order, candidates)? {
        return below_minimum(order, candidates);
    }
    let largest = candidates.iter().map(|c| c.order_max).max().unwrap_or(0);
    Ok(exceeds_limit(order, largest))
}

#[inline]
fn weigh(order_stake: i64, price: Price) -> Result<u128> {
    (order_stake.max(0) as u128)
        .checked_mul(u128::from(price))
        .ok_or(Error::Internal {
            what: "a leg's stake times its price",
        })
}

/// Modes 2, 3 and 4: best first, with the first-bet and weighted-average rules.
///
/// `total` and `total_weighted` are the whole order's `F` and `W` (prior legs included), which
/// the rules read; `filled` and `weighted` are this plan's legs only, which it reports.
fn greedy(
    order: &Order,
    book: &Book,
    candidates: &[Candidate],
    mode: u8,
    prior: Prior,
) -> Result<RoutePlan> {
    let target = order.price;
    let back = order.back;
    let mut filled: i64 = 0;
    let mut weighted: u128 = 0;
    let mut total: i64 = prior.filled;
    let mut total_weighted: u128 = prior.weighted;
    let mut legs: Vec<Leg> = Vec::with_capacity(candidates.len().min(64));
    // Currencies of the legs (a bit per currency) and one factor into each, for the
    // completeness check; bookmakers used (mode 3 only). No allocation on the way.
    let mut leg_currencies = [0u64; 4];
    let mut leg_factors: [(Currency, Factor); 8] = [(order.currency, Factor::IDENTITY); 8];
    let mut leg_factor_count = 0usize;
    let mut many_currencies = false;
    let mut used: Vec<u32> = Vec::new();

    for c in candidates {
        if mode == 3 && used.contains(&c.bookmaker) {
            continue;
        }
        let remaining = order.stake - total;
        if remaining <= 0 {
            break;
        }
        let mut cap = capped(&c.to_account, remaining, Rounding::Down, c.max);
        if at_or_better(back, c.price, target) {
            if !order.qualifies(c.price) {
                continue;
            }
        } else {
            if !order.accept_better_odds {
                continue; // only orderPrice itself qualifies, for every leg [choice]
            }
            if total == 0 {
                continue; // first-bet rule: never open below the order price
            }
            // Weighted-average rule: the most that keeps Σ stake·price on the right side of
            // orderPrice · Σ stake, in the order currency, over the whole order.
            let target_weight =
                u128::from(target)
                    .checked_mul(total as u128)
                    .ok_or(Error::Internal {
                        what: "orderPrice times the filled stake",
                    })?;
            let (slack, gap) = if back {
                (
                    total_weighted.saturating_sub(target_weight),
                    target - c.price,
                )
            } else {
                (
                    target_weight.saturating_sub(total_weighted),
                    c.price - target,
                )
            };
            let room = Rounding::Down.divide(slack, u128::from(gap));
            if room == 0 {
                continue; // this price is exhausted for the order
            }
            let room = i64::try_from(room).unwrap_or(i64::MAX);
            cap = capped(&c.to_account, room, Rounding::Down, cap);
        }
        if cap < c.min.max(1) {
            continue;
        }
        let order_stake = c
            .to_order
            .apply(cap, Rounding::HalfEven, "stake")
            .map_err(|e| e.internal("a leg's stake in the order currency"))?;
        if order_stake == 0 {
            continue;
        }
        legs.push(make_leg(order, book, c, cap, order_stake));
        let (word, bit) = (c.currency.index() / 64, 1u64 << (c.currency.index() % 64));
        if leg_currencies[word] & bit == 0 {
            leg_currencies[word] |= bit;
            if leg_factor_count < leg_factors.len() {
                leg_factors[leg_factor_count] = (c.currency, c.to_account);
                leg_factor_count += 1;
            } else {
                many_currencies = true;
            }
        }
        let leg_weight = weigh(order_stake, c.price)?;
        filled += order_stake;
        total += order_stake;
        weighted = weighted.checked_add(leg_weight).ok_or(Error::Internal {
            what: "the weighted stake",
        })?;
        total_weighted = total_weighted
            .checked_add(leg_weight)
            .ok_or(Error::Internal {
                what: "the weighted stake",
            })?;
        if mode == 3 {
            used.push(c.bookmaker);
        }
    }

    // Prior legs carry no currency, so rounding dust is judged on this plan's legs.
    let remaining = order.stake - total;
    let mut complete = remaining == 0;
    if !complete && !legs.is_empty() {
        complete = true;
        let check =
            |factor: &Factor| -> Result<bool> { Ok(wide(factor, remaining, Rounding::Down) == 0) };
        for (_, factor) in &leg_factors[..leg_factor_count] {
            if !check(factor)? {
                complete = false;
                break;
            }
        }
        if complete && many_currencies {
            // More leg currencies than the fixed table holds: check every leg's.
            for leg in &legs {
                let factor = fx_factor_to(candidates, leg.currency);
                if !check(&factor)? {
                    complete = false;
                    break;
                }
            }
        }
    }
    if complete {
        return Ok(RoutePlan {
            status: Status::Filled,
            legs,
            mode,
            filled,
            prior_filled: prior.filled,
            remaining,
            decline: None,
            note: Note::Empty,
            weighted,
        });
    }

    if mode == 3 {
        // All-or-nothing across bookmakers: no legs unless the whole stake fits.
        let mut best_per_bookmaker: Vec<(u32, i64)> = Vec::new();
        for c in candidates {
            match best_per_bookmaker
                .iter_mut()
                .find(|(b, _)| *b == c.bookmaker)
            {
                Some((_, best)) => *best = (*best).max(c.order_max),
                None => best_per_bookmaker.push((c.bookmaker, c.order_max)),
            }
        }
        let mut capacity: i64 = 0;
        for (_, best) in &best_per_bookmaker {
            capacity = capacity.saturating_add(*best);
        }
        if capacity < order.stake {
            return Ok(exceeds_limit(order, capacity));
        }
        if below_every_minimum(order, candidates)? {
            return below_minimum(order, candidates);
        }
        return Ok(RoutePlan::waiting(order));
    }

    if !legs.is_empty() || prior.filled > 0 {
        let note = Note::Partial {
            filled: total,
            stake: order.stake,
            currency: order.currency,
            price: order.price,
        };
        return Ok(RoutePlan {
            status: Status::Partial,
            legs,
            mode,
            filled,
            prior_filled: prior.filled,
            remaining,
            decline: None,
            note,
            weighted,
        });
    }
    if below_every_minimum(order, candidates)? {
        return below_minimum(order, candidates);
    }
    Ok(RoutePlan::waiting(order))
}

#[cfg(test)]
mod tests;
