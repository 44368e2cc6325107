//! `metadata.managedFields`: who owns which field, for updates and server-side apply.
//!
//! Mirrors kube-apiserver's field manager (structured-merge-diff underneath):
//! - an update (create, update, patch; operation `Update`) makes its manager own every field
//!   it added or changed, and takes those fields away from every other manager;
//! - an apply (operation `Apply`) makes its manager own exactly the fields of its configuration,
//!   fails with a 409 when that changes a field another manager owns (unless forced, which takes
//!   the field away from them), and removes fields it applied before but no longer applies
//!   when nobody else owns them;
//! - system fields (`apiVersion`, `kind`, `metadata.name`, `uid`, `resourceVersion`, …) are never
//!   owned, nor is `status` through the main resource of kinds that have one (only `status`
//!   and `metadata` through the `status` subresource);
//! - entries are keyed by manager, operation, subresource (and apiVersion for updates); empty
//!   ones are dropped, and they are sorted the server's way (operation, time, manager, …);
//! - a write that sets `metadata.managedFields` itself replaces them (kubectl's migration from
//!   client-side apply does), unless they are invalid;
//! - applies by the manager `kubectl` also keep kubectl's last-applied annotation, and may take
//!   over what it still records ([`super::last_applied`]).

use serde_json::{Map, Value, json};

use super::apply_merge;
use super::fieldset::{
    Comparison, DisplayPath, FieldSet, PathElement, ensure_named_fields_are_members, fields_of,
    remove_members,
};
use super::last_applied;
use super::schema::{self, Node};
use crate::status::ApiError;

const APPLY: &str = "Apply";
const UPDATE: &str = "Update";
/// The manager that owns an object's fields when it is first applied to without managed fields.
const BEFORE_FIRST_APPLY: &str = "before-first-apply";

/// Records a non-apply write (create, update, patch) by `manager` in `updated`'s managed fields.
///
/// `previous` is the stored object before the write (`None` on create). The managed fields start
/// from `updated`'s own `metadata.managedFields` when the write set valid ones (a client may
/// rewrite them, as kubectl's migration from client-side apply does, or reset them with `[]`),
/// else from `previous`'s. A write that changes nothing but managed fields gets no entry of its
/// own. `now` is the RFC 3339 time stamped on the manager's entry when it gained fields.
pub fn record_update(
    previous: Option<&Value>,
    updated: &mut Value,
    manager: &str,
    subresource: Option<&str>,
    now: &str,
) {
    let api_version = string_field(updated, "apiVersion");
    let schema = schema_of(updated);
    let given = updated
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .and_then(|raw| Entries::given(raw));
    let mut entries = given.unwrap_or_else(|| previous.map(Entries::decode).unwrap_or_default());
    let comparison = match previous {
        Some(previous) => Comparison::between(previous, updated, schema.as_ref()),
        None => Comparison::of_new(updated, schema.as_ref()),
    };
    let filter = Filter::new(schema.as_ref(), subresource);
    let changed = filter.apply(comparison.changed());
    let removed = filter.apply(comparison.removed);
    for entry in &mut entries.0 {
        entry.fields.subtract(&changed);
        entry.fields.subtract(&removed);
    }
    if !changed.is_empty() {
        let identity = Identity::update(manager, &api_version, subresource);
        let entry = entries.entry(&identity, now);
        entry.fields.union_with(&changed);
        entry.time = Some(now.to_string());
    }
    entries.store(updated);
}

/// Server-side apply of the configuration `applied` by `manager` onto `current` (`None` when the
/// object does not exist yet). Returns the new object with its managed fields.
///
/// For the manager `kubectl` (what `kubectl apply --server-side` uses), the server also keeps
/// kubectl's last-applied annotation up to date, and lets conflicts on fields that annotation
/// still holds go through; see [`last_applied`].
///
/// Errors: `400` when the configuration carries `metadata.managedFields` or no
/// `apiVersion`/`kind`; `409` with one `FieldManagerConflict` cause per conflicting field when it
/// would change fields other managers own and `force` is not set.
pub fn apply(
    current: Option<&Value>,
    applied: &Value,
    manager: &str,
    force: bool,
    now: &str,
) -> Result<Value, ApiError> {
    validate_config(applied)?;
    let mut object = match merge_config(current, applied, manager, force, now) {
        Ok(object) => object,
        Err(conflicts) => {
            let allowed = current
                .filter(|_| manager == last_applied::MANAGER)
                .and_then(|live| last_applied::allowed_conflicts(live, schema_of(live).as_ref()));
            let Some(allowed) = allowed else {
                return Err(conflict_error(conflicts));
            };
            let remaining = without_allowed(conflicts, &allowed);
            if !remaining.is_empty() {
                return Err(conflict_error(remaining));
            }
            merge_config(current, applied, manager, true, now).map_err(conflict_error)?
        }
    };
    if manager == last_applied::MANAGER {
        last_applied::update(&mut object, applied);
    }
    Ok(object)
}

/// Conflicting fields, per manager (as conflict messages name it).
type Conflicts = Vec<(String, Vec<Vec<PathElement>>)>;

/// The conflicts on fields not in `allowed`; managers left without any are dropped.
fn without_allowed(conflicts: Conflicts, allowed: &FieldSet) -> Conflicts {
    conflicts
        .into_iter()
        .map(|(manager, paths)| {
            let paths: Vec<_> = paths.into_iter().filter(|p| !allowed.has(p)).collect();
            (manager, paths)
        })
        .filter(|(_, paths)| !paths.is_empty())
        .collect()
}

/// The field manager's apply proper: merges the configuration, prunes what `manager` no longer
/// applies, and moves ownership; fails with the conflicts when not forced.
fn merge_config(
    current: Option<&Value>,
    applied: &Value,
    manager: &str,
    force: bool,
    now: &str,
) -> Result<Value, Conflicts> {
    let schema = schema_of(applied);
    let schema = schema.as_ref();
    let empty = json!({});
    let live = current.unwrap_or(&empty);
    let filter = Filter::new(schema, None);
    let config = filter.config(applied);

    let mut entries = Entries::decode(live);
    if current.is_some() && entries.0.is_empty() {
        entries.adopt(live, schema, &filter);
    }
    let identity = Identity::apply(manager, None);
    let previous = entries.position(&identity).map(|i| entries.0.remove(i));
    let last_applied = previous
        .as_ref()
        .map(|e| e.fields.clone())
        .unwrap_or_default();
    let applied_fields = filter.apply(fields_of(&config, schema));

    let mut merged = apply_merge::merge(&without_managed_fields(live), &config, schema);
    prune(
        &mut merged,
        &entries,
        &applied_fields,
        &last_applied,
        schema,
        &filter,
    );

    let comparison = Comparison::between(&without_managed_fields(live), &merged, schema);
    let changed = filter.apply(comparison.changed());
    let removed = filter.apply(comparison.removed);
    resolve_conflicts(&mut entries, &changed, force)?;
    for entry in &mut entries.0 {
        entry.fields.subtract(&removed);
    }

    let object_changed = merged != without_managed_fields(live);
    let ownership_changed = previous.as_ref().map(|e| &e.fields) != Some(&applied_fields);
    let time = match &previous {
        Some(entry) if !object_changed && !ownership_changed => entry.time.clone(),
        _ => Some(now.to_string()),
    };
    entries.0.push(Entry {
        identity,
        api_version: string_field(applied, "apiVersion"),
        time,
        fields: applied_fields,
    });
    entries.store(&mut merged);
    Ok(merged)
}

fn validate_config(applied: &Value) -> Result<(), ApiError> {
    if !applied.is_object() {
        return Err(ApiError::bad_request(
            "error decoding YAML: the applied configuration is not an object",
        ));
    }
    if applied
        .pointer("/metadata/managedFields")
        .is_some_and(|m| !m.is_null())
    {
        return Err(ApiError::bad_request("metadata.managedFields must be nil"));
    }
    for field in ["apiVersion", "kind"] {
        if string_field(applied, field).is_empty() {
            return Err(ApiError::bad_request(format!(
                "error decoding patch: Object '{}' is missing in the applied configuration",
                if field == "kind" { "Kind" } else { field }
            )));
        }
    }
    Ok(())
}

/// Removes the fields `manager` applied last time but not now, unless another manager owns them.
/// Fields nobody can own (`metadata` itself, its system fields) stay, even when `manager`'s
/// previous fields make `metadata` a member (an entry that owned annotations, say).
fn prune(
    merged: &mut Value,
    others: &Entries,
    applied: &FieldSet,
    last_applied: &FieldSet,
    schema: Option<&Node>,
    filter: &Filter,
) {
    if last_applied.is_empty() {
        return;
    }
    let mut owned = applied.clone();
    for entry in &others.0 {
        owned.union_with(&entry.fields);
    }
    ensure_named_fields_are_members(&mut owned, schema);
    let mut stale = last_applied.clone();
    ensure_named_fields_are_members(&mut stale, schema);
    stale.subtract(&owned);
    remove_members(merged, &filter.apply(stale), schema);
}

/// Returns the conflicts when `changed` touches other managers' fields; when forced,
/// takes those fields away from them instead.
fn resolve_conflicts(
    entries: &mut Entries,
    changed: &FieldSet,
    force: bool,
) -> Result<(), Conflicts> {
    let conflicts: Conflicts = entries
        .0
        .iter()
        .map(|e| {
            (
                e.identity.describe(&e.api_version),
                e.fields.intersection(changed).paths(),
            )
        })
        .filter(|(_, paths)| !paths.is_empty())
        .collect();
    if conflicts.is_empty() {
        return Ok(());
    }
    if !force {
        return Err(conflicts);
    }
    for entry in &mut entries.0 {
        entry.fields.subtract(changed);
    }
    entries.0.retain(|e| !e.fields.is_empty());
    Ok(())
}

/// The 409 the server answers an apply that conflicts with other managers.
fn conflict_error(mut conflicts: Conflicts) -> ApiError {
    conflicts.sort_by(|a, b| a.0.cmp(&b.0));
    let flat: Vec<(&str, String)> = conflicts
        .iter()
        .flat_map(|(manager, paths)| {
            paths
                .iter()
                .map(move |p| (manager.as_str(), DisplayPath(p).to_string()))
        })
        .collect();
    let causes: Vec<Value> = flat
        .iter()
        .map(|(manager, path)| {
            json!({"reason": "FieldManagerConflict", "message": format!("conflict with {manager}"), "field": path})
        })
        .collect();
    let message = match flat.as_slice() {
        [(manager, path)] => {
            format!("Apply failed with 1 conflict: conflict with {manager}: {path}")
        }
        _ => {
            let mut lines = Vec::new();
            for (manager, paths) in &conflicts {
                lines.push(format!("conflicts with {manager}:"));
                lines.extend(paths.iter().map(|p| format!("- {}", DisplayPath(p))));
            }
            format!(
                "Apply failed with {} conflicts: {}",
                flat.len(),
                lines.join("\n")
            )
        }
    };
    ApiError::new(409, "Conflict", message).with_details(json!({"causes": causes}))
}

/// The schema of an object's kind, from its own `apiVersion` and `kind`.
fn schema_of(object: &Value) -> Option<Node> {
    schema::for_kind(
        &string_field(object, "apiVersion"),
        &string_field(object, "kind"),
    )
}

fn string_field(object: &Value, field: &str) -> String {
    object
        .get(field)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn without_managed_fields(object: &Value) -> Value {
    let mut copy = object.clone();
    if let Some(meta) = copy.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
    copy
}

/// The fields no manager ever owns, per the server's field manager ("strip meta" and the
/// resource strategies' reset fields).
struct Filter {
    /// Whether `status` belongs to a separate subresource (kinds whose schema has a status).
    status_is_separate: bool,
    subresource: Option<String>,
}

const SYSTEM_METADATA: &[&str] = &[
    "name",
    "namespace",
    "creationTimestamp",
    "selfLink",
    "uid",
    "clusterName",
    "generation",
    "managedFields",
    "resourceVersion",
];

impl Filter {
    fn new(schema: Option<&Node>, subresource: Option<&str>) -> Filter {
        Filter {
            status_is_separate: schema.is_some_and(|s| s.has_property("status")),
            subresource: subresource.map(str::to_string),
        }
    }

    fn apply(&self, mut set: FieldSet) -> FieldSet {
        let field = |name: &str| PathElement::Field(name.to_string());
        set.remove_child(&field("apiVersion"));
        set.remove_child(&field("kind"));
        if let Some(meta) = set.child_mut(&field("metadata")) {
            meta.set_member(false);
            for name in SYSTEM_METADATA {
                meta.remove_child(&field(name));
            }
        }
        match self.subresource.as_deref() {
            Some("status") => set.retain_children(
                |pe| matches!(pe, PathElement::Field(f) if f == "status" || f == "metadata"),
            ),
            None if self.status_is_separate => set.remove_child(&field("status")),
            _ => {}
        }
        set.prune_empty();
        set
    }

    /// An applied configuration as the server sees it: `null`s dropped, and `status` dropped
    /// when it belongs to the status subresource.
    fn config(&self, applied: &Value) -> Value {
        let mut config = without_nulls(applied);
        if self.status_is_separate
            && let Some(object) = config.as_object_mut()
        {
            object.remove("status");
        }
        config
    }
}

fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(list) => Value::Array(list.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

/// What distinguishes one managed fields entry from another.
#[derive(Debug, Clone, PartialEq)]
struct Identity {
    manager: String,
    operation: String,
    /// Only updates are told apart by apiVersion.
    api_version: Option<String>,
    subresource: Option<String>,
}

impl Identity {
    fn update(manager: &str, api_version: &str, subresource: Option<&str>) -> Identity {
        Identity {
            manager: manager.to_string(),
            operation: UPDATE.to_string(),
            api_version: Some(api_version.to_string()),
            subresource: subresource.map(str::to_string),
        }
    }

    fn apply(manager: &str, subresource: Option<&str>) -> Identity {
        Identity {
            manager: manager.to_string(),
            operation: APPLY.to_string(),
            api_version: None,
            subresource: subresource.map(str::to_string),
        }
    }

    /// How conflict messages name a manager: `"kz"`, `"kcm" with subresource "status" using apps/v1`.
    fn describe(&self, api_version: &str) -> String {
        let mut text = format!("{:?}", self.manager);
        if let Some(sub) = &self.subresource {
            text.push_str(&format!(" with subresource {sub:?}"));
        }
        if self.operation == UPDATE {
            text.push_str(&format!(" using {api_version}"));
        }
        text
    }
}

#[derive(Debug, Clone)]
struct Entry {
    identity: Identity,
    api_version: String,
    time: Option<String>,
    fields: FieldSet,
}

impl Entry {
    fn decode(raw: &Value) -> Option<Entry> {
        let text = |field: &str| raw.get(field).and_then(Value::as_str).map(str::to_string);
        let operation = text("operation")?;
        let api_version = text("apiVersion").unwrap_or_default();
        let identity = Identity {
            manager: text("manager").unwrap_or_default(),
            api_version: (operation == UPDATE).then(|| api_version.clone()),
            operation,
            subresource: text("subresource").filter(|s| !s.is_empty()),
        };
        let fields = FieldSet::from_fields_v1(raw.get("fieldsV1").unwrap_or(&json!({}))).ok()?;
        Some(Entry {
            identity,
            api_version,
            time: text("time"),
            fields,
        })
    }

    fn encode(&self) -> Value {
        let mut entry = Map::new();
        entry.insert("manager".into(), json!(self.identity.manager));
        entry.insert("operation".into(), json!(self.identity.operation));
        entry.insert("apiVersion".into(), json!(self.api_version));
        if let Some(time) = &self.time {
            entry.insert("time".into(), json!(time));
        }
        entry.insert("fieldsType".into(), json!("FieldsV1"));
        entry.insert("fieldsV1".into(), self.fields.to_fields_v1());
        if let Some(sub) = &self.identity.subresource {
            entry.insert("subresource".into(), json!(sub));
        }
        Value::Object(entry)
    }

    /// The server's order: operation, time (seconds), manager, apiVersion, subresource.
    fn sort_key(&self) -> (String, String, String, String, String) {
        (
            self.identity.operation.clone(),
            self.time.clone().unwrap_or_default(),
            self.identity.manager.clone(),
            self.api_version.clone(),
            self.identity.subresource.clone().unwrap_or_default(),
        )
    }
}

#[derive(Debug, Default)]
struct Entries(Vec<Entry>);

impl Entries {
    /// The entries of `object`'s managed fields; malformed ones are dropped (the server resets
    /// managed fields it cannot decode).
    fn decode(object: &Value) -> Entries {
        let raw = object
            .pointer("/metadata/managedFields")
            .and_then(Value::as_array);
        Entries(
            raw.into_iter()
                .flatten()
                .filter_map(Entry::decode)
                .collect(),
        )
    }

    /// The entries a write sets, as the server takes them: `[]` or `[{}]` resets them (to no
    /// entries); otherwise every entry must be valid (operation `Apply` or `Update`, an
    /// apiVersion, `fieldsType: FieldsV1`, decodable `fieldsV1`), else `None`: the server
    /// ignores them and keeps the stored ones.
    fn given(raw: &[Value]) -> Option<Entries> {
        let reset = match raw {
            [] => true,
            [only] => only.as_object().is_some_and(Map::is_empty),
            _ => false,
        };
        if reset {
            return Some(Entries::default());
        }
        let valid = |entry: &Value| {
            let text = |field: &str| entry.get(field).and_then(Value::as_str);
            matches!(text("operation"), Some(APPLY | UPDATE))
                && text("apiVersion").is_some_and(|v| !v.is_empty())
                && text("fieldsType") == Some("FieldsV1")
        };
        if !raw.iter().all(valid) {
            return None;
        }
        let entries: Option<Vec<Entry>> = raw.iter().map(Entry::decode).collect();
        Some(Entries(entries?))
    }

    fn position(&self, identity: &Identity) -> Option<usize> {
        self.0.iter().position(|e| e.identity == *identity)
    }

    fn entry(&mut self, identity: &Identity, now: &str) -> &mut Entry {
        let index = match self.position(identity) {
            Some(index) => index,
            None => {
                self.0.push(Entry {
                    identity: identity.clone(),
                    api_version: identity.api_version.clone().unwrap_or_default(),
                    time: Some(now.to_string()),
                    fields: FieldSet::new(),
                });
                self.0.len() - 1
            }
        };
        &mut self.0[index]
    }

    /// Gives an object that has no managed fields an owner for what it has, so a first apply
    /// conflicts with (and does not silently take over) existing values.
    fn adopt(&mut self, live: &Value, schema: Option<&Node>, filter: &Filter) {
        let fields = filter.apply(Comparison::between(&json!({}), live, schema).changed());
        if fields.is_empty() {
            return;
        }
        let api_version = string_field(live, "apiVersion");
        self.0.push(Entry {
            identity: Identity::update(BEFORE_FIRST_APPLY, &api_version, None),
            api_version,
            time: None,
            fields,
        });
    }

    /// Writes the entries into `object.metadata.managedFields`, empty ones dropped, sorted.
    fn store(mut self, object: &mut Value) {
        self.0.retain(|e| !e.fields.is_empty());
        self.0.sort_by_key(Entry::sort_key);
        let encoded: Vec<Value> = self.0.iter().map(Entry::encode).collect();
        let Some(object) = object.as_object_mut() else {
            return;
        };
        let meta = object
            .entry("metadata")
            .or_insert_with(|| Value::Object(Map::new()));
        if !meta.is_object() {
            *meta = Value::Object(Map::new());
        }
        if let Some(meta) = meta.as_object_mut() {
            if encoded.is_empty() {
                meta.remove("managedFields");
            } else {
                meta.insert("managedFields".into(), Value::Array(encoded));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patch::test_support::{fixture, yaml_fixture};

    const NOW: &str = "2030-01-01T00:00:00Z";

    /// The managed fields without their times, which differ from run to run.
    fn entries_without_time(object: &Value) -> Value {
        let mut entries = object["metadata"]["managedFields"].clone();
        for entry in entries.as_array_mut().into_iter().flatten() {
            if let Some(entry) = entry.as_object_mut() {
                entry.remove("time");
            }
        }
        entries
    }

    fn entry<'a>(object: &'a Value, manager: &str) -> &'a Value {
        object["metadata"]["managedFields"]
            .as_array()
            .and_then(|entries| entries.iter().find(|e| e["manager"] == manager))
            .unwrap_or_else(|| panic!("no entry for {manager} in {object}"))
    }

    fn without_metadata_extras(object: &Value) -> Value {
        let mut object = object.clone();
        object["metadata"]
            .as_object_mut()
            .expect("metadata")
            .remove("managedFields");
        object
    }

    #[test]
    fn create_records_what_the_creator_set_like_fixture_109() {
        let recorded = fixture("109-create-configmap.json");
        let mut created = without_metadata_extras(&recorded);
        record_update(None, &mut created, "Python-urllib", None, NOW);
        assert_eq!(
            entries_without_time(&created),
            entries_without_time(&recorded)
        );
        assert_eq!(created["metadata"]["managedFields"][0]["time"], NOW);
    }

    #[test]
    fn merge_and_json_patches_move_ownership_like_fixtures_110_and_111() {
        let before = fixture("109-create-configmap.json");
        let mut patched = before.clone();
        crate::patch::merge_patch(&mut patched, &fixture("110-merge-patch-configmap.request"));
        record_update(Some(&before), &mut patched, "Python-urllib", None, NOW);
        let recorded = fixture("110-merge-patch-configmap.json");
        assert_eq!(
            entries_without_time(&patched),
            entries_without_time(&recorded)
        );

        let before = recorded;
        let mut patched = before.clone();
        crate::patch::json_patch(&mut patched, &fixture("111-json-patch-configmap.request"))
            .expect("applies");
        record_update(Some(&before), &mut patched, "Python-urllib", None, NOW);
        let recorded = fixture("111-json-patch-configmap.json");
        assert_eq!(
            entries_without_time(&patched),
            entries_without_time(&recorded)
        );
    }

    #[test]
    fn strategic_patch_ownership_matches_fixture_112() {
        let before = fixture("088-get-deployment.json");
        let mut patched = before.clone();
        crate::patch::strategic_merge_patch(
            &mut patched,
            &fixture("112-strategic-merge-patch-deployment.request"),
            "apps/v1",
            "Deployment",
        )
        .expect("applies");
        record_update(Some(&before), &mut patched, "Python-urllib", None, NOW);
        let recorded = fixture("112-strategic-merge-patch-deployment.json");
        assert_eq!(
            entries_without_time(&patched),
            entries_without_time(&recorded)
        );
    }

    /// Replays the history of the Deployment in fixture 088: created by kubectl's client-side
    /// apply, annotated, its image set, then its status written by the controller manager.
    #[test]
    fn deployment_history_reproduces_fixture_088() {
        let recorded = fixture("088-get-deployment.json");
        let final_object = without_metadata_extras(&recorded);
        let annotations = "/metadata/annotations";

        let mut created = final_object.clone();
        created.as_object_mut().expect("object").remove("status");
        let created_annotations = created.pointer_mut(annotations).expect("annotations");
        created_annotations["kubernetes.io/change-cause"].take();
        let created_annotations = created_annotations.as_object_mut().expect("map");
        created_annotations.remove("kubernetes.io/change-cause");
        created_annotations.remove("deployment.kubernetes.io/revision");
        created["spec"]["template"]["spec"]["containers"][0]["image"] = json!("httpd:2.4");
        created["status"] = json!({});
        record_update(
            None,
            &mut created,
            "kubectl-client-side-apply",
            None,
            "2026-11-22T03:51:16Z",
        );

        let mut annotated = created.clone();
        annotated.pointer_mut(annotations).expect("annotations")["kubernetes.io/change-cause"] =
            json!("bump httpd");
        record_update(
            Some(&created),
            &mut annotated,
            "kubectl-annotate",
            None,
            "2026-11-22T03:51:20Z",
        );

        let mut image_set = annotated.clone();
        image_set["spec"]["template"]["spec"]["containers"][0]["image"] = json!("httpd:2.4.62");
        record_update(
            Some(&annotated),
            &mut image_set,
            "kubectl-set",
            None,
            "2026-11-22T03:51:20Z",
        );

        let mut status = image_set.clone();
        status["status"] = final_object["status"].clone();
        status.pointer_mut(annotations).expect("annotations")["deployment.kubernetes.io/revision"] =
            json!("2");
        record_update(
            Some(&image_set),
            &mut status,
            "kube-controller-manager",
            Some("status"),
            "2026-11-22T03:51:29Z",
        );

        assert_eq!(
            status["metadata"]["managedFields"],
            recorded["metadata"]["managedFields"]
        );
    }

    #[test]
    fn unchanged_writes_do_not_add_entries_and_removed_fields_lose_owners() {
        let before = fixture("109-create-configmap.json");
        let mut same = before.clone();
        record_update(Some(&before), &mut same, "someone", None, NOW);
        assert_eq!(
            same["metadata"]["managedFields"],
            before["metadata"]["managedFields"]
        );

        let mut emptied = before.clone();
        emptied.as_object_mut().expect("object").remove("data");
        emptied["metadata"]
            .as_object_mut()
            .expect("meta")
            .remove("labels");
        record_update(Some(&before), &mut emptied, "cleaner", None, NOW);
        assert!(
            emptied["metadata"].get("managedFields").is_none(),
            "{emptied}"
        );
    }

    #[test]
    fn server_side_apply_sequence_113_to_116() {
        let create = yaml_fixture("113-server-side-apply-create.request");
        let created = apply(None, &create, "kz", false, "2026-11-22T04:06:58Z").expect("creates");
        let recorded = fixture("113-server-side-apply-create.json");
        assert_eq!(created["data"], recorded["data"]);
        assert_eq!(
            created["metadata"]["managedFields"],
            recorded["metadata"]["managedFields"]
        );

        // The server stamps system metadata on create; apply again to the stored object.
        let stored = recorded;
        let again = apply(
            Some(&stored),
            &yaml_fixture("114-server-side-apply-same-again.request"),
            "kz",
            false,
            NOW,
        )
        .expect("no-op");
        assert_eq!(
            again, stored,
            "applying the same configuration changes nothing"
        );

        let conflicting = yaml_fixture("115-server-side-apply-conflict.request");
        let err = apply(Some(&stored), &conflicting, "other", false, NOW).expect_err("conflicts");
        assert_eq!(
            err.to_status(),
            fixture("115-server-side-apply-conflict.json")
        );

        let forced = apply(Some(&stored), &conflicting, "other", true, NOW).expect("forced");
        let recorded = fixture("116-server-side-apply-force.json");
        assert_eq!(forced["data"], recorded["data"]);
        assert_eq!(
            entries_without_time(&forced),
            entries_without_time(&recorded)
        );
        assert_eq!(entry(&forced, "other")["time"], NOW);
    }

    #[test]
    fn applying_the_same_value_as_another_manager_shares_ownership() {
        let stored = fixture("113-server-side-apply-create.json");
        let same = yaml_fixture("114-server-side-apply-same-again.request");
        let shared = apply(Some(&stored), &same, "second", false, NOW).expect("no conflict");
        assert_eq!(
            entry(&shared, "kz")["fieldsV1"],
            json!({"f:data": {"f:owner": {}}})
        );
        assert_eq!(
            entry(&shared, "second")["fieldsV1"],
            json!({"f:data": {"f:owner": {}}})
        );
    }

    #[test]
    fn several_conflicts_are_listed_per_manager() {
        let stored = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
                            "data": {"x": "1", "y": "1", "z": "1"}});
        let mut stored = apply(None, &stored, "b", false, NOW).expect("created");
        let mut by_a = stored.clone();
        by_a["data"]["x"] = json!("2");
        record_update(Some(&stored), &mut by_a, "a", None, NOW);
        stored = by_a;
        let config = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
                            "data": {"x": "3", "y": "3", "z": "3"}});
        let err = apply(Some(&stored), &config, "c", false, NOW).expect_err("conflicts");
        assert_eq!(err.code, 409);
        assert_eq!(
            err.message,
            "Apply failed with 3 conflicts: conflicts with \"a\" using v1:\n- .data.x\nconflicts with \"b\":\n- .data.y\n- .data.z"
        );
        assert_eq!(
            err.details.expect("details")["causes"][0],
            json!({"reason": "FieldManagerConflict", "message": "conflict with \"a\" using v1", "field": ".data.x"})
        );
    }

    #[test]
    fn fields_no_longer_applied_are_removed_unless_someone_else_owns_them() {
        let first = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labels": {"l": "1"}},
                           "data": {"mine": "1", "shared": "1"}});
        let stored = apply(None, &first, "kz", false, NOW).expect("created");
        let stored = apply(
            Some(&stored),
            &json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c"}, "data": {"shared": "1"}}),
            "other",
            false,
            NOW,
        )
        .expect("shares");
        let second =
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {}});
        let after = apply(Some(&stored), &second, "kz", false, NOW).expect("applies");
        assert_eq!(after["data"], json!({"shared": "1"}));
        assert!(
            after["metadata"].get("labels").is_none(),
            "emptied struct fields are pruned"
        );
        assert_eq!(
            after["metadata"]["managedFields"].as_array().map(Vec::len),
            Some(1)
        );
    }

    #[test]
    fn apply_merges_containers_by_name_and_owns_list_items() {
        let config = json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app": "web"}},
                     "template": {"spec": {"containers": [{"name": "web", "image": "a"}]}}}
        });
        let created = apply(None, &config, "kz", false, NOW).expect("created");
        assert_eq!(
            entry(&created, "kz")["fieldsV1"],
            json!({"f:spec": {"f:selector": {}, "f:template": {"f:spec": {"f:containers": {
                "k:{\"name\":\"web\"}": {".": {}, "f:image": {}, "f:name": {}}
            }}}}})
        );
        let mut sidecar = created.clone();
        sidecar["spec"]["template"]["spec"]["containers"]
            .as_array_mut()
            .expect("containers")
            .push(json!({"name": "side", "image": "s"}));
        record_update(Some(&created), &mut sidecar, "injector", None, NOW);

        let mut bumped = config.clone();
        bumped["spec"]["template"]["spec"]["containers"][0]["image"] = json!("b");
        let after = apply(Some(&sidecar), &bumped, "kz", false, NOW).expect("applies");
        assert_eq!(
            after["spec"]["template"]["spec"]["containers"],
            json!([{"name": "web", "image": "b"}, {"name": "side", "image": "s"}])
        );
        assert!(
            entry(&after, "injector")["fieldsV1"]
                .to_string()
                .contains("side")
        );
    }

    #[test]
    fn status_is_not_owned_through_the_main_resource() {
        let config = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                            "spec": {"replicas": 1}, "status": {"replicas": 5}});
        let created = apply(None, &config, "kz", false, NOW).expect("created");
        assert!(created.get("status").is_none());
        let mut updated = created.clone();
        updated["status"] = json!({"replicas": 1});
        record_update(Some(&created), &mut updated, "kz", None, NOW);
        assert_eq!(
            updated["metadata"]["managedFields"],
            created["metadata"]["managedFields"]
        );
    }

    #[test]
    fn first_apply_to_an_object_without_managed_fields_conflicts_with_its_values() {
        let live = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}});
        let config = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "2"}});
        let err = apply(Some(&live), &config, "kz", false, NOW).expect_err("conflicts");
        assert_eq!(
            err.message,
            "Apply failed with 1 conflict: conflict with \"before-first-apply\" using v1: .data.a"
        );
    }

    /// A ConfigMap as kubectl's client-side apply creates it: the configuration plus the
    /// last-applied annotation holding it, all owned by `kubectl-client-side-apply`.
    fn created_client_side(data: Value) -> Value {
        let config = json!({"apiVersion": "v1", "kind": "ConfigMap",
                            "metadata": {"name": "c", "namespace": "ns"}, "data": data});
        let mut object = config.clone();
        object["metadata"]["annotations"] =
            json!({last_applied::ANNOTATION: last_applied::encode(&config)});
        record_update(None, &mut object, "kubectl-client-side-apply", None, NOW);
        object
    }

    fn config_map(data: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "c", "namespace": "ns"}, "data": data})
    }

    #[test]
    fn apply_by_kubectl_rewrites_the_last_applied_annotation() {
        let live = created_client_side(json!({"a": "1", "b": "1"}));
        let config = config_map(json!({"a": "1"}));
        let applied = apply(Some(&live), &config, "kubectl", false, NOW).expect("no conflict");
        assert_eq!(
            applied["metadata"]["annotations"][last_applied::ANNOTATION],
            "{\"apiVersion\":\"v1\",\"data\":{\"a\":\"1\"},\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\",\"namespace\":\"ns\"}}\n"
        );
        assert_eq!(
            applied["data"],
            json!({"a": "1", "b": "1"}),
            "b is still kubectl-client-side-apply's"
        );
        assert_eq!(
            entry(&applied, "kubectl")["fieldsV1"],
            json!({"f:data": {"f:a": {}}})
        );

        let by_kz = apply(Some(&live), &config, "kz", false, NOW).expect("no conflict");
        assert_eq!(
            by_kz["metadata"]["annotations"], live["metadata"]["annotations"],
            "only kubectl's applies touch the annotation"
        );
        let fresh = apply(None, &config, "kubectl", false, NOW).expect("creates");
        assert!(
            fresh["metadata"].get("annotations").is_none(),
            "no annotation is added to objects without one"
        );
    }

    #[test]
    fn kubectl_may_take_fields_its_client_side_apply_still_holds() {
        let live = created_client_side(json!({"a": "1", "b": "1"}));
        let config = config_map(json!({"a": "2", "b": "1"}));
        let err = apply(Some(&live), &config, "kz", false, NOW).expect_err("conflicts for kz");
        assert_eq!(
            err.message,
            "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using v1: .data.a"
        );

        let applied = apply(Some(&live), &config, "kubectl", false, NOW).expect("as if forced");
        assert_eq!(applied["data"], json!({"a": "2", "b": "1"}));
        assert_eq!(
            entry(&applied, "kubectl")["fieldsV1"],
            json!({"f:data": {"f:a": {}, "f:b": {}}})
        );
        assert_eq!(
            entry(&applied, "kubectl-client-side-apply")["fieldsV1"],
            json!({"f:data": {".": {}, "f:b": {}}, "f:metadata": {"f:annotations": {
                ".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {}}}}),
            "forced: a was taken away"
        );
    }

    #[test]
    fn kubectl_conflicts_on_fields_changed_since_its_last_client_side_apply() {
        let live = created_client_side(json!({"a": "1", "b": "1"}));
        let mut edited = live.clone();
        edited["data"]["b"] = json!("3");
        record_update(Some(&live), &mut edited, "kubectl-edit", None, NOW);

        let config = config_map(json!({"a": "2", "b": "2"}));
        let err = apply(Some(&edited), &config, "kubectl", false, NOW).expect_err("conflicts");
        assert_eq!(
            err.message,
            "Apply failed with 1 conflict: conflict with \"kubectl-edit\" using v1: .data.b",
            "a is allowed, b no longer has its last-applied value"
        );
        assert_eq!(
            err.details.expect("details")["causes"],
            json!([{"reason": "FieldManagerConflict", "message": "conflict with \"kubectl-edit\" using v1", "field": ".data.b"}])
        );
        let forced = apply(Some(&edited), &config, "kubectl", true, NOW).expect("forced");
        assert_eq!(forced["data"], json!({"a": "2", "b": "2"}));
    }

    #[test]
    fn pruning_what_an_apply_owned_in_metadata_keeps_metadata_itself() {
        let config = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c", "namespace": "ns", "annotations": {"a": "1"}},
            "data": {"k": "v"}});
        let stored = apply(None, &config, "kz", false, NOW).expect("created");
        let mut without_annotations = config.clone();
        without_annotations["metadata"]
            .as_object_mut()
            .expect("metadata")
            .remove("annotations");
        let after = apply(Some(&stored), &without_annotations, "kz", false, NOW).expect("applies");
        assert_eq!(
            after["metadata"],
            json!({"name": "c", "namespace": "ns", "managedFields": after["metadata"]["managedFields"]})
        );
        assert_eq!(after["data"], json!({"k": "v"}));
    }

    #[test]
    fn writes_that_set_managed_fields_replace_them_unless_they_are_invalid() {
        let before = fixture("109-create-configmap.json");
        let stored = before["metadata"]["managedFields"].clone();
        let given = json!([{"manager": "migrated", "operation": "Apply", "apiVersion": "v1",
            "time": "2026-01-01T00:00:00Z", "fieldsType": "FieldsV1",
            "fieldsV1": {"f:data": {"f:key": {}}}}]);
        let with_fields = |fields: &Value| {
            let mut object = before.clone();
            object["metadata"]["managedFields"] = fields.clone();
            object
        };

        let mut moved = with_fields(&given);
        record_update(Some(&before), &mut moved, "kubectl", None, NOW);
        assert_eq!(
            moved["metadata"]["managedFields"], given,
            "taken as given, no entry for the writer"
        );

        let mut reset = with_fields(&json!([{}]));
        record_update(Some(&before), &mut reset, "kubectl", None, NOW);
        assert!(reset["metadata"].get("managedFields").is_none());

        let mut invalid_entry = given.clone();
        invalid_entry[0]["fieldsType"] = json!("FieldsV2");
        let mut invalid = with_fields(&invalid_entry);
        record_update(Some(&before), &mut invalid, "kubectl", None, NOW);
        assert_eq!(invalid["metadata"]["managedFields"], stored);
    }

    #[test]
    fn apply_rejects_managed_fields_in_the_configuration() {
        let config = json!({"apiVersion": "v1", "kind": "ConfigMap",
                            "metadata": {"name": "c", "managedFields": []}});
        assert_eq!(
            apply(None, &config, "kz", false, NOW)
                .expect_err("rejected")
                .code,
            400
        );
    }
}
