//! JSON values as YAML, byte for byte as kubectl writes them (sigs.k8s.io/yaml, i.e. go-yaml
//! v2): sorted keys, `- ` items at their parent's indentation, and go-yaml's choice of scalar
//! style — plain when the text reads back as the same string, single quotes when plain text
//! would be misread (`'a: [b]'`), double quotes for what would resolve to another type
//! (`"1"`, `"true"`, `""`, timestamps) or holds non-printable characters, literal blocks
//! (`|`, `|-`, `|+`) for multi-line text.
//!
//! Everything is written straight into one `String` the caller may reuse: no text per node,
//! and the common plain scalar (a key, a name, a label) is copied without further analysis.

mod emitter;
mod key_order;

use std::borrow::Cow;
use std::fmt::Write as _;

use serde_json::Value;

use self::emitter::Scalar;
use super::gofmt::{self, GoNumber, NumberMode};
use super::node::{Fields, Node, sort_fields};

/// One document, ending with a newline.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write_document(&mut out, &mut Node::from(value));
    out
}

/// Appends one document to `out`, ending with a newline; the objects' fields are sorted on
/// the way.
pub fn write_document(out: &mut String, node: &mut Node<'_>) {
    match node {
        Node::Object(fields) if !fields.is_empty() => write_map(out, fields, 0),
        Node::Array(items) if !items.is_empty() => write_seq(out, items, 0),
        scalar => {
            if !write_scalar(out, scalar, 0, false) {
                out.push('\n');
            }
        }
    }
}

/// Appends `node` as one item of a top-level sequence (`- ` before it, its lines two spaces
/// in), as the items of a List are written under `items:`; fields are sorted on the way.
pub fn write_list_item(out: &mut String, node: &mut Node<'_>) {
    out.push('-');
    write_value(out, node, 0, false);
}

fn pad(out: &mut String, indent: usize) {
    super::push_spaces(out, indent);
}

fn write_map(out: &mut String, fields: &mut Fields<'_>, indent: usize) {
    sort_fields(fields, key_order::compare);
    for (i, (key, value)) in fields.iter_mut().enumerate() {
        // The first key of a list item follows its `- `.
        if i > 0 {
            pad(out, indent);
        }
        if is_simple_key(key) {
            write_string(out, key, true, indent);
            out.push(':');
            write_value(out, value, indent, true);
        } else {
            // go-yaml's complex key: `? key`, then `: value` on a line of its own.
            out.push_str("? ");
            if !write_string(out, key, false, indent) {
                out.push('\n');
            }
            pad(out, indent);
            out.push(':');
            write_value(out, value, indent, false);
        }
    }
}

/// go-yaml writes a key as `key:` when it is at most 128 bytes on one line.
fn is_simple_key(key: &str) -> bool {
    key.len() <= 128 && !key.contains(emitter::is_break)
}

fn write_seq(out: &mut String, items: &mut [Node<'_>], indent: usize) {
    for (i, item) in items.iter_mut().enumerate() {
        if i > 0 {
            pad(out, indent);
        }
        out.push('-');
        write_value(out, item, indent, false);
    }
}

/// A value after `key:` (`in_map`) or `-`, at the parent's `indent`.
fn write_value(out: &mut String, value: &mut Node<'_>, indent: usize, in_map: bool) {
    match value {
        Node::Object(fields) if !fields.is_empty() => {
            if in_map {
                out.push('\n');
                pad(out, indent + 2);
            } else {
                out.push(' ');
            }
            write_map(out, fields, indent + 2);
        }
        Node::Array(items) if !items.is_empty() => {
            if in_map {
                // Sequences in mappings are not indented.
                out.push('\n');
                pad(out, indent);
                write_seq(out, items, indent);
            } else {
                out.push(' ');
                write_seq(out, items, indent + 2);
            }
        }
        scalar => {
            out.push(' ');
            if !write_scalar(out, scalar, indent, false) {
                out.push('\n');
            }
        }
    }
}

/// Appends a scalar (or an empty `{}` or `[]`); says whether it ended with a line break.
fn write_scalar(out: &mut String, value: &Node<'_>, indent: usize, key: bool) -> bool {
    match value {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Number(n) => write_number(out, n),
        Node::String(s) => return write_string(out, s, key, indent),
        Node::Object(_) => out.push_str("{}"),
        Node::Array(_) => out.push_str("[]"),
    }
    false
}

/// A number as kubectl's YAML has it: the object is written as JSON (an int64 as digits, a
/// float64 in encoding/json's form), which go-yaml reads back — as an integer if that text
/// fits an int64 or uint64, else as a float — and writes with `strconv.FormatFloat(f, 'g',
/// -1, 64)`: `1e+20`, `1.23456789125e+08`, `0.5`.
fn write_number(out: &mut String, n: &serde_json::Number) {
    match gofmt::go_number(n, NumberMode::Unstructured) {
        GoNumber::Int(i) => {
            // Writing into a String cannot fail.
            let _ = write!(out, "{i}");
        }
        GoNumber::Float(f) => {
            let json = gofmt::format_json_float(f);
            if json.parse::<i64>().is_ok() || json.parse::<u64>().is_ok() {
                out.push_str(&json);
            } else {
                out.push_str(&gofmt::format_float(f));
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// The words go-yaml reads as something other than a string (null, bools, special floats,
/// the merge key).
const SPECIAL: &[&str] = &[
    "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
    "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
    ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf",
    "-.INF", "<<",
];

/// Text go-yaml writes plain without a second look: an ASCII letter, then printable ASCII
/// without blanks, not ending in `:`, and not one of the special words. (A leading letter
/// rules out numbers, timestamps and every indicator that counts only at the start; without
/// blanks, `: ` and ` #` cannot occur.)
fn obviously_plain(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes.first().is_some_and(u8::is_ascii_alphabetic)
        && bytes.last() != Some(&b':')
        && bytes.iter().all(|b| matches!(b, b'!'..=b'~'))
        && !is_special(s)
}

/// One of the words go-yaml reads as something other than a string.
fn is_special(s: &str) -> bool {
    // The longest is five bytes, and few words start as one of them does: most keys and
    // values are ruled out before any comparison.
    s.len() <= 5
        && s.as_bytes().first().is_none_or(|b| {
            matches!(
                b,
                b'~' | b'n'
                    | b'N'
                    | b'y'
                    | b'Y'
                    | b't'
                    | b'T'
                    | b'f'
                    | b'F'
                    | b'o'
                    | b'O'
                    | b'.'
                    | b'+'
                    | b'-'
                    | b'<'
            )
        })
        && SPECIAL.contains(&s)
}

/// A string scalar in go-yaml's style; `indent` is the indentation of the key or `-` it
/// belongs to (for literal blocks).
#[cfg(test)]
fn scalar_string(s: &str, key: bool, indent: usize) -> String {
    let mut out = String::new();
    write_string(&mut out, s, key, indent);
    out
}

/// Appends a string scalar in go-yaml's style (see `scalar_string`); says whether it ended
/// with a line break.
fn write_string(out: &mut String, s: &str, key: bool, indent: usize) -> bool {
    if obviously_plain(s) {
        out.push_str(s);
        false
    } else {
        write_analysed(out, s, key, indent)
    }
}

/// A string scalar styled after go-yaml's full analysis, folded and indented as go-yaml's
/// emitter writes it (nothing is folded in a key).
fn write_analysed(out: &mut String, s: &str, key: bool, indent: usize) -> bool {
    let s = &*folded_next_lines(s);
    let scalar = Scalar::new(out, s, indent, !key);
    if !reads_back_as_string(s) {
        // Nothing overrides double quotes.
        return scalar.double_quoted(s);
    }
    let requested = if s.contains('\n') {
        Style::Literal
    } else {
        Style::Plain
    };
    let analysis = Analysis::of(s);
    let mut style = requested;
    if style == Style::Plain && (!analysis.block_plain_allowed || (s.is_empty() && key)) {
        style = Style::Single;
    }
    if style == Style::Single && !analysis.single_quoted_allowed {
        style = Style::Double;
    }
    if style == Style::Literal && (!analysis.block_allowed || key) {
        style = Style::Double;
    }
    match style {
        Style::Plain => scalar.plain(s),
        Style::Single => scalar.single_quoted(s),
        Style::Double => scalar.double_quoted(s),
        Style::Literal => scalar.literal(s),
    }
}

/// A string as kubectl's YAML printer has it. kubectl writes the object as JSON and reads
/// that back with go-yaml, where a raw U+0085 (which encoding/json does not escape) is a line
/// break inside a double-quoted scalar, and is folded: one break becomes a space, `n` breaks
/// `n - 1` newlines, and the spaces around them are dropped.
fn folded_next_lines(s: &str) -> Cow<'_, str> {
    const NEXT_LINE: char = '\u{85}';
    if !s.contains(NEXT_LINE) {
        return Cow::Borrowed(s);
    }
    let mut folded = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find(NEXT_LINE) {
        folded.push_str(rest[..at].trim_end_matches(' '));
        let mut breaks = 0;
        rest = &rest[at..];
        while let Some(after) = rest.trim_start_matches(' ').strip_prefix(NEXT_LINE) {
            breaks += 1;
            rest = after;
        }
        rest = rest.trim_start_matches(' ');
        if breaks == 1 {
            folded.push(' ');
        } else {
            folded.extend(std::iter::repeat_n('\n', breaks - 1));
        }
    }
    folded.push_str(rest);
    Cow::Owned(folded)
}

/// go-yaml's `resolve`: whether the text, written plain, would read back as this string
/// (and not as null, a bool, a number, a timestamp or a base-60 float).
fn reads_back_as_string(s: &str) -> bool {
    if is_special(s) {
        return false;
    }
    let Some(first) = s.chars().next() else {
        return false;
    };
    match first {
        '0'..='9' => !(is_timestamp(s) || is_number(s) || is_base60_float(s)),
        '-' | '+' => !(is_number(s) || is_base60_float(s)),
        '.' => !is_yaml_float(s),
        _ => true,
    }
}

/// An int (decimal, 0x, 0o/0 octal, 0b, with `_`) or a YAML-style float.
fn is_number(s: &str) -> bool {
    let plain: Cow<str> = if s.contains('_') {
        Cow::Owned(s.replace('_', ""))
    } else {
        Cow::Borrowed(s)
    };
    let unsigned = plain.trim_start_matches(['-', '+']);
    if plain.len() - unsigned.len() > 1 {
        return false;
    }
    let radix = |prefix: &[&str], radix: u32| {
        prefix
            .iter()
            .find_map(|p| unsigned.strip_prefix(p))
            .is_some_and(|digits| !digits.is_empty() && u64::from_str_radix(digits, radix).is_ok())
    };
    if radix(&["0x", "0X"], 16) || radix(&["0b", "0B"], 2) || radix(&["0o", "0O"], 8) {
        return true;
    }
    if !unsigned.is_empty() && unsigned.chars().all(|c| c.is_ascii_digit()) {
        // Go's ParseInt with base 0 reads a leading 0 as octal.
        return !(unsigned.len() > 1 && unsigned.starts_with('0'))
            || u64::from_str_radix(&unsigned[1..], 8).is_ok();
    }
    is_yaml_float(&plain)
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let digits = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", fraction)) => digits(fraction),
        Some((whole, fraction)) => digits(whole) && fraction.chars().all(|c| c.is_ascii_digit()),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`
fn is_base60_float(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (s, fraction) = match s.split_once('.') {
        Some((s, f)) => (s, Some(f)),
        None => (s, None),
    };
    if fraction.is_some_and(|f| !f.chars().all(|c| c.is_ascii_digit() || c == '_')) {
        return false;
    }
    let mut parts = s.split(':');
    let first = parts.next().unwrap_or_default();
    let first_ok = first.starts_with(|c: char| c.is_ascii_digit())
        && first.chars().all(|c| c.is_ascii_digit() || c == '_');
    let rest: Vec<&str> = parts.collect();
    first_ok
        && !rest.is_empty()
        && rest.iter().all(|p| {
            matches!(p.len(), 1 | 2)
                && p.chars().all(|c| c.is_ascii_digit())
                && (p.len() == 1 || p.as_bytes()[0] <= b'5')
        })
}

/// go-yaml's timestamp forms: `2006-1-2`, `2006-1-2T15:4:5.999999999Z07:00` (also with `t`
/// or a space and without a zone).
fn is_timestamp(s: &str) -> bool {
    let year_end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if year_end != 4 || !s[4..].starts_with('-') {
        return false;
    }
    let (date, time) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mut date_parts = date.split('-').skip(1);
    let (month, day) = (date_parts.next(), date_parts.next());
    let number = |t: &str, max_len: usize| {
        !t.is_empty() && t.len() <= max_len && t.chars().all(|c| c.is_ascii_digit())
    };
    let date_ok = month.is_some_and(|m| number(m, 2))
        && day.is_some_and(|d| number(d, 2))
        && date_parts.next().is_none();
    if !date_ok {
        return false;
    }
    let Some(time) = time else {
        return true;
    };
    let (clock, zone) = match time.find(['Z', '+', '-']) {
        Some(i) => (&time[..i], Some(&time[i..])),
        None => (time, None),
    };
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, f)) => (hms, Some(f)),
        None => (clock, None),
    };
    let hms_ok = hms.split(':').count() == 3 && hms.split(':').all(|p| number(p, 2));
    let zone_ok = zone.is_none_or(|z| {
        z == "Z" || {
            let (h, m) = z[1..].split_once(':').unwrap_or(("", ""));
            number(h, 2) && number(m, 2)
        }
    });
    hms_ok && fraction.is_none_or(|f| number(f, 9)) && zone_ok
}

/// What go-yaml's `yaml_emitter_analyze_scalar` allows for a string (unicode output on).
struct Analysis {
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

impl Analysis {
    fn of(s: &str) -> Analysis {
        if s.is_empty() {
            return Analysis {
                block_plain_allowed: true,
                single_quoted_allowed: true,
                block_allowed: false,
            };
        }
        let blank = |c: Option<char>| c.is_none_or(|c| matches!(c, ' ' | '\t' | '\n' | '\r'));
        let mut block_indicators = s.starts_with("---") || s.starts_with("...");
        let (mut leading_space, mut leading_break) = (false, false);
        let (mut trailing_space, mut trailing_break) = (false, false);
        let (mut break_space, mut space_break, mut special) = (false, false, false);
        let (mut previous_space, mut previous_break) = (false, false);
        let mut line_breaks = false;
        let mut preceded_by_whitespace = true;
        let mut chars = s.chars().peekable();
        let mut first = true;
        while let Some(c) = chars.next() {
            let next = chars.peek().copied();
            let is_last = next.is_none();
            let followed_by_whitespace = blank(next);
            if first {
                match c {
                    '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\''
                    | '"' | '%' | '@' | '`' => block_indicators = true,
                    '?' | ':' | '-' if followed_by_whitespace => block_indicators = true,
                    _ => {}
                }
            } else {
                match c {
                    ':' if followed_by_whitespace => block_indicators = true,
                    '#' if preceded_by_whitespace => block_indicators = true,
                    _ => {}
                }
            }
            if !is_printable(c) {
                special = true;
            }
            if c == ' ' {
                leading_space |= first;
                trailing_space |= is_last;
                break_space |= previous_break;
                previous_space = true;
                previous_break = false;
            } else if matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}') {
                line_breaks = true;
                leading_break |= first;
                trailing_break |= is_last;
                space_break |= previous_space;
                previous_break = true;
                previous_space = false;
            } else {
                previous_space = false;
                previous_break = false;
            }
            preceded_by_whitespace = matches!(c, ' ' | '\t' | '\n' | '\r');
            first = false;
        }
        let mut analysis = Analysis {
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: true,
        };
        if leading_space || leading_break || trailing_space || trailing_break {
            analysis.block_plain_allowed = false;
        }
        if trailing_space {
            analysis.block_allowed = false;
        }
        if break_space {
            analysis.block_plain_allowed = false;
            analysis.single_quoted_allowed = false;
        }
        if space_break || special {
            analysis.block_plain_allowed = false;
            analysis.single_quoted_allowed = false;
            analysis.block_allowed = false;
        }
        if line_breaks || block_indicators {
            analysis.block_plain_allowed = false;
        }
        analysis
    }
}

/// go-yaml's `is_printable`, which (unlike the YAML spec) leaves out U+0085 and everything
/// past U+FFFF: an emoji is written `"\U0001F680"`, as kubectl writes it.
fn is_printable(c: char) -> bool {
    matches!(c, '\n' | '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
        && c != '\u{feff}'
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_are_styled_like_go_yaml() {
        let cases = [
            (
                "containers with unready status: [redis]",
                "'containers with unready status: [redis]'",
            ),
            ("127.0.0.1", "127.0.0.1"),
            ("2026-11-22T03:51:16Z", "\"2026-11-22T03:51:16Z\""),
            ("1", "\"1\""),
            ("0755", "\"0755\""),
            ("1.5", "\"1.5\""),
            ("1e3", "\"1e3\""),
            ("true", "\"true\""),
            ("on", "\"on\""),
            ("", "\"\""),
            ("50m", "50m"),
            ("25%", "25%"),
            ("*/30 * * * *", "'*/30 * * * *'"),
            ("it's", "it's"),
            ("- x", "'- x'"),
            ("a #b", "'a #b'"),
            ("a\tb", "\"a\\tb\""),
            (" lead", "' lead'"),
            ("1:20", "\"1:20\""),
            ("80:31208/TCP", "80:31208/TCP"),
            ("http://cart", "http://cart"),
            ("f:metadata", "f:metadata"),
            ("k:{\"type\":\"Ready\"}", "k:{\"type\":\"Ready\"}"),
            (".", "."),
            ("~", "\"~\""),
        ];
        for (text, expected) in cases {
            assert_eq!(scalar_string(text, false, 0), expected, "{text:?}");
        }
    }

    #[test]
    fn long_scalars_fold_at_a_space_past_80_columns_as_kubectl_folds_them() {
        // kubectl v1.32's -o yaml of a ConfigMap with these values.
        let words = |n: usize| vec!["word"; n].join(" ");
        let doc = json!({"data": {
            "plain": words(22),
            "single": format!("[x] {}", words(21)),
            "dq": format!("1 {}\t", words(21)),
        }});
        assert_eq!(
            to_string(&doc),
            format!(
                "data:\n  dq: \"1 {}\n    {}\\t\"\n  plain: {}\n    {}\n  single: '[x] {}\n    {}'\n",
                words(15),
                words(6),
                words(15),
                words(7),
                words(14),
                words(7),
            )
        );
        // Keys are not folded; a key past 128 bytes is a complex key.
        let key = "k".repeat(129);
        assert_eq!(
            to_string(&json!({&key: "v", "a": [1]})),
            format!("a:\n- 1\n? {key}\n: v\n")
        );
    }

    #[test]
    fn line_breaks_inside_scalars_are_indented_or_folded_like_go_yaml() {
        // U+2028 breaks the line: what follows is indented. U+0085 is folded as go-yaml
        // reads it back from JSON: one a space, two (spaces around them dropped) a newline.
        let doc = json!({"a": {"s": "line\u{2028}next", "x": "c\u{85}d  \u{85} \u{85}e"}});
        assert_eq!(
            to_string(&doc),
            "a:\n  s: 'line\u{2028}    next'\n  x: |-\n    c d\n    e\n"
        );
    }

    /// Strings that exercise the folding: words of every length at every column, runs of
    /// spaces where a line would end, quotes, escapes and line breaks among them.
    fn awkward_long_strings() -> Vec<String> {
        let mut strings = Vec::new();
        for width in 1..12 {
            let word = "w".repeat(width);
            for count in [10, 30, 60] {
                let words = vec![word.as_str(); count];
                strings.push(words.join(" "));
                strings.push(words.join("  "));
                strings.push(format!("[{}]", words.join(" ")));
                strings.push(format!("1 {}\t", words.join("   ")));
                strings.push(format!("{} it's \u{2028} é 🚀 \\ \"q\"", words.join(" ")));
                strings.push(format!(
                    "{}\nnext line {}\n",
                    words.join(" "),
                    words.join(" ")
                ));
            }
        }
        strings
    }

    #[test]
    fn what_is_written_reads_back_as_the_same_value() {
        let mut documents: Vec<Value> = crate::print::recorded_json_responses()
            .into_iter()
            .map(|(_, _, value)| value)
            .collect();
        let strings = awkward_long_strings();
        documents.push(json!({
            "top": strings,
            "nested": {"deeper": {"items": [{"message": strings[40], "list": [strings[41], [strings[42]]]}]}},
            "k".repeat(200): "a long key",
        }));
        for document in &documents {
            let text = to_string(document);
            let read: Value =
                crate::yaml::from_str(&text).unwrap_or_else(|err| panic!("{err}\n{text}"));
            assert_eq!(&read, document, "{text}");
        }
    }

    #[test]
    fn every_special_word_passes_the_first_byte_filter() {
        for word in SPECIAL {
            assert!(is_special(word), "{word:?}");
        }
        for word in ["name", "nulls", "Y2", "<", "-", "truth"] {
            assert!(!is_special(word), "{word:?}");
        }
    }

    /// Every string of a recorded response, keys and values.
    fn strings_of<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
        match value {
            Value::String(s) => found.push(s),
            Value::Array(items) => items.iter().for_each(|v| strings_of(v, found)),
            Value::Object(map) => {
                for (k, v) in map {
                    found.push(k);
                    strings_of(v, found);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn the_plain_shortcut_agrees_with_the_full_analysis() {
        let mut checked = 0;
        for (_, _, value) in crate::print::recorded_json_responses() {
            let mut found = Vec::new();
            strings_of(&value, &mut found);
            let extra = [
                "a:", "yes", "No", "ab:c", "it's", "a#b", "x!", "OFF", "onion",
            ];
            for s in found.into_iter().chain(extra) {
                for key in [false, true] {
                    let mut analysed = String::new();
                    write_analysed(&mut analysed, s, key, 0);
                    if obviously_plain(s) {
                        assert_eq!(analysed, s, "{s:?} is not plain");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 1000, "only {checked} plain strings checked");
    }

    #[test]
    fn documents_nest_like_kubectl() {
        let doc = json!({
            "a": {"b": [{"c": 1, "d": ["x", "y"]}, {}], "e": {}},
            "f": [],
            "g": "line1\nline2\n",
            "h": "no newline\nat end",
            "i": 0.5,
            "j": null,
        });
        assert_eq!(
            to_string(&doc),
            "a:\n  b:\n  - c: 1\n    d:\n    - x\n    - \"y\"\n  - {}\n  e: {}\nf: []\ng: |\n  line1\n  line2\nh: |-\n  no newline\n  at end\ni: 0.5\nj: null\n"
        );
    }

    #[test]
    fn list_items_are_documents_moved_two_spaces_in() {
        let doc = json!({
            "a": [{"b": "one\n\ntwo\n", "c": [[1, 2], []]}],
            "d": {"e": " lead\nx"},
        });
        let mut expected = String::new();
        for (i, line) in to_string(&doc).lines().enumerate() {
            match (i, line.is_empty()) {
                (0, _) => expected.push_str("- "),
                (_, false) => expected.push_str("  "),
                (_, true) => {}
            }
            expected.push_str(line);
            expected.push('\n');
        }
        let mut item = String::new();
        write_list_item(&mut item, &mut Node::from(&doc));
        assert_eq!(item, expected);
        assert!(item.contains("\n\n"), "{item}");
    }

    #[test]
    fn the_recorded_deployment_prints_byte_for_byte() {
        let path = format!(
            "{}/tests/fixtures/kubectl/get-deploy-json.txt",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).expect("fixture");
        let json = text
            .split_once("# --- stdout\n")
            .and_then(|(_, rest)| rest.split_once("# --- stderr"))
            .expect("stdout")
            .0;
        let yaml_path = format!(
            "{}/tests/fixtures/kubectl/get-deploy-yaml.txt",
            env!("CARGO_MANIFEST_DIR")
        );
        let yaml_text = std::fs::read_to_string(yaml_path).expect("fixture");
        let expected = yaml_text
            .split_once("# --- stdout\n")
            .and_then(|(_, rest)| rest.split_once("# --- stderr"))
            .expect("stdout")
            .0;
        let value: Value = serde_json::from_str(json).expect("json");
        assert_eq!(to_string(&value), expected);
    }
}
