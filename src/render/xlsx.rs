//! The bill of materials as an Excel workbook (XLSX) a buyer can open, check and send on.
//!
//! This module owns the spreadsheet layout: a `BOM` sheet (a header with the design, the date
//! and the estimated-share warning, one row per line with a formula for each extended price,
//! category and grand totals as `SUMIF`/`SUM` formulas, currency number formats) and a `Cost`
//! sheet (cost per TB, TiB and GB as formulas on the BOM total, and the reconciliation with the
//! published figures). Every formula also carries its computed result, so readers that do not
//! recalculate see the right numbers. It returns bytes and never touches a file: the caller
//! writes them atomically.

use crate::bom::{Report, category_name};
use crate::render::bom::{
    LINE_COLUMNS, estimated_sentence, plain, published_sentence, what_if_sentences,
};
use crate::units::Cents;
use rust_xlsxwriter::utility::{row_col_to_cell, row_col_to_cell_absolute};
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatBorder, Formula, Workbook, Worksheet,
    XlsxError,
};

/// Name of the sheet with the lines and totals.
pub(crate) const BOM_SHEET: &str = "BOM";
/// Name of the sheet with the cost metrics and the reconciliation.
pub(crate) const COST_SHEET: &str = "Cost";

/// The position of a column of [`LINE_COLUMNS`], by its name; evaluated at compile time, so a
/// name that is not there fails the build.
const fn col(name: &str) -> u16 {
    let want = name.as_bytes();
    let mut i = 0;
    while i < LINE_COLUMNS.len() {
        let have = LINE_COLUMNS[i].name.as_bytes();
        if have.len() == want.len() {
            let mut j = 0;
            while j < have.len() && have[j] == want[j] {
                j += 1;
            }
            if j == have.len() {
                return i as u16;
            }
        }
        i += 1;
    }
    panic!("no such column of the bill of materials")
}

const COL_CATEGORY: u16 = col("Category");
const COL_QTY: u16 = col("Qty");
const COL_UNIT: u16 = col("Unit price");
const COL_EXT: u16 = col("Extended");
const COL_BASIS: u16 = col("Price basis");
/// The totals' labels sit in the part-name column, their shares in the price-basis column.
const COL_LABEL: u16 = col("Part");
const COL_SHARE: u16 = COL_BASIS;

/// Width of the explanation column of the Cost sheet, in characters.
const EXPLANATION_WIDTH: f64 = 80.0;
/// Height of one line of text, in points (Excel's default row height).
const ROW_HEIGHT: f64 = 15.0;

/// Lines a text takes when wrapped at word boundaries in a column `width` characters wide.
fn wrapped_lines(text: &str, width: f64) -> usize {
    let width = (width as usize).saturating_sub(2).max(1);
    let mut lines = 1;
    let mut used = 0;
    for word in text.split(' ') {
        let n = word.chars().count();
        if used > 0 && used + 1 + n > width {
            lines += 1;
            used = n;
        } else {
            used += if used > 0 { n + 1 } else { n };
        }
    }
    lines
}

fn units(c: Cents) -> f64 {
    c.0 as f64 / 100.0
}

/// Excel number format for amounts in `currency`.
fn money_format(currency: &str) -> String {
    if currency == "USD" {
        "$#,##0.00".into()
    } else {
        format!("#,##0.00 \"{currency}\"")
    }
}

fn ratio_format(currency: &str, decimals: usize) -> String {
    let zeros = "0".repeat(decimals);
    if currency == "USD" {
        format!("$#,##0.{zeros}")
    } else {
        format!("#,##0.{zeros} \"{currency}\"")
    }
}

/// A formula with its computed result.
fn formula(text: String, result: String) -> Formula {
    Formula::new(text).set_result(result)
}

struct Formats {
    title: Format,
    bold: Format,
    warn: Format,
    header: Format,
    wrap: Format,
    money: Format,
    money_total: Format,
    pct: Format,
    ratio2: Format,
    ratio4: Format,
    int: Format,
    indent: Format,
}

fn formats(currency: &str) -> Formats {
    Formats {
        title: Format::new().set_bold().set_font_size(14),
        bold: Format::new().set_bold(),
        warn: Format::new()
            .set_bold()
            .set_font_color(Color::RGB(0x00C0_0000)),
        header: Format::new()
            .set_bold()
            .set_text_wrap()
            .set_background_color(Color::RGB(0x00DD_EBF7))
            .set_border_bottom(FormatBorder::Thin),
        wrap: Format::new().set_text_wrap(),
        money: Format::new().set_num_format(money_format(currency)),
        money_total: Format::new()
            .set_bold()
            .set_num_format(money_format(currency))
            .set_border_top(FormatBorder::Thin),
        pct: Format::new().set_num_format("0.0%"),
        ratio2: Format::new().set_num_format(ratio_format(currency, 2)),
        ratio4: Format::new().set_num_format(ratio_format(currency, 4)),
        int: Format::new().set_num_format("#,##0"),
        indent: Format::new().set_indent(1),
    }
}

fn title(r: &Report) -> String {
    match &r.revision {
        Some(rev) if !r.design.contains(rev.as_str()) => format!("{} (revision {rev})", r.design),
        _ => r.design.clone(),
    }
}

/// Where the BOM sheet's totals are, for the Cost sheet's formulas and for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BomCells {
    /// 0-based row of the first line.
    pub first_line_row: u32,
    /// 0-based row of the last line.
    pub last_line_row: u32,
    /// 0-based row of the one-pod total.
    pub pod_total_row: u32,
    /// 0-based row of the order total (the same as `pod_total_row` for one pod).
    pub order_total_row: u32,
}

fn bom_sheet(
    ws: &mut Worksheet,
    r: &Report,
    generated: &str,
    f: &Formats,
) -> Result<BomCells, XlsxError> {
    ws.set_name(BOM_SHEET)?;
    let header_row = sheet_head(ws, r, generated, f)?;
    for (c, col) in LINE_COLUMNS.iter().enumerate() {
        ws.write_string_with_format(header_row, c as u16, col.name, &f.header)?;
    }
    let first = header_row + 1;
    line_rows(ws, r, first, f)?;
    let last = first + r.lines.len().saturating_sub(1) as u32;
    let (pod_row, order_row) = totals_rows(ws, r, (first, last), f)?;
    for (c, col) in LINE_COLUMNS.iter().enumerate() {
        ws.set_column_width(c as u16, col.width)?;
    }
    // Print everything but the long source texts, one page wide.
    ws.set_print_area(0, 0, order_row, (LINE_COLUMNS.len() - 2) as u16)?;
    ws.set_freeze_panes(first, 0)?;
    ws.autofilter(
        header_row,
        0,
        last.max(first),
        (LINE_COLUMNS.len() - 1) as u16,
    )?;
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(header_row, header_row)?;
    Ok(BomCells {
        first_line_row: first,
        last_line_row: last,
        pod_total_row: pod_row,
        order_total_row: order_row,
    })
}

/// The totals under the lines, as formulas on them: by category, data drives and everything
/// else, estimated prices, per pod and for the order. `lines` are the first and last line
/// rows; returns the rows of the per-pod and order totals.
fn totals_rows(
    ws: &mut Worksheet,
    r: &Report,
    lines: (u32, u32),
    f: &Formats,
) -> Result<(u32, u32), XlsxError> {
    let (first, last) = lines;
    let warn = if r.totals.estimated.0 > 0 {
        &f.warn
    } else {
        &f.bold
    };
    let range = |col: u16| {
        format!(
            "{}:{}",
            row_col_to_cell_absolute(first, col),
            row_col_to_cell_absolute(last, col)
        )
    };
    let t = &r.totals;
    let mut row = last + 2;
    let totals_title = if r.pods == 1 {
        "Totals, one pod".to_string()
    } else {
        format!("Totals, order of {} pods", r.pods)
    };
    ws.write_string_with_format(row, COL_LABEL, totals_title, &f.bold)?;
    ws.write_string_with_format(row, COL_EXT, "Amount", &f.bold)?;
    ws.write_string_with_format(row, COL_SHARE, "Share of total", &f.bold)?;
    row += 1;
    // The grand total sits below the breakdown; shares refer to it.
    let breakdown = t.by_category.len() as u32 + 3 + u32::from(r.pods > 1);
    let order_row = row + breakdown;
    let total_cell = row_col_to_cell_absolute(order_row, COL_EXT);
    for c in &t.by_category {
        let name = category_name(c.category);
        ws.write_string(row, COL_LABEL, format!("Category: {name}"))?;
        ws.write_formula_with_format(
            row,
            COL_EXT,
            formula(
                format!(
                    "=SUMIF({},\"{name}\",{})",
                    range(COL_CATEGORY),
                    range(COL_EXT)
                ),
                plain(c.extended),
            ),
            &f.money,
        )?;
        share_of(ws, f, (row, &total_cell), t.order_total, c.extended)?;
        row += 1;
    }
    let drive_cells: Vec<String> = r
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.data_drive)
        .map(|(i, _)| row_col_to_cell(first + i as u32, COL_EXT))
        .collect();
    let data_row = row;
    ws.write_string(row, COL_LABEL, "Data drives")?;
    let drives_formula = if drive_cells.is_empty() {
        "=0".to_string()
    } else {
        format!("={}", drive_cells.join("+"))
    };
    ws.write_formula_with_format(
        row,
        COL_EXT,
        formula(drives_formula, plain(t.data_drives)),
        &f.money,
    )?;
    share_of(ws, f, (row, &total_cell), t.order_total, t.data_drives)?;
    row += 1;
    ws.write_string(
        row,
        COL_LABEL,
        "Everything else (the pod without its data drives)",
    )?;
    ws.write_formula_with_format(
        row,
        COL_EXT,
        formula(
            format!("={total_cell}-{}", row_col_to_cell(data_row, COL_EXT)),
            plain(t.everything_else),
        ),
        &f.money,
    )?;
    share_of(ws, f, (row, &total_cell), t.order_total, t.everything_else)?;
    row += 1;
    ws.write_string_with_format(row, COL_LABEL, "Estimated prices", warn)?;
    ws.write_formula_with_format(
        row,
        COL_EXT,
        formula(
            format!(
                "=SUMIF({},\"estimated\",{})",
                range(COL_BASIS),
                range(COL_EXT)
            ),
            plain(t.estimated),
        ),
        &f.money,
    )?;
    share_of(ws, f, (row, &total_cell), t.order_total, t.estimated)?;
    row += 1;
    let pod_row = grand_totals(ws, r, f, (row, order_row), &range(COL_EXT))?;
    Ok((pod_row, order_row))
}

/// A total's share of the order total, as a formula (`at`: its row and the total's cell).
fn share_of(
    ws: &mut Worksheet,
    f: &Formats,
    at: (u32, &str),
    order_total: Cents,
    part: Cents,
) -> Result<(), XlsxError> {
    let (row, total_cell) = at;
    let share = if order_total.0 == 0 {
        0.0
    } else {
        part.0 as f64 / order_total.0 as f64
    };
    ws.write_formula_with_format(
        row,
        COL_SHARE,
        formula(
            format!(
                "=IF({total_cell}=0,0,{}/{total_cell})",
                row_col_to_cell(row, COL_EXT)
            ),
            format!("{share}"),
        ),
        &f.pct,
    )?;
    Ok(())
}

/// The per-pod total (for an order of several pods) and the order's total, as a sum of the
/// extended prices in `lines`. `rows`: the next free row and the order total's row. Returns the
/// per-pod total's row (the order total's for one pod).
fn grand_totals(
    ws: &mut Worksheet,
    r: &Report,
    f: &Formats,
    rows: (u32, u32),
    lines: &str,
) -> Result<u32, XlsxError> {
    let t = &r.totals;
    let (mut row, order_row) = rows;
    let total_cell = row_col_to_cell_absolute(order_row, COL_EXT);
    let pod_row = if r.pods > 1 {
        ws.write_string(row, COL_LABEL, "Total per pod")?;
        ws.write_formula_with_format(
            row,
            COL_EXT,
            formula(format!("={total_cell}/{}", r.pods), plain(t.pod_total)),
            &f.money,
        )?;
        row += 1;
        row - 1
    } else {
        order_row
    };
    debug_assert_eq!(row, order_row);
    let label = if r.pods > 1 {
        format!("Total for {} pods", r.pods)
    } else {
        "Total".to_string()
    };
    ws.write_string_with_format(order_row, COL_LABEL, label, &f.bold)?;
    ws.write_formula_with_format(
        order_row,
        COL_EXT,
        formula(format!("=SUM({lines})"), plain(t.order_total)),
        &f.money_total,
    )?;
    Ok(pod_row)
}

/// The sheet's heading: title, design file, date and currency, the estimated share and the
/// what-if sentences. Returns the row of the column headers, after a blank row.
fn sheet_head(
    ws: &mut Worksheet,
    r: &Report,
    generated: &str,
    f: &Formats,
) -> Result<u32, XlsxError> {
    let mut row = 0u32;
    ws.write_string_with_format(row, 0, format!("Bill of materials: {}", title(r)), &f.title)?;
    row += 1;
    ws.write_string(row, 0, format!("Design file: {}", r.file))?;
    row += 1;
    let dates = if r.price_dates.earliest == r.price_dates.latest {
        r.price_dates.earliest.clone()
    } else {
        format!("{} to {}", r.price_dates.earliest, r.price_dates.latest)
    };
    // An order of several pods is stated by the what-if sentences below.
    let order = if r.pods == 1 { " One pod." } else { "" };
    ws.write_string(
        row,
        0,
        format!(
            "Generated {generated} by podplan. Prices in {}, quoted {dates}.{order}",
            r.currency
        ),
    )?;
    row += 1;
    let warn = if r.totals.estimated.0 > 0 {
        &f.warn
    } else {
        &f.bold
    };
    ws.write_string_with_format(row, 0, estimated_sentence(r), warn)?;
    row += 1;
    for s in published_sentence(r)
        .into_iter()
        .chain(what_if_sentences(r))
    {
        ws.write_string(row, 0, s)?;
        row += 1;
    }
    row += 1;
    Ok(row)
}

/// One row per line from `first`: every cell, the extended price as a formula.
fn line_rows(ws: &mut Worksheet, r: &Report, first: u32, f: &Formats) -> Result<(), XlsxError> {
    for (i, l) in r.lines.iter().enumerate() {
        let row = first + i as u32;
        // Row heights are not recomputed by every reader: size each row for its wrapped cells.
        let lines = [
            (&l.name, LINE_COLUMNS[1].width),
            (&l.used_for, LINE_COLUMNS[6].width),
            (
                l.supplier.as_ref().unwrap_or(&String::new()),
                LINE_COLUMNS[4].width,
            ),
        ]
        .iter()
        .map(|(text, width)| wrapped_lines(text, *width))
        .max()
        .unwrap_or(1);
        if lines > 1 {
            ws.set_row_height(row, ROW_HEIGHT * lines as f64)?;
        }
        ws.write_number(row, 0, f64::from(l.item))?;
        ws.write_string_with_format(row, 1, &l.name, &f.wrap)?;
        ws.write_string(row, 2, &l.part)?;
        ws.write_string(row, 3, l.part_number.clone().unwrap_or_default())?;
        ws.write_string_with_format(row, 4, l.supplier.clone().unwrap_or_default(), &f.wrap)?;
        ws.write_string(row, COL_CATEGORY, category_name(l.category))?;
        ws.write_string_with_format(row, 6, &l.used_for, &f.wrap)?;
        ws.write_number_with_format(row, 7, l.qty_per_pod as f64, &f.int)?;
        ws.write_number_with_format(row, COL_QTY, l.qty as f64, &f.int)?;
        ws.write_number_with_format(row, COL_UNIT, units(l.unit), &f.money)?;
        ws.write_formula_with_format(
            row,
            COL_EXT,
            formula(
                format!(
                    "={}*{}",
                    row_col_to_cell(row, COL_QTY),
                    row_col_to_cell(row, COL_UNIT)
                ),
                plain(l.extended),
            ),
            &f.money,
        )?;
        ws.write_string_with_format(row, COL_BASIS, l.basis.label(), &f.indent)?;
        ws.write_string(row, 12, &l.price_date)?;
        ws.write_string(row, 13, &l.source)?;
    }
    Ok(())
}

fn cost_sheet(
    ws: &mut Worksheet,
    r: &Report,
    cells: BomCells,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name(COST_SHEET)?;
    let m = &r.metrics;
    ws.write_string_with_format(0, 0, format!("Cost of {}", title(r)), &f.title)?;
    ws.write_string(1, 0, crate::render::bom::capacity_units_sentence(r))?;
    let mut row = 3u32;
    ws.write_string_with_format(row, 0, "Total, one pod", &f.bold)?;
    let total = row_col_to_cell_absolute(row, 1);
    ws.write_formula_with_format(
        row,
        1,
        formula(
            format!(
                "='{BOM_SHEET}'!{}",
                row_col_to_cell_absolute(cells.pod_total_row, COL_EXT)
            ),
            plain(r.totals.pod_total),
        ),
        &f.money,
    )?;
    row += 1;
    ws.write_string(row, 0, "Chassis bays")?;
    ws.write_number(row, 1, f64::from(m.bays))?;
    let bays = row_col_to_cell_absolute(row, 1);
    row += 1;
    ws.write_string(row, 0, "Cost per chassis bay")?;
    ws.write_formula_with_format(
        row,
        1,
        formula(format!("={total}/{bays}"), format!("{}", m.per_bay)),
        &f.ratio2,
    )?;
    row += 2;
    for (c, h) in ["Capacity", "TB", "TiB", "per TB", "per TiB", "per GB"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(row, c as u16, *h, &f.header)?;
    }
    row += 1;
    let rows = [
        ("raw (drives as sold)", &m.raw),
        ("before the filesystem", &m.before_filesystem),
        ("usable (after the filesystem)", &m.usable),
    ];
    let vault = m
        .vault_usable
        .as_ref()
        .map(|v| ("usable as a Vault pod (no RAID in the pod)", v));
    for (name, p) in rows.into_iter().chain(vault) {
        ws.write_string(row, 0, name)?;
        ws.write_number_with_format(
            row,
            1,
            p.bytes.tb(),
            &Format::new().set_num_format("#,##0.000"),
        )?;
        ws.write_number_with_format(
            row,
            2,
            p.bytes.tib(),
            &Format::new().set_num_format("#,##0.000"),
        )?;
        let tb = row_col_to_cell(row, 1);
        let tib = row_col_to_cell(row, 2);
        let cells = [
            (
                3u16,
                format!("=IF({tb}=0,0,{total}/{tb})"),
                p.per_tb,
                &f.ratio2,
            ),
            (
                4,
                format!("=IF({tib}=0,0,{total}/{tib})"),
                p.per_tib,
                &f.ratio2,
            ),
            (
                5,
                format!("=IF({tb}=0,0,{total}/({tb}*1000))"),
                p.per_gb,
                &f.ratio4,
            ),
        ];
        for (col, text, value, fmt) in cells {
            ws.write_formula_with_format(
                row,
                col,
                formula(text, format!("{}", value.unwrap_or(0.0))),
                fmt,
            )?;
        }
        row += 1;
    }
    ws.write_string(
        row,
        0,
        format!("Layout: the design's own RAID policy, {}.", m.layout),
    )?;
    row += 2;
    reconciliation_rows(ws, r, row, f)?;
    for (c, w) in [34.0, 14.0, 14.0, 14.0, 10.0, 10.0, EXPLANATION_WIDTH]
        .iter()
        .enumerate()
    {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

/// The reconciliation with the published figures from `row`: one row per published figure,
/// computed, published, difference, source, status and explanation.
fn reconciliation_rows(
    ws: &mut Worksheet,
    r: &Report,
    mut row: u32,
    f: &Formats,
) -> Result<(), XlsxError> {
    let cur = &r.currency;
    ws.write_string_with_format(
        row,
        0,
        "Reconciliation with the published figures (the design as written)",
        &f.bold,
    )?;
    row += 1;
    for (c, h) in [
        "Figure",
        "Computed",
        "Published",
        "Difference",
        "Source",
        "Status",
        "Explanation",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(row, c as u16, *h, &f.header)?;
    }
    row += 1;
    let rec = &r.reconciliation;
    if let Some(c) = &rec.total {
        ws.write_string(row, 0, "total cost, one pod")?;
        ws.write_number_with_format(row, 1, units(c.computed), &f.money)?;
        ws.write_number_with_format(row, 2, units(c.published), &f.money)?;
        ws.write_number_with_format(row, 3, units(c.difference), &f.money)?;
        ws.write_string(row, 4, &c.source_tag)?;
        ws.write_string(row, 5, if c.matches { "matches" } else { "differs" })?;
        ws.write_string_with_format(row, 6, &c.explanation, &f.wrap)?;
        ws.set_row_height(
            row,
            ROW_HEIGHT * wrapped_lines(&c.explanation, EXPLANATION_WIDTH) as f64,
        )?;
        row += 1;
    }
    if let Some(c) = &rec.per_gb {
        ws.write_string(row, 0, "cost per raw GB")?;
        ws.write_number_with_format(row, 1, c.computed, &f.ratio4)?;
        let places = c
            .published_text
            .split_once('.')
            .map_or(0, |(_, frac)| frac.len());
        ws.write_number_with_format(
            row,
            2,
            c.published,
            &Format::new().set_num_format(ratio_format(cur, places)),
        )?;
        ws.write_number_with_format(row, 3, c.difference, &f.ratio4)?;
        ws.write_string(row, 4, &c.source_tag)?;
        ws.write_string(row, 5, if c.matches { "matches" } else { "differs" })?;
        ws.write_string_with_format(row, 6, &c.explanation, &f.wrap)?;
        ws.set_row_height(
            row,
            ROW_HEIGHT * wrapped_lines(&c.explanation, EXPLANATION_WIDTH) as f64,
        )?;
        row += 1;
    }
    if rec.total.is_none() && rec.per_gb.is_none() {
        ws.write_string(row, 0, "none published")?;
    }
    Ok(())
}

/// The workbook's bytes. `generated` is the date shown in the header (`YYYY-MM-DD`); it is
/// also the document's creation date, so the same report and date give the same bytes.
pub fn bom_workbook(r: &Report, generated: &str) -> Result<Vec<u8>, XlsxError> {
    let f = formats(&r.currency);
    let mut wb = Workbook::new();
    let mut props = DocProperties::new()
        .set_title(format!("Bill of materials: {}", title(r)))
        .set_author("podplan")
        .set_comment(format!("Generated from {}", r.file));
    let ymd: Vec<&str> = generated.split('-').collect();
    if let [y, m, d] = ymd[..]
        && let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u16>(), m.parse::<u8>(), d.parse::<u8>())
        && let Ok(dt) = ExcelDateTime::from_ymd(y, m, d)
    {
        props = props.set_creation_datetime(&dt);
    }
    wb.set_properties(&props);
    let cells = bom_sheet(wb.add_worksheet(), r, generated, &f)?;
    cost_sheet(wb.add_worksheet(), r, cells, &f)?;
    wb.save_to_buffer()
}

/// Sets the workbook's properties: title, author, source, and the creation date `generated`
/// (`YYYY-MM-DD`) so that the same plan and date give the same bytes.
fn set_props(wb: &mut Workbook, title: String, source: &str, generated: &str) {
    let mut props = DocProperties::new()
        .set_title(title)
        .set_author("podplan")
        .set_comment(format!("Generated from {source}"));
    let ymd: Vec<&str> = generated.split('-').collect();
    if let [y, m, d] = ymd[..]
        && let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u16>(), m.parse::<u8>(), d.parse::<u8>())
        && let Ok(dt) = ExcelDateTime::from_ymd(y, m, d)
    {
        props = props.set_creation_datetime(&dt);
    }
    wb.set_properties(&props);
}

/// The plan's summary sheet: one row per period with what it buys and spends.
fn plan_summary_sheet(
    ws: &mut Worksheet,
    r: &crate::plan::PlanReport,
    generated: &str,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name("Summary")?;
    ws.write_string_with_format(0, 0, format!("Purchase schedule: {}", r.name), &f.title)?;
    ws.write_string(
        1,
        0,
        format!(
            "{} ({}), generated {generated} by podplan; amounts in {}",
            r.pod.design, r.pod.file, r.pod.currency
        ),
    )?;
    let head = [
        "Period",
        "Pods bought",
        "Racks bought",
        "Pod price",
        "Pods",
        "Racks",
        "Switches",
        "Capex",
        "Opex",
        "Capex + opex",
    ];
    for (c, h) in head.iter().enumerate() {
        ws.write_string_with_format(3, c as u16, *h, &f.header)?;
    }
    let first = 4u32;
    for (i, p) in r.periods.iter().enumerate() {
        let row = first + i as u32;
        ws.write_string(row, 0, &p.label)?;
        ws.write_number_with_format(row, 1, p.pods_bought as f64, &f.int)?;
        ws.write_number_with_format(row, 2, p.racks_bought as f64, &f.int)?;
        for (c, v) in [
            (3, p.pod_price),
            (4, p.capex.pods),
            (5, p.capex.racks),
            (6, p.capex.switches),
            (8, p.opex.total),
        ] {
            ws.write_number_with_format(row, c, units(v), &f.money)?;
        }
        let capex = formula(
            format!(
                "=SUM({}:{})",
                row_col_to_cell(row, 4),
                row_col_to_cell(row, 6)
            ),
            format!("{:.2}", units(p.capex.total)),
        );
        ws.write_formula_with_format(row, 7, capex, &f.money)?;
        let both = formula(
            format!("={}+{}", row_col_to_cell(row, 7), row_col_to_cell(row, 8)),
            format!("{:.2}", units(p.capex.total) + units(p.opex.total)),
        );
        ws.write_formula_with_format(row, 9, both, &f.money)?;
    }
    let last = first + r.periods.len() as u32 - 1;
    let total_row = last + 1;
    ws.write_string_with_format(total_row, 0, "Total", &f.bold)?;
    let t = &r.totals;
    for (c, v) in [
        (4u16, t.capex.pods),
        (5, t.capex.racks),
        (6, t.capex.switches),
        (7, t.capex.total),
        (8, t.opex.total),
        (9, t.tco),
    ] {
        let sum = formula(
            format!(
                "=SUM({}:{})",
                row_col_to_cell(first, c),
                row_col_to_cell(last, c)
            ),
            format!("{:.2}", units(v)),
        );
        ws.write_formula_with_format(total_row, c, sum, &f.money_total)?;
    }
    ws.set_column_width(0, 10)?;
    for c in 1..=9 {
        ws.set_column_width(c, 15)?;
    }
    Ok(())
}

/// One period's purchase order: every BOM line × the pods bought, and the racks and switches.
fn plan_order_sheet(
    ws: &mut Worksheet,
    p: &crate::plan::engine::PeriodRow,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name(&p.label)?;
    ws.write_string_with_format(
        0,
        0,
        format!(
            "Order for {}: {} pods, {} racks",
            p.label, p.pods_bought, p.racks_bought
        ),
        &f.title,
    )?;
    let head = [
        "Part",
        "Name",
        "Part number",
        "Supplier",
        "Qty",
        "Unit price",
        "Extended",
    ];
    for (c, h) in head.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *h, &f.header)?;
    }
    // A column for the quantity breaks only when the order reaches one (model §15.1).
    let breaks = p.order.iter().any(|l| l.price_break.is_some());
    if breaks {
        ws.write_string_with_format(2, 7, "Price", &f.header)?;
        ws.set_column_width(7, 22)?;
    }
    let first = 3u32;
    for (i, l) in p.order.iter().enumerate() {
        let row = first + i as u32;
        ws.write_string(row, 0, &l.part)?;
        ws.write_string(row, 1, &l.name)?;
        ws.write_string(row, 2, l.part_number.as_deref().unwrap_or(""))?;
        ws.write_string(row, 3, l.supplier.as_deref().unwrap_or(""))?;
        ws.write_number_with_format(row, 4, l.qty as f64, &f.int)?;
        ws.write_number_with_format(row, 5, units(l.unit), &f.money)?;
        let ext = formula(
            format!("={}*{}", row_col_to_cell(row, 4), row_col_to_cell(row, 5)),
            format!("{:.2}", units(l.extended)),
        );
        ws.write_formula_with_format(row, 6, ext, &f.money)?;
        if breaks {
            let price = match l.price_break {
                Some(q) => format!("break from {q} units"),
                None => "list".to_string(),
            };
            ws.write_string(row, 7, &price)?;
        }
    }
    let last = first + p.order.len() as u32 - 1;
    ws.write_string_with_format(last + 1, 0, "Total", &f.bold)?;
    let total = formula(
        format!(
            "=SUM({}:{})",
            row_col_to_cell(first, 6),
            row_col_to_cell(last, 6)
        ),
        format!("{:.2}", units(p.capex.total)),
    );
    ws.write_formula_with_format(last + 1, 6, total, &f.money_total)?;
    ws.set_column_width(0, 28)?;
    ws.set_column_width(1, 50)?;
    for c in 2..=6 {
        ws.set_column_width(c, 15)?;
    }
    Ok(())
}

/// The purchase schedule of a plan as a workbook: a summary sheet and one sheet per period
/// that buys anything, with formulas for every extended price and total.
pub(crate) fn plan_workbook(
    r: &crate::plan::PlanReport,
    generated: &str,
) -> Result<Vec<u8>, XlsxError> {
    let f = formats(&r.pod.currency);
    let mut wb = Workbook::new();
    set_props(
        &mut wb,
        format!("Purchase schedule: {}", r.name),
        &r.pod.file,
        generated,
    );
    plan_summary_sheet(wb.add_worksheet(), r, generated, &f)?;
    for p in r.periods.iter().filter(|p| !p.order.is_empty()) {
        plan_order_sheet(wb.add_worksheet(), p, &f)?;
    }
    wb.save_to_buffer()
}
