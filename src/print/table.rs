//! Plain-text tables exactly as kubectl prints them, through kubectl's [`TabWriter`]:
//! left-aligned columns three spaces apart, at least six wide, widths counted in runes.

use std::io::{self, Write};

use super::tabwriter::TabWriter;

/// Writes `header` (unless `None`) and `rows` as one aligned table.
pub fn write_table<W, R, C>(out: &mut W, header: Option<&[&str]>, rows: R) -> io::Result<()>
where
    W: Write,
    R: IntoIterator<Item = Vec<C>>,
    C: AsRef<str>,
{
    let mut text = String::new();
    if let Some(header) = header {
        push_row(&mut text, header);
    }
    for row in rows {
        push_row(&mut text, &row);
    }
    TabWriter::new().write(&text, out)
}

/// Appends one line of tab-separated cells.
fn push_row(text: &mut String, cells: &[impl AsRef<str>]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            text.push('\t');
        }
        push_sanitized(text, cell.as_ref());
    }
    text.push('\n');
}

/// Tabs and newlines inside a cell would break the layout: they become spaces.
pub(super) fn push_sanitized(text: &mut String, cell: &str) {
    const BREAKING: [char; 3] = ['\t', '\n', '\r'];
    if cell.contains(BREAKING) {
        text.extend(
            cell.chars()
                .map(|c| if BREAKING.contains(&c) { ' ' } else { c }),
        );
    } else {
        text.push_str(cell);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(header: Option<&[&str]>, rows: Vec<Vec<&str>>) -> String {
        let mut out = Vec::new();
        write_table(&mut out, header, rows).expect("write");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn columns_are_three_spaces_apart_with_go_minimum_width() {
        assert_eq!(
            table(
                Some(&["CURRENT", "NAME", "NS"]),
                vec![vec!["*", "a", ""], vec!["", "longer-name", "x"]],
            ),
            "CURRENT   NAME          NS\n*         a             \n          longer-name   x\n"
        );
    }

    #[test]
    fn tabs_inside_cells_do_not_split_columns() {
        assert_eq!(table(None, vec![vec!["a\tb", "c"]]), "a b   c\n");
        assert_eq!(table(None, vec![vec!["x\r\ny", "c"]]), "x  y   c\n");
    }

    /// `日本語のテキスト` is 8 runes, so its column is 11 wide (16 terminal columns on screen).
    #[test]
    fn widths_are_counted_in_runes() {
        assert_eq!(
            table(
                Some(&["NAME", "NOTE"]),
                vec![vec!["日本語のテキスト", "x"], vec!["café", "🚀"]],
            ),
            "NAME       NOTE\n日本語のテキスト   x\ncafé       🚀\n"
        );
    }
}
