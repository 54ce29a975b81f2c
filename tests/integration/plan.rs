//! Fleet plans (`podplan plan`, model §16): a plan checked by hand to the cent, the
//! properties every plan keeps, Backblaze's 2011 rack-month anchor, the Pod 6.0 depth check,
//! and bad input. Amounts in cents are written dollars_cents (`2_000_00` = $2,000.00).
#![allow(clippy::inconsistent_digit_grouping)]

use crate::{flat, run};
use podplan::plan::engine::{self, PodFacts, PodLine};
use podplan::plan::request::{self, Origins};
use podplan::plan::{Grouping, PlanError, PlanReport, PlanSpec};
use podplan::units::{Bytes, Cents, TB, Watts};
use proptest::prelude::*;

/// A round pod for hand-checked plans: 4 U, 30 in deep, 10 drives of AFR 10 %, 100 TB usable,
/// 500 W running and 1,000 W spinning up at the wall; 10 drives at $100 and a $1,000 chassis:
/// $2,000 a pod.
fn round_pod() -> PodFacts {
    let line = |part: &str, qty, unit, data_drive| PodLine {
        part: part.into(),
        name: part.into(),
        part_number: None,
        supplier: None,
        qty_per_pod: qty,
        unit: Cents(unit),
        data_drive,
        breaks: Vec::new(),
    };
    PodFacts {
        design: "Round pod".into(),
        file: "round".into(),
        currency: "USD".into(),
        rack_units: 4,
        depth_in: 30.0,
        drives: 10,
        afr_pct: 10.0,
        raw: Bytes(120 * TB),
        usable: Bytes(100 * TB),
        grouping: Grouping::Standalone,
        load: Watts(500.0),
        load_source: "given".into(),
        spinup_peak: Watts(1000.0),
        lines: vec![
            line("drive", 10, 100_00, true),
            line("chassis", 1, 1_000_00, false),
        ],
    }
}

/// The round site: a 42 U rack with a 1 U 48-port switch ($2,000), 10 kW, PUE 1.5, $0.10/kWh,
/// $700 space and $300 bandwidth per rack-month, a $1,000 rack, $100 to install a pod and $20
/// to replace a drive.
const ROUND_SITE: &str = r#"site: Site(
        rack_units: 42, rack_depth_in: 36.0, rack_power: "10 kW", spinup: Sequenced,
        pue: 1.5, price_per_kwh: "0.10", space_per_rack_month: "700.00",
        bandwidth_per_rack_month: "300.00", rack_price: "1000.00",
        switch: Switch(ports: 48, uplinks: 2, rack_units: 1, price: "2000.00"),
        labour_per_pod: "100.00", labour_per_drive: "20.00",
    )"#;

fn request(body: &str) -> podplan::plan::PlanRequest {
    let text = format!("Plan({body}, {ROUND_SITE})");
    let spec: PlanSpec = podplan::load::parse("round-plan.ron", &text).unwrap();
    request::check(&spec, &Origins::default()).unwrap()
}

fn plan(body: &str) -> PlanReport {
    engine::compute(&round_pod(), &request(body)).unwrap()
}

#[test]
fn one_rack_one_year_at_round_prices_is_exact_to_the_cent() {
    let r = plan(
        r#"demand: Growth(start: "250 TB", rate_pct: 0.0), horizon_years: 1, period: Year, headroom_pct: 20.0"#,
    );
    // Target 250 TB × 1.2 = 300 TB of 100 TB pods: 3 pods, one rack.
    // Pods per rack: rack units (42 − 1) / 4 = 10 binds; power at load 10,000 / 500 = 20;
    // at spin-up 1 + (10,000 − 1,000) / 500 = 19; switch (48 − 2) / 1 = 46.
    assert_eq!(r.rack_fit.pods_per_rack, 10);
    assert_eq!(r.rack_fit.binding, "rack units");
    let y1 = &r.periods[0];
    assert_eq!((y1.pods_bought, y1.pods, y1.racks), (3, 3, 1));
    // Capex: 3 × $2,000 + one $1,000 rack + one $2,000 switch = $9,000.
    assert_eq!(y1.pod_price, Cents(2_000_00));
    assert_eq!(y1.capex.pods, Cents(6_000_00));
    assert_eq!(y1.capex.total, Cents(9_000_00));
    // Energy: 3 × 500 W × 8,760 h × 1.5 = 19,710 kWh × $0.10 = $1,971.00.
    assert!((y1.energy_kwh - 19_710.0).abs() < 1e-6);
    assert_eq!(y1.opex.energy, Cents(1_971_00));
    // Space 12 × $700 = $8,400; bandwidth 12 × $300 = $3,600.
    assert_eq!(y1.opex.space, Cents(8_400_00));
    assert_eq!(y1.opex.bandwidth, Cents(3_600_00));
    // Failures 3 pods × 10 drives × 10 % = 3 drives × $100 = $300; labour 3 × $100 + 3 × $20.
    assert!((y1.drive_failures - 3.0).abs() < 1e-9);
    assert_eq!(y1.opex.drive_replacements, Cents(300_00));
    assert_eq!(y1.opex.labour, Cents(360_00));
    // Opex $14,631; TCO $23,631 over 300 TB × 12 months = $6.5641…/TB-month.
    assert_eq!(r.totals.opex.total, Cents(14_631_00));
    assert_eq!(r.totals.tco, Cents(23_631_00));
    assert!((r.totals.per_tb_month - 23_631.0 / 3_600.0).abs() < 1e-9);
    // A full rack-month: 10 pods × 500 W × 730 h × 1.5 = 5,475 kWh = $547.50; space $700,
    // bandwidth $300; 10 × 10 × 10 % / 12 failures × ($100 + $20) = $100.00.
    let m = r.rack_month.as_ref().unwrap();
    assert_eq!(
        (m.energy, m.space, m.bandwidth, m.drives_and_labour, m.total),
        (
            Cents(547_50),
            Cents(700_00),
            Cents(300_00),
            Cents(100_00),
            Cents(1_647_50)
        )
    );
    assert!(r.broken.is_empty());
}

#[test]
fn a_falling_drive_price_makes_the_second_year_pods_cheaper_by_hand() {
    let r = plan(
        r#"demand: Schedule(["100 TB", "200 TB"]), horizon_years: 2, headroom_pct: 0.0, drive_price_decline_pct: 50.0"#,
    );
    // Year 1: one pod at $2,000. Year 2: drives at $100 × 0.5 = $50, so a pod is
    // 10 × $50 + $1,000 = $1,500; one more pod.
    let (y1, y2) = (&r.periods[0], &r.periods[1]);
    assert_eq!((y1.pods_bought, y1.pod_price), (1, Cents(2_000_00)));
    assert_eq!((y2.pods_bought, y2.pod_price), (1, Cents(1_500_00)));
    assert_eq!(y2.drive_price, Cents(50_00));
    // Waiting saved $500 on the second pod against the first year's price.
    assert_eq!(
        r.waiting.as_ref().unwrap().price_decline_saved,
        Cents(500_00)
    );
    // Year 2's failures (2 pods × 10 × 10 % = 2 drives) are replaced at $50.
    assert_eq!(y2.opex.drive_replacements, Cents(100_00));
}

#[test]
fn the_big_purchase_gets_the_quantity_break_by_hand() {
    // The round pod's drive ($100.00 list) with a break at 100 units for $90.00.
    let mut pod = round_pod();
    pod.lines[0].breaks = vec![(100, Cents(90_00))];
    let body = r#"demand: Schedule(["1000 TB", "1200 TB"]), horizon_years: 2, headroom_pct: 0.0"#;
    let r = engine::compute(&pod, &request(body)).unwrap();
    let (y1, y2) = (&r.periods[0], &r.periods[1]);
    // Year 1: 10 pods = 100 drives, at the break: a pod is 10 × $90 + $1,000 = $1,900.
    assert_eq!((y1.pods_bought, y1.pod_price), (10, Cents(1_900_00)));
    assert_eq!(y1.capex.pods, Cents(19_000_00));
    let drive = y1.order.iter().find(|l| l.part == "drive").unwrap();
    assert_eq!(
        (drive.qty, drive.unit, drive.price_break),
        (100, Cents(90_00), Some(100))
    );
    let chassis = y1.order.iter().find(|l| l.part == "chassis").unwrap();
    assert_eq!((chassis.unit, chassis.price_break), (Cents(1_000_00), None));
    // Year 2: 2 pods = 20 drives, below the break: $2,000 a pod.
    assert_eq!((y2.pods_bought, y2.pod_price), (2, Cents(2_000_00)));
    assert_eq!(y2.capex.pods, Cents(4_000_00));
    assert_eq!(y2.order[0].price_break, None);
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("price breaks") && n.contains("purchases of Y1 (")),
        "{:?}",
        r.notes
    );
    // Replacements are bought a few at a time: list price. 10 pods × 10 × 10 % = 10 × $100.
    assert_eq!(y1.drive_price, Cents(100_00));
    assert_eq!(y1.opex.drive_replacements, Cents(1_000_00));
    // Buying all 12 pods up front reaches the break on all of them: 12 × $1,900, in two
    // racks of 10 ($1,000 rack + $2,000 switch each).
    let w = r.waiting.as_ref().unwrap();
    assert_eq!(w.up_front.0, Cents(12 * 1_900_00 + 2 * 3_000_00));
    // With the drive price halving, waiting saves only the decline, not the lost break:
    // year 2's 2 pods at $1,500 against the same 2 pods at the start, $2,000.
    let r = engine::compute(
        &pod,
        &request(&format!("{body}, drive_price_decline_pct: 50.0")),
    )
    .unwrap();
    assert_eq!(r.periods[1].pod_price, Cents(1_500_00));
    assert_eq!(
        r.waiting.as_ref().unwrap().price_decline_saved,
        Cents(1_000_00)
    );
}

#[test]
fn vaults_are_bought_whole_and_spread_one_pod_per_rack() {
    let mut pod = round_pod();
    pod.grouping = Grouping::Vault { data: 3, parity: 1 };
    let r = engine::compute(
        &pod,
        &request(r#"demand: Growth(start: "150 TB", rate_pct: 0.0), horizon_years: 1, headroom_pct: 0.0"#),
    )
    .unwrap();
    // 150 TB needs 2 pods of 100 TB, rounded up to a whole Vault of 4, in 4 racks.
    assert_eq!(
        (r.periods[0].pods, r.periods[0].vaults, r.periods[0].racks),
        (4, 1, 4)
    );
}

fn pods_by_period(start_tb: u64, rate: f64, decline: f64) -> PlanReport {
    plan(&format!(
        r#"demand: Growth(start: "{start_tb} TB", rate_pct: {rate:.1}), horizon_years: 4, period: Quarter, drive_price_decline_pct: {decline:.1}"#
    ))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn more_demand_never_needs_fewer_pods(a in 1u64..5_000, extra in 0u64..5_000, rate in 0u32..200) {
        let small = pods_by_period(a, f64::from(rate), 0.0);
        let big = pods_by_period(a + extra, f64::from(rate), 0.0);
        for (s, b) in small.periods.iter().zip(&big.periods) {
            prop_assert!(s.pods <= b.pods, "{}: {} pods for less demand, {} for more", s.label, s.pods, b.pods);
            prop_assert!(s.racks <= b.racks);
        }
    }

    #[test]
    fn a_later_purchase_at_a_declining_price_never_costs_more(decline in 0u32..90, rate in 0u32..300) {
        let r = pods_by_period(1_000, f64::from(rate), f64::from(decline));
        for w in r.periods.windows(2) {
            prop_assert!(w[1].pod_price <= w[0].pod_price);
            prop_assert!(w[1].drive_price <= w[0].drive_price);
        }
        for p in &r.periods {
            // The same pods bought now cost no more than at the first period's price.
            let at_start = r.periods[0].pod_price.checked_mul(p.pods_bought).unwrap();
            prop_assert!(p.capex.pods <= at_start);
        }
    }

    #[test]
    fn capex_plus_opex_is_the_tco(start in 1u64..10_000, rate in 0u32..300, decline in 0u32..50) {
        let r = pods_by_period(start, f64::from(rate), f64::from(decline));
        let t = &r.totals;
        prop_assert_eq!(t.capex.total.checked_add(t.opex.total), Some(t.tco));
        let capex = Cents::checked_sum(r.periods.iter().map(|p| p.capex.total)).unwrap();
        let opex = Cents::checked_sum(r.periods.iter().map(|p| p.opex.total)).unwrap();
        prop_assert_eq!((capex, opex), (t.capex.total, t.opex.total));
        let last = r.periods.last().unwrap();
        prop_assert_eq!((last.cumulative_capex, last.cumulative_opex), (capex, opex));
        for p in &r.periods {
            let parts = [p.opex.energy, p.opex.space, p.opex.bandwidth, p.opex.drive_replacements, p.opex.labour];
            prop_assert_eq!(Cents::checked_sum(parts.into_iter()), Some(p.opex.total));
            prop_assert!(p.usable.0 as f64 >= p.target.0 as f64 - 1.0, "{} short of its target", p.label);
        }
    }
}

#[test]
fn backblaze_2011_a_rack_of_ten_pod_2_0s_costs_about_2100_a_month_in_thirds() {
    // 10 Pod 2.0s per rack (42 U: 10 × 4 U + the switch), the power model's load at the wall,
    // PUE 1.5, $0.10/kWh, and the defaults of $700 space and $700 bandwidth per rack-month.
    let (code, out, err) = run(&[
        "plan",
        "designs/backblaze-pod-2.0.ron",
        "--target",
        "1000TB",
        "--growth",
        "0",
        "--years",
        "1",
        "--headroom",
        "0",
        "--vault",
        "none",
        "--rack-power",
        "8kW",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["rack_fit"]["pods_per_rack"], 10);
    assert_eq!(r["periods"][0]["pods"], 10);
    let m = &r["rack_month"];
    let c = |k: &str| m[k].as_i64().unwrap();
    // Energy: 10 × 486.5 W DC / 0.8 = 6,081.25 W × 730 h × 1.5 = 6,659 kWh × $0.10 = $665.90.
    assert_eq!(c("energy"), 665_90);
    assert_eq!((c("space"), c("bandwidth")), (700_00, 700_00));
    // The total lands within 5 % of Backblaze's $2,100, each of the three within 5 points of
    // a third.
    let total = c("total") as f64;
    assert!((total - 210_000.0).abs() / 210_000.0 < 0.05, "{total}");
    for k in ["energy", "space", "bandwidth"] {
        let share = c(k) as f64 / total;
        assert!((share - 1.0 / 3.0).abs() < 0.05, "{k}: {share}");
    }
    let (_, text, _) = run(&[
        "plan",
        "designs/backblaze-pod-2.0.ron",
        "--target",
        "1000TB",
        "--growth",
        "0",
        "--years",
        "1",
        "--headroom",
        "0",
        "--vault",
        "none",
        "--rack-power",
        "8kW",
    ]);
    assert!(
        flat(&text).contains("One full rack of 10 pods for a month"),
        "{text}"
    );
}

#[test]
fn a_pod_6_0_in_a_29_inch_rack_is_refused_for_depth_or_flagged_when_allowed() {
    let base = [
        "plan",
        "designs/backblaze-pod-6.0.ron",
        "--target",
        "5PB",
        "--growth",
        "40%",
    ];
    let mut args = base.to_vec();
    args.extend(["--rack-depth", "29"]);
    let (code, out, err) = run(&args);
    assert_eq!(code, 2, "{out}");
    assert!(out.is_empty());
    // 33 9/16 in − 29 in = 4.56 in: Backblaze's "about 4 inches".
    assert!(
        err.contains("error[plan-rack-depth] at site.rack_depth_in")
            && err.contains("overhangs a 29 in rack by 4.56 in"),
        "{err}"
    );
    assert_eq!(
        err.matches("error[").count(),
        1,
        "the error prints once: {err}"
    );
    args.extend(["--max-overhang", "5"]);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert!(
        flat(&out).contains("FLAG: the 33.56 in chassis overhangs the 29 in rack by 4.56 in"),
        "{out}"
    );
}

#[test]
fn the_shipped_plan_answers_the_5_pb_plus_40_percent_question() {
    let (code, out, err) = run(&[
        "plan",
        "designs/plans/5pb-40pct-pod-6.0.ron",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["periods"].as_array().unwrap().len(), 5);
    for p in r["periods"].as_array().unwrap() {
        assert!(p["usable"].as_u64().unwrap() >= p["target"].as_u64().unwrap());
        assert_eq!(p["pods"].as_u64().unwrap() % 20, 0, "whole 17+3 Vaults");
    }
    // A flag overrides the plan file, and the factor table says so.
    let (code, out, _) = run(&[
        "plan",
        "designs/plans/5pb-40pct-pod-6.0.ron",
        "--pue",
        "1.2",
    ]);
    assert_eq!(code, 0);
    let flat_out = flat(&out);
    assert!(flat_out.contains("site.pue ┆ 1.2 ┆ --pue"), "{out}");
    assert!(
        flat_out.contains("site.price_per_kwh ┆ 0.1 ┆ plan file"),
        "{out}"
    );
}

#[test]
fn bad_input_is_a_located_error_with_a_stable_code() {
    let d = "designs/backblaze-pod-6.0.ron";
    let cases: &[(&[&str], &str)] = &[
        (
            &["--target", "5PB", "--growth", "2000%"],
            "error[plan-out-of-range] at demand.rate_pct",
        ),
        (
            &["--target", "5PB", "--years", "0"],
            "error[plan-out-of-range] at horizon_years",
        ),
        (
            &["--target", "5PB", "--years", "31"],
            "error[plan-out-of-range] at horizon_years",
        ),
        (
            &["--target", "5PB", "--rack-power", "500W"],
            "error[plan-rack-power] at site.rack_power",
        ),
        (
            &["--target", "5PB", "--budget", "100"],
            "error[plan-budget] at budget",
        ),
        (
            &["--target", "5XB"],
            "error[plan-invalid-value] at demand.start",
        ),
        (&[], "error[plan-no-demand] at demand"),
        (
            &["--target", "5PB", "--pue", "NaN"],
            "error[plan-out-of-range] at site.pue",
        ),
        (
            &["--target", "5PB", "--rack-units", "3"],
            "error[plan-rack-units] at site.rack_units",
        ),
        (
            &["--target", "5PB", "--vault", "0+3"],
            "error[plan-out-of-range] at grouping",
        ),
        (
            &["--target", "5PB", "--price-per-kwh=-1"],
            "error[plan-invalid-value] at site.price_per_kwh",
        ),
        (
            &["--target", "5PB", "--space-per-rack-month=-5"],
            "error[plan-invalid-value] at site.space_per_rack_month",
        ),
        (
            &[
                "--target",
                "5PB",
                "--pod-weight",
                "200",
                "--rack-weight-limit",
                "100",
            ],
            "error[plan-rack-weight] at site.rack_weight_limit_lb",
        ),
        (
            &["--target", "9000PB", "--growth", "100%", "--years", "30"],
            "error[plan-too-large]",
        ),
    ];
    for (extra, want) in cases {
        let mut args = vec!["plan", d];
        args.extend_from_slice(extra);
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{extra:?}: {out}{err}");
        assert!(err.contains(want), "{extra:?}: want {want:?} in {err}");
        assert!(!err.contains("NaN") && !err.contains("inf"), "{err}");
    }
}

#[test]
fn a_broken_budget_shows_the_plan_and_exits_1() {
    let (code, out, err) = run(&[
        "plan",
        "designs/backblaze-pod-6.0.ron",
        "--target",
        "5PB",
        "--budget",
        "300,000",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("LIMIT BROKEN (budget)"), "{out}");
    assert!(
        err.contains("limit broken (budget): capital spent reaches"),
        "{err}"
    );
}

#[test]
fn plan_files_are_their_own_document_kind() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("typo.ron");
    std::fs::write(&typo, "Plan(\n    horizon_yeras: 5,\n)\n").unwrap();
    let (code, _, err) = run(&["plan", typo.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("typo.ron:2:") && err.contains("error[syntax]"),
        "{err}"
    );
    // `check` checks a plan's values; design commands skip or refuse it.
    let bad = dir.path().join("bad.ron");
    std::fs::write(
        &bad,
        "// a plan\nPlan(site: Site(pue: 9.0), design: \"nope.ron\")\n",
    )
    .unwrap();
    let (code, out, _) = run(&["check", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        out.contains("at site.pue: [plan-out-of-range]") && out.contains("at design:"),
        "{out}"
    );
    let (code, _, err) = run(&["show", "designs/plans/5pb-40pct-pod-6.0.ron"]);
    assert_eq!(code, 2);
    assert!(err.contains("this is a fleet plan, not a design"), "{err}");
    let (code, _, err) = run(&[
        "cost",
        "designs/plans/5pb-40pct-pod-6.0.ron",
        "designs/backblaze-pod-2.0.ron",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("a fleet plan, not a design; skipped"), "{err}");
}

#[test]
fn the_purchase_schedule_workbook_has_a_sheet_per_purchase() {
    use calamine::{Reader, Xlsx};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.xlsx");
    let charts = dir.path().join("charts");
    let (code, _, err) = run(&[
        "plan",
        "designs/plans/5pb-40pct-pod-6.0.ron",
        "--output",
        path.to_str().unwrap(),
        "--charts",
        charts.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let mut wb: Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names[0], "Summary");
    assert!(names.contains(&"Y1".to_string()), "{names:?}");
    let y1 = wb.worksheet_range("Y1").unwrap();
    // Y1 buys 60 pods (three Vaults): 60 drives a pod → 3,600 drives on the order.
    let drives = y1
        .rows()
        .find(|r| r[0] == "seagate-st4000dm000-pod-6-0")
        .unwrap();
    assert_eq!(drives[4].to_string(), "3600");
    for name in [
        "plan-capacity.png",
        "plan-spend.png",
        "plan-cost-per-tb-month.svg",
    ] {
        let bytes = std::fs::read(charts.join(name)).unwrap();
        assert!(bytes.len() > 1000, "{name}");
    }
    let (code, _, err) = run(&[
        "plan",
        "designs/plans/5pb-40pct-pod-6.0.ron",
        "--format",
        "xlsx",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("give --output"), "{err}");
}

#[test]
fn plan_errors_name_their_place() {
    let e = PlanError::NoDemand;
    assert_eq!(e.code(), "plan-no-demand");
    assert!(
        e.located("p.ron")
            .starts_with("p.ron: error[plan-no-demand] at demand: ")
    );
}

#[test]
fn the_readme_plan_figures_are_what_plan_prints() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("## Fleet plans")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    let text = flat(section);
    let (code, out, err) = run(&[
        "plan",
        "designs/backblaze-pod-6.0.ron",
        "--target",
        "5PB",
        "--growth",
        "40%",
        "--years",
        "5",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(section.contains(
        "podplan plan designs/backblaze-pod-6.0.ron --target 5PB --growth 40% --years 5"
    ));
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    let money = |v: &serde_json::Value| Cents(v.as_i64().unwrap()).to_string();
    let t = &r["totals"];
    for want in [
        format!("{} pods in year 1", r["periods"][0]["pods"]),
        format!("{} pods by year 5", t["pods"]),
        format!("binds at {} pods per rack", r["rack_fit"]["pods_per_rack"]),
        format!("ends on {} racks", t["racks"]),
        format!("capex is {}", money(&t["capex"]["total"])),
        format!("opex {}", money(&t["opex"]["total"])),
        format!("TCO {}", money(&t["tco"])),
        format!(
            "${:.3} per usable TB-month",
            t["per_tb_month"].as_f64().unwrap()
        ),
    ] {
        assert!(text.contains(&want), "README lacks {want:?}");
    }
    let (_, out, _) = run(&[
        "plan",
        "designs/backblaze-pod-2.0.ron",
        "--target",
        "1000TB",
        "--growth",
        "0",
        "--years",
        "1",
        "--headroom",
        "0",
        "--vault",
        "none",
        "--rack-power",
        "8kW",
        "--format",
        "json",
    ]);
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    let want = format!("come to {} a month", money(&r["rack_month"]["total"]));
    assert!(text.contains(&want), "README lacks {want:?}");
}

#[test]
fn the_committed_plan_report_is_what_the_code_produces() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let committed = root.join("reports").join(crate::report::PLAN_REPORT);
    let tmp = tempfile::tempdir().unwrap();
    let fresh = tmp.path().join("plan");
    let (code, _, err) = run(&[
        "plan",
        "designs/plans/5pb-40pct-pod-6.0.ron",
        "--out",
        fresh.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let names = |d: &std::path::Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        names(&fresh),
        names(&committed),
        "regenerate: see reports/README.md"
    );
    let mut stale = Vec::new();
    for n in names(&fresh) {
        // Text files only: the workbook carries its date, PNG encoders may differ.
        if [".md", ".csv", ".json", ".svg"]
            .iter()
            .any(|e| n.ends_with(e))
            && n != "podplan-manifest.json"
            && std::fs::read(fresh.join(&n)).unwrap() != std::fs::read(committed.join(&n)).unwrap()
        {
            stale.push(n);
        }
    }
    assert!(
        stale.is_empty(),
        "stale plan report files (regenerate: see reports/README.md): {stale:?}"
    );
}

#[test]
fn a_plan_file_alone_is_planned() {
    let (code, out, err) = run(&["designs/plans/5pb-40pct-pod-6.0.ron"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Plan: 5 PB usable + 40 %/yr on Pod 6.0 Vaults"),
        "{out}"
    );
}

#[test]
fn the_plans_energy_in_kwh_reads_with_thousands_separated_and_stays_plain_in_csv() {
    let plan = "designs/plans/5pb-40pct-pod-6.0.ron";
    let (code, csv, err) = run(&["plan", plan, "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    let mut lines = csv.lines().skip_while(|l| !l.contains(",kwh,"));
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "kwh").unwrap();
    let first: Vec<&str> = lines.next().unwrap().split(',').collect();
    let kwh: u64 = first[col]
        .parse()
        .unwrap_or_else(|_| panic!("plain digits: {}", first[col]));
    assert!(
        kwh >= 1000,
        "a fleet's yearly energy is thousands of kWh: {kwh}"
    );
    let digits = kwh.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let (code, table, err) = run(&["plan", plan]);
    assert_eq!(code, 0, "{err}");
    let row = table
        .lines()
        .find(|l| l.contains(first[1]) && l.contains(&grouped))
        .unwrap_or_else(|| panic!("no {} row with {grouped} kWh:\n{table}", first[1]));
    assert!(!row.contains(&format!(" {digits} ")), "{row}");
}
