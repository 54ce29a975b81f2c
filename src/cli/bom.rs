//! `podplan bom` and `podplan cost`: their options and how they become a BOM request.
//!
//! This file owns the translation of `--price PART=AMOUNT`, `--drive PART`, `--pods N` and
//! `--parts FILE` into [`bom::Options`] and a drive-swapped variant of the design, with an error
//! that names the flag for every bad value, and the choice of renderer (`--format`, including
//! the XLSX workbook, which needs `--output`). The engine is `crate::bom`; the tables are
//! `crate::render::bom`; the workbook is `crate::render::xlsx`.

use super::input::{Design, load_design, load_or_skip, show_warnings};
use super::{CliError, Format, Outcome, emit, render};
use crate::bom::{self, BomError, Options, Report};
use crate::diag::{Code, Diagnostic};
use crate::load::{self, Document, Loaded};
use crate::model::Pod;
use crate::render;
use crate::units::parse_cents;
use crate::validate::validate;
use clap::ValueEnum;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

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
pub(crate) fn today() -> String {
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
pub(crate) fn extra_parts(
    files: &[PathBuf],
) -> Result<Vec<(String, crate::spec::Catalog)>, String> {
    let mut out = Vec::new();
    for f in files {
        match load::load_file(f) {
            Ok(Document::Catalog(p, c)) => out.push((p, c)),
            Ok(Document::Plan(p, _)) => {
                return Err(format!(
                    "--parts {p}: a fleet plan has no parts; give a catalog or design file"
                ));
            }
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
pub(crate) fn with_parts(
    loaded: &Loaded,
    extra: &[(String, crate::spec::Catalog)],
) -> Result<Loaded, String> {
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

/// A checked `bom`/`cost` what-if request: prices, extra parts, the drive swap and the order.
pub struct WhatIf {
    /// `--price` overrides.
    pub prices: BTreeMap<String, crate::units::Cents>,
    /// The parts of every `--parts` file.
    pub extra: Vec<(String, crate::spec::Catalog)>,
    /// `--drive`.
    pub drive: Option<String>,
    /// `--pods`.
    pub pods: u32,
    /// The `--parts` files, which no output may replace.
    pub files: Vec<PathBuf>,
}

impl WhatIf {
    /// Checks the what-if flags and reads the `--parts` files.
    pub(crate) fn from_args(w: &WhatIfArgs) -> Result<Self, CliError> {
        Ok(WhatIf {
            prices: parse_prices(&w.prices)?,
            extra: extra_parts(&w.parts)?,
            drive: w.drive.clone(),
            pods: w.pods,
            files: w.parts.clone(),
        })
    }
}

/// One design ready to price: the design as written, and the drive-swapped variant if asked.
struct Priced {
    design: Pod,
    variant: Option<Pod>,
}

/// Builds the variant of `--drive` from a loaded design; its new warnings go to `err`.
fn priced(d: Design, w: &WhatIf, err: &mut dyn Write) -> Result<Priced, CliError> {
    let Some(id) = &w.drive else {
        return Ok(Priced {
            design: d.pod,
            variant: None,
        });
    };
    let merged = with_parts(&d.loaded, &w.extra)?;
    let swapped = bom::swap_drive(&merged, id).map_err(|e| format!("--drive {id}: {e}"))?;
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
        return Err(format!(
            "--drive {id}: the design does not work with this drive:\n{}",
            problems.join("\n")
        )
        .into());
    };
    // The swap changes raw capacity on purpose; the published raw figure no longer applies.
    let warnings = &d.warnings;
    let mut new: Vec<Diagnostic> = outcome
        .diagnostics
        .into_iter()
        .filter(|x| x.code != Code::PublishedRawMismatch && !warnings.contains(x))
        .collect();
    new.extend(crate::power::lint(
        &variant,
        &crate::power::budget(&variant),
    ));
    new.retain(|x| {
        !warnings
            .iter()
            .any(|y| y.code == x.code && y.place == x.place)
    });
    show_warnings(err, &new);
    Ok(Priced {
        design: d.pod,
        variant: Some(variant),
    })
}

fn bom_error(e: &BomError) -> CliError {
    match e {
        BomError::UnknownPart { part, .. } | BomError::NegativePrice(part) => {
            format!("--price {part}: {e}").into()
        }
        _ => e.to_string().into(),
    }
}

impl BomFormat {
    /// The text format, `None` for the workbook.
    fn text(self) -> Option<Format> {
        match self {
            BomFormat::Table => Some(Format::Table),
            BomFormat::Markdown => Some(Format::Markdown),
            BomFormat::Csv => Some(Format::Csv),
            BomFormat::Json => Some(Format::Json),
            BomFormat::Xlsx => None,
        }
    }
}

/// Runs `podplan bom`.
pub(crate) fn run_bom(
    a: BomArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Outcome, CliError> {
    if a.format == BomFormat::Xlsx && a.output.is_none() {
        return Err("--format xlsx writes a binary spreadsheet: give --output FILE.xlsx".into());
    }
    let w = WhatIf::from_args(&a.what_if)?;
    let d = load_design(a.design.as_ref(), err)?;
    let mut inputs = d.files();
    inputs.extend(w.files.iter().cloned());
    let priced = priced(d, &w, err)?;
    let opts = Options {
        prices: w.prices,
        pods: w.pods,
    };
    let report =
        bom::report(&priced.design, priced.variant.as_ref(), &opts).map_err(|e| bom_error(&e))?;
    let bytes = match a.format.text() {
        None => render::xlsx::bom_workbook(&report, &today())
            .map_err(|e| format!("--format xlsx: {e}"))?,
        Some(f) => render(f, &report, |st| render::bom::bom_sections(&report, st))?.into_bytes(),
    };
    emit(out, a.output.as_ref(), &inputs, &bytes)
}

/// Runs `podplan cost`.
pub(crate) fn run_cost(
    a: CostArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Outcome, CliError> {
    let w = WhatIf::from_args(&a.what_if)?;
    let targets: Vec<Option<&PathBuf>> = if a.designs.is_empty() {
        vec![None]
    } else {
        a.designs.iter().map(Some).collect()
    };
    let several = targets.len() > 1;
    let mut inputs = a.designs.clone();
    let mut priced_all = Vec::new();
    for t in &targets {
        if let Some(d) = load_or_skip(*t, several, err)? {
            inputs.extend(d.files());
            priced_all.push(priced(d, &w, err)?);
        }
    }
    if priced_all.is_empty() {
        return Err("no design among the files given".into());
    }
    inputs.extend(w.files.iter().cloned());
    let reports = cost_reports(&priced_all, &w)?;
    let text = render(a.format, &reports, |st| {
        if reports.len() == 1 {
            render::bom::cost_sections(&reports[0], st)
        } else {
            render::bom::comparison_sections(&reports, st)
        }
    })?;
    emit(out, a.output.as_ref(), &inputs, text.as_bytes())
}

/// Prices every design. With several designs each --price applies to the designs that have the
/// part on their BOM, and a part on none of them is an error; with one, the engine reports it.
fn cost_reports(priced: &[Priced], w: &WhatIf) -> Result<Vec<Report>, CliError> {
    let on_bom =
        |p: &Priced| bom::lines(p.variant.as_ref().unwrap_or(&p.design), &Options::default());
    if priced.len() > 1 {
        for part in w.prices.keys() {
            let on_some = priced
                .iter()
                .any(|p| on_bom(p).is_ok_and(|ls| ls.iter().any(|l| l.part == *part)));
            if !on_some {
                return Err(format!(
                    "--price {part}: no part {part:?} on the bill of materials of any design given"
                )
                .into());
            }
        }
    }
    let mut reports: Vec<Report> = Vec::new();
    for p in priced {
        let mine: BTreeMap<_, _> = if priced.len() == 1 {
            w.prices.clone()
        } else {
            let ls = on_bom(p).map_err(|e| bom_error(&e))?;
            w.prices
                .iter()
                .filter(|(id, _)| ls.iter().any(|l| l.part == **id))
                .map(|(k, v)| (k.clone(), *v))
                .collect()
        };
        let opts = Options {
            prices: mine,
            pods: w.pods,
        };
        reports.push(bom::report(&p.design, p.variant.as_ref(), &opts).map_err(|e| bom_error(&e))?);
    }
    Ok(reports)
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
