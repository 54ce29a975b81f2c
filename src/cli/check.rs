//! What `podplan check` adds to validation: every engine `report` runs, so that a design that
//! checks clean also reports.
//!
//! This module turns the errors of those engines (layout, bill of materials, bandwidth) into
//! diagnostics with a code and a place in the design. It never prints.

use crate::bom::{self, BomError};
use crate::diag::{Code, Diagnostic};
use crate::load::Loaded;
use crate::model::Pod;
use crate::study::StudyError;
use crate::units::parse_cents;

/// The problems `podplan report` would stop on for a validated pod; none when it would not.
pub(crate) fn engine_diagnostics(l: &Loaded, pod: &Pod) -> Vec<Diagnostic> {
    let Err(e) = crate::study::design(pod, "check") else {
        return Vec::new();
    };
    let here = |code, place: &str| (code, l.path.clone(), place.to_string());
    let (code, file, place) = match &e {
        StudyError::Bom(BomError::Overflow(_)) => {
            let (file, place) = costliest_price(l, pod);
            (Code::BomOverflow, file, place)
        }
        // Without command-line options, only the RAID policy can stop the layout, the
        // costing's capacity figures and the bandwidth workloads (a rebuild without redundancy).
        StudyError::Layout(_)
        | StudyError::Bom(BomError::Layout(_))
        | StudyError::Bandwidth { .. } => here(Code::InvalidRaid, "raid.level"),
        // Price overrides and order sizes are not part of a design.
        _ => here(Code::InvalidValue, ""),
    };
    vec![Diagnostic::error(
        code,
        &file,
        place,
        format!("`podplan report` cannot run: {e}"),
    )]
}

/// Where the price that makes the bill of materials overflow is written: the line with the
/// largest extended price, or, when a single line overflows, the largest unit price defined.
fn costliest_price(l: &Loaded, pod: &Pod) -> (String, String) {
    let id = match bom::lines(pod, &bom::Options::default()) {
        Ok(lines) => lines
            .iter()
            .max_by_key(|x| x.extended.0)
            .map(|x| x.part.clone()),
        Err(_) => None,
    };
    let mut defs = std::iter::once((l.path.as_str(), &l.design.parts))
        .chain(l.catalogs.iter().map(|(p, c)| (p.as_str(), &c.parts)))
        .flat_map(|(file, list)| list.iter().enumerate().map(move |(i, p)| (file, i, p)));
    // A design that validated has one definition per id.
    let chosen = match id {
        Some(id) => defs.find(|(_, _, p)| p.id == id),
        None => defs.max_by_key(|(_, _, p)| parse_cents(&p.price.amount).map_or(i64::MIN, |c| c.0)),
    };
    chosen.map_or_else(
        || (l.path.clone(), String::new()),
        |(file, i, _)| (file.to_string(), format!("parts[{i}].price.amount")),
    )
}
