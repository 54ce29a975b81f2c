//! The design-file language: serde structs that mirror the RON text one to one.
//!
//! This module owns the *shape* of design and catalog files and nothing else. Every struct
//! denies unknown fields so a typo is a syntax error with a line and column. Values that need
//! checking (capacities, prices, bay ranges, references between parts) stay as the user wrote
//! them here, as strings or plain numbers; `validate` turns them into the checked `model`,
//! reporting every problem with its place. Nothing here computes.
//!
//! Two kinds of file use this language:
//! * a **catalog** (`Catalog(parts: [...])`): parts with their physical facts and prices;
//! * a **design** (`Design(...)`): one pod, which may load catalogs and carry its own parts.

use serde::{Deserialize, Serialize};

/// A file of shared parts that designs load through `Design.catalogs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// The parts, each with a unique id.
    pub parts: Vec<Part>,
}

/// One purchasable part: its identity, price and physical facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Part {
    /// Unique kebab-case id that designs use to refer to the part (e.g. `"hitachi-hds5c3030ala630"`).
    pub id: String,
    /// Human name as a buyer would write it on an order.
    pub name: String,
    /// Manufacturer's or supplier's part number, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_number: Option<String>,
    /// Where the part is bought.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    /// Unit price with provenance.
    pub price: Price,
    /// The role of the part and its physical facts.
    pub spec: PartSpec,
    /// Provenance of individual facts that are not plain published data (estimates, derivations).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<Fact>,
}

/// A unit price and where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    /// Decimal amount per unit, as text so no digit is lost: `"120.00"`, `"0.17"`.
    pub amount: String,
    /// ISO 4217 currency code; `"USD"` when omitted.
    #[serde(default = "default_currency")]
    pub currency: String,
    /// When the price was quoted, `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub date: String,
    /// Where the figure comes from.
    pub source: Source,
    /// Quantity price breaks, smallest quantity first (model §15.1): an order of at least `qty`
    /// units of the part pays `amount` per unit. Same currency as the list price.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub breaks: Vec<PriceBreak>,
}

/// One quantity price break: `(qty: 45, amount: "110.00", source: Published("..."))`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceBreak {
    /// Least units in one order (of the whole order, all pods) for this price; at least 2.
    pub qty: u64,
    /// Decimal amount per unit at this quantity, as text like the list price.
    pub amount: String,
    /// When quoted; the list price's date when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Where the figure comes from.
    pub source: Source,
}

fn default_currency() -> String {
    "USD".to_string()
}

/// Where a figure comes from. Mirrors the tags of docs/sources.md: \[P\] published by Backblaze,
/// \[T\] a third party, \[D\] derived by arithmetic, and estimates where nothing was published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    /// Published by the designer (Backblaze for its pods), with the URL.
    Published(String),
    /// Published by a third party (press, vendor page, forum), with the URL.
    ThirdParty(String),
    /// Derived by arithmetic from sourced figures; the text gives the formula.
    Derived(String),
    /// Not published anywhere: a reasoned estimate; the text gives the reasoning.
    Estimated(String),
}

impl Source {
    /// True for figures nobody published (derived or estimated).
    pub(crate) fn is_estimate(&self) -> bool {
        matches!(self, Source::Estimated(_))
    }
    /// One-letter tag as used in docs/sources.md: P, T, D or E.
    pub fn tag(&self) -> &'static str {
        match self {
            Source::Published(_) => "P",
            Source::ThirdParty(_) => "T",
            Source::Derived(_) => "D",
            Source::Estimated(_) => "E",
        }
    }
}

/// The provenance of one field of a part's spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    /// The spec field this is about, e.g. `"host_bus"` or `"outer_mb_s"`.
    pub field: String,
    /// Its source.
    pub source: Source,
}

/// The role of a part, with the physical facts that role needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PartSpec {
    /// A hard drive or SSD (data or boot).
    Drive(DriveSpec),
    /// A backplane: port multiplier, SAS expander, or passive (one connector per bay).
    Backplane(BackplaneSpec),
    /// A SATA/SAS host card (HBA) for a motherboard slot.
    HostCard(HostCardSpec),
    /// A network card for a motherboard slot.
    NicCard(NicCardSpec),
    /// A motherboard with its slots, onboard SATA and NICs.
    Motherboard(MotherboardSpec),
    /// A processor.
    Cpu(CpuSpec),
    /// Memory (a module or a kit).
    Memory(MemorySpec),
    /// A power supply.
    Psu(PsuSpec),
    /// The enclosure.
    Chassis(ChassisSpec),
    /// A fan.
    Fan(FanSpec),
    /// Anything else on the bill of materials: cables, screws, standoffs, switches.
    Other(OtherSpec),
}

/// A link generation: the signalling rate and encoding of one lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LinkGen {
    /// SATA 1.5 Gb/s.
    Sata1,
    /// SATA 3 Gb/s (SATA II).
    Sata2,
    /// SATA 6 Gb/s (SATA III).
    Sata3,
    /// SAS 3 Gb/s.
    Sas1,
    /// SAS 6 Gb/s.
    Sas2,
    /// SAS 12 Gb/s.
    Sas3,
    /// Parallel ATA (IDE), ATA/100.
    Pata,
    /// NVMe over PCIe (M.2, U.2, U.3, E1.S): generation 3 to 5, 1, 2 or 4 lanes, e.g.
    /// `Nvme(gen: 4, lanes: 4)`. A drive with this interface sits on a port of the same kind: an
    /// M.2 socket, or a U.2 connector of a retimer, switch or tri-mode card.
    Nvme {
        /// PCIe generation (3 = 8 GT/s, 4 = 16 GT/s, 5 = 32 GT/s).
        #[serde(rename = "gen")]
        generation: u8,
        /// Lanes: 1, 2 or 4.
        lanes: u8,
    },
}

impl LinkGen {
    /// Human name with its signalling rate: `SATA 3 Gb/s`, `SAS 12 Gb/s`, `PATA ATA/100`.
    pub fn label(self) -> &'static str {
        match self {
            LinkGen::Sata1 => "SATA 1.5 Gb/s",
            LinkGen::Sata2 => "SATA 3 Gb/s",
            LinkGen::Sata3 => "SATA 6 Gb/s",
            LinkGen::Sas1 => "SAS 3 Gb/s",
            LinkGen::Sas2 => "SAS 6 Gb/s",
            LinkGen::Sas3 => "SAS 12 Gb/s",
            LinkGen::Pata => "PATA ATA/100",
            LinkGen::Nvme { generation, lanes } => match (generation, lanes) {
                (3, 1) => "NVMe PCIe 3.0 x1",
                (3, 2) => "NVMe PCIe 3.0 x2",
                (3, _) => "NVMe PCIe 3.0 x4",
                (4, 1) => "NVMe PCIe 4.0 x1",
                (4, 2) => "NVMe PCIe 4.0 x2",
                (4, _) => "NVMe PCIe 4.0 x4",
                (_, 1) => "NVMe PCIe 5.0 x1",
                (_, 2) => "NVMe PCIe 5.0 x2",
                _ => "NVMe PCIe 5.0 x4",
            },
        }
    }
    /// True for NVMe (PCIe) links, false for SATA, SAS and PATA.
    pub fn is_nvme(self) -> bool {
        matches!(self, LinkGen::Nvme { .. })
    }
    /// True for SAS links.
    pub fn is_sas(self) -> bool {
        matches!(self, LinkGen::Sas1 | LinkGen::Sas2 | LinkGen::Sas3)
    }
}

/// How a port multiplier shares its uplink, or how much port-multiplier support a host port has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PmSupport {
    /// No port-multiplier support: a PM backplane cannot hang off this port.
    None,
    /// Command-based switching: one drive behind the PM is served at a time.
    Command,
    /// FIS-based switching: all drives behind the PM are served concurrently.
    Fis,
}

/// A host or slot bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Bus {
    /// Conventional PCI, shared parallel bus (`width_bits` 32 or 64, `mhz` 33 or 66).
    Pci {
        /// Bus width in bits.
        width_bits: u16,
        /// Clock in MHz.
        mhz: u16,
    },
    /// PCI-X, 64-bit (`mhz` 66, 100, 133, 266 or 533).
    PciX {
        /// Clock in MHz.
        mhz: u16,
    },
    /// PCI Express, generation 1-5, 1-16 lanes.
    Pcie {
        /// Generation (1 = 2.5 GT/s, 2 = 5 GT/s, 3 = 8 GT/s, 4 = 16 GT/s, 5 = 32 GT/s).
        #[serde(rename = "gen")]
        generation: u8,
        /// Electrical lanes.
        lanes: u8,
    },
}

impl Bus {
    /// Human name: `PCI 32-bit/33 MHz`, `PCI-X 133 MHz`, `PCIe 2.0 x8`.
    pub fn label(self) -> String {
        match self {
            Bus::Pci { width_bits, mhz } => format!("PCI {width_bits}-bit/{mhz} MHz"),
            Bus::PciX { mhz } => format!("PCI-X {mhz} MHz"),
            Bus::Pcie { generation, lanes } => format!("PCIe {generation}.0 x{lanes}"),
        }
    }
    /// The bus family: `PCI`, `PCI-X` or `PCIe`.
    pub fn family(self) -> &'static str {
        match self {
            Bus::Pci { .. } => "PCI",
            Bus::PciX { .. } => "PCI-X",
            Bus::Pcie { .. } => "PCIe",
        }
    }

    /// The bus a card on this bus runs at in `slot`: a PCIe card at the slower generation of
    /// the two with its own lanes (a slot needs at least as many electrical lanes), a PCI card
    /// at the narrower, slower of the two, PCI and PCI-X together at PCI, PCI-X at the slower
    /// clock. The one rule validation checks and the bandwidth model applies.
    pub(crate) fn fit_in(self, slot: Bus) -> Result<Bus, BusFitError> {
        match (self, slot) {
            (
                Bus::Pcie {
                    generation: cg,
                    lanes: cl,
                },
                Bus::Pcie {
                    generation: sg,
                    lanes: sl,
                },
            ) => {
                if cl > sl {
                    Err(BusFitError::TooFewLanes { card: cl, slot: sl })
                } else {
                    Ok(Bus::Pcie {
                        generation: cg.min(sg),
                        lanes: cl,
                    })
                }
            }
            (
                Bus::Pci {
                    width_bits: cw,
                    mhz: cm,
                },
                Bus::Pci {
                    width_bits: sw,
                    mhz: sm,
                },
            ) => Ok(Bus::Pci {
                width_bits: cw.min(sw),
                mhz: cm.min(sm),
            }),
            (Bus::Pci { width_bits, mhz }, Bus::PciX { .. })
            | (Bus::PciX { .. }, Bus::Pci { width_bits, mhz }) => Ok(Bus::Pci { width_bits, mhz }),
            (Bus::PciX { mhz: cm }, Bus::PciX { mhz: sm }) => Ok(Bus::PciX { mhz: cm.min(sm) }),
            (c, sl) => Err(BusFitError::Family {
                card: c.family(),
                slot: sl.family(),
            }),
        }
    }
}

/// Why a card does not fit a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BusFitError {
    /// A PCIe card wider than the slot's electrical lanes.
    #[error("the card needs x{card} but the slot has x{slot} electrical lanes")]
    TooFewLanes {
        /// The card's lanes.
        card: u8,
        /// The slot's electrical lanes.
        slot: u8,
    },
    /// A card of one bus family in a slot of another.
    #[error("a {card} card does not fit a {slot} slot")]
    Family {
        /// The card's family.
        card: &'static str,
        /// The slot's family.
        slot: &'static str,
    },
}

/// A drive: capacity as sold, interface and the physical facts the engines use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriveSpec {
    /// Capacity as sold, decimal: `"1.5 TB"`, `"160 GB"`.
    pub capacity: String,
    /// Interface the drive speaks.
    pub interface: LinkGen,
    /// Spindle speed in rpm (0 for an SSD).
    pub rpm: u32,
    /// Sustained sequential rate at the outer diameter, MB/s (10^6 B/s).
    pub outer_mb_s: f64,
    /// Sustained sequential rate at the inner diameter, MB/s.
    pub inner_mb_s: f64,
    /// Power when idle (spinning, no I/O), watts.
    pub idle_w: f64,
    /// Power under sequential load, watts.
    pub active_w: f64,
    /// Peak +12 V current while the spindle spins up, amperes.
    pub spinup_12v_a: f64,
    /// +5 V current (electronics) while running, amperes.
    pub run_5v_a: f64,
    /// Annualized failure rate, percent per drive-year (Backblaze's rate convention).
    pub afr_pct: f64,
    /// Bits read per unrecoverable read error, e.g. `1e14`.
    pub ure_bits: f64,
    /// Two host ports (a SAS drive, or a SATA drive behind an interposer): the drive is
    /// reachable over every path of a dual-path backplane. Default `false`: one port, so a
    /// second path does not reach it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub dual_port: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// What kind of backplane, and how it shares its uplink.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BackplaneKind {
    /// A SATA port multiplier: 1 uplink, `drive_ports` drives, shared by the given switching.
    PortMultiplier(PmSupport),
    /// A SAS expander: `uplink_lanes` wide uplink shared by all bays.
    Expander,
    /// A passive backplane: one host port per bay (`uplink_lanes` = `drive_ports`).
    Passive,
}

/// A backplane that drives plug into.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackplaneSpec {
    /// Switching chip, e.g. `"SiI3726"`, `"Marvell 88SM9715"` (or `"none"` for passive).
    pub chip: String,
    /// Port multiplier, expander or passive.
    pub kind: BackplaneKind,
    /// Number of drive bays it serves.
    pub drive_ports: u32,
    /// Link generation of the uplink (and of each drive port).
    pub uplink: LinkGen,
    /// How many host ports the uplink takes (1 for a port multiplier, 4 for an SFF-8087 expander).
    pub uplink_lanes: u32,
    /// How many connectors the uplink lanes come in, each `uplink_lanes / uplinks` lanes wide
    /// (default 1): a passive backplane with four SFF-8643 cables is `uplinks: 4` of 16 lanes,
    /// each connector its own link serving its bays; an expander with two x4 uplinks is
    /// `uplinks: 2` of 8 lanes, its bays' traffic spread over both.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub uplinks: u32,
    /// Host paths the backplane offers (default 1): 2 for a dual-expander (dual-path) SAS
    /// backplane, whose second expander another host card reaches with `Path(backplane: ...)`.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub paths: u32,
    /// Typical power draw, watts.
    pub watts: f64,
    /// The backplane makes its own +5 V from +12 V with this efficiency (0.5 to 1, model
    /// §10.2): its chip and its drives' +5 V load is drawn from the PSU's +12 V.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dc_dc_5v: Option<f64>,
}

/// A host card that puts SATA/SAS ports on a motherboard slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostCardSpec {
    /// Controller chip, e.g. `"SiI3132"`.
    pub chipset: String,
    /// Number of SATA/SAS lanes (a 10 × SFF-8087 card has 40).
    pub ports: u32,
    /// Link generation of each port.
    pub link: LinkGen,
    /// Port-multiplier support of its ports.
    pub pm_support: PmSupport,
    /// The bus the card plugs into.
    pub host_bus: Bus,
    /// Typical power draw, watts.
    pub watts: f64,
}

/// A network card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NicCardSpec {
    /// Number of network ports.
    pub ports: u32,
    /// Speed of each port, Gb/s.
    pub gbit_s: f64,
    /// The bus the card plugs into.
    pub host_bus: Bus,
    /// Typical power draw, watts.
    pub watts: f64,
}

/// Where a motherboard slot or device connects: straight to the CPU, or behind the chipset link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Attach {
    /// Lanes from the CPU (or a northbridge): no shared chipset link.
    Cpu,
    /// Behind the platform controller hub, sharing the chipset link (DMI).
    Chipset,
}

/// The link between the CPU and the chipset (PCH / south bridge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChipsetLink {
    /// DMI 1.0, x4 at 2.5 GT/s (ICH6-ICH10, 5-series PCH): 1 GB/s per direction.
    Dmi1,
    /// DMI 2.0, x4 at 5 GT/s (6/7-series PCH): 2 GB/s per direction.
    Dmi2,
    /// DMI 3.0, x4 at 8 GT/s: 3.93 GB/s per direction.
    Dmi3,
    /// A board without a separate chipset link (everything on the CPU).
    None,
}

/// A motherboard expansion slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlotSpec {
    /// The slot's name as printed on the board, e.g. `"SLOT4"` or `"PCIE1"`.
    pub id: String,
    /// The slot's bus (for PCIe: electrical lanes).
    pub bus: Bus,
    /// Whether the slot's lanes come from the CPU or sit behind the chipset link.
    pub attach: Attach,
}

/// Onboard SATA controller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnboardSataSpec {
    /// Controller, e.g. `"Intel ICH10"`.
    pub controller: String,
    /// Number of ports.
    pub ports: u32,
    /// Link generation.
    pub link: LinkGen,
    /// Port-multiplier support (Intel ICH10: `None`).
    pub pm_support: PmSupport,
    /// Where the controller sits.
    pub attach: Attach,
}

/// What a network port is used for in a design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NicRole {
    /// Carries client traffic (ingest and egress), in the design's bond.
    Data,
    /// The management network (IPMI, SSH, monitoring): no client traffic.
    Management,
    /// Not cabled.
    Unused,
}

/// How the data ports are bonded (Linux bonding modes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Bond {
    /// 802.3ad (LACP), balance-xor or balance-alb: many client flows hashed evenly over every
    /// data port; the bond carries the sum of its members (held to its slowest × count).
    #[default]
    Balance,
    /// active-backup: one port carries everything, the others stand by.
    ActiveBackup,
}

impl Bond {
    fn is_balance(&self) -> bool {
        *self == Bond::Balance
    }
}

/// An onboard network port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NicSpec {
    /// Controller, e.g. `"Intel 82574L"`.
    pub controller: String,
    /// Speed, Gb/s.
    pub gbit_s: f64,
    /// Where the controller sits.
    pub attach: Attach,
}

/// A motherboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MotherboardSpec {
    /// Form factor, e.g. `"ATX"`, `"micro-ATX"`.
    pub form_factor: String,
    /// Chipset, e.g. `"Intel G43 + ICH10"`.
    pub chipset: String,
    /// The CPU-chipset link.
    pub chipset_link: ChipsetLink,
    /// Expansion slots.
    pub slots: Vec<SlotSpec>,
    /// Onboard SATA, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onboard_sata: Option<OnboardSataSpec>,
    /// Number of PATA (IDE) channels' device positions usable for boot drives.
    #[serde(default)]
    pub pata_devices: u32,
    /// Onboard network ports.
    pub nics: Vec<NicSpec>,
    /// Memory slots.
    pub memory_slots: u32,
    /// CPU sockets (default 1).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub sockets: u32,
    /// Typical power of the board itself (without CPU and cards), watts.
    pub watts: f64,
    /// The board makes its own +5 V from +12 V with this efficiency (0.5 to 1, model §10.2):
    /// its boot drives' +5 V load is drawn from the PSU's +12 V.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dc_dc_5v: Option<f64>,
}

/// A processor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CpuSpec {
    /// Cores.
    pub cores: u32,
    /// Base clock, GHz.
    pub ghz: f64,
    /// Thermal design power, watts (used as its power draw under load).
    pub tdp_w: f64,
}

/// Memory: one module, or a kit of several.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemorySpec {
    /// Modules in one unit of this part (2 for a 2 × 2 GB kit).
    pub modules: u32,
    /// Capacity of each module, `"2 GB"`; memory follows JEDEC, so GB here means GiB (2^30 B).
    pub module_size: String,
    /// Type and speed, e.g. `"DDR3-1333"`.
    pub kind: String,
    /// Power per module, watts.
    pub watts_per_module: f64,
}

/// A power supply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PsuSpec {
    /// Rated continuous output, watts.
    pub watts: f64,
    /// Rated current on the +12 V rail(s) combined, amperes.
    pub rail_12v_a: f64,
    /// Rated current on the +5 V rail, amperes; left out for a PSU with no +5 V output (a
    /// modern server PSU gives +12 V only, and the backplane or board makes its own +5 V).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rail_5v_a: Option<f64>,
}

/// The enclosure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChassisSpec {
    /// Height in rack units.
    pub rack_units: u32,
    /// Data-drive bays.
    pub bays: u32,
    /// Depth, inches.
    pub depth_in: f64,
}

/// A fan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FanSpec {
    /// Frame size, millimetres (e.g. 120).
    pub size_mm: u32,
    /// Rated speed, rpm.
    pub rpm: u32,
    /// Power at rated speed, watts (+12 V).
    pub watts: f64,
}

/// BOM category of a part that has no physical role in the engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Category {
    /// Data and boot drives.
    Drives,
    /// Enclosure and its fixed parts.
    Chassis,
    /// Boards, CPU, memory, cards, backplanes, NICs.
    Electronics,
    /// Power supplies, power cabling, switches.
    Power,
    /// Screws, standoffs, sleeves, dampeners, mounts, fans.
    Mechanical,
    /// Data cables.
    Cabling,
}

/// Any other BOM part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtherSpec {
    /// Which BOM category it counts towards.
    pub category: Category,
    /// Power it draws, watts (0 for passive parts).
    #[serde(default)]
    pub watts: f64,
}

/// A design: one storage server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Design {
    /// Display name, e.g. `"Backblaze Storage Pod 2.0"`.
    pub name: String,
    /// Revision label, if the design is one of a series.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// Short label naming the design in comparison tables and charts, e.g. `"Pod 2.0"`
    /// (default: the name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// One paragraph: what this design is and where its facts come from.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Catalog files to load, relative to this file's directory.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub catalogs: Vec<String>,
    /// Parts defined by this design alone (ids must not clash with the catalogs').
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Part>,
    /// The enclosure (a `Chassis` part id).
    pub chassis: String,
    /// The motherboard and what sits directly on it.
    pub board: Board,
    /// Cards in the motherboard's slots and what hangs off their ports.
    #[serde(default)]
    pub slots: Vec<SlotUse>,
    /// Which drive model sits in which bays.
    pub drives: Vec<DriveFill>,
    /// Power supplies and what each one feeds.
    pub psus: Vec<PsuUse>,
    /// Fans, in groups a PSU can feed.
    #[serde(default)]
    pub fans: Vec<FanGroup>,
    /// How the network ports with the `Data` role are bonded (default `Balance`).
    #[serde(default, skip_serializing_if = "Bond::is_balance")]
    pub bond: Bond,
    /// BOM lines that are not in the tree: screws, standoffs, cables, switches.
    #[serde(default)]
    pub extras: Vec<Line>,
    /// How the drives are organised into redundancy groups.
    pub raid: Raid,
    /// Figures the designer published, so engines can be checked against them.
    #[serde(default)]
    pub published: Published,
    /// Figures measured on built pods (power draws, sync and rebuild times, throughputs), each
    /// with its conditions, source and tolerance: `check`, `report` and `compare` set the
    /// model beside them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measured: Vec<Measured>,
    /// Free-form notes: conflicts between sources and the choice made, known gaps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The motherboard and the parts that sit on it directly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Board {
    /// A `Motherboard` part id.
    pub part: String,
    /// The processor: a `Cpu` part id (`"xeon-4210"`), or several of one part for a board
    /// with several sockets (`(part: "xeon-4210", qty: 2)`).
    pub cpu: CpuUse,
    /// Memory parts and quantities.
    pub memory: Vec<Line>,
    /// What hangs off the onboard SATA ports, port by port.
    #[serde(default)]
    pub onboard: Vec<PortUse>,
    /// Boot drives on the PATA channel (`Drive` part ids).
    #[serde(default)]
    pub pata: Vec<String>,
    /// The role of each onboard network port in order, ports left off the end unused; without
    /// it every port carries data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nics: Option<Vec<NicRole>>,
}

/// The processors on a board: one, or `qty` of one part (one per socket).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum CpuUse {
    /// One processor, by `Cpu` part id.
    One(String),
    /// `qty` identical processors: `(part: "xeon-4210", qty: 2)`.
    Several(Line),
}

impl CpuUse {
    /// The part id.
    pub fn part(&self) -> &str {
        match self {
            CpuUse::One(p) => p,
            CpuUse::Several(l) => &l.part,
        }
    }
    /// How many.
    pub fn qty(&self) -> u32 {
        match self {
            CpuUse::One(_) => 1,
            CpuUse::Several(l) => l.qty,
        }
    }
}

impl From<&str> for CpuUse {
    fn from(s: &str) -> Self {
        CpuUse::One(s.to_string())
    }
}

/// Reads a part id (a string) or a `(part, qty)` struct, so that old designs' `cpu: "id"` keep
/// parsing and an error inside the struct keeps RON's line and column.
impl<'de> Deserialize<'de> for CpuUse {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = CpuUse;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a Cpu part id, or (part: \"cpu-id\", qty: N)")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<CpuUse, E> {
                Ok(CpuUse::One(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<CpuUse, A::Error> {
                Line::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(CpuUse::Several)
            }
        }
        d.deserialize_any(V)
    }
}

/// A card placed in a motherboard slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlotUse {
    /// The motherboard slot id (from the board's `slots`).
    pub slot: String,
    /// The card in it.
    pub card: CardUse,
}

/// A card and what hangs off each of its ports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardUse {
    /// A `HostCard` or `NicCard` part id.
    pub part: String,
    /// For a host card: its ports in order; each entry uses one or more ports.
    #[serde(default)]
    pub ports: Vec<PortUse>,
    /// For a network card: the role of each port in order, ports left off the end unused;
    /// without it every port carries data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nics: Option<Vec<NicRole>>,
}

/// What is attached to a host port (or to consecutive ports).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PortUse {
    /// Nothing on this port.
    Empty,
    /// A backplane; uses as many ports as its part's `uplink_lanes`.
    Backplane {
        /// Id for power feeds and reports, unique in the design (e.g. `"bp1"`).
        id: String,
        /// A `Backplane` part id.
        part: String,
        /// The chassis bays it serves, e.g. `"1-5"`.
        bays: String,
        /// Expander backplanes daisy-chained from this one's downstream port (this one must be
        /// an expander): each is a `Backplane(...)` whose uplink plugs into this expander, so
        /// its drives share this backplane's uplink to the host.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        cascade: Vec<PortUse>,
    },
    /// A further host path to a dual-path backplane defined elsewhere in the design (its second
    /// expander or port set): uses as many ports as the backplane's `uplink_lanes`. Dual-ported
    /// drives behind it are reached over every path; the paths share their traffic.
    Path {
        /// The id of the backplane (`"bp1"`).
        backplane: String,
    },
    /// Drives wired straight to the port(s): one port per bay, e.g. `Direct(bays: "1-4")`.
    Direct {
        /// The chassis bays, one port each.
        bays: String,
    },
    /// A boot drive on this port (a `Drive` part id).
    Boot(String),
}

/// A drive model filling a set of bays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriveFill {
    /// The bays, e.g. `"1-45"` or `"1-30,41-45"`.
    pub bays: String,
    /// A `Drive` part id.
    pub part: String,
}

/// A power supply in the design, or a group of identical ones sharing the same loads
/// (`qty: 2, redundancy: NPlus(1)` is a 1+1 redundant pair).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PsuUse {
    /// Id, unique in the design (e.g. `"psu1"`); the units of a group are `psu#1`, `psu#2`.
    pub id: String,
    /// A `Psu` part id.
    pub part: String,
    /// What it powers.
    #[serde(default)]
    pub feeds: Feeds,
    /// Identical units sharing these loads (1 to 16; default 1).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub qty: u32,
    /// How many units of the group may fail with the rest carrying every load.
    #[serde(default, skip_serializing_if = "Redundancy::is_none")]
    pub redundancy: Redundancy,
}

fn one() -> u32 {
    1
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

/// The redundancy a group of PSUs promises (model §10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Redundancy {
    /// None: the units share the load and all of them are needed.
    #[default]
    None,
    /// N+k: any `k` of the group's units may fail and the other N carry the load (`NPlus(1)`
    /// with `qty: 2` is 1+1).
    NPlus(u32),
}

impl Redundancy {
    /// Units that may fail (0 without redundancy).
    pub fn spares(self) -> u32 {
        match self {
            Redundancy::None => 0,
            Redundancy::NPlus(k) => k,
        }
    }
    fn is_none(&self) -> bool {
        *self == Redundancy::None
    }
}

/// The loads a PSU powers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Feeds {
    /// Everything no other PSU names (at most one PSU may say this).
    #[default]
    Rest,
    /// Only these loads: backplane ids, fan-group ids, `"board"` (board, CPU, memory, cards,
    /// boot drives) or `"bays:<range>"` for drives not behind a backplane.
    Only(Vec<String>),
}

/// A group of identical fans.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FanGroup {
    /// Id for power feeds, unique in the design (e.g. `"fans-front"`).
    pub id: String,
    /// A `Fan` part id.
    pub part: String,
    /// How many.
    pub qty: u32,
}

/// A BOM line: a part and a quantity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    /// The part id.
    pub part: String,
    /// How many units of the part.
    pub qty: u32,
}

/// Redundancy level of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Level {
    /// RAID0 across `width` drives: no redundancy.
    Stripe {
        /// Drives per group.
        width: u32,
    },
    /// `copies`-way mirror.
    Mirror {
        /// Copies of every block (2 = RAID1).
        copies: u32,
    },
    /// RAID10: a stripe over mirrors of `copies`, `width` drives in all.
    Raid10 {
        /// Drives per group.
        width: u32,
        /// Copies in each mirror.
        copies: u32,
    },
    /// RAID5: one parity drive per group.
    Raid5 {
        /// Drives per group.
        width: u32,
    },
    /// RAID6: two parity drives per group.
    Raid6 {
        /// Drives per group.
        width: u32,
    },
    /// A ZFS RAIDZ vdev: `parity` (1 to 3) of `width` disks (`RaidZ(parity: 2, width: 15)`);
    /// with `filesystem: Zfs` every group is one top-level vdev of the pool.
    RaidZ {
        /// Parity disks' worth per vdev: 1, 2 or 3 (RAIDZ1–3).
        parity: u32,
        /// Disks per vdev.
        width: u32,
    },
    /// A ZFS dRAID vdev (`Draid(parity: 2, data: 8, children: 60, spares: 2)`, OpenZFS's
    /// `draid2:8d:60c:2s`): `children` disks, redundancy groups of `data` + `parity` sectors
    /// spread over all of them, and `spares` disks' worth of distributed spare space; needs
    /// `filesystem: Zfs`.
    Draid {
        /// Parity per redundancy group: 1, 2 or 3.
        parity: u32,
        /// Data sectors per redundancy group (1 to 255).
        data: u32,
        /// Disks in the vdev (at most 255).
        children: u32,
        /// Distributed spares (0 to 100).
        spares: u32,
    },
    /// General `data` + `parity` erasure coding within the pod.
    Erasure {
        /// Data shards per stripe.
        data: u32,
        /// Parity shards per stripe.
        parity: u32,
    },
}

/// Filesystem on top of the redundancy groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Filesystem {
    /// Linux ext4.
    Ext4,
    /// IBM JFS.
    Jfs,
    /// XFS.
    Xfs,
    /// One ZFS pool over every group: each group is a top-level vdev (RAIDZ, mirror or single
    /// disk), capacity as OpenZFS computes it (model §ZFS).
    Zfs,
    /// Raw block device, or an object store with its own accounting.
    None,
}

/// How the drives are organised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Raid {
    /// Redundancy level of every group.
    pub level: Level,
    /// Hot spares taken from the bays.
    #[serde(default)]
    pub spares: u32,
    /// Explicit member bays of each group (e.g. `["1-15", "16-30", "31-45"]`); when empty the
    /// layout engine assigns bays.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Filesystem on each group.
    pub filesystem: Filesystem,
    /// Pod-level erasure coding across pods (Backblaze Vault), if the pod is deployed in one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vault: Option<Vault>,
    /// How long a failed drive waits before its rebuild starts (detection and replacement),
    /// with its source. Without it: 0 h with a hot spare, 24 h without (see
    /// `crate::durability::NO_SPARE_DELAY`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replace_delay: Option<ReplaceDelay>,
    /// The ZFS pool's settings, with `filesystem: Zfs` (each optional: OpenZFS's defaults and a
    /// full pool otherwise; `layout`'s flags override them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zfs: Option<ZfsSettings>,
}

/// A design's ZFS pool settings: `zfs: (ashift: 12, recordsize: "1M", slop: Current,
/// fill: 0.8)`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZfsSettings {
    /// log2 of the sector size: 9, 12 (the default), 13 or 14.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ashift: Option<u32>,
    /// Record size, a power of two from 512 B to 16 MiB, as ZFS writes it (`"1M"`, `"128K"`)
    /// or as a size (`"1 MiB"`); default 128 KiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recordsize: Option<String>,
    /// The slop rule: `Current` (OpenZFS 2.0.7 and later, the default) or `Legacy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slop: Option<ZfsSlop>,
    /// The allocated share of the pool a resilver is timed at: above 0, at most 1 (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fill: Option<f64>,
    /// Percent of the pool to keep free, shown as its own capacity stage: 0 to below 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_target_pct: Option<f64>,
}

/// The slop rule a design names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ZfsSlop {
    /// OpenZFS 2.0.7 and later: 1/32 capped at 128 GiB, less the embedded ZIL.
    Current,
    /// Before OpenZFS 2.0.7: 1/32, no cap.
    Legacy,
}

/// The detection and replacement delay before a rebuild starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplaceDelay {
    /// Hours from a drive's failure to the start of its rebuild: 0 to 87,660 (ten years).
    pub hours: f64,
    /// Where the figure comes from.
    pub source: Source,
}

/// A k+m code across pods: each pod holds one shard of each stripe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vault {
    /// Data shards (Backblaze: 17).
    pub data: u32,
    /// Parity shards (Backblaze: 3).
    pub parity: u32,
}

/// Figures the designer published, each with its source.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Published {
    /// Raw capacity in decimal TB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_tb: Option<Cited>,
    /// Usable capacity in decimal TB (before or after filesystem: the note says which).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usable_tb: Option<Cited>,
    /// Total cost of one pod including drives, in the catalog currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_cost: Option<Cited>,
    /// Cost per raw decimal GB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_per_gb: Option<Cited>,
}

/// A published number and where it was published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cited {
    /// The number as published, as text (`"7384.00"`, `"0.0517"`).
    pub value: String,
    /// Its source.
    pub source: Source,
    /// What the figure covers, rounding, conflicts.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// A figure measured on a built pod, with how and where, so the model can be set beside it:
/// `(what: SyncHours, value: 14.0, conditions: "...", source: ThirdParty("..."),
/// tolerance_pct: 10.0)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measured {
    /// What was measured, and so its unit.
    pub what: Measure,
    /// The figure, in `what`'s unit.
    pub value: f64,
    /// How it was measured: the load, the software, the rig, the rounding.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub conditions: String,
    /// Where it was published.
    pub source: Source,
    /// How far the model may be from it before `check` warns, percent of the measurement.
    pub tolerance_pct: f64,
    /// Whether the figure is a value, or a bound the model must meet.
    #[serde(default, skip_serializing_if = "Bound::is_value")]
    pub bound: Bound,
    /// A drive part (id) that was measured in place of the design's drives, e.g. a test rig's;
    /// the model is run with it in every bay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drive: Option<String>,
    /// The figure was taken at the wall (AC): the model's DC watts are divided by this PSU
    /// efficiency, in (0, 1], before they are compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub psu_efficiency: Option<f64>,
    /// What-ifs that put the model in the measurement's conditions, as `bandwidth --set` takes
    /// them (`"nics=1"`, `"drive=129"`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set: Vec<String>,
}

/// A measured quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Measure {
    /// Hours for one pass over every drive with all of them streaming at once (an md initial
    /// sync or a scrub): the largest member over the slowest drive's rate.
    SyncHours,
    /// Hours to rebuild one failed drive of the slowest group.
    RebuildHours,
    /// The pod's power in a state, watts (DC, or at the wall with `psu_efficiency`).
    PowerWatts(PowerState),
    /// The pod's throughput in a workload, MB/s (client MB/s for ingest and read).
    ThroughputMBps(Traffic),
}

/// A power state of the whole pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PowerState {
    /// Every drive spinning, idle.
    Idle,
    /// Every drive under sequential load.
    Load,
    /// Every drive spinning up at once.
    Spinup,
}

/// A workload whose throughput can be measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Traffic {
    /// Clients write through the NICs.
    Ingest,
    /// Clients read through the NICs.
    Read,
    /// Every drive reads at once.
    Scrub,
}

/// How a measured figure constrains the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Bound {
    /// The model should be within the tolerance of it.
    #[default]
    Value,
    /// The model should be at least it, less the tolerance (e.g. a rate achieved in service,
    /// which other limits may have held down).
    AtLeast,
    /// The model should be at most it, plus the tolerance.
    AtMost,
}

impl Bound {
    /// True for [`Bound::Value`].
    pub fn is_value(&self) -> bool {
        *self == Bound::Value
    }
}
