//! Validation tests driven by the design files under `tests/fixtures/`.
//!
//! * `valid.ron` is a small, self-contained design that must produce no diagnostic at all.
//! * `invalid/<code>.ron` is a copy of it with exactly one mistake that triggers `<code>`; the
//!   table [`EXPECTED`] says where in the design the diagnostic must point.
//! * `five-mistakes.ron` carries five different semantic mistakes that must all be reported
//!   at once.
//!
//! Nothing here reads `designs/`: the fixtures are the only inputs.

use crate::run;
use podplan::cli::{self, EXIT_ERROR, EXIT_OK};
use podplan::diag::{Code, Diagnostic, Severity};
use podplan::load::{self, Document};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn invalid_dir() -> PathBuf {
    fixtures().join("invalid")
}

fn code_named(name: &str) -> Option<Code> {
    Code::ALL.iter().copied().find(|c| c.as_str() == name)
}

/// Codes whose diagnostics are warnings; every other code is an error.
const WARNINGS: &[&str] = &[
    "bay-without-drive",
    "unfed-load",
    "psu-feeds-nothing",
    "psu-spinup",
    "psu-redundancy",
    "no-data-nic",
    "nic-bond-speeds",
    "raid-unused-drives",
    "published-raw-mismatch",
    "measured-mismatch",
    "bom-drift",
    "single-port-drive",
];

/// Codes that cannot be triggered by a design file, with the reason. Every code can: even `io`
/// (`invalid/io.ron` is not valid UTF-8, so it cannot be read as text).
const IMPOSSIBLE: &[(&str, &str)] = &[];

/// Where the syntax error in `invalid/syntax.ron` is: the misspelt field `bay`.
const SYNTAX_LINE_COL: (usize, usize) = (154, 24);
/// The offending line, as the syntax diagnostic quotes it.
const SYNTAX_LINE: &str = r#"    drives: [DriveFill(bay: "1-10", part: "test-drive-3tb")],"#;

/// One fixture's expectation.
struct Expect {
    /// The code, which is also the fixture's file stem.
    code: &'static str,
    /// The design path the diagnostic must carry (`""` for file-level diagnostics).
    place: &'static str,
    /// Other codes the one mistake legitimately brings along (consequences, not extra
    /// mistakes). Any code not listed here is a failure.
    also: &'static [&'static str],
}

const fn e(code: &'static str, place: &'static str) -> Expect {
    Expect {
        code,
        place,
        also: &[],
    }
}

/// code → expected place, for every fixture in `tests/fixtures/invalid/`.
const EXPECTED: &[Expect] = &[
    e("io", ""),
    e("syntax", ""),
    e("catalog-load", "catalogs[0]"),
    e("unknown-part", "chassis"),
    e("duplicate-part-id", "parts[10].id"),
    e("invalid-id", "parts[10].id"),
    e("wrong-part-role", "fans[0].part"),
    e("duplicate-id", "slots[0].card.ports[1].id"),
    e("invalid-capacity", "parts[7].spec.capacity"),
    e("zero-capacity", "parts[3].spec.module_size"),
    // The only data-drive part is rejected; that its bays hold no usable drive is not repeated.
    e("absurd-capacity", "parts[6].spec.capacity"),
    e("invalid-price", "parts[2].price.amount"),
    e("negative-price", "parts[9].price.amount"),
    e("price-break", "parts[0].price.breaks[1].qty"),
    e("invalid-date", "parts[10].price.date"),
    e("invalid-value", "parts[9].spec.watts"),
    e("text-too-long", "parts[0].name"),
    e("zero-quantity", "fans[0].qty"),
    e("absurd-quantity", "extras[0].qty"),
    e("invalid-bays", "raid.groups[1]"),
    e("bay-out-of-range", "slots[0].card.ports[2].bays"),
    e("bay-conflict", "slots[0].card.ports[2]"),
    Expect {
        code: "drive-not-connected",
        place: "drives[0].bays",
        // bp2 now has a port facing no bay (a warning). Bay 10's RAID group and the published
        // raw no longer fit, but those are consequences of the error and are not reported.
        also: &["backplane-bays"],
    },
    e("bay-without-drive", "drives"),
    e("backplane-bays", "slots[0].card.ports[0].bays"),
    e("port-overflow", "slots[0].card.ports[4]"),
    e("unknown-path", "slots[0].card.ports[1].backplane"),
    e("path-unsupported", "slots[0].card.ports[1]"),
    e("single-port-drive", "drives"),
    e("cascade-unsupported", "slots[0].card.ports[0].cascade"),
    e("pm-unsupported", "board.onboard[1]"),
    e("interface-mismatch", "board.onboard[0]"),
    e("unknown-slot", "slots[1].slot"),
    e("slot-bus-mismatch", "slots[0].card"),
    e("slot-too-few-lanes", "slots[0].card"),
    e("board-capacity", "board.memory"),
    // With no drives the wired bays are empty: a consequence, not reported.
    e("empty-design", "drives"),
    e("unknown-feed", "psus[0].feeds[4]"),
    e("feed-conflict", "psus[1].feeds"),
    e("unfed-load", "psus"),
    e("no-psu", "psus"),
    e("psu-feeds-nothing", "psus[1].feeds"),
    e("psu-overload", "psus[0]"),
    e("psu-spinup", "psus[0]"),
    e("psu-redundancy", "psus[0]"),
    e("no-data-nic", "board.nics"),
    e("nic-bond-speeds", "bond"),
    e("invalid-raid", "raid.level"),
    e("invalid-draid", "raid.level"),
    e("invalid-zfs", "raid.zfs.ashift"),
    e("raid-group", "raid.groups[1]"),
    e("raid-unused-drives", "raid.groups"),
    e("invalid-published", "published.raw_tb"),
    e("published-raw-mismatch", "published.raw_tb"),
    e("invalid-measured", "measured[0].tolerance_pct"),
    e("measured-mismatch", "measured[0]"),
    e("mixed-currency", "parts[9].price.currency"),
    e("bom-drift", "published.total_cost"),
    e("bom-overflow", "parts[0].price.amount"),
];

fn expect_for(code: &str) -> Option<&'static Expect> {
    EXPECTED.iter().find(|x| x.code == code)
}

fn severity_of(code: &str) -> Severity {
    if WARNINGS.contains(&code) {
        Severity::Warning
    } else {
        Severity::Error
    }
}

fn invalid_fixtures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(invalid_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    v.sort();
    v
}

fn show(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| format!("    {d}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Checks one fixture against its expectation; returns the problems found.
fn check_fixture(path: &Path) -> Vec<String> {
    let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
    let mut problems = Vec::new();
    let Some(code) = code_named(&stem) else {
        return vec![format!("{stem}.ron is not named after a diagnostic code")];
    };
    let Some(expect) = expect_for(&stem) else {
        return vec![format!("{stem}.ron has no entry in EXPECTED")];
    };
    let diags = cli::check_file(Some(&path.to_path_buf()));
    let shown = path.display().to_string();
    let matching: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == code).collect();
    if matching.is_empty() {
        problems.push(format!(
            "{stem}: no {stem} diagnostic; got:\n{}",
            show(&diags)
        ));
        return problems;
    }
    // One mistake, one place: every diagnostic with this code points at it.
    if !matching.iter().all(|d| d.place == expect.place) {
        problems.push(format!(
            "{stem}: expected place {:?}, got {:?}",
            expect.place,
            matching
                .iter()
                .map(|d| d.place.as_str())
                .collect::<Vec<_>>()
        ));
    }
    for d in &matching {
        if d.severity != severity_of(&stem) {
            problems.push(format!("{stem}: severity {:?} in {d}", d.severity));
        }
        if d.file != shown {
            problems.push(format!("{stem}: file {:?}, expected {shown:?}", d.file));
        }
        if d.message.trim().is_empty() {
            problems.push(format!("{stem}: empty message"));
        }
    }
    if code == Code::Syntax {
        if matching[0].line_col != Some(SYNTAX_LINE_COL) {
            problems.push(format!(
                "syntax: line_col {:?}, expected {:?}",
                matching[0].line_col,
                Some(SYNTAX_LINE_COL)
            ));
        }
    } else if let Some(d) = matching.iter().find(|d| d.line_col.is_some()) {
        problems.push(format!(
            "{stem}: a non-syntax diagnostic has a line_col: {d}"
        ));
    }
    // Exactly one mistake: nothing else may be reported except its listed consequences.
    let unexpected: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| d.code != code && !expect.also.contains(&d.code.as_str()))
        .collect();
    if !unexpected.is_empty() {
        problems.push(format!(
            "{stem}: unexpected other diagnostics:\n{}",
            show(&unexpected.into_iter().cloned().collect::<Vec<_>>())
        ));
    }
    for also in expect.also {
        if !diags.iter().any(|d| d.code.as_str() == *also) {
            problems.push(format!(
                "{stem}: listed consequence {also} was not reported (update EXPECTED)"
            ));
        }
    }
    problems
}

#[test]
fn every_invalid_fixture_reports_its_code_at_its_place() {
    let files = invalid_fixtures();
    assert!(
        !files.is_empty(),
        "no fixtures in {}",
        invalid_dir().display()
    );
    let problems: Vec<String> = files.iter().flat_map(|p| check_fixture(p)).collect();
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_code_has_a_fixture_and_an_expectation() {
    let mut missing = Vec::new();
    for c in Code::ALL {
        let name = c.as_str();
        if IMPOSSIBLE.iter().any(|(n, _)| *n == name) {
            assert!(
                !invalid_dir().join(format!("{name}.ron")).exists(),
                "{name} is documented as impossible but has a fixture"
            );
            continue;
        }
        if !invalid_dir().join(format!("{name}.ron")).is_file() {
            missing.push(format!("tests/fixtures/invalid/{name}.ron"));
        }
        if expect_for(name).is_none() {
            missing.push(format!("EXPECTED entry for {name}"));
        }
    }
    assert!(
        missing.is_empty(),
        "codes without a fixture (add one, or document the code in IMPOSSIBLE): {missing:?}"
    );
    // And the table names only real codes, once each; its warnings too.
    let mut seen = BTreeSet::new();
    for x in EXPECTED {
        assert!(
            code_named(x.code).is_some(),
            "EXPECTED names unknown code {}",
            x.code
        );
        assert!(seen.insert(x.code), "EXPECTED lists {} twice", x.code);
        for a in x.also {
            assert!(code_named(a).is_some(), "{}: unknown code {a}", x.code);
        }
    }
    for w in WARNINGS {
        assert!(code_named(w).is_some(), "WARNINGS names unknown code {w}");
    }
    for (n, why) in IMPOSSIBLE {
        assert!(code_named(n).is_some(), "IMPOSSIBLE names unknown code {n}");
        assert!(!why.is_empty(), "IMPOSSIBLE entry {n} needs a reason");
    }
}

#[test]
fn fixtures_document_their_mistake_in_a_leading_comment() {
    for p in invalid_fixtures() {
        let bytes = std::fs::read(&p).unwrap();
        let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
        let first = bytes.split(|b| *b == b'\n').next().unwrap();
        let first = String::from_utf8_lossy(first);
        assert!(
            first.starts_with(&format!("// {stem}: ")),
            "{}: first line must be `// {stem}: <the mistake>`, is {first:?}",
            p.display()
        );
    }
}

#[test]
fn valid_fixture_has_no_diagnostics() {
    let path = fixtures().join("valid.ron");
    let diags = cli::check_file(Some(&path));
    assert!(diags.is_empty(), "valid.ron:\n{}", show(&diags));

    let Ok(Document::Design(loaded)) = load::load_file(&path) else {
        panic!("valid.ron loads as a design")
    };
    assert!(
        loaded.design.catalogs.is_empty(),
        "valid.ron is self-contained"
    );
    let outcome = podplan::validate::validate(&loaded);
    assert!(outcome.diagnostics.is_empty());
    let pod = outcome.pod.expect("valid.ron builds a pod");
    assert_eq!(pod.drives.len(), 10);
    assert_eq!(pod.bays(), 10);
    assert_eq!(pod.backplanes.len(), 2);
    assert_eq!(pod.raw_capacity().0, 30_000_000_000_000);
    assert_eq!(
        pod.raid.groups,
        vec![vec![1, 2, 3, 4, 5], vec![6, 7, 8, 9, 10]]
    );
    let budget = podplan::power::budget(&pod);
    assert!(podplan::power::lint(&pod, &budget).is_empty());
    let report = podplan::show::report(&pod);
    assert_eq!(report.summary.bays_used, 10);
    assert_eq!(report.summary.bays_free, 0);
    assert!(report.summary.published_raw.unwrap().matches);
}

/// The five mistakes in `five-mistakes.ron` and where each is.
const FIVE: &[(&str, &str)] = &[
    ("negative-price", "parts[10].price.amount"),
    ("duplicate-id", "slots[0].card.ports[1].id"),
    ("slot-too-few-lanes", "slots[0].card"),
    ("board-capacity", "board.memory"),
    ("invalid-raid", "raid.level"),
];

#[test]
fn five_mistakes_are_reported_at_once() {
    let path = fixtures().join("five-mistakes.ron");
    let diags = cli::check_file(Some(&path));
    for (code, place) in FIVE {
        assert!(
            diags
                .iter()
                .any(|d| d.code.as_str() == *code && d.place == *place && d.is_error()),
            "{code} at {place} not reported; got:\n{}",
            show(&diags)
        );
    }
    let codes: BTreeSet<&str> = diags.iter().map(|d| d.code.as_str()).collect();
    let five: BTreeSet<&str> = FIVE.iter().map(|(c, _)| *c).collect();
    assert_eq!(codes, five, "exactly the five codes:\n{}", show(&diags));
}

#[test]
fn syntax_error_display_has_path_line_col_and_the_offending_line() {
    let path = invalid_dir().join("syntax.ron");
    let diags = cli::check_file(Some(&path));
    assert_eq!(diags.len(), 1, "{}", show(&diags));
    let d = &diags[0];
    assert_eq!(d.code, Code::Syntax);
    assert!(d.is_error());
    assert_eq!(d.line_col, Some(SYNTAX_LINE_COL));
    let text = d.to_string();
    let (l, c) = SYNTAX_LINE_COL;
    let head = format!("{}:{l}:{c}: error[syntax]: ", path.display());
    assert!(
        text.starts_with(&head),
        "{text:?} should start with {head:?}"
    );
    assert!(text.contains("bay"), "{text}");
    // The offending line, and a caret under the column.
    assert!(text.contains(&format!("| {SYNTAX_LINE}")), "{text}");
    let caret = format!("| {}^", " ".repeat(c - 1));
    assert!(text.lines().any(|line| line.ends_with(&caret)), "{text}");
    // The line number is right: the quoted line is that line of the file.
    let file = std::fs::read_to_string(&path).unwrap();
    assert_eq!(file.lines().nth(l - 1), Some(SYNTAX_LINE));
}

#[test]
fn syntax_error_columns_count_characters() {
    // Non-ASCII text before the error on the same line: the column is in characters.
    let text = "Design(name: \"Pöd ☃\", bogus: 1)";
    let Err(diags) = load::load_str("mem.ron", text, Path::new(".")) else {
        panic!("an unknown field is a syntax error")
    };
    assert_eq!(diags.len(), 1);
    let col = text[..text.find("bogus").unwrap()].chars().count() + 1;
    assert_ne!(
        col,
        text.find("bogus").unwrap() + 1,
        "the line has multi-byte characters"
    );
    assert_eq!(diags[0].line_col, Some((1, col)), "{}", diags[0]);
    assert!(
        diags[0]
            .to_string()
            .starts_with(&format!("mem.ron:1:{col}: error[syntax]"))
    );
}

#[test]
fn io_fixture_is_a_file_level_error() {
    let path = invalid_dir().join("io.ron");
    let diags = cli::check_file(Some(&path));
    assert_eq!(diags.len(), 1, "{}", show(&diags));
    assert_eq!(diags[0].code, Code::Io);
    assert_eq!(diags[0].place, "");
    // A missing file is an io error too.
    let missing = invalid_dir().join("does-not-exist.ron");
    let diags = cli::check_file(Some(&missing));
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, Code::Io);
}

#[test]
fn absurd_capacity_is_an_error_not_an_overflow() {
    let path = invalid_dir().join("absurd-capacity.ron");
    let diags = cli::check_file(Some(&path));
    let d = diags
        .iter()
        .find(|d| d.code == Code::AbsurdCapacity)
        .expect("absurd-capacity reported");
    assert!(d.is_error());
    assert!(
        d.message.contains("1000000000000000000000000000000 B"),
        "{d}"
    );
}

#[test]
fn in_process_check_of_every_fixture_matches_its_severity() {
    for p in invalid_fixtures() {
        let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
        let (code, out, _) = run(&["check", p.to_str().unwrap()]);
        let expected = if severity_of(&stem) == Severity::Warning
            && expect_for(&stem).unwrap().also.is_empty()
        {
            EXIT_OK
        } else {
            EXIT_ERROR
        };
        assert_eq!(code, expected, "podplan check {stem}.ron:\n{out}");
        assert!(out.contains(&format!("[{stem}]")), "{stem}: {out}");
    }
    let (code, out, _) = run(&["check", fixtures().join("valid.ron").to_str().unwrap()]);
    assert_eq!(code, EXIT_OK, "{out}");
    assert!(out.contains("0 errors, 0 warnings"), "{out}");
}

#[test]
fn in_process_check_json_lists_codes_and_places() {
    let path = fixtures().join("five-mistakes.ron");
    let (code, out, _) = run(&["check", "--format", "json", path.to_str().unwrap()]);
    assert_eq!(code, EXIT_ERROR);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let list = v.as_array().unwrap();
    for (c, place) in FIVE {
        assert!(
            list.iter()
                .any(|d| d["code"] == *c && d["place"] == *place && d["severity"] == "error"),
            "{c} at {place} missing from {out}"
        );
    }
}

mod cli_binary {
    use super::*;
    use assert_cmd::Command;

    fn podplan() -> Command {
        let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("podplan");
        cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
        cmd
    }

    fn text(bytes: &[u8]) -> String {
        String::from_utf8_lossy(bytes).into_owned()
    }

    #[test]
    fn check_valid_exits_0() {
        let out = podplan()
            .args(["check", "tests/fixtures/valid.ron"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
        assert!(text(&out.stdout).contains("checked 1 file: 0 errors, 0 warnings"));
    }

    #[test]
    fn check_five_mistakes_exits_2_and_prints_every_code() {
        let out = podplan()
            .args(["check", "tests/fixtures/five-mistakes.ron"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stdout = text(&out.stdout);
        for (code, place) in FIVE {
            assert!(
                stdout.contains(&format!("error[{code}] at {place}")),
                "{code} at {place} missing from:\n{stdout}"
            );
        }
        assert!(stdout.contains("5 errors"), "{stdout}");
    }

    #[test]
    fn show_syntax_error_exits_2_with_file_line_col_on_stderr() {
        let out = podplan()
            .args(["show", "tests/fixtures/invalid/syntax.ron"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty(), "nothing on stdout");
        let (l, c) = SYNTAX_LINE_COL;
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!(
                "tests/fixtures/invalid/syntax.ron:{l}:{c}: error[syntax]"
            )),
            "{stderr}"
        );
        assert!(stderr.contains(SYNTAX_LINE), "{stderr}");
    }

    #[test]
    fn show_valid_prints_the_report() {
        let out = podplan()
            .args(["show", "tests/fixtures/valid.ron"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert!(stdout.contains("Test Pod 10"), "{stdout}");
        assert!(stdout.contains("10 used of 10, 0 free"), "{stdout}");
        assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    }

    #[test]
    fn show_refuses_to_write_a_ron_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("x.ron");
        let out = podplan()
            .args(["show", "tests/fixtures/valid.ron", "--output"])
            .arg(&target)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(
            text(&out.stderr).contains("refusing"),
            "{}",
            text(&out.stderr)
        );
        assert!(!target.exists(), "nothing written");
        // Relative `x.ron`, as a user would type it.
        let out = podplan()
            .current_dir(dir.path())
            .args(["show", "--output", "x.ron"])
            .arg(fixtures().join("valid.ron"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(!target.exists(), "nothing written");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "no temp file left"
        );
    }

    #[test]
    fn show_refuses_to_overwrite_its_input() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("design.txt");
        std::fs::copy(fixtures().join("valid.ron"), &input).unwrap();
        let before = std::fs::read(&input).unwrap();
        let out = podplan()
            .arg("show")
            .arg(&input)
            .arg("--output")
            .arg(&input)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(std::fs::read(&input).unwrap(), before);
    }

    #[test]
    fn show_output_into_a_temp_dir_writes_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("report.txt");
        let out = podplan()
            .args(["show", "tests/fixtures/valid.ron", "--output"])
            .arg(&target)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(
            out.stdout.is_empty(),
            "the report goes to the file, not stdout"
        );
        let written = std::fs::read_to_string(&target).unwrap();
        assert!(written.contains("Test Pod 10"), "{written}");
        assert!(written.contains("Power budget"), "{written}");
        // Same bytes as on stdout.
        let direct = podplan()
            .args(["show", "tests/fixtures/valid.ron"])
            .output()
            .unwrap();
        assert_eq!(written.as_bytes(), direct.stdout.as_slice());
        // JSON too; and only the target is left in the directory.
        let json = dir.path().join("report.json");
        let out = podplan()
            .args(["show", "tests/fixtures/valid.ron", "--format", "json", "-o"])
            .arg(&json)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        assert_eq!(v["summary"]["bays"], 10);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn show_of_a_design_with_errors_exits_2() {
        let out = podplan()
            .args(["show", "tests/fixtures/five-mistakes.ron"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
        assert!(text(&out.stderr).contains("error[invalid-raid]"));
    }
}

// ---------------------------------------------------------------------------------------------
// Regressions: bugs found by these tests (overflow panics, the mixed-currency place, a
// backplane with fewer bays than ports, unrepresentable capacities), each pinned by a test.

/// Loads valid.ron with one text substitution and runs `check` on it (in memory).
fn check_variant(old: &str, new: &str) -> Vec<Diagnostic> {
    let text = std::fs::read_to_string(fixtures().join("valid.ron")).unwrap();
    assert_eq!(
        text.matches(old).count(),
        1,
        "{old:?} occurs once in valid.ron"
    );
    let text = text.replacen(old, new, 1);
    match load::load_str("variant.ron", &text, &fixtures()) {
        Err(d) => d,
        Ok(Document::Catalog(..) | Document::Plan(..)) => panic!("a design"),
        Ok(Document::Design(l)) => {
            let o = podplan::validate::validate(&l);
            let mut d = o.diagnostics;
            if let Some(pod) = &o.pod {
                d.extend(podplan::power::lint(pod, &podplan::power::budget(pod)));
            }
            d
        }
    }
}

#[test]

fn regression_mixed_currency_place_is_a_design_path() {
    // The fan (parts[9]) is the one part in EUR.
    let diags = cli::check_file(Some(&invalid_dir().join("mixed-currency.ron")));
    let d: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| d.code == Code::MixedCurrency)
        .collect();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].place, "parts[9].price.currency");
    // The board (parts[1], alphabetically the first id) in EUR: one diagnostic, at the board,
    // not ten at every USD part.
    let diags = check_variant(
        r#"Price(amount: "120.00", date: "2011-07", source: Estimated("test fixture")),
            spec: Motherboard"#,
        r#"Price(amount: "120.00", currency: "EUR", date: "2011-07", source: Estimated("test fixture")),
            spec: Motherboard"#,
    );
    let places: Vec<&str> = diags
        .iter()
        .filter(|d| d.code == Code::MixedCurrency)
        .map(|d| d.place.as_str())
        .collect();
    assert_eq!(places, vec!["parts[1].price.currency"]);
}

#[test]

fn regression_raid10_huge_copies_does_not_panic() {
    let diags = check_variant(
        "level: Raid6(width: 5)",
        "level: Raid10(width: 4, copies: 2147483648)",
    );
    assert!(
        diags
            .iter()
            .any(|d| d.code == Code::InvalidRaid && d.place == "raid.level")
    );
}

#[test]

fn regression_vault_huge_shards_does_not_panic() {
    let text = std::fs::read_to_string(fixtures().join("valid.ron"))
        .unwrap()
        .replacen(
            "filesystem: Jfs,",
            "filesystem: Jfs,\n        vault: Vault(data: 4294967295, parity: 1),",
            1,
        );
    let Ok(Document::Design(l)) = load::load_str("vault.ron", &text, &fixtures()) else {
        panic!("parses")
    };
    let o = podplan::validate::validate(&l);
    // Either validation rejects an absurd vault, or the report renders without panicking.
    if let Some(pod) = o.pod {
        let r = podplan::show::report(&pod);
        let _ = podplan::render::show_table(&r);
    } else {
        assert!(o.diagnostics.iter().any(|d| d.place == "raid.vault"));
    }
}

#[test]

fn regression_backplane_with_fewer_bays_than_ports() {
    // bp2 (5 drive ports) lists 4 bays; bay 10's drive then moves to a direct port so only the
    // backplane is short.
    let diags = check_variant(
        r#"Backplane(id: "bp2", part: "test-pm-backplane", bays: "6-10"),"#,
        r#"Backplane(id: "bp2", part: "test-pm-backplane", bays: "6-9"),
                    Direct(bays: "10"),"#,
    );
    assert!(
        diags
            .iter()
            .any(|d| d.code == Code::BackplaneBays && d.place == "slots[0].card.ports[1].bays"),
        "{}",
        show(&diags)
    );
}

#[test]

fn regression_unrepresentable_capacity_is_absurd() {
    let diags = check_variant(
        r#"capacity: "160 GB""#,
        r#"capacity: "1000000000000000000000000000000000000000 B""#,
    );
    assert!(
        diags
            .iter()
            .any(|d| d.code == Code::AbsurdCapacity && d.place == "parts[7].spec.capacity"),
        "{}",
        show(&diags)
    );
}

/// One mistake in a real design (Pod 2.0, under `tests/fixtures/cascade/`), and every
/// diagnostic `check` prints for it: the root cause once, no consequence of it.
const CASCADES: &[(&str, &[&str])] = &[
    (
        "card-part-typo",
        &[
            r#"error[unknown-part] at slots[1].card.part: no part with id "syba-sy-pex40009" in the design's parts or catalogs"#,
        ],
    ),
    (
        "backplane-twice",
        &[
            r#"error[duplicate-id] at slots[0].card.ports[3].id: id "bp3" is already used at slots[0].card.ports[2].id"#,
        ],
    ),
    (
        "drive-price-decimals",
        &[
            r#"error[invalid-price] at parts[0].price.amount: cannot read "120.001": more than two decimals (cents)"#,
        ],
    ),
    (
        "bays-out-of-range",
        &[
            "error[bay-out-of-range] at drives[0].bays: bay 99 is beyond the chassis, which has 45 bays",
            // True: "1-44,99" leaves bay 45 empty (the mistake's root is reported above).
            "warning[bay-without-drive] at drives: bay 45 is wired but holds no drive",
        ],
    ),
];

#[test]
fn one_mistake_in_a_real_design_is_reported_once() {
    let mut problems = Vec::new();
    for (name, expected) in CASCADES {
        let path = fixtures().join("cascade").join(format!("{name}.ron"));
        let prefix = format!("{}: ", path.display());
        let got: Vec<String> = cli::check_file(Some(&path))
            .iter()
            .map(|d| {
                let t = d.to_string();
                t.strip_prefix(&prefix).map(str::to_string).unwrap_or(t)
            })
            .collect();
        if got != *expected {
            problems.push(format!(
                "{name}: expected\n    {}\ngot\n    {}",
                expected.join("\n    "),
                got.join("\n    ")
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `valid.ron` with one text replacement, checked in memory.
fn check_mutated(from: &str, to: &str) -> Vec<Diagnostic> {
    let text = std::fs::read_to_string(fixtures().join("valid.ron")).unwrap();
    assert!(text.contains(from), "valid.ron has {from:?}");
    let text = text.replacen(from, to, 1);
    match load::load_str("mutated.ron", &text, &fixtures()) {
        Err(d) => d,
        Ok(Document::Catalog(..) | Document::Plan(..)) => panic!("a design"),
        Ok(Document::Design(l)) => podplan::validate::validate(&l).diagnostics,
    }
}

/// The longest run of ASCII digits in a text.
fn longest_digit_run(text: &str) -> usize {
    text.split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0)
}

#[test]
fn absurd_numbers_are_reported_with_bounded_digits() {
    for (from, to) in [
        ("outer_mb_s: 140.0", "outer_mb_s: 1e308"),
        ("outer_mb_s: 140.0", "outer_mb_s: -1e308"),
        ("outer_mb_s: 140.0", "outer_mb_s: inf"),
        ("ure_bits: 1e14", "ure_bits: 1e300"),
        (r#"capacity: "3 TB""#, r#"capacity: "2 PB""#),
        (r#"capacity: "3 TB""#, r#"capacity: "1e25 B""#),
    ] {
        let diags = check_mutated(from, to);
        let d = diags
            .iter()
            .find(|d| matches!(d.code, Code::InvalidValue | Code::AbsurdCapacity))
            .unwrap_or_else(|| panic!("{to}: {}", show(&diags)));
        let text = d.to_string();
        assert!(longest_digit_run(&text) <= 12, "{to}: {text}");
        assert!(!text.contains("inf") && !text.contains("NaN"), "{text}");
    }
}

#[test]
fn capacity_in_scientific_notation_is_read_and_absurd_ones_are_absurd() {
    let diags = check_mutated(r#"capacity: "3 TB""#, r#"capacity: "1e30 B""#);
    let codes: Vec<Code> = diags.iter().map(|d| d.code).collect();
    assert_eq!(codes, vec![Code::AbsurdCapacity], "{}", show(&diags));
    assert!(
        diags[0].message.contains("beyond any real device"),
        "{}",
        diags[0]
    );
    // An exponent within range is an ordinary capacity.
    let diags = check_mutated(r#"capacity: "3 TB""#, r#"capacity: "3e12 B""#);
    assert!(diags.is_empty(), "{}", show(&diags));
}

#[test]
fn a_psu_that_feeds_nothing_is_said_so_and_not_counted_in_the_rating() {
    let path = invalid_dir().join("psu-feeds-nothing.ron");
    let (code, out, err) = run(&["show", path.to_str().unwrap()]);
    assert_eq!(code, EXIT_OK, "{err}");
    assert!(err.contains("warning[psu-feeds-nothing]"), "{err}");
    assert!(
        out.contains("psu2") && out.contains("feeds nothing"),
        "{out}"
    );
    for line in out.lines() {
        assert!(
            !line.trim_end().ends_with("feeds"),
            "empty feed list: {line:?}"
        );
    }
    let Ok(Document::Design(l)) = load::load_file(&path) else {
        panic!("a design")
    };
    let pod = podplan::validate::validate(&l).pod.unwrap();
    let budget = podplan::power::budget(&pod);
    let psu1 = budget.psus.iter().find(|p| p.id == "psu1").unwrap();
    assert_eq!(
        budget.rated_w, psu1.rated_w,
        "only the PSU that feeds something"
    );
}

#[test]
fn parts_files_sharing_a_part_are_one_part_and_differing_ones_an_error_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let valid = std::fs::read_to_string(fixtures().join("valid.ron")).unwrap();
    let same = dir.path().join("same.ron");
    std::fs::write(&same, &valid).unwrap();
    let other = dir.path().join("other.ron");
    let price = r#"name: "Test 3 TB drive",
            price: Price(amount: "120.00""#;
    assert!(valid.contains(price), "the drive's price line");
    std::fs::write(
        &other,
        valid.replacen(price, &price.replace("120.00", "99.00"), 1),
    )
    .unwrap();
    let design = fixtures().join("valid.ron");
    let args = |parts: &Path| {
        vec![
            "cost".to_string(),
            design.display().to_string(),
            "--drive".into(),
            "test-drive-3tb".into(),
            "--parts".into(),
            parts.display().to_string(),
        ]
    };
    // The same definitions in the design and in --parts: one part.
    let a = args(&same);
    let (code, _, err) = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, EXIT_OK, "{err}");
    // A different definition under the same id: an error naming both files, not a verdict
    // on the drive.
    let a = args(&other);
    let (code, _, err) = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, EXIT_ERROR, "{err}");
    assert!(!err.contains("does not work with this drive"), "{err}");
    assert!(err.contains("test-drive-3tb"), "{err}");
    assert!(err.contains(&other.display().to_string()), "{err}");
    assert!(err.contains(&design.display().to_string()), "{err}");
}

#[test]
fn check_help_describes_both_forms_of_a_diagnostic() {
    let (code, help, _) = run(&["check", "--help"]);
    assert_eq!(code, EXIT_OK);
    assert!(
        help.contains("file: error[code] at place: message"),
        "{help}"
    );
    assert!(
        help.contains("file:line:col: error[syntax]: message"),
        "{help}"
    );
    // And those are the forms check prints.
    let (_, out, _) = run(&[
        "check",
        invalid_dir().join("unknown-part.ron").to_str().unwrap(),
    ]);
    assert!(out.contains(": error[unknown-part] at chassis: "), "{out}");
    let (_, out, _) = run(&["check", invalid_dir().join("syntax.ron").to_str().unwrap()]);
    let (l, c) = SYNTAX_LINE_COL;
    assert!(
        out.contains(&format!("syntax.ron:{l}:{c}: error[syntax]: ")),
        "{out}"
    );
}

/// `valid.ron` with `extra` inserted at the start of its `parts` list.
fn valid_with_parts(extra: &str) -> String {
    let text = std::fs::read_to_string(fixtures().join("valid.ron")).unwrap();
    let at = text.find("parts: [\n").unwrap() + "parts: [\n".len();
    format!("{}{extra}{}", &text[..at], &text[at..])
}

/// Validation stays near-linear in the size of the file: many parts that each carry an error
/// (checking each against every error found before it was quadratic: this test took 70 s
/// unoptimised then, under 5 s now), and a RAID group list of 100,000 members.
#[test]
fn validation_of_huge_lists_stays_near_linear() {
    const N: usize = 50_000;
    let part = |i: usize| {
        format!(
            "Part(id: \"x{i}\", name: \"x\", price: Price(amount: \"1.001\", date: \"2011\", source: Estimated(\"\")), spec: Fan(FanSpec(size_mm: 1, rpm: 1, watts: 1.0))),\n"
        )
    };
    let text = valid_with_parts(&(0..N).map(part).collect::<String>());
    let Ok(Document::Design(l)) = load::load_str("many.ron", &text, &fixtures()) else {
        panic!("a design")
    };
    let diags = podplan::validate::validate(&l).diagnostics;
    assert_eq!(diags.len(), N, "one invalid-price per part");
    assert!(diags.iter().all(|d| d.code == Code::InvalidPrice));

    let text = std::fs::read_to_string(fixtures().join("valid.ron")).unwrap();
    let groups = "groups: [";
    let members: String = (0..100_000)
        .map(|i| format!("\"{}\",", i % 10 + 1))
        .collect();
    let text = text.replacen(groups, &format!("{groups}{members}"), 1);
    let Ok(Document::Design(l)) = load::load_str("groups.ron", &text, &fixtures()) else {
        panic!("a design")
    };
    let diags = podplan::validate::validate(&l).diagnostics;
    assert!(
        diags.iter().all(|d| d.code == Code::RaidGroup),
        "{}",
        diags[0]
    );
}

/// A price near the most 64-bit cents hold: each line fits, the sum does not. That is an
/// error everywhere, never a wrapped total: `check` reports it with its code and place (as
/// `report` cannot run), and `bom` and `report` stop with exit 2.
#[test]
fn a_bom_that_overflows_is_an_error_in_check_bom_and_report() {
    let path = invalid_dir().join("bom-overflow.ron");
    let p = path.to_str().unwrap();
    let (code, out, _) = run(&["check", p]);
    assert_eq!(code, EXIT_ERROR, "{out}");
    assert!(
        out.contains("error[bom-overflow] at parts[0].price.amount"),
        "{out}"
    );
    for args in [vec!["bom", p], vec!["cost", p], vec!["report", p]] {
        let (code, out, err) = run(&args);
        assert_eq!(code, EXIT_ERROR, "{args:?}: {out}{err}");
        assert!(err.contains("overflows"), "{args:?}: {err}");
    }
}

#[test]
fn a_huge_free_text_field_is_one_located_error_that_does_not_echo_it() {
    let huge = "X".repeat(600_000);
    for (from, to, place) in [
        (
            r#"name: "Test 3 TB drive","#,
            format!(r#"name: "Test 3 TB drive", part_number: "{huge}","#),
            "parts[6].part_number",
        ),
        (
            r#"id: "test-drive-3tb","#,
            format!(r#"id: "{huge}","#),
            "parts[6].id",
        ),
        (
            r#"source: Estimated("test fixture")"#,
            format!(r#"source: Published("{huge}")"#),
            "parts[0].price.source",
        ),
    ] {
        let diags = check_mutated(from, &to);
        assert_eq!(diags.len(), 1, "{place}: {}", diags.len());
        let d = &diags[0];
        assert_eq!(
            (d.code, d.place.as_str()),
            (Code::TextTooLong, place),
            "{d}"
        );
        assert!(d.to_string().len() < 200, "the text is not echoed");
    }
}

/// `check` runs the engines too: 100,000 extras lines of one part (each a use of it on the
/// bill of materials, which was looked up in a list: quadratic, 12 s optimised) check clean.
#[test]
fn check_of_a_hundred_thousand_lines_stays_near_linear() {
    let text = std::fs::read_to_string(fixtures().join("valid.ron")).unwrap();
    let lines: String = (0..100_000)
        .map(|_| "Line(part: \"test-screw\", qty: 1),")
        .collect();
    let text = text.replacen("extras: [", &format!("extras: [{lines}"), 1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lines.ron");
    std::fs::write(&path, text).unwrap();
    let diags = cli::check_file(Some(&path));
    assert!(diags.is_empty(), "{}", show(&diags));
}

/// What `check` passes, `report` writes: a part on 3,000 lines once made a "used for" cell
/// longer than a spreadsheet cell holds, and `report --out` failed on the XLSX.
#[test]
fn a_part_on_thousands_of_lines_checks_and_reports() {
    let text = std::fs::read_to_string(fixtures().join("valid.ron")).unwrap();
    let lines: String = (0..3_000)
        .map(|_| "Line(part: \"test-screw\", qty: 1),")
        .collect();
    let text = text.replacen("extras: [", &format!("extras: [{lines}"), 1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lines.ron");
    std::fs::write(&path, text).unwrap();
    let p = path.to_str().unwrap();
    let (code, out, _) = run(&["check", p]);
    assert_eq!(code, EXIT_OK, "{out}");
    let out_dir = dir.path().join("out");
    let (code, _, err) = run(&["report", p, "--out", out_dir.to_str().unwrap()]);
    assert_eq!(code, EXIT_OK, "{err}");
    let (_, csv, _) = run(&["bom", p, "--format", "csv"]);
    assert!(
        csv.contains("extras[19]; and 2981 more"),
        "{}",
        &csv[..csv.len().min(2000)]
    );
}

/// More single mistakes in Pod 2.0 whose consequences (unwired bays, unknown feeds, RAID
/// groups without drives, a raw capacity that no longer adds up) used to be reported too:
/// (text, replacement, the one code reported).
const MORE_CASCADES: &[(&str, &str, &str)] = &[
    (
        r#"part: "supermicro-x8sil-f","#,
        r#"part: "supermicro-x8sil-g","#,
        "unknown-part",
    ),
    (
        r#"(id: "fans-front", part: "mechatronics-g1238m12b1-fsr""#,
        r#"(id: "fans-front", part: "mechatronics-g1238m12b1-fsx""#,
        "unknown-part",
    ),
    (r#"bays: "6-10""#, r#"bays: "6-1O""#, "invalid-bays"),
    (
        r#"Backplane(id: "bp1", part: "cfi-b53pm""#,
        r#"Backplane(id: "bp1", part: "cfi-b53px""#,
        "unknown-part",
    ),
    (r#"(slot: "SLOT6""#, r#"(slot: "SLOT9""#, "unknown-slot"),
    (
        r#"part: "hitachi-hds5c3030ala630")]"#,
        r#"part: "hitachi-hds5c3030ala63")]"#,
        "unknown-part",
    ),
    (
        r#"capacity: "3 TB""#,
        r#"capacity: "3 TBB""#,
        "invalid-capacity",
    ),
    (
        r#"groups: ["1-15", "16-30", "31-45"]"#,
        r#"groups: ["1-15", "16-30", "16-30"]"#,
        "raid-group",
    ),
];

#[test]
fn more_single_mistakes_in_a_real_design_are_reported_once() {
    let dir = fixtures().join("cascade");
    let text = std::fs::read_to_string(dir.join("card-part-typo.ron")).unwrap();
    // The fixture's own mistake undone: Pod 2.0 as shipped.
    let pod = text.replace(r#"part: "syba-sy-pex40009""#, r#"part: "syba-sy-pex40008""#);
    let Ok(Document::Design(l)) = load::load_str("pod.ron", &pod, &dir) else {
        panic!("a design")
    };
    let clean = podplan::validate::validate(&l).diagnostics;
    assert!(clean.is_empty(), "{}", show(&clean));
    let mut problems = Vec::new();
    for (from, to, code) in MORE_CASCADES {
        assert!(pod.contains(from), "{from}");
        let Ok(Document::Design(l)) = load::load_str("pod.ron", &pod.replacen(from, to, 1), &dir)
        else {
            panic!("{to}: a design")
        };
        let diags = podplan::validate::validate(&l).diagnostics;
        let codes: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
        if codes != [*code] {
            problems.push(format!("{to}:\n{}", show(&diags)));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The valid fixture with the chassis ($300.00) given `breaks`; its diagnostics.
fn with_chassis_breaks(breaks: &str) -> Vec<Diagnostic> {
    let text = std::fs::read_to_string(fixtures().join("valid.ron")).unwrap().replace(
        r#"price: Price(amount: "300.00", currency: "USD", date: "2011-07", source: Estimated("test fixture")),"#,
        &format!(
            r#"price: Price(amount: "300.00", currency: "USD", date: "2011-07", source: Estimated("test fixture"), breaks: [{breaks}]),"#
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("breaks.ron");
    std::fs::write(&file, text).unwrap();
    cli::check_file(Some(&file))
}

#[test]
fn price_breaks_are_checked_where_they_are_written() {
    let q = |qty: &str, amount: &str| {
        format!(r#"(qty: {qty}, amount: "{amount}", source: Estimated("quote"))"#)
    };
    // Ascending and cheaper: no diagnostic at all.
    let ok = with_chassis_breaks(&format!("{}, {}", q("10", "280.00"), q("100", "250.00")));
    assert!(ok.is_empty(), "{}", show(&ok));
    // Equal prices are allowed (a break that does not lower the price is not wrong).
    assert!(with_chassis_breaks(&q("10", "300.00")).is_empty());
    let cases: &[(String, &str, &str, &str)] = &[
        (
            q("1", "280.00"),
            "price-break",
            "parts[0].price.breaks[0].qty",
            "starts at 2",
        ),
        (
            q("0", "280.00"),
            "price-break",
            "parts[0].price.breaks[0].qty",
            "starts at 2",
        ),
        (
            q("2000000000", "280.00"),
            "price-break",
            "parts[0].price.breaks[0].qty",
            "starts at 2",
        ),
        (
            format!("{}, {}", q("10", "280.00"), q("10", "270.00")),
            "price-break",
            "parts[0].price.breaks[1].qty",
            "strictly ascending",
        ),
        (
            q("10", "310.00"),
            "price-break",
            "parts[0].price.breaks[0].amount",
            "dearer than the list price ($300.00)",
        ),
        (
            format!("{}, {}", q("10", "250.00"), q("100", "260.00")),
            "price-break",
            "parts[0].price.breaks[1].amount",
            "dearer than the break at 10 units ($250.00)",
        ),
        (
            q("10", "0.00"),
            "price-break",
            "parts[0].price.breaks[0].amount",
            "not positive",
        ),
        (
            q("10", "-5.00"),
            "price-break",
            "parts[0].price.breaks[0].amount",
            "not positive",
        ),
        (
            q("10", "2.8O"),
            "invalid-price",
            "parts[0].price.breaks[0].amount",
            "cannot read",
        ),
        (
            r#"(qty: 10, amount: "280.00", date: "2011-13", source: Estimated("quote"))"#
                .to_string(),
            "invalid-date",
            "parts[0].price.breaks[0].date",
            "2011-13",
        ),
    ];
    for (breaks, code, place, words) in cases {
        let d = with_chassis_breaks(breaks);
        assert_eq!(
            d.len(),
            1,
            "{breaks}: one mistake, one diagnostic:\n{}",
            show(&d)
        );
        assert_eq!(d[0].code.as_str(), *code, "{breaks}");
        assert_eq!(d[0].place, *place, "{breaks}");
        assert!(d[0].is_error(), "{breaks}");
        assert!(d[0].message.contains(words), "{breaks}: {}", d[0].message);
    }
}

/// Issue 12: Backblaze started Pod 1.0 one PSU at a time, each carrying its drives' spin-up,
/// and measured about 14 A at 120 V with both on at once. The drive's spin-up current is now
/// derived from that measurement (1.97 A, not a datasheet's 2.8 A millisecond peak), so
/// `check` no longer warns that either PSU cannot start its drives.
#[test]
fn pod_1_psus_each_spin_up_their_drives_as_backblaze_did() {
    let design = crate::design_path("1.0");
    let (code, _, err) = crate::run(&["check", design.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("psu-spinup"), "{err}");
    let p = crate::pod("1.0");
    let b = podplan::power::budget(&p);
    let spinup = b.spinup_simultaneous_w.0;
    // 14 A × 120 V at the wall, at the 85 % PSU efficiency the design assumes.
    assert!(
        (spinup / (14.0 * 120.0 * 0.85) - 1.0).abs() < 0.01,
        "{spinup}"
    );
}

/// Every way a measured figure can be unusable is an `invalid-measured` (or part) error at the
/// field, and stops the design; old designs without `measured` are untouched.
#[test]
fn unusable_measured_figures_are_errors_at_their_field() {
    let valid = std::fs::read_to_string(fixtures().join("valid.ron")).unwrap();
    let anchor = "    notes: [";
    assert!(valid.contains(anchor));
    let entries = r#"    measured: [
        (what: SyncHours, value: 0.0, source: Estimated("x"), tolerance_pct: 10.0),
        (what: RebuildHours, value: 5.0, source: Estimated("x"), tolerance_pct: 10.0, psu_efficiency: 0.9),
        (what: ThroughputMBps(Ingest), value: 1.0, source: Estimated("x"), tolerance_pct: 10.0, set: ["nics=0"]),
        (what: PowerWatts(Idle), value: 100.0, source: Estimated("x"), tolerance_pct: 10.0, psu_efficiency: 1.5),
        (what: SyncHours, value: 5.0, source: Estimated("x"), tolerance_pct: 10.0, drive: "test-chassis-10"),
        (what: SyncHours, value: 5.0, source: Estimated("x"), tolerance_pct: 10.0, set: ["SLOT9.lanes=4"]),
    ],
"#;
    let text = valid.replacen(anchor, &format!("{entries}{anchor}"), 1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.ron");
    std::fs::write(&path, text).unwrap();
    let (code, err, _) = crate::run(&["check", path.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    for (code, place) in [
        ("invalid-measured", "measured[0].value"),
        ("invalid-measured", "measured[1].psu_efficiency"),
        ("invalid-measured", "measured[2].set[0]"),
        ("invalid-measured", "measured[3].psu_efficiency"),
        ("wrong-part-role", "measured[4].drive"),
    ] {
        assert!(
            err.contains(&format!("error[{code}] at {place}:")),
            "{code} {place}: {err}"
        );
    }
    // The slot the what-if names is checked on the built pod, once the rest is valid.
    let one = valid.replacen(
        anchor,
        &format!(
            "    measured: [(what: SyncHours, value: 5.0, source: Estimated(\"x\"), tolerance_pct: 10.0, set: [\"SLOT9.lanes=4\"])],\n{anchor}"
        ),
        1,
    );
    std::fs::write(&path, one).unwrap();
    let (code, err, _) = crate::run(&["check", path.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("error[invalid-measured] at measured[0].set[0]:"),
        "{err}"
    );
}
