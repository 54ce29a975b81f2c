//! Diagnostics: every problem found in a design, with a stable code and its place.
//!
//! This module owns the list of diagnostic codes (kebab-case, stable across releases: scripts
//! may match on them) and how one diagnostic is shown. It does not decide what is wrong; the
//! loader, `validate` and the engines' lints do.

use serde::Serialize;
use std::fmt;

/// How bad a diagnostic is. Errors fail `podplan check` (exit 2); warnings are printed only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The design cannot be used as written.
    Error,
    /// The design works but something deserves attention.
    Warning,
}

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)*) => {
        /// A stable diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }
        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];
            /// The kebab-case text of the code.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }
        }
    };
}

codes! {
    /// The file could not be read.
    Io = "io",
    /// RON syntax or shape error (unknown field, wrong type); reported with line and column.
    Syntax = "syntax",
    /// A catalog listed in `catalogs` could not be loaded.
    CatalogLoad = "catalog-load",
    /// A part id is not in any loaded catalog or in the design's own parts.
    UnknownPart = "unknown-part",
    /// Two parts share one id.
    DuplicatePartId = "duplicate-part-id",
    /// A part id is not lowercase kebab-case.
    InvalidId = "invalid-id",
    /// A part is used in a role it does not have (a fan as a drive, a NIC as a host card).
    WrongPartRole = "wrong-part-role",
    /// Two design elements (backplanes, PSUs, fan groups) share one id.
    DuplicateId = "duplicate-id",
    /// A capacity or size string cannot be read.
    InvalidCapacity = "invalid-capacity",
    /// A capacity of zero bytes.
    ZeroCapacity = "zero-capacity",
    /// A capacity beyond any real device (over 1 PB per drive, or not representable).
    AbsurdCapacity = "absurd-capacity",
    /// A price string cannot be read.
    InvalidPrice = "invalid-price",
    /// A negative price.
    NegativePrice = "negative-price",
    /// A quantity price break out of order (quantities not strictly ascending, below 2 or
    /// absurd) or dearer than the list price or a smaller-quantity break.
    PriceBreak = "price-break",
    /// A price date that is not YYYY, YYYY-MM or YYYY-MM-DD.
    InvalidDate = "invalid-date",
    /// A physical value out of range (negative watts, NaN rate, zero ports).
    InvalidValue = "invalid-value",
    /// A text field longer than its limit (100 characters for ids, 200 for names, 2,000 for
    /// descriptions, notes and sources).
    TextTooLong = "text-too-long",
    /// A quantity of zero.
    ZeroQuantity = "zero-quantity",
    /// A quantity beyond any real pod (over 10,000 of one part).
    AbsurdQuantity = "absurd-quantity",
    /// A bay list cannot be read (`"1-5,7"` is the form).
    InvalidBays = "invalid-bays",
    /// A bay number beyond what the chassis holds.
    BayOutOfRange = "bay-out-of-range",
    /// A bay reached through two ports or backplanes, or filled twice.
    BayConflict = "bay-conflict",
    /// A drive fill names a bay no port or backplane reaches.
    DriveNotConnected = "drive-not-connected",
    /// A bay is wired but has no drive.
    BayWithoutDrive = "bay-without-drive",
    /// A backplane lists more bays than its part has drive ports (error), or fewer (warning).
    BackplaneBays = "backplane-bays",
    /// More attachments than a card or the onboard controller has ports.
    PortOverflow = "port-overflow",
    /// A `Path(backplane: ...)` names no backplane defined before it in the design.
    UnknownPath = "unknown-path",
    /// A further path to a backplane that has no path left (`paths: 1`, every path cabled) or
    /// that is cascaded from another (the second path goes to the head of the chain).
    PathUnsupported = "path-unsupported",
    /// A single-ported drive behind a dual-path backplane: only the first path reaches it
    /// (SATA drives need an interposer; mark dual-ported drives `dual_port: true`).
    SinglePortDrive = "single-port-drive",
    /// A cascade from a backplane that is not a SAS expander, or something other than a
    /// backplane in a `cascade` list.
    CascadeUnsupported = "cascade-unsupported",
    /// A port-multiplier backplane on a port that cannot drive one.
    PmUnsupported = "pm-unsupported",
    /// A drive whose interface the port cannot speak (PATA on SATA, SATA on PATA).
    InterfaceMismatch = "interface-mismatch",
    /// A slot id not on the motherboard, or used twice.
    UnknownSlot = "unknown-slot",
    /// A card in a slot of the wrong bus.
    SlotBusMismatch = "slot-bus-mismatch",
    /// A PCIe card in a slot with fewer lanes than it needs.
    SlotTooFewLanes = "slot-too-few-lanes",
    /// More memory modules than slots, or more PATA drives than positions.
    BoardCapacity = "board-capacity",
    /// The design has no data drives or no capacity.
    EmptyDesign = "empty-design",
    /// A PSU feeds an id that is not a backplane, fan group, `board` or `bays:` range.
    UnknownFeed = "unknown-feed",
    /// A load fed by two PSUs, or more than one PSU says `Rest`.
    FeedConflict = "feed-conflict",
    /// A load that no PSU feeds.
    UnfedLoad = "unfed-load",
    /// A design without a power supply.
    NoPsu = "no-psu",
    /// A PSU that feeds nothing (not counted in the rated power).
    PsuFeedsNothing = "psu-feeds-nothing",
    /// Steady running load above what a PSU delivers on a rail.
    PsuOverload = "psu-overload",
    /// Simultaneous spin-up draws more than a PSU delivers; staggered spin-up is needed.
    PsuSpinup = "psu-spinup",
    /// A redundant PSU group (N+k) whose other N units cannot carry the load with k failed,
    /// running or at spin-up.
    PsuRedundancy = "psu-redundancy",
    /// Network ports, but none with the `Data` role: client traffic has no way in.
    NoDataNic = "no-data-nic",
    /// A balanced bond over data ports of different speeds (held to its slowest × count).
    NicBondSpeeds = "nic-bond-speeds",
    /// A RAID policy that cannot be built on these drives.
    InvalidRaid = "invalid-raid",
    /// A ZFS dRAID vdev that OpenZFS would refuse to create (parity, data, children, spares).
    InvalidDraid = "invalid-draid",
    /// ZFS pool settings out of range (ashift, record size, fill, free-space target), or given
    /// for a filesystem that is not ZFS.
    InvalidZfs = "invalid-zfs",
    /// An explicit RAID group that does not match the policy or the drives.
    RaidGroup = "raid-group",
    /// Drives that belong to no RAID group and are not spares.
    RaidUnusedDrives = "raid-unused-drives",
    /// A published figure that cannot be read.
    InvalidPublished = "invalid-published",
    /// The design's raw capacity differs from the published raw capacity.
    PublishedRawMismatch = "published-raw-mismatch",
    /// A measured figure that cannot be read or applied (value, tolerance, drive, what-if).
    InvalidMeasured = "invalid-measured",
    /// The model is further from a measured figure than its stated tolerance.
    MeasuredMismatch = "measured-mismatch",
    /// Parts in one design priced in different currencies.
    MixedCurrency = "mixed-currency",
    /// The bill of materials does not add up to the design's published total cost.
    BomDrift = "bom-drift",
    /// The bill of materials does not fit 64-bit cents: prices or quantities too large to add.
    BomOverflow = "bom-overflow",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One problem in one place.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable kebab-case code.
    pub code: Code,
    /// The file the problem is in.
    pub file: String,
    /// Line and column (1-based, columns in characters) for syntax errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_col: Option<(usize, usize)>,
    /// Where in the design, as a path of fields and indices: `slots[2].card.ports[3]`.
    pub place: String,
    /// What is wrong and, where it helps, what to do.
    pub message: String,
}

impl Diagnostic {
    /// An error at a place.
    pub fn error(
        code: Code,
        file: &str,
        place: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            file: file.to_string(),
            line_col: None,
            place: place.into(),
            message: message.into(),
        }
    }
    /// A warning at a place.
    pub fn warning(
        code: Code,
        file: &str,
        place: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, file, place, message)
        }
    }
    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// `file:line:col: error[code]: message` for syntax, `file: error[code] at place: message`
    /// otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match self.line_col {
            Some((l, c)) => write!(
                f,
                "{}:{l}:{c}: {sev}[{}]: {}",
                self.file, self.code, self.message
            ),
            None if self.place.is_empty() => {
                write!(f, "{}: {sev}[{}]: {}", self.file, self.code, self.message)
            }
            None => write!(
                f,
                "{}: {sev}[{}] at {}: {}",
                self.file, self.code, self.place, self.message
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case() {
        let mut seen = std::collections::BTreeSet::new();
        for c in Code::ALL {
            let s = c.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(
                s.chars().all(|ch| ch.is_ascii_lowercase() || ch == '-'),
                "{s}"
            );
        }
    }
}
