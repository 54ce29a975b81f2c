//! The `show` report's tree and tables: the hardware summary and the power budget.

use super::{Section, sections_table};
use crate::power::{Draw, PsuBudget};
use crate::show::{ShowReport, TreeNode, trim_float};

/// Renders a tree with box-drawing branches.
pub(crate) fn tree_text(root: &TreeNode) -> String {
    let mut out = String::new();
    out.push_str(&root.label);
    out.push('\n');
    fn walk(n: &TreeNode, prefix: &str, out: &mut String) {
        let last = n.children.len().saturating_sub(1);
        for (i, c) in n.children.iter().enumerate() {
            let (branch, cont) = if i == last {
                ("└── ", "    ")
            } else {
                ("├── ", "│   ")
            };
            out.push_str(prefix);
            out.push_str(branch);
            out.push_str(&c.label);
            out.push('\n');
            walk(c, &format!("{prefix}{cont}"), out);
        }
    }
    walk(root, "", &mut out);
    out
}

fn counts(list: &[crate::show::PartCount]) -> String {
    if list.is_empty() {
        return "none".into();
    }
    list.iter()
        .map(|c| format!("{} × {} ({})", c.count, c.name, c.detail))
        .collect::<Vec<_>>()
        .join("\n")
}

fn draw_cells(p: &PsuBudget, d: Draw) -> [String; 4] {
    let mark = if p.fits(d) { "yes" } else { "NO" };
    [
        format!("{:.1} / {}", d.a12.amps(), trim_float(p.rated_12v_a.amps())),
        if p.no_5v {
            format!("{:.1} / none", d.a5.amps())
        } else {
            format!("{:.1} / {}", d.a5.amps(), trim_float(p.rated_5v_a.amps()))
        },
        format!(
            "{:.0} / {}",
            d.power().watts(),
            trim_float(p.rated_w.watts())
        ),
        mark.to_string(),
    ]
}

/// The `show` report's tables: the hardware summary and the power budget. The terminal
/// (`show_table`) and the Markdown report render these same sections.
pub fn show_sections(r: &ShowReport) -> Vec<Section> {
    vec![summary_section(r), power_section(r)]
}

/// The hardware summary: drives, capacity, bays, parts, controllers, NICs, power supplies.
pub(crate) fn summary_section(r: &ShowReport) -> Section {
    let s = &r.summary;
    let mut t = Section::new("Summary", &["Item", "Value"]);
    let title = match &r.revision {
        Some(rev) => format!("{} (revision {rev})", r.design),
        None => r.design.clone(),
    };
    let or_none = |v: Vec<String>| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join("\n")
        }
    };
    t.row(vec!["Design".into(), format!("{title}\n{}", r.file)]);
    t.row(vec!["Chassis".into(), s.chassis.clone()]);
    t.row(vec![
        "Data drives".into(),
        format!("{} drives\n{}", s.drive_count, counts(&s.drives)),
    ]);
    t.row(vec![
        "Raw capacity".into(),
        format!(
            "{:.2} TB decimal (10^12 B) = {:.2} TiB binary (2^40 B)",
            s.raw.tb, s.raw.tib
        ),
    ]);
    if let Some(p) = &s.published_raw {
        let verdict = if p.matches {
            "(matches the drives)"
        } else {
            "(DIFFERS from the drives)"
        };
        t.row(vec![
            "Published raw".into(),
            format!("{} TB {verdict}\n{}", p.published_tb, p.source),
        ]);
    }
    t.row(vec![
        "Bays".into(),
        format!("{} used of {}, {} free", s.bays_used, s.bays, s.bays_free),
    ]);
    t.row(vec!["Backplanes".into(), counts(&s.backplanes)]);
    t.row(vec!["Host cards".into(), counts(&s.host_cards)]);
    t.row(vec![
        "Board / CPU / RAM".into(),
        format!(
            "{}\n{}\n{} GiB",
            s.board,
            s.cpu,
            trim_float(s.memory.tib * 1024.0)
        ),
    ]);
    t.row(vec!["Boot drives".into(), or_none(s.boot_drives.clone())]);
    let nics = s
        .nics
        .iter()
        .map(|n| {
            let ports = if n.ports == 1 {
                String::new()
            } else {
                format!("{} × ", n.ports)
            };
            format!(
                "{ports}{} Gb/s {} ({})",
                trim_float(n.gbit_s),
                n.name,
                n.location
            )
        })
        .collect();
    t.row(vec!["Network".into(), or_none(nics)]);
    t.row(vec!["PSUs".into(), counts(&s.psus)]);
    t.row(vec!["RAID policy".into(), s.raid.clone()]);
    t.row(vec![
        "Estimates".into(),
        format!(
            "{} of {} parts have estimated prices; {} spec facts are estimates (see the design file)",
            s.estimated_prices, s.distinct_parts, s.estimated_facts
        ),
    ]);
    t
}

/// The power budget per PSU: spin-up, idle and load against each rail's rating.
pub(crate) fn power_section(r: &ShowReport) -> Section {
    let mut p = Section::new(
        "Power budget (DC, per PSU, against its rail ratings)",
        &[
            "PSU",
            "State",
            "+12 V A / rated",
            "+5 V A / rated",
            "DC W / rated",
            "Fits",
        ],
    );
    p.align_right([2, 3, 4]);
    for b in &r.power.psus {
        let states = [
            ("spin-up, all at once", b.spinup_simultaneous),
            ("spin-up, one backplane at a time", b.spinup_staggered),
            ("idle", b.idle),
            ("sequential load", b.active),
        ];
        for (i, (name, d)) in states.iter().enumerate() {
            let who = if i == 0 {
                format!("{} ({} drives)", b.id, b.drives)
            } else {
                String::new()
            };
            let mut row = vec![who, name.to_string()];
            row.extend(draw_cells(b, *d));
            p.row(row);
        }
        if b.spares > 0 {
            // A redundant group is held to what the units left after `spares` failures carry.
            let left = b.redundant_failed();
            let failed = if b.spares == 1 { "unit" } else { "units" };
            for (name, d) in [
                ("spin-up, one backplane at a time", b.spinup_staggered),
                ("sequential load", b.active),
            ] {
                let mut row = vec![
                    String::new(),
                    format!("{} {failed} failed: {name}", b.spares),
                ];
                row.extend(draw_cells(&left, d));
                p.row(row);
            }
        }
    }
    let pw = &r.power;
    p.row(vec![
        "pod".into(),
        "total DC W: spin-up all / staggered / idle / load".into(),
        String::new(),
        String::new(),
        format!(
            "{:.0} / {:.0} / {:.0} / {:.0} of {}",
            pw.spinup_simultaneous_w.watts(),
            pw.spinup_staggered_w.watts(),
            pw.idle_w.watts(),
            pw.active_w.watts(),
            trim_float(pw.rated_w.watts())
        ),
        String::new(),
    ]);
    p
}

/// The `show` report as terminal text: the tree, then the summary and power tables.
pub fn show_table(r: &ShowReport) -> String {
    let mut out = tree_text(&r.tree);
    out.push('\n');
    out.push_str(&sections_table(&show_sections(r)));
    out
}

/// [`show_table`] for a terminal `width` columns wide: tree lines wrapped to fit, tables laid
/// out to it.
pub(crate) fn show_table_width(r: &ShowReport, width: usize) -> String {
    let mut out = super::wrap_tree(&tree_text(&r.tree), width);
    out.push('\n');
    out.push_str(&super::sections_table_width(&show_sections(r), width));
    out
}
