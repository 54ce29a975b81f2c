//! ZFS pool capacity with OpenZFS's own integer arithmetic (model §ZFS): whole-disk partition,
//! labels and boot region, whole metaslabs, the RAIDZ deflate ratio and the slop reserve.
//!
//! Every constant and function here mirrors one in the OpenZFS source (openzfs/zfs, master of
//! 2026-08, commit be7657e3); the doc comment of each names the file and function. All sums are
//! in u64/u128 and saturate; nothing here can panic.

use super::{Layout, Pipeline, StageNote, Stages};
use crate::model::Pod;
use crate::spec::Level;
use crate::units::Bytes;
use serde::Serialize;

/// `SPA_MINBLOCKSHIFT` (include/sys/spa.h): space accounting is in 512-byte units.
pub const SPA_MINBLOCKSHIFT: u32 = 9;
/// `SPA_MAXBLOCKSHIFT` (include/sys/spa.h): 16 MiB, the smallest metaslab shift allowed.
pub const SPA_MAXBLOCKSHIFT: u32 = 24;
/// `sizeof (vdev_label_t)` (include/sys/vdev_impl.h): one label is 256 KiB.
pub const VDEV_LABEL_SIZE: u64 = 256 << 10;
/// `VDEV_BOOT_SIZE` (include/sys/vdev_impl.h): 3.5 MiB boot region after the first two labels.
pub const VDEV_BOOT_SIZE: u64 = 7 << 19;
/// `VDEV_LABEL_START_SIZE`: two labels and the boot region at the front of every leaf.
pub const VDEV_LABEL_START_SIZE: u64 = 2 * VDEV_LABEL_SIZE + VDEV_BOOT_SIZE;
/// `VDEV_LABEL_END_SIZE`: two labels at the end of every leaf.
pub const VDEV_LABEL_END_SIZE: u64 = 2 * VDEV_LABEL_SIZE;
/// `zfs_vdev_default_ms_shift` (module/zfs/vdev.c): 512 MiB, the smallest metaslab aimed for.
pub const ZFS_VDEV_DEFAULT_MS_SHIFT: u32 = 29;
/// `zfs_vdev_max_ms_shift` (module/zfs/vdev.c): 16 GiB, the largest metaslab aimed for.
pub const ZFS_VDEV_MAX_MS_SHIFT: u32 = 34;
/// `zfs_vdev_min_ms_count` (module/zfs/vdev.c).
pub const ZFS_VDEV_MIN_MS_COUNT: u64 = 16;
/// `zfs_vdev_default_ms_count` (module/zfs/vdev.c): the target metaslab count.
pub const ZFS_VDEV_DEFAULT_MS_COUNT: u64 = 200;
/// `zfs_vdev_ms_count_limit` (module/zfs/vdev.c): 2^17 metaslabs at most.
pub const ZFS_VDEV_MS_COUNT_LIMIT: u64 = 1 << 17;
/// `zfs_embedded_slog_min_ms` (module/zfs/vdev.c, since OpenZFS 2.1.0): a top-level vdev with
/// more metaslabs than this gives one to the embedded ZIL class, outside the normal class.
pub const ZFS_EMBEDDED_SLOG_MIN_MS: u64 = 64;
/// `spa_slop_shift` (module/zfs/spa_misc.c): slop is 1/32 of the pool.
pub const SPA_SLOP_SHIFT: u32 = 5;
/// `spa_min_slop` (module/zfs/spa_misc.c): 128 MiB.
pub const SPA_MIN_SLOP: u64 = 128 << 20;
/// `spa_max_slop` (module/zfs/spa_misc.c, commit f01eaed4, OpenZFS 2.0.7 and 2.1.0): 128 GiB.
pub const SPA_MAX_SLOP: u64 = 128 << 30;
/// The block `vdev_set_deflate_ratio` (module/zfs/vdev.c) measures the ratio with: 128 KiB.
pub const DEFLATE_BLOCK: u64 = 1 << 17;
/// Logical sector of the GPT `zpool create` writes on a whole disk (512e drives).
pub const EFI_LBA: u64 = 512;
/// `NEW_START_BLOCK` (include/sys/vdev_disk.h): partition 1 starts at sector 2048 (1 MiB).
pub const NEW_START_BLOCK: u64 = 2048;
/// `EFI_MIN_RESV_SIZE` (include/sys/efi_partition.h): the 8 MiB partition 9 at the end.
pub const EFI_MIN_RESV_SIZE: u64 = 16 * 1024;
/// `PARTITION_END_ALIGNMENT` (include/sys/vdev_disk.h): partition 1 spans whole 2048 sectors.
pub const PARTITION_END_ALIGNMENT: u64 = 2048;
/// Sectors of the backup GPT entry array and header at the end of the disk: `nblocks =
/// EFI_MIN_ARRAY_SIZE / lbsize + 1` = 16384 / 512 + 1 (lib/libefi/rdwr_efi.c
/// `efi_alloc_and_init`).
pub const EFI_BACKUP_BLOCKS: u64 = 16 * 1024 / EFI_LBA + 1;

/// `VDEV_DRAID_ROWHEIGHT` (include/sys/vdev_draid.h): a dRAID child is cut in 16 MiB rows.
pub const VDEV_DRAID_ROWHEIGHT: u64 = 1 << SPA_MAXBLOCKSHIFT;
/// `VDEV_DRAID_REFLOW_RESERVE` (include/sys/vdev_draid.h): 32 MiB kept at the end of every
/// dRAID child for dRAID expansion.
pub const VDEV_DRAID_REFLOW_RESERVE: u64 = 2 * VDEV_DRAID_ROWHEIGHT;
/// `VDEV_DRAID_MAXPARITY` (include/sys/vdev_draid.h).
pub const VDEV_DRAID_MAXPARITY: u32 = 3;
/// `VDEV_DRAID_MAX_CHILDREN` (include/sys/vdev_draid.h): 255 disks in one dRAID.
pub const VDEV_DRAID_MAX_CHILDREN: u32 = 255;
/// The "arbitrary limit of 100 distributed spares" of cmd/zpool/zpool_vdev.c
/// `draid_config_by_type` (and `vdev_draid_init`).
pub const DRAID_MAX_SPARES: u32 = 100;
/// The data disks per group `zpool create` picks when the spec names none
/// (`draid_config_by_type`: "limit a redundancy group to 8 data disks").
pub const DRAID_DEFAULT_DATA: u32 = 8;

/// The ashifts `--ashift` accepts: 512 B to 16 KiB sectors (`zfs_vdev_max_auto_ashift` = 14).
pub const ASHIFTS: [u32; 4] = [9, 12, 13, 14];

/// A record size as ZFS writes it (`128K`, `1M`, `512`: binary units) or as a size
/// (`1 MiB`), checked to be a power of two from 512 B to 16 MiB (`SPA_MINBLOCKSIZE` to
/// `SPA_MAXBLOCKSIZE`, include/sys/spa.h).
pub fn parse_recordsize(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let zfs_style = t
        .strip_suffix(['K', 'k', 'M', 'm'])
        .and_then(|n| n.parse::<u64>().ok())
        .map(|n| match t.chars().last() {
            Some('K' | 'k') => n.saturating_mul(1 << 10),
            _ => n.saturating_mul(1 << 20),
        });
    let bytes = match zfs_style {
        Some(b) => b,
        None => match t.parse::<u64>() {
            Ok(b) => b,
            Err(_) => crate::units::parse_bytes(t).map_err(|e| e.to_string())?.0,
        },
    };
    if bytes.is_power_of_two() && (512..=16 << 20).contains(&bytes) {
        Ok(bytes)
    } else {
        Err(format!(
            "record size {t}: a power of two from 512 B to 16 MiB"
        ))
    }
}

/// Which slop rule (module/zfs/spa_misc.c `spa_get_slop_space`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SlopRule {
    /// OpenZFS 2.1 and later (and 2.0.7): 1/32 capped at 128 GiB, less the embedded ZIL
    /// metaslabs, at least 128 MiB (or half the pool).
    Current,
    /// Before OpenZFS 2.0.7: 1/32 with no cap and no embedded ZIL metaslab, at least 128 MiB.
    Legacy,
}

/// The pool-wide ZFS settings the capacity depends on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ZfsParams {
    /// log2 of the sector size every vdev allocates in.
    pub ashift: u32,
    /// Record size of the data, bytes (a power of two, 512 B to 16 MiB).
    pub recordsize: u64,
    /// Slop rule.
    pub slop: SlopRule,
    /// Share of the pool kept free (0 ≤ x < 1), shown as its own stage; 0 for none.
    pub free_target: f64,
    /// Share of the pool allocated (0 < x ≤ 1): a resilver rewrites only that share of the
    /// failed disk ([`DEFAULT_FILL`] unless the design or `--fill` says otherwise).
    pub fill: f64,
}

/// The allocated share a resilver is timed at by default: a full pool, the longest resilver
/// (and the same bytes as a Linux md rebuild), so the durability figures never assume free
/// space the pool may not have. `--fill` and the design's `raid.zfs.fill` set another.
pub const DEFAULT_FILL: f64 = 1.0;

impl Default for ZfsParams {
    /// ashift 12 (4 KiB sectors, every current HDD), 128 KiB records (`recordsize` default),
    /// the current slop rule, no free-space target.
    fn default() -> Self {
        ZfsParams {
            ashift: 12,
            recordsize: 128 << 10,
            slop: SlopRule::Current,
            free_target: 0.0,
            fill: DEFAULT_FILL,
        }
    }
}

/// The kind of one top-level vdev.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VdevKind {
    /// A single disk or an n-way mirror: every block is stored whole (deflate ratio 512).
    Plain,
    /// RAIDZ with this parity over the vdev's children.
    RaidZ(u32),
    /// dRAID: groups of `data` + `parity` sectors over the children, `spares` distributed
    /// spares.
    Draid {
        /// Parity per group.
        parity: u32,
        /// Data sectors per group.
        data: u32,
        /// Distributed spares.
        spares: u32,
    },
}

/// Why a dRAID spec is impossible, as `zpool create` (cmd/zpool/zpool_vdev.c
/// `draid_config_by_type`) and the kernel (module/zfs/vdev_draid.c `vdev_draid_init`) refuse
/// it; `None` when it can be built.
pub fn draid_problem(parity: u32, data: u32, children: u32, spares: u32) -> Option<String> {
    if !(1..=VDEV_DRAID_MAXPARITY).contains(&parity) {
        return Some(format!(
            "dRAID parity is 1, 2 or 3, not {parity} (VDEV_DRAID_MAXPARITY)"
        ));
    }
    if data == 0 {
        return Some("a dRAID group needs at least 1 data disk".into());
    }
    if children > VDEV_DRAID_MAX_CHILDREN {
        return Some(format!(
            "a dRAID has at most {VDEV_DRAID_MAX_CHILDREN} children, not {children}"
        ));
    }
    if spares > DRAID_MAX_SPARES {
        return Some(format!(
            "a dRAID has at most {DRAID_MAX_SPARES} distributed spares, not {spares}"
        ));
    }
    let need = u64::from(parity) + u64::from(data) + u64::from(spares);
    if u64::from(children) < need {
        return Some(format!(
            "{children} children cannot hold {data} data + {parity} parity per group and {spares} distributed spares: at least {need} are needed"
        ));
    }
    None
}

/// The level `zpool create` builds from a dRAID type (`draid`, `draid2`, `draid2:8d:60c:2s`,
/// suffixes in any order) over `devices` disks (cmd/zpool/zpool_vdev.c `draid_config_by_type`):
/// parity 1 when not named, children the devices given, no spares, and at most
/// [`DRAID_DEFAULT_DATA`] data disks per group. Failure groups (`w`) are not modelled.
pub fn parse_draid(spec: &str, devices: u32) -> Result<Level, String> {
    let spec = spec.trim().to_ascii_lowercase();
    let Some(rest) = spec.strip_prefix("draid") else {
        return Err(format!(
            "`{spec}` is not a dRAID type (draid<p>[:<d>d][:<c>c][:<s>s])"
        ));
    };
    let mut parts = rest.split(':');
    let parity = match parts.next().unwrap_or("") {
        "" => 1,
        p if p.starts_with('0') => return Err(format!("`{spec}`: parity {p} (1, 2 or 3)")),
        p => p
            .parse::<u32>()
            .map_err(|_| format!("`{spec}`: parity `{p}` is not 1, 2 or 3"))?,
    };
    let (mut data, mut children, mut spares) = (None, None, 0);
    for part in parts {
        let (num, suffix) = part.split_at(part.len().saturating_sub(1));
        let value: u32 = num
            .parse()
            .map_err(|_| format!("`{spec}`: expected :<number><d|c|s>, not `:{part}`"))?;
        match suffix {
            "d" => data = Some(value),
            "c" => children = Some(value),
            "s" => spares = value,
            _ => {
                return Err(format!(
                    "`{spec}`: expected :<number><d|c|s>, not `:{part}`"
                ));
            }
        }
    }
    let children = children.unwrap_or(devices);
    let data = data.unwrap_or_else(|| {
        children
            .saturating_sub(spares)
            .saturating_sub(parity)
            .min(DRAID_DEFAULT_DATA)
    });
    if let Some(why) = draid_problem(parity, data, children, spares) {
        return Err(format!("`{spec}`: {why}"));
    }
    Ok(Level::Draid {
        parity,
        data,
        children,
        spares,
    })
}

/// The OpenZFS name of a dRAID level: `draid2:8d:60c:2s`.
pub fn draid_name(parity: u32, data: u32, children: u32, spares: u32) -> String {
    format!("draid{parity}:{data}d:{children}c:{spares}s")
}

/// `highbit64` (include/sys/sysmacros.h): 1-based index of the highest set bit, 0 for 0.
fn highbit64(x: u64) -> u32 {
    64 - x.leading_zeros()
}

/// Bytes of partition 1 that `zpool create` makes on a whole disk of `disk` bytes
/// (lib/libzfs/os/linux/libzfs_pool_os.c `zpool_label_disk`): from sector 2048 to the end,
/// less the backup GPT and the 8 MiB partition 9, rounded down to 2048 sectors.
pub fn whole_disk_partition(disk: u64) -> u64 {
    let sectors = disk / EFI_LBA;
    let slice = sectors
        .saturating_sub(EFI_BACKUP_BLOCKS)
        .saturating_sub(EFI_MIN_RESV_SIZE)
        .saturating_sub(NEW_START_BLOCK);
    (slice - slice % PARTITION_END_ALIGNMENT) * EFI_LBA
}

/// A leaf vdev's allocatable size (module/zfs/vdev.c `vdev_open`): the device rounded down to
/// whole labels, less the front labels and boot region and the end labels. The result is a
/// multiple of 256 KiB, so it is already whole sectors at every ashift up to 17.
pub fn leaf_asize(device: u64) -> u64 {
    let osize = device - device % VDEV_LABEL_SIZE;
    osize.saturating_sub(VDEV_LABEL_START_SIZE + VDEV_LABEL_END_SIZE)
}

/// A top-level vdev's asize from its smallest child (`vdev_raidz_open`: smallest × children;
/// `vdev_mirror_open`: the smallest; module/zfs/vdev_draid.c `vdev_draid_open`: each child
/// less the 32 MiB reflow reserve in whole 16 MiB rows, times the children that are not
/// distributed spares, rounded down to whole groups of `data + parity` rows).
pub fn vdev_asize(kind: VdevKind, smallest_leaf: u64, children: u32) -> u64 {
    match kind {
        VdevKind::Plain => smallest_leaf,
        VdevKind::RaidZ(_) => smallest_leaf.saturating_mul(u64::from(children)),
        VdevKind::Draid {
            parity,
            data,
            spares,
        } => {
            let child = smallest_leaf.saturating_sub(VDEV_DRAID_REFLOW_RESERVE)
                / VDEV_DRAID_ROWHEIGHT
                * VDEV_DRAID_ROWHEIGHT;
            let ndisks = u64::from(children.saturating_sub(spares));
            let groupsz = u64::from(data.saturating_add(parity)).max(1) * VDEV_DRAID_ROWHEIGHT;
            child.saturating_mul(ndisks) / groupsz * groupsz
        }
    }
}

/// The allocatable bytes of metaslab `id` of a vdev whose metaslabs are `2^shift` bytes
/// (module/zfs/metaslab.c `metaslab_init`); a dRAID's starts at the next whole group row
/// and holds whole rows only (module/zfs/vdev_draid.c `vdev_draid_metaslab_init`).
pub fn metaslab_size(kind: VdevKind, id: u64, shift: u32, ashift: u32) -> u64 {
    let size = 1u64 << shift.min(63);
    match kind {
        VdevKind::Draid { parity, data, .. } => {
            let sz = (u64::from(data.saturating_add(parity)).max(1)) << ashift.min(32);
            let start = id.saturating_mul(size);
            let astart = start.div_ceil(sz).saturating_mul(sz);
            size.saturating_sub(astart - start) / sz * sz
        }
        _ => size,
    }
}

/// The allocatable bytes of metaslabs `0..count`: `count × 2^shift`, or for a dRAID the sum
/// of [`metaslab_size`] (whose pattern repeats every `data + parity` sectors' worth of
/// metaslabs, so the sum is taken over one period and multiplied out).
fn metaslabs_space(kind: VdevKind, count: u64, shift: u32, ashift: u32) -> u64 {
    let size = 1u64 << shift.min(63);
    let VdevKind::Draid { parity, data, .. } = kind else {
        return count.saturating_mul(size);
    };
    // Metaslab i starts (i × size) mod sz into a group row of sz bytes, which repeats with
    // period sz / gcd(size, sz) ≤ data + parity.
    let sz = (u64::from(data.saturating_add(parity)).max(1)) << ashift.min(32);
    let period = (sz / gcd(size, sz)).max(1);
    let sum = |n: u64| {
        (0..n)
            .map(|i| metaslab_size(kind, i, shift, ashift))
            .fold(0, u64::saturating_add)
    };
    sum(period)
        .saturating_mul(count / period)
        .saturating_add(sum(count % period))
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a.max(1) } else { gcd(b, a % b) }
}

/// The metaslab shift OpenZFS picks for a top-level vdev of `asize` bytes
/// (module/zfs/vdev.c `vdev_metaslab_set_size`).
pub fn metaslab_shift(asize: u64) -> u32 {
    let count = asize >> ZFS_VDEV_DEFAULT_MS_SHIFT;
    let mut shift = if count < ZFS_VDEV_MIN_MS_COUNT {
        highbit64(asize / ZFS_VDEV_MIN_MS_COUNT)
    } else if count > ZFS_VDEV_DEFAULT_MS_COUNT {
        highbit64(asize / ZFS_VDEV_DEFAULT_MS_COUNT)
    } else {
        ZFS_VDEV_DEFAULT_MS_SHIFT
    };
    if shift < SPA_MAXBLOCKSHIFT {
        shift = SPA_MAXBLOCKSHIFT;
    } else if shift > ZFS_VDEV_MAX_MS_SHIFT {
        shift = ZFS_VDEV_MAX_MS_SHIFT;
        if (asize >> shift) > ZFS_VDEV_MS_COUNT_LIMIT {
            shift = highbit64(asize / ZFS_VDEV_MS_COUNT_LIMIT);
        }
    }
    shift
}

/// Allocated size of a `psize`-byte block (module/zfs/vdev_raidz.c
/// `vdev_raidz_psize_to_asize`): data sectors, parity for every row, the total rounded up to a
/// multiple of parity + 1. A plain vdev allocates the block's sectors. A dRAID
/// (module/zfs/vdev_draid.c `vdev_draid_psize_to_asize`) allocates whole group rows: the
/// block's sectors rounded up to a multiple of `data`, each row of `data + parity` sectors.
pub fn block_asize(kind: VdevKind, psize: u64, ashift: u32, cols: u32) -> u64 {
    let sectors = (psize.max(1) - 1) >> ashift.min(63);
    let sectors = sectors + 1;
    match kind {
        VdevKind::Plain => sectors << ashift.min(63),
        VdevKind::RaidZ(p) => {
            let (p, cols) = (u64::from(p), u64::from(cols));
            let data_cols = cols.saturating_sub(p).max(1);
            let rows = sectors.div_ceil(data_cols);
            let total = sectors.saturating_add(p.saturating_mul(rows));
            total.div_ceil(p + 1).saturating_mul(p + 1) << ashift.min(63)
        }
        VdevKind::Draid { parity, data, .. } => {
            let rows = sectors.div_ceil(u64::from(data).max(1));
            rows.saturating_mul(u64::from(data.saturating_add(parity))) << ashift.min(63)
        }
    }
}

/// The deflate ratio (module/zfs/vdev.c `vdev_set_deflate_ratio`): 2^17 over the allocated
/// size of a 128 KiB block in 512-byte units, in integer division; 512 means no overhead.
pub fn deflate_ratio(kind: VdevKind, ashift: u32, cols: u32) -> u64 {
    let asize = block_asize(kind, DEFLATE_BLOCK, ashift, cols) >> SPA_MINBLOCKSHIFT;
    DEFLATE_BLOCK / asize.max(1)
}

/// Space as `zfs list` counts it (module/zfs/vdev.c `vdev_deflated_space`).
pub fn deflated(space: u64, ratio: u64) -> u64 {
    (space >> SPA_MINBLOCKSHIFT).saturating_mul(ratio)
}

/// One top-level vdev's metaslabs: their size, how many, and how many the embedded ZIL takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Metaslabs {
    /// log2 of the metaslab size.
    pub shift: u32,
    /// Metaslabs in the vdev (`asize >> shift`).
    pub count: u64,
    /// Metaslabs given to the embedded ZIL class (0 or 1).
    pub embedded_log: u64,
}

/// The metaslabs of a vdev (module/zfs/vdev.c `vdev_metaslab_init`; the embedded ZIL
/// metaslab only under the current rule, which arrived with it in OpenZFS 2.1.0).
pub fn metaslabs(asize: u64, rule: SlopRule) -> Metaslabs {
    let shift = metaslab_shift(asize);
    let count = asize >> shift;
    let embedded_log = u64::from(rule == SlopRule::Current && count > ZFS_EMBEDDED_SLOG_MIN_MS);
    Metaslabs {
        shift,
        count,
        embedded_log,
    }
}

/// The slop reserve (module/zfs/spa_misc.c `spa_get_slop_space`) of a pool whose normal
/// class holds `rdspace` deflated bytes and whose embedded ZIL metaslabs hold `embedded_log`.
pub fn slop(rdspace: u64, embedded_log: u64, rule: SlopRule) -> u64 {
    match rule {
        SlopRule::Current => {
            let s = (rdspace >> SPA_SLOP_SHIFT).min(SPA_MAX_SLOP);
            let s = s - embedded_log.min(s >> 1);
            s.max((rdspace >> 1).min(SPA_MIN_SLOP))
        }
        SlopRule::Legacy => (rdspace >> SPA_SLOP_SHIFT).max((rdspace >> 1).min(SPA_MIN_SLOP)),
    }
}

/// The bytes of `recordsize`-sized records a vdev's allocatable `space` holds, in u128 (the
/// effective capacity for data written in records other than 128 KiB).
pub fn record_capacity(space: u64, kind: VdevKind, ashift: u32, cols: u32, recordsize: u64) -> u64 {
    let asize = block_asize(kind, recordsize, ashift, cols).max(1);
    let v = u128::from(space) * u128::from(recordsize.max(1)) / u128::from(asize);
    u64::try_from(v).unwrap_or(u64::MAX)
}

/// The ZFS pool's own figures beside the pipeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZfsFigures {
    /// The settings.
    pub params: ZfsParams,
    /// Top-level vdevs.
    pub vdevs: usize,
    /// The smallest deflate ratio of any vdev, out of 512.
    pub deflate_ratio: u64,
    /// log2 of the largest metaslab.
    pub metaslab_shift: u32,
    /// The normal class's deflated space (`spa_rdspace`).
    pub rdspace: Bytes,
    /// The slop reserve.
    pub slop: Bytes,
    /// What `zfs list` reports as USED + AVAIL of the empty pool: rdspace − slop.
    pub zfs_list: Bytes,
    /// The same for data written in `params.recordsize` records, at the exact ratio of that
    /// record size (at 128 KiB it differs from `zfs_list` only by the deflate ratio's rounding).
    pub at_recordsize: Bytes,
    /// The slowest vdev's resilver at `params.fill`, from the bandwidth model (filled in by
    /// the study; `None` when it cannot be computed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resilver: Option<Resilver>,
}

/// A resilver's time, from the bandwidth model's rebuild flow over the pod's links.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resilver {
    /// The vdev (group), 1-based.
    pub group: u32,
    /// Hours to restore redundancy (onto a dRAID's distributed spare when it has one), without
    /// the detection delay.
    pub hours: f64,
    /// The rate the failed disk's allocated data is restored at, MB/s.
    pub rate_mb_s: f64,
    /// What sets the rate.
    pub binding: String,
    /// A dRAID's later rebalance onto the replacement disk, hours (outside the exposure
    /// window).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rebalance_hours: Option<f64>,
}

/// One top-level vdev: its kind, children and smallest leaf.
struct Vdev {
    kind: VdevKind,
    children: u32,
    leaves: Vec<u64>,
}

/// The top-level vdevs a layout makes: a RAIDZ or mirror group is one vdev; a stripe group is
/// one single-disk vdev per member; an md level (refused by validation and the CLI) counts as
/// RAIDZ of its tolerance, capped at 3.
fn vdevs(pod: &Pod, layout: &Layout) -> Vec<Vdev> {
    let leaf = |b: &u32| leaf_asize(whole_disk_partition(super::drive_size(pod, *b).0));
    let mut out = Vec::new();
    for g in &layout.groups {
        let leaves: Vec<u64> = g.bays.iter().map(leaf).collect();
        let kind = match layout.shape.level {
            Level::Mirror { .. } => VdevKind::Plain,
            Level::Stripe { .. } => {
                out.extend(leaves.iter().map(|l| Vdev {
                    kind: VdevKind::Plain,
                    children: 1,
                    leaves: vec![*l],
                }));
                continue;
            }
            Level::RaidZ { parity, .. } => VdevKind::RaidZ(parity.clamp(1, 3)),
            Level::Draid {
                parity,
                data,
                spares,
                ..
            } => VdevKind::Draid {
                parity: parity.clamp(1, 3),
                data: data.max(1),
                spares,
            },
            _ => VdevKind::RaidZ(layout.shape.tolerance().clamp(1, 3)),
        };
        out.push(Vdev {
            kind,
            children: g.bays.len() as u32,
            leaves,
        });
    }
    out
}

/// Sums of the stages over all vdevs.
#[derive(Default)]
struct Sums {
    leaves: u64,
    smallest: u64,
    /// Σ smallest × the children that are not distributed spares.
    without_spares: u64,
    /// Σ vdev asize.
    asize: u64,
    /// Distributed spares in all.
    distributed: u32,
    metaslabs: u64,
    normal: u64,
    count: u64,
    embedded_count: u64,
    rdspace: u64,
    embedded_log: u64,
    record: u64,
    ratio: Option<u64>,
    shift: u32,
}

fn sums(vdevs: &[Vdev], z: &ZfsParams) -> Sums {
    let mut s = Sums::default();
    for v in vdevs {
        let small = v.leaves.iter().copied().min().unwrap_or(0);
        s.leaves = s.leaves.saturating_add(v.leaves.iter().sum::<u64>());
        let members = small.saturating_mul(v.leaves.len() as u64);
        s.smallest = s.smallest.saturating_add(members);
        let spares = match v.kind {
            VdevKind::Draid { spares, .. } => spares,
            _ => 0,
        };
        s.distributed = s.distributed.saturating_add(spares);
        let kept = small.saturating_mul(u64::from(v.children.saturating_sub(spares)));
        s.without_spares = s.without_spares.saturating_add(kept);
        let asize = vdev_asize(v.kind, small, v.children);
        s.asize = s.asize.saturating_add(asize);
        let ms = metaslabs(asize, z.slop);
        let all = metaslabs_space(v.kind, ms.count, ms.shift, z.ashift);
        // The embedded ZIL takes metaslab 0 of a new pool (`vdev_metaslab_init` picks the
        // emptiest, the first of equals).
        let log = if ms.embedded_log > 0 {
            metaslab_size(v.kind, 0, ms.shift, z.ashift)
        } else {
            0
        };
        let normal = all - log;
        s.metaslabs = s.metaslabs.saturating_add(all);
        s.normal = s.normal.saturating_add(normal);
        s.count = s.count.saturating_add(ms.count);
        s.embedded_count += ms.embedded_log;
        s.shift = s.shift.max(ms.shift);
        let ratio = deflate_ratio(v.kind, z.ashift, v.children);
        s.ratio = Some(s.ratio.map_or(ratio, |r| r.min(ratio)));
        s.rdspace = s.rdspace.saturating_add(deflated(normal, ratio));
        s.embedded_log = s.embedded_log.saturating_add(deflated(log, ratio));
        let rec = record_capacity(normal, v.kind, z.ashift, v.children, z.recordsize);
        s.record = s.record.saturating_add(rec);
    }
    s
}

/// `zfs list`'s USED + AVAIL, the slop, rdspace and deflate ratio of an empty pool of `count`
/// identical vdevs of `children` whole disks of `disk` bytes each.
pub fn pool_of_disks(
    kind: VdevKind,
    children: u32,
    count: usize,
    disk: u64,
    z: &ZfsParams,
) -> (u64, u64, u64, u64) {
    let leaf = leaf_asize(whole_disk_partition(disk));
    let one = || Vdev {
        kind,
        children,
        leaves: vec![leaf; children as usize],
    };
    let vd: Vec<Vdev> = (0..count).map(|_| one()).collect();
    let s = sums(&vd, z);
    let slop = slop(s.rdspace, s.embedded_log, z.slop);
    (s.rdspace - slop, slop, s.rdspace, s.ratio.unwrap_or(512))
}

/// The raw → `zfs list` pipeline of a ZFS pool over the layout's groups (model §ZFS).
pub(super) fn pipeline(pod: &Pod, layout: &Layout, z: &ZfsParams) -> Pipeline {
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
    let parts: u64 = pod
        .drives
        .iter()
        .map(|d| whole_disk_partition(d.drive().capacity.0))
        .fold(0, u64::saturating_add);
    st.push("ZFS partition", Bytes(parts), StageNote::ZfsPartition);
    let in_groups: u64 = layout
        .groups
        .iter()
        .flat_map(|g| g.bays.iter())
        .map(|b| whole_disk_partition(super::drive_size(pod, *b).0))
        .fold(0, u64::saturating_add);
    st.push(
        "spares and unused",
        Bytes(in_groups),
        StageNote::SetAside {
            spares: layout.spares.len(),
            unused: layout.unused.len(),
        },
    );
    let vd = vdevs(pod, layout);
    let s = sums(&vd, z);
    st.push(
        "labels and boot region",
        Bytes(s.leaves),
        StageNote::ZfsLabels,
    );
    let stranded = Bytes(s.leaves - s.smallest);
    st.push(
        "smallest-drive rule",
        Bytes(s.smallest),
        StageNote::SmallestDrive { stranded },
    );
    if s.distributed > 0 || vd.iter().any(|v| matches!(v.kind, VdevKind::Draid { .. })) {
        st.push(
            "distributed spares",
            Bytes(s.without_spares),
            StageNote::ZfsDistributedSpares {
                spares: s.distributed,
            },
        );
        st.push(
            "dRAID rows and groups",
            Bytes(s.asize),
            StageNote::ZfsDraidRows,
        );
    }
    st.push(
        "whole metaslabs",
        Bytes(s.metaslabs),
        StageNote::ZfsMetaslabs {
            vdevs: vd.len(),
            shift: s.shift,
            count: s.count,
        },
    );
    st.push(
        "embedded ZIL",
        Bytes(s.normal),
        StageNote::ZfsEmbeddedLog {
            count: s.embedded_count,
        },
    );
    let ratio = s.ratio.unwrap_or(512);
    st.push(
        "parity and padding",
        Bytes(s.rdspace),
        StageNote::ZfsDeflate {
            ratio,
            ashift: z.ashift,
        },
    );
    let slop = slop(s.rdspace, s.embedded_log, z.slop);
    let listed = Bytes(s.rdspace - slop);
    st.push("slop", listed, StageNote::ZfsSlop { rule: z.slop });
    let mut usable = listed;
    if z.free_target > 0.0 {
        usable = listed.scale(1.0 - z.free_target.min(1.0));
        st.push(
            "free-space target",
            usable,
            StageNote::FreeTarget {
                share: z.free_target,
            },
        );
    }
    Pipeline {
        stages: st.stages,
        before_filesystem: Bytes(s.rdspace),
        usable,
        stranded,
        zfs: Some(ZfsFigures {
            params: *z,
            vdevs: vd.len(),
            deflate_ratio: ratio,
            metaslab_shift: s.shift,
            rdspace: Bytes(s.rdspace),
            slop: Bytes(slop),
            zfs_list: listed,
            at_recordsize: Bytes(s.record.saturating_sub(slop)),
            resilver: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_sizes_are_openzfs_own() {
        // 2 × 256 KiB + 3.5 MiB = 4 MiB in front, 512 KiB at the end.
        assert_eq!(VDEV_LABEL_START_SIZE, 4 << 20);
        assert_eq!(VDEV_LABEL_END_SIZE, 512 << 10);
    }

    #[test]
    fn raidz2_six_wide_deflate_ratio_by_hand() {
        // 128 KiB at ashift 12 = 32 data sectors over 4 data columns = 8 rows, 2 parity each:
        // 32 + 16 = 48 sectors, already a multiple of 3: 48 × 4 KiB = 196,608 B = 384 units of
        // 512 B; 131,072 / 384 = 341 (341.33 truncated).
        let kind = VdevKind::RaidZ(2);
        assert_eq!(block_asize(kind, 128 << 10, 12, 6), 196_608);
        assert_eq!(deflate_ratio(kind, 12, 6), 341);
        assert_eq!(deflate_ratio(VdevKind::Plain, 12, 2), 512);
    }

    #[test]
    fn two_way_mirror_of_4_tb_by_hand() {
        // 4e12 B = 7,812,500,000 sectors; partition 1 = (7,812,500,000 − 33 − 16,384 − 2,048)
        // rounded down to 2,048 sectors = 7,812,481,024 sectors = 3,999,990,284,288 B.
        assert_eq!(whole_disk_partition(4_000_000_000_000), 3_999_990_284_288);
        // Already whole 256 KiB labels; less 4 MiB + 512 KiB = 3,999,985,565,696 B.
        let leaf = leaf_asize(3_999_990_284_288);
        assert_eq!(leaf, 3_999_985_565_696);
        // asize / 2^29 = 7,450 > 200 → highbit64(asize / 200 ≈ 2.0e10) = 35 > 34 → 16 GiB
        // metaslabs: 232 of them (3,985,729,650,688 B); 232 > 64, so one goes to the ZIL:
        // 231 × 2^34 = 3,968,549,781,504 B, ratio 512 (a mirror stores blocks whole).
        let z = ZfsParams::default();
        let (listed, slop, rd, ratio) = pool_of_disks(VdevKind::Plain, 2, 1, 4_000_000_000_000, &z);
        assert_eq!((rd, ratio), (3_968_549_781_504, 512));
        // slop = min(rd >> 5 = 124,017,180,672, 128 GiB) − min(ZIL 2^34, half) =
        // 124,017,180,672 − 17,179,869,184 = 106,837,311,488.
        assert_eq!(slop, 106_837_311_488);
        assert_eq!(listed, 3_861_712_470_016);
    }

    #[test]
    fn six_wide_raidz2_of_8_tb_by_hand() {
        // 8e12 B = 15,625,000,000 sectors − 18,465 → 15,624,980,480 sectors (whole 2,048s) =
        // 7,999,990,005,760 B; that is 30,517,540.5 labels of 256 KiB → 30,517,540 labels =
        // 7,999,989,841,920 B, less 4.5 MiB = 7,999,985,287,168 B per leaf.
        let leaf = leaf_asize(whole_disk_partition(8_000_000_000_000));
        assert_eq!(leaf, 7_999_985_287_168);
        // 6 leaves: 47,999,911,723,008 B → 16 GiB metaslabs (highbit64(2.4e11) = 38 > 34):
        // 2,793 of them, one to the ZIL: 2,792 × 2^34 = 47,966,194,761,728 B.
        // Deflate ratio 341 (derived above): (47,966,194,761,728 / 512) × 341 =
        // 31,946,235,183,104 B.
        let z = ZfsParams::default();
        let (listed, slop, rd, ratio) =
            pool_of_disks(VdevKind::RaidZ(2), 6, 1, 8_000_000_000_000, &z);
        assert_eq!((rd, ratio), (31_946_235_183_104, 341));
        // slop = min(rd >> 5 = 998,319,849,472, 128 GiB = 137,438,953,472) − the ZIL metaslab
        // deflated (2^34 / 512 × 341 = 11,442,061,312) = 125,996,892,160.
        assert_eq!(slop, 125_996_892_160);
        assert_eq!(listed, 31_820_238_290_944);
        // Before 2.0.7: no ZIL metaslab (2,793 × 2^34 / 512 × 341 = 31,957,677,244,416) and
        // no cap: slop = 31,957,677,244,416 >> 5 = 998,677,413,888.
        let old = ZfsParams {
            slop: SlopRule::Legacy,
            ..z
        };
        let (_, slop, rd, _) = pool_of_disks(VdevKind::RaidZ(2), 6, 1, 8_000_000_000_000, &old);
        assert_eq!((rd, slop), (31_957_677_244_416, 998_677_413_888));
    }

    #[test]
    fn draid2_4d_7c_1s_of_8_tb_by_hand() {
        // Each leaf 7,999,985,287,168 B (derived above); less the 32 MiB reflow reserve,
        // 7,999,951,732,736 B = 476,834.28 rows of 16 MiB → 476,834 rows = 7,999,947,014,144 B.
        // 7 children less 1 distributed spare = 6; 6 × that is 6 × 476,834 rows, a whole
        // number of 6-row groups: asize 47,999,682,084,864 B.
        let kind = VdevKind::Draid {
            parity: 2,
            data: 4,
            spares: 1,
        };
        let leaf = leaf_asize(whole_disk_partition(8_000_000_000_000));
        assert_eq!(vdev_asize(kind, leaf, 7), 47_999_682_084_864);
        // 16 GiB metaslabs (as for RAIDZ), 2,793 of them; a group row is 6 × 4 KiB = 24,576 B
        // and 2^34 = 699,050 rows + 16 KiB, so each metaslab (start rounded up to a row) holds
        // 699,050 rows = 17,179,852,800 B.
        assert_eq!(metaslab_shift(47_999_682_084_864), 34);
        for id in 0..6 {
            assert_eq!(metaslab_size(kind, id, 34, 12), 17_179_852_800);
        }
        // A 128 KiB block: 32 sectors over 4 data columns = 8 rows of 6 = 48 sectors =
        // 196,608 B: the same 341/512 as a 6-wide RAIDZ2.
        assert_eq!(block_asize(kind, 128 << 10, 12, 7), 196_608);
        assert_eq!(deflate_ratio(kind, 12, 7), 341);
        // One metaslab to the embedded ZIL: 2,792 × 17,179,852,800 = 47,966,149,017,600 B;
        // / 512 × 341 = 31,946,204,716,800 B. Slop = min(rd >> 5, 128 GiB) − the ZIL
        // metaslab deflated (17,179,852,800 / 512 × 341 = 11,442,050,400) = 125,996,903,072.
        let z = ZfsParams::default();
        let (listed, slop, rd, ratio) = pool_of_disks(kind, 7, 1, 8_000_000_000_000, &z);
        assert_eq!((rd, ratio), (31_946_204_716_800, 341));
        assert_eq!(slop, 125_996_903_072);
        assert_eq!(listed, 31_820_207_813_728);
    }

    #[test]
    fn draid_types_parse_as_zpool_create_reads_them() {
        let d = |p, data, c, s| Level::Draid {
            parity: p,
            data,
            children: c,
            spares: s,
        };
        assert_eq!(parse_draid("draid2:8d:60c:2s", 60), Ok(d(2, 8, 60, 2)));
        // Suffixes in any order; parity 1 and the devices given when not named; at most 8
        // data disks per group.
        assert_eq!(parse_draid("draid:2s:20c", 60), Ok(d(1, 8, 20, 2)));
        assert_eq!(parse_draid("draid3", 10), Ok(d(3, 7, 10, 0)));
        assert_eq!(parse_draid("DRAID2:4d", 45), Ok(d(2, 4, 45, 0)));
        for bad in [
            "draid0",
            "draid4",
            "draid02",
            "draidx",
            "draid2:8",
            "draid2:8x",
            "draid2:0d",
            "draid2:8d:9c",
            "draid2:8d:60c:101s",
            "draid1:8d:256c",
            "raidz2",
        ] {
            assert!(parse_draid(bad, 60).is_err(), "{bad}");
        }
        // The spares come off the children before the data default.
        assert_eq!(parse_draid("draid2:3s", 12), Ok(d(2, 7, 12, 3)));
        assert!(parse_draid("draid2:10s", 12).is_err());
    }

    proptest::proptest! {
        #[test]
        fn draid_spares_cost_the_capacity_of_as_many_children(
            parity in 1u32..4, data in 1u32..17, extra in 0u32..40, spares in 0u32..5,
            disk in 100_000_000_000u64..30_000_000_000_000,
            ashift in proptest::sample::select(ASHIFTS.to_vec()),
        ) {
            // draid<p>:<d>d:<c>c:<s>s holds what draid<p>:<d>d:<c − s>c:0s holds.
            let c = parity + data + extra;
            let z = ZfsParams { ashift, ..ZfsParams::default() };
            let with = |spares| VdevKind::Draid { parity, data, spares };
            proptest::prop_assert_eq!(
                pool_of_disks(with(spares), c + spares, 1, disk, &z),
                pool_of_disks(with(0), c, 1, disk, &z)
            );
        }

        #[test]
        fn draid_capacity_never_increases_with_parity(
            data in 1u32..17, extra in 0u32..40, spares in 0u32..5, count in 1usize..4,
            disk in 100_000_000_000u64..30_000_000_000_000,
            ashift in proptest::sample::select(ASHIFTS.to_vec()),
        ) {
            let c = 3 + data + extra + spares;
            let z = ZfsParams { ashift, ..ZfsParams::default() };
            let cap = |parity| {
                pool_of_disks(VdevKind::Draid { parity, data, spares }, c, count, disk, &z).0
            };
            proptest::prop_assert!(cap(1) >= cap(2));
            proptest::prop_assert!(cap(2) >= cap(3));
        }
    }

    proptest::proptest! {
        #[test]
        fn capacity_never_increases_with_parity(
            width in 5u32..24, count in 1usize..8, disk in 100_000_000_000u64..30_000_000_000_000,
            ashift in proptest::sample::select(ASHIFTS.to_vec()),
        ) {
            let z = ZfsParams { ashift, ..ZfsParams::default() };
            let cap = |p| pool_of_disks(VdevKind::RaidZ(p), width, count, disk, &z).0;
            proptest::prop_assert!(cap(1) >= cap(2));
            proptest::prop_assert!(cap(2) >= cap(3));
        }

        #[test]
        fn ashift_9_never_below_ashift_12(
            p in 1u32..4, extra in 1u32..20, count in 1usize..8,
            disk in 100_000_000_000u64..30_000_000_000_000,
        ) {
            let at = |ashift| {
                let z = ZfsParams { ashift, ..ZfsParams::default() };
                pool_of_disks(VdevKind::RaidZ(p), p + extra, count, disk, &z).0
            };
            proptest::prop_assert!(at(9) >= at(12));
        }

        #[test]
        fn slop_within_its_clamps(rd in 0u64..(1 << 62), log_ms in 0u64..(1 << 40)) {
            let s = slop(rd, log_ms, SlopRule::Current);
            proptest::prop_assert!(s <= SPA_MAX_SLOP.max((rd >> 1).min(SPA_MIN_SLOP)));
            proptest::prop_assert!(s >= (rd >> 1).min(SPA_MIN_SLOP));
            proptest::prop_assert!(s <= rd >> SPA_SLOP_SHIFT || s <= SPA_MIN_SLOP);
            let old = slop(rd, 0, SlopRule::Legacy);
            proptest::prop_assert!(old >= (rd >> 1).min(SPA_MIN_SLOP));
            proptest::prop_assert!(old >= rd >> SPA_SLOP_SHIFT);
        }
    }

    #[test]
    fn metaslab_shift_follows_the_table_in_vdev_c() {
        // < 8 GB: "~16" metaslabs, in fact highbit64(size / 16), 1-based: 3 GiB / 16 = 192 MiB
        // → bit 28 → 256 MiB, 12 metaslabs; 8 GB – 100 GB: 512 MiB; 3 TB – 2 PB: 16 GiB.
        assert_eq!(metaslab_shift(3 << 30), 28);
        assert_eq!(metaslab_shift(50 << 30), 29);
        assert_eq!(metaslab_shift(10_000_000_000_000), 34);
        // Beyond 2^17 × 16 GiB the count is capped: highbit64(2^52 / 2^17) = 36, so 2^16
        // metaslabs of 64 GiB (highbit64 is 1-based, so a power of two lands one bit up).
        let huge = 1u64 << 52;
        assert_eq!(metaslab_shift(huge), 36);
        assert_eq!(huge >> metaslab_shift(huge), ZFS_VDEV_MS_COUNT_LIMIT / 2);
    }
}
