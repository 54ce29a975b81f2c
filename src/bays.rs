//! The bay-list notation of design files and output: `"1-5,9"` read into bays, and bays written
//! back as ranges. Every layer uses it (validation reads it, engines key results by it,
//! renderers print it), so it belongs to none of them.

use std::collections::BTreeSet;

/// Largest bay number accepted anywhere (a chassis with more bays is not a pod).
pub const MAX_BAYS: u32 = 10_000;

/// Why a bay list does not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BaysError {
    /// Nothing in the list.
    #[error("empty bay list")]
    Empty,
    /// A piece that is not a whole number.
    #[error("{0:?} is not a bay number")]
    NotANumber(String),
    /// Bay 0.
    #[error("bays are numbered from 1")]
    Zero,
    /// A bay beyond [`MAX_BAYS`].
    #[error("bay {0} is beyond {MAX_BAYS}")]
    TooLarge(u32),
    /// A range whose end is below its start.
    #[error("range {0:?} runs backwards")]
    Backwards(String),
    /// A bay listed twice.
    #[error("bay {0} is listed twice")]
    Twice(u32),
}

/// Parses a bay list such as `"1-5"`, `"7"` or `"1-30,41-45"` into sorted, distinct bays.
pub(crate) fn parse_bays(text: &str) -> Result<Vec<u32>, BaysError> {
    let mut out = BTreeSet::new();
    if text.trim().is_empty() {
        return Err(BaysError::Empty);
    }
    for piece in text.split(',') {
        let piece = piece.trim();
        let num = |t: &str| -> Result<u32, BaysError> {
            let v: u32 = t
                .trim()
                .parse()
                .map_err(|_| BaysError::NotANumber(t.to_string()))?;
            if v == 0 {
                return Err(BaysError::Zero);
            }
            if v > MAX_BAYS {
                return Err(BaysError::TooLarge(v));
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
            return Err(BaysError::Backwards(piece.to_string()));
        }
        for bay in a..=b {
            if !out.insert(bay) {
                return Err(BaysError::Twice(bay));
            }
        }
    }
    Ok(out.into_iter().collect())
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

/// Serializes bays as ranges (`"1-15,31"`), as the JSON output has always shown them: for
/// `#[serde(serialize_with = "crate::bays::ranges")]` on a report's `Vec<u32>` of bays.
pub fn ranges<S: serde::Serializer>(bays: &[u32], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_bays(bays))
}
