//! Resource requests: list, get, create, update, patch, delete, and the `status`, `scale`
//! and `log` subresources, answered the way kube-apiserver answers them.

use std::sync::Arc;

use base64::Engine;
use hyper::Response;
use serde_json::{Value, json};

use crate::admission;
use crate::auth::Attributes;
use crate::patch;
use crate::podlogs;
use crate::registry::ResourceType;
use crate::router::Target;
use crate::selectors::{FieldSelector, LabelSelector};
use crate::server::{ApiRequest, Body, Shared, error_response, json_response, response};
use crate::status::{self, ApiError};
use crate::store::{Collection, ObjectKey, now_rfc3339};
use crate::table::{self, IncludeObject, TableKind};
use crate::watch;

type Answer = Result<(u16, Value), ApiError>;

/// The Kubernetes verb for a request.
fn verb(method: &str, target: &Target, watch: bool) -> &'static str {
    match (method, target.name.is_some()) {
        ("GET", false) if watch => "watch",
        ("GET", false) => "list",
        ("GET", true) => "get",
        ("POST", _) => "create",
        ("PUT", _) => "update",
        ("PATCH", _) => "patch",
        ("DELETE", true) => "delete",
        ("DELETE", false) => "deletecollection",
        _ => "unknown",
    }
}

pub async fn handle(
    shared: &Shared,
    rt: &ResourceType,
    target: Target,
    req: ApiRequest,
) -> Response<Body> {
    let verb = verb(&req.method, &target, req.flag("watch"));
    let attrs = Attributes {
        verb,
        group: &rt.group,
        resource: &rt.resource,
        subresource: target.subresource.as_deref(),
        namespace: target.namespace.as_deref(),
        name: target.name.as_deref(),
    };
    if let Err(err) = shared.auth.authorize(&req.user, &attrs) {
        return error_response(&err);
    }
    let sub = target.subresource.as_deref();
    let answer = match (verb, sub) {
        ("watch", _) => return watch::serve(shared, rt, &target, &req),
        ("get", Some("log")) => return podlogs::serve(shared, &target, &req),
        ("list", _) => {
            return list(shared, rt, &target, &req).unwrap_or_else(|e| error_response(&e));
        }
        ("get", Some("scale")) => get(shared, rt, &target).map(|obj| {
            let scale = scale_of(rt, &obj);
            match table_request(&req) {
                Some(version) => (200, scale_table(&scale, version)),
                None => (200, scale),
            }
        }),
        ("get", _) => {
            return get(shared, rt, &target)
                .map(|obj| single(rt, &obj, &req))
                .unwrap_or_else(|e| error_response(&e));
        }
        ("create", None) => create(shared, rt, &target, &req),
        ("update", _) => update(shared, rt, &target, &req),
        ("patch", _) => patch(shared, rt, &target, &req),
        ("delete", None) => delete(shared, rt, &target, &req),
        ("deletecollection", None) => delete_collection(shared, rt, &target, &req),
        _ => Err(ApiError::method_not_allowed()),
    };
    match answer {
        Ok((code, body)) => json_response(code, &body),
        Err(err) => error_response(&err),
    }
}

fn key(rt: &ResourceType, target: &Target, name: &str) -> ObjectKey {
    ObjectKey::new(
        &rt.group,
        &rt.resource,
        target.namespace.as_deref().unwrap_or_default(),
        name,
    )
}

fn get(shared: &Shared, rt: &ResourceType, target: &Target) -> Result<Arc<Value>, ApiError> {
    let name = target.name.as_deref().unwrap_or_default();
    shared
        .store
        .get(&key(rt, target, name))
        .ok_or_else(|| ApiError::not_found(&rt.group, &rt.resource, name))
}

/// The object as a single GET answers it: with its kind and the requested apiVersion.
pub fn with_type(rt: &ResourceType, object: &Value) -> Value {
    let mut out = json!({"kind": rt.kind, "apiVersion": rt.api_version()});
    if let (Some(out), Some(fields)) = (out.as_object_mut(), object.as_object()) {
        for (k, v) in fields {
            if k != "kind" && k != "apiVersion" {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    out
}

/// What the Accept header asks for: a Table (and which version), or plain JSON.
pub fn table_request(req: &ApiRequest) -> Option<&'static str> {
    let first = req.accept.split(',').next().unwrap_or_default();
    if !first.contains("as=Table") {
        return None;
    }
    Some(if first.contains("v=v1beta1") {
        "v1beta1"
    } else {
        "v1"
    })
}

pub fn table_kind(rt: &ResourceType) -> TableKind<'_> {
    TableKind {
        group: &rt.group,
        resource: &rt.resource,
        printer_columns: rt.custom.as_ref().map(|c| c.printer_columns.as_slice()),
    }
}

fn single(rt: &ResourceType, object: &Value, req: &ApiRequest) -> Response<Body> {
    let typed = with_type(rt, object);
    match table_request(req) {
        None => json_response(200, &typed),
        Some(version) => {
            let meta = json!({"resourceVersion": object["metadata"]["resourceVersion"]});
            let include = IncludeObject::from_query(req.param("includeObject"));
            let mut t = table::table(
                &table_kind(rt),
                &[&typed],
                include,
                meta,
                jiff::Timestamp::now(),
            );
            t["apiVersion"] = json!(format!("meta.k8s.io/{version}"));
            json_response(200, &t)
        }
    }
}

/// Label and field selectors of a list or watch request.
pub fn selectors(
    rt: &ResourceType,
    req: &ApiRequest,
) -> Result<(LabelSelector, FieldSelector), ApiError> {
    let labels = LabelSelector::parse(req.param("labelSelector").unwrap_or_default())
        .map_err(ApiError::bad_request)?;
    // kubectl wraps these in "Unable to find … that match label selector …" itself.
    let fields = FieldSelector::parse(
        req.param("fieldSelector").unwrap_or_default(),
        &rt.group,
        &rt.resource,
    )
    .map_err(ApiError::bad_request)?;
    Ok((labels, fields))
}

/// The position a continue token resumes after, and the list's snapshot version.
struct ContinueToken {
    resource_version: u64,
    start: String,
}

fn encode_continue(resource_version: u64, start: &str) -> String {
    // Field order as the real server writes it (serde_json would sort the keys).
    let start = json!(format!("{start}\u{0}"));
    let doc = format!(r#"{{"v":"meta.k8s.io/v1","rv":{resource_version},"start":{start}}}"#);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(doc)
}

fn decode_continue(token: &str) -> Result<ContinueToken, ApiError> {
    let invalid = || ApiError::bad_request(format!("continue key is not valid: {token}"));
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim_end_matches('='))
        .map_err(|_| invalid())?;
    let doc: Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    Ok(ContinueToken {
        resource_version: doc["rv"].as_u64().ok_or_else(invalid)?,
        start: doc["start"]
            .as_str()
            .ok_or_else(invalid)?
            .trim_end_matches('\u{0}')
            .to_string(),
    })
}

/// The storage key a continue token's position stands for: `ns/name` across namespaces,
/// `name` within one (or for a cluster-scoped type).
fn start_key(start: &str, target: &Target, all_namespaces: bool) -> (String, String) {
    match (all_namespaces, start.split_once('/')) {
        (true, Some((ns, name))) => (ns.to_string(), name.to_string()),
        _ => (
            target.namespace.clone().unwrap_or_default(),
            start.to_string(),
        ),
    }
}

fn position(object: &Value, all_namespaces: bool) -> String {
    let name = object["metadata"]["name"].as_str().unwrap_or_default();
    if all_namespaces {
        let ns = object["metadata"]["namespace"].as_str().unwrap_or_default();
        if ns.is_empty() {
            name.to_string()
        } else {
            format!("{ns}/{name}")
        }
    } else {
        name.to_string()
    }
}

fn list(
    shared: &Shared,
    rt: &ResourceType,
    target: &Target,
    req: &ApiRequest,
) -> Result<Response<Body>, ApiError> {
    let (labels, fields) = selectors(rt, req)?;
    let limit = req
        .param("limit")
        .map(|l| {
            l.parse::<usize>()
                .map_err(|_| ApiError::bad_request(format!("invalid limit: {l}")))
        })
        .transpose()?
        .filter(|l| *l > 0);
    let all_namespaces = target.namespace.is_none() && rt.namespaced;
    let resume = match req.param("continue").filter(|c| !c.is_empty()) {
        None => None,
        Some(token) => {
            let token = decode_continue(token)?;
            if token.resource_version < shared.store.oldest_watchable() {
                return Err(ApiError::new(
                    410,
                    "Expired",
                    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue value from the response to request a consistent list.",
                ));
            }
            Some(token)
        }
    };
    let unfiltered = labels.is_empty() && fields.is_empty();
    let after = resume
        .as_ref()
        .map(|t| start_key(&t.start, target, all_namespaces));
    let found = shared.store.page(
        &rt.collection(),
        target.namespace.as_deref(),
        after,
        limit,
        |o| labels.matches(o) && fields.matches(o),
        unfiltered,
    );
    let snapshot_rv = resume
        .as_ref()
        .map_or(found.resource_version, |t| t.resource_version);
    let page: Vec<&Arc<Value>> = found.items.iter().collect();
    let remaining = found.more;
    let mut meta = json!({"resourceVersion": snapshot_rv.to_string()});
    if remaining > 0
        && let Some(last) = page.last()
    {
        meta["continue"] = json!(encode_continue(
            snapshot_rv,
            &position(last, all_namespaces)
        ));
        if unfiltered {
            meta["remainingItemCount"] = json!(remaining);
        }
    } else if rt.custom.is_some() {
        meta["continue"] = json!("");
    }
    if let Some(version) = table_request(req) {
        if meta["continue"] == ""
            && let Some(m) = meta.as_object_mut()
        {
            m.remove("continue");
        }
        let include = IncludeObject::parse(req.param("includeObject"))?;
        // Only whole row objects need their kind and apiVersion; the cells and the metadata
        // are read from the stored objects as they are.
        let typed: Vec<Value> = match include {
            IncludeObject::Object => page.iter().map(|o| with_type(rt, o)).collect(),
            _ => Vec::new(),
        };
        let refs: Vec<&Value> = if typed.is_empty() {
            page.iter().map(|o| o.as_ref()).collect()
        } else {
            typed.iter().collect()
        };
        let mut t = table::table(
            &table_kind(rt),
            &refs,
            include,
            meta,
            jiff::Timestamp::now(),
        );
        t["apiVersion"] = json!(format!("meta.k8s.io/{version}"));
        return Ok(json_response(200, &t));
    }
    Ok(response(
        200,
        "application/json",
        encode_list(rt, &meta, &page),
    ))
}

/// Serializes a list without copying its items. Built-in kinds' items carry no kind/apiVersion
/// (the real server encodes them as typed structs); custom resources' items do.
fn encode_list(rt: &ResourceType, meta: &Value, items: &[&Arc<Value>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + items.len() * 2048);
    out.extend_from_slice(
        format!(
            "{{\"kind\":{},\"apiVersion\":{},\"metadata\":{},\"items\":[",
            json!(rt.list_kind()),
            json!(rt.api_version()),
            meta
        )
        .as_bytes(),
    );
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if rt.custom.is_some() {
            out.extend_from_slice(with_type(rt, item).to_string().as_bytes());
        } else {
            write_without_type(&mut out, item);
        }
    }
    out.extend_from_slice(b"]}");
    out
}

fn write_without_type(out: &mut Vec<u8>, object: &Value) {
    let Some(map) = object.as_object() else {
        out.extend_from_slice(object.to_string().as_bytes());
        return;
    };
    out.push(b'{');
    let mut first = true;
    for (k, v) in map {
        if k == "kind" || k == "apiVersion" {
            continue;
        }
        if !first {
            out.push(b',');
        }
        first = false;
        // Writing JSON into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, k);
        out.push(b':');
        let _ = serde_json::to_writer(&mut *out, v);
    }
    out.push(b'}');
}

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

fn dry_run(req: &ApiRequest) -> bool {
    req.param("dryRun") == Some("All")
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

fn create(shared: &Shared, rt: &ResourceType, target: &Target, req: &ApiRequest) -> Answer {
    let object = parse_body(req)?;
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
        _ if rt.has_subresource("status") => updated["status"] = current["status"].clone(),
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
    admission::validate(rt, &updated)?;
    patch::managed::record_update(Some(current), &mut updated, manager, sub, &now_rfc3339());
    if dry_run {
        return Ok((200, with_type(rt, &updated)));
    }
    let name = target.name.as_deref().unwrap_or_default();
    let stored = shared.store.update(&key(rt, target, name), updated)?;
    Ok((200, with_type(rt, &stored)))
}

fn update(shared: &Shared, rt: &ResourceType, target: &Target, req: &ApiRequest) -> Answer {
    let body = parse_body(req)?;
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

fn patch(shared: &Shared, rt: &ResourceType, target: &Target, req: &ApiRequest) -> Answer {
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
    let name = target.name.as_deref().unwrap_or_default();
    let applied_name = applied["metadata"]["name"].as_str().unwrap_or_default();
    if applied_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({applied_name}) does not match the name on the URL ({name})"
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

/// Stores the result of an apply: its managed fields are already computed.
fn write_applied(
    shared: &Shared,
    rt: &ResourceType,
    target: &Target,
    current: &Value,
    mut updated: Value,
    dry_run: bool,
) -> Answer {
    if target.subresource.is_none() && rt.has_subresource("status") {
        updated["status"] = current["status"].clone();
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

/// The Scale subresource view of a workload or a custom resource.
pub fn scale_of(rt: &ResourceType, object: &Value) -> Value {
    let meta = &object["metadata"];
    let mut scale_meta = json!({});
    for field in [
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "creationTimestamp",
    ] {
        if let Some(v) = meta.get(field) {
            scale_meta[field] = v.clone();
        }
    }
    let (spec_replicas, status_replicas, selector) = match &rt.custom {
        Some(custom) => (
            read_path(object, custom.spec_replicas_path.as_deref()).and_then(|v| v.as_i64()),
            read_path(object, custom.status_replicas_path.as_deref()).and_then(|v| v.as_i64()),
            read_path(object, custom.label_selector_path.as_deref())
                .and_then(|v| v.as_str().map(String::from)),
        ),
        None => (
            object["spec"]["replicas"].as_i64(),
            object["status"]["replicas"].as_i64(),
            Some(selector_string(&object["spec"]["selector"])).filter(|s| !s.is_empty()),
        ),
    };
    let mut status = json!({"replicas": status_replicas.unwrap_or(0)});
    if let Some(selector) = selector {
        status["selector"] = json!(selector);
    }
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": scale_meta,
        "spec": {"replicas": spec_replicas.unwrap_or(0)},
        "status": status,
    })
}

/// The real server's Table for a Scale: Name, Desired, Available.
fn scale_table(scale: &Value, version: &str) -> Value {
    json!({
        "kind": "Table",
        "apiVersion": format!("meta.k8s.io/{version}"),
        "metadata": {"resourceVersion": scale["metadata"]["resourceVersion"]},
        "columnDefinitions": [
            {"name": "Name", "type": "string", "format": "name", "description": "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names", "priority": 0},
            {"name": "Desired", "type": "integer", "format": "", "description": "desired number of instances for the scaled object.", "priority": 0},
            {"name": "Available", "type": "integer", "format": "", "description": "actual number of observed instances of the scaled object.", "priority": 0},
        ],
        "rows": [{
            "cells": [scale["metadata"]["name"], scale["spec"]["replicas"], scale["status"]["replicas"]],
            "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": scale["metadata"]},
        }],
    })
}

fn read_path<'a>(object: &'a Value, path: Option<&str>) -> Option<&'a Value> {
    let pointer = format!("/{}", path?.trim_start_matches('.').replace('.', "/"));
    object.pointer(&pointer)
}

fn with_replicas(rt: &ResourceType, object: &Value, replicas: i64) -> Value {
    let mut updated = object.clone();
    let path = rt
        .custom
        .as_ref()
        .and_then(|c| c.spec_replicas_path.clone())
        .unwrap_or_else(|| ".spec.replicas".to_string());
    let mut cursor = &mut updated;
    let parts: Vec<&str> = path.trim_start_matches('.').split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        if !cursor.is_object() {
            *cursor = json!({});
        }
        if i + 1 == parts.len() {
            cursor[*part] = json!(replicas);
        } else {
            cursor = &mut cursor[*part];
        }
    }
    updated
}

/// `app=web,tier in (a,b)`: a selector object as the string the Scale status carries.
pub fn selector_string(selector: &Value) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(labels) = selector["matchLabels"].as_object() {
        for (k, v) in labels {
            parts.push(format!("{k}={}", v.as_str().unwrap_or_default()));
        }
    }
    if let Some(exprs) = selector["matchExpressions"].as_array() {
        for e in exprs {
            let key = e["key"].as_str().unwrap_or_default();
            let values: Vec<&str> = e["values"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            parts.push(match e["operator"].as_str().unwrap_or_default() {
                "In" => format!("{key} in ({})", values.join(",")),
                "NotIn" => format!("{key} notin ({})", values.join(",")),
                "Exists" => key.to_string(),
                _ => format!("!{key}"),
            });
        }
    }
    parts.sort();
    parts.join(",")
}

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

fn delete(shared: &Shared, rt: &ResourceType, target: &Target, req: &ApiRequest) -> Answer {
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

fn delete_collection(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continue_tokens_round_trip_in_the_real_format() {
        let token = encode_continue(1358, "cache-0");
        assert_eq!(
            token,
            "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTM1OCwic3RhcnQiOiJjYWNoZS0wXHUwMDAwIn0"
        );
        let decoded = decode_continue(&token).expect("valid");
        assert_eq!(
            (decoded.resource_version, decoded.start.as_str()),
            (1358, "cache-0")
        );
        assert_eq!(decode_continue("!!").err().map(|e| e.code), Some(400));
    }

    #[test]
    fn selector_strings() {
        let selector = json!({"matchLabels": {"app": "frontend"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}]});
        assert_eq!(selector_string(&selector), "app=frontend,tier in (a,b)");
    }

    #[test]
    fn built_in_list_items_carry_no_type() {
        let mut out = Vec::new();
        write_without_type(
            &mut out,
            &json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "a"}}),
        );
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            r#"{"metadata":{"name":"a"}}"#
        );
    }
}
