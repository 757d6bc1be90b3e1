//! Building a [`Book`] from an ABP betslip (`GET /betslip`).
//!
//! The betslip's `odds` object maps bookmaker → market key → quote, each quote already after
//! ABP's limit cascade, in its account's `limitCurrency`, with the account name and the
//! rate snapshot (`currencyInfo`) of that currency. Either the whole betslip or only its `odds`
//! object is accepted. Numbers are read through their shortest decimal form, as everywhere.

use crate::book::{AccountSettings, Book, QuoteInput};
use crate::decimal::{self, Rounding};
use crate::error::{Error, Result};
use crate::money::{decimal_error, float_to_minor, Currency};
use crate::price::price_from_f64;
use serde::Deserialize;
use serde_json::{Map, Value};

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawQuote {
    price: f64,
    limit: f64,
    #[serde(default)]
    limit_min: Option<f64>,
    limit_currency: String,
    #[serde(default = "yes")]
    active: bool,
    account: String,
    #[serde(default)]
    currency_info: Option<RawCurrencyInfo>,
    /// Not in ABP's betslip (always back); accepted so lay books can be described too.
    #[serde(default = "yes")]
    back: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCurrencyInfo {
    currency: String,
    currency_value: f64,
    #[serde(default)]
    updated_at: Option<String>,
}

/// A `currencyInfo` found in a betslip: units of `currency` per 1 USD, scaled by 10^12.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BetslipRate {
    pub currency: Currency,
    pub value: u128,
    pub updated_at: Option<String>,
}

/// Prefixes an error's message with where in the betslip it happened.
fn located(err: Error, place: &str) -> Error {
    match err {
        Error::InvalidInput { field, message } => Error::InvalidInput {
            field,
            message: format!("betslip {place}: {message}"),
        },
        other => other,
    }
}

impl Book {
    /// Parses betslip JSON (the whole response or only its `odds` object) into a book, and
    /// returns the `currencyInfo` rates it carries (one per currency, the last seen wins).
    pub fn from_betslip_json(data: &[u8]) -> Result<(Book, Vec<BetslipRate>)> {
        let root: Value = serde_json::from_slice(data)
            .map_err(|e| Error::invalid("data", format!("betslip is not valid JSON: {e}")))?;
        Book::from_betslip_value(&root)
    }

    /// Like [`Book::from_betslip_json`], from an already parsed JSON value.
    pub fn from_betslip_value(root: &Value) -> Result<(Book, Vec<BetslipRate>)> {
        let odds = odds_object(root)?;
        let mut book = Book::new();
        let mut rates: Vec<BetslipRate> = Vec::new();
        for (bookmaker, markets) in odds {
            let markets = match markets {
                Value::Object(markets) => markets,
                Value::Null => continue,
                _ => {
                    return Err(Error::invalid(
                        "data",
                        format!("betslip odds.{bookmaker} must be an object of market keys"),
                    ))
                }
            };
            for (key, quote) in markets {
                if quote.is_null() {
                    continue;
                }
                let place = format!("odds.{bookmaker}.{key}");
                let raw = RawQuote::deserialize(quote)
                    .map_err(|e| Error::invalid("data", format!("betslip {place}: {e}")))?;
                add_quote(&mut book, &mut rates, bookmaker, key, &raw)
                    .map_err(|e| located(e, &place))?;
            }
        }
        Ok((book, rates))
    }
}

/// The `odds` object: `root["odds"]` for a whole betslip, else `root` itself.
fn odds_object(root: &Value) -> Result<&Map<String, Value>> {
    let Value::Object(top) = root else {
        return Err(Error::invalid("data", "betslip must be a JSON object"));
    };
    match top.get("odds") {
        Some(Value::Object(odds)) => Ok(odds),
        Some(_) => Err(Error::invalid("data", "betslip odds must be an object")),
        None => Ok(top),
    }
}

fn add_quote(
    book: &mut Book,
    rates: &mut Vec<BetslipRate>,
    bookmaker: &str,
    key: &str,
    raw: &RawQuote,
) -> Result<()> {
    let currency = Currency::parse(&raw.limit_currency, "limitCurrency")?;
    let input = QuoteInput {
        price: price_from_f64(raw.price, "price")?,
        // A maximum is rounded down and a minimum up, so that no leg can exceed the limit
        // the bookmaker sent (751.3451 EUR → 751.34) or fall below its minimum.
        limit: float_to_minor(raw.limit, currency, Rounding::Down, "limit")?,
        limit_min: raw
            .limit_min
            .map(|m| float_to_minor(m, currency, Rounding::Up, "limitMin"))
            .transpose()?,
        active: raw.active,
    };
    // Keyed by (bookmaker, username): two bookmakers may share a username.
    book.put_account(
        &raw.account,
        bookmaker,
        currency,
        AccountSettings::default(),
        false,
    )?;
    book.upsert(key, &raw.account, input, raw.back)?;
    if let Some(info) = &raw.currency_info {
        let rate = rate_of(info)?;
        rates.retain(|r| r.currency != rate.currency);
        rates.push(rate);
    }
    Ok(())
}

fn rate_of(info: &RawCurrencyInfo) -> Result<BetslipRate> {
    let currency = Currency::parse(&info.currency, "currencyInfo.currency")?;
    let field = "currencyInfo.currencyValue";
    let text = decimal::float_text(info.currency_value)
        .ok_or_else(|| Error::invalid(field, "currencyValue must be finite"))?;
    let value = decimal::parse_scaled(&text, 12, Rounding::HalfEven)
        .map_err(|e| decimal_error(e, field, &text))?;
    if value <= 0 {
        return Err(Error::invalid(
            field,
            format!("currencyValue must be > 0, got {text}"),
        ));
    }
    Ok(BetslipRate {
        currency,
        value: value as u128,
        updated_at: info.updated_at.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The betslip of ABP's quickstart, verbatim in shape.
    pub(crate) const QUICKSTART: &str = r#"{
      "fixtureId": "id1000004461512432", "outcomeId": 103, "playerId": 0, "client": "your-client",
      "fixtureInfo": {"sport": {"sportId": 10, "sportName": "Soccer"}},
      "outcomeInfo": {"marketName": "Full Time Result", "outcomeName": "2"},
      "odds": {
        "pinnacle": {
          "id1000004461512432:pinnacle:103:0": {
            "price": 1.98, "limit": 15000, "limitMin": 5, "limitCurrency": "USD",
            "limitUsd": 15000, "limitMinUsd": 5, "active": true, "account": "pinnacle_main",
            "currencyInfo": {"currency": "USD", "currencyValue": 1, "updatedAt": "2026-02-07T17:29:32+00:00"}
          }
        },
        "sharpbet": {
          "id1000004461512432:sharpbet:103:0": {
            "price": 2.0, "limit": 751.34, "limitMin": 1, "limitCurrency": "EUR",
            "limitUsd": 886.13, "limitMinUsd": 1.18, "active": true, "account": "sharpbet_user",
            "currencyInfo": {"currency": "EUR", "currencyValue": 0.84788876, "updatedAt": "2026-02-07T17:29:32+00:00"}
          }
        }
      }
    }"#;

    #[test]
    fn quickstart_betslip_becomes_a_book() {
        let (mut book, rates) = Book::from_betslip_json(QUICKSTART.as_bytes()).unwrap();
        assert_eq!(book.len(), 2);
        let quotes = book.quotes(Some(true));
        assert_eq!(&*quotes[0].names.account, "sharpbet_user");
        assert_eq!(quotes[0].price, 2_000_000);
        assert_eq!(quotes[0].limit, 75_134);
        assert_eq!(quotes[0].limit_min, Some(100));
        assert_eq!(quotes[0].currency, Currency::EUR);
        assert_eq!(quotes[0].priority, 0);
        assert_eq!(quotes[1].limit, 1_500_000);
        assert_eq!(quotes[1].min_stake, 500);
        assert_eq!(book.best_price(true), Some(2_000_000));
        assert_eq!(
            rates,
            vec![
                BetslipRate {
                    currency: Currency::USD,
                    value: 1_000_000_000_000,
                    updated_at: Some("2026-02-07T17:29:32+00:00".into())
                },
                BetslipRate {
                    currency: Currency::EUR,
                    value: 847_888_760_000,
                    updated_at: Some("2026-02-07T17:29:32+00:00".into())
                },
            ]
        );
    }

    #[test]
    fn the_odds_object_alone_is_enough() {
        let root: Value = serde_json::from_str(QUICKSTART).unwrap();
        let odds = serde_json::to_vec(&root["odds"]).unwrap();
        let (book, rates) = Book::from_betslip_json(&odds).unwrap();
        assert_eq!(book.len(), 2);
        assert_eq!(rates.len(), 2);
    }

    #[test]
    fn malformed_betslips_are_refused_with_the_place() {
        let cases = [
            ("[1, 2]", "data"),
            ("{not json", "data"),
            (r#"{"odds": 5}"#, "data"),
            (r#"{"odds": {"pinnacle": 3}}"#, "data"),
            (
                r#"{"pinnacle": {"f:pinnacle:1:0": {"price": 1.5}}}"#,
                "data",
            ),
            (
                r#"{"pinnacle": {"f:pinnacle:1:0": {"price": 1.5, "limit": 10, "limitCurrency": "XYZ", "account": "a"}}}"#,
                "limitCurrency",
            ),
            (
                r#"{"pinnacle": {"f:pinnacle:1:0": {"price": 1.0, "limit": 10, "limitCurrency": "USD", "account": "a"}}}"#,
                "price",
            ),
            (
                r#"{"pinnacle": {"f:other:1:0": {"price": 1.5, "limit": 10, "limitCurrency": "USD", "account": "a"}}}"#,
                "key",
            ),
            (
                r#"{"pinnacle": {"f:pinnacle:1:0": {"price": 1.5, "limit": -1, "limitCurrency": "USD", "account": "a"}}}"#,
                "limit",
            ),
        ];
        for (json, field) in cases {
            let err = Book::from_betslip_json(json.as_bytes()).unwrap_err();
            assert_eq!(err.field(), Some(field), "{json}: {err}");
        }
        let err = Book::from_betslip_json(
            br#"{"pinnacle": {"f:pinnacle:1:0": {"price": 1.5, "limit": 10, "limitCurrency": "USD", "account": "a"}}}"#,
        )
        .map(|(b, _)| b.len());
        assert_eq!(err, Ok(1));
    }
}
