//! RAID: the level, groups, spares, vault code and replacement delay against the drives.

use super::*;

/// Step 8: the RAID policy against the drives that survived validation.
pub(super) fn raid(
    w: &mut Walk,
    s: &mut Sink,
    drives: &[BayDrive],
    lost: &Lost,
) -> Option<RaidPolicy> {
    let r = &w.design.raid;
    // With drives dropped for errors already reported, counts are not checked: n is 0 then.
    let n = if lost.any {
        0
    } else {
        u32::try_from(drives.len()).unwrap_or(u32::MAX)
    };
    let (width, mut ok) = level_fits(s, r, n);
    let groups = groups(w, s, drives, lost, (width, n), &mut ok);
    ok &= vault_and_delay_fit(s, r);
    let zfs = zfs_settings(s, r);
    ok &= zfs.is_ok();
    ok.then_some(RaidPolicy {
        level: r.level,
        spares: r.spares,
        groups,
        filesystem: r.filesystem,
        vault: r.vault,
        replace_delay: r.replace_delay.clone(),
        zfs: zfs.ok().flatten(),
    })
}

/// The design's ZFS settings, each in range, defaults filled in; `Err` when one is reported.
fn zfs_settings(s: &mut Sink, r: &spec::Raid) -> Result<Option<crate::layout::zfs::ZfsParams>, ()> {
    use crate::layout::zfs::{ASHIFTS, SlopRule, ZfsParams, parse_recordsize};
    let Some(z) = &r.zfs else {
        return Ok(None);
    };
    let mut bad = |place: &str, msg: String| -> Result<(), ()> {
        s.error(Code::InvalidZfs, place, msg);
        Err(())
    };
    if r.filesystem != spec::Filesystem::Zfs {
        return bad("raid.zfs", "ZFS settings need `filesystem: Zfs`".into()).map(|()| None);
    }
    let mut out = ZfsParams::default();
    let mut res = Ok(());
    if let Some(a) = z.ashift {
        if ASHIFTS.contains(&a) {
            out.ashift = a;
        } else {
            res = bad(
                "raid.zfs.ashift",
                format!("ashift is 9, 12, 13 or 14 (512 B to 16 KiB sectors), not {a}"),
            );
        }
    }
    if let Some(t) = &z.recordsize {
        match parse_recordsize(t) {
            Ok(b) => out.recordsize = b,
            Err(e) => res = bad("raid.zfs.recordsize", e),
        }
    }
    if let Some(rule) = z.slop {
        out.slop = match rule {
            spec::ZfsSlop::Current => SlopRule::Current,
            spec::ZfsSlop::Legacy => SlopRule::Legacy,
        };
    }
    if let Some(f) = z.fill {
        if f.is_finite() && f > 0.0 && f <= 1.0 {
            out.fill = f;
        } else {
            res = bad(
                "raid.zfs.fill",
                format!(
                    "fill is the allocated share of the pool, above 0 and at most 1, not {}",
                    fmt_bounded(f)
                ),
            );
        }
    }
    if let Some(p) = z.free_target_pct {
        if p.is_finite() && (0.0..100.0).contains(&p) {
            out.free_target = p / 100.0;
        } else {
            res = bad(
                "raid.zfs.free_target_pct",
                format!(
                    "the free-space target is a percent from 0 to below 100, not {}",
                    fmt_bounded(p)
                ),
            );
        }
    }
    res.map(|()| Some(out))
}

/// Reports an invalid RAID setting; false, for `ok`.
fn bad(s: &mut Sink, place: &str, msg: String) -> bool {
    s.error(Code::InvalidRaid, place, msg);
    false
}

/// The level's own rules, its width against the `n` drives (0: not checked) and the spares;
/// the group width and whether all of it holds.
fn level_fits(s: &mut Sink, r: &spec::Raid, n: u32) -> (u32, bool) {
    let mut ok = true;
    match r.level {
        Level::Stripe { width: 0 } => ok = bad(s, "raid.level", "a stripe needs width ≥ 1".into()),
        Level::Mirror { copies } if copies < 2 => {
            ok = bad(
                s,
                "raid.level",
                format!("a mirror needs ≥ 2 copies, not {copies}"),
            )
        }
        Level::Raid10 { width, copies }
            if copies < 2 || width < copies.saturating_mul(2) || !width.is_multiple_of(copies) =>
        {
            ok = bad(
                s,
                "raid.level",
                format!(
                    "RAID10 width {width} must be a multiple of copies {copies} and hold at least two mirrors"
                ),
            )
        }
        Level::Raid5 { width } if width < 3 => {
            ok = bad(
                s,
                "raid.level",
                format!("RAID5 needs width ≥ 3, not {width}"),
            )
        }
        Level::Raid6 { width } if width < 4 => {
            ok = bad(
                s,
                "raid.level",
                format!("RAID6 needs width ≥ 4, not {width}"),
            )
        }
        Level::RaidZ { parity, .. } if !(1..=3).contains(&parity) => {
            ok = bad(
                s,
                "raid.level",
                format!("RAIDZ parity is 1, 2 or 3, not {parity}"),
            )
        }
        Level::Draid {
            parity,
            data,
            children,
            spares,
        } => {
            if let Some(why) = crate::layout::zfs::draid_problem(parity, data, children, spares) {
                s.error(Code::InvalidDraid, "raid.level", why);
                ok = false;
            } else if r.filesystem != spec::Filesystem::Zfs {
                ok = bad(
                    s,
                    "raid.level",
                    "a Draid vdev needs `filesystem: Zfs`".into(),
                )
            }
        }
        Level::RaidZ { .. } if r.filesystem != spec::Filesystem::Zfs => {
            ok = bad(
                s,
                "raid.level",
                "a RaidZ vdev needs `filesystem: Zfs`".into(),
            )
        }
        Level::Raid10 { .. }
        | Level::Raid5 { .. }
        | Level::Raid6 { .. }
        | Level::Erasure { .. }
            if r.filesystem == spec::Filesystem::Zfs =>
        {
            ok = bad(
                s,
                "raid.level",
                "ZFS vdevs are RaidZ, Draid, Mirror or Stripe (single disks), not md levels".into(),
            )
        }
        Level::Erasure { data, parity } if data == 0 || parity == 0 => {
            ok = bad(
                s,
                "raid.level",
                format!("erasure coding needs data ≥ 1 and parity ≥ 1 (got {data}+{parity})"),
            )
        }
        _ => {}
    }
    let (width, tolerance) = RaidPolicy::width_and_tolerance(r.level);
    if ok && tolerance >= width {
        ok = bad(
            s,
            "raid.level",
            format!("parity {tolerance} must be less than the width {width}"),
        );
    }
    if ok && n > 0 && width > n {
        ok = bad(
            s,
            "raid.level",
            format!("group width {width} is more than the {n} drives in the pod"),
        );
    }
    if n > 0 && r.spares >= n {
        ok = bad(
            s,
            "raid.spares",
            format!(
                "{} spares leave no drives for data (the pod has {n})",
                r.spares
            ),
        );
    } else if ok && n > 0 && width.saturating_add(r.spares) > n {
        ok = bad(
            s,
            "raid.spares",
            format!(
                "{} spares plus one group of {width} need more than the {n} drives",
                r.spares
            ),
        );
    }
    (width, ok)
}

/// Each group's bays: as wide as the level, each bay in one group and holding a drive; and
/// the groups and spares against the drives.
fn groups(
    w: &mut Walk,
    s: &mut Sink,
    drives: &[BayDrive],
    lost: &Lost,
    (width, n): (u32, u32),
    ok: &mut bool,
) -> Vec<Vec<u32>> {
    let r = &w.design.raid;
    let present: BTreeSet<u32> = drives.iter().map(|x| x.bay).collect();
    let mut groups = Vec::new();
    let mut member: BTreeMap<u32, usize> = BTreeMap::new();
    for (i, g) in r.groups.iter().enumerate() {
        let pl = format!("raid.groups[{i}]");
        let Some(bays) = w.bays(s, &pl, g) else {
            *ok = false;
            continue;
        };
        if *ok && bays.len() as u32 != width {
            s.error(
                Code::RaidGroup,
                &pl,
                format!(
                    "group has {} bays but the level's width is {width}",
                    bays.len()
                ),
            );
            *ok = false;
        }
        let mut twice: BTreeMap<usize, Vec<u32>> = BTreeMap::new();
        let mut no_drive = Vec::new();
        for b in &bays {
            if let Some(first) = member.insert(*b, i) {
                twice.entry(first).or_default().push(*b);
            }
            // A bay whose drive was dropped for an error already reported is not a new problem.
            if !present.contains(b) && !drives.is_empty() && !lost.named(*b) {
                no_drive.push(*b);
            }
        }
        for (first, list) in twice {
            s.error(
                Code::RaidGroup,
                &pl,
                format!(
                    "{} {} already in raid.groups[{first}]",
                    bay_list(&list),
                    agree(list.len(), "is", "are")
                ),
            );
            *ok = false;
        }
        if !no_drive.is_empty() {
            s.error(
                Code::RaidGroup,
                &pl,
                format!(
                    "{} {} no drive",
                    bay_list(&no_drive),
                    agree(no_drive.len(), "holds", "hold")
                ),
            );
            *ok = false;
        }
        groups.push(bays);
    }
    if *ok && !groups.is_empty() && n > 0 {
        let in_groups = member.len() as u32;
        if in_groups.saturating_add(r.spares) > n {
            s.error(
                Code::RaidGroup,
                "raid.groups",
                format!(
                    "{in_groups} drives in groups plus {} spares exceed the {n} drives",
                    r.spares
                ),
            );
            *ok = false;
        } else if in_groups + r.spares < n {
            s.warning(
                Code::RaidUnusedDrives,
                "raid.groups",
                format!(
                    "{} drives are in no group and are not spares",
                    n - in_groups - r.spares
                ),
            );
        }
    }
    groups
}

/// The vault code's pods and the replacement delay in range.
fn vault_and_delay_fit(s: &mut Sink, r: &spec::Raid) -> bool {
    let mut ok = true;
    if let Some(v) = r.vault
        && (v.data == 0 || v.parity == 0 || v.data.saturating_add(v.parity) > MAX_VAULT_PODS)
    {
        ok = bad(
            s,
            "raid.vault",
            format!(
                "a vault code needs data ≥ 1, parity ≥ 1 and at most {MAX_VAULT_PODS} pods in all (got {}+{})",
                v.data, v.parity
            ),
        );
    }
    if let Some(d) = &r.replace_delay
        && !(d.hours.is_finite() && (0.0..=crate::durability::MAX_REPAIR_HOURS).contains(&d.hours))
    {
        ok = bad(
            s,
            "raid.replace_delay.hours",
            format!(
                "a replacement delay must be from 0 to {} hours (ten years: no real replacement takes longer)",
                crate::durability::MAX_REPAIR_HOURS
            ),
        );
    }
    ok
}
