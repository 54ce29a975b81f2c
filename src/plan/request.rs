//! A plan file (and the flags laid over it) checked into a typed [`PlanRequest`].
//!
//! This file owns every range check of a plan's inputs and the parsing of its quantities
//! (capacities, money, energy prices, rack power), each failure a [`PlanError`] with a stable
//! code and the place in the plan (`site.pue`, `demand.rate_pct`). It also records where each
//! value came from (the plan file, a flag, a default) for the factor table. It computes no
//! plan: that is `super::engine`.

use super::PlanError;
use super::factors as f;
use super::spec::{DemandSpec, GroupingSpec, PeriodSpec, PlanSpec, SiteSpec, SpinUpSpec};
use crate::units::{Bytes, Cents, QuantityError, Watts, parse_bytes, parse_cents};
use serde::Serialize;
use std::collections::BTreeSet;

/// Largest demand a plan takes: 10 EB (10^19 B), far beyond any single fleet.
pub const MAX_DEMAND: Bytes = Bytes(10_000_000_000_000_000_000);

/// Longest horizon, years.
pub(crate) const MAX_HORIZON_YEARS: u32 = 30;

/// An energy price in millicents (10^-5 of the currency unit) per kWh: `"0.10"` = 10,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct MilliCentsPerKwh(pub i64);

impl MilliCentsPerKwh {
    /// The price in currency units per kWh.
    pub(crate) fn per_kwh(self) -> f64 {
        self.0 as f64 / 100_000.0
    }
}

/// Length of a planning period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// A year.
    Year,
    /// A quarter.
    Quarter,
}

impl Period {
    /// Periods in a year.
    pub(crate) fn per_year(self) -> u32 {
        match self {
            Period::Year => 1,
            Period::Quarter => 4,
        }
    }
    /// Months in a period.
    pub fn months(self) -> u32 {
        f::MONTHS_PER_YEAR / self.per_year()
    }
}

/// How pods are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Grouping {
    /// Each pod on its own, with the design's RAID groups.
    Standalone,
    /// Vaults of `data + parity` pods.
    Vault {
        /// Data shards.
        data: u32,
        /// Parity shards.
        parity: u32,
    },
}

impl Grouping {
    /// Pods bought together: the Vault's width, or 1.
    pub fn unit(self) -> u32 {
        match self {
            Grouping::Standalone => 1,
            Grouping::Vault { data, parity } => data + parity,
        }
    }
}

/// Usable capacity needed over time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Demand {
    /// `start` now, growing `rate_pct` %/yr compounded.
    Growth {
        /// Needed now.
        start: Bytes,
        /// Percent a year.
        rate_pct: f64,
    },
    /// Needed in each year (the last year's figure holds after the list ends).
    Schedule(Vec<Bytes>),
}

impl Demand {
    /// Usable capacity needed at `years` from the start (a growth compounds continuously in
    /// whole periods; a schedule steps at each year).
    pub fn at(&self, years: f64) -> Bytes {
        match self {
            Demand::Growth { start, rate_pct } => {
                start.scale((1.0 + rate_pct / 100.0).powf(years).min(1e9))
            }
            Demand::Schedule(v) => {
                // Year y (1-based) covers (y−1, y]; the period ending at `years` is in year ⌈years⌉.
                let i = (years.ceil() as usize).saturating_sub(1).min(v.len() - 1);
                v[i]
            }
        }
    }
}

/// Whether a rack's pods spin up together or one at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SpinUp {
    /// All at once.
    Together,
    /// One at a time.
    Sequenced,
}

/// The top-of-rack switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Switch {
    /// Ports.
    pub ports: u32,
    /// Ports kept for uplinks.
    pub uplinks: u32,
    /// Height, rack units.
    pub rack_units: u32,
    /// Price.
    pub price: Cents,
}

/// The checked site facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Site {
    /// Rack height, U.
    pub rack_units: u32,
    /// Rack depth, inches.
    pub rack_depth_in: f64,
    /// Overhang allowed, inches.
    pub max_overhang_in: f64,
    /// Usable power per rack (a circuit already derated).
    pub rack_power: Watts,
    /// The rack power as given.
    pub rack_power_text: String,
    /// Spin-up policy.
    pub spinup: SpinUp,
    /// Rack weight limit, lb.
    pub rack_weight_limit_lb: Option<f64>,
    /// Pod weight, lb.
    pub pod_weight_lb: Option<f64>,
    /// A pod's measured wall draw, overriding the power model.
    pub pod_watts: Option<Watts>,
    /// PSU efficiency, percent.
    pub psu_efficiency_pct: f64,
    /// Power usage effectiveness.
    pub pue: f64,
    /// Energy price.
    pub price_per_kwh: MilliCentsPerKwh,
    /// Space per rack-month.
    pub space_per_rack_month: Cents,
    /// Bandwidth per rack-month.
    pub bandwidth_per_rack_month: Cents,
    /// Price of a rack.
    pub rack_price: Cents,
    /// The switch.
    pub switch: Switch,
    /// Switch ports per pod.
    pub ports_per_pod: u32,
    /// Labour per pod installed.
    pub labour_per_pod: Cents,
    /// Labour per drive replaced.
    pub labour_per_drive: Cents,
}

/// A checked plan request: everything the engine needs besides the pod.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanRequest {
    /// Plan name.
    pub name: String,
    /// Demand.
    pub demand: Demand,
    /// Horizon, years.
    pub horizon_years: u32,
    /// Period length.
    pub period: Period,
    /// Headroom, percent.
    pub headroom_pct: f64,
    /// Grouping; `None` means the design's own (its Vault, else stand-alone).
    pub grouping: Option<Grouping>,
    /// Drive price decline, percent a year.
    pub drive_price_decline_pct: f64,
    /// Capital budget over the horizon.
    pub budget: Option<Cents>,
    /// Site facts.
    pub site: Site,
    /// Every factor with its value and where it came from.
    pub factors: Vec<f::Factor>,
}

/// Where a plan's values came from: names given in the plan file and names given as flags
/// (plan-file field names, `site.pue`).
#[derive(Debug, Clone, Default)]
pub struct Origins {
    /// Fields set by a flag (`--pue` → `site.pue`), with the flag.
    pub flags: Vec<(String, String)>,
    /// Fields present in the plan file.
    pub file: BTreeSet<String>,
}

impl Origins {
    fn of(&self, place: &str, default_source: &str) -> String {
        if let Some((_, flag)) = self.flags.iter().find(|(p, _)| p == place) {
            flag.clone()
        } else if self.file.contains(place) {
            "plan file".into()
        } else {
            format!("default: {default_source}")
        }
    }
}

fn invalid(place: &str, message: impl Into<String>) -> PlanError {
    PlanError::Invalid {
        place: place.into(),
        message: message.into(),
    }
}

fn range(place: &str, v: f64, lo: f64, hi: f64, unit: &str) -> Result<f64, PlanError> {
    if !v.is_finite() || v < lo || v > hi {
        return Err(PlanError::OutOfRange {
            place: place.into(),
            message: format!(
                "{}{}{unit} is out of range: give {lo} to {hi}",
                crate::units::fmt_bounded(v),
                if unit.is_empty() { "" } else { " " }
            ),
        });
    }
    Ok(v)
}

fn money(place: &str, text: &str) -> Result<Cents, PlanError> {
    let c = parse_cents(text).map_err(|e| invalid(place, e.to_string()))?;
    if c.is_negative() {
        return Err(invalid(
            place,
            format!("{text:?}: an amount cannot be negative"),
        ));
    }
    if c.0 > 1_000_000_000_000 {
        return Err(PlanError::OutOfRange {
            place: place.into(),
            message: format!("{text:?} is beyond ten billion: is a digit too many?"),
        });
    }
    Ok(c)
}

/// Parses an energy price such as `"0.10"` or `"$0.085"` (up to five decimals).
pub(crate) fn parse_kwh_price(text: &str) -> Result<MilliCentsPerKwh, String> {
    let t = text.trim().trim_start_matches('$').replace(',', "");
    let (int, frac) = t.split_once('.').unwrap_or((&t, ""));
    if (int.is_empty() && frac.is_empty()) || frac.len() > 5 {
        return Err(format!(
            "cannot read {text:?}: give a price per kWh such as \"0.10\" (up to five decimals)"
        ));
    }
    let digits = format!("{int}{frac:0<5}");
    if !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() > 12 {
        return Err(format!("cannot read {text:?}: not a price per kWh"));
    }
    digits
        .parse::<i64>()
        .map(MilliCentsPerKwh)
        .map_err(|_| format!("cannot read {text:?}: not a price per kWh"))
}

/// Parses rack power: `"5 kW"`, `"5000 W"`, or a circuit `"30 A @ 208 V"` (derated to
/// [`f::CONTINUOUS_LOAD_SHARE`]).
pub(crate) fn parse_rack_power(text: &str) -> Result<Watts, String> {
    let t = text.trim();
    let num = |s: &str| -> Result<f64, String> {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v > 0.0)
            .ok_or_else(|| format!("cannot read {text:?}: {s:?} is not a positive number"))
    };
    let w = if let Some((a, v)) = t.split_once('@') {
        let a = num(a.trim().trim_end_matches(['A', 'a']))?;
        let v = num(v.trim().trim_end_matches(['V', 'v']))?;
        a * v * f::CONTINUOUS_LOAD_SHARE
    } else if let Some(kw) = t.strip_suffix("kW").or_else(|| t.strip_suffix("kw")) {
        num(kw)? * 1000.0
    } else if let Some(w) = t.strip_suffix('W') {
        num(w)?
    } else {
        return Err(format!(
            "cannot read {text:?}: give \"5 kW\", \"5000 W\" or a circuit \"30 A @ 208 V\""
        ));
    };
    if w > 1_000_000.0 {
        return Err(format!(
            "{text:?} is over a megawatt per rack: is a unit wrong?"
        ));
    }
    Ok(Watts(w))
}

fn capacity(place: &str, text: &str) -> Result<Bytes, PlanError> {
    let b = parse_bytes(text).map_err(|e: QuantityError| invalid(place, e.to_string()))?;
    if b.is_zero() {
        return Err(invalid(
            place,
            format!("{text:?}: a demand of zero needs no plan"),
        ));
    }
    if b > MAX_DEMAND {
        return Err(PlanError::OutOfRange {
            place: place.into(),
            message: format!("{text:?} is beyond 10 EB"),
        });
    }
    Ok(b)
}

fn demand(spec: Option<&DemandSpec>) -> Result<Demand, PlanError> {
    match spec {
        None => Err(PlanError::NoDemand),
        Some(DemandSpec::Growth { start, rate_pct }) => Ok(Demand::Growth {
            start: capacity("demand.start", start)?,
            rate_pct: range("demand.rate_pct", *rate_pct, -50.0, 1000.0, "%/yr")?,
        }),
        Some(DemandSpec::Schedule(v)) if v.is_empty() => Err(invalid(
            "demand",
            "an empty schedule: give one capacity per year",
        )),
        Some(DemandSpec::Schedule(v)) => v
            .iter()
            .enumerate()
            .map(|(i, s)| capacity(&format!("demand[{i}]"), s))
            .collect::<Result<Vec<_>, _>>()
            .map(Demand::Schedule),
    }
}

fn grouping(g: Option<GroupingSpec>) -> Result<Option<Grouping>, PlanError> {
    Ok(match g {
        None => None,
        Some(GroupingSpec::Standalone) => Some(Grouping::Standalone),
        Some(GroupingSpec::Vault { data, parity }) => {
            if data == 0 || parity == 0 || data + parity > 100 {
                return Err(PlanError::OutOfRange {
                    place: "grouping".into(),
                    message: format!(
                        "a Vault of {data}+{parity}: give at least one data and one parity pod, at most 100 pods"
                    ),
                });
            }
            Some(Grouping::Vault { data, parity })
        }
    })
}

/// Checks a plan spec (the file with flags laid over it) into a request.
pub fn check(spec: &PlanSpec, origins: &Origins) -> Result<PlanRequest, PlanError> {
    let horizon_years = spec.horizon_years.unwrap_or(f::HORIZON_YEARS);
    if horizon_years == 0 || horizon_years > MAX_HORIZON_YEARS {
        return Err(PlanError::OutOfRange {
            place: "horizon_years".into(),
            message: format!("{horizon_years} years: give 1 to {MAX_HORIZON_YEARS}"),
        });
    }
    let period = match spec.period.unwrap_or(PeriodSpec::Year) {
        PeriodSpec::Year => Period::Year,
        PeriodSpec::Quarter => Period::Quarter,
    };
    let headroom_pct = range(
        "headroom_pct",
        spec.headroom_pct.unwrap_or(f::HEADROOM_PCT),
        0.0,
        500.0,
        "%",
    )?;
    let drive_price_decline_pct = range(
        "drive_price_decline_pct",
        spec.drive_price_decline_pct
            .unwrap_or(f::DRIVE_PRICE_DECLINE_PCT),
        0.0,
        90.0,
        "%/yr",
    )?;
    let budget = spec
        .budget
        .as_deref()
        .map(|b| money("budget", b))
        .transpose()?;
    let site = site(&spec.site)?;
    let mut req = PlanRequest {
        name: spec.name.clone().unwrap_or_else(|| "fleet plan".into()),
        demand: demand(spec.demand.as_ref())?,
        horizon_years,
        period,
        headroom_pct,
        grouping: grouping(spec.grouping)?,
        drive_price_decline_pct,
        budget,
        site,
        factors: Vec::new(),
    };
    req.factors = factor_table(&req, origins);
    Ok(req)
}

fn site(s: &SiteSpec) -> Result<Site, PlanError> {
    let rack_units = s.rack_units.unwrap_or(f::RACK_UNITS);
    if rack_units == 0 || rack_units > 100 {
        return Err(PlanError::OutOfRange {
            place: "site.rack_units".into(),
            message: format!("{rack_units} U: give 1 to 100"),
        });
    }
    let rack_power_text = s.rack_power.clone().unwrap_or_else(|| f::RACK_POWER.into());
    let rack_power =
        parse_rack_power(&rack_power_text).map_err(|m| invalid("site.rack_power", m))?;
    let opt = |place: &str, v: Option<f64>, lo: f64, hi: f64, unit: &str| {
        v.map(|x| range(place, x, lo, hi, unit)).transpose()
    };
    let sw = s.switch.clone();
    let switch = Switch {
        ports: sw.as_ref().map_or(f::SWITCH_PORTS, |w| w.ports),
        uplinks: sw.as_ref().map_or(f::SWITCH_UPLINKS, |w| w.uplinks),
        rack_units: sw.as_ref().map_or(f::SWITCH_UNITS, |w| w.rack_units),
        price: money(
            "site.switch.price",
            sw.as_ref().map_or(f::SWITCH_PRICE, |w| w.price.as_str()),
        )?,
    };
    if switch.ports == 0 || switch.ports > 1024 || switch.uplinks >= switch.ports {
        return Err(PlanError::OutOfRange {
            place: "site.switch".into(),
            message: format!(
                "{} ports with {} uplinks: give 1 to 1024 ports and fewer uplinks than ports",
                switch.ports, switch.uplinks
            ),
        });
    }
    let ports_per_pod = s.ports_per_pod.unwrap_or(f::PORTS_PER_POD);
    if ports_per_pod == 0 || ports_per_pod > 16 {
        return Err(PlanError::OutOfRange {
            place: "site.ports_per_pod".into(),
            message: format!("{ports_per_pod}: give 1 to 16"),
        });
    }
    let price_text = s.price_per_kwh.as_deref().unwrap_or(f::PRICE_PER_KWH);
    let price_per_kwh =
        parse_kwh_price(price_text).map_err(|m| invalid("site.price_per_kwh", m))?;
    if price_per_kwh.0 > 10_000_000 {
        return Err(PlanError::OutOfRange {
            place: "site.price_per_kwh".into(),
            message: format!("{price_text:?} per kWh is beyond 100: is a digit too many?"),
        });
    }
    let m = |place: &str, v: &Option<String>, d: &str| money(place, v.as_deref().unwrap_or(d));
    Ok(Site {
        rack_units,
        rack_depth_in: range(
            "site.rack_depth_in",
            s.rack_depth_in.unwrap_or(f::RACK_DEPTH_IN),
            1.0,
            120.0,
            "in",
        )?,
        max_overhang_in: range(
            "site.max_overhang_in",
            s.max_overhang_in.unwrap_or(0.0),
            0.0,
            24.0,
            "in",
        )?,
        rack_power,
        rack_power_text,
        spinup: match s.spinup.unwrap_or(SpinUpSpec::Sequenced) {
            SpinUpSpec::Together => SpinUp::Together,
            SpinUpSpec::Sequenced => SpinUp::Sequenced,
        },
        rack_weight_limit_lb: opt(
            "site.rack_weight_limit_lb",
            s.rack_weight_limit_lb,
            1.0,
            20_000.0,
            "lb",
        )?,
        pod_weight_lb: opt("site.pod_weight_lb", s.pod_weight_lb, 1.0, 5_000.0, "lb")?,
        pod_watts: opt("site.pod_watts", s.pod_watts, 1.0, 50_000.0, "W")?.map(Watts),
        psu_efficiency_pct: range(
            "site.psu_efficiency_pct",
            s.psu_efficiency_pct.unwrap_or(f::PSU_EFFICIENCY_PCT),
            50.0,
            100.0,
            "%",
        )?,
        pue: range("site.pue", s.pue.unwrap_or(f::PUE), 1.0, 3.0, "")?,
        price_per_kwh,
        space_per_rack_month: m(
            "site.space_per_rack_month",
            &s.space_per_rack_month,
            f::SPACE_PER_RACK_MONTH,
        )?,
        bandwidth_per_rack_month: m(
            "site.bandwidth_per_rack_month",
            &s.bandwidth_per_rack_month,
            f::BANDWIDTH_PER_RACK_MONTH,
        )?,
        rack_price: m("site.rack_price", &s.rack_price, f::RACK_PRICE)?,
        switch,
        ports_per_pod,
        labour_per_pod: m("site.labour_per_pod", &s.labour_per_pod, f::LABOUR_PER_POD)?,
        labour_per_drive: m(
            "site.labour_per_drive",
            &s.labour_per_drive,
            f::LABOUR_PER_DRIVE,
        )?,
    })
}

/// The factor table: every value the plan uses, as used, with where it came from.
fn factor_table(r: &PlanRequest, o: &Origins) -> Vec<f::Factor> {
    let s = &r.site;
    let row = |name: &str, value: String, default_source: &str| f::Factor {
        name: name.into(),
        value,
        source: o.of(name, default_source),
    };
    let est = "estimate (model §16)";
    vec![
        row(
            "headroom_pct",
            format!("{} %", crate::units::trim_float(r.headroom_pct)),
            est,
        ),
        row(
            "drive_price_decline_pct",
            format!(
                "{} %/yr",
                crate::units::trim_float(r.drive_price_decline_pct)
            ),
            "none assumed (model §16)",
        ),
        row("site.rack_units", format!("{} U", s.rack_units), est),
        row(
            "site.rack_depth_in",
            format!("{} in", crate::units::trim_float(s.rack_depth_in)),
            "estimate: a 1,070 mm server rack; Backblaze's cabinets were 29 in [S] (model §16)",
        ),
        row(
            "site.rack_power",
            format!("{} = {:.0} W usable", s.rack_power_text, s.rack_power.0),
            "estimate: one 30 A 208 V circuit at the NEC's 80 % for continuous load (model §16)",
        ),
        row(
            "site.psu_efficiency_pct",
            format!("{} %", crate::units::trim_float(s.psu_efficiency_pct)),
            "estimate: 80 PLUS base level (model §16)",
        ),
        row(
            "site.pue",
            crate::units::trim_float(s.pue),
            "estimate (model §16)",
        ),
        row(
            "site.price_per_kwh",
            format!("{:.5}", s.price_per_kwh.per_kwh())
                .trim_end_matches('0')
                .to_string(),
            est,
        ),
        row(
            "site.space_per_rack_month",
            s.space_per_rack_month.to_string(),
            "derived: Backblaze's $1,400 space + power per cabinet-month less a $700 power third [D] (model §16)",
        ),
        row(
            "site.bandwidth_per_rack_month",
            s.bandwidth_per_rack_month.to_string(),
            "derived: the third of Backblaze's $2,100 per rack-month that is neither space nor power [D] (model §16)",
        ),
        row("site.rack_price", s.rack_price.to_string(), est),
        row(
            "site.switch",
            format!(
                "{} ports ({} uplinks), {} U, {}",
                s.switch.ports, s.switch.uplinks, s.switch.rack_units, s.switch.price
            ),
            est,
        ),
        row("site.ports_per_pod", s.ports_per_pod.to_string(), est),
        row("site.labour_per_pod", s.labour_per_pod.to_string(), est),
        row("site.labour_per_drive", s.labour_per_drive.to_string(), est),
    ]
}
