//! Strategic merge patch (`application/strategic-merge-patch+json`) for built-in kinds.
//!
//! Follows apimachinery's `strategicpatch` semantics, driven by the OpenAPI schema:
//! - maps merge key by key; `null` deletes a key;
//! - lists whose `x-kubernetes-patch-strategy` contains `merge` merge items by
//!   `x-kubernetes-patch-merge-key` (lists of scalars merge as de-duplicated sets); every other
//!   list, and every field with strategy `replace`, is replaced;
//! - directives: `$patch: replace|delete|merge` (in maps and as list elements),
//!   `$retainKeys`, `$setElementOrder/<field>`, `$deleteFromPrimitiveList/<field>`;
//! - order of merged lists: items named by the patch (or by `$setElementOrder`) in the patch's
//!   order, interleaved with the server-only items in their server order, like the real server's
//!   `normalizeElementOrder`/`mergeSortedSlice` (so new items come before server-only ones).

use serde_json::{Map, Value};

use super::schema::{self, Node};
use crate::status::ApiError;

const PATCH: &str = "$patch";
const RETAIN_KEYS: &str = "$retainKeys";
const SET_ELEMENT_ORDER: &str = "$setElementOrder/";
const DELETE_FROM_PRIMITIVE_LIST: &str = "$deleteFromPrimitiveList/";

type Object = Map<String, Value>;

/// Applies a strategic merge patch to an object of the built-in kind `api_version`/`kind`.
///
/// Custom resources (kinds without a built-in schema) are answered `415 UnsupportedMediaType`,
/// as the real server does. On error `target` is left unchanged.
pub fn strategic_merge_patch(
    target: &mut Value,
    patch: &Value,
    api_version: &str,
    kind: &str,
) -> Result<(), ApiError> {
    let schema = schema::for_kind(api_version, kind).ok_or_else(unsupported_media_type)?;
    let Value::Object(patch) = patch else {
        return Err(ApiError::bad_request(format!(
            "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            go_type(patch)
        )));
    };
    let mut merged = target.as_object().cloned().unwrap_or_default();
    merge_map(&mut merged, patch, Some(&schema))?;
    *target = Value::Object(merged);
    Ok(())
}

/// The answer for a strategic merge patch of a kind the server has no patch schema for.
pub fn unsupported_media_type() -> ApiError {
    ApiError::new(
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: \
         application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
    )
}

fn go_type(value: &Value) -> &'static str {
    match value {
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Null => "null",
        Value::Object(_) => "object",
    }
}

fn merge_map(original: &mut Object, patch: &Object, schema: Option<&Node>) -> Result<(), ApiError> {
    match patch.get(PATCH).map(|d| (d, d.as_str())) {
        None | Some((_, Some("merge"))) => {}
        Some((_, Some("replace"))) => {
            let mut rest = patch.clone();
            rest.remove(PATCH);
            original.clear();
            return merge_map(original, &rest, schema);
        }
        Some((_, Some("delete"))) => {
            original.clear();
            return Ok(());
        }
        Some((directive, _)) => {
            return Err(ApiError::bad_request(format!(
                "unknown patch type: {directive} in map: {}",
                Value::Object(patch.clone())
            )));
        }
    }
    if let Some(retain) = patch.get(RETAIN_KEYS) {
        retain_keys(original, retain)?;
    }
    for (key, values) in patch {
        if let Some(field) = key.strip_prefix(DELETE_FROM_PRIMITIVE_LIST) {
            delete_from_primitive_list(original, field, values)?;
        }
    }
    for (key, value) in patch.iter().filter(|(k, _)| !k.starts_with('$')) {
        let child = schema.and_then(|s| s.field(key));
        let order = patch.get(&format!("{SET_ELEMENT_ORDER}{key}"));
        merge_field(original, key, value, child.as_ref(), order)?;
    }
    reorder_untouched_lists(original, patch, schema)
}

fn retain_keys(original: &mut Object, retain: &Value) -> Result<(), ApiError> {
    let keys = retain
        .as_array()
        .filter(|keys| keys.iter().all(Value::is_string))
        .ok_or_else(|| {
            ApiError::bad_request(format!("invalid patch format for retainKeys: {retain}"))
        })?;
    original.retain(|key, _| keys.iter().any(|k| k == key));
    Ok(())
}

fn delete_from_primitive_list(
    original: &mut Object,
    field: &str,
    values: &Value,
) -> Result<(), ApiError> {
    let values = values.as_array().ok_or_else(|| {
        ApiError::bad_request(format!(
            "invalid patch format for primitive list: {DELETE_FROM_PRIMITIVE_LIST}{field}: {values}"
        ))
    })?;
    if let Some(Value::Array(list)) = original.get_mut(field) {
        list.retain(|item| !values.contains(item));
    }
    Ok(())
}

fn merge_field(
    original: &mut Object,
    key: &str,
    patch: &Value,
    schema: Option<&Node>,
    order: Option<&Value>,
) -> Result<(), ApiError> {
    if patch.is_null() {
        original.remove(key);
        return Ok(());
    }
    let replace = schema.is_some_and(|s| has_strategy(s, "replace"));
    match (original.get_mut(key), patch) {
        (Some(Value::Object(current)), Value::Object(patch)) if !replace => {
            merge_map(current, patch, schema)
        }
        (Some(Value::Array(current)), Value::Array(patch)) if !replace => {
            merge_list(current, patch, schema, order)
        }
        _ => {
            original.insert(key.to_string(), fresh(patch, schema)?);
            Ok(())
        }
    }
}

/// A patch value applied to nothing: its directives processed and removed.
fn fresh(patch: &Value, schema: Option<&Node>) -> Result<Value, ApiError> {
    match patch {
        Value::Object(patch) => {
            let mut object = Object::new();
            merge_map(&mut object, patch, schema)?;
            Ok(Value::Object(object))
        }
        Value::Array(patch) => {
            let mut list = Vec::new();
            merge_list(&mut list, patch, schema, None)?;
            Ok(Value::Array(list))
        }
        scalar => Ok(scalar.clone()),
    }
}

fn has_strategy(schema: &Node, strategy: &str) -> bool {
    schema.patch_strategy().split(',').any(|s| s == strategy)
}

fn directive(item: &Value) -> Option<&str> {
    item.get(PATCH).and_then(Value::as_str)
}

fn merge_list(
    original: &mut Vec<Value>,
    patch: &[Value],
    schema: Option<&Node>,
    order: Option<&Value>,
) -> Result<(), ApiError> {
    let items = schema.and_then(Node::items);
    let merges = schema.is_some_and(|s| has_strategy(s, "merge"));
    let replaces = patch.iter().any(|item| directive(item) == Some("replace"));
    if !merges || replaces {
        *original = patch
            .iter()
            .filter(|item| directive(item).is_none() || !is_directive_only(item))
            .map(|item| fresh(item, items.as_ref()))
            .collect::<Result<_, _>>()?;
        return Ok(());
    }
    let merge_key = schema.and_then(Node::merge_key);
    let server_order: Vec<Value> = original.iter().map(|i| item_key(i, merge_key)).collect();
    match merge_key {
        Some(key) if patch.iter().chain(original.iter()).any(Value::is_object) => {
            merge_items_by_key(original, patch, key, items.as_ref())?;
        }
        _ => merge_scalars(original, patch),
    }
    let patch_order: Vec<Value> = match order {
        Some(Value::Array(order)) => order.iter().map(|i| item_key(i, merge_key)).collect(),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "invalid patch format for setElementOrder list: {other}"
            )));
        }
        None => patch
            .iter()
            .filter(|item| directive(item).is_none())
            .map(|i| item_key(i, merge_key))
            .collect(),
    };
    normalize_order(original, &patch_order, &server_order, merge_key);
    Ok(())
}

/// `{"$patch": "replace"}` and the like: a list element that only carries a directive.
fn is_directive_only(item: &Value) -> bool {
    item.as_object().is_some_and(|o| o.len() == 1)
}

/// What identifies a list item: its merge key's value, or the item itself for scalars.
fn item_key(item: &Value, merge_key: Option<&str>) -> Value {
    match (item, merge_key) {
        (Value::Object(object), Some(key)) => object.get(key).cloned().unwrap_or(Value::Null),
        _ => item.clone(),
    }
}

fn merge_items_by_key(
    original: &mut Vec<Value>,
    patch: &[Value],
    merge_key: &str,
    items: Option<&Node>,
) -> Result<(), ApiError> {
    for item in patch {
        let Some(object) = item.as_object() else {
            return Err(ApiError::bad_request(format!(
                "strategic merge patch: list item {item} is not an object, but the list is merged by {merge_key:?}"
            )));
        };
        let key = object.get(merge_key).ok_or_else(|| {
            ApiError::bad_request(format!(
                "map: {item} does not contain declared merge key: {merge_key}"
            ))
        })?;
        let position = original.iter().position(|o| o.get(merge_key) == Some(key));
        match (directive(item), position) {
            (Some("delete"), Some(index)) => {
                original.remove(index);
            }
            (Some("delete"), None) => {}
            (_, Some(index)) => match &mut original[index] {
                Value::Object(current) => merge_map(current, object, items)?,
                other => *other = fresh(item, items)?,
            },
            (_, None) => original.push(fresh(item, items)?),
        }
    }
    Ok(())
}

fn merge_scalars(original: &mut Vec<Value>, patch: &[Value]) {
    for item in patch {
        if !original.contains(item) {
            original.push(item.clone());
        }
    }
}

/// Orders a merged list like the real server: the items the patch names, in the patch's order,
/// interleaved with the server-only items, which keep their server order.
fn normalize_order(
    list: &mut Vec<Value>,
    patch_order: &[Value],
    server_order: &[Value],
    merge_key: Option<&str>,
) {
    let (mut named, server_only): (Vec<Value>, Vec<Value>) = std::mem::take(list)
        .into_iter()
        .partition(|item| patch_order.contains(&item_key(item, merge_key)));
    let rank = |order: &[Value], item: &Value| {
        let key = item_key(item, merge_key);
        order.iter().position(|k| *k == key).unwrap_or(usize::MAX)
    };
    named.sort_by_key(|item| rank(patch_order, item));
    *list = merge_sorted(server_only, named, |l, r| {
        let (li, ri) = (rank(server_order, l), rank(server_order, r));
        li != usize::MAX && ri != usize::MAX && li < ri
    });
}

/// Interleaves two lists, taking from `left` only while `left_first` says its head belongs
/// before `right`'s head.
fn merge_sorted(
    left: Vec<Value>,
    right: Vec<Value>,
    left_first: impl Fn(&Value, &Value) -> bool,
) -> Vec<Value> {
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut left = left.into_iter().peekable();
    let mut right = right.into_iter().peekable();
    loop {
        let take_left = match (left.peek(), right.peek()) {
            (Some(l), Some(r)) => left_first(l, r),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return out,
        };
        let next = if take_left { left.next() } else { right.next() };
        out.extend(next);
    }
}

/// Applies `$setElementOrder/<field>` to lists the patch does not otherwise change.
fn reorder_untouched_lists(
    original: &mut Object,
    patch: &Object,
    schema: Option<&Node>,
) -> Result<(), ApiError> {
    for (key, order) in patch {
        let Some(field) = key.strip_prefix(SET_ELEMENT_ORDER) else {
            continue;
        };
        if patch.contains_key(field) {
            continue;
        }
        let Value::Array(order) = order else {
            return Err(ApiError::bad_request(format!(
                "invalid patch format for setElementOrder list: {order}"
            )));
        };
        let merge_key = schema
            .and_then(|s| s.field(field))
            .and_then(|f| f.merge_key());
        if let Some(Value::Array(list)) = original.get_mut(field) {
            let server_order: Vec<Value> = list.iter().map(|i| item_key(i, merge_key)).collect();
            let order: Vec<Value> = order.iter().map(|i| item_key(i, merge_key)).collect();
            normalize_order(list, &order, &server_order, merge_key);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patch::test_support::fixture;
    use serde_json::json;

    fn deployment(spec: Value) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": spec})
    }

    fn smp(mut target: Value, patch: Value) -> Value {
        let api_version = target["apiVersion"].as_str().unwrap_or("v1").to_string();
        let kind = target["kind"].as_str().unwrap_or_default().to_string();
        strategic_merge_patch(&mut target, &patch, &api_version, &kind).expect("patch applies");
        target
    }

    fn pod_spec(containers: Value) -> Value {
        deployment(json!({"template": {"spec": {"containers": containers}}}))
    }

    fn containers(object: &Value) -> &Value {
        &object["spec"]["template"]["spec"]["containers"]
    }

    #[test]
    fn replays_fixture_112() {
        let before = fixture("088-get-deployment.json");
        let after = smp(
            before,
            fixture("112-strategic-merge-patch-deployment.request"),
        );
        let recorded = fixture("112-strategic-merge-patch-deployment.json");
        assert_eq!(after["spec"], recorded["spec"]);
    }

    #[test]
    fn merges_containers_and_env_by_name_and_replaces_other_lists() {
        let before = pod_spec(json!([
            {"name": "a", "image": "a:1", "args": ["x", "y"], "env": [{"name": "E", "value": "1"}]},
            {"name": "b", "image": "b:1"}
        ]));
        let after = smp(
            before,
            json!({"spec": {"template": {"spec": {"containers": [
                {"name": "b", "image": "b:2"},
                {"name": "a", "args": ["z"], "env": [{"name": "E", "value": "2"}, {"name": "F", "value": "3"}]}
            ]}}}}),
        );
        assert_eq!(
            containers(&after),
            &json!([
                {"name": "b", "image": "b:2"},
                {"name": "a", "image": "a:1", "args": ["z"],
                 "env": [{"name": "E", "value": "2"}, {"name": "F", "value": "3"}]}
            ])
        );
    }

    #[test]
    fn service_ports_merge_by_port() {
        let before = json!({"apiVersion": "v1", "kind": "Service", "spec": {"ports": [
            {"port": 80, "targetPort": 8080}, {"port": 443, "targetPort": 8443}
        ]}});
        let after = smp(
            before,
            json!({"spec": {"ports": [{"port": 443, "targetPort": 9443}]}}),
        );
        assert_eq!(
            after["spec"]["ports"],
            json!([{"port": 80, "targetPort": 8080}, {"port": 443, "targetPort": 9443}])
        );
    }

    #[test]
    fn delete_and_replace_directives() {
        let before = pod_spec(json!([{"name": "a", "image": "a"}, {"name": "b", "image": "b"}]));
        let deleted = smp(
            before.clone(),
            json!({"spec": {"template": {"spec": {"containers": [{"name": "a", "$patch": "delete"}]}}}}),
        );
        assert_eq!(containers(&deleted), &json!([{"name": "b", "image": "b"}]));

        let replaced = smp(
            before.clone(),
            json!({"spec": {"template": {"spec": {"containers": [{"name": "c"}, {"$patch": "replace"}]}}}}),
        );
        assert_eq!(containers(&replaced), &json!([{"name": "c"}]));

        let map_replaced = smp(
            deployment(json!({"selector": {"matchLabels": {"a": "1"}}, "replicas": 2})),
            json!({"spec": {"$patch": "replace", "replicas": 3}}),
        );
        assert_eq!(map_replaced["spec"], json!({"replicas": 3}));

        let map_deleted = smp(
            deployment(json!({"strategy": {"type": "Recreate"}})),
            json!({"spec": {"strategy": {"$patch": "delete"}}}),
        );
        assert_eq!(map_deleted["spec"]["strategy"], json!({}));
    }

    #[test]
    fn null_deletes_and_retain_keys_clears_other_keys() {
        let before = deployment(json!({
            "replicas": 2,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}
        }));
        let after = smp(
            before,
            json!({"spec": {"replicas": null,
                            "strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}),
        );
        assert_eq!(after["spec"], json!({"strategy": {"type": "Recreate"}}));
    }

    #[test]
    fn set_element_order_and_primitive_list_directives() {
        let before = pod_spec(json!([{"name": "a"}, {"name": "b"}, {"name": "c"}]));
        let reordered = smp(
            before,
            json!({"spec": {"template": {"spec": {
                "$setElementOrder/containers": [{"name": "c"}, {"name": "a"}, {"name": "b"}]
            }}}}),
        );
        assert_eq!(
            containers(&reordered),
            &json!([{"name": "c"}, {"name": "a"}, {"name": "b"}])
        );

        let with_order = smp(
            pod_spec(json!([{"name": "a"}, {"name": "b"}])),
            json!({"spec": {"template": {"spec": {
                "$setElementOrder/containers": [{"name": "b"}, {"name": "new"}, {"name": "a"}],
                "containers": [{"name": "new", "image": "n"}]
            }}}}),
        );
        assert_eq!(
            containers(&with_order),
            &json!([{"name": "b"}, {"name": "new", "image": "n"}, {"name": "a"}])
        );

        let finalizers = smp(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"finalizers": ["x", "y"]}}),
            json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["x"], "finalizers": ["z"]}}),
        );
        assert_eq!(finalizers["metadata"]["finalizers"], json!(["z", "y"]));
    }

    #[test]
    fn tolerations_without_a_merge_strategy_are_replaced() {
        let before = json!({"apiVersion": "v1", "kind": "Pod", "spec": {
            "tolerations": [{"key": "a", "operator": "Exists"}],
            "volumes": [{"name": "v", "emptyDir": {}}],
            "containers": [{"name": "c", "volumeMounts": [{"name": "v", "mountPath": "/a"}]}]
        }});
        let after = smp(
            before,
            json!({"spec": {
                "tolerations": [{"key": "b", "operator": "Exists"}],
                "volumes": [{"name": "w", "configMap": {"name": "cm"}}],
                "containers": [{"name": "c", "volumeMounts": [{"name": "w", "mountPath": "/b"}]}]
            }}),
        );
        assert_eq!(
            after["spec"]["tolerations"],
            json!([{"key": "b", "operator": "Exists"}])
        );
        assert_eq!(
            after["spec"]["volumes"],
            json!([{"name": "w", "configMap": {"name": "cm"}}, {"name": "v", "emptyDir": {}}])
        );
        assert_eq!(
            after["spec"]["containers"][0]["volumeMounts"],
            json!([{"name": "w", "mountPath": "/b"}, {"name": "v", "mountPath": "/a"}])
        );
    }

    #[test]
    fn custom_resources_are_415() {
        let mut gizmo = json!({"apiVersion": "example.org/v1", "kind": "Gizmo", "spec": {}});
        let err = strategic_merge_patch(
            &mut gizmo,
            &json!({"spec": {"a": 1}}),
            "example.org/v1",
            "Gizmo",
        )
        .expect_err("no schema");
        assert_eq!(err.code, 415);
        assert_eq!(err.reason, "UnsupportedMediaType");
        assert_eq!(
            err.message,
            "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
        );
    }

    #[test]
    fn bad_directives_are_400() {
        let mut d = deployment(json!({}));
        let err = strategic_merge_patch(
            &mut d,
            &json!({"spec": {"$patch": "explode"}}),
            "apps/v1",
            "Deployment",
        )
        .expect_err("bad directive");
        assert_eq!(err.code, 400);
        let err = strategic_merge_patch(
            &mut d,
            &json!({"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}}),
            "apps/v1",
            "Deployment",
        )
        .expect_err("merge key missing");
        assert!(
            err.message
                .contains("does not contain declared merge key: name"),
            "{}",
            err.message
        );
    }
}
