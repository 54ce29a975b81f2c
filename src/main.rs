//! The `podplan` binary: hand the arguments to the library and turn its answer into an exit code.
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = std::env::args_os().collect();
    let code = podplan::cli::run(
        args,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(code)
}
