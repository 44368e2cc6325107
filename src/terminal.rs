//! Terminal facts and the one colour decision.
//!
//! kz looks once, at start, at whether stdout and stderr are terminals and how wide their
//! windows are, and reads `NO_COLOR`, `TERM` and `COLUMNS`. With `--color` these decide, per
//! stream, what a command may do there: colour (tables and log prefixes on stdout, progress on
//! stderr) and how many columns to fit. The rules are pure functions, so tests choose the facts.

use std::io::IsTerminal;

use crate::cli::ColorMode;

/// What the operating system says about one standard stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tty {
    pub is_terminal: bool,
    /// The terminal window's width in columns, when the stream is a terminal that reports one.
    pub window_width: Option<u16>,
}

impl Tty {
    /// The process's stdout.
    pub fn stdout() -> Tty {
        let stdout = std::io::stdout();
        let is_terminal = stdout.is_terminal();
        Tty {
            is_terminal,
            window_width: is_terminal.then(|| window_width(&stdout)).flatten(),
        }
    }

    /// The process's stderr.
    pub fn stderr() -> Tty {
        let stderr = std::io::stderr();
        let is_terminal = stderr.is_terminal();
        Tty {
            is_terminal,
            window_width: is_terminal.then(|| window_width(&stderr)).flatten(),
        }
    }
}

/// `TIOCGWINSZ` (or the Windows console's size), through the `terminal_size` crate that clap
/// already uses for wrapping help.
#[cfg(unix)]
fn window_width(stream: impl std::os::fd::AsFd) -> Option<u16> {
    terminal_size::terminal_size_of(stream).map(|(terminal_size::Width(width), _)| width)
}

#[cfg(windows)]
fn window_width(stream: impl std::os::windows::io::AsHandle) -> Option<u16> {
    terminal_size::terminal_size_of(stream).map(|(terminal_size::Width(width), _)| width)
}

/// Everything the terminal decisions depend on besides `--color`, captured once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TerminalEnv {
    /// `NO_COLOR`: any non-empty value turns automatic colour off (<https://no-color.org>).
    pub no_color: Option<String>,
    /// `TERM`: `dumb` turns automatic colour off.
    pub term: Option<String>,
    /// `COLUMNS`: a terminal's width, ahead of what its window reports.
    pub columns: Option<String>,
    pub stdout: Tty,
    pub stderr: Tty,
}

impl TerminalEnv {
    pub fn from_process() -> Self {
        let var = |name: &str| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned());
        TerminalEnv {
            no_color: var("NO_COLOR"),
            term: var("TERM"),
            columns: var("COLUMNS"),
            stdout: Tty::stdout(),
            stderr: Tty::stderr(),
        }
    }

    /// What commands may do on stdout.
    pub fn stdout(&self, mode: ColorMode) -> Terminal {
        self.decide(self.stdout, mode)
    }

    /// What commands may do on stderr.
    pub fn stderr(&self, mode: ColorMode) -> Terminal {
        self.decide(self.stderr, mode)
    }

    fn decide(&self, tty: Tty, mode: ColorMode) -> Terminal {
        Terminal {
            is_terminal: tty.is_terminal,
            width: width(tty, self.columns.as_deref()),
            color: use_color(
                mode,
                tty.is_terminal,
                self.no_color.as_deref(),
                self.term.as_deref(),
            ),
        }
    }
}

/// What a command may assume about one output stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Terminal {
    pub is_terminal: bool,
    /// Columns to fit output in; `None` when the stream is not a terminal or its width is
    /// unknown.
    pub width: Option<usize>,
    /// Whether to colour what is written there.
    pub color: bool,
}

/// `--color=always` colours, `never` does not, and `auto` colours a terminal unless `NO_COLOR`
/// has a value or `TERM` is `dumb`.
pub fn use_color(
    mode: ColorMode,
    is_terminal: bool,
    no_color: Option<&str>,
    term: Option<&str>,
) -> bool {
    match mode {
        ColorMode::Always => true,
        ColorMode::Never => false,
        ColorMode::Auto => {
            is_terminal && no_color.is_none_or(str::is_empty) && term != Some("dumb")
        }
    }
}

/// A terminal's width: a positive `COLUMNS`, else its window's width. Pipes and files have
/// none.
pub fn width(tty: Tty, columns: Option<&str>) -> Option<usize> {
    if !tty.is_terminal {
        return None;
    }
    let from_env = columns
        .and_then(|columns| columns.trim().parse::<usize>().ok())
        .filter(|&columns| columns > 0);
    from_env.or_else(|| {
        tty.window_width
            .filter(|&columns| columns > 0)
            .map(usize::from)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn color_rule_table() {
        use ColorMode::{Always, Auto, Never};
        // (mode, terminal, NO_COLOR, TERM) → colour
        let table = [
            (Auto, true, None, Some("xterm-256color"), true),
            (Auto, true, None, None, true),
            (Auto, true, Some(""), Some("xterm"), true),
            (Auto, true, Some("1"), Some("xterm"), false),
            (Auto, true, Some("false"), Some("xterm"), false),
            (Auto, true, None, Some("dumb"), false),
            (Auto, true, Some("1"), Some("dumb"), false),
            (Auto, false, None, Some("xterm"), false),
            (Auto, false, Some("1"), Some("dumb"), false),
            (Always, true, None, Some("xterm"), true),
            (Always, false, None, Some("xterm"), true),
            (Always, false, Some("1"), Some("dumb"), true),
            (Always, true, Some("1"), None, true),
            (Never, true, None, Some("xterm"), false),
            (Never, false, None, None, false),
            (Never, true, Some(""), Some("xterm"), false),
        ];
        for (mode, terminal, no_color, term, expected) in table {
            assert_eq!(
                use_color(mode, terminal, no_color, term),
                expected,
                "{mode:?}, terminal {terminal}, NO_COLOR {no_color:?}, TERM {term:?}"
            );
        }
    }

    #[test]
    fn width_rule() {
        let terminal = |window_width| Tty {
            is_terminal: true,
            window_width,
        };
        let pipe = Tty {
            is_terminal: false,
            window_width: Some(120),
        };
        // COLUMNS first, then the window, nothing for a pipe.
        assert_eq!(width(terminal(Some(120)), Some("100")), Some(100));
        assert_eq!(width(terminal(Some(120)), Some(" 90 ")), Some(90));
        assert_eq!(width(terminal(Some(120)), None), Some(120));
        assert_eq!(width(terminal(None), Some("80")), Some(80));
        assert_eq!(width(pipe, Some("100")), None);
        assert_eq!(width(pipe, None), None);
        // Nonsense in COLUMNS is skipped; a zero-sized window is no width.
        assert_eq!(width(terminal(Some(120)), Some("wide")), Some(120));
        assert_eq!(width(terminal(Some(120)), Some("0")), Some(120));
        assert_eq!(width(terminal(Some(120)), Some("-5")), Some(120));
        assert_eq!(width(terminal(Some(0)), None), None);
        assert_eq!(width(terminal(None), None), None);
    }

    #[test]
    fn each_stream_gets_its_own_decision() {
        let env = TerminalEnv {
            no_color: None,
            term: Some("xterm".into()),
            columns: None,
            stdout: Tty {
                is_terminal: false,
                window_width: None,
            },
            stderr: Tty {
                is_terminal: true,
                window_width: Some(132),
            },
        };
        // `kz get pods | less`: a plain stdout, a coloured stderr.
        assert_eq!(
            env.stdout(ColorMode::Auto),
            Terminal {
                is_terminal: false,
                width: None,
                color: false,
            }
        );
        assert_eq!(
            env.stderr(ColorMode::Auto),
            Terminal {
                is_terminal: true,
                width: Some(132),
                color: true,
            }
        );
        assert!(env.stdout(ColorMode::Always).color);
        assert!(!env.stderr(ColorMode::Never).color);
        let no_color = TerminalEnv {
            no_color: Some("1".into()),
            ..env
        };
        assert!(!no_color.stderr(ColorMode::Auto).color);
    }
}
