//! Data safety: podplan never deletes, moves or replaces a file it did not write, whatever the
//! paths; `--output` writes only regular files; report directories are swapped so their name
//! always holds a complete report, even when the process is killed; inputs are bounded.

use crate::run;
use std::path::{Path, PathBuf};

const POD: &str = "designs/backblaze-pod-2.0.ron";

fn s(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

/// Copies the Pod 2.0 design (and the catalog it loads) into `dir` as `name`.
fn copy_design(dir: &Path, name: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("designs");
    std::fs::copy(root.join("catalog.ron"), dir.join("catalog.ron")).unwrap();
    let p = dir.join(name);
    std::fs::copy(root.join("backblaze-pod-2.0.ron"), &p).unwrap();
    p
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

/// Issue 10's trap: `report trap/trap.ron --out .` used to replace `trap/` whole, taking both
/// design files with it.
#[test]
fn a_report_never_replaces_the_directory_of_its_input() {
    let tmp = tempfile::tempdir().unwrap();
    let trap = tmp.path().join("trap");
    let design = copy_design(&trap, "trap.ron");
    std::fs::write(trap.join("other.ron"), "// the user's other design\n").unwrap();
    let before = names(&trap);
    let (code, _, err) = run(&["report", &s(&design), "--out", &s(tmp.path())]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("refusing to replace"), "{err}");
    assert!(
        err.contains("trap.ron"),
        "the reason names the input: {err}"
    );
    assert_eq!(names(&trap), before, "nothing in trap/ moved");
    assert_eq!(names(tmp.path()), vec!["trap"], "no leftovers");
}

#[test]
fn a_directory_podplan_did_not_write_is_never_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let mine = tmp.path().join("backblaze-pod-2.0");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("notes.txt"), "keep me").unwrap();
    let (code, _, err) = run(&["report", POD, "--out", &s(tmp.path())]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("podplan-manifest.json"), "{err}");
    assert_eq!(read(&mine.join("notes.txt")), b"keep me");
    assert_eq!(names(&mine), vec!["notes.txt"]);
    assert_eq!(names(tmp.path()), vec!["backblaze-pod-2.0"]);
}

#[test]
fn a_report_is_replaced_only_while_it_holds_what_podplan_wrote() {
    let tmp = tempfile::tempdir().unwrap();
    let out = s(tmp.path());
    let dir = tmp.path().join("backblaze-pod-2.0");
    assert_eq!(run(&["report", POD, "--out", &out]).0, 0);
    assert!(dir.join("podplan-manifest.json").is_file());
    // A second run replaces its own report, file for file.
    std::fs::write(dir.join("summary.md"), "stale").unwrap();
    let (code, _, err) = run(&["report", POD, "--out", &out]);
    assert_eq!(code, 0, "{err}");
    assert_ne!(read(&dir.join("summary.md")), b"stale");
    assert_eq!(names(tmp.path()), vec!["backblaze-pod-2.0"], "no leftovers");
    // A file the user put in it stops the replacement, and stays.
    std::fs::write(dir.join("my-notes.txt"), "keep").unwrap();
    let (code, _, err) = run(&["report", POD, "--out", &out]);
    assert_eq!(code, 2);
    assert!(err.contains("my-notes.txt"), "{err}");
    assert_eq!(read(&dir.join("my-notes.txt")), b"keep");
    std::fs::remove_file(dir.join("my-notes.txt")).unwrap();
    // So does a design file, even one the manifest was edited to list.
    let manifest = dir.join("podplan-manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replacen("\"files\": [", "\"files\": [\n    \"x.ron\",", 1),
    )
    .unwrap();
    std::fs::write(dir.join("x.ron"), "// mine").unwrap();
    let (code, _, err) = run(&["report", POD, "--out", &out]);
    assert_eq!(code, 2);
    assert!(err.contains("x.ron"), "{err}");
    assert_eq!(read(&dir.join("x.ron")), b"// mine");
}

/// Issue 18 item 2: a report named after `x.ron.new` is `x.ron`; it must never take the place
/// of the design file `x.ron`.
#[test]
fn a_report_name_never_displaces_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let designs = tmp.path().join("designs");
    let real = copy_design(&designs, "pod.ron");
    let new = designs.join("pod.ron.new");
    std::fs::copy(&real, &new).unwrap();
    let before = read(&real);
    let (code, _, err) = run(&["report", &s(&new), "--out", &s(&designs)]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(read(&real), before);
    assert_eq!(
        names(&designs),
        vec!["catalog.ron", "pod.ron", "pod.ron.new"]
    );
    // A plain file where the report directory would go is never moved either.
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("pod"), "a file").unwrap();
    let (code, _, err) = run(&["report", &s(&real), "--out", &s(&out)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("never moves or replaces a file"), "{err}");
    assert_eq!(read(&out.join("pod")), b"a file");
    assert_eq!(names(&out), vec!["pod"]);
}

#[test]
fn report_names_are_unique_in_a_run() {
    let tmp = tempfile::tempdir().unwrap();
    let a = copy_design(&tmp.path().join("a"), "pod.ron");
    let b = copy_design(&tmp.path().join("b"), "pod.ron");
    let out = tmp.path().join("r");
    let (code, _, err) = run(&["report", &s(&a), &s(&b), "--out", &s(&out)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("would both be reported as"), "{err}");
    assert!(!out.exists(), "nothing written when a name clashes");
    // A design named comparison.ron beside another design.
    let c = copy_design(&tmp.path().join("c"), "comparison.ron");
    let (code, _, err) = run(&["report", &s(&a), &s(&c), "--out", &s(&out)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("comparison"), "{err}");
    assert!(!out.exists());
}

#[test]
fn compare_out_is_held_to_the_same_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let design = copy_design(&tmp.path().join("d"), "pod.ron");
    let (code, _, err) = run(&["compare", &s(&design), "--out", &s(&tmp.path().join("d"))]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(names(&tmp.path().join("d")), vec!["catalog.ron", "pod.ron"]);
    let (code, _, err) = run(&["compare", POD, "--out", "."]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn output_writes_only_regular_files() {
    let tmp = tempfile::tempdir().unwrap();
    // A directory, even one named like a design: the message says what it is.
    let d = tmp.path().join("x.ron");
    std::fs::create_dir(&d).unwrap();
    let (code, _, err) = run(&["show", "--output", &s(&d)]);
    assert_eq!(code, 2);
    assert!(err.contains("it is a directory"), "{err}");
    // A FIFO is refused, not replaced (and not opened, which would block).
    let fifo = tmp.path().join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let (code, _, err) = run(&["show", "--output", &s(&fifo)]);
        assert_eq!(code, 2);
        assert!(err.contains("FIFO"), "{err}");
        assert!(is_fifo(&fifo));
    }
    // A device node (root can make one here; /dev itself is never touched by the test).
    let dev = tmp.path().join("null");
    let made = std::process::Command::new("mknod")
        .arg(&dev)
        .args(["c", "1", "3"])
        .stderr(std::process::Stdio::null())
        .status();
    if made.is_ok_and(|s| s.success()) {
        let (code, _, err) = run(&["bom", "--output", &s(&dev)]);
        assert_eq!(code, 2);
        assert!(err.contains("character device"), "{err}");
        assert!(!std::fs::symlink_metadata(&dev).unwrap().is_file());
    }
    // Through a symbolic link, the file it names is written and the link stays.
    let file = tmp.path().join("real.txt");
    std::fs::write(&file, "old").unwrap();
    let link = tmp.path().join("link.txt");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&file, &link).unwrap();
    #[cfg(unix)]
    {
        let (code, _, err) = run(&["show", "--output", &s(&link)]);
        assert_eq!(code, 0, "{err}");
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert!(
            std::fs::read_to_string(&file)
                .unwrap()
                .contains("Storage Pod 2.0")
        );
    }
}

#[cfg(unix)]
fn is_fifo(p: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(p).unwrap().file_type().is_fifo()
}
#[cfg(not(unix))]
fn is_fifo(_: &Path) -> bool {
    true
}

#[test]
fn output_dash_and_dev_stdout_are_standard_output() {
    let (_, expected, _) = run(&["show"]);
    for target in ["-", "/dev/stdout"] {
        let (code, out, err) = run(&["show", "--output", target]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(out, expected, "{target}");
        let (code, out, err) = run(&["cost", "--output", target]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("7,384.00"), "{target}: {out}");
    }
}

#[test]
fn inputs_must_be_regular_files_of_bounded_size() {
    let (code, out, err) = run(&["check", "/dev/zero"]);
    let err = out + &err;
    assert_eq!(code, 2);
    assert!(err.contains("character device"), "{err}");
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("design.ron");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        // Reading a FIFO would block forever; it is refused before it is opened.
        let (code, _, err) = run(&["show", &s(&fifo)]);
        assert_eq!(code, 2);
        assert!(err.contains("FIFO"), "{err}");
    }
    let big = tmp.path().join("big.ron");
    let limit = usize::try_from(podplan::load::MAX_FILE_BYTES).unwrap();
    std::fs::write(&big, vec![b' '; limit + 1]).unwrap();
    let (code, out, err) = run(&["check", &s(&big)]);
    let err = out + &err;
    assert_eq!(code, 2);
    assert!(err.contains("larger than 16 MiB"), "{err}");
}

/// A one-line file with a syntax error far along it: the error shows a readable window of the
/// line around the column, not the whole line.
#[test]
fn a_syntax_error_echoes_a_readable_window_of_the_line() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("one-line.ron");
    let mut text = String::from("Design(name: \"");
    text.push_str(&"x".repeat(2_000_000));
    text.push_str("\", @)");
    std::fs::write(&p, &text).unwrap();
    let (code, out, err) = run(&["check", &s(&p)]);
    let err = out + &err;
    assert_eq!(code, 2);
    assert!(err.contains(":1:"), "{err}");
    let longest = err.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(longest < 400, "a line of {longest} characters on stderr");
    // The caret still sits under the offending character.
    let lines: Vec<&str> = err.lines().collect();
    let src = lines.iter().position(|l| l.starts_with("  | ")).unwrap();
    let caret = lines[src + 1].chars().position(|c| c == '^').unwrap();
    let at = lines[src].chars().nth(caret).unwrap();
    assert!(
        at == '@' || at == ',' || at == '"' || at == ')',
        "caret under {at:?}"
    );
}

/// Issue 18 item 4: leftovers of killed runs, of every kind, are cleaned by the next run in
/// that directory when their process is gone, and nothing else is touched.
#[test]
fn the_next_run_repairs_what_killed_runs_left_and_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    // A process id above Linux's highest (2^22) belongs to no process.
    let gone = 4_999_999;
    std::fs::write(out.join(format!(".x.json.podplan-{gone}.tmp")), "half").unwrap();
    let staging = out.join(format!(".backblaze-pod-2.0.podplan-new-{gone}"));
    std::fs::create_dir(&staging).unwrap();
    // The manifest is written first, then the files: killed after one of them.
    std::fs::write(
        staging.join("podplan-manifest.json"),
        r#"{"written_by": "podplan report", "files": ["summary.md", "report.json"]}"#,
    )
    .unwrap();
    std::fs::write(staging.join("summary.md"), "half a report").unwrap();
    // A parked report whose name is empty: the next run restores it before it decides.
    assert_eq!(run(&["report", POD, "--out", &s(&out.join("r"))]).0, 0);
    let parked = out.join(format!(".other.podplan-old-{gone}"));
    std::fs::rename(out.join("r").join("backblaze-pod-2.0"), &parked).unwrap();
    std::fs::remove_dir(out.join("r")).unwrap();
    // Things that are not podplan's leftovers, or whose process lives.
    #[cfg(unix)]
    let alive = std::os::unix::process::parent_id();
    #[cfg(not(unix))]
    let alive = std::process::id();
    let live = format!(".y.json.podplan-{alive}.tmp");
    std::fs::write(out.join(&live), "someone is writing").unwrap();
    std::fs::write(out.join(".x.podplan-notes.tmp"), "mine").unwrap();
    std::fs::write(out.join("keep.txt"), "mine").unwrap();

    let (code, _, err) = run(&["report", POD, "--out", &s(out)]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("restored"), "{err}");
    let mut expected: Vec<String> = vec![
        live.clone(),
        ".x.podplan-notes.tmp".into(),
        "backblaze-pod-2.0".into(),
        "keep.txt".into(),
        "other".into(),
    ];
    expected.sort();
    assert_eq!(names(out), expected);
    assert!(out.join("other").join("podplan-manifest.json").is_file());
}

/// Issue 18 items 3 and 4 together: `report` killed at random moments, over and over. After
/// every kill the report's name holds a complete report (every file its manifest lists, each
/// byte-identical to an uninterrupted run's); after one more run nothing else is left.
#[cfg(unix)]
#[test]
fn a_report_killed_at_random_moments_is_always_complete() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let bin = env!("CARGO_BIN_EXE_podplan");
    let tmp = tempfile::tempdir().unwrap();
    let reference = tmp.path().join("reference");
    let out = tmp.path().join("out");
    let report = |dir: &Path| {
        Command::new(bin)
            .args(["report", POD, "--out"])
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let started = Instant::now();
    assert!(report(&reference).wait().unwrap().success());
    let span = started.elapsed().as_micros().max(1000);
    std::fs::create_dir(&out).unwrap();
    assert!(report(&out).wait().unwrap().success());
    let target = out.join("backblaze-pod-2.0");
    let expected = reference.join("backblaze-pod-2.0");
    // A fixed-seed sequence of kill times spread over the length of one run.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..16 {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let at = u64::try_from(span).unwrap() * ((x >> 33) % 1000) / 1000;
        let mut child = report(&out);
        std::thread::sleep(Duration::from_micros(at));
        let _ = child.kill();
        let _ = child.wait();
        assert_complete(&target, &expected);
    }
    assert!(report(&out).wait().unwrap().success());
    assert_complete(&target, &expected);
    assert_eq!(names(&out), vec!["backblaze-pod-2.0"], "no leftovers");
}

fn assert_complete(dir: &Path, expected: &Path) {
    let manifest = std::fs::read_to_string(dir.join("podplan-manifest.json"))
        .unwrap_or_else(|e| panic!("{}: no manifest: {e}", dir.display()));
    let listed: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    let mut listed: Vec<String> = listed["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    listed.push("podplan-manifest.json".into());
    listed.sort();
    assert_eq!(names(dir), listed);
    for f in &listed {
        if !f.ends_with(".xlsx") {
            assert_eq!(read(&dir.join(f)), read(&expected.join(f)), "{f}");
        }
    }
}

/// Issue 18 item 9: a closed or full standard output is an error; a reader that goes away is
/// not.
#[cfg(unix)]
#[test]
fn a_closed_or_full_standard_output_is_an_error() {
    use std::process::{Command, Stdio};
    let bin = env!("CARGO_BIN_EXE_podplan");
    let closed = Command::new("sh")
        .args(["-c", "exec \"$0\" show >&-", bin])
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(closed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&closed.stderr).contains("standard output is closed"));
    if let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") {
        let out = Command::new(bin)
            .arg("show")
            .stdout(full)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
    }
    let piped = Command::new("sh")
        .args([
            "-c",
            "\"$0\" show | head -c 1 >/dev/null; exit ${PIPESTATUS:-0}",
            bin,
        ])
        .status()
        .unwrap();
    assert!(piped.success());
    // The writer to a closed pipe itself exits 0 (broken pipe).
    let mut child = Command::new(bin)
        .args(["report", POD])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

/// A snapshot of everything under `dir`: relative path → file bytes (`None` for a directory).
fn snapshot(dir: &Path) -> std::collections::BTreeMap<PathBuf, Option<Vec<u8>>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().to_path_buf();
            if p.is_dir() {
                out.insert(rel, None);
                stack.push(p);
            } else {
                out.insert(rel, Some(std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

mod fuzz {
    use super::*;
    use podplan::output::dir::{MANIFEST, write_report_dir};
    use proptest::prelude::*;

    /// What may stand at the report's place before a write.
    #[derive(Debug, Clone)]
    enum Before {
        Nothing,
        AFile,
        /// A directory: entries (name, is a subdirectory), and the manifest's list if any.
        Dir(Vec<(String, bool)>, Option<Vec<String>>),
    }

    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("summary.md".to_string()),
            Just("bom.csv".to_string()),
            Just("design.ron".to_string()),
            Just("notes.txt".to_string()),
            "[a-z]{1,6}(\\.[a-z]{1,3})?",
        ]
    }

    fn before() -> impl Strategy<Value = Before> {
        prop_oneof![
            Just(Before::Nothing),
            Just(Before::AFile),
            (
                proptest::collection::vec((name(), proptest::bool::weighted(0.1)), 0..5),
                proptest::option::of(proptest::collection::vec(name(), 0..6)),
            )
                .prop_map(|(e, m)| Before::Dir(e, m)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever stands at a report's place, a write either replaces a report podplan wrote
        /// (everything in it listed by its manifest, no .ron, no input) or changes nothing at
        /// all; nothing beside it is ever touched.
        #[test]
        fn a_report_write_replaces_only_its_own_reports(b in before(), input_inside in any::<bool>()) {
            let tmp = tempfile::tempdir().unwrap();
            let target = tmp.path().join("pod");
            std::fs::write(tmp.path().join("beside.txt"), "keep").unwrap();
            let mut replaceable = true;
            match &b {
                Before::Nothing => {}
                Before::AFile => {
                    std::fs::write(&target, "a file").unwrap();
                    replaceable = false;
                }
                Before::Dir(entries, manifest) => {
                    std::fs::create_dir(&target).unwrap();
                    for (n, sub) in entries {
                        let p = target.join(n);
                        if *sub {
                            let _ = std::fs::create_dir(&p);
                        } else if !p.exists() {
                            std::fs::write(&p, format!("mine: {n}")).unwrap();
                        }
                    }
                    let present: Vec<(String, bool)> = names(&target)
                        .into_iter()
                        .map(|n| { let sub = target.join(&n).is_dir(); (n, sub) })
                        .collect();
                    if let Some(list) = manifest {
                        let m = serde_json::json!({"written_by": "podplan report", "files": list});
                        std::fs::write(target.join(MANIFEST), m.to_string()).unwrap();
                        replaceable = present.iter().all(|(n, sub)| !sub && list.contains(n) && !n.ends_with(".ron"));
                    } else {
                        replaceable = present.is_empty();
                    }
                }
            }
            let inputs = if input_inside && target.is_dir() {
                let p = target.join("input.ron");
                std::fs::write(&p, "// an input").unwrap();
                replaceable = false;
                vec![p]
            } else {
                Vec::new()
            };
            let was = snapshot(tmp.path());
            let files = vec![("summary.md".to_string(), b"new".to_vec())];
            let r = write_report_dir(&target, &files, &inputs);
            prop_assert_eq!(r.is_ok(), replaceable, "{:?}", r);
            if r.is_ok() {
                prop_assert_eq!(std::fs::read(target.join("summary.md")).unwrap(), b"new".to_vec());
                prop_assert_eq!(names(&target), vec![MANIFEST.to_string(), "summary.md".to_string()]);
                prop_assert_eq!(names(tmp.path()), vec!["beside.txt".to_string(), "pod".to_string()]);
            } else {
                prop_assert_eq!(snapshot(tmp.path()), was);
            }
        }
    }
}

/// A catalog the design loads is an input like the design itself: no command's `--output`
/// replaces it (only the design file was guarded before).
#[test]
fn output_never_replaces_a_catalog_the_design_loads() {
    let tmp = tempfile::tempdir().unwrap();
    let design = copy_design(tmp.path(), "pod.ron");
    let catalog = tmp.path().join("catalog.ron");
    let before = read(&catalog);
    for cmd in ["show", "layout", "bandwidth", "durability", "bom"] {
        let (code, _, err) = run(&[cmd, &s(&design), "--output", &s(&catalog)]);
        assert_eq!(code, 2, "{cmd}: {err}");
        assert!(err.contains("never overwrites a design"), "{cmd}: {err}");
        assert_eq!(read(&catalog), before, "{cmd} replaced the catalog");
    }
}

/// Every command names the flag when its `--output` cannot be written, as `bom` did.
#[test]
fn an_output_that_cannot_be_written_names_the_flag() {
    for cmd in ["show", "layout", "bandwidth", "durability", "bom", "cost"] {
        let (code, _, err) = run(&[cmd, POD, "--output", "/nonexistent/dir/x.txt"]);
        assert_eq!(code, 2, "{cmd}: {err}");
        assert!(
            err.starts_with("error: --output /nonexistent/dir/x.txt: "),
            "{cmd}: {err}"
        );
    }
}
