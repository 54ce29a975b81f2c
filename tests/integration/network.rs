//! Network ports with roles and bond modes: only data ports carry client traffic, a balanced
//! bond sums its members, active-backup uses one, and `--set nics=N` keeps the fastest ports.

use crate::run;
use podplan::bandwidth::{self, BandwidthReport, LinkKind, Params, Request, Workload};
use podplan::layout::{self, Shape};
use podplan::load::{self, Document};
use podplan::model::Pod;

const ROLES: &str = "tests/fixtures/network/roles.ron";

fn pod_of_text(text: &str) -> Pod {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pod.ron");
    std::fs::write(&path, text).unwrap();
    let Document::Design(l) = load::load_file(&path).unwrap() else {
        panic!("a design")
    };
    let o = podplan::validate::validate(&l);
    o.pod.unwrap_or_else(|| panic!("{:?}", o.diagnostics))
}

fn roles_text() -> String {
    std::fs::read_to_string(ROLES).unwrap()
}

/// Ingest with every link but the NICs lifted out of the way, so the network binds.
fn ingest(p: &Pod, extra: &[&str]) -> BandwidthReport {
    let mut params = Params::default();
    for a in [
        "drive=100000",
        "uplink:bp1=100000",
        "uplink:bp2=100000",
        "host:PCIE1=100000",
        "chipset:dmi=100000",
    ]
    .iter()
    .chain(extra)
    {
        params.set(a).unwrap();
    }
    let shape = Shape {
        level: p.raid.level,
        spares: p.raid.spares,
    };
    let l = layout::place(p, shape, &[]).unwrap().layout;
    let req = Request {
        workload: Workload::Ingest,
        group: None,
        bay: None,
    };
    bandwidth::analyze(p, &l, &req, &params).unwrap()
}

fn nic_links(r: &BandwidthReport) -> Vec<(String, f64)> {
    r.links
        .iter()
        .filter(|l| l.kind == LinkKind::Nic)
        .map(|l| (l.name.clone(), l.capacity_mb_s.0))
        .collect()
}

/// 25 GbE: 25,000 / 8 = 3,125 MB/s of MAC data, × 1448/1538 for framing, IP and TCP (model §1.5).
const PORT_25G: f64 = 3125.0 * 1448.0 / 1538.0;

#[test]
fn data_ports_carry_ingest_and_management_ports_do_not() {
    let (code, out, err) = run(&["check", ROLES]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("0 errors, 0 warnings"), "{out}");
    let r = ingest(&pod_of_text(&roles_text()), &[]);
    let nics = nic_links(&r);
    assert_eq!(nics.len(), 2, "{nics:?}");
    for (name, cap) in &nics {
        assert!(name.contains("25 GbE"), "{name}");
        assert!(
            (cap - PORT_25G).abs() < 0.1,
            "{cap}: about 2.9 GB/s per port"
        );
    }
    // The 3 Gb/s drive ports bind first; past them the two 25 GbE ports do, at ≈ 5,900 MB/s.
    let next = r.summary.next.as_ref().unwrap();
    assert_eq!(next.name.ids(), vec!["nic:1", "nic:2"]);
    let client = next.client_mb_s.unwrap().0;
    assert!(
        (client - 2.0 * PORT_25G).abs() < 1.0,
        "{client}: ≈ 5,900 MB/s"
    );
}

#[test]
fn without_roles_every_port_is_bonded_evenly_as_before_and_check_warns() {
    // The same server written the old way: the two 1 GbE ports join the bond and hold it to
    // 4 × 117.7 = 470.8 MB/s, as podplan has always computed it; check says why.
    let old = roles_text()
        .replace("        nics: [Management, Unused],\n", "")
        .replace(", nics: [Data, Data]", "");
    let r = ingest(&pod_of_text(&old), &[]);
    assert_eq!(nic_links(&r).len(), 4);
    let client = r.summary.client_mb_s.unwrap().0;
    assert!(
        (client - 4.0 * 1000.0 / 8.0 * 1448.0 / 1538.0).abs() < 0.1,
        "{client}"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pod.ron");
    std::fs::write(&path, &old).unwrap();
    let diags = podplan::cli::check_file(Some(&path));
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].code.as_str(), "nic-bond-speeds");
    // --set nics=2 keeps the two 25 GbE ports, never the 1 GbE ones ahead of them.
    let two = ingest(&pod_of_text(&old), &["nics=2"]);
    let nics = nic_links(&two);
    assert_eq!(nics.len(), 2);
    assert!(nics.iter().all(|(n, _)| n.contains("25 GbE")), "{nics:?}");
}

#[test]
fn an_active_backup_bond_carries_one_port() {
    let text = roles_text().replace("    drives: [", "    bond: ActiveBackup,\n    drives: [");
    let r = ingest(&pod_of_text(&text), &[]);
    let nics = nic_links(&r);
    assert_eq!(nics.len(), 1, "{nics:?}");
    assert!(
        nics[0].0.contains("active of 2 in active-backup"),
        "{}",
        nics[0].0
    );
    let next = r.summary.next.as_ref().unwrap();
    assert_eq!(next.name.ids(), vec!["nic:1"]);
    let client = next.client_mb_s.unwrap().0;
    assert!((client - PORT_25G).abs() < 1.0, "{client}");
}

#[test]
fn roles_are_checked_where_they_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pod.ron");
    for (from, to, code, place) in [
        (
            "nics: [Management, Unused]",
            "nics: [Management, Unused, Data]",
            "port-overflow",
            "board.nics",
        ),
        (
            "nics: [Data, Data]",
            "nics: [Data, Data, Data]",
            "port-overflow",
            "slots[1].card.nics",
        ),
        // A board dropped for its own error: its ports' roles are not a second error.
        (
            "memory_slots: 4,",
            "memory_slots: 4, sockets: 0,",
            "invalid-value",
            "parts[1].spec.sockets",
        ),
        (
            "part: \"test-fis-card\",",
            "part: \"test-fis-card\", nics: [Data],",
            "invalid-value",
            "slots[0].card.nics",
        ),
    ] {
        let text = roles_text();
        assert!(text.contains(from), "{from}");
        std::fs::write(&path, text.replace(from, to)).unwrap();
        let diags = podplan::cli::check_file(Some(&path));
        assert_eq!(diags.len(), 1, "{to}: {diags:?}");
        assert_eq!(
            (diags[0].code.as_str(), diags[0].place.as_str()),
            (code, place)
        );
    }
}

#[test]
fn a_pod_without_a_data_port_has_no_client_bandwidth_and_says_why() {
    // Every port made Management: clients cannot reach the pod, so ingest is not a figure
    // (it used to come out bound by the drives, as if the network were free).
    let text = roles_text().replace("nics: [Data, Data]", "nics: [Management, Unused]");
    let p = pod_of_text(&text);
    let shape = Shape {
        level: p.raid.level,
        spares: p.raid.spares,
    };
    let l = layout::place(&p, shape, &[]).unwrap().layout;
    for workload in [Workload::Ingest, Workload::Read] {
        let req = Request {
            workload,
            group: None,
            bay: None,
        };
        let e = bandwidth::analyze(&p, &l, &req, &Params::default()).unwrap_err();
        assert!(e.to_string().contains("Data role"), "{e}");
    }
}

#[test]
fn a_sweep_without_the_nic_card_puts_client_traffic_on_the_onboard_ports() {
    // The fixture's onboard ports are Management/Unused beside a 25 GbE data card: `nic=onboard`
    // removes the card, so the onboard ports become the client network (not no network at all).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pod.ron");
    std::fs::write(&path, roles_text()).unwrap();
    let (code, out, err) = run(&[
        "sweep",
        path.to_str().unwrap(),
        "--vary",
        "nic=onboard",
        "--all",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let variants = v["variants"].as_array().unwrap();
    assert_eq!(variants[0]["changes"][0], "nic=onboard");
    let ingest = variants[0]["figures"]["ingest_mb_s"].as_f64();
    assert!(ingest.is_some_and(|x| x > 0.0), "{out}");
    // The two onboard 1 GbE ports bind it, not the drives behind them.
    let binding = variants[0]["figures"]["ingest_binding"].as_str().unwrap();
    assert!(binding.starts_with("nic:"), "{binding}");
}
