//! What a pod asks of its node: kubectl's `PodRequestsAndLimits` — its containers' requests
//! and limits summed, init containers counted at their peak (restartable ones for the whole
//! life of the pod), resized containers at what the kubelet reports, plus the pod overhead.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::describe::quantity::Quantity;

/// Quantities by resource name.
pub type ResourceList = BTreeMap<String, Quantity>;

/// A `ResourceList` field of an object.
pub fn resource_list(value: &Value) -> ResourceList {
    value
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, quantity)| (name.clone(), Quantity::of(quantity)))
        .collect()
}

/// Adds `more` into `list`, each resource keeping the format it first had.
pub fn add_into(list: &mut ResourceList, more: &ResourceList) {
    for (name, quantity) in more {
        list.entry(name.clone())
            .and_modify(|total| *total = total.add(quantity))
            .or_insert(*quantity);
    }
}

/// Raises every resource of `list` to at least its quantity in `other`.
fn max_into(list: &mut ResourceList, other: &ResourceList) {
    for (name, quantity) in other {
        match list.get(name) {
            Some(current) if quantity <= current => {}
            _ => {
                list.insert(name.clone(), *quantity);
            }
        }
    }
}

/// The pod's requests and limits, like kubectl's `PodRequestsAndLimits`.
pub fn requests_and_limits(pod: &Value) -> (ResourceList, ResourceList) {
    (requests(pod), limits(pod))
}

fn is_restartable(container: &Value) -> bool {
    container["restartPolicy"].as_str() == Some("Always")
}

fn containers<'a>(pod: &'a Value, field: &str) -> impl Iterator<Item = &'a Value> {
    pod["spec"][field].as_array().into_iter().flatten()
}

fn requests(pod: &Value) -> ResourceList {
    let statuses: BTreeMap<&str, &Value> = ["containerStatuses", "initContainerStatuses"]
        .iter()
        .flat_map(|field| pod["status"][*field].as_array().into_iter().flatten())
        .map(|status| (status["name"].as_str().unwrap_or_default(), status))
        .collect();
    let container_requests = |container: &Value| {
        let name = container["name"].as_str().unwrap_or_default();
        match statuses.get(name) {
            Some(status) if status["resources"].is_object() => {
                resized_requests(pod, container, status)
            }
            _ => resource_list(&container["resources"]["requests"]),
        }
    };
    let mut total = ResourceList::new();
    for container in containers(pod, "containers") {
        add_into(&mut total, &container_requests(container));
    }
    let mut restartable = ResourceList::new();
    let mut init_peak = ResourceList::new();
    for container in containers(pod, "initContainers") {
        let during = if is_restartable(container) {
            let own = container_requests(container);
            add_into(&mut total, &own);
            add_into(&mut restartable, &own);
            restartable.clone()
        } else {
            let mut during = resource_list(&container["resources"]["requests"]);
            add_into(&mut during, &restartable);
            during
        };
        max_into(&mut init_peak, &during);
    }
    max_into(&mut total, &init_peak);
    if pod["spec"]["overhead"].is_object() {
        add_into(&mut total, &resource_list(&pod["spec"]["overhead"]));
    }
    total
}

/// kubectl's `determineContainerReqs`: a container being resized counts at the larger of
/// what it asks and what the kubelet reports (only the latter when the resize is infeasible).
fn resized_requests(pod: &Value, container: &Value, status: &Value) -> ResourceList {
    let mut result = if resize_infeasible(pod) {
        resource_list(&status["resources"]["requests"])
    } else {
        let mut asked = resource_list(&container["resources"]["requests"]);
        max_into(&mut asked, &resource_list(&status["resources"]["requests"]));
        asked
    };
    max_into(&mut result, &resource_list(&status["allocatedResources"]));
    result
}

fn resize_infeasible(pod: &Value) -> bool {
    let pending = pod["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["type"].as_str() == Some("PodResizePending"));
    match pending {
        Some(condition) => condition["reason"].as_str() == Some("Infeasible"),
        None => pod["status"]["resize"].as_str() == Some("Infeasible"),
    }
}

fn limits(pod: &Value) -> ResourceList {
    let own = |container: &Value| resource_list(&container["resources"]["limits"]);
    let mut total = ResourceList::new();
    for container in containers(pod, "containers") {
        add_into(&mut total, &own(container));
    }
    let mut restartable = ResourceList::new();
    let mut init_peak = ResourceList::new();
    for container in containers(pod, "initContainers") {
        let during = if is_restartable(container) {
            add_into(&mut total, &own(container));
            add_into(&mut restartable, &own(container));
            restartable.clone()
        } else {
            let mut during = own(container);
            add_into(&mut during, &restartable);
            during
        };
        max_into(&mut init_peak, &during);
    }
    max_into(&mut total, &init_peak);
    for (name, overhead) in resource_list(&pod["spec"]["overhead"]) {
        if let Some(limit) = total.get_mut(&name).filter(|limit| !limit.is_zero()) {
            *limit = limit.add(&overhead);
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn shown(list: &ResourceList) -> Vec<String> {
        list.iter().map(|(k, v)| format!("{k}={v}")).collect()
    }

    #[test]
    fn init_containers_count_at_their_peak_and_sidecars_throughout() {
        let pod = json!({"spec": {
            "containers": [
                {"name": "a", "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "1"}}},
                {"name": "b", "resources": {"requests": {"cpu": "50m"}}},
            ],
            "initContainers": [
                {"name": "sidecar", "restartPolicy": "Always", "resources": {"requests": {"cpu": "10m"}, "limits": {"memory": "1Gi"}}},
                {"name": "setup", "resources": {"requests": {"cpu": "500m", "memory": "16Mi"}}},
            ],
            "overhead": {"cpu": "5m", "memory": "1Mi"},
        }});
        let (requests, limits) = requests_and_limits(&pod);
        // cpu: max(100m+50m+10m, 500m+10m) + 5m; memory: max(64Mi, 16Mi) + 1Mi.
        assert_eq!(shown(&requests), ["cpu=515m", "memory=65Mi"]);
        // The overhead is added only to limits that are set.
        assert_eq!(shown(&limits), ["cpu=1005m", "memory=1025Mi"]);
    }

    #[test]
    fn resized_containers_count_at_what_the_kubelet_reports() {
        let pod = json!({
            "spec": {"containers": [{"name": "a", "resources": {"requests": {"cpu": "100m"}}}]},
            "status": {"containerStatuses": [{"name": "a", "resources": {"requests": {"cpu": "200m"}}}]},
        });
        assert_eq!(shown(&requests_and_limits(&pod).0), ["cpu=200m"]);
    }
}
