//! The command line: arguments → library calls → bytes on a writer, and the exit-code contract.
//!
//! This module owns argument parsing (clap) and the mapping of outcomes to exit codes. It
//! writes only to the writers it is given (the binary passes stdout and stderr), so it can be
//! tested in-process. It holds no domain logic.

use crate::diag::Diagnostic;
use crate::load::{self, Document};
use crate::output;
use crate::validate::{validate, validate_catalog};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::collections::HashSet;
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

pub mod bandwidth;
pub mod bom;
mod check;
pub mod durability;
mod input;
pub mod layout;
pub mod plan;
pub mod report;
pub mod screen;
pub mod shell;
pub mod sweep;
mod sweep_file;

pub use screen::Screen;

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: the plan was computed but breaks a limit the user asked for.
pub(crate) const EXIT_LIMIT: u8 = 1;
/// Exit code: any error (bad design, bad arguments, I/O).
pub const EXIT_ERROR: u8 = 2;

const EXIT_CODES: &str = "\
Exit codes:
  0  success (warnings may have been printed)
  1  the plan was computed but breaks a limit you asked for
  2  error: a design with errors, bad arguments, or a file that cannot be read or written";

/// podplan: plan storage servers built on Backblaze's open Storage Pod designs.
///
/// Describe a pod in a RON design file (chassis, drives, backplanes, SATA cards, motherboard,
/// PSUs) and podplan checks it, lays out its RAID groups, prices its bill of materials,
/// finds the bottleneck link of every workload and reports it all. Without a DESIGN argument,
/// commands use the built-in Backblaze Storage Pod 2.0 design; with no command at all, podplan
/// prints that design's report, and `podplan DESIGN.ron` prints the report of that design.
/// Capacities are shown in decimal TB (10^12 B, as drives are sold) and binary TiB (2^40 B).
#[derive(Debug, Parser)]
#[command(name = "podplan", version, after_help = EXIT_CODES, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Bandwidth of every link for a workload: capacity, load, the binding link, the headroom
    /// of the next one, and rebuild times.
    ///
    /// The link graph comes from the topology: port-multiplier uplinks (FIS- or command-based),
    /// card host links (PCIe generation × lanes, PCI-X, the shared 32-bit PCI bus), the chipset
    /// link (DMI) behind which PCH slots, onboard SATA and NICs sit, and the NIC ports. Drives
    /// are sources at their sustained rate in --zone. Flows share links max-min fairly
    /// (progressive filling). Workloads: scrub (every drive reads), ingest and read (client
    /// traffic through the NICs; writes carry the layout's parity), rebuild (one failed drive in
    /// --group), rebuild-all (one rebuild per group at once), single (one drive alone).
    /// Rebuilds report the time to rebuild a drive and which link sets it. Every efficiency is
    /// in the factor table printed with the report, with its source; --set changes a factor, a
    /// card's lanes, the NICs, the drive rate, the CPU parity limit or any link's capacity.
    #[command(after_help = EXIT_CODES)]
    Bandwidth(bandwidth::BandwidthArgs),
    /// Bill of materials: every part with quantity, unit and extended price, part number,
    /// supplier and price source; totals by category, data drives against everything else, and
    /// how much of the total rests on estimated prices.
    ///
    /// Quantities come from the design's tree (one drive per filled bay, boot drives,
    /// backplanes, cards, board, CPU, memory, PSUs, fans) plus its `extras`; money is exact to
    /// the cent. --format xlsx writes an Excel workbook (needs --output) with a formula for
    /// every extended price and total. What-ifs: --price PART=AMOUNT replaces a unit price,
    /// --drive PART puts another drive in every bay (capacity recomputed through the layout),
    /// --pods N prices an order of N pods.
    #[command(after_help = EXIT_CODES)]
    Bom(bom::BomArgs),
    /// Check design and catalog files; print every problem with its code and place.
    ///
    /// Each file is parsed and validated; all problems are reported at once. A problem in the
    /// design reads `file: error[code] at place: message`, the place a path into the design
    /// such as `slots[0].card.ports[2].bays`; a syntax error reads
    /// `file:line:col: error[syntax]: message`, then the offending line with a caret. Warnings (e.g. a PSU that cannot
    /// spin up every drive at once) do not fail the check; errors do. A catalog file given on
    /// its own is checked too.
    #[command(after_help = EXIT_CODES)]
    Check {
        /// Design or catalog files (default: the built-in Pod 2.0 design).
        files: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
    },
    /// Cost of one pod: total, cost per raw, before-filesystem and usable TB, TiB and GB, cost
    /// per bay, and the reconciliation with the figures the designer published.
    ///
    /// With several designs (e.g. `podplan cost designs/*.ron`; catalogs are skipped) one row
    /// per design puts the computed total and $/GB on raw decimal GB next to the published
    /// ones, then every difference with the design's own explanation. Usable capacity comes
    /// from the layout engine with the design's RAID policy and filesystem. The what-ifs of
    /// `bom` (--price, --drive, --pods) apply to every design.
    #[command(after_help = EXIT_CODES)]
    Cost(bom::CostArgs),
    /// Probability of data loss per group, per pod and per Vault under each reliability model,
    /// with rebuild times from the topology, and a Monte Carlo that checks the math.
    ///
    /// Models, side by side because they differ by more than a nine: the exact Markov chain
    /// (serial and parallel repair; MTTDL and the transient probability of loss within
    /// --mission-years), fixed-length repair windows (sliding window), and Backblaze's period
    /// model, which reproduces Backblaze's published "11 nines" for a 17+3 Vault at 0.405 %
    /// AFR and 6.5-day rebuilds. Unrecoverable read errors in a critical rebuild are reported
    /// apart, as partial loss. Rebuild time = delay (--replace-hours) + member size / rebuild
    /// rate, the rate from the bandwidth model's rebuild workload for each group (--set for
    /// what-ifs) or --rebuild-mb-s / --rebuild-hours. AFRs come from the catalog (Backblaze
    /// Drive Stats) unless --afr. --vault K+M aggregates the pod's drives into a Vault.
    /// --monte-carlo simulates failures and rebuilds (seeded, reproducible on any number of
    /// cores, failure biasing for rare events, 95 % intervals) and says whether the closed
    /// form lies in the interval; --component-afr, --weibull-shape and --shared-rebuilds add
    /// what the closed forms cannot: backplane/card/PSU failures taking their drives at once,
    /// wear-out, and rebuilds sharing a controller.
    #[command(after_help = EXIT_CODES)]
    Durability(durability::DurabilityArgs),
    /// Lay the drives out in RAID groups: groups and member bays, capacity raw → usable in TB
    /// and TiB, and what one failed backplane, uplink, card or PSU does to each group.
    ///
    /// Without --raid or --auto the design's own RAID policy is used (Backblaze's groups as
    /// published). --survive asks the placement solver to spread each group so that any single
    /// failure of those components is survivable; if no placement can, podplan says why and
    /// exits 1. --auto searches width and parity for the most capacity that satisfies
    /// --survive, --spares, --min-parity, --max-parity and --max-width, and explains the choice.
    #[command(after_help = EXIT_CODES)]
    Layout(layout::LayoutArgs),
    /// Compare designs side by side: capacity, cost, $/GB, bottlenecks, rebuild time, power,
    /// and what changed in the bill of materials from one design to the next.
    ///
    /// One column per design (raw, before-filesystem and usable TB, TB per 4U, total, data
    /// drives and everything else, $/GB raw (with the published figure) and usable, what binds
    /// scrub, ingest and rebuild, the slowest rebuild, the pod's annual probability of data
    /// loss, power at spin-up, idle and load, PSU headroom; in CSV, one row per design), then a
    /// BOM diff between consecutive designs: parts added, removed, changed in quantity or price.
    /// Designs are named by their `label`, else their name. --out DIR also writes the tables
    /// and charts ($/GB, TB per 4U and rebuild time by design, and the cost split) as SVG and
    /// PNG.
    #[command(after_help = EXIT_CODES)]
    Compare(report::CompareArgs),
    /// Write a shell completion script (bash, zsh, fish, powershell or elvish).
    ///
    /// For bash: `podplan completions bash > ~/.local/share/bash-completion/completions/podplan`;
    /// for zsh, write `_podplan` into a directory on `$fpath`; for fish,
    /// `~/.config/fish/completions/podplan.fish`.
    #[command(after_help = EXIT_CODES)]
    Completions(shell::CompletionsArgs),
    /// Write a manual page (roff): podplan's own, or one command's (`podplan man bandwidth`).
    ///
    /// `podplan man --output ~/.local/share/man/man1/podplan.1` installs podplan(1); the page
    /// names each command's page, `podplan-<command>(1)`, which `podplan man <command>` writes.
    #[command(after_help = EXIT_CODES)]
    Man(shell::ManArgs),
    /// Write a report a buyer can forward: per design a directory with report.html (one
    /// self-contained page to open in a browser or print) and summary.md (topology,
    /// layout and the TB/TiB pipeline, BOM, cost with the published-figure reconciliation,
    /// bandwidth for every workload, failure domains, power), the BOM as CSV, JSON and XLSX,
    /// the bandwidth tables as CSV, report.json, and charts as SVG and PNG.
    ///
    /// With several designs a `comparison/` directory is written too, and each fleet-plan file
    /// given gets `plan-NAME/` (what `plan --out` writes), so `podplan report designs/*.ron
    /// designs/plans/*.ron --out reports` regenerates the repository's reports.
    /// Each directory is replaced as a whole. Without --out, summary.md is printed (on a
    /// terminal, as tables laid out to its width; --markdown for the Markdown), or with
    /// --html the page. With no subcommand at all, podplan prints the report of the built-in
    /// Pod 2.0 design.
    #[command(after_help = EXIT_CODES)]
    Report(report::ReportArgs),
    /// Plan a fleet: how many pods, Vaults and racks a growing demand needs, period by period,
    /// and what they cost to buy and to run.
    ///
    /// Give a plan file (`Plan(...)`, see designs/plans/) or a design with flags, e.g.
    /// `podplan plan designs/backblaze-pod-6.0.ron --target 5PB --growth 40% --years 5`. Each
    /// period, enough pods are bought that usable capacity covers the demand at the period's
    /// end plus --headroom, in whole Vaults (--vault 17+3); racks hold as many pods as the
    /// tightest of rack units, depth, power at load and at spin-up, weight and switch ports
    /// allows. Capex: pods from the BOM at that period's drive price (--drive-price-decline),
    /// racks and switches. Opex: energy (wall power × PUE × price per kWh), space, bandwidth,
    /// drive replacements (AFR × drives × drive price) and labour. Totals: TCO, cost per
    /// usable TB-month, and buying as needed against buying up front. Every factor is listed
    /// with its source (docs/model.md §16). --format xlsx writes the purchase schedule (one
    /// sheet per period); --charts DIR writes the charts. A broken --budget exits 1.
    #[command(after_help = EXIT_CODES)]
    Plan(Box<plan::PlanArgs>),
    /// Search a design space: every combination of drives, bays filled, host cards, NICs,
    /// layouts, spares, filesystems and prices, each built as a design, checked and studied by
    /// the engines of `report`; the Pareto front of cost per usable TB, annual loss, rebuild
    /// hours and ingest.
    ///
    /// Example: `podplan sweep designs/backblaze-pod-6.0.ron --vary raid=raid6:15,raid6:10,raid5:5
    /// --vary spares=0,1 --max-annual-loss 1e-6 --max-rebuild-hours 24`, or a sweep file:
    /// `podplan sweep designs/sweeps/pod-6.0-60-bays.ron`. Invalid variants are counted by
    /// error code, with the first one's reason. Constraints (--max-annual-loss, --max-rebuild-hours,
    /// --min-ingest, --budget, --min-usable) keep feasible variants; the front is sorted by the
    /// first objective (--objectives), each member with what it changed. --all lists every variant; --out DIR
    /// writes charts of cost against loss and rebuild time and each front member as a design file. No
    /// feasible variant exits 1 and says which constraint bound.
    #[command(after_help = EXIT_CODES)]
    Sweep(Box<sweep::SweepArgs>),
    /// Show a design's topology tree, summary and power budget.
    ///
    /// The tree runs slot → card → port → backplane → bays. The summary gives the drives, raw
    /// capacity in TB and TiB, bays used and free, backplanes, cards, PSUs, and the power
    /// budget per PSU for simultaneous spin-up, one-backplane-at-a-time spin-up, idle and
    /// load, each against the PSU's +12 V, +5 V and total ratings.
    #[command(after_help = EXIT_CODES)]
    Show {
        /// Design file (default: the built-in Pod 2.0 design).
        design: Option<PathBuf>,
        /// Output format (default: the one --output's extension names, .json .txt, else table;
        /// it must agree with the extension).
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
        /// Write to this file (atomically) instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

/// Formats of the tabular reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Tables for a terminal.
    Table,
    /// GitHub-flavoured Markdown tables.
    Markdown,
    /// Comma-separated values, one block per table.
    Csv,
    /// The whole result as JSON.
    Json,
}

/// Formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// One line per problem: `file: error[code] at place: message` (syntax errors:
    /// `file:line:col: error[syntax]: message`).
    Text,
    /// A JSON array of diagnostics.
    Json,
}

/// Formats of `show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    /// Tree and tables for a terminal.
    Table,
    /// The whole report as JSON.
    Json,
}

/// Writes diagnostics, one per line (multi-line messages indented).
pub(crate) fn write_diags(w: &mut dyn Write, diags: &[Diagnostic]) -> std::io::Result<()> {
    for d in diags {
        writeln!(w, "{d}")?;
    }
    Ok(())
}

/// Diagnostics of one file given to `check`.
pub fn check_file(path: Option<&PathBuf>) -> Vec<Diagnostic> {
    let doc = match path {
        Some(p) => load::load_file(p),
        None => load::builtin(),
    };
    match doc {
        Err(d) => d,
        Ok(Document::Catalog(p, c)) => validate_catalog(&p, &c),
        Ok(Document::Plan(p, spec)) => plan::check_plan(&p, &spec),
        Ok(Document::Design(l)) => {
            let o = validate(&l);
            let mut d = o.diagnostics;
            if let Some(pod) = &o.pod {
                d.extend(input::lints(pod));
                // Everything `report` runs: a design that checks clean also reports.
                let engines = check::engine_diagnostics(&l, pod);
                if engines
                    .iter()
                    .any(|x| x.code == crate::diag::Code::BomOverflow)
                {
                    // The published total cannot be compared with a total that has no value.
                    d.retain(|x| x.code != crate::diag::Code::BomDrift);
                }
                d.extend(engines);
            }
            d
        }
    }
}

/// Writes a command's output to `--output` (atomically) or, without one or with `-`, to
/// standard output.
pub(crate) fn emit(
    out: &mut dyn Write,
    target: Option<&PathBuf>,
    inputs: &[PathBuf],
    bytes: &[u8],
) -> Result<Outcome, CliError> {
    match target.map(|p| output::sink(p)) {
        None | Some(output::Sink::Stdout) => write_stdout(out, bytes),
        Some(output::Sink::File(path)) => output::write_file(&path, inputs, bytes)
            .map(|()| Outcome::Done)
            .map_err(|e| CliError::Message(format!("--output {}: {e}", path.display()))),
    }
}

/// Writes `bytes` to standard output. A reader that went away (a broken pipe, as with `| head`)
/// is not an error; any other failed write is (exit 2), including a closed standard output.
pub(crate) fn write_stdout(out: &mut dyn Write, bytes: &[u8]) -> Result<Outcome, CliError> {
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Ok(()) => Ok(Outcome::Done),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Outcome::Done),
        Err(e) => Err(CliError::Message(format!(
            "cannot write to standard output: {e}"
        ))),
    }
}

/// What a command did, for the exit code (a failure is a [`CliError`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done: exit 0 (warnings may have been printed).
    Done,
    /// Computed, but it breaks a limit the user asked for: exit 1.
    LimitBroken,
}

/// Why a command stopped. [`run`] prints it, once, and exits 2.
#[derive(Debug, Clone, PartialEq)]
pub enum CliError {
    /// A bad argument or a step that failed: printed as `error: <message>`.
    Message(String),
    /// A design or catalog with problems: its diagnostics, one per line, then a summary line.
    Diagnostics {
        /// The diagnostics.
        diagnostics: Vec<Diagnostic>,
        /// A closing line, when there is one.
        summary: Option<String>,
    },
    /// A line printed as it is.
    Line(String),
    /// Text printed as it is (the argument parser's own messages).
    Text(String),
    /// Nothing more to print: the command's output already says what failed.
    Reported,
}

impl CliError {
    /// Diagnostics without a closing line.
    pub(crate) fn diagnostics(diagnostics: Vec<Diagnostic>) -> Self {
        CliError::Diagnostics {
            diagnostics,
            summary: None,
        }
    }

    fn print(&self, err: &mut dyn Write) -> std::io::Result<()> {
        match self {
            CliError::Message(m) => writeln!(err, "error: {m}"),
            CliError::Diagnostics {
                diagnostics,
                summary,
            } => {
                write_diags(err, diagnostics)?;
                match summary {
                    Some(s) => writeln!(err, "{s}"),
                    None => Ok(()),
                }
            }
            CliError::Line(l) => writeln!(err, "{l}"),
            CliError::Text(t) => err.write_all(t.as_bytes()),
            CliError::Reported => Ok(()),
        }
    }
}

impl From<String> for CliError {
    fn from(m: String) -> Self {
        CliError::Message(m)
    }
}

impl From<&str> for CliError {
    fn from(m: &str) -> Self {
        CliError::Message(m.to_string())
    }
}

/// Runs podplan with `args` (including the program name); returns the exit code. The one place
/// that prints a command's error and picks the exit code: 0 done, 1 a limit broken, 2 error.
/// Output is treated as piped ([`Screen::PIPE`]); the binary calls [`run_on`].
pub fn run(args: Vec<OsString>, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    run_on(args, out, err, Screen::PIPE)
}

/// [`run`] for standard output on `screen` (help wraps to its width).
pub fn run_on(args: Vec<OsString>, out: &mut dyn Write, err: &mut dyn Write, screen: Screen) -> u8 {
    let _screen = screen::Current::set(screen);
    let mut painted;
    let err: &mut dyn Write = if screen.colour_err {
        painted = screen::ColourErr::new(err);
        &mut painted
    } else {
        err
    };
    match run_command(args, out, err, screen) {
        Ok(Outcome::Done) => EXIT_OK,
        Ok(Outcome::LimitBroken) => EXIT_LIMIT,
        Err(e) => {
            // Standard error is where errors go; when it is gone too, the exit code still says.
            let _ = e.print(err);
            EXIT_ERROR
        }
    }
}

/// Parses the arguments and runs the command.
fn run_command(
    args: Vec<OsString>,
    out: &mut dyn Write,
    err: &mut dyn Write,
    screen: Screen,
) -> Result<Outcome, CliError> {
    let args = design_alone(args)?;
    let width = screen.help_columns();
    let parsed = Cli::command()
        .term_width(width)
        .mut_subcommands(|c| c.term_width(width))
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m).map(|c| (c, m)));
    let (mut cli, matches) = match parsed {
        Ok(c) => c,
        Err(e) => {
            let text = e.render().to_string();
            if e.use_stderr() {
                return Err(CliError::Text(text));
            }
            return write_stdout(out, text.as_bytes());
        }
    };
    // --format given on the command line, not left to its default.
    let explicit = matches.subcommand().is_some_and(|(_, m)| {
        m.ids().any(|id| id == "format")
            && m.value_source("format") == Some(clap::parser::ValueSource::CommandLine)
    });
    if let Some(c) = cli.command.as_mut() {
        format_from_output(c, explicit)?;
    }
    // A file named by --output gets what a pipe gets, whatever the terminal (and no colour).
    let _to_file = cli
        .command
        .as_ref()
        .and_then(output_of)
        .is_some_and(|p| output::sink(p) != output::Sink::Stdout)
        .then(|| screen::Current::set(Screen::PIPE));
    let command = cli.command.unwrap_or(Command::Report(report::ReportArgs {
        designs: Vec::new(),
        out: None,
        html: false,
        markdown: false,
    }));
    match command {
        Command::Check { files, format } => run_check(&files, format, out),
        Command::Bandwidth(args) => bandwidth::run(args, out, err),
        Command::Bom(args) => bom::run_bom(args, out, err),
        Command::Cost(args) => bom::run_cost(args, out, err),
        Command::Compare(args) => report::run_compare(args, out, err),
        Command::Durability(args) => durability::run(args, out, err),
        Command::Layout(args) => layout::run(args, out, err),
        Command::Completions(args) => shell::run_completions(args, out),
        Command::Man(args) => shell::run_man(args, out),
        Command::Report(args) => report::run_report(args, out, err),
        Command::Plan(args) => plan::run(*args, out, err),
        Command::Sweep(args) => sweep::run(*args, out, err),
        Command::Show {
            design,
            format,
            output,
        } => {
            let d = input::load_design(design.as_ref(), err)?;
            let report = crate::show::report(&d.pod);
            let text = match format {
                ShowFormat::Table => match screen::table_width() {
                    Some(w) => crate::render::show_table_width(&report, w),
                    None => crate::render::show_table(&report),
                },
                ShowFormat::Json => json(&report)?,
            };
            emit(out, output.as_ref(), &d.files(), text.as_bytes())
        }
    }
}

/// `podplan check`: every file's diagnostics, each once, then a count; exit 2 when any is an
/// error.
fn run_check(
    files: &[PathBuf],
    format: CheckFormat,
    out: &mut dyn Write,
) -> Result<Outcome, CliError> {
    let targets: Vec<Option<&PathBuf>> = if files.is_empty() {
        vec![None]
    } else {
        files.iter().map(Some).collect()
    };
    let mut seen = HashSet::new();
    let mut all = Vec::new();
    for t in &targets {
        for d in check_file(*t) {
            if seen.insert(d.clone()) {
                all.push(d);
            }
        }
    }
    let errors = all.iter().filter(|d| d.is_error()).count();
    let warnings = all.len() - errors;
    let text = match format {
        CheckFormat::Text => {
            let mut text: String = all.iter().map(|d| format!("{d}\n")).collect();
            for t in &targets {
                text.push_str(&measured_lines(*t));
            }
            text.push_str(&format!(
                "checked {} file{}: {errors} error{}, {warnings} warning{}\n",
                targets.len(),
                if targets.len() == 1 { "" } else { "s" },
                if errors == 1 { "" } else { "s" },
                if warnings == 1 { "" } else { "s" }
            ));
            text
        }
        CheckFormat::Json => json(&all)?,
    };
    let text = if format == CheckFormat::Text && screen::colour() {
        text.split_inclusive('\n').map(screen::paint).collect()
    } else {
        text
    };
    emit(out, None, &[], text.as_bytes())?;
    if errors > 0 {
        Err(CliError::Reported)
    } else {
        Ok(Outcome::Done)
    }
}

/// `check`'s lines for the measured figures of a design the model meets (a miss is a
/// `measured-mismatch` warning already): the model beside each measurement.
fn measured_lines(path: Option<&PathBuf>) -> String {
    let doc = match path {
        Some(p) => load::load_file(p),
        None => load::builtin(),
    };
    let Ok(Document::Design(l)) = doc else {
        return String::new();
    };
    let Some(pod) = validate(&l).pod else {
        return String::new();
    };
    crate::study::measured::rows(&pod)
        .iter()
        .filter(|r| r.within != Some(false))
        .map(|r| format!("{}\n", crate::render::measured::check_line(&pod.file, r)))
        .collect()
}

/// The components `--survive` names (comma-separated kinds).
pub(crate) fn survive_kinds(names: &[String]) -> Result<Vec<crate::layout::DomainKind>, CliError> {
    use crate::layout::DomainKind;
    let mut out = Vec::new();
    for name in names {
        match DomainKind::parse(name) {
            Some(k) => out.push(k),
            None => {
                let names: Vec<&str> = DomainKind::ALL.iter().map(|k| k.name()).collect();
                return fail(format!(
                    "--survive: unknown component {name:?} (use {})",
                    names.join(", ")
                ));
            }
        }
    }
    Ok(out)
}

/// Stops a command with `error: <message>`.
pub(crate) fn fail<T>(message: impl Into<String>) -> Result<T, CliError> {
    Err(CliError::Message(message.into()))
}

/// A result as JSON, or the error that it cannot be.
fn json<T: serde::Serialize>(value: &T) -> Result<String, CliError> {
    crate::render::json(value).map_err(|e| CliError::Message(e.to_string()))
}

/// The format an `--output` file's extension names: `.csv`, `.json`, `.md`/`.markdown`,
/// `.xlsx`, `.txt` (a terminal table). Other extensions name none.
fn format_of_extension(path: &std::path::Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "csv" => "csv",
        "json" => "json",
        "md" | "markdown" => "markdown",
        "xlsx" => "xlsx",
        "txt" | "text" => "table",
        _ => return None,
    })
}

/// Without --format, the format is the one `--output`'s extension names; with both, they must
/// agree: `bom --format xlsx --output x.csv` would write a workbook named `.csv`.
fn fit_format<F: ValueEnum + Copy + PartialEq>(
    format: &mut F,
    explicit: bool,
    output: Option<&PathBuf>,
) -> Result<(), String> {
    let Some(path) = output else {
        return Ok(());
    };
    let Some(name) = format_of_extension(path) else {
        return Ok(());
    };
    let named = F::from_str(name, true).ok();
    let current = format
        .to_possible_value()
        .map_or(String::new(), |v| v.get_name().to_string());
    match named {
        Some(f) if !explicit => {
            *format = f;
            Ok(())
        }
        Some(f) if f == *format => Ok(()),
        _ if explicit => Err(format!(
            "--format {current} does not match --output {}, a .{} file ({name}): drop --format, or name the file for {current}",
            path.display(),
            path.extension()
                .map_or(String::new(), |e| e.to_string_lossy().into_owned()),
        )),
        _ => {
            let formats: Vec<String> = F::value_variants()
                .iter()
                .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
                .collect();
            Err(format!(
                "--output {}: this command does not write {name}; --format takes {}",
                path.display(),
                formats.join(", ")
            ))
        }
    }
}

/// Applies [`fit_format`] to the command's `--format` and `--output`.
fn format_from_output(c: &mut Command, explicit: bool) -> Result<(), String> {
    match c {
        Command::Bandwidth(a) => fit_format(&mut a.format, explicit, a.output.as_ref()),
        Command::Bom(a) => fit_format(&mut a.format, explicit, a.output.as_ref()),
        Command::Cost(a) => fit_format(&mut a.format, explicit, a.output.as_ref()),
        Command::Compare(a) => fit_format(&mut a.format, explicit, a.output.as_ref()),
        Command::Durability(a) => fit_format(&mut a.format, explicit, a.output.as_ref()),
        Command::Layout(a) => fit_format(&mut a.format, explicit, a.output.as_ref()),
        Command::Plan(a) => fit_format(&mut a.format, explicit, a.output.as_ref()),
        Command::Sweep(a) => fit_format(&mut a.format, explicit, a.output.as_ref()),
        Command::Show { format, output, .. } => fit_format(format, explicit, output.as_ref()),
        Command::Check { .. } | Command::Report(_) | Command::Completions(_) | Command::Man(_) => {
            Ok(())
        }
    }
}

/// The `--output` a command writes to, if it has one.
fn output_of(c: &Command) -> Option<&PathBuf> {
    match c {
        Command::Bandwidth(a) => a.output.as_ref(),
        Command::Bom(a) => a.output.as_ref(),
        Command::Cost(a) => a.output.as_ref(),
        Command::Compare(a) => a.output.as_ref(),
        Command::Durability(a) => a.output.as_ref(),
        Command::Layout(a) => a.output.as_ref(),
        Command::Plan(a) => a.output.as_ref(),
        Command::Sweep(a) => a.output.as_ref(),
        Command::Show { output, .. } => output.as_ref(),
        Command::Completions(a) => a.output.as_ref(),
        Command::Man(a) => a.output.as_ref(),
        Command::Check { .. } | Command::Report(_) => None,
    }
}

/// `podplan DESIGN.ron`, a design file with no command, means `podplan report DESIGN.ron`
/// (`podplan PLAN.ron`, a plan file, means `podplan plan PLAN.ron`).
/// A lone argument that looks like a design file but is none gets an error that says what to
/// run; anything else is left to the argument parser.
fn design_alone(mut args: Vec<OsString>) -> Result<Vec<OsString>, String> {
    let [_, arg] = args.as_slice() else {
        return Ok(args);
    };
    let text = arg.to_string_lossy();
    let is_command = Cli::command()
        .get_subcommands()
        .any(|c| c.get_name() == text || c.get_all_aliases().any(|a| a == text))
        || text == "help";
    if text.starts_with('-') || is_command {
        return Ok(args);
    }
    let path = std::path::Path::new(arg);
    if path.is_file() {
        let plan = load::read_input(path).is_ok_and(|t| load::is_plan(&t));
        args.insert(1, OsString::from(if plan { "plan" } else { "report" }));
        return Ok(args);
    }
    let looks_like_a_file = path.extension().is_some_and(|e| e == "ron")
        || text.contains(std::path::MAIN_SEPARATOR)
        || text.contains('/');
    let what = if path.exists() {
        "not a design file"
    } else {
        "no such design file"
    };
    if looks_like_a_file || path.exists() {
        return Err(format!(
            "{text}: {what}; `podplan report DESIGN.ron` prints a design's report, `podplan --help` lists the commands"
        ));
    }
    Ok(args)
}

/// The one format dispatch of every tabular command: the sections of a result as a terminal
/// table, Markdown or CSV, or the whole result as JSON.
pub(crate) fn render<T: serde::Serialize>(
    format: Format,
    value: &T,
    sections: impl FnOnce(crate::render::Style) -> Vec<crate::render::Section>,
) -> Result<String, CliError> {
    use crate::render::Style;
    Ok(match format {
        Format::Table => match screen::table_width() {
            Some(w) if screen::colour() => {
                crate::render::sections_table_colour(&sections(Style::Read), w)
            }
            Some(w) => crate::render::sections_table_width(&sections(Style::Read), w),
            None => crate::render::sections_table(&sections(Style::Read)),
        },
        Format::Markdown => crate::render::sections_markdown(&sections(Style::Read)),
        Format::Csv => crate::render::sections_csv(&sections(Style::Data)),
        Format::Json => json(value)?,
    })
}
