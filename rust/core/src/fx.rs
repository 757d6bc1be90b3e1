//! Exchange rates in ABP's convention and exact conversion between minor units.
//!
//! `currencyValue` is units of a currency per 1 USD (USD = 1), so
//! `amount_B = amount_A / cv(A) * cv(B)`. Rates are stored as integers scaled by 10^12; a
//! conversion of `a` minor units of A into B is the exact fraction
//! `a * 10^eB * cvB / (10^eA * cvA)`, rounded once as asked, with checked 128-bit arithmetic.

use crate::decimal::{self, Rounding};
use crate::error::{Error, Result};
use crate::money::{decimal_error, Currency, CURRENCY_COUNT};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Rates are fixed-point integers with this scale: 12 decimals.
pub const RATE_SCALE: u128 = 1_000_000_000_000;

/// Gives every table its own identity, so that a cache keyed on (id, version) can tell two
/// tables apart as well as two states of one table.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// One currency's rate and the time of its snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rate {
    scaled: u128,
    /// The rate as a fraction in lowest terms (`scaled / 10^12` reduced), so that conversion
    /// factors stay small and most conversions run in 64-bit arithmetic.
    num: u128,
    den: u128,
    updated_at: Option<Arc<str>>,
}

impl Rate {
    fn new(scaled: u128, updated_at: Option<Arc<str>>) -> Rate {
        let g = gcd(scaled, RATE_SCALE);
        Rate {
            scaled,
            num: scaled / g,
            den: RATE_SCALE / g,
            updated_at,
        }
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// A rate table keyed by currency; USD is always present with value 1.
#[derive(Debug)]
pub struct Fx {
    rates: Vec<Option<Rate>>,
    known: usize,
    id: u64,
    version: u64,
}

impl Clone for Fx {
    /// A copy is a different table (its own id), so caches never confuse the two.
    fn clone(&self) -> Self {
        Fx {
            rates: self.rates.clone(),
            known: self.known,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            version: 0,
        }
    }
}

impl Default for Fx {
    fn default() -> Self {
        Fx::new()
    }
}

/// Precomputed `num / den` for converting many amounts between the same two currencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Factor {
    num: u128,
    den: u128,
}

impl Factor {
    /// The factor of a currency to itself.
    pub const IDENTITY: Factor = Factor { num: 1, den: 1 };

    /// True for the same-currency factor, where converting is a no-op.
    #[inline]
    pub fn is_identity(&self) -> bool {
        self.num == self.den
    }

    /// Like [`Factor::apply`] for any 128-bit amount (results beyond 64 bits included).
    #[inline]
    pub fn apply_wide(
        &self,
        amount: i128,
        rounding: Rounding,
        field: &'static str,
    ) -> Result<i128> {
        if self.is_identity() {
            return Ok(amount);
        }
        let product = amount
            .unsigned_abs()
            .checked_mul(self.num)
            .ok_or(Error::Overflow { field })?;
        let magnitude = i128::try_from(rounding.divide(product, self.den))
            .map_err(|_| Error::Overflow { field })?;
        Ok(if amount < 0 { -magnitude } else { magnitude })
    }

    /// Converts `amount` (minor units), rounding once. `field` names the amount in errors.
    #[inline]
    pub fn apply(&self, amount: i64, rounding: Rounding, field: &'static str) -> Result<i64> {
        if self.is_identity() {
            return Ok(amount);
        }
        let product = u128::from(amount.unsigned_abs())
            .checked_mul(self.num)
            .ok_or(Error::Overflow { field })?;
        let magnitude = rounding.divide(product, self.den);
        let magnitude = i64::try_from(magnitude).map_err(|_| Error::Overflow { field })?;
        Ok(if amount < 0 { -magnitude } else { magnitude })
    }
}

impl Fx {
    /// A table holding only USD = 1.
    pub fn new() -> Fx {
        let mut rates = vec![None; CURRENCY_COUNT];
        rates[Currency::USD.index()] = Some(Rate::new(RATE_SCALE, None));
        Fx {
            rates,
            known: 1,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            version: 0,
        }
    }

    /// Identity and version of the table: changes whenever a rate is set.
    #[inline]
    pub fn stamp(&self) -> (u64, u64) {
        (self.id, self.version)
    }

    /// Sets units of `currency` per 1 USD as a scaled integer (12 decimals).
    ///
    /// The value must be > 0, and USD must stay exactly 1 (ABP's base).
    pub fn set_rate_scaled(
        &mut self,
        currency: Currency,
        scaled: u128,
        updated_at: Option<&str>,
    ) -> Result<()> {
        if scaled == 0 {
            return Err(Error::invalid(
                "currency_value",
                format!("currency_value for {currency} must be > 0"),
            ));
        }
        if currency == Currency::USD && scaled != RATE_SCALE {
            return Err(Error::invalid(
                "currency_value",
                format!(
                    "currency_value of USD must stay 1 (rates are per 1 USD), got {}",
                    decimal::format_scaled_trimmed(scaled as i128, 12)
                ),
            ));
        }
        let slot = &mut self.rates[currency.index()];
        if slot.is_none() {
            self.known += 1;
        }
        *slot = Some(Rate::new(scaled, updated_at.map(Arc::from)));
        self.version += 1;
        Ok(())
    }

    /// Sets a rate from decimal text (`"0.84788876"`), rounded half-even to 12 decimals.
    pub fn set_rate_text(
        &mut self,
        currency: Currency,
        text: &str,
        updated_at: Option<&str>,
    ) -> Result<()> {
        let scaled = decimal::parse_scaled(text, 12, Rounding::HalfEven)
            .map_err(|e| decimal_error(e, "currency_value", text))?;
        if scaled <= 0 {
            return Err(Error::invalid(
                "currency_value",
                format!("currency_value for {currency} must be > 0, got {text}"),
            ));
        }
        self.set_rate_scaled(currency, scaled as u128, updated_at)
    }

    /// Sets a rate from a float, read through its shortest decimal form.
    pub fn set_rate_f64(
        &mut self,
        currency: Currency,
        value: f64,
        updated_at: Option<&str>,
    ) -> Result<()> {
        let text = decimal::float_text(value).ok_or_else(|| {
            Error::invalid(
                "currency_value",
                format!("currency_value must be finite, got {value}"),
            )
        })?;
        self.set_rate_text(currency, &text, updated_at)
    }

    #[inline]
    fn entry(&self, currency: Currency) -> Result<&Rate> {
        self.rates[currency.index()]
            .as_ref()
            .ok_or(Error::MissingRate {
                currency: currency.code(),
            })
    }

    /// The rate as a scaled integer (12 decimals).
    #[inline]
    pub fn rate_scaled(&self, currency: Currency) -> Result<u128> {
        self.entry(currency).map(|r| r.scaled)
    }

    /// Whether a rate is known.
    #[inline]
    pub fn contains(&self, currency: Currency) -> bool {
        self.rates[currency.index()].is_some()
    }

    /// The rate as exact decimal text without trailing zeros (`"0.84788876"`).
    pub fn rate_text(&self, currency: Currency) -> Result<String> {
        Ok(decimal::format_scaled_trimmed(
            self.rate_scaled(currency)? as i128,
            12,
        ))
    }

    /// The rate as the nearest float.
    pub fn rate_f64(&self, currency: Currency) -> Result<f64> {
        Ok(decimal::text_to_f64(&self.rate_text(currency)?))
    }

    /// The snapshot time given with the rate, as given.
    pub fn updated_at(&self, currency: Currency) -> Result<Option<&str>> {
        Ok(self.entry(currency)?.updated_at.as_deref())
    }

    /// Currencies with a known rate, in code order.
    pub fn currencies(&self) -> Vec<Currency> {
        Currency::all().filter(|c| self.contains(*c)).collect()
    }

    /// How many currencies have a rate (USD included).
    pub fn len(&self) -> usize {
        self.known
    }

    /// Never true: USD is always there. Present because `len` is.
    pub fn is_empty(&self) -> bool {
        self.known == 0
    }

    /// The factor turning minor units of `from` into minor units of `to`.
    #[inline]
    pub fn factor(&self, from: Currency, to: Currency) -> Result<Factor> {
        if from == to {
            return Ok(Factor::IDENTITY);
        }
        let overflow = Error::Overflow { field: "rate" };
        let from_rate = self.entry(from)?;
        let to_rate = self.entry(to)?;
        // a * 10^eB * cvB / (10^eA * cvA) with cv = num/den, the common power of ten dropped.
        let (from_exp, to_exp) = (from.exponent(), to.exponent());
        let shared = from_exp.min(to_exp);
        let num = 10u128
            .pow(to_exp - shared)
            .checked_mul(to_rate.num)
            .and_then(|n| n.checked_mul(from_rate.den))
            .ok_or(overflow.clone())?;
        let den = 10u128
            .pow(from_exp - shared)
            .checked_mul(from_rate.num)
            .and_then(|d| d.checked_mul(to_rate.den))
            .ok_or(overflow)?;
        Ok(Factor { num, den })
    }

    /// Like [`Fx::convert`] for amounts and results up to 127 bits (intermediates must fit
    /// in 128 bits).
    #[inline]
    pub fn convert_wide(
        &self,
        amount: i128,
        from: Currency,
        to: Currency,
        rounding: Rounding,
    ) -> Result<i128> {
        self.factor(from, to)?
            .apply_wide(amount, rounding, "amount")
    }

    /// `amount` minor units of `from` in minor units of `to`, rounded once.
    ///
    /// A same-currency conversion needs no rate. Use [`Rounding::Down`] for a stake that
    /// will be sent to a bookmaker.
    #[inline]
    pub fn convert(
        &self,
        amount: i64,
        from: Currency,
        to: Currency,
        rounding: Rounding,
    ) -> Result<i64> {
        self.factor(from, to)?.apply(amount, rounding, "amount")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur_table() -> Fx {
        let mut fx = Fx::new();
        fx.set_rate_text(
            Currency::EUR,
            "0.84788876",
            Some("2026-02-07T17:29:32+00:00"),
        )
        .unwrap();
        fx
    }

    #[test]
    fn usd_is_always_one() {
        let mut fx = Fx::new();
        assert_eq!(fx.len(), 1);
        assert_eq!(fx.rate_text(Currency::USD).unwrap(), "1");
        assert!(fx.set_rate_text(Currency::USD, "1.0", Some("t")).is_ok());
        assert_eq!(fx.updated_at(Currency::USD).unwrap(), Some("t"));
        let err = fx.set_rate_text(Currency::USD, "1.1", None).unwrap_err();
        assert_eq!(err.field(), Some("currency_value"));
        assert_eq!(fx.len(), 1);
    }

    #[test]
    fn rates_are_exact_text() {
        let fx = eur_table();
        assert_eq!(fx.rate_scaled(Currency::EUR).unwrap(), 847_888_760_000);
        assert_eq!(fx.rate_text(Currency::EUR).unwrap(), "0.84788876");
        assert_eq!(fx.rate_f64(Currency::EUR).unwrap(), 0.84788876);
        assert_eq!(
            fx.updated_at(Currency::EUR).unwrap(),
            Some("2026-02-07T17:29:32+00:00")
        );
        assert_eq!(fx.currencies(), vec![Currency::EUR, Currency::USD]);
        assert_eq!(fx.len(), 2);
    }

    #[test]
    fn bad_rates_are_refused() {
        let mut fx = Fx::new();
        for bad in ["0", "-1", "nan", "abc", "0.0000000000001"] {
            assert!(fx.set_rate_text(Currency::EUR, bad, None).is_err(), "{bad}");
        }
        assert!(fx.set_rate_f64(Currency::EUR, f64::INFINITY, None).is_err());
        assert!(!fx.contains(Currency::EUR));
    }

    #[test]
    fn missing_rates_are_reported() {
        let fx = Fx::new();
        let gbp = Currency::lookup("GBP").unwrap();
        assert_eq!(
            fx.convert(100, Currency::USD, gbp, Rounding::Down),
            Err(Error::MissingRate { currency: "GBP" })
        );
        assert_eq!(fx.convert(100, gbp, gbp, Rounding::Down), Ok(100));
        assert!(fx.rate_text(gbp).is_err());
        assert!(fx.updated_at(gbp).is_err());
    }

    #[test]
    fn abp_worked_example_100_usd_is_92_eur() {
        let mut fx = Fx::new();
        fx.set_rate_text(Currency::EUR, "0.92", None).unwrap();
        assert_eq!(
            fx.convert(10_000, Currency::USD, Currency::EUR, Rounding::Down),
            Ok(9_200)
        );
        assert_eq!(
            fx.convert(9_200, Currency::EUR, Currency::USD, Rounding::HalfEven),
            Ok(10_000)
        );
    }

    #[test]
    fn conversion_rounds_as_asked() {
        let fx = eur_table();
        let (usd, eur) = (Currency::USD, Currency::EUR);
        // 10 USD = 8.4788876 EUR
        assert_eq!(fx.convert(1000, usd, eur, Rounding::Down), Ok(847));
        assert_eq!(fx.convert(1000, usd, eur, Rounding::HalfEven), Ok(848));
        assert_eq!(fx.convert(1000, usd, eur, Rounding::Up), Ok(848));
        assert_eq!(fx.convert(-1000, usd, eur, Rounding::Down), Ok(-847));
        assert_eq!(fx.convert(-1000, usd, eur, Rounding::Up), Ok(-848));
        // 751.34 EUR = 886.1303928... USD
        assert_eq!(fx.convert(75134, eur, usd, Rounding::Down), Ok(88613));
        assert_eq!(fx.convert(75134, eur, usd, Rounding::HalfEven), Ok(88613));
        assert_eq!(fx.convert(75134, eur, usd, Rounding::Up), Ok(88614));
        // 8.47 EUR = 9.9895... USD
        assert_eq!(fx.convert(847, eur, usd, Rounding::HalfEven), Ok(999));
        assert_eq!(fx.convert(0, eur, usd, Rounding::Up), Ok(0));
    }

    #[test]
    fn exponents_enter_the_conversion() {
        let mut fx = Fx::new();
        let jpy = Currency::lookup("JPY").unwrap();
        let kwd = Currency::lookup("KWD").unwrap();
        fx.set_rate_text(jpy, "150", None).unwrap();
        fx.set_rate_text(kwd, "0.3", None).unwrap();
        assert_eq!(
            fx.convert(1000, Currency::USD, jpy, Rounding::Down),
            Ok(1500)
        ); // 10 USD
        assert_eq!(
            fx.convert(1500, jpy, Currency::USD, Rounding::Down),
            Ok(1000)
        );
        assert_eq!(
            fx.convert(1000, Currency::USD, kwd, Rounding::Down),
            Ok(3000)
        ); // 3.000 KWD
        assert_eq!(fx.convert(1, jpy, kwd, Rounding::HalfEven), Ok(2)); // 0.002 KWD
    }

    #[test]
    fn round_trip_loses_at_most_one_minor_unit() {
        let mut fx = Fx::new();
        let gbp = Currency::lookup("GBP").unwrap();
        fx.set_rate_text(gbp, "0.7312345678", None).unwrap();
        for amount in (0..50_000).step_by(7) {
            let there = fx
                .convert(amount, Currency::USD, gbp, Rounding::HalfEven)
                .unwrap();
            let back = fx
                .convert(there, gbp, Currency::USD, Rounding::HalfEven)
                .unwrap();
            assert!((back - amount).abs() <= 1, "{amount} -> {there} -> {back}");
        }
    }

    #[test]
    fn overflow_is_an_error_not_a_wrap() {
        let mut fx = Fx::new();
        let vnd = Currency::lookup("VND").unwrap();
        let clf = Currency::lookup("CLF").unwrap();
        fx.set_rate_text(vnd, "25000", None).unwrap();
        fx.set_rate_text(clf, "0.025", None).unwrap();
        assert!(matches!(
            fx.convert(i64::MAX, Currency::USD, vnd, Rounding::Down),
            Err(Error::Overflow { .. })
        ));
        let irr = Currency::lookup("IRR").unwrap();
        fx.set_rate_text(irr, "1e20", None).unwrap();
        assert_eq!(
            fx.convert(i64::MAX, clf, irr, Rounding::Down),
            Err(Error::Overflow { field: "amount" })
        );
        // Beyond 64 bits the wide conversion still answers exactly.
        let tiny = Currency::lookup("CLF").unwrap();
        fx.set_rate_text(tiny, "1e-12", None).unwrap();
        assert_eq!(
            fx.convert_wide(1_000_000_000_000_000, tiny, Currency::USD, Rounding::Down),
            Ok(10i128.pow(25))
        );
        assert!(fx
            .convert(1_000_000_000_000_000, tiny, Currency::USD, Rounding::Down)
            .is_err());
    }

    #[test]
    fn stamps_change_with_every_rate_and_every_copy() {
        let mut fx = Fx::new();
        let before = fx.stamp();
        fx.set_rate_text(Currency::EUR, "0.9", None).unwrap();
        assert_ne!(fx.stamp(), before);
        let copy = fx.clone();
        assert_ne!(copy.stamp().0, fx.stamp().0);
        assert_eq!(copy.rate_text(Currency::EUR).unwrap(), "0.9");
    }
}
