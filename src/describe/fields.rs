//! The pieces kubectl's describers share: labels and annotations over several lines, times,
//! label selectors, and `<none>` / `<unset>` for what is missing.

use std::collections::BTreeMap;

use serde_json::Value;

use super::PrefixWriter;
use crate::put;

/// kubectl never shows this annotation (it is the whole object again).
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
/// Longer annotations (key, `: `, value) are printed on lines of their own, cut to this.
const MAX_ANNOTATION_LEN: usize = 140;

/// A string field, or `""`.
pub fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// A string field, or `<none>` when it is missing or empty.
pub fn or_none(value: &Value) -> String {
    match value {
        Value::String(s) if !s.is_empty() => s.clone(),
        Value::Null => "<none>".to_string(),
        Value::String(_) => "<none>".to_string(),
        other => go_value(other),
    }
}

/// A scalar as Go's `%v` prints a decoded JSON value.
pub fn go_value(value: &Value) -> String {
    match value {
        Value::Null => "<nil>".to_string(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => crate::print::gofmt::format_number(crate::print::gofmt::go_number(
            n,
            crate::print::gofmt::NumberMode::Unstructured,
        )),
        other => other.to_string(),
    }
}

/// A map of strings, sorted by key.
fn string_map(value: &Value) -> BTreeMap<&str, &str> {
    value
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v.as_str().unwrap_or_default()))
        .collect()
}

/// `Labels:  a=b` then one `key=value` a line, aligned (kubectl's `printLabelsMultiline`).
pub fn labels(w: &mut PrefixWriter, title: &str, labels: &Value) {
    labels_with_indent(w, "", title, "\t", labels);
}

/// kubectl's `printLabelsMultilineWithIndent`.
pub fn labels_with_indent(
    w: &mut PrefixWriter,
    initial_indent: &str,
    title: &str,
    inner_indent: &str,
    labels: &Value,
) {
    put!(w, 0, "{initial_indent}{title}:{inner_indent}");
    let labels = string_map(labels);
    if labels.is_empty() {
        w.line("<none>");
        return;
    }
    for (i, (key, value)) in labels.iter().enumerate() {
        if i != 0 {
            w.write(0, initial_indent);
            w.write(0, inner_indent);
        }
        put!(w, 0, "{key}={value}\n");
    }
}

/// `Annotations:  key: value`, long or multi-line values on lines of their own (kubectl's
/// `printAnnotationsMultiline`); the last-applied-configuration annotation is left out.
pub fn annotations(w: &mut PrefixWriter, title: &str, annotations: &Value) {
    put!(w, 0, "{title}:\t");
    let annotations: Vec<(&str, &str)> = string_map(annotations)
        .into_iter()
        .filter(|(key, _)| *key != LAST_APPLIED)
        .collect();
    if annotations.is_empty() {
        w.line("<none>");
        return;
    }
    let indent = "\t";
    for (i, (key, value)) in annotations.iter().enumerate() {
        if i != 0 {
            w.write(0, indent);
        }
        let value = value.strip_suffix('\n').unwrap_or(value);
        if value.len() + key.len() + 2 > MAX_ANNOTATION_LEN || value.contains('\n') {
            put!(w, 0, "{key}:\n");
            for line in value.split('\n') {
                put!(
                    w,
                    0,
                    "{indent}  {}\n",
                    shorten(line, MAX_ANNOTATION_LEN - 2)
                );
            }
        } else {
            put!(w, 0, "{key}: {value}\n");
        }
    }
}

/// Go's `s[:n] + "..."` for strings longer than `n` bytes (cut at a character boundary).
pub fn shorten(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}...", &text[..cut])
}

/// A timestamp as kubectl prints it in descriptions (Go's `time.RFC1123Z` in local time):
/// `Sat, 22 Nov 2025 04:06:11 +0000`. Unparsable or missing: as given.
pub fn rfc1123z(value: &Value) -> String {
    let Some(text) = value.as_str() else {
        return String::new();
    };
    match text.parse::<jiff::Timestamp>() {
        Ok(time) => time
            .to_zoned(jiff::tz::TimeZone::system())
            .strftime("%a, %d %b %Y %H:%M:%S %z")
            .to_string(),
        Err(_) => text.to_string(),
    }
}

/// How long ago `value` (a timestamp) was, like kubectl's `translateTimestampSince`:
/// `<unknown>` when missing.
pub fn since(value: &Value, now: jiff::Timestamp) -> String {
    match value
        .as_str()
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
    {
        Some(time) => crate::print::age::human_duration(now.duration_since(time)),
        None => "<unknown>".to_string(),
    }
}

/// A LabelSelector as kubectl prints it (`metav1.FormatLabelSelector`): `app=web,tier in
/// (a,b)`, `<none>` for none or an empty one.
pub fn label_selector(selector: &Value) -> String {
    let text = selector_string(selector);
    if text.is_empty() {
        "<none>".to_string()
    } else {
        text
    }
}

/// A LabelSelector as the selector it becomes prints itself (`LabelSelectorAsSelector`, then
/// `String()`): requirements sorted by key, the values of `in`/`notin` sorted, and `""` for
/// no selector or an empty one.
pub fn selector_string(selector: &Value) -> String {
    let mut requirements: Vec<(&str, String)> = string_map(&selector["matchLabels"])
        .into_iter()
        .map(|(k, v)| (k, format!("{k}={v}")))
        .collect();
    for expression in selector["matchExpressions"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let key = text(&expression["key"]);
        let mut values: Vec<&str> = expression["values"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        values.sort_unstable();
        let requirement = match text(&expression["operator"]) {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.to_string(),
            "DoesNotExist" => format!("!{key}"),
            other => format!("{key} {other} ({})", values.join(",")),
        };
        requirements.push((key, requirement));
    }
    requirements.sort_by_key(|(key, _)| *key);
    requirements
        .into_iter()
        .map(|(_, requirement)| requirement)
        .collect::<Vec<_>>()
        .join(",")
}

/// A `map[string]string` selector (a Service's, a ReplicationController's) as a string.
pub fn map_selector(selector: &Value) -> String {
    let parts: Vec<String> = string_map(selector)
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if parts.is_empty() {
        "<none>".to_string()
    } else {
        parts.join(",")
    }
}

/// A list of strings as Go's `%v` prints a `[]string`: `[a b]`, `[]` when empty or missing.
pub fn go_list(value: &Value) -> String {
    let items: Vec<String> = value
        .as_array()
        .into_iter()
        .flatten()
        .map(go_value)
        .collect();
    format!("[{}]", items.join(" "))
}

/// A whole number field, 0 when missing (Go's zero value).
pub fn int(value: &Value) -> i64 {
    value.as_i64().unwrap_or(0)
}

/// kubectl's `printBool`: `True` / `False` (missing is false).
pub fn go_bool(value: Option<bool>) -> &'static str {
    if value.unwrap_or(false) {
        "True"
    } else {
        "False"
    }
}

/// A `metav1.Time` as kubectl formats it with `Format(time.RFC1123Z)`: a missing one is Go's
/// zero time, `Mon, 01 Jan 0001 00:00:00 +0000`.
pub fn rfc1123z_or_zero(value: &Value) -> String {
    if value.as_str().is_some_and(|t| !t.is_empty()) {
        rfc1123z(value)
    } else {
        "Mon, 01 Jan 0001 00:00:00 +0000".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn labels_and_annotations_like_kubectl() {
        let mut w = PrefixWriter::new();
        put!(w, 0, "Name:\t{}\n", "web");
        labels(&mut w, "Labels", &json!({"b": "2", "a": "1"}));
        annotations(
            &mut w,
            "Annotations",
            &json!({LAST_APPLIED: "{}", "note": "x", "long": "y\nz"}),
        );
        labels(&mut w, "Selector", &json!({}));
        assert_eq!(
            w.finish(),
            "Name:         web\nLabels:       a=1\n              b=2\nAnnotations:  long:\n                y\n                z\n              note: x\nSelector:     <none>\n"
        );
    }

    #[test]
    fn selectors_read_like_kubectl() {
        assert_eq!(
            label_selector(&json!({"matchLabels": {"app": "web"}, "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["b", "a"]},
                {"key": "x", "operator": "DoesNotExist"},
                {"key": "env", "operator": "Exists"}
            ]})),
            "app=web,env,tier in (a,b),!x"
        );
        assert_eq!(
            label_selector(&json!({"matchLabels": {"z": "1"}, "matchExpressions": [
                {"key": "a", "operator": "NotIn", "values": ["y", "x"]},
            ]})),
            "a notin (x,y),z=1"
        );
        assert_eq!(label_selector(&json!({})), "<none>");
        assert_eq!(selector_string(&json!({})), "");
        assert_eq!(selector_string(&Value::Null), "");
        assert_eq!(label_selector(&Value::Null), "<none>");
        assert_eq!(map_selector(&json!({"b": "2", "a": "1"})), "a=1,b=2");
    }

    #[test]
    fn long_text_is_shortened_at_a_character_boundary() {
        assert_eq!(shorten("abcdef", 3), "abc...");
        assert_eq!(shorten("ééé", 3), "é...");
        assert_eq!(shorten("ab", 3), "ab");
    }
}
