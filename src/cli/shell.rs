//! `podplan completions` and `podplan man`: shell completion scripts and roff manual pages,
//! generated from the same argument definitions the parser uses, so they never drift.
//!
//! This file owns only the generation; the bytes go out through `emit` like every
//! other command's output (atomic `--output`, standard output otherwise).

use super::{Cli, CliError, Outcome, emit};
use clap::CommandFactory;
use std::io::Write;
use std::path::PathBuf;

/// Options of `podplan completions`.
#[derive(Debug, Clone, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to write a completion script for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
    /// Write the script to this file (atomically) instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// Options of `podplan man`.
#[derive(Debug, Clone, clap::Args)]
pub struct ManArgs {
    /// The command whose page to write (`podplan-bandwidth(1)` for `bandwidth`); without it,
    /// the page of podplan itself, `podplan(1)`.
    pub command: Option<String>,
    /// Write the page to this file (atomically) instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// The completion script of `shell` for every command and option of podplan.
pub fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut bytes = Vec::new();
    clap_complete::generate(shell, &mut cmd, "podplan", &mut bytes);
    bytes
}

/// The roff manual page of podplan (`command` None) or of one of its commands, named
/// `podplan-<command>` as the page of podplan refers to it.
pub(crate) fn man_page(command: Option<&str>) -> Result<Vec<u8>, CliError> {
    let mut cmd = Cli::command();
    cmd.build();
    let page = match command {
        // The NAME line reads `podplan - <about>`: the about without the leading name.
        None => cmd.about("plan storage servers built on Backblaze's open Storage Pod designs"),
        Some(name) => {
            let names: Vec<String> = cmd
                .get_subcommands()
                .map(|c| c.get_name().to_string())
                .collect();
            let Some(sub) = cmd.find_subcommand(name) else {
                return Err(CliError::Message(format!(
                    "man: no command {name:?}; the commands are {}",
                    names.join(", ")
                )));
            };
            sub.clone()
                .name(format!("podplan-{name}"))
                .bin_name(format!("podplan {name}"))
        }
    };
    let mut bytes = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut bytes)
        .map_err(|e| CliError::Message(format!("man: {e}")))?;
    Ok(bytes)
}

/// Runs `podplan completions`.
pub(crate) fn run_completions(
    a: CompletionsArgs,
    out: &mut dyn Write,
) -> Result<Outcome, CliError> {
    emit(out, a.output.as_ref(), &[], &completions(a.shell))
}

/// Runs `podplan man`.
pub(crate) fn run_man(a: ManArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let bytes = man_page(a.command.as_deref())?;
    emit(out, a.output.as_ref(), &[], &bytes)
}
