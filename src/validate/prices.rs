//! Prices: one currency per design.

use super::*;

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
