//! Parameters: the factor table, the zone and the `--set` what-if overrides with their ranges.

use super::*;
use crate::links::FactorError;

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
    /// How many NIC ports carry client traffic (`None`: every data port of the design; fewer
    /// keeps the fastest, more than the design has copies the last port).
    pub nics: Option<u32>,
    /// Speed of every NIC port, Gb/s (`None`: as designed).
    pub nic_gbit_s: Option<f64>,
    /// Chipset link generation (`None`: the board's).
    pub chipset: Option<ChipsetLink>,
    /// Card host-bus changes by slot.
    pub buses: Vec<BusChange>,
    /// Storage cards taken as failed, by slot: their drives use their other host paths
    /// (multipath); a drive left without a path is an error.
    pub down: Vec<String>,
    /// Effective capacity of a link by id, MB/s, replacing the computed one.
    pub capacities: Vec<(String, f64)>,
    /// The `--set` assignments applied, in order, as typed.
    pub applied: Vec<String>,
    /// The pool is ZFS and this share of it is allocated (0 < fill ≤ 1): a resilver rewrites
    /// only that share of the failed drive, and md's speed limit does not apply (model §ZFS
    /// resilver). `None`: Linux md, which rebuilds whole members.
    pub zfs_fill: Option<f64>,
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
            down: Vec::new(),
            capacities: Vec::new(),
            applied: Vec::new(),
            zfs_fill: None,
        }
    }
}

/// Keys `Params::set` accepts besides the factor keys and link ids, with their ranges.
pub(crate) const SET_KEYS: &str = "parity=MB/s and drive=MB/s (above 0 and at most 100000), nics=N (1 to 64), nic-gbit=Gb/s (above 0 and at most 800), chipset=dmi1|dmi2|dmi3|none, SLOT.lanes=1|2|4|8|16, SLOT.gen=1 to 5, SLOT.down=1 (a storage card failed: its drives use their other paths), LINK-ID=MB/s (above 0 and at most 100000)";

/// The most NIC ports `--set nics` takes.
pub const MAX_NICS: u32 = 64;
/// PCIe link widths `--set SLOT.lanes` takes: the widths cards and slots are built with.
pub(crate) const PCIE_LANES: [u8; 5] = [1, 2, 4, 8, 16];
/// PCIe generations `--set SLOT.gen` takes: 1.0 to 5.0.
pub(crate) const PCIE_GENS: std::ops::RangeInclusive<u8> = 1..=5;

/// Why a `--set` assignment cannot be applied; each message starts with the assignment.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SetError {
    /// No `=` in the text.
    #[error("{0}: expected KEY=VALUE")]
    NotAssignment(String),
    /// A factor given something that is not a number.
    #[error("{key}={value}: not a number; must be {}", .range.describe(.unit))]
    FactorNotNumber {
        /// The factor key.
        key: String,
        /// The text given.
        value: String,
        /// Its valid range.
        range: Range,
        /// Its unit.
        unit: &'static str,
    },
    /// A factor out of its range.
    #[error(transparent)]
    Factor(#[from] FactorError),
    /// A rate out of its range, or not a number.
    #[error("{key}={value}: must be {}", .range.describe(.unit))]
    OutOfRange {
        /// The key.
        key: String,
        /// The text given.
        value: String,
        /// The valid range.
        range: Range,
        /// Its unit.
        unit: &'static str,
    },
    /// `nics` not a whole number from 1 to [`MAX_NICS`].
    #[error("nics={0}: must be a whole number from 1 to {MAX_NICS}")]
    Nics(String),
    /// `chipset` not one of the DMI generations.
    #[error("chipset={0}: use dmi1, dmi2, dmi3 or none")]
    Chipset(String),
    /// `SLOT.lanes` not a PCIe width.
    #[error("{key}={value}: PCIe lanes are 1, 2, 4, 8 or 16")]
    Lanes {
        /// The key (`SLOT.lanes`).
        key: String,
        /// The text given.
        value: String,
    },
    /// `SLOT.gen` not a PCIe generation.
    #[error("{key}={value}: PCIe generation is a whole number from {} to {}", PCIE_GENS.start(), PCIE_GENS.end())]
    Generation {
        /// The key (`SLOT.gen`).
        key: String,
        /// The text given.
        value: String,
    },
    /// `SLOT.down` with a value other than `1`.
    #[error("{key}={value}: a failed card is SLOT.down=1")]
    Down {
        /// The key (`SLOT.down`).
        key: String,
        /// The text given.
        value: String,
    },
    /// `SLOT.FIELD` with a field other than `lanes`, `gen` or `down`.
    #[error("{key}: unknown field {field:?} (a slot takes .lanes, .gen or .down)")]
    SlotField {
        /// The key.
        key: String,
        /// The field after the last dot.
        field: String,
    },
    /// Neither a factor, a known key, a slot field nor a link id.
    #[error("{key}: unknown key (use a factor: {}; or {SET_KEYS})", Factors::keys().collect::<Vec<_>>().join(", "))]
    UnknownKey {
        /// The key.
        key: String,
    },
}

/// A number within `range` (in `unit`), or an error naming the key and the range.
pub(super) fn ranged(
    key: &str,
    value: &str,
    range: Range,
    unit: &'static str,
) -> Result<f64, SetError> {
    match value.trim().parse::<f64>() {
        Ok(v) if range.contains(v) => Ok(v),
        _ => Err(SetError::OutOfRange {
            key: key.to_string(),
            value: value.to_string(),
            range,
            unit,
        }),
    }
}

impl Params {
    /// Applies one `KEY=VALUE` assignment. Keys: a factor of [`Factors`] (`pcie=0.85`), the
    /// CPU parity limit `parity`, the drive rate `drive`, `nics`, `nic-gbit`, `chipset`, a
    /// card's `SLOT.lanes` / `SLOT.gen`, or a link id (`host:SLOT7=800`) for its effective
    /// MB/s. Slots and link ids are checked against the pod when the graph is built.
    pub fn set(&mut self, assignment: &str) -> Result<(), SetError> {
        let Some((key, value)) = assignment.split_once('=') else {
            return Err(SetError::NotAssignment(assignment.to_string()));
        };
        let (key, value) = (key.trim(), value.trim());
        if Factors::keys().any(|k| k == key) {
            let x: f64 = value.parse().map_err(|_| {
                let (range, unit) = Factors::range(key).unwrap_or((Range::above_zero(1.0), ""));
                SetError::FactorNotNumber {
                    key: key.to_string(),
                    value: value.to_string(),
                    range,
                    unit,
                }
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
                    _ => return Err(SetError::Nics(value.to_string())),
                },
                "chipset" => {
                    self.chipset = Some(match value.to_ascii_lowercase().as_str() {
                        "dmi1" => ChipsetLink::Dmi1,
                        "dmi2" => ChipsetLink::Dmi2,
                        "dmi3" => ChipsetLink::Dmi3,
                        "none" => ChipsetLink::None,
                        _ => return Err(SetError::Chipset(value.to_string())),
                    })
                }
                _ => self.set_slot_or_link(key, value)?,
            }
        }
        self.applied.push(format!("{key}={value}"));
        Ok(())
    }

    /// `SLOT.lanes`, `SLOT.gen` or `LINK-ID=MB/s`.
    fn set_slot_or_link(&mut self, key: &str, value: &str) -> Result<(), SetError> {
        if let Some((slot, "down")) = key.rsplit_once('.') {
            if value != "1" {
                return Err(SetError::Down {
                    key: key.to_string(),
                    value: value.to_string(),
                });
            }
            if !self.down.iter().any(|d| d == slot) {
                self.down.push(slot.to_string());
            }
        } else if let Some((slot, field)) = key.rsplit_once('.') {
            // Out-of-range text (1000000, -1, 1e300) is no valid count either.
            let n: Option<u8> = value.parse().ok();
            let lanes = n.filter(|n| PCIE_LANES.contains(n));
            let generation = n.filter(|n| PCIE_GENS.contains(n));
            let (key, value) = (key.to_string(), value.to_string());
            match field {
                "lanes" if lanes.is_none() => return Err(SetError::Lanes { key, value }),
                "gen" if generation.is_none() => {
                    return Err(SetError::Generation { key, value });
                }
                "lanes" | "gen" => {}
                _ => {
                    return Err(SetError::SlotField {
                        key,
                        field: field.to_string(),
                    });
                }
            }
            let change = match self.buses.iter_mut().position(|b| b.slot == slot) {
                Some(i) => &mut self.buses[i],
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
            return Err(SetError::UnknownKey {
                key: key.to_string(),
            });
        }
        Ok(())
    }
}
