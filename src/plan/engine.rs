//! The plan engine: pods, Vaults, racks and money, period by period (model §16).
//!
//! A pure function of [`PodFacts`] (what the other engines say about one pod) and a checked
//! [`PlanRequest`]. It owns the rack-fit rule (whichever of rack units, depth, power at load
//! and at spin-up, weight and switch ports binds first), the purchase rule (at the start of
//! each period, enough pods that usable capacity covers the demand at the period's end plus
//! the headroom, in whole Vaults), the pricing of each purchase (the BOM's lines at that
//! period's drive price) and every operating cost. Money is integer cents; a figure computed
//! in floating point (energy, expected drive failures) is rounded to the cent once, where it
//! is costed. Sums are checked: beyond 64-bit cents is an error, never a wrapped number.

use super::PlanError;
use super::factors as f;
use super::request::{Grouping, PlanRequest, SpinUp};
use crate::units::{Bytes, Cents, Watts};
use serde::Serialize;

/// Most pods a plan buys: ten million.
pub(crate) const MAX_PODS: u64 = 10_000_000;

/// One line of a pod's bill of materials, priced for one pod.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PodLine {
    /// Part id.
    pub part: String,
    /// Part name.
    pub name: String,
    /// Part number.
    pub part_number: Option<String>,
    /// Supplier.
    pub supplier: Option<String>,
    /// Quantity in one pod.
    pub qty_per_pod: u64,
    /// Unit (list) price as in the design (its date).
    pub unit: Cents,
    /// A data drive: its price follows the drive-price decline.
    pub data_drive: bool,
    /// The part's quantity price breaks as (least units in one order, unit price), ascending
    /// (model §15.1); empty when the parts list gives none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub breaks: Vec<(u64, Cents)>,
}

impl PodLine {
    /// The break (least units, unit price) an order of `units` of this part reaches.
    fn break_for(&self, units: u64) -> Option<(u64, Cents)> {
        self.breaks.iter().rev().find(|b| b.0 <= units).copied()
    }
}

/// What the other engines say about one pod, for the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PodFacts {
    /// The design's label.
    pub design: String,
    /// The design file.
    pub file: String,
    /// Currency of every price.
    pub currency: String,
    /// Chassis height, rack units.
    pub rack_units: u32,
    /// Chassis depth, inches.
    pub depth_in: f64,
    /// Data drives.
    pub drives: u32,
    /// Mean annualized failure rate of the data drives, percent.
    pub afr_pct: f64,
    /// Raw capacity.
    pub raw: Bytes,
    /// Usable capacity of one pod under the plan's grouping.
    pub usable: Bytes,
    /// The grouping the usable capacity is for.
    pub grouping: Grouping,
    /// Draw at the wall while running.
    pub load: Watts,
    /// Where the running draw comes from.
    pub load_source: String,
    /// Peak draw at the wall while the pod spins up.
    pub spinup_peak: Watts,
    /// The BOM, one pod.
    pub lines: Vec<PodLine>,
}

/// When pods are bought.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// At the start of each period, what that period needs.
    AsNeeded,
    /// Everything the horizon needs, in the first period.
    UpFront,
}

/// One limit on the pods a rack holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RackLimit {
    /// `rack units`, `depth`, `power at load`, `power at spin-up`, `weight`, `switch ports`.
    pub limit: String,
    /// Pods this limit allows per rack (`None`: no limit on the count).
    pub pods: Option<u32>,
    /// How it was reckoned.
    pub detail: String,
}

/// How many pods a rack holds and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RackFit {
    /// Pods per rack.
    pub pods_per_rack: u32,
    /// The limit that binds.
    pub binding: String,
    /// Every limit.
    pub limits: Vec<RackLimit>,
    /// How far the chassis overhangs the rack, inches (0 when it fits).
    pub overhang_in: f64,
}

/// Capital spent in a period.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Capex {
    /// Pods, from the BOM at that period's prices.
    pub pods: Cents,
    /// Empty racks.
    pub racks: Cents,
    /// Top-of-rack switches.
    pub switches: Cents,
    /// The sum.
    pub total: Cents,
}

/// Operating cost of a period.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Opex {
    /// Energy: wall power × PUE × hours × price per kWh.
    pub energy: Cents,
    /// Space rental.
    pub space: Cents,
    /// Bandwidth.
    pub bandwidth: Cents,
    /// Drives bought to replace failed ones: AFR × drives × period × drive price.
    pub drive_replacements: Cents,
    /// Labour: pods installed and drives replaced.
    pub labour: Cents,
    /// The sum.
    pub total: Cents,
}

/// One line of a period's purchase order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderLine {
    /// Part id (`rack`, `switch` for the site's).
    pub part: String,
    /// Name.
    pub name: String,
    /// Part number.
    pub part_number: Option<String>,
    /// Supplier.
    pub supplier: Option<String>,
    /// Quantity.
    pub qty: u64,
    /// Unit price at that period.
    pub unit: Cents,
    /// Quantity × unit price.
    pub extended: Cents,
    /// The quantity price break that set `unit` (its least quantity), when one applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_break: Option<u64>,
}

/// One period of the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodRow {
    /// 0-based index.
    pub index: u32,
    /// `Y1`, or `Y1 Q2`.
    pub label: String,
    /// Years from the start of the plan to the start of the period.
    pub starts_year: f64,
    /// Usable capacity needed at the period's end.
    pub demand: Bytes,
    /// Demand plus headroom: what the pods bought must cover.
    pub target: Bytes,
    /// Pods bought at the period's start.
    pub pods_bought: u64,
    /// Pods installed during the period.
    pub pods: u64,
    /// Vaults formed (0 for stand-alone pods).
    pub vaults: u64,
    /// Racks bought.
    pub racks_bought: u64,
    /// Racks in use.
    pub racks: u64,
    /// Switch ports in use.
    pub switch_ports: u64,
    /// List price of one data drive this period (the first data-drive part), which prices
    /// the replacements, bought a few at a time.
    pub drive_price: Cents,
    /// Price of one pod in this period's purchase, at the quantity breaks its order reaches
    /// (one pod's price when nothing is bought).
    pub pod_price: Cents,
    /// Usable capacity installed.
    pub usable: Bytes,
    /// Capital spent.
    pub capex: Capex,
    /// Operating cost.
    pub opex: Opex,
    /// Energy at the meter, kWh (PUE included).
    pub energy_kwh: f64,
    /// Expected drive failures.
    pub drive_failures: f64,
    /// Capital spent to date.
    pub cumulative_capex: Cents,
    /// Operating cost to date.
    pub cumulative_opex: Cents,
    /// (Capex + opex) to date per usable TB-month delivered to date.
    pub cost_per_tb_month_to_date: f64,
    /// The purchase order (empty when nothing is bought).
    pub order: Vec<OrderLine>,
}

/// Totals over the horizon.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    /// Capital.
    pub capex: Capex,
    /// Operating cost.
    pub opex: Opex,
    /// Capex + opex.
    pub tco: Cents,
    /// Usable TB-months delivered (installed usable TB × months).
    pub usable_tb_months: f64,
    /// TCO per usable TB-month.
    pub per_tb_month: f64,
    /// Demanded TB-months (demand at each period's end × months).
    pub demand_tb_months: f64,
    /// TCO per demanded TB-month.
    pub per_demand_tb_month: f64,
    /// Pods at the end.
    pub pods: u64,
    /// Racks at the end.
    pub racks: u64,
    /// Usable capacity at the end.
    pub usable: Bytes,
    /// Demand at the end.
    pub demand: Bytes,
}

/// The operating cost of one rack for one month, in the last period: where each third goes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RackMonth {
    /// Pods in a full rack.
    pub pods: u32,
    /// Energy.
    pub energy: Cents,
    /// Space.
    pub space: Cents,
    /// Bandwidth.
    pub bandwidth: Cents,
    /// Drive replacements and labour.
    pub drives_and_labour: Cents,
    /// The sum.
    pub total: Cents,
}

/// Buying as needed against buying everything up front.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Waiting {
    /// As needed: capex, opex, TCO.
    pub as_needed: (Cents, Cents, Cents),
    /// Up front: capex, opex, TCO.
    pub up_front: (Cents, Cents, Cents),
    /// What the falling drive price saves on the pods bought later, against their price in
    /// the first period.
    pub price_decline_saved: Cents,
    /// Up-front TCO less as-needed TCO (positive: waiting saves).
    pub tco_saved: Cents,
}

/// A limit the user set that the plan breaks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Broken {
    /// The limit (`budget`).
    pub limit: String,
    /// What breaks it.
    pub message: String,
}

/// The whole plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanReport {
    /// Plan name.
    pub name: String,
    /// The pod.
    pub pod: PodFacts,
    /// Strategy of the schedule.
    pub strategy: Strategy,
    /// Period length.
    pub period: super::Period,
    /// Horizon, years.
    pub horizon_years: u32,
    /// Headroom, percent.
    pub headroom_pct: f64,
    /// Drive price decline, percent a year.
    pub drive_price_decline_pct: f64,
    /// Pods per rack and what binds.
    pub rack_fit: RackFit,
    /// The periods.
    pub periods: Vec<PeriodRow>,
    /// Totals.
    pub totals: Totals,
    /// A full rack's month at the last period's prices.
    pub rack_month: Option<RackMonth>,
    /// As needed against up front.
    pub waiting: Option<Waiting>,
    /// Budget, if one was set.
    pub budget: Option<Cents>,
    /// Limits the user set that the plan breaks.
    pub broken: Vec<Broken>,
    /// Notes: flags (an overhang allowed), the Vault placement rule.
    pub notes: Vec<String>,
    /// Every factor, with its source.
    pub factors: Vec<f::Factor>,
}

fn too_large() -> PlanError {
    PlanError::TooLarge("the plan's money exceeds what 64-bit cents hold".into())
}

fn add(a: Cents, b: Cents) -> Result<Cents, PlanError> {
    a.checked_add(b).ok_or_else(too_large)
}

fn mul(a: Cents, n: u64) -> Result<Cents, PlanError> {
    a.checked_mul(n).ok_or_else(too_large)
}

/// Rounds a float amount of cents to whole cents, refusing what is not a finite amount within
/// a dozen digits of currency units.
fn cents_of(v: f64) -> Result<Cents, PlanError> {
    if !v.is_finite() || v.abs() >= 1e14 {
        return Err(too_large());
    }
    Ok(Cents(v.round() as i64))
}

/// The price of one data drive `years` after the design's price date, falling `decline_pct`
/// a year, compounded, rounded to the cent.
pub(crate) fn declined(unit: Cents, decline_pct: f64, years: f64) -> Cents {
    let factor = (1.0 - decline_pct / 100.0).max(0.0).powf(years.max(0.0));
    Cents((unit.0 as f64 * factor).round() as i64)
}

/// The pods a rack holds under each limit, and the one that binds first.
pub fn rack_fit(pod: &PodFacts, req: &PlanRequest) -> Result<RackFit, PlanError> {
    let s = &req.site;
    let mut limits = Vec::new();
    let free_units = s.rack_units.saturating_sub(s.switch.rack_units);
    let by_units = free_units / pod.rack_units.max(1);
    limits.push(RackLimit {
        limit: "rack units".into(),
        pods: Some(by_units),
        detail: format!(
            "({} U − {} U switch) / {} U per pod",
            s.rack_units, s.switch.rack_units, pod.rack_units
        ),
    });
    if by_units == 0 {
        return Err(PlanError::SiteCannotHold {
            limit: "rack-units",
            place: "site.rack_units".into(),
            message: format!(
                "a {} U rack with a {} U switch has no room for a {} U pod",
                s.rack_units, s.switch.rack_units, pod.rack_units
            ),
        });
    }
    let overhang = (pod.depth_in - s.rack_depth_in).max(0.0);
    limits.push(RackLimit {
        limit: "depth".into(),
        pods: None,
        detail: if overhang > 0.0 {
            format!(
                "chassis {:.2} in deep in a {} in rack: overhangs {overhang:.2} in (allowed: {} in)",
                pod.depth_in,
                crate::units::trim_float(s.rack_depth_in),
                crate::units::trim_float(s.max_overhang_in)
            )
        } else {
            format!(
                "chassis {:.2} in deep fits a {} in rack",
                pod.depth_in,
                crate::units::trim_float(s.rack_depth_in)
            )
        },
    });
    if overhang > s.max_overhang_in {
        return Err(PlanError::SiteCannotHold {
            limit: "rack-depth",
            place: "site.rack_depth_in".into(),
            message: format!(
                "{}'s chassis is {:.2} in deep and overhangs a {} in rack by {overhang:.2} in; use deeper racks, or accept the overhang with `max_overhang_in: {}` (--max-overhang {})",
                pod.design,
                pod.depth_in,
                crate::units::trim_float(s.rack_depth_in),
                overhang.ceil(),
                overhang.ceil()
            ),
        });
    }
    power_limits(pod, req, &mut limits)?;
    other_limits(pod, req, &mut limits)?;
    let (pods_per_rack, binding) = limits
        .iter()
        .filter_map(|l| l.pods.map(|p| (p, l.limit.clone())))
        .min_by_key(|(p, _)| *p)
        .unwrap_or((by_units, "rack units".into()));
    Ok(RackFit {
        pods_per_rack,
        binding,
        limits,
        overhang_in: overhang,
    })
}

fn power_limits(
    pod: &PodFacts,
    req: &PlanRequest,
    limits: &mut Vec<RackLimit>,
) -> Result<(), PlanError> {
    let s = &req.site;
    let rack = s.rack_power.0;
    let load = pod.load.0.max(1e-9);
    let peak = pod.spinup_peak.0.max(load);
    let by_load = (rack / load).floor().min(1e6) as u32;
    limits.push(RackLimit {
        limit: "power at load".into(),
        pods: Some(by_load),
        detail: format!("{rack:.0} W / {load:.0} W per pod running"),
    });
    if peak > rack {
        return Err(PlanError::SiteCannotHold {
            limit: "rack-power",
            place: "site.rack_power".into(),
            message: format!(
                "{rack:.0} W per rack ({}) is below one pod's spin-up peak of {peak:.0} W at the wall; give more power per rack",
                s.rack_power_text
            ),
        });
    }
    let (by_peak, detail) = match s.spinup {
        SpinUp::Together => (
            (rack / peak).floor().min(1e6) as u32,
            format!("{rack:.0} W / {peak:.0} W per pod spinning up, all pods at once"),
        ),
        SpinUp::Sequenced => (
            (1.0 + ((rack - peak) / load).floor()).min(1e6) as u32,
            format!(
                "one pod spinning up ({peak:.0} W) while the others run ({load:.0} W each) within {rack:.0} W"
            ),
        ),
    };
    limits.push(RackLimit {
        limit: "power at spin-up".into(),
        pods: Some(by_peak),
        detail,
    });
    Ok(())
}

fn other_limits(
    pod: &PodFacts,
    req: &PlanRequest,
    limits: &mut Vec<RackLimit>,
) -> Result<(), PlanError> {
    let s = &req.site;
    if let (Some(max), Some(each)) = (s.rack_weight_limit_lb, s.pod_weight_lb) {
        let n = (max / each).floor().min(1e6) as u32;
        if n == 0 {
            return Err(PlanError::SiteCannotHold {
                limit: "rack-weight",
                place: "site.rack_weight_limit_lb".into(),
                message: format!("a rack that carries {max} lb cannot hold one {each} lb pod"),
            });
        }
        limits.push(RackLimit {
            limit: "weight".into(),
            pods: Some(n),
            detail: format!("{max} lb / {each} lb per pod"),
        });
    }
    let ports = s.switch.ports - s.switch.uplinks;
    let by_ports = ports / s.ports_per_pod;
    if by_ports == 0 {
        return Err(PlanError::SiteCannotHold {
            limit: "switch-ports",
            place: "site.ports_per_pod".into(),
            message: format!(
                "a switch with {ports} free ports cannot take a pod that needs {}",
                s.ports_per_pod
            ),
        });
    }
    limits.push(RackLimit {
        limit: "switch ports".into(),
        pods: Some(by_ports),
        detail: format!(
            "({} ports − {} uplinks) / {} per pod",
            s.switch.ports, s.switch.uplinks, s.ports_per_pod
        ),
    });
    let _ = pod;
    Ok(())
}

/// Pods needed so that `unit`-sized groups of pods of `usable` bytes cover `target`.
pub(crate) fn pods_for(target: Bytes, usable: Bytes, unit: u32) -> Result<u64, PlanError> {
    if usable.is_zero() {
        return Err(PlanError::NoCapacity(
            "a pod with no usable capacity".into(),
        ));
    }
    let per_unit = u128::from(usable.0) * u128::from(unit.max(1));
    let units = u128::from(target.0).div_ceil(per_unit);
    let pods = units * u128::from(unit.max(1));
    if pods > u128::from(MAX_PODS) {
        return Err(PlanError::TooLarge(format!(
            "the demand needs {pods} pods, beyond the {MAX_PODS} a plan takes"
        )));
    }
    Ok(pods as u64)
}

/// Racks for `pods` pods: by pods per rack, and at least a Vault's width when Vaults spread
/// one pod per rack.
pub(crate) fn racks_for(pods: u64, per_rack: u32, grouping: Grouping) -> u64 {
    if pods == 0 {
        return 0;
    }
    let by_count = pods.div_ceil(u64::from(per_rack.max(1)));
    match grouping {
        Grouping::Standalone => by_count,
        Grouping::Vault { .. } => by_count.max(u64::from(grouping.unit() / f::VAULT_PODS_PER_RACK)),
    }
}

/// The demand at the end of each period, and the target with headroom; a demand beyond
/// [`super::request::MAX_DEMAND`] is an error, never a saturated figure.
fn demands(req: &PlanRequest) -> Result<Vec<(Bytes, Bytes)>, PlanError> {
    let ppy = req.period.per_year();
    let max = super::request::MAX_DEMAND;
    (0..req.horizon_years * ppy)
        .map(|p| {
            let end = f64::from(p + 1) / f64::from(ppy);
            let d = req.demand.at(end);
            let target = d.0 as f64 * (1.0 + req.headroom_pct / 100.0);
            if d >= max || target >= max.0 as f64 {
                return Err(PlanError::TooLarge(format!(
                    "the demand with its headroom grows beyond 10 EB by {}, more than a plan takes; shorten the horizon or slow the growth",
                    period_label(p, ppy)
                )));
            }
            Ok((d, d.scale(1.0 + req.headroom_pct / 100.0)))
        })
        .collect()
}

/// A pod line at a period's price, with the quantity break that set it.
type Priced = (PodLine, Option<u64>);

/// The pod's lines at a period's prices for an order of `pods` pods, each with the quantity
/// break its part's units in the order reach, and the price of one pod at those prices.
fn priced_lines(
    pod: &PodFacts,
    req: &PlanRequest,
    years: f64,
    pods: u64,
) -> Result<(Vec<Priced>, Cents), PlanError> {
    // A part on two lines (a data drive also used as a boot drive) reaches its break by its
    // units over both.
    let mut units: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
    for l in &pod.lines {
        let e = units.entry(l.part.as_str()).or_default();
        *e = e.saturating_add(l.qty_per_pod.saturating_mul(pods));
    }
    let mut total = Cents::ZERO;
    let mut out = Vec::with_capacity(pod.lines.len());
    for l in &pod.lines {
        let brk = l.break_for(units.get(l.part.as_str()).copied().unwrap_or(0));
        let list = brk.map_or(l.unit, |b| b.1);
        let unit = if l.data_drive {
            declined(list, req.drive_price_decline_pct, years)
        } else {
            list
        };
        total = add(total, mul(unit, l.qty_per_pod)?)?;
        out.push((PodLine { unit, ..l.clone() }, brk.map(|b| b.0)));
    }
    Ok((out, total))
}

/// The list price of one data drive `years` into the plan (the first data-drive line).
fn drive_list_price(pod: &PodFacts, req: &PlanRequest, years: f64) -> Cents {
    pod.lines
        .iter()
        .find(|l| l.data_drive)
        .map_or(Cents::ZERO, |l| {
            declined(l.unit, req.drive_price_decline_pct, years)
        })
}

fn order(
    lines: &[Priced],
    pods: u64,
    racks: u64,
    req: &PlanRequest,
) -> Result<Vec<OrderLine>, PlanError> {
    let mut out = Vec::new();
    if pods > 0 {
        for (l, price_break) in lines {
            let qty = l.qty_per_pod.checked_mul(pods).ok_or_else(too_large)?;
            out.push(OrderLine {
                part: l.part.clone(),
                name: l.name.clone(),
                part_number: l.part_number.clone(),
                supplier: l.supplier.clone(),
                qty,
                unit: l.unit,
                extended: mul(l.unit, qty)?,
                price_break: *price_break,
            });
        }
    }
    if racks > 0 {
        let s = &req.site;
        for (part, name, unit) in [
            ("rack", "Rack with PDUs (site)", s.rack_price),
            ("switch", "Top-of-rack switch (site)", s.switch.price),
        ] {
            out.push(OrderLine {
                part: part.into(),
                name: name.into(),
                part_number: None,
                supplier: None,
                qty: racks,
                unit,
                extended: mul(unit, racks)?,
                price_break: None,
            });
        }
    }
    Ok(out)
}

/// What the pods, racks and drives of one period cost to run.
fn opex(
    pod: &PodFacts,
    req: &PlanRequest,
    pods: u64,
    racks: u64,
    bought: u64,
    drive_price: Cents,
) -> Result<(Opex, f64, f64), PlanError> {
    let s = &req.site;
    let months = req.period.months();
    let hours = f::HOURS_PER_MONTH * f64::from(months);
    let kwh = pods as f64 * pod.load.0 * hours * s.pue / 1000.0;
    // Price in millicents per kWh: ÷ 1000 gives cents.
    let energy = cents_of(kwh * s.price_per_kwh.0 as f64 / 1000.0)?;
    let rack_months = racks.checked_mul(u64::from(months)).ok_or_else(too_large)?;
    let space = mul(s.space_per_rack_month, rack_months)?;
    let bandwidth = mul(s.bandwidth_per_rack_month, rack_months)?;
    let failures = pods as f64 * f64::from(pod.drives) * pod.afr_pct / 100.0 * f64::from(months)
        / f64::from(f::MONTHS_PER_YEAR);
    let drive_replacements = cents_of(failures * drive_price.0 as f64)?;
    let labour = add(
        mul(s.labour_per_pod, bought)?,
        cents_of(failures * s.labour_per_drive.0 as f64)?,
    )?;
    let total = [space, bandwidth, drive_replacements, labour]
        .into_iter()
        .try_fold(energy, add)?;
    Ok((
        Opex {
            energy,
            space,
            bandwidth,
            drive_replacements,
            labour,
            total,
        },
        kwh,
        failures,
    ))
}

fn period_label(p: u32, ppy: u32) -> String {
    if ppy == 1 {
        format!("Y{}", p + 1)
    } else {
        format!("Y{} Q{}", p / ppy + 1, p % ppy + 1)
    }
}

/// The schedule of purchases and costs, period by period.
pub fn schedule(
    pod: &PodFacts,
    req: &PlanRequest,
    fit: &RackFit,
    strategy: Strategy,
) -> Result<Vec<PeriodRow>, PlanError> {
    let ppy = req.period.per_year();
    let unit = pod.grouping.unit();
    let d = demands(req)?;
    let peak_target = d.iter().map(|x| x.1).max().unwrap_or(Bytes::ZERO);
    let months = f64::from(req.period.months());
    let (mut pods, mut racks) = (0u64, 0u64);
    let (mut cum_capex, mut cum_opex) = (Cents::ZERO, Cents::ZERO);
    let mut tb_months = 0.0;
    let mut rows = Vec::with_capacity(d.len());
    for (p, &(demand, target)) in d.iter().enumerate() {
        let p = p as u32;
        let years = f64::from(p) / f64::from(ppy);
        let want = match strategy {
            Strategy::AsNeeded => pods_for(target, pod.usable, unit)?,
            Strategy::UpFront => pods_for(peak_target, pod.usable, unit)?,
        };
        let bought = want.saturating_sub(pods);
        pods += bought;
        let need_racks = racks_for(pods, fit.pods_per_rack, pod.grouping);
        let racks_bought = need_racks.saturating_sub(racks);
        racks += racks_bought;
        let (lines, pod_price) = priced_lines(pod, req, years, bought.max(1))?;
        let drive_price = drive_list_price(pod, req, years);
        let capex_pods = mul(pod_price, bought)?;
        let capex_racks = mul(req.site.rack_price, racks_bought)?;
        let capex_switches = mul(req.site.switch.price, racks_bought)?;
        let capex = Capex {
            pods: capex_pods,
            racks: capex_racks,
            switches: capex_switches,
            total: add(add(capex_pods, capex_racks)?, capex_switches)?,
        };
        let (opex, energy_kwh, drive_failures) = opex(pod, req, pods, racks, bought, drive_price)?;
        cum_capex = add(cum_capex, capex.total)?;
        cum_opex = add(cum_opex, opex.total)?;
        let usable = pod.usable.saturating_mul(pods);
        tb_months += usable.tb() * months;
        let spent = add(cum_capex, cum_opex)?;
        rows.push(PeriodRow {
            index: p,
            label: period_label(p, ppy),
            starts_year: years,
            demand,
            target,
            pods_bought: bought,
            pods,
            vaults: pods / u64::from(unit)
                * u64::from(matches!(pod.grouping, Grouping::Vault { .. })),
            racks_bought,
            racks,
            switch_ports: pods * u64::from(req.site.ports_per_pod),
            drive_price,
            pod_price,
            usable,
            capex,
            opex,
            energy_kwh,
            drive_failures,
            cumulative_capex: cum_capex,
            cumulative_opex: cum_opex,
            cost_per_tb_month_to_date: if tb_months > 0.0 {
                spent.as_units_f64() / tb_months
            } else {
                0.0
            },
            order: order(&lines, bought, racks_bought, req)?,
        });
    }
    Ok(rows)
}

fn totals(rows: &[PeriodRow], months: f64) -> Result<Totals, PlanError> {
    let mut c = Capex::default();
    let mut o = Opex::default();
    for r in rows {
        c.pods = add(c.pods, r.capex.pods)?;
        c.racks = add(c.racks, r.capex.racks)?;
        c.switches = add(c.switches, r.capex.switches)?;
        c.total = add(c.total, r.capex.total)?;
        o.energy = add(o.energy, r.opex.energy)?;
        o.space = add(o.space, r.opex.space)?;
        o.bandwidth = add(o.bandwidth, r.opex.bandwidth)?;
        o.drive_replacements = add(o.drive_replacements, r.opex.drive_replacements)?;
        o.labour = add(o.labour, r.opex.labour)?;
        o.total = add(o.total, r.opex.total)?;
    }
    let tco = add(c.total, o.total)?;
    let usable_tb_months: f64 = rows.iter().map(|r| r.usable.tb() * months).sum();
    let demand_tb_months: f64 = rows.iter().map(|r| r.demand.tb() * months).sum();
    let per = |x: f64| if x > 0.0 { tco.as_units_f64() / x } else { 0.0 };
    let last = rows.last();
    Ok(Totals {
        capex: c,
        opex: o,
        tco,
        usable_tb_months,
        per_tb_month: per(usable_tb_months),
        demand_tb_months,
        per_demand_tb_month: per(demand_tb_months),
        pods: last.map_or(0, |r| r.pods),
        racks: last.map_or(0, |r| r.racks),
        usable: last.map_or(Bytes::ZERO, |r| r.usable),
        demand: last.map_or(Bytes::ZERO, |r| r.demand),
    })
}

/// One full rack's month at the last period's drive price: energy and drives for the pods a
/// rack holds, space and bandwidth per rack.
fn rack_month(
    pod: &PodFacts,
    req: &PlanRequest,
    fit: &RackFit,
    last: &PeriodRow,
) -> Result<RackMonth, PlanError> {
    let s = &req.site;
    let n = f64::from(fit.pods_per_rack);
    let kwh = n * pod.load.0 * f::HOURS_PER_MONTH * s.pue / 1000.0;
    let energy = cents_of(kwh * s.price_per_kwh.0 as f64 / 1000.0)?;
    let failures = n * f64::from(pod.drives) * pod.afr_pct / 100.0 / f64::from(f::MONTHS_PER_YEAR);
    let drives_and_labour =
        cents_of(failures * (last.drive_price.0 + s.labour_per_drive.0) as f64)?;
    let total = [
        s.space_per_rack_month,
        s.bandwidth_per_rack_month,
        drives_and_labour,
    ]
    .into_iter()
    .try_fold(energy, add)?;
    Ok(RackMonth {
        pods: fit.pods_per_rack,
        energy,
        space: s.space_per_rack_month,
        bandwidth: s.bandwidth_per_rack_month,
        drives_and_labour,
        total,
    })
}

/// What the falling drive price saves on the pods bought after the first period: each
/// purchase at its period's price against the same purchase at the first period's, both at
/// the purchase's own quantity breaks, so that only the decline counts.
fn price_decline_saved(
    pod: &PodFacts,
    req: &PlanRequest,
    rows: &[PeriodRow],
) -> Result<Cents, PlanError> {
    rows.iter().try_fold(Cents::ZERO, |acc, r| {
        if r.pods_bought == 0 {
            return Ok(acc);
        }
        let (_, at_start) = priced_lines(pod, req, 0.0, r.pods_bought)?;
        add(
            acc,
            mul(at_start.saturating_sub(r.pod_price), r.pods_bought)?,
        )
    })
}

/// Computes the plan: pods, Vaults and racks per period, and what they cost.
pub fn compute(pod: &PodFacts, req: &PlanRequest) -> Result<PlanReport, PlanError> {
    if pod.usable.is_zero() {
        return Err(PlanError::NoCapacity(format!(
            "{} has no usable capacity under this grouping",
            pod.design
        )));
    }
    let fit = rack_fit(pod, req)?;
    let (_, first_price) = priced_lines(pod, req, 0.0, 1)?;
    if let Some(b) = req.budget
        && b < first_price
    {
        return Err(PlanError::BudgetBelowPod {
            message: format!(
                "a budget of {b} is below the price of one {} pod, {first_price}",
                pod.design
            ),
        });
    }
    let rows = schedule(pod, req, &fit, Strategy::AsNeeded)?;
    let months = f64::from(req.period.months());
    let totals = totals(&rows, months)?;
    let up = schedule(pod, req, &fit, Strategy::UpFront)?;
    let up_totals = self::totals(&up, months)?;
    let waiting = Waiting {
        as_needed: (totals.capex.total, totals.opex.total, totals.tco),
        up_front: (up_totals.capex.total, up_totals.opex.total, up_totals.tco),
        price_decline_saved: price_decline_saved(pod, req, &rows)?,
        tco_saved: up_totals.tco.saturating_sub(totals.tco),
    };
    let mut broken = Vec::new();
    if let Some(b) = req.budget
        && let Some(r) = rows.iter().find(|r| r.cumulative_capex > b)
    {
        broken.push(Broken {
            limit: "budget".into(),
            message: format!(
                "capital spent reaches {} in {}, beyond the budget of {b}",
                r.cumulative_capex, r.label
            ),
        });
    }
    let mut notes = Vec::new();
    if fit.overhang_in > 0.0 {
        notes.push(format!(
            "FLAG: the {:.2} in chassis overhangs the {} in rack by {:.2} in (allowed up to {} in): check rear clearance and cabling",
            pod.depth_in,
            crate::units::trim_float(req.site.rack_depth_in),
            fit.overhang_in,
            crate::units::trim_float(req.site.max_overhang_in)
        ));
    }
    let at_break: Vec<&str> = rows
        .iter()
        .filter(|r| r.order.iter().any(|l| l.price_break.is_some()))
        .map(|r| r.label.as_str())
        .collect();
    if !at_break.is_empty() {
        notes.push(format!(
            "Quantity price breaks from the parts list apply to the purchases of {} (each part at the break its units in the order reach; replacement drives at list price)",
            at_break.join(", ")
        ));
    }
    if let Grouping::Vault { data, parity } = pod.grouping {
        notes.push(format!(
            "Vaults of {data}+{parity} pods are bought whole and spread one pod per rack, as Backblaze places them [S]: at least {} racks",
            data + parity
        ));
    }
    Ok(PlanReport {
        name: req.name.clone(),
        pod: pod.clone(),
        strategy: Strategy::AsNeeded,
        period: req.period,
        horizon_years: req.horizon_years,
        headroom_pct: req.headroom_pct,
        drive_price_decline_pct: req.drive_price_decline_pct,
        rack_month: rows
            .last()
            .map(|l| rack_month(pod, req, &fit, l))
            .transpose()?,
        rack_fit: fit,
        periods: rows,
        totals,
        waiting: Some(waiting),
        budget: req.budget,
        broken,
        notes,
        factors: req.factors.clone(),
    })
}
