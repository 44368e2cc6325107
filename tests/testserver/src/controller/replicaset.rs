//! The ReplicaSet controller: keeps `spec.replicas` pods of the template alive and reports how
//! many are there, labelled, ready and available.

use serde_json::{Map, Value, json};

use super::Ctx;
use super::util::{
    self, PodSpec, controller_ref, generation, int_at, is_active, is_deleting, name, namespace,
    string_map, typed,
};
use crate::store::Collection;

const COMPONENT: &str = "replicaset-controller";

pub(super) fn reconcile(ctx: &Ctx) {
    let (sets, _) = ctx
        .store
        .list(&Collection::new("apps", "replicasets"), None);
    for rs in sets {
        sync(ctx, &rs);
    }
}

fn sync(ctx: &Ctx, rs: &Value) {
    let who = typed(rs, "apps/v1", "ReplicaSet");
    let mut pods: Vec<Value> = util::owned(ctx.store, &util::pods(), rs)
        .iter()
        .filter(|p| is_active(p))
        .map(|p| (**p).clone())
        .collect();
    if !is_deleting(rs) {
        let wanted = int_at(rs, "/spec/replicas").unwrap_or(1).max(0);
        let have = i64::try_from(pods.len()).unwrap_or(i64::MAX);
        if have < wanted {
            for _ in have..wanted {
                if let Some(pod) = create_pod(ctx, rs, &who) {
                    pods.push((*pod).clone());
                }
            }
        } else if have > wanted {
            pods.sort_by(util::deletion_order);
            let excess = usize::try_from(have - wanted).unwrap_or(0);
            let doomed: Vec<Value> = pods.drain(..excess).collect();
            for pod in &doomed {
                if util::delete_pod(ctx.store, pod, ctx.now) {
                    let message = format!("Deleted pod: {}", name(pod));
                    util::event(ctx, &who, "SuccessfulDelete", &message, COMPONENT);
                }
            }
        }
    }
    update_status(ctx, rs, &pods);
}

fn create_pod(ctx: &Ctx, rs: &Value, who: &Value) -> Option<std::sync::Arc<Value>> {
    let template = rs.pointer("/spec/template")?;
    let spec = PodSpec {
        template,
        namespace: namespace(rs),
        name: String::new(),
        generate_name: None,
        owner_ref: controller_ref(rs, "apps/v1", "ReplicaSet"),
        extra_labels: Vec::new(),
    };
    let pod = util::create_generated_pod(ctx.store, spec, &format!("{}-", name(rs)))?;
    let message = format!("Created pod: {}", name(&pod));
    util::event(ctx, who, "SuccessfulCreate", &message, COMPONENT);
    Some(pod)
}

/// The status the real controller reports; counts that are zero are left out like its
/// `omitempty` fields, except `replicas`.
fn update_status(ctx: &Ctx, rs: &Value, pods: &[Value]) {
    let template_labels = string_map(rs, "/spec/template/metadata/labels");
    let min_ready = int_at(rs, "/spec/minReadySeconds").unwrap_or(0);
    let count = |f: &dyn Fn(&Value) -> bool| pods.iter().filter(|p| f(p)).count();
    let labelled = count(&|p| util::has_all(&string_map(p, "/metadata/labels"), &template_labels));
    let ready = count(&|p| util::is_ready(p));
    let available = count(&|p| util::is_available(p, min_ready, ctx.now));
    let mut status = Map::new();
    status.insert("replicas".into(), json!(pods.len()));
    for (field, n) in [
        ("fullyLabeledReplicas", labelled),
        ("readyReplicas", ready),
        ("availableReplicas", available),
    ] {
        if n > 0 {
            status.insert(field.into(), json!(n));
        }
    }
    status.insert("observedGeneration".into(), json!(generation(rs)));
    let status = Value::Object(status);
    if rs.get("status") == Some(&status) {
        return;
    }
    let mut updated = rs.clone();
    updated["status"] = status;
    util::write(ctx.store, &util::key("apps", "replicasets", rs), updated);
}
