//! Printers for the core ("" group) kinds: pods, services, endpoints, config and secrets,
//! events, service accounts, volumes and claims, nodes, namespaces, replication controllers.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::BuiltIn;
use super::columns::{AGE, CONTAINERS, Column, IMAGES, NAME};
use super::duration::age_of;
use super::fields::{
    age, age_at, at, container_cells, format_labels, has_true_condition, integer, is_true, items,
    load_balancer_ingress, map_len, name, opt_integer, or_none, quantity, text, timestamp,
};

pub(super) fn printer(resource: &str) -> Option<BuiltIn> {
    Some(match resource {
        "pods" => BuiltIn {
            conditions: pod_conditions,
            ..BuiltIn::new(POD_COLUMNS, pod_cells)
        },
        "services" => BuiltIn::new(SERVICE_COLUMNS, service_cells),
        "endpoints" => BuiltIn::new(ENDPOINTS_COLUMNS, endpoints_cells),
        "configmaps" => BuiltIn::new(CONFIGMAP_COLUMNS, configmap_cells),
        "secrets" => BuiltIn::new(SECRET_COLUMNS, secret_cells),
        "events" => EVENTS,
        "serviceaccounts" => BuiltIn::new(SERVICEACCOUNT_COLUMNS, serviceaccount_cells),
        "persistentvolumeclaims" => BuiltIn::new(PVC_COLUMNS, pvc_cells),
        "persistentvolumes" => BuiltIn::new(PV_COLUMNS, pv_cells),
        "nodes" => BuiltIn::new(NODE_COLUMNS, node_cells),
        "namespaces" => BuiltIn::new(NAMESPACE_COLUMNS, namespace_cells),
        "replicationcontrollers" => BuiltIn::new(RC_COLUMNS, rc_cells),
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Pods

const POD_COLUMNS: &[Column] = &[
    NAME,
    Column::string("Ready", "The aggregate readiness state of this pod for accepting traffic."),
    Column::string("Status", "The aggregate status of the containers in this pod."),
    Column::string("Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
    AGE,
    Column::string("IP", "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.").wide(),
    Column::string("Node", "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename").wide(),
    Column::string("Nominated Node", "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.").wide(),
    Column::string("Readiness Gates", "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to \"True\" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates").wide(),
];

fn pod_cells(pod: &Value, now: Timestamp) -> Vec<Value> {
    let summary = PodSummary::of(pod);
    vec![
        name(pod),
        format!("{}/{}", summary.ready, summary.total).into(),
        summary.reason.into(),
        summary.restarts.cell(now).into(),
        age(pod, now),
        or_none(pod_ip(pod)),
        or_none(text(pod, "/spec/nodeName")),
        or_none(text(pod, "/status/nominatedNodeName")),
        readiness_gates(pod).into(),
    ]
}

/// Finished pods carry a row condition telling clients they are complete.
fn pod_conditions(pod: &Value) -> Option<Value> {
    let (reason, message) = match text(pod, "/status/phase") {
        "Succeeded" => ("Succeeded", "The pod has completed successfully."),
        "Failed" => ("Failed", "The pod failed."),
        _ => return None,
    };
    Some(json!([{"type": "Completed", "status": "True", "reason": reason, "message": message}]))
}

/// Restarts of a set of containers and when the last of them ended.
#[derive(Default)]
struct Restarts {
    count: i64,
    last: Option<Timestamp>,
}

impl Restarts {
    fn add(&mut self, status: &Value) {
        self.count += integer(status, "/restartCount");
        let finished = timestamp(status, "/lastState/terminated/finishedAt");
        self.last = self.last.max(finished);
    }

    /// "3", or "3 (5m ago)" when the last restart time is known.
    fn cell(&self, now: Timestamp) -> String {
        match self.last {
            Some(last) if self.count != 0 => {
                format!("{} ({} ago)", self.count, age_of(Some(last), now))
            }
            _ => self.count.to_string(),
        }
    }
}

/// The Ready, Status and Restarts of a pod, as kubectl has always summarised them.
struct PodSummary {
    ready: usize,
    total: usize,
    reason: String,
    restarts: Restarts,
}

impl PodSummary {
    fn of(pod: &Value) -> PodSummary {
        let init_specs = items(pod, "/spec/initContainers");
        let sidecars = init_specs.iter().filter(|c| is_sidecar(c)).count();
        let mut summary = PodSummary {
            ready: 0,
            total: items(pod, "/spec/containers").len() + sidecars,
            reason: initial_reason(pod),
            restarts: Restarts::default(),
        };
        let mut sidecar_restarts = Restarts::default();
        let initializing = summary.read_init_statuses(pod, init_specs, &mut sidecar_restarts);
        if !initializing || has_true_condition(pod, "/status/conditions", "Initialized") {
            summary.restarts = sidecar_restarts;
            summary.read_container_statuses(pod);
        }
        summary.apply_deletion(pod);
        summary
    }

    /// Walks the init containers until the first one still initializing; returns whether
    /// there is one (then Status is "Init:…").
    fn read_init_statuses(&mut self, pod: &Value, specs: &[Value], sidecar: &mut Restarts) -> bool {
        for (index, status) in items(pod, "/status/initContainerStatuses")
            .iter()
            .enumerate()
        {
            self.restarts.add(status);
            let is_sidecar = specs
                .iter()
                .find(|spec| text(spec, "/name") == text(status, "/name"))
                .is_some_and(is_sidecar);
            if is_sidecar {
                sidecar.add(status);
            }
            let terminated = at(status, "/state/terminated");
            if terminated.is_some_and(|t| integer(t, "/exitCode") == 0) {
                continue;
            }
            if is_sidecar && is_true(status, "/started") {
                self.ready += usize::from(is_true(status, "/ready"));
                continue;
            }
            let waiting = text(status, "/state/waiting/reason");
            self.reason = match terminated {
                Some(terminated) => terminated_reason(terminated, "Init:"),
                None if !waiting.is_empty() && waiting != "PodInitializing" => {
                    format!("Init:{waiting}")
                }
                None => format!("Init:{index}/{}", specs.len()),
            };
            return true;
        }
        false
    }

    /// The regular containers, last to first: the first one found waiting or terminated (in
    /// that order) gives Status; running and ready ones count as ready.
    fn read_container_statuses(&mut self, pod: &Value) {
        let mut has_running = false;
        for status in items(pod, "/status/containerStatuses").iter().rev() {
            self.restarts.add(status);
            let waiting = text(status, "/state/waiting/reason");
            if !waiting.is_empty() {
                self.reason = waiting.to_string();
            } else if let Some(terminated) = at(status, "/state/terminated") {
                self.reason = terminated_reason(terminated, "");
            } else if is_true(status, "/ready") && at(status, "/state/running").is_some() {
                has_running = true;
                self.ready += 1;
            }
        }
        if self.reason == "Completed" && has_running {
            let ready = has_true_condition(pod, "/status/conditions", "Ready");
            self.reason = if ready { "Running" } else { "NotReady" }.to_string();
        }
    }

    fn apply_deletion(&mut self, pod: &Value) {
        if at(pod, "/metadata/deletionTimestamp").is_none() {
            return;
        }
        if text(pod, "/status/reason") == "NodeLost" {
            self.reason = "Unknown".to_string();
        } else if !matches!(text(pod, "/status/phase"), "Succeeded" | "Failed") {
            self.reason = "Terminating".to_string();
        }
    }
}

/// The phase, or the pod's status reason, or "SchedulingGated".
fn initial_reason(pod: &Value) -> String {
    let gated = items(pod, "/status/conditions").iter().any(|condition| {
        text(condition, "/type") == "PodScheduled"
            && text(condition, "/reason") == "SchedulingGated"
    });
    let reason = match text(pod, "/status/reason") {
        _ if gated => "SchedulingGated",
        "" => text(pod, "/status/phase"),
        reason => reason,
    };
    reason.to_string()
}

/// A terminated container's reason, else "Signal:N" or "ExitCode:N", after `prefix`.
fn terminated_reason(terminated: &Value, prefix: &str) -> String {
    let reason = text(terminated, "/reason");
    if !reason.is_empty() {
        return format!("{prefix}{reason}");
    }
    match integer(terminated, "/signal") {
        0 => format!("{prefix}ExitCode:{}", integer(terminated, "/exitCode")),
        signal => format!("{prefix}Signal:{signal}"),
    }
}

/// An init container with restartPolicy Always runs beside the others (a sidecar).
fn is_sidecar(spec: &Value) -> bool {
    text(spec, "/restartPolicy") == "Always"
}

fn pod_ip(pod: &Value) -> &str {
    match items(pod, "/status/podIPs").first() {
        Some(first) => text(first, "/ip"),
        None => text(pod, "/status/podIP"),
    }
}

/// "<none>", or how many readiness gates have a True condition: "1/2".
fn readiness_gates(pod: &Value) -> String {
    let gates = items(pod, "/spec/readinessGates");
    if gates.is_empty() {
        return "<none>".to_string();
    }
    let conditions = items(pod, "/status/conditions");
    let passed = gates
        .iter()
        .filter(|gate| {
            let kind = text(gate, "/conditionType");
            conditions
                .iter()
                .find(|condition| text(condition, "/type") == kind)
                .is_some_and(|condition| text(condition, "/status") == "True")
        })
        .count();
    format!("{passed}/{}", gates.len())
}

// ---------------------------------------------------------------------------------------------
// Services and endpoints

const SERVICE_COLUMNS: &[Column] = &[
    NAME,
    Column::string("Type", "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. \"ClusterIP\" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is \"None\", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. \"NodePort\" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. \"LoadBalancer\" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. \"ExternalName\" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types"),
    Column::string("Cluster-IP", "clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are \"None\", empty string (\"\"), or a valid IP address. Setting this to \"None\" makes a \"headless service\" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies"),
    Column::string("External-IP", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system."),
    Column::string("Port(s)", "The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies"),
    AGE,
    Column::string("Selector", "Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/").wide(),
];

fn service_cells(service: &Value, now: Timestamp) -> Vec<Value> {
    let cluster_ip = items(service, "/spec/clusterIPs")
        .first()
        .and_then(Value::as_str)
        .unwrap_or("<none>");
    let ports = service_ports(service);
    vec![
        name(service),
        text(service, "/spec/type").into(),
        cluster_ip.into(),
        service_external_ip(service).into(),
        or_none(&ports),
        age(service, now),
        format_labels(at(service, "/spec/selector")).into(),
    ]
}

fn service_external_ip(service: &Value) -> String {
    let external_ips: Vec<&str> = items(service, "/spec/externalIPs")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    match text(service, "/spec/type") {
        "ClusterIP" | "NodePort" if external_ips.is_empty() => "<none>".to_string(),
        "ClusterIP" | "NodePort" => external_ips.join(","),
        "LoadBalancer" => {
            let ingress = load_balancer_ingress(service);
            let mut all: Vec<&str> = ingress.split(',').filter(|ip| !ip.is_empty()).collect();
            all.extend(external_ips);
            if all.is_empty() {
                "<pending>".to_string()
            } else {
                all.join(",")
            }
        }
        "ExternalName" => text(service, "/spec/externalName").to_string(),
        _ => "<unknown>".to_string(),
    }
}

/// "80/TCP" per port, "80:31234/TCP" when it has a node port.
fn service_ports(service: &Value) -> String {
    let ports: Vec<String> = items(service, "/spec/ports")
        .iter()
        .map(|port| {
            let number = integer(port, "/port");
            let protocol = text(port, "/protocol");
            match integer(port, "/nodePort") {
                node_port if node_port > 0 => format!("{number}:{node_port}/{protocol}"),
                _ => format!("{number}/{protocol}"),
            }
        })
        .collect();
    ports.join(",")
}

const ENDPOINTS_COLUMNS: &[Column] = &[
    NAME,
    Column::string(
        "Endpoints",
        "The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.",
    ),
    AGE,
];

fn endpoints_cells(endpoints: &Value, now: Timestamp) -> Vec<Value> {
    vec![
        name(endpoints),
        format_endpoints(endpoints).into(),
        age(endpoints, now),
    ]
}

/// Up to three "ip:port" (or bare ip for port-less subsets), then " + N more...".
fn format_endpoints(endpoints: &Value) -> String {
    let subsets = items(endpoints, "/subsets");
    if subsets.is_empty() {
        return "<none>".to_string();
    }
    let mut all = Vec::new();
    for subset in subsets {
        let addresses = items(subset, "/addresses");
        let ports = items(subset, "/ports");
        if ports.is_empty() {
            all.extend(addresses.iter().map(|a| text(a, "/ip").to_string()));
            continue;
        }
        for port in ports {
            let number = integer(port, "/port");
            all.extend(
                addresses
                    .iter()
                    .map(|a| join_host_port(text(a, "/ip"), number)),
            );
        }
    }
    super::fields::list_with_more(&all, 3)
}

/// Go's net.JoinHostPort: IPv6 hosts in brackets.
fn join_host_port(host: &str, port: i64) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

// ---------------------------------------------------------------------------------------------
// Configuration

const CONFIGMAP_COLUMNS: &[Column] = &[
    NAME,
    Column::string(
        "Data",
        "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
    ),
    AGE,
];

fn configmap_cells(configmap: &Value, now: Timestamp) -> Vec<Value> {
    let count = map_len(configmap, "/data") + map_len(configmap, "/binaryData");
    vec![name(configmap), count.into(), age(configmap, now)]
}

const SECRET_COLUMNS: &[Column] = &[
    NAME,
    Column::string(
        "Type",
        "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types",
    ),
    Column::string(
        "Data",
        "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
    ),
    AGE,
];

fn secret_cells(secret: &Value, now: Timestamp) -> Vec<Value> {
    vec![
        name(secret),
        text(secret, "/type").into(),
        map_len(secret, "/data").into(),
        age(secret, now),
    ]
}

const SERVICEACCOUNT_COLUMNS: &[Column] = &[
    NAME,
    Column::string(
        "Secrets",
        "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a \"kubernetes.io/enforce-mountable-secrets\" annotation set to \"true\". The \"kubernetes.io/enforce-mountable-secrets\" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret",
    ),
    AGE,
];

fn serviceaccount_cells(account: &Value, now: Timestamp) -> Vec<Value> {
    vec![
        name(account),
        items(account, "/secrets").len().into(),
        age(account, now),
    ]
}

// ---------------------------------------------------------------------------------------------
// Events (core/v1 and events.k8s.io/v1 share the printer; the latter renames some fields)

const EVENT_COLUMNS: &[Column] = &[
    Column::string("Last Seen", "The time at which the most recent occurrence of this event was recorded."),
    Column::string("Type", "Type of this event (Normal, Warning), new types could be added in the future"),
    Column::string("Reason", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    Column::string("Object", "The object that this event is about."),
    Column::string("Subobject", "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: \"spec.containers{name}\" (where \"name\" refers to the name of the container that triggered the event) or if no container name is specified \"spec.containers[2]\" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.").wide(),
    Column::string("Source", "The component reporting this event. Should be a short machine understandable string.").wide(),
    Column::string("Message", "A human-readable description of the status of this operation."),
    Column::string("First Seen", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)").wide(),
    Column::string("Count", "The number of times this event has occurred.").wide(),
    Column::string("Name", "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names").format("name").wide(),
];

pub(super) const EVENTS: BuiltIn = BuiltIn::new(EVENT_COLUMNS, event_cells);

/// The first of `pointers` that is set, as a string.
fn first_text<'a>(event: &'a Value, pointers: &[&str]) -> &'a str {
    pointers
        .iter()
        .map(|pointer| text(event, pointer))
        .find(|value| !value.is_empty())
        .unwrap_or_default()
}

fn first_time(event: &Value, pointers: &[&str]) -> Option<Timestamp> {
    pointers
        .iter()
        .find_map(|pointer| timestamp(event, pointer))
}

fn event_cells(event: &Value, now: Timestamp) -> Vec<Value> {
    let first_seen = match first_time(event, &["/firstTimestamp", "/deprecatedFirstTimestamp"]) {
        Some(first) => age_of(Some(first), now),
        None => age_at(event, "/eventTime", now),
    };
    let mut last_seen = match first_time(event, &["/lastTimestamp", "/deprecatedLastTimestamp"]) {
        Some(last) => age_of(Some(last), now),
        None => first_seen.clone(),
    };
    let mut count = opt_integer(event, "/count")
        .or_else(|| opt_integer(event, "/deprecatedCount"))
        .unwrap_or_default();
    if let Some(series) = at(event, "/series") {
        last_seen = age_at(series, "/lastObservedTime", now);
        count = integer(series, "/count");
    } else if count == 0 {
        count = 1;
    }
    let regarding = at(event, "/involvedObject")
        .or_else(|| at(event, "/regarding"))
        .unwrap_or(&Value::Null);
    let kind = text(regarding, "/kind").to_lowercase();
    let target = match text(regarding, "/name") {
        "" => kind,
        object => format!("{kind}/{object}"),
    };
    vec![
        last_seen.into(),
        text(event, "/type").into(),
        text(event, "/reason").into(),
        target.into(),
        text(regarding, "/fieldPath").into(),
        event_source(event).into(),
        first_text(event, &["/message", "/note"]).trim().into(),
        first_seen.into(),
        count.into(),
        name(event),
    ]
}

/// "component, host", from the legacy source or the reporting controller and instance.
fn event_source(event: &Value) -> String {
    let component = first_text(
        event,
        &[
            "/source/component",
            "/deprecatedSource/component",
            "/reportingComponent",
            "/reportingController",
        ],
    );
    let instance = first_text(
        event,
        &[
            "/source/host",
            "/deprecatedSource/host",
            "/reportingInstance",
        ],
    );
    if instance.is_empty() {
        component.to_string()
    } else {
        format!("{component}, {instance}")
    }
}

// ---------------------------------------------------------------------------------------------
// Storage

const PVC_COLUMNS: &[Column] = &[
    NAME,
    Column::string("Status", "phase represents the current phase of PersistentVolumeClaim."),
    Column::string("Volume", "volumeName is the binding reference to the PersistentVolume backing this claim."),
    Column::string("Capacity", "capacity represents the actual resources of the underlying volume."),
    Column::string("Access Modes", "accessModes contains the actual access modes the volume backing the PVC has. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1"),
    Column::string("StorageClass", "StorageClass of the pvc"),
    Column::string("VolumeAttributesClass", "VolumeAttributesClass of the pvc"),
    AGE,
    Column::string("VolumeMode", "volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.").wide(),
];

fn pvc_cells(claim: &Value, now: Timestamp) -> Vec<Value> {
    let volume = text(claim, "/spec/volumeName");
    let (capacity, access_modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        (
            quantity(at(claim, "/status/capacity/storage")),
            access_modes(items(claim, "/status/accessModes")),
        )
    };
    vec![
        name(claim),
        terminating_or(claim, text(claim, "/status/phase")).into(),
        volume.into(),
        capacity.into(),
        access_modes.into(),
        storage_class(claim).into(),
        unset_or(text(claim, "/spec/volumeAttributesClassName")).into(),
        age(claim, now),
        unset_or(text(claim, "/spec/volumeMode")).into(),
    ]
}

const PV_COLUMNS: &[Column] = &[
    NAME,
    Column::string("Capacity", "capacity is the description of the persistent volume's resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity"),
    Column::string("Access Modes", "accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes"),
    Column::string("Reclaim Policy", "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be supported by the volume plugin underlying this PersistentVolume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming"),
    Column::string("Status", "phase indicates if a volume is available, bound to a claim, or released by a claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase"),
    Column::string("Claim", "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding"),
    Column::string("StorageClass", "StorageClass of the pv"),
    Column::string("VolumeAttributesClass", "VolumeAttributesClass of the pv"),
    Column::string("Reason", "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI."),
    AGE,
    Column::string("VolumeMode", "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec.").wide(),
];

fn pv_cells(volume: &Value, now: Timestamp) -> Vec<Value> {
    let claim = match at(volume, "/spec/claimRef") {
        Some(claim) => format!("{}/{}", text(claim, "/namespace"), text(claim, "/name")),
        None => String::new(),
    };
    vec![
        name(volume),
        quantity(at(volume, "/spec/capacity/storage")).into(),
        access_modes(items(volume, "/spec/accessModes")).into(),
        text(volume, "/spec/persistentVolumeReclaimPolicy").into(),
        terminating_or(volume, text(volume, "/status/phase")).into(),
        claim.into(),
        storage_class(volume).into(),
        unset_or(text(volume, "/spec/volumeAttributesClassName")).into(),
        text(volume, "/status/reason").into(),
        age(volume, now),
        unset_or(text(volume, "/spec/volumeMode")).into(),
    ]
}

/// "RWO,ROX,RWX,RWOP" in that order, each at most once.
fn access_modes(modes: &[Value]) -> String {
    let has = |mode: &str| modes.iter().any(|m| m.as_str() == Some(mode));
    let known = [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    ];
    let short: Vec<&str> = known
        .iter()
        .filter(|(mode, _)| has(mode))
        .map(|(_, short)| *short)
        .collect();
    short.join(",")
}

/// The beta storage-class annotation wins over spec.storageClassName.
fn storage_class(object: &Value) -> &str {
    let annotations = at(object, "/metadata/annotations");
    match annotations.and_then(|a| a.get("volume.beta.kubernetes.io/storage-class")) {
        Some(class) => class.as_str().unwrap_or_default(),
        None => text(object, "/spec/storageClassName"),
    }
}

fn terminating_or<'a>(object: &Value, phase: &'a str) -> &'a str {
    if at(object, "/metadata/deletionTimestamp").is_some() {
        "Terminating"
    } else {
        phase
    }
}

fn unset_or(value: &str) -> &str {
    if value.is_empty() { "<unset>" } else { value }
}

// ---------------------------------------------------------------------------------------------
// Cluster

const NODE_COLUMNS: &[Column] = &[
    NAME,
    Column::string("Status", "The status of the node"),
    Column::string("Roles", "The roles of the node"),
    AGE,
    Column::string("Version", "Kubelet Version reported by the node."),
    Column::string("Internal-IP", "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).").wide(),
    Column::string("External-IP", "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).").wide(),
    Column::string("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).").wide(),
    Column::string("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).").wide(),
    Column::string("Container-Runtime", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).").wide(),
];

fn node_cells(node: &Value, now: Timestamp) -> Vec<Value> {
    let info = at(node, "/status/nodeInfo").unwrap_or(&Value::Null);
    let reported = |pointer: &str| match text(info, pointer) {
        "" => "<unknown>".to_string(),
        value => value.to_string(),
    };
    vec![
        name(node),
        node_status(node).into(),
        node_roles(node).into(),
        age(node, now),
        text(info, "/kubeletVersion").into(),
        node_address(node, "InternalIP").into(),
        node_address(node, "ExternalIP").into(),
        reported("/osImage").into(),
        reported("/kernelVersion").into(),
        reported("/containerRuntimeVersion").into(),
    ]
}

/// "Ready", "NotReady" or "Unknown", plus ",SchedulingDisabled" when cordoned.
fn node_status(node: &Value) -> String {
    let ready = items(node, "/status/conditions")
        .iter()
        .rev()
        .find(|condition| text(condition, "/type") == "Ready");
    let mut status = match ready {
        Some(condition) if text(condition, "/status") == "True" => "Ready",
        Some(_) => "NotReady",
        None => "Unknown",
    }
    .to_string();
    if is_true(node, "/spec/unschedulable") {
        status.push_str(",SchedulingDisabled");
    }
    status
}

/// Roles from node-role.kubernetes.io/<role> labels and the kubernetes.io/role label.
fn node_roles(node: &Value) -> String {
    let labels = at(node, "/metadata/labels").and_then(Value::as_object);
    let mut roles: Vec<&str> = labels
        .into_iter()
        .flatten()
        .filter_map(
            |(key, value)| match key.strip_prefix("node-role.kubernetes.io/") {
                Some(role) => Some(role),
                None if key == "kubernetes.io/role" => value.as_str(),
                None => None,
            },
        )
        .filter(|role| !role.is_empty())
        .collect();
    roles.sort_unstable();
    roles.dedup();
    if roles.is_empty() {
        "<none>".to_string()
    } else {
        roles.join(",")
    }
}

fn node_address<'a>(node: &'a Value, kind: &str) -> &'a str {
    items(node, "/status/addresses")
        .iter()
        .find(|address| text(address, "/type") == kind)
        .map_or("<none>", |address| text(address, "/address"))
}

const NAMESPACE_COLUMNS: &[Column] = &[
    NAME,
    Column::string("Status", "The status of the namespace"),
    AGE,
];

fn namespace_cells(namespace: &Value, now: Timestamp) -> Vec<Value> {
    vec![
        name(namespace),
        text(namespace, "/status/phase").into(),
        age(namespace, now),
    ]
}

// ---------------------------------------------------------------------------------------------
// Replication controllers

const RC_COLUMNS: &[Column] = &[
    NAME,
    Column::integer("Desired", "Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller"),
    Column::integer("Current", "Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller"),
    Column::integer("Ready", "The number of ready replicas for this replication controller."),
    AGE,
    CONTAINERS,
    IMAGES,
    Column::string("Selector", "Selector is a label query over pods that should match the Replicas count. If Selector is empty, it is defaulted to the labels present on the Pod template. Label keys and values that must match in order to be controlled by this replication controller, if empty defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors").wide(),
];

fn rc_cells(controller: &Value, now: Timestamp) -> Vec<Value> {
    let template = at(controller, "/spec/template").unwrap_or(&Value::Null);
    let [containers, images] = container_cells(template);
    vec![
        name(controller),
        opt_integer(controller, "/spec/replicas")
            .unwrap_or(1)
            .into(),
        integer(controller, "/status/replicas").into(),
        integer(controller, "/status/readyReplicas").into(),
        age(controller, now),
        containers,
        images,
        format_labels(at(controller, "/spec/selector")).into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-01-01T12:00:00Z".parse().unwrap()
    }

    fn pod(spec: Value, status: Value) -> Value {
        json!({
            "metadata": {"name": "p", "creationTimestamp": "2026-01-01T11:00:00Z"},
            "spec": spec,
            "status": status,
        })
    }

    /// Ready, Status and Restarts cells.
    fn summary(pod: &Value) -> (String, String, String) {
        let cells = pod_cells(pod, now());
        let text = |i: usize| cells[i].as_str().unwrap_or_default().to_string();
        (text(1), text(2), text(3))
    }

    fn strings(ready: &str, status: &str, restarts: &str) -> (String, String, String) {
        (ready.into(), status.into(), restarts.into())
    }

    #[test]
    fn crash_loop_with_restarts_and_last_restart_time() {
        let pod = pod(
            json!({"containers": [{"name": "app"}]}),
            json!({"phase": "Running", "containerStatuses": [{
                "name": "app", "ready": false, "restartCount": 4,
                "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
                                             "finishedAt": "2026-01-01T11:55:00Z"}}
            }]}),
        );
        assert_eq!(
            summary(&pod),
            strings("0/1", "CrashLoopBackOff", "4 (5m ago)")
        );
    }

    #[test]
    fn terminating_while_deleting() {
        let mut pod = pod(
            json!({"containers": [{"name": "app"}]}),
            json!({"phase": "Running", "containerStatuses": [{
                "name": "app", "ready": true, "restartCount": 0, "state": {"running": {}}
            }]}),
        );
        pod["metadata"]["deletionTimestamp"] = json!("2026-01-01T11:59:00Z");
        assert_eq!(summary(&pod), strings("1/1", "Terminating", "0"));
    }

    #[test]
    fn init_containers_progress() {
        let pod = pod(
            json!({"initContainers": [{"name": "setup"}], "containers": [{"name": "app"}]}),
            json!({"phase": "Pending",
                "initContainerStatuses": [{"name": "setup", "restartCount": 0,
                    "state": {"running": {}}}],
                "containerStatuses": [{"name": "app", "restartCount": 0,
                    "state": {"waiting": {"reason": "PodInitializing"}}}]}),
        );
        assert_eq!(summary(&pod), strings("0/1", "Init:0/1", "0"));
    }

    #[test]
    fn failed_init_container() {
        let pod = pod(
            json!({"initContainers": [{"name": "setup"}], "containers": [{"name": "app"}]}),
            json!({"phase": "Pending", "initContainerStatuses": [{"name": "setup",
                "restartCount": 2,
                "state": {"terminated": {"exitCode": 3}}}]}),
        );
        assert_eq!(summary(&pod), strings("0/1", "Init:ExitCode:3", "2"));
    }

    #[test]
    fn error_and_oom_killed_with_restarts() {
        let status = |reason: &str| {
            json!({"phase": "Running", "containerStatuses": [{
                "name": "app", "restartCount": 3,
                "state": {"terminated": {"exitCode": 137, "reason": reason}},
                "lastState": {"terminated": {"exitCode": 137,
                                             "finishedAt": "2026-01-01T09:00:00Z"}}
            }]})
        };
        let spec = json!({"containers": [{"name": "app"}]});
        let oom = pod(spec.clone(), status("OOMKilled"));
        assert_eq!(summary(&oom), strings("0/1", "OOMKilled", "3 (3h ago)"));
        let error = pod(spec, status("Error"));
        assert_eq!(summary(&error), strings("0/1", "Error", "3 (3h ago)"));
    }

    #[test]
    fn sidecars_count_towards_ready_and_total() {
        let pod = pod(
            json!({"initContainers": [{"name": "proxy", "restartPolicy": "Always"}],
                   "containers": [{"name": "app"}]}),
            json!({"phase": "Running",
                "conditions": [{"type": "Initialized", "status": "True"}],
                "initContainerStatuses": [{"name": "proxy", "restartCount": 1, "started": true,
                    "ready": true, "state": {"running": {}}}],
                "containerStatuses": [{"name": "app", "restartCount": 0, "ready": true,
                    "state": {"running": {}}}]}),
        );
        assert_eq!(summary(&pod), strings("2/2", "Running", "1"));
    }

    #[test]
    fn completed_with_a_running_container_is_not_ready() {
        let pod = pod(
            json!({"containers": [{"name": "a"}, {"name": "b"}]}),
            json!({"phase": "Running", "containerStatuses": [
                {"name": "a", "ready": true, "state": {"running": {}}},
                {"name": "b", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}
            ]}),
        );
        assert_eq!(summary(&pod), strings("1/2", "NotReady", "0"));
    }

    #[test]
    fn failed_pods_carry_a_completed_condition() {
        let pod = pod(json!({}), json!({"phase": "Failed"}));
        assert_eq!(
            pod_conditions(&pod),
            Some(
                json!([{"type": "Completed", "status": "True", "reason": "Failed",
                         "message": "The pod failed."}])
            )
        );
        assert_eq!(
            pod_conditions(&json!({"status": {"phase": "Running"}})),
            None
        );
    }

    #[test]
    fn wide_cells_and_readiness_gates() {
        let pod = pod(
            json!({"readinessGates": [{"conditionType": "a"}, {"conditionType": "b"}]}),
            json!({"phase": "Pending", "conditions": [{"type": "a", "status": "True"}]}),
        );
        let cells = pod_cells(&pod, now());
        assert_eq!(cells[4], json!("60m"));
        assert_eq!(
            cells[5..],
            [
                json!("<none>"),
                json!("<none>"),
                json!("<none>"),
                json!("1/2")
            ]
        );
    }

    #[test]
    fn load_balancer_services() {
        let service = json!({"spec": {"type": "LoadBalancer", "clusterIPs": ["10.0.0.1"],
            "ports": [{"port": 443, "protocol": "TCP", "nodePort": 30443}]}});
        let cells = service_cells(&service, now());
        assert_eq!(cells[3], json!("<pending>"));
        assert_eq!(cells[4], json!("443:30443/TCP"));
        let mut ready = service.clone();
        ready["status"] =
            json!({"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}, {"hostname": "lb"}]}});
        ready["spec"]["externalIPs"] = json!(["5.6.7.8"]);
        assert_eq!(service_cells(&ready, now())[3], json!("1.2.3.4,lb,5.6.7.8"));
        let headless = json!({"spec": {"type": "ClusterIP", "clusterIPs": ["None"]}});
        assert_eq!(service_cells(&headless, now())[4], json!("<none>"));
    }

    #[test]
    fn endpoints_are_cut_after_three() {
        let endpoints = json!({"subsets": [{
            "addresses": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}, {"ip": "fd00::3"}],
            "ports": [{"port": 80}, {"port": 443}]
        }]});
        assert_eq!(
            format_endpoints(&endpoints),
            "10.0.0.1:80,10.0.0.2:80,[fd00::3]:80 + 3 more..."
        );
        assert_eq!(format_endpoints(&json!({})), "<none>");
    }

    #[test]
    fn node_status_and_roles() {
        let node = json!({
            "metadata": {"labels": {"node-role.kubernetes.io/control-plane": "",
                                    "kubernetes.io/role": "worker"}},
            "spec": {"unschedulable": true},
            "status": {"conditions": [{"type": "Ready", "status": "Unknown"}]}
        });
        assert_eq!(node_status(&node), "NotReady,SchedulingDisabled");
        assert_eq!(node_roles(&node), "control-plane,worker");
        assert_eq!(node_status(&json!({})), "Unknown");
    }

    #[test]
    fn bound_claims_show_capacity_and_modes() {
        let claim = json!({"spec": {"volumeName": "pv1", "storageClassName": "fast",
                                    "volumeMode": "Block"},
            "status": {"phase": "Bound", "capacity": {"storage": "1Gi"},
                       "accessModes": ["ReadWriteMany", "ReadWriteOnce"]}});
        let cells = pvc_cells(&claim, now());
        let expected = [
            "",
            "Bound",
            "pv1",
            "1Gi",
            "RWO,RWX",
            "fast",
            "<unset>",
            "<unknown>",
            "Block",
        ];
        assert_eq!(cells, expected.map(Value::from).to_vec());
    }
}
