//! ABP's stake-limit cascade.
//!
//! The effective limits of a quote are resolved in its account currency, first non-null wins:
//! `max = account.maxStake → bookmaker.maxStake → odds.limit`,
//! `min = account.minStake → bookmaker.minStake → odds.limitMin → 0`.
//! On top of ABP's rule, an account balance (when known) caps the max: a bettor cannot stake
//! more than the account holds (our choice, docs/engine.md §2). A back bet risks its stake, a
//! lay bet risks its liability `stake × (price − 1)`: the balance bounds what is at risk.

use crate::price::{Price, PRICE_SCALE};

/// The six inputs of the cascade, all in minor units of the account currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LimitInputs {
    pub account_max: Option<i64>,
    pub account_min: Option<i64>,
    pub bookmaker_max: Option<i64>,
    pub bookmaker_min: Option<i64>,
    pub odds_limit: Option<i64>,
    pub odds_limit_min: Option<i64>,
}

/// Effective `(max, min)`: `max` is `None` only when every max input is null.
#[inline]
pub fn effective_limits(inputs: &LimitInputs) -> (Option<i64>, i64) {
    let max = inputs
        .account_max
        .or(inputs.bookmaker_max)
        .or(inputs.odds_limit);
    let min = inputs
        .account_min
        .or(inputs.bookmaker_min)
        .or(inputs.odds_limit_min)
        .unwrap_or(0);
    (max, min)
}

/// The largest stake whose risk fits in `balance`: the balance itself for a back quote; for a
/// lay quote at `price` (fixed point, > PRICE_SCALE) the largest stake whose liability
/// `stake × (price − 1)` is at most the balance, `floor(balance·PRICE_SCALE / (price − PRICE_SCALE))`
/// in exact integers (saturating at `i64::MAX`).
#[inline]
pub fn balance_stake(balance: i64, back: bool, price: Price) -> i64 {
    if back || balance <= 0 {
        return balance;
    }
    let edge = u128::from(price.saturating_sub(PRICE_SCALE).max(1));
    let stake = balance as u128 * u128::from(PRICE_SCALE) / edge;
    i64::try_from(stake).unwrap_or(i64::MAX)
}

/// The max after the balance cap (see [`balance_stake`]).
#[inline]
pub fn cap_by_balance(
    max: Option<i64>,
    balance: Option<i64>,
    back: bool,
    price: Price,
) -> Option<i64> {
    match (max, balance.map(|b| balance_stake(b, back, price))) {
        (Some(m), Some(b)) => Some(m.min(b)),
        (None, Some(b)) => Some(b),
        (m, None) => m,
    }
}

/// Whether a quote with these effective limits can take any bet: `max > 0` and `max >= min`.
#[inline]
pub fn can_take_bet(max: Option<i64>, min: i64) -> bool {
    matches!(max, Some(m) if m > 0 && m >= min)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_non_null_wins() {
        let all = LimitInputs {
            account_max: Some(100),
            account_min: Some(10),
            bookmaker_max: Some(200),
            bookmaker_min: Some(20),
            odds_limit: Some(300),
            odds_limit_min: Some(30),
        };
        assert_eq!(effective_limits(&all), (Some(100), 10));
        let no_account = LimitInputs {
            account_max: None,
            account_min: None,
            ..all
        };
        assert_eq!(effective_limits(&no_account), (Some(200), 20));
        let odds_only = LimitInputs {
            odds_limit: Some(300),
            odds_limit_min: Some(30),
            ..LimitInputs::default()
        };
        assert_eq!(effective_limits(&odds_only), (Some(300), 30));
        assert_eq!(effective_limits(&LimitInputs::default()), (None, 0));
    }

    #[test]
    fn zero_is_a_value_not_a_null() {
        let inputs = LimitInputs {
            account_max: Some(0),
            odds_limit: Some(300),
            account_min: Some(0),
            odds_limit_min: Some(5),
            ..LimitInputs::default()
        };
        assert_eq!(effective_limits(&inputs), (Some(0), 0));
    }

    #[test]
    fn balance_caps_the_max() {
        let p = 2 * PRICE_SCALE;
        assert_eq!(cap_by_balance(Some(1000), Some(400), true, p), Some(400));
        assert_eq!(cap_by_balance(Some(300), Some(400), true, p), Some(300));
        assert_eq!(cap_by_balance(None, Some(400), true, p), Some(400));
        assert_eq!(cap_by_balance(Some(300), None, true, p), Some(300));
        assert_eq!(cap_by_balance(None, None, true, p), None);
    }

    #[test]
    fn balance_caps_a_lay_liability() {
        // Lay at 6.0 with 100.00 of balance: at most 20.00 of stake (liability 100.00).
        assert_eq!(
            cap_by_balance(Some(180_000), Some(10_000), false, 6 * PRICE_SCALE),
            Some(2_000)
        );
        // Lay at 1.5: liability is half the stake, so the stake may exceed the balance.
        assert_eq!(
            cap_by_balance(Some(50_000), Some(10_000), false, 1_500_000),
            Some(20_000)
        );
        // Rounded down: 7.0 → 100.00 / 6 = 16.66.
        assert_eq!(
            cap_by_balance(None, Some(10_000), false, 7 * PRICE_SCALE),
            Some(1_666)
        );
        // Tiny edge: saturates instead of overflowing.
        assert_eq!(
            cap_by_balance(None, Some(i64::MAX), false, PRICE_SCALE + 1),
            Some(i64::MAX)
        );
        for balance in [0_i64, 1, 999, 10_000, 123_456_789] {
            for price in [
                1_000_001_u64,
                1_010_000,
                2_000_000,
                7_300_000,
                1_000_000_000,
            ] {
                let stake = balance_stake(balance, false, price);
                let liability = stake as u128 * u128::from(price - PRICE_SCALE);
                assert!(liability <= balance as u128 * u128::from(PRICE_SCALE));
                let more = (stake as u128 + 1) * u128::from(price - PRICE_SCALE);
                assert!(stake == i64::MAX || more > balance as u128 * u128::from(PRICE_SCALE));
            }
        }
    }

    #[test]
    fn a_quote_takes_bets_only_with_room() {
        assert!(can_take_bet(Some(1), 0));
        assert!(can_take_bet(Some(500), 500));
        assert!(!can_take_bet(Some(499), 500));
        assert!(!can_take_bet(Some(0), 0));
        assert!(!can_take_bet(Some(-5), 0));
        assert!(!can_take_bet(None, 0));
    }
}
