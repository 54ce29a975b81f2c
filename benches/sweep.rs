//! Benchmark of the design-space sweep (issue 15): variants evaluated per second, each one a
//! real design built, validated and studied by every engine `report` runs. The space is Pod
//! 6.0 (60 bays) with six layouts, three spare counts and four PSU prices: 72 variants. Run
//! with `cargo bench --bench sweep`; divan's throughput column is variants per second.
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

fn base() -> Loaded {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/backblaze-pod-6.0.ron");
    let Document::Design(l) = load::load_file(&path).unwrap() else {
        panic!("a design")
    };
    *l
}

fn request() -> SweepRequest {
    SweepRequest {
        axes: vec![
            Axis::Raid(
                [15, 12, 10, 20, 6]
                    .map(|width| Level::Raid6 { width })
                    .into_iter()
                    .chain([Level::Raid5 { width: 5 }])
                    .collect(),
            ),
            Axis::Spares(vec![0, 1, 2]),
            Axis::Price {
                part: "zippy-psm-5760v".into(),
                cents: [9000, 12000, 15000, 25000].map(Cents).to_vec(),
            },
        ],
        model: podplan::durability::Model::Sliding,
        constraints: Constraints::default(),
        objectives: Objective::DEFAULT.to_vec(),
    }
}

#[divan::bench(args = [1, 2])]
fn pod_6_0_72_variants(bencher: Bencher, threads: usize) {
    let (l, req) = (base(), request());
    let n = sweep::grid_size(&req.axes).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    bencher
        .counter(ItemsCount::new(n))
        .bench(|| pool.install(|| sweep::sweep(black_box(&l), "Pod 6.0", &req).unwrap()));
}
