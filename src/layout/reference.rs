//! Reference checks of the fast placement search and exposure count: the straightforward
//! search (every trial swap recounts the whole violation, as the solver did before issue 17)
//! and the brute-force exposure (every domain against every group through `group_verdict`),
//! run on every shipped design, the test designs and generated ones. The fast code must place
//! at least as well (lower or equal violation, then capacity), never below the counting lower
//! bound it stops at, and give the same exposure.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::load::{self, Document};
use std::path::Path;

#[path = "../../benches/common/scaled.rs"]
mod scaled;

/// Every design the checks run on: the shipped ones, the valid test fixtures and generated
/// pods of 30 and 45 drives (uniform and with mixed drive sizes).
fn designs() -> Vec<(String, Pod)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut add = |name: String, doc: Result<Document, _>| {
        if let Ok(Document::Design(l)) = doc
            && let Some(pod) = crate::validate::validate(&l).pod
        {
            out.push((name, pod));
        }
    };
    for (name, _) in load::EMBEDDED.iter().filter(|(n, _)| n.contains("pod-")) {
        add(name.to_string(), load::load_embedded(name));
    }
    for f in ["valid.ron", "raid0.ron"] {
        add(
            f.into(),
            load::load_file(&root.join("tests/fixtures").join(f)),
        );
    }
    let dir = root.join("designs");
    for n in [30, 45] {
        add(
            format!("scaled {n}"),
            load::load_str("s.ron", &scaled::scaled_design(n), &dir),
        );
        add(
            format!("mixed {n}"),
            load::load_str("m.ron", &scaled::mixed_design(n), &dir),
        );
    }
    out
}

/// The shapes tried on each design: its own, and RAID6, RAID5 with a spare, RAID10 and a
/// three-way mirror where they fit.
fn shapes(pod: &Pod) -> Vec<Shape> {
    let mut out = vec![Shape {
        level: pod.raid.level,
        spares: pod.raid.spares,
    }];
    for (level, spares) in [
        (Level::Raid6 { width: 10 }, 0),
        (Level::Raid5 { width: 7 }, 1),
        (
            Level::Raid10 {
                width: 8,
                copies: 2,
            },
            0,
        ),
        (Level::Mirror { copies: 3 }, 2),
    ] {
        let s = Shape { level, spares };
        if check_shape(pod, &s).is_ok() && !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

const SURVIVE: [&[DomainKind]; 4] = [
    &[],
    &[DomainKind::Backplane],
    &[DomainKind::Backplane, DomainKind::Card],
    &[DomainKind::Psu],
];

/// The violation of a layout, counted from scratch: per placement domain and group, the
/// weighted members beyond the tolerance.
fn score(layout: &Layout, doms: &[Domain], survive: &[DomainKind]) -> u64 {
    let tol = layout.shape.tolerance();
    let mut total = 0;
    for d in doms
        .iter()
        .filter(|d| !matches!(d.kind, DomainKind::Drive | DomainKind::Pod))
    {
        for g in &layout.groups {
            let k = g.bays.iter().filter(|b| d.bays.contains(b)).count() as u32;
            total += weight(d.kind, survive) * u64::from(k.saturating_sub(tol));
        }
    }
    total
}

/// The pre-issue-17 violation: every domain against every group, by searching the bays.
fn slow_violation(s: &Solver, members: &[Vec<usize>], only_hard: bool) -> u64 {
    let mut c = 0;
    for (k, d) in s.active.iter().enumerate() {
        if only_hard && !s.hard[k] {
            continue;
        }
        for m in members {
            let n = m.iter().filter(|i| d.bays.contains(&s.bay(**i))).count() as u32;
            c += s.wgt[k] * u64::from(n.saturating_sub(s.tol));
        }
    }
    c
}

/// The pre-issue-17 repair pass: the first swap that lowers the recounted violation, up to
/// 50 rounds, until none does.
fn slow_swap_pass(s: &Solver, members: &mut [Vec<usize>], free: &mut [usize], any_size: bool) {
    let same = |a: usize, b: usize| any_size || s.sizes[a] == s.sizes[b];
    let mut cost = slow_violation(s, members, false);
    let mut rounds = 0;
    while cost > 0 && rounds < 50 {
        rounds += 1;
        let mut improved = false;
        'outer: for g in 0..s.groups {
            for gi in 0..members[g].len() {
                for h in (0..s.groups).filter(|h| *h != g) {
                    for hi in 0..members[h].len() {
                        let (a, b) = (members[g][gi], members[h][hi]);
                        if !same(a, b) {
                            continue;
                        }
                        members[g][gi] = b;
                        members[h][hi] = a;
                        let c = slow_violation(s, members, false);
                        if c < cost {
                            cost = c;
                            improved = true;
                            continue 'outer;
                        }
                        members[g][gi] = a;
                        members[h][hi] = b;
                    }
                }
                for slot in free.iter_mut() {
                    let (a, b) = (members[g][gi], *slot);
                    if !same(a, b) {
                        continue;
                    }
                    members[g][gi] = b;
                    *slot = a;
                    let c = slow_violation(s, members, false);
                    if c < cost {
                        cost = c;
                        improved = true;
                        continue 'outer;
                    }
                    members[g][gi] = a;
                    *slot = b;
                }
            }
        }
        if !improved {
            break;
        }
    }
}

/// The reference search: the same set-aside and deal, then the straightforward repair.
fn slow_solve(pod: &Pod, shape: &Shape, survive: &[DomainKind], doms: &[Domain]) -> Layout {
    let s = Solver::new(pod, shape, survive, doms, Bytes(MIB));
    let (remaining, mut free) = s.set_aside_free();
    let mut members = s.deal_tiers(&remaining);
    for any_size in [false, true] {
        if any_size && slow_violation(&s, &members, true) == 0 {
            break;
        }
        slow_swap_pass(&s, &mut members, &mut free, any_size);
    }
    s.finish(members, free)
}

fn before_fs(pod: &Pod, l: &Layout) -> Bytes {
    capacity(pod, l, &Overheads::for_filesystem(Filesystem::None)).before_filesystem
}

#[test]
fn fast_search_places_as_well_as_the_straightforward_one_on_every_design() {
    let mut cases = 0;
    for (name, pod) in designs() {
        let doms = domains(&pod);
        // The straightforward search is slow on many small groups: no mirror there.
        let shapes = shapes(&pod)
            .into_iter()
            .filter(|s| !matches!(s.level, Level::Mirror { .. }));
        for shape in shapes {
            for survive in SURVIVE
                .iter()
                .filter(|s| s.len() != 1 || s[0] != DomainKind::Backplane)
            {
                let possible: Vec<DomainKind> = survive
                    .iter()
                    .copied()
                    .filter(|k| impossibilities(&pod, &shape, &[*k], &doms).is_empty())
                    .collect();
                let fast = solve(&pod, &shape, &possible, &doms, Bytes(MIB));
                let slow = slow_solve(&pod, &shape, &possible, &doms);
                let (f, s) = (
                    score(&fast, &doms, &possible),
                    score(&slow, &doms, &possible),
                );
                let what = format!("{name}, {}, survive {possible:?}", shape.label());
                assert!(f <= s, "{what}: violation {f} against {s}");
                if f == s {
                    assert!(before_fs(&pod, &fast) >= before_fs(&pod, &slow), "{what}");
                }
                let floor = Solver::new(&pod, &shape, &possible, &doms, Bytes(MIB))
                    .floor(pod.drives.len() - fast.groups.len() * shape.width() as usize);
                assert!(
                    floor <= s,
                    "{what}: lower bound {floor} above a placement's {s}"
                );
                cases += 1;
            }
        }
    }
    assert!(cases >= 90, "only {cases} cases");
}

/// The pre-issue-17 exposure: every domain against every group through `group_verdict`.
fn slow_exposure(layout: &Layout, doms: &[Domain]) -> Vec<(DomainKind, Verdict, u32, String)> {
    let mut out = Vec::new();
    for kind in DomainKind::ALL {
        let inst: Vec<&Domain> = doms.iter().filter(|d| d.kind == kind).collect();
        if inst.is_empty() {
            continue;
        }
        let mut worst = (Verdict::Survives, 0u32, String::new());
        for d in &inst {
            let lost: BTreeSet<u32> = d.bays.iter().copied().collect();
            for g in &layout.groups {
                let (n, v) = group_verdict(&layout.shape, &g.bays, &lost);
                let v = v.of_kind(kind);
                if (v, n) > (worst.0, worst.1) {
                    worst = (v, n, d.id.clone());
                }
            }
        }
        if worst.2.is_empty() {
            worst.2 = inst[0].id.clone();
        }
        out.push((kind, worst.0, worst.1, worst.2));
    }
    out
}

#[test]
fn exposure_counts_as_the_brute_force_does() {
    let mut cases = 0;
    for (name, pod) in designs() {
        let doms = domains(&pod);
        for shape in shapes(&pod) {
            for survive in SURVIVE {
                let layout = place(&pod, shape, survive).unwrap().layout;
                let fast: Vec<(DomainKind, Verdict, u32, String)> = exposure(&layout, &doms)
                    .into_iter()
                    .map(|e| (e.kind, e.verdict, e.worst_in_group, e.worst_instance))
                    .collect();
                assert_eq!(
                    fast,
                    slow_exposure(&layout, &doms),
                    "{name}, {}",
                    shape.label()
                );
                cases += 1;
            }
        }
    }
    assert!(cases >= 100, "only {cases} cases");
}
