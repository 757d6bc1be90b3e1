//! Locks for the mutable engine objects (`Book`, `Fx`, `DedupeCache`).
//!
//! The classes are frozen pyclasses holding their engine state in a `Mutex`: no Python-level
//! borrow, so two threads using one object never see pyo3's "Already borrowed". Each binding
//! reads and converts every Python argument (and the Python clock) *before* it takes the lock,
//! and calls no Python code while holding it. A thread that finds the lock taken waits with
//! the GIL released, so the holder can always finish.

use crate::errors::engine_error;
use pyo3::prelude::*;
use std::sync::{Mutex, MutexGuard, TryLockError};

/// Locks `mutex`, waiting without the GIL when another thread holds it. A lock poisoned by an
/// internal panic is an `EngineError` naming `what`.
#[inline(always)]
pub fn lock<'a, T: Send>(
    py: Python<'_>,
    mutex: &'a Mutex<T>,
    what: &str,
) -> PyResult<MutexGuard<'a, T>> {
    // Uncontended (the usual case): one compare-and-swap, inlined into the binding.
    if let Ok(guard) = mutex.try_lock() {
        return Ok(guard);
    }
    lock_slow(py, mutex, what)
}

#[cold]
#[inline(never)]
fn lock_slow<'a, T: Send>(
    py: Python<'_>,
    mutex: &'a Mutex<T>,
    what: &str,
) -> PyResult<MutexGuard<'a, T>> {
    loop {
        match mutex.try_lock() {
            Ok(guard) => return Ok(guard),
            Err(TryLockError::WouldBlock) => {
                // Wait for the holder without the GIL, then race for the lock again.
                py.detach(|| drop(mutex.lock()));
            }
            Err(TryLockError::Poisoned(_)) => {
                return Err(engine_error(
                    py,
                    &format!(
                        "this {what} is unusable: an internal error interrupted an earlier call \
                         (please report it); build a new {what}"
                    ),
                ))
            }
        }
    }
}
