//! The README's figures are what the program prints: every number the README quotes from
//! podplan's output (the bandwidth and BOM tables, the layout capacities, the rebuild worked
//! example, the durability figures) is read from the README text and compared, at the
//! README's own rounding, with what `podplan` gives in-process (JSON output). Editing either
//! side without the other fails here.

use crate::run;
use serde_json::Value;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

fn json(args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    let (code, out, err) = run(&a);
    assert_eq!(code, 0, "{a:?}: {err}");
    serde_json::from_str(&out).unwrap()
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// True when `actual`, rounded as the README wrote `written` (`13.3`, `7,384.00`, `2.5e-7`,
/// `$0.0547`, `12.4 %`), reads the same.
fn agrees(written: &str, actual: f64) -> bool {
    let t: String = written
        .chars()
        .filter(|c| !matches!(c, ',' | '$' | '%' | '*' | ' '))
        .collect();
    match t.split_once('e') {
        Some((mantissa, _)) => {
            let d = mantissa.split_once('.').map_or(0, |(_, f)| f.len());
            format!("{actual:.d$e}") == t
        }
        None => {
            let d = t.split_once('.').map_or(0, |(_, f)| f.len());
            format!("{actual:.d$}") == t
        }
    }
}

fn check(what: &str, written: &str, actual: f64) {
    assert!(
        agrees(written, actual),
        "README: {what} is written {written:?}, the program gives {actual}"
    );
}

/// The number written just before byte `end` of `s` (digits, `,`, `.`, `e-`; `**` skipped).
fn number_before(s: &str, end: usize) -> Option<String> {
    let head = s[..end].trim_end().trim_end_matches('*');
    let start = head
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit() || matches!(c, ',' | '.' | 'e' | '-'))
        .last()
        .map(|(i, _)| i)?;
    let n = head[start..].trim_start_matches([',', '.', '-']);
    (!n.is_empty() && n.chars().next().is_some_and(|c| c.is_ascii_digit())).then(|| n.to_string())
}

/// Every number written before `unit` in `s`, in order.
fn numbers_before(s: &str, unit: &str) -> Vec<String> {
    s.match_indices(unit)
        .filter_map(|(i, _)| number_before(s, i))
        .collect()
}

/// The text between `after` and the next occurrence of `until`.
fn between<'a>(s: &'a str, after: &str, until: &str) -> &'a str {
    let a = s
        .find(after)
        .unwrap_or_else(|| panic!("README lacks {after:?}"))
        + after.len();
    let b = s[a..].find(until).map_or(s.len(), |b| a + b);
    &s[a..b]
}

/// The rows of the Markdown table whose header line starts with `header`, split into cells.
fn table(s: &str, header: &str) -> Vec<Vec<String>> {
    let body = between(s, header, "\n\n");
    body.lines()
        .skip(2)
        .map(|l| {
            l.trim()
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

fn design(rev: &str) -> String {
    format!("designs/backblaze-pod-{rev}.ron")
}

#[test]
fn readme_bom_table_is_what_bom_prints() {
    let rows = table(
        &readme(),
        "| pod | total (computed) | published total | $/GB raw (computed)",
    );
    assert_eq!(rows.len(), 7, "{rows:?}");
    for r in &rows {
        let v = json(&["bom", &design(&r[0])]);
        let what = |c: &str| format!("Pod {} {c}", r[0]);
        check(
            &what("total"),
            &r[1],
            num(&v["totals"]["pod_total"]) / 100.0,
        );
        check(
            &what("$/GB raw"),
            &r[3],
            num(&v["metrics"]["raw"]["per_gb"]),
        );
        check(
            &what("estimated share"),
            &r[5],
            num(&v["totals"]["estimated_share_pct"]),
        );
        check(
            &what("$/usable TB"),
            &r[6],
            num(&v["metrics"]["usable"]["per_tb"]),
        );
        // The published columns quote the design's own figures.
        let published = |key: &str| {
            v["reconciliation"][key]["published_text"]
                .as_str()
                .map(str::to_string)
        };
        for (cell, key) in [(&r[2], "total"), (&r[4], "per_gb")] {
            match published(key) {
                Some(p) => check(
                    &what(key),
                    cell.split(' ').next().unwrap(),
                    p.parse().unwrap(),
                ),
                None => assert_eq!(cell, "—", "{}", what(key)),
            }
        }
    }
    // The example comment on `podplan bom` repeats Pod 2.0's row.
    let text = readme();
    let line = between(&text, "podplan bom designs/backblaze-pod-2.0.ron", "\n");
    let v = json(&["bom", &design("2.0")]);
    check(
        "Pod 2.0 bom total",
        &numbers_before(line, ";")[0],
        num(&v["totals"]["pod_total"]) / 100.0,
    );
    check(
        "Pod 2.0 estimated share",
        &numbers_before(line, "% estimated")[0],
        num(&v["totals"]["estimated_share_pct"]),
    );
}

#[test]
fn readme_bandwidth_table_is_what_bandwidth_and_durability_print() {
    let text = readme();
    let rows = table(&text, "| pod | scrub | ingest | rebuild of one drive |");
    assert_eq!(rows.len(), 7, "{rows:?}");
    for r in &rows {
        let d = design(&r[0]);
        let scrub = json(&["bandwidth", &d, "--workload", "scrub"]);
        let ingest = json(&["bandwidth", &d, "--workload", "ingest"]);
        // Scrub: the first MB/s figure is the slowest drive's share.
        let per_drive = numbers_before(&r[1], " MB/s");
        check(
            &format!("Pod {} scrub per drive", r[0]),
            &per_drive[0],
            num(&scrub["summary"]["per_drive_min_mb_s"]),
        );
        // Ingest: the first MB/s figure is what clients get.
        check(
            &format!("Pod {} ingest", r[0]),
            &numbers_before(&r[2], " MB/s")[0],
            num(&ingest["summary"]["client_mb_s"]),
        );
        // Rebuild: every "R MB/s, H h" pair is some group's rate and transfer time.
        let dur = json(&["durability", &d]);
        let groups: Vec<(f64, f64)> = dur["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    num(&g["rebuild"]["rate"]),
                    num(&g["rebuild"]["transfer_hours"]),
                )
            })
            .collect();
        let pairs: Vec<(String, String)> = r[3]
            .match_indices(" MB/s, ")
            .filter_map(|(i, _)| {
                let rate = number_before(&r[3], i)?;
                let rest = &r[3][i + " MB/s, ".len()..];
                let hours: String = rest
                    .trim_start_matches('*')
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '.')
                    .collect();
                Some((rate, hours))
            })
            .collect();
        assert!(
            !pairs.is_empty(),
            "Pod {}: no rebuild figure in {:?}",
            r[0],
            r[3]
        );
        for (rate, hours) in pairs {
            assert!(
                groups
                    .iter()
                    .any(|(gr, gh)| agrees(&rate, *gr) && agrees(&hours, *gh)),
                "README: Pod {} rebuild {rate} MB/s, {hours} h; the program gives {groups:?}",
                r[0]
            );
        }
    }
}

#[test]
fn readme_rebuild_worked_example_is_what_durability_prints() {
    let text = readme();
    let para = between(&text, "The rebuild of bay 1 reads bays 2-15", "\n\n");
    let v = json(&["durability", &design("2.0")]);
    let g = &v["groups"][0];
    check(
        "Pod 2.0 rebuild rate",
        &numbers_before(para, " MB/s**")[0],
        num(&g["rebuild"]["rate"]),
    );
    let member = numbers_before(para, " bytes after")[0].replace(',', "");
    assert_eq!(
        member,
        g["member"].to_string(),
        "README: Pod 2.0 member bytes"
    );
    let hours = numbers_before(para, " h\n(")
        .into_iter()
        .chain(numbers_before(para, " h\n"))
        .next()
        .unwrap();
    check(
        "Pod 2.0 rebuild hours",
        &hours,
        num(&g["rebuild"]["transfer_hours"]),
    );
    // `--set SLOT7.lanes=4` makes the uplinks bind: "(R MB/s,\nH h)".
    let what_if = between(para, "`--set SLOT7.lanes=4`", "which");
    let v = json(&["durability", &design("2.0"), "--set", "SLOT7.lanes=4"]);
    let g = &v["groups"][0];
    check(
        "lanes=4 rate",
        &numbers_before(what_if, " MB/s")[0],
        num(&g["rebuild"]["rate"]),
    );
    check(
        "lanes=4 hours",
        &numbers_before(what_if, " h)")[0],
        num(&g["rebuild"]["transfer_hours"]),
    );
}

#[test]
fn readme_capacities_are_what_bom_prints() {
    let text = readme();
    let para = between(&text, "Pod 1.0 gives 3 × 13 × 1.5 TB", "For a design");
    let before = |rev: &str| {
        let v = json(&["bom", &design(rev)]);
        (
            num(&v["metrics"]["before_filesystem"]["bytes"]) / 1e12,
            num(&v["metrics"]["raw"]["bytes"]),
        )
    };
    let tb = numbers_before(para, " TB");
    let (p1, raw1) = before("1.0");
    // "= 58.5 TB before the filesystem, 86.7 % of raw"
    check("Pod 1.0 before the filesystem", &tb[0], p1);
    check(
        "Pod 1.0 share of raw",
        &numbers_before(para, " % of raw")[0],
        100.0 * p1 * 1e12 / raw1,
    );
    check("Pod 2.0 before the filesystem", &tb[1], before("2.0").0);
    check("Pod 6.0 before the filesystem", &tb[2], before("6.0").0);
    // "135 TB = 122.78 TiB": Pod 2.0's raw capacity in both units.
    let units = between(&text, "side by side and always labelled. ", "\n");
    let raw2 = before("2.0").1;
    check(
        "Pod 2.0 raw TB",
        &numbers_before(units, " TB")[0],
        raw2 / 1e12,
    );
    check(
        "Pod 2.0 raw TiB",
        &numbers_before(units, " TiB")[0],
        raw2 / 2f64.powi(40),
    );
}

#[test]
fn readme_durability_figures_are_what_durability_prints() {
    let text = readme();
    // "on Pod 2.0, RAID6 15 loses ≈ P a year": the pod's annual loss under the sliding window,
    // the model `layout --auto` ranks by.
    let loss = between(&text, "RAID6 15 loses ≈ ", " a year");
    let v = json(&["durability", &design("2.0")]);
    let pod_sliding = v["pod"]["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["model"] == "sliding")
        .unwrap();
    check("Pod 2.0 annual loss", loss, num(&pod_sliding["p_mission"]));
    // The Vault: "one tome ... P a year under the period model, **N nines** ... P (N nines)
    // with fixed repair windows, P (N) with the serial chain."
    let para = between(
        &text,
        "--vault 17+3 --afr 0.405`",
        "Every report with a Vault",
    );
    let v = json(&["durability", "--vault", "17+3", "--afr", "0.405"]);
    let tome = |model: &str| {
        v["vault"]["tome"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["model"] == model)
            .unwrap()
            .clone()
    };
    let ps = numbers_before(para, " a year")
        .into_iter()
        .chain(numbers_before(para, " ("))
        .collect::<Vec<_>>();
    let nines = numbers_before(para, " nines");
    check(
        "tome, period model",
        &ps[0],
        num(&tome("backblaze")["p_mission"]),
    );
    check(
        "tome, period model nines",
        &nines[0],
        num(&tome("backblaze")["nines"]),
    );
    check("tome, sliding", &ps[1], num(&tome("sliding")["p_mission"]));
    check(
        "tome, sliding nines",
        &nines[1],
        num(&tome("sliding")["nines"]),
    );
    check(
        "tome, serial",
        &ps[2],
        num(&tome("markov-serial")["p_mission"]),
    );
    let serial_nines = between(para, &format!("{} (", ps[2]), ")");
    check(
        "tome, serial nines",
        serial_nines,
        num(&tome("markov-serial")["nines"]),
    );
    // model §7's row at 30 MB/s: "T_R 27.8 h, MTTDL 1.35e6 years, P 7.4e-7 (serial), 3.7e-7
    // (sliding and parallel), 1.2e-7 (period), URE 5.7e-4", 3 % AFR, no delay, Pod 2.0's 3 TB.
    let row = between(&text, "reproduced by the tests: at 30 MB/s, ", "\n\n");
    let v = json(&[
        "durability",
        &design("2.0"),
        "--afr",
        "3",
        "--rebuild-mb-s",
        "30",
        "--replace-hours",
        "0",
        "--ure-bits",
        "1e14",
    ]);
    let g = &v["groups"][0];
    let model = |name: &str| {
        g["models"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["model"] == name)
            .unwrap()
            .clone()
    };
    check(
        "§7 T_R",
        between(row, "T_R ", " h"),
        num(&g["rebuild"]["hours"]),
    );
    check(
        "§7 MTTDL",
        between(row, "MTTDL ", " years"),
        num(&model("markov-serial")["mttdl_years"]),
    );
    check(
        "§7 serial",
        between(row, "P ", " (serial"),
        num(&model("markov-serial")["p_mission"]),
    );
    let sliding = between(row, "), ", " (sliding");
    check("§7 sliding", sliding, num(&model("sliding")["p_mission"]));
    check(
        "§7 parallel",
        sliding,
        num(&model("markov-parallel")["p_mission"]),
    );
    check(
        "§7 period",
        between(row, "parallel), ", "\n(period)"),
        num(&model("backblaze")["p_mission"]),
    );
    check(
        "§7 URE",
        between(row, "URE ", " ("),
        num(&g["ure"]["p_mission_serial"]),
    );
}

#[test]
fn readme_zfs_example_is_what_layout_prints() {
    // The README's ZFS example: every `zfs list` byte count and resilver time it quotes is
    // what `podplan layout` prints for the shipped what-if design.
    let text = readme();
    let example = between(&text, "### ZFS pools", "## Bandwidth");
    for extra in [&[][..], &["--raid", "draid2:8d:60c:2s"][..]] {
        let mut args = vec!["layout", "designs/pod-6.0-zfs-16tb.ron"];
        args.extend(extra);
        let (code, out, err) = crate::run(&args);
        assert_eq!(code, 0, "{err}");
        let note = out
            .lines()
            .skip_while(|l| !l.starts_with("ZFS ("))
            .take_while(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(!note.is_empty(), "{out}");
        assert!(example.contains(&note), "README lacks:\n{note}");
    }
}
