//! kubectl's JSONPath dialect (`k8s.io/client-go/util/jsonpath`) and the `-o jsonpath=…`,
//! `-o jsonpath-file=…` and `-o jsonpath-as-json=…` printers built on it.
//!
//! A template is literal text with `{…}` actions. Inside an action: `$`/`@` (the current
//! object), `.field`, `['field']`, `..` (recursive descent), `*`, `[n]`, `[start:end:step]`,
//! unions `[a,b]`, filters `[?(@.x == "y")]`, quoted strings with Go escapes, numbers, `true`
//! and `false`, and the `range`/`end` keywords.
//!
//! The evaluation follows client-go step by step — including its odd corners, because scripts
//! depend on them: `[]` means `[0]`, `['a.b']` is the path `.a.b`, `[2:2]` stops the whole
//! step, a filter comparing an integer with a float fails. Where Go iterates a map in random
//! order (`*`, `..`) kz uses the sorted key order, which is one of Go's possible orders.
//!
//! One deliberate difference: client-go's `range` rewrites the parsed template, so a
//! template with `{range}` breaks from the second object printed on (e.g. under `--watch`:
//! `not in range, nothing to end`). kz evaluates every object with the template as written.

use std::fmt;
use std::io::{self, Write};

use serde_json::Value;

use super::gofmt::{self, GoNumber, NumberMode};

/// A syntax or evaluation error; `Display` is client-go's text, which kubectl shows verbatim.
#[derive(Debug)]
pub enum JsonPathError {
    /// An action without its closing `}`.
    UnclosedAction,
    /// A character that cannot start anything inside an action.
    UnrecognizedCharacter(char),
    /// `[` without `]`.
    UnterminatedArray,
    /// `[?(` without `)`.
    UnterminatedFilter,
    /// A filter's `)` not followed by `]`.
    UnclosedFilterArray,
    /// A quote without its closing quote.
    UnterminatedQuotedString,
    /// A quoted string with an invalid escape; holds the string as written.
    InvalidQuotedString(String),
    /// An index that is neither a number, a slice, a union nor a quoted key.
    InvalidArrayIndex(String),
    /// A slice bound that does not fit a Go `int`.
    ArrayIndexNotNumber(String),
    /// A number literal Go cannot parse.
    InvalidNumber(String),
    /// `....`
    MultipleRecursiveDescent,
    /// A missing key when missing keys are not allowed.
    NotFound(String),
    /// An index or slice bound outside the array.
    IndexOutOfBounds { index: i64, length: usize },
    /// A slice whose start is after its end.
    StartAfterEnd { start: i64, end: i64 },
    /// A slice step of zero or less.
    StepNotPositive,
    /// Indexing something that is not an array; holds its Go type.
    NotArray(String),
    /// Filtering something that is not an array; holds its Go `%v` text.
    NotFilterable(String),
    /// A filter operand that gave several values.
    CompareOneElement,
    /// A filter operator other than `== != < > <= >=`.
    UnrecognizedFilterOperator(String),
    /// Comparing values that have no order (or are null, objects, arrays).
    InvalidComparisonType,
    /// Comparing values of different kinds (an integer with a float, a string with a number).
    IncompatibleComparison,
    /// A bare word other than `range`, `end`, `true` and `false`.
    UnrecognizedIdentifier(String),
    /// `{end}` without `{range}`.
    NotInRange,
    /// Ranges nested deeper than [`MAX_RANGE_DEPTH`] (client-go has no limit).
    RangesTooDeep,
    /// An expression [`relaxed`] cannot make sense of.
    UnexpectedPath,
    /// Writing the output failed.
    Io(io::Error),
}

impl fmt::Display for JsonPathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnclosedAction => f.write_str("unclosed action"),
            Self::UnrecognizedCharacter(c) => {
                write!(f, "unrecognized character in action: {}", go_unicode(*c))
            }
            Self::UnterminatedArray => f.write_str("unterminated array"),
            Self::UnterminatedFilter => f.write_str("unterminated filter"),
            Self::UnclosedFilterArray => f.write_str("unclosed array expect ]"),
            Self::UnterminatedQuotedString => f.write_str("unterminated quoted string"),
            Self::InvalidQuotedString(s) => write!(f, "unquote string {s} error invalid syntax"),
            Self::InvalidArrayIndex(s) => write!(f, "invalid array index {s}"),
            Self::ArrayIndexNotNumber(s) => write!(f, "array index {s} is not a number"),
            Self::InvalidNumber(s) => write!(f, "cannot parse number {s}"),
            Self::MultipleRecursiveDescent => f.write_str("invalid multiple recursive descent"),
            Self::NotFound(key) => write!(f, "{key} is not found"),
            Self::IndexOutOfBounds { index, length } => {
                write!(
                    f,
                    "array index out of bounds: index {index}, length {length}"
                )
            }
            Self::StartAfterEnd { start, end } => {
                write!(
                    f,
                    "starting index {start} is greater than ending index {end}"
                )
            }
            Self::StepNotPositive => f.write_str("step must be > 0"),
            Self::NotArray(ty) => write!(f, "{ty} is not array or slice"),
            Self::NotFilterable(v) => {
                write!(f, "{v} is not array or slice and cannot be filtered")
            }
            Self::CompareOneElement => f.write_str("can only compare one element at a time"),
            Self::UnrecognizedFilterOperator(op) => {
                write!(f, "unrecognized filter operator {op}")
            }
            Self::InvalidComparisonType => f.write_str("invalid type for comparison"),
            Self::IncompatibleComparison => f.write_str("incompatible types for comparison"),
            Self::UnrecognizedIdentifier(name) => write!(f, "unrecognized identifier {name}"),
            Self::NotInRange => f.write_str("not in range, nothing to end"),
            Self::RangesTooDeep => write!(
                f,
                "ranges nested deeper than kz's limit of {MAX_RANGE_DEPTH}"
            ),
            Self::UnexpectedPath => f.write_str(
                "unexpected path string, expected a 'name1.name2' or '.name1.name2' or \
                 '{name1.name2}' or '{.name1.name2}'",
            ),
            Self::Io(err) => err.fmt(f),
        }
    }
}

impl std::error::Error for JsonPathError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io(err) => Some(err),
            _ => None,
        }
    }
}

impl From<io::Error> for JsonPathError {
    fn from(err: io::Error) -> Self {
        Self::Io(err)
    }
}

/// Go's `%#U`: `U+0023 '#'`, or just `U+0009` when the character is not printable.
fn go_unicode(c: char) -> String {
    if gofmt::is_print(c) {
        format!("U+{:04X} '{c}'", c as u32)
    } else {
        format!("U+{:04X}", c as u32)
    }
}

// ---------------------------------------------------------------------------------------------
// Syntax tree
// ---------------------------------------------------------------------------------------------

/// One top-level piece of a template.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    /// Literal text between actions.
    Text(String),
    /// The steps of one `{…}` action, applied left to right.
    Action(Vec<Step>),
}

/// One step inside an action.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// A quoted string: produces itself (bytes, as Go's `\xff` escapes may not be UTF-8).
    Text(Vec<u8>),
    /// `.name`: the key `name` of every object.
    Field(String),
    /// `[n]`, `[start:end:step]`, `[*]`.
    Slice([Bound; 3]),
    /// `[?(left op right)]` or `[?(path)]`.
    Filter(Box<Filter>),
    /// A number or boolean literal: produces itself once per input value.
    Int(i64),
    Float(f64),
    Bool(bool),
    /// `.*`: every member of every object or array.
    Wildcard,
    /// `..`: every non-empty object, array and string, depth first.
    Recursive,
    /// `[a,b]`: each alternative evaluated on all inputs, results concatenated.
    Union(Vec<Vec<Step>>),
    /// `range`, `end`, or an unknown word (an evaluation error, as in client-go).
    Identifier(String),
}

/// A slice bound as client-go keeps it: `derived` marks the end of `[n]` (which is `n+1`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Bound {
    value: i64,
    known: bool,
    derived: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct Filter {
    left: Vec<Step>,
    /// `None` for an existence test `[?(@.x)]`.
    comparison: Option<(String, Vec<Step>)>,
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

/// A rune scanner over the template with client-go's `start`/`pos` bookkeeping.
struct Parser<'t> {
    input: &'t str,
    pos: usize,
    start: usize,
    width: usize,
}

/// Characters that end a field name or a keyword.
fn is_terminator(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => matches!(
            c,
            ' ' | '\t' | '\r' | '\n' | '.' | ',' | '[' | ']' | '$' | '@' | '{' | '}'
        ),
    }
}

fn is_alphanumeric(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

impl<'t> Parser<'t> {
    fn new(input: &'t str) -> Self {
        Parser {
            input,
            pos: 0,
            start: 0,
            width: 0,
        }
    }

    fn rest(&self) -> &'t str {
        &self.input[self.pos..]
    }

    fn next(&mut self) -> Option<char> {
        let c = self.rest().chars().next();
        self.width = c.map_or(0, char::len_utf8);
        self.pos += self.width;
        c
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn backup(&mut self) {
        self.pos -= self.width;
        self.width = 0;
    }

    fn consume(&mut self) -> &'t str {
        let text = &self.input[self.start..self.pos];
        self.start = self.pos;
        text
    }

    fn parse_template(mut self) -> Result<Vec<Node>, JsonPathError> {
        let mut nodes = Vec::new();
        loop {
            if self.rest().starts_with('{') {
                if self.pos > self.start {
                    nodes.push(Node::Text(self.consume().to_string()));
                }
                self.pos += 1;
                self.consume();
                nodes.push(Node::Action(self.parse_action()?));
            } else if self.next().is_none() {
                break;
            }
        }
        if self.pos > self.start {
            nodes.push(Node::Text(self.consume().to_string()));
        }
        Ok(nodes)
    }

    /// Parses the inside of an action up to and including its `}`.
    fn parse_action(&mut self) -> Result<Vec<Step>, JsonPathError> {
        let mut steps = Vec::new();
        loop {
            let rest = self.rest();
            if rest.starts_with('}') {
                self.pos += 1;
                self.consume();
                return Ok(steps);
            }
            if rest.starts_with("[?(") {
                self.parse_filter(&mut steps)?;
                continue;
            }
            if rest.starts_with("..") {
                self.parse_recursive(&mut steps)?;
                continue;
            }
            match self.next() {
                None | Some('\r' | '\n') => return Err(JsonPathError::UnclosedAction),
                Some(' ' | '@' | '$') => {
                    self.consume();
                }
                Some('[') => self.parse_array(&mut steps)?,
                Some(quote @ ('"' | '\'')) => self.parse_quote(&mut steps, quote)?,
                Some('.') => self.parse_field(&mut steps),
                Some(c) if c == '+' || c == '-' || c.is_ascii_digit() => {
                    self.backup();
                    self.parse_number(&mut steps)?;
                }
                Some(c) if is_alphanumeric(c) => {
                    self.backup();
                    self.parse_identifier(&mut steps);
                }
                Some(c) => return Err(JsonPathError::UnrecognizedCharacter(c)),
            }
        }
    }

    fn parse_identifier(&mut self, steps: &mut Vec<Step>) {
        while !is_terminator(self.next()) {}
        self.backup();
        match self.consume() {
            "true" => steps.push(Step::Bool(true)),
            "false" => steps.push(Step::Bool(false)),
            word => steps.push(Step::Identifier(word.to_string())),
        }
    }

    fn parse_recursive(&mut self, steps: &mut Vec<Step>) -> Result<(), JsonPathError> {
        if steps.last() == Some(&Step::Recursive) {
            return Err(JsonPathError::MultipleRecursiveDescent);
        }
        self.pos += 2;
        self.consume();
        steps.push(Step::Recursive);
        if self.peek().is_some_and(is_alphanumeric) {
            self.parse_field(steps);
        }
        Ok(())
    }

    fn parse_number(&mut self, steps: &mut Vec<Step>) -> Result<(), JsonPathError> {
        if matches!(self.peek(), Some('+' | '-')) {
            self.next();
        }
        while matches!(self.next(), Some(c) if c == '.' || c.is_ascii_digit()) {}
        self.backup();
        let text = self.consume();
        if let Ok(i) = text.parse::<i64>() {
            steps.push(Step::Int(i));
        } else if let Ok(f) = text.parse::<f64>() {
            steps.push(Step::Float(f));
        } else {
            return Err(JsonPathError::InvalidNumber(text.to_string()));
        }
        Ok(())
    }

    /// `.name`: everything up to the next unescaped terminator; backslashes are dropped.
    fn parse_field(&mut self, steps: &mut Vec<Step>) {
        self.consume();
        loop {
            match self.next() {
                Some('\\') => {
                    self.next();
                }
                c if is_terminator(c) => {
                    self.backup();
                    break;
                }
                _ => {}
            }
        }
        match self.consume() {
            "*" => steps.push(Step::Wildcard),
            name => steps.push(Step::Field(name.replace('\\', ""))),
        }
    }

    fn parse_array(&mut self, steps: &mut Vec<Step>) -> Result<(), JsonPathError> {
        loop {
            match self.next() {
                None | Some('\n') => return Err(JsonPathError::UnterminatedArray),
                Some(']') => break,
                Some(_) => {}
            }
        }
        let text = self.consume();
        let inner = &text[1..text.len() - 1];
        let inner = if inner == "*" { ":" } else { inner };

        if inner.contains(',') {
            let alternatives = inner
                .split(',')
                .map(|part| parse_sub_action(&format!("[{}]", part.trim_matches(' '))))
                .collect::<Result<Vec<_>, _>>()?;
            steps.push(Step::Union(alternatives));
            return Ok(());
        }
        if let Some(key) = quoted_key(inner) {
            steps.extend(parse_sub_action(&format!(".{key}"))?);
            return Ok(());
        }
        steps.push(Step::Slice(parse_slice(inner)?));
        Ok(())
    }

    fn parse_filter(&mut self, steps: &mut Vec<Step>) -> Result<(), JsonPathError> {
        self.pos += 3;
        self.consume();
        let mut quote = None;
        let mut closed = false;
        loop {
            match self.next() {
                None | Some('\n') => return Err(JsonPathError::UnterminatedFilter),
                Some(c @ ('"' | '\'')) => match quote {
                    None => quote = Some(c),
                    Some(q) => {
                        let escaped = self.input.as_bytes().get(self.pos - 2) == Some(&b'\\');
                        if !escaped && c == q {
                            closed = true;
                        }
                    }
                },
                Some(')') if quote.is_some() == closed => break,
                Some(_) => {}
            }
        }
        if self.next() != Some(']') {
            return Err(JsonPathError::UnclosedFilterArray);
        }
        let text = self.consume();
        let text = &text[..text.len() - 2];
        let filter = match split_comparison(text) {
            None => Filter {
                left: parse_sub_action(text)?,
                comparison: None,
            },
            Some((left, op, right)) => Filter {
                left: parse_sub_action(left)?,
                comparison: Some((op.to_string(), parse_sub_action(right)?)),
            },
        };
        steps.push(Step::Filter(Box::new(filter)));
        Ok(())
    }

    fn parse_quote(&mut self, steps: &mut Vec<Step>, end: char) -> Result<(), JsonPathError> {
        loop {
            match self.next() {
                None | Some('\n') => return Err(JsonPathError::UnterminatedQuotedString),
                Some('\\') => match self.next() {
                    None | Some('\n') => break,
                    Some(_) => {}
                },
                Some(c) if c == end => break,
                Some(_) => {}
            }
        }
        let text = self.consume();
        let unquoted =
            unquote(text).ok_or_else(|| JsonPathError::InvalidQuotedString(text.to_string()))?;
        steps.push(Step::Text(unquoted));
        Ok(())
    }
}

/// client-go's `parseAction`: parses `{text}` and returns the steps of that first action.
fn parse_sub_action(text: &str) -> Result<Vec<Step>, JsonPathError> {
    let wrapped = format!("{{{text}}}");
    let nodes = Parser::new(&wrapped).parse_template()?;
    Ok(nodes
        .into_iter()
        .find_map(|node| match node {
            Node::Action(steps) => Some(steps),
            Node::Text(_) => None,
        })
        .unwrap_or_default())
}

/// `'key'` (client-go's `^'([^']*)'$`).
fn quoted_key(text: &str) -> Option<&str> {
    let key = text.strip_prefix('\'')?.strip_suffix('\'')?;
    (!key.contains('\'')).then_some(key)
}

/// `start:end:step` (client-go's `^(-?[\d]*)(:-?[\d]*)?(:-?[\d]*)?$`).
fn parse_slice(text: &str) -> Result<[Bound; 3], JsonPathError> {
    let parts: Vec<&str> = text.split(':').collect();
    let well_formed = parts.len() <= 3
        && parts.iter().all(|part| {
            let digits = part.strip_prefix('-').unwrap_or(part);
            digits.bytes().all(|b| b.is_ascii_digit())
        });
    if !well_formed {
        return Err(JsonPathError::InvalidArrayIndex(text.to_string()));
    }
    let number = |part: &str| {
        part.parse::<i64>()
            .map_err(|_| JsonPathError::ArrayIndexNotNumber(part.to_string()))
    };
    let mut bounds = [Bound::default(); 3];
    if !parts[0].is_empty() {
        bounds[0] = Bound {
            value: number(parts[0])?,
            known: true,
            derived: false,
        };
    }
    bounds[1] = match parts.get(1) {
        None => Bound {
            value: bounds[0].value.saturating_add(1),
            known: true,
            derived: true,
        },
        Some(&"") => Bound::default(),
        Some(part) => Bound {
            value: number(part)?,
            known: true,
            derived: false,
        },
    };
    if let Some(part) = parts.get(2).filter(|part| !part.is_empty()) {
        bounds[2] = Bound {
            value: number(part)?,
            known: true,
            derived: false,
        };
    }
    Ok(bounds)
}

fn is_operator_char(c: char) -> bool {
    matches!(c, '!' | '<' | '>' | '=')
}

/// Splits `left op right` like client-go's `^([^!<>=]+)([!<>=]+)(.+?)$`.
fn split_comparison(text: &str) -> Option<(&str, &str, &str)> {
    let op_start = text.find(is_operator_char)?;
    if op_start == 0 {
        return None;
    }
    let op_len = text[op_start..]
        .find(|c| !is_operator_char(c))
        .unwrap_or(text.len() - op_start);
    let mut op_end = op_start + op_len;
    if op_end == text.len() {
        // The regexp backtracks: the right side takes the operator's last character.
        if op_len < 2 {
            return None;
        }
        op_end -= 1;
    }
    Some((&text[..op_start], &text[op_start..op_end], &text[op_end..]))
}

/// client-go's `UnquoteExtend`: Go's `strconv.Unquote` for `"…"` and `'…'` strings.
pub(super) fn unquote(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let quote = *bytes.first()?;
    if bytes.len() < 2 || bytes[bytes.len() - 1] != quote || !matches!(quote, b'"' | b'\'') {
        return None;
    }
    let mut rest = &bytes[1..bytes.len() - 1];
    let mut out = Vec::with_capacity(rest.len());
    while let Some((&c, tail)) = rest.split_first() {
        if c == quote {
            return None;
        }
        if c != b'\\' {
            out.push(c);
            rest = tail;
            continue;
        }
        let (&escape, tail) = tail.split_first()?;
        rest = tail;
        match escape {
            b'a' => out.push(0x07),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(0x0b),
            b'\\' => out.push(b'\\'),
            b'\'' | b'"' if escape == quote => out.push(escape),
            b'x' | b'u' | b'U' => {
                let digits = match escape {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let hex = std::str::from_utf8(rest.get(..digits)?).ok()?;
                if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                let value = u32::from_str_radix(hex, 16).ok()?;
                rest = &rest[digits..];
                if escape == b'x' {
                    out.push(value as u8);
                } else {
                    let c = char::from_u32(value)?;
                    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                }
            }
            b'0'..=b'7' => {
                let octal = rest.get(..2)?;
                if !octal.iter().all(|b| (b'0'..=b'7').contains(b)) {
                    return None;
                }
                let value = u32::from(escape - b'0') * 64
                    + u32::from(octal[0] - b'0') * 8
                    + u32::from(octal[1] - b'0');
                rest = &rest[2..];
                out.push(u8::try_from(value).ok()?);
            }
            _ => return None,
        }
    }
    Some(out)
}

/// kubectl's `RelaxedJSONPathExpression`: turns `.a.b`, `a.b`, `{a.b}` or `{.a.b}` into
/// `{.a.b}`. custom-columns and `--sort-by` relax their expressions; `-o jsonpath` does not.
pub fn relaxed(expr: &str) -> Result<String, JsonPathError> {
    if expr.is_empty() {
        return Ok(String::new());
    }
    let no_braces = |s: &str| !s.is_empty() && !s.contains(['{', '}']);
    let body = expr
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .filter(|s| no_braces(s))
        .unwrap_or(expr);
    if !no_braces(body) {
        return Err(JsonPathError::UnexpectedPath);
    }
    // `\.?` is greedy but gives the dot back when nothing else follows it.
    let field = match body.strip_prefix('.') {
        Some(rest) if !rest.is_empty() => rest,
        _ => body,
    };
    Ok(format!("{{.{field}}}"))
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

/// One value a template produced: a part of the data, or something the template made.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Found<'a> {
    /// A value from the data.
    Json(&'a Value),
    /// A literal: text between actions or a quoted string.
    Text(&'a [u8]),
    /// A number literal without a fraction (a Go `int`).
    Int(i64),
    /// Any other number literal (a Go `float64`).
    Float(f64),
    /// `true` or `false`.
    Bool(bool),
    /// One byte of a string, from `*` or `..` (Go walks a string's bytes).
    Byte(u8),
    /// Go's invalid value: what `range` hands to its body for a `null` element.
    Nil,
}

impl Found<'_> {
    /// The text `-o jsonpath` prints: strings raw, objects and arrays as compact JSON,
    /// numbers and booleans as JSON text, `null` as `null`.
    pub fn write_text(&self, out: &mut Vec<u8>) {
        match self {
            Found::Json(value @ (Value::Object(_) | Value::Array(_))) => {
                let mut text = String::new();
                gofmt::write_json(&mut text, value, None, NumberMode::Unstructured);
                out.extend_from_slice(text.as_bytes());
            }
            Found::Json(Value::Null) => out.extend_from_slice(b"null"),
            Found::Json(Value::String(s)) => out.extend_from_slice(s.as_bytes()),
            Found::Json(value) => out.extend_from_slice(self.go_string_of(value).as_bytes()),
            Found::Text(text) => out.extend_from_slice(text),
            Found::Nil => out.extend_from_slice(b"<no value>"),
            Found::Int(_) | Found::Float(_) | Found::Bool(_) | Found::Byte(_) => {
                out.extend_from_slice(self.to_go_string().as_bytes());
            }
        }
    }

    fn go_string_of(&self, value: &Value) -> String {
        gofmt::value_to_string(value, NumberMode::Unstructured)
    }

    /// Go's `%v` of the value, as custom-columns prints it: `map[k:v]`, `[a b]`, `<nil>`.
    pub fn to_go_string(&self) -> String {
        match self {
            Found::Json(value) => self.go_string_of(value),
            Found::Text(text) => String::from_utf8_lossy(text).into_owned(),
            Found::Int(i) => i.to_string(),
            Found::Float(f) => gofmt::format_float(*f),
            Found::Bool(b) => b.to_string(),
            Found::Byte(b) => b.to_string(),
            Found::Nil => "<nil>".to_string(),
        }
    }

    /// `encoding/json`'s text for the value, indented as `json.MarshalIndent` would at `depth`.
    fn write_json(&self, out: &mut String, indent: Option<&str>, depth: usize) {
        match self {
            Found::Json(value) => {
                gofmt::write_json_at(out, value, indent, NumberMode::Unstructured, depth);
            }
            Found::Text(text) => gofmt::write_json_string(out, &String::from_utf8_lossy(text)),
            Found::Float(f) => out.push_str(&gofmt::format_json_float(*f)),
            Found::Nil => out.push_str("null"),
            Found::Int(_) | Found::Bool(_) | Found::Byte(_) => out.push_str(&self.to_go_string()),
        }
    }

    /// The Go type client-go names in "… is not array or slice".
    fn go_type(&self) -> &'static str {
        match self {
            Found::Json(Value::Object(_)) => "map[string]interface {}",
            Found::Json(Value::Array(_)) => "[]interface {}",
            Found::Json(Value::String(_)) | Found::Text(_) => "string",
            Found::Json(Value::Number(n)) => match gofmt::go_number(n, NumberMode::Unstructured) {
                GoNumber::Int(_) => "int64",
                GoNumber::Float(_) => "float64",
            },
            Found::Json(Value::Bool(_)) | Found::Bool(_) => "bool",
            Found::Json(Value::Null) | Found::Nil => "<nil>",
            Found::Int(_) => "int",
            Found::Float(_) => "float64",
            Found::Byte(_) => "uint8",
        }
    }
}

impl<'a> Found<'a> {
    /// The members `*` and `..` step into: object values (sorted by key), array items,
    /// string bytes. `null` and scalars have none.
    fn children(self) -> Vec<Found<'a>> {
        match self {
            Found::Json(Value::Object(map)) => gofmt::sorted_entries(map)
                .into_iter()
                .map(|(_, v)| Found::Json(v))
                .collect(),
            Found::Json(Value::Array(items)) => items.iter().map(Found::Json).collect(),
            Found::Json(Value::String(s)) => s.bytes().map(Found::Byte).collect(),
            Found::Text(text) => text.iter().copied().map(Found::Byte).collect(),
            _ => Vec::new(),
        }
    }
}

/// A value reduced to the kinds Go's template comparisons know.
#[derive(Debug, Clone, Copy)]
enum Basic<'a> {
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(&'a [u8]),
}

fn basic<'a>(found: &Found<'a>) -> Result<Basic<'a>, JsonPathError> {
    Ok(match *found {
        Found::Json(&Value::Bool(b)) | Found::Bool(b) => Basic::Bool(b),
        Found::Json(Value::Number(n)) => match gofmt::go_number(n, NumberMode::Unstructured) {
            GoNumber::Int(i) => Basic::Int(i),
            GoNumber::Float(f) => Basic::Float(f),
        },
        Found::Json(Value::String(s)) => Basic::Str(s.as_bytes()),
        Found::Text(text) => Basic::Str(text),
        Found::Int(i) => Basic::Int(i),
        Found::Float(f) => Basic::Float(f),
        Found::Byte(b) => Basic::Uint(u64::from(b)),
        Found::Json(Value::Null | Value::Array(_) | Value::Object(_)) | Found::Nil => {
            return Err(JsonPathError::InvalidComparisonType);
        }
    })
}

/// Go template's `eq`: same kinds compare, signed and unsigned integers mix, nothing else does.
fn go_eq(a: Basic, b: Basic) -> Result<bool, JsonPathError> {
    Ok(match (a, b) {
        (Basic::Bool(a), Basic::Bool(b)) => a == b,
        (Basic::Int(a), Basic::Int(b)) => a == b,
        (Basic::Uint(a), Basic::Uint(b)) => a == b,
        (Basic::Float(a), Basic::Float(b)) => a == b,
        (Basic::Str(a), Basic::Str(b)) => a == b,
        (Basic::Int(a), Basic::Uint(b)) | (Basic::Uint(b), Basic::Int(a)) => {
            u64::try_from(a) == Ok(b)
        }
        _ => return Err(JsonPathError::IncompatibleComparison),
    })
}

/// Go template's `lt`.
fn go_lt(a: Basic, b: Basic) -> Result<bool, JsonPathError> {
    Ok(match (a, b) {
        (Basic::Bool(_), Basic::Bool(_)) => return Err(JsonPathError::InvalidComparisonType),
        (Basic::Int(a), Basic::Int(b)) => a < b,
        (Basic::Uint(a), Basic::Uint(b)) => a < b,
        (Basic::Float(a), Basic::Float(b)) => a < b,
        (Basic::Str(a), Basic::Str(b)) => a < b,
        (Basic::Int(a), Basic::Uint(b)) => u64::try_from(a).map_or(true, |a| a < b),
        (Basic::Uint(a), Basic::Int(b)) => u64::try_from(b).is_ok_and(|b| a < b),
        _ => return Err(JsonPathError::IncompatibleComparison),
    })
}

fn compare(op: &str, left: &Found, right: &Found) -> Result<bool, JsonPathError> {
    let check = |op: &str| -> Result<(), JsonPathError> {
        match op {
            "==" | "!=" | "<" | ">" | "<=" | ">=" => Ok(()),
            _ => Err(JsonPathError::UnrecognizedFilterOperator(op.to_string())),
        }
    };
    check(op)?;
    let (a, b) = (basic(left)?, basic(right)?);
    match op {
        "==" => go_eq(a, b),
        "!=" => go_eq(a, b).map(|eq| !eq),
        "<" => go_lt(a, b),
        ">=" => go_lt(a, b).map(|lt| !lt),
        // `<=` is `<` or `==`; `>` is not `<=`.
        "<=" => Ok(go_lt(a, b)? || go_eq(a, b)?),
        _ => Ok(!(go_lt(a, b)? || go_eq(a, b)?)),
    }
}

impl JsonPathError {
    /// Whether client-go hands the failing step's input on together with this error. An
    /// existence filter ignores the error and keeps the item when that input is not empty,
    /// so `[?(@.containers[1])]` keeps items whose second container is *missing*.
    fn keeps_input(&self) -> bool {
        matches!(
            self,
            Self::NotArray(_)
                | Self::IndexOutOfBounds { .. }
                | Self::StartAfterEnd { .. }
                | Self::StepNotPositive
                | Self::NotFilterable(_)
                | Self::CompareOneElement
                | Self::UnrecognizedIdentifier(_)
        )
    }
}

/// How deep `range`s may nest: each level is a recursion of the executor, and the stack is
/// not Go's, which grows.
pub const MAX_RANGE_DEPTH: usize = 100;

/// The groups of values a template produced: one group per action or text, repeated for
/// every `range` iteration. `-o jsonpath` prints a group's values separated by spaces.
pub type Groups<'a> = Vec<Vec<Found<'a>>>;

/// client-go's evaluation state. `range` and `end` are words inside actions, not a block
/// structure, so the executor keeps client-go's counters to treat odd templates alike.
struct Executor<'a> {
    nodes: &'a [Node],
    allow_missing_keys: bool,
    /// Ranges entered and not yet closed at the top level (client-go's `stack`).
    open_ranges: usize,
    begin_range: usize,
    in_range: usize,
    end_range: usize,
    /// Index of the node whose `end` closed the most recent range body.
    last_end: Option<usize>,
}

impl<'a> Executor<'a> {
    fn find_results(&mut self, start: usize, data: Found<'a>) -> Result<Groups<'a>, JsonPathError> {
        let mut groups = Vec::new();
        let mut i = start;
        while i < self.nodes.len() {
            let results = self.walk_node(data, &self.nodes[i])?;
            if self.end_range > 0 && self.end_range <= self.in_range {
                self.end_range -= 1;
                self.last_end = Some(i);
                break;
            }
            if self.begin_range > 0 {
                if self.in_range >= MAX_RANGE_DEPTH {
                    return Err(JsonPathError::RangesTooDeep);
                }
                self.begin_range -= 1;
                self.in_range += 1;
                if results.is_empty() {
                    // Walk the body once anyway, to find where it ends.
                    self.find_results(i + 1, Found::Nil)?;
                }
                for value in results {
                    let value = match value {
                        Found::Json(Value::Null) => Found::Nil,
                        other => other,
                    };
                    groups.extend(self.find_results(i + 1, value)?);
                }
                self.in_range -= 1;
                if let Some(end) = self.last_end.filter(|&end| end > i) {
                    i = end;
                }
            } else {
                groups.push(results);
            }
            i += 1;
        }
        Ok(groups)
    }

    fn walk_node(
        &mut self,
        data: Found<'a>,
        node: &'a Node,
    ) -> Result<Vec<Found<'a>>, JsonPathError> {
        match node {
            Node::Text(text) => Ok(vec![Found::Text(text.as_bytes())]),
            Node::Action(steps) => self.eval_steps(vec![data], steps),
        }
    }

    fn eval_steps(
        &mut self,
        mut values: Vec<Found<'a>>,
        steps: &'a [Step],
    ) -> Result<Vec<Found<'a>>, JsonPathError> {
        for step in steps {
            values = self.walk(values, step)?;
        }
        Ok(values)
    }

    fn walk(
        &mut self,
        input: Vec<Found<'a>>,
        step: &'a Step,
    ) -> Result<Vec<Found<'a>>, JsonPathError> {
        match step {
            Step::Text(text) => Ok(vec![Found::Text(text)]),
            Step::Field(name) => self.eval_field(&input, name),
            Step::Slice(bounds) => eval_slice(&input, bounds),
            Step::Filter(filter) => self.eval_filter(&input, filter),
            Step::Int(i) => Ok(vec![Found::Int(*i); input.len()]),
            Step::Float(f) => Ok(vec![Found::Float(*f); input.len()]),
            Step::Bool(b) => Ok(vec![Found::Bool(*b); input.len()]),
            Step::Wildcard => Ok(input.into_iter().flat_map(Found::children).collect()),
            Step::Recursive => Ok(eval_recursive(&input)),
            Step::Union(alternatives) => {
                let mut results = Vec::new();
                for alternative in alternatives {
                    results.extend(self.eval_steps(input.clone(), alternative)?);
                }
                Ok(results)
            }
            Step::Identifier(name) => self.eval_identifier(input, name),
        }
    }

    fn eval_field(&self, input: &[Found<'a>], name: &str) -> Result<Vec<Found<'a>>, JsonPathError> {
        let results: Vec<_> = input
            .iter()
            .filter_map(|value| match value {
                Found::Json(Value::Object(map)) => map.get(name).map(Found::Json),
                _ => None,
            })
            .collect();
        if results.is_empty() && !input.is_empty() && !self.allow_missing_keys {
            return Err(JsonPathError::NotFound(name.to_string()));
        }
        Ok(results)
    }

    fn eval_identifier(
        &mut self,
        input: Vec<Found<'a>>,
        name: &str,
    ) -> Result<Vec<Found<'a>>, JsonPathError> {
        match name {
            "range" => {
                self.open_ranges += 1;
                self.begin_range += 1;
                Ok(input)
            }
            "end" if self.end_range < self.in_range => {
                self.end_range += 1;
                Ok(Vec::new())
            }
            "end" if self.open_ranges > 0 => {
                self.open_ranges -= 1;
                Ok(Vec::new())
            }
            "end" => Err(JsonPathError::NotInRange),
            _ => Err(JsonPathError::UnrecognizedIdentifier(name.to_string())),
        }
    }

    fn eval_filter(
        &mut self,
        input: &[Found<'a>],
        filter: &'a Filter,
    ) -> Result<Vec<Found<'a>>, JsonPathError> {
        let mut results = Vec::new();
        for value in input {
            let Found::Json(Value::Array(items)) = value else {
                let shown = match value {
                    Found::Nil => "<invalid reflect.Value>".to_string(),
                    other => other.to_go_string(),
                };
                return Err(JsonPathError::NotFilterable(shown));
            };
            for item in items {
                if self.filter_accepts(item, filter)? {
                    results.push(Found::Json(item));
                }
            }
        }
        Ok(results)
    }

    fn filter_accepts(
        &mut self,
        item: &'a Value,
        filter: &'a Filter,
    ) -> Result<bool, JsonPathError> {
        let item = vec![Found::Json(item)];
        let lefts = self.eval_steps(item.clone(), &filter.left);
        let Some((op, right)) = &filter.comparison else {
            return Ok(match lefts {
                Ok(lefts) => !lefts.is_empty(),
                Err(err) => err.keeps_input(),
            });
        };
        let Some(left) = single(lefts?)? else {
            return Ok(false);
        };
        let Some(right) = single(self.eval_steps(item, right)?)? else {
            return Ok(false);
        };
        compare(op, &left, &right)
    }
}

/// The one value of a filter operand; `None` when there is none.
fn single(values: Vec<Found<'_>>) -> Result<Option<Found<'_>>, JsonPathError> {
    match values.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        _ => Err(JsonPathError::CompareOneElement),
    }
}

fn eval_slice<'a>(
    input: &[Found<'a>],
    bounds: &[Bound; 3],
) -> Result<Vec<Found<'a>>, JsonPathError> {
    let mut results = Vec::new();
    for value in input {
        let items = match value {
            Found::Json(Value::Null) => continue,
            Found::Json(Value::Array(items)) => items,
            other => return Err(JsonPathError::NotArray(other.go_type().to_string())),
        };
        let Some(range) = slice_range(bounds, items.len())? else {
            // client-go stops the whole step at an empty slice.
            return Ok(results);
        };
        results.extend(range.map(|i| Found::Json(&items[i])));
    }
    Ok(results)
}

/// The indexes `[start:end:step]` selects in an array of `length`, with client-go's bound
/// checks; `None` for an empty selection.
fn slice_range(
    bounds: &[Bound; 3],
    length: usize,
) -> Result<Option<std::iter::StepBy<std::ops::Range<usize>>>, JsonPathError> {
    let len = i64::try_from(length).unwrap_or(i64::MAX);
    let [start, end, step] = *bounds;
    let mut from = if start.known { start.value } else { 0 };
    if from < 0 {
        from += len;
    }
    let mut to = if end.known { end.value } else { len };
    if to < 0 || (to == 0 && end.derived) {
        to += len;
    }
    if from == to {
        return Ok(None);
    }
    if from >= len || from < 0 {
        return Err(JsonPathError::IndexOutOfBounds {
            index: from,
            length,
        });
    }
    if to > len || to < 0 {
        return Err(JsonPathError::IndexOutOfBounds {
            index: to - 1,
            length,
        });
    }
    if from > to {
        return Err(JsonPathError::StartAfterEnd {
            start: from,
            end: to,
        });
    }
    let step = if step.known { step.value } else { 1 };
    if step <= 0 {
        return Err(JsonPathError::StepNotPositive);
    }
    // All three are within 0..=len here.
    let as_index = |n: i64| usize::try_from(n).unwrap_or(0);
    Ok(Some((as_index(from)..as_index(to)).step_by(as_index(step))))
}

/// `..`: every value with members (non-empty objects, arrays, strings), depth first.
fn eval_recursive<'a>(input: &[Found<'a>]) -> Vec<Found<'a>> {
    let mut results = Vec::new();
    for value in input {
        let children = value.children();
        if !children.is_empty() {
            results.push(*value);
            results.extend(eval_recursive(&children));
        }
    }
    results
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/// A parsed JSONPath template.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPath {
    nodes: Vec<Node>,
    allow_missing_keys: bool,
}

impl JsonPath {
    /// Parses a template. Missing keys print nothing, as in every kubectl printer; see
    /// [`JsonPath::allow_missing_keys`].
    pub fn parse(template: &str) -> Result<JsonPath, JsonPathError> {
        Ok(JsonPath {
            nodes: Parser::new(template).parse_template()?,
            allow_missing_keys: true,
        })
    }

    /// `--allow-missing-template-keys=false` makes a missing key an error (`x is not found`).
    pub fn allow_missing_keys(mut self, allow: bool) -> JsonPath {
        self.allow_missing_keys = allow;
        self
    }

    /// Whether every action reads only under the given top-level keys (or prints a literal,
    /// or ends a range), so an object holding only those keys prints the same. Anything
    /// else — the whole object (`{@}`), a wildcard, a union or filter at the top — is taken
    /// to read everything.
    pub fn reads_only(&self, roots: &[&str]) -> bool {
        self.nodes.iter().all(|node| match node {
            Node::Text(_) => true,
            Node::Action(steps) => {
                let steps = match steps.split_first() {
                    Some((Step::Identifier(word), rest)) if word == "range" => rest,
                    _ => steps,
                };
                match steps {
                    [Step::Field(name), ..] => roots.contains(&name.as_str()),
                    [Step::Text(_) | Step::Int(_) | Step::Float(_) | Step::Bool(_)] => true,
                    [Step::Identifier(word)] => word == "end",
                    _ => false,
                }
            }
        })
    }

    /// Evaluates the template: one group of values per action or text, per `range` iteration.
    /// custom-columns and `--sort-by` read values from here.
    pub fn evaluate<'a>(&'a self, data: &'a Value) -> Result<Groups<'a>, JsonPathError> {
        let mut executor = Executor {
            nodes: &self.nodes,
            allow_missing_keys: self.allow_missing_keys,
            open_ranges: 0,
            begin_range: 0,
            in_range: 0,
            end_range: 0,
            last_end: None,
        };
        executor.find_results(0, Found::Json(data))
    }

    /// `-o jsonpath`: writes the template's output for `data`. Nothing is written when the
    /// evaluation fails, as with kubectl.
    pub fn execute(&self, data: &Value, out: &mut impl Write) -> Result<(), JsonPathError> {
        let mut text = Vec::new();
        for group in self.evaluate(data)? {
            text.clear();
            for (i, value) in group.iter().enumerate() {
                if i > 0 {
                    text.push(b' ');
                }
                value.write_text(&mut text);
            }
            out.write_all(&text)?;
        }
        Ok(())
    }

    /// `-o jsonpath-as-json`: every group as an indented JSON array on its own lines.
    pub fn execute_as_json(&self, data: &Value, out: &mut impl Write) -> Result<(), JsonPathError> {
        let mut text = String::new();
        for group in self.evaluate(data)? {
            text.clear();
            if group.is_empty() {
                text.push_str("[]");
            } else {
                text.push('[');
                for (i, value) in group.iter().enumerate() {
                    text.push_str(if i > 0 { ",\n    " } else { "\n    " });
                    value.write_json(&mut text, Some("    "), 1);
                }
                text.push_str("\n]");
            }
            text.push('\n');
            out.write_all(text.as_bytes())?;
        }
        Ok(())
    }
}

/// How a [`JsonPathPrinter`] writes results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonPathOutput {
    /// `-o jsonpath` / `-o jsonpath-file`.
    Text,
    /// `-o jsonpath-as-json`.
    Json,
}

/// kubectl's printer errors, worded as kubectl prints them after `error: `.
#[derive(Debug)]
pub enum JsonPathPrinterError {
    /// `-o jsonpath=` with nothing after the `=`.
    NoTemplate,
    /// The template does not parse.
    Parse {
        template: String,
        source: JsonPathError,
    },
    /// The template failed on an object; `object` is the Go `%#v` dump kubectl appends.
    Execute {
        template: String,
        source: JsonPathError,
        object: String,
    },
    /// Writing the output failed.
    Io(io::Error),
}

impl fmt::Display for JsonPathPrinterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoTemplate => f.write_str("template format specified but no template given"),
            Self::Parse { template, source } => {
                write!(f, "error parsing jsonpath {template}, {source}")
            }
            Self::Execute {
                template,
                source,
                object,
            } => write!(
                f,
                "error executing jsonpath {}: Error executing template: {source}. Printing more \
                 information for debugging the template:\n\ttemplate was:\n\t\t{template}\n\t\
                 object given to jsonpath engine was:\n\t\t{object}\n\n\n",
                gofmt::quote(template)
            ),
            Self::Io(err) => err.fmt(f),
        }
    }
}

impl std::error::Error for JsonPathPrinterError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Parse { source, .. } | Self::Execute { source, .. } => Some(source),
            Self::Io(err) => Some(err),
            Self::NoTemplate => None,
        }
    }
}

/// kubectl's `-o jsonpath[-file|-as-json]` printer: a template plus kubectl's error texts.
#[derive(Debug, Clone)]
pub struct JsonPathPrinter {
    template: String,
    path: JsonPath,
    output: JsonPathOutput,
}

impl JsonPathPrinter {
    /// Parses `template` (the text after `-o jsonpath=`, or a `jsonpath-file`'s content).
    pub fn new(template: &str, output: JsonPathOutput) -> Result<Self, JsonPathPrinterError> {
        if template.is_empty() {
            return Err(JsonPathPrinterError::NoTemplate);
        }
        let path = JsonPath::parse(template).map_err(|source| JsonPathPrinterError::Parse {
            template: template.to_string(),
            source,
        })?;
        Ok(JsonPathPrinter {
            template: template.to_string(),
            path,
            output,
        })
    }

    /// `--allow-missing-template-keys` (kubectl's default: true).
    pub fn allow_missing_keys(mut self, allow: bool) -> Self {
        self.path = self.path.allow_missing_keys(allow);
        self
    }

    /// See [`JsonPath::reads_only`].
    pub fn reads_only(&self, roots: &[&str]) -> bool {
        self.path.reads_only(roots)
    }

    /// Prints one object (kubectl hands a `get` of several objects over as one `List`).
    pub fn print(&self, object: &Value, out: &mut impl Write) -> Result<(), JsonPathPrinterError> {
        let result = match self.output {
            JsonPathOutput::Text => self.path.execute(object, out),
            JsonPathOutput::Json => self.path.execute_as_json(object, out),
        };
        match result {
            Ok(()) => Ok(()),
            Err(JsonPathError::Io(err)) => Err(JsonPathPrinterError::Io(err)),
            Err(source) => {
                let mut dump = String::new();
                gofmt::write_go_syntax(&mut dump, object, NumberMode::Unstructured);
                Err(JsonPathPrinterError::Execute {
                    template: self.template.clone(),
                    source,
                    object: dump,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ranges_nested_past_the_limit_are_an_error_not_a_stack_overflow() {
        // `{range @}` iterates once, over the current value.
        let data = json!({"one": [1]});
        let template =
            |depth: usize| format!("{}x{}", "{range @}".repeat(depth), "{end}".repeat(depth));
        let path = JsonPath::parse(&template(MAX_RANGE_DEPTH)).expect("parsed");
        let mut out = Vec::new();
        path.execute(&data, &mut out).expect("executed");
        assert_eq!(out, b"x");
        let path = JsonPath::parse(&template(100_000)).expect("parsed");
        let err = path.execute(&data, &mut Vec::new()).expect_err("too deep");
        assert_eq!(
            err.to_string(),
            "ranges nested deeper than kz's limit of 100"
        );
    }

    #[test]
    fn templates_know_which_top_level_keys_they_read() {
        let roots = ["metadata", "kind"];
        let reads = |template: &str| {
            JsonPath::parse(template)
                .expect(template)
                .reads_only(&roots)
        };
        for template in [
            "{.metadata.name}",
            "{@.metadata.name}{\"\\t\"}{.kind}{\"\\n\"}",
            "name: {.metadata.labels.app} {1} {true}",
            "{range .metadata.ownerReferences[?(@.controller==true)]}{.kind}{end}",
            "{.metadata..name}",
        ] {
            assert!(reads(template), "{template}");
        }
        for template in [
            "{@}",
            "{.spec.nodeName}",
            "{.metadata.name} {.status.phase}",
            "{.*}",
            "{..name}",
            "{['metadata','spec']}",
            "{[*].metadata}",
            "{range .spec.containers[*]}{.name}{end}",
            // Actions inside a range are judged like any other: conservatively.
            "{range .metadata.ownerReferences[*]}{.name}{end}",
            "{.metadata.name}{bogus}",
        ] {
            assert!(!reads(template), "{template}");
        }
    }

    /// The input of the kubernetes.io "JSONPath Support" page.
    fn docs_example() -> Value {
        json!({
            "kind": "List",
            "items": [
                {
                    "kind": "None",
                    "metadata": {
                        "name": "127.0.0.1",
                        "labels": {"kubernetes.io/hostname": "127.0.0.1"}
                    },
                    "status": {
                        "capacity": {"cpu": "4"},
                        "addresses": [{"type": "LegacyHostIP", "address": "127.0.0.1"}]
                    }
                },
                {
                    "kind": "None",
                    "metadata": {"name": "127.0.0.2"},
                    "status": {
                        "capacity": {"cpu": "8"},
                        "addresses": [
                            {"type": "LegacyHostIP", "address": "127.0.0.2"},
                            {"type": "another", "address": "127.0.0.3"}
                        ]
                    }
                }
            ],
            "users": [
                {"name": "myself", "user": {}},
                {"name": "e2e", "user": {"username": "admin", "password": "secret"}}
            ]
        })
    }

    /// The object the behaviour below was checked on with kubectl v1.32
    /// (`kubectl annotate --local -f obj.json foo=bar -o jsonpath=…`).
    fn thing() -> Value {
        json!({
            "apiVersion": "example.org/v1",
            "kind": "Thing",
            "metadata": {
                "name": "x",
                "annotations": {"foo": "bar", "kubernetes.io/change-cause": "a<b&c>"}
            },
            "things": [
                {"a": 1, "b": "two", "c": [1, 2, 3]},
                {"a": 2.5, "b": null, "m": {"z": 1, "a": [true]}}
            ],
            "n": 1000000,
            "f": 1.5,
            "e": 1e3,
            "big": 1e21,
            "one": 1.0,
            "ctl": "\u{8}\u{c}\u{1}\u{2028}"
        })
    }

    fn run(template: &str, data: &Value) -> Result<String, JsonPathError> {
        let path = JsonPath::parse(template)?;
        let mut out = Vec::new();
        path.execute(data, &mut out)?;
        Ok(String::from_utf8(out).expect("utf-8 output"))
    }

    fn ok(template: &str, data: &Value) -> String {
        run(template, data).unwrap_or_else(|err| panic!("{template}: {err}"))
    }

    fn err(template: &str, data: &Value) -> String {
        match run(template, data) {
            Ok(out) => panic!("{template}: expected an error, got {out:?}"),
            Err(err) => err.to_string(),
        }
    }

    fn as_json(template: &str, data: &Value) -> String {
        let mut out = Vec::new();
        JsonPath::parse(template)
            .and_then(|path| path.execute_as_json(data, &mut out))
            .unwrap_or_else(|err| panic!("{template}: {err}"));
        String::from_utf8(out).expect("utf-8 output")
    }

    #[test]
    fn docs_examples() {
        let data = docs_example();
        assert_eq!(ok("{.kind}", &data), "List");
        assert_eq!(ok("{['kind']}", &data), "List");
        assert_eq!(ok("{$.kind}", &data), "List");
        assert_eq!(ok("{..name}", &data), "127.0.0.1 127.0.0.2 myself e2e");
        assert_eq!(
            ok("{.items[*].metadata.name}", &data),
            "127.0.0.1 127.0.0.2"
        );
        assert_eq!(ok("{.users[0].name}", &data), "myself");
        assert_eq!(ok("{.items[-1:].metadata.name}", &data), "127.0.0.2");
        assert_eq!(ok("{.items[0].metadata.name}", &data), "127.0.0.1");
        assert_eq!(
            ok(r#"{.users[?(@.name=="e2e")].user.password}"#, &data),
            "secret"
        );
        assert_eq!(
            ok("{.items[0]['metadata.name', 'status.capacity']}", &data),
            r#"127.0.0.1 {"cpu":"4"}"#
        );
        assert_eq!(
            ok("{.items[*]['metadata.name', 'status.capacity']}", &data),
            r#"127.0.0.1 127.0.0.2 {"cpu":"4"} {"cpu":"8"}"#
        );
        assert_eq!(
            ok(
                "{range .items[*]}[{.metadata.name}, {.status.capacity}] {end}",
                &data
            ),
            r#"[127.0.0.1, {"cpu":"4"}] [127.0.0.2, {"cpu":"8"}] "#
        );
        assert_eq!(
            ok(
                r#"{.items[*].status.addresses[?(@.type=="LegacyHostIP")].address}"#,
                &data
            ),
            "127.0.0.1 127.0.0.2"
        );
        assert_eq!(ok("{.users[?(@.user.password)].name}", &data), "e2e");
        assert_eq!(
            ok(r#"{range .items[*]}{.metadata.name}{"\t"}{end}"#, &data),
            "127.0.0.1\t127.0.0.2\t"
        );
    }

    #[test]
    fn range_over_the_pod_list_fixture_matches_kubectl_lines() {
        let pods: Value =
            serde_json::from_str(include_str!("../../tests/fixtures/http/029-list-pods.json"))
                .expect("fixture");
        let transcript = include_str!("../../tests/fixtures/kubectl/get-pods-jsonpath-range.txt");
        let template = r#"{range .items[*]}{.metadata.name}{"\t"}{.status.podIP}{"\n"}{end}"#;
        let out = ok(template, &pods);
        // The list was recorded at a different moment than the transcript: every line we
        // print must be one kubectl printed, in the same order.
        let expected: Vec<&str> = transcript
            .lines()
            .skip_while(|line| *line != "# --- stdout")
            .skip(1)
            .take_while(|line| !line.starts_with("# ---"))
            .collect();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), pods["items"].as_array().map_or(0, Vec::len));
        assert!(out.ends_with('\n'));
        let mut remaining = expected.iter();
        for line in &lines {
            assert!(line.contains('\t'), "{line}");
            assert!(
                remaining.any(|want| want == line),
                "{line} not in {expected:?}"
            );
        }
    }

    #[test]
    fn values_print_like_client_go() {
        let data = thing();
        assert_eq!(
            ok(
                "{.things[*].a} {.n} {.e} {.big} {.one} {.f} {.things[1].m} {.metadata.annotations} {.ctl}",
                &data
            ),
            "1 2.5 1000000 1000 1e+21 1 1.5 {\"a\":[true],\"z\":1} \
             {\"foo\":\"bar\",\"kubernetes.io/change-cause\":\"a\\u003cb\\u0026c\\u003e\"} \
             \u{8}\u{c}\u{1}\u{2028}"
        );
        assert_eq!(ok("{.things[0].c}", &data), "[1,2,3]");
        assert_eq!(ok("{.things[*]['a','b']}", &data), "1 2.5 two null");
        assert_eq!(ok("{.things[1].b}", &data), "null");
        assert_eq!(ok("{.things[0].b}{.missing}|", &data), "two|");
    }

    #[test]
    fn literals_and_current_object() {
        let data = thing();
        assert_eq!(
            ok(
                r#"{@.kind} {$.kind} {.metadata.name .kind}|{1}{true}{1.5}|"#,
                &data
            ),
            "Thing Thing |1true1.5|"
        );
        assert_eq!(ok(r#"{"a\tb\u00e9"}{'it\'s'}"#, &data), "a\tbéit's");
        assert_eq!(ok(r#"{"\x41\101\n"}"#, &data), "AA\n");
        assert_eq!(ok("plain text", &data), "plain text");
        assert_eq!(ok("{$}", &json!("s")), "s");
        assert_eq!(ok("{@}", &json!({"b": 1, "a": 2})), r#"{"a":2,"b":1}"#);
    }

    #[test]
    fn fields_with_dots_and_odd_characters() {
        let data = json!({"metadata": {"annotations": {"kubernetes.io/change-cause": "kubectl apply"}, "a.b": 7}});
        assert_eq!(
            ok(
                r"{.metadata.annotations.kubernetes\.io/change-cause}",
                &data
            ),
            "kubectl apply"
        );
        assert_eq!(
            ok(
                r"{.metadata.annotations['kubernetes\.io/change-cause']}",
                &data
            ),
            "kubectl apply"
        );
        assert_eq!(ok(r"{.metadata.a\.b}", &data), "7");
        // A quoted key is a path: 'a.b' means .a.b, as in client-go.
        assert_eq!(ok("{.metadata['a.b']}", &data), "");
        assert_eq!(ok(r"{.metadata\.name}", &thing()), "");
    }

    #[test]
    fn slices_and_indexes() {
        let data = thing();
        assert_eq!(ok("{.things[-1].a}", &data), "2.5");
        assert_eq!(ok("{.things[-1:].a}", &data), "2.5");
        assert_eq!(ok("{.things[0].c[1:]}", &data), "2 3");
        assert_eq!(ok("{.things[0].c[:-1]}", &data), "1 2");
        assert_eq!(ok("{.things[0].c[0:3:2]}", &data), "1 3");
        assert_eq!(
            ok("{.things[0].c[:]} {.things[0].c[*]}", &data),
            "1 2 3 1 2 3"
        );
        assert_eq!(
            ok("{.things[0].c[1:-1]} {.things[0].c[-2:]}", &data),
            "2 2 3"
        );
        // client-go quirks: `[]` is `[0]`; an empty slice ends the step.
        assert_eq!(ok("{.things[].a}", &data), "1");
        assert_eq!(ok("{.things[0:0]}x", &data), "x");
        assert_eq!(ok("{.things[0].c[3:3]}", &data), "");
        assert_eq!(ok("{.missing[0]}", &data), "");
        assert_eq!(ok("{.things[1].b[0]}", &data), "");
    }

    #[test]
    fn wildcard_and_recursive_descent() {
        let data = thing();
        assert_eq!(ok("{..a}", &data), "1 2.5 [true]");
        assert_eq!(ok("{.things[1].m.*}", &data), "[true] 1");
        assert_eq!(ok("{.metadata.name.*}", &data), "120");
        assert_eq!(ok("{..a..b}", &data), "");
        assert_eq!(
            ok("{.things[0]...*}", &json!({"things": [{"c": [1, 2]}]})),
            "[1,2] 1 2"
        );
    }

    #[test]
    fn unions() {
        let data = thing();
        assert_eq!(ok("{.things[0]['a','b']}", &data), "1 two");
        assert_eq!(ok("{.things[0].c[0,2]}", &data), "1 3");
        assert_eq!(ok("{.things[0].c[0, -1]}", &data), "1 3");
    }

    #[test]
    fn filters() {
        let data = thing();
        assert_eq!(ok("{.things[?(@.a)].a}", &data), "1 2.5");
        assert_eq!(ok("{.things[?(@.m)].a}", &data), "2.5");
        assert_eq!(ok("{.things[0].c[?(@ > 1)]}", &data), "2 3");
        assert_eq!(ok("{.things[0].c[?(@ >= 2)]}", &data), "2 3");
        assert_eq!(ok("{.things[0].c[?(@ < 2)]}", &data), "1");
        assert_eq!(ok("{.things[0].c[?(@ <= 2)]}", &data), "1 2");
        assert_eq!(ok("{.things[0].c[?(@ != 2)]}", &data), "1 3");
        assert_eq!(ok("{.things[0].c[?(@ == 2)]}", &data), "2");
        assert_eq!(ok("{.missing[?(@.a)]}", &data), "");
        let words = json!({"w": [{"s": "b"}, {"s": "a"}, {"s": "c"}, {"t": 1}]});
        assert_eq!(ok("{.w[?(@.s > 'a')].s}", &words), "b c");
        assert_eq!(ok(r#"{.w[?(@.s == "a")].s}"#, &words), "a");
        assert_eq!(ok("{.w[?(@.s != 'a')].s}", &words), "b c");
        let flags = json!({"n": [{"u": true, "x": 1}, {"u": false, "x": 2}]});
        assert_eq!(ok("{.n[?(@.u == true)].x}", &flags), "1");
        // An existence filter keeps items whose index lookup *failed* (client-go quirk).
        assert_eq!(ok("{.things[?(@.c[5])].a}", &data), "1");
        // Comparison errors, as kubectl reports them.
        assert_eq!(
            err("{.things[?(@.a==2.5)].a}", &data),
            "incompatible types for comparison"
        );
        assert_eq!(
            err(r#"{.things[?(@.b=="two")].a}"#, &data),
            "invalid type for comparison"
        );
        assert_eq!(
            err("{.things[?(@.a = 1)]}", &data),
            "unrecognized filter operator ="
        );
        assert_eq!(
            err("{.things[?(@.c > 1)]}", &data),
            "invalid type for comparison"
        );
        assert_eq!(
            err("{.n[?(@.u < true)]}", &flags),
            "invalid type for comparison"
        );
        assert_eq!(
            err("{.things[?(@.c[*] == 1)]}", &data),
            "can only compare one element at a time"
        );
        assert_eq!(
            err("{.metadata[?(@.a)]}", &data),
            "map[annotations:map[foo:bar kubernetes.io/change-cause:a<b&c>] name:x] \
             is not array or slice and cannot be filtered"
        );
    }

    #[test]
    fn ranges() {
        let data = thing();
        assert_eq!(ok("{range .things[*]}[{.a}]{end}", &data), "[1][2.5]");
        assert_eq!(
            ok(
                "{range .things[*]}{.a}{range .c[*]}<{@}>{end};{end}|",
                &data
            ),
            "1<1><2><3>;2.5;|"
        );
        assert_eq!(
            ok("{range .things[*].b}[{@}]{end}", &data),
            "[two][<no value>]"
        );
        assert_eq!(ok("{range .missing[*]}[{@}]{end}after", &data), "after");
        // Without `end` the body runs per item, then once more on the outer object.
        assert_eq!(ok("{range .things[*]}{.a},", &data), "1,2.5,,");
        assert_eq!(ok("{range}", &data), "");
        assert_eq!(ok("{range .things[*]}{end}{end}", &data), "");
        assert_eq!(err("{end}", &data), "not in range, nothing to end");
        assert_eq!(
            err("{.kind}{end}{end}", &data),
            "not in range, nothing to end"
        );
        assert_eq!(err("{foo}", &data), "unrecognized identifier foo");
    }

    #[test]
    fn evaluation_is_repeatable() {
        let path = JsonPath::parse("{range .things[*]}{.a}{end}|").expect("parse");
        let data = thing();
        for _ in 0..2 {
            let mut out = Vec::new();
            path.execute(&data, &mut out).expect("execute");
            assert_eq!(out, b"12.5|");
        }
    }

    #[test]
    fn evaluate_returns_groups() {
        let data = thing();
        let path = JsonPath::parse("{.kind}:{.things[*].a}").expect("parse");
        let groups = path.evaluate(&data).expect("evaluate");
        assert_eq!(groups.len(), 3);
        assert_eq!(groups[0], vec![Found::Json(&data["kind"])]);
        assert_eq!(groups[1], vec![Found::Text(b":")]);
        assert_eq!(groups[2].len(), 2);
        assert_eq!(groups[2][1].to_go_string(), "2.5");
        assert_eq!(
            Found::Json(&data["things"][1]["m"]).to_go_string(),
            "map[a:[true] z:1]"
        );
    }

    #[test]
    fn execution_errors() {
        let data = thing();
        let cases = [
            (
                "{.things[0].c[5]}",
                "array index out of bounds: index 5, length 3",
            ),
            (
                "{.things[0].c[-4]}",
                "array index out of bounds: index -1, length 3",
            ),
            (
                "{.things[0].c[0:4]}",
                "array index out of bounds: index 3, length 3",
            ),
            (
                "{.things[2:1]}",
                "array index out of bounds: index 2, length 2",
            ),
            (
                "{.things[0].c[2:1]}",
                "starting index 2 is greater than ending index 1",
            ),
            ("{.things[::0]}", "step must be > 0"),
            ("{.things[::-1]}", "step must be > 0"),
            (
                "{.metadata[0]}",
                "map[string]interface {} is not array or slice",
            ),
            ("{.kind[0]}", "string is not array or slice"),
            ("{.n[0]}", "int64 is not array or slice"),
            ("{.f[0]}", "float64 is not array or slice"),
        ];
        for (template, want) in cases {
            assert_eq!(err(template, &data), want, "{template}");
        }
    }

    #[test]
    fn missing_keys_can_be_errors() {
        let data = thing();
        let strict = JsonPath::parse("{.metadata.nope}")
            .expect("parse")
            .allow_missing_keys(false);
        let mut out = Vec::new();
        let error = strict.execute(&data, &mut out).expect_err("missing key");
        assert_eq!(error.to_string(), "nope is not found");
        let lenient = JsonPath::parse("{.metadata.nope}").expect("parse");
        assert!(lenient.execute(&data, &mut out).is_ok());
        assert!(out.is_empty());
    }

    #[test]
    fn parse_errors() {
        let cases = [
            ("{.foo[}", "unterminated array"),
            ("{.foo", "unclosed action"),
            ("{.a\n}", "unclosed action"),
            ("{#}", "unrecognized character in action: U+0023 '#'"),
            ("{.a\t}", "unrecognized character in action: U+0009"),
            (r#"{["things"]}"#, r#"invalid array index "things""#),
            ("{.c[a]}", "invalid array index a"),
            ("{.c[1:2:3:4]}", "invalid array index 1:2:3:4"),
            ("{.c[-]}", "array index - is not a number"),
            (
                "{.c[99999999999999999999]}",
                "array index 99999999999999999999 is not a number",
            ),
            (r#"{"\q"}"#, r#"unquote string "\q" error invalid syntax"#),
            (r#"{'\"'}"#, r#"unquote string '\"' error invalid syntax"#),
            (r#"{"abc}"#, "unterminated quoted string"),
            ("{....a}", "invalid multiple recursive descent"),
            ("{.a[?(@.a==1}", "unterminated filter"),
            ("{.a[?(@.a==1)}", "unclosed array expect ]"),
            (
                "{.a[?(@.a==)]}",
                "unrecognized character in action: U+003D '='",
            ),
            (
                "{.a[?(<1)]}",
                "unrecognized character in action: U+003C '<'",
            ),
            ("{.a..*}", "unrecognized character in action: U+002A '*'"),
            ("{1.2.3}", "cannot parse number 1.2.3"),
            ("{+}", "cannot parse number +"),
        ];
        for (template, want) in cases {
            match JsonPath::parse(template) {
                Ok(path) => panic!("{template}: parsed as {path:?}"),
                Err(err) => assert_eq!(err.to_string(), want, "{template}"),
            }
        }
    }

    #[test]
    fn as_json_output() {
        let data = thing();
        assert_eq!(
            as_json("{.things[*].a}hello{.nope}", &data),
            "[\n    1,\n    2.5\n]\n[\n    \"hello\"\n]\n[]\n"
        );
        assert_eq!(
            as_json("{.things[1]}", &data),
            "[\n    {\n        \"a\": 2.5,\n        \"b\": null,\n        \"m\": {\n            \
             \"a\": [\n                true\n            ],\n            \"z\": 1\n        }\n    \
             }\n]\n"
        );
        assert_eq!(
            as_json("{range .things[*]}{.a}{end}", &data),
            "[\n    1\n]\n[\n    2.5\n]\n"
        );
    }

    #[test]
    fn relaxed_expressions() {
        let cases = [
            (".metadata.name", "{.metadata.name}"),
            ("metadata.name", "{.metadata.name}"),
            ("{metadata.name}", "{.metadata.name}"),
            ("{.metadata.name}", "{.metadata.name}"),
            (".spec.containers[*].image", "{.spec.containers[*].image}"),
            (".", "{..}"),
            ("{.}", "{..}"),
            ("", ""),
        ];
        for (expr, want) in cases {
            assert_eq!(relaxed(expr).expect(expr), want, "{expr}");
        }
        for expr in ["{}", "{a}b}", "{.a}{.b}", "a{b"] {
            assert_eq!(
                relaxed(expr).expect_err(expr).to_string(),
                "unexpected path string, expected a 'name1.name2' or '.name1.name2' or \
                 '{name1.name2}' or '{.name1.name2}'"
            );
        }
    }

    #[test]
    fn printer_messages_match_kubectl() {
        assert_eq!(
            JsonPathPrinter::new("", JsonPathOutput::Text)
                .expect_err("empty")
                .to_string(),
            "template format specified but no template given"
        );
        assert_eq!(
            JsonPathPrinter::new("{.foo[}", JsonPathOutput::Text)
                .expect_err("syntax")
                .to_string(),
            "error parsing jsonpath {.foo[}, unterminated array"
        );
        let printer = JsonPathPrinter::new(r#"{.a[5]}"#, JsonPathOutput::Text).expect("parse");
        let mut out = Vec::new();
        let error = printer
            .print(&json!({"a": [1, "x"], "b": null}), &mut out)
            .expect_err("out of bounds");
        assert_eq!(
            error.to_string(),
            "error executing jsonpath \"{.a[5]}\": Error executing template: array index out of \
             bounds: index 5, length 2. Printing more information for debugging the template:\n\
             \ttemplate was:\n\t\t{.a[5]}\n\tobject given to jsonpath engine was:\n\t\t\
             map[string]interface {}{\"a\":[]interface {}{1, \"x\"}, \"b\":interface {}(nil)}\n\n\n"
        );
        assert!(out.is_empty());
        let printer = JsonPathPrinter::new("{.a}", JsonPathOutput::Json).expect("parse");
        printer.print(&json!({"a": "x"}), &mut out).expect("print");
        assert_eq!(out, b"[\n    \"x\"\n]\n");
    }
}
