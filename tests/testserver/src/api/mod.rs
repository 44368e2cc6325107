//! Resource requests: list, get, create, update, patch, delete, and the `status`, `scale`
//! and `log` subresources, answered the way kube-apiserver answers them. This module routes a
//! request to its verb and holds what they share; each concern has its own submodule.

mod delete;
mod list;
mod scale;
mod write;

use std::sync::Arc;

use hyper::Response;
use serde_json::{Value, json};

use crate::auth::Attributes;
use crate::podlogs;
use crate::registry::ResourceType;
use crate::router::Target;
use crate::selectors::{FieldSelector, LabelSelector};
use crate::server::{ApiRequest, Body, Shared, error_response, json_response};
use crate::status::ApiError;
use crate::store::ObjectKey;
use crate::table::{self, IncludeObject, TableKind};
use crate::watch;

pub use scale::{scale_of, selector_string};
pub use write::{create_object, random_suffix};

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
            return list::list(shared, rt, &target, &req).unwrap_or_else(|e| error_response(&e));
        }
        ("get", Some("scale")) => scale::get_scale(shared, rt, &target, &req),
        ("get", _) => {
            return get(shared, rt, &target)
                .map(|obj| single(rt, &obj, &req))
                .unwrap_or_else(|e| error_response(&e));
        }
        ("create", None) => write::create(shared, rt, &target, &req),
        ("update", _) => write::update(shared, rt, &target, &req),
        ("patch", _) => write::patch(shared, rt, &target, &req),
        ("delete", None) => delete::delete(shared, rt, &target, &req),
        ("deletecollection", None) => delete::delete_collection(shared, rt, &target, &req),
        _ => Err(ApiError::method_not_allowed()),
    };
    let mut response = match answer {
        Ok((code, body)) => json_response(code, &body),
        Err(err) => error_response(&err),
    };
    req.warnings.write_to(&mut response);
    response
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

/// Whether the Accept header asks for metadata only: a `PartialObjectMetadataList` (and
/// which version of meta.k8s.io), which only lists answer.
pub fn metadata_list_request(req: &ApiRequest) -> Option<&'static str> {
    let first = req.accept.split(',').next().unwrap_or_default();
    if !first.contains("as=PartialObjectMetadataList") || !first.contains("g=meta.k8s.io") {
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

fn dry_run(req: &ApiRequest) -> bool {
    req.param("dryRun") == Some("All")
}
