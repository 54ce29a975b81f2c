//! The layout engine: Backblaze's published layouts reproduce, the solver's claims hold under
//! independent brute force, capacity properties hold on generated pods, and the CLI reports
//! bad flags by name.

use crate::properties::pods;
use crate::{design_path, pod, run};
use podplan::layout::{
    self, DomainKind, Overheads, Shape, Verdict, aligned, capacity, domains, group_verdict,
    impossibilities, place,
};
use podplan::model::Pod;
use podplan::spec::{Filesystem, Level};
use podplan::units::{Bytes, TB};
use proptest::prelude::*;
use std::collections::BTreeSet;

const REVISIONS: &[&str] = &["1.0", "2.0", "3.0", "4.0", "4.5", "5.0", "6.0"];

fn own_shape(p: &Pod) -> Shape {
    Shape {
        level: p.raid.level,
        spares: p.raid.spares,
    }
}

/// Independent check: does any single component of `kind` take more members out of one group
/// than it tolerates? Counts directly, without the engine's `exposure`.
fn survives_brute_force(p: &Pod, l: &layout::Layout, kind: DomainKind) -> bool {
    let tol = l.shape.tolerance() as usize;
    domains(p).iter().filter(|d| d.kind == kind).all(|d| {
        l.groups
            .iter()
            .all(|g| g.bays.iter().filter(|b| d.bays.contains(b)).count() <= tol)
    })
}

#[test]
fn backblaze_layouts_reproduce_before_the_filesystem() {
    // Pod 1.0: 3 × (15 − 2) × 1.5 TB = 58.5 TB, 86.7 % of 67.5 TB ("≈ 87 %", SmallNetBuilder).
    // Pod 2.0: 3 × 13 × 3 TB = 117 TB. Pod 6.0: 4 × 13 × 4 TB = 208 TB.
    // Partition alignment costs 1 MiB per drive, so compare to 1 GB.
    for (rev, tb) in [
        ("1.0", 58.5),
        ("2.0", 117.0),
        ("3.0", 156.0),
        ("6.0", 208.0),
    ] {
        let p = pod(rev);
        let pl = place(&p, own_shape(&p), &[]).unwrap();
        let cap = capacity(
            &p,
            &pl.layout,
            &Overheads::for_filesystem(p.raid.filesystem),
        );
        let got = cap.before_filesystem.0 as f64 / TB as f64;
        assert!(
            (got - tb).abs() < 0.001,
            "pod {rev}: {got} TB before the filesystem, published {tb}"
        );
        assert_eq!(
            pl.layout.groups.len() as u64,
            (p.drives.len() / 15) as u64,
            "pod {rev}"
        );
    }
    let p = pod("1.0");
    let pl = place(&p, own_shape(&p), &[]).unwrap();
    let cap = capacity(&p, &pl.layout, &Overheads::for_filesystem(Filesystem::Jfs));
    let pct = 100.0 * cap.usable.0 as f64 / p.raw_capacity().0 as f64;
    assert!(
        (86.0..88.0).contains(&pct),
        "Pod 1.0 usable {pct:.1} % of raw, SmallNetBuilder ≈ 87 %"
    );
}

#[test]
fn the_design_groups_are_backblazes_rows() {
    for rev in ["1.0", "2.0", "6.0"] {
        let p = pod(rev);
        let pl = place(&p, own_shape(&p), &[]).unwrap();
        assert_eq!(pl.layout.origin, layout::Origin::Design, "pod {rev}");
        assert_eq!(pl.layout.groups[0].bays, (1..=15).collect::<Vec<u32>>());
    }
}

#[test]
fn pod_2_auto_survives_a_backplane_and_proves_the_card_impossible_for_raid6_15() {
    let p = pod("2.0");
    // Backblaze's rows put a whole card in each group: a card failure is data loss.
    let rows = place(&p, own_shape(&p), &[]).unwrap();
    assert!(!survives_brute_force(&p, &rows.layout, DomainKind::Card));
    assert!(!survives_brute_force(
        &p,
        &rows.layout,
        DomainKind::Backplane
    ));
    // The solver spreads 15-wide RAID6 so that any backplane can fail...
    let spread = place(&p, own_shape(&p), &[DomainKind::Backplane]).unwrap();
    assert!(spread.survivable());
    assert!(survives_brute_force(
        &p,
        &spread.layout,
        DomainKind::Backplane
    ));
    // ...but no placement of 15-wide RAID6 survives a card: 15 drives on a card, 3 × 2 parity.
    let imp = impossibilities(&p, &own_shape(&p), &[DomainKind::Card], &domains(&p));
    assert_eq!(imp.len(), 1);
    assert!(imp[0].reason.contains("15 drives"), "{}", imp[0].reason);
    // --auto with both finds the best shape that does, and it really does.
    let c = layout::AutoConstraints {
        min_parity: 1,
        max_parity: 3,
        max_width: 45,
        spares: 0,
        survive: vec![DomainKind::Backplane, DomainKind::Card],
        max_annual_loss: None,
        loss_model: None,
    };
    let r = layout::auto(&p, &c);
    let chosen = r.chosen.unwrap();
    assert!(survives_brute_force(&p, &chosen.layout, DomainKind::Card));
    assert!(survives_brute_force(
        &p,
        &chosen.layout,
        DomainKind::Backplane
    ));
    let cap = capacity(
        &p,
        &chosen.layout,
        &Overheads::for_filesystem(Filesystem::None),
    );
    assert!(
        cap.before_filesystem < Bytes(117 * TB),
        "surviving a card costs capacity"
    );
    // Every shape the search ranked as survivable is, by brute force.
    for cand in &r.ranked {
        let pl = place(&p, cand.shape, &c.survive).unwrap();
        assert!(
            survives_brute_force(&p, &pl.layout, DomainKind::Card),
            "{}",
            cand.label
        );
    }
}

#[test]
fn cli_auto_survive_backplane_on_pod_2_states_the_card_verdict() {
    let (code, out, err) = run(&["layout", "--auto", "--survive", "backplane"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Survives any single backplane failure"),
        "{out}"
    );
    // The design's own parity is the default floor, so the choice stays RAID6 15 (spread), and
    // the report states that no placement of it survives a card, and what surviving one costs.
    assert!(out.contains("Chosen: RAID6 15 (13+2)"), "{out}");
    assert!(
        out.contains("A single card failure is not survived: no placement of RAID6 15 (13+2) can"),
        "{out}"
    );
    assert!(
        out.contains("the best shape that also survives it is EC 6+3 at 90.00 TB"),
        "{out}"
    );
    let (code, out, _) = run(&["layout", "--survive", "card"]);
    assert_eq!(code, 1, "a requested survival that cannot be met exits 1");
    assert!(
        out.contains("Cannot survive a card failure with RAID6 15 (13+2)"),
        "{out}"
    );
}

#[test]
fn bad_flags_are_named_and_exit_2() {
    let cases: &[(&[&str], &str)] = &[
        (&["layout", "--raid", "raid6", "--width", "46"], "46"),
        (
            &[
                "layout", "--raid", "erasure", "--width", "5", "--parity", "5",
            ],
            "--parity",
        ),
        (&["layout", "--spares", "45"], "--spares"),
        (&["layout", "--survive", "shelf"], "--survive"),
        (&["layout", "--raid", "raid6"], "--width"),
        (&["layout", "--width", "15"], "--raid"),
        (&["layout", "--fs-log", "lots"], "--fs-log"),
    ];
    for (args, needle) in cases {
        let (code, _, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn layout_snapshots() {
    for rev in REVISIONS {
        let path = design_path(rev);
        let shown = format!("designs/backblaze-pod-{rev}.ron");
        for format in ["table", "json"] {
            let (code, out, err) = run(&["layout", path.to_str().unwrap(), "--format", format]);
            assert_eq!(code, 0, "{err}");
            insta::assert_snapshot!(
                format!("layout-{format}-{rev}"),
                out.replace(path.to_str().unwrap(), &shown)
            );
        }
    }
}

fn shapes(n: u32) -> impl Strategy<Value = Shape> {
    (0u32..=3, 2u32..=n.max(2), 0u32..=3).prop_map(move |(p, w, s)| Shape {
        level: Shape::for_width_parity(w.max(p + 1).min(n.max(2)), p.min(w.saturating_sub(1))),
        spares: s,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn capacity_properties_hold_on_generated_pods((p, shape) in pods().prop_flat_map(|p| {
        let n = p.drives.len() as u32;
        (Just(p), shapes(n))
    })) {
        let Ok(pl) = place(&p, shape, &[]) else { return Ok(()) };
        let o = Overheads::for_filesystem(Filesystem::Ext4);
        let cap = capacity(&p, &pl.layout, &o);
        let raw = p.raw_capacity();
        // Usable never exceeds raw, and every stage only loses capacity.
        prop_assert!(cap.usable <= raw);
        for w in cap.stages.windows(2) {
            prop_assert!(w[1].bytes <= w[0].bytes, "{} → {}", w[0].name, w[1].name);
        }
        // Every drive is in exactly one group, or a spare, or unused.
        let mut seen = BTreeSet::new();
        for b in pl.layout.groups.iter().flat_map(|g| g.bays.iter()).chain(&pl.layout.spares).chain(&pl.layout.unused) {
            prop_assert!(seen.insert(*b), "bay {b} twice");
        }
        prop_assert_eq!(seen.len(), p.drives.len());
        // The smallest-drive rule: a group's data is data × its smallest aligned member.
        for g in &pl.layout.groups {
            let smallest = g.bays.iter().map(|b| aligned(p.drives.iter().find(|d| d.bay == *b).unwrap().drive().capacity, o.partition_align)).min().unwrap();
            prop_assert_eq!(g.member, smallest);
        }
        // Adding a spare never increases usable capacity.
        let more = Shape { spares: shape.spares + 1, ..shape };
        if let Ok(pl2) = place(&p, more, &[]) {
            let cap2 = capacity(&p, &pl2.layout, &o);
            prop_assert!(cap2.before_filesystem <= cap.before_filesystem);
        }
    }

    #[test]
    fn parity_p_survives_any_p_losses_in_a_group(width in 3u32..=24, parity in 1u32..=4, seed in any::<u64>()) {
        prop_assume!(parity < width);
        let shape = Shape { level: Shape::for_width_parity(width, parity), spares: 0 };
        let group: Vec<u32> = (1..=width).collect();
        // Every subset of size ≤ parity (sampled by the seed) leaves the group alive; one more kills it.
        let mut rng = seed;
        let mut lost = BTreeSet::new();
        while lost.len() < parity as usize {
            rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            lost.insert(1 + (rng >> 33) as u32 % width);
            let (_, v) = group_verdict(&shape, &group, &lost);
            prop_assert_ne!(v, Verdict::DataLoss);
        }
        let extra = (1..=width).find(|b| !lost.contains(b)).unwrap();
        lost.insert(extra);
        let (_, v) = group_verdict(&shape, &group, &lost);
        prop_assert_eq!(v, Verdict::DataLoss);
    }

    #[test]
    fn a_placement_the_solver_calls_survivable_is(p in pods(), parity in 1u32..=3, width in 3u32..=12, kinds in prop::sample::subsequence(vec![DomainKind::Uplink, DomainKind::Backplane, DomainKind::Card, DomainKind::Psu], 1..=2)) {
        let n = p.drives.len() as u32;
        prop_assume!(width <= n && parity < width);
        let shape = Shape { level: Shape::for_width_parity(width, parity), spares: 0 };
        let Ok(pl) = place(&p, shape, &kinds) else { return Ok(()) };
        if pl.survivable() {
            for k in &kinds {
                prop_assert!(survives_brute_force(&p, &pl.layout, *k), "{:?} claimed survivable", k);
            }
        }
        // And an impossibility proof is never contradicted by the layout actually found.
        for i in &pl.impossible {
            prop_assert!(!survives_brute_force(&p, &pl.layout, i.kind), "{:?} proved impossible but survived", i.kind);
        }
    }
}

#[test]
fn raid10_loses_data_only_when_a_whole_mirror_set_goes() {
    let shape = Shape {
        level: Level::Raid10 {
            width: 4,
            copies: 2,
        },
        spares: 0,
    };
    let group = [1, 2, 3, 4];
    let lost: BTreeSet<u32> = [1, 3].into_iter().collect();
    assert_eq!(group_verdict(&shape, &group, &lost).1, Verdict::Degraded);
    let lost: BTreeSet<u32> = [1, 2].into_iter().collect();
    assert_eq!(group_verdict(&shape, &group, &lost).1, Verdict::DataLoss);
}

#[test]
fn auto_max_annual_loss_holds_every_ranked_candidate_to_the_limit() {
    // Pod 2.0, surviving a backplane: RAID6 15 loses ~1e-7 a year (0.6 % AFR, a 62.5 h
    // card-bound rebuild plus the replacement wait), so a 1e-9 limit moves the choice to a
    // triple-parity shape, and every ranked candidate carries a loss figure under the limit.
    let (code, out, err) = run(&[
        "layout",
        "--auto",
        "--survive",
        "backplane",
        "--max-annual-loss",
        "1e-9",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ranked = v["auto"]["ranked"].as_array().unwrap();
    assert!(!ranked.is_empty());
    for c in ranked {
        let loss = c["annual_loss"].as_f64().unwrap();
        assert!(loss <= 1e-9, "{}: {loss}", c["label"]);
    }
    assert!(
        ranked[0]["shape"]["level"].get("Erasure").is_some(),
        "{}",
        ranked[0]["label"]
    );
    let over: Vec<_> = v["auto"]["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["why_not"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w.as_str().unwrap().contains("above the limit"))
        })
        .collect();
    assert!(!over.is_empty(), "RAID6 15 is rejected for its annual loss");
    // A limit no shape can meet: the search says so and exits 1.
    let (code, out, _) = run(&["layout", "--auto", "--max-annual-loss", "1e-300"]);
    assert_eq!(code, 1);
    assert!(out.contains("No shape meets the constraints"), "{out}");
    let (code, _, err) = run(&["layout", "--auto", "--max-annual-loss", "2"]);
    assert_eq!(code, 2);
    assert!(err.contains("--max-annual-loss"));
}
