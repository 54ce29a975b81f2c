//! Bill of materials and cost: totals add up to the cent on generated pods, Pod 1.0's published
//! BOM reproduces, every design reconciles with what was published, the CSV, JSON and XLSX
//! outputs carry the same lines, what-ifs change what they should, bad flags are named, and
//! `bom` of every design is held to golden snapshots.

use crate::properties::pods;
use crate::{design_path, pod, run};
use podplan::bom::{self, Basis, Options, Report};
use podplan::model::{ControllerKind, Pod};
use podplan::units::{Cents, TB};
use proptest::prelude::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

const REVISIONS: &[&str] = &["1.0", "2.0", "3.0", "4.0", "4.5", "5.0", "6.0"];

fn path_str(rev: &str) -> String {
    design_path(rev).to_str().unwrap().to_string()
}

fn report(rev: &str) -> Report {
    bom::report(&pod(rev), None, &Options::default()).unwrap()
}

/// The pod's cost summed straight from its tree, without the BOM engine's line merging.
fn independent_total(p: &Pod) -> i64 {
    let price = |part: &podplan::model::PartRef| part.price.unit.0;
    let mut t = price(&p.chassis) + price(&p.board) + price(&p.cpu);
    t += p
        .memory
        .iter()
        .map(|(m, q)| price(m) * i64::from(*q))
        .sum::<i64>();
    t += p.drives.iter().map(|d| price(&d.part)).sum::<i64>();
    t += p.boot_drives.iter().map(|b| price(&b.part)).sum::<i64>();
    t += p.backplanes.iter().map(|b| price(&b.part)).sum::<i64>();
    t += p.nic_cards.iter().map(|n| price(&n.part)).sum::<i64>();
    t += p.psus.iter().map(|x| price(&x.part)).sum::<i64>();
    t += p
        .fans
        .iter()
        .map(|f| price(&f.part) * i64::from(f.qty))
        .sum::<i64>();
    t += p
        .extras
        .iter()
        .map(|(e, q)| price(e) * i64::from(*q))
        .sum::<i64>();
    for c in &p.controllers {
        if let ControllerKind::Card { part, .. } = &c.kind {
            t += price(part);
        }
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn bom_total_is_the_sum_of_its_lines_to_the_cent(
        p in pods(),
        n in 1u32..=50,
        pick in any::<prop::sample::Index>(),
        new_cents in 0i64..=1_000_000,
    ) {
        let r = bom::report(&p, None, &Options::default()).unwrap();
        let t = &r.totals;
        let sum: i64 = r.lines.iter().map(|l| l.extended.0).sum();
        prop_assert_eq!(t.order_total.0, sum);
        prop_assert_eq!(t.pod_total.0, sum);
        prop_assert_eq!(sum, independent_total(&p), "lines against the tree");
        for l in &r.lines {
            prop_assert_eq!(l.extended.0, l.unit.0 * l.qty as i64);
        }
        let by_cat: i64 = t.by_category.iter().map(|c| c.extended.0).sum();
        let by_basis: i64 = t.by_basis.iter().map(|b| b.extended.0).sum();
        prop_assert_eq!(by_cat, sum);
        prop_assert_eq!(by_basis, sum);
        prop_assert_eq!(t.data_drives.0 + t.everything_else.0, sum);
        let drives: i64 = p.drives.iter().map(|d| d.part.price.unit.0).sum();
        prop_assert_eq!(t.data_drives.0, drives);
        let data_units: u64 = r.lines.iter().filter(|l| l.data_drive).map(|l| l.qty).sum();
        prop_assert_eq!(data_units, p.drives.len() as u64);
        prop_assert!((0.0..=100.0).contains(&t.estimated_share_pct));
        // Cost per usable TB is never below cost per raw TB: usable ≤ raw.
        let m = &r.metrics;
        prop_assert!(m.usable.bytes <= m.raw.bytes);
        if let (Some(u), Some(raw)) = (m.usable.per_tb, m.raw.per_tb) {
            prop_assert!(u >= raw, "{} < {}", u, raw);
        }

        // An order of n pods is n times one pod, line by line.
        let order = bom::report(&p, None, &Options { pods: n, ..Options::default() }).unwrap();
        prop_assert_eq!(order.totals.order_total.0, sum * i64::from(n));
        prop_assert_eq!(order.totals.pod_total.0, sum);
        for (a, b) in order.lines.iter().zip(&r.lines) {
            prop_assert_eq!(a.qty, b.qty * u64::from(n));
            prop_assert_eq!(a.qty_per_pod, b.qty);
        }

        // A price override moves the total by exactly qty × (new − old).
        let line = &r.lines[pick.index(r.lines.len())];
        let prices = BTreeMap::from([(line.part.clone(), Cents(new_cents))]);
        let w = bom::report(&p, None, &Options { prices, pods: 1 }).unwrap();
        let moved: i64 = r
            .lines
            .iter()
            .filter(|l| l.part == line.part)
            .map(|l| l.qty as i64 * (new_cents - l.unit.0))
            .sum();
        prop_assert_eq!(w.totals.order_total.0, sum + moved);
        let base = w.what_if.as_ref().and_then(|x| x.baseline.as_ref()).unwrap();
        prop_assert_eq!(base.pod_total.0, sum);

        // The generated designs publish $7,384.00: bom-drift fires exactly when they differ.
        let drift = bom::lint(&p);
        match &p.published.total_cost {
            Some(f) => prop_assert_eq!(drift.is_empty(), f.value.0 == sum),
            None => prop_assert!(drift.is_empty()),
        }
        for d in &drift {
            prop_assert_eq!(d.code, podplan::diag::Code::BomDrift);
            prop_assert!(!d.is_error());
        }
    }
}

/// Pod 1.0's BOM as published (docs/sources.md §3.2, rows 1-17): part number or name, qty, unit cents.
const POD_1_ROWS: &[(&str, u64, i64)] = &[
    ("ST31500341AS", 45, 12_000),
    ("Custom 4U red enclosure", 1, 74_800),
    ("PSM-5760", 2, 27_000),
    ("CFI-B53PM", 9, 4_200),
    ("E8600", 1, 28_000),
    ("SD-SA2PEX-2IR", 3, 3_500),
    ("ADSA4R5", 1, 7_000),
    ("BOXDG43NB", 1, 8_500),
    ("G1238M12B1-FSR", 6, 1_360),
    ("KVR800D2N6K2/4G", 1, 5_000),
    ("WD800BB", 1, 3_800),
    ("ele-302", 1, 3_000),
    ("Nylon backplane standoff", 72, 17),
    ("Aero Rubber", 45, 23),
    ("VDK-PSU", 2, 450),
    ("AFM02", 12, 40),
    ("AFM03", 12, 40),
];

#[test]
fn pod_1_published_line_items_reproduce() {
    let r = report("1.0");
    let mut matched = Vec::new();
    for (key, qty, unit) in POD_1_ROWS {
        let hits: Vec<_> = r
            .lines
            .iter()
            .filter(|l| l.part_number.as_deref() == Some(*key) || l.name.contains(key))
            .collect();
        assert_eq!(hits.len(), 1, "row {key}: {hits:#?}");
        let l = hits[0];
        assert_eq!((l.qty, l.unit.0), (*qty, *unit), "row {key}");
        assert_eq!(l.basis, Basis::Published, "row {key}");
        assert_eq!(l.price_date, "2009-10", "row {key}");
        matched.push(l.item);
    }
    // The 17 rows sum to $7,846.79 unrounded; the rest is the estimated lost tail.
    let rows: i64 = r
        .lines
        .iter()
        .filter(|l| matched.contains(&l.item))
        .map(|l| l.extended.0)
        .sum();
    assert_eq!(rows, 784_679);
    let rest: Vec<_> = r
        .lines
        .iter()
        .filter(|l| !matched.contains(&l.item))
        .collect();
    assert!(
        rest.iter().all(|l| l.basis == Basis::Estimated),
        "{rest:#?}"
    );
    assert_eq!(rest.iter().map(|l| l.extended.0).sum::<i64>(), 2_021);
    assert_eq!(r.totals.estimated.0, 2_021);
    assert_eq!(r.totals.pod_total.0, 786_700);
    assert_eq!(
        r.totals.everything_else.0, 246_700,
        "without drives $2,467 [D]"
    );
}

/// (revision, total cents, non-drive cents as each design's notes give them, published $/GB).
const EXPECTED: &[(&str, i64, i64, Option<&str>)] = &[
    ("1.0", 786_700, 246_700, Some("0.11")),
    ("2.0", 738_400, 198_400, None),
    ("3.0", 1_004_259, 194_259, Some("0.06")),
    ("4.0", 930_500, 251_810, Some("0.0517")),
    ("4.5", 864_000, 193_455, Some("0.048")),
    ("5.0", 792_000, 265_005, Some("0.044")),
    ("6.0", 873_400, 292_480, Some("0.036")),
];

#[test]
fn every_design_matches_its_published_total_or_documents_the_difference() {
    for (rev, total, non_drive, per_gb) in EXPECTED {
        let r = report(rev);
        assert_eq!(r.totals.pod_total.0, *total, "pod {rev} total");
        assert_eq!(
            r.totals.everything_else.0, *non_drive,
            "pod {rev} non-drive"
        );
        let rec = &r.reconciliation;
        if let Some(c) = &rec.total {
            assert!(c.matches || !c.explanation.is_empty(), "pod {rev}: {c:#?}");
            assert_eq!(c.difference.0, c.computed.0 - c.published.0);
        }
        assert_eq!(
            rec.per_gb.as_ref().map(|c| c.published_text.as_str()),
            *per_gb
        );
        if let Some(c) = &rec.per_gb {
            assert!(c.matches || !c.explanation.is_empty(), "pod {rev}: {c:#?}");
        }
        assert!(bom::lint(&pod(rev)).is_empty(), "pod {rev} drifts");
    }
    // Totals Backblaze published reproduce to the cent.
    for (rev, cents) in [
        ("1.0", 786_700),
        ("2.0", 738_400),
        ("4.0", 930_500),
        ("6.0", 873_400),
    ] {
        let c = report(rev).reconciliation.total.unwrap();
        assert_eq!(
            (c.published.0, c.computed.0, c.matches),
            (cents, cents, true),
            "{rev}"
        );
    }
    // Pod 1.0's $0.11/GB is Backblaze's rounding of 7,867 / 67,500 = 0.1165: the design says so.
    let c = report("1.0").reconciliation.per_gb.unwrap();
    assert!(!c.matches);
    assert!((c.computed - 0.116_548).abs() < 1e-6, "{}", c.computed);
    assert_eq!(c.computed_at_published_precision, "0.12");
    assert!(c.explanation.contains("rounded"), "{}", c.explanation);
    // Pod 3.0's 6 ¢/GB is an upper bound; the computed figure is under it.
    let c = report("3.0").reconciliation.per_gb.unwrap();
    assert!(c.computed < 0.06 && c.explanation.contains("upper bound"));
    // The rest match at the published precision.
    for rev in ["4.0", "4.5", "5.0", "6.0"] {
        assert!(report(rev).reconciliation.per_gb.unwrap().matches, "{rev}");
    }
}

#[test]
fn cost_per_usable_tb_is_at_least_cost_per_raw_tb() {
    for rev in REVISIONS {
        let m = report(rev).metrics;
        let (raw, before, usable) = (
            m.raw.per_tb.unwrap(),
            m.before_filesystem.per_tb.unwrap(),
            m.usable.per_tb.unwrap(),
        );
        assert!(
            raw <= before && before <= usable,
            "{rev}: {raw} {before} {usable}"
        );
        assert!(
            m.raw.per_tib.unwrap() > raw,
            "{rev}: a TiB is more than a TB"
        );
        if let Some(v) = m.vault_usable {
            assert!(
                v.per_tb.unwrap() >= raw,
                "{rev}: a Vault pod keeps less than raw"
            );
        }
        // $/GB is $/TB / 1000.
        assert!((m.raw.per_gb.unwrap() * 1000.0 - raw).abs() < 1e-9, "{rev}");
    }
    // Pod 2.0: 3 × RAID6 13+2 of 3 TB = 117 TB before the filesystem, as Backblaze said.
    let m = report("2.0").metrics;
    assert_eq!(m.raw.bytes.0, 135 * TB);
    assert!((m.before_filesystem.bytes.tb() - 117.0).abs() < 0.01);
    assert!((m.per_bay - 7_384.0 / 45.0).abs() < 1e-9);
    assert!(m.vault_usable.is_none(), "Pod 2.0 is not a Vault pod");
    // Pods 5.0 and 6.0 are Vault pods: 17/20 of every drive is data.
    let v = report("6.0").metrics.vault_usable.unwrap();
    assert!(v.bytes.0 < 240 * TB * 17 / 20, "{}", v.bytes.tb());
}

fn csv_blocks(text: &str) -> Vec<Vec<csv::StringRecord>> {
    text.split("\n\n")
        .map(|block| {
            csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(block.as_bytes())
                .records()
                .map(|r| r.unwrap())
                .collect()
        })
        .collect()
}

fn cents_of(text: &str) -> i64 {
    podplan::units::parse_cents(text).unwrap().0
}

#[test]
fn csv_and_json_parse_back_to_the_same_lines() {
    for rev in REVISIONS {
        let (c1, csv_text, e1) = run(&["bom", &path_str(rev), "--format", "csv"]);
        let (c2, json_text, e2) = run(&["bom", &path_str(rev), "--format", "json"]);
        assert_eq!((c1, c2), (0, 0), "{e1}{e2}");
        let json: Value = serde_json::from_str(&json_text).unwrap();
        let lines = json["lines"].as_array().unwrap();
        let blocks = csv_blocks(&csv_text);
        let (head, rows) = blocks[0].split_first().unwrap();
        let col = |name: &str| head.iter().position(|h| h == name).unwrap();
        assert_eq!(rows.len(), lines.len(), "pod {rev}");
        for (row, l) in rows.iter().zip(lines) {
            assert_eq!(&row[col("Part id")], l["part"].as_str().unwrap());
            assert_eq!(&row[col("Part")], l["name"].as_str().unwrap());
            assert_eq!(
                row[col("Qty")].parse::<u64>().unwrap(),
                l["qty"].as_u64().unwrap()
            );
            assert_eq!(
                cents_of(&row[col("Unit (USD)")]),
                l["unit"].as_i64().unwrap()
            );
            assert_eq!(
                cents_of(&row[col("Extended (USD)")]),
                l["extended"].as_i64().unwrap()
            );
            assert_eq!(&row[col("Price date")], l["price_date"].as_str().unwrap());
            assert_eq!(&row[col("Price source")], l["source"].as_str().unwrap());
            let basis = Basis::ALL
                .iter()
                .find(|b| b.label() == &row[col("Price basis")])
                .unwrap();
            assert_eq!(
                serde_json::to_value(basis).unwrap(),
                l["basis"],
                "pod {rev}"
            );
        }
        // The totals block's total is the JSON total and the sum of the CSV lines.
        let total_row = blocks[1].iter().find(|r| &r[1] == "total").unwrap();
        let total = json["totals"]["order_total"].as_i64().unwrap();
        assert_eq!(cents_of(&total_row[2]), total, "pod {rev}");
        let summed: i64 = rows
            .iter()
            .map(|r| cents_of(&r[col("Extended (USD)")]))
            .sum();
        assert_eq!(summed, total, "pod {rev}");
    }
}

fn read_xlsx(path: &Path) -> calamine::Xlsx<std::io::BufReader<std::fs::File>> {
    calamine::open_workbook(path).unwrap()
}

fn cell_text(c: &calamine::Data) -> String {
    match c {
        calamine::Data::String(s) => s.clone(),
        calamine::Data::Float(f) => f.to_string(),
        calamine::Data::Int(i) => i.to_string(),
        other => format!("{other:?}"),
    }
}

fn cell_cents(c: &calamine::Data) -> i64 {
    match c {
        calamine::Data::Float(f) => (f * 100.0).round() as i64,
        calamine::Data::Int(i) => i * 100,
        other => panic!("not a number: {other:?}"),
    }
}

#[test]
fn xlsx_opens_and_holds_the_same_lines_and_totals() {
    use calamine::Reader;
    let dir = tempfile::tempdir().unwrap();
    for (rev, pods) in [("1.0", 1u32), ("2.0", 3), ("4.0", 1), ("6.0", 1)] {
        let path = dir.path().join(format!("pod-{rev}.xlsx"));
        let pods_arg = pods.to_string();
        let (code, out, err) = run(&[
            "bom",
            &path_str(rev),
            "--format",
            "xlsx",
            "--output",
            path.to_str().unwrap(),
            "--pods",
            &pods_arg,
        ]);
        assert_eq!(code, 0, "{err}");
        assert!(out.is_empty());
        let r = bom::report(
            &pod(rev),
            None,
            &Options {
                pods,
                ..Options::default()
            },
        )
        .unwrap();
        let mut wb = read_xlsx(&path);
        assert_eq!(
            wb.sheet_names(),
            vec!["BOM".to_string(), "Cost".to_string()]
        );
        let sheet = wb.worksheet_range("BOM").unwrap();
        let rows: Vec<&[calamine::Data]> = sheet.rows().collect();
        // Header: the design's name, the date, the estimated-share warning.
        let header: Vec<String> = rows[..4].iter().map(|r| cell_text(&r[0])).collect();
        assert!(header[0].contains(&r.design), "{header:?}");
        assert!(header[2].starts_with("Generated 2"), "{header:?}");
        assert!(header[3].starts_with("Estimated: "), "{header:?}");
        let h = rows
            .iter()
            .position(|row| cell_text(&row[0]) == "#")
            .unwrap();
        let lines = &rows[h + 1..h + 1 + r.lines.len()];
        for (row, l) in lines.iter().zip(&r.lines) {
            assert_eq!(cell_text(&row[2]), l.part);
            assert_eq!(cell_cents(&row[8]), l.qty as i64 * 100, "qty of {}", l.part);
            assert_eq!(cell_cents(&row[9]), l.unit.0, "unit of {}", l.part);
            assert_eq!(cell_cents(&row[10]), l.extended.0, "extended of {}", l.part);
        }
        let label = |text: &str| {
            rows.iter()
                .find(|row| cell_text(&row[1]) == text)
                .map(|row| cell_cents(&row[10]))
                .unwrap_or_else(|| panic!("no row {text:?}"))
        };
        let total_label = if pods == 1 {
            "Total".to_string()
        } else {
            format!("Total for {pods} pods")
        };
        assert_eq!(label(&total_label), r.totals.order_total.0, "pod {rev}");
        assert_eq!(label("Data drives"), r.totals.data_drives.0);
        assert_eq!(label("Estimated prices"), r.totals.estimated.0);
        if pods > 1 {
            assert_eq!(label("Total per pod"), r.totals.pod_total.0);
        }
        // Extended prices and totals are formulas.
        let formulas = wb.worksheet_formula("BOM").unwrap();
        let all: Vec<String> = formulas.rows().flatten().cloned().collect();
        assert!(all.iter().any(|f| f.starts_with("SUM(")), "{all:?}");
        assert!(all.iter().any(|f| f.starts_with("SUMIF(")), "{all:?}");
        assert!(all.iter().filter(|f| f.contains('*')).count() >= r.lines.len());
        // The Cost sheet carries the pod total and the $/GB.
        let cost = wb.worksheet_range("Cost").unwrap();
        let total_cell = cost
            .rows()
            .find(|row| cell_text(&row[0]) == "Total, one pod")
            .map(|row| cell_cents(&row[1]))
            .unwrap();
        assert_eq!(total_cell, r.totals.pod_total.0);
    }
    let pod1 = report("1.0");
    assert_eq!(pod1.totals.order_total, Cents(786_700));
}

#[test]
fn xlsx_bytes_are_deterministic_for_a_date() {
    let r = report("1.0");
    let a = podplan::render::xlsx::bom_workbook(&r, "2024-05-01").unwrap();
    let b = podplan::render::xlsx::bom_workbook(&r, "2024-05-01").unwrap();
    assert_eq!(a, b);
    assert_eq!(&a[..2], b"PK", "an XLSX is a zip file");
}

#[test]
fn bom_of_pod_2_sums_to_7384_and_says_how_much_is_estimated() {
    let (code, out, err) = run(&["bom", &path_str("2.0")]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("│ total "), "{out}");
    assert!(out.contains("$7,384.00"), "{out}");
    assert!(
        out.contains("Estimated: $913.21 (12.4 %) of the total rests on prices nobody published"),
        "{out}"
    );
    assert!(out.contains("Published total: $7,384.00 [P]"), "{out}");
    // The built-in design is Pod 2.0 too.
    let (code, builtin, _) = run(&["bom"]);
    assert_eq!(code, 0);
    assert!(builtin.contains("$7,384.00"));
}

#[test]
fn cost_over_all_designs_shows_per_gb_against_the_published_numbers() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("designs");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path().to_str().unwrap().to_string())
        .filter(|p| p.ends_with(".ron"))
        .collect();
    files.sort();
    let mut args = vec!["cost"];
    args.extend(files.iter().map(String::as_str));
    args.extend(["--format", "markdown"]);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("catalog.ron: a catalog, not a design; skipped"),
        "{err}"
    );
    // One row per design: total, published total, raw TB, $/GB, published $/GB.
    for (rev, cells) in [
        (
            "1.0",
            "| $7,867.00 | $7,867.00 [P] | 67.50 | $0.1165 | $0.11 [P], differs |",
        ),
        (
            "2.0",
            "| $7,384.00 | $7,384.00 [P] | 135.00 | $0.0547 | - |",
        ),
        ("3.0", "| $10,042.59 | - | 180.00 | $0.0558 | $0.06 [T] |"),
        (
            "4.0",
            "| $9,305.00 | $9,305.00 [P] | 180.00 | $0.0517 | $0.0517 [P] |",
        ),
        (
            "4.5",
            "| $8,640.00 | $8,640.00 [D] | 180.00 | $0.0480 | $0.048 [P] |",
        ),
        (
            "5.0",
            "| $7,920.00 | $7,920.00 [D] | 180.00 | $0.0440 | $0.044 [P] |",
        ),
        (
            "6.0",
            "| $8,734.00 | $8,734.00 [T] | 240.00 | $0.0364 | $0.036 [P] |",
        ),
    ] {
        let row = out
            .lines()
            .find(|l| l.starts_with(&format!("| Backblaze Storage Pod {rev} |")))
            .unwrap_or_else(|| panic!("no row for {rev}:\n{out}"));
        assert!(row.contains(cells), "{rev}: {row}");
    }
    let (code, json, _) = run(&[
        "cost",
        &path_str("1.0"),
        &path_str("6.0"),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[1]["reconciliation"]["total"]["published"], 873_400);
}

#[test]
fn outputs_are_deterministic() {
    for format in ["table", "markdown", "csv", "json"] {
        for cmd in ["bom", "cost"] {
            let a = run(&[cmd, &path_str("4.0"), "--format", format]);
            let b = run(&[cmd, &path_str("4.0"), "--format", format]);
            assert_eq!(a, b, "{cmd} --format {format}");
        }
    }
}

#[test]
fn an_order_of_pods_scales_the_totals_and_says_so() {
    let (code, out, _) = run(&["bom", &path_str("2.0"), "--pods", "10"]);
    assert_eq!(code, 0);
    assert!(out.contains("total for 10 pods"), "{out}");
    assert!(out.contains("$73,840.00"), "{out}");
    assert!(out.contains("Order of 10 pods: every quantity and total is for 10 pods"));
    assert!(
        out.lines()
            .any(|l| l.contains("Hitachi") && l.contains(" 450 ") && l.contains("$54,000.00")),
        "450 data drives: {out}"
    );
    let (code, cost, _) = run(&["cost", &path_str("2.0"), "--pods", "10"]);
    assert_eq!(code, 0);
    assert!(cost.contains("total for 10 pods"), "{cost}");
    assert!(
        cost.contains("$0.0547"),
        "per-GB figures are per pod: {cost}"
    );
    let (code, _, err) = run(&["bom", &path_str("2.0"), "--pods", "0"]);
    assert_eq!(code, 2);
    assert!(err.contains("--pods"), "{err}");
}

#[test]
fn price_overrides_change_the_total_by_qty_times_the_difference() {
    let (code, json, err) = run(&[
        "bom",
        &path_str("2.0"),
        "--format",
        "json",
        "--price",
        "hitachi-hds5c3030ala630=100",
        "--price",
        "zippy-psm-5760=$250.00",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v["totals"]["order_total"],
        738_400 - 45 * 2_000 - 2 * 2_000,
        "45 drives $20 cheaper, 2 PSUs $20 cheaper"
    );
    assert_eq!(v["what_if"]["baseline"]["pod_total"], 738_400);
    // The reconciliation stays with the design as written.
    assert_eq!(v["reconciliation"]["total"]["matches"], true);
    let overridden: Vec<&Value> = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["basis"] == "override")
        .collect();
    assert_eq!(overridden.len(), 2);
    assert_eq!(overridden[0]["design_unit"], 12_000);
}

#[test]
fn a_drive_swap_recomputes_capacity_and_cost_through_the_layout() {
    // Pod 2.0 with Pod 3.0's 4 TB HGST drives (a part of the 3.0 design file).
    let (code, json, err) = run(&[
        "cost",
        &path_str("2.0"),
        "--drive",
        "hgst-hds5c4040ale630",
        "--parts",
        &path_str("3.0"),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("published-raw-mismatch"), "{err}");
    let v: Value = serde_json::from_str(&json).unwrap();
    let r = &v[0];
    assert_eq!(r["metrics"]["raw"]["bytes"], 180 * TB);
    assert_eq!(
        r["totals"]["pod_total"],
        738_400 - 45 * 12_000 + 45 * 18_000
    );
    // 3 × RAID6 13+2 of 4 TB drives: 156 TB before the filesystem.
    let before = r["metrics"]["before_filesystem"]["bytes"].as_u64().unwrap();
    assert!((before as f64 / 1e12 - 156.0).abs() < 0.01, "{before}");
    assert_eq!(r["what_if"]["drive"]["part"], "hgst-hds5c4040ale630");
    assert_eq!(r["what_if"]["baseline"]["raw"]["bytes"], 135 * TB);
    assert_eq!(r["reconciliation"]["total"]["computed"], 738_400);
    let (code, table, _) = run(&[
        "cost",
        &path_str("2.0"),
        "--drive",
        "hgst-hds5c4040ale630",
        "--parts",
        &path_str("3.0"),
    ]);
    assert_eq!(code, 0);
    assert!(
        table.contains("What-if against the design as written"),
        "{table}"
    );
    assert!(
        table.contains("instead of Hitachi Deskstar 5K3000 3 TB"),
        "{table}"
    );
}

#[test]
fn bad_what_ifs_and_targets_are_named_and_leave_nothing_behind() {
    let p2 = path_str("2.0");
    let cases: &[(&[&str], &str)] = &[
        (&["--price", "no-such-part=5"], "--price no-such-part"),
        (&["--price", "zippy-psm-5760=-5"], "cannot be negative"),
        (
            &["--price", "zippy-psm-5760=abc"],
            "--price zippy-psm-5760=abc",
        ),
        (&["--price", "zippy-psm-5760"], "expected PART=AMOUNT"),
        (
            &["--price", "zippy-psm-5760=1.001"],
            "--price zippy-psm-5760=1.001",
        ),
        (&["--drive", "zippy-psm-5760"], "not a drive"),
        (&["--drive", "no-such-drive"], "--drive no-such-drive"),
        (&["--format", "xlsx"], "--output"),
        (
            &["--parts", "/nonexistent/parts.ron"],
            "--parts /nonexistent/parts.ron",
        ),
    ];
    for (extra, expect) in cases {
        let mut args = vec!["bom", p2.as_str()];
        args.extend(extra.iter().copied());
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}");
        assert!(err.contains(expect), "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
    }
    // A PATA drive cannot fill SATA bays: validation says why, under the flag.
    let (code, _, err) = run(&["bom", &path_str("1.0"), "--drive", "wd-wd800bb"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--drive wd-wd800bb") && err.contains("interface-mismatch"),
        "{err}"
    );

    // Targets that cannot be written: the flag is named and no temporary file is left.
    let dir = tempfile::tempdir().unwrap();
    let blocked = dir.path().join("blocked.xlsx");
    std::fs::create_dir(&blocked).unwrap();
    std::fs::write(blocked.join("keep"), "x").unwrap();
    let blocked_csv = dir.path().join("blocked.csv");
    std::fs::create_dir(&blocked_csv).unwrap();
    std::fs::write(blocked_csv.join("keep"), "x").unwrap();
    for (format, target) in [("xlsx", &blocked), ("csv", &blocked_csv)] {
        let (code, _, err) = run(&[
            "bom",
            &p2,
            "--format",
            format,
            "--output",
            target.to_str().unwrap(),
        ]);
        assert_eq!(code, 2, "{format}");
        assert!(err.contains("--output"), "{err}");
    }
    let (code, _, err) = run(&[
        "bom",
        &p2,
        "--format",
        "xlsx",
        "--output",
        "/nonexistent/dir/x.xlsx",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--output /nonexistent/dir/x.xlsx"), "{err}");
    let ron = dir.path().join("out.ron");
    let (code, _, err) = run(&[
        "bom",
        &p2,
        "--format",
        "csv",
        "--output",
        ron.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("never overwrites a design"), "{err}");
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        vec!["blocked.csv", "blocked.xlsx"],
        "nothing half-written"
    );
    // And a good target gets the whole file.
    let good = dir.path().join("bom.csv");
    let (code, _, _) = run(&[
        "bom",
        &p2,
        "--format",
        "csv",
        "--output",
        good.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let (_, stdout_csv, _) = run(&["bom", &p2, "--format", "csv"]);
    assert_eq!(std::fs::read_to_string(&good).unwrap(), stdout_csv);
}

#[test]
fn check_warns_when_a_bom_drifts_from_its_published_total() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(design_path("2.0"))
        .unwrap()
        .replace("value: \"7384.00\"", "value: \"7400.00\"");
    let file = dir.path().join("drifting.ron");
    std::fs::write(&file, text).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/catalog.ron"),
        dir.path().join("catalog.ron"),
    )
    .unwrap();
    let (code, out, _) = run(&["check", file.to_str().unwrap()]);
    assert_eq!(code, 0, "a warning does not fail the check: {out}");
    let line = out.lines().find(|l| l.contains("[bom-drift]")).unwrap();
    assert!(
        line.contains("warning[bom-drift] at published.total_cost"),
        "{line}"
    );
    assert!(
        line.contains("$7,384.00") && line.contains("$7,400.00") && line.contains("-$16.00"),
        "{line}"
    );
    // The shipped designs do not drift.
    let (_, out, _) = run(&[
        "check",
        &path_str("1.0"),
        &path_str("2.0"),
        &path_str("6.0"),
    ]);
    assert!(!out.contains("bom-drift"), "{out}");
}

fn golden(args: &[&str], rev: &str) -> String {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{err}");
    out.replace(&path_str(rev), &format!("designs/backblaze-pod-{rev}.ron"))
}

#[test]
fn bom_snapshots() {
    for rev in REVISIONS {
        let p = path_str(rev);
        insta::assert_snapshot!(
            format!("bom-markdown-{rev}"),
            golden(&["bom", &p, "--format", "markdown"], rev)
        );
        insta::assert_snapshot!(
            format!("bom-csv-{rev}"),
            golden(&["bom", &p, "--format", "csv"], rev)
        );
    }
}

#[test]
fn cost_snapshot() {
    let mut args = vec!["cost".to_string()];
    args.extend(REVISIONS.iter().map(|r| path_str(r)));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = run(&refs);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("cost-all-designs", out);
    let one = golden(&["cost", &path_str("1.0")], "1.0");
    insta::assert_snapshot!("cost-table-1.0", one);
}

/// A displayed figure as a number: `+$2,700.00` → 2700.00, `$0.0547` → 0.0547.
fn shown_number(cell: &str) -> f64 {
    cell.replace(['$', ',', '+'], "").trim().parse().unwrap()
}

#[test]
fn what_if_change_is_the_difference_of_the_figures_beside_it() {
    let p2 = path_str("2.0");
    let p3 = path_str("3.0");
    let cases: [&[&str]; 3] = [
        &["--drive", "hgst-hds5c4040ale630", "--parts", &p3],
        &["--price", "zippy-psm-5760=250.01"],
        &["--pods", "3", "--price", "zippy-psm-5760=199.99"],
    ];
    for extra in cases {
        let mut args = vec!["cost", &p2, "--format", "markdown"];
        args.extend(extra);
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{err}");
        let section = out
            .split("### ")
            .find(|s| s.starts_with("What-if against"))
            .unwrap_or_else(|| panic!("{args:?}: no what-if table\n{out}"));
        let rows: Vec<Vec<&str>> = section
            .lines()
            .filter(|l| {
                l.starts_with("| ") && !l.starts_with("| Figure") && !l.starts_with("| ---")
            })
            .map(|l| l.trim_matches('|').split(" | ").map(str::trim).collect())
            .collect();
        assert!(rows.len() >= 4, "{section}");
        for r in rows {
            let (before, after, change) = (r[1], r[2], r[3]);
            // Money keeps its currency sign in every cell of the row.
            assert_eq!(before.contains('$'), change.contains('$'), "{r:?}");
            let decimals = before.rsplit('.').next().unwrap().len();
            let scale = 10f64.powi(decimals as i32);
            let units = |c: &str| (shown_number(c) * scale).round() as i64;
            assert_eq!(
                units(change),
                units(after) - units(before),
                "{args:?}: {r:?}: the change is not the difference of the figures shown"
            );
        }
    }
}

#[test]
fn provenance_text_appears_only_where_it_applies() {
    // The test fixture is no Backblaze pod, publishes no figure and derives no price.
    let fixture = "tests/fixtures/valid.ron";
    let mut outputs = Vec::new();
    for cmd in ["bom", "cost"] {
        for format in ["table", "markdown", "csv"] {
            let (code, out, err) = run(&[cmd, fixture, "--format", format]);
            assert_eq!(code, 0, "{err}");
            outputs.push((format!("{cmd} {format}"), out));
        }
    }
    let (code, summary, err) = run(&["report", fixture]);
    assert_eq!(code, 0, "{err}");
    outputs.push(("report".into(), summary));
    let tmp = tempfile::tempdir().unwrap();
    let xlsx = tmp.path().join("bom.xlsx");
    let (code, _, err) = run(&[
        "bom",
        fixture,
        "--format",
        "xlsx",
        "--output",
        xlsx.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let mut wb = read_xlsx(&xlsx);
    let mut cells = String::new();
    for name in calamine::Reader::sheet_names(&wb) {
        let range = calamine::Reader::worksheet_range(&mut wb, &name).unwrap();
        for row in range.rows() {
            for c in row {
                cells.push_str(&cell_text(c));
                cells.push('\n');
            }
        }
    }
    outputs.push(("xlsx".into(), cells));
    for (what, text) in &outputs {
        for foreign in [
            "Backblaze quotes",
            "7384.00",
            "7,384.00",
            "0.0517",
            "Derived prices",
            "D derived by arithmetic",
            "as Backblaze",
        ] {
            assert!(
                !crate::flat(text).contains(foreign),
                "{what} says {foreign:?}:\n{text}"
            );
        }
    }
    // Where it applies, the footnote cites the design's own published figures.
    let (_, pod4, _) = run(&["cost", &path_str("4.0")]);
    assert!(
        crate::flat(&pod4).contains("$9,305.00 to the cent, $0.0517 to four decimals"),
        "{pod4}"
    );
    let (_, pod1, _) = run(&["cost", &path_str("1.0")]);
    assert!(
        crate::flat(&pod1).contains("$0.11 to two decimals"),
        "{pod1}"
    );
}

#[test]
fn output_extension_gives_the_format_and_a_mismatch_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let p2 = path_str("2.0");
    let at = |name: &str| tmp.path().join(name).to_str().unwrap().to_string();
    // The issue's case: an XLSX workbook named .csv.
    let x_csv = at("x.csv");
    let (code, _, err) = run(&["bom", &p2, "--format", "xlsx", "--output", &x_csv]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--format xlsx") && err.contains("x.csv"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!Path::new(&x_csv).exists());
    // Without --format, the extension decides.
    let x_xlsx = at("x.xlsx");
    let (code, _, err) = run(&["bom", &p2, "--output", &x_xlsx]);
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read(&x_xlsx).unwrap().starts_with(b"PK"));
    let (code, _, err) = run(&["bom", &p2, "--output", &x_csv]);
    assert_eq!(code, 0, "{err}");
    let (_, csv_text, _) = run(&["bom", &p2, "--format", "csv"]);
    assert_eq!(std::fs::read_to_string(&x_csv).unwrap(), csv_text);
    let x_json = at("x.json");
    for cmd in ["bom", "cost", "layout", "bandwidth", "durability", "show"] {
        let (code, _, err) = run(&[cmd, &p2, "--output", &x_json]);
        assert_eq!(code, 0, "{cmd}: {err}");
        let text = std::fs::read_to_string(&x_json).unwrap();
        assert!(
            serde_json::from_str::<Value>(&text).is_ok(),
            "{cmd}: {text}"
        );
    }
    let x_md = at("x.md");
    let (code, _, err) = run(&["cost", &p2, "-o", &x_md]);
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read_to_string(&x_md).unwrap().starts_with("### "));
    // Agreeing flags are fine; an extension naming no format leaves the default (a table).
    let (code, _, err) = run(&["layout", &p2, "--format", "csv", "--output", &x_csv]);
    assert_eq!(code, 0, "{err}");
    let x_out = at("x.out");
    let (code, _, err) = run(&["cost", &p2, "--output", &x_out]);
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read_to_string(&x_out).unwrap().contains('┌'));
    // A command that cannot write what the extension names says so.
    let s_csv = at("s.csv");
    let (code, _, err) = run(&["show", &p2, "--output", &s_csv]);
    assert_eq!(code, 2);
    assert!(err.contains("table, json"), "{err}");
    assert!(!Path::new(&s_csv).exists());
    let (code, _, err) = run(&[
        "compare",
        &p2,
        &path_str("3.0"),
        "--format",
        "json",
        "-o",
        &x_md,
    ]);
    assert_eq!(code, 2, "{err}");
}

/// Pod 2.0 with quantity price breaks added to the drive ($120.00, 45 per pod) and the chassis
/// ($335.45, 1 per pod), validated: the pod, and the directory holding the design file.
fn pod_2_with_breaks(drive: &str, chassis: &str) -> (Pod, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(design_path("2.0"))
        .unwrap()
        .replace(
            r#"price: (amount: "120.00", date: "2011-07", "#,
            &format!(r#"price: (amount: "120.00", date: "2011-07", breaks: [{drive}], "#),
        )
        .replace(
            r#"price: (amount: "335.45", date: "2011-07", "#,
            &format!(r#"price: (amount: "335.45", date: "2011-07", breaks: [{chassis}], "#),
        );
    let file = dir.path().join("p2-breaks.ron");
    std::fs::write(&file, text).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/catalog.ron"),
        dir.path().join("catalog.ron"),
    )
    .unwrap();
    let podplan::load::Document::Design(l) = podplan::load::load_file(&file).unwrap() else {
        panic!("a design");
    };
    let o = podplan::validate::validate(&l);
    let errors: Vec<_> = o.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    (o.pod.unwrap(), dir)
}

#[test]
fn a_price_break_applies_from_its_quantity_and_says_so() {
    // The chassis is 1 per pod with a break at 45 units for $300.00 (list $335.45).
    let (p, dir) = pod_2_with_breaks(
        "",
        r#"(qty: 45, amount: "300.00", source: Published("https://example.com/quote"))"#,
    );
    let at = |pods: u32| {
        bom::report(
            &p,
            None,
            &Options {
                pods,
                ..Options::default()
            },
        )
        .unwrap()
    };
    let chassis = |r: &Report| {
        r.lines
            .iter()
            .find(|l| l.part == "protocase-pod-2-0-chassis")
            .unwrap()
            .clone()
    };
    let r44 = at(44);
    let c44 = chassis(&r44);
    assert_eq!(
        (c44.qty, c44.unit, c44.price_break),
        (44, Cents(33_545), None)
    );
    assert_eq!(c44.basis, Basis::Estimated, "the list price's own source");
    // 44 pods at the published $7,384.00 each.
    assert_eq!(r44.totals.order_total, Cents(44 * 738_400));
    let r45 = at(45);
    let c45 = chassis(&r45);
    assert_eq!(
        (c45.qty, c45.unit, c45.price_break),
        (45, Cents(30_000), Some(45))
    );
    assert_eq!(c45.basis, Basis::Published, "the break's own source");
    assert!(
        c45.source
            .contains("price break from 45 units (list price $335.45)"),
        "{}",
        c45.source
    );
    // 45 × $7,384.00 − 45 × ($335.45 − $300.00) = $332,280.00 − $1,595.25 = $330,684.75.
    assert_eq!(r45.totals.order_total, Cents(33_068_475));
    // The command line shows it, in the sources section and the JSON.
    let f = dir.path().join("p2-breaks.ron");
    let (code, out, _) = run(&["bom", f.to_str().unwrap(), "--pods", "45"]);
    assert_eq!(code, 0);
    assert!(
        crate::flat(&out).contains("price break from 45 units"),
        "{out}"
    );
    let (_, json, _) = run(&[
        "bom",
        f.to_str().unwrap(),
        "--pods",
        "44",
        "--format",
        "json",
    ]);
    assert!(!json.contains("price_break"), "no break at 44 pods");
    // A --price override replaces the break too.
    let (_, json, _) = run(&[
        "bom",
        f.to_str().unwrap(),
        "--pods",
        "45",
        "--price",
        "protocase-pod-2-0-chassis=310",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&json).unwrap();
    let line = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["part"] == "protocase-pod-2-0-chassis")
        .unwrap();
    assert_eq!(line["unit"], 31_000);
    assert_eq!(line["basis"], "override");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// A larger order never pays a higher unit price on any line (and so never a higher
    /// price per pod), whatever the (valid) breaks.
    #[test]
    fn a_larger_order_never_has_a_higher_unit_price(
        steps in prop::collection::vec((1u64..400, 0i64..2_000), 0..4),
        chassis_at in 2u64..200,
        a in 1u32..300,
        b in 1u32..300,
    ) {
        // Drive breaks: ascending quantities, each no dearer than the one before ($120.00).
        let (mut qty, mut unit) = (1u64, 12_000i64);
        let mut drive = Vec::new();
        for (dq, du) in steps {
            qty += dq;
            unit = (unit - du).max(1);
            drive.push(format!(
                r#"(qty: {qty}, amount: "{}.{:02}", source: Estimated("q"))"#,
                unit / 100,
                unit % 100
            ));
        }
        let chassis = format!(r#"(qty: {chassis_at}, amount: "300.00", source: Estimated("q"))"#);
        let (p, _dir) = pod_2_with_breaks(&drive.join(", "), &chassis);
        let (small, large) = (a.min(b), a.max(b));
        let at = |pods: u32| bom::report(&p, None, &Options { pods, ..Options::default() }).unwrap();
        let (rs, rl) = (at(small), at(large));
        for (ls, ll) in rs.lines.iter().zip(&rl.lines) {
            prop_assert_eq!(&ls.part, &ll.part);
            prop_assert!(ll.unit <= ls.unit, "{}: {} at {large} pods > {} at {small}", ll.part, ll.unit, ls.unit);
        }
        prop_assert!(rl.totals.pod_total <= rs.totals.pod_total);
    }
}
