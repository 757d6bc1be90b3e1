//! The router's classes (`DeclineReason`, `Order`, `Leg`, `RoutePlan`) and `route`.

use crate::book;
use crate::convert;
use crate::errors::{guard, invalid_input, IntoPy};
use crate::fx;
use pyo3::prelude::*;
use pyo3::types::PyString;
use wagerkit_core::decimal::Rounding;
use wagerkit_core::money;
use wagerkit_core::price::price_to_f64;
use wagerkit_core::route as core;

/// ABP's documented decline categories.
#[pyclass(
    name = "DeclineReason",
    module = "wagerkit._core",
    eq,
    eq_int,
    hash,
    frozen,
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum PyDeclineReason {
    StakeExceedsLimit = 1,
    StakeBelowMinimum = 2,
    InvalidOdds = 3,
    NoActiveAccounts = 4,
    CurrencyConversionFailed = 5,
    BookmakerNotAvailable = 6,
    OddsTemporarilyUnavailable = 7,
}

impl PyDeclineReason {
    fn core(self) -> core::DeclineReason {
        match self {
            PyDeclineReason::StakeExceedsLimit => core::DeclineReason::StakeExceedsLimit,
            PyDeclineReason::StakeBelowMinimum => core::DeclineReason::StakeBelowMinimum,
            PyDeclineReason::InvalidOdds => core::DeclineReason::InvalidOdds,
            PyDeclineReason::NoActiveAccounts => core::DeclineReason::NoActiveAccounts,
            PyDeclineReason::CurrencyConversionFailed => {
                core::DeclineReason::CurrencyConversionFailed
            }
            PyDeclineReason::BookmakerNotAvailable => core::DeclineReason::BookmakerNotAvailable,
            PyDeclineReason::OddsTemporarilyUnavailable => {
                core::DeclineReason::OddsTemporarilyUnavailable
            }
        }
    }

    fn from_core(reason: core::DeclineReason) -> Self {
        match reason {
            core::DeclineReason::StakeExceedsLimit => PyDeclineReason::StakeExceedsLimit,
            core::DeclineReason::StakeBelowMinimum => PyDeclineReason::StakeBelowMinimum,
            core::DeclineReason::InvalidOdds => PyDeclineReason::InvalidOdds,
            core::DeclineReason::NoActiveAccounts => PyDeclineReason::NoActiveAccounts,
            core::DeclineReason::CurrencyConversionFailed => {
                PyDeclineReason::CurrencyConversionFailed
            }
            core::DeclineReason::BookmakerNotAvailable => PyDeclineReason::BookmakerNotAvailable,
            core::DeclineReason::OddsTemporarilyUnavailable => {
                PyDeclineReason::OddsTemporarilyUnavailable
            }
        }
    }
}

#[pymethods]
impl PyDeclineReason {
    /// The constant's name, e.g. ``"STAKE_EXCEEDS_LIMIT"``.
    #[getter]
    fn name(&self) -> &'static str {
        self.core().name()
    }

    /// The label in ABP's docs, e.g. ``"Stake exceeds limit"``.
    #[getter]
    fn label(&self) -> &'static str {
        self.core().label()
    }
}

/// An order as ABP receives it, validated at construction.
///
/// ``stake`` is minor units of ``currency`` (> 0); ``price`` is the decimal ``orderPrice``
/// (> 1, finite): the minimum acceptable price for a back order, the maximum for a lay.
/// ``bookmakers`` ``None`` or ``["*"]`` means every bookmaker in the book.
#[pyclass(name = "Order", module = "wagerkit._core", frozen)]
pub struct PyOrder {
    inner: core::Order,
}

fn bookmaker_list(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<String>>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    let py = obj.py();
    if obj.is_instance_of::<PyString>() {
        return Err(invalid_input(
            py,
            "bookmakers",
            "bookmakers must be a sequence of names such as [\"pinnacle\"], not a str",
        ));
    }
    let refuse = || {
        invalid_input(
            py,
            "bookmakers",
            "bookmakers must be a sequence of str or None",
        )
    };
    let mut names = Vec::new();
    for item in obj.try_iter().map_err(|_| refuse())? {
        let item = item?;
        names.push(convert::text(&item, "bookmakers")?.to_owned());
    }
    Ok(Some(names))
}

#[allow(clippy::too_many_arguments)]
fn build_order(
    stake: i64,
    currency: &Bound<'_, PyAny>,
    price: &Bound<'_, PyAny>,
    accept_better_odds: bool,
    accept_partial_stake: bool,
    back: bool,
    bookmakers: Option<&Bound<'_, PyAny>>,
    currency_code: money::Currency,
) -> PyResult<PyOrder> {
    let py = currency.py();
    let flags = core::OrderFlags {
        accept_better_odds,
        accept_partial_stake,
        back,
    };
    // Beyond 6 decimals orderPrice rounds toward the stricter side (back up, lay down).
    let price = convert::float(price, "price")?;
    let price =
        wagerkit_core::price::order_price_from_f64(price, flags.back, "price").py_err(py)?;
    let names = bookmaker_list(bookmakers)?;
    let inner = core::Order::new(stake, currency_code, price, flags, names).py_err(py)?;
    Ok(PyOrder { inner })
}

#[pymethods]
impl PyOrder {
    #[new]
    #[pyo3(
        signature = (stake, currency, price, *, accept_better_odds = true, accept_partial_stake = true, back = true, bookmakers = None),
        text_signature = "(stake, currency, price, *, accept_better_odds=True, accept_partial_stake=True, back=True, bookmakers=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn new(
        stake: &Bound<'_, PyAny>,
        currency: &Bound<'_, PyAny>,
        price: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = convert::flag_accept_better_odds)] accept_better_odds: bool,
        #[pyo3(from_py_with = convert::flag_accept_partial_stake)] accept_partial_stake: bool,
        #[pyo3(from_py_with = convert::flag_back)] back: bool,
        bookmakers: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        guard(stake.py(), || {
            let code = convert::currency(currency, "currency")?;
            let stake = convert::amount(stake, "stake")?;
            build_order(
                stake,
                currency,
                price,
                accept_better_odds,
                accept_partial_stake,
                back,
                bookmakers,
                code,
            )
        })
    }

    /// Same as the constructor with the stake in major units (``10.0`` USD).
    #[staticmethod]
    #[pyo3(
        signature = (amount, currency, price, *, accept_better_odds = true, accept_partial_stake = true, back = true, bookmakers = None),
        text_signature = "(amount, currency, price, *, accept_better_odds=True, accept_partial_stake=True, back=True, bookmakers=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn from_amount(
        amount: &Bound<'_, PyAny>,
        currency: &Bound<'_, PyAny>,
        price: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = convert::flag_accept_better_odds)] accept_better_odds: bool,
        #[pyo3(from_py_with = convert::flag_accept_partial_stake)] accept_partial_stake: bool,
        #[pyo3(from_py_with = convert::flag_back)] back: bool,
        bookmakers: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyOrder> {
        let py = amount.py();
        guard(py, || {
            let code = convert::currency(currency, "currency")?;
            let text = convert::decimal_text(amount, "amount")?;
            let stake =
                money::text_to_minor(&text, code, Rounding::HalfEven, "amount").py_err(py)?;
            build_order(
                stake,
                currency,
                price,
                accept_better_odds,
                accept_partial_stake,
                back,
                bookmakers,
                code,
            )
        })
    }

    /// orderStake: minor units of ``currency``.
    #[getter]
    fn stake(&self) -> i64 {
        self.inner.stake()
    }

    /// orderCurrency.
    #[getter]
    fn currency(&self) -> &'static str {
        self.inner.currency().code()
    }

    /// orderPrice (decimal odds).
    #[getter]
    fn price(&self) -> f64 {
        price_to_f64(self.inner.price())
    }

    /// acceptBetterOdds: False places only at exactly ``price``.
    #[getter]
    fn accept_better_odds(&self) -> bool {
        self.inner.accept_better_odds()
    }

    /// acceptPartialStake.
    #[getter]
    fn accept_partial_stake(&self) -> bool {
        self.inner.accept_partial_stake()
    }

    /// True for a back order, False for an exchange lay.
    #[getter]
    fn back(&self) -> bool {
        self.inner.back()
    }

    /// The bookmaker filter as given (None: every bookmaker).
    #[getter]
    fn bookmakers(&self, py: Python<'_>) -> PyResult<Option<Vec<String>>> {
        guard(py, || {
            Ok({
                self.inner
                    .bookmakers()
                    .map(|names| names.iter().map(|n| n.to_string()).collect())
            })
        })
    }

    /// ABP placement mode 1-4 (single/multiple bookmakers × partial stake).
    #[getter]
    fn mode(&self) -> u8 {
        self.inner.mode()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            Ok({
                let o = &self.inner;
                format!(
                    "Order(stake={}, currency={:?}, price={:?}, back={}, mode={})",
                    o.stake(),
                    o.currency().code(),
                    price_to_f64(o.price()),
                    if o.back() { "True" } else { "False" },
                    o.mode()
                )
            })
        })
    }
}

/// One bet the router would place.
#[pyclass(name = "Leg", module = "wagerkit._core", frozen)]
pub struct PyLeg {
    leg: core::Leg,
}

#[pymethods]
impl PyLeg {
    /// Market key of the quote the bet goes to.
    #[getter]
    fn key(&self) -> &str {
        &self.leg.names.key
    }

    /// The bookmaker.
    #[getter]
    fn bookmaker(&self) -> &str {
        &self.leg.names.bookmaker
    }

    /// The account that places the bet.
    #[getter]
    fn account(&self) -> &str {
        &self.leg.names.account
    }

    /// placedPrice (decimal odds).
    #[getter]
    fn price(&self) -> f64 {
        price_to_f64(self.leg.price)
    }

    /// placedStake: minor units of the account currency, rounded down.
    #[getter]
    fn stake(&self) -> i64 {
        self.leg.stake
    }

    /// placedCurrency (the account currency).
    #[getter]
    fn currency(&self) -> &'static str {
        self.leg.currency.code()
    }

    /// The same stake in the order currency (half-even): what it adds to filledStake.
    #[getter]
    fn order_stake(&self) -> i64 {
        self.leg.order_stake
    }

    /// The order currency.
    #[getter]
    fn order_currency(&self) -> &'static str {
        self.leg.order_currency.code()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            Ok({
                let l = &self.leg;
                format!(
                    "Leg(account={:?}, price={:?}, stake={} {}, order_stake={} {})",
                    &*l.names.account,
                    price_to_f64(l.price),
                    money::minor_to_text(i128::from(l.stake), l.currency),
                    l.currency,
                    money::minor_to_text(i128::from(l.order_stake), l.order_currency),
                    l.order_currency
                )
            })
        })
    }
}

/// What ABP would do with the order against the book right now.
///
/// - ``filled``: the legs (with any prior legs) cover the order (``remaining`` is 0, or below
///   one minor unit of every leg's currency: rounding dust that no bookmaker can take).
/// - ``partial``: the order holds some fill (new or prior legs); the rest may fill later
///   (modes 2 and 4 only).
/// - ``waiting``: nothing qualifies now (first-bet rule, price); retry until expiresAt.
/// - ``declined``: ``decline`` says why; ``message`` is ABP-style text.
#[pyclass(name = "RoutePlan", module = "wagerkit._core", frozen)]
pub struct PyRoutePlan {
    plan: core::RoutePlan,
}

#[pymethods]
impl PyRoutePlan {
    /// ``"filled"``, ``"partial"``, ``"waiting"`` or ``"declined"``.
    #[getter]
    fn status(&self) -> &'static str {
        self.plan.status.name()
    }

    /// The bets, in the order they would be placed.
    #[getter]
    fn legs(&self) -> Vec<PyLeg> {
        self.plan
            .legs
            .iter()
            .map(|leg| PyLeg { leg: leg.clone() })
            .collect()
    }

    /// ABP placement mode 1-4.
    #[getter]
    fn mode(&self) -> u8 {
        self.plan.mode
    }

    /// Sum of this plan's legs' ``order_stake`` (order currency, minor units); the prior
    /// legs given to ``route`` are not in it (see ``prior_filled``).
    #[getter]
    fn filled(&self) -> i64 {
        self.plan.filled
    }

    /// Sum of the prior legs' stakes given to ``route`` (0 without ``prior``).
    #[getter]
    fn prior_filled(&self) -> i64 {
        self.plan.prior_filled
    }

    /// What the whole order still lacks: stake − prior_filled − filled (order currency).
    #[getter]
    fn remaining(&self) -> i64 {
        self.plan.remaining
    }

    /// True when nothing more will be placed for the order (status ``filled``).
    #[getter]
    fn complete(&self) -> bool {
        self.plan.complete()
    }

    /// Stake-weighted average price of this plan's legs (order-currency weights).
    #[getter]
    fn average_price(&self, py: Python<'_>) -> PyResult<Option<f64>> {
        guard(py, || Ok(self.plan.average_price()))
    }

    /// Why the order was declined, or None.
    #[getter]
    fn decline(&self) -> Option<PyDeclineReason> {
        self.plan.decline.map(PyDeclineReason::from_core)
    }

    /// ABP-style text for a decline (e.g. ``Order stake 100.00 USD exceeds available limit
    /// 50.00 USD``); a short note when waiting or partial; empty when filled.
    #[getter]
    fn message(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || Ok(self.plan.message()))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            Ok({
                let p = &self.plan;
                match p.decline {
                    Some(reason) => format!(
                        "RoutePlan(status='declined', decline={}, message={:?})",
                        reason.name(),
                        p.message()
                    ),
                    None if p.prior_filled > 0 => format!(
                        "RoutePlan(status={:?}, mode={}, legs={}, filled={}, prior_filled={}, \
                         remaining={})",
                        p.status.name(),
                        p.mode,
                        p.legs.len(),
                        p.filled,
                        p.prior_filled,
                        p.remaining
                    ),
                    None => format!(
                        "RoutePlan(status={:?}, mode={}, legs={}, filled={}, remaining={})",
                        p.status.name(),
                        p.mode,
                        p.legs.len(),
                        p.filled,
                        p.remaining
                    ),
                }
            })
        })
    }
}

/// Reads ``prior``: a sequence of ``(order_stake, price)`` pairs (``None`` = none).
fn prior_legs(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<core::PriorLeg>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Vec::new());
    };
    let py = obj.py();
    let refuse = || {
        invalid_input(
            py,
            "prior",
            "prior must be a sequence of (order_stake, price) pairs",
        )
    };
    if obj.is_instance_of::<PyString>() {
        return Err(refuse());
    }
    let mut legs = Vec::new();
    for item in obj.try_iter().map_err(|_| refuse())? {
        let item = item?;
        if item.is_instance_of::<PyString>() || item.len().ok() != Some(2) {
            return Err(refuse());
        }
        let order_stake = convert::amount(&item.get_item(0).map_err(|_| refuse())?, "prior")?;
        let price = convert::price(&item.get_item(1).map_err(|_| refuse())?, "prior")?;
        legs.push(core::PriorLeg { order_stake, price });
    }
    Ok(legs)
}

/// Route ``order`` across ``book`` the way ABP fills (see docs/engine.md).
///
/// ``prior``: ``(order_stake, price)`` legs already filled for this order in earlier passes
/// (order-currency minor units); they count toward the weighted-average rule and the order's
/// status, and the plan places only what is left.
#[pyfunction]
#[pyo3(
    signature = (order, book, fx, prior = None),
    text_signature = "(order, book, fx, prior=())"
)]
pub fn route(
    order: &Bound<'_, PyAny>,
    book: &Bound<'_, PyAny>,
    fx: &Bound<'_, PyAny>,
    prior: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyRoutePlan> {
    let py = order.py();
    guard(py, || {
        let order = match order.cast::<PyOrder>() {
            Ok(o) => o.get(),
            Err(_) => return Err(invalid_input(py, "order", "order must be a wagerkit.Order")),
        };
        let prior = prior_legs(prior)?;
        let book = book::borrow(book, "book")?;
        let fx = fx::borrow(fx, "fx")?;
        // Locks in one order everywhere: the book, then the rate table.
        let mut book = book.lock(py)?;
        let plan = core::route_after(&order.inner, &mut book, &*fx.lock(py)?, &prior).py_err(py)?;
        Ok(PyRoutePlan { plan })
    })
}
