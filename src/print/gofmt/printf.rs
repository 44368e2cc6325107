//! Go's `fmt.Sprintf`, `fmt.Sprint` and `fmt.Sprintln` for the values a decoded JSON document
//! holds (nil, bool, `int`/`int64`, `float64`, string, `[]interface{}`,
//! `map[string]interface{}`), as kubectl's go-template `printf`, `print` and `println` run them.
//!
//! Verbs `%v %T %t %d %b %o %O %x %X %c %q %U %e %E %f %F %g %G %s %%`, the flags `+ - # 0` and
//! space, widths and precisions, also taken from an argument (`%*d`, `%.*f`). Lists and maps
//! apply the verb to each member, padding each one. Mistakes print Go's texts: `%!d(string=x)`,
//! `%!d(MISSING)`, `%!(EXTRA int=1)`, `%!(NOVERB)`, `%!(BADWIDTH)`, `%!(BADPREC)`.
//!
//! Widths and precisions are bounded the way Go bounds them, so a template cannot make kz
//! allocate without limit: a number in the format that is still growing past 1e6 is given up
//! on together with the rest of the format (`%!(NOVERB)`, so at most an 8-digit width like
//! `%10000009d` is used), and a `*` argument beyond ±1e6 is `%!(BADWIDTH)` or `%!(BADPREC)`.
//!
//! A list or map pads every member, and one call's result can be the next one's argument, so
//! the text a call makes is bounded too: past [`MAX_OUTPUT`] the call fails with [`TooLong`]
//! (Go has no such limit, and runs out of memory instead).
//!
//! Not supported: hexadecimal and binary floats (`%x`, `%X`, `%b` of a float print as a wrong
//! verb), argument indexes (`%[2]d`), `%p`, trailing zeros kept by `%#g`, and widths in `%#v`
//! of lists and maps.

use std::fmt::{self, Write as _};

use serde_json::{Map, Value};

use super::{GoNumber, NumberMode};

/// A width or precision above this is an error (Go's `tooLarge`).
const MAX_NUMBER: usize = 1_000_000;

/// The longest text one call makes: 64 MiB, six times the widest single verb.
pub const MAX_OUTPUT: usize = 64 << 20;

/// A call whose text would be longer than [`MAX_OUTPUT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLong;

impl fmt::Display for TooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the text is longer than kz's limit of {} MiB",
            MAX_OUTPUT >> 20
        )
    }
}

impl std::error::Error for TooLong {}

/// `out`, unless it has grown past [`MAX_OUTPUT`].
fn bounded(out: String) -> Result<String, TooLong> {
    if out.len() > MAX_OUTPUT {
        Err(TooLong)
    } else {
        Ok(out)
    }
}

/// A value handed to Go's `fmt` in an `interface{}`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Arg<'a> {
    Nil,
    /// A part of an unstructured object: integers are `int64`, other numbers `float64`.
    Json(&'a Value),
    Str(&'a str),
    /// A Go `int` (a template's integer constant).
    Int(i64),
    Float(f64),
    Bool(bool),
}

/// An argument by the Go kind `fmt` formats it as.
enum Kind<'a> {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    Slice(&'a [Value]),
    Map(&'a Map<String, Value>),
}

impl<'a> Arg<'a> {
    fn kind(self) -> Kind<'a> {
        match self {
            Arg::Nil | Arg::Json(Value::Null) => Kind::Nil,
            Arg::Bool(b) => Kind::Bool(b),
            Arg::Json(Value::Bool(b)) => Kind::Bool(*b),
            Arg::Int(i) => Kind::Int(i),
            Arg::Float(f) => Kind::Float(f),
            Arg::Json(Value::Number(n)) => match super::go_number(n, NumberMode::Unstructured) {
                GoNumber::Int(i) => Kind::Int(i),
                GoNumber::Float(f) => Kind::Float(f),
            },
            Arg::Str(s) => Kind::Str(s),
            Arg::Json(Value::String(s)) => Kind::Str(s),
            Arg::Json(Value::Array(items)) => Kind::Slice(items),
            Arg::Json(Value::Object(map)) => Kind::Map(map),
        }
    }

    /// Go's name of the value's type, as `%T` and `%!d(TYPE=…)` show it.
    pub fn type_name(self) -> &'static str {
        match (self, self.kind()) {
            (Arg::Int(_), _) => "int",
            (_, Kind::Nil) => "<nil>",
            (_, Kind::Bool(_)) => "bool",
            (_, Kind::Int(_)) => "int64",
            (_, Kind::Float(_)) => "float64",
            (_, Kind::Str(_)) => "string",
            (_, Kind::Slice(_)) => "[]interface {}",
            (_, Kind::Map(_)) => "map[string]interface {}",
        }
    }

    /// Go's `%v`: `<nil>`, `true`, `3`, `1e+06`, `text`, `[a b]`, `map[k:v]`.
    pub fn to_text(self) -> String {
        match self {
            Arg::Nil => "<nil>".to_string(),
            Arg::Json(value) => super::value_to_string(value, NumberMode::Unstructured),
            Arg::Str(s) => s.to_string(),
            Arg::Int(i) => i.to_string(),
            Arg::Float(f) => super::format_float(f),
            Arg::Bool(b) => b.to_string(),
        }
    }
}

/// Go's `fmt.Sprint`: operands in `%v`, a space between two operands when neither is a string.
pub fn sprint(args: &[Arg<'_>]) -> Result<String, TooLong> {
    let mut out = String::new();
    let mut previous_string = false;
    for (i, arg) in args.iter().enumerate() {
        let string = matches!(arg.kind(), Kind::Str(_));
        if i > 0 && !string && !previous_string {
            out.push(' ');
        }
        out.push_str(&arg.to_text());
        out = bounded(out)?;
        previous_string = string;
    }
    Ok(out)
}

/// Go's `fmt.Sprintln`: operands in `%v` separated by spaces, then a newline.
pub fn sprintln(args: &[Arg<'_>]) -> Result<String, TooLong> {
    let mut out = String::new();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&arg.to_text());
        out = bounded(out)?;
    }
    out.push('\n');
    bounded(out)
}

/// The flags, width and precision of one verb.
#[derive(Debug, Clone, Copy, Default)]
struct Spec {
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    /// `%#v`: Go syntax.
    sharp_v: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

/// Go's `fmt.Sprintf`.
pub fn sprintf(format: &str, args: &[Arg<'_>]) -> Result<String, TooLong> {
    let bytes = format.as_bytes();
    let end = bytes.len();
    let mut out = String::with_capacity(end);
    let mut next = 0;
    let mut i = 0;
    while i < end {
        let text_end = format[i..].find('%').map_or(end, |at| i + at);
        out.push_str(&format[i..text_end]);
        if text_end == end {
            break;
        }
        i = text_end + 1;
        let mut spec = Spec::default();
        while let Some(flag) = bytes.get(i) {
            match flag {
                b'#' => spec.sharp = true,
                b'0' => spec.zero = true,
                b'+' => spec.plus = true,
                b'-' => spec.minus = true,
                b' ' => spec.space = true,
                _ => break,
            }
            i += 1;
        }
        if bytes.get(i) == Some(&b'*') {
            i += 1;
            match int_arg(args, &mut next) {
                Some(width) => {
                    if width < 0 {
                        spec.minus = true;
                    }
                    spec.width = usize::try_from(width.unsigned_abs()).ok();
                }
                None => out.push_str("%!(BADWIDTH)"),
            }
        } else {
            (spec.width, i) = parse_number(bytes, i);
        }
        // Go only reads a precision when something follows the dot.
        if i + 1 < end && bytes[i] == b'.' {
            i += 1;
            if bytes[i] == b'*' {
                i += 1;
                spec.precision = int_arg(args, &mut next).and_then(|p| usize::try_from(p).ok());
                if spec.precision.is_none() {
                    out.push_str("%!(BADPREC)");
                }
            } else {
                let (precision, after) = parse_number(bytes, i);
                spec.precision = Some(precision.unwrap_or(0));
                i = after;
            }
        }
        let Some(verb) = format[i..].chars().next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        i += verb.len_utf8();
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(&arg) = args.get(next) else {
            let _ = write!(out, "%!{verb}(MISSING)");
            continue;
        };
        next += 1;
        if verb == 'v' {
            // `%#v` and `%+v` are formats of their own, not flags on the value.
            spec.sharp_v = spec.sharp;
            spec.sharp = false;
            spec.plus = false;
        }
        format_arg(&mut out, verb, &spec, arg);
        out = bounded(out)?;
    }
    if next < args.len() {
        out.push_str("%!(EXTRA ");
        for (n, &arg) in args[next..].iter().enumerate() {
            if n > 0 {
                out.push_str(", ");
            }
            if matches!(arg.kind(), Kind::Nil) {
                out.push_str("<nil>");
            } else {
                out.push_str(arg.type_name());
                out.push('=');
                format_arg(&mut out, 'v', &Spec::default(), arg);
            }
            out = bounded(out)?;
        }
        out.push(')');
    }
    bounded(out)
}

/// Go's `parsenum`: the number at `start` (if any) and the index after it. A number still
/// growing past [`MAX_NUMBER`] is given up on, and so is the rest of the format (the index
/// returned is its end).
fn parse_number(bytes: &[u8], start: usize) -> (Option<usize>, usize) {
    let mut number = None;
    let mut i = start;
    while let Some(digit) = bytes.get(i).filter(|b| b.is_ascii_digit()) {
        let so_far = number.unwrap_or(0);
        if so_far > MAX_NUMBER {
            return (None, bytes.len());
        }
        number = Some(so_far * 10 + usize::from(digit - b'0'));
        i += 1;
    }
    (number, i)
}

/// Go's `intFromArg`: the next argument as a width or precision, if it is an integer within
/// ±[`MAX_NUMBER`]. A present argument is used up either way.
fn int_arg(args: &[Arg<'_>], next: &mut usize) -> Option<i64> {
    let arg = args.get(*next)?;
    *next += 1;
    match arg.kind() {
        Kind::Int(n) if n.unsigned_abs() <= MAX_NUMBER as u64 => Some(n),
        _ => None,
    }
}

/// Go's `printArg`: one verb applied to one value.
fn format_arg(out: &mut String, verb: char, spec: &Spec, arg: Arg<'_>) {
    if verb == 'T' {
        pad(out, spec, arg.type_name());
        return;
    }
    if spec.sharp_v
        && let Arg::Json(value @ (Value::Array(_) | Value::Object(_))) = arg
    {
        super::write_go_syntax(out, value, NumberMode::Unstructured);
        return;
    }
    match arg.kind() {
        Kind::Nil if verb == 'v' => pad(out, spec, "<nil>"),
        Kind::Nil => bad_verb(out, verb, spec, arg),
        Kind::Bool(b) if matches!(verb, 't' | 'v') => {
            pad(out, spec, if b { "true" } else { "false" })
        }
        Kind::Bool(_) => bad_verb(out, verb, spec, arg),
        Kind::Int(n) => format_int(out, verb, spec, n, arg),
        Kind::Float(f) => format_float(out, verb, spec, f, arg),
        Kind::Str(s) => format_str(out, verb, spec, s, arg),
        Kind::Slice(items) => {
            out.push('[');
            for (n, item) in items.iter().enumerate() {
                if out.len() > MAX_OUTPUT {
                    return;
                }
                if n > 0 {
                    out.push(' ');
                }
                format_member(out, verb, spec, item);
            }
            out.push(']');
        }
        Kind::Map(map) => {
            out.push_str("map[");
            for (n, (key, item)) in super::sorted_entries(map).into_iter().enumerate() {
                if out.len() > MAX_OUTPUT {
                    return;
                }
                if n > 0 {
                    out.push(' ');
                }
                format_str(out, verb, spec, key, Arg::Str(key));
                out.push(':');
                format_member(out, verb, spec, item);
            }
            out.push(']');
        }
    }
}

/// A member of a list or map: a nil member prints `<nil>` whatever the verb.
fn format_member(out: &mut String, verb: char, spec: &Spec, member: &Value) {
    match member {
        Value::Null => out.push_str("<nil>"),
        other => format_arg(out, verb, spec, Arg::Json(other)),
    }
}

/// Go's `badVerb`: `%!d(string=x)`, the value printed with `%v` and the verb's flags.
fn bad_verb(out: &mut String, verb: char, spec: &Spec, arg: Arg<'_>) {
    let _ = write!(out, "%!{verb}(");
    if matches!(arg.kind(), Kind::Nil) {
        out.push_str("<nil>");
    } else {
        out.push_str(arg.type_name());
        out.push('=');
        format_arg(out, 'v', spec, arg);
    }
    out.push(')');
}

/// Go's `pad`: `text` padded to the width, on the right with `-`, with zeros on the left with
/// `0`.
fn pad(out: &mut String, spec: &Spec, text: &str) {
    let fill = spec.width.unwrap_or(0).saturating_sub(text.chars().count());
    if spec.minus {
        out.push_str(text);
        out.extend(std::iter::repeat_n(' ', fill));
    } else {
        let filler = if spec.zero { '0' } else { ' ' };
        out.extend(std::iter::repeat_n(filler, fill));
        out.push_str(text);
    }
}

fn format_int(out: &mut String, verb: char, spec: &Spec, n: i64, arg: Arg<'_>) {
    match verb {
        'v' | 'd' => integer(out, spec, n, 10, verb),
        'b' => integer(out, spec, n, 2, verb),
        'o' | 'O' => integer(out, spec, n, 8, verb),
        'x' | 'X' => integer(out, spec, n, 16, verb),
        'c' => pad(out, spec, &rune_of(n).to_string()),
        'q' => pad(out, spec, &super::quote_rune(rune_of(n), spec.plus)),
        'U' => unicode(out, spec, n),
        _ => bad_verb(out, verb, spec, arg),
    }
}

/// The character of a code point; invalid ones are U+FFFD, as in Go.
fn rune_of(n: i64) -> char {
    u32::try_from(n)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// Go's `fmtInteger`: digits in `base`, at least the precision of them (or zero-filled to the
/// width with `0`), then the `0x`/`0b`/`0`/`0o` prefix and the sign.
fn integer(out: &mut String, spec: &Spec, n: i64, base: u32, verb: char) {
    if spec.precision == Some(0) && n == 0 {
        let blank = Spec {
            zero: false,
            ..*spec
        };
        pad(out, &blank, "");
        return;
    }
    let negative = n < 0;
    let signed = negative || spec.plus || spec.space;
    let magnitude = n.unsigned_abs();
    let mut digits = match (base, verb) {
        (2, _) => format!("{magnitude:b}"),
        (8, _) => format!("{magnitude:o}"),
        (16, 'X') => format!("{magnitude:X}"),
        (16, _) => format!("{magnitude:x}"),
        _ => magnitude.to_string(),
    };
    let least = match (spec.precision, spec.width) {
        (Some(precision), _) => precision,
        (None, Some(width)) if spec.zero && !spec.minus => {
            width.saturating_sub(usize::from(signed))
        }
        _ => 0,
    };
    if digits.len() < least {
        digits.insert_str(0, &"0".repeat(least - digits.len()));
    }
    let mut text = String::with_capacity(digits.len() + 3);
    if negative {
        text.push('-');
    } else if spec.plus {
        text.push('+');
    } else if spec.space {
        text.push(' ');
    }
    match base {
        2 if spec.sharp => text.push_str("0b"),
        8 if spec.sharp && !digits.starts_with('0') => text.push('0'),
        16 if spec.sharp => text.push_str(if verb == 'X' { "0X" } else { "0x" }),
        _ => {}
    }
    if verb == 'O' {
        text.push_str("0o");
    }
    text.push_str(&digits);
    let spec = Spec {
        zero: spec.zero && spec.precision.is_none(),
        ..*spec
    };
    pad(out, &spec, &text);
}

/// Go's `fmtUnicode`: `U+0041`, with `#` also `U+0041 'A'`; never zero-padded.
fn unicode(out: &mut String, spec: &Spec, n: i64) {
    // Go formats the bits of the value as unsigned: -1 is U+FFFFFFFFFFFFFFFF.
    let code = u64::from_ne_bytes(n.to_ne_bytes());
    let digits = spec.precision.filter(|&p| p > 4).unwrap_or(4);
    let mut text = format!("U+{code:0digits$X}");
    let printable = u32::try_from(code)
        .ok()
        .and_then(char::from_u32)
        .filter(|&c| super::is_print(c));
    if let Some(c) = printable.filter(|_| spec.sharp) {
        let _ = write!(text, " '{c}'");
    }
    let spec = Spec {
        zero: false,
        ..*spec
    };
    pad(out, &spec, &text);
}

fn format_float(out: &mut String, verb: char, spec: &Spec, f: f64, arg: Arg<'_>) {
    let (verb, default_precision) = match verb {
        'v' => ('g', None),
        'g' | 'G' => (verb, None),
        'e' | 'E' | 'f' => (verb, Some(6)),
        'F' => ('f', Some(6)),
        _ => return bad_verb(out, verb, spec, arg),
    };
    let precision = spec.precision.or(default_precision);
    let abs = f.abs();
    let number = if f.is_nan() {
        "NaN".to_string()
    } else if f.is_infinite() {
        "Inf".to_string()
    } else {
        match (verb, precision) {
            ('f', p) => format!("{abs:.*}", p.unwrap_or(6)),
            ('e' | 'E', p) => exponent(&format!("{abs:.*e}", p.unwrap_or(6))),
            (_, None) => super::format_float(abs),
            (_, Some(p)) => general(abs, p),
        }
    };
    let number = if verb.is_ascii_uppercase() {
        number.to_uppercase()
    } else {
        number
    };
    let sign = if f.is_sign_negative() && !f.is_nan() {
        Some('-')
    } else if spec.plus {
        Some('+')
    } else if spec.space {
        Some(' ')
    } else {
        None
    };
    if !f.is_finite() {
        // Infinities and NaN are never zero-padded; NaN has no sign unless asked for one.
        let spec = Spec {
            zero: false,
            ..*spec
        };
        let sign = if f.is_nan() && !spec.plus && !spec.space {
            None
        } else {
            sign.or(Some('+'))
        };
        let text: String = sign.into_iter().chain(number.chars()).collect();
        return pad(out, &spec, &text);
    }
    match sign {
        Some(sign) if spec.zero && !spec.minus => {
            // The sign goes before the zeros.
            out.push(sign);
            let spec = Spec {
                width: spec.width.map(|w| w.saturating_sub(1)),
                ..*spec
            };
            pad(out, &spec, &number);
        }
        Some(sign) => pad(out, spec, &format!("{sign}{number}")),
        None => pad(out, spec, &number),
    }
}

/// Go's `strconv.FormatFloat(abs, 'g', precision, 64)`: `precision` significant digits
/// without trailing zeros, in `%e` form when the exponent is below -4 or at least the
/// precision.
fn general(abs: f64, precision: usize) -> String {
    let precision = precision.max(1);
    let scientific = format!("{abs:.*e}", precision - 1);
    let (mantissa, exp) = scientific
        .split_once('e')
        .unwrap_or((scientific.as_str(), "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    let count = i64::try_from(digits.len()).unwrap_or(i64::MAX);
    let wanted = i64::try_from(precision).unwrap_or(i64::MAX);
    let point = exp + 1;
    let exponent_from = if wanted > count && count >= point {
        count
    } else {
        wanted
    };
    let digits = String::from_utf8(digits).unwrap_or_default();
    if exp < -4 || exp >= exponent_from {
        let (first, rest) = digits.split_at(1);
        let mut text = first.to_string();
        if !rest.is_empty() {
            text.push('.');
            text.push_str(rest);
        }
        let _ = write!(text, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
        return text;
    }
    let significant = if wanted > point { count } else { wanted };
    let decimals = significant - point;
    fixed(&digits, point, decimals.max(0))
}

/// `digits` (`0.DIGITS × 10^point`) with `decimals` digits after the point.
fn fixed(digits: &str, point: i64, decimals: i64) -> String {
    let digit_at = |i: i64| {
        usize::try_from(i)
            .ok()
            .and_then(|i| digits.as_bytes().get(i))
            .map_or('0', |&d| char::from(d))
    };
    let mut text: String = if point > 0 {
        (0..point).map(digit_at).collect()
    } else {
        "0".to_string()
    };
    if decimals > 0 {
        text.push('.');
        text.extend((point..point + decimals).map(digit_at));
    }
    text
}

/// Rust's `1.5e0` as Go's `1.5e+00`.
fn exponent(rust: &str) -> String {
    match rust.split_once('e') {
        Some((mantissa, exp)) => {
            let exp: i32 = exp.parse().unwrap_or(0);
            format!(
                "{mantissa}e{}{:02}",
                if exp < 0 { '-' } else { '+' },
                exp.abs()
            )
        }
        None => rust.to_string(),
    }
}

fn format_str(out: &mut String, verb: char, spec: &Spec, s: &str, arg: Arg<'_>) {
    match verb {
        'v' if spec.sharp_v => pad(out, spec, &super::quote(truncate(s, spec.precision))),
        'v' | 's' => pad(out, spec, truncate(s, spec.precision)),
        'q' => {
            let s = truncate(s, spec.precision);
            let quoted = if spec.sharp && super::can_backquote(s) {
                format!("`{s}`")
            } else if spec.plus {
                super::quote_ascii(s)
            } else {
                super::quote(s)
            };
            pad(out, spec, &quoted);
        }
        'x' | 'X' => hex_bytes(out, spec, truncate_bytes(s, spec.precision), verb == 'X'),
        _ => bad_verb(out, verb, spec, arg),
    }
}

/// The first `precision` characters of `s`.
fn truncate(s: &str, precision: Option<usize>) -> &str {
    match precision.and_then(|p| s.char_indices().nth(p)) {
        Some((end, _)) => &s[..end],
        None => s,
    }
}

/// The first `precision` bytes of `s`.
fn truncate_bytes(s: &str, precision: Option<usize>) -> &[u8] {
    let bytes = s.as_bytes();
    &bytes[..precision.map_or(bytes.len(), |p| p.min(bytes.len()))]
}

/// Go's `fmtSbx`: two hex digits a byte; `#` adds `0x`, a space separates the bytes (and
/// with `#` prefixes each).
fn hex_bytes(out: &mut String, spec: &Spec, bytes: &[u8], upper: bool) {
    let prefix = if upper { "0X" } else { "0x" };
    let mut text = String::with_capacity(bytes.len() * 5);
    for (n, byte) in bytes.iter().enumerate() {
        if spec.space && n > 0 {
            text.push(' ');
        }
        if spec.sharp && (n == 0 || spec.space) {
            text.push_str(prefix);
        }
        let _ = if upper {
            write!(text, "{byte:02X}")
        } else {
            write!(text, "{byte:02x}")
        };
    }
    pad(out, spec, &text);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The object the cases below were checked on with kubectl v1.32 (`-o go-template=…` on a
    /// custom resource with this spec, against the test server).
    fn spec() -> Value {
        json!({"int": 3, "float": 1.5, "str": "ab", "list": [1, "x", null],
               "map": {"b": 2, "a": "s"}, "t": true, "nil": null})
    }

    fn check(cases: &[(&str, &[Arg<'_>], &str)]) {
        for (format, args, want) in cases {
            assert_eq!(
                sprintf(format, args).as_deref(),
                Ok(*want),
                "{format} {args:?}"
            );
        }
    }

    /// Go gives up on a width or precision still growing past 1e6, with the rest of the
    /// format: the defect was kz padding to whatever number it read.
    #[test]
    fn huge_widths_and_precisions_are_noverb() {
        check(&[
            (
                "%99999999d|rest",
                &[Arg::Int(1)],
                "%!(NOVERB)%!(EXTRA int=1)",
            ),
            (
                "%999999999999d",
                &[Arg::Int(1)],
                "%!(NOVERB)%!(EXTRA int=1)",
            ),
            (
                "%184467440737095516160d",
                &[Arg::Int(1)],
                "%!(NOVERB)%!(EXTRA int=1)",
            ),
            (
                "%10000010d|rest",
                &[Arg::Int(1)],
                "%!(NOVERB)%!(EXTRA int=1)",
            ),
            (
                "%.99999999f|x",
                &[Arg::Float(1.5)],
                "%!(NOVERB)%!(EXTRA float64=1.5)",
            ),
            (
                "%.10000010f|x",
                &[Arg::Float(1.5)],
                "%!(NOVERB)%!(EXTRA float64=1.5)",
            ),
        ]);
        // The largest width Go still takes: the number was 1,000,000 before its last digit.
        assert_eq!(
            sprintf("%10000009d", &[Arg::Int(1)]).map(|s| s.len()),
            Ok(10_000_009)
        );
        assert_eq!(
            sprintf("%.1000000s|", &[Arg::Str("abc")]).as_deref(),
            Ok("abc|")
        );
    }

    #[test]
    fn star_widths_and_precisions_are_capped_at_a_million() {
        check(&[
            (
                "%*d|",
                &[Arg::Int(99_999_999), Arg::Int(1)],
                "%!(BADWIDTH)1|",
            ),
            (
                "%*d|",
                &[Arg::Int(1_000_001), Arg::Int(1)],
                "%!(BADWIDTH)1|",
            ),
            (
                "%*d|",
                &[Arg::Int(-1_000_001), Arg::Int(1)],
                "%!(BADWIDTH)1|",
            ),
            (
                "%.*f|",
                &[Arg::Int(-1), Arg::Float(1.5)],
                "%!(BADPREC)1.500000|",
            ),
            (
                "%.*f|",
                &[Arg::Int(1_000_001), Arg::Float(1.5)],
                "%!(BADPREC)1.500000|",
            ),
        ]);
        assert_eq!(
            sprintf("%*d|", &[Arg::Int(1_000_000), Arg::Int(1)]).map(|s| s.len()),
            Ok(1_000_001)
        );
    }

    #[test]
    fn star_arguments() {
        let spec = spec();
        check(&[
            ("%*d|", &[Arg::Int(-3), Arg::Int(1)], "1  |"),
            ("%-*d|", &[Arg::Int(3), Arg::Int(1)], "1  |"),
            ("%0*d|", &[Arg::Int(-3), Arg::Int(1)], "1  |"),
            ("%0*d|", &[Arg::Int(3), Arg::Int(1)], "001|"),
            ("%.*f|", &[Arg::Int(2), Arg::Float(1.5)], "1.50|"),
            (
                "%*.*f|",
                &[Arg::Int(8), Arg::Int(2), Arg::Float(1.5)],
                "    1.50|",
            ),
            ("%*d|", &[Arg::Float(1.5), Arg::Int(1)], "%!(BADWIDTH)1|"),
            ("%*d|", &[Arg::Str("a"), Arg::Int(1)], "%!(BADWIDTH)1|"),
            ("%*d|", &[Arg::Nil, Arg::Int(1)], "%!(BADWIDTH)1|"),
            ("%*d|", &[Arg::Json(&spec["int"]), Arg::Int(1)], "  1|"),
            (
                "%*d|",
                &[Arg::Json(&spec["float"]), Arg::Int(1)],
                "%!(BADWIDTH)1|",
            ),
            ("%*d|", &[], "%!(BADWIDTH)%!d(MISSING)|"),
            ("%.*d|", &[Arg::Int(1)], "%!d(MISSING)|"),
        ]);
    }

    #[test]
    fn malformed_directives() {
        check(&[
            ("%5.|", &[Arg::Int(1)], "%!|(int=    1)"),
            ("%.|", &[Arg::Int(1)], "%!|(int=1)"),
            ("%5", &[Arg::Int(1)], "%!(NOVERB)%!(EXTRA int=1)"),
            ("%", &[Arg::Int(1)], "%!(NOVERB)%!(EXTRA int=1)"),
            ("%.", &[Arg::Int(1)], "%!.(int=1)"),
            ("%-", &[Arg::Int(1)], "%!(NOVERB)%!(EXTRA int=1)"),
            ("a%5%b", &[Arg::Int(1)], "a%b%!(EXTRA int=1)"),
            ("%d %d", &[Arg::Int(1)], "1 %!d(MISSING)"),
            ("%!", &[], "%!!(MISSING)"),
            ("%d%%|%5%|%-5%", &[Arg::Int(5)], "5%|%|%"),
            ("%5z", &[Arg::Int(1)], "%!z(int=    1)"),
            (
                "%+z|%#z|% z",
                &[Arg::Int(5), Arg::Str("s"), Arg::Float(1.5)],
                "%!z(int=+5)|%!z(string=s)|%!z(float64= 1.5)",
            ),
        ]);
    }

    #[test]
    fn extra_and_missing_arguments() {
        let spec = spec();
        check(&[
            ("x", &[Arg::Json(&spec["nil"])], "x%!(EXTRA <nil>)"),
            ("x", &[Arg::Nil], "x%!(EXTRA <nil>)"),
            (
                "x",
                &[Arg::Json(&spec["nil"]), Arg::Int(2), Arg::Str("s")],
                "x%!(EXTRA <nil>, int=2, string=s)",
            ),
            ("%d", &[Arg::Json(&spec["nil"])], "%!d(<nil>)"),
            ("%s", &[Arg::Nil], "%!s(<nil>)"),
            ("%5s", &[Arg::Nil], "%!s(<nil>)"),
            ("%5v|", &[Arg::Nil], "<nil>|"),
        ]);
    }

    #[test]
    fn integers() {
        check(&[
            (
                "%5d|%-5d|%05d",
                &[Arg::Int(42), Arg::Int(42), Arg::Int(42)],
                "   42|42   |00042",
            ),
            (
                "%-05d|%-05s|%0-5d|",
                &[Arg::Int(7), Arg::Str("ab"), Arg::Int(7)],
                "7    |ab   |7    |",
            ),
            (
                "%.3d|%.0d|%5.3d|%-8.3x|%+.3d|%#.3x|%#o|%#b",
                &[
                    Arg::Int(7),
                    Arg::Int(0),
                    Arg::Int(7),
                    Arg::Int(255),
                    Arg::Int(7),
                    Arg::Int(255),
                    Arg::Int(8),
                    Arg::Int(5),
                ],
                "007||  007|0ff     |+007|0x0ff|010|0b101",
            ),
            (
                "%08.3d|%x|%X|%#X",
                &[Arg::Int(7), Arg::Int(-1), Arg::Int(255), Arg::Int(255)],
                "     007|-1|FF|0XFF",
            ),
            (
                "%5.0d|%-5.0d|%05.0d|",
                &[Arg::Int(0), Arg::Int(0), Arg::Int(0)],
                "     |     |     |",
            ),
            (
                "%05d|%+05d|% 05d|%05d",
                &[
                    Arg::Int(-42),
                    Arg::Int(42),
                    Arg::Int(42),
                    Arg::Int(1_234_567),
                ],
                "-0042|+0042| 0042|1234567",
            ),
            (
                "%#08x|%#-8x|",
                &[Arg::Int(255), Arg::Int(255)],
                "0x000000ff|0xff    |",
            ),
            (
                "%b|%o|%x",
                &[Arg::Int(-5), Arg::Int(-8), Arg::Int(-255)],
                "-101|-10|-ff",
            ),
            (
                "%o|%b|%O",
                &[Arg::Int(8), Arg::Int(5), Arg::Int(8)],
                "10|101|0o10",
            ),
            (
                "%v %v",
                &[Arg::Int(i64::MAX), Arg::Int(i64::MIN)],
                "9223372036854775807 -9223372036854775808",
            ),
            (
                "%+v|%+d|% d",
                &[Arg::Int(5), Arg::Int(5), Arg::Int(5)],
                "5|+5| 5",
            ),
        ]);
    }

    #[test]
    fn characters() {
        check(&[
            (
                "%c|%c|%q|%+q|%U|%#U",
                &[
                    Arg::Int(233),
                    Arg::Int(-1),
                    Arg::Int(233),
                    Arg::Int(233),
                    Arg::Int(233),
                    Arg::Int(233),
                ],
                "é|\u{FFFD}|'é'|'\\u00e9'|U+00E9|U+00E9 'é'",
            ),
            (
                "%#U|%.6U|%05U|%U",
                &[Arg::Int(65), Arg::Int(65), Arg::Int(65), Arg::Int(-1)],
                "U+0041 'A'|U+000041|U+0041|U+FFFFFFFFFFFFFFFF",
            ),
            (
                "%05c|%-3c|%5q",
                &[Arg::Int(65), Arg::Int(65), Arg::Int(65)],
                "0000A|A  |  'A'",
            ),
        ]);
    }

    // 3.14159 is what kubectl was run with, not an approximation of π.
    #[allow(clippy::approx_constant)]
    #[test]
    fn floats() {
        check(&[
            (
                "%e|%E|%g|%G",
                &[
                    Arg::Float(123_456.789),
                    Arg::Float(123_456.789),
                    Arg::Float(123_456.789),
                    Arg::Float(1e-7),
                ],
                "1.234568e+05|1.234568E+05|123456.789|1E-07",
            ),
            (
                "%08.3f|%-10g|%+.2e|",
                &[Arg::Float(-3.14159), Arg::Float(0.5), Arg::Float(12345.678)],
                "-003.142|0.5       |+1.23e+04|",
            ),
            (
                "%6.2f|%-8.1e|%+g|% g|%G|%.3g|%.10g",
                &[
                    Arg::Float(3.14159),
                    Arg::Float(1234.5),
                    Arg::Float(2.5),
                    Arg::Float(2.5),
                    Arg::Float(1e21),
                    Arg::Float(1234.5678),
                    Arg::Float(1.0),
                ],
                "  3.14|1.2e+03 |+2.5| 2.5|1E+21|1.23e+03|1",
            ),
            (
                "%v|%v|%v|%.2v|%5.1v",
                &[
                    Arg::Float(1e20),
                    Arg::Float(1e21),
                    Arg::Float(0.000001),
                    Arg::Float(3.14159),
                    Arg::Float(3.14159),
                ],
                "1e+20|1e+21|1e-06|3.1|    3",
            ),
            (
                "%08.3f|%-08.3f|%+08.3f|% 08.3f",
                &[
                    Arg::Float(3.14159),
                    Arg::Float(3.14159),
                    Arg::Float(3.14159),
                    Arg::Float(3.14159),
                ],
                "0003.142|3.142   |+003.142| 003.142",
            ),
            (
                "%.2g|%.1g|%.3g|%g",
                &[
                    Arg::Float(99.5),
                    Arg::Float(0.05),
                    Arg::Float(9.9996),
                    Arg::Float(0.0001),
                ],
                "1e+02|0.05|10|0.0001",
            ),
            ("%v|%#v", &[Arg::Float(-0.0), Arg::Float(1.5)], "-0|1.5"),
            (
                "%d|%s",
                &[Arg::Float(1.5), Arg::Float(1.5)],
                "%!d(float64=1.5)|%!s(float64=1.5)",
            ),
        ]);
    }

    #[test]
    fn strings() {
        check(&[
            (
                "%05s|%05q|%05x|%05t|%05v|%05v",
                &[
                    Arg::Str("ab"),
                    Arg::Str("ab"),
                    Arg::Str("ab"),
                    Arg::Bool(true),
                    Arg::Str("ab"),
                    Arg::Int(7),
                ],
                "000ab|0\"ab\"|06162|0true|000ab|00007",
            ),
            (
                "%q|%+q|%#q|%#q",
                &[
                    Arg::Str("é\u{7}"),
                    Arg::Str("é"),
                    Arg::Str("a`b"),
                    Arg::Str("a\tb"),
                ],
                "\"é\\a\"|\"\\u00e9\"|\"a`b\"|`a\tb`",
            ),
            (
                "%x|% x|%#x|% #x|%X|%.1x",
                &[Arg::Str("hé"); 6],
                "68c3a9|68 c3 a9|0x68c3a9|0x68 0xc3 0xa9|68C3A9|68",
            ),
            (
                "%-8q|%8.3s|",
                &[Arg::Str("s"), Arg::Str("abcdef")],
                "\"s\"     |     abc|",
            ),
            (
                "%.2s|%.0s|%.5s|%5.1s|",
                &[
                    Arg::Str("héllo"),
                    Arg::Str("x"),
                    Arg::Str("ab"),
                    Arg::Str("xyz"),
                ],
                "hé||ab|    x|",
            ),
            ("%5s|", &[Arg::Str("日本")], "   日本|"),
            ("%5t|", &[Arg::Bool(true)], " true|"),
            (
                "%#v|%#x|%#q",
                &[Arg::Str("s"), Arg::Int(255), Arg::Str("s")],
                "\"s\"|0xff|`s`",
            ),
        ]);
    }

    #[test]
    fn types() {
        let spec = spec();
        check(&[
            (
                "%T|%T|%T|%T|%T|%T|%T",
                &[
                    Arg::Int(1),
                    Arg::Float(1.5),
                    Arg::Str("s"),
                    Arg::Bool(true),
                    Arg::Nil,
                    Arg::Json(&spec["int"]),
                    Arg::Json(&spec["map"]),
                ],
                "int|float64|string|bool|<nil>|int64|map[string]interface {}",
            ),
            ("%5T|%-5T|", &[Arg::Int(1), Arg::Int(1)], "  int|int  |"),
        ]);
    }

    /// Lists and maps apply the verb, flags and width to each member.
    #[test]
    fn lists_and_maps() {
        let spec = spec();
        let (list, map) = (Arg::Json(&spec["list"]), Arg::Json(&spec["map"]));
        check(&[
            (
                "%v|%#v|%+v",
                &[map, map, map],
                "map[a:s b:2]|map[string]interface {}{\"a\":\"s\", \"b\":2}|map[a:s b:2]",
            ),
            (
                "%#v",
                &[list],
                "[]interface {}{1, \"x\", interface {}(nil)}",
            ),
            (
                "%v|%d|%s",
                &[list, list, list],
                "[1 x <nil>]|[1 %!d(string=x) <nil>]|[%!s(int64=1) x <nil>]",
            ),
            ("%5d", &[list], "[    1 %!d(string=    x) <nil>]"),
            ("%6v", &[map], "map[     a:     s      b:     2]"),
            ("%3s", &[map], "map[  a:  s   b:%!s(int64=  2)]"),
            (
                "%08v|%-8v|%8v",
                &[list, map, Arg::Float(1.5)],
                "[00000001 0000000x <nil>]|map[a       :s        b       :2       ]|     1.5",
            ),
            (
                "%d",
                &[map],
                "map[%!d(string=a):%!d(string=s) %!d(string=b):2]",
            ),
            ("%x", &[list], "[1 78 <nil>]"),
            (
                "%s|%d",
                &[Arg::Json(&spec["t"]); 2],
                "%!s(bool=true)|%!d(bool=true)",
            ),
        ]);
    }

    #[test]
    fn print_and_println_space_like_go() {
        let args = [
            Arg::Int(1),
            Arg::Int(2),
            Arg::Str("a"),
            Arg::Str("b"),
            Arg::Int(3),
        ];
        assert_eq!(sprint(&args).as_deref(), Ok("1 2ab3"));
        assert_eq!(
            sprintln(&[Arg::Str("x"), Arg::Int(1)]).as_deref(),
            Ok("x 1\n")
        );
        assert_eq!(
            sprint(&[Arg::Nil, Arg::Float(1e6)]).as_deref(),
            Ok("<nil> 1e+06")
        );
    }
}
