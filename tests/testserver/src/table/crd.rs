//! Custom resources: columns from the CRD's additionalPrinterColumns, after Name.
//!
//! Like apiextensions-apiserver, a version without columns gets a single Age column; cells are
//! the first JSONPath result, converted to the column's type (a "date" becomes an age), and
//! null when the path finds nothing or the value does not fit the type.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::columns::{AGE_DESCRIPTION, NAME};
use super::duration::age_of;
use super::fields::{name, text};

/// One additionalPrinterColumns entry, ready to evaluate.
pub(crate) struct CustomColumn {
    definition: Value,
    kind: String,
    path: Option<Vec<Step>>,
}

/// One step of a simple JSONPath: `.field`, `['field']`, `[2]`, `[-1]` or `[*]`.
#[derive(Debug, PartialEq)]
enum Step {
    Field(String),
    Index(i64),
    Wildcard,
}

pub(crate) fn columns(printer_columns: &[Value]) -> Vec<CustomColumn> {
    if printer_columns.is_empty() {
        let age = json!({"name": "Age", "type": "date", "description": AGE_DESCRIPTION,
                         "jsonPath": ".metadata.creationTimestamp"});
        return vec![CustomColumn::new(&age)];
    }
    printer_columns.iter().map(CustomColumn::new).collect()
}

pub(crate) fn column_definitions(columns: &[CustomColumn]) -> Vec<Value> {
    std::iter::once(NAME.to_json())
        .chain(columns.iter().map(|column| column.definition.clone()))
        .collect()
}

pub(crate) fn cells(columns: &[CustomColumn], object: &Value, now: Timestamp) -> Vec<Value> {
    std::iter::once(name(object))
        .chain(columns.iter().map(|column| column.cell(object, now)))
        .collect()
}

impl CustomColumn {
    fn new(column: &Value) -> CustomColumn {
        let json_path = text(column, "/jsonPath");
        let description = match text(column, "/description") {
            "" => format!("Custom resource definition column (in JSONPath format): {json_path}"),
            description => description.to_string(),
        };
        let kind = text(column, "/type").to_string();
        CustomColumn {
            definition: json!({
                "name": text(column, "/name"),
                "type": kind,
                "format": text(column, "/format"),
                "description": description,
                "priority": column.get("priority").and_then(Value::as_i64).unwrap_or(0),
            }),
            kind,
            path: parse_path(json_path),
        }
    }

    fn cell(&self, object: &Value, now: Timestamp) -> Value {
        let found = self.path.as_deref().and_then(|path| evaluate(path, object));
        match found {
            Some(value) if !value.is_null() => typed_cell(&self.kind, value, now),
            _ => Value::Null,
        }
    }
}

/// The value converted to the column type, as the CRD table convertor does.
fn typed_cell(kind: &str, value: &Value, now: Timestamp) -> Value {
    match (kind, value) {
        ("string", value) => go_text(value).into(),
        ("integer", Value::Number(number)) => number
            .as_i64()
            .or_else(|| number.as_f64().map(|f| f as i64))
            .map_or(Value::Null, Value::from),
        // Go's float64(2) encodes as 2, so whole numbers stay as they are.
        ("number", Value::Number(_)) => value.clone(),
        ("boolean", Value::Bool(_)) => value.clone(),
        ("date", Value::String(date)) => date_cell(date, now).into(),
        _ => Value::Null,
    }
}

/// A date column shows the age; an unparsable date is "<invalid>", an empty one "<unknown>".
fn date_cell(date: &str, now: Timestamp) -> String {
    if date.is_empty() {
        return "<unknown>".to_string();
    }
    match date.parse::<Timestamp>() {
        Ok(then) => age_of(Some(then), now),
        Err(_) => "<invalid>".to_string(),
    }
}

/// How Go's JSONPath prints a value in a string column: text as is, numbers and booleans in
/// Go's formatting, lists and maps as compact JSON.
fn go_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Number(number) => match number.as_f64() {
            Some(float) if number.is_f64() => go_float(float),
            _ => number.to_string(),
        },
        Value::Bool(flag) => flag.to_string(),
        Value::Null => "null".to_string(),
        Value::Array(_) | Value::Object(_) => value.to_string(),
    }
}

/// Go's %v for a float64: shortest form, exponent notation below 1e-4 and from 1e21.
fn go_float(float: f64) -> String {
    let magnitude = float.abs();
    if float != 0.0 && !(1e-4..1e21).contains(&magnitude) {
        let rust = format!("{float:e}");
        let (mantissa, exponent) = rust.split_once('e').unwrap_or((&rust, "0"));
        let (sign, digits) = match exponent.strip_prefix('-') {
            Some(digits) => ('-', digits),
            None => ('+', exponent),
        };
        return format!("{mantissa}e{sign}{digits:0>2}");
    }
    format!("{float}")
}

/// Parses `.spec.items[0].name`-style paths (optionally wrapped in `{}`); None if unsupported.
fn parse_path(path: &str) -> Option<Vec<Step>> {
    let path = path.trim();
    let path = path
        .strip_prefix('{')
        .and_then(|p| p.strip_suffix('}'))
        .unwrap_or(path);
    let mut steps = Vec::new();
    let mut rest = path;
    while let Some(first) = rest.chars().next() {
        rest = match first {
            '.' => parse_field(&rest[1..], &mut steps),
            '[' => parse_bracket(&rest[1..], &mut steps)?,
            _ => return None,
        };
    }
    Some(steps)
}

/// A dotted field name, up to the next unescaped `.` or `[`; `\.` is a literal dot.
fn parse_field<'a>(rest: &'a str, steps: &mut Vec<Step>) -> &'a str {
    let mut field = String::new();
    let mut chars = rest.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        match c {
            '\\' if chars.peek().is_some_and(|(_, next)| *next == '.') => {
                field.push('.');
                chars.next();
            }
            '.' | '[' => {
                if !field.is_empty() {
                    steps.push(Step::Field(field));
                }
                return &rest[index..];
            }
            c => field.push(c),
        }
    }
    if !field.is_empty() {
        steps.push(Step::Field(field));
    }
    ""
}

/// `[n]`, `[*]` or `['field']`.
fn parse_bracket<'a>(rest: &'a str, steps: &mut Vec<Step>) -> Option<&'a str> {
    let end = rest.find(']')?;
    let inner = rest[..end].trim();
    let step = if inner == "*" {
        Step::Wildcard
    } else if let Some(quoted) = inner
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
    {
        Step::Field(quoted.to_string())
    } else {
        Step::Index(inner.parse().ok()?)
    };
    steps.push(step);
    Some(&rest[end + 1..])
}

/// The first value the path finds.
fn evaluate<'a>(path: &[Step], object: &'a Value) -> Option<&'a Value> {
    path.iter().try_fold(object, |value, step| match step {
        Step::Field(field) => value.get(field.as_str()),
        Step::Index(index) => {
            let list = value.as_array()?;
            let position = if *index < 0 {
                list.len().checked_sub(index.unsigned_abs() as usize)?
            } else {
                usize::try_from(*index).ok()?
            };
            list.get(position)
        }
        Step::Wildcard => value.as_array()?.first(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-01-01T12:00:00Z".parse().unwrap()
    }

    fn cell(kind: &str, path: &str, object: &Value) -> Value {
        let column = CustomColumn::new(&json!({"name": "C", "type": kind, "jsonPath": path}));
        column.cell(object, now())
    }

    #[test]
    fn paths_with_indexes_and_quotes() {
        let object = json!({"status": {"conditions": [
            {"type": "Ready", "status": "True"}, {"type": "Synced", "status": "False"}]},
            "metadata": {"labels": {"app.kubernetes.io/name": "x"}}});
        assert_eq!(
            cell("string", ".status.conditions[1].type", &object),
            json!("Synced")
        );
        assert_eq!(
            cell("string", ".status.conditions[-1].status", &object),
            json!("False")
        );
        assert_eq!(
            cell("string", ".status.conditions[*].type", &object),
            json!("Ready")
        );
        let label = cell(
            "string",
            ".metadata.labels.app\\.kubernetes\\.io/name",
            &object,
        );
        assert_eq!(label, json!("x"));
        let quoted = cell(
            "string",
            ".metadata.labels['app.kubernetes.io/name']",
            &object,
        );
        assert_eq!(quoted, json!("x"));
        assert_eq!(cell("string", ".status.missing", &object), Value::Null);
        assert_eq!(
            cell("string", ".status.conditions[7]", &object),
            Value::Null
        );
    }

    #[test]
    fn cells_follow_the_column_type() {
        let object = json!({"spec": {"n": 3, "f": 2.5, "ok": true, "s": "text",
            "when": "2026-01-01T11:00:00Z", "list": [1, 2], "big": 1e21}});
        assert_eq!(cell("integer", ".spec.n", &object), json!(3));
        assert_eq!(cell("integer", ".spec.f", &object), json!(2));
        assert_eq!(cell("integer", ".spec.s", &object), Value::Null);
        assert_eq!(cell("number", ".spec.f", &object), json!(2.5));
        assert_eq!(cell("number", ".spec.n", &object), json!(3));
        assert_eq!(cell("boolean", ".spec.ok", &object), json!(true));
        assert_eq!(cell("boolean", ".spec.s", &object), Value::Null);
        assert_eq!(cell("string", ".spec.n", &object), json!("3"));
        assert_eq!(cell("string", ".spec.ok", &object), json!("true"));
        assert_eq!(cell("string", ".spec.list", &object), json!("[1,2]"));
        assert_eq!(cell("string", ".spec.big", &object), json!("1e+21"));
        assert_eq!(cell("date", ".spec.when", &object), json!("60m"));
        assert_eq!(cell("date", ".spec.s", &object), json!("<invalid>"));
    }

    #[test]
    fn versions_without_columns_get_age() {
        let columns = columns(&[]);
        let definitions = column_definitions(&columns);
        assert_eq!(definitions.len(), 2);
        assert_eq!(definitions[1]["name"], "Age");
        assert_eq!(definitions[1]["type"], "date");
        assert_eq!(definitions[1]["description"], AGE_DESCRIPTION);
        let object =
            json!({"metadata": {"name": "a", "creationTimestamp": "2026-01-01T11:59:00Z"}});
        assert_eq!(cells(&columns, &object, now()), [json!("a"), json!("60s")]);
    }

    #[test]
    fn declared_descriptions_and_priorities_are_kept() {
        let columns = columns(&[json!({"name": "Phase", "type": "string", "format": "",
            "description": "The phase", "priority": 1, "jsonPath": ".status.phase"})]);
        let expected = json!({"name": "Phase", "type": "string", "format": "",
            "description": "The phase", "priority": 1});
        assert_eq!(column_definitions(&columns)[1], expected);
    }

    #[test]
    fn go_float_formatting() {
        assert_eq!(go_float(1.5), "1.5");
        assert_eq!(go_float(2.0), "2");
        assert_eq!(go_float(0.00001), "1e-05");
        assert_eq!(go_float(1e21), "1e+21");
    }
}
