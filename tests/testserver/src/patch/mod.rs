//! Patches: JSON merge patch, JSON patch, strategic merge patch and server-side apply.
//!
//! Everything here is a pure function on `serde_json::Value`; the HTTP handlers decode bodies,
//! load and store objects and call these.
//!
//! - [`merge_patch`]: RFC 7386 (`application/merge-patch+json`).
//! - [`json_patch`]: RFC 6902 (`application/json-patch+json`).
//! - [`strategic_merge_patch`]: `application/strategic-merge-patch+json`, driven by the built-in
//!   kinds' OpenAPI schemas.
//! - [`managed`]: `metadata.managedFields` bookkeeping for updates and server-side apply
//!   (`application/apply-patch+yaml`).
//! - [`last_applied`]: kubectl's last-applied annotation under server-side apply by `kubectl`.
//!
//! Known differences from kube-apiserver:
//! - schemas are the built-in kinds' (embedded OpenAPI v3); custom resources are schemaless
//!   (objects merge, lists are atomic) and get 415 for strategic merge patch, like the real server;
//! - whether `status` is a subresource is inferred from the schema having a `status` property;
//!   custom resources' `status` is treated as an ordinary field;
//! - not modelled: the cap of 10 `Update` entries ("ancient-changes"), managedFields version
//!   conversion, `null`s in applied configurations (dropped), strategic merge patch's
//!   `$retainKeys` validation against the patch's keys.

mod apply_merge;
mod fieldset;
mod json_patch;
pub mod last_applied;
pub mod managed;
pub mod schema;
mod strategic;

pub use json_patch::json_patch;
pub use strategic::strategic_merge_patch;

use serde_json::Value;

/// RFC 7386 JSON merge patch (`application/merge-patch+json`): objects merge key by key,
/// `null` deletes a key, anything else (lists included) replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    let Value::Object(target) = target else {
        return;
    };
    for (key, value) in patch {
        if value.is_null() {
            target.remove(key);
        } else {
            merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use serde_json::Value;

    /// A recorded response or request body from `tests/fixtures/http`.
    pub fn fixture(name: &str) -> Value {
        let path = format!("{}/../fixtures/http/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("fixture exists");
        serde_json::from_str(&text).expect("fixture is JSON")
    }

    /// A recorded `apply-patch+yaml` request body.
    pub fn yaml_fixture(name: &str) -> Value {
        let path = format!("{}/../fixtures/http/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("fixture exists");
        serde_saphyr::from_str(&text).expect("fixture is YAML")
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::fixture;
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_replays_fixture_110() {
        let mut object = fixture("109-create-configmap.json");
        merge_patch(&mut object, &fixture("110-merge-patch-configmap.request"));
        let recorded = fixture("110-merge-patch-configmap.json");
        assert_eq!(object["data"], recorded["data"]);
        assert_eq!(object["metadata"]["labels"], recorded["metadata"]["labels"]);
    }

    #[test]
    fn json_patch_replays_fixture_111() {
        let mut object = fixture("110-merge-patch-configmap.json");
        json_patch(&mut object, &fixture("111-json-patch-configmap.request")).expect("applies");
        assert_eq!(
            object["data"],
            fixture("111-json-patch-configmap.json")["data"]
        );
    }

    #[test]
    fn merge_patch_deletes_with_null_and_replaces_lists() {
        let mut object = json!({"a": {"b": 1, "c": 2}, "list": [1, 2], "s": "x"});
        merge_patch(
            &mut object,
            &json!({"a": {"b": null, "d": {"e": null, "f": 1}}, "list": [3], "s": null, "n": null}),
        );
        assert_eq!(object, json!({"a": {"c": 2, "d": {"f": 1}}, "list": [3]}));
    }

    #[test]
    fn merge_patch_with_a_non_object_replaces_the_target() {
        let mut object = json!({"a": 1});
        merge_patch(&mut object, &json!(["x"]));
        assert_eq!(object, json!(["x"]));
        let mut scalar = json!("s");
        merge_patch(&mut scalar, &json!({"a": 1}));
        assert_eq!(scalar, json!({"a": 1}));
    }
}
