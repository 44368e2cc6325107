//! kubectl's describe output writer: text at indentation levels (two spaces each), cells
//! separated by tabs and aligned by a plain Go tab writer (minimum width 0, padding 2), and
//! terminal escapes defused. `flush` ends the current alignment block, as kubectl's
//! `PrefixWriter.Flush` does before its Events table.

use crate::print::escape_terminal;
use crate::print::tabwriter::{Settings, TabWriter};

/// Writes one description. Nothing reaches the output until [`PrefixWriter::finish`].
#[derive(Debug)]
pub struct PrefixWriter {
    /// `None` leaves the tabs in, as kubectl's PrefixWriter on a plain buffer does.
    tabs: Option<TabWriter>,
    /// Text of the current block, not yet laid out.
    pending: String,
    done: Vec<u8>,
}

impl Default for PrefixWriter {
    fn default() -> Self {
        PrefixWriter::new()
    }
}

/// Writes `format!(…)` at an indentation level: `put!(w, 1, "Name:\t{}\n", name)`.
#[macro_export]
macro_rules! put {
    ($w:expr, $level:expr, $($arg:tt)*) => {
        $w.write($level, &format!($($arg)*))
    };
}

impl PrefixWriter {
    pub fn new() -> PrefixWriter {
        PrefixWriter {
            tabs: Some(TabWriter::with_settings(Settings::DESCRIBE)),
            pending: String::new(),
            done: Vec::new(),
        }
    }

    /// A writer whose cells stay separated by tabs, not aligned (`rollout history
    /// --revision` prints a pod template that way).
    pub fn unaligned() -> PrefixWriter {
        PrefixWriter {
            tabs: None,
            ..PrefixWriter::new()
        }
    }

    /// `text` indented by `level` × two spaces (only its start: kubectl indents what it is
    /// given, not the lines inside it).
    pub fn write(&mut self, level: usize, text: &str) {
        for _ in 0..level {
            self.pending.push_str("  ");
        }
        self.pending.push_str(&escape_terminal(text.to_string()));
    }

    /// `text` and a newline, not indented (Go's `Fprintln`).
    pub fn line(&mut self, text: &str) {
        self.pending.push_str(&escape_terminal(text.to_string()));
        self.pending.push('\n');
    }

    /// Ends the current alignment block.
    pub fn flush(&mut self) {
        let text = std::mem::take(&mut self.pending);
        match &mut self.tabs {
            // Writing into a Vec cannot fail.
            Some(tabs) => {
                let _ = tabs.write(&text, &mut self.done);
            }
            None => self.done.extend_from_slice(text.as_bytes()),
        }
    }

    /// The description, laid out.
    pub fn finish(mut self) -> String {
        self.flush();
        String::from_utf8_lossy(&self.done).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_indent_and_blocks_align_separately() {
        let mut w = PrefixWriter::new();
        put!(w, 0, "Name:\t{}\n", "web");
        put!(w, 0, "Namespace:\t{}\n", "shop");
        w.write(0, "Containers:\n");
        put!(w, 1, "{}:\n", "nginx");
        put!(w, 2, "Image:\t{}\n", "nginx:1.27");
        w.flush();
        w.write(0, "Events:\n  Type\tReason\n");
        w.write(1, "----\t------\n");
        w.write(1, "Normal\tScheduled\x1b\n");
        assert_eq!(
            w.finish(),
            "Name:       web\nNamespace:  shop\nContainers:\n  nginx:\n    Image:  nginx:1.27\nEvents:\n  Type    Reason\n  ----    ------\n  Normal  Scheduled^[\n"
        );
    }
}
