//! kubectl's `kubectl.kubernetes.io/last-applied-configuration` annotation, which kz keeps
//! on every object it applies so that a teammate's client-side `kubectl apply` still knows
//! what was applied last (and deletes what was removed from the manifest since).
//!
//! The value is what kubectl writes (`util.GetModifiedConfiguration`): the object as applied,
//! without the annotation itself, as Go's `encoding/json` encodes it — keys sorted, no spaces,
//! `<`, `>`, `&`, U+2028 and U+2029 escaped — and a newline.

use serde_json::{Map, Value};

use crate::print::gofmt::{self, NumberMode};

pub const ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// The API server's limit on the total size of an object's annotations (keys and values).
const ANNOTATIONS_LIMIT: usize = 256 * 1024;

/// The configuration to apply: `manifest` with the annotation set to its own encoding, or
/// without the annotation when it would not fit within the server's limit on annotations (a
/// huge CRD: kubectl's client-side apply cannot handle it either, so nobody needs it).
pub fn annotate(manifest: &Value) -> Value {
    let mut applied = manifest.clone();
    let mut annotations = take_annotations(&mut applied);
    let encoded = encode(&applied);
    let others: usize = annotations
        .iter()
        .map(|(key, value)| key.len() + value.as_str().map_or(0, str::len))
        .sum();
    if others + ANNOTATION.len() + encoded.len() <= ANNOTATIONS_LIMIT {
        annotations.insert(ANNOTATION.to_owned(), Value::String(encoded));
    }
    if let Some(metadata) = applied.get_mut("metadata").and_then(Value::as_object_mut) {
        if annotations.is_empty() {
            metadata.remove("annotations");
        } else {
            metadata.insert("annotations".to_owned(), Value::Object(annotations));
        }
    }
    applied
}

/// Removes kubectl's own annotation from the manifest, returning the others. Like kubectl's
/// (`SetAnnotations` with an empty, non-nil map), the encoded object then has an
/// `annotations` map, empty when there are no others.
fn take_annotations(object: &mut Value) -> Map<String, Value> {
    let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) else {
        return Map::new();
    };
    let mut annotations = match metadata.remove("annotations") {
        Some(Value::Object(annotations)) => annotations,
        _ => Map::new(),
    };
    annotations.remove(ANNOTATION);
    metadata.insert("annotations".to_owned(), Value::Object(annotations.clone()));
    annotations
}

/// Go's `json.Marshal` of an unstructured object, plus the encoder's newline.
fn encode(value: &Value) -> String {
    let mut out = String::new();
    gofmt::write_json(&mut out, value, None, NumberMode::Unstructured);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_annotation_is_kubectls_encoding_of_the_manifest() {
        // The value kubectl's client-side apply writes for this manifest: with an empty
        // `annotations` map when the manifest has none.
        let manifest = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "scratch", "namespace": "scratch", "labels": {"app": "scratch"}},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "scratch"}},
                "template": {"metadata": {"labels": {"app": "scratch"}},
                    "spec": {"containers": [{"name": "main", "image": "caddy:2.8"}]}}}
        });
        let applied = annotate(&manifest);
        assert_eq!(
            applied["metadata"]["annotations"][ANNOTATION],
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"annotations\":{},\"labels\":{\"app\":\"scratch\"},\"name\":\"scratch\",\"namespace\":\"scratch\"},\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"scratch\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"scratch\"}},\"spec\":{\"containers\":[{\"image\":\"caddy:2.8\",\"name\":\"main\"}]}}}}\n"
        );
        assert_eq!(applied["spec"], manifest["spec"]);
    }

    #[test]
    fn other_annotations_stay_and_an_old_value_is_replaced() {
        let manifest = json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "x", "annotations": {"team": "a&b <x>", ANNOTATION: "stale"}},
        });
        let applied = annotate(&manifest);
        assert_eq!(applied["metadata"]["annotations"]["team"], "a&b <x>");
        assert_eq!(
            applied["metadata"]["annotations"][ANNOTATION],
            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"annotations\":{\"team\":\"a\\u0026b \\u003cx\\u003e\"},\"name\":\"x\"}}\n"
        );
        let empty = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "x", "annotations": {}}});
        let applied = annotate(&empty);
        assert_eq!(
            applied["metadata"]["annotations"][ANNOTATION],
            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"annotations\":{},\"name\":\"x\"}}\n"
        );
    }

    #[test]
    fn a_configuration_too_big_for_annotations_goes_without() {
        let big = "x".repeat(ANNOTATIONS_LIMIT);
        let manifest = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "x"}, "data": {"big": big}});
        let applied = annotate(&manifest);
        assert_eq!(applied["metadata"].get("annotations"), None);
        assert_eq!(
            applied["data"]["big"].as_str().map(str::len),
            Some(ANNOTATIONS_LIMIT)
        );
    }
}
