//! The `Fx` class: a rate table in ABP's convention.

use crate::convert;
use crate::errors::{guard, invalid_input, IntoPy};
use pyo3::prelude::*;
use pyo3::types::PyString;
use wagerkit_core::money::Currency;

/// Exchange-rate table in ABP's convention; USD is always present with value 1.
///
/// Rates are stored as exact scaled integers (12 decimals); conversions use 128-bit
/// intermediates and an explicit rounding mode. ``updated_at`` is kept as given (ISO 8601).
#[pyclass(name = "Fx", module = "wagerkit._core")]
#[derive(Default)]
pub struct PyFx {
    pub(crate) inner: wagerkit_core::Fx,
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
        &mut self,
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
            self.inner
                .set_rate_text(currency, &text, updated_at)
                .py_err(py)
        })
    }

    /// The currency value as a float; raises MissingRate when unknown.
    #[pyo3(signature = (currency))]
    fn rate(&self, currency: &Bound<'_, PyAny>) -> PyResult<f64> {
        let py = currency.py();
        guard(py, || {
            self.inner
                .rate_f64(convert::currency(currency, "currency")?)
                .py_err(py)
        })
    }

    /// The currency value as exact decimal text (``"0.84788876"``).
    #[pyo3(signature = (currency))]
    fn rate_str(&self, currency: &Bound<'_, PyAny>) -> PyResult<String> {
        let py = currency.py();
        guard(py, || {
            self.inner
                .rate_text(convert::currency(currency, "currency")?)
                .py_err(py)
        })
    }

    /// The ``updatedAt`` of the rate snapshot, as given to :meth:`set_rate`.
    #[pyo3(signature = (currency))]
    fn updated_at(&self, currency: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
        let py = currency.py();
        guard(py, || {
            let currency = convert::currency(currency, "currency")?;
            Ok(self
                .inner
                .updated_at(currency)
                .py_err(py)?
                .map(str::to_owned))
        })
    }

    /// Currencies with a known rate, sorted.
    fn currencies(&self) -> Vec<&'static str> {
        self.inner
            .currencies()
            .into_iter()
            .map(Currency::code)
            .collect()
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
                self.inner
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
                .inner
                .convert_wide(amount, from, Currency::USD, rounding)
                .py_err(py)?;
            convert::int_out(py, usd)
        })
    }

    /// True when ``currency`` is a code with a known rate.
    fn __contains__(&self, currency: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(match currency.cast::<PyString>() {
            Ok(s) => Currency::lookup(s.to_str()?).is_some_and(|c| self.inner.contains(c)),
            Err(_) => false,
        })
    }

    /// How many currencies have a rate (USD included).
    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __repr__(&self) -> String {
        let rates: Vec<String> = self
            .inner
            .currencies()
            .into_iter()
            .map(|c| format!("{}={}", c, self.inner.rate_text(c).unwrap_or_default()))
            .collect();
        format!("Fx({})", rates.join(", "))
    }
}

/// Borrows an argument that must be an `Fx`.
pub fn borrow<'py>(obj: &Bound<'py, PyAny>, field: &'static str) -> PyResult<PyRef<'py, PyFx>> {
    match obj.cast::<PyFx>() {
        Ok(fx) => Ok(fx.try_borrow()?),
        Err(_) => Err(invalid_input(
            obj.py(),
            field,
            &format!("{field} must be a wagerkit.Fx"),
        )),
    }
}
