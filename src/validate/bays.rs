//! Bay lists: parsing `"1-5,9"` and writing bays back as ranges.

use super::*;

/// Parses a bay list such as `"1-5"`, `"7"` or `"1-30,41-45"` into sorted, distinct bays.
pub fn parse_bays(text: &str) -> Result<Vec<u32>, String> {
    let mut out = BTreeSet::new();
    if text.trim().is_empty() {
        return Err("empty bay list".into());
    }
    for piece in text.split(',') {
        let piece = piece.trim();
        let num = |t: &str| -> Result<u32, String> {
            let v: u32 = t
                .trim()
                .parse()
                .map_err(|_| format!("{t:?} is not a bay number"))?;
            if v == 0 {
                return Err("bays are numbered from 1".into());
            }
            if v > MAX_BAYS {
                return Err(format!("bay {v} is beyond {MAX_BAYS}"));
            }
            Ok(v)
        };
        let (a, b) = match piece.split_once('-') {
            Some((a, b)) => (num(a)?, num(b)?),
            None => {
                let v = num(piece)?;
                (v, v)
            }
        };
        if a > b {
            return Err(format!("range {piece:?} runs backwards"));
        }
        for bay in a..=b {
            if !out.insert(bay) {
                return Err(format!("bay {bay} is listed twice"));
            }
        }
    }
    Ok(out.into_iter().collect())
}

/// `"bay 7"` or `"bays 1-5,9"`: a bay list with its noun in the right number.
pub(super) fn bay_list(bays: &[u32]) -> String {
    if bays.len() == 1 {
        format!("bay {}", bays[0])
    } else {
        format!("bays {}", format_bays(bays))
    }
}

/// `one` for a single item, `many` otherwise.
pub(super) fn agree<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// Formats sorted bays back into ranges: `[1,2,3,5]` → `"1-3,5"`.
pub fn format_bays(bays: &[u32]) -> String {
    let mut sorted = bays.to_vec();
    sorted.sort_unstable();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        out.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    out.join(",")
}
