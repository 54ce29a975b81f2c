//! `podplan plan`: a fleet and procurement plan from a plan file, flags, or both.
//!
//! This file owns the flags of `plan`, how they are laid over a plan file (a flag wins, and
//! the factor table says which value came from where), finding the design the plan deploys
//! (`--design`, the plan's `design`, relative to the plan file or a built-in name, or a design
//! given in place of the plan), and the choice of output: a table, Markdown, CSV, JSON, the
//! XLSX purchase schedule, and the charts with `--charts DIR`. A plan error is one located
//! line with a stable code (exit 2); a broken budget is exit 1 after the plan is shown.

use super::input::{Design, load_design, load_design_doc};
use super::{CliError, Format, Outcome, emit, render};
use crate::diag::{Code, Diagnostic};
use crate::load::{self, Document};
use crate::plan::request::{self, Origins};
use crate::plan::spec::{DemandSpec, GroupingSpec, PeriodSpec, PlanSpec, SpinUpSpec, SwitchSpec};
use crate::plan::{PlanError, PlanReport};
use crate::render::{self as r, charts};
use clap::ValueEnum;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Formats of `podplan plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// Tables for a terminal.
    Table,
    /// GitHub-flavoured Markdown tables.
    Markdown,
    /// Comma-separated values, one block per table, plain numbers.
    Csv,
    /// The whole plan as JSON.
    Json,
    /// The purchase schedule as an Excel workbook (needs --output).
    Xlsx,
}

/// Period lengths on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PeriodArg {
    /// One period a year.
    Year,
    /// Four periods a year.
    Quarter,
}

/// Spin-up policies on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SpinUpArg {
    /// Every pod of a rack at once.
    Together,
    /// One pod at a time.
    Sequenced,
}

/// Options of `podplan plan`.
#[derive(Debug, Clone, clap::Args)]
pub struct PlanArgs {
    /// A plan file (`Plan(...)`, e.g. designs/plans/5pb-40pct-pod-6.0.ron), or a design file to plan
    /// with flags alone (default: the built-in Pod 2.0 design).
    pub file: Option<PathBuf>,
    /// The design to deploy, instead of the plan file's.
    #[arg(long, value_name = "FILE")]
    pub design: Option<PathBuf>,
    /// Usable capacity needed now, e.g. `5PB`, `500 TB`.
    #[arg(long, value_name = "CAPACITY")]
    pub target: Option<String>,
    /// Growth of the demand, percent a year, e.g. `40%` (or `-10%`).
    #[arg(long, value_name = "PCT", allow_hyphen_values = true)]
    pub growth: Option<String>,
    /// Years to plan (1-30).
    #[arg(long, value_name = "N")]
    pub years: Option<u32>,
    /// Period length.
    #[arg(long, value_enum)]
    pub period: Option<PeriodArg>,
    /// Usable capacity bought beyond demand, percent, e.g. `20%`.
    #[arg(long, value_name = "PCT")]
    pub headroom: Option<String>,
    /// Group pods into Vaults of DATA+PARITY pods, e.g. `17+3`; `none` for stand-alone pods.
    #[arg(long, value_name = "K+M|none")]
    pub vault: Option<String>,
    /// Yearly fall of the data-drive price, e.g. `15%/yr`.
    #[arg(long, value_name = "PCT")]
    pub drive_price_decline: Option<String>,
    /// Cap on the capital spent over the horizon (exit 1 when the plan breaks it).
    #[arg(long, value_name = "AMOUNT")]
    pub budget: Option<String>,
    /// Rack height, rack units.
    #[arg(long, value_name = "U")]
    pub rack_units: Option<u32>,
    /// Rack depth, inches.
    #[arg(long, value_name = "IN")]
    pub rack_depth: Option<f64>,
    /// Overhang of the chassis behind the rack to accept, inches.
    #[arg(long, value_name = "IN")]
    pub max_overhang: Option<f64>,
    /// Power per rack: `5kW`, `5000W` or a circuit `30A@208V` (derated to 80 %).
    #[arg(long, value_name = "POWER")]
    pub rack_power: Option<String>,
    /// Whether a rack's pods spin up together or one at a time.
    #[arg(long, value_enum)]
    pub spinup: Option<SpinUpArg>,
    /// Rack weight limit, pounds.
    #[arg(long, value_name = "LB")]
    pub rack_weight_limit: Option<f64>,
    /// Weight of one pod, pounds.
    #[arg(long, value_name = "LB")]
    pub pod_weight: Option<f64>,
    /// A pod's measured draw at the wall, watts (instead of the power model's).
    #[arg(long, value_name = "W")]
    pub pod_watts: Option<f64>,
    /// Power usage effectiveness (1.0-3.0).
    #[arg(long)]
    pub pue: Option<f64>,
    /// Energy price per kWh, e.g. `0.10`.
    #[arg(long, value_name = "AMOUNT")]
    pub price_per_kwh: Option<String>,
    /// Space rental per rack-month.
    #[arg(long, value_name = "AMOUNT")]
    pub space_per_rack_month: Option<String>,
    /// Bandwidth per rack-month.
    #[arg(long, value_name = "AMOUNT")]
    pub bandwidth_per_rack_month: Option<String>,
    /// Price of an empty rack.
    #[arg(long, value_name = "AMOUNT")]
    pub rack_price: Option<String>,
    /// Price of the top-of-rack switch.
    #[arg(long, value_name = "AMOUNT")]
    pub switch_price: Option<String>,
    /// Ports of the top-of-rack switch.
    #[arg(long, value_name = "N")]
    pub switch_ports: Option<u32>,
    /// Labour to install a pod.
    #[arg(long, value_name = "AMOUNT")]
    pub labour_per_pod: Option<String>,
    /// Labour to replace a drive.
    #[arg(long, value_name = "AMOUNT")]
    pub labour_per_drive: Option<String>,
    /// Output format (default: the one --output's extension names, else table).
    #[arg(long, value_enum, default_value_t = PlanFormat::Table)]
    pub format: PlanFormat,
    /// Write to this file (atomically) instead of standard output; required for xlsx.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Also write the charts (capacity against demand, cumulative spend, cost per TB-month)
    /// as SVG and PNG into this directory.
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,
    /// Write the plan's report directory instead (plan.md, plan.csv, plan.json, the
    /// schedule.xlsx purchase schedule and the charts), replaced as a whole.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["output", "charts"])]
    pub out: Option<PathBuf>,
}

/// A percentage such as `40`, `40%`, `15 %/yr`.
fn percent(flag: &str, text: &str) -> Result<f64, CliError> {
    let t = text
        .trim()
        .trim_end_matches("/yr")
        .trim_end_matches("/year");
    let t = t.trim().trim_end_matches('%').trim();
    t.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| CliError::Message(format!("{flag} {text}: not a percentage (e.g. 40%)")))
}

/// `--vault 17+3` or `none`.
fn vault(text: &str) -> Result<GroupingSpec, CliError> {
    if text.trim() == "none" {
        return Ok(GroupingSpec::Standalone);
    }
    let bad = || {
        CliError::Message(format!(
            "--vault {text}: give DATA+PARITY, e.g. 17+3, or none"
        ))
    };
    let (k, m) = text.split_once('+').ok_or_else(bad)?;
    Ok(GroupingSpec::Vault {
        data: k.trim().parse().map_err(|_| bad())?,
        parity: m.trim().parse().map_err(|_| bad())?,
    })
}

/// Lays the flags over the plan file's spec, recording which fields they set.
fn overlay(spec: &mut PlanSpec, a: &PlanArgs, o: &mut Origins) -> Result<(), CliError> {
    let mut set = |place: &str, flag: &str| o.flags.push((place.into(), flag.into()));
    if a.target.is_some() || a.growth.is_some() {
        let (start, rate) = match &spec.demand {
            Some(DemandSpec::Growth { start, rate_pct }) => (Some(start.clone()), *rate_pct),
            _ => (None, 0.0),
        };
        let start = a.target.clone().or(start).ok_or_else(|| {
            CliError::Message("--growth needs --target when the plan has no growing demand".into())
        })?;
        let rate = match &a.growth {
            Some(g) => percent("--growth", g)?,
            None => rate,
        };
        spec.demand = Some(DemandSpec::Growth {
            start,
            rate_pct: rate,
        });
        set("demand", "--target/--growth");
    }
    if let Some(v) = a.years {
        spec.horizon_years = Some(v);
        set("horizon_years", "--years");
    }
    if let Some(p) = a.period {
        spec.period = Some(match p {
            PeriodArg::Year => PeriodSpec::Year,
            PeriodArg::Quarter => PeriodSpec::Quarter,
        });
    }
    if let Some(h) = &a.headroom {
        spec.headroom_pct = Some(percent("--headroom", h)?);
        set("headroom_pct", "--headroom");
    }
    if let Some(v) = &a.vault {
        spec.grouping = Some(vault(v)?);
    }
    if let Some(d) = &a.drive_price_decline {
        spec.drive_price_decline_pct = Some(percent("--drive-price-decline", d)?);
        set("drive_price_decline_pct", "--drive-price-decline");
    }
    if let Some(b) = &a.budget {
        spec.budget = Some(b.clone());
    }
    overlay_site(spec, a, &mut set);
    Ok(())
}

fn overlay_site(spec: &mut PlanSpec, a: &PlanArgs, set: &mut dyn FnMut(&str, &str)) {
    let s = &mut spec.site;
    macro_rules! put {
        ($arg:expr, $field:ident, $place:literal, $flag:literal) => {
            if let Some(v) = &$arg {
                s.$field = Some(v.clone());
                set($place, $flag);
            }
        };
    }
    put!(a.rack_units, rack_units, "site.rack_units", "--rack-units");
    put!(
        a.rack_depth,
        rack_depth_in,
        "site.rack_depth_in",
        "--rack-depth"
    );
    put!(
        a.max_overhang,
        max_overhang_in,
        "site.max_overhang_in",
        "--max-overhang"
    );
    put!(a.rack_power, rack_power, "site.rack_power", "--rack-power");
    put!(
        a.rack_weight_limit,
        rack_weight_limit_lb,
        "site.rack_weight_limit_lb",
        "--rack-weight-limit"
    );
    put!(
        a.pod_weight,
        pod_weight_lb,
        "site.pod_weight_lb",
        "--pod-weight"
    );
    put!(a.pod_watts, pod_watts, "site.pod_watts", "--pod-watts");
    put!(a.pue, pue, "site.pue", "--pue");
    put!(
        a.price_per_kwh,
        price_per_kwh,
        "site.price_per_kwh",
        "--price-per-kwh"
    );
    put!(
        a.space_per_rack_month,
        space_per_rack_month,
        "site.space_per_rack_month",
        "--space-per-rack-month"
    );
    put!(
        a.bandwidth_per_rack_month,
        bandwidth_per_rack_month,
        "site.bandwidth_per_rack_month",
        "--bandwidth-per-rack-month"
    );
    put!(a.rack_price, rack_price, "site.rack_price", "--rack-price");
    put!(
        a.labour_per_pod,
        labour_per_pod,
        "site.labour_per_pod",
        "--labour-per-pod"
    );
    put!(
        a.labour_per_drive,
        labour_per_drive,
        "site.labour_per_drive",
        "--labour-per-drive"
    );
    if let Some(sp) = a.spinup {
        s.spinup = Some(match sp {
            SpinUpArg::Together => SpinUpSpec::Together,
            SpinUpArg::Sequenced => SpinUpSpec::Sequenced,
        });
    }
    if a.switch_price.is_some() || a.switch_ports.is_some() {
        let mut sw = s.switch.clone().unwrap_or(SwitchSpec {
            ports: crate::plan::factors::SWITCH_PORTS,
            uplinks: crate::plan::factors::SWITCH_UPLINKS,
            rack_units: crate::plan::factors::SWITCH_UNITS,
            price: crate::plan::factors::SWITCH_PRICE.into(),
        });
        if let Some(p) = &a.switch_price {
            sw.price = p.clone();
        }
        if let Some(n) = a.switch_ports {
            sw.ports = n;
        }
        s.switch = Some(sw);
        set("site.switch", "--switch-price/--switch-ports");
    }
}

/// The plan file's fields that are present, as places (`site.pue`), for the factor table.
fn file_fields(spec: &PlanSpec) -> Origins {
    let mut o = Origins::default();
    let v = serde_json::to_value(spec).unwrap_or_default();
    let mut add = |prefix: &str, obj: Option<&serde_json::Map<String, serde_json::Value>>| {
        for (k, val) in obj.into_iter().flatten() {
            if !val.is_null() {
                o.file.insert(format!("{prefix}{k}"));
            }
        }
    };
    add("", v.as_object());
    add("site.", v.get("site").and_then(|s| s.as_object()));
    o
}

/// What `podplan check` says about a plan file: its values checked, each problem located.
pub(crate) fn check_plan(path: &str, spec: &PlanSpec) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Err(e) = request::check(spec, &Origins::default()) {
        out.push(Diagnostic::error(
            Code::InvalidValue,
            path,
            e.place().unwrap_or(""),
            format!("[{}] {e}", e.code()),
        ));
    }
    if let Some(d) = &spec.design
        && resolve_design(Path::new(path), d).is_none()
    {
        out.push(Diagnostic::error(
            Code::Io,
            path,
            "design",
            format!("no design file {d:?} next to the plan, and no built-in design of that name"),
        ));
    }
    out
}

/// Where a plan's `design` is: a file relative to the plan's directory, else a built-in name.
enum DesignAt {
    File(PathBuf),
    Builtin(String),
}

fn resolve_design(plan: &Path, name: &str) -> Option<DesignAt> {
    let p = plan.parent().unwrap_or(Path::new(".")).join(name);
    if p.is_file() {
        return Some(DesignAt::File(tidy(p)));
    }
    let base = Path::new(name).file_name()?.to_string_lossy().into_owned();
    load::EMBEDDED
        .iter()
        .any(|(n, _)| *n == base)
        .then_some(DesignAt::Builtin(base))
}

/// `p` with each `dir/..` dropped, so messages name `designs/pod.ron`, not
/// `designs/plans/../pod.ron`; `p` itself when the shorter path is not the same file (a
/// symbolic link on the way makes the two differ).
fn tidy(p: PathBuf) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            c => out.push(c),
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let same = |a: &Path, b: &Path| match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
            _ => false,
        };
        if same(&out, &p) {
            return out;
        }
    }
    p
}

/// The plan spec, its file (if any) and the design it deploys: `file` is a plan or design
/// file, `design` the `--design` given.
fn inputs(
    file: Option<&PathBuf>,
    design: Option<&PathBuf>,
    err: &mut dyn Write,
) -> Result<(PlanSpec, Option<PathBuf>, Design), CliError> {
    let doc = match file {
        Some(p) => Some((
            p.clone(),
            load::load_file(p).map_err(CliError::diagnostics)?,
        )),
        None => None,
    };
    let (spec, plan_path, design_at) = match doc {
        Some((p, Document::Plan(_, spec))) => {
            let at = match (design, &spec.design) {
                (Some(d), _) => Some(DesignAt::File(d.clone())),
                (None, Some(d)) => Some(resolve_design(&p, d).ok_or_else(|| {
                    CliError::Line(format!(
                        "{}: error[plan-design] at design: no design file {d:?} next to the plan, and no built-in design of that name",
                        p.display()
                    ))
                })?),
                (None, None) => None,
            };
            (*spec, Some(p), at)
        }
        Some((p, Document::Catalog(..))) => {
            return Err(CliError::Line(format!(
                "{}: this is a catalog; give a plan file or a design file",
                p.display()
            )));
        }
        Some((p, Document::Design(_))) => {
            if design.is_some() {
                return Err("give the design once: as FILE or as --design".into());
            }
            (PlanSpec::default(), None, Some(DesignAt::File(p)))
        }
        None => (
            PlanSpec::default(),
            None,
            design.cloned().map(DesignAt::File),
        ),
    };
    let design = match design_at {
        Some(DesignAt::File(p)) => load_design(Some(&p), err)?,
        Some(DesignAt::Builtin(n)) => load_design_doc(load::load_embedded(&n), None, err)?,
        None => load_design(None, err)?,
    };
    Ok((spec, plan_path, design))
}

/// Runs `podplan plan`.
pub fn run(a: PlanArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome, CliError> {
    if a.format == PlanFormat::Xlsx && a.output.is_none() {
        return Err("--format xlsx writes a binary spreadsheet: give --output FILE.xlsx".into());
    }
    let (mut spec, plan_path, design) = inputs(a.file.as_ref(), a.design.as_ref(), err)?;
    let mut origins = file_fields(&spec);
    overlay(&mut spec, &a, &mut origins)?;
    let shown = plan_path
        .as_ref()
        .map_or_else(|| "podplan plan".to_string(), |p| p.display().to_string());
    let located = |e: PlanError| CliError::Line(e.located(&shown));
    let req = request::check(&spec, &origins).map_err(located)?;
    let report = crate::study::plan(&design.pod, &design.name(), &req).map_err(located)?;
    let mut files = design.files();
    files.extend(plan_path.iter().cloned());
    if let Some(dir) = &a.out {
        write_plan_dir(&report, dir, &files, err)?;
        super::write_stdout(out, format!("wrote {}\n", dir.display()).as_bytes())?;
        return Ok(limit_outcome(&report, &shown, err));
    }
    if let Some(dir) = &a.charts {
        write_charts(&report, dir, &files)?;
    }
    let bytes = match a.format {
        PlanFormat::Xlsx => r::xlsx::plan_workbook(&report, &super::bom::today())
            .map_err(|e| format!("--format xlsx: {e}"))?,
        PlanFormat::Table => text(Format::Table, &report)?,
        PlanFormat::Markdown => text(Format::Markdown, &report)?,
        PlanFormat::Csv => text(Format::Csv, &report)?,
        PlanFormat::Json => text(Format::Json, &report)?,
    };
    emit(out, a.output.as_ref(), &files, &bytes)?;
    Ok(limit_outcome(&report, &shown, err))
}

/// A plan file planned as `podplan plan FILE` plans it: for `report` and `compare`.
pub(crate) struct Planned {
    /// The plan.
    pub report: PlanReport,
    /// The plan file's stem: `plan-<name>` is its report directory.
    pub name: String,
    /// The plan file as given, for messages.
    pub shown: String,
    /// Every file read: the plan, its design and the design's catalogs.
    pub files: Vec<PathBuf>,
}

/// Plans one plan file with its own values and design, as `podplan plan FILE` would.
pub(crate) fn plan_file(path: &Path, err: &mut dyn Write) -> Result<Planned, CliError> {
    let (spec, plan_path, design) = inputs(Some(&path.to_path_buf()), None, err)?;
    let origins = file_fields(&spec);
    let shown = path.display().to_string();
    let located = |e: PlanError| CliError::Line(e.located(&shown));
    let req = request::check(&spec, &origins).map_err(located)?;
    let report = crate::study::plan(&design.pod, &design.name(), &req).map_err(located)?;
    let mut files = design.files();
    files.extend(plan_path);
    let name = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    Ok(Planned {
        report,
        name,
        shown,
        files,
    })
}

/// Writes a plan's report directory (`plan --out`, and `report --out` as `plan-<name>`),
/// replaced as a whole under the rules of `output::dir`; its notes go to `err`.
pub(crate) fn write_plan_dir(
    report: &PlanReport,
    dir: &Path,
    inputs: &[PathBuf],
    err: &mut dyn Write,
) -> Result<(), CliError> {
    let written = r::plan::plan_files(report, &super::bom::today())
        .map_err(|e| format!("--out {}: {e}", dir.display()))?;
    let notes = crate::output::dir::write_report_dir(dir, &written, inputs)
        .map_err(|e| format!("--out {}: {e}", dir.display()))?;
    for n in notes {
        let _ = writeln!(err, "note: {n}");
    }
    Ok(())
}

/// The plan's tables as text: Markdown, or laid out to `width` on a terminal.
pub(crate) fn plan_text(report: &PlanReport, width: Option<usize>) -> Result<String, CliError> {
    let f = if width.is_some() {
        Format::Table
    } else {
        Format::Markdown
    };
    Ok(String::from_utf8_lossy(&text(f, report)?).into_owned())
}

/// Exit 1 when the plan breaks a limit the user set (each named on standard error), else 0.
pub(crate) fn limit_outcome(report: &PlanReport, shown: &str, err: &mut dyn Write) -> Outcome {
    if report.broken.is_empty() {
        return Outcome::Done;
    }
    for b in &report.broken {
        let _ = writeln!(err, "{shown}: limit broken ({}): {}", b.limit, b.message);
    }
    Outcome::LimitBroken
}

fn text(f: Format, report: &PlanReport) -> Result<Vec<u8>, CliError> {
    Ok(render(f, report, |st| r::plan::plan_sections(report, st))?.into_bytes())
}

/// Writes the three charts as SVG and PNG into `dir` (created if missing).
fn write_charts(report: &PlanReport, dir: &Path, inputs: &[PathBuf]) -> Result<(), CliError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("--charts {}: cannot create: {e}", dir.display()))?;
    let cap = r::plan::capacity_chart(report);
    let spend = r::plan::spend_chart(report);
    let cost = r::plan::cost_chart(report);
    let files: Vec<(&str, Result<Vec<u8>, charts::ChartError>)> = vec![
        (
            "plan-capacity.svg",
            charts::lines_svg(&cap).map(String::into_bytes),
        ),
        ("plan-capacity.png", charts::lines_png(&cap)),
        (
            "plan-spend.svg",
            charts::stacked_svg(&spend).map(String::into_bytes),
        ),
        ("plan-spend.png", charts::stacked_png(&spend)),
        (
            "plan-cost-per-tb-month.svg",
            charts::bars_svg(&cost).map(String::into_bytes),
        ),
        ("plan-cost-per-tb-month.png", charts::bars_png(&cost)),
    ];
    for (name, bytes) in files {
        let bytes = bytes.map_err(|e| format!("--charts: {name}: {e}"))?;
        let path = dir.join(name);
        crate::output::write_file(&path, inputs, &bytes)
            .map_err(|e| format!("--charts {}: {e}", path.display()))?;
    }
    Ok(())
}
