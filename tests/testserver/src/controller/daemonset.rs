//! The DaemonSet controller: one pod per eligible node, pinned there with node affinity,
//! replaced node by node (within maxUnavailable) when the template changes.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::Ctx;
use super::hash::pod_template_hash;
use super::history::{self, NewRevision};
use super::util::{
    self, PodSpec, annotation, controller_ref, generation, int_at, is_deleting, name, namespace,
    scaled_value, str_at, string_map, typed,
};
use crate::store::Collection;

const COMPONENT: &str = "daemonset-controller";
const REVISION_LABEL: &str = "controller-revision-hash";
const TEMPLATE_GENERATION: &str = "deprecated.daemonset.template.generation";

pub(super) fn reconcile(ctx: &Ctx) {
    let (sets, _) = ctx.store.list(&Collection::new("apps", "daemonsets"), None);
    for ds in sets {
        if !is_deleting(&ds) {
            sync(ctx, &ds);
        }
    }
}

fn sync(ctx: &Ctx, ds: &Value) {
    let Some(ds) = with_template_generation(ctx, ds) else {
        return;
    };
    let Some(hash) = current_hash(ctx, &ds) else {
        return;
    };
    let who = typed(&ds, "apps/v1", "DaemonSet");
    let eligible = eligible_nodes(ctx, &ds);
    let by_node = pods_by_node(ctx, &ds);
    let step = Step {
        ctx,
        ds: &ds,
        who: &who,
        hash: &hash,
    };
    for node in &eligible {
        if !by_node.contains_key(node) {
            step.create(node);
        }
    }
    for (node, pods) in &by_node {
        let keep = usize::from(eligible.contains(node));
        for extra in pods.iter().skip(keep) {
            step.delete(extra);
        }
    }
    step.roll(&eligible, &by_node);
    update_status(ctx, &ds, &hash, &eligible);
}

/// Records the template generation the API server would have set on create and on every
/// template change, when it is missing or the template is one no revision has seen.
fn with_template_generation(ctx: &Ctx, ds: &Value) -> Option<Value> {
    let template_is_new = ds.pointer("/spec/template").is_some_and(|t| {
        let data = history::patch_data(t);
        let known = history::owned(ctx, ds);
        !known.is_empty() && !known.iter().any(|r| r.get("data") == Some(&data))
    });
    if annotation(ds, TEMPLATE_GENERATION).is_some() && !template_is_new {
        return Some(ds.clone());
    }
    let mut annotated = ds.clone();
    util::set_annotation(
        &mut annotated,
        TEMPLATE_GENERATION,
        &generation(ds).to_string(),
    );
    util::write(ctx.store, &util::key("apps", "daemonsets", ds), annotated).map(|v| (*v).clone())
}

/// Ensures the ControllerRevision of the current template and returns its hash.
fn current_hash(ctx: &Ctx, ds: &Value) -> Option<String> {
    let template = ds.pointer("/spec/template")?;
    let collision_count = int_at(ds, "/status/collisionCount");
    let hash = pod_template_hash(template, collision_count);
    let template_generation = annotation(ds, TEMPLATE_GENERATION).unwrap_or("1");
    history::ensure(
        ctx,
        &history::patch_data(template),
        NewRevision {
            owner: ds,
            owner_kind: "DaemonSet",
            hash: hash.clone(),
            labels: vec![(REVISION_LABEL, hash.clone())],
            annotations: json!({TEMPLATE_GENERATION: template_generation}),
        },
    )?;
    let limit = int_at(ds, "/spec/revisionHistoryLimit").unwrap_or(10);
    let current = format!("{}-{hash}", name(ds));
    history::truncate(ctx, ds, limit, &[current]);
    Some(hash)
}

/// The configured nodes whose labels satisfy the template's nodeSelector.
fn eligible_nodes(ctx: &Ctx, ds: &Value) -> Vec<String> {
    let selector = string_map(ds, "/spec/template/spec/nodeSelector");
    ctx.config
        .nodes
        .iter()
        .filter(|node| util::has_all(&super::pods::node_labels(ctx, node), &selector))
        .cloned()
        .collect()
}

/// The DaemonSet's live pods, grouped by the node they are bound or pinned to.
fn pods_by_node(ctx: &Ctx, ds: &Value) -> BTreeMap<String, Vec<Arc<Value>>> {
    let mut by_node: BTreeMap<String, Vec<Arc<Value>>> = BTreeMap::new();
    for pod in util::owned(ctx.store, &util::pods(), ds) {
        if is_deleting(&pod) {
            continue;
        }
        let node = str_at(&pod, "/spec/nodeName")
            .filter(|n| !n.is_empty())
            .map(String::from)
            .or_else(|| pinned_node(&pod));
        if let Some(node) = node {
            by_node.entry(node).or_default().push(pod);
        }
    }
    by_node
}

fn pinned_node(pod: &Value) -> Option<String> {
    let pointer = "/spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0/matchFields/0/values/0";
    str_at(pod, pointer).map(String::from)
}

struct Step<'a> {
    ctx: &'a Ctx<'a>,
    ds: &'a Value,
    who: &'a Value,
    hash: &'a str,
}

impl Step<'_> {
    fn create(&self, node: &str) {
        let Some(mut template) = self.ds.pointer("/spec/template").cloned() else {
            return;
        };
        pin_to_node(&mut template, node);
        add_daemon_tolerations(&mut template);
        let template_generation = annotation(self.ds, TEMPLATE_GENERATION).unwrap_or("1");
        let spec = PodSpec {
            template: &template,
            namespace: namespace(self.ds),
            name: String::new(),
            generate_name: None,
            owner_ref: controller_ref(self.ds, "apps/v1", "DaemonSet"),
            extra_labels: vec![
                (REVISION_LABEL, self.hash.to_string()),
                ("pod-template-generation", template_generation.to_string()),
            ],
        };
        let prefix = format!("{}-", name(self.ds));
        if let Some(pod) = util::create_generated_pod(self.ctx.store, spec, &prefix) {
            let message = format!("Created pod: {}", name(&pod));
            util::event(self.ctx, self.who, "SuccessfulCreate", &message, COMPONENT);
        }
    }

    fn delete(&self, pod: &Value) -> bool {
        if !util::delete_pod(self.ctx.store, pod, self.ctx.now) {
            return false;
        }
        let message = format!("Deleted pod: {}", name(pod));
        util::event(self.ctx, self.who, "SuccessfulDelete", &message, COMPONENT);
        true
    }

    /// Deletes out-of-date pods: unavailable ones freely, available ones while fewer than
    /// maxUnavailable nodes lack an available pod. Their replacements come next pass.
    fn roll(&self, eligible: &[String], by_node: &BTreeMap<String, Vec<Arc<Value>>>) {
        if str_at(self.ds, "/spec/updateStrategy/type") == Some("OnDelete") {
            return;
        }
        let desired = i64::try_from(eligible.len()).unwrap_or(0);
        let max_unavailable = scaled_value(
            self.ds
                .pointer("/spec/updateStrategy/rollingUpdate/maxUnavailable"),
            desired,
            true,
            1,
        );
        let min_ready = int_at(self.ds, "/spec/minReadySeconds").unwrap_or(0);
        let available = |p: &Value| util::is_available(p, min_ready, self.ctx.now);
        let mut unavailable = eligible
            .iter()
            .filter(|node| {
                by_node
                    .get(*node)
                    .and_then(|pods| pods.first())
                    .is_none_or(|p| !available(p))
            })
            .count() as i64;
        for node in eligible {
            let Some(pod) = by_node.get(node).and_then(|pods| pods.first()) else {
                continue;
            };
            if revision_of(pod) == self.hash {
                continue;
            }
            if !available(pod) {
                self.delete(pod);
            } else if unavailable < max_unavailable && self.delete(pod) {
                unavailable += 1;
            }
        }
    }
}

fn revision_of(pod: &Value) -> &str {
    str_at(pod, &format!("/metadata/labels/{REVISION_LABEL}")).unwrap_or_default()
}

/// Required node affinity on the node's name, as the real controller pins daemon pods.
fn pin_to_node(template: &mut Value, node: &str) {
    let affinity = util::object_at(template, &["spec", "affinity", "nodeAffinity"]);
    affinity.insert(
        "requiredDuringSchedulingIgnoredDuringExecution".into(),
        json!({"nodeSelectorTerms": [{"matchFields": [
            {"key": "metadata.name", "operator": "In", "values": [node]}
        ]}]}),
    );
}

/// The tolerations every daemon pod gets, so node conditions do not evict it.
fn add_daemon_tolerations(template: &mut Value) {
    let spec = util::object_at(template, &["spec"]);
    let tolerations = spec.entry("tolerations").or_insert_with(|| json!([]));
    let Some(list) = tolerations.as_array_mut() else {
        return;
    };
    let wanted = [
        ("node.kubernetes.io/not-ready", "NoExecute"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"),
        ("node.kubernetes.io/unschedulable", "NoSchedule"),
    ];
    for (key, effect) in wanted {
        if !list
            .iter()
            .any(|t| t.get("key").and_then(Value::as_str) == Some(key))
        {
            list.push(json!({"key": key, "operator": "Exists", "effect": effect}));
        }
    }
}

fn update_status(ctx: &Ctx, ds: &Value, hash: &str, eligible: &[String]) {
    let by_node = pods_by_node(ctx, ds);
    let min_ready = int_at(ds, "/spec/minReadySeconds").unwrap_or(0);
    let scheduled: Vec<&Arc<Value>> = eligible
        .iter()
        .filter_map(|node| by_node.get(node)?.first())
        .collect();
    let count = |f: &dyn Fn(&Value) -> bool| scheduled.iter().filter(|p| f(p)).count() as i64;
    let desired = eligible.len() as i64;
    let available = count(&|p| util::is_available(p, min_ready, ctx.now));
    let misscheduled = by_node
        .keys()
        .filter(|node| !eligible.contains(node))
        .count() as i64;
    let mut status = Map::new();
    let always = [
        ("currentNumberScheduled", scheduled.len() as i64),
        ("numberMisscheduled", misscheduled),
        ("desiredNumberScheduled", desired),
        ("numberReady", count(&|p| util::is_ready(p))),
        ("observedGeneration", generation(ds)),
    ];
    for (field, n) in always {
        status.insert(field.into(), json!(n));
    }
    let optional = [
        ("updatedNumberScheduled", count(&|p| revision_of(p) == hash)),
        ("numberAvailable", available),
        ("numberUnavailable", desired - available),
    ];
    for (field, n) in optional {
        if n > 0 {
            status.insert(field.into(), json!(n));
        }
    }
    if let Some(collisions) = ds.pointer("/status/collisionCount") {
        status.insert("collisionCount".into(), collisions.clone());
    }
    let status = Value::Object(status);
    if ds.get("status") == Some(&status) {
        return;
    }
    let mut updated = ds.clone();
    updated["status"] = status;
    util::write(ctx.store, &util::key("apps", "daemonsets", ds), updated);
}
