//! `podplan bandwidth`: its options and how they become a checked bandwidth request.
//!
//! This file owns the translation of `--workload/--group/--bay/--zone/--set` into a
//! [`BandwidthRequest`] (every bad value is an exit-2 error naming its flag). The engine is
//! `crate::bandwidth`, run by `crate::study::bandwidth`; the tables are
//! `crate::render::bandwidth`.

use super::input::load_design;
use super::{CliError, Format, Outcome, emit, render};
use crate::bandwidth::{Params, Request, Workload};
use crate::links::Zone;
use crate::render::bandwidth::sections;
use crate::study;
use clap::ValueEnum;
use std::io::Write;
use std::path::PathBuf;

/// Workloads for `--workload`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WorkloadArg {
    /// Every data drive reads sequentially at once.
    Scrub,
    /// Clients write through the NICs; full-stripe writes carry the layout's parity (n/k).
    Ingest,
    /// Clients read through the NICs.
    Read,
    /// One failed drive in --group: survivors read, the replacement written.
    Rebuild,
    /// One rebuild in every group at once.
    RebuildAll,
    /// One drive (--bay, or the first of --group) reads alone.
    Single,
}

/// Zones for `--zone`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ZoneArg {
    /// Outer diameter: the drive's best sustained rate.
    Outer,
    /// A full pass, outer to inner: (outer + inner) / 2.
    Average,
    /// Inner diameter: the worst sustained rate.
    Inner,
}

/// Options of `podplan bandwidth`.
#[derive(Debug, Clone, clap::Args)]
pub struct BandwidthArgs {
    /// Design file (default: the built-in Pod 2.0 design).
    pub design: Option<PathBuf>,
    /// What the pod does.
    #[arg(long, value_enum, default_value_t = WorkloadArg::Scrub)]
    pub workload: WorkloadArg,
    /// Group (1-based, as `podplan layout` numbers them) for rebuild and single.
    #[arg(long)]
    pub group: Option<u32>,
    /// Bay: the failed drive for rebuild, the drive for single.
    #[arg(long)]
    pub bay: Option<u32>,
    /// Where on the platters the drives stream.
    #[arg(long, value_enum, default_value_t = ZoneArg::Average)]
    pub zone: ZoneArg,
    /// What-if, repeatable: KEY=VALUE, each checked against its range before any work. A
    /// factor: sata, pm-fis, pm-command, pci, pci-x, pcie, dmi, ethernet, bond (above 0 and at
    /// most 1), md-max (MB/s, above 0 and at most 100000), delay-h 0 to 8760 h; parity=MB/s (CPU
    /// parity limit) and drive=MB/s (above 0 and at most 100000), nics=N (1 to 64),
    /// nic-gbit=Gb/s (above 0 and at most 800), chipset=dmi1|dmi2|dmi3|none,
    /// SLOT.lanes=1|2|4|8|16, SLOT.gen=1 to 5, or a link id from the table (host:SLOT7=800) for
    /// its effective MB/s (above 0 and at most 100000).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Output format (default: the one --output's extension names, .csv .json .md .txt, else
    /// table; it must agree with the extension).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// A checked `podplan bandwidth` request: the workload and the model's parameters.
pub struct BandwidthRequest {
    /// The workload, group and bay.
    pub request: Request,
    /// Zone, factors and overrides, every `--set` checked.
    pub params: Params,
}

impl BandwidthRequest {
    /// Checks every flag before the design is read.
    pub(crate) fn from_args(a: &BandwidthArgs) -> Result<Self, CliError> {
        let mut params = Params {
            zone: match a.zone {
                ZoneArg::Outer => Zone::Outer,
                ZoneArg::Average => Zone::Average,
                ZoneArg::Inner => Zone::Inner,
            },
            ..Params::default()
        };
        for s in &a.set {
            params.set(s).map_err(|e| format!("--set {e}"))?;
        }
        let workload = match a.workload {
            WorkloadArg::Scrub => Workload::Scrub,
            WorkloadArg::Ingest => Workload::Ingest,
            WorkloadArg::Read => Workload::Read,
            WorkloadArg::Rebuild => Workload::Rebuild,
            WorkloadArg::RebuildAll => Workload::RebuildAll,
            WorkloadArg::Single => Workload::Single,
        };
        let request = Request {
            workload,
            group: a.group,
            bay: a.bay,
        };
        let req = BandwidthRequest { request, params };
        req.check_targets()?;
        Ok(req)
    }

    /// Checks what needs the design's layout: --group and --bay apply to one drive's workloads.
    fn check_targets(&self) -> Result<(), CliError> {
        let w = self.request.workload;
        for (flag, given) in [
            ("--group", self.request.group.is_some()),
            ("--bay", self.request.bay.is_some()),
        ] {
            if given && !matches!(w, Workload::Rebuild | Workload::Single) {
                return Err(format!(
                    "{flag} applies to --workload rebuild and single, not {}",
                    w.name()
                )
                .into());
            }
        }
        Ok(())
    }
}

/// Runs `podplan bandwidth`.
pub fn run(
    a: BandwidthArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Outcome, CliError> {
    let req = BandwidthRequest::from_args(&a)?;
    let d = load_design(a.design.as_ref(), err)?;
    let report = study::bandwidth(&d.pod, &req.request, &req.params).map_err(|e| match e {
        study::BandwidthStudyError::Layout(e) => format!("the design's raid policy: {e}"),
        study::BandwidthStudyError::Bandwidth(e) => e.to_string(),
    })?;
    let text = render(a.format, &report, |st| sections(&report, st))?;
    emit(out, a.output.as_ref(), &d.files(), text.as_bytes())
}
