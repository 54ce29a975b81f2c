//! Presentation of a fleet plan: its tables as [`Section`]s, its charts' data, and its
//! purchase-schedule workbook.
//!
//! This module owns how a [`PlanReport`] becomes titled tables for the terminal, Markdown and
//! CSV renderers, the three plan charts (capacity against demand, cumulative spend split
//! capex/opex, cost per TB-month) and the XLSX purchase schedule (a summary sheet and one
//! sheet per period with its order lines). It computes no figure: every number comes from the
//! report.

use crate::plan::engine::{PeriodRow, PlanReport};
use crate::plan::{Grouping, Period};
use crate::render::Section;
use crate::render::bom::{money as read_money, plain, ratio};
use crate::render::charts::{Bar, BarChart, LineChart, StackedChart};
use crate::study::{PlanColumn, PlanComparison};
use crate::units::{Bytes, Cents};

pub use crate::render::Style;

fn money(c: Cents, cur: &str, st: Style) -> String {
    match st {
        Style::Read => read_money(c, cur),
        Style::Data => plain(c),
    }
}

/// A number with thousands separators and `decimals` decimals.
fn grouped(v: f64, decimals: usize) -> String {
    let s = ratio(v, decimals, "");
    s.trim_end_matches(' ').to_string()
}

fn tb(b: Bytes, st: Style) -> String {
    match st {
        Style::Read => format!("{} TB ({} TiB)", grouped(b.tb(), 1), grouped(b.tib(), 1)),
        Style::Data => format!("{:.3}", b.tb()),
    }
}

fn per_tb_month(v: f64, cur: &str, st: Style) -> String {
    match st {
        Style::Read => ratio(v, 3, cur),
        Style::Data => format!("{v:.4}"),
    }
}

fn grouping_text(g: Grouping) -> String {
    match g {
        Grouping::Standalone => "stand-alone pods (the design's RAID)".into(),
        Grouping::Vault { data, parity } => format!("Vaults of {data}+{parity} pods"),
    }
}

/// Every table of a plan, in order.
pub(crate) fn plan_sections(r: &PlanReport, st: Style) -> Vec<Section> {
    let mut v = vec![summary(r, st), rack_fit(r), schedule(r, st), opex(r, st)];
    v.extend(rack_month(r, st));
    v.extend(waiting(r, st));
    v.push(factors(r));
    v
}

fn summary(r: &PlanReport, st: Style) -> Section {
    let cur = r.pod.currency.as_str();
    let t = &r.totals;
    let p = &r.pod;
    let mut s = Section::new(format!("Plan: {}", r.name), &["Figure", "Value"]);
    let period = match r.period {
        Period::Year => "year",
        Period::Quarter => "quarter",
    };
    let first_price = r.periods.first().map_or(Cents::ZERO, |x| x.pod_price);
    let rows: Vec<(&str, String)> = vec![
        ("Design", format!("{} ({})", p.design, p.file)),
        ("Grouping", grouping_text(p.grouping)),
        ("Usable per pod", tb(p.usable, st)),
        ("Raw per pod", tb(p.raw, st)),
        ("Pod price at the start", money(first_price, cur, st)),
        (
            "Pod draw at the wall (W): running / spin-up peak",
            format!(
                "{:.0} / {:.0} ({})",
                p.load.0, p.spinup_peak.0, p.load_source
            ),
        ),
        (
            "Pods per rack",
            format!(
                "{} ({} binds)",
                r.rack_fit.pods_per_rack, r.rack_fit.binding
            ),
        ),
        ("Horizon", format!("{} years, by {period}", r.horizon_years)),
        ("Demand at the end", tb(t.demand, st)),
        ("Usable at the end", tb(t.usable, st)),
        (
            "Pods / racks at the end",
            format!("{} / {}", t.pods, t.racks),
        ),
        ("Capex", money(t.capex.total, cur, st)),
        ("Opex", money(t.opex.total, cur, st)),
        ("TCO (capex + opex)", money(t.tco, cur, st)),
        (
            "TCO per usable TB-month",
            per_tb_month(t.per_tb_month, cur, st),
        ),
        (
            "TCO per demanded TB-month",
            per_tb_month(t.per_demand_tb_month, cur, st),
        ),
    ];
    for (k, val) in rows {
        s.row(vec![data_name(k, cur, st), val]);
    }
    if let Some(b) = r.budget {
        s.row(vec![
            data_name("Capital budget", cur, st),
            money(b, cur, st),
        ]);
    }
    s.notes.extend(r.notes.iter().cloned());
    for b in &r.broken {
        s.notes
            .push(format!("LIMIT BROKEN ({}): {}", b.limit, b.message));
    }
    s
}

/// A figure's name, with its unit when cells are plain numbers (CSV).
fn data_name(k: &str, cur: &str, st: Style) -> String {
    let unit = match k {
        "Usable per pod" | "Raw per pod" | "Demand at the end" | "Usable at the end" => "TB",
        "Pod price at the start" | "Capex" | "Opex" | "TCO (capex + opex)" | "Capital budget" => {
            cur
        }
        "TCO per usable TB-month" | "TCO per demanded TB-month" => "per TB-month",
        _ => "",
    };
    match st {
        Style::Data if unit == "per TB-month" => format!("{k} ({cur} per TB-month)"),
        Style::Data if !unit.is_empty() => format!("{k} ({unit})"),
        _ => k.to_string(),
    }
}

fn rack_fit(r: &PlanReport) -> Section {
    let mut s = Section::new(
        "Pods per rack: what binds",
        &["Limit", "Pods per rack", "How"],
    );
    s.align_right([1]);
    for l in &r.rack_fit.limits {
        let pods = l.pods.map_or("-".into(), |p| p.to_string());
        let mark = if l.limit == r.rack_fit.binding {
            format!("{} (binds)", l.limit)
        } else {
            l.limit.clone()
        };
        s.row(vec![mark, pods, l.detail.clone()]);
    }
    s
}

/// Column names with `CUR` replaced by the currency in lower case (`capex_usd`).
fn with_currency(header: &[&str], cur: &str) -> Vec<String> {
    header
        .iter()
        .map(|h| h.replace("CUR", &cur.to_ascii_lowercase()))
        .collect()
}

fn schedule(r: &PlanReport, st: Style) -> Section {
    let cur = r.pod.currency.as_str();
    let header: &[&str] = match st {
        Style::Read => &[
            "Period",
            "Demand TB",
            "Usable TB",
            "Pods bought",
            "Pods",
            "Vaults",
            "Racks",
            "Pod price",
            "Capex",
            "Opex",
            "$/TB-mo to date",
        ],
        Style::Data => &[
            "period",
            "demand_tb",
            "usable_tb",
            "pods_bought",
            "pods",
            "vaults",
            "racks",
            "pod_price_CUR",
            "capex_CUR",
            "opex_CUR",
            "tco_per_tb_month_to_date_CUR",
        ],
    };
    let header = with_currency(header, cur);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut s = Section::new("Schedule", &header);
    s.align_right(1..=10);
    let short = |b: Bytes| match st {
        Style::Read => grouped(b.tb(), 0),
        Style::Data => format!("{:.3}", b.tb()),
    };
    for p in &r.periods {
        s.row(vec![
            p.label.clone(),
            short(p.demand),
            short(p.usable),
            p.pods_bought.to_string(),
            p.pods.to_string(),
            p.vaults.to_string(),
            p.racks.to_string(),
            money(p.pod_price, cur, st),
            money(p.capex.total, cur, st),
            money(p.opex.total, cur, st),
            per_tb_month(p.cost_per_tb_month_to_date, cur, st),
        ]);
    }
    s.notes.push(format!(
        "Pods are bought at each period's start so that usable capacity covers the demand at its end plus {} % headroom; the data-drive price falls {} %/yr. TB are decimal (10^12 B). TCO/TB-mo: capex and opex to date per usable TB-month delivered to date.",
        crate::units::trim_float(r.headroom_pct),
        crate::units::trim_float(r.drive_price_decline_pct)
    ));
    s
}

fn opex(r: &PlanReport, st: Style) -> Section {
    let cur = r.pod.currency.as_str();
    let header: &[&str] = match st {
        Style::Read => &[
            "Period",
            "Energy",
            "Space",
            "Bandwidth",
            "Drive replacements",
            "Labour",
            "kWh",
            "Failed drives",
        ],
        Style::Data => &[
            "period",
            "energy_CUR",
            "space_CUR",
            "bandwidth_CUR",
            "drive_replacements_CUR",
            "labour_CUR",
            "kwh",
            "failed_drives",
        ],
    };
    let header = with_currency(header, cur);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut s = Section::new("Operating cost by period", &header);
    s.align_right(1..=7);
    let row = |p: &PeriodRow| {
        vec![
            p.label.clone(),
            money(p.opex.energy, cur, st),
            money(p.opex.space, cur, st),
            money(p.opex.bandwidth, cur, st),
            money(p.opex.drive_replacements, cur, st),
            money(p.opex.labour, cur, st),
            match st {
                // Thousands separated for reading; a plain number for CSV and JSON.
                Style::Read if p.energy_kwh.is_finite() && p.energy_kwh >= 0.0 => {
                    crate::units::group_thousands(p.energy_kwh.round() as u64)
                }
                _ => format!("{:.0}", p.energy_kwh),
            },
            format!("{:.1}", p.drive_failures),
        ]
    };
    for p in &r.periods {
        s.row(row(p));
    }
    s
}

fn rack_month(r: &PlanReport, st: Style) -> Option<Section> {
    let m = r.rack_month.as_ref()?;
    let cur = r.pod.currency.as_str();
    let mut s = Section::new(
        format!("One full rack of {} pods for a month", m.pods),
        &["Item", "Per rack-month", "Share"],
    );
    s.align_right([1, 2]);
    for (k, c) in [
        ("Energy (wall power × PUE × price)", m.energy),
        ("Space", m.space),
        ("Bandwidth", m.bandwidth),
        ("Drive replacements and their labour", m.drives_and_labour),
        ("Total", m.total),
    ] {
        s.row(vec![
            k.into(),
            money(c, cur, st),
            format!("{:.0} %", c.percent_of(m.total)),
        ]);
    }
    s.notes.push(
        "Backblaze (2011): a rack of 10 Pod 2.0s cost about $2,100 a month, roughly a third each for space, power and bandwidth [S] (model §16).".into(),
    );
    Some(s)
}

fn waiting(r: &PlanReport, st: Style) -> Option<Section> {
    let w = r.waiting.as_ref()?;
    let cur = r.pod.currency.as_str();
    let mut s = Section::new(
        "Buying as needed or everything up front",
        &["Strategy", "Capex", "Opex", "TCO"],
    );
    s.align_right([1, 2, 3]);
    for (k, (c, o, t)) in [("as needed", w.as_needed), ("up front", w.up_front)] {
        s.row(vec![
            k.into(),
            money(c, cur, st),
            money(o, cur, st),
            money(t, cur, st),
        ]);
    }
    s.notes.push(format!(
        "Waiting saves {} of TCO against buying the whole horizon's pods in the first period; of that, the falling drive price saves {} on the pods bought later. Up front costs the power, space and drive failures of pods that sit empty.",
        read_money(w.tco_saved, cur),
        read_money(w.price_decline_saved, cur)
    ));
    Some(s)
}

fn factors(r: &PlanReport) -> Section {
    let mut s = Section::new("Factors (model §16)", &["Factor", "Value", "Source"]);
    for f in &r.factors {
        s.row(vec![f.name.clone(), f.value.clone(), f.source.clone()]);
    }
    s
}

/// Category labels of the charts: every period's, or only each year's first quarter (as
/// `Y3`) when more than 24 quarters would crowd the axis.
fn chart_labels(r: &PlanReport) -> Vec<String> {
    let crowded = r.periods.len() > 24 && r.period == Period::Quarter;
    r.periods
        .iter()
        .map(|p| match (crowded, p.label.split_once(' ')) {
            (true, Some((y, "Q1"))) => y.to_string(),
            (true, _) => String::new(),
            (false, _) => p.label.clone(),
        })
        .collect()
}

/// The capacity chart: usable capacity installed against demand, by period.
pub(crate) fn capacity_chart(r: &PlanReport) -> LineChart {
    LineChart {
        title: format!("{}: usable capacity against demand", r.pod.design),
        category_desc: "period".into(),
        value_desc: "PB (10^15 B, decimal)".into(),
        categories: chart_labels(r),
        series: vec![
            (
                "usable installed".into(),
                r.periods.iter().map(|p| p.usable.tb() / 1000.0).collect(),
            ),
            (
                "demand".into(),
                r.periods.iter().map(|p| p.demand.tb() / 1000.0).collect(),
            ),
        ],
    }
}

/// The spend chart: cumulative capex and opex, stacked, by period.
pub(crate) fn spend_chart(r: &PlanReport) -> StackedChart {
    let k = |c: Cents| c.as_units_f64() / 1000.0;
    StackedChart {
        title: "Cumulative spend: capex and opex".into(),
        category_desc: "period".into(),
        value_desc: format!("thousand {}", r.pod.currency),
        categories: chart_labels(r),
        series: vec![
            (
                "capex".into(),
                r.periods.iter().map(|p| k(p.cumulative_capex)).collect(),
            ),
            (
                "opex".into(),
                r.periods.iter().map(|p| k(p.cumulative_opex)).collect(),
            ),
        ],
    }
}

/// The cost chart: TCO to date per usable TB-month, by period.
pub(crate) fn cost_chart(r: &PlanReport) -> BarChart {
    BarChart {
        title: "TCO to date per usable TB-month".into(),
        category_desc: "period".into(),
        value_desc: format!("{} per TB-month", r.pod.currency),
        bars: r
            .periods
            .iter()
            .zip(chart_labels(r))
            .map(|(p, label)| Bar {
                label,
                from: 0.0,
                to: p.cost_per_tb_month_to_date,
                highlight: false,
                value_label: if r.periods.len() > 24 {
                    String::new()
                } else {
                    format!("{:.2}", p.cost_per_tb_month_to_date)
                },
            })
            .collect(),
        horizontal: false,
        highlight_meaning: String::new(),
    }
}

/// The files of a plan's report directory: `plan.md`, `plan.csv`, `plan.json`, the purchase
/// schedule `schedule.xlsx` (dated `generated`), and the three charts as SVG and PNG.
pub(crate) fn plan_files(
    r: &PlanReport,
    generated: &str,
) -> Result<Vec<(String, Vec<u8>)>, String> {
    use crate::render::charts as c;
    let mut md = format!(
        "# Fleet plan: {}\n\nGenerated by `podplan plan` from {}; every factor and formula is in docs/model.md §16.\n\n",
        r.name, r.pod.file
    );
    md.push_str(&crate::render::sections_markdown(&plan_sections(
        r,
        Style::Read,
    )));
    md.push_str(
        "\n![capacity](plan-capacity.svg)\n\n![spend](plan-spend.svg)\n\n![cost per TB-month](plan-cost-per-tb-month.svg)\n",
    );
    let csv = crate::render::sections_csv(&plan_sections(r, Style::Data));
    let json = crate::render::json(r).map_err(|e| format!("plan.json: {e}"))?;
    let xlsx = crate::render::xlsx::plan_workbook(r, generated)
        .map_err(|e| format!("schedule.xlsx: {e}"))?;
    let chart = |e: c::ChartError| e.to_string();
    let (cap, spend, cost) = (capacity_chart(r), spend_chart(r), cost_chart(r));
    Ok(vec![
        ("plan.md".into(), md.into_bytes()),
        ("plan.csv".into(), csv.into_bytes()),
        ("plan.json".into(), json.into_bytes()),
        ("schedule.xlsx".into(), xlsx),
        (
            "plan-capacity.svg".into(),
            c::lines_svg(&cap).map_err(chart)?.into_bytes(),
        ),
        (
            "plan-capacity.png".into(),
            c::lines_png(&cap).map_err(chart)?,
        ),
        (
            "plan-spend.svg".into(),
            c::stacked_svg(&spend).map_err(chart)?.into_bytes(),
        ),
        (
            "plan-spend.png".into(),
            c::stacked_png(&spend).map_err(chart)?,
        ),
        (
            "plan-cost-per-tb-month.svg".into(),
            c::bars_svg(&cost).map_err(chart)?.into_bytes(),
        ),
        (
            "plan-cost-per-tb-month.png".into(),
            c::bars_png(&cost).map_err(chart)?,
        ),
    ])
}

/// A plan comparison's figure: its row name (Read), its column name (Data) and its cell.
type PlanFigure = (&'static str, &'static str, fn(&PlanColumn, Style) -> String);

/// The figures of a plan comparison, in order.
const PLAN_FIGURES: &[PlanFigure] = &[
    ("Design", "design", |c, _| c.design.clone()),
    ("Grouping", "grouping", |c, _| c.grouping.clone()),
    ("Horizon (years)", "horizon_years", |c, _| {
        c.horizon_years.to_string()
    }),
    ("Demand at the end", "demand_end_tb", |c, st| {
        tb(c.demand_end, st)
    }),
    ("Usable at the end", "usable_end_tb", |c, st| {
        tb(c.usable_end, st)
    }),
    ("Pods at the end", "pods", |c, _| c.pods.to_string()),
    ("Racks at the end", "racks", |c, _| c.racks.to_string()),
    ("Pods per rack", "pods_per_rack", |c, _| {
        c.pods_per_rack.to_string()
    }),
    ("What binds racks", "binding", |c, _| c.binding.clone()),
    ("Capex", "capex", |c, st| money(c.capex, &c.currency, st)),
    ("Opex", "opex", |c, st| money(c.opex, &c.currency, st)),
    ("TCO (capex + opex)", "tco", |c, st| {
        money(c.tco, &c.currency, st)
    }),
    (
        "TCO per usable TB-month",
        "tco_per_usable_tb_month",
        |c, st| per_tb_month(c.per_tb_month, &c.currency, st),
    ),
    (
        "TCO per demanded TB-month",
        "tco_per_demanded_tb_month",
        |c, st| per_tb_month(c.per_demand_tb_month, &c.currency, st),
    ),
    ("Limits broken", "limits_broken", |c, _| {
        if c.broken.is_empty() {
            "none".into()
        } else {
            c.broken.join(", ")
        }
    }),
];

/// Plans side by side: a column per plan (Read) or a row per plan (Data).
pub(crate) fn compare_sections(c: &PlanComparison, st: Style) -> Vec<Section> {
    let title = "Plans side by side";
    match st {
        Style::Read => {
            let mut header = vec!["Figure"];
            header.extend(c.plans.iter().map(|p| p.name.as_str()));
            let mut t = Section::new(title, &header);
            t.align_right(1..header.len());
            for (read, _, cell) in PLAN_FIGURES {
                let mut row = vec![read.to_string()];
                row.extend(c.plans.iter().map(|p| cell(p, st)));
                t.row(row);
            }
            vec![t]
        }
        Style::Data => {
            let mut header = vec!["plan", "currency"];
            header.extend(PLAN_FIGURES.iter().map(|f| f.1));
            let mut t = Section::new(title, &header);
            for p in &c.plans {
                let mut row = vec![p.name.clone(), p.currency.clone()];
                row.extend(PLAN_FIGURES.iter().map(|(_, _, cell)| cell(p, st)));
                t.row(row);
            }
            vec![t]
        }
    }
}

/// The files of `compare --out` for plans: compare.md, compare.csv and compare.json.
pub(crate) fn compare_files(c: &PlanComparison) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut md = "# Comparison of fleet plans\n\nGenerated by podplan. TB = 10^12 bytes; TCO = capex + opex over each plan's horizon (model §16).\n\n".to_string();
    md.push_str(&crate::render::sections_markdown(&compare_sections(
        c,
        Style::Read,
    )));
    Ok(vec![
        ("compare.md".to_string(), md.into_bytes()),
        (
            "compare.csv".to_string(),
            crate::render::sections_csv(&compare_sections(c, Style::Data)).into_bytes(),
        ),
        (
            "compare.json".to_string(),
            crate::render::json(c)
                .map_err(|e| e.to_string())?
                .into_bytes(),
        ),
    ])
}
