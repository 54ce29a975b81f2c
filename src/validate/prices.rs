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

/// Most units a price break can start at: a billion, beyond any real quote (the plan's
/// largest order is ten million pods).
pub(crate) const MAX_BREAK_QTY: u64 = 1_000_000_000;

/// A part's quantity price breaks (model §15.1): quantities strictly ascending from 2 and at
/// most [`MAX_BREAK_QTY`], amounts positive and never dearer than the list price or a smaller
/// break. Every rule is an error (`price-break`): a dearer break would make a larger order
/// cost more per unit, which is a typo in a quote, not a price. `None` when any break fails.
pub(super) fn check_breaks(
    s: &mut Sink,
    place: &str,
    price: &spec::Price,
    list: Option<Cents>,
) -> Option<Vec<PriceBreak>> {
    let mut out = Vec::with_capacity(price.breaks.len());
    let mut ok = true;
    let (mut prev_qty, mut prev_unit) = (1u64, list);
    for (i, b) in price.breaks.iter().enumerate() {
        let bp = format!("{place}.price.breaks[{i}]");
        if b.qty < 2 || b.qty > MAX_BREAK_QTY {
            ok = false;
            s.error(
                Code::PriceBreak,
                format!("{bp}.qty"),
                format!(
                    "a break at {} units: a break starts at 2 to {MAX_BREAK_QTY} units (1 unit is the list price)",
                    b.qty
                ),
            );
        } else if b.qty <= prev_qty {
            ok = false;
            s.error(
                Code::PriceBreak,
                format!("{bp}.qty"),
                format!(
                    "a break at {} units after one at {prev_qty}: list the breaks by strictly ascending quantity",
                    b.qty
                ),
            );
        }
        let unit = match parse_cents(&b.amount) {
            Ok(c) if c.0 <= 0 => {
                s.error(
                    Code::PriceBreak,
                    format!("{bp}.amount"),
                    format!("a break price of {:?} is not positive", b.amount),
                );
                None
            }
            Ok(c) => Some(c),
            Err(e) => {
                s.error(Code::InvalidPrice, format!("{bp}.amount"), e.to_string());
                None
            }
        };
        if let (Some(u), Some(p)) = (unit, prev_unit)
            && u > p
        {
            ok = false;
            let than = if i == 0 {
                "the list price".to_string()
            } else {
                format!("the break at {prev_qty} units")
            };
            s.error(
                Code::PriceBreak,
                format!("{bp}.amount"),
                format!("{u} at {} units is dearer than {than} ({p}): a larger order never pays more per unit", b.qty),
            );
        }
        if let Some(d) = &b.date
            && !valid_date(d)
        {
            ok = false;
            s.error(
                Code::InvalidDate,
                format!("{bp}.date"),
                format!("price date {d:?} is not YYYY, YYYY-MM or YYYY-MM-DD"),
            );
        }
        ok &= unit.is_some();
        prev_qty = prev_qty.max(b.qty);
        prev_unit = unit.or(prev_unit);
        if let Some(u) = unit {
            out.push(PriceBreak {
                qty: b.qty,
                unit: u,
                date: b.date.clone().unwrap_or_else(|| price.date.clone()),
                source: b.source.clone(),
            });
        }
    }
    ok.then_some(out)
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
