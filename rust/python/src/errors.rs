//! Engine errors and panics as the classes of `wagerkit.errors`.
//!
//! The Python package owns the one exception tree of the library, so the bindings raise its
//! classes rather than defining their own: `InvalidInput(message, field=...)`,
//! `MissingRate(message, currency=...)`, and `EngineError` for a bug. The classes are looked
//! up once, at the first raise, and cached.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};
use std::panic::{self, AssertUnwindSafe};
use wagerkit_core::Error;

static INVALID_INPUT: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static MISSING_RATE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static ENGINE_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static PROTOCOL_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

const ERRORS_MODULE: &str = "wagerkit.errors";

/// Builds `cls(message, **kwargs)` as a raisable error; an import failure is raised instead.
fn build(
    py: Python<'_>,
    cell: &PyOnceLock<Py<PyType>>,
    name: &str,
    message: &str,
    kwargs: Option<(&str, Option<&str>)>,
) -> PyErr {
    let attempt = || -> PyResult<PyErr> {
        let cls = cell.import(py, ERRORS_MODULE, name)?;
        let instance = match kwargs {
            Some((key, value)) => {
                let kw = PyDict::new(py);
                kw.set_item(key, value)?;
                cls.call((message,), Some(&kw))?
            }
            None => cls.call1((message,))?,
        };
        Ok(PyErr::from_value(instance))
    };
    attempt().unwrap_or_else(|e| e)
}

/// `wagerkit.errors.InvalidInput(message, field=field)`.
pub fn invalid_input(py: Python<'_>, field: &str, message: &str) -> PyErr {
    build(
        py,
        &INVALID_INPUT,
        "InvalidInput",
        message,
        Some(("field", Some(field))),
    )
}

/// `wagerkit.errors.ProtocolError(message)`: a venue sent something unusable.
pub fn protocol_error(py: Python<'_>, message: &str) -> PyErr {
    build(py, &PROTOCOL_ERROR, "ProtocolError", message, None)
}

/// `wagerkit.errors.EngineError(message)`.
pub fn engine_error(py: Python<'_>, message: &str) -> PyErr {
    build(py, &ENGINE_ERROR, "EngineError", message, None)
}

/// The Python form of an engine error.
pub fn to_py(py: Python<'_>, err: Error) -> PyErr {
    match &err {
        Error::InvalidInput { field, message } => invalid_input(py, field, message),
        Error::Overflow { field } => invalid_input(py, field, &err.to_string()),
        Error::Internal { .. } => engine_error(py, &err.to_string()),
        Error::MissingRate { currency } => build(
            py,
            &MISSING_RATE,
            "MissingRate",
            &err.to_string(),
            Some(("currency", Some(currency))),
        ),
    }
}

/// Shorthand: an engine result as a Python result.
pub trait IntoPy<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPy<T> for Result<T, Error> {
    #[inline]
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, e))
    }
}

/// Runs a binding body so that a Rust panic raises `EngineError` instead of PyO3's
/// `PanicException` (a `BaseException` that bots' `except Exception` would not catch).
#[inline]
pub fn guard<T>(py: Python<'_>, body: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match panic::catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(engine_error(
                py,
                &format!(
                    "internal error in the wagerkit engine (a bug, please report it): {detail}"
                ),
            ))
        }
    }
}
