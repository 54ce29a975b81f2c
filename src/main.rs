//! The `podplan` binary: hand the arguments to the library and turn its answer into an exit code.
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether standard output was closed when the process started (`podplan ... >&-`). The Rust
/// runtime puts `/dev/null` on a closed descriptor 0, 1 or 2 before `main` runs, so every write
/// would then "succeed" into nothing; this is decided earlier, by [`probe_stdout`].
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Runs before the Rust runtime starts (an ELF `.init_array` entry) and records whether
/// descriptor 1 is open. It only asks the kernel about descriptor 1 and stores a flag.
#[cfg(target_os = "linux")]
extern "C" fn probe_stdout() {
    use std::os::fd::AsFd;
    let closed = rustix::io::fcntl_getfd(std::io::stdout().as_fd()).is_err();
    STDOUT_CLOSED.store(closed, Ordering::Relaxed);
}

#[cfg(target_os = "linux")]
#[allow(unsafe_code)] // Placing a function pointer in .init_array is an unsafe attribute.
#[used]
#[unsafe(link_section = ".init_array")]
static PROBE_STDOUT: extern "C" fn() = probe_stdout;

/// Standard output, or an error on every write when it was closed at start.
struct Stdout<W>(W);

impl<W: Write> Write for Stdout<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if STDOUT_CLOSED.load(Ordering::Relaxed) {
            return Err(std::io::Error::other("standard output is closed"));
        }
        self.0.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

fn main() -> ExitCode {
    let args = std::env::args_os().collect();
    let screen = podplan::cli::Screen::detect();
    let code = podplan::cli::run_on(
        args,
        &mut Stdout(std::io::stdout().lock()),
        &mut std::io::stderr().lock(),
        screen,
    );
    ExitCode::from(code)
}
