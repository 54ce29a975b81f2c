//! Parts: one spec part to one model part, with its price and physical ranges.

use super::*;

/// Converts one spec part to a model part, reporting every problem.
pub(super) fn check_part(s: &mut Sink, place: &str, p: &spec::Part) -> Option<Part> {
    // Diagnostics are only appended: whether this part added an error is a look at its own
    // (counting every error so far would make validation quadratic in the number of parts).
    let mark = s.out.len();
    if !valid_id(&p.id) {
        s.error(
            Code::InvalidId,
            format!("{place}.id"),
            format!(
                "part id {:?} is not lowercase kebab-case (a-z, 0-9, '-', '.')",
                p.id
            ),
        );
    }
    let unit = prices::check_price(s, place, &p.price);
    let breaks = prices::check_breaks(s, place, &p.price, unit);
    let sp = format!("{place}.spec");
    let kind = match &p.spec {
        PartSpec::Drive(d) => drive(s, &sp, d),
        PartSpec::Backplane(b) => backplane(s, &sp, b),
        PartSpec::HostCard(c) => host_card(s, &sp, c),
        PartSpec::NicCard(n) => nic_card(s, &sp, n),
        PartSpec::Motherboard(m) => motherboard(s, &sp, m),
        PartSpec::Cpu(c) => cpu(s, &sp, c),
        PartSpec::Memory(m) => memory(s, &sp, m),
        PartSpec::Psu(ps) => psu(s, &sp, ps),
        PartSpec::Chassis(c) => chassis(s, &sp, c),
        PartSpec::Fan(x) => fan(s, &sp, x),
        PartSpec::Other(o) => other(s, &sp, o),
    };
    if s.out[mark..].iter().any(Diagnostic::is_error) {
        return None;
    }
    Some(Part {
        id: p.id.clone(),
        name: p.name.clone(),
        part_number: p.part_number.clone(),
        supplier: p.supplier.clone(),
        price: Price {
            unit: unit?,
            currency: p.price.currency.clone(),
            date: p.price.date.clone(),
            source: p.price.source.clone(),
            breaks: breaks?,
        },
        kind: kind?,
        facts: p
            .facts
            .iter()
            .map(|f| (f.field.clone(), f.source.clone()))
            .collect(),
        defined_in: s.file.to_string(),
    })
}

/// A drive: capacity, zone rates (outer not below inner), power, AFR and URE rate in range.
fn drive(s: &mut Sink, sp: &str, d: &spec::DriveSpec) -> Option<Kind> {
    let f = |field: &str| format!("{sp}.{field}");
    let cap = capacity(s, &f("capacity"), &d.capacity, MAX_DRIVE_BYTES);
    check_num(
        s,
        &f("outer_mb_s"),
        d.outer_mb_s,
        0.001,
        100_000.0,
        "outer_mb_s",
    );
    check_num(
        s,
        &f("inner_mb_s"),
        d.inner_mb_s,
        0.001,
        100_000.0,
        "inner_mb_s",
    );
    if d.inner_mb_s > d.outer_mb_s && d.outer_mb_s.is_finite() {
        s.error(
            Code::InvalidValue,
            f("inner_mb_s"),
            format!(
                "inner_mb_s {} exceeds outer_mb_s {}: zoned recording is fastest at the outer edge",
                fmt_bounded(d.inner_mb_s),
                fmt_bounded(d.outer_mb_s)
            ),
        );
    }
    check_count(s, &f("rpm"), d.rpm, 0, 30_000, "rpm");
    check_num(s, &f("idle_w"), d.idle_w, 0.0, 100.0, "idle_w");
    check_num(s, &f("active_w"), d.active_w, 0.0, 100.0, "active_w");
    check_num(
        s,
        &f("spinup_12v_a"),
        d.spinup_12v_a,
        0.0,
        10.0,
        "spinup_12v_a",
    );
    check_num(s, &f("run_5v_a"), d.run_5v_a, 0.0, 10.0, "run_5v_a");
    check_num(s, &f("afr_pct"), d.afr_pct, 0.0, 100.0, "afr_pct");
    check_num(s, &f("ure_bits"), d.ure_bits, 1e10, 1e20, "ure_bits");
    check_link(s, &f("interface"), d.interface);
    if d.dual_port && (d.interface == LinkGen::Pata || d.interface.is_nvme()) {
        s.error(
            Code::InvalidValue,
            f("dual_port"),
            "dual_port is for SAS drives (or SATA drives behind an interposer); a PATA or NVMe drive here has one port",
        );
    }
    cap.map(|capacity| {
        Kind::Drive(Drive {
            capacity,
            interface: d.interface,
            rpm: d.rpm,
            outer: MBps(d.outer_mb_s),
            inner: MBps(d.inner_mb_s),
            idle: Watts(d.idle_w),
            active: Watts(d.active_w),
            spinup_12v: Amps(d.spinup_12v_a),
            run_5v: Amps(d.run_5v_a),
            afr_pct: d.afr_pct,
            ure_bits: d.ure_bits,
            dual_port: d.dual_port,
        })
    })
}

/// A backplane: ports and uplink lanes consistent with its kind.
fn backplane(s: &mut Sink, sp: &str, b: &spec::BackplaneSpec) -> Option<Kind> {
    let f = |field: &str| format!("{sp}.{field}");
    check_count(s, &f("drive_ports"), b.drive_ports, 1, 1_000, "drive_ports");
    check_count(
        s,
        &f("uplink_lanes"),
        b.uplink_lanes,
        1,
        1_000,
        "uplink_lanes",
    );
    check_num(s, &f("watts"), b.watts, 0.0, 1_000.0, "watts");
    dc_dc(s, &f("dc_dc_5v"), b.dc_dc_5v);
    if b.uplink == LinkGen::Pata {
        s.error(
            Code::InvalidValue,
            f("uplink"),
            "a backplane uplink cannot be PATA",
        );
    }
    check_link(s, &f("uplink"), b.uplink);
    if b.uplink.is_nvme() && b.kind != BackplaneKind::Passive {
        s.error(
            Code::InvalidValue,
            f("uplink"),
            "an NVMe backplane is passive (each bay its own PCIe lanes); a port multiplier or SAS expander speaks SATA/SAS",
        );
    }
    uplink_groups(s, sp, b);
    match b.kind {
            BackplaneKind::Passive if b.uplinks == 1 && b.uplink_lanes != b.drive_ports => s.error(
                Code::InvalidValue,
                f("uplink_lanes"),
                format!("a passive backplane has one host port per bay: uplink_lanes must equal drive_ports ({})", b.drive_ports),
            ),
            BackplaneKind::PortMultiplier(PmSupport::None) => s.error(
                Code::InvalidValue,
                f("kind"),
                "a port multiplier switches by Command or Fis, not None",
            ),
            BackplaneKind::PortMultiplier(_) if b.uplink_lanes != 1 => s.error(
                Code::InvalidValue,
                f("uplink_lanes"),
                "a SATA port multiplier has exactly one uplink lane",
            ),
            _ => {}
        }
    Some(Kind::Backplane(b.clone()))
}

/// How a backplane's uplink lanes group into connectors (`uplinks`) and how many host paths it
/// offers (`paths`): connectors of equal width; a passive backplane's bays each on a lane; a
/// port multiplier with one connector and one path.
fn uplink_groups(s: &mut Sink, sp: &str, b: &spec::BackplaneSpec) {
    let f = |field: &str| format!("{sp}.{field}");
    if b.uplinks == 0 || b.uplinks > 1_000 {
        s.error(
            Code::InvalidValue,
            f("uplinks"),
            format!("uplinks {} must be 1 to 1000 connectors", b.uplinks),
        );
    } else if b.uplink_lanes >= 1 && !b.uplink_lanes.is_multiple_of(b.uplinks) {
        s.error(
            Code::InvalidValue,
            f("uplinks"),
            format!(
                "{} uplink lanes do not split evenly into {} connectors",
                b.uplink_lanes, b.uplinks
            ),
        );
    } else if b.uplinks > 1 && b.kind == BackplaneKind::Passive && b.drive_ports > b.uplink_lanes {
        s.error(
            Code::InvalidValue,
            f("drive_ports"),
            format!(
                "a passive backplane has one host lane per bay: {} drive ports need at least as many uplink lanes, not {}",
                b.drive_ports, b.uplink_lanes
            ),
        );
    }
    if b.paths == 0 || b.paths > 4 {
        s.error(
            Code::InvalidValue,
            f("paths"),
            format!(
                "paths {} must be 1 (one host path) to 4; a dual-path backplane has 2",
                b.paths
            ),
        );
    }
    if let BackplaneKind::PortMultiplier(_) = b.kind
        && (b.uplinks > 1 || b.paths > 1)
    {
        s.error(
            Code::InvalidValue,
            f(if b.uplinks > 1 { "uplinks" } else { "paths" }),
            "a SATA port multiplier has one uplink connector and one host path",
        );
    }
}

/// A link generation's own range: NVMe on PCIe 3.0 to 5.0, x1, x2 or x4.
pub(super) fn check_link(s: &mut Sink, place: &str, link: LinkGen) {
    if let LinkGen::Nvme { generation, lanes } = link
        && (!(3..=5).contains(&generation) || ![1, 2, 4].contains(&lanes))
    {
        s.error(
            Code::InvalidValue,
            place,
            format!(
                "Nvme(gen: {generation}, lanes: {lanes}): NVMe drives use PCIe generation 3 to 5 and 1, 2 or 4 lanes"
            ),
        );
    }
}

/// A host card: ports, bus and power in range, SATA or SAS ports.
fn host_card(s: &mut Sink, sp: &str, c: &spec::HostCardSpec) -> Option<Kind> {
    let f = |field: &str| format!("{sp}.{field}");
    check_count(s, &f("ports"), c.ports, 1, 1_024, "ports");
    check_bus(s, &f("host_bus"), &c.host_bus);
    check_num(s, &f("watts"), c.watts, 0.0, 1_000.0, "watts");
    if c.link == LinkGen::Pata {
        s.error(
            Code::InvalidValue,
            f("link"),
            "a host card modelled here has SATA or SAS ports, not PATA",
        );
    }
    check_link(s, &f("link"), c.link);
    if c.link.is_nvme() && c.pm_support != PmSupport::None {
        s.error(
            Code::InvalidValue,
            f("pm_support"),
            "an NVMe card's ports take no port multiplier: pm_support is None",
        );
    }
    Some(Kind::HostCard(c.clone()))
}

/// A network card: ports, speed, bus and power in range.
fn nic_card(s: &mut Sink, sp: &str, n: &spec::NicCardSpec) -> Option<Kind> {
    let f = |field: &str| format!("{sp}.{field}");
    check_count(s, &f("ports"), n.ports, 1, 64, "ports");
    check_num(s, &f("gbit_s"), n.gbit_s, 0.001, 10_000.0, "gbit_s");
    check_bus(s, &f("host_bus"), &n.host_bus);
    check_num(s, &f("watts"), n.watts, 0.0, 1_000.0, "watts");
    Some(Kind::NicCard(n.clone()))
}

/// A motherboard: distinct slot ids on real buses, onboard SATA, PATA, NICs, memory slots.
/// A part's own 12 V → 5 V converter: its efficiency from 0.5 to 1 (model §10.2).
fn dc_dc(s: &mut Sink, place: &str, efficiency: Option<f64>) {
    if let Some(e) = efficiency {
        check_num(s, place, e, 0.5, 1.0, "dc_dc_5v (efficiency)");
    }
}

fn motherboard(s: &mut Sink, sp: &str, m: &spec::MotherboardSpec) -> Option<Kind> {
    let f = |field: &str| format!("{sp}.{field}");
    dc_dc(s, &f("dc_dc_5v"), m.dc_dc_5v);
    check_count(s, &f("sockets"), m.sockets, 1, 8, "sockets");
    let mut ids = BTreeSet::new();
    for (i, slot) in m.slots.iter().enumerate() {
        let sp = f(&format!("slots[{i}]"));
        if !ids.insert(slot.id.as_str()) {
            s.error(
                Code::DuplicateId,
                format!("{sp}.id"),
                format!("slot id {:?} appears twice", slot.id),
            );
        }
        check_bus(s, &format!("{sp}.bus"), &slot.bus);
    }
    if let Some(o) = &m.onboard_sata {
        check_count(
            s,
            &f("onboard_sata.ports"),
            o.ports,
            1,
            64,
            "onboard SATA ports",
        );
        if o.link == LinkGen::Pata {
            s.error(
                Code::InvalidValue,
                f("onboard_sata.link"),
                "onboard SATA ports cannot be PATA; use pata_devices",
            );
        }
    }
    check_count(s, &f("pata_devices"), m.pata_devices, 0, 8, "pata_devices");
    for (i, n) in m.nics.iter().enumerate() {
        check_num(
            s,
            &f(&format!("nics[{i}].gbit_s")),
            n.gbit_s,
            0.001,
            10_000.0,
            "gbit_s",
        );
    }
    check_count(s, &f("memory_slots"), m.memory_slots, 0, 64, "memory_slots");
    check_num(s, &f("watts"), m.watts, 0.0, 2_000.0, "watts");
    Some(Kind::Motherboard(m.clone()))
}

/// A CPU: cores, clock and TDP in range.
fn cpu(s: &mut Sink, sp: &str, c: &spec::CpuSpec) -> Option<Kind> {
    let f = |field: &str| format!("{sp}.{field}");
    check_count(s, &f("cores"), c.cores, 1, 1_024, "cores");
    check_num(s, &f("ghz"), c.ghz, 0.01, 20.0, "ghz");
    check_num(s, &f("tdp_w"), c.tdp_w, 0.0, 1_000.0, "tdp_w");
    Some(Kind::Cpu(c.clone()))
}

/// Memory: modules, power and a JEDEC module size.
fn memory(s: &mut Sink, sp: &str, m: &spec::MemorySpec) -> Option<Kind> {
    let f = |field: &str| format!("{sp}.{field}");
    check_count(s, &f("modules"), m.modules, 1, 64, "modules");
    check_num(
        s,
        &f("watts_per_module"),
        m.watts_per_module,
        0.0,
        100.0,
        "watts_per_module",
    );
    capacity(s, &f("module_size"), &jedec_binary(&m.module_size), 16 * TB).map(|module_size| {
        Kind::Memory(Memory {
            modules: m.modules,
            module_size,
            kind: m.kind.clone(),
            watts_per_module: Watts(m.watts_per_module),
        })
    })
}

/// A PSU: rating and rails in range.
fn psu(s: &mut Sink, sp: &str, ps: &spec::PsuSpec) -> Option<Kind> {
    let f = |field: &str| format!("{sp}.{field}");
    check_num(s, &f("watts"), ps.watts, 1.0, 100_000.0, "watts");
    check_num(
        s,
        &f("rail_12v_a"),
        ps.rail_12v_a,
        0.0,
        10_000.0,
        "rail_12v_a",
    );
    if let Some(a) = ps.rail_5v_a {
        check_num(s, &f("rail_5v_a"), a, 0.0, 10_000.0, "rail_5v_a");
    }
    Some(Kind::Psu(ps.clone()))
}

/// A chassis: bays, rack units and depth in range.
fn chassis(s: &mut Sink, sp: &str, c: &spec::ChassisSpec) -> Option<Kind> {
    let f = |field: &str| format!("{sp}.{field}");
    check_count(s, &f("bays"), c.bays, 1, MAX_BAYS, "bays");
    check_count(s, &f("rack_units"), c.rack_units, 1, 60, "rack_units");
    check_num(s, &f("depth_in"), c.depth_in, 1.0, 120.0, "depth_in");
    Some(Kind::Chassis(c.clone()))
}

/// A fan: power in range.
fn fan(s: &mut Sink, sp: &str, fan: &spec::FanSpec) -> Option<Kind> {
    let f = |field: &str| format!("{sp}.{field}");
    check_num(s, &f("watts"), fan.watts, 0.0, 500.0, "watts");
    Some(Kind::Fan(fan.clone()))
}

/// Any other part: power in range.
fn other(s: &mut Sink, sp: &str, o: &spec::OtherSpec) -> Option<Kind> {
    let f = |field: &str| format!("{sp}.{field}");
    check_num(s, &f("watts"), o.watts, 0.0, 10_000.0, "watts");
    Some(Kind::Other(o.clone()))
}

/// The parts every later step resolves ids against, and what step 1 learned about prices.
pub(super) struct Collected {
    /// Valid parts by id.
    pub(super) parts: BTreeMap<String, PartRef>,
    /// Ids of parts defined with an error (already reported): a reference to one is a consequence.
    pub(super) bad_parts: BTreeSet<String>,
    /// (file, place, currency) of every part, in definition order.
    pub(super) currencies: Vec<(String, String, String)>,
}

/// Step 1: parts from every catalog, then the design's own; a part id defined twice is an
/// error at its second definition.
pub(super) fn collect(loaded: &Loaded, out: &mut Vec<Diagnostic>) -> Collected {
    let d = &loaded.design;
    let mut parts: BTreeMap<String, PartRef> = BTreeMap::new();
    let mut bad_parts = BTreeSet::new();
    let mut defined: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut currencies: Vec<(String, String, String)> = Vec::new();
    let sources = loaded
        .catalogs
        .iter()
        .map(|(p, c)| (p.as_str(), &c.parts))
        .chain(std::iter::once((loaded.path.as_str(), &d.parts)));
    for (file, list) in sources {
        let mut s = Sink {
            file,
            out: &mut *out,
        };
        for (i, p) in list.iter().enumerate() {
            let place = format!("parts[{i}]");
            if let Some((ff, fp)) = defined.get(&p.id) {
                s.error(
                    Code::DuplicatePartId,
                    format!("{place}.id"),
                    format!("part id {:?} is already defined in {ff} at {fp}", p.id),
                );
                continue;
            }
            defined.insert(p.id.clone(), (file.to_string(), place.clone()));
            currencies.push((file.to_string(), place.clone(), p.price.currency.clone()));
            match check_part(&mut s, &place, p) {
                Some(part) => {
                    parts.insert(p.id.clone(), Arc::new(part));
                }
                None => {
                    bad_parts.insert(p.id.clone());
                }
            }
        }
    }
    Collected {
        parts,
        bad_parts,
        currencies,
    }
}
