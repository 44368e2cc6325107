//! Merging an applied configuration into a live object, as server-side apply does.
//!
//! Objects merge key by key (unless atomic), associative lists merge item by item, everything
//! else — scalars, atomic maps, atomic lists — is replaced by the configuration's value. The
//! order of a merged list follows structured-merge-diff: live-only items keep their place, items
//! in both sides come in the configuration's order, new items go where the configuration puts them.

use std::collections::VecDeque;

use serde_json::Value;

use super::fieldset::{PathElement, index_items};
use super::schema::{ListType, Node};

/// `live` with `config` merged in.
pub fn merge(live: &Value, config: &Value, schema: Option<&Node>) -> Value {
    let atomic_map = schema.is_some_and(Node::is_atomic_map);
    match (live, config) {
        (Value::Object(live), Value::Object(config)) if !atomic_map => {
            let mut out = live.clone();
            for (key, value) in config {
                let merged = match live.get(key) {
                    Some(current) => {
                        merge(current, value, schema.and_then(|s| s.field(key)).as_ref())
                    }
                    None => value.clone(),
                };
                out.insert(key.clone(), merged);
            }
            Value::Object(out)
        }
        (Value::Array(live), Value::Array(config)) if is_associative(schema) => {
            Value::Array(merge_lists(live, config, schema))
        }
        _ => config.clone(),
    }
}

fn is_associative(schema: Option<&Node>) -> bool {
    schema.is_some_and(|s| s.list_type() != ListType::Atomic)
}

fn merge_lists(live: &[Value], config: &[Value], schema: Option<&Node>) -> Vec<Value> {
    let items = schema.and_then(Node::items);
    let lhs = index_items(live, schema);
    let rhs = index_items(config, schema);
    let in_rhs = |pe: &PathElement| rhs.iter().any(|(p, _)| p == pe);
    let lhs_value = |pe: &PathElement| lhs.iter().find(|(p, _)| p == pe).map(|(_, v)| *v);
    let merge_item = |pe: &PathElement, config: &Value| match lhs_value(pe) {
        Some(current) => merge(current, config, items.as_ref()),
        None => config.clone(),
    };

    let mut shared: VecDeque<&PathElement> = rhs
        .iter()
        .map(|(pe, _)| pe)
        .filter(|pe| lhs_value(pe).is_some())
        .collect();
    let mut next_shared = shared.pop_front();
    let mut merged: Vec<&PathElement> = Vec::new();
    let mut out = Vec::with_capacity(lhs.len() + rhs.len());
    let (mut l, mut r) = (0, 0);
    while l < lhs.len() || r < rhs.len() {
        if l < lhs.len() && r < rhs.len() {
            let pe = &lhs[l].0;
            if *pe == rhs[r].0 {
                out.push(merge_item(pe, rhs[r].1));
                merged.push(pe);
                l += 1;
                r += 1;
                next_shared = shared.pop_front();
                continue;
            }
            if in_rhs(pe) && next_shared.is_some_and(|next| next != pe) {
                // A shared item that the configuration places later: it is emitted there.
                l += 1;
                continue;
            }
        }
        if l < lhs.len() {
            let (pe, value) = &lhs[l];
            if !in_rhs(pe) {
                out.push((*value).clone());
                l += 1;
                continue;
            }
            if merged.contains(&pe) {
                l += 1;
                continue;
            }
        }
        if r < rhs.len() {
            let (pe, value) = &rhs[r];
            merged.push(pe);
            out.push(merge_item(pe, value));
            r += 1;
            if next_shared == Some(pe) {
                next_shared = shared.pop_front();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patch::schema;
    use serde_json::json;

    fn containers_schema() -> Node {
        schema::for_kind("v1", "Pod")
            .and_then(|p| p.field("spec"))
            .and_then(|s| s.field("containers"))
            .expect("containers schema")
    }

    #[test]
    fn associative_lists_merge_by_key_and_keep_live_only_items() {
        let live = json!([{"name": "a", "image": "a:1", "imagePullPolicy": "Always"}, {"name": "side", "image": "s"}]);
        let config = json!([{"name": "new", "image": "n"}, {"name": "a", "image": "a:2"}]);
        let merged = merge(&live, &config, Some(&containers_schema()));
        assert_eq!(
            merged,
            json!([
                {"name": "new", "image": "n"},
                {"name": "a", "image": "a:2", "imagePullPolicy": "Always"},
                {"name": "side", "image": "s"}
            ])
        );
    }

    #[test]
    fn atomic_lists_and_schemaless_lists_are_replaced_and_maps_merge() {
        let live = json!({"spec": {"list": [1, 2], "m": {"a": 1}}});
        let config = json!({"spec": {"list": [3], "m": {"b": 2}}});
        assert_eq!(
            merge(&live, &config, None),
            json!({"spec": {"list": [3], "m": {"a": 1, "b": 2}}})
        );
    }
}
