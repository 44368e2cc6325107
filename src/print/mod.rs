//! Printers: kubectl's PrintFlags chain behind one interface. They write to `&mut impl Write`
//! and never fetch.
//!
//! - `format`: `-o`, parsed by clap into the output-format type.
//! - `printer`: the printer of a command's results (tables per type, a List of objects,
//!   templates); `watch`: the printer of a watch's events.
//! - `objects` (json, yaml, name), `server_table` (Tables as kubectl lays them out),
//!   `jsonpath`, `custom_columns`, `go_template`: the formats themselves.

pub mod age;
pub mod custom_columns;
pub mod format;
pub mod go_template;
pub mod gofmt;
pub mod jsonpath;
pub mod kubectl_yaml;
pub mod node;
pub mod objects;
pub mod printer;
pub mod server_table;
pub mod table;
pub mod tabwriter;
pub mod watch;

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

pub use format::{OutputArg, OutputArgParser, OutputFormat, Template};
pub use printer::{EachObject, PrintOptions, Printer, kind_label};
pub use table::write_table;
pub use watch::WatchPrinter;

/// kubectl's `printers.EscapeTerminal`: ESC becomes `^[` and a carriage return `\r`, so a
/// value cannot drive the terminal (kubernetes/kubernetes#101695).
pub fn escape_terminal(text: String) -> String {
    if !text.contains(['\u{1b}', '\r']) {
        return text;
    }
    text.replace('\u{1b}', "^[").replace('\r', "\\r")
}

/// Appends `n` spaces (indentation), as few copies as it takes.
pub(crate) fn push_spaces(out: &mut String, mut n: usize) {
    const SPACES: &str = "                                                                ";
    while n > 0 {
        let step = n.min(SPACES.len());
        out.push_str(&SPACES[..step]);
        n -= step;
    }
}

/// `json.MarshalIndent` of a Go struct, and a final newline: `value`'s fields in serde's order
/// (a struct's as declared, so `value` should hold no `HashMap`), written by Go's rules (`<`
/// as `\u003c`, …), `indent` spaces a level (kubectl uses 4 for kubeconfig, 2 for `version`).
pub fn write_json<W: Write, T: Serialize>(out: &mut W, value: &T, indent: usize) -> Result<()> {
    let compact = serde_json::to_string(value)?;
    let mut node = node::Node::parse(&compact)?;
    let mut text = String::with_capacity(compact.len() * 2);
    gofmt::write_struct_json(&mut text, &mut node, &" ".repeat(indent));
    text.push('\n');
    out.write_all(text.as_bytes())?;
    Ok(())
}

/// YAML in kubectl's style (sorted keys when `value` is a `serde_json::Value`).
pub fn write_yaml<W: Write, T: Serialize>(out: &mut W, value: &T) -> Result<()> {
    out.write_all(crate::yaml::to_string(value)?.as_bytes())?;
    Ok(())
}

/// The recorded API responses that are JSON (`tests/fixtures/http`): path, text, value.
#[cfg(test)]
pub(crate) fn recorded_json_responses() -> Vec<(std::path::PathBuf, String, serde_json::Value)> {
    let dir = format!("{}/tests/fixtures/http", env!("CARGO_MANIFEST_DIR"));
    let mut responses = Vec::new();
    for entry in std::fs::read_dir(dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if let Ok(value) = serde_json::from_str(&text) {
            responses.push((path, text, value));
        }
    }
    responses
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_come_in_any_number() {
        for n in [0, 1, 63, 64, 65, 200] {
            let mut out = String::from("x");
            push_spaces(&mut out, n);
            assert_eq!(out.len(), n + 1);
            assert!(out[1..].bytes().all(|b| b == b' '), "{n}");
        }
    }

    #[test]
    fn json_indentation_is_configurable() {
        let mut out = Vec::new();
        write_json(&mut out, &serde_json::json!({"a": [1]}), 4).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\n    \"a\": [\n        1\n    ]\n}\n"
        );
    }
}
