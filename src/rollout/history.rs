//! A workload's revisions, as kubectl's history viewers read them (pure): a Deployment's from
//! the ReplicaSets it controls (`deployment.kubernetes.io/revision`), a StatefulSet's or
//! DaemonSet's from the ControllerRevisions it controls. Also the texts `rollout history`
//! prints: the `REVISION  CHANGE-CAUSE` table and one revision's pod template.

use std::collections::BTreeMap;

use serde_json::Value;

use super::change::Workload;
use crate::describe::kinds::pod_template::describe_pod_template;
use crate::describe::writer::PrefixWriter;
use crate::print::tabwriter::{Settings, TabWriter};

/// The annotation a ReplicaSet's revision number is in.
pub const REVISION: &str = "deployment.kubernetes.io/revision";
/// The annotation that says why a revision was made.
pub const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";

/// One revision of a workload.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    /// The pod template the revision rolls out.
    pub template: Value,
    /// Why the revision was made, when someone said.
    pub change_cause: Option<String>,
    /// What `-o` prints for it: the ReplicaSet, or the workload with the revision applied.
    pub object: Value,
}

/// The revisions by number.
pub type History = BTreeMap<i64, Revision>;

/// Which workload kinds have a history, in kubectl's words for those that have none.
pub fn viewer(group: &str, kind: &str) -> Result<Workload, String> {
    Workload::helper(group, kind, "history", "history viewer")
}

/// Whether `object` names `owner` as its controller.
pub fn controlled_by(object: &Value, owner: &Value) -> bool {
    let Some(uid) = owner["metadata"]["uid"].as_str() else {
        return false;
    };
    object["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|reference| reference["controller"] == true && reference["uid"] == uid)
}

/// A Deployment's history from the ReplicaSets of its namespace (those it does not control
/// are left out, and so are those without a readable revision, as kubectl does).
pub fn deployment_history(deployment: &Value, replica_sets: &[Value]) -> History {
    let mut history = History::new();
    for rs in replica_sets
        .iter()
        .filter(|rs| controlled_by(rs, deployment))
    {
        let Some(number) = annotation(rs, REVISION).and_then(|v| v.parse::<i64>().ok()) else {
            continue;
        };
        let mut template = rs["spec"]["template"].clone();
        if let Some(cause) = annotation(rs, CHANGE_CAUSE).filter(|cause| !cause.is_empty()) {
            template["metadata"]["annotations"][CHANGE_CAUSE] = Value::from(cause);
        }
        let change_cause = template["metadata"]["annotations"][CHANGE_CAUSE]
            .as_str()
            .map(String::from);
        history.insert(
            number,
            Revision {
                template,
                change_cause,
                object: rs.clone(),
            },
        );
    }
    history
}

/// A StatefulSet's or DaemonSet's history from the ControllerRevisions of its namespace.
/// A revision's data is the template as a strategic merge patch that replaces the whole
/// template (`$patch: replace`), which is how the controllers write it.
pub fn controller_history(owner: &Value, revisions: &[Value]) -> History {
    let mut history = History::new();
    for revision in revisions.iter().filter(|r| controlled_by(r, owner)) {
        let Some(number) = revision["revision"].as_i64() else {
            continue;
        };
        let template = revision_template(revision);
        let mut object = owner.clone();
        object["spec"]["template"] = template.clone();
        history.insert(
            number,
            Revision {
                template,
                change_cause: annotation(revision, CHANGE_CAUSE).map(String::from),
                object,
            },
        );
    }
    history
}

/// The pod template a ControllerRevision holds.
pub fn revision_template(revision: &Value) -> Value {
    let mut template = revision["data"]["spec"]["template"].clone();
    if let Some(fields) = template.as_object_mut() {
        fields.remove("$patch");
    }
    template
}

fn annotation<'a>(object: &'a Value, key: &str) -> Option<&'a str> {
    object["metadata"]["annotations"][key].as_str()
}

/// kubectl's overview: `REVISION  CHANGE-CAUSE` and a row per revision, or its words for
/// an empty history.
pub fn table(history: &History) -> String {
    if history.is_empty() {
        return "No rollout history found.".to_owned();
    }
    let mut text = String::from("REVISION\tCHANGE-CAUSE\n");
    for (number, revision) in history {
        let cause = revision
            .change_cause
            .as_deref()
            .filter(|cause| !cause.is_empty())
            .unwrap_or("<none>");
        text.push_str(&format!("{number}\t{cause}\n"));
    }
    let mut out = Vec::new();
    let mut writer = TabWriter::with_settings(Settings::DESCRIBE);
    // Writing to a Vec cannot fail.
    let _ = writer.write(&text, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// One revision's pod template, as `describe` words it, its cells separated by tabs.
pub fn template_text(template: &Value) -> String {
    let mut w = PrefixWriter::unaligned();
    describe_pod_template(template, &mut w);
    w.finish()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn owned(name: &str, annotations: Value) -> Value {
        json!({
            "metadata": {
                "name": name,
                "annotations": annotations,
                "ownerReferences": [{"controller": true, "uid": "u1"}],
            },
            "spec": {"template": {"metadata": {"labels": {"app": "web"}}}},
        })
    }

    #[test]
    fn deployments_read_their_replica_sets() {
        let deployment = json!({"metadata": {"name": "web", "uid": "u1"}});
        let mut stranger = owned("other", json!({REVISION: "7"}));
        stranger["metadata"]["ownerReferences"][0]["uid"] = json!("u2");
        let sets = [
            owned("web-b", json!({REVISION: "10", CHANGE_CAUSE: "bump"})),
            owned("web-a", json!({REVISION: "2"})),
            owned("web-c", json!({REVISION: "x"})),
            stranger,
        ];
        let history = deployment_history(&deployment, &sets);
        assert_eq!(history.keys().copied().collect::<Vec<_>>(), vec![2, 10]);
        assert_eq!(
            history[&10].template["metadata"]["annotations"][CHANGE_CAUSE],
            "bump"
        );
        assert_eq!(history[&10].object["metadata"]["name"], "web-b");
        assert_eq!(
            table(&history),
            "REVISION  CHANGE-CAUSE\n2         <none>\n10        bump\n"
        );
        assert_eq!(table(&History::new()), "No rollout history found.");
    }

    #[test]
    fn controller_revisions_hold_the_template_as_a_patch() {
        let owner = json!({"metadata": {"name": "db", "uid": "u1"}, "spec": {"replicas": 2}});
        let mut revision = owned("db-1", json!({CHANGE_CAUSE: "first"}));
        revision["revision"] = json!(1);
        revision["data"] = json!({"spec": {"template": {"$patch": "replace", "spec": {}}}});
        let history = controller_history(&owner, &[revision]);
        assert_eq!(history[&1].template, json!({"spec": {}}));
        assert_eq!(history[&1].change_cause.as_deref(), Some("first"));
        assert_eq!(history[&1].object["spec"]["replicas"], 2);
        assert_eq!(history[&1].object["spec"]["template"], json!({"spec": {}}));
    }

    #[test]
    fn kinds_without_history_are_worded_like_kubectl() {
        assert_eq!(viewer("apps", "StatefulSet"), Ok(Workload::StatefulSet));
        assert_eq!(
            viewer("batch", "Job"),
            Err("no history viewer has been implemented for \"Job.batch\"".to_owned())
        );
        assert_eq!(
            viewer("", "ConfigMap"),
            Err("error retrieving history for \"ConfigMap\", no visitor method exists for { ConfigMap}".to_owned())
        );
    }
}
