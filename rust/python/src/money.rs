//! Module functions for money: currencies, minor units, and the limit cascade.

use crate::convert;
use crate::errors::{guard, invalid_input, IntoPy};
use pyo3::prelude::*;
use pyo3::types::PyString;
use wagerkit_core::limits::{self, LimitInputs};
use wagerkit_core::money::{self, Currency};

/// ISO 4217 minor-unit exponent of ``currency`` (``"USD"`` → 2, ``"JPY"`` → 0).
///
/// Raises InvalidInput for a code that is not an ISO 4217 currency: never guessed.
#[pyfunction]
#[pyo3(signature = (currency))]
pub fn currency_exponent(currency: &Bound<'_, PyAny>) -> PyResult<u32> {
    guard(currency.py(), || {
        Ok(convert::currency(currency, "currency")?.exponent())
    })
}

/// True when ``currency`` is a known ISO 4217 code (upper case, three letters).
#[pyfunction]
#[pyo3(signature = (currency))]
pub fn is_currency(currency: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(match currency.cast::<PyString>() {
        Ok(s) => s.to_str().ok().and_then(Currency::lookup).is_some(),
        Err(_) => false,
    })
}

/// Convert a major-unit amount (``10.5``, ``"10.50"``) to minor units of ``currency``.
///
/// Floats are read through their shortest decimal form, so ``0.1 + 0.2`` style noise never
/// leaks in. NaN and infinity raise InvalidInput.
#[pyfunction]
#[pyo3(
    signature = (amount, currency, rounding = None),
    text_signature = "(amount, currency, rounding='half_even')"
)]
pub fn to_minor(
    amount: &Bound<'_, PyAny>,
    currency: &Bound<'_, PyAny>,
    rounding: Option<&Bound<'_, PyAny>>,
) -> PyResult<i64> {
    let py = amount.py();
    guard(py, || {
        let currency = convert::currency(currency, "currency")?;
        let rounding = convert::rounding(rounding)?;
        let text = convert::decimal_text(amount, "amount")?;
        money::text_to_minor(&text, currency, rounding, "amount").py_err(py)
    })
}

/// Exact decimal text of a minor-unit amount: ``minor_to_str(75134, "EUR") == "751.34"``.
#[pyfunction]
#[pyo3(signature = (amount, currency))]
pub fn minor_to_str(amount: &Bound<'_, PyAny>, currency: &Bound<'_, PyAny>) -> PyResult<String> {
    guard(amount.py(), || {
        let currency = convert::currency(currency, "currency")?;
        Ok(money::minor_to_text(
            convert::wide_amount(amount, "amount")?,
            currency,
        ))
    })
}

/// Nearest float to a minor-unit amount, for JSON wires that carry floats.
#[pyfunction]
#[pyo3(signature = (amount, currency))]
pub fn minor_to_float(amount: &Bound<'_, PyAny>, currency: &Bound<'_, PyAny>) -> PyResult<f64> {
    guard(amount.py(), || {
        let currency = convert::currency(currency, "currency")?;
        Ok(money::minor_to_f64(
            convert::wide_amount(amount, "amount")?,
            currency,
        ))
    })
}

fn limit_arg(obj: Option<&Bound<'_, PyAny>>, field: &'static str) -> PyResult<Option<i64>> {
    let value = convert::optional_amount(obj, field)?;
    if let (Some(v), Some(o)) = (value, obj) {
        if v < 0 {
            return Err(invalid_input(
                o.py(),
                field,
                &format!("{field} must be >= 0 (minor units), got {v}"),
            ));
        }
    }
    Ok(value)
}

/// ABP's stake-limit cascade, all amounts in the account currency (minor units).
///
/// max = account.maxStake → bookmaker.maxStake → odds.limit (``None`` when all are null);
/// min = account.minStake → bookmaker.minStake → odds.limitMin → 0. First non-null wins.
#[pyfunction]
#[pyo3(signature = (
    *,
    account_max = None,
    account_min = None,
    bookmaker_max = None,
    bookmaker_min = None,
    odds_limit = None,
    odds_limit_min = None
))]
pub fn effective_limits(
    py: Python<'_>,
    account_max: Option<&Bound<'_, PyAny>>,
    account_min: Option<&Bound<'_, PyAny>>,
    bookmaker_max: Option<&Bound<'_, PyAny>>,
    bookmaker_min: Option<&Bound<'_, PyAny>>,
    odds_limit: Option<&Bound<'_, PyAny>>,
    odds_limit_min: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Option<i64>, i64)> {
    guard(py, || {
        let inputs = LimitInputs {
            account_max: limit_arg(account_max, "account_max")?,
            account_min: limit_arg(account_min, "account_min")?,
            bookmaker_max: limit_arg(bookmaker_max, "bookmaker_max")?,
            bookmaker_min: limit_arg(bookmaker_min, "bookmaker_min")?,
            odds_limit: limit_arg(odds_limit, "odds_limit")?,
            odds_limit_min: limit_arg(odds_limit_min, "odds_limit_min")?,
        };
        Ok(limits::effective_limits(&inputs))
    })
}
