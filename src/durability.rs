//! Durability: the probability that a redundancy group, a pod and a Backblaze Vault lose data,
//! under each of the reliability models of `docs/model.md` §6, side by side.
//!
//! This module owns the analytic models and their aggregation, and nothing else: it is a set of
//! pure functions from numbers (drives per group, tolerated failures, failure rate, rebuild
//! time) to probabilities. It does not decide rebuild rates (the caller passes a [`Rebuild`] per
//! group, from the bandwidth engine or from the user), it does not simulate (that is
//! [`crate::montecarlo`]) and it never prints. Every formula names its source: a section of
//! `docs/model.md` and its numbered reference (`\[47\]` Backblaze's durability post, `\[48\]` Greenan,
//! Plank & Wylie, `\[55\]` the URE sources).
//!
//! The models (model §6.5 explains why they differ by more than a nine):
//!
//! * [`Model::MarkovSerial`], [`Model::MarkovParallel`]: the exact continuous-time Markov chain
//!   of a k+m group (§6.3), exponential lifetimes and exponential repairs, one repair at a time
//!   or all at once. MTTDL is the solution of the linear system `Σ_j q_ij (T_j − T_i) = −1`;
//!   the probability of loss within the mission is the transient solution, an entry of the
//!   matrix exponential of the generator.
//! * [`Model::Sliding`]: fixed-length (deterministic) repairs running in parallel, the
//!   sliding-window model (§6.5): loss when a failure arrives while `m` others are inside their
//!   repair windows.
//! * [`Model::Backblaze`]: Backblaze's published period model (§6.4, \[47\]): the year cut into
//!   periods of one repair time, binomial loss within a period.
//!
//! Unrecoverable read errors during a critical rebuild (§6.6) are partial (sector) loss and are
//! reported apart from whole-group loss, in [`UreExposure`].

use crate::layout::{Group, Layout, Shape};
use crate::model::Pod;
use crate::spec::Level;
use crate::units::{Bytes, Hours, MBps};
use serde::Serialize;

/// Hours in a year: the unit AFRs are quoted per (model §6.1: `λ = AFR / 8760 h`); defined
/// once, in [`crate::units::HOURS_PER_YEAR`].
pub const HOURS_PER_YEAR: f64 = crate::units::HOURS_PER_YEAR;

/// Backblaze's published Vault durability inputs, 2018 (model §8, \[47\]): 17 data + 3 parity
/// shards, 0.405 % annual shard failure rate, 6.5 days to replace and repopulate a shard, as in
/// `durability.py 17 3 0.00405 6.5`. These are inputs Backblaze stated, not results.
pub const BACKBLAZE_2018: VaultInputs = VaultInputs {
    data: 17,
    parity: 3,
    afr_pct: 0.405,
    rebuild_hours: Hours(6.5 * 24.0),
};

/// A design's source worded as `[tag] text` (`\[P\] https://…`), as the notes and the JSON show
/// it.
pub struct TaggedSource<'a>(pub &'a crate::spec::Source);

impl std::fmt::Display for TaggedSource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::spec::Source as S;
        let (S::Published(t) | S::ThirdParty(t) | S::Derived(t) | S::Estimated(t)) = self.0;
        write!(f, "[{}] {t}", self.0.tag())
    }
}

fn tagged_source<S: serde::Serializer>(
    source: &crate::spec::Source,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_str(&TaggedSource(source))
}

/// The detection and replacement delay assumed without a hot spare when the design states
/// none (`raid.replace_delay`), hours: a day to notice the failed drive and swap it, the
/// next-business-day replacement of common server support contracts. Chosen as neutral: it is
/// no particular fleet's practice (Backblaze's designs state their own, 84 h, the mean wait for
/// the weekly drive-swap day of its early fleet, docs/sources.md §4.3).
pub const NO_SPARE_DELAY: Hours = Hours(24.0);

/// Where a rebuild's detection and replacement delay comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DelaySource {
    /// The user's `--replace-hours`.
    User,
    /// The design's `raid.replace_delay`, with its source (serialized as `[tag] text`).
    Design {
        /// The design's source for the figure.
        #[serde(serialize_with = "tagged_source")]
        source: crate::spec::Source,
    },
    /// A hot spare: the rebuild starts at once (0 h).
    HotSpare,
    /// No hot spare and no delay in the design: [`NO_SPARE_DELAY`].
    NoSpareDefault,
}

/// The longest time to restore redundancy podplan accepts, hours: ten years (87,660 h). No
/// real repair takes longer: a drive not replaced within ten years has outlived its warranty
/// several times over (Backblaze's pod drives carried three-year warranties, docs/sources.md
/// §4.3), and the closed forms and the simulation lose all meaning long before (see
/// [`Domain`](crate::layout::Domain)). Longer inputs are refused rather than turned into figures.
pub const MAX_REPAIR_HOURS: f64 = 87_660.0;

/// The fastest per-drive rebuild rate podplan accepts, MB/s: 100,000 MB/s (100 GB/s), some
/// hundred times any drive's sequential rate; a faster figure is a typo.
pub(crate) const MAX_REBUILD_MB_S: f64 = 100_000.0;

/// The domain of the sliding-window and period models: at most this many drive failures
/// expected in a set within one repair time, `n·λ·T_R ≤ 0.1`. Both count failures landing in
/// repair windows of a set that is almost always whole; when a set spends a real share of its
/// time degraded they stop describing it (at `λ·T_R ≫ 1` the sliding window's up-crossings
/// vanish and the period model saturates at 1).
pub const DOMAIN_MAX_FAILURES_PER_REPAIR: f64 = 0.1;

/// The domain of the sliding-window and period models: a repair at most this share of the
/// mission, `T_R ≤ mission / 10`. The sliding window is a steady-state rate (its start-up
/// transient is about `T_R / mission` of the figure) and the period model needs whole periods.
pub const DOMAIN_MAX_REPAIR_SHARE: f64 = 0.1;

/// True when `model` is inside its domain for a set of `n` drives with failure rate `lambda`
/// per hour, repairs of `rebuild` and a mission of `mission`. The Markov chains
/// are exact for their assumptions at any input; the sliding window and the period model need
/// [`DOMAIN_MAX_FAILURES_PER_REPAIR`] and [`DOMAIN_MAX_REPAIR_SHARE`].
pub fn in_domain(model: Model, n: u32, lambda: f64, rebuild: Hours, mission: Hours) -> bool {
    match model {
        Model::MarkovSerial | Model::MarkovParallel => true,
        Model::Sliding | Model::Backblaze => {
            f64::from(n) * lambda * rebuild.hours() <= DOMAIN_MAX_FAILURES_PER_REPAIR
                && rebuild <= DOMAIN_MAX_REPAIR_SHARE * mission
        }
    }
}

/// The largest URE specification accepted, bits read per error: 1e30, well beyond any
/// vendor's (1e14 to 1e17).
pub(crate) const MAX_URE_BITS: f64 = 1e30;

/// Why a durability figure cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DurabilityError {
    /// An AFR that is not a positive percentage of at most 100, or (as a probability) one that
    /// gives no finite failure rate.
    #[error(
        "AFR {} % is out of range: it must be above 0 and at most 100 % per drive-year (below 100 as a probability)",
        crate::units::fmt_bounded(*.0)
    )]
    Afr(f64),
    /// A rebuild that takes no time, a non-finite time or longer than [`MAX_REPAIR_HOURS`].
    #[error(
        "rebuild time {} h is out of range: it must be above 0 and at most {MAX_REPAIR_HOURS} h (ten years)",
        crate::units::fmt_bounded(*.0)
    )]
    RebuildHours(f64),
    /// Tolerated failures not below the group width.
    #[error("parity {parity} must be less than the group width {width}")]
    Parity {
        /// Group width.
        width: u32,
        /// Tolerated failures.
        parity: u32,
    },
    /// A mission time that is not positive.
    #[error("mission time {0} years must be positive")]
    Mission(f64),
    /// A URE rate that is not a positive number of bits.
    #[error("URE rate 1 per {0} bits is out of range")]
    Ure(f64),
    /// The bandwidth model cannot give rebuild times for these parameters.
    #[error(transparent)]
    Bandwidth(#[from] crate::bandwidth::BandwidthError),
    /// The number of groups does not match the rebuild times given.
    #[error("{groups} groups but {rebuilds} rebuild times")]
    RebuildCount {
        /// Groups in the layout.
        groups: usize,
        /// Rebuild times given.
        rebuilds: usize,
    },
}

/// How an annualized failure rate becomes a failure rate per hour (model §6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum AfrConvention {
    /// AFR is a rate, failures per drive-year (Backblaze's definition \[46\]\[47\]):
    /// `λ = AFR / 8760 h`. The default, and the convention of model §7's table.
    #[default]
    Rate,
    /// AFR is the probability `p` of failing within a year: `λ = −ln(1 − p) / 8760 h`.
    Probability,
}

impl AfrConvention {
    /// The per-hour failure rate λ of a drive with this AFR (percent).
    pub fn lambda_per_hour(self, afr_pct: f64) -> f64 {
        let a = afr_pct / 100.0;
        match self {
            AfrConvention::Rate => a / HOURS_PER_YEAR,
            AfrConvention::Probability => -(-a).ln_1p() / HOURS_PER_YEAR,
        }
    }
}

/// Checks that a failure rate per hour computed from an AFR is finite (an AFR of 100 % as a
/// probability gives `−ln 0`).
pub(crate) fn check_lambda(afr_pct: f64, lambda: f64) -> Result<f64, DurabilityError> {
    if lambda.is_finite() && lambda > 0.0 {
        Ok(lambda)
    } else {
        Err(DurabilityError::Afr(afr_pct))
    }
}

/// Checks an AFR in percent: above 0, at most 100, finite.
pub(crate) fn check_afr(afr_pct: f64) -> Result<f64, DurabilityError> {
    if afr_pct.is_finite() && afr_pct > 0.0 && afr_pct <= 100.0 {
        Ok(afr_pct)
    } else {
        Err(DurabilityError::Afr(afr_pct))
    }
}

/// Checks a rebuild time: finite, positive and at most [`MAX_REPAIR_HOURS`].
pub(crate) fn check_hours(hours: Hours) -> Result<Hours, DurabilityError> {
    let h = hours.hours();
    if h.is_finite() && h > 0.0 && h <= MAX_REPAIR_HOURS {
        Ok(hours)
    } else {
        Err(DurabilityError::RebuildHours(h))
    }
}

/// A reliability model. Each is named in every output, because they differ by more than a nine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Model {
    /// Exact CTMC, exponential repairs one at a time (the textbook chain, model §6.3).
    MarkovSerial,
    /// Exact CTMC, exponential repairs all in parallel (model §6.3).
    MarkovParallel,
    /// Fixed-length repairs in parallel: the sliding-window model (model §6.5).
    Sliding,
    /// Backblaze's period model (model §6.4, \[47\]).
    Backblaze,
}

impl Model {
    /// Every model, in report order.
    pub const ALL: [Model; 4] = [
        Model::MarkovSerial,
        Model::MarkovParallel,
        Model::Sliding,
        Model::Backblaze,
    ];
    /// The name used in output and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Model::MarkovSerial => "markov-serial",
            Model::MarkovParallel => "markov-parallel",
            Model::Sliding => "sliding",
            Model::Backblaze => "backblaze",
        }
    }
    /// Where the model's figures can be trusted (see [`in_domain`]).
    pub fn domain(self) -> &'static str {
        match self {
            Model::MarkovSerial | Model::MarkovParallel => {
                "any λ·T_R and mission (exact for its assumptions)"
            }
            Model::Sliding | Model::Backblaze => {
                "n·λ·T_R ≤ 0.1 (a set rarely degraded) and T_R ≤ mission / 10"
            }
        }
    }
    /// One line saying what the model assumes and where it comes from.
    pub fn describe(self) -> &'static str {
        match self {
            Model::MarkovSerial => {
                "exact CTMC, exponential lifetimes, exponential repairs one at a time (model §6.3, [48])"
            }
            Model::MarkovParallel => {
                "exact CTMC, exponential lifetimes, exponential repairs in parallel (model §6.3)"
            }
            Model::Sliding => {
                "fixed-length repairs in parallel, loss when a failure lands while m others are inside their repair windows (model §6.5)"
            }
            Model::Backblaze => {
                "Backblaze's period model: the year cut into repair periods, binomial loss per period (model §6.4, [47])"
            }
        }
    }
}

/// What a group's reliability depends on: `units` independent sets of `n` drives, each set
/// lost when more than `m` of its drives are down at once. A RAID10 group is `width / copies`
/// mirror sets of `copies` drives tolerating `copies − 1`; every other level is one set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Redundancy {
    /// Independent sets in the group (mirror sets of a RAID10, otherwise 1).
    pub units: u32,
    /// Drives per set.
    pub n: u32,
    /// Drives a set can lose without data loss.
    pub m: u32,
}

impl Redundancy {
    /// The redundancy of a layout shape.
    pub fn of(shape: &Shape) -> Redundancy {
        match shape.level {
            Level::Raid10 { width, copies } => Redundancy {
                units: width / copies.max(1),
                n: copies,
                m: copies.saturating_sub(1),
            },
            _ => Redundancy {
                units: 1,
                n: shape.width(),
                m: shape.tolerance(),
            },
        }
    }
    /// A k+m code: `data` + `parity` drives, one set.
    pub fn code(data: u32, parity: u32) -> Result<Redundancy, DurabilityError> {
        let n = data.saturating_add(parity);
        if data == 0 {
            return Err(DurabilityError::Parity { width: n, parity });
        }
        Ok(Redundancy {
            units: 1,
            n,
            m: parity,
        })
    }
    /// Checks `m < n` and at least one unit.
    pub fn check(self) -> Result<Redundancy, DurabilityError> {
        if self.units == 0 || self.n == 0 || self.m >= self.n {
            Err(DurabilityError::Parity {
                width: self.n,
                parity: self.m,
            })
        } else {
            Ok(self)
        }
    }
}

/// The probability that at least one of `count` independent events of probability `p` occurs:
/// `1 − (1 − p)^count`, computed as `−expm1(count · log1p(−p))` so tiny `p` keep their digits
/// (model §6.4).
pub(crate) fn any_of(p: f64, count: f64) -> f64 {
    if p >= 1.0 {
        return 1.0;
    }
    -(count * (-p).ln_1p()).exp_m1()
}

/// The probability that at least one of several independent events occurs, without
/// cancellation: `1 − Π(1 − p_i)`.
pub(crate) fn any_of_each(ps: impl IntoIterator<Item = f64>) -> f64 {
    let mut log_survive = 0.0;
    for p in ps {
        if p >= 1.0 {
            return 1.0;
        }
        log_survive += (-p).ln_1p();
    }
    -log_survive.exp_m1()
}

/// "Nines" of a loss probability: `−log10(p)`. `None` when `p` is zero (beyond f64).
pub fn nines(p: f64) -> Option<f64> {
    (p > 0.0).then(|| -p.log10())
}

/// Binomial coefficient C(n, k) as a float (exact for the sizes used here).
pub fn binomial(n: u32, k: u32) -> f64 {
    if k > n {
        return 0.0;
    }
    let k = k.min(n - k);
    (0..k).fold(1.0, |acc, i| acc * f64::from(n - i) / f64::from(i + 1))
}

// ------------------------------------------------------------------------------------------
// The exact chain (model §6.3)
// ------------------------------------------------------------------------------------------

/// How repairs proceed in the Markov chain (model §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Repair {
    /// One repair at a time: `i → i−1` at rate `μ`.
    Serial,
    /// Every failed drive repaired at once: `i → i−1` at rate `iμ`.
    Parallel,
}

/// A continuous-time Markov chain with transient states `0..s` and one absorbing state (data
/// loss), stored as its off-diagonal rates.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    /// `rates[i][j]`: rate from transient state `i` to transient state `j` (per hour), `i ≠ j`.
    pub rates: Vec<Vec<f64>>,
    /// `absorb[i]`: rate from transient state `i` into the absorbing state (per hour).
    pub absorb: Vec<f64>,
}

impl Chain {
    /// The birth-death chain of one k+m set (model §6.3): states `i = 0…m` failed drives,
    /// `i → i+1` at `(n−i)λ`, `i → i−1` at `μ` (serial) or `iμ` (parallel), `m → loss` at
    /// `(n−m)λ`.
    pub fn group(n: u32, m: u32, lambda: f64, mu: f64, repair: Repair) -> Chain {
        let s = m as usize + 1;
        let mut rates = vec![vec![0.0; s]; s];
        let mut absorb = vec![0.0; s];
        for i in 0..s {
            let up = f64::from(n - i as u32) * lambda;
            if i + 1 < s {
                rates[i][i + 1] = up;
            } else {
                absorb[i] = up;
            }
            if i > 0 {
                rates[i][i - 1] = match repair {
                    Repair::Serial => mu,
                    Repair::Parallel => i as f64 * mu,
                };
            }
        }
        Chain { rates, absorb }
    }

    /// Mean time to absorption from state 0 (MTTDL, hours): the solution of the linear system
    /// `Σ_j q_ij (T_j − T_i) = −1` (model §6.3).
    ///
    /// Solved by Gaussian elimination in the subtraction-free order of Grassmann, Taksar and
    /// Heyman (GTH): states are eliminated from the last, and every new diagonal is recomputed
    /// as the sum of the remaining outgoing rates instead of by subtraction. A chain whose exit
    /// rate is 10^-12 of its repair rate therefore keeps full precision, where textbook
    /// elimination loses every digit to cancellation.
    pub fn mean_time_to_absorption(&self) -> f64 {
        let s = self.absorb.len();
        let mut q = self.rates.clone();
        let mut a = self.absorb.clone();
        let mut c = vec![1.0; s];
        for k in (1..s).rev() {
            let out_k: f64 = (0..k).map(|j| q[k][j]).sum::<f64>() + a[k];
            if out_k <= 0.0 {
                return f64::INFINITY;
            }
            let (head, tail) = q.split_at_mut(k);
            let row_k = &tail[0];
            for (i, row_i) in head.iter_mut().enumerate() {
                let f = row_i[k] / out_k;
                if f == 0.0 {
                    continue;
                }
                for (j, (qij, qkj)) in row_i.iter_mut().zip(row_k).take(k).enumerate() {
                    if j != i {
                        *qij += f * qkj;
                    }
                }
                a[i] += f * a[k];
                c[i] += f * c[k];
            }
        }
        let out_0 = a[0];
        if out_0 <= 0.0 {
            f64::INFINITY
        } else {
            c[0] / out_0
        }
    }

    /// The probability of absorption (data loss) within `hours`, starting from state 0: the
    /// entry `[exp(Q t)]_{0,loss}` of the matrix exponential of the generator.
    ///
    /// Computed by uniformization at a short step `h = t / 2^s` (with `Λh ≤ 1/2`, where `Λ` is
    /// the largest exit rate), `exp(Qh) = e^{−Λh} Σ_k (Λh)^k / k! · P^k` with
    /// `P = I + Q/Λ`, followed by `s` squarings. Every term is non-negative, so a probability
    /// of 10^-20 keeps full relative precision (`1 − P(survive)` would lose it all).
    pub(crate) fn absorption_within(&self, hours: f64) -> f64 {
        let s = self.absorb.len();
        let d = s + 1;
        let out: Vec<f64> = (0..s)
            .map(|i| {
                (0..s)
                    .filter(|j| *j != i)
                    .map(|j| self.rates[i][j])
                    .sum::<f64>()
                    + self.absorb[i]
            })
            .collect();
        let lambda = out.iter().copied().fold(0.0, f64::max);
        if lambda <= 0.0 || hours <= 0.0 {
            return 0.0;
        }
        // Uniformized jump matrix P = I + Q/Λ, absorbing state last.
        let mut p = vec![0.0; d * d];
        for i in 0..s {
            for j in 0..s {
                p[i * d + j] = if i == j {
                    (lambda - out[i]) / lambda
                } else {
                    self.rates[i][j] / lambda
                };
            }
            p[i * d + s] = self.absorb[i] / lambda;
        }
        p[s * d + s] = 1.0;
        let x_total = lambda * hours;
        let squarings = if x_total > 0.5 {
            (x_total / 0.5).log2().ceil().max(0.0) as u32
        } else {
            0
        };
        let x = x_total / f64::from(2u32).powi(squarings as i32);
        // exp(Qh) by the uniformization series.
        let mut term = identity(d);
        let mut sum = identity(d);
        let mut coeff = 1.0;
        for k in 1..60 {
            term = matmul(&term, &p, d);
            coeff *= x / f64::from(k);
            for (acc, t) in sum.iter_mut().zip(&term) {
                *acc += coeff * t;
            }
            if coeff < 1e-22 {
                break;
            }
        }
        let scale = (-x).exp();
        for v in &mut sum {
            *v *= scale;
        }
        for _ in 0..squarings {
            sum = matmul(&sum, &sum, d);
        }
        sum[s].clamp(0.0, 1.0)
    }

    /// Stationary probability of each transient state when loss is ignored (the chain reflected
    /// at its last state): used for the rate of entries into the critical state (model §6.6).
    fn reflected_stationary(&self) -> Vec<f64> {
        // Birth-death balance: π_{i+1} q_{i+1,i} = π_i q_{i,i+1}.
        let s = self.absorb.len();
        let mut pi = vec![1.0; s];
        for i in 1..s {
            let down = self.rates[i][i - 1];
            pi[i] = if down > 0.0 {
                pi[i - 1] * self.rates[i - 1][i] / down
            } else {
                0.0
            };
        }
        let total: f64 = pi.iter().sum();
        pi.iter().map(|p| p / total).collect()
    }
}

fn identity(d: usize) -> Vec<f64> {
    let mut m = vec![0.0; d * d];
    for i in 0..d {
        m[i * d + i] = 1.0;
    }
    m
}

fn matmul(a: &[f64], b: &[f64], d: usize) -> Vec<f64> {
    let mut c = vec![0.0; d * d];
    for i in 0..d {
        for k in 0..d {
            let aik = a[i * d + k];
            if aik == 0.0 {
                continue;
            }
            for j in 0..d {
                c[i * d + j] += aik * b[k * d + j];
            }
        }
    }
    c
}

/// Leading-order MTTDL of the serial chain, hours (model §6.3, valid when `λ ≪ μ`):
/// `μ^m / (n(n−1)…(n−m) · λ^(m+1))`. The parallel chain's is `m!` times larger.
pub fn mttdl_serial_closed_form(n: u32, m: u32, lambda: f64, mu: f64) -> f64 {
    let falling: f64 = (0..=m).map(|i| f64::from(n - i)).product();
    mu.powi(m as i32) / (falling * lambda.powi(m as i32 + 1))
}

// ------------------------------------------------------------------------------------------
// The sliding window (model §6.5)
// ------------------------------------------------------------------------------------------

/// Loss rate per hour of one k+m set with fixed-length repairs of `r` hours running in
/// parallel: the sliding-window model (model §6.5).
///
/// Each drive alternates between up (exponential, rate λ) and down for exactly `r`; the drives
/// are independent, so in steady state a drive is down with probability `p = λr / (1 + λr)`
/// and the number down is binomial. A loss is a failure arriving while exactly `m` others are
/// down: `rate = (n−m) λ · C(n, m) p^m (1−p)^(n−m)`. That is exact for this process (an
/// up-crossing rate); its leading order is model §6.5's `n!/(n−m−1)! · λ^(m+1) r^m / m!`
/// ([`sliding_rate_leading_order`]).
pub fn sliding_rate(n: u32, m: u32, lambda: f64, r: f64) -> f64 {
    let p = lambda * r / (1.0 + lambda * r);
    let ln = binomial(n, m).ln() + f64::from(m) * p.ln() + f64::from(n - m) * (-p).ln_1p();
    f64::from(n - m) * lambda * ln.exp()
}

/// Leading order of [`sliding_rate`] (model §6.5): `n!/(n−m−1)! · λ^(m+1) r^m / m!`, per hour.
pub fn sliding_rate_leading_order(n: u32, m: u32, lambda: f64, r: f64) -> f64 {
    let falling: f64 = (0..=m).map(|i| f64::from(n - i)).product();
    let m_fact: f64 = (1..=m).map(f64::from).product();
    falling * lambda.powi(m as i32 + 1) * r.powi(m as i32) / m_fact
}

/// Expected loss events (up-crossings past `m` down) of one k+m set within `hours` from a new
/// set (every drive up at time 0), with fixed-length repairs of `r` hours in parallel: the
/// sliding-window process of [`sliding_rate`] including its start-up.
///
/// Drives are independent alternating renewal processes, so the crossing rate at time `t` is
/// `(n−m) λ C(n,m) p(t)^m (1−p(t))^(n−m)`, exact, with `p(t)` the probability that a drive
/// is down: `p(t) = 1 − e^(−λt)` for `t ≤ r`, and `p(t) = ∫_{t−r}^{t} λ (1 − p(s)) ds` after
/// (a drive is down when it failed within the last `r` hours). The delay equation is stepped
/// with the trapezoid rule (`r/400` steps) until `p` settles at `λr/(1+λr)`; the rest of the
/// mission runs at the steady rate. This is the exact closed form a simulation that starts
/// from a new pod must match; [`sliding_rate`] × time over-counts by about `m·r/((m+1)·t)`.
pub fn sliding_events_from_new(n: u32, m: u32, lambda: f64, r: f64, hours: f64) -> f64 {
    let c = f64::from(n - m) * lambda * binomial(n, m);
    let rate = |p: f64| c * p.powi(m as i32) * (f64::from(n - m) * (-p).ln_1p()).exp();
    let steady = lambda * r / (1.0 + lambda * r);
    let k = 400usize;
    let h = r / k as f64;
    let lh = lambda * h;
    // p on the grid t_i = i·h; exact up to t = r.
    let mut ps: Vec<f64> = (0..=k).map(|i| -(-lh * i as f64).exp_m1()).collect();
    // S = Σ_{i=J−k+1}^{J−1} (1 − p_i) for the next point J = k + 1.
    let mut window: f64 = ps[2..=k].iter().map(|p| 1.0 - p).sum();
    let mut total = 0.0;
    let mut i = 0usize;
    loop {
        let t = i as f64 * h;
        if t + h > hours {
            return total + (hours - t) * rate(ps[i]);
        }
        if i + 1 == ps.len() {
            // p_J (1 + λh/2) = λh [ (1 − p_{J−k})/2 + S + 1/2 ]
            let j = i + 1;
            let next = lh * (0.5 * (1.0 - ps[j - k]) + window + 0.5) / (1.0 + 0.5 * lh);
            window += (1.0 - next) - (1.0 - ps[j - k + 1]);
            ps.push(next);
        }
        total += 0.5 * h * (rate(ps[i]) + rate(ps[i + 1]));
        i += 1;
        if i > 4 * k && ((ps[i] - steady) / steady).abs() < 1e-12 {
            return total + (hours - i as f64 * h) * rate(steady);
        }
    }
}

// ------------------------------------------------------------------------------------------
// Backblaze's period model (model §6.4, [47])
// ------------------------------------------------------------------------------------------

/// Probability that one repair period of `days` loses data under Backblaze's model (model
/// §6.4, \[47\]): with `A` the annual shard failure rate (failures per shard-year), a shard fails
/// in the period with `P = 1 − e^(−A·days/365)`, and the period loses data when more than `m`
/// of the `n` shards fail: `L = Σ_{j=m+1}^{n} C(n,j) P^j (1−P)^(n−j)`. Each term is summed in
/// logarithms, so `L` of 10^-40 is exact to rounding.
pub fn period_loss(n: u32, m: u32, annual_rate: f64, days: f64) -> f64 {
    let f = annual_rate * days / 365.0;
    let p = -(-f).exp_m1();
    if p <= 0.0 {
        return 0.0;
    }
    let (lp, lq) = (p.ln(), (-p).ln_1p());
    (m + 1..=n)
        .map(|j| (binomial(n, j).ln() + f64::from(j) * lp + f64::from(n - j) * lq).exp())
        .sum::<f64>()
        .min(1.0)
}

/// Backblaze's loss probability over `years` (model §6.4, \[47\]): `1 − (1 − L)^(365·years/days)`,
/// computed as `−expm1(N · log1p(−L))` so an `L` of 10^-13 does not vanish in `1 − L`.
#[cfg(test)]
pub(crate) fn period_loss_within(n: u32, m: u32, annual_rate: f64, days: f64, years: f64) -> f64 {
    any_of(period_loss(n, m, annual_rate, days), 365.0 * years / days)
}

// ------------------------------------------------------------------------------------------
// One set, one model
// ------------------------------------------------------------------------------------------

/// The figures of one model for one set, group, pod or Vault.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ModelFigures {
    /// The model.
    pub model: Model,
    /// Probability of at least one whole-group data loss within the mission time.
    pub p_mission: f64,
    /// `−log10(p_mission)`; `None` when the probability is below f64's range.
    pub nines: Option<f64>,
    /// Expected data-loss events per year (long-run rate; for Backblaze's model, expected lossy
    /// periods per year).
    pub loss_events_per_year: f64,
    /// Mean time to data loss in years (Markov models only).
    pub mttdl_years: Option<f64>,
    /// `1 − exp(−mission / MTTDL)`, the usual shortcut, for comparison with `p_mission` (Markov
    /// models only).
    pub p_mission_from_mttdl: Option<f64>,
    /// False when the inputs are outside the model's domain ([`in_domain`]): the figure is
    /// shown, marked, and not to be trusted.
    pub in_domain: bool,
}

impl ModelFigures {
    fn new(model: Model, p: f64, per_year: f64, mttdl: Option<Hours>, mission: Hours) -> Self {
        ModelFigures {
            model,
            p_mission: p,
            nines: nines(p),
            loss_events_per_year: per_year,
            mttdl_years: mttdl.map(Hours::years),
            p_mission_from_mttdl: mttdl.map(|h| -(-mission.hours() / h.hours()).exp_m1()),
            in_domain: true,
        }
    }
    fn within(self, in_domain: bool) -> ModelFigures {
        ModelFigures { in_domain, ..self }
    }
    /// The same figures for `count` independent copies (sets → group, groups → pod, tomes →
    /// Vault): probability `1 − (1 − p)^count`, rates and inverse MTTDL add.
    pub fn times(&self, count: u32, mission: Hours) -> ModelFigures {
        let c = f64::from(count);
        ModelFigures::new(
            self.model,
            any_of(self.p_mission, c),
            self.loss_events_per_year * c,
            self.mttdl_years.map(|y| Hours::from_years(y) / c),
            mission,
        )
        .within(self.in_domain)
    }
    /// Combines independent components (groups of a pod) into one.
    pub(crate) fn combine(parts: &[ModelFigures], mission: Hours) -> Option<ModelFigures> {
        let first = parts.first()?;
        let p = any_of_each(parts.iter().map(|f| f.p_mission));
        let per_year = parts.iter().map(|f| f.loss_events_per_year).sum();
        let inv: Option<f64> = parts
            .iter()
            .map(|f| f.mttdl_years.map(|y| 1.0 / (y * HOURS_PER_YEAR)))
            .sum();
        Some(
            ModelFigures::new(
                first.model,
                p,
                per_year,
                inv.map(|i| Hours(1.0 / i)),
                mission,
            )
            .within(parts.iter().all(|f| f.in_domain)),
        )
    }
}

/// The figures of `model` for one k+m set with per-drive failure rate `lambda` (per hour) and
/// time to restore redundancy `rebuild`, over `mission`.
pub fn set_figures(
    n: u32,
    m: u32,
    lambda: f64,
    rebuild: Hours,
    mission: Hours,
    model: Model,
) -> ModelFigures {
    let figures = set_figures_unchecked(n, m, lambda, rebuild, mission, model);
    figures.within(m == 0 || in_domain(model, n, lambda, rebuild, mission))
}

fn set_figures_unchecked(
    n: u32,
    m: u32,
    lambda: f64,
    rebuild: Hours,
    mission: Hours,
    model: Model,
) -> ModelFigures {
    // The closed forms below are written on plain hours.
    let (rebuild_hours, mission_hours) = (rebuild.hours(), mission.hours());
    if m == 0 {
        // No redundancy: the first failure of any of the n drives is the loss, whatever the
        // repair; every model reduces to the exponential P = 1 − e^(−nλt), MTTDL = 1/(nλ).
        let rate = f64::from(n) * lambda;
        let mttdl = (rate > 0.0).then(|| Hours(1.0 / rate));
        return ModelFigures::new(
            model,
            -(-rate * mission_hours).exp_m1(),
            rate * HOURS_PER_YEAR,
            mttdl.filter(|_| matches!(model, Model::MarkovSerial | Model::MarkovParallel)),
            mission,
        );
    }
    match model {
        Model::MarkovSerial | Model::MarkovParallel => {
            let repair = if model == Model::MarkovSerial {
                Repair::Serial
            } else {
                Repair::Parallel
            };
            let chain = Chain::group(n, m, lambda, 1.0 / rebuild_hours, repair);
            let mttdl = chain.mean_time_to_absorption();
            let p = chain.absorption_within(mission_hours);
            ModelFigures::new(
                model,
                p,
                HOURS_PER_YEAR / mttdl,
                Some(Hours(mttdl)),
                mission,
            )
        }
        Model::Sliding => {
            let rate = sliding_rate(n, m, lambda, rebuild_hours);
            ModelFigures::new(
                model,
                -(-rate * mission_hours).exp_m1(),
                rate * HOURS_PER_YEAR,
                None,
                mission,
            )
        }
        Model::Backblaze => {
            let annual = lambda * HOURS_PER_YEAR;
            let days = rebuild.days();
            let l = period_loss(n, m, annual, days);
            ModelFigures::new(
                model,
                any_of(l, mission / rebuild),
                l * HOURS_PER_YEAR / rebuild_hours,
                None,
                mission,
            )
        }
    }
}

/// The delay before a rebuild starts when the user gives none: 0 h with a hot spare (the
/// rebuild starts at once), otherwise the design's `raid.replace_delay`, otherwise
/// [`NO_SPARE_DELAY`].
pub(crate) fn default_delay(pod: &Pod, layout: &Layout) -> (Hours, DelaySource) {
    // A dRAID's distributed spare is a hot spare inside the vdev: the rebuild starts at once.
    let distributed =
        matches!(layout.shape.level, crate::spec::Level::Draid { spares, .. } if spares > 0);
    if !layout.spares.is_empty() || distributed {
        return (Hours::ZERO, DelaySource::HotSpare);
    }
    match &pod.raid.replace_delay {
        Some(d) => (
            Hours(d.hours),
            DelaySource::Design {
                source: d.source.clone(),
            },
        ),
        None => (NO_SPARE_DELAY, DelaySource::NoSpareDefault),
    }
}

/// Every group's rebuild from the bandwidth model's rebuild times (one per group, in order),
/// after `delay`: the rate, and so the time, follow the topology.
pub(crate) fn topology_rebuilds(
    layout: &Layout,
    times: &[crate::bandwidth::RebuildTime],
    delay: Hours,
) -> Result<Vec<Rebuild>, DurabilityError> {
    if times.len() != layout.groups.len() {
        return Err(DurabilityError::RebuildCount {
            groups: layout.groups.len(),
            rebuilds: times.len(),
        });
    }
    layout
        .groups
        .iter()
        .zip(times)
        .map(|(g, t)| {
            // A ZFS resilver rewrites the allocated share only (model §ZFS resilver); a dRAID's
            // rebalance onto the replacement comes after redundancy is whole again.
            let mut r = Rebuild::at_rate(
                t.rewritten(g.member),
                t.rate,
                delay,
                RebuildSource::Topology {
                    binding_link: t.binding_link.clone(),
                },
            )?;
            r.fill = t.fill;
            r.rebalance_hours = t.rebalance_hours.filter(|h| h.is_finite()).map(Hours);
            Ok(r)
        })
        .collect()
}

/// A group's annual probability of whole-group data loss under `model`, for a layout shape,
/// a drive AFR (percent, rate convention) and a time to restore redundancy (hours). This is the
/// figure `layout --auto --max-annual-loss` constrains.
///
/// ```
/// use podplan::durability::{group_annual_loss, Model};
/// use podplan::layout::Shape;
/// use podplan::spec::Level;
/// use podplan::units::Hours;
/// let raid6 = Shape { level: Level::Raid6 { width: 15 }, spares: 0 };
/// // docs/model.md §7: 3 % AFR, 27.8 h rebuild → 7.4e-7 a year (serial CTMC).
/// let p = group_annual_loss(&raid6, 3.0, Hours(27.78), Model::MarkovSerial).unwrap();
/// assert!((p / 7.4e-7 - 1.0).abs() < 0.01);
/// ```
pub fn group_annual_loss(
    shape: &Shape,
    afr_pct: f64,
    rebuild: Hours,
    model: Model,
) -> Result<f64, DurabilityError> {
    let r = Redundancy::of(shape).check()?;
    let lambda = AfrConvention::Rate.lambda_per_hour(check_afr(afr_pct)?);
    let h = check_hours(rebuild)?;
    let unit = set_figures(r.n, r.m, lambda, h, Hours::from_years(1.0), model);
    Ok(any_of(unit.p_mission, f64::from(r.units)))
}

// ------------------------------------------------------------------------------------------
// Unrecoverable read errors (model §6.6)
// ------------------------------------------------------------------------------------------

/// Partial (sector) loss from an unrecoverable read error while a set rebuilds with no
/// redundancy left (model §6.6): in the critical state (`m` drives down) every one of the
/// `n − m` survivors must be read whole, and one URE loses the stripe it sits in.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct UreExposure {
    /// The drives' URE specification: bits read per unrecoverable error.
    pub ure_bits: f64,
    /// Bits read in one critical rebuild: `(n − m) × member bytes × 8`.
    pub bits_read: f64,
    /// Probability of at least one URE in one critical rebuild: `1 − (1 − 1/BER)^bits`
    /// (model §6.6, \[55\]).
    pub p_ure_per_critical_rebuild: f64,
    /// Critical rebuilds per year, serial repair: the rate of entries into state `m` of the
    /// chain, `π_{m−1} (n−m+1) λ` (leading order `n!/(n−m)! · λ^m · R^(m−1)`, model §6.6).
    pub critical_rebuilds_per_year_serial: f64,
    /// The same with parallel repair (smaller by `(m−1)!`).
    pub critical_rebuilds_per_year_parallel: f64,
    /// Expected partial-loss events per year, serial repair: critical rebuilds × P(URE).
    pub events_per_year_serial: f64,
    /// Expected partial-loss events per year, parallel repair.
    pub events_per_year_parallel: f64,
    /// Probability of at least one partial loss within the mission, serial repair (Poisson).
    pub p_mission_serial: f64,
    /// The same with parallel repair.
    pub p_mission_parallel: f64,
}

/// The URE exposure of one k+m set (`None` for `m = 0`, where any failure is already a loss).
pub fn ure_exposure(
    n: u32,
    m: u32,
    lambda: f64,
    rebuild: Hours,
    member: Bytes,
    ure_bits: f64,
    mission: Hours,
) -> Option<UreExposure> {
    if m == 0 {
        return None;
    }
    let bits = f64::from(n - m) * member.bytes() as f64 * 8.0;
    let p_ure = -(bits * (-1.0 / ure_bits).ln_1p()).exp_m1();
    let entries = |repair| {
        let chain = Chain::group(n, m, lambda, 1.0 / rebuild.hours(), repair);
        let pi = chain.reflected_stationary();
        let i = m as usize - 1;
        pi[i] * f64::from(n - m + 1) * lambda * HOURS_PER_YEAR
    };
    let (es, ep) = (entries(Repair::Serial), entries(Repair::Parallel));
    let years = mission.years();
    Some(UreExposure {
        ure_bits,
        bits_read: bits,
        p_ure_per_critical_rebuild: p_ure,
        critical_rebuilds_per_year_serial: es,
        critical_rebuilds_per_year_parallel: ep,
        events_per_year_serial: es * p_ure,
        events_per_year_parallel: ep * p_ure,
        p_mission_serial: -(-es * p_ure * years).exp_m1(),
        p_mission_parallel: -(-ep * p_ure * years).exp_m1(),
    })
}

// ------------------------------------------------------------------------------------------
// Rebuild time (model §4, §6.2)
// ------------------------------------------------------------------------------------------

/// Where a group's rebuild rate or time comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RebuildSource {
    /// The bandwidth engine's `rebuild` workload for this group: the rate follows the topology.
    Topology {
        /// What sets the rate: a link, or the drives' own limit (serialized as its wording).
        binding_link: crate::bandwidth::Limiter,
    },
    /// A rate the user gave (`--rebuild-mb-s`).
    UserRate,
    /// A time the user gave (`--rebuild-hours`), delay included.
    UserHours,
    /// No redundancy (RAID0): the first drive failure loses the group's data, so there is no
    /// rebuild and its time does not enter any model.
    NoRedundancy,
}

/// A group's time to restore redundancy after a drive failure (model §6.2):
/// `T_R = T_detect + T_replace + C / B_r`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rebuild {
    /// Where the rate or time comes from.
    pub source: RebuildSource,
    /// Rebuild rate per drive, MB/s (10^6 B/s); `None` when the user gave the time.
    pub rate: Option<MBps>,
    /// Detection plus replacement delay before the rebuild starts.
    pub delay_hours: Hours,
    /// Time to rewrite one member at the rebuild rate.
    pub transfer_hours: Hours,
    /// Time to restore redundancy, `delay + transfer`.
    pub hours: Hours,
    /// A ZFS pool's allocated share, which is all a resilver rewrites (`None`: whole members).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fill: Option<f64>,
    /// A dRAID's rebalance onto the replacement disk after the rebuild onto its distributed
    /// spare: outside the exposure window, shown apart.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rebalance_hours: Option<Hours>,
}

impl Rebuild {
    /// A rebuild of `member` bytes at `rate` after `delay`.
    pub fn at_rate(
        member: Bytes,
        rate: MBps,
        delay: Hours,
        source: RebuildSource,
    ) -> Result<Rebuild, DurabilityError> {
        if !(rate.is_finite() && rate > MBps::ZERO) {
            return Err(DurabilityError::RebuildHours(f64::INFINITY));
        }
        if !(delay.is_finite() && delay.hours() <= MAX_REPAIR_HOURS) {
            return Err(DurabilityError::RebuildHours(delay.hours()));
        }
        let transfer = member / rate;
        let hours = check_hours(delay.max(Hours::ZERO) + transfer)?;
        Ok(Rebuild {
            source,
            rate: Some(rate),
            delay_hours: delay.max(Hours::ZERO),
            transfer_hours: transfer,
            hours,
            fill: None,
            rebalance_hours: None,
        })
    }
    /// The "rebuild" of a group without redundancy: none exists, a failure is a loss.
    pub fn none() -> Rebuild {
        Rebuild {
            source: RebuildSource::NoRedundancy,
            rate: None,
            delay_hours: Hours::ZERO,
            transfer_hours: Hours::ZERO,
            hours: Hours::ZERO,
            fill: None,
            rebalance_hours: None,
        }
    }
    /// A rebuild the user timed as a whole.
    pub(crate) fn of_hours(hours: Hours) -> Result<Rebuild, DurabilityError> {
        let h = check_hours(hours)?;
        Ok(Rebuild {
            source: RebuildSource::UserHours,
            rate: None,
            delay_hours: Hours::ZERO,
            transfer_hours: h,
            hours: h,
            fill: None,
            rebalance_hours: None,
        })
    }
}

// ------------------------------------------------------------------------------------------
// Group → pod → Vault
// ------------------------------------------------------------------------------------------

/// Options of a durability report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Options {
    /// Mission time (the probabilities are "within the mission").
    pub mission_hours: Hours,
    /// How AFR becomes λ.
    pub convention: AfrConvention,
    /// Overrides every drive's AFR, percent per drive-year.
    pub afr_pct: Option<f64>,
    /// Overrides every drive's URE specification, bits per error.
    pub ure_bits: Option<f64>,
    /// The models to report.
    pub models: Vec<Model>,
    /// A code across pods to aggregate into.
    pub vault: Option<VaultSpec>,
    /// Where the rebuilds' delay came from (`None` when the user timed rebuilds whole or
    /// nothing is rebuilt).
    pub delay_source: Option<DelaySource>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            mission_hours: Hours::from_years(1.0),
            convention: AfrConvention::Rate,
            afr_pct: None,
            ure_bits: None,
            models: Model::ALL.to_vec(),
            vault: None,
            delay_source: None,
        }
    }
}

/// A k+m code across pods (a Backblaze Vault) and its shard rebuild time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VaultSpec {
    /// Data shards (Backblaze: 17).
    pub data: u32,
    /// Parity shards (Backblaze: 3).
    pub parity: u32,
    /// Time to replace and repopulate a shard's drive (Backblaze: 6.5 days \[47\]).
    pub rebuild_hours: Hours,
}

/// The inputs of a tome: a k+m code of one drive in each of `k+m` pods.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VaultInputs {
    /// Data shards.
    pub data: u32,
    /// Parity shards.
    pub parity: u32,
    /// Annual shard (drive) failure rate, percent.
    pub afr_pct: f64,
    /// Time to replace and repopulate a shard.
    pub rebuild_hours: Hours,
}

/// Whole-group and partial loss of one redundancy group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupDurability {
    /// 1-based group number (as in `podplan layout`).
    pub group: u32,
    /// Member bays (serialized as ranges, `"1-15"`).
    #[serde(serialize_with = "crate::bays::ranges")]
    pub bays: Vec<u32>,
    /// Independent sets, drives per set and tolerated failures per set.
    pub redundancy: Redundancy,
    /// Mean AFR of the members, percent per drive-year (the catalog's, or `--afr`).
    pub afr_pct: f64,
    /// Per-drive failure rate λ, per hour.
    pub lambda_per_hour: f64,
    /// Bytes rewritten by one rebuild: the group's member size after alignment.
    pub member: Bytes,
    /// Time to restore redundancy and where it comes from.
    pub rebuild: Rebuild,
    /// Whole-group loss under each model.
    pub models: Vec<ModelFigures>,
    /// Partial loss from unrecoverable read errors in a critical rebuild, reported apart.
    pub ure: Option<UreExposure>,
}

/// The pod: every group, independent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PodDurability {
    /// Groups in the pod.
    pub groups: u32,
    /// Whole-group loss of any group under each model.
    pub models: Vec<ModelFigures>,
    /// Expected whole-group loss events per 1,000 pod-years, per model (same order).
    pub events_per_1000_pod_years: Vec<f64>,
    /// Expected partial-loss (URE) events per 1,000 pod-years, serial repair.
    pub ure_events_per_1000_pod_years: f64,
    /// Probability of at least one partial loss within the mission, serial repair.
    pub ure_p_mission: f64,
}

/// A Vault: `data + parity` pods, each drive slot across them a tome (one k+m code).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VaultDurability {
    /// The inputs of each tome.
    pub inputs: VaultInputs,
    /// Pods in the Vault (`data + parity`).
    pub pods: u32,
    /// Tomes in the Vault: drives per pod.
    pub tomes: u32,
    /// One tome (one file's shards, the figure Backblaze publishes), under each model.
    pub tome: Vec<ModelFigures>,
    /// Any tome of the Vault (independent tomes), under each model.
    pub vault: Vec<ModelFigures>,
    /// Expected loss events per 1,000 pod-years (Vault events / pods), per model.
    pub events_per_1000_pod_years: Vec<f64>,
    /// Backblaze's own 2018 inputs (17+3, 0.405 %, 6.5 days \[47\]) through every model: the
    /// published "11 nines" under its period model, and what the other models make of them.
    pub backblaze_2018: Vec<ModelFigures>,
}

/// The code whose models a [`ModelRatio`] compares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RatioSubject {
    /// The first group's code, per set.
    Group {
        /// 1-based group number.
        group: u32,
        /// The layout's shape.
        shape: Shape,
    },
    /// One tome of a Vault: a `data`+`parity` code across pods.
    Tome {
        /// Data shards.
        data: u32,
        /// Parity shards.
        parity: u32,
    },
}

impl std::fmt::Display for RatioSubject {
    /// `group 1 (RAID6 15 (13+2))`, `tome (17+3)`: the wording the tables and the JSON show.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RatioSubject::Group { group, shape } => write!(f, "group {group} ({shape})"),
            RatioSubject::Tome { data, parity } => write!(f, "tome ({data}+{parity})"),
        }
    }
}

impl Serialize for RatioSubject {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// How one model's figure compares with the sliding window on the same inputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelRatio {
    /// What was compared (serialized as its wording, `group 1 (RAID6 15 (13+2))`).
    pub subject: RatioSubject,
    /// The model.
    pub model: Model,
    /// Its loss rate divided by the sliding window's.
    pub ratio: f64,
    /// The leading-order ratio of model §6.5: `m!` serial, `1` parallel, `1/(m+1)` period.
    pub leading_order: f64,
}

/// The closed-form models' figures (the Monte Carlo sits beside them in `crate::study`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DurabilityReport {
    /// Design name.
    pub design: String,
    /// The layout's shape (serialized as its label, e.g. `"RAID6 15 (13+2)"`).
    #[serde(serialize_with = "crate::layout::shape_label")]
    pub shape: Shape,
    /// Mission time, years.
    pub mission_years: f64,
    /// How AFR became λ.
    pub convention: AfrConvention,
    /// The models reported, with what each assumes.
    pub models: Vec<ModelInfo>,
    /// Each group.
    pub groups: Vec<GroupDurability>,
    /// The pod.
    pub pod: PodDurability,
    /// The Vault, when a code across pods is asked for or the design has one.
    pub vault: Option<VaultDurability>,
    /// How the models differ, as ratios to the sliding window (model §6.5).
    pub ratios: Vec<ModelRatio>,
    /// Where the rebuilds' detection and replacement delay came from.
    pub delay_source: Option<DelaySource>,
}

/// A model and what it assumes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelInfo {
    /// The model.
    pub model: Model,
    /// What it assumes and its source ([`Model::describe`]).
    pub description: &'static str,
    /// Where its figures can be trusted ([`Model::domain`]).
    pub domain: &'static str,
}

fn leading_ratio(model: Model, m: u32) -> f64 {
    match model {
        Model::MarkovSerial => (1..=m).map(f64::from).product(),
        Model::MarkovParallel | Model::Sliding => 1.0,
        Model::Backblaze => 1.0 / f64::from(m + 1),
    }
}

fn ratios(subject: RatioSubject, figs: &[ModelFigures], m: u32) -> Vec<ModelRatio> {
    let Some(sliding) = figs.iter().find(|f| f.model == Model::Sliding) else {
        return Vec::new();
    };
    figs.iter()
        .filter(|f| f.model != Model::Sliding && sliding.loss_events_per_year > 0.0)
        .map(|f| ModelRatio {
            subject,
            model: f.model,
            ratio: f.loss_events_per_year / sliding.loss_events_per_year,
            leading_order: leading_ratio(f.model, m),
        })
        .collect()
}

/// Every model's figures for a tome of a Vault, and for the Vault's `tomes` tomes.
pub fn vault_figures(
    v: &VaultInputs,
    convention: AfrConvention,
    mission: Hours,
    models: &[Model],
) -> Result<(Vec<ModelFigures>, Redundancy), DurabilityError> {
    let r = Redundancy::code(v.data, v.parity)?.check()?;
    let lambda = check_lambda(v.afr_pct, convention.lambda_per_hour(check_afr(v.afr_pct)?))?;
    let h = check_hours(v.rebuild_hours)?;
    Ok((
        models
            .iter()
            .map(|m| set_figures(r.n, r.m, lambda, h, mission, *m))
            .collect(),
        r,
    ))
}

/// The mean AFR (percent) of the drives in `bays`, and their smallest URE specification.
fn drive_facts(pod: &Pod, bays: &[u32]) -> (f64, f64) {
    let drives: Vec<_> = pod
        .drives
        .iter()
        .filter(|d| bays.contains(&d.bay))
        .map(|d| d.drive())
        .collect();
    let n = drives.len().max(1) as f64;
    // The mean, exact when every drive is the same model (the usual case).
    let afr = match drives.first() {
        Some(first) if drives.iter().all(|d| d.afr_pct == first.afr_pct) => first.afr_pct,
        _ => drives.iter().map(|d| d.afr_pct).sum::<f64>() / n,
    };
    let ure = drives
        .iter()
        .map(|d| d.ure_bits)
        .fold(f64::INFINITY, f64::min);
    (afr, ure)
}

/// The durability report of a laid-out pod: `rebuilds[i]` is group `i`'s time to restore
/// redundancy (from the bandwidth engine or the user).
pub fn report(
    pod: &Pod,
    layout: &Layout,
    rebuilds: &[Rebuild],
    o: &Options,
) -> Result<DurabilityReport, DurabilityError> {
    check_options(layout, rebuilds, o)?;
    let red = Redundancy::of(&layout.shape).check()?;
    let mission = o.mission_hours;
    let mut groups = Vec::new();
    for (i, (g, rb)) in layout.groups.iter().zip(rebuilds).enumerate() {
        groups.push(group_figures(pod, i, g, rb, red, o)?);
    }
    let pod_d = pod_aggregate(&groups, o);
    let mut all_ratios = group_ratios(&groups, red, &layout.shape);
    let vault = match o.vault {
        None => None,
        Some(v) => {
            let (vault, tome_ratios) = vault_report(pod, v, o)?;
            all_ratios.extend(tome_ratios);
            Some(vault)
        }
    };
    Ok(DurabilityReport {
        design: pod.name.clone(),
        shape: layout.shape,
        mission_years: mission.years(),
        convention: o.convention,
        models: o
            .models
            .iter()
            .map(|m| ModelInfo {
                model: *m,
                description: m.describe(),
                domain: m.domain(),
            })
            .collect(),
        groups,
        pod: pod_d,
        vault,
        ratios: all_ratios,
        delay_source: o.delay_source.clone(),
    })
}

/// Checks the report's inputs before any figure is computed: a positive finite mission, one
/// rebuild per group, and the AFR and URE overrides in range.
fn check_options(
    layout: &Layout,
    rebuilds: &[Rebuild],
    o: &Options,
) -> Result<(), DurabilityError> {
    if !(o.mission_hours.is_finite() && o.mission_hours > Hours::ZERO) {
        return Err(DurabilityError::Mission(o.mission_hours.years()));
    }
    if rebuilds.len() != layout.groups.len() {
        return Err(DurabilityError::RebuildCount {
            groups: layout.groups.len(),
            rebuilds: rebuilds.len(),
        });
    }
    if let Some(a) = o.afr_pct {
        check_afr(a)?;
    }
    if let Some(u) = o.ure_bits
        && !(u.is_finite() && (1.0..=MAX_URE_BITS).contains(&u))
    {
        return Err(DurabilityError::Ure(u));
    }
    Ok(())
}

/// The figures of group `i` (0-based): its drives' AFR and URE (or the overrides), λ, the
/// rebuild time, every model's loss figures and the URE exposure, the last two for all of the
/// group's `red.units` sets.
fn group_figures(
    pod: &Pod,
    i: usize,
    g: &Group,
    rb: &Rebuild,
    red: Redundancy,
    o: &Options,
) -> Result<GroupDurability, DurabilityError> {
    let mission = o.mission_hours;
    let (afr_design, ure_design) = drive_facts(pod, &g.bays);
    let afr = check_afr(o.afr_pct.unwrap_or(afr_design))?;
    let ure = o.ure_bits.unwrap_or(ure_design);
    let lambda = check_lambda(afr, o.convention.lambda_per_hour(afr))?;
    let h = if red.m == 0 {
        // Nothing to rebuild: the time enters no model.
        Hours::ZERO
    } else {
        check_hours(rb.hours)?
    };
    let models = o
        .models
        .iter()
        .map(|m| set_figures(red.n, red.m, lambda, h, mission, *m).times(red.units, mission))
        .collect();
    let ure = ure_exposure(red.n, red.m, lambda, h, g.member, ure, mission).map(|u| {
        let k = f64::from(red.units);
        UreExposure {
            critical_rebuilds_per_year_serial: u.critical_rebuilds_per_year_serial * k,
            critical_rebuilds_per_year_parallel: u.critical_rebuilds_per_year_parallel * k,
            events_per_year_serial: u.events_per_year_serial * k,
            events_per_year_parallel: u.events_per_year_parallel * k,
            p_mission_serial: any_of(u.p_mission_serial, k),
            p_mission_parallel: any_of(u.p_mission_parallel, k),
            ..u
        }
    });
    Ok(GroupDurability {
        group: i as u32 + 1,
        bays: g.bays.clone(),
        redundancy: red,
        afr_pct: afr,
        lambda_per_hour: lambda,
        member: g.member,
        rebuild: rb.clone(),
        models,
        ure,
    })
}

/// The whole pod, any group lost: every model's figures combined over the groups, per 1000
/// pod-years, and the pod's URE event rate and mission probability (serial rebuilds).
fn pod_aggregate(groups: &[GroupDurability], o: &Options) -> PodDurability {
    let mission = o.mission_hours;
    let pod_models: Vec<ModelFigures> = o
        .models
        .iter()
        .filter_map(|m| {
            let parts: Vec<ModelFigures> = groups
                .iter()
                .filter_map(|g| g.models.iter().find(|f| f.model == *m).copied())
                .collect();
            ModelFigures::combine(&parts, mission)
        })
        .collect();
    let ure_rate: f64 = groups
        .iter()
        .filter_map(|g| g.ure.map(|u| u.events_per_year_serial))
        .sum();
    PodDurability {
        groups: groups.len() as u32,
        events_per_1000_pod_years: pod_models
            .iter()
            .map(|f| 1000.0 * f.loss_events_per_year)
            .collect(),
        models: pod_models,
        ure_events_per_1000_pod_years: 1000.0 * ure_rate,
        ure_p_mission: -(-ure_rate * mission.hours() / HOURS_PER_YEAR).exp_m1(),
    }
}

/// The model ratios of the first group's code, per set (so they are those of one k+m code);
/// none when the layout has no group.
fn group_ratios(groups: &[GroupDurability], red: Redundancy, shape: &Shape) -> Vec<ModelRatio> {
    let Some(g) = groups.first() else {
        return Vec::new();
    };
    let unit: Vec<ModelFigures> = g
        .models
        .iter()
        .map(|f| ModelFigures {
            loss_events_per_year: f.loss_events_per_year / f64::from(red.units),
            ..*f
        })
        .collect();
    let subject = RatioSubject::Group {
        group: 1,
        shape: *shape,
    };
    ratios(subject, &unit, red.m)
}

/// The Vault section: each of the pod's drives is one tome's member in a code across `v`'s
/// pods; the tome's and the Vault's figures, the Backblaze 2018 reference, and the tome code's
/// model ratios (returned apart, as they follow the group's in the report).
fn vault_report(
    pod: &Pod,
    v: VaultSpec,
    o: &Options,
) -> Result<(VaultDurability, Vec<ModelRatio>), DurabilityError> {
    let mission = o.mission_hours;
    let afr = match o.afr_pct {
        Some(a) => a,
        None => drive_facts(pod, &pod.drives.iter().map(|d| d.bay).collect::<Vec<_>>()).0,
    };
    let inputs = VaultInputs {
        data: v.data,
        parity: v.parity,
        afr_pct: afr,
        rebuild_hours: v.rebuild_hours,
    };
    let (tome, r) = vault_figures(&inputs, o.convention, mission, &o.models)?;
    let pods = r.n;
    let tomes = pod.drives.len() as u32;
    let vault: Vec<ModelFigures> = tome.iter().map(|f| f.times(tomes, mission)).collect();
    let (bb, _) = vault_figures(&BACKBLAZE_2018, AfrConvention::Rate, mission, &o.models)?;
    let subject = RatioSubject::Tome {
        data: v.data,
        parity: v.parity,
    };
    let tome_ratios = ratios(subject, &tome, r.m);
    Ok((
        VaultDurability {
            inputs,
            pods,
            tomes,
            events_per_1000_pod_years: vault
                .iter()
                .map(|f| 1000.0 * f.loss_events_per_year / f64::from(pods))
                .collect(),
            tome,
            vault,
            backblaze_2018: bb,
        },
        tome_ratios,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: f64 = HOURS_PER_YEAR;

    fn lam(afr: f64) -> f64 {
        AfrConvention::Rate.lambda_per_hour(afr)
    }

    #[test]
    fn raid5_chain_matches_greenan_exact_form() {
        // model §6.3: RAID5 exact MTTDL ((2n−1)λ + μ) / (n(n−1)λ²) [48].
        let (n, l, mu) = (15u32, lam(3.0), 1.0 / 27.78);
        let exact = ((2.0 * f64::from(n) - 1.0) * l + mu) / (f64::from(n * (n - 1)) * l * l);
        let chain = Chain::group(n, 1, l, mu, Repair::Serial).mean_time_to_absorption();
        assert!((chain / exact - 1.0).abs() < 1e-12, "{chain} vs {exact}");
    }

    #[test]
    fn transient_matches_mttdl_when_mission_is_short() {
        let c = Chain::group(15, 2, lam(3.0), 1.0 / 27.78, Repair::Serial);
        let t = c.mean_time_to_absorption();
        let p = c.absorption_within(H);
        assert!((p / (H / t) - 1.0).abs() < 0.01, "{p} vs {}", H / t);
    }

    #[test]
    fn period_model_keeps_precision() {
        let l = period_loss(20, 3, 0.00405, 6.5);
        assert!(l > 1e-14 && l < 1e-12);
        let annual = period_loss_within(20, 3, 0.00405, 6.5, 1.0);
        assert!((annual / (l * 365.0 / 6.5) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn times_from_users_are_checked_before_any_figure() {
        for bad in [f64::NAN, f64::INFINITY, -1.0, 0.0, MAX_REPAIR_HOURS * 2.0] {
            assert!(check_hours(Hours(bad)).is_err(), "{bad}");
            assert!(Rebuild::of_hours(Hours(bad)).is_err(), "{bad}");
        }
        for bad in [f64::NAN, f64::INFINITY] {
            let r = Rebuild::at_rate(Bytes(3_000_000_000_000), MBps(100.0), Hours(bad), {
                RebuildSource::UserRate
            });
            assert!(r.is_err(), "{bad}");
        }
        // model §6.2: T_R = delay + member / rate; 3 TB at 100 MB/s is 30,000 s.
        let r = Rebuild::at_rate(
            Bytes(3_000_000_000_000),
            MBps(100.0),
            Hours(24.0),
            RebuildSource::UserRate,
        )
        .unwrap();
        assert!((r.transfer_hours.hours() - 30_000.0 / 3600.0).abs() < 1e-12);
        assert_eq!(r.hours, r.delay_hours + r.transfer_hours);
    }

    #[test]
    fn error_numbers_are_bounded_and_finite_in_words() {
        // The messages use the one message formatter: no `inf`, no 300-digit expansion.
        let inf = DurabilityError::RebuildHours(f64::INFINITY).to_string();
        assert!(!inf.contains("inf h"), "{inf}");
        let huge = DurabilityError::Afr(1e300).to_string();
        assert!(huge.contains("1.000e300"), "{huge}");
    }

    #[test]
    fn any_of_is_exact_for_tiny_p() {
        assert!((any_of(1e-15, 3.0) / 3e-15 - 1.0).abs() < 1e-12);
        assert!((any_of_each([1e-16, 2e-16]) / 3e-16 - 1.0).abs() < 1e-12);
    }
}
