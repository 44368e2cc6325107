//! Which endpoint a path names: version, discovery, OpenAPI, health, or a resource request.

use hyper::Response;

use crate::api;
use crate::discovery;
use crate::openapi;
use crate::registry::{self, ResourceType};
use crate::server::{ApiRequest, Body, Shared, error_response, json_response, response};
use crate::status::ApiError;

const VERSION: &str = include_str!("../../fixtures/http/001-version.json");

/// A request for resources, with everything the path says.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub group: String,
    pub version: String,
    pub namespace: Option<String>,
    pub resource: String,
    pub name: Option<String>,
    pub subresource: Option<String>,
}

#[derive(Debug, PartialEq)]
enum Endpoint {
    Version,
    Health,
    Api,
    Apis,
    Group(String),
    GroupVersion(String, String),
    OpenApiIndex,
    OpenApiDocument(String),
    Resource(Target),
    Unknown,
}

fn classify(path: &str) -> Endpoint {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["version"] => Endpoint::Version,
        ["healthz" | "livez" | "readyz", ..] => Endpoint::Health,
        ["api"] => Endpoint::Api,
        ["apis"] => Endpoint::Apis,
        ["openapi", "v3"] => Endpoint::OpenApiIndex,
        ["openapi", "v3", rest @ ..] => Endpoint::OpenApiDocument(rest.join("/")),
        ["api", version] => Endpoint::GroupVersion(String::new(), version.to_string()),
        ["apis", group] => Endpoint::Group(group.to_string()),
        ["apis", group, version] => Endpoint::GroupVersion(group.to_string(), version.to_string()),
        ["api", version, rest @ ..] => resource_target("", version, rest),
        ["apis", group, version, rest @ ..] => resource_target(group, version, rest),
        _ => Endpoint::Unknown,
    }
}

fn resource_target(group: &str, version: &str, rest: &[&str]) -> Endpoint {
    let target =
        |namespace: Option<&str>, resource: &str, name: Option<&str>, sub: Option<&str>| {
            Endpoint::Resource(Target {
                group: group.to_string(),
                version: version.to_string(),
                namespace: namespace.map(String::from),
                resource: resource.to_string(),
                name: name.map(String::from),
                subresource: sub.map(String::from),
            })
        };
    match rest {
        // The namespace object itself and its subresources.
        ["namespaces", name] => target(None, "namespaces", Some(name), None),
        ["namespaces", name, sub @ ("status" | "finalize")] => {
            target(None, "namespaces", Some(name), Some(sub))
        }
        ["namespaces", ns, resource] => target(Some(ns), resource, None, None),
        ["namespaces", ns, resource, name] => target(Some(ns), resource, Some(name), None),
        ["namespaces", ns, resource, name, sub] => {
            target(Some(ns), resource, Some(name), Some(sub))
        }
        [resource] => target(None, resource, None, None),
        [resource, name] => target(None, resource, Some(name), None),
        [resource, name, sub] => target(None, resource, Some(name), Some(sub)),
        _ => Endpoint::Unknown,
    }
}

pub async fn route(shared: &Shared, request: ApiRequest) -> Response<Body> {
    let endpoint = classify(&request.path);
    let get_only = !matches!(endpoint, Endpoint::Resource(_));
    if get_only && request.method != "GET" {
        return error_response(&ApiError::method_not_allowed());
    }
    let store = &shared.store;
    match endpoint {
        Endpoint::Version => response(200, "application/json", VERSION),
        Endpoint::Health => response(200, "text/plain; charset=utf-8", "ok"),
        Endpoint::Api if discovery::wants_aggregated(&request.accept) => {
            aggregated(discovery::aggregated_api())
        }
        Endpoint::Api => json_response(200, &discovery::legacy_api()),
        Endpoint::Apis if discovery::wants_aggregated(&request.accept) => {
            aggregated(discovery::aggregated_apis(store))
        }
        Endpoint::Apis => json_response(200, &discovery::legacy_apis(store)),
        Endpoint::Group(group) => match discovery::legacy_group(store, &group) {
            Some(doc) => json_response(200, &doc),
            None => error_response(&ApiError::unknown_path()),
        },
        Endpoint::GroupVersion(group, version) => {
            match discovery::legacy_group_version(store, &group, &version) {
                Some(doc) => json_response(200, &doc),
                None => error_response(&ApiError::unknown_path()),
            }
        }
        Endpoint::OpenApiIndex => {
            // The real server labels this JSON document as text.
            let body = serde_json::to_vec(&openapi::index()).unwrap_or_default();
            response(200, "text/plain; charset=utf-8", body)
        }
        Endpoint::OpenApiDocument(path) => match openapi::document(&path) {
            Some(doc) => response(200, "application/json", doc),
            None => error_response(&ApiError::unknown_path()),
        },
        Endpoint::Resource(target) => match resolve(shared, &target) {
            Ok(rt) => api::handle(shared, &rt, target, request).await,
            Err(err) => error_response(&err),
        },
        Endpoint::Unknown => error_response(&ApiError::unknown_path()),
    }
}

fn aggregated(doc: serde_json::Value) -> Response<Body> {
    let body = serde_json::to_vec(&doc).unwrap_or_default();
    response(200, discovery::AGGREGATED_CONTENT_TYPE, body)
}

/// The served type for a target, checking its scope and subresource.
fn resolve(shared: &Shared, target: &Target) -> Result<ResourceType, ApiError> {
    let rt = registry::lookup(
        &shared.store,
        &target.group,
        &target.version,
        &target.resource,
    )
    .ok_or_else(ApiError::unknown_path)?;
    if target.namespace.is_some() && !rt.namespaced {
        return Err(ApiError::unknown_path());
    }
    if let Some(sub) = &target.subresource
        && !rt.has_subresource(sub)
    {
        return Err(ApiError::unknown_path());
    }
    if target.subresource.is_some() && target.name.is_none() {
        return Err(ApiError::unknown_path());
    }
    Ok(rt)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(path: &str) -> Target {
        match classify(path) {
            Endpoint::Resource(t) => t,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn paths_classify_like_the_real_server() {
        assert_eq!(classify("/version"), Endpoint::Version);
        assert_eq!(classify("/api"), Endpoint::Api);
        assert_eq!(classify("/apis/apps"), Endpoint::Group("apps".into()));
        assert_eq!(
            classify("/apis/apps/v1"),
            Endpoint::GroupVersion("apps".into(), "v1".into())
        );
        assert_eq!(
            classify("/openapi/v3/apis/apps/v1"),
            Endpoint::OpenApiDocument("apis/apps/v1".into())
        );
        let pods = resource("/api/v1/namespaces/shop/pods");
        assert_eq!(
            (pods.namespace.as_deref(), pods.resource.as_str(), pods.name),
            (Some("shop"), "pods", None)
        );
        let log = resource("/api/v1/namespaces/shop/pods/web-1/log");
        assert_eq!(
            (log.name.as_deref(), log.subresource.as_deref()),
            (Some("web-1"), Some("log"))
        );
        let ns = resource("/api/v1/namespaces/shop");
        assert_eq!(
            (ns.namespace, ns.resource.as_str(), ns.name.as_deref()),
            (None, "namespaces", Some("shop"))
        );
        let status = resource("/api/v1/namespaces/shop/status");
        assert_eq!(status.subresource.as_deref(), Some("status"));
        let all = resource("/apis/apps/v1/deployments");
        assert_eq!((all.namespace, all.group.as_str()), (None, "apps"));
        assert_eq!(classify("/nope"), Endpoint::Unknown);
    }
}
