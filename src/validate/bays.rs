//! Bay lists in validation messages (the notation itself is `crate::bays`).

use super::*;

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
