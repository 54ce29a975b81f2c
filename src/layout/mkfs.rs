//! What ext4, XFS and JFS take out of a volume, computed as their current mkfs computes it for
//! that volume's size: metadata and log (what `df` leaves out of Size, or takes out of Avail
//! before anything is written) and the blocks reserved for root. Pure integer arithmetic over
//! the volume's size; no I/O, no printing. Every constant names the source line it comes from.
//!
//! Versions modelled (model §13.3): e2fsprogs 1.47.4 (`misc/mke2fs.conf.in`, `misc/mke2fs.c`,
//! `lib/ext2fs/initialize.c`, `lib/ext2fs/mkjournal.c`); xfsprogs 6.5.0 (`mkfs/xfs_mkfs.c`,
//! `libxfs/topology.c`, the per-AG reservations of `libxfs/xfs_ag_resv.c` and the btree size
//! bounds of `libxfs/xfs_{refcount,rmap,ialloc}_btree.c`, which the kernel shares); jfsutils
//! 1.1.15 (`mkfs/mkfs.c`: the inline log, 128 MiB at most since 1.1.14).

use crate::units::Bytes;
use serde::Serialize;

/// The filesystem whose mkfs arithmetic applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mkfs {
    /// ext4 by `mke2fs` (e2fsprogs 1.47.4) with its default profile.
    Ext4,
    /// XFS by `mkfs.xfs`; `rmapbt` is on by default since xfsprogs 6.5.0 (commit "mkfs: enable
    /// reverse mapping by default", September 2023); reflink (since 5.1) and finobt always.
    Xfs {
        /// The reverse-mapping btree, whose per-AG reservation is the largest.
        rmapbt: bool,
    },
    /// JFS by `jfs_mkfs` (jfsutils 1.1.15).
    Jfs,
    /// No filesystem (or one whose arithmetic lives elsewhere: ZFS).
    None,
}

/// mke2fs's usage type, chosen by the volume's size (`misc/mke2fs.c`, `parse_fs_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UsageType {
    /// Under 3 MiB.
    Floppy,
    /// Under 512 MiB.
    Small,
    /// Under 4 TiB.
    Default,
    /// Under 16 TiB.
    Big,
    /// 16 TiB and over.
    Huge,
}

impl UsageType {
    /// The name in mke2fs.conf.
    pub fn name(self) -> &'static str {
        match self {
            UsageType::Floppy => "floppy",
            UsageType::Small => "small",
            UsageType::Default => "default",
            UsageType::Big => "big",
            UsageType::Huge => "huge",
        }
    }
}

/// How one volume's overheads came about, for the stage notes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "mkfs")]
pub enum Profile {
    /// mke2fs.
    Ext4 {
        /// The usage type its size selects.
        usage: UsageType,
        /// Bytes per inode of that type.
        inode_ratio: u64,
        /// Block size, bytes.
        block: u64,
        /// Journal (ext2fs_default_journal_size).
        journal: Bytes,
    },
    /// mkfs.xfs.
    Xfs {
        /// Allocation groups.
        ags: u64,
        /// Whether the rmapbt reservation is counted.
        rmapbt: bool,
        /// The internal log.
        log: Bytes,
    },
    /// jfs_mkfs.
    Jfs {
        /// The inline log.
        log: Bytes,
    },
    /// No filesystem.
    None,
}

/// One volume's overheads.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Volume {
    /// Metadata: inode tables, bitmaps, superblock copies, AG headers and reservations.
    pub metadata: Bytes,
    /// The journal or log.
    pub log: Bytes,
    /// Reserved for root (ext4's `-m`), taken from all blocks.
    pub reserved: Bytes,
    /// How it came about.
    pub profile: Profile,
}

/// The figures of one volume of `size` bytes.
pub fn volume(mkfs: Mkfs, size: Bytes, multidisk: bool) -> Volume {
    match mkfs {
        Mkfs::Ext4 => ext4(size.bytes()),
        Mkfs::Xfs { rmapbt } => xfs(size.bytes(), rmapbt, multidisk),
        Mkfs::Jfs => jfs(size.bytes()),
        Mkfs::None => Volume {
            metadata: Bytes(0),
            log: Bytes(0),
            reserved: Bytes(0),
            profile: Profile::None,
        },
    }
}

fn div_ceil(a: u64, b: u64) -> u64 {
    if b == 0 { 0 } else { a.div_ceil(b) }
}

// ------------------------------------------------------------------------------------ ext4

/// `misc/mke2fs.conf.in` [defaults] `inode_size = 256`.
const EXT4_INODE_SIZE: u64 = 256;
/// `reserved_ratio` default of 5.0 (`misc/mke2fs.c`), applied to *all* blocks:
/// `ext2fs_r_blocks_count_set(&fs_param, reserved_ratio * ext2fs_blocks_count(&fs_param) / 100.0)`.
pub const EXT4_RESERVED_PCT: u64 = 5;
/// 64-byte group descriptors (`EXT2_MIN_DESC_SIZE_64BIT`; ext4's default features include 64bit).
const EXT4_DESC_SIZE: u64 = 64;
/// `MAX_32_NUM`: the most inodes a filesystem may have.
const MAX_32: u64 = (1 << 32) - 1;

/// The usage type, block size and inode ratio mke2fs picks for `blocks_4k` 4 KiB blocks
/// (`parse_fs_type`: `meg = (1024 * 1024) / EXT2_BLOCK_SIZE(sb)`, then floppy < 3 meg, small
/// < 512 meg, default < 4 Ti, big < 16 Ti, else huge; mke2fs.conf.in gives floppy and small
/// 1 KiB blocks and inode ratios 8192 / 4096, default 16384, big 32768, huge 65536).
pub fn ext4_usage(size: u64) -> (UsageType, u64, u64) {
    const MIB: u64 = 1 << 20;
    if size < 3 * MIB {
        (UsageType::Floppy, 1024, 8192)
    } else if size < 512 * MIB {
        (UsageType::Small, 1024, 4096)
    } else if size < 4 << 40 {
        (UsageType::Default, 4096, 16_384)
    } else if size < 16 << 40 {
        (UsageType::Big, 4096, 32_768)
    } else {
        (UsageType::Huge, 4096, 65_536)
    }
}

/// `ext2fs_default_journal_size` (`lib/ext2fs/mkjournal.c`), in blocks.
fn ext4_journal_blocks(blocks: u64) -> u64 {
    const STEPS: [(u64, u64); 8] = [
        (2048, 0),
        (32_768, 1024),
        (256 * 1024, 4096),
        (512 * 1024, 8192),
        (4096 * 1024, 16_384),
        (8192 * 1024, 32_768),
        (16_384 * 1024, 65_536),
        (32_768 * 1024, 131_072),
    ];
    STEPS
        .iter()
        .find(|(below, _)| blocks < *below)
        .map_or(262_144, |(_, j)| *j)
}

/// Groups holding a superblock and descriptor copy with `sparse_super`: 0, 1 and the powers
/// of 3, 5 and 7 below `groups`.
fn ext4_backups(groups: u64) -> u64 {
    let mut n = groups.min(2);
    for base in [3u64, 5, 7] {
        let mut p = base;
        while p < groups {
            n += 1;
            p = p.saturating_mul(base);
        }
    }
    n
}

/// Inodes per group after `ext2fs_initialize` rounds them to whole inode-table blocks and a
/// multiple of 8, and keeps the total within 2^32 − 1.
fn ext4_inodes_per_group(inodes: u64, groups: u64, block: u64) -> u64 {
    let per_block = block / EXT4_INODE_SIZE;
    let mut ipg = div_ceil(inodes, groups).min(block * 8);
    loop {
        let table = div_ceil(ipg * EXT4_INODE_SIZE, block);
        let rounded = (table * per_block) & !7;
        if rounded.saturating_mul(groups) <= MAX_32 || ipg <= 8 {
            return rounded.max(8);
        }
        ipg -= 1;
    }
}

/// mke2fs's arithmetic for one volume (see the module note).
fn ext4(size: u64) -> Volume {
    let (usage, block, inode_ratio) = ext4_usage(size);
    let blocks = size / block;
    let per_group = block * 8;
    let groups = div_ceil(blocks, per_group).max(1);
    let inodes = (u128::from(blocks) * u128::from(block) / u128::from(inode_ratio))
        .min(u128::from(MAX_32)) as u64;
    let ipg = ext4_inodes_per_group(inodes, groups, block);
    let table_blocks = div_ceil(ipg * EXT4_INODE_SIZE, block);
    let desc_blocks = div_ceil(groups.saturating_mul(EXT4_DESC_SIZE), block);
    // resize_inode reserves descriptor blocks for growth to 1024 × the size, up to 2^32
    // blocks (calc_reserved_gdt_blocks); mke2fs clears it above 2^32 blocks.
    let reserved_gdt = if blocks > MAX_32 {
        0
    } else {
        let max_blocks = if blocks < MAX_32 / 1024 {
            blocks * 1024
        } else {
            MAX_32
        };
        let rsv_groups = div_ceil(max_blocks, per_group);
        div_ceil(rsv_groups, block / EXT4_DESC_SIZE)
            .saturating_sub(desc_blocks)
            .min(block / 4)
    };
    let backups = ext4_backups(groups);
    // meta_bg when the descriptors would take over 3/4 of a group: then each meta group of
    // block/64 groups keeps its descriptor block in three groups.
    let copies = if reserved_gdt + desc_blocks > per_group * 3 / 4 {
        backups + 3 * div_ceil(groups, block / EXT4_DESC_SIZE)
    } else {
        backups * (1 + desc_blocks + reserved_gdt)
    };
    let journal = ext4_journal_blocks(blocks);
    let meta_blocks = groups
        .saturating_mul(2 + table_blocks)
        .saturating_add(copies);
    let reserved = (u128::from(blocks) * u128::from(EXT4_RESERVED_PCT) / 100) as u64;
    Volume {
        metadata: Bytes(meta_blocks.saturating_mul(block)),
        log: Bytes(journal.saturating_mul(block)),
        reserved: Bytes(reserved.saturating_mul(block)),
        profile: Profile::Ext4 {
            usage,
            inode_ratio,
            block,
            journal: Bytes(journal.saturating_mul(block)),
        },
    }
}

// ------------------------------------------------------------------------------------- XFS

/// 4 KiB blocks (`XFS_DFL_BLOCKSIZE_LOG`).
const XFS_BLOCK: u64 = 4096;
/// Short-form btree block header with CRCs (`XFS_BTREE_SBLOCK_CRC_LEN`), bytes.
const XFS_BTREE_HDR: u64 = 56;
/// 512-byte inodes with CRCs (`XFS_DINODE_DFL_CRC_LOG`): 8 per block.
const XFS_INODES_PER_BLOCK: u64 = 8;
/// `XFS_INODES_PER_CHUNK`.
const XFS_INODES_PER_CHUNK: u64 = 64;
/// `XFS_AG_MAX_BLOCKS`: (1 TiB − 1) / 4 KiB.
const XFS_AG_MAX_BLOCKS: u64 = ((1 << 40) - 1) / XFS_BLOCK;
/// `XFS_AG_MIN_BYTES`: 16 MiB.
const XFS_AG_MIN_BLOCKS: u64 = (16 << 20) / XFS_BLOCK;
/// `XFS_MAX_LOG_BYTES`: 2 GiB − `XFS_MIN_LOG_BYTES` (10 MiB).
const XFS_MAX_LOG_BYTES: u64 = (2 << 30) - (10 << 20);
/// `XFS_MIN_REALISTIC_LOG_BLOCKS`: 64 MiB.
const XFS_MIN_LOG_BYTES: u64 = 64 << 20;
/// Blocks every AG spends on headers and btree roots before data (`libxfs_prealloc_blocks`:
/// the sector-sized SB/AGF/AGI/AGFL in one block, the bnobt, cntbt, inobt, finobt, rmapbt and
/// refcountbt roots).
const XFS_PREALLOC_BLOCKS: u64 = 7;
/// `xfs_alloc_set_aside`: `XFS_ALLOCBT_AGFL_RESERVE` (4) + 4 blocks per AG kept out of free
/// space.
const XFS_SET_ASIDE: u64 = 8;
/// `xfs_default_resblks`: the reserve pool, min(5 %, 8192 blocks).
const XFS_RESBLKS: u64 = 8192;

/// `xfs_btree_calc_size`: blocks of a btree holding `records` at the minimum fill
/// (`leaf` and `node` records per block, each half the maximum).
fn btree_blocks(records: u64, leaf: u64, node: u64) -> u64 {
    let mut level = div_ceil(records, leaf);
    let mut total = level;
    while level > 1 {
        level = div_ceil(level, node);
        total += level;
    }
    total
}

/// Per-AG reservation (`xfs_ag_resv_init`) for an AG of `agblocks`: the refcount btree's and
/// the finobt's worst case (`ask`, less the one root block each already holds), and, with
/// rmapbt, `max(agblocks / 100, rmapbt worst case)` in full (the rmapbt lives in free space).
fn xfs_ag_reservation(agblocks: u64, rmapbt: bool) -> u64 {
    let room = XFS_BLOCK - XFS_BTREE_HDR;
    // refcount: 12-byte records, 4-byte keys + 4-byte pointers; minrecs = maxrecs / 2.
    let refcount = btree_blocks(agblocks, room / 12 / 2, room / 8 / 2);
    // finobt: one 16-byte record per chunk of 64 inodes the AG could hold.
    let chunks = agblocks.saturating_mul(XFS_INODES_PER_BLOCK) / XFS_INODES_PER_CHUNK;
    let finobt = btree_blocks(chunks, room / 16 / 2, room / 8 / 2);
    // rmapbt: 24-byte records, nodes of two 20-byte keys + a 4-byte pointer.
    let rmap = if rmapbt {
        (agblocks / 100).max(btree_blocks(agblocks, room / 24 / 2, room / 44 / 2))
    } else {
        0
    };
    refcount.saturating_sub(1) + finobt.saturating_sub(1) + rmap
}

/// mkfs.xfs's geometry and the mount's reservations for one volume (see the module note).
fn xfs(size: u64, rmapbt: bool, multidisk: bool) -> Volume {
    let mut dblocks = size / XFS_BLOCK;
    // calc_default_ag_geometry: maximal AGs from 32 TiB (or 4 TiB on a single disk), else
    // 32 AGs on a multi-disk volume (fewer below 512 GiB), 4 on a single disk.
    let agsize =
        if dblocks >= (32 << 40) / XFS_BLOCK || (!multidisk && dblocks >= (4 << 40) / XFS_BLOCK) {
            XFS_AG_MAX_BLOCKS
        } else {
            let shift = if !multidisk && dblocks >= (128 << 20) / XFS_BLOCK {
                2
            } else if dblocks > (512 << 30) / XFS_BLOCK {
                5
            } else if dblocks > (8 << 30) / XFS_BLOCK {
                4
            } else {
                3
            };
            let a = dblocks >> shift;
            if dblocks & ((1 << shift) - 1) != 0 && a < XFS_AG_MAX_BLOCKS {
                a + 1
            } else {
                a
            }
            .max(1)
        };
    let mut ags = div_ceil(dblocks, agsize).max(1);
    // A last AG under the minimum is dropped, and its blocks with it.
    let last = dblocks - (ags - 1) * agsize;
    if ags > 1 && last < XFS_AG_MIN_BLOCKS {
        ags -= 1;
        dblocks = ags * agsize;
    }
    let dropped = size / XFS_BLOCK - dblocks;
    // calculate_log_size: 1/2048 of the volume, at least 64 MiB, at most 2 GiB − 10 MiB.
    let log_bytes =
        (dblocks.saturating_mul(XFS_BLOCK) / 2048).clamp(XFS_MIN_LOG_BYTES, XFS_MAX_LOG_BYTES);
    let log = (log_bytes / XFS_BLOCK).min(agsize / 2);
    // Every AG but the last is full; the log sits in AG ags / 2 and shrinks its reservation.
    let last = dblocks - (ags - 1) * agsize;
    let resv = |len: u64| xfs_ag_reservation(len, rmapbt);
    let reserve = if ags == 1 {
        resv(last.saturating_sub(log))
    } else if ags / 2 == ags - 1 {
        resv(agsize).saturating_add(resv(last.saturating_sub(log)))
    } else {
        (ags - 2)
            .saturating_mul(resv(agsize))
            .saturating_add(resv(agsize.saturating_sub(log)))
            .saturating_add(resv(last))
    };
    let per_ag = ags.saturating_mul(XFS_PREALLOC_BLOCKS + XFS_SET_ASIDE);
    let pool = (dblocks / 20).min(XFS_RESBLKS);
    let meta = reserve
        .saturating_add(per_ag)
        .saturating_add(pool)
        .saturating_add(dropped);
    Volume {
        metadata: Bytes(meta.saturating_mul(XFS_BLOCK)),
        log: Bytes(log * XFS_BLOCK),
        reserved: Bytes(0),
        profile: Profile::Xfs {
            ags,
            rmapbt,
            log: Bytes(log * XFS_BLOCK),
        },
    }
}

// ------------------------------------------------------------------------------------- JFS

/// jfs_mkfs's inline log cap since jfsutils 1.1.14 (2009-04-06: "Increase the maximum inline
/// journal size from 32 MB to 128 MB").
const JFS_LOG_MAX: u64 = 128 << 20;
/// JFS block map: one bit per 4 KiB block.
const JFS_BLOCK: u64 = 4096;

/// jfs_mkfs: the inline log is 1/256 (≈ 0.4 %) of the volume rounded up to a MiB, at most
/// 128 MiB; the block allocation map takes a bit per block; inodes are allocated as needed
/// and nothing is reserved for root.
fn jfs(size: u64) -> Volume {
    const MIB: u64 = 1 << 20;
    let log = ((size >> 8).div_ceil(MIB) * MIB).min(JFS_LOG_MAX);
    let map = div_ceil(size / JFS_BLOCK, 8);
    Volume {
        metadata: Bytes(map),
        log: Bytes(log),
        reserved: Bytes(0),
        profile: Profile::Jfs { log: Bytes(log) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One 13+2 group of 3 TB drives: 13 members of (⌊3 × 10^12 / 2^20⌋ − 1) MiB.
    fn group_13_of_3tb() -> u64 {
        13 * ((3_000_000_000_000u64 >> 20) - 1) * (1 << 20)
    }

    #[test]
    fn ext4_huge_group_matches_the_measured_df() {
        // Issue 12: mkfs.ext4 on one 13+2 group of 3 TB drives; df shows 36.894 TB available
        // and 0.40 % metadata.
        let size = group_13_of_3tb();
        let v = ext4(size);
        assert!(matches!(
            v.profile,
            Profile::Ext4 {
                usage: UsageType::Huge,
                inode_ratio: 65_536,
                ..
            }
        ));
        let avail = size - v.metadata.bytes() - v.log.bytes() - v.reserved.bytes();
        assert_eq!((avail as f64 / 1e9).round() / 1e3, 36.894);
        let meta_pct = 100.0 * (v.metadata.bytes() + v.log.bytes()) as f64 / size as f64;
        assert_eq!((meta_pct * 100.0).round() / 100.0, 0.40);
    }

    #[test]
    fn ext4_usage_types_follow_the_size_thresholds() {
        assert_eq!(ext4_usage(2 << 20).0, UsageType::Floppy);
        assert_eq!(ext4_usage(100 << 20).0, UsageType::Small);
        assert_eq!(ext4_usage(1 << 40).0, UsageType::Default);
        assert_eq!(ext4_usage((4 << 40) - 4096).0, UsageType::Default);
        assert_eq!(ext4_usage(4 << 40).0, UsageType::Big);
        assert_eq!(ext4_usage(16 << 40).0, UsageType::Huge);
    }

    #[test]
    fn ext4_journal_steps_and_reserve_of_all_blocks() {
        assert_eq!(ext4_journal_blocks(1000), 0);
        assert_eq!(ext4_journal_blocks(20_000), 1024);
        assert_eq!(ext4_journal_blocks(32_768 * 1024), 262_144);
        // 5 % of every block, not of what metadata leaves.
        let v = ext4(1 << 40);
        assert_eq!(v.reserved.bytes(), (1u64 << 40) / 4096 * 5 / 100 * 4096);
        assert_eq!(v.log.bytes(), 1 << 30);
    }

    #[test]
    fn ext4_inode_count_stays_within_32_bits() {
        // 2 PB: 65,536-byte inodes would be 3 × 10^10; mke2fs caps at 2^32 − 1.
        let v = ext4(2_000_000_000_000_000);
        let pct = 100.0 * v.metadata.bytes() as f64 / 2e15;
        assert!(pct < 0.1, "{pct}");
    }

    #[test]
    fn xfs_without_rmapbt_reserves_about_0_7_pct_of_39_tb() {
        // Issue 12: mkfs.xfs with reflink and finobt reserves ≈ 0.7 % on a 39 TB volume.
        let size = group_13_of_3tb();
        let v = xfs(size, false, true);
        let pct = 100.0 * v.metadata.bytes() as f64 / size as f64;
        assert!((0.65..0.75).contains(&pct), "{pct}");
        assert!(matches!(v.profile, Profile::Xfs { ags: 36, .. }));
        // The log: 1/2048 of 39 TB is 19 GB, so the 2 GiB − 10 MiB cap.
        assert_eq!(v.log.bytes(), XFS_MAX_LOG_BYTES);
        // rmapbt (xfsprogs 6.5.0 on) adds max(1 %, its worst case) of every AG.
        let r = xfs(size, true, true);
        let extra = 100.0 * (r.metadata.bytes() - v.metadata.bytes()) as f64 / size as f64;
        assert!((1.1..1.3).contains(&extra), "{extra}");
    }

    #[test]
    fn jfs_log_is_0_4_pct_up_to_128_mib() {
        assert_eq!(jfs(1 << 30).log.bytes(), 4 << 20);
        assert_eq!(jfs((1 << 30) + 256).log.bytes(), 5 << 20);
        assert_eq!(jfs(39_000_000_000_000).log.bytes(), 128 << 20);
        assert_eq!(jfs(39_000_000_000_000).reserved.bytes(), 0);
    }

    #[test]
    fn tiny_and_huge_volumes_do_not_panic() {
        for size in [0, 1, 4095, 1 << 20, u64::MAX / 2, u64::MAX] {
            for m in [
                Mkfs::Ext4,
                Mkfs::Xfs { rmapbt: true },
                Mkfs::Jfs,
                Mkfs::None,
            ] {
                let v = volume(m, Bytes(size), true);
                let _ = v.metadata.saturating_add(v.log).saturating_add(v.reserved);
            }
        }
    }
}
