//! Benchmarks of the fleet plan (model §16): a 10-year quarterly plan of Pod 6.0 Vaults for a
//! demand that grows from 100 PB to 1 EB, the engine alone and the whole study (layout, power
//! and BOM of the pod, then the plan). Run with `cargo bench --bench plan`.
#![allow(missing_docs, clippy::unwrap_used)]

use divan::{Bencher, black_box};
use podplan::load::{self, Document};
use podplan::model::Pod;
use podplan::plan::request::{self, Origins};
use podplan::plan::{PlanRequest, PlanSpec};

fn main() {
    divan::main();
}

fn pod_6() -> Pod {
    let Document::Design(l) = load::load_embedded("backblaze-pod-6.0.ron").unwrap() else {
        panic!("a design")
    };
    podplan::validate::validate(&l).pod.unwrap()
}

/// 100 PB now, +25.9 %/yr for 10 years by quarter: 1,000.6 PB at the end (1 EB), 40 periods.
fn one_exabyte() -> PlanRequest {
    let text = r#"Plan(
        demand: Growth(start: "100 PB", rate_pct: 25.9),
        horizon_years: 10,
        period: Quarter,
        drive_price_decline_pct: 15.0,
    )"#;
    let spec: PlanSpec = load::parse("bench.ron", text).unwrap();
    request::check(&spec, &Origins::default()).unwrap()
}

/// The plan engine on a pod's facts: 40 quarters, 6,300 pods, both strategies.
#[divan::bench]
fn engine_10_years_quarterly_1_eb(b: Bencher) {
    let pod = pod_6();
    let req = one_exabyte();
    let facts = podplan::study::pod_facts(&pod, "backblaze-pod-6.0", &req).unwrap();
    b.bench(|| podplan::plan::compute(black_box(&facts), black_box(&req)).unwrap());
}

/// The whole study: the pod's layout, power and BOM, then the plan.
#[divan::bench]
fn study_10_years_quarterly_1_eb(b: Bencher) {
    let pod = pod_6();
    let req = one_exabyte();
    b.bench(|| {
        podplan::study::plan(black_box(&pod), "backblaze-pod-6.0", black_box(&req)).unwrap()
    });
}
