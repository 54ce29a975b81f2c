//! The bandwidth model: published and derived figures of the Backblaze pods, the CLI contract,
//! golden snapshots of every workload for every design, and property tests of the max-min fair
//! allocation over random link graphs and over generated pod topologies.

use crate::{design_path, run as cli};
use podplan::bandwidth::{
    self, BandwidthReport, Flow, Limit, Limiter, Params, Request, Workload, allocate,
};
use podplan::layout::{self, Layout, Shape};
use podplan::load::{self, Document};
use podplan::model::Pod;
use podplan::validate::validate;
use proptest::prelude::*;
use std::path::Path;

const REVISIONS: &[&str] = &["1.0", "2.0", "3.0", "4.0", "4.5", "5.0", "6.0"];
const WORKLOADS: &[Workload] = &[
    Workload::Scrub,
    Workload::Ingest,
    Workload::Read,
    Workload::Rebuild,
    Workload::RebuildAll,
    Workload::Single,
];

fn pod_from(doc: Document) -> Pod {
    let Document::Design(l) = doc else {
        panic!("a design")
    };
    let o = validate(&l);
    let errors: Vec<_> = o.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    o.pod.unwrap()
}

fn pod(rev: &str) -> Pod {
    pod_from(load::load_file(&design_path(rev)).unwrap())
}

fn layout_of(p: &Pod) -> Layout {
    let shape = Shape {
        level: p.raid.level,
        spares: p.raid.spares,
    };
    layout::place(p, shape, &[]).unwrap().layout
}

fn run(p: &Pod, workload: Workload, params: &Params) -> BandwidthReport {
    let req = Request {
        workload,
        group: None,
        bay: None,
    };
    bandwidth::analyze(p, &layout_of(p), &req, params).unwrap()
}

fn set(assignments: &[&str]) -> Params {
    let mut p = Params::default();
    for a in assignments {
        p.set(a).unwrap();
    }
    p
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

// ---------------------------------------------------------------------------------------------
// Published and derived figures.

#[test]
fn pod_1_pci_card_drives_are_the_narrowest_at_full_load() {
    // model §5: 15 drives on the SiI3124 on 32-bit PCI: ~100 MB/s / 15 = 6.7 MB/s each
    // (8.9 at the raw 133 MB/s); the 30 behind the SiI3132 PCIe x1 cards get 20 MB/s each.
    let p = pod("1.0");
    let r = run(&p, Workload::Scrub, &Params::default());
    assert_eq!(r.summary.binding.ids(), vec!["pci:bus".to_string()]);
    let pci_drives = r
        .drives
        .iter()
        .find(|d| podplan::validate::format_bays(&d.bays) == "31-45")
        .expect("bays 31-45 are one row");
    let each = pci_drives.traffic_mb_s.0;
    assert!((6.7 - 0.05..=8.9).contains(&each), "{each}");
    assert!(close(r.summary.per_drive_min_mb_s.0, each, 0.01));
    for d in r
        .drives
        .iter()
        .filter(|d| podplan::validate::format_bays(&d.bays) != "31-45")
    {
        assert!(d.traffic_mb_s.0 > each, "{d:?}");
        assert!(close(d.traffic_mb_s.0, 20.0, 1e-6), "{d:?}");
    }
    // The bus is full; nothing else is loaded past it.
    let bus = r.links.iter().find(|l| l.id == "pci:bus").unwrap();
    assert!(bus.saturated && bus.binding);
    assert!(close(bus.capacity_mb_s.0, 100.0, 1e-9));
}

#[test]
fn pod_1_nic_binds_ingest_at_one_gigabit() {
    let p = pod("1.0");
    let r = run(&p, Workload::Ingest, &Params::default());
    assert_eq!(r.summary.binding.ids(), vec!["nic:1".to_string()]);
    let client = r.summary.client_mb_s.unwrap().0;
    assert!(close(client, 117.7, 0.05), "{client}");
    // Disk traffic carries RAID6 15's parity: 15/13 of the client's.
    assert!(close(
        r.summary.aggregate_mb_s.0,
        client * 15.0 / 13.0,
        1e-6
    ));
    // What does a second NIC buy? Twice the client rate, still network-bound.
    let two = run(&p, Workload::Ingest, &set(&["nics=2"]));
    assert!(close(
        two.summary.client_mb_s.unwrap().0,
        2.0 * client,
        1e-6
    ));
    assert_eq!(two.summary.binding.ids(), vec!["nic:1", "nic:2"]);
}

#[test]
fn limiters_are_typed_and_the_json_words_them_as_ids_and_names() {
    // Pod 4.0's drives bind themselves (model §5); the report holds the limiter, and the JSON
    // carries its id and its wording side by side as it always has.
    let r = run(&pod("4.0"), Workload::Scrub, &Params::default());
    let v = serde_json::to_value(&r).unwrap();
    assert!(
        r.flows
            .iter()
            .all(|f| matches!(f.limited_by, Limiter::DriveMedia { .. })),
        "{:?}",
        r.flows[0].limited_by
    );
    for (f, j) in r.flows.iter().zip(v["flows"].as_array().unwrap()) {
        assert_eq!(j["limited_by"], f.limited_by.id());
        assert_eq!(j["limited_by_name"], f.limited_by.to_string());
    }
    assert_eq!(v["summary"]["binding"], serde_json::json!(["drive-media"]));
    assert_eq!(v["summary"]["binding_name"], r.summary.binding.to_string());
    assert_eq!(v["shape"], "RAID6 15 (13+2)");
    assert_eq!(
        r.notes,
        vec![
            bandwidth::RunNote::NoParityLimit,
            bandwidth::RunNote::BothDirections
        ]
    );
    assert_eq!(v["notes"][0], r.notes[0].to_string());
}

/// Issue 12: Linux enables FIS-based switching for the Marvell 88SE9230 but not the 88SE9235,
/// so Pod 4.5's backplanes switch by command: each uplink carries one drive's stream, shared
/// by its five drives. (Before: FBS assumed, and the PCIe 2.0 x2 card bound at 800/15 MB/s.)
#[test]
fn pod_4_is_drive_bound_where_4_5_is_uplink_bound_by_command_switching() {
    for w in [Workload::Scrub, Workload::Rebuild] {
        let r40 = run(&pod("4.0"), w, &Params::default());
        assert_eq!(r40.summary.binding.ids(), vec!["drive-media"], "4.0 {w:?}");
        let r45 = run(&pod("4.5"), w, &Params::default());
        assert!(
            !r45.summary.binding.0.is_empty()
                && r45
                    .summary
                    .binding
                    .ids()
                    .iter()
                    .all(|b| b.starts_with("uplink:")),
            "4.5 {w:?}: {:?}",
            r45.summary.binding
        );
        // CBS: one ST4000DM000 stream (average zone, (146 + 68.6) / 2 MB/s) per five drives.
        assert!(close(
            r45.summary.per_drive_min_mb_s.0,
            (146.0 + 68.6) / 2.0 / 5.0,
            1e-6
        ));
        // 45 Drives: a direct-wired Storinator was "over 2 times as fast" as the 4.5.
        assert!(r40.summary.per_drive_min_mb_s.0 > 2.0 * r45.summary.per_drive_min_mb_s.0);
    }
}

#[test]
fn pod_2_rebuild_time_is_derived_from_its_topology() {
    let p = pod("2.0");
    let l = layout_of(&p);
    let times = bandwidth::rebuild_times(&p, &l, &Params::default()).unwrap();
    assert_eq!(times.len(), 3);
    for t in &times {
        // One PCIe 1.0 x1 card link (250 × 0.8 = 200 MB/s) carries all 15 streams.
        assert!(close(t.rate.0, 200.0 / 15.0, 1e-9), "{t:?}");
        let expect = l.groups[t.group as usize - 1].member.0 as f64 / (t.rate.0 * 1e6) / 3600.0;
        assert!(close(t.hours, expect, 1e-9));
        assert!(close(t.hours, 62.5, 0.01), "model §5: ~62.7 h; {t:?}");
        assert!(
            t.binding_link.id().starts_with("host:SLOT")
                && t.binding_link.link_kind() == Some(bandwidth::LinkKind::CardHost),
            "{t:?}"
        );
    }
    // The rate follows the topology: widen group 1's card to x4 and the three port-multiplier
    // uplinks (249 MB/s FBS / 5 drives) bind instead: model §5's 16.7 h.
    let wide = bandwidth::rebuild_times(&p, &l, &set(&["SLOT7.lanes=4"])).unwrap();
    assert!(close(wide[0].rate.0, 249.0 / 5.0, 1e-9), "{:?}", wide[0]);
    assert!(
        wide[0].binding_link.id().starts_with("uplink:bp")
            && wide[0].binding_link.link_kind() == Some(bandwidth::LinkKind::PmUplink),
        "{:?}",
        wide[0]
    );
    assert!(close(wide[0].hours, 16.73, 0.01));
    assert_eq!(wide[1], times[1], "other groups are unchanged");
    // The delay parameter adds to every group.
    let late = bandwidth::rebuild_times(&p, &l, &set(&["delay-h=24"])).unwrap();
    assert!(close(late[2].hours, times[2].hours + 24.0, 1e-9));
    // analyze's rebuild agrees with rebuild_times.
    let r = run(&p, Workload::Rebuild, &Params::default());
    assert_eq!(r.rebuilds[0].time, times[0]);
}

#[test]
fn rebuild_times_say_which_setting_does_not_fit_the_pod() {
    // A graph error is an error naming the setting, not an empty list.
    let p = pod("2.0");
    let l = layout_of(&p);
    let e = bandwidth::rebuild_times(&p, &l, &set(&["SLOT99.lanes=4"])).unwrap_err();
    assert!(
        matches!(&e, bandwidth::BandwidthError::UnknownSlot { slot, .. } if slot == "SLOT99"),
        "{e:?}"
    );
    let e = bandwidth::rebuild_times(&p, &l, &set(&["host:NOPE=10"])).unwrap_err();
    assert!(
        matches!(&e, bandwidth::BandwidthError::UnknownLink { id, .. } if id == "host:NOPE"),
        "{e:?}"
    );
    // The durability command reports it once, naming the flag and the slot.
    let d = design_path("2.0");
    let (code, out, err) = cli(&["durability", d.to_str().unwrap(), "--set", "SLOT99.lanes=4"]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains("error: --set SLOT99: no card sits in slot \"SLOT99\""),
        "{err}"
    );
    assert_eq!(err.matches("error:").count(), 1, "{err}");
}

#[test]
fn rebuild_all_shares_links_between_groups_on_one_card() {
    // Pod 1.0 groups 1 and 2 both use the SiI3132 in PCIE_X1_2 (bays 11-20): alone, group 1's
    // rebuild is bound by PCIE_X1_1 (10 streams); all at once, the shared card splits.
    let p = pod("1.0");
    let alone = run(&p, Workload::Rebuild, &Params::default());
    assert!(close(alone.rebuilds[0].time.rate.0, 20.0, 1e-9));
    let all = run(&p, Workload::RebuildAll, &Params::default());
    assert_eq!(all.rebuilds.len(), 3);
    let card2 = all.links.iter().find(|l| l.id == "host:PCIE_X1_2").unwrap();
    assert!(card2.allocated_mb_s.0 <= card2.capacity_mb_s.0 * (1.0 + 1e-9));
    // Group 3 stays on the PCI bus: 100 MB/s / 15 streams.
    assert!(close(all.rebuilds[2].time.rate.0, 100.0 / 15.0, 1e-9));
}

#[test]
fn md_speed_limit_caps_a_fast_rebuild() {
    // Pod 4.0 is drive-bound; drives set to 300 MB/s hit md's 204.8 MB/s per device.
    let r = run(&pod("4.0"), Workload::Rebuild, &set(&["drive=300"]));
    assert_eq!(r.summary.binding.ids(), vec!["md-max"]);
    assert!(close(r.rebuilds[0].time.rate.0, 204.8, 1e-9));
}

#[test]
fn a_parity_limit_binds_when_set_low() {
    let p = pod("2.0");
    let r = run(&p, Workload::Ingest, &set(&["parity=100"]));
    assert_eq!(r.summary.binding.ids(), vec!["cpu:parity"]);
    assert!(close(r.summary.client_mb_s.unwrap().0, 100.0, 1e-6));
}

#[test]
fn headroom_names_the_next_link() {
    // Pod 2.0 scrub: the card links bind at 13.3 MB/s per drive; lift them and the nine
    // port-multiplier uplinks bind at 249 / 5 = 49.8 MB/s per drive.
    let r = run(&pod("2.0"), Workload::Scrub, &Params::default());
    let next = r.summary.next.as_ref().unwrap();
    assert_eq!(next.name.ids().len(), 9);
    assert!(next.name.ids().iter().all(|i| i.starts_with("uplink:")));
    assert!(close(next.per_drive_min_mb_s.0, 49.8, 1e-9));
    assert!(close(
        next.utilization_pct.unwrap(),
        100.0 * 200.0 / 3.0 / 249.0,
        1e-6
    ));
}

#[test]
fn zones_change_drive_bound_results_only() {
    let p = pod("4.0");
    let outer = run(&p, Workload::Single, &set(&[]));
    let inner_params = Params {
        zone: podplan::links::Zone::Inner,
        ..Params::default()
    };
    let inner = run(&p, Workload::Single, &inner_params);
    assert!(inner.summary.aggregate_mb_s.0 < outer.summary.aggregate_mb_s.0);
    let o = Params {
        zone: podplan::links::Zone::Outer,
        ..Params::default()
    };
    assert!(close(
        run(&p, Workload::Single, &o).summary.aggregate_mb_s.0,
        146.0,
        1e-9
    ));
    // Pod 2.0's card-bound scrub does not care.
    let p2 = pod("2.0");
    let a = run(&p2, Workload::Scrub, &o);
    let b = run(&p2, Workload::Scrub, &inner_params);
    assert_eq!(a.summary.aggregate_mb_s, b.summary.aggregate_mb_s);
}

// ---------------------------------------------------------------------------------------------
// CLI.

#[test]
fn bad_arguments_exit_2_and_name_the_flag() {
    let cases: &[(&[&str], &str)] = &[
        (&["bandwidth", "--set", "pcie=1.5"], "--set pcie"),
        (&["bandwidth", "--set", "SLOT9.lanes=4"], "--set SLOT9"),
        (&["bandwidth", "--set", "host:NOPE=10"], "--set host:NOPE"),
        (&["bandwidth", "--set", "nonsense"], "--set nonsense"),
        (
            &["bandwidth", "--set", "SLOT7.lanes=3"],
            "--set SLOT7.lanes",
        ),
        (
            &["bandwidth", "--workload", "rebuild", "--group", "4"],
            "--group 4",
        ),
        (
            &["bandwidth", "--workload", "rebuild", "--bay", "99"],
            "--bay 99",
        ),
        (
            &[
                "bandwidth",
                "--workload",
                "rebuild",
                "--group",
                "1",
                "--bay",
                "20",
            ],
            "--bay 20",
        ),
        (
            &["bandwidth", "--workload", "scrub", "--group", "1"],
            "--group",
        ),
        (
            &["bandwidth", "--workload", "single", "--bay", "99"],
            "--bay 99",
        ),
    ];
    for (args, flag) in cases {
        let (code, out, err) = cli(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}");
        assert!(err.contains(flag), "{args:?}: {err}");
    }
}

#[test]
fn every_format_renders_and_is_deterministic() {
    for format in ["table", "markdown", "csv", "json"] {
        let args = ["bandwidth", "--workload", "rebuild", "--format", format];
        let a = cli(&args);
        assert_eq!(a.0, 0, "{format}: {}", a.2);
        let hours = if format == "json" { "62.4999" } else { "62.5" };
        assert!(a.1.contains(hours), "{format}: {}", a.1);
        assert_eq!(a, cli(&args), "{format}");
    }
    let (_, json, _) = cli(&["bandwidth", "--workload", "rebuild", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["rebuilds"][0]["group"], 1);
    assert_eq!(v["summary"]["binding"][0], "host:SLOT7");
}

fn golden(rev: &str, workload: &str) -> String {
    let path = design_path(rev);
    let (code, out, err) = cli(&["bandwidth", path.to_str().unwrap(), "--workload", workload]);
    assert_eq!(code, 0, "{rev} {workload}: {err}");
    out
}

#[test]
fn bandwidth_snapshots() {
    for rev in REVISIONS {
        for w in WORKLOADS {
            insta::assert_snapshot!(
                format!("bandwidth-{rev}-{}", w.name()),
                golden(rev, w.name())
            );
        }
    }
    let (_, md, _) = cli(&[
        "bandwidth",
        "--workload",
        "rebuild-all",
        "--format",
        "markdown",
    ]);
    insta::assert_snapshot!("bandwidth-2.0-rebuild-all-markdown", md);
    let (_, csv, _) = cli(&["bandwidth", "--workload", "ingest", "--format", "csv"]);
    insta::assert_snapshot!("bandwidth-2.0-ingest-csv", csv);
}

// ---------------------------------------------------------------------------------------------
// Properties of the allocation over random link graphs.

const TOL: f64 = 1e-7;

/// Checks the allocation's invariants; returns a description of the first violation.
fn check_allocation(caps: &[f64], flows: &[Flow]) -> Result<(), String> {
    let a = allocate(caps, flows);
    let scale = |x: f64| TOL * x.abs().max(1.0);
    for (l, c) in caps.iter().enumerate() {
        if a.load[l] > c + scale(*c) {
            return Err(format!("link {l} over capacity: {} > {c}", a.load[l]));
        }
    }
    for (i, f) in flows.iter().enumerate() {
        let r = a.rates[i];
        if r > f.demand + scale(f.demand) {
            return Err(format!("flow {i} above its demand: {r} > {}", f.demand));
        }
        if r < 0.0 {
            return Err(format!("flow {i} negative"));
        }
        match a.limits[i] {
            Limit::Unbounded => {
                let finite_link = f
                    .crossings
                    .iter()
                    .any(|(l, w)| *w > 0.0 && caps[*l].is_finite());
                if f.demand.is_finite() || finite_link || r.is_finite() {
                    return Err(format!("flow {i} unbounded but limited"));
                }
            }
            _ if r >= f.demand - scale(f.demand) => {}
            _ => {
                // Max-min fairness: a bottleneck link, full, on which no flow is faster.
                let bottleneck = f.crossings.iter().any(|&(l, w)| {
                    w > 0.0
                        && a.load[l] >= caps[l] - scale(caps[l])
                        && flows.iter().enumerate().all(|(j, g)| {
                            !g.crossings.iter().any(|&(m, v)| m == l && v > 0.0)
                                || a.rates[j] <= r + scale(r)
                        })
                });
                if !bottleneck {
                    return Err(format!(
                        "flow {i} at {r} below demand {} has no bottleneck link",
                        f.demand
                    ));
                }
            }
        }
    }
    Ok(())
}

fn graph_problem() -> impl Strategy<Value = (Vec<f64>, Vec<Flow>)> {
    (1usize..8).prop_flat_map(|nl| {
        let caps = prop::collection::vec(
            prop_oneof![8 => 0.5f64..2000.0, 1 => Just(f64::INFINITY), 1 => Just(0.0)],
            nl,
        );
        let flow = (
            prop_oneof![6 => 0.1f64..500.0, 2 => Just(f64::INFINITY), 1 => Just(0.0)],
            prop::collection::vec(
                (0..nl, prop_oneof![3 => Just(1.0), 2 => 0.05f64..16.0]),
                0..5,
            ),
        )
            .prop_map(|(demand, mut crossings)| {
                crossings.sort_by_key(|c| c.0);
                crossings.dedup_by_key(|c| c.0);
                Flow { demand, crossings }
            });
        (caps, prop::collection::vec(flow, 1..10))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn allocation_is_feasible_and_max_min_fair((caps, flows) in graph_problem()) {
        if let Err(e) = check_allocation(&caps, &flows) {
            prop_assert!(false, "{e}\ncaps {caps:?}\nflows {flows:#?}");
        }
    }
}

#[test]
fn max_min_fairness_is_not_throughput_monotone_for_coupled_flows() {
    // Why the monotonicity property below is checked per workload: with weighted (coupled)
    // flows, lifting one link can lower the total. A crosses link 0 and link 1 (weight 3);
    // B crosses link 0; C crosses link 1. Raising link 0 from 2 to 3 lets A rise by 0.5 and
    // takes 1.5 from C: the sum of rates falls from 9 to 8.5.
    let flows = vec![
        Flow {
            demand: f64::INFINITY,
            crossings: vec![(0, 1.0), (1, 3.0)],
        },
        Flow {
            demand: f64::INFINITY,
            crossings: vec![(0, 1.0)],
        },
        Flow {
            demand: f64::INFINITY,
            crossings: vec![(1, 1.0)],
        },
    ];
    let sum = |caps: &[f64]| allocate(caps, &flows).rates.iter().sum::<f64>();
    assert!(close(sum(&[2.0, 10.0]), 9.0, 1e-9));
    assert!(close(sum(&[3.0, 10.0]), 8.5, 1e-9));
    for caps in [[2.0, 10.0], [3.0, 10.0]] {
        check_allocation(&caps, &flows).unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// Properties over generated pod topologies.

#[derive(Debug, Clone)]
enum CardKind {
    /// Port-multiplier backplanes of 5 bays: (how many, FIS-based, SATA 6 Gb/s uplink).
    Pm(u32, bool, bool),
    /// Drives wired to the card's ports.
    Direct(u32),
    /// A 4-port FBS card on the shared 32-bit PCI bus, with this many backplanes.
    Pci(u32),
}

#[derive(Debug, Clone)]
struct CardGen {
    kind: CardKind,
    generation: u8,
    lanes: u8,
    chipset: bool,
}

#[derive(Debug, Clone)]
struct PodGen {
    cards: Vec<CardGen>,
    dmi: u8,
    nics: Vec<(f64, bool)>,
    outer: f64,
    inner_frac: f64,
    level: u8,
    width_pick: prop::sample::Index,
    spares: u32,
}

fn card_gen() -> impl Strategy<Value = CardGen> {
    (
        prop_oneof![
            3 => (1u32..=3, any::<bool>(), any::<bool>()).prop_map(|(n, f, s)| CardKind::Pm(n, f, s)),
            2 => (1u32..=8).prop_map(CardKind::Direct),
            1 => (1u32..=3).prop_map(CardKind::Pci),
        ],
        1u8..=3,
        prop::sample::select(vec![1u8, 2, 4, 8]),
        any::<bool>(),
    )
        .prop_map(|(kind, generation, lanes, chipset)| CardGen {
            kind,
            generation,
            lanes,
            chipset,
        })
}

fn pod_gen() -> impl Strategy<Value = PodGen> {
    (
        prop::collection::vec(card_gen(), 1..=4),
        1u8..=3,
        prop::collection::vec(
            (prop::sample::select(vec![1.0f64, 10.0]), any::<bool>()),
            1..=3,
        ),
        40.0f64..260.0,
        0.4f64..0.95,
        0u8..5,
        any::<prop::sample::Index>(),
        0u32..=1,
    )
        .prop_map(
            |(cards, dmi, nics, outer, inner_frac, level, width_pick, spares)| PodGen {
                cards,
                dmi,
                nics,
                outer,
                inner_frac,
                level,
                width_pick,
                spares,
            },
        )
}

fn part(id: &str, spec: &str) -> String {
    format!(
        "Part(id: \"{id}\", name: \"{id}\", price: Price(amount: \"1.00\", date: \"2020\", source: Estimated(\"test\")), spec: {spec}),\n"
    )
}

/// A design text for the generated topology, and its drive count.
fn design_text(g: &PodGen) -> (String, u32) {
    let mut parts = String::new();
    let mut slots = String::new();
    let mut uses = String::new();
    let mut bay = 1u32;
    let mut bp = 0u32;
    parts += &part(
        "gen-drive",
        &format!(
            "Drive((capacity: \"4 TB\", interface: Sata3, rpm: 7200, outer_mb_s: {:.3}, inner_mb_s: {:.3}, idle_w: 5.0, active_w: 7.0, spinup_12v_a: 1.0, run_5v_a: 0.5, afr_pct: 1.0, ure_bits: 1e15))",
            g.outer,
            g.outer * g.inner_frac
        ),
    );
    for (fbs, s3) in [(true, false), (false, false), (true, true), (false, true)] {
        parts += &part(
            &format!(
                "pm-{}-{}",
                if fbs { "fis" } else { "cmd" },
                if s3 { "s3" } else { "s2" }
            ),
            &format!(
                "Backplane((chip: \"PM\", kind: PortMultiplier({}), drive_ports: 5, uplink: {}, uplink_lanes: 1, watts: 1.0))",
                if fbs { "Fis" } else { "Command" },
                if s3 { "Sata3" } else { "Sata2" }
            ),
        );
    }
    for (i, c) in g.cards.iter().enumerate() {
        let slot = format!("S{i}");
        let attach = if c.chipset { "Chipset" } else { "Cpu" };
        let (bus, pm, ports, body) = match &c.kind {
            CardKind::Pm(n, fbs, s3) => {
                let mut body = String::new();
                for _ in 0..*n {
                    bp += 1;
                    body += &format!(
                        "Backplane(id: \"bp{bp}\", part: \"pm-{}-{}\", bays: \"{}-{}\"), ",
                        if *fbs { "fis" } else { "cmd" },
                        if *s3 { "s3" } else { "s2" },
                        bay,
                        bay + 4
                    );
                    bay += 5;
                }
                let pm = if *fbs { "Fis" } else { "Command" };
                (
                    format!("Pcie(gen: {}, lanes: {})", c.generation, c.lanes),
                    pm,
                    *n,
                    body,
                )
            }
            CardKind::Direct(n) => {
                let body = format!("Direct(bays: \"{}-{}\"), ", bay, bay + n - 1);
                bay += n;
                (
                    format!("Pcie(gen: {}, lanes: {})", c.generation, c.lanes),
                    "None",
                    *n,
                    body,
                )
            }
            CardKind::Pci(n) => {
                let mut body = String::new();
                for _ in 0..*n {
                    bp += 1;
                    body += &format!(
                        "Backplane(id: \"bp{bp}\", part: \"pm-fis-s2\", bays: \"{}-{}\"), ",
                        bay,
                        bay + 4
                    );
                    bay += 5;
                }
                ("Pci(width_bits: 32, mhz: 33)".to_string(), "Fis", 4, body)
            }
        };
        let slot_bus = if bus.starts_with("Pci(") {
            bus.clone()
        } else {
            "Pcie(gen: 3, lanes: 16)".to_string()
        };
        slots += &format!("(id: \"{slot}\", bus: {slot_bus}, attach: {attach}), ");
        parts += &part(
            &format!("card-{i}"),
            &format!(
                "HostCard((chipset: \"C{i}\", ports: {ports}, link: Sata3, pm_support: {pm}, host_bus: {bus}, watts: 1.0))"
            ),
        );
        uses += &format!("(slot: \"{slot}\", card: (part: \"card-{i}\", ports: [{body}])),\n");
    }
    let drives = bay - 1;
    let nics: String = g
        .nics
        .iter()
        .enumerate()
        .map(|(i, (gb, chip))| {
            format!(
                "(controller: \"N{i}\", gbit_s: {gb:.1}, attach: {}), ",
                if *chip { "Chipset" } else { "Cpu" }
            )
        })
        .collect();
    parts += &part(
        "gen-board",
        &format!(
            "Motherboard((form_factor: \"ATX\", chipset: \"PCH\", chipset_link: Dmi{}, slots: [{slots}], nics: [{nics}], memory_slots: 4, watts: 10.0))",
            g.dmi
        ),
    );
    parts += &part("gen-cpu", "Cpu((cores: 2, ghz: 3.0, tdp_w: 50.0))");
    parts += &part(
        "gen-ram",
        "Memory((modules: 1, module_size: \"4 GB\", kind: \"DDR3\", watts_per_module: 3.0))",
    );
    parts += &part(
        "gen-chassis",
        &format!("Chassis((rack_units: 4, bays: {drives}, depth_in: 30.0))"),
    );
    parts += &part(
        "gen-psu",
        "Psu((watts: 100000.0, rail_12v_a: 10000.0, rail_5v_a: 10000.0))",
    );
    let spares = if drives >= 4 + g.spares { g.spares } else { 0 };
    let n = drives - spares.min(drives);
    let level = match g.level {
        0 => {
            let w = 4 + g.width_pick.index(n.saturating_sub(3).max(1) as usize) as u32;
            format!("Raid6(width: {})", w.min(n.max(4)))
        }
        1 => {
            let w = 3 + g.width_pick.index(n.saturating_sub(2).max(1) as usize) as u32;
            format!("Raid5(width: {})", w.min(n.max(3)))
        }
        2 => "Mirror(copies: 2)".to_string(),
        3 => "Raid10(width: 4, copies: 2)".to_string(),
        _ => {
            let w = 3 + g.width_pick.index(n.saturating_sub(2).max(1) as usize) as u32;
            let w = w.min(n.max(3));
            format!("Erasure(data: {}, parity: 2)", w.saturating_sub(2).max(1))
        }
    };
    let text = format!(
        "Design(name: \"generated\", parts: [\n{parts}], chassis: \"gen-chassis\",
         board: (part: \"gen-board\", cpu: \"gen-cpu\", memory: [(part: \"gen-ram\", qty: 1)]),
         slots: [\n{uses}], drives: [(bays: \"1-{drives}\", part: \"gen-drive\")],
         psus: [(id: \"psu1\", part: \"gen-psu\", feeds: Rest)],
         raid: (level: {level}, spares: {spares}, filesystem: None))"
    );
    (text, drives)
}

/// The figure "the aggregate" means for a workload.
fn aggregate(r: &BandwidthReport) -> f64 {
    r.summary
        .client_mb_s
        .map_or(r.summary.aggregate_mb_s.0, |c| c.0)
}

/// Every flow of a report is within its demand, every link within its capacity, and every
/// flow is at its own limit or crosses a full link.
fn check_report(r: &BandwidthReport) -> Result<(), String> {
    for l in &r.links {
        if l.allocated_mb_s.0 > l.capacity_mb_s.0 * (1.0 + TOL) + TOL {
            return Err(format!("{} over capacity", l.id));
        }
    }
    for f in &r.flows {
        if f.rate_mb_s.0 > f.demand_mb_s.0 * (1.0 + TOL) + TOL {
            return Err(format!("{} above demand", f.label));
        }
        let own = matches!(
            f.limited_by,
            Limiter::DriveMedia { .. } | Limiter::DrivePort { .. } | Limiter::MdMax { .. }
        );
        let full = r
            .links
            .iter()
            .any(|l| l.id == f.limited_by.id() && l.saturated);
        if !own && !full {
            return Err(format!(
                "{} limited by {} which is not full",
                f.label,
                f.limited_by.id()
            ));
        }
        if own && f.rate_mb_s.0 < f.demand_mb_s.0 * (1.0 - TOL) - TOL {
            return Err(format!("{} below its own limit", f.label));
        }
    }
    Ok(())
}

/// True when every group's members sit behind one controller (no flow spans two cards).
fn groups_on_one_card(p: &Pod, l: &Layout) -> bool {
    l.groups.iter().all(|g| {
        let cards: std::collections::BTreeSet<usize> = g
            .bays
            .iter()
            .filter_map(|b| p.drives.iter().find(|d| d.bay == *b).map(|d| d.controller))
            .collect();
        cards.len() <= 1
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    #[test]
    fn generated_pods_allocate_feasibly_and_upgrades_never_hurt(g in pod_gen()) {
        let (text, drives) = design_text(&g);
        prop_assume!(drives >= 4);
        let doc = load::load_str("gen.ron", &text, Path::new(".")).unwrap();
        let p = pod_from(doc);
        let shape = Shape { level: p.raid.level, spares: p.raid.spares };
        prop_assume!(layout::check_shape(&p, &shape).is_ok());
        let l = layout::place(&p, shape, &[]).unwrap().layout;
        let laminar = groups_on_one_card(&p, &l);
        for w in WORKLOADS {
            let req = Request { workload: *w, group: None, bay: None };
            let base = bandwidth::analyze(&p, &l, &req, &Params::default()).unwrap();
            if let Err(e) = check_report(&base) {
                prop_assert!(false, "{w:?}: {e}\n{text}");
            }
            // Upgrading any link (doubling its capacity) never lowers the aggregate: always for
            // per-drive and single flows; for coupled group flows when no group spans cards
            // (see max_min_fairness_is_not_throughput_monotone_for_coupled_flows).
            let monotone = matches!(w, Workload::Scrub | Workload::Single | Workload::Rebuild)
                || laminar;
            if !monotone {
                continue;
            }
            for link in &base.links {
                let mut up = Params::default();
                up.set(&format!("{}={}", link.id, link.capacity_mb_s.0 * 2.0 + 1.0)).unwrap();
                let r = bandwidth::analyze(&p, &l, &req, &up).unwrap();
                if let Err(e) = check_report(&r) {
                    prop_assert!(false, "{w:?} {}: {e}", link.id);
                }
                prop_assert!(
                    aggregate(&r) >= aggregate(&base) * (1.0 - 1e-9) - 1e-9,
                    "{w:?}: upgrading {} lowered the aggregate {} → {}\n{text}",
                    link.id, aggregate(&base), aggregate(&r)
                );
            }
        }
    }
}

#[test]
fn every_set_key_has_a_stated_range_checked_before_any_work() {
    // Issue 10 item 8: SLOT1.lanes=1000000 was "not a whole number", and delay-h=1e300 was
    // accepted and shown as 1e16 h. Every key states its range and refuses a value beyond it,
    // before the design is even read.
    let keys = [
        "sata",
        "pm-fis",
        "pm-command",
        "pci",
        "pci-x",
        "pcie",
        "dmi",
        "ethernet",
        "bond",
        "md-max",
        "delay-h",
        "parity",
        "drive",
        "nic-gbit",
        "nics",
        "SLOT7.gen",
        "host:SLOT7",
    ];
    for key in keys {
        for value in ["1e300", "1000000", "-1"] {
            let set = format!("{key}={value}");
            let (code, out, err) = cli(&["bandwidth", "no-such-design.ron", "--set", &set]);
            assert_eq!(code, 2, "{set}: {err}");
            assert!(out.is_empty(), "{set}");
            assert!(err.contains(&format!("--set {key}")), "{set}: {err}");
            assert!(
                err.contains("at most") || err.contains(" to "),
                "{set}: no range stated: {err}"
            );
            assert!(
                !err.contains("no-such-design"),
                "{set}: checked after reading the design: {err}"
            );
        }
    }
    let (code, _, err) = cli(&["bandwidth", "--set", "SLOT1.lanes=1000000"]);
    assert_eq!(code, 2);
    assert!(err.contains("PCIe lanes are 1, 2, 4, 8 or 16"), "{err}");
    assert!(!err.contains("whole number"), "{err}");
    let (code, _, err) = cli(&["bandwidth", "--set", "delay-h=1e300"]);
    assert_eq!(code, 2);
    assert!(err.contains("at most 8760"), "{err}");
    // The ranges are in --help, and a value at the edge of its range is accepted.
    let (_, help, _) = cli(&["bandwidth", "--help"]);
    assert!(help.contains("delay-h 0 to 8760 h"), "{help}");
    let (code, _, err) = cli(&[
        "bandwidth",
        "--workload",
        "rebuild",
        "--set",
        "delay-h=8760",
    ]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_rebuild_without_redundancy_is_refused_naming_the_shape_as_data() {
    // Pod 2.0 with RAID0 rows: the error carries the layout's shape, which its message words.
    let p = pod_from(load::load_file(Path::new("tests/fixtures/raid0.ron")).unwrap());
    let l = layout_of(&p);
    let req = Request {
        workload: Workload::Rebuild,
        group: None,
        bay: None,
    };
    let e = bandwidth::analyze(&p, &l, &req, &Params::default()).unwrap_err();
    let bandwidth::BandwidthError::NoRedundancy { level, .. } = &e else {
        panic!("{e}");
    };
    assert_eq!(*level, l.shape);
    assert!(e.to_string().contains("RAID0 15 has no redundancy"), "{e}");
}
