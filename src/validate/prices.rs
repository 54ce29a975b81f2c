//! Prices: one currency per design.

use super::*;
use crate::units::Cents;

/// Currency: one per design. The most common currency (first seen on a tie) is the design's;
/// every part priced otherwise is reported where it is defined.
pub(super) fn one_currency(s: &mut Sink, currencies: &[(String, String, String)]) {
    // (count, first seen) per currency, looked up by name so many parts stay linear.
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut tally: Vec<(String, usize)> = Vec::new();
    for (_, _, cur) in currencies {
        match seen.get(cur.as_str()) {
            Some(&k) => tally[k].1 += 1,
            None => {
                seen.insert(cur.as_str(), tally.len());
                tally.push((cur.clone(), 1));
            }
        }
    }
    if let Some(main) = tally
        .iter()
        .rev()
        .max_by_key(|(_, n)| *n)
        .map(|(c, _)| c.clone())
    {
        for (pfile, place, cur) in currencies.iter().filter(|(_, _, c)| *c != main) {
            s.out.push(Diagnostic::error(
                Code::MixedCurrency,
                pfile,
                format!("{place}.price.currency"),
                format!("priced in {cur} but the design's other parts are in {main}; convert to one currency"),
            ));
        }
    }
}

/// A part's price: a non-negative amount, an ISO 4217 currency and a date; the amount in
/// cents when it reads.
pub(super) fn check_price(s: &mut Sink, place: &str, price: &spec::Price) -> Option<Cents> {
    let pp = format!("{place}.price");
    let unit = match parse_cents(&price.amount) {
        Ok(c) if c.0 < 0 => {
            s.error(
                Code::NegativePrice,
                format!("{pp}.amount"),
                format!("price {:?} is negative", price.amount),
            );
            None
        }
        Ok(c) => Some(c),
        Err(e) => {
            s.error(Code::InvalidPrice, format!("{pp}.amount"), e.to_string());
            None
        }
    };
    let cur = &price.currency;
    if cur.len() != 3 || !cur.chars().all(|c| c.is_ascii_uppercase()) {
        s.error(
            Code::InvalidPrice,
            format!("{pp}.currency"),
            format!("currency {cur:?} is not an ISO 4217 code like \"USD\""),
        );
    }
    if !valid_date(&price.date) {
        s.error(
            Code::InvalidDate,
            format!("{pp}.date"),
            format!(
                "price date {:?} is not YYYY, YYYY-MM or YYYY-MM-DD",
                price.date
            ),
        );
    }
    unit
}
