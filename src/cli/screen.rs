//! Where standard output goes: a terminal of some width, or a pipe or file.
//!
//! The binary detects it once ([`Screen::detect`]) and hands it to [`super::run_on`]; the
//! library never looks at the process's own descriptors itself, so in-process runs (tests,
//! [`super::run`]) behave as piped output: help at 100 columns, plain fixed-width tables.

use std::io::IsTerminal;

/// Help text never wraps wider than this, even on a wider terminal: longer lines are hard to
/// read (clap's own default cap).
pub(crate) const MAX_HELP_COLUMNS: usize = 100;

/// The width used when nothing says otherwise (not a terminal, no `COLUMNS`).
pub const DEFAULT_COLUMNS: usize = 100;

/// Narrowest width honoured: the narrowest tables are laid out to.
pub const MIN_COLUMNS: usize = crate::render::MIN_TABLE_WIDTH;

/// What standard output is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screen {
    /// Columns available: `COLUMNS`, else the terminal's width, else [`DEFAULT_COLUMNS`]
    /// (never below [`MIN_COLUMNS`]).
    pub columns: usize,
    /// Whether standard output is a terminal.
    pub terminal: bool,
    /// Colour on standard output: a terminal, and `NO_COLOR` not set (no-color.org).
    pub colour: bool,
    /// Colour on standard error (errors and warnings): a terminal, and no `NO_COLOR`.
    pub colour_err: bool,
}

impl Screen {
    /// Piped or redirected output: 100 columns, not a terminal.
    pub const PIPE: Screen = Screen {
        columns: DEFAULT_COLUMNS,
        terminal: false,
        colour: false,
        colour_err: false,
    };

    /// Standard output of this process, and `COLUMNS` from the environment.
    pub fn detect() -> Screen {
        let terminal = std::io::stdout().is_terminal();
        let from_env = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|&c| c > 0);
        let from_tty = || {
            terminal_size::terminal_size_of(std::io::stdout())
                .map(|(terminal_size::Width(w), _)| usize::from(w))
                .filter(|&w| w > 0)
        };
        let columns = from_env
            .or_else(|| if terminal { from_tty() } else { None })
            .unwrap_or(DEFAULT_COLUMNS)
            .max(MIN_COLUMNS);
        let no_colour = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Screen {
            columns,
            terminal,
            colour: terminal && !no_colour,
            colour_err: std::io::stderr().is_terminal() && !no_colour,
        }
    }

    /// The width of help text.
    pub(crate) fn help_columns(self) -> usize {
        self.columns.min(MAX_HELP_COLUMNS)
    }
}

thread_local! {
    /// The screen of the run in progress on this thread (in-process runs in parallel test
    /// threads each have their own).
    static CURRENT: std::cell::Cell<Screen> = const { std::cell::Cell::new(Screen::PIPE) };
}

/// Sets this thread's screen for one run; the previous one is restored when dropped.
pub(crate) struct Current(Screen);

impl Current {
    /// Makes `screen` current until the returned guard is dropped.
    pub(crate) fn set(screen: Screen) -> Current {
        Current(CURRENT.with(|c| c.replace(screen)))
    }
}

impl Drop for Current {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.0));
    }
}

/// The width terminal tables are laid out to: the terminal's when the output goes to it, else
/// `None`, the fixed width of piped output (and of `--output` files: the command sets
/// [`Screen::PIPE`] for those).
pub(crate) fn table_width() -> Option<usize> {
    let s = CURRENT.with(std::cell::Cell::get);
    s.terminal.then_some(s.columns)
}

/// Whether tables on standard output may be coloured.
pub(crate) fn colour() -> bool {
    CURRENT.with(std::cell::Cell::get).colour
}

/// Red, bold and yellow for a terminal, and the reset.
const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const RESET: &str = "\x1b[0m";

/// Standard error with `error` and `warning` in colour (for a terminal): each whole line is
/// looked at once it ends, so the colour never depends on how a message was split into
/// writes. `file: error[code] …`, `file: warning[code] …` and `error: …` are coloured;
/// nothing else changes.
pub(crate) struct ColourErr<'a> {
    inner: &'a mut dyn std::io::Write,
    line: Vec<u8>,
}

impl<'a> ColourErr<'a> {
    /// Wraps `inner`.
    pub(crate) fn new(inner: &'a mut dyn std::io::Write) -> Self {
        ColourErr {
            inner,
            line: Vec::new(),
        }
    }

    fn emit_line(&mut self) -> std::io::Result<()> {
        let line = String::from_utf8_lossy(&self.line).into_owned();
        self.line.clear();
        self.inner.write_all(paint(&line).as_bytes())
    }
}

/// One line of standard error with its `error`/`warning` word coloured.
pub(crate) fn paint(line: &str) -> String {
    if let Some(rest) = line.strip_prefix("error:") {
        return format!("{RED}error{RESET}:{rest}");
    }
    for (word, colour) in [("error[", RED), ("warning[", YELLOW)] {
        if let Some(i) = line.find(&format!(": {word}")) {
            let at = i + 2;
            let end = at + word.len() - 1;
            return format!(
                "{}{colour}{}{RESET}{}",
                &line[..at],
                &line[at..end],
                &line[end..]
            );
        }
    }
    line.to_string()
}

impl std::io::Write for ColourErr<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for &b in buf {
            self.line.push(b);
            if b == b'\n' {
                self.emit_line()?;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.line.is_empty() {
            self.emit_line()?;
        }
        self.inner.flush()
    }
}

impl Drop for ColourErr<'_> {
    fn drop(&mut self) {
        let _ = std::io::Write::flush(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_and_warnings_are_painted_and_nothing_else() {
        assert_eq!(
            paint("error: no such file"),
            format!("{RED}error{RESET}: no such file")
        );
        let w = paint("pod.ron: warning[psu-spinup] at psus[0]: draws 72 A\n");
        assert_eq!(
            w,
            format!("pod.ron: {YELLOW}warning{RESET}[psu-spinup] at psus[0]: draws 72 A\n")
        );
        let e = paint("pod.ron:3:9: error[syntax]: Unexpected");
        assert!(
            e.starts_with(&format!("pod.ron:3:9: {RED}error{RESET}[syntax]")),
            "{e}"
        );
        assert_eq!(
            paint("checked 1 file: 0 errors"),
            "checked 1 file: 0 errors"
        );
        // Split across writes, a line is painted once it is whole.
        let mut out = Vec::new();
        {
            let mut w = ColourErr::new(&mut out);
            std::io::Write::write_all(&mut w, b"x.ron: err").unwrap();
            std::io::Write::write_all(&mut w, b"or[io] at y: z\nerror: tail").unwrap();
        }
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            format!("x.ron: {RED}error{RESET}[io] at y: z\n{RED}error{RESET}: tail")
        );
    }

    #[test]
    fn help_is_capped_and_pipes_get_the_default() {
        assert_eq!(Screen::PIPE.help_columns(), 100);
        let wide = Screen {
            columns: 250,
            terminal: true,
            ..Screen::PIPE
        };
        assert_eq!(wide.help_columns(), MAX_HELP_COLUMNS);
        let narrow = Screen {
            columns: 60,
            terminal: true,
            ..Screen::PIPE
        };
        assert_eq!(narrow.help_columns(), 60);
    }
}
