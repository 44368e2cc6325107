//! Lists: selectors, limits and continue tokens in the real server's format, and the list
//! encoding (plain JSON or a Table).

use std::sync::Arc;

use base64::Engine;
use hyper::Response;
use serde_json::{Value, json};

use super::{metadata_list_request, selectors, table_kind, table_request, with_type};
use crate::registry::ResourceType;
use crate::router::Target;
use crate::server::{ApiRequest, Body, Shared, json_response, response};
use crate::status::ApiError;
use crate::table::{self, IncludeObject};

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

pub(super) fn list(
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
    if let Some(version) = metadata_list_request(req) {
        // The typed list leaves an empty continue out.
        if meta["continue"] == ""
            && let Some(m) = meta.as_object_mut()
        {
            m.remove("continue");
        }
        return Ok(response(
            200,
            "application/json",
            encode_metadata_list(version, &meta, &page),
        ));
    }
    Ok(response(
        200,
        "application/json",
        encode_list(rt, &meta, &page),
    ))
}

/// A `PartialObjectMetadataList`: each item its kind, apiVersion and whole metadata, as the
/// real server writes it (`kind` first, like every typed object).
fn encode_metadata_list(version: &str, meta: &Value, items: &[&Arc<Value>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + items.len() * 512);
    out.extend_from_slice(
        format!(
            "{{\"kind\":\"PartialObjectMetadataList\",\"apiVersion\":\"meta.k8s.io/{version}\",\"metadata\":{meta},\"items\":["
        )
        .as_bytes(),
    );
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(
            format!(
                "{{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/{version}\",\"metadata\":"
            )
            .as_bytes(),
        );
        // Writing JSON into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut out, &item["metadata"]);
        out.push(b'}');
    }
    out.extend_from_slice(b"]}");
    out
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
    fn metadata_lists_keep_only_each_items_metadata() {
        let pod = Arc::new(json!({
            "metadata": {"name": "a", "namespace": "shop", "labels": {"app": "web"}},
            "spec": {"nodeName": "n1"},
        }));
        let out = encode_metadata_list("v1", &json!({"resourceVersion": "7"}), &[&pod]);
        let list: Value = serde_json::from_slice(&out).expect("json");
        assert_eq!(
            list,
            json!({
                "kind": "PartialObjectMetadataList",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": {"resourceVersion": "7"},
                "items": [{
                    "kind": "PartialObjectMetadata",
                    "apiVersion": "meta.k8s.io/v1",
                    "metadata": {"name": "a", "namespace": "shop", "labels": {"app": "web"}},
                }],
            })
        );
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
