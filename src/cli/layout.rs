//! `podplan layout`: its options and how they become a layout request.
//!
//! This file owns the translation of `--raid/--width/--spares/--auto/--survive` and the
//! filesystem overrides into a `study::LayoutRequest` (a shape or the search's constraints,
//! and the overheads), with an error that names the flag for every bad value. The engine is
//! `crate::layout`, run by `crate::study::layout`.

use super::input::load_design;
use super::{CliError, Format, Outcome, emit, fail, render};
use crate::durability;
use crate::layout::{self, DomainKind, Overheads, Shape};
use crate::model::Pod;
use crate::spec::{Filesystem, Level};
use crate::study::{self, LayoutChoice, LayoutRequest, LayoutStudyError};
use clap::ValueEnum;
use std::io::Write;
use std::path::PathBuf;

/// RAID levels for `--raid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RaidArg {
    /// Striping, no redundancy (`--width`).
    Raid0,
    /// N-way mirror (`--copies`, default 2).
    Mirror,
    /// Stripe over mirrors (`--width`, `--copies`, default 2).
    Raid10,
    /// Single parity (`--width`).
    Raid5,
    /// Double parity (`--width`).
    Raid6,
    /// k+m erasure code (`--width` and `--parity`).
    Erasure,
    /// ZFS RAIDZ1 vdevs (`--width`); the filesystem becomes ZFS.
    Raidz1,
    /// ZFS RAIDZ2 vdevs (`--width`); the filesystem becomes ZFS.
    Raidz2,
    /// ZFS RAIDZ3 vdevs (`--width`); the filesystem becomes ZFS.
    Raidz3,
}

/// What `--raid` names: a level of [`RaidArg`], or an OpenZFS dRAID type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RaidChoice {
    /// A level without parameters of its own (`--width`, `--copies`, `--parity` give them).
    Named(RaidArg),
    /// `draid[<p>][:<d>d][:<c>c][:<s>s]`, as `zpool create` takes it.
    Draid(String),
}

/// Parses `--raid`: a [`RaidArg`] name or a dRAID type (checked against the pod later, where
/// the default children are known).
fn parse_raid(s: &str) -> Result<RaidChoice, String> {
    if s.trim().to_ascii_lowercase().starts_with("draid") {
        return Ok(RaidChoice::Draid(s.trim().to_string()));
    }
    RaidArg::from_str(s, true)
        .map(RaidChoice::Named)
        .map_err(|_| {
            let names: Vec<String> = RaidArg::value_variants()
                .iter()
                .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
                .collect();
            format!(
                "one of {}, or a dRAID type draid<p>[:<d>d][:<c>c][:<s>s] (e.g. draid2:8d:60c:2s)",
                names.join(", ")
            )
        })
}

/// Slop rules for `--slop-rule`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SlopArg {
    /// OpenZFS 2.0.7 and later: 1/32, capped at 128 GiB.
    Current,
    /// Before OpenZFS 2.0.7: 1/32 with no cap.
    Legacy,
}

/// Filesystems for `--filesystem`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FsArg {
    /// ext4 (5 % reserved, 1.56 % inode tables, 1 GiB journal by default).
    Ext4,
    /// JFS (32 MiB log, tiny block map).
    Jfs,
    /// XFS (2 GiB log).
    Xfs,
    /// ZFS: one pool, each group a vdev, capacity as OpenZFS computes it.
    Zfs,
    /// No filesystem.
    None,
}

/// Reliability models for `--loss-model`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LossModelArg {
    /// Deterministic repairs in parallel (sliding window).
    Sliding,
    /// Exact Markov chain, serial repair.
    MarkovSerial,
    /// Exact Markov chain, parallel repair.
    MarkovParallel,
    /// Backblaze's period model.
    Backblaze,
}

/// Options of `podplan layout`.
#[derive(Debug, Clone, clap::Args)]
pub struct LayoutArgs {
    /// Design file (default: the built-in Pod 2.0 design).
    pub design: Option<PathBuf>,
    /// RAID level (default: the design's own policy): raid0, mirror, raid10, raid5, raid6,
    /// erasure, raidz1, raidz2, raidz3, or a ZFS dRAID as `zpool create` writes it,
    /// draidP:Dd:Cc:Ss with P parity, D data disks per group, C children and S distributed
    /// spares, each of :Dd, :Cc and :Ss optional (e.g. draid2:8d:60c:2s; children default to
    /// --width or every drive not a hot spare, data to at most 8 per group, spares to 0).
    #[arg(long, value_parser = parse_raid)]
    pub raid: Option<RaidChoice>,
    /// Drives per group: 1 to at most 10000 (and no more than the pod's drives).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=i64::from(layout::MAX_WIDTH)))]
    pub width: Option<u32>,
    /// Parity drives per group, 0 to at most 16: erasure's parity (RAID0/5/6 have 0/1/2; a
    /// different value is an error).
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=i64::from(layout::MAX_PARITY)))]
    pub parity: Option<u32>,
    /// Copies (mirror, raid10), 2 to at most 16.
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..=i64::from(layout::MAX_COPIES)))]
    pub copies: Option<u32>,
    /// Hot spares taken from the bays (default: the design's), at most 10000 (and fewer than
    /// the pod's drives).
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=i64::from(layout::MAX_WIDTH)))]
    pub spares: Option<u32>,
    /// Search group width and parity for the most capacity under the constraints.
    #[arg(long, conflicts_with_all = ["raid", "width", "parity", "copies"])]
    pub auto: bool,
    /// Component failures to survive, comma-separated: drive, uplink, backplane, card, psu, pod.
    #[arg(long, value_delimiter = ',')]
    pub survive: Vec<String>,
    /// With --auto: fewest parity drives per group, at most 16 (default: the design's own
    /// parity).
    #[arg(long, requires = "auto", value_parser = clap::value_parser!(u32).range(0..=i64::from(layout::MAX_PARITY)))]
    pub min_parity: Option<u32>,
    /// With --auto: most parity drives per group, at most 16.
    #[arg(long, default_value_t = 3, requires = "auto", value_parser = clap::value_parser!(u32).range(0..=i64::from(layout::MAX_PARITY)))]
    pub max_parity: u32,
    /// With --auto: widest group, 2 to at most 10000, for every parity. Without it the width is
    /// bounded by parity, default 9 at parity 1, 15 at parity 2, 20 at parity 3 or more: ZFS's
    /// 3 to 9 disks per RAID-Z group, the RAID6 13+2 of every stand-alone Backblaze pod and the
    /// Backblaze Vault's 17+3 (a wider group reads more drives in every rebuild and has more to
    /// lose while it runs).
    #[arg(long, requires = "auto", value_parser = clap::value_parser!(u32).range(2..=i64::from(layout::MAX_WIDTH)))]
    pub max_width: Option<u32>,
    /// With --auto: highest acceptable annual probability that the pod loses data, e.g. 1e-6.
    /// Each candidate's loss uses the drives' catalog AFR, rebuild times from the topology
    /// (plus the replacement delay when there is no hot spare) and --loss-model.
    #[arg(long, requires = "auto")]
    pub max_annual_loss: Option<f64>,
    /// With --auto: the reliability model for the annual loss of each candidate.
    #[arg(long, value_enum, default_value_t = LossModelArg::Sliding, requires = "auto")]
    pub loss_model: LossModelArg,
    /// Filesystem (default: the design's).
    #[arg(long, value_enum)]
    pub filesystem: Option<FsArg>,
    /// Override: percent of all blocks reserved for root (default: the mkfs's own, ext4 5).
    #[arg(long)]
    pub fs_reserved_pct: Option<f64>,
    /// Override: filesystem metadata as percent of each group (default: what the current mkfs
    /// makes for the group's size, e.g. ext4 0.40 % on a 39 TB group).
    #[arg(long)]
    pub fs_metadata_pct: Option<f64>,
    /// Override: journal/log size per group, e.g. "1 GiB" (default: the mkfs's own by size);
    /// at most 1 PB.
    #[arg(long)]
    pub fs_log: Option<String>,
    /// Override: partition alignment, e.g. "1 MiB" (the default); at most 1 PB. Each partition
    /// starts one alignment in and spans whole MiB to the end of its drive; "0 B" means no
    /// partition table. Sizes every group's members, hence parity and usable.
    #[arg(long)]
    pub partition_align: Option<String>,
    /// ZFS: log2 of the sector size, 9, 12 (default), 13 or 14.
    #[arg(long, value_parser = clap::builder::TypedValueParser::map(clap::builder::PossibleValuesParser::new(["9", "12", "13", "14"]), |v: String| v.parse::<u32>().unwrap_or(12)))]
    pub ashift: Option<u32>,
    /// ZFS: record size of the data, a power of two from 512 B to 16 MiB, e.g. "1 MiB"
    /// (default 128 KiB); its capacity is shown apart from what `zfs list` reports.
    #[arg(long)]
    pub recordsize: Option<String>,
    /// ZFS: slop reserve rule.
    #[arg(long, value_enum)]
    pub slop_rule: Option<SlopArg>,
    /// ZFS: percent of the pool to keep free, shown as its own stage (0 to below 100).
    #[arg(long)]
    pub free_target_pct: Option<f64>,
    /// ZFS: the allocated share of the pool, above 0 and at most 1 (default 1, a full pool;
    /// or the design's `raid.zfs.fill`): a resilver rewrites only that share of the failed
    /// drive; its time is shown in the ZFS note and weighs the --auto search's annual loss.
    #[arg(long, allow_negative_numbers = true)]
    pub fill: Option<f64>,
    /// Output format (default: the one --output's extension names, .csv .json .md .txt, else
    /// table; it must agree with the extension).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// Runs `podplan layout`.
pub fn run(a: LayoutArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome, CliError> {
    let d = load_design(a.design.as_ref(), err)?;
    let req = request(&a, &d.pod, err)?;
    let report = study::layout(&d.pod, &req).map_err(|e| match e {
        LayoutStudyError::NoShapeFits => {
            "--auto: no shape fits these drives (check --max-width and --spares)".to_string()
        }
        LayoutStudyError::Shape { custom, error } => format!(
            "{}: {error}",
            if custom {
                "--width/--spares"
            } else {
                "the design's raid policy"
            }
        ),
        LayoutStudyError::Place(e) => e.to_string(),
    })?;
    let text = render(a.format, &report, |_| {
        crate::render::layout_sections(&report)
    })?;
    emit(out, a.output.as_ref(), &d.files(), text.as_bytes())?;
    let no_choice = report.auto.as_ref().is_some_and(|x| x.chosen.is_none());
    if !report.survivable || no_choice {
        Ok(Outcome::LimitBroken)
    } else {
        Ok(Outcome::Done)
    }
}

/// The checked layout request the flags make for a pod; a note on stderr when the partition
/// alignment leaves nothing of the smallest drive.
fn request(a: &LayoutArgs, pod: &Pod, err: &mut dyn Write) -> Result<LayoutRequest, CliError> {
    let survive = super::survive_kinds(&a.survive)?;
    let n = pod.drives.len() as u32;
    let spares = a.spares.unwrap_or(pod.raid.spares);
    if spares >= n {
        return fail(format!("--spares {spares}: the pod has only {n} drives"));
    }
    let raidz = matches!(
        a.raid,
        Some(
            RaidChoice::Named(RaidArg::Raidz1 | RaidArg::Raidz2 | RaidArg::Raidz3)
                | RaidChoice::Draid(_)
        )
    );
    let filesystem = match a.filesystem {
        None if raidz => Filesystem::Zfs,
        None => pod.raid.filesystem,
        Some(FsArg::Zfs) => Filesystem::Zfs,
        Some(_) if raidz => {
            return fail("--raid raidzN and draid need --filesystem zfs (or none given)");
        }
        Some(FsArg::Ext4) => Filesystem::Ext4,
        Some(FsArg::Jfs) => Filesystem::Jfs,
        Some(FsArg::Xfs) => Filesystem::Xfs,
        Some(FsArg::None) => Filesystem::None,
    };
    let overheads = overheads(a, filesystem, pod)?;
    if filesystem == Filesystem::Zfs
        && let Some(RaidChoice::Named(
            r @ (RaidArg::Raid5 | RaidArg::Raid6 | RaidArg::Raid10 | RaidArg::Erasure),
        )) = a.raid
    {
        return fail(format!(
            "--raid {}: ZFS vdevs are raidz1-3, draid, mirror or raid0 (single disks)",
            r.to_possible_value()
                .map_or(String::new(), |v| v.get_name().to_string())
        ));
    }
    if let (Some(v), Some(smallest)) = (
        &a.partition_align,
        pod.drives.iter().map(|d| d.drive().capacity).min(),
    ) && overheads.partition_align.0 > 0
        && layout::aligned(smallest, overheads.partition_align).0 == 0
    {
        let _ = writeln!(
            err,
            "warning: --partition-align {v} leaves nothing of the smallest drive ({:.2} TB): its groups hold no data",
            smallest.tb()
        );
    }
    let choice = if a.auto {
        auto_choice(a, pod, spares, &overheads, &survive)?
    } else {
        LayoutChoice::Shape {
            shape: Shape {
                level: raid_level(a, pod, spares)?,
                spares,
            },
            custom: a.raid.is_some(),
        }
    };
    Ok(LayoutRequest {
        choice,
        survive,
        filesystem,
        overheads,
    })
}

/// The filesystem overheads, with every override checked; none applies without a filesystem.
fn overheads(a: &LayoutArgs, fs: Filesystem, pod: &Pod) -> Result<Overheads, CliError> {
    if fs == Filesystem::None {
        let whence = if a.filesystem.is_some() {
            "--filesystem none"
        } else {
            "the design's filesystem is none"
        };
        for (flag, given) in [
            ("--fs-reserved-pct", a.fs_reserved_pct.is_some()),
            ("--fs-metadata-pct", a.fs_metadata_pct.is_some()),
            ("--fs-log", a.fs_log.is_some()),
        ] {
            if given {
                return fail(format!(
                    "{flag}: there is no filesystem to apply it to ({whence}); give --filesystem ext4, jfs or xfs"
                ));
            }
        }
    }
    let mut o = Overheads::for_filesystem(fs);
    // The design's own ZFS settings, under the flags.
    if let (Some(z), Some(own)) = (o.zfs.as_mut(), pod.raid.zfs) {
        *z = own;
    }
    zfs_params(a, &mut o)?;
    for (flag, value, slot) in [
        ("--fs-reserved-pct", a.fs_reserved_pct, &mut o.fs_reserved),
        ("--fs-metadata-pct", a.fs_metadata_pct, &mut o.fs_metadata),
    ] {
        if let Some(p) = value {
            if !(0.0..100.0).contains(&p) {
                return fail(format!(
                    "{flag} {}: must be at least 0 and below 100",
                    crate::units::fmt_bounded(p)
                ));
            }
            *slot = Some(p / 100.0);
        }
    }
    let mut align = Some(o.partition_align);
    for (flag, value, slot) in [
        ("--fs-log", &a.fs_log, &mut o.fs_fixed),
        ("--partition-align", &a.partition_align, &mut align),
    ] {
        if let Some(v) = value {
            match crate::units::parse_bytes(v) {
                Ok(b) if b.0 > MAX_OVERHEAD_BYTES => {
                    return fail(format!(
                        "{flag} {v}: at most 1 PB (10^15 B), the largest drive a design may hold"
                    ));
                }
                Ok(b) => *slot = Some(b),
                Err(e) => return fail(format!("{flag}: {e}")),
            }
        }
    }
    o.partition_align = align.unwrap_or(o.partition_align);
    Ok(o)
}

/// The ZFS settings `--ashift`, `--recordsize`, `--slop-rule` and `--free-target-pct` give;
/// an error when one is given and the filesystem is not ZFS.
fn zfs_params(a: &LayoutArgs, o: &mut Overheads) -> Result<(), CliError> {
    let given = a.ashift.is_some()
        || a.recordsize.is_some()
        || a.slop_rule.is_some()
        || a.free_target_pct.is_some()
        || a.fill.is_some();
    let Some(z) = o.zfs.as_mut() else {
        if given {
            return fail(
                "--ashift, --recordsize, --slop-rule, --free-target-pct and --fill apply to ZFS only (--filesystem zfs)",
            );
        }
        return Ok(());
    };
    if let Some(f) = a.fill {
        if !(f.is_finite() && f > 0.0 && f <= 1.0) {
            return fail(format!(
                "--fill {}: the allocated share of the pool, above 0 and at most 1",
                crate::units::fmt_bounded(f)
            ));
        }
        z.fill = f;
    }
    if let Some(s) = a.ashift {
        z.ashift = s;
    }
    if let Some(v) = &a.recordsize {
        z.recordsize =
            layout::zfs::parse_recordsize(v).map_err(|e| format!("--recordsize: {e}"))?;
    }
    if let Some(r) = a.slop_rule {
        z.slop = match r {
            SlopArg::Current => layout::zfs::SlopRule::Current,
            SlopArg::Legacy => layout::zfs::SlopRule::Legacy,
        };
    }
    if let Some(p) = a.free_target_pct {
        if !(0.0..100.0).contains(&p) {
            return fail(format!(
                "--free-target-pct {}: must be at least 0 and below 100",
                crate::units::fmt_bounded(p)
            ));
        }
        z.free_target = p / 100.0;
    }
    Ok(())
}

/// The `--auto` search's constraints and loss model.
fn auto_choice(
    a: &LayoutArgs,
    pod: &Pod,
    spares: u32,
    o: &Overheads,
    survive: &[DomainKind],
) -> Result<LayoutChoice, CliError> {
    let own = Shape {
        level: pod.raid.level,
        spares,
    }
    .tolerance()
    .max(1);
    let min_parity = a.min_parity.unwrap_or(own).min(a.max_parity);
    if let Some(m) = a.min_parity.filter(|m| *m > a.max_parity) {
        return fail(format!(
            "--min-parity {m} is more than --max-parity {}",
            a.max_parity
        ));
    }
    if let Some(m) = a.max_annual_loss
        && !(m.is_finite() && m > 0.0 && m < 1.0)
    {
        return fail(format!(
            "--max-annual-loss {}: a probability between 0 and 1",
            crate::units::fmt_bounded(m)
        ));
    }
    let model = match a.loss_model {
        LossModelArg::Sliding => durability::Model::Sliding,
        LossModelArg::MarkovSerial => durability::Model::MarkovSerial,
        LossModelArg::MarkovParallel => durability::Model::MarkovParallel,
        LossModelArg::Backblaze => durability::Model::Backblaze,
    };
    let constraints = layout::AutoConstraints {
        min_parity,
        max_parity: a.max_parity,
        max_width: a.max_width,
        spares,
        partition_align: o.partition_align,
        survive: survive.to_vec(),
        max_annual_loss: a.max_annual_loss,
        loss_model: Some(model.name().to_string()),
        zfs: o.zfs,
    };
    Ok(LayoutChoice::Auto { constraints, model })
}

/// The RAID level `--raid`, `--width`, `--parity` and `--copies` ask for, or the design's.
fn raid_level(a: &LayoutArgs, pod: &Pod, spares: u32) -> Result<Level, CliError> {
    let r = match &a.raid {
        None => {
            if a.width.is_some() || a.parity.is_some() || a.copies.is_some() {
                return fail("--width, --parity and --copies need --raid");
            }
            return Ok(pod.raid.level);
        }
        Some(RaidChoice::Draid(spec)) => return draid_level(a, pod, spares, spec),
        Some(RaidChoice::Named(r)) => *r,
    };
    if let Some(msg) = ignored_counts(r, a) {
        return fail(msg);
    }
    let need_width = |w: Option<u32>| w.ok_or("--width is required with this --raid");
    let built = match r {
        RaidArg::Raid0 => need_width(a.width).map(|width| Level::Stripe { width }),
        RaidArg::Raid5 => need_width(a.width).map(|width| Level::Raid5 { width }),
        RaidArg::Raid6 => need_width(a.width).map(|width| Level::Raid6 { width }),
        RaidArg::Raidz1 | RaidArg::Raidz2 | RaidArg::Raidz3 => {
            let parity = match r {
                RaidArg::Raidz1 => 1,
                RaidArg::Raidz2 => 2,
                _ => 3,
            };
            need_width(a.width).map(|width| Level::RaidZ { parity, width })
        }
        RaidArg::Mirror => Ok(Level::Mirror {
            copies: a.copies.or(a.width).unwrap_or(2),
        }),
        RaidArg::Raid10 => need_width(a.width).map(|width| Level::Raid10 {
            width,
            copies: a.copies.unwrap_or(2),
        }),
        RaidArg::Erasure => match (a.width, a.parity) {
            (Some(w), Some(p)) if p >= w => {
                return fail(format!("--parity {p} must be less than --width {w}"));
            }
            (Some(w), Some(p)) => Ok(Level::Erasure {
                data: w - p,
                parity: p,
            }),
            _ => Err("--raid erasure needs --width and --parity"),
        },
    };
    Ok(built?)
}

/// The dRAID `--raid draid…` names: children from the spec, else `--width`, else every drive
/// that is not a hot spare (as `zpool create` takes the devices it is given).
fn draid_level(a: &LayoutArgs, pod: &Pod, spares: u32, spec: &str) -> Result<Level, CliError> {
    if let Some(p) = a.parity {
        return fail(format!(
            "--parity {p}: a dRAID's parity is in its type (draid{p}:…)"
        ));
    }
    if let Some(c) = a.copies {
        return fail(format!(
            "--copies {c}: copies apply to --raid mirror and raid10 only"
        ));
    }
    let n = (pod.drives.len() as u32).saturating_sub(spares);
    let devices = a.width.unwrap_or(n);
    let level = layout::zfs::parse_draid(spec, devices).map_err(|e| format!("--raid {e}"))?;
    if let (Some(w), Level::Draid { children, .. }) = (a.width, level)
        && w != children
    {
        return fail(format!(
            "--width {w} and --raid {spec} disagree: the dRAID has {children} children"
        ));
    }
    Ok(level)
}

/// The largest `--fs-log` or `--partition-align`: validation's largest drive (1 PB), beyond
/// which either would only ever leave nothing.
const MAX_OVERHEAD_BYTES: u64 = crate::validate::MAX_DRIVE_BYTES;

/// A `--parity`, `--copies` or `--width` the chosen `--raid` would not use, as an error message:
/// RAID0/5/6 fix their parity, only mirrors have copies, and a mirror's width is its copies.
fn ignored_counts(r: RaidArg, a: &LayoutArgs) -> Option<String> {
    let fixed = match r {
        RaidArg::Raid0 => Some(("RAID0", 0)),
        RaidArg::Raid5 => Some(("RAID5", 1)),
        RaidArg::Raid6 => Some(("RAID6", 2)),
        RaidArg::Raidz1 => Some(("RAIDZ1", 1)),
        RaidArg::Raidz2 => Some(("RAIDZ2", 2)),
        RaidArg::Raidz3 => Some(("RAIDZ3", 3)),
        _ => None,
    };
    match (a.parity, fixed, r) {
        (Some(p), Some((name, own)), _) if p != own => {
            return Some(format!(
                "--parity {p}: {name} has parity {own} (for another parity use --raid erasure --width W --parity P)"
            ));
        }
        (Some(p), None, RaidArg::Mirror | RaidArg::Raid10) => {
            return Some(format!(
                "--parity {p}: a mirror's redundancy is its copies (--copies C tolerates C − 1 failures)"
            ));
        }
        _ => {}
    }
    if let Some(c) = a.copies
        && !matches!(r, RaidArg::Mirror | RaidArg::Raid10)
    {
        return Some(format!(
            "--copies {c}: copies apply to --raid mirror and raid10 only"
        ));
    }
    if let (RaidArg::Mirror, Some(w), Some(c)) = (r, a.width, a.copies)
        && w != c
    {
        return Some(format!(
            "--width {w} and --copies {c} disagree: a mirror is as wide as its copies"
        ));
    }
    None
}
