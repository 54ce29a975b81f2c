//! Reports and comparisons: the committed `reports/` are what the code produces, summary.md
//! agrees with report.json, and charts need no system font (directory safety: `safety.rs`).

use crate::run;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The design files, relative to the package root (as the README's command names them).
fn design_args() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("designs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .map(|p| format!("designs/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    v.sort();
    v
}

/// Text artifacts held to the committed copies (PNG and XLSX are binary; XLSX carries a date).
fn is_text(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("md" | "csv" | "json" | "svg")
    )
}

fn files_under(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out
}

#[test]
fn committed_reports_are_what_the_code_produces() {
    // The regeneration command of the README, run from the package root (cargo's test cwd).
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("reports");
    let mut args = vec!["report"];
    let designs = design_args();
    args.extend(designs.iter().map(String::as_str));
    let out_s = out.to_str().unwrap().to_string();
    args.extend(["--out", &out_s]);
    let (code, _, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let fresh: BTreeSet<PathBuf> = files_under(&out)
        .into_iter()
        .filter(|p| is_text(p))
        .collect();
    let committed: BTreeSet<PathBuf> = files_under(&root().join("reports"))
        .into_iter()
        .filter(|p| is_text(p) && p.components().count() > 1)
        .collect();
    assert_eq!(
        fresh, committed,
        "the set of report files differs: regenerate with the README's command"
    );
    let mut stale = Vec::new();
    for f in &fresh {
        let a = std::fs::read(out.join(f)).unwrap();
        let b = std::fs::read(root().join("reports").join(f)).unwrap();
        if a != b {
            stale.push(f.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale committed reports (regenerate them): {stale:?}"
    );
    // Every design has its charts as SVG and PNG, and the comparison exists.
    for d in ["backblaze-pod-1.0", "backblaze-pod-6.0"] {
        for c in [
            "capacity",
            "cost-by-category",
            "links-scrub",
            "links-ingest",
            "links-rebuild",
            "rebuild-time",
        ] {
            for ext in ["svg", "png"] {
                assert!(
                    out.join(d).join(format!("{c}.{ext}")).exists(),
                    "{d}/{c}.{ext}"
                );
            }
        }
        let xlsx = std::fs::read(out.join(d).join("bom.xlsx")).unwrap();
        assert_eq!(&xlsx[..2], b"PK", "the BOM workbook is a zip (XLSX)");
    }
    for f in [
        "compare.md",
        "compare.csv",
        "compare.json",
        "cost-per-gb.png",
        "tb-per-4u.svg",
        "rebuild-time.png",
    ] {
        assert!(out.join("comparison").join(f).exists(), "comparison/{f}");
    }
}

#[test]
fn summary_figures_are_the_json_figures() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap().to_string();
    for rev in ["1.0", "2.0", "4.0", "6.0"] {
        let design = format!("designs/backblaze-pod-{rev}.ron");
        let (code, _, err) = run(&["report", &design, "--out", &out]);
        assert_eq!(code, 0, "{err}");
        let dir = tmp.path().join(format!("backblaze-pod-{rev}"));
        let md = std::fs::read_to_string(dir.join("summary.md")).unwrap();
        let j: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap())
                .unwrap();
        let f = |ptr: &str| {
            j.pointer(ptr)
                .unwrap_or_else(|| panic!("{ptr} in report.json"))
                .clone()
        };
        let raw_tb = f("/show/summary/raw/tb").as_f64().unwrap();
        let raw_tib = f("/show/summary/raw/tib").as_f64().unwrap();
        assert!(
            md.contains(&format!("{raw_tb:.2} TB = {raw_tib:.2} TiB")),
            "pod {rev}: raw"
        );
        let cents = f("/bom/totals/pod_total").as_i64().unwrap();
        assert!(
            md.contains(&podplan::units::Cents(cents).to_string()),
            "pod {rev}: total"
        );
        let before = f("/layout/pipeline/before_filesystem").as_u64().unwrap();
        assert!(
            md.contains(&format!("{:.2} TB", podplan::units::Bytes(before).tb())),
            "pod {rev}: before FS"
        );
        let per_gb = f("/bom/metrics/raw/per_gb").as_f64().unwrap();
        assert!(md.contains(&format!("${per_gb:.4}")), "pod {rev}: $/GB");
        for t in f("/rebuild_times").as_array().unwrap() {
            let h = t["hours"].as_f64().unwrap();
            assert!(md.contains(&format!("{h:.1}")), "pod {rev}: rebuild {h}");
        }
        let models = f("/durability/pod/models");
        let models = models.as_array().unwrap();
        assert_eq!(models.len(), 4, "pod {rev}: every model");
        for m in models {
            let p = m["p_mission"].as_f64().unwrap();
            assert!(
                md.contains(&format!("{p:.2e}")),
                "pod {rev}: {} annual loss {p:.2e}",
                m["model"]
            );
        }
        for b in f("/bandwidth").as_array().unwrap() {
            let name = b["summary"]["binding_name"].as_str().unwrap();
            assert!(md.contains(name), "pod {rev}: binding {name}");
        }
    }
}

#[test]
fn no_argument_prints_the_pod_2_report() {
    let (code, out, err) = run(&[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("# Backblaze Storage Pod 2.0"), "{out}");
    assert!(out.contains("135.00 TB = 122.78 TiB"));
    assert!(out.contains("$7,384.00"));
    assert!(
        out.contains("62.5 h"),
        "Pod 2.0's rebuild time from its topology"
    );
}

#[test]
fn compare_lists_every_revision_and_the_bom_changes() {
    let designs = design_args();
    let mut args = vec!["compare", "--format", "markdown"];
    args.extend(designs.iter().map(String::as_str));
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("catalog, not a design; skipped"));
    for rev in ["1.0", "2.0", "3.0", "4.0", "4.5", "5.0", "6.0"] {
        assert!(out.contains(&format!("Pod {rev}")), "{rev}");
    }
    assert!(out.contains("Bill of materials: Pod 1.0 → Pod 2.0"));
    assert!(
        out.contains("| removed | Addonics ADSA4R5"),
        "the PCI card leaves in 2.0"
    );
    let (code, json, _) = run(&[
        "compare",
        "designs/backblaze-pod-1.0.ron",
        "designs/backblaze-pod-2.0.ron",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["columns"].as_array().unwrap().len(), 2);
}

#[test]
fn charts_need_no_font_library() {
    // plotters must be built without its `ttf` feature: nothing that loads system fonts.
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).unwrap();
    for name in [
        "font-kit",
        "freetype-sys",
        "yeslogic-fontconfig-sys",
        "servo-fontconfig",
    ] {
        assert!(
            !lock.contains(&format!("name = \"{name}\"")),
            "{name} is in the dependency tree"
        );
    }
}

/// Issue 18 item 7: a design without redundancy (Pod 2.0 with RAID0 rows) reports that no
/// rebuild exists, and its durability as loss at the first failure, instead of failing on a
/// `--workload rebuild` the user never gave.
#[test]
fn report_of_a_design_without_redundancy_says_no_rebuild_exists() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let (code, _, err) = run(&[
        "report",
        "tests/fixtures/raid0.ron",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("--workload"), "{err}");
    let md = std::fs::read_to_string(out.join("raid0/summary.md")).unwrap();
    assert!(
        md.contains("RAID0 15 has no redundancy, so no rebuild exists"),
        "{md}"
    );
    assert!(
        md.contains("loses a group's data at the first drive failure"),
        "{md}"
    );
    let (code, table, err) = run(&[
        "durability",
        "tests/fixtures/raid0.ron",
        "--format",
        "markdown",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(table.contains("no rebuild: no redundancy"), "{table}");
}
