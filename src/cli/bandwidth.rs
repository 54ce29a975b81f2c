//! `podplan bandwidth`: its options, how they become a bandwidth request, and the report's
//! tables.
//!
//! This file owns the translation of `--workload/--group/--bay/--zone/--set` into a
//! `bandwidth::Request` and `bandwidth::Params` (every bad value is an exit-2 error naming its
//! flag), and the `Section`s the table, Markdown and CSV renderers print. The engine is
//! `crate::bandwidth`; the factor table is `crate::links`.

use super::{Format, emit, load_design, render_report, usage, write_diags};
use crate::bandwidth::{self, Params, Request, Workload};
use crate::links::Zone;
use crate::render::bandwidth::sections;
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

/// Runs `podplan bandwidth`.
pub fn run(a: BandwidthArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    // Every --set is checked before the design is read.
    let mut params = Params {
        zone: match a.zone {
            ZoneArg::Outer => Zone::Outer,
            ZoneArg::Average => Zone::Average,
            ZoneArg::Inner => Zone::Inner,
        },
        ..Params::default()
    };
    for s in &a.set {
        if let Err(e) = params.set(s) {
            return usage(err, &format!("--set {e}"));
        }
    }
    let (pod, warnings) = match load_design(a.design.as_ref(), err) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let _ = write_diags(err, &warnings);
    let shape = crate::layout::Shape {
        level: pod.raid.level,
        spares: pod.raid.spares,
    };
    let placement = match crate::layout::place(&pod, shape, &[]) {
        Ok(p) => p,
        Err(e) => return usage(err, &format!("the design's raid policy: {e}")),
    };
    let req = Request {
        workload: match a.workload {
            WorkloadArg::Scrub => Workload::Scrub,
            WorkloadArg::Ingest => Workload::Ingest,
            WorkloadArg::Read => Workload::Read,
            WorkloadArg::Rebuild => Workload::Rebuild,
            WorkloadArg::RebuildAll => Workload::RebuildAll,
            WorkloadArg::Single => Workload::Single,
        },
        group: a.group,
        bay: a.bay,
    };
    if a.group.is_some() && !matches!(req.workload, Workload::Rebuild | Workload::Single) {
        return usage(
            err,
            &format!(
                "--group applies to --workload rebuild and single, not {}",
                req.workload.name()
            ),
        );
    }
    if a.bay.is_some() && !matches!(req.workload, Workload::Rebuild | Workload::Single) {
        return usage(
            err,
            &format!(
                "--bay applies to --workload rebuild and single, not {}",
                req.workload.name()
            ),
        );
    }
    let report = match bandwidth::analyze(&pod, &placement.layout, &req, &params) {
        Ok(r) => r,
        Err(e) => return usage(err, &e.to_string()),
    };
    let text = match render_report(a.format, &report, |st| sections(&report, st)) {
        Ok(t) => t,
        Err(e) => return usage(err, &e),
    };
    let inputs: Vec<PathBuf> = a.design.iter().cloned().collect();
    emit(out, a.output.as_ref(), &inputs, text.as_bytes(), err)
}
