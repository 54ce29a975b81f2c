//! Renders a design-space sweep: the summary, the Pareto front (or every variant), why variants
//! were invalid and which constraints bound, as sections; and the chart of cost per usable TB
//! against annual loss with the front highlighted. It computes nothing: the figures come from
//! `crate::study::sweep`.

use super::charts::{ChartError, ScatterChart, scatter_png, scatter_svg};
use super::durability::sci;
use super::{Section, Style};
use crate::study::sweep::{Figures, Sweep, Variant};

fn opt(x: Option<f64>, f: impl Fn(f64) -> String) -> String {
    x.map_or("-".into(), f)
}

fn money(c: crate::units::Cents, style: Style) -> String {
    match style {
        Style::Read => c.to_string(),
        Style::Data => format!("{}.{:02}", c.0 / 100, (c.0 % 100).abs()),
    }
}

/// The links' ids, shortened for reading: the first and how many more.
fn binds(b: &Option<std::sync::Arc<str>>, style: Style) -> String {
    match (b, style) {
        (None, _) => "-".into(),
        (Some(t), Style::Data) => t.to_string(),
        (Some(t), Style::Read) => {
            let ids: Vec<&str> = t.split(", ").collect();
            match ids.as_slice() {
                [one] => one.to_string(),
                [first, rest @ ..] => format!("{first} +{}", rest.len()),
                [] => "-".into(),
            }
        }
    }
}

fn header(style: Style) -> Vec<&'static str> {
    match style {
        Style::Read => vec![
            "#",
            "Changes from the base",
            "Usable TB",
            "Total",
            "Per usable TB",
            "Annual loss",
            "Rebuild h",
            "Ingest MB/s",
            "PSU margin %",
        ],
        Style::Data => vec![
            "front_rank",
            "variant",
            "changes",
            "status",
            "raw_tb",
            "usable_tb",
            "total",
            "per_usable_tb",
            "annual_loss",
            "rebuild_hours",
            "ingest_mb_s",
            "scrub_binds",
            "ingest_binds",
            "rebuild_binds",
            "load_w",
            "psu_headroom_pct",
        ],
    }
}

fn variant_row(s: &Sweep, v: &Variant, style: Style) -> Vec<String> {
    let rank = s
        .front
        .iter()
        .position(|i| *i == v.index)
        .map_or("-".into(), |p| (p + 1).to_string());
    let changes = if v.changes.is_empty() {
        "(base)".to_string()
    } else {
        v.changes.join(", ")
    };
    let status = match (&v.figures, v.feasible()) {
        (None, _) => format!(
            "invalid: {}",
            v.invalid.as_ref().map_or(String::new(), |e| e.to_string())
        ),
        (Some(_), true) => "feasible".into(),
        (Some(_), false) => format!("breaks {}", v.broken.join(" ")),
    };
    let n = header(style).len();
    let Some(f) = &v.figures else {
        let mut row = match style {
            Style::Read => vec![
                format!("{rank} (v{})", v.index),
                format!(
                    "{changes} → invalid: {}",
                    v.invalid.as_ref().map_or("", |e| e.code.as_str())
                ),
            ],
            Style::Data => vec![rank, v.index.to_string(), changes, status],
        };
        row.resize(n, String::new());
        return row;
    };
    let loss = opt(f.annual_loss, sci);
    let rebuild = opt(f.rebuild_hours, |x| format!("{x:.1}"));
    let ingest = opt(f.ingest_mb_s, |x| format!("{x:.0}"));
    let per = opt(f.per_usable_tb, |x| format!("{x:.2}"));
    let headroom = opt(f.psu_headroom_pct, |x| format!("{x:.1}"));
    match style {
        Style::Read => {
            let id = if v.feasible() {
                format!("{rank} (v{})", v.index)
            } else {
                format!("- (v{}, {status})", v.index)
            };
            vec![
                id,
                changes,
                format!("{:.1}", f.usable_tb),
                money(f.total, style),
                per,
                loss,
                rebuild,
                ingest,
                headroom,
            ]
        }
        Style::Data => vec![
            rank,
            v.index.to_string(),
            changes,
            status,
            format!("{:.3}", f.raw_tb),
            format!("{:.3}", f.usable_tb),
            money(f.total, style),
            per,
            opt(f.annual_loss, |x| format!("{x:.4e}")),
            rebuild,
            ingest,
            binds(&f.scrub_binding, style),
            binds(&f.ingest_binding, style),
            binds(&f.rebuild_binding, style),
            format!("{:.0}", f.load_w),
            headroom,
        ],
    }
}

/// What binds scrub, ingest and a rebuild in each listed valid variant (the CSV has it in
/// the variant's row).
fn bottlenecks(s: &Sweep, rows: &[&Variant]) -> Section {
    let mut b = Section::new(
        "What binds each",
        &["#", "Binds scrub", "Binds ingest", "Binds a rebuild"],
    );
    b.whole_words([1, 2, 3]);
    for v in rows {
        let Some(f) = &v.figures else { continue };
        let mut row = variant_row(s, v, Style::Read);
        row.truncate(1);
        for x in [&f.scrub_binding, &f.ingest_binding, &f.rebuild_binding] {
            row.push(binds(x, Style::Read));
        }
        b.row(row);
    }
    b
}

/// The sweep as sections: a summary, the front (every variant with `all`), invalid variants by
/// reason and the constraints that rejected variants.
pub fn sections(s: &Sweep, all: bool, style: Style) -> Vec<Section> {
    let valid = s.variants.iter().filter(|v| v.figures.is_some()).count();
    let feasible = s.variants.iter().filter(|v| v.feasible()).count();
    let mut sum = Section::new("Sweep", &["Figure", "Value"]);
    sum.align_right([1]);
    for (k, v) in [
        ("Base design", s.base.clone()),
        ("Variants", s.variants.len().to_string()),
        ("Valid", valid.to_string()),
        ("Feasible", feasible.to_string()),
        ("On the Pareto front", s.front.len().to_string()),
        (
            "Designs validated / studied",
            format!("{} / {}", s.work.designs_validated, s.work.designs_studied),
        ),
        ("Link graphs built", s.work.graphs_built.to_string()),
        (
            "Variants repriced from a study",
            s.work.repriced.to_string(),
        ),
        ("Annual-loss model", s.model.to_string()),
        ("Objectives", s.objectives.join(", ")),
    ] {
        sum.row(vec![k.to_string(), v]);
    }
    sum.notes.push(
        format!(
            "The front holds the feasible variants no other feasible variant beats on every objective ({}; higher ingest and usable TB are better, lower figures otherwise); a missing figure counts as the worst.",
            s.objectives.join(", ")
        ),
    );
    let mut out = vec![sum];
    let title = if all { "Every variant" } else { "Pareto front" };
    let mut t = Section::new(title, &header(style));
    match style {
        Style::Read => t.align_right([2, 3, 4, 5, 6, 7, 8]).whole_words(0..9),
        Style::Data => t.align_right([0, 1, 4, 5, 6, 7, 8, 9, 10, 14, 15]),
    };
    let rows: Vec<&Variant> = if all {
        s.variants.iter().collect()
    } else {
        s.front.iter().map(|i| &s.variants[*i]).collect()
    };
    for v in &rows {
        t.row(variant_row(s, v, style));
    }
    out.push(t);
    if style == Style::Read {
        out.push(bottlenecks(s, &rows));
    }
    if !s.invalid.is_empty() {
        let mut inv = Section::new(
            "Invalid variants",
            &["Code", "Variants", "First", "Its reason"],
        );
        inv.align_right([1, 2]);
        for (code, n) in &s.invalid {
            inv.row(vec![
                code.clone(),
                n.variants.to_string(),
                format!("v{}", n.first),
                n.message.clone(),
            ]);
        }
        out.push(inv);
    }
    if !s.broken.is_empty() {
        let mut b = Section::new("Constraints", &["Constraint", "Valid variants it rejects"]);
        b.align_right([1]);
        for (c, n) in &s.broken {
            b.row(vec![c.to_string(), n.to_string()]);
        }
        out.push(b);
    }
    out
}

/// A chart of cost per usable TB against another figure of each variant, the front
/// highlighted.
fn chart(s: &Sweep, what: &str, y_desc: String, y: fn(&Figures) -> Option<f64>) -> ScatterChart {
    let point = |v: &Variant| {
        let f = v.figures.as_ref()?;
        Some((f.per_usable_tb?, y(f)?))
    };
    ScatterChart {
        title: format!("{}: cost per usable TB against {what}", s.base),
        x_desc: "cost per usable decimal TB (currency units)".into(),
        y_desc,
        points: s
            .variants
            .iter()
            .filter(|v| !v.front)
            .filter_map(point)
            .collect(),
        highlight: s
            .front
            .iter()
            .filter_map(|i| point(&s.variants[*i]))
            .collect(),
        highlight_name: "Pareto front".into(),
        rest_name: "other variants".into(),
    }
}

/// The charts as `(file name, bytes)`, SVG and PNG each: cost per usable TB against annual
/// loss and against the slowest rebuild. A chart with no point to draw is left out.
pub fn chart_files(s: &Sweep) -> Result<Vec<(String, Vec<u8>)>, ChartError> {
    let charts = [
        (
            "cost-vs-loss",
            chart(
                s,
                "annual loss",
                format!("annual probability of data loss ({})", s.model),
                |f| f.annual_loss,
            ),
        ),
        (
            "cost-vs-rebuild",
            chart(
                s,
                "rebuild time",
                "slowest rebuild of one drive (hours)".into(),
                |f| f.rebuild_hours,
            ),
        ),
    ];
    let mut out = Vec::new();
    for (name, c) in charts {
        match scatter_svg(&c) {
            Err(ChartError::Empty) => continue,
            svg => out.push((format!("{name}.svg"), svg?.into_bytes())),
        }
        out.push((format!("{name}.png"), scatter_png(&c)?));
    }
    Ok(out)
}
