//! Go's `fmt.Sprintf`, `fmt.Sprint` and `fmt.Sprintln` for the values a decoded JSON document
//! holds, as kubectl's go-template `printf`, `print` and `println` run them: the verbs
//! templates use (`v s d q t f e g x X o c b %`), with Go's `%!d(string=x)`, `%!d(MISSING)` and
//! `%!(EXTRA …)` texts for mismatches.

use serde_json::Value;

use super::{GoNumber, NumberMode};

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
    Slice,
    Map,
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
            Arg::Json(Value::Array(_)) => Kind::Slice,
            Arg::Json(Value::Object(_)) => Kind::Map,
        }
    }

    /// JSON scalars as Go scalars (`int64`, `float64`, string, bool, nil); lists and maps stay.
    fn scalar(self) -> Arg<'a> {
        match self.kind() {
            Kind::Nil => Arg::Nil,
            Kind::Bool(b) => Arg::Bool(b),
            Kind::Int(i) => Arg::Int(i),
            Kind::Float(f) => Arg::Float(f),
            Kind::Str(s) => Arg::Str(s),
            Kind::Slice | Kind::Map => self,
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
            (_, Kind::Slice) => "[]interface {}",
            (_, Kind::Map) => "map[string]interface {}",
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
pub fn sprint(args: &[Arg<'_>]) -> String {
    let mut out = String::new();
    let mut previous_string = false;
    for (i, arg) in args.iter().enumerate() {
        let string = matches!(arg.kind(), Kind::Str(_));
        if i > 0 && !string && !previous_string {
            out.push(' ');
        }
        out.push_str(&arg.to_text());
        previous_string = string;
    }
    out
}

/// Go's `fmt.Sprintln`: operands in `%v` separated by spaces, then a newline.
pub fn sprintln(args: &[Arg<'_>]) -> String {
    let texts: Vec<String> = args.iter().map(|arg| arg.to_text()).collect();
    let mut out = texts.join(" ");
    out.push('\n');
    out
}

/// The flags, width and precision of one verb.
#[derive(Default)]
struct Spec {
    minus: bool,
    plus: bool,
    zero: bool,
    space: bool,
    sharp: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

/// Go's `fmt.Sprintf`.
pub fn sprintf(format: &str, args: &[Arg<'_>]) -> String {
    let mut out = String::new();
    let mut args = args.iter();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&flag) = chars.peek() {
            match flag {
                '-' => spec.minus = true,
                '+' => spec.plus = true,
                '0' => spec.zero = true,
                ' ' => spec.space = true,
                '#' => spec.sharp = true,
                _ => break,
            }
            chars.next();
        }
        spec.width = digits(&mut chars);
        if chars.peek() == Some(&'.') {
            chars.next();
            spec.precision = Some(digits(&mut chars).unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        match args.next() {
            None => out.push_str(&format!("%!{verb}(MISSING)")),
            Some(arg) => out.push_str(&pad(&spec, &format_verb(verb, &spec, *arg), verb)),
        }
    }
    let extra: Vec<String> = args
        .map(|arg| match arg {
            Arg::Nil => "<nil>".to_string(),
            other => format!("{}={}", other.type_name(), other.to_text()),
        })
        .collect();
    if !extra.is_empty() {
        out.push_str(&format!("%!(EXTRA {})", extra.join(", ")));
    }
    out
}

fn digits(chars: &mut std::iter::Peekable<std::str::Chars>) -> Option<usize> {
    let mut number = None;
    while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
        number = Some(number.unwrap_or(0) * 10 + d as usize);
        chars.next();
    }
    number
}

fn pad(spec: &Spec, text: &str, verb: char) -> String {
    let len = text.chars().count();
    let Some(width) = spec.width.filter(|&w| w > len) else {
        return text.to_string();
    };
    let fill = width - len;
    if spec.minus {
        format!("{text}{}", " ".repeat(fill))
    } else if spec.zero && matches!(verb, 'd' | 'f' | 'e' | 'g' | 'x' | 'X' | 'o' | 'b') {
        let (sign, digits) = match text.strip_prefix(['-', '+']) {
            Some(rest) => (&text[..1], rest),
            None => ("", text),
        };
        format!("{sign}{}{digits}", "0".repeat(fill))
    } else {
        format!("{}{text}", " ".repeat(fill))
    }
}

fn bad_verb(verb: char, value: Arg<'_>) -> String {
    match value {
        Arg::Nil | Arg::Json(Value::Null) => format!("%!{verb}(<nil>)"),
        other => format!("%!{verb}({}={})", other.type_name(), other.to_text()),
    }
}

fn signed(spec: &Spec, negative: bool, digits: String) -> String {
    let sign = if negative {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    format!("{sign}{digits}")
}

/// A member of a map or slice: Go prints a nil member as `<nil>` whatever the verb.
fn format_member(verb: char, spec: &Spec, value: &Value) -> String {
    match value {
        Value::Null => "<nil>".to_string(),
        other => format_verb(verb, spec, Arg::Json(other)),
    }
}

/// One verb applied to one value; maps and slices apply it to their members, like Go.
fn format_verb(verb: char, spec: &Spec, value: Arg<'_>) -> String {
    match value {
        Arg::Json(Value::Array(items)) => {
            let parts: Vec<String> = items
                .iter()
                .map(|item| format_member(verb, spec, item))
                .collect();
            return format!("[{}]", parts.join(" "));
        }
        Arg::Json(Value::Object(map)) => {
            let parts: Vec<String> = super::sorted_entries(map)
                .into_iter()
                .map(|(k, v)| {
                    format!(
                        "{}:{}",
                        format_verb(verb, spec, Arg::Str(k)),
                        format_member(verb, spec, v)
                    )
                })
                .collect();
            return format!("map[{}]", parts.join(" "));
        }
        _ => {}
    }
    let scalar = value.scalar();
    match (verb, scalar) {
        ('v', _) => match scalar {
            Arg::Str(s) if spec.sharp => super::quote(s),
            Arg::Float(f) => float_verb('g', spec, f),
            Arg::Int(i) => signed(spec, i < 0, i.unsigned_abs().to_string()),
            _ => scalar.to_text(),
        },
        ('s', Arg::Str(s)) => match spec.precision {
            Some(p) => s.chars().take(p).collect(),
            None => s.to_string(),
        },
        ('q', Arg::Str(s)) => super::quote(s),
        ('t', Arg::Bool(b)) => b.to_string(),
        ('d', Arg::Int(i)) => signed(spec, i < 0, i.unsigned_abs().to_string()),
        ('x', Arg::Int(i)) => signed(
            spec,
            i < 0,
            format!(
                "{}{:x}",
                if spec.sharp { "0x" } else { "" },
                i.unsigned_abs()
            ),
        ),
        ('X', Arg::Int(i)) => signed(
            spec,
            i < 0,
            format!(
                "{}{:X}",
                if spec.sharp { "0X" } else { "" },
                i.unsigned_abs()
            ),
        ),
        ('o', Arg::Int(i)) => signed(spec, i < 0, format!("{:o}", i.unsigned_abs())),
        ('b', Arg::Int(i)) => signed(spec, i < 0, format!("{:b}", i.unsigned_abs())),
        ('c', Arg::Int(i)) => u32::try_from(i)
            .ok()
            .and_then(char::from_u32)
            .unwrap_or('\u{FFFD}')
            .to_string(),
        ('q', Arg::Int(i)) => {
            let c = u32::try_from(i)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{FFFD}');
            let quoted = super::quote(&c.to_string());
            format!("'{}'", &quoted[1..quoted.len() - 1].replace("\\\"", "\""))
        }
        ('x', Arg::Str(s)) => s.bytes().map(|b| format!("{b:02x}")).collect(),
        ('X', Arg::Str(s)) => s.bytes().map(|b| format!("{b:02X}")).collect(),
        ('f' | 'F' | 'e' | 'E' | 'g' | 'G', Arg::Float(f)) => float_verb(verb, spec, f),
        _ => bad_verb(verb, value),
    }
}

fn float_verb(verb: char, spec: &Spec, f: f64) -> String {
    let negative = f.is_sign_negative() && f != 0.0;
    let abs = f.abs();
    let text = match (verb, spec.precision) {
        ('f' | 'F', p) => format!("{abs:.*}", p.unwrap_or(6)),
        ('e' | 'E', p) => go_exponent(&format!("{abs:.*e}", p.unwrap_or(6))),
        (_, None) => super::format_float(abs),
        (_, Some(p)) => {
            let p = p.max(1);
            let exp = if abs == 0.0 {
                0
            } else {
                abs.log10().floor() as i32
            };
            if exp < -4 || exp >= p as i32 {
                go_exponent(&format!("{abs:.*e}", p - 1))
            } else {
                let fixed = format!("{abs:.*}", usize::try_from(p as i32 - 1 - exp).unwrap_or(0));
                if fixed.contains('.') {
                    fixed
                        .trim_end_matches('0')
                        .trim_end_matches('.')
                        .to_string()
                } else {
                    fixed
                }
            }
        }
    };
    let text = if verb.is_ascii_uppercase() {
        text.to_uppercase()
    } else {
        text
    };
    signed(spec, negative, text)
}

/// Rust's `1.5e0` as Go's `1.5e+00`.
fn go_exponent(rust: &str) -> String {
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
