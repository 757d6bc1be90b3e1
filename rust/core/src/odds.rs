//! Pinnacle's five odds formats: decimal, American, Hong Kong, Indonesian, Malay.
//!
//! Every conversion is done on exact fractions of the inputs' decimal forms (a float is read
//! through its shortest decimal text) and rounded once to a float at the end, so
//! `decimal_to_american(1.5)` is exactly `-200.0` and chaining formats adds no noise.

use crate::decimal;
use crate::error::{Error, Result};
use crate::ratio;
use std::cmp::Ordering;

/// One of the five formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OddsFormat {
    Decimal,
    American,
    HongKong,
    Indonesian,
    Malay,
}

impl OddsFormat {
    /// Parses `decimal`, `american`, `hongkong`, `indonesian`, `malay`.
    pub fn parse(name: &str) -> Option<OddsFormat> {
        match name {
            "decimal" => Some(OddsFormat::Decimal),
            "american" => Some(OddsFormat::American),
            "hongkong" => Some(OddsFormat::HongKong),
            "indonesian" => Some(OddsFormat::Indonesian),
            "malay" => Some(OddsFormat::Malay),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            OddsFormat::Decimal => "decimal",
            OddsFormat::American => "american",
            OddsFormat::HongKong => "hongkong",
            OddsFormat::Indonesian => "indonesian",
            OddsFormat::Malay => "malay",
        }
    }
}

/// An exact fraction `num / den` with `den > 0`, kept in lowest terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fraction {
    num: i128,
    den: i128,
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

const OVERFLOW: Error = Error::Overflow { field: "odds" };

impl Fraction {
    fn new(num: i128, den: i128) -> Result<Fraction> {
        debug_assert!(den != 0);
        let (num, den) = if den < 0 {
            (
                num.checked_neg().ok_or(OVERFLOW)?,
                den.checked_neg().ok_or(OVERFLOW)?,
            )
        } else {
            (num, den)
        };
        let g = gcd(num.unsigned_abs(), den.unsigned_abs()).max(1) as i128;
        Ok(Fraction {
            num: num / g,
            den: den / g,
        })
    }

    fn int(n: i128) -> Fraction {
        Fraction { num: n, den: 1 }
    }

    /// The exact value of a float's shortest decimal form.
    fn from_f64(x: f64, field: &'static str) -> Result<Fraction> {
        let text = decimal::float_text(x)
            .ok_or_else(|| Error::invalid(field, format!("{field} must be finite, got {x}")))?;
        // Rust's `{}` never uses an exponent: digits, an optional point, digits.
        let places = text
            .split_once('.')
            .map_or(0, |(_, fraction)| fraction.len());
        let places = u32::try_from(places).map_err(|_| Error::Overflow { field })?;
        let scaled = decimal::parse_scaled(&text, places, decimal::Rounding::Down)
            .map_err(|_| Error::Overflow { field })?;
        let den = 10i128
            .checked_pow(places)
            .ok_or(Error::Overflow { field })?;
        Fraction::new(scaled, den)
    }

    fn add(self, other: Fraction) -> Result<Fraction> {
        let num = self
            .num
            .checked_mul(other.den)
            .and_then(|a| {
                other
                    .num
                    .checked_mul(self.den)
                    .and_then(|b| a.checked_add(b))
            })
            .ok_or(OVERFLOW)?;
        let den = self.den.checked_mul(other.den).ok_or(OVERFLOW)?;
        Fraction::new(num, den)
    }

    fn sub(self, other: Fraction) -> Result<Fraction> {
        self.add(Fraction {
            num: other.num.checked_neg().ok_or(OVERFLOW)?,
            den: other.den,
        })
    }

    fn mul(self, other: Fraction) -> Result<Fraction> {
        let num = self.num.checked_mul(other.num).ok_or(OVERFLOW)?;
        let den = self.den.checked_mul(other.den).ok_or(OVERFLOW)?;
        Fraction::new(num, den)
    }

    fn recip(self) -> Result<Fraction> {
        Fraction::new(self.den, self.num)
    }

    fn neg(self) -> Result<Fraction> {
        Ok(Fraction {
            num: self.num.checked_neg().ok_or(OVERFLOW)?,
            den: self.den,
        })
    }

    fn cmp_int(self, n: i128) -> Ordering {
        // den > 0, so compare num with n * den (widening through the sign-aware check).
        match n.checked_mul(self.den) {
            Some(scaled) => self.num.cmp(&scaled),
            None => {
                if n > 0 {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
        }
    }

    fn to_f64(self) -> f64 {
        ratio::signed_to_f64(self.num, self.den as u128)
    }
}

/// Decimal odds `d` (> 1) in `format`, exactly.
fn from_decimal(d: Fraction, format: OddsFormat) -> Result<Fraction> {
    let one = Fraction::int(1);
    let profit = d.sub(one)?; // d - 1 > 0
    let at_least_evens = d.cmp_int(2) != Ordering::Less;
    match format {
        OddsFormat::Decimal => Ok(d),
        OddsFormat::HongKong => Ok(profit),
        OddsFormat::American if at_least_evens => profit.mul(Fraction::int(100)),
        OddsFormat::American => Fraction::int(-100).mul(profit.recip()?),
        OddsFormat::Indonesian if at_least_evens => Ok(profit),
        OddsFormat::Indonesian => profit.recip()?.neg(),
        OddsFormat::Malay if d.cmp_int(2) != Ordering::Greater => Ok(profit),
        OddsFormat::Malay => profit.recip()?.neg(),
    }
}

/// `value` in `format` as decimal odds, exactly; refuses values outside the format's range.
fn to_decimal(value: Fraction, format: OddsFormat, field: &'static str) -> Result<Fraction> {
    let one = Fraction::int(1);
    let refuse = |range: &str| {
        Err(Error::invalid(
            field,
            format!(
                "{field}: {} is not {} odds ({range})",
                value.to_f64(),
                format.name()
            ),
        ))
    };
    match format {
        OddsFormat::Decimal => {
            if value.cmp_int(1) == Ordering::Greater {
                Ok(value)
            } else {
                refuse("must be > 1")
            }
        }
        OddsFormat::HongKong => {
            if value.cmp_int(0) == Ordering::Greater {
                value.add(one)
            } else {
                refuse("must be > 0")
            }
        }
        OddsFormat::American => {
            if value.cmp_int(100) != Ordering::Less {
                value.mul(Fraction::new(1, 100)?)?.add(one)
            } else if value.cmp_int(-100) != Ordering::Greater {
                Fraction::int(-100).mul(value.recip()?)?.add(one)
            } else {
                refuse("must be >= 100 or <= -100")
            }
        }
        OddsFormat::Indonesian => {
            if value.cmp_int(1) != Ordering::Less {
                value.add(one)
            } else if value.cmp_int(-1) != Ordering::Greater {
                value.recip()?.neg()?.add(one)
            } else {
                refuse("must be >= 1 or <= -1")
            }
        }
        OddsFormat::Malay => {
            let positive =
                value.cmp_int(0) == Ordering::Greater && value.cmp_int(1) != Ordering::Greater;
            let negative =
                value.cmp_int(0) == Ordering::Less && value.cmp_int(-1) != Ordering::Less;
            if positive {
                value.add(one)
            } else if negative {
                value.recip()?.neg()?.add(one)
            } else {
                refuse("must be in [-1, 0) or (0, 1]")
            }
        }
    }
}

/// Converts `value` from one format to another, rounded once to a float.
///
/// `field` names the argument in errors.
///
/// Decimal odds on either side must be prices the book and router accept (§1): > 1.0 once
/// rounded to 6 decimals (so `1.0000001`, which a Book refuses, is refused here too).
pub fn convert(value: f64, from: OddsFormat, to: OddsFormat, field: &'static str) -> Result<f64> {
    if from == OddsFormat::Decimal {
        crate::price::price_from_f64(value, field)?;
    }
    let exact = Fraction::from_f64(value, field)?;
    let decimal_odds = to_decimal(exact, from, field)?;
    let out = from_decimal(decimal_odds, to)?.to_f64();
    if to == OddsFormat::Decimal && crate::price::price_from_f64(out, field).is_err() {
        return Err(Error::invalid(
            field,
            format!(
                "{field}: {value} {} odds is decimal odds {out}, not a price above 1.0 at 6 \
                 decimals",
                from.name()
            ),
        ));
    }
    Ok(out)
}

/// Decimal odds (> 1) in another format.
pub fn decimal_to(price: f64, format: OddsFormat) -> Result<f64> {
    convert(price, OddsFormat::Decimal, format, "price")
}

/// Odds in `format` as decimal odds.
pub fn to_decimal_odds(odds: f64, format: OddsFormat) -> Result<f64> {
    convert(odds, format, OddsFormat::Decimal, "odds")
}

#[cfg(test)]
mod tests {
    use super::*;
    use OddsFormat::*;

    #[test]
    fn unrepresentable_prices_are_refused() {
        assert!(decimal_to(1.0000001, American).is_err());
        assert!(decimal_to(1.0000004, Malay).is_err());
        assert_eq!(decimal_to(1.000001, HongKong), Ok(0.000001));
        assert!(to_decimal_odds(-1e12, American).is_err());
        assert!(to_decimal_odds(1e-9, HongKong).is_err());
    }

    #[test]
    fn decimal_to_each_format() {
        assert_eq!(decimal_to(2.5, American), Ok(150.0));
        assert_eq!(decimal_to(1.5, American), Ok(-200.0));
        assert_eq!(decimal_to(2.0, American), Ok(100.0));
        assert_eq!(decimal_to(1.98, American), Ok(-100.0 / 0.98));
        assert_eq!(decimal_to(1.8, HongKong), Ok(0.8));
        assert_eq!(decimal_to(2.2, Indonesian), Ok(1.2));
        assert_eq!(decimal_to(1.5, Indonesian), Ok(-2.0));
        assert_eq!(decimal_to(1.5, Malay), Ok(0.5));
        assert_eq!(decimal_to(2.0, Malay), Ok(1.0));
        assert_eq!(decimal_to(3.0, Malay), Ok(-0.5));
        assert_eq!(decimal_to(1.1, HongKong), Ok(0.1)); // exact, not 0.10000000000000009
        assert_eq!(decimal_to(1.98, Decimal), Ok(1.98));
    }

    #[test]
    fn each_format_to_decimal() {
        assert_eq!(to_decimal_odds(150.0, American), Ok(2.5));
        assert_eq!(to_decimal_odds(-200.0, American), Ok(1.5));
        assert_eq!(to_decimal_odds(100.0, American), Ok(2.0));
        assert_eq!(to_decimal_odds(-100.0, American), Ok(2.0));
        assert_eq!(to_decimal_odds(-110.0, American), Ok(1.0 + 100.0 / 110.0));
        assert_eq!(to_decimal_odds(0.8, HongKong), Ok(1.8));
        assert_eq!(to_decimal_odds(1.2, Indonesian), Ok(2.2));
        assert_eq!(to_decimal_odds(-2.0, Indonesian), Ok(1.5));
        assert_eq!(to_decimal_odds(0.5, Malay), Ok(1.5));
        assert_eq!(to_decimal_odds(-0.5, Malay), Ok(3.0));
        assert_eq!(to_decimal_odds(1.0, Malay), Ok(2.0));
        assert_eq!(to_decimal_odds(-1.0, Malay), Ok(2.0));
    }

    #[test]
    fn out_of_range_values_are_refused() {
        for (value, format) in [
            (50.0, American),
            (-99.99, American),
            (0.0, HongKong),
            (-0.5, HongKong),
            (0.5, Indonesian),
            (-0.5, Indonesian),
            (0.0, Malay),
            (1.5, Malay),
            (-1.01, Malay),
            (1.0, Decimal),
            (f64::NAN, American),
            (f64::INFINITY, HongKong),
        ] {
            let err = to_decimal_odds(value, format).unwrap_err();
            assert_eq!(err.field(), Some("odds"), "{value} {format:?}");
        }
        assert_eq!(
            decimal_to(1.0, American).unwrap_err().field(),
            Some("price")
        );
        assert_eq!(decimal_to(0.5, Malay).unwrap_err().field(), Some("price"));
    }

    #[test]
    fn conversions_between_formats_round_once() {
        assert_eq!(convert(-200.0, American, Malay, "value"), Ok(0.5));
        assert_eq!(convert(0.5, Malay, American, "value"), Ok(-200.0));
        assert_eq!(convert(-0.25, Malay, Indonesian, "value"), Ok(4.0));
        assert_eq!(convert(1.25, HongKong, American, "value"), Ok(125.0));
        // -110 American is 1 + 10/11 decimal: Hong Kong 10/11 rounded once.
        assert_eq!(
            convert(-110.0, American, HongKong, "value"),
            Ok(10.0 / 11.0)
        );
        for d in [1.01, 1.5, 1.98, 2.0, 2.5, 3.75, 10.0, 101.0] {
            for f in [American, HongKong, Indonesian, Malay] {
                let there = decimal_to(d, f).unwrap();
                let back = to_decimal_odds(there, f).unwrap();
                assert!((back - d).abs() <= d * 1e-15, "{d} via {f:?}: {back}");
            }
        }
        assert_eq!(OddsFormat::parse("hongkong"), Some(HongKong));
        assert_eq!(OddsFormat::parse("fractional"), None);
        assert_eq!(Malay.name(), "malay");
    }
}
