//! Rollout status per kind, kubectl's `polymorphichelpers/rollout_status.go` rules and
//! messages exactly: each function reads one object and says what it waits for, or that the
//! rollout is done, or that it cannot be waited for (an error).

use anyhow::{Result, anyhow, bail};
use serde_json::Value;

/// Where a rollout stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// kubectl's line, without its newline.
    pub message: String,
    /// The rollout is complete: the wait ends.
    pub done: bool,
}

impl Status {
    fn waiting(message: String) -> Status {
        Status {
            message,
            done: false,
        }
    }

    fn done(message: String) -> Status {
        Status {
            message,
            done: true,
        }
    }
}

/// The kinds whose rollouts can be waited for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Deployment,
    StatefulSet,
    DaemonSet,
}

impl Kind {
    /// The kind for an API group and kind, `None` when kubectl has no status viewer for it.
    pub fn of(group: &str, kind: &str) -> Option<Kind> {
        match (group, kind) {
            ("apps" | "extensions", "Deployment") => Some(Kind::Deployment),
            ("apps", "StatefulSet") => Some(Kind::StatefulSet),
            ("apps" | "extensions", "DaemonSet") => Some(Kind::DaemonSet),
            _ => None,
        }
    }
}

/// The rollout status of `object`, a `kind`. `revision` (`--revision`, 0 for none) must be
/// the Deployment's running revision; the other kinds ignore it, as kubectl does.
pub fn status(kind: Kind, object: &Value, revision: i64) -> Result<Status> {
    match kind {
        Kind::Deployment => deployment(object, revision),
        Kind::StatefulSet => stateful_set(object),
        Kind::DaemonSet => daemon_set(object),
    }
}

/// The Deployment controller's reason for a rollout that stopped making progress.
const TIMED_OUT_REASON: &str = "ProgressDeadlineExceeded";
const REVISION_ANNOTATION: &str = "deployment.kubernetes.io/revision";
const ROLLING_UPDATE: &str = "RollingUpdate";

/// kubectl's `DeploymentStatusViewer`.
pub fn deployment(object: &Value, revision: i64) -> Result<Status> {
    let name = name(object);
    if revision > 0 {
        let running = deployment_revision(object)
            .map_err(|err| anyhow!("cannot get the revision of deployment {name:?}: {err}"))?;
        if revision != running {
            bail!(
                "desired revision ({revision}) is different from the running revision ({running})"
            );
        }
    }
    if generation(object) > int(object, &["status", "observedGeneration"]) {
        return Ok(Status::waiting(
            "Waiting for deployment spec update to be observed...".to_string(),
        ));
    }
    let timed_out = object
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|condition| condition["type"] == "Progressing")
        .is_some_and(|condition| condition["reason"] == TIMED_OUT_REASON);
    if timed_out {
        bail!("deployment {name:?} exceeded its progress deadline");
    }
    let updated = int(object, &["status", "updatedReplicas"]);
    if let Some(desired) = opt_int(object, &["spec", "replicas"])
        && updated < desired
    {
        return Ok(Status::waiting(format!(
            "Waiting for deployment {name:?} rollout to finish: {updated} out of {desired} new replicas have been updated..."
        )));
    }
    let replicas = int(object, &["status", "replicas"]);
    if replicas > updated {
        return Ok(Status::waiting(format!(
            "Waiting for deployment {name:?} rollout to finish: {} old replicas are pending termination...",
            replicas - updated
        )));
    }
    let available = int(object, &["status", "availableReplicas"]);
    if available < updated {
        return Ok(Status::waiting(format!(
            "Waiting for deployment {name:?} rollout to finish: {available} of {updated} updated replicas are available..."
        )));
    }
    Ok(Status::done(format!(
        "deployment {name:?} successfully rolled out"
    )))
}

/// The `deployment.kubernetes.io/revision` annotation; 0 without one, like kubectl.
fn deployment_revision(object: &Value) -> Result<i64, String> {
    match object
        .pointer("/metadata/annotations")
        .and_then(|annotations| annotations.get(REVISION_ANNOTATION))
        .and_then(Value::as_str)
    {
        None => Ok(0),
        Some(text) => text
            .parse()
            .map_err(|_| format!("strconv.ParseInt: parsing {text:?}: invalid syntax")),
    }
}

/// kubectl's `StatefulSetStatusViewer`.
pub fn stateful_set(object: &Value) -> Result<Status> {
    let strategy = &object["spec"]["updateStrategy"];
    if str_at(strategy, "type") != ROLLING_UPDATE {
        bail!("rollout status is only available for {ROLLING_UPDATE} strategy type");
    }
    let observed = int(object, &["status", "observedGeneration"]);
    if observed == 0 || generation(object) > observed {
        return Ok(Status::waiting(
            "Waiting for statefulset spec update to be observed...".to_string(),
        ));
    }
    let desired = opt_int(object, &["spec", "replicas"]);
    let ready = int(object, &["status", "readyReplicas"]);
    if let Some(desired) = desired
        && ready < desired
    {
        return Ok(Status::waiting(format!(
            "Waiting for {} pods to be ready...",
            desired - ready
        )));
    }
    let updated = int(object, &["status", "updatedReplicas"]);
    let rolling_update = &strategy["rollingUpdate"];
    if !rolling_update.is_null() {
        if let (Some(desired), Some(partition)) = (desired, rolling_update["partition"].as_i64()) {
            let wanted = desired - partition;
            if updated < wanted {
                return Ok(Status::waiting(format!(
                    "Waiting for partitioned roll out to finish: {updated} out of {wanted} new pods have been updated..."
                )));
            }
        }
        return Ok(Status::done(format!(
            "partitioned roll out complete: {updated} new pods have been updated..."
        )));
    }
    let update_revision = str_at(&object["status"], "updateRevision");
    let current_revision = str_at(&object["status"], "currentRevision");
    if update_revision != current_revision {
        return Ok(Status::waiting(format!(
            "waiting for statefulset rolling update to complete {updated} pods at revision {update_revision}..."
        )));
    }
    Ok(Status::done(format!(
        "statefulset rolling update complete {} pods at revision {current_revision}...",
        int(object, &["status", "currentReplicas"])
    )))
}

/// kubectl's `DaemonSetStatusViewer`.
pub fn daemon_set(object: &Value) -> Result<Status> {
    let name = name(object);
    if str_at(&object["spec"]["updateStrategy"], "type") != ROLLING_UPDATE {
        bail!("rollout status is only available for {ROLLING_UPDATE} strategy type");
    }
    if generation(object) > int(object, &["status", "observedGeneration"]) {
        return Ok(Status::waiting(
            "Waiting for daemon set spec update to be observed...".to_string(),
        ));
    }
    let desired = int(object, &["status", "desiredNumberScheduled"]);
    let updated = int(object, &["status", "updatedNumberScheduled"]);
    if updated < desired {
        return Ok(Status::waiting(format!(
            "Waiting for daemon set {name:?} rollout to finish: {updated} out of {desired} new pods have been updated..."
        )));
    }
    let available = int(object, &["status", "numberAvailable"]);
    if available < desired {
        return Ok(Status::waiting(format!(
            "Waiting for daemon set {name:?} rollout to finish: {available} of {desired} updated pods are available..."
        )));
    }
    Ok(Status::done(format!(
        "daemon set {name:?} successfully rolled out"
    )))
}

/// The counts a progress display draws: pods updated, ready and available, out of desired.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub desired: i64,
    pub updated: i64,
    pub ready: i64,
    pub available: i64,
}

/// The counts of `object`, a `kind`, from its spec and status (a missing `spec.replicas` is
/// the API's default, 1; a DaemonSet's desired count is the pods it should schedule).
pub fn progress(kind: Kind, object: &Value) -> Progress {
    let count = |field: &str| int(object, &["status", field]);
    match kind {
        Kind::Deployment | Kind::StatefulSet => Progress {
            desired: opt_int(object, &["spec", "replicas"]).unwrap_or(1),
            updated: count("updatedReplicas"),
            ready: count("readyReplicas"),
            available: count("availableReplicas"),
        },
        Kind::DaemonSet => Progress {
            desired: count("desiredNumberScheduled"),
            updated: count("updatedNumberScheduled"),
            ready: count("numberReady"),
            available: count("numberAvailable"),
        },
    }
}

fn name(object: &Value) -> &str {
    str_at(&object["metadata"], "name")
}

fn generation(object: &Value) -> i64 {
    int(object, &["metadata", "generation"])
}

fn str_at<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key].as_str().unwrap_or("")
}

fn opt_int(object: &Value, path: &[&str]) -> Option<i64> {
    path.iter()
        .try_fold(object, |value, key| value.get(key))
        .and_then(Value::as_i64)
}

/// A number field, 0 when absent (Go's zero value).
fn int(object: &Value, path: &[&str]) -> i64 {
    opt_int(object, path).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn deploy(generation: i64, spec_replicas: Option<i64>, status: Value) -> Value {
        let mut object = json!({
            "metadata": {"name": "web", "generation": generation},
            "spec": {},
            "status": status,
        });
        if let Some(replicas) = spec_replicas {
            object["spec"]["replicas"] = json!(replicas);
        }
        object
    }

    fn waiting(message: &str) -> Status {
        Status::waiting(message.to_string())
    }

    fn done(message: &str) -> Status {
        Status::done(message.to_string())
    }

    fn err_text(result: Result<Status>) -> String {
        format!("{:#}", result.expect_err("an error"))
    }

    #[test]
    fn a_deployment_waits_for_its_spec_to_be_observed() {
        let object = deploy(2, Some(3), json!({"observedGeneration": 1}));
        assert_eq!(
            deployment(&object, 0).unwrap(),
            waiting("Waiting for deployment spec update to be observed...")
        );
    }

    #[test]
    fn a_deployment_past_its_progress_deadline_is_an_error() {
        let object = deploy(
            1,
            Some(3),
            json!({"observedGeneration": 1, "conditions": [
                {"type": "Available", "reason": "MinimumReplicasUnavailable"},
                {"type": "Progressing", "reason": "ProgressDeadlineExceeded"},
            ]}),
        );
        assert_eq!(
            err_text(deployment(&object, 0)),
            "deployment \"web\" exceeded its progress deadline"
        );
    }

    #[test]
    fn a_progressing_deployment_is_not_an_error() {
        let object = deploy(
            1,
            Some(1),
            json!({"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1,
                   "availableReplicas": 1,
                   "conditions": [{"type": "Progressing", "reason": "NewReplicaSetAvailable"}]}),
        );
        assert_eq!(
            deployment(&object, 0).unwrap(),
            done("deployment \"web\" successfully rolled out")
        );
    }

    #[test]
    fn a_deployment_waits_for_updated_replicas() {
        let object = deploy(
            1,
            Some(3),
            json!({"observedGeneration": 1, "replicas": 3, "updatedReplicas": 2}),
        );
        assert_eq!(
            deployment(&object, 0).unwrap(),
            waiting(
                "Waiting for deployment \"web\" rollout to finish: 2 out of 3 new replicas have been updated..."
            )
        );
    }

    #[test]
    fn a_deployment_without_spec_replicas_skips_the_updated_check() {
        let object = deploy(1, None, json!({"observedGeneration": 1}));
        assert_eq!(
            deployment(&object, 0).unwrap(),
            done("deployment \"web\" successfully rolled out")
        );
    }

    #[test]
    fn a_deployment_waits_for_old_replicas_to_go() {
        let object = deploy(
            1,
            Some(3),
            json!({"observedGeneration": 1, "replicas": 4, "updatedReplicas": 3}),
        );
        assert_eq!(
            deployment(&object, 0).unwrap(),
            waiting(
                "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination..."
            )
        );
    }

    #[test]
    fn a_deployment_waits_for_updated_replicas_to_be_available() {
        let object = deploy(
            1,
            Some(3),
            json!({"observedGeneration": 1, "replicas": 3, "updatedReplicas": 3,
                   "availableReplicas": 1}),
        );
        assert_eq!(
            deployment(&object, 0).unwrap(),
            waiting(
                "Waiting for deployment \"web\" rollout to finish: 1 of 3 updated replicas are available..."
            )
        );
    }

    #[test]
    fn a_newer_observed_generation_counts_as_observed() {
        let object = deploy(1, Some(0), json!({"observedGeneration": 2}));
        assert!(deployment(&object, 0).unwrap().done);
    }

    fn with_revision(revision: &str) -> Value {
        let mut object = deploy(
            1,
            Some(1),
            json!({"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1,
                   "availableReplicas": 1}),
        );
        object["metadata"]["annotations"] = json!({ REVISION_ANNOTATION: revision });
        object
    }

    #[test]
    fn the_desired_revision_must_be_the_running_one() {
        assert!(deployment(&with_revision("3"), 3).unwrap().done);
        assert_eq!(
            err_text(deployment(&with_revision("2"), 3)),
            "desired revision (3) is different from the running revision (2)"
        );
    }

    #[test]
    fn a_deployment_without_a_revision_runs_revision_zero() {
        let object = deploy(1, None, json!({"observedGeneration": 1}));
        assert_eq!(
            err_text(deployment(&object, 1)),
            "desired revision (1) is different from the running revision (0)"
        );
        assert!(deployment(&object, 0).unwrap().done);
    }

    #[test]
    fn an_unreadable_revision_is_an_error() {
        assert_eq!(
            err_text(deployment(&with_revision("x"), 1)),
            "cannot get the revision of deployment \"web\": strconv.ParseInt: parsing \"x\": invalid syntax"
        );
    }

    fn sts(strategy: Value, spec_replicas: Option<i64>, generation: i64, status: Value) -> Value {
        let mut object = json!({
            "metadata": {"name": "cache", "generation": generation},
            "spec": {"updateStrategy": strategy},
            "status": status,
        });
        if let Some(replicas) = spec_replicas {
            object["spec"]["replicas"] = json!(replicas);
        }
        object
    }

    #[test]
    fn on_delete_stateful_sets_and_daemon_sets_cannot_be_waited_for() {
        let object = sts(json!({"type": "OnDelete"}), Some(1), 1, json!({}));
        let message = "rollout status is only available for RollingUpdate strategy type";
        assert_eq!(err_text(stateful_set(&object)), message);
        assert_eq!(err_text(daemon_set(&object)), message);
    }

    #[test]
    fn a_stateful_set_waits_for_its_spec_to_be_observed() {
        let rolling = json!({"type": "RollingUpdate"});
        let message = waiting("Waiting for statefulset spec update to be observed...");
        let never = sts(rolling.clone(), Some(1), 1, json!({}));
        assert_eq!(stateful_set(&never).unwrap(), message);
        let behind = sts(rolling, Some(1), 3, json!({"observedGeneration": 2}));
        assert_eq!(stateful_set(&behind).unwrap(), message);
    }

    #[test]
    fn a_stateful_set_waits_for_ready_pods() {
        let object = sts(
            json!({"type": "RollingUpdate"}),
            Some(3),
            1,
            json!({"observedGeneration": 1, "readyReplicas": 1}),
        );
        assert_eq!(
            stateful_set(&object).unwrap(),
            waiting("Waiting for 2 pods to be ready...")
        );
    }

    #[test]
    fn a_partitioned_stateful_set_waits_for_the_pods_above_its_partition() {
        let strategy = json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 1}});
        let object = sts(
            strategy.clone(),
            Some(3),
            1,
            json!({"observedGeneration": 1, "readyReplicas": 3, "updatedReplicas": 1}),
        );
        assert_eq!(
            stateful_set(&object).unwrap(),
            waiting(
                "Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated..."
            )
        );
        let object = sts(
            strategy,
            Some(3),
            1,
            json!({"observedGeneration": 1, "readyReplicas": 3, "updatedReplicas": 2}),
        );
        assert_eq!(
            stateful_set(&object).unwrap(),
            done("partitioned roll out complete: 2 new pods have been updated...")
        );
    }

    #[test]
    fn a_rolling_update_block_without_partition_is_complete_once_ready() {
        let object = sts(
            json!({"type": "RollingUpdate", "rollingUpdate": {}}),
            Some(2),
            1,
            json!({"observedGeneration": 1, "readyReplicas": 2, "updatedReplicas": 0,
                   "updateRevision": "cache-2", "currentRevision": "cache-1"}),
        );
        assert_eq!(
            stateful_set(&object).unwrap(),
            done("partitioned roll out complete: 0 new pods have been updated...")
        );
    }

    #[test]
    fn a_stateful_set_without_a_rolling_update_block_compares_revisions() {
        let rolling = json!({"type": "RollingUpdate"});
        let object = sts(
            rolling.clone(),
            Some(2),
            1,
            json!({"observedGeneration": 1, "readyReplicas": 2, "updatedReplicas": 1,
                   "updateRevision": "cache-2", "currentRevision": "cache-1"}),
        );
        assert_eq!(
            stateful_set(&object).unwrap(),
            waiting(
                "waiting for statefulset rolling update to complete 1 pods at revision cache-2..."
            )
        );
        let object = sts(
            rolling,
            None,
            1,
            json!({"observedGeneration": 1, "currentReplicas": 2,
                   "updateRevision": "cache-2", "currentRevision": "cache-2"}),
        );
        assert_eq!(
            stateful_set(&object).unwrap(),
            done("statefulset rolling update complete 2 pods at revision cache-2...")
        );
    }

    fn ds(generation: i64, status: Value) -> Value {
        json!({
            "metadata": {"name": "log-agent", "generation": generation},
            "spec": {"updateStrategy": {"type": "RollingUpdate"}},
            "status": status,
        })
    }

    #[test]
    fn a_daemon_set_waits_for_its_spec_then_updated_then_available_pods() {
        assert_eq!(
            daemon_set(&ds(2, json!({"observedGeneration": 1}))).unwrap(),
            waiting("Waiting for daemon set spec update to be observed...")
        );
        assert_eq!(
            daemon_set(&ds(
                1,
                json!({"observedGeneration": 1, "desiredNumberScheduled": 3,
                       "updatedNumberScheduled": 1})
            ))
            .unwrap(),
            waiting(
                "Waiting for daemon set \"log-agent\" rollout to finish: 1 out of 3 new pods have been updated..."
            )
        );
        assert_eq!(
            daemon_set(&ds(
                1,
                json!({"observedGeneration": 1, "desiredNumberScheduled": 3,
                       "updatedNumberScheduled": 3, "numberAvailable": 2})
            ))
            .unwrap(),
            waiting(
                "Waiting for daemon set \"log-agent\" rollout to finish: 2 of 3 updated pods are available..."
            )
        );
        assert_eq!(
            daemon_set(&ds(
                1,
                json!({"observedGeneration": 1, "desiredNumberScheduled": 3,
                       "updatedNumberScheduled": 3, "numberAvailable": 3})
            ))
            .unwrap(),
            done("daemon set \"log-agent\" successfully rolled out")
        );
    }

    #[test]
    fn kinds_are_known_by_group_and_kind() {
        assert_eq!(Kind::of("apps", "Deployment"), Some(Kind::Deployment));
        assert_eq!(Kind::of("apps", "StatefulSet"), Some(Kind::StatefulSet));
        assert_eq!(Kind::of("apps", "DaemonSet"), Some(Kind::DaemonSet));
        assert_eq!(Kind::of("apps", "ReplicaSet"), None);
        assert_eq!(Kind::of("", "Pod"), None);
    }

    #[test]
    fn status_dispatches_on_kind_and_passes_the_revision_to_deployments_only() {
        let object = ds(
            1,
            json!({"observedGeneration": 1, "desiredNumberScheduled": 0}),
        );
        assert!(status(Kind::DaemonSet, &object, 7).unwrap().done);
        let object = deploy(1, None, json!({"observedGeneration": 1}));
        assert!(status(Kind::Deployment, &object, 7).is_err());
    }
    #[test]
    fn progress_counts_come_from_each_kinds_fields() {
        let object = deploy(
            1,
            Some(4),
            json!({"updatedReplicas": 3, "readyReplicas": 2, "availableReplicas": 1}),
        );
        let counts = Progress {
            desired: 4,
            updated: 3,
            ready: 2,
            available: 1,
        };
        assert_eq!(progress(Kind::Deployment, &object), counts);
        assert_eq!(progress(Kind::StatefulSet, &object), counts);
        let defaulted = deploy(1, None, json!({}));
        assert_eq!(progress(Kind::Deployment, &defaulted).desired, 1);
        let object = ds(
            1,
            json!({"desiredNumberScheduled": 4, "updatedNumberScheduled": 3,
                   "numberReady": 2, "numberAvailable": 1}),
        );
        assert_eq!(progress(Kind::DaemonSet, &object), counts);
    }
}
