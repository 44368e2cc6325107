//! The StatefulSet controller: pods `<name>-0 … <name>-N-1` with stable names, created in
//! order (each once the previous is Running and Ready, unless podManagementPolicy is Parallel),
//! removed from the highest ordinal, and updated from the highest ordinal down to the partition.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::Ctx;
use super::hash::controller_revision_hash;
use super::history::{self, NewRevision};
use super::util::{
    self, PodSpec, controller_ref, generation, int_at, is_deleting, name, namespace, str_at, typed,
};
use crate::store::{Collection, ObjectKey};

const COMPONENT: &str = "statefulset-controller";
const REVISION_LABEL: &str = "controller-revision-hash";

pub(super) fn reconcile(ctx: &Ctx) {
    let (sets, _) = ctx
        .store
        .list(&Collection::new("apps", "statefulsets"), None);
    for sts in sets {
        if !is_deleting(&sts) {
            sync(ctx, &sts);
        }
    }
}

/// The revisions a sync works with.
struct Revisions {
    current: String,
    current_template: Value,
    update: String,
}

fn sync(ctx: &Ctx, sts: &Value) {
    let Some(revisions) = revisions(ctx, sts) else {
        return;
    };
    let who = typed(sts, "apps/v1", "StatefulSet");
    let replicas = int_at(sts, "/spec/replicas").unwrap_or(1).max(0);
    let pods = pods_by_ordinal(ctx, sts);
    let step = Step {
        ctx,
        sts,
        who: &who,
        revisions: &revisions,
        replicas,
    };
    // Like the real controller, a pass stops at the first ordered action it takes.
    let _acted = step.replace_finished(&pods)
        || step.create_missing(&pods)
        || step.scale_down(&pods)
        || step.roll(&pods);
    let pods = pods_by_ordinal(ctx, sts);
    update_status(ctx, sts, &revisions, replicas, &pods);
    let in_use: Vec<String> = pods
        .values()
        .filter_map(|p| str_at(p, &format!("/metadata/labels/{REVISION_LABEL}")))
        .map(String::from)
        .chain([revisions.current.clone(), revisions.update.clone()])
        .collect();
    let limit = int_at(sts, "/spec/revisionHistoryLimit").unwrap_or(10);
    history::truncate(ctx, sts, limit, &in_use);
}

fn revisions(ctx: &Ctx, sts: &Value) -> Option<Revisions> {
    let template = sts.pointer("/spec/template")?;
    let data = history::patch_data(template);
    let collision_count = int_at(sts, "/status/collisionCount").unwrap_or(0);
    let hash = controller_revision_hash(&data, Some(collision_count));
    let update = history::ensure(
        ctx,
        &data,
        NewRevision {
            owner: sts,
            owner_kind: "StatefulSet",
            hash: hash.clone(),
            labels: vec![("controller.kubernetes.io/hash", hash)],
            annotations: json!({}),
        },
    )?;
    let update_name = name(&update).to_string();
    let known = history::owned(ctx, sts);
    let current = str_at(sts, "/status/currentRevision")
        .and_then(|c| known.iter().find(|r| name(r) == c))
        .cloned()
        .unwrap_or_else(|| update.clone());
    Some(Revisions {
        current: name(&current).to_string(),
        current_template: history::template_of(&current).unwrap_or_else(|| template.clone()),
        update: update_name,
    })
}

fn pods_by_ordinal(ctx: &Ctx, sts: &Value) -> BTreeMap<i64, Arc<Value>> {
    let prefix = format!("{}-", name(sts));
    util::owned(ctx.store, &util::pods(), sts)
        .into_iter()
        .filter_map(|p| {
            let ordinal = name(&p).strip_prefix(&prefix)?.parse().ok()?;
            Some((ordinal, p))
        })
        .collect()
}

fn running_and_ready(pod: &Value) -> bool {
    util::phase(pod) == "Running" && util::is_ready(pod) && !is_deleting(pod)
}

fn pod_revision(pod: &Value) -> &str {
    str_at(pod, &format!("/metadata/labels/{REVISION_LABEL}")).unwrap_or_default()
}

struct Step<'a> {
    ctx: &'a Ctx<'a>,
    sts: &'a Value,
    who: &'a Value,
    revisions: &'a Revisions,
    replicas: i64,
}

impl Step<'_> {
    fn ordered(&self) -> bool {
        str_at(self.sts, "/spec/podManagementPolicy") != Some("Parallel")
    }

    fn partition(&self) -> i64 {
        int_at(self.sts, "/spec/updateStrategy/rollingUpdate/partition").unwrap_or(0)
    }

    /// Finished or failed pods are deleted so they can be created again.
    fn replace_finished(&self, pods: &BTreeMap<i64, Arc<Value>>) -> bool {
        let mut acted = false;
        for pod in pods.values() {
            if matches!(util::phase(pod), "Succeeded" | "Failed") && !is_deleting(pod) {
                acted |= self.delete(pod);
            }
        }
        acted
    }

    /// Creates missing pods in ordinal order; in OrderedReady mode stops at the first pod that
    /// is missing or not yet Running and Ready.
    fn create_missing(&self, pods: &BTreeMap<i64, Arc<Value>>) -> bool {
        let mut acted = false;
        for ordinal in 0..self.replicas {
            match pods.get(&ordinal) {
                None => {
                    acted |= self.create(ordinal);
                    if self.ordered() {
                        return true;
                    }
                }
                Some(pod) if self.ordered() && !running_and_ready(pod) => return true,
                Some(_) => {}
            }
        }
        acted
    }

    /// Deletes pods beyond the replica count, highest ordinal first.
    fn scale_down(&self, pods: &BTreeMap<i64, Arc<Value>>) -> bool {
        let condemned: Vec<&Arc<Value>> =
            pods.range(self.replicas..).rev().map(|(_, p)| p).collect();
        if condemned.is_empty() {
            return false;
        }
        if self.ordered() {
            if condemned.iter().any(|p| is_deleting(p)) {
                return true;
            }
            return self.delete(condemned[0]);
        }
        condemned
            .iter()
            .fold(false, |acted, p| self.delete(p) | acted)
    }

    /// Replaces one out-of-date pod, from the highest ordinal down to the partition, once every
    /// pod is Running and Ready.
    fn roll(&self, pods: &BTreeMap<i64, Arc<Value>>) -> bool {
        if str_at(self.sts, "/spec/updateStrategy/type") == Some("OnDelete") {
            return false;
        }
        let in_range: Vec<(&i64, &Arc<Value>)> = pods.range(..self.replicas).collect();
        if in_range.iter().any(|(_, p)| !running_and_ready(p)) {
            return false;
        }
        let outdated = in_range
            .iter()
            .rev()
            .filter(|(ordinal, _)| **ordinal >= self.partition())
            .find(|(_, p)| pod_revision(p) != self.revisions.update);
        match outdated {
            Some((_, pod)) => self.delete(pod),
            None => false,
        }
    }

    fn create(&self, ordinal: i64) -> bool {
        let pod_name = format!("{}-{ordinal}", name(self.sts));
        let (template, revision) = if ordinal < self.partition() {
            (&self.revisions.current_template, &self.revisions.current)
        } else {
            let template = self.sts.pointer("/spec/template").unwrap_or(&Value::Null);
            (template, &self.revisions.update)
        };
        let mut pod = util::build_pod(PodSpec {
            template,
            namespace: namespace(self.sts),
            name: pod_name.clone(),
            generate_name: Some(format!("{}-", name(self.sts))),
            owner_ref: controller_ref(self.sts, "apps/v1", "StatefulSet"),
            extra_labels: vec![
                ("apps.kubernetes.io/pod-index", ordinal.to_string()),
                (REVISION_LABEL, revision.clone()),
                ("statefulset.kubernetes.io/pod-name", pod_name.clone()),
            ],
        });
        pod["spec"]["hostname"] = json!(pod_name);
        if let Some(service) = str_at(self.sts, "/spec/serviceName").filter(|s| !s.is_empty()) {
            pod["spec"]["subdomain"] = json!(service);
        }
        let key = ObjectKey::new("", "pods", namespace(self.sts), &pod_name);
        if self.ctx.store.create(&key, pod).is_err() {
            return false;
        }
        let message = format!(
            "create Pod {pod_name} in StatefulSet {} successful",
            name(self.sts)
        );
        util::event(self.ctx, self.who, "SuccessfulCreate", &message, COMPONENT);
        true
    }

    fn delete(&self, pod: &Value) -> bool {
        if !util::delete_pod(self.ctx.store, pod, self.ctx.now) {
            return false;
        }
        let message = format!(
            "delete Pod {} in StatefulSet {} successful",
            name(pod),
            name(self.sts)
        );
        util::event(self.ctx, self.who, "SuccessfulDelete", &message, COMPONENT);
        true
    }
}

fn update_status(
    ctx: &Ctx,
    sts: &Value,
    revisions: &Revisions,
    replicas: i64,
    pods: &BTreeMap<i64, Arc<Value>>,
) {
    let min_ready = int_at(sts, "/spec/minReadySeconds").unwrap_or(0);
    let live: Vec<&Arc<Value>> = pods.values().filter(|p| !is_deleting(p)).collect();
    let count = |f: &dyn Fn(&Value) -> bool| live.iter().filter(|p| f(p)).count() as i64;
    let ready = count(&|p| util::is_ready(p));
    let available = count(&|p| util::is_available(p, min_ready, ctx.now));
    let mut current = count(&|p| pod_revision(p) == revisions.current);
    let updated = count(&|p| pod_revision(p) == revisions.update);
    let mut current_revision = revisions.current.clone();
    let rolling = str_at(sts, "/spec/updateStrategy/type") != Some("OnDelete");
    if rolling && updated == replicas && ready == replicas {
        current_revision = revisions.update.clone();
        current = updated;
    }
    let mut status = Map::new();
    status.insert("observedGeneration".into(), json!(generation(sts)));
    status.insert("replicas".into(), json!(live.len()));
    for (field, n) in [
        ("readyReplicas", ready),
        ("currentReplicas", current),
        ("updatedReplicas", updated),
    ] {
        if n > 0 {
            status.insert(field.into(), json!(n));
        }
    }
    status.insert("currentRevision".into(), json!(current_revision));
    status.insert("updateRevision".into(), json!(revisions.update));
    let collisions = int_at(sts, "/status/collisionCount").unwrap_or(0);
    status.insert("collisionCount".into(), json!(collisions));
    status.insert("availableReplicas".into(), json!(available));
    let status = Value::Object(status);
    if sts.get("status") == Some(&status) {
        return;
    }
    let mut updated_sts = sts.clone();
    updated_sts["status"] = status;
    util::write(
        ctx.store,
        &util::key("apps", "statefulsets", sts),
        updated_sts,
    );
}
