//! `kubectl describe deployment`: replicas, strategy, pod template, conditions, and the old
//! and new ReplicaSets picked as kubectl's `deploymentutil.GetAllReplicaSets` picks them.

use anyhow::Result;
use serde_json::{Map, Value};

use super::pod_template;
use super::workload::{self, int, int_or_string, is_controlled_by};
use crate::describe::fields::{annotations, labels, rfc1123z, selector_string, text};
use crate::describe::{Describer, Fetch, Fetched, PrefixWriter, Settings};
use crate::put;

/// The label a Deployment's controller adds to its ReplicaSets' templates.
const HASH_LABEL: &str = "pod-template-hash";

pub struct Deployment;

impl Describer for Deployment {
    fn fetches(&self, object: &Value) -> Vec<Fetch> {
        vec![Fetch::labelled(
            "replicasets.apps",
            object["metadata"]["namespace"].as_str(),
            &selector_string(&object["spec"]["selector"]),
        )]
    }

    fn describe(
        &self,
        object: &Value,
        fetched: &Fetched,
        settings: &Settings,
        w: &mut PrefixWriter,
    ) -> Result<()> {
        let (meta, spec, status) = (&object["metadata"], &object["spec"], &object["status"]);
        put!(w, 0, "Name:\t{}\n", text(&meta["name"]));
        put!(w, 0, "Namespace:\t{}\n", text(&meta["namespace"]));
        put!(
            w,
            0,
            "CreationTimestamp:\t{}\n",
            rfc1123z(&meta["creationTimestamp"])
        );
        labels(w, "Labels", &meta["labels"]);
        annotations(w, "Annotations", &meta["annotations"]);
        put!(w, 0, "Selector:\t{}\n", selector_string(&spec["selector"]));
        put!(
            w,
            0,
            "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
            int(&spec["replicas"]),
            int(&status["updatedReplicas"]),
            int(&status["replicas"]),
            int(&status["availableReplicas"]),
            int(&status["unavailableReplicas"])
        );
        put!(w, 0, "StrategyType:\t{}\n", text(&spec["strategy"]["type"]));
        put!(
            w,
            0,
            "MinReadySeconds:\t{}\n",
            int(&spec["minReadySeconds"])
        );
        let rolling = &spec["strategy"]["rollingUpdate"];
        if !rolling.is_null() {
            put!(
                w,
                0,
                "RollingUpdateStrategy:\t{} max unavailable, {} max surge\n",
                int_or_string(&rolling["maxUnavailable"]),
                int_or_string(&rolling["maxSurge"])
            );
        }
        pod_template::describe_pod_template(&spec["template"], w);
        workload::conditions(w, status);
        // kubectl leaves both lines out when the ReplicaSets could not be listed.
        if let Some(Ok(_)) = fetched.related.first() {
            let (old, new) = replica_sets(object, fetched.items(0));
            if !old.is_empty() || new.is_some() {
                put!(w, 0, "OldReplicaSets:\t{}\n", replica_set_list(&old));
                put!(
                    w,
                    0,
                    "NewReplicaSet:\t{}\n",
                    replica_set_list(&Vec::from_iter(new))
                );
            }
        }
        workload::events(fetched, settings, w);
        Ok(())
    }
}

/// The Deployment's old ReplicaSets (oldest first) and its new one: of the ReplicaSets it
/// controls, the new one is the oldest whose template is the Deployment's (but for the hash
/// label), every other one is old.
fn replica_sets<'a>(
    deployment: &Value,
    listed: &'a [Value],
) -> (Vec<&'a Value>, Option<&'a Value>) {
    let mut owned: Vec<&Value> = listed
        .iter()
        .filter(|rs| is_controlled_by(rs, deployment))
        .collect();
    owned.sort_by(|a, b| {
        let created = |rs: &Value| {
            rs["metadata"]["creationTimestamp"]
                .as_str()
                .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        };
        created(a)
            .cmp(&created(b))
            .then_with(|| text(&a["metadata"]["name"]).cmp(text(&b["metadata"]["name"])))
    });
    let template = template_without_hash(&deployment["spec"]["template"]);
    let new = owned
        .iter()
        .copied()
        .find(|rs| template_without_hash(&rs["spec"]["template"]) == template);
    let new_uid = new.map(|rs| text(&rs["metadata"]["uid"]));
    let old = owned
        .into_iter()
        .filter(|rs| Some(text(&rs["metadata"]["uid"])) != new_uid)
        .collect();
    (old, new)
}

/// A pod template without the hash label, and without the zero values (`null`, `""`, `0`,
/// `false`, `{}`, `[]`) Go's semantic equality cannot tell from absent fields.
fn template_without_hash(template: &Value) -> Value {
    let mut template = template.clone();
    if let Some(labels) = template
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        labels.remove(HASH_LABEL);
    }
    without_zero_values(template).unwrap_or(Value::Null)
}

fn without_zero_values(value: Value) -> Option<Value> {
    match value {
        Value::Null => None,
        Value::Bool(false) => None,
        Value::String(s) if s.is_empty() => None,
        Value::Number(n) if n.as_f64() == Some(0.0) => None,
        Value::Array(items) if items.is_empty() => None,
        Value::Array(items) => Some(Value::Array(
            items
                .into_iter()
                .map(|item| without_zero_values(item).unwrap_or(Value::Null))
                .collect(),
        )),
        Value::Object(fields) => {
            let fields: Map<String, Value> = fields
                .into_iter()
                .filter_map(|(k, v)| Some((k, without_zero_values(v)?)))
                .collect();
            (!fields.is_empty()).then_some(Value::Object(fields))
        }
        other => Some(other),
    }
}

/// `name (2/3 replicas created), …`, or `<none>`.
fn replica_set_list(sets: &[&Value]) -> String {
    if sets.is_empty() {
        return "<none>".to_string();
    }
    sets.iter()
        .map(|rs| {
            format!(
                "{} ({}/{} replicas created)",
                text(&rs["metadata"]["name"]),
                int(&rs["status"]["replicas"]),
                int(&rs["spec"]["replicas"])
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rs(name: &str, uid: &str, created: &str, image: &str, owner: &str) -> Value {
        json!({
            "metadata": {"name": name, "uid": uid, "creationTimestamp": created,
                "ownerReferences": [{"kind": "Deployment", "name": "web", "uid": owner, "controller": true}]},
            "spec": {"replicas": 1, "template": {
                "metadata": {"labels": {"app": "web", HASH_LABEL: name}},
                "spec": {"containers": [{"name": "web", "image": image, "ports": []}]}}},
            "status": {"replicas": 1},
        })
    }

    #[test]
    fn the_new_replica_set_has_the_template_and_the_old_ones_are_the_rest() {
        let deployment = json!({
            "metadata": {"uid": "d-1"},
            "spec": {"template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "web:2"}]}}},
        });
        let listed = [
            rs("web-c", "c", "2026-01-01T00:00:03Z", "web:2", "d-1"),
            rs("web-b", "b", "2026-01-01T00:00:02Z", "web:1", "d-1"),
            rs("web-a", "a", "2026-01-01T00:00:01Z", "web:1", "d-1"),
            rs("web-x", "x", "2026-01-01T00:00:00Z", "web:2", "other"),
            rs("web-d", "d", "2026-01-01T00:00:04Z", "web:2", "d-1"),
        ];
        let (old, new) = replica_sets(&deployment, &listed);
        let names = |sets: &[&Value]| {
            sets.iter()
                .map(|rs| text(&rs["metadata"]["name"]).to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&old), ["web-a", "web-b", "web-d"]);
        assert_eq!(new.map(|rs| text(&rs["metadata"]["name"])), Some("web-c"));
        assert_eq!(
            replica_set_list(&old[..2]),
            "web-a (1/1 replicas created), web-b (1/1 replicas created)"
        );
        assert_eq!(replica_set_list(&[]), "<none>");
    }
}
