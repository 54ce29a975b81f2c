//! `podplan sweep`: the front is feasible and undominated, a variant's figures are what the
//! other commands print for its design, output does not depend on the thread count, and bad
//! input is refused.

use crate::run;
use podplan::load::{self, Document, Loaded};
use podplan::spec::Level;
use podplan::study::sweep::{
    self, Axis, Constraints, Objective, SweepRequest, dominates, objectives,
};

fn loaded(rev: &str) -> Loaded {
    let Document::Design(l) = load::load_file(&crate::design_path(rev)).unwrap() else {
        panic!("a design");
    };
    *l
}

fn request(constraints: Constraints) -> SweepRequest {
    SweepRequest {
        axes: vec![
            Axis::Drive(vec![
                "hitachi-hds5c3030ala630".into(),
                "wd-wd1600aajs".into(),
            ]),
            Axis::Raid(vec![
                Level::Raid6 { width: 15 },
                Level::Raid6 { width: 9 },
                Level::Raid5 { width: 5 },
                Level::Raid6 { width: 46 },
            ]),
            Axis::Spares(vec![0, 1]),
        ],
        model: podplan::durability::Model::Sliding,
        constraints,
        objectives: Objective::DEFAULT.to_vec(),
    }
}

#[test]
fn every_front_member_is_feasible_and_no_evaluated_variant_dominates_it() {
    let c = Constraints {
        max_rebuild_hours: Some(30.0),
        ..Constraints::default()
    };
    let sets: [&[Objective]; 3] = [
        &Objective::DEFAULT,
        &[Objective::TotalCost, Objective::UsableTb, Objective::LoadW],
        &[Objective::RebuildHours],
    ];
    for objs in sets {
        let req = SweepRequest {
            objectives: objs.to_vec(),
            ..request(c)
        };
        let s = sweep::sweep(&loaded("2.0"), "Pod 2.0", &req).unwrap();
        assert_eq!(s.variants.len(), 16);
        // Width 46 does not fit 45 drives: counted with its reason, not dropped.
        let invalid = s.variants.iter().filter(|v| v.invalid.is_some()).count();
        assert_eq!(invalid, 4);
        assert_eq!(s.invalid.values().map(|c| c.variants).sum::<usize>(), 4);
        assert!(!s.front.is_empty());
        let of = |i: usize| objectives(s.variants[i].figures.as_ref().unwrap(), objs);
        let feasible: Vec<usize> = s
            .variants
            .iter()
            .filter(|v| v.feasible())
            .map(|v| v.index)
            .collect();
        for i in &s.front {
            assert!(
                s.variants[*i].feasible(),
                "front member {i} is not feasible"
            );
            for v in &feasible {
                assert!(
                    !dominates(&of(*v), &of(*i)),
                    "{v} dominates front member {i}"
                );
            }
        }
        // And the front is complete: every feasible variant off it is dominated by a member.
        for v in feasible.iter().filter(|v| !s.variants[**v].front) {
            assert!(
                s.front.iter().any(|i| dominates(&of(*i), &of(*v))),
                "variant {v} is neither on the front nor dominated ({objs:?})"
            );
        }
        // Sorted by the first objective.
        let firsts: Vec<f64> = s.front.iter().map(|i| of(*i)[0]).collect();
        assert!(firsts.windows(2).all(|w| w[0] <= w[1]), "{firsts:?}");
    }
}

#[test]
fn adding_a_variant_keeps_every_member_it_does_not_dominate() {
    let s = sweep::sweep(&loaded("2.0"), "Pod 2.0", &request(Constraints::default())).unwrap();
    let valid: Vec<_> = s
        .variants
        .iter()
        .filter(|v| v.feasible())
        .cloned()
        .collect();
    // The front of every prefix, then one more variant: a member leaves only when the new
    // variant dominates it.
    for n in 1..valid.len() {
        let before = sweep::front(&valid[..n], &Objective::DEFAULT);
        let after = sweep::front(&valid[..=n], &Objective::DEFAULT);
        let new = objectives(valid[n].figures.as_ref().unwrap(), &Objective::DEFAULT);
        for i in before {
            let m = s.variants[i].figures.as_ref().unwrap();
            if !dominates(&new, &objectives(m, &Objective::DEFAULT)) {
                assert!(after.contains(&i), "adding {} removed {i}", valid[n].index);
            }
        }
    }
}

#[test]
fn a_front_design_written_to_out_reports_the_sweeps_figures() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sweep");
    let out_s = out.to_str().unwrap();
    let (code, json, err) = run(&[
        "sweep",
        "designs/backblaze-pod-6.0.ron",
        "--vary",
        "raid=raid6:15,raid6:10,raid5:5",
        "--vary",
        "spares=0,1",
        "--price",
        "zippy-psm-5760v=120,250.50",
        "--format",
        "json",
        "--out",
        out_s,
    ]);
    assert_eq!(code, 0, "{err}");
    let s: serde_json::Value = serde_json::from_str(&json).unwrap();
    let front = s["front"].as_array().unwrap();
    assert!(!front.is_empty());
    let first = front[0].as_u64().unwrap();
    // Without --all, the JSON lists the front's members only, each with its grid index.
    assert_eq!(s["variants"].as_array().unwrap().len(), front.len());
    let member = s["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["index"].as_u64() == Some(first))
        .unwrap();
    let f = &member["figures"];
    // The written design, read back by `compare` (the engines `report` runs).
    let ron = out.join(format!("front-{:02}.ron", 1));
    let (code, cmp, err) = run(&["compare", ron.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let c: serde_json::Value = serde_json::from_str(&cmp).unwrap();
    let col = &c["columns"][0];
    assert_eq!(col["usable_tb"], f["usable_tb"]);
    assert_eq!(col["raw_tb"], f["raw_tb"]);
    assert_eq!(col["total"], f["total"]);
    assert_eq!(col["rebuild_hours"], f["rebuild_hours"]);
    // `compare` shows the sliding-window loss, the sweep's default model.
    assert_eq!(col["annual_loss"], f["annual_loss"]);
    assert!(out.join("cost-vs-loss.png").is_file());
    assert!(out.join("cost-vs-loss.svg").is_file());
    assert!(out.join("cost-vs-rebuild.png").is_file());
    // A second run into the same directory replaces nothing.
    let before = std::fs::read(&ron).unwrap();
    let (code, _, err) = run(&[
        "sweep",
        "designs/backblaze-pod-6.0.ron",
        "--vary",
        "spares=0,1",
        "--out",
        out_s,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("never replaces a file"), "{err}");
    assert_eq!(std::fs::read(&ron).unwrap(), before);
}

#[test]
fn the_same_sweep_gives_the_same_bytes_on_one_and_two_threads() {
    let args = |t: &'static str| {
        vec![
            "sweep",
            "designs/backblaze-pod-2.0.ron",
            "--vary",
            "drive=hitachi-hds5c3030ala630,wd-wd1600aajs",
            "--vary",
            "raid=raid6:15,raid6:9,raid5:5,raid6:46",
            "--vary",
            "spares=0,1,2",
            "--all",
            "--format",
            "csv",
            "--threads",
            t,
        ]
    };
    let one = run(&args("1"));
    let two = run(&args("2"));
    assert_eq!(one.0, 0, "{}", one.2);
    assert_eq!(one, two);
    // Hardware, layouts and prices together (studies shared, graphs shared, repricing).
    let file = |t: &'static str| {
        run(&[
            "sweep",
            "designs/sweeps/pod-6.0-60-bays.ron",
            "--format",
            "json",
            "--threads",
            t,
        ])
    };
    let (a, b) = (file("1"), file("2"));
    assert_eq!(a.0, 0, "{}", a.2);
    assert_eq!(a, b);
    // Every variant is listed with --all, the invalid ones with their reason.
    assert_eq!(
        one.1.matches("invalid: invalid-raid").count(),
        6,
        "{}",
        one.1
    );
}

#[test]
fn no_feasible_variant_exits_1_and_names_the_constraint() {
    let (code, out, err) = run(&[
        "sweep",
        "designs/backblaze-pod-2.0.ron",
        "--vary",
        "raid=raid6:15,raid5:5",
        "--max-annual-loss",
        "1e-30",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("--max-annual-loss rejects 2 valid variants (every one); lowest annual loss"),
        "{err}"
    );
}

#[test]
fn bad_input_is_refused_with_the_flag_named() {
    let cases: [(&[&str], &str); 11] = [
        (
            &["--vary", "bays=0,45"],
            "--vary bays=0: give a whole number from 1 up",
        ),
        (
            &["--vary", "cards=x"],
            "--vary cards=x: give a whole number",
        ),
        (&["--vary", "card=no-such-card"], "no part \"no-such-card\""),
        (
            &["--vary", "card=wd-wd1600aajs"],
            "\"wd-wd1600aajs\" is not a HostCard part",
        ),
        (&["--objectives", "cheapness"], "invalid value 'cheapness'"),
        (
            &["--vary", "drive=no-such-drive"],
            "no part \"no-such-drive\"",
        ),
        (&["--vary", "drive="], "--vary drive=: no value after '='"),
        (&["--vary", "colour=red"], "unknown variation \"colour\""),
        (&["--vary", "raid=raid7:3"], "--vary raid=raid7:3: expected"),
        (&["--price", "nothing=1,2"], "no part \"nothing\""),
        (&[], "give at least one --vary"),
    ];
    for (extra, want) in cases {
        let mut args = vec!["sweep", "designs/backblaze-pod-2.0.ron"];
        args.extend_from_slice(extra);
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(want), "{args:?}: {err}");
        assert_eq!(
            err.matches("error").count(),
            1,
            "{args:?}: printed once: {err}"
        );
    }
}

/// The unit price of a part on a design's bill of materials.
fn unit_price(rev: &str, part: &str) -> i64 {
    let r = podplan::study::design(&crate::pod(rev), rev).unwrap();
    let line = r.bom.lines.iter().find(|l| l.part == part).unwrap();
    line.unit.0
}

#[test]
fn bays_fill_the_first_bays_without_the_backplanes_and_cards_that_would_serve_none() {
    let base = loaded("6.0");
    let req = SweepRequest {
        axes: vec![Axis::Bays(vec![30, 60, 61])],
        ..request(Constraints::default())
    };
    let s = sweep::sweep(&base, "Pod 6.0", &req).unwrap();
    let (half, full) = (&s.variants[0], &s.variants[1]);
    assert_eq!(half.changes.len(), 1);
    assert_eq!(&*half.changes[0], "bays=30");
    assert!(full.changes.is_empty(), "60 bays is the base");
    let (h, f) = (
        half.figures.as_ref().unwrap(),
        full.figures.as_ref().unwrap(),
    );
    assert_eq!(h.raw_tb * 2.0, f.raw_tb);
    // 30 drives fewer, and backplanes 7-12 and the two cards that served only them.
    let d = loaded_design(&base, &req, 0);
    let backplanes: Vec<&str> = d
        .design
        .slots
        .iter()
        .flat_map(|s| s.card.ports.iter())
        .filter_map(|p| match p {
            podplan::spec::PortUse::Backplane { id, .. } => Some(id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(backplanes, ["bp1", "bp2", "bp3", "bp4", "bp5", "bp6"]);
    assert_eq!(d.design.slots.len(), 2);
    for psu in &d.design.psus {
        if let podplan::spec::Feeds::Only(ids) = &psu.feeds {
            assert!(
                ids.iter()
                    .all(|id| !id.starts_with("bp") || backplanes.contains(&id.as_str()))
            );
        }
    }
    let saved = 30 * unit_price("6.0", "seagate-st4000dm000-pod-6-0")
        + 6 * unit_price("6.0", "sunrich-s330")
        + 2 * unit_price("6.0", "sunrich-a-5404portsatn-raid");
    assert_eq!(f.total.0 - h.total.0, saved);
    // More bays than the chassis has: counted, with its code.
    let beyond = &s.variants[2];
    assert_eq!(beyond.invalid.as_ref().unwrap().code, "sweep-bays");
    assert_eq!(s.invalid["sweep-bays"].variants, 1);
}

fn loaded_design(base: &Loaded, req: &SweepRequest, index: usize) -> Loaded {
    let l = sweep::variant_design(base, &req.axes, index).unwrap();
    let o = podplan::validate::validate(&l);
    assert!(
        o.diagnostics.iter().all(|d| !d.is_error()),
        "{:#?}",
        o.diagnostics
    );
    l
}

/// A NIC card for the tests (not a real product's figures).
const TEST_NIC: &str = r#"Catalog(parts: [
    Part(
        id: "test-nic-10g-x4",
        name: "Test 10 GbE NIC, PCIe 3.0 x4",
        price: (amount: "150.00", date: "2020", source: Estimated("test fixture")),
        spec: NicCard((ports: 1, gbit_s: 10.0, host_bus: Pcie(gen: 3, lanes: 4), watts: 5.0)),
    ),
])"#;

#[test]
fn fewer_cards_share_the_backplanes_and_free_a_slot_for_a_nic_card() {
    let dir = tempfile::tempdir().unwrap();
    let nic = dir.path().join("nic.ron");
    std::fs::write(&nic, TEST_NIC).unwrap();
    let (code, json, err) = run(&[
        "sweep",
        "designs/backblaze-pod-6.0.ron",
        "--parts",
        nic.to_str().unwrap(),
        "--vary",
        "cards=3,4",
        "--vary",
        "nic=onboard,test-nic-10g-x4",
        "--format",
        "json",
        "--all",
    ]);
    assert_eq!(code, 0, "{err}");
    let s: serde_json::Value = serde_json::from_str(&json).unwrap();
    let v = |i: usize| &s["variants"][i];
    let total = |i: usize| v(i)["figures"]["total"].as_i64().unwrap();
    assert_eq!(v(0)["changes"], serde_json::json!(["cards=3"]));
    assert_eq!(
        v(1)["changes"],
        serde_json::json!(["cards=3", "nic=test-nic-10g-x4"])
    );
    // Three cards of four backplanes: one card fewer; then the NIC in the slot it freed.
    assert_eq!(
        total(2) - total(0),
        unit_price("6.0", "sunrich-a-5404portsatn-raid")
    );
    assert_eq!(total(1) - total(0), 15_000, "the NIC card, 150.00");
    // Four cards leave no slot for it: counted by its code, never dropped.
    assert_eq!(v(3)["invalid"]["code"], "sweep-no-free-slot");
    assert_eq!(s["invalid"]["sweep-no-free-slot"]["variants"], 1);
}

#[test]
fn a_host_card_with_too_few_ports_is_an_invalid_variant_counted_by_its_code() {
    let (code, out, err) = run(&[
        "sweep",
        "designs/backblaze-pod-2.0.ron",
        "--parts",
        "designs/backblaze-pod-1.0.ron",
        "--vary",
        "card=sunrich-a-5404portsatn-raid,syba-sd-sa2pex-2ir",
        "--all",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    let row = out
        .lines()
        .find(|l| l.contains("card=syba-sd-sa2pex-2ir"))
        .unwrap();
    assert!(row.contains(",invalid: port-overflow: "), "{row}");
    assert!(
        out.contains("Invalid variants,port-overflow,1,v1,"),
        "{out}"
    );
    // A part of another role is refused before anything runs.
    let (code, _, err) = run(&[
        "sweep",
        "designs/backblaze-pod-2.0.ron",
        "--vary",
        "nic=syba-sy-pex40008",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("\"syba-sy-pex40008\" is not a NicCard part"),
        "{err}"
    );
}

#[test]
fn the_shipped_sweep_file_is_the_same_sweep_as_its_flags() {
    let file = "designs/sweeps/pod-6.0-60-bays.ron";
    let (code, from_file, err) = run(&["sweep", file, "--format", "csv", "--all"]);
    assert_eq!(code, 0, "{err}");
    let (code, from_flags, err) = run(&[
        "sweep",
        "designs/backblaze-pod-6.0.ron",
        "--parts",
        "designs/backblaze-pod-1.0.ron",
        "--parts",
        "designs/backblaze-pod-2.0.ron",
        "--parts",
        "designs/backblaze-pod-3.0.ron",
        "--vary",
        "drive=seagate-st4000dm000-pod-6-0,hgst-hds5c4040ale630,hitachi-hds5c3030ala630,seagate-st31500341as",
        "--vary",
        "bays=45,60",
        "--vary",
        "cards=3,4",
        "--vary",
        "raid=raid6:15,raid6:12,raid6:10,raid6:20,raid5:5,ec:17+3",
        "--vary",
        "spares=0,1,2",
        "--price",
        "zippy-psm-5760v=270.00,350.00",
        "--max-annual-loss",
        "1e-6",
        "--max-rebuild-hours",
        "24",
        "--format",
        "csv",
        "--all",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(from_file, from_flags);
    // The issue's question has an answer: a front member below 1e-6 and 24 h.
    assert!(from_file.contains("Pareto front"), "{from_file}");
    // Flags override the file's limits: nothing meets an annual loss of 1e-30.
    let (code, _, err) = run(&["sweep", file, "--max-annual-loss", "1e-30"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("--max-annual-loss rejects 576 valid variants (every one)"),
        "{err}"
    );
}

#[test]
fn a_sweep_file_error_names_its_line_and_column_or_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::env::current_dir().unwrap();
    let base = root.join("designs/backblaze-pod-2.0.ron");
    let write = |name: &str, body: &str| {
        let p = dir.path().join(name);
        let text = format!(
            "// a test sweep\nSweep(\n    base: {:?},\n{body}\n)\n",
            base.to_str().unwrap()
        );
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let typo = write("typo.ron", "    vary: [Spare([0, 1])],");
    let (code, _, err) = run(&["sweep", &typo]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("typo.ron:4:12: error[syntax]"), "{err}");
    let zero = write("zero.ron", "    vary: [Spares([0, 1]), Bays([0])],");
    let (code, _, err) = run(&["sweep", &zero]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("zero.ron: vary[1]: "), "{err}");
    let empty = write("empty.ron", "    vary: [Drive([])],");
    let (code, _, err) = run(&["sweep", &empty]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("empty.ron: vary[0]: no value"), "{err}");
    // A base that is not there is named as the design loader names any file.
    let missing = dir.path().join("missing.ron");
    std::fs::write(
        &missing,
        "Sweep(base: \"nowhere.ron\", vary: [Spares([0])])",
    )
    .unwrap();
    let (code, _, err) = run(&["sweep", missing.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nowhere.ron: error[io]: cannot read"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn piped_tables_keep_each_change_whole_and_show_the_psu_margin_report_computes() {
    let args = [
        "sweep",
        "designs/backblaze-pod-6.0.ron",
        "--parts",
        "designs/backblaze-pod-2.0.ron",
        "--vary",
        "drive=seagate-st4000dm000-pod-6-0,hitachi-hds5c3030ala630",
        "--vary",
        "raid=raid6:15,raid6:20,ec:17+3",
        "--vary",
        "spares=0,1",
        "--price",
        "zippy-psm-5760v=270,350.50",
        "--all",
    ];
    let (code, table, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    // Piped (not a terminal): a change wraps at the separators between changes, never inside
    // one.
    for change in [
        "drive=hitachi-hds5c3030ala630",
        "raid=ec:17+3",
        "zippy-psm-5760v=350.50",
    ] {
        assert!(table.contains(change), "{change} split:\n{table}");
    }
    assert!(
        table.contains("PSU") && table.contains("margin %"),
        "{table}"
    );
    // The margin is the least headroom of any PSU rating in the power budget `report` shows,
    // at staggered spin-up or under load.
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let (code, json, err) = run(&json_args);
    assert_eq!(code, 0, "{err}");
    let s: serde_json::Value = serde_json::from_str(&json).unwrap();
    let base = loaded("6.0");
    let mut parts = base.clone();
    let Document::Design(two) = load::load_file(&crate::design_path("2.0")).unwrap() else {
        panic!("a design")
    };
    parts.design.parts.extend(two.design.parts.iter().cloned());
    let req = SweepRequest {
        axes: vec![
            Axis::Drive(vec![
                "seagate-st4000dm000-pod-6-0".into(),
                "hitachi-hds5c3030ala630".into(),
            ]),
            Axis::Raid(vec![
                Level::Raid6 { width: 15 },
                Level::Raid6 { width: 20 },
                Level::Erasure {
                    data: 17,
                    parity: 3,
                },
            ]),
            Axis::Spares(vec![0, 1]),
        ],
        ..request(Constraints::default())
    };
    for (i, v) in s["variants"].as_array().unwrap().iter().enumerate() {
        let l = sweep::variant_design(&parts, &req.axes, i / 2).unwrap();
        let pod = podplan::validate::validate(&l).pod.unwrap();
        let power = podplan::study::design(&pod, "v").unwrap().show.power;
        let mut least = f64::INFINITY;
        for p in &power.psus {
            for d in [p.spinup_staggered, p.active] {
                least = least
                    .min(100.0 * (1.0 - d.a12.0 / p.rated_12v_a.0))
                    .min(100.0 * (1.0 - d.a5.0 / p.rated_5v_a.0))
                    .min(100.0 * (1.0 - d.power().0 / p.rated_w.0));
            }
        }
        let got = v["figures"]["psu_headroom_pct"].as_f64().unwrap();
        assert!(
            (got - least).abs() < 1e-9,
            "variant {i}: {got} against {least}"
        );
        assert_eq!(v["figures"]["load_w"].as_f64().unwrap(), power.active_w.0);
    }
}

#[test]
fn a_sweep_file_given_to_another_command_says_what_it_is() {
    let (code, out, err) = run(&["check", "designs/sweeps/pod-6.0-60-bays.ron"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        (out + &err).contains(
            "a sweep file, not a design: run `podplan sweep designs/sweeps/pod-6.0-60-bays.ron`"
        ),
        "{code}"
    );
    let (code, _, err) = run(&["report", "designs/sweeps/pod-6.0-60-bays.ron"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("a sweep file, not a design"), "{err}");
}

#[test]
fn a_sweep_varies_draid_layouts_that_name_their_children() {
    // Issue 15: the layout axis takes every shape `layout` does, dRAID included; a dRAID must
    // name its children, since the variants' drive counts may differ.
    let (code, out, err) = crate::run(&[
        "sweep",
        "designs/backblaze-pod-6.0.ron",
        "--vary",
        "raid=raidz2:15,draid2:8d:60c:2s",
        "--vary",
        "filesystem=zfs",
        "--all",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let variants = v["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 2, "{out}");
    assert!(variants.iter().all(|x| x["invalid"].is_null()), "{out}");
    let (code, _, err) = crate::run(&[
        "sweep",
        "designs/backblaze-pod-6.0.ron",
        "--vary",
        "raid=draid2:8d",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("names its children"), "{err}");
}
