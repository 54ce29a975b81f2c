//! The plan study: what the layout, power and BOM engines say about one pod, handed to the
//! plan engine with a checked request.
//!
//! This file owns the wiring only: usable capacity per pod from the layout engine (the
//! design's RAID, or its share of a Vault), the running and spin-up draw from the power
//! model (turned into wall watts by the PSU efficiency), the pod's priced BOM with each part's quantity price breaks, and the mean
//! AFR of its data drives. The arithmetic of the plan is `crate::plan::engine`'s.

use crate::bom::{self, Options as BomOptions};
use crate::layout::{self, Overheads, Shape};
use crate::model::{Kind, Pod};
use crate::plan::{self, Grouping, PlanError, PlanReport, PlanRequest, PodFacts, PodLine};
use crate::units::Watts;

/// The plan's facts about one pod under a grouping.
pub fn pod_facts(pod: &Pod, name: &str, req: &PlanRequest) -> Result<PodFacts, PlanError> {
    let grouping = req.grouping.unwrap_or(match pod.raid.vault {
        Some(v) => Grouping::Vault {
            data: v.data,
            parity: v.parity,
        },
        None => Grouping::Standalone,
    });
    let o = Overheads::for_filesystem(pod.raid.filesystem);
    let usable = match grouping {
        Grouping::Standalone => {
            let shape = Shape {
                level: pod.raid.level,
                spares: pod.raid.spares,
            };
            let placed = layout::place(pod, shape, &[])
                .map_err(|e| PlanError::NoCapacity(format!("layout: {e}")))?;
            layout::capacity(pod, &placed.layout, &o).usable
        }
        Grouping::Vault { data, parity } => {
            layout::vault_capacity(pod, crate::spec::Vault { data, parity }, &o).usable
        }
    };
    let budget = crate::power::budget(pod);
    let eff = req.site.psu_efficiency_pct / 100.0;
    let simultaneous_fits = budget.psus.iter().all(|p| p.fits(p.spinup_simultaneous));
    let dc_peak = if simultaneous_fits {
        budget.spinup_simultaneous_w
    } else {
        budget.spinup_staggered_w
    };
    let (load, load_source) = match req.site.pod_watts {
        Some(w) => (w, "measured (site.pod_watts)".to_string()),
        None => (
            Watts(budget.active_w.0 / eff),
            format!(
                "power model: {:.0} W DC at sequential load / {}% PSU efficiency",
                budget.active_w.0,
                crate::units::trim_float(req.site.psu_efficiency_pct)
            ),
        ),
    };
    let report = bom::report(pod, None, &BomOptions::default())
        .map_err(|e| PlanError::TooLarge(format!("bill of materials: {e}")))?;
    // The lines and the parts are both in BOM order; the list price is the part's (the BOM of
    // one pod may already stand at a break), the breaks are applied per order by the engine.
    let parts = bom::parts(pod);
    let lines = report
        .lines
        .iter()
        .zip(&parts)
        .map(|(l, part)| PodLine {
            part: l.part.clone(),
            name: l.name.clone(),
            part_number: l.part_number.clone(),
            supplier: l.supplier.clone(),
            qty_per_pod: l.qty_per_pod,
            unit: part.price.unit,
            data_drive: l.data_drive,
            breaks: part.price.breaks.iter().map(|b| (b.qty, b.unit)).collect(),
        })
        .collect();
    let (rack_units, depth_in) = match &pod.chassis.kind {
        Kind::Chassis(c) => (c.rack_units, c.depth_in),
        _ => (0, 0.0),
    };
    let n = pod.drives.len().max(1) as f64;
    Ok(PodFacts {
        design: pod.label.clone(),
        file: name.to_string(),
        currency: report.currency.clone(),
        rack_units,
        depth_in,
        drives: pod.drives.len() as u32,
        afr_pct: pod.drives.iter().map(|d| d.drive().afr_pct).sum::<f64>() / n,
        raw: pod.raw_capacity(),
        usable,
        grouping,
        load,
        load_source,
        spinup_peak: Watts(dc_peak.0 / eff).max(load),
        lines,
    })
}

/// Plans a fleet of `pod`: one call from the command line.
pub fn plan(pod: &Pod, name: &str, req: &PlanRequest) -> Result<PlanReport, PlanError> {
    plan::compute(&pod_facts(pod, name, req)?, req)
}
