//! API paths and query strings: `/apis/apps/v1/namespaces/shop/deployments/web/scale?…`.
//!
//! Every user-typed part (namespace, name, selector, continue token) is percent-encoded;
//! only RFC 3986's unreserved characters pass through as they are.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::discovery::ResourceType;

/// Everything but `A-Z a-z 0-9 - . _ ~` is escaped, in path segments and query values alike.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one path segment or query value.
pub fn encode(text: &str) -> String {
    utf8_percent_encode(text, COMPONENT).to_string()
}

/// The subresources `get --subresource` reads: kubectl's list (status and scale, and since
/// v1.33 a pod's resize).
///
/// kubectl v1.24–1.26 refused any other value with `invalid subresource value: "x". Must be
/// one of [status scale]`; later versions send whatever was typed and print the server's
/// NotFound. kz keeps the early check (a typo gets a clear answer, and nothing typed can change
/// the request path) with the longer list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subresource {
    Status,
    Scale,
    Resize,
}

impl Subresource {
    pub const ALL: [Subresource; 3] =
        [Subresource::Status, Subresource::Scale, Subresource::Resize];

    pub fn as_str(self) -> &'static str {
        match self {
            Subresource::Status => "status",
            Subresource::Scale => "scale",
            Subresource::Resize => "resize",
        }
    }

    /// `invalid subresource value: "x". Must be one of [status scale resize]` for others.
    pub fn parse(text: &str) -> Result<Subresource, String> {
        Subresource::ALL
            .into_iter()
            .find(|sub| sub.as_str() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = Subresource::ALL.iter().map(|s| s.as_str()).collect();
                format!(
                    "invalid subresource value: {text:?}. Must be one of [{}]",
                    names.join(" ")
                )
            })
    }
}

/// `/api/v1` or `/apis/apps/v1`.
pub fn group_version_path(rt: &ResourceType) -> String {
    if rt.group.is_empty() {
        format!("/api/{}", rt.version)
    } else {
        format!("/apis/{}/{}", rt.group, rt.version)
    }
}

/// The collection path: in `namespace` for namespaced types, across namespaces for `None`
/// (and always for cluster-scoped types).
pub fn collection_path(rt: &ResourceType, namespace: Option<&str>) -> String {
    match namespace.filter(|_| rt.namespaced) {
        Some(ns) => format!(
            "{}/namespaces/{}/{}",
            group_version_path(rt),
            encode(ns),
            rt.resource
        ),
        None => format!("{}/{}", group_version_path(rt), rt.resource),
    }
}

/// The path of one object, or of one of its subresources.
pub fn object_path(
    rt: &ResourceType,
    namespace: Option<&str>,
    name: &str,
    subresource: Option<Subresource>,
) -> String {
    let mut path = format!("{}/{}", collection_path(rt, namespace), encode(name));
    if let Some(sub) = subresource {
        path.push('/');
        path.push_str(sub.as_str());
    }
    path
}

/// A query string built pair by pair; empty and missing values are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    text: String,
}

impl Query {
    pub fn new() -> Query {
        Query::default()
    }

    /// Adds `key=value` (value percent-encoded) unless the value is missing or empty.
    pub fn pair(mut self, key: &str, value: Option<&str>) -> Query {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            self.text.push(if self.text.is_empty() { '?' } else { '&' });
            self.text.push_str(key);
            self.text.push('=');
            self.text.push_str(&encode(value));
        }
        self
    }

    /// `?a=1&b=2`, or `""` when no pair was added.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl std::fmt::Display for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn rt(group: &str, resource: &str, namespaced: bool) -> ResourceType {
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
            object_path(&deploy, Some("shop"), "web", Some(Subresource::Scale)),
            "/apis/apps/v1/namespaces/shop/deployments/web/scale"
        );
    }

    #[test]
    fn user_typed_segments_cannot_escape_their_place() {
        let pods = rt("", "pods", true);
        assert_eq!(
            object_path(&pods, Some("a/b"), "../x?y=1#z", None),
            "/api/v1/namespaces/a%2Fb/pods/..%2Fx%3Fy%3D1%23z"
        );
        assert_eq!(encode("日本"), "%E6%97%A5%E6%9C%AC");
    }

    #[test]
    fn queries_are_encoded() {
        let query = Query::new()
            .pair("labelSelector", Some("app in (a,b)"))
            .pair("limit", Some("500"))
            .pair("continue", None);
        assert_eq!(
            query.as_str(),
            "?labelSelector=app%20in%20%28a%2Cb%29&limit=500"
        );
        assert_eq!(Query::new().pair("x", Some("")).as_str(), "");
    }

    #[test]
    fn subresources_are_checked_like_kubectl() {
        assert_eq!(Subresource::parse("scale"), Ok(Subresource::Scale));
        assert_eq!(
            Subresource::parse("log/../x"),
            Err(
                r#"invalid subresource value: "log/../x". Must be one of [status scale resize]"#
                    .into()
            )
        );
    }
}
