//! What the describers of workloads (Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs,
//! CronJobs, ReplicationControllers) share: their pods counted by phase, the controller that
//! owns them, their conditions table, their events section, and the errors of their extra
//! requests.

use anyhow::anyhow;
use serde_json::Value;

pub use crate::describe::fields::int;

use super::super::events::describe_events;
use super::super::fields::text;
use super::super::{Fetch, Fetched, PrefixWriter, Settings};
use crate::put;

/// The request for the pods a workload selects, by its selector's string (kubectl's
/// `getPodStatusForController`).
pub fn pods_fetch(object: &Value, selector: &str) -> Fetch {
    let namespace = object["metadata"]["namespace"].as_str();
    Fetch::labelled("pods", namespace, selector)
}

/// The pods a workload controls, counted by phase.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PodCounts {
    pub running: usize,
    pub waiting: usize,
    pub succeeded: usize,
    pub failed: usize,
}

impl PodCounts {
    /// Counts the `pods` whose controller is the object with `uid`; orphans and pods of other
    /// controllers are left out, as kubectl leaves them out.
    pub fn of(pods: &[Value], uid: &str) -> PodCounts {
        let mut counts = PodCounts::default();
        for pod in pods.iter().filter(|pod| controller_uid(pod) == Some(uid)) {
            match text(&pod["status"]["phase"]) {
                "Running" => counts.running += 1,
                "Pending" => counts.waiting += 1,
                "Succeeded" => counts.succeeded += 1,
                "Failed" => counts.failed += 1,
                _ => {}
            }
        }
        counts
    }

    /// `3 Running / 0 Waiting / 0 Succeeded / 0 Failed`.
    pub fn line(&self) -> String {
        format!(
            "{} Running / {} Waiting / {} Succeeded / {} Failed",
            self.running, self.waiting, self.succeeded, self.failed
        )
    }
}

/// The owner reference marked `controller: true`, if any (`metav1.GetControllerOf`).
fn controller_of(object: &Value) -> Option<&Value> {
    object["metadata"]["ownerReferences"]
        .as_array()?
        .iter()
        .find(|owner| owner["controller"].as_bool() == Some(true))
}

fn controller_uid(object: &Value) -> Option<&str> {
    controller_of(object).and_then(|owner| owner["uid"].as_str())
}

/// Whether `object`'s controller is `owner` (`metav1.IsControlledBy`: by uid).
pub fn is_controlled_by(object: &Value, owner: &Value) -> bool {
    controller_uid(object).is_some_and(|uid| uid == text(&owner["metadata"]["uid"]))
}

/// `Kind/name` of the object's controller, as kubectl's `Controlled By:` line shows it.
pub fn controlled_by(object: &Value) -> Option<String> {
    controller_of(object).map(|owner| format!("{}/{}", text(&owner["kind"]), text(&owner["name"])))
}

/// The `Conditions:` table of a Deployment, ReplicaSet or ReplicationController, when the
/// status has conditions.
pub fn conditions(w: &mut PrefixWriter, status: &Value) {
    let Some(conditions) = status["conditions"].as_array().filter(|c| !c.is_empty()) else {
        return;
    };
    w.write(0, "Conditions:\n  Type\tStatus\tReason\n");
    w.write(1, "----\t------\t------\n");
    for condition in conditions {
        put!(
            w,
            1,
            "{} \t{}\t{}\n",
            text(&condition["type"]),
            text(&condition["status"]),
            text(&condition["reason"])
        );
    }
}

/// The Events section as kubectl's typed describers print it: none with
/// `--show-events=false`, and `Events: <none>` when the events could not be read (kubectl
/// ignores that error and describes the empty list it was filling).
pub fn events(fetched: &Fetched, settings: &Settings, w: &mut PrefixWriter) {
    match &fetched.events {
        None => {}
        Some(Ok(events)) => describe_events(events, settings.now, w),
        Some(Err(_)) => describe_events(&[], settings.now, w),
    }
}

/// The items of the `index`-th fetch, or the error it failed with (the server's own error
/// when there is one, so it is reported as kubectl reports it).
pub fn items_or_error(fetched: &Fetched, index: usize) -> anyhow::Result<&[Value]> {
    match fetched.related.get(index) {
        Some(Err(err)) => Err(copy_error(err)),
        _ => Ok(fetched.items(index)),
    }
}

/// A copy of a fetch's error: the API server's status when it is one, else its message.
pub fn copy_error(err: &anyhow::Error) -> anyhow::Error {
    match crate::error::server_error(err) {
        Some(server) => server.clone().into(),
        None => anyhow!("{}", crate::error::describe_chain(err)),
    }
}

/// An `IntOrString` as Go's `(*IntOrString).String()` prints it.
pub fn int_or_string(value: &Value) -> String {
    match value {
        Value::Null => "<nil>".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(phase: &str, owner: Option<&str>) -> Value {
        let owners: Vec<Value> = owner
            .map(|uid| json!({"kind": "ReplicaSet", "name": "web", "uid": uid, "controller": true}))
            .into_iter()
            .collect();
        json!({"metadata": {"ownerReferences": owners}, "status": {"phase": phase}})
    }

    #[test]
    fn only_the_controllers_own_pods_are_counted() {
        let pods = [
            pod("Running", Some("u-1")),
            pod("Running", Some("u-1")),
            pod("Pending", Some("u-1")),
            pod("Failed", Some("u-1")),
            pod("Succeeded", Some("u-1")),
            pod("Unknown", Some("u-1")),
            pod("Running", Some("u-2")),
            pod("Running", None),
        ];
        assert_eq!(
            PodCounts::of(&pods, "u-1").line(),
            "2 Running / 1 Waiting / 1 Succeeded / 1 Failed"
        );
    }

    #[test]
    fn the_controller_is_the_owner_marked_so() {
        let rs = json!({"metadata": {"ownerReferences": [
            {"kind": "Other", "name": "x", "uid": "u-0"},
            {"kind": "Deployment", "name": "web", "uid": "u-1", "controller": true},
        ]}});
        assert_eq!(controlled_by(&rs).as_deref(), Some("Deployment/web"));
        assert!(is_controlled_by(&rs, &json!({"metadata": {"uid": "u-1"}})));
        assert!(!is_controlled_by(&rs, &json!({"metadata": {"uid": "u-0"}})));
        assert_eq!(controlled_by(&json!({"metadata": {}})), None);
    }

    #[test]
    fn int_or_strings_print_like_go() {
        assert_eq!(int_or_string(&json!("25%")), "25%");
        assert_eq!(int_or_string(&json!(1)), "1");
        assert_eq!(int_or_string(&Value::Null), "<nil>");
    }
}
