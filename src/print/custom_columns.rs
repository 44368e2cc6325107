//! `-o custom-columns=NAME:.metadata.name,…` and `-o custom-columns-file=FILE`, as kubectl's
//! `CustomColumnsPrinter` prints them.
//!
//! Every column is a relaxed JSONPath expression evaluated on each object (each item of a
//! list): the values are printed with Go's `%v` and joined with `,`; no value prints `<none>`.
//! Rows go through kubectl's [`TabWriter`], so columns are padded to the widest cell (in runes)
//! plus three spaces and the last column is not padded.
//!
//! Go's tab writer measures the whole output before printing it. [`CustomColumnsPrinter`]
//! buffers rows until [`CustomColumnsPrinter::flush`]: flush once at the end for kubectl's
//! exact layout, or after every page to stream (widths then only ever grow, like kubectl's
//! own tab writer under `--watch`).

use std::fmt;
use std::io::{self, Write};

use serde_json::Value;

use super::jsonpath::{self, JsonPath, JsonPathError};
use super::tabwriter::TabWriter;

/// kubectl's custom-columns errors; `Display` is kubectl's text after `error: `.
#[derive(Debug)]
pub enum CustomColumnsError {
    /// `-o custom-columns=` with nothing after the `=`.
    NoColumns,
    /// A column without `:`.
    UnexpectedSpec(String),
    /// A custom-columns file without its first line.
    MissingHeaderLine,
    /// A custom-columns file without its second line.
    MissingSpecLine,
    /// A custom-columns file with more headers than paths or the reverse.
    CountMismatch { headers: usize, specs: usize },
    /// A column's expression does not parse, or fails on an object.
    JsonPath(JsonPathError),
}

impl fmt::Display for CustomColumnsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const FORMAT: &str = "Expected format is one line of space separated headers, one line \
                              of space separated column specs.";
        match self {
            Self::NoColumns => {
                f.write_str("custom-columns format specified but no custom columns given")
            }
            Self::UnexpectedSpec(spec) => write!(
                f,
                "unexpected custom-columns spec: {spec}, expected <header>:<json-path-expr>"
            ),
            Self::MissingHeaderLine => write!(f, "invalid template, missing header line. {FORMAT}"),
            Self::MissingSpecLine => write!(f, "invalid template, missing spec line. {FORMAT}"),
            Self::CountMismatch { headers, specs } => write!(
                f,
                "number of headers ({headers}) and field specifications ({specs}) don't match"
            ),
            Self::JsonPath(err) => err.fmt(f),
        }
    }
}

impl std::error::Error for CustomColumnsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::JsonPath(err) => Some(err),
            _ => None,
        }
    }
}

impl From<JsonPathError> for CustomColumnsError {
    fn from(err: JsonPathError) -> Self {
        Self::JsonPath(err)
    }
}

/// One column: its header and its (relaxed) JSONPath expression.
#[derive(Debug, Clone, PartialEq)]
struct Column {
    header: String,
    path: JsonPath,
}

impl Column {
    /// Parses the already relaxed expressions of `specs`. kubectl checks every column's
    /// syntax before it parses any expression, so the errors come in that order too.
    fn parse_all(specs: Vec<(String, String)>) -> Result<Vec<Column>, CustomColumnsError> {
        specs
            .into_iter()
            .map(|(header, field_spec)| {
                let path = JsonPath::parse(&field_spec)?;
                Ok(Column { header, path })
            })
            .collect()
    }

    /// The cell for one object: `%v` of every value, terminal-escaped, joined with `,`;
    /// `<none>` if none.
    fn cell(&self, object: &Value) -> Result<String, JsonPathError> {
        let groups = self.path.evaluate(object)?;
        let mut values = Vec::new();
        if groups.first().is_none_or(Vec::is_empty) {
            values.push("<none>".to_string());
        }
        values.extend(
            groups
                .iter()
                .flatten()
                .map(|found| super::escape_terminal(found.to_go_string())),
        );
        Ok(values.join(","))
    }
}

/// The parsed columns of `-o custom-columns=SPEC` or a custom-columns file.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomColumns {
    columns: Vec<Column>,
}

impl CustomColumns {
    /// Parses `NAME:.metadata.name,IMAGE:.spec.containers[*].image`. Like kubectl, the spec is
    /// split at every `,` — a union such as `[0,1]` cannot appear in a column.
    pub fn from_spec(spec: &str) -> Result<CustomColumns, CustomColumnsError> {
        if spec.is_empty() {
            return Err(CustomColumnsError::NoColumns);
        }
        let specs = spec
            .split(',')
            .map(|part| match part.split_once(':') {
                Some((header, expr)) => Ok((header.to_string(), jsonpath::relaxed(expr)?)),
                None => Err(CustomColumnsError::UnexpectedSpec(part.to_string())),
            })
            .collect::<Result<_, CustomColumnsError>>()?;
        Ok(CustomColumns {
            columns: Column::parse_all(specs)?,
        })
    }

    /// Parses a custom-columns file: a line of headers, then a line of expressions, both
    /// separated by whitespace. Further lines are ignored.
    pub fn from_template(text: &str) -> Result<CustomColumns, CustomColumnsError> {
        let mut lines = text.lines();
        let headers: Vec<&str> = lines
            .next()
            .ok_or(CustomColumnsError::MissingHeaderLine)?
            .split_whitespace()
            .collect();
        let specs: Vec<&str> = lines
            .next()
            .ok_or(CustomColumnsError::MissingSpecLine)?
            .split_whitespace()
            .collect();
        if headers.len() != specs.len() {
            return Err(CustomColumnsError::CountMismatch {
                headers: headers.len(),
                specs: specs.len(),
            });
        }
        let specs = headers
            .iter()
            .zip(&specs)
            .map(|(header, spec)| Ok((header.to_string(), jsonpath::relaxed(spec)?)))
            .collect::<Result<_, CustomColumnsError>>()?;
        Ok(CustomColumns {
            columns: Column::parse_all(specs)?,
        })
    }

    /// The header line's cells.
    fn headers(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.header.as_str()).collect()
    }

    /// The cells of one object's row.
    fn row(&self, object: &Value) -> Result<Vec<String>, JsonPathError> {
        self.columns
            .iter()
            .map(|column| column.cell(object))
            .collect()
    }
}

/// Prints objects as kubectl's custom-columns printer does.
#[derive(Debug, Clone)]
pub struct CustomColumnsPrinter {
    columns: CustomColumns,
    no_headers: bool,
    header_printed: bool,
    pending: String,
    tabs: TabWriter,
}

impl CustomColumnsPrinter {
    /// `--no-headers` omits the header line. (kubectl ignores `--no-headers` for
    /// `custom-columns-file`; the caller decides whether to mimic that.)
    pub fn new(columns: CustomColumns, no_headers: bool) -> CustomColumnsPrinter {
        CustomColumnsPrinter {
            columns,
            no_headers,
            header_printed: false,
            pending: String::new(),
            tabs: TabWriter::new(),
        }
    }

    /// Adds the rows of one object — of each item when it is a list (has an `items` array).
    /// The header comes before the first row. Nothing is added when a column fails.
    pub fn add(&mut self, object: &Value) -> Result<(), JsonPathError> {
        let objects = match object.get("items") {
            Some(Value::Array(items)) => items.iter().collect(),
            _ => vec![object],
        };
        let mut rows = String::new();
        for object in objects {
            rows.push_str(&self.columns.row(object)?.join("\t"));
            rows.push('\n');
        }
        if !self.no_headers && !self.header_printed {
            self.pending.push_str(&self.columns.headers().join("\t"));
            self.pending.push('\n');
            self.header_printed = true;
        }
        self.pending.push_str(&rows);
        Ok(())
    }

    /// Writes the rows added since the last flush. Flushing only once gives kubectl's exact
    /// layout; flushing per page streams with column widths that never shrink.
    pub fn flush(&mut self, out: &mut impl Write) -> io::Result<()> {
        let text = std::mem::take(&mut self.pending);
        self.tabs.write(&text, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn print(spec: &str, no_headers: bool, objects: &[Value]) -> String {
        let columns = CustomColumns::from_spec(spec).expect("spec");
        let mut printer = CustomColumnsPrinter::new(columns, no_headers);
        for object in objects {
            printer.add(object).expect("row");
        }
        let mut out = Vec::new();
        printer.flush(&mut out).expect("write");
        String::from_utf8(out).expect("utf-8")
    }

    fn fixture_stdout(transcript: &str) -> String {
        transcript
            .lines()
            .skip_while(|line| *line != "# --- stdout")
            .skip(1)
            .take_while(|line| !line.starts_with("# ---"))
            .map(|line| format!("{line}\n"))
            .collect()
    }

    #[test]
    fn deployment_fixture_matches_kubectl() {
        let deployment: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/http/088-get-deployment.json"
        ))
        .expect("fixture");
        let list = json!({"apiVersion": "v1", "kind": "List", "items": [deployment]});
        let out = print(
            "NAME:.metadata.name,IMAGE:.spec.template.spec.containers[*].image",
            false,
            &[list],
        );
        let want = fixture_stdout(include_str!(
            "../../tests/fixtures/kubectl/get-deploy-custom-columns.txt"
        ));
        assert_eq!(out, want);
        assert_eq!(out, "NAME       IMAGE\nfrontend   httpd:2.4.62\n");
    }

    #[test]
    fn pod_list_fixture() {
        let pods: Value =
            serde_json::from_str(include_str!("../../tests/fixtures/http/029-list-pods.json"))
                .expect("fixture");
        let out = print(
            "NAME:.metadata.name,IP:.status.podIP,NODE:{.spec.nodeName},GONE:.nope",
            true,
            std::slice::from_ref(&pods),
        );
        let items = pods["items"].as_array().expect("items");
        assert_eq!(out.lines().count(), items.len());
        let first = out.lines().next().expect("a row");
        assert!(first.starts_with("cache-0   "), "{first}");
        assert!(first.ends_with("   <none>"), "{first}");
        // Every column is as wide as its widest cell plus three spaces.
        let name_width = items
            .iter()
            .filter_map(|pod| pod["metadata"]["name"].as_str())
            .map(str::len)
            .max()
            .expect("names");
        assert_eq!(first.find("10.244").expect("ip"), name_width + 3);
    }

    #[test]
    fn values_are_go_formatted_and_joined() {
        let pod = json!({
            "metadata": {"name": "p", "labels": {"b": "2", "a": "1"}},
            "spec": {"containers": [{"image": "a:1", "ports": [80, 443]}, {"image": "b:2"}]},
            "status": {"ready": true, "restarts": 3, "ratio": 1000000.5, "gone": null}
        });
        let out = print(
            "A:.spec.containers[*].image,L:.metadata.labels,P:.spec.containers[0].ports,\
             R:.status.ready,N:.status.restarts,F:.status.ratio,G:.status.gone,M:.status.x",
            true,
            &[pod],
        );
        assert_eq!(
            out,
            "a:1,b:2   map[a:1 b:2]   [80 443]   true   3     1.0000005e+06   <nil>   <none>\n"
        );
    }

    #[test]
    fn table_layout() {
        let objects = [
            json!({"n": "a", "v": "x"}),
            json!({"n": "much-longer-name", "v": "yy"}),
        ];
        assert_eq!(
            print("N:.n,V:.v", false, &objects),
            "N                  V\na                  x\nmuch-longer-name   yy\n"
        );
        // Columns are at least 6 wide (kubectl's min width includes the padding).
        assert_eq!(
            print("A:.n,B:.v", false, &objects[..1]),
            "A     B\na     x\n"
        );
        // One column: no padding at all.
        assert_eq!(print("N:.n", false, &objects), "N\na\nmuch-longer-name\n");
    }

    #[test]
    fn header_printed_once_and_widths_only_grow_when_streaming() {
        let columns = CustomColumns::from_spec("N:.n,V:.v").expect("spec");
        let mut printer = CustomColumnsPrinter::new(columns, false);
        let mut out = Vec::new();
        printer
            .add(&json!({"n": "long-name", "v": 1}))
            .expect("row");
        printer.flush(&mut out).expect("write");
        printer.add(&json!({"n": "a", "v": 2})).expect("row");
        printer.flush(&mut out).expect("write");
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            "N           V\nlong-name   1\na           2\n"
        );
    }

    /// Tabs are not escaped: like in kubectl, they split the cell.
    #[test]
    fn terminal_controls_are_escaped_like_kubectl() {
        let object = json!({"a": "x\u{1b}[31mred\rback", "m": {"k": "\u{1b}"}, "t": "a\tb"});
        assert_eq!(
            print("A:.a,M:.m,T:.t", true, &[object]),
            "x^[[31mred\\rback   map[k:^[]   a     b\n"
        );
    }

    #[test]
    fn relaxed_forms_and_escaped_keys() {
        let object = json!({"metadata": {"annotations": {"kubernetes.io/change-cause": "x"}}});
        assert_eq!(
            print(
                r"A:metadata.annotations.kubernetes\.io/change-cause,B:{.metadata.annotations}",
                true,
                &[object],
            ),
            "x     map[kubernetes.io/change-cause:x]\n"
        );
    }

    #[test]
    fn spec_errors() {
        let error = |spec: &str| CustomColumns::from_spec(spec).expect_err(spec).to_string();
        assert_eq!(
            error(""),
            "custom-columns format specified but no custom columns given"
        );
        assert_eq!(
            error("NAME:.metadata.name,IMAGE"),
            "unexpected custom-columns spec: IMAGE, expected <header>:<json-path-expr>"
        );
        // A union is cut at its comma, like kubectl does.
        assert_eq!(
            error("A:.a[0,1]"),
            "unexpected custom-columns spec: 1], expected <header>:<json-path-expr>"
        );
        assert_eq!(error("A:.a["), "unterminated array");
        assert_eq!(
            error("A:{.a}{.b}"),
            "unexpected path string, expected a 'name1.name2' or '.name1.name2' or \
             '{name1.name2}' or '{.name1.name2}'"
        );
    }

    #[test]
    fn evaluation_errors_are_jsonpath_errors() {
        let columns = CustomColumns::from_spec("A:.a[5]").expect("spec");
        let mut printer = CustomColumnsPrinter::new(columns, false);
        let error = printer.add(&json!({"a": [1]})).expect_err("out of bounds");
        assert_eq!(
            error.to_string(),
            "array index out of bounds: index 5, length 1"
        );
    }

    #[test]
    fn template_file() {
        let columns =
            CustomColumns::from_template("NAME   IMAGE\n.metadata.name  {.spec.image}\nignored")
                .expect("template");
        assert_eq!(columns.headers(), ["NAME", "IMAGE"]);
        let row = columns
            .row(&json!({"metadata": {"name": "n"}, "spec": {"image": "i"}}))
            .expect("row");
        assert_eq!(row, ["n", "i"]);

        let error = |text: &str| {
            CustomColumns::from_template(text)
                .expect_err(text)
                .to_string()
        };
        assert_eq!(
            error(""),
            "invalid template, missing header line. Expected format is one line of space \
             separated headers, one line of space separated column specs."
        );
        assert_eq!(
            error("A B"),
            "invalid template, missing spec line. Expected format is one line of space \
             separated headers, one line of space separated column specs."
        );
        assert_eq!(
            error("A B\n.a"),
            "number of headers (2) and field specifications (1) don't match"
        );
    }
}
