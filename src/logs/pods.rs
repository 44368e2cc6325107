//! The pods a workload or service runs, best first for reading logs (kubectl's
//! `GetPodList`): listed by the object's selector, and when there are none yet, the first
//! pod the watch sees appear, waiting up to `--pod-running-timeout`.

use std::time::Duration;

use anyhow::{Result, anyhow};
use serde_json::Value;

use super::pick::by_logging;
use crate::api::{EventType, JSON_ACCEPT, ListQuery, ListRequest, WatchItem, Watcher};
use crate::client::ApiClient;
use crate::discovery::ResourceType;
use crate::print::objects::list_items;

/// The pods in `namespace` that `selector` matches, sorted by `ByLogging`; at least one, or
/// an error once `timeout` has passed without any.
pub async fn pods_for(
    client: &ApiClient,
    pods: &ResourceType,
    namespace: &str,
    selector: &str,
    timeout: Duration,
) -> Result<Vec<Value>> {
    let request = ListRequest {
        rt: pods.clone(),
        namespace: Some(namespace.to_string()),
        query: ListQuery {
            label_selector: Some(selector.to_string()).filter(|s| !s.is_empty()),
            ..ListQuery::default()
        },
        accept: JSON_ACCEPT,
    };
    let mut watcher = Watcher::start(client, request);
    let first = async {
        let mut found: Vec<Value> = Vec::new();
        loop {
            match watcher.next().await? {
                WatchItem::Listed { page, .. } => {
                    if page.restarted {
                        found.clear();
                    }
                    let last = page.body["metadata"]["continue"]
                        .as_str()
                        .is_none_or(str::is_empty);
                    found.extend(list_items(pods, page.body));
                    if last && !found.is_empty() {
                        found.sort_by(by_logging);
                        return Ok(found);
                    }
                }
                WatchItem::Event {
                    kind: EventType::Added | EventType::Modified,
                    object,
                } => return Ok(vec![object]),
                WatchItem::Event { .. } => {}
            }
        }
    };
    tokio::time::timeout(timeout, first)
        .await
        .map_err(|_| anyhow!("timed out waiting for the condition"))?
}
