//! What every describer of pods and pod templates shares, laid out as kubectl lays it out:
//! the `Pod Template:` section of workloads (`DescribePodTemplate`), containers with their
//! state, resources, probes, environment and mounts (`describeContainers`), volumes (in
//! [`super::volumes`]), tolerations and topology spread constraints.
//!
//! Every function takes the JSON of the object as the server sent it; what is missing reads as
//! Go's zero value, as it does for kubectl.

use serde_json::Value;

/// Shared with the other describers (they were first written here).
pub use crate::describe::fields::{go_bool, go_list, int, rfc1123z_or_zero as go_time};

use crate::describe::PrefixWriter;
use crate::describe::fields::{annotations, label_selector, labels, text};
use crate::describe::quantity::{Quantity, canonical};
use crate::print::gofmt::quote;
use crate::put;

pub use super::volumes::describe_volumes;

/// The `Pod Template:` section of a workload (kubectl's `DescribePodTemplate`).
pub fn describe_pod_template(template: &Value, w: &mut PrefixWriter) {
    w.write(0, "Pod Template:\n");
    if template.is_null() {
        w.write(1, "<unset>");
        return;
    }
    let meta = &template["metadata"];
    let spec = &template["spec"];
    labels(w, "  Labels", &meta["labels"]);
    if meta["annotations"]
        .as_object()
        .is_some_and(|a| !a.is_empty())
    {
        annotations(w, "  Annotations", &meta["annotations"]);
    }
    let service_account = text(&spec["serviceAccountName"]);
    if !service_account.is_empty() {
        put!(w, 1, "Service Account:\t{service_account}\n");
    }
    if !items(&spec["initContainers"]).is_empty() {
        describe_containers(
            "Init Containers",
            &spec["initContainers"],
            None,
            None,
            w,
            "  ",
        );
    }
    describe_containers("Containers", &spec["containers"], None, None, w, "  ");
    describe_volumes(&spec["volumes"], w, "  ");
    describe_topology_spread_constraints(&spec["topologySpreadConstraints"], w, "  ");
    let priority_class = text(&spec["priorityClassName"]);
    if !priority_class.is_empty() {
        put!(w, 1, "Priority Class Name:\t{priority_class}\n");
    }
    labels(w, "  Node-Selectors", &spec["nodeSelector"]);
    tolerations(w, "  Tolerations", &spec["tolerations"]);
}

/// The elements of a JSON array (none when it is missing).
pub fn items(value: &Value) -> &[Value] {
    value.as_array().map(Vec::as_slice).unwrap_or(&[])
}

/// A `Containers:` (or `Init Containers:` …) section: each container with its status from
/// `statuses` when there is one (`None` for templates), env values of field refs resolved
/// from `pod` (`None` for templates). `space` is `"  "` inside a pod template.
pub fn describe_containers(
    label: &str,
    containers: &Value,
    statuses: Option<&Value>,
    pod: Option<&Value>,
    w: &mut PrefixWriter,
    space: &str,
) {
    let containers = items(containers);
    let none = if containers.is_empty() { " <none>" } else { "" };
    put!(w, 0, "{space}{label}:{none}\n");
    for container in containers {
        let name = text(&container["name"]);
        let status = statuses.and_then(|statuses| {
            // Like kubectl's map by name: the last status of that name wins.
            items(statuses).iter().rfind(|s| text(&s["name"]) == name)
        });
        basic_info(container, status, space, w);
        command(container, w);
        if let Some(status) = status {
            container_state(status, w);
        }
        describe_resources(&container["resources"], w, 2);
        probes(container, w);
        if !items(&container["envFrom"]).is_empty() {
            env_from(container, w);
        }
        env_vars(container, pod, w);
        mounts(container, w);
    }
}

fn basic_info(container: &Value, status: Option<&Value>, space: &str, w: &mut PrefixWriter) {
    let name_indent = if space.is_empty() { "" } else { " " };
    put!(w, 1, "{name_indent}{}:\n", text(&container["name"]));
    if let Some(status) = status {
        put!(w, 2, "Container ID:\t{}\n", text(&status["containerID"]));
    }
    put!(w, 2, "Image:\t{}\n", text(&container["image"]));
    if let Some(status) = status {
        put!(w, 2, "Image ID:\t{}\n", text(&status["imageID"]));
    }
    let ports = items(&container["ports"]);
    let port_list = |field: &str| {
        ports
            .iter()
            .map(|p| format!("{}/{}", int(&p[field]), text(&p["protocol"])))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (single, plural, list) in [
        ("Port", "Ports", port_list("containerPort")),
        ("Host Port", "Host Ports", port_list("hostPort")),
    ] {
        if list.contains(',') {
            put!(w, 2, "{plural}:\t{list}\n");
        } else if list.is_empty() {
            put!(w, 2, "{single}:\t<none>\n");
        } else {
            put!(w, 2, "{single}:\t{list}\n");
        }
    }
    let seccomp = &container["securityContext"]["seccompProfile"];
    if seccomp.is_object() {
        seccomp_profile(seccomp, w, 2);
    }
}

/// `SeccompProfile:  Localhost` and, for a localhost profile, its file (one level deeper in
/// containers, on the same level for pods — as kubectl does).
pub fn seccomp_profile(profile: &Value, w: &mut PrefixWriter, level: usize) {
    let kind = text(&profile["type"]);
    put!(w, level, "SeccompProfile:\t{kind}\n");
    if kind == "Localhost" {
        let deeper = if level == 0 { 0 } else { level + 1 };
        put!(
            w,
            deeper,
            "LocalhostProfile:\t{}\n",
            text(&profile["localhostProfile"])
        );
    }
}

fn command(container: &Value, w: &mut PrefixWriter) {
    for (title, field) in [("Command", "command"), ("Args", "args")] {
        let lines = items(&container[field]);
        if lines.is_empty() {
            continue;
        }
        put!(w, 2, "{title}:\n");
        for line in lines {
            for part in text(line).split('\n') {
                put!(w, 3, "{part}\n");
            }
        }
    }
}

/// `Limits:` and `Requests:`, each resource on a line in name order, quantities canonical
/// (kubectl's `describeResources`).
pub fn describe_resources(resources: &Value, w: &mut PrefixWriter, level: usize) {
    for (title, field) in [("Limits", "limits"), ("Requests", "requests")] {
        let Some(list) = resources[field].as_object().filter(|l| !l.is_empty()) else {
            continue;
        };
        put!(w, level, "{title}:\n");
        let mut names: Vec<&String> = list.keys().collect();
        names.sort();
        for name in names {
            put!(w, level + 1, "{name}:\t{}\n", quantity_text(&list[name]));
        }
    }
}

/// A quantity field printed canonically (`0.5` → `500m`).
pub fn quantity_text(value: &Value) -> String {
    match value {
        Value::String(s) => canonical(s),
        Value::Number(n) => canonical(&n.to_string()),
        _ => "0".to_string(),
    }
}

fn container_state(status: &Value, w: &mut PrefixWriter) {
    describe_status("State", &status["state"], w);
    if status["lastState"]["terminated"].is_object() {
        describe_status("Last State", &status["lastState"], w);
    }
    put!(w, 2, "Ready:\t{}\n", go_bool(status["ready"].as_bool()));
    put!(w, 2, "Restart Count:\t{}\n", int(&status["restartCount"]));
}

/// `State:  Running` / `Waiting` / `Terminated` with their reason, exit code and times.
fn describe_status(title: &str, state: &Value, w: &mut PrefixWriter) {
    let (running, waiting, terminated) =
        (&state["running"], &state["waiting"], &state["terminated"]);
    if running.is_object() {
        put!(w, 2, "{title}:\tRunning\n");
        put!(w, 3, "Started:\t{}\n", go_time(&running["startedAt"]));
    } else if waiting.is_object() {
        put!(w, 2, "{title}:\tWaiting\n");
        let reason = text(&waiting["reason"]);
        if !reason.is_empty() {
            put!(w, 3, "Reason:\t{reason}\n");
        }
    } else if terminated.is_object() {
        put!(w, 2, "{title}:\tTerminated\n");
        for (label, field) in [("Reason", "reason"), ("Message", "message")] {
            let value = text(&terminated[field]);
            if !value.is_empty() {
                put!(w, 3, "{label}:\t{value}\n");
            }
        }
        put!(w, 3, "Exit Code:\t{}\n", int(&terminated["exitCode"]));
        let signal = int(&terminated["signal"]);
        if signal > 0 {
            put!(w, 3, "Signal:\t{signal}\n");
        }
        put!(w, 3, "Started:\t{}\n", go_time(&terminated["startedAt"]));
        put!(w, 3, "Finished:\t{}\n", go_time(&terminated["finishedAt"]));
    } else {
        put!(w, 2, "{title}:\tWaiting\n");
    }
}

fn probes(container: &Value, w: &mut PrefixWriter) {
    for (title, field) in [
        ("Liveness", "livenessProbe"),
        ("Readiness", "readinessProbe"),
        ("Startup", "startupProbe"),
    ] {
        if container[field].is_object() {
            put!(w, 2, "{title}:\t{}\n", describe_probe(&container[field]));
        }
    }
}

/// A probe on one line: `http-get http://:8080/ready delay=0s timeout=1s period=3s
/// #success=1 #failure=3` (kubectl's `DescribeProbe`).
pub fn describe_probe(probe: &Value) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        int(&probe["initialDelaySeconds"]),
        int(&probe["timeoutSeconds"]),
        int(&probe["periodSeconds"]),
        int(&probe["successThreshold"]),
        int(&probe["failureThreshold"]),
    );
    let (exec, get, tcp, grpc) = (
        &probe["exec"],
        &probe["httpGet"],
        &probe["tcpSocket"],
        &probe["grpc"],
    );
    if exec.is_object() {
        return format!("exec {} {attrs}", go_list(&exec["command"]));
    }
    if get.is_object() {
        return format!("http-get {} {attrs}", http_get_url(get));
    }
    if tcp.is_object() {
        return format!(
            "tcp-socket {}:{} {attrs}",
            text(&tcp["host"]),
            int_or_string(&tcp["port"])
        );
    }
    if grpc.is_object() {
        return format!(
            "grpc <pod>:{} {} {attrs}",
            int(&grpc["port"]),
            text(&grpc["service"])
        );
    }
    format!("unknown {attrs}")
}

/// The URL of an HTTP probe as Go's `url.URL.String` writes it.
fn http_get_url(get: &Value) -> String {
    let scheme = text(&get["scheme"]).to_lowercase();
    let host = text(&get["host"]);
    let port = int_or_string(&get["port"]);
    let host = if port.is_empty() {
        host.to_string()
    } else if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let path = escape_path(text(&get["path"]));
    let mut url = String::new();
    if !scheme.is_empty() {
        url.push_str(&scheme);
        url.push(':');
    }
    if !scheme.is_empty() || !host.is_empty() {
        if !host.is_empty() || !path.is_empty() {
            url.push_str("//");
        }
        url.push_str(&host);
    }
    if !path.is_empty() && !path.starts_with('/') && !host.is_empty() {
        url.push('/');
    }
    url.push_str(&path);
    url
}

/// A URL path escaped as Go's `url.PathEscape`-like path encoding does.
fn escape_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-_.~$&+,/:;=@".contains(&b);
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn env_from(container: &Value, w: &mut PrefixWriter) {
    put!(w, 2, "Environment Variables from:\n");
    for source in items(&container["envFrom"]) {
        let (from, reference) = if source["configMapRef"].is_object() {
            ("ConfigMap", &source["configMapRef"])
        } else if source["secretRef"].is_object() {
            ("Secret", &source["secretRef"])
        } else {
            ("", &Value::Null)
        };
        let name = text(&reference["name"]);
        let optional = reference["optional"].as_bool().unwrap_or(false);
        let prefix = text(&source["prefix"]);
        if prefix.is_empty() {
            put!(w, 3, "{name}\t{from}\tOptional: {optional}\n");
        } else {
            put!(
                w,
                3,
                "{name}\t{from} with prefix '{prefix}'\tOptional: {optional}\n"
            );
        }
    }
}

fn env_vars(container: &Value, pod: Option<&Value>, w: &mut PrefixWriter) {
    let env = items(&container["env"]);
    let none = if env.is_empty() { "\t<none>" } else { "" };
    put!(w, 2, "Environment:{none}\n");
    for var in env {
        let name = text(&var["name"]);
        let from = &var["valueFrom"];
        if !from.is_object() {
            for (i, line) in text(&var["value"]).split('\n').enumerate() {
                if i == 0 {
                    put!(w, 3, "{name}:\t{line}\n");
                } else {
                    put!(w, 3, "\t{line}\n");
                }
            }
            continue;
        }
        let (field, resource_field, secret, config_map) = (
            &from["fieldRef"],
            &from["resourceFieldRef"],
            &from["secretKeyRef"],
            &from["configMapKeyRef"],
        );
        if field.is_object() {
            let value = pod
                .map(|pod| field_ref_value(pod, field))
                .unwrap_or_default();
            put!(
                w,
                3,
                "{name}:\t{value} ({}:{})\n",
                text(&field["apiVersion"]),
                text(&field["fieldPath"])
            );
        } else if resource_field.is_object() {
            let resource = text(&resource_field["resource"]);
            let mut value = resource_field_value(resource_field, container).unwrap_or_default();
            if value == "0" && matches!(resource, "limits.cpu" | "limits.memory") {
                value = "node allocatable".to_string();
            }
            put!(w, 3, "{name}:\t{value} ({resource})\n");
        } else if secret.is_object() {
            let key = secret;
            put!(
                w,
                3,
                "{name}:\t<set to the key '{}' in secret '{}'>\tOptional: {}\n",
                text(&key["key"]),
                text(&key["name"]),
                key["optional"].as_bool().unwrap_or(false)
            );
        } else if config_map.is_object() {
            let key = config_map;
            put!(
                w,
                3,
                "{name}:\t<set to the key '{}' of config map '{}'>\tOptional: {}\n",
                text(&key["key"]),
                text(&key["name"]),
                key["optional"].as_bool().unwrap_or(false)
            );
        }
    }
}

/// The value of a field ref, as kubectl resolves it: its scheme converts only
/// `metadata.name` and `metadata.namespace`, so every other field reads as empty.
fn field_ref_value(pod: &Value, field: &Value) -> String {
    match text(&field["fieldPath"]) {
        "metadata.name" => text(&pod["metadata"]["name"]).to_string(),
        "metadata.namespace" => text(&pod["metadata"]["namespace"]).to_string(),
        _ => String::new(),
    }
}

/// A resource field ref's value from the container's own resources, divided by its divisor
/// and rounded up (kubectl's `ExtractContainerResourceValue`).
fn resource_field_value(field: &Value, container: &Value) -> Option<String> {
    let resource = text(&field["resource"]);
    let divisor = Quantity::parse(&quantity_text(&field["divisor"]))
        .filter(|d| *d != Quantity::zero())
        .unwrap_or_else(Quantity::one);
    let (list, name) = resource.split_once('.')?;
    let list = match list {
        "limits" => "limits",
        "requests" => "requests",
        _ => return None,
    };
    let standard = matches!(name, "cpu" | "memory" | "ephemeral-storage");
    if !standard && !name.starts_with("hugepages-") {
        return None;
    }
    let amount = Quantity::parse(&quantity_text(&container["resources"][list][name]))
        .unwrap_or_else(Quantity::zero);
    let value = if name == "cpu" {
        ratio_ceil(amount.milli_value(), divisor.milli_value())
    } else {
        ratio_ceil(amount.value(), divisor.value())
    };
    Some(value.to_string())
}

/// Go's `int64(math.Ceil(float64(a) / float64(b)))`.
fn ratio_ceil(a: i128, b: i128) -> i128 {
    if b == 0 {
        return 0;
    }
    (a as f64 / b as f64).ceil() as i128
}

fn mounts(container: &Value, w: &mut PrefixWriter) {
    let mut mounts: Vec<&Value> = items(&container["volumeMounts"]).iter().collect();
    let none = if mounts.is_empty() { "\t<none>" } else { "" };
    put!(w, 2, "Mounts:{none}\n");
    mounts.sort_by(|a, b| text(&a["mountPath"]).cmp(text(&b["mountPath"])));
    for mount in mounts {
        let mut flags = vec![if mount["readOnly"].as_bool().unwrap_or(false) {
            "ro".to_string()
        } else {
            "rw".to_string()
        }];
        let sub_path = text(&mount["subPath"]);
        if !sub_path.is_empty() {
            flags.push(format!("path={}", quote(sub_path)));
        }
        put!(
            w,
            3,
            "{} from {} ({})\n",
            text(&mount["mountPath"]),
            text(&mount["name"]),
            flags.join(",")
        );
    }
    let mut devices: Vec<&Value> = items(&container["volumeDevices"]).iter().collect();
    if !devices.is_empty() {
        put!(w, 2, "Devices:{none}\n");
        devices.sort_by(|a, b| text(&a["devicePath"]).cmp(text(&b["devicePath"])));
        for device in devices {
            put!(
                w,
                3,
                "{} from {}\n",
                text(&device["devicePath"]),
                text(&device["name"])
            );
        }
    }
}

/// `Tolerations:  key=value:Effect op=Exists for 300s`, one a line, by key (kubectl's
/// `printPodTolerationsMultiline`).
pub fn tolerations(w: &mut PrefixWriter, title: &str, tolerations: &Value) {
    put!(w, 0, "{title}:\t");
    let mut list: Vec<&Value> = items(tolerations).iter().collect();
    if list.is_empty() {
        w.line("<none>");
        return;
    }
    list.sort_by(|a, b| text(&a["key"]).cmp(text(&b["key"])));
    for (i, toleration) in list.into_iter().enumerate() {
        if i != 0 {
            w.write(0, "\t");
        }
        let key = text(&toleration["key"]);
        let value = text(&toleration["value"]);
        let effect = text(&toleration["effect"]);
        let mut line = key.to_string();
        if !value.is_empty() {
            line.push('=');
            line.push_str(value);
        }
        if !effect.is_empty() {
            line.push(':');
            line.push_str(effect);
        }
        if text(&toleration["operator"]) == "Exists" && value.is_empty() {
            if !key.is_empty() || !effect.is_empty() {
                line.push_str(" op=Exists");
            } else {
                line.push_str("op=Exists");
            }
        }
        if let Some(seconds) = toleration["tolerationSeconds"].as_i64() {
            line.push_str(&format!(" for {seconds}s"));
        }
        put!(w, 0, "{line}\n");
    }
}

/// `Topology Spread Constraints:  zone:DoNotSchedule when max skew 1 is exceeded for selector
/// app=web`, by topology key; nothing at all when there are none.
pub fn describe_topology_spread_constraints(
    constraints: &Value,
    w: &mut PrefixWriter,
    space: &str,
) {
    let mut list: Vec<&Value> = items(constraints).iter().collect();
    if list.is_empty() {
        return;
    }
    list.sort_by(|a, b| text(&a["topologyKey"]).cmp(text(&b["topologyKey"])));
    put!(w, 0, "{space}Topology Spread Constraints:\t");
    for (i, constraint) in list.into_iter().enumerate() {
        if i != 0 {
            put!(w, 0, "{space}\t");
        }
        put!(
            w,
            0,
            "{}:{} when max skew {} is exceeded",
            text(&constraint["topologyKey"]),
            text(&constraint["whenUnsatisfiable"]),
            int(&constraint["maxSkew"])
        );
        if constraint["labelSelector"].is_object() {
            put!(
                w,
                0,
                " for selector {}",
                label_selector(&constraint["labelSelector"])
            );
        }
        w.write(0, "\n");
    }
}

/// An int-or-string field (a port by number or by name).
fn int_or_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => "0".to_string(),
    }
}

#[cfg(test)]
mod tests;
