//! What the real API server does to an object before storing it: defaulting (the fields a
//! `kubectl get -o yaml` shows that nobody wrote) and validation (422 Invalid answers).
//!
//! The real server defaults on every write; here creation gets every default
//! ([`default_new`]) and writes to existing objects those that fill in what is missing
//! ([`default_update`]).

use base64::Engine;
use serde_json::{Map, Value, json};

use crate::registry::ResourceType;
use crate::selectors::LabelSelector;
use crate::status::ApiError;
use crate::store::{new_uid, now_rfc3339};

/// Fills the defaults the real server stores for new objects of built-in kinds.
pub fn default_new(rt: &ResourceType, object: &mut Value) {
    object["apiVersion"] = json!(rt.api_version());
    object["kind"] = json!(rt.kind);
    if tracks_generation(rt) {
        object["metadata"]["generation"] = json!(1);
    }
    if rt.custom.is_some() || default_workload(rt, object) {
        return;
    }
    match (rt.group.as_str(), rt.resource.as_str()) {
        ("", "namespaces") => {
            let name = object["metadata"]["name"].clone();
            object["metadata"]["labels"]["kubernetes.io/metadata.name"] = name;
            object["spec"] = json!({"finalizers": ["kubernetes"]});
            object["status"] = json!({"phase": "Active"});
        }
        ("", "pods") => {
            default_pod_spec(&mut object["spec"], "Always");
            admit_pod(&mut object["spec"]);
            let qos = qos_class(&object["spec"]);
            object["status"] = json!({"phase": "Pending", "qosClass": qos});
        }
        ("", "persistentvolumeclaims") => {
            default_fields(rt, object);
            add_finalizer(object, "kubernetes.io/pvc-protection");
            object["status"] = json!({"phase": "Pending"});
        }
        ("", "persistentvolumes") => {
            default_fields(rt, object);
            add_finalizer(object, "kubernetes.io/pv-protection");
            object["status"] = json!({"phase": "Available"});
        }
        ("networking.k8s.io", "ingresses") => object["status"] = json!({"loadBalancer": {}}),
        _ => default_fields(rt, object),
    }
}

/// What the real server does to an existing object on every write to it (its decoding
/// defaults and its update strategies): unset fields get their defaults again — so a
/// server-side apply that drops a defaulted field leaves it as it was — and a Namespace keeps
/// its name label and its finalizers (which only the `finalize` subresource changes).
pub fn default_update(rt: &ResourceType, current: &Value, object: &mut Value) {
    if rt.custom.is_some() {
        return;
    }
    default_existing(rt, object);
    match (rt.group.as_str(), rt.resource.as_str()) {
        ("", "namespaces") => {
            let name = object["metadata"]["name"].clone();
            object["metadata"]["labels"]["kubernetes.io/metadata.name"] = name;
            object["spec"]["finalizers"] = current["spec"]["finalizers"].clone();
        }
        ("", "pods") => default_pod_spec(&mut object["spec"], "Always"),
        ("", "services") => {
            // A Service keeps its allocated addresses when a write leaves them out.
            for kept in ["clusterIP", "clusterIPs"] {
                if object["spec"].get(kept).is_none()
                    && let Some(value) = current["spec"].get(kept)
                {
                    object["spec"][kept] = value.clone();
                }
            }
            default_fields(rt, object);
        }
        _ => default_fields(rt, object),
    }
}

/// The defaults of fields that the server fills whenever they are unset.
fn default_fields(rt: &ResourceType, object: &mut Value) {
    match (rt.group.as_str(), rt.resource.as_str()) {
        ("", "secrets") => default_secret(object),
        ("", "services") => default_service(object),
        ("", "persistentvolumeclaims") => {
            set_default(&mut object["spec"], "volumeMode", json!("Filesystem"));
        }
        ("", "persistentvolumes") => {
            set_default(&mut object["spec"], "volumeMode", json!("Filesystem"));
            set_default(
                &mut object["spec"],
                "persistentVolumeReclaimPolicy",
                json!("Retain"),
            );
        }
        ("scheduling.k8s.io", "priorityclasses") => {
            set_default(object, "preemptionPolicy", json!("PreemptLowerPriority"))
        }
        ("storage.k8s.io", "storageclasses") => {
            set_default(object, "reclaimPolicy", json!("Delete"));
            set_default(object, "volumeBindingMode", json!("Immediate"));
        }
        ("networking.k8s.io", "networkpolicies") => {
            let mut types = vec![json!("Ingress")];
            if object["spec"].get("egress").is_some() {
                types.push(json!("Egress"));
            }
            set_default(&mut object["spec"], "policyTypes", json!(types));
        }
        ("batch", "jobs") => default_job(object),
        ("apiextensions.k8s.io", "customresourcedefinitions") => {
            set_default(
                &mut object["spec"],
                "conversion",
                json!({"strategy": "None"}),
            );
        }
        _ => {}
    }
}

/// The defaults of the workload kinds and their pod templates, which only fill in what is
/// missing.
fn default_existing(rt: &ResourceType, object: &mut Value) {
    if rt.custom.is_none() {
        default_workload(rt, object);
    }
}

/// The defaults of the kinds with a pod template; `false` for other kinds.
fn default_workload(rt: &ResourceType, object: &mut Value) -> bool {
    match (rt.group.as_str(), rt.resource.as_str()) {
        ("apps", "deployments") => {
            let spec = &mut object["spec"];
            set_default(spec, "replicas", json!(1));
            set_default(spec, "revisionHistoryLimit", json!(10));
            set_default(spec, "progressDeadlineSeconds", json!(600));
            set_default(
                spec,
                "strategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}),
            );
            default_template(spec, "Always");
        }
        ("apps", "replicasets") => {
            set_default(&mut object["spec"], "replicas", json!(1));
            default_template(&mut object["spec"], "Always");
        }
        ("apps", "statefulsets") => {
            let spec = &mut object["spec"];
            set_default(spec, "replicas", json!(1));
            set_default(spec, "podManagementPolicy", json!("OrderedReady"));
            set_default(
                spec,
                "updateStrategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
            );
            set_default(spec, "revisionHistoryLimit", json!(10));
            set_default(
                spec,
                "persistentVolumeClaimRetentionPolicy",
                json!({"whenDeleted": "Retain", "whenScaled": "Retain"}),
            );
            default_template(spec, "Always");
        }
        ("apps", "daemonsets") => {
            let spec = &mut object["spec"];
            set_default(
                spec,
                "updateStrategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}),
            );
            set_default(spec, "revisionHistoryLimit", json!(10));
            default_template(spec, "Always");
        }
        ("batch", "cronjobs") => {
            let spec = &mut object["spec"];
            set_default(spec, "concurrencyPolicy", json!("Allow"));
            set_default(spec, "suspend", json!(false));
            set_default(spec, "successfulJobsHistoryLimit", json!(3));
            set_default(spec, "failedJobsHistoryLimit", json!(1));
            set_default(
                &mut spec["jobTemplate"]["metadata"],
                "creationTimestamp",
                Value::Null,
            );
            default_template(&mut spec["jobTemplate"]["spec"], "OnFailure");
        }
        _ => return false,
    }
    true
}

/// Defaults and managed fields for an object a built-in controller creates: it goes through the
/// same admission as a client's, recorded as written by `manager`.
pub fn admit(group: &str, resource: &str, object: &mut Value, manager: &str) {
    if let Some(rt) = crate::registry::builtin()
        .iter()
        .find(|t| t.group == group && t.resource == resource)
    {
        default_new(rt, object);
    }
    crate::patch::managed::record_update(None, object, manager, None, &now_rfc3339());
}

/// BestEffort without any requests or limits, Guaranteed when every container's limits equal
/// its requests for cpu and memory, Burstable otherwise.
pub fn qos_class(spec: &Value) -> &'static str {
    let containers: Vec<&Value> = spec["containers"]
        .as_array()
        .map(|c| c.iter().collect())
        .unwrap_or_default();
    let resources = |c: &Value, kind: &str| {
        c["resources"][kind]
            .as_object()
            .cloned()
            .unwrap_or_default()
    };
    let any = containers
        .iter()
        .any(|c| !resources(c, "requests").is_empty() || !resources(c, "limits").is_empty());
    if !any {
        return "BestEffort";
    }
    let guaranteed = containers.iter().all(|c| {
        let limits = resources(c, "limits");
        let requests = resources(c, "requests");
        ["cpu", "memory"].iter().all(|r| {
            limits
                .get(*r)
                .is_some_and(|l| requests.get(*r).is_none_or(|q| q == l))
        })
    });
    if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

/// Kinds whose spec changes move `metadata.generation` (the others have none).
fn tracks_generation(rt: &ResourceType) -> bool {
    if rt.custom.is_some() {
        return true;
    }
    matches!(
        (rt.group.as_str(), rt.resource.as_str()),
        ("", "pods")
            | (
                "apps",
                "deployments" | "replicasets" | "statefulsets" | "daemonsets"
            )
            | ("batch", _)
            | (
                "networking.k8s.io",
                "ingresses" | "networkpolicies" | "ingressclasses"
            )
            | ("discovery.k8s.io", "endpointslices")
            | ("policy", "poddisruptionbudgets")
            | ("apiextensions.k8s.io", "customresourcedefinitions")
            | ("admissionregistration.k8s.io", _)
    )
}

/// What the ServiceAccount, DefaultTolerationSeconds and Priority admission plugins add to
/// a new pod: the service account, its token volume, and the default tolerations.
fn admit_pod(spec: &mut Value) {
    if !spec.is_object() {
        return;
    }
    set_default(spec, "serviceAccountName", json!("default"));
    let account = spec["serviceAccountName"].clone();
    set_default(spec, "serviceAccount", account);
    let volume = format!("kube-api-access-{}", crate::api::random_suffix());
    let mut volumes = spec["volumes"].as_array().cloned().unwrap_or_default();
    volumes.push(json!({"name": volume, "projected": {"sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace",
            "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}
    ], "defaultMode": 420}}));
    spec["volumes"] = json!(volumes);
    for list in ["initContainers", "containers"] {
        if let Some(containers) = spec.get_mut(list).and_then(Value::as_array_mut) {
            for container in containers {
                let mut mounts = container["volumeMounts"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                mounts.push(json!({"name": volume, "readOnly": true,
                    "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}));
                container["volumeMounts"] = json!(mounts);
            }
        }
    }
    let mut tolerations = spec["tolerations"].as_array().cloned().unwrap_or_default();
    for key in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        if !tolerations.iter().any(|t| t["key"] == key) {
            tolerations.push(json!({"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}));
        }
    }
    spec["tolerations"] = json!(tolerations);
    set_default(spec, "priority", json!(0));
    set_default(spec, "enableServiceLinks", json!(true));
    set_default(spec, "preemptionPolicy", json!("PreemptLowerPriority"));
}

fn add_finalizer(object: &mut Value, finalizer: &str) {
    let mut finalizers = object["metadata"]["finalizers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if !finalizers.iter().any(|f| f == finalizer) {
        finalizers.push(json!(finalizer));
    }
    object["metadata"]["finalizers"] = json!(finalizers);
}

fn set_default(target: &mut Value, key: &str, value: Value) {
    if !target.is_object() {
        *target = json!({});
    }
    if target.get(key).is_none_or(Value::is_null) {
        target[key] = value;
    }
}

fn default_template(spec: &mut Value, restart_policy: &str) {
    if spec.get("template").is_none() {
        return;
    }
    let template = &mut spec["template"];
    set_default(&mut template["metadata"], "creationTimestamp", Value::Null);
    default_pod_spec(&mut template["spec"], restart_policy);
}

fn default_pod_spec(spec: &mut Value, restart_policy: &str) {
    if !spec.is_object() {
        return;
    }
    for list in ["initContainers", "containers"] {
        if let Some(containers) = spec.get_mut(list).and_then(Value::as_array_mut) {
            containers.iter_mut().for_each(default_container);
        }
    }
    set_default(spec, "restartPolicy", json!(restart_policy));
    set_default(spec, "terminationGracePeriodSeconds", json!(30));
    set_default(spec, "dnsPolicy", json!("ClusterFirst"));
    set_default(spec, "securityContext", json!({}));
    set_default(spec, "schedulerName", json!("default-scheduler"));
}

fn default_container(container: &mut Value) {
    let image = container["image"].as_str().unwrap_or_default();
    let tag = image
        .rsplit_once(':')
        .map(|(_, t)| t)
        .filter(|t| !t.contains('/'));
    let pull = if tag.is_none_or(|t| t == "latest") {
        "Always"
    } else {
        "IfNotPresent"
    };
    if let Some(ports) = container.get_mut("ports").and_then(Value::as_array_mut) {
        for port in ports {
            set_default(port, "protocol", json!("TCP"));
        }
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(probe) = container.get_mut(probe).filter(|p| p.is_object()) {
            if probe.get("httpGet").is_some() {
                set_default(&mut probe["httpGet"], "scheme", json!("HTTP"));
            }
            set_default(probe, "timeoutSeconds", json!(1));
            set_default(probe, "periodSeconds", json!(10));
            set_default(probe, "successThreshold", json!(1));
            set_default(probe, "failureThreshold", json!(3));
        }
    }
    set_default(container, "resources", json!({}));
    set_default(
        container,
        "terminationMessagePath",
        json!("/dev/termination-log"),
    );
    set_default(container, "terminationMessagePolicy", json!("File"));
    set_default(container, "imagePullPolicy", json!(pull));
}

fn default_secret(object: &mut Value) {
    set_default(object, "type", json!("Opaque"));
    let Some(string_data) = object
        .as_object_mut()
        .and_then(|o| o.remove("stringData"))
        .and_then(|v| v.as_object().cloned())
    else {
        return;
    };
    if !object.get("data").is_some_and(Value::is_object) {
        object["data"] = json!({});
    }
    for (key, value) in string_data {
        let text = value.as_str().unwrap_or_default();
        object["data"][key] = json!(base64::engine::general_purpose::STANDARD.encode(text));
    }
}

fn default_service(object: &mut Value) {
    let spec = &mut object["spec"];
    set_default(spec, "type", json!("ClusterIP"));
    let service_type = spec["type"].as_str().unwrap_or("ClusterIP").to_string();
    if service_type != "ExternalName" {
        let ip = format!("10.96.{}.{}", fastrand::u8(0..=255), fastrand::u8(1..=254));
        set_default(spec, "clusterIP", json!(ip));
        let cluster_ip = spec["clusterIP"].clone();
        set_default(spec, "clusterIPs", json!([cluster_ip]));
        set_default(spec, "ipFamilies", json!(["IPv4"]));
        set_default(spec, "ipFamilyPolicy", json!("SingleStack"));
        set_default(spec, "internalTrafficPolicy", json!("Cluster"));
    }
    set_default(spec, "sessionAffinity", json!("None"));
    let external = service_type == "NodePort" || service_type == "LoadBalancer";
    if external {
        set_default(spec, "externalTrafficPolicy", json!("Cluster"));
    }
    if let Some(ports) = spec.get_mut("ports").and_then(Value::as_array_mut) {
        for port in ports {
            set_default(port, "protocol", json!("TCP"));
            let number = port["port"].clone();
            set_default(port, "targetPort", number);
            if external {
                set_default(port, "nodePort", json!(fastrand::u16(30000..=32767)));
            }
        }
    }
    object["status"] = json!({"loadBalancer": {}});
}

fn default_job(object: &mut Value) {
    if object["metadata"]["uid"].as_str().is_none_or(str::is_empty) {
        object["metadata"]["uid"] = json!(new_uid());
    }
    let uid = object["metadata"]["uid"].clone();
    let name = object["metadata"]["name"].clone();
    let spec = &mut object["spec"];
    set_default(spec, "parallelism", json!(1));
    set_default(spec, "completions", json!(1));
    set_default(spec, "backoffLimit", json!(6));
    set_default(spec, "completionMode", json!("NonIndexed"));
    set_default(spec, "suspend", json!(false));
    set_default(spec, "podReplacementPolicy", json!("TerminatingOrFailed"));
    set_default(spec, "manualSelector", json!(false));
    let manual = spec["manualSelector"].as_bool().unwrap_or(false);
    if !manual {
        spec["selector"] = json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}});
        let labels = &mut spec["template"]["metadata"]["labels"];
        for key in ["batch.kubernetes.io/controller-uid", "controller-uid"] {
            labels[key] = uid.clone();
        }
        for key in ["batch.kubernetes.io/job-name", "job-name"] {
            labels[key] = name.clone();
        }
    }
    default_template(spec, "Never");
    let generated = object["spec"]["template"]["metadata"]["labels"].clone();
    if object["metadata"]["labels"]
        .as_object()
        .is_none_or(|l| l.is_empty())
        && !manual
    {
        object["metadata"]["labels"] = generated;
    }
}

/// The status the apiextensions server gives a CRD whose names it accepted.
pub fn establish_crd(object: &mut Value) {
    let names = object["spec"]["names"].clone();
    let mut accepted = names.clone();
    if let Some(kind) = names["kind"].as_str() {
        set_default(&mut accepted, "listKind", json!(format!("{kind}List")));
        set_default(&mut accepted, "singular", json!(kind.to_lowercase()));
    }
    let now = now_rfc3339();
    let stored: Vec<Value> = object["spec"]["versions"]
        .as_array()
        .map(|vs| {
            vs.iter()
                .filter(|v| v["storage"].as_bool().unwrap_or(false))
                .map(|v| v["name"].clone())
                .collect()
        })
        .unwrap_or_default();
    object["status"] = json!({
        "conditions": [
            {"type": "NamesAccepted", "status": "True", "lastTransitionTime": now,
             "reason": "NoConflicts", "message": "no conflicts found"},
            {"type": "Established", "status": "True", "lastTransitionTime": now,
             "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"}
        ],
        "acceptedNames": accepted,
        "storedVersions": stored,
    });
}

const SUBDOMAIN_MESSAGE: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MESSAGE: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns_label)
}

/// Checks an object the way the real server's validation does for the fields kz's users hit;
/// every problem found becomes one cause of a 422.
pub fn validate(rt: &ResourceType, object: &Value) -> Result<(), ApiError> {
    let name = object["metadata"]["name"].as_str().unwrap_or_default();
    let mut causes: Vec<(String, String)> = Vec::new();
    let label_named = matches!(
        (rt.group.as_str(), rt.resource.as_str()),
        ("", "namespaces") | ("", "services")
    );
    if name.is_empty() {
        causes.push((
            "metadata.name".into(),
            "Required value: name or generateName is required".into(),
        ));
    } else if label_named && !is_dns_label(name) {
        causes.push((
            "metadata.name".into(),
            format!("Invalid value: \"{name}\": {LABEL_MESSAGE}"),
        ));
    } else if !label_named && !is_dns_subdomain(name) {
        causes.push((
            "metadata.name".into(),
            format!("Invalid value: \"{name}\": {SUBDOMAIN_MESSAGE}"),
        ));
    }
    if rt.custom.is_none() {
        match (rt.group.as_str(), rt.resource.as_str()) {
            ("apps", "deployments" | "replicasets" | "statefulsets" | "daemonsets") => {
                validate_workload(&object["spec"], &mut causes)
            }
            ("", "pods") => validate_containers(&object["spec"], "spec", &mut causes),
            ("", "configmaps") => validate_data_keys(object, &mut causes),
            _ => {}
        }
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(&rt.group, &rt.kind, name, causes))
    }
}

fn validate_workload(spec: &Value, causes: &mut Vec<(String, String)>) {
    let selector = &spec["selector"];
    if !selector.is_object() {
        causes.push(("spec.selector".into(), "Required value".into()));
    } else {
        let template =
            json!({"metadata": {"labels": spec["template"]["metadata"]["labels"].clone()}});
        if !LabelSelector::from_object(selector).matches(&template) {
            causes.push((
                "spec.template.metadata.labels".into(),
                format!(
                    "Invalid value: {}: `selector` does not match template `labels`",
                    go_map(&spec["template"]["metadata"]["labels"])
                ),
            ));
        }
    }
    if let Some(replicas) = spec["replicas"].as_i64()
        && replicas < 0
    {
        causes.push((
            "spec.replicas".into(),
            format!("Invalid value: {replicas}: must be greater than or equal to 0"),
        ));
    }
    validate_containers(&spec["template"]["spec"], "spec.template.spec", causes);
}

fn validate_containers(pod_spec: &Value, path: &str, causes: &mut Vec<(String, String)>) {
    let containers = pod_spec["containers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if containers.is_empty() {
        causes.push((format!("{path}.containers"), "Required value".into()));
    }
    for (i, container) in containers.iter().enumerate() {
        let name = container["name"].as_str().unwrap_or_default();
        if name.is_empty() {
            causes.push((
                format!("{path}.containers[{i}].name"),
                "Required value".into(),
            ));
        } else if !is_dns_label(name) {
            causes.push((
                format!("{path}.containers[{i}].name"),
                format!("Invalid value: \"{name}\": {LABEL_MESSAGE}"),
            ));
        }
        if container["image"].as_str().is_none_or(str::is_empty) {
            causes.push((
                format!("{path}.containers[{i}].image"),
                "Required value".into(),
            ));
        }
    }
}

fn validate_data_keys(object: &Value, causes: &mut Vec<(String, String)>) {
    let valid = |k: &str| {
        !k.is_empty()
            && k.len() <= 253
            && k.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
    };
    for field in ["data", "binaryData"] {
        if let Some(map) = object[field].as_object() {
            for key in map.keys().filter(|k| !valid(k)) {
                causes.push((
                    format!("{field}[{key}]"),
                    format!("Invalid value: \"{key}\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"),
                ));
            }
        }
    }
}

/// Go's `%#v` of a map[string]string, as validation messages print label maps.
fn go_map(labels: &Value) -> String {
    let empty = Map::new();
    let entries: Vec<String> = labels
        .as_object()
        .unwrap_or(&empty)
        .iter()
        .map(|(k, v)| format!("{k:?}:{:?}", v.as_str().unwrap_or_default()))
        .collect();
    format!("map[string]string{{{}}}", entries.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;

    fn builtin(group: &str, resource: &str) -> ResourceType {
        registry::builtin()
            .iter()
            .find(|t| t.group == group && t.resource == resource)
            .cloned()
            .expect("builtin type")
    }

    fn fixture(name: &str) -> Value {
        let path = format!("{}/../fixtures/http/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json")
    }

    #[test]
    fn invalid_name_matches_the_real_server() {
        let body: Value = serde_json::from_str(
            &std::fs::read_to_string(format!(
                "{}/../fixtures/http/107-create-invalid-configmap.request",
                env!("CARGO_MANIFEST_DIR")
            ))
            .expect("request"),
        )
        .expect("json");
        let err = validate(&builtin("", "configmaps"), &body).unwrap_err();
        assert_eq!(
            err.to_status(),
            fixture("107-create-invalid-configmap.json")
        );
    }

    #[test]
    fn deployment_defaults_match_the_real_server() {
        let manifest = json!({
            "metadata": {"name": "frontend"},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app": "frontend"}},
                "template": {"metadata": {"labels": {"app": "frontend"}},
                    "spec": {"containers": [{"name": "web", "image": "httpd:2.4.62",
                        "ports": [{"name": "web", "containerPort": 8080}],
                        "env": [{"name": "CART_URL", "value": "http://cart"},
                                {"name": "THEME", "valueFrom": {"configMapKeyRef": {"name": "shop-config", "key": "theme"}}}],
                        "resources": {"requests": {"cpu": "50m", "memory": "32Mi"}},
                        "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 3}}]}}
            }
        });
        let mut object = manifest;
        let rt = builtin("apps", "deployments");
        default_new(&rt, &mut object);
        validate(&rt, &object).expect("valid");
        assert_eq!(object["spec"], fixture("088-get-deployment.json")["spec"]);
    }

    #[test]
    fn secrets_encode_string_data() {
        let mut secret =
            json!({"metadata": {"name": "s"}, "stringData": {"apiKey": "not-a-real-key"}});
        default_new(&builtin("", "secrets"), &mut secret);
        assert_eq!(secret["data"]["apiKey"], "bm90LWEtcmVhbC1rZXk=");
        assert_eq!(secret["type"], "Opaque");
        assert!(secret.get("stringData").is_none());
    }

    #[test]
    fn workload_validation_names_each_problem() {
        let bad = json!({"metadata": {"name": "web"}, "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "other"}}, "spec": {"containers": [{"name": "Web"}]}}}});
        let err = validate(&builtin("apps", "deployments"), &bad).unwrap_err();
        assert_eq!(err.code, 422);
        let fields: Vec<&str> = err.details.as_ref().expect("details")["causes"]
            .as_array()
            .expect("causes")
            .iter()
            .filter_map(|c| c["field"].as_str())
            .collect();
        assert_eq!(
            fields,
            vec![
                "spec.template.metadata.labels",
                "spec.template.spec.containers[0].name",
                "spec.template.spec.containers[0].image"
            ]
        );
    }
}
