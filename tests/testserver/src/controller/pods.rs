//! kube-scheduler and the kubelet, simulated.
//!
//! The scheduler binds every unscheduled pod to a node (a DaemonSet pod's pinned node, or the
//! next one round-robin) and records `Scheduled`. The kubelet then walks the pod through
//! ContainerCreating to Running and Ready over `ticks_to_ready` passes, recording Pulled,
//! Created and Started per container. Conventions for tests: an image ending in `:broken`
//! crash-loops and never becomes ready; containers of pods with restartPolicy Never or
//! OnFailure (Job pods) finish `ticks_to_ready` passes after starting. Pods marked for deletion
//! have their containers stopped (`Killing`) and are removed.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use serde_json::{Value, json};

use super::Ctx;
use super::util::{
    self, int_at, is_deleting, name, namespace, pod_key, str_at, string_map, time, uid,
};
use crate::events::{self, EventSpec};
use crate::store::{EventType, ObjectKey};

/// What the simulated scheduler and kubelets remember between passes.
#[derive(Default)]
pub struct SimState {
    /// Passes each bound pod (by uid) has spent on its node.
    ticks: HashMap<String, u32>,
    /// Round-robin position of the scheduler.
    next_node: usize,
    /// The last pod IP handed out per node.
    last_ip: HashMap<String, u32>,
    /// Pods (namespace, name) that move on without anyone writing to them: unscheduled,
    /// starting, crash-looping, running to completion, or being deleted. A pass looks at these
    /// and at the pods that changed; a settled pod costs nothing.
    busy: BTreeSet<(String, String)>,
    /// The resourceVersion up to which pod changes have been looked at (`None`: look at all).
    synced: Option<u64>,
}

impl SimState {
    /// How many pods the next pass looks at besides the changed ones.
    #[cfg(test)]
    pub(super) fn busy(&self) -> usize {
        self.busy.len()
    }
}

/// One pass of the scheduler and kubelets over the pods that are busy or changed since the
/// last pass (all pods on the first pass, or when the store's history no longer reaches back),
/// in namespace/name order like a full pass.
pub(super) fn reconcile(ctx: &Ctx, sim: &mut SimState) {
    match sim.synced.and_then(|since| ctx.store.changes_since(since)) {
        Some((changes, upto)) => {
            sim.synced = Some(upto);
            let mut due = std::mem::take(&mut sim.busy);
            let pods = util::pods();
            for change in changes.iter().filter(|c| c.key.collection == pods) {
                let at = (change.key.namespace.clone(), change.key.name.clone());
                if change.kind == EventType::Deleted {
                    sim.ticks.remove(uid(&change.object));
                    due.remove(&at);
                } else {
                    due.insert(at);
                }
            }
            for (ns, pod_name) in due {
                if let Some(pod) = ctx.store.get(&ObjectKey::new("", "pods", &ns, &pod_name)) {
                    visit(ctx, sim, pod);
                }
            }
        }
        None => {
            let (pods, upto) = ctx.store.list(&util::pods(), None);
            sim.synced = Some(upto);
            sim.busy.clear();
            let live: HashSet<String> = pods.iter().map(|p| uid(p).to_string()).collect();
            for pod in pods {
                visit(ctx, sim, pod);
            }
            sim.ticks.retain(|uid, _| live.contains(uid));
        }
    }
}

/// Schedules, starts or stops one pod, and remembers it as busy unless it is settled.
fn visit(ctx: &Ctx, sim: &mut SimState, pod: Arc<Value>) {
    let at = (namespace(&pod).to_string(), name(&pod).to_string());
    if is_deleting(&pod) {
        terminate(ctx, &pod);
        sim.busy.insert(at);
        return;
    }
    let pod = match str_at(&pod, "/spec/nodeName") {
        Some(node) if !node.is_empty() => pod,
        _ => match schedule(ctx, sim, &pod) {
            Some(bound) => bound,
            None => {
                sim.busy.insert(at);
                return;
            }
        },
    };
    run_kubelet(ctx, sim, &pod);
    if !is_settled(ctx, sim, &pod) {
        sim.busy.insert(at);
    }
}

/// Whether the kubelet leaves a bound pod as it is on every further pass until someone writes
/// to it: finished, or running for good (restartPolicy Always, nothing crash-looping).
fn is_settled(ctx: &Ctx, sim: &SimState, pod: &Value) -> bool {
    if matches!(util::phase(pod), "Succeeded" | "Failed") {
        return true;
    }
    let ready_at = ctx.config.ticks_to_ready.max(1);
    let running = current_stage(pod) == Some(Stage::Running)
        && sim.ticks.get(uid(pod)).is_some_and(|t| *t >= ready_at);
    let always = str_at(pod, "/spec/restartPolicy").unwrap_or("Always") == "Always";
    running && always && !containers(pod).iter().any(is_broken)
}

// --- Scheduler --------------------------------------------------------------------------------

fn schedule(ctx: &Ctx, sim: &mut SimState, pod: &Value) -> Option<Arc<Value>> {
    let scheduler = str_at(pod, "/spec/schedulerName").unwrap_or("default-scheduler");
    if scheduler != "default-scheduler" || ctx.config.nodes.is_empty() {
        return None;
    }
    let node = match pinned_node(pod) {
        Some(node) => node,
        None => next_fitting_node(ctx, sim, pod)?,
    };
    let mut bound = pod.clone();
    bound["spec"]["nodeName"] = json!(node);
    bound["status"]["conditions"] = json!([{
        "type": "PodScheduled",
        "status": "True",
        "lastProbeTime": null,
        "lastTransitionTime": time(ctx.now),
    }]);
    let bound = util::bind(ctx.store, &pod_key(pod), bound)?;
    events::record_scheduled(ctx.store, &bound, &node, ctx.now);
    Some(bound)
}

/// The node a DaemonSet pod is pinned to through required node affinity on `metadata.name`.
fn pinned_node(pod: &Value) -> Option<String> {
    let terms = pod
        .pointer("/spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms")?
        .as_array()?;
    terms.iter().find_map(|term| {
        term.get("matchFields")?.as_array()?.iter().find_map(|f| {
            let is_name =
                f.get("key")?.as_str()? == "metadata.name" && f.get("operator")?.as_str()? == "In";
            is_name
                .then(|| {
                    f.get("values")?
                        .as_array()?
                        .first()?
                        .as_str()
                        .map(String::from)
                })
                .flatten()
        })
    })
}

/// The next node, round-robin, whose labels satisfy the pod's nodeSelector.
fn next_fitting_node(ctx: &Ctx, sim: &mut SimState, pod: &Value) -> Option<String> {
    let selector = string_map(pod, "/spec/nodeSelector");
    let nodes = &ctx.config.nodes;
    for offset in 0..nodes.len() {
        let index = (sim.next_node + offset) % nodes.len();
        if util::has_all(&node_labels(ctx, &nodes[index]), &selector) {
            sim.next_node = index + 1;
            return Some(nodes[index].clone());
        }
    }
    None
}

/// A node's labels: the stored Node's, or the ones a kubelet registers with.
pub(super) fn node_labels(ctx: &Ctx, node: &str) -> std::collections::BTreeMap<String, String> {
    match ctx.store.get(&ObjectKey::new("", "nodes", "", node)) {
        Some(stored) => string_map(&stored, "/metadata/labels"),
        None => [
            ("kubernetes.io/hostname", node),
            ("kubernetes.io/os", "linux"),
            ("kubernetes.io/arch", "amd64"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
    }
}

// --- Kubelet ----------------------------------------------------------------------------------

/// The stage a pod's containers are in, as the kubelet reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Creating,
    Running,
    CrashLooping,
    Completed,
    Failed,
}

fn run_kubelet(ctx: &Ctx, sim: &mut SimState, pod: &Value) {
    if matches!(util::phase(pod), "Succeeded" | "Failed") {
        return;
    }
    let ready_at = ctx.config.ticks_to_ready.max(1);
    let current = current_stage(pod);
    if !sim.ticks.contains_key(uid(pod)) && matches!(current, Some(Stage::Running)) {
        // A pod that was running before this kubelet saw it (a generated cluster, a restart)
        // keeps running; it is not started over.
        sim.ticks.insert(uid(pod).to_string(), ready_at);
        return;
    }
    let ticks = sim.ticks.entry(uid(pod).to_string()).or_insert(0);
    *ticks += 1;
    let ticks = *ticks;
    let broken = containers(pod).iter().any(is_broken);
    let policy = str_at(pod, "/spec/restartPolicy").unwrap_or("Always");
    let wanted = wanted_stage(ticks, ready_at, broken, policy);
    let restart_due = wanted == Stage::CrashLooping && (ticks - ready_at).is_multiple_of(ready_at);
    if current == Some(wanted) && !restart_due {
        return;
    }
    advance(ctx, sim, pod, current, wanted);
}

/// Where a pod `ticks` passes after binding should be.
fn wanted_stage(ticks: u32, ready_at: u32, broken: bool, restart_policy: &str) -> Stage {
    if ticks < ready_at {
        return Stage::Creating;
    }
    let finished = ticks >= 2 * ready_at && restart_policy != "Always";
    match (broken, finished) {
        (false, false) => Stage::Running,
        (false, true) => Stage::Completed,
        (true, true) if restart_policy == "Never" => Stage::Failed,
        (true, _) if ticks > ready_at => Stage::CrashLooping,
        (true, _) => Stage::Running,
    }
}

fn current_stage(pod: &Value) -> Option<Stage> {
    let statuses = pod.pointer("/status/containerStatuses")?.as_array()?;
    let first = statuses.first()?;
    let state = first.get("state")?;
    if let Some(waiting) = state.get("waiting") {
        return Some(match waiting.get("reason").and_then(Value::as_str) {
            Some("CrashLoopBackOff") => Stage::CrashLooping,
            _ => Stage::Creating,
        });
    }
    if state.get("running").is_some() {
        return Some(Stage::Running);
    }
    match util::phase(pod) {
        "Failed" => Some(Stage::Failed),
        _ => Some(Stage::Completed),
    }
}

fn advance(ctx: &Ctx, sim: &mut SimState, pod: &Value, from: Option<Stage>, to: Stage) {
    let node = str_at(pod, "/spec/nodeName")
        .unwrap_or_default()
        .to_string();
    let mut updated = pod.clone();
    if from.is_none() {
        start_pod_status(ctx, sim, &mut updated, &node);
    }
    let started = from.is_some_and(|s| s != Stage::Creating);
    let now = time(ctx.now);
    let statuses: Vec<Value> = containers(pod)
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let previous = pod.pointer(&format!("/status/containerStatuses/{i}"));
            container_status(c, previous, to, &now, pod)
        })
        .collect();
    updated["status"]["containerStatuses"] = json!(statuses);
    let init: Vec<Value> = init_containers(pod)
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let previous = pod.pointer(&format!("/status/initContainerStatuses/{i}"));
            init_container_status(c, previous, to, &now)
        })
        .collect();
    if !init.is_empty() {
        updated["status"]["initContainerStatuses"] = json!(init);
    }
    updated["status"]["phase"] = json!(match to {
        Stage::Creating => "Pending",
        Stage::Running | Stage::CrashLooping => "Running",
        Stage::Completed => "Succeeded",
        Stage::Failed => "Failed",
    });
    updated["status"]["conditions"] = json!(pod_conditions(pod, to, &now));
    let Some(written) = util::write(ctx.store, &pod_key(pod), updated) else {
        return;
    };
    if !started && to != Stage::Creating {
        for c in init_containers(&written) {
            init_container_events(ctx, &written, &c, &node);
        }
        for c in containers(&written) {
            container_started_events(ctx, &written, &c, &node);
        }
    }
    if to == Stage::CrashLooping {
        for c in containers(&written).iter().filter(|c| is_broken(c)) {
            let cname = str_at(c, "/name").unwrap_or_default();
            let message = format!(
                "Back-off restarting failed container {cname} in pod {}_{}({})",
                name(&written),
                namespace(&written),
                uid(&written)
            );
            kubelet_event(ctx, &written, c, &node, "Warning", "BackOff", &message);
        }
    }
}

/// The first kubelet status: start time, IPs and the PodScheduled condition it keeps.
fn start_pod_status(ctx: &Ctx, sim: &mut SimState, pod: &mut Value, node: &str) {
    let host_ip = node_internal_ip(ctx, node);
    let pod_ip = next_pod_ip(ctx, sim, node);
    let status = util::object_at(pod, &["status"]);
    status.insert("hostIP".into(), json!(host_ip));
    status.insert("hostIPs".into(), json!([{"ip": host_ip}]));
    status.insert("podIP".into(), json!(pod_ip));
    status.insert("podIPs".into(), json!([{"ip": pod_ip}]));
    status.insert("startTime".into(), time(ctx.now));
}

fn node_internal_ip(ctx: &Ctx, node: &str) -> String {
    ctx.store
        .get(&ObjectKey::new("", "nodes", "", node))
        .and_then(|n| {
            n.pointer("/status/addresses")?
                .as_array()?
                .iter()
                .find(|a| a.get("type").and_then(Value::as_str) == Some("InternalIP"))?
                .get("address")?
                .as_str()
                .map(String::from)
        })
        .unwrap_or_else(|| "127.0.0.1".to_string())
}

/// `10.244.<node index + 1>.<n>`, or the next address in the stored Node's podCIDR.
fn next_pod_ip(ctx: &Ctx, sim: &mut SimState, node: &str) -> String {
    let prefix = ctx
        .store
        .get(&ObjectKey::new("", "nodes", "", node))
        .and_then(|n| {
            let cidr = str_at(&n, "/spec/podCIDR")?.to_string();
            let network = cidr.split('/').next()?;
            let (prefix, _) = network.rsplit_once('.')?;
            Some(prefix.to_string())
        })
        .unwrap_or_else(|| {
            let index = ctx.config.nodes.iter().position(|n| n == node).unwrap_or(0);
            format!("10.244.{}", index + 1)
        });
    let last = sim.last_ip.entry(node.to_string()).or_insert(1);
    *last = if *last >= 254 { 2 } else { *last + 1 };
    format!("{prefix}.{last}")
}

fn containers(pod: &Value) -> Vec<Value> {
    pod.pointer("/spec/containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn init_containers(pod: &Value) -> Vec<Value> {
    pod.pointer("/spec/initContainers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// An init container's status: waiting while the pod is created, then run to completion
/// (exit 0, ready, no longer started) before the app containers start, as a kubelet reports it.
fn init_container_status(c: &Value, previous: Option<&Value>, stage: Stage, now: &Value) -> Value {
    let cname = str_at(c, "/name").unwrap_or_default();
    let image = str_at(c, "/image").unwrap_or_default();
    if stage == Stage::Creating {
        return json!({
            "name": cname,
            "state": {"waiting": {"reason": "PodInitializing"}},
            "lastState": {},
            "ready": false,
            "restartCount": 0,
            "image": image,
            "imageID": "",
            "started": false,
        });
    }
    if let Some(done) = previous.filter(|p| p.pointer("/state/terminated").is_some()) {
        return done.clone();
    }
    let container_id = format!("containerd://{}", random_hex(64));
    json!({
        "name": cname,
        "state": {"terminated": {
            "exitCode": 0, "reason": "Completed", "startedAt": now,
            "finishedAt": now, "containerID": container_id,
        }},
        "lastState": {},
        "ready": true,
        "restartCount": 0,
        "image": full_image(image),
        "imageID": image_id(image),
        "containerID": container_id,
        "started": false,
    })
}

/// Pulled, Created and Started for an init container (its field path names the init list).
fn init_container_events(ctx: &Ctx, pod: &Value, c: &Value, node: &str) {
    let cname = str_at(c, "/name").unwrap_or_default();
    let image = str_at(c, "/image").unwrap_or_default();
    let field_path = format!("spec.initContainers{{{cname}}}");
    let involved = util::typed(pod, "v1", "Pod");
    for (reason, message) in [
        (
            "Pulled",
            format!("Container image \"{image}\" already present on machine"),
        ),
        ("Created", format!("Created container: {cname}")),
        ("Started", format!("Started container {cname}")),
    ] {
        events::record_at(
            ctx.store,
            &EventSpec {
                involved: &involved,
                field_path: Some(&field_path),
                event_type: "Normal",
                reason,
                message: &message,
                component: "kubelet",
                host: Some(node),
            },
            ctx.now,
        );
    }
}

fn is_broken(container: &Value) -> bool {
    str_at(container, "/image").is_some_and(|i| i.ends_with(":broken"))
}

fn container_status(
    c: &Value,
    previous: Option<&Value>,
    stage: Stage,
    now: &Value,
    pod: &Value,
) -> Value {
    let cname = str_at(c, "/name").unwrap_or_default();
    let image = str_at(c, "/image").unwrap_or_default();
    let restarts = previous
        .and_then(|p| int_at(p, "/restartCount"))
        .unwrap_or(0);
    let container_id = previous
        .and_then(|p| str_at(p, "/containerID"))
        .map(String::from)
        .unwrap_or_else(|| format!("containerd://{}", random_hex(64)));
    let started_at = previous
        .and_then(|p| p.pointer("/state/running/startedAt").cloned())
        .unwrap_or_else(|| now.clone());
    let stage = if is_broken(c) || stage != Stage::CrashLooping {
        stage
    } else {
        Stage::Running
    };
    let (state, last_state, ready, started, restarts) = match stage {
        Stage::Creating => {
            let status = json!({
                "name": cname,
                "state": {"waiting": {"reason": "ContainerCreating"}},
                "lastState": {},
                "ready": false,
                "restartCount": 0,
                "image": image,
                "imageID": "",
                "started": false,
            });
            return status;
        }
        Stage::Running => {
            let ready = !is_broken(c);
            (
                json!({"running": {"startedAt": started_at}}),
                json!({}),
                ready,
                true,
                restarts,
            )
        }
        Stage::CrashLooping => {
            let terminated = json!({"terminated": {
                "exitCode": 1, "reason": "Error", "startedAt": started_at,
                "finishedAt": now, "containerID": container_id,
            }});
            let message = format!(
                "back-off 10s restarting failed container={cname} pod={}_{}({})",
                name(pod),
                namespace(pod),
                uid(pod)
            );
            (
                json!({"waiting": {"reason": "CrashLoopBackOff", "message": message}}),
                terminated,
                false,
                false,
                restarts + 1,
            )
        }
        Stage::Completed | Stage::Failed => {
            let (code, reason) = if stage == Stage::Failed && is_broken(c) {
                (1, "Error")
            } else {
                (0, "Completed")
            };
            (
                json!({"terminated": {
                    "exitCode": code, "reason": reason, "startedAt": started_at,
                    "finishedAt": now, "containerID": container_id,
                }}),
                json!({}),
                false,
                false,
                restarts,
            )
        }
    };
    json!({
        "name": cname,
        "state": state,
        "lastState": last_state,
        "ready": ready,
        "restartCount": restarts,
        "image": full_image(image),
        "imageID": image_id(image),
        "containerID": container_id,
        "started": started,
    })
}

/// The conditions the kubelet reports, in the order a real one leaves them.
fn pod_conditions(pod: &Value, stage: Stage, now: &Value) -> Vec<Value> {
    let previous = util::conditions(pod);
    let scheduled = util::find_condition(&previous, "PodScheduled")
        .cloned()
        .unwrap_or_else(|| condition("PodScheduled", true, now, None));
    let keep = |kind: &str, status: bool, reason: Option<(&str, String)>| {
        let mut c = condition(kind, status, now, reason);
        if let Some(old) = util::find_condition(&previous, kind)
            && (old.get("status") == c.get("status"))
            && let Some(t) = old.get("lastTransitionTime")
        {
            c["lastTransitionTime"] = t.clone();
        }
        c
    };
    let names: Vec<String> = containers(pod)
        .iter()
        .filter(|c| stage != Stage::Running || is_broken(c))
        .filter_map(|c| str_at(c, "/name").map(String::from))
        .collect();
    let all_names: Vec<String> = containers(pod)
        .iter()
        .filter_map(|c| str_at(c, "/name").map(String::from))
        .collect();
    let unready = |list: &[String]| {
        (
            "ContainersNotReady",
            format!("containers with unready status: [{}]", list.join(" ")),
        )
    };
    let sandbox = keep("PodReadyToStartContainers", stage != Stage::Creating, None);
    let initialized = keep("Initialized", true, None);
    match stage {
        Stage::Creating => vec![
            sandbox,
            initialized,
            keep("Ready", false, Some(unready(&names))),
            keep("ContainersReady", false, Some(unready(&names))),
            scheduled,
        ],
        Stage::Running | Stage::CrashLooping if names.is_empty() => {
            // A real kubelet patches status and leaves the earlier reason/message in place;
            // the recorded cluster shows exactly that, so keep them.
            let reason = unready(&all_names);
            vec![
                sandbox,
                initialized,
                keep("ContainersReady", true, Some(reason.clone())),
                keep("Ready", true, Some(reason)),
                scheduled,
            ]
        }
        Stage::Running | Stage::CrashLooping => vec![
            sandbox,
            initialized,
            keep("Ready", false, Some(unready(&names))),
            keep("ContainersReady", false, Some(unready(&names))),
            scheduled,
        ],
        Stage::Completed | Stage::Failed => {
            let (_, message) = unready(&all_names);
            vec![
                sandbox,
                initialized,
                keep("Ready", false, Some(("PodCompleted", message.clone()))),
                keep("ContainersReady", false, Some(("PodCompleted", message))),
                scheduled,
            ]
        }
    }
}

fn condition(kind: &str, status: bool, now: &Value, reason: Option<(&str, String)>) -> Value {
    let mut c = json!({
        "type": kind,
        "status": if status { "True" } else { "False" },
        "lastProbeTime": null,
        "lastTransitionTime": now,
    });
    if let Some((reason, message)) = reason {
        c["reason"] = json!(reason);
        c["message"] = json!(message);
    }
    c
}

fn container_started_events(ctx: &Ctx, pod: &Value, c: &Value, node: &str) {
    let cname = str_at(c, "/name").unwrap_or_default();
    let image = str_at(c, "/image").unwrap_or_default();
    let pulled = format!("Container image \"{image}\" already present on machine");
    kubelet_event(ctx, pod, c, node, "Normal", "Pulled", &pulled);
    let created = format!("Created container: {cname}");
    kubelet_event(ctx, pod, c, node, "Normal", "Created", &created);
    let started = format!("Started container {cname}");
    kubelet_event(ctx, pod, c, node, "Normal", "Started", &started);
}

fn kubelet_event(
    ctx: &Ctx,
    pod: &Value,
    c: &Value,
    node: &str,
    event_type: &str,
    reason: &str,
    message: &str,
) {
    let field_path = format!(
        "spec.containers{{{}}}",
        str_at(c, "/name").unwrap_or_default()
    );
    let involved = util::typed(pod, "v1", "Pod");
    events::record_at(
        ctx.store,
        &EventSpec {
            involved: &involved,
            field_path: Some(&field_path),
            event_type,
            reason,
            message,
            component: "kubelet",
            host: Some(node),
        },
        ctx.now,
    );
}

/// Stops a pod marked for deletion (once its finalizers are gone) and removes it.
fn terminate(ctx: &Ctx, pod: &Value) {
    let has_finalizers = pod
        .pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|f| !f.is_empty());
    if has_finalizers {
        return;
    }
    if let Some(node) = str_at(pod, "/spec/nodeName").filter(|n| !n.is_empty()) {
        let running: Vec<String> = pod
            .pointer("/status/containerStatuses")
            .and_then(Value::as_array)
            .map(|cs| {
                cs.iter()
                    .filter(|c| c.pointer("/state/running").is_some())
                    .filter_map(|c| str_at(c, "/name").map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        for cname in running {
            let c = json!({"name": cname});
            let message = format!("Stopping container {cname}");
            kubelet_event(ctx, pod, &c, node, "Normal", "Killing", &message);
        }
    }
    let _ = ctx.store.delete(&pod_key(pod));
}

/// `httpd:2.4` → `docker.io/library/httpd:2.4`, as containerd reports images.
fn full_image(image: &str) -> String {
    let (path, tag) = split_image(image);
    format!("{path}{tag}")
}

/// `docker.io/library/httpd@sha256:<digest>`, with a digest derived from the image name.
fn image_id(image: &str) -> String {
    let (path, _) = split_image(image);
    format!("{path}@sha256:{}", digest_hex(image))
}

fn split_image(image: &str) -> (String, String) {
    let (name, tag) = match util::image_tag(image) {
        Some(tag) => (&image[..image.len() - tag.len() - 1], format!(":{tag}")),
        None if image.contains('@') => match image.split_once('@') {
            Some((name, digest)) => (name, format!("@{digest}")),
            None => (image, String::new()),
        },
        None => (image, ":latest".to_string()),
    };
    let first = name.split('/').next().unwrap_or_default();
    let has_registry =
        name.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    let path = if has_registry {
        name.to_string()
    } else if name.contains('/') {
        format!("docker.io/{name}")
    } else {
        format!("docker.io/library/{name}")
    };
    (path, tag)
}

/// 64 stable hex digits for an image, standing in for its sha256 digest.
fn digest_hex(image: &str) -> String {
    let mut out = String::new();
    let mut seed: u64 = 0xcbf2_9ce4_8422_2325;
    for round in 0u8..4 {
        for b in image.bytes().chain([round]) {
            seed = (seed ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        out.push_str(&format!("{seed:016x}"));
    }
    out
}

fn random_hex(len: usize) -> String {
    (0..len)
        .map(|_| char::from(b"0123456789abcdef"[fastrand::usize(..16)]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_normalised_like_containerd() {
        assert_eq!(full_image("httpd:2.4"), "docker.io/library/httpd:2.4");
        assert_eq!(full_image("nginx"), "docker.io/library/nginx:latest");
        assert_eq!(full_image("bitnami/redis:7"), "docker.io/bitnami/redis:7");
        assert_eq!(full_image("quay.io/x/y:1"), "quay.io/x/y:1");
        assert!(image_id("httpd:2.4").starts_with("docker.io/library/httpd@sha256:"));
        assert_eq!(
            image_id("httpd:2.4").len(),
            "docker.io/library/httpd@sha256:".len() + 64
        );
    }
}
