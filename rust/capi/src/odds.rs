//! Pinnacle's five odds formats.

use crate::args;
use crate::status::{guard, Failure, Outcome, WagerkitStatus};
use wagerkit_core::odds::{self, OddsFormat};

/// Odds format constant: decimal odds (2.5).
pub const WAGERKIT_ODDS_DECIMAL: i32 = 0;
/// Odds format constant: American odds (+150, -200).
pub const WAGERKIT_ODDS_AMERICAN: i32 = 1;
/// Odds format constant: Hong Kong odds (1.5).
pub const WAGERKIT_ODDS_HONGKONG: i32 = 2;
/// Odds format constant: Indonesian odds (1.5, -2).
pub const WAGERKIT_ODDS_INDONESIAN: i32 = 3;
/// Odds format constant: Malay odds (0.5, -0.5).
pub const WAGERKIT_ODDS_MALAY: i32 = 4;

fn format(code: i32, field: &'static str) -> Outcome<OddsFormat> {
    match code {
        WAGERKIT_ODDS_DECIMAL => Ok(OddsFormat::Decimal),
        WAGERKIT_ODDS_AMERICAN => Ok(OddsFormat::American),
        WAGERKIT_ODDS_HONGKONG => Ok(OddsFormat::HongKong),
        WAGERKIT_ODDS_INDONESIAN => Ok(OddsFormat::Indonesian),
        WAGERKIT_ODDS_MALAY => Ok(OddsFormat::Malay),
        other => Err(Failure::invalid(
            field,
            format!("{field} must be a WAGERKIT_ODDS_* constant (0-4), got {other}"),
        )),
    }
}

/// Converts `value` between any two of the five formats (`WAGERKIT_ODDS_*`), exactly where
/// the result is representable, rounded once to a double, into `*out`.
///
/// # Safety
/// `out` must be a writable `double`.
#[no_mangle]
pub unsafe extern "C" fn wagerkit_convert_odds(
    value: f64,
    from_format: i32,
    to_format: i32,
    out: *mut f64,
) -> WagerkitStatus {
    guard(|| {
        let from = format(from_format, "from_format")?;
        let to = format(to_format, "to_format")?;
        // SAFETY: the caller's contract.
        let out = unsafe { args::out(out, "out") }?;
        *out = odds::convert(value, from, to, "value")?;
        Ok(())
    })
}
