//! The link table: the raw line rate, line encoding and protocol efficiency of every kind of
//! link the bandwidth model knows, and the drive zone model, in one documented place.
//!
//! This module owns numbers, not topology: it turns a link generation, a bus, a chipset link or
//! an Ethernet speed into a [`LineRate`] (raw Gb/s and encoding), and holds every efficiency
//! factor as a named, sourced, overridable field of [`Factors`]. Sources are sections of
//! `docs/model.md` and its numbered source list (`[n]`); `\[S\]` stated by the
//! source, `\[D\]` derived there, `\[U\]` uncertain. It must not know about pods or workloads; the
//! engine that uses it is [`crate::bandwidth`].
//!
//! Effective capacity of a link, in MB/s (10^6 B/s) of payload:
//!
//! ```text
//! effective = raw_gbit_s × 10^9 × encoding / 8 / 10^6 × efficiency
//! ```
//!
//! except a command-based port-multiplier uplink, which serves one drive at a time:
//! `min(payload × pm_fis, pm_command × the fastest drive behind it)` (model §1.2).

use crate::model::Drive;
use crate::spec::{Bus, ChipsetLink, LinkGen};
use crate::units::{Encoding, LineRate, MBps};
use serde::Serialize;

/// Every efficiency factor and protocol limit of the model, each overridable with `--set`.
///
/// The defaults are [`Factors::default`]; [`Factors::table`] lists them with their sources.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Factors {
    /// Payload fraction of one SATA/SAS link after FIS framing, CRC and primitives (a drive's
    /// own port, an expander uplink): 0.9.
    pub sata: f64,
    /// Payload fraction of a FIS-based-switching port-multiplier uplink: 249 / 300 = 0.83.
    pub pm_fis: f64,
    /// A command-based-switching uplink serves one drive at a time: this fraction of the
    /// fastest drive's rate behind it: 1.0.
    pub pm_command: f64,
    /// Payload fraction of a conventional (shared, half-duplex) PCI bus: 100 / 133 = 0.75.
    pub pci: f64,
    /// Payload fraction of a PCI-X bus: 0.8.
    pub pci_x: f64,
    /// Payload fraction of a PCIe link after TLP/DLLP overhead: 0.8.
    pub pcie: f64,
    /// Payload fraction of the chipset link (DMI, PCIe-like): 0.8.
    pub dmi: f64,
    /// TCP goodput fraction of an Ethernet port, 1500 MTU: 1448 / 1538 = 0.9415.
    pub ethernet: f64,
    /// Goodput fraction of bonded Ethernet ports (applied when more than one port is used): 1.0.
    pub bond: f64,
    /// Linux md `speed_limit_max`, the ceiling of a rebuild's per-device rate, MB/s: 204.8.
    pub md_max_mb_s: f64,
    /// Detection plus replacement delay added to every rebuild time, hours: 0.
    pub delay_h: f64,
}

impl Default for Factors {
    fn default() -> Self {
        Factors {
            sata: 0.9,
            pm_fis: 249.0 / 300.0,
            pm_command: 1.0,
            pci: 100.0 / (32.0 * (100.0 / 3.0) / 8.0),
            pci_x: 0.8,
            pcie: 0.8,
            dmi: 0.8,
            ethernet: 1448.0 / 1538.0,
            bond: 1.0,
            md_max_mb_s: 200_000.0 * 1024.0 / 1e6,
            delay_h: 0.0,
        }
    }
}

/// One row of the factor table: a factor's key, value and provenance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Factor {
    /// The key `--set` takes, e.g. `pcie`.
    pub key: &'static str,
    /// The value in force.
    pub value: f64,
    /// Its unit: `fraction`, `MB/s` or `h`.
    pub unit: &'static str,
    /// What it applies to.
    pub what: &'static str,
    /// Where the default comes from (docs/model.md section and source number).
    pub source: &'static str,
}

/// The largest rate `--set` accepts for a link, the CPU parity limit, a drive or md's rebuild
/// ceiling, MB/s: 100 GB/s, above any single link or device of a storage server (a PCIe 5.0
/// x16 link carries about 63 GB/s).
pub const MAX_MB_S: f64 = 100_000.0;
/// The fastest Ethernet port `--set nic-gbit` accepts, Gb/s: 800GbE (IEEE 802.3df).
pub(crate) const MAX_NIC_GBIT: f64 = 800.0;
/// The longest detection and replacement delay `--set delay-h` accepts, hours: one year, the
/// period AFRs are quoted over; a longer wait is no repair.
pub const MAX_DELAY_H: f64 = 8760.0;

/// A number for a message: plain when short, in exponent form otherwise (`1e300`, never 301
/// digits).
pub(crate) fn num_text(v: f64) -> String {
    if v == 0.0 || (v.is_finite() && (1e-6..1e12).contains(&v.abs())) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// The values a `--set` number may take: above (or from) `min`, at most `max`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Range {
    /// Lower end.
    pub min: f64,
    /// Whether `min` itself is allowed.
    pub min_included: bool,
    /// Upper end, allowed.
    pub max: f64,
}

impl Range {
    /// Above 0, at most `max`.
    pub const fn above_zero(max: f64) -> Range {
        Range {
            min: 0.0,
            min_included: false,
            max,
        }
    }
    /// From 0, at most `max`.
    pub const fn from_zero(max: f64) -> Range {
        Range {
            min: 0.0,
            min_included: true,
            max,
        }
    }
    /// Whether `v` is a finite number in the range.
    pub fn contains(&self, v: f64) -> bool {
        v.is_finite() && v <= self.max && (v > self.min || (self.min_included && v == self.min))
    }
    /// The range in words with a unit, e.g. `above 0 and at most 1` or
    /// `at least 0 and at most 8760 h`.
    pub fn describe(&self, unit: &str) -> String {
        let unit = if unit.is_empty() || unit == "fraction" {
            String::new()
        } else {
            format!(" {unit}")
        };
        if self.min_included {
            format!("at least {} and at most {}{unit}", self.min, self.max)
        } else {
            format!("above {} and at most {}{unit}", self.min, self.max)
        }
    }
}

/// A factor set outside its range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{key}={}: must be {}", num_text(*.value), .range.describe(.unit))]
pub struct FactorError {
    /// The factor key.
    pub key: &'static str,
    /// The value given.
    pub value: f64,
    /// Its valid range.
    pub range: Range,
    /// Its unit.
    pub unit: &'static str,
}

/// Static description of each factor: key, unit, what, source, valid range.
const ROWS: [(&str, &str, &str, &str, Range); 11] = [
    (
        "sata",
        "fraction",
        "one SATA/SAS link (a drive's own port, an expander uplink)",
        "model §1.1: η_SATA ≈ 0.83-0.93 [D]; SATA 3 ~550 of 600 MB/s in practice [U]",
        Range::above_zero(1.0),
    ),
    (
        "pm-fis",
        "fraction",
        "port-multiplier uplink, FIS-based switching",
        "model §1.2: 249 MB/s measured of 300, 5 drives behind an FBS PM [S][5]",
        Range::above_zero(1.0),
    ),
    (
        "pm-command",
        "× one drive",
        "port-multiplier uplink, command-based switching (one drive at a time)",
        "model §1.2: CBS ≈ one drive's streaming rate [S][3][4]; 115 MB/s measured FBS off [S][5]",
        Range::above_zero(1.0),
    ),
    (
        "pci",
        "fraction",
        "conventional PCI bus, shared by every card on it",
        "model §1.4: 133 MB/s raw, ~100-110 realistic [U][12][13]; 100/133",
        Range::above_zero(1.0),
    ),
    (
        "pci-x",
        "fraction",
        "PCI-X bus",
        "model §1.4: ~75-85 % [U][12]",
        Range::above_zero(1.0),
    ),
    (
        "pcie",
        "fraction",
        "PCIe card host link",
        "model §1.4: TLP 84-93 % less DLLPs, 0.8 a safe default [D][15][16]",
        Range::above_zero(1.0),
    ),
    (
        "dmi",
        "fraction",
        "chipset link (DMI) shared by everything behind the PCH",
        "model §1.4: DMI 1.0 ~0.8 of 1 GB/s, DMI 2.0 ~1.6 of 2 [D][21]",
        Range::above_zero(1.0),
    ),
    (
        "ethernet",
        "fraction",
        "Ethernet port, TCP goodput at 1500 MTU (0.99 for 9000 MTU)",
        "model §1.5: 1448 B payload per 1538 B on the wire = 117.7 MB/s per GbE [D][22]",
        Range::above_zero(1.0),
    ),
    (
        "bond",
        "fraction",
        "bonded Ethernet ports, across many flows",
        "model §1.5: 2 × GbE bonded ~235 MB/s = 2 × 117.7 [U]",
        Range::above_zero(1.0),
    ),
    (
        "md-max",
        "MB/s",
        "Linux md speed_limit_max, per device, caps a rebuild",
        "model §4: default 200,000 KiB/s [S][56]",
        Range::above_zero(MAX_MB_S),
    ),
    (
        "delay-h",
        "h",
        "detection and replacement delay added to a rebuild",
        "model §6.2: T_R = T_detect + T_swap + C / B_r; 0 as in the §7 hot-spare example",
        Range::from_zero(MAX_DELAY_H),
    ),
];

impl Factors {
    fn slot(&mut self, key: &str) -> Option<&mut f64> {
        Some(match key {
            "sata" => &mut self.sata,
            "pm-fis" => &mut self.pm_fis,
            "pm-command" => &mut self.pm_command,
            "pci" => &mut self.pci,
            "pci-x" => &mut self.pci_x,
            "pcie" => &mut self.pcie,
            "dmi" => &mut self.dmi,
            "ethernet" => &mut self.ethernet,
            "bond" => &mut self.bond,
            "md-max" => &mut self.md_max_mb_s,
            "delay-h" => &mut self.delay_h,
            _ => return None,
        })
    }

    /// The value of a factor by key, or `None` for an unknown key.
    pub fn get(&self, key: &str) -> Option<f64> {
        let mut copy = *self;
        copy.slot(key).map(|v| *v)
    }

    /// Sets a factor by key, within its range ([`Factors::range`]): efficiencies and
    /// `pm-command` in (0, 1]; `md-max` in (0, [`MAX_MB_S`]]; `delay-h` in [0, [`MAX_DELAY_H`]].
    /// `Ok(false)` when the key is not a factor.
    pub fn set(&mut self, key: &str, value: f64) -> Result<bool, FactorError> {
        let Some((key, unit, _, _, range)) = ROWS.iter().find(|r| r.0 == key) else {
            return Ok(false);
        };
        if !range.contains(value) {
            return Err(FactorError {
                key,
                value,
                range: *range,
                unit,
            });
        }
        if let Some(v) = self.slot(key) {
            *v = value;
        }
        Ok(true)
    }

    /// The valid range of a factor and its unit, or `None` for an unknown key.
    pub fn range(key: &str) -> Option<(Range, &'static str)> {
        ROWS.iter().find(|r| r.0 == key).map(|r| (r.4, r.1))
    }

    /// The whole table with the values in force.
    pub fn table(&self) -> Vec<Factor> {
        ROWS.iter()
            .map(|(key, unit, what, source, _)| Factor {
                key,
                value: self.get(key).unwrap_or(f64::NAN),
                unit,
                what,
                source,
            })
            .collect()
    }

    /// Every factor key.
    pub fn keys() -> impl Iterator<Item = &'static str> {
        ROWS.iter().map(|r| r.0)
    }

    /// The efficiency of a host bus and its factor key.
    pub(crate) fn for_bus(&self, bus: Bus) -> (f64, &'static str) {
        match bus {
            Bus::Pci { .. } => (self.pci, "pci"),
            Bus::PciX { .. } => (self.pci_x, "pci-x"),
            Bus::Pcie { .. } => (self.pcie, "pcie"),
        }
    }
}

/// Raw line rate of one storage link of a generation (model §1.1; SAS by the same 8b/10b
/// rule; PATA as ATA/100's 100 MB/s parallel transfer; NVMe as the PCIe link it runs on,
/// model §1.4).
pub(crate) fn serial_line(generation: LinkGen) -> LineRate {
    let (gbit_s, encoding) = match generation {
        LinkGen::Sata1 => (1.5, Encoding::B8b10b),
        LinkGen::Sata2 | LinkGen::Sas1 => (3.0, Encoding::B8b10b),
        LinkGen::Sata3 | LinkGen::Sas2 => (6.0, Encoding::B8b10b),
        LinkGen::Sas3 => (12.0, Encoding::B8b10b),
        LinkGen::Pata => (0.8, Encoding::None),
        LinkGen::Nvme { generation, lanes } => {
            return bus_line(Bus::Pcie { generation, lanes });
        }
    };
    LineRate { gbit_s, encoding }
}

/// The slower of two link generations: what a drive and its port negotiate. Two NVMe links
/// train to the lower generation and the fewer lanes of the two (PCIe link training).
pub fn slower(a: LinkGen, b: LinkGen) -> LinkGen {
    if let (
        LinkGen::Nvme {
            generation: ga,
            lanes: la,
        },
        LinkGen::Nvme {
            generation: gb,
            lanes: lb,
        },
    ) = (a, b)
    {
        return LinkGen::Nvme {
            generation: ga.min(gb),
            lanes: la.min(lb),
        };
    }
    if serial_line(a).payload().0 <= serial_line(b).payload().0 {
        a
    } else {
        b
    }
}

/// The efficiency of a drive's own link and its factor key: `sata` for SATA/SAS (and PATA),
/// `pcie` for NVMe, which is a PCIe link (model §1.4).
pub(crate) fn drive_link_efficiency(f: &Factors, link: LinkGen) -> (f64, &'static str) {
    if link.is_nvme() {
        (f.pcie, "pcie")
    } else {
        (f.sata, "sata")
    }
}

/// A bus clock as written (33, 66, 133, 266, 533) to its true MHz (33⅓, 66⅔, …).
fn true_mhz(mhz: u16) -> f64 {
    match mhz {
        33 => 100.0 / 3.0,
        66 => 200.0 / 3.0,
        133 => 400.0 / 3.0,
        266 => 800.0 / 3.0,
        533 => 1600.0 / 3.0,
        m => f64::from(m),
    }
}

/// Raw rate of a host bus, per direction (model §1.4): PCI width × clock (133 MB/s at
/// 32-bit/33 MHz), PCI-X 64 bit × clock (1066 MB/s at 133 MHz), PCIe 2.5 / 5 GT/s with 8b/10b
/// and 8 / 16 / 32 GT/s with 128b/130b, per lane.
pub(crate) fn bus_line(bus: Bus) -> LineRate {
    match bus {
        Bus::Pci { width_bits, mhz } => LineRate {
            gbit_s: f64::from(width_bits) * true_mhz(mhz) / 1000.0,
            encoding: Encoding::None,
        },
        Bus::PciX { mhz } => LineRate {
            gbit_s: 64.0 * true_mhz(mhz) / 1000.0,
            encoding: Encoding::None,
        },
        Bus::Pcie { generation, lanes } => {
            let (gt, encoding) = match generation {
                1 => (2.5, Encoding::B8b10b),
                2 => (5.0, Encoding::B8b10b),
                3 => (8.0, Encoding::B128b130b),
                4 => (16.0, Encoding::B128b130b),
                _ => (32.0, Encoding::B128b130b),
            };
            LineRate {
                gbit_s: gt * f64::from(lanes),
                encoding,
            }
        }
    }
}

/// Raw rate of the chipset link, per direction (model §1.4, source 21): DMI 1.0 is x4 at
/// 2.5 GT/s 8b/10b (1 GB/s), DMI 2.0 x4 at 5 GT/s (2 GB/s), DMI 3.0 x4 at 8 GT/s 128b/130b
/// (3.94 GB/s). `None` for a board without one.
pub(crate) fn chipset_line(link: ChipsetLink) -> Option<LineRate> {
    let (gt, encoding) = match link {
        ChipsetLink::Dmi1 => (2.5, Encoding::B8b10b),
        ChipsetLink::Dmi2 => (5.0, Encoding::B8b10b),
        ChipsetLink::Dmi3 => (8.0, Encoding::B128b130b),
        ChipsetLink::None => return None,
    };
    Some(LineRate {
        gbit_s: 4.0 * gt,
        encoding,
    })
}

/// An Ethernet port: the MAC data rate, already payload before framing (the framing, IP and
/// TCP overhead is the `ethernet` factor).
pub(crate) fn ethernet_line(gbit_s: f64) -> LineRate {
    LineRate {
        gbit_s,
        encoding: Encoding::None,
    }
}

/// Effective MB/s of a line rate at an efficiency.
pub fn effective(line: LineRate, efficiency: f64) -> MBps {
    MBps(line.payload().0 * efficiency)
}

/// Where on the platters a sequential transfer runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Zone {
    /// The outer diameter: the drive's best sustained rate (`outer_mb_s`).
    Outer,
    /// A full pass from outer to inner diameter (a rebuild, a scrub): capacity / pass time.
    Average,
    /// The inner diameter: the worst sustained rate (`inner_mb_s`).
    Inner,
}

impl Zone {
    /// The name users type.
    pub fn name(self) -> &'static str {
        match self {
            Zone::Outer => "outer",
            Zone::Average => "average",
            Zone::Inner => "inner",
        }
    }
}

/// A drive's sustained sequential rate in a zone, from its catalog `outer_mb_s` and
/// `inner_mb_s` (model §1.6).
///
/// The full-pass average is capacity / pass time. With zoned recording the rate is
/// proportional to the radius and capacity is uniform in area, so a pass from `r_i` to `r_o`
/// takes a time proportional to `r_o − r_i` and averages `outer × (1 + inner/outer) / 2`, the
/// mean of the two catalog rates. At the zone model's inner/outer = 0.47 this is 0.735 ×
/// outer, model §1.6's "≈ 0.75 × OD" (whose closed form, the capacity-weighted mean of the
/// instantaneous rate, gives 0.767 and slightly overstates a pass).
pub(crate) fn zone_rate(drive: &Drive, zone: Zone) -> MBps {
    match zone {
        Zone::Outer => drive.outer,
        Zone::Inner => drive.inner,
        Zone::Average => MBps((drive.outer.0 + drive.inner.0) / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_ceilings() {
        let f = Factors::default();
        // SATA 2: 300 MB/s payload; FBS uplink 249 MB/s.
        let sata2 = serial_line(LinkGen::Sata2);
        assert!((sata2.payload().0 - 300.0).abs() < 1e-9);
        assert!((effective(sata2, f.pm_fis).0 - 249.0).abs() < 1e-9);
        // 32-bit/33 MHz PCI: 133⅓ MB/s raw, 100 effective.
        let pci = bus_line(Bus::Pci {
            width_bits: 32,
            mhz: 33,
        });
        assert!((pci.payload().0 - 133.333).abs() < 1e-3);
        assert!((effective(pci, f.pci).0 - 100.0).abs() < 1e-9);
        // PCI-X 64/133: 1066 MB/s.
        let pcix = bus_line(Bus::PciX { mhz: 133 });
        assert!((pcix.payload().0 - 1066.667).abs() < 1e-3);
        // PCIe: 250 MB/s per Gen1 lane, 500 per Gen2 lane, 985 per Gen3 lane.
        let g1 = bus_line(Bus::Pcie {
            generation: 1,
            lanes: 1,
        });
        assert!((g1.payload().0 - 250.0).abs() < 1e-9);
        assert!((effective(g1, f.pcie).0 - 200.0).abs() < 1e-9);
        let g2x8 = bus_line(Bus::Pcie {
            generation: 2,
            lanes: 8,
        });
        assert!((g2x8.payload().0 - 4000.0).abs() < 1e-9);
        let g3 = bus_line(Bus::Pcie {
            generation: 3,
            lanes: 1,
        });
        assert!((g3.payload().0 - 984.6).abs() < 0.1);
        // DMI 1.0: 1 GB/s per direction; DMI 3.0 3.94 GB/s.
        let dmi1 = chipset_line(ChipsetLink::Dmi1).expect("DMI 1.0 has a line");
        assert!((dmi1.payload().0 - 1000.0).abs() < 1e-9);
        let dmi3 = chipset_line(ChipsetLink::Dmi3).expect("DMI 3.0 has a line");
        assert!((dmi3.payload().0 - 3938.5).abs() < 0.1);
        // GbE TCP goodput 117.7 MB/s; 10 GbE ~1177.
        let gbe = effective(ethernet_line(1.0), f.ethernet);
        assert!((gbe.0 - 117.7).abs() < 0.05);
        // md speed_limit_max 200,000 KiB/s.
        assert!((f.md_max_mb_s - 204.8).abs() < 1e-9);
    }

    #[test]
    fn factors_are_settable_by_key_and_checked() {
        let mut f = Factors::default();
        assert_eq!(f.set("pcie", 0.85), Ok(true));
        assert_eq!(f.pcie, 0.85);
        assert_eq!(f.set("nonsense", 0.5), Ok(false));
        assert!(f.set("pcie", 1.5).is_err());
        assert!(f.set("pcie", 0.0).is_err());
        assert!(f.set("delay-h", -1.0).is_err());
        assert_eq!(f.set("delay-h", 24.0), Ok(true));
        assert_eq!(f.table().len(), Factors::keys().count());
        for row in f.table() {
            assert_eq!(Some(row.value), f.get(row.key), "{}", row.key);
        }
    }

    #[test]
    fn the_average_zone_is_the_pass_time_mean() {
        let d = Drive {
            capacity: crate::units::Bytes(0),
            interface: LinkGen::Sata2,
            rpm: 7200,
            outer: MBps(100.0),
            inner: MBps(47.0),
            idle: crate::units::Watts(0.0),
            active: crate::units::Watts(0.0),
            spinup_12v: crate::units::Amps(0.0),
            run_5v: crate::units::Amps(0.0),
            afr_pct: 0.0,
            ure_bits: 0.0,
            dual_port: false,
        };
        assert!((zone_rate(&d, Zone::Average).0 - 73.5).abs() < 1e-9);
        assert_eq!(zone_rate(&d, Zone::Outer).0, 100.0);
        assert_eq!(zone_rate(&d, Zone::Inner).0, 47.0);
        // Cross-check by integration: a pass over radii r_i..r_o at a rate ∝ r.
        let (ri, ro) = (0.47f64, 1.0f64);
        let steps = 100_000;
        let (mut bytes, mut time) = (0.0, 0.0);
        for i in 0..steps {
            let r = ri + (ro - ri) * (i as f64 + 0.5) / steps as f64;
            let area = r; // bytes per dr ∝ circumference
            bytes += area;
            time += area / (100.0 * r / ro);
        }
        assert!((bytes / time - 73.5).abs() < 1e-6);
    }
}
