//! `podplan durability`: its options and how they become a checked durability request.
//!
//! This file owns the translation of `--afr/--model/--mission-years/--vault/--rebuild-*` and
//! the Monte Carlo flags into a `study::DurabilityRequest` (every bad value is an exit-2 error
//! naming its flag) and the Monte Carlo progress line. `crate::study::durability` runs the
//! engines (rebuild rates from `crate::bandwidth` unless the user gives one); the tables are
//! `crate::render::durability`.

use super::input::load_design;
use super::{CliError, Format, Outcome, emit, render};
use crate::durability::{self, AfrConvention, Model, Options, VaultSpec};
use crate::layout::DomainKind;
use crate::montecarlo::{self, ComponentAfr, McParams, RepairTime, Trials};
use crate::render::durability::{sci, sections};
use crate::study::{
    self, DurabilityRequest, DurabilityStudy, DurabilityStudyError, MonteCarloRequest,
    RebuildChoice,
};
use crate::units::Hours;
use crate::validate::MAX_VAULT_PODS;
use clap::ValueEnum;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// Models for `--model`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelArg {
    /// The exact Markov chain, serial and parallel repair.
    Markov,
    /// Fixed-length repairs in parallel (sliding window).
    Sliding,
    /// Backblaze's period model.
    Backblaze,
    /// Every model, side by side.
    All,
}

/// AFR conventions for `--afr-convention`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConventionArg {
    /// AFR is failures per drive-year (Backblaze's definition): λ = AFR / 8760 h.
    Rate,
    /// AFR is the probability of failing within a year: λ = −ln(1 − AFR) / 8760 h.
    Probability,
}

/// Repair-time distributions for `--repair-time`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RepairTimeArg {
    /// The delay, then the rebuild at its rate (what the sliding window assumes).
    Fixed,
    /// Exponential with the same mean (what the Markov chains assume).
    Exponential,
}

/// Repair disciplines for `--repair`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RepairArg {
    /// Every failed drive rebuilt at once.
    Parallel,
    /// One rebuild at a time per group.
    Serial,
}

/// Options of `podplan durability`.
#[derive(Debug, Clone, clap::Args)]
pub struct DurabilityArgs {
    /// Design file (default: the built-in Pod 2.0 design).
    pub design: Option<PathBuf>,
    /// Every drive's annualized failure rate, percent per drive-year (default: each drive's
    /// `afr_pct` in the catalog, Backblaze Drive Stats where published). Above 0, at most 100
    /// (below 100 with --afr-convention probability).
    #[arg(allow_negative_numbers = true, long, value_name = "PCT")]
    pub afr: Option<f64>,
    /// How an AFR becomes a failure rate.
    #[arg(long, value_enum, default_value_t = ConventionArg::Rate)]
    pub afr_convention: ConventionArg,
    /// Every drive's unrecoverable-read-error rate: bits read per error, e.g. 1e14, from 1e6 to
    /// 1e30 (default: the catalog's `ure_bits`).
    #[arg(allow_negative_numbers = true, long, value_name = "BITS")]
    pub ure_bits: Option<f64>,
    /// Which models to report.
    #[arg(long, value_enum, default_value_t = ModelArg::All)]
    pub model: ModelArg,
    /// Mission time in years: probabilities are of a loss within it.
    #[arg(
        allow_negative_numbers = true,
        long,
        value_name = "N",
        default_value_t = 1.0
    )]
    pub mission_years: f64,
    /// Rebuild rate per drive, MB/s, instead of the bandwidth model's rebuild workload. Above 0,
    /// at most 100000; the rebuild it gives must take at most 87660 h (ten years).
    #[arg(
        allow_negative_numbers = true,
        long,
        value_name = "MB/S",
        conflicts_with = "rebuild_hours"
    )]
    pub rebuild_mb_s: Option<f64>,
    /// Time to restore redundancy, hours, delay included, instead of delay + member / rate.
    /// Above 0, at most 87660 (ten years: no real repair takes longer).
    #[arg(
        allow_negative_numbers = true,
        long,
        value_name = "H",
        conflicts_with = "replace_hours"
    )]
    pub rebuild_hours: Option<f64>,
    /// Detection and replacement delay before a rebuild starts, hours, 0 to 87660 (default: 0
    /// with a hot spare; otherwise the design's `raid.replace_delay`, or 24 without one: a day
    /// to notice the failure and swap the drive, a next-business-day replacement, no particular
    /// fleet's practice).
    #[arg(allow_negative_numbers = true, long, value_name = "H")]
    pub replace_hours: Option<f64>,
    /// ZFS pools: the allocated share of the pool, above 0 and at most 1 (default: the
    /// design's `raid.zfs.fill`, else 1, a full pool): a resilver rewrites only that share of
    /// the failed drive.
    #[arg(allow_negative_numbers = true, long, value_name = "F")]
    pub fill: Option<f64>,
    /// Bandwidth what-if for the rebuild rate, repeatable: KEY=VALUE as in `podplan bandwidth
    /// --set` (a factor, drive=MB/s, SLOT.lanes=N, a link id=MB/s, …).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Group width, with --parity: lay the drives out in groups of this many instead of the
    /// design's RAID policy (at least 1, at most the design's drives).
    #[arg(long, requires = "parity")]
    pub width: Option<u32>,
    /// Failures each group tolerates, with --width (1 = RAID5, 2 = RAID6, more = erasure).
    #[arg(long, requires = "width")]
    pub parity: Option<u32>,
    /// Place the groups to survive any single failure of these components (comma-separated:
    /// uplink, backplane, card, psu), as `podplan layout --survive`.
    #[arg(long, value_delimiter = ',')]
    pub survive: Vec<String>,
    /// A k+m code across pods, e.g. 17+3 (a Backblaze Vault: k+m pods, each drive slot one
    /// code), k and m at least 1, at most 1000 pods in all. Default: the design's `raid.vault`,
    /// if any.
    #[arg(long, value_name = "K+M")]
    pub vault: Option<String>,
    /// Time to replace and repopulate a Vault shard, days (Backblaze: 6.5). Above 0, at most
    /// 3652.5 (87660 h, ten years).
    #[arg(
        allow_negative_numbers = true,
        long,
        value_name = "DAYS",
        default_value_t = 6.5
    )]
    pub vault_rebuild_days: f64,
    /// Check the closed forms, and go beyond them, with an event simulation.
    #[arg(long)]
    pub monte_carlo: bool,
    /// Monte Carlo trials (one mission each), from 1 to 1e9; default: until the loss
    /// probability is known to --precision.
    #[arg(long, value_name = "N", requires = "monte_carlo")]
    pub trials: Option<u64>,
    /// Monte Carlo seed (same seed, same trials: same figures, on any number of cores).
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Without --trials: run until the 95 % interval is within ± this fraction of the estimate
    /// (above 0, below 1), from at least 10 trials with a loss.
    #[arg(
        allow_negative_numbers = true,
        long,
        value_name = "FRACTION",
        default_value_t = 0.05
    )]
    pub precision: f64,
    /// Without --trials: give up after this many trials (from 1 to 1e9).
    #[arg(long, value_name = "N", default_value_t = 10_000_000)]
    pub max_trials: u64,
    /// Monte Carlo: Weibull shape of drive lifetimes (1 = exponential, above 1 = wear-out),
    /// from 0.1 to 20.
    #[arg(
        allow_negative_numbers = true,
        long,
        value_name = "K",
        default_value_t = 1.0
    )]
    pub weibull_shape: f64,
    /// Monte Carlo: failure rates of components whose failure takes all their drives offline at
    /// once, comma-separated KIND=PCT per component-year, KIND one of uplink, backplane, card,
    /// psu. A group taken past its parity is unavailable until the part is replaced (counted as
    /// an outage, not a loss); within its parity its drives resync.
    #[arg(long, value_delimiter = ',', value_name = "KIND=PCT")]
    pub component_afr: Vec<String>,
    /// Monte Carlo: rebuilds behind one controller share its rebuild bandwidth.
    #[arg(long)]
    pub shared_rebuilds: bool,
    /// Monte Carlo: repair-time distribution.
    #[arg(long, value_enum, default_value_t = RepairTimeArg::Fixed)]
    pub repair_time: RepairTimeArg,
    /// Monte Carlo: repair discipline.
    #[arg(long, value_enum, default_value_t = RepairArg::Parallel)]
    pub repair: RepairArg,
    /// Monte Carlo: plain counting, without failure biasing or splitting.
    #[arg(long)]
    pub no_importance_sampling: bool,
    /// Output format (default: the one --output's extension names, .csv .json .md .txt, else
    /// table; it must agree with the extension).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

fn parse_vault(text: &str) -> Result<(u32, u32), String> {
    let bad = || format!("--vault {text}: expected K+M, e.g. 17+3");
    let (k, m) = text.split_once('+').ok_or_else(bad)?;
    // Parsed wide and summed wide: no sum of two u32s can wrap past the pod bound.
    let k: u64 = k.trim().parse().map_err(|_| bad())?;
    let m: u64 = m.trim().parse().map_err(|_| bad())?;
    let max = u64::from(MAX_VAULT_PODS);
    if k == 0 {
        return Err(format!(
            "--vault {text}: parity {m} must be less than the width {}: a code needs at least one data shard",
            k.saturating_add(m)
        ));
    }
    if m == 0 {
        return Err(format!(
            "--vault {text}: a code across pods needs at least one parity shard"
        ));
    }
    if k.saturating_add(m) > max {
        return Err(format!("--vault {text}: more than {max} pods"));
    }
    // Both below the bound, so both fit a u32.
    Ok((k as u32, m as u32))
}

fn parse_components(items: &[String]) -> Result<Vec<ComponentAfr>, String> {
    let mut out = Vec::new();
    for item in items {
        let bad = || {
            format!(
                "--component-afr {item}: expected KIND=PCT, KIND one of uplink, backplane, card, psu"
            )
        };
        let (k, v) = item.split_once('=').ok_or_else(bad)?;
        let kind = match DomainKind::parse(k) {
            Some(
                kind @ (DomainKind::Uplink
                | DomainKind::Backplane
                | DomainKind::Card
                | DomainKind::Psu),
            ) => kind,
            _ => return Err(bad()),
        };
        let pct: f64 = v.trim().parse().map_err(|_| bad())?;
        if !(pct.is_finite() && pct > 0.0 && pct <= 100.0) {
            return Err(format!(
                "--component-afr {item}: the rate must be above 0 and at most 100 % per component-year"
            ));
        }
        out.retain(|c: &ComponentAfr| c.kind != kind);
        out.push(ComponentAfr { kind, afr_pct: pct });
    }
    out.sort_by_key(|c| c.kind);
    Ok(out)
}

/// Runs `podplan durability`.
pub fn run(
    a: DurabilityArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Outcome, CliError> {
    // Flags first, so a bad value is reported before any work.
    let mut req = request(&a)?;
    let d = load_design(a.design.as_ref(), err)?;
    req.survive = super::survive_kinds(&a.survive)?;
    if let Some(f) = a.fill {
        let level = a.width.zip(a.parity).map_or(d.pod.raid.level, |(w, p)| {
            crate::layout::Shape::for_width_parity(w, p)
        });
        if crate::study::zfs_fill(&d.pod, level).is_none() {
            return Err(CliError::from(
                "--fill: the design's pool is not ZFS (Linux md rebuilds whole members)",
            ));
        }
        if !matches!(req.rebuild, RebuildChoice::Topology(_)) {
            return Err(CliError::from(
                "--fill times a resilver from the topology; --rebuild-hours and --rebuild-mb-s give it whole",
            ));
        }
        if let RebuildChoice::Topology(p) = &mut req.rebuild {
            p.zfs_fill = Some(f);
        }
    }
    let report = compute(&d.pod, &req, err)?;
    let text = render(a.format, &report, |st| sections(&report, st))?;
    emit(out, a.output.as_ref(), &d.files(), text.as_bytes())
}

/// The AFR convention `--afr-convention` names.
fn convention(a: &DurabilityArgs) -> AfrConvention {
    match a.afr_convention {
        ConventionArg::Rate => AfrConvention::Rate,
        ConventionArg::Probability => AfrConvention::Probability,
    }
}

/// A number the user gave, as an error message shows it: at most a dozen digits, and words
/// for NaN and infinity.
fn given(x: f64) -> String {
    crate::units::fmt_bounded(x)
}

/// Checks every number against its range; the message names the flag.
fn check_ranges(a: &DurabilityArgs) -> Result<(), CliError> {
    let convention = convention(a);
    // Flags first, so a bad value is reported before any work.
    if let Some(x) = a.afr
        && (durability::check_afr(x).is_err()
            || durability::check_lambda(x, convention.lambda_per_hour(x)).is_err())
    {
        return Err(CliError::from(format!(
            "--afr {}: must be above 0 and at most 100 (percent per drive-year){}",
            given(x),
            if convention == AfrConvention::Probability {
                "; as a probability below 100, since a drive certain to fail within the year has no finite failure rate"
            } else {
                ""
            }
        )));
    }
    if let Some(f) = a.fill
        && !(f.is_finite() && f > 0.0 && f <= 1.0)
    {
        return Err(CliError::from(format!(
            "--fill {}: the allocated share of the pool, above 0 and at most 1",
            given(f)
        )));
    }
    if let Some(u) = a.ure_bits
        && !(u.is_finite() && (1e6..=durability::MAX_URE_BITS).contains(&u))
    {
        return Err(CliError::from(format!(
            "--ure-bits {}: must be a number of bits from 1e6 to 1e30, e.g. 1e14",
            given(u)
        )));
    }
    if !(a.mission_years.is_finite() && a.mission_years > 0.0 && a.mission_years <= 1000.0) {
        return Err(CliError::from(format!(
            "--mission-years {}: must be above 0 and at most 1000",
            given(a.mission_years)
        )));
    }
    let max_h = durability::MAX_REPAIR_HOURS;
    if let Some(r) = a.rebuild_mb_s
        && !(r.is_finite() && r > 0.0 && r <= durability::MAX_REBUILD_MB_S)
    {
        return Err(CliError::from(format!(
            "--rebuild-mb-s {}: a rebuild rate must be above 0 and at most {} MB/s",
            given(r),
            durability::MAX_REBUILD_MB_S
        )));
    }
    if let Some(h) = a.rebuild_hours
        && durability::check_hours(Hours(h)).is_err()
    {
        return Err(CliError::from(format!(
            "--rebuild-hours {}: must be above 0 and at most {max_h} hours (ten years: no real repair takes longer)",
            given(h)
        )));
    }
    if let Some(h) = a.replace_hours
        && !(h.is_finite() && (0.0..=max_h).contains(&h))
    {
        return Err(CliError::from(format!(
            "--replace-hours {}: must be from 0 to {max_h} hours (ten years: no real replacement takes longer)",
            given(h)
        )));
    }
    if !(a.vault_rebuild_days.is_finite()
        && a.vault_rebuild_days > 0.0
        && a.vault_rebuild_days * 24.0 <= max_h)
    {
        return Err(CliError::from(format!(
            "--vault-rebuild-days {}: must be above 0 and at most {} days (ten years)",
            given(a.vault_rebuild_days),
            max_h / 24.0
        )));
    }
    if let (Some(w), Some(p)) = (a.width, a.parity)
        && p >= w
    {
        return Err(CliError::from(format!(
            "--parity {p} must be less than --width {w}"
        )));
    }
    if a.width == Some(0) {
        return Err(CliError::from("--width must be at least 1"));
    }
    Ok(())
}

/// The checked request the flags make, before the design is read (`survive` is filled in
/// after, since it is checked after the design).
fn request(a: &DurabilityArgs) -> Result<DurabilityRequest, CliError> {
    check_ranges(a)?;
    let convention = convention(a);
    let vault_code = match a.vault.as_deref().map(parse_vault).transpose() {
        Ok(v) => v,
        Err(m) => return Err(CliError::from(m)),
    };
    let components = match parse_components(&a.component_afr) {
        Ok(c) => c,
        Err(m) => return Err(CliError::from(m)),
    };
    if !a.monte_carlo
        && (!components.is_empty()
            || a.shared_rebuilds
            || a.no_importance_sampling
            || a.weibull_shape != 1.0
            || a.repair_time != RepairTimeArg::Fixed
            || a.repair != RepairArg::Parallel)
    {
        return Err(CliError::from(
            "--component-afr, --shared-rebuilds, --weibull-shape, --repair-time, --repair and --no-importance-sampling need --monte-carlo",
        ));
    }
    if !(a.weibull_shape.is_finite() && a.weibull_shape >= 0.1 && a.weibull_shape <= 20.0) {
        return Err(CliError::from(format!(
            "--weibull-shape {}: must be between 0.1 and 20",
            given(a.weibull_shape)
        )));
    }
    if !(a.precision.is_finite() && a.precision > 0.0 && a.precision < 1.0) {
        return Err(CliError::from(format!(
            "--precision {}: must be above 0 and below 1",
            given(a.precision)
        )));
    }
    let max_trials = montecarlo::MAX_TRIALS;
    if let Some(n) = a.trials
        && !(1..=max_trials).contains(&n)
    {
        return Err(CliError::from(format!(
            "--trials {n}: must be from 1 to {max_trials} (1e9)"
        )));
    }
    if !(1..=max_trials).contains(&a.max_trials) {
        return Err(CliError::from(format!(
            "--max-trials {}: must be from 1 to {max_trials} (1e9)",
            a.max_trials
        )));
    }
    let mut bw = crate::bandwidth::Params::default();
    for s in &a.set {
        if s.split_once('=')
            .is_some_and(|(k, _)| k.trim() == "delay-h")
        {
            return Err(CliError::from(format!(
                "--set {s}: give the delay with --replace-hours"
            )));
        }
        if let Err(e) = bw.set(s) {
            return Err(CliError::from(format!("--set {e}")));
        }
    }

    let models = match a.model {
        ModelArg::Markov => vec![Model::MarkovSerial, Model::MarkovParallel],
        ModelArg::Sliding => vec![Model::Sliding],
        ModelArg::Backblaze => vec![Model::Backblaze],
        ModelArg::All => Model::ALL.to_vec(),
    };
    let rebuild = match (a.rebuild_hours, a.rebuild_mb_s) {
        (Some(h), _) => RebuildChoice::Hours(Hours(h)),
        (None, Some(r)) => RebuildChoice::Rate(r),
        (None, None) => RebuildChoice::Topology(Box::new(bw)),
    };
    let vault_rebuild_hours = Hours::from_days(a.vault_rebuild_days);
    let mission_hours = Hours::from_years(a.mission_years);
    let req = DurabilityRequest {
        width_parity: a.width.zip(a.parity),
        survive: Vec::new(),
        rebuild,
        replace_hours: a.replace_hours.map(Hours),
        options: Options {
            mission_hours,
            convention,
            afr_pct: a.afr,
            ure_bits: a.ure_bits,
            models,
            vault: vault_code.map(|(data, parity)| VaultSpec {
                data,
                parity,
                rebuild_hours: vault_rebuild_hours,
            }),
            delay_source: None,
        },
        vault_rebuild_hours,
        monte_carlo: a.monte_carlo.then(|| MonteCarloRequest {
            params: mc_params(a, mission_hours),
            components,
        }),
    };
    Ok(req)
}

/// Runs the study, with Monte Carlo progress on standard error.
fn compute(
    pod: &crate::model::Pod,
    req: &DurabilityRequest,
    err: &mut dyn Write,
) -> Result<DurabilityStudy, CliError> {
    // Progress on stderr, only when it is a terminal and the run has taken over a second.
    let tty = std::io::stderr().is_terminal();
    let start = std::time::Instant::now();
    let shown = std::cell::Cell::new(false);
    let err_cell = std::cell::RefCell::new(&mut *err);
    let progress = |p: &montecarlo::Progress| {
        if !tty || start.elapsed() < std::time::Duration::from_secs(1) {
            return;
        }
        shown.set(true);
        let precision = match p.relative {
            _ if p.hits == 0 => "no loss yet".to_string(),
            Some(r) => format!("±{:.1} %", 100.0 * r),
            None => "no interval yet".to_string(),
        };
        let mut e = err_cell.borrow_mut();
        let _ = write!(
            e,
            "\r\x1b[Kmonte carlo, {}: {} of at most {} trials, {} with a loss, {precision}",
            p.scope, p.trials, p.max_trials, p.hits
        );
        let _ = e.flush();
    };
    let result = study::durability(pod, req, &progress);
    if shown.get() {
        let _ = write!(err_cell.borrow_mut(), "\r\x1b[K");
    }
    Ok(result.map_err(|e| study_message(&e))?)
}

/// The simulation parameters the Monte Carlo flags ask for.
fn mc_params(a: &DurabilityArgs, mission_hours: Hours) -> McParams {
    McParams {
        seed: a.seed,
        trials: match a.trials {
            Some(n) => Trials::Fixed(n),
            None => Trials::Until {
                relative: a.precision,
                max: a.max_trials,
            },
        },
        mission_hours,
        weibull_shape: a.weibull_shape,
        repair_time: match a.repair_time {
            RepairTimeArg::Fixed => RepairTime::Fixed,
            RepairTimeArg::Exponential => RepairTime::Exponential,
        },
        discipline: match a.repair {
            RepairArg::Parallel => durability::Repair::Parallel,
            RepairArg::Serial => durability::Repair::Serial,
        },
        shared_links: a.shared_rebuilds,
        importance_sampling: !a.no_importance_sampling,
    }
}

/// What went wrong in the study, named by the flag that can change it.
fn study_message(e: &DurabilityStudyError) -> String {
    use DurabilityStudyError as E;
    let flag = |custom: bool| {
        if custom {
            "--width/--parity"
        } else {
            "the design's raid policy"
        }
    };
    match e {
        E::Placement { custom, error } => format!("{}: {error}", flag(*custom)),
        E::NoGroups { custom } => format!("{}: no group fits the pod's drives", flag(*custom)),
        E::CatalogAfr { bay, part, afr } => format!(
            "--afr: bay {bay} holds {part} whose catalog afr_pct is {afr}; give --afr PCT"
        ),
        E::NothingToRebuild { shape } => format!(
            "--rebuild-hours, --rebuild-mb-s and --replace-hours do not apply: {shape} has no redundancy, so nothing is rebuilt (the first drive failure loses its group's data)"
        ),
        E::Hours(e) => format!("--rebuild-hours: {e}"),
        E::Rate(e) => format!("--rebuild-mb-s: {e}"),
        E::Topology(e) => e.to_string(),
        E::NoTopologyRate => "--rebuild-mb-s or --rebuild-hours needed: the bandwidth model gives no rebuild rate for this layout (no redundancy, or a --set that does not fit the pod)".into(),
        E::TooLong {
            user_delay,
            delay,
            error,
        } => format!(
            "{}: the delay of {} h plus the rebuild at the topology's rate: {error}",
            if *user_delay { "--replace-hours" } else { "--set" },
            sci(delay.hours())
        ),
        E::UnusableRate(t) => format!(
            "--set: the bandwidth model gives group {} a rebuild rate of {} MB/s ({}); give --rebuild-mb-s",
            t.group,
            sci(t.rate.0),
            t.binding_link
        ),
        E::Report(e) => e.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn vault_codes_parse_and_reject() {
        assert_eq!(parse_vault("17+3"), Ok((17, 3)));
        assert!(
            parse_vault("0+3")
                .unwrap_err()
                .contains("less than the width")
        );
        assert!(parse_vault("17").is_err());
        assert!(parse_vault("17+0").is_err());
    }

    #[test]
    fn component_rates_parse_and_reject() {
        let c = parse_components(&["backplane=2".into(), "psu=1.5".into()]).unwrap();
        assert_eq!(c.len(), 2);
        assert!(parse_components(&["fan=2".into()]).is_err());
        assert!(parse_components(&["card=0".into()]).is_err());
        assert!(parse_components(&["card".into()]).is_err());
    }
}
