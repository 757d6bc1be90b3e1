//! The `DedupeCache` class.

use crate::convert;
use crate::errors::{guard, invalid_input, IntoPy};
use crate::sync;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat};
use std::sync::{Mutex, MutexGuard};
use wagerkit_core::dedupe::{Clock, Dedupe, MonotonicClock};

/// A TTL set of 128-bit request UUIDs with a bounded size.
///
/// ``check_and_insert`` is one atomic step: True means "first time in the window, go ahead",
/// False means "seen within ``ttl`` seconds: do not submit again". When ``capacity`` is
/// reached the oldest entry is evicted first. ``clock`` (seconds, monotonic) is for tests;
/// by default the engine reads a monotonic clock itself.
#[pyclass(name = "DedupeCache", module = "wagerkit._core", frozen)]
pub struct PyDedupeCache {
    set: Mutex<Dedupe>,
    monotonic: MonotonicClock,
    clock: Option<Py<PyAny>>,
}

impl PyDedupeCache {
    /// The set, locked (see `crate::sync`): only after the clock was read.
    #[inline]
    fn lock(&self, py: Python<'_>) -> PyResult<MutexGuard<'_, Dedupe>> {
        sync::lock(py, &self.set, "DedupeCache")
    }

    /// The current time: the injected clock's, else the engine's monotonic clock.
    #[inline]
    fn now(&self, py: Python<'_>) -> PyResult<f64> {
        match &self.clock {
            None => Ok(self.monotonic.now()),
            Some(clock) => {
                let value = clock.bind(py).call0()?;
                let seconds = match value.cast::<PyFloat>() {
                    Ok(f) => Some(f.value()),
                    Err(_) if !value.is_instance_of::<PyBool>() => value.extract::<f64>().ok(),
                    Err(_) => None,
                };
                match seconds {
                    // A NaN or infinite reading would make every expiry comparison false and
                    // let a repeated id through as new.
                    Some(s) if s.is_finite() => Ok(s),
                    _ => Err(invalid_input(
                        py,
                        "clock",
                        &format!("clock() must return finite seconds as a float, got {value}"),
                    )),
                }
            }
        }
    }
}

#[pymethods]
impl PyDedupeCache {
    #[new]
    #[pyo3(
        signature = (ttl = None, capacity = None, clock = None),
        text_signature = "(ttl=1800.0, capacity=1000000, clock=None)"
    )]
    fn new(
        py: Python<'_>,
        ttl: Option<&Bound<'_, PyAny>>,
        capacity: Option<&Bound<'_, PyAny>>,
        clock: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        guard(py, || {
            let ttl = match ttl {
                Some(t) if !t.is_none() => convert::float(t, "ttl")?,
                _ => 1800.0,
            };
            let capacity = convert::optional_amount(capacity, "capacity")?.unwrap_or(1_000_000);
            let capacity = usize::try_from(capacity)
                .map_err(|_| invalid_input(py, "capacity", "capacity must be >= 1"))?;
            let clock = match clock {
                Some(c) if !c.is_none() => {
                    if !c.is_callable() {
                        return Err(invalid_input(
                            py,
                            "clock",
                            "clock must be a callable returning seconds",
                        ));
                    }
                    Some(c.clone().unbind())
                }
                _ => None,
            };
            Ok(PyDedupeCache {
                set: Mutex::new(Dedupe::new(ttl, capacity).py_err(py)?),
                monotonic: MonotonicClock::default(),
                clock,
            })
        })
    }

    /// True the first time ``request_uuid`` is seen within ``ttl`` (and records it); False when
    /// it was seen within the window: do not submit again.
    #[pyo3(signature = (request_uuid))]
    fn check_and_insert(&self, request_uuid: &Bound<'_, PyAny>) -> PyResult<bool> {
        let py = request_uuid.py();
        guard(py, || {
            let key = convert::uuid(request_uuid)?;
            let now = self.now(py)?;
            Ok(self.lock(py)?.check_and_insert(key, now))
        })
    }

    /// Whether ``request_uuid`` was seen within the window.
    #[pyo3(signature = (request_uuid))]
    fn contains(&self, request_uuid: &Bound<'_, PyAny>) -> PyResult<bool> {
        let py = request_uuid.py();
        guard(py, || {
            let key = convert::uuid(request_uuid)?;
            let now = self.now(py)?;
            Ok(self.lock(py)?.contains(key, now))
        })
    }

    /// ``request_uuid in cache``: like :meth:`contains`, False for anything not a UUID.
    fn __contains__(&self, request_uuid: &Bound<'_, PyAny>) -> PyResult<bool> {
        let py = request_uuid.py();
        guard(py, || match convert::uuid(request_uuid) {
            Ok(key) => {
                let now = self.now(py)?;
                Ok(self.lock(py)?.contains(key, now))
            }
            Err(_) => Ok(false),
        })
    }

    /// Forget ``request_uuid``; True when it was there.
    #[pyo3(signature = (request_uuid))]
    fn remove(&self, request_uuid: &Bound<'_, PyAny>) -> PyResult<bool> {
        let py = request_uuid.py();
        guard(py, || {
            let key = convert::uuid(request_uuid)?;
            let now = self.now(py)?;
            Ok(self.lock(py)?.remove(key, now))
        })
    }

    /// Forget every entry.
    fn clear(&self, py: Python<'_>) -> PyResult<()> {
        guard(py, || {
            self.lock(py)?.clear();
            Ok(())
        })
    }

    /// Entries not yet expired.
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        guard(py, || {
            let now = self.now(py)?;
            Ok(self.lock(py)?.len(now))
        })
    }

    /// Seconds an entry stays in the set.
    #[getter]
    fn ttl(&self, py: Python<'_>) -> PyResult<f64> {
        guard(py, || Ok(self.lock(py)?.ttl()))
    }

    /// The most entries the set holds; the oldest goes first beyond it.
    #[getter]
    fn capacity(&self, py: Python<'_>) -> PyResult<usize> {
        guard(py, || Ok(self.lock(py)?.capacity()))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            let set = self.lock(py)?;
            Ok(format!(
                "DedupeCache(ttl={:?}, capacity={})",
                set.ttl(),
                set.capacity()
            ))
        })
    }
}
