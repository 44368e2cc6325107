//! The endpoints and endpointslice controllers: every Service with a selector gets an
//! Endpoints object and an EndpointSlice listing the IPs of the pods it selects.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::Ctx;
use super::util::{self, controller_ref, is_deleting, is_ready, name, namespace, string_map};
use crate::store::{Collection, ObjectKey};

const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

pub fn reconcile(ctx: &Ctx) {
    let (services, _) = ctx.store.list(&Collection::new("", "services"), None);
    for service in services.iter().filter(|s| !is_deleting(s)) {
        let selector = string_map(service, "/spec/selector");
        if selector.is_empty() {
            // Without a selector the endpoints are the user's to manage.
            continue;
        }
        let backends = backends(ctx, service, &selector);
        sync_endpoints(ctx, service, &backends);
        sync_slice(ctx, service, &backends);
    }
}

/// One selected pod with an IP.
struct Backend {
    ip: String,
    node: Option<String>,
    ready: bool,
    target: Value,
    pod: Value,
}

fn backends(ctx: &Ctx, service: &Value, selector: &BTreeMap<String, String>) -> Vec<Backend> {
    let (pods, _) = ctx
        .store
        .list(&Collection::new("", "pods"), Some(namespace(service)));
    let mut backends: Vec<Backend> = pods
        .iter()
        .filter(|p| !is_deleting(p) && util::has_all(&string_map(p, "/metadata/labels"), selector))
        .filter_map(|p| {
            let ip = p["status"]["podIP"].as_str().filter(|ip| !ip.is_empty())?;
            Some(Backend {
                ip: ip.to_string(),
                node: p["spec"]["nodeName"].as_str().map(String::from),
                ready: is_ready(p),
                target: json!({"kind": "Pod", "namespace": namespace(p), "name": name(p),
                               "uid": p["metadata"]["uid"]}),
                pod: (**p).clone(),
            })
        })
        .collect();
    backends.sort_by(|a, b| a.ip.cmp(&b.ip));
    backends
}

/// The service's ports with each target port resolved against a pod (named ports are looked
/// up among its containers' ports).
fn ports(service: &Value, pod: Option<&Value>) -> Vec<Value> {
    let ports = service["spec"]["ports"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    ports
        .iter()
        .filter_map(|p| {
            let target = match &p["targetPort"] {
                Value::Number(n) => n.as_i64(),
                Value::String(port_name) => pod.and_then(|pod| named_port(pod, port_name)),
                _ => p["port"].as_i64(),
            }?;
            let mut port =
                json!({"port": target, "protocol": p["protocol"].as_str().unwrap_or("TCP")});
            if let Some(name) = p["name"].as_str() {
                port["name"] = json!(name);
            }
            Some(port)
        })
        .collect()
}

fn named_port(pod: &Value, port_name: &str) -> Option<i64> {
    pod["spec"]["containers"]
        .as_array()?
        .iter()
        .flat_map(|c| c["ports"].as_array().cloned().unwrap_or_default())
        .find(|p| p["name"] == port_name)
        .and_then(|p| p["containerPort"].as_i64())
}

fn address(b: &Backend) -> Value {
    let mut address = json!({"ip": b.ip, "targetRef": b.target});
    if let Some(node) = &b.node {
        address["nodeName"] = json!(node);
    }
    address
}

fn sync_endpoints(ctx: &Ctx, service: &Value, backends: &[Backend]) {
    let mut subset = json!({});
    let ready: Vec<Value> = backends.iter().filter(|b| b.ready).map(address).collect();
    let not_ready: Vec<Value> = backends.iter().filter(|b| !b.ready).map(address).collect();
    if !ready.is_empty() {
        subset["addresses"] = json!(ready);
    }
    if !not_ready.is_empty() {
        subset["notReadyAddresses"] = json!(not_ready);
    }
    let subsets = if backends.is_empty() {
        None
    } else {
        subset["ports"] = json!(ports(service, backends.first().map(|b| &b.pod)));
        Some(json!([subset]))
    };
    let key = ObjectKey::new("", "endpoints", namespace(service), name(service));
    let labels = json!({"endpoints.kubernetes.io/managed-by": "endpoint-controller"});
    match ctx.store.get(&key) {
        None => {
            let mut endpoints = json!({
                "apiVersion": "v1", "kind": "Endpoints",
                "metadata": {"name": name(service), "namespace": namespace(service), "labels": labels},
            });
            if let Some(subsets) = subsets {
                endpoints["subsets"] = subsets;
            }
            crate::admission::admit("", "endpoints", &mut endpoints, "kube-controller-manager");
            let _ = ctx.store.create(&key, endpoints);
        }
        Some(current) => {
            if current.get("subsets") == subsets.as_ref() {
                return;
            }
            let mut updated = (*current).clone();
            match subsets {
                Some(subsets) => updated["subsets"] = subsets,
                None => {
                    if let Some(m) = updated.as_object_mut() {
                        m.remove("subsets");
                    }
                }
            }
            util::write(ctx.store, &key, updated);
        }
    }
}

fn sync_slice(ctx: &Ctx, service: &Value, backends: &[Backend]) {
    let endpoints: Vec<Value> = backends
        .iter()
        .map(|b| {
            let mut endpoint = json!({
                "addresses": [b.ip],
                "conditions": {"ready": b.ready, "serving": b.ready, "terminating": false},
                "targetRef": b.target,
            });
            if let Some(node) = &b.node {
                endpoint["nodeName"] = json!(node);
            }
            endpoint
        })
        .collect();
    let ports = json!(ports(service, backends.first().map(|b| &b.pod)));
    let (slices, _) = ctx.store.list(
        &Collection::new("discovery.k8s.io", "endpointslices"),
        Some(namespace(service)),
    );
    let existing = slices
        .iter()
        .find(|s| s["metadata"]["labels"][SERVICE_NAME_LABEL] == name(service));
    match existing {
        Some(slice) => {
            if slice["endpoints"] == json!(endpoints) && slice["ports"] == ports {
                return;
            }
            let mut updated = (**slice).clone();
            updated["endpoints"] = json!(endpoints);
            updated["ports"] = ports;
            let key = ObjectKey::new(
                "discovery.k8s.io",
                "endpointslices",
                namespace(service),
                name(slice),
            );
            util::write(ctx.store, &key, updated);
        }
        None => {
            let slice_name = format!("{}-{}", name(service), util::random_suffix());
            let mut slice = json!({
                "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                "metadata": {
                    "name": slice_name, "generateName": format!("{}-", name(service)),
                    "namespace": namespace(service),
                    "labels": {"endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                               SERVICE_NAME_LABEL: name(service)},
                    "ownerReferences": [controller_ref(service, "v1", "Service")],
                },
                "addressType": "IPv4",
                "endpoints": endpoints,
                "ports": ports,
            });
            crate::admission::admit(
                "discovery.k8s.io",
                "endpointslices",
                &mut slice,
                "kube-controller-manager",
            );
            let key = ObjectKey::new(
                "discovery.k8s.io",
                "endpointslices",
                namespace(service),
                &slice_name,
            );
            let _ = ctx.store.create(&key, slice);
        }
    }
}
