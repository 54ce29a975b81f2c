//! Monte Carlo: an event simulation of drive failures and rebuilds that checks the closed
//! forms of [`crate::durability`] and covers what they cannot (docs/model.md §9).
//!
//! This module owns the simulation and its statistics, and nothing else: a [`System`] is a set
//! of drives (each with a failure rate, a rebuild and a link it rebuilds through), redundancy
//! sets over them and failure domains (a backplane, card or PSU whose failure takes all its
//! drives at once); [`estimate`] runs seeded trials of one mission each and returns every
//! figure with a 95 % confidence interval. It never prints.
//!
//! What the simulation models beyond the closed forms:
//!
//! * **Correlated failures**: each failure domain of the layout ([`crate::layout::domains`])
//!   fails at its own rate (a parameter per kind) and takes the drives behind it offline at
//!   once. In a set it leaves within its tolerance, each of those drives needs the full
//!   delay-and-rebuild, as a failed drive does (Linux md drops members that vanish; they resync
//!   when they return). A set it would take past its tolerance stops instead: its drives are
//!   intact and come back when the part is replaced, an *outage* counted apart and never a loss
//!   (model §14: a card, backplane, uplink or PSU destroys no data). Only drive failures lose
//!   data; components make sets degraded, and so closer to a loss.
//! * **Rebuilds that share a link**: with `shared_links`, rebuilds whose replacement drives sit
//!   behind the same controller share its rebuild bandwidth equally (processor sharing): `k`
//!   concurrent rebuilds each progress at `B_r / k`. A documented simplification of the
//!   bandwidth engine's max-min sharing, which it equals when one link binds all of them.
//! * **Weibull lifetimes** (age-dependent failure, model §6.7, \[50\]\[51\]): shape `β`, scale
//!   chosen so the mean life is `1/λ` (the same MTTF as the exponential). Drives start new; a
//!   replaced drive is new again; a drive that comes back after a domain outage keeps its age.
//!
//! Rare events use **failure biasing** (importance sampling, model §9): every failure hazard
//! is multiplied by a factor that depends on the state (`bias_up` while a set is whole,
//! `bias_degraded` while it is degraded), and each trial carries the likelihood ratio of its
//! path, `Π 1/b at each failure × exp(Σ (b − 1) ∫ h dt)`, so the weighted estimate stays
//! unbiased while an 11-nines loss is hit in a good share of the trials.
//!
//! Reproducibility: trials are cut into chunks of [`CHUNK`] trials; chunk `c` draws from the
//! ChaCha8 stream `c` of the seed, and chunk results are merged in chunk order. The result
//! depends on the seed and the trial count only, never on the number of threads.

use crate::durability::{HOURS_PER_YEAR, Model, Repair};
use crate::layout::{DomainKind, Layout};
use crate::model::Pod;
use crate::units::Hours;
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};
use rayon::prelude::*;
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

/// Trials per chunk: the unit of work handed to a thread and of the random streams.
pub const CHUNK: u64 = 256;

/// The most trials one run may ask for: 10^9 (hours of work on a laptop for a pod; more buys
/// no figure the closed forms do not already give). The command line refuses more.
pub const MAX_TRIALS: u64 = 1_000_000_000;

/// The most chunks run between two looks at the estimate (and two progress reports): memory
/// for the chunk results stays bounded whatever the trial count.
const MAX_BATCH_CHUNKS: u64 = 1024;

/// The two-sided 95 % normal quantile.
pub const Z95: f64 = 1.959_963_984_540_054;

/// One drive of a simulated system.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimDrive {
    /// Failure rate, per hour (the mean life is `1 / lambda_per_hour` whatever the shape).
    pub lambda_per_hour: f64,
    /// Detection and replacement delay before its rebuild starts.
    pub delay_hours: Hours,
    /// Rebuild time at the full rebuild rate (member bytes / rate).
    pub work_hours: Hours,
    /// The redundancy set it belongs to (index into `System::sets`).
    pub set: usize,
    /// The link its rebuild goes through (rebuilds on one link share it with `shared_links`).
    pub link: usize,
}

/// A redundancy set: lost when more than `tolerance` of its drives are down at once.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimSet {
    /// Name in reports (`group 2`, `tome 17`).
    pub name: String,
    /// Member drives (indices into `System::drives`).
    pub members: Vec<usize>,
    /// Drives it can lose.
    pub tolerance: u32,
}

/// A component whose failure takes drives down together.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimDomain {
    /// What kind of component.
    pub kind: DomainKind,
    /// Its id (`bp3`, `pod 4 SLOT5`).
    pub id: String,
    /// The drives it takes down (indices into `System::drives`).
    pub drives: Vec<usize>,
    /// Its failure rate, per hour.
    pub rate_per_hour: f64,
    /// True for a part whose failure destroys no data (a card, backplane, uplink or PSU,
    /// [`DomainKind::loses_data`]): a failure that would take a set past its tolerance stops
    /// that set instead, its drives intact until the part is replaced (an outage, counted, never
    /// a loss); within the tolerance its drives drop and resync as before. False: every drive
    /// behind it drops, as if they had failed.
    pub outage: bool,
}

/// A system to simulate: drives, redundancy sets, failure domains.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct System {
    /// What it is (`pod`, `tome`, `vault`, `group`).
    pub scope: String,
    /// Drives.
    pub drives: Vec<SimDrive>,
    /// Redundancy sets (each drive in exactly one).
    pub sets: Vec<SimSet>,
    /// Failure domains with a non-zero rate.
    pub domains: Vec<SimDomain>,
    /// Number of distinct links.
    pub links: usize,
}

/// A failure rate per kind of component, per hour (`--component-afr backplane=2`).
pub type ComponentRates = Vec<(DomainKind, f64)>;

fn rate_of(rates: &ComponentRates, kind: DomainKind) -> f64 {
    rates
        .iter()
        .filter(|(k, _)| *k == kind)
        .map(|(_, r)| *r)
        .sum()
}

impl System {
    /// One k+m set of `n` identical drives, no domains: the case the closed forms cover.
    pub fn set(n: u32, m: u32, lambda: f64, delay: Hours, work: Hours) -> System {
        System {
            scope: "group".into(),
            drives: (0..n as usize)
                .map(|_| SimDrive {
                    lambda_per_hour: lambda,
                    delay_hours: delay,
                    work_hours: work,
                    set: 0,
                    link: 0,
                })
                .collect(),
            sets: vec![SimSet {
                name: format!("{}+{m}", n - m),
                members: (0..n as usize).collect(),
                tolerance: m,
            }],
            domains: Vec::new(),
            links: 1,
        }
    }

    /// A laid-out pod: every group of `layout` (RAID10 split into its mirror sets), drives with
    /// each group's `lambda` and rebuild `(delay, work)` times, links = controllers, and the
    /// failure domains of the topology at `rates`.
    pub fn pod(
        pod: &Pod,
        layout: &Layout,
        groups: &[(f64, Hours, Hours)],
        rates: &ComponentRates,
    ) -> System {
        let mut drives = Vec::new();
        let mut sets = Vec::new();
        let mut index_of = std::collections::BTreeMap::new();
        let copies = layout.shape.mirror_sets();
        for (gi, g) in layout.groups.iter().enumerate() {
            let (lambda, delay, work) =
                groups
                    .get(gi)
                    .copied()
                    .unwrap_or((0.0, Hours::ZERO, Hours::ZERO));
            let chunks: Vec<&[u32]> = match copies {
                Some(c) => g.bays.chunks(c.max(1) as usize).collect(),
                None => vec![&g.bays[..]],
            };
            let tolerance = match copies {
                Some(c) => c.saturating_sub(1),
                None => layout.shape.tolerance(),
            };
            for (ci, bays) in chunks.iter().enumerate() {
                let set = sets.len();
                let mut members = Vec::new();
                for b in bays.iter() {
                    let link = pod
                        .drives
                        .iter()
                        .find(|d| d.bay == *b)
                        .map_or(0, |d| d.controller);
                    index_of.insert(*b, drives.len());
                    members.push(drives.len());
                    drives.push(SimDrive {
                        lambda_per_hour: lambda,
                        delay_hours: delay,
                        work_hours: work,
                        set,
                        link,
                    });
                }
                sets.push(SimSet {
                    name: if chunks.len() > 1 {
                        format!("group {} set {}", gi + 1, ci + 1)
                    } else {
                        format!("group {}", gi + 1)
                    },
                    members,
                    tolerance,
                });
            }
        }
        let domains = crate::layout::domains(pod)
            .into_iter()
            .filter(|d| !matches!(d.kind, DomainKind::Drive))
            .filter_map(|d| {
                let r = rate_of(rates, d.kind);
                let ds: Vec<usize> = d
                    .bays
                    .iter()
                    .filter_map(|b| index_of.get(b).copied())
                    .collect();
                (r > 0.0 && !ds.is_empty()).then_some(SimDomain {
                    kind: d.kind,
                    id: d.id,
                    drives: ds,
                    rate_per_hour: r,
                    outage: !d.kind.loses_data(),
                })
            })
            .collect();
        System {
            scope: "pod".into(),
            drives,
            sets,
            domains,
            links: pod.controllers.len().max(1),
        }
    }

    /// A Vault of `data + parity` copies of `pod`: tome `t` is the `t`-th drive (by bay) of every
    /// pod, a k+m code; each pod keeps its own failure domains; a shard's rebuild takes
    /// `rebuild` and goes through its pod's controller.
    pub fn vault(
        pod: &Pod,
        data: u32,
        parity: u32,
        lambda: f64,
        rebuild: Hours,
        rates: &ComponentRates,
    ) -> System {
        let pods = (data + parity) as usize;
        let per_pod = pod.drives.len();
        let mut drives = Vec::with_capacity(pods * per_pod);
        for p in 0..pods {
            for (slot, d) in pod.drives.iter().enumerate() {
                drives.push(SimDrive {
                    lambda_per_hour: lambda,
                    delay_hours: Hours::ZERO,
                    work_hours: rebuild,
                    set: slot,
                    link: p * pod.controllers.len().max(1) + d.controller,
                });
            }
        }
        let sets = (0..per_pod)
            .map(|slot| SimSet {
                name: format!("tome {}", slot + 1),
                members: (0..pods).map(|p| p * per_pod + slot).collect(),
                tolerance: parity,
            })
            .collect();
        let slot_of = |bay: u32| pod.drives.iter().position(|d| d.bay == bay);
        let mut domains = Vec::new();
        for d in crate::layout::domains(pod) {
            if matches!(d.kind, DomainKind::Drive) {
                continue;
            }
            let r = rate_of(rates, d.kind);
            if r <= 0.0 || d.bays.is_empty() {
                continue;
            }
            let slots: Vec<usize> = d.bays.iter().filter_map(|b| slot_of(*b)).collect();
            for p in 0..pods {
                domains.push(SimDomain {
                    kind: d.kind,
                    id: format!("pod {} {}", p + 1, d.id),
                    drives: slots.iter().map(|s| p * per_pod + s).collect(),
                    rate_per_hour: r,
                    outage: !d.kind.loses_data(),
                });
            }
        }
        System {
            scope: "vault".into(),
            drives,
            sets,
            domains,
            links: pods * pod.controllers.len().max(1),
        }
    }
}

/// How long a repair takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RepairTime {
    /// The delay, then the rebuild at its rate: fixed length (the sliding-window model).
    Fixed,
    /// Exponential with the same mean, delay included (the Markov models).
    Exponential,
}

/// How many trials to run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Trials {
    /// Exactly this many.
    Fixed(u64),
    /// Until the loss probability's 95 % half-width is at most `relative` of the estimate
    /// (with at least 10 trials that saw a loss), or `max` trials.
    Until {
        /// Target relative half-width (0.1 = ±10 %).
        relative: f64,
        /// Most trials.
        max: u64,
    },
}

/// Simulation parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct McParams {
    /// Seed of every random stream.
    pub seed: u64,
    /// How many trials.
    pub trials: Trials,
    /// Length of one trial (one mission).
    pub mission_hours: Hours,
    /// Weibull shape of drive lifetimes (1 = exponential; above 1 wear-out).
    pub weibull_shape: f64,
    /// Fixed or exponential repairs.
    pub repair_time: RepairTime,
    /// One repair at a time per set, or all in parallel.
    pub discipline: Repair,
    /// Rebuilds on one link share its bandwidth.
    pub shared_links: bool,
    /// Failure biasing with likelihood-ratio weights.
    pub importance_sampling: bool,
}

impl Default for McParams {
    fn default() -> Self {
        McParams {
            seed: 1,
            trials: Trials::Until {
                relative: 0.05,
                max: 10_000_000,
            },
            mission_hours: Hours::from_years(1.0),
            weibull_shape: 1.0,
            repair_time: RepairTime::Fixed,
            discipline: Repair::Parallel,
            shared_links: false,
            importance_sampling: true,
        }
    }
}

impl McParams {
    /// True when the closed forms model this scenario exactly (exponential lifetimes, no
    /// correlated failures, no shared rebuild bandwidth), and which model that is.
    pub fn closed_form(&self, system: &System) -> Option<Model> {
        if self.weibull_shape != 1.0 || !system.domains.is_empty() || self.shared_links {
            return None;
        }
        match (self.repair_time, self.discipline) {
            (RepairTime::Fixed, Repair::Parallel) => Some(Model::Sliding),
            (RepairTime::Exponential, Repair::Serial) => Some(Model::MarkovSerial),
            (RepairTime::Exponential, Repair::Parallel) => Some(Model::MarkovParallel),
            (RepairTime::Fixed, Repair::Serial) => None,
        }
    }
}

/// How a 95 % interval was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IntervalMethod {
    /// Exact binomial (Clopper–Pearson) on the count of trials with a loss: plain counting,
    /// where every trial weighs 1. Two-sided 95 %: with no loss in `n` trials it is
    /// `[0, 1 − 0.025^(1/n)]`, about `3.7/n` (the "rule of three" `3/n` is the one-sided
    /// bound). Exact for any count, small ones included.
    ClopperPearson,
    /// Normal approximation, `mean ± 1.96 × standard error`, on the trials' weighted values:
    /// the estimates of importance sampling (and plain counts of loss events when a trial saw
    /// more than one). Trustworthy only with enough trials that saw a loss
    /// ([`MIN_HITS`]); the report says when there were fewer.
    Normal,
    /// Importance sampling saw no loss at all: the estimate is 0, and since a biased trial's
    /// weight is not bounded in advance, the trials give no upper bound. Nothing is claimed
    /// beyond the trivial `P ≤ 1`.
    NoLossSeen,
}

/// Trials with a loss a normal interval needs before it is trusted (and before a run
/// `--precision` stops).
pub const MIN_HITS: u64 = 10;

/// A Monte Carlo mean with its 95 % confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// The estimate.
    pub mean: f64,
    /// Half-width of the 95 % interval: `(high − low) / 2` (`1.96 × standard error` for a
    /// normal interval); `None` without an upper end.
    pub half_width: Option<f64>,
    /// Lower end (not below 0).
    pub low: f64,
    /// Upper end; `None` when the trials give none ([`IntervalMethod::NoLossSeen`]).
    pub high: Option<f64>,
    /// How the interval was obtained.
    pub method: IntervalMethod,
}

impl Interval {
    fn normal(mean: f64, half_width: f64) -> Interval {
        let low = (mean - half_width).max(0.0);
        let high = mean + half_width;
        Interval {
            mean,
            half_width: Some((high - low) / 2.0),
            low,
            high: Some(high),
            method: IntervalMethod::Normal,
        }
    }
    /// The exact two-sided 95 % binomial interval for `hits` successes in `n` trials, scaled
    /// by `scale` (1 for a probability).
    pub fn clopper_pearson(hits: u64, n: u64, scale: f64) -> Interval {
        let (low, high) = clopper_pearson(hits, n);
        let mean = if n > 0 { hits as f64 / n as f64 } else { 0.0 };
        Interval {
            mean: mean * scale,
            half_width: Some((high - low) / 2.0 * scale),
            low: low * scale,
            high: Some(high * scale),
            method: IntervalMethod::ClopperPearson,
        }
    }
    fn no_loss_seen() -> Interval {
        Interval {
            mean: 0.0,
            half_width: None,
            low: 0.0,
            high: None,
            method: IntervalMethod::NoLossSeen,
        }
    }
    /// Half-width relative to the estimate (`None` when the estimate is 0 or has no upper
    /// end).
    pub fn relative(&self) -> Option<f64> {
        match self.half_width {
            Some(h) if self.mean > 0.0 => Some(h / self.mean),
            _ => None,
        }
    }
    /// True when `x` lies inside the interval; `None` when it has no upper end and `x` is
    /// above its lower end.
    pub fn contains(&self, x: f64) -> Option<bool> {
        if x < self.low {
            return Some(false);
        }
        self.high.map(|h| x <= h)
    }
    /// The interval mapped through an increasing function.
    pub fn map(&self, f: impl Fn(f64) -> f64) -> Interval {
        let (mean, low, high) = (f(self.mean), f(self.low), self.high.map(&f));
        Interval {
            mean,
            half_width: high.map(|h| (h - low) / 2.0),
            low,
            high,
            method: self.method,
        }
    }
}

/// Lanczos' coefficients for g = 7, 9 terms (~1e-15 relative error), shared by [`gamma`] and
/// `ln_gamma`.
const G: [f64; 9] = [
    0.999_999_999_999_809_9,
    676.520_368_121_885_1,
    -1_259.139_216_722_402_8,
    771.323_428_777_653_1,
    -176.615_029_162_140_6,
    12.507_343_278_686_905,
    -0.138_571_095_265_720_12,
    9.984_369_578_019_572e-6,
    1.505_632_735_149_311_6e-7,
];

/// `ln Γ(x)` for `x > 0` (Lanczos, g = 7, 9 terms, in logarithms so large arguments do not
/// overflow).
fn ln_gamma(x: f64) -> f64 {
    if x < 0.5 {
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The regularized incomplete beta function `I_x(a, b)` (continued fraction, modified Lentz;
/// Numerical Recipes §6.4), `a, b > 0`, `0 ≤ x ≤ 1`.
fn beta_inc(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (-x).ln_1p();
    // The fraction converges fast for x < (a+1)/(a+b+2); use the symmetry otherwise.
    if x > (a + 1.0) / (a + b + 2.0) {
        return 1.0 - beta_inc(b, a, 1.0 - x);
    }
    let tiny = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < tiny {
        d = tiny;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..200_000u32 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < tiny {
            d = tiny;
        }
        c = 1.0 + aa / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < tiny {
            d = tiny;
        }
        c = 1.0 + aa / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    (ln_front.exp() * h / a).clamp(0.0, 1.0)
}

/// The `q` quantile of the Beta(a, b) distribution, by bisection on [`beta_inc`] (monotone in
/// `x`), to about 1e-15 relative.
fn beta_quantile(q: f64, a: f64, b: f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if beta_inc(a, b, mid) < q {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-15 * hi {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// The exact two-sided 95 % Clopper–Pearson interval of a binomial proportion, `hits` in `n`:
/// `[B(0.025; k, n−k+1), B(0.975; k+1, n−k)]` with `B` the beta quantile, `0` and `1` at the
/// ends.
pub fn clopper_pearson(hits: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (k, n) = (hits.min(n) as f64, n as f64);
    let low = if k == 0.0 {
        0.0
    } else {
        beta_quantile(0.025, k, n - k + 1.0)
    };
    let high = if k == n {
        1.0
    } else if k == 0.0 {
        // Closed form of the same quantile: 1 − 0.025^(1/n), computed without cancellation.
        -(0.025f64.ln() / n).exp_m1()
    } else {
        beta_quantile(0.975, k + 1.0, n - k)
    };
    (low, high)
}

/// Running mean and sum of squared deviations (Welford), merged in a fixed order.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Moments {
    fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }
    fn merge(&mut self, o: &Moments) {
        if o.n == 0 {
            return;
        }
        let n = self.n + o.n;
        let d = o.mean - self.mean;
        self.mean += d * o.n as f64 / n as f64;
        self.m2 += o.m2 + d * d * (self.n as f64) * (o.n as f64) / n as f64;
        self.n = n;
    }
    /// The normal 95 % interval of the mean; no upper end from fewer than two values.
    fn interval(&self) -> Interval {
        if self.n < 2 {
            return Interval {
                mean: self.mean,
                half_width: None,
                low: 0.0,
                high: None,
                method: IntervalMethod::Normal,
            };
        }
        let var = self.m2 / (self.n - 1) as f64;
        Interval::normal(self.mean, Z95 * (var / self.n as f64).sqrt())
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Stats {
    p: Moments,
    events: Moments,
    hits: u64,
    /// Loss events counted (unweighted).
    events_total: u64,
    drive_failures: u64,
    domain_failures: u64,
    outages: u64,
    /// The largest contribution of one trial to the P(loss) sum.
    largest: f64,
}

impl Stats {
    fn merge(&mut self, o: &Stats) {
        self.largest = self.largest.max(o.largest);
        self.p.merge(&o.p);
        self.events.merge(&o.events);
        self.hits += o.hits;
        self.events_total = self.events_total.saturating_add(o.events_total);
        self.drive_failures += o.drive_failures;
        self.domain_failures += o.domain_failures;
        self.outages += o.outages;
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The failure-biasing factors a run used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Biasing {
    /// Factor on every hazard while its set is whole (1 = none).
    pub bias_up: f64,
    /// Factor on the hazards of a degraded set, per set (1 = none).
    pub bias_degraded: Vec<f64>,
}

/// How a run reaches rare losses (model §9.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Plain counting: every trial weighs 1.
    Counting,
    /// Failure biasing with likelihood-ratio weights (no component takes several drives).
    Biasing,
    /// Splitting (RESTART) by the distance of the worst set to loss, no likelihood ratios:
    /// used when components fail, because one event that takes several drives makes the
    /// likelihood ratios of failure biasing heavy-tailed.
    Splitting,
}

/// How evenly the trials share the estimate: the diagnostic of weights with heavy tails.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Weights {
    /// Effective number of trials, `(Σ x)² / Σ x²` over the trials' contributions `x` to
    /// P(loss): the trials with a loss under plain counting; far fewer than the trials with a
    /// loss when a few weights dominate (0 when no trial saw a loss).
    pub effective_trials: f64,
    /// The largest single trial's share of the P(loss) sum (0 to 1; 0 when none saw a loss).
    pub largest_share: f64,
}

/// What a simulation found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// Trials run (each one mission).
    pub trials: u64,
    /// Trials that saw at least one loss (under the biased measure).
    pub hits: u64,
    /// Probability of at least one data loss (any set) within the mission.
    pub p_loss: Interval,
    /// Expected data-loss events (set up-crossings past their tolerance) per mission.
    pub loss_events: Interval,
    /// Expected loss events per year: `loss_events / mission years`.
    pub loss_events_per_year: Interval,
    /// Simulated system-years: trials × mission.
    pub simulated_years: f64,
    /// The relative half-width asked for (`Trials::Until`), `None` for a fixed trial count.
    pub target_relative: Option<f64>,
    /// True when a run asked to reach `target_relative` reached it (with at least
    /// [`MIN_HITS`] trials that saw a loss) before its trial limit; `None` for a fixed count.
    pub precision_reached: Option<bool>,
    /// Drive failures simulated (biased measure).
    pub drive_failures: u64,
    /// Component (domain) failures simulated (biased measure).
    pub domain_failures: u64,
    /// Sets stopped by a component failure that took them past their tolerance: unavailable
    /// until the part is replaced, never counted as a loss (biased measure).
    #[serde(skip_serializing_if = "is_zero")]
    pub outages: u64,
    /// How rare losses were reached.
    pub method: Method,
    /// The biasing used ([`Method::Biasing`]).
    pub biasing: Option<Biasing>,
    /// Copies made on crossing up into each level 1, 2, … ([`Method::Splitting`]; level `k`:
    /// the worst set `tolerance + 1 − k` failures from loss).
    pub splitting: Option<Vec<u32>>,
    /// How evenly the trials share the P(loss) estimate.
    pub weights: Weights,
}

// ------------------------------------------------------------------------------------------
// The event simulation
// ------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EvKind {
    DriveFail,
    DomainFail,
    DelayDone,
    WorkDone,
}

#[derive(Debug, Clone, Copy)]
struct Ev {
    t: f64,
    kind: EvKind,
    id: u32,
    ver: u32,
}

impl PartialEq for Ev {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Ev {}
impl PartialOrd for Ev {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Ev {
    /// Earliest first in a max-heap; ties broken by kind and id so runs are reproducible.
    fn cmp(&self, o: &Self) -> Ordering {
        o.t.total_cmp(&self.t)
            .then_with(|| (o.kind as u8).cmp(&(self.kind as u8)))
            .then_with(|| o.id.cmp(&self.id))
            .then_with(|| o.ver.cmp(&self.ver))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Queued,
    Delay,
    Work,
}

#[derive(Debug, Clone, Copy)]
struct DriveState {
    up: bool,
    /// Age at the anchor (up) or at going down.
    age: f64,
    /// Time of the anchor: the last moment its hazard factor changed.
    anchor: f64,
    /// Remaining unit-exponential budget, in biased cumulative-hazard units.
    budget: f64,
    /// Current hazard factor.
    bias: f64,
    ver: u32,
    replaced: bool,
    phase: Phase,
    rem: f64,
    last: f64,
    speed: f64,
}

#[derive(Debug, Clone)]
struct SetState {
    down: u32,
    busy: u32,
    queue: VecDeque<usize>,
    bias: f64,
}

#[derive(Debug, Clone, Copy)]
struct DomainState {
    anchor: f64,
    budget: f64,
    bias: f64,
    ver: u32,
}

/// Precomputed per-run constants.
struct Prep {
    /// Weibull scale per drive (hours); unused when the shape is 1.
    eta: Vec<f64>,
    shape: f64,
    bias_up: f64,
    bias_deg: Vec<f64>,
    /// Sets each domain touches.
    domain_sets: Vec<Vec<usize>>,
    /// Domains touching each set.
    set_domains: Vec<Vec<usize>>,
    /// Drives per link.
    link_count: usize,
    /// Splitting (RESTART) instead of biasing: see [`Splitting`].
    split: Option<SplitPlan>,
    /// Splitting with exponential lifetimes: one clock for every failure (see [`Superposed`]).
    superposed: Option<Superposed>,
    /// Splitting with exponential lifetimes: the last level is not split; the expected number
    /// of losses (the integral of the loss rate) is added instead ([`Trial::loss_rate`]).
    compensate: bool,
    /// Per domain: its drives grouped by set (`(set, drives)`), for [`Trial::loss_rate`].
    domain_runs: Vec<Vec<(usize, Vec<usize>)>>,
}

/// Superposition of exponential clocks (model §9.2): the failures of every drive and
/// component together are one Poisson process of the total rate `Σ λ_i + Σ r_d` (every drive
/// counted, up or down); each of its events is given to entity `e` with probability
/// `rate_e / total`, and one given to a drive that is down is dropped (thinning). That is the
/// law of independent exponential clocks, with one draw per event instead of a clock per
/// entity, and a copy made at a split needs one fresh draw (memorylessness) instead of new
/// clocks for its sets.
#[derive(Debug, Clone)]
struct Superposed {
    /// Inclusive cumulative rates: drives `0..n`, then domains.
    cum: Vec<f64>,
    /// The total rate (the last cumulative rate), per hour.
    total: f64,
}

impl Superposed {
    fn new(sys: &System) -> Superposed {
        let mut cum = Vec::with_capacity(sys.drives.len() + sys.domains.len());
        let mut acc = 0.0;
        let rates = sys.drives.iter().map(|d| d.lambda_per_hour);
        for r in rates.chain(sys.domains.iter().map(|d| d.rate_per_hour)) {
            acc += r.max(0.0);
            cum.push(acc);
        }
        Superposed { cum, total: acc }
    }

    /// The entity an event at uniform `u` in `[0, 1)` belongs to: a drive index below
    /// `drives`, else `drives + domain`. Entities of rate 0 are never chosen.
    fn pick(&self, u: f64) -> usize {
        let x = u * self.total;
        self.cum
            .partition_point(|c| *c <= x)
            .min(self.cum.len().saturating_sub(1))
    }
}

/// The levels and factors of splitting (model §9.2): the level of a state is
/// `max over sets of min(offset + drives down, top)`, `offset = top − tolerance`, so a set one
/// failure from loss is at `top` whatever its tolerance; `factor[k]` copies are made when a
/// trial crosses up into level `k`, and a copy made at `k` ends when its level drops below `k`.
#[derive(Debug, Clone)]
struct SplitPlan {
    /// The highest level (`top`): the largest tolerance.
    top: u32,
    /// Per set: `top − tolerance`.
    offset: Vec<u32>,
    /// Copies made on crossing up into level `k` (index 0 unused, 1).
    factor: Vec<u32>,
    /// The weight of a trial at level `k`: `1 / Π_{j ≤ k} factor[j]`.
    weight: Vec<f64>,
}

impl SplitPlan {
    fn new(sys: &System, factor: Vec<u32>) -> SplitPlan {
        let top = sys.sets.iter().map(|s| s.tolerance).max().unwrap_or(0);
        let mut weight = Vec::with_capacity(factor.len());
        let mut w = 1.0;
        for (k, f) in factor.iter().enumerate() {
            if k > 0 {
                w /= f64::from((*f).max(1));
            }
            weight.push(w);
        }
        SplitPlan {
            top,
            offset: sys.sets.iter().map(|s| top - s.tolerance).collect(),
            factor,
            weight,
        }
    }
}

/// The gamma function for positive arguments (Lanczos, g = 7, 9 terms; ~1e-15 relative).
pub fn gamma(x: f64) -> f64 {
    if x < 0.5 {
        return std::f64::consts::PI / ((std::f64::consts::PI * x).sin() * gamma(1.0 - x));
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    (2.0 * std::f64::consts::PI).sqrt() * t.powf(x + 0.5) * (-t).exp() * a
}

fn prepare(sys: &System, p: &McParams) -> Prep {
    let shape = p.weibull_shape;
    let g = gamma(1.0 + 1.0 / shape);
    let eta = sys
        .drives
        .iter()
        .map(|d| 1.0 / (d.lambda_per_hour * g))
        .collect();
    let mut domain_sets = Vec::new();
    let mut set_domains = vec![Vec::new(); sys.sets.len()];
    for (di, d) in sys.domains.iter().enumerate() {
        let mut s: Vec<usize> = d.drives.iter().map(|i| sys.drives[*i].set).collect();
        s.sort_unstable();
        s.dedup();
        for x in &s {
            set_domains[*x].push(di);
        }
        domain_sets.push(s);
    }
    let t = p.mission_hours.hours();
    let natural: f64 = sys
        .drives
        .iter()
        .map(|d| d.lambda_per_hour * t)
        .sum::<f64>()
        + sys.domains.iter().map(|d| d.rate_per_hour * t).sum::<f64>();
    let splitting = p.importance_sampling && !sys.domains.is_empty();
    let bias_up = if p.importance_sampling && !splitting && natural > 0.0 {
        (1.0 / natural).clamp(1.0, 1e6)
    } else {
        1.0
    };
    // Degraded episodes per mission under the biased measure (each failure starts one).
    let episodes = (natural * bias_up).max(1.0);
    let bias_deg = sys
        .sets
        .iter()
        .enumerate()
        .map(|(si, s)| {
            if !p.importance_sampling || splitting || s.tolerance == 0 || s.members.is_empty() {
                return 1.0;
            }
            let n = s.members.len() as f64;
            let lam: f64 = s
                .members
                .iter()
                .map(|i| sys.drives[*i].lambda_per_hour)
                .sum();
            let window: f64 = s
                .members
                .iter()
                .map(|i| sys.drives[*i].delay_hours + sys.drives[*i].work_hours)
                .sum::<Hours>()
                .hours()
                / n;
            let dom: f64 = set_domains[si]
                .iter()
                .map(|d| sys.domains[*d].rate_per_hour)
                .sum();
            let expected = (lam * (n - 1.0) / n + dom) * window;
            // Fixed windows bound the likelihood ratio of one episode, so the failures a loss
            // needs can be made the typical outcome of a window (`tolerance` of them
            // expected). Exponential repairs have unbounded windows: the second moment of the
            // ratio is finite only while the biased failure rate stays below the repair rate,
            // so aim at half of it (balanced failure biasing). And every degraded episode that
            // ends without a loss multiplies the second moment of the weight by about
            // e^target, so with `episodes` of them per mission the target is held to
            // 2 / episodes: the relative error stays bounded however many there are.
            let per_episode = match p.repair_time {
                RepairTime::Fixed => f64::from(s.tolerance),
                RepairTime::Exponential => 0.5,
            };
            let target = per_episode.min((2.0 / episodes).max(0.25));
            if expected > 0.0 {
                (target / expected).clamp(1.0, 1e9)
            } else {
                1.0
            }
        })
        .collect();
    Prep {
        eta,
        shape,
        bias_up,
        bias_deg,
        domain_sets,
        set_domains,
        link_count: sys.links.max(1),
        split: splitting.then(|| SplitPlan::new(sys, Vec::new())),
        superposed: (splitting && shape == 1.0).then(|| Superposed::new(sys)),
        compensate: splitting && shape == 1.0,
        domain_runs: sys
            .domains
            .iter()
            .map(|d| {
                let mut by: Vec<(usize, Vec<usize>)> = Vec::new();
                for &j in &d.drives {
                    let s = sys.drives[j].set;
                    match by.iter_mut().find(|(x, _)| *x == s) {
                        Some((_, v)) => v.push(j),
                        None => by.push((s, vec![j])),
                    }
                }
                by
            })
            .collect(),
    }
}

fn unit_uniform(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

fn unit_exp(rng: &mut ChaCha8Rng) -> f64 {
    -(1.0 - unit_uniform(rng)).ln()
}

struct Trial<'a> {
    sys: &'a System,
    prep: &'a Prep,
    params: &'a McParams,
    t: f64,
    heap: BinaryHeap<Ev>,
    drives: Vec<DriveState>,
    sets: Vec<SetState>,
    domains: Vec<DomainState>,
    links: Vec<Vec<usize>>,
    log_w: f64,
    /// After the first loss every factor is 1: the rest of the mission runs unbiased, so the
    /// likelihood ratio stays at its value at the first loss.
    natural: bool,
    losses: u32,
    first_loss: Option<f64>,
    drive_failures: u64,
    domain_failures: u64,
    outages: u64,
    /// Splitting: the current level, the weight of the event being handled (the trial's
    /// weight before it), any copy saw a loss, and the weighted sums over all its copies.
    level: u32,
    cur_w: f64,
    hit: bool,
    p_acc: f64,
    ev_acc: f64,
    /// Splitting: weighted and plain counts of up-crossings into each level (index `top + 1`:
    /// losses), for [`calibrate`].
    crossed: Vec<f64>,
    crossed_n: Vec<u64>,
    /// Drives changed since the innermost snapshot was taken or loaded (a stack: a nested
    /// snapshot restores and drops only its own part), each once per `epoch`.
    dirty: Vec<usize>,
    stamp: Vec<u64>,
    /// Per domain: the last [`Trial::resample`] that drew its clock.
    dom_stamp: Vec<u64>,
    epoch: u64,
    epochs: u64,
    /// Superposed clocks: the time of the next failure event of any entity.
    next_fail: f64,
    /// The splitting level before the event being handled.
    before: u32,
    /// The loss rate of the current state ([`Trial::loss_rate`]), while it is known.
    loss_rate: Option<f64>,
}

/// A trial's state at a split, from which every copy starts.
struct Snapshot {
    /// Length of the dirty stack when it was taken.
    mark: usize,
    t: f64,
    heap: BinaryHeap<Ev>,
    drives: Vec<DriveState>,
    sets: Vec<SetState>,
    domains: Vec<DomainState>,
    links: Vec<Vec<usize>>,
    natural: bool,
    losses: u32,
    first_loss: Option<f64>,
    level: u32,
    next_fail: f64,
}

impl<'a> Trial<'a> {
    fn new(sys: &'a System, prep: &'a Prep, params: &'a McParams) -> Self {
        Trial {
            sys,
            prep,
            params,
            t: 0.0,
            heap: BinaryHeap::new(),
            drives: Vec::new(),
            sets: Vec::new(),
            domains: Vec::new(),
            links: vec![Vec::new(); prep.link_count],
            log_w: 0.0,
            natural: false,
            losses: 0,
            first_loss: None,
            drive_failures: 0,
            domain_failures: 0,
            outages: 0,
            level: 0,
            cur_w: 1.0,
            hit: false,
            p_acc: 0.0,
            ev_acc: 0.0,
            crossed: vec![0.0; prep.split.as_ref().map_or(0, |p| p.top as usize + 2)],
            crossed_n: vec![0; prep.split.as_ref().map_or(0, |p| p.top as usize + 2)],
            dirty: Vec::new(),
            stamp: vec![0; sys.drives.len()],
            dom_stamp: vec![0; sys.domains.len()],
            epoch: 1,
            epochs: 1,
            next_fail: f64::INFINITY,
            before: 0,
            loss_rate: None,
        }
    }

    /// Records that drive `i` changes (splitting only: what [`Trial::load`] restores).
    fn touch(&mut self, i: usize) {
        if self.prep.split.is_some() && self.stamp[i] != self.epoch {
            self.stamp[i] = self.epoch;
            self.dirty.push(i);
        }
    }

    fn new_epoch(&mut self) {
        self.epochs += 1;
        self.epoch = self.epochs;
    }

    fn save(&mut self) -> Snapshot {
        self.new_epoch();
        Snapshot {
            mark: self.dirty.len(),
            t: self.t,
            heap: self.heap.clone(),
            drives: self.drives.clone(),
            sets: self.sets.clone(),
            domains: self.domains.clone(),
            links: self.links.clone(),
            natural: self.natural,
            losses: self.losses,
            first_loss: self.first_loss,
            level: self.level,
            next_fail: self.next_fail,
        }
    }

    /// Returns to snapshot `s`: only the drives changed since it are copied back.
    fn load(&mut self, s: &Snapshot) {
        self.t = s.t;
        self.heap.clone_from(&s.heap);
        for k in s.mark..self.dirty.len() {
            let i = self.dirty[k];
            self.drives[i] = s.drives[i];
        }
        self.dirty.truncate(s.mark);
        self.new_epoch();
        for (d, o) in self.sets.iter_mut().zip(&s.sets) {
            (d.down, d.busy, d.bias) = (o.down, o.busy, o.bias);
            if !(d.queue.is_empty() && o.queue.is_empty()) {
                d.queue.clear();
                d.queue.extend(o.queue.iter().copied());
            }
        }
        self.domains.clone_from(&s.domains);
        self.links.clone_from(&s.links);
        self.natural = s.natural;
        self.losses = s.losses;
        self.first_loss = s.first_loss;
        self.level = s.level;
        self.next_fail = s.next_fail;
        self.loss_rate = None;
    }

    /// The splitting level of the current state (0 without splitting).
    fn level_now(&self) -> u32 {
        let Some(plan) = &self.prep.split else {
            return 0;
        };
        self.sets
            .iter()
            .zip(&plan.offset)
            .map(|(st, o)| (o + st.down).min(plan.top))
            .max()
            .unwrap_or(0)
    }

    /// Draws new failure clocks for the working drives of every degraded set and the
    /// components touching them: a copy's own future. (Every remaining clock is a fresh unit
    /// exponential given the past, so each copy follows the true law; clocks elsewhere stay
    /// shared, which only correlates the copies.)
    fn resample(&mut self, rng: &mut ChaCha8Rng) {
        if let Some(sp) = &self.prep.superposed {
            // Memoryless: the copy's next failure is a fresh draw from now.
            self.next_fail = self.t + unit_exp(rng) / sp.total;
            return;
        }
        self.epochs += 1;
        let round = self.epochs;
        for s in 0..self.sets.len() {
            if self.sets[s].down == 0 {
                continue;
            }
            for k in 0..self.sys.sets[s].members.len() {
                let i = self.sys.sets[s].members[k];
                if self.drives[i].up {
                    self.close_drive(i);
                    self.drives[i].budget = unit_exp(rng);
                    self.schedule_fail(i);
                }
            }
            for k in 0..self.prep.set_domains[s].len() {
                let d = self.prep.set_domains[s][k];
                // Once per copy, however many degraded sets it touches.
                if self.dom_stamp[d] == round {
                    continue;
                }
                self.dom_stamp[d] = round;
                self.close_domain(d);
                self.domains[d].budget = unit_exp(rng);
                self.schedule_domain(d);
            }
        }
    }

    /// The trial crossed up from level `from` to `to`: counts the crossings (with the weight
    /// before the event) and makes the copies.
    fn split(&mut self, from: u32, to: u32, rng: &mut ChaCha8Rng) {
        for k in from + 1..=to {
            self.crossed[k as usize] += self.cur_w;
            self.crossed_n[k as usize] += 1;
        }
        self.spawn(from, to, rng);
    }

    /// RESTART: for each level `k` in `from + 1..=to`, `factor[k] − 1` copies born at `k`
    /// (each of which makes its own copies for the levels above `k`), each run until its level
    /// drops below `k` or the mission ends; then the trial itself goes on from the same state.
    fn spawn(&mut self, from: u32, to: u32, rng: &mut ChaCha8Rng) {
        let prep = self.prep;
        let Some(plan) = &prep.split else {
            return;
        };
        if (from + 1..=to).all(|k| plan.factor[k as usize] <= 1) {
            return;
        }
        let outer = self.epoch;
        let snap = self.save();
        for k in from + 1..=to {
            for _ in 1..plan.factor[k as usize] {
                self.load(&snap);
                self.resample(rng);
                self.spawn(k, to, rng);
                self.events(k, rng);
            }
        }
        self.load(&snap);
        self.epoch = outer;
    }

    /// Cumulative hazard of drive `i` at age `a` (unbiased).
    fn hazard(&self, i: usize, a: f64) -> f64 {
        if self.prep.shape == 1.0 {
            a * self.sys.drives[i].lambda_per_hour
        } else {
            (a / self.prep.eta[i]).powf(self.prep.shape)
        }
    }

    /// Cumulative hazard gained by drive `i` from age `a0` over `dt` hours.
    fn hazard_gain(&self, i: usize, a0: f64, dt: f64) -> f64 {
        if self.prep.shape == 1.0 {
            dt * self.sys.drives[i].lambda_per_hour
        } else {
            self.hazard(i, a0 + dt) - self.hazard(i, a0)
        }
    }

    fn schedule_fail(&mut self, i: usize) {
        self.touch(i);
        let d = &mut self.drives[i];
        d.ver = d.ver.wrapping_add(1);
        let (age, budget, bias, anchor, ver) = (d.age, d.budget, d.bias, d.anchor, d.ver);
        let dt = if self.prep.shape == 1.0 {
            budget / (bias * self.sys.drives[i].lambda_per_hour)
        } else {
            let target = self.hazard(i, age) + budget / bias;
            self.prep.eta[i] * target.powf(1.0 / self.prep.shape) - age
        };
        self.heap.push(Ev {
            t: anchor + dt.max(0.0),
            kind: EvKind::DriveFail,
            id: i as u32,
            ver,
        });
    }

    /// Closes drive `i`'s hazard interval at `self.t` under its current factor (adding the
    /// exposure term of the likelihood ratio) and returns the hazard it gained.
    fn close_drive(&mut self, i: usize) -> f64 {
        self.touch(i);
        let (age, anchor, bias) = {
            let d = &self.drives[i];
            (d.age, d.anchor, d.bias)
        };
        let dt = self.t - anchor;
        let gain = self.hazard_gain(i, age, dt);
        self.log_w += (bias - 1.0) * gain;
        let d = &mut self.drives[i];
        d.budget = (d.budget - bias * gain).max(0.0);
        d.age = age + dt;
        d.anchor = self.t;
        gain
    }

    fn set_drive_bias(&mut self, i: usize, bias: f64) {
        if !self.drives[i].up || self.drives[i].bias == bias {
            return;
        }
        self.close_drive(i);
        self.drives[i].bias = bias;
        self.schedule_fail(i);
    }

    fn schedule_domain(&mut self, k: usize) {
        let dm = &mut self.domains[k];
        dm.ver = dm.ver.wrapping_add(1);
        let rate = self.sys.domains[k].rate_per_hour * dm.bias;
        self.heap.push(Ev {
            t: dm.anchor + dm.budget / rate,
            kind: EvKind::DomainFail,
            id: k as u32,
            ver: dm.ver,
        });
    }

    fn close_domain(&mut self, k: usize) {
        let r = self.sys.domains[k].rate_per_hour;
        let dm = &mut self.domains[k];
        let gain = r * (self.t - dm.anchor);
        self.log_w += (dm.bias - 1.0) * gain;
        dm.budget = (dm.budget - dm.bias * gain).max(0.0);
        dm.anchor = self.t;
    }

    fn set_bias_of(&self, s: usize) -> f64 {
        let st = &self.sets[s];
        if self.natural {
            1.0
        } else if st.down == 0 {
            self.prep.bias_up
        } else if st.down <= self.sys.sets[s].tolerance {
            self.prep.bias_deg[s]
        } else {
            1.0
        }
    }

    fn domain_bias(&self, k: usize) -> f64 {
        if self.natural {
            return 1.0;
        }
        let mut b: f64 = 1.0;
        let mut all_up = true;
        for s in &self.prep.domain_sets[k] {
            let st = &self.sets[*s];
            if st.down > 0 {
                all_up = false;
                if st.down <= self.sys.sets[*s].tolerance {
                    b = b.max(self.prep.bias_deg[*s]);
                }
            }
        }
        if all_up { self.prep.bias_up } else { b }
    }

    /// Re-derives the hazard factors after set `s` changed state.
    fn rebias_set(&mut self, s: usize) {
        if self.prep.split.is_some() {
            return; // every factor stays 1
        }
        let b = self.set_bias_of(s);
        if self.sets[s].bias != b {
            self.sets[s].bias = b;
            for k in 0..self.sys.sets[s].members.len() {
                let i = self.sys.sets[s].members[k];
                self.set_drive_bias(i, b);
            }
        }
        for k in 0..self.prep.set_domains[s].len() {
            let d = self.prep.set_domains[s][k];
            let nb = self.domain_bias(d);
            if self.domains[d].bias != nb {
                self.close_domain(d);
                self.domains[d].bias = nb;
                self.schedule_domain(d);
            }
        }
    }

    /// Drive `i` goes down (its clock already closed): counts the loss, starts its repair.
    /// Component `k` fails: per set it touches, its working drives drop (and need a resync),
    /// unless the component is an outage kind and dropping them would take a set from its
    /// tolerance or less past it: that set stops instead, its drives intact (an outage).
    /// `close`: the drives' own clocks are closed first (one clock per entity).
    fn domain_down(&mut self, k: usize, close: bool, rng: &mut ChaCha8Rng) {
        let prep = self.prep;
        let sys = self.sys;
        let mut stopped: Vec<usize> = Vec::new();
        if sys.domains[k].outage {
            for (s, ds) in &prep.domain_runs[k] {
                let (down, tol) = (self.sets[*s].down, sys.sets[*s].tolerance);
                let up = ds.iter().filter(|j| self.drives[**j].up).count() as u32;
                if down <= tol && down + up > tol {
                    stopped.push(*s);
                }
            }
            self.outages += stopped.len() as u64;
        }
        for &j in &sys.domains[k].drives {
            if self.drives[j].up && !stopped.contains(&sys.drives[j].set) {
                if close {
                    self.close_drive(j);
                }
                self.take_down(j, false, rng);
            }
        }
    }

    fn take_down(&mut self, i: usize, replaced: bool, rng: &mut ChaCha8Rng) {
        self.touch(i);
        let d = &mut self.drives[i];
        d.up = false;
        d.replaced = replaced;
        d.ver = d.ver.wrapping_add(1);
        let s = self.sys.drives[i].set;
        let tol = self.sys.sets[s].tolerance;
        let st = &mut self.sets[s];
        st.down += 1;
        let lost = st.down == tol + 1;
        if self.params.discipline == Repair::Serial && st.busy > 0 {
            self.drives[i].phase = Phase::Queued;
            st.queue.push_back(i);
        } else {
            st.busy += 1;
            self.begin_repair(i, rng);
        }
        if lost {
            self.hit = true;
            if let Some(plan) = &self.prep.split {
                // At the last level with `compensate`, the loss rate's integral stands for the
                // losses themselves (added in `events`).
                if !(self.prep.compensate && self.before == plan.top) {
                    self.ev_acc += self.cur_w;
                    if self.first_loss.is_none() {
                        self.p_acc += self.cur_w;
                    }
                }
                self.crossed[plan.top as usize + 1] += self.cur_w;
                self.crossed_n[plan.top as usize + 1] += 1;
            }
            self.losses += 1;
            if self.first_loss.is_none() {
                self.first_loss = Some(self.t);
                self.go_natural();
            }
        }
    }

    /// At the first loss: closes every open hazard interval (so `log_w` is the likelihood
    /// ratio of the path so far) and sets every factor to 1 for the rest of the mission.
    fn go_natural(&mut self) {
        self.natural = true;
        for i in 0..self.drives.len() {
            if self.drives[i].up {
                self.set_drive_bias(i, 1.0);
            }
        }
        for s in 0..self.sets.len() {
            self.sets[s].bias = 1.0;
        }
        for k in 0..self.domains.len() {
            if self.domains[k].bias != 1.0 {
                self.close_domain(k);
                self.domains[k].bias = 1.0;
                self.schedule_domain(k);
            }
        }
    }

    /// Starts drive `i`'s repair: the delay (fixed repairs), or straight to an exponential one.
    fn begin_repair(&mut self, i: usize, rng: &mut ChaCha8Rng) {
        self.touch(i);
        let sd = &self.sys.drives[i];
        match self.params.repair_time {
            RepairTime::Exponential => {
                let work = unit_exp(rng) * (sd.delay_hours + sd.work_hours);
                self.begin_work(i, work);
            }
            RepairTime::Fixed if sd.delay_hours > Hours::ZERO => {
                let d = &mut self.drives[i];
                d.phase = Phase::Delay;
                d.ver = d.ver.wrapping_add(1);
                let ev = Ev {
                    t: self.t + sd.delay_hours.hours(),
                    kind: EvKind::DelayDone,
                    id: i as u32,
                    ver: d.ver,
                };
                self.heap.push(ev);
            }
            RepairTime::Fixed => self.begin_work(i, sd.work_hours),
        }
    }

    /// Starts the transfer of drive `i`'s rebuild: `work` at the full rate.
    fn begin_work(&mut self, i: usize, work: Hours) {
        self.touch(i);
        let d = &mut self.drives[i];
        d.phase = Phase::Work;
        d.rem = work.hours();
        d.last = self.t;
        d.speed = 1.0;
        let link = self.sys.drives[i].link % self.prep.link_count;
        self.links[link].push(i);
        self.reschedule_link(link, Some(i));
    }

    /// Re-times every rebuild on `link` after its number of rebuilds changed.
    fn reschedule_link(&mut self, link: usize, new: Option<usize>) {
        let k = self.links[link].len().max(1) as f64;
        let speed = if self.params.shared_links {
            1.0 / k
        } else {
            1.0
        };
        for idx in 0..self.links[link].len() {
            let j = self.links[link][idx];
            let is_new = new == Some(j);
            if !self.params.shared_links && !is_new {
                continue;
            }
            self.touch(j);
            let d = &mut self.drives[j];
            if !is_new {
                d.rem = (d.rem - (self.t - d.last) * d.speed).max(0.0);
            }
            d.last = self.t;
            d.speed = speed;
            d.ver = d.ver.wrapping_add(1);
            let ev = Ev {
                t: self.t + d.rem / speed,
                kind: EvKind::WorkDone,
                id: j as u32,
                ver: d.ver,
            };
            self.heap.push(ev);
        }
    }

    fn finish_repair(&mut self, i: usize, rng: &mut ChaCha8Rng) {
        self.touch(i);
        let link = self.sys.drives[i].link % self.prep.link_count;
        if let Some(pos) = self.links[link].iter().position(|x| *x == i) {
            self.links[link].swap_remove(pos);
        }
        if self.params.shared_links {
            self.reschedule_link(link, None);
        }
        let s = self.sys.drives[i].set;
        let superposed = self.prep.superposed.is_some();
        {
            let d = &mut self.drives[i];
            d.phase = Phase::Idle;
            d.up = true;
            if d.replaced {
                d.age = 0.0;
            }
            d.anchor = self.t;
            d.bias = self.sets[s].bias;
        }
        if !superposed {
            self.drives[i].budget = unit_exp(rng);
            self.schedule_fail(i);
        }
        self.sets[s].down -= 1;
        self.sets[s].busy -= 1;
        if let Some(next) = self.sets[s].queue.pop_front() {
            self.sets[s].busy += 1;
            self.begin_repair(next, rng);
        }
        self.rebias_set(s);
    }

    /// One mission; returns (a loss seen, loss events, log likelihood ratio at the first loss).
    /// With splitting, the copies' weighted sums are in `p_acc` and `ev_acc`.
    fn run(&mut self, rng: &mut ChaCha8Rng) -> (bool, u32, f64) {
        self.start(rng);
        self.level = self.level_now();
        self.events(0, rng);
        // A trial without a loss contributes 0 whatever its weight; one with a loss carries the
        // likelihood ratio at its first loss (unbiased afterwards, so it is the final one).
        (self.first_loss.is_some(), self.losses, self.log_w)
    }

    /// Resets the state to a new system at time 0 with fresh clocks.
    fn start(&mut self, rng: &mut ChaCha8Rng) {
        let sys = self.sys;
        self.dirty.clear();
        self.new_epoch();
        self.hit = false;
        self.p_acc = 0.0;
        self.ev_acc = 0.0;
        self.cur_w = 1.0;
        self.t = 0.0;
        self.heap.clear();
        self.log_w = 0.0;
        self.natural = false;
        self.losses = 0;
        self.first_loss = None;
        for l in &mut self.links {
            l.clear();
        }
        self.sets.clear();
        for _ in &sys.sets {
            self.sets.push(SetState {
                down: 0,
                busy: 0,
                queue: VecDeque::new(),
                bias: self.prep.bias_up,
            });
        }
        self.loss_rate = None;
        if let Some(sp) = &self.prep.superposed {
            self.start_superposed(sp.total, rng);
            return;
        }
        self.drives.clear();
        for _ in 0..sys.drives.len() {
            let budget = unit_exp(rng);
            self.drives.push(DriveState {
                up: true,
                age: 0.0,
                anchor: 0.0,
                budget,
                bias: self.prep.bias_up,
                ver: 0,
                replaced: false,
                phase: Phase::Idle,
                rem: 0.0,
                last: 0.0,
                speed: 1.0,
            });
        }
        for i in 0..sys.drives.len() {
            self.schedule_fail(i);
        }
        self.domains.clear();
        for _ in 0..sys.domains.len() {
            let budget = unit_exp(rng);
            self.domains.push(DomainState {
                anchor: 0.0,
                budget,
                bias: self.prep.bias_up,
                ver: 0,
            });
        }
        for k in 0..sys.domains.len() {
            self.schedule_domain(k);
        }
    }

    /// Resets the drives and components to new at time 0 and draws the first failure event
    /// of the superposed clock of total rate `total`.
    fn start_superposed(&mut self, total: f64, rng: &mut ChaCha8Rng) {
        self.drives.clear();
        self.drives.resize(
            self.sys.drives.len(),
            DriveState {
                up: true,
                age: 0.0,
                anchor: 0.0,
                budget: 0.0,
                bias: 1.0,
                ver: 0,
                replaced: false,
                phase: Phase::Idle,
                rem: 0.0,
                last: 0.0,
                speed: 1.0,
            },
        );
        self.domains.clear();
        self.domains.resize(
            self.sys.domains.len(),
            DomainState {
                anchor: 0.0,
                budget: 0.0,
                bias: 1.0,
                ver: 0,
            },
        );
        self.next_fail = unit_exp(rng) / total;
    }

    /// Superposed clocks: the next failure event happens now; the rate table gives it to a
    /// drive or a component. Returns false when it fell on a drive that is down (thinned:
    /// nothing happens).
    fn fail_superposed(&mut self, rng: &mut ChaCha8Rng) -> bool {
        let prep = self.prep;
        let Some(sp) = &prep.superposed else {
            return false;
        };
        self.t = self.next_fail;
        let e = sp.pick(unit_uniform(rng));
        self.next_fail = self.t + unit_exp(rng) / sp.total;
        let n = self.sys.drives.len();
        if e < n {
            if !self.drives[e].up {
                return false;
            }
            self.drive_failures += 1;
            self.take_down(e, true, rng);
        } else {
            let k = e - n;
            self.domain_failures += 1;
            self.domain_down(k, false, rng);
        }
        true
    }

    /// The rate of loss events in the current state (exponential lifetimes): every working
    /// drive of a set at its tolerance brings one loss at its rate, and every component as many
    /// as there are sets its failure would take past their tolerance. Its integral over the
    /// time spent at the last level is the expected number of losses there (the compensator of
    /// their counting process), which [`Trial::events`] adds instead of counting them.
    fn loss_rate(&mut self) -> f64 {
        if let Some(r) = self.loss_rate {
            return r;
        }
        let sys = self.sys;
        let mut r = 0.0;
        for (s, st) in self.sets.iter().enumerate() {
            if st.down == sys.sets[s].tolerance {
                for &i in &sys.sets[s].members {
                    if self.drives[i].up {
                        r += sys.drives[i].lambda_per_hour;
                    }
                }
            }
        }
        for (d, runs) in self.prep.domain_runs.iter().enumerate() {
            if sys.domains[d].outage {
                // Its failure stops a set at its tolerance instead of losing it.
                continue;
            }
            let mut lost = 0u32;
            for (s, ds) in runs {
                let (down, tol) = (self.sets[*s].down, sys.sets[*s].tolerance);
                if down > tol || down as usize + ds.len() <= tol as usize {
                    continue;
                }
                let up = ds.iter().filter(|j| self.drives[**j].up).count() as u32;
                if down + up > tol {
                    lost += 1;
                }
            }
            r += sys.domains[d].rate_per_hour * f64::from(lost);
        }
        self.loss_rate = Some(r);
        r
    }

    /// With `compensate`: adds the expected losses from now to `until` while at the last level
    /// (weighted; to P(loss) too while this path has seen no loss) and moves the clock there.
    fn compensate_to(&mut self, until: f64) {
        let prep = self.prep;
        let Some(plan) = &prep.split else {
            return;
        };
        if !prep.compensate || self.level != plan.top || until <= self.t {
            return;
        }
        let x = plan.weight[plan.top as usize] * self.loss_rate() * (until - self.t);
        self.ev_acc += x;
        if self.first_loss.is_none() && x > 0.0 {
            self.p_acc += x;
            self.hit = true;
        }
        self.t = until;
    }

    /// Runs events until the mission ends or, with splitting, the level drops below `birth`.
    fn events(&mut self, birth: u32, rng: &mut ChaCha8Rng) {
        let prep = self.prep;
        let end = self.params.mission_hours.hours();
        loop {
            let rep_t = self.heap.peek().map_or(f64::INFINITY, |e| e.t);
            // Failures first at a tie, as in the heap's order.
            let fail_first = prep.superposed.is_some() && self.next_fail <= rep_t;
            let t_next = if fail_first { self.next_fail } else { rep_t };
            self.compensate_to(t_next.min(end));
            if t_next > end {
                break;
            }
            let before = self.level;
            self.before = before;
            if let Some(plan) = &prep.split {
                self.cur_w = plan.weight[before as usize];
            }
            let changed = if fail_first {
                self.fail_superposed(rng)
            } else {
                match self.heap.pop() {
                    Some(ev) => self.handle(ev, rng),
                    None => break,
                }
            };
            if !changed {
                continue;
            }
            self.loss_rate = None;
            if prep.split.is_some() {
                let after = self.level_now();
                self.level = after;
                if after < birth {
                    return;
                }
                if after > before {
                    self.split(before, after, rng);
                }
            }
        }
    }

    /// Handles one event of the heap; false when it was stale (nothing changed).
    fn handle(&mut self, ev: Ev, rng: &mut ChaCha8Rng) -> bool {
        let sys = self.sys;
        let i = ev.id as usize;
        match ev.kind {
            EvKind::DriveFail => {
                if !self.drives[i].up || self.drives[i].ver != ev.ver {
                    return false;
                }
                self.t = ev.t;
                self.drive_failures += 1;
                self.close_drive(i);
                self.log_w -= self.drives[i].bias.ln();
                self.take_down(i, true, rng);
                let s = sys.drives[i].set;
                self.rebias_set(s);
            }
            EvKind::DomainFail => {
                if self.domains[i].ver != ev.ver {
                    return false;
                }
                self.t = ev.t;
                self.domain_failures += 1;
                self.close_domain(i);
                self.log_w -= self.domains[i].bias.ln();
                self.domain_down(i, true, rng);
                self.domains[i].budget = unit_exp(rng);
                self.domains[i].anchor = self.t;
                for k in 0..self.prep.domain_sets[i].len() {
                    let s = self.prep.domain_sets[i][k];
                    self.rebias_set(s);
                }
                // The domain's own clock restarts (its factor may not have changed).
                self.schedule_domain(i);
            }
            EvKind::DelayDone => {
                if self.drives[i].ver != ev.ver || self.drives[i].phase != Phase::Delay {
                    return false;
                }
                self.t = ev.t;
                self.begin_work(i, sys.drives[i].work_hours);
            }
            EvKind::WorkDone => {
                if self.drives[i].ver != ev.ver || self.drives[i].phase != Phase::Work {
                    return false;
                }
                self.t = ev.t;
                self.finish_repair(i, rng);
            }
        }
        true
    }
}

fn run_chunk(sys: &System, prep: &Prep, params: &McParams, chunk: u64, trials: u64) -> Stats {
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    rng.set_stream(chunk);
    let mut trial = Trial::new(sys, prep, params);
    let mut st = Stats::default();
    for _ in 0..trials {
        let (lost, events, log_w) = trial.run(&mut rng);
        let (p, e, lost) = if prep.split.is_some() {
            (trial.p_acc, trial.ev_acc, trial.hit)
        } else {
            let w = log_w.exp();
            (if lost { w } else { 0.0 }, w * f64::from(events), lost)
        };
        st.p.push(p);
        st.largest = st.largest.max(p);
        st.events.push(e);
        st.hits += u64::from(lost);
        st.events_total = st.events_total.saturating_add(u64::from(events));
    }
    st.drive_failures = trial.drive_failures;
    st.domain_failures = trial.domain_failures;
    st.outages = trial.outages;
    st
}

/// Where a running simulation stands, reported between batches of trials.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// What is simulated (`pod`, `tome`, `vault`).
    pub scope: String,
    /// Trials done so far.
    pub trials: u64,
    /// Most trials the run will do.
    pub max_trials: u64,
    /// Trials that saw a loss so far.
    pub hits: u64,
    /// The current relative half-width of P(loss), when there is one.
    pub relative: Option<f64>,
}

/// The interval of P(loss): exact binomial under plain counting, normal on the weights under
/// importance sampling (no upper end when no trial saw a loss).
fn p_interval(stats: &Stats, importance: bool) -> Interval {
    if !importance {
        Interval::clopper_pearson(stats.hits, stats.p.n, 1.0)
    } else if stats.hits == 0 {
        Interval::no_loss_seen()
    } else {
        stats.p.interval()
    }
}

/// Runs the simulation of `sys` under `params`.
pub fn estimate(sys: &System, params: &McParams) -> Estimate {
    estimate_with_progress(sys, params, &|_| {})
}

/// Runs the simulation of `sys` under `params`, calling `progress` after every batch of
/// trials (the library never prints: the caller decides whether to show it).
pub fn estimate_with_progress(
    sys: &System,
    params: &McParams,
    progress: &dyn Fn(&Progress),
) -> Estimate {
    estimate_prepared(sys, params, prepare(sys, params), progress)
}

/// [`estimate_with_progress`] with the run's constants already prepared.
fn estimate_prepared(
    sys: &System,
    params: &McParams,
    mut prep: Prep,
    progress: &dyn Fn(&Progress),
) -> Estimate {
    let method = if prep.split.is_some() {
        calibrate(sys, &mut prep, params);
        Method::Splitting
    } else if params.importance_sampling {
        Method::Biasing
    } else {
        Method::Counting
    };
    let mut stats = Stats::default();
    let mut done = 0u64;
    let total_chunks = |n: u64| n.div_ceil(CHUNK);
    loop {
        let (from, to, cap) = match params.trials {
            Trials::Fixed(n) => (
                done,
                total_chunks(n).min(done.saturating_add(MAX_BATCH_CHUNKS)),
                n,
            ),
            Trials::Until { relative, max } => {
                // Split trials are costly: look at the estimate sooner (two chunks, one per
                // core on a laptop), then at most double.
                let first = if prep.split.is_some() { 2 } else { 8 };
                let batch = if prep.split.is_some() {
                    next_batch(&stats, relative, done, first)
                } else {
                    done.clamp(first, MAX_BATCH_CHUNKS)
                };
                (done, done.saturating_add(batch).min(total_chunks(max)), max)
            }
        };
        if from >= to {
            break;
        }
        let results: Vec<Stats> = (from..to)
            .into_par_iter()
            .map(|c| {
                let n = CHUNK.min(cap.saturating_sub(c.saturating_mul(CHUNK)));
                run_chunk(sys, &prep, params, c, n)
            })
            .collect();
        for r in &results {
            stats.merge(r);
        }
        done = to;
        let iv = p_interval(&stats, params.importance_sampling);
        progress(&Progress {
            scope: sys.scope.clone(),
            trials: stats.p.n,
            max_trials: cap,
            hits: stats.hits,
            relative: iv.relative(),
        });
        match params.trials {
            Trials::Fixed(_) => {}
            Trials::Until { relative, max } => {
                if precise(&stats, &iv, relative) || stats.p.n >= max {
                    break;
                }
            }
        }
    }
    let years = params.mission_hours.years();
    let p_loss = p_interval(&stats, params.importance_sampling);
    let (target_relative, precision_reached) = match params.trials {
        Trials::Fixed(_) => (None, None),
        Trials::Until { relative, .. } => {
            (Some(relative), Some(precise(&stats, &p_loss, relative)))
        }
    };
    // Loss events: exact when every trial with a loss had one (the count is then binomial),
    // otherwise normal on the per-trial counts.
    let events = if params.importance_sampling && stats.hits == 0 {
        Interval::no_loss_seen()
    } else if !params.importance_sampling && stats.events_total == stats.hits {
        Interval::clopper_pearson(stats.hits, stats.p.n, 1.0)
    } else {
        stats.events.interval()
    };
    Estimate {
        trials: stats.p.n,
        hits: stats.hits,
        p_loss,
        loss_events: events,
        loss_events_per_year: events.map(|x| x / years),
        simulated_years: stats.p.n as f64 * years,
        target_relative,
        precision_reached,
        drive_failures: stats.drive_failures,
        domain_failures: stats.domain_failures,
        outages: stats.outages,
        method,
        biasing: (method == Method::Biasing).then(|| Biasing {
            bias_up: prep.bias_up,
            bias_degraded: prep.bias_deg.clone(),
        }),
        splitting: prep.split.as_ref().map(|p| p.factor[1..].to_vec()),
        weights: weights(&stats),
    }
}

/// Margin on the trials a run is predicted to need, so the batch that should reach the
/// target usually does.
const BATCH_MARGIN: f64 = 1.1;

/// Chunks in the next batch of a splitting run to a target `relative` half-width, `done`
/// chunks run:
/// `first` to begin with; then, once the interval is trusted ([`MIN_HITS`]), the trials it
/// predicts are still needed (the half-width falls as `1/√n`, so `n (r / target)²` in all,
/// with [`BATCH_MARGIN`]), at least one chunk and at most as many as were run (doubling); a
/// function of the results so far only, so the run stays reproducible.
fn next_batch(stats: &Stats, relative: f64, done: u64, first: u64) -> u64 {
    let doubling = done.clamp(first, MAX_BATCH_CHUNKS);
    if done == 0 || stats.hits < MIN_HITS {
        return doubling;
    }
    let iv = p_interval(stats, true);
    match iv.relative() {
        Some(r) if relative > 0.0 => {
            let need = stats.p.n as f64 * (r / relative).powi(2) * BATCH_MARGIN;
            let more = ((need - stats.p.n as f64) / CHUNK as f64).ceil();
            (more.max(1.0) as u64).min(doubling)
        }
        _ => doubling,
    }
}

/// The weight diagnostic of `stats`.
fn weights(stats: &Stats) -> Weights {
    let sum = stats.p.mean * stats.p.n as f64;
    let sq = stats.p.m2 + stats.p.n as f64 * stats.p.mean * stats.p.mean;
    if sum > 0.0 && sq > 0.0 {
        Weights {
            effective_trials: sum * sum / sq,
            largest_share: (stats.largest / sum).min(1.0),
        }
    } else {
        Weights {
            effective_trials: 0.0,
            largest_share: 0.0,
        }
    }
}

/// Trials per stage of the splitting pilot ([`calibrate`]).
const PILOT_TRIALS: u64 = CHUNK;

/// The most copies made at one level crossing.
const MAX_FACTOR: u32 = 10_000;

/// The random streams of the pilot start here, far above any chunk of the estimate.
const PILOT_STREAM: u64 = 1 << 62;

/// Chooses the splitting factors one level at a time (model §9.2): with the factors below
/// level `k` fixed, a pilot of [`PILOT_TRIALS`] trials counts the weighted up-crossings into
/// `k` and into `k + 1` (losses above the top level); their ratio estimates the chance `p_k`
/// that a trial at `k` climbs one level before it falls back, and `factor[k] = 1 / p_k`
/// (rounded, at most [`MAX_FACTOR`]) keeps the number of trials alike at every level — the
/// optimum of RESTART. A level the pilot never reached gets 1; one whose next level it never
/// reached gets the number of crossings seen. The pilot only chooses factors (any factors
/// leave the estimate unbiased), and its streams are its own, so the result stays a function
/// of the seed and the trial count.
fn calibrate(sys: &System, prep: &mut Prep, params: &McParams) {
    let top = prep.split.as_ref().map_or(0, |p| p.top) as usize;
    let mut factor = vec![1u32; top + 1];
    // With `compensate` the last level is not split: its losses are expected values.
    let last = if prep.compensate {
        top.saturating_sub(1)
    } else {
        top
    };
    for stage in 1..=last {
        prep.split = Some(SplitPlan::new(sys, factor.clone()));
        let chunks = PILOT_TRIALS.div_ceil(CHUNK);
        let base = PILOT_STREAM + stage as u64 * chunks;
        let shared: &Prep = prep;
        let counts: Vec<(Vec<f64>, Vec<u64>)> = (0..chunks)
            .into_par_iter()
            .map(|c| {
                let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
                rng.set_stream(base + c);
                let mut trial = Trial::new(sys, shared, params);
                for _ in 0..CHUNK {
                    trial.run(&mut rng);
                }
                (trial.crossed, trial.crossed_n)
            })
            .collect();
        let (mut w, mut n) = (vec![0.0; top + 2], vec![0u64; top + 2]);
        for (cw, cn) in &counts {
            for j in 0..top + 2 {
                w[j] += cw[j];
                n[j] += cn[j];
            }
        }
        factor[stage] = if n[stage] == 0 {
            1
        } else if w[stage + 1] <= 0.0 {
            n[stage].min(u64::from(MAX_FACTOR)) as u32
        } else {
            (w[stage] / w[stage + 1])
                .round()
                .clamp(1.0, f64::from(MAX_FACTOR)) as u32
        };
    }
    prep.split = Some(SplitPlan::new(sys, factor));
}

/// True when the P(loss) interval is within `relative` of its estimate, from at least
/// [`MIN_HITS`] trials with a loss.
fn precise(stats: &Stats, iv: &Interval, relative: f64) -> bool {
    stats.hits >= MIN_HITS && iv.relative().is_some_and(|r| r <= relative)
}

/// How a simulated figure compares with a closed form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    /// The closed form.
    pub model: Model,
    /// Which figure is compared: `p-mission` for the Markov chains (their transient solution
    /// from a new pod is exact for the first loss) or `events-per-year` for the sliding window
    /// (its expected up-crossings from a new pod, [`crate::durability::sliding_events_from_new`],
    /// are exact).
    pub figure: String,
    /// The closed form's value.
    pub analytic: f64,
    /// The simulation's interval.
    pub simulated: Interval,
    /// True when the closed form lies inside the simulation's 95 % interval; `None` when the
    /// interval has no upper end and the closed form is above its lower end.
    pub inside: Option<bool>,
    /// Simulated / analytic (`None` when the closed form is 0).
    pub ratio: Option<f64>,
}

/// Compares an estimate with a closed form's value of the figure that model gives exactly:
/// `analytic` is the probability of loss within the mission for the Markov models, the
/// expected loss events per year from a new pod for the sliding window.
pub fn agreement(est: &Estimate, model: Model, analytic: f64) -> Agreement {
    let (figure, iv) = match model {
        Model::Sliding => ("events-per-year", est.loss_events_per_year),
        _ => ("p-mission", est.p_loss),
    };
    Agreement {
        model,
        figure: figure.to_string(),
        analytic,
        simulated: iv,
        inside: iv.contains(analytic),
        ratio: (analytic > 0.0).then(|| iv.mean / analytic),
    }
}

/// The closed-form value [`agreement`] compares for `model`, for sets of `(units, n, m, λ per
/// hour, repair time)`, independent, over `mission` from a new pod.
pub fn closed_form_value(
    sets: &[(u32, u32, u32, f64, Hours)],
    model: Model,
    mission: Hours,
) -> f64 {
    match model {
        Model::Sliding => {
            sets.iter()
                .map(|&(units, n, m, l, r)| {
                    f64::from(units)
                        * crate::durability::sliding_events_from_new(
                            n,
                            m,
                            l,
                            r.hours(),
                            mission.hours(),
                        )
                })
                .sum::<f64>()
                / mission.years()
        }
        _ => crate::durability::any_of_each(sets.iter().map(|&(units, n, m, l, r)| {
            crate::durability::any_of(
                crate::durability::set_figures(n, m, l, r, mission, model).p_mission,
                f64::from(units),
            )
        })),
    }
}

// ------------------------------------------------------------------------------------------
// The runs `podplan durability --monte-carlo` reports
// ------------------------------------------------------------------------------------------

/// A component failure rate as the user gave it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ComponentAfr {
    /// The kind of component.
    pub kind: DomainKind,
    /// Its annualized failure rate, percent per component-year.
    pub afr_pct: f64,
}

/// One simulated system and what it found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct McRun {
    /// `pod` (every group of the layout), `tome` (one k+m code across pods) or `vault` (every
    /// tome of the Vault, simulated together because failure domains couple them).
    pub scope: String,
    /// Drives simulated.
    pub drives: u32,
    /// Redundancy sets simulated.
    pub sets: u32,
    /// Failure domains simulated (components with a failure rate).
    pub domains: u32,
    /// The estimate.
    pub estimate: Estimate,
    /// The closed form that models this scenario exactly, and whether it lies in the interval.
    pub closed_form: Option<Agreement>,
    /// For a tome: the Vault's probability, `1 − (1 − p)^tomes` over its interval (tomes are
    /// independent without failure domains).
    pub vault_from_tome: Option<Interval>,
}

/// Everything the Monte Carlo part of `podplan durability` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct McReport {
    /// The parameters.
    pub params: McParams,
    /// Component failure rates (failure domains), as given.
    pub components: Vec<ComponentAfr>,
    /// The scenario in words.
    pub scenario: String,
    /// True when the closed forms model the scenario exactly.
    pub closed_form_covers: bool,
    /// The runs: the pod, and the tome or Vault when a Vault is reported.
    pub runs: Vec<McRun>,
}

/// The scenario of `params` in words.
pub fn describe(params: &McParams, components: &[ComponentAfr]) -> String {
    let repair = match (params.repair_time, params.discipline) {
        (RepairTime::Fixed, Repair::Parallel) => "fixed-length repairs in parallel",
        (RepairTime::Fixed, Repair::Serial) => "fixed-length repairs one at a time per set",
        (RepairTime::Exponential, Repair::Parallel) => "exponential repairs in parallel",
        (RepairTime::Exponential, Repair::Serial) => "exponential repairs one at a time per set",
    };
    let life = if params.weibull_shape == 1.0 {
        "exponential lifetimes".to_string()
    } else {
        format!("Weibull lifetimes (shape {})", params.weibull_shape)
    };
    let links = if params.shared_links {
        "rebuilds on one controller share it"
    } else {
        "rebuilds independent"
    };
    let comps = if components.is_empty() {
        "no component failures".to_string()
    } else {
        components
            .iter()
            .map(|c| format!("{} {} %/yr", c.kind.name(), c.afr_pct))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!("{life}; {repair}; {links}; {comps}")
}

fn run_of(
    sys: &System,
    params: &McParams,
    analytic: Option<(Model, f64)>,
    progress: &dyn Fn(&Progress),
) -> McRun {
    let est = estimate_with_progress(sys, params, progress);
    McRun {
        scope: sys.scope.clone(),
        drives: sys.drives.len() as u32,
        sets: sys.sets.len() as u32,
        domains: sys.domains.len() as u32,
        closed_form: analytic.map(|(m, v)| agreement(&est, m, v)),
        estimate: est,
        vault_from_tome: None,
    }
}

/// Simulates the pod of a durability report (and its Vault, when it has one) under `params`,
/// with component failures at `components`, and compares each run with the closed form that
/// models it exactly, when one does. `progress` is called between batches of trials.
pub fn run_report(
    pod: &Pod,
    layout: &Layout,
    report: &crate::durability::DurabilityReport,
    components: &[ComponentAfr],
    params: &McParams,
    progress: &dyn Fn(&Progress),
) -> McReport {
    let rates: ComponentRates = components
        .iter()
        .map(|c| (c.kind, c.afr_pct / 100.0 / HOURS_PER_YEAR))
        .collect();
    let per_group: Vec<(f64, Hours, Hours)> = report
        .groups
        .iter()
        .map(|g| {
            (
                g.lambda_per_hour,
                g.rebuild.delay_hours,
                g.rebuild.transfer_hours,
            )
        })
        .collect();
    let mission = params.mission_hours;
    let pod_sys = System::pod(pod, layout, &per_group, &rates);
    let model = params.closed_form(&pod_sys);
    let pod_sets: Vec<(u32, u32, u32, f64, Hours)> = report
        .groups
        .iter()
        .map(|g| {
            let r = g.redundancy;
            (r.units, r.n, r.m, g.lambda_per_hour, g.rebuild.hours)
        })
        .collect();
    let mut runs = vec![run_of(
        &pod_sys,
        params,
        model.map(|m| (m, closed_form_value(&pod_sets, m, mission))),
        progress,
    )];
    if let Some(v) = &report.vault {
        let lambda = report.convention.lambda_per_hour(v.inputs.afr_pct);
        let (k, m) = (v.inputs.data, v.inputs.parity);
        let h = v.inputs.rebuild_hours;
        if rates.is_empty() {
            let sys = System {
                scope: "tome".into(),
                ..System::set(k + m, m, lambda, Hours::ZERO, h)
            };
            let analytic = params.closed_form(&sys).map(|mo| {
                (
                    mo,
                    closed_form_value(&[(1, k + m, m, lambda, h)], mo, mission),
                )
            });
            let mut run = run_of(&sys, params, analytic, progress);
            let tomes = f64::from(v.tomes);
            run.vault_from_tome = Some(
                run.estimate
                    .p_loss
                    .map(|p| crate::durability::any_of(p, tomes)),
            );
            runs.push(run);
        } else {
            let sys = System::vault(pod, k, m, lambda, h, &rates);
            runs.push(run_of(&sys, params, None, progress));
        }
    }
    McReport {
        params: params.clone(),
        components: components.to_vec(),
        scenario: describe(params, components),
        closed_form_covers: model.is_some(),
        runs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gamma_matches_known_values() {
        assert!((gamma(1.0) - 1.0).abs() < 1e-13);
        assert!((gamma(5.0) - 24.0).abs() < 1e-11);
        assert!((gamma(1.5) - std::f64::consts::PI.sqrt() / 2.0).abs() < 1e-13);
    }

    /// Estimates `sys` with one clock per drive and component and copies at every level (the
    /// engine of Weibull lifetimes) when `clocks`, else as [`estimate`] does.
    fn with_engine(sys: &System, params: &McParams, clocks: bool) -> Estimate {
        let mut prep = prepare(sys, params);
        if clocks {
            prep.superposed = None;
            prep.compensate = false;
        }
        estimate_prepared(sys, params, prep, &|_| {})
    }

    /// A 4-drive set tolerating 2, each drive failing at `lambda` and behind its own component
    /// failing at `r`: a 4-drive set of rate `lambda + r`, which the sliding window (fixed
    /// repairs) and the parallel Markov chain (exponential repairs) model exactly.
    fn four_behind_own_components(lambda: f64, r: f64, window: Hours) -> System {
        let mut sys = System::set(4, 2, lambda, Hours::ZERO, window);
        sys.domains = (0..4)
            .map(|i| SimDomain {
                kind: DomainKind::Backplane,
                id: format!("bp{i}"),
                drives: vec![i],
                rate_per_hour: r,
                // As destructive as a drive failure, so the closed form of λ + r applies.
                outage: false,
            })
            .collect();
        sys
    }

    /// Superposed clocks (with thinning of failures that fall on drives already down) and the
    /// last level by its expected losses give the closed forms, as one clock per entity with
    /// copies at every level does, for fixed and exponential repairs.
    #[test]
    fn superposed_clocks_and_expected_last_level_match_the_closed_forms() {
        let (lambda, r, window) = (0.3 / HOURS_PER_YEAR, 0.3 / HOURS_PER_YEAR, Hours(120.0));
        let sys = four_behind_own_components(lambda, r, window);
        for (repair_time, model) in [
            (RepairTime::Fixed, Model::Sliding),
            (RepairTime::Exponential, Model::MarkovParallel),
        ] {
            let params = McParams {
                seed: 11,
                repair_time,
                ..McParams::default()
            };
            let want = closed_form_value(&[(1, 4, 2, lambda + r, window)], model, ONE_YEAR);
            for clocks in [false, true] {
                // One clock per entity is the slow engine: fewer trials.
                let n = if clocks { 5_000 } else { 100_000 };
                let params = McParams {
                    trials: Trials::Fixed(n),
                    ..params.clone()
                };
                let est = with_engine(&sys, &params, clocks);
                assert_eq!(est.method, Method::Splitting);
                // Within 3.29 standard errors (99.9 %: four runs with fixed seeds, none
                // re-drawn until it passes) and tight enough to see a wrong rate.
                let a = agreement(&est, model, want);
                let half = a.simulated.half_width.unwrap_or(f64::INFINITY);
                let off = (a.simulated.mean - want).abs() / (half / Z95);
                assert!(off < 3.29, "clocks {clocks}: {off} standard errors: {a:?}");
                let rel = a.simulated.relative().unwrap_or(1.0);
                assert!(rel < 0.05, "clocks {clocks}: {a:?}");
                // Copies at the last level only with one clock per entity.
                let last = est.splitting.as_ref().and_then(|f| f.last().copied());
                assert_eq!(last.is_some_and(|f| f > 1), clocks, "{:?}", est.splitting);
            }
        }
    }

    const ONE_YEAR: Hours = Hours(HOURS_PER_YEAR);

    /// A splitting run to a precision stops near the trials that precision needs (the
    /// half-width falls as `1/√n`): not a doubling past them.
    #[test]
    fn a_splitting_run_stops_near_the_trials_its_precision_needs() {
        let sys = four_behind_own_components(0.0, 0.6 / HOURS_PER_YEAR, Hours(120.0));
        for target in [0.02, 0.01] {
            let params = McParams {
                seed: 5,
                trials: Trials::Until {
                    relative: target,
                    max: 10_000_000,
                },
                ..McParams::default()
            };
            let est = estimate(&sys, &params);
            assert_eq!(est.precision_reached, Some(true));
            let r = est.p_loss.relative().unwrap_or(1.0);
            let needed = est.trials as f64 * (r / target).powi(2);
            assert!(
                (est.trials as f64) < 1.25 * needed + 2.0 * CHUNK as f64,
                "{target}: {} trials where about {needed} would do",
                est.trials
            );
        }
    }

    #[test]
    fn moments_merge_like_one_pass() {
        let xs = [0.0, 1.0, 5.0, 2.0, 0.0, 7.5, 3.0];
        let mut all = Moments::default();
        xs.iter().for_each(|x| all.push(*x));
        let (mut a, mut b) = (Moments::default(), Moments::default());
        xs[..3].iter().for_each(|x| a.push(*x));
        xs[3..].iter().for_each(|x| b.push(*x));
        a.merge(&b);
        assert!((a.mean - all.mean).abs() < 1e-12 && (a.m2 - all.m2).abs() < 1e-9);
    }
}
