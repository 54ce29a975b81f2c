//! The bandwidth report's tables: summary, links, drives, flows, rebuild times and factors.
//!
//! Presentation only: every figure comes from a finished [`BandwidthReport`].

use crate::bandwidth::{BandwidthReport, Workload};
use crate::render::{Section, Style};
use crate::show::trim_float;
use crate::units::Encoding;

fn mb_text(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.1}")
    } else {
        "unlimited".into()
    }
}

fn encoding(e: Option<Encoding>) -> &'static str {
    match e {
        Some(Encoding::B8b10b) => " 8b/10b",
        Some(Encoding::B128b130b) => " 128b/130b",
        _ => "",
    }
}

fn hours_text(h: f64) -> String {
    if h.is_finite() {
        format!("{h:.1}")
    } else {
        "never".into()
    }
}

/// The bandwidth report as sections: summary, links, drives, flows, rebuild times, factors.
pub fn sections(r: &BandwidthReport, style: Style) -> Vec<Section> {
    let mut out = Vec::new();
    let cell = Cells {
        data: style == Style::Data,
    };
    summary_section(r, cell, &mut out);
    links_section(r, cell, &mut out);
    drives_section(r, cell, &mut out);
    flows_section(r, cell, &mut out);
    rebuilds_section(r, cell, &mut out);
    factors_section(r, &mut out);
    out
}

/// How cells are written in one style.
#[derive(Clone, Copy)]
struct Cells {
    /// For machines: units in headers, empty cells for what has no number.
    data: bool,
}

impl Cells {
    /// A column name for reading or, with its unit, for data.
    fn head(self, read: &'static str, for_data: &'static str) -> &'static str {
        if self.data { for_data } else { read }
    }

    /// A rate: "unlimited" to read, an empty cell for data.
    fn mb(self, v: f64) -> String {
        if self.data && !v.is_finite() {
            String::new()
        } else {
            mb_text(v)
        }
    }

    /// Hours: "never" to read, an empty cell for data.
    fn hours(self, h: f64) -> String {
        if self.data && !h.is_finite() {
            String::new()
        } else {
            hours_text(h)
        }
    }
}

/// The summary: what binds, what binds next, and the figures of the workload.
fn summary_section(r: &BandwidthReport, cell: Cells, out: &mut Vec<Section>) {
    let s = &r.summary;
    let title = match &r.revision {
        Some(rev) => format!("{} (revision {rev})", r.design),
        None => r.design.clone(),
    };
    let mut sum = Section::new(
        format!(
            "{title}: {} — {} zone, {}",
            r.workload.name(),
            r.zone.name(),
            r.shape
        ),
        &["Figure", "Value"],
    );
    sum.row(vec!["Workload".into(), r.workload.describe().into()]);
    if cell.data {
        sum.row(vec![
            "Drive traffic (all drives, MB/s)".into(),
            cell.mb(s.aggregate_mb_s.0),
        ]);
        sum.row(vec![
            "Drives moving data (count)".into(),
            s.active_drives.to_string(),
        ]);
    } else {
        sum.row(vec![
            "Drive traffic (all drives, MB/s)".into(),
            format!(
                "{} over {} drives",
                cell.mb(s.aggregate_mb_s.0),
                s.active_drives
            ),
        ]);
    }
    if let Some(c) = s.client_mb_s {
        sum.row(vec!["Client traffic (MB/s)".into(), cell.mb(c.0)]);
    }
    if cell.data {
        sum.row(vec![
            "Per drive, slowest (MB/s)".into(),
            cell.mb(s.per_drive_min_mb_s.0),
        ]);
        sum.row(vec![
            "Per drive, fastest (MB/s)".into(),
            cell.mb(s.per_drive_max_mb_s.0),
        ]);
    } else {
        sum.row(vec![
            "Per drive (MB/s)".into(),
            if (s.per_drive_max_mb_s.0 - s.per_drive_min_mb_s.0).abs() < 0.05 {
                cell.mb(s.per_drive_min_mb_s.0)
            } else {
                format!(
                    "{} to {}",
                    cell.mb(s.per_drive_min_mb_s.0),
                    cell.mb(s.per_drive_max_mb_s.0)
                )
            },
        ]);
    }
    sum.row(vec!["Binding".into(), s.binding.to_string()]);
    match &s.next {
        Some(n) if cell.data => {
            sum.row(vec!["Next".into(), n.name.to_string()]);
            if let Some(u) = n.utilization_pct {
                sum.row(vec!["Next, now used (%)".into(), format!("{u:.1}")]);
            }
            sum.row(vec![
                "Binding limit lifted: drive traffic (MB/s)".into(),
                cell.mb(n.aggregate_mb_s.0),
            ]);
            if let Some(c) = n.client_mb_s {
                sum.row(vec![
                    "Binding limit lifted: client traffic (MB/s)".into(),
                    cell.mb(c.0),
                ]);
            }
            sum.row(vec![
                "Binding limit lifted: slowest drive (MB/s)".into(),
                cell.mb(n.per_drive_min_mb_s.0),
            ])
        }
        Some(n) => sum.row(vec![
            "Next".into(),
            format!(
                "{}{}; with the binding limit lifted: {} MB/s drive traffic{}, slowest drive {} MB/s",
                n.name,
                n.utilization_pct
                    .map(|u| format!(" (now {u:.0} % used)"))
                    .unwrap_or_default(),
                cell.mb(n.aggregate_mb_s.0),
                n.client_mb_s
                    .map(|c| format!(", {} MB/s client", cell.mb(c.0)))
                    .unwrap_or_default(),
                cell.mb(n.per_drive_min_mb_s.0)
            ),
        ]),
        None => sum.row(vec![
            "Next".into(),
            "nothing else limits these flows".into(),
        ]),
    };
    sum.row(vec![
        "Saturated links".into(),
        if s.saturated.is_empty() {
            "none".into()
        } else {
            s.saturated.join(", ")
        },
    ]);
    if !r.settings.is_empty() {
        sum.row(vec!["What-if (--set)".into(), r.settings.join(", ")]);
    }
    sum.notes = r.notes.iter().map(ToString::to_string).collect();
    out.push(sum);
}

/// Every link: capacity, load, utilization and headroom.
fn links_section(r: &BandwidthReport, cell: Cells, out: &mut Vec<Section>) {
    let mut l = Section::new(
        "Links (MB/s = 10^6 B/s of payload; raw Gb/s per direction)",
        &if cell.data {
            vec![
                "Link",
                "Name",
                "Raw Gb/s",
                "Encoding",
                "Efficiency (fraction)",
                "Capacity (MB/s)",
                "Drives (count)",
                "Demand (MB/s)",
                "Allocated (MB/s)",
                "Util %",
                "Full",
            ]
        } else {
            vec![
                "Link",
                "Raw Gb/s",
                "Eff.",
                "Capacity",
                "Drives",
                "Demand",
                "Allocated",
                "Util %",
                "Full",
            ]
        },
    );
    l.align_right(if cell.data {
        vec![2, 4, 5, 6, 7, 8, 9]
    } else {
        vec![1, 2, 3, 4, 5, 6, 7]
    });
    for x in &r.links {
        let mut row = if cell.data {
            vec![
                x.id.clone(),
                x.name.clone(),
                x.raw_gbit_s.map(trim_float).unwrap_or_default(),
                encoding(x.encoding).trim().to_string(),
                x.efficiency.map(|e| format!("{e:.3}")).unwrap_or_default(),
            ]
        } else {
            vec![
                format!("{}\n{}", x.id, x.name),
                x.raw_gbit_s
                    .map(|g| format!("{}{}", trim_float(g), encoding(x.encoding)))
                    .unwrap_or_else(|| "-".into()),
                x.efficiency
                    .map(|e| format!("{e:.3}"))
                    .unwrap_or_else(|| "set".into()),
            ]
        };
        row.extend([
            cell.mb(x.capacity_mb_s.0),
            x.drives_behind.to_string(),
            cell.mb(x.demand_mb_s.0),
            cell.mb(x.allocated_mb_s.0),
            format!("{:.1}", x.utilization_pct),
            match (x.saturated, x.binding) {
                (true, true) => "yes, binds".into(),
                (true, false) => "yes".into(),
                _ => String::new(),
            },
        ]);
        l.row(row);
    }
    l.notes.push("Demand: what the flows through a link would put on it at their own limits (drive media, drive port, md). Each drive's own SATA port is a private limit, in the drives table.".into());
    out.push(l);
}

/// The drives, grouped by equal figures.
fn drives_section(r: &BandwidthReport, cell: Cells, out: &mut Vec<Section>) {
    let mut d = Section::new(
        "Drives (grouped by equal figures)",
        &[
            "Bays",
            "Drive",
            "Group",
            "Media MB/s",
            "Port Gb/s",
            "Port MB/s",
            "Traffic MB/s each",
        ],
    );
    d.align_right([2, 3, 4, 5, 6]);
    for x in &r.drives {
        d.row(vec![
            crate::bays::format_bays(&x.bays),
            x.model.clone(),
            x.group.map(|g| g.to_string()).unwrap_or_else(|| "-".into()),
            cell.mb(x.media_mb_s.0),
            trim_float(x.port_gbit_s),
            cell.mb(x.port_mb_s.0),
            format!("{:.2}", x.traffic_mb_s.0),
        ]);
    }
    out.push(d);
}

/// The flows and what limits each (for scrub, only when they are few).
fn flows_section(r: &BandwidthReport, cell: Cells, out: &mut Vec<Section>) {
    if r.flows.len() <= 16 || r.workload != Workload::Scrub {
        let unit = match r.workload {
            Workload::Ingest | Workload::Read => "user MB/s",
            _ => "MB/s per drive",
        };
        let mut f = Section::new(
            format!("Flows (rate in {unit})"),
            &[
                "Flow",
                cell.head("Demand", "Demand (MB/s)"),
                cell.head("Rate", "Rate (MB/s)"),
                cell.head("Drive traffic", "Drive traffic (MB/s)"),
                "Limited by",
            ],
        );
        f.align_right([1, 2, 3]);
        for x in &r.flows {
            f.row(vec![
                x.label.to_string(),
                cell.mb(x.demand_mb_s.0),
                format!("{:.2}", x.rate_mb_s.0),
                cell.mb(x.drive_traffic_mb_s.0),
                x.limited_by.to_string(),
            ]);
        }
        out.push(f);
    }
}

/// Each group's rebuild time and what sets it.
fn rebuilds_section(r: &BandwidthReport, cell: Cells, out: &mut Vec<Section>) {
    if !r.rebuilds.is_empty() {
        let mut t = Section::new(
            "Rebuild time (delay + member size / rate)",
            &[
                "Group",
                "Failed bay",
                "Written bay",
                "Rate MB/s",
                "Member TB",
                "Hours",
                "Days",
                "Set by",
            ],
        );
        t.align_right([0, 1, 2, 3, 4, 5, 6]);
        for x in &r.rebuilds {
            t.row(vec![
                x.time.group.to_string(),
                x.failed_bay.to_string(),
                x.replacement_bay.to_string(),
                format!("{:.2}", x.time.rate.0),
                format!("{:.3}", x.member.tb()),
                cell.hours(x.time.hours),
                if x.time.hours.is_finite() {
                    format!("{:.2}", x.time.hours / 24.0)
                } else {
                    cell.hours(x.time.hours)
                },
                x.time.binding_link.to_string(),
            ]);
        }
        if let Some(x) = r.rebuilds.first() {
            t.notes.push(format!(
                "Delay for detection and replacement: {} h (--set delay-h=H).",
                trim_float(x.delay_h)
            ));
        }
        out.push(t);
    }
}

/// The factors in force and their sources.
fn factors_section(r: &BandwidthReport, out: &mut Vec<Section>) {
    let mut fa = Section::new(
        "Factors in force (--set KEY=VALUE overrides)",
        &["Key", "Value", "Unit", "Applies to", "Source"],
    );
    fa.align_right([1]);
    for x in &r.factors {
        fa.row(vec![
            x.key.into(),
            format!("{:.4}", x.value)
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string(),
            x.unit.into(),
            x.what.into(),
            x.source.into(),
        ]);
    }
    if let Some(p) = r.parity_mb_s {
        fa.row(vec![
            "parity".into(),
            trim_float(p),
            "MB/s".into(),
            "CPU/memory parity limit".into(),
            "set with --set".into(),
        ]);
    }
    out.push(fa);
}
