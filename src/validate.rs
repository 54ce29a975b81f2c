//! Validation: `spec` → `model`, collecting every problem at once.
//!
//! This module owns the rules a design must satisfy before any engine runs: part references
//! resolve to parts of the right role, values are in physical range, the tree is wired
//! consistently (ports, slots, bays), PSU feeds resolve and the RAID policy fits the drives.
//! Each rule reports a stable `Code` and the place in the design file. It never stops at the
//! first problem, never panics, and builds a `Pod` only when no error was found.

use crate::diag::{Code, Diagnostic};
use crate::load::Loaded;
use crate::model::{
    Attached, Attachment, Backplane, BayDrive, BootDrive, BootPort, Controller, ControllerKind,
    Drive, FanGroup, Figure, Kind, Load, Memory, NicCardUse, Part, PartRef, Pod, Price, Psu,
    Published, RaidPolicy,
};
use crate::spec::{self, BackplaneKind, Bus, Feeds, Level, LinkGen, PartSpec, PmSupport, PortUse};
use crate::units::{
    Amps, Bytes, MBps, QuantityError, TB, Watts, fmt_bounded, parse_bytes, parse_cents,
};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Largest drive capacity accepted: 1 PB. Anything larger is a typo, not a drive.
pub const MAX_DRIVE_BYTES: u64 = 1_000 * TB;
/// Largest quantity of one part on one BOM line.
pub const MAX_QTY: u32 = 10_000;
/// Most pods one vault code may span (Backblaze's is 20).
pub const MAX_VAULT_PODS: u32 = 1_000;
/// Largest bay number accepted anywhere (a chassis with more bays is not a pod).
pub const MAX_BAYS: u32 = 10_000;

/// Longest id, part reference, code, date, amount or quantity text, in characters.
pub const MAX_SHORT_TEXT: usize = 100;
/// Longest name, part number, supplier, chip or similar label, in characters.
pub const MAX_NAME_TEXT: usize = 200;
/// Longest description, note or source (URL or reasoning), in characters. The longest in the
/// shipped designs is about 520.
pub const MAX_LONG_TEXT: usize = 2_000;
/// Longest bay list or catalog path, in characters ("1,2,…,10000" is about 49,000).
pub const MAX_LIST_TEXT: usize = 100_000;

/// The length limit of a string field, by the name of the field it is in.
fn text_limit(field: &str) -> usize {
    match field {
        "description" | "notes" | "note" | "source" => MAX_LONG_TEXT,
        "bays" | "groups" | "feeds" | "catalogs" => MAX_LIST_TEXT,
        "id" | "part" | "chassis" | "cpu" | "slot" | "currency" | "date" | "amount"
        | "capacity" | "module_size" | "value" | "field" | "pata" | "onboard" | "ports" => {
            MAX_SHORT_TEXT
        }
        _ => MAX_NAME_TEXT,
    }
}

/// Reports every string in `value` longer than its field's limit, without echoing it.
/// Enum variant names (`Drive`, `Backplane`, `Published`) are not part of the place.
fn check_texts(s: &mut Sink, place: &str, field: &str, value: &serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(t) => {
            let limit = text_limit(field);
            // Bytes bound characters from above: count characters only when it can matter.
            if t.len() > limit {
                let n = t.chars().count();
                if n > limit {
                    s.error(
                        Code::TextTooLong,
                        place,
                        format!("{field} is {n} characters long; the limit is {limit}"),
                    );
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                check_texts(s, &format!("{place}[{i}]"), field, v);
            }
        }
        Value::Object(map) => {
            let variant = map.len() == 1
                && map
                    .keys()
                    .next()
                    .is_some_and(|k| k.starts_with(|c: char| c.is_ascii_uppercase()));
            for (k, v) in map {
                if variant {
                    check_texts(s, place, field, v);
                } else {
                    let p = if place.is_empty() {
                        k.clone()
                    } else {
                        format!("{place}.{k}")
                    };
                    check_texts(s, &p, k, v);
                }
            }
        }
        _ => {}
    }
}

/// Checks the length of every text in a file; true when all are within their limits.
fn texts_fit<T: serde::Serialize>(out: &mut Vec<Diagnostic>, file: &str, value: &T) -> bool {
    let Ok(v) = serde_json::to_value(value) else {
        return true;
    };
    let mark = out.len();
    let mut s = Sink { file, out };
    check_texts(&mut s, "", "", &v);
    out.len() == mark
}

/// The result of validating one design.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The model, present only when there were no errors.
    pub pod: Option<Pod>,
    /// Every error and warning found.
    pub diagnostics: Vec<Diagnostic>,
}

/// Collects diagnostics for one file.
struct Sink<'a> {
    file: &'a str,
    out: &'a mut Vec<Diagnostic>,
}

impl Sink<'_> {
    fn error(&mut self, code: Code, place: impl Into<String>, msg: impl Into<String>) {
        self.out
            .push(Diagnostic::error(code, self.file, place, msg));
    }
    fn warning(&mut self, code: Code, place: impl Into<String>, msg: impl Into<String>) {
        self.out
            .push(Diagnostic::warning(code, self.file, place, msg));
    }
}

/// Checks that a part id is lowercase kebab-case (`a-z`, `0-9`, `-`, `.`).
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && id.starts_with(|c: char| c.is_ascii_alphanumeric())
        && !id.ends_with('-')
}

fn valid_date(d: &str) -> bool {
    let parts: Vec<&str> = d.split('-').collect();
    let num = |s: &str, len: usize| s.len() == len && s.chars().all(|c| c.is_ascii_digit());
    match parts.as_slice() {
        [y] => num(y, 4),
        [y, m] => num(y, 4) && num(m, 2) && (1..=12).contains(&m.parse::<u32>().unwrap_or(0)),
        [y, m, day] => {
            num(y, 4)
                && num(m, 2)
                && num(day, 2)
                && (1..=12).contains(&m.parse::<u32>().unwrap_or(0))
                && (1..=31).contains(&day.parse::<u32>().unwrap_or(0))
        }
        _ => false,
    }
}

/// Checks a float is finite and within `[min, max]`.
fn check_num(s: &mut Sink, place: &str, value: f64, min: f64, max: f64, what: &str) -> bool {
    if value.is_finite() && value >= min && value <= max {
        true
    } else {
        s.error(
            Code::InvalidValue,
            place,
            format!(
                "{what} is {}; expected a number from {} to {}",
                fmt_bounded(value),
                fmt_bounded(min),
                fmt_bounded(max)
            ),
        );
        false
    }
}

fn check_count(s: &mut Sink, place: &str, value: u32, min: u32, max: u32, what: &str) -> bool {
    if (min..=max).contains(&value) {
        true
    } else {
        s.error(
            Code::InvalidValue,
            place,
            format!("{what} is {value}; expected {min} to {max}"),
        );
        false
    }
}

fn check_qty(s: &mut Sink, place: &str, qty: u32) -> bool {
    if qty == 0 {
        s.error(
            Code::ZeroQuantity,
            place,
            "quantity is 0; remove the line or give a count",
        );
        false
    } else if qty > MAX_QTY {
        s.error(
            Code::AbsurdQuantity,
            place,
            format!("quantity {qty} is more than {MAX_QTY} of one part in one pod"),
        );
        false
    } else {
        true
    }
}

fn check_bus(s: &mut Sink, place: &str, bus: &Bus) -> bool {
    match *bus {
        Bus::Pci { width_bits, mhz } => {
            let ok = matches!(width_bits, 32 | 64) && matches!(mhz, 33 | 66);
            if !ok {
                s.error(
                    Code::InvalidValue,
                    place,
                    format!("PCI bus {width_bits}-bit/{mhz} MHz does not exist (32 or 64 bit, 33 or 66 MHz)"),
                );
            }
            ok
        }
        Bus::PciX { mhz } => {
            let ok = matches!(mhz, 66 | 100 | 133 | 266 | 533);
            if !ok {
                s.error(
                    Code::InvalidValue,
                    place,
                    format!("PCI-X at {mhz} MHz does not exist (66, 100, 133, 266, 533)"),
                );
            }
            ok
        }
        Bus::Pcie { generation, lanes } => {
            let ok = (1..=5).contains(&generation) && matches!(lanes, 1 | 2 | 4 | 8 | 16);
            if !ok {
                s.error(
                    Code::InvalidValue,
                    place,
                    format!("PCIe gen {generation} x{lanes} does not exist (gen 1-5; x1, x2, x4, x8, x16)"),
                );
            }
            ok
        }
    }
}

fn capacity(s: &mut Sink, place: &str, text: &str, max: u64) -> Option<Bytes> {
    match parse_bytes(text) {
        Ok(Bytes(0)) => {
            s.error(
                Code::ZeroCapacity,
                place,
                format!("capacity {text:?} is zero"),
            );
            None
        }
        Ok(b) if b.0 > max => {
            s.error(
                Code::AbsurdCapacity,
                place,
                format!(
                    "capacity {text:?} is {:.3e} bytes, beyond any real device (limit {})",
                    b.0 as f64,
                    Bytes(max)
                ),
            );
            None
        }
        Ok(b) => Some(b),
        Err(QuantityError::Overflow(_)) => {
            s.error(
                Code::AbsurdCapacity,
                place,
                format!(
                    "capacity {text:?} is beyond any real device (and too large to count in bytes; limit {})",
                    Bytes(max)
                ),
            );
            None
        }
        Err(e) => {
            s.error(Code::InvalidCapacity, place, e.to_string());
            None
        }
    }
}

/// Memory is sold in JEDEC units, where "GB" means 2^30 bytes: rewrite decimal unit names to
/// their binary equivalents so a "2 GB" module is 2 GiB.
fn jedec_binary(text: &str) -> String {
    let t = text.trim();
    for (dec, bin) in [("MB", "MiB"), ("GB", "GiB"), ("TB", "TiB")] {
        if let Some(num) = t.strip_suffix(dec) {
            return format!("{}{bin}", num);
        }
    }
    t.to_string()
}

/// Converts one spec part to a model part, reporting every problem.
fn check_part(s: &mut Sink, place: &str, p: &spec::Part) -> Option<Part> {
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
    let pp = format!("{place}.price");
    let unit = match parse_cents(&p.price.amount) {
        Ok(c) if c.0 < 0 => {
            s.error(
                Code::NegativePrice,
                format!("{pp}.amount"),
                format!("price {:?} is negative", p.price.amount),
            );
            None
        }
        Ok(c) => Some(c),
        Err(e) => {
            s.error(Code::InvalidPrice, format!("{pp}.amount"), e.to_string());
            None
        }
    };
    let cur = &p.price.currency;
    if cur.len() != 3 || !cur.chars().all(|c| c.is_ascii_uppercase()) {
        s.error(
            Code::InvalidPrice,
            format!("{pp}.currency"),
            format!("currency {cur:?} is not an ISO 4217 code like \"USD\""),
        );
    }
    if !valid_date(&p.price.date) {
        s.error(
            Code::InvalidDate,
            format!("{pp}.date"),
            format!(
                "price date {:?} is not YYYY, YYYY-MM or YYYY-MM-DD",
                p.price.date
            ),
        );
    }
    let sp = format!("{place}.spec");
    let f = |field: &str| format!("{sp}.{field}");
    let kind = match &p.spec {
        PartSpec::Drive(d) => {
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
                })
            })
        }
        PartSpec::Backplane(b) => {
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
            if b.uplink == LinkGen::Pata {
                s.error(
                    Code::InvalidValue,
                    f("uplink"),
                    "a backplane uplink cannot be PATA",
                );
            }
            match b.kind {
                BackplaneKind::Passive if b.uplink_lanes != b.drive_ports => s.error(
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
        PartSpec::HostCard(c) => {
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
            Some(Kind::HostCard(c.clone()))
        }
        PartSpec::NicCard(n) => {
            check_count(s, &f("ports"), n.ports, 1, 64, "ports");
            check_num(s, &f("gbit_s"), n.gbit_s, 0.001, 10_000.0, "gbit_s");
            check_bus(s, &f("host_bus"), &n.host_bus);
            check_num(s, &f("watts"), n.watts, 0.0, 1_000.0, "watts");
            Some(Kind::NicCard(n.clone()))
        }
        PartSpec::Motherboard(m) => {
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
        PartSpec::Cpu(c) => {
            check_count(s, &f("cores"), c.cores, 1, 1_024, "cores");
            check_num(s, &f("ghz"), c.ghz, 0.01, 20.0, "ghz");
            check_num(s, &f("tdp_w"), c.tdp_w, 0.0, 1_000.0, "tdp_w");
            Some(Kind::Cpu(c.clone()))
        }
        PartSpec::Memory(m) => {
            check_count(s, &f("modules"), m.modules, 1, 64, "modules");
            check_num(
                s,
                &f("watts_per_module"),
                m.watts_per_module,
                0.0,
                100.0,
                "watts_per_module",
            );
            capacity(s, &f("module_size"), &jedec_binary(&m.module_size), 16 * TB).map(
                |module_size| {
                    Kind::Memory(Memory {
                        modules: m.modules,
                        module_size,
                        kind: m.kind.clone(),
                        watts_per_module: Watts(m.watts_per_module),
                    })
                },
            )
        }
        PartSpec::Psu(ps) => {
            check_num(s, &f("watts"), ps.watts, 1.0, 100_000.0, "watts");
            check_num(
                s,
                &f("rail_12v_a"),
                ps.rail_12v_a,
                0.0,
                10_000.0,
                "rail_12v_a",
            );
            check_num(s, &f("rail_5v_a"), ps.rail_5v_a, 0.0, 10_000.0, "rail_5v_a");
            Some(Kind::Psu(ps.clone()))
        }
        PartSpec::Chassis(c) => {
            check_count(s, &f("bays"), c.bays, 1, MAX_BAYS, "bays");
            check_count(s, &f("rack_units"), c.rack_units, 1, 60, "rack_units");
            check_num(s, &f("depth_in"), c.depth_in, 1.0, 120.0, "depth_in");
            Some(Kind::Chassis(c.clone()))
        }
        PartSpec::Fan(fan) => {
            check_num(s, &f("watts"), fan.watts, 0.0, 500.0, "watts");
            Some(Kind::Fan(fan.clone()))
        }
        PartSpec::Other(o) => {
            check_num(s, &f("watts"), o.watts, 0.0, 10_000.0, "watts");
            Some(Kind::Other(o.clone()))
        }
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

/// Validates a catalog file on its own: ids, prices and physical ranges of every part.
pub fn validate_catalog(path: &str, catalog: &spec::Catalog) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Over-long text is reported alone: every later message could echo it.
    if !texts_fit(&mut out, path, catalog) {
        return out;
    }
    let mut s = Sink {
        file: path,
        out: &mut out,
    };
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, p) in catalog.parts.iter().enumerate() {
        let place = format!("parts[{i}]");
        if let Some(first) = seen.insert(p.id.as_str(), i) {
            s.error(
                Code::DuplicatePartId,
                format!("{place}.id"),
                format!("part id {:?} is already defined at parts[{first}]", p.id),
            );
        }
        check_part(&mut s, &place, p);
    }
    out
}

/// Parses a bay list such as `"1-5"`, `"7"` or `"1-30,41-45"` into sorted, distinct bays.
pub fn parse_bays(text: &str) -> Result<Vec<u32>, String> {
    let mut out = BTreeSet::new();
    if text.trim().is_empty() {
        return Err("empty bay list".into());
    }
    for piece in text.split(',') {
        let piece = piece.trim();
        let num = |t: &str| -> Result<u32, String> {
            let v: u32 = t
                .trim()
                .parse()
                .map_err(|_| format!("{t:?} is not a bay number"))?;
            if v == 0 {
                return Err("bays are numbered from 1".into());
            }
            if v > MAX_BAYS {
                return Err(format!("bay {v} is beyond {MAX_BAYS}"));
            }
            Ok(v)
        };
        let (a, b) = match piece.split_once('-') {
            Some((a, b)) => (num(a)?, num(b)?),
            None => {
                let v = num(piece)?;
                (v, v)
            }
        };
        if a > b {
            return Err(format!("range {piece:?} runs backwards"));
        }
        for bay in a..=b {
            if !out.insert(bay) {
                return Err(format!("bay {bay} is listed twice"));
            }
        }
    }
    Ok(out.into_iter().collect())
}

/// `"bay 7"` or `"bays 1-5,9"`: a bay list with its noun in the right number.
fn bay_list(bays: &[u32]) -> String {
    if bays.len() == 1 {
        format!("bay {}", bays[0])
    } else {
        format!("bays {}", format_bays(bays))
    }
}

/// `one` for a single item, `many` otherwise.
fn agree<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// Formats sorted bays back into ranges: `[1,2,3,5]` → `"1-3,5"`.
pub fn format_bays(bays: &[u32]) -> String {
    let mut sorted = bays.to_vec();
    sorted.sort_unstable();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        out.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    out.join(",")
}

/// State shared while walking one design.
struct Walk<'a> {
    parts: BTreeMap<String, PartRef>,
    bad_parts: BTreeSet<String>,
    chassis_bays: u32,
    /// Bays a wiring element (port, backplane) names but that are not wired because of an
    /// error already reported: a drive there is a consequence, not a new problem.
    lost_wired: BTreeSet<u32>,
    /// A dropped wiring element's bay list could not be read, so which bays it meant is unknown.
    lost_wiring_unknown: bool,
    /// Ids of backplanes and fan groups dropped because of an error already reported.
    lost_ids: BTreeSet<String>,
    /// bay → (controller, port, backplane, place where wired)
    wired: BTreeMap<u32, (usize, u32, Option<usize>, String)>,
    ids: BTreeMap<String, String>,
    controllers: Vec<Controller>,
    backplanes: Vec<Backplane>,
    boot_drives: Vec<BootDrive>,
    design: &'a spec::Design,
}

impl Walk<'_> {
    /// Resolves a part id that must have `role`.
    fn get(&self, s: &mut Sink, place: &str, id: &str, role: &str) -> Option<PartRef> {
        match self.parts.get(id) {
            Some(p) if p.kind.role() == role => Some(p.clone()),
            Some(p) => {
                s.error(
                    Code::WrongPartRole,
                    place,
                    format!(
                        "part {id:?} is a {} but a {role} is needed here",
                        p.kind.role()
                    ),
                );
                None
            }
            None if self.bad_parts.contains(id) => None,
            None => {
                s.error(
                    Code::UnknownPart,
                    place,
                    format!("no part with id {id:?} in the design's parts or catalogs"),
                );
                None
            }
        }
    }

    /// Claims a design element's id; false (with an error) when it is reserved, empty or taken.
    fn claim_id(&mut self, s: &mut Sink, place: &str, id: &str) -> bool {
        if id == "board" || id.starts_with("bays:") {
            s.error(
                Code::DuplicateId,
                place,
                format!("id {id:?} is reserved for PSU feeds"),
            );
            false
        } else if id.is_empty() {
            s.error(Code::InvalidId, place, "empty id");
            false
        } else if let Some(first) = self.ids.get(id) {
            s.error(
                Code::DuplicateId,
                place,
                format!("id {id:?} is already used at {first}"),
            );
            false
        } else {
            self.ids.insert(id.to_string(), place.to_string());
            true
        }
    }

    /// Records the bays of a wiring element dropped because of an error already reported.
    fn lose_wiring(&mut self, text: &str) {
        match parse_bays(text) {
            Ok(v) => self.lost_wired.extend(v),
            Err(_) => self.lost_wiring_unknown = true,
        }
    }

    /// Records everything on the ports of a controller that was dropped (unknown card part,
    /// unknown slot, board without onboard SATA): its backplanes and bays are consequences.
    fn lose_ports(&mut self, uses: &[PortUse]) {
        for u in uses {
            match u {
                PortUse::Direct { bays } => self.lose_wiring(bays),
                PortUse::Backplane { id, bays, .. } => {
                    self.lost_ids.insert(id.clone());
                    self.lose_wiring(bays);
                }
                PortUse::Empty | PortUse::Boot(_) => {}
            }
        }
    }

    fn bays(&self, s: &mut Sink, place: &str, text: &str) -> Option<Vec<u32>> {
        match parse_bays(text) {
            Err(m) => {
                s.error(Code::InvalidBays, place, format!("bays {text:?}: {m}"));
                None
            }
            Ok(v) => {
                let out: Vec<u32> = v
                    .iter()
                    .copied()
                    .filter(|b| *b > self.chassis_bays)
                    .collect();
                if !out.is_empty() && self.chassis_bays > 0 {
                    s.error(
                        Code::BayOutOfRange,
                        place,
                        format!(
                            "{} {} beyond the chassis, which has {} bays",
                            bay_list(&out),
                            agree(out.len(), "is", "are"),
                            self.chassis_bays
                        ),
                    );
                    return None;
                }
                Some(v)
            }
        }
    }

    fn wire(
        &mut self,
        s: &mut Sink,
        place: &str,
        bays: &[u32],
        controller: usize,
        port: Option<u32>,
        backplane: Option<usize>,
    ) {
        // Bays already wired elsewhere, grouped by where: one error per earlier place.
        let mut conflicts: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for (i, bay) in bays.iter().enumerate() {
            let p =
                port.unwrap_or(0)
                    .saturating_add(if backplane.is_some() { 0 } else { i as u32 });
            if let Some(first) = self.wired.get(bay) {
                conflicts.entry(first.3.clone()).or_default().push(*bay);
            } else {
                self.wired
                    .insert(*bay, (controller, p, backplane, place.to_string()));
            }
        }
        for (first, list) in conflicts {
            s.error(
                Code::BayConflict,
                place,
                format!(
                    "{} {} already wired at {first}",
                    bay_list(&list),
                    agree(list.len(), "is", "are")
                ),
            );
        }
    }

    /// Walks the attachments of one controller's ports.
    fn ports(
        &mut self,
        s: &mut Sink,
        place: &str,
        uses: &[PortUse],
        controller: usize,
    ) -> Vec<Attachment> {
        let (nports, pm) = (
            self.controllers[controller].ports,
            self.controllers[controller].pm_support,
        );
        let mut used: u32 = 0;
        let mut out = Vec::new();
        for (j, u) in uses.iter().enumerate() {
            let pl = format!("{place}[{j}]");
            let (lanes, what) = match u {
                PortUse::Empty => (1, Some(Attached::Empty)),
                PortUse::Boot(id) => {
                    let part = self.get(s, &pl, id, "Drive");
                    if let Some(Kind::Drive(d)) = part.as_ref().map(|p| &p.kind)
                        && d.interface == LinkGen::Pata
                    {
                        s.error(
                            Code::InterfaceMismatch,
                            &pl,
                            format!("boot drive {id:?} is PATA; list it in board.pata"),
                        );
                    }
                    let what = part.map(|p| {
                        self.boot_drives.push(BootDrive {
                            part: p,
                            port: BootPort::Sata(controller, used),
                        });
                        Attached::Boot(self.boot_drives.len() - 1)
                    });
                    (1, what)
                }
                PortUse::Direct { bays } => {
                    let bays_v = self.bays(s, &format!("{pl}.bays"), bays);
                    let n = bays_v
                        .as_ref()
                        .map_or(1, |v| u32::try_from(v.len()).unwrap_or(u32::MAX));
                    match &bays_v {
                        Some(v) if used.saturating_add(n) <= nports => {
                            self.wire(s, &pl, v, controller, Some(used), None);
                        }
                        // Port overflow, reported below.
                        Some(v) => self.lost_wired.extend(v.iter().copied()),
                        None => self.lose_wiring(bays),
                    }
                    (n, bays_v.map(Attached::Direct))
                }
                PortUse::Backplane { id, part, bays } => {
                    // A second element with a taken id is most often the same backplane
                    // listed twice: the duplicate-id error says so, and its bays are not
                    // wired a second time (which would repeat the mistake once per bay).
                    let fresh = self.claim_id(s, &format!("{pl}.id"), id);
                    let bp = self.get(s, &format!("{pl}.part"), part, "Backplane");
                    let spec = match bp.as_ref().map(|p| &p.kind) {
                        Some(Kind::Backplane(b)) => Some(b.clone()),
                        _ => None,
                    };
                    let lanes = spec.as_ref().map_or(1, |b| b.uplink_lanes);
                    if let Some(b) = &spec
                        && let BackplaneKind::PortMultiplier(_) = b.kind
                        && pm == PmSupport::None
                    {
                        s.error(
                            Code::PmUnsupported,
                            &pl,
                            format!(
                                "{} is a port-multiplier backplane but {} has no port-multiplier support on its ports",
                                part,
                                self.controllers[controller].place
                            ),
                        );
                    }
                    let bays_v = self.bays(s, &format!("{pl}.bays"), bays);
                    if let (Some(v), Some(b)) = (&bays_v, &spec)
                        && v.len() as u32 > b.drive_ports
                    {
                        s.error(
                            Code::BackplaneBays,
                            format!("{pl}.bays"),
                            format!(
                                "{} bays listed but backplane {part:?} has {} drive ports",
                                v.len(),
                                b.drive_ports
                            ),
                        );
                    } else if let (Some(v), Some(b)) = (&bays_v, &spec)
                        && (v.len() as u32) < b.drive_ports
                    {
                        s.warning(
                            Code::BackplaneBays,
                            format!("{pl}.bays"),
                            format!(
                                "backplane {part:?} has {} drive ports but only {} bays are listed; {} ports face no bay",
                                b.drive_ports,
                                v.len(),
                                b.drive_ports - v.len() as u32
                            ),
                        );
                    }
                    let what = match (bp, bays_v) {
                        (Some(p), Some(v)) if fresh => {
                            let idx = self.backplanes.len();
                            if used.saturating_add(lanes) <= nports {
                                self.wire(s, &pl, &v, controller, Some(used), Some(idx));
                            } else {
                                // Port overflow, reported below.
                                self.lost_wired.extend(v.iter().copied());
                            }
                            self.backplanes.push(Backplane {
                                id: id.clone(),
                                part: p,
                                bays: v,
                                controller,
                                first_port: used,
                            });
                            Some(Attached::Backplane(idx))
                        }
                        (_, bays_v) => {
                            if fresh {
                                self.lost_ids.insert(id.clone());
                            }
                            match bays_v {
                                Some(v) => self.lost_wired.extend(v),
                                None => self.lose_wiring(bays),
                            }
                            None
                        }
                    };
                    (lanes, what)
                }
            };
            if used.saturating_add(lanes) > nports {
                s.error(
                    Code::PortOverflow,
                    &pl,
                    format!(
                        "needs port{} {}{} but {} has only {nports} port{}",
                        if lanes > 1 { "s" } else { "" },
                        used,
                        if lanes > 1 {
                            format!("-{}", used.saturating_add(lanes) - 1)
                        } else {
                            String::new()
                        },
                        self.controllers[controller].place,
                        if nports == 1 { "" } else { "s" }
                    ),
                );
            } else if let Some(what) = what {
                out.push(Attachment {
                    first_port: used,
                    ports: lanes,
                    what,
                });
            }
            used = used.saturating_add(lanes);
        }
        out
    }
}

/// Effective bus of a card in a slot, or the rule it breaks.
fn fit_bus(card: Bus, slot: Bus) -> Result<Bus, (Code, String)> {
    match (card, slot) {
        (
            Bus::Pcie {
                generation: cg,
                lanes: cl,
            },
            Bus::Pcie {
                generation: sg,
                lanes: sl,
            },
        ) => {
            if cl > sl {
                Err((
                    Code::SlotTooFewLanes,
                    format!("the card needs x{cl} but the slot has x{sl} electrical lanes"),
                ))
            } else {
                Ok(Bus::Pcie {
                    generation: cg.min(sg),
                    lanes: cl,
                })
            }
        }
        (
            Bus::Pci {
                width_bits: cw,
                mhz: cm,
            },
            Bus::Pci {
                width_bits: sw,
                mhz: sm,
            },
        ) => Ok(Bus::Pci {
            width_bits: cw.min(sw),
            mhz: cm.min(sm),
        }),
        (Bus::Pci { width_bits, mhz }, Bus::PciX { .. }) => Ok(Bus::Pci { width_bits, mhz }),
        (Bus::PciX { .. }, Bus::Pci { width_bits, mhz }) => Ok(Bus::Pci { width_bits, mhz }),
        (Bus::PciX { mhz: cm }, Bus::PciX { mhz: sm }) => Ok(Bus::PciX { mhz: cm.min(sm) }),
        (c, sl) => Err((
            Code::SlotBusMismatch,
            format!("a {} card does not fit a {} slot", c.family(), sl.family()),
        )),
    }
}

fn figure_bytes_tb(s: &mut Sink, place: &str, c: &spec::Cited) -> Option<Figure<Bytes>> {
    match parse_bytes(&format!("{} TB", c.value.trim())) {
        Ok(b) => Some(Figure {
            value: b,
            text: c.value.clone(),
            source: c.source.clone(),
            note: c.note.clone(),
        }),
        Err(e) => {
            s.error(
                Code::InvalidPublished,
                place,
                format!("published TB {:?}: {e}", c.value),
            );
            None
        }
    }
}

/// Validates a loaded design and builds the pod model.
pub fn validate(loaded: &Loaded) -> Outcome {
    let mut out = Vec::new();
    let d = &loaded.design;
    // Over-long text is reported alone: every later message could echo it.
    let mut fit = texts_fit(&mut out, &loaded.path, d);
    for (path, c) in &loaded.catalogs {
        fit &= texts_fit(&mut out, path, c);
    }
    if !fit {
        return Outcome {
            pod: None,
            diagnostics: out,
        };
    }
    // 1. Parts from every catalog, then the design's own.
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
            out: &mut out,
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
    let file = loaded.path.as_str();
    let mut s = Sink {
        file,
        out: &mut out,
    };
    // Currency: one per design. The most common currency (first seen on a tie) is the
    // design's; every part priced otherwise is reported where it is defined.
    // (count, first seen) per currency, looked up by name so many parts stay linear.
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut tally: Vec<(String, usize)> = Vec::new();
    for (_, _, cur) in &currencies {
        match seen.get(cur.as_str()) {
            Some(&k) => tally[k].1 += 1,
            None => {
                seen.insert(cur.as_str(), tally.len());
                tally.push((cur.clone(), 1));
            }
        }
    }
    if let Some(main) = tally
        .iter()
        .rev()
        .max_by_key(|(_, n)| *n)
        .map(|(c, _)| c.clone())
    {
        for (pfile, place, cur) in currencies.iter().filter(|(_, _, c)| *c != main) {
            s.out.push(Diagnostic::error(
                Code::MixedCurrency,
                pfile,
                format!("{place}.price.currency"),
                format!("priced in {cur} but the design's other parts are in {main}; convert to one currency"),
            ));
        }
    }

    let mut w = Walk {
        parts,
        bad_parts,
        chassis_bays: 0,
        lost_wired: BTreeSet::new(),
        lost_wiring_unknown: false,
        lost_ids: BTreeSet::new(),
        wired: BTreeMap::new(),
        ids: BTreeMap::new(),
        controllers: Vec::new(),
        backplanes: Vec::new(),
        boot_drives: Vec::new(),
        design: d,
    };
    // 2. Chassis, board, CPU, memory.
    let chassis = w.get(&mut s, "chassis", &d.chassis, "Chassis");
    if let Some(Kind::Chassis(c)) = chassis.as_ref().map(|p| &p.kind) {
        w.chassis_bays = c.bays;
    } else {
        w.chassis_bays = MAX_BAYS;
    }
    let board = w.get(&mut s, "board.part", &d.board.part, "Motherboard");
    let board_spec = match board.as_ref().map(|p| &p.kind) {
        Some(Kind::Motherboard(m)) => Some(m.clone()),
        _ => None,
    };
    let cpu = w.get(&mut s, "board.cpu", &d.board.cpu, "Cpu");
    let mut memory = Vec::new();
    let mut modules = 0u32;
    for (i, l) in d.board.memory.iter().enumerate() {
        let pl = format!("board.memory[{i}]");
        let ok = check_qty(&mut s, &format!("{pl}.qty"), l.qty);
        if let Some(p) = w.get(&mut s, &format!("{pl}.part"), &l.part, "Memory")
            && ok
        {
            if let Kind::Memory(m) = &p.kind {
                modules = modules.saturating_add(m.modules.saturating_mul(l.qty));
            }
            memory.push((p, l.qty));
        }
    }
    if let Some(b) = &board_spec
        && modules > b.memory_slots
    {
        s.error(
            Code::BoardCapacity,
            "board.memory",
            format!(
                "{modules} memory modules but the board has {} slots",
                b.memory_slots
            ),
        );
    }
    // 3. Slots and cards.
    let mut nic_cards = Vec::new();
    let mut used_slots: BTreeMap<&str, usize> = BTreeMap::new();
    // The board's slots by id (the first of a duplicated id, as reported on the part).
    let mut board_slots: BTreeMap<&str, &spec::SlotSpec> = BTreeMap::new();
    if let Some(b) = &board_spec {
        for x in b.slots.iter().rev() {
            board_slots.insert(x.id.as_str(), x);
        }
    }
    for (i, su) in d.slots.iter().enumerate() {
        let pl = format!("slots[{i}]");
        let slot = board_slots.get(su.slot.as_str()).map(|x| (*x).clone());
        if let Some(b) = &board_spec {
            if slot.is_none() {
                let names: Vec<&str> = b.slots.iter().map(|x| x.id.as_str()).collect();
                s.error(
                    Code::UnknownSlot,
                    format!("{pl}.slot"),
                    format!(
                        "the board has no slot {:?} (slots: {})",
                        su.slot,
                        names.join(", ")
                    ),
                );
            } else if let Some(first) = used_slots.insert(su.slot.as_str(), i) {
                s.error(
                    Code::UnknownSlot,
                    format!("{pl}.slot"),
                    format!("slot {:?} is already used by slots[{first}]", su.slot),
                );
            }
        }
        let cp = format!("{pl}.card.part");
        let Some(card) = (match w.parts.get(&su.card.part) {
            None => w.get(&mut s, &cp, &su.card.part, "HostCard"),
            Some(p) if matches!(p.kind, Kind::NicCard(_)) => Some(p.clone()),
            Some(_) => w.get(&mut s, &cp, &su.card.part, "HostCard"),
        }) else {
            w.lose_ports(&su.card.ports);
            continue;
        };
        let card_bus = match &card.kind {
            Kind::HostCard(c) => c.host_bus,
            Kind::NicCard(n) => n.host_bus,
            _ => {
                w.lose_ports(&su.card.ports);
                continue;
            }
        };
        let eff_bus = match &slot {
            Some(sl) => match fit_bus(card_bus, sl.bus) {
                Ok(b) => Some(b),
                Err((code, msg)) => {
                    s.error(
                        code,
                        format!("{pl}.card"),
                        format!("{} in slot {:?}: {msg}", card.id, sl.id),
                    );
                    None
                }
            },
            None => None,
        };
        match &card.kind {
            Kind::NicCard(_) => {
                if !su.card.ports.is_empty() {
                    s.error(
                        Code::PortOverflow,
                        format!("{pl}.card.ports"),
                        "a network card has no SATA ports to attach to",
                    );
                    w.lose_ports(&su.card.ports);
                }
                if let Some(sl) = slot {
                    nic_cards.push(NicCardUse {
                        slot: sl,
                        part: card.clone(),
                    });
                }
            }
            Kind::HostCard(c) => {
                let Some(sl) = slot else {
                    w.lose_ports(&su.card.ports);
                    continue;
                };
                w.controllers.push(Controller {
                    id: sl.id.clone(),
                    kind: ControllerKind::Card {
                        slot: sl.clone(),
                        part: card.clone(),
                    },
                    ports: c.ports,
                    link: c.link,
                    pm_support: c.pm_support,
                    host_bus: eff_bus,
                    attach: sl.attach,
                    attachments: Vec::new(),
                    place: format!("{pl}.card"),
                });
                let idx = w.controllers.len() - 1;
                let att = w.ports(&mut s, &format!("{pl}.card.ports"), &su.card.ports, idx);
                w.controllers[idx].attachments = att;
            }
            _ => {}
        }
    }
    // 4. Onboard SATA and PATA.
    if !d.board.onboard.is_empty() {
        match board_spec.as_ref().and_then(|b| b.onboard_sata.clone()) {
            None => {
                if board_spec.is_some() {
                    s.error(
                        Code::PortOverflow,
                        "board.onboard",
                        format!("board {:?} has no onboard SATA controller", d.board.part),
                    );
                }
                w.lose_ports(&d.board.onboard);
            }
            Some(o) => {
                w.controllers.push(Controller {
                    id: "onboard".into(),
                    kind: ControllerKind::Onboard {
                        controller: o.controller.clone(),
                    },
                    ports: o.ports,
                    link: o.link,
                    pm_support: o.pm_support,
                    host_bus: None,
                    attach: o.attach,
                    attachments: Vec::new(),
                    place: format!("onboard SATA ({})", o.controller),
                });
                let idx = w.controllers.len() - 1;
                let att = w.ports(&mut s, "board.onboard", &d.board.onboard, idx);
                w.controllers[idx].attachments = att;
            }
        }
    }
    let pata_cap = board_spec.as_ref().map_or(u32::MAX, |b| b.pata_devices);
    if d.board.pata.len() as u64 > u64::from(pata_cap) {
        s.error(
            Code::BoardCapacity,
            "board.pata",
            format!(
                "{} PATA drives but the board has {pata_cap} PATA device positions",
                d.board.pata.len()
            ),
        );
    }
    for (i, id) in d.board.pata.iter().enumerate() {
        let pl = format!("board.pata[{i}]");
        if let Some(p) = w.get(&mut s, &pl, id, "Drive") {
            if let Kind::Drive(dr) = &p.kind
                && dr.interface != LinkGen::Pata
            {
                s.error(
                    Code::InterfaceMismatch,
                    &pl,
                    format!("{id:?} is a SATA/SAS drive; attach it to a SATA port with Boot(...)"),
                );
            }
            w.boot_drives.push(BootDrive {
                part: p,
                port: BootPort::Pata,
            });
        }
    }
    // 5. Data drives.
    let mut filled: BTreeMap<u32, (PartRef, String)> = BTreeMap::new();
    // Bays some fill names (within the chassis), whether or not its drive survived validation;
    // and whether a fill's bay list could not be read at all. A bay named here is never
    // reported as holding no drive: if its drive was dropped, the reason is already an error.
    let mut declared: BTreeMap<u32, String> = BTreeMap::new();
    let mut fills_unknown = false;
    for (i, fill) in d.drives.iter().enumerate() {
        let pl = format!("drives[{i}]");
        let part = w.get(&mut s, &format!("{pl}.part"), &fill.part, "Drive");
        if let Some(Kind::Drive(dr)) = part.as_ref().map(|p| &p.kind)
            && dr.interface == LinkGen::Pata
        {
            s.error(
                Code::InterfaceMismatch,
                format!("{pl}.part"),
                format!(
                    "{:?} is a PATA drive; data bays take SATA/SAS drives",
                    fill.part
                ),
            );
        }
        let Some(bays) = w.bays(&mut s, &format!("{pl}.bays"), &fill.bays) else {
            match parse_bays(&fill.bays) {
                Ok(v) => {
                    for b in v.into_iter().filter(|b| *b <= w.chassis_bays) {
                        declared.entry(b).or_insert_with(|| pl.clone());
                    }
                }
                Err(_) => fills_unknown = true,
            }
            continue;
        };
        let mut unwired = Vec::new();
        let mut conflicts: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for bay in bays {
            if let Some(first) = declared.get(&bay) {
                conflicts.entry(first.clone()).or_default().push(bay);
                continue;
            }
            declared.insert(bay, pl.clone());
            if !w.wired.contains_key(&bay) && !w.lost_wired.contains(&bay) {
                unwired.push(bay);
            }
            if let Some(p) = &part {
                filled.insert(bay, (p.clone(), pl.clone()));
            }
        }
        for (first, list) in conflicts {
            s.error(
                Code::BayConflict,
                format!("{pl}.bays"),
                format!(
                    "{} {} already filled by {first}",
                    bay_list(&list),
                    agree(list.len(), "is", "are")
                ),
            );
        }
        if !unwired.is_empty() && !w.lost_wiring_unknown {
            s.error(
                Code::DriveNotConnected,
                format!("{pl}.bays"),
                format!(
                    "{} {} drives but no backplane or port reaches {}",
                    bay_list(&unwired),
                    agree(unwired.len(), "holds", "hold"),
                    agree(unwired.len(), "it", "them")
                ),
            );
        }
    }
    let empty: Vec<u32> = w
        .wired
        .keys()
        .copied()
        .filter(|b| !declared.contains_key(b))
        .collect();
    if d.drives.is_empty() || (filled.is_empty() && !out_has_errors(s.out)) {
        s.error(Code::EmptyDesign, "drives", "the design has no data drives");
    } else if !empty.is_empty() && !fills_unknown {
        s.warning(
            Code::BayWithoutDrive,
            "drives",
            format!(
                "{} {} wired but {} no drive",
                bay_list(&empty),
                agree(empty.len(), "is", "are"),
                agree(empty.len(), "holds", "hold")
            ),
        );
    }
    let mut drives: Vec<BayDrive> = filled
        .iter()
        .filter_map(|(bay, (part, _))| {
            w.wired.get(bay).map(|(c, p, bp, _)| BayDrive {
                bay: *bay,
                part: part.clone(),
                controller: *c,
                port: *p,
                backplane: *bp,
            })
        })
        .collect();
    drives.sort_by_key(|x| x.bay);
    // Drives named in the design but dropped because of an error already reported: counts
    // that depend on the number of drives (RAID widths, spares, raw capacity) are not checked.
    let lost = Lost {
        any: fills_unknown || drives.len() < declared.len(),
        bays: declared.into_keys().collect(),
        unknown: fills_unknown,
    };
    // 6. Fans and extras.
    let mut fans = Vec::new();
    for (i, g) in d.fans.iter().enumerate() {
        let pl = format!("fans[{i}]");
        let fresh = w.claim_id(&mut s, &format!("{pl}.id"), &g.id);
        let ok = check_qty(&mut s, &format!("{pl}.qty"), g.qty);
        match w.get(&mut s, &format!("{pl}.part"), &g.part, "Fan") {
            Some(p) if ok => fans.push(FanGroup {
                id: g.id.clone(),
                part: p,
                qty: g.qty,
            }),
            _ if fresh => {
                w.lost_ids.insert(g.id.clone());
            }
            _ => {}
        }
    }
    let mut extras = Vec::new();
    for (i, l) in d.extras.iter().enumerate() {
        let pl = format!("extras[{i}]");
        let ok = check_qty(&mut s, &format!("{pl}.qty"), l.qty);
        match w.parts.get(&l.part) {
            Some(p) if ok => extras.push((p.clone(), l.qty)),
            Some(_) => {}
            None if w.bad_parts.contains(&l.part) => {}
            None => s.error(
                Code::UnknownPart,
                format!("{pl}.part"),
                format!("no part with id {:?}", l.part),
            ),
        }
    }
    // 7. PSUs and feeds.
    let psus = psus(&mut w, &mut s, &drives, &fans, &lost);
    // 8. RAID.
    let raid = raid(&mut w, &mut s, &drives, &lost);
    // 9. Published figures.
    let mut published = Published::default();
    let pb = &d.published;
    if let Some(c) = &pb.raw_tb {
        published.raw = figure_bytes_tb(&mut s, "published.raw_tb", c);
    }
    if let Some(c) = &pb.usable_tb {
        published.usable = figure_bytes_tb(&mut s, "published.usable_tb", c);
    }
    if let Some(c) = &pb.total_cost {
        match parse_cents(&c.value) {
            Ok(v) if v.0 >= 0 => {
                published.total_cost = Some(Figure {
                    value: v,
                    text: c.value.clone(),
                    source: c.source.clone(),
                    note: c.note.clone(),
                })
            }
            Ok(_) => s.error(
                Code::InvalidPublished,
                "published.total_cost",
                "published cost is negative",
            ),
            Err(e) => s.error(
                Code::InvalidPublished,
                "published.total_cost",
                e.to_string(),
            ),
        }
    }
    if let Some(c) = &pb.cost_per_gb {
        match c.value.trim().parse::<f64>() {
            Ok(v) if v.is_finite() && v > 0.0 => {
                published.cost_per_gb = Some(Figure {
                    value: v,
                    text: c.value.clone(),
                    source: c.source.clone(),
                    note: c.note.clone(),
                })
            }
            _ => s.error(
                Code::InvalidPublished,
                "published.cost_per_gb",
                format!("{:?} is not a positive number", c.value),
            ),
        }
    }
    let raw = drives
        .iter()
        .fold(Bytes(0), |a, x| a.saturating_add(x.drive().capacity));
    if let Some(f) = &published.raw
        && !drives.is_empty()
        && !lost.any
        && f.value != raw
    {
        s.warning(
            Code::PublishedRawMismatch,
            "published.raw_tb",
            format!(
                "published raw capacity is {} TB but the drives add up to {}",
                f.text, raw
            ),
        );
    }

    let ok = !out_has_errors(&out);
    let pod = match (ok, chassis, board, cpu, raid) {
        (true, Some(chassis), Some(board), Some(cpu), Some(raid)) => Some(Pod {
            name: d.name.clone(),
            revision: d.revision.clone(),
            label: d
                .label
                .as_deref()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .unwrap_or(&d.name)
                .to_string(),
            description: d.description.clone(),
            file: loaded.path.clone(),
            chassis,
            board,
            cpu,
            memory,
            controllers: w.controllers,
            nic_cards,
            backplanes: w.backplanes,
            drives,
            boot_drives: w.boot_drives,
            psus,
            fans,
            extras,
            raid,
            published,
            notes: d.notes.clone(),
        }),
        _ => None,
    };
    Outcome {
        pod,
        diagnostics: out,
    }
}

/// The bays the design's drive fills name, for telling a consequence from a new problem.
struct Lost {
    /// Every bay some fill names within the chassis, whether or not its drive survived.
    bays: BTreeSet<u32>,
    /// A fill's bay list could not be read: any bay may have been meant.
    unknown: bool,
    /// Some named drive was dropped because of an error already reported.
    any: bool,
}

impl Lost {
    /// True when the design names a drive for this bay (or might, if a list was unreadable).
    fn named(&self, bay: u32) -> bool {
        self.unknown || self.bays.contains(&bay)
    }
}

fn out_has_errors(out: &[Diagnostic]) -> bool {
    out.iter().any(Diagnostic::is_error)
}

fn psus(
    w: &mut Walk,
    s: &mut Sink,
    drives: &[BayDrive],
    fans: &[FanGroup],
    lost: &Lost,
) -> Vec<Psu> {
    let d = w.design;
    if d.psus.is_empty() {
        s.error(Code::NoPsu, "psus", "the design has no power supply");
        return Vec::new();
    }
    // Every load in the pod.
    let mut all: BTreeSet<Load> = BTreeSet::new();
    all.insert(Load::Board);
    for i in 0..w.backplanes.len() {
        all.insert(Load::Backplane(i));
    }
    for i in 0..fans.len() {
        all.insert(Load::Fans(i));
    }
    for dr in drives.iter().filter(|x| x.backplane.is_none()) {
        all.insert(Load::Bay(dr.bay));
    }
    // Lookups by bay and by id, so that long feed lists stay linear.
    let by_bay: BTreeMap<u32, &BayDrive> = drives.iter().map(|x| (x.bay, x)).collect();
    let mut by_id: BTreeMap<String, Load> = BTreeMap::new();
    for (k, f) in fans.iter().enumerate().rev() {
        by_id.insert(f.id.clone(), Load::Fans(k));
    }
    for (k, b) in w.backplanes.iter().enumerate().rev() {
        by_id.insert(b.id.clone(), Load::Backplane(k));
    }
    let mut owner: BTreeMap<Load, String> = BTreeMap::new();
    let mut rest_psu: Option<usize> = None;
    let mut out = Vec::new();
    // PSUs whose feeds were all read without an error: only they can be said to feed nothing.
    let mut clean_feeds = Vec::new();
    for (i, pu) in d.psus.iter().enumerate() {
        let pl = format!("psus[{i}]");
        let mark = s.out.len();
        // A feed skipped because what it names was dropped for an earlier error.
        let mut skipped = false;
        w.claim_id(s, &format!("{pl}.id"), &pu.id);
        let part = w.get(s, &format!("{pl}.part"), &pu.part, "Psu");
        let mut loads = Vec::new();
        match &pu.feeds {
            Feeds::Rest => {
                if let Some(first) = rest_psu {
                    s.error(
                        Code::FeedConflict,
                        format!("{pl}.feeds"),
                        format!("psus[{first}] already feeds the rest; name this PSU's loads with Only([...])"),
                    );
                } else {
                    rest_psu = Some(i);
                }
            }
            Feeds::Only(ids) => {
                for (j, id) in ids.iter().enumerate() {
                    let fp = format!("{pl}.feeds[{j}]");
                    let mut found: Vec<Load> = Vec::new();
                    if id == "board" {
                        found.push(Load::Board);
                    } else if let Some(r) = id.strip_prefix("bays:") {
                        match parse_bays(r) {
                            Err(m) => s.error(Code::InvalidBays, &fp, format!("{id:?}: {m}")),
                            Ok(bays) => {
                                let mut behind: BTreeMap<usize, Vec<u32>> = BTreeMap::new();
                                let mut no_drive = Vec::new();
                                for b in bays {
                                    match by_bay.get(&b) {
                                        Some(x) => match x.backplane {
                                            None => found.push(Load::Bay(b)),
                                            Some(k) => behind.entry(k).or_default().push(b),
                                        },
                                        // A drive named there but dropped: already an error.
                                        None if lost.named(b) => skipped = true,
                                        None => no_drive.push(b),
                                    }
                                }
                                for (k, list) in behind {
                                    s.error(
                                        Code::UnknownFeed,
                                        &fp,
                                        format!(
                                            "{} {} behind backplane {:?}; feed the backplane instead",
                                            bay_list(&list),
                                            agree(list.len(), "is", "are"),
                                            w.backplanes.get(k).map_or("", |bp| bp.id.as_str())
                                        ),
                                    );
                                }
                                if !no_drive.is_empty() {
                                    s.error(
                                        Code::UnknownFeed,
                                        &fp,
                                        format!(
                                            "{} {} no drive",
                                            bay_list(&no_drive),
                                            agree(no_drive.len(), "holds", "hold")
                                        ),
                                    );
                                }
                            }
                        }
                    } else if let Some(l) = by_id.get(id.as_str()) {
                        found.push(l.clone());
                    } else if w.lost_ids.contains(id) {
                        // A backplane or fan group dropped because of an error already reported.
                        skipped = true;
                    } else {
                        s.error(
                            Code::UnknownFeed,
                            &fp,
                            format!("{id:?} is not a backplane id, fan-group id, \"board\" or \"bays:<range>\""),
                        );
                    }
                    let mut fed_by: BTreeSet<String> = BTreeSet::new();
                    for l in found {
                        if let Some(first) = owner.get(&l) {
                            fed_by.insert(first.clone());
                        } else {
                            owner.insert(l.clone(), pu.id.clone());
                            loads.push(l);
                        }
                    }
                    for first in fed_by {
                        s.error(
                            Code::FeedConflict,
                            &fp,
                            format!("{id:?} is already fed by {first}"),
                        );
                    }
                }
            }
        }
        clean_feeds.push(!skipped && !s.out[mark..].iter().any(Diagnostic::is_error));
        out.push((part, pu.id.clone(), loads));
    }
    let unfed: Vec<Load> = all
        .iter()
        .filter(|l| !owner.contains_key(l))
        .cloned()
        .collect();
    if let Some(r) = rest_psu {
        out[r].2.extend(unfed);
    } else if !unfed.is_empty() {
        let names: Vec<String> = unfed
            .iter()
            .map(|l| match l {
                Load::Board => "board".to_string(),
                Load::Backplane(k) => w.backplanes[*k].id.clone(),
                Load::Fans(k) => fans[*k].id.clone(),
                Load::Bay(b) => format!("bay {b}"),
            })
            .collect();
        s.warning(
            Code::UnfedLoad,
            "psus",
            format!(
                "no PSU feeds {}; add them to a PSU or let one PSU feed Rest",
                names.join(", ")
            ),
        );
    }
    for (i, (_, id, loads)) in out.iter().enumerate() {
        if loads.is_empty() && clean_feeds[i] {
            s.warning(
                Code::PsuFeedsNothing,
                format!("psus[{i}].feeds"),
                format!(
                    "{id} feeds nothing, so it is left out of the rated power; give it loads with Only([...]) or remove it"
                ),
            );
        }
    }
    out.into_iter()
        .filter_map(|(part, id, mut loads)| {
            loads.sort();
            part.map(|p| Psu { id, part: p, loads })
        })
        .collect()
}

fn raid(w: &mut Walk, s: &mut Sink, drives: &[BayDrive], lost: &Lost) -> Option<RaidPolicy> {
    let r = &w.design.raid;
    // With drives dropped for errors already reported, counts are not checked: n is 0 then.
    let n = if lost.any {
        0
    } else {
        u32::try_from(drives.len()).unwrap_or(u32::MAX)
    };
    let present: BTreeSet<u32> = drives.iter().map(|x| x.bay).collect();
    let mut ok = true;
    let bad = |s: &mut Sink, place: &str, msg: String| {
        s.error(Code::InvalidRaid, place, msg);
        false
    };
    match r.level {
        Level::Stripe { width: 0 } => ok = bad(s, "raid.level", "a stripe needs width ≥ 1".into()),
        Level::Mirror { copies } if copies < 2 => {
            ok = bad(
                s,
                "raid.level",
                format!("a mirror needs ≥ 2 copies, not {copies}"),
            )
        }
        Level::Raid10 { width, copies }
            if copies < 2 || width < copies.saturating_mul(2) || !width.is_multiple_of(copies) =>
        {
            ok = bad(
                s,
                "raid.level",
                format!(
                    "RAID10 width {width} must be a multiple of copies {copies} and hold at least two mirrors"
                ),
            )
        }
        Level::Raid5 { width } if width < 3 => {
            ok = bad(
                s,
                "raid.level",
                format!("RAID5 needs width ≥ 3, not {width}"),
            )
        }
        Level::Raid6 { width } if width < 4 => {
            ok = bad(
                s,
                "raid.level",
                format!("RAID6 needs width ≥ 4, not {width}"),
            )
        }
        Level::Erasure { data, parity } if data == 0 || parity == 0 => {
            ok = bad(
                s,
                "raid.level",
                format!("erasure coding needs data ≥ 1 and parity ≥ 1 (got {data}+{parity})"),
            )
        }
        _ => {}
    }
    let (width, tolerance) = RaidPolicy::width_and_tolerance(r.level);
    if ok && tolerance >= width {
        ok = bad(
            s,
            "raid.level",
            format!("parity {tolerance} must be less than the width {width}"),
        );
    }
    if ok && n > 0 && width > n {
        ok = bad(
            s,
            "raid.level",
            format!("group width {width} is more than the {n} drives in the pod"),
        );
    }
    if n > 0 && r.spares >= n {
        ok = bad(
            s,
            "raid.spares",
            format!(
                "{} spares leave no drives for data (the pod has {n})",
                r.spares
            ),
        );
    } else if ok && n > 0 && width.saturating_add(r.spares) > n {
        ok = bad(
            s,
            "raid.spares",
            format!(
                "{} spares plus one group of {width} need more than the {n} drives",
                r.spares
            ),
        );
    }
    let mut groups = Vec::new();
    let mut member: BTreeMap<u32, usize> = BTreeMap::new();
    for (i, g) in r.groups.iter().enumerate() {
        let pl = format!("raid.groups[{i}]");
        let Some(bays) = w.bays(s, &pl, g) else {
            ok = false;
            continue;
        };
        if ok && bays.len() as u32 != width {
            s.error(
                Code::RaidGroup,
                &pl,
                format!(
                    "group has {} bays but the level's width is {width}",
                    bays.len()
                ),
            );
            ok = false;
        }
        let mut twice: BTreeMap<usize, Vec<u32>> = BTreeMap::new();
        let mut no_drive = Vec::new();
        for b in &bays {
            if let Some(first) = member.insert(*b, i) {
                twice.entry(first).or_default().push(*b);
            }
            // A bay whose drive was dropped for an error already reported is not a new problem.
            if !present.contains(b) && !drives.is_empty() && !lost.named(*b) {
                no_drive.push(*b);
            }
        }
        for (first, list) in twice {
            s.error(
                Code::RaidGroup,
                &pl,
                format!(
                    "{} {} already in raid.groups[{first}]",
                    bay_list(&list),
                    agree(list.len(), "is", "are")
                ),
            );
            ok = false;
        }
        if !no_drive.is_empty() {
            s.error(
                Code::RaidGroup,
                &pl,
                format!(
                    "{} {} no drive",
                    bay_list(&no_drive),
                    agree(no_drive.len(), "holds", "hold")
                ),
            );
            ok = false;
        }
        groups.push(bays);
    }
    if ok && !groups.is_empty() && n > 0 {
        let in_groups = member.len() as u32;
        if in_groups.saturating_add(r.spares) > n {
            s.error(
                Code::RaidGroup,
                "raid.groups",
                format!(
                    "{in_groups} drives in groups plus {} spares exceed the {n} drives",
                    r.spares
                ),
            );
            ok = false;
        } else if in_groups + r.spares < n {
            s.warning(
                Code::RaidUnusedDrives,
                "raid.groups",
                format!(
                    "{} drives are in no group and are not spares",
                    n - in_groups - r.spares
                ),
            );
        }
    }
    if let Some(v) = r.vault
        && (v.data == 0 || v.parity == 0 || v.data.saturating_add(v.parity) > MAX_VAULT_PODS)
    {
        ok = bad(
            s,
            "raid.vault",
            format!(
                "a vault code needs data ≥ 1, parity ≥ 1 and at most {MAX_VAULT_PODS} pods in all (got {}+{})",
                v.data, v.parity
            ),
        );
    }
    if let Some(d) = &r.replace_delay
        && !(d.hours.is_finite() && (0.0..=crate::durability::MAX_REPAIR_HOURS).contains(&d.hours))
    {
        ok = bad(
            s,
            "raid.replace_delay.hours",
            format!(
                "a replacement delay must be from 0 to {} hours (ten years: no real replacement takes longer)",
                crate::durability::MAX_REPAIR_HOURS
            ),
        );
    }
    ok.then_some(RaidPolicy {
        level: r.level,
        spares: r.spares,
        groups,
        filesystem: r.filesystem,
        vault: r.vault,
        replace_delay: r.replace_delay.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bays_parse_and_format_round_trip() {
        assert_eq!(parse_bays("1-3,5"), Ok(vec![1, 2, 3, 5]));
        assert_eq!(format_bays(&[5, 1, 2, 3]), "1-3,5");
        assert!(parse_bays("0-4").is_err());
        assert!(parse_bays("5-1").is_err());
        assert!(parse_bays("1-3,2").is_err());
        assert!(parse_bays("x").is_err());
        assert!(parse_bays("").is_err());
    }

    #[test]
    fn ids_and_dates() {
        assert!(valid_id("hitachi-hds5c3030ala630"));
        assert!(valid_id("pod-2.0-chassis"));
        assert!(!valid_id("Hitachi"));
        assert!(!valid_id("-x"));
        assert!(valid_date("2011-07"));
        assert!(valid_date("2011-07-20"));
        assert!(!valid_date("2011-13"));
        assert!(!valid_date("July 2011"));
    }

    #[test]
    fn card_bus_fit() {
        let x1 = Bus::Pcie {
            generation: 1,
            lanes: 1,
        };
        let x8 = Bus::Pcie {
            generation: 2,
            lanes: 8,
        };
        assert_eq!(
            fit_bus(x1, x8),
            Ok(Bus::Pcie {
                generation: 1,
                lanes: 1
            })
        );
        assert!(matches!(
            fit_bus(
                x8,
                Bus::Pcie {
                    generation: 2,
                    lanes: 4
                }
            ),
            Err((Code::SlotTooFewLanes, _))
        ));
        assert!(matches!(
            fit_bus(
                x1,
                Bus::Pci {
                    width_bits: 32,
                    mhz: 33
                }
            ),
            Err((Code::SlotBusMismatch, _))
        ));
        assert_eq!(
            fit_bus(
                Bus::PciX { mhz: 133 },
                Bus::Pci {
                    width_bits: 32,
                    mhz: 33
                }
            ),
            Ok(Bus::Pci {
                width_bits: 32,
                mhz: 33
            })
        );
    }
}
