//! The design-space sweep: every combination of the asked variations of a base design, each
//! built as a real design, validated and studied by [`super::design`] (the engines `report`
//! runs), then filtered by constraints and reduced to its Pareto front.
//!
//! This module owns the variant grid, the figures taken from each variant's study, the
//! constraints and the dominance rule. It never prints, never formats and never parses
//! command-line text: `crate::cli::sweep` builds the [`SweepRequest`], `crate::render::sweep`
//! renders the [`Sweep`]. Variants are evaluated in parallel (rayon) and collected in grid
//! order, so the result is the same with any number of threads.

use crate::bandwidth::Workload;
use crate::durability::Model;
use crate::load::Loaded;
use crate::spec::{Filesystem, Level, PartSpec};
use crate::study::{self, DesignReport};
use crate::units::Cents;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// One variation of the base design: the values one design choice takes.
#[derive(Debug, Clone, PartialEq)]
pub enum Axis {
    /// The data drive in every bay (a `Drive` part id of the design or its catalogs).
    Drive(Vec<String>),
    /// The redundancy level of every group (the design's explicit groups are dropped).
    Raid(Vec<Level>),
    /// Hot spares.
    Spares(Vec<u32>),
    /// The filesystem on each group.
    Filesystem(Vec<Filesystem>),
    /// A part's unit price.
    Price {
        /// The part id.
        part: String,
        /// The prices, in cents.
        cents: Vec<Cents>,
    },
}

impl Axis {
    /// How many values the axis takes.
    pub fn len(&self) -> usize {
        match self {
            Axis::Drive(v) => v.len(),
            Axis::Raid(v) => v.len(),
            Axis::Spares(v) => v.len(),
            Axis::Filesystem(v) => v.len(),
            Axis::Price { cents, .. } => cents.len(),
        }
    }

    /// Whether the axis takes no value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether its `i`-th value is what the base design already has.
    fn is_base(&self, i: usize, base: &Loaded) -> bool {
        let raid = &base.design.raid;
        match self {
            Axis::Drive(v) => base.design.drives.iter().all(|f| f.part == v[i]),
            Axis::Raid(v) => raid.level == v[i],
            Axis::Spares(v) => raid.spares == v[i],
            Axis::Filesystem(v) => raid.filesystem == v[i],
            Axis::Price { part, cents } => {
                part_ref(base, part).and_then(|p| crate::units::parse_cents(&p.price.amount).ok())
                    == Some(cents[i])
            }
        }
    }

    /// The change its `i`-th value makes, as `key=value`.
    fn change(&self, i: usize) -> String {
        match self {
            Axis::Drive(v) => format!("drive={}", v[i]),
            Axis::Raid(v) => format!("raid={}", level_text(&v[i])),
            Axis::Spares(v) => format!("spares={}", v[i]),
            Axis::Filesystem(v) => format!("filesystem={}", fs_text(v[i])),
            Axis::Price { part, cents } => {
                format!("price {part}={}.{:02}", cents[i].0 / 100, cents[i].0 % 100)
            }
        }
    }
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

/// The objectives of the front, in order (the first sorts it): cost per usable TB, annual
/// loss and slowest rebuild are minimised, ingest is maximised.
pub const OBJECTIVES: [&str; 4] = [
    "cost per usable TB",
    "annual loss",
    "rebuild hours",
    "ingest MB/s",
];

/// A checked sweep request.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepRequest {
    /// The variations; the grid is their product, the first axis slowest.
    pub axes: Vec<Axis>,
    /// The reliability model of the annual loss.
    pub model: Model,
    /// The limits.
    pub constraints: Constraints,
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
    pub scrub_binding: Option<String>,
    /// The ids of the links that bind ingest.
    pub ingest_binding: Option<String>,
    /// The ids of the links that bind a rebuild.
    pub rebuild_binding: Option<String>,
    /// Client ingest throughput, MB/s.
    pub ingest_mb_s: Option<f64>,
    /// Slowest rebuild of one drive, hours (`None` without redundancy).
    pub rebuild_hours: Option<f64>,
    /// Annual probability that the pod loses data under the request's model.
    pub annual_loss: Option<f64>,
    /// DC watts under load.
    pub load_w: f64,
    /// Least headroom of any PSU under load, percent of its rating.
    pub psu_headroom_pct: f64,
}

/// One point of the grid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variant {
    /// Position in the grid (0-based).
    pub index: usize,
    /// What it changes from the base design, `key=value` each.
    pub changes: Vec<String>,
    /// The figures, when the variant is a valid design the engines could study.
    pub figures: Option<Figures>,
    /// Why it is not (the first error's code and message).
    pub invalid: Option<String>,
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
    /// Invalid variants by reason, with their count.
    pub invalid: BTreeMap<String, usize>,
    /// Per constraint: how many valid variants break it.
    pub broken: BTreeMap<&'static str, usize>,
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

/// A part of the design or its catalogs, by id.
fn part_ref<'a>(l: &'a Loaded, id: &str) -> Option<&'a crate::spec::Part> {
    l.design
        .parts
        .iter()
        .chain(l.catalogs.iter().flat_map(|(_, c)| c.parts.iter()))
        .find(|p| p.id == id)
}

/// A part of the design or its catalogs, mutably, by id.
fn part_mut<'a>(l: &'a mut Loaded, id: &str) -> Option<&'a mut crate::spec::Part> {
    let Loaded {
        design, catalogs, ..
    } = l;
    design
        .parts
        .iter_mut()
        .chain(catalogs.iter_mut().flat_map(|(_, c)| c.parts.iter_mut()))
        .find(|p| p.id == id)
}

/// The design of grid position `index`: the base with each axis's value applied.
pub fn variant_design(base: &Loaded, axes: &[Axis], index: usize) -> Result<Loaded, String> {
    let n = grid_size(axes).map_err(|e| e.to_string())?;
    if index >= n {
        return Err(format!("no variant {index} in a grid of {n}"));
    }
    let mut l = base.clone();
    for (a, i) in axes.iter().zip(coordinates(axes, index)) {
        match a {
            Axis::Drive(v) => {
                l = crate::bom::swap_drive(&l, &v[i]).map_err(|e| e.to_string())?;
            }
            Axis::Raid(v) => l.design.raid.level = v[i],
            Axis::Spares(v) => l.design.raid.spares = v[i],
            Axis::Filesystem(v) => l.design.raid.filesystem = v[i],
            Axis::Price { part, cents } => {
                let p = part_mut(&mut l, part).ok_or_else(|| format!("no part {part:?}"))?;
                let c = cents[i].0;
                p.price.amount = format!("{}.{:02}", c / 100, c % 100);
            }
        }
    }
    // The design's own group list describes its own shape; another shape is laid out by the
    // layout engine.
    let (r, b) = (&l.design.raid, &base.design.raid);
    if r.level != b.level || r.spares != b.spares {
        l.design.raid.groups.clear();
    }
    Ok(l)
}

/// The figures a design study gives, with the annual loss under `model`.
pub fn figures(r: &DesignReport, model: Model) -> Figures {
    let bind = |w| study::workload(r, w).map(|b| b.summary.binding.ids().join(", "));
    let p = &r.show.power;
    let headroom = p
        .psus
        .iter()
        .map(|x| 100.0 * (1.0 - x.active.power() / x.rated_w))
        .fold(f64::INFINITY, f64::min);
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
        psu_headroom_pct: if headroom.is_finite() { headroom } else { 0.0 },
    }
}

/// Builds, validates and studies one variant.
fn evaluate(base: &Loaded, req: &SweepRequest, index: usize) -> Variant {
    let coords = coordinates(&req.axes, index);
    let changes = req
        .axes
        .iter()
        .zip(&coords)
        .filter(|(a, i)| !a.is_base(**i, base))
        .map(|(a, i)| a.change(*i))
        .collect();
    let mut v = Variant {
        index,
        changes,
        figures: None,
        invalid: None,
        broken: Vec::new(),
        front: false,
    };
    let outcome = variant_design(base, &req.axes, index).map(|l| crate::validate::validate(&l));
    match outcome {
        Err(e) => v.invalid = Some(e),
        Ok(o) => match (o.pod, o.diagnostics.iter().find(|d| d.is_error())) {
            (Some(pod), None) => match study::design(&pod, &format!("variant-{index}")) {
                Ok(r) => {
                    let f = figures(&r, req.model);
                    v.broken = broken(&f, &req.constraints);
                    v.figures = Some(f);
                }
                Err(e) => v.invalid = Some(e.to_string()),
            },
            (_, Some(d)) => v.invalid = Some(format!("{}: {}", d.code.as_str(), d.message)),
            (None, None) => v.invalid = Some("the design cannot be built".into()),
        },
    }
    v
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

/// The objective vector of `f`, every entry to minimise (ingest negated); a figure that does
/// not exist counts as the worst.
pub fn objectives(f: &Figures) -> [f64; 4] {
    let worst = f64::INFINITY;
    [
        f.per_usable_tb.unwrap_or(worst),
        f.annual_loss.unwrap_or(worst),
        f.rebuild_hours.unwrap_or(worst),
        f.ingest_mb_s.map_or(worst, |x| -x),
    ]
}

/// Whether `a` is at least as good as `b` on every objective and better on one.
pub fn dominates(a: &[f64; 4], b: &[f64; 4]) -> bool {
    a.iter().zip(b).all(|(x, y)| x <= y) && a.iter().zip(b).any(|(x, y)| x < y)
}

/// The feasible variants no feasible variant dominates, sorted by the first objective (then
/// grid order).
pub fn front(variants: &[Variant]) -> Vec<usize> {
    let pts: Vec<(usize, [f64; 4])> = variants
        .iter()
        .filter(|v| v.feasible())
        .filter_map(|v| v.figures.as_ref().map(|f| (v.index, objectives(f))))
        .collect();
    let mut out: Vec<(usize, [f64; 4])> = pts
        .iter()
        .filter(|(_, p)| !pts.iter().any(|(_, q)| dominates(q, p)))
        .copied()
        .collect();
    out.sort_by(|a, b| a.1[0].total_cmp(&b.1[0]).then(a.0.cmp(&b.0)));
    out.into_iter().map(|(i, _)| i).collect()
}

/// Checks that every part a variation names exists (drives are checked by the swap itself,
/// which names the drives there).
fn check_parts(base: &Loaded, axes: &[Axis]) -> Result<(), SweepError> {
    for a in axes {
        if let Axis::Price { part, .. } = a
            && part_ref(base, part).is_none()
        {
            return Err(SweepError::UnknownPart(part.clone()));
        }
        if let Axis::Drive(ids) = a {
            for id in ids {
                let known =
                    part_ref(base, id).is_some_and(|p| matches!(p.spec, PartSpec::Drive(_)));
                if !known {
                    return Err(SweepError::UnknownPart(id.clone()));
                }
            }
        }
    }
    Ok(())
}

/// Runs the sweep: every variant of `base` evaluated (in parallel, in the current rayon pool),
/// the constraints applied and the front found.
pub fn sweep(base: &Loaded, label: &str, req: &SweepRequest) -> Result<Sweep, SweepError> {
    sweep_with_progress(base, label, req, &|_, _| {})
}

/// [`sweep`], calling `progress(done, total)` after each variant (from any thread, in no set
/// order; the result does not depend on it).
pub fn sweep_with_progress(
    base: &Loaded,
    label: &str,
    req: &SweepRequest,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Sweep, SweepError> {
    let n = grid_size(&req.axes)?;
    check_parts(base, &req.axes)?;
    let done = std::sync::atomic::AtomicUsize::new(0);
    let mut variants: Vec<Variant> = (0..n)
        .into_par_iter()
        .map(|i| {
            let v = evaluate(base, req, i);
            let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress(d, n);
            v
        })
        .collect();
    let front = front(&variants);
    for i in &front {
        variants[*i].front = true;
    }
    let mut invalid = BTreeMap::new();
    let mut broken = BTreeMap::new();
    for v in &variants {
        if let Some(r) = &v.invalid {
            *invalid.entry(r.clone()).or_insert(0) += 1;
        }
        for b in &v.broken {
            *broken.entry(*b).or_insert(0) += 1;
        }
    }
    Ok(Sweep {
        base: label.to_string(),
        model: req.model.name(),
        objectives: OBJECTIVES.to_vec(),
        constraints: req.constraints,
        variants,
        front,
        invalid,
        broken,
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
