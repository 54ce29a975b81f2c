//! The layout report's tables: groups, the capacity pipeline, failure domains and the search.

use super::Section;
use crate::layout::{Candidate, LayoutReport};

fn tb_tib(b: crate::units::Bytes) -> (String, String) {
    (format!("{:.2}", b.tb()), format!("{:.2}", b.tib()))
}

fn verdict_word(v: crate::layout::Verdict) -> &'static str {
    match v {
        crate::layout::Verdict::Survives => "survives",
        crate::layout::Verdict::Degraded => "degraded",
        crate::layout::Verdict::Unavailable => "unavailable until repaired",
        crate::layout::Verdict::DataLoss => "DATA LOSS",
    }
}

/// A capacity pipeline as a table of stages.
fn pipeline_section(title: String, pipe: &crate::layout::Pipeline) -> Section {
    let mut p = Section::new(title, &["Stage", "TB", "TiB", "% of raw", "How"]);
    p.align_right([1, 2, 3]);
    for s in &pipe.stages {
        p.row(vec![
            s.name.to_string(),
            format!("{:.2}", s.tb),
            format!("{:.2}", s.tib),
            format!("{:.1}", s.pct_of_raw),
            s.note.to_string(),
        ]);
    }
    p
}

/// Why candidate `a` ranks ahead of `b` (called `who`), in words: the first criterion of the
/// ranking on which they differ.
fn why_ahead(a: &crate::layout::Candidate, b: &crate::layout::Candidate, who: &str) -> String {
    use crate::layout::Decision;
    let same = format!(
        "the same {:.2} TB as {who} {}",
        b.before_filesystem.tb(),
        b.shape
    );
    match crate::layout::decision(a, b) {
        Decision::Capacity => format!(
            "{:.2} TB more than {who} {} ({:.2} TB)",
            a.before_filesystem.tb() - b.before_filesystem.tb(),
            b.shape,
            b.before_filesystem.tb()
        ),
        Decision::Parity => format!(
            "{same}, with more parity ({} against {})",
            a.shape.tolerance(),
            b.shape.tolerance()
        ),
        Decision::Rebuild => {
            let h = |x: Option<f64>| x.map_or("unknown".to_string(), |h| format!("{h:.1} h"));
            format!(
                "{same} and the same parity, with a shorter resilver ({} against {})",
                h(a.rebuild_hours),
                h(b.rebuild_hours)
            )
        }
        Decision::Width => format!(
            "{same} and the same parity, in narrower groups ({} against {} drives{})",
            a.shape.width(),
            b.shape.width(),
            if a.shape.tolerance() > 0 {
                ": faster rebuilds"
            } else {
                ""
            }
        ),
        Decision::Unused => format!(
            "{same}, parity and width, with fewer drives unused ({} against {})",
            a.unused, b.unused
        ),
        Decision::Equal => format!("{same}, equal on every criterion: first in the search order"),
    }
}

/// The layout report as sections: groups, capacity pipeline, failure domains, and the search.
pub fn layout_sections(r: &LayoutReport) -> Vec<Section> {
    let mut out = vec![groups_section(r)];
    capacity_sections(r, &mut out);
    out.push(domains_section(r));
    if let Some(a) = &r.auto {
        out.push(auto_section(r, a));
    }
    out
}

/// The groups: bays, spread over cards and backplanes, member and data capacity.
fn groups_section(r: &LayoutReport) -> Section {
    use crate::layout::Origin;
    let origin = match r.origin {
        Origin::Design => "as the design lists them",
        Origin::Solver => "placed by the solver",
    };
    let mut g = Section::new(
        format!(
            "{}: {} group{} of {}, {origin}",
            r.design,
            r.groups.len(),
            if r.groups.len() == 1 { "" } else { "s" },
            r.shape
        ),
        &[
            "Group",
            "Bays",
            "Members per card",
            "Most on one backplane",
            "Member TB",
            "Data TB",
            "Data TiB",
            "Stranded TB",
        ],
    );
    g.align_right([0, 3, 4, 5, 6, 7]);
    for row in &r.groups {
        let (dtb, dtib) = tb_tib(row.data);
        g.row(vec![
            row.group.to_string(),
            crate::bays::format_bays(&row.bays),
            row.per_card.to_string(),
            row.max_per_backplane
                .map_or("-".to_string(), |m| m.to_string()),
            format!("{:.3}", row.member.tb()),
            dtb,
            dtib,
            format!("{:.3}", row.stranded.tb()),
        ]);
    }
    let fmt = |v: &[u32]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            crate::bays::format_bays(v)
        }
    };
    g.notes.push(format!(
        "Hot spares: {}. Unused bays: {}.",
        fmt(&r.spares),
        fmt(&r.unused)
    ));
    g
}

/// The ZFS pool's own figures to the byte: what `zfs list` reports, its slop and deflate
/// ratio, and the capacity for data written in records other than 128 KiB.
fn zfs_note(z: &crate::layout::zfs::ZfsFigures) -> String {
    let (ltb, ltib) = tb_tib(z.zfs_list);
    let mut note = format!(
        "ZFS ({} top-level vdev{}, ashift {}): `zfs list` reports {} B ({ltb} TB, {ltib} TiB) on the empty pool; slop {} B; deflate ratio {}/512.",
        z.vdevs,
        if z.vdevs == 1 { "" } else { "s" },
        z.params.ashift,
        crate::units::group_thousands(z.zfs_list.0),
        crate::units::group_thousands(z.slop.0),
        z.deflate_ratio
    );
    if let Some(r) = &z.resilver {
        note.push_str(&format!(
            " Resilver at {:.0} % full: {:.1} h (vdev {}, {:.1} MB/s, set by {})",
            100.0 * z.params.fill,
            r.hours,
            r.group,
            r.rate_mb_s,
            r.binding
        ));
        match r.rebalance_hours {
            Some(b) => note.push_str(&format!(
                " onto the distributed spare; rebalance onto the replacement disk afterwards: {b:.1} h, outside the exposure window."
            )),
            None => note.push('.'),
        }
    }
    if z.params.recordsize != 128 << 10 {
        let (rtb, rtib) = tb_tib(z.at_recordsize);
        note.push_str(&format!(
            " Data written in {} records fits {} B ({rtb} TB, {rtib} TiB).",
            binary_size(z.params.recordsize),
            crate::units::group_thousands(z.at_recordsize.0)
        ));
    }
    note
}

/// A power-of-two size in the largest binary unit that keeps it whole: `128 KiB`, `1 MiB`.
fn binary_size(b: u64) -> String {
    match b {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} B"),
    }
}

/// The capacity pipeline, raw to usable, and the Vault's when the design has one.
fn capacity_sections(r: &LayoutReport, out: &mut Vec<Section>) {
    let mut p = pipeline_section(
        "Capacity, raw to usable (TB = 10^12 B, TiB = 2^40 B)".into(),
        &r.pipeline,
    );
    let (btb, btib) = tb_tib(r.pipeline.before_filesystem);
    let (utb, utib) = tb_tib(r.pipeline.usable);
    p.notes.push(format!(
        "Before the filesystem: {btb} TB ({btib} TiB). Usable: {utb} TB ({utib} TiB). Stranded by mixed drive sizes: {:.3} TB.",
        r.pipeline.stranded.tb()
    ));
    if let Some(z) = &r.pipeline.zfs {
        p.notes.push(zfs_note(z));
    }
    out.push(p);

    if let Some(v) = &r.vault {
        let pods = v.code.data.saturating_add(v.code.parity);
        let mut vs = pipeline_section(
            format!(
                "As a Vault pod: {}+{} across {pods} pods, no RAID inside the pod",
                v.code.data, v.code.parity
            ),
            &v.pipeline,
        );
        vs.notes.push(format!(
            "Each file survives the loss of any {} of the {pods} pods that hold its shards; inside the pod every drive is its own shard.",
            v.code.parity
        ));
        out.push(vs);
    }
}

/// What the worst single failure of each kind of component does to a group.
fn domains_section(r: &LayoutReport) -> Section {
    let mut d = Section::new(
        "Failure domains: the worst one failed component does to a single group",
        &[
            "Component",
            "Count",
            "Drives behind one",
            "Worst loss in one group",
            "Group tolerates",
            "Verdict",
            "Worst case",
        ],
    );
    d.align_right([1, 2, 3, 4]);
    for e in &r.exposure {
        let asked = if r.survive.contains(&e.kind) {
            " (required)"
        } else {
            ""
        };
        d.row(vec![
            format!("{}{asked}", e.kind.name()),
            e.instances.to_string(),
            e.max_drives.to_string(),
            e.worst_in_group.to_string(),
            e.tolerance.to_string(),
            verdict_word(e.verdict).to_string(),
            e.worst_instance.clone(),
        ]);
        for n in &e.notes {
            d.notes.push(format!("Note: {n}."));
        }
    }
    d.notes.dedup();
    d.notes.push(
        "degraded = members lost within the parity, the group keeps serving and rebuilds; unavailable until repaired = more members offline than the parity covers, the group stops but its data comes back when the part is replaced; DATA LOSS = more members lost than the parity covers (drives or the pod), the data is gone."
            .into(),
    );
    if !r.survive.is_empty() {
        let met: Vec<&str> = r
            .survive
            .iter()
            .filter(|k| !r.unmet.contains(k) && !r.impossible.iter().any(|i| i.kind == **k))
            .map(|k| k.name())
            .collect();
        if !met.is_empty() {
            d.notes.push(format!(
                "Survives any single {} failure (checked against every component).",
                met.join(", any single ")
            ));
        }
        for i in &r.impossible {
            d.notes.push(format!(
                "Cannot survive a {} failure with {}: {}.",
                i.kind.name(),
                r.shape,
                i.reason
            ));
        }
        for k in r
            .unmet
            .iter()
            .filter(|k| !r.impossible.iter().any(|i| i.kind == **k))
        {
            d.notes.push(format!(
                "No placement found that survives every {} failure with {}.",
                k.name(),
                r.shape
            ));
        }
    }
    d
}

/// The widths the search allowed, in words: one bound, or the default bound per parity.
fn width_bounds(c: &crate::layout::AutoConstraints) -> String {
    match c.max_width {
        Some(w) => format!("width ≤ {w}"),
        None => {
            // Consecutive parities with the same bound share one entry: (from, to, width).
            let mut runs: Vec<(u32, u32, u32)> = Vec::new();
            for p in c.min_parity..=c.max_parity.min(crate::layout::MAX_PARITY) {
                let w = c.width_limit(p);
                match runs.last_mut() {
                    Some(r) if r.2 == w => r.1 = p,
                    _ => runs.push((p, p, w)),
                }
            }
            let parts: Vec<String> = runs
                .iter()
                .map(|(a, b, w)| {
                    if a == b {
                        format!("≤ {w} at parity {a}")
                    } else {
                        format!("≤ {w} at parity {a}-{b}")
                    }
                })
                .collect();
            format!("width {} by default", parts.join(", "))
        }
    }
}

/// The `--auto` search: the constraints, the best candidates, the rejected and why.
fn auto_section(r: &LayoutReport, a: &crate::layout::AutoResult) -> Section {
    let c = &a.constraints;
    let widths = width_bounds(c);
    let zfs = c.zfs.is_some();
    let mut heads = vec!["Rank", "Shape", "Groups", "Unused"];
    if zfs {
        heads.extend(["TB as zfs list", "T_R h"]);
    } else {
        heads.push("TB before FS");
    }
    heads.extend(["Pod loss / year", "Meets constraints", "Why not"]);
    let mut s = Section::new(
        format!(
            "Search: {} {}shapes considered (parity {}-{}, {widths}, {} spares)",
            a.considered,
            if zfs { "ZFS " } else { "" },
            c.min_parity,
            c.max_parity,
            c.spares
        ),
        &heads,
    );
    s.align_right(if zfs {
        vec![0, 2, 3, 4, 5, 6]
    } else {
        vec![0, 2, 3, 4, 5]
    });
    let loss = |c: &crate::layout::Candidate| {
        c.annual_loss
            .map_or("-".to_string(), |l| format!("{l:.2e}"))
    };
    let row = |rank: String, c: &crate::layout::Candidate, meets: &str, why: String| {
        let mut cells = vec![
            rank,
            c.shape.to_string(),
            c.groups.to_string(),
            c.unused.to_string(),
            format!("{:.2}", c.before_filesystem.tb()),
        ];
        if zfs {
            cells.push(c.rebuild_hours.map_or("-".into(), |h| format!("{h:.1}")));
        }
        cells.extend([loss(c), meets.to_string(), why]);
        cells
    };
    for (i, c) in a.ranked.iter().take(5).enumerate() {
        s.row(row((i + 1).to_string(), c, "yes", String::new()));
    }
    for c in a.rejected.iter().take(5) {
        s.row(row("-".into(), c, "no", why_not(c)));
    }
    s.notes = auto_notes(r, a);
    s
}

/// The notes under the search table: the loss model, the chosen shape and the runner-up and
/// why they rank so, the ranking rule, the failures the chosen shape does not survive, and why
/// the design's own and the largest shapes were rejected.
fn auto_notes(r: &LayoutReport, a: &crate::layout::AutoResult) -> Vec<String> {
    let c = &a.constraints;
    let mut notes = Vec::new();
    let (what, base) = match c.zfs {
        Some(_) => (
            "as `zfs list` reports",
            r.pipeline
                .zfs
                .as_ref()
                .map_or(r.pipeline.usable, |z| z.zfs_list),
        ),
        None => ("before the filesystem", r.pipeline.before_filesystem),
    };
    if let Some(m) = &a.constraints.loss_model {
        let limit = a
            .constraints
            .max_annual_loss
            .map_or(String::new(), |x| format!(", held to at most {x:.2e}"));
        notes.push(format!(
            "Pod loss / year: the probability that some group loses data within a year ({m} model, drive AFRs from the catalog, rebuild times from the topology plus the replacement delay){limit}."
        ));
    }
    match (a.ranked.first(), a.ranked.get(1)) {
        (Some(best), Some(next)) => notes.push(format!(
            "Chosen: {} with {:.2} TB {what}, {}.",
            best.shape,
            best.before_filesystem.tb(),
            why_ahead(best, next, "the runner-up")
        )),
        (Some(best), None) => notes.push(format!(
            "Chosen: {} with {:.2} TB {what}, the only shape that meets the constraints.",
            best.shape,
            best.before_filesystem.tb()
        )),
        (None, _) => notes.push("No shape meets the constraints.".into()),
    }
    if let Some(r2) = a.ranked.get(1) {
        let after = a.ranked.get(2).map_or(String::new(), |r3| {
            format!(": {}", why_ahead(r2, r3, "the next,"))
        });
        notes.push(format!(
            "Runner-up: {} at {:.2} TB{after}.",
            r2.shape,
            r2.before_filesystem.tb()
        ));
    }
    notes.push(if c.zfs.is_some() {
        "Ranking (ZFS: RAIDZ1-3, mirrors and dRAID over every drive): the most capacity `zfs list` reports, then more parity, then the shorter exposure (T_R h: the slowest vdev's wait before its rebuild starts, none for a dRAID's distributed spare, plus its resilver at the pool's fill through the topology), then narrower vdevs, then fewer unused drives.".into()
    } else {
        "Ranking: the most capacity before the filesystem, then more parity, then narrower groups (faster rebuilds), then fewer unused drives.".into()
    });
    if c.max_width.is_none() {
        notes.push(crate::layout::DEFAULT_WIDTH_NOTE.into());
    }
    for u in &a.upgrades {
        let why = u
            .impossible_with_chosen
            .as_ref()
            .map(|w| format!("no placement of {} can ({w})", r.shape))
            .unwrap_or_else(|| format!("this placement of {} does not", r.shape));
        let best = match &u.best {
            Some(b) => format!(
                "the best shape that also survives it is {} at {:.2} TB {what} ({:+.2} TB)",
                b.shape,
                b.before_filesystem.tb(),
                b.before_filesystem.tb() - base.tb()
            ),
            None => "no shape within these constraints survives it".to_string(),
        };
        notes.push(format!(
            "A single {} failure is not survived: {why}; {best}.",
            u.kind.name()
        ));
    }
    if let Some(own) = a
        .rejected
        .iter()
        .find(|c| Some(c.shape.level) == r.design_level)
    {
        notes.push(format!(
            "The design's own {} is rejected: {}.",
            own.shape,
            why_not(own)
        ));
    }
    if let Some(best_rejected) = a.rejected.first() {
        notes.push(format!(
            "The largest shape rejected, {} at {:.2} TB, fails because {}.",
            best_rejected.shape,
            best_rejected.before_filesystem.tb(),
            why_not(best_rejected)
        ));
    }
    notes
}

/// Why a search candidate does not meet the constraints, its reasons joined by `; `.
fn why_not(c: &Candidate) -> String {
    let words: Vec<String> = c.why_not.iter().map(ToString::to_string).collect();
    words.join("; ")
}
