//! The strategic merge patches of `rollout pause`, `resume` and `restart`, computed from the
//! object as fetched (pure). kubectl diffs the object before and after its helper changed it;
//! the patches here are those diffs, written out.

use serde_json::{Value, json};

use crate::print::gofmt::quote;

/// The pod template annotation `rollout restart` sets to roll a workload's pods.
pub const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";

/// An operation on one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Pause,
    Resume,
    Restart,
}

impl Operation {
    /// What kubectl prints after an object's name once the patch went through.
    pub fn done(self) -> &'static str {
        match self {
            Operation::Pause => "paused",
            Operation::Resume => "resumed",
            Operation::Restart => "restarted",
        }
    }

    /// The patch for `object` (of `group`/`kind`), `None` when it would change nothing, or
    /// kubectl's words for why the object cannot take it; `now` is the restart time as Go's
    /// RFC 3339 prints it.
    pub fn patch(
        self,
        group: &str,
        kind: &str,
        object: &Value,
        now: &str,
    ) -> Result<Option<Value>, String> {
        let workload = Workload::of(group, kind);
        let paused = object["spec"]["paused"].as_bool().unwrap_or(false);
        match (self, workload) {
            (Operation::Pause, Some(Workload::Deployment)) if paused => {
                Err("is already paused".to_owned())
            }
            (Operation::Pause, Some(Workload::Deployment)) => {
                Ok(Some(json!({"spec": {"paused": true}})))
            }
            (Operation::Pause, _) => Err("pausing is not supported".to_owned()),
            (Operation::Resume, Some(Workload::Deployment)) if !paused => {
                Err("is not paused".to_owned())
            }
            (Operation::Resume, Some(Workload::Deployment)) => {
                Ok(Some(json!({"spec": {"paused": null}})))
            }
            (Operation::Resume, _) => Err("resuming is not supported".to_owned()),
            (Operation::Restart, Some(Workload::Deployment)) if paused => {
                Err("can't restart paused deployment (run rollout resume first)".to_owned())
            }
            (Operation::Restart, Some(_)) => Ok(restart(object, now)),
            (Operation::Restart, None) => Err("restarting is not supported".to_owned()),
        }
    }
}

/// kubectl's message when a restart patch would be empty: the annotation already holds `now`.
pub fn restart_too_soon(name: &str) -> String {
    format!(
        "failed to create patch for {name}: if restart has already been triggered within the past second, please wait before attempting to trigger another"
    )
}

/// The restart annotation patch; none when the annotation already says `now`.
fn restart(object: &Value, now: &str) -> Option<Value> {
    let annotations = &object["spec"]["template"]["metadata"]["annotations"];
    if annotations[RESTARTED_AT].as_str() == Some(now) {
        return None;
    }
    Some(json!({"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: now}}}}}))
}

/// The workload kinds kubectl's helpers know, in the groups it has types for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    Deployment,
    StatefulSet,
    DaemonSet,
}

impl Workload {
    /// The workload `group`/`kind` is, for a helper that exists for all three; kubectl's
    /// words otherwise (`what` names the helper in them: `history`, `rollbacker`).
    pub fn helper(group: &str, kind: &str, what: &str, helper: &str) -> Result<Workload, String> {
        if let Some(workload) = Workload::of(group, kind) {
            return Ok(workload);
        }
        let label = if group.is_empty() {
            kind.to_owned()
        } else {
            format!("{kind}.{group}")
        };
        // The kinds kubectl's visitors know, but have no such helper for.
        let known = matches!(
            (group, kind),
            ("batch", "Job" | "CronJob")
                | ("" | "core", "Pod" | "ReplicationController")
                | ("apps" | "extensions", "ReplicaSet")
        );
        if known {
            Err(format!(
                "no {helper} has been implemented for {}",
                quote(&label)
            ))
        } else {
            Err(format!(
                "error retrieving {what} for {}, no visitor method exists for {{{group} {kind}}}",
                quote(&label)
            ))
        }
    }

    pub fn of(group: &str, kind: &str) -> Option<Workload> {
        match (group, kind) {
            ("apps" | "extensions", "Deployment") => Some(Workload::Deployment),
            ("apps", "StatefulSet") => Some(Workload::StatefulSet),
            ("apps" | "extensions", "DaemonSet") => Some(Workload::DaemonSet),
            _ => None,
        }
    }
}

/// `time.Now().Format(time.RFC3339)`: local time to the second, `Z` for UTC.
pub fn rfc3339(now: &jiff::Zoned) -> String {
    let text = now.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
    match text.strip_suffix("+00:00") {
        Some(utc) => format!("{utc}Z"),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(paused: bool) -> Value {
        json!({"metadata": {"name": "web"}, "spec": {"paused": paused}})
    }

    #[test]
    fn pause_and_resume_flip_spec_paused() {
        let now = "2026-12-01T08:12:07Z";
        assert_eq!(
            Operation::Pause.patch("apps", "Deployment", &deployment(false), now),
            Ok(Some(json!({"spec": {"paused": true}})))
        );
        assert_eq!(
            Operation::Pause.patch("apps", "Deployment", &deployment(true), now),
            Err("is already paused".to_owned())
        );
        assert_eq!(
            Operation::Resume.patch("apps", "Deployment", &deployment(true), now),
            Ok(Some(json!({"spec": {"paused": null}})))
        );
        assert_eq!(
            Operation::Resume.patch("apps", "Deployment", &deployment(false), now),
            Err("is not paused".to_owned())
        );
        assert_eq!(
            Operation::Pause.patch("apps", "StatefulSet", &json!({}), now),
            Err("pausing is not supported".to_owned())
        );
        assert_eq!(
            Operation::Resume.patch("", "ConfigMap", &json!({}), now),
            Err("resuming is not supported".to_owned())
        );
    }

    #[test]
    fn restart_sets_the_template_annotation() {
        let now = "2026-12-01T08:12:07Z";
        let expected = json!({"spec": {"template": {"metadata": {"annotations": {
            "kubectl.kubernetes.io/restartedAt": now
        }}}}});
        for kind in ["Deployment", "StatefulSet", "DaemonSet"] {
            let patch = Operation::Restart.patch("apps", kind, &deployment(false), now);
            assert_eq!(patch, Ok(Some(expected.clone())), "{kind}");
        }
        assert_eq!(
            Operation::Restart.patch("apps", "Deployment", &deployment(true), now),
            Err("can't restart paused deployment (run rollout resume first)".to_owned())
        );
        assert_eq!(
            Operation::Restart.patch("", "ConfigMap", &json!({}), now),
            Err("restarting is not supported".to_owned())
        );
        let restarted = json!({"metadata": {"name": "web"}, "spec": {"template": {"metadata": {
            "annotations": {"kubectl.kubernetes.io/restartedAt": now}
        }}}});
        assert_eq!(
            Operation::Restart.patch("apps", "DaemonSet", &restarted, now),
            Ok(None)
        );
    }

    #[test]
    fn times_print_like_go_rfc3339() {
        let utc: jiff::Zoned = "2026-12-01T08:12:07Z[UTC]".parse().unwrap();
        assert_eq!(rfc3339(&utc), "2026-12-01T08:12:07Z");
        let paris: jiff::Zoned = "2026-12-01T09:12:07+01:00[Europe/Paris]".parse().unwrap();
        assert_eq!(rfc3339(&paris), "2026-12-01T09:12:07+01:00");
    }
}
