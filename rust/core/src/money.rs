//! Currencies (ISO 4217 with their minor-unit exponents) and amounts in minor units.
//!
//! An amount is an `i64` count of minor units of one currency: `1050` EUR cents is 10.50 EUR.
//! The exponent table is ISO 4217's; a code outside it is refused, never guessed, because a
//! wrong exponent silently multiplies a stake by 100.

use crate::decimal::{self, DecimalError, Rounding};
use crate::error::{Error, Result};
use std::fmt;

/// ISO 4217 codes with a minor-unit exponent, sorted. Codes ISO lists with no minor unit
/// (XAU, XDR, XXX, ...) are left out: they cannot hold an amount in minor units.
/// ANG, CUC, SLL and ZWL were withdrawn recently; they stay because venues' records still
/// carry them and their exponent is known (accepting them is not a guess).
#[rustfmt::skip]
const ISO_4217: &[(&str, u8)] = &[
    ("AED", 2), ("AFN", 2), ("ALL", 2), ("AMD", 2), ("ANG", 2), ("AOA", 2), ("ARS", 2),
    ("AUD", 2), ("AWG", 2), ("AZN", 2), ("BAM", 2), ("BBD", 2), ("BDT", 2), ("BGN", 2),
    ("BHD", 3), ("BIF", 0), ("BMD", 2), ("BND", 2), ("BOB", 2), ("BOV", 2), ("BRL", 2),
    ("BSD", 2), ("BTN", 2), ("BWP", 2), ("BYN", 2), ("BZD", 2), ("CAD", 2), ("CDF", 2),
    ("CHE", 2), ("CHF", 2), ("CHW", 2), ("CLF", 4), ("CLP", 0), ("CNY", 2), ("COP", 2),
    ("COU", 2), ("CRC", 2), ("CUC", 2), ("CUP", 2), ("CVE", 2), ("CZK", 2), ("DJF", 0),
    ("DKK", 2), ("DOP", 2), ("DZD", 2), ("EGP", 2), ("ERN", 2), ("ETB", 2), ("EUR", 2),
    ("FJD", 2), ("FKP", 2), ("GBP", 2), ("GEL", 2), ("GHS", 2), ("GIP", 2), ("GMD", 2),
    ("GNF", 0), ("GTQ", 2), ("GYD", 2), ("HKD", 2), ("HNL", 2), ("HTG", 2), ("HUF", 2),
    ("IDR", 2), ("ILS", 2), ("INR", 2), ("IQD", 3), ("IRR", 2), ("ISK", 0), ("JMD", 2),
    ("JOD", 3), ("JPY", 0), ("KES", 2), ("KGS", 2), ("KHR", 2), ("KMF", 0), ("KPW", 2),
    ("KRW", 0), ("KWD", 3), ("KYD", 2), ("KZT", 2), ("LAK", 2), ("LBP", 2), ("LKR", 2),
    ("LRD", 2), ("LSL", 2), ("LYD", 3), ("MAD", 2), ("MDL", 2), ("MGA", 2), ("MKD", 2),
    ("MMK", 2), ("MNT", 2), ("MOP", 2), ("MRU", 2), ("MUR", 2), ("MVR", 2), ("MWK", 2),
    ("MXN", 2), ("MXV", 2), ("MYR", 2), ("MZN", 2), ("NAD", 2), ("NGN", 2), ("NIO", 2),
    ("NOK", 2), ("NPR", 2), ("NZD", 2), ("OMR", 3), ("PAB", 2), ("PEN", 2), ("PGK", 2),
    ("PHP", 2), ("PKR", 2), ("PLN", 2), ("PYG", 0), ("QAR", 2), ("RON", 2), ("RSD", 2),
    ("RUB", 2), ("RWF", 0), ("SAR", 2), ("SBD", 2), ("SCR", 2), ("SDG", 2), ("SEK", 2),
    ("SGD", 2), ("SHP", 2), ("SLE", 2), ("SLL", 2), ("SOS", 2), ("SRD", 2), ("SSP", 2),
    ("STN", 2), ("SVC", 2), ("SYP", 2), ("SZL", 2), ("THB", 2), ("TJS", 2), ("TMT", 2),
    ("TND", 3), ("TOP", 2), ("TRY", 2), ("TTD", 2), ("TWD", 2), ("TZS", 2), ("UAH", 2),
    ("UGX", 0), ("USD", 2), ("USN", 2), ("UYI", 0), ("UYU", 2), ("UYW", 4), ("UZS", 2),
    ("VED", 2), ("VES", 2), ("VND", 0), ("VUV", 0), ("WST", 2), ("XAF", 0), ("XCD", 2),
    ("XCG", 2), ("XOF", 0), ("XPF", 0), ("YER", 2), ("ZAR", 2), ("ZMW", 2), ("ZWG", 2),
    ("ZWL", 2),
];

// Currencies are indexed by a `u8`, with 0 reserved in the lookup table.
const _: () = assert!(ISO_4217.len() < 255);

/// Number of known currencies (the size of per-currency tables such as the FX table).
pub const CURRENCY_COUNT: usize = ISO_4217.len();

const LOOKUP_SIZE: usize = 26 * 26 * 26;

/// Position of a three-letter upper-case code in a 26^3 table.
const fn slot_of(code: &[u8]) -> usize {
    (code[0] - b'A') as usize * 676 + (code[1] - b'A') as usize * 26 + (code[2] - b'A') as usize
}

/// Code → 1 + index in [`ISO_4217`] (0 = unknown), built at compile time so that a lookup is
/// one array read: currency codes arrive on every conversion call.
static LOOKUP: [u8; LOOKUP_SIZE] = {
    let mut table = [0u8; LOOKUP_SIZE];
    let mut i = 0;
    while i < ISO_4217.len() {
        table[slot_of(ISO_4217[i].0.as_bytes())] = (i + 1) as u8;
        i += 1;
    }
    table
};

/// Index of a code in [`ISO_4217`], for constants (a compile error if it is missing).
const fn index_of(code: &str) -> u8 {
    let wanted = code.as_bytes();
    let mut i = 0;
    while i < ISO_4217.len() {
        let have = ISO_4217[i].0.as_bytes();
        if have[0] == wanted[0] && have[1] == wanted[1] && have[2] == wanted[2] {
            return i as u8;
        }
        i += 1;
    }
    panic!("currency constant not in the ISO 4217 table")
}

/// A known ISO 4217 currency (a small copyable handle into the table).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency(u8);

impl Currency {
    /// US dollar: the base of ABP's rates (`currencyValue` is per 1 USD).
    pub const USD: Currency = Currency(index_of("USD"));
    /// Euro.
    pub const EUR: Currency = Currency(index_of("EUR"));

    /// Looks up an upper-case ISO 4217 code; `None` when unknown.
    #[inline]
    pub fn lookup(code: &str) -> Option<Currency> {
        let b = code.as_bytes();
        if b.len() != 3 || !b.iter().all(u8::is_ascii_uppercase) {
            return None;
        }
        match LOOKUP[slot_of(b)] {
            0 => None,
            n => Some(Currency(n - 1)),
        }
    }

    /// Like [`Currency::lookup`], with an `InvalidInput` error blaming `field`.
    #[inline]
    pub fn parse(code: &str, field: &'static str) -> Result<Currency> {
        Currency::lookup(code).ok_or_else(|| {
            Error::invalid(
                field,
                format!(
                    "{field}: unknown currency {code:?} (not an ISO 4217 code with minor units)"
                ),
            )
        })
    }

    /// The three-letter code.
    #[inline]
    pub fn code(self) -> &'static str {
        ISO_4217[self.0 as usize].0
    }

    /// Minor-unit exponent: 2 for USD, 0 for JPY, 3 for KWD.
    #[inline]
    pub fn exponent(self) -> u32 {
        u32::from(ISO_4217[self.0 as usize].1)
    }

    /// Dense index in `0..CURRENCY_COUNT`, for per-currency tables.
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// Every known currency, in code order.
    pub fn all() -> impl Iterator<Item = Currency> {
        (0..CURRENCY_COUNT as u8).map(Currency)
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Maps a decimal parsing failure onto the engine error for `field`.
pub(crate) fn decimal_error(err: DecimalError, field: &'static str, text: &str) -> Error {
    match err {
        DecimalError::Syntax => {
            Error::invalid(field, format!("{field}: {text:?} is not a decimal number"))
        }
        DecimalError::NotFinite => {
            Error::invalid(field, format!("{field} must be finite, got {text}"))
        }
        DecimalError::Overflow => Error::Overflow { field },
    }
}

/// Converts major-unit decimal text (`"10.50"`) to minor units of `currency`.
pub fn text_to_minor(
    text: &str,
    currency: Currency,
    rounding: Rounding,
    field: &'static str,
) -> Result<i64> {
    let scaled = decimal::parse_scaled(text, currency.exponent(), rounding)
        .map_err(|e| decimal_error(e, field, text))?;
    i64::try_from(scaled).map_err(|_| Error::Overflow { field })
}

/// Converts a major-unit float to minor units, reading it through its shortest decimal form.
pub fn float_to_minor(
    x: f64,
    currency: Currency,
    rounding: Rounding,
    field: &'static str,
) -> Result<i64> {
    match decimal::float_text(x) {
        Some(text) => text_to_minor(&text, currency, rounding, field),
        None => Err(Error::invalid(
            field,
            format!("{field} must be finite, got {x}"),
        )),
    }
}

/// Exact text of a minor-unit amount: `minor_to_text(75134, EUR) == "751.34"`.
pub fn minor_to_text(amount: i128, currency: Currency) -> String {
    decimal::format_scaled(amount, currency.exponent())
}

/// Amount with its code, the way decline messages print it: `"100.00 USD"`.
pub fn display_amount(amount: i128, currency: Currency) -> String {
    format!("{} {}", minor_to_text(amount, currency), currency.code())
}

/// The float nearest to a minor-unit amount (for wires that carry floats).
pub fn minor_to_f64(amount: i128, currency: Currency) -> f64 {
    decimal::text_to_f64(&minor_to_text(amount, currency))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_unique_and_upper_case() {
        for pair in ISO_4217.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{} before {}", pair[0].0, pair[1].0);
        }
        for (code, exp) in ISO_4217 {
            assert_eq!(code.len(), 3);
            assert!(code.bytes().all(|b| b.is_ascii_uppercase()));
            assert!(*exp <= 4);
            assert_eq!(Currency::lookup(code).map(Currency::code), Some(*code));
        }
        const { assert!(CURRENCY_COUNT < 255) };
    }

    #[test]
    fn exponents_follow_iso_4217() {
        let exp = |c: &str| Currency::lookup(c).unwrap().exponent();
        for c in ["USD", "EUR", "GBP", "CHF", "CNY", "BRL", "INR"] {
            assert_eq!(exp(c), 2, "{c}");
        }
        for c in [
            "JPY", "KRW", "VND", "CLP", "ISK", "XOF", "XAF", "UGX", "PYG",
        ] {
            assert_eq!(exp(c), 0, "{c}");
        }
        for c in ["KWD", "BHD", "JOD", "OMR", "TND", "LYD", "IQD"] {
            assert_eq!(exp(c), 3, "{c}");
        }
        for c in ["CLF", "UYW"] {
            assert_eq!(exp(c), 4, "{c}");
        }
        assert_eq!(Currency::USD.code(), "USD");
        assert_eq!(Currency::EUR.code(), "EUR");
    }

    #[test]
    fn unknown_codes_are_refused() {
        for bad in [
            "usd", "US", "USDT", "XAU", "XDR", "XXX", "ABC", "", "U$D", "ÜSD",
        ] {
            assert!(Currency::lookup(bad).is_none(), "{bad}");
        }
        let err = Currency::parse("XYZ", "currency").unwrap_err();
        assert_eq!(err.field(), Some("currency"));
        assert!(err.to_string().contains("XYZ"));
    }

    #[test]
    fn text_and_floats_to_minor_units() {
        let usd = Currency::USD;
        let jpy = Currency::lookup("JPY").unwrap();
        let kwd = Currency::lookup("KWD").unwrap();
        assert_eq!(
            text_to_minor("10.50", usd, Rounding::HalfEven, "amount"),
            Ok(1050)
        );
        assert_eq!(
            text_to_minor("10.505", usd, Rounding::HalfEven, "amount"),
            Ok(1050)
        );
        assert_eq!(
            text_to_minor("10.515", usd, Rounding::HalfEven, "amount"),
            Ok(1052)
        );
        assert_eq!(
            text_to_minor("10.509", usd, Rounding::Down, "amount"),
            Ok(1050)
        );
        assert_eq!(
            text_to_minor("1234.5", jpy, Rounding::HalfEven, "amount"),
            Ok(1234)
        );
        assert_eq!(
            text_to_minor("1.2345", kwd, Rounding::Up, "amount"),
            Ok(1235)
        );
        assert_eq!(
            float_to_minor(0.1 + 0.2, usd, Rounding::HalfEven, "amount"),
            Ok(30)
        );
        assert_eq!(
            float_to_minor(751.34, Currency::EUR, Rounding::Down, "amount"),
            Ok(75134)
        );
        assert!(float_to_minor(f64::INFINITY, usd, Rounding::HalfEven, "amount").is_err());
        assert!(matches!(
            text_to_minor("1e30", usd, Rounding::HalfEven, "amount"),
            Err(Error::Overflow { field: "amount" })
        ));
        assert!(matches!(
            text_to_minor("ten", usd, Rounding::HalfEven, "amount"),
            Err(Error::InvalidInput {
                field: "amount",
                ..
            })
        ));
    }

    #[test]
    fn minor_units_to_text_and_float() {
        assert_eq!(minor_to_text(75134, Currency::EUR), "751.34");
        assert_eq!(minor_to_text(-1, Currency::USD), "-0.01");
        assert_eq!(minor_to_text(5, Currency::lookup("JPY").unwrap()), "5");
        assert_eq!(minor_to_text(1, Currency::lookup("KWD").unwrap()), "0.001");
        assert_eq!(display_amount(10000, Currency::USD), "100.00 USD");
        assert_eq!(minor_to_f64(75134, Currency::EUR), 751.34);
        assert_eq!(minor_to_f64(1, Currency::lookup("CLF").unwrap()), 0.0001);
    }
}
