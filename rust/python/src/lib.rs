//! `wagerkit._core`: the Python face of the Rust engine (`wagerkit-core`).
//!
//! Thin by design: each binding reads its arguments (`convert`), calls the engine, and maps
//! engine errors and panics onto `wagerkit.errors` (`errors`). No rule lives here, so the
//! engine behaves the same from Rust, from Python and from any later binding.

mod book;
mod convert;
mod dedupe;
mod errors;
mod feed;
mod fx;
mod money;
mod odds;
mod route;
mod sync;

use pyo3::prelude::*;

/// Trigger a Rust panic, to prove it surfaces as EngineError (tests only).
#[pyfunction]
fn _panic_for_tests(py: Python<'_>) -> PyResult<()> {
    errors::guard(py, || -> PyResult<()> {
        panic!("deliberate panic from _panic_for_tests");
    })
}

/// The compiled engine of wagerkit (book, router, exact money and FX, dedupe, odds formats).
///
/// Import the names from ``wagerkit``; the types are documented in ``_core.pyi``.
///
/// `gil_used = false`: every class is `frozen` (no `&mut self` borrow to race on), the mutable
/// ones (Book, Fx, DedupeCache) guard their state with their own lock, and the module keeps no
/// global state, so a free-threaded interpreter may call it from many threads without the GIL.
#[pymodule(gil_used = false)]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("PRICE_SCALE", wagerkit_core::PRICE_SCALE)?;

    m.add_function(wrap_pyfunction!(money::currency_exponent, m)?)?;
    m.add_function(wrap_pyfunction!(money::is_currency, m)?)?;
    m.add_function(wrap_pyfunction!(money::to_minor, m)?)?;
    m.add_function(wrap_pyfunction!(money::minor_to_str, m)?)?;
    m.add_function(wrap_pyfunction!(money::minor_to_float, m)?)?;
    m.add_function(wrap_pyfunction!(money::effective_limits, m)?)?;

    m.add_class::<fx::PyFx>()?;
    m.add_class::<book::PyQuote>()?;
    m.add_class::<book::PyLevel>()?;
    m.add_class::<book::PyBook>()?;
    m.add_class::<feed::PyQuoteFeed>()?;
    m.add_class::<feed::PyFrameResult>()?;
    m.add_class::<route::PyDeclineReason>()?;
    m.add_class::<route::PyOrder>()?;
    m.add_class::<route::PyLeg>()?;
    m.add_class::<route::PyRoutePlan>()?;
    m.add_function(wrap_pyfunction!(route::route, m)?)?;
    m.add_class::<dedupe::PyDedupeCache>()?;

    m.add_function(wrap_pyfunction!(odds::decimal_to_american, m)?)?;
    m.add_function(wrap_pyfunction!(odds::american_to_decimal, m)?)?;
    m.add_function(wrap_pyfunction!(odds::decimal_to_hongkong, m)?)?;
    m.add_function(wrap_pyfunction!(odds::hongkong_to_decimal, m)?)?;
    m.add_function(wrap_pyfunction!(odds::decimal_to_indonesian, m)?)?;
    m.add_function(wrap_pyfunction!(odds::indonesian_to_decimal, m)?)?;
    m.add_function(wrap_pyfunction!(odds::decimal_to_malay, m)?)?;
    m.add_function(wrap_pyfunction!(odds::malay_to_decimal, m)?)?;
    m.add_function(wrap_pyfunction!(odds::convert_odds, m)?)?;

    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;

    // The stub's type aliases, real at runtime too so that importing them works.
    let literal = m.py().import("typing")?.getattr("Literal")?;
    m.add("Rounding", literal.get_item(("down", "half_even", "up"))?)?;
    m.add(
        "RouteStatus",
        literal.get_item(("filled", "partial", "waiting", "declined"))?,
    )?;
    m.add(
        "OddsFormat",
        literal.get_item(("decimal", "american", "hongkong", "indonesian", "malay"))?,
    )?;

    // `add` keeps an `__all__`; the stub is the module's public contract, so drop it.
    m.delattr("__all__")?;
    Ok(())
}
