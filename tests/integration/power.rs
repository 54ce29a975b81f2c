//! Power constructs: redundant PSU groups (N+k), PSUs with only some rails and boards or
//! backplanes that make their own +5 V, as a user writes them in a design.

use crate::run;
use podplan::layout::{self, DomainKind, Verdict};
use podplan::load::{self, Document};
use podplan::model::Pod;

fn fixture(name: &str) -> String {
    format!("tests/fixtures/{name}")
}

fn load_pod(name: &str) -> Pod {
    let Document::Design(l) = load::load_file(std::path::Path::new(&fixture(name))).unwrap() else {
        panic!("{name}: not a design")
    };
    let o = podplan::validate::validate(&l);
    o.pod
        .unwrap_or_else(|| panic!("{name}: {:?}", o.diagnostics))
}

#[test]
fn a_one_plus_one_pair_checks_clean_survives_a_psu_and_prices_both_units() {
    let (code, out, err) = run(&["check", &fixture("power/redundant-pair.ron")]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("0 errors, 0 warnings"), "{out}{err}");
    let pod = load_pod("power/redundant-pair.ron");
    // Each unit carries the running load alone, so either can fail.
    let budget = podplan::power::budget(&pod);
    assert_eq!(budget.psus.len(), 1);
    assert_eq!((budget.psus[0].units, budget.psus[0].spares), (2, 1));
    assert!(budget.psus[0].survives_one_failure());
    // Two domains, one per unit, each taking nothing offline.
    let doms = layout::domains(&pod);
    let psus: Vec<_> = doms.iter().filter(|d| d.kind == DomainKind::Psu).collect();
    assert_eq!(psus.len(), 2);
    assert!(
        psus.iter()
            .all(|d| d.bays.is_empty() && d.covered.len() == 10)
    );
    // `layout --survive psu` is met (exit 0) and says why.
    let (code, out, err) = run(&[
        "layout",
        "--survive",
        "psu",
        &fixture("power/redundant-pair.ron"),
    ]);
    assert_eq!(code, 0, "{err}");
    let flat = crate::flat(&out);
    assert!(flat.contains("Survives any single psu failure"), "{out}");
    assert!(
        flat.contains(
            "psu#1: its drives stay online when it fails, carried by the other unit of psu"
        ),
        "{out}"
    );
    let placed = layout::place(
        &pod,
        layout::Shape {
            level: pod.raid.level,
            spares: 0,
        },
        &[DomainKind::Psu],
    )
    .unwrap();
    let e = layout::exposure(&placed.layout, &doms);
    assert_eq!(
        e.iter()
            .find(|e| e.kind == DomainKind::Psu)
            .unwrap()
            .verdict,
        Verdict::Survives
    );
    // The BOM buys both units.
    let lines = podplan::bom::lines(&pod, &podplan::bom::Options::default()).unwrap();
    let psu = lines.iter().find(|l| l.part == "test-psu-760w").unwrap();
    assert_eq!(psu.qty_per_pod, 2);
    assert_eq!(psu.used_for, "power supplies psu#1, psu#2");
}

#[test]
fn a_single_psu_failure_is_an_outage_not_survived() {
    // The same pod on one PSU: its failure takes every drive offline until it is replaced.
    let (code, out, _) = run(&["layout", "--survive", "psu", &fixture("valid.ron")]);
    assert_eq!(code, 1, "{out}");
    assert!(
        crate::flat(&out).contains("Cannot survive a psu failure"),
        "{out}"
    );
}

#[test]
fn a_pair_whose_units_cannot_carry_the_load_alone_is_not_survived() {
    // psu-redundancy.ron: 8 A per unit on +5 V, ~9.5 A of running load: the pair runs the pod
    // but one unit alone cannot, so a unit failure takes every drive offline.
    let pod = load_pod("invalid/psu-redundancy.ron");
    let budget = podplan::power::budget(&pod);
    assert!(budget.psus[0].fits(budget.psus[0].active));
    assert!(!budget.psus[0].survives_one_failure());
    let doms = layout::domains(&pod);
    assert!(
        doms.iter()
            .filter(|d| d.kind == DomainKind::Psu)
            .all(|d| d.bays.len() == 10 && d.covered.is_empty())
    );
}

#[test]
fn a_redundancy_a_group_cannot_keep_is_an_error_at_its_place() {
    let text = std::fs::read_to_string(fixture("power/redundant-pair.ron")).unwrap();
    for (from, to, place) in [
        (
            "qty: 2, redundancy: NPlus(1)",
            "qty: 2, redundancy: NPlus(2)",
            "psus[0].redundancy",
        ),
        (
            "qty: 2, redundancy: NPlus(1)",
            "qty: 2, redundancy: NPlus(0)",
            "psus[0].redundancy",
        ),
        ("qty: 2, redundancy: NPlus(1)", "qty: 0", "psus[0].qty"),
        ("qty: 2, redundancy: NPlus(1)", "qty: 17", "psus[0].qty"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pod.ron");
        std::fs::write(&path, text.replace(from, to)).unwrap();
        let diags = podplan::cli::check_file(Some(&path));
        let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
        assert_eq!(errors.len(), 1, "{to}: {diags:?}");
        assert_eq!(errors[0].code.as_str(), "invalid-value", "{to}");
        assert_eq!(errors[0].place, place, "{to}");
    }
}

#[test]
fn a_twelve_volt_only_psu_carries_the_five_volt_load_through_the_backplanes_converters() {
    let (code, out, err) = run(&["check", &fixture("power/twelve-volt-only.ron")]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("0 errors, 0 warnings"), "{out}{err}");
    // The same pod with a +5 V rail: every +5 V ampere becomes 5/(12 × 0.9) A on +12 V.
    let with_5v = podplan::power::budget(&load_pod("valid.ron")).psus[0].clone();
    let only_12v = podplan::power::budget(&load_pod("power/twelve-volt-only.ron")).psus[0].clone();
    assert!(only_12v.no_5v);
    for (a, b) in [
        (with_5v.idle, only_12v.idle),
        (with_5v.active, only_12v.active),
        (with_5v.spinup_simultaneous, only_12v.spinup_simultaneous),
        (with_5v.spinup_staggered, only_12v.spinup_staggered),
    ] {
        assert_eq!(b.a5.amps(), 0.0);
        let want = a.a12.amps() + 5.0 * a.a5.amps() / (12.0 * 0.9);
        assert!(
            (b.a12.amps() - want).abs() < 1e-9,
            "{} vs {want}",
            b.a12.amps()
        );
    }
    // Without the backplanes' converters the +5 V load has nowhere to come from.
    let text = std::fs::read_to_string(fixture("power/twelve-volt-only.ron")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pod.ron");
    std::fs::write(
        &path,
        text.replace(
            "                watts: 5.0,\n                dc_dc_5v: 0.9,\n",
            "                watts: 5.0,\n",
        ),
    )
    .unwrap();
    let diags = podplan::cli::check_file(Some(&path));
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].code.as_str(), "psu-overload");
    assert_eq!(diags[0].place, "psus[0]");
    assert!(
        diags[0].message.contains("on +5 V, which it does not have"),
        "{}",
        diags[0]
    );
    // An efficiency outside 0.5 to 1 is an error at its place.
    std::fs::write(&path, text.replacen("dc_dc_5v: 0.9", "dc_dc_5v: 1.5", 1)).unwrap();
    let diags = podplan::cli::check_file(Some(&path));
    assert!(
        diags
            .iter()
            .any(|d| d.code.as_str() == "invalid-value" && d.place.ends_with("spec.dc_dc_5v")),
        "{diags:?}"
    );
}

#[test]
fn a_dual_socket_board_takes_two_processors_in_power_and_bom() {
    let (code, out, err) = run(&["check", &fixture("cpu/dual-socket.ron")]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("0 errors, 0 warnings"), "{out}");
    let one = load_pod("valid.ron");
    let two = load_pod("cpu/dual-socket.ron");
    assert_eq!((one.cpus, two.cpus), (1, 2));
    // The second 65 W processor adds 65 W / 12 V on +12 V in every state.
    let (a, b) = (
        podplan::power::budget(&one).psus[0].idle,
        podplan::power::budget(&two).psus[0].idle,
    );
    assert!((b.a12.amps() - a.a12.amps() - 65.0 / 12.0).abs() < 1e-9);
    let lines = podplan::bom::lines(&two, &podplan::bom::Options::default()).unwrap();
    let cpu = lines.iter().find(|l| l.part == "test-cpu").unwrap();
    assert_eq!(cpu.qty_per_pod, 2);
    // The summary names both.
    let (_, out, _) = run(&["show", &fixture("cpu/dual-socket.ron")]);
    assert!(out.contains("CPU 2 × Test dual-core CPU"), "{out}");
}

#[test]
fn more_processors_than_sockets_and_a_bad_cpu_entry_are_located() {
    let text = std::fs::read_to_string(fixture("cpu/dual-socket.ron")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pod.ron");
    // One socket, two processors.
    std::fs::write(&path, text.replace("                sockets: 2,\n", "")).unwrap();
    let diags = podplan::cli::check_file(Some(&path));
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(
        (diags[0].code.as_str(), diags[0].place.as_str()),
        ("board-capacity", "board.cpu.qty")
    );
    // A misspelt field inside the (part, qty) form is a syntax error at its line and column.
    std::fs::write(&path, text.replace("qty: 2)", "qtty: 2)")).unwrap();
    let diags = podplan::cli::check_file(Some(&path));
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].code.as_str(), "syntax");
    let line = text.lines().position(|l| l.contains("cpu: (part")).unwrap() + 1;
    assert_eq!(diags[0].line_col, Some((line, 33)), "{}", diags[0]);
    // A number where the processor goes says what is expected.
    std::fs::write(
        &path,
        text.replace("cpu: (part: \"test-cpu\", qty: 2)", "cpu: 42"),
    )
    .unwrap();
    let diags = podplan::cli::check_file(Some(&path));
    assert!(
        diags[0].message.contains("a Cpu part id, or (part:"),
        "{}",
        diags[0]
    );
    // qty: 0 is the usual zero-quantity error.
    std::fs::write(&path, text.replace("qty: 2)", "qty: 0)")).unwrap();
    let diags = podplan::cli::check_file(Some(&path));
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(
        (diags[0].code.as_str(), diags[0].place.as_str()),
        ("zero-quantity", "board.cpu.qty")
    );
}

#[test]
fn a_redundant_group_is_budgeted_against_what_its_other_units_carry() {
    // A 1+1 pair: the power table holds each state against one unit's rating as well as the
    // pair's, and the key figures say what the PSUs carry with the redundant unit failed.
    let pod = load_pod("power/redundant-pair.ron");
    let b = &podplan::power::budget(&pod).psus[0];
    let one_unit = b.rated_w.watts() / f64::from(b.units);
    let (code, out, err) = run(&["report", &fixture("power/redundant-pair.ron")]);
    assert_eq!(code, 0, "{err}");
    let row = out
        .lines()
        .find(|l| l.contains("1 unit failed: sequential load"))
        .unwrap_or_else(|| panic!("no row for a failed unit:\n{out}"));
    assert!(
        row.contains(&format!("/ {one_unit:.0} |")),
        "held to one unit's {one_unit} W: {row}"
    );
    assert!(
        out.contains(&format!(
            "({one_unit:.0} W with the 1 redundant unit failed)"
        )),
        "{out}"
    );
}
