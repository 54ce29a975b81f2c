//! Benchmarks of the bandwidth model on Storage Pod 6.0 (60 drives, 12 port-multiplier
//! backplanes, 4 cards, DMI 2.0, 2 × 10 GbE): one max-min fair allocation, one whole workload
//! (graph + flows + allocation + headroom), the per-group rebuild times, a sweep of 10,000
//! what-if variants, and a whole design study on Pod 2.0 and 6.0. Run with
//! `cargo bench --bench bandwidth`.
#![allow(missing_docs, clippy::unwrap_used)]

use divan::{Bencher, black_box};
use podplan::bandwidth::{self, Flow, Params, Request, Workload};
use podplan::layout::{self, Layout, Shape};
use podplan::load::{self, Document};
use podplan::model::Pod;

fn main() {
    divan::main();
}

fn pod_6() -> (Pod, Layout) {
    let pod = pod("6.0");
    let shape = Shape {
        level: pod.raid.level,
        spares: pod.raid.spares,
    };
    let layout = layout::place(&pod, shape, &[]).unwrap().layout;
    (pod, layout)
}

/// A validated Backblaze Storage Pod of this version (`"2.0"`, `"6.0"`).
fn pod(version: &str) -> Pod {
    let name = format!("backblaze-pod-{version}.ron");
    let Document::Design(l) = load::load_embedded(&name).unwrap() else {
        panic!("a design")
    };
    podplan::validate::validate(&l).pod.unwrap()
}

/// The scrub problem of Pod 6.0 as raw capacities and flows: 60 flows over 19 links.
fn scrub_problem(pod: &Pod) -> (Vec<f64>, Vec<Flow>) {
    let g = bandwidth::graph(pod, &Params::default()).unwrap();
    let caps = g.links.iter().map(|l| l.capacity.0).collect();
    let flows = g
        .drives
        .iter()
        .map(|d| Flow {
            demand: d.media.0.min(d.port.0),
            crossings: d.path.clone(),
        })
        .collect();
    (caps, flows)
}

/// One progressive-filling allocation: 60 scrub flows on Pod 6.0's links.
#[divan::bench]
fn allocate_60_drives(b: Bencher) {
    let (pod, _) = pod_6();
    let (caps, flows) = scrub_problem(&pod);
    b.bench(|| bandwidth::allocate(black_box(&caps), black_box(&flows)));
}

/// A whole workload on Pod 6.0: link graph, flows, allocation, headroom rerun, report.
#[divan::bench(args = [Workload::Scrub, Workload::Ingest, Workload::RebuildAll])]
fn analyze_pod_6(b: Bencher, workload: Workload) {
    let (pod, layout) = pod_6();
    let req = Request {
        workload,
        group: None,
        bay: None,
    };
    let params = Params::default();
    b.bench(|| bandwidth::analyze(black_box(&pod), &layout, &req, &params).unwrap());
}

/// The durability engine's entry point: rebuild times of Pod 6.0's four groups.
#[divan::bench]
fn rebuild_times_pod_6(b: Bencher) {
    let (pod, layout) = pod_6();
    let params = Params::default();
    b.bench(|| bandwidth::rebuild_times(black_box(&pod), &layout, &params));
}

/// A whole design study: layout, BOM, every workload's bandwidth, rebuild times, durability
/// (what `podplan report` computes for one design), on Pod 2.0 (45 drives, PCI bus) and Pod 6.0.
#[divan::bench(args = ["2.0", "6.0"])]
fn study_design(b: Bencher, version: &str) {
    let pod = pod(version);
    b.bench(|| podplan::study::design(black_box(&pod), version).unwrap());
}

/// 10,000 what-if variants of Pod 6.0 (card lanes × card generation × NIC count × PCIe
/// efficiency × drive zone), each a full scrub analysis.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn sweep_10k_variants(b: Bencher) {
    let (pod, layout) = pod_6();
    let req = Request {
        workload: Workload::Scrub,
        group: None,
        bay: None,
    };
    let mut variants = Vec::with_capacity(10_000);
    let lanes = [1u8, 2, 4, 8, 16];
    let gens = [1u8, 2, 3, 4, 5];
    let nics = [1u32, 2, 3, 4];
    let zones = [
        podplan::links::Zone::Outer,
        podplan::links::Zone::Average,
        podplan::links::Zone::Inner,
    ];
    'outer: for i in 0.. {
        for &l in &lanes {
            for &g in &gens {
                for &n in &nics {
                    for &z in &zones {
                        if variants.len() == 10_000 {
                            break 'outer;
                        }
                        let mut p = Params {
                            zone: z,
                            ..Params::default()
                        };
                        p.set(&format!("SLOT7.lanes={l}")).unwrap();
                        p.set(&format!("SLOT6.gen={g}")).unwrap();
                        p.set(&format!("nics={n}")).unwrap();
                        p.set(&format!("pcie={}", 0.70 + 0.001 * f64::from(i % 200)))
                            .unwrap();
                        variants.push(p);
                    }
                }
            }
        }
    }
    b.bench(|| {
        let mut total = 0.0;
        for p in &variants {
            let r = bandwidth::analyze(&pod, &layout, &req, p).unwrap();
            total += r.summary.aggregate_mb_s.0;
        }
        total
    });
}
