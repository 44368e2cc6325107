//! Go's `text/tabwriter` as kubectl sets it up (`printers.GetNewTabWriter`): minimum width 6,
//! tab width 4, padding 3, padded with spaces, and the `RememberWidths` flag of the fork
//! kubectl uses (`github.com/liggitt/tabwriter`). Every kubectl table goes through it: `get`,
//! custom columns, `api-resources`, `config get-contexts`.
//!
//! The rules, as Go has them:
//!
//! - A cell is *terminated* by `\t` (or `\v`); a line ends at `\n` (or `\f`). The text after a
//!   line's last tab is a cell too, but not part of any column: it is never padded. So
//!   `a\tb\n` pads `a` and not `b`, and `a\tb\t\n` pads both (the last cell is then empty).
//! - A column is a run of consecutive lines that all have a tab-terminated cell at that index.
//!   A line with fewer cells ends the run; lines after it start a new one.
//! - A column is as wide as its widest cell plus the padding, and at least the minimum width.
//!   Empty cells are padded like any other.
//! - Widths are counted in runes (Unicode scalar values), not in terminal columns: `日本語` is
//!   3 wide, `🇯🇵` (two regional indicators) is 2 and a decomposed `é` is 2. Wide and combining
//!   characters therefore misalign on screen, exactly as they do in kubectl.
//! - `RememberWidths`: a column never gets narrower than the same column was earlier, neither
//!   in a later run of the same text nor in later writes (kubectl's `--watch` streams rows
//!   through one writer this way).
//! - `\f` also flushes: the runs of every column end at that line. It prints as `\n`.
//! - Text after the last line break is laid out like a line but printed without a newline; a
//!   trailing empty cell there is dropped (Go only keeps a non-empty unterminated cell).
//!
//! kubectl's `describe` uses plain `text/tabwriter` with other settings ([`Settings::DESCRIBE`]:
//! no minimum width, padding 2, widths forgotten between runs).

use std::io::{self, Write};

/// How a tab writer lays out its columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// The least a column is wide; it includes the padding.
    pub min_width: usize,
    /// Spaces added to the widest cell of a column.
    pub padding: usize,
    /// The fork's `RememberWidths`: columns never get narrower than they were.
    pub remember_widths: bool,
}

impl Settings {
    /// kubectl's tables (`printers.GetNewTabWriter`): 6, 3, remembering widths.
    pub const TABLES: Settings = Settings {
        min_width: 6,
        padding: 3,
        remember_widths: true,
    };
    /// kubectl's describe (`tabbedString`: `Init(buf, 0, 8, 2, ' ', 0)`).
    pub const DESCRIBE: Settings = Settings {
        min_width: 0,
        padding: 2,
        remember_widths: false,
    };
}

impl Default for Settings {
    fn default() -> Self {
        Settings::TABLES
    }
}

/// A tab writer (kubectl's table settings unless told otherwise) that remembers its column
/// widths between writes when its settings say so.
#[derive(Debug, Clone, Default)]
pub struct TabWriter {
    settings: Settings,
    /// The width each column had last: later runs and writes never make it narrower.
    remembered: Vec<usize>,
}

impl TabWriter {
    pub fn new() -> TabWriter {
        TabWriter::default()
    }

    pub fn with_settings(settings: Settings) -> TabWriter {
        TabWriter {
            settings,
            remembered: Vec::new(),
        }
    }

    /// Lays out `text` and writes it, like Go's `Write(text)` followed by `Flush()`.
    pub fn write(&mut self, text: &str, out: &mut impl Write) -> io::Result<()> {
        let lines = split_lines(text);
        let widths = self.layout(&lines);
        let mut buffer = String::with_capacity(text.len() + text.len() / 2);
        for (line, widths) in lines.iter().zip(&widths) {
            for (column, cell) in line.cells.iter().enumerate() {
                buffer.push_str(cell);
                if let Some(&width) = widths.get(column) {
                    let fill = width.saturating_sub(cell.chars().count());
                    buffer.extend(std::iter::repeat_n(' ', fill));
                }
            }
            if line.end != LineEnd::Unterminated {
                buffer.push('\n');
            }
        }
        out.write_all(buffer.as_bytes())
    }

    /// Every line's column widths (one per tab-terminated cell), updating the remembered ones.
    fn layout(&mut self, lines: &[Line<'_>]) -> Vec<Vec<usize>> {
        let mut widths: Vec<Vec<usize>> = lines
            .iter()
            .map(|line| Vec::with_capacity(line.columns()))
            .collect();
        let columns = lines.iter().map(Line::columns).max().unwrap_or(0);
        let Settings {
            min_width,
            padding,
            remember_widths,
        } = self.settings;
        for column in 0..columns {
            let mut width = self.remembered.get(column).copied().unwrap_or(min_width);
            let mut start = 0;
            while start < lines.len() {
                if lines[start].columns() <= column {
                    start += 1;
                    continue;
                }
                if !remember_widths {
                    // Plain Go: every run of a column is as wide as its own widest cell.
                    width = min_width;
                }
                let mut end = start;
                while end < lines.len() && lines[end].columns() > column {
                    width = width.max(lines[end].cells[column].chars().count() + padding);
                    end += 1;
                    if lines[end - 1].end == LineEnd::FormFeed {
                        break;
                    }
                }
                for line_widths in &mut widths[start..end] {
                    line_widths.push(width);
                }
                start = end;
            }
            match self.remembered.get_mut(column) {
                Some(remembered) => *remembered = width,
                None => self.remembered.push(width),
            }
        }
        widths
    }
}

/// How a line ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineEnd {
    Newline,
    /// `\f`: a line break that also ends every column's run.
    FormFeed,
    /// The text after the last line break.
    Unterminated,
}

/// One line of input: its cells, the last one not tab-terminated.
#[derive(Debug)]
struct Line<'t> {
    cells: Vec<&'t str>,
    end: LineEnd,
}

impl Line<'_> {
    /// How many of the line's cells belong to a column (all but the last).
    fn columns(&self) -> usize {
        self.cells.len().saturating_sub(1)
    }
}

const CELL_ENDS: [char; 2] = ['\t', '\u{0B}'];

fn split_lines(text: &str) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(['\n', '\u{0C}']) {
        let end = if rest[at..].starts_with('\n') {
            LineEnd::Newline
        } else {
            LineEnd::FormFeed
        };
        lines.push(Line {
            cells: rest[..at].split(CELL_ENDS).collect(),
            end,
        });
        rest = &rest[at + 1..];
    }
    if !rest.is_empty() {
        let mut cells: Vec<&str> = rest.split(CELL_ENDS).collect();
        if cells.last() == Some(&"") {
            cells.pop();
        }
        lines.push(Line {
            cells,
            end: LineEnd::Unterminated,
        });
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(texts: &[&str]) -> String {
        let mut writer = TabWriter::new();
        let mut out = Vec::new();
        for text in texts {
            writer.write(text, &mut out).expect("write");
        }
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn describe_settings_size_each_run_on_its_own() {
        let mut writer = TabWriter::with_settings(Settings::DESCRIBE);
        let mut out = Vec::new();
        writer
            .write(
                "Name:\tweb\nNamespace:\tshop\nLabels:\n  a:\tb\n  longer key:\tc\nX:\ty\n",
                &mut out,
            )
            .expect("write");
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            "Name:       web\nNamespace:  shop\nLabels:\n  a:           b\n  longer key:  c\nX:             y\n"
        );
    }

    #[test]
    fn columns_are_the_widest_cell_plus_three_and_at_least_six() {
        assert_eq!(
            layout(&["N\tV\na\tx\nmuch-longer-name\tyy\n"]),
            "N                  V\na                  x\nmuch-longer-name   yy\n"
        );
        assert_eq!(layout(&["A\tB\na\tx\n"]), "A     B\na     x\n");
        assert_eq!(layout(&["a\nbb\n"]), "a\nbb\n");
    }

    #[test]
    fn the_last_cell_is_not_padded_but_a_trailing_tab_makes_it_a_column() {
        assert_eq!(layout(&["a\tb\n"]), "a     b\n");
        assert_eq!(layout(&["a\tb\t\n"]), "a     b     \n");
        // Empty cells are padded like the others.
        assert_eq!(
            layout(&["CURRENT\tNAME\tNS\n*\ta\t\n\tlonger-name\tx\n"]),
            "CURRENT   NAME          NS\n*         a             \n          longer-name   x\n"
        );
    }

    #[test]
    fn widths_count_runes_not_terminal_columns() {
        // CJK: 3 runes (6 terminal columns); the rocket: 1 rune (2 columns); a flag: two
        // regional indicators; a decomposed é: e and a combining accent; a family emoji:
        // three people joined by two zero-width joiners.
        let text = "日本語\t1\n🚀\t2\n🇯🇵\t3\ne\u{301}\t4\n👩\u{200d}👩\u{200d}👧\t5\nabcdefgh\t6\n";
        assert_eq!(
            layout(&[text]),
            "日本語        1\n🚀          2\n🇯🇵         3\ne\u{301}         4\n\
             👩\u{200d}👩\u{200d}👧      5\nabcdefgh   6\n"
        );
        assert_eq!(
            layout(&["日本語のテキスト\tx\nab\ty\n"]),
            "日本語のテキスト   x\nab         y\n"
        );
    }

    /// kubectl v1.32's output for `get cm -o custom-columns=NAME:…,N:…,M:…` on config maps
    /// whose annotations hold newlines: the line with one cell ends the columns' runs, and the
    /// next run keeps the widths (Go's text/tabwriter alone would print `r     s`).
    #[test]
    fn a_shorter_line_ends_the_run_but_widths_are_remembered() {
        let text = "NAME\tN\tM\na\tbbbbbbbbbb\tc\nlonger-cell\tx\ny\tz\nm-break\tp\nq\nr\ts\n\
                    zz\t1\t2\n";
        assert_eq!(
            layout(&[text]),
            "NAME          N            M\n\
             a             bbbbbbbbbb   c\n\
             longer-cell   x\n\
             y             z\n\
             m-break       p\n\
             q\n\
             r             s\n\
             zz            1            2\n"
        );
    }

    #[test]
    fn a_later_run_can_be_wider_and_stays_wider() {
        assert_eq!(
            layout(&["a\tb\nx\nlonger-cell\tc\nd\te\n"]),
            "a     b\nx\nlonger-cell   c\nd             e\n"
        );
    }

    #[test]
    fn widths_are_remembered_across_writes() {
        assert_eq!(
            layout(&["N\tV\nlong-name\t1\n", "a\t2\n", "even-longer-name\t3\n"]),
            "N           V\nlong-name   1\na           2\neven-longer-name   3\n"
        );
    }

    #[test]
    fn vertical_tabs_end_cells_and_form_feeds_end_runs() {
        assert_eq!(layout(&["a\u{0B}b\tc\n"]), "a     b     c\n");
        // Without the form feed, both lines would share one run 14 wide.
        assert_eq!(
            layout(&["a\tb\u{0C}longer-cell\tc\n"]),
            "a     b\nlonger-cell   c\n"
        );
    }

    #[test]
    fn text_after_the_last_newline_is_laid_out_without_a_newline() {
        assert_eq!(layout(&["ab\tc\nd\te"]), "ab    c\nd     e");
        // A trailing tab there leaves no cell behind it, so nothing is padded.
        assert_eq!(layout(&["a\t"]), "a");
        assert_eq!(layout(&[""]), "");
    }
}
