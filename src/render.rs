//! Renderers: pure functions from one result value to text (terminal table, JSON).
//!
//! This module owns presentation only. Every function takes a finished result and returns a
//! `String`; none computes a figure or touches a file. Tables are rendered without colour and
//! at a fixed width so output is byte-identical run to run.

use crate::power::{Draw, PsuBudget};
use crate::show::{ShowReport, TreeNode, trim_float};
use comfy_table::{CellAlignment, ColumnConstraint, ContentArrangement, Table, Width, presets};

/// How cells are written: for people or for machines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// For reading (terminal, Markdown): `$7,384.00`, combined cells where columns would be
    /// too many for a terminal.
    Read,
    /// For machines (CSV): one quantity per column, plain numbers (`7384.00`), the unit in the
    /// header (or, in a two-column Figure/Value table, in the figure's name).
    Data,
}

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

fn draw_cells(p: &PsuBudget, d: Draw) -> [String; 4] {
    let mark = if p.fits(d) { "yes" } else { "NO" };
    [
        format!("{:.1} / {}", d.a12.amps(), trim_float(p.rated_12v_a.amps())),
        format!("{:.1} / {}", d.a5.amps(), trim_float(p.rated_5v_a.amps())),
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
    p.right = vec![2, 3, 4];
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
    vec![t, p]
}

/// The `show` report as terminal text: the tree, then the summary and power tables.
pub fn show_table(r: &ShowReport) -> String {
    let mut out = tree_text(&r.tree);
    out.push('\n');
    out.push_str(&sections_table(&show_sections(r)));
    out
}

/// Any serializable result as pretty JSON with a trailing newline.
pub fn json<T: serde::Serialize>(value: &T) -> Result<String, serde_json::Error> {
    let mut s = serde_json::to_string_pretty(value)?;
    s.push('\n');
    Ok(s)
}

/// One titled table of a report: the unit every tabular renderer works on.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Section {
    /// Title shown above the table (a Markdown heading, a CSV `section` column).
    pub title: String,
    /// Column names.
    pub header: Vec<String>,
    /// Rows of cells, each as wide as the header.
    pub rows: Vec<Vec<String>>,
    /// Indices of columns to right-align (numbers).
    pub right: Vec<usize>,
    /// Lines of prose shown under the table (notes, verdicts).
    pub notes: Vec<String>,
}

impl Section {
    /// A section with a title and header.
    pub fn new(title: impl Into<String>, header: &[&str]) -> Self {
        Section {
            title: title.into(),
            header: header.iter().map(|h| h.to_string()).collect(),
            ..Section::default()
        }
    }
    /// Adds a row.
    pub fn row(&mut self, cells: Vec<String>) -> &mut Self {
        self.rows.push(cells);
        self
    }
}

/// Sections as terminal tables (fixed width, no colour).
pub fn sections_table(sections: &[Section]) -> String {
    let mut out = String::new();
    for (i, s) in sections.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&s.title);
        out.push('\n');
        let mut t = table();
        t.set_header(s.header.clone());
        let rows: Vec<Vec<String>> = s
            .rows
            .iter()
            .map(|r| r.iter().map(|c| table_cell(c)).collect())
            .collect();
        // Each column is at least as wide as its widest number, so no number is cut.
        let mut widest = vec![0usize; s.header.len()];
        for r in &rows {
            for (w, c) in widest.iter_mut().zip(r) {
                let n = c
                    .split_whitespace()
                    .filter(|t| is_number(t))
                    .map(|t| t.chars().count())
                    .max()
                    .unwrap_or(0);
                *w = (*w).max(n);
            }
        }
        for r in rows {
            t.add_row(r);
        }
        for (c, w) in widest.into_iter().enumerate() {
            if let Some(col) = t.column_mut(c)
                && w > 0
            {
                // The width includes one space of padding on either side.
                let w = u16::try_from(w + 2).unwrap_or(u16::MAX);
                col.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(w)));
            }
        }
        for &c in &s.right {
            if let Some(col) = t.column_mut(c) {
                col.set_cell_alignment(CellAlignment::Right);
            }
        }
        out.push_str(&t.to_string());
        out.push('\n');
        for n in &s.notes {
            out.push_str(n);
            out.push('\n');
        }
    }
    out
}

/// Longest run of characters without a space that a table cell keeps whole. A longer word
/// (a pasted part number, a URL) is cut into pieces of this length before the table wraps it:
/// the table's own wrapping re-measures the rest of a long word at every cut, which is
/// quadratic in the word's length.
const LONGEST_WORD: usize = TABLE_WIDTH as usize;

/// Longest number protected from wrapping; longer "numbers" are not numbers people read.
const LONGEST_NUMBER: usize = 24;

/// Whether a word of a cell is a number (`$2,350.00`, `-0.0013`, `1.6e-7`, `45`, `12.4`).
fn is_number(w: &str) -> bool {
    let w = w.trim_matches(|c: char| "()[];:".contains(c));
    let n = w.chars().count();
    (1..=LONGEST_NUMBER).contains(&n)
        && w.chars().any(|c| c.is_ascii_digit())
        && w.chars()
            .all(|c| c.is_ascii_digit() || ".,$%+-−e".contains(c))
        && !is_list(w)
}

/// Whether a word is a list of numbers (`1,4,7,10`, `30-31,34`) rather than one number with
/// thousands separators (`7,384.00`): some group after a comma is not three digits.
fn is_list(w: &str) -> bool {
    w.contains(',')
        && w.split(',')
            .all(|g| g.starts_with(|c: char| c.is_ascii_digit()))
        && w.split(',').skip(1).any(|g| {
            let digits = g.chars().take_while(char::is_ascii_digit).count();
            digits != 3 || g.chars().nth(3).is_some_and(|c| c != '.')
        })
}

/// A cell as the terminal table gets it: lists of numbers may wrap after a comma (a space is
/// added after each), and a word longer than [`LONGEST_WORD`] is cut into pieces, so that the
/// table's wrapping never cuts a number and stays linear in the cell's length.
fn table_cell(cell: &str) -> String {
    let mut out = String::with_capacity(cell.len());
    for (i, line) in cell.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for (j, word) in line.split(' ').enumerate() {
            if j > 0 {
                out.push(' ');
            }
            if is_list(word) && word.chars().all(|c| c.is_ascii_digit() || ",-".contains(c)) {
                out.push_str(&word.replace(',', ", "));
            } else if word.chars().count() > LONGEST_WORD {
                for (k, ch) in word.chars().enumerate() {
                    if k > 0 && k % LONGEST_WORD == 0 {
                        out.push('\n');
                    }
                    out.push(ch);
                }
            } else {
                out.push_str(word);
            }
        }
    }
    out
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', "<br>")
}

/// Sections as GitHub-flavoured Markdown tables under `###` headings.
pub fn sections_markdown(sections: &[Section]) -> String {
    let mut out = String::new();
    for (i, s) in sections.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("### {}\n\n", s.title));
        out.push_str(&format!(
            "| {} |\n",
            s.header
                .iter()
                .map(|h| md_cell(h))
                .collect::<Vec<_>>()
                .join(" | ")
        ));
        let seps: Vec<&str> = (0..s.header.len())
            .map(|c| if s.right.contains(&c) { "---:" } else { "---" })
            .collect();
        out.push_str(&format!("| {} |\n", seps.join(" | ")));
        for r in &s.rows {
            out.push_str(&format!(
                "| {} |\n",
                r.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")
            ));
        }
        if !s.notes.is_empty() {
            out.push('\n');
            for n in &s.notes {
                out.push_str(n);
                out.push_str("\n\n");
            }
            out.pop();
        }
    }
    out
}

/// Quotes a CSV field when it needs it (RFC 4180).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Sections as CSV: one block per section, each `section,<header…>` then rows, separated by a
/// blank line. Notes are not part of CSV.
pub fn sections_csv(sections: &[Section]) -> String {
    let mut out = String::new();
    for (i, s) in sections.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let head: Vec<String> = std::iter::once("section".to_string())
            .chain(s.header.iter().map(|h| csv_field(h)))
            .collect();
        out.push_str(&head.join(","));
        out.push('\n');
        for r in &s.rows {
            let cells: Vec<String> = std::iter::once(csv_field(&s.title))
                .chain(r.iter().map(|c| csv_field(c)))
                .collect();
            out.push_str(&cells.join(","));
            out.push('\n');
        }
    }
    out
}

fn tb_tib(b: crate::units::Bytes) -> (String, String) {
    (format!("{:.2}", b.tb()), format!("{:.2}", b.tib()))
}

fn verdict_word(v: crate::layout::Verdict) -> &'static str {
    match v {
        crate::layout::Verdict::Survives => "survives",
        crate::layout::Verdict::Degraded => "degraded",
        crate::layout::Verdict::DataLoss => "DATA LOSS",
    }
}

/// A capacity pipeline as a table of stages.
fn pipeline_section(title: String, pipe: &crate::layout::Pipeline) -> Section {
    let mut p = Section::new(title, &["Stage", "TB", "TiB", "% of raw", "How"]);
    p.right = vec![1, 2, 3];
    for s in &pipe.stages {
        p.row(vec![
            s.name.clone(),
            format!("{:.2}", s.tb),
            format!("{:.2}", s.tib),
            format!("{:.1}", s.pct_of_raw),
            s.note.clone(),
        ]);
    }
    p
}

/// Why candidate `a` ranks ahead of `b` (called `who`), in words: the first criterion of the
/// ranking on which they differ.
fn why_ahead(a: &crate::layout::Candidate, b: &crate::layout::Candidate, who: &str) -> String {
    use crate::layout::Decision;
    let same = format!(
        "the same {:.2} TB as {who} {}",
        b.before_filesystem.tb(),
        b.label
    );
    match crate::layout::decision(a, b) {
        Decision::Capacity => format!(
            "{:.2} TB more than {who} {} ({:.2} TB)",
            a.before_filesystem.tb() - b.before_filesystem.tb(),
            b.label,
            b.before_filesystem.tb()
        ),
        Decision::Parity => format!(
            "{same}, with more parity ({} against {})",
            a.shape.tolerance(),
            b.shape.tolerance()
        ),
        Decision::Width => format!(
            "{same} and the same parity, in narrower groups ({} against {} drives{})",
            a.shape.width(),
            b.shape.width(),
            if a.shape.tolerance() > 0 {
                ": faster rebuilds"
            } else {
                ""
            }
        ),
        Decision::Unused => format!(
            "{same}, parity and width, with fewer drives unused ({} against {})",
            a.unused, b.unused
        ),
        Decision::Equal => format!("{same}, equal on every criterion: first in the search order"),
    }
}

/// The layout report as sections: groups, capacity pipeline, failure domains, and the search.
pub fn layout_sections(r: &crate::layout::LayoutReport) -> Vec<Section> {
    use crate::layout::Origin;
    let mut out = Vec::new();
    let origin = match r.origin {
        Origin::Design => "as the design lists them",
        Origin::Solver => "placed by the solver",
    };
    let mut g = Section::new(
        format!(
            "{}: {} groups of {}, {origin}",
            r.design,
            r.groups.len(),
            r.shape_label
        ),
        &[
            "Group",
            "Bays",
            "Members per card",
            "Most on one backplane",
            "Member TB",
            "Data TB",
            "Data TiB",
            "Stranded TB",
        ],
    );
    g.right = vec![0, 3, 4, 5, 6, 7];
    for row in &r.groups {
        let (dtb, dtib) = tb_tib(row.data);
        g.row(vec![
            row.group.to_string(),
            row.bays.clone(),
            row.per_card.clone(),
            row.max_per_backplane
                .map_or("-".to_string(), |m| m.to_string()),
            format!("{:.3}", row.member.tb()),
            dtb,
            dtib,
            format!("{:.3}", row.stranded.tb()),
        ]);
    }
    let fmt = |v: &[u32]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            crate::validate::format_bays(v)
        }
    };
    g.notes.push(format!(
        "Hot spares: {}. Unused bays: {}.",
        fmt(&r.spares),
        fmt(&r.unused)
    ));
    out.push(g);

    let mut p = pipeline_section(
        "Capacity, raw to usable (TB = 10^12 B, TiB = 2^40 B)".into(),
        &r.pipeline,
    );
    let (btb, btib) = tb_tib(r.pipeline.before_filesystem);
    let (utb, utib) = tb_tib(r.pipeline.usable);
    p.notes.push(format!(
        "Before the filesystem: {btb} TB ({btib} TiB). Usable: {utb} TB ({utib} TiB). Stranded by mixed drive sizes: {:.3} TB.",
        r.pipeline.stranded.tb()
    ));
    out.push(p);

    if let Some(v) = &r.vault {
        let pods = v.code.data.saturating_add(v.code.parity);
        let mut vs = pipeline_section(
            format!(
                "As a Vault pod: {}+{} across {pods} pods, no RAID inside the pod",
                v.code.data, v.code.parity
            ),
            &v.pipeline,
        );
        vs.notes.push(format!(
            "Each file survives the loss of any {} of the {pods} pods that hold its shards; inside the pod every drive is its own shard.",
            v.code.parity
        ));
        out.push(vs);
    }
    let mut d = Section::new(
        "Failure domains: the worst one failed component does to a single group",
        &[
            "Component",
            "Count",
            "Drives behind one",
            "Worst loss in one group",
            "Group tolerates",
            "Verdict",
            "Worst case",
        ],
    );
    d.right = vec![1, 2, 3, 4];
    for e in &r.exposure {
        let asked = if r.survive.contains(&e.kind) {
            " (required)"
        } else {
            ""
        };
        d.row(vec![
            format!("{}{asked}", e.kind.name()),
            e.instances.to_string(),
            e.max_drives.to_string(),
            e.worst_in_group.to_string(),
            e.tolerance.to_string(),
            verdict_word(e.verdict).to_string(),
            e.worst_instance.clone(),
        ]);
        for n in &e.notes {
            d.notes.push(format!("Note: {n}."));
        }
    }
    d.notes.dedup();
    d.notes.push(
        "degraded = members lost within the parity, the group keeps serving and rebuilds; DATA LOSS = more members lost than the parity covers, the group fails."
            .into(),
    );
    if !r.survive.is_empty() {
        let met: Vec<&str> = r
            .survive
            .iter()
            .filter(|k| !r.unmet.contains(k) && !r.impossible.iter().any(|i| i.kind == **k))
            .map(|k| k.name())
            .collect();
        if !met.is_empty() {
            d.notes.push(format!(
                "Survives any single {} failure (checked against every component).",
                met.join(", any single ")
            ));
        }
        for i in &r.impossible {
            d.notes.push(format!(
                "Cannot survive a {} failure with {}: {}.",
                i.kind.name(),
                r.shape_label,
                i.reason
            ));
        }
        for k in r
            .unmet
            .iter()
            .filter(|k| !r.impossible.iter().any(|i| i.kind == **k))
        {
            d.notes.push(format!(
                "No placement found that survives every {} failure with {}.",
                k.name(),
                r.shape_label
            ));
        }
    }
    out.push(d);

    if let Some(a) = &r.auto {
        let c = &a.constraints;
        let widths = match c.max_width {
            Some(w) => format!("width ≤ {w}"),
            None => {
                // Consecutive parities with the same bound share one entry: (from, to, width).
                let mut runs: Vec<(u32, u32, u32)> = Vec::new();
                for p in c.min_parity..=c.max_parity.min(crate::layout::MAX_PARITY) {
                    let w = c.width_limit(p);
                    match runs.last_mut() {
                        Some(r) if r.2 == w => r.1 = p,
                        _ => runs.push((p, p, w)),
                    }
                }
                let parts: Vec<String> = runs
                    .iter()
                    .map(|(a, b, w)| {
                        if a == b {
                            format!("≤ {w} at parity {a}")
                        } else {
                            format!("≤ {w} at parity {a}-{b}")
                        }
                    })
                    .collect();
                format!("width {} by default", parts.join(", "))
            }
        };
        let mut s = Section::new(
            format!(
                "Search: {} shapes considered (parity {}-{}, {widths}, {} spares)",
                a.considered, c.min_parity, c.max_parity, c.spares
            ),
            &[
                "Rank",
                "Shape",
                "Groups",
                "Unused",
                "TB before FS",
                "Pod loss / year",
                "Meets constraints",
                "Why not",
            ],
        );
        s.right = vec![0, 2, 3, 4, 5];
        let loss = |c: &crate::layout::Candidate| {
            c.annual_loss
                .map_or("-".to_string(), |l| format!("{l:.2e}"))
        };
        for (i, c) in a.ranked.iter().take(5).enumerate() {
            s.row(vec![
                (i + 1).to_string(),
                c.label.clone(),
                c.groups.to_string(),
                c.unused.to_string(),
                format!("{:.2}", c.before_filesystem.tb()),
                loss(c),
                "yes".into(),
                String::new(),
            ]);
        }
        for c in a.rejected.iter().take(5) {
            s.row(vec![
                "-".into(),
                c.label.clone(),
                c.groups.to_string(),
                c.unused.to_string(),
                format!("{:.2}", c.before_filesystem.tb()),
                loss(c),
                "no".into(),
                c.why_not.join("; "),
            ]);
        }
        if let Some(m) = &a.constraints.loss_model {
            let limit = a
                .constraints
                .max_annual_loss
                .map_or(String::new(), |x| format!(", held to at most {x:.2e}"));
            s.notes.push(format!(
                "Pod loss / year: the probability that some group loses data within a year ({m} model, drive AFRs from the catalog, rebuild times from the topology plus the replacement delay){limit}."
            ));
        }
        match (a.ranked.first(), a.ranked.get(1)) {
            (Some(best), Some(next)) => s.notes.push(format!(
                "Chosen: {} with {:.2} TB before the filesystem, {}.",
                best.label,
                best.before_filesystem.tb(),
                why_ahead(best, next, "the runner-up")
            )),
            (Some(best), None) => s.notes.push(format!(
                "Chosen: {} with {:.2} TB before the filesystem, the only shape that meets the constraints.",
                best.label,
                best.before_filesystem.tb()
            )),
            (None, _) => s.notes.push("No shape meets the constraints.".into()),
        }
        if let Some(r2) = a.ranked.get(1) {
            let after = a.ranked.get(2).map_or(String::new(), |r3| {
                format!(": {}", why_ahead(r2, r3, "the next,"))
            });
            s.notes.push(format!(
                "Runner-up: {} at {:.2} TB{after}.",
                r2.label,
                r2.before_filesystem.tb()
            ));
        }
        s.notes.push("Ranking: the most capacity before the filesystem, then more parity, then narrower groups (faster rebuilds), then fewer unused drives.".into());
        if c.max_width.is_none() {
            s.notes.push(crate::layout::DEFAULT_WIDTH_NOTE.into());
        }
        for u in &a.upgrades {
            let why = u
                .impossible_with_chosen
                .as_ref()
                .map(|w| format!("no placement of {} can ({w})", r.shape_label))
                .unwrap_or_else(|| format!("this placement of {} does not", r.shape_label));
            let best = match &u.best {
                Some(b) => format!(
                    "the best shape that also survives it is {} at {:.2} TB before the filesystem ({:+.2} TB)",
                    b.label,
                    b.before_filesystem.tb(),
                    b.before_filesystem.tb() - r.pipeline.before_filesystem.tb()
                ),
                None => "no shape within these constraints survives it".to_string(),
            };
            s.notes.push(format!(
                "A single {} failure is not survived: {why}; {best}.",
                u.kind.name()
            ));
        }
        if let Some(own) = a
            .rejected
            .iter()
            .find(|c| Some(c.shape.level) == r.design_level)
        {
            s.notes.push(format!(
                "The design's own {} is rejected: {}.",
                own.label,
                own.why_not.join("; ")
            ));
        }
        if let Some(best_rejected) = a.rejected.first() {
            s.notes.push(format!(
                "The largest shape rejected, {} at {:.2} TB, fails because {}.",
                best_rejected.label,
                best_rejected.before_filesystem.tb(),
                best_rejected.why_not.join("; ")
            ));
        }
        out.push(s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_megabytes_long_renders_in_linear_time() {
        // Three million characters without a space, some of them wider than one byte: wrapping
        // that re-measures the rest of the word at every cut (quadratic) would take hours here.
        let word: String = "PN-0123456789×".repeat(3_000_000 / 14);
        let mut s = Section::new("Parts", &["#", "Part number", "Qty"]);
        s.right = vec![0, 2];
        s.row(vec!["1".into(), word.clone(), "45".into()]);
        let text = sections_table(std::slice::from_ref(&s));
        // Every character arrives, in order, once the table's borders are taken away.
        let body: String = text
            .lines()
            .filter(|l| l.starts_with('│'))
            .skip(1)
            .filter_map(|l| l.split('┆').nth(1))
            .map(str::trim)
            .collect();
        assert_eq!(body, word);
        assert!(
            text.lines()
                .all(|l| l.chars().count() <= usize::from(TABLE_WIDTH))
        );
        assert!(sections_markdown(std::slice::from_ref(&s)).len() > word.len());
        assert!(sections_csv(&[s]).contains(&word));
    }

    #[test]
    fn lists_of_numbers_wrap_after_a_comma_and_numbers_stay_whole() {
        assert!(is_list("1,4,7,10"));
        assert!(is_list("30-31,34"));
        assert!(!is_list("7,384.00"));
        assert!(!is_list("1,234,567"));
        assert!(!is_list("10,") && !is_list("a,b"));
        assert_eq!(table_cell("10 used of 10, 0 free"), "10 used of 10, 0 free");
        assert_eq!(table_cell("1,4,7"), "1, 4, 7");
        assert_eq!(table_cell("$7,384.00 (12.4 %)"), "$7,384.00 (12.4 %)");
        assert!(is_number("$2,350.00") && is_number("-0.0013") && is_number("1.59e-7"));
        assert!(!is_number("SLOT7") && !is_number("1,4,7"));
    }
}
