//! A Storage-Pod-shaped design of any size, for benchmarks and tests of how the engines scale:
//! five-bay port-multiplier backplanes, three per SATA card (as in Pod 6.0's four cards × three
//! backplanes), one card per board slot, two PSUs each feeding half of the backplanes.

/// The RON text of a design with `drives` drives (rounded up to whole backplanes of five) in
/// RAID6 groups of 15 (13+2), like every stand-alone Backblaze pod.
pub fn scaled_design(drives: u32) -> String {
    design(drives, false)
}

/// [`scaled_design`] with every third backplane holding 8 TB drives instead of 4 TB, so the
/// solver must trade capacity tiers against failure domains.
#[allow(dead_code)]
pub fn mixed_design(drives: u32) -> String {
    design(drives, true)
}

fn design(drives: u32, mixed: bool) -> String {
    let backplanes = drives.div_ceil(5).max(1);
    let bays = backplanes * 5;
    let cards = backplanes.div_ceil(3);
    let part = |id: &str, spec: &str| {
        format!(
            "Part(id: \"{id}\", name: \"{id}\", price: Price(amount: \"1.00\", date: \"2020\", source: Estimated(\"benchmark\")), spec: {spec}),\n"
        )
    };
    let mut parts = String::new();
    parts += &part(
        "gen-drive",
        "Drive((capacity: \"4 TB\", interface: Sata3, rpm: 5900, outer_mb_s: 146.0, inner_mb_s: 68.6, idle_w: 3.6, active_w: 6.0, spinup_12v_a: 1.46, run_5v_a: 0.28, afr_pct: 2.6, ure_bits: 1e14))",
    );
    parts += &part(
        "gen-drive-8",
        "Drive((capacity: \"8 TB\", interface: Sata3, rpm: 7200, outer_mb_s: 200.0, inner_mb_s: 95.0, idle_w: 5.0, active_w: 7.0, spinup_12v_a: 1.8, run_5v_a: 0.5, afr_pct: 1.5, ure_bits: 1e15))",
    );
    parts += &part(
        "gen-pm",
        "Backplane((chip: \"PM\", kind: PortMultiplier(Fis), drive_ports: 5, uplink: Sata3, uplink_lanes: 1, watts: 1.0))",
    );
    parts += &part(
        "gen-card",
        "HostCard((chipset: \"C\", ports: 3, link: Sata3, pm_support: Fis, host_bus: Pcie(gen: 2, lanes: 2), watts: 1.0))",
    );
    let mut board_slots = String::new();
    let mut uses = String::new();
    let mut first_half = Vec::new();
    for c in 0..cards {
        board_slots += &format!("(id: \"S{c}\", bus: Pcie(gen: 3, lanes: 16), attach: Cpu), ");
        let mut ports = String::new();
        for k in 0..3 {
            let bp = c * 3 + k;
            if bp >= backplanes {
                ports += "Empty, ";
                continue;
            }
            ports += &format!(
                "Backplane(id: \"bp{}\", part: \"gen-pm\", bays: \"{}-{}\"), ",
                bp + 1,
                bp * 5 + 1,
                bp * 5 + 5
            );
            if bp < backplanes / 2 {
                first_half.push(format!("\"bp{}\"", bp + 1));
            }
        }
        uses += &format!("(slot: \"S{c}\", card: (part: \"gen-card\", ports: [{ports}])),\n");
    }
    parts += &part(
        "gen-board",
        &format!(
            "Motherboard((form_factor: \"ATX\", chipset: \"PCH\", chipset_link: Dmi2, slots: [{board_slots}], nics: [(controller: \"N0\", gbit_s: 10.0, attach: Cpu)], memory_slots: 4, watts: 10.0))"
        ),
    );
    parts += &part("gen-cpu", "Cpu((cores: 2, ghz: 3.0, tdp_w: 50.0))");
    parts += &part(
        "gen-ram",
        "Memory((modules: 1, module_size: \"4 GB\", kind: \"DDR3\", watts_per_module: 3.0))",
    );
    parts += &part(
        "gen-chassis",
        &format!("Chassis((rack_units: 4, bays: {bays}, depth_in: 30.0))"),
    );
    parts += &part(
        "gen-psu",
        "Psu((watts: 100000.0, rail_12v_a: 10000.0, rail_5v_a: 10000.0))",
    );
    let psus = if first_half.is_empty() {
        "(id: \"psu1\", part: \"gen-psu\", feeds: Rest)".to_string()
    } else {
        format!(
            "(id: \"psu1\", part: \"gen-psu\", feeds: Only([{}])), (id: \"psu2\", part: \"gen-psu\", feeds: Rest)",
            first_half.join(", ")
        )
    };
    let fills: Vec<String> = if mixed {
        (0..backplanes)
            .map(|bp| {
                let drive = if bp % 3 == 2 {
                    "gen-drive-8"
                } else {
                    "gen-drive"
                };
                format!(
                    "(bays: \"{}-{}\", part: \"{drive}\")",
                    bp * 5 + 1,
                    bp * 5 + 5
                )
            })
            .collect()
    } else {
        vec![format!("(bays: \"1-{bays}\", part: \"gen-drive\")")]
    };
    let fills = fills.join(", ");
    let width = bays.clamp(4, 15);
    format!(
        "Design(name: \"generated {bays}-bay pod\", parts: [\n{parts}], chassis: \"gen-chassis\",
         board: (part: \"gen-board\", cpu: \"gen-cpu\", memory: [(part: \"gen-ram\", qty: 1)]),
         slots: [\n{uses}], drives: [{fills}],
         psus: [{psus}],
         raid: (level: Raid6(width: {width}), spares: 0, filesystem: None))"
    )
}
