//! The report: links, drives, flows, the binding limit, headroom and rebuild times.

use super::*;

/// One link in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkRow {
    /// Stable id (`--set ID=MB/s`).
    pub id: String,
    /// What it is.
    pub name: String,
    /// Its kind.
    pub kind: LinkKind,
    /// Raw line rate per direction, Gb/s (`None` for the CPU parity limit).
    pub raw_gbit_s: Option<f64>,
    /// Line encoding.
    pub encoding: Option<Encoding>,
    /// Protocol efficiency (`None` when the capacity was set directly).
    pub efficiency: Option<f64>,
    /// The factor key the efficiency comes from.
    pub factor: Option<String>,
    /// Effective capacity, MB/s.
    pub capacity_mb_s: MBps,
    /// Data drives whose traffic can cross it.
    pub drives_behind: u32,
    /// Offered load: what the flows through it would put on it at their own demand, MB/s.
    pub demand_mb_s: MBps,
    /// Load allocated, MB/s.
    pub allocated_mb_s: MBps,
    /// Allocated / capacity, percent.
    pub utilization_pct: f64,
    /// Full.
    pub saturated: bool,
    /// One of the links that bind the workload's slowest flows.
    pub binding: bool,
}

/// A group of data drives with the same figures, in bay ranges.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriveRow {
    /// Bays, sorted (serialized as ranges, `"1-15"`).
    #[serde(serialize_with = "crate::bays::ranges")]
    pub bays: Vec<u32>,
    /// How many drives.
    pub count: u32,
    /// Drive model.
    pub model: String,
    /// Group (1-based) when all are in one.
    pub group: Option<u32>,
    /// Sustained media rate in the zone, MB/s.
    pub media_mb_s: MBps,
    /// Negotiated port link, raw Gb/s.
    pub port_gbit_s: f64,
    /// Port link effective capacity, MB/s.
    pub port_mb_s: MBps,
    /// Traffic at each drive's port in this workload, MB/s.
    pub traffic_mb_s: MBps,
}

/// One flow in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowRow {
    /// What it is.
    pub label: FlowLabel,
    /// Group (1-based).
    pub group: Option<u32>,
    /// Drives it moves data on (serialized as ranges, `"1-15"`).
    #[serde(serialize_with = "crate::bays::ranges")]
    pub bays: Vec<u32>,
    /// Its own ceiling in its rate unit (per-drive MB/s for scrub and rebuild, user MB/s for
    /// ingest and read).
    pub demand_mb_s: MBps,
    /// Allocated rate in the same unit.
    pub rate_mb_s: MBps,
    /// Total traffic it puts on its drives' ports, MB/s.
    pub drive_traffic_mb_s: MBps,
    /// Client MB/s through the NICs (ingest, read).
    pub client_mb_s: Option<MBps>,
    /// What stops it: a link, or its own limit. Serialized as `limited_by`, its id (a link id,
    /// `drive-media`, `drive-port`, `md-max`), and `limited_by_name`, what describes it.
    #[serde(flatten, serialize_with = "super::limits::limited_by")]
    pub limited_by: Limiter,
}

/// The rebuild time of one group: what the durability engine consumes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RebuildTime {
    /// Group, 1-based as in `podplan layout`.
    pub group: u32,
    /// Per-drive rebuild rate `B_r`: every survivor read and the replacement written at it.
    pub rate: MBps,
    /// Time to restore redundancy: delay + member size / rate, hours.
    pub hours: f64,
    /// What sets the rate: a link, or the drives' own limit.
    pub binding_link: Limiter,
    /// A ZFS pool's allocated share: the resilver rewrites that share of the member, not all
    /// of it (`None`: Linux md, the whole member).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fill: Option<f64>,
    /// A dRAID with a distributed spare: after the rebuild onto it, the hours to rebalance
    /// onto the replacement disk (redundancy is already whole; not in the exposure window).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rebalance_hours: Option<f64>,
}

impl RebuildTime {
    /// The bytes the rebuild rewrites of a `member`: all of it, or the pool's allocated share.
    pub fn rewritten(&self, member: Bytes) -> Bytes {
        match self.fill {
            Some(f) => member.scale(f.clamp(0.0, 1.0)),
            None => member,
        }
    }
}

/// What would bind if the binding links were unlimited.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Headroom {
    /// What binds next. Serialized as `ids`, the next binding links' ids (or own limits), and
    /// `name`, what describes them.
    #[serde(flatten, serialize_with = "super::limits::next_binding")]
    pub name: Binding,
    /// Its utilization now, percent (`None` for a drive's own limit).
    pub utilization_pct: Option<f64>,
    /// Aggregate drive traffic with the binding links unlimited, MB/s.
    pub aggregate_mb_s: MBps,
    /// Client MB/s with the binding links unlimited (ingest, read).
    pub client_mb_s: Option<MBps>,
    /// Slowest drive's traffic with the binding links unlimited, MB/s.
    pub per_drive_min_mb_s: MBps,
}

/// The figures that answer "how fast, and what limits it".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Total traffic at the drives' ports (all streams, both directions), MB/s.
    pub aggregate_mb_s: MBps,
    /// Client MB/s through the NICs (ingest, read).
    pub client_mb_s: Option<MBps>,
    /// Drives that move data.
    pub active_drives: u32,
    /// Slowest active drive's traffic, MB/s.
    pub per_drive_min_mb_s: MBps,
    /// Fastest active drive's traffic, MB/s.
    pub per_drive_max_mb_s: MBps,
    /// What binds the slowest flows. Serialized as `binding`, the ids (links, or `drive-media`
    /// / `drive-port` / `md-max`), and `binding_name`, what describes each.
    #[serde(flatten, serialize_with = "super::limits::binding")]
    pub binding: Binding,
    /// Saturated links' ids.
    pub saturated: Vec<String>,
    /// What binds next.
    pub next: Option<Headroom>,
}

/// Everything `podplan bandwidth` reports: one serializable result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandwidthReport {
    /// Design name.
    pub design: String,
    /// Revision label.
    pub revision: Option<String>,
    /// The workload.
    pub workload: Workload,
    /// The zone the drives stream in.
    pub zone: Zone,
    /// The layout's shape (serialized as its label, e.g. `"RAID6 15 (13+2)"`).
    #[serde(serialize_with = "crate::layout::shape_label")]
    pub shape: crate::layout::Shape,
    /// Every shared link with its load.
    pub links: Vec<LinkRow>,
    /// Data drives, grouped by equal figures.
    pub drives: Vec<DriveRow>,
    /// The flows.
    pub flows: Vec<FlowRow>,
    /// Aggregate, per-drive, binding link, headroom.
    pub summary: Summary,
    /// Rebuild times (rebuild, rebuild-all).
    pub rebuilds: Vec<RebuildDetail>,
    /// The factor table in force.
    pub factors: Vec<Factor>,
    /// CPU parity limit, MB/s, when set.
    pub parity_mb_s: Option<f64>,
    /// `--set` assignments applied.
    pub settings: Vec<String>,
    /// Modelling notes for this run (serialized as their wording).
    pub notes: Vec<RunNote>,
}

/// A modelling note on one run, as data; its `Display` is the wording the tables and the JSON
/// show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunNote {
    /// A client workload on a design without a NIC.
    NoNic,
    /// No CPU/memory parity limit was given.
    NoParityLimit,
    /// A link's load sums both directions.
    BothDirections,
}

impl std::fmt::Display for RunNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RunNote::NoNic => "The design has no NIC: client traffic is not limited by the network.",
            RunNote::NoParityLimit => "CPU/memory parity limit not modelled (nothing published for the pods; --set parity=MB/s adds it).",
            RunNote::BothDirections => "A link's load is both directions summed: exact for half-duplex SATA and PCI, conservative for full-duplex PCIe, DMI and Ethernet.",
        })
    }
}

impl Serialize for RunNote {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A rebuild time with the detail the report shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RebuildDetail {
    /// The durability engine's view.
    #[serde(flatten)]
    pub time: RebuildTime,
    /// The failed bay.
    pub failed_bay: u32,
    /// The bay written (a hot spare, or the failed bay after replacement).
    pub replacement_bay: u32,
    /// Bytes rebuilt: the group's member size.
    pub member: Bytes,
    /// Detection and replacement delay included, hours.
    pub delay_h: f64,
}

/// The private limit that sets a demand (the first cap equal to it).
pub(super) fn own_at(p: &Planned, demand: f64) -> &Own {
    p.caps
        .iter()
        .find(|(_, c)| (c - demand).abs() <= 1e-9 * demand.abs().max(1.0))
        .map_or(&p.own, |(o, _)| o)
}

/// Per-drive traffic (drive index → MB/s) of an allocation.
pub(super) fn drive_traffic(g: &Graph, planned: &[Planned], rates: &[f64]) -> Vec<f64> {
    let mut t = vec![0.0; g.drives.len()];
    for (p, r) in planned.iter().zip(rates) {
        for &(i, w) in &p.per_drive {
            t[i] += w * r;
        }
    }
    t
}

/// Indices of the slowest flows (within tolerance).
pub(super) fn slowest(rates: &[f64]) -> Vec<usize> {
    let min = rates.iter().copied().fold(f64::INFINITY, f64::min);
    rates
        .iter()
        .enumerate()
        .filter(|(_, r)| **r <= min + 1e-6 * min.abs().max(1.0))
        .map(|(i, _)| i)
        .collect()
}

/// What binds the given flows: every saturated link on which one of them has the highest rate
/// (its bottleneck links, ties included), and the own limits of those at their demand (one
/// entry per kind, counting the flows alike), links in graph order first.
pub(super) fn limits_of(
    idx: &[usize],
    alloc: &Allocation,
    flows: &[Flow],
    planned: &[Planned],
    g: &Graph,
    params: &Params,
) -> Binding {
    let tol = |r: f64| 1e-6 * r.abs().max(1.0);
    let mut top = vec![0.0f64; g.links.len()];
    for (f, r) in flows.iter().zip(&alloc.rates) {
        for &(l, w) in &f.crossings {
            if w > 0.0 {
                top[l] = top[l].max(*r);
            }
        }
    }
    let mut links: Vec<usize> = Vec::new();
    let mut own: Vec<Bound> = Vec::new();
    for &i in idx {
        let r = alloc.rates[i];
        for &(l, w) in &flows[i].crossings {
            if w > 0.0 && alloc.saturated[l] && r + tol(r) >= top[l] && !links.contains(&l) {
                links.push(l);
            }
        }
        let limiter = match alloc.limits[i] {
            Limit::Demand => Limiter::own(own_at(&planned[i], flows[i].demand), g, params),
            Limit::Unbounded => Limiter::Unbounded,
            Limit::Link(_) => continue,
        };
        match own.iter_mut().find(|b| b.limiter.id() == limiter.id()) {
            Some(b) => b.alike += 1,
            None => own.push(Bound {
                limiter,
                alike: 0,
                link: None,
            }),
        }
    }
    links.sort_unstable();
    Binding(
        links
            .into_iter()
            .map(|l| Bound {
                limiter: Limiter::link(g, l),
                alike: 0,
                link: Some(l),
            })
            .chain(own)
            .collect(),
    )
}

/// What one allocation ran on: the graph, the planned flows and the active drives.
struct Run<'a> {
    g: &'a Graph,
    planned: &'a [Planned],
    flows: &'a [Flow],
    caps: &'a [f64],
    /// Drives that move data in this workload.
    active: Vec<usize>,
    params: &'a Params,
}

impl Run<'_> {
    /// Client MB/s through the NICs at these rates (ingest, read).
    fn client(&self, rates: &[f64]) -> Option<MBps> {
        self.planned.iter().any(|p| p.client > 0.0).then(|| {
            MBps(
                self.planned
                    .iter()
                    .zip(rates)
                    .map(|(p, r)| p.client * r)
                    .sum(),
            )
        })
    }

    /// The slowest and fastest active drive's traffic.
    fn per_drive(&self, t: &[f64]) -> (f64, f64) {
        self.active
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(lo, hi), &i| {
                (lo.min(t[i]), hi.max(t[i]))
            })
    }

    /// Headroom: lift the binding limits of the slowest flows `low` and see what binds next.
    fn headroom(
        &self,
        alloc: &Allocation,
        low: &[usize],
        binding: &Binding,
        links: &[LinkRow],
    ) -> Option<Headroom> {
        let (caps, flows, planned, g, params) =
            (self.caps, self.flows, self.planned, self.g, self.params);
        let mut caps2 = caps.to_vec();
        let mut flows2 = flows.to_vec();
        for l in binding.0.iter().filter_map(|b| b.link) {
            caps2[l] = f64::INFINITY;
        }
        for &i in low {
            if alloc.limits[i] == Limit::Demand {
                flows2[i].demand = demand_without(&planned[i], own_id(&planned[i].own));
            }
        }
        let a2 = allocate(&caps2, &flows2);
        if a2.rates.iter().any(|r| !r.is_finite()) {
            None
        } else {
            let low2 = slowest(&a2.rates);
            let lims2 = limits_of(&low2, &a2, &flows2, planned, g, params);
            let t2 = drive_traffic(g, planned, &a2.rates);
            let util = {
                let u: Vec<f64> = lims2
                    .0
                    .iter()
                    .filter_map(|b| b.link.map(|l| links[l].utilization_pct))
                    .collect();
                (!u.is_empty()).then(|| u.iter().copied().fold(0.0, f64::max))
            };
            Some(Headroom {
                name: lims2,
                utilization_pct: util,
                aggregate_mb_s: MBps(t2.iter().sum()),
                client_mb_s: self.client(&a2.rates),
                per_drive_min_mb_s: MBps(self.per_drive(&t2).0),
            })
        }
    }
}

/// Runs one workload on a pod: the link graph, the flows, the max-min fair allocation, the
/// binding link and the next one, and (for rebuilds) the rebuild time of each group.
///
/// Builds the link graph and calls [`analyze_on`]; to run several workloads on one pod, build
/// the graph once with [`graph`] and call [`analyze_on`] for each.
///
/// # Errors
///
/// The parameters do not fit the pod (see [`graph`]), or the request does not fit the layout.
pub fn analyze(
    pod: &Pod,
    layout: &Layout,
    req: &Request,
    params: &Params,
) -> Result<BandwidthReport, BandwidthError> {
    analyze_on(&graph(pod, params)?, pod, layout, req, params)
}

/// Runs one workload on the link graph `g` of `pod`, which [`graph`] built under the same
/// `params`: the flows, the max-min fair allocation, the binding link and the next one, and
/// (for rebuilds) the rebuild time of each group.
///
/// The graph is only read: a workload adds its flows beside it and lifts capacities in a copy
/// for the headroom, so one graph serves every workload run under the same parameters.
///
/// # Errors
///
/// The request does not fit the layout: a group or bay out of range, a rebuild without
/// redundancy, a layout without groups.
pub fn analyze_on(
    g: &Graph,
    pod: &Pod,
    layout: &Layout,
    req: &Request,
    params: &Params,
) -> Result<BandwidthReport, BandwidthError> {
    let planned = plans(g, layout, req, params)?;
    let caps: Vec<f64> = g.links.iter().map(|l| l.capacity.0).collect();
    let flows: Vec<Flow> = planned.iter().map(|p| p.flow.clone()).collect();
    let alloc = allocate(&caps, &flows);
    let run = Run {
        g,
        planned: &planned,
        flows: &flows,
        caps: &caps,
        active: (0..g.drives.len())
            .filter(|&i| {
                planned
                    .iter()
                    .any(|p| p.per_drive.iter().any(|(x, _)| *x == i))
            })
            .collect(),
        params,
    };
    let low = slowest(&alloc.rates);
    let binding = limits_of(&low, &alloc, &flows, &planned, g, params);
    let links = link_rows(g, &flows, &alloc, &binding);
    let traffic = drive_traffic(g, &planned, &alloc.rates);
    let (lo, hi) = run.per_drive(&traffic);
    let summary = Summary {
        aggregate_mb_s: MBps(traffic.iter().sum()),
        client_mb_s: run.client(&alloc.rates),
        active_drives: run.active.len() as u32,
        per_drive_min_mb_s: MBps(if lo.is_finite() { lo } else { 0.0 }),
        per_drive_max_mb_s: MBps(hi),
        binding: binding.clone(),
        saturated: links
            .iter()
            .filter(|l| l.saturated)
            .map(|l| l.id.clone())
            .collect(),
        next: run.headroom(&alloc, &low, &binding, &links),
    };
    Ok(BandwidthReport {
        design: pod.name.clone(),
        revision: pod.revision.clone(),
        workload: req.workload,
        zone: params.zone,
        shape: layout.shape,
        links,
        drives: drive_rows(g, layout, &traffic),
        flows: flow_rows(g, &planned, &alloc, params),
        summary,
        rebuilds: rebuilds(g, layout, &planned, &alloc, params),
        factors: params.factors.table(),
        parity_mb_s: params.parity_mb_s,
        settings: params.applied.clone(),
        notes: notes(g, req, params),
    })
}

/// Every shared link with its offered and allocated load.
fn link_rows(g: &Graph, flows: &[Flow], alloc: &Allocation, binding: &Binding) -> Vec<LinkRow> {
    let mut demand = vec![0.0; g.links.len()];
    for f in flows {
        for &(l, w) in &f.crossings {
            demand[l] += w * f.demand;
        }
    }
    g.links
        .iter()
        .enumerate()
        .map(|(l, link)| LinkRow {
            id: link.id.clone(),
            name: link.name.clone(),
            kind: link.kind,
            raw_gbit_s: link.line.map(|x| x.gbit_s),
            encoding: link.line.map(|x| x.encoding),
            efficiency: link.efficiency,
            factor: link.factor.map(str::to_string),
            capacity_mb_s: link.capacity,
            drives_behind: link.behind.len() as u32,
            demand_mb_s: MBps(demand[l]),
            allocated_mb_s: MBps(alloc.load[l]),
            utilization_pct: if link.capacity.0 > 0.0 {
                100.0 * alloc.load[l] / link.capacity.0
            } else {
                0.0
            },
            saturated: alloc.saturated[l] && alloc.load[l] > 0.0,
            binding: binding.0.iter().any(|b| b.link == Some(l)),
        })
        .collect()
}

/// Every flow with its rate and what stops it.
fn flow_rows(g: &Graph, planned: &[Planned], alloc: &Allocation, params: &Params) -> Vec<FlowRow> {
    planned
        .iter()
        .enumerate()
        .map(|(i, p)| FlowRow {
            label: p.label.clone(),
            group: p.group,
            bays: p.bays.clone(),
            demand_mb_s: MBps(p.flow.demand),
            rate_mb_s: MBps(alloc.rates[i]),
            drive_traffic_mb_s: MBps(
                p.per_drive.iter().map(|(_, w)| w).sum::<f64>() * alloc.rates[i],
            ),
            client_mb_s: (p.client > 0.0).then(|| MBps(p.client * alloc.rates[i])),
            limited_by: Limiter::of(alloc.limits[i], p, g, params),
        })
        .collect()
}

/// The rebuild time of each rebuild flow (rebuild, rebuild-all).
fn rebuilds(
    g: &Graph,
    layout: &Layout,
    planned: &[Planned],
    alloc: &Allocation,
    params: &Params,
) -> Vec<RebuildDetail> {
    planned
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let (failed, replacement) = p.rebuild?;
            let gi = p.group? as usize - 1;
            Some(rebuild_detail(
                layout,
                params,
                gi,
                failed,
                replacement,
                alloc.rates[i],
                Limiter::of(alloc.limits[i], p, g, params),
            ))
        })
        .collect()
}

/// Modelling notes for this run.
fn notes(g: &Graph, req: &Request, params: &Params) -> Vec<RunNote> {
    let mut notes = Vec::new();
    if g.client.is_empty() && matches!(req.workload, Workload::Ingest | Workload::Read) {
        notes.push(RunNote::NoNic);
    }
    if params.parity_mb_s.is_none() {
        notes.push(RunNote::NoParityLimit);
    }
    notes.push(RunNote::BothDirections);
    notes
}

pub(super) fn rebuild_detail(
    layout: &Layout,
    params: &Params,
    gi: usize,
    failed: u32,
    replacement: u32,
    rate: f64,
    binding_link: Limiter,
) -> RebuildDetail {
    let member = layout.groups[gi].member;
    let delay = params.factors.delay_h;
    let fill = params.zfs_fill;
    let bytes = member.scale(fill.unwrap_or(1.0).clamp(0.0, 1.0));
    let hours = if rate > 0.0 {
        delay + bytes.0 as f64 / (rate * 1e6) / 3600.0
    } else {
        f64::INFINITY
    };
    RebuildDetail {
        time: RebuildTime {
            group: gi as u32 + 1,
            rate: MBps(rate),
            hours,
            binding_link,
            fill,
            rebalance_hours: None,
        },
        failed_bay: failed,
        replacement_bay: replacement,
        member,
        delay_h: delay,
    }
}

pub(super) fn drive_rows(g: &Graph, layout: &Layout, traffic: &[f64]) -> Vec<DriveRow> {
    let mut rows: Vec<(DriveRow, Vec<u32>)> = Vec::new();
    for (i, d) in g.drives.iter().enumerate() {
        let group = group_of(layout, d.bay).map(|x| x as u32 + 1);
        let t = (traffic[i] * 100.0).round() / 100.0;
        let same = |r: &DriveRow| {
            r.model == d.model
                && r.group == group
                && r.media_mb_s == d.media
                && r.port_mb_s == d.port
                && r.traffic_mb_s.0 == t
        };
        match rows.iter_mut().find(|(r, _)| same(r)) {
            Some((r, bays)) => {
                r.count += 1;
                bays.push(d.bay);
            }
            None => rows.push((
                DriveRow {
                    bays: Vec::new(),
                    count: 1,
                    model: d.model.clone(),
                    group,
                    media_mb_s: d.media,
                    port_gbit_s: d.port_line.gbit_s,
                    port_mb_s: d.port,
                    traffic_mb_s: MBps(t),
                },
                vec![d.bay],
            )),
        }
    }
    rows.into_iter()
        .map(|(mut r, bays)| {
            r.bays = bays;
            r
        })
        .collect()
}

/// The rebuild time of one drive of each group, each group rebuilding alone (one failure in
/// the pod at a time), as the durability engine needs it.
///
/// For each group of `layout`, its first member fails and is rebuilt onto the first hot spare
/// (or in place after replacement when there is none); the rate is the max-min fair rate of
/// that one rebuild flow over the pod's links under `params` (zone, factors, overrides), and
/// `hours = params.factors.delay_h + member size / rate`. `binding_link` names what sets the
/// rate. Layouts without redundancy (RAID0) have nothing to rebuild: the result is empty.
///
/// # Errors
///
/// The parameters do not fit the pod: an unknown slot or link id in `params`, lanes or a
/// generation for a card that is not on PCIe, extra NICs without one to copy.
pub fn rebuild_times(
    pod: &Pod,
    layout: &Layout,
    params: &Params,
) -> Result<Vec<RebuildTime>, BandwidthError> {
    if layout.shape.tolerance() == 0 {
        return Ok(Vec::new());
    }
    Ok(rebuild_times_on(&graph(pod, params)?, layout, params))
}

/// [`rebuild_times`] on the link graph `g`, which [`graph`] built for the pod under the same
/// `params`; it only reads the graph. Empty for a layout without redundancy.
pub fn rebuild_times_on(g: &Graph, layout: &Layout, params: &Params) -> Vec<RebuildTime> {
    if layout.shape.tolerance() == 0 {
        return Vec::new();
    }
    let caps: Vec<f64> = g.links.iter().map(|l| l.capacity.0).collect();
    layout
        .groups
        .iter()
        .enumerate()
        .map(|(gi, grp)| {
            let failed = grp.bays[0];
            let replacement = layout.spares.first().copied().unwrap_or(failed);
            let p = rebuild_flow(g, layout, params, gi, failed, replacement);
            let a = allocate(&caps, std::slice::from_ref(&p.flow));
            let name = Limiter::of(a.limits[0], &p, g, params);
            let mut t = rebuild_detail(layout, params, gi, failed, replacement, a.rates[0], name);
            if matches!(layout.shape.level, Level::Draid { spares, .. } if spares > 0) {
                t.time.rebalance_hours = Some(rebalance_hours(g, layout, params, gi, &caps));
            }
            t.time
        })
        .collect()
}

/// A dRAID group's rebalance after a rebuild onto its distributed spare: the failed drive's
/// data written to the replacement disk in its bay, read from the other children (model §ZFS
/// resilver), without the detection delay.
fn rebalance_hours(g: &Graph, layout: &Layout, params: &Params, gi: usize, caps: &[f64]) -> f64 {
    let failed = layout.groups[gi].bays[0];
    let p = super::workloads::rebuild_flow_as(g, layout, params, gi, (failed, failed), false);
    let a = allocate(caps, std::slice::from_ref(&p.flow));
    let name = Limiter::of(a.limits[0], &p, g, params);
    let d = rebuild_detail(layout, params, gi, failed, failed, a.rates[0], name);
    d.time.hours - params.factors.delay_h
}
