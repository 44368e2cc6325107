//! Pods, as kubectl v1.33's `describePod` prints them: identity and scheduling, status (a pod
//! being deleted is `Terminating`), IPs, owner, containers of every sort with their states,
//! readiness gates and conditions, volumes, QoS class, node selectors, tolerations, topology
//! spread constraints and events.

use anyhow::Result;
use serde_json::Value;

use super::pod_template::{
    describe_containers, describe_resources, describe_topology_spread_constraints,
    describe_volumes, items, seccomp_profile, tolerations,
};
use crate::describe::events::describe_events;
use crate::describe::fields::{annotations, go_value, labels, rfc1123z, since, text};
use crate::describe::quantity::Quantity;
use crate::describe::{Describer, Fetched, PrefixWriter, Settings};
use crate::put;

pub struct Pod;

impl Describer for Pod {
    fn describe(
        &self,
        pod: &Value,
        fetched: &Fetched,
        settings: &Settings,
        w: &mut PrefixWriter,
    ) -> Result<()> {
        let meta = &pod["metadata"];
        let spec = &pod["spec"];
        let status = &pod["status"];
        put!(w, 0, "Name:\t{}\n", text(&meta["name"]));
        put!(w, 0, "Namespace:\t{}\n", text(&meta["namespace"]));
        if let Some(priority) = spec["priority"].as_i64() {
            put!(w, 0, "Priority:\t{priority}\n");
        }
        for (label, value) in [
            ("Priority Class Name", &spec["priorityClassName"]),
            ("Runtime Class Name", &spec["runtimeClassName"]),
            ("Service Account", &spec["serviceAccountName"]),
        ] {
            let value = text(value);
            if !value.is_empty() {
                put!(w, 0, "{label}:\t{value}\n");
            }
        }
        let node = text(&spec["nodeName"]);
        if node.is_empty() {
            w.write(0, "Node:\t<none>\n");
        } else {
            put!(w, 0, "Node:\t{node}/{}\n", text(&status["hostIP"]));
        }
        if status["startTime"].is_string() {
            put!(w, 0, "Start Time:\t{}\n", rfc1123z(&status["startTime"]));
        }
        labels(w, "Labels", &meta["labels"]);
        annotations(w, "Annotations", &meta["annotations"]);
        let phase = text(&status["phase"]);
        if meta["deletionTimestamp"].is_string() && !matches!(phase, "Failed" | "Succeeded") {
            put!(
                w,
                0,
                "Status:\tTerminating (lasts {})\n",
                since(&meta["deletionTimestamp"], settings.now)
            );
            put!(
                w,
                0,
                "Termination Grace Period:\t{}s\n",
                meta["deletionGracePeriodSeconds"].as_i64().unwrap_or(0)
            );
        } else {
            put!(w, 0, "Status:\t{phase}\n");
        }
        for (label, value) in [
            ("Reason", &status["reason"]),
            ("Message", &status["message"]),
        ] {
            let value = text(value);
            if !value.is_empty() {
                put!(w, 0, "{label}:\t{value}\n");
            }
        }
        let seccomp = &spec["securityContext"]["seccompProfile"];
        if seccomp.is_object() {
            seccomp_profile(seccomp, w, 0);
        }
        put!(w, 0, "IP:\t{}\n", text(&status["podIP"]));
        pod_ips(status, w);
        if let Some(owner) = controller_of(meta) {
            put!(w, 0, "Controlled By:\t{owner}\n");
        }
        let nominated = text(&status["nominatedNodeName"]);
        if !nominated.is_empty() {
            put!(w, 0, "NominatedNodeName:\t{nominated}\n");
        }
        if spec["resources"].is_object() {
            w.write(0, "Resources:\n");
            describe_resources(&spec["resources"], w, 1);
        }
        if !items(&spec["initContainers"]).is_empty() {
            describe_containers(
                "Init Containers",
                &spec["initContainers"],
                Some(&status["initContainerStatuses"]),
                Some(pod),
                w,
                "",
            );
        }
        describe_containers(
            "Containers",
            &spec["containers"],
            Some(&status["containerStatuses"]),
            Some(pod),
            w,
            "",
        );
        if !items(&spec["ephemeralContainers"]).is_empty() {
            describe_containers(
                "Ephemeral Containers",
                &spec["ephemeralContainers"],
                Some(&status["ephemeralContainerStatuses"]),
                Some(pod),
                w,
                "",
            );
        }
        readiness_gates(spec, status, w);
        let conditions = items(&status["conditions"]);
        if !conditions.is_empty() {
            w.write(0, "Conditions:\n  Type\tStatus\n");
            for condition in conditions {
                put!(
                    w,
                    1,
                    "{} \t{} \n",
                    text(&condition["type"]),
                    text(&condition["status"])
                );
            }
        }
        describe_volumes(&spec["volumes"], w, "");
        put!(w, 0, "QoS Class:\t{}\n", qos_class(pod));
        labels(w, "Node-Selectors", &spec["nodeSelector"]);
        tolerations(w, "Tolerations", &spec["tolerations"]);
        describe_topology_spread_constraints(&spec["topologySpreadConstraints"], w, "");
        // kubectl ignores a failed events request and leaves the section out.
        if let Some(Ok(events)) = &fetched.events {
            describe_events(events, settings.now, w);
        }
        Ok(())
    }
}

/// `IPs:  <none>`, or `IPs:` and one `IP:` line each.
fn pod_ips(status: &Value, w: &mut PrefixWriter) {
    let ips = items(&status["podIPs"]);
    if ips.is_empty() {
        w.write(0, "IPs:\t<none>\n");
        return;
    }
    w.write(0, "IPs:\n");
    for ip in ips {
        put!(w, 1, "IP:\t{}\n", text(&ip["ip"]));
    }
}

/// `Kind/name` of the owner reference marked as controller.
pub fn controller_of(meta: &Value) -> Option<String> {
    items(&meta["ownerReferences"])
        .iter()
        .find(|owner| owner["controller"].as_bool() == Some(true))
        .map(|owner| format!("{}/{}", text(&owner["kind"]), text(&owner["name"])))
}

fn readiness_gates(spec: &Value, status: &Value, w: &mut PrefixWriter) {
    let gates = items(&spec["readinessGates"]);
    if gates.is_empty() {
        return;
    }
    w.write(0, "Readiness Gates:\n  Type\tStatus\n");
    let conditions = items(&status["conditions"]);
    for gate in gates {
        let kind = text(&gate["conditionType"]);
        let state = conditions
            .iter()
            .find(|c| text(&c["type"]) == kind)
            .map_or_else(|| "<none>".to_string(), |c| go_value(&c["status"]));
        put!(w, 1, "{kind} \t{state} \n");
    }
}

/// The QoS class the server recorded, or the one kubectl computes from the resources
/// (`qos.GetPodQOS`).
fn qos_class(pod: &Value) -> String {
    let recorded = text(&pod["status"]["qosClass"]);
    if !recorded.is_empty() {
        return recorded.to_string();
    }
    compute_qos(&pod["spec"]).to_string()
}

/// kubectl's `ComputePodQOS`: BestEffort without any CPU or memory requests or limits,
/// Guaranteed when every container limits both and requests equal limits, else Burstable.
fn compute_qos(spec: &Value) -> &'static str {
    let mut requests: Vec<(&'static str, Quantity)> = Vec::new();
    let mut limits: Vec<(&'static str, Quantity)> = Vec::new();
    let mut guaranteed = true;
    let mut take = |resources: &Value, pod_level: bool| {
        add_positive(&mut requests, &resources["requests"]);
        if pod_level && resources["limits"].is_null() {
            return;
        }
        add_positive(&mut limits, &resources["limits"]);
        let limited: Vec<&str> = positive(&resources["limits"])
            .map(|(name, _)| name)
            .collect();
        if !(limited.contains(&"cpu") && limited.contains(&"memory")) {
            guaranteed = false;
        }
    };
    if spec["resources"].is_object() {
        take(&spec["resources"], true);
    } else {
        for container in items(&spec["containers"])
            .iter()
            .chain(items(&spec["initContainers"]))
        {
            take(&container["resources"], false);
        }
    }
    if requests.is_empty() && limits.is_empty() {
        return "BestEffort";
    }
    let matches = requests.iter().all(|(name, request)| {
        limits
            .iter()
            .any(|(limit_name, limit)| limit_name == name && limit == request)
    });
    if guaranteed && matches && requests.len() == limits.len() {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

/// The positive CPU and memory quantities of a resource list.
fn positive(list: &Value) -> impl Iterator<Item = (&'static str, Quantity)> {
    ["cpu", "memory"].into_iter().filter_map(|name| {
        let quantity = Quantity::parse(list[name].as_str()?)?;
        quantity.is_positive().then_some((name, quantity))
    })
}

fn add_positive(sums: &mut Vec<(&'static str, Quantity)>, list: &Value) {
    for (name, quantity) in positive(list) {
        match sums.iter_mut().find(|(n, _)| *n == name) {
            Some((_, sum)) => *sum = quantity.add(sum),
            None => sums.push((name, quantity)),
        }
    }
}

#[cfg(test)]
mod tests;
