//! Benchmarks of the layout engine's growth (issue 17): the `--auto` search (every width and
//! parity, with the card and PSU survival upgrades) over Pod-shaped designs of 30 to 1,000
//! drives, one placement of the design's RAID6 15 up to 10,000 drives, and the failure-domain
//! exposure of that layout up to the 10,000-bay limit. The designs come from
//! benches/common/scaled.rs (five-bay port-multiplier backplanes, three per card, two PSUs).
//! Run with `cargo bench --bench layout`.
#![allow(missing_docs, clippy::unwrap_used)]

#[path = "common/scaled.rs"]
mod scaled;

use divan::{Bencher, black_box};
use podplan::layout::{self, AutoConstraints, Shape};
use podplan::load::{self, Document};
use podplan::model::Pod;
use podplan::units::Bytes;

fn main() {
    divan::main();
}

fn pod(drives: u32) -> Pod {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("designs");
    let Document::Design(l) =
        load::load_str("scaled.ron", &scaled::scaled_design(drives), &dir).unwrap()
    else {
        panic!("a design")
    };
    podplan::validate::validate(&l).pod.unwrap()
}

fn constraints() -> AutoConstraints {
    AutoConstraints {
        min_parity: 1,
        max_parity: 3,
        max_width: None,
        spares: 0,
        partition_align: Bytes(layout::MIB),
        survive: Vec::new(),
        max_annual_loss: None,
        loss_model: None,
        zfs: None,
    }
}

/// `layout --auto`'s search with its survival upgrades.
#[divan::bench(args = [30, 45, 60, 90, 120, 240, 500, 1000], sample_count = 10)]
fn auto(bencher: Bencher, drives: u32) {
    let pod = pod(drives);
    let c = constraints();
    bencher.bench(|| layout::auto(black_box(&pod), &c).considered);
}

/// The same search required to survive a backplane and a card failure.
#[divan::bench(args = [30, 60, 120, 240, 1000], sample_count = 10)]
fn auto_survive_backplane_card(bencher: Bencher, drives: u32) {
    let pod = pod(drives);
    let c = AutoConstraints {
        survive: vec![layout::DomainKind::Backplane, layout::DomainKind::Card],
        ..constraints()
    };
    bencher.bench(|| layout::auto(black_box(&pod), &c).considered);
}

/// One placement of the design's RAID6 15 (what `show`, `bandwidth` and `durability` do).
#[divan::bench(args = [60, 240, 1000, 2500, 10000], sample_count = 10)]
fn place(bencher: Bencher, drives: u32) {
    let pod = pod(drives);
    let shape = Shape {
        level: pod.raid.level,
        spares: pod.raid.spares,
    };
    bencher.bench(|| {
        layout::place(black_box(&pod), shape, &[])
            .unwrap()
            .layout
            .groups
            .len()
    });
}

/// Failure-domain exposure of that placement.
#[divan::bench(args = [60, 240, 1000, 2500, 10000], sample_count = 20)]
fn exposure(bencher: Bencher, drives: u32) {
    let pod = pod(drives);
    let shape = Shape {
        level: pod.raid.level,
        spares: pod.raid.spares,
    };
    let l = layout::place(&pod, shape, &[]).unwrap().layout;
    let doms = layout::domains(&pod);
    bencher.bench(|| layout::exposure(black_box(&l), &doms).len());
}

/// The failure domains themselves (read from the hardware tree).
#[divan::bench(args = [60, 1000, 10000], sample_count = 20)]
fn domains(bencher: Bencher, drives: u32) {
    let pod = pod(drives);
    bencher.bench(|| layout::domains(black_box(&pod)).len());
}
