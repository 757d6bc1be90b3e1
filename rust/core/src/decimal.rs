//! Exact decimal text to scaled integers, and back.
//!
//! Money, prices and rates all enter the engine as decimal text (a float goes through its
//! shortest round-trip form first), and leave it as exact text. Parsing never goes through a
//! binary float, so `"0.1"` is one tenth and `"751.34"` is 75134 hundredths, and the single
//! rounding step is the one the caller asked for.

use std::cmp::Ordering;

/// How to drop digits that do not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rounding {
    /// Toward zero: stakes sent to a bookmaker, so no limit is ever exceeded by rounding.
    Down,
    /// To nearest, ties to even (banker's rounding): display and reporting.
    HalfEven,
    /// Away from zero: minimum stakes, so a minimum is never undercut by rounding.
    Up,
}

impl Rounding {
    /// Parses the names used at the Python edge: `down`, `half_even`, `up`.
    pub fn parse(name: &str) -> Option<Rounding> {
        match name {
            "down" => Some(Rounding::Down),
            "half_even" => Some(Rounding::HalfEven),
            "up" => Some(Rounding::Up),
            _ => None,
        }
    }

    /// The name [`Rounding::parse`] accepts.
    pub fn name(self) -> &'static str {
        match self {
            Rounding::Down => "down",
            Rounding::HalfEven => "half_even",
            Rounding::Up => "up",
        }
    }

    /// Whether to add one to a truncated magnitude `quotient`, given how the dropped part
    /// compares with one half (`half`) and whether it is non-zero.
    #[inline]
    pub(crate) fn bump(self, quotient_is_odd: bool, dropped_nonzero: bool, half: Ordering) -> bool {
        match self {
            Rounding::Down => false,
            Rounding::Up => dropped_nonzero,
            Rounding::HalfEven => match half {
                Ordering::Greater => true,
                Ordering::Equal => quotient_is_odd,
                Ordering::Less => false,
            },
        }
    }

    /// Rounds `numerator / denominator` (magnitudes) to an integer in this mode.
    ///
    /// `denominator` must be non-zero. Works for any `u128` without overflow.
    #[inline]
    pub fn divide(self, numerator: u128, denominator: u128) -> u128 {
        if let (Ok(n), Ok(d)) = (u64::try_from(numerator), u64::try_from(denominator)) {
            // One hardware division instead of a 128-bit software one: the common case.
            let (quotient, remainder) = (n / d, n % d);
            if remainder == 0 {
                return u128::from(quotient);
            }
            let half = remainder.cmp(&(d - remainder));
            return u128::from(quotient) + u128::from(self.bump(quotient & 1 == 1, true, half));
        }
        let quotient = numerator / denominator;
        let remainder = numerator % denominator;
        if remainder == 0 {
            return quotient;
        }
        // remainder vs denominator / 2 without computing 2 * remainder (it may overflow).
        let half = remainder.cmp(&(denominator - remainder));
        quotient + u128::from(self.bump(quotient & 1 == 1, true, half))
    }
}

/// Why decimal text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecimalError {
    /// Not a decimal number at all.
    Syntax,
    /// NaN or an infinity.
    NotFinite,
    /// The scaled value does not fit in 127 bits.
    Overflow,
}

/// Parses decimal text and returns `round(value * 10^places)` in the given rounding mode.
///
/// Accepts what Python's `repr(float)`, `str(Decimal)` and Rust's `{}` produce: an optional
/// sign, digits with at most one point, and an optional exponent (`1e-07`, `1.5E+3`).
/// Surrounding ASCII whitespace is ignored. `nan`/`inf`/`infinity` (any case) are
/// [`DecimalError::NotFinite`].
pub fn parse_scaled(text: &str, places: u32, rounding: Rounding) -> Result<i128, DecimalError> {
    let text = text.trim_ascii();
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "nan" | "snan" | "inf" | "infinity") {
        return Err(DecimalError::NotFinite);
    }

    let bytes = body.as_bytes();
    let (mantissa, exponent) = match bytes.iter().position(|&b| b == b'e' || b == b'E') {
        Some(at) => (&bytes[..at], parse_exponent(&bytes[at + 1..])?),
        None => (bytes, 0),
    };

    // Digits without the point, and how many of them stand before it.
    let mut digits: Vec<u8> = Vec::with_capacity(mantissa.len());
    let mut integer_digits: Option<usize> = None;
    for &b in mantissa {
        match b {
            b'0'..=b'9' => digits.push(b - b'0'),
            b'.' if integer_digits.is_none() => integer_digits = Some(digits.len()),
            _ => return Err(DecimalError::Syntax),
        }
    }
    if digits.is_empty() {
        return Err(DecimalError::Syntax);
    }
    let integer_digits = integer_digits.unwrap_or(digits.len());

    // Leading zeros carry no value; dropping them keeps the accumulator small.
    let leading_zeros = digits.iter().take_while(|&&d| d == 0).count();
    let digits = &digits[leading_zeros..];
    if digits.is_empty() {
        return Ok(0);
    }
    // The value is 0.d1 d2 ... dn * 10^point.
    let point = integer_digits as i64 - leading_zeros as i64 + exponent;
    // How many leading digits land at or above 10^-places.
    let keep = point + i64::from(places);

    let mut kept: u128 = 0;
    let kept_count = keep.clamp(0, digits.len() as i64) as usize;
    for &d in &digits[..kept_count] {
        kept = kept
            .checked_mul(10)
            .and_then(|k| k.checked_add(u128::from(d)))
            .ok_or(DecimalError::Overflow)?;
    }
    if keep > digits.len() as i64 {
        let zeros =
            u32::try_from(keep - digits.len() as i64).map_err(|_| DecimalError::Overflow)?;
        let scale = 10u128.checked_pow(zeros).ok_or(DecimalError::Overflow)?;
        kept = kept.checked_mul(scale).ok_or(DecimalError::Overflow)?;
    }

    // The dropped tail: its first digit against 5, and whether anything after it is non-zero.
    let (first_dropped, rest_nonzero) = if keep < 0 {
        // Implicit zeros stand between the kept part and the digits.
        (0u8, true)
    } else {
        let tail = &digits[kept_count..];
        match tail.split_first() {
            Some((&first, rest)) => (first, rest.iter().any(|&d| d != 0)),
            None => (0, false),
        }
    };
    let dropped_nonzero = first_dropped != 0 || rest_nonzero;
    let half = match first_dropped.cmp(&5) {
        Ordering::Equal if rest_nonzero => Ordering::Greater,
        other => other,
    };
    if rounding.bump(kept & 1 == 1, dropped_nonzero, half) {
        kept = kept.checked_add(1).ok_or(DecimalError::Overflow)?;
    }

    let magnitude = i128::try_from(kept).map_err(|_| DecimalError::Overflow)?;
    Ok(if negative { -magnitude } else { magnitude })
}

/// Parses the digits of an exponent, saturating far beyond any usable scale.
fn parse_exponent(bytes: &[u8]) -> Result<i64, DecimalError> {
    let (negative, digits) = match bytes.first() {
        Some(b'-') => (true, &bytes[1..]),
        Some(b'+') => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    if digits.is_empty() {
        return Err(DecimalError::Syntax);
    }
    let mut value: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return Err(DecimalError::Syntax);
        }
        value = (value * 10 + i64::from(b - b'0')).min(1_000_000_000);
    }
    Ok(if negative { -value } else { value })
}

/// Exact text of `scaled / 10^places`, with exactly `places` fraction digits
/// (`format_scaled(75134, 2) == "751.34"`, `format_scaled(-5, 2) == "-0.05"`).
pub fn format_scaled(scaled: i128, places: u32) -> String {
    let digits = scaled.unsigned_abs().to_string();
    let places = places as usize;
    let mut out = String::with_capacity(digits.len() + places + 3);
    if scaled < 0 {
        out.push('-');
    }
    if places == 0 {
        out.push_str(&digits);
        return out;
    }
    if digits.len() <= places {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', places - digits.len()));
        out.push_str(&digits);
    } else {
        let (int, frac) = digits.split_at(digits.len() - places);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// Like [`format_scaled`] without trailing fraction zeros (`"0.84788876"`, `"1"`, `"1.95"`).
pub fn format_scaled_trimmed(scaled: i128, places: u32) -> String {
    let mut text = format_scaled(scaled, places);
    if text.contains('.') {
        let trimmed = text.trim_end_matches('0').trim_end_matches('.').len();
        text.truncate(trimmed);
    }
    text
}

/// The shortest decimal text that reads back as `x` (Rust's `{}` is shortest round-trip,
/// the same value as Python's `repr`), or `None` for NaN and infinities.
pub fn float_text(x: f64) -> Option<String> {
    x.is_finite().then(|| format!("{x}"))
}

/// `round(x * 10^places)` where `x` is read through its shortest decimal form.
pub fn float_scaled(x: f64, places: u32, rounding: Rounding) -> Result<i128, DecimalError> {
    let text = float_text(x).ok_or(DecimalError::NotFinite)?;
    parse_scaled(&text, places, rounding)
}

/// The float nearest to exact decimal text (Rust's float parser rounds correctly).
pub fn text_to_f64(text: &str) -> f64 {
    text.parse::<f64>().unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Rounding::*;

    fn p(text: &str, places: u32, r: Rounding) -> i128 {
        parse_scaled(text, places, r).unwrap()
    }

    #[test]
    fn plain_decimals_are_exact() {
        assert_eq!(p("751.34", 2, HalfEven), 75134);
        assert_eq!(p("10", 2, HalfEven), 1000);
        assert_eq!(p("0.1", 2, HalfEven), 10);
        assert_eq!(p(".5", 1, Down), 5);
        assert_eq!(p("5.", 0, Down), 5);
        assert_eq!(p("+3.25", 2, Down), 325);
        assert_eq!(p("  -3.25 ", 2, Down), -325);
        assert_eq!(p("0.84788876", 12, HalfEven), 847_888_760_000);
        assert_eq!(
            p("000000000000000000000000000000000000000001.5", 1, Down),
            15
        );
    }

    #[test]
    fn exponents_shift_the_point() {
        assert_eq!(p("1e-07", 7, HalfEven), 1);
        assert_eq!(p("1e-07", 6, HalfEven), 0);
        assert_eq!(p("1e-07", 6, Up), 1);
        assert_eq!(p("1.5E+3", 0, Down), 1500);
        assert_eq!(p("1E+3", 2, Down), 100_000);
        assert_eq!(p("12345e-2", 2, Down), 12345);
        assert_eq!(p("1e-999999999999", 2, Up), 1);
        assert_eq!(p("-1e-999999999999", 2, Up), -1);
        assert_eq!(p("1e-999999999999", 2, HalfEven), 0);
    }

    #[test]
    fn half_even_ties_go_to_even() {
        assert_eq!(p("0.125", 2, HalfEven), 12);
        assert_eq!(p("0.135", 2, HalfEven), 14);
        assert_eq!(p("0.1250000001", 2, HalfEven), 13);
        assert_eq!(p("-0.125", 2, HalfEven), -12);
        assert_eq!(p("2.5", 0, HalfEven), 2);
        assert_eq!(p("3.5", 0, HalfEven), 4);
        assert_eq!(p("0.5", 0, HalfEven), 0);
        assert_eq!(p("0.05", 0, HalfEven), 0);
    }

    #[test]
    fn down_and_up_are_toward_and_away_from_zero() {
        assert_eq!(p("1.999", 2, Down), 199);
        assert_eq!(p("-1.999", 2, Down), -199);
        assert_eq!(p("1.001", 2, Up), 101);
        assert_eq!(p("-1.001", 2, Up), -101);
        assert_eq!(p("1.000000", 2, Up), 100);
    }

    #[test]
    fn bad_text_is_refused() {
        for bad in [
            "", "-", ".", "1.2.3", "1e", "1e+", "abc", "1,5", "0x10", "1 2", "e5",
        ] {
            assert_eq!(
                parse_scaled(bad, 2, HalfEven),
                Err(DecimalError::Syntax),
                "{bad}"
            );
        }
        for bad in ["nan", "NaN", "-inf", "Infinity", "sNaN"] {
            assert_eq!(parse_scaled(bad, 2, HalfEven), Err(DecimalError::NotFinite));
        }
        assert_eq!(
            parse_scaled("1e40", 2, HalfEven),
            Err(DecimalError::Overflow)
        );
        assert_eq!(
            parse_scaled("99999999999999999999999999999999999999999", 0, Down),
            Err(DecimalError::Overflow)
        );
    }

    #[test]
    fn formatting_is_exact() {
        assert_eq!(format_scaled(75134, 2), "751.34");
        assert_eq!(format_scaled(-5, 2), "-0.05");
        assert_eq!(format_scaled(0, 2), "0.00");
        assert_eq!(format_scaled(7, 0), "7");
        assert_eq!(format_scaled(1, 4), "0.0001");
        assert_eq!(format_scaled_trimmed(847_888_760_000, 12), "0.84788876");
        assert_eq!(format_scaled_trimmed(1_000_000_000_000, 12), "1");
        assert_eq!(format_scaled_trimmed(1_950_000, 6), "1.95");
        assert_eq!(format_scaled_trimmed(5, 0), "5");
    }

    #[test]
    fn floats_read_through_their_shortest_form() {
        assert_eq!(float_scaled(0.1 + 0.2, 2, HalfEven), Ok(30));
        assert_eq!(float_scaled(1.98, 6, HalfEven), Ok(1_980_000));
        assert_eq!(float_scaled(1e-7, 7, HalfEven), Ok(1));
        assert_eq!(float_scaled(2.675, 2, HalfEven), Ok(268)); // the text is 2.675: a tie
        assert_eq!(
            float_scaled(f64::NAN, 2, HalfEven),
            Err(DecimalError::NotFinite)
        );
        assert_eq!(float_text(-0.0).as_deref(), Some("-0"));
        assert_eq!(text_to_f64("751.34"), 751.34);
    }

    #[test]
    fn dividing_rounds_once() {
        assert_eq!(Down.divide(7, 2), 3);
        assert_eq!(Up.divide(7, 2), 4);
        assert_eq!(HalfEven.divide(7, 2), 4);
        assert_eq!(HalfEven.divide(5, 2), 2);
        assert_eq!(HalfEven.divide(8, 3), 3);
        assert_eq!(HalfEven.divide(7, 3), 2);
        assert_eq!(Up.divide(6, 3), 2);
        assert_eq!(HalfEven.divide(u128::MAX, u128::MAX - 1), 1);
        assert_eq!(Rounding::parse("half_even"), Some(HalfEven));
        assert_eq!(Rounding::parse("HALF_EVEN"), None);
        assert_eq!(Up.name(), "up");
    }
}
