//! Plain-text tables exactly as kubectl prints them: Go's text/tabwriter with minwidth 6,
//! tabwidth 4, padding 3, padded with spaces — left-aligned columns, three spaces apart.

use std::io::{self, Write};

use tabwriter::TabWriter;

/// A tab writer with kubectl's settings. The crate's `minwidth` excludes the padding while
/// Go's includes it, hence 3 + 3 for Go's 6.
pub fn kubectl_tabwriter<W: Write>(out: W) -> TabWriter<W> {
    TabWriter::new(out).minwidth(3).padding(3)
}

/// Writes `header` (unless `None`) and `rows` as one aligned table.
pub fn write_table<W, R, C>(out: &mut W, header: Option<&[&str]>, rows: R) -> io::Result<()>
where
    W: Write,
    R: IntoIterator<Item = Vec<C>>,
    C: AsRef<str>,
{
    let mut writer = kubectl_tabwriter(&mut *out);
    if let Some(header) = header {
        writeln!(writer, "{}", header.join("\t"))?;
    }
    for row in rows {
        let cells: Vec<String> = row.iter().map(|cell| sanitize(cell.as_ref())).collect();
        writeln!(writer, "{}", cells.join("\t"))?;
    }
    writer.flush()
}

/// Tabs and newlines inside a cell would break the layout.
fn sanitize(cell: &str) -> String {
    if cell.contains(['\t', '\n', '\r']) {
        cell.replace(['\t', '\n', '\r'], " ")
    } else {
        cell.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_three_spaces_apart_with_go_minimum_width() {
        let mut out = Vec::new();
        write_table(
            &mut out,
            Some(&["CURRENT", "NAME", "NS"]),
            [vec!["*", "a", ""], vec!["", "longer-name", "x"]],
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "CURRENT   NAME          NS\n*         a             \n          longer-name   x\n"
        );
    }

    #[test]
    fn tabs_inside_cells_do_not_split_columns() {
        let mut out = Vec::new();
        write_table(&mut out, None, [vec!["a\tb", "c"]]).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "a b   c\n");
    }
}
