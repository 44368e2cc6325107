//! Values as kube-apiserver's Go code writes them: `strconv.Quote`, `encoding/json`'s
//! HTML-safe escaping and the text of an object, and `fmt`'s `%+v` of a decoded map. The
//! validation messages, the last-applied annotation and the controllers' hashes use them.

use std::fmt::Write;

use serde_json::Value;

/// `strconv.Quote`: double quotes, Go escapes for quotes, backslashes and control characters.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if u32::from(c) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `json.Marshal` of an object: keys in order, `<`, `>`, `&`, U+2028 and U+2029 escaped.
pub fn json(value: &Value) -> String {
    html_safe(&value.to_string())
}

/// `encoding/json`'s HTML-safe escaping of JSON text: `<`, `>`, `&`, U+2028 and U+2029 as
/// `\u` escapes. They only occur inside strings, where the escapes mean the same.
pub fn html_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// `fmt.Sprintf("%+v", m)` of a JSON document decoded into `map[string]interface{}`:
/// `map[data:map[a:1] list:[x y]]`.
pub fn go_value(value: &Value) -> String {
    let mut out = String::new();
    write_go_value(value, &mut out);
    out
}

fn write_go_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_go_value(item, out);
            }
            out.push(']');
        }
        Value::Object(fields) => {
            out.push_str("map[");
            for (i, (key, item)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(key);
                out.push(':');
                write_go_value(item, out);
            }
            out.push(']');
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn quotes_like_strconv() {
        assert_eq!(quote("spec.foo"), r#""spec.foo""#);
        assert_eq!(quote("a\"b\\c\nd\u{1}é"), r#""a\"b\\c\nd\x01é""#);
    }

    #[test]
    fn marshals_like_encoding_json() {
        assert_eq!(
            json(&json!({"b": "<&>", "a": 1})),
            r#"{"a":1,"b":"\u003c\u0026\u003e"}"#
        );
    }

    #[test]
    fn prints_maps_like_fmt() {
        assert_eq!(
            go_value(&json!({"spec": {"foo": 1, "list": ["x", true, null]}, "a": "s"})),
            "map[a:s spec:map[foo:1 list:[x true <nil>]]]"
        );
    }
}
