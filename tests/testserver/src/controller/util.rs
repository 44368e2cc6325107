//! Small helpers shared by the controllers: reading fields of user-made JSON without
//! panicking, owner references, pod state, and building pods from templates.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::Ctx;
use crate::events;
use crate::store::{Collection, ObjectKey, Store, format_time};

pub fn str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

pub fn int_at(v: &Value, pointer: &str) -> Option<i64> {
    v.pointer(pointer).and_then(Value::as_i64)
}

pub fn name(v: &Value) -> &str {
    str_at(v, "/metadata/name").unwrap_or_default()
}

pub fn namespace(v: &Value) -> &str {
    str_at(v, "/metadata/namespace").unwrap_or_default()
}

pub fn uid(v: &Value) -> &str {
    str_at(v, "/metadata/uid").unwrap_or_default()
}

pub fn generation(v: &Value) -> i64 {
    int_at(v, "/metadata/generation").unwrap_or(0)
}

pub fn is_deleting(v: &Value) -> bool {
    v.pointer("/metadata/deletionTimestamp")
        .is_some_and(|t| !t.is_null())
}

pub fn time(t: Timestamp) -> Value {
    json!(format_time(t))
}

/// A string map (labels, annotations, nodeSelector) at `pointer`; empty when absent.
pub fn string_map(v: &Value, pointer: &str) -> BTreeMap<String, String> {
    v.pointer(pointer)
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `labels` has every key/value of `required`.
pub fn has_all(labels: &BTreeMap<String, String>, required: &BTreeMap<String, String>) -> bool {
    required.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// The mutable JSON object at `pointer`, created (with every missing parent) when absent.
pub fn object_at<'a>(v: &'a mut Value, path: &[&str]) -> &'a mut Map<String, Value> {
    let mut cur = v;
    for part in path {
        if !cur.is_object() {
            *cur = json!({});
        }
        cur = match cur {
            Value::Object(m) => m.entry(part.to_string()).or_insert_with(|| json!({})),
            _ => unreachable!("made an object above"),
        };
    }
    if !cur.is_object() {
        *cur = json!({});
    }
    match cur {
        Value::Object(m) => m,
        _ => unreachable!("made an object above"),
    }
}

pub fn parse_time(v: &Value, pointer: &str) -> Option<Timestamp> {
    str_at(v, pointer)?.parse().ok()
}

pub fn set_annotation(v: &mut Value, key: &str, value: &str) {
    object_at(v, &["metadata", "annotations"]).insert(key.to_string(), json!(value));
}

pub fn annotation<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.pointer("/metadata/annotations")?.get(key)?.as_str()
}

/// A reference from a dependent to `owner`, as controllers set it.
pub fn controller_ref(owner: &Value, api_version: &str, kind: &str) -> Value {
    json!({
        "apiVersion": api_version,
        "kind": kind,
        "name": name(owner),
        "uid": uid(owner),
        "controller": true,
        "blockOwnerDeletion": true,
    })
}

/// The uid of the object's managing controller, if any.
pub fn controller_uid(v: &Value) -> Option<&str> {
    v.pointer("/metadata/ownerReferences")?
        .as_array()?
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))?
        .get("uid")?
        .as_str()
}

/// The objects of a collection in `namespace` whose controller is `owner`.
pub fn owned(store: &Store, collection: &Collection, owner: &Value) -> Vec<Arc<Value>> {
    let owner_uid = uid(owner);
    store
        .list(collection, Some(namespace(owner)))
        .0
        .into_iter()
        .filter(|o| controller_uid(o) == Some(owner_uid))
        .collect()
}

pub fn pods() -> Collection {
    Collection::new("", "pods")
}

pub fn key(group: &str, resource: &str, v: &Value) -> ObjectKey {
    ObjectKey::new(group, resource, namespace(v), name(v))
}

pub fn pod_key(pod: &Value) -> ObjectKey {
    key("", "pods", pod)
}

/// Writes an object back; a conflict or a vanished object is retried on the next pass.
/// The write is recorded in managedFields like the real component's: a status-only change as
/// the `status` subresource (by the kubelet for pods), anything else as the controller manager.
pub fn write(store: &Store, key: &ObjectKey, mut object: Value) -> Option<Arc<Value>> {
    let current = store.get(key)?;
    let without_status = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v.as_object_mut() {
            m.remove("status");
            m.remove("metadata");
        }
        v
    };
    let status_only = without_status(&current) == without_status(&object)
        && current.get("metadata") == object.get("metadata");
    let manager = if status_only && key.collection.resource == "pods" {
        "fake-kubelet"
    } else {
        "kube-controller-manager"
    };
    let subresource = status_only.then_some("status");
    crate::patch::managed::record_update(
        Some(&current),
        &mut object,
        manager,
        subresource,
        &crate::store::now_rfc3339(),
    );
    store.update(key, object).ok()
}

/// Binds a pod to a node: like the real `pods/binding` subresource, it moves no generation
/// and leaves no managed fields.
pub fn bind(store: &Store, key: &ObjectKey, object: Value) -> Option<Arc<Value>> {
    store.update_keeping_generation(key, object).ok()
}

/// A five-character random suffix like the API server's generateName.
pub fn random_suffix() -> String {
    crate::api::random_suffix()
}

/// A copy of `involved` with kind and apiVersion set, for events about objects that may have
/// been stored without them.
pub fn typed(involved: &Value, api_version: &str, kind: &str) -> Value {
    let mut v = involved.clone();
    if let Some(m) = v.as_object_mut() {
        m.insert("apiVersion".into(), json!(api_version));
        m.insert("kind".into(), json!(kind));
    }
    v
}

/// Records a Normal event from a controller at the pass's time.
pub fn event(ctx: &Ctx, involved: &Value, reason: &str, message: &str, component: &str) {
    events::record_at(
        ctx.store,
        &events::EventSpec {
            involved,
            field_path: None,
            event_type: "Normal",
            reason,
            message,
            component,
            host: None,
        },
        ctx.now,
    );
}

// --- Pods -------------------------------------------------------------------------------------

pub fn phase(pod: &Value) -> &str {
    str_at(pod, "/status/phase").unwrap_or("Pending")
}

/// Not finished and not being deleted: what controllers count as one of their replicas.
pub fn is_active(pod: &Value) -> bool {
    !matches!(phase(pod), "Succeeded" | "Failed") && !is_deleting(pod)
}

fn condition<'a>(pod: &'a Value, kind: &str) -> Option<&'a Value> {
    pod.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
}

pub fn is_ready(pod: &Value) -> bool {
    condition(pod, "Ready").and_then(|c| c.get("status")?.as_str()) == Some("True")
}

/// When the pod became Ready, if it is.
pub fn ready_since(pod: &Value) -> Option<Timestamp> {
    if !is_ready(pod) {
        return None;
    }
    condition(pod, "Ready")?
        .get("lastTransitionTime")?
        .as_str()?
        .parse()
        .ok()
}

/// Ready for at least `min_ready_seconds`, like the real IsPodAvailable.
pub fn is_available(pod: &Value, min_ready_seconds: i64, now: Timestamp) -> bool {
    if !is_ready(pod) {
        return false;
    }
    if min_ready_seconds <= 0 {
        return true;
    }
    ready_since(pod).is_some_and(|since| now.duration_since(since).as_secs() >= min_ready_seconds)
}

pub fn restart_count(pod: &Value) -> i64 {
    pod.pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .filter_map(|c| c.get("restartCount")?.as_i64())
                .sum()
        })
        .unwrap_or(0)
}

/// Which of two pods to delete first when scaling down, like the real ActivePods ranking:
/// unscheduled, then pending, then not ready, then ready for less time, then more restarts,
/// then newer.
pub fn deletion_order(a: &Value, b: &Value) -> Ordering {
    let scheduled = |p: &Value| str_at(p, "/spec/nodeName").is_some_and(|n| !n.is_empty());
    let phase_rank = |p: &Value| match phase(p) {
        "Pending" => 0,
        "Unknown" => 1,
        _ => 2,
    };
    let created = |p: &Value| {
        str_at(p, "/metadata/creationTimestamp")
            .unwrap_or("")
            .to_string()
    };
    scheduled(a)
        .cmp(&scheduled(b))
        .then(phase_rank(a).cmp(&phase_rank(b)))
        .then(is_ready(a).cmp(&is_ready(b)))
        .then(ready_since(b).cmp(&ready_since(a)))
        .then(restart_count(b).cmp(&restart_count(a)))
        .then(created(b).cmp(&created(a)))
}

/// Marks a pod for graceful deletion, like `DELETE` on a pod does: the kubelet stops its
/// containers and removes it on its next pass.
pub fn delete_pod(store: &Store, pod: &Value, now: Timestamp) -> bool {
    if is_deleting(pod) {
        return false;
    }
    let mut marked = pod.clone();
    let grace = int_at(pod, "/spec/terminationGracePeriodSeconds").unwrap_or(30);
    marked["metadata"]["deletionTimestamp"] = time(now);
    marked["metadata"]["deletionGracePeriodSeconds"] = json!(grace);
    write(store, &pod_key(pod), marked).is_some()
}

/// A new pod for `owner` from a pod template, with the defaults the API server would fill.
pub struct PodSpec<'a> {
    pub template: &'a Value,
    pub namespace: &'a str,
    pub name: String,
    pub generate_name: Option<String>,
    pub owner_ref: Value,
    pub extra_labels: Vec<(&'a str, String)>,
}

pub fn build_pod(spec: PodSpec) -> Value {
    let mut labels = string_map(spec.template, "/metadata/labels");
    for (k, v) in spec.extra_labels {
        labels.insert(k.to_string(), v);
    }
    let mut metadata = json!({
        "name": spec.name,
        "namespace": spec.namespace,
        "labels": labels,
        "ownerReferences": [spec.owner_ref],
    });
    if let Some(generate_name) = spec.generate_name {
        metadata["generateName"] = json!(generate_name);
    }
    if let Some(annotations) = spec.template.pointer("/metadata/annotations")
        && annotations.as_object().is_some_and(|m| !m.is_empty())
    {
        metadata["annotations"] = annotations.clone();
    }
    let pod_spec = spec
        .template
        .get("spec")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let mut pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": pod_spec,
    });
    crate::admission::admit("", "pods", &mut pod, "kube-controller-manager");
    pod
}

/// Creates a pod named `<prefix><random suffix>`, retrying on a name clash.
pub fn create_generated_pod(store: &Store, mut spec: PodSpec, prefix: &str) -> Option<Arc<Value>> {
    let ns = spec.namespace;
    spec.generate_name = Some(prefix.to_string());
    let base = build_pod(spec);
    for _ in 0..5 {
        let name = format!("{prefix}{}", random_suffix());
        let mut pod = base.clone();
        pod["metadata"]["name"] = json!(name);
        if let Ok(created) = store.create(&ObjectKey::new("", "pods", ns, &name), pod) {
            return Some(created);
        }
    }
    None
}

/// The tag of an image reference, if it has one (a digest counts as none).
pub fn image_tag(image: &str) -> Option<&str> {
    let last = image.rsplit('/').next().unwrap_or(image);
    if last.contains('@') {
        return None;
    }
    last.split_once(':').map(|(_, tag)| tag)
}

/// Resolves an int-or-percent field (maxSurge, maxUnavailable) against `total`.
pub fn scaled_value(v: Option<&Value>, total: i64, round_up: bool, default: i64) -> i64 {
    match v {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(default),
        Some(Value::String(s)) => match s.strip_suffix('%').and_then(|p| p.parse::<i64>().ok()) {
            Some(pct) => {
                let scaled = pct * total;
                if round_up {
                    (scaled + 99).div_euclid(100)
                } else {
                    scaled.div_euclid(100)
                }
            }
            None => s.parse().unwrap_or(default),
        },
        _ => default,
    }
}

/// Sets a status condition the way the apps controllers do: an unchanged status and reason
/// leaves it alone; the same status keeps its lastTransitionTime; the new one goes last.
pub fn set_condition(conditions: &mut Vec<Value>, mut new: Value) {
    let kind = new.get("type").cloned();
    let current = conditions.iter().find(|c| c.get("type") == kind.as_ref());
    if let Some(current) = current {
        if current.get("status") == new.get("status") && current.get("reason") == new.get("reason")
        {
            return;
        }
        if current.get("status") == new.get("status")
            && let Some(t) = current.get("lastTransitionTime")
        {
            new["lastTransitionTime"] = t.clone();
        }
    }
    conditions.retain(|c| c.get("type") != kind.as_ref());
    conditions.push(new);
}

pub fn conditions(v: &Value) -> Vec<Value> {
    v.pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

pub fn find_condition<'a>(conditions: &'a [Value], kind: &str) -> Option<&'a Value> {
    conditions
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_tags() {
        assert_eq!(image_tag("httpd:2.4"), Some("2.4"));
        assert_eq!(image_tag("localhost:5000/app"), None);
        assert_eq!(image_tag("app@sha256:abc"), None);
    }

    #[test]
    fn percentages_round_like_kubernetes() {
        let pct = json!("25%");
        assert_eq!(scaled_value(Some(&pct), 3, true, 0), 1);
        assert_eq!(scaled_value(Some(&pct), 3, false, 0), 0);
        assert_eq!(scaled_value(Some(&json!(2)), 3, false, 0), 2);
        assert_eq!(scaled_value(None, 3, false, 7), 7);
    }

    #[test]
    fn conditions_keep_transition_time_and_move_last() {
        let mut conds = vec![
            json!({"type": "A", "status": "True", "reason": "x", "lastTransitionTime": "t0"}),
            json!({"type": "B", "status": "True", "reason": "y", "lastTransitionTime": "t0"}),
        ];
        set_condition(
            &mut conds,
            json!({"type": "A", "status": "True", "reason": "z", "lastTransitionTime": "t1"}),
        );
        assert_eq!(conds[1]["type"], "A");
        assert_eq!(conds[1]["lastTransitionTime"], "t0");
    }
}
