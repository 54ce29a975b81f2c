//! The validated pod model: checked parts and the physical tree, in unit newtypes.
//!
//! This module owns the types every engine consumes. A `Pod` exists only for a design that
//! passed validation, so engines can rely on its invariants: every reference resolves, every
//! bay is in range and reached by exactly one path, capacities are non-zero exact bytes and
//! prices are integer cents. It holds no logic beyond small accessors; building it is
//! `validate`'s job.

use crate::spec::{
    Attach, BackplaneSpec, Bus, Category, ChassisSpec, CpuSpec, FanSpec, Filesystem, HostCardSpec,
    Level, LinkGen, MotherboardSpec, NicCardSpec, OtherSpec, PmSupport, PsuSpec, SlotSpec, Source,
    Vault,
};
use crate::units::{Amps, Bytes, Cents, MBps, Watts};
use serde::Serialize;
use std::sync::Arc;

/// A shared, validated part.
pub type PartRef = Arc<Part>;

/// A validated part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    /// Unique id.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Manufacturer's part number.
    pub part_number: Option<String>,
    /// Supplier.
    pub supplier: Option<String>,
    /// Unit price.
    pub price: Price,
    /// Role and physical facts.
    pub kind: Kind,
    /// Spec fields whose values are estimates, derivations or third-party figures.
    pub facts: Vec<(String, Source)>,
    /// The file the part was defined in.
    pub defined_in: String,
}

impl Part {
    /// Spec fields marked as estimates.
    pub(crate) fn estimated_fields(&self) -> impl Iterator<Item = &str> {
        self.facts
            .iter()
            .filter(|(_, s)| s.is_estimate())
            .map(|(f, _)| f.as_str())
    }
}

/// A validated unit price.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Price {
    /// Price per unit in integer cents.
    pub unit: Cents,
    /// ISO 4217 currency.
    pub currency: String,
    /// When quoted.
    pub date: String,
    /// Where it comes from.
    pub source: Source,
    /// Quantity price breaks, strictly ascending in quantity and never dearer than the list
    /// price or a smaller break (model §15.1).
    pub breaks: Vec<PriceBreak>,
}

/// A validated quantity price break.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceBreak {
    /// Least units in one order for this price.
    pub qty: u64,
    /// Price per unit in integer cents.
    pub unit: Cents,
    /// When quoted.
    pub date: String,
    /// Where it comes from.
    pub source: Source,
}

impl Price {
    /// The break that applies to an order of `qty` units: the one with the largest quantity
    /// not above `qty`; `None` when the list price applies (model §15.1).
    pub fn break_for(&self, qty: u64) -> Option<&PriceBreak> {
        self.breaks.iter().rev().find(|b| b.qty <= qty)
    }
    /// Unit price for an order of `qty` units: the applicable break's, else the list price.
    pub fn unit_for(&self, qty: u64) -> Cents {
        self.break_for(qty).map_or(self.unit, |b| b.unit)
    }
}

/// The role of a part with its checked facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Kind {
    /// A drive.
    Drive(Drive),
    /// A backplane.
    Backplane(BackplaneSpec),
    /// A SATA/SAS host card.
    HostCard(HostCardSpec),
    /// A network card.
    NicCard(NicCardSpec),
    /// A motherboard.
    Motherboard(MotherboardSpec),
    /// A processor.
    Cpu(CpuSpec),
    /// Memory.
    Memory(Memory),
    /// A power supply.
    Psu(PsuSpec),
    /// The enclosure.
    Chassis(ChassisSpec),
    /// A fan.
    Fan(FanSpec),
    /// Anything else.
    Other(OtherSpec),
}

impl Kind {
    /// The role's name as written in design files.
    pub fn role(&self) -> &'static str {
        match self {
            Kind::Drive(_) => "Drive",
            Kind::Backplane(_) => "Backplane",
            Kind::HostCard(_) => "HostCard",
            Kind::NicCard(_) => "NicCard",
            Kind::Motherboard(_) => "Motherboard",
            Kind::Cpu(_) => "Cpu",
            Kind::Memory(_) => "Memory",
            Kind::Psu(_) => "Psu",
            Kind::Chassis(_) => "Chassis",
            Kind::Fan(_) => "Fan",
            Kind::Other(_) => "Other",
        }
    }
    /// The BOM category the part counts towards.
    pub fn category(&self) -> Category {
        match self {
            Kind::Drive(_) => Category::Drives,
            Kind::Chassis(_) => Category::Chassis,
            Kind::Psu(_) => Category::Power,
            Kind::Fan(_) => Category::Mechanical,
            Kind::Other(o) => o.category,
            Kind::Backplane(_)
            | Kind::HostCard(_)
            | Kind::NicCard(_)
            | Kind::Motherboard(_)
            | Kind::Cpu(_)
            | Kind::Memory(_) => Category::Electronics,
        }
    }
}

/// A drive's checked facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drive {
    /// Capacity as sold, exact bytes.
    pub capacity: Bytes,
    /// Interface.
    pub interface: LinkGen,
    /// Spindle speed, rpm (0 for SSD).
    pub rpm: u32,
    /// Sustained rate at the outer diameter.
    pub outer: MBps,
    /// Sustained rate at the inner diameter.
    pub inner: MBps,
    /// Idle power.
    pub idle: Watts,
    /// Power under sequential load.
    pub active: Watts,
    /// Peak +12 V current at spin-up.
    pub spinup_12v: Amps,
    /// +5 V current while running.
    pub run_5v: Amps,
    /// Annualized failure rate, percent per drive-year.
    pub afr_pct: f64,
    /// Bits read per unrecoverable read error.
    pub ure_bits: f64,
    /// Two host ports: reachable over every path of a dual-path backplane.
    pub dual_port: bool,
}

/// Memory's checked facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Memory {
    /// Modules per unit.
    pub modules: u32,
    /// Bytes per module.
    pub module_size: Bytes,
    /// Type and speed.
    pub kind: String,
    /// Power per module.
    pub watts_per_module: Watts,
}

/// A validated pod: the physical tree with every reference resolved.
#[derive(Debug, Clone, Serialize)]
pub struct Pod {
    /// Display name.
    pub name: String,
    /// Revision label.
    pub revision: Option<String>,
    /// Short label for comparison tables and charts (the design's `label`, else its name).
    pub label: String,
    /// Description.
    pub description: String,
    /// The file the design came from.
    pub file: String,
    /// The enclosure.
    pub chassis: PartRef,
    /// The motherboard.
    pub board: PartRef,
    /// The processor.
    pub cpu: PartRef,
    /// How many of it (one per socket used).
    pub cpus: u32,
    /// Memory lines (part, quantity).
    pub memory: Vec<(PartRef, u32)>,
    /// SATA controllers: cards in slots and the onboard controller, in design order.
    pub controllers: Vec<Controller>,
    /// Network cards in slots.
    pub nic_cards: Vec<NicCardUse>,
    /// Backplanes, in design order.
    pub backplanes: Vec<Backplane>,
    /// Data drives, sorted by bay.
    pub drives: Vec<BayDrive>,
    /// Boot drives.
    pub boot_drives: Vec<BootDrive>,
    /// The role of each onboard network port, in the board's order (every port listed).
    pub onboard_nic_roles: Vec<crate::spec::NicRole>,
    /// How the data ports are bonded.
    pub bond: crate::spec::Bond,
    /// Power supplies.
    pub psus: Vec<Psu>,
    /// Fan groups.
    pub fans: Vec<FanGroup>,
    /// Extra BOM lines (part, quantity).
    pub extras: Vec<(PartRef, u32)>,
    /// The RAID policy.
    pub raid: RaidPolicy,
    /// Published figures.
    pub published: Published,
    /// Notes from the design file.
    pub notes: Vec<String>,
}

impl Pod {
    /// Raw capacity: the sum of every data drive's capacity as sold.
    pub fn raw_capacity(&self) -> Bytes {
        self.drives
            .iter()
            .fold(Bytes(0), |acc, d| acc.saturating_add(d.drive().capacity))
    }
    /// Number of chassis bays.
    pub fn bays(&self) -> u32 {
        match &self.chassis.kind {
            Kind::Chassis(c) => c.bays,
            _ => 0,
        }
    }
    /// The motherboard's spec.
    pub(crate) fn board_spec(&self) -> Option<&MotherboardSpec> {
        match &self.board.kind {
            Kind::Motherboard(m) => Some(m),
            _ => None,
        }
    }
}

/// Where a SATA controller lives.
#[derive(Debug, Clone, Serialize)]
pub enum ControllerKind {
    /// A host card in a motherboard slot.
    Card {
        /// The slot.
        slot: SlotSpec,
        /// The card part.
        part: PartRef,
    },
    /// The motherboard's onboard controller.
    Onboard {
        /// Controller name.
        controller: String,
    },
}

/// A SATA/SAS controller and what hangs off its ports.
#[derive(Debug, Clone, Serialize)]
pub struct Controller {
    /// The slot id, or `"onboard"`.
    pub id: String,
    /// Card or onboard.
    pub kind: ControllerKind,
    /// Number of ports.
    pub ports: u32,
    /// Port link generation.
    pub link: LinkGen,
    /// Port-multiplier support.
    pub pm_support: PmSupport,
    /// The bus the card sits on (the slot's, limited by the card's), `None` for onboard.
    pub host_bus: Option<Bus>,
    /// CPU lanes or behind the chipset link.
    pub attach: Attach,
    /// Attachments in port order.
    pub attachments: Vec<Attachment>,
    /// Design path of this controller, e.g. `slots[2].card`.
    pub place: String,
}

/// Something on one or more consecutive controller ports.
#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    /// First port used (0-based).
    pub first_port: u32,
    /// Ports used.
    pub ports: u32,
    /// What it is.
    pub what: Attached,
}

/// What sits on a port.
#[derive(Debug, Clone, Serialize)]
pub enum Attached {
    /// Nothing.
    Empty,
    /// A backplane (index into `Pod::backplanes`).
    Backplane(usize),
    /// A further host path to a dual-path backplane (index into `Pod::backplanes`).
    Path(usize),
    /// Drives wired directly, one per port (bays).
    Direct(Vec<u32>),
    /// A boot drive (index into `Pod::boot_drives`).
    Boot(usize),
}

/// A backplane in the tree.
#[derive(Debug, Clone, Serialize)]
pub struct Backplane {
    /// Design id (`bp1`).
    pub id: String,
    /// The part.
    pub part: PartRef,
    /// Bays served, in port order.
    pub bays: Vec<u32>,
    /// Index of the controller it hangs off (for a cascaded backplane: its root's).
    pub controller: usize,
    /// First controller port its uplink uses (for a cascaded backplane: its root's).
    pub first_port: u32,
    /// The expander backplane whose downstream port this one's uplink plugs into (daisy
    /// chain), `None` when cabled to a controller.
    pub upstream: Option<usize>,
    /// Further host paths of a dual-path backplane: (controller index, first port), in design
    /// order. Empty for a backplane with one path, and for a cascaded one (its root's count).
    pub more_paths: Vec<(usize, u32)>,
}

impl Pod {
    /// The root of a backplane's cascade: the backplane cabled to a controller.
    pub fn root_backplane(&self, k: usize) -> usize {
        let mut k = k;
        // A chain is at most as long as the list of backplanes; validation forbids cycles.
        for _ in 0..self.backplanes.len() {
            match self.backplanes.get(k).and_then(|b| b.upstream) {
                Some(up) => k = up,
                None => break,
            }
        }
        k
    }

    /// The controllers a drive reaches the CPU through, primary first: one, or every path of
    /// its dual-path backplane when the drive is dual-ported.
    pub fn drive_controllers(&self, d: &BayDrive) -> Vec<usize> {
        let mut out = vec![d.controller];
        let Some(k) = d.backplane else { return out };
        if !d.drive().dual_port {
            return out;
        }
        // Path p reaches the drive when every backplane on its chain has a p-th path.
        let mut fewest = u32::MAX;
        let mut x = Some(k);
        for _ in 0..=self.backplanes.len() {
            let Some(y) = x else { break };
            fewest = fewest.min(self.backplanes[y].spec().map_or(1, |s| s.paths));
            x = self.backplanes[y].upstream;
        }
        let root = self.root_backplane(k);
        out.extend(
            self.backplanes[root]
                .more_paths
                .iter()
                .take((fewest as usize).saturating_sub(1))
                .map(|(c, _)| *c),
        );
        out
    }
}

impl Backplane {
    /// The backplane's spec.
    pub fn spec(&self) -> Option<&BackplaneSpec> {
        match &self.part.kind {
            Kind::Backplane(b) => Some(b),
            _ => None,
        }
    }
}

/// A data drive in a bay, with the path its data takes.
#[derive(Debug, Clone, Serialize)]
pub struct BayDrive {
    /// Chassis bay (1-based).
    pub bay: u32,
    /// The drive part.
    pub part: PartRef,
    /// Index of the controller.
    pub controller: usize,
    /// Controller port.
    pub port: u32,
    /// Index of the backplane, when behind one.
    pub backplane: Option<usize>,
}

impl BayDrive {
    /// The drive's facts. Validation guarantees the part is a drive.
    pub fn drive(&self) -> &Drive {
        match &self.part.kind {
            Kind::Drive(d) => d,
            _ => &NO_DRIVE,
        }
    }
}

/// Stand-in returned only if the validated invariant "bay parts are drives" were broken.
static NO_DRIVE: Drive = Drive {
    capacity: Bytes(0),
    interface: LinkGen::Sata1,
    rpm: 0,
    outer: MBps(0.0),
    inner: MBps(0.0),
    idle: Watts(0.0),
    active: Watts(0.0),
    spinup_12v: Amps(0.0),
    run_5v: Amps(0.0),
    afr_pct: 0.0,
    ure_bits: 0.0,
    dual_port: false,
};

/// Where a boot drive connects.
#[derive(Debug, Clone, Serialize)]
pub enum BootPort {
    /// A SATA controller port (controller index, port).
    Sata(usize, u32),
    /// The PATA channel.
    Pata,
}

/// A boot drive.
#[derive(Debug, Clone, Serialize)]
pub struct BootDrive {
    /// The drive part.
    pub part: PartRef,
    /// Where it connects.
    pub port: BootPort,
}

/// A network card in a slot.
#[derive(Debug, Clone, Serialize)]
pub struct NicCardUse {
    /// The slot.
    pub slot: SlotSpec,
    /// The card.
    pub part: PartRef,
    /// The role of each of its ports, in order (every port listed).
    pub roles: Vec<crate::spec::NicRole>,
}

/// A load a PSU can feed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Load {
    /// A backplane and the drives in its bays (index into `Pod::backplanes`).
    Backplane(usize),
    /// A fan group (index into `Pod::fans`).
    Fans(usize),
    /// The board, CPU, memory, cards and boot drives.
    Board,
    /// A direct-wired data drive, by bay.
    Bay(u32),
}

/// A power supply and the loads it feeds.
#[derive(Debug, Clone, Serialize)]
pub struct Psu {
    /// Design id.
    pub id: String,
    /// The part.
    pub part: PartRef,
    /// Resolved loads (after `Rest` is expanded), sorted.
    pub loads: Vec<Load>,
    /// Identical units sharing the loads (1 for a single PSU).
    pub qty: u32,
    /// Units the group promises may fail with the rest carrying the load (0: none).
    pub spares: u32,
}

impl Psu {
    /// The id of unit `k` (1-based) of the group: the PSU's own id when it is alone,
    /// `psu#k` in a group.
    pub fn unit_id(&self, k: u32) -> String {
        if self.qty == 1 {
            self.id.clone()
        } else {
            format!("{}#{k}", self.id)
        }
    }
    /// The PSU's spec.
    pub fn spec(&self) -> Option<&PsuSpec> {
        match &self.part.kind {
            Kind::Psu(p) => Some(p),
            _ => None,
        }
    }
}

/// A group of fans.
#[derive(Debug, Clone, Serialize)]
pub struct FanGroup {
    /// Design id.
    pub id: String,
    /// The fan part.
    pub part: PartRef,
    /// How many.
    pub qty: u32,
}

/// The validated RAID policy.
#[derive(Debug, Clone, Serialize)]
pub struct RaidPolicy {
    /// Level of every group.
    pub level: Level,
    /// Hot spares.
    pub spares: u32,
    /// Explicit groups (member bays), empty when the layout engine assigns them.
    pub groups: Vec<Vec<u32>>,
    /// Filesystem.
    pub filesystem: Filesystem,
    /// Vault coding across pods.
    pub vault: Option<Vault>,
    /// The design's detection and replacement delay before a rebuild, if it states one.
    pub replace_delay: Option<crate::spec::ReplaceDelay>,
    /// The ZFS pool's settings the design states (with `filesystem: Zfs`), defaults filled in.
    pub zfs: Option<crate::layout::zfs::ZfsParams>,
}

impl RaidPolicy {
    /// Drives per group, and how many of them may fail without data loss.
    pub fn width_and_tolerance(level: Level) -> (u32, u32) {
        match level {
            Level::Stripe { width } => (width, 0),
            Level::Mirror { copies } => (copies, copies.saturating_sub(1)),
            Level::Raid10 { width, copies } => (width, copies.saturating_sub(1)),
            Level::Raid5 { width } => (width, 1),
            Level::Raid6 { width } => (width, 2),
            Level::Erasure { data, parity } => (data.saturating_add(parity), parity),
            Level::RaidZ { parity, width } => (width, parity),
            Level::Draid {
                parity, children, ..
            } => (children, parity),
        }
    }
}

/// A published figure, checked.
#[derive(Debug, Clone, Serialize)]
pub struct Figure<T> {
    /// The value.
    pub value: T,
    /// The text as published.
    pub text: String,
    /// Where.
    pub source: Source,
    /// Note.
    pub note: String,
}

/// Published figures of the design.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Published {
    /// Raw capacity.
    pub raw: Option<Figure<Bytes>>,
    /// Usable capacity.
    pub usable: Option<Figure<Bytes>>,
    /// Total cost.
    pub total_cost: Option<Figure<Cents>>,
    /// Cost per raw decimal GB (a ratio, shown rounded).
    pub cost_per_gb: Option<Figure<f64>>,
    /// Figures measured on built pods, checked (model beside measurement).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub measured: Vec<Measurement>,
}

/// A validated measured figure (`spec::Measured` with its drive part resolved).
#[derive(Debug, Clone, Serialize)]
pub struct Measurement {
    /// Its index in the design's `measured` list (the place of its diagnostics).
    pub index: usize,
    /// What was measured.
    pub what: crate::spec::Measure,
    /// The figure, in `what`'s unit (finite, above 0).
    pub value: f64,
    /// How it was measured.
    pub conditions: String,
    /// Where it was published.
    pub source: crate::spec::Source,
    /// Tolerance, percent of the measurement (0 to 1000).
    pub tolerance_pct: f64,
    /// A value, or a bound.
    pub bound: crate::spec::Bound,
    /// The drive measured in place of the design's, when it was another.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "part_id")]
    pub drive: Option<PartRef>,
    /// PSU efficiency of a figure taken at the wall, in (0, 1].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub psu_efficiency: Option<f64>,
    /// `bandwidth --set` what-ifs, each already accepted by `Params::set`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub set: Vec<String>,
}

fn part_id<S: serde::Serializer>(p: &Option<PartRef>, s: S) -> Result<S::Ok, S::Error> {
    match p {
        Some(p) => s.serialize_str(&p.id),
        None => s.serialize_none(),
    }
}
