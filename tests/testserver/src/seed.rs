//! What a new server holds: the recorded fixture cluster (namespace `shop` and friends), or a
//! generated cluster of N pods for benchmarks, or nothing.

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::api::create_object;
use crate::registry::{self, ResourceType};
use crate::server::Shared;
use crate::store::{ObjectKey, format_time};

const BASE_MANIFEST: &str = include_str!("../../fixtures/manifests/01-base.yaml");
const SHOP_MANIFEST: &str = include_str!("../../fixtures/manifests/02-shop.yaml");
const NODES: &str = include_str!("../../fixtures/http/069-list-api-v1-nodes.json");

/// The namespaces every cluster has.
const SYSTEM_NAMESPACES: &[&str] = &["default", "kube-node-lease", "kube-public", "kube-system"];

/// Creates every document of a multi-document YAML manifest, as `kubectl create -f` would.
pub fn create_manifest(shared: &Shared, yaml: &str) -> Result<Vec<Value>> {
    let docs: Vec<Value> = serde_saphyr::from_multiple(yaml).context("parsing the manifest")?;
    let mut created = Vec::new();
    for doc in docs.into_iter().filter(|d| d.is_object()) {
        created.push(create_document(shared, doc)?);
    }
    Ok(created)
}

/// The resource type a manifest document is, and the namespace it goes to.
fn target_of(shared: &Shared, doc: &Value) -> Result<(ResourceType, Option<String>)> {
    let api_version = doc["apiVersion"].as_str().unwrap_or_default();
    let kind = doc["kind"].as_str().unwrap_or_default();
    let Some(rt) = registry::by_kind(&shared.store, api_version, kind) else {
        bail!("no resource type serves {kind} in {api_version}");
    };
    let namespace = rt.namespaced.then(|| {
        doc["metadata"]["namespace"]
            .as_str()
            .unwrap_or("default")
            .to_string()
    });
    Ok((rt, namespace))
}

fn create_document(shared: &Shared, doc: Value) -> Result<Value> {
    let (rt, namespace) = target_of(shared, &doc)?;
    let kind = rt.kind.clone();
    let name = doc["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    create_object(
        shared,
        &rt,
        namespace.as_deref(),
        doc,
        Some("kubectl-create"),
        false,
    )
    .map_err(|e| anyhow::anyhow!("creating {kind} {name}: {e}"))
}

/// Namespaces, nodes and default service accounts: what a fresh cluster has before anyone uses it.
pub fn create_system(shared: &Shared) -> Result<()> {
    for ns in SYSTEM_NAMESPACES {
        create_namespace(shared, ns)?;
    }
    create_api_service(shared)?;
    let nodes: Value = serde_json::from_str(NODES).context("parsing the recorded nodes")?;
    for node in nodes["items"].as_array().into_iter().flatten() {
        let mut node = node.clone();
        if let Some(meta) = node["metadata"].as_object_mut() {
            for volatile in ["uid", "resourceVersion", "creationTimestamp"] {
                meta.remove(volatile);
            }
        }
        let name = node["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        node["kind"] = json!("Node");
        node["apiVersion"] = json!("v1");
        refresh_node_conditions(&mut node);
        shared
            .store
            .create(&ObjectKey::new("", "nodes", "", &name), node)
            .map_err(|e| anyhow::anyhow!("creating node {name}: {e}"))?;
    }
    Ok(())
}

/// The recorded node's conditions as its kubelet would report them on a node that just
/// registered: every heartbeat and transition now.
fn refresh_node_conditions(node: &mut Value) {
    let now = format_time(jiff::Timestamp::now());
    if let Some(conditions) = node["status"]["conditions"].as_array_mut() {
        for condition in conditions {
            condition["lastHeartbeatTime"] = json!(now);
            condition["lastTransitionTime"] = json!(now);
        }
    }
}

/// The `kubernetes` Service in `default` and its endpoints: the API server itself.
fn create_api_service(shared: &Shared) -> Result<()> {
    let port = json!({"name": "https", "port": 6443, "protocol": "TCP"});
    for doc in [
        json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "kubernetes", "namespace": "default",
                         "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"clusterIP": "10.96.0.1", "type": "ClusterIP",
                     "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]}}),
        json!({"apiVersion": "v1", "kind": "Endpoints",
            "metadata": {"name": "kubernetes", "namespace": "default",
                         "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
            "subsets": [{"addresses": [{"ip": "127.0.0.1"}], "ports": [port.clone()]}]}),
        json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": "kubernetes", "namespace": "default",
                         "labels": {"kubernetes.io/service-name": "kubernetes"}},
            "addressType": "IPv4",
            "endpoints": [{"addresses": ["127.0.0.1"], "conditions": {"ready": true}}],
            "ports": [port]}),
    ] {
        let mut doc = doc;
        let (api_version, kind) = (doc["apiVersion"].clone(), doc["kind"].clone());
        let rt = registry::by_kind(
            &shared.store,
            api_version.as_str().unwrap_or_default(),
            kind.as_str().unwrap_or_default(),
        )
        .context("built-in type")?;
        let name = doc["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        doc["metadata"]["namespace"] = json!("default");
        create_object(
            shared,
            &rt,
            Some("default"),
            doc,
            Some("kube-apiserver"),
            false,
        )
        .map_err(|e| anyhow::anyhow!("creating {kind} {name}: {e}"))?;
    }
    Ok(())
}

pub fn create_namespace(shared: &Shared, name: &str) -> Result<()> {
    create_document(
        shared,
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}),
    )?;
    Ok(())
}

/// Creates a document the way `kubectl apply` creates it: with the last-applied annotation
/// and `kubectl-client-side-apply` as the field manager, so later applies behave as on a real
/// cluster built with kubectl.
pub fn apply_document(shared: &Shared, mut doc: Value) -> Result<Value> {
    let (rt, namespace) = target_of(shared, &doc)?;
    let kind = rt.kind.clone();
    let mut applied = doc.clone();
    if let Some(ns) = &namespace {
        applied["metadata"]["namespace"] = json!(ns);
    }
    if applied["metadata"].get("annotations").is_none() {
        applied["metadata"]["annotations"] = json!({});
    }
    doc["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] =
        json!(format!("{applied}\n"));
    let name = doc["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    create_object(
        shared,
        &rt,
        namespace.as_deref(),
        doc,
        Some("kubectl-client-side-apply"),
        false,
    )
    .map_err(|e| anyhow::anyhow!("applying {kind} {name}: {e}"))
}

/// The cluster the fixtures were recorded from: system objects plus the two shop manifests.
pub fn create_fixture_cluster(shared: &Shared) -> Result<()> {
    create_system(shared)?;
    for manifest in [BASE_MANIFEST, SHOP_MANIFEST] {
        let docs: Vec<Value> =
            serde_saphyr::from_multiple(manifest).context("parsing a fixture manifest")?;
        for doc in docs.into_iter().filter(|d| d.is_object()) {
            apply_document(shared, doc)?;
        }
    }
    Ok(())
}

/// What to generate for a benchmark cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generated {
    pub pods: usize,
    pub namespaces: usize,
    pub crds: usize,
}

/// A large cluster written straight to the store: Running pods shaped like real ones (with
/// managed fields, so their size is realistic), spread over namespaces, and CRDs.
pub fn create_generated_cluster(shared: &Shared, spec: Generated) -> Result<()> {
    create_system(shared)?;
    let namespaces: Vec<String> = (0..spec.namespaces.max(1))
        .map(|i| format!("bench-{i}"))
        .collect();
    for ns in &namespaces {
        create_namespace(shared, ns)?;
    }
    let started = format_time(jiff::Timestamp::now());
    for i in 0..spec.pods {
        let ns = &namespaces[i % namespaces.len()];
        let name = format!("app-{}-{:05}", i % 50, i);
        let pod = generated_pod(ns, &name, i, &started);
        shared
            .store
            .create(&ObjectKey::new("", "pods", ns, &name), pod)
            .map_err(|e| anyhow::anyhow!("creating pod {name}: {e}"))?;
    }
    for i in 0..spec.crds {
        let crd = generated_crd(i);
        let name = crd["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        create_document(shared, crd).with_context(|| format!("creating CRD {name}"))?;
    }
    Ok(())
}

/// A generated pod as large as a real Deployment's pod (about 5.5 KB of JSON, like the recorded
/// `089-get-pod.json`): the controller manager's and the kubelet's managed fields, the service
/// account token volume, default tolerations, a probe, all five conditions and a full container
/// status. No ownerReferences: there is no ReplicaSet to own it, and the garbage collector would
/// collect a pod whose owner is missing.
fn generated_pod(ns: &str, name: &str, i: usize, started: &str) -> Value {
    let node = if i.is_multiple_of(2) {
        "fake-node-1"
    } else {
        "fake-node-2"
    };
    let app = format!("app-{}", i % 50);
    let pod_ip = format!("10.244.{}.{}", (i / 250) % 250, i % 250 + 1);
    let token_volume = format!("kube-api-access-{}", name_suffix(i));
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "generateName": format!("{app}-"),
            "namespace": ns,
            "generation": 1,
            "labels": {"app": app, "pod-template-hash": "5d8f7c9b6d"},
            "managedFields": [
                {
                    "manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1",
                    "time": started, "fieldsType": "FieldsV1",
                    "fieldsV1": generated_pod_spec_fields()
                },
                {
                    "manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": started,
                    "fieldsType": "FieldsV1", "subresource": "status",
                    "fieldsV1": generated_pod_status_fields(&pod_ip)
                }
            ]
        },
        "spec": {
            "volumes": [{"name": token_volume, "projected": {"sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {"downwardAPI": {"items": [{"path": "namespace",
                    "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}
            ], "defaultMode": 420}}],
            "containers": [{
                "name": "main", "image": "registry.example.org/app:1.2.3",
                "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                "env": [
                    {"name": "APP_NAME", "value": app},
                    {"name": "LOG_LEVEL", "valueFrom": {"configMapKeyRef": {"name": "app-config", "key": "log-level"}}}
                ],
                "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                "volumeMounts": [{"name": token_volume, "readOnly": true,
                    "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}],
                "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080, "scheme": "HTTP"},
                    "timeoutSeconds": 1, "periodSeconds": 3, "successThreshold": 1, "failureThreshold": 3},
                "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                "imagePullPolicy": "IfNotPresent"
            }],
            "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
            "serviceAccountName": "default", "serviceAccount": "default",
            "nodeName": node, "securityContext": {}, "schedulerName": "default-scheduler",
            "tolerations": [
                {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
            ],
            "priority": 0, "enableServiceLinks": true, "preemptionPolicy": "PreemptLowerPriority"
        },
        "status": {
            "phase": "Running",
            "conditions": [
                {"type": "PodReadyToStartContainers", "status": "True", "lastProbeTime": null, "lastTransitionTime": started},
                {"type": "Initialized", "status": "True", "lastProbeTime": null, "lastTransitionTime": started},
                {"type": "ContainersReady", "status": "True", "lastProbeTime": null, "lastTransitionTime": started},
                {"type": "Ready", "status": "True", "lastProbeTime": null, "lastTransitionTime": started},
                {"type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": started}
            ],
            "hostIP": "172.18.0.2",
            "hostIPs": [{"ip": "172.18.0.2"}],
            "podIP": pod_ip,
            "podIPs": [{"ip": pod_ip}],
            "startTime": started,
            "containerStatuses": [{
                "name": "main", "state": {"running": {"startedAt": started}}, "lastState": {},
                "ready": true, "restartCount": 0, "image": "registry.example.org/app:1.2.3",
                "imageID": format!("registry.example.org/app@sha256:{:064x}", 0x0123_4567_89ab_cdef_u64),
                "containerID": format!("containerd://{:064x}", i), "started": true
            }],
            "qosClass": "Burstable"
        }
    })
}

/// The fields kube-controller-manager owns in a pod it created from a template.
fn generated_pod_spec_fields() -> Value {
    json!({
        "f:metadata": {"f:generateName": {}, "f:labels": {".": {}, "f:app": {}, "f:pod-template-hash": {}}},
        "f:spec": {
            "f:containers": {"k:{\"name\":\"main\"}": {
                ".": {},
                "f:env": {".": {},
                    "k:{\"name\":\"APP_NAME\"}": {".": {}, "f:name": {}, "f:value": {}},
                    "k:{\"name\":\"LOG_LEVEL\"}": {".": {}, "f:name": {}, "f:valueFrom": {".": {}, "f:configMapKeyRef": {}}}},
                "f:image": {}, "f:imagePullPolicy": {}, "f:name": {},
                "f:ports": {".": {}, "k:{\"containerPort\":8080,\"protocol\":\"TCP\"}": {
                    ".": {}, "f:containerPort": {}, "f:name": {}, "f:protocol": {}}},
                "f:readinessProbe": {".": {}, "f:failureThreshold": {},
                    "f:httpGet": {".": {}, "f:path": {}, "f:port": {}, "f:scheme": {}},
                    "f:periodSeconds": {}, "f:successThreshold": {}, "f:timeoutSeconds": {}},
                "f:resources": {".": {}, "f:requests": {".": {}, "f:cpu": {}, "f:memory": {}}},
                "f:terminationMessagePath": {}, "f:terminationMessagePolicy": {}
            }},
            "f:dnsPolicy": {}, "f:enableServiceLinks": {}, "f:restartPolicy": {}, "f:schedulerName": {},
            "f:securityContext": {}, "f:terminationGracePeriodSeconds": {}
        }
    })
}

/// The status fields the kubelet owns.
fn generated_pod_status_fields(pod_ip: &str) -> Value {
    let condition = |with_reason: bool| {
        let mut fields = json!({".": {}, "f:lastProbeTime": {}, "f:lastTransitionTime": {},
            "f:status": {}, "f:type": {}});
        if with_reason {
            fields["f:message"] = json!({});
            fields["f:reason"] = json!({});
        }
        fields
    };
    json!({"f:status": {
        "f:conditions": {
            "k:{\"type\":\"ContainersReady\"}": condition(true),
            "k:{\"type\":\"Initialized\"}": condition(false),
            "k:{\"type\":\"PodReadyToStartContainers\"}": condition(false),
            "k:{\"type\":\"Ready\"}": condition(true)
        },
        "f:containerStatuses": {}, "f:hostIP": {}, "f:hostIPs": {}, "f:phase": {}, "f:podIP": {},
        "f:podIPs": {".": {}, format!("k:{{\"ip\":\"{pod_ip}\"}}"): {".": {}, "f:ip": {}}},
        "f:startTime": {}
    }})
}

/// Five characters from the API server's random-suffix alphabet, different for every `i`
/// below 27⁵.
fn name_suffix(mut i: usize) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    (0..5)
        .map(|_| {
            let c = ALPHABET[i % ALPHABET.len()];
            i /= ALPHABET.len();
            char::from(c)
        })
        .collect()
}

fn generated_crd(i: usize) -> Value {
    let plural = format!("widgets{i}");
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("{plural}.bench{}.example.org", i % 20)},
        "spec": {
            "group": format!("bench{}.example.org", i % 20),
            "names": {"kind": format!("Widget{i}"), "listKind": format!("Widget{i}List"),
                      "plural": plural, "singular": format!("widget{i}")},
            "scope": "Namespaced",
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{IncludeObject, TableKind};

    fn served_pod(i: usize) -> Value {
        let store = crate::store::Store::new();
        let key = ObjectKey::new("", "pods", "bench-0", &format!("app-0-{i:05}"));
        let pod = generated_pod("bench-0", &key.name, i, "2026-01-01T11:00:00Z");
        (*store.create(&key, pod).expect("create")).clone()
    }

    #[test]
    fn generated_pods_are_as_large_as_real_ones() {
        for i in [0, 7, 19_999] {
            let size = serde_json::to_vec(&served_pod(i)).expect("JSON").len();
            assert!((4_000..=8_000).contains(&size), "pod {i}: {size} bytes");
        }
    }

    #[test]
    fn generated_pods_carry_what_a_real_pod_carries() {
        let real: Value =
            serde_json::from_str(include_str!("../../fixtures/http/089-get-pod.json"))
                .expect("fixture JSON");
        let ours = served_pod(3);
        let keys = |v: &Value| -> Vec<String> {
            v.as_object()
                .map(|m| {
                    let mut keys: Vec<String> = m.keys().cloned().collect();
                    keys.sort();
                    keys
                })
                .unwrap_or_default()
        };
        for path in [
            "/spec",
            "/status",
            "/status/containerStatuses/0",
            "/spec/containers/0",
        ] {
            let (ours, real) = (ours.pointer(path), real.pointer(path));
            assert_eq!(ours.map(keys), real.map(keys), "{path}");
        }
        let condition_types = |pod: &Value| -> Vec<Value> {
            pod["status"]["conditions"]
                .as_array()
                .map(|c| c.iter().map(|c| c["type"].clone()).collect())
                .unwrap_or_default()
        };
        assert_eq!(condition_types(&ours), condition_types(&real));
        let managers: Vec<&str> = ours["metadata"]["managedFields"]
            .as_array()
            .map(|m| m.iter().filter_map(|m| m["manager"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(managers, ["kube-controller-manager", "kubelet"]);
    }

    #[test]
    fn generated_pods_print_as_running_and_ready() {
        let pod = served_pod(3);
        let kind = TableKind {
            group: "",
            resource: "pods",
            printer_columns: None,
        };
        let created: jiff::Timestamp = pod["metadata"]["creationTimestamp"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .expect("the store stamps a creation time");
        let now = created + jiff::SignedDuration::from_mins(60);
        let row = crate::table::row(&kind, &pod, IncludeObject::None, now);
        assert_eq!(
            row["cells"],
            json!([
                "app-0-00003",
                "1/1",
                "Running",
                "0",
                "60m",
                "10.244.0.4",
                "fake-node-2",
                "<none>",
                "<none>"
            ])
        );
    }
}
