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
    Drive, FanGroup, Figure, Kind, Load, Memory, NicCardUse, Part, PartRef, Pod, Price, PriceBreak,
    Psu, Published, RaidPolicy,
};
use crate::spec::{
    self, BackplaneKind, Bus, Feeds, Level, LinkGen, NicRole, PartSpec, PmSupport, PortUse, PsuUse,
    Redundancy,
};
use crate::units::{
    Amps, Bytes, MBps, QuantityError, TB, Watts, fmt_bounded, parse_bytes, parse_cents,
};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Largest drive capacity accepted: 1 PB. Anything larger is a typo, not a drive.
pub(crate) const MAX_DRIVE_BYTES: u64 = 1_000 * TB;
/// Largest quantity of one part on one BOM line.
pub(crate) const MAX_QTY: u32 = 10_000;
/// Most pods one vault code may span (Backblaze's is 20).
pub(crate) const MAX_VAULT_PODS: u32 = 1_000;
pub use crate::bays::MAX_BAYS;

/// Longest id, part reference, code, date, amount or quantity text, in characters.
pub(crate) const MAX_SHORT_TEXT: usize = 100;
/// Longest name, part number, supplier, chip or similar label, in characters.
pub(crate) const MAX_NAME_TEXT: usize = 200;
/// Longest description, note or source (URL or reasoning), in characters. The longest in the
/// shipped designs is about 520.
pub(crate) const MAX_LONG_TEXT: usize = 2_000;
/// Longest bay list or catalog path, in characters ("1,2,…,10000" is about 49,000).
pub(crate) const MAX_LIST_TEXT: usize = 100_000;

mod bays;
mod board;
mod drives;
mod parts;
mod ports;
mod prices;
mod psus;
mod published;
mod raid;
mod text;
mod values;

pub(crate) use crate::bays::parse_bays;
pub use crate::bays::{BaysError, format_bays};
use bays::{agree, bay_list};
use parts::check_part;
use psus::psus;
use raid::raid;
use text::texts_fit;
use values::{
    capacity, check_bus, check_count, check_num, check_qty, jedec_binary, valid_date, valid_id,
};

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
/// Effective bus of a card in a slot, or the code of the rule it breaks and why.
fn fit_bus(card: Bus, slot: Bus) -> Result<Bus, (Code, spec::BusFitError)> {
    card.fit_in(slot).map_err(|e| {
        let code = match e {
            spec::BusFitError::TooFewLanes { .. } => Code::SlotTooFewLanes,
            spec::BusFitError::Family { .. } => Code::SlotBusMismatch,
        };
        (code, e)
    })
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
    let parts::Collected {
        parts,
        bad_parts,
        currencies,
    } = parts::collect(loaded, &mut out);
    let file = loaded.path.as_str();
    let mut s = Sink {
        file,
        out: &mut out,
    };
    prices::one_currency(&mut s, &currencies);
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
    let board::Core {
        chassis,
        board,
        board_spec,
        cpu,
        cpus,
        memory,
    } = board::core(&mut w, &mut s);
    // 3. Slots and cards.
    let nic_cards = board::slots(&mut w, &mut s, board_spec.as_ref());
    let onboard_nic_roles = board::network(&w, &mut s, board_spec.as_ref(), &nic_cards);
    // 4. Onboard SATA and PATA.
    board::onboard(&mut w, &mut s, board_spec.as_ref());
    // 5. Data drives.
    let (drives, lost) = drives::data_drives(&mut w, &mut s);
    // 6. Fans and extras.
    let (fans, extras) = drives::fans_and_extras(&mut w, &mut s);
    // 7. PSUs and feeds.
    let psus = psus(&mut w, &mut s, &drives, &fans, &lost);
    // 8. RAID.
    let raid = raid(&mut w, &mut s, &drives, &lost);
    // 9. Published figures.
    let published = published::published(&mut s, d, &drives, &lost);

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
            cpus,
            memory,
            controllers: w.controllers,
            nic_cards,
            backplanes: w.backplanes,
            drives,
            boot_drives: w.boot_drives,
            onboard_nic_roles,
            bond: d.bond,
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
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bays_parse_and_format_round_trip() {
        assert_eq!(parse_bays("1-3,5"), Ok(vec![1, 2, 3, 5]));
        assert_eq!(format_bays(&[5, 1, 2, 3]), "1-3,5");
        assert_eq!(parse_bays("0-4"), Err(BaysError::Zero));
        assert_eq!(parse_bays("5-1"), Err(BaysError::Backwards("5-1".into())));
        assert_eq!(parse_bays("1-3,2"), Err(BaysError::Twice(2)));
        assert_eq!(parse_bays("x"), Err(BaysError::NotANumber("x".into())));
        assert_eq!(parse_bays(""), Err(BaysError::Empty));
        assert_eq!(parse_bays("10001"), Err(BaysError::TooLarge(10_001)));
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
