//! Published figures: raw and usable capacity, total cost and cost per GB as cited.

use super::*;

pub(super) fn figure_bytes_tb(s: &mut Sink, place: &str, c: &spec::Cited) -> Option<Figure<Bytes>> {
    match parse_bytes(&format!("{} TB", c.value.trim())) {
        Ok(b) => Some(Figure {
            value: b,
            text: c.value.clone(),
            source: c.source.clone(),
            note: c.note.clone(),
        }),
        Err(e) => {
            s.error(
                Code::InvalidPublished,
                place,
                format!("published TB {:?}: {e}", c.value),
            );
            None
        }
    }
}

/// Step 9: published figures as cited, and the raw capacity against the drives.
pub(super) fn published(
    s: &mut Sink,
    d: &spec::Design,
    drives: &[BayDrive],
    lost: &Lost,
) -> Published {
    let mut published = Published::default();
    let pb = &d.published;
    if let Some(c) = &pb.raw_tb {
        published.raw = figure_bytes_tb(s, "published.raw_tb", c);
    }
    if let Some(c) = &pb.usable_tb {
        published.usable = figure_bytes_tb(s, "published.usable_tb", c);
    }
    if let Some(c) = &pb.total_cost {
        match parse_cents(&c.value) {
            Ok(v) if v.0 >= 0 => {
                published.total_cost = Some(Figure {
                    value: v,
                    text: c.value.clone(),
                    source: c.source.clone(),
                    note: c.note.clone(),
                })
            }
            Ok(_) => s.error(
                Code::InvalidPublished,
                "published.total_cost",
                "published cost is negative",
            ),
            Err(e) => s.error(
                Code::InvalidPublished,
                "published.total_cost",
                e.to_string(),
            ),
        }
    }
    if let Some(c) = &pb.cost_per_gb {
        match c.value.trim().parse::<f64>() {
            Ok(v) if v.is_finite() && v > 0.0 => {
                published.cost_per_gb = Some(Figure {
                    value: v,
                    text: c.value.clone(),
                    source: c.source.clone(),
                    note: c.note.clone(),
                })
            }
            _ => s.error(
                Code::InvalidPublished,
                "published.cost_per_gb",
                format!("{:?} is not a positive number", c.value),
            ),
        }
    }
    let raw = drives
        .iter()
        .fold(Bytes(0), |a, x| a.saturating_add(x.drive().capacity));
    if let Some(f) = &published.raw
        && !drives.is_empty()
        && !lost.any
        && f.value != raw
    {
        s.warning(
            Code::PublishedRawMismatch,
            "published.raw_tb",
            format!(
                "published raw capacity is {} TB but the drives add up to {}",
                f.text, raw
            ),
        );
    }

    published
}
