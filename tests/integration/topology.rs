//! SAS and NVMe topologies beyond the Backblaze pods: backplanes with several uplink
//! connectors, cascaded (daisy-chained) expanders, dual-path backplanes with dual-ported
//! drives (multipath) and NVMe drives on PCIe, each validated, routed by the bandwidth graph
//! and seen by the failure domains.

use podplan::bandwidth::{self, BandwidthReport, LinkKind, Params, Request, Workload};
use podplan::diag::{Code, Diagnostic, Severity};
use podplan::layout::{self, DomainKind, Shape};
use podplan::load::{self, Document};
use podplan::model::Pod;
use podplan::validate::validate;
use std::path::Path;

/// Parts every test design uses: a 16 TB SAS drive (dual-ported unless told), a SATA drive, a
/// 16-port SAS3 HBA on PCIe 3.0 x8, expander, dual-path expander and passive backplanes, an
/// NVMe drive and a 4-port NVMe retimer card on PCIe 4.0 x16.
fn parts(dual_port: bool) -> String {
    let price = r#"price: (amount: "100.00", date: "2025", source: Estimated("test"))"#;
    format!(
        r#"
        Part(id: "sas-16tb", name: "SAS 16 TB", {price}, spec: Drive((capacity: "16 TB", interface: Sas3, rpm: 7200, outer_mb_s: 270.0, inner_mb_s: 130.0, idle_w: 5.0, active_w: 9.0, spinup_12v_a: 2.0, run_5v_a: 0.6, afr_pct: 1.0, ure_bits: 1e15, dual_port: {dual_port}))),
        Part(id: "sata-16tb", name: "SATA 16 TB", {price}, spec: Drive((capacity: "16 TB", interface: Sata3, rpm: 7200, outer_mb_s: 270.0, inner_mb_s: 130.0, idle_w: 5.0, active_w: 9.0, spinup_12v_a: 2.0, run_5v_a: 0.6, afr_pct: 1.0, ure_bits: 1e15))),
        Part(id: "nvme-8tb", name: "U.2 NVMe 7.68 TB", {price}, spec: Drive((capacity: "7.68 TB", interface: Nvme(gen: 4, lanes: 4), rpm: 0, outer_mb_s: 6800.0, inner_mb_s: 6800.0, idle_w: 5.0, active_w: 20.0, spinup_12v_a: 0.0, run_5v_a: 0.0, afr_pct: 0.5, ure_bits: 1e17))),
        Part(id: "hba", name: "SAS3 HBA 16 port", {price}, spec: HostCard((chipset: "SAS3416", ports: 16, link: Sas3, pm_support: None, host_bus: Pcie(gen: 3, lanes: 8), watts: 10.0))),
        Part(id: "retimer", name: "NVMe retimer x16 to 4 × U.2", {price}, spec: HostCard((chipset: "retimer", ports: 4, link: Nvme(gen: 4, lanes: 4), pm_support: None, host_bus: Pcie(gen: 4, lanes: 16), watts: 8.0))),
        Part(id: "expander-24", name: "Expander backplane 24 bays", {price}, spec: Backplane((chip: "SAS3x40", kind: Expander, drive_ports: 24, uplink: Sas3, uplink_lanes: 4, watts: 15.0))),
        Part(id: "expander-24-dual", name: "Dual-expander backplane 24 bays", {price}, spec: Backplane((chip: "SAS3x40", kind: Expander, drive_ports: 24, uplink: Sas3, uplink_lanes: 4, paths: 2, watts: 25.0))),
        Part(id: "passive-15", name: "Passive backplane 15 bays, 4 × SFF-8643", {price}, spec: Backplane((chip: "none", kind: Passive, drive_ports: 15, uplink: Sas3, uplink_lanes: 16, uplinks: 4, watts: 2.0))),
        Part(id: "board", name: "Board", {price}, spec: Motherboard((form_factor: "ATX", chipset: "C621", chipset_link: Dmi3, slots: [(id: "SLOT1", bus: Pcie(gen: 4, lanes: 16), attach: Cpu), (id: "SLOT2", bus: Pcie(gen: 4, lanes: 16), attach: Cpu), (id: "SLOT3", bus: Pcie(gen: 4, lanes: 16), attach: Cpu)], nics: [(controller: "X710", gbit_s: 25.0, attach: Cpu)], memory_slots: 8, watts: 30.0))),
        Part(id: "cpu", name: "CPU", {price}, spec: Cpu((cores: 16, ghz: 2.5, tdp_w: 150.0))),
        Part(id: "ram", name: "RAM", {price}, spec: Memory((modules: 1, module_size: "32 GB", kind: "DDR4-3200", watts_per_module: 4.0))),
        Part(id: "psu", name: "PSU", {price}, spec: Psu((watts: 2000.0, rail_12v_a: 160.0, rail_5v_a: 40.0))),
        Part(id: "chassis", name: "Chassis", {price}, spec: Chassis((rack_units: 4, bays: 60, depth_in: 30.0))),
"#
    )
}

/// A design with these slots and drives, RAID6 of `width`.
fn design(dual_port: bool, slots: &str, drives: &str, width: u32) -> String {
    format!(
        r#"Design(
    name: "test",
    parts: [{}],
    chassis: "chassis",
    board: (part: "board", cpu: "cpu", memory: [(part: "ram", qty: 2)]),
    slots: [{slots}],
    drives: [{drives}],
    psus: [(id: "psu1", part: "psu")],
    raid: (level: Raid6(width: {width}), filesystem: None),
)"#,
        parts(dual_port)
    )
}

fn outcome(text: &str) -> (Option<Pod>, Vec<Diagnostic>) {
    match load::load_str("test.ron", text, Path::new(".")) {
        Ok(Document::Design(l)) => {
            let o = validate(&l);
            (o.pod, o.diagnostics)
        }
        Ok(_) => panic!("a design"),
        Err(d) => (None, d),
    }
}

fn ok(text: &str) -> Pod {
    let (pod, diags) = outcome(text);
    let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    pod.unwrap()
}

fn codes(diags: &[Diagnostic], severity: Severity) -> Vec<Code> {
    diags
        .iter()
        .filter(|d| d.severity == severity)
        .map(|d| d.code)
        .collect()
}

fn run(p: &Pod, workload: Workload, params: &Params) -> BandwidthReport {
    let shape = Shape {
        level: p.raid.level,
        spares: p.raid.spares,
    };
    let l = layout::place(p, shape, &[]).unwrap().layout;
    let req = Request {
        workload,
        group: None,
        bay: None,
    };
    bandwidth::analyze(p, &l, &req, params).unwrap()
}

fn load_of(r: &BandwidthReport, id: &str) -> f64 {
    r.links
        .iter()
        .find(|l| l.id == id)
        .unwrap_or_else(|| {
            panic!(
                "no link {id}: {:?}",
                r.links.iter().map(|l| &l.id).collect::<Vec<_>>()
            )
        })
        .allocated_mb_s
        .0
}

const DUAL_PATH: &str = r#"
    (slot: "SLOT1", card: (part: "hba", ports: [Backplane(id: "bp1", part: "expander-24-dual", bays: "1-24")])),
    (slot: "SLOT2", card: (part: "hba", ports: [Path(backplane: "bp1")])),
"#;

#[test]
fn a_dual_path_backplane_shares_its_drives_over_both_cards_and_survives_one() {
    let text = design(true, DUAL_PATH, r#"(bays: "1-24", part: "sas-16tb")"#, 12);
    let p = ok(&text);
    // Each drive routes over both paths; the two host links share the scrub evenly.
    let r = run(&p, Workload::Scrub, &Params::default());
    let (a, b) = (load_of(&r, "host:SLOT1"), load_of(&r, "host:SLOT2"));
    assert!(a > 0.0 && (a - b).abs() < 1e-6 * a, "{a} vs {b}");
    // Each path's x4 SAS3 expander uplink is its own link: 4 × 1200 × 0.9 = 4320 MB/s.
    let up2 = r.links.iter().find(|l| l.id == "uplink:bp1.p2").unwrap();
    assert_eq!(up2.kind, LinkKind::ExpanderUplink);
    assert!((up2.capacity_mb_s.0 - 4320.0).abs() < 1e-6);
    assert_eq!(up2.drives_behind, 24);
    // A scrub runs at the full-pass average media rate, (270 + 130) / 2 = 200 MB/s: 24 drives
    // need 4800 MB/s, more than one x4 uplink (4320); over both paths they run at their media
    // rate.
    assert!((a + b - 24.0 * 200.0).abs() < 1e-3, "{}", a + b);
    // With one card down the other carries every drive: at most one x4 uplink's 4320 MB/s.
    let mut down = Params::default();
    down.set("SLOT1.down=1").unwrap();
    let r = run(&p, Workload::Scrub, &down);
    assert_eq!(load_of(&r, "host:SLOT1"), 0.0);
    assert!((load_of(&r, "host:SLOT2") - 4320.0).abs() < 1e-6);
    assert!((load_of(&r, "uplink:bp1.p2") - 4320.0).abs() < 1e-6);
    // Only a storage controller can be taken down.
    let mut nic = Params::default();
    nic.set("SLOT3.down=1").unwrap();
    let e = bandwidth::graph(&p, &nic).unwrap_err().to_string();
    assert!(e.contains("no storage controller"), "{e}");
    // No card takes a drive offline: each serves all 24, every one covered by the other path.
    let doms = layout::domains(&p);
    let cards: Vec<_> = doms.iter().filter(|d| d.kind == DomainKind::Card).collect();
    assert_eq!(cards.len(), 2, "{doms:#?}");
    assert!(
        cards
            .iter()
            .all(|d| d.bays.is_empty() && d.covered.len() == 24)
    );
    // --survive card holds.
    let shape = Shape {
        level: p.raid.level,
        spares: 0,
    };
    let placed = layout::place(&p, shape, &[DomainKind::Card]).unwrap();
    assert!(placed.survivable(), "{:?}", placed.unmet);
}

#[test]
fn a_single_ported_drive_behind_a_dual_path_backplane_has_one_path_and_a_warning() {
    let text = design(false, DUAL_PATH, r#"(bays: "1-24", part: "sas-16tb")"#, 12);
    let (pod, diags) = outcome(&text);
    assert_eq!(
        codes(&diags, Severity::Warning),
        vec![Code::SinglePortDrive]
    );
    let p = pod.unwrap();
    let r = run(&p, Workload::Scrub, &Params::default());
    assert_eq!(load_of(&r, "host:SLOT2"), 0.0);
    // Taking the only path down is refused, naming the bays.
    let mut down = Params::default();
    down.set("SLOT1.down=1").unwrap();
    let e = bandwidth::graph(&p, &down).unwrap_err().to_string();
    assert!(e.contains("1-24 have no other path"), "{e}");
    // Only one card reaches the drives: it is a failure domain again.
    assert!(
        layout::domains(&p)
            .iter()
            .any(|d| d.kind == DomainKind::Card && d.bays.len() == 24)
    );
}

#[test]
fn a_further_path_needs_a_dual_path_backplane_defined_before_it() {
    // Backplane with one path.
    let one = DUAL_PATH.replace("expander-24-dual", "expander-24");
    let (_, diags) = outcome(&design(
        true,
        &one,
        r#"(bays: "1-24", part: "sas-16tb")"#,
        12,
    ));
    assert_eq!(codes(&diags, Severity::Error), vec![Code::PathUnsupported]);
    // A path to nothing: one error, no bay conflicts.
    let none = DUAL_PATH.replace(r#"Path(backplane: "bp1")"#, r#"Path(backplane: "bp9")"#);
    let (_, diags) = outcome(&design(
        true,
        &none,
        r#"(bays: "1-24", part: "sas-16tb")"#,
        12,
    ));
    assert_eq!(codes(&diags, Severity::Error), vec![Code::UnknownPath]);
    let d = diags.iter().find(|d| d.code == Code::UnknownPath).unwrap();
    assert_eq!(d.place, "slots[1].card.ports[0].backplane");
    // The same dual-path backplane written twice: one error that names the construct, and
    // no bay conflicts.
    let twice = DUAL_PATH.replace(
        r#"Path(backplane: "bp1")"#,
        r#"Backplane(id: "bp1", part: "expander-24-dual", bays: "1-24")"#,
    );
    let (_, diags) = outcome(&design(
        true,
        &twice,
        r#"(bays: "1-24", part: "sas-16tb")"#,
        12,
    ));
    assert_eq!(codes(&diags, Severity::Error), vec![Code::DuplicateId]);
    assert!(
        diags[0].message.contains(r#"Path(backplane: "bp1")"#),
        "{diags:#?}"
    );
    // A third path to a two-path backplane.
    let three = format!(
        "{DUAL_PATH}(slot: \"SLOT3\", card: (part: \"hba\", ports: [Path(backplane: \"bp1\")])),"
    );
    let (_, diags) = outcome(&design(
        true,
        &three,
        r#"(bays: "1-24", part: "sas-16tb")"#,
        12,
    ));
    assert_eq!(codes(&diags, Severity::Error), vec![Code::PathUnsupported]);
}

const CASCADE: &str = r#"
    (slot: "SLOT1", card: (part: "hba", ports: [Backplane(id: "bp1", part: "expander-24", bays: "1-24",
        cascade: [Backplane(id: "bp2", part: "expander-24", bays: "25-48")])])),
"#;

#[test]
fn cascaded_expanders_share_the_first_uplink() {
    let p = ok(&design(
        true,
        CASCADE,
        r#"(bays: "1-48", part: "sas-16tb")"#,
        12,
    ));
    // One HBA port group: the second expander takes no HBA ports.
    assert_eq!(p.controllers[0].attachments.len(), 1);
    let r = run(&p, Workload::Scrub, &Params::default());
    let row = |id: &str| r.links.iter().find(|l| l.id == id).unwrap();
    // All 48 drives cross bp1's uplink; bp2's own uplink carries its 24.
    assert_eq!(row("uplink:bp1").drives_behind, 48);
    assert_eq!(row("uplink:bp2").drives_behind, 24);
    assert!(row("uplink:bp2").name.contains("bp1 downstream"));
    // 48 × 270 MB/s far exceed one x4 SAS3 uplink (4320 MB/s): it binds.
    assert!((load_of(&r, "uplink:bp1") - 4320.0).abs() < 1e-6);
    // An expander failure takes its downstream chain with it.
    let doms = layout::domains(&p);
    let bp1 = doms
        .iter()
        .find(|d| d.kind == DomainKind::Backplane && d.id == "bp1")
        .unwrap();
    assert_eq!(bp1.bays.len(), 48);
    // Only an expander cascades.
    let passive = CASCADE
        .replacen("expander-24", "passive-15", 1)
        .replace(r#"bays: "1-24","#, r#"bays: "1-15","#);
    let (_, diags) = outcome(&design(
        true,
        &passive,
        r#"(bays: "1-15,25-48", part: "sas-16tb")"#,
        13,
    ));
    assert!(
        codes(&diags, Severity::Error).contains(&Code::CascadeUnsupported),
        "{diags:#?}"
    );
}

#[test]
fn a_passive_backplane_with_four_connectors_is_four_links() {
    let slots = r#"(slot: "SLOT1", card: (part: "hba", ports: [Backplane(id: "bp1", part: "passive-15", bays: "1-15")])),"#;
    let p = ok(&design(
        true,
        slots,
        r#"(bays: "1-15", part: "sata-16tb")"#,
        15,
    ));
    let r = run(&p, Workload::Scrub, &Params::default());
    let conns: Vec<_> = r
        .links
        .iter()
        .filter(|l| l.kind == LinkKind::PassiveUplink)
        .collect();
    assert_eq!(conns.len(), 4);
    // Bays 1-4, 5-8, 9-12 on the first three connectors, 13-15 on the fourth.
    let behind: Vec<u32> = conns.iter().map(|l| l.drives_behind).collect();
    assert_eq!(behind, vec![4, 4, 4, 3]);
    // Each SFF-8643 x4 carries 4 × 1200 × 0.9 = 4320 MB/s.
    assert!((conns[0].capacity_mb_s.0 - 4320.0).abs() < 1e-6);
    // A cable takes out its own four bays only.
    let cables: Vec<_> = layout::domains(&p)
        .into_iter()
        .filter(|d| d.kind == DomainKind::Uplink)
        .collect();
    assert_eq!(cables.len(), 4);
    assert_eq!(cables[0].bays, vec![1, 2, 3, 4]);
    assert_eq!(cables[0].id, "SLOT1 ports 0-3");
    // Uneven connectors are refused.
    let bad = parts(true).replace(
        "uplink_lanes: 16, uplinks: 4",
        "uplink_lanes: 15, uplinks: 4",
    );
    let text =
        design(true, slots, r#"(bays: "1-15", part: "sata-16tb")"#, 15).replace(&parts(true), &bad);
    let (_, diags) = outcome(&text);
    assert!(codes(&diags, Severity::Error).contains(&Code::InvalidValue));
}

#[test]
fn nvme_drives_run_on_their_own_pcie_links() {
    let slots = r#"
        (slot: "SLOT1", card: (part: "retimer", ports: [Direct(bays: "1-4")])),
        (slot: "SLOT2", card: (part: "retimer", ports: [Direct(bays: "5-8")])),
    "#;
    let p = ok(&design(
        true,
        slots,
        r#"(bays: "1-8", part: "nvme-8tb")"#,
        8,
    ));
    let g = bandwidth::graph(&p, &Params::default()).unwrap();
    // PCIe 4.0 x4: 4 × 16 GT/s × 128/130 / 8 = 7877 MB/s raw, × 0.8 = 6302 MB/s.
    assert!((g.drives[0].port.0 - 4.0 * 16_000.0 * 128.0 / 130.0 / 8.0 * 0.8).abs() < 1e-6);
    // The retimer's x16 host link is the card's only shared link.
    let host = g.links.iter().find(|l| l.id == "host:SLOT1").unwrap();
    assert_eq!(host.behind, vec![1, 2, 3, 4]);
    // A SAS drive on an NVMe port is refused, once per card.
    let (_, diags) = outcome(&design(
        true,
        slots,
        r#"(bays: "1-8", part: "sas-16tb")"#,
        8,
    ));
    assert_eq!(
        codes(&diags, Severity::Error),
        vec![Code::InterfaceMismatch, Code::InterfaceMismatch]
    );
    // A PCIe generation NVMe does not use.
    let bad = parts(true).replace("Nvme(gen: 4, lanes: 4), rpm", "Nvme(gen: 2, lanes: 8), rpm");
    let text =
        design(true, slots, r#"(bays: "1-8", part: "nvme-8tb")"#, 8).replace(&parts(true), &bad);
    let (_, diags) = outcome(&text);
    assert!(codes(&diags, Severity::Error).contains(&Code::InvalidValue));
}
