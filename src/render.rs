//! Renderers: pure functions from one result value to text (terminal table, JSON).
//!
//! This module owns presentation only. Every function takes a finished result and returns a
//! `String`; none computes a figure or touches a file. Tables are rendered without colour and
//! at a fixed width so output is byte-identical run to run.

use crate::power::{Draw, PsuBudget};
use crate::show::{ShowReport, TreeNode, trim_float};
use comfy_table::{CellAlignment, ContentArrangement, Table, presets};

/// Width tables are laid out to, in characters.
pub const TABLE_WIDTH: u16 = 120;

fn table() -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .force_no_tty()
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(TABLE_WIDTH);
    t
}

/// Renders a tree with box-drawing branches.
pub fn tree_text(root: &TreeNode) -> String {
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

fn draw_cell(p: &PsuBudget, d: Draw) -> [String; 4] {
    let mark = if p.fits(d) { "yes" } else { "NO" };
    [
        format!("{:.1} / {}", d.a12, trim_float(p.rated_12v_a)),
        format!("{:.1} / {}", d.a5, trim_float(p.rated_5v_a)),
        format!("{:.0} / {}", d.watts(), trim_float(p.rated_w)),
        mark.to_string(),
    ]
}

/// The `show` report as terminal text: tree, summary table, power table.
pub fn show_table(r: &ShowReport) -> String {
    let s = &r.summary;
    let mut out = tree_text(&r.tree);
    out.push('\n');
    let mut t = table();
    t.set_header(vec!["Summary", "Value"]);
    let title = match &r.revision {
        Some(rev) => format!("{} (revision {rev})", r.design),
        None => r.design.clone(),
    };
    t.add_row(vec!["Design".to_string(), format!("{title}\n{}", r.file)]);
    t.add_row(vec!["Chassis".to_string(), s.chassis.clone()]);
    t.add_row(vec![
        "Data drives".to_string(),
        format!("{} drives\n{}", s.drive_count, counts(&s.drives)),
    ]);
    t.add_row(vec![
        "Raw capacity".to_string(),
        format!(
            "{:.2} TB decimal (10^12 B) = {:.2} TiB binary (2^40 B)",
            s.raw.tb, s.raw.tib
        ),
    ]);
    if let Some(p) = &s.published_raw {
        t.add_row(vec![
            "Published raw".to_string(),
            format!(
                "{} TB {}\n{}",
                p.published_tb,
                if p.matches {
                    "(matches the drives)"
                } else {
                    "(DIFFERS from the drives)"
                },
                p.source
            ),
        ]);
    }
    t.add_row(vec![
        "Bays".to_string(),
        format!("{} used of {}, {} free", s.bays_used, s.bays, s.bays_free),
    ]);
    t.add_row(vec!["Backplanes".to_string(), counts(&s.backplanes)]);
    t.add_row(vec!["Host cards".to_string(), counts(&s.host_cards)]);
    t.add_row(vec![
        "Board / CPU / RAM".to_string(),
        format!(
            "{}\n{}\n{} GiB",
            s.board,
            s.cpu,
            trim_float(s.memory.tib * 1024.0)
        ),
    ]);
    t.add_row(vec![
        "Boot drives".to_string(),
        if s.boot_drives.is_empty() {
            "none".into()
        } else {
            s.boot_drives.join("\n")
        },
    ]);
    let nics: Vec<String> = s
        .nics
        .iter()
        .map(|n| format!("{} Gb/s {} ({})", trim_float(n.gbit_s), n.name, n.location))
        .collect();
    t.add_row(vec![
        "Network".to_string(),
        if nics.is_empty() {
            "none".into()
        } else {
            nics.join("\n")
        },
    ]);
    t.add_row(vec!["PSUs".to_string(), counts(&s.psus)]);
    t.add_row(vec!["RAID policy".to_string(), s.raid.clone()]);
    t.add_row(vec![
        "Estimates".to_string(),
        format!(
            "{} of {} parts have estimated prices; {} spec facts are estimates (see the design file)",
            s.estimated_prices, s.distinct_parts, s.estimated_facts
        ),
    ]);
    out.push_str(&t.to_string());
    out.push_str("\n\n");

    let mut p = table();
    p.set_header(vec![
        "PSU",
        "State",
        "+12 V A / rated",
        "+5 V A / rated",
        "DC W / rated",
        "Fits",
    ]);
    for b in &r.power.psus {
        let states = [
            ("spin-up, all at once", b.spinup_simultaneous),
            ("spin-up, one backplane at a time", b.spinup_staggered),
            ("idle", b.idle),
            ("sequential load", b.active),
        ];
        for (i, (name, d)) in states.iter().enumerate() {
            let cells = draw_cell(b, *d);
            let who = if i == 0 {
                format!("{} ({} drives)\n{}", b.id, b.drives, b.part)
            } else {
                String::new()
            };
            p.add_row(vec![
                who,
                name.to_string(),
                cells[0].clone(),
                cells[1].clone(),
                cells[2].clone(),
                cells[3].clone(),
            ]);
        }
    }
    let pw = &r.power;
    p.add_row(vec![
        "pod".to_string(),
        "total DC W: spin-up all / staggered / idle / load".to_string(),
        String::new(),
        String::new(),
        format!(
            "{:.0} / {:.0} / {:.0} / {:.0} of {}",
            pw.spinup_simultaneous_w,
            pw.spinup_staggered_w,
            pw.idle_w,
            pw.active_w,
            trim_float(pw.rated_w)
        ),
        String::new(),
    ]);
    for i in 2..5 {
        if let Some(c) = p.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    out.push_str("Power budget (DC, per PSU, against its rail ratings)\n");
    out.push_str(&p.to_string());
    out.push('\n');
    out
}

/// Any serializable result as pretty JSON with a trailing newline.
pub fn json<T: serde::Serialize>(value: &T) -> Result<String, serde_json::Error> {
    let mut s = serde_json::to_string_pretty(value)?;
    s.push('\n');
    Ok(s)
}
