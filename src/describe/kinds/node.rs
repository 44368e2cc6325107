//! kubectl's Node describer: roles, labels, taints, the node's Lease, conditions, addresses,
//! capacity, system info, the pods on the node with what they request of it, and events —
//! those recorded against the node's uid and those recorded against its name.

use anyhow::Result;
use serde_json::Value;

use super::pod_requests::{ResourceList, add_into, requests_and_limits, resource_list};
use crate::describe::events::describe_events;
use crate::describe::fields::{annotations, labels, since, text};
use crate::describe::quantity::{Quantity, percent};
use crate::describe::{Describer, Fetch, Fetched, PrefixWriter, Settings};
use crate::error::{self, Reason};
use crate::put;

pub struct Node;

/// Where the answers to [`Node::fetches`] are in [`Fetched::related`].
const LEASE: usize = 0;
const PODS: usize = 1;
const EVENTS_BY_NAME: usize = 2;

const ROLE_LABEL_PREFIX: &str = "node-role.kubernetes.io/";
const ROLE_LABEL: &str = "kubernetes.io/role";

impl Describer for Node {
    fn fetches(&self, node: &Value) -> Vec<Fetch> {
        let name = text(&node["metadata"]["name"]);
        vec![
            Fetch::Get {
                resource: "leases.coordination.k8s.io",
                namespace: Some("kube-node-lease".to_string()),
                name: name.to_string(),
            },
            Fetch::List {
                resource: "pods",
                namespace: None,
                label_selector: None,
                field_selector: Some(format!(
                    "spec.nodeName={name},status.phase!=Succeeded,status.phase!=Failed"
                )),
            },
            // The kubelet records events against the node's name as its uid.
            Fetch::List {
                resource: "events",
                namespace: None,
                label_selector: None,
                field_selector: Some(format!(
                    "involvedObject.kind=Node,involvedObject.uid={name},involvedObject.name={name},involvedObject.namespace="
                )),
            },
        ]
    }

    fn describe(
        &self,
        node: &Value,
        fetched: &Fetched,
        settings: &Settings,
        w: &mut PrefixWriter,
    ) -> Result<()> {
        let meta = &node["metadata"];
        let spec = &node["spec"];
        let status = &node["status"];
        put!(w, 0, "Name:\t{}\n", text(&meta["name"]));
        let roles = roles(&meta["labels"]);
        put!(
            w,
            0,
            "Roles:\t{}\n",
            if roles.is_empty() {
                "<none>".to_string()
            } else {
                roles.join(",")
            }
        );
        labels(w, "Labels", &meta["labels"]);
        annotations(w, "Annotations", &meta["annotations"]);
        put!(
            w,
            0,
            "CreationTimestamp:\t{}\n",
            go_time(&meta["creationTimestamp"])
        );
        taints(w, &spec["taints"]);
        put!(
            w,
            0,
            "Unschedulable:\t{}\n",
            spec["unschedulable"].as_bool().unwrap_or(false)
        );
        match fetched.related.get(LEASE) {
            Some(Ok(lease)) => describe_lease(w, lease),
            Some(Err(err)) => put!(w, 0, "Lease:\tFailed to get lease: {}\n", error_text(err)),
            None => {}
        }
        describe_conditions(w, &status["conditions"]);
        w.write(0, "Addresses:\n");
        for address in items(&status["addresses"]) {
            put!(
                w,
                1,
                "{}:\t{}\n",
                text(&address["type"]),
                text(&address["address"])
            );
        }
        for (title, field) in [("Capacity", "capacity"), ("Allocatable", "allocatable")] {
            let list = resource_list(&status[field]);
            if !list.is_empty() {
                put!(w, 0, "{title}:\n");
                for (name, quantity) in &list {
                    put!(w, 0, "  {name}:\t{quantity}\n");
                }
            }
        }
        describe_system_info(w, &status["nodeInfo"]);
        if let Some(cidr) = spec["podCIDR"].as_str().filter(|s| !s.is_empty()) {
            put!(w, 0, "PodCIDR:\t{cidr}\n");
        }
        let cidrs: Vec<&str> = items(&spec["podCIDRs"]).map(text).collect();
        if !cidrs.is_empty() {
            put!(w, 0, "PodCIDRs:\t{}\n", cidrs.join(","));
        }
        if let Some(provider) = spec["providerID"].as_str().filter(|s| !s.is_empty()) {
            put!(w, 0, "ProviderID:\t{provider}\n");
        }
        match fetched.related.get(PODS) {
            Some(Ok(_)) => describe_resources(w, node, fetched.items(PODS), settings.now),
            Some(Err(err)) if error::reason(err) == Some(Reason::Forbidden) => {
                w.write(0, "Pods:\tnot authorized\n");
            }
            // Any other failure fails the description, as kubectl's does.
            Some(Err(err)) => {
                return Err(match error::server_error(err) {
                    Some(server) => server.clone().into(),
                    None => anyhow::anyhow!("{}", error::describe_chain(err)),
                });
            }
            None => w.write(0, "Pods:\tnot authorized\n"),
        }
        // kubectl shows the events even when neither request could be answered (then none).
        if let Some(by_uid) = &fetched.events {
            let mut events: Vec<Value> = match by_uid {
                Ok(events) => events.clone(),
                Err(_) => Vec::new(),
            };
            events.extend(fetched.items(EVENTS_BY_NAME).iter().cloned());
            describe_events(&events, settings.now, w);
        }
        Ok(())
    }
}

fn items(value: &Value) -> impl Iterator<Item = &Value> {
    value.as_array().into_iter().flatten()
}

/// An error as Go's `err.Error()` reads: the server's message when the server answered.
fn error_text(err: &anyhow::Error) -> String {
    match error::server_error(err) {
        Some(server) => server.status.message.clone(),
        None => error::describe_chain(err),
    }
}

/// A `metav1.Time` in RFC 1123 form; a missing one is Go's zero time.
fn go_time(value: &Value) -> String {
    if value.is_null() {
        "Mon, 01 Jan 0001 00:00:00 +0000".to_string()
    } else {
        crate::describe::fields::rfc1123z(value)
    }
}

/// kubectl's `findNodeRoles`: `node-role.kubernetes.io/ROLE` labels and the value of
/// `kubernetes.io/role`, sorted, once each.
fn roles(labels: &Value) -> Vec<String> {
    let mut roles: Vec<String> = labels
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(key, value)| match key.strip_prefix(ROLE_LABEL_PREFIX) {
            Some(role) if !role.is_empty() => Some(role.to_string()),
            Some(_) => None,
            None if key == ROLE_LABEL => Some(text(value).to_string()).filter(|v| !v.is_empty()),
            None => None,
        })
        .collect();
    roles.sort();
    roles.dedup();
    roles
}

/// `Taints:  key=value:Effect`, one a line, sorted by effect then key.
fn taints(w: &mut PrefixWriter, taints: &Value) {
    w.write(0, "Taints:\t");
    let mut taints: Vec<&Value> = items(taints).collect();
    if taints.is_empty() {
        w.line("<none>");
        return;
    }
    taints.sort_by_key(|t| format!("{},{}", text(&t["effect"]), text(&t["key"])));
    for (i, taint) in taints.iter().enumerate() {
        if i != 0 {
            w.write(0, "\t");
        }
        put!(w, 0, "{}\n", taint_text(taint));
    }
}

/// A taint as `Taint.ToString` writes it.
fn taint_text(taint: &Value) -> String {
    let (key, value, effect) = (
        text(&taint["key"]),
        text(&taint["value"]),
        text(&taint["effect"]),
    );
    match (value.is_empty(), effect.is_empty()) {
        (true, true) => key.to_string(),
        (false, true) => format!("{key}={value}:"),
        (true, false) => format!("{key}:{effect}"),
        (false, false) => format!("{key}={value}:{effect}"),
    }
}

fn describe_lease(w: &mut PrefixWriter, lease: &Value) {
    let spec = &lease["spec"];
    let or_unset = |value: String| {
        if value.is_empty() {
            "<unset>".to_string()
        } else {
            value
        }
    };
    w.write(0, "Lease:\n");
    let holder = spec["holderIdentity"]
        .as_str()
        .map(String::from)
        .unwrap_or_default();
    put!(
        w,
        1,
        "HolderIdentity:\t{}\n",
        if spec["holderIdentity"].is_null() {
            "<unset>".to_string()
        } else {
            holder
        }
    );
    let time = |field: &str| match &spec[field] {
        Value::Null => String::new(),
        value => go_time(value),
    };
    put!(w, 1, "AcquireTime:\t{}\n", or_unset(time("acquireTime")));
    put!(w, 1, "RenewTime:\t{}\n", or_unset(time("renewTime")));
}

fn describe_conditions(w: &mut PrefixWriter, conditions: &Value) {
    let conditions: Vec<&Value> = items(conditions).collect();
    if conditions.is_empty() {
        return;
    }
    w.write(
        0,
        "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n",
    );
    w.write(
        1,
        "----\t------\t-----------------\t------------------\t------\t-------\n",
    );
    for c in conditions {
        put!(
            w,
            1,
            "{} \t{} \t{} \t{} \t{} \t{}\n",
            text(&c["type"]),
            text(&c["status"]),
            go_time(&c["lastHeartbeatTime"]),
            go_time(&c["lastTransitionTime"]),
            text(&c["reason"]),
            text(&c["message"])
        );
    }
}

fn describe_system_info(w: &mut PrefixWriter, info: &Value) {
    w.write(0, "System Info:\n");
    for (title, field) in [
        ("Machine ID", "machineID"),
        ("System UUID", "systemUUID"),
        ("Boot ID", "bootID"),
        ("Kernel Version", "kernelVersion"),
        ("OS Image", "osImage"),
        ("Operating System", "operatingSystem"),
        ("Architecture", "architecture"),
        ("Container Runtime Version", "containerRuntimeVersion"),
        ("Kubelet Version", "kubeletVersion"),
        ("Kube-Proxy Version", "kubeProxyVersion"),
    ] {
        put!(w, 0, "  {title}:\t{}\n", text(&info[field]));
    }
}

/// `part` as a percentage of `whole`, 0 when there is no whole (kubectl's totals).
fn share(part: i128, whole: i128) -> i64 {
    if whole == 0 { 0 } else { percent(part, whole) }
}

/// kubectl's `describeNodeResource`: the pods table and the Allocated resources table.
fn describe_resources(w: &mut PrefixWriter, node: &Value, pods: &[Value], now: jiff::Timestamp) {
    let status = &node["status"];
    let allocatable = match resource_list(&status["allocatable"]) {
        list if list.is_empty() => resource_list(&status["capacity"]),
        list => list,
    };
    let of = |list: &ResourceList, name: &str| list.get(name).copied().unwrap_or_default();
    let cpu = of(&allocatable, "cpu").milli_value();
    let memory = of(&allocatable, "memory").value();
    put!(w, 0, "Non-terminated Pods:\t({} in total)\n", pods.len());
    w.write(
        1,
        "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n",
    );
    w.write(
        1,
        "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n",
    );
    let mut requests = ResourceList::new();
    let mut limits = ResourceList::new();
    for pod in pods {
        let (pod_requests, pod_limits) = requests_and_limits(pod);
        let (cpu_req, cpu_lim) = (of(&pod_requests, "cpu"), of(&pod_limits, "cpu"));
        let (mem_req, mem_lim) = (of(&pod_requests, "memory"), of(&pod_limits, "memory"));
        put!(
            w,
            1,
            "{}\t{}\t\t{cpu_req} ({}%)\t{cpu_lim} ({}%)\t{mem_req} ({}%)\t{mem_lim} ({}%)\t{}\n",
            text(&pod["metadata"]["namespace"]),
            text(&pod["metadata"]["name"]),
            percent(cpu_req.milli_value(), cpu),
            percent(cpu_lim.milli_value(), cpu),
            percent(mem_req.value(), memory),
            percent(mem_lim.value(), memory),
            since(&pod["metadata"]["creationTimestamp"], now)
        );
        add_into(&mut requests, &pod_requests);
        add_into(&mut limits, &pod_limits);
    }
    w.write(
        0,
        "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n",
    );
    w.write(1, "Resource\tRequests\tLimits\n");
    w.write(1, "--------\t--------\t------\n");
    let row = |w: &mut PrefixWriter, name: &str, whole: i128, value: fn(&Quantity) -> i128| {
        let (req, lim) = (of(&requests, name), of(&limits, name));
        put!(
            w,
            1,
            "{name}\t{req} ({}%)\t{lim} ({}%)\n",
            share(value(&req), whole),
            share(value(&lim), whole)
        );
    };
    row(w, "cpu", cpu, Quantity::milli_value);
    row(w, "memory", memory, Quantity::value);
    let storage = of(&allocatable, "ephemeral-storage").value();
    row(w, "ephemeral-storage", storage, Quantity::value);
    let huge_pages = allocatable
        .iter()
        .filter(|(name, _)| name.starts_with("hugepages-"));
    for (name, size) in huge_pages {
        row(w, name, size.value(), Quantity::value);
    }
    let standard = ["cpu", "memory", "ephemeral-storage", "pods"];
    let extended = allocatable
        .keys()
        .filter(|name| !name.starts_with("hugepages-") && !standard.contains(&name.as_str()));
    for name in extended {
        put!(
            w,
            1,
            "{name}\t{}\t{}\n",
            of(&requests, name),
            of(&limits, name)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixture(path: &str) -> String {
        let path = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).expect(&path)
    }

    fn recorded_stdout(name: &str) -> String {
        let text = fixture(&format!("kubectl/{name}"));
        let (_, rest) = text.split_once("# --- stdout\n").expect("stdout");
        rest.split_once("# --- stderr")
            .expect("stderr")
            .0
            .to_string()
    }

    fn event(age_minutes: i64, now: jiff::Timestamp) -> Value {
        let at = now - jiff::SignedDuration::from_mins(age_minutes);
        json!({"type": "Normal", "reason": "RegisteredNode", "count": 1,
            "message": "Node fake-node-1 event: Registered Node fake-node-1 in Controller",
            "source": {"component": "node-controller"},
            "firstTimestamp": at.to_string(), "lastTimestamp": at.to_string()})
    }

    /// The recorded node, its recorded pods (and the one a rollout had just started), a lease
    /// and events like the recorded ones: kubectl v1.33's text, byte for byte.
    #[test]
    fn a_node_matches_the_recorded_description() {
        let node: Value = serde_json::from_str(&fixture("http/090-get-node.json")).expect("node");
        let pods: Value =
            serde_json::from_str(&fixture("http/075-list-api-v1-pods.json")).expect("pods");
        let now: jiff::Timestamp = "2026-11-22T04:07:00Z".parse().expect("now");
        let mut on_node: Vec<Value> = pods["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|p| p["spec"]["nodeName"] == "fake-node-1")
            .cloned()
            .collect();
        let mut started = on_node[1].clone();
        started["metadata"]["name"] = json!("frontend-5c4fb6ddc5-5bbwt");
        started["metadata"]["creationTimestamp"] = json!("2026-11-22T04:06:53Z");
        on_node.insert(2, started);
        let lease = json!({"spec": {"holderIdentity": "fake-node-1", "leaseDurationSeconds": 40,
            "renewTime": "2026-11-22T04:06:59.000000Z"}});
        let fetched = Fetched {
            related: vec![
                Ok(lease),
                Ok(json!({ "items": on_node })),
                Ok(json!({ "items": [event(16, now)] })),
            ],
            events: Some(Ok(vec![event(17, now)])),
        };
        let settings = Settings {
            show_events: true,
            now,
        };
        let text = crate::describe::render(&Node, &node, &fetched, &settings).expect("text");
        assert_eq!(text, recorded_stdout("describe-node.txt"));
    }

    #[test]
    fn missing_pieces_read_like_kubectl() {
        let node = json!({"metadata": {"name": "n1", "labels": {
                "node-role.kubernetes.io/control-plane": "", "node-role.kubernetes.io/": "x",
                "kubernetes.io/role": "worker"}},
            "spec": {"unschedulable": true, "taints": [
                {"key": "b", "effect": "NoSchedule"},
                {"key": "a", "value": "1", "effect": "NoSchedule"},
                {"key": "c", "value": "2", "effect": "NoExecute"}]},
            "status": {"allocatable": {"cpu": "0", "example.com/gpu": "2"}}});
        let forbidden = crate::error::ServerError {
            status: crate::error::Status {
                kind: "Status".into(),
                message: "pods is forbidden".into(),
                reason: "Forbidden".into(),
                code: 403,
                details: None,
            },
        };
        let not_found = crate::error::ServerError {
            status: crate::error::Status {
                kind: "Status".into(),
                message: "leases.coordination.k8s.io \"n1\" not found".into(),
                reason: "NotFound".into(),
                code: 404,
                details: None,
            },
        };
        let fetched = Fetched {
            related: vec![Err(not_found.into()), Err(forbidden.into()), Ok(json!({}))],
            events: Some(Err(anyhow::anyhow!("events are forbidden"))),
        };
        let settings = Settings {
            show_events: true,
            now: jiff::Timestamp::now(),
        };
        let text = crate::describe::render(&Node, &node, &fetched, &settings).expect("text");
        let expected = "Name:               n1\n\
            Roles:              control-plane,worker\n\
            Labels:             kubernetes.io/role=worker\n\
            \x20                   node-role.kubernetes.io/=x\n\
            \x20                   node-role.kubernetes.io/control-plane=\n\
            Annotations:        <none>\n\
            CreationTimestamp:  Mon, 01 Jan 0001 00:00:00 +0000\n\
            Taints:             c=2:NoExecute\n\
            \x20                   a=1:NoSchedule\n\
            \x20                   b:NoSchedule\n\
            Unschedulable:      true\n\
            Lease:              Failed to get lease: leases.coordination.k8s.io \"n1\" not found\n\
            Addresses:\n\
            Allocatable:\n\
            \x20 cpu:              0\n\
            \x20 example.com/gpu:  2\n";
        assert!(text.starts_with(expected), "{text}");
        assert!(
            text.ends_with("Pods:                         not authorized\nEvents:                       <none>\n"),
            "{text}"
        );
    }
}
