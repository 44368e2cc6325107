//! Deletes: one object or a collection, with preconditions, dry run, and the propagation
//! policies (background, foreground via finalizers, orphaning of dependents).

use serde_json::{Value, json};

use super::{Answer, dry_run, get, selectors, with_type};
use crate::registry::ResourceType;
use crate::router::Target;
use crate::server::{ApiRequest, Shared};
use crate::status::{self, ApiError};
use crate::store::{Collection, ObjectKey, now_rfc3339};

/// DeleteOptions from the query and the body.
struct DeleteOptions {
    propagation: String,
    dry_run: bool,
    precondition_uid: Option<String>,
    precondition_rv: Option<String>,
}

fn delete_options(req: &ApiRequest) -> DeleteOptions {
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let propagation = req
        .param("propagationPolicy")
        .map(String::from)
        .or_else(|| body["propagationPolicy"].as_str().map(String::from))
        .or_else(|| match body["orphanDependents"].as_bool() {
            Some(true) => Some("Orphan".to_string()),
            _ => None,
        })
        .unwrap_or_else(|| "Background".to_string());
    let body_dry_run = body["dryRun"]
        .as_array()
        .is_some_and(|a| a.iter().any(|v| v == "All"));
    DeleteOptions {
        propagation,
        dry_run: dry_run(req) || body_dry_run,
        precondition_uid: body["preconditions"]["uid"].as_str().map(String::from),
        precondition_rv: body["preconditions"]["resourceVersion"]
            .as_str()
            .map(String::from),
    }
}

pub(super) fn delete(
    shared: &Shared,
    rt: &ResourceType,
    target: &Target,
    req: &ApiRequest,
) -> Answer {
    let options = delete_options(req);
    let current = get(shared, rt, target)?;
    delete_one(shared, rt, target, &current, &options)
}

fn delete_one(
    shared: &Shared,
    rt: &ResourceType,
    target: &Target,
    current: &Value,
    options: &DeleteOptions,
) -> Answer {
    let name = current["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let uid = current["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if let Some(expected) = &options.precondition_uid
        && *expected != uid
    {
        return Err(ApiError::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{name}\": Precondition failed: UID in precondition: {expected}, UID in object meta: {uid}",
                status::qualified(&rt.group, &rt.resource)
            ),
        ));
    }
    if let Some(expected) = &options.precondition_rv
        && current["metadata"]["resourceVersion"].as_str() != Some(expected.as_str())
    {
        return Err(ApiError::conflict(&rt.group, &rt.resource, &name));
    }
    if options.dry_run {
        return Ok((200, with_type(rt, current)));
    }
    let key = ObjectKey::new(
        &rt.group,
        &rt.resource,
        current["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default(),
        &name,
    );
    let finalizers = current["metadata"]["finalizers"]
        .as_array()
        .is_some_and(|f| !f.is_empty());
    let is_namespace = rt.group.is_empty() && rt.resource == "namespaces";
    if is_namespace || options.propagation == "Foreground" || finalizers {
        // The object stays until a controller finishes: mark it and answer it.
        let mut marked = current.clone();
        if marked["metadata"]["deletionTimestamp"].is_null() {
            marked["metadata"]["deletionTimestamp"] = json!(now_rfc3339());
            marked["metadata"]["deletionGracePeriodSeconds"] = json!(0);
        }
        if is_namespace {
            marked["status"]["phase"] = json!("Terminating");
        } else if options.propagation == "Foreground" {
            let mut list = marked["metadata"]["finalizers"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if !list.iter().any(|f| f == "foregroundDeletion") {
                list.push(json!("foregroundDeletion"));
            }
            marked["metadata"]["finalizers"] = json!(list);
        }
        let stored = shared.store.update(&key, marked)?;
        let _ = target;
        return Ok((200, with_type(rt, &stored)));
    }
    if options.propagation == "Orphan" {
        orphan_dependents(shared, &uid);
    }
    shared.store.delete(&key)?;
    let mut details = json!({"name": name});
    if !rt.group.is_empty() {
        details["group"] = json!(rt.group);
    }
    details["kind"] = json!(rt.resource);
    details["uid"] = json!(uid);
    Ok((200, status::success(details)))
}

/// Removes the owner reference to `owner_uid` from every object that has one.
fn orphan_dependents(shared: &Shared, owner_uid: &str) {
    for (key, object) in shared.store.all() {
        let Some(refs) = object["metadata"]["ownerReferences"].as_array() else {
            continue;
        };
        if !refs.iter().any(|r| r["uid"] == owner_uid) {
            continue;
        }
        let kept: Vec<Value> = refs
            .iter()
            .filter(|r| r["uid"] != owner_uid)
            .cloned()
            .collect();
        let mut updated = (*object).clone();
        if kept.is_empty() {
            if let Some(meta) = updated["metadata"].as_object_mut() {
                meta.remove("ownerReferences");
            }
        } else {
            updated["metadata"]["ownerReferences"] = json!(kept);
        }
        // A concurrent change wins; the dependent then keeps its reference, as with a real race.
        let _ = shared.store.update(&key, updated);
    }
}

pub(super) fn delete_collection(
    shared: &Shared,
    rt: &ResourceType,
    target: &Target,
    req: &ApiRequest,
) -> Answer {
    let (labels, fields) = selectors(rt, req)?;
    let options = delete_options(req);
    let (items, rv) = shared.store.list(
        &Collection::new(&rt.group, &rt.resource),
        target.namespace.as_deref(),
    );
    let mut deleted = Vec::new();
    for item in items
        .iter()
        .filter(|o| labels.matches(o) && fields.matches(o))
    {
        delete_one(shared, rt, target, item, &options)?;
        deleted.push(with_type(rt, item));
    }
    Ok((
        200,
        json!({
            "kind": rt.list_kind(),
            "apiVersion": rt.api_version(),
            "metadata": {"resourceVersion": rv.to_string()},
            "items": deleted,
        }),
    ))
}
