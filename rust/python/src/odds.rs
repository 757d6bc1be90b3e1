//! Module functions for Pinnacle's five odds formats.

use crate::convert;
use crate::errors::{guard, invalid_input, IntoPy};
use pyo3::prelude::*;
use wagerkit_core::odds::{self, OddsFormat};

fn from_decimal(price: &Bound<'_, PyAny>, format: OddsFormat) -> PyResult<f64> {
    let py = price.py();
    guard(py, || {
        odds::decimal_to(convert::float(price, "price")?, format).py_err(py)
    })
}

fn to_decimal(value: &Bound<'_, PyAny>, format: OddsFormat) -> PyResult<f64> {
    let py = value.py();
    guard(py, || {
        odds::to_decimal_odds(convert::float(value, "odds")?, format).py_err(py)
    })
}

/// Decimal odds (> 1) as American odds: ``(d-1)·100`` from evens up, else ``-100/(d-1)``.
#[pyfunction]
#[pyo3(signature = (price))]
pub fn decimal_to_american(price: &Bound<'_, PyAny>) -> PyResult<f64> {
    from_decimal(price, OddsFormat::American)
}

/// American odds (``>= 100`` or ``<= -100``) as decimal odds.
#[pyfunction]
#[pyo3(signature = (odds))]
pub fn american_to_decimal(odds: &Bound<'_, PyAny>) -> PyResult<f64> {
    to_decimal(odds, OddsFormat::American)
}

/// Decimal odds (> 1) as Hong Kong odds: ``d-1``.
#[pyfunction]
#[pyo3(signature = (price))]
pub fn decimal_to_hongkong(price: &Bound<'_, PyAny>) -> PyResult<f64> {
    from_decimal(price, OddsFormat::HongKong)
}

/// Hong Kong odds (> 0) as decimal odds.
#[pyfunction]
#[pyo3(signature = (odds))]
pub fn hongkong_to_decimal(odds: &Bound<'_, PyAny>) -> PyResult<f64> {
    to_decimal(odds, OddsFormat::HongKong)
}

/// Decimal odds (> 1) as Indonesian odds: ``d-1`` from evens up, else ``-1/(d-1)``.
#[pyfunction]
#[pyo3(signature = (price))]
pub fn decimal_to_indonesian(price: &Bound<'_, PyAny>) -> PyResult<f64> {
    from_decimal(price, OddsFormat::Indonesian)
}

/// Indonesian odds (``>= 1`` or ``<= -1``) as decimal odds.
#[pyfunction]
#[pyo3(signature = (odds))]
pub fn indonesian_to_decimal(odds: &Bound<'_, PyAny>) -> PyResult<f64> {
    to_decimal(odds, OddsFormat::Indonesian)
}

/// Decimal odds (> 1) as Malay odds: ``d-1`` up to evens, else ``-1/(d-1)``.
#[pyfunction]
#[pyo3(signature = (price))]
pub fn decimal_to_malay(price: &Bound<'_, PyAny>) -> PyResult<f64> {
    from_decimal(price, OddsFormat::Malay)
}

/// Malay odds (in ``[-1, 0)`` or ``(0, 1]``) as decimal odds.
#[pyfunction]
#[pyo3(signature = (odds))]
pub fn malay_to_decimal(odds: &Bound<'_, PyAny>) -> PyResult<f64> {
    to_decimal(odds, OddsFormat::Malay)
}

fn format_arg(obj: &Bound<'_, PyAny>, field: &'static str) -> PyResult<OddsFormat> {
    let name = convert::text(obj, field)?;
    OddsFormat::parse(name).ok_or_else(|| {
        invalid_input(
            obj.py(),
            field,
            &format!("{field} must be one of decimal, american, hongkong, indonesian, malay; got {name:?}"),
        )
    })
}

/// Convert between any two of the five formats, exactly where the result is representable
/// (the arithmetic is done on the inputs' decimal forms, then rounded once to a float).
#[pyfunction]
#[pyo3(signature = (value, from_format, to_format))]
pub fn convert_odds(
    value: &Bound<'_, PyAny>,
    from_format: &Bound<'_, PyAny>,
    to_format: &Bound<'_, PyAny>,
) -> PyResult<f64> {
    let py = value.py();
    guard(py, || {
        let from = format_arg(from_format, "from_format")?;
        let to = format_arg(to_format, "to_format")?;
        odds::convert(convert::float(value, "value")?, from, to, "value").py_err(py)
    })
}
