//! Where standard output goes: a terminal of some width, or a pipe or file.
//!
//! The binary detects it once ([`Screen::detect`]) and hands it to [`super::run_on`]; the
//! library never looks at the process's own descriptors itself, so in-process runs (tests,
//! [`super::run`]) behave as piped output: help at 100 columns, plain fixed-width tables.

use std::io::IsTerminal;

/// Help text never wraps wider than this, even on a wider terminal: longer lines are hard to
/// read (clap's own default cap).
pub const MAX_HELP_COLUMNS: usize = 100;

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
}

impl Screen {
    /// Piped or redirected output: 100 columns, not a terminal.
    pub const PIPE: Screen = Screen {
        columns: DEFAULT_COLUMNS,
        terminal: false,
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
        Screen { columns, terminal }
    }

    /// The width of help text.
    pub fn help_columns(self) -> usize {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_is_capped_and_pipes_get_the_default() {
        assert_eq!(Screen::PIPE.help_columns(), 100);
        let wide = Screen {
            columns: 250,
            terminal: true,
        };
        assert_eq!(wide.help_columns(), MAX_HELP_COLUMNS);
        let narrow = Screen {
            columns: 60,
            terminal: true,
        };
        assert_eq!(narrow.help_columns(), 60);
    }
}
