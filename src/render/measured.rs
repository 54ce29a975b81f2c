//! The "measured on built pods" table: each figure someone measured, the model's figure under
//! the same conditions, the difference and the verdict against the stated tolerance. Used by
//! the report (summary.md and report.html), `compare` and `check`'s text.

use super::{Section, Style};
use crate::spec::Bound;
use crate::study::measured::{MeasuredRow, fmt, label};

/// The verdict cell: within or outside the tolerance, or why there is no model figure.
pub fn verdict(r: &MeasuredRow) -> String {
    let tol = fmt(r.tolerance_pct);
    let slack = |sign: &str| {
        if r.tolerance_pct > 0.0 {
            format!(", {sign}{tol} %")
        } else {
            String::new()
        }
    };
    let bound = match r.bound {
        Bound::Value => format!("±{tol} %"),
        Bound::AtLeast => format!("a lower bound{}", slack("−")),
        Bound::AtMost => format!("an upper bound{}", slack("+")),
    };
    match (r.within, &r.why) {
        (Some(true), _) => format!("within ({bound})"),
        (Some(false), _) => format!("OUTSIDE ({bound})"),
        (None, Some(why)) => format!("no model figure: {why}"),
        (None, None) => "no model figure".into(),
    }
}

/// The difference cell, `+3 %` (blank without a model figure).
pub fn difference(r: &MeasuredRow) -> String {
    r.diff_pct.map_or(String::new(), signed_pct)
}

/// The table of measured figures, each row `(design, row)`; `with_design` adds the design as a
/// first column (a comparison, which to read shows the figures only). No rows, no section.
pub fn section(rows: &[(&str, &MeasuredRow)], with_design: bool, style: Style) -> Option<Section> {
    if rows.is_empty() {
        return None;
    }
    let mut header = Vec::new();
    if with_design {
        header.push("Design");
    }
    // A comparison to read keeps to the figures; each design's report has the rest.
    let long = !(with_design && style == Style::Read);
    header.extend([
        "Measured",
        "Unit",
        "Measurement",
        "Model",
        match style {
            Style::Read => "Difference",
            Style::Data => "Difference (%)",
        },
        "Verdict",
    ]);
    if long {
        header.extend(["Model run with", "Conditions", "Source"]);
    }
    let first = usize::from(with_design);
    let mut t = Section::new("Model beside measurement", &header);
    t.align_right([first + 2, first + 3, first + 4]);
    for (design, r) in rows {
        let mut row = Vec::new();
        if with_design {
            row.push(design.to_string());
        }
        let model = match (r.model, style) {
            (Some(v), _) => fmt(v),
            (None, Style::Read) => "-".into(),
            (None, Style::Data) => String::new(),
        };
        row.extend([
            label(r.what),
            r.unit.to_string(),
            fmt(r.measured),
            model,
            match style {
                Style::Read => difference(r),
                Style::Data => r.diff_pct.map_or(String::new(), |d| {
                    crate::units::fmt_bounded((d * 10.0).round() / 10.0)
                }),
            },
            verdict(r),
        ]);
        if long {
            row.extend([
                r.setup.clone(),
                r.conditions.clone(),
                source_text(&r.source),
            ]);
        }
        t.row(row);
    }
    t.notes.push(
        "Each figure was measured on a built pod; the model is run under the measurement's conditions (its drives, what-ifs and PSU efficiency). A figure outside its tolerance is a measured-mismatch warning.".into(),
    );
    Some(t)
}

/// `[T] https://…` / `[D] reasoning`.
fn source_text(s: &crate::spec::Source) -> String {
    use crate::spec::Source;
    let text = match s {
        Source::Published(t)
        | Source::ThirdParty(t)
        | Source::Derived(t)
        | Source::Estimated(t) => t,
    };
    format!("[{}] {text}", s.tag())
}

/// One line for `check`'s text: the model beside a measurement that is within its tolerance
/// (a miss is a warning already).
pub fn check_line(file: &str, r: &MeasuredRow) -> String {
    let model = r.model.map_or("-".into(), fmt);
    format!(
        "{file}: measured[{}] {}: {} {} measured, {model} {} modelled{}, {}",
        r.index,
        label(r.what),
        fmt(r.measured),
        r.unit,
        r.unit,
        r.diff_pct
            .map_or(String::new(), |d| format!(" ({})", signed_pct(d))),
        verdict(r)
    )
}

/// `+3 %`, `−23 %`, `0 %`: a whole percentage with its sign (none for zero).
pub fn signed_pct(d: f64) -> String {
    let r = d.round();
    if r == 0.0 || !r.is_finite() {
        "0 %".into()
    } else if r > 0.0 {
        format!("+{} %", crate::units::fmt_bounded(r))
    } else {
        format!("−{} %", crate::units::fmt_bounded(-r))
    }
}
