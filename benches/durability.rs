//! Benchmarks of the durability engine: each analytic model for one group (15-wide RAID6 of
//! 3 TB drives at 3 % AFR, docs/model.md §7; a 17+3 tome), the whole report of Pod 6.0, Monte
//! Carlo throughput in simulated group-years per second on one core, and the wall time to
//! estimate Backblaze's 17+3 Vault figure to ±10 % at 95 % confidence on every core.
//! Run with `cargo bench --bench durability`.
#![allow(missing_docs, clippy::unwrap_used)]

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use podplan::durability::{
    self, AfrConvention, BACKBLAZE_2018, Model, Options, Rebuild, group_annual_loss, set_figures,
};
use podplan::layout::{self, DomainKind, Layout, Shape};
use podplan::load::{self, Document};
use podplan::model::Pod;
use podplan::montecarlo::{McParams, System, Trials, estimate};
use podplan::spec::Level;
use podplan::units::{Hours, MBps};

fn main() {
    divan::main();
}

const YEAR: f64 = durability::HOURS_PER_YEAR;
const ONE_YEAR: Hours = Hours(YEAR);

fn lambda(afr: f64) -> f64 {
    AfrConvention::Rate.lambda_per_hour(afr)
}

fn pod(rev: &str) -> (Pod, Layout) {
    let text = load::EMBEDDED
        .iter()
        .find(|(name, _)| name.contains(rev))
        .map(|(_, t)| *t)
        .unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("designs");
    let name = format!("backblaze-pod-{rev}.ron");
    let Document::Design(l) = load::load_str(&name, text, &dir).unwrap() else {
        panic!("a design")
    };
    let pod = podplan::validate::validate(&l).pod.unwrap();
    let shape = Shape {
        level: pod.raid.level,
        spares: pod.raid.spares,
    };
    let layout = layout::place(&pod, shape, &[]).unwrap().layout;
    (pod, layout)
}

#[divan::bench(args = [Model::MarkovSerial, Model::MarkovParallel, Model::Sliding, Model::Backblaze])]
fn raid6_group(model: Model) -> f64 {
    set_figures(
        15,
        2,
        black_box(lambda(3.0)),
        black_box(Hours(27.78)),
        ONE_YEAR,
        model,
    )
    .p_mission
}

#[divan::bench(args = [Model::MarkovSerial, Model::MarkovParallel, Model::Sliding, Model::Backblaze])]
fn vault_tome(model: Model) -> f64 {
    set_figures(
        20,
        3,
        black_box(lambda(0.405)),
        black_box(Hours(156.0)),
        ONE_YEAR,
        model,
    )
    .p_mission
}

#[divan::bench]
fn ure_exposure() -> f64 {
    durability::ure_exposure(
        15,
        2,
        black_box(lambda(3.0)),
        Hours(27.78),
        podplan::units::Bytes(3_000_000_000_000),
        1e14,
        ONE_YEAR,
    )
    .unwrap()
    .events_per_year_serial
}

#[divan::bench]
fn group_annual_loss_for_layout_auto() -> f64 {
    let shape = Shape {
        level: Level::Raid6 { width: 15 },
        spares: 0,
    };
    group_annual_loss(
        &shape,
        black_box(3.0),
        black_box(Hours(27.78)),
        Model::Sliding,
    )
    .unwrap()
}

#[divan::bench]
fn sliding_events_from_a_new_pod() -> f64 {
    durability::sliding_events_from_new(15, 2, black_box(lambda(3.0)), 146.5, YEAR)
}

/// The whole analytic report of Pod 6.0 (4 groups, every model, URE, a 17+3 Vault), rebuild
/// rates given (the bandwidth engine has its own benchmark).
#[divan::bench]
fn report_pod_6(b: Bencher) {
    let (p, lay) = pod("6.0");
    let rebuilds: Vec<Rebuild> = lay
        .groups
        .iter()
        .map(|g| {
            Rebuild::at_rate(
                g.member,
                MBps(53.3),
                Hours(84.0),
                durability::RebuildSource::UserRate,
            )
            .unwrap()
        })
        .collect();
    let opts = Options {
        vault: Some(durability::VaultSpec {
            data: 17,
            parity: 3,
            rebuild_hours: Hours(156.0),
        }),
        ..Options::default()
    };
    b.bench(|| durability::report(&p, &lay, black_box(&rebuilds), &opts).unwrap());
}

fn one_core<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(f)
}

/// Plain counting (no biasing) of a 15-wide RAID6 at 3 % AFR, 27.8 h fixed rebuilds, one-year
/// missions, on one core: the counter is simulated group-years.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn mc_plain_raid6_group_years_one_core(b: Bencher) {
    let trials = 200_000;
    let sys = System::set(15, 2, lambda(3.0), Hours::ZERO, Hours(27.78));
    let params = McParams {
        trials: Trials::Fixed(trials),
        importance_sampling: false,
        ..McParams::default()
    };
    b.counter(ItemsCount::new(trials))
        .bench(|| one_core(|| estimate(&sys, &params)));
}

/// The same with 100-year missions: the counter is again group-years, now event-bound rather
/// than bound by the per-trial set-up.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn mc_plain_raid6_group_years_one_core_long_missions(b: Bencher) {
    let trials = 20_000;
    let sys = System::set(15, 2, lambda(3.0), Hours::ZERO, Hours(27.78));
    let params = McParams {
        trials: Trials::Fixed(trials),
        mission_hours: Hours::from_years(100.0),
        importance_sampling: false,
        ..McParams::default()
    };
    b.counter(ItemsCount::new(trials * 100))
        .bench(|| one_core(|| estimate(&sys, &params)));
}

/// The same with Weibull lifetimes (shape 1.5), and with Pod 2.0's nine backplanes failing at
/// 2 %/yr and rebuilds sharing their controller: the scenarios the closed forms cannot do.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn mc_plain_pod_2_correlated_pod_years_one_core(b: Bencher) {
    let trials = 50_000;
    let (p, lay) = pod("2.0");
    let groups = vec![(lambda(0.6), Hours(84.0), Hours(62.7)); lay.groups.len()];
    let rates = vec![(DomainKind::Backplane, 0.02 / YEAR)];
    let sys = System::pod(&p, &lay, &groups, &rates);
    let params = McParams {
        trials: Trials::Fixed(trials),
        importance_sampling: false,
        weibull_shape: 1.5,
        shared_links: true,
        ..McParams::default()
    };
    b.counter(ItemsCount::new(trials))
        .bench(|| one_core(|| estimate(&sys, &params)));
}

/// Backblaze's 17+3 tome (0.405 %, 6.5 days) to ±10 % at 95 % confidence with failure biasing,
/// on every core: the wall time to reproduce the Vault figure by simulation.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn mc_vault_17_3_to_10_percent(b: Bencher) {
    let sys = System::set(
        20,
        3,
        lambda(BACKBLAZE_2018.afr_pct),
        Hours::ZERO,
        BACKBLAZE_2018.rebuild_hours,
    );
    let params = McParams {
        trials: Trials::Until {
            relative: 0.1,
            max: 10_000_000,
        },
        ..McParams::default()
    };
    b.bench(|| {
        let e = estimate(&sys, &params);
        assert!(e.p_loss.relative().is_some_and(|r| r <= 0.1));
        e
    });
}

/// A whole 20-pod Vault of Pod 6.0s (1,200 drives, 60 tomes) with backplane failures at 2 %/yr
/// coupling the tomes, to ±10 % on every core.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn mc_vault_of_pod_6_with_backplane_failures_to_10_percent(b: Bencher) {
    let (p, _) = pod("6.0");
    let rates = vec![(DomainKind::Backplane, 0.02 / YEAR)];
    let sys = System::vault(
        &p,
        17,
        3,
        lambda(BACKBLAZE_2018.afr_pct),
        Hours(156.0),
        &rates,
    );
    let params = McParams {
        trials: Trials::Until {
            relative: 0.1,
            max: 10_000_000,
        },
        ..McParams::default()
    };
    b.bench(|| estimate(&sys, &params));
}

/// Issue 17 item 2: Pod 6.0 with its backplanes failing at 2 %/yr (one backplane takes several
/// drives of a group), 2,048 trials on every core, splitting with calibrated factors.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn mc_pod_6_with_backplane_failures_2048_trials(b: Bencher) {
    let (p, lay) = pod("6.0");
    let groups = vec![(lambda(2.0), Hours(84.0), Hours(62.7)); lay.groups.len()];
    let rates = vec![(DomainKind::Backplane, 0.02 / YEAR)];
    let sys = System::pod(&p, &lay, &groups, &rates);
    let params = McParams {
        seed: 3,
        trials: Trials::Fixed(2_048),
        ..McParams::default()
    };
    b.bench(|| estimate(&sys, &params));
}
