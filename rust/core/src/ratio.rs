//! Exact fractions rounded once to a float.
//!
//! Averages and odds conversions are computed exactly as `numerator / denominator`; the only
//! rounding is the final one to the nearest `f64` (ties to even), so a result that a float can
//! represent comes out exactly, and no result carries two roundings.

/// The `f64` nearest to `numerator / denominator` (ties to even). `denominator` must be > 0.
pub fn to_f64(numerator: u128, denominator: u128) -> f64 {
    assert!(denominator > 0, "ratio with a zero denominator");
    if numerator == 0 {
        return 0.0;
    }
    // Long division in binary: gather at least 65 significant quotient bits, so that the
    // 53 kept bits, the rounding bit and a sticky bit are all known exactly.
    let mut mantissa = numerator / denominator;
    let mut remainder = numerator % denominator;
    let mut exponent: i32 = 0; // value = (mantissa + remainder/denominator) * 2^-exponent
    let mut sticky = false;
    while mantissa >= 1 << 65 {
        sticky |= mantissa & 1 == 1;
        mantissa >>= 1;
        exponent -= 1;
    }
    if exponent < 0 {
        sticky |= remainder != 0;
        remainder = 0;
    }
    while mantissa < 1 << 64 {
        // Next binary digit of remainder/denominator, without overflowing 2 * remainder.
        let bit = remainder >= denominator - remainder;
        remainder = if bit {
            remainder - (denominator - remainder)
        } else {
            remainder + remainder
        };
        mantissa = (mantissa << 1) | u128::from(bit);
        exponent += 1;
    }
    sticky |= remainder != 0;

    // Keep the top 53 of the mantissa's bits and round the rest half-even.
    let width = 128 - mantissa.leading_zeros();
    let drop = width - 53;
    let dropped = mantissa & ((1u128 << drop) - 1);
    let half = 1u128 << (drop - 1);
    let mut kept = mantissa >> drop;
    if dropped > half || (dropped == half && (sticky || kept & 1 == 1)) {
        kept += 1;
    }
    // `kept` < 2^54 is exact as a float and scaling by a power of two is exact.
    let scale = drop as i32 - exponent;
    (kept as f64) * 2f64.powi(scale)
}

/// Signed version of [`to_f64`].
pub fn signed_to_f64(numerator: i128, denominator: u128) -> f64 {
    let magnitude = to_f64(numerator.unsigned_abs(), denominator);
    if numerator < 0 {
        -magnitude
    } else {
        magnitude
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_values_stay_exact() {
        assert_eq!(to_f64(1, 2), 0.5);
        assert_eq!(to_f64(3, 1), 3.0);
        assert_eq!(to_f64(198, 100), 1.98);
        assert_eq!(to_f64(0, 7), 0.0);
        assert_eq!(to_f64(u128::MAX, 1), u128::MAX as f64);
        assert_eq!(signed_to_f64(-200, 1), -200.0);
    }

    #[test]
    fn matches_correctly_rounded_decimal_parsing() {
        // The float parser rounds correctly, so any n/10^k must agree with it.
        let mut seed: u64 = 12345;
        for _ in 0..100_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let n = (seed >> 11) as u128;
            let k = (seed % 25) as u32;
            let text = crate::decimal::format_scaled(n as i128, k);
            assert_eq!(
                to_f64(n, 10u128.pow(k)),
                text.parse::<f64>().unwrap(),
                "{text}"
            );
        }
    }

    #[test]
    fn thirds_and_ties() {
        assert_eq!(to_f64(1, 3), 1.0 / 3.0);
        assert_eq!(to_f64(2, 3), 2.0 / 3.0);
        assert_eq!(to_f64(10, 7), 10.0 / 7.0);
        // 2^53 + 1 is a tie between 2^53 and 2^53 + 2: even wins.
        assert_eq!(to_f64((1 << 53) + 1, 1), 9007199254740992.0);
        assert_eq!(to_f64((1 << 53) + 3, 1), 9007199254740996.0);
        // Just above the tie rounds up.
        assert_eq!(to_f64(((1 << 53) + 1) * 1000 + 1, 1000), 9007199254740994.0);
    }
}
