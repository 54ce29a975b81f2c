//! Every factor and default of the fleet plan, named once, with its source (model §16).
//!
//! This file owns the numbers a plan uses when the plan file and the flags leave a value out,
//! and the fixed conversion factors. Each is tagged as in model §Conventions: \[S\] a source states
//! it, \[D\] derived by arithmetic from stated figures, \[U\] an estimate nobody published. The
//! engine reads them only through a checked `PlanRequest`, whose factor table lists every value
//! used with where it came from, so a reader sees every assumption beside the figures.

use serde::Serialize;

/// Months in a year.
pub(crate) const MONTHS_PER_YEAR: u32 = 12;

/// Hours in a month: 8,760 h / 12 = 730 h.
pub(crate) const HOURS_PER_MONTH: f64 = crate::units::HOURS_PER_YEAR / 12.0;

/// Share of a circuit's breaker rating a continuous load may draw: 80 % (US National
/// Electrical Code, continuous loads at 125 % of the load, NEC 210.19(A)/210.20(A)) \[S\].
pub const CONTINUOUS_LOAD_SHARE: f64 = 0.8;

/// Default rack height: 42 U, the common full-height server rack \[U\].
pub(crate) const RACK_UNITS: u32 = 42;

/// Default usable rack depth: 42 in (a 1,070 mm server rack) \[U\]. Backblaze's colocation
/// cabinets were 29 in deep, which a Pod 6.0 overhangs by about 4 in \[S\] (sources §9): give
/// `--rack-depth 29` to plan for them.
pub(crate) const RACK_DEPTH_IN: f64 = 42.0;

/// Default power per rack: one 30 A, 208 V circuit, derated to 80 % = 4,992 W \[U\].
pub(crate) const RACK_POWER: &str = "30 A @ 208 V";

/// Default PSU efficiency: 80 % (the 80 PLUS base level at typical load) \[U\]. It turns the
/// power model's DC watts into wall watts: Pod 2.0's 486 W DC load is 608 W at the wall, near
/// the 5.6 A × 120 V = 672 VA Backblaze measured on Pod 1.0 under heavy load \[S\] (sources §3.4).
pub(crate) const PSU_EFFICIENCY_PCT: f64 = 80.0;

/// Default PUE: 1.5 \[U\]. Uptime Institute surveys put the average data centre at about 1.6
/// (2020) and 1.8 or more around 2011; a colocation hall Backblaze rented would be near that.
pub const PUE: f64 = 1.5;

/// Default energy price: $0.10 per kWh \[U\] (about the US commercial average of the 2010s).
pub(crate) const PRICE_PER_KWH: &str = "0.10";

/// Default space per rack-month: $700 \[D\]. Backblaze: "$1,400/month per cabinet for space
/// rental plus electricity" \[S\] and $2,100 per 10-pod rack-month split in thirds \[S\]
/// (sources §4.3): $1,400 − a $700 power third = $700 of space.
pub(crate) const SPACE_PER_RACK_MONTH: &str = "700.00";

/// Default bandwidth per rack-month: $700 \[D\], the third of $2,100 that is neither space nor
/// power (sources §4.3).
pub(crate) const BANDWIDTH_PER_RACK_MONTH: &str = "700.00";

/// Default price of an empty rack with its PDUs: $1,500 \[U\].
pub(crate) const RACK_PRICE: &str = "1500.00";

/// Default top-of-rack switch: 48 ports, 2 kept for uplinks, 1 U, $2,000 \[U\].
pub(crate) const SWITCH_PORTS: u32 = 48;
/// Ports of the default switch kept for uplinks \[U\].
pub(crate) const SWITCH_UPLINKS: u32 = 2;
/// Height of the default switch, rack units \[U\].
pub(crate) const SWITCH_UNITS: u32 = 1;
/// Price of the default switch \[U\].
pub(crate) const SWITCH_PRICE: &str = "2000.00";

/// Default switch ports per pod: 1 (one NIC cabled) \[U\].
pub(crate) const PORTS_PER_POD: u32 = 1;

/// Default labour to install a pod: $100 (two hours at $50) \[U\].
pub(crate) const LABOUR_PER_POD: &str = "100.00";

/// Default labour to replace a drive: $25 \[U\]. Backblaze's one-person fleet of ~9,000 drives
/// swapped failed drives one day a week \[S\] (sources §4.3): under an hour per drive.
pub(crate) const LABOUR_PER_DRIVE: &str = "25.00";

/// Default headroom: 20 % more usable capacity than the demand at each period's end \[U\].
pub(crate) const HEADROOM_PCT: f64 = 20.0;

/// Default horizon: 5 years \[U\].
pub(crate) const HORIZON_YEARS: u32 = 5;

/// Default drive-price decline: 0 %/yr (prices as in the design) \[U\]. Hard-drive $/GB fell by
/// roughly 15-30 %/yr over 2009-2016 in Backblaze's own pod figures ($0.11 → $0.036/GB raw in
/// seven years, about 15 %/yr \[D\] from sources §2).
pub(crate) const DRIVE_PRICE_DECLINE_PCT: f64 = 0.0;

/// Backblaze Vault placement: the pods of a Vault sit in as many different cabinets \[S\]
/// (sources §11), so a Vault of k + m pods needs at least k + m racks.
pub(crate) const VAULT_PODS_PER_RACK: u32 = 1;

/// One named factor as shown beside a plan: its value as used and its source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Factor {
    /// The factor's name as the plan file and flags call it.
    pub name: String,
    /// Its value as used in this plan, with its unit.
    pub value: String,
    /// Where it comes from: `plan file`, `--flag`, or the default's source.
    pub source: String,
}
