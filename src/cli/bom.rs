//! `podplan bom` and `podplan cost`: their options and how they become a BOM request.
//!
//! This file owns the translation of `--price PART=AMOUNT`, `--drive PART`, `--pods N` and
//! `--parts FILE` into [`bom::Options`] and a drive-swapped variant of the design, with an error
//! that names the flag for every bad value, and the choice of renderer (`--format`, including
//! the XLSX workbook, which needs `--output`). The engine is `crate::bom`; the tables are
//! `crate::render::bom`; the workbook is `crate::xlsx`.

use super::{EXIT_OK, Format, emit, load_design, usage, write_diags};
use crate::bom::{self, BomError, Options, Report};
use crate::diag::{Code, Diagnostic};
use crate::load::{self, Document, Loaded};
use crate::model::Pod;
use crate::render::bom::{self as bom_render, Style};
use crate::units::parse_cents;
use crate::validate::validate;
use clap::ValueEnum;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Formats of `podplan bom`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BomFormat {
    /// Tables for a terminal.
    Table,
    /// GitHub-flavoured Markdown tables.
    Markdown,
    /// Comma-separated values, one block per table, plain numbers.
    Csv,
    /// The whole report as JSON.
    Json,
    /// An Excel workbook with formulas (needs --output).
    Xlsx,
}

/// The what-if options shared by `bom` and `cost`.
#[derive(Debug, Clone, clap::Args)]
pub struct WhatIfArgs {
    /// Use this unit price for a part, in the design's currency, e.g.
    /// `--price zippy-psm-5760=250.00` (repeatable; the part must be on the BOM).
    #[arg(long = "price", value_name = "PART=AMOUNT")]
    pub prices: Vec<String>,
    /// Put this drive part in every data bay; capacity and cost are recomputed through the
    /// layout. The part must be in the design, its catalogs or a --parts file.
    #[arg(long, value_name = "PART")]
    pub drive: Option<String>,
    /// Price an order of N pods: every quantity and total is multiplied by N.
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub pods: u32,
    /// Also make the parts of this catalog or design file available to --drive and --price
    /// (repeatable), e.g. `--parts designs/backblaze-pod-3.0.ron`.
    #[arg(long = "parts", value_name = "FILE")]
    pub parts: Vec<PathBuf>,
}

/// Options of `podplan bom`.
#[derive(Debug, Clone, clap::Args)]
pub struct BomArgs {
    /// Design file (default: the built-in Pod 2.0 design).
    pub design: Option<PathBuf>,
    /// Output format (default: the one --output's extension names, .csv .json .md .xlsx .txt,
    /// else table; it must agree with the extension).
    #[arg(long, value_enum, default_value_t = BomFormat::Table)]
    pub format: BomFormat,
    /// Write to this file (atomically) instead of standard output; required for xlsx.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// What-ifs.
    #[command(flatten)]
    pub what_if: WhatIfArgs,
}

/// Options of `podplan cost`.
#[derive(Debug, Clone, clap::Args)]
pub struct CostArgs {
    /// Design files (default: the built-in Pod 2.0 design). With several, one row per design;
    /// catalog files among them are skipped, so `designs/*.ron` works.
    pub designs: Vec<PathBuf>,
    /// Output format (json: an array with one report per design; default: the one --output's
    /// extension names, .csv .json .md .txt, else table; it must agree with the extension).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// What-ifs, applied to every design.
    #[command(flatten)]
    pub what_if: WhatIfArgs,
}

/// Today's date (UTC) as `YYYY-MM-DD`, or the date of `SOURCE_DATE_EPOCH` when set (for
/// reproducible files).
pub fn today() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
    civil_date(secs.div_euclid(86_400))
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's
/// `civil_from_days`).
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `--price PART=AMOUNT` values as a map, or a message naming the flag.
fn parse_prices(raw: &[String]) -> Result<BTreeMap<String, crate::units::Cents>, String> {
    let mut out = BTreeMap::new();
    for s in raw {
        let Some((part, amount)) = s.split_once('=') else {
            return Err(format!(
                "--price {s}: expected PART=AMOUNT, e.g. --price zippy-psm-5760=250.00"
            ));
        };
        let part = part.trim();
        if part.is_empty() {
            return Err(format!("--price {s}: no part id before '='"));
        }
        let cents = parse_cents(amount).map_err(|e| format!("--price {s}: {e}"))?;
        if cents.0 < 0 {
            return Err(format!("--price {s}: a price cannot be negative"));
        }
        if out.insert(part.to_string(), cents).is_some() {
            return Err(format!("--price {part}: given more than once"));
        }
    }
    Ok(out)
}

/// The parts of every `--parts` file, as extra catalogs.
fn extra_parts(files: &[PathBuf]) -> Result<Vec<(String, crate::spec::Catalog)>, String> {
    let mut out = Vec::new();
    for f in files {
        match load::load_file(f) {
            Ok(Document::Catalog(p, c)) => out.push((p, c)),
            Ok(Document::Design(l)) => {
                out.push((
                    l.path.clone(),
                    crate::spec::Catalog {
                        parts: l.design.parts.clone(),
                    },
                ));
                out.extend(l.catalogs.iter().cloned());
            }
            Err(diags) => {
                let text: Vec<String> = diags.iter().map(ToString::to_string).collect();
                return Err(format!("--parts {}:\n{}", f.display(), text.join("\n")));
            }
        }
    }
    Ok(out)
}

/// Adds extra catalogs to a loaded design. A part it already has word for word (the same
/// catalog loaded twice, two designs sharing a part) is one part and is left out; a part whose
/// id is taken by a different definition is an error naming both files.
fn with_parts(loaded: &Loaded, extra: &[(String, crate::spec::Catalog)]) -> Result<Loaded, String> {
    let mut out = loaded.clone();
    // id → (file, index, definition) of every part known so far.
    let mut known: std::collections::BTreeMap<String, (String, usize, crate::spec::Part)> =
        std::collections::BTreeMap::new();
    let lists = std::iter::once((loaded.path.as_str(), &loaded.design.parts))
        .chain(loaded.catalogs.iter().map(|(p, c)| (p.as_str(), &c.parts)));
    for (path, list) in lists {
        for (i, p) in list.iter().enumerate() {
            known
                .entry(p.id.clone())
                .or_insert_with(|| (path.to_string(), i, p.clone()));
        }
    }
    for (path, cat) in extra {
        let mut parts = Vec::new();
        for (i, p) in cat.parts.iter().enumerate() {
            match known.get(&p.id) {
                Some((_, _, q)) if q == p => {}
                Some((file, j, _)) => {
                    return Err(format!(
                        "--parts {path}: part {:?} at parts[{i}] differs from the part with the same id in {file} at parts[{j}]; make them identical or give one another id",
                        p.id
                    ));
                }
                None => {
                    known.insert(p.id.clone(), (path.clone(), i, p.clone()));
                    parts.push(p.clone());
                }
            }
        }
        if !parts.is_empty() {
            out.catalogs
                .push((path.clone(), crate::spec::Catalog { parts }));
        }
    }
    Ok(out)
}

/// One design ready to price: the design as written, and the drive-swapped variant if asked.
struct Priced {
    design: Pod,
    variant: Option<Pod>,
}

/// Loads one design and builds the variant of `--drive`. Errors are written to `err`.
fn load_priced(
    path: Option<&PathBuf>,
    w: &WhatIfArgs,
    extra: &[(String, crate::spec::Catalog)],
    err: &mut dyn Write,
) -> Result<Priced, u8> {
    let (design, mut warnings) = load_design(path, err)?;
    warnings.extend(bom::lint(&design));
    let _ = write_diags(err, &warnings);
    let Some(id) = &w.drive else {
        return Ok(Priced {
            design,
            variant: None,
        });
    };
    let doc = match path {
        Some(p) => load::load_file(p),
        None => load::builtin(),
    };
    let Ok(Document::Design(loaded)) = doc else {
        return Err(usage(err, "the design could not be reloaded"));
    };
    let merged = match with_parts(&loaded, extra) {
        Ok(l) => l,
        Err(e) => return Err(usage(err, &e)),
    };
    let swapped = match bom::swap_drive(&merged, id) {
        Ok(l) => l,
        Err(e) => return Err(usage(err, &format!("--drive {id}: {e}"))),
    };
    let outcome = validate(&swapped);
    let Some(variant) = outcome
        .pod
        .filter(|_| !outcome.diagnostics.iter().any(Diagnostic::is_error))
    else {
        let problems: Vec<String> = outcome
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(ToString::to_string)
            .collect();
        return Err(usage(
            err,
            &format!(
                "--drive {id}: the design does not work with this drive:\n{}",
                problems.join("\n")
            ),
        ));
    };
    // The swap changes raw capacity on purpose; the published raw figure no longer applies.
    let mut new: Vec<Diagnostic> = outcome
        .diagnostics
        .into_iter()
        .filter(|d| d.code != Code::PublishedRawMismatch && !warnings.contains(d))
        .collect();
    new.extend(crate::power::lint(
        &variant,
        &crate::power::budget(&variant),
    ));
    new.retain(|d| {
        !warnings
            .iter()
            .any(|x| x.code == d.code && x.place == d.place)
    });
    let _ = write_diags(err, &new);
    Ok(Priced {
        design,
        variant: Some(variant),
    })
}

fn bom_error(err: &mut dyn Write, e: &BomError) -> u8 {
    match e {
        BomError::UnknownPart { part, .. } | BomError::NegativePrice(part) => {
            usage(err, &format!("--price {part}: {e}"))
        }
        _ => usage(err, &e.to_string()),
    }
}

/// Writes `bytes` to `--output` atomically, with an error that names the flag.
fn write_output(path: &Path, inputs: &[PathBuf], bytes: &[u8], err: &mut dyn Write) -> u8 {
    match crate::output::write_file(path, inputs, bytes) {
        Ok(()) => EXIT_OK,
        Err(e) => usage(err, &format!("--output {}: {e}", path.display())),
    }
}

fn render(sections: Vec<crate::render::Section>, format: Format) -> String {
    match format {
        Format::Table | Format::Json => crate::render::sections_table(&sections),
        Format::Markdown => crate::render::sections_markdown(&sections),
        Format::Csv => crate::render::sections_csv(&sections),
    }
}

fn style(format: Format) -> Style {
    if format == Format::Csv {
        Style::Data
    } else {
        Style::Read
    }
}

/// Runs `podplan bom`.
pub fn run_bom(a: BomArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    if a.format == BomFormat::Xlsx && a.output.is_none() {
        return usage(
            err,
            "--format xlsx writes a binary spreadsheet: give --output FILE.xlsx",
        );
    }
    let prices = match parse_prices(&a.what_if.prices) {
        Ok(p) => p,
        Err(m) => return usage(err, &m),
    };
    let extra = match extra_parts(&a.what_if.parts) {
        Ok(x) => x,
        Err(m) => return usage(err, &m),
    };
    let priced = match load_priced(a.design.as_ref(), &a.what_if, &extra, err) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let opts = Options {
        prices,
        pods: a.what_if.pods,
    };
    let report = match bom::report(&priced.design, priced.variant.as_ref(), &opts) {
        Ok(r) => r,
        Err(e) => return bom_error(err, &e),
    };
    let mut inputs: Vec<PathBuf> = a.design.iter().cloned().collect();
    inputs.extend(a.what_if.parts.iter().cloned());
    let bytes = match a.format {
        BomFormat::Xlsx => match crate::render::xlsx::bom_workbook(&report, &today()) {
            Ok(b) => b,
            Err(e) => return usage(err, &format!("--format xlsx: {e}")),
        },
        BomFormat::Json => match crate::render::json(&report) {
            Ok(s) => s.into_bytes(),
            Err(e) => return usage(err, &e.to_string()),
        },
        BomFormat::Table => render(
            bom_render::bom_sections(&report, Style::Read),
            Format::Table,
        )
        .into_bytes(),
        BomFormat::Markdown => render(
            bom_render::bom_sections(&report, Style::Read),
            Format::Markdown,
        )
        .into_bytes(),
        BomFormat::Csv => {
            render(bom_render::bom_sections(&report, Style::Data), Format::Csv).into_bytes()
        }
    };
    match &a.output {
        Some(path) if crate::output::sink(path) != crate::output::Sink::Stdout => {
            write_output(path, &inputs, &bytes, err)
        }
        _ => emit(out, None, &inputs, &bytes, err),
    }
}

/// Runs `podplan cost`.
pub fn run_cost(a: CostArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let prices = match parse_prices(&a.what_if.prices) {
        Ok(p) => p,
        Err(m) => return usage(err, &m),
    };
    let extra = match extra_parts(&a.what_if.parts) {
        Ok(x) => x,
        Err(m) => return usage(err, &m),
    };
    let targets: Vec<Option<&PathBuf>> = if a.designs.is_empty() {
        vec![None]
    } else {
        a.designs.iter().map(Some).collect()
    };
    let several = targets.len() > 1;
    let mut priced = Vec::new();
    for t in &targets {
        if several
            && let Some(p) = t
            && let Ok(Document::Catalog(name, _)) = load::load_file(p)
        {
            let _ = writeln!(err, "{name}: a catalog, not a design; skipped");
            continue;
        }
        match load_priced(*t, &a.what_if, &extra, err) {
            Ok(p) => priced.push(p),
            Err(code) => return code,
        }
    }
    if priced.is_empty() {
        return usage(err, "no design among the files given");
    }
    // With several designs each --price applies to the designs that have the part on their
    // BOM, and a part on none of them is an error; with one, the engine reports it.
    if priced.len() > 1 {
        for part in prices.keys() {
            let on_some = priced.iter().any(|p| {
                let pod = p.variant.as_ref().unwrap_or(&p.design);
                bom::lines(pod, &Options::default())
                    .is_ok_and(|ls| ls.iter().any(|l| l.part == *part))
            });
            if !on_some {
                return usage(
                    err,
                    &format!(
                        "--price {part}: no part {part:?} on the bill of materials of any design given"
                    ),
                );
            }
        }
    }
    let mut reports: Vec<Report> = Vec::new();
    for p in &priced {
        let pod = p.variant.as_ref().unwrap_or(&p.design);
        let mine: BTreeMap<_, _> = if priced.len() == 1 {
            prices.clone()
        } else {
            match bom::lines(pod, &Options::default()) {
                Ok(ls) => prices
                    .iter()
                    .filter(|(id, _)| ls.iter().any(|l| l.part == **id))
                    .map(|(k, v)| (k.clone(), *v))
                    .collect(),
                Err(e) => return bom_error(err, &e),
            }
        };
        let opts = Options {
            prices: mine,
            pods: a.what_if.pods,
        };
        match bom::report(&p.design, p.variant.as_ref(), &opts) {
            Ok(r) => reports.push(r),
            Err(e) => return bom_error(err, &e),
        }
    }
    let text = match a.format {
        Format::Json => match crate::render::json(&reports) {
            Ok(s) => s,
            Err(e) => return usage(err, &e.to_string()),
        },
        f => {
            let sections = if reports.len() == 1 {
                bom_render::cost_sections(&reports[0], style(f))
            } else {
                bom_render::comparison_sections(&reports, style(f))
            };
            render(sections, f)
        }
    };
    let mut inputs: Vec<PathBuf> = a.designs.clone();
    inputs.extend(a.what_if.parts.iter().cloned());
    match &a.output {
        Some(path) if crate::output::sink(path) != crate::output::Sink::Stdout => {
            write_output(path, &inputs, text.as_bytes(), err)
        }
        _ => emit(out, None, &inputs, text.as_bytes(), err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(19_723), "2024-01-01");
        assert_eq!(civil_date(11_016), "2000-02-29");
        assert_eq!(civil_date(-1), "1969-12-31");
    }

    #[test]
    fn prices_parse_or_name_the_flag() {
        let ok = parse_prices(&["a=1.50".into(), "b=$1,000".into()]).expect("valid prices");
        assert_eq!(ok["a"].0, 150);
        assert_eq!(ok["b"].0, 100_000);
        for bad in ["a", "=5", "a=x", "a=-1", "a=0.001"] {
            match parse_prices(&[bad.to_string()]) {
                Err(e) => assert!(e.starts_with("--price "), "{e}"),
                Ok(p) => panic!("{bad} parsed as {p:?}"),
            }
        }
        assert!(parse_prices(&["a=1".into(), "a=2".into()]).is_err());
    }
}
