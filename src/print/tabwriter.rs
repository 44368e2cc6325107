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
        self.write_laid_out(|| TextLines { rest: text }, out)
    }

    /// [`TabWriter::write`] of `lines` (each without its `\n`) joined by line breaks, without
    /// the joined text: `lines` is called twice, once for the widths and once to write, so a
    /// table of many rows is never held twice.
    pub fn write_lines<S, I>(
        &mut self,
        lines: impl Fn() -> I,
        out: &mut impl Write,
    ) -> io::Result<()>
    where
        S: AsRef<str>,
        I: Iterator<Item = S>,
    {
        self.write_laid_out(|| lines().map(|line| (line, LineEnd::Newline)), out)
    }

    fn write_laid_out<S, I>(
        &mut self,
        lines: impl Fn() -> I,
        out: &mut impl Write,
    ) -> io::Result<()>
    where
        S: AsRef<str>,
        I: Iterator<Item = (S, LineEnd)>,
    {
        let runs = self.layout(lines());
        let mut next_run = vec![0; runs.len()];
        let mut buffer = String::with_capacity(WRITE_CHUNK + 1024);
        for (at, (line, end)) in lines().enumerate() {
            let line = line.as_ref();
            let columns = columns_of(line, end);
            for (column, cell) in line.split(CELL_ENDS).enumerate() {
                buffer.push_str(cell);
                if column < columns {
                    let column_runs = &runs[column];
                    while column_runs[next_run[column]].end <= at {
                        next_run[column] += 1;
                    }
                    let width = column_runs[next_run[column]].width;
                    super::push_spaces(&mut buffer, width.saturating_sub(text_width(cell)));
                }
            }
            if end != LineEnd::Unterminated {
                buffer.push('\n');
            }
            if buffer.len() >= WRITE_CHUNK {
                out.write_all(buffer.as_bytes())?;
                buffer.clear();
            }
        }
        out.write_all(buffer.as_bytes())
    }

    /// Every column's runs, in order, with the width each gets; the remembered widths updated.
    fn layout<S: AsRef<str>>(
        &mut self,
        lines: impl Iterator<Item = (S, LineEnd)>,
    ) -> Vec<Vec<Run>> {
        let mut columns = Columns {
            settings: self.settings,
            runs: Vec::new(),
            open: Vec::new(),
            carried: std::mem::take(&mut self.remembered),
        };
        let mut count = 0;
        for (at, (line, end)) in lines.enumerate() {
            let line = line.as_ref();
            let cells = columns_of(line, end);
            // A line with fewer cells ends the runs of the columns it lacks.
            columns.close_from(cells, at);
            for (column, cell) in line.split(CELL_ENDS).take(cells).enumerate() {
                columns.widen(column, text_width(cell));
            }
            count = at + 1;
            if end == LineEnd::FormFeed {
                columns.close_from(0, count);
            }
        }
        columns.close_from(0, count);
        self.remembered = columns.carried;
        columns.runs
    }
}

/// The columns' runs as the lines are read.
struct Columns {
    settings: Settings,
    /// Each column's closed runs, in order.
    runs: Vec<Vec<Run>>,
    /// Each column's open run: its widest cell so far, padding included.
    open: Vec<Option<usize>>,
    /// The width each column's next run starts from when widths are remembered: the last
    /// run's (or the width remembered from earlier writes).
    carried: Vec<usize>,
}

impl Columns {
    /// A cell `width` wide in `column`, on the line being read.
    fn widen(&mut self, column: usize, width: usize) {
        if self.open.len() <= column {
            self.open.resize(column + 1, None);
            self.runs.resize_with(column + 1, Vec::new);
        }
        let widest = self.open[column].get_or_insert(0);
        *widest = (*widest).max(width + self.settings.padding);
    }

    /// Ends the open runs of the columns from `first` on, before line `end`.
    fn close_from(&mut self, first: usize, end: usize) {
        let Settings {
            min_width,
            remember_widths,
            ..
        } = self.settings;
        for column in first..self.open.len() {
            let Some(widest) = self.open[column].take() else {
                continue;
            };
            if self.carried.len() <= column {
                self.carried.resize(column + 1, min_width);
            }
            let from = if remember_widths {
                self.carried[column]
            } else {
                min_width
            };
            let width = from.max(widest);
            self.carried[column] = width;
            self.runs[column].push(Run { end, width });
        }
    }
}

/// How much of the output is gathered before it is written.
const WRITE_CHUNK: usize = 64 * 1024;

/// A run of a column: consecutive lines with a cell in it, up to line `end` (excluded).
#[derive(Debug, Clone, Copy)]
struct Run {
    end: usize,
    width: usize,
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

const CELL_ENDS: [char; 2] = ['\t', '\u{0B}'];

/// How many of a line's cells belong to a column: all but the last, and (after the last line
/// break) not an empty one after a final tab either.
fn columns_of(line: &str, end: LineEnd) -> usize {
    let terminated = line.matches(CELL_ENDS).count();
    if end == LineEnd::Unterminated && line.ends_with(CELL_ENDS) {
        terminated - 1
    } else {
        terminated
    }
}

/// A cell's width as Go's tabwriter counts it: in runes.
fn text_width(cell: &str) -> usize {
    if cell.is_ascii() {
        cell.len()
    } else {
        cell.chars().count()
    }
}

/// The lines of a text, with how each ended.
struct TextLines<'t> {
    rest: &'t str,
}

impl<'t> Iterator for TextLines<'t> {
    type Item = (&'t str, LineEnd);

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let Some(at) = self.rest.find(['\n', '\u{0C}']) else {
            let line = std::mem::take(&mut self.rest);
            return Some((line, LineEnd::Unterminated));
        };
        let end = if self.rest.as_bytes()[at] == b'\n' {
            LineEnd::Newline
        } else {
            LineEnd::FormFeed
        };
        let line = &self.rest[..at];
        self.rest = &self.rest[at + 1..];
        Some((line, end))
    }
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

    /// Lines handed over one by one lay out as their joined text does, past the size at
    /// which the output is written in chunks, with the widest cell last.
    #[test]
    fn lines_lay_out_as_their_text_does() {
        let mut lines: Vec<String> = (0..5000)
            .map(|i| format!("name-{i}\t{}\tx\ty", "v".repeat(i % 7)))
            .collect();
        lines.insert(2500, "short".to_owned());
        lines.push("the-widest-name-of-all\t日本語\t\t".to_owned());
        let text: String = lines.iter().map(|line| format!("{line}\n")).collect();
        assert!(text.len() > WRITE_CHUNK);
        let mut joined = Vec::new();
        TabWriter::new().write(&text, &mut joined).expect("write");
        let mut one_by_one = Vec::new();
        TabWriter::new()
            .write_lines(|| lines.iter(), &mut one_by_one)
            .expect("write");
        let one_by_one = String::from_utf8(one_by_one).expect("utf-8");
        assert_eq!(one_by_one, String::from_utf8(joined).expect("utf-8"));
        // Every line is there. The one-cell line ends the first column's run: before it the
        // column is 12 wide (`name-2499` and 3), after it 25 (the widest cell and 3).
        let printed: Vec<&str> = one_by_one.lines().collect();
        assert_eq!(printed.len(), lines.len());
        for (at, (line, given)) in printed.iter().zip(&lines).enumerate() {
            let Some((name, _)) = given.split_once('\t') else {
                assert_eq!(*line, "short");
                continue;
            };
            let width = if at < 2500 { 12 } else { 25 };
            assert!(line.starts_with(&format!("{name:<width$}")), "{line:?}");
            let empty_second_cell = given.contains("\t\t");
            assert!(
                empty_second_cell || !line[width..].starts_with(' '),
                "{line:?}"
            );
        }
        let mut out = Vec::new();
        TabWriter::new()
            .write_lines(|| ["a\tb", "longer\tc"].into_iter(), &mut out)
            .expect("write");
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            "a        b\nlonger   c\n"
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
