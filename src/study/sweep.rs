//! The design-space sweep: every combination of the asked variations of a base design, each
//! built as a real design, validated and studied by [`super::design`] (the engines `report`
//! runs), then filtered by constraints and reduced to its Pareto front.
//!
//! This module owns the variant grid, the figures taken from each variant's study, the
//! constraints and the dominance rule. It never prints, never formats and never parses
//! command-line text: `crate::cli::sweep` builds the [`SweepRequest`], `crate::render::sweep`
//! renders the [`Sweep`]. Variants are evaluated in parallel (rayon) and collected in grid
//! order, so the result is the same with any number of threads.

//!
//! Evaluation reuses what does not change between variants. The variations fall in three
//! classes: hardware (drive, bays, cards, NIC), layout (RAID shape, spares, filesystem) and
//! prices. Each hardware-and-layout combination is built, validated and studied once, at the
//! design's own prices, with the link graph built once per hardware combination (it does not
//! depend on the layout); each price combination is then the study's bill of materials
//! repriced ([`crate::bom::repriced`]). The figures are those a fresh study of each variant's
//! design gives (the tests check it variant by variant).

mod edit;

pub use edit::ONBOARD;

use crate::bandwidth::{self, Workload};
use crate::durability::Model;
use crate::load::Loaded;
use crate::spec::{Filesystem, Level, PartSpec};
use crate::study::{self, DesignReport};
use crate::units::Cents;
use edit::{part_mut, part_ref};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// One variation of the base design: the values one design choice takes.
#[derive(Debug, Clone, PartialEq)]
pub enum Axis {
    /// The data drive in every bay (a `Drive` part id of the design or its catalogs).
    Drive(Vec<String>),
    /// How many bays hold a data drive: the first N (see `edit::fill_first`).
    Bays(Vec<u32>),
    /// The host-card model in every slot that holds a host card (`HostCard` part ids).
    Card(Vec<String>),
    /// How many host cards share the backplanes.
    Cards(Vec<u32>),
    /// The NIC card (`NicCard` part ids, or [`ONBOARD`] for none).
    Nic(Vec<String>),
    /// The redundancy level of every group (the design's explicit groups are dropped).
    Raid(Vec<Level>),
    /// Hot spares.
    Spares(Vec<u32>),
    /// The filesystem on each group.
    Filesystem(Vec<Filesystem>),
    /// A part's unit price, whatever the quantity (its quantity breaks do not apply).
    Price {
        /// The part id.
        part: String,
        /// The prices, in cents.
        cents: Vec<Cents>,
    },
}

/// What a variation changes, which decides what the sweep can reuse between variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    Hardware,
    Layout,
    Price,
}

impl Axis {
    /// How many values the axis takes.
    pub fn len(&self) -> usize {
        match self {
            Axis::Drive(v) | Axis::Card(v) | Axis::Nic(v) => v.len(),
            Axis::Bays(v) | Axis::Cards(v) | Axis::Spares(v) => v.len(),
            Axis::Raid(v) => v.len(),
            Axis::Filesystem(v) => v.len(),
            Axis::Price { cents, .. } => cents.len(),
        }
    }

    /// Whether the axis takes no value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn class(&self) -> Class {
        match self {
            Axis::Drive(_) | Axis::Bays(_) | Axis::Card(_) | Axis::Cards(_) | Axis::Nic(_) => {
                Class::Hardware
            }
            Axis::Raid(_) | Axis::Spares(_) | Axis::Filesystem(_) => Class::Layout,
            Axis::Price { .. } => Class::Price,
        }
    }

    /// The order edits are made in, whatever the order of the axes: the drive before the bays
    /// it fills, the card count before the card model, the cards before the NIC takes a slot.
    fn rank(&self) -> u8 {
        match self {
            Axis::Drive(_) => 0,
            Axis::Bays(_) => 1,
            Axis::Cards(_) => 2,
            Axis::Card(_) => 3,
            Axis::Nic(_) => 4,
            Axis::Raid(_) => 5,
            Axis::Spares(_) => 6,
            Axis::Filesystem(_) => 7,
            Axis::Price { .. } => 8,
        }
    }

    /// Whether its `i`-th value is what the base design already has.
    fn is_base(&self, i: usize, base: &Loaded) -> bool {
        let d = &base.design;
        let slots = || d.slots.iter().map(|s| s.card.part.as_str());
        match self {
            Axis::Drive(v) => d.drives.iter().all(|f| f.part == v[i]),
            Axis::Bays(v) => edit::filled_bays(base) == v[i] as usize,
            Axis::Card(v) => slots()
                .filter(|p| edit::is_host_card(base, p))
                .all(|p| p == v[i]),
            Axis::Cards(v) => edit::host_card_count(base) == v[i] as usize,
            Axis::Nic(v) => {
                let mut nics = slots().filter(|p| edit::is_nic_card(base, p));
                match nics.next() {
                    None => v[i] == ONBOARD,
                    Some(p) => p == v[i],
                }
            }
            Axis::Raid(v) => d.raid.level == v[i],
            Axis::Spares(v) => d.raid.spares == v[i],
            Axis::Filesystem(v) => d.raid.filesystem == v[i],
            Axis::Price { part, cents } => part_ref(base, part).is_some_and(|p| {
                p.price.breaks.is_empty()
                    && crate::units::parse_cents(&p.price.amount).ok() == Some(cents[i])
            }),
        }
    }

    /// The change its `i`-th value makes, as `key=value`.
    fn change(&self, i: usize) -> String {
        match self {
            Axis::Drive(v) => format!("drive={}", v[i]),
            Axis::Bays(v) => format!("bays={}", v[i]),
            Axis::Card(v) => format!("card={}", v[i]),
            Axis::Cards(v) => format!("cards={}", v[i]),
            Axis::Nic(v) => format!("nic={}", v[i]),
            Axis::Raid(v) => format!("raid={}", level_text(&v[i])),
            Axis::Spares(v) => format!("spares={}", v[i]),
            Axis::Filesystem(v) => format!("filesystem={}", fs_text(v[i])),
            Axis::Price { part, cents } => format!("price {part}={}", amount(cents[i])),
        }
    }

    /// Makes the `i`-th value's change to `l`.
    fn apply(&self, i: usize, l: &mut Loaded) -> Result<(), Invalid> {
        match self {
            Axis::Drive(v) => {
                *l = crate::bom::swap_drive(l, &v[i])
                    .map_err(|e| Invalid::new("sweep-drive", e.to_string()))?;
            }
            Axis::Bays(v) => edit::fill_first(l, v[i])?,
            Axis::Card(v) => edit::set_card_model(l, &v[i]),
            Axis::Cards(v) => edit::set_card_count(l, v[i])?,
            Axis::Nic(v) => edit::set_nic(l, &v[i])?,
            Axis::Raid(v) => l.design.raid.level = v[i],
            Axis::Spares(v) => l.design.raid.spares = v[i],
            Axis::Filesystem(v) => l.design.raid.filesystem = v[i],
            Axis::Price { part, cents } => {
                let p = part_mut(l, part)
                    .ok_or_else(|| Invalid::new("sweep-part", format!("no part {part:?}")))?;
                p.price.amount = amount(cents[i]);
                p.price.breaks.clear();
            }
        }
        Ok(())
    }
}

/// An amount as design files write it: `120.50`.
fn amount(c: Cents) -> String {
    format!("{}.{:02}", c.0 / 100, c.0 % 100)
}

/// A level as the sweep's `--vary raid=` writes it: `raid6:15`, `ec:17+3`.
pub fn level_text(l: &Level) -> String {
    match *l {
        Level::Stripe { width } => format!("stripe:{width}"),
        Level::Mirror { copies } => format!("mirror:{copies}"),
        Level::Raid10 { width, copies } => format!("raid10:{width}:{copies}"),
        Level::Raid5 { width } => format!("raid5:{width}"),
        Level::Raid6 { width } => format!("raid6:{width}"),
        Level::Erasure { data, parity } => format!("ec:{data}+{parity}"),
        Level::RaidZ { parity, width } => format!("raidz{parity}:{width}"),
        Level::Draid {
            parity,
            data,
            children,
            spares,
        } => crate::layout::zfs::draid_name(parity, data, children, spares),
    }
}

fn fs_text(f: Filesystem) -> &'static str {
    match f {
        Filesystem::Ext4 => "ext4",
        Filesystem::Jfs => "jfs",
        Filesystem::Xfs => "xfs",
        Filesystem::None => "none",
        Filesystem::Zfs => "zfs",
    }
}

/// Limits a variant must meet to be feasible (each `None` when not asked).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Constraints {
    /// Highest annual probability of data loss.
    pub max_annual_loss: Option<f64>,
    /// Longest rebuild of one drive, hours.
    pub max_rebuild_hours: Option<f64>,
    /// Lowest client ingest, MB/s.
    pub min_ingest_mb_s: Option<f64>,
    /// Highest total cost of one pod.
    pub budget: Option<Cents>,
    /// Lowest usable capacity, decimal TB.
    pub min_usable_tb: Option<f64>,
}

/// A figure the front is built on: lower is better for each, except ingest and usable
/// capacity, which are maximised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub enum Objective {
    /// Cost per usable decimal TB (minimised).
    CostPerUsableTb,
    /// Annual probability of data loss (minimised).
    AnnualLoss,
    /// Slowest rebuild of one drive, hours (minimised).
    RebuildHours,
    /// Client ingest, MB/s (maximised).
    Ingest,
    /// Total cost of one pod (minimised).
    TotalCost,
    /// Usable capacity, decimal TB (maximised).
    UsableTb,
    /// DC watts under load (minimised).
    LoadW,
}

impl Objective {
    /// The objectives of a sweep that names none, in order.
    pub const DEFAULT: [Objective; 4] = [
        Objective::CostPerUsableTb,
        Objective::AnnualLoss,
        Objective::RebuildHours,
        Objective::Ingest,
    ];
    /// Every objective.
    pub const ALL: [Objective; 7] = [
        Objective::CostPerUsableTb,
        Objective::AnnualLoss,
        Objective::RebuildHours,
        Objective::Ingest,
        Objective::TotalCost,
        Objective::UsableTb,
        Objective::LoadW,
    ];

    /// Its name in output.
    pub fn name(self) -> &'static str {
        match self {
            Objective::CostPerUsableTb => "cost per usable TB",
            Objective::AnnualLoss => "annual loss",
            Objective::RebuildHours => "rebuild hours",
            Objective::Ingest => "ingest MB/s",
            Objective::TotalCost => "total cost",
            Objective::UsableTb => "usable TB",
            Objective::LoadW => "load W",
        }
    }

    /// Its value for `f` as a figure to minimise (a maximised one negated); a figure that does
    /// not exist counts as the worst.
    pub fn value(self, f: &Figures) -> f64 {
        let worst = f64::INFINITY;
        let v = match self {
            Objective::CostPerUsableTb => f.per_usable_tb.unwrap_or(worst),
            Objective::AnnualLoss => f.annual_loss.unwrap_or(worst),
            Objective::RebuildHours => f.rebuild_hours.unwrap_or(worst),
            Objective::Ingest => f.ingest_mb_s.map_or(worst, |x| -x),
            Objective::TotalCost => f.total.as_units_f64(),
            Objective::UsableTb => -f.usable_tb,
            Objective::LoadW => f.load_w,
        };
        // -0.0 and 0.0 are the same figure: one sign keeps the front's order exact.
        v + 0.0
    }
}

/// The objective vector of `f` (see [`Objective::value`]).
pub fn objectives(f: &Figures, objectives: &[Objective]) -> Vec<f64> {
    objectives.iter().map(|o| o.value(f)).collect()
}

/// A checked sweep request.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepRequest {
    /// The variations; the grid is their product, the first axis slowest.
    pub axes: Vec<Axis>,
    /// The reliability model of the annual loss.
    pub model: Model,
    /// The limits.
    pub constraints: Constraints,
    /// The objectives of the front, the first sorting it (at least one).
    pub objectives: Vec<Objective>,
}

/// Why a variant is not a design the engines can study: a stable code (a validation code, a
/// study's, or a `sweep-…` code for an edit that cannot be made) and the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invalid {
    /// The code.
    pub code: String,
    /// What is wrong.
    pub message: String,
}

impl Invalid {
    fn new(code: &str, message: impl Into<String>) -> Self {
        Invalid {
            code: code.to_string(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// What the engines give for one valid variant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    /// Raw capacity, decimal TB.
    pub raw_tb: f64,
    /// Usable capacity (after parity, spares and filesystem), decimal TB.
    pub usable_tb: f64,
    /// Total cost of one pod.
    pub total: Cents,
    /// Currency units per usable decimal TB (`None` with no usable capacity).
    pub per_usable_tb: Option<f64>,
    /// The ids of the links that bind scrub (`None` when the workload did not run).
    pub scrub_binding: Option<Arc<str>>,
    /// The ids of the links that bind ingest.
    pub ingest_binding: Option<Arc<str>>,
    /// The ids of the links that bind a rebuild.
    pub rebuild_binding: Option<Arc<str>>,
    /// Client ingest throughput, MB/s.
    pub ingest_mb_s: Option<f64>,
    /// Slowest rebuild of one drive, hours (`None` without redundancy).
    pub rebuild_hours: Option<f64>,
    /// Annual probability that the pod loses data under the request's model.
    pub annual_loss: Option<f64>,
    /// DC watts under load.
    pub load_w: f64,
    /// PSU headroom: the least margin any PSU has left on any of its ratings (+12 V current,
    /// +5 V current, power) at staggered spin-up or under load, percent of that rating;
    /// negative when a rating is exceeded (`None` without a rated PSU).
    pub psu_headroom_pct: Option<f64>,
}

/// One point of the grid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variant {
    /// Position in the grid (0-based).
    pub index: usize,
    /// What it changes from the base design, `key=value` each.
    pub changes: Vec<Arc<str>>,
    /// The figures, when the variant is a valid design the engines could study.
    pub figures: Option<Figures>,
    /// Why it is not.
    pub invalid: Option<Invalid>,
    /// The constraints it breaks (flag names).
    pub broken: Vec<&'static str>,
    /// Whether it is on the Pareto front.
    pub front: bool,
}

impl Variant {
    /// Valid and within every constraint.
    pub fn feasible(&self) -> bool {
        self.figures.is_some() && self.broken.is_empty()
    }
}

/// The invalid variants of one code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InvalidCount {
    /// How many variants.
    pub variants: usize,
    /// The first of them (grid position).
    pub first: usize,
    /// Its message.
    pub message: String,
}

/// What the sweep evaluated to reach its variants' figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Work {
    /// Hardware-and-layout combinations built and validated.
    pub designs_validated: usize,
    /// Of those, studied by the engines (the valid ones).
    pub designs_studied: usize,
    /// Link graphs built: one per hardware combination with a valid design.
    pub graphs_built: usize,
    /// Variants whose figures are another variant's study repriced.
    pub repriced: usize,
}

/// The result of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sweep {
    /// The base design's label.
    pub base: String,
    /// The model of the annual loss.
    pub model: &'static str,
    /// The objectives, in order.
    pub objectives: Vec<&'static str>,
    /// The constraints.
    pub constraints: Constraints,
    /// Every variant, in grid order.
    pub variants: Vec<Variant>,
    /// Indexes of the front's members, sorted by the first objective (then grid order).
    pub front: Vec<usize>,
    /// Invalid variants by code.
    pub invalid: BTreeMap<String, InvalidCount>,
    /// Per constraint: how many valid variants break it.
    pub broken: BTreeMap<&'static str, usize>,
    /// What was evaluated.
    pub work: Work,
}

impl Sweep {
    /// The sweep with only the front's members in `variants` (grid order, each with its
    /// `index`): what is shown without every variant asked for.
    pub fn front_only(&self) -> Sweep {
        Sweep {
            base: self.base.clone(),
            model: self.model,
            objectives: self.objectives.clone(),
            constraints: self.constraints,
            variants: self.variants.iter().filter(|v| v.front).cloned().collect(),
            front: self.front.clone(),
            invalid: self.invalid.clone(),
            broken: self.broken.clone(),
            work: self.work,
        }
    }
}

/// Why a sweep cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SweepError {
    /// An axis with no value.
    #[error("a variation has no value")]
    EmptyAxis,
    /// More variants than the sweep will evaluate.
    #[error("{0} variants; the sweep evaluates at most {MAX_VARIANTS}")]
    TooMany(u128),
    /// A part named by a variation is not in the design or its catalogs.
    #[error("no part {0:?} in the design or its catalogs")]
    UnknownPart(String),
    /// A part named by a variation has another role.
    #[error("{part:?} is not a {role} part")]
    WrongRole {
        /// The part.
        part: String,
        /// The role the variation needs.
        role: &'static str,
    },
    /// No objective.
    #[error("no objective to build the front on")]
    NoObjective,
}

/// The most variants one sweep evaluates.
pub const MAX_VARIANTS: usize = 1_000_000;

/// The grid's size, or why it cannot be evaluated.
pub fn grid_size(axes: &[Axis]) -> Result<usize, SweepError> {
    let mut n: u128 = 1;
    for a in axes {
        if a.is_empty() {
            return Err(SweepError::EmptyAxis);
        }
        n = n.saturating_mul(a.len() as u128);
    }
    if n > MAX_VARIANTS as u128 {
        return Err(SweepError::TooMany(n));
    }
    Ok(n as usize)
}

/// The value index of each axis for grid position `index` (the last axis fastest).
fn coordinates(axes: &[Axis], mut index: usize) -> Vec<usize> {
    let mut out = vec![0; axes.len()];
    for (k, a) in axes.iter().enumerate().rev() {
        out[k] = index % a.len();
        index /= a.len();
    }
    out
}

/// The grid position of `coords`.
fn position(axes: &[Axis], coords: &[usize]) -> usize {
    axes.iter()
        .zip(coords)
        .fold(0, |acc, (a, c)| acc * a.len() + c)
}

/// The design of `coords` (`None`: the base's value of that axis): the base with each
/// axis's value applied, in [`Axis::rank`] order (an edit to what the design already has
/// changes nothing).
fn build(base: &Loaded, axes: &[Axis], coords: &[Option<usize>]) -> Result<Loaded, Invalid> {
    let mut l = base.clone();
    let mut order: Vec<usize> = (0..axes.len()).collect();
    order.sort_by_key(|k| (axes[*k].rank(), *k));
    for k in order {
        if let Some(i) = coords[k] {
            axes[k].apply(i, &mut l)?;
        }
    }
    // The design's own group list describes its own shape and drives; another shape or
    // another drive count is laid out by the layout engine.
    let (r, b) = (&l.design.raid, &base.design.raid);
    let bays =
        |l: &Loaded| -> Vec<String> { l.design.drives.iter().map(|f| f.bays.clone()).collect() };
    if r.level != b.level || r.spares != b.spares || bays(&l) != bays(base) {
        l.design.raid.groups.clear();
    }
    Ok(l)
}

/// The design of grid position `index`: the base with each axis's value applied.
pub fn variant_design(base: &Loaded, axes: &[Axis], index: usize) -> Result<Loaded, String> {
    let n = grid_size(axes).map_err(|e| e.to_string())?;
    if index >= n {
        return Err(format!("no variant {index} in a grid of {n}"));
    }
    let coords: Vec<Option<usize>> = coordinates(axes, index).into_iter().map(Some).collect();
    build(base, axes, &coords).map_err(|e| e.to_string())
}

/// The figures a design study gives, with the annual loss under `model`.
pub fn figures(r: &DesignReport, model: Model) -> Figures {
    let bind = |w| study::workload(r, w).map(|b| Arc::from(b.summary.binding.ids().join(", ")));
    let p = &r.show.power;
    Figures {
        raw_tb: r.show.summary.raw.tb,
        usable_tb: r.layout.pipeline.usable.tb(),
        total: r.bom.totals.pod_total,
        per_usable_tb: r.bom.metrics.usable.per_tb,
        scrub_binding: bind(Workload::Scrub),
        ingest_binding: bind(Workload::Ingest),
        rebuild_binding: bind(Workload::Rebuild),
        ingest_mb_s: study::workload(r, Workload::Ingest)
            .map(|b| b.summary.client_mb_s.unwrap_or(b.summary.aggregate_mb_s).0),
        rebuild_hours: study::worst_rebuild(r).map(|w| w.hours),
        annual_loss: r.durability.as_ref().and_then(|d| {
            d.report
                .pod
                .models
                .iter()
                .find(|f| f.model == model)
                .map(|f| f.p_mission)
        }),
        load_w: p.active_w.watts(),
        psu_headroom_pct: psu_headroom(p),
    }
}

/// The least margin of any PSU on any rating at staggered spin-up or under load, percent.
fn psu_headroom(p: &crate::power::PowerBudget) -> Option<f64> {
    let margin = |draw: f64, rated: f64| (rated > 0.0).then(|| 100.0 * (1.0 - draw / rated));
    p.psus
        .iter()
        .flat_map(|x| {
            [x.spinup_staggered, x.active].into_iter().flat_map(|d| {
                [
                    margin(d.a12.0, x.rated_12v_a.0),
                    margin(d.a5.0, x.rated_5v_a.0),
                    margin(d.power().watts(), x.rated_w.watts()),
                ]
            })
        })
        .flatten()
        .filter(|m| m.is_finite())
        .reduce(f64::min)
}

/// The constraints `f` breaks, by flag name. A figure that does not exist (no rebuild, no
/// durability model) breaks a limit on it.
pub fn broken(f: &Figures, c: &Constraints) -> Vec<&'static str> {
    let mut out = Vec::new();
    let over = |x: Option<f64>, max: Option<f64>| max.is_some_and(|m| x.is_none_or(|x| x > m));
    if over(f.annual_loss, c.max_annual_loss) {
        out.push("--max-annual-loss");
    }
    if over(f.rebuild_hours, c.max_rebuild_hours) {
        out.push("--max-rebuild-hours");
    }
    if c.min_ingest_mb_s
        .is_some_and(|m| f.ingest_mb_s.is_none_or(|x| x < m))
    {
        out.push("--min-ingest");
    }
    if c.budget.is_some_and(|b| f.total > b) {
        out.push("--budget");
    }
    if c.min_usable_tb.is_some_and(|m| f.usable_tb < m) {
        out.push("--min-usable");
    }
    out
}

/// Whether `a` is at least as good as `b` on every objective and better on one.
pub fn dominates(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).all(|(x, y)| x <= y) && a.iter().zip(b).any(|(x, y)| x < y)
}

/// The feasible variants no feasible variant dominates on `objectives`, sorted by the first
/// objective (then grid order).
///
/// A variant that dominates another comes before it in lexicographic order, so the variants are
/// taken in that order and each is compared only with the members found so far (one that is
/// dominated by a non-member is dominated by the member that dominates that one).
pub fn front(variants: &[Variant], objectives: &[Objective]) -> Vec<usize> {
    let mut pts: Vec<(usize, Vec<f64>)> = variants
        .iter()
        .filter(|v| v.feasible())
        .filter_map(|v| Some((v.index, self::objectives(v.figures.as_ref()?, objectives))))
        .collect();
    let lex = |a: &[f64], b: &[f64]| {
        a.iter()
            .zip(b)
            .map(|(x, y)| x.total_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    };
    pts.sort_by(|a, b| lex(&a.1, &b.1).then(a.0.cmp(&b.0)));
    let mut out: Vec<(usize, Vec<f64>)> = Vec::new();
    for (i, p) in pts {
        if !out.iter().any(|(_, q)| dominates(q, &p)) {
            out.push((i, p));
        }
    }
    let first = |p: &[f64]| p.first().copied().unwrap_or(0.0);
    out.sort_by(|a, b| first(&a.1).total_cmp(&first(&b.1)).then(a.0.cmp(&b.0)));
    out.into_iter().map(|(i, _)| i).collect()
}

/// Checks that every part a variation names exists in the role it needs.
fn check_parts(base: &Loaded, axes: &[Axis]) -> Result<(), SweepError> {
    let need = |id: &str, role: &'static str, ok: fn(&PartSpec) -> bool| match part_ref(base, id) {
        None => Err(SweepError::UnknownPart(id.to_string())),
        Some(p) if !ok(&p.spec) => Err(SweepError::WrongRole {
            part: id.to_string(),
            role,
        }),
        Some(_) => Ok(()),
    };
    for a in axes {
        match a {
            Axis::Price { part, .. } => need(part, "priced", |_| true)?,
            Axis::Drive(ids) => {
                for id in ids {
                    need(id, "Drive", |s| matches!(s, PartSpec::Drive(_)))?;
                }
            }
            Axis::Card(ids) => {
                for id in ids {
                    need(id, "HostCard", |s| matches!(s, PartSpec::HostCard(_)))?;
                }
            }
            Axis::Nic(ids) => {
                for id in ids.iter().filter(|id| *id != ONBOARD) {
                    need(id, "NicCard", |s| matches!(s, PartSpec::NicCard(_)))?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The grid split by class, and what every variant shares: each axis value's change text and
/// whether it is the base's.
struct Ctx<'a> {
    base: &'a Loaded,
    req: &'a SweepRequest,
    /// The hardware and layout axes (studied once per combination), in axis order.
    study: Vec<usize>,
    /// The hardware axes.
    hardware: Vec<usize>,
    /// The price axes (repriced).
    price: Vec<usize>,
    changes: Vec<Vec<Option<Arc<str>>>>,
    /// Per hardware combination, its link graph once a valid design of it built one.
    graphs: Vec<OnceLock<Result<Arc<bandwidth::Graph>, bandwidth::BandwidthError>>>,
    graphs_built: AtomicUsize,
}

impl<'a> Ctx<'a> {
    fn new(base: &'a Loaded, req: &'a SweepRequest) -> Self {
        let axes = &req.axes;
        let of = |c: &dyn Fn(Class) -> bool| -> Vec<usize> {
            (0..axes.len()).filter(|k| c(axes[*k].class())).collect()
        };
        let hardware = of(&|c| c == Class::Hardware);
        let n_hw = hardware.iter().map(|k| axes[*k].len()).product();
        Ctx {
            base,
            req,
            study: of(&|c| c != Class::Price),
            hardware,
            price: of(&|c| c == Class::Price),
            changes: axes
                .iter()
                .map(|a| {
                    (0..a.len())
                        .map(|i| (!a.is_base(i, base)).then(|| Arc::from(a.change(i))))
                        .collect()
                })
                .collect(),
            graphs: (0..n_hw).map(|_| OnceLock::new()).collect(),
            graphs_built: AtomicUsize::new(0),
        }
    }

    fn count(&self, ks: &[usize]) -> usize {
        ks.iter().map(|k| self.req.axes[*k].len()).product()
    }

    /// Sets the coordinates of axes `ks` to the `index`-th of their combinations (the last
    /// axis fastest).
    fn place(&self, ks: &[usize], mut index: usize, coords: &mut [usize]) {
        for k in ks.iter().rev() {
            let n = self.req.axes[*k].len();
            coords[*k] = index % n;
            index /= n;
        }
    }

    /// Builds, validates and studies the hardware-and-layout combination `s` at the design's
    /// own prices.
    fn study(
        &self,
        s: usize,
        coords: &mut [usize],
        work: &mut Work,
    ) -> Result<DesignReport, Invalid> {
        self.place(&self.study, s, coords);
        let axes = &self.req.axes;
        let at: Vec<Option<usize>> = (0..axes.len())
            .map(|k| (axes[k].class() != Class::Price).then_some(coords[k]))
            .collect();
        let hw = self
            .hardware
            .iter()
            .fold(0, |acc, k| acc * axes[*k].len() + coords[*k]);
        let l = build(self.base, axes, &at)?;
        work.designs_validated += 1;
        let pod = validated(&l)?;
        work.designs_studied += 1;
        let graph = |params: &bandwidth::Params| {
            self.graphs[hw]
                .get_or_init(|| {
                    self.graphs_built.fetch_add(1, Ordering::Relaxed);
                    bandwidth::graph(&pod, params).map(Arc::new)
                })
                .clone()
        };
        study::design_with(&pod, "variant", &graph).map_err(study_invalid)
    }

    /// Every variant of the hardware-and-layout combination `s`: one study, repriced for each
    /// price combination.
    fn evaluate(&self, s: usize, progress: &dyn Fn(usize)) -> (Vec<Variant>, Work) {
        let axes = &self.req.axes;
        let mut work = Work::default();
        let mut coords = vec![0; axes.len()];
        let studied = self
            .study(s, &mut coords, &mut work)
            .map(|r| (figures(&r, self.req.model), r));
        let n = self.count(&self.price);
        let mut out = Vec::with_capacity(n);
        for p in 0..n {
            self.place(&self.price, p, &mut coords);
            let mut prices = BTreeMap::new();
            for k in &self.price {
                if let Axis::Price { part, cents } = &axes[*k] {
                    prices.insert(part.clone(), cents[coords[*k]]);
                }
            }
            let outcome = match &studied {
                Err(e) => Err(e.clone()),
                Ok((f, _)) if prices.is_empty() => Ok(f.clone()),
                Ok((f, r)) => {
                    work.repriced += 1;
                    crate::bom::repriced(&r.bom, &prices)
                        .map(|(total, per)| Figures {
                            total,
                            per_usable_tb: per.per_tb,
                            ..f.clone()
                        })
                        .map_err(|e| study_invalid(study::StudyError::Bom(e)))
                }
            };
            out.push(self.variant(&coords, outcome));
        }
        progress(n);
        (out, work)
    }

    fn variant(&self, coords: &[usize], outcome: Result<Figures, Invalid>) -> Variant {
        let changes = coords
            .iter()
            .enumerate()
            .filter_map(|(k, i)| self.changes[k][*i].clone())
            .collect();
        let (figures, invalid) = match outcome {
            Ok(f) => (Some(f), None),
            Err(e) => (None, Some(e)),
        };
        Variant {
            index: position(&self.req.axes, coords),
            changes,
            broken: figures
                .as_ref()
                .map_or_else(Vec::new, |f| broken(f, &self.req.constraints)),
            figures,
            invalid,
            front: false,
        }
    }
}

/// The pod of a design, or its first error.
fn validated(l: &Loaded) -> Result<crate::model::Pod, Invalid> {
    let o = crate::validate::validate(l);
    match (o.pod, o.diagnostics.iter().find(|d| d.is_error())) {
        (Some(pod), None) => Ok(pod),
        (_, Some(d)) => Err(Invalid::new(d.code.as_str(), d.message.clone())),
        (None, None) => Err(Invalid::new("sweep", "the design cannot be built")),
    }
}

/// A study's error as an invalid variant, coded by the engine that refused.
fn study_invalid(e: study::StudyError) -> Invalid {
    match e {
        study::StudyError::Layout(e) => Invalid::new("layout", e.to_string()),
        study::StudyError::Bom(e) => Invalid::new("bill-of-materials", e.to_string()),
        study::StudyError::Bandwidth { workload, error } => {
            Invalid::new("bandwidth", format!("{workload}: {error}"))
        }
    }
}

/// The base design with only the parts a variant can use: those on the base's bill of
/// materials and those the variations name (`None` when the base is not valid, to be used as
/// it is). Every variant is validated; unused catalog parts would only be validated again
/// each time, the largest share of a variant's cost.
fn prune(base: &Loaded, axes: &[Axis]) -> Option<Loaded> {
    let pod = validated(base).ok()?;
    let mut keep: std::collections::BTreeSet<String> = crate::bom::parts(&pod)
        .iter()
        .map(|p| p.id.clone())
        .collect();
    for a in axes {
        match a {
            Axis::Drive(ids) | Axis::Card(ids) | Axis::Nic(ids) => keep.extend(ids.iter().cloned()),
            Axis::Price { part, .. } => {
                keep.insert(part.clone());
            }
            _ => {}
        }
    }
    let mut l = base.clone();
    l.design.parts.retain(|p| keep.contains(&p.id));
    for (_, c) in &mut l.catalogs {
        c.parts.retain(|p| keep.contains(&p.id));
    }
    Some(l)
}

/// One variant built, validated and studied on its own, with nothing reused: what the sweep's
/// figures must equal (the tests compare the two).
pub fn evaluate_alone(base: &Loaded, req: &SweepRequest, index: usize) -> Result<Figures, Invalid> {
    let coords: Vec<Option<usize>> = coordinates(&req.axes, index)
        .into_iter()
        .map(Some)
        .collect();
    let l = build(base, &req.axes, &coords)?;
    let pod = validated(&l)?;
    let r = study::design(&pod, "variant").map_err(study_invalid)?;
    Ok(figures(&r, req.model))
}

/// Runs the sweep: every variant of `base` evaluated (in parallel, in the current rayon pool),
/// the constraints applied and the front found.
pub fn sweep(base: &Loaded, label: &str, req: &SweepRequest) -> Result<Sweep, SweepError> {
    sweep_with_progress(base, label, req, &|_, _| {})
}

/// [`sweep`], calling `progress(done, total)` as variants are done (from any thread, in no set
/// order; the result does not depend on it).
pub fn sweep_with_progress(
    base: &Loaded,
    label: &str,
    req: &SweepRequest,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Sweep, SweepError> {
    let n = grid_size(&req.axes)?;
    check_parts(base, &req.axes)?;
    if req.objectives.is_empty() {
        return Err(SweepError::NoObjective);
    }
    let pruned = prune(base, &req.axes);
    let ctx = Ctx::new(pruned.as_ref().unwrap_or(base), req);
    let done = AtomicUsize::new(0);
    let tick = |k: usize| progress(done.fetch_add(k, Ordering::Relaxed) + k, n);
    let parts: Vec<(Vec<Variant>, Work)> = (0..ctx.count(&ctx.study))
        .into_par_iter()
        .map(|s| ctx.evaluate(s, &tick))
        .collect();
    let mut work = Work {
        graphs_built: ctx.graphs_built.load(Ordering::Relaxed),
        ..Work::default()
    };
    // Moved part by part (each freed as it goes), then put in grid order: the variants are
    // held about once, not twice.
    let mut variants: Vec<Variant> = Vec::with_capacity(n);
    for (vs, w) in parts {
        work.designs_validated += w.designs_validated;
        work.designs_studied += w.designs_studied;
        work.repriced += w.repriced;
        variants.extend(vs);
    }
    variants.sort_unstable_by_key(|v| v.index);
    let front = front(&variants, &req.objectives);
    for i in &front {
        variants[*i].front = true;
    }
    let mut invalid: BTreeMap<String, InvalidCount> = BTreeMap::new();
    let mut broken = BTreeMap::new();
    for v in &variants {
        if let Some(r) = &v.invalid {
            invalid
                .entry(r.code.clone())
                .or_insert_with(|| InvalidCount {
                    variants: 0,
                    first: v.index,
                    message: r.message.clone(),
                })
                .variants += 1;
        }
        for b in &v.broken {
            *broken.entry(*b).or_insert(0) += 1;
        }
    }
    Ok(Sweep {
        base: label.to_string(),
        model: req.model.name(),
        objectives: req.objectives.iter().map(|o| o.name()).collect(),
        constraints: req.constraints,
        variants,
        front,
        invalid,
        broken,
        work,
    })
}

/// A variant as a design file that stands alone: every part of its catalogs copied into its
/// own `parts` (so it loads from any directory, with the sweep's prices), no catalogs, no
/// published figures (they describe the base design), `label` and a note saying what changed.
pub fn standalone(l: &Loaded, label: &str, note: String) -> crate::spec::Design {
    let mut d = l.design.clone();
    let mut seen: std::collections::BTreeSet<String> =
        d.parts.iter().map(|p| p.id.clone()).collect();
    for (_, c) in &l.catalogs {
        for p in &c.parts {
            if seen.insert(p.id.clone()) {
                d.parts.push(p.clone());
            }
        }
    }
    d.catalogs.clear();
    d.published = crate::spec::Published::default();
    // Measurements were taken on the base design, not on a variant.
    d.measured.clear();
    d.label = Some(label.to_string());
    d.notes.push(note);
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{self, Document};

    fn pod_6() -> Loaded {
        let Ok(Document::Design(l)) = load::load_embedded("backblaze-pod-6.0.ron") else {
            panic!("Pod 6.0 is a design")
        };
        *l
    }

    /// Three hardware axes (8 combinations), two layout axes (6), two price axes (6): 288
    /// variants. The catalog's boot drive as a data drive is a part the sweep must keep.
    fn request() -> SweepRequest {
        SweepRequest {
            axes: vec![
                Axis::Drive(vec![
                    "wd-wd1600bpvt".into(),
                    "seagate-st4000dm000-pod-6-0".into(),
                ]),
                Axis::Cards(vec![3, 4]),
                Axis::Raid(vec![
                    Level::Raid6 { width: 15 },
                    Level::Raid6 { width: 12 },
                    Level::Erasure {
                        data: 17,
                        parity: 3,
                    },
                ]),
                Axis::Price {
                    part: "zippy-psm-5760v".into(),
                    cents: vec![Cents(9000), Cents(12000), Cents(15000)],
                },
                Axis::Bays(vec![45, 60]),
                Axis::Spares(vec![0, 1]),
                Axis::Price {
                    part: "seagate-st4000dm000-pod-6-0".into(),
                    cents: vec![Cents(8000), Cents(9682)],
                },
            ],
            model: Model::Sliding,
            constraints: Constraints::default(),
            objectives: Objective::DEFAULT.to_vec(),
        }
    }

    #[test]
    fn a_sweep_builds_one_link_graph_per_hardware_and_studies_each_layout_once() {
        let (base, req) = (pod_6(), request());
        // One worker, this thread: the graph builds are counted per thread.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .use_current_thread()
            .build()
            .unwrap();
        let before = bandwidth::GRAPH_BUILDS.with(std::cell::Cell::get);
        let s = pool.install(|| sweep(&base, "Pod 6.0", &req)).unwrap();
        let builds = bandwidth::GRAPH_BUILDS.with(std::cell::Cell::get) - before;
        assert_eq!(s.variants.len(), 288);
        assert!(
            s.variants.iter().all(|v| v.figures.is_some()),
            "{:?}",
            s.invalid
        );
        assert_eq!(builds, 8, "one link graph per hardware combination");
        assert_eq!(s.work.graphs_built, 8);
        assert_eq!(s.work.designs_validated, 48);
        assert_eq!(s.work.designs_studied, 48);
        assert_eq!(s.work.repriced, 288);
    }

    #[test]
    fn every_figure_of_a_sweep_is_byte_identical_to_a_fresh_study_of_its_design() {
        let (base, req) = (pod_6(), request());
        let s = sweep(&base, "Pod 6.0", &req).unwrap();
        for v in &s.variants {
            let alone = evaluate_alone(&base, &req, v.index).unwrap();
            let f = v.figures.as_ref().unwrap();
            assert_eq!(
                serde_json::to_string(f).unwrap(),
                serde_json::to_string(&alone).unwrap(),
                "variant {} ({:?})",
                v.index,
                v.changes
            );
        }
        // The prices did change the figures, and only the cost ones (the PSU's price is the
        // fourth axis: 8 variants apart).
        let (a, b) = (&s.variants[0], &s.variants[8]);
        let (fa, fb) = (a.figures.as_ref().unwrap(), b.figures.as_ref().unwrap());
        assert_ne!(fa.total, fb.total);
        assert_eq!(fa.annual_loss, fb.annual_loss);
    }

    #[test]
    fn an_invalid_hardware_combination_is_invalid_at_every_price_as_alone() {
        let base = pod_6();
        let req = SweepRequest {
            axes: vec![
                Axis::Cards(vec![4, 5]),
                Axis::Price {
                    part: "zippy-psm-5760v".into(),
                    cents: vec![Cents(9000), Cents(12000)],
                },
            ],
            ..request()
        };
        let s = sweep(&base, "Pod 6.0", &req).unwrap();
        for v in &s.variants {
            assert_eq!(
                v.invalid.clone(),
                evaluate_alone(&base, &req, v.index).err(),
                "variant {}",
                v.index
            );
        }
        let c = &s.invalid["sweep-no-free-slot"];
        assert_eq!((c.variants, c.first), (2, 2));
    }

    fn point(index: usize, cost: u8, loss: u8, hours: Option<u8>, ingest: u8) -> Variant {
        Variant {
            index,
            changes: Vec::new(),
            figures: Some(Figures {
                raw_tb: 1.0,
                usable_tb: f64::from(ingest % 3),
                total: Cents(i64::from(cost) * 100),
                per_usable_tb: Some(f64::from(cost)),
                scrub_binding: None,
                ingest_binding: None,
                rebuild_binding: None,
                ingest_mb_s: Some(f64::from(ingest)),
                rebuild_hours: hours.map(f64::from),
                annual_loss: Some(f64::from(loss) * 1e-7),
                load_w: f64::from(loss % 4),
                psu_headroom_pct: None,
            }),
            invalid: None,
            broken: Vec::new(),
            front: false,
        }
    }

    proptest::proptest! {
        /// The front found in lexicographic order is the one every pair compared gives.
        #[test]
        fn the_front_is_what_comparing_every_pair_gives(
            pts in proptest::collection::vec(
                (0u8..6, 0u8..6, proptest::option::of(0u8..6), 0u8..6),
                0..40,
            ),
            which in 0usize..3,
        ) {
            let objs: &[Objective] = match which {
                0 => &Objective::DEFAULT,
                1 => &[Objective::TotalCost, Objective::UsableTb, Objective::LoadW],
                _ => &Objective::ALL,
            };
            let vs: Vec<Variant> = pts
                .iter()
                .enumerate()
                .map(|(i, (c, l, h, g))| point(i, *c, *l, *h, *g))
                .collect();
            let of = |v: &Variant| objectives(v.figures.as_ref().unwrap(), objs);
            let mut brute: Vec<usize> = vs
                .iter()
                .filter(|p| !vs.iter().any(|q| dominates(&of(q), &of(p))))
                .map(|p| p.index)
                .collect();
            brute.sort_by(|a, b| of(&vs[*a])[0].total_cmp(&of(&vs[*b])[0]).then(a.cmp(b)));
            proptest::prop_assert_eq!(front(&vs, objs), brute);
        }
    }
}
