//! Reading Python arguments into engine values.
//!
//! Every failure here is `InvalidInput` naming the argument, never a bare `TypeError`, so a
//! caller can catch one class for "nothing was sent, fix the call". Booleans are refused where
//! a number is expected (Python's `True` is an `int`, but a stake of `True` is a bug).

use crate::errors::{invalid_input, IntoPy};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyBytes, PyFloat, PyInt, PyString, PyType};
use wagerkit_core::decimal::{self, Rounding};
use wagerkit_core::dedupe;
use wagerkit_core::price::{self, Price};
use wagerkit_core::Currency;

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_owned())
}

/// A whole number of minor units that fits in 64 bits.
#[inline]
pub fn amount(obj: &Bound<'_, PyAny>, field: &'static str) -> PyResult<i64> {
    if let Ok(value) = obj.extract::<i64>() {
        if !obj.is_instance_of::<PyBool>() {
            return Ok(value);
        }
    }
    Err(amount_error(obj, field))
}

#[cold]
fn amount_error(obj: &Bound<'_, PyAny>, field: &'static str) -> PyErr {
    let py = obj.py();
    if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
        invalid_input(
            py,
            field,
            &format!("{field} is out of range for a 64-bit amount: {obj}"),
        )
    } else {
        invalid_input(
            py,
            field,
            &format!(
                "{field} must be an int (minor units), got {}",
                type_name(obj)
            ),
        )
    }
}

/// Like [`amount`], with Python `None` (or an omitted argument) as `None`.
#[inline]
pub fn optional_amount(
    obj: Option<&Bound<'_, PyAny>>,
    field: &'static str,
) -> PyResult<Option<i64>> {
    match obj {
        Some(o) if !o.is_none() => amount(o, field).map(Some),
        _ => Ok(None),
    }
}

/// A Python int of any size that fits in 128 bits (for formatting helpers).
#[inline]
pub fn wide_amount(obj: &Bound<'_, PyAny>, field: &'static str) -> PyResult<i128> {
    if obj.is_instance_of::<PyBool>() {
        return Err(amount_error(obj, field));
    }
    // Most amounts fit in 64 bits, whose conversion is much cheaper than the 128-bit one.
    if let Ok(value) = obj.extract::<i64>() {
        return Ok(i128::from(value));
    }
    obj.extract::<i128>().map_err(|_| amount_error(obj, field))
}

/// A slot number.
#[inline]
pub fn slot(obj: &Bound<'_, PyAny>) -> PyResult<u64> {
    let value = amount(obj, "slot")?;
    u64::try_from(value).map_err(|_| {
        invalid_input(
            obj.py(),
            "slot",
            &format!("slot {value} is not a live quote of this book (unknown or removed)"),
        )
    })
}

/// A float (or int) argument, refusing strings and booleans.
#[inline]
pub fn float(obj: &Bound<'_, PyAny>, field: &'static str) -> PyResult<f64> {
    // Fast path: an exact `float`, read from the object without a call.
    if obj.is_exact_instance_of::<PyFloat>() {
        // SAFETY: `obj` is a live exact `float`, so this cannot fail (the limited API of the
        // abi3 build has no PyFloat_AS_DOUBLE macro; PyFloat_AsDouble is its function form).
        return Ok(unsafe { pyo3::ffi::PyFloat_AsDouble(obj.as_ptr()) });
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(f.value());
    }
    if obj.is_instance_of::<PyBool>()
        || obj.is_instance_of::<PyString>()
        || obj.is_instance_of::<PyBytes>()
    {
        return Err(float_error(obj, field));
    }
    obj.extract::<f64>().map_err(|_| float_error(obj, field))
}

#[cold]
fn float_error(obj: &Bound<'_, PyAny>, field: &'static str) -> PyErr {
    invalid_input(
        obj.py(),
        field,
        &format!("{field} must be a number, got {}", type_name(obj)),
    )
}

/// Decimal odds, through the float's shortest decimal form (see `price::price_from_f64`).
#[inline]
pub fn price(obj: &Bound<'_, PyAny>, field: &'static str) -> PyResult<Price> {
    let x = float(obj, field)?;
    price::price_from_f64(x, field).py_err(obj.py())
}

/// An ISO 4217 code.
#[inline]
pub fn currency(obj: &Bound<'_, PyAny>, field: &'static str) -> PyResult<Currency> {
    let py = obj.py();
    let text = match obj.cast::<PyString>() {
        Ok(s) => utf8(s, field)?,
        Err(_) => {
            return Err(invalid_input(
                py,
                field,
                &format!(
                    "{field} must be a currency code (str), got {}",
                    type_name(obj)
                ),
            ))
        }
    };
    Currency::parse(text, field).py_err(py)
}

/// The UTF-8 text of a Python `str`; a lone surrogate (which no UTF-8 text can hold) is
/// `InvalidInput` naming `field`, not a `UnicodeEncodeError`.
#[inline]
pub fn utf8<'a>(s: &'a Bound<'_, PyString>, field: &'static str) -> PyResult<&'a str> {
    s.to_str().map_err(|_| {
        invalid_input(
            s.py(),
            field,
            &format!("{field} must be valid Unicode text (it holds a lone surrogate)"),
        )
    })
}

/// A `str` argument.
pub fn text<'a>(obj: &'a Bound<'_, PyAny>, field: &'static str) -> PyResult<&'a str> {
    match obj.cast::<PyString>() {
        Ok(s) => utf8(s, field),
        Err(_) => Err(invalid_input(
            obj.py(),
            field,
            &format!("{field} must be a str, got {}", type_name(obj)),
        )),
    }
}

/// `"down"`, `"half_even"` or `"up"`; omitted or `None` means half-even.
pub fn rounding(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Rounding> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Rounding::HalfEven);
    };
    let name = text(obj, "rounding")?;
    Rounding::parse(name).ok_or_else(|| {
        invalid_input(
            obj.py(),
            "rounding",
            &format!("rounding must be 'down', 'half_even' or 'up', got {name:?}"),
        )
    })
}

/// A strict `bool` that must be given (None refused).
#[inline]
pub fn required_flag(obj: &Bound<'_, PyAny>, field: &'static str) -> PyResult<bool> {
    // `True` and `False` are singletons: two pointer comparisons settle the usual case.
    let py = obj.py();
    if obj.is(PyBool::new(py, true)) {
        return Ok(true);
    }
    if obj.is(PyBool::new(py, false)) {
        return Ok(false);
    }
    match obj.cast::<PyBool>() {
        Ok(b) => Ok(b.is_true()),
        Err(_) => Err(invalid_input(
            obj.py(),
            field,
            &format!("{field} must be a bool, got {}", type_name(obj)),
        )),
    }
}

/// `active`: a bool (omitted gives its default; None is refused). For `from_py_with`.
pub fn flag_active(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    required_flag(obj, "active")
}

/// `back`, like [`flag_active`].
pub fn flag_back(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    required_flag(obj, "back")
}

/// `accept_better_odds`, like [`flag_active`].
pub fn flag_accept_better_odds(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    required_flag(obj, "accept_better_odds")
}

/// `accept_partial_stake`, like [`flag_active`].
pub fn flag_accept_partial_stake(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    required_flag(obj, "accept_partial_stake")
}

/// The exact decimal text of a float, int, str or Decimal (anything else through `str()`).
pub fn decimal_text(obj: &Bound<'_, PyAny>, field: &'static str) -> PyResult<String> {
    let py = obj.py();
    if obj.is_instance_of::<PyBool>() || obj.is_instance_of::<PyBytes>() {
        return Err(invalid_input(
            py,
            field,
            &format!(
                "{field} must be a number or decimal text, got {}",
                type_name(obj)
            ),
        ));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let x = f.value();
        return decimal::float_text(x)
            .ok_or_else(|| invalid_input(py, field, &format!("{field} must be finite, got {x}")));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(utf8(s, field)?.to_owned());
    }
    // int and Decimal print their exact value; NaN/Infinity are refused by the parser.
    Ok(utf8(&obj.str()?, field)?.to_owned())
}

static UUID_CLASS: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// A request UUID as 128 bits: text in any standard form, 16 raw bytes, or `uuid.UUID`.
#[inline]
pub fn uuid(obj: &Bound<'_, PyAny>) -> PyResult<u128> {
    let py = obj.py();
    if let Ok(s) = obj.cast::<PyString>() {
        return dedupe::uuid_from_text(utf8(s, "request_uuid")?).py_err(py);
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return dedupe::uuid_from_bytes(b.as_bytes()).py_err(py);
    }
    let uuid_class = UUID_CLASS.import(py, "uuid", "UUID")?;
    if obj.is_instance(uuid_class)? {
        return obj.getattr(pyo3::intern!(py, "int"))?.extract::<u128>();
    }
    Err(invalid_input(
        py,
        "request_uuid",
        &format!(
            "request_uuid must be a str, 16 bytes or uuid.UUID, got {}",
            type_name(obj)
        ),
    ))
}

/// A Python int from a 128-bit value, through the cheap 64-bit conversion when it fits.
#[inline]
pub fn int_out(py: Python<'_>, value: i128) -> PyResult<Py<PyAny>> {
    Ok(match i64::try_from(value) {
        Ok(small) => small.into_pyobject(py)?.into_any().unbind(),
        Err(_) => value.into_pyobject(py)?.into_any().unbind(),
    })
}
