//! The study layer: one place that runs the engines on a validated pod and returns one result.
//!
//! Given a pod and typed parameters, this module runs each engine once — layout, the link
//! graph, bandwidth per workload and rebuild times on that one graph, durability, Monte Carlo
//! when asked, bill of materials, power — and returns one serializable result. It is the only place that wires one engine's output into
//! another's input (rebuild times from the bandwidth model into the durability models, the
//! durability models into the layout search), so the command line and the reports hold none of
//! that wiring. It never prints and never formats: renderers (`crate::render`) do.

use crate::bandwidth::{self, BandwidthReport, Params, RebuildTime, Request, Workload};
use crate::bom::{self, Options as BomOptions};
use crate::durability::{
    self, DelaySource, DurabilityError, DurabilityReport, Options, Rebuild, RebuildSource,
};
use crate::layout::{self, DomainKind, Layout, LayoutReport, Overheads, Shape};
use crate::model::Pod;
use crate::montecarlo::{self, ComponentAfr, McParams, McReport, Progress};
use crate::show::{self, ShowReport};
use crate::units::{Hours, MBps};
use serde::Serialize;

mod compare;
pub mod measured;
mod plan;
pub mod sweep;
pub use compare::{BomDiff, Column, Comparison, PartChange, compare};
pub use plan::{PlanColumn, PlanComparison, compare_plans, plan, pod_facts};

/// Workloads every design study runs, in order.
pub const WORKLOADS: [Workload; 6] = [
    Workload::Scrub,
    Workload::Ingest,
    Workload::Read,
    Workload::Rebuild,
    Workload::RebuildAll,
    Workload::Single,
];

/// Why an engine could not study a design with its own policy and default parameters.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StudyError {
    /// The design's RAID policy cannot be laid out.
    #[error("layout: {0}")]
    Layout(#[from] layout::ShapeError),
    /// The BOM cannot be priced.
    #[error("bill of materials: {0}")]
    Bom(#[from] bom::BomError),
    /// A bandwidth workload failed.
    #[error("bandwidth: {workload}: {error}")]
    Bandwidth {
        /// The workload's name.
        workload: &'static str,
        /// What failed.
        error: bandwidth::BandwidthError,
    },
}

/// A durability report and, side by side, the Monte Carlo run that checks it (when asked for).
/// Serialized as the durability report's fields followed by `monte_carlo`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DurabilityStudy {
    /// The closed-form models.
    #[serde(flatten)]
    pub report: DurabilityReport,
    /// The simulation, when asked for.
    pub monte_carlo: Option<McReport>,
}

/// Everything podplan knows about one design: the result every report file is rendered from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DesignReport {
    /// Directory name of the report (the design file's stem).
    pub name: String,
    /// Short label naming the design in comparisons and charts: the design's `label`, else
    /// its name.
    pub label: String,
    /// Topology, capacity summary and power budget.
    pub show: ShowReport,
    /// The design's own RAID layout, capacity pipeline and failure domains.
    pub layout: LayoutReport,
    /// Bill of materials, cost metrics and the reconciliation with published figures.
    pub bom: bom::Report,
    /// Every workload's bandwidth, in [`WORKLOADS`] order.
    pub bandwidth: Vec<BandwidthReport>,
    /// Time to rebuild one drive of each group, from the topology.
    pub rebuild_times: Vec<RebuildTime>,
    /// Probability of data loss under every model, with those rebuild times (`None` when the
    /// layout has no redundancy to model).
    pub durability: Option<DurabilityStudy>,
    /// The figures measured on built pods, each with the model beside it.
    pub measured: Vec<measured::MeasuredRow>,
}

/// Runs every engine on a design with its own policy and default parameters.
pub fn design(pod: &Pod, name: &str) -> Result<DesignReport, StudyError> {
    design_with(pod, name, &|params| bandwidth::graph(pod, params))
}

/// [`design`] with the link graph from `graph` (called once, after the layout and the bill of
/// materials, where [`design`] builds it): a caller that studies many pods of the same hardware
/// (the sweep) builds their graph once, since it depends on the hardware and the parameters,
/// not on the RAID policy or the prices.
pub fn design_with<G: std::borrow::Borrow<bandwidth::Graph>>(
    pod: &Pod,
    name: &str,
    graph: &dyn Fn(&Params) -> Result<G, bandwidth::BandwidthError>,
) -> Result<DesignReport, StudyError> {
    let shape = Shape {
        level: pod.raid.level,
        spares: pod.raid.spares,
    };
    let placement = layout::place(pod, shape, &[])?;
    let o = Overheads::for_pod(pod);
    let layout = layout::report(pod, &placement, pod.raid.filesystem, &o, None);
    let bom = bom::report(pod, None, &BomOptions::default())?;
    let params = Params {
        zfs_fill: zfs_fill(pod, placement.layout.shape.level),
        ..Params::default()
    };
    // The link graph depends on the pod and the parameters, not on the workload: built once,
    // it serves every workload and the rebuild times. Its errors are the parameters', which
    // the first workload would have met first.
    let graph = graph(&params).map_err(|error| StudyError::Bandwidth {
        workload: WORKLOADS[0].name(),
        error,
    })?;
    let graph: &bandwidth::Graph = graph.borrow();
    let mut bw = Vec::new();
    for w in WORKLOADS {
        let req = Request {
            workload: w,
            group: None,
            bay: None,
        };
        match bandwidth::analyze_on(graph, pod, &placement.layout, &req, &params) {
            Ok(r) => bw.push(r),
            // No redundancy: no rebuild exists; the summary says so instead of failing.
            // No data network: clients cannot reach the pod; check warns (no-data-nic).
            Err(
                bandwidth::BandwidthError::NoRedundancy { .. }
                | bandwidth::BandwidthError::NoDataNetwork(_),
            ) => {}
            Err(error) => {
                return Err(StudyError::Bandwidth {
                    workload: w.name(),
                    error,
                });
            }
        }
    }
    let rebuild_times = bandwidth::rebuild_times_on(graph, &placement.layout, &params);
    let mut layout = layout;
    if let Some(z) = layout.pipeline.zfs.as_mut() {
        z.resilver = resilver(&rebuild_times, params.factors.delay_h);
    }
    let durability = default_durability(pod, &placement.layout, &rebuild_times)
        .ok()
        .map(|report| DurabilityStudy {
            report,
            monte_carlo: None,
        });
    Ok(DesignReport {
        name: name.to_string(),
        label: pod.label.clone(),
        show: show::report(pod),
        layout,
        bom,
        bandwidth: bw,
        rebuild_times,
        durability,
        measured: measured::rows_with(pod, Some(graph)),
    })
}

/// A workload's bandwidth in a design study, when it ran.
pub(crate) fn workload(r: &DesignReport, w: Workload) -> Option<&BandwidthReport> {
    r.bandwidth.iter().find(|b| b.workload == w)
}

/// The slowest group's rebuild (the first of equals).
pub fn worst_rebuild(r: &DesignReport) -> Option<&RebuildTime> {
    r.rebuild_times
        .iter()
        .fold(None, |worst: Option<&RebuildTime>, t| match worst {
            Some(w) if w.hours >= t.hours => Some(w),
            _ => Some(t),
        })
}

/// Why one bandwidth workload cannot be run on a pod.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BandwidthStudyError {
    /// The design's RAID policy cannot be laid out.
    #[error("layout: {0}")]
    Layout(layout::ShapeError),
    /// The workload cannot run on this layout.
    #[error("{0}")]
    Bandwidth(bandwidth::BandwidthError),
}

/// One workload on a pod laid out with its own RAID policy.
///
/// ```
/// # use podplan::load::{self, Document};
/// # let Document::Design(loaded) = load::builtin().unwrap() else { unreachable!() };
/// # let pod = podplan::validate::validate(&loaded).pod.unwrap();
/// use podplan::bandwidth::{Params, Request, Workload};
///
/// let req = Request { workload: Workload::Scrub, group: None, bay: None };
/// let scrub = podplan::study::bandwidth(&pod, &req, &Params::default()).unwrap();
/// // Every data drive streams, and no drive is faster than its share of the binding link.
/// assert_eq!(scrub.summary.active_drives, 45);
/// assert!(scrub.summary.per_drive_min_mb_s.0 <= scrub.summary.per_drive_max_mb_s.0);
/// ```
pub fn bandwidth(
    pod: &Pod,
    req: &Request,
    params: &Params,
) -> Result<BandwidthReport, BandwidthStudyError> {
    let shape = Shape {
        level: pod.raid.level,
        spares: pod.raid.spares,
    };
    let placement = layout::place(pod, shape, &[]).map_err(BandwidthStudyError::Layout)?;
    bandwidth::analyze(pod, &placement.layout, req, params).map_err(BandwidthStudyError::Bandwidth)
}

/// The time to rebuild one drive of each group from the topology (none when the layout has no
/// redundancy), or why `params` do not fit the pod. The one call into the bandwidth model's
/// rebuild times.
fn topology_times(
    pod: &Pod,
    layout: &Layout,
    params: &Params,
) -> Result<Vec<RebuildTime>, bandwidth::BandwidthError> {
    if params.zfs_fill.is_none()
        && let Some(fill) = zfs_fill(pod, layout.shape.level)
    {
        let p = Params {
            zfs_fill: Some(fill),
            ..params.clone()
        };
        return bandwidth::rebuild_times(pod, layout, &p);
    }
    bandwidth::rebuild_times(pod, layout, params)
}

/// The allocated share a resilver rewrites when the pod's pool is ZFS (the design's
/// filesystem, or a RAIDZ or dRAID level): the design's `raid.zfs.fill`, else
/// [`layout::zfs::DEFAULT_FILL`]; `None` for Linux md, which rebuilds whole members.
pub fn zfs_fill(pod: &Pod, level: crate::spec::Level) -> Option<f64> {
    use crate::spec::Level;
    let zfs = pod.raid.filesystem == crate::spec::Filesystem::Zfs
        || matches!(level, Level::RaidZ { .. } | Level::Draid { .. });
    zfs.then(|| design_zfs(pod).fill)
}

/// The design's ZFS settings, or the defaults.
fn design_zfs(pod: &Pod) -> layout::zfs::ZfsParams {
    pod.raid.zfs.unwrap_or_default()
}

/// The slowest group's resilver for the layout report's ZFS note, from `times`.
fn resilver(times: &[RebuildTime], delay_h: f64) -> Option<layout::zfs::Resilver> {
    let slowest =
        times
            .iter()
            .filter(|t| t.hours.is_finite())
            .fold(None, |w: Option<&RebuildTime>, t| match w {
                Some(w) if w.hours >= t.hours => Some(w),
                _ => Some(t),
            })?;
    Some(layout::zfs::Resilver {
        group: slowest.group,
        hours: (slowest.hours - delay_h).max(0.0),
        rate_mb_s: slowest.rate.0,
        binding: slowest.binding_link.to_string(),
        rebalance_hours: slowest.rebalance_hours.filter(|h| h.is_finite()),
    })
}

/// A design's durability with every default: its own layout, rebuild rates from the topology
/// (`times`, the bandwidth model's defaults), the default delay, catalog AFRs and URE rates,
/// every model, a one-year mission, and the design's Vault (Backblaze's 6.5-day shard rebuild)
/// if it has one.
fn default_durability(
    pod: &Pod,
    layout: &Layout,
    times: &[RebuildTime],
) -> Result<DurabilityReport, DurabilityError> {
    let (delay, source) = durability::default_delay(pod, layout);
    let rebuilds = if layout.shape.tolerance() == 0 {
        layout.groups.iter().map(|_| Rebuild::none()).collect()
    } else {
        durability::topology_rebuilds(layout, times, delay)?
    };
    let o = Options {
        delay_source: (layout.shape.tolerance() > 0).then_some(source),
        vault: pod.raid.vault.map(|v| durability::VaultSpec {
            data: v.data,
            parity: v.parity,
            rebuild_hours: durability::BACKBLAZE_2018.rebuild_hours,
        }),
        ..Options::default()
    };
    durability::report(pod, layout, &rebuilds, &o)
}

/// The pod's annual probability of losing data with a layout: every group's loss under `model`
/// with the mean catalog AFR of its members and its rebuild time from the topology (plus the
/// replacement delay when there is no hot spare), combined as `1 − Π (1 − p_g)`. The loss the
/// layout search (`layout --auto --max-annual-loss`) weighs candidates by.
pub fn pod_annual_loss(pod: &Pod, l: &Layout, model: durability::Model) -> Option<f64> {
    pod_loss_and_rebuild(pod, l, model, None).map(|x| x.0)
}

/// [`pod_annual_loss`] and the slowest group's time to restore redundancy (delay included),
/// with a ZFS pool's `fill` when given (else the design's, when its pool is ZFS).
pub fn pod_loss_and_rebuild(
    pod: &Pod,
    l: &Layout,
    model: durability::Model,
    fill: Option<f64>,
) -> Option<(f64, f64)> {
    let params = Params {
        zfs_fill: fill,
        ..Params::default()
    };
    let times = topology_times(pod, l, &params).ok()?;
    if times.len() != l.groups.len() {
        return None;
    }
    let delay = durability::default_delay(pod, l).0;
    let mut log_survive = 0.0;
    let mut slowest: f64 = 0.0;
    for (g, t) in l.groups.iter().zip(&times) {
        let afrs: Vec<f64> = g
            .bays
            .iter()
            .filter_map(|b| pod.drives.iter().find(|d| d.bay == *b))
            .map(|d| d.drive().afr_pct)
            .collect();
        let afr = afrs.iter().sum::<f64>() / afrs.len().max(1) as f64;
        let hours = Hours(t.hours) + delay;
        slowest = slowest.max(hours.hours());
        let p = durability::group_annual_loss(&l.shape, afr, hours, model).ok()?;
        log_survive += (-p).ln_1p();
    }
    Some((-log_survive.exp_m1(), slowest))
}

/// How a layout request picks its shape.
#[derive(Debug, Clone, PartialEq)]
pub enum LayoutChoice {
    /// Search width and parity under constraints, weighing each candidate's annual loss under
    /// `model` ([`pod_annual_loss`]).
    Auto {
        /// The search's constraints.
        constraints: layout::AutoConstraints,
        /// The reliability model of the loss.
        model: durability::Model,
    },
    /// This shape (`custom`: the user's, not the design's own).
    Shape {
        /// The shape.
        shape: Shape,
        /// Whether the user asked for it.
        custom: bool,
    },
}

/// A checked layout request.
#[derive(Debug, Clone, PartialEq)]
pub struct LayoutRequest {
    /// How the shape is chosen.
    pub choice: LayoutChoice,
    /// Failure domains the placement must survive.
    pub survive: Vec<DomainKind>,
    /// The filesystem on each group.
    pub filesystem: crate::spec::Filesystem,
    /// Its overheads and the partition alignment.
    pub overheads: Overheads,
}

/// Why a layout request cannot be laid out.
#[derive(Debug, Clone, PartialEq)]
pub enum LayoutStudyError {
    /// The search found no shape at all for these drives.
    NoShapeFits,
    /// The shape does not fit the pod (`custom`: the user's shape).
    Shape {
        /// Whether the user asked for it.
        custom: bool,
        /// Why.
        error: layout::ShapeError,
    },
    /// The shape cannot be placed.
    Place(layout::ShapeError),
}

/// Lays a pod out as asked: the search or the shape, the placement, the capacity pipeline and
/// the failure domains. When nothing satisfies the search's constraints, the report shows the
/// search and the best rejected shape.
///
/// ```
/// # use podplan::load::{self, Document};
/// # let Document::Design(loaded) = load::builtin().unwrap() else { unreachable!() };
/// # let pod = podplan::validate::validate(&loaded).pod.unwrap();
/// use podplan::layout::{Overheads, Shape};
/// use podplan::study::{LayoutChoice, LayoutRequest};
///
/// // Backblaze's layout of Storage Pod 2.0: three 15-drive RAID 6 groups.
/// let req = LayoutRequest {
///     choice: LayoutChoice::Shape {
///         shape: Shape { level: pod.raid.level, spares: pod.raid.spares },
///         custom: false,
///     },
///     survive: Vec::new(),
///     filesystem: pod.raid.filesystem,
///     overheads: Overheads::for_filesystem(pod.raid.filesystem),
/// };
/// let layout = podplan::study::layout(&pod, &req).unwrap();
/// assert_eq!(layout.groups.len(), 3);
/// // 3 groups × 13 data drives × 3 TB before the filesystem, less the 1 MiB partition
/// // alignment of each drive.
/// let before_gb = layout.pipeline.before_filesystem.0 / 1_000_000_000;
/// assert!((116_990..117_000).contains(&before_gb));
/// assert!(layout.pipeline.usable < layout.pipeline.before_filesystem);
/// ```
pub fn layout(pod: &Pod, req: &LayoutRequest) -> Result<LayoutReport, LayoutStudyError> {
    let (placement, auto) = match &req.choice {
        LayoutChoice::Auto { constraints, model } => {
            let fill = constraints.zfs.map(|z| z.fill);
            let loss = |l: &Layout| pod_loss_and_rebuild(pod, l, *model, fill).map(|x| x.0);
            let rebuild = |l: &Layout| {
                fill.and_then(|f| pod_loss_and_rebuild(pod, l, *model, Some(f)).map(|x| x.1))
            };
            let result = layout::auto_ranked(pod, constraints, &loss, &rebuild, true);
            match result.chosen.clone() {
                Some(p) => (p, Some(result)),
                None => {
                    let shape = result
                        .rejected
                        .first()
                        .map(|c| c.shape)
                        .ok_or(LayoutStudyError::NoShapeFits)?;
                    let p =
                        layout::place(pod, shape, &req.survive).map_err(LayoutStudyError::Place)?;
                    (p, Some(result))
                }
            }
        }
        LayoutChoice::Shape { shape, custom } => {
            layout::check_shape(pod, shape).map_err(|error| LayoutStudyError::Shape {
                custom: *custom,
                error,
            })?;
            let p = layout::place(pod, *shape, &req.survive).map_err(LayoutStudyError::Place)?;
            (p, None)
        }
    };
    let mut report = layout::report(pod, &placement, req.filesystem, &req.overheads, auto);
    if let Some(z) = report.pipeline.zfs.as_mut() {
        let params = Params {
            zfs_fill: Some(z.params.fill),
            ..Params::default()
        };
        let l = layout::realign(pod, &placement.layout, req.overheads.partition_align);
        if let Ok(times) = bandwidth::rebuild_times(pod, &l, &params) {
            z.resilver = resilver(&times, params.factors.delay_h);
        }
    }
    Ok(report)
}

/// How each group's rebuild is timed.
#[derive(Debug, Clone, PartialEq)]
pub enum RebuildChoice {
    /// From the bandwidth model's rebuild workload under these parameters, after the delay.
    Topology(Box<Params>),
    /// At this rate per drive, MB/s, after the delay.
    Rate(f64),
    /// This many hours in all, delay included.
    Hours(Hours),
}

/// The Monte Carlo run a durability study asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct MonteCarloRequest {
    /// Simulation parameters.
    pub params: McParams,
    /// Components whose failure takes all their drives at once.
    pub components: Vec<ComponentAfr>,
}

/// A checked durability request: what `podplan durability` computes.
#[derive(Debug, Clone, PartialEq)]
pub struct DurabilityRequest {
    /// Another group shape than the design's: (width, parity).
    pub width_parity: Option<(u32, u32)>,
    /// Failure domains the placement must survive.
    pub survive: Vec<DomainKind>,
    /// How rebuilds are timed.
    pub rebuild: RebuildChoice,
    /// The user's detection and replacement delay, hours (`None`: the default).
    pub replace_hours: Option<Hours>,
    /// Model options; `delay_source` is filled in here, and a `vault` of `None` takes the
    /// design's own.
    pub options: Options,
    /// Shard rebuild time of the design's own Vault, hours, when `options.vault` is `None`.
    pub vault_rebuild_hours: Hours,
    /// The simulation, when asked for.
    pub monte_carlo: Option<MonteCarloRequest>,
}

impl Default for DurabilityRequest {
    /// The design's own layout, rebuild rates from the topology with the bandwidth model's
    /// defaults after the default delay, catalog AFRs and URE rates, every model, a one-year
    /// mission, and the design's Vault (Backblaze's 6.5-day shard rebuild) if it has one.
    fn default() -> Self {
        DurabilityRequest {
            width_parity: None,
            survive: Vec::new(),
            rebuild: RebuildChoice::Topology(Box::default()),
            replace_hours: None,
            options: Options::default(),
            vault_rebuild_hours: durability::BACKBLAZE_2018.rebuild_hours,
            monte_carlo: None,
        }
    }
}

/// Why a durability request cannot be computed on a pod.
#[derive(Debug, Clone, PartialEq)]
pub enum DurabilityStudyError {
    /// The shape cannot be placed (`custom`: it came from width and parity, not the design).
    Placement {
        /// Whether the shape is the user's.
        custom: bool,
        /// Why.
        error: layout::ShapeError,
    },
    /// No group fits the pod's drives.
    NoGroups {
        /// Whether the shape is the user's.
        custom: bool,
    },
    /// A drive in a group has a catalog AFR no model accepts.
    CatalogAfr {
        /// Its bay.
        bay: u32,
        /// Its part id.
        part: String,
        /// The AFR, percent.
        afr: f64,
    },
    /// A rebuild time or rate was given for a layout without redundancy.
    NothingToRebuild {
        /// The layout's shape.
        shape: Shape,
    },
    /// The rebuild time given is out of range.
    Hours(DurabilityError),
    /// The rebuild rate given is out of range.
    Rate(DurabilityError),
    /// The bandwidth model gives no rebuild time for this layout.
    NoTopologyRate,
    /// The bandwidth parameters do not fit the pod (e.g. a `--set` naming an unknown slot).
    Topology(bandwidth::BandwidthError),
    /// The delay plus the transfer at the topology's rate is too long.
    TooLong {
        /// Whether the delay is the user's.
        user_delay: bool,
        /// The delay.
        delay: Hours,
        /// Why.
        error: DurabilityError,
    },
    /// The bandwidth model gives a group an unusable rebuild rate.
    UnusableRate(RebuildTime),
    /// The durability models failed.
    Report(DurabilityError),
}

/// Runs a durability request on a pod: the placement, each group's rebuild, the closed-form
/// models and, when asked, the Monte Carlo, which calls `progress` between batches of trials.
pub fn durability(
    pod: &Pod,
    req: &DurabilityRequest,
    progress: &dyn Fn(&Progress),
) -> Result<DurabilityStudy, DurabilityStudyError> {
    use DurabilityStudyError as E;
    let custom = req.width_parity.is_some();
    let level = match req.width_parity {
        Some((w, p)) => Shape::for_width_parity(w, p),
        None => pod.raid.level,
    };
    let shape = Shape {
        level,
        spares: pod.raid.spares,
    };
    let lay = layout::place(pod, shape, &req.survive)
        .map_err(|error| E::Placement { custom, error })?
        .layout;
    if lay.groups.is_empty() {
        return Err(E::NoGroups { custom });
    }
    let convention = req.options.convention;
    for d in &pod.drives {
        if req.options.afr_pct.is_none() && lay.groups.iter().any(|g| g.bays.contains(&d.bay)) {
            let afr = d.drive().afr_pct;
            if durability::check_afr(afr).is_err()
                || durability::check_lambda(afr, convention.lambda_per_hour(afr)).is_err()
            {
                return Err(E::CatalogAfr {
                    bay: d.bay,
                    part: d.part.id.clone(),
                    afr,
                });
            }
        }
    }
    let (delay, delay_source) = match req.replace_hours {
        Some(h) => (h, DelaySource::User),
        None => durability::default_delay(pod, &lay),
    };
    let timed_whole = matches!(req.rebuild, RebuildChoice::Hours(_));
    let delay_source = (lay.shape.tolerance() > 0 && !timed_whole).then_some(delay_source);
    let rebuilds = rebuilds(pod, &lay, req, delay)?;
    let vault = req
        .options
        .vault
        .or(pod.raid.vault.map(|v| durability::VaultSpec {
            data: v.data,
            parity: v.parity,
            rebuild_hours: req.vault_rebuild_hours,
        }));
    let opts = Options {
        vault,
        delay_source,
        ..req.options.clone()
    };
    let report = durability::report(pod, &lay, &rebuilds, &opts).map_err(E::Report)?;
    let monte_carlo = req
        .monte_carlo
        .as_ref()
        .map(|mc| montecarlo::run_report(pod, &lay, &report, &mc.components, &mc.params, progress));
    Ok(DurabilityStudy {
        report,
        monte_carlo,
    })
}

/// Each group's rebuild under a request, after `delay` hours: the one place where rebuild
/// times from the topology become the durability models' input.
fn rebuilds(
    pod: &Pod,
    lay: &Layout,
    req: &DurabilityRequest,
    delay: Hours,
) -> Result<Vec<Rebuild>, DurabilityStudyError> {
    use DurabilityStudyError as E;
    if lay.shape.tolerance() == 0 {
        if req.replace_hours.is_some() || !matches!(req.rebuild, RebuildChoice::Topology(_)) {
            return Err(E::NothingToRebuild { shape: lay.shape });
        }
        return Ok(lay.groups.iter().map(|_| Rebuild::none()).collect());
    }
    match &req.rebuild {
        RebuildChoice::Hours(h) => lay
            .groups
            .iter()
            .map(|_| Rebuild::of_hours(*h))
            .collect::<Result<_, _>>()
            .map_err(E::Hours),
        RebuildChoice::Rate(r) => lay
            .groups
            .iter()
            .map(|g| Rebuild::at_rate(g.member, MBps(*r), delay, RebuildSource::UserRate))
            .collect::<Result<_, _>>()
            .map_err(E::Rate),
        RebuildChoice::Topology(params) => {
            let times = topology_times(pod, lay, params).map_err(E::Topology)?;
            if times.len() != lay.groups.len() {
                return Err(E::NoTopologyRate);
            }
            durability::topology_rebuilds(lay, &times, delay).map_err(|error| {
                match times
                    .iter()
                    .find(|t| !(t.rate.0.is_finite() && t.rate.0 > 0.0))
                {
                    Some(t) => E::UnusableRate(t.clone()),
                    // Every rate is usable: the delay plus the transfer is too long.
                    None => E::TooLong {
                        user_delay: req.replace_hours.is_some(),
                        delay,
                        error,
                    },
                }
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{self, Document, EMBEDDED};

    /// Every Backblaze design shipped, validated: (file name, pod).
    fn backblaze() -> Vec<(&'static str, Pod)> {
        EMBEDDED
            .iter()
            .filter(|(name, _)| name.starts_with("backblaze-pod-"))
            .map(|(name, _)| {
                let Ok(Document::Design(l)) = load::load_embedded(name) else {
                    panic!("{name}: not a design")
                };
                let pod = crate::validate::validate(&l).pod;
                (*name, pod.unwrap_or_else(|| panic!("{name}: invalid")))
            })
            .collect()
    }

    #[test]
    fn a_design_study_builds_the_link_graph_once() {
        let pods = backblaze();
        assert_eq!(pods.len(), 7);
        for (name, pod) in &pods {
            let before = bandwidth::GRAPH_BUILDS.with(std::cell::Cell::get);
            let r = design(pod, name).unwrap();
            let builds = bandwidth::GRAPH_BUILDS.with(std::cell::Cell::get) - before;
            // Once for the design, and once more for each measured figure whose conditions
            // (another drive, what-ifs) change the pod or the parameters.
            let own = pod
                .published
                .measured
                .iter()
                .filter(|m| measured::needs_own_graph(m))
                .count();
            assert_eq!(builds, 1 + own, "{name}: link graph built {builds} times");
            // Every workload that exists ran on it, and the rebuild times came from it.
            assert!(r.bandwidth.len() >= WORKLOADS.len() - 2, "{name}");
            assert_eq!(
                r.rebuild_times.is_empty(),
                placement_tolerance(pod) == 0,
                "{name}"
            );
        }
    }

    #[test]
    fn every_workload_on_a_shared_graph_is_the_workload_on_its_own() {
        for (name, pod) in &backblaze() {
            let shape = Shape {
                level: pod.raid.level,
                spares: pod.raid.spares,
            };
            let l = layout::place(pod, shape, &[]).unwrap().layout;
            let params = Params::default();
            let g = bandwidth::graph(pod, &params).unwrap();
            for w in WORKLOADS {
                let req = Request {
                    workload: w,
                    group: None,
                    bay: None,
                };
                assert_eq!(
                    bandwidth::analyze_on(&g, pod, &l, &req, &params),
                    bandwidth::analyze(pod, &l, &req, &params),
                    "{name}: {}",
                    w.name()
                );
            }
            assert_eq!(
                Ok(bandwidth::rebuild_times_on(&g, &l, &params)),
                bandwidth::rebuild_times(pod, &l, &params),
                "{name}"
            );
        }
    }

    /// The redundancy of a design's own layout.
    fn placement_tolerance(pod: &Pod) -> u32 {
        let shape = Shape {
            level: pod.raid.level,
            spares: pod.raid.spares,
        };
        layout::place(pod, shape, &[])
            .unwrap()
            .layout
            .shape
            .tolerance()
    }
}
