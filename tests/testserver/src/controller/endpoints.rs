//! The endpoints and endpointslice controllers: every Service with a selector gets an
//! Endpoints object and an EndpointSlice listing the IPs of the pods it selects, shaped like
//! kube-controller-manager's: slice ports always carry `name` (empty for an unnamed service
//! port), `port` and `protocol`; a Service without endpoints gets a placeholder slice whose
//! `endpoints` and `ports` are null; both objects carry the Service's labels (and
//! `service.kubernetes.io/headless` for a headless Service).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::Ctx;
use super::util::{self, controller_ref, is_deleting, is_ready, name, namespace, string_map};
use crate::store::{Collection, ObjectKey};

const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";
const HEADLESS_LABEL: &str = "service.kubernetes.io/headless";

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
/// up among its containers' ports), as EndpointSlice ports: `name` is always there (empty for
/// an unnamed service port), `appProtocol` when the service port has one.
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
            let mut port = json!({
                "name": p["name"].as_str().unwrap_or_default(),
                "protocol": p["protocol"].as_str().unwrap_or("TCP"),
                "port": target,
            });
            if let Some(app_protocol) = p["appProtocol"].as_str() {
                port["appProtocol"] = json!(app_protocol);
            }
            Some(port)
        })
        .collect()
}

/// [`ports`] as an Endpoints subset has them: an empty name is left out.
fn subset_ports(service: &Value, pod: Option<&Value>) -> Vec<Value> {
    let mut ports = ports(service, pod);
    for port in &mut ports {
        if let Some(fields) = port.as_object_mut()
            && fields.get("name").is_some_and(|name| name == "")
        {
            fields.remove("name");
        }
    }
    ports
}

/// The labels the controllers give a Service's Endpoints and EndpointSlices: the Service's
/// own, the headless marker, and `extra`.
fn labels_for(service: &Value, extra: &[(&str, &str)]) -> Value {
    let mut labels = match &service["metadata"]["labels"] {
        Value::Object(labels) => labels.clone(),
        _ => serde_json::Map::new(),
    };
    if service["spec"]["clusterIP"] == "None" {
        labels.insert(HEADLESS_LABEL.to_string(), json!(""));
    }
    for (key, value) in extra {
        labels.insert((*key).to_string(), json!(value));
    }
    Value::Object(labels)
}

/// A list field as the API server serves it: null when empty.
fn or_null(items: Vec<Value>) -> Value {
    if items.is_empty() {
        Value::Null
    } else {
        json!(items)
    }
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
        let ports = subset_ports(service, backends.first().map(|b| &b.pod));
        if !ports.is_empty() {
            subset["ports"] = json!(ports);
        }
        Some(json!([subset]))
    };
    let key = ObjectKey::new("", "endpoints", namespace(service), name(service));
    let labels = labels_for(
        service,
        &[("endpoints.kubernetes.io/managed-by", "endpoint-controller")],
    );
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
            if current.get("subsets") == subsets.as_ref() && current["metadata"]["labels"] == labels
            {
                return;
            }
            let mut updated = (*current).clone();
            updated["metadata"]["labels"] = labels;
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
    // Without endpoints the slice is a placeholder: no ports either.
    let ports = if endpoints.is_empty() {
        Value::Null
    } else {
        or_null(ports(service, backends.first().map(|b| &b.pod)))
    };
    let endpoints = or_null(endpoints);
    let labels = labels_for(
        service,
        &[
            (
                "endpointslice.kubernetes.io/managed-by",
                "endpointslice-controller.k8s.io",
            ),
            (SERVICE_NAME_LABEL, name(service)),
        ],
    );
    let (slices, _) = ctx.store.list(
        &Collection::new("discovery.k8s.io", "endpointslices"),
        Some(namespace(service)),
    );
    let existing = slices
        .iter()
        .find(|s| s["metadata"]["labels"][SERVICE_NAME_LABEL] == name(service));
    match existing {
        Some(slice) => {
            if slice["endpoints"] == endpoints
                && slice["ports"] == ports
                && slice["metadata"]["labels"] == labels
            {
                return;
            }
            let mut updated = (**slice).clone();
            updated["endpoints"] = endpoints;
            updated["ports"] = ports;
            updated["metadata"]["labels"] = labels;
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
                    "labels": labels,
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::{Value, json};

    use super::*;
    use crate::controller::ControllerConfig;
    use crate::store::Store;

    const NS: &str = "shop";

    fn recorded(file: &str) -> Value {
        let path = format!("{}/../fixtures/http/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let list: Value = serde_json::from_str(&text).expect("fixture JSON");
        list["items"][0].clone()
    }

    fn keys(value: &Value) -> BTreeSet<String> {
        value
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }

    fn create(store: &Store, group: &str, resource: &str, name: &str, mut object: Value) {
        object["metadata"]["name"] = json!(name);
        object["metadata"]["namespace"] = json!(NS);
        let status = object["status"].take();
        crate::admission::admit(group, resource, &mut object, "tests");
        // The pods are made running as the kubelet would have left them.
        if !status.is_null() {
            object["status"] = status;
        }
        store
            .create(&ObjectKey::new(group, resource, NS, name), object)
            .expect("create");
    }

    /// A running pod of `app` with an IP, ready or not.
    fn pod(store: &Store, name: &str, app: &str, ip: &str, ready: bool) {
        let status = if ready { "True" } else { "False" };
        create(
            store,
            "",
            "pods",
            name,
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": {"app": app}},
                "spec": {"nodeName": "fake-node-1", "containers": [{"name": "web", "image": "httpd",
                    "ports": [{"name": "web", "containerPort": 8080}]}]},
                "status": {"phase": "Running", "podIP": ip,
                    "conditions": [{"type": "Ready", "status": status}]}}),
        );
    }

    fn service(store: &Store, name: &str, spec: Value) {
        create(
            store,
            "",
            "services",
            name,
            json!({"apiVersion": "v1", "kind": "Service", "spec": spec}),
        );
    }

    fn reconciled(store: &Store) {
        let config = ControllerConfig::default();
        let ctx = Ctx {
            store,
            config: &config,
            now: jiff::Timestamp::now(),
        };
        reconcile(&ctx);
    }

    fn slice_of(store: &Store, service: &str) -> Value {
        let (slices, _) = store.list(
            &Collection::new("discovery.k8s.io", "endpointslices"),
            Some(NS),
        );
        let slice = slices
            .iter()
            .find(|s| s["metadata"]["labels"][SERVICE_NAME_LABEL] == service)
            .unwrap_or_else(|| panic!("the slice of {service}"));
        (**slice).clone()
    }

    fn endpoints_of(store: &Store, service: &str) -> Value {
        let key = ObjectKey::new("", "endpoints", NS, service);
        (*store.get(&key).expect("endpoints")).clone()
    }

    /// The slice of a Service with pods has the recorded slice's shape, field for field.
    #[test]
    fn slices_are_shaped_like_the_recorded_one() {
        let store = Store::new();
        pod(&store, "web-1", "web", "10.244.1.5", true);
        pod(&store, "web-2", "web", "10.244.1.6", false);
        service(
            &store,
            "web",
            json!({"selector": {"app": "web"}, "ports": [{"name": "web", "port": 80, "targetPort": "web"}]}),
        );
        reconciled(&store);
        let real = recorded("065-list-endpointslices.json");
        let slice = slice_of(&store, "web");
        let mut real_keys = keys(&real);
        real_keys.extend(["apiVersion".to_string(), "kind".to_string()]);
        assert_eq!(keys(&slice), real_keys);
        assert_eq!(keys(&slice["endpoints"][0]), keys(&real["endpoints"][0]));
        assert_eq!(
            keys(&slice["endpoints"][0]["conditions"]),
            keys(&real["endpoints"][0]["conditions"])
        );
        assert_eq!(
            keys(&slice["endpoints"][0]["targetRef"]),
            keys(&real["endpoints"][0]["targetRef"])
        );
        assert_eq!(slice["ports"], real["ports"]);
        assert_eq!(slice["addressType"], real["addressType"]);
        assert_eq!(
            slice["endpoints"][1]["conditions"],
            json!({"ready": false, "serving": false, "terminating": false})
        );
        assert_eq!(
            keys(&slice["metadata"]["labels"]),
            keys(&real["metadata"]["labels"])
        );
        let real_endpoints = recorded("033-list-endpoints.json");
        let endpoints = endpoints_of(&store, "web");
        assert_eq!(
            keys(&endpoints["subsets"][0]["addresses"][0]),
            keys(&real_endpoints["subsets"][0]["addresses"][0])
        );
        assert_eq!(
            endpoints["subsets"][0]["ports"],
            real_endpoints["subsets"][0]["ports"]
        );
        assert_eq!(
            endpoints["subsets"][0]["notReadyAddresses"][0]["ip"],
            "10.244.1.6"
        );
    }

    /// kubectl reads `ports[].name` and `port` of every slice port without checking them:
    /// an unnamed service port still has an (empty) name in its slice.
    #[test]
    fn unnamed_ports_have_an_empty_name_in_slices_and_none_in_endpoints() {
        let store = Store::new();
        pod(&store, "db-1", "db", "10.244.1.7", true);
        service(
            &store,
            "db",
            json!({"selector": {"app": "db"}, "ports": [{"port": 5432, "appProtocol": "postgres"}]}),
        );
        reconciled(&store);
        assert_eq!(
            slice_of(&store, "db")["ports"],
            json!([{"name": "", "protocol": "TCP", "port": 5432, "appProtocol": "postgres"}])
        );
        assert_eq!(
            endpoints_of(&store, "db")["subsets"][0]["ports"],
            json!([{"port": 5432, "protocol": "TCP", "appProtocol": "postgres"}])
        );
    }

    /// A Service that selects no pods gets a placeholder slice, as the real controller's.
    #[test]
    fn a_service_without_pods_gets_a_placeholder_slice() {
        let store = Store::new();
        service(
            &store,
            "lonely",
            json!({"selector": {"app": "nobody"}, "ports": [{"name": "http", "port": 80}]}),
        );
        reconciled(&store);
        let slice = slice_of(&store, "lonely");
        assert_eq!(slice["endpoints"], Value::Null);
        assert_eq!(slice["ports"], Value::Null);
        assert!(slice.as_object().is_some_and(|s| s.contains_key("ports")));
        assert!(endpoints_of(&store, "lonely").get("subsets").is_none());
    }

    /// Both objects carry the Service's labels, and headless Services are marked.
    #[test]
    fn labels_come_from_the_service() {
        let store = Store::new();
        pod(&store, "cache-0", "cache", "10.244.1.8", true);
        create(
            &store,
            "",
            "services",
            "cache",
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"labels": {"tier": "data"}},
                "spec": {"clusterIP": "None", "selector": {"app": "cache"}}}),
        );
        reconciled(&store);
        let slice = slice_of(&store, "cache");
        assert_eq!(
            slice["metadata"]["labels"],
            json!({"tier": "data", HEADLESS_LABEL: "",
                "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                SERVICE_NAME_LABEL: "cache"})
        );
        assert_eq!(slice["ports"], Value::Null);
        assert_eq!(slice["endpoints"][0]["addresses"], json!(["10.244.1.8"]));
        let endpoints = endpoints_of(&store, "cache");
        assert_eq!(endpoints["metadata"]["labels"]["tier"], "data");
        assert_eq!(endpoints["metadata"]["labels"][HEADLESS_LABEL], "");
        assert!(endpoints["subsets"][0].get("ports").is_none());
    }
}
