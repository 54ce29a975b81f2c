//! The comparison of several designs: one column of key figures per design and the BOM
//! difference between consecutive designs, computed from their design studies.

use crate::bandwidth::Workload;
use crate::model::{Kind, Pod};
use crate::study::{DesignReport, workload, worst_rebuild};
use serde::Serialize;

/// One design's column of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    /// Short label (the design's `label`, else its name): `Pod 2.0`.
    pub name: String,
    /// Currency of the money figures.
    pub currency: String,
    /// Raw capacity, TB.
    pub raw_tb: f64,
    /// Capacity before the filesystem, TB.
    pub before_fs_tb: f64,
    /// Usable capacity, TB.
    pub usable_tb: f64,
    /// Raw TB per 4U of rack (raw TB × 4 / rack units).
    pub tb_per_4u: f64,
    /// Total cost of one pod.
    pub total: crate::units::Cents,
    /// Data drives' cost.
    pub drives: crate::units::Cents,
    /// Everything else.
    pub non_drive: crate::units::Cents,
    /// Cost per raw decimal GB.
    pub per_gb_raw: Option<f64>,
    /// Cost per usable decimal GB.
    pub per_gb_usable: Option<f64>,
    /// Published $/GB, as written.
    pub published_per_gb: Option<String>,
    /// What binds scrub, ingest and rebuild, for those that ran.
    pub bottleneck: Vec<(Workload, crate::bandwidth::Binding)>,
    /// Slowest rebuild of one drive, hours.
    pub rebuild_hours: Option<f64>,
    /// Annual probability that the pod loses data (sliding-window model, the design's layout).
    pub annual_loss: Option<f64>,
    /// DC watts: simultaneous spin-up, staggered spin-up, idle, load.
    pub power_w: [f64; 4],
    /// PSUs' rated watts.
    pub psu_rated_w: f64,
    /// Least headroom of any PSU under load, percent of its rating.
    pub psu_headroom_pct: f64,
    /// The design's measured figures, each with the model beside it.
    pub measured: Vec<super::measured::MeasuredRow>,
}

/// A part whose presence, quantity or price changed between two designs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartChange {
    /// Part id.
    pub part: String,
    /// Part name.
    pub name: String,
    /// Quantity before and after (0 when absent).
    pub qty: (u64, u64),
    /// Unit price before and after (`None` when absent).
    pub unit: (Option<crate::units::Cents>, Option<crate::units::Cents>),
}

/// The BOM difference between consecutive designs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BomDiff {
    /// From this design.
    pub from: String,
    /// To this one.
    pub to: String,
    /// Parts in `to` only.
    pub added: Vec<PartChange>,
    /// Parts in `from` only.
    pub removed: Vec<PartChange>,
    /// Parts in both with another quantity or unit price.
    pub changed: Vec<PartChange>,
}

/// The comparison of several designs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// One column per design, in the order given.
    pub columns: Vec<Column>,
    /// BOM differences between consecutive designs.
    pub diffs: Vec<BomDiff>,
}

fn short_name(r: &DesignReport) -> String {
    r.label.clone()
}

/// Builds the comparison from design reports.
pub fn compare(reports: &[DesignReport], pods: &[&Pod]) -> Comparison {
    let mut columns = Vec::new();
    for (r, pod) in reports.iter().zip(pods) {
        let units = match &pod.chassis.kind {
            Kind::Chassis(c) => c.rack_units.max(1),
            _ => 4,
        };
        let p = &r.show.power;
        let headroom = p
            .psus
            .iter()
            .map(|x| 100.0 * (1.0 - x.active.power() / x.rated_w))
            .fold(f64::INFINITY, f64::min);
        columns.push(Column {
            name: short_name(r),
            currency: r.bom.currency.clone(),
            raw_tb: r.show.summary.raw.tb,
            before_fs_tb: r.layout.pipeline.before_filesystem.tb(),
            usable_tb: r.layout.pipeline.usable.tb(),
            tb_per_4u: r.show.summary.raw.tb * 4.0 / f64::from(units),
            total: r.bom.totals.pod_total,
            drives: r.bom.totals.data_drives,
            non_drive: r.bom.totals.everything_else,
            per_gb_raw: r.bom.metrics.raw.per_gb,
            per_gb_usable: r.bom.metrics.usable.per_gb,
            published_per_gb: r
                .bom
                .reconciliation
                .per_gb
                .as_ref()
                .map(|c| c.published_text.clone()),
            bottleneck: [Workload::Scrub, Workload::Ingest, Workload::Rebuild]
                .iter()
                .filter_map(|w| workload(r, *w).map(|b| (*w, b.summary.binding.clone())))
                .collect(),
            rebuild_hours: worst_rebuild(r).map(|w| w.hours),
            annual_loss: r.durability.as_ref().and_then(|d| {
                d.report
                    .pod
                    .models
                    .iter()
                    .find(|f| f.model == crate::durability::Model::Sliding)
                    .map(|f| f.p_mission)
            }),
            power_w: [
                p.spinup_simultaneous_w.watts(),
                p.spinup_staggered_w.watts(),
                p.idle_w.watts(),
                p.active_w.watts(),
            ],
            psu_rated_w: p.rated_w.watts(),
            psu_headroom_pct: if headroom.is_finite() { headroom } else { 0.0 },
            measured: r.measured.clone(),
        });
    }
    let mut diffs = Vec::new();
    for pair in reports.windows(2) {
        diffs.push(bom_diff(&pair[0], &pair[1]));
    }
    Comparison { columns, diffs }
}

fn bom_diff(a: &DesignReport, b: &DesignReport) -> BomDiff {
    use std::collections::BTreeMap;
    let index = |r: &DesignReport| -> BTreeMap<String, (String, u64, crate::units::Cents)> {
        r.bom
            .lines
            .iter()
            .map(|l| (l.part.clone(), (l.name.clone(), l.qty, l.unit)))
            .collect()
    };
    let (ia, ib) = (index(a), index(b));
    let mut d = BomDiff {
        from: short_name(a),
        to: short_name(b),
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
    };
    for (id, (name, q, u)) in &ib {
        match ia.get(id) {
            None => d.added.push(PartChange {
                part: id.clone(),
                name: name.clone(),
                qty: (0, *q),
                unit: (None, Some(*u)),
            }),
            Some((_, qa, ua)) if qa != q || ua != u => d.changed.push(PartChange {
                part: id.clone(),
                name: name.clone(),
                qty: (*qa, *q),
                unit: (Some(*ua), Some(*u)),
            }),
            Some(_) => {}
        }
    }
    for (id, (name, q, u)) in &ia {
        if !ib.contains_key(id) {
            d.removed.push(PartChange {
                part: id.clone(),
                name: name.clone(),
                qty: (*q, 0),
                unit: (Some(*u), None),
            });
        }
    }
    d
}
