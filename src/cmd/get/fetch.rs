//! The requests `get` makes: API paths, query strings, and lists read page by page.

use anyhow::Result;
use serde_json::Value;

use crate::client::ApiClient;
use crate::discovery::ResourceType;
use crate::error::{ServerError, Status};

/// kubectl's Accept header for tables, falling back to plain JSON.
pub const TABLE_ACCEPT: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
pub const JSON_ACCEPT: &str = "application/json";

/// `/api/v1` or `/apis/apps/v1`.
fn group_version_path(rt: &ResourceType) -> String {
    if rt.group.is_empty() {
        format!("/api/{}", rt.version)
    } else {
        format!("/apis/{}/{}", rt.group, rt.version)
    }
}

/// The collection path: in a namespace for namespaced types unless `namespace` is `None`.
pub fn collection_path(rt: &ResourceType, namespace: Option<&str>) -> String {
    match namespace.filter(|_| rt.namespaced) {
        Some(ns) => format!(
            "{}/namespaces/{}/{}",
            group_version_path(rt),
            encode_segment(ns),
            rt.resource
        ),
        None => format!("{}/{}", group_version_path(rt), rt.resource),
    }
}

pub fn object_path(
    rt: &ResourceType,
    namespace: Option<&str>,
    name: &str,
    subresource: Option<&str>,
) -> String {
    let mut path = format!(
        "{}/{}",
        collection_path(rt, namespace),
        encode_segment(name)
    );
    if let Some(sub) = subresource {
        path.push('/');
        path.push_str(sub);
    }
    path
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A path segment (a name): names never need more than the unreserved set, but a user can
/// type anything.
fn encode_segment(text: &str) -> String {
    encode_component(text)
}

/// `?a=1&b=x%3Dy` from pairs, skipping empty values.
pub fn query(pairs: &[(&str, Option<&str>)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter_map(|(k, v)| {
            v.filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", encode_component(v)))
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// What a list request filters on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    pub label_selector: Option<String>,
    pub field_selector: Option<String>,
    /// Page size; `None` reads the whole list at once.
    pub chunk_size: Option<u64>,
    /// Ask tables to include whole objects (for `--sort-by`).
    pub include_object: bool,
}

/// One page of a list: its items, or its Table.
pub struct Page {
    pub body: Value,
}

/// Reads a list page by page, calling `on_page` with each. A continue token that expired
/// mid-list (410) restarts the list; `on_page` is told with `restarted` so it can skip what
/// it already handled.
pub async fn list_pages<F>(
    client: &ApiClient,
    rt: &ResourceType,
    namespace: Option<&str>,
    query: &ListQuery,
    accept: &str,
    mut on_page: F,
) -> Result<()>
where
    F: FnMut(Page, bool) -> Result<()>,
{
    let base = collection_path(rt, namespace);
    let limit = query.chunk_size.filter(|n| *n > 0).map(|n| n.to_string());
    let include = query.include_object.then_some("Object");
    let mut next: Option<String> = None;
    let mut restarted = false;
    loop {
        let path = format!(
            "{base}{}",
            self::query(&[
                ("labelSelector", query.label_selector.as_deref()),
                ("fieldSelector", query.field_selector.as_deref()),
                ("limit", limit.as_deref()),
                ("continue", next.as_deref()),
                ("includeObject", include),
            ])
        );
        let body: Value = match client.get(&path, accept).await {
            Ok(response) => response.json()?,
            Err(err) if next.is_some() && is_expired(&err) => {
                // The snapshot behind the token is gone: list again from the start.
                next = None;
                restarted = true;
                continue;
            }
            Err(err) => return Err(with_list_context(err, rt, query)),
        };
        let token = body["metadata"]["continue"]
            .as_str()
            .filter(|t| !t.is_empty())
            .map(String::from);
        on_page(Page { body }, restarted)?;
        restarted = false;
        match token {
            Some(token) => next = Some(token),
            None => return Ok(()),
        }
    }
}

fn is_expired(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|c| c.downcast_ref::<ServerError>())
        .any(|e| e.status.code == 410)
}

/// kubectl rewords a list's BadRequest and NotFound: "Unable to find "/v1, Resource=pods"
/// that match label selector …" or "Unable to list …".
fn with_list_context(err: anyhow::Error, rt: &ResourceType, query: &ListQuery) -> anyhow::Error {
    let Some(server) = err.downcast_ref::<ServerError>() else {
        return err;
    };
    if !matches!(server.status.code, 400 | 404) {
        return err;
    }
    let resource = format!("{}/{}, Resource={}", rt.group, rt.version, rt.resource);
    let label = query.label_selector.as_deref().unwrap_or_default();
    let field = query.field_selector.as_deref().unwrap_or_default();
    let message = if label.is_empty() && field.is_empty() {
        format!("Unable to list {resource:?}: {}", server.status.message)
    } else {
        format!(
            "Unable to find {resource:?} that match label selector {label:?}, field selector {field:?}: {}",
            server.status.message
        )
    };
    ServerError {
        status: Status {
            message,
            ..server.status.clone()
        },
    }
    .into()
}

/// The position of an object in a list (namespace/name, the server's list order), used to
/// skip what was already printed when a list restarts.
pub fn list_position(object: &Value) -> (String, String) {
    let meta = &object["metadata"];
    (
        meta["namespace"].as_str().unwrap_or_default().to_string(),
        meta["name"].as_str().unwrap_or_default().to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt(group: &str, resource: &str, namespaced: bool) -> ResourceType {
        ResourceType {
            group: group.into(),
            version: "v1".into(),
            resource: resource.into(),
            singular: String::new(),
            kind: String::new(),
            namespaced,
            verbs: vec![],
            short_names: vec![],
            categories: vec![],
            subresources: vec![],
        }
    }

    #[test]
    fn paths() {
        let pods = rt("", "pods", true);
        assert_eq!(
            collection_path(&pods, Some("shop")),
            "/api/v1/namespaces/shop/pods"
        );
        assert_eq!(collection_path(&pods, None), "/api/v1/pods");
        let nodes = rt("", "nodes", false);
        assert_eq!(collection_path(&nodes, Some("shop")), "/api/v1/nodes");
        let deploy = rt("apps", "deployments", true);
        assert_eq!(
            object_path(&deploy, Some("shop"), "web", Some("scale")),
            "/apis/apps/v1/namespaces/shop/deployments/web/scale"
        );
    }

    #[test]
    fn queries_are_encoded() {
        assert_eq!(
            query(&[
                ("labelSelector", Some("app in (a,b)")),
                ("limit", Some("500")),
                ("continue", None)
            ]),
            "?labelSelector=app%20in%20%28a%2Cb%29&limit=500"
        );
        assert_eq!(query(&[("x", Some(""))]), "");
    }
}
