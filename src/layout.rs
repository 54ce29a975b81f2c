//! RAID layout: which bays form which group, usable capacity stage by stage, failure domains,
//! and a placement solver that spreads groups across backplanes, cards and PSUs.
//!
//! This engine owns the redundancy arithmetic and nothing else. It is a set of pure functions
//! over a validated `Pod`: [`domains`] derives the failure domains from the hardware tree,
//! [`place`] assigns bays to groups, [`capacity`] runs the raw → usable pipeline, [`exposure`]
//! says what one failed component does to each group, and [`auto`] searches shapes. Every
//! overhead factor is a named field of [`Overheads`] with its source, so a user can override it.

use crate::model::{Attached, Load, Pod};
use crate::spec::{Filesystem, Level};
use crate::units::Bytes;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

pub mod mkfs;
#[cfg(test)]
mod reference;
mod words;
pub mod zfs;
pub use words::{DomainNote, ImpossibleReason, PerCard, Remark, StageNote, WhyNot, shape_label};
use words::{shape_and_label, shape_and_short_label};

/// 1 MiB in bytes.
pub const MIB: u64 = 1 << 20;
/// 1 GiB in bytes.
pub(crate) const GIB: u64 = 1 << 30;

/// A kind of component whose single failure takes drives out at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DomainKind {
    /// One drive.
    Drive,
    /// A port-multiplier uplink or host port (the cable and the port it plugs into).
    Uplink,
    /// A backplane and every drive in its bays.
    Backplane,
    /// A SATA/SAS controller (a card, or the onboard controller) and every drive behind it.
    Card,
    /// A power supply and every drive it feeds.
    Psu,
    /// The whole pod.
    Pod,
}

impl DomainKind {
    /// True when a failure of this kind destroys the data on the drives it takes (a drive, or
    /// the pod, as in a fire); false when the drives only go offline and come back, data intact,
    /// once the part is replaced (an uplink, backplane, card or PSU): model §14.
    pub fn loses_data(self) -> bool {
        matches!(self, DomainKind::Drive | DomainKind::Pod)
    }
    /// Every kind, smallest first.
    pub const ALL: [DomainKind; 6] = [
        DomainKind::Drive,
        DomainKind::Uplink,
        DomainKind::Backplane,
        DomainKind::Card,
        DomainKind::Psu,
        DomainKind::Pod,
    ];
    /// The name users type (`--survive backplane,card`).
    pub fn name(self) -> &'static str {
        match self {
            DomainKind::Drive => "drive",
            DomainKind::Uplink => "uplink",
            DomainKind::Backplane => "backplane",
            DomainKind::Card => "card",
            DomainKind::Psu => "psu",
            DomainKind::Pod => "pod",
        }
    }
    /// Parses a user-typed name.
    pub fn parse(s: &str) -> Option<DomainKind> {
        DomainKind::ALL.into_iter().find(|k| k.name() == s.trim())
    }
}

/// One component whose failure takes out a set of bays together.
///
/// A component *serves* some data-drive bays; its failure takes offline those of them that
/// nothing else keeps online (`bays`). A bay kept online by something else (a second path to
/// it, or the other PSUs of a redundant group) is `covered`: a component whose every bay is
/// covered takes nothing offline and its failure is survived. Build one with [`Domain::new`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Domain {
    /// What kind of component.
    pub kind: DomainKind,
    /// Its id in the design (`bp3`, `SLOT4`, `psu1`, `bay 7`, `pod`).
    pub id: String,
    /// The data-drive bays its failure takes offline.
    pub bays: Vec<u32>,
    /// The data-drive bays it serves that stay online when it fails (another path or PSU
    /// carries them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub covered: Vec<u32>,
    /// A remark (e.g. that a PSU also powers the board).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<DomainNote>,
}

impl Domain {
    /// A component of `kind` serving the data-drive bays `served`; those for which `kept`
    /// holds (a second path, a redundant PSU carries them) stay online when it fails, the
    /// others go offline. Both lists come out sorted.
    pub fn new(
        kind: DomainKind,
        id: String,
        served: Vec<u32>,
        kept: impl Fn(u32) -> bool,
    ) -> Domain {
        let (mut covered, mut bays): (Vec<u32>, Vec<u32>) =
            served.into_iter().partition(|b| kept(*b));
        bays.sort_unstable();
        covered.sort_unstable();
        Domain {
            kind,
            id,
            bays,
            covered,
            note: None,
        }
    }

    /// Every data-drive bay the component serves, offline on failure or covered.
    pub fn served(&self) -> usize {
        self.bays.len() + self.covered.len()
    }
}

/// Derives every failure domain from the hardware tree.
pub fn domains(pod: &Pod) -> Vec<Domain> {
    let mut out = Vec::new();
    let dom = |kind, id: String, bays: Vec<u32>| Domain::new(kind, id, bays, |_| false);
    for d in &pod.drives {
        out.push(dom(
            DomainKind::Drive,
            format!("bay {}", d.bay),
            vec![d.bay],
        ));
    }
    for (ci, c) in pod.controllers.iter().enumerate() {
        for a in &c.attachments {
            let port = if a.ports > 1 {
                format!(
                    "{} ports {}-{}",
                    c.id,
                    a.first_port,
                    a.first_port + a.ports - 1
                )
            } else {
                format!("{} port {}", c.id, a.first_port)
            };
            // A bay with another host path stays online when this cable or card fails.
            let other_path =
                |b: u32| drive_in(pod, b).is_some_and(|d| pod.drive_controllers(d).len() > 1);
            match &a.what {
                Attached::Backplane(k) => {
                    for (id, bays) in cable_domains(pod, *k, c, a, port) {
                        out.push(Domain::new(DomainKind::Uplink, id, bays, other_path));
                    }
                }
                Attached::Path(k) => {
                    // A further path serves the dual-ported drives, which the first path keeps.
                    let bays = chain_bays(pod, *k)
                        .into_iter()
                        .filter(|b| other_path(*b))
                        .collect();
                    out.push(Domain::new(DomainKind::Uplink, port, bays, |_| true));
                }
                Attached::Direct(bays) => {
                    for (i, b) in populated(pod, bays).into_iter().enumerate() {
                        out.push(dom(
                            DomainKind::Uplink,
                            format!("{} port {}", c.id, a.first_port + i as u32),
                            vec![b],
                        ));
                    }
                }
                Attached::Empty | Attached::Boot(_) => {}
            }
        }
        // A card serves every drive with a path through it and takes offline those it is the
        // sole path of (multipath: a drive with a path through another card stays online).
        let served: Vec<u32> = pod
            .drives
            .iter()
            .filter(|d| pod.drive_controllers(d).contains(&ci))
            .map(|d| d.bay)
            .collect();
        if !served.is_empty() {
            out.push(Domain::new(DomainKind::Card, c.id.clone(), served, |b| {
                drive_in(pod, b).is_some_and(|d| pod.drive_controllers(d).iter().any(|x| *x != ci))
            }));
        }
    }
    for (k, b) in pod.backplanes.iter().enumerate() {
        out.push(dom(DomainKind::Backplane, b.id.clone(), chain_bays(pod, k)));
    }
    psu_domains(pod, &mut out);
    out.push(dom(
        DomainKind::Pod,
        "pod".into(),
        pod.drives.iter().map(|d| d.bay).collect(),
    ));
    out.retain(|d| d.served() > 0);
    out
}

/// One domain per PSU unit. A unit of a group whose other units carry the running load
/// (`power::PsuBudget::survives_one_failure`) takes nothing offline: its bays are covered.
fn psu_domains(pod: &Pod, out: &mut Vec<Domain>) {
    let budget = crate::power::budget(pod);
    for p in &pod.psus {
        let mut bays = Vec::new();
        let mut board = false;
        for l in &p.loads {
            match l {
                Load::Backplane(k) => bays.extend(populated(pod, &pod.backplanes[*k].bays)),
                Load::Bay(b) => bays.push(*b),
                Load::Board => board = true,
                Load::Fans(_) => {}
            }
        }
        let carried = budget
            .psus
            .iter()
            .any(|b| b.id == p.id && b.survives_one_failure());
        for k in 1..=p.qty {
            let mut d = Domain::new(DomainKind::Psu, p.unit_id(k), bays.clone(), |_| carried);
            d.note = if carried {
                Some(DomainNote::Covered {
                    by: match p.qty {
                        2 => format!("the other unit of {}", p.id),
                        n => format!("the other {} units of {}", n - 1, p.id),
                    },
                })
            } else if board {
                Some(DomainNote::PowersBoard)
            } else {
                None
            };
            out.push(d);
        }
    }
}

/// The populated bays of backplane `k` and of every backplane cascaded from it: an expander
/// that fails takes its downstream chain with it. Sorted.
fn chain_bays(pod: &Pod, k: usize) -> Vec<u32> {
    let mut bays: Vec<u32> = pod
        .drives
        .iter()
        .filter(|d| d.backplane.is_some_and(|j| under(pod, j, k)))
        .map(|d| d.bay)
        .collect();
    bays.sort_unstable();
    bays
}

/// Whether backplane `j` is `k` or cascaded (at any depth) from it.
fn under(pod: &Pod, j: usize, k: usize) -> bool {
    let mut x = Some(j);
    for _ in 0..=pod.backplanes.len() {
        match x {
            Some(y) if y == k => return true,
            Some(y) => x = pod.backplanes[y].upstream,
            None => return false,
        }
    }
    false
}

/// The cables of a backplane's first path: one per connector of a passive backplane with
/// several (each serves its own bays), else one for the whole uplink and the chain behind it.
fn cable_domains(
    pod: &Pod,
    k: usize,
    c: &crate::model::Controller,
    a: &crate::model::Attachment,
    port: String,
) -> Vec<(String, Vec<u32>)> {
    let bp = &pod.backplanes[k];
    match bp.spec() {
        Some(s) if s.kind == crate::spec::BackplaneKind::Passive && s.uplinks > 1 => {
            let width = (s.uplink_lanes / s.uplinks).max(1);
            bp.bays
                .chunks(width as usize)
                .enumerate()
                .map(|(j, bays)| {
                    let p = a.first_port + j as u32 * width;
                    (
                        format!("{} ports {}-{}", c.id, p, p + width - 1),
                        populated(pod, bays),
                    )
                })
                .collect()
        }
        _ => vec![(port, chain_bays(pod, k))],
    }
}

fn populated(pod: &Pod, bays: &[u32]) -> Vec<u32> {
    bays.iter()
        .copied()
        .filter(|b| drive_in(pod, *b).is_some())
        .collect()
}

/// The data drive in `bay`, if any: a binary search over the drives (validation sorts them by
/// bay), falling back to a linear one when they are not sorted.
fn drive_in(pod: &Pod, bay: u32) -> Option<&crate::model::BayDrive> {
    match pod.drives.binary_search_by_key(&bay, |d| d.bay) {
        Ok(i) => pod.drives.get(i),
        Err(_) => pod.drives.iter().find(|d| d.bay == bay),
    }
}

/// The shape of a layout: level (which fixes width and tolerance) and hot spares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Shape {
    /// Redundancy level of every group.
    pub level: Level,
    /// Hot spares taken from the bays.
    pub spares: u32,
}

impl Shape {
    /// Drives per group.
    pub fn width(&self) -> u32 {
        crate::model::RaidPolicy::width_and_tolerance(self.level).0
    }
    /// Drives a group can lose without data loss (guaranteed, whatever drives they are).
    pub fn tolerance(&self) -> u32 {
        crate::model::RaidPolicy::width_and_tolerance(self.level).1
    }
    /// Data drives' worth per group.
    pub fn data(&self) -> u32 {
        match self.level {
            Level::Stripe { width } => width,
            Level::Mirror { .. } => 1,
            Level::Raid10 { width, copies } => width / copies.max(1),
            Level::Raid5 { width } => width - 1,
            Level::Raid6 { width } => width - 2,
            Level::Erasure { data, .. } => data,
            Level::RaidZ { parity, width } => width.saturating_sub(parity),
            // The children that are not distributed spares, data/(data + parity) of them,
            // in whole drives (the ZFS pipeline computes the exact bytes).
            Level::Draid {
                parity,
                data,
                children,
                spares,
            } => {
                let kept = u64::from(children.saturating_sub(spares));
                let d = kept * u64::from(data) / u64::from(data.saturating_add(parity).max(1));
                u32::try_from(d).unwrap_or(u32::MAX)
            }
        }
    }
    /// Mirror-set size for RAID10 (members are taken in consecutive runs of this size).
    pub(crate) fn mirror_sets(&self) -> Option<u32> {
        match self.level {
            Level::Raid10 { copies, .. } => Some(copies),
            _ => None,
        }
    }
    /// A short name, e.g. `RAID6 15 (13+2)`.
    pub fn label(&self) -> String {
        match self.level {
            Level::Stripe { width } => format!("RAID0 {width}"),
            Level::Mirror { copies } => format!("mirror ×{copies}"),
            Level::Raid10 { width, copies } => format!("RAID10 {width} (×{copies})"),
            Level::Raid5 { width } => format!("RAID5 {width} ({}+1)", width - 1),
            Level::Raid6 { width } => format!("RAID6 {width} ({}+2)", width - 2),
            Level::Erasure { data, parity } => format!("EC {}+{parity}", data),
            Level::RaidZ { parity, width } => format!("RAIDZ{parity} {width}"),
            Level::Draid {
                parity,
                data,
                children,
                spares,
            } => format!("dRAID{parity} {data}d:{children}c:{spares}s"),
        }
    }
    /// The conventional level for a group of `width` drives tolerating `parity` failures.
    pub fn for_width_parity(width: u32, parity: u32) -> Level {
        match parity {
            0 => Level::Stripe { width },
            p if width == p + 1 => Level::Mirror { copies: width },
            1 => Level::Raid5 { width },
            2 => Level::Raid6 { width },
            p => Level::Erasure {
                data: width - p,
                parity: p,
            },
        }
    }
}

/// One redundancy group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// Member bays, in member order (for RAID10, consecutive runs are mirror sets).
    pub bays: Vec<u32>,
    /// Usable size of each member: the smallest member after partition alignment.
    pub member: Bytes,
    /// Capacity stranded by the smallest-drive rule: Σ (member size − smallest).
    pub stranded: Bytes,
}

/// A complete assignment of the pod's drives.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Layout {
    /// The shape.
    pub shape: Shape,
    /// The groups.
    pub groups: Vec<Group>,
    /// Hot-spare bays.
    pub spares: Vec<u32>,
    /// Bays in no group and not spares (left over when the width does not divide the drives).
    pub unused: Vec<u32>,
    /// Where the assignment came from.
    pub origin: Origin,
}

/// Where a layout's assignment came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// The design's explicit `raid.groups`.
    Design,
    /// The placement solver.
    Solver,
}

/// Overhead factors of the capacity pipeline, each named and overridable.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Overheads {
    /// Partition alignment: a partition starts 1 MiB in and spans whole MiB (fdisk/parted
    /// default alignment since util-linux 2.17.1; one partition per drive as Backblaze's
    /// "one fdisk partition per drive" [T, SmallNetBuilder]).
    pub partition_align: Bytes,
    /// The filesystem's own mkfs arithmetic ([`mkfs`]): metadata, log and reserve by volume
    /// size, as the current mkfs makes them (model §13.3).
    pub mkfs: mkfs::Mkfs,
    /// Override: filesystem metadata as a fraction of each volume, instead of the mkfs's own.
    pub fs_metadata: Option<f64>,
    /// Override: the journal or log per volume, instead of the mkfs's own.
    pub fs_fixed: Option<Bytes>,
    /// Override: blocks reserved for root as a fraction of all blocks (ext4 `-m`).
    pub fs_reserved: Option<f64>,
    /// The ZFS pool's settings when the filesystem is ZFS: the capacity pipeline is then
    /// OpenZFS's own arithmetic ([`zfs`]) and the four fields above do not apply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zfs: Option<zfs::ZfsParams>,
}

impl Overheads {
    /// Defaults for a filesystem: its current mkfs (e2fsprogs 1.47.4, xfsprogs 6.5.0 with
    /// reflink, finobt and rmapbt, jfsutils 1.1.15), sized per volume by [`mkfs::volume`];
    /// no override; ZFS by OpenZFS's arithmetic; none: no overhead.
    pub fn for_filesystem(fs: Filesystem) -> Overheads {
        let (align, mkfs, zfs) = match fs {
            Filesystem::Ext4 => (Bytes(MIB), mkfs::Mkfs::Ext4, None),
            Filesystem::Jfs => (Bytes(MIB), mkfs::Mkfs::Jfs, None),
            Filesystem::Xfs => (Bytes(MIB), mkfs::Mkfs::Xfs { rmapbt: true }, None),
            Filesystem::Zfs => (Bytes(0), mkfs::Mkfs::None, Some(zfs::ZfsParams::default())),
            Filesystem::None => (Bytes(MIB), mkfs::Mkfs::None, None),
        };
        Overheads {
            partition_align: align,
            mkfs,
            fs_metadata: None,
            fs_fixed: None,
            fs_reserved: None,
            zfs,
        }
    }

    /// One volume's metadata, log and reserve: the mkfs's own, with any override applied.
    /// `multidisk` says the volume is a RAID group (XFS picks its AG count by it).
    pub fn volume(&self, size: Bytes, multidisk: bool) -> mkfs::Volume {
        let mut v = mkfs::volume(self.mkfs, size, multidisk);
        if let Some(share) = self.fs_metadata {
            v.metadata = size.scale(share);
        }
        if let Some(log) = self.fs_fixed {
            v.log = log;
        }
        if let Some(share) = self.fs_reserved {
            v.reserved = size.scale(share);
        }
        v
    }

    /// Whether any of the three filesystem overrides is set.
    pub fn overridden(&self) -> bool {
        self.fs_metadata.is_some() || self.fs_fixed.is_some() || self.fs_reserved.is_some()
    }
}

impl Overheads {
    /// The defaults of the design's filesystem, with the design's own ZFS settings
    /// (`raid.zfs`) when its pool is ZFS.
    pub fn for_pod(pod: &Pod) -> Overheads {
        let mut o = Overheads::for_filesystem(pod.raid.filesystem);
        if let (Some(z), Some(own)) = (o.zfs.as_mut(), pod.raid.zfs) {
            *z = own;
        }
        o
    }
}

/// The unit a partition's length is a whole number of: 1 MiB, the unit fdisk and parted size
/// partitions in (and a multiple of md's default 512 KiB chunk).
pub const PARTITION_GRANULE: u64 = MIB;

/// Usable bytes of one drive after partition alignment: the partition starts one alignment
/// unit in (the first aligned boundary after the partition table) and runs to the end of the
/// drive in whole [`PARTITION_GRANULE`]s. An alignment of 0 means no partition table (the whole
/// drive is the member). Never more than the drive, and never more with a larger alignment.
pub fn aligned(capacity: Bytes, align: Bytes) -> Bytes {
    if align.is_zero() {
        return capacity;
    }
    (capacity - align).round_down(PARTITION_GRANULE)
}

/// The same layout with every group's member size and stranded capacity recomputed for a
/// partition alignment (the solver places with the default 1 MiB; `--partition-align` changes
/// the member sizes every later stage uses: parity, usable and the rebuild's member).
pub(crate) fn realign(pod: &Pod, layout: &Layout, align: Bytes) -> Layout {
    Layout {
        groups: layout
            .groups
            .iter()
            .map(|g| make_group(pod, g.bays.clone(), align))
            .collect(),
        ..layout.clone()
    }
}

fn drive_size(pod: &Pod, bay: u32) -> Bytes {
    drive_in(pod, bay).map_or(Bytes(0), |d| d.drive().capacity)
}

fn make_group(pod: &Pod, bays: Vec<u32>, align: Bytes) -> Group {
    let sizes: Vec<Bytes> = bays
        .iter()
        .map(|b| aligned(drive_size(pod, *b), align))
        .collect();
    let member = sizes.iter().copied().min().unwrap_or(Bytes(0));
    let stranded = sizes.iter().map(|s| *s - member).sum();
    Group {
        bays,
        member,
        stranded,
    }
}

/// One stage of the capacity pipeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stage {
    /// What this stage is.
    pub name: &'static str,
    /// Capacity left after it.
    pub bytes: Bytes,
    /// The same in decimal TB (10^12 B).
    pub tb: f64,
    /// The same in binary TiB (2^40 B).
    pub tib: f64,
    /// Percent of raw.
    pub pct_of_raw: f64,
    /// How the stage is computed (serialized as its wording).
    pub note: StageNote,
}

/// The capacity pipeline raw → usable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pipeline {
    /// Stages in order; the first is raw, the last is usable.
    pub stages: Vec<Stage>,
    /// Capacity before the filesystem (after parity): the figure Backblaze's RAID math gives.
    pub before_filesystem: Bytes,
    /// Usable capacity.
    pub usable: Bytes,
    /// Stranded by the smallest-drive rule (included in the pipeline, reported on its own).
    pub stranded: Bytes,
    /// The ZFS pool's own figures, when the filesystem is ZFS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zfs: Option<zfs::ZfsFigures>,
}

/// Builds a pipeline stage by stage, each as a share of raw.
struct Stages {
    raw: Bytes,
    stages: Vec<Stage>,
}

impl Stages {
    /// Starts with the raw and partition-alignment stages every pipeline shares.
    fn start(pod: &Pod, o: &Overheads) -> Stages {
        let raw = pod.raw_capacity();
        let mut st = Stages {
            raw,
            stages: Vec::new(),
        };
        st.push(
            "raw",
            raw,
            StageNote::Raw {
                drives: pod.drives.len(),
            },
        );
        let all = pod
            .drives
            .iter()
            .map(|d| aligned(d.drive().capacity, o.partition_align))
            .sum();
        st.push(
            "partition alignment",
            all,
            StageNote::Alignment {
                align: o.partition_align,
            },
        );
        st
    }

    fn push(&mut self, name: &'static str, bytes: Bytes, note: StageNote) {
        let pct = bytes.percent_of(self.raw);
        self.stages.push(Stage {
            name,
            bytes,
            tb: bytes.tb(),
            tib: bytes.tib(),
            pct_of_raw: pct,
            note,
        });
    }

    /// Filesystem metadata and reserved blocks over filesystems of the given sizes, each scaled
    /// by `share` (the data fraction of what they hold); returns usable. The reserve is taken
    /// from all of a volume's blocks, as mke2fs does, not from what metadata leaves.
    fn filesystem(
        &mut self,
        sizes: &[Bytes],
        share: (u32, u32),
        o: &Overheads,
        per_group: bool,
    ) -> Bytes {
        // Byte sums and differences saturate: overheads never wrap.
        let vols: Vec<mkfs::Volume> = sizes.iter().map(|g| o.volume(*g, per_group)).collect();
        let total: Bytes = sizes.iter().copied().sum();
        let spent: Bytes = vols.iter().map(|v| v.metadata.saturating_add(v.log)).sum();
        let reserved: Bytes = vols.iter().map(|v| v.reserved).sum();
        let parity = share.1.saturating_sub(share.0);
        let meta = vault_share(total - spent, share.0, parity);
        // The largest volume's profile describes the stage (the others differ only by size).
        let largest = sizes
            .iter()
            .zip(&vols)
            .max_by_key(|(s, _)| **s)
            .map_or(mkfs::Profile::None, |(_, v)| v.profile);
        self.push(
            "filesystem metadata",
            meta,
            StageNote::Metadata {
                share: spent.percent_of(total) / 100.0,
                profile: largest,
                overridden: o.overridden(),
                per_group,
            },
        );
        let usable = vault_share(total - spent - reserved, share.0, parity);
        self.push(
            "reserved blocks",
            usable,
            StageNote::Reserved {
                share: reserved.percent_of(total) / 100.0,
            },
        );
        usable
    }
}

/// Runs the capacity pipeline for a layout.
pub fn capacity(pod: &Pod, layout: &Layout, o: &Overheads) -> Pipeline {
    if let Some(z) = o.zfs {
        return zfs::pipeline(pod, layout, &z);
    }
    let layout = &realign(pod, layout, o.partition_align);
    let mut st = Stages::start(pod, o);
    let in_groups: Bytes = layout
        .groups
        .iter()
        .flat_map(|g| g.bays.iter())
        .map(|b| aligned(drive_size(pod, *b), o.partition_align))
        .sum();
    st.push(
        "spares and unused",
        in_groups,
        StageNote::SetAside {
            spares: layout.spares.len(),
            unused: layout.unused.len(),
        },
    );
    let stranded = layout.groups.iter().map(|g| g.stranded).sum::<Bytes>();
    st.push(
        "smallest-drive rule",
        in_groups - stranded,
        StageNote::SmallestDrive { stranded },
    );
    let data = u64::from(layout.shape.data());
    let per_group: Vec<Bytes> = layout
        .groups
        .iter()
        .map(|g| g.member.saturating_mul(data))
        .collect();
    let before_fs = per_group.iter().copied().sum();
    st.push(
        "parity",
        before_fs,
        StageNote::Parity {
            groups: layout.groups.len(),
            data,
            shape: layout.shape,
        },
    );
    let usable = st.filesystem(&per_group, (1, 1), o, true);
    Pipeline {
        stages: st.stages,
        before_filesystem: before_fs,
        usable,
        stranded,
        zfs: None,
    }
}

/// The pod as a Vault member: each drive holds one shard of a `data`+`parity` code spread over
/// `data + parity` pods (Backblaze Vault: 17+3 over 20 pods, one shard per pod's drive in the
/// same position, the "tome"), with a filesystem on every drive and no RAID inside the pod.
pub fn vault_capacity(pod: &Pod, vault: crate::spec::Vault, o: &Overheads) -> Pipeline {
    let mut st = Stages::start(pod, o);
    let per_drive: Vec<Bytes> = pod
        .drives
        .iter()
        .map(|d| aligned(d.drive().capacity, o.partition_align))
        .collect();
    let all = per_drive.iter().copied().sum();
    let pods = vault.data.saturating_add(vault.parity);
    let share = vault_share(all, vault.data, vault.parity);
    st.push(
        "vault parity",
        share,
        StageNote::VaultParity { code: vault },
    );
    let usable = st.filesystem(&per_drive, (vault.data, pods), o, false);
    Pipeline {
        stages: st.stages,
        before_filesystem: share,
        usable,
        stranded: Bytes(0),
        zfs: None,
    }
}

/// What one failed component does to a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// No member lost.
    Survives,
    /// Members lost, within the parity: the group runs degraded and rebuilds.
    Degraded,
    /// More members offline than the parity covers, but their data is intact: the group stops
    /// and comes back when the failed part (card, backplane, uplink, PSU) is replaced.
    Unavailable,
    /// More members lost than the parity covers: the group fails and its data is lost.
    DataLoss,
}

impl Verdict {
    /// The verdict of a failure of `kind`: a group that fails ([`group_verdict`] says
    /// `DataLoss`) behind a part whose failure destroys no data is only unavailable.
    pub fn of_kind(self, kind: DomainKind) -> Verdict {
        if self == Verdict::DataLoss && !kind.loses_data() {
            Verdict::Unavailable
        } else {
            self
        }
    }

    /// True when the group stops serving (unavailable or lost): a requested survival is unmet.
    pub fn stops(self) -> bool {
        self >= Verdict::Unavailable
    }
}

/// The verdict of one group against one set of lost bays: `DataLoss` when more members are
/// gone than it tolerates (see [`Verdict::of_kind`] for a part that only takes them offline).
pub fn group_verdict(shape: &Shape, group: &[u32], lost: &BTreeSet<u32>) -> (u32, Verdict) {
    let n = group.iter().filter(|b| lost.contains(b)).count() as u32;
    if n == 0 {
        return (0, Verdict::Survives);
    }
    let dead = match shape.mirror_sets() {
        Some(c) => group
            .chunks(c.max(1) as usize)
            .any(|set| set.iter().all(|b| lost.contains(b))),
        None => n > shape.tolerance(),
    };
    (
        n,
        if dead {
            Verdict::DataLoss
        } else {
            Verdict::Degraded
        },
    )
}

/// The worst effect of any single component of one kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exposure {
    /// Component kind.
    pub kind: DomainKind,
    /// How many such components the pod has.
    pub instances: u32,
    /// Most data drives behind one of them.
    pub max_drives: u32,
    /// Most members one failure takes out of a single group.
    pub worst_in_group: u32,
    /// Members a group can lose (the shape's tolerance).
    pub tolerance: u32,
    /// The worst verdict over every instance and group.
    pub verdict: Verdict,
    /// The instance that sets the verdict (its id).
    pub worst_instance: String,
    /// Remarks on the instances (serialized as `"psu1: also powers the board: …"`).
    pub notes: Vec<Remark>,
}

/// For every domain kind, the worst a single failure does to any group, over every instance
/// and group. Each domain's members are counted per group (and per mirror set) through an index
/// of where each bay sits, so the work is the total size of the domains, not domains × groups;
/// the verdicts are those of [`group_verdict`].
pub fn exposure(layout: &Layout, domains: &[Domain]) -> Vec<Exposure> {
    let mut tally = Tally::new(layout);
    let mut out = Vec::new();
    for kind in DomainKind::ALL {
        let inst: Vec<&Domain> = domains.iter().filter(|d| d.kind == kind).collect();
        if inst.is_empty() {
            continue;
        }
        let mut worst = (Verdict::Survives, 0u32, String::new());
        for d in &inst {
            let (v, n) = tally.worst(&d.bays);
            let v = v.of_kind(kind);
            if (v, n) > (worst.0, worst.1) {
                worst = (v, n, d.id.clone());
            }
        }
        if worst.2.is_empty() {
            worst.2 = inst[0].id.clone();
        }
        let mut notes: Vec<Remark> = inst
            .iter()
            .filter_map(|d| d.note.clone().map(|note| Remark::on(d, note)))
            .collect();
        notes.dedup();
        out.push(Exposure {
            kind,
            instances: inst.len() as u32,
            max_drives: inst.iter().map(|d| d.served() as u32).max().unwrap_or(0),
            worst_in_group: worst.1,
            tolerance: layout.shape.tolerance(),
            verdict: worst.0,
            worst_instance: worst.2,
            notes,
        });
    }
    out
}

/// Where every grouped bay sits, and scratch counters, for [`exposure`]: one domain's lost
/// members per group and per mirror set are counted in time proportional to the domain's size.
struct Tally<'a> {
    layout: &'a Layout,
    /// Bay → (group, member position), for every member of every group.
    at: BTreeMap<u32, Vec<(usize, usize)>>,
    /// Lost members per group (zero between calls).
    lost: Vec<u32>,
    /// Lost members per mirror set, at `set_base[group] + position / copies` (zero between calls).
    set_lost: Vec<u32>,
    set_base: Vec<usize>,
    /// Groups touched by the current domain.
    touched: Vec<usize>,
}

impl<'a> Tally<'a> {
    fn new(layout: &'a Layout) -> Self {
        let copies = layout.shape.mirror_sets().map(|c| c.max(1) as usize);
        let mut at: BTreeMap<u32, Vec<(usize, usize)>> = BTreeMap::new();
        let mut set_base = Vec::with_capacity(layout.groups.len());
        let mut sets = 0;
        for (g, grp) in layout.groups.iter().enumerate() {
            for (i, b) in grp.bays.iter().enumerate() {
                at.entry(*b).or_default().push((g, i));
            }
            set_base.push(sets);
            if let Some(c) = copies {
                sets += grp.bays.len().div_ceil(c);
            }
        }
        Tally {
            layout,
            at,
            lost: vec![0; layout.groups.len()],
            set_lost: vec![0; sets],
            set_base,
            touched: Vec::new(),
        }
    }

    /// The worst (verdict, members lost) over the groups when the bays `lost_bays` fail.
    fn worst(&mut self, lost_bays: &[u32]) -> (Verdict, u32) {
        let copies = self.layout.shape.mirror_sets().map(|c| c.max(1) as usize);
        let mut bays = lost_bays.to_vec();
        bays.sort_unstable();
        bays.dedup();
        for b in &bays {
            for &(g, i) in self.at.get(b).into_iter().flatten() {
                if self.lost[g] == 0 {
                    self.touched.push(g);
                }
                self.lost[g] += 1;
                if let Some(c) = copies {
                    self.set_lost[self.set_base[g] + i / c] += 1;
                }
            }
        }
        let mut worst = (Verdict::Survives, 0u32);
        for &g in &self.touched {
            let n = self.lost[g];
            let members = self.layout.groups[g].bays.len();
            let dead = match copies {
                Some(c) => (0..members.div_ceil(c)).any(|k| {
                    let size = c.min(members - k * c) as u32;
                    self.set_lost[self.set_base[g] + k] == size
                }),
                None => n > self.layout.shape.tolerance(),
            };
            let v = if dead {
                Verdict::DataLoss
            } else {
                Verdict::Degraded
            };
            worst = worst.max((v, n));
        }
        for g in self.touched.drain(..) {
            self.lost[g] = 0;
            if let Some(c) = copies {
                let members = self.layout.groups[g].bays.len();
                let base = self.set_base[g];
                self.set_lost[base..base + members.div_ceil(c)].fill(0);
            }
        }
        worst
    }
}

/// Why a shape cannot survive a domain kind on this hardware, whatever the placement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Impossible {
    /// The kind that cannot be survived.
    pub kind: DomainKind,
    /// The component that proves it.
    pub instance: String,
    /// The explanation (serialized as its wording).
    pub reason: ImpossibleReason,
}

/// Necessary condition for surviving one failure of each requested kind: a component with `d`
/// drives needs `d − free ≤ groups × tolerance`, where `free` drives (spares and unused) can
/// be taken from it. RAID10 mirrors need each mirror set on distinct components, which the same
/// bound (with tolerance = copies − 1 per set) covers.
pub fn impossibilities(
    pod: &Pod,
    shape: &Shape,
    survive: &[DomainKind],
    domains: &[Domain],
) -> Vec<Impossible> {
    let n = pod.drives.len() as u32;
    let w = shape.width().max(1);
    let groups = n.saturating_sub(shape.spares) / w;
    let free = n - groups * w;
    let tol = shape.tolerance();
    let (units, per_unit) = match shape.mirror_sets() {
        Some(c) => (groups * (w / c.max(1)), c.saturating_sub(1)),
        None => (groups, tol),
    };
    let mut out = Vec::new();
    for kind in survive {
        if *kind == DomainKind::Pod {
            out.push(Impossible {
                kind: *kind,
                instance: "pod".into(),
                reason: ImpossibleReason::WholePod,
            });
            continue;
        }
        let worst = domains
            .iter()
            .filter(|d| d.kind == *kind)
            .max_by_key(|d| (d.bays.len(), std::cmp::Reverse(d.id.clone())));
        if let Some(d) = worst {
            let size = d.bays.len() as u32;
            let must = size.saturating_sub(free);
            if must > units.saturating_mul(per_unit) {
                out.push(Impossible {
                    kind: *kind,
                    instance: d.id.clone(),
                    reason: ImpossibleReason::TooManyDrives {
                        kind: *kind,
                        instance: d.id.clone(),
                        drives: size,
                        units,
                        per_unit,
                        mirrors: shape.mirror_sets().is_some(),
                        free,
                    },
                });
            }
        }
    }
    out
}

/// The result of placing a shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Placement {
    /// The layout (best effort when not every requested kind can be survived).
    pub layout: Layout,
    /// The kinds the user asked to survive.
    pub survive: Vec<DomainKind>,
    /// Proofs that a requested kind cannot be survived by any placement of this shape.
    pub impossible: Vec<Impossible>,
    /// Requested kinds the found layout does not survive (checked by brute force).
    pub unmet: Vec<DomainKind>,
}

impl Placement {
    /// True when every requested kind is survived.
    pub fn survivable(&self) -> bool {
        self.impossible.is_empty() && self.unmet.is_empty()
    }
}

/// Why a shape cannot be laid out at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    /// More spares than drives, or not one whole group.
    #[error("{spares} spares and groups of {width} need more than the {drives} drives in the pod")]
    TooWide {
        /// Group width.
        width: u32,
        /// Spares.
        spares: u32,
        /// Drives.
        drives: u32,
    },
    /// Level parameters that make no sense.
    #[error("{0}")]
    BadLevel(String),
}

/// Checks a shape against the pod before placing it.
pub fn check_shape(pod: &Pod, shape: &Shape) -> Result<(), ShapeError> {
    let (w, tol) = (shape.width(), shape.tolerance());
    match shape.level {
        Level::Stripe { width: 0 } => {
            return Err(ShapeError::BadLevel("width must be at least 1".into()));
        }
        Level::Mirror { copies } if copies < 2 => {
            return Err(ShapeError::BadLevel(
                "a mirror needs at least 2 copies".into(),
            ));
        }
        Level::Raid10 { width, copies }
            if copies < 2 || width < copies.saturating_mul(2) || !width.is_multiple_of(copies) =>
        {
            return Err(ShapeError::BadLevel(format!(
                "RAID10 width {width} must be a multiple of the copies ({copies}) and hold at least two mirror sets"
            )));
        }
        Level::Raid5 { width } if width < 3 => {
            return Err(ShapeError::BadLevel(
                "RAID5 needs a width of at least 3".into(),
            ));
        }
        Level::Raid6 { width } if width < 4 => {
            return Err(ShapeError::BadLevel(
                "RAID6 needs a width of at least 4".into(),
            ));
        }
        Level::Erasure { data: 0, .. } => {
            return Err(ShapeError::BadLevel(
                "erasure coding needs at least 1 data shard".into(),
            ));
        }
        Level::RaidZ { parity, .. } if !(1..=3).contains(&parity) => {
            return Err(ShapeError::BadLevel(format!(
                "RAIDZ parity is 1, 2 or 3, not {parity}"
            )));
        }
        Level::Draid {
            parity,
            data,
            children,
            spares,
        } => {
            if let Some(why) = zfs::draid_problem(parity, data, children, spares) {
                return Err(ShapeError::BadLevel(why));
            }
        }
        _ => {}
    }
    if tol >= w && !matches!(shape.level, Level::Mirror { .. }) {
        return Err(ShapeError::BadLevel(format!(
            "parity {tol} must be less than the width {w}"
        )));
    }
    let n = pod.drives.len() as u32;
    if shape.spares >= n || w > n - shape.spares {
        return Err(ShapeError::TooWide {
            width: w,
            spares: shape.spares,
            drives: n,
        });
    }
    Ok(())
}

/// Assigns bays to groups. The design's explicit groups are used when they fit `shape` and no
/// survival is requested that they break; otherwise the solver spreads each group across the
/// domains (hard limits for the requested kinds, soft preference for the rest) and repairs
/// violations by swapping members. Whatever it returns is verified by brute force.
pub fn place(pod: &Pod, shape: Shape, survive: &[DomainKind]) -> Result<Placement, ShapeError> {
    check_shape(pod, &shape)?;
    let doms = domains(pod);
    let align = Bytes(MIB);
    let mut survive: Vec<DomainKind> = survive.to_vec();
    survive.sort();
    survive.dedup();
    let impossible = impossibilities(pod, &shape, &survive, &doms);
    // A kind no placement of this shape can survive is proved so (`impossible`); the placement
    // still survives every other requested kind it can.
    let possible: Vec<DomainKind> = survive
        .iter()
        .copied()
        .filter(|k| !impossible.iter().any(|i| i.kind == *k))
        .collect();
    let from_design = design_layout(pod, &shape, align);
    let layout = match from_design {
        Some(l) if unmet(&l, &doms, &possible).is_empty() => l,
        _ => solve(pod, &shape, &possible, &doms, align),
    };
    let unmet = unmet(&layout, &doms, &survive);
    Ok(Placement {
        layout,
        survive,
        impossible,
        unmet,
    })
}

/// The design's explicit groups, when the design's policy has this exact shape.
fn design_layout(pod: &Pod, shape: &Shape, align: Bytes) -> Option<Layout> {
    let r = &pod.raid;
    if r.groups.is_empty() || r.level != shape.level || r.spares != shape.spares {
        return None;
    }
    let in_groups: BTreeSet<u32> = r.groups.iter().flatten().copied().collect();
    let rest: Vec<u32> = pod
        .drives
        .iter()
        .map(|d| d.bay)
        .filter(|b| !in_groups.contains(b))
        .collect();
    let (spares, unused) = rest.split_at((shape.spares as usize).min(rest.len()));
    Some(Layout {
        shape: *shape,
        groups: r
            .groups
            .iter()
            .map(|g| make_group(pod, g.clone(), align))
            .collect(),
        spares: spares.to_vec(),
        unused: unused.to_vec(),
        origin: Origin::Design,
    })
}

fn unmet(layout: &Layout, doms: &[Domain], survive: &[DomainKind]) -> Vec<DomainKind> {
    exposure(layout, doms)
        .into_iter()
        .filter(|e| survive.contains(&e.kind) && e.verdict.stops())
        .map(|e| e.kind)
        .collect()
}

/// Weight of a violation of a domain kind: requested kinds are hard (large), others soft.
fn weight(kind: DomainKind, survive: &[DomainKind]) -> u64 {
    if survive.contains(&kind) {
        1_000_000
    } else {
        match kind {
            DomainKind::Backplane | DomainKind::Uplink => 100,
            DomainKind::Card => 30,
            DomainKind::Psu => 10,
            DomainKind::Drive | DomainKind::Pod => 0,
        }
    }
}

/// The solver. Capacity first: drives are ranked by size and cut into groups in that order
/// (which maximizes Σ group minimum, the smallest-drive rule), and the smallest drives are the
/// ones set aside, unless a requested domain needs others set aside. Within each run of
/// equal-size drives the members are dealt to their groups to spread every domain (hard limits
/// for requested kinds, soft preference for the rest). A repair pass then swaps members of
/// equal size while that lowers the violations; if requested kinds are still violated, a second
/// pass also swaps unequal sizes (trading capacity for survival).
///
/// The steps are [`Solver::set_aside_free`], [`Solver::deal_tiers`], [`Solver::repair`] and
/// [`Solver::finish`]; [`Solver::new`] gathers what they share. The steps work on drive
/// indices (positions in `pod.drives`) and keep the members per (domain, group) as counts, so
/// a trial swap is scored by its change in a few counts, not by recounting the pod.
fn solve(
    pod: &Pod,
    shape: &Shape,
    survive: &[DomainKind],
    doms: &[Domain],
    align: Bytes,
) -> Layout {
    let s = Solver::new(pod, shape, survive, doms, align);
    let (remaining, mut free) = s.set_aside_free();
    let mut members = s.deal_tiers(&remaining);
    s.repair(&mut members, &mut free);
    s.finish(members, free)
}

/// What every step of [`solve`] reads: the pod and shape, the requested kinds, the domains
/// that matter for placement and, per drive, the domains it belongs to. Drives are named by
/// their index in `pod.drives`.
struct Solver<'a> {
    pod: &'a Pod,
    shape: &'a Shape,
    align: Bytes,
    /// Number of groups.
    groups: usize,
    /// Members per group.
    w: usize,
    /// Failures a group tolerates.
    tol: u32,
    /// Domains that matter for placement (not single drives, not the pod).
    active: Vec<&'a Domain>,
    /// Per active domain: its violation weight ([`weight`]) and whether it was requested.
    wgt: Vec<u64>,
    hard: Vec<bool>,
    /// Per active domain: its distinct drives.
    members_in: Vec<u32>,
    /// Per drive: the usable (aligned) size.
    sizes: Vec<Bytes>,
    /// Per drive: the active domains it belongs to, once per listing of its bay in the domain.
    member_of: Vec<Vec<usize>>,
    /// Per drive: the distinct active domains it belongs to, ascending.
    distinct: Vec<Vec<usize>>,
}

impl<'a> Solver<'a> {
    /// Sizes the problem (groups of `shape.width()` from the drives left after the spares) and
    /// indexes the placement domains by drive.
    fn new(
        pod: &'a Pod,
        shape: &'a Shape,
        survive: &'a [DomainKind],
        doms: &'a [Domain],
        align: Bytes,
    ) -> Self {
        let n = pod.drives.len();
        let w = shape.width() as usize;
        let groups = (n - shape.spares as usize) / w;
        let active: Vec<&Domain> = doms
            .iter()
            .filter(|d| {
                !matches!(d.kind, DomainKind::Drive | DomainKind::Pod) && !d.bays.is_empty()
            })
            .collect();
        let index: std::collections::HashMap<u32, usize> = pod
            .drives
            .iter()
            .enumerate()
            .map(|(i, d)| (d.bay, i))
            .collect();
        let mut member_of: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (k, d) in active.iter().enumerate() {
            for b in &d.bays {
                if let Some(&i) = index.get(b) {
                    member_of[i].push(k);
                }
            }
        }
        let distinct: Vec<Vec<usize>> = member_of
            .iter()
            .map(|m| {
                let mut m = m.clone();
                m.sort_unstable();
                m.dedup();
                m
            })
            .collect();
        let mut members_in = vec![0u32; active.len()];
        for k in distinct.iter().flatten() {
            members_in[*k] += 1;
        }
        Solver {
            pod,
            shape,
            align,
            groups,
            w,
            tol: shape.tolerance(),
            wgt: active.iter().map(|d| weight(d.kind, survive)).collect(),
            hard: active.iter().map(|d| survive.contains(&d.kind)).collect(),
            active,
            members_in,
            sizes: pod
                .drives
                .iter()
                .map(|d| aligned(d.drive().capacity, align))
                .collect(),
            member_of,
            distinct,
        }
    }

    /// The bay of drive `i`.
    fn bay(&self, i: usize) -> u32 {
        self.pod.drives[i].bay
    }

    /// Step 1: set aside the free drives (spares + unused), one at a time. Each time it takes
    /// the drive whose domains, counted over the drives still in play, most exceed what all
    /// the groups together tolerate (requested kinds first), then the smallest, then the one
    /// with most soft excess, then the highest bay. Returns the drives left for the groups and
    /// the free ones.
    fn set_aside_free(&self) -> (Vec<usize>, Vec<usize>) {
        let free_count = self.pod.drives.len() - self.groups * self.w;
        let limit = (self.groups as u32) * self.tol;
        let mut remaining: Vec<usize> = (0..self.pod.drives.len()).collect();
        // Per active domain: the listings of its bays still in play.
        let mut have: Vec<u32> = self.active.iter().map(|d| d.bays.len() as u32).collect();
        let mut free = Vec::new();
        for _ in 0..free_count {
            let over = |i: usize, want_hard: bool| -> u64 {
                self.member_of[i]
                    .iter()
                    .filter(|k| self.hard[**k] == want_hard)
                    .map(|k| u64::from(have[*k].saturating_sub(limit)) * self.wgt[*k])
                    .sum()
            };
            let pick = remaining.iter().copied().max_by_key(|i| {
                (
                    over(*i, true),
                    std::cmp::Reverse(self.sizes[*i]),
                    over(*i, false),
                    self.bay(*i),
                )
            });
            if let Some(i) = pick {
                remaining.retain(|x| *x != i);
                free.push(i);
                for k in &self.member_of[i] {
                    have[*k] = have[*k].saturating_sub(1);
                }
            }
        }
        (remaining, free)
    }

    /// How hard a drive is to place: the size of its domains, weighted by their kind.
    fn pressure(&self, i: usize) -> u64 {
        self.member_of[i]
            .iter()
            .map(|k| self.active[*k].bays.len() as u64 * (1 + self.wgt[*k]))
            .sum()
    }

    /// The domain cost of adding drive `i` to each group `first..first + cost.len()`, into
    /// `cost`, given the members per (domain, group) so far: per domain of the drive, the
    /// weighted excess over the tolerance, or the count below it.
    fn costs_add(&self, counts: &[u32], i: usize, first: usize, cost: &mut [u64]) {
        cost.fill(0);
        for k in &self.member_of[i] {
            let row = &counts[k * self.groups + first..k * self.groups + first + cost.len()];
            let wgt = self.wgt[*k];
            for (c, n) in cost.iter_mut().zip(row) {
                *c += if n + 1 > self.tol {
                    wgt * u64::from(n + 1 - self.tol)
                } else {
                    u64::from(*n)
                };
            }
        }
    }

    /// Step 2, greedy placement by capacity tiers: rank the drives by size; position k belongs
    /// to group k / w. Within a run of equal sizes, deal the drives (most constrained first) to
    /// the run's open group slots by domain cost. Returns the members of each group.
    fn deal_tiers(&self, remaining: &[usize]) -> Vec<Vec<usize>> {
        let w = self.w;
        let mut order = remaining.to_vec();
        order.sort_by_key(|i| (std::cmp::Reverse(self.sizes[*i]), self.bay(*i)));
        let mut counts = vec![0u32; self.active.len() * self.groups];
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); self.groups];
        let mut start = 0;
        while start < order.len() {
            let run_size = self.sizes[order[start]];
            let end = order[start..]
                .iter()
                .position(|i| self.sizes[*i] != run_size)
                .map_or(order.len(), |k| start + k);
            // Open slots of the run per group: positions start..end, group = position / w.
            let first = start / w;
            let mut open: Vec<usize> = (first..=(end - 1) / w)
                .map(|g| end.min((g + 1) * w) - start.max(g * w))
                .collect();
            let mut run: Vec<usize> = order[start..end].to_vec();
            run.sort_by_key(|i| (std::cmp::Reverse(self.pressure(*i)), self.bay(*i)));
            let mut cost = vec![0u64; open.len()];
            for i in run {
                self.costs_add(&counts, i, first, &mut cost);
                let best = (first..first + open.len())
                    .filter(|g| open[g - first] > 0)
                    .min_by_key(|g| (cost[g - first], members[*g].len(), *g));
                if let Some(g) = best {
                    open[g - first] -= 1;
                    members[g].push(i);
                    for k in &self.member_of[i] {
                        counts[k * self.groups + g] += 1;
                    }
                }
            }
            start = end;
        }
        members
    }

    /// Distinct members per (domain, group), at `domain × groups + group`.
    fn counts(&self, members: &[Vec<usize>]) -> Vec<u32> {
        let mut counts = vec![0u32; self.active.len() * self.groups];
        for (g, m) in members.iter().enumerate() {
            for i in m {
                for k in &self.distinct[*i] {
                    counts[k * self.groups + g] += 1;
                }
            }
        }
        counts
    }

    /// The weighted excess of the domains (only the requested ones when `only_hard`) over the
    /// tolerance, summed over the groups.
    fn violation(&self, counts: &[u32], only_hard: bool) -> u64 {
        let mut c = 0u64;
        for k in (0..self.active.len()).filter(|k| !only_hard || self.hard[*k]) {
            for n in &counts[k * self.groups..(k + 1) * self.groups] {
                if *n > self.tol {
                    c = c.saturating_add(self.wgt[k] * u64::from(n - self.tol));
                }
            }
        }
        c
    }

    /// The counting lower bound of [`Solver::violation`] over every placement, kind by kind
    /// (one weight per kind), the larger of two counts:
    /// * per domain: one with `s` drives keeps at least `s − free` of them in the groups, and
    ///   the groups hold at most `groups × tolerance` of them without excess;
    /// * per group: its `w` members, less those in no domain of the kind, fall into at most
    ///   `m` domains of the kind (the kind's instances), which hold `m × tolerance` of them
    ///   without excess.
    ///
    /// A swap pass that reaches it is done: no swap can lower the violation further.
    fn floor(&self, free: usize) -> u64 {
        let room = (self.groups as u64) * u64::from(self.tol) + free as u64;
        let mut total = 0u64;
        for kind in DomainKind::ALL {
            let of_kind: Vec<usize> = (0..self.active.len())
                .filter(|k| self.active[*k].kind == kind)
                .collect();
            let Some(&first) = of_kind.first() else {
                continue;
            };
            let per_domain: u64 = of_kind
                .iter()
                .map(|k| u64::from(self.members_in[*k]).saturating_sub(room))
                .sum();
            let outside = self
                .distinct
                .iter()
                .filter(|ds| !ds.iter().any(|k| self.active[*k].kind == kind))
                .count() as u64;
            let per_group_room = (of_kind.len() as u64).saturating_mul(u64::from(self.tol));
            let per_group = (self.groups as u64)
                .saturating_mul((self.w as u64).saturating_sub(per_group_room))
                .saturating_sub(outside);
            total = total.saturating_add(per_domain.max(per_group).saturating_mul(self.wgt[first]));
        }
        total
    }

    /// Step 3, repair by swaps: equal sizes first; unequal sizes too if requested kinds are
    /// still violated.
    fn repair(&self, members: &mut [Vec<usize>], free: &mut [usize]) {
        let mut counts = self.counts(members);
        for any_size in [false, true] {
            if any_size && self.violation(&counts, true) == 0 {
                break;
            }
            self.swap_pass(members, free, &mut counts, any_size);
        }
    }

    /// The change in [`Solver::violation`] when drive `a` of group `g` trades places with
    /// drive `b` of group `h` (`None`: `b` is a free drive). Only the domains of one drive and
    /// not the other change counts: −1/+1 in `g` and the reverse in `h`.
    fn swap_delta(&self, counts: &[u32], a: usize, g: usize, b: usize, h: Option<usize>) -> i64 {
        let (da, db) = (&self.distinct[a], &self.distinct[b]);
        let cell = |k: usize, grp: usize| counts[k * self.groups + grp];
        let tol = self.tol;
        // A member of domain `k` moves from group `from` to `to` (`None`: out of the groups).
        let leave = |k: usize, from: usize, to: Option<usize>| {
            let w = self.wgt[k] as i64;
            let down = if cell(k, from) > tol { -w } else { 0 };
            let up = match to {
                Some(t) if cell(k, t) >= tol => w,
                _ => 0,
            };
            down + up
        };
        let mut delta = 0i64;
        // Merge the two ascending lists; shared domains do not change.
        let (mut x, mut y) = (0, 0);
        while x < da.len() || y < db.len() {
            match (da.get(x), db.get(y)) {
                (Some(p), Some(q)) if p == q => {
                    x += 1;
                    y += 1;
                }
                (Some(p), q) if q.is_none_or(|q| p < q) => {
                    delta += leave(*p, g, h);
                    x += 1;
                }
                (_, Some(q)) => {
                    match h {
                        Some(h) => delta += leave(*q, h, Some(g)),
                        None => {
                            if cell(*q, g) >= tol {
                                delta += self.wgt[*q] as i64;
                            }
                        }
                    }
                    y += 1;
                }
                _ => break,
            }
        }
        delta
    }

    /// Records in `counts` that drive `a` left group `g` for `h` (`None`: the free drives)
    /// and drive `b` the reverse.
    fn apply_swap(&self, counts: &mut [u32], a: usize, g: usize, b: usize, h: Option<usize>) {
        let groups = self.groups;
        for k in &self.distinct[b] {
            counts[k * groups + g] += 1;
        }
        if let Some(h) = h {
            for k in &self.distinct[a] {
                counts[k * groups + h] += 1;
            }
            for k in &self.distinct[b] {
                counts[k * groups + h] -= 1;
            }
        }
        for k in &self.distinct[a] {
            counts[k * groups + g] -= 1;
        }
    }

    /// One repair pass: up to 50 rounds, each taking the first swap (between two groups, or
    /// between a group and a free drive) that lowers the violation, until none does or the
    /// violation is down to [`Solver::floor`]. Only drives of equal size are swapped unless
    /// `any_size`.
    fn swap_pass(
        &self,
        members: &mut [Vec<usize>],
        free: &mut [usize],
        counts: &mut [u32],
        any_size: bool,
    ) {
        let groups = self.groups;
        let same = |a: usize, b: usize| any_size || self.sizes[a] == self.sizes[b];
        let floor = self.floor(free.len());
        let mut cost = self.violation(counts, false);
        let mut rounds = 0;
        while cost > floor && rounds < 50 {
            rounds += 1;
            let mut improved = false;
            'outer: for g in 0..groups {
                for gi in 0..members[g].len() {
                    let a = members[g][gi];
                    for h in (0..groups).filter(|h| *h != g) {
                        for hi in 0..members[h].len() {
                            let b = members[h][hi];
                            if !same(a, b) {
                                continue;
                            }
                            let d = self.swap_delta(counts, a, g, b, Some(h));
                            if d < 0 {
                                self.apply_swap(counts, a, g, b, Some(h));
                                members[g][gi] = b;
                                members[h][hi] = a;
                                cost = cost.saturating_sub(d.unsigned_abs());
                                improved = true;
                                continue 'outer;
                            }
                        }
                    }
                    for slot in free.iter_mut() {
                        let b = *slot;
                        if !same(a, b) {
                            continue;
                        }
                        let d = self.swap_delta(counts, a, g, b, None);
                        if d < 0 {
                            self.apply_swap(counts, a, g, b, None);
                            members[g][gi] = b;
                            *slot = a;
                            cost = cost.saturating_sub(d.unsigned_abs());
                            improved = true;
                            continue 'outer;
                        }
                    }
                }
            }
            if !improved {
                break;
            }
        }
    }

    /// Step 4: put the result in canonical order (members sorted unless the shape's mirror
    /// sets depend on their order, groups by their lowest bay, free drives ascending; the first
    /// `shape.spares` free drives are the spares) and build the layout.
    fn finish(&self, members: Vec<Vec<usize>>, free: Vec<usize>) -> Layout {
        let shape = self.shape;
        let mut members: Vec<Vec<u32>> = members
            .into_iter()
            .map(|m| m.into_iter().map(|i| self.bay(i)).collect())
            .collect();
        let mut free: Vec<u32> = free.into_iter().map(|i| self.bay(i)).collect();
        for m in &mut members {
            if shape.mirror_sets().is_none() {
                m.sort_unstable();
            }
        }
        members.sort_by_key(|m| m.iter().copied().min());
        free.sort_unstable();
        let spares: Vec<u32> = free.iter().copied().take(shape.spares as usize).collect();
        let unused: Vec<u32> = free.iter().copied().skip(shape.spares as usize).collect();
        Layout {
            shape: *shape,
            groups: members
                .into_iter()
                .map(|m| make_group(self.pod, m, self.align))
                .collect(),
            spares,
            unused,
            origin: Origin::Solver,
        }
    }
}

/// The widest group `--auto` considers by default, by the parity (guaranteed tolerance) of the
/// group. The wider a group, the more drives a rebuild reads and the more drives can fail
/// while it runs: the chance of losing a group to further failures during one rebuild grows
/// about as C(w − 1, p)·(λ·T)^p, so each extra parity drive buys room for a wider group. The
/// bounds follow practice:
/// * parity 0–1: 9 — ZFS's guidance of 3 to 9 disks per RAID-Z group (zpool(8) of Solaris,
///   Oracle's "RAID-Z configurations with single-digit groupings of disks"); Backblaze's first
///   pod of 2008 ran RAID6 groups of 9.
/// * parity 2: 15 — the RAID6 13+2 (Linux md) of every stand-alone Backblaze Storage Pod,
///   1.0 to 6.0, three or four per pod.
/// * parity 3 and more: 20 — the Backblaze Vault's 17+3 Reed-Solomon code over 20 pods, the
///   widest group Backblaze runs.
///
/// An explicit `--max-width` replaces these for every parity.
///
/// [`DEFAULT_WIDTH_NOTE`] says the same in the report.
pub fn default_max_width(parity: u32) -> u32 {
    match parity {
        0 | 1 => 9,
        2 => 15,
        _ => 20,
    }
}

/// The default width bound of [`default_max_width`] in words, for the search's report.
pub const DEFAULT_WIDTH_NOTE: &str = "Width bound: the widest group by default is 9 at parity 1, 15 at parity 2 and 20 at parity 3 or more (ZFS's 3 to 9 disks per RAID-Z group; the RAID6 13+2 of every stand-alone Backblaze pod; the Backblaze Vault's 17+3): a wider group reads more drives in every rebuild and has more drives to lose while it runs. --max-width N sets one bound for every parity.";

/// Constraints for the automatic search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AutoConstraints {
    /// Fewest tolerated failures per group.
    pub min_parity: u32,
    /// Most tolerated failures per group.
    pub max_parity: u32,
    /// Widest group for every parity; `None`: [`default_max_width`] of each parity.
    pub max_width: Option<u32>,
    /// Hot spares.
    pub spares: u32,
    /// Partition alignment the candidates' members are sized with (see [`aligned`]).
    pub partition_align: Bytes,
    /// Domain kinds every single failure of which must be survived.
    pub survive: Vec<DomainKind>,
    /// Highest acceptable annual probability of data loss for the pod, if any.
    pub max_annual_loss: Option<f64>,
    /// The reliability model the annual loss is computed with, named for the report.
    pub loss_model: Option<String>,
    /// Search ZFS vdevs (RAIDZ1–3, mirrors, dRAID) with these pool settings, ranked by the
    /// capacity `zfs list` reports, instead of md levels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zfs: Option<zfs::ZfsParams>,
}

impl AutoConstraints {
    /// The widest group searched at a parity: `max_width`, or the default bound.
    pub(crate) fn width_limit(&self, parity: u32) -> u32 {
        self.max_width.unwrap_or_else(|| default_max_width(parity))
    }
}

/// Most parity drives (tolerated failures) per group the search and `--parity` accept: more
/// than any code in storage practice (RAID6 has 2, Backblaze's Vault 3, RAID-Z3 3), and it
/// keeps the search small.
pub(crate) const MAX_PARITY: u32 = 16;
/// Most copies of a mirror: far beyond the 2 or 3 of practice.
pub(crate) const MAX_COPIES: u32 = 16;
/// Widest group and most spares: a group cannot be wider than the most bays a design may have.
pub(crate) const MAX_WIDTH: u32 = crate::bays::MAX_BAYS;

/// What put a shape ahead of the next one in the ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// More capacity before the filesystem.
    Capacity,
    /// The same capacity, more parity.
    Parity,
    /// The same capacity and parity, a shorter rebuild (ZFS shapes).
    Rebuild,
    /// The same capacity and parity, narrower groups (faster rebuilds).
    Width,
    /// The same capacity, parity and width, fewer unused drives.
    Unused,
    /// Equal on every criterion; the search order decided.
    Equal,
}

/// Why `a` ranks ahead of `b`: the first criterion of the ranking on which they differ.
pub(crate) fn decision(a: &Candidate, b: &Candidate) -> Decision {
    if a.before_filesystem != b.before_filesystem {
        Decision::Capacity
    } else if a.shape.tolerance() != b.shape.tolerance() {
        Decision::Parity
    } else if a.rebuild_hours != b.rebuild_hours {
        Decision::Rebuild
    } else if a.shape.width() != b.shape.width() {
        Decision::Width
    } else if a.unused != b.unused {
        Decision::Unused
    } else {
        Decision::Equal
    }
}

/// Annual probability of data loss of a laid-out pod, when it can be computed (the layout
/// engine takes it as a function so it does not depend on the bandwidth and durability engines
/// that compute it).
pub type LossFn<'a> = &'a dyn Fn(&Layout) -> Option<f64>;

/// The slowest group's time to restore redundancy of a laid-out pod, hours, when it can be
/// computed (from the bandwidth model, which the layout engine does not depend on).
pub type RebuildFn<'a> = &'a dyn Fn(&Layout) -> Option<f64>;

/// One shape the search considered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// The shape (serialized with its label as `label`).
    #[serde(flatten, serialize_with = "shape_and_short_label")]
    pub shape: Shape,
    /// Groups.
    pub groups: u32,
    /// Drives in no group and not spares.
    pub unused: u32,
    /// Capacity before the filesystem; for ZFS shapes, what `zfs list` reports.
    pub before_filesystem: Bytes,
    /// The slowest group's time to restore redundancy, hours, when computed (ZFS shapes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rebuild_hours: Option<f64>,
    /// Annual probability that the pod loses data with this layout, when computed.
    pub annual_loss: Option<f64>,
    /// Whether every constraint is met (survival and annual loss).
    pub meets_constraints: bool,
    /// Why not, when not (serialized as their wording).
    pub why_not: Vec<WhyNot>,
}

/// The result of the search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AutoResult {
    /// The constraints.
    pub constraints: AutoConstraints,
    /// The chosen placement, if any shape satisfies the constraints.
    pub chosen: Option<Placement>,
    /// Survivable shapes, best first (the first is the chosen one).
    pub ranked: Vec<Candidate>,
    /// Shapes rejected, best capacity first, with the reason.
    pub rejected: Vec<Candidate>,
    /// How many shapes were considered.
    pub considered: u32,
    /// What put the chosen shape ahead of the runner-up (`None` with fewer than two ranked).
    pub decided_by: Option<Decision>,
    /// For card and PSU failures the chosen layout does not survive: what surviving them costs.
    pub upgrades: Vec<Upgrade>,
}

/// Searches width and parity for the most capacity that satisfies the constraints. Ranking:
/// capacity before the filesystem, then more parity, then narrower groups (faster rebuilds),
/// then fewer unused drives.
pub fn auto(pod: &Pod, c: &AutoConstraints) -> AutoResult {
    auto_with(pod, c, &|_| None, true)
}

/// [`auto`] with the pod's annual loss computed by `loss` for every placed candidate (and held
/// to `c.max_annual_loss`), and, when `with_upgrades`, the cost of surviving card and PSU
/// failures too.
pub fn auto_with(pod: &Pod, c: &AutoConstraints, loss: LossFn, with_upgrades: bool) -> AutoResult {
    auto_ranked(pod, c, loss, &|_| None, with_upgrades)
}

/// The shapes the search considers, in search order: md levels of every parity and width in
/// range; with `c.zfs`, ZFS vdevs instead ([`zfs_shapes`]).
fn search_shapes(n: u32, c: &AutoConstraints) -> Vec<Shape> {
    let shape = |level| Shape {
        level,
        spares: c.spares,
    };
    if c.zfs.is_some() {
        return zfs_shapes(n.saturating_sub(c.spares), c)
            .into_iter()
            .map(shape)
            .collect();
    }
    let mut out = Vec::new();
    // No parity at or above the drive count fits, so the loops stay within the pod.
    for p in c.min_parity..=c.max_parity.min(n) {
        for w in (p + 1).max(2)..=c.width_limit(p).min(n.saturating_sub(c.spares)) {
            out.push(shape(Shape::for_width_parity(w, p)));
        }
    }
    out
}

/// The ZFS vdevs the search considers over `drives` drives (hot spares set aside), within
/// the parity range: RAIDZ1–3 from parity + 2 wide up to the width bound; 2- and 3-way
/// mirrors; and one dRAID over every drive (at most 255) with 4, 8, 12 or 16 data disks per
/// group (data + parity within the width bound) and 1 or 2 distributed spares.
pub fn zfs_shapes(drives: u32, c: &AutoConstraints) -> Vec<Level> {
    let parities = c.min_parity.max(1)..=c.max_parity.min(3);
    let mut out = Vec::new();
    for p in parities.clone() {
        for w in p + 2..=c.width_limit(p).min(drives) {
            out.push(Level::RaidZ {
                parity: p,
                width: w,
            });
        }
    }
    for copies in 2..=3u32 {
        if (c.min_parity..=c.max_parity).contains(&(copies - 1)) && copies <= drives {
            out.push(Level::Mirror { copies });
        }
    }
    let children = drives.min(zfs::VDEV_DRAID_MAX_CHILDREN);
    for p in parities {
        for spares in [1, 2] {
            for data in [4, 8, 12, 16] {
                // A redundancy group of data + parity disks is held to the same width bound
                // as a RAIDZ vdev: it is what a rebuild reads per block.
                if data + p <= c.width_limit(p)
                    && zfs::draid_problem(p, data, children, spares).is_none()
                {
                    out.push(Level::Draid {
                        parity: p,
                        data,
                        children,
                        spares,
                    });
                }
            }
        }
    }
    out
}

/// A candidate's capacity: before the filesystem under md, or what `zfs list` reports.
fn candidate_capacity(pod: &Pod, layout: &Layout, c: &AutoConstraints) -> Bytes {
    match c.zfs {
        Some(z) => {
            let o = Overheads {
                zfs: Some(zfs::ZfsParams {
                    free_target: 0.0,
                    ..z
                }),
                ..Overheads::for_filesystem(Filesystem::Zfs)
            };
            capacity(pod, layout, &o).usable
        }
        None => {
            let o = Overheads {
                partition_align: c.partition_align,
                ..Overheads::for_filesystem(Filesystem::None)
            };
            capacity(pod, layout, &o).before_filesystem
        }
    }
}

/// [`auto_with`] with each placed candidate's slowest rebuild from `rebuild` (the ZFS search
/// ranks equal capacity and parity by it).
pub fn auto_ranked(
    pod: &Pod,
    c: &AutoConstraints,
    loss: LossFn,
    rebuild: RebuildFn,
    with_upgrades: bool,
) -> AutoResult {
    let n = pod.drives.len() as u32;
    let mut ranked: Vec<(Candidate, Placement)> = Vec::new();
    let mut rejected = Vec::new();
    let mut considered = 0;
    let doms = domains(pod);
    for shape in search_shapes(n, c) {
        if check_shape(pod, &shape).is_err() {
            continue;
        }
        considered += 1;
        let w = shape.width().max(1);
        let imp = impossibilities(pod, &shape, &c.survive, &doms);
        let groups = (n - c.spares) / w;
        let unused = n - c.spares - groups * w;
        if !imp.is_empty() {
            // Capacity of the shape regardless of placement, for the explanation.
            let cap = match (c.zfs, place(pod, shape, &[])) {
                (Some(_), Ok(pl)) => candidate_capacity(pod, &pl.layout, c),
                _ => aligned(min_size(pod), c.partition_align)
                    .saturating_mul(u64::from(groups).saturating_mul(u64::from(shape.data()))),
            };
            rejected.push(Candidate {
                shape,
                groups,
                unused,
                before_filesystem: cap,
                rebuild_hours: None,
                annual_loss: None,
                meets_constraints: false,
                why_not: imp
                    .into_iter()
                    .map(|i| WhyNot::Impossible(i.reason))
                    .collect(),
            });
            continue;
        }
        let Ok(pl) = place(pod, shape, &c.survive) else {
            continue;
        };
        let cap = candidate_capacity(pod, &pl.layout, c);
        let placed = realign(pod, &pl.layout, c.partition_align);
        let annual_loss = loss(&placed);
        let rebuild_hours = rebuild(&placed).filter(|h| h.is_finite());
        let mut why_not: Vec<WhyNot> = pl.unmet.iter().map(|k| WhyNot::Unmet(*k)).collect();
        if let (Some(max), Some(l)) = (c.max_annual_loss, annual_loss)
            && l > max
        {
            why_not.push(WhyNot::AnnualLoss { loss: l, max });
        }
        let cand = Candidate {
            shape,
            groups,
            unused,
            before_filesystem: cap,
            rebuild_hours,
            annual_loss,
            meets_constraints: why_not.is_empty(),
            why_not,
        };
        if cand.meets_constraints {
            ranked.push((cand, pl));
        } else {
            rejected.push(cand);
        }
    }
    let order = |a: &Candidate, b: &Candidate| {
        b.before_filesystem
            .cmp(&a.before_filesystem)
            .then(b.shape.tolerance().cmp(&a.shape.tolerance()))
            .then(match (a.rebuild_hours, b.rebuild_hours) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
            .then(a.shape.width().cmp(&b.shape.width()))
            .then(a.unused.cmp(&b.unused))
    };
    ranked.sort_by(|(a, _), (b, _)| order(a, b));
    rejected.sort_by(order);
    let chosen = ranked.first().map(|(_, p)| p.clone());
    let decided_by = match ranked.as_slice() {
        [(a, _), (b, _), ..] => Some(decision(a, b)),
        _ => None,
    };
    let upgrades = match &chosen {
        Some(p) if with_upgrades => upgrades(pod, c, p, loss),
        _ => Vec::new(),
    };
    AutoResult {
        constraints: c.clone(),
        chosen,
        ranked: ranked.into_iter().map(|(c, _)| c).collect(),
        rejected,
        considered,
        decided_by,
        upgrades,
    }
}

/// What surviving one more kind of failure would cost, next to an `--auto` choice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Upgrade {
    /// The kind the chosen layout does not survive.
    pub kind: DomainKind,
    /// Why the chosen shape cannot survive it, when no placement of that shape can.
    pub impossible_with_chosen: Option<ImpossibleReason>,
    /// The best shape that survives it as well as the requested kinds, if any.
    pub best: Option<Candidate>,
}

/// For each of card and PSU failures that the chosen layout does not survive: whether its shape
/// could, and the best shape that would (its capacity shows the price).
pub fn upgrades(pod: &Pod, c: &AutoConstraints, chosen: &Placement, loss: LossFn) -> Vec<Upgrade> {
    let doms = domains(pod);
    let exp = exposure(&chosen.layout, &doms);
    [DomainKind::Card, DomainKind::Psu]
        .into_iter()
        .filter(|k| !c.survive.contains(k))
        .filter(|k| exp.iter().any(|e| e.kind == *k && e.verdict.stops()))
        .map(|kind| {
            let imp = impossibilities(pod, &chosen.layout.shape, &[kind], &doms);
            let mut more = c.clone();
            more.survive.push(kind);
            Upgrade {
                kind,
                impossible_with_chosen: imp.into_iter().next().map(|i| i.reason),
                best: auto_with(pod, &more, loss, false).ranked.into_iter().next(),
            }
        })
        .collect()
}

fn min_size(pod: &Pod) -> Bytes {
    pod.drives
        .iter()
        .map(|d| d.drive().capacity)
        .min()
        .unwrap_or(Bytes(0))
}

/// Where a group's members sit: how many per card and the most on one backplane.
pub fn spread(pod: &Pod, group: &[u32]) -> (PerCard, Option<u32>) {
    let mut per_card: BTreeMap<String, u32> = BTreeMap::new();
    let mut per_bp: BTreeMap<usize, u32> = BTreeMap::new();
    for b in group {
        if let Some(d) = pod.drives.iter().find(|d| d.bay == *b) {
            *per_card
                .entry(pod.controllers[d.controller].id.clone())
                .or_insert(0) += 1;
            if let Some(k) = d.backplane {
                *per_bp.entry(k).or_insert(0) += 1;
            }
        }
    }
    (PerCard(per_card), per_bp.values().copied().max())
}

/// The vault stage: a pod's share of a k+m code across k+m pods keeps k/(k+m).
pub(crate) fn vault_share(before_fs: Bytes, k: u32, m: u32) -> Bytes {
    before_fs.fraction(k, k.saturating_add(m))
}

/// One row of the groups table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRow {
    /// 1-based group number.
    pub group: u32,
    /// Member bays (serialized as ranges, `"1-15"`).
    #[serde(serialize_with = "crate::bays::ranges")]
    pub bays: Vec<u32>,
    /// Members per controller (serialized as `"SLOT4×5 SLOT5×5 …"`).
    pub per_card: PerCard,
    /// Most members on one backplane (`None` when no member is behind a backplane).
    pub max_per_backplane: Option<u32>,
    /// Usable size of each member (smallest member after alignment).
    pub member: Bytes,
    /// Data capacity of the group before the filesystem.
    pub data: Bytes,
    /// Capacity stranded by the smallest-drive rule.
    pub stranded: Bytes,
}

/// Everything `podplan layout` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayoutReport {
    /// Design name.
    pub design: String,
    /// The shape laid out (serialized with its label as `shape_label`).
    #[serde(flatten, serialize_with = "shape_and_label")]
    pub shape: Shape,
    /// Where the assignment came from.
    pub origin: Origin,
    /// Filesystem on each group.
    pub filesystem: Filesystem,
    /// Overhead factors used.
    pub overheads: Overheads,
    /// The groups.
    pub groups: Vec<GroupRow>,
    /// Hot-spare bays.
    pub spares: Vec<u32>,
    /// Bays left out.
    pub unused: Vec<u32>,
    /// Raw → usable.
    pub pipeline: Pipeline,
    /// Failure-domain verdicts.
    pub exposure: Vec<Exposure>,
    /// Kinds the user asked to survive.
    pub survive: Vec<DomainKind>,
    /// Proofs that a requested kind cannot be survived by this shape.
    pub impossible: Vec<Impossible>,
    /// Requested kinds the layout does not survive.
    pub unmet: Vec<DomainKind>,
    /// True when every requested kind is survived.
    pub survivable: bool,
    /// The search, when `--auto` chose the shape.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto: Option<AutoResult>,
    /// The design's own RAID level, for comparison.
    pub design_level: Option<Level>,
    /// The same pod as a Vault member, when the design is deployed in one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vault: Option<VaultReport>,
}

/// A pod's capacity as a member of a Vault.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VaultReport {
    /// The code across pods.
    pub code: crate::spec::Vault,
    /// Raw → usable for this pod's share.
    pub pipeline: Pipeline,
}

/// Builds the layout report for a placement.
pub fn report(
    pod: &Pod,
    placement: &Placement,
    fs: Filesystem,
    o: &Overheads,
    auto: Option<AutoResult>,
) -> LayoutReport {
    let l = &realign(pod, &placement.layout, o.partition_align);
    let data = u64::from(l.shape.data());
    let groups = l
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let (per_card, max_bp) = spread(pod, &g.bays);
            GroupRow {
                group: i as u32 + 1,
                bays: g.bays.clone(),
                per_card,
                max_per_backplane: max_bp,
                member: g.member,
                data: g.member.saturating_mul(data),
                stranded: g.stranded,
            }
        })
        .collect();
    LayoutReport {
        design: pod.name.clone(),
        shape: l.shape,
        origin: l.origin,
        filesystem: fs,
        overheads: *o,
        groups,
        spares: l.spares.clone(),
        unused: l.unused.clone(),
        pipeline: capacity(pod, l, o),
        exposure: exposure(l, &domains(pod)),
        survive: placement.survive.clone(),
        impossible: placement.impossible.clone(),
        unmet: placement.unmet.clone(),
        survivable: placement.survivable(),
        auto,
        design_level: Some(pod.raid.level),
        vault: pod.raid.vault.map(|code| VaultReport {
            code,
            pipeline: vault_capacity(pod, code, o),
        }),
    }
}
