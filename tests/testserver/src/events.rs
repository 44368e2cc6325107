//! core/v1 Events, recorded the way the real components' event recorders write them.
//!
//! Controllers and the kubelet use the legacy recorder: `source`, `firstTimestamp`,
//! `lastTimestamp` and `count`, with a repeat of the same event bumping `count` instead of
//! creating a new object. The scheduler uses the events.k8s.io recorder, which leaves those empty
//! and fills `eventTime`, `action` and `reportingInstance` instead.

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::store::{Collection, ObjectKey, Store, format_time};

/// The scheduler's reportingInstance: `default-scheduler-<hostname>`.
const SCHEDULER_INSTANCE: &str = "default-scheduler-kz-testserver";

/// One event to record.
pub struct EventSpec<'a> {
    /// The object the event is about (any stored object, with kind and apiVersion).
    pub involved: &'a Value,
    /// For kubelet events about one container: `spec.containers{name}`.
    pub field_path: Option<&'a str>,
    pub event_type: &'a str,
    pub reason: &'a str,
    pub message: &'a str,
    pub component: &'a str,
    /// The node, for kubelet events.
    pub host: Option<&'a str>,
}

/// Records a core/v1 Event about `involved` like the real components do: name
/// `<obj-name>.<16 hex>`, involvedObject, reason, message, type, source, first/last timestamps
/// and count (a repeat of the same involved object, reason and message increments count and
/// lastTimestamp instead of creating a new event), reportingComponent and reportingInstance.
pub fn record(
    store: &Store,
    involved: &Value,
    event_type: &str,
    reason: &str,
    message: &str,
    component: &str,
) {
    let spec = EventSpec {
        involved,
        field_path: None,
        event_type,
        reason,
        message,
        component,
        host: None,
    };
    record_at(store, &spec, Timestamp::now());
}

/// [`record`] with every field and an explicit time.
pub fn record_at(store: &Store, spec: &EventSpec, now: Timestamp) {
    if let Some(existing) = find_repeat(store, spec) {
        let mut bumped = (*existing).clone();
        let count = existing.get("count").and_then(Value::as_i64).unwrap_or(1);
        bumped["count"] = json!(count + 1);
        bumped["lastTimestamp"] = json!(format_time(now));
        let key = event_key(
            event_namespace(spec.involved),
            str_of(&existing, "/metadata/name"),
        );
        if store.update(&key, bumped).is_ok() {
            return;
        }
    }
    let stamp = json!(format_time(now));
    let mut event = base_event(spec.involved, spec.field_path);
    event["reason"] = json!(spec.reason);
    event["message"] = json!(spec.message);
    event["type"] = json!(spec.event_type);
    event["source"] = match spec.host {
        Some(host) => json!({"component": spec.component, "host": host}),
        None => json!({"component": spec.component}),
    };
    event["firstTimestamp"] = stamp.clone();
    event["lastTimestamp"] = stamp;
    event["count"] = json!(1);
    event["eventTime"] = Value::Null;
    event["reportingComponent"] = json!(spec.component);
    event["reportingInstance"] = json!(spec.host.unwrap_or(""));
    create_named(store, spec.involved, event, now);
}

/// The scheduler's `Scheduled` event for a pod bound to `node`, in the events.k8s.io shape.
pub fn record_scheduled(store: &Store, pod: &Value, node: &str, now: Timestamp) {
    let ns = str_of(pod, "/metadata/namespace");
    let message = format!(
        "Successfully assigned {ns}/{} to {node}",
        str_of(pod, "/metadata/name")
    );
    let mut event = base_event(pod, None);
    event["reason"] = json!("Scheduled");
    event["message"] = json!(message);
    event["type"] = json!("Normal");
    event["source"] = json!({});
    event["firstTimestamp"] = Value::Null;
    event["lastTimestamp"] = Value::Null;
    event["eventTime"] = json!(now.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string());
    event["action"] = json!("Binding");
    event["reportingComponent"] = json!("default-scheduler");
    event["reportingInstance"] = json!(SCHEDULER_INSTANCE);
    create_named(store, pod, event, now);
}

fn base_event(involved: &Value, field_path: Option<&str>) -> Value {
    let mut reference = json!({
        "kind": involved.get("kind").cloned().unwrap_or(Value::Null),
        "namespace": str_of(involved, "/metadata/namespace"),
        "name": str_of(involved, "/metadata/name"),
        "uid": str_of(involved, "/metadata/uid"),
        "apiVersion": involved.get("apiVersion").cloned().unwrap_or(Value::Null),
    });
    if let Some(m) = reference.as_object_mut() {
        m.retain(|_, v| !v.is_null() && v.as_str() != Some(""));
    }
    match field_path {
        // The kubelet references the container, not a version of the pod.
        Some(path) => reference["fieldPath"] = json!(path),
        None => {
            if let Some(rv) = involved.pointer("/metadata/resourceVersion") {
                reference["resourceVersion"] = rv.clone();
            }
        }
    }
    json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"namespace": event_namespace(involved)},
        "involvedObject": reference,
    })
}

/// Creates the event as `<involved-name>.<now in hex nanoseconds>`, moving on a nanosecond when
/// two events land on the same name.
fn create_named(store: &Store, involved: &Value, mut event: Value, now: Timestamp) {
    let ns = event_namespace(involved);
    let manager = match event["reportingComponent"].as_str() {
        Some("default-scheduler") => "kube-scheduler",
        Some("kubelet") => "fake-kubelet",
        _ => "kube-controller-manager",
    };
    crate::admission::admit("", "events", &mut event, manager);
    let base = u64::try_from(now.as_nanosecond()).unwrap_or_default();
    for bump in 0..16 {
        let name = format!(
            "{}.{:016x}",
            str_of(involved, "/metadata/name"),
            base.wrapping_add(bump)
        );
        event["metadata"]["name"] = json!(name);
        if store.create(&event_key(ns, &name), event.clone()).is_ok() {
            return;
        }
    }
}

/// An earlier event this one repeats: same object (and container), reason, message, source.
fn find_repeat(store: &Store, spec: &EventSpec) -> Option<std::sync::Arc<Value>> {
    let ns = event_namespace(spec.involved);
    let uid = str_of(spec.involved, "/metadata/uid");
    // Events are named after the object they are about: only those need a look.
    let prefix = format!("{}.", str_of(spec.involved, "/metadata/name"));
    let events = store.with_name_prefix(&Collection::new("", "events"), ns, &prefix);
    events.into_iter().find(|e| {
        str_of(e, "/involvedObject/uid") == uid
            && e.pointer("/involvedObject/fieldPath")
                .and_then(Value::as_str)
                == spec.field_path
            && str_of(e, "/reason") == spec.reason
            && str_of(e, "/message") == spec.message
            && str_of(e, "/type") == spec.event_type
            && str_of(e, "/source/component") == spec.component
            && e.pointer("/source/host").and_then(Value::as_str) == spec.host
    })
}

/// Events live in the involved object's namespace; cluster-scoped objects' go to `default`.
fn event_namespace(involved: &Value) -> &str {
    match str_of(involved, "/metadata/namespace") {
        "" => "default",
        ns => ns,
    }
}

fn event_key(namespace: &str, name: &str) -> ObjectKey {
    ObjectKey::new("", "events", namespace, name)
}

fn str_of<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(store: &Store) -> Value {
        let key = ObjectKey::new("apps", "deployments", "shop", "web");
        let created = store
            .create(
                &key,
                json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}}),
            )
            .expect("create");
        (*created).clone()
    }

    fn events(store: &Store) -> Vec<std::sync::Arc<Value>> {
        store.list(&Collection::new("", "events"), Some("shop")).0
    }

    #[test]
    fn records_the_legacy_shape() {
        let store = Store::new();
        let d = deployment(&store);
        record(
            &store,
            &d,
            "Normal",
            "ScalingReplicaSet",
            "Scaled up replica set web-abc from 0 to 2",
            "deployment-controller",
        );
        let all = events(&store);
        assert_eq!(all.len(), 1);
        let e = &all[0];
        let name = str_of(e, "/metadata/name");
        let (prefix, hex) = name.split_once('.').expect("dotted name");
        assert_eq!(prefix, "web");
        assert_eq!(hex.len(), 16);
        assert!(hex.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(
            e["involvedObject"],
            json!({
                "kind": "Deployment", "namespace": "shop", "name": "web",
                "uid": d["metadata"]["uid"], "apiVersion": "apps/v1",
                "resourceVersion": d["metadata"]["resourceVersion"],
            })
        );
        assert_eq!(e["source"], json!({"component": "deployment-controller"}));
        assert_eq!(e["reportingComponent"], "deployment-controller");
        assert_eq!(e["reportingInstance"], "");
        assert_eq!(e["count"], 1);
        assert_eq!(e["type"], "Normal");
        assert!(e["eventTime"].is_null());
        assert_eq!(e["firstTimestamp"], e["lastTimestamp"]);
    }

    #[test]
    fn repeats_bump_count_instead_of_creating() {
        let store = Store::new();
        let d = deployment(&store);
        let first = Timestamp::from_second(1_800_000_000).expect("time");
        let later = Timestamp::from_second(1_800_000_060).expect("time");
        let spec = EventSpec {
            involved: &d,
            field_path: Some("spec.containers{web}"),
            event_type: "Warning",
            reason: "BackOff",
            message: "Back-off restarting failed container web",
            component: "kubelet",
            host: Some("fake-node-1"),
        };
        record_at(&store, &spec, first);
        record_at(&store, &spec, later);
        let other = EventSpec {
            message: "something else",
            ..spec
        };
        record_at(&store, &other, later);
        let all = events(&store);
        assert_eq!(all.len(), 2);
        let repeated = all
            .iter()
            .find(|e| e["reason"] == "BackOff" && e["count"] == 2)
            .expect("bumped event");
        assert_eq!(repeated["firstTimestamp"], "2027-01-15T08:00:00Z");
        assert_eq!(repeated["lastTimestamp"], "2027-01-15T08:01:00Z");
        assert_eq!(repeated["source"]["host"], "fake-node-1");
        assert_eq!(repeated["reportingInstance"], "fake-node-1");
        assert!(repeated["involvedObject"].get("resourceVersion").is_none());
    }

    #[test]
    fn scheduler_events_use_the_new_shape() {
        let store = Store::new();
        let pod = store
            .create(
                &ObjectKey::new("", "pods", "shop", "web-1"),
                json!({"apiVersion": "v1", "kind": "Pod"}),
            )
            .expect("create");
        record_scheduled(&store, &pod, "fake-node-1", Timestamp::now());
        let e = &events(&store)[0];
        assert_eq!(
            e["message"],
            "Successfully assigned shop/web-1 to fake-node-1"
        );
        assert_eq!(e["source"], json!({}));
        assert!(e["firstTimestamp"].is_null() && e["lastTimestamp"].is_null());
        assert!(e.get("count").is_none());
        assert_eq!(e["action"], "Binding");
        assert_eq!(e["reportingComponent"], "default-scheduler");
        let event_time = str_of(e, "/eventTime");
        assert!(event_time.ends_with('Z') && event_time.contains('.'));
    }
}
