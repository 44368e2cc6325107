//! The Deployment controller: one ReplicaSet per pod template, rolled from old to new with the
//! RollingUpdate or Recreate strategy, with the revision bookkeeping `kubectl rollout` reads.
//!
//! Each pass takes the one step the real controller's sync would: create the new ReplicaSet,
//! or scale it up within maxSurge, or scale old ones down within maxUnavailable, or resize
//! every ReplicaSet proportionally after a scale; then it recomputes the status and the
//! Available/Progressing conditions.

use std::cmp::Ordering;

use serde_json::{Map, Value, json};

use super::Ctx;
use super::hash::pod_template_hash;
use super::util::{
    self, annotation, controller_ref, generation, int_at, is_deleting, name, namespace,
    scaled_value, set_annotation, set_condition, str_at, typed,
};
use crate::store::{Collection, ObjectKey};

const COMPONENT: &str = "deployment-controller";
const REVISION: &str = "deployment.kubernetes.io/revision";
const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
const DESIRED_REPLICAS: &str = "deployment.kubernetes.io/desired-replicas";
const MAX_REPLICAS: &str = "deployment.kubernetes.io/max-replicas";
const HASH_LABEL: &str = "pod-template-hash";
/// Deployment annotations that are not copied onto its ReplicaSets.
const NOT_COPIED: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    REVISION_HISTORY,
    DESIRED_REPLICAS,
    MAX_REPLICAS,
    "deprecated.deployment.rollback.to",
];

pub(super) fn reconcile(ctx: &Ctx) {
    let (deployments, _) = ctx
        .store
        .list(&Collection::new("apps", "deployments"), None);
    for d in deployments {
        if let Some(d) = with_defaults(ctx, &d) {
            Sync::new(ctx, d).run();
        }
    }
}

/// Stores the defaults the API server fills (strategy, revisionHistoryLimit,
/// progressDeadlineSeconds, replicas) when the object lacks them.
fn with_defaults(ctx: &Ctx, d: &Value) -> Option<Value> {
    let mut defaulted = d.clone();
    let spec = util::object_at(&mut defaulted, &["spec"]);
    spec.entry("replicas").or_insert(json!(1));
    spec.entry("revisionHistoryLimit").or_insert(json!(10));
    spec.entry("progressDeadlineSeconds").or_insert(json!(600));
    let strategy = spec.entry("strategy").or_insert_with(|| json!({}));
    if !strategy.is_object() {
        *strategy = json!({});
    }
    if strategy.get("type").is_none() {
        strategy["type"] = json!("RollingUpdate");
    }
    if strategy["type"] == "RollingUpdate" {
        let rolling = util::object_at(strategy, &["rollingUpdate"]);
        rolling.entry("maxUnavailable").or_insert(json!("25%"));
        rolling.entry("maxSurge").or_insert(json!("25%"));
    }
    if defaulted == *d {
        return Some(defaulted);
    }
    util::write(ctx.store, &util::key("apps", "deployments", d), defaulted).map(|v| (*v).clone())
}

/// One sync of one Deployment.
struct Sync<'a> {
    ctx: &'a Ctx<'a>,
    d: Value,
    replicas: i64,
    new_rs: Option<Value>,
    /// Every other ReplicaSet the Deployment controls, oldest first.
    old: Vec<Value>,
}

impl<'a> Sync<'a> {
    fn new(ctx: &'a Ctx<'a>, d: Value) -> Self {
        let replicas = int_at(&d, "/spec/replicas").unwrap_or(1).max(0);
        let mut sets: Vec<Value> =
            util::owned(ctx.store, &Collection::new("apps", "replicasets"), &d)
                .iter()
                .map(|rs| (**rs).clone())
                .collect();
        sets.sort_by(by_creation);
        let template = without_hash(d.pointer("/spec/template").unwrap_or(&Value::Null));
        let new_index = sets.iter().position(|rs| {
            without_hash(rs.pointer("/spec/template").unwrap_or(&Value::Null)) == template
        });
        let new_rs = new_index.map(|i| sets.remove(i));
        Sync {
            ctx,
            d,
            replicas,
            new_rs,
            old: sets,
        }
    }

    fn run(mut self) {
        if is_deleting(&self.d) {
            self.sync_status(false);
            return;
        }
        self.check_paused_condition();
        if self.paused() || self.is_scaling_event() {
            self.sync_existing_revision();
            self.scale();
            if self.paused() {
                self.cleanup();
            }
            self.sync_status(false);
            return;
        }
        if self.strategy() == "Recreate" {
            self.rollout_recreate();
        } else {
            self.rollout_rolling();
        }
    }

    // --- Accessors ----------------------------------------------------------------------------

    fn paused(&self) -> bool {
        self.d.pointer("/spec/paused").and_then(Value::as_bool) == Some(true)
    }

    fn strategy(&self) -> &str {
        str_at(&self.d, "/spec/strategy/type").unwrap_or("RollingUpdate")
    }

    fn is_rolling(&self) -> bool {
        self.strategy() != "Recreate"
    }

    /// maxSurge and maxUnavailable resolved against the replica count; never both zero.
    fn fenceposts(&self) -> (i64, i64) {
        if !self.is_rolling() {
            return (0, 0);
        }
        let rolling = self.d.pointer("/spec/strategy/rollingUpdate");
        let field = |f: &str| rolling.and_then(|r| r.get(f));
        let surge = scaled_value(field("maxSurge"), self.replicas, true, 0).max(0);
        let unavailable = scaled_value(field("maxUnavailable"), self.replicas, false, 0).max(0);
        if surge == 0 && unavailable == 0 {
            (0, 1)
        } else {
            (surge, unavailable)
        }
    }

    fn max_surge(&self) -> i64 {
        self.fenceposts().0
    }

    fn max_unavailable(&self) -> i64 {
        if !self.is_rolling() || self.replicas == 0 {
            return 0;
        }
        self.fenceposts().1.min(self.replicas)
    }

    fn progress_deadline(&self) -> Option<i64> {
        int_at(&self.d, "/spec/progressDeadlineSeconds").filter(|s| *s != i64::from(i32::MAX))
    }

    fn all_sets(&self) -> Vec<&Value> {
        self.old.iter().chain(self.new_rs.as_ref()).collect()
    }

    fn who(&self) -> Value {
        typed(&self.d, "apps/v1", "Deployment")
    }

    fn now(&self) -> Value {
        util::time(self.ctx.now)
    }

    // --- Revisions and the new ReplicaSet -----------------------------------------------------

    fn next_revision(&self) -> i64 {
        self.old.iter().map(revision).max().unwrap_or(0) + 1
    }

    /// Brings an existing new ReplicaSet's annotations (revision, copied annotations) and the
    /// Deployment's revision annotation up to date; without a new ReplicaSet, does nothing.
    fn sync_existing_revision(&mut self) {
        let Some(rs) = self.new_rs.clone() else {
            return;
        };
        let mut updated = rs.clone();
        self.set_new_rs_annotations(&mut updated, self.next_revision(), true);
        if let Some(min_ready) = self.d.pointer("/spec/minReadySeconds")
            && updated.pointer("/spec/minReadySeconds") != Some(min_ready)
        {
            updated["spec"]["minReadySeconds"] = min_ready.clone();
        }
        if updated != rs {
            match util::write(self.ctx.store, &rs_key(&rs), updated) {
                Some(written) => self.new_rs = Some((*written).clone()),
                None => return,
            }
        }
        let mut d = self.d.clone();
        let rs_revision = self.new_rs.as_ref().map(revision).unwrap_or(0);
        set_annotation(&mut d, REVISION, &rs_revision.to_string());
        if self.progress_deadline().is_some() {
            let mut conditions = util::conditions(&d);
            if util::find_condition(&conditions, "Progressing").is_none() {
                let message = format!("Found new replica set \"{}\"", name(&rs));
                conditions.push(self.condition(
                    "Progressing",
                    "True",
                    "FoundNewReplicaSet",
                    &message,
                ));
                d["status"]["conditions"] = json!(conditions);
            }
        }
        self.save(d);
    }

    /// The real SetNewReplicaSetAnnotations: copies the Deployment's annotations, moves the
    /// revision forward (remembering the earlier one in revision-history when an old template
    /// comes back) and, for a ReplicaSet about to be created, records the replica annotations.
    fn set_new_rs_annotations(&self, rs: &mut Value, new_revision: i64, exists: bool) {
        for (key, value) in util::string_map(&self.d, "/metadata/annotations") {
            if !NOT_COPIED.contains(&key.as_str()) && annotation(rs, &key) != Some(&value) {
                set_annotation(rs, &key, &value);
            }
        }
        let old = annotation(rs, REVISION).map(String::from);
        let old_number = old
            .as_deref()
            .and_then(|r| r.parse::<i64>().ok())
            .unwrap_or(0);
        if old_number < new_revision {
            set_annotation(rs, REVISION, &new_revision.to_string());
            if let Some(old) = old.filter(|o| !o.is_empty()) {
                let history = match annotation(rs, REVISION_HISTORY) {
                    Some(h) if !h.is_empty() => format!("{h},{old}"),
                    _ => old,
                };
                set_annotation(rs, REVISION_HISTORY, &history);
            }
        }
        if !exists {
            self.set_replica_annotations(rs);
        }
    }

    fn set_replica_annotations(&self, rs: &mut Value) {
        set_annotation(rs, DESIRED_REPLICAS, &self.replicas.to_string());
        let max = self.replicas + self.max_surge();
        set_annotation(rs, MAX_REPLICAS, &max.to_string());
    }

    /// Creates the ReplicaSet for the current template, named after its hash.
    fn create_new_rs(&mut self) -> bool {
        let collision_count = int_at(&self.d, "/status/collisionCount");
        let template = self
            .d
            .pointer("/spec/template")
            .cloned()
            .unwrap_or(json!({}));
        let hash = pod_template_hash(&template, collision_count);
        let rs_name = format!("{}-{hash}", name(&self.d));
        let replicas = self.new_rs_replicas(0);
        let mut rs = self.new_rs_object(&rs_name, &hash, template, replicas);
        crate::admission::admit("apps", "replicasets", &mut rs, "kube-controller-manager");
        let key = ObjectKey::new("apps", "replicasets", namespace(&self.d), &rs_name);
        let created = match self.ctx.store.create(&key, rs) {
            Ok(created) => created,
            Err(_) => {
                self.bump_collision_count(&key);
                return false;
            }
        };
        if replicas > 0 {
            let message = format!("Scaled up replica set {rs_name} from 0 to {replicas}");
            util::event(
                self.ctx,
                &self.who(),
                "ScalingReplicaSet",
                &message,
                COMPONENT,
            );
        }
        let mut d = self.d.clone();
        set_annotation(&mut d, REVISION, &revision(&created).to_string());
        if self.progress_deadline().is_some() {
            let mut conditions = util::conditions(&d);
            let message = format!("Created new replica set \"{rs_name}\"");
            set_condition(
                &mut conditions,
                self.condition("Progressing", "True", "NewReplicaSetCreated", &message),
            );
            d["status"]["conditions"] = json!(conditions);
        }
        self.new_rs = Some((*created).clone());
        self.save(d);
        true
    }

    fn new_rs_object(
        &self,
        rs_name: &str,
        hash: &str,
        mut template: Value,
        replicas: i64,
    ) -> Value {
        util::object_at(&mut template, &["metadata", "labels"])
            .insert(HASH_LABEL.into(), json!(hash));
        let mut selector = self
            .d
            .pointer("/spec/selector")
            .cloned()
            .unwrap_or(json!({}));
        util::object_at(&mut selector, &["matchLabels"]).insert(HASH_LABEL.into(), json!(hash));
        let mut labels = util::string_map(&self.d, "/spec/template/metadata/labels");
        labels.insert(HASH_LABEL.into(), hash.into());
        let mut spec = json!({"replicas": replicas, "selector": selector, "template": template});
        if let Some(min_ready) = self.d.pointer("/spec/minReadySeconds") {
            spec["minReadySeconds"] = min_ready.clone();
        }
        let mut rs = json!({
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": rs_name,
                "namespace": namespace(&self.d),
                "labels": labels,
                "ownerReferences": [controller_ref(&self.d, "apps/v1", "Deployment")],
            },
            "spec": spec,
        });
        self.set_new_rs_annotations(&mut rs, self.next_revision(), false);
        rs
    }

    /// A ReplicaSet of that name exists with another template: hash again with a higher
    /// collision count next pass, like the real controller.
    fn bump_collision_count(&mut self, key: &ObjectKey) {
        let ours = self.ctx.store.get(key).is_some_and(|existing| {
            util::controller_uid(&existing) == Some(util::uid(&self.d))
                && without_hash(existing.pointer("/spec/template").unwrap_or(&Value::Null))
                    == without_hash(self.d.pointer("/spec/template").unwrap_or(&Value::Null))
        });
        if ours {
            return;
        }
        let mut d = self.d.clone();
        let count = int_at(&d, "/status/collisionCount").unwrap_or(0);
        d["status"]["collisionCount"] = json!(count + 1);
        self.save(d);
    }

    /// How big the new ReplicaSet may be now (the real NewRSNewReplicas).
    fn new_rs_replicas(&self, current: i64) -> i64 {
        if !self.is_rolling() {
            return self.replicas;
        }
        let all: i64 = self.all_sets().iter().map(|rs| spec_replicas(rs)).sum();
        let max_total = self.replicas + self.max_surge();
        if all >= max_total {
            return current;
        }
        let up = (max_total - all).min(self.replicas - current);
        current + up.max(0)
    }

    // --- Scaling ------------------------------------------------------------------------------

    /// Sets a ReplicaSet's size (and replica annotations), recording ScalingReplicaSet.
    fn scale_rs(&mut self, rs: &Value, size: i64) -> bool {
        let current = spec_replicas(rs);
        let mut updated = rs.clone();
        updated["spec"]["replicas"] = json!(size);
        self.set_replica_annotations(&mut updated);
        if updated == *rs {
            return false;
        }
        let Some(written) = util::write(self.ctx.store, &rs_key(rs), updated) else {
            return false;
        };
        let written = (*written).clone();
        if current != size {
            let direction = if size > current { "up" } else { "down" };
            let message = format!(
                "Scaled {direction} replica set {} from {current} to {size}",
                name(rs)
            );
            util::event(
                self.ctx,
                &self.who(),
                "ScalingReplicaSet",
                &message,
                COMPONENT,
            );
        }
        self.replace(written);
        current != size
    }

    fn replace(&mut self, rs: Value) {
        if self.new_rs.as_ref().is_some_and(|n| name(n) == name(&rs)) {
            self.new_rs = Some(rs);
        } else if let Some(slot) = self.old.iter_mut().find(|o| name(o) == name(&rs)) {
            *slot = rs;
        }
    }

    /// Whether some active ReplicaSet was sized for another replica count.
    fn is_scaling_event(&self) -> bool {
        self.all_sets()
            .into_iter()
            .filter(|rs| spec_replicas(rs) > 0)
            .any(|rs| {
                annotation(rs, DESIRED_REPLICAS)
                    .and_then(|d| d.parse::<i64>().ok())
                    .is_some_and(|desired| desired != self.replicas)
            })
    }

    /// Resizes the ReplicaSets after the Deployment's replica count changed (the real `scale`).
    fn scale(&mut self) {
        if let Some(target) = self.active_or_latest() {
            if spec_replicas(&target) != self.replicas {
                self.scale_rs(&target, self.replicas);
            }
            return;
        }
        if self.new_rs_saturated() {
            for old in self.old.clone().iter().filter(|rs| spec_replicas(rs) > 0) {
                self.scale_rs(old, 0);
            }
            return;
        }
        if self.is_rolling() {
            self.scale_proportionally();
        }
    }

    /// The only active ReplicaSet, or the newest one when none is active.
    fn active_or_latest(&self) -> Option<Value> {
        let active: Vec<&Value> = self
            .all_sets()
            .into_iter()
            .filter(|rs| spec_replicas(rs) > 0)
            .collect();
        match active.len() {
            0 => self.new_rs.clone().or_else(|| self.old.last().cloned()),
            1 => Some(active[0].clone()),
            _ => None,
        }
    }

    fn new_rs_saturated(&self) -> bool {
        self.new_rs.as_ref().is_some_and(|rs| {
            annotation(rs, DESIRED_REPLICAS) == Some(self.replicas.to_string().as_str())
                && spec_replicas(rs) == self.replicas
                && int_at(rs, "/status/availableReplicas").unwrap_or(0) == self.replicas
        })
    }

    fn scale_proportionally(&mut self) {
        let mut active: Vec<Value> = self
            .all_sets()
            .into_iter()
            .filter(|rs| spec_replicas(rs) > 0)
            .cloned()
            .collect();
        let total: i64 = active.iter().map(spec_replicas).sum();
        let allowed = if self.replicas > 0 {
            self.replicas + self.max_surge()
        } else {
            0
        };
        let to_add = allowed - total;
        match to_add.cmp(&0) {
            // Bigger first; among equals the newer gains first and the older loses first.
            Ordering::Greater => active.sort_by(|a, b| {
                spec_replicas(b)
                    .cmp(&spec_replicas(a))
                    .then(by_creation(b, a))
            }),
            Ordering::Less => active.sort_by(|a, b| {
                spec_replicas(b)
                    .cmp(&spec_replicas(a))
                    .then(by_creation(a, b))
            }),
            Ordering::Equal => {}
        }
        let mut added = 0;
        let mut sizes: Vec<i64> = Vec::with_capacity(active.len());
        for rs in &active {
            let proportion = if to_add == 0 {
                0
            } else {
                self.proportion(rs, to_add, added)
            };
            sizes.push(spec_replicas(rs) + proportion);
            added += proportion;
        }
        if let Some(first) = sizes.first_mut()
            && to_add != 0
        {
            *first = (*first + to_add - added).max(0);
        }
        for (rs, size) in active.iter().zip(sizes) {
            self.scale_rs(rs, size);
        }
    }

    /// The real GetProportion: this ReplicaSet's share of `to_add`, by its max-replicas
    /// annotation, never past what is left to add.
    fn proportion(&self, rs: &Value, to_add: i64, added: i64) -> i64 {
        let replicas = spec_replicas(rs);
        if replicas == 0 || to_add == added {
            return 0;
        }
        let fraction = if self.replicas == 0 {
            -replicas
        } else {
            let max_replicas = self.replicas + self.max_surge();
            let annotated = annotation(rs, MAX_REPLICAS)
                .and_then(|m| m.parse::<i64>().ok())
                .unwrap_or_else(|| int_at(&self.d, "/status/replicas").unwrap_or(0));
            if annotated <= 0 {
                0
            } else {
                let size = (replicas * max_replicas) as f64 / annotated as f64;
                size.round() as i64 - replicas
            }
        };
        let allowed = to_add - added;
        if to_add > 0 {
            fraction.min(allowed)
        } else {
            fraction.max(allowed)
        }
    }

    // --- Strategies ---------------------------------------------------------------------------

    fn rollout_rolling(&mut self) {
        if self.new_rs.is_some() {
            self.sync_existing_revision();
        } else if !self.create_new_rs() {
            return;
        }
        if self.reconcile_new_rs() {
            self.sync_status(true);
            return;
        }
        if self.reconcile_old_sets() {
            self.sync_status(true);
            return;
        }
        if self.complete(&self.calculate_status()) {
            self.cleanup();
        }
        self.sync_status(true);
    }

    /// Scales the new ReplicaSet toward the replica count, within maxSurge.
    fn reconcile_new_rs(&mut self) -> bool {
        let Some(rs) = self.new_rs.clone() else {
            return false;
        };
        let current = spec_replicas(&rs);
        if current == self.replicas {
            return false;
        }
        let size = if current > self.replicas {
            self.replicas
        } else {
            self.new_rs_replicas(current)
        };
        size != current && self.scale_rs(&rs, size)
    }

    /// Scales old ReplicaSets down, within maxUnavailable: unhealthy replicas first, then the
    /// oldest ReplicaSets.
    fn reconcile_old_sets(&mut self) -> bool {
        let old_total: i64 = self.old.iter().map(spec_replicas).sum();
        if old_total == 0 {
            return false;
        }
        let all_total: i64 = self.all_sets().iter().map(|rs| spec_replicas(rs)).sum();
        let min_available = self.replicas - self.max_unavailable();
        let new_unavailable = self.new_rs.as_ref().map_or(0, |rs| {
            spec_replicas(rs) - int_at(rs, "/status/availableReplicas").unwrap_or(0)
        });
        let max_scaled_down = all_total - min_available - new_unavailable;
        if max_scaled_down <= 0 {
            return false;
        }
        let cleaned = self.scale_down_unhealthy(max_scaled_down);
        let scaled = self.scale_down_available(min_available);
        cleaned + scaled > 0
    }

    fn scale_down_unhealthy(&mut self, max: i64) -> i64 {
        let mut total = 0;
        for rs in self.old.clone() {
            if total >= max {
                break;
            }
            let replicas = spec_replicas(&rs);
            let available = int_at(&rs, "/status/availableReplicas").unwrap_or(0);
            let unhealthy = replicas - available;
            if replicas == 0 || unhealthy <= 0 {
                continue;
            }
            let down = unhealthy.min(max - total);
            if self.scale_rs(&rs, replicas - down) {
                total += down;
            }
        }
        total
    }

    fn scale_down_available(&mut self, min_available: i64) -> i64 {
        let available: i64 = self
            .all_sets()
            .iter()
            .map(|rs| int_at(rs, "/status/availableReplicas").unwrap_or(0))
            .sum();
        if available <= min_available {
            return 0;
        }
        let max = available - min_available;
        let mut total = 0;
        for rs in self.old.clone() {
            if total >= max {
                break;
            }
            let replicas = spec_replicas(&rs);
            if replicas == 0 {
                continue;
            }
            let down = replicas.min(max - total);
            if self.scale_rs(&rs, replicas - down) {
                total += down;
            }
        }
        total
    }

    fn rollout_recreate(&mut self) {
        if self.new_rs.is_some() {
            self.sync_existing_revision();
        }
        let mut scaled_down = false;
        for rs in self.old.clone().iter().filter(|rs| spec_replicas(rs) > 0) {
            scaled_down |= self.scale_rs(rs, 0);
        }
        if scaled_down || self.old_pods_running() {
            self.sync_status(true);
            return;
        }
        if self.new_rs.is_none() && !self.create_new_rs() {
            return;
        }
        if let Some(rs) = self.new_rs.clone() {
            self.scale_rs(&rs, self.replicas);
        }
        if self.complete(&self.calculate_status()) {
            self.cleanup();
        }
        self.sync_status(true);
    }

    /// Whether any pod of an old ReplicaSet is still there and not finished.
    fn old_pods_running(&self) -> bool {
        self.old.iter().any(|rs| {
            int_at(rs, "/status/replicas").unwrap_or(0) > 0
                || util::owned(self.ctx.store, &util::pods(), rs)
                    .iter()
                    .any(|p| !matches!(util::phase(p), "Succeeded" | "Failed"))
        })
    }

    /// Deletes the oldest empty ReplicaSets beyond revisionHistoryLimit.
    fn cleanup(&mut self) {
        let limit = int_at(&self.d, "/spec/revisionHistoryLimit")
            .unwrap_or(10)
            .max(0);
        let mut cleanable: Vec<Value> = self
            .old
            .iter()
            .filter(|rs| !is_deleting(rs))
            .cloned()
            .collect();
        let excess = i64::try_from(cleanable.len()).unwrap_or(0) - limit;
        if excess <= 0 {
            return;
        }
        cleanable.sort_by_key(revision);
        let mut deleted = 0;
        for rs in cleanable {
            if deleted >= excess {
                break;
            }
            let settled = int_at(&rs, "/status/replicas").unwrap_or(0) == 0
                && spec_replicas(&rs) == 0
                && int_at(&rs, "/status/observedGeneration").unwrap_or(0) >= generation(&rs);
            if settled && self.ctx.store.delete(&rs_key(&rs)).is_ok() {
                self.old.retain(|o| name(o) != name(&rs));
                deleted += 1;
            }
        }
    }

    // --- Status -------------------------------------------------------------------------------

    fn condition(&self, kind: &str, status: &str, reason: &str, message: &str) -> Value {
        json!({
            "type": kind,
            "status": status,
            "lastUpdateTime": self.now(),
            "lastTransitionTime": self.now(),
            "reason": reason,
            "message": message,
        })
    }

    fn check_paused_condition(&mut self) {
        if self.progress_deadline().is_none() {
            return;
        }
        let mut conditions = util::conditions(&self.d);
        let reason = util::find_condition(&conditions, "Progressing")
            .and_then(|c| c.get("reason")?.as_str())
            .map(String::from);
        if reason.as_deref() == Some("ProgressDeadlineExceeded") {
            return;
        }
        let paused_noted = reason.as_deref() == Some("DeploymentPaused");
        let condition = match (self.paused(), paused_noted) {
            (true, false) => self.condition(
                "Progressing",
                "Unknown",
                "DeploymentPaused",
                "Deployment is paused",
            ),
            (false, true) => self.condition(
                "Progressing",
                "Unknown",
                "DeploymentResumed",
                "Deployment is resumed",
            ),
            _ => return,
        };
        set_condition(&mut conditions, condition);
        let mut d = self.d.clone();
        d["status"]["conditions"] = json!(conditions);
        self.save(d);
    }

    /// The real calculateStatus: counts from the ReplicaSets and the Available condition.
    fn calculate_status(&self) -> Value {
        let sum = |pointer: &str| -> i64 {
            self.all_sets()
                .iter()
                .map(|rs| int_at(rs, pointer).unwrap_or(0))
                .sum()
        };
        let available = sum("/status/availableReplicas");
        let updated = self
            .new_rs
            .as_ref()
            .map_or(0, |rs| int_at(rs, "/status/replicas").unwrap_or(0));
        let mut status = Map::new();
        let counts = [
            ("observedGeneration", generation(&self.d)),
            ("replicas", sum("/status/replicas")),
            ("updatedReplicas", updated),
            ("readyReplicas", sum("/status/readyReplicas")),
            ("availableReplicas", available),
            ("unavailableReplicas", (self.replicas - available).max(0)),
        ];
        for (field, n) in counts {
            if n != 0 {
                status.insert(field.into(), json!(n));
            }
        }
        if let Some(count) = self.d.pointer("/status/collisionCount") {
            status.insert("collisionCount".into(), count.clone());
        }
        let mut conditions = util::conditions(&self.d);
        let condition = if available >= self.replicas - self.max_unavailable() {
            self.condition(
                "Available",
                "True",
                "MinimumReplicasAvailable",
                "Deployment has minimum availability.",
            )
        } else {
            self.condition(
                "Available",
                "False",
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.",
            )
        };
        set_condition(&mut conditions, condition);
        status.insert("conditions".into(), json!(conditions));
        Value::Object(status)
    }

    fn complete(&self, status: &Value) -> bool {
        let field = |f: &str| status.get(f).and_then(Value::as_i64).unwrap_or(0);
        field("updatedReplicas") == self.replicas
            && field("replicas") == self.replicas
            && field("availableReplicas") == self.replicas
            && field("observedGeneration") >= generation(&self.d)
    }

    /// Writes the new status; with `estimate_progress`, also the Progressing condition (the
    /// real syncRolloutStatus), otherwise only the counts (syncDeploymentStatus).
    fn sync_status(&mut self, estimate_progress: bool) {
        let mut status = self.calculate_status();
        if estimate_progress {
            self.update_progressing(&mut status);
        }
        if self.d.get("status") == Some(&status) {
            return;
        }
        let mut d = self.d.clone();
        d["status"] = status;
        self.save(d);
    }

    fn update_progressing(&self, status: &mut Value) {
        let mut conditions: Vec<Value> = status
            .get("conditions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if self.progress_deadline().is_none() {
            conditions.retain(|c| c["type"] != "Progressing");
            status["conditions"] = json!(conditions);
            return;
        }
        let current = util::find_condition(&conditions, "Progressing").cloned();
        let reason = current.as_ref().and_then(|c| c.get("reason")?.as_str());
        let field = |f: &str| status.get(f).and_then(Value::as_i64).unwrap_or(0);
        if field("replicas") == field("updatedReplicas") && reason == Some("NewReplicaSetAvailable")
        {
            return;
        }
        let subject = match &self.new_rs {
            Some(rs) => format!("ReplicaSet \"{}\"", name(rs)),
            None => format!("Deployment \"{}\"", name(&self.d)),
        };
        if self.complete(status) {
            let message = format!("{subject} has successfully progressed.");
            set_condition(
                &mut conditions,
                self.condition("Progressing", "True", "NewReplicaSetAvailable", &message),
            );
        } else if self.progressing(status) {
            let message = format!("{subject} is progressing.");
            let mut condition =
                self.condition("Progressing", "True", "ReplicaSetUpdated", &message);
            if let Some(current) = &current {
                if current["status"] == "True" {
                    condition["lastTransitionTime"] = current["lastTransitionTime"].clone();
                }
                conditions.retain(|c| c["type"] != "Progressing");
            }
            set_condition(&mut conditions, condition);
        } else if self.timed_out(current.as_ref()) {
            let message = format!("{subject} has timed out progressing.");
            set_condition(
                &mut conditions,
                self.condition("Progressing", "False", "ProgressDeadlineExceeded", &message),
            );
        }
        status["conditions"] = json!(conditions);
    }

    /// Whether the new status shows progress over the stored one.
    fn progressing(&self, status: &Value) -> bool {
        let new = |f: &str| status.get(f).and_then(Value::as_i64).unwrap_or(0);
        let old = |f: &str| int_at(&self.d, &format!("/status/{f}")).unwrap_or(0);
        new("updatedReplicas") > old("updatedReplicas")
            || new("readyReplicas") > old("readyReplicas")
            || new("availableReplicas") > old("availableReplicas")
            || new("replicas") - new("updatedReplicas") < old("replicas") - old("updatedReplicas")
    }

    fn timed_out(&self, progressing: Option<&Value>) -> bool {
        let (Some(deadline), Some(condition)) = (self.progress_deadline(), progressing) else {
            return false;
        };
        match condition.get("reason").and_then(Value::as_str) {
            Some("NewReplicaSetAvailable") => false,
            Some("ProgressDeadlineExceeded") => true,
            _ => util::parse_time(condition, "/lastUpdateTime").is_some_and(|from| {
                self.ctx.now.duration_since(from).as_secs_f64() > deadline as f64
            }),
        }
    }

    /// Writes the Deployment and continues from what was stored.
    fn save(&mut self, d: Value) {
        if d == self.d {
            return;
        }
        if let Some(written) = util::write(
            self.ctx.store,
            &util::key("apps", "deployments", &self.d),
            d,
        ) {
            self.d = (*written).clone();
        }
    }
}

fn rs_key(rs: &Value) -> ObjectKey {
    util::key("apps", "replicasets", rs)
}

fn spec_replicas(rs: &Value) -> i64 {
    int_at(rs, "/spec/replicas").unwrap_or(1)
}

fn revision(rs: &Value) -> i64 {
    annotation(rs, REVISION)
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

fn by_creation(a: &Value, b: &Value) -> Ordering {
    let created = |v: &Value| {
        str_at(v, "/metadata/creationTimestamp")
            .unwrap_or("")
            .to_string()
    };
    created(a)
        .cmp(&created(b))
        .then_with(|| name(a).cmp(name(b)))
}

/// A pod template without the pod-template-hash label (and the null creationTimestamp), for
/// comparing a Deployment's template with its ReplicaSets'.
fn without_hash(template: &Value) -> Value {
    let mut t = template.clone();
    if let Some(meta) = t.get_mut("metadata").and_then(Value::as_object_mut) {
        if meta.get("creationTimestamp").is_some_and(Value::is_null) {
            meta.remove("creationTimestamp");
        }
        if let Some(labels) = meta.get_mut("labels").and_then(Value::as_object_mut) {
            labels.remove(HASH_LABEL);
            if labels.is_empty() {
                meta.remove("labels");
            }
        }
        if meta.is_empty()
            && let Some(m) = t.as_object_mut()
        {
            m.remove("metadata");
        }
    }
    t
}
