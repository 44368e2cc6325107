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
    while let Some(page) = pages.next().await {
        let page = page?;
        if page.restarted {
            objects.clear();
        }
        objects.extend(list_items(rt, page.body));
    }
    Ok(objects)
}
