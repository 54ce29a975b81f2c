//! Reports and comparisons: the committed `reports/` are what the code produces, summary.md
//! agrees with report.json, and charts need no system font (directory safety: `safety.rs`).

use crate::run;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The committed fleet-plan report under `reports/` (written by the README's `report` command,
/// as `podplan plan --out` writes it).
pub(crate) const PLAN_REPORT: &str = "plan-5pb-40pct-pod-6.0";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `.ron` files of a folder, relative to the package root, sorted (as a shell glob).
fn ron_files(folder: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join(folder))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .map(|p| format!("{folder}/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    v.sort();
    v
}

/// The design files (and the catalog), as `designs/*.ron` names them.
fn design_args() -> Vec<String> {
    ron_files("designs")
}

/// Text artifacts held to the committed copies (PNG and XLSX are binary; XLSX carries a date).
fn is_text(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("md" | "csv" | "json" | "svg" | "html")
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
    // `designs/*.ron designs/plans/*.ron`
    let mut args = vec!["report"];
    let mut designs = design_args();
    designs.extend(ron_files("designs/plans"));
    args.extend(designs.iter().map(String::as_str));
    let out_s = out.to_str().unwrap().to_string();
    args.extend(["--out", &out_s]);
    let (code, _, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let fresh: BTreeSet<PathBuf> = files_under(&out)
        .into_iter()
        .filter(|p| is_text(p))
        .collect();
    // Every report directory, the fleet plan's included.
    let committed: BTreeSet<PathBuf> = files_under(&root().join("reports"))
        .into_iter()
        .filter(|p| is_text(p) && p.components().count() > 1)
        .collect();
    assert!(
        fresh.iter().any(|p| p.starts_with(PLAN_REPORT)),
        "the README's command writes the plan's directory"
    );
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
    // Printed on its own, the summary has no CSV files beside it: it names the command that
    // gives per-link tables instead of files the main job did not write (issue 16).
    assert!(!out.contains("are in `bandwidth-"), "{out}");
    assert!(out.contains("`podplan bandwidth --workload NAME`"));
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

/// Whether a CSV header names a unit, so that every cell of its column is a number: a unit in
/// brackets at the end (`Unit (USD)`, `Share of total (%)`), or a unit as its last word
/// (`Raw TB`, `Idle, W`).
fn names_a_unit(h: &str) -> bool {
    const UNITS: [&str; 17] = [
        "USD",
        "EUR",
        "%",
        "TB",
        "TiB",
        "GB",
        "MB/s",
        "Gb/s",
        "W",
        "h",
        "A",
        "bits",
        "years",
        "probability",
        "count",
        "fraction",
        "per hour",
    ];
    let h = h.trim();
    let last = match h.strip_suffix(')').and_then(|x| x.rsplit_once('(')) {
        Some((_, inside)) => inside.rsplit([',', ';']).next().unwrap_or(inside).trim(),
        None => h.rsplit([' ', ',']).next().unwrap_or(h).trim(),
    };
    UNITS.contains(&last)
}

/// A number as a display string dresses it: currency signs, thousands separators, a unit or a
/// second quantity after it (`$7,384.00`, `913.21 (12.4 %)`, `600.0 over 45 drives`, `9 → 10`).
fn dressed_number(cell: &str) -> bool {
    let c = cell.trim();
    let starts_num = |s: &str| {
        let s = s.trim_start_matches(['-', '+']);
        s.starts_with(|ch: char| ch.is_ascii_digit())
    };
    if c.starts_with('$') || c.starts_with("-$") || c.starts_with("+$") {
        return true;
    }
    if !starts_num(c) {
        return false;
    }
    let end = c
        .find(|ch: char| !(ch.is_ascii_digit() || ".,-+eE".contains(ch)))
        .unwrap_or(c.len());
    let (num, rest) = c.split_at(end);
    // Thousands separators: `7,384.00`, not a list of bays such as `1,4,7`.
    let int = num.split(['.', 'e', 'E']).next().unwrap_or(num);
    let grouped = int.contains(',') && int.split(',').skip(1).all(|g| g.len() == 3);
    let rest = rest.trim_start();
    grouped
        || rest.starts_with('(')
        || rest.starts_with('%')
        || rest.starts_with("over ")
        || rest.starts_with('→')
        || rest.starts_with('/')
        || rest.starts_with(|ch: char| ch.is_ascii_digit())
}

/// Headers of free-text columns (a design's own notes and sources), where prose may quote a
/// figure as people write it.
fn free_text(h: &str) -> bool {
    [
        "Explanation",
        "Source",
        "Price source",
        "Why",
        "How",
        "Applies to",
        "Used for",
    ]
    .iter()
    .any(|p| h.starts_with(p))
}

/// Every cell of a numeric CSV column parses as a number, and no cell dresses a number up.
fn plain_csv_problems(what: &str, text: &str, problems: &mut Vec<String>) {
    for block in text.split("\n\n").filter(|b| !b.trim().is_empty()) {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(block.as_bytes());
        let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
        for rec in r.records() {
            let rec = rec.unwrap();
            assert_eq!(rec.len(), header.len(), "{what}: ragged row {rec:?}");
            // Key/value tables put the unit in the row's first column.
            let row_unit = rec.get(1).is_some_and(names_a_unit);
            for (i, cell) in rec.iter().enumerate() {
                let h = &header[i];
                let numeric = names_a_unit(h) || (h == "Value" && row_unit);
                if numeric
                    && !cell.is_empty()
                    && cell != "-"
                    && !cell.parse::<f64>().is_ok_and(f64::is_finite)
                {
                    problems.push(format!(
                        "{what}: column {h:?} holds {cell:?}, not a number (row {:?})",
                        rec.get(1)
                    ));
                }
                if !free_text(h) && dressed_number(cell) {
                    problems.push(format!(
                        "{what}: column {h:?} holds the display string {cell:?} (row {:?})",
                        rec.get(1)
                    ));
                }
            }
        }
    }
}

#[test]
fn every_csv_cell_of_a_numeric_column_is_a_plain_number() {
    let designs = design_args();
    let backblaze: Vec<&str> = designs
        .iter()
        .map(String::as_str)
        .filter(|d| d.contains("backblaze-pod"))
        .collect();
    let mut problems = Vec::new();
    let mut runs: Vec<Vec<&str>> = Vec::new();
    for d in &backblaze {
        runs.push(vec!["bom", d]);
        runs.push(vec![
            "bom",
            d,
            "--pods",
            "3",
            "--price",
            "zippy-psm-5760=250.00",
        ]);
        runs.push(vec!["cost", d]);
        runs.push(vec!["layout", d]);
        for w in [
            "scrub",
            "ingest",
            "read",
            "rebuild",
            "rebuild-all",
            "single",
        ] {
            runs.push(vec!["bandwidth", d, "--workload", w]);
        }
        runs.push(vec!["durability", d]);
    }
    runs.push(vec!["durability", backblaze[1], "--vault", "17+3"]);
    runs.push(vec!["durability", backblaze[1], "--monte-carlo"]);
    runs.push(vec![
        "layout",
        backblaze[1],
        "--auto",
        "--survive",
        "backplane",
    ]);
    let mut all = vec!["cost"];
    all.extend(&backblaze);
    runs.push(all.clone());
    all[0] = "compare";
    runs.push(all);
    runs.push(vec![
        "cost",
        "designs/backblaze-pod-2.0.ron",
        "--drive",
        "hgst-hds5c4040ale630",
        "--parts",
        "designs/backblaze-pod-3.0.ron",
    ]);
    for mut args in runs {
        args.extend(["--format", "csv"]);
        let (code, out, err) = run(&args);
        // A price the design does not use is refused: that run has no CSV to check.
        if code == 2 && err.contains("--price") {
            continue;
        }
        assert!(code <= 1, "{args:?}: {err}");
        plain_csv_problems(&args.join(" "), &out, &mut problems);
    }
    // The CSV files of `report --out`.
    let tmp = tempfile::tempdir().unwrap();
    let out_s = tmp.path().join("r").to_str().unwrap().to_string();
    let mut args = vec!["report", backblaze[0], backblaze[6]];
    args.extend(["--out", &out_s]);
    let (code, _, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let dir = tmp.path().join("r");
    for f in files_under(&dir) {
        if f.extension().is_some_and(|e| e == "csv") {
            let text = std::fs::read_to_string(dir.join(&f)).unwrap();
            plain_csv_problems(&f.display().to_string(), &text, &mut problems);
        }
    }
    problems.dedup();
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Two copies of the test fixture under other names (same revision), and one with a label.
fn two_other_designs(dir: &Path, label: Option<&str>) -> (String, String) {
    let text = std::fs::read_to_string(root().join("tests/fixtures/valid.ron")).unwrap();
    let a = dir.join("a.ron");
    let b = dir.join("b.ron");
    std::fs::write(&a, &text).unwrap();
    let other = text.replace("\"Test Pod 10\"", "\"Other Test Pod\"");
    let other = match label {
        Some(l) => other.replace(
            "revision: \"t1\",",
            &format!("revision: \"t1\",\n    label: \"{l}\","),
        ),
        None => other,
    };
    assert_ne!(other, text);
    std::fs::write(&b, other).unwrap();
    (
        a.to_str().unwrap().to_string(),
        b.to_str().unwrap().to_string(),
    )
}

#[test]
fn compare_names_designs_by_label_or_name_and_shows_the_annual_loss() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = two_other_designs(tmp.path(), None);
    for format in ["table", "markdown", "csv"] {
        let (code, out, err) = run(&["compare", &a, &b, "--format", format]);
        assert_eq!(code, 0, "{err}");
        // Never a made-up "Pod <revision>": the two designs are told apart by name.
        assert!(!crate::flat(&out).contains("Pod t1"), "{format}:\n{out}");
        assert!(
            out.contains("Test Pod 10") && out.contains("Other Test Pod"),
            "{out}"
        );
        if format != "csv" {
            assert!(out.contains("Test Pod 10 → Other Test Pod"), "{out}");
        }
        // The pod's annual probability of data loss, the same figure the JSON carries.
        assert!(out.contains("Data loss / year"), "{format}:\n{out}");
    }
    let (_, json, _) = run(&["compare", &a, &b, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let p = v["columns"][0]["annual_loss"].as_f64().unwrap();
    let (_, csv_text, _) = run(&["compare", &a, &b, "--format", "csv"]);
    let mut r = csv::Reader::from_reader(csv_text.split("\n\n").next().unwrap().as_bytes());
    let col = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h.starts_with("Data loss / year"))
        .unwrap();
    let first = r.records().next().unwrap().unwrap();
    assert_eq!(&first[1], "Test Pod 10");
    let shown: f64 = first[col].parse().unwrap();
    assert!((shown - p).abs() <= p * 0.01, "{shown} vs {p}");

    // A label, when the design gives one, names it in tables and charts.
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = two_other_designs(tmp.path(), Some("OTP"));
    let (code, out, err) = run(&["compare", &a, &b]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("OTP") && !out.contains("Other Test Pod"),
        "{out}"
    );
    let dir = tmp.path().join("cmp");
    let (code, _, err) = run(&["compare", &a, &b, "--out", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let svg = std::fs::read_to_string(dir.join("cost-per-gb.svg")).unwrap();
    assert!(svg.contains("OTP") && svg.contains("Test Pod 10"), "{svg}");
    assert!(!svg.contains("Pod t1"));
}

/// Whether two consecutive lines of a table cell split a number: the cell holds them with
/// nothing between (a cut inside a word, not a wrap at a space or a line break of its own) and
/// the cut falls between digits (`…,29,3` / `3,36`, `$2,35` / `0.00`). A list of bays cut after
/// one of its commas is not a split number.
fn splits_a_number(cell: &str, a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() || b.is_empty() || !cell.contains(&format!("{a}{b}")) {
        return false;
    }
    let last = a.chars().last().unwrap();
    let first = b.chars().next().unwrap();
    let digitish = |c: char| c.is_ascii_digit() || c == '.' || c == ',';
    if !(digitish(last) && digitish(first)) {
        return false;
    }
    // A cut next to a comma splits a number only when three digits follow (thousands).
    let after = b.trim_start_matches(',');
    let thousands = after.len() >= 3
        && after[..3].chars().all(|c| c.is_ascii_digit())
        && !after[3..].starts_with(|c: char| c.is_ascii_digit());
    !((last == ',' || first == ',') && !thousands)
}

/// The lines of each column of a one-row terminal table.
fn cell_lines(table: &str) -> Vec<Vec<String>> {
    let body: Vec<&str> = table
        .lines()
        .skip_while(|l| !l.starts_with('╞'))
        .skip(1)
        .take_while(|l| !l.starts_with('└'))
        .collect();
    let mut cols: Vec<Vec<String>> = Vec::new();
    for l in body {
        let inner = l.trim_start_matches('│').trim_end_matches('│');
        for (i, c) in inner.split('┆').enumerate() {
            if cols.len() <= i {
                cols.push(Vec::new());
            }
            cols[i].push(c.trim().to_string());
        }
    }
    cols
}

#[test]
fn table_cells_never_split_a_number_across_lines() {
    use podplan::render::{Style, sections_table};
    let mut reports = Vec::new();
    let mut pods = Vec::new();
    for rev in ["1.0", "2.0", "3.0", "4.0", "4.5", "5.0", "6.0"] {
        let pod = crate::pod(rev);
        reports.push(podplan::study::design(&pod, rev).unwrap());
        pods.push(pod);
    }
    let pod_refs: Vec<&podplan::model::Pod> = pods.iter().collect();
    let mut all: Vec<Vec<podplan::render::Section>> = Vec::new();
    for r in &reports {
        all.push(podplan::render::show_sections(&r.show));
        all.push(podplan::render::layout_sections(&r.layout));
        all.push(podplan::render::bom::bom_sections(&r.bom, Style::Read));
        all.push(podplan::render::bom::cost_sections(&r.bom, Style::Read));
        for b in &r.bandwidth {
            all.push(podplan::render::bandwidth::sections(b, Style::Read));
        }
        if let Some(d) = &r.durability {
            all.push(podplan::render::durability::sections(d, Style::Read));
        }
    }
    // Placements spread across backplanes give long lists of bays.
    for pod in &pods {
        let shape = podplan::layout::Shape {
            level: pod.raid.level,
            spares: pod.raid.spares,
        };
        let survive = [podplan::layout::DomainKind::Backplane];
        let Ok(p) = podplan::layout::place(pod, shape, &survive) else {
            continue;
        };
        let o = podplan::layout::Overheads::for_filesystem(pod.raid.filesystem);
        let l = podplan::layout::report(pod, &p, pod.raid.filesystem, &o, None);
        all.push(podplan::render::layout_sections(&l));
        let req = podplan::study::DurabilityRequest {
            survive: survive.to_vec(),
            ..Default::default()
        };
        if let Ok(d) = podplan::study::durability(pod, &req, &|_| {}) {
            all.push(podplan::render::durability::sections(&d, Style::Read));
        }
    }
    let boms: Vec<_> = reports.iter().map(|r| r.bom.clone()).collect();
    all.push(podplan::render::bom::comparison_sections(
        &boms,
        Style::Read,
    ));
    let c = podplan::study::compare(&reports, &pod_refs);
    all.push(podplan::render::report::compare_sections(&c, Style::Read));
    let mut split = Vec::new();
    for sections in &all {
        for s in sections {
            // One row at a time, so that every line of the table body belongs to that row.
            for row in &s.rows {
                let one = podplan::render::Section {
                    rows: vec![row.clone()],
                    notes: Vec::new(),
                    ..s.clone()
                };
                let text = sections_table(&[one]);
                for (cell, lines) in row.iter().zip(cell_lines(&text)) {
                    for pair in lines.windows(2) {
                        if splits_a_number(cell, &pair[0], &pair[1]) {
                            split.push(format!("{}: {:?} | {:?}", s.title, pair[0], pair[1]));
                        }
                    }
                }
            }
        }
    }
    split.sort();
    split.dedup();
    assert!(
        split.is_empty(),
        "numbers split across lines:\n{}",
        split.join("\n")
    );
}

/// The test fixture with an ordering code on its SATA card and a dual-port NIC card in its PCI
/// slot.
fn fixture_with_nic_card(dir: &Path) -> String {
    let text = std::fs::read_to_string(root().join("tests/fixtures/valid.ron")).unwrap();
    let text = text.replace(
        "            name: \"Test 4-port SATA card, FIS-based switching\",\n",
        "            name: \"Test 4-port SATA card, FIS-based switching\",\n            part_number: \"TC-9123-X\",\n",
    );
    let nic_part = r#"        Part(
            id: "test-dual-nic",
            name: "Test dual-port GbE card",
            price: Price(amount: "50.00", date: "2011-07", source: Estimated("test fixture")),
            spec: NicCard(NicCardSpec(ports: 2, gbit_s: 1.0, host_bus: Pci(width_bits: 32, mhz: 33), watts: 5.0)),
        ),
        Part(
            id: "test-screw","#;
    let text = text.replacen(
        "        Part(\n            id: \"test-screw\",",
        nic_part,
        1,
    );
    let (head, tail) = text.rsplit_once("    slots: [\n").unwrap();
    let text = format!(
        "{head}    slots: [\n        SlotUse(slot: \"PCI1\", card: CardUse(part: \"test-dual-nic\")),\n{tail}"
    );
    let path = dir.join("nic.ron");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn show_names_cards_and_lists_a_nic_card_once() {
    let tmp = tempfile::tempdir().unwrap();
    let design = fixture_with_nic_card(tmp.path());
    let (code, out, err) = run(&["show", &design]);
    assert_eq!(code, 0, "{err}\n{out}");
    // The tree names the card, as the rest of the report does, not by its ordering code.
    let card_line = out.lines().find(|l| l.contains("PCIE1")).unwrap();
    assert!(card_line.contains("Test 4-port SATA card"), "{card_line}");
    assert!(!card_line.contains("TC-9123-X"), "{card_line}");
    // The two ports of one card are one entry under Network.
    assert_eq!(
        out.matches("Test dual-port GbE card (PCI1)").count(),
        1,
        "{out}"
    );
    assert!(
        out.contains("2 × 1 Gb/s Test dual-port GbE card (PCI1)"),
        "{out}"
    );
    let (_, json, _) = run(&["show", &design, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let nics = v["summary"]["nics"].as_array().unwrap();
    let cards: Vec<_> = nics.iter().filter(|n| n["location"] == "PCI1").collect();
    assert_eq!(cards.len(), 1, "{nics:?}");
    assert_eq!(cards[0]["ports"], 2);
}

#[test]
fn a_design_path_alone_prints_its_report_or_says_what_to_run() {
    let (code, out, err) = run(&["tests/fixtures/valid.ron"]);
    assert_eq!(code, 0, "{err}");
    let (_, report, _) = run(&["report", "tests/fixtures/valid.ron"]);
    assert_eq!(out, report);
    assert!(out.starts_with("# Test Pod 10"), "{out}");
    for missing in ["no-such-design.ron", "designs/nope.ron", "designs"] {
        let (code, out, err) = run(&[missing]);
        assert_eq!(code, 2, "{missing}: {out}");
        assert!(!err.contains("unrecognized subcommand"), "{err}");
        assert!(err.contains("podplan report"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    // A mistyped command still gets the parser's suggestion.
    let (code, _, err) = run(&["repot"]);
    assert_eq!(code, 2);
    assert!(err.contains("report"), "{err}");
}

/// `report` shows a design's warnings as every other command does (it dropped them without a
/// word), before its own output.
#[test]
fn report_shows_the_warnings_every_command_shows() {
    let design = "tests/fixtures/invalid/psu-spinup.ron";
    let (code, _, shown) = crate::run(&["show", design]);
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("warning[psu-spinup]"), "{shown}");
    for cmd in ["report", "compare", "layout", "bom", "cost"] {
        let (code, _, err) = crate::run(&[cmd, design]);
        assert_eq!(code, 0, "{cmd}: {err}");
        assert_eq!(err, shown, "{cmd}");
    }
}

/// The published $/GB reads like the computed one beside it: with its currency.
#[test]
fn compare_shows_the_published_cost_per_gb_with_its_currency() {
    let (code, md, err) = run(&[
        "compare",
        "designs/backblaze-pod-1.0.ron",
        "designs/backblaze-pod-4.0.ron",
        "--format",
        "markdown",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        md.contains("| $/GB raw, published | $0.11 | $0.0517 |"),
        "{md}"
    );
}

#[test]
fn compare_holds_each_bottleneck_as_its_workload_and_binding() {
    // Pod 1.0's scrub is bound by its PCI bus (model §5): the comparison keeps the workload
    // and the bandwidth engine's Binding, and the JSON pairs their words as before.
    let pods = [crate::pod("1.0"), crate::pod("2.0")];
    let reports: Vec<_> = pods
        .iter()
        .map(|p| podplan::study::design(p, &p.name).unwrap())
        .collect();
    let c = podplan::study::compare(&reports, &pods.iter().collect::<Vec<_>>());
    let (w, b) = &c.columns[0].bottleneck[0];
    assert_eq!(*w, podplan::bandwidth::Workload::Scrub);
    assert_eq!(b.ids(), vec!["pci:bus"]);
    let v = serde_json::to_value(&c).unwrap();
    assert_eq!(
        v["columns"][0]["bottleneck"][0],
        serde_json::json!(["scrub", b.to_string()])
    );
}

/// The shipped plan file, relative to the package root.
const PLAN_FILE: &str = "designs/plans/5pb-40pct-pod-6.0.ron";

#[test]
fn report_writes_a_plan_directory_as_plan_out_does_and_keeps_the_replace_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let o = out.to_str().unwrap();
    let args = [
        "report",
        "designs/backblaze-pod-2.0.ron",
        PLAN_FILE,
        "--out",
        o,
    ];
    let (code, stdout, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert!(
        stdout.contains("backblaze-pod-2.0, plan-5pb-40pct-pod-6.0"),
        "{stdout}"
    );
    assert!(
        !err.contains("skipped"),
        "a plan is no longer skipped: {err}"
    );
    let alone = tmp.path().join("alone");
    let (code, _, err) = run(&["plan", PLAN_FILE, "--out", alone.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let dir = out.join(PLAN_REPORT);
    assert_eq!(
        files_under(&dir),
        files_under(&alone),
        "the files of plan --out"
    );
    for f in files_under(&alone).iter().filter(|f| is_text(f)) {
        assert_eq!(
            std::fs::read(dir.join(f)).unwrap(),
            std::fs::read(alone.join(f)).unwrap(),
            "{}",
            f.display()
        );
    }
    // A second run replaces what podplan wrote.
    let (code, _, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    // A file podplan did not write in the plan's directory: refused before anything is
    // written, the design's directory included.
    std::fs::write(dir.join("mine.txt"), "keep me").unwrap();
    std::fs::remove_dir_all(out.join("backblaze-pod-2.0")).unwrap();
    let (code, _, err) = run(&args);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("plan-5pb-40pct-pod-6.0"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("mine.txt")).unwrap(),
        "keep me"
    );
    assert!(!out.join("backblaze-pod-2.0").exists(), "nothing written");
    // Without --out the plan's tables follow the design's summary.
    let (code, text, err) = run(&["report", "designs/backblaze-pod-2.0.ron", PLAN_FILE]);
    assert_eq!(code, 0, "{err}");
    assert!(
        text.contains("Plan: 5 PB usable + 40 %/yr on Pod 6.0 Vaults"),
        "{text}"
    );
    // --html is a design's page: a plan is refused.
    let (code, _, err) = run(&["report", "--html", PLAN_FILE]);
    assert_eq!(code, 2);
    assert!(err.contains("a plan has no page"), "{err}");
}

#[test]
fn a_design_and_a_plan_with_one_report_name_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let design = tmp.path().join("plan-5pb-40pct-pod-6.0.ron");
    std::fs::copy(root().join("designs/backblaze-pod-2.0.ron"), &design).unwrap();
    std::fs::copy(
        root().join("designs/catalog.ron"),
        tmp.path().join("catalog.ron"),
    )
    .unwrap();
    let out = tmp.path().join("r");
    let (code, _, err) = run(&[
        "report",
        design.to_str().unwrap(),
        PLAN_FILE,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("would both be reported as"), "{err}");
    assert!(!out.exists(), "nothing written");
}

#[test]
fn compare_puts_plans_side_by_side_and_refuses_a_mix() {
    let tmp = tempfile::tempdir().unwrap();
    // A second plan: the shipped one without drive-price decline and a 10-year horizon, next
    // to the design it names.
    std::fs::create_dir(tmp.path().join("plans")).unwrap();
    for f in ["backblaze-pod-6.0.ron", "catalog.ron"] {
        std::fs::copy(root().join("designs").join(f), tmp.path().join(f)).unwrap();
    }
    let text = std::fs::read_to_string(root().join(PLAN_FILE))
        .unwrap()
        .replace(
            "drive_price_decline_pct: 15.0",
            "drive_price_decline_pct: 0.0",
        );
    let other = tmp.path().join("plans/flat-prices.ron");
    std::fs::write(&other, text).unwrap();
    let o = other.to_str().unwrap();
    let (code, json, err) = run(&["compare", PLAN_FILE, o, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let c: serde_json::Value = serde_json::from_str(&json).unwrap();
    let plans = c["plans"].as_array().unwrap();
    assert_eq!(plans.len(), 2);
    assert_eq!(plans[0]["name"], "5pb-40pct-pod-6.0");
    assert_eq!(plans[1]["name"], "flat-prices");
    // Each column is the plan's own figures.
    let (_, pj, _) = run(&["plan", PLAN_FILE, "--format", "json"]);
    let p: serde_json::Value = serde_json::from_str(&pj).unwrap();
    assert_eq!(plans[0]["tco"], p["totals"]["tco"]);
    assert_eq!(plans[0]["capex"], p["totals"]["capex"]["total"]);
    assert_eq!(plans[0]["racks"], p["totals"]["racks"]);
    assert_eq!(plans[0]["binding"], p["rack_fit"]["binding"]);
    // Prices that do not fall cost more: the same pods, a higher capex.
    assert_eq!(plans[0]["pods"], plans[1]["pods"]);
    assert!(plans[1]["capex"].as_i64() > plans[0]["capex"].as_i64());
    let (code, table, _) = run(&["compare", PLAN_FILE, o, "--format", "markdown"]);
    assert_eq!(code, 0);
    for row in [
        "TCO (capex + opex)",
        "What binds racks",
        "Racks at the end",
        "TCO per usable TB-month",
    ] {
        assert!(table.contains(row), "{row}: {table}");
    }
    // --out writes the comparison files with a manifest.
    let dir = tmp.path().join("cmp");
    let (code, _, err) = run(&["compare", PLAN_FILE, o, "--out", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    for f in [
        "compare.md",
        "compare.csv",
        "compare.json",
        "podplan-manifest.json",
    ] {
        assert!(dir.join(f).exists(), "{f}");
    }
    // A design and a plan together: refused, nothing compared.
    let (code, out, err) = run(&["compare", "designs/backblaze-pod-2.0.ron", PLAN_FILE]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains(
            "1 design and 1 fleet plan were given; compare the designs and the plans in two runs"
        ),
        "{err}"
    );
}

/// Issue 12 item 5: every Backblaze design shows the figures measured on built pods beside the
/// model, in summary.md, report.html and the comparison; a design without any shows no table.
#[test]
fn backblaze_designs_show_their_measurements_beside_the_model() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let out_s = out.to_str().unwrap().to_string();
    let designs: Vec<String> = ["1.0", "2.0", "3.0", "4.5"]
        .iter()
        .map(|r| crate::design_path(r).to_str().unwrap().to_string())
        .collect();
    let mut args = vec!["report"];
    args.extend(designs.iter().map(String::as_str));
    args.extend(["--out", &out_s]);
    let (code, _, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    // (design, rows, a figure of one row as summary.md prints it)
    for (dir, rows, figure) in [
        ("backblaze-pod-1.0", 3, "| power, idle | W | 576 |"),
        (
            "backblaze-pod-2.0",
            2,
            "| throughput, ingest | MB/s | 62.5 |",
        ),
        (
            "backblaze-pod-4.5",
            1,
            "| sync, every drive at once | h | 14 | 10.8 |",
        ),
    ] {
        let md = std::fs::read_to_string(out.join(dir).join("summary.md")).unwrap();
        let section = md
            .split("## Measured on built pods")
            .nth(1)
            .unwrap_or_default();
        assert!(section.contains("Model beside measurement"), "{dir}: {md}");
        assert!(section.contains(figure), "{dir}: {section}");
        let table_rows = section
            .lines()
            .filter(|l| {
                l.starts_with("| ") && !l.starts_with("| Measured") && !l.starts_with("| ---")
            })
            .count();
        assert_eq!(table_rows, rows, "{dir}: {section}");
        let html = std::fs::read_to_string(out.join(dir).join("report.html")).unwrap();
        assert!(html.contains("id=\"measured\""), "{dir}");
    }
    let md = std::fs::read_to_string(out.join("backblaze-pod-3.0").join("summary.md")).unwrap();
    assert!(
        !md.contains("Measured on built pods"),
        "3.0 has no measurement"
    );
    let cmp = std::fs::read_to_string(out.join("comparison").join("compare.md")).unwrap();
    let section = cmp
        .split("Model beside measurement")
        .nth(1)
        .unwrap_or_default();
    for label in ["Pod 1.0", "Pod 2.0", "Pod 4.5"] {
        assert!(section.contains(&format!("| {label} |")), "{label}: {cmp}");
    }
    // The 4.5's sync is outside its tolerance: the verdict says so, and so does a warning.
    assert!(section.contains("OUTSIDE"), "{section}");
    assert!(
        err.contains("warning[measured-mismatch] at measured[0]"),
        "{err}"
    );
}
