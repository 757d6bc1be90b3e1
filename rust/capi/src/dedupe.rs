//! `WagerkitDedupeCache`: the TTL set of request UUIDs that stops a double submission.

use crate::args;
use crate::status::{guard, guard_value, Outcome, WagerkitStatus};
use std::ffi::c_char;
use std::sync::Mutex;
use wagerkit_core::dedupe::{self, DedupeCache};

/// A TTL set of 128-bit request UUIDs with a bounded size, on the engine's monotonic clock.
/// Safe to share between threads. Free with `wagerkit_dedupe_free`.
pub struct WagerkitDedupeCache {
    inner: Mutex<DedupeCache>,
}

/// A cache keeping each UUID `ttl` seconds (finite, > 0; 1800 in the Python API), at most
/// `capacity` (>= 1) of them, the oldest evicted first; into `*out`.
///
/// # Safety
/// `out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_dedupe_new(
    ttl: f64,
    capacity: usize,
    out: *mut *mut WagerkitDedupeCache,
) -> WagerkitStatus {
    guard(|| {
        // SAFETY: the caller's contract.
        let out = unsafe { args::out(out, "out") }?;
        *out = std::ptr::null_mut();
        let inner = Mutex::new(DedupeCache::new(ttl, capacity)?);
        *out = Box::into_raw(Box::new(WagerkitDedupeCache { inner }));
        Ok(())
    })
}

/// Frees a cache. NULL is ignored.
///
/// # Safety
/// `cache` must be NULL or a live cache, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_dedupe_free(cache: *mut WagerkitDedupeCache) {
    guard_value((), || {
        if !cache.is_null() {
            // SAFETY: made by Box::into_raw in wagerkit_dedupe_new, freed once.
            drop(unsafe { Box::from_raw(cache) });
        }
    })
}

/// Runs `body` on the locked cache with the UUID read from `request_uuid`.
///
/// # Safety
/// `cache` must be a live cache; `request_uuid` NUL-terminated; `out` writable.
unsafe fn with_uuid(
    cache: *const WagerkitDedupeCache,
    request_uuid: *const c_char,
    out: *mut bool,
    body: impl FnOnce(&mut DedupeCache, u128) -> bool,
) -> Outcome<()> {
    // SAFETY: the caller's contract, for each pointer.
    let cache = unsafe { args::handle(cache, "cache") }?;
    let text = unsafe { args::text(request_uuid, "request_uuid") }?;
    let out = unsafe { args::out(out, "out") }?;
    let key = dedupe::uuid_from_text(text)?;
    *out = body(&mut *args::lock(&cache.inner, "DedupeCache")?, key);
    Ok(())
}

/// One atomic step: `*first` is true the first time `request_uuid` (any standard text form)
/// is seen within the TTL, and records it; false means "seen: do not submit again".
///
/// # Safety
/// `cache` must be a live cache; `request_uuid` NUL-terminated; `first` writable.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_dedupe_check_and_insert(
    cache: *mut WagerkitDedupeCache,
    request_uuid: *const c_char,
    first: *mut bool,
) -> WagerkitStatus {
    // SAFETY: the caller's contract.
    guard(|| unsafe { with_uuid(cache, request_uuid, first, |c, k| c.check_and_insert(k)) })
}

/// `*seen` is whether `request_uuid` was seen within the TTL.
///
/// # Safety
/// As `wagerkit_dedupe_check_and_insert`.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_dedupe_contains(
    cache: *const WagerkitDedupeCache,
    request_uuid: *const c_char,
    seen: *mut bool,
) -> WagerkitStatus {
    // SAFETY: the caller's contract.
    guard(|| unsafe { with_uuid(cache, request_uuid, seen, |c, k| c.contains(k)) })
}

/// Forgets `request_uuid`; `*removed` says whether it was there.
///
/// # Safety
/// As `wagerkit_dedupe_check_and_insert`.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_dedupe_remove(
    cache: *mut WagerkitDedupeCache,
    request_uuid: *const c_char,
    removed: *mut bool,
) -> WagerkitStatus {
    // SAFETY: the caller's contract.
    guard(|| unsafe { with_uuid(cache, request_uuid, removed, |c, k| c.remove(k)) })
}

/// Entries not yet expired (0 for NULL).
///
/// # Safety
/// `cache` must be NULL or a live cache.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_dedupe_len(cache: *const WagerkitDedupeCache) -> usize {
    guard_value(0, || {
        // SAFETY: the caller's contract.
        match unsafe { cache.as_ref() }.map(|c| c.inner.lock()) {
            Some(Ok(mut inner)) => inner.len(),
            _ => 0,
        }
    })
}
