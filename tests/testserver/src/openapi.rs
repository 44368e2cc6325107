//! `/openapi/v3`: the OpenAPI documents the real v1.33 server publishes. kubectl's client-side
//! apply downloads them to compute strategic merge patches.

use serde_json::{Value, json};

/// Group-version documents by their path under `/openapi/v3/`.
const DOCUMENTS: &[(&str, &str)] = &[
    (".well-known/openid-configuration", OIDC_DOCUMENT),
    ("openid/v1/jwks", OIDC_DOCUMENT),
    (
        ".well-known/openid-configuration",
        include_str!("../../fixtures/openapi/v3/.well-known_openid-configuration.json"),
    ),
    ("api", include_str!("../../fixtures/openapi/v3/api.json")),
    (
        "api/v1",
        include_str!("../../fixtures/openapi/v3/api_v1.json"),
    ),
    ("apis", include_str!("../../fixtures/openapi/v3/apis.json")),
    (
        "apis/admissionregistration.k8s.io",
        include_str!("../../fixtures/openapi/v3/apis_admissionregistration.k8s.io.json"),
    ),
    (
        "apis/admissionregistration.k8s.io/v1",
        include_str!("../../fixtures/openapi/v3/apis_admissionregistration.k8s.io_v1.json"),
    ),
    (
        "apis/apiextensions.k8s.io",
        include_str!("../../fixtures/openapi/v3/apis_apiextensions.k8s.io.json"),
    ),
    (
        "apis/apiextensions.k8s.io/v1",
        include_str!("../../fixtures/openapi/v3/apis_apiextensions.k8s.io_v1.json"),
    ),
    (
        "apis/apiregistration.k8s.io",
        include_str!("../../fixtures/openapi/v3/apis_apiregistration.k8s.io.json"),
    ),
    (
        "apis/apiregistration.k8s.io/v1",
        include_str!("../../fixtures/openapi/v3/apis_apiregistration.k8s.io_v1.json"),
    ),
    (
        "apis/apps",
        include_str!("../../fixtures/openapi/v3/apis_apps.json"),
    ),
    (
        "apis/apps/v1",
        include_str!("../../fixtures/openapi/v3/apis_apps_v1.json"),
    ),
    (
        "apis/authentication.k8s.io",
        include_str!("../../fixtures/openapi/v3/apis_authentication.k8s.io.json"),
    ),
    (
        "apis/authentication.k8s.io/v1",
        include_str!("../../fixtures/openapi/v3/apis_authentication.k8s.io_v1.json"),
    ),
    (
        "apis/authorization.k8s.io",
        include_str!("../../fixtures/openapi/v3/apis_authorization.k8s.io.json"),
    ),
    (
        "apis/authorization.k8s.io/v1",
        include_str!("../../fixtures/openapi/v3/apis_authorization.k8s.io_v1.json"),
    ),
    (
        "apis/autoscaling",
        include_str!("../../fixtures/openapi/v3/apis_autoscaling.json"),
    ),
    (
        "apis/autoscaling/v1",
        include_str!("../../fixtures/openapi/v3/apis_autoscaling_v1.json"),
    ),
    (
        "apis/autoscaling/v2",
        include_str!("../../fixtures/openapi/v3/apis_autoscaling_v2.json"),
    ),
    (
        "apis/batch",
        include_str!("../../fixtures/openapi/v3/apis_batch.json"),
    ),
    (
        "apis/batch/v1",
        include_str!("../../fixtures/openapi/v3/apis_batch_v1.json"),
    ),
    (
        "apis/certificates.k8s.io",
        include_str!("../../fixtures/openapi/v3/apis_certificates.k8s.io.json"),
    ),
    (
        "apis/certificates.k8s.io/v1",
        include_str!("../../fixtures/openapi/v3/apis_certificates.k8s.io_v1.json"),
    ),
    (
        "apis/coordination.k8s.io",
        include_str!("../../fixtures/openapi/v3/apis_coordination.k8s.io.json"),
    ),
    (
        "apis/coordination.k8s.io/v1",
        include_str!("../../fixtures/openapi/v3/apis_coordination.k8s.io_v1.json"),
    ),
    (
        "apis/discovery.k8s.io",
        include_str!("../../fixtures/openapi/v3/apis_discovery.k8s.io.json"),
    ),
    (
        "apis/discovery.k8s.io/v1",
        include_str!("../../fixtures/openapi/v3/apis_discovery.k8s.io_v1.json"),
    ),
    (
        "apis/events.k8s.io",
        include_str!("../../fixtures/openapi/v3/apis_events.k8s.io.json"),
    ),
    (
        "apis/events.k8s.io/v1",
        include_str!("../../fixtures/openapi/v3/apis_events.k8s.io_v1.json"),
    ),
    (
        "apis/example.org/v1",
        include_str!("../../fixtures/openapi/v3/apis_example.org_v1.json"),
    ),
    (
        "apis/flowcontrol.apiserver.k8s.io",
        include_str!("../../fixtures/openapi/v3/apis_flowcontrol.apiserver.k8s.io.json"),
    ),
    (
        "apis/flowcontrol.apiserver.k8s.io/v1",
        include_str!("../../fixtures/openapi/v3/apis_flowcontrol.apiserver.k8s.io_v1.json"),
    ),
    (
        "apis/networking.k8s.io",
        include_str!("../../fixtures/openapi/v3/apis_networking.k8s.io.json"),
    ),
    (
        "apis/networking.k8s.io/v1",
        include_str!("../../fixtures/openapi/v3/apis_networking.k8s.io_v1.json"),
    ),
    (
        "apis/node.k8s.io",
        include_str!("../../fixtures/openapi/v3/apis_node.k8s.io.json"),
    ),
    (
        "apis/node.k8s.io/v1",
        include_str!("../../fixtures/openapi/v3/apis_node.k8s.io_v1.json"),
    ),
    (
        "apis/policy",
        include_str!("../../fixtures/openapi/v3/apis_policy.json"),
    ),
    (
        "apis/policy/v1",
        include_str!("../../fixtures/openapi/v3/apis_policy_v1.json"),
    ),
    (
        "apis/rbac.authorization.k8s.io",
        include_str!("../../fixtures/openapi/v3/apis_rbac.authorization.k8s.io.json"),
    ),
    (
        "apis/rbac.authorization.k8s.io/v1",
        include_str!("../../fixtures/openapi/v3/apis_rbac.authorization.k8s.io_v1.json"),
    ),
    (
        "apis/scheduling.k8s.io",
        include_str!("../../fixtures/openapi/v3/apis_scheduling.k8s.io.json"),
    ),
    (
        "apis/scheduling.k8s.io/v1",
        include_str!("../../fixtures/openapi/v3/apis_scheduling.k8s.io_v1.json"),
    ),
    (
        "apis/storage.k8s.io",
        include_str!("../../fixtures/openapi/v3/apis_storage.k8s.io.json"),
    ),
    (
        "apis/storage.k8s.io/v1",
        include_str!("../../fixtures/openapi/v3/apis_storage.k8s.io_v1.json"),
    ),
    (
        "version",
        include_str!("../../fixtures/openapi/v3/version.json"),
    ),
];

/// The OpenAPI document of the service-account issuer discovery endpoints (which kz never
/// reads): valid, with no paths.
const OIDC_DOCUMENT: &str = r#"{"openapi":"3.0.0","info":{"title":"Kubernetes","version":"v1.33.5"},"paths":{},"components":{}}"#;

/// A stable stand-in for the real server's content hash of a document.
fn hash(text: &str) -> String {
    // FNV-1a: the value only has to change when the document does.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016X}")
}

/// The `/openapi/v3` index: every document with its `serverRelativeURL`.
pub fn index() -> Value {
    let paths: serde_json::Map<String, Value> = DOCUMENTS
        .iter()
        .map(|(path, text)| {
            let url = format!("/openapi/v3/{path}?hash={}", hash(text));
            (path.to_string(), json!({"serverRelativeURL": url}))
        })
        .collect();
    json!({"paths": paths})
}

/// One document, by its path (`apis/apps/v1`); the `hash` query is ignored.
pub fn document(path: &str) -> Option<&'static str> {
    DOCUMENTS
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, text)| *text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_lists_every_document_with_a_hash() {
        let index = index();
        let url = index["paths"]["apis/apps/v1"]["serverRelativeURL"]
            .as_str()
            .expect("apps/v1 listed");
        assert!(url.starts_with("/openapi/v3/apis/apps/v1?hash="));
        let doc: Value =
            serde_json::from_str(document("apis/apps/v1").expect("served")).expect("json");
        assert!(doc["components"]["schemas"]["io.k8s.api.apps.v1.Deployment"].is_object());
        assert!(document("apis/nope/v1").is_none());
    }
}
