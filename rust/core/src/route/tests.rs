//! Hand-worked routing cases. Every expected number below was worked out by hand from
//! docs/engine.md (and checked with exact fractions), not read back from the engine.

use super::*;
use crate::book::{AccountSettings, QuoteInput};

const P_KEY: &str = "id1000004461512432:pinnacle:103:0";
const S_KEY: &str = "id1000004461512432:sharpbet:103:0";
const USD: Currency = Currency::USD;
const EUR: Currency = Currency::EUR;

fn quote(price: Price, limit: i64, limit_min: Option<i64>) -> QuoteInput {
    QuoteInput {
        price,
        limit,
        limit_min,
        active: true,
    }
}

/// EUR at ABP's example rate: 0.84788876 EUR per USD.
fn fx() -> Fx {
    let mut fx = Fx::new();
    fx.set_rate_text(EUR, "0.84788876", None).unwrap();
    fx
}

/// The quickstart betslip: pinnacle 1.98 (15000 USD, min 5 USD), sharpbet 2.0
/// (751.34 EUR, min 1 EUR). With `back = false` the same quotes stand on the lay side.
fn quickstart_side(back: bool, pinnacle_price: Price, sharpbet_price: Price) -> Book {
    let mut book = Book::new();
    book.set_account("pinnacle_main", "pinnacle", USD, AccountSettings::default())
        .unwrap();
    book.set_account("sharpbet_user", "sharpbet", EUR, AccountSettings::default())
        .unwrap();
    book.upsert(
        P_KEY,
        "pinnacle_main",
        quote(pinnacle_price, 1_500_000, Some(500)),
        back,
    )
    .unwrap();
    book.upsert(
        S_KEY,
        "sharpbet_user",
        quote(sharpbet_price, 75_134, Some(100)),
        back,
    )
    .unwrap();
    book
}

fn quickstart() -> Book {
    quickstart_side(true, 1_980_000, 2_000_000)
}

fn order(stake: i64, price: Price, partial: bool, bookmakers: Option<&[&str]>) -> Order {
    Order::new(
        stake,
        USD,
        price,
        OrderFlags {
            accept_partial_stake: partial,
            ..OrderFlags::default()
        },
        bookmakers.map(|names| names.iter().map(|s| s.to_string()).collect()),
    )
    .unwrap()
}

/// (account, price, placed stake, placed currency, order stake) of each leg.
fn legs(plan: &RoutePlan) -> Vec<(&str, Price, i64, &'static str, i64)> {
    plan.legs
        .iter()
        .map(|l| {
            (
                &*l.names.account,
                l.price,
                l.stake,
                l.currency.code(),
                l.order_stake,
            )
        })
        .collect()
}

#[test]
fn abp_worked_example_100_usd_onto_a_eur_account() {
    // 100 USD at 0.92 EUR per USD: 92.00 EUR placed, 100.00 USD filled, complete.
    let mut fx = Fx::new();
    fx.set_rate_text(EUR, "0.92", None).unwrap();
    let mut book = Book::new();
    book.set_account("betfair_eur", "betfair", EUR, AccountSettings::default())
        .unwrap();
    book.upsert(
        "f:betfair:1:0",
        "betfair_eur",
        quote(2_000_000, 100_000, None),
        true,
    )
    .unwrap();
    let plan = route(&order(10_000, 1_900_000, true, None), &mut book, &fx).unwrap();
    assert_eq!(plan.status, Status::Filled);
    assert_eq!(
        legs(&plan),
        vec![("betfair_eur", 2_000_000, 9_200, "EUR", 10_000)]
    );
    assert_eq!((plan.filled, plan.remaining), (10_000, 0));
    assert!(plan.complete());
    assert_eq!(plan.legs[0].order_currency, USD);
    assert_eq!(&*plan.legs[0].names.bookmaker, "betfair");
    assert_eq!(&*plan.legs[0].names.key, "f:betfair:1:0");
}

#[test]
fn quickstart_10_usd_mode_4_goes_to_sharpbet_and_the_cent_is_dust() {
    // sharpbet (2.0) first: 10 USD = 8.4788876 EUR → 8.47 EUR placed = 9.9895... → 9.99 USD.
    // 0.01 USD left is 0.0084788876 EUR: no cent, so the order is complete. Pinnacle could
    // take 0.01 USD, but it is below its 5 USD minimum.
    let plan = route(
        &order(1_000, 1_950_000, true, None),
        &mut quickstart(),
        &fx(),
    )
    .unwrap();
    assert_eq!(plan.mode, 4);
    assert_eq!(plan.status, Status::Filled);
    assert_eq!(
        legs(&plan),
        vec![("sharpbet_user", 2_000_000, 847, "EUR", 999)]
    );
    assert_eq!((plan.filled, plan.remaining), (999, 1));
    assert!(plan.complete());
    assert_eq!(plan.average_price(), Some(2.0));
    assert_eq!(plan.message(), "");
}

#[test]
fn quickstart_1000_usd_mode_4_exhausts_sharpbet_then_pinnacle() {
    // 1000 USD = 847.88876 EUR > 751.34 EUR limit: sharpbet takes 751.34 EUR
    // = 886.1303928... USD → 886.13 USD. The remaining 113.87 USD go to pinnacle at 1.98.
    let plan = route(
        &order(100_000, 1_950_000, true, None),
        &mut quickstart(),
        &fx(),
    )
    .unwrap();
    assert_eq!(plan.status, Status::Filled);
    assert_eq!(
        legs(&plan),
        vec![
            ("sharpbet_user", 2_000_000, 75_134, "EUR", 88_613),
            ("pinnacle_main", 1_980_000, 11_387, "USD", 11_387),
        ]
    );
    assert_eq!((plan.filled, plan.remaining), (100_000, 0));
    // (886.13 * 2.0 + 113.87 * 1.98) / 1000 = 1.9977226 exactly.
    assert_eq!(plan.average_price_scaled(), Some(1_997_723));
    assert_eq!(plan.average_price(), Some(1.9977226));
}

#[test]
fn quickstart_mode_1_at_pinnacle_too_big_is_declined() {
    let plan = route(
        &order(2_000_000, 1_950_000, false, Some(&["pinnacle"])),
        &mut quickstart(),
        &fx(),
    )
    .unwrap();
    assert_eq!(plan.mode, 1);
    assert_eq!(plan.status, Status::Declined);
    assert_eq!(plan.decline, Some(DeclineReason::StakeExceedsLimit));
    assert_eq!(
        plan.message(),
        "Order stake 20000.00 USD exceeds available limit 15000.00 USD"
    );
    assert!(plan.legs.is_empty());
    assert_eq!((plan.filled, plan.remaining), (0, 2_000_000));
}

#[test]
fn quickstart_mode_1_fills_whole_at_one_qualifying_quote() {
    let plan = route(
        &order(1_000, 1_950_000, false, Some(&["pinnacle"])),
        &mut quickstart(),
        &fx(),
    )
    .unwrap();
    assert_eq!(plan.status, Status::Filled);
    assert_eq!(
        legs(&plan),
        vec![("pinnacle_main", 1_980_000, 1_000, "USD", 1_000)]
    );
    // Mode 1 at sharpbet: 10 USD → 8.47 EUR, one bet; 9.99 USD filled.
    let plan = route(
        &order(1_000, 1_950_000, false, Some(&["sharpbet"])),
        &mut quickstart(),
        &fx(),
    )
    .unwrap();
    assert_eq!(plan.status, Status::Filled);
    assert_eq!(
        legs(&plan),
        vec![("sharpbet_user", 2_000_000, 847, "EUR", 999)]
    );
}

#[test]
fn mode_1_never_below_order_price_and_knows_the_minimum() {
    // Fits at pinnacle, but 1.98 < 2.0: wait.
    let plan = route(
        &order(1_000, 2_000_000, false, Some(&["pinnacle"])),
        &mut quickstart(),
        &fx(),
    )
    .unwrap();
    assert_eq!(plan.status, Status::Waiting);
    assert!(plan.message().contains("2"));
    // 4 USD is below pinnacle's 5 USD minimum.
    let plan = route(
        &order(400, 1_950_000, false, Some(&["pinnacle"])),
        &mut quickstart(),
        &fx(),
    )
    .unwrap();
    assert_eq!(plan.decline, Some(DeclineReason::StakeBelowMinimum));
    assert_eq!(
        plan.message(),
        "Order stake 4.00 USD is below minimum stake 5.00 USD"
    );
}

#[test]
fn price_above_every_quote_waits() {
    let plan = route(
        &order(1_000, 2_050_000, true, None),
        &mut quickstart(),
        &fx(),
    )
    .unwrap();
    assert_eq!(plan.status, Status::Waiting);
    assert!(plan.legs.is_empty());
    assert_eq!(plan.remaining, 1_000);
    assert_eq!(plan.decline, None);
}

#[test]
fn mode_2_takes_what_the_one_bookmaker_has() {
    // 20000 USD at pinnacle only: 15000 USD placed, 5000 USD keep trying.
    let plan = route(
        &order(2_000_000, 1_950_000, true, Some(&["pinnacle"])),
        &mut quickstart(),
        &fx(),
    )
    .unwrap();
    assert_eq!(plan.mode, 2);
    assert_eq!(plan.status, Status::Partial);
    assert_eq!(
        legs(&plan),
        vec![("pinnacle_main", 1_980_000, 1_500_000, "USD", 1_500_000)]
    );
    assert_eq!((plan.filled, plan.remaining), (1_500_000, 500_000));
    assert!(!plan.complete());
}

#[test]
fn first_bet_rule_waits_below_order_price_even_with_partial_stake() {
    let plan = route(
        &order(1_000, 1_990_000, true, Some(&["pinnacle"])),
        &mut quickstart(),
        &fx(),
    )
    .unwrap();
    assert_eq!(plan.status, Status::Waiting);
}

#[test]
fn weighted_average_rule_caps_the_below_price_leg() {
    // 2000 USD at 1.995, mode 4. sharpbet 2.0 first: 751.34 EUR = 886.13 USD.
    // Then pinnacle 1.98 < 1.995: room = 886.13 × (2.0 − 1.995) / (1.995 − 1.98)
    // = 295.3766... → 295.37 USD. Filled 1181.50 USD; 818.50 USD keep trying.
    let plan = route(
        &order(200_000, 1_995_000, true, None),
        &mut quickstart(),
        &fx(),
    )
    .unwrap();
    assert_eq!(plan.status, Status::Partial);
    assert_eq!(
        legs(&plan),
        vec![
            ("sharpbet_user", 2_000_000, 75_134, "EUR", 88_613),
            ("pinnacle_main", 1_980_000, 29_537, "USD", 29_537),
        ]
    );
    assert_eq!((plan.filled, plan.remaining), (118_150, 81_850));
    // (886.13 × 2.0 + 295.37 × 1.98) / 1181.50 = 1.99500008... ≥ 1.995
    let average = plan.average_price_scaled().unwrap();
    assert!(average >= 1_995_000, "{average}");
    assert_eq!(average, 1_995_000);
    assert!(plan.average_price().unwrap() >= 1.995);
    // At 1.99 the room (886.13) exceeds what is left (113.87): fully filled.
    let plan = route(
        &order(100_000, 1_990_000, true, None),
        &mut quickstart(),
        &fx(),
    )
    .unwrap();
    assert_eq!(plan.status, Status::Filled);
    assert_eq!(plan.legs[1].stake, 11_387);
}

#[test]
fn weighted_average_room_exhausted_means_skip() {
    // At exactly 2.0 the first leg leaves no slack: W − P·F = 0, pinnacle is skipped.
    let plan = route(
        &order(100_000, 2_000_000, true, None),
        &mut quickstart(),
        &fx(),
    )
    .unwrap();
    assert_eq!(plan.status, Status::Partial);
    assert_eq!(
        legs(&plan),
        vec![("sharpbet_user", 2_000_000, 75_134, "EUR", 88_613)]
    );
    assert_eq!(plan.remaining, 11_387);
}

#[test]
fn accept_better_odds_false_takes_only_the_exact_price() {
    let exact = Order::new(
        100_000,
        USD,
        1_980_000,
        OrderFlags {
            accept_better_odds: false,
            ..OrderFlags::default()
        },
        None,
    )
    .unwrap();
    let plan = route(&exact, &mut quickstart(), &fx()).unwrap();
    assert_eq!(plan.status, Status::Filled);
    assert_eq!(
        legs(&plan),
        vec![("pinnacle_main", 1_980_000, 100_000, "USD", 100_000)]
    );
}

#[test]
fn mode_3_one_bet_per_bookmaker_all_or_nothing() {
    let plan = route(
        &order(100_000, 1_950_000, false, None),
        &mut quickstart(),
        &fx(),
    )
    .unwrap();
    assert_eq!(plan.mode, 3);
    assert_eq!(plan.status, Status::Filled);
    assert_eq!(plan.legs.len(), 2);
    // 20000 USD is more than 886.13 + 15000 = 15886.13 USD.
    let plan = route(
        &order(2_000_000, 1_950_000, false, None),
        &mut quickstart(),
        &fx(),
    )
    .unwrap();
    assert_eq!(plan.decline, Some(DeclineReason::StakeExceedsLimit));
    assert_eq!(
        plan.message(),
        "Order stake 20000.00 USD exceeds available limit 15886.13 USD"
    );
    assert!(plan.legs.is_empty());
    // Enough capacity but no price: wait with no legs at all.
    let plan = route(
        &order(100_000, 2_050_000, false, None),
        &mut quickstart(),
        &fx(),
    )
    .unwrap();
    assert_eq!(plan.status, Status::Waiting);
    // Not enough at the price (only sharpbet qualifies at 1.99 as a first bet and pinnacle's
    // room is capped): mode 3 places nothing.
    let plan = route(
        &order(200_000, 1_995_000, false, None),
        &mut quickstart(),
        &fx(),
    )
    .unwrap();
    assert_eq!(plan.status, Status::Waiting);
    assert!(plan.legs.is_empty());
}

#[test]
fn mode_3_uses_each_bookmaker_once() {
    let mut book = quickstart();
    book.set_account("pinnacle_two", "pinnacle", USD, AccountSettings::default())
        .unwrap();
    book.upsert(
        P_KEY,
        "pinnacle_two",
        quote(1_980_000, 1_500_000, None),
        true,
    )
    .unwrap();
    let plan = route(&order(2_000_000, 1_950_000, false, None), &mut book, &fx()).unwrap();
    // Capacity counts pinnacle once: still 15886.13 USD.
    assert_eq!(plan.decline, Some(DeclineReason::StakeExceedsLimit));
    assert!(plan.message().ends_with("15886.13 USD"));
    // Mode 4 may use both pinnacle accounts.
    let plan = route(&order(2_000_000, 1_950_000, true, None), &mut book, &fx()).unwrap();
    assert_eq!(plan.status, Status::Filled);
    assert_eq!(plan.legs.len(), 3);
}

#[test]
fn below_every_minimum_is_declined_with_the_smallest_minimum() {
    // 0.50 USD: 0.42 EUR < 1 EUR at sharpbet, 0.50 < 5 USD at pinnacle. The smallest minimum
    // in USD is sharpbet's 1 EUR = 1.1793... → 1.18 USD (rounded up).
    let plan = route(&order(50, 1_950_000, true, None), &mut quickstart(), &fx()).unwrap();
    assert_eq!(plan.decline, Some(DeclineReason::StakeBelowMinimum));
    assert_eq!(
        plan.message(),
        "Order stake 0.50 USD is below minimum stake 1.18 USD"
    );
}

#[test]
fn lay_orders_mirror_back_orders() {
    // Lay quotes: sharpbet 2.0, pinnacle 2.1. A lay at 2.05 takes the lowest first:
    // sharpbet 886.13 USD at 2.0, then pinnacle at 2.1 > 2.05 under the weighted-average
    // rule: room = 886.13 × (2.05 − 2.0) / (2.1 − 2.05) = 886.13 ≥ 113.87 left.
    let mut book = quickstart_side(false, 2_100_000, 2_000_000);
    let lay = Order::new(
        100_000,
        USD,
        2_050_000,
        OrderFlags {
            back: false,
            ..OrderFlags::default()
        },
        None,
    )
    .unwrap();
    let plan = route(&lay, &mut book, &fx()).unwrap();
    assert_eq!(plan.status, Status::Filled);
    assert_eq!(
        legs(&plan),
        vec![
            ("sharpbet_user", 2_000_000, 75_134, "EUR", 88_613),
            ("pinnacle_main", 2_100_000, 11_387, "USD", 11_387),
        ]
    );
    // (886.13 × 2.0 + 113.87 × 2.1) / 1000 = 2.011387 ≤ 2.05
    assert_eq!(plan.average_price_scaled(), Some(2_011_387));
    // Back orders do not see lay quotes.
    let plan = route(&order(100_000, 1_500_000, true, None), &mut book, &fx()).unwrap();
    assert_eq!(plan.decline, Some(DeclineReason::BookmakerNotAvailable));
    // First-bet rule for lays: nothing at or below 1.9 → wait.
    let low = Order::new(
        1_000,
        USD,
        1_900_000,
        OrderFlags {
            back: false,
            ..OrderFlags::default()
        },
        None,
    )
    .unwrap();
    assert_eq!(
        route(&low, &mut book, &fx()).unwrap().status,
        Status::Waiting
    );
}

#[test]
fn priority_then_converted_limit_break_price_ties() {
    let mut book = Book::new();
    let settings = |priority| AccountSettings {
        priority,
        ..AccountSettings::default()
    };
    book.set_account("small_low", "alpha", USD, settings(1))
        .unwrap();
    book.set_account("big_low", "beta", EUR, settings(1))
        .unwrap();
    book.set_account("tiny_high", "gamma", USD, settings(9))
        .unwrap();
    book.upsert(
        "f:alpha:1:0",
        "small_low",
        quote(2_000_000, 10_000, None),
        true,
    )
    .unwrap();
    book.upsert(
        "f:beta:1:0",
        "big_low",
        quote(2_000_000, 50_000, None),
        true,
    )
    .unwrap();
    book.upsert(
        "f:gamma:1:0",
        "tiny_high",
        quote(2_000_000, 1_000, None),
        true,
    )
    .unwrap();
    let plan = route(&order(1_000_000, 1_500_000, true, None), &mut book, &fx()).unwrap();
    let order_of: Vec<&str> = plan.legs.iter().map(|l| &*l.names.account).collect();
    // Priority 9 first; then 500 EUR (= 589.70 USD) before 100 USD.
    assert_eq!(order_of, vec!["tiny_high", "big_low", "small_low"]);
}

#[test]
fn each_empty_step_has_its_decline() {
    let fx = fx();
    // A filter that names no bookmaker in the book.
    let plan = route(
        &order(1_000, 1_500_000, true, Some(&["betfair"])),
        &mut quickstart(),
        &fx,
    )
    .unwrap();
    assert_eq!(plan.decline, Some(DeclineReason::BookmakerNotAvailable));
    assert_eq!(plan.message(), "No odds available from betfair");
    let plan = route(&order(1_000, 1_500_000, true, None), &mut Book::new(), &fx).unwrap();
    assert_eq!(plan.message(), "No odds available from any bookmaker");

    // Inactive accounts.
    let mut book = quickstart();
    for (name, bm, ccy) in [
        ("pinnacle_main", "pinnacle", USD),
        ("sharpbet_user", "sharpbet", EUR),
    ] {
        book.set_account(
            name,
            bm,
            ccy,
            AccountSettings {
                active: false,
                ..AccountSettings::default()
            },
        )
        .unwrap();
    }
    let plan = route(
        &order(1_000, 1_500_000, true, Some(&["pinnacle", "sharpbet"])),
        &mut book,
        &fx,
    )
    .unwrap();
    assert_eq!(plan.decline, Some(DeclineReason::NoActiveAccounts));
    assert_eq!(plan.message(), "No active accounts for pinnacle, sharpbet");

    // Suspended quotes.
    let mut book = quickstart();
    book.update(
        0,
        QuoteInput {
            active: false,
            ..quote(1_980_000, 1_500_000, Some(500))
        },
    )
    .unwrap();
    book.update(
        1,
        QuoteInput {
            active: false,
            ..quote(2_000_000, 75_134, Some(100))
        },
    )
    .unwrap();
    let plan = route(&order(1_000, 1_500_000, true, None), &mut book, &fx).unwrap();
    assert_eq!(plan.decline, Some(DeclineReason::InvalidOdds));
    assert_eq!(plan.message(), "Price not available: market suspended");

    // The order currency has no rate.
    let gbp = Currency::lookup("GBP").unwrap();
    let gbp_order = Order::new(1_000, gbp, 1_500_000, OrderFlags::default(), None).unwrap();
    let plan = route(&gbp_order, &mut quickstart(), &fx).unwrap();
    assert_eq!(plan.decline, Some(DeclineReason::CurrencyConversionFailed));
    assert_eq!(plan.message(), "No exchange rate for GBP");

    // The only account currency has no rate.
    let plan = route(
        &order(1_000, 1_500_000, true, Some(&["sharpbet"])),
        &mut quickstart(),
        &Fx::new(),
    )
    .unwrap();
    assert_eq!(plan.decline, Some(DeclineReason::CurrencyConversionFailed));
    assert_eq!(plan.message(), "No exchange rate for EUR");

    // Nothing can take a bet (limits 0).
    let mut book = quickstart();
    book.update(0, quote(1_980_000, 0, None)).unwrap();
    book.update(1, quote(2_000_000, 0, None)).unwrap();
    let plan = route(&order(1_000, 1_500_000, true, None), &mut book, &fx).unwrap();
    assert_eq!(plan.decline, Some(DeclineReason::StakeExceedsLimit));
    assert_eq!(
        plan.message(),
        "Order stake 10.00 USD exceeds available limit 0.00 USD"
    );
}

#[test]
fn missing_rate_skips_only_that_account() {
    // Without an EUR rate, sharpbet drops out and pinnacle takes the order.
    let plan = route(
        &order(1_000, 1_950_000, true, None),
        &mut quickstart(),
        &Fx::new(),
    )
    .unwrap();
    assert_eq!(plan.status, Status::Filled);
    assert_eq!(
        legs(&plan),
        vec![("pinnacle_main", 1_980_000, 1_000, "USD", 1_000)]
    );
}

#[test]
fn orders_validate_and_know_their_mode() {
    let flags = OrderFlags::default();
    assert_eq!(
        Order::new(0, USD, 1_500_000, flags, None)
            .unwrap_err()
            .field(),
        Some("stake")
    );
    assert_eq!(
        Order::new(-5, USD, 1_500_000, flags, None)
            .unwrap_err()
            .field(),
        Some("stake")
    );
    assert_eq!(
        Order::new(5, USD, PRICE_SCALE, flags, None)
            .unwrap_err()
            .field(),
        Some("price")
    );
    let with = |names: Option<Vec<&str>>, partial| {
        Order::new(
            5,
            USD,
            1_500_000,
            OrderFlags {
                accept_partial_stake: partial,
                ..flags
            },
            names.map(|n| n.into_iter().map(String::from).collect()),
        )
        .unwrap()
        .mode()
    };
    assert_eq!(with(Some(vec!["pinnacle"]), false), 1);
    assert_eq!(with(Some(vec!["pinnacle", "pinnacle"]), true), 2);
    assert_eq!(with(Some(vec!["pinnacle", "sharpbet"]), false), 3);
    assert_eq!(with(None, true), 4);
    assert_eq!(with(Some(vec!["*"]), false), 3);
    assert_eq!(with(Some(vec!["*", "*"]), false), 3);
    let refused = |names: Vec<&str>| {
        Order::new(
            5,
            Currency::EUR,
            1_500_000,
            OrderFlags::default(),
            Some(names.into_iter().map(String::from).collect()),
        )
        .unwrap_err()
    };
    for names in [vec![], vec!["*", "pinnacle"], vec!["pinnacle", ""]] {
        assert!(matches!(
            refused(names),
            Error::InvalidInput {
                field: "bookmakers",
                ..
            }
        ));
    }
    let twice = order(
        5,
        1_500_000,
        true,
        Some(&["pinnacle", "sharpbet", "pinnacle"]),
    );
    assert_eq!(
        twice
            .bookmakers()
            .map(|b| b.iter().map(|n| &**n).collect::<Vec<_>>()),
        Some(vec!["pinnacle", "sharpbet"])
    );
    let o = order(5, 1_500_000, true, Some(&["*"]));
    assert_eq!(o.bookmakers().map(|b| b.len()), Some(1));
    assert_eq!(
        DeclineReason::StakeExceedsLimit.label(),
        "Stake exceeds limit"
    );
    assert_eq!(DeclineReason::ALL.len(), 7);
    assert_eq!(
        DeclineReason::BookmakerNotAvailable.name(),
        "BOOKMAKER_NOT_AVAILABLE"
    );
    assert_eq!(Status::Partial.name(), "partial");
}

#[test]
fn invariants_hold_on_many_random_books() {
    // No leg above its max or below its min; filled <= stake; the first leg qualifies; the
    // average never crosses orderPrice; mode 1 legs all qualify.
    let fx = fx();
    let mut seed: u64 = 42;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    for _ in 0..3_000 {
        let back = next(2) == 0;
        let mut book = Book::new();
        let quotes = 1 + next(8);
        for i in 0..quotes {
            let name = format!("acct{i}");
            let bookmaker = format!("bm{}", next(4));
            let currency = if next(2) == 0 { USD } else { EUR };
            let settings = AccountSettings {
                priority: next(3) as i64,
                ..AccountSettings::default()
            };
            if book
                .set_account(&name, &bookmaker, currency, settings)
                .is_err()
            {
                continue;
            }
            let input = quote(
                1_500_000 + next(20) * 50_000,
                next(50_000) as i64,
                Some(next(300) as i64),
            );
            let _ = book.upsert(&format!("f:{bookmaker}:1:0"), &name, input, back);
        }
        let stake = 1 + next(200_000) as i64;
        let price = 1_500_000 + next(20) * 50_000;
        let names = ["bm0", "bm1", "bm2", "bm3"];
        let filter: Option<Vec<String>> = match next(3) {
            0 => None,
            1 => Some(vec![names[next(4) as usize].to_owned()]),
            _ => Some(names[..2].iter().map(|s| s.to_string()).collect()),
        };
        let flags = OrderFlags {
            accept_better_odds: next(4) != 0,
            accept_partial_stake: next(2) == 0,
            back,
        };
        let o = Order::new(stake, USD, price, flags, filter).unwrap();
        let plan = route(&o, &mut book, &fx).unwrap();
        assert!(plan.filled <= stake);
        assert_eq!(plan.filled + plan.remaining, stake);
        assert_eq!(
            plan.filled,
            plan.legs.iter().map(|l| l.order_stake).sum::<i64>()
        );
        for leg in &plan.legs {
            let view = book
                .quotes(Some(back))
                .into_iter()
                .find(|v| v.names.account == leg.names.account)
                .unwrap();
            assert!(leg.stake <= view.max_stake.unwrap());
            assert!(leg.stake >= view.min_stake.max(1));
        }
        if let Some(first) = plan.legs.first() {
            assert!(at_or_better(back, first.price, price));
            let average = plan.average_price_scaled().unwrap();
            let weighted: u128 = plan
                .legs
                .iter()
                .map(|l| l.order_stake as u128 * l.price as u128)
                .sum();
            let target = price as u128 * plan.filled as u128;
            assert!(
                if back {
                    weighted >= target
                } else {
                    weighted <= target
                },
                "{average}"
            );
        }
        if plan.mode == 1 {
            assert!(plan.legs.len() <= 1);
            assert!(plan.legs.iter().all(|l| at_or_better(back, l.price, price)));
        }
        if !flags.accept_better_odds {
            assert!(plan.legs.iter().all(|l| l.price == price));
        }
        if plan.mode == 3 {
            let mut seen: Vec<&str> = plan.legs.iter().map(|l| &*l.names.bookmaker).collect();
            seen.sort();
            seen.dedup();
            assert_eq!(seen.len(), plan.legs.len());
            assert!(plan.legs.is_empty() || plan.status == Status::Filled);
        }
        assert_eq!(plan.decline.is_some(), plan.status == Status::Declined);
    }
}

// ---------------------------------------------------------------------------------------------
// Routing with prior legs (route_after)

/// A USD account `pinnacle_main` quoting `price` with `limit` (USD cents), nothing else.
fn pinnacle_only(price: Price, limit: i64) -> Book {
    let mut book = Book::new();
    book.set_account("pinnacle_main", "pinnacle", USD, AccountSettings::default())
        .unwrap();
    book.upsert(P_KEY, "pinnacle_main", quote(price, limit, None), true)
        .unwrap();
    book
}

fn prior(legs: &[(i64, Price)]) -> Vec<PriorLeg> {
    legs.iter()
        .map(|&(order_stake, price)| PriorLeg { order_stake, price })
        .collect()
}

#[test]
fn mode_2_worked_example_across_passes() {
    // The docs' Mode 2 example: orderStake 1000.00 USD, orderPrice 2.00, pinnacle only.
    let o = order(100_000, 2_000_000, true, Some(&["pinnacle"]));
    // Pass 1: market 2.10, limit 400 → 400 @ 2.10, 600 left.
    let one = route(&o, &mut pinnacle_only(2_100_000, 40_000), &fx()).unwrap();
    assert_eq!(one.status, Status::Partial);
    assert_eq!(
        legs(&one),
        vec![("pinnacle_main", 2_100_000, 40_000, "USD", 40_000)]
    );
    assert_eq!(
        (one.filled, one.prior_filled, one.remaining),
        (40_000, 0, 60_000)
    );
    let after_one = prior(&[(40_000, 2_100_000)]);

    // Pass 2: market 1.95. room = (400·2.10 − 2.00·400) / (2.00 − 1.95) = 40 / 0.05 = 800,
    // capped by the 600 left (limit 1000): 600 @ 1.95 and the order is filled.
    let two = route_after(
        &o,
        &mut pinnacle_only(1_950_000, 100_000),
        &fx(),
        &after_one,
    )
    .unwrap();
    assert_eq!(two.status, Status::Filled);
    assert!(two.complete());
    assert_eq!(
        legs(&two),
        vec![("pinnacle_main", 1_950_000, 60_000, "USD", 60_000)]
    );
    assert_eq!(
        (two.filled, two.prior_filled, two.remaining),
        (60_000, 40_000, 0)
    );
    assert_eq!(two.average_price_scaled(), Some(1_950_000)); // this plan's legs only
                                                             // (840 + 1170) / 1000 = 2.01 ≥ 2.00 over the whole order.

    // Pass 2 with limit 500: capped by the limit instead; 100 stay open.
    let two = route_after(&o, &mut pinnacle_only(1_950_000, 50_000), &fx(), &after_one).unwrap();
    assert_eq!(two.status, Status::Partial);
    assert_eq!(
        legs(&two),
        vec![("pinnacle_main", 1_950_000, 50_000, "USD", 50_000)]
    );
    assert_eq!((two.filled, two.remaining), (50_000, 10_000));
    assert_eq!(
        two.message(),
        "Filled 900.00 USD of 1000.00 USD; the rest waits for a price at or better than 2"
    );

    // Pass 2 with limit 1000 but room 800 < what is left: orderStake 2000 → capped at 800.
    let big = order(200_000, 2_000_000, true, Some(&["pinnacle"]));
    let two = route_after(
        &big,
        &mut pinnacle_only(1_950_000, 100_000),
        &fx(),
        &after_one,
    )
    .unwrap();
    assert_eq!(two.status, Status::Partial);
    assert_eq!(two.legs[0].stake, 80_000);
    assert_eq!(
        (two.filled, two.prior_filled, two.remaining),
        (80_000, 40_000, 80_000)
    );
    // Now W = 840 + 1560 = 2400 = 2.00 · 1200: the slack is gone, 1.95 is exhausted.
    let three = route_after(
        &big,
        &mut pinnacle_only(1_950_000, 100_000),
        &fx(),
        &prior(&[(40_000, 2_100_000), (80_000, 1_950_000)]),
    )
    .unwrap();
    assert_eq!(three.status, Status::Partial);
    assert!(three.legs.is_empty());
    assert_eq!(
        (three.filled, three.prior_filled, three.remaining),
        (0, 120_000, 80_000)
    );

    // Pass 3 of the limit-500 line: 400 @ 2.10 + 500 @ 1.95, market 1.90.
    // room = (840 + 975 − 1800) / (2.00 − 1.90) = 15 / 0.10 = 150 ≥ the 100 left → filled.
    let three = route_after(
        &o,
        &mut pinnacle_only(1_900_000, 50_000),
        &fx(),
        &prior(&[(40_000, 2_100_000), (50_000, 1_950_000)]),
    )
    .unwrap();
    assert_eq!(three.status, Status::Filled);
    assert_eq!(three.legs[0].stake, 10_000);
}

#[test]
fn without_prior_the_same_pass_waits() {
    // The pass-2 book alone: 1.95 < 2.00 and no earlier fill, so the first-bet rule waits.
    let o = order(60_000, 2_000_000, true, Some(&["pinnacle"]));
    let plan = route(&o, &mut pinnacle_only(1_950_000, 100_000), &fx()).unwrap();
    assert_eq!(plan.status, Status::Waiting);
    let same = route_after(&o, &mut pinnacle_only(1_950_000, 100_000), &fx(), &[]).unwrap();
    assert_eq!(same, plan);
}

#[test]
fn room_is_exact_in_fixed_point() {
    // prior 1 cent @ 2.000001 over P = 2.00: W − P·F = 0.000001 cent-units, gap 0.5 →
    // room = 1 / 500000 → 0. Nothing at 1.50; the same cent @ 2.5 gives room 1 cent.
    let o = order(10_000, 2_000_000, true, Some(&["pinnacle"]));
    let tiny = route_after(
        &o,
        &mut pinnacle_only(1_500_000, 100_000),
        &fx(),
        &prior(&[(1, 2_000_001)]),
    )
    .unwrap();
    assert!(tiny.legs.is_empty());
    assert_eq!(tiny.status, Status::Partial);
    let one = route_after(
        &o,
        &mut pinnacle_only(1_500_000, 100_000),
        &fx(),
        &prior(&[(1, 2_500_000)]),
    )
    .unwrap();
    assert_eq!(legs(&one), vec![("pinnacle_main", 1_500_000, 1, "USD", 1)]);
}

#[test]
fn prior_below_order_price_blocks_only_below_price_legs() {
    // A prior average under P leaves no slack (saturating), but better prices still fill.
    let o = order(10_000, 2_000_000, true, None);
    let below = route_after(
        &o,
        &mut pinnacle_only(1_950_000, 100_000),
        &fx(),
        &prior(&[(1_000, 1_900_000)]),
    )
    .unwrap();
    assert!(below.legs.is_empty());
    let better = route_after(
        &o,
        &mut pinnacle_only(2_050_000, 100_000),
        &fx(),
        &prior(&[(1_000, 1_900_000)]),
    )
    .unwrap();
    assert_eq!(better.status, Status::Filled);
    assert_eq!(better.legs[0].stake, 9_000);
}

#[test]
fn prior_covering_the_stake_is_filled_without_legs_whatever_the_book() {
    let o = order(10_000, 2_000_000, true, None);
    let done = prior(&[(4_000, 2_100_000), (6_000, 2_000_000)]);
    let plan = route_after(&o, &mut pinnacle_only(2_100_000, 100_000), &fx(), &done).unwrap();
    assert_eq!(plan.status, Status::Filled);
    assert!(plan.legs.is_empty() && plan.complete());
    assert_eq!(
        (plan.filled, plan.prior_filled, plan.remaining),
        (0, 10_000, 0)
    );
    assert_eq!(plan.average_price(), None);
    // An empty book would decline a fresh order; this one is already whole.
    let plan = route_after(&o, &mut Book::new(), &fx(), &done).unwrap();
    assert_eq!(plan.status, Status::Filled);
    assert_eq!(plan.decline, None);
}

#[test]
fn a_book_that_would_decline_leaves_a_prior_order_partial_with_the_reason() {
    let o = order(10_000, 2_000_000, true, Some(&["pinnacle"]));
    let mut book = Book::new();
    book.set_account("pinnacle_main", "pinnacle", USD, AccountSettings::default())
        .unwrap();
    let mut suspended = quote(2_100_000, 100_000, None);
    suspended.active = false;
    book.upsert(P_KEY, "pinnacle_main", suspended, true)
        .unwrap();
    let fresh = route(&o, &mut book, &fx()).unwrap();
    assert_eq!(fresh.decline, Some(DeclineReason::InvalidOdds));
    let plan = route_after(&o, &mut book, &fx(), &prior(&[(4_000, 2_100_000)])).unwrap();
    assert_eq!(plan.status, Status::Partial);
    assert_eq!(plan.decline, None);
    assert!(plan.legs.is_empty());
    assert_eq!(
        (plan.filled, plan.prior_filled, plan.remaining),
        (0, 4_000, 6_000)
    );
    assert_eq!(
        plan.message(),
        "Filled 40.00 USD of 100.00 USD; nothing more can be placed now: \
         Price not available: market suspended"
    );
}

#[test]
fn prior_with_exact_price_only_still_ignores_other_prices() {
    // acceptBetterOdds=false: the prior's surplus (2.10 > 2.00) never opens 1.95 [choice].
    let o = Order::new(
        10_000,
        USD,
        2_000_000,
        OrderFlags {
            accept_better_odds: false,
            ..OrderFlags::default()
        },
        Some(vec!["pinnacle".to_owned()]),
    )
    .unwrap();
    let p = prior(&[(4_000, 2_100_000)]);
    let plan = route_after(&o, &mut pinnacle_only(1_950_000, 100_000), &fx(), &p).unwrap();
    assert!(plan.legs.is_empty());
    let plan = route_after(&o, &mut pinnacle_only(2_000_000, 100_000), &fx(), &p).unwrap();
    assert_eq!(plan.status, Status::Filled);
    assert_eq!(plan.legs[0].stake, 6_000);
}

#[test]
fn lay_prior_mirrors_back_prior() {
    // Lay at P = 2.00: prior 400 @ 1.90 leaves (2.00·400 − 760) / (2.05 − 2.00) = 800 of room.
    let mut book = Book::new();
    book.set_account("x", "exchange", USD, AccountSettings::default())
        .unwrap();
    book.upsert(
        "f:exchange:1:0",
        "x",
        quote(2_050_000, 100_000, None),
        false,
    )
    .unwrap();
    let lay = Order::new(
        200_000,
        USD,
        2_000_000,
        OrderFlags {
            back: false,
            ..OrderFlags::default()
        },
        None,
    )
    .unwrap();
    let plan = route_after(&lay, &mut book, &fx(), &prior(&[(40_000, 1_900_000)])).unwrap();
    assert_eq!(plan.legs[0].stake, 80_000);
    assert_eq!(plan.remaining, 80_000);
}

#[test]
fn prior_dust_is_judged_on_this_plans_legs() {
    // 10 USD order, prior 1.00 USD; sharpbet (EUR) takes 9.00 USD = 7.63 EUR → 9.00 USD
    // (7.631 EUR rounded down to 7.63 = 8.9989... → 9.00 USD half-even); nothing left.
    // With 9.99 USD of prior and an EUR-only book, 0.01 USD is below a EUR cent, but with no
    // new leg the order is partial (the prior legs carry no currency).
    let o = order(1_000, 1_950_000, true, Some(&["sharpbet"]));
    let plan = route_after(&o, &mut quickstart(), &fx(), &prior(&[(999, 2_000_000)])).unwrap();
    assert!(plan.legs.is_empty());
    assert_eq!(plan.status, Status::Partial);
    assert_eq!(plan.remaining, 1);
    let plan = route_after(&o, &mut quickstart(), &fx(), &prior(&[(100, 2_000_000)])).unwrap();
    assert_eq!(
        legs(&plan),
        vec![("sharpbet_user", 2_000_000, 763, "EUR", 900)]
    );
    assert_eq!(plan.status, Status::Filled);
}

#[test]
fn prior_is_validated() {
    let fx = fx();
    let partial = order(10_000, 2_000_000, true, None);
    let field = |o: &Order, p: &[(i64, Price)]| {
        route_after(o, &mut quickstart(), &fx, &prior(p))
            .unwrap_err()
            .field()
    };
    assert_eq!(field(&partial, &[(0, 2_000_000)]), Some("prior"));
    assert_eq!(field(&partial, &[(-1, 2_000_000)]), Some("prior"));
    assert_eq!(field(&partial, &[(100, PRICE_SCALE)]), Some("prior"));
    assert_eq!(
        field(&partial, &[(6_000, 2_000_000), (4_001, 2_000_000)]),
        Some("prior")
    );
    assert_eq!(
        field(&partial, &[(i64::MAX, 2_000_000), (i64::MAX, 2_000_000)]),
        Some("prior")
    );
    let mode_1 = order(10_000, 2_000_000, false, Some(&["pinnacle"]));
    let mode_3 = order(10_000, 2_000_000, false, None);
    assert_eq!(field(&mode_1, &[(100, 2_000_000)]), Some("prior"));
    assert_eq!(field(&mode_3, &[(100, 2_000_000)]), Some("prior"));
    // The all-or-nothing modes route as before with no prior legs.
    assert!(route_after(&mode_1, &mut quickstart(), &fx, &[]).is_ok());
    // Exactly the stake is allowed.
    assert!(route_after(
        &partial,
        &mut quickstart(),
        &fx,
        &prior(&[(10_000, 1_010_000)])
    )
    .is_ok());
}

#[test]
fn invariants_hold_with_random_priors() {
    // A first pass at one price, then later passes at random prices with the earlier legs as
    // prior: the whole order's average never crosses P, the total never exceeds the stake,
    // and prior + filled + remaining = stake.
    let fx = fx();
    let mut seed: u64 = 7;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    for _ in 0..2_000 {
        let back = next(2) == 0;
        let price = 1_500_000 + next(20) * 50_000;
        let stake = 1 + next(300_000) as i64;
        let o = Order::new(
            stake,
            USD,
            price,
            OrderFlags {
                back,
                ..OrderFlags::default()
            },
            if next(2) == 0 {
                None
            } else {
                Some(vec!["bm0".to_owned()])
            },
        )
        .unwrap();
        let mut done: Vec<PriorLeg> = Vec::new();
        for _pass in 0..4 {
            let mut book = Book::new();
            for i in 0..1 + next(4) {
                let name = format!("a{i}");
                let currency = if next(2) == 0 { USD } else { EUR };
                book.set_account(&name, "bm0", currency, AccountSettings::default())
                    .unwrap();
                let input = quote(
                    1_200_000 + next(30) * 50_000,
                    next(100_000) as i64,
                    Some(next(200) as i64),
                );
                book.upsert("f:bm0:1:0", &name, input, back).unwrap();
            }
            let plan = route_after(&o, &mut book, &fx, &done).unwrap();
            let before: i64 = done.iter().map(|l| l.order_stake).sum();
            assert_eq!(plan.prior_filled, before);
            assert_eq!(plan.prior_filled + plan.filled + plan.remaining, stake);
            done.extend(plan.legs.iter().map(|l| PriorLeg {
                order_stake: l.order_stake,
                price: l.price,
            }));
            let total: i64 = done.iter().map(|l| l.order_stake).sum();
            assert!(total <= stake);
            let weighted: u128 = done
                .iter()
                .map(|l| l.order_stake as u128 * l.price as u128)
                .sum();
            let target = price as u128 * total as u128;
            assert!(if back {
                weighted >= target
            } else {
                weighted <= target
            });
            if !done.is_empty() {
                assert!(matches!(plan.status, Status::Filled | Status::Partial));
            }
            if plan.status == Status::Filled {
                break;
            }
        }
    }
}
