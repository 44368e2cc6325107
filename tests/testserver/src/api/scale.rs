//! The `scale` subresource: the Scale view of a workload or a custom resource, its Table,
//! and writing a new replica count back into the object.

use serde_json::{Value, json};

use super::{Answer, get, table_request};
use crate::registry::ResourceType;
use crate::router::Target;
use crate::server::{ApiRequest, Shared};

/// A GET of the scale subresource: the Scale, or its Table.
pub(super) fn get_scale(
    shared: &Shared,
    rt: &ResourceType,
    target: &Target,
    req: &ApiRequest,
) -> Answer {
    get(shared, rt, target).map(|obj| {
        let scale = scale_of(rt, &obj);
        match table_request(req) {
            Some(version) => (200, scale_table(&scale, version)),
            None => (200, scale),
        }
    })
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

pub(super) fn with_replicas(rt: &ResourceType, object: &Value, replicas: i64) -> Value {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_strings() {
        let selector = json!({"matchLabels": {"app": "frontend"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}]});
        assert_eq!(selector_string(&selector), "app=frontend,tier in (a,b)");
    }
}
