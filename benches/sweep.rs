//! Benchmark of the design-space sweep (issue 15): variants evaluated per second, each one a
//! real design built, validated and studied by every engine `report` runs (a variant that only
//! changes prices is the study of its hardware and layout repriced). Three spaces on Pod 6.0
//! (60 bays):
//!
//! * `layouts_and_psu_prices`: six layouts × three spare counts × four PSU prices, 72
//!   variants, 18 studies;
//! * `sweep_file_576`: the space of designs/sweeps/pod-6.0-60-bays.ron, four drives × 45 or
//!   60 bays × 3 or 4 host cards × six layouts × three spare counts × two PSU prices, 576
//!   variants, 288 studies (16 hardware combinations) — a realistic question;
//! * `prices_by_layouts_100k`: six layouts × two spare counts × 100 PSU prices × 84 drive
//!   prices, 100,800 variants, 12 studies.
//!
//! Run with `cargo bench --bench sweep`; divan's throughput column is variants per second.
#![allow(missing_docs, clippy::unwrap_used)]

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use podplan::load::{self, Document, Loaded};
use podplan::spec::Level;
use podplan::study::sweep::{self, Axis, Constraints, Objective, SweepRequest};
use podplan::units::Cents;

fn main() {
    divan::main();
}

fn load(name: &str) -> Loaded {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("designs")
        .join(name);
    let Document::Design(l) = load::load_file(&path).unwrap() else {
        panic!("a design")
    };
    *l
}

/// Pod 6.0 with the parts of Pods 1.0-3.0 (their drives), as `--parts` gives them.
fn base() -> Loaded {
    let mut l = load("backblaze-pod-6.0.ron");
    for rev in ["1.0", "2.0", "3.0"] {
        let other = load(&format!("backblaze-pod-{rev}.ron"));
        l.design.parts.extend(other.design.parts);
    }
    l
}

fn layouts() -> Axis {
    Axis::Raid(
        [15, 12, 10, 20]
            .map(|width| Level::Raid6 { width })
            .into_iter()
            .chain([
                Level::Raid5 { width: 5 },
                Level::Erasure {
                    data: 17,
                    parity: 3,
                },
            ])
            .collect(),
    )
}

fn request(axes: Vec<Axis>) -> SweepRequest {
    SweepRequest {
        axes,
        model: podplan::durability::Model::Sliding,
        constraints: Constraints {
            max_annual_loss: Some(1e-6),
            max_rebuild_hours: Some(24.0),
            ..Constraints::default()
        },
        objectives: Objective::DEFAULT.to_vec(),
    }
}

fn prices(part: &str, from: i64, n: i64) -> Axis {
    Axis::Price {
        part: part.into(),
        cents: (0..n).map(|i| Cents((from + i) * 100)).collect(),
    }
}

fn run(bencher: Bencher, threads: usize, l: &Loaded, req: &SweepRequest) {
    let n = sweep::grid_size(&req.axes).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    bencher
        .counter(ItemsCount::new(n))
        .bench(|| pool.install(|| sweep::sweep(black_box(l), "Pod 6.0", req).unwrap()));
}

#[divan::bench(args = [1, 2], sample_count = 20)]
fn layouts_and_psu_prices(bencher: Bencher, threads: usize) {
    let req = request(vec![
        layouts(),
        Axis::Spares(vec![0, 1, 2]),
        Axis::Price {
            part: "zippy-psm-5760v".into(),
            cents: [9000, 12000, 15000, 25000].map(Cents).to_vec(),
        },
    ]);
    run(bencher, threads, &load("backblaze-pod-6.0.ron"), &req);
}

#[divan::bench(args = [1, 2], sample_count = 5)]
fn sweep_file_576(bencher: Bencher, threads: usize) {
    let req = request(vec![
        Axis::Drive(
            [
                "seagate-st4000dm000-pod-6-0",
                "hgst-hds5c4040ale630",
                "hitachi-hds5c3030ala630",
                "seagate-st31500341as",
            ]
            .map(String::from)
            .to_vec(),
        ),
        Axis::Bays(vec![45, 60]),
        Axis::Cards(vec![3, 4]),
        layouts(),
        Axis::Spares(vec![0, 1, 2]),
        Axis::Price {
            part: "zippy-psm-5760v".into(),
            cents: vec![Cents(27000), Cents(35000)],
        },
    ]);
    run(bencher, threads, &base(), &req);
}

#[divan::bench(args = [1, 2], sample_count = 5)]
fn prices_by_layouts_100k(bencher: Bencher, threads: usize) {
    let req = request(vec![
        layouts(),
        Axis::Spares(vec![0, 1]),
        prices("zippy-psm-5760v", 100, 100),
        prices("seagate-st4000dm000-pod-6-0", 50, 84),
    ]);
    run(bencher, threads, &load("backblaze-pod-6.0.ron"), &req);
}
