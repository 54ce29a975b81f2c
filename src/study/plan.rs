//! The plan study: what the layout, power and BOM engines say about one pod, handed to the
//! plan engine with a checked request.
//!
//! This file owns the wiring only: usable capacity per pod from the layout engine (the
//! design's RAID, or its share of a Vault), the running and spin-up draw from the power
//! model (turned into wall watts by the PSU efficiency), the pod's priced BOM with each part's quantity price breaks, and the mean
//! AFR of its data drives. The arithmetic of the plan is `crate::plan::engine`'s. It also
//! lines computed plans up side by side for `compare` ([`compare_plans`]).

use crate::bom::{self, Options as BomOptions};
use crate::layout::{self, Overheads, Shape};
use crate::model::{Kind, Pod};
use crate::plan::{self, Grouping, PlanError, PlanReport, PlanRequest, PodFacts, PodLine};
use crate::units::{Bytes, Cents, Watts};
use serde::Serialize;

/// The plan's facts about one pod under a grouping.
pub fn pod_facts(pod: &Pod, name: &str, req: &PlanRequest) -> Result<PodFacts, PlanError> {
    let grouping = req.grouping.unwrap_or(match pod.raid.vault {
        Some(v) => Grouping::Vault {
            data: v.data,
            parity: v.parity,
        },
        None => Grouping::Standalone,
    });
    let o = Overheads::for_pod(pod);
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

/// One plan's column in a comparison of plans.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanColumn {
    /// The plan's name (its file's stem).
    pub name: String,
    /// The design it deploys, with its file.
    pub design: String,
    /// How its pods are grouped: `stand-alone` or `Vaults of k+m`.
    pub grouping: String,
    /// Currency of the money figures.
    pub currency: String,
    /// Years planned.
    pub horizon_years: u32,
    /// Demand at the end.
    pub demand_end: Bytes,
    /// Usable capacity installed at the end.
    pub usable_end: Bytes,
    /// Pods at the end.
    pub pods: u64,
    /// Racks at the end.
    pub racks: u64,
    /// Pods per rack.
    pub pods_per_rack: u32,
    /// The rack limit that binds.
    pub binding: String,
    /// Capital over the horizon.
    pub capex: Cents,
    /// Operating cost over the horizon.
    pub opex: Cents,
    /// Capex + opex.
    pub tco: Cents,
    /// TCO per usable TB-month.
    pub per_tb_month: f64,
    /// TCO per demanded TB-month.
    pub per_demand_tb_month: f64,
    /// Limits the user set that the plan breaks.
    pub broken: Vec<String>,
}

/// Plans side by side: one column per plan, in the order given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanComparison {
    /// The plans.
    pub plans: Vec<PlanColumn>,
}

/// The comparison of computed plans, each with its name.
pub fn compare_plans(plans: &[(String, &PlanReport)]) -> PlanComparison {
    let plans = plans
        .iter()
        .map(|(name, r)| {
            let t = &r.totals;
            PlanColumn {
                name: name.clone(),
                design: format!("{} ({})", r.pod.design, r.pod.file),
                grouping: match r.pod.grouping {
                    Grouping::Standalone => "stand-alone".into(),
                    Grouping::Vault { data, parity } => format!("Vaults of {data}+{parity}"),
                },
                currency: r.pod.currency.clone(),
                horizon_years: r.horizon_years,
                demand_end: t.demand,
                usable_end: t.usable,
                pods: t.pods,
                racks: t.racks,
                pods_per_rack: r.rack_fit.pods_per_rack,
                binding: r.rack_fit.binding.clone(),
                capex: t.capex.total,
                opex: t.opex.total,
                tco: t.tco,
                per_tb_month: t.per_tb_month,
                per_demand_tb_month: t.per_demand_tb_month,
                broken: r.broken.iter().map(|b| b.limit.clone()).collect(),
            }
        })
        .collect();
    PlanComparison { plans }
}
