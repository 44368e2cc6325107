//! Go's ways of turning values decoded from JSON into text.
//!
//! kubectl's printers are Go programs working on `interface{}` trees, so their output follows
//! Go's `fmt` and `encoding/json` rules rather than serde's: `1e+06` instead of `1000000.0`,
//! `map[a:1 b:2]` for objects printed with `%v`, `\u003c` for `<` inside JSON, and so on. Every
//! printer in `kz::print` formats through these functions.

pub mod printf;

use std::fmt::Write as _;

use serde_json::{Map, Number, Value};

use super::node::{Node, sort_fields};

/// A JSON number as Go holds it after decoding.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum GoNumber {
    /// `int64`: how `unstructured` (kubectl get, jsonpath, custom-columns) stores integers.
    Int(i64),
    /// `float64`: everything else, and every number decoded by plain `encoding/json`.
    Float(f64),
}

/// How numbers were decoded: this decides whether `2` prints as `2` and `1000000` as `1e+06`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberMode {
    /// `k8s.io/apimachinery` unstructured decoding: integral literals become `int64`.
    Unstructured,
    /// `encoding/json` into `interface{}`: every number is a `float64` (kubectl's go-template).
    Float64,
}

/// Types a JSON number the way Go's decoder in `mode` would.
pub fn go_number(n: &Number, mode: NumberMode) -> GoNumber {
    match (mode, n.as_i64()) {
        (NumberMode::Unstructured, Some(i)) => GoNumber::Int(i),
        _ => GoNumber::Float(n.as_f64().unwrap_or(f64::NAN)),
    }
}

/// The shortest decimal digits of `f` and the position of the decimal point:
/// `f == 0.DIGITS × 10^point`, sign not included.
fn shortest_digits(f: f64) -> (String, i32) {
    digits_of(&format!("{:e}", f.abs()))
}

/// The digits and point of a number in Rust's shortest `{:e}` form (`1.5e3`).
fn digits_of(sci: &str) -> (String, i32) {
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((sci, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent: i32 = exponent.parse().unwrap_or(0);
    (digits, exponent + 1)
}

fn sign(f: f64) -> &'static str {
    if f.is_sign_negative() { "-" } else { "" }
}

/// Go's `strconv.FormatFloat(f, 'e', -1, 64)`: `1e+06`, `1.5e-07`, from `f`'s shortest digits.
fn format_exponent(negative: &str, digits: &str, point: i32) -> String {
    let exp = point - 1;
    let (first, rest) = digits.split_at(1);
    let mut out = format!("{negative}{first}");
    if !rest.is_empty() {
        out.push('.');
        out.push_str(rest);
    }
    let exp_sign = if exp < 0 { '-' } else { '+' };
    let _ = write!(out, "e{exp_sign}{:02}", exp.abs());
    out
}

/// Go's `strconv.FormatFloat(f, 'f', -1, 64)`: shortest digits, never an exponent.
fn format_fixed_shortest(negative: &str, digits: &str, point: i32) -> String {
    let mut out = negative.to_string();
    if point <= 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat(point.unsigned_abs() as usize));
        out.push_str(digits);
    } else {
        let point = point as usize;
        if point >= digits.len() {
            out.push_str(digits);
            out.push_str(&"0".repeat(point - digits.len()));
        } else {
            out.push_str(&digits[..point]);
            out.push('.');
            out.push_str(&digits[point..]);
        }
    }
    out
}

/// `strconv.FormatFloat(f, 'g', -1, bits)` of a finite `f` whose shortest digits are these.
fn format_general(zero: bool, negative: &str, digits: &str, point: i32) -> String {
    let exp = point - 1;
    if !zero && !(-4..6).contains(&exp) {
        format_exponent(negative, digits, point)
    } else {
        format_fixed_shortest(negative, digits, point)
    }
}

/// Go's `fmt.Print` of a `float64` (`%v`): `2`, `2.5`, `1e+06`, `1.5e-05`.
pub fn format_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return format!("{}Inf", if f < 0.0 { '-' } else { '+' });
    }
    let (digits, point) = shortest_digits(f);
    format_general(f == 0.0, sign(f), &digits, point)
}

/// `strconv.FormatFloat(f, 'g', -1, 32)` of a finite `f`: the shortest digits that read back
/// as the same `float32` (`3.1415927`), as go-yaml turns a float map key into text.
pub fn format_float32(f: f64) -> String {
    let single = f as f32;
    let (digits, point) = digits_of(&format!("{:e}", single.abs()));
    format_general(single == 0.0, sign(f), &digits, point)
}

/// `encoding/json`'s text for a `float64`: fixed notation between 1e-6 and 1e21.
pub fn format_json_float(f: f64) -> String {
    let abs = f.abs();
    let (digits, point) = shortest_digits(f);
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let text = format_exponent(sign(f), &digits, point);
        // encoding/json trims `e-07` to `e-7` (but keeps `e+21`).
        match text.split_once("e-0") {
            Some((mantissa, exp)) => format!("{mantissa}e-{exp}"),
            None => text,
        }
    } else {
        format_fixed_shortest(sign(f), &digits, point)
    }
}

/// Go's `%v` of a number.
pub fn format_number(n: GoNumber) -> String {
    match n {
        GoNumber::Int(i) => i.to_string(),
        GoNumber::Float(f) => format_float(f),
    }
}

/// Whether Go's `strconv.IsPrint` holds: letters, marks, numbers, punctuation, symbols and the
/// ASCII space. Rust's std has no general-category tables, so the non-printable classes Go
/// rejects (controls, separators other than U+0020, format characters, private use,
/// non-characters) are listed here.
pub fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{06DD}' | '\u{070F}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
        | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' | '\u{FFFE}' | '\u{FFFF}'
        | '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{10FFFF}' | '\u{E0001}'..='\u{E007F}')
}

/// Go's `strconv.Quote`: a double-quoted string with Go escapes.
pub fn quote(s: &str) -> String {
    quote_with(s, '"', false)
}

/// Go's `strconv.QuoteToASCII`: like [`quote`], with every non-ASCII character escaped too.
pub fn quote_ascii(s: &str) -> String {
    quote_with(s, '"', true)
}

/// Go's `strconv.QuoteRune` (`QuoteRuneToASCII` when `ascii_only`): `'a'`, `'\''`, `'\n'`.
pub fn quote_rune(c: char, ascii_only: bool) -> String {
    let mut out = String::with_capacity(4);
    out.push('\'');
    escape_char(&mut out, c, '\'', ascii_only);
    out.push('\'');
    out
}

/// Go's `strconv.CanBackquote`: whether `s` can be written as a raw string unchanged.
pub fn can_backquote(s: &str) -> bool {
    s.chars()
        .all(|c| c != '`' && c != '\u{7F}' && c != '\u{FEFF}' && (c >= ' ' || c == '\t'))
}

fn quote_with(s: &str, quote: char, ascii_only: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        escape_char(&mut out, c, quote, ascii_only);
    }
    out.push(quote);
    out
}

/// Go's `appendEscapedRune`: one character inside a `quote`-delimited literal.
fn escape_char(out: &mut String, c: char, quote: char, ascii_only: bool) {
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    let printable = is_print(c) && (c.is_ascii() || !ascii_only);
    if printable {
        out.push(c);
        return;
    }
    match c {
        '\u{07}' => out.push_str("\\a"),
        '\u{08}' => out.push_str("\\b"),
        '\u{0C}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{0B}' => out.push_str("\\v"),
        c if (c as u32) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if (c as u32) < 0x10000 => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\U{:08x}", c as u32);
        }
    }
}

/// Map entries in Go's printing order (`fmt` and `encoding/json` both sort keys bytewise).
pub fn sorted_entries(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    entries
}

/// Go's `%v` of a decoded JSON value: `<nil>`, `true`, `2`, `text`, `[a b]`, `map[k:v]`.
pub fn write_value(out: &mut String, value: &Value, mode: NumberMode) {
    match value {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&format_number(go_number(n, mode))),
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_value(out, item, mode);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push_str("map[");
            for (i, (key, item)) in sorted_entries(map).into_iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(key);
                out.push(':');
                write_value(out, item, mode);
            }
            out.push(']');
        }
    }
}

/// [`write_value`] into a new string.
pub fn value_to_string(value: &Value, mode: NumberMode) -> String {
    let mut out = String::new();
    write_value(&mut out, value, mode);
    out
}

/// Go's `%#v` of a decoded JSON value held in an `interface{}`, as kubectl's debugging dumps
/// show it: `map[string]interface {}{"a":1, "b":[]interface {}{true}}`.
pub fn write_go_syntax(out: &mut String, value: &Value, mode: NumberMode) {
    match value {
        Value::Null => out.push_str("interface {}(nil)"),
        Value::String(s) => out.push_str(&quote(s)),
        Value::Array(items) => {
            out.push_str("[]interface {}{");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_go_syntax(out, item, mode);
            }
            out.push('}');
        }
        Value::Object(map) => {
            out.push_str("map[string]interface {}{");
            for (i, (key, item)) in sorted_entries(map).into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&quote(key));
                out.push(':');
                write_go_syntax(out, item, mode);
            }
            out.push('}');
        }
        Value::Bool(_) | Value::Number(_) => write_value(out, value, mode),
    }
}

/// `encoding/json`'s escaping of a string, HTML-safe like `json.Marshal`.
pub fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    // Runs of bytes that need no escape are copied whole.
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !JSON_ATTENTION[usize::from(b)] {
            i += 1;
            continue;
        }
        let (escape, len): (Option<&str>, usize) = match b {
            b'"' => (Some("\\\""), 1),
            b'\\' => (Some("\\\\"), 1),
            b'\n' => (Some("\\n"), 1),
            b'\r' => (Some("\\r"), 1),
            b'\t' => (Some("\\t"), 1),
            0x08 => (Some("\\b"), 1),
            0x0c => (Some("\\f"), 1),
            // U+2028 and U+2029, which end a line in JavaScript.
            0xe2 if matches!(bytes.get(i + 1..i + 3), Some([0x80, 0xa8 | 0xa9])) => (None, 3),
            0xe2 => {
                i += 1;
                continue;
            }
            // `<`, `>`, `&` and the other control characters.
            _ => (None, 1),
        };
        out.push_str(&s[copied..i]);
        match escape {
            Some(escape) => out.push_str(escape),
            None => {
                let c = s[i..].chars().next().map_or(0, u32::from);
                let _ = write!(out, "\\u{c:04x}");
            }
        }
        i += len;
        copied = i;
    }
    out.push_str(&s[copied..]);
    out.push('"');
}

/// The bytes [`write_json_string`] looks at twice: those it escapes, and 0xE2, the first
/// byte of U+2028 and U+2029 (and of other characters, which it copies).
const JSON_ATTENTION: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table[b'<' as usize] = true;
    table[b'>' as usize] = true;
    table[b'&' as usize] = true;
    table[0xe2] = true;
    table
};

/// Appends `encoding/json`'s text for a number decoded in `mode`.
fn write_json_number(out: &mut String, n: &Number, mode: NumberMode) {
    match go_number(n, mode) {
        GoNumber::Int(i) => {
            let _ = write!(out, "{i}");
        }
        GoNumber::Float(f) => out.push_str(&format_json_float(f)),
    }
}

/// `json.Marshal` (no indent) or `json.MarshalIndent(v, "", indent)` of a decoded value:
/// keys sorted, HTML characters escaped, Go's number texts.
pub fn write_json(out: &mut String, value: &Value, indent: Option<&str>, mode: NumberMode) {
    write_json_at(out, value, indent, mode, 0);
}

/// [`write_json`] for a value nested `depth` levels deep in an indented document.
pub fn write_json_at(
    out: &mut String,
    value: &Value,
    indent: Option<&str>,
    mode: NumberMode,
    depth: usize,
) {
    write_node_json(out, &mut Node::from(value), indent, mode, depth);
}

/// [`write_json_at`] of a [`Node`], whose objects' fields are sorted on the way (Go's maps).
pub fn write_node_json(
    out: &mut String,
    node: &mut Node<'_>,
    indent: Option<&str>,
    mode: NumberMode,
    depth: usize,
) {
    write_node(out, node, indent, mode, depth, KeyOrder::Sorted);
}

/// `json.MarshalIndent` of a Go struct: [`write_node_json`] with every object's fields in the
/// order `node` has them (a struct's declaration order; maps must come sorted already).
pub fn write_struct_json(out: &mut String, node: &mut Node<'_>, indent: &str) {
    write_node(
        out,
        node,
        Some(indent),
        NumberMode::Unstructured,
        0,
        KeyOrder::AsGiven,
    );
}

/// The order an object's fields are written in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyOrder {
    /// By their bytes, as Go writes a map.
    Sorted,
    /// As they come, as Go writes a struct.
    AsGiven,
}

fn write_node(
    out: &mut String,
    node: &mut Node<'_>,
    indent: Option<&str>,
    mode: NumberMode,
    depth: usize,
    order: KeyOrder,
) {
    match node {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Number(n) => write_json_number(out, n, mode),
        Node::String(s) => write_json_string(out, s),
        Node::Array(items) if items.is_empty() => out.push_str("[]"),
        Node::Array(items) => {
            out.push('[');
            for (i, item) in items.iter_mut().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                write_node(out, item, indent, mode, depth + 1, order);
            }
            newline(out, indent, depth);
            out.push(']');
        }
        Node::Object(fields) if fields.is_empty() => out.push_str("{}"),
        Node::Object(fields) => {
            if order == KeyOrder::Sorted {
                sort_fields(fields, str::cmp);
            }
            out.push('{');
            for (i, (key, item)) in fields.iter_mut().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                write_json_string(out, key);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_node(out, item, indent, mode, depth + 1, order);
            }
            newline(out, indent, depth);
            out.push('}');
        }
    }
}

fn newline(out: &mut String, indent: Option<&str>, depth: usize) {
    let Some(indent) = indent else {
        return;
    };
    out.push('\n');
    if indent.bytes().all(|b| b == b' ') {
        super::push_spaces(out, indent.len() * depth);
    } else {
        for _ in 0..depth {
            out.push_str(indent);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn floats_print_like_go_fmt() {
        let cases = [
            (2.0, "2"),
            (2.5, "2.5"),
            (0.0, "0"),
            (-0.0, "-0"),
            (100000.0, "100000"),
            (1_000_000.0, "1e+06"),
            (1_234_567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-1.5e-7, "-1.5e-07"),
            (1e21, "1e+21"),
            (1e100, "1e+100"),
        ];
        for (f, want) in cases {
            assert_eq!(format_float(f), want, "{f}");
        }
    }

    #[test]
    fn float32s_format_like_strconv() {
        let cases = [
            (std::f64::consts::PI, "3.1415927"),
            (0.1, "0.1"),
            (1000.0, "1000"),
            (1e6, "1e+06"),
            (1e-5, "1e-05"),
            (-2.5, "-2.5"),
            (0.0, "0"),
        ];
        for (f, want) in cases {
            assert_eq!(format_float32(f), want, "{f}");
        }
    }

    #[test]
    fn floats_in_json_like_encoding_json() {
        let cases = [
            (2.0, "2"),
            (1_000_000.0, "1000000"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1.5e-7, "1.5e-7"),
            (0.000001, "0.000001"),
            (-2.5, "-2.5"),
        ];
        for (f, want) in cases {
            assert_eq!(format_json_float(f), want, "{f}");
        }
    }

    #[test]
    fn numbers_follow_the_decoding_mode() {
        let n: Number = serde_json::from_str("3").expect("number");
        assert_eq!(go_number(&n, NumberMode::Unstructured), GoNumber::Int(3));
        assert_eq!(go_number(&n, NumberMode::Float64), GoNumber::Float(3.0));
        let big: Number = serde_json::from_str("18446744073709551615").expect("number");
        let mut text = String::new();
        write_json_number(&mut text, &big, NumberMode::Unstructured);
        assert_eq!(text, "18446744073709552000");
    }

    #[test]
    fn quote_uses_go_escapes() {
        assert_eq!(quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(
            quote("\u{8}\u{c}\u{1}\u{2028}é\t"),
            r#""\b\f\x01\u2028é\t""#
        );
        assert_eq!(quote("\u{7f}"), r#""\x7f""#);
        assert_eq!(quote("\u{F0000}"), r#""\U000f0000""#);
    }

    #[test]
    fn ascii_quotes_runes_and_backquotes_like_strconv() {
        assert_eq!(quote_ascii("é\u{7}"), r#""\u00e9\a""#);
        assert_eq!(quote_rune('\'', false), r"'\''");
        assert_eq!(quote_rune('"', false), r#"'"'"#);
        assert_eq!(quote_rune('é', false), "'é'");
        assert_eq!(quote_rune('é', true), r"'\u00e9'");
        assert!(can_backquote("a\tb é"));
        assert!(!can_backquote("a`b"));
        assert!(!can_backquote("a\nb"));
        assert!(!can_backquote("\u{FEFF}"));
    }

    #[test]
    fn percent_v_prints_maps_and_slices_like_go() {
        let v = json!({"b": [1, "x", null], "a": {"z": true, "c": 1.5}});
        assert_eq!(
            value_to_string(&v, NumberMode::Unstructured),
            "map[a:map[c:1.5 z:true] b:[1 x <nil>]]"
        );
        assert_eq!(
            value_to_string(&json!(1000000), NumberMode::Float64),
            "1e+06"
        );
    }

    #[test]
    fn go_syntax_matches_kubectl_debug_dump() {
        let v = json!({"b": null, "a": [1, 2.5, "x\u{1}"], "m": {}});
        let mut out = String::new();
        write_go_syntax(&mut out, &v, NumberMode::Unstructured);
        assert_eq!(
            out,
            r#"map[string]interface {}{"a":[]interface {}{1, 2.5, "x\x01"}, "b":interface {}(nil), "m":map[string]interface {}{}}"#
        );
    }

    #[test]
    fn json_is_compact_sorted_and_html_safe() {
        let v = json!({"z": 1, "a": "<b>&\u{2028}\u{8}\u{1b}", "e": [], "o": {}, "f": 1.0});
        let mut out = String::new();
        write_json(&mut out, &v, None, NumberMode::Unstructured);
        assert_eq!(
            out,
            r#"{"a":"\u003cb\u003e\u0026\u2028\b\u001b","e":[],"f":1,"o":{},"z":1}"#
        );
    }

    #[test]
    fn json_indent_matches_marshal_indent() {
        let v = json!({"a": [true, {"b": null}], "c": []});
        let mut out = String::new();
        write_json(&mut out, &v, Some("    "), NumberMode::Unstructured);
        assert_eq!(
            out,
            "{\n    \"a\": [\n        true,\n        {\n            \"b\": null\n        }\n    ],\n    \"c\": []\n}"
        );
    }
}
