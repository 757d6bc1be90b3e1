//! A TTL set of 128-bit request UUIDs with a bounded size.
//!
//! Before an order is submitted its request UUID goes through `check_and_insert`: true means
//! first time within the window (submit), false means seen within `ttl` seconds (a retry must
//! not become a second bet). Entries live in a hash map for the check and in a FIFO of
//! insertion order for expiry and eviction: with one TTL for all entries, insertion order is
//! expiry order, so expiring is popping the front. A FIFO record whose key was removed or
//! re-inserted since is stale and skipped.

use crate::error::{Error, Result};
use rustc_hash::FxHashMap;
use std::collections::hash_map::Entry;
use std::collections::VecDeque;

/// Seconds on a clock that never goes backwards (the origin does not matter).
pub trait Clock {
    fn now(&self) -> f64;
}

/// The operating system's coarse monotonic clock, in seconds since the cache was made.
///
/// Coarse (a few milliseconds of resolution on Linux) because reading it costs a few
/// nanoseconds instead of tens, on a path that runs before every order; a dedupe window is
/// minutes long, so a few milliseconds do not matter. Tests that need exact times inject a
/// [`Clock`].
#[derive(Debug, Clone, Copy)]
pub struct MonotonicClock {
    origin: coarsetime::Instant,
}

impl Default for MonotonicClock {
    fn default() -> Self {
        MonotonicClock {
            origin: coarsetime::Instant::now(),
        }
    }
}

impl Clock for MonotonicClock {
    #[inline]
    fn now(&self) -> f64 {
        coarsetime::Instant::now()
            .duration_since(self.origin)
            .as_f64()
    }
}

/// Reads a UUID in any standard text form (hyphenated, simple, braced, `urn:uuid:`).
pub fn uuid_from_text(text: &str) -> Result<u128> {
    uuid::Uuid::try_parse(text)
        .map(|u| u.as_u128())
        .map_err(|_| {
            Error::invalid(
                "request_uuid",
                format!("request_uuid {text:?} is not a UUID"),
            )
        })
}

/// Reads a UUID from its 16 raw bytes (big-endian, as Python's `UUID.bytes`).
pub fn uuid_from_bytes(bytes: &[u8]) -> Result<u128> {
    let raw: [u8; 16] = bytes.try_into().map_err(|_| {
        Error::invalid(
            "request_uuid",
            format!(
                "request_uuid as bytes must be 16 bytes long, got {}",
                bytes.len()
            ),
        )
    })?;
    Ok(u128::from_be_bytes(raw))
}

/// The TTL set itself; every call takes the current time, so it is fully deterministic.
#[derive(Debug, Clone)]
pub struct Dedupe {
    ttl: f64,
    capacity: usize,
    /// Key → expiry time.
    expiries: FxHashMap<u128, f64>,
    /// (key, expiry) in insertion order.
    fifo: VecDeque<(u128, f64)>,
}

impl Dedupe {
    /// `ttl` seconds (finite, > 0) and at most `capacity` (>= 1) entries.
    pub fn new(ttl: f64, capacity: usize) -> Result<Dedupe> {
        if !(ttl.is_finite() && ttl > 0.0) {
            return Err(Error::invalid(
                "ttl",
                format!("ttl must be finite and > 0 seconds, got {ttl}"),
            ));
        }
        if capacity == 0 {
            return Err(Error::invalid("capacity", "capacity must be >= 1"));
        }
        Ok(Dedupe {
            ttl,
            capacity,
            expiries: FxHashMap::default(),
            fifo: VecDeque::new(),
        })
    }

    pub fn ttl(&self) -> f64 {
        self.ttl
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Drops every entry that has expired at `now`.
    #[inline]
    fn expire(&mut self, now: f64) {
        while let Some(&(key, expiry)) = self.fifo.front() {
            if expiry > now {
                break;
            }
            self.fifo.pop_front();
            self.forget_if_current(key, expiry);
        }
    }

    /// Removes `key` if `expiry` is still its current one (else the FIFO record was stale);
    /// one hash lookup either way.
    #[inline]
    fn forget_if_current(&mut self, key: u128, expiry: f64) -> bool {
        match self.expiries.entry(key) {
            Entry::Occupied(entry) if *entry.get() == expiry => {
                entry.remove();
                true
            }
            _ => false,
        }
    }

    /// Evicts the oldest live entry.
    fn evict_oldest(&mut self) {
        while let Some((key, expiry)) = self.fifo.pop_front() {
            if self.forget_if_current(key, expiry) {
                return;
            }
        }
    }

    /// Keeps stale FIFO records (left by removals) from piling up.
    fn compact(&mut self) {
        if self.fifo.len() > 2 * self.capacity.max(self.expiries.len()) + 64 {
            let expiries = &self.expiries;
            self.fifo
                .retain(|(key, expiry)| expiries.get(key) == Some(expiry));
        }
    }

    /// True the first time `key` is seen within the window (and records it); false when it
    /// was seen less than `ttl` seconds ago. One atomic step.
    #[inline]
    pub fn check_and_insert(&mut self, key: u128, now: f64) -> bool {
        self.expire(now);
        let expiry = now + self.ttl;
        match self.expiries.entry(key) {
            Entry::Occupied(mut seen) => {
                if now < *seen.get() {
                    return false;
                }
                // Expired but not yet popped (only with a clock that went backwards).
                seen.insert(expiry);
            }
            Entry::Vacant(slot) => {
                slot.insert(expiry);
            }
        }
        self.fifo.push_back((key, expiry));
        if self.expiries.len() > self.capacity {
            // The new key is at the back of the FIFO, so the oldest is another one.
            self.evict_oldest();
        }
        self.compact();
        true
    }

    /// Whether `key` was seen within the window.
    #[inline]
    pub fn contains(&self, key: u128, now: f64) -> bool {
        self.expiries.get(&key).is_some_and(|&expiry| now < expiry)
    }

    /// Forgets `key`; true when it was there (and not expired).
    pub fn remove(&mut self, key: u128, now: f64) -> bool {
        let was_live = self
            .expiries
            .remove(&key)
            .is_some_and(|expiry| now < expiry);
        self.compact();
        was_live
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.expiries.clear();
        self.fifo.clear();
    }

    /// Entries not yet expired at `now`.
    pub fn len(&mut self, now: f64) -> usize {
        self.expire(now);
        self.expiries.len()
    }

    /// True when no entry is live at `now`.
    pub fn is_empty(&mut self, now: f64) -> bool {
        self.len(now) == 0
    }
}

/// [`Dedupe`] with its own clock (the process's monotonic clock unless one is injected).
#[derive(Debug, Clone)]
pub struct DedupeCache<C: Clock = MonotonicClock> {
    inner: Dedupe,
    clock: C,
}

impl DedupeCache<MonotonicClock> {
    /// A cache on the monotonic clock.
    pub fn new(ttl: f64, capacity: usize) -> Result<Self> {
        DedupeCache::with_clock(ttl, capacity, MonotonicClock::default())
    }
}

impl<C: Clock> DedupeCache<C> {
    /// A cache reading time from `clock` (tests inject a manual one).
    pub fn with_clock(ttl: f64, capacity: usize, clock: C) -> Result<Self> {
        Ok(DedupeCache {
            inner: Dedupe::new(ttl, capacity)?,
            clock,
        })
    }

    /// The set with explicit times, for callers that read their own clock.
    pub fn inner(&mut self) -> &mut Dedupe {
        &mut self.inner
    }

    pub fn now(&self) -> f64 {
        self.clock.now()
    }

    #[inline]
    pub fn check_and_insert(&mut self, key: u128) -> bool {
        let now = self.clock.now();
        self.inner.check_and_insert(key, now)
    }

    pub fn contains(&self, key: u128) -> bool {
        self.inner.contains(key, self.clock.now())
    }

    pub fn remove(&mut self, key: u128) -> bool {
        let now = self.clock.now();
        self.inner.remove(key, now)
    }

    pub fn clear(&mut self) {
        self.inner.clear();
    }

    pub fn len(&mut self) -> usize {
        let now = self.clock.now();
        self.inner.len(now)
    }

    pub fn is_empty(&mut self) -> bool {
        self.len() == 0
    }

    pub fn ttl(&self) -> f64 {
        self.inner.ttl()
    }

    pub fn capacity(&self) -> usize {
        self.inner.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;

    /// A clock the test moves by hand.
    #[derive(Clone, Default)]
    struct Manual(Rc<Cell<f64>>);

    impl Clock for Manual {
        fn now(&self) -> f64 {
            self.0.get()
        }
    }

    const A: u128 = 0xeb45b192_317b_42d5_9f65_af497b9fa8c1;
    const B: u128 = 2;
    const C: u128 = 3;

    #[test]
    fn second_sighting_within_ttl_is_refused() {
        let clock = Manual::default();
        let mut cache = DedupeCache::with_clock(1800.0, 10, clock.clone()).unwrap();
        assert!(cache.check_and_insert(A));
        assert!(!cache.check_and_insert(A));
        clock.0.set(1799.999);
        assert!(!cache.check_and_insert(A));
        assert!(cache.contains(A));
        // At exactly inserted + ttl the entry has expired.
        clock.0.set(1800.0);
        assert!(!cache.contains(A));
        assert!(cache.check_and_insert(A));
        assert!(!cache.check_and_insert(A));
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn expired_entries_leave_and_len_counts_live_ones() {
        let clock = Manual::default();
        let mut cache = DedupeCache::with_clock(10.0, 100, clock.clone()).unwrap();
        assert!(cache.check_and_insert(A));
        clock.0.set(5.0);
        assert!(cache.check_and_insert(B));
        assert_eq!(cache.len(), 2);
        clock.0.set(10.0);
        assert_eq!(cache.len(), 1);
        clock.0.set(15.0);
        assert_eq!(cache.len(), 0);
        assert!(cache.is_empty());
    }

    #[test]
    fn at_capacity_expired_go_first_then_the_oldest() {
        let clock = Manual::default();
        let mut cache = DedupeCache::with_clock(10.0, 2, clock.clone()).unwrap();
        assert!(cache.check_and_insert(A));
        clock.0.set(1.0);
        assert!(cache.check_and_insert(B));
        clock.0.set(2.0);
        assert!(cache.check_and_insert(C)); // evicts A, the oldest
        assert!(!cache.contains(A));
        assert!(cache.contains(B) && cache.contains(C));
        clock.0.set(11.5); // B expired; C is live
        assert!(cache.check_and_insert(A)); // room from B's expiry, C kept
        assert!(cache.contains(C));
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn remove_and_clear() {
        let mut cache = DedupeCache::new(60.0, 10).unwrap();
        assert!(cache.check_and_insert(A));
        assert!(cache.remove(A));
        assert!(!cache.remove(A));
        assert!(cache.check_and_insert(A));
        cache.clear();
        assert!(cache.is_empty());
        assert!(cache.check_and_insert(A));
        assert_eq!(cache.ttl(), 60.0);
        assert_eq!(cache.capacity(), 10);
    }

    #[test]
    fn stale_records_do_not_pile_up() {
        let mut set = Dedupe::new(1e9, 4).unwrap();
        for i in 0..10_000u128 {
            assert!(set.check_and_insert(i, 0.0));
            assert!(set.remove(i, 0.0));
        }
        assert!(set.fifo.len() < 100);
        // Re-insertion after expiry with a clock that went backwards still works.
        let mut set = Dedupe::new(5.0, 4).unwrap();
        assert!(set.check_and_insert(A, 10.0));
        assert!(set.check_and_insert(A, 16.0));
        assert!(!set.check_and_insert(A, 3.0));
        assert_eq!(set.len(16.0), 1);
    }

    #[test]
    fn capacity_bounds_the_size() {
        let mut set = Dedupe::new(1e9, 1000).unwrap();
        for i in 0..10_000u128 {
            assert!(set.check_and_insert(i, i as f64));
        }
        assert_eq!(set.len(10_000.0), 1000);
        assert!(set.contains(9_999, 10_000.0));
        assert!(!set.contains(8_999, 10_000.0));
    }

    #[test]
    fn bad_settings_are_refused() {
        assert_eq!(Dedupe::new(0.0, 1).unwrap_err().field(), Some("ttl"));
        assert_eq!(Dedupe::new(f64::NAN, 1).unwrap_err().field(), Some("ttl"));
        assert_eq!(Dedupe::new(-1.0, 1).unwrap_err().field(), Some("ttl"));
        assert_eq!(Dedupe::new(1.0, 0).unwrap_err().field(), Some("capacity"));
    }

    #[test]
    fn uuids_in_every_standard_form() {
        for text in [
            "eb45b192-317b-42d5-9f65-af497b9fa8c1",
            "EB45B192-317B-42D5-9F65-AF497B9FA8C1",
            "eb45b192317b42d59f65af497b9fa8c1",
            "{eb45b192-317b-42d5-9f65-af497b9fa8c1}",
            "urn:uuid:eb45b192-317b-42d5-9f65-af497b9fa8c1",
        ] {
            assert_eq!(uuid_from_text(text), Ok(A), "{text}");
        }
        for bad in [
            "",
            "eb45b192-317b-42d5-9f65",
            "not-a-uuid",
            "eb45b192-317b-42d5-9f65-af497b9fa8cz",
        ] {
            assert_eq!(
                uuid_from_text(bad).unwrap_err().field(),
                Some("request_uuid")
            );
        }
        assert_eq!(uuid_from_bytes(&A.to_be_bytes()), Ok(A));
        assert!(uuid_from_bytes(&[0; 15]).is_err());
    }
}
