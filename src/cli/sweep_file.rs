//! The sweep file (`Sweep(...)` in RON): a design-space sweep written down once — the base
//! design and parts files (relative to the sweep file), the variations, prices, constraints,
//! objectives and model — for spaces too large to type. A syntax error names its
//! `path:line:col` as a design's does; a value that does not check names its place
//! (`vary[2]`).

use super::CliError;
use super::sweep::SweepModel;
use crate::spec::{Filesystem, Level};
use crate::study::sweep::Objective;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A sweep file as written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename = "Sweep")]
pub(crate) struct SweepFile {
    /// The base design, relative to the sweep file.
    pub base: String,
    /// Catalog or design files whose parts the variations may name, relative to the sweep file.
    #[serde(default)]
    pub parts: Vec<String>,
    /// The variations; the grid is their product, the first slowest.
    pub vary: Vec<Vary>,
    /// The limits a variant must meet.
    #[serde(default)]
    pub constraints: FileConstraints,
    /// The objectives of the front, the first sorting it (default: cost per usable TB, annual
    /// loss, rebuild hours, ingest).
    #[serde(default)]
    pub objectives: Vec<Objective>,
    /// The reliability model of the annual loss (default: sliding window).
    #[serde(default)]
    pub model: Option<SweepModel>,
}

/// One variation, as `--vary` takes it (prices as `Price(part: ..., amounts: [...])`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) enum Vary {
    /// Data drives (part ids).
    Drive(Vec<String>),
    /// Bays filled (the first N).
    Bays(Vec<u32>),
    /// Host-card models (part ids).
    Card(Vec<String>),
    /// Host-card counts.
    Cards(Vec<u32>),
    /// NIC cards (part ids, or "onboard").
    Nic(Vec<String>),
    /// Redundancy levels, as design files write them: `Raid6(width: 15)`.
    Raid(Vec<Level>),
    /// Hot spares.
    Spares(Vec<u32>),
    /// Filesystems: `Ext4`, `Xfs`, `Jfs`, `Zfs`, `None`.
    Filesystem(Vec<Filesystem>),
    /// Unit prices of a part, as design files write amounts: `"120.00"`.
    Price {
        /// The part id.
        part: String,
        /// The prices.
        amounts: Vec<String>,
    },
}

/// The limits, named as the command line's flags.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileConstraints {
    #[serde(default)]
    pub max_annual_loss: Option<f64>,
    #[serde(default)]
    pub max_rebuild_hours: Option<f64>,
    #[serde(default)]
    pub min_ingest: Option<f64>,
    #[serde(default)]
    pub budget: Option<String>,
    #[serde(default)]
    pub min_usable: Option<f64>,
}

/// A sweep file read and its paths resolved.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    /// The sweep file.
    pub path: PathBuf,
    /// The base design's path.
    pub base: PathBuf,
    /// The parts files' paths.
    pub parts: Vec<PathBuf>,
    /// The rest, as written.
    pub file: SweepFile,
}

/// Reads `path` when it is a sweep file (`Sweep(` after leading comments); `None` when it is
/// not (a design, for the caller to load).
pub(crate) fn read(path: &Path) -> Result<Option<Resolved>, CliError> {
    let shown = path.display().to_string();
    let text = match crate::load::read_input(path) {
        Ok(t) => t,
        // The design loader reports a file it cannot read.
        Err(_) => return Ok(None),
    };
    if !crate::load::is_sweep(&text) {
        return Ok(None);
    }
    let file: SweepFile =
        crate::load::parse(&shown, &text).map_err(|d| CliError::diagnostics(vec![*d]))?;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    Ok(Some(Resolved {
        path: path.to_path_buf(),
        base: dir.join(&file.base),
        parts: file.parts.iter().map(|p| dir.join(p)).collect(),
        file,
    }))
}
