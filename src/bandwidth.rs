//! Bandwidth: the link graph of a pod, the traffic of each workload, max-min fair allocation
//! by progressive filling, and the rebuild time of each group.
//!
//! This engine owns the flow model and nothing else. It is a set of pure functions over a
//! validated [`Pod`] and a [`Layout`]: [`graph`] derives every shared link from the topology
//! (port-multiplier and expander uplinks, card host links, the shared PCI bus, the chipset link,
//! the CPU parity limit, NIC host links and NIC ports); [`analyze`] turns a workload into flows,
//! runs [`allocate`] and assembles one [`BandwidthReport`]; [`rebuild_times`] is the entry point
//! the durability engine calls. Every rate, encoding and efficiency comes from
//! [`crate::links`]; this file holds only the traffic model. It never prints.
//!
//! The model, in one paragraph. A drive is a source: its sustained rate in the chosen zone and
//! its own SATA port cap the flows through it; both belong to that drive alone, so they are a
//! flow's *demand*, not shared links. A flow crosses each shared link with a weight: the MB/s
//! it puts on that link per MB/s of its rate. A scrub flow is one drive (weight 1 on its path);
//! a rebuild flow is a whole rebuild, its rate the per-drive rebuild rate `B_r`, crossing each
//! link with the number of member streams behind it (survivors read plus the replacement
//! written, model §4); an ingest or read flow is one group's client traffic in user MB/s,
//! crossing every NIC and the group's drive paths with the layout's write amplification. A
//! link's load is the sum of both directions: exact for half-duplex SATA and the PCI bus,
//! conservative for full-duplex PCIe, DMI and Ethernet when traffic runs both ways.

use crate::layout::{Layout, Shape};
use crate::links::{self, Factor, Factors, MAX_MB_S, MAX_NIC_GBIT, Range, Zone};
use crate::model::{Attached, ControllerKind, Pod};
use crate::spec::{Attach, BackplaneKind, Bus, ChipsetLink, Level, PmSupport};
use crate::units::{Bytes, Encoding, LineRate, MBps};
use serde::Serialize;

// ---------------------------------------------------------------------------------------------
// Allocation: weighted max-min fairness by progressive filling.

/// One flow of an allocation problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    /// The most the flow can use on its own (its private limits), in its own rate unit.
    pub demand: f64,
    /// The links it crosses, each with the load it puts there per unit of its rate.
    pub crossings: Vec<(usize, f64)>,
}

/// What stopped a flow from rising.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Limit {
    /// It reached its own demand.
    Demand,
    /// A saturated link it crosses (index into the capacities).
    Link(usize),
    /// Nothing limits it: infinite demand and no finite link (its rate is infinite).
    Unbounded,
}

/// The result of [`allocate`].
#[derive(Debug, Clone, PartialEq)]
pub struct Allocation {
    /// Rate of each flow.
    pub rates: Vec<f64>,
    /// Load on each link: Σ weight × rate.
    pub load: Vec<f64>,
    /// Whether each link is full.
    pub saturated: Vec<bool>,
    /// What stopped each flow.
    pub limits: Vec<Limit>,
}

/// Relative tolerance of the allocation's comparisons.
pub const EPS: f64 = 1e-9;

/// Weighted max-min fair allocation by progressive filling.
///
/// Every flow that is still free rises at the same pace; the load on a link rises by the sum
/// of the free flows' weights on it. The rise stops at the first event: a link fills, or a flow
/// reaches its demand. Flows at their demand, and flows crossing a full link, are frozen; the
/// others keep rising. The result is max-min fair: a flow below its demand crosses a full link
/// on which no other flow has a higher rate, so it cannot rise without lowering a flow that is
/// not larger. Capacities may be infinite; a flow with an infinite demand and no finite link is
/// `Unbounded`. At most one round per link plus one per flow.
pub fn allocate(capacity: &[f64], flows: &[Flow]) -> Allocation {
    let nl = capacity.len();
    let nf = flows.len();
    let mut rates = vec![0.0; nf];
    let mut load = vec![0.0; nl];
    let mut saturated = vec![false; nl];
    let mut limits = vec![Limit::Unbounded; nf];
    let mut free: Vec<usize> = Vec::with_capacity(nf);
    for (i, f) in flows.iter().enumerate() {
        if f.demand <= 0.0 || f.demand.is_nan() {
            limits[i] = Limit::Demand;
        } else {
            free.push(i);
        }
    }
    // Links that start full (zero capacity) freeze their flows at once.
    for (l, c) in capacity.iter().enumerate() {
        if *c <= 0.0 {
            saturated[l] = true;
        }
    }
    let mut weight = vec![0.0; nl];
    let mut rounds = 0;
    while !free.is_empty() && rounds <= nl + nf {
        rounds += 1;
        weight.iter_mut().for_each(|w| *w = 0.0);
        for &i in &free {
            for &(l, w) in &flows[i].crossings {
                if w > 0.0 {
                    weight[l] += w;
                }
            }
        }
        let mut step = f64::INFINITY;
        for l in 0..nl {
            if weight[l] > 0.0 && capacity[l].is_finite() {
                step = step.min(((capacity[l] - load[l]) / weight[l]).max(0.0));
            }
        }
        for &i in &free {
            step = step.min(flows[i].demand - rates[i]);
        }
        if !step.is_finite() {
            for &i in &free {
                rates[i] = f64::INFINITY;
                limits[i] = Limit::Unbounded;
            }
            break;
        }
        for &i in &free {
            rates[i] += step;
        }
        for l in 0..nl {
            if weight[l] > 0.0 {
                load[l] += weight[l] * step;
                if capacity[l].is_finite() && capacity[l] - load[l] <= EPS * capacity[l].max(1.0) {
                    saturated[l] = true;
                }
            }
        }
        free.retain(|&i| {
            let f = &flows[i];
            if f.demand.is_finite() && f.demand - rates[i] <= EPS * f.demand.max(1.0) {
                rates[i] = f.demand;
                limits[i] = Limit::Demand;
                return false;
            }
            match f.crossings.iter().find(|(l, w)| *w > 0.0 && saturated[*l]) {
                Some(&(l, _)) => {
                    limits[i] = Limit::Link(l);
                    false
                }
                None => true,
            }
        });
    }
    // Exact loads from the final rates.
    load.iter_mut().for_each(|x| *x = 0.0);
    for (i, f) in flows.iter().enumerate() {
        if rates[i].is_finite() {
            for &(l, w) in &f.crossings {
                load[l] += w * rates[i];
            }
        }
    }
    Allocation {
        rates,
        load,
        saturated,
        limits,
    }
}

// ---------------------------------------------------------------------------------------------
// Parameters.

/// A what-if change to a card's host bus, by slot id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BusChange {
    /// The slot the card sits in.
    pub slot: String,
    /// New PCIe generation.
    pub generation: Option<u8>,
    /// New PCIe lane count.
    pub lanes: Option<u8>,
}

/// Everything the bandwidth model can be told beyond the design: the factor table, the zone,
/// and what-if overrides. `Params::default()` is the model as documented (average zone, the
/// factors of [`Factors::default`], no CPU parity limit, no overrides).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Params {
    /// Efficiency factors and protocol limits.
    pub factors: Factors,
    /// Where on the platters the drives stream.
    pub zone: Zone,
    /// CPU/memory parity limit, MB/s of data through the parity engine (Linux md prints its
    /// `raid6: … gen()` figure at boot); `None`: not modelled, nothing published for the pods.
    pub parity_mb_s: Option<f64>,
    /// Every drive's sustained rate, MB/s, whatever the zone (`None`: from the catalog).
    pub drive_mb_s: Option<f64>,
    /// How many NIC ports carry client traffic (`None`: every port of the design; more than
    /// the design has copies the last port).
    pub nics: Option<u32>,
    /// Speed of every NIC port, Gb/s (`None`: as designed).
    pub nic_gbit_s: Option<f64>,
    /// Chipset link generation (`None`: the board's).
    pub chipset: Option<ChipsetLink>,
    /// Card host-bus changes by slot.
    pub buses: Vec<BusChange>,
    /// Effective capacity of a link by id, MB/s, replacing the computed one.
    pub capacities: Vec<(String, f64)>,
    /// The `--set` assignments applied, in order, as typed.
    pub applied: Vec<String>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            factors: Factors::default(),
            zone: Zone::Average,
            parity_mb_s: None,
            drive_mb_s: None,
            nics: None,
            nic_gbit_s: None,
            chipset: None,
            buses: Vec::new(),
            capacities: Vec::new(),
            applied: Vec::new(),
        }
    }
}

/// Keys `Params::set` accepts besides the factor keys and link ids, with their ranges.
pub const SET_KEYS: &str = "parity=MB/s and drive=MB/s (above 0 and at most 100000), nics=N (1 to 64), nic-gbit=Gb/s (above 0 and at most 800), chipset=dmi1|dmi2|dmi3|none, SLOT.lanes=1|2|4|8|16, SLOT.gen=1 to 5, LINK-ID=MB/s (above 0 and at most 100000)";

/// The most NIC ports `--set nics` takes.
pub const MAX_NICS: u32 = 64;
/// PCIe link widths `--set SLOT.lanes` takes: the widths cards and slots are built with.
pub const PCIE_LANES: [u8; 5] = [1, 2, 4, 8, 16];
/// PCIe generations `--set SLOT.gen` takes: 1.0 to 5.0.
pub const PCIE_GENS: std::ops::RangeInclusive<u8> = 1..=5;

/// A number within `range` (in `unit`), or an error naming the key and the range.
fn ranged(key: &str, value: &str, range: Range, unit: &str) -> Result<f64, String> {
    match value.trim().parse::<f64>() {
        Ok(v) if range.contains(v) => Ok(v),
        _ => Err(format!("{key}={value}: must be {}", range.describe(unit))),
    }
}

impl Params {
    /// Applies one `KEY=VALUE` assignment. Keys: a factor of [`Factors`] (`pcie=0.85`), the
    /// CPU parity limit `parity`, the drive rate `drive`, `nics`, `nic-gbit`, `chipset`, a
    /// card's `SLOT.lanes` / `SLOT.gen`, or a link id (`host:SLOT7=800`) for its effective
    /// MB/s. Slots and link ids are checked against the pod when the graph is built.
    pub fn set(&mut self, assignment: &str) -> Result<(), String> {
        let Some((key, value)) = assignment.split_once('=') else {
            return Err(format!("{assignment}: expected KEY=VALUE"));
        };
        let (key, value) = (key.trim(), value.trim());
        if let Some(v) = Factors::keys().find(|k| *k == key).map(|_| value) {
            let x: f64 = v.parse().map_err(|_| {
                let (range, unit) = Factors::range(key).unwrap_or((Range::above_zero(1.0), ""));
                format!("{key}={v}: not a number; must be {}", range.describe(unit))
            })?;
            self.factors.set(key, x)?;
        } else {
            match key {
                "parity" | "drive" => {
                    let v = ranged(key, value, Range::above_zero(MAX_MB_S), "MB/s")?;
                    if key == "parity" {
                        self.parity_mb_s = Some(v);
                    } else {
                        self.drive_mb_s = Some(v);
                    }
                }
                "nic-gbit" => {
                    self.nic_gbit_s =
                        Some(ranged(key, value, Range::above_zero(MAX_NIC_GBIT), "Gb/s")?)
                }
                "nics" => match value.parse::<u32>() {
                    Ok(n) if (1..=MAX_NICS).contains(&n) => self.nics = Some(n),
                    _ => {
                        return Err(format!(
                            "{key}={value}: must be a whole number from 1 to {MAX_NICS}"
                        ));
                    }
                },
                "chipset" => {
                    self.chipset = Some(match value.to_ascii_lowercase().as_str() {
                        "dmi1" => ChipsetLink::Dmi1,
                        "dmi2" => ChipsetLink::Dmi2,
                        "dmi3" => ChipsetLink::Dmi3,
                        "none" => ChipsetLink::None,
                        _ => return Err(format!("{key}={value}: use dmi1, dmi2, dmi3 or none")),
                    })
                }
                _ => {
                    if let Some((slot, field)) = key.rsplit_once('.') {
                        // Out-of-range text (1000000, -1, 1e300) is no valid count either.
                        let n: Option<u8> = value.parse().ok();
                        let lanes = n.filter(|n| PCIE_LANES.contains(n));
                        let generation = n.filter(|n| PCIE_GENS.contains(n));
                        match field {
                            "lanes" if lanes.is_none() => {
                                return Err(format!(
                                    "{key}={value}: PCIe lanes are 1, 2, 4, 8 or 16"
                                ));
                            }
                            "gen" if generation.is_none() => {
                                return Err(format!(
                                    "{key}={value}: PCIe generation is a whole number from {} to {}",
                                    PCIE_GENS.start(),
                                    PCIE_GENS.end()
                                ));
                            }
                            "lanes" | "gen" => {}
                            _ => {
                                return Err(format!(
                                    "{key}: unknown field {field:?} (a slot takes .lanes or .gen)"
                                ));
                            }
                        }
                        let change = match self.buses.iter_mut().find(|b| b.slot == slot) {
                            Some(b) => b,
                            None => {
                                self.buses.push(BusChange {
                                    slot: slot.to_string(),
                                    generation: None,
                                    lanes: None,
                                });
                                let last = self.buses.len() - 1;
                                &mut self.buses[last]
                            }
                        };
                        if field == "lanes" {
                            change.lanes = lanes;
                        } else {
                            change.generation = generation;
                        }
                    } else if key.contains(':') {
                        let v = ranged(key, value, Range::above_zero(MAX_MB_S), "MB/s")?;
                        self.capacities.retain(|(k, _)| k != key);
                        self.capacities.push((key.to_string(), v));
                    } else {
                        let keys: Vec<&str> = Factors::keys().collect();
                        return Err(format!(
                            "{key}: unknown key (use a factor: {}; or {SET_KEYS})",
                            keys.join(", ")
                        ));
                    }
                }
            }
        }
        self.applied.push(format!("{key}={value}"));
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// The link graph.

/// What a link is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkKind {
    /// A port-multiplier backplane's uplink, which is the card's SATA port.
    PmUplink,
    /// A SAS expander backplane's wide uplink.
    ExpanderUplink,
    /// A storage card's host link (PCIe or PCI-X).
    CardHost,
    /// The conventional PCI bus, shared by every card on it.
    PciBus,
    /// The CPU-chipset link (DMI), shared by everything behind the PCH.
    Chipset,
    /// The CPU/memory parity limit.
    Parity,
    /// A network card's host link.
    NicHost,
    /// One Ethernet port.
    Nic,
}

impl LinkKind {
    /// Short name for tables.
    pub fn name(self) -> &'static str {
        match self {
            LinkKind::PmUplink => "PM uplink",
            LinkKind::ExpanderUplink => "expander uplink",
            LinkKind::CardHost => "card host link",
            LinkKind::PciBus => "PCI bus",
            LinkKind::Chipset => "chipset link",
            LinkKind::Parity => "CPU parity",
            LinkKind::NicHost => "NIC host link",
            LinkKind::Nic => "NIC port",
        }
    }
}

/// One shared link of the graph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    /// Stable id, usable with `--set ID=MB/s`: `uplink:bp1`, `host:SLOT7`, `pci:bus`,
    /// `chipset:dmi`, `cpu:parity`, `nic:1`.
    pub id: String,
    /// What it is, in words.
    pub name: String,
    /// Its kind.
    pub kind: LinkKind,
    /// Raw line rate and encoding, per direction (`None` for the CPU parity limit).
    pub line: Option<LineRate>,
    /// Protocol efficiency applied to the payload (`None` when the capacity was set directly).
    pub efficiency: Option<f64>,
    /// The key of that factor in [`Factors`].
    pub factor: Option<&'static str>,
    /// Effective capacity, MB/s of payload.
    pub capacity: MBps,
    /// Data-drive bays whose traffic can cross it.
    pub behind: Vec<u32>,
}

/// A data drive as a source: its own limits and the shared links on its path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriveNode {
    /// Chassis bay.
    pub bay: u32,
    /// Drive model name.
    pub model: String,
    /// Capacity as sold.
    pub capacity: Bytes,
    /// Sustained media rate in the zone, MB/s.
    pub media: MBps,
    /// The SATA/SAS link between the drive and its port (negotiated generation).
    pub port_line: LineRate,
    /// That link's effective capacity, MB/s.
    pub port: MBps,
    /// Shared links from the drive to the CPU, in order.
    pub path: Vec<usize>,
}

/// The link graph of a pod.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Graph {
    /// Shared links: uplinks, card host links and the PCI bus, the chipset link, the parity
    /// limit, NIC host links, NIC ports.
    pub links: Vec<Link>,
    /// Data drives, in bay order.
    pub drives: Vec<DriveNode>,
    /// Links client traffic crosses, with the share of each user MB/s on it: NIC ports
    /// evenly, as a bond hashes many flows over its ports (802.3ad bonds equal-speed ports).
    pub client: Vec<(usize, f64)>,
    /// The parity-limit link, when one is set.
    pub parity: Option<usize>,
}

/// Why the bandwidth model cannot run a request; every message names the flag.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BandwidthError {
    /// A `--set` assignment that does not fit the pod.
    #[error("--set {0}")]
    Set(String),
    /// A group number out of range.
    #[error("--group {group}: the layout has {groups} group{}", if *.groups == 1 { "" } else { "s" })]
    Group {
        /// Requested (1-based).
        group: u32,
        /// Groups in the layout.
        groups: usize,
    },
    /// A bay that is not usable for the request.
    #[error("--bay {bay}: {why}")]
    Bay {
        /// Requested bay.
        bay: u32,
        /// Why not.
        why: String,
    },
    /// A rebuild of a layout without redundancy.
    #[error(
        "--workload {workload}: {level} has no redundancy, so a failed drive cannot be rebuilt"
    )]
    NoRedundancy {
        /// The workload.
        workload: &'static str,
        /// The layout's level.
        level: String,
    },
    /// The layout has no group.
    #[error("--workload {0}: the layout has no group")]
    NoGroups(&'static str),
}

/// The effective bus of a card in a slot after what-if changes.
fn changed_bus(bus: Bus, slot: &str, params: &Params) -> Result<Bus, BandwidthError> {
    let Some(c) = params.buses.iter().find(|b| b.slot == slot) else {
        return Ok(bus);
    };
    match bus {
        Bus::Pcie { generation, lanes } => Ok(Bus::Pcie {
            generation: c.generation.unwrap_or(generation),
            lanes: c.lanes.unwrap_or(lanes),
        }),
        other => Err(BandwidthError::Set(format!(
            "{slot}.lanes/.gen: the card in {slot} is on a {} bus, which has no lanes or generation",
            other.label()
        ))),
    }
}

fn chipset_label(c: ChipsetLink) -> &'static str {
    match c {
        ChipsetLink::Dmi1 => "DMI 1.0",
        ChipsetLink::Dmi2 => "DMI 2.0",
        ChipsetLink::Dmi3 => "DMI 3.0",
        ChipsetLink::None => "none",
    }
}

fn scaled(line: LineRate, by: f64) -> LineRate {
    LineRate {
        gbit_s: line.gbit_s * by,
        encoding: line.encoding,
    }
}

struct Builder {
    links: Vec<Link>,
}

impl Builder {
    fn push(
        &mut self,
        id: String,
        name: String,
        kind: LinkKind,
        line: Option<LineRate>,
        eff: (f64, &'static str),
        capacity: f64,
    ) -> usize {
        self.links.push(Link {
            id,
            name,
            kind,
            line,
            efficiency: Some(eff.0),
            factor: Some(eff.1),
            capacity: MBps(capacity),
            behind: Vec::new(),
        });
        self.links.len() - 1
    }
}

/// One NIC port carrying client traffic.
struct NicPort {
    name: String,
    gbit_s: f64,
    attach: Attach,
    /// Slot of its card, when it is on a card.
    card: Option<(String, Bus)>,
}

/// Derives the link graph of a pod under `params`.
pub fn graph(pod: &Pod, params: &Params) -> Result<Graph, BandwidthError> {
    let f = &params.factors;
    let board = pod.board_spec();
    let chipset = params
        .chipset
        .or(board.map(|b| b.chipset_link))
        .unwrap_or(ChipsetLink::None);
    for change in &params.buses {
        let known = pod.controllers.iter().any(|c| c.id == change.slot)
            || pod.nic_cards.iter().any(|n| n.slot.id == change.slot);
        if !known {
            let mut slots: Vec<&str> = pod
                .controllers
                .iter()
                .filter(|c| c.host_bus.is_some())
                .map(|c| c.id.as_str())
                .chain(pod.nic_cards.iter().map(|n| n.slot.id.as_str()))
                .collect();
            slots.sort_unstable();
            return Err(BandwidthError::Set(format!(
                "{}: no card sits in slot {:?} (cards are in {})",
                change.slot,
                change.slot,
                if slots.is_empty() {
                    "no slot".to_string()
                } else {
                    slots.join(", ")
                }
            )));
        }
    }
    let media = |d: &crate::model::Drive| {
        params
            .drive_mb_s
            .map_or_else(|| links::zone_rate(d, params.zone), MBps)
    };
    let mut b = Builder { links: Vec::new() };

    // 1. Backplane uplinks, in controller and port order.
    let mut bp_link: Vec<Option<usize>> = vec![None; pod.backplanes.len()];
    for c in &pod.controllers {
        for a in &c.attachments {
            let Attached::Backplane(k) = a.what else {
                continue;
            };
            let bp = &pod.backplanes[k];
            let Some(spec) = bp.spec() else { continue };
            let generation = links::slower(spec.uplink, c.link);
            let line = links::serial_line(generation);
            let payload = line.payload().0;
            match spec.kind {
                BackplaneKind::PortMultiplier(sw) => {
                    let fbs = sw == PmSupport::Fis && c.pm_support == PmSupport::Fis;
                    let (cap, eff, key, how) = if fbs {
                        (payload * f.pm_fis, f.pm_fis, "pm-fis", "FBS")
                    } else {
                        let fastest = pod
                            .drives
                            .iter()
                            .filter(|d| d.backplane == Some(k))
                            .map(|d| media(d.drive()).0)
                            .fold(0.0, f64::max);
                        let cap = (payload * f.pm_fis).min(f.pm_command * fastest);
                        let eff = if payload > 0.0 { cap / payload } else { 0.0 };
                        (cap, eff, "pm-command", "CBS")
                    };
                    bp_link[k] = Some(b.push(
                        format!("uplink:{}", bp.id),
                        format!("{} {how} → {} port {}", spec.chip, c.id, a.first_port),
                        LinkKind::PmUplink,
                        Some(line),
                        (eff, key),
                        cap,
                    ));
                }
                BackplaneKind::Expander => {
                    let lanes = f64::from(a.ports.max(1));
                    let wide = scaled(line, lanes);
                    bp_link[k] = Some(b.push(
                        format!("uplink:{}", bp.id),
                        format!(
                            "{} expander → {} ports {}-{}, {} × {}",
                            spec.chip,
                            c.id,
                            a.first_port,
                            a.first_port + a.ports.max(1) - 1,
                            a.ports,
                            generation.label()
                        ),
                        LinkKind::ExpanderUplink,
                        Some(wide),
                        (f.sata, "sata"),
                        wide.payload().0 * f.sata,
                    ));
                }
                BackplaneKind::Passive => {}
            }
        }
    }

    // 2. Card host links; every card on conventional PCI shares one bus.
    let mut pci_members: Vec<(String, Bus)> = Vec::new();
    let mut card_buses: Vec<Option<Bus>> = Vec::new();
    for c in &pod.controllers {
        let bus = match (&c.kind, c.host_bus) {
            (ControllerKind::Card { .. }, Some(bus)) => Some(changed_bus(bus, &c.id, params)?),
            _ => None,
        };
        if let Some(bus @ Bus::Pci { .. }) = bus {
            pci_members.push((c.id.clone(), bus));
        }
        card_buses.push(bus);
    }
    let mut nic_card_buses: Vec<Bus> = Vec::new();
    for n in &pod.nic_cards {
        let card_bus = match &n.part.kind {
            crate::model::Kind::NicCard(s) => s.host_bus,
            _ => n.slot.bus,
        };
        let bus = changed_bus(fit(card_bus, n.slot.bus), &n.slot.id, params)?;
        if let Bus::Pci { .. } = bus {
            pci_members.push((n.slot.id.clone(), bus));
        }
        nic_card_buses.push(bus);
    }
    let pci_bus = pci_members
        .iter()
        .map(|(_, b)| *b)
        .reduce(|a, b| match (a, b) {
            (
                Bus::Pci {
                    width_bits: w1,
                    mhz: m1,
                },
                Bus::Pci {
                    width_bits: w2,
                    mhz: m2,
                },
            ) => Bus::Pci {
                width_bits: w1.min(w2),
                mhz: m1.min(m2),
            },
            (a, _) => a,
        });
    let mut pci_link: Option<usize> = None;
    let mut make_pci = |b: &mut Builder| -> Option<usize> {
        if pci_link.is_none() {
            let bus = pci_bus?;
            let line = links::bus_line(bus);
            let slots: Vec<&str> = pci_members.iter().map(|(s, _)| s.as_str()).collect();
            pci_link = Some(b.push(
                "pci:bus".into(),
                format!("{} bus: {}", bus.label(), slots.join(", ")),
                LinkKind::PciBus,
                Some(line),
                (f.pci, "pci"),
                line.payload().0 * f.pci,
            ));
        }
        pci_link
    };
    let mut host_link: Vec<Option<usize>> = Vec::new();
    for (c, bus) in pod.controllers.iter().zip(&card_buses) {
        host_link.push(match bus {
            None => None,
            Some(Bus::Pci { .. }) => make_pci(&mut b),
            Some(bus) => {
                let line = links::bus_line(*bus);
                let eff = f.for_bus(*bus);
                let chip = match &c.kind {
                    ControllerKind::Card { part, .. } => match &part.kind {
                        crate::model::Kind::HostCard(h) => h.chipset.clone(),
                        _ => part.name.clone(),
                    },
                    ControllerKind::Onboard { controller } => controller.clone(),
                };
                Some(b.push(
                    format!("host:{}", c.id),
                    format!("{chip}, {}", bus.label()),
                    LinkKind::CardHost,
                    Some(line),
                    eff,
                    line.payload().0 * eff.0,
                ))
            }
        });
    }

    // 3. The chipset link, if anything sits behind it.
    let nic_ports = nic_ports(pod, params)?;
    let behind_chipset = pod
        .controllers
        .iter()
        .any(|c| c.attach == Attach::Chipset && !c.attachments.is_empty())
        || nic_ports.iter().any(|n| n.attach == Attach::Chipset);
    let chipset_link = match links::chipset_line(chipset) {
        Some(line) if behind_chipset => Some(b.push(
            "chipset:dmi".into(),
            format!(
                "{}, {}",
                chipset_label(chipset),
                board.map_or("board", |s| s.chipset.as_str())
            ),
            LinkKind::Chipset,
            Some(line),
            (f.dmi, "dmi"),
            line.payload().0 * f.dmi,
        )),
        _ => None,
    };

    // 4. The CPU parity limit, when set.
    let parity = params.parity_mb_s.map(|mbps| {
        b.links.push(Link {
            id: "cpu:parity".into(),
            name: "CPU/memory parity (--set parity)".into(),
            kind: LinkKind::Parity,
            line: None,
            efficiency: None,
            factor: None,
            capacity: MBps(mbps),
            behind: Vec::new(),
        });
        b.links.len() - 1
    });

    // 5. NIC host links and NIC ports.
    let mut nic_host: Vec<(String, usize)> = Vec::new();
    for (n, bus) in pod.nic_cards.iter().zip(&nic_card_buses) {
        if !nic_ports
            .iter()
            .any(|p| p.card.as_ref().is_some_and(|(s, _)| *s == n.slot.id))
        {
            continue;
        }
        let link = match bus {
            Bus::Pci { .. } => make_pci(&mut b),
            bus => {
                let line = links::bus_line(*bus);
                let eff = f.for_bus(*bus);
                Some(b.push(
                    format!("host:{}", n.slot.id),
                    format!("{}, {}", n.part.name, bus.label()),
                    LinkKind::NicHost,
                    Some(line),
                    eff,
                    line.payload().0 * eff.0,
                ))
            }
        };
        if let Some(l) = link {
            nic_host.push((n.slot.id.clone(), l));
        }
    }
    let bonded = nic_ports.len() > 1;
    let mut nic_links = Vec::new();
    for (i, p) in nic_ports.iter().enumerate() {
        let line = links::ethernet_line(p.gbit_s);
        let eff = if bonded {
            (f.ethernet * f.bond, "ethernet × bond")
        } else {
            (f.ethernet, "ethernet")
        };
        nic_links.push(b.push(
            format!("nic:{}", i + 1),
            format!(
                "{}, {} GbE{}",
                p.name,
                crate::show::trim_float(p.gbit_s),
                if bonded { ", bonded" } else { "" }
            ),
            LinkKind::Nic,
            Some(line),
            eff,
            line.payload().0 * eff.0,
        ));
    }

    // 6. What-if capacities by link id.
    let mut links = b.links;
    for (id, mbps) in &params.capacities {
        match links.iter_mut().find(|l| l.id == *id) {
            Some(l) => {
                l.capacity = MBps(*mbps);
                l.efficiency = None;
                l.factor = None;
            }
            None => {
                let ids: Vec<&str> = links.iter().map(|l| l.id.as_str()).collect();
                return Err(BandwidthError::Set(format!(
                    "{id}: no such link (links: {})",
                    ids.join(", ")
                )));
            }
        }
    }

    // 7. Drives and their paths.
    let mut drives = Vec::new();
    for d in &pod.drives {
        let c = &pod.controllers[d.controller];
        let drive = d.drive();
        let port_gen = match d
            .backplane
            .and_then(|k| pod.backplanes[k].spec().map(|s| (k, s)))
        {
            Some((_, s)) if s.kind == BackplaneKind::Passive => {
                links::slower(drive.interface, links::slower(s.uplink, c.link))
            }
            Some((_, s)) => links::slower(drive.interface, s.uplink),
            None => links::slower(drive.interface, c.link),
        };
        let port_line = links::serial_line(port_gen);
        let mut path = Vec::new();
        if let Some(l) = d.backplane.and_then(|k| bp_link[k]) {
            path.push(l);
        }
        if let Some(l) = host_link[d.controller] {
            path.push(l);
        }
        if let (Some(l), Attach::Chipset) = (chipset_link, c.attach) {
            path.push(l);
        }
        for &l in &path {
            links[l].behind.push(d.bay);
        }
        drives.push(DriveNode {
            bay: d.bay,
            model: d.part.name.clone(),
            capacity: drive.capacity,
            media: media(drive),
            port_line,
            port: MBps(port_line.payload().0 * f.sata),
            path,
        });
    }

    // 8. Client traffic: a bond hashes many flows evenly over its ports, so each port carries
    // an equal share (a mixed-speed set is held to its slowest port × count, as 802.3ad,
    // which bonds only equal-speed ports, would be). The shares do not depend on capacities,
    // so upgrading a port never moves traffic onto another link.
    let mut client: Vec<(usize, f64)> = Vec::new();
    for (p, &l) in nic_ports.iter().zip(&nic_links) {
        let share = 1.0 / nic_links.len() as f64;
        add(&mut client, l, share);
        if let Some((slot, _)) = &p.card
            && let Some((_, h)) = nic_host.iter().find(|(s, _)| s == slot)
        {
            add(&mut client, *h, share);
        }
        if let (Some(c), Attach::Chipset) = (chipset_link, p.attach) {
            add(&mut client, c, share);
        }
    }
    let all: Vec<u32> = pod.drives.iter().map(|d| d.bay).collect();
    for (l, _) in &client {
        links[*l].behind = all.clone();
    }
    if let Some(l) = parity {
        links[l].behind = all;
    }
    Ok(Graph {
        links,
        drives,
        client,
        parity,
    })
}

/// Adds `w` to the weight of link `l` in a crossing list.
fn add(list: &mut Vec<(usize, f64)>, l: usize, w: f64) {
    match list.iter_mut().find(|(x, _)| *x == l) {
        Some((_, v)) => *v += w,
        None => list.push((l, w)),
    }
}

/// The bus a card runs at in a slot (as validation fits it).
fn fit(card: Bus, slot: Bus) -> Bus {
    match (card, slot) {
        (
            Bus::Pcie {
                generation: cg,
                lanes,
            },
            Bus::Pcie { generation: sg, .. },
        ) => Bus::Pcie {
            generation: cg.min(sg),
            lanes,
        },
        (
            Bus::Pci {
                width_bits: cw,
                mhz: cm,
            },
            Bus::Pci {
                width_bits: sw,
                mhz: sm,
            },
        ) => Bus::Pci {
            width_bits: cw.min(sw),
            mhz: cm.min(sm),
        },
        (Bus::PciX { .. }, p @ Bus::Pci { .. }) | (p @ Bus::Pci { .. }, Bus::PciX { .. }) => p,
        (Bus::PciX { mhz: a }, Bus::PciX { mhz: b }) => Bus::PciX { mhz: a.min(b) },
        (c, _) => c,
    }
}

/// The NIC ports that carry client traffic: the board's, then each NIC card's, as many as
/// `params.nics` asks (extra ports copy the last one), at `params.nic_gbit_s` if set.
fn nic_ports(pod: &Pod, params: &Params) -> Result<Vec<NicPort>, BandwidthError> {
    let mut ports = Vec::new();
    if let Some(b) = pod.board_spec() {
        for n in &b.nics {
            ports.push(NicPort {
                name: n.controller.clone(),
                gbit_s: n.gbit_s,
                attach: n.attach,
                card: None,
            });
        }
    }
    for n in &pod.nic_cards {
        if let crate::model::Kind::NicCard(s) = &n.part.kind {
            for i in 0..s.ports {
                ports.push(NicPort {
                    name: format!("{} port {}", n.part.name, i + 1),
                    gbit_s: s.gbit_s,
                    attach: n.slot.attach,
                    card: Some((n.slot.id.clone(), s.host_bus)),
                });
            }
        }
    }
    if let Some(want) = params.nics {
        let want = want as usize;
        if ports.is_empty() {
            let Some(g) = params.nic_gbit_s else {
                return Err(BandwidthError::Set(
                    "nics: the design has no NIC to copy; give its speed too (nic-gbit=1)".into(),
                ));
            };
            ports.push(NicPort {
                name: "added NIC".into(),
                gbit_s: g,
                attach: Attach::Cpu,
                card: None,
            });
        }
        ports.truncate(want);
        while ports.len() < want {
            let Some(last) = ports.last() else { break };
            let copy = NicPort {
                name: format!("added copy of {}", last.name),
                gbit_s: last.gbit_s,
                attach: last.attach,
                card: None,
            };
            ports.push(copy);
        }
    }
    if let Some(g) = params.nic_gbit_s {
        for p in &mut ports {
            p.gbit_s = g;
        }
    }
    Ok(ports)
}

// ---------------------------------------------------------------------------------------------
// Workloads.

/// What the pod is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Workload {
    /// Every data drive reads sequentially at once.
    Scrub,
    /// Clients write through the NICs; each group's full-stripe writes carry parity (n/k).
    Ingest,
    /// Clients read through the NICs.
    Read,
    /// One failed drive in one group: the survivors are read, the replacement written.
    Rebuild,
    /// One rebuild in every group at once.
    RebuildAll,
    /// One drive reads alone.
    Single,
}

impl Workload {
    /// The name users type.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Scrub => "scrub",
            Workload::Ingest => "ingest",
            Workload::Read => "read",
            Workload::Rebuild => "rebuild",
            Workload::RebuildAll => "rebuild-all",
            Workload::Single => "single",
        }
    }
    /// One line on what the workload moves.
    pub fn describe(self) -> &'static str {
        match self {
            Workload::Scrub => "scrub: every data drive reads sequentially at once",
            Workload::Ingest => {
                "ingest: clients write through the NICs; each group writes full stripes with its parity"
            }
            Workload::Read => "read: clients read through the NICs from every group",
            Workload::Rebuild => {
                "rebuild: one failed drive; the survivors are read and the replacement written, all at the rebuild rate"
            }
            Workload::RebuildAll => "rebuild-all: one rebuild in every group at once",
            Workload::Single => "single: one drive reads alone",
        }
    }
}

/// A workload and which group or drive it targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Request {
    /// The workload.
    pub workload: Workload,
    /// Group (1-based) for `rebuild` (default 1) and `single` (its first drive).
    pub group: Option<u32>,
    /// Bay: the failed drive for `rebuild` (default the group's first member), the drive for
    /// `single` (default the group's first member, or the first bay).
    pub bay: Option<u32>,
}

/// A flow with what the report needs to describe it.
struct Planned {
    label: String,
    group: Option<u32>,
    bays: Vec<u32>,
    flow: Flow,
    /// Which private limit sets the demand.
    own: Own,
    /// Every private limit with the rate at which it binds (the demand is the least).
    caps: Vec<(Own, f64)>,
    /// MB/s at each drive's port per unit of the flow's rate (drive index, weight).
    per_drive: Vec<(usize, f64)>,
    /// Client MB/s per unit of the flow's rate.
    client: f64,
    /// Rebuild detail: (failed bay, replacement bay).
    rebuild: Option<(u32, u32)>,
}

/// A flow's private limit.
#[derive(Debug, Clone, PartialEq)]
enum Own {
    Media(u32),
    Port(u32),
    MdMax,
}

/// Builds a flow: `streams` are (drive index, port weight, media weight); `extra` are shared
/// crossings beyond the drives' paths; `cap` an extra demand ceiling (md speed_limit_max).
fn plan_flow(
    g: &Graph,
    streams: &[(usize, f64, f64)],
    extra: &[(usize, f64)],
    cap: Option<f64>,
) -> (Flow, Own, Vec<(Own, f64)>) {
    let mut crossings = Vec::new();
    let mut caps = Vec::new();
    for &(i, port_w, media_w) in streams {
        let d = &g.drives[i];
        for &l in &d.path {
            add(&mut crossings, l, port_w);
        }
        if media_w > 0.0 {
            caps.push((Own::Media(d.bay), d.media.0 / media_w));
        }
        if port_w > 0.0 {
            caps.push((Own::Port(d.bay), d.port.0 / port_w));
        }
    }
    if let Some(c) = cap {
        caps.push((Own::MdMax, c));
    }
    for &(l, w) in extra {
        add(&mut crossings, l, w);
    }
    // The least cap; the first on a tie (drive order, media before port, md last).
    let (own, demand) = caps
        .iter()
        .fold((Own::MdMax, f64::INFINITY), |(o, d), (o2, d2)| {
            if *d2 < d { (o2.clone(), *d2) } else { (o, d) }
        });
    (Flow { demand, crossings }, own, caps)
}

/// A flow's demand with every private limit of one kind lifted.
fn demand_without(p: &Planned, kind: &str) -> f64 {
    p.caps
        .iter()
        .filter(|(o, _)| own_id(o) != kind)
        .map(|(_, c)| *c)
        .fold(f64::INFINITY, f64::min)
}

/// Whether a level computes parity (and rotates it over the members).
fn has_parity(level: Level) -> bool {
    matches!(
        level,
        Level::Raid5 { .. } | Level::Raid6 { .. } | Level::Erasure { .. }
    )
}

/// The members a rebuild reads: Linux md RAID5/6 read every survivor (whole stripes, model
/// §4); a k+m code needs k; a mirror copies from one survivor; RAID10 from the failed drive's
/// mirror partner.
fn rebuild_sources(shape: &Shape, members: &[u32], failed: u32) -> Vec<u32> {
    let survivors: Vec<u32> = members.iter().copied().filter(|b| *b != failed).collect();
    match shape.level {
        Level::Erasure { data, .. } => survivors.into_iter().take(data as usize).collect(),
        Level::Mirror { .. } => survivors.into_iter().take(1).collect(),
        Level::Raid10 { copies, .. } => {
            let pos = members.iter().position(|b| *b == failed).unwrap_or(0);
            let set = pos / copies.max(1) as usize * copies.max(1) as usize;
            members
                .iter()
                .skip(set)
                .take(copies as usize)
                .copied()
                .filter(|b| *b != failed)
                .take(1)
                .collect()
        }
        _ => survivors,
    }
}

fn drive_index(g: &Graph, bay: u32) -> Option<usize> {
    g.drives.iter().position(|d| d.bay == bay)
}

/// The rebuild flow of one group.
fn rebuild_flow(
    g: &Graph,
    layout: &Layout,
    params: &Params,
    group: usize,
    failed: u32,
    replacement: u32,
) -> Planned {
    let shape = &layout.shape;
    let members = &layout.groups[group].bays;
    let sources = rebuild_sources(shape, members, failed);
    let mut streams: Vec<(usize, f64, f64)> = sources
        .iter()
        .filter_map(|b| drive_index(g, *b))
        .map(|i| (i, 1.0, 1.0))
        .collect();
    if let Some(i) = drive_index(g, replacement) {
        streams.push((i, 1.0, 1.0));
    }
    let mut extra = Vec::new();
    if let (Some(p), true) = (g.parity, has_parity(shape.level)) {
        extra.push((p, f64::from(shape.data())));
    }
    let (flow, own, caps) = plan_flow(g, &streams, &extra, Some(params.factors.md_max_mb_s));
    let mut bays: Vec<u32> = sources.clone();
    bays.push(replacement);
    Planned {
        label: format!(
            "rebuild of bay {failed} in group {} ({} read, bay {replacement} written)",
            group + 1,
            if sources.is_empty() {
                "none".to_string()
            } else {
                crate::validate::format_bays(&sources)
            }
        ),
        group: Some(group as u32 + 1),
        bays,
        per_drive: streams.iter().map(|s| (s.0, 1.0)).collect(),
        flow,
        own,
        caps,
        client: 0.0,
        rebuild: Some((failed, replacement)),
    }
}

fn group_of(layout: &Layout, bay: u32) -> Option<usize> {
    layout.groups.iter().position(|g| g.bays.contains(&bay))
}

fn pick_group(layout: &Layout, req: &Request) -> Result<usize, BandwidthError> {
    let n = layout.groups.len();
    match req.group {
        Some(g) if g == 0 || g as usize > n => Err(BandwidthError::Group {
            group: g,
            groups: n,
        }),
        Some(g) => Ok(g as usize - 1),
        None if n == 0 => Err(BandwidthError::NoGroups(req.workload.name())),
        None => Ok(0),
    }
}

fn plans(
    g: &Graph,
    layout: &Layout,
    req: &Request,
    params: &Params,
) -> Result<Vec<Planned>, BandwidthError> {
    let shape = &layout.shape;
    let (n, k) = (f64::from(shape.width()), f64::from(shape.data().max(1)));
    let parity_link = g.parity.filter(|_| has_parity(shape.level));
    let mut out = Vec::new();
    match req.workload {
        Workload::Scrub => {
            for (i, d) in g.drives.iter().enumerate() {
                let grp = group_of(layout, d.bay);
                let extra: Vec<(usize, f64)> = match (parity_link, grp) {
                    (Some(p), Some(_)) => vec![(p, k / n)],
                    _ => Vec::new(),
                };
                let (flow, own, caps) = plan_flow(g, &[(i, 1.0, 1.0)], &extra, None);
                out.push(Planned {
                    label: format!("bay {} reads", d.bay),
                    group: grp.map(|x| x as u32 + 1),
                    bays: vec![d.bay],
                    flow,
                    own,
                    caps,
                    per_drive: vec![(i, 1.0)],
                    client: 0.0,
                    rebuild: None,
                });
            }
        }
        Workload::Single => {
            let bay = match req.bay {
                Some(b) => b,
                None if req.group.is_some() => layout.groups[pick_group(layout, req)?].bays[0],
                None => g.drives.first().map_or(0, |d| d.bay),
            };
            let i = drive_index(g, bay).ok_or_else(|| BandwidthError::Bay {
                bay,
                why: "no data drive in that bay".into(),
            })?;
            let (flow, own, caps) = plan_flow(g, &[(i, 1.0, 1.0)], &[], None);
            out.push(Planned {
                label: format!("bay {bay} reads alone"),
                group: group_of(layout, bay).map(|x| x as u32 + 1),
                bays: vec![bay],
                flow,
                own,
                caps,
                per_drive: vec![(i, 1.0)],
                client: 0.0,
                rebuild: None,
            });
        }
        Workload::Ingest | Workload::Read => {
            if layout.groups.is_empty() {
                return Err(BandwidthError::NoGroups(req.workload.name()));
            }
            let ingest = req.workload == Workload::Ingest;
            // Per user MB/s: a full-stripe write puts n/k on the group, 1/k on each member; a
            // read moves 1/n over each member's link, while a rotating-parity member also
            // passes over its parity chunks (1/k of media time).
            let port_w = if ingest { 1.0 / k } else { 1.0 / n };
            let media_w = if ingest || has_parity(shape.level) {
                1.0 / k
            } else {
                1.0 / n
            };
            for (gi, grp) in layout.groups.iter().enumerate() {
                let streams: Vec<(usize, f64, f64)> = grp
                    .bays
                    .iter()
                    .filter_map(|b| drive_index(g, *b))
                    .map(|i| (i, port_w, media_w))
                    .collect();
                let mut extra = g.client.clone();
                if let (Some(p), true) = (parity_link, ingest) {
                    extra.push((p, 1.0));
                }
                let (flow, own, caps) = plan_flow(g, &streams, &extra, None);
                out.push(Planned {
                    label: format!(
                        "group {}: clients {} {}",
                        gi + 1,
                        if ingest { "write to" } else { "read from" },
                        crate::validate::format_bays(&grp.bays)
                    ),
                    group: Some(gi as u32 + 1),
                    bays: grp.bays.clone(),
                    per_drive: streams.iter().map(|s| (s.0, port_w)).collect(),
                    flow,
                    own,
                    caps,
                    client: 1.0,
                    rebuild: None,
                });
            }
        }
        Workload::Rebuild | Workload::RebuildAll => {
            if shape.tolerance() == 0 {
                return Err(BandwidthError::NoRedundancy {
                    workload: req.workload.name(),
                    level: shape.label(),
                });
            }
            if layout.groups.is_empty() {
                return Err(BandwidthError::NoGroups(req.workload.name()));
            }
            if req.workload == Workload::Rebuild {
                let gi = match (req.group, req.bay) {
                    (None, Some(b)) => group_of(layout, b).ok_or_else(|| BandwidthError::Bay {
                        bay: b,
                        why: "not a member of any group".into(),
                    })?,
                    _ => pick_group(layout, req)?,
                };
                let members = &layout.groups[gi].bays;
                let failed = req.bay.unwrap_or(members[0]);
                if !members.contains(&failed) {
                    return Err(BandwidthError::Bay {
                        bay: failed,
                        why: format!(
                            "not a member of group {} ({})",
                            gi + 1,
                            crate::validate::format_bays(members)
                        ),
                    });
                }
                let replacement = layout.spares.first().copied().unwrap_or(failed);
                out.push(rebuild_flow(g, layout, params, gi, failed, replacement));
            } else {
                for (gi, grp) in layout.groups.iter().enumerate() {
                    let failed = grp.bays[0];
                    let replacement = layout.spares.get(gi).copied().unwrap_or(failed);
                    out.push(rebuild_flow(g, layout, params, gi, failed, replacement));
                }
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// The report.

/// One link in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkRow {
    /// Stable id (`--set ID=MB/s`).
    pub id: String,
    /// What it is.
    pub name: String,
    /// Its kind.
    pub kind: LinkKind,
    /// Raw line rate per direction, Gb/s (`None` for the CPU parity limit).
    pub raw_gbit_s: Option<f64>,
    /// Line encoding.
    pub encoding: Option<Encoding>,
    /// Protocol efficiency (`None` when the capacity was set directly).
    pub efficiency: Option<f64>,
    /// The factor key the efficiency comes from.
    pub factor: Option<String>,
    /// Effective capacity, MB/s.
    pub capacity_mb_s: MBps,
    /// Data drives whose traffic can cross it.
    pub drives_behind: u32,
    /// Offered load: what the flows through it would put on it at their own demand, MB/s.
    pub demand_mb_s: MBps,
    /// Load allocated, MB/s.
    pub allocated_mb_s: MBps,
    /// Allocated / capacity, percent.
    pub utilization_pct: f64,
    /// Full.
    pub saturated: bool,
    /// One of the links that bind the workload's slowest flows.
    pub binding: bool,
}

/// A group of data drives with the same figures, in bay ranges.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriveRow {
    /// Bays, as ranges.
    pub bays: String,
    /// How many drives.
    pub count: u32,
    /// Drive model.
    pub model: String,
    /// Group (1-based) when all are in one.
    pub group: Option<u32>,
    /// Sustained media rate in the zone, MB/s.
    pub media_mb_s: MBps,
    /// Negotiated port link, raw Gb/s.
    pub port_gbit_s: f64,
    /// Port link effective capacity, MB/s.
    pub port_mb_s: MBps,
    /// Traffic at each drive's port in this workload, MB/s.
    pub traffic_mb_s: MBps,
}

/// One flow in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowRow {
    /// What it is.
    pub label: String,
    /// Group (1-based).
    pub group: Option<u32>,
    /// Drives it moves data on, as ranges.
    pub bays: String,
    /// Its own ceiling in its rate unit (per-drive MB/s for scrub and rebuild, user MB/s for
    /// ingest and read).
    pub demand_mb_s: MBps,
    /// Allocated rate in the same unit.
    pub rate_mb_s: MBps,
    /// Total traffic it puts on its drives' ports, MB/s.
    pub drive_traffic_mb_s: MBps,
    /// Client MB/s through the NICs (ingest, read).
    pub client_mb_s: Option<MBps>,
    /// What stops it: a link id, or its own limit (`drive-media`, `drive-port`, `md-max`).
    pub limited_by: String,
    /// The same in words.
    pub limited_by_name: String,
}

/// The rebuild time of one group: what the durability engine consumes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RebuildTime {
    /// Group, 1-based as in `podplan layout`.
    pub group: u32,
    /// Per-drive rebuild rate `B_r`: every survivor read and the replacement written at it.
    pub rate: MBps,
    /// Time to restore redundancy: delay + member size / rate, hours.
    pub hours: f64,
    /// What sets the rate: a link's name, or the drives' own limit.
    pub binding_link: String,
}

/// What would bind if the binding links were unlimited.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Headroom {
    /// The next binding links' ids (or own limits).
    pub ids: Vec<String>,
    /// In words.
    pub name: String,
    /// Its utilization now, percent (`None` for a drive's own limit).
    pub utilization_pct: Option<f64>,
    /// Aggregate drive traffic with the binding links unlimited, MB/s.
    pub aggregate_mb_s: MBps,
    /// Client MB/s with the binding links unlimited (ingest, read).
    pub client_mb_s: Option<MBps>,
    /// Slowest drive's traffic with the binding links unlimited, MB/s.
    pub per_drive_min_mb_s: MBps,
}

/// The figures that answer "how fast, and what limits it".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Total traffic at the drives' ports (all streams, both directions), MB/s.
    pub aggregate_mb_s: MBps,
    /// Client MB/s through the NICs (ingest, read).
    pub client_mb_s: Option<MBps>,
    /// Drives that move data.
    pub active_drives: u32,
    /// Slowest active drive's traffic, MB/s.
    pub per_drive_min_mb_s: MBps,
    /// Fastest active drive's traffic, MB/s.
    pub per_drive_max_mb_s: MBps,
    /// Ids of what binds the slowest flows (links, or `drive-media` / `drive-port` / `md-max`).
    pub binding: Vec<String>,
    /// The same in words.
    pub binding_name: String,
    /// Saturated links' ids.
    pub saturated: Vec<String>,
    /// What binds next.
    pub next: Option<Headroom>,
}

/// Everything `podplan bandwidth` reports: one serializable result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandwidthReport {
    /// Design name.
    pub design: String,
    /// Revision label.
    pub revision: Option<String>,
    /// The workload.
    pub workload: Workload,
    /// The zone the drives stream in.
    pub zone: Zone,
    /// The layout's shape, e.g. `RAID6 15 (13+2)`.
    pub shape: String,
    /// Every shared link with its load.
    pub links: Vec<LinkRow>,
    /// Data drives, grouped by equal figures.
    pub drives: Vec<DriveRow>,
    /// The flows.
    pub flows: Vec<FlowRow>,
    /// Aggregate, per-drive, binding link, headroom.
    pub summary: Summary,
    /// Rebuild times (rebuild, rebuild-all).
    pub rebuilds: Vec<RebuildDetail>,
    /// The factor table in force.
    pub factors: Vec<Factor>,
    /// CPU parity limit, MB/s, when set.
    pub parity_mb_s: Option<f64>,
    /// `--set` assignments applied.
    pub settings: Vec<String>,
    /// Modelling notes for this run.
    pub notes: Vec<String>,
}

/// A rebuild time with the detail the report shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RebuildDetail {
    /// The durability engine's view.
    #[serde(flatten)]
    pub time: RebuildTime,
    /// The failed bay.
    pub failed_bay: u32,
    /// The bay written (a hot spare, or the failed bay after replacement).
    pub replacement_bay: u32,
    /// Bytes rebuilt: the group's member size.
    pub member: Bytes,
    /// Detection and replacement delay included, hours.
    pub delay_h: f64,
}

fn own_id(own: &Own) -> &'static str {
    match own {
        Own::Media(_) => "drive-media",
        Own::Port(_) => "drive-port",
        Own::MdMax => "md-max",
    }
}

fn own_name(own: &Own, g: &Graph, zone: Zone, params: &Params) -> String {
    match own {
        Own::Media(bay) => {
            let r = drive_index(g, *bay).map_or(0.0, |i| g.drives[i].media.0);
            let how = if params.drive_mb_s.is_some() {
                "set with --set drive".to_string()
            } else {
                format!("{} zone", zone.name())
            };
            format!("drive media, bay {bay} ({r:.1} MB/s, {how})")
        }
        Own::Port(bay) => {
            let (line, r) = drive_index(g, *bay).map_or((0.0, 0.0), |i| {
                (g.drives[i].port_line.gbit_s, g.drives[i].port.0)
            });
            format!(
                "drive port, bay {bay} ({} Gb/s link, {r:.1} MB/s)",
                crate::show::trim_float(line)
            )
        }
        Own::MdMax => format!(
            "Linux md speed_limit_max ({:.1} MB/s per device)",
            params.factors.md_max_mb_s
        ),
    }
}

/// The private limit that sets a demand (the first cap equal to it).
fn own_at(p: &Planned, demand: f64) -> &Own {
    p.caps
        .iter()
        .find(|(_, c)| (c - demand).abs() <= 1e-9 * demand.abs().max(1.0))
        .map_or(&p.own, |(o, _)| o)
}

fn limit_id(limit: Limit, p: &Planned, g: &Graph) -> String {
    match limit {
        Limit::Demand => own_id(&p.own).to_string(),
        Limit::Link(l) => g.links[l].id.clone(),
        Limit::Unbounded => "none".into(),
    }
}

fn limit_name(limit: Limit, p: &Planned, g: &Graph, params: &Params) -> String {
    match limit {
        Limit::Demand => own_name(&p.own, g, params.zone, params),
        Limit::Link(l) => link_label(&g.links[l]),
        Limit::Unbounded => "nothing: no shared link or own limit".into(),
    }
}

/// `host:SLOT7 (SiI3132, PCIe 1.0 x1)`: a link's id and what it is.
fn link_label(link: &Link) -> String {
    format!("{} ({})", link.id, link.name)
}

/// Per-drive traffic (drive index → MB/s) of an allocation.
fn drive_traffic(g: &Graph, planned: &[Planned], rates: &[f64]) -> Vec<f64> {
    let mut t = vec![0.0; g.drives.len()];
    for (p, r) in planned.iter().zip(rates) {
        for &(i, w) in &p.per_drive {
            t[i] += w * r;
        }
    }
    t
}

/// Indices of the slowest flows (within tolerance).
fn slowest(rates: &[f64]) -> Vec<usize> {
    let min = rates.iter().copied().fold(f64::INFINITY, f64::min);
    rates
        .iter()
        .enumerate()
        .filter(|(_, r)| **r <= min + 1e-6 * min.abs().max(1.0))
        .map(|(i, _)| i)
        .collect()
}

/// What binds the given flows: every saturated link on which one of them has the highest rate
/// (its bottleneck links, ties included), and the own limits of those at their demand, as
/// (id, name, link index if a link), links in graph order first.
fn limits_of(
    idx: &[usize],
    alloc: &Allocation,
    flows: &[Flow],
    planned: &[Planned],
    g: &Graph,
    params: &Params,
) -> Vec<(String, String, Option<usize>)> {
    let tol = |r: f64| 1e-6 * r.abs().max(1.0);
    let mut top = vec![0.0f64; g.links.len()];
    for (f, r) in flows.iter().zip(&alloc.rates) {
        for &(l, w) in &f.crossings {
            if w > 0.0 {
                top[l] = top[l].max(*r);
            }
        }
    }
    let mut links: Vec<usize> = Vec::new();
    let mut own: Vec<(String, String, Option<usize>)> = Vec::new();
    for &i in idx {
        let r = alloc.rates[i];
        for &(l, w) in &flows[i].crossings {
            if w > 0.0 && alloc.saturated[l] && r + tol(r) >= top[l] && !links.contains(&l) {
                links.push(l);
            }
        }
        let (id, name) = match alloc.limits[i] {
            Limit::Demand => {
                let o = own_at(&planned[i], flows[i].demand);
                (own_id(o).to_string(), own_name(o, g, params.zone, params))
            }
            Limit::Unbounded => (
                "none".to_string(),
                limit_name(Limit::Unbounded, &planned[i], g, params),
            ),
            Limit::Link(_) => continue,
        };
        match own.iter_mut().find(|(x, _, _)| *x == id) {
            Some(entry) => entry.2 = Some(entry.2.map_or(2, |n| n + 1)),
            None => own.push((id, name, None)),
        }
    }
    links.sort_unstable();
    // Own limits carry a count of flows alike while collecting; turn it into words.
    let own = own.into_iter().map(|(id, name, n)| match n {
        Some(n) => (id, format!("{name}, and {} more flows alike", n - 1), None),
        None => (id, name, None),
    });
    links
        .into_iter()
        .map(|l| (g.links[l].id.clone(), link_label(&g.links[l]), Some(l)))
        .chain(own)
        .collect()
}

fn join_names(lims: &[(String, String, Option<usize>)], g: &Graph) -> String {
    match lims {
        [] => "nothing".into(),
        [(_, name, _)] => name.clone(),
        many => {
            // Several links of one kind tie: name the kind and the ids.
            let ids: Vec<&str> = many.iter().map(|(id, _, _)| id.as_str()).collect();
            let kinds: Vec<Option<LinkKind>> = many
                .iter()
                .map(|(_, _, l)| l.map(|l| g.links[l].kind))
                .collect();
            if kinds.iter().all(|k| k.is_some() && *k == kinds[0]) {
                let kind = kinds[0].map_or("", |k| k.name());
                format!("{} {kind}s, tied: {}", many.len(), ids.join(", "))
            } else if kinds.iter().all(Option::is_none) {
                let mut own: Vec<&str> = ids.clone();
                own.dedup();
                own.join(", ")
            } else {
                ids.join(", ")
            }
        }
    }
}

/// Runs one workload on a pod: the link graph, the flows, the max-min fair allocation, the
/// binding link and the next one, and (for rebuilds) the rebuild time of each group.
pub fn analyze(
    pod: &Pod,
    layout: &Layout,
    req: &Request,
    params: &Params,
) -> Result<BandwidthReport, BandwidthError> {
    let g = graph(pod, params)?;
    let planned = plans(&g, layout, req, params)?;
    let caps: Vec<f64> = g.links.iter().map(|l| l.capacity.0).collect();
    let flows: Vec<Flow> = planned.iter().map(|p| p.flow.clone()).collect();
    let alloc = allocate(&caps, &flows);

    // Links.
    let low = slowest(&alloc.rates);
    let binding = limits_of(&low, &alloc, &flows, &planned, &g, params);
    let mut demand = vec![0.0; g.links.len()];
    for f in &flows {
        for &(l, w) in &f.crossings {
            demand[l] += w * f.demand;
        }
    }
    let links: Vec<LinkRow> = g
        .links
        .iter()
        .enumerate()
        .map(|(l, link)| LinkRow {
            id: link.id.clone(),
            name: link.name.clone(),
            kind: link.kind,
            raw_gbit_s: link.line.map(|x| x.gbit_s),
            encoding: link.line.map(|x| x.encoding),
            efficiency: link.efficiency,
            factor: link.factor.map(str::to_string),
            capacity_mb_s: link.capacity,
            drives_behind: link.behind.len() as u32,
            demand_mb_s: MBps(demand[l]),
            allocated_mb_s: MBps(alloc.load[l]),
            utilization_pct: if link.capacity.0 > 0.0 {
                100.0 * alloc.load[l] / link.capacity.0
            } else {
                0.0
            },
            saturated: alloc.saturated[l] && alloc.load[l] > 0.0,
            binding: binding.iter().any(|(_, _, x)| *x == Some(l)),
        })
        .collect();

    // Drives.
    let traffic = drive_traffic(&g, &planned, &alloc.rates);
    let active: Vec<usize> = (0..g.drives.len())
        .filter(|&i| {
            planned
                .iter()
                .any(|p| p.per_drive.iter().any(|(x, _)| *x == i))
        })
        .collect();
    let drives = drive_rows(&g, layout, &traffic);

    // Flows.
    let flow_rows: Vec<FlowRow> = planned
        .iter()
        .enumerate()
        .map(|(i, p)| FlowRow {
            label: p.label.clone(),
            group: p.group,
            bays: crate::validate::format_bays(&p.bays),
            demand_mb_s: MBps(p.flow.demand),
            rate_mb_s: MBps(alloc.rates[i]),
            drive_traffic_mb_s: MBps(
                p.per_drive.iter().map(|(_, w)| w).sum::<f64>() * alloc.rates[i],
            ),
            client_mb_s: (p.client > 0.0).then(|| MBps(p.client * alloc.rates[i])),
            limited_by: limit_id(alloc.limits[i], p, &g),
            limited_by_name: limit_name(alloc.limits[i], p, &g, params),
        })
        .collect();

    let client = |rates: &[f64]| -> Option<MBps> {
        planned
            .iter()
            .any(|p| p.client > 0.0)
            .then(|| MBps(planned.iter().zip(rates).map(|(p, r)| p.client * r).sum()))
    };
    let per_drive = |t: &[f64]| -> (f64, f64) {
        active.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &i| {
            (lo.min(t[i]), hi.max(t[i]))
        })
    };
    let (lo, hi) = per_drive(&traffic);

    // Headroom: lift the binding limits and see what binds next.
    let next = {
        let mut caps2 = caps.clone();
        let mut flows2 = flows.clone();
        for (_, _, l) in &binding {
            if let Some(l) = l {
                caps2[*l] = f64::INFINITY;
            }
        }
        for &i in &low {
            if alloc.limits[i] == Limit::Demand {
                flows2[i].demand = demand_without(&planned[i], own_id(&planned[i].own));
            }
        }
        let a2 = allocate(&caps2, &flows2);
        if a2.rates.iter().any(|r| !r.is_finite()) {
            None
        } else {
            let low2 = slowest(&a2.rates);
            let lims2 = limits_of(&low2, &a2, &flows2, &planned, &g, params);
            let t2 = drive_traffic(&g, &planned, &a2.rates);
            let util = {
                let u: Vec<f64> = lims2
                    .iter()
                    .filter_map(|(_, _, l)| l.map(|l| links[l].utilization_pct))
                    .collect();
                (!u.is_empty()).then(|| u.iter().copied().fold(0.0, f64::max))
            };
            Some(Headroom {
                ids: lims2.iter().map(|(id, _, _)| id.clone()).collect(),
                name: join_names(&lims2, &g),
                utilization_pct: util,
                aggregate_mb_s: MBps(t2.iter().sum()),
                client_mb_s: client(&a2.rates),
                per_drive_min_mb_s: MBps(per_drive(&t2).0),
            })
        }
    };

    let summary = Summary {
        aggregate_mb_s: MBps(traffic.iter().sum()),
        client_mb_s: client(&alloc.rates),
        active_drives: active.len() as u32,
        per_drive_min_mb_s: MBps(if lo.is_finite() { lo } else { 0.0 }),
        per_drive_max_mb_s: MBps(hi),
        binding: binding.iter().map(|(id, _, _)| id.clone()).collect(),
        binding_name: join_names(&binding, &g),
        saturated: links
            .iter()
            .filter(|l| l.saturated)
            .map(|l| l.id.clone())
            .collect(),
        next,
    };

    // Rebuilds.
    let rebuilds: Vec<RebuildDetail> = planned
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let (failed, replacement) = p.rebuild?;
            let gi = p.group? as usize - 1;
            Some(rebuild_detail(
                layout,
                params,
                gi,
                failed,
                replacement,
                alloc.rates[i],
                limit_name(alloc.limits[i], p, &g, params),
            ))
        })
        .collect();

    let mut notes = Vec::new();
    if g.client.is_empty() && matches!(req.workload, Workload::Ingest | Workload::Read) {
        notes.push("The design has no NIC: client traffic is not limited by the network.".into());
    }
    if params.parity_mb_s.is_none() {
        notes.push("CPU/memory parity limit not modelled (nothing published for the pods; --set parity=MB/s adds it).".into());
    }
    notes.push("A link's load is both directions summed: exact for half-duplex SATA and PCI, conservative for full-duplex PCIe, DMI and Ethernet.".into());
    Ok(BandwidthReport {
        design: pod.name.clone(),
        revision: pod.revision.clone(),
        workload: req.workload,
        zone: params.zone,
        shape: layout.shape.label(),
        links,
        drives,
        flows: flow_rows,
        summary,
        rebuilds,
        factors: params.factors.table(),
        parity_mb_s: params.parity_mb_s,
        settings: params.applied.clone(),
        notes,
    })
}

fn rebuild_detail(
    layout: &Layout,
    params: &Params,
    gi: usize,
    failed: u32,
    replacement: u32,
    rate: f64,
    binding_link: String,
) -> RebuildDetail {
    let member = layout.groups[gi].member;
    let delay = params.factors.delay_h;
    let hours = if rate > 0.0 {
        delay + member.0 as f64 / (rate * 1e6) / 3600.0
    } else {
        f64::INFINITY
    };
    RebuildDetail {
        time: RebuildTime {
            group: gi as u32 + 1,
            rate: MBps(rate),
            hours,
            binding_link,
        },
        failed_bay: failed,
        replacement_bay: replacement,
        member,
        delay_h: delay,
    }
}

fn drive_rows(g: &Graph, layout: &Layout, traffic: &[f64]) -> Vec<DriveRow> {
    let mut rows: Vec<(DriveRow, Vec<u32>)> = Vec::new();
    for (i, d) in g.drives.iter().enumerate() {
        let group = group_of(layout, d.bay).map(|x| x as u32 + 1);
        let t = (traffic[i] * 100.0).round() / 100.0;
        let same = |r: &DriveRow| {
            r.model == d.model
                && r.group == group
                && r.media_mb_s == d.media
                && r.port_mb_s == d.port
                && r.traffic_mb_s.0 == t
        };
        match rows.iter_mut().find(|(r, _)| same(r)) {
            Some((r, bays)) => {
                r.count += 1;
                bays.push(d.bay);
            }
            None => rows.push((
                DriveRow {
                    bays: String::new(),
                    count: 1,
                    model: d.model.clone(),
                    group,
                    media_mb_s: d.media,
                    port_gbit_s: d.port_line.gbit_s,
                    port_mb_s: d.port,
                    traffic_mb_s: MBps(t),
                },
                vec![d.bay],
            )),
        }
    }
    rows.into_iter()
        .map(|(mut r, bays)| {
            r.bays = crate::validate::format_bays(&bays);
            r
        })
        .collect()
}

/// The rebuild time of one drive of each group, each group rebuilding alone (one failure in
/// the pod at a time), as the durability engine needs it.
///
/// For each group of `layout`, its first member fails and is rebuilt onto the first hot spare
/// (or in place after replacement when there is none); the rate is the max-min fair rate of
/// that one rebuild flow over the pod's links under `params` (zone, factors, overrides), and
/// `hours = params.factors.delay_h + member size / rate`. `binding_link` names what sets the
/// rate. Layouts without redundancy (RAID0) have nothing to rebuild: the result is empty, as
/// it is when the parameters do not fit the pod (an unknown slot or link id in `params`).
pub fn rebuild_times(pod: &Pod, layout: &Layout, params: &Params) -> Vec<RebuildTime> {
    if layout.shape.tolerance() == 0 {
        return Vec::new();
    }
    let Ok(g) = graph(pod, params) else {
        return Vec::new();
    };
    let caps: Vec<f64> = g.links.iter().map(|l| l.capacity.0).collect();
    layout
        .groups
        .iter()
        .enumerate()
        .map(|(gi, grp)| {
            let failed = grp.bays[0];
            let replacement = layout.spares.first().copied().unwrap_or(failed);
            let p = rebuild_flow(&g, layout, params, gi, failed, replacement);
            let a = allocate(&caps, std::slice::from_ref(&p.flow));
            let name = limit_name(a.limits[0], &p, &g, params);
            rebuild_detail(layout, params, gi, failed, replacement, a.rates[0], name).time
        })
        .collect()
}
