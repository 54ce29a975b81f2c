//! Workloads: the flows of scrub, ingest, read, rebuild, rebuild-all and single.

use super::*;

/// What the pod is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Workload {
    /// Every data drive reads sequentially at once.
    Scrub,
    /// Clients write through the NICs; each group's full-stripe writes carry parity (n/k).
    Ingest,
    /// Clients read through the NICs.
    Read,
    /// One failed drive in one group: the survivors are read, the replacement written.
    Rebuild,
    /// One rebuild in every group at once.
    RebuildAll,
    /// One drive reads alone.
    Single,
}

impl Workload {
    /// The name users type.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Scrub => "scrub",
            Workload::Ingest => "ingest",
            Workload::Read => "read",
            Workload::Rebuild => "rebuild",
            Workload::RebuildAll => "rebuild-all",
            Workload::Single => "single",
        }
    }
    /// One line on what the workload moves.
    pub fn describe(self) -> &'static str {
        match self {
            Workload::Scrub => "scrub: every data drive reads sequentially at once",
            Workload::Ingest => {
                "ingest: clients write through the NICs; each group writes full stripes with its parity"
            }
            Workload::Read => "read: clients read through the NICs from every group",
            Workload::Rebuild => {
                "rebuild: one failed drive; the survivors are read and the replacement written, all at the rebuild rate"
            }
            Workload::RebuildAll => "rebuild-all: one rebuild in every group at once",
            Workload::Single => "single: one drive reads alone",
        }
    }
}

/// A workload and which group or drive it targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Request {
    /// The workload.
    pub workload: Workload,
    /// Group (1-based) for `rebuild` (default 1) and `single` (its first drive).
    pub group: Option<u32>,
    /// Bay: the failed drive for `rebuild` (default the group's first member), the drive for
    /// `single` (default the group's first member, or the first bay).
    pub bay: Option<u32>,
}

/// What a flow is: its workload's unit of traffic, with the bays and group it concerns.
#[derive(Debug, Clone, PartialEq)]
pub enum FlowLabel {
    /// One drive reads (scrub).
    Read {
        /// Its bay.
        bay: u32,
    },
    /// One drive reads alone (single).
    ReadAlone {
        /// Its bay.
        bay: u32,
    },
    /// One group's client traffic (ingest, read).
    Clients {
        /// The group, 1-based.
        group: u32,
        /// Clients write (ingest) rather than read.
        write: bool,
        /// The group's bays.
        bays: Vec<u32>,
    },
    /// One group's rebuild.
    Rebuild {
        /// The failed bay.
        failed: u32,
        /// The group, 1-based.
        group: u32,
        /// The bays read.
        sources: Vec<u32>,
        /// The bay written.
        replacement: u32,
    },
}

impl std::fmt::Display for FlowLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::bays::format_bays;
        match self {
            FlowLabel::Read { bay } => write!(f, "bay {bay} reads"),
            FlowLabel::ReadAlone { bay } => write!(f, "bay {bay} reads alone"),
            FlowLabel::Clients { group, write, bays } => write!(
                f,
                "group {group}: clients {} {}",
                if *write { "write to" } else { "read from" },
                format_bays(bays)
            ),
            FlowLabel::Rebuild {
                failed,
                group,
                sources,
                replacement,
            } => write!(
                f,
                "rebuild of bay {failed} in group {group} ({} read, bay {replacement} written)",
                if sources.is_empty() {
                    "none".to_string()
                } else {
                    format_bays(sources)
                }
            ),
        }
    }
}

impl Serialize for FlowLabel {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A flow with what the report needs to describe it.
pub(super) struct Planned {
    pub(super) label: FlowLabel,
    pub(super) group: Option<u32>,
    pub(super) bays: Vec<u32>,
    pub(super) flow: Flow,
    /// Which private limit sets the demand.
    pub(super) own: Own,
    /// Every private limit with the rate at which it binds (the demand is the least).
    pub(super) caps: Vec<(Own, f64)>,
    /// MB/s at each drive's port per unit of the flow's rate (drive index, weight).
    pub(super) per_drive: Vec<(usize, f64)>,
    /// Client MB/s per unit of the flow's rate.
    pub(super) client: f64,
    /// Rebuild detail: (failed bay, replacement bay).
    pub(super) rebuild: Option<(u32, u32)>,
}

/// A flow's private limit.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Own {
    Media(u32),
    Port(u32),
    MdMax,
}

/// Builds a flow: `streams` are (drive index, port weight, media weight); `extra` are shared
/// crossings beyond the drives' paths; `cap` an extra demand ceiling (md speed_limit_max).
pub(super) fn plan_flow(
    g: &Graph,
    streams: &[(usize, f64, f64)],
    extra: &[(usize, f64)],
    cap: Option<f64>,
) -> (Flow, Own, Vec<(Own, f64)>) {
    let mut crossings = Vec::new();
    let mut caps = Vec::new();
    for &(i, port_w, media_w) in streams {
        let d = &g.drives[i];
        for &(l, share) in &d.path {
            add(&mut crossings, l, port_w * share);
        }
        if media_w > 0.0 {
            caps.push((Own::Media(d.bay), d.media.0 / media_w));
        }
        if port_w > 0.0 {
            caps.push((Own::Port(d.bay), d.port.0 / port_w));
        }
    }
    if let Some(c) = cap {
        caps.push((Own::MdMax, c));
    }
    for &(l, w) in extra {
        add(&mut crossings, l, w);
    }
    // The least cap; the first on a tie (drive order, media before port, md last).
    let (own, demand) = caps
        .iter()
        .fold((Own::MdMax, f64::INFINITY), |(o, d), (o2, d2)| {
            if *d2 < d { (o2.clone(), *d2) } else { (o, d) }
        });
    (Flow { demand, crossings }, own, caps)
}

/// The id of a private limit, as the report shows it.
pub(super) fn own_id(own: &Own) -> &'static str {
    match own {
        Own::Media(_) => "drive-media",
        Own::Port(_) => "drive-port",
        Own::MdMax => "md-max",
    }
}

/// A flow's demand with every private limit of one kind lifted.
pub(super) fn demand_without(p: &Planned, kind: &str) -> f64 {
    p.caps
        .iter()
        .filter(|(o, _)| own_id(o) != kind)
        .map(|(_, c)| *c)
        .fold(f64::INFINITY, f64::min)
}

/// Whether a level computes parity (and rotates it over the members).
pub(super) fn has_parity(level: Level) -> bool {
    matches!(
        level,
        Level::Raid5 { .. }
            | Level::Raid6 { .. }
            | Level::Erasure { .. }
            | Level::RaidZ { .. }
            | Level::Draid { .. }
    )
}

/// The members a rebuild reads: Linux md RAID5/6 read every survivor (whole stripes, model
/// §4); a k+m code needs k; a mirror copies from one survivor; RAID10 from the failed drive's
/// mirror partner.
pub(super) fn rebuild_sources(shape: &Shape, members: &[u32], failed: u32) -> Vec<u32> {
    let survivors: Vec<u32> = members.iter().copied().filter(|b| *b != failed).collect();
    match shape.level {
        Level::Erasure { data, .. } => survivors.into_iter().take(data as usize).collect(),
        Level::Mirror { .. } => survivors.into_iter().take(1).collect(),
        Level::Raid10 { copies, .. } => {
            let pos = members.iter().position(|b| *b == failed).unwrap_or(0);
            let set = pos / copies.max(1) as usize * copies.max(1) as usize;
            members
                .iter()
                .skip(set)
                .take(copies as usize)
                .copied()
                .filter(|b| *b != failed)
                .take(1)
                .collect()
        }
        _ => survivors,
    }
}

pub(super) fn drive_index(g: &Graph, bay: u32) -> Option<usize> {
    g.drives.iter().position(|d| d.bay == bay)
}

/// The rebuild flow of one group: onto a dRAID's distributed spare when it has one (model
/// §ZFS resilver), else onto `replacement`.
pub(super) fn rebuild_flow(
    g: &Graph,
    layout: &Layout,
    params: &Params,
    group: usize,
    failed: u32,
    replacement: u32,
) -> Planned {
    let distributed = matches!(layout.shape.level, Level::Draid { spares, .. } if spares > 0);
    rebuild_flow_as(g, layout, params, group, (failed, replacement), distributed)
}

/// The streams of a rebuild, (drive index, weight) per unit of the failed drive's data
/// restored: Linux md and RAIDZ read every source and write the replacement at the rate; a
/// dRAID reads `data` sectors of the other children for each one restored, spread over all
/// the survivors, and writes either to the one replacement or, `distributed`, to the spare
/// space spread over all the survivors too (module/zfs/vdev_draid.c: every child holds spare
/// space; OpenZFS's sequential rebuild, `zpool replace -s`).
fn rebuild_streams(
    g: &Graph,
    shape: &Shape,
    sources: &[u32],
    replacement: u32,
    distributed: bool,
) -> Vec<(usize, f64, f64)> {
    let per_source = match shape.level {
        Level::Draid { data, .. } => {
            let n = sources.len().max(1) as f64;
            (f64::from(data) + if distributed { 1.0 } else { 0.0 }) / n
        }
        _ => 1.0,
    };
    let mut streams: Vec<(usize, f64, f64)> = sources
        .iter()
        .filter_map(|b| drive_index(g, *b))
        .map(|i| (i, per_source, per_source))
        .collect();
    if !distributed && let Some(i) = drive_index(g, replacement) {
        streams.push((i, 1.0, 1.0));
    }
    streams
}

/// [`rebuild_flow`] with the destination chosen: `distributed` for a dRAID's rebuild onto its
/// distributed spare, else onto the bay `fr.1` (for a dRAID with a distributed spare in use,
/// the later rebalance onto the replacement disk). A ZFS pool (`params.zfs_fill` given) has
/// no md speed limit.
pub(super) fn rebuild_flow_as(
    g: &Graph,
    layout: &Layout,
    params: &Params,
    group: usize,
    (failed, replacement): (u32, u32),
    distributed: bool,
) -> Planned {
    let shape = &layout.shape;
    let members = &layout.groups[group].bays;
    let sources = rebuild_sources(shape, members, failed);
    let streams = rebuild_streams(g, shape, &sources, replacement, distributed);
    let mut extra = Vec::new();
    if let (Some(p), true) = (g.parity, has_parity(shape.level)) {
        let data = match shape.level {
            Level::Draid { data, .. } => data,
            _ => shape.data(),
        };
        extra.push((p, f64::from(data)));
    }
    let zfs = params.zfs_fill.is_some()
        || matches!(shape.level, Level::RaidZ { .. } | Level::Draid { .. });
    let md_cap = (!zfs).then_some(params.factors.md_max_mb_s);
    let (flow, own, caps) = plan_flow(g, &streams, &extra, md_cap);
    let written = if distributed { failed } else { replacement };
    let mut bays: Vec<u32> = sources.clone();
    if !distributed {
        bays.push(replacement);
    }
    Planned {
        label: FlowLabel::Rebuild {
            failed,
            group: group as u32 + 1,
            sources: sources.clone(),
            replacement: written,
        },
        group: Some(group as u32 + 1),
        bays,
        per_drive: streams.iter().map(|s| (s.0, s.1)).collect(),
        flow,
        own,
        caps,
        client: 0.0,
        rebuild: Some((failed, written)),
    }
}

pub(super) fn group_of(layout: &Layout, bay: u32) -> Option<usize> {
    layout.groups.iter().position(|g| g.bays.contains(&bay))
}

pub(super) fn pick_group(layout: &Layout, req: &Request) -> Result<usize, BandwidthError> {
    let n = layout.groups.len();
    match req.group {
        Some(g) if g == 0 || g as usize > n => Err(BandwidthError::Group {
            group: g,
            groups: n,
        }),
        Some(g) => Ok(g as usize - 1),
        None if n == 0 => Err(BandwidthError::NoGroups(req.workload.name())),
        None => Ok(0),
    }
}

pub(super) fn plans(
    g: &Graph,
    layout: &Layout,
    req: &Request,
    params: &Params,
) -> Result<Vec<Planned>, BandwidthError> {
    let shape = &layout.shape;
    let (n, k) = (f64::from(shape.width()), f64::from(shape.data().max(1)));
    let parity_link = g.parity.filter(|_| has_parity(shape.level));
    let mut out = Vec::new();
    match req.workload {
        Workload::Scrub => {
            for (i, d) in g.drives.iter().enumerate() {
                let grp = group_of(layout, d.bay);
                let extra: Vec<(usize, f64)> = match (parity_link, grp) {
                    (Some(p), Some(_)) => vec![(p, k / n)],
                    _ => Vec::new(),
                };
                let (flow, own, caps) = plan_flow(g, &[(i, 1.0, 1.0)], &extra, None);
                out.push(Planned {
                    label: FlowLabel::Read { bay: d.bay },
                    group: grp.map(|x| x as u32 + 1),
                    bays: vec![d.bay],
                    flow,
                    own,
                    caps,
                    per_drive: vec![(i, 1.0)],
                    client: 0.0,
                    rebuild: None,
                });
            }
        }
        Workload::Single => {
            let bay = match req.bay {
                Some(b) => b,
                None if req.group.is_some() => layout.groups[pick_group(layout, req)?].bays[0],
                None => g.drives.first().map_or(0, |d| d.bay),
            };
            let i = drive_index(g, bay).ok_or(BandwidthError::NoDriveInBay(bay))?;
            let (flow, own, caps) = plan_flow(g, &[(i, 1.0, 1.0)], &[], None);
            out.push(Planned {
                label: FlowLabel::ReadAlone { bay },
                group: group_of(layout, bay).map(|x| x as u32 + 1),
                bays: vec![bay],
                flow,
                own,
                caps,
                per_drive: vec![(i, 1.0)],
                client: 0.0,
                rebuild: None,
            });
        }
        Workload::Ingest | Workload::Read => {
            out = client_plans(g, layout, req, (n, k), parity_link)?;
        }
        Workload::Rebuild | Workload::RebuildAll => out = rebuild_plans(g, layout, req, params)?,
    }
    Ok(out)
}

/// Ingest and read: one flow per group, in user MB/s, crossing the NICs and the group's drives.
fn client_plans(
    g: &Graph,
    layout: &Layout,
    req: &Request,
    (n, k): (f64, f64),
    parity_link: Option<usize>,
) -> Result<Vec<Planned>, BandwidthError> {
    let shape = &layout.shape;
    let mut out = Vec::new();
    if layout.groups.is_empty() {
        return Err(BandwidthError::NoGroups(req.workload.name()));
    }
    if g.client.is_empty() {
        return Err(BandwidthError::NoDataNetwork(req.workload.name()));
    }
    let ingest = req.workload == Workload::Ingest;
    // Per user MB/s: a full-stripe write puts n/k on the group, 1/k on each member; a
    // read moves 1/n over each member's link, while a rotating-parity member also
    // passes over its parity chunks (1/k of media time).
    let port_w = if ingest { 1.0 / k } else { 1.0 / n };
    let media_w = if ingest || has_parity(shape.level) {
        1.0 / k
    } else {
        1.0 / n
    };
    for (gi, grp) in layout.groups.iter().enumerate() {
        let streams: Vec<(usize, f64, f64)> = grp
            .bays
            .iter()
            .filter_map(|b| drive_index(g, *b))
            .map(|i| (i, port_w, media_w))
            .collect();
        let mut extra = g.client.clone();
        if let (Some(p), true) = (parity_link, ingest) {
            extra.push((p, 1.0));
        }
        let (flow, own, caps) = plan_flow(g, &streams, &extra, None);
        out.push(Planned {
            label: FlowLabel::Clients {
                group: gi as u32 + 1,
                write: ingest,
                bays: grp.bays.clone(),
            },
            group: Some(gi as u32 + 1),
            bays: grp.bays.clone(),
            per_drive: streams.iter().map(|s| (s.0, port_w)).collect(),
            flow,
            own,
            caps,
            client: 1.0,
            rebuild: None,
        });
    }
    Ok(out)
}

/// Rebuild (one group, the failed bay asked for) and rebuild-all (every group's first member).
fn rebuild_plans(
    g: &Graph,
    layout: &Layout,
    req: &Request,
    params: &Params,
) -> Result<Vec<Planned>, BandwidthError> {
    let shape = &layout.shape;
    let mut out = Vec::new();
    if shape.tolerance() == 0 {
        return Err(BandwidthError::NoRedundancy {
            workload: req.workload.name(),
            level: *shape,
        });
    }
    if layout.groups.is_empty() {
        return Err(BandwidthError::NoGroups(req.workload.name()));
    }
    if req.workload == Workload::Rebuild {
        let gi = match (req.group, req.bay) {
            (None, Some(b)) => group_of(layout, b).ok_or(BandwidthError::BayInNoGroup(b))?,
            _ => pick_group(layout, req)?,
        };
        let members = &layout.groups[gi].bays;
        let failed = req.bay.unwrap_or(members[0]);
        if !members.contains(&failed) {
            return Err(BandwidthError::BayNotInGroup {
                bay: failed,
                group: gi as u32 + 1,
                members: members.clone(),
            });
        }
        let replacement = layout.spares.first().copied().unwrap_or(failed);
        out.push(rebuild_flow(g, layout, params, gi, failed, replacement));
    } else {
        for (gi, grp) in layout.groups.iter().enumerate() {
            let failed = grp.bays[0];
            let replacement = layout.spares.get(gi).copied().unwrap_or(failed);
            out.push(rebuild_flow(g, layout, params, gi, failed, replacement));
        }
    }
    Ok(out)
}
