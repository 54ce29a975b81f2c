//! Presentation of the bill of materials and cost reports as [`Section`]s.
//!
//! This module owns how [`bom::Report`](crate::bom::Report) values become titled tables for the
//! terminal, Markdown and CSV renderers of [`crate::render`]: which columns, how money and
//! ratios are rounded for display, and the prose under each table. It computes no figure (every
//! number comes from the report) and writes nothing.

use crate::bom::{Basis, Check, PerCapacity, Report, category_name};
use crate::render::Section;
use crate::units::Cents;

pub use crate::render::Style;

/// Plain decimal text of cents: `-1234.56`.
pub fn plain(c: Cents) -> String {
    let sign = if c.0 < 0 { "-" } else { "" };
    let a = c.0.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// Money for reading: `$7,384.00` in USD, `7,384.00 EUR` otherwise.
pub fn money(c: Cents, currency: &str) -> String {
    let s = c.to_string();
    if currency == "USD" {
        s
    } else {
        format!("{} {currency}", s.replacen('$', "", 1))
    }
}

/// Money with an explicit sign, for differences: `+$6.00`, `-$4.00`, `$0.00`.
pub(crate) fn signed_money(c: Cents, currency: &str) -> String {
    if c.0 > 0 {
        format!("+{}", money(c, currency))
    } else {
        money(c, currency)
    }
}

/// A ratio in currency units for reading: `$0.1165` (USD) or `0.1165 EUR`.
pub fn ratio(v: f64, decimals: usize, currency: &str) -> String {
    let digits = format!("{:.*}", decimals, v.abs());
    let sign = if v < 0.0 && digits.chars().any(|c| ('1'..='9').contains(&c)) {
        "-"
    } else {
        ""
    };
    let (int, frac) = digits.split_once('.').unwrap_or((&digits, ""));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let num = if frac.is_empty() {
        grouped
    } else {
        format!("{grouped}.{frac}")
    };
    if currency == "USD" {
        format!("{sign}${num}")
    } else {
        format!("{sign}{num} {currency}")
    }
}

/// A published ratio as written, with the currency: `$0.0517` or `0.0517 EUR`.
pub(crate) fn published_ratio(text: &str, currency: &str) -> String {
    if currency == "USD" {
        format!("${}", text.trim())
    } else {
        format!("{} {currency}", text.trim())
    }
}

fn opt_ratio(v: Option<f64>, decimals: usize, currency: &str, style: Style) -> String {
    match (v, style) {
        (None, _) => "-".into(),
        (Some(x), Style::Read) => ratio(x, decimals, currency),
        (Some(x), Style::Data) => format!("{x:.*}", decimals),
    }
}

fn cell_money(c: Cents, currency: &str, style: Style) -> String {
    match style {
        Style::Read => money(c, currency),
        Style::Data => plain(c),
    }
}

fn share(p: f64) -> String {
    format!("{p:.1} %")
}

/// A percentage cell: `69.1 %` to read, `69.13` (two decimals, the header says %) for data.
fn share_cell(p: f64, style: Style) -> String {
    match style {
        Style::Read => share(p),
        Style::Data => format!("{p:.2}"),
    }
}

fn title(r: &Report) -> String {
    match &r.revision {
        Some(rev) if !r.design.contains(rev.as_str()) => format!("{} (revision {rev})", r.design),
        _ => r.design.clone(),
    }
}

fn order(r: &Report) -> String {
    if r.pods == 1 {
        "one pod".into()
    } else {
        format!("an order of {} pods", r.pods)
    }
}

fn dates(r: &Report) -> String {
    if r.price_dates.earliest == r.price_dates.latest {
        r.price_dates.earliest.clone()
    } else {
        format!("{} to {}", r.price_dates.earliest, r.price_dates.latest)
    }
}

/// The sentence that says how much of the total rests on estimates.
pub(crate) fn estimated_sentence(r: &Report) -> String {
    let t = &r.totals;
    let n = r
        .lines
        .iter()
        .filter(|l| l.basis == Basis::Estimated)
        .count();
    if n == 0 {
        return "No line price is an estimate.".into();
    }
    format!(
        "Estimated: {} ({}) of the total rests on prices nobody published ({n} of {} lines, marked E).",
        money(t.estimated, &r.currency),
        share(t.estimated_share_pct),
        r.lines.len()
    )
}

/// The sentence that puts the total next to the published one.
pub(crate) fn published_sentence(r: &Report) -> Option<String> {
    let c = r.reconciliation.total.as_ref()?;
    let what = if r.what_if.as_ref().is_some_and(|w| w.baseline.is_some()) {
        "the design as written (without the what-ifs)"
    } else {
        "the BOM"
    };
    Some(if c.matches {
        format!(
            "Published total: {} [{}]; {what} adds up to {} and matches it.",
            money(c.published, &r.currency),
            c.source_tag,
            money(c.computed, &r.currency)
        )
    } else {
        format!(
            "Published total: {} [{}]; {what} adds up to {}, a difference of {} (see `podplan cost`).",
            money(c.published, &r.currency),
            c.source_tag,
            money(c.computed, &r.currency),
            signed_money(c.difference, &r.currency)
        )
    })
}

/// Sentences describing the what-ifs, for the notes under a table.
pub(crate) fn what_if_sentences(r: &Report) -> Vec<String> {
    let mut out = Vec::new();
    let Some(w) = &r.what_if else {
        return out;
    };
    if w.pods > 1 {
        out.push(format!(
            "Order of {} pods: every quantity and total is for {} pods; one pod costs {}. Per-TB and per-GB figures are per pod and do not change with the order size.",
            w.pods,
            w.pods,
            money(r.totals.pod_total, &r.currency)
        ));
    }
    if let Some(d) = &w.drive {
        out.push(format!(
            "What-if: every data bay holds {} ({}) instead of {}; capacity and cost are recomputed through the layout.",
            d.name,
            d.part,
            d.replaced.join(", ")
        ));
    }
    for p in &w.prices {
        out.push(format!(
            "What-if: {} ({}) at {} instead of the design's {}.",
            p.name,
            p.part,
            money(p.unit, &r.currency),
            money(p.design_unit, &r.currency)
        ));
    }
    if let Some(b) = &w.baseline {
        out.push(format!(
            "As designed, one pod costs {}; with the what-ifs {} ({}).",
            money(b.pod_total, &r.currency),
            money(r.totals.pod_total, &r.currency),
            signed_money(Cents(r.totals.pod_total.0 - b.pod_total.0), &r.currency)
        ));
    }
    out
}

/// A column of the bill of materials' lines as data: the CSV and the workbook's BOM sheet
/// share this one list.
pub struct LineColumn {
    /// Header in the workbook.
    pub name: &'static str,
    /// Header in CSV: the money columns name their currency there (`Unit (USD)`).
    pub csv: &'static str,
    /// Whether the header in CSV carries the currency.
    pub money: bool,
    /// A number: right-aligned in a table.
    pub number: bool,
    /// Width in the workbook, in characters.
    pub width: f64,
}

impl LineColumn {
    const fn text(name: &'static str, width: f64) -> Self {
        LineColumn {
            name,
            csv: name,
            money: false,
            number: false,
            width,
        }
    }

    const fn count(name: &'static str, width: f64) -> Self {
        LineColumn {
            number: true,
            ..LineColumn::text(name, width)
        }
    }

    const fn money(name: &'static str, csv: &'static str, width: f64) -> Self {
        LineColumn {
            name,
            csv,
            money: true,
            number: true,
            width,
        }
    }

    /// The header in CSV, with the currency where it applies.
    pub(crate) fn csv_header(&self, currency: &str) -> String {
        if self.money {
            format!("{} ({currency})", self.csv)
        } else {
            self.csv.to_string()
        }
    }
}

/// The columns of the bill of materials' lines as data, in order.
pub const LINE_COLUMNS: [LineColumn; 14] = [
    LineColumn::count("#", 4.0),
    LineColumn::text("Part", 50.0),
    LineColumn::text("Part id", 28.0),
    LineColumn::text("Part number", 18.0),
    LineColumn::text("Supplier", 22.0),
    LineColumn::text("Category", 12.0),
    LineColumn::text("Used for", 36.0),
    LineColumn::count("Qty per pod", 8.0),
    LineColumn::count("Qty", 8.0),
    LineColumn::money("Unit price", "Unit", 12.0),
    LineColumn::money("Extended", "Extended", 14.0),
    LineColumn::text("Price basis", 14.0),
    LineColumn::text("Price date", 11.0),
    LineColumn::text("Price source", 80.0),
];

/// The `bom` report: lines, totals, price sources.
pub fn bom_sections(r: &Report, style: Style) -> Vec<Section> {
    let mut out = Vec::new();
    lines_section(r, style, &mut out);
    totals_section(r, style, &mut out);
    basis_section(r, style, &mut out);
    sources_section(r, style, &mut out);
    out
}

/// Every line of the bill of materials, and the legend of price bases.
fn lines_section(r: &Report, style: Style, out: &mut Vec<Section>) {
    let cur = &r.currency;
    let head = format!(
        "Bill of materials: {}, {}, prices in {cur} dated {}",
        title(r),
        order(r),
        dates(r)
    );
    let mut lines = match style {
        Style::Read => {
            let mut s = Section::new(
                head,
                &[
                    "#",
                    "Part (id: what for)",
                    "Part number / supplier",
                    "Category",
                    "Qty",
                    "Unit",
                    "Extended",
                    "Price",
                ],
            );
            s.align_right([0, 4, 5, 6]);
            for l in &r.lines {
                let pn = [l.part_number.as_deref(), l.supplier.as_deref()]
                    .iter()
                    .flatten()
                    .copied()
                    .collect::<Vec<_>>()
                    .join("\n");
                let price = if l.price_date.is_empty() {
                    l.basis.tag().to_string()
                } else {
                    format!("{} {}", l.basis.tag(), l.price_date)
                };
                s.row(vec![
                    l.item.to_string(),
                    format!("{}\n{}: {}", l.name, l.part, l.used_for),
                    if pn.is_empty() { "-".into() } else { pn },
                    category_name(l.category).to_string(),
                    l.qty.to_string(),
                    money(l.unit, cur),
                    money(l.extended, cur),
                    price,
                ]);
            }
            s
        }
        Style::Data => {
            let header: Vec<String> = LINE_COLUMNS.iter().map(|c| c.csv_header(cur)).collect();
            let header: Vec<&str> = header.iter().map(String::as_str).collect();
            let mut s = Section::new("Bill of materials", &header);
            s.align_right((0..LINE_COLUMNS.len()).filter(|&i| LINE_COLUMNS[i].number));
            for l in &r.lines {
                s.row(vec![
                    l.item.to_string(),
                    l.name.clone(),
                    l.part.clone(),
                    l.part_number.clone().unwrap_or_default(),
                    l.supplier.clone().unwrap_or_default(),
                    category_name(l.category).to_string(),
                    l.used_for.clone(),
                    l.qty_per_pod.to_string(),
                    l.qty.to_string(),
                    plain(l.unit),
                    plain(l.extended),
                    l.basis.label().to_string(),
                    l.price_date.clone(),
                    l.source.clone(),
                ]);
            }
            s
        }
    };
    // The legend names only the price bases this BOM uses.
    let legend: Vec<&str> = [
        (Basis::Published, "P published by the designer"),
        (Basis::ThirdParty, "T third party"),
        (Basis::Derived, "D derived by arithmetic"),
        (Basis::Estimated, "E estimated (nobody published it)"),
        (Basis::Override, "O --price override"),
    ]
    .iter()
    .filter(|(b, _)| r.lines.iter().any(|l| l.basis == *b))
    .map(|(_, text)| *text)
    .collect();
    lines
        .notes
        .push(format!("{}. Design file: {}.", legend.join(", "), r.file));
    out.push(lines);
}

/// Totals by category, data drives against everything else, and the estimated share.
fn totals_section(r: &Report, style: Style, out: &mut Vec<Section>) {
    let cur = &r.currency;
    let t = &r.totals;
    let (amount, share_head) = amount_heads(r, style);
    let mut tot = Section::new(
        format!("Totals ({})", order(r)),
        &["Figure", &amount, &share_head],
    );
    tot.align_right([1, 2]);
    for c in &t.by_category {
        tot.row(vec![
            format!("category: {}", category_name(c.category)),
            cell_money(c.extended, cur, style),
            share_cell(c.share_pct, style),
        ]);
    }
    let pct = |c: Cents| {
        if t.order_total.0 == 0 {
            share_cell(0.0, style)
        } else {
            share_cell(100.0 * c.0 as f64 / t.order_total.0 as f64, style)
        }
    };
    tot.row(vec![
        "data drives".into(),
        cell_money(t.data_drives, cur, style),
        pct(t.data_drives),
    ]);
    tot.row(vec![
        "everything else (the pod without its data drives)".into(),
        cell_money(t.everything_else, cur, style),
        pct(t.everything_else),
    ]);
    tot.row(vec![
        "estimated prices".into(),
        cell_money(t.estimated, cur, style),
        share_cell(t.estimated_share_pct, style),
    ]);
    if r.pods > 1 {
        tot.row(vec![
            "total per pod".into(),
            cell_money(t.pod_total, cur, style),
            share_cell(100.0 / f64::from(r.pods), style),
        ]);
        tot.row(vec![
            format!("total for {} pods", r.pods),
            cell_money(t.order_total, cur, style),
            share_cell(100.0, style),
        ]);
    } else {
        tot.row(vec![
            "total".into(),
            cell_money(t.order_total, cur, style),
            share_cell(100.0, style),
        ]);
    }
    tot.notes.push(estimated_sentence(r));
    tot.notes.extend(published_sentence(r));
    tot.notes.extend(what_if_sentences(r));
    out.push(tot);
}

/// The headers of an amount and its share of the total.
fn amount_heads(r: &Report, style: Style) -> (String, String) {
    match style {
        Style::Read => ("Amount".to_string(), "Share of total".to_string()),
        Style::Data => (
            format!("Amount ({})", r.currency),
            "Share of total (%)".to_string(),
        ),
    }
}

/// How much of the total rests on each price basis.
fn basis_section(r: &Report, style: Style, out: &mut Vec<Section>) {
    let cur = &r.currency;
    let t = &r.totals;
    let (amount, share_head) = amount_heads(r, style);
    let mut b = Section::new(
        "What the prices rest on",
        &["Price basis", "Lines", &amount, &share_head],
    );
    b.align_right([1, 2, 3]);
    for x in &t.by_basis {
        if x.lines == 0 && x.basis != Basis::Estimated {
            continue;
        }
        b.row(vec![
            x.basis.label().to_string(),
            x.lines.to_string(),
            cell_money(x.extended, cur, style),
            share_cell(x.share_pct, style),
        ]);
    }
    if r.lines.iter().any(|l| l.basis == Basis::Derived) {
        b.notes.push(
            "Derived prices are arithmetic on sourced figures (often a published total less the estimated lines), so they carry the estimates' uncertainty."
                .into(),
        );
    }
    out.push(b);
}

/// Where each price comes from (to read only).
fn sources_section(r: &Report, style: Style, out: &mut Vec<Section>) {
    if style == Style::Read {
        let mut s = Section::new(
            "Where each price comes from",
            &[
                "#",
                "Part id",
                "Price",
                "Source (URL, formula or reasoning)",
            ],
        );
        s.align_right([0]);
        for l in &r.lines {
            s.row(vec![
                l.item.to_string(),
                l.part.clone(),
                l.basis.tag().to_string(),
                l.source.clone(),
            ]);
        }
        out.push(s);
    }
}

fn tb(b: crate::units::Bytes) -> String {
    format!("{:.2}", b.tb())
}

fn tib(b: crate::units::Bytes) -> String {
    format!("{:.2}", b.tib())
}

fn status(matches: bool) -> &'static str {
    if matches { "matches" } else { "differs" }
}

/// The cells of one reconciliation row, before styling.
struct CheckCells<'a> {
    figure: String,
    computed: String,
    published: String,
    difference: String,
    tag: &'a str,
    matches: bool,
    explanation: &'a str,
}

/// A reconciliation row: figure, computed, published (with its source tag when reading),
/// difference, [source,] status, explanation.
fn check_row(c: CheckCells, style: Style) -> Vec<String> {
    match style {
        Style::Read => vec![
            c.figure,
            c.computed,
            format!("{} [{}]", c.published, c.tag),
            c.difference,
            status(c.matches).into(),
            c.explanation.into(),
        ],
        Style::Data => vec![
            c.figure,
            c.computed,
            c.published,
            c.difference,
            c.tag.into(),
            status(c.matches).into(),
            c.explanation.into(),
        ],
    }
}

fn total_row(c: &Check<Cents>, cur: &str, style: Style) -> Vec<String> {
    let (computed, published, difference) = match style {
        Style::Read => (
            money(c.computed, cur),
            money(c.published, cur),
            signed_money(c.difference, cur),
        ),
        Style::Data => (plain(c.computed), plain(c.published), plain(c.difference)),
    };
    check_row(
        CheckCells {
            figure: match style {
                Style::Read => "total, one pod".into(),
                Style::Data => format!("total, one pod ({cur})"),
            },
            computed,
            published,
            difference,
            tag: &c.source_tag,
            matches: c.matches,
            explanation: &c.explanation,
        },
        style,
    )
}

fn per_gb_row(c: &Check<f64>, cur: &str, style: Style) -> Vec<String> {
    let (computed, published, difference) = match style {
        Style::Read => {
            let d = ratio(c.difference, 4, cur);
            let d = if d.starts_with('-') || d.chars().all(|ch| !('1'..='9').contains(&ch)) {
                d
            } else {
                format!("+{d}")
            };
            (
                format!(
                    "{} ({})",
                    ratio(c.computed, 4, cur),
                    c.computed_at_published_precision
                ),
                published_ratio(&c.published_text, cur),
                d,
            )
        }
        Style::Data => (
            format!("{:.6}", c.computed),
            c.published_text.clone(),
            format!("{:.6}", c.difference),
        ),
    };
    check_row(
        CheckCells {
            figure: match style {
                Style::Read => "per raw GB".into(),
                Style::Data => format!("per raw GB ({cur})"),
            },
            computed,
            published,
            difference,
            tag: &c.source_tag,
            matches: c.matches,
            explanation: &c.explanation,
        },
        style,
    )
}

fn reconcile_header(style: Style) -> Vec<&'static str> {
    let mut h = vec!["Figure", "Computed", "Published", "Difference"];
    if style == Style::Data {
        h.push("Source");
    }
    h.extend(["Status", "Explanation (the design's note on the figure)"]);
    h
}

/// The `cost` report of one design: metrics, cost per capacity, reconciliation, what-ifs.
pub fn cost_sections(r: &Report, style: Style) -> Vec<Section> {
    let mut out = Vec::new();
    metrics_section(r, style, &mut out);
    per_capacity_section(r, style, &mut out);
    out.push(reconciliation_section(r, style));
    what_if_section(r, style, &mut out);
    out
}

/// The cost metrics: total, per pod, drives and everything else.
fn metrics_section(r: &Report, style: Style, out: &mut Vec<Section>) {
    let cur = &r.currency;
    let t = &r.totals;
    let m = &r.metrics;
    let mut s = Section::new(
        format!("Cost of {}, prices in {cur} dated {}", title(r), dates(r)),
        &["Figure", "Value"],
    );
    s.align_right([1]);
    // For data the figure's name carries its unit, as a column header would.
    let unit = |name: String, u: &str| unit_name(name, u, style);
    s.row(vec![
        unit("total, one pod".into(), cur),
        cell_money(t.pod_total, cur, style),
    ]);
    if r.pods > 1 {
        s.row(vec![
            unit(format!("total for {} pods", r.pods), cur),
            cell_money(t.order_total, cur, style),
        ]);
    }
    let per_pod = |c: Cents| Cents(c.0 / i64::from(r.pods.max(1)));
    s.row(vec![
        unit("data drives, one pod".into(), cur),
        cell_money(per_pod(t.data_drives), cur, style),
    ]);
    s.row(vec![
        unit("everything else, one pod".into(), cur),
        cell_money(per_pod(t.everything_else), cur, style),
    ]);
    match style {
        Style::Read => s.row(vec![
            "estimated prices, one pod".into(),
            format!(
                "{} ({})",
                money(per_pod(t.estimated), cur),
                share(t.estimated_share_pct)
            ),
        ]),
        Style::Data => {
            s.row(vec![
                unit("estimated prices, one pod".into(), cur),
                plain(per_pod(t.estimated)),
            ]);
            s.row(vec![
                unit("estimated prices, share of the total".into(), "%"),
                share_cell(t.estimated_share_pct, style),
            ])
        }
    };
    match style {
        Style::Read => s.row(vec![
            format!("per chassis bay ({} bays, {} drives)", m.bays, m.drives),
            ratio(m.per_bay, 2, cur),
        ]),
        Style::Data => {
            s.row(vec!["chassis bays (count)".into(), m.bays.to_string()]);
            s.row(vec!["data drives (count)".into(), m.drives.to_string()]);
            s.row(vec![
                unit("per chassis bay".into(), cur),
                opt_ratio(Some(m.per_bay), 2, cur, style),
            ])
        }
    };
    s.row(vec![
        unit("everything else per chassis bay".into(), cur),
        opt_ratio(Some(m.everything_else_per_bay), 2, cur, style),
    ]);
    s.notes.push(estimated_sentence(r));
    s.notes.extend(what_if_sentences(r));
    out.push(s);
}

/// Cost per raw, before-filesystem and usable capacity (and per Vault-usable when there is one).
fn per_capacity_section(r: &Report, style: Style, out: &mut Vec<Section>) {
    let cur = &r.currency;
    let m = &r.metrics;
    let per = |what: &str| match style {
        Style::Read => what.to_string(),
        Style::Data => format!("{what} ({cur})"),
    };
    let mut c = Section::new(
        "Cost per capacity (TB = 10^12 B, TiB = 2^40 B, GB = 10^9 B; one pod)",
        &[
            "Capacity",
            "TB",
            "TiB",
            &per("per TB"),
            &per("per TiB"),
            &per("per GB"),
        ],
    );
    c.align_right([1, 2, 3, 4, 5]);
    let rows: [(&str, &PerCapacity); 3] = [
        ("raw (drives as sold)", &m.raw),
        (
            "before the filesystem (after parity and spares)",
            &m.before_filesystem,
        ),
        ("usable (after the filesystem)", &m.usable),
    ];
    let vault = m.vault_usable.as_ref().map(|v| {
        let label = match m.vault {
            Some(code) => format!(
                "usable as a Vault pod ({}+{} across {} pods, no RAID in the pod)",
                code.data,
                code.parity,
                code.data.saturating_add(code.parity)
            ),
            None => "usable as a Vault pod".to_string(),
        };
        (label, v)
    });
    let rows = rows
        .iter()
        .map(|(n, p)| (n.to_string(), *p))
        .chain(vault.iter().map(|(n, p)| (n.clone(), *p)));
    for (name, p) in rows {
        c.row(vec![
            name,
            tb(p.bytes),
            tib(p.bytes),
            opt_ratio(p.per_tb, 2, cur, style),
            opt_ratio(p.per_tib, 2, cur, style),
            opt_ratio(p.per_gb, 4, cur, style),
        ]);
    }
    let quoted = if r.reconciliation.per_gb.is_some() {
        " The published $/GB is per raw decimal GB: compare it with the raw row."
    } else {
        ""
    };
    c.notes.push(format!(
        "Layout: the design's own RAID policy, {}.{quoted}",
        m.layout
    ));
    out.push(c);
}

/// A figure's name: for data it carries its unit, as a column header would.
fn unit_name(name: String, unit: &str, style: Style) -> String {
    match style {
        Style::Read => name,
        Style::Data => format!("{name} ({unit})"),
    }
}

/// The what-if against the design as written.
fn what_if_section(r: &Report, style: Style, out: &mut Vec<Section>) {
    let unit = |name: String, u: &str| unit_name(name, u, style);
    let cur = &r.currency;
    let t = &r.totals;
    let m = &r.metrics;
    if let Some(b) = r.what_if.as_ref().and_then(|w| w.baseline.as_ref()) {
        let mut w = Section::new(
            "What-if against the design as written (one pod)",
            &["Figure", "As designed", "What-if", "Change"],
        );
        w.align_right([1, 2, 3]);
        w.row(vec![
            unit("total".into(), cur),
            cell_money(b.pod_total, cur, style),
            cell_money(t.pod_total, cur, style),
            match style {
                Style::Read => signed_money(Cents(t.pod_total.0 - b.pod_total.0), cur),
                Style::Data => plain(Cents(t.pod_total.0 - b.pod_total.0)),
            },
        ]);
        let cap = |name: &str, a: &PerCapacity, z: &PerCapacity| {
            vec![
                match style {
                    Style::Read => format!("{name} TB"),
                    Style::Data => format!("{name} (TB)"),
                },
                tb(a.bytes),
                tb(z.bytes),
                match style {
                    Style::Read => format!("{:+.2}", shown_change(a.bytes.tb(), z.bytes.tb(), 2)),
                    Style::Data => format!("{:.2}", shown_change(a.bytes.tb(), z.bytes.tb(), 2)),
                },
            ]
        };
        let per = |name: &str, a: Option<f64>, z: Option<f64>, d: usize| {
            let change = match (a, z, style) {
                (Some(a), Some(z), Style::Read) => signed_ratio(shown_change(a, z, d), d, cur),
                (Some(a), Some(z), Style::Data) => format!("{:.*}", d, shown_change(a, z, d)),
                _ => "-".into(),
            };
            vec![
                unit(name.into(), cur),
                opt_ratio(a, d, cur, style),
                opt_ratio(z, d, cur, style),
                change,
            ]
        };
        w.row(cap("raw", &b.raw, &m.raw));
        w.row(per("cost per raw GB", b.raw.per_gb, m.raw.per_gb, 4));
        w.row(per("cost per raw TB", b.raw.per_tb, m.raw.per_tb, 2));
        w.row(cap("usable", &b.usable, &m.usable));
        w.row(per(
            "cost per usable TB",
            b.usable.per_tb,
            m.usable.per_tb,
            2,
        ));
        out.push(w);
    }
}

/// The change between two figures as shown: each rounded to `decimals` first (in whole units
/// of the last decimal, e.g. cents), then subtracted, so that the change always equals the
/// difference of the two figures beside it.
fn shown_change(before: f64, after: f64, decimals: usize) -> f64 {
    let scale = 10f64.powi(decimals as i32);
    let units = |v: f64| (v * scale).round();
    (units(after) - units(before)) / scale
}

/// A ratio in currency with an explicit sign: `+$0.0010`, `-$0.0010`, `$0.0000`.
fn signed_ratio(v: f64, decimals: usize, currency: &str) -> String {
    let s = ratio(v, decimals, currency);
    if s.starts_with('-') || !s.chars().any(|ch| ('1'..='9').contains(&ch)) {
        s
    } else {
        format!("+{s}")
    }
}

fn reconciliation_section(r: &Report, style: Style) -> Section {
    let cur = &r.currency;
    let what = if r.what_if.as_ref().is_some_and(|w| w.baseline.is_some()) {
        "the design as written, without the what-ifs"
    } else {
        "the design as written"
    };
    let mut s = Section::new(
        format!("Reconciliation with the published figures ({what})"),
        &reconcile_header(style),
    );
    s.align_right([1, 2, 3]);
    let rec = &r.reconciliation;
    if let Some(c) = &rec.total {
        s.row(total_row(c, cur, style));
    }
    if let Some(c) = &rec.per_gb {
        s.row(per_gb_row(c, cur, style));
    }
    if rec.total.is_none() && rec.per_gb.is_none() {
        let mut row = vec![String::new(); s.columns.len()];
        row[0] = "none published".into();
        row[s.columns.len() - 1] = "the design gives no published total or $/GB".into();
        s.row(row);
    }
    s.notes.extend(precision_note(rec, cur));
    s
}

/// The units line of a cost table: what TB, TiB and GB mean, and, when the design has a
/// published $/GB, that it is on raw decimal GB.
pub(crate) fn capacity_units_sentence(r: &Report) -> String {
    let mut s = "One pod. TB = 10^12 B, TiB = 2^40 B, GB = 10^9 B".to_string();
    if r.reconciliation.per_gb.is_some() {
        s.push_str("; the published $/GB is on raw decimal GB");
    }
    s.push('.');
    s
}

/// How many decimals a figure is written with, in words: `0.0517` → "four decimals".
fn decimals_words(text: &str) -> String {
    let n = text.trim().split_once('.').map_or(0, |(_, f)| f.len());
    match n {
        0 => "the whole unit".into(),
        1 => "one decimal".into(),
        2 => "two decimals".into(),
        3 => "three decimals".into(),
        4 => "four decimals".into(),
        n => format!("{n} decimals"),
    }
}

/// The footnote that says what "matches" means, citing the design's own published figures;
/// none when the design published nothing.
fn precision_note(rec: &crate::bom::Reconciliation, cur: &str) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(c) = &rec.total {
        parts.push(format!("{} to the cent", money(c.published, cur)));
    }
    if let Some(c) = &rec.per_gb {
        parts.push(format!(
            "{} to {}",
            published_ratio(&c.published_text, cur),
            decimals_words(&c.published_text)
        ));
    }
    if parts.is_empty() {
        return None;
    }
    let brackets = if rec.per_gb.is_some() {
        "; in brackets, the computed $/GB so rounded"
    } else {
        ""
    };
    Some(format!(
        "matches = the computed figure rounds to the published one at the published precision ({}){brackets}.",
        parts.join(", ")
    ))
}

fn short_name(r: &Report) -> String {
    r.revision.clone().map_or_else(
        || r.design.clone(),
        |rev| {
            if r.design.contains(&rev) {
                r.design.clone()
            } else {
                format!("{} {rev}", r.design)
            }
        },
    )
}

/// `cost` over several designs: one row per design with $/GB against the published figure,
/// then every reconciliation.
pub fn comparison_sections(reports: &[Report], style: Style) -> Vec<Section> {
    let cur = reports.first().map_or("USD", |r| r.currency.as_str());
    let head = |name: &str, unit: &str| match style {
        Style::Read => name.to_string(),
        Style::Data => format!("{name} ({unit})"),
    };
    let mut s = Section::new(
        "Cost per design, one pod each ($/GB on raw decimal GB)",
        &[
            "Design",
            &head("Total", cur),
            &head("Published total", cur),
            "Raw TB",
            &head("per raw GB", cur),
            &head("Published per GB", cur),
            &head("per usable TB", cur),
            &head("Estimated", "%"),
        ],
    );
    s.align_right([1, 2, 3, 4, 5, 6, 7]);
    let mark = |matches: bool| if matches { "" } else { ", differs" };
    for r in reports {
        let cur = &r.currency;
        let rec = &r.reconciliation;
        let pub_total = rec.total.as_ref().map_or("-".to_string(), |c| match style {
            Style::Read => format!(
                "{} [{}]{}",
                money(c.published, cur),
                c.source_tag,
                mark(c.matches)
            ),
            Style::Data => plain(c.published),
        });
        let pub_gb = rec
            .per_gb
            .as_ref()
            .map_or("-".to_string(), |c| match style {
                Style::Read => format!(
                    "{} [{}]{}",
                    published_ratio(&c.published_text, cur),
                    c.source_tag,
                    mark(c.matches)
                ),
                Style::Data => c.published_text.clone(),
            });
        s.row(vec![
            short_name(r),
            cell_money(r.totals.pod_total, cur, style),
            pub_total,
            tb(r.metrics.raw.bytes),
            opt_ratio(r.metrics.raw.per_gb, 4, cur, style),
            pub_gb,
            opt_ratio(r.metrics.usable.per_tb, 2, cur, style),
            share_cell(r.totals.estimated_share_pct, style),
        ]);
    }
    s.notes.push(
        "Published figures carry their source: [P] the designer, [T] a third party, [D] derived from other published figures; \"differs\" marks a computed figure that does not round to the published one (explained below). Estimated = share of the total resting on estimated prices."
            .into(),
    );
    if let Some(w) = reports.first().and_then(|r| r.what_if.as_ref()) {
        if w.pods > 1 {
            s.notes.push(format!(
                "Order of {} pods: totals above are per pod; each design's order costs {} times as much.",
                w.pods, w.pods
            ));
        }
        if w.baseline.is_some() {
            s.notes.push(
                "What-ifs are applied to every design above; reconciliation below is of the designs as written."
                    .into(),
            );
        }
    }
    let mut rec = Section::new(
        "Reconciliation with the published figures (the designs as written)",
        &{
            let mut h = vec!["Design"];
            h.extend(reconcile_header(style));
            h
        },
    );
    rec.align_right([2, 3, 4]);
    for r in reports {
        let cur = &r.currency;
        let rc = &r.reconciliation;
        let mut rows = Vec::new();
        if let Some(c) = &rc.total {
            rows.push(total_row(c, cur, style));
        }
        if let Some(c) = &rc.per_gb {
            rows.push(per_gb_row(c, cur, style));
        }
        for row in rows {
            let mut full = vec![short_name(r)];
            full.extend(row);
            rec.row(full);
        }
    }
    vec![s, rec]
}
