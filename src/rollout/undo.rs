//! What `rollout undo` does to a workload (pure), as kubectl's rollbackers decide it: which
//! revision to go back to, whether the workload already runs it, and the patch that restores
//! it — or, for `--dry-run=client`, the pod template it would restore.

use crate::cli::DryRun;
use serde_json::{Map, Value, json};

use super::change::Workload;
use super::history::{self, History};
use crate::print::gofmt::quote;

/// The pod template hash label, which the Deployment controller adds to each ReplicaSet.
const POD_TEMPLATE_HASH: &str = "pod-template-hash";

/// Annotations a Deployment keeps its own values of when rolled back (and does not take
/// from the ReplicaSet).
const ANNOTATIONS_TO_SKIP: [&str; 6] = [
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
];

/// What rolling back comes to.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Send `patch` (of `content_type`); kubectl then prints `rolled back`.
    Patch {
        content_type: &'static str,
        patch: Value,
    },
    /// Nothing to send; print this as the operation (a skipped rollback, or what a client
    /// dry run would roll back to).
    Say(String),
}

/// The message kubectl prints after a rollback.
pub const ROLLED_BACK: &str = "rolled back";

/// Which workload kinds can be rolled back, in kubectl's words for the others.
pub fn rollbacker(group: &str, kind: &str) -> Result<Workload, String> {
    Workload::helper(group, kind, "rollbacker", "rollbacker")
}

/// kubectl's error for a revision not in the history.
pub fn revision_not_found(revision: i64) -> String {
    format!("unable to find specified revision {revision} in history")
}

/// Rolls a Deployment back to revision `to` (0: the one before the latest), given the
/// ReplicaSets of its namespace.
pub fn deployment(
    deployment: &Value,
    replica_sets: &[Value],
    to: i64,
    dry_run: DryRun,
) -> Result<Step, String> {
    if to < 0 {
        return Err(revision_not_found(to));
    }
    let history = history::deployment_history(deployment, replica_sets);
    let target = pick(&history, to).ok_or_else(|| {
        if to > 0 {
            revision_not_found(to)
        } else {
            let name = deployment["metadata"]["name"].as_str().unwrap_or_default();
            format!("no rollout history found for deployment {}", quote(name))
        }
    })?;
    // The ReplicaSet's own template: the change cause history adds is not part of it.
    let template = &target.object["spec"]["template"];
    if dry_run == DryRun::Client {
        return Ok(Step::Say(history::template_text(template)));
    }
    if deployment["spec"]["paused"] == true {
        return Err("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again".to_owned());
    }
    let mut template = template.clone();
    if let Some(labels) = template["metadata"]["labels"].as_object_mut() {
        labels.remove(POD_TEMPLATE_HASH);
    }
    let mut current = deployment["spec"]["template"].clone();
    if let Some(labels) = current["metadata"]["labels"].as_object_mut() {
        labels.remove(POD_TEMPLATE_HASH);
    }
    if same(&template, &current) {
        return Ok(Step::Say(already_matches(to)));
    }
    let mut annotations = Map::new();
    let own = deployment["metadata"]["annotations"].as_object();
    for key in ANNOTATIONS_TO_SKIP {
        if let Some(value) = own.and_then(|own| own.get(key)) {
            annotations.insert(key.to_owned(), value.clone());
        }
    }
    if let Some(theirs) = target.object["metadata"]["annotations"].as_object() {
        for (key, value) in theirs {
            if !ANNOTATIONS_TO_SKIP.contains(&key.as_str()) {
                annotations.insert(key.clone(), value.clone());
            }
        }
    }
    Ok(Step::Patch {
        content_type: "application/json-patch+json",
        patch: json!([
            {"op": "replace", "path": "/spec/template", "value": template},
            {"op": "replace", "path": "/metadata/annotations", "value": annotations},
        ]),
    })
}

/// Rolls a StatefulSet or DaemonSet back to revision `to` (0: the one before the latest),
/// given the ControllerRevisions of its namespace.
pub fn controller(
    owner: &Value,
    revisions: &[Value],
    to: i64,
    dry_run: DryRun,
) -> Result<Step, String> {
    if to < 0 {
        return Err(revision_not_found(to));
    }
    let history = history::controller_history(owner, revisions);
    if to == 0 && history.len() <= 1 {
        return Err("no last revision to roll back to".to_owned());
    }
    let target = pick(&history, to).ok_or_else(|| revision_not_found(to))?;
    if dry_run == DryRun::Client {
        let text = history::template_text(&target.template);
        return Ok(Step::Say(format!("will roll back to {text}")));
    }
    if same(&target.template, &owner["spec"]["template"]) {
        return Ok(Step::Say(already_matches(to)));
    }
    // The revision's data is this patch: the template, replacing the whole template.
    let mut template = target.template.clone();
    if let Some(fields) = template.as_object_mut() {
        fields.insert("$patch".to_owned(), Value::from("replace"));
    }
    Ok(Step::Patch {
        content_type: "application/strategic-merge-patch+json",
        patch: json!({"spec": {"template": template}}),
    })
}

/// The revision `to`, or for 0 the one before the latest.
fn pick(history: &History, to: i64) -> Option<&history::Revision> {
    if to > 0 {
        history.get(&to)
    } else {
        history.values().rev().nth(1)
    }
}

fn already_matches(to: i64) -> String {
    format!("skipped rollback (current template already matches revision {to})")
}

/// Whether two templates are the same, as Go's semantic equality sees JSON that left out
/// empty fields: nulls and empty maps or lists count as absent.
fn same(a: &Value, b: &Value) -> bool {
    pruned(a) == pruned(b)
}

fn pruned(value: &Value) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(key, value)| (key.clone(), pruned(value)))
                .filter(|(_, value)| !is_empty(value))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(pruned).collect()),
        other => other.clone(),
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(fields) => fields.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn web(paused: bool, image: &str) -> Value {
        json!({
            "metadata": {"name": "web", "uid": "u1", "annotations": {
                "deployment.kubernetes.io/revision": "3",
                "team": "mine",
            }},
            "spec": {"paused": paused, "template": template(image, None)},
        })
    }

    fn template(image: &str, hash: Option<&str>) -> Value {
        let mut labels = json!({"app": "web"});
        if let Some(hash) = hash {
            labels[POD_TEMPLATE_HASH] = json!(hash);
        }
        json!({
            "metadata": {"labels": labels, "creationTimestamp": null},
            "spec": {"containers": [{"name": "web", "image": image}]},
        })
    }

    fn replica_set(revision: &str, image: &str) -> Value {
        json!({
            "metadata": {
                "name": format!("web-{revision}"),
                "annotations": {
                    "deployment.kubernetes.io/revision": revision,
                    "kubernetes.io/change-cause": format!("to {image}"),
                },
                "ownerReferences": [{"controller": true, "uid": "u1"}],
            },
            "spec": {"template": template(image, Some(revision))},
        })
    }

    #[test]
    fn a_deployment_goes_back_to_the_revision_before_the_latest() {
        let sets = [
            replica_set("1", "a"),
            replica_set("2", "b"),
            replica_set("3", "c"),
        ];
        let step = deployment(&web(false, "c"), &sets, 0, DryRun::None).unwrap();
        let Step::Patch {
            content_type,
            patch,
        } = step
        else {
            panic!("a patch: {step:?}");
        };
        assert_eq!(content_type, "application/json-patch+json");
        // The hash label goes; the deployment keeps its revision, takes the cause.
        assert_eq!(patch[0]["value"], template("b", None));
        assert_eq!(
            patch[1]["value"],
            json!({
                "deployment.kubernetes.io/revision": "3",
                "kubernetes.io/change-cause": "to b",
            })
        );
    }

    #[test]
    fn a_deployment_says_why_it_does_not_roll_back() {
        let sets = [replica_set("1", "a"), replica_set("2", "b")];
        assert_eq!(
            deployment(&web(false, "a"), &sets, 1, DryRun::Server),
            Ok(Step::Say(
                "skipped rollback (current template already matches revision 1)".to_owned()
            ))
        );
        assert_eq!(
            deployment(&web(false, "a"), &sets, 5, DryRun::None),
            Err(revision_not_found(5))
        );
        assert_eq!(
            deployment(&web(false, "a"), &sets[..1], 0, DryRun::None),
            Err("no rollout history found for deployment \"web\"".to_owned())
        );
        let paused = deployment(&web(true, "b"), &sets, 1, DryRun::None);
        assert!(
            paused
                .unwrap_err()
                .starts_with("you cannot rollback a paused deployment")
        );
        // A client dry run only shows the template, paused or not.
        let Ok(Step::Say(text)) = deployment(&web(true, "b"), &sets, 1, DryRun::Client) else {
            panic!("a template");
        };
        assert!(text.starts_with("Pod Template:\n"), "{text}");
    }

    #[test]
    fn controllers_patch_with_the_revision_template() {
        let owner = json!({
            "metadata": {"name": "db", "uid": "u1"},
            "spec": {"template": template("b", None)},
        });
        let revision = |number: i64, image: &str| {
            let mut data = template(image, None);
            data["$patch"] = json!("replace");
            json!({
                "metadata": {"ownerReferences": [{"controller": true, "uid": "u1"}]},
                "revision": number,
                "data": {"spec": {"template": data}},
            })
        };
        let revisions = [revision(1, "a"), revision(2, "b")];
        assert_eq!(
            controller(&owner, &revisions, 0, DryRun::None),
            Ok(Step::Patch {
                content_type: "application/strategic-merge-patch+json",
                patch: revisions[0]["data"].clone(),
            })
        );
        assert_eq!(
            controller(&owner, &revisions, 2, DryRun::None),
            Ok(Step::Say(
                "skipped rollback (current template already matches revision 2)".to_owned()
            ))
        );
        assert_eq!(
            controller(&owner, &revisions[1..], 0, DryRun::None),
            Err("no last revision to roll back to".to_owned())
        );
        let Ok(Step::Say(text)) = controller(&owner, &revisions, 1, DryRun::Client) else {
            panic!("a template");
        };
        assert!(
            text.starts_with("will roll back to Pod Template:\n"),
            "{text}"
        );
    }
}
