//! `podplan report` and `podplan compare`: which designs and plans, where the files go, and
//! progress.
//!
//! This file owns turning design and plan paths into [`crate::study`] results and writing
//! them: one directory per design and one `plan-<name>/` per fleet plan (each replaced as a
//! whole), a `comparison/` directory when several designs are reported, or text on standard
//! output. `compare` puts designs side by side, or plans side by side; given both it refuses,
//! since no figure means the same for a pod and a fleet. The content is `crate::render`'s.

use super::input::{Design, load_designs_and_plans};
use super::plan::{Planned, limit_outcome, plan_file, plan_text, write_plan_dir};
use super::{CliError, Format, Outcome, emit, fail, render, write_stdout};
use crate::model::Pod;
use crate::output;
use crate::render::report;
use crate::study::DesignReport;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Options of `podplan report`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// Design files and fleet-plan files (default: the built-in Pod 2.0 design). Catalog
    /// files are skipped, so `designs/*.ron designs/plans/*.ron` works.
    pub designs: Vec<PathBuf>,
    /// Write one directory per design here, `plan-<name>/` per plan (what `plan --out`
    /// writes) and `comparison/` for several designs, each replaced as a whole. Without it,
    /// summary.md and each plan's tables are printed (on a terminal, as tables).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print report.html (one self-contained page: key figures, charts, every table) instead
    /// of summary.md; for one design. With --out, every directory holds report.html anyway.
    #[arg(long)]
    pub html: bool,
    /// Print summary.md's Markdown even on a terminal (piped output is Markdown anyway; on a
    /// terminal, tables are laid out to its width).
    #[arg(long, conflicts_with = "html")]
    pub markdown: bool,
}

/// Options of `podplan compare`.
#[derive(Debug, Clone, clap::Args)]
pub struct CompareArgs {
    /// Design files, or fleet-plan files, in the order to compare (catalog files are
    /// skipped); designs and plans are not compared with each other.
    #[arg(required = true)]
    pub designs: Vec<PathBuf>,
    /// Output format of the table (default: the one --output's extension names, .csv .json .md
    /// .txt, else table; it must agree with the extension).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the table to this file (atomically) instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Also write the comparison's files and charts (SVG and PNG) into this directory,
    /// replaced as a whole.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

fn build_all(designs: &[Design], err: &mut dyn Write) -> Result<Vec<DesignReport>, CliError> {
    let progress = designs.len() > 1 && std::io::stderr().is_terminal();
    let mut out = Vec::new();
    for (i, d) in designs.iter().enumerate() {
        if progress {
            let _ = writeln!(err, "[{}/{}] {}", i + 1, designs.len(), d.name());
        }
        let r =
            crate::study::design(&d.pod, &d.name()).map_err(|e| format!("{}: {e}", d.pod.file))?;
        out.push(r);
    }
    Ok(out)
}

/// The files of every design, for the rule that a report never replaces an input.
fn inputs_of(designs: &[Design]) -> Vec<PathBuf> {
    designs.iter().flat_map(Design::files).collect()
}

/// Writes one report directory; notes on what it repaired go to `err`.
fn write_dir(
    dir: &Path,
    files: Result<Vec<(String, Vec<u8>)>, report::ReportError>,
    inputs: &[PathBuf],
    err: &mut dyn Write,
) -> Result<(), CliError> {
    let files = files.map_err(|e| format!("{}: {e}", dir.display()))?;
    let notes = output::dir::write_report_dir(dir, &files, inputs).map_err(|e| e.to_string())?;
    for n in notes {
        let _ = writeln!(err, "note: {n}");
    }
    Ok(())
}

/// The name of the directory `report --out` writes for a design (its file's stem, or the
/// built-in design's name) or a plan (`plan-` and its file's stem), from `file`. A name must
/// be plain (not hidden, not ending in `.ron`).
fn report_name(name: &str, file: &str) -> Result<String, String> {
    if name.is_empty() || name == "plan-" || name.starts_with('.') || name.contains(['/', '\\']) {
        return Err(format!(
            "{file}: cannot name a report directory {name:?} after this file; copy it to a plain name such as my-pod.ron"
        ));
    }
    if Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ron"))
    {
        return Err(format!(
            "{file}: its report directory would be named {name}, like a design file; rename the file so it ends in .ron alone"
        ));
    }
    Ok(name.to_string())
}

/// Checks every report directory of this run before anything is written, so one refusal
/// leaves every directory as it was: names unique in the run (and not `comparison` beside a
/// comparison), and each target replaceable (see [`output::dir::check_replaceable`]).
fn plan_targets(
    dir: &Path,
    designs: &[Design],
    plans: &[Planned],
    inputs: &[PathBuf],
) -> Result<(Vec<PathBuf>, Vec<String>), String> {
    let mut seen: std::collections::BTreeMap<String, &str> = std::collections::BTreeMap::new();
    let mut targets = Vec::new();
    let named = designs
        .iter()
        .map(|d| (d.name(), d.pod.file.as_str()))
        .chain(
            plans
                .iter()
                .map(|p| (format!("plan-{}", p.name), p.shown.as_str())),
        );
    for (name, file) in named {
        let name = report_name(&name, file)?;
        if designs.len() > 1 && name == "comparison" {
            return Err(format!(
                "{file}: its report would be named comparison/, which holds the comparison of the designs; rename the design file"
            ));
        }
        if let Some(first) = seen.insert(name.clone(), file) {
            return Err(format!(
                "{first} and {file} would both be reported as {}; give the files different names",
                dir.join(&name).display()
            ));
        }
        targets.push(dir.join(name));
    }
    if designs.len() > 1 {
        targets.push(dir.join("comparison"));
    }
    // Repair what interrupted runs left first, so the checks see the directory as it will be.
    let notes = output::dir::recover(dir);
    for t in &targets {
        output::dir::check_replaceable(t, inputs).map_err(|e| e.to_string())?;
    }
    Ok((targets, notes))
}

/// Checks `--out` before anything is read or written: a directory, not a design file.
fn check_out_dir(dir: &Path) -> Result<(), CliError> {
    if dir
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ron"))
    {
        return fail(format!(
            "--out {}: a directory, not a design file",
            dir.display()
        ));
    }
    if let Ok(m) = std::fs::metadata(dir)
        && !m.is_dir()
    {
        return fail(format!(
            "--out {}: exists and is not a directory",
            dir.display()
        ));
    }
    Ok(())
}

/// Plans every plan file given, before anything is written.
fn plan_all(paths: &[PathBuf], err: &mut dyn Write) -> Result<Vec<Planned>, CliError> {
    paths.iter().map(|p| plan_file(p, err)).collect()
}

/// Exit 1 when any plan breaks a limit its file set (each named on standard error).
fn plans_outcome(plans: &[Planned], err: &mut dyn Write) -> Outcome {
    let mut outcome = Outcome::Done;
    for p in plans {
        if limit_outcome(&p.report, &p.shown, err) == Outcome::LimitBroken {
            outcome = Outcome::LimitBroken;
        }
    }
    outcome
}

/// Checks the combination of `report`'s flags and inputs before anything is computed.
fn check_report_args(a: &ReportArgs, designs: usize, plans: usize) -> Result<(), CliError> {
    if let Some(dir) = &a.out {
        return check_out_dir(dir);
    }
    if a.html && plans > 0 {
        return fail(
            "--html prints the page of one design; a plan has no page (give --out DIR to write its directory, plan.md first)",
        );
    }
    if a.html && designs > 1 {
        return fail(format!(
            "--html prints the page of one design, and {designs} were given; with --out DIR every design's directory (and comparison/) holds report.html"
        ));
    }
    Ok(())
}

/// Runs `podplan report`.
pub(crate) fn run_report(
    a: ReportArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Outcome, CliError> {
    let (designs, plan_paths) = load_designs_and_plans(&a.designs, err)?;
    check_report_args(&a, designs.len(), plan_paths.len())?;
    let plans = plan_all(&plan_paths, err)?;
    let mut inputs = inputs_of(&designs);
    inputs.extend(plans.iter().flat_map(|p| p.files.iter().cloned()));
    let targets = match &a.out {
        Some(dir) => {
            let (t, notes) = plan_targets(dir, &designs, &plans, &inputs)?;
            for n in notes {
                let _ = writeln!(err, "note: {n}");
            }
            t
        }
        None => Vec::new(),
    };
    let reports = build_all(&designs, err)?;
    let Some(dir) = a.out else {
        if a.html {
            let page = reports
                .first()
                .map(crate::render::html::design_html)
                .transpose()
                .map_err(|e| e.to_string())?
                .unwrap_or_default();
            return emit(out, None, &[], page.as_bytes());
        }
        // On a terminal, tables laid out to its width; piped, the Markdown of summary.md.
        let width = super::screen::table_width().filter(|_| !a.markdown);
        let mut parts = Vec::new();
        for r in &reports {
            parts.push(match width {
                Some(w) => report::summary_text(r, w),
                None => report::summary_markdown(r, &[]),
            });
        }
        for p in &plans {
            parts.push(plan_text(&p.report, width)?);
        }
        emit(out, None, &[], parts.join("\n---\n\n").as_bytes())?;
        return Ok(plans_outcome(&plans, err));
    };
    let date = super::bom::today();
    for (r, target) in reports.iter().zip(&targets) {
        write_dir(target, report::design_files(r, &date), &inputs, err)?;
    }
    for (p, target) in plans.iter().zip(&targets[reports.len()..]) {
        write_plan_dir(&p.report, target, &inputs, err)?;
    }
    if reports.len() > 1 {
        let pods: Vec<&Pod> = designs.iter().map(|d| &d.pod).collect();
        let c = crate::study::compare(&reports, &pods);
        write_dir(
            &dir.join("comparison"),
            report::compare_files(&c),
            &inputs,
            err,
        )?;
    }
    let names: Vec<String> = targets
        .iter()
        .filter_map(|t| t.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    let line = format!("wrote {} in {}\n", names.join(", "), dir.display());
    write_stdout(out, line.as_bytes())?;
    Ok(plans_outcome(&plans, err))
}

/// Runs `podplan compare`: designs side by side, or plans side by side (never both).
pub(crate) fn run_compare(
    a: CompareArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Outcome, CliError> {
    let (designs, plan_paths) = load_designs_and_plans(&a.designs, err)?;
    if !designs.is_empty() && !plan_paths.is_empty() {
        return fail(format!(
            "compare puts like with like: {} design{} and {} fleet plan{} were given; compare the designs and the plans in two runs",
            designs.len(),
            if designs.len() == 1 { "" } else { "s" },
            plan_paths.len(),
            if plan_paths.len() == 1 { "" } else { "s" },
        ));
    }
    if !plan_paths.is_empty() {
        return compare_plans(&a, &plan_paths, out, err);
    }
    let reports = build_all(&designs, err)?;
    let pods: Vec<&Pod> = designs.iter().map(|d| &d.pod).collect();
    let c = crate::study::compare(&reports, &pods);
    let inputs = inputs_of(&designs);
    if let Some(dir) = &a.out {
        output::dir::check_replaceable(dir, &inputs).map_err(|e| e.to_string())?;
        write_dir(dir, report::compare_files(&c), &inputs, err)?;
    }
    let text = render(a.format, &c, |st| report::compare_sections(&c, st))?;
    emit(out, a.output.as_ref(), &inputs, text.as_bytes())
}

/// `compare` of fleet plans: TCO, capex, opex, cost per TB-month, pods and racks at the end
/// and what binds racks, one column per plan (model §16).
fn compare_plans(
    a: &CompareArgs,
    paths: &[PathBuf],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Outcome, CliError> {
    let plans = plan_all(paths, err)?;
    let named: Vec<(String, &crate::plan::PlanReport)> =
        plans.iter().map(|p| (p.name.clone(), &p.report)).collect();
    let c = crate::study::compare_plans(&named);
    let inputs: Vec<PathBuf> = plans.iter().flat_map(|p| p.files.iter().cloned()).collect();
    if let Some(dir) = &a.out {
        output::dir::check_replaceable(dir, &inputs).map_err(|e| e.to_string())?;
        write_dir(
            dir,
            crate::render::plan::compare_files(&c).map_err(report::ReportError::Json),
            &inputs,
            err,
        )?;
    }
    let text = render(a.format, &c, |st| {
        crate::render::plan::compare_sections(&c, st)
    })?;
    emit(out, a.output.as_ref(), &inputs, text.as_bytes())?;
    Ok(plans_outcome(&plans, err))
}
