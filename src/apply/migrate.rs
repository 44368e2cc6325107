//! Taking over an object that kubectl's client-side apply manages, before applying to it
//! server-side — kubectl's own migration (client-go's `csaupgrade`), done first instead of
//! after because kz applies as `kz`, for which the API server does no migration of its own.
//!
//! The managers migrated are those whose `Update` entry owns the last-applied annotation:
//! `kubectl-client-side-apply`, and `kubectl edit`/`replace`/`create --save-config`, which
//! rewrite it. Their fields join kz's `Apply` entry (or, when kz has none yet, the first of
//! them becomes it), and their entries go. A field kz then stops applying is removed by the
//! server like any field kz applied before: nothing is orphaned.

use serde_json::{Map, Value, json};

use super::last_applied::ANNOTATION;

const APPLY: &str = "Apply";
const UPDATE: &str = "Update";

/// The JSON patch that moves the client-side managers' fields to `manager`, or `None` when
/// there is nothing to migrate. It carries the object's resourceVersion, so the server
/// refuses it (409) if the object changed since it was read.
pub fn upgrade_patch(live: &Value, manager: &str) -> Option<Value> {
    let entries = live["metadata"]["managedFields"].as_array()?;
    let mut migrated = entries.clone();
    for csa in client_side_managers(entries) {
        migrated = upgraded(migrated, &csa, manager);
    }
    if &migrated == entries {
        return None;
    }
    Some(json!([
        {"op": "replace", "path": "/metadata/managedFields", "value": migrated},
        {"op": "replace", "path": "/metadata/resourceVersion",
            "value": live["metadata"]["resourceVersion"]},
    ]))
}

/// The managers of `Update` entries (on the object itself, not a subresource) that own the
/// last-applied annotation, each once.
fn client_side_managers(entries: &[Value]) -> Vec<String> {
    let mut managers: Vec<String> = Vec::new();
    for entry in entries {
        let owns_annotation = entry["fieldsV1"]["f:metadata"]["f:annotations"]
            .get(format!("f:{ANNOTATION}"))
            .is_some();
        if entry["operation"] == UPDATE
            && owns_annotation
            && let Some(name) = entry["manager"].as_str()
            && !managers.iter().any(|m| m == name)
        {
            managers.push(name.to_owned());
        }
    }
    managers
}

fn subresource(entry: &Value) -> &str {
    entry["subresource"].as_str().unwrap_or_default()
}

fn is_entry(entry: &Value, manager: &str, operation: &str) -> bool {
    entry["manager"] == manager && entry["operation"] == operation && subresource(entry).is_empty()
}

/// csaupgrade's `upgradedManagedFields` for one client-side manager.
fn upgraded(mut entries: Vec<Value>, csa: &str, manager: &str) -> Vec<Value> {
    let target = match entries.iter().position(|e| is_entry(e, manager, APPLY)) {
        Some(index) => index,
        None => {
            let Some(index) = entries.iter().position(|e| is_entry(e, csa, UPDATE)) else {
                return entries;
            };
            entries[index]["manager"] = json!(manager);
            entries[index]["operation"] = json!(APPLY);
            index
        }
    };
    let api_version = entries[target]["apiVersion"].clone();
    let same_version = entries
        .iter()
        .find(|e| is_entry(e, csa, UPDATE) && e["apiVersion"] == api_version)
        .map(|e| e["fieldsV1"].clone());
    if let Some(fields) = same_version {
        union_into(&mut entries[target]["fieldsV1"], &fields);
    }
    entries.retain(|e| !is_entry(e, csa, UPDATE));
    entries
}

/// Adds the fields of `other` (a `fieldsV1` trie) to `fields`.
fn union_into(fields: &mut Value, other: &Value) {
    let Value::Object(other) = other else {
        return;
    };
    if !fields.is_object() {
        *fields = Value::Object(Map::new());
    }
    if let Value::Object(fields) = fields {
        for (key, child) in other {
            union_into(
                fields.entry(key.clone()).or_insert_with(|| json!({})),
                child,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(manager: &str, operation: &str, fields: Value) -> Value {
        json!({"manager": manager, "operation": operation, "apiVersion": "v1",
            "time": "2026-12-01T10:00:00Z", "fieldsType": "FieldsV1", "fieldsV1": fields})
    }

    fn annotated(extra: Value) -> Value {
        let mut fields = json!({"f:metadata": {"f:annotations":
            {".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {}}}});
        union_into(&mut fields, &extra);
        fields
    }

    fn object(entries: Vec<Value>) -> Value {
        json!({"metadata": {"name": "x", "resourceVersion": "42", "managedFields": entries}})
    }

    #[test]
    fn kubectls_client_side_fields_become_kzs() {
        let live = object(vec![
            entry(
                "kubectl-client-side-apply",
                UPDATE,
                annotated(json!({"f:data": {"f:a": {}}})),
            ),
            entry(
                "kube-controller-manager",
                UPDATE,
                json!({"f:data": {"f:b": {}}}),
            ),
        ]);
        let patch = upgrade_patch(&live, "kz").expect("a migration");
        assert_eq!(
            patch[1],
            json!({"op": "replace", "path": "/metadata/resourceVersion", "value": "42"})
        );
        let entries = patch[0]["value"].as_array().expect("entries");
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0]["manager"], "kz");
        assert_eq!(entries[0]["operation"], APPLY);
        assert_eq!(
            entries[0]["fieldsV1"],
            annotated(json!({"f:data": {"f:a": {}}}))
        );
        assert_eq!(entries[1]["manager"], "kube-controller-manager");
    }

    #[test]
    fn fields_join_an_existing_kz_entry() {
        let live = object(vec![
            entry("kz", APPLY, json!({"f:data": {"f:a": {}}})),
            entry(
                "kubectl-client-side-apply",
                UPDATE,
                annotated(json!({"f:data": {"f:c": {}}})),
            ),
            entry(
                "kubectl-edit",
                UPDATE,
                annotated(json!({"f:data": {"f:d": {}}})),
            ),
        ]);
        let patch = upgrade_patch(&live, "kz").expect("a migration");
        let entries = patch[0]["value"].as_array().expect("entries");
        assert_eq!(entries.len(), 1);
        assert_eq!(
            entries[0]["fieldsV1"],
            annotated(json!({"f:data": {"f:a": {}, "f:c": {}, "f:d": {}}}))
        );
    }

    #[test]
    fn nothing_to_migrate_without_a_client_side_owner_of_the_annotation() {
        let kz_only = object(vec![entry("kz", APPLY, annotated(json!({})))]);
        assert_eq!(upgrade_patch(&kz_only, "kz"), None);
        let imperative = object(vec![entry("kubectl-edit", UPDATE, json!({"f:data": {}}))]);
        assert_eq!(upgrade_patch(&imperative, "kz"), None);
        assert_eq!(upgrade_patch(&json!({"metadata": {}}), "kz"), None);
        let status = object(vec![{
            let mut e = entry("kubectl-client-side-apply", UPDATE, annotated(json!({})));
            e["subresource"] = json!("status");
            e
        }]);
        assert_eq!(upgrade_patch(&status, "kz"), None);
    }
}
