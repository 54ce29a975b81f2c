//! Reports and comparisons rendered to the files a buyer forwards (summary.md, CSV, JSON, XLSX,
//! charts): a design study ([`DesignReport`]) and a comparison ([`Comparison`]) as files.
//!
//! This module owns what goes into a report's files; it computes nothing (every number in
//! `summary.md` is read from the same [`DesignReport`] that `report.json` serializes, built by
//! [`crate::study`]). It returns file contents as bytes; writing them, atomically and as a whole
//! directory, is `output`'s job.

use crate::bandwidth::Workload;
use crate::bom;
use crate::render::charts::{self, Bar, BarChart, StackedChart};
use crate::render::{self, Section, Style};
use crate::study::{BomDiff, Column, Comparison, DesignReport, workload, worst_rebuild};

/// Why a report could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReportError {
    /// An engine could not study the design.
    #[error(transparent)]
    Study(#[from] crate::study::StudyError),
    /// A chart failed.
    #[error("chart {0}: {1}")]
    Chart(String, charts::ChartError),
    /// Serialization failed.
    #[error("JSON: {0}")]
    Json(String),
    /// The spreadsheet failed.
    #[error("XLSX: {0}")]
    Xlsx(String),
}

fn money(c: crate::units::Cents) -> String {
    c.to_string()
}

/// Whole dollars with separators for chart labels: `$5,438`.
fn dollars(c: crate::units::Cents) -> String {
    let rounded = crate::units::Cents((c.0 + 50).div_euclid(100) * 100).to_string();
    rounded.trim_end_matches(".00").to_string()
}

/// The key figures a buyer reads first, as one table.
pub(crate) fn key_figures(r: &DesignReport) -> Section {
    let mut k = Section::new("Key figures", &["Figure", "Value"]);
    let raw = r.show.summary.raw;
    let pipe = &r.layout.pipeline;
    k.row(vec![
        "Raw capacity".into(),
        format!("{:.2} TB = {:.2} TiB", raw.tb, raw.tib),
    ]);
    k.row(vec![
        format!("Before the filesystem ({})", r.layout.shape),
        format!(
            "{:.2} TB = {:.2} TiB",
            pipe.before_filesystem.tb(),
            pipe.before_filesystem.tib()
        ),
    ]);
    k.row(vec![
        "Usable (after the filesystem)".into(),
        format!("{:.2} TB = {:.2} TiB", pipe.usable.tb(), pipe.usable.tib()),
    ]);
    let t = &r.bom.totals;
    k.row(vec![
        "Total cost".into(),
        format!(
            "{} ({} drives, {} everything else; {:.1} % of it on estimated prices)",
            money(t.pod_total),
            money(t.data_drives),
            money(t.everything_else),
            t.estimated_share_pct
        ),
    ]);
    if let Some(gb) = r.bom.metrics.raw.per_gb {
        k.row(vec!["Cost per raw GB".into(), format!("${gb:.4}")]);
    }
    if let Some(gb) = r.bom.metrics.usable.per_gb {
        k.row(vec!["Cost per usable GB".into(), format!("${gb:.4}")]);
    }
    for w in [Workload::Scrub, Workload::Ingest, Workload::Rebuild] {
        if let Some(b) = workload(r, w) {
            let s = &b.summary;
            let rate = match s.client_mb_s {
                Some(c) => format!("{:.1} MB/s to clients", c.0),
                None => format!("{:.1} MB/s per drive", s.per_drive_min_mb_s.0),
            };
            k.row(vec![
                format!("Bottleneck, {}", w.name()),
                format!("{} ({rate})", s.binding),
            ]);
        }
    }
    if r.layout.shape.tolerance() == 0 {
        k.row(vec![
            "Rebuild".into(),
            format!(
                "none: {} has no redundancy, so no rebuild exists and the first drive failure loses its group's data",
                r.layout.shape
            ),
        ]);
    }
    if let Some(w) = worst_rebuild(r) {
        k.row(vec![
            "Slowest rebuild of one drive".into(),
            format!(
                "{:.1} h in group {} at {:.1} MB/s, set by {}",
                w.hours, w.group, w.rate.0, w.binding_link
            ),
        ]);
    }
    if let Some(d) = &r.durability
        && let Some(f) = d
            .report
            .pod
            .models
            .iter()
            .find(|f| f.model == crate::durability::Model::Sliding)
    {
        k.row(vec![
            "Annual data loss, pod".into(),
            format!(
                "{:.2e} ({}; sliding-window model, catalog AFR, the rebuild times above plus the replacement wait)",
                f.p_mission,
                crate::durability::nines(f.p_mission).map_or("-".to_string(), |n| format!("{n:.2} nines"))
            ),
        ]);
    }
    let p = &r.show.power;
    // What the PSUs carry with every redundant unit failed, when some are redundant.
    let redundant: u32 = p.psus.iter().map(|b| b.spares).sum();
    let kept: f64 = p
        .psus
        .iter()
        .map(|b| b.redundant_failed().rated_w.watts())
        .sum();
    let kept = if redundant > 0 {
        format!(
            " ({kept:.0} W with the {redundant} redundant unit{} failed)",
            if redundant == 1 { "" } else { "s" }
        )
    } else {
        String::new()
    };
    k.row(vec![
        "Power (DC)".into(),
        format!(
            "{:.0} W spin-up all at once, {:.0} W staggered, {:.0} W idle, {:.0} W under load; PSUs rated {:.0} W{kept}",
            p.spinup_simultaneous_w.watts(), p.spinup_staggered_w.watts(), p.idle_w.watts(), p.active_w.watts(), p.rated_w.watts()
        ),
    ]);
    k
}

/// The charts of one design: (file stem, title) pairs and their data.
pub enum Chart {
    /// A bar chart.
    Bars(BarChart),
    /// A stacked chart.
    Stacked(StackedChart),
}

/// Every chart of a design report, by file stem.
pub(crate) fn design_charts(r: &DesignReport) -> Vec<(String, Chart)> {
    let mut out = Vec::new();
    cost_chart(r, &mut out);
    capacity_chart(r, &mut out);
    link_charts(r, &mut out);
    rebuild_chart(r, &mut out);
    out
}

/// Cost by category, drives highlighted.
fn cost_chart(r: &DesignReport, out: &mut Vec<(String, Chart)>) {
    let short = &r.label;
    let bars: Vec<Bar> = r
        .bom
        .totals
        .by_category
        .iter()
        .filter(|c| c.extended.0 != 0)
        .map(|c| Bar {
            label: bom::category_name(c.category).to_string(),
            from: 0.0,
            to: c.extended.as_units_f64(),
            highlight: c.category == crate::spec::Category::Drives,
            value_label: dollars(c.extended),
        })
        .collect();
    out.push((
        "cost-by-category".into(),
        Chart::Bars(BarChart {
            title: format!(
                "{short}: cost by category, {} in all",
                money(r.bom.totals.pod_total)
            ),
            category_desc: "category".into(),
            value_desc: format!("{} per pod", r.bom.currency),
            bars,
            horizontal: false,
            highlight_meaning: "data and boot drives".into(),
        }),
    ));
}

/// Capacity waterfall.
fn capacity_chart(r: &DesignReport, out: &mut Vec<(String, Chart)>) {
    let short = &r.label;
    let stages = &r.layout.pipeline.stages;
    let mut bars = Vec::new();
    for (i, s) in stages.iter().enumerate() {
        if i == 0 {
            bars.push(Bar {
                label: s.name.to_string(),
                from: 0.0,
                to: s.tb,
                highlight: false,
                value_label: format!("{:.1}", s.tb),
            });
        } else {
            let prev = stages[i - 1].tb;
            if (prev - s.tb).abs() < 0.005 {
                continue;
            }
            bars.push(Bar {
                label: s.name.to_string(),
                from: prev,
                to: s.tb,
                highlight: true,
                value_label: format!("−{:.1}", prev - s.tb),
            });
        }
    }
    if let Some(last) = stages.last() {
        bars.push(Bar {
            label: "usable".into(),
            from: 0.0,
            to: last.tb,
            highlight: false,
            value_label: format!("{:.1}", last.tb),
        });
    }
    out.push((
        "capacity".into(),
        Chart::Bars(BarChart {
            title: format!("{short}: capacity, raw to usable ({})", r.layout.shape),
            category_desc: "stage".into(),
            value_desc: "TB (10^12 bytes)".into(),
            bars,
            horizontal: false,
            highlight_meaning: "lost at this stage".into(),
        }),
    ));
}

/// Link utilization per workload.
fn link_charts(r: &DesignReport, out: &mut Vec<(String, Chart)>) {
    let short = &r.label;
    for w in [Workload::Scrub, Workload::Ingest, Workload::Rebuild] {
        let Some(b) = workload(r, w) else { continue };
        let bars: Vec<Bar> = b
            .links
            .iter()
            .filter(|l| l.allocated_mb_s.0 > 0.0)
            .map(|l| Bar {
                label: l.id.clone(),
                from: 0.0,
                to: l.utilization_pct,
                highlight: l.binding,
                value_label: format!(
                    "{:.0} % of {:.0} MB/s",
                    l.utilization_pct, l.capacity_mb_s.0
                ),
            })
            .collect();
        if bars.is_empty() {
            continue;
        }
        out.push((
            format!("links-{}", w.name()),
            Chart::Bars(BarChart {
                title: format!("{short}: link utilization, {}", w.name()),
                category_desc: "link".into(),
                value_desc: "utilization (% of effective capacity)".into(),
                bars,
                horizontal: true,
                highlight_meaning: "binding link".into(),
            }),
        ));
    }
}

/// Rebuild time per group.
fn rebuild_chart(r: &DesignReport, out: &mut Vec<(String, Chart)>) {
    let short = &r.label;
    let worst = worst_rebuild(r).map(|w| w.group);
    let bars: Vec<Bar> = r
        .rebuild_times
        .iter()
        .map(|t| Bar {
            label: format!("group {}", t.group),
            from: 0.0,
            to: t.hours,
            highlight: Some(t.group) == worst,
            value_label: format!("{:.1} h", t.hours),
        })
        .collect();
    if !bars.is_empty() {
        out.push((
            "rebuild-time".into(),
            Chart::Bars(BarChart {
                title: format!("{short}: time to rebuild one drive, per group"),
                category_desc: "RAID group".into(),
                value_desc: "hours".into(),
                bars,
                horizontal: false,
                highlight_meaning: "slowest group".into(),
            }),
        ));
    }
}

/// Renders a chart to SVG and PNG.
pub(crate) fn render_chart(name: &str, c: &Chart) -> Result<(String, Vec<u8>), ReportError> {
    let err = |e| ReportError::Chart(name.to_string(), e);
    match c {
        Chart::Bars(b) => Ok((
            charts::bars_svg(b).map_err(err)?,
            charts::bars_png(b).map_err(err)?,
        )),
        Chart::Stacked(s) => Ok((
            charts::stacked_svg(s).map_err(err)?,
            charts::stacked_png(s).map_err(err)?,
        )),
    }
}

/// The bandwidth of every workload (its binding link and the next to bind) and the rebuild
/// time of each group: the bandwidth part of a report.
pub(crate) fn bandwidth_overview(r: &DesignReport) -> Vec<Section> {
    let mut bw = Section::new(
        "Every workload",
        &[
            "Workload",
            "Binding link",
            "Drive traffic MB/s",
            "Client MB/s",
            "Per drive MB/s",
            "Next to bind",
        ],
    );
    bw.align_right([2, 3, 4]);
    for b in &r.bandwidth {
        let s = &b.summary;
        let per = if (s.per_drive_max_mb_s.0 - s.per_drive_min_mb_s.0).abs() < 0.05 {
            format!("{:.1}", s.per_drive_min_mb_s.0)
        } else {
            format!(
                "{:.1} - {:.1}",
                s.per_drive_min_mb_s.0, s.per_drive_max_mb_s.0
            )
        };
        bw.row(vec![
            b.workload.name().into(),
            s.binding.to_string(),
            format!("{:.1}", s.aggregate_mb_s.0),
            s.client_mb_s.map_or("-".into(), |c| format!("{:.1}", c.0)),
            per,
            s.next.as_ref().map_or("-".into(), |n| n.name.to_string()),
        ]);
    }
    let mut rt = Section::new(
        "Rebuild time of one drive, per group",
        &["Group", "Rate MB/s", "Hours", "Set by"],
    );
    rt.align_right([0, 1, 2]);
    for t in &r.rebuild_times {
        rt.row(vec![
            t.group.to_string(),
            format!("{:.1}", t.rate.0),
            format!("{:.1}", t.hours),
            t.binding_link.to_string(),
        ]);
    }
    vec![bw, rt]
}

/// A chart as SVG alone (what `report.html` inlines).
pub(crate) fn chart_svg(name: &str, c: &Chart) -> Result<String, ReportError> {
    let err = |e| ReportError::Chart(name.to_string(), e);
    match c {
        Chart::Bars(b) => charts::bars_svg(b).map_err(err),
        Chart::Stacked(s) => charts::stacked_svg(s).map_err(err),
    }
}

/// A chart's title.
pub(crate) fn chart_title(c: &Chart) -> &str {
    match c {
        Chart::Bars(b) => &b.title,
        Chart::Stacked(s) => &s.title,
    }
}

/// The report for a terminal `width` columns wide: what `summary.md` holds as plain tables
/// laid out to the width (no Markdown, no HTML), key figures first, the topology tree wrapped to
/// fit.
pub(crate) fn summary_text(r: &DesignReport, width: usize) -> String {
    let table = |s: &[Section]| render::sections_table_width(s, width);
    let heading = |t: &str| format!("\n{t}\n{}\n\n", "=".repeat(t.chars().count()));
    let title = match &r.show.revision {
        Some(v) => format!("{} (revision {v})", r.show.design),
        None => r.show.design.clone(),
    };
    let mut out = render::wrap(&title, width);
    out.push_str(&render::wrap(
        &format!(
            "From {}. Capacities in decimal TB (10^12 B) and binary TiB (2^40 B); money in {}; rates in MB/s (10^6 B/s). `podplan report --out DIR` writes it with charts, as report.html and summary.md.",
            r.show.file, r.bom.currency
        ),
        width,
    ));
    out.push('\n');
    out.push_str(&table(&[key_figures(r)]));
    out.push_str(&heading("Topology"));
    out.push_str(&render::wrap_tree(&render::tree_text(&r.show.tree), width));
    out.push('\n');
    out.push_str(&table(&render::show_sections(&r.show)));
    out.push_str(&heading("Layout and capacity"));
    out.push_str(&table(&render::layout_sections(&r.layout)));
    out.push_str(&heading("Bill of materials"));
    out.push_str(&table(&crate::render::bom::bom_sections(
        &r.bom,
        crate::render::bom::Style::Read,
    )));
    out.push_str(&heading("Cost"));
    out.push_str(&table(&crate::render::bom::cost_sections(
        &r.bom,
        crate::render::bom::Style::Read,
    )));
    out.push_str(&heading("Bandwidth"));
    out.push_str(&render::wrap(
        "Every link of a workload: `podplan bandwidth --workload NAME`.",
        width,
    ));
    out.push('\n');
    out.push_str(&table(&bandwidth_overview(r)));
    if let Some(d) = &r.durability {
        out.push_str(&heading("Durability"));
        out.push_str(&table(&crate::render::durability::sections(
            d,
            crate::render::Style::Read,
        )));
    }
    if let Some(t) = measured_section(r) {
        out.push_str(&heading("Measured on built pods"));
        out.push_str(&table(&[t]));
    }
    out
}

/// `summary.md`: the report a buyer reads, every figure taken from `r`. `chart_names` are the
/// chart files written beside it; none means the summary stands alone (printed by the main
/// job), so it names commands where a report directory names its files.
pub fn summary_markdown(r: &DesignReport, chart_names: &[String]) -> String {
    let mut md = String::new();
    let title = match &r.show.revision {
        Some(v) => format!("{} (revision {v})", r.show.design),
        None => r.show.design.clone(),
    };
    md.push_str(&format!("# {title}\n\n"));
    md.push_str(&format!(
        "Generated by podplan from `{}`. Capacities in decimal TB (10^12 B) and binary TiB (2^40 B); money in {}; rates in MB/s (10^6 B/s).\n\n",
        r.show.file, r.bom.currency
    ));
    md.push_str(&render::sections_markdown(&[key_figures(r)]));
    md.push_str("\n## Topology\n\n```text\n");
    md.push_str(&render::tree_text(&r.show.tree));
    md.push_str("```\n\n");
    md.push_str(&render::sections_markdown(&render::show_sections(&r.show)));
    md.push_str("\n## Layout and capacity\n\n");
    md.push_str(&render::sections_markdown(&render::layout_sections(
        &r.layout,
    )));
    md.push_str("\n## Bill of materials\n\n");
    md.push_str(&render::sections_markdown(
        &crate::render::bom::bom_sections(&r.bom, crate::render::bom::Style::Read),
    ));
    md.push_str("\n## Cost\n\n");
    md.push_str(&render::sections_markdown(
        &crate::render::bom::cost_sections(&r.bom, crate::render::bom::Style::Read),
    ));
    md.push_str("\n## Bandwidth\n\n");
    // A summary printed on its own has no files beside it; name the command instead.
    md.push_str(if chart_names.is_empty() {
        "Per-link tables: `podplan bandwidth --workload NAME`; `podplan report --out DIR` writes them for every workload as `bandwidth-<workload>.csv`.\n\n"
    } else {
        "Per-link tables for every workload are in `bandwidth-<workload>.csv`.\n\n"
    });
    md.push_str(&render::sections_markdown(&bandwidth_overview(r)));
    if let Some(d) = &r.durability {
        md.push_str("\n## Durability\n\n");
        md.push_str(&render::sections_markdown(
            &crate::render::durability::sections(d, crate::render::Style::Read),
        ));
    }
    if let Some(t) = measured_section(r) {
        md.push_str("\n## Measured on built pods\n\n");
        md.push_str(&render::sections_markdown(&[t]));
    }
    if !chart_names.is_empty() {
        md.push_str("\n## Charts\n\n");
        for c in chart_names {
            md.push_str(&format!("![{c}]({c}.svg)\n\n"));
        }
    }
    md
}

/// The design's measured figures beside the model, when it carries any.
pub(crate) fn measured_section(r: &DesignReport) -> Option<render::Section> {
    let rows: Vec<(&str, &crate::study::measured::MeasuredRow)> =
        r.measured.iter().map(|m| ("", m)).collect();
    crate::render::measured::section(&rows, false, Style::Read)
}

/// Every file of a design's report directory: (file name, bytes).
pub(crate) fn design_files(
    r: &DesignReport,
    xlsx_date: &str,
) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let charts = design_charts(r);
    let names: Vec<String> = charts.iter().map(|(n, _)| n.clone()).collect();
    files.push((
        "summary.md".into(),
        summary_markdown(r, &names).into_bytes(),
    ));
    files.push((
        "report.html".into(),
        crate::render::html::design_html(r)?.into_bytes(),
    ));
    let json_err = |e: serde_json::Error| ReportError::Json(e.to_string());
    files.push((
        "report.json".into(),
        render::json(r).map_err(json_err)?.into_bytes(),
    ));
    let bom_sections = crate::render::bom::bom_sections(&r.bom, crate::render::bom::Style::Data);
    files.push((
        "bom.csv".into(),
        render::sections_csv(&bom_sections).into_bytes(),
    ));
    files.push((
        "bom.json".into(),
        render::json(&r.bom).map_err(json_err)?.into_bytes(),
    ));
    let xlsx = crate::render::xlsx::bom_workbook(&r.bom, xlsx_date)
        .map_err(|e| ReportError::Xlsx(e.to_string()))?;
    files.push(("bom.xlsx".into(), xlsx));
    for b in &r.bandwidth {
        let secs = crate::render::bandwidth::sections(b, crate::render::Style::Data);
        files.push((
            format!("bandwidth-{}.csv", b.workload.name()),
            render::sections_csv(&secs).into_bytes(),
        ));
    }
    for (name, c) in &charts {
        let (svg, png) = render_chart(name, c)?;
        files.push((format!("{name}.svg"), svg.into_bytes()));
        files.push((format!("{name}.png"), png));
    }
    Ok(files)
}

fn opt_ratio(v: Option<f64>, cur: &str) -> String {
    v.map_or("-".into(), |x| crate::render::bom::ratio(x, 4, cur))
}

/// A design's cell of one figure, in a style.
type CellFn<'a> = Box<dyn Fn(&Column, Style) -> String + 'a>;

/// One figure of the side-by-side table: its name to read, its name with the unit for data,
/// and its cell for each design in either style.
struct Figure<'a> {
    read: &'a str,
    data: String,
    cell: CellFn<'a>,
}

/// The comparison as sections: the side-by-side table, then one BOM diff per pair. To read,
/// one column per design; for data (CSV), one row per design and one column per figure, with
/// its unit in the header and plain numbers.
pub fn compare_sections(c: &Comparison, style: Style) -> Vec<Section> {
    let cur = c
        .columns
        .first()
        .map_or("USD".to_string(), |x| x.currency.clone());
    let figures = comparison_figures(&cur);
    let mut out = Vec::new();
    match style {
        Style::Read => {
            let mut header: Vec<&str> = vec!["Figure"];
            header.extend(c.columns.iter().map(|x| x.name.as_str()));
            let mut t = Section::new("Side by side", &header);
            t.align_right(1..header.len());
            for f in &figures {
                let mut row = vec![f.read.to_string()];
                row.extend(c.columns.iter().map(|x| (f.cell)(x, style)));
                t.row(row);
            }
            out.push(t);
        }
        Style::Data => {
            let mut header: Vec<&str> = vec!["Design"];
            header.extend(figures.iter().map(|f| f.data.as_str()));
            let mut t = Section::new("Side by side", &header);
            for x in &c.columns {
                let mut row = vec![x.name.clone()];
                row.extend(figures.iter().map(|f| (f.cell)(x, style)));
                t.row(row);
            }
            out.push(t);
        }
    }
    let measured: Vec<(&str, &crate::study::measured::MeasuredRow)> = c
        .columns
        .iter()
        .flat_map(|x| x.measured.iter().map(move |m| (x.name.as_str(), m)))
        .collect();
    out.extend(crate::render::measured::section(&measured, true, style));
    for d in &c.diffs {
        out.push(diff_section(d, &cur, style));
    }
    out
}

/// Every figure of the side-by-side table, in order; `cur` is the first design's currency, named
/// in the data headers. Longer than most functions because it is a table: one entry per figure,
/// each with its names and its cell.
fn comparison_figures(cur: &str) -> Vec<Figure<'static>> {
    use crate::render::bom::{money as read_money, plain};
    let money = move |m: crate::units::Cents, x: &Column, st: Style| match st {
        Style::Read => read_money(m, &x.currency),
        Style::Data => plain(m),
    };
    let fixed = |v: f64, d: usize| format!("{v:.d$}");
    let fig = |read: &'static str, data: String, cell: CellFn<'static>| Figure { read, data, cell };
    let mut figures: Vec<Figure> = vec![
        fig(
            "Raw TB",
            "Raw TB".into(),
            Box::new(move |x, _| fixed(x.raw_tb, 1)),
        ),
        fig(
            "TB before filesystem",
            "TB before filesystem".into(),
            Box::new(move |x, _| fixed(x.before_fs_tb, 1)),
        ),
        fig(
            "Usable TB",
            "Usable TB".into(),
            Box::new(move |x, _| fixed(x.usable_tb, 1)),
        ),
        fig(
            "Raw TB per 4U",
            "Raw TB per 4U (TB)".into(),
            Box::new(move |x, _| fixed(x.tb_per_4u, 1)),
        ),
        fig(
            "Total cost",
            format!("Total cost ({cur})"),
            Box::new(move |x, st| money(x.total, x, st)),
        ),
        fig(
            "Data drives",
            format!("Data drives ({cur})"),
            Box::new(move |x, st| money(x.drives, x, st)),
        ),
        fig(
            "Everything else",
            format!("Everything else ({cur})"),
            Box::new(move |x, st| money(x.non_drive, x, st)),
        ),
        fig(
            "$/GB raw",
            format!("Cost per raw GB ({cur})"),
            Box::new(|x, st| match st {
                Style::Read => opt_ratio(x.per_gb_raw, &x.currency),
                Style::Data => x.per_gb_raw.map_or(String::new(), |v| format!("{v:.6}")),
            }),
        ),
        fig(
            "$/GB raw, published",
            format!("Cost per raw GB, published ({cur})"),
            Box::new(|x, st| match (&x.published_per_gb, st) {
                (Some(t), Style::Read) => crate::render::bom::published_ratio(t, &x.currency),
                (Some(t), Style::Data) => t.clone(),
                (None, Style::Read) => "-".into(),
                (None, Style::Data) => String::new(),
            }),
        ),
        fig(
            "$/GB usable",
            format!("Cost per usable GB ({cur})"),
            Box::new(|x, st| match st {
                Style::Read => opt_ratio(x.per_gb_usable, &x.currency),
                Style::Data => x.per_gb_usable.map_or(String::new(), |v| format!("{v:.6}")),
            }),
        ),
    ];
    for (read, w) in [
        ("Bottleneck, scrub", Workload::Scrub),
        ("Bottleneck, ingest", Workload::Ingest),
        ("Bottleneck, rebuild", Workload::Rebuild),
    ] {
        figures.push(fig(
            read,
            read.into(),
            Box::new(move |x, _| {
                x.bottleneck
                    .iter()
                    .find(|(n, _)| *n == w)
                    .map_or("-".into(), |(_, b)| b.to_string())
            }),
        ));
    }
    let or_blank = |st: Style| match st {
        Style::Read => "-".to_string(),
        Style::Data => String::new(),
    };
    figures.push(fig(
        "Slowest rebuild, h",
        "Slowest rebuild (h)".into(),
        Box::new(move |x, st| x.rebuild_hours.map_or(or_blank(st), |h| format!("{h:.1}"))),
    ));
    figures.push(fig(
        "Data loss / year (sliding)",
        "Data loss / year, pod, sliding window (probability)".into(),
        Box::new(move |x, st| x.annual_loss.map_or(or_blank(st), |p| format!("{p:.2e}"))),
    ));
    for (i, read, data) in [
        (0, "Spin-up all at once, W", "Spin-up all at once (W)"),
        (1, "Spin-up staggered, W", "Spin-up staggered (W)"),
        (2, "Idle, W", "Idle (W)"),
        (3, "Under load, W", "Under load (W)"),
    ] {
        figures.push(fig(
            read,
            data.into(),
            Box::new(move |x, _| fixed(x.power_w[i], 0)),
        ));
    }
    figures.push(fig(
        "PSUs rated, W",
        "PSUs rated (W)".into(),
        Box::new(move |x, _| fixed(x.psu_rated_w, 0)),
    ));
    figures.push(fig(
        "Least PSU headroom under load",
        "Least PSU headroom under load (%)".into(),
        Box::new(move |x, st| match st {
            Style::Read => format!("{:.0} %", x.psu_headroom_pct),
            Style::Data => fixed(x.psu_headroom_pct, 1),
        }),
    ));
    figures
}

/// One BOM difference as a section: one cell per quantity and price to read (`9 → 10`), or
/// before and after in columns of their own for data.
fn diff_section(d: &BomDiff, cur: &str, style: Style) -> Section {
    use crate::render::bom::{money, plain};
    let title = format!("Bill of materials: {} → {}", d.from, d.to);
    let price = |u: Option<crate::units::Cents>| match (u, style) {
        (None, Style::Read) => "-".to_string(),
        (None, Style::Data) => String::new(),
        (Some(c), Style::Read) => money(c, cur),
        (Some(c), Style::Data) => plain(c),
    };
    let changes = d
        .added
        .iter()
        .map(|p| ("added", p))
        .chain(d.removed.iter().map(|p| ("removed", p)))
        .chain(d.changed.iter().map(|p| ("changed", p)));
    let mut s = match style {
        Style::Read => Section::new(title, &["Change", "Part", "Qty", "Unit price"]),
        Style::Data => {
            let before = format!("Unit price before ({cur})");
            let after = format!("Unit price after ({cur})");
            Section::new(
                title,
                &[
                    "Change",
                    "Part id",
                    "Part",
                    "Qty before (count)",
                    "Qty after (count)",
                    &before,
                    &after,
                ],
            )
        }
    };
    for (what, p) in changes {
        match style {
            Style::Read => {
                let qty = match what {
                    "added" => p.qty.1.to_string(),
                    "removed" => p.qty.0.to_string(),
                    _ if p.qty.0 == p.qty.1 => p.qty.1.to_string(),
                    _ => format!("{} → {}", p.qty.0, p.qty.1),
                };
                let unit = match what {
                    "added" => price(p.unit.1),
                    "removed" => price(p.unit.0),
                    _ if p.unit.0 == p.unit.1 => price(p.unit.1),
                    _ => format!("{} → {}", price(p.unit.0), price(p.unit.1)),
                };
                s.row(vec![what.into(), p.name.clone(), qty, unit]);
            }
            Style::Data => {
                s.row(vec![
                    what.into(),
                    p.part.clone(),
                    p.name.clone(),
                    p.qty.0.to_string(),
                    p.qty.1.to_string(),
                    price(p.unit.0),
                    price(p.unit.1),
                ]);
            }
        }
    }
    if s.rows.is_empty() {
        s.notes.push("No change.".into());
    }
    s
}

/// The comparison's charts: $/GB, TB per 4U and rebuild time by design.
pub(crate) fn compare_charts(c: &Comparison) -> Vec<(String, Chart)> {
    let bars = |f: &dyn Fn(&Column) -> Option<(f64, String)>| -> Vec<Bar> {
        c.columns
            .iter()
            .filter_map(|x| {
                f(x).map(|(v, l)| Bar {
                    label: x.name.clone(),
                    from: 0.0,
                    to: v,
                    highlight: false,
                    value_label: l,
                })
            })
            .collect()
    };
    let mut out = Vec::new();
    let mut per_gb = bars(&|x| x.per_gb_raw.map(|v| (v, format!("${v:.4}"))));
    if let Some(min) = per_gb.iter().map(|b| b.to).reduce(f64::min) {
        per_gb.iter_mut().for_each(|b| b.highlight = b.to == min);
    }
    out.push((
        "cost-per-gb".into(),
        Chart::Bars(BarChart {
            title: "Cost per raw GB by design".into(),
            category_desc: "design".into(),
            value_desc: "USD per raw decimal GB".into(),
            bars: per_gb,
            horizontal: false,
            highlight_meaning: "cheapest".into(),
        }),
    ));
    out.push((
        "tb-per-4u".into(),
        Chart::Bars(BarChart {
            title: "Raw capacity per 4U of rack".into(),
            category_desc: "design".into(),
            value_desc: "TB (10^12 bytes) per 4U".into(),
            bars: bars(&|x| Some((x.tb_per_4u, format!("{:.0}", x.tb_per_4u)))),
            horizontal: false,
            highlight_meaning: String::new(),
        }),
    ));
    let mut rebuild = bars(&|x| x.rebuild_hours.map(|h| (h, format!("{h:.1} h"))));
    if let Some(max) = rebuild.iter().map(|b| b.to).reduce(f64::max) {
        rebuild.iter_mut().for_each(|b| b.highlight = b.to == max);
    }
    out.push((
        "rebuild-time".into(),
        Chart::Bars(BarChart {
            title: "Slowest rebuild of one drive, from each topology".into(),
            category_desc: "design".into(),
            value_desc: "hours".into(),
            bars: rebuild,
            horizontal: false,
            highlight_meaning: "slowest".into(),
        }),
    ));
    out.push((
        "cost-split".into(),
        Chart::Stacked(StackedChart {
            title: "Cost of one pod: data drives and everything else".into(),
            category_desc: "design".into(),
            value_desc: "USD".into(),
            categories: c.columns.iter().map(|x| x.name.clone()).collect(),
            series: vec![
                (
                    "data drives".into(),
                    c.columns.iter().map(|x| x.drives.as_units_f64()).collect(),
                ),
                (
                    "everything else".into(),
                    c.columns
                        .iter()
                        .map(|x| x.non_drive.as_units_f64())
                        .collect(),
                ),
            ],
        }),
    ));
    out
}

/// Every file of the comparison directory.
pub(crate) fn compare_files(c: &Comparison) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
    let secs = compare_sections(c, Style::Read);
    let charts = compare_charts(c);
    let quoted = if c.columns.iter().any(|x| x.published_per_gb.is_some()) {
        ", as the published figures quote it"
    } else {
        ""
    };
    let mut md = format!(
        "# Comparison\n\nGenerated by podplan. TB = 10^12 bytes; $/GB on raw decimal GB{quoted}.\n\n"
    );
    md.push_str(&render::sections_markdown(&secs));
    md.push_str("\n## Charts\n\n");
    for (n, _) in &charts {
        md.push_str(&format!("![{n}]({n}.svg)\n\n"));
    }
    let mut files = vec![
        ("compare.md".to_string(), md.into_bytes()),
        (
            "report.html".to_string(),
            crate::render::html::compare_html(c)?.into_bytes(),
        ),
        (
            "compare.csv".to_string(),
            render::sections_csv(&compare_sections(c, Style::Data)).into_bytes(),
        ),
        (
            "compare.json".to_string(),
            render::json(c)
                .map_err(|e| ReportError::Json(e.to_string()))?
                .into_bytes(),
        ),
    ];
    for (name, ch) in &charts {
        let (svg, png) = render_chart(name, ch)?;
        files.push((format!("{name}.svg"), svg.into_bytes()));
        files.push((format!("{name}.png"), png));
    }
    Ok(files)
}
