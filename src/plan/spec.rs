//! The plan-file language: serde structs that mirror a `Plan(...)` RON file one to one.
//!
//! This file owns the *shape* of a plan file and nothing else, in the style of `crate::spec`:
//! every struct denies unknown fields (a typo is a syntax error with its line and column),
//! values that need checking (capacities, prices, rack power, percentages) stay as the user
//! wrote them, and every field may be left out, falling back to the default named in
//! `super::factors`. `super::request` turns this into a checked [`super::PlanRequest`],
//! reporting each bad value with its place (`site.pue`). Nothing here computes.

use serde::{Deserialize, Serialize};

/// A fleet and procurement plan: what to deploy, against what demand, on what site.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Plan")]
pub struct PlanSpec {
    /// Display name of the plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The pod design to deploy: a design file, relative to the plan file's directory, or the
    /// name of a built-in design (`"backblaze-pod-6.0.ron"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub design: Option<String>,
    /// How pods are grouped: `Standalone` (the design's own RAID) or `Vault(data: 17,
    /// parity: 3)`. Default: the design's Vault when it names one, else stand-alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grouping: Option<GroupingSpec>,
    /// Usable capacity needed over time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub demand: Option<DemandSpec>,
    /// Years planned (1 to 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub horizon_years: Option<u32>,
    /// Length of a planning period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<PeriodSpec>,
    /// Usable capacity bought beyond the demand at each period's end, percent (0 to 500).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headroom_pct: Option<f64>,
    /// Yearly fall of the data-drive price, percent (0 to 90): `15.0` = 15 %/yr.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drive_price_decline_pct: Option<f64>,
    /// A cap on the capital spent over the horizon, e.g. `"2,000,000.00"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<String>,
    /// The data centre.
    #[serde(default)]
    pub site: SiteSpec,
}

/// How pods are grouped into redundancy groups.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum GroupingSpec {
    /// Each pod stands alone with the design's RAID groups.
    Standalone,
    /// Pods are bought in Vaults of `data + parity` pods (Backblaze: 17 + 3).
    Vault {
        /// Data shards.
        data: u32,
        /// Parity shards.
        parity: u32,
    },
}

/// Usable capacity needed over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum DemandSpec {
    /// `start` now, growing by `rate_pct` percent a year, compounded.
    Growth {
        /// Usable capacity needed now, e.g. `"5 PB"`.
        start: String,
        /// Growth, percent a year (−50 to 1000).
        rate_pct: f64,
    },
    /// Usable capacity needed in each year, in order, e.g. `["5 PB", "7 PB", "10 PB"]`.
    Schedule(Vec<String>),
}

/// Length of a planning period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PeriodSpec {
    /// One period a year.
    Year,
    /// Four periods a year.
    Quarter,
}

/// Whether the pods of a rack may spin up together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SpinUpSpec {
    /// Every pod of a rack starts at once (after a power cut): the rack carries every pod's
    /// spin-up peak.
    Together,
    /// Pods are started one at a time, as Backblaze did (one PSU, then the other): the rack
    /// carries the running load of the others plus one pod's peak.
    Sequenced,
}

/// The data centre: racks, power, prices of space, power, bandwidth and labour.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Site")]
pub struct SiteSpec {
    /// Rack height, rack units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rack_units: Option<u32>,
    /// Usable rack depth, inches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rack_depth_in: Option<f64>,
    /// How far a chassis may overhang the rack, inches (0: it must fit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_overhang_in: Option<f64>,
    /// Power per rack: `"5 kW"`, or a circuit `"30 A @ 208 V"` (derated for continuous load).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rack_power: Option<String>,
    /// Whether the pods of a rack spin up together or one at a time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spinup: Option<SpinUpSpec>,
    /// Weight limit of a rack, pounds (with `pod_weight_lb`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rack_weight_limit_lb: Option<f64>,
    /// Weight of one loaded pod, pounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_weight_lb: Option<f64>,
    /// A pod's measured draw at the wall, watts; default: the power model's load over the PSU
    /// efficiency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_watts: Option<f64>,
    /// Power supply efficiency, percent (converts the model's DC watts to wall watts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub psu_efficiency_pct: Option<f64>,
    /// Power usage effectiveness of the data centre (1.0 to 3.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pue: Option<f64>,
    /// Price of energy per kWh, e.g. `"0.10"` (up to five decimals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_per_kwh: Option<String>,
    /// Space rental per rack and month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub space_per_rack_month: Option<String>,
    /// Bandwidth per rack and month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bandwidth_per_rack_month: Option<String>,
    /// Price of one empty rack (cabinet, PDUs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rack_price: Option<String>,
    /// The top-of-rack switch, one per rack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub switch: Option<SwitchSpec>,
    /// Switch ports each pod uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports_per_pod: Option<u32>,
    /// Labour to install one pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labour_per_pod: Option<String>,
    /// Labour to replace one failed drive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labour_per_drive: Option<String>,
}

/// A top-of-rack switch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Switch")]
pub struct SwitchSpec {
    /// Ports.
    pub ports: u32,
    /// Ports kept for uplinks.
    #[serde(default)]
    pub uplinks: u32,
    /// Height, rack units.
    #[serde(default = "one")]
    pub rack_units: u32,
    /// Price.
    pub price: String,
}

fn one() -> u32 {
    1
}
