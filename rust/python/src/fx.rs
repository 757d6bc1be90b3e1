//! The `Fx` class: a rate table in ABP's convention.

use crate::convert;
use crate::errors::{guard, invalid_input, IntoPy};
use crate::sync;
use pyo3::prelude::*;
use pyo3::types::PyString;
use std::sync::{Mutex, MutexGuard};
use wagerkit_core::money::Currency;

/// Exchange-rate table in ABP's convention; USD is always present with value 1.
///
/// Rates are stored as exact scaled integers (12 decimals); conversions use 128-bit
/// intermediates and an explicit rounding mode. ``updated_at`` is kept as given (ISO 8601).
#[pyclass(name = "Fx", module = "wagerkit._core", frozen)]
#[derive(Default)]
pub struct PyFx {
    pub(crate) inner: Mutex<wagerkit_core::Fx>,
}

impl PyFx {
    /// The rate table, locked (see `crate::sync`).
    #[inline]
    pub(crate) fn lock(&self, py: Python<'_>) -> PyResult<MutexGuard<'_, wagerkit_core::Fx>> {
        sync::lock(py, &self.inner, "Fx")
    }
}

#[pymethods]
impl PyFx {
    #[new]
    #[pyo3(signature = ())]
    fn new() -> Self {
        PyFx::default()
    }

    /// Set units of ``currency`` per 1 USD. Must be finite and > 0; USD must stay 1.
    #[pyo3(signature = (currency, currency_value, updated_at = None))]
    fn set_rate(
        &self,
        currency: &Bound<'_, PyAny>,
        currency_value: &Bound<'_, PyAny>,
        updated_at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let py = currency.py();
        guard(py, || {
            let currency = convert::currency(currency, "currency")?;
            let text = convert::decimal_text(currency_value, "currency_value")?;
            let updated_at = match updated_at {
                Some(o) if !o.is_none() => Some(convert::text(o, "updated_at")?),
                _ => None,
            };
            self.lock(py)?
                .set_rate_text(currency, &text, updated_at)
                .py_err(py)
        })
    }

    /// The currency value as a float; raises MissingRate when unknown.
    #[pyo3(signature = (currency))]
    fn rate(&self, currency: &Bound<'_, PyAny>) -> PyResult<f64> {
        let py = currency.py();
        guard(py, || {
            let currency = convert::currency(currency, "currency")?;
            self.lock(py)?.rate_f64(currency).py_err(py)
        })
    }

    /// The currency value as exact decimal text (``"0.84788876"``).
    #[pyo3(signature = (currency))]
    fn rate_str(&self, currency: &Bound<'_, PyAny>) -> PyResult<String> {
        let py = currency.py();
        guard(py, || {
            let currency = convert::currency(currency, "currency")?;
            self.lock(py)?.rate_text(currency).py_err(py)
        })
    }

    /// The ``updatedAt`` of the rate snapshot, as given to :meth:`set_rate`.
    #[pyo3(signature = (currency))]
    fn updated_at(&self, currency: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
        let py = currency.py();
        guard(py, || {
            let currency = convert::currency(currency, "currency")?;
            Ok(self
                .lock(py)?
                .updated_at(currency)
                .py_err(py)?
                .map(str::to_owned))
        })
    }

    /// Currencies with a known rate, sorted.
    fn currencies(&self, py: Python<'_>) -> PyResult<Vec<&'static str>> {
        guard(py, || {
            Ok(self
                .lock(py)?
                .currencies()
                .into_iter()
                .map(Currency::code)
                .collect())
        })
    }

    /// ``amount_B = amount_A / cv(A) * cv(B)`` in minor units, rounded as asked.
    ///
    /// Use ``rounding="down"`` for a stake that will be sent to a bookmaker.
    #[pyo3(
        signature = (amount, from_currency, to_currency, rounding = None),
        text_signature = "($self, amount, from_currency, to_currency, rounding='half_even')"
    )]
    fn convert(
        &self,
        amount: &Bound<'_, PyAny>,
        from_currency: &Bound<'_, PyAny>,
        to_currency: &Bound<'_, PyAny>,
        rounding: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let py = amount.py();
        guard(py, || {
            let amount = convert::wide_amount(amount, "amount")?;
            let from = convert::currency(from_currency, "from_currency")?;
            let to = convert::currency(to_currency, "to_currency")?;
            let rounding = convert::rounding(rounding)?;
            convert::int_out(
                py,
                self.lock(py)?
                    .convert_wide(amount, from, to, rounding)
                    .py_err(py)?,
            )
        })
    }

    /// Shorthand for ``convert(amount, currency, "USD", rounding)``.
    #[pyo3(
        signature = (amount, currency, rounding = None),
        text_signature = "($self, amount, currency, rounding='half_even')"
    )]
    fn to_usd(
        &self,
        amount: &Bound<'_, PyAny>,
        currency: &Bound<'_, PyAny>,
        rounding: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let py = amount.py();
        guard(py, || {
            let amount = convert::wide_amount(amount, "amount")?;
            let from = convert::currency(currency, "currency")?;
            let rounding = convert::rounding(rounding)?;
            let usd = self
                .lock(py)?
                .convert_wide(amount, from, Currency::USD, rounding)
                .py_err(py)?;
            convert::int_out(py, usd)
        })
    }

    /// True when ``currency`` is a code with a known rate.
    fn __contains__(&self, currency: &Bound<'_, PyAny>) -> PyResult<bool> {
        let py = currency.py();
        Ok(match currency.cast::<PyString>() {
            Ok(s) => match s.to_str().ok().and_then(Currency::lookup) {
                Some(c) => self.lock(py)?.contains(c),
                None => false,
            },
            Err(_) => false,
        })
    }

    /// How many currencies have a rate (USD included).
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        Ok(self.lock(py)?.len())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            let fx = self.lock(py)?;
            let rates: Vec<String> = fx
                .currencies()
                .into_iter()
                .map(|c| format!("{}={}", c, fx.rate_text(c).unwrap_or_default()))
                .collect();
            Ok(format!("Fx({})", rates.join(", ")))
        })
    }
}

/// Borrows an argument that must be an `Fx`.
pub fn borrow<'a, 'py>(obj: &'a Bound<'py, PyAny>, field: &'static str) -> PyResult<&'a PyFx> {
    match obj.cast::<PyFx>() {
        Ok(fx) => Ok(fx.get()),
        Err(_) => Err(invalid_input(
            obj.py(),
            field,
            &format!("{field} must be a wagerkit.Fx"),
        )),
    }
}
