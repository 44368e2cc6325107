//! Which pods and containers a `logs` command reads, by kubectl's rules (its
//! `logsForObject`, `SelectorsForObject`, `podcmd` and `podutils.ByLogging`). Pure: objects in,
//! sources, notices and errors out.

use std::cmp::Ordering;

use anyhow::{Result, anyhow, bail};
use jiff::Timestamp;
use serde_json::Value;

use crate::describe::fields::selector_string;

/// The annotation that names a pod's default container.
pub const DEFAULT_CONTAINER_ANNOTATION: &str = "kubectl.kubernetes.io/default-container";

/// One container whose log is read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Source {
    pub namespace: String,
    pub pod: String,
    pub container: String,
}

impl Source {
    /// `pod/NAME/CONTAINER`, the words of kubectl's `--prefix` without its brackets.
    pub fn label(&self) -> String {
        format!("pod/{}/{}", self.pod, self.container)
    }
}

/// The containers chosen in one pod, and what kubectl says on stderr while choosing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chosen {
    pub sources: Vec<Source>,
    pub notices: Vec<String>,
}

/// How containers are chosen in each pod.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ContainerChoice<'a> {
    /// `-c NAME` or the inline `CONTAINER` argument.
    pub name: Option<&'a str>,
    /// `--all-containers`: init containers, containers, ephemeral containers, in that order.
    pub all: bool,
    /// `--all-pods` silences the "Defaulted container" notice.
    pub quiet: bool,
}

fn names<'a>(pod: &'a Value, list: &str) -> Vec<&'a str> {
    pod["spec"][list]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect()
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// Whether the pod has a container (of any kind) of this name.
fn has_container(pod: &Value, name: &str) -> bool {
    ["containers", "initContainers", "ephemeralContainers"]
        .iter()
        .any(|list| names(pod, list).contains(&name))
}

/// kubectl's `AllContainerNames`: containers, ephemeral ones marked `(ephem)`, init ones
/// marked `(init)`.
fn all_container_names(pod: &Value) -> String {
    let mut all: Vec<String> = names(pod, "containers")
        .into_iter()
        .map(String::from)
        .collect();
    all.extend(
        names(pod, "ephemeralContainers")
            .into_iter()
            .map(|n| format!("{n} (ephem)")),
    );
    all.extend(
        names(pod, "initContainers")
            .into_iter()
            .map(|n| format!("{n} (init)")),
    );
    all.join(", ")
}

/// The containers of `pod` to read, as kubectl picks them: all of them, the named one, the
/// default-container annotation's, or the first (saying so when there were others).
pub fn containers(pod: &Value, choice: ContainerChoice<'_>) -> Result<Chosen> {
    let metadata = &pod["metadata"];
    let pod_name = text(&metadata["name"]);
    let source = |container: &str| Source {
        namespace: text(&metadata["namespace"]).to_string(),
        pod: pod_name.to_string(),
        container: container.to_string(),
    };
    let mut chosen = Chosen::default();
    if choice.all {
        for list in ["initContainers", "containers", "ephemeralContainers"] {
            chosen
                .sources
                .extend(names(pod, list).into_iter().map(source));
        }
        return Ok(chosen);
    }
    let mut container = choice.name.map(String::from);
    let annotated = text(&metadata["annotations"][DEFAULT_CONTAINER_ANNOTATION]);
    if container.is_none() && !annotated.is_empty() {
        if has_container(pod, annotated) {
            container = Some(annotated.to_string());
        } else {
            chosen.notices.push(format!(
                "Default container name {annotated:?} not found in pod {pod_name}"
            ));
        }
    }
    let container = match container {
        Some(name) => name,
        None => {
            let first = names(pod, "containers")
                .first()
                .map(|name| name.to_string())
                .ok_or_else(|| anyhow!("pod {pod_name} does not have any containers"))?;
            let others = names(pod, "containers").len() > 1
                || !names(pod, "initContainers").is_empty()
                || !names(pod, "ephemeralContainers").is_empty();
            if others && !choice.quiet {
                chosen.notices.push(format!(
                    "Defaulted container {first:?} out of: {}",
                    all_container_names(pod)
                ));
            }
            first
        }
    };
    if !has_container(pod, &container) {
        bail!("container {container} is not valid for pod {pod_name}");
    }
    chosen.sources.push(source(&container));
    Ok(chosen)
}

/// Go's name for the type kubectl decoded an object into (`*v1.ConfigMap`), for its
/// "cannot get the logs from …" errors.
fn go_type(object: &Value) -> String {
    let api_version = text(&object["apiVersion"]);
    let kind = text(&object["kind"]);
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let built_in = group.is_empty() || !group.contains('.') || group.ends_with(".k8s.io");
    if built_in {
        format!("*{version}.{kind}")
    } else {
        "*unstructured.Unstructured".to_string()
    }
}

/// The label selector of the pods a workload or service runs (kubectl's
/// `SelectorsForObject`), or kubectl's error for an object that has none.
pub fn pod_selector(object: &Value) -> Result<String> {
    let kind = text(&object["kind"]);
    let spec = &object["spec"];
    let cannot = |why: String| anyhow!("cannot get the logs from {}: {why}", go_type(object));
    let selector = match kind {
        "ReplicaSet" | "StatefulSet" | "DaemonSet" | "Deployment" | "Job" => {
            selector_string(&spec["selector"])
        }
        "ReplicationController" => map_selector(&spec["selector"]),
        "Service" => {
            let selector = map_selector(&spec["selector"]);
            if selector.is_empty() {
                return Err(cannot(format!(
                    "invalid service '{}': Service is defined without a selector",
                    text(&object["metadata"]["name"])
                )));
            }
            selector
        }
        _ => {
            return Err(cannot(format!(
                "selector for {} not implemented",
                go_type(object)
            )));
        }
    };
    Ok(selector)
}

/// A `map[string]string` selector as `a=b,c=d` (keys sorted, as Go's `labels.Set` prints).
fn map_selector(selector: &Value) -> String {
    let mut pairs: Vec<String> = selector
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={}", text(v)))
        .collect();
    pairs.sort();
    pairs.join(",")
}

fn time(value: &Value) -> Option<Timestamp> {
    value.as_str().and_then(|t| t.parse().ok())
}

fn ready_condition(pod: &Value) -> Option<&Value> {
    pod["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == "Ready")
}

fn is_ready(pod: &Value) -> bool {
    ready_condition(pod).is_some_and(|c| c["status"] == "True")
}

fn ready_time(pod: &Value) -> Option<Timestamp> {
    ready_condition(pod)
        .filter(|c| c["status"] == "True")
        .and_then(|c| time(&c["lastTransitionTime"]))
}

fn max_restarts(pod: &Value) -> (i64, i64) {
    let restarts = |statuses: &Value, only: Option<&[&str]>| {
        statuses
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| only.is_none_or(|names| names.contains(&text(&s["name"]))))
            .filter_map(|s| s["restartCount"].as_i64())
            .max()
            .unwrap_or(0)
    };
    let sidecars: Vec<&str> = pod["spec"]["initContainers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["restartPolicy"] == "Always")
        .filter_map(|c| c["name"].as_str())
        .collect();
    (
        restarts(&pod["status"]["containerStatuses"], None),
        restarts(&pod["status"]["initContainerStatuses"], Some(&sidecars)),
    )
}

/// Whether `a` is after `b`, a missing time being after any other (`afterOrZero`).
fn after_or_zero(a: Option<Timestamp>, b: Option<Timestamp>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a > b,
        (a, _) => a.is_none(),
    }
}

/// kubectl's `podutils.ByLogging`: the pod best to read logs from first — assigned to a node,
/// running, ready (for longest), most restarted, oldest.
pub fn by_logging(a: &Value, b: &Value) -> Ordering {
    let less = |i: &Value, j: &Value| -> Option<bool> {
        let (node_i, node_j) = (text(&i["spec"]["nodeName"]), text(&j["spec"]["nodeName"]));
        if node_i != node_j && (node_i.is_empty() || node_j.is_empty()) {
            return Some(!node_i.is_empty());
        }
        let phase = |p: &Value| match text(&p["status"]["phase"]) {
            "Running" => 0,
            "Unknown" => 1,
            "Pending" => 2,
            _ => 0,
        };
        if phase(i) != phase(j) {
            return Some(phase(i) < phase(j));
        }
        if is_ready(i) != is_ready(j) {
            return Some(is_ready(i));
        }
        if is_ready(i) && is_ready(j) && ready_time(i) != ready_time(j) {
            return Some(after_or_zero(ready_time(j), ready_time(i)));
        }
        let (restarts_i, restarts_j) = (max_restarts(i), max_restarts(j));
        if restarts_i != restarts_j {
            return Some(restarts_i > restarts_j);
        }
        let created = |p: &Value| time(&p["metadata"]["creationTimestamp"]);
        if created(i) != created(j) {
            return Some(after_or_zero(created(j), created(i)));
        }
        None
    };
    match less(a, b) {
        Some(true) => Ordering::Less,
        Some(false) => Ordering::Greater,
        None => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn agent() -> Value {
        json!({"metadata": {"name": "log-agent-dhfr8", "namespace": "shop"},
            "spec": {"containers": [{"name": "shipper"}, {"name": "rotator"}],
                     "initContainers": [{"name": "setup"}]}})
    }

    fn picked(pod: &Value, choice: ContainerChoice<'_>) -> (Vec<String>, Vec<String>) {
        let chosen = containers(pod, choice).expect("chosen");
        let names = chosen.sources.into_iter().map(|s| s.container).collect();
        (names, chosen.notices)
    }

    #[test]
    fn the_first_container_is_the_default_and_kubectl_says_so() {
        let (names, notices) = picked(&agent(), ContainerChoice::default());
        assert_eq!(names, ["shipper"]);
        assert_eq!(
            notices,
            ["Defaulted container \"shipper\" out of: shipper, rotator, setup (init)"]
        );
        let quiet = ContainerChoice {
            quiet: true,
            ..ContainerChoice::default()
        };
        assert_eq!(picked(&agent(), quiet).1, Vec::<String>::new());
        let single = json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "web"}]}});
        assert_eq!(
            picked(&single, ContainerChoice::default()),
            (vec!["web".to_string()], vec![])
        );
    }

    #[test]
    fn the_annotation_names_the_default_unless_it_names_nothing() {
        let mut pod = agent();
        pod["metadata"]["annotations"] = json!({DEFAULT_CONTAINER_ANNOTATION: "rotator"});
        assert_eq!(
            picked(&pod, ContainerChoice::default()),
            (vec!["rotator".to_string()], vec![])
        );
        pod["metadata"]["annotations"] = json!({DEFAULT_CONTAINER_ANNOTATION: "gone"});
        let (names, notices) = picked(&pod, ContainerChoice::default());
        assert_eq!(names, ["shipper"]);
        assert_eq!(
            notices[0],
            "Default container name \"gone\" not found in pod log-agent-dhfr8"
        );
    }

    #[test]
    fn all_containers_start_with_the_init_ones_and_a_wrong_name_fails() {
        let all = ContainerChoice {
            all: true,
            ..ContainerChoice::default()
        };
        assert_eq!(picked(&agent(), all).0, ["setup", "shipper", "rotator"]);
        let setup = ContainerChoice {
            name: Some("setup"),
            ..ContainerChoice::default()
        };
        assert_eq!(picked(&agent(), setup).0, ["setup"]);
        let wrong = ContainerChoice {
            name: Some("nope"),
            ..ContainerChoice::default()
        };
        assert_eq!(
            containers(&agent(), wrong).unwrap_err().to_string(),
            "container nope is not valid for pod log-agent-dhfr8"
        );
    }

    #[test]
    fn workloads_and_services_select_their_pods() {
        let deploy = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "spec": {"selector": {"matchLabels": {"app": "web", "tier": "front"}}}});
        assert_eq!(pod_selector(&deploy).unwrap(), "app=web,tier=front");
        let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
            "spec": {"selector": {"b": "2", "a": "1"}}});
        assert_eq!(pod_selector(&svc).unwrap(), "a=1,b=2");
        let bare =
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db"}, "spec": {}});
        assert_eq!(
            pod_selector(&bare).unwrap_err().to_string(),
            "cannot get the logs from *v1.Service: invalid service 'db': Service is defined without a selector"
        );
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap"});
        assert_eq!(
            pod_selector(&cm).unwrap_err().to_string(),
            "cannot get the logs from *v1.ConfigMap: selector for *v1.ConfigMap not implemented"
        );
        let gizmo = json!({"apiVersion": "example.org/v1", "kind": "Gizmo"});
        assert!(
            pod_selector(&gizmo)
                .unwrap_err()
                .to_string()
                .contains("*unstructured.Unstructured")
        );
    }

    #[test]
    fn the_best_pod_for_logs_comes_first() {
        let pod = |name: &str, node: &str, phase: &str, ready: bool, created: &str| {
            json!({"metadata": {"name": name, "creationTimestamp": created},
                "spec": {"nodeName": node},
                "status": {"phase": phase, "conditions": [{"type": "Ready",
                    "status": if ready { "True" } else { "False" },
                    "lastTransitionTime": created}]}})
        };
        let mut pods = [
            pod("unassigned", "", "Pending", false, "2026-01-01T00:00:00Z"),
            pod("pending", "n1", "Pending", false, "2026-01-01T00:00:00Z"),
            pod("not-ready", "n1", "Running", false, "2026-01-01T00:00:00Z"),
            pod("ready-new", "n1", "Running", true, "2026-01-02T00:00:00Z"),
            pod("ready-old", "n1", "Running", true, "2026-01-01T00:00:00Z"),
        ];
        pods.sort_by(by_logging);
        let order: Vec<&str> = pods
            .iter()
            .map(|p| p["metadata"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            order,
            [
                "ready-old",
                "ready-new",
                "not-ready",
                "pending",
                "unassigned"
            ]
        );
    }
}
