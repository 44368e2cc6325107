//! kubectl's `kubectl.kubernetes.io/last-applied-configuration` annotation under server-side
//! apply, kept the way kube-apiserver keeps it for the field manager `kubectl` (what
//! `kubectl apply --server-side` uses), so that client-side and server-side apply can take
//! turns on one object:
//! - after an apply by `kubectl` to an object that has the annotation, the annotation becomes
//!   the applied configuration, as the server encodes it (the server's "last applied updater");
//! - an apply by `kubectl` whose conflicts are all fields the annotation still sets to their
//!   live values goes through as if forced (its "last applied manager"): those are fields
//!   `kubectl apply` itself wrote before, client-side.

use serde_json::{Map, Value};

use super::fieldset::{Comparison, FieldSet, fields_of};
use super::schema::Node;
use crate::gofmt;

/// The annotation kubectl's client-side apply keeps its configuration in.
pub const ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";
/// The only manager whose applies read and write the annotation.
pub const MANAGER: &str = "kubectl";
/// The limit on the total size of an object's annotations (keys and values), in bytes.
const MAX_ANNOTATIONS_SIZE: usize = 256 * 1024;

/// The annotation's value on `object`, when it has a non-empty one.
fn annotation(object: &Value) -> Option<&str> {
    object
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(ANNOTATION))
        .and_then(Value::as_str)
        .filter(|text| !text.is_empty())
}

/// After an apply by `kubectl`: when `object` (the apply's result) has the annotation, sets it
/// to the applied configuration. The annotation is dropped instead when it would make the
/// object's annotations larger than the server allows.
pub fn update(object: &mut Value, applied: &Value) {
    if annotation(object).is_none() {
        return;
    }
    let value = encode(applied);
    let Some(annotations) = object
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    annotations.insert(ANNOTATION.to_string(), Value::String(value));
    let size: usize = annotations
        .iter()
        .map(|(key, value)| key.len() + value.as_str().map_or(0, str::len))
        .sum();
    if size > MAX_ANNOTATIONS_SIZE {
        annotations.remove(ANNOTATION);
    }
}

/// The annotation's value for an applied configuration: the configuration without the annotation
/// itself (an annotations map it leaves empty stays, as `{}`), encoded as Go's `encoding/json`
/// encodes it: keys sorted, compact, `<`, `>`, `&`, U+2028 and U+2029 escaped, integral numbers
/// without a fraction, and a trailing newline.
pub fn encode(applied: &Value) -> String {
    let mut config = applied.clone();
    if let Some(annotations) = config
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        annotations.remove(ANNOTATION);
    }
    let mut text = gofmt::html_safe(&serde_json::to_string(&sorted(config)).unwrap_or_default());
    text.push('\n');
    text
}

/// `value` with every object's keys in byte order and integral floats as integers, as Go writes
/// a decoded `map[string]any`.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(key, value)| (key, sorted(value)))
                    .collect::<Map<String, Value>>(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        Value::Number(number) => match number.as_f64() {
            Some(float)
                if !number.is_i64()
                    && !number.is_u64()
                    && float.fract() == 0.0
                    && float.abs() < 1e15 =>
            {
                // Exact: the magnitude is far below 2^53.
                Value::from(float as i64)
            }
            _ => Value::Number(number),
        },
        other => other,
    }
}

/// The fields an apply by `kubectl` may take from other managers without force: those the live
/// object's annotation sets, where the live object still has the annotation's value. `None`
/// when the live object has no annotation, it is not a JSON object, or it is for another
/// apiVersion than the live object's.
pub fn allowed_conflicts(live: &Value, schema: Option<&Node>) -> Option<FieldSet> {
    let last: Value = serde_json::from_str(annotation(live)?).ok()?;
    if !last.is_object() || last.get("apiVersion") != live.get("apiVersion") {
        return None;
    }
    let mut allowed = fields_of(&last, schema);
    let comparison = Comparison::between(&last, live, schema);
    allowed.subtract(&comparison.modified);
    allowed.subtract(&comparison.added);
    allowed.subtract(&comparison.removed);
    Some(allowed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patch::fieldset::PathElement;
    use crate::patch::schema;
    use serde_json::json;

    #[test]
    fn encodes_like_go_without_the_annotation_itself() {
        let applied = json!({
            "kind": "ConfigMap", "apiVersion": "v1",
            "metadata": {"name": "c", "annotations": {ANNOTATION: "old", "b": "x<y>&z"}},
            "data": {"z": "1", "a": "2"}, "n": 2.0, "f": 1.5, "i": 3
        });
        assert_eq!(
            encode(&applied),
            "{\"apiVersion\":\"v1\",\"data\":{\"a\":\"2\",\"z\":\"1\"},\"f\":1.5,\"i\":3,\"kind\":\"ConfigMap\",\"metadata\":{\"annotations\":{\"b\":\"x\\u003cy\\u003e\\u0026z\"},\"name\":\"c\"},\"n\":2}\n"
        );
    }

    #[test]
    fn an_annotations_map_left_empty_stays_and_a_missing_one_stays_missing() {
        let only = json!({"apiVersion": "v1", "kind": "ConfigMap",
                          "metadata": {"name": "c", "annotations": {ANNOTATION: "x"}}});
        assert_eq!(
            encode(&only),
            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"annotations\":{},\"name\":\"c\"}}\n"
        );
        let none = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
        assert_eq!(
            encode(&none),
            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"}}\n"
        );
    }

    /// kubectl's own encoding of the annotation (recorded in kubectl-traces/trace-apply.txt)
    /// is the same as the server's for the same configuration.
    #[test]
    fn matches_what_kubectl_writes_for_the_same_configuration() {
        let applied = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "scratch-settings", "namespace": "scratch", "annotations": {}},
            "data": {"mode": "a"}});
        assert_eq!(
            encode(&applied),
            "{\"apiVersion\":\"v1\",\"data\":{\"mode\":\"a\"},\"kind\":\"ConfigMap\",\"metadata\":{\"annotations\":{},\"name\":\"scratch-settings\",\"namespace\":\"scratch\"}}\n"
        );
    }

    #[test]
    fn update_only_touches_objects_that_have_the_annotation() {
        let applied = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
        let mut without = json!({"metadata": {"name": "c", "annotations": {"a": "b"}}});
        update(&mut without, &applied);
        assert_eq!(without["metadata"]["annotations"], json!({"a": "b"}));
        let mut empty = json!({"metadata": {"name": "c", "annotations": {ANNOTATION: ""}}});
        update(&mut empty, &applied);
        assert_eq!(empty["metadata"]["annotations"][ANNOTATION], "");

        let mut with = json!({"metadata": {"name": "c", "annotations": {ANNOTATION: "{}"}}});
        update(&mut with, &applied);
        assert_eq!(
            with["metadata"]["annotations"][ANNOTATION],
            encode(&applied)
        );
    }

    #[test]
    fn update_drops_an_annotation_that_would_exceed_the_size_limit() {
        let big = "x".repeat(MAX_ANNOTATIONS_SIZE);
        let applied = json!({"apiVersion": "v1", "kind": "ConfigMap",
                             "metadata": {"name": "c"}, "data": {"big": big}});
        let mut object = json!({"metadata": {"annotations": {ANNOTATION: "{}", "keep": "1"}}});
        update(&mut object, &applied);
        assert_eq!(object["metadata"]["annotations"], json!({"keep": "1"}));
    }

    #[test]
    fn allowed_conflicts_are_the_annotations_fields_that_still_have_its_values() {
        let last = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
                          "data": {"same": "1", "changed": "1", "gone": "1"}});
        let live = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c", "annotations": {ANNOTATION: last.to_string()}},
            "data": {"same": "1", "changed": "2", "extra": "1"}});
        let schema = schema::for_kind("v1", "ConfigMap");
        let allowed = allowed_conflicts(&live, schema.as_ref()).expect("annotation");
        let data = |key: &str| {
            vec![
                PathElement::Field("data".into()),
                PathElement::Field(key.into()),
            ]
        };
        assert!(allowed.has(&data("same")));
        assert!(!allowed.has(&data("changed")));
        assert!(!allowed.has(&data("gone")));
        assert!(!allowed.has(&data("extra")));
    }

    #[test]
    fn no_allowed_conflicts_without_a_usable_annotation() {
        let schema = schema::for_kind("v1", "ConfigMap");
        let plain = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
        assert!(allowed_conflicts(&plain, schema.as_ref()).is_none());
        let other_version = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c", "annotations": {ANNOTATION: "{\"apiVersion\":\"v2\"}"}}});
        assert!(allowed_conflicts(&other_version, schema.as_ref()).is_none());
        let garbage = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c", "annotations": {ANNOTATION: "not json"}}});
        assert!(allowed_conflicts(&garbage, schema.as_ref()).is_none());
    }
}
