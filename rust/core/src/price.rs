//! Decimal odds as fixed-point integers.
//!
//! A price is `u64` millionths (`PRICE_SCALE`), so `1.98` is exactly `1_980_000` and comparing
//! two prices is comparing two integers: equal-price ties, "at or better than" and the
//! weighted-average rule never meet binary rounding.

use crate::decimal::{self, Rounding};
use crate::error::{Error, Result};
use crate::money::decimal_error;

/// Fixed-point scale of prices: 6 decimals.
pub const PRICE_SCALE: u64 = 1_000_000;

/// Decimal odds in millionths; always > 1.0 once validated.
pub type Price = u64;

/// Below this magnitude a float's unit in the last place is < 1.2e-7, less than half a
/// millionth, which the fast path in [`price_from_f64`] relies on.
const FAST_PATH_LIMIT: f64 = 1e9;

/// Reads decimal odds from a float: its shortest decimal form, rounded half-even to 6 places.
///
/// Refuses NaN, infinities, prices that are not > 1.0 once rounded, and prices beyond `u64`.
/// This is on the quote-update hot path, so the common case skips formatting the float:
/// if `n / 10^6` reads back as `x` exactly, then `x`'s shortest form lies within one unit in
/// the last place (< half a millionth) of that grid point, so rounding it to 6 places gives
/// `n` too. Anything else takes the exact text route.
#[inline]
pub fn price_from_f64(x: f64, field: &'static str) -> Result<Price> {
    if x > 1.0 && x < FAST_PATH_LIMIT {
        // Truncating `x·10^6 + 0.5` rounds this positive value to the nearest integer without
        // a call to libm's `round` (baseline x86-64 has no rounding instruction); the check
        // below accepts the candidate only when it reads back as `x`, so the rounding mode
        // cannot change a result, only how often the fast path is taken.
        let n = ((x * PRICE_SCALE as f64) + 0.5) as u64 as f64;
        if n / PRICE_SCALE as f64 == x {
            return check(n as u64, field, x);
        }
    }
    slow_price(x, field)
}

#[cold]
fn slow_price(x: f64, field: &'static str) -> Result<Price> {
    let text = decimal::float_text(x)
        .ok_or_else(|| Error::invalid(field, format!("{field} must be finite, got {x}")))?;
    price_from_text(&text, field)
}

/// Reads decimal odds from decimal text, rounded half-even to 6 places.
pub fn price_from_text(text: &str, field: &'static str) -> Result<Price> {
    let scaled = decimal::parse_scaled(text, 6, Rounding::HalfEven)
        .map_err(|e| decimal_error(e, field, text))?;
    if scaled <= PRICE_SCALE as i128 {
        return Err(Error::invalid(
            field,
            format!("{field} must be > 1.0 (decimal odds), got {text}"),
        ));
    }
    u64::try_from(scaled).map_err(|_| Error::Overflow { field })
}

/// Reads an orderPrice from a float. Beyond 6 decimals it rounds toward the stricter side,
/// so that no leg is ever placed at a price worse than the caller asked for: up for a back
/// order (the minimum acceptable price), down for a lay order (the maximum).
pub fn order_price_from_f64(x: f64, back: bool, field: &'static str) -> Result<Price> {
    if x > 1.0 && x < FAST_PATH_LIMIT {
        // Truncating `x·10^6 + 0.5` rounds this positive value to the nearest integer without
        // a call to libm's `round` (baseline x86-64 has no rounding instruction); the check
        // below accepts the candidate only when it reads back as `x`, so the rounding mode
        // cannot change a result, only how often the fast path is taken.
        let n = ((x * PRICE_SCALE as f64) + 0.5) as u64 as f64;
        if n / PRICE_SCALE as f64 == x {
            return check(n as u64, field, x);
        }
    }
    let text = decimal::float_text(x)
        .ok_or_else(|| Error::invalid(field, format!("{field} must be finite, got {x}")))?;
    let rounding = if back { Rounding::Up } else { Rounding::Down };
    let scaled =
        decimal::parse_scaled(&text, 6, rounding).map_err(|e| decimal_error(e, field, &text))?;
    if scaled <= PRICE_SCALE as i128 {
        return Err(Error::invalid(
            field,
            format!("{field} must be > 1.0 (decimal odds), got {text}"),
        ));
    }
    u64::try_from(scaled).map_err(|_| Error::Overflow { field })
}

#[inline]
fn check(scaled: u64, field: &'static str, x: f64) -> Result<Price> {
    if scaled > PRICE_SCALE {
        Ok(scaled)
    } else {
        Err(Error::invalid(
            field,
            format!("{field} must be > 1.0 (decimal odds), got {x}"),
        ))
    }
}

/// The float whose shortest form is the price's exact decimal text.
#[inline]
pub fn price_to_f64(price: Price) -> f64 {
    // Both operands are exact and IEEE division rounds correctly, so this is the float
    // nearest to the decimal price.
    price as f64 / PRICE_SCALE as f64
}

/// Exact decimal text without trailing zeros (`"1.95"`), for messages.
pub fn price_text(price: Price) -> String {
    decimal::format_scaled_trimmed(i128::from(price), 6)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slow(x: f64) -> Result<Price> {
        slow_price(x, "price")
    }

    #[test]
    fn common_prices_are_exact() {
        assert_eq!(price_from_f64(1.98, "price"), Ok(1_980_000));
        assert_eq!(price_from_f64(2.0, "price"), Ok(2_000_000));
        assert_eq!(price_from_f64(1.000001, "price"), Ok(1_000_001));
        assert_eq!(price_from_f64(1001.0, "price"), Ok(1_001_000_000));
        assert_eq!(price_to_f64(1_980_000), 1.98);
        assert_eq!(price_text(1_950_000), "1.95");
    }

    #[test]
    fn order_prices_round_toward_the_stricter_side() {
        assert_eq!(
            order_price_from_f64(2.0000005, true, "price"),
            Ok(2_000_001)
        );
        assert_eq!(
            order_price_from_f64(2.0000005, false, "price"),
            Ok(2_000_000)
        );
        assert_eq!(
            order_price_from_f64(1.9999999, true, "price"),
            Ok(2_000_000)
        );
        assert_eq!(
            order_price_from_f64(1.9999999, false, "price"),
            Ok(1_999_999)
        );
        assert_eq!(order_price_from_f64(1.98, false, "price"), Ok(1_980_000));
        assert!(order_price_from_f64(1.0000001, false, "price").is_err());
        assert_eq!(
            order_price_from_f64(1.0000001, true, "price"),
            Ok(1_000_001)
        );
    }

    #[test]
    fn extra_decimals_round_half_even() {
        assert_eq!(price_from_f64(1.2345675, "price"), Ok(1_234_568)); // text 1.2345675: tie → even
        assert_eq!(price_from_f64(1.2345665, "price"), Ok(1_234_566));
        assert_eq!(price_from_f64(1.90909090909, "price"), Ok(1_909_091));
        assert_eq!(
            price_from_f64(1e12 + 0.5, "price"),
            Ok(1_000_000_000_000_500_000)
        );
    }

    #[test]
    fn fast_path_agrees_with_the_exact_text_route() {
        let mut x = 1.000_001_f64;
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            assert_eq!(price_from_f64(x, "price"), slow(x), "{x}");
            // Mix grid prices with arbitrary floats.
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let cents = 100_001 + seed % 10_000_000;
            x = if seed % 3 == 0 {
                cents as f64 / 100_000.0
            } else {
                1.0 + (seed % 1_000_000_007) as f64 / 9_999_991.0
            };
        }
    }

    #[test]
    fn bad_prices_are_refused() {
        for bad in [
            1.0,
            0.5,
            -2.0,
            1.0000001,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            let err = price_from_f64(bad, "price").unwrap_err();
            assert_eq!(err.field(), Some("price"), "{bad}");
        }
        assert!(matches!(
            price_from_f64(1e30, "price"),
            Err(Error::Overflow { .. })
        ));
        assert!(price_from_text("1.0000005", "price").is_err()); // rounds to 1.000000
        assert_eq!(price_from_text("1.0000015", "price"), Ok(1_000_002));
    }
}
