//! ABP's stake-limit cascade.
//!
//! The effective limits of a quote are resolved in its account currency, first non-null wins:
//! `max = account.maxStake → bookmaker.maxStake → odds.limit`,
//! `min = account.minStake → bookmaker.minStake → odds.limitMin → 0`.
//! On top of ABP's rule, an account balance (when known) caps the max: a bettor cannot stake
//! more than the account holds (our choice, docs/engine.md §2).

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

/// The max after the balance cap.
#[inline]
pub fn cap_by_balance(max: Option<i64>, balance: Option<i64>) -> Option<i64> {
    match (max, balance) {
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
        assert_eq!(cap_by_balance(Some(1000), Some(400)), Some(400));
        assert_eq!(cap_by_balance(Some(300), Some(400)), Some(300));
        assert_eq!(cap_by_balance(None, Some(400)), Some(400));
        assert_eq!(cap_by_balance(Some(300), None), Some(300));
        assert_eq!(cap_by_balance(None, None), None);
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
