//! The `Book`, `Quote` and `Level` classes.

use crate::convert;
use crate::errors::{guard, invalid_input, IntoPy};
use crate::fx::{self, PyFx};
use crate::sync;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyAny, PyBytes, PyString};
use std::sync::{Mutex, MutexGuard};
use wagerkit_core::book::{AccountSettings, Level, QuoteInput, QuoteView};
use wagerkit_core::price::price_to_f64;

/// One bookmaker account's quote for the selection (a frozen snapshot).
#[pyclass(name = "Quote", module = "wagerkit._core", frozen)]
pub struct PyQuote {
    view: QuoteView,
}

#[pymethods]
impl PyQuote {
    /// The quote's slot in its book (a stable handle for :meth:`Book.update`).
    #[getter]
    fn slot(&self) -> u64 {
        self.view.slot
    }

    /// Market key ``fixtureId:bookmaker:outcomeId:playerId``.
    #[getter]
    fn key(&self) -> &str {
        &self.view.names.key
    }

    /// The bookmaker's name (the key's second part).
    #[getter]
    fn bookmaker(&self) -> &str {
        &self.view.names.bookmaker
    }

    /// The account that quotes.
    #[getter]
    fn account(&self) -> &str {
        &self.view.names.account
    }

    /// The account currency; ``limit`` and ``limit_min`` are in it.
    #[getter]
    fn currency(&self) -> &'static str {
        self.view.currency.code()
    }

    /// The account priority (higher goes first among equal prices).
    #[getter]
    fn priority(&self) -> i64 {
        self.view.priority
    }

    /// Decimal odds.
    #[getter]
    fn price(&self) -> f64 {
        price_to_f64(self.view.price)
    }

    /// odds.limit, minor units of the account currency.
    #[getter]
    fn limit(&self) -> i64 {
        self.view.limit
    }

    /// odds.limitMin, minor units of the account currency, or None.
    #[getter]
    fn limit_min(&self) -> Option<i64> {
        self.view.limit_min
    }

    /// Whether the quote is active (False: price not available / market suspended).
    #[getter]
    fn active(&self) -> bool {
        self.view.active
    }

    /// True for a back quote, False for an exchange lay quote.
    #[getter]
    fn back(&self) -> bool {
        self.view.back
    }

    /// Effective max after the cascade and the balance cap (account currency).
    ///
    /// ``None`` only when the bookmaker limit's currency has no rate in the last Fx used.
    #[getter]
    fn max_stake(&self) -> Option<i64> {
        self.view.max_stake
    }

    /// Effective min after the cascade (account currency).
    #[getter]
    fn min_stake(&self) -> i64 {
        self.view.min_stake
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            Ok({
                let v = &self.view;
                format!(
                    "Quote(slot={}, key={:?}, account={:?}, price={:?}, limit={} {}, back={}, active={})",
                    v.slot,
                    &*v.names.key,
                    &*v.names.account,
                    price_to_f64(v.price),
                    v.limit,
                    v.currency,
                    py_bool(v.back),
                    py_bool(v.active)
                )
            })
        })
    }
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// One price level of :meth:`Book.ladder`.
#[pyclass(name = "Level", module = "wagerkit._core", frozen)]
pub struct PyLevel {
    level: Level,
}

#[pymethods]
impl PyLevel {
    /// Decimal odds of the level.
    #[getter]
    fn price(&self) -> f64 {
        price_to_f64(self.level.price)
    }

    /// Stake available at exactly this price, minor units of the ladder's currency.
    #[getter]
    fn available(&self) -> i64 {
        self.level.available
    }

    /// How many quotes make up the level.
    #[getter]
    fn quotes(&self) -> usize {
        self.level.quotes
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            Ok({
                format!(
                    "Level(price={:?}, available={}, quotes={})",
                    price_to_f64(self.level.price),
                    self.level.available,
                    self.level.quotes
                )
            })
        })
    }
}

/// The merged book of one selection across bookmakers and accounts.
///
/// Accounts are registered first (:meth:`set_account`), then quotes are upserted against them.
/// :meth:`upsert` returns a *slot*; :meth:`update` takes that slot and four scalars and is the
/// hot path for a price feed. A removed quote's slot is refused from then on (its index is
/// reused under a new generation, so a stale slot cannot move another quote). Back and lay quotes live side by side; every read takes ``back``.
#[pyclass(name = "Book", module = "wagerkit._core", frozen)]
#[derive(Default)]
pub struct PyBook {
    pub(crate) inner: Mutex<wagerkit_core::Book>,
}

impl PyBook {
    /// The book, locked (see `crate::sync`).
    #[inline]
    pub(crate) fn lock(&self, py: Python<'_>) -> PyResult<MutexGuard<'_, wagerkit_core::Book>> {
        sync::lock(py, &self.inner, "Book")
    }
}

static JSON_DUMPS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Betslip JSON bytes from bytes, str, or a mapping (serialised with `json.dumps`, which
/// writes floats in their shortest form, so no value changes on the way).
fn betslip_bytes(data: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    let py = data.py();
    if let Ok(b) = data.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(s) = data.cast::<PyString>() {
        return Ok(convert::utf8(s, "data")?.as_bytes().to_vec());
    }
    let dumps = JSON_DUMPS.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py.import("json")?.getattr("dumps")?.unbind())
    })?;
    match dumps.bind(py).call1((data,)) {
        Ok(text) => Ok(convert::utf8(text.cast::<PyString>()?, "data")?
            .as_bytes()
            .to_vec()),
        Err(e) => Err(invalid_input(
            py,
            "data",
            &format!("betslip must be bytes, str or a JSON-compatible mapping: {e}"),
        )),
    }
}

#[pymethods]
impl PyBook {
    #[new]
    #[pyo3(signature = ())]
    fn new() -> Self {
        PyBook::default()
    }

    /// Register or replace an account. Amounts are minor units of ``currency``.
    ///
    /// ``balance``, when given, caps what a bet may risk (our choice): a back quote's max stake
    /// is at most the balance, a lay quote's liability ``stake × (price − 1)`` is.
    ///
    /// An account that holds quotes cannot move to another bookmaker nor change currency
    /// (InvalidInput): remove its quotes first.
    #[pyo3(
        signature = (account, bookmaker, currency, *, priority = None, max_stake = None, min_stake = None, balance = None, active = true),
        text_signature = "($self, account, bookmaker, currency, *, priority=0, max_stake=None, min_stake=None, balance=None, active=True)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn set_account(
        &self,
        account: &Bound<'_, PyAny>,
        bookmaker: &Bound<'_, PyAny>,
        currency: &Bound<'_, PyAny>,
        priority: Option<&Bound<'_, PyAny>>,
        max_stake: Option<&Bound<'_, PyAny>>,
        min_stake: Option<&Bound<'_, PyAny>>,
        balance: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = convert::flag_active)] active: bool,
    ) -> PyResult<()> {
        let py = account.py();
        guard(py, || {
            let name = convert::text(account, "account")?;
            let bookmaker = convert::text(bookmaker, "bookmaker")?;
            let currency = convert::currency(currency, "currency")?;
            let settings = AccountSettings {
                priority: convert::optional_amount(priority, "priority")?.unwrap_or(0),
                max_stake: convert::optional_amount(max_stake, "max_stake")?,
                min_stake: convert::optional_amount(min_stake, "min_stake")?,
                balance: convert::optional_amount(balance, "balance")?,
                active,
            };
            self.lock(py)?
                .set_account(name, bookmaker, currency, settings)
                .py_err(py)
        })
    }

    /// Bookmaker-level limits (cascade step 2) in ``currency`` minor units.
    ///
    /// Converted into each account's currency when applied: max rounded down, min up.
    #[pyo3(signature = (bookmaker, currency, *, max_stake = None, min_stake = None))]
    fn set_bookmaker_limits(
        &self,
        bookmaker: &Bound<'_, PyAny>,
        currency: &Bound<'_, PyAny>,
        max_stake: Option<&Bound<'_, PyAny>>,
        min_stake: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let py = bookmaker.py();
        guard(py, || {
            let bookmaker = convert::text(bookmaker, "bookmaker")?;
            let currency = convert::currency(currency, "currency")?;
            let max = convert::optional_amount(max_stake, "max_stake")?;
            let min = convert::optional_amount(min_stake, "min_stake")?;
            self.lock(py)?
                .set_bookmaker_limits(bookmaker, currency, max, min)
                .py_err(py)
        })
    }

    /// Insert or replace the quote of ``account`` under market ``key``; return its slot.
    ///
    /// ``key`` must be ``fixtureId:bookmaker:outcomeId:playerId`` with the account's
    /// bookmaker, and the same selection as every other quote in this book.
    #[pyo3(
        signature = (key, account, price, limit, limit_min = None, active = true, back = true),
        text_signature = "($self, key, account, price, limit, limit_min=None, active=True, back=True)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn upsert(
        &self,
        key: &Bound<'_, PyAny>,
        account: &Bound<'_, PyAny>,
        price: &Bound<'_, PyAny>,
        limit: &Bound<'_, PyAny>,
        limit_min: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = convert::flag_active)] active: bool,
        #[pyo3(from_py_with = convert::flag_back)] back: bool,
    ) -> PyResult<u64> {
        let py = key.py();
        guard(py, || {
            let key = convert::text(key, "key")?;
            let account = convert::text(account, "account")?;
            let input = QuoteInput {
                price: convert::price(price, "price")?,
                limit: convert::amount(limit, "limit")?,
                limit_min: convert::optional_amount(limit_min, "limit_min")?,
                active,
            };
            self.lock(py)?.upsert(key, account, input, back).py_err(py)
        })
    }

    /// Hot path: move one quote. Raises InvalidInput for an unknown or removed slot.
    #[pyo3(signature = (slot, price, limit, limit_min, active))]
    fn update(
        &self,
        slot: &Bound<'_, PyAny>,
        price: &Bound<'_, PyAny>,
        limit: &Bound<'_, PyAny>,
        limit_min: &Bound<'_, PyAny>,
        active: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let py = slot.py();
        guard(py, || {
            let slot = convert::slot(slot)?;
            let input = QuoteInput {
                price: convert::price(price, "price")?,
                limit: convert::amount(limit, "limit")?,
                limit_min: convert::optional_amount(Some(limit_min), "limit_min")?,
                active: convert::required_flag(active, "active")?,
            };
            self.lock(py)?.update(slot, input).py_err(py)
        })
    }

    /// Remove one quote; False when it was not there.
    #[pyo3(
        signature = (key, account, back = true),
        text_signature = "($self, key, account, back=True)"
    )]
    fn remove(
        &self,
        key: &Bound<'_, PyAny>,
        account: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = convert::flag_back)] back: bool,
    ) -> PyResult<bool> {
        let py = key.py();
        guard(py, || {
            let key = convert::text(key, "key")?;
            let account = convert::text(account, "account")?;
            Ok(self.lock(py)?.remove(key, account, back))
        })
    }

    /// Remove an account that holds no quotes; False when there is none by that name (on
    /// ``bookmaker``, when given). InvalidInput while it holds quotes, or when several
    /// bookmakers have an account by that name and ``bookmaker`` is None.
    #[pyo3(signature = (account, bookmaker = None))]
    fn remove_account(
        &self,
        account: &Bound<'_, PyAny>,
        bookmaker: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        let py = account.py();
        guard(py, || {
            let account = convert::text(account, "account")?;
            let bookmaker = match bookmaker {
                Some(b) if !b.is_none() => Some(convert::text(b, "bookmaker")?),
                _ => None,
            };
            self.lock(py)?.remove_account(account, bookmaker).py_err(py)
        })
    }

    /// The quote in ``slot`` (a frozen snapshot). Raises InvalidInput for an unknown slot.
    #[pyo3(signature = (slot))]
    fn get(&self, slot: &Bound<'_, PyAny>) -> PyResult<PyQuote> {
        let py = slot.py();
        guard(py, || {
            let slot = convert::slot(slot)?;
            let view = self.lock(py)?.get(slot).py_err(py)?;
            Ok(PyQuote { view })
        })
    }

    /// Live quotes, best first (price, then priority, then limit).
    #[pyo3(signature = (back = None))]
    fn quotes(&self, py: Python<'_>, back: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<PyQuote>> {
        guard(py, || {
            let back = match back {
                Some(b) if !b.is_none() => Some(convert::required_flag(b, "back")?),
                _ => None,
            };
            Ok(self
                .lock(py)?
                .quotes(back)
                .into_iter()
                .map(|view| PyQuote { view })
                .collect())
        })
    }

    /// Number of live quotes, back and lay.
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        guard(py, || Ok(self.lock(py)?.len()))
    }

    /// Best active price (highest for back, lowest for lay), or None.
    ///
    /// Takes no rate table: a quote whose bookmaker limits are in another currency counts
    /// only once the last ``Fx`` used by this book (any read or route) has that rate.
    #[pyo3(
        signature = (back = true),
        text_signature = "($self, back=True)"
    )]
    fn best_price(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = convert::flag_back)] back: bool,
    ) -> PyResult<Option<f64>> {
        guard(py, || Ok(self.lock(py)?.best_price(back).map(price_to_f64)))
    }

    /// Stake that can be placed at ``price`` or better, in ``currency`` minor units.
    ///
    /// Sums each active quote's effective max, converted with rounding down. Raises
    /// MissingRate when a quote at ``price`` or better has a bookmaker limit in a currency
    /// ``fx`` has no rate for (it is never skipped silently).
    #[pyo3(
        signature = (price, currency, fx, back = true),
        text_signature = "($self, price, currency, fx, back=True)"
    )]
    fn available(
        &self,
        price: &Bound<'_, PyAny>,
        currency: &Bound<'_, PyAny>,
        fx: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = convert::flag_back)] back: bool,
    ) -> PyResult<i64> {
        let py = price.py();
        guard(py, || {
            let price = convert::price(price, "price")?;
            let currency = convert::currency(currency, "currency")?;
            let fx = fx::borrow(fx, "fx")?;
            let mut book = self.lock(py)?;
            book.available(price, currency, &*fx.lock(py)?, back)
                .py_err(py)
        })
    }

    /// Volume-weighted average price to fill ``stake`` best-first; None if the book is
    /// too thin.
    #[pyo3(
        signature = (stake, currency, fx, back = true),
        text_signature = "($self, stake, currency, fx, back=True)"
    )]
    fn vwap(
        &self,
        stake: &Bound<'_, PyAny>,
        currency: &Bound<'_, PyAny>,
        fx: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = convert::flag_back)] back: bool,
    ) -> PyResult<Option<f64>> {
        let py = stake.py();
        guard(py, || {
            let stake = convert::amount(stake, "stake")?;
            let currency = convert::currency(currency, "currency")?;
            let fx = fx::borrow(fx, "fx")?;
            let mut book = self.lock(py)?;
            book.vwap(stake, currency, &*fx.lock(py)?, back).py_err(py)
        })
    }

    /// Price levels best first, each with the stake available at exactly that price.
    #[pyo3(
        signature = (currency, fx, back = true),
        text_signature = "($self, currency, fx, back=True)"
    )]
    fn ladder(
        &self,
        currency: &Bound<'_, PyAny>,
        fx: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = convert::flag_back)] back: bool,
    ) -> PyResult<Vec<PyLevel>> {
        let py = currency.py();
        guard(py, || {
            let currency = convert::currency(currency, "currency")?;
            let fx = fx::borrow(fx, "fx")?;
            let mut book = self.lock(py)?;
            let levels = book.ladder(currency, &*fx.lock(py)?, back).py_err(py)?;
            Ok(levels.into_iter().map(|level| PyLevel { level }).collect())
        })
    }

    /// Build a book from an ABP betslip (the whole response or only its ``odds`` object).
    ///
    /// Each quote's account is registered with the quote's ``limitCurrency`` and priority 0;
    /// ``limit``/``limitMin`` (already after the cascade) become the odds limits. When ``fx``
    /// is given, every ``currencyInfo`` in the betslip is loaded into it.
    #[staticmethod]
    #[pyo3(signature = (data, fx = None))]
    fn from_betslip(data: &Bound<'_, PyAny>, fx: Option<&Bound<'_, PyAny>>) -> PyResult<PyBook> {
        let py = data.py();
        guard(py, || {
            let bytes = betslip_bytes(data)?;
            let fx = match fx {
                Some(f) if !f.is_none() => match f.cast::<PyFx>() {
                    Ok(fx) => Some(fx.get()),
                    Err(_) => {
                        return Err(invalid_input(py, "fx", "fx must be a wagerkit.Fx or None"))
                    }
                },
                _ => None,
            };
            let (book, rates) = wagerkit_core::Book::from_betslip_json(&bytes).py_err(py)?;
            if let Some(fx) = fx {
                let mut fx = fx.lock(py)?;
                for rate in rates {
                    fx.set_rate_scaled(rate.currency, rate.value, rate.updated_at.as_deref())
                        .py_err(py)?;
                }
            }
            Ok(PyBook {
                inner: Mutex::new(book),
            })
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            let mut book = self.lock(py)?;
            let mut best = |back: bool| {
                book.best_price(back)
                    .map(|p| format!("{:?}", price_to_f64(p)))
                    .unwrap_or_else(|| "None".to_owned())
            };
            let back = best(true);
            let lay = best(false);
            Ok(format!(
                "Book(quotes={}, best_back={back}, best_lay={lay})",
                book.len()
            ))
        })
    }
}

/// An argument that must be a `Book` (lock it with [`PyBook::lock`]).
pub fn borrow<'a>(obj: &'a Bound<'_, PyAny>, field: &'static str) -> PyResult<&'a PyBook> {
    match obj.cast::<PyBook>() {
        Ok(book) => Ok(book.get()),
        Err(_) => Err(invalid_input(
            obj.py(),
            field,
            &format!("{field} must be a wagerkit.Book"),
        )),
    }
}
