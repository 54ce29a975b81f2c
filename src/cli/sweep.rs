//! `podplan sweep`: the arguments of a design-space sweep turned into a checked
//! [`SweepRequest`], one call into `crate::study::sweep`, and its sections, chart and front
//! designs written where asked. Exit 1 when no variant meets the constraints.

use super::bom::{extra_parts, with_parts};
use super::input::load_design;
use super::sweep_file::{self, Resolved, Vary};
use super::{CliError, Format, Outcome, emit, fail, render};
use crate::durability::Model;
use crate::spec::{Filesystem, Level};
use crate::study::sweep::{self, Axis, Constraints, Objective, Sweep, SweepRequest};
use crate::units::parse_cents;
use clap::ValueEnum;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The most worker threads `--threads` takes.
const MAX_THREADS: usize = 1024;

/// Models for `sweep --model` (and a sweep file's `model`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
pub enum SweepModel {
    /// Fixed-length repairs in parallel (sliding window).
    Sliding,
    /// The exact Markov chain, repairs one at a time.
    MarkovSerial,
    /// The exact Markov chain, repairs in parallel.
    MarkovParallel,
    /// Backblaze's period model.
    Backblaze,
}

impl SweepModel {
    fn model(self) -> Model {
        match self {
            SweepModel::Sliding => Model::Sliding,
            SweepModel::MarkovSerial => Model::MarkovSerial,
            SweepModel::MarkovParallel => Model::MarkovParallel,
            SweepModel::Backblaze => Model::Backblaze,
        }
    }
}

/// Objectives for `sweep --objectives`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ObjectiveArg {
    /// Cost per usable TB (lower is better).
    CostPerUsableTb,
    /// Annual probability of data loss (lower).
    AnnualLoss,
    /// Slowest rebuild of one drive (lower).
    RebuildHours,
    /// Client ingest MB/s (higher).
    Ingest,
    /// Total cost of one pod (lower).
    TotalCost,
    /// Usable TB (higher).
    UsableTb,
    /// DC watts under load (lower).
    LoadW,
}

impl ObjectiveArg {
    fn objective(self) -> Objective {
        match self {
            ObjectiveArg::CostPerUsableTb => Objective::CostPerUsableTb,
            ObjectiveArg::AnnualLoss => Objective::AnnualLoss,
            ObjectiveArg::RebuildHours => Objective::RebuildHours,
            ObjectiveArg::Ingest => Objective::Ingest,
            ObjectiveArg::TotalCost => Objective::TotalCost,
            ObjectiveArg::UsableTb => Objective::UsableTb,
            ObjectiveArg::LoadW => Objective::LoadW,
        }
    }
}

/// Options of `podplan sweep`.
#[derive(Debug, Clone, clap::Args)]
pub struct SweepArgs {
    /// Base design file (default: the built-in Pod 2.0 design), or a sweep file
    /// (`Sweep(base: …, vary: […], …)`, see designs/sweeps/), whose variations the flags extend
    /// and whose constraints, objectives and model the flags override.
    pub design: Option<PathBuf>,
    /// A variation, KEY=V1,V2,…: drive=PART,… (a data drive in every bay), bays=N,… (the
    /// first N bays filled; backplanes and host cards that would serve only empty bays are not
    /// bought), card=PART,… (the model of every host card), cards=N,… (the backplanes shared
    /// among N host cards), nic=PART|onboard,… (a NIC card in a free slot, or replacing the
    /// design's; onboard: none), raid=SHAPE,… (raid6:15, raid5:5, raid10:4:2, mirror:2,
    /// stripe:4, ec:17+3, raidz2:15), spares=N,…, filesystem=ext4,xfs,jfs,zfs,none.
    /// Repeatable; the sweep runs every combination.
    #[arg(long, value_name = "KEY=V1,V2")]
    pub vary: Vec<String>,
    /// Prices of a part to try, PART=A,B,C (e.g. --price zippy-psm-5760v=250,300): the unit
    /// price whatever the quantity (the part's quantity breaks do not apply). Repeatable.
    #[arg(long, value_name = "PART=A,B")]
    pub price: Vec<String>,
    /// Also make the parts of this catalog or design file available to the variations.
    #[arg(long, value_name = "FILE")]
    pub parts: Vec<PathBuf>,
    /// The reliability model of the annual loss [default: sliding].
    #[arg(long, value_enum)]
    pub model: Option<SweepModel>,
    /// The objectives of the front, comma-separated, the first sorting it [default:
    /// cost-per-usable-tb,annual-loss,rebuild-hours,ingest].
    #[arg(long, value_enum, value_delimiter = ',', value_name = "LIST")]
    pub objectives: Vec<ObjectiveArg>,
    /// Highest annual probability of data loss (e.g. 1e-6).
    #[arg(long, value_name = "P")]
    pub max_annual_loss: Option<f64>,
    /// Longest rebuild of one drive, hours.
    #[arg(long, value_name = "HOURS")]
    pub max_rebuild_hours: Option<f64>,
    /// Lowest client ingest, MB/s.
    #[arg(long, value_name = "MB_S")]
    pub min_ingest: Option<f64>,
    /// Highest total cost of one pod (e.g. 12000.00).
    #[arg(long, value_name = "AMOUNT")]
    pub budget: Option<String>,
    /// Lowest usable capacity, decimal TB.
    #[arg(long, value_name = "TB")]
    pub min_usable: Option<f64>,
    /// List every variant, not only the Pareto front (in JSON too).
    #[arg(long)]
    pub all: bool,
    /// Worker threads (default: one per core). The output does not depend on it.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Also write to this directory the charts (cost-vs-loss and cost-vs-rebuild, SVG and
    /// PNG) and each front member as a design file, front-NN.ron; no file is replaced.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// A shape as `--vary raid=` writes it.
fn parse_level(s: &str) -> Result<Level, String> {
    let bad = || {
        format!(
            "--vary raid={s}: expected raid6:WIDTH, raid5:WIDTH, raid10:WIDTH:COPIES, mirror:COPIES, stripe:WIDTH, ec:DATA+PARITY, raidz1|raidz2|raidz3:WIDTH or a dRAID such as draid2:8d:60c:2s (both with filesystem=zfs)"
        )
    };
    let num = |t: &str| t.trim().parse::<u32>().map_err(|_| bad());
    if s.trim().to_ascii_lowercase().starts_with("draid") {
        // A dRAID names its children: every variant's drive count may differ, so there is no
        // default to take them from.
        let children = s.split(':').skip(1).any(|t| {
            t.trim()
                .strip_suffix(['c', 'C'])
                .is_some_and(|n| n.parse::<u32>().is_ok())
        });
        if !children {
            return Err(format!(
                "--vary raid={s}: a dRAID in a sweep names its children, e.g. draid2:8d:60c:2s"
            ));
        }
        return crate::layout::zfs::parse_draid(s.trim(), 0)
            .map_err(|e| format!("--vary raid={e}"));
    }
    let (kind, rest) = s.split_once(':').ok_or_else(bad)?;
    Ok(match kind.trim().to_ascii_lowercase().as_str() {
        "raid6" => Level::Raid6 { width: num(rest)? },
        "raid5" => Level::Raid5 { width: num(rest)? },
        "stripe" => Level::Stripe { width: num(rest)? },
        "mirror" => Level::Mirror { copies: num(rest)? },
        "raid10" => {
            let (w, c) = rest.split_once(':').ok_or_else(bad)?;
            Level::Raid10 {
                width: num(w)?,
                copies: num(c)?,
            }
        }
        "ec" => {
            let (d, p) = rest.split_once('+').ok_or_else(bad)?;
            Level::Erasure {
                data: num(d)?,
                parity: num(p)?,
            }
        }
        z @ ("raidz1" | "raidz2" | "raidz3") => Level::RaidZ {
            parity: u32::from(z.as_bytes()[5] - b'0'),
            width: num(rest)?,
        },
        _ => return Err(bad()),
    })
}

/// The values of `KEY=V1,V2`, or an error naming the flag.
fn values<'a>(flag: &str, s: &'a str) -> Result<(&'a str, Vec<&'a str>), String> {
    let (key, list) = s
        .split_once('=')
        .ok_or_else(|| format!("{flag} {s}: expected KEY=V1,V2,…"))?;
    let vals: Vec<&str> = list
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    if vals.is_empty() {
        return Err(format!("{flag} {s}: no value after '='"));
    }
    Ok((key.trim(), vals))
}

/// Whole numbers of `--vary KEY=`, each at least `min`.
fn counts(key: &str, vals: &[&str], min: u32) -> Result<Vec<u32>, String> {
    vals.iter()
        .map(|v| match v.parse::<u32>() {
            Ok(n) if n >= min => Ok(n),
            _ => Err(format!(
                "--vary {key}={v}: give a whole number from {min} up"
            )),
        })
        .collect()
}

fn parse_fs(v: &str) -> Result<Filesystem, String> {
    match v.to_ascii_lowercase().as_str() {
        "ext4" => Ok(Filesystem::Ext4),
        "xfs" => Ok(Filesystem::Xfs),
        "jfs" => Ok(Filesystem::Jfs),
        "none" => Ok(Filesystem::None),
        "zfs" => Ok(Filesystem::Zfs),
        _ => Err(format!(
            "--vary filesystem={v}: use ext4, xfs, jfs, zfs or none"
        )),
    }
}

fn parse_vary(s: &str) -> Result<Axis, String> {
    let (key, vals) = values("--vary", s)?;
    let ids = || vals.iter().map(|v| v.to_string()).collect();
    Ok(match key {
        "drive" => Axis::Drive(ids()),
        "bays" => Axis::Bays(counts(key, &vals, 1)?),
        "card" => Axis::Card(ids()),
        "cards" => Axis::Cards(counts(key, &vals, 1)?),
        "nic" => Axis::Nic(ids()),
        "raid" => Axis::Raid(
            vals.iter()
                .map(|v| parse_level(v))
                .collect::<Result<_, _>>()?,
        ),
        "spares" => Axis::Spares(counts(key, &vals, 0)?),
        "filesystem" => {
            Axis::Filesystem(vals.iter().map(|v| parse_fs(v)).collect::<Result<_, _>>()?)
        }
        _ => {
            return Err(format!(
                "--vary {s}: unknown variation {key:?} (use drive, bays, card, cards, nic, raid, spares, filesystem; prices with --price)"
            ));
        }
    })
}

fn parse_price(s: &str) -> Result<Axis, String> {
    let (part, vals) = values("--price", s)?;
    price_axis(&format!("--price {s}"), part, &vals)
}

/// A price axis from amounts such as `120.50`; `place` names them in a message.
fn price_axis(place: &str, part: &str, vals: &[&str]) -> Result<Axis, String> {
    let cents = vals
        .iter()
        .map(|v| match parse_cents(v) {
            Ok(c) if c.0 >= 0 => Ok(c),
            Ok(_) => Err(format!("{place}: a price cannot be negative")),
            Err(e) => Err(format!("{place}: {e}")),
        })
        .collect::<Result<_, _>>()?;
    Ok(Axis::Price {
        part: part.to_string(),
        cents,
    })
}

/// A sweep file's variation as an axis, checked as `--vary` checks its values.
fn file_axis(v: &Vary) -> Result<Axis, String> {
    let check = |key: &str, n: &[u32], min: u32| -> Result<Vec<u32>, String> {
        let text: Vec<String> = n.iter().map(u32::to_string).collect();
        counts(
            key,
            &text.iter().map(String::as_str).collect::<Vec<_>>(),
            min,
        )
    };
    let axis = match v {
        Vary::Drive(ids) => Axis::Drive(ids.clone()),
        Vary::Bays(n) => Axis::Bays(check("bays", n, 1)?),
        Vary::Card(ids) => Axis::Card(ids.clone()),
        Vary::Cards(n) => Axis::Cards(check("cards", n, 1)?),
        Vary::Nic(ids) => Axis::Nic(ids.clone()),
        Vary::Raid(l) => Axis::Raid(l.clone()),
        Vary::Spares(n) => Axis::Spares(n.clone()),
        Vary::Filesystem(f) => Axis::Filesystem(f.clone()),
        Vary::Price { part, amounts } => {
            let vals: Vec<&str> = amounts.iter().map(String::as_str).collect();
            price_axis(&format!("Price(part: {part:?})"), part, &vals)?
        }
    };
    if axis.is_empty() {
        return Err("no value".into());
    }
    Ok(axis)
}

/// A limit that must be a finite number, not negative.
fn limit(flag: &str, v: Option<f64>) -> Result<Option<f64>, String> {
    match v {
        Some(x) if !x.is_finite() || x < 0.0 => {
            Err(format!("{flag} {x}: give a finite number, not negative"))
        }
        _ => Ok(v),
    }
}

/// A budget such as `12000.00`.
fn budget(b: &str) -> Result<crate::units::Cents, String> {
    match parse_cents(b) {
        Ok(c) if c.0 >= 0 => Ok(c),
        _ => Err(format!("--budget {b}: give an amount such as 12000.00")),
    }
}

/// The checked request of `podplan sweep`: the sweep file's, if one is given, with the flags'
/// variations added and their limits, objectives and model in place of the file's.
fn request(a: &SweepArgs, file: Option<&Resolved>) -> Result<SweepRequest, CliError> {
    let mut axes = Vec::new();
    if let Some(f) = file {
        for (i, v) in f.file.vary.iter().enumerate() {
            let axis = file_axis(v).map_err(|e| format!("{}: vary[{i}]: {e}", f.path.display()))?;
            axes.push(axis);
        }
    }
    for v in &a.vary {
        axes.push(parse_vary(v)?);
    }
    for p in &a.price {
        axes.push(parse_price(p)?);
    }
    if axes.is_empty() {
        return fail("give at least one --vary KEY=V1,V2 or --price PART=A,B");
    }
    let fc = file.map(|f| f.file.constraints.clone()).unwrap_or_default();
    let budget = match a.budget.as_ref().or(fc.budget.as_ref()) {
        None => None,
        Some(b) => Some(budget(b)?),
    };
    let mut objectives: Vec<Objective> = a.objectives.iter().map(|o| o.objective()).collect();
    if objectives.is_empty() {
        objectives = file.map(|f| f.file.objectives.clone()).unwrap_or_default();
    }
    if objectives.is_empty() {
        objectives = Objective::DEFAULT.to_vec();
    }
    let model = a
        .model
        .or(file.and_then(|f| f.file.model))
        .unwrap_or(SweepModel::Sliding);
    Ok(SweepRequest {
        axes,
        model: model.model(),
        constraints: Constraints {
            max_annual_loss: limit(
                "--max-annual-loss",
                a.max_annual_loss.or(fc.max_annual_loss),
            )?,
            max_rebuild_hours: limit(
                "--max-rebuild-hours",
                a.max_rebuild_hours.or(fc.max_rebuild_hours),
            )?,
            min_ingest_mb_s: limit("--min-ingest", a.min_ingest.or(fc.min_ingest))?,
            budget,
            min_usable_tb: limit("--min-usable", a.min_usable.or(fc.min_usable))?,
        },
        objectives,
    })
}

/// Runs `podplan sweep`.
pub(crate) fn run(
    a: SweepArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Outcome, CliError> {
    let file = match &a.design {
        Some(p) => sweep_file::read(p)?,
        None => None,
    };
    let req = request(&a, file.as_ref())?;
    let mut parts: Vec<PathBuf> = file.iter().flat_map(|f| f.parts.clone()).collect();
    parts.extend(a.parts.iter().cloned());
    let extra = extra_parts(&parts)?;
    let design = file.as_ref().map(|f| f.base.clone()).or(a.design.clone());
    let d = load_design(design.as_ref(), err)?;
    let base = with_parts(&d.loaded, &extra)?;
    let mut inputs = d.files();
    inputs.extend(file.iter().map(|f| f.path.clone()));
    inputs.extend(parts);
    if let Some(t) = a.threads
        && !(1..=MAX_THREADS).contains(&t)
    {
        return fail(format!("--threads {t}: give 1 to {MAX_THREADS}"));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(a.threads.unwrap_or(0))
        .build()
        .map_err(|e| format!("--threads: {e}"))?;
    // The sweep runs on its own thread; this one draws the progress line on `err`, the only
    // writer the command has (the workers cannot share it).
    let done = AtomicUsize::new(0);
    let total = AtomicUsize::new(0);
    let finished = AtomicBool::new(false);
    let this = std::thread::current();
    let s = std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            let r = pool.install(|| {
                sweep::sweep_with_progress(&base, &d.pod.label, &req, &|n, t| {
                    done.fetch_max(n, Ordering::Relaxed);
                    total.store(t, Ordering::Relaxed);
                })
            });
            finished.store(true, Ordering::Release);
            // Wakes the progress loop at once rather than at its next tick.
            this.unpark();
            r
        });
        let mut bar = Progress::new();
        while !finished.load(Ordering::Acquire) {
            std::thread::park_timeout(std::time::Duration::from_millis(100));
            if finished.load(Ordering::Acquire) {
                break;
            }
            bar.show(
                err,
                done.load(Ordering::Relaxed),
                total.load(Ordering::Relaxed),
            );
        }
        bar.clear(err);
        worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
    .map_err(|e| format!("sweep: {e}"))?;
    if s.variants.iter().all(|v| v.figures.is_none()) {
        let reasons: Vec<String> = s
            .invalid
            .iter()
            .map(|(code, n)| format!("  {} × {code}: {}", n.variants, n.message))
            .collect();
        return fail(format!(
            "no variant is a valid design:\n{}",
            reasons.join("\n")
        ));
    }
    // JSON holds every variant only when asked (a million variants are hundreds of MB).
    let listed = if a.all { None } else { Some(s.front_only()) };
    let text = render(a.format, listed.as_ref().unwrap_or(&s), |st| {
        crate::render::sweep::sections(&s, a.all, st)
    })?;
    if let Some(dir) = &a.out {
        write_dir(dir, &s, &base, &req, &inputs)?;
    }
    emit(out, a.output.as_ref(), &inputs, text.as_bytes())?;
    if s.front.is_empty() {
        let _ = writeln!(err, "{}", no_feasible(&s));
        return Ok(Outcome::LimitBroken);
    }
    Ok(Outcome::Done)
}

/// Which constraints bound when no variant is feasible: each with the valid variants it
/// rejects and the best figure any valid variant reaches.
fn no_feasible(s: &Sweep) -> String {
    let valid: Vec<&sweep::Figures> = s
        .variants
        .iter()
        .filter_map(|v| v.figures.as_ref())
        .collect();
    let best = |flag: &str| -> String {
        let min = |f: &dyn Fn(&sweep::Figures) -> Option<f64>| {
            valid
                .iter()
                .filter_map(|x| f(x))
                .fold(f64::INFINITY, f64::min)
        };
        let max = |f: &dyn Fn(&sweep::Figures) -> Option<f64>| {
            valid
                .iter()
                .filter_map(|x| f(x))
                .fold(f64::NEG_INFINITY, f64::max)
        };
        let shown = |x: f64, t: String| if x.is_finite() { t } else { "none".into() };
        match flag {
            "--max-annual-loss" => {
                let x = min(&|f| f.annual_loss);
                shown(
                    x,
                    format!("lowest annual loss {}", crate::render::durability::sci(x)),
                )
            }
            "--max-rebuild-hours" => {
                let x = min(&|f| f.rebuild_hours);
                shown(x, format!("fastest rebuild {x:.1} h"))
            }
            "--min-ingest" => {
                let x = max(&|f| f.ingest_mb_s);
                shown(x, format!("highest ingest {x:.0} MB/s"))
            }
            "--budget" => {
                let c = valid.iter().map(|f| f.total).min();
                c.map_or("none".into(), |c| format!("cheapest pod {c}"))
            }
            _ => {
                let x = max(&|f| Some(f.usable_tb));
                shown(x, format!("most usable {x:.1} TB"))
            }
        }
    };
    let mut lines = vec![format!(
        "error: no variant meets every constraint ({} valid of {})",
        valid.len(),
        s.variants.len()
    )];
    for (flag, n) in &s.broken {
        let all = if *n == valid.len() {
            " (every one)"
        } else {
            ""
        };
        lines.push(format!(
            "  {flag} rejects {n} valid variant{}{all}; {}",
            if *n == 1 { "" } else { "s" },
            best(flag)
        ));
    }
    lines.join("\n")
}

/// Writes the chart and the front's designs into `dir`, refusing to replace any file.
fn write_dir(
    dir: &Path,
    s: &Sweep,
    base: &crate::load::Loaded,
    req: &SweepRequest,
    inputs: &[PathBuf],
) -> Result<(), CliError> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    match crate::render::sweep::chart_files(s) {
        Ok(c) => files.extend(c),
        Err(e) => return fail(format!("--out {}: {e}", dir.display())),
    }
    let width = s.front.len().to_string().len().max(2);
    for (rank, i) in s.front.iter().enumerate() {
        let v = &s.variants[*i];
        let l = sweep::variant_design(base, &req.axes, *i)?;
        let label = format!("{} sweep {}", s.base, rank + 1);
        let note = format!(
            "Written by podplan sweep from {}: {}.",
            base.path,
            v.changes.join(", ")
        );
        let design = sweep::standalone(&l, &label, note);
        let text = crate::load::to_ron(&design).map_err(|e| format!("--out: {e}"))?;
        files.push((format!("front-{:0width$}.ron", rank + 1), text.into_bytes()));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("--out {}: {e}", dir.display()))?;
    for (name, _) in &files {
        let p = dir.join(name);
        if std::fs::symlink_metadata(&p).is_ok() {
            return fail(format!(
                "--out {}: {name} exists; podplan sweep never replaces a file (give another directory)",
                dir.display()
            ));
        }
    }
    for (name, bytes) in &files {
        let p = dir.join(name);
        let written = if name.ends_with(".ron") {
            write_new(&p, bytes)
        } else {
            crate::output::write_file(&p, inputs, bytes).map_err(|e| e.to_string())
        };
        written.map_err(|e| format!("--out {}: {e}", p.display()))?;
    }
    Ok(())
}

/// Writes a new file; an existing one is an error, never replaced.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| e.to_string())?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| e.to_string())
}

/// The sweep's progress line on standard error: variants done, rate and time left, redrawn
/// every tenth of a second, only on a terminal and only once the sweep has run for a second
/// (a short sweep prints nothing). It never touches standard output.
struct Progress {
    tty: bool,
    start: std::time::Instant,
    shown: bool,
}

impl Progress {
    fn new() -> Self {
        Progress {
            tty: std::io::IsTerminal::is_terminal(&std::io::stderr()),
            start: std::time::Instant::now(),
            shown: false,
        }
    }

    fn show(&mut self, err: &mut dyn Write, done: usize, total: usize) {
        let elapsed = self.start.elapsed().as_secs_f64();
        if !self.tty || elapsed < 1.0 || total == 0 {
            return;
        }
        self.shown = true;
        let rate = done as f64 / elapsed;
        let left = total.saturating_sub(done) as f64 / rate.max(1e-9);
        let _ = write!(
            err,
            "\r\x1b[Ksweep: {done} of {total} variants, {rate:.0}/s, about {left:.0} s left"
        );
        let _ = err.flush();
    }

    fn clear(&self, err: &mut dyn Write) {
        if self.shown {
            let _ = write!(err, "\r\x1b[K");
            let _ = err.flush();
        }
    }
}
