//! The `QuoteFeed` and `FrameResult` classes: one venue quote frame into a `Book` in one call.
//!
//! Conversion only: the rules (what a usable frame is, whole-or-nothing, the account cap)
//! live in `wagerkit_core::quote_feed`. A refused frame raises `wagerkit.errors.ProtocolError`
//! (the venue sent something unusable), a wrong argument `InvalidInput` as everywhere.

use crate::book::{self, PyBook};
use crate::convert;
use crate::errors::{guard, invalid_input, protocol_error, IntoPy};
use crate::fx;
use crate::sync;
use pyo3::buffer::PyBuffer;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};
use std::sync::{Mutex, MutexGuard};
use wagerkit_core::quote_feed::{
    Applied, FrameError, QuoteFeed, QuoteFrame, RateFrame, SideFrame, MAX_ACCOUNTS,
};

/// What one frame did (a frozen snapshot).
#[pyclass(name = "FrameResult", module = "wagerkit._core", frozen)]
pub struct PyFrameResult {
    applied: Applied,
}

#[pymethods]
impl PyFrameResult {
    /// True when the frame was for this feed's selection and was applied.
    #[getter]
    fn applied(&self) -> bool {
        self.applied.applied
    }

    /// True when a quote appeared or one of its values changed.
    #[getter]
    fn changed(&self) -> bool {
        self.applied.changed
    }

    /// True when the best live back price is not what it was.
    #[getter]
    fn best_back_moved(&self) -> bool {
        self.applied.best_back_moved
    }

    /// True when the best live lay price is not what it was.
    #[getter]
    fn best_lay_moved(&self) -> bool {
        self.applied.best_lay_moved
    }

    fn __repr__(&self) -> String {
        let a = &self.applied;
        let b = |x: bool| if x { "True" } else { "False" };
        format!(
            "FrameResult(applied={}, changed={}, best_back_moved={}, best_lay_moved={})",
            b(a.applied),
            b(a.changed),
            b(a.best_back_moved),
            b(a.best_lay_moved)
        )
    }
}

/// The state of one selection's quote feed between frames (see ``_core.pyi``).
#[pyclass(name = "QuoteFeed", module = "wagerkit._core", frozen)]
pub struct PyQuoteFeed {
    inner: Mutex<QuoteFeed>,
    /// Start of a refused frame's message, e.g. ``"betslip quote from ABP"``.
    label: String,
}

impl PyQuoteFeed {
    #[inline]
    fn lock(&self, py: Python<'_>) -> PyResult<MutexGuard<'_, QuoteFeed>> {
        sync::lock(py, &self.inner, "QuoteFeed")
    }

    /// Runs one frame against the locked feed, book and fx (always locked in that order).
    #[inline]
    fn run(
        &self,
        py: Python<'_>,
        book: &PyBook,
        fx: &fx::PyFx,
        body: impl FnOnce(
            &mut QuoteFeed,
            &mut wagerkit_core::Book,
            &mut wagerkit_core::Fx,
        ) -> Result<Applied, FrameError>,
    ) -> PyResult<PyFrameResult> {
        let mut feed = self.lock(py)?;
        let mut book = book.lock(py)?;
        let mut fx = fx.lock(py)?;
        match body(&mut feed, &mut book, &mut fx) {
            Ok(applied) => Ok(PyFrameResult { applied }),
            Err(e) => Err(protocol_error(
                py,
                &format!("{} not usable: {}", self.label, e.message),
            )),
        }
    }
}

/// Bytes of a frame: `bytes` without a copy, any other buffer (`msgspec.Raw`, `memoryview`,
/// `bytearray`) or `str` copied.
fn frame_bytes<'a>(data: &'a Bound<'_, PyAny>, scratch: &'a mut Vec<u8>) -> PyResult<&'a [u8]> {
    if let Ok(b) = data.cast::<PyBytes>() {
        return Ok(b.as_bytes());
    }
    if let Ok(s) = data.cast::<PyString>() {
        return Ok(convert::utf8(s, "data")?.as_bytes());
    }
    match PyBuffer::<u8>::get(data) {
        Ok(buffer) => {
            *scratch = buffer.to_vec(data.py())?;
            Ok(scratch.as_slice())
        }
        Err(_) => Err(invalid_input(
            data.py(),
            "data",
            "data must be bytes, a bytes-like buffer or str",
        )),
    }
}

/// A JSON-like Python value (the untyped ``lay`` object) as a JSON value, for the engine to
/// check. A float that JSON cannot hold (NaN, infinities) and any non-JSON object become
/// text, which the engine refuses wherever it needs a number.
fn json_value(obj: &Bound<'_, PyAny>, depth: u32) -> Value {
    if obj.is_none() {
        return Value::Null;
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Value::Bool(b.is_true());
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let x = f.value();
        return Number::from_f64(x).map_or_else(|| Value::String(format!("{x}")), Value::Number);
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Value::Number(i.into());
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Value::Number(u.into());
        }
        return Value::String("an int out of range".to_owned());
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Value::String(s.to_string_lossy().into_owned());
    }
    if depth < 8 {
        if let Ok(d) = obj.cast::<PyDict>() {
            let mut map = Map::new();
            for (k, v) in d.iter() {
                if let Ok(k) = k.cast::<PyString>() {
                    map.insert(k.to_string_lossy().into_owned(), json_value(&v, depth + 1));
                }
            }
            return Value::Object(map);
        }
        if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
            if let Ok(items) = obj.try_iter() {
                return Value::Array(
                    items
                        .flatten()
                        .map(|item| json_value(&item, depth + 1))
                        .collect(),
                );
            }
        }
    }
    Value::String(format!(
        "a {}",
        obj.get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default()
    ))
}

fn optional_text<'a>(
    obj: Option<&'a Bound<'_, PyAny>>,
    field: &'static str,
) -> PyResult<Option<&'a str>> {
    match obj {
        Some(o) if !o.is_none() => convert::text(o, field).map(Some),
        _ => Ok(None),
    }
}

fn optional_float(obj: Option<&Bound<'_, PyAny>>, field: &'static str) -> PyResult<Option<f64>> {
    match obj {
        Some(o) if !o.is_none() => convert::float(o, field).map(Some),
        _ => Ok(None),
    }
}

#[pymethods]
impl PyQuoteFeed {
    #[new]
    #[pyo3(
        signature = (fixture_id, outcome_id, player_id = None, *, max_accounts = None, label = None),
        text_signature = "(fixture_id, outcome_id, player_id=0, *, max_accounts=4096, label=None)"
    )]
    fn new(
        py: Python<'_>,
        fixture_id: &Bound<'_, PyAny>,
        outcome_id: &Bound<'_, PyAny>,
        player_id: Option<&Bound<'_, PyAny>>,
        max_accounts: Option<&Bound<'_, PyAny>>,
        label: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        guard(py, || {
            let fixture = convert::text(fixture_id, "fixture_id")?;
            let outcome = convert::amount(outcome_id, "outcome_id")?;
            let player = convert::optional_amount(player_id, "player_id")?.unwrap_or(0);
            let cap = convert::optional_amount(max_accounts, "max_accounts")?
                .unwrap_or(MAX_ACCOUNTS as i64);
            let label = optional_text(label, "label")?.unwrap_or("quote frame");
            let feed = QuoteFeed::new(fixture, outcome, player, usize::try_from(cap).unwrap_or(0))
                .py_err(py)?;
            Ok(PyQuoteFeed {
                inner: Mutex::new(feed),
                label: label.to_owned(),
            })
        })
    }

    /// (fixture id, outcome id, player id).
    #[getter]
    fn selection(&self, py: Python<'_>) -> PyResult<(String, i64, i64)> {
        guard(py, || {
            let feed = self.lock(py)?;
            let (f, o, p) = feed.selection();
            Ok((f.to_owned(), o, p))
        })
    }

    /// The most accounts this feed registers.
    #[getter]
    fn max_accounts(&self, py: Python<'_>) -> PyResult<usize> {
        guard(py, || Ok(self.lock(py)?.max_accounts()))
    }

    /// Registered accounts (``bookmaker/username``) and their currencies, sorted.
    fn accounts(&self, py: Python<'_>) -> PyResult<Vec<(String, &'static str)>> {
        guard(py, || {
            Ok(self
                .lock(py)?
                .accounts()
                .into_iter()
                .map(|(name, currency)| (name, currency.code()))
                .collect())
        })
    }

    /// ``((account, back), slot)`` of every quote this feed placed, sorted.
    fn slots(&self, py: Python<'_>) -> PyResult<Vec<((String, bool), u64)>> {
        guard(py, || Ok(self.lock(py)?.slots()))
    }

    /// Decode one ABP ``betslip`` update payload and apply it to ``book`` and ``fx``.
    #[pyo3(signature = (data, book, fx))]
    fn apply_betslip(
        &self,
        data: &Bound<'_, PyAny>,
        book: &Bound<'_, PyAny>,
        fx: &Bound<'_, PyAny>,
    ) -> PyResult<PyFrameResult> {
        let py = data.py();
        guard(py, || {
            let mut scratch = Vec::new();
            let bytes = frame_bytes(data, &mut scratch)?;
            let book = book::borrow(book, "book")?;
            let fx = fx::borrow(fx, "fx")?;
            self.run(py, book, fx, |feed, book, fx| {
                feed.apply_betslip_json(bytes, book, fx)
            })
        })
    }

    /// Apply one already decoded quote of this selection to ``book`` and ``fx``.
    #[pyo3(signature = (
        book, fx, *, bookmaker, price, limit = None, limit_min = None, active = true,
        key = None, account = None, limit_currency = None, rate_currency = None,
        rate_value = None, rate_updated_at = None, lay = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn apply_quote(
        &self,
        book: &Bound<'_, PyAny>,
        fx: &Bound<'_, PyAny>,
        bookmaker: &Bound<'_, PyAny>,
        price: &Bound<'_, PyAny>,
        limit: Option<&Bound<'_, PyAny>>,
        limit_min: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = convert::flag_active)] active: bool,
        key: Option<&Bound<'_, PyAny>>,
        account: Option<&Bound<'_, PyAny>>,
        limit_currency: Option<&Bound<'_, PyAny>>,
        rate_currency: Option<&Bound<'_, PyAny>>,
        rate_value: Option<&Bound<'_, PyAny>>,
        rate_updated_at: Option<&Bound<'_, PyAny>>,
        lay: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyFrameResult> {
        let py = book.py();
        guard(py, || {
            let rate = match optional_text(rate_currency, "rate_currency")? {
                Some(currency) => Some(RateFrame {
                    currency,
                    value: optional_float(rate_value, "rate_value")?.ok_or_else(|| {
                        invalid_input(
                            py,
                            "rate_value",
                            "rate_value is required with rate_currency",
                        )
                    })?,
                    updated_at: optional_text(rate_updated_at, "rate_updated_at")?,
                }),
                None => None,
            };
            let lay = lay.map(|l| json_value(l, 0));
            let frame = QuoteFrame {
                bookmaker: convert::text(bookmaker, "bookmaker")?,
                key: optional_text(key, "key")?,
                account: optional_text(account, "account")?,
                limit_currency: optional_text(limit_currency, "limit_currency")?,
                rate,
                back: SideFrame {
                    price: convert::float(price, "price")?,
                    limit: optional_float(limit, "limit")?,
                    limit_min: optional_float(limit_min, "limit_min")?,
                    active,
                },
                lay: lay.as_ref(),
            };
            let book = book::borrow(book, "book")?;
            let fx = fx::borrow(fx, "fx")?;
            self.run(py, book, fx, |feed, book, fx| {
                feed.apply_quote(&frame, book, fx)
            })
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            let feed = self.lock(py)?;
            let (f, o, p) = feed.selection();
            Ok(format!(
                "QuoteFeed(({f:?}, {o}, {p}), accounts={})",
                feed.accounts().len()
            ))
        })
    }
}
