//! The layout report's vocabulary: what the engine found, as data (a stage's note, members
//! per card, a domain remark, why a shape cannot survive a failure or was rejected), each with
//! the `Display` that words it for the tables and a `Serialize` that writes the same words
//! into the JSON. The engine builds these values; it writes no sentences.

use super::{Domain, DomainKind, GIB, MIB, Shape};
use crate::units::Bytes;
use serde::Serialize;
use std::collections::BTreeMap;

impl std::fmt::Display for Shape {
    /// The shape's [label](Shape::label).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

/// Serializes a shape as its label (`"RAID6 15 (13+2)"`), as reports' JSON has always shown
/// it: for `#[serde(serialize_with = "crate::layout::shape_label")]`.
pub fn shape_label<S: serde::Serializer>(shape: &Shape, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(shape)
}

/// Serializes a shape as two fields, the shape and its label (`"shape_label"`), as the layout
/// JSON has always shown them: for `#[serde(flatten, serialize_with = ...)]`.
pub(super) fn shape_and_label<S: serde::Serializer>(
    shape: &Shape,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(2))?;
    m.serialize_entry("shape", shape)?;
    m.serialize_entry("shape_label", &shape.label())?;
    m.end()
}

/// Serializes a search candidate's shape as `shape` and `label`, as the JSON has always shown.
pub(super) fn shape_and_short_label<S: serde::Serializer>(
    shape: &Shape,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(2))?;
    m.serialize_entry("shape", shape)?;
    m.serialize_entry("label", &shape.label())?;
    m.end()
}

/// A byte count in the largest unit that holds it exactly (`1 MiB`, `3 TB`), or in TB and
/// TiB when no unit does with a short number.
fn size_text(b: Bytes) -> String {
    let n = b.bytes();
    if n == 0 {
        return "0 B".into();
    }
    const UNITS: [(u64, &str); 10] = [
        (1 << 50, "PiB"),
        (1_000_000_000_000_000, "PB"),
        (1 << 40, "TiB"),
        (1_000_000_000_000, "TB"),
        (GIB, "GiB"),
        (1_000_000_000, "GB"),
        (MIB, "MiB"),
        (1_000_000, "MB"),
        (1 << 10, "KiB"),
        (1_000, "kB"),
    ];
    match UNITS.iter().find(|(u, _)| n.is_multiple_of(*u)) {
        Some((u, name)) if n / u < 1_000_000 => format!("{} {name}", n / u),
        _ if n < 1_000_000 => format!("{n} B"),
        _ => b.to_string(),
    }
}

/// How a pipeline stage is computed, as data; its `Display` is the wording the tables and the
/// JSON show.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StageNote {
    /// Raw: the drives as sold.
    Raw {
        /// Drives in the pod.
        drives: usize,
    },
    /// Partition alignment: one partition per drive aligned to `align`, or none when zero.
    Alignment {
        /// The partition alignment.
        align: Bytes,
    },
    /// Spares and unused drives set aside.
    SetAside {
        /// Hot spares.
        spares: usize,
        /// Drives left out.
        unused: usize,
    },
    /// Each member counts as its group's smallest.
    SmallestDrive {
        /// Capacity stranded.
        stranded: Bytes,
    },
    /// Parity inside the pod.
    Parity {
        /// Groups.
        groups: usize,
        /// Data members per group.
        data: u64,
        /// The shape.
        shape: Shape,
    },
    /// A Vault's code across pods.
    VaultParity {
        /// The code.
        code: crate::spec::Vault,
    },
    /// Filesystem metadata and log.
    Metadata {
        /// Metadata and log as a share of the filesystems' size (fraction).
        share: f64,
        /// How the largest filesystem's overheads came about (its mkfs and profile).
        profile: super::mkfs::Profile,
        /// Whether an override replaced part of the mkfs's own figures.
        overridden: bool,
        /// Whether there is a filesystem per group (else one on every drive).
        per_group: bool,
    },
    /// Blocks reserved for root, out of all blocks.
    Reserved {
        /// Reserved share (fraction).
        share: f64,
    },
    /// The partition `zpool create` makes on a whole disk.
    ZfsPartition,
    /// ZFS labels and boot region on every member.
    ZfsLabels,
    /// A dRAID's distributed spare space, taken off every child.
    ZfsDistributedSpares {
        /// Distributed spares in all.
        spares: u32,
    },
    /// A dRAID's reflow reserve, whole 16 MiB rows and whole redundancy groups.
    ZfsDraidRows,
    /// Each vdev rounded down to whole metaslabs.
    ZfsMetaslabs {
        /// Top-level vdevs.
        vdevs: usize,
        /// log2 of the (largest) metaslab size.
        shift: u32,
        /// Metaslabs in all.
        count: u64,
    },
    /// Metaslabs given to the embedded ZIL class.
    ZfsEmbeddedLog {
        /// Metaslabs taken.
        count: u64,
    },
    /// RAIDZ (or dRAID) parity and padding as the deflate ratio counts them.
    ZfsDeflate {
        /// The (smallest) deflate ratio, out of 512.
        ratio: u64,
        /// The ashift.
        ashift: u32,
    },
    /// The slop reserve.
    ZfsSlop {
        /// The rule.
        rule: super::zfs::SlopRule,
    },
    /// A share of the pool kept free.
    FreeTarget {
        /// The share (fraction).
        share: f64,
    },
}

impl std::fmt::Display for StageNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            StageNote::Raw { drives } => write!(f, "{drives} drives as sold (decimal TB)"),
            StageNote::Alignment { align } if align.is_zero() => {
                f.write_str("no partition table: each whole drive is a member")
            }
            StageNote::Alignment { align } => {
                write!(f, "one partition per drive, {} aligned", size_text(align))
            }
            StageNote::SetAside { spares, unused } => {
                write!(f, "{spares} spares and {unused} unused drives set aside")
            }
            StageNote::SmallestDrive { stranded } => write!(
                f,
                "each member counts as the group's smallest; {:.3} TB stranded",
                stranded.tb()
            ),
            StageNote::Parity {
                groups,
                data,
                shape,
            } => write!(
                f,
                "{groups} groups × {data} data of {} drives ({shape})",
                shape.width()
            ),
            StageNote::VaultParity { code } => {
                let pods = code.data.saturating_add(code.parity);
                write!(
                    f,
                    "{}+{} across {pods} pods: {}/{pods} of every shard is data",
                    code.data, code.parity, code.data
                )
            }
            StageNote::Metadata {
                share,
                profile,
                overridden,
                per_group,
            } => {
                let whose = if per_group { "per group" } else { "on every drive" };
                write!(f, "{:.4} % {whose}: ", 100.0 * share)?;
                if overridden {
                    f.write_str("overridden; the mkfs's own: ")?;
                }
                write!(f, "{profile}")
            }
            StageNote::Reserved { share } => {
                write!(f, "{:.1} % of all blocks reserved for root", 100.0 * share)
            }
            StageNote::ZfsPartition => f.write_str(
                "zpool create's partition: from 1 MiB, less the 8 MiB partition 9 and the backup GPT, whole MiB",
            ),
            StageNote::ZfsLabels => {
                f.write_str("4 × 256 KiB labels and a 3.5 MiB boot region off every member")
            }
            StageNote::ZfsDistributedSpares { spares } => write!(
                f,
                "{spares} distributed {} worth of every dRAID child kept for rebuilds",
                if spares == 1 { "spare's" } else { "spares'" }
            ),
            StageNote::ZfsDraidRows => f.write_str(
                "dRAID: 32 MiB reflow reserve per child, whole 16 MiB rows, whole redundancy groups",
            ),
            StageNote::ZfsMetaslabs {
                vdevs,
                shift,
                count,
            } => write!(
                f,
                "{vdevs} vdev{} in {count} whole metaslab{} of {} MiB",
                if vdevs == 1 { "" } else { "s" },
                if count == 1 { "" } else { "s" },
                (1u64 << shift.min(63)) >> 20
            ),
            StageNote::ZfsEmbeddedLog { count } => {
                let s = if count == 1 { "" } else { "s" };
                write!(f, "{count} metaslab{s} set aside for the embedded ZIL")
            }
            StageNote::ZfsDeflate { ratio, ashift } => write!(
                f,
                "parity and padding of 128 KiB blocks at ashift {ashift}: deflate ratio {ratio}/512"
            ),
            StageNote::ZfsSlop { rule } => match rule {
                super::zfs::SlopRule::Current => {
                    f.write_str("slop: 1/32 of the pool, 128 MiB to 128 GiB, less the ZIL metaslabs")
                }
                super::zfs::SlopRule::Legacy => {
                    f.write_str("slop: 1/32 of the pool, at least 128 MiB (before OpenZFS 2.0.7)")
                }
            },
            StageNote::FreeTarget { share } => {
                write!(f, "{:.1} % kept free", 100.0 * share)
            }
        }
    }
}

impl Serialize for StageNote {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A remark on a failure domain, as data; its `Display` is the wording the tables and the JSON
/// show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainNote {
    /// A PSU that also powers the board: its failure stops the whole pod.
    PowersBoard,
    /// A component whose drives stay online when it fails, carried by `by` (the other PSUs
    /// of a redundant group, a second path).
    Covered {
        /// What keeps its drives online, in words (`"psu2"`, `"the other path through SLOT5"`).
        by: String,
    },
}

impl std::fmt::Display for DomainNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DomainNote::PowersBoard => {
                f.write_str("also powers the board: the whole pod stops until it is replaced")
            }
            DomainNote::Covered { by } => {
                write!(f, "its drives stay online when it fails, carried by {by}")
            }
        }
    }
}

/// A remark on one component of a domain kind: `psu1: also powers the board: …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remark {
    /// The component's id.
    pub instance: String,
    /// The remark.
    pub note: DomainNote,
}

impl Remark {
    pub(super) fn on(d: &Domain, note: DomainNote) -> Remark {
        Remark {
            instance: d.id.clone(),
            note,
        }
    }
}

impl std::fmt::Display for Remark {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.instance, self.note)
    }
}

/// Why no placement of a shape survives a domain kind, as data; its `Display` is the wording
/// the tables and the JSON show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImpossibleReason {
    /// A pod failure takes every drive: only a code across pods survives it.
    WholePod,
    /// The largest component of the kind holds more drives than the groups' parity absorbs.
    TooManyDrives {
        /// The kind.
        kind: DomainKind,
        /// The component's id.
        instance: String,
        /// Data drives behind it.
        drives: u32,
        /// Groups (or mirror sets) that can absorb losses.
        units: u32,
        /// Losses each absorbs.
        per_unit: u32,
        /// Whether the units are RAID10 mirror sets.
        mirrors: bool,
        /// Drives set aside as spares or unused, which can be the component's.
        free: u32,
    },
}

impl std::fmt::Display for ImpossibleReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImpossibleReason::WholePod => f.write_str(
                "a pod failure takes every drive; only a code across pods (a Vault) survives it",
            ),
            ImpossibleReason::TooManyDrives {
                kind,
                instance,
                drives,
                units,
                per_unit,
                mirrors,
                free,
            } => {
                let unit = match (mirrors, units) {
                    (true, _) => "mirror sets",
                    (false, 1) => "group",
                    (false, _) => "groups",
                };
                write!(
                    f,
                    "{} {instance} holds {drives} drives; {units} {unit} × {per_unit} tolerated losses absorb at most {} of them",
                    kind.name(),
                    units.saturating_mul(*per_unit),
                )?;
                if *free > 0 {
                    write!(f, " after setting {free} aside as spares or unused")?;
                }
                Ok(())
            }
        }
    }
}

/// Why a search candidate does not meet the constraints, as data; its `Display` is the wording
/// the tables and the JSON show.
#[derive(Debug, Clone, PartialEq)]
pub enum WhyNot {
    /// No placement of the shape can survive a requested kind.
    Impossible(ImpossibleReason),
    /// The solver found no placement surviving every failure of a requested kind.
    Unmet(DomainKind),
    /// The pod's annual loss is above the limit.
    AnnualLoss {
        /// The candidate's annual probability of data loss.
        loss: f64,
        /// The limit (`--max-annual-loss`).
        max: f64,
    },
}

impl std::fmt::Display for WhyNot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WhyNot::Impossible(r) => r.fmt(f),
            WhyNot::Unmet(k) => write!(
                f,
                "the solver found no placement surviving every {} failure",
                k.name()
            ),
            WhyNot::AnnualLoss { loss, max } => {
                write!(f, "annual loss {loss:.2e} is above the limit {max:.2e}")
            }
        }
    }
}

/// Serializes the report vocabulary above as its wording, as the JSON has always shown it.
macro_rules! serialize_as_words {
    ($($t:ty),*) => {$(
        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    )*};
}
serialize_as_words!(DomainNote, Remark, ImpossibleReason, WhyNot);

/// A group's members per controller, by controller id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PerCard(pub BTreeMap<String, u32>);

impl std::fmt::Display for PerCard {
    /// `SLOT4×5 SLOT5×5 …`: the wording the tables and the JSON show.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (card, n)) in self.0.iter().enumerate() {
            let sep = if i == 0 { "" } else { " " };
            write!(f, "{sep}{card}×{n}")?;
        }
        Ok(())
    }
}

impl Serialize for PerCard {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl std::fmt::Display for super::mkfs::Profile {
    /// The mkfs version and what its arithmetic chose for this volume.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use super::mkfs::Profile;
        match *self {
            Profile::Ext4 {
                usage,
                inode_ratio,
                block,
                journal,
            } => write!(
                f,
                "mke2fs 1.47.4 '{}' type: a 256 B inode per {} KiB, {} KiB blocks, bitmaps and superblock copies, {} journal",
                usage.name(),
                inode_ratio / 1024,
                block / 1024,
                size_text(journal)
            ),
            Profile::Xfs { ags, rmapbt, log } => write!(
                f,
                "mkfs.xfs {}: {ags} AGs, their headers and per-AG reservations (refcount, finobt{}), {} log",
                if rmapbt {
                    "6.5.0 (reflink, finobt, rmapbt)"
                } else {
                    "5.1-6.4 (reflink, finobt)"
                },
                if rmapbt { ", rmapbt" } else { "" },
                size_text(log)
            ),
            Profile::Jfs { log } => write!(
                f,
                "jfs_mkfs 1.1.15: block map, {} inline log (0.4 %, at most 128 MiB)",
                size_text(log)
            ),
            Profile::None => f.write_str("no filesystem"),
        }
    }
}
