//! The layout engine: Backblaze's published layouts reproduce, the solver's claims hold under
//! independent brute force, capacity properties hold on generated pods, and the CLI reports
//! bad flags by name.

use crate::properties::pods;
use crate::{design_path, pod, run};
use podplan::layout::mkfs::Mkfs;
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
    assert!(
        matches!(
            imp[0].reason,
            layout::ImpossibleReason::TooManyDrives {
                drives: 15,
                units: 3,
                per_unit: 2,
                free: 0,
                ..
            }
        ),
        "{:?}",
        imp[0].reason
    );
    assert!(
        imp[0].reason.to_string().contains("15 drives"),
        "{}",
        imp[0].reason
    );
    // --auto with both finds the best shape that does, and it really does.
    let c = layout::AutoConstraints {
        min_parity: 1,
        max_parity: 3,
        max_width: Some(45),
        spares: 0,
        partition_align: Bytes(layout::MIB),
        survive: vec![DomainKind::Backplane, DomainKind::Card],
        max_annual_loss: None,
        loss_model: None,
        zfs: None,
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
            cand.shape
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
        crate::flat(&out).contains("Cannot survive a card failure with RAID6 15 (13+2)"),
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
        (
            &["layout", "--auto", "--min-parity", "5", "--max-parity", "4"],
            "--min-parity 5 is more than --max-parity 4",
        ),
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
        // Adding a spare never increases usable capacity, when the solver places both (a
        // design's own listed groups need not be the best placement of its shape).
        let mut free = p.clone();
        free.raid.groups.clear();
        let more = Shape { spares: shape.spares + 1, ..shape };
        if let (Ok(pl1), Ok(pl2)) = (place(&free, shape, &[]), place(&free, more, &[])) {
            let cap1 = capacity(&free, &pl1.layout, &o);
            let cap2 = capacity(&free, &pl2.layout, &o);
            prop_assert!(cap2.before_filesystem <= cap1.before_filesystem);
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

/// The `--auto` search's text for a pod with the CLI's defaults (parity from the design's own
/// to 3), without the annual-loss figures.
fn auto_text(p: &Pod, max_width: Option<u32>) -> (layout::AutoResult, String) {
    let c = layout::AutoConstraints {
        min_parity: own_shape(p).tolerance(),
        max_parity: 3,
        max_width,
        spares: 0,
        partition_align: Bytes(layout::MIB),
        survive: vec![],
        max_annual_loss: None,
        loss_model: None,
        zfs: None,
    };
    // Without the upgrade search (what surviving a card or PSU would cost), which is not tested here.
    let r = layout::auto_with(p, &c, &|_| None, false);
    let chosen = r.chosen.clone().unwrap();
    let o = Overheads::for_filesystem(p.raid.filesystem);
    let report = layout::report(p, &chosen, p.raid.filesystem, &o, Some(r.clone()));
    let text = podplan::render::sections_table(&podplan::render::layout_sections(&report));
    (r, text)
}

#[test]
fn auto_bounds_the_width_by_default_and_says_why_the_winner_won() {
    // Issue 10 item 6: with every drive allowed in one group, --auto chose RAID6 45 (43+2) on
    // Pod 2.0 and 58+2 on Pod 6.0. By default the width is bounded by parity (documented at
    // `layout::default_max_width`), and the report says what decided the choice.
    let mut texts = Vec::new();
    for rev in ["2.0", "6.0"] {
        let p = pod(rev);
        let (r, text) = auto_text(&p, None);
        let shape = r.chosen.as_ref().unwrap().layout.shape;
        assert!(
            shape.width() <= layout::default_max_width(shape.tolerance()),
            "pod {rev}: {}",
            shape.label()
        );
        for c in r.ranked.iter().chain(&r.rejected) {
            assert!(
                c.shape.width() <= layout::default_max_width(c.shape.tolerance()),
                "pod {rev}: {}",
                c.shape
            );
        }
        assert_eq!(r.decided_by, Some(layout::Decision::Capacity), "pod {rev}");
        // The report says why: capacity against the runner-up, and the bound.
        assert!(
            text.contains("more than the runner-up"),
            "pod {rev}: {text}"
        );
        assert!(
            text.contains("widest group by default"),
            "pod {rev}: {text}"
        );
        texts.push(text);
    }
    // Pod 2.0: RAID6 15 (3 × 13 data drives) beats EC 12+3 (3 × 12); the runner-up ties the
    // next shape on capacity, and the tie-break is stated.
    assert!(
        texts[0].contains("Chosen: RAID6 15 (13+2) with 117.00 TB before the filesystem, 9.00 TB more than the runner-up EC 12+3 (108.00 TB)."),
        "{}", texts[0]
    );
    assert!(
        texts[0].contains("Runner-up: EC 12+3 at 108.00 TB: the same 108.00 TB as the next, RAID6 11 (9+2), with more parity (3 against 2)."),
        "{}", texts[0]
    );
    // Pod 6.0: RAID6 15 (4 × 13 data drives) beats EC 17+3 (3 × 17) by one 4 TB drive.
    assert!(
        texts[1].contains("Chosen: RAID6 15 (13+2) with 208.00 TB before the filesystem, 4.00 TB more than the runner-up EC 17+3 (204.00 TB)."),
        "{}", texts[1]
    );
    // An explicit --max-width replaces the bound: the old answer comes back.
    let (r, _) = auto_text(&pod("2.0"), Some(45));
    assert_eq!(r.chosen.unwrap().layout.shape.label(), "RAID6 45 (43+2)");
    // The CLI: the bound is in --help, and the default search keeps to it.
    let (_, help, _) = run(&["layout", "--help"]);
    assert!(
        help.contains("default 9 at parity 1, 15 at parity 2, 20 at parity 3 or more"),
        "{help}"
    );
    let (code, out, err) = run(&["layout", "--auto"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("width ≤ 15 at parity 2, ≤ 20 at parity 3 by default"),
        "{out}"
    );
    assert!(
        out.contains("Chosen: RAID6 15 (13+2) with 117.00 TB"),
        "{out}"
    );
}

#[test]
fn an_impossible_kind_names_its_component_and_bound_and_the_rest_is_still_survived() {
    // Issue 10 item 7: --survive backplane,card on Pod 2.0 said no placement survives every
    // backplane failure, though --survive backplane alone finds one. The card is what cannot be
    // survived: a card holds 15 drives and 3 groups × 2 parity absorb at most 6.
    let p = pod("2.0");
    let pl = place(
        &p,
        own_shape(&p),
        &[DomainKind::Backplane, DomainKind::Card],
    )
    .unwrap();
    assert_eq!(pl.unmet, vec![DomainKind::Card]);
    assert!(survives_brute_force(&p, &pl.layout, DomainKind::Backplane));
    let (code, out, err) = run(&["layout", "--survive", "backplane,card"]);
    assert_eq!(
        code, 1,
        "a requested survival that cannot be met exits 1: {err}"
    );
    assert!(
        crate::flat(&out).contains("Cannot survive a card failure with RAID6 15 (13+2): card SLOT5 holds 15 drives; 3 groups × 2 tolerated losses absorb at most 6 of them."),
        "{out}"
    );
    assert!(!crate::flat(&out).contains("No placement found"), "{out}");
    assert!(
        out.contains("Survives any single backplane failure"),
        "{out}"
    );
}

#[test]
fn options_that_would_be_ignored_are_errors() {
    // Issue 10 item 8: a parity the level fixes, copies on a level without mirrors, and a
    // filesystem override with no filesystem were silently ignored.
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["layout", "--raid", "raid5", "--width", "5", "--parity", "3"],
            &["--parity 3", "RAID5 has parity 1"],
        ),
        (
            &[
                "layout", "--raid", "raid6", "--width", "15", "--parity", "3",
            ],
            &["--parity 3", "RAID6 has parity 2"],
        ),
        (
            &["layout", "--raid", "raid0", "--width", "5", "--parity", "1"],
            &["--parity 1", "RAID0 has parity 0"],
        ),
        (
            &[
                "layout", "--raid", "raid6", "--width", "15", "--copies", "3",
            ],
            &["--copies", "mirror and raid10"],
        ),
        (
            &[
                "layout", "--raid", "mirror", "--width", "2", "--copies", "3",
            ],
            &["--width 2", "--copies 3"],
        ),
        (
            &["layout", "--fs-log", "1 PB", "--filesystem", "none"],
            &["--fs-log", "no filesystem"],
        ),
        (
            &["layout", "--fs-metadata-pct", "1", "--filesystem", "none"],
            &["--fs-metadata-pct", "no filesystem"],
        ),
        (
            &["layout", "--fs-reserved-pct", "1", "--filesystem", "none"],
            &["--fs-reserved-pct", "no filesystem"],
        ),
    ];
    for (args, needles) in cases {
        let (code, out, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}");
        for n in *needles {
            assert!(err.contains(n), "{args:?}: {err}");
        }
    }
    // The parity a level implies may be stated.
    let (code, _, err) = run(&[
        "layout", "--raid", "raid6", "--width", "15", "--parity", "2",
    ]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn every_count_has_a_stated_bound_checked_before_any_work() {
    // Issue 18 item 6: --auto --max-parity 4294967295 was accepted and ran for 20 s.
    let (_, help, _) = run(&["layout", "--help"]);
    const BIG: &str = "4294967295";
    let cases: &[(&str, &[&str])] = &[
        ("--width", &["layout", "--raid", "raid6", "--width", BIG]),
        (
            "--parity",
            &[
                "layout", "--raid", "erasure", "--width", "5", "--parity", BIG,
            ],
        ),
        ("--copies", &["layout", "--raid", "mirror", "--copies", BIG]),
        ("--spares", &["layout", "--spares", BIG]),
        ("--min-parity", &["layout", "--auto", "--min-parity", BIG]),
        ("--max-parity", &["layout", "--auto", "--max-parity", BIG]),
        ("--max-width", &["layout", "--auto", "--max-width", BIG]),
    ];
    for (flag, args) in cases {
        let t = std::time::Instant::now();
        let (code, _, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(flag), "{args:?}: {err}");
        assert!(t.elapsed().as_secs() < 5, "{args:?} ran {:?}", t.elapsed());
        let entry = help
            .lines()
            .skip_while(|l| !l.trim_start().starts_with(&format!("{flag} <")))
            .take_while(|l| !l.trim().is_empty())
            .collect::<String>();
        assert!(
            entry.contains("at most"),
            "{flag}: no bound in --help: {entry}"
        );
    }
    for (flag, v) in [
        ("--partition-align", "2 PB"),
        ("--fs-log", "18446744073709551615 B"),
    ] {
        let (code, _, err) = run(&["layout", flag, v]);
        assert_eq!(code, 2, "{flag}: {err}");
        assert!(
            err.contains(flag) && err.contains("at most"),
            "{flag}: {err}"
        );
    }
}

#[test]
fn partition_alignment_flows_into_groups_parity_and_usable() {
    // Issue 18 item 8: --partition-align changed only its own stage. By hand for Pod 2.0 (45 ×
    // 3 TB, RAID6 15 × 3) with a 1 GiB alignment: each partition starts 1 GiB in and spans whole
    // MiB to the end of the drive, so a member is ⌊(3·10^12 − 2^30) / 2^20⌋ MiB.
    let member: u64 = (3_000_000_000_000 - (1 << 30)) / (1 << 20) * (1 << 20);
    let (code, out, err) = run(&[
        "layout",
        "--partition-align",
        "1 GiB",
        "--filesystem",
        "none",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for g in v["groups"].as_array().unwrap() {
        assert_eq!(g["member"].as_u64().unwrap(), member);
    }
    assert_eq!(
        v["pipeline"]["before_filesystem"].as_u64().unwrap(),
        3 * 13 * member
    );
    assert_eq!(v["pipeline"]["usable"].as_u64().unwrap(), 3 * 13 * member);
    // An alignment as large as the drive leaves nothing, in every later stage.
    let (code, out, err) = run(&["layout", "--partition-align", "3 TB", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["pipeline"]["before_filesystem"].as_u64().unwrap(), 0);
    assert_eq!(v["pipeline"]["usable"].as_u64().unwrap(), 0);
    assert!(
        err.contains("--partition-align"),
        "a warning says the drives are used up: {err}"
    );
}

/// Issue 12: mkfs.ext4 (e2fsprogs 1.47, the "huge" usage type above 16 TiB) on one 13+2 group
/// of 3 TB drives leaves 36.894 TB available and 0.40 % metadata, measured with df. The
/// built-in Pod 2.0 is three such groups with ext4: usable is three times the measurement.
/// (Before: 1.5625 % of inode tables and 5 % of what they left, 36.470 TB a group.)
#[test]
fn ext4_group_reproduces_the_measured_df_of_a_13_plus_2_group_of_3_tb() {
    let (code, out, err) = run(&["layout", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let usable = v["pipeline"]["usable"].as_u64().unwrap() as f64;
    assert_eq!((usable / 3.0 / 1e9).round() / 1e3, 36.894);
    let stages = v["pipeline"]["stages"].as_array().unwrap();
    let meta = stages
        .iter()
        .find(|s| s["name"] == "filesystem metadata")
        .unwrap();
    let note = meta["note"].as_str().unwrap();
    assert!(note.starts_with("0.40"), "{note}");
    assert!(note.contains("mke2fs 1.47.4 'huge'"), "{note}");
}

/// Issue 12: XFS as mkfs.xfs 6.5.0 makes it (reflink, finobt and rmapbt, whose per-AG
/// reservations `df` does not show as available) and JFS's 128 MiB log (jfsutils 1.1.14+), on
/// the built-in Pod 2.0's 39 TB groups. (Before: XFS 0.01 % + 2 GiB, JFS a 32 MiB log.)
#[test]
fn xfs_and_jfs_overheads_are_their_current_mkfs_ones() {
    let member: u64 = ((3_000_000_000_000u64 >> 20) - 1) << 20;
    let g = 13 * member;
    for (fs, lo, hi, words) in [
        (
            "xfs",
            1.90,
            1.95,
            "mkfs.xfs 6.5.0 (reflink, finobt, rmapbt): 36 AGs",
        ),
        (
            "jfs",
            0.0033,
            0.0035,
            "jfs_mkfs 1.1.15: block map, 128 MiB inline log",
        ),
    ] {
        let (code, out, err) = run(&["layout", "--filesystem", fs, "--format", "json"]);
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let stages = v["pipeline"]["stages"].as_array().unwrap();
        let meta = stages
            .iter()
            .find(|s| s["name"] == "filesystem metadata")
            .unwrap();
        let spent = 3 * g - meta["bytes"].as_u64().unwrap();
        let pct = 100.0 * spent as f64 / (3 * g) as f64;
        assert!((lo..hi).contains(&pct), "{fs}: {pct} %");
        assert!(
            meta["note"].as_str().unwrap().contains(words),
            "{fs}: {}",
            meta["note"]
        );
        // Neither reserves blocks for root.
        assert_eq!(v["pipeline"]["usable"], meta["bytes"], "{fs}");
    }
}

/// Overheads anywhere in their range, including `u64::MAX`-sized byte values.
fn overheads() -> impl Strategy<Value = Overheads> {
    let bytes = prop_oneof![
        Just(0u64),
        Just(u64::MAX),
        Just(u64::MAX - 1),
        1u64..=u64::MAX,
        1u64..(1u64 << 32)
    ];
    let mkfs = prop_oneof![
        Just(Mkfs::Ext4),
        Just(Mkfs::Xfs { rmapbt: true }),
        Just(Mkfs::Xfs { rmapbt: false }),
        Just(Mkfs::Jfs),
        Just(Mkfs::None)
    ];
    (
        bytes.clone(),
        proptest::option::of(bytes),
        proptest::option::of(0.0f64..1.0),
        proptest::option::of(0.0f64..1.0),
        mkfs,
    )
        .prop_map(|(a, f, m, r, mkfs)| Overheads {
            partition_align: Bytes(a),
            mkfs,
            fs_metadata: m,
            fs_fixed: f.map(Bytes),
            fs_reserved: r,
            zfs: None,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_pipeline_never_wraps_whatever_the_overheads((p, shape) in pods().prop_flat_map(|p| {
        let n = p.drives.len() as u32;
        (Just(p), shapes(n))
    }), o in overheads(), code in (1u32..=20, 1u32..=5)) {
        // Issue 10 item 14: u64::MAX-sized overheads overflowed the filesystem stage. Built with
        // overflow checks on (Cargo.toml's test profile), a wrap would panic here.
        let Ok(pl) = place(&p, shape, &[]) else { return Ok(()) };
        let raw = p.raw_capacity();
        for cap in [capacity(&p, &pl.layout, &o), layout::vault_capacity(&p, podplan::spec::Vault { data: code.0, parity: code.1 }, &o)] {
            prop_assert!(cap.usable <= raw);
            for w in cap.stages.windows(2) {
                prop_assert!(w[1].bytes <= w[0].bytes, "{} → {}", w[0].name, w[1].name);
            }
        }
        let r = layout::report(&p, &pl, Filesystem::Ext4, &o, None);
        prop_assert!(r.pipeline.usable <= raw);
    }

    #[test]
    fn usable_is_non_increasing_in_partition_alignment((p, shape) in pods().prop_flat_map(|p| {
        let n = p.drives.len() as u32;
        (Just(p), shapes(n))
    }), a in 0u64..(4 * TB), b in 0u64..(4 * TB)) {
        let Ok(pl) = place(&p, shape, &[]) else { return Ok(()) };
        let (small, large) = (a.min(b), a.max(b));
        let at = |align: u64| {
            let o = Overheads { partition_align: Bytes(align), ..Overheads::for_filesystem(Filesystem::Ext4) };
            capacity(&p, &pl.layout, &o)
        };
        let (s, l) = (at(small), at(large));
        prop_assert!(l.usable <= s.usable, "align {small} → {} B usable, {large} → {} B", s.usable.0, l.usable.0);
        prop_assert!(l.before_filesystem <= s.before_filesystem);
        // And the groups the report shows carry the same member sizes the pipeline used.
        let o = Overheads { partition_align: Bytes(large), ..Overheads::for_filesystem(Filesystem::Ext4) };
        let r = layout::report(&p, &pl, Filesystem::Ext4, &o, None);
        let data = u64::from(shape.data());
        let sum = r.groups.iter().fold(Bytes(0), |acc, g| acc.saturating_add(g.member.saturating_mul(data)));
        prop_assert_eq!(sum, r.pipeline.before_filesystem);
    }
}

/// Absurd numbers given to layout's options are echoed with at most a dozen digits.
#[test]
fn layout_errors_echo_absurd_numbers_readably() {
    for args in [
        ["--fs-reserved-pct", "1e300"],
        ["--fs-metadata-pct", "nan"],
        ["--max-annual-loss", "1e300"],
    ] {
        let mut argv = vec!["layout"];
        if args[0] == "--max-annual-loss" {
            argv.push("--auto");
        }
        argv.extend(args);
        let (code, _, err) = crate::run(&argv);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(!err.contains("NaN"), "{err}");
        let digits = err.chars().filter(char::is_ascii_digit).count();
        assert!(digits < 40, "{args:?}: {err}");
    }
}

#[test]
fn the_layout_report_holds_typed_values_its_json_words() {
    // Pod 4.5: each row of 15 drives hangs off one card (docs/sources.md §7), 1 MiB partition alignment.
    let r = podplan::study::design(&crate::pod("4.5"), "pod 4.5")
        .unwrap()
        .layout;
    let g = &r.groups[0];
    assert_eq!(g.bays, (1..=15).collect::<Vec<u32>>());
    assert_eq!(
        g.per_card.0.iter().collect::<Vec<_>>(),
        vec![(&"SLOT7".to_string(), &15)]
    );
    let notes: Vec<_> = r.pipeline.stages.iter().map(|s| s.note).collect();
    assert_eq!(
        notes[1],
        layout::StageNote::Alignment {
            align: r.overheads.partition_align
        }
    );
    assert!(matches!(
        notes[4],
        layout::StageNote::Parity {
            groups: 3,
            data: 13,
            ..
        }
    ));
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["shape_label"], "RAID6 15 (13+2)");
    assert_eq!(v["groups"][0]["bays"], "1-15");
    assert_eq!(v["groups"][0]["per_card"], "SLOT7×15");
    assert_eq!(
        v["pipeline"]["stages"][1]["note"],
        "one partition per drive, 1 MiB aligned"
    );
    // One of its PSUs also powers the board (as the design file states): a remark as data, worded in the JSON.
    let (i, psu) = r
        .exposure
        .iter()
        .enumerate()
        .find(|(_, e)| e.kind == DomainKind::Psu)
        .unwrap();
    assert_eq!(psu.notes.len(), 1);
    assert_eq!(psu.notes[0].note, layout::DomainNote::PowersBoard);
    assert_eq!(
        v["exposure"][i]["notes"][0],
        format!("{}: {}", psu.notes[0].instance, psu.notes[0].note)
    );
}

#[test]
fn auto_rejections_are_typed_reasons_worded_as_before() {
    // Pod 6.0 held to 1e-9 per year: wide shapes are rejected for their annual loss, the
    // reason carries both figures, and the JSON words it.
    let p = pod("6.0");
    let c = layout::AutoConstraints {
        min_parity: 2,
        max_parity: 2,
        max_width: Some(15),
        spares: 0,
        partition_align: Bytes(0),
        survive: vec![],
        max_annual_loss: Some(1e-9),
        loss_model: None,
        zfs: None,
    };
    let loss = |l: &layout::Layout| {
        podplan::study::pod_annual_loss(&p, l, podplan::durability::Model::Sliding)
    };
    let r = layout::auto_with(&p, &c, &loss, false);
    let (i, cand) = r
        .rejected
        .iter()
        .enumerate()
        .find(|(_, c)| !c.why_not.is_empty())
        .unwrap();
    let layout::WhyNot::AnnualLoss { loss, max } = cand.why_not[0] else {
        panic!("{:?}", cand.why_not);
    };
    assert!(loss > max && max == 1e-9, "{loss} {max}");
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["rejected"][i]["why_not"][0], cand.why_not[0].to_string());
    assert_eq!(v["rejected"][i]["label"], cand.shape.label());
}

#[test]
fn a_zfs_layout_prints_what_zfs_list_reports_to_the_byte() {
    let args = [
        "layout",
        "designs/backblaze-pod-6.0.ron",
        "--raid",
        "raidz2",
        "--width",
        "15",
        "--recordsize",
        "1 MiB",
    ];
    let (code, table, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let (_, json, _) = run(&json_args);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let z = &v["pipeline"]["zfs"];
    let grouped = |n: u64| {
        let d = n.to_string();
        d.chars()
            .enumerate()
            .flat_map(|(i, c)| {
                let comma = i > 0 && (d.len() - i).is_multiple_of(3);
                comma.then_some(',').into_iter().chain([c])
            })
            .collect::<String>()
    };
    let flat = crate::flat(&table);
    let list = z["zfs_list"].as_u64().unwrap();
    assert!(
        flat.contains(&format!("`zfs list` reports {} B", grouped(list))),
        "{flat}"
    );
    assert!(
        flat.contains(&format!("deflate ratio {}/512", z["deflate_ratio"])),
        "{flat}"
    );
    // The usable stage is the same bytes, and 1 MiB records pad less than 128 KiB ones.
    assert_eq!(v["pipeline"]["usable"].as_u64(), Some(list));
    let at_1mib = z["at_recordsize"].as_u64().unwrap();
    assert!(at_1mib > list, "{at_1mib} <= {list}");
    assert!(flat.contains(&format!(
        "Data written in 1 MiB records fits {} B",
        grouped(at_1mib)
    )));
}

#[test]
fn a_failed_card_makes_a_group_unavailable_while_drives_and_the_pod_lose_data() {
    // Pod 2.0 as Backblaze laid it out: each card carries one whole 15-drive row, so a card
    // failure takes 15 members of a RAID6 group offline. The drives come back when the card is
    // replaced: that is an outage, not a loss. A pod loss (fire) destroys the data.
    let p = pod("2.0");
    let rows = place(&p, own_shape(&p), &[]).unwrap();
    let exp = layout::exposure(&rows.layout, &domains(&p));
    let verdict = |k| exp.iter().find(|e| e.kind == k).unwrap().verdict;
    assert_eq!(verdict(DomainKind::Card), Verdict::Unavailable);
    assert_eq!(verdict(DomainKind::Backplane), Verdict::Unavailable);
    assert_eq!(verdict(DomainKind::Pod), Verdict::DataLoss);
    assert_eq!(verdict(DomainKind::Drive), Verdict::Degraded);
    // The text says so, and keeps the outage out of the data-loss wording.
    let (code, out, err) = run(&["layout", design_path("2.0").to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let flat = crate::flat(&out);
    assert!(flat.contains("unavailable until repaired"), "{out}");
    // Asking to survive a card still fails: an unavailable group is not a survived one.
    let (code, _, _) = run(&["layout", "--survive", "card"]);
    assert_eq!(code, 1);
}

#[test]
fn a_component_whose_bays_all_have_another_path_takes_nothing_offline() {
    // The API another path (multipath, a redundant PSU) uses: bays kept online are `covered`.
    let p = pod("2.0");
    let rows = place(&p, own_shape(&p), &[]).unwrap();
    let mut doms = domains(&p);
    for d in doms.iter_mut().filter(|d| d.kind == DomainKind::Card) {
        let served: Vec<u32> = d.bays.iter().chain(&d.covered).copied().collect();
        *d = layout::Domain::new(DomainKind::Card, d.id.clone(), served, |_| true);
        assert!(d.bays.is_empty());
        assert_eq!(d.served(), 15);
    }
    let exp = layout::exposure(&rows.layout, &doms);
    let card = exp.iter().find(|e| e.kind == DomainKind::Card).unwrap();
    assert_eq!(card.verdict, Verdict::Survives);
    assert_eq!(card.worst_in_group, 0);
    assert_eq!(
        card.max_drives, 15,
        "drives behind one card, covered or not"
    );
    // Half covered: the other half still goes offline.
    let d = layout::Domain::new(DomainKind::Card, "x".into(), vec![4, 1, 3, 2], |b| {
        b % 2 == 0
    });
    assert_eq!((d.bays, d.covered), (vec![1, 3], vec![2, 4]));
}

#[test]
fn a_draid_layout_reports_what_openzfs_computes_for_it() {
    // Pod 6.0 (60 × 4 TB) as one draid2:8d:60c:2s: the usable bytes are the library's dRAID
    // pool of 60 whole 4 TB disks, and two spares cost what two fewer children would.
    let args = [
        "layout",
        "designs/backblaze-pod-6.0.ron",
        "--raid",
        "draid2:8d:60c:2s",
        "--format",
        "json",
    ];
    let (code, json, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let kind = |spares| layout::zfs::VdevKind::Draid {
        parity: 2,
        data: 8,
        spares,
    };
    let z = layout::zfs::ZfsParams::default();
    let (listed, slop, _, ratio) = layout::zfs::pool_of_disks(kind(2), 60, 1, 4 * TB, &z);
    assert_eq!(v["pipeline"]["zfs"]["zfs_list"].as_u64(), Some(listed));
    assert_eq!(v["pipeline"]["zfs"]["slop"].as_u64(), Some(slop));
    // 128 KiB over 8 data columns at 4 KiB: 4 rows of 10 = 40 sectors = 320 units: 409.
    assert_eq!(ratio, 409);
    assert_eq!(
        listed,
        layout::zfs::pool_of_disks(kind(0), 58, 1, 4 * TB, &z).0
    );
    assert_eq!(v["shape"]["level"]["Draid"]["children"], 60);
    // `draid2` alone takes every drive, at most 8 data disks per group, no spares.
    let (code, json, err) = run(&[
        "layout",
        "designs/backblaze-pod-6.0.ron",
        "--raid",
        "draid2",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v["shape"]["level"]["Draid"],
        serde_json::json!({"parity": 2, "data": 8, "children": 60, "spares": 0})
    );
}

#[test]
fn impossible_draid_types_are_errors_naming_the_flag() {
    for (raid, want) in [
        ("draid2:8d:60c:51s", "at least 61 are needed"),
        ("draid2:8d:60c:101s", "at most 100 distributed spares"),
        ("draid4:8d", "parity is 1, 2 or 3, not 4"),
        ("draid2:8x", "expected :<number><d|c|s>"),
        ("draid2:8d:256c", "at most 255 children"),
    ] {
        let (code, _, err) = run(&["layout", "designs/backblaze-pod-6.0.ron", "--raid", raid]);
        assert_eq!(code, 2, "{raid}: {err}");
        assert!(
            err.contains("--raid") && err.contains(want),
            "{raid}: {err}"
        );
    }
    let (code, _, err) = run(&[
        "layout",
        "designs/backblaze-pod-6.0.ron",
        "--raid",
        "draid2:8d:30c",
        "--width",
        "20",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--width 20 and --raid draid2:8d:30c disagree"),
        "{err}"
    );
    let (code, _, err) = run(&["layout", "designs/backblaze-pod-6.0.ron", "--raid", "raid7"]);
    assert_eq!(code, 2);
    assert!(err.contains("draid<p>"), "{err}");
}

#[test]
fn auto_over_zfs_ranks_raidz_mirrors_and_draid_by_what_zfs_list_reports() {
    let (code, json, err) = run(&[
        "layout",
        "designs/backblaze-pod-6.0.ron",
        "--auto",
        "--filesystem",
        "zfs",
        "--min-parity",
        "1",
        "--fill",
        "0.8",
        "--format",
        "json",
    ]);
    assert!(code == 0 || code == 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let a = &v["auto"];
    let all: Vec<&serde_json::Value> = a["ranked"]
        .as_array()
        .unwrap()
        .iter()
        .chain(a["rejected"].as_array().unwrap())
        .collect();
    let kinds: BTreeSet<String> = all
        .iter()
        .filter_map(|c| c["shape"]["level"].as_object())
        .flat_map(|o| o.keys().cloned())
        .collect();
    let want: BTreeSet<String> = ["RaidZ", "Mirror", "Draid"].map(String::from).into();
    assert_eq!(kinds, want, "{kinds:?}");
    // Ranked by the capacity `zfs list` reports, best first; every placed candidate has its
    // resilver time; the chosen one's capacity is the report's own ZFS figure.
    let ranked = a["ranked"].as_array().unwrap();
    let caps: Vec<u64> = ranked
        .iter()
        .map(|c| c["before_filesystem"].as_u64().unwrap())
        .collect();
    assert!(caps.windows(2).all(|w| w[0] >= w[1]), "{caps:?}");
    assert!(
        ranked
            .iter()
            .all(|c| c["rebuild_hours"].as_f64().unwrap() > 0.0)
    );
    assert_eq!(v["pipeline"]["zfs"]["zfs_list"].as_u64(), Some(caps[0]));
    assert_eq!(v["shape"], ranked[0]["shape"]);
    // A RAIDZ2 15 candidate holds what the library computes for four of them on 4 TB disks.
    let z = layout::zfs::ZfsParams {
        fill: 0.8,
        ..Default::default()
    };
    let raidz2 = all
        .iter()
        .find(|c| c["shape"]["level"]["RaidZ"] == serde_json::json!({"parity": 2, "width": 15}))
        .unwrap();
    assert_eq!(
        raidz2["before_filesystem"].as_u64(),
        Some(layout::zfs::pool_of_disks(layout::zfs::VdevKind::RaidZ(2), 15, 4, 4 * TB, &z).0)
    );
    // A dRAID's redundancy groups (data + parity) keep to the same width bound as a RAIDZ
    // vdev: 15 at parity 2 and below, 20 at parity 3 (the defaults).
    for c in &all {
        if let Some(d) = c["shape"]["level"]["Draid"].as_object() {
            let (p, data) = (d["parity"].as_u64().unwrap(), d["data"].as_u64().unwrap());
            let bound = if p >= 3 { 20 } else { 15 };
            assert!(data + p <= bound, "{d:?} is wider than {bound}");
        }
    }
}

/// Pod 6.0 written out under ZFS with `raid` replaced by `raid_text`, in a directory with its
/// catalog; returns the directory (kept alive by the caller) and the design's path.
fn zfs_design(raid_text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(design_path("6.0")).unwrap();
    let start = text.find("    raid: (").unwrap();
    let end = start + text[start..].find("\n    published:").unwrap();
    let text = format!("{}{raid_text}{}", &text[..start], &text[end..]);
    let catalog = design_path("6.0").with_file_name("catalog.ron");
    std::fs::copy(catalog, dir.path().join("catalog.ron")).unwrap();
    let path = dir.path().join("pod-zfs.ron");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

#[test]
fn a_designs_zfs_settings_are_used_and_flags_override_them() {
    let (_dir, path) = zfs_design(
        r#"    raid: (
        level: RaidZ(parity: 2, width: 15),
        filesystem: Zfs,
        zfs: (ashift: 9, recordsize: "1M", slop: Legacy, fill: 0.5, free_target_pct: 20),
    ),"#,
    );
    let p = path.to_str().unwrap();
    let json = |extra: &[&str]| {
        let mut args = vec!["layout", p, "--format", "json"];
        args.extend(extra);
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()
    };
    let v = json(&[]);
    let z = &v["overheads"]["zfs"];
    assert_eq!(z["ashift"], 9);
    assert_eq!(z["recordsize"], 1 << 20);
    assert_eq!(z["slop"], "legacy");
    assert_eq!(z["fill"], 0.5);
    assert_eq!(z["free_target"], 0.2);
    let v = json(&["--ashift", "12", "--fill", "1", "--recordsize", "128K"]);
    let z = &v["overheads"]["zfs"];
    assert_eq!(
        (z["ashift"].as_u64(), z["fill"].as_f64()),
        (Some(12), Some(1.0))
    );
    assert_eq!(z["recordsize"], 128 << 10);
    assert_eq!(z["slop"], "legacy");
    // The durability models take the design's fill.
    let (code, out, err) = run(&["durability", p, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let d: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d["groups"][0]["rebuild"]["fill"], 0.5, "{out}");
}

#[test]
fn bad_zfs_settings_are_located_coded_errors() {
    for (zfs, fs, place) in [
        ("(ashift: 10)", "Zfs", "raid.zfs.ashift"),
        (r#"(recordsize: "3M")"#, "Zfs", "raid.zfs.recordsize"),
        ("(fill: 0)", "Zfs", "raid.zfs.fill"),
        ("(fill: 1.5)", "Zfs", "raid.zfs.fill"),
        ("(free_target_pct: 100)", "Zfs", "raid.zfs.free_target_pct"),
        ("(fill: 0.8)", "Ext4", "raid.zfs"),
    ] {
        let level = if fs == "Zfs" {
            "RaidZ(parity: 2, width: 15)"
        } else {
            "Raid6(width: 15)"
        };
        let (_dir, path) = zfs_design(&format!(
            "    raid: (\n        level: {level},\n        filesystem: {fs},\n        zfs: {zfs},\n    ),"
        ));
        let (code, out, err) = run(&["check", path.to_str().unwrap()]);
        let all = format!("{out}{err}");
        assert_eq!(code, 2, "{zfs}: {all}");
        assert!(
            all.contains(&format!("error[invalid-zfs] at {place}:")),
            "{zfs}: {all}"
        );
    }
}
