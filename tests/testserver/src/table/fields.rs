//! Tolerant accessors for stored objects, and the formatting helpers the printers share.
//!
//! Paths are JSON pointers ("/spec/replicas"). A missing or mistyped field reads as the Go zero
//! value the real printer would see (empty string, 0, empty list).

use jiff::Timestamp;
use serde_json::Value;

use super::duration::age_of;

/// The value at `pointer`, treating JSON null as absent.
pub(crate) fn at<'a>(object: &'a Value, pointer: &str) -> Option<&'a Value> {
    object.pointer(pointer).filter(|value| !value.is_null())
}

/// The string at `pointer`, "" when absent.
pub(crate) fn text<'a>(object: &'a Value, pointer: &str) -> &'a str {
    at(object, pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// The integer at `pointer`, if there is one.
pub(crate) fn opt_integer(object: &Value, pointer: &str) -> Option<i64> {
    let value = at(object, pointer)?;
    // Go decodes whole numbers as integers; a float here is truncated like int64(f).
    value.as_i64().or_else(|| value.as_f64().map(|f| f as i64))
}

/// The integer at `pointer`, 0 when absent.
pub(crate) fn integer(object: &Value, pointer: &str) -> i64 {
    opt_integer(object, pointer).unwrap_or_default()
}

/// Whether the boolean at `pointer` is true.
pub(crate) fn is_true(object: &Value, pointer: &str) -> bool {
    at(object, pointer).and_then(Value::as_bool) == Some(true)
}

/// The list at `pointer`, empty when absent.
pub(crate) fn items<'a>(object: &'a Value, pointer: &str) -> &'a [Value] {
    at(object, pointer)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// How many entries the map at `pointer` has.
pub(crate) fn map_len(object: &Value, pointer: &str) -> usize {
    at(object, pointer)
        .and_then(Value::as_object)
        .map_or(0, serde_json::Map::len)
}

/// The timestamp at `pointer` (RFC 3339, fractional seconds allowed).
pub(crate) fn timestamp(object: &Value, pointer: &str) -> Option<Timestamp> {
    at(object, pointer)?.as_str()?.parse().ok()
}

/// The object's name cell.
pub(crate) fn name(object: &Value) -> Value {
    text(object, "/metadata/name").into()
}

/// The object's Age cell.
pub(crate) fn age(object: &Value, now: Timestamp) -> Value {
    age_of(timestamp(object, "/metadata/creationTimestamp"), now).into()
}

/// The age of the timestamp at `pointer`, "<unknown>" when there is none.
pub(crate) fn age_at(object: &Value, pointer: &str, now: Timestamp) -> String {
    age_of(timestamp(object, pointer), now)
}

/// The creation time as Go's RFC 3339 in UTC, whole seconds (the zero time when unset).
pub(crate) fn created_at(object: &Value) -> String {
    match timestamp(object, "/metadata/creationTimestamp") {
        Some(created) => created.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        None => "0001-01-01T00:00:00Z".to_string(),
    }
}

/// `value`, or "<none>" when it is empty.
pub(crate) fn or_none(value: &str) -> Value {
    if value.is_empty() { "<none>" } else { value }.into()
}

/// Go's printBool: "True" or "False".
pub(crate) fn print_bool(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}

/// A resource quantity as the server prints it; "0" for an unset one.
pub(crate) fn quantity(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(quantity)) => quantity.clone(),
        Some(Value::Number(number)) => number.to_string(),
        _ => "0".to_string(),
    }
}

/// An int-or-string value as Go's IntOrString.String() prints it.
pub(crate) fn int_or_string(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// labels.FormatLabels: "k1=v1,k2=v2" sorted by key, "<none>" when empty.
pub(crate) fn format_labels(labels: Option<&Value>) -> String {
    let mut pairs: Vec<String> = labels
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(key, value)| format!("{key}={}", value.as_str().unwrap_or_default()))
        .collect();
    pairs.sort();
    if pairs.is_empty() {
        "<none>".to_string()
    } else {
        pairs.join(",")
    }
}

/// metav1.LabelSelectorAsSelector(selector).String(): requirements sorted by key, "" for an
/// absent or empty selector, None when the selector is invalid.
pub(crate) fn selector_string(selector: Option<&Value>) -> Option<String> {
    let Some(selector) = selector.filter(|selector| !selector.is_null()) else {
        return Some(String::new());
    };
    let mut requirements: Vec<(&str, String)> = Vec::new();
    if let Some(labels) = selector.get("matchLabels").filter(|l| !l.is_null()) {
        for (key, value) in labels.as_object()? {
            requirements.push((key, format!("{key}={}", value.as_str()?)));
        }
    }
    for expression in items(selector, "/matchExpressions") {
        let key = expression.get("key")?.as_str()?;
        requirements.push((key, requirement(key, expression)?));
    }
    requirements.sort_by(|a, b| a.0.cmp(b.0));
    let rendered: Vec<String> = requirements.into_iter().map(|(_, r)| r).collect();
    Some(rendered.join(","))
}

/// One matchExpressions entry as a selector requirement ("k in (a,b)", "!k"…).
fn requirement(key: &str, expression: &Value) -> Option<String> {
    let mut values = items(expression, "/values")
        .iter()
        .map(Value::as_str)
        .collect::<Option<Vec<&str>>>()?;
    values.sort_unstable();
    match (text(expression, "/operator"), values.is_empty()) {
        ("In", false) => Some(format!("{key} in ({})", values.join(","))),
        ("NotIn", false) => Some(format!("{key} notin ({})", values.join(","))),
        ("Exists", true) => Some(key.to_string()),
        ("DoesNotExist", true) => Some(format!("!{key}")),
        _ => None,
    }
}

/// metav1.FormatLabelSelector: the selector string, "<none>" when empty, "<error>" if invalid.
pub(crate) fn format_label_selector(selector: Option<&Value>) -> String {
    match selector_string(selector) {
        Some(selector) if selector.is_empty() => "<none>".to_string(),
        Some(selector) => selector,
        None => "<error>".to_string(),
    }
}

/// The Containers and Images cells of a pod template: names and images, comma-separated.
pub(crate) fn container_cells(template: &Value) -> [Value; 2] {
    let containers = items(template, "/spec/containers");
    let names: Vec<&str> = containers.iter().map(|c| text(c, "/name")).collect();
    let images: Vec<&str> = containers.iter().map(|c| text(c, "/image")).collect();
    [names.join(",").into(), images.join(",").into()]
}

/// Whether the condition of `kind` in the list at `pointer` has status "True".
pub(crate) fn has_true_condition(object: &Value, pointer: &str, kind: &str) -> bool {
    items(object, pointer)
        .iter()
        .any(|c| text(c, "/type") == kind && text(c, "/status") == "True")
}

/// Load-balancer ingress points (IP, else hostname), sorted and deduplicated, comma-separated.
pub(crate) fn load_balancer_ingress(object: &Value) -> String {
    let mut points: Vec<&str> = items(object, "/status/loadBalancer/ingress")
        .iter()
        .map(|ingress| match text(ingress, "/ip") {
            "" => text(ingress, "/hostname"),
            ip => ip,
        })
        .filter(|point| !point.is_empty())
        .collect();
    points.sort_unstable();
    points.dedup();
    points.join(",")
}

/// "a,b,c" or, past `max` entries, "a,b,c + 4 more...".
pub(crate) fn list_with_more(list: &[String], max: usize) -> String {
    let shown = list[..list.len().min(max)].join(",");
    if list.len() > max {
        format!("{shown} + {} more...", list.len() - max)
    } else {
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selectors_render_like_label_selector_as_selector() {
        let selector = json!({
            "matchLabels": {"tier": "web", "app": "shop"},
            "matchExpressions": [
                {"key": "env", "operator": "In", "values": ["prod", "dev"]},
                {"key": "canary", "operator": "DoesNotExist"},
                {"key": "zone", "operator": "NotIn", "values": ["b"]},
                {"key": "gpu", "operator": "Exists"}
            ]
        });
        assert_eq!(
            selector_string(Some(&selector)).as_deref(),
            Some("app=shop,!canary,env in (dev,prod),gpu,tier=web,zone notin (b)")
        );
        assert_eq!(selector_string(None).as_deref(), Some(""));
        assert_eq!(format_label_selector(Some(&json!({}))), "<none>");
        let invalid = json!({"matchExpressions": [{"key": "a", "operator": "In"}]});
        assert_eq!(format_label_selector(Some(&invalid)), "<error>");
    }

    #[test]
    fn labels_sorted_or_none() {
        assert_eq!(format_labels(Some(&json!({"b": "2", "a": "1"}))), "a=1,b=2");
        assert_eq!(format_labels(Some(&json!({}))), "<none>");
        assert_eq!(format_labels(None), "<none>");
    }

    #[test]
    fn lists_are_cut_after_max() {
        let list: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
        assert_eq!(list_with_more(&list, 3), "a,b,c + 2 more...");
        assert_eq!(list_with_more(&list[..2], 3), "a,b");
    }
}
