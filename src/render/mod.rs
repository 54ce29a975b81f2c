//! Renderers: pure functions from one result value to text (terminal table, JSON).
//!
//! This module owns presentation only. Every function takes a finished result and returns a
//! `String`; none computes a figure or touches a file. Tables are rendered without colour and
//! at a fixed width so output is byte-identical run to run, unless the caller asks for a
//! terminal's width (and colour).

pub mod bandwidth;
pub mod bom;
pub mod charts;
pub mod durability;
pub mod html;
mod layout;
pub mod measured;
pub mod plan;
pub mod report;
mod show;
pub mod sweep;
pub mod xlsx;

pub use layout::layout_sections;
pub use show::{show_sections, show_table};
pub(crate) use show::{show_table_width, tree_text};

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

/// Narrowest width tables are laid out to: below it every column would be all wrapping.
pub const MIN_TABLE_WIDTH: usize = 40;

fn table(width: u16) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .force_no_tty()
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(width);
    t
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
    /// The columns, each with its name and alignment.
    pub columns: Vec<Column>,
    /// Rows of cells, one per column.
    pub rows: Vec<Vec<String>>,
    /// Lines of prose shown under the table (notes, verdicts).
    pub notes: Vec<String>,
}

/// One column of a [`Section`]: its name and how its cells align.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Column {
    /// The column's name.
    pub name: String,
    /// Right-aligned (numbers) rather than left.
    pub right: bool,
    /// A terminal table never splits a word of this column's cells or header: it wraps them
    /// at spaces only (lists of `key=value` changes, ids), and is wider than its width if it
    /// must.
    pub whole_words: bool,
}

impl Section {
    /// A section with a title and columns, all left-aligned until [`Section::align_right`].
    pub fn new(title: impl Into<String>, header: &[&str]) -> Self {
        Section {
            title: title.into(),
            columns: header
                .iter()
                .map(|h| Column {
                    name: h.to_string(),
                    right: false,
                    whole_words: false,
                })
                .collect(),
            ..Section::default()
        }
    }
    /// Right-aligns these columns (numbers).
    pub fn align_right(&mut self, columns: impl IntoIterator<Item = usize>) -> &mut Self {
        for c in columns {
            if let Some(col) = self.columns.get_mut(c) {
                col.right = true;
            }
        }
        self
    }
    /// Keeps these columns' words whole in terminal tables (see [`Column::whole_words`]).
    pub fn whole_words(&mut self, columns: impl IntoIterator<Item = usize>) -> &mut Self {
        for c in columns {
            if let Some(col) = self.columns.get_mut(c) {
                col.whole_words = true;
            }
        }
        self
    }
    /// The columns' names.
    pub fn header(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }
    /// Adds a row.
    pub fn row(&mut self, cells: Vec<String>) -> &mut Self {
        self.rows.push(cells);
        self
    }
}

/// Sections as terminal tables (fixed width, [`TABLE_WIDTH`], no colour): what piped output
/// and files get.
pub fn sections_table(sections: &[Section]) -> String {
    tables_at(sections, usize::from(TABLE_WIDTH), false, false)
}

/// Sections as terminal tables laid out to `width` columns (a terminal's; at least
/// [`MIN_TABLE_WIDTH`]), notes wrapped to it. A table whose numbers alone are wider still
/// keeps them whole.
pub fn sections_table_width(sections: &[Section], width: usize) -> String {
    tables_at(sections, width, true, false)
}

/// [`sections_table_width`] with the binding link's row (a cell reading `… binds`) in red,
/// for a terminal that shows colour.
pub(crate) fn sections_table_colour(sections: &[Section], width: usize) -> String {
    tables_at(sections, width, true, true)
}

/// Sections as tables at `width`; titles wrapped to it when `wrap_titles` (piped output
/// keeps each title on one line, as it always has).
fn tables_at(sections: &[Section], width: usize, wrap_titles: bool, colour: bool) -> String {
    let width = width.max(MIN_TABLE_WIDTH);
    let table_width = u16::try_from(width).unwrap_or(u16::MAX);
    let mut out = String::new();
    for (i, s) in sections.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if wrap_titles {
            wrap_into(&mut out, &s.title, width);
        } else {
            out.push_str(&s.title);
            out.push('\n');
        }
        let mut t = table(table_width);
        t.set_header(s.header());
        let rows: Vec<Vec<String>> = s
            .rows
            .iter()
            .map(|r| r.iter().map(|c| table_cell(c)).collect())
            .collect();
        // Each column is at least as wide as its widest number (every word, in a column that
        // keeps words whole), so no number is cut.
        let mut widest = vec![0usize; s.columns.len()];
        for r in &rows {
            for ((w, c), col) in widest.iter_mut().zip(r).zip(&s.columns) {
                let n = c
                    .split_whitespace()
                    .filter(|t| col.whole_words || is_number(t))
                    .map(|t| t.chars().count())
                    .max()
                    .unwrap_or(0);
                *w = (*w).max(n);
            }
        }
        for ((w, h), col) in widest.iter_mut().zip(s.header()).zip(&s.columns) {
            if col.whole_words {
                let n = h.split_whitespace().map(|t| t.chars().count()).max();
                *w = (*w).max(n.unwrap_or(0));
            }
        }
        if wrap_titles {
            widen_for_words(&mut widest, &s.header(), &rows, width);
        }
        if colour {
            t.enforce_styling();
        }
        for r in rows {
            if colour && r.iter().any(|c| c.ends_with("binds")) {
                t.add_row(
                    r.into_iter()
                        .map(|c| comfy_table::Cell::new(c).fg(comfy_table::Color::Red)),
                );
            } else {
                t.add_row(r);
            }
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
        for (c, _) in s.columns.iter().enumerate().filter(|(_, c)| c.right) {
            if let Some(col) = t.column_mut(c) {
                col.set_cell_alignment(CellAlignment::Right);
            }
        }
        out.push_str(&t.to_string());
        out.push('\n');
        for n in &s.notes {
            wrap_into(&mut out, n, width);
        }
    }
    out
}

/// The longest word a terminal table keeps whole when there is room: longer ones (a part name
/// run together, a URL) may wrap anywhere.
const LONGEST_KEPT_WORD: usize = 12;

/// Raises the columns' lower bounds in `widest` so that short words are not split across lines
/// (`Y1` as `Y` over `1`, a header's `Demand` as `Deman` over `d`), as far as `width` allows:
/// first the cells' words, then the header's, each time the columns that need the least extra
/// room first. Numbers are already whole; this only spends what room is left.
fn widen_for_words(widest: &mut [usize], header: &[String], rows: &[Vec<String>], width: usize) {
    let longest = |texts: &mut dyn Iterator<Item = &String>| -> usize {
        texts
            .flat_map(|t| t.split_whitespace())
            .map(|w| w.chars().count())
            .filter(|n| *n <= LONGEST_KEPT_WORD)
            .max()
            .unwrap_or(0)
    };
    // Each column takes its content plus one space either side and one border.
    let room = width.saturating_sub(3 * widest.len() + 1);
    let cells: Vec<usize> = (0..widest.len())
        .map(|c| longest(&mut rows.iter().filter_map(|r| r.get(c))))
        .collect();
    let heads: Vec<usize> = (0..widest.len())
        .map(|c| longest(&mut header.get(c).into_iter()))
        .collect();
    for want in [&cells, &heads] {
        let mut order: Vec<usize> = (0..widest.len()).collect();
        order.sort_by_key(|&c| (want[c].saturating_sub(widest[c]), c));
        for c in order {
            let used: usize = widest.iter().sum();
            let extra = want[c].saturating_sub(widest[c]);
            if used + extra <= room {
                widest[c] += extra;
            }
        }
    }
}

/// A tree (`├── `, `│   `) with every line longer than `width` characters word-wrapped under
/// itself: a continuation line repeats the tree's vertical lines and is indented two more
/// columns, so nothing is cut and the branches still read.
pub(crate) fn wrap_tree(text: &str, width: usize) -> String {
    let width = width.max(MIN_TABLE_WIDTH);
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        if line.chars().count() <= width {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let prefix: String = line.chars().take_while(|c| "│├└─ ".contains(*c)).collect();
        let rest = &line[prefix.len()..];
        let cont: String = prefix
            .chars()
            .map(|c| match c {
                '├' | '│' => '│',
                _ => ' ',
            })
            .chain("  ".chars())
            .collect();
        let room = width.saturating_sub(cont.chars().count()).max(20);
        let mut wrapped = String::new();
        wrap_into(&mut wrapped, rest, room);
        for (k, part) in wrapped.lines().enumerate() {
            out.push_str(if k == 0 { &prefix } else { &cont });
            out.push_str(part);
            out.push('\n');
        }
    }
    out
}

/// `text` word-wrapped at `width` characters (see [`wrap_into`]).
pub(crate) fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    wrap_into(&mut out, text, width);
    out
}

/// Appends `text` word-wrapped at `width` characters (a word longer than the width stays whole
/// on its own line), one pass over the text. Notes under a terminal table read at the table's
/// width instead of running to hundreds of columns.
fn wrap_into(out: &mut String, text: &str, width: usize) {
    for line in text.lines() {
        let mut len = 0;
        for word in line.split(' ').filter(|w| !w.is_empty()) {
            let n = word.chars().count();
            if len > 0 && len + 1 + n > width {
                out.push('\n');
                len = 0;
            }
            if len > 0 {
                out.push(' ');
                len += 1;
            }
            out.push_str(word);
            len += n;
        }
        out.push('\n');
    }
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
pub(crate) fn sections_markdown(sections: &[Section]) -> String {
    let mut out = String::new();
    for (i, s) in sections.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("### {}\n\n", s.title));
        out.push_str(&format!(
            "| {} |\n",
            s.columns
                .iter()
                .map(|c| md_cell(&c.name))
                .collect::<Vec<_>>()
                .join(" | ")
        ));
        let seps: Vec<&str> = s
            .columns
            .iter()
            .map(|c| if c.right { "---:" } else { "---" })
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
pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Sections as CSV: one block per section, each `section,<header…>` then rows, separated by a
/// blank line. Notes are not part of CSV.
pub(crate) fn sections_csv(sections: &[Section]) -> String {
    let mut out = String::new();
    for (i, s) in sections.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let head: Vec<String> = std::iter::once("section".to_string())
            .chain(s.columns.iter().map(|c| csv_field(&c.name)))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_narrow_table_keeps_short_words_whole_when_there_is_room() {
        // The shape of `podplan durability`'s rebuild table on an 80-column terminal.
        let heads = [
            "Group",
            "Bays",
            "Drives (tolerates)",
            "AFR %",
            "λ per hour",
            "Member TB",
            "Rebuild MB/s",
            "Set by",
            "Delay h",
            "T_R h",
        ];
        let mut s = Section::new("t", &heads);
        s.align_right([3, 4, 5, 6, 8, 9]);
        for g in ["1", "2"] {
            let why = "host:SLOT7 (SiI3124 behind a PCIe-to-PCI-X bridge, PCIe 1.0 x1)";
            let row = [
                g, "1-15", "15 (2)", "0.6", "6.85e-7", "3.000", "13.3", why, "84.0", "146.5",
            ];
            s.row(row.iter().map(|c| c.to_string()).collect());
        }
        let out = sections_table_width(&[s], 80);
        // The cells' short words are whole: the link id is not cut into `hos`, `t:S`, `LOT`.
        for w in ["host:SLOT7", "(SiI3124", "1-15", "6.85e-7", "146.5"] {
            assert!(
                out.contains(&format!("┆ {w}")) || out.contains(&format!("│ {w}")),
                "{w}:\n{out}"
            );
        }
        assert!(out.lines().all(|l| l.chars().count() <= 80), "{out}");
    }

    #[test]
    fn notes_wrap_at_the_table_width_and_keep_every_word() {
        let text = "word ".repeat(100) + "end";
        let mut out = String::new();
        wrap_into(&mut out, &text, 40);
        assert!(out.lines().all(|l| l.chars().count() <= 40), "{out}");
        assert_eq!(
            out.split_whitespace().collect::<Vec<_>>(),
            text.split_whitespace().collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_cell_megabytes_long_renders_in_linear_time() {
        // Three million characters without a space, some of them wider than one byte: wrapping
        // that re-measures the rest of the word at every cut (quadratic) would take hours here.
        let word: String = "PN-0123456789×".repeat(3_000_000 / 14);
        let mut s = Section::new("Parts", &["#", "Part number", "Qty"]);
        s.align_right([0, 2]);
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
