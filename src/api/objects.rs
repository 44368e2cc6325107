//! Whole objects, as verbs want them: one object by name, or every object of a list (all
//! pages), each with its kind and apiVersion filled in so printers and describers can say
//! what it is.

use anyhow::Result;
use serde_json::Value;

use super::JSON_ACCEPT;
use super::list::{ListQuery, ListRequest, Pages};
use super::path::object_path;
use crate::client::ApiClient;
use crate::discovery::ResourceType;
use crate::print::node::Node;
use crate::print::objects::{TypeDefaults, list_items};

/// `GET` one object of `rt`, with its kind and apiVersion filled in.
pub async fn get_object(
    client: &ApiClient,
    rt: &ResourceType,
    namespace: Option<&str>,
    name: &str,
) -> Result<Value> {
    let mut object: Value = client
        .get(&object_path(rt, namespace, name, None), JSON_ACCEPT)
        .await?
        .json()?;
    TypeDefaults::for_page(rt, &Value::Null).fill(&mut object);
    Ok(object)
}

/// Every object of a list, page by page (a list that restarts is collected again), each with
/// its kind and apiVersion. For verbs that need them all at once; printers stream `Pages`.
pub async fn list_objects(
    client: &ApiClient,
    rt: &ResourceType,
    namespace: Option<&str>,
    query: ListQuery,
) -> Result<Vec<Value>> {
    collect(client, rt, namespace, query, ManagedFields::Keep).await
}

/// As [`list_objects`], without each object's `metadata.managedFields`, for what never shows
/// them (`describe`): they are most of a real object's tree — about 100 small maps in a pod —
/// and a node's 500 pods held whole outweighed kubectl.
pub async fn list_objects_to_describe(
    client: &ApiClient,
    rt: &ResourceType,
    namespace: Option<&str>,
    query: ListQuery,
) -> Result<Vec<Value>> {
    collect(client, rt, namespace, query, ManagedFields::Drop).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ManagedFields {
    Keep,
    Drop,
}

async fn collect(
    client: &ApiClient,
    rt: &ResourceType,
    namespace: Option<&str>,
    query: ListQuery,
    managed_fields: ManagedFields,
) -> Result<Vec<Value>> {
    let mut pages = Pages::start(
        client,
        ListRequest {
            rt: rt.clone(),
            namespace: namespace.map(String::from),
            query,
            accept: JSON_ACCEPT,
        },
    );
    let mut objects = Vec::new();
    while let Some(page) = pages.next_raw().await {
        let page = page?;
        if page.restarted {
            objects.clear();
        }
        if managed_fields == ManagedFields::Keep {
            // Every object is kept either way: one pass over the page builds them.
            objects.extend(list_items(rt, page.decode()?.body));
            continue;
        }
        let defaults = TypeDefaults::for_list(rt, page.kind(), page.api_version());
        page.for_each_item(|item: Node| {
            let mut object = without_managed_fields(item);
            defaults.fill(&mut object);
            objects.push(object);
            Ok(())
        })?;
    }
    Ok(objects)
}

/// An item read as a borrowed [`Node`], kept as a tree without its `metadata.managedFields`:
/// only what is kept is copied out of the page.
fn without_managed_fields(mut item: Node<'_>) -> Value {
    if let Some(metadata) = item.get_mut("metadata") {
        metadata.remove("managedFields");
    }
    Value::from(item)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_decode_without_managed_fields() {
        let text = r#"{"kind":"Pod","metadata":{"name":"a","managedFields":[{"manager":"x","fieldsV1":{"f:a":{}}}],"labels":{"k\"q":"v"}},"spec":{"n":1.5,"s":"\u00e9"}}"#;
        let mut stripped: Value = serde_json::from_str(text).expect("json");
        stripped["metadata"]
            .as_object_mut()
            .expect("metadata")
            .remove("managedFields");
        let read = |text| Node::parse(text).map(without_managed_fields);
        assert_eq!(read(text).expect("stripped"), stripped);
        // Nothing to skip: decoded as it is.
        let plain = r#"{"metadata":{"name":"p"},"n":1}"#;
        assert_eq!(
            read(plain).expect("plain"),
            serde_json::json!({"metadata": {"name": "p"}, "n": 1})
        );
        // A field name with an escape cannot be borrowed: decoded whole, then stripped.
        let escaped = r#"{"a\"b":1,"metadata":{"name":"b","managedFields":[]}}"#;
        assert_eq!(
            read(escaped).expect("escaped"),
            serde_json::json!({"a\"b": 1, "metadata": {"name": "b"}})
        );
        assert!(read(r#"{"metadata":{"managedFields":[}"#).is_err());
    }
}
