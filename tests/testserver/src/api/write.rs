//! Writes: create (with generated names, new namespaces' contents and CRD establishment),
//! update, the three patch types, server-side apply, and the write-back they share.

use std::sync::Arc;

use serde_json::{Value, json};

use super::scale::{scale_of, with_replicas};
use super::{Answer, dry_run, get, key, with_type};
use crate::admission;
use crate::patch;
use crate::registry::ResourceType;
use crate::router::Target;
use crate::server::{ApiRequest, Shared};
use crate::status::ApiError;
use crate::store::{ObjectKey, now_rfc3339};
use crate::validation;

fn parse_body(req: &ApiRequest) -> Result<Value, ApiError> {
    if req
        .content_type
        .starts_with("application/vnd.kubernetes.protobuf")
    {
        return Err(ApiError::new(
            415,
            "UnsupportedMediaType",
            "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (this test server does not decode protobuf)",
        ));
    }
    let text = std::str::from_utf8(&req.body)
        .map_err(|_| ApiError::bad_request("the request body is not UTF-8"))?;
    let value: Value = if req.content_type.contains("yaml") {
        serde_saphyr::from_str(text)
            .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))?
    } else {
        serde_json::from_str(text).map_err(|e| {
            ApiError::bad_request(format!(
                "the object provided is unrecognized (must be of type JSON): {e}"
            ))
        })?
    };
    if value.is_object() {
        Ok(value)
    } else {
        Err(ApiError::bad_request(
            "the request body must be a JSON object",
        ))
    }
}

/// Who a write is recorded as in managedFields: `fieldManager`, or the User-Agent's program.
fn manager(req: &ApiRequest) -> String {
    if let Some(m) = req.param("fieldManager").filter(|m| !m.is_empty()) {
        return m.to_string();
    }
    let program = req.user_agent.split('/').next().unwrap_or_default().trim();
    if program.is_empty() {
        "unknown".to_string()
    } else {
        program.to_string()
    }
}

fn ensure_namespace(shared: &Shared, namespace: &str) -> Result<(), ApiError> {
    let ns = shared
        .store
        .get(&ObjectKey::new("", "namespaces", "", namespace))
        .ok_or_else(|| ApiError::not_found("", "namespaces", namespace))?;
    if ns["status"]["phase"] == "Terminating" {
        return Err(ApiError::new(
            403,
            "Forbidden",
            format!(
                "unable to create new content in namespace {namespace} because it is being terminated"
            ),
        ));
    }
    Ok(())
}

/// Creates an object through admission, managed fields, and the store (or only pretends,
/// under dry run). Shared by POST and by server-side apply of a new object.
pub fn create_object(
    shared: &Shared,
    rt: &ResourceType,
    namespace: Option<&str>,
    mut object: Value,
    manager: Option<&str>,
    dry_run: bool,
) -> Result<Value, ApiError> {
    let body_ns = object["metadata"]["namespace"].as_str().map(String::from);
    if let (Some(body_ns), Some(ns)) = (body_ns.as_deref(), namespace)
        && !body_ns.is_empty()
        && body_ns != ns
    {
        return Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        ));
    }
    if !object["metadata"].is_object() {
        object["metadata"] = json!({});
    }
    let name = object["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if name.is_empty()
        && let Some(prefix) = object["metadata"]["generateName"].as_str()
    {
        object["metadata"]["name"] = json!(format!("{prefix}{}", random_suffix()));
    }
    if rt.namespaced {
        let ns = namespace.unwrap_or_default();
        object["metadata"]["namespace"] = json!(ns);
        ensure_namespace(shared, ns)?;
    } else if let Some(meta) = object["metadata"].as_object_mut() {
        meta.remove("namespace");
    }
    if let Some(meta) = object["metadata"].as_object_mut() {
        for system in [
            "resourceVersion",
            "uid",
            "creationTimestamp",
            "generation",
            "deletionTimestamp",
        ] {
            meta.remove(system);
        }
    }
    if rt.has_subresource("status")
        && let Some(fields) = object.as_object_mut()
    {
        fields.remove("status");
    }
    admission::default_new(rt, &mut object);
    admission::validate(rt, &object)?;
    if let Some(manager) = manager {
        patch::managed::record_update(None, &mut object, manager, None, &now_rfc3339());
    }
    let name = object["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let key = ObjectKey::new(
        &rt.group,
        &rt.resource,
        namespace.unwrap_or_default(),
        &name,
    );
    if dry_run {
        if shared.store.get(&key).is_some() {
            return Err(ApiError::already_exists(&rt.group, &rt.resource, &name));
        }
        let meta = &mut object["metadata"];
        meta["uid"] = json!(crate::store::new_uid());
        meta["creationTimestamp"] = json!(now_rfc3339());
        return Ok(object);
    }
    let created = shared.store.create(&key, object)?;
    if rt.group.is_empty() && rt.resource == "namespaces" {
        populate_namespace(shared, &name);
    }
    if rt.group == "apiextensions.k8s.io" && rt.resource == "customresourcedefinitions" {
        return Ok(with_type(rt, &establish_crd(shared, &key, &created)));
    }
    Ok(with_type(rt, &created))
}

/// The apiextensions server accepts a new CRD's names and marks it established through the
/// status subresource, as its own field manager.
fn establish_crd(shared: &Shared, key: &ObjectKey, created: &Arc<Value>) -> Arc<Value> {
    let mut established = (**created).clone();
    admission::establish_crd(&mut established);
    patch::managed::record_update(
        Some(created),
        &mut established,
        "kube-apiserver",
        Some("status"),
        &now_rfc3339(),
    );
    shared
        .store
        .update(key, established)
        .unwrap_or_else(|_| created.clone())
}

/// What the service-account and root-CA publisher controllers put in every new namespace.
fn populate_namespace(shared: &Shared, namespace: &str) {
    let account = json!({"apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "default", "namespace": namespace}});
    let mut root_ca = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "kube-root-ca.crt", "namespace": namespace,
            "annotations": {"kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."}},
        "data": {"ca.crt": shared.ca_pem}});
    let now = now_rfc3339();
    patch::managed::record_update(None, &mut root_ca, "kube-controller-manager", None, &now);
    let mut account = account;
    patch::managed::record_update(None, &mut account, "kube-controller-manager", None, &now);
    // Both exist already when a namespace is re-created quickly; that is fine.
    let _ = shared.store.create(
        &ObjectKey::new("", "serviceaccounts", namespace, "default"),
        account,
    );
    let _ = shared.store.create(
        &ObjectKey::new("", "configmaps", namespace, "kube-root-ca.crt"),
        root_ca,
    );
}

/// Five characters of the alphabet Kubernetes uses for generated names.
pub fn random_suffix() -> String {
    use crate::controller::hash::ALPHANUMS;
    (0..5)
        .map(|_| char::from(ALPHANUMS[fastrand::usize(..ALPHANUMS.len())]))
        .collect()
}

pub(super) fn create(
    shared: &Shared,
    rt: &ResourceType,
    target: &Target,
    req: &ApiRequest,
) -> Answer {
    let object = parse_body(req)?;
    let object = validation::decoded(shared, rt, target, req, object)?;
    let created = create_object(
        shared,
        rt,
        target.namespace.as_deref(),
        object,
        Some(&manager(req)),
        dry_run(req),
    )?;
    Ok((201, created))
}

/// Stores a changed object: subresource rules, managed fields, optimistic concurrency.
fn write_back(
    shared: &Shared,
    rt: &ResourceType,
    target: &Target,
    current: &Value,
    mut updated: Value,
    manager: &str,
    dry_run: bool,
) -> Answer {
    let sub = target.subresource.as_deref();
    match sub {
        Some("status") => {
            let mut merged = current.clone();
            merged["status"] = updated["status"].clone();
            if let Some(rv) = updated.pointer("/metadata/resourceVersion") {
                merged["metadata"]["resourceVersion"] = rv.clone();
            }
            updated = merged;
        }
        _ if rt.has_subresource("status") => keep_status(current, &mut updated),
        _ => {}
    }
    if updated.pointer("/metadata/managedFields").is_none()
        && let Some(fields) = current.pointer("/metadata/managedFields")
    {
        updated["metadata"]["managedFields"] = fields.clone();
    }
    for fixed in ["name", "namespace", "uid", "creationTimestamp"] {
        match current["metadata"].get(fixed) {
            Some(v) => updated["metadata"][fixed] = v.clone(),
            None => {
                if let Some(meta) = updated["metadata"].as_object_mut() {
                    meta.remove(fixed);
                }
            }
        }
    }
    updated["kind"] = json!(rt.kind);
    updated["apiVersion"] = json!(rt.api_version());
    // Defaults before managed fields: the writer owns what was defaulted for it.
    if sub.is_none() {
        admission::default_update(rt, current, &mut updated);
    }
    admission::validate(rt, &updated)?;
    patch::managed::record_update(Some(current), &mut updated, manager, sub, &now_rfc3339());
    if dry_run {
        return Ok((200, with_type(rt, &updated)));
    }
    let name = target.name.as_deref().unwrap_or_default();
    let stored = shared.store.update(&key(rt, target, name), updated)?;
    Ok((200, with_type(rt, &stored)))
}

pub(super) fn update(
    shared: &Shared,
    rt: &ResourceType,
    target: &Target,
    req: &ApiRequest,
) -> Answer {
    let body = parse_body(req)?;
    let body = validation::decoded(shared, rt, target, req, body)?;
    let name = target.name.as_deref().unwrap_or_default();
    let current = get(shared, rt, target)?;
    if target.subresource.as_deref() == Some("scale") {
        let replicas = body["spec"]["replicas"].as_i64().unwrap_or(0);
        let updated = with_replicas(rt, &current, replicas);
        let (code, object) = write_back(
            shared,
            rt,
            target,
            &current,
            updated,
            &manager(req),
            dry_run(req),
        )?;
        return Ok((code, scale_of(rt, &object)));
    }
    let body_name = body["metadata"]["name"].as_str().unwrap_or_default();
    if body_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    write_back(
        shared,
        rt,
        target,
        &current,
        body,
        &manager(req),
        dry_run(req),
    )
}

/// How many times a patch is tried again when the object changed between reading and
/// writing it.
const PATCH_ATTEMPTS: usize = 5;

/// A patch, server-side apply included. Like kube-apiserver (whose storage update loop reads
/// the object again on a conflict), a patch that does not itself name a resourceVersion is
/// applied again to the new object when a controller wrote it meanwhile.
pub(super) fn patch(
    shared: &Shared,
    rt: &ResourceType,
    target: &Target,
    req: &ApiRequest,
) -> Answer {
    let names_a_version = parse_body(req).is_ok_and(|patch| names_a_version(&patch));
    let mut attempt = 1;
    loop {
        match patch_once(shared, rt, target, req) {
            Err(err) if attempt < PATCH_ATTEMPTS && !names_a_version && is_stale_write(&err) => {
                attempt += 1;
            }
            answer => return answer,
        }
    }
}

/// Whether a patch (or an applied configuration) sets `metadata.resourceVersion`: a
/// precondition, which a changed object must fail. A JSON patch names it in an operation's
/// path, the other kinds in the document.
fn names_a_version(patch: &Value) -> bool {
    match patch {
        Value::Array(operations) => operations
            .iter()
            .any(|op| op["path"] == "/metadata/resourceVersion"),
        document => document.pointer("/metadata/resourceVersion").is_some(),
    }
}

/// The store's conflict for a write based on an object that changed since it was read.
fn is_stale_write(err: &ApiError) -> bool {
    err.code == 409 && err.message.contains("the object has been modified")
}

fn patch_once(shared: &Shared, rt: &ResourceType, target: &Target, req: &ApiRequest) -> Answer {
    let content_type = req
        .content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim();
    let name = target.name.as_deref().unwrap_or_default();
    let current = shared.store.get(&key(rt, target, name));
    if content_type == "application/apply-patch+yaml" {
        return server_side_apply(shared, rt, target, req, current.as_deref());
    }
    let current = current.ok_or_else(|| ApiError::not_found(&rt.group, &rt.resource, name))?;
    let text = std::str::from_utf8(&req.body)
        .map_err(|_| ApiError::bad_request("the patch is not UTF-8"))?;
    let patch_doc: Value = serde_json::from_str(text)
        .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
    let scale = target.subresource.as_deref() == Some("scale");
    let mut patched = if scale {
        scale_of(rt, &current)
    } else {
        with_type(rt, &current)
    };
    match content_type {
        "application/merge-patch+json" => patch::merge_patch(&mut patched, &patch_doc),
        "application/json-patch+json" => patch::json_patch(&mut patched, &patch_doc)?,
        "application/strategic-merge-patch+json" => {
            let (api_version, kind) = if scale {
                ("autoscaling/v1".to_string(), "Scale".to_string())
            } else {
                (rt.api_version(), rt.kind.clone())
            };
            if rt.custom.is_some() {
                return Err(unsupported_patch());
            }
            patch::strategic_merge_patch(&mut patched, &patch_doc, &api_version, &kind)?
        }
        _ => return Err(unsupported_patch()),
    }
    let patched = validation::patched(shared, rt, target, req, text, patched)?;
    let updated = if scale {
        let replicas = patched["spec"]["replicas"].as_i64().unwrap_or(0);
        with_replicas(rt, &current, replicas)
    } else {
        patched
    };
    let (code, object) = write_back(
        shared,
        rt,
        target,
        &current,
        updated,
        &manager(req),
        dry_run(req),
    )?;
    if scale {
        return Ok((code, scale_of(rt, &object)));
    }
    Ok((code, object))
}

fn unsupported_patch() -> ApiError {
    ApiError::new(
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
    )
}

fn server_side_apply(
    shared: &Shared,
    rt: &ResourceType,
    target: &Target,
    req: &ApiRequest,
    current: Option<&Value>,
) -> Answer {
    let manager = req
        .param("fieldManager")
        .filter(|m| !m.is_empty())
        .ok_or_else(|| {
            ApiError::bad_request(
                "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
            )
        })?;
    let applied = parse_body(req)?;
    validation::applied(shared, rt, target, req, &applied)?;
    let name = target.name.as_deref().unwrap_or_default();
    let applied_name = applied["metadata"]["name"].as_str().unwrap_or_default();
    if applied_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({applied_name}) does not match the name on the URL ({name})"
        )));
    }
    let version = applied["apiVersion"].as_str().unwrap_or_default();
    if target.subresource.is_none() && !version.is_empty() && version != rt.api_version() {
        return Err(ApiError::bad_request(format!(
            "Incorrect version specified in apply patch. Specified patch version: {version}, expected: {}",
            rt.api_version()
        )));
    }
    let force = req.flag("force");
    let now = now_rfc3339();
    match current {
        None => {
            let mut object = patch::managed::apply(None, &applied, manager, force, &now)?;
            object["metadata"]["name"] = json!(name);
            let created = create_object(
                shared,
                rt,
                target.namespace.as_deref(),
                object,
                None,
                dry_run(req),
            )?;
            Ok((201, created))
        }
        Some(current) => {
            let typed = with_type(rt, current);
            let updated = patch::managed::apply(Some(&typed), &applied, manager, force, &now)?;
            write_applied(shared, rt, target, current, updated, dry_run(req))
        }
    }
}

/// A write to the object itself leaves its status as it was (none stays none).
fn keep_status(current: &Value, updated: &mut Value) {
    match current.get("status") {
        Some(status) => updated["status"] = status.clone(),
        None => {
            if let Some(fields) = updated.as_object_mut() {
                fields.remove("status");
            }
        }
    }
}

/// Stores the result of an apply: its managed fields are already computed, so the defaults
/// filled in now are nobody's (as the real server defaults after merging).
fn write_applied(
    shared: &Shared,
    rt: &ResourceType,
    target: &Target,
    current: &Value,
    mut updated: Value,
    dry_run: bool,
) -> Answer {
    if target.subresource.is_none() && rt.has_subresource("status") {
        keep_status(current, &mut updated);
    }
    if target.subresource.is_none() {
        admission::default_update(rt, current, &mut updated);
    }
    admission::validate(rt, &updated)?;
    if dry_run {
        return Ok((200, with_type(rt, &updated)));
    }
    let name = target.name.as_deref().unwrap_or_default();
    if let Some(meta) = updated["metadata"].as_object_mut() {
        meta.remove("resourceVersion");
    }
    let stored = shared.store.update(&key(rt, target, name), updated)?;
    Ok((200, with_type(rt, &stored)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_patch_that_sets_the_resource_version_is_a_precondition() {
        let migration = json!([
            {"op": "replace", "path": "/metadata/managedFields", "value": []},
            {"op": "replace", "path": "/metadata/resourceVersion", "value": "7"},
        ]);
        assert!(names_a_version(&migration));
        assert!(names_a_version(
            &json!({"metadata": {"resourceVersion": "7"}})
        ));
        assert!(!names_a_version(&json!({"spec": {"replicas": 3}})));
        assert!(!names_a_version(
            &json!({"data": {"note": "resourceVersion"}})
        ));
        assert!(!names_a_version(
            &json!([{"op": "add", "path": "/data/x", "value": "/metadata/resourceVersion"}])
        ));
    }
}
