use serde_json::{Value, json};

use super::*;
use crate::describe::render;

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

fn recorded_stdout(name: &str) -> String {
    let text = fixture(&format!("kubectl/{name}"));
    text.split_once("# --- stdout\n")
        .and_then(|(_, rest)| rest.split_once("# --- stderr"))
        .expect("stdout")
        .0
        .to_string()
}

fn recorded_pod(name: &str) -> Value {
    let list: Value = serde_json::from_str(&fixture("http/029-list-pods.json")).expect("json");
    list["items"]
        .as_array()
        .and_then(|pods| pods.iter().find(|p| p["metadata"]["name"] == name))
        .cloned()
        .expect("recorded pod")
}

fn describe(pod: &Value, events: Option<Result<Vec<Value>>>) -> String {
    let fetched = Fetched {
        related: Vec::new(),
        events,
    };
    let settings = Settings {
        show_events: true,
        now: "2026-11-22T04:07:02Z".parse().expect("time"),
    };
    render(&Pod, pod, &fetched, &settings).expect("text")
}

/// The recorded two-container DaemonSet pod, everything above its events (the recording
/// holds no events list for it); times print in the local zone, the recording's was UTC.
#[test]
fn a_recorded_multi_container_pod_matches_kubectl() {
    let pod = recorded_pod("log-agent-dhfr8");
    let recorded = recorded_stdout("describe-pod-multi-container.txt");
    let (above_events, _) = recorded.split_once("Events:").expect("events");
    let expected = above_events
        .replace(
            "Sun, 22 Nov 2026 03:51:16 +0000",
            &rfc1123z(&json!("2026-11-22T03:51:16Z")),
        )
        .replace(
            "Sun, 22 Nov 2026 03:51:17 +0000",
            &rfc1123z(&json!("2026-11-22T03:51:17Z")),
        );
    assert_eq!(describe(&pod, None), expected);
    // A forbidden events request leaves the section out, as kubectl does.
    let forbidden = describe(&pod, Some(Err(anyhow::anyhow!("forbidden"))));
    assert_eq!(forbidden, expected);
    let with_events = describe(&pod, Some(Ok(Vec::new())));
    assert_eq!(
        with_events,
        format!("{expected}Events:                      <none>\n")
    );
}

/// The recorded pod of describe-pod.txt is not in the recording; a recorded sibling from the
/// same ReplicaSet, given that pod's name, IPs, times and deletion, is.
#[test]
fn a_terminating_pod_matches_kubectl() {
    let mut pod = recorded_pod("frontend-548fb674cb-h7xms");
    let recorded = recorded_stdout("describe-pod.txt");
    pod["metadata"]["name"] = json!("frontend-548fb674cb-9glfw");
    pod["metadata"]["deletionTimestamp"] = json!("2026-11-22T04:07:32Z");
    pod["metadata"]["deletionGracePeriodSeconds"] = json!(30);
    pod["spec"]["nodeName"] = json!("fake-node-2");
    pod["status"]["podIP"] = json!("10.244.2.8");
    pod["status"]["podIPs"] = json!([{"ip": "10.244.2.8"}]);
    pod["status"]["startTime"] = json!("2026-11-22T04:06:58Z");
    let text = describe(&pod, None);
    let (above_events, _) = recorded.split_once("Events:").expect("events");
    // Everything but the container's own ids and start, and the token volume's name.
    let keep = |text: &str| {
        text.lines()
            .filter(|l| !l.contains("Container ID:") && !l.contains("Started:"))
            .filter(|l| !l.contains("kube-api-access-"))
            .filter(|l| !l.starts_with("Start Time:") && !l.contains("Image ID:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(keep(&text), keep(above_events));
    assert!(text.contains("Status:                    Terminating (lasts <invalid>)\n"));
}

#[test]
fn qos_classes_are_computed_when_the_server_left_them_out() {
    let pod = |resources: Value| json!({"spec": {"containers": [{"resources": resources}]}});
    assert_eq!(qos_class(&pod(json!({}))), "BestEffort");
    assert_eq!(
        qos_class(&pod(json!({"limits": {"cpu": "1", "memory": "1Gi"},
            "requests": {"cpu": "1000m", "memory": "1024Mi"}}))),
        "Guaranteed"
    );
    assert_eq!(
        qos_class(&pod(json!({"requests": {"cpu": "100m"}}))),
        "Burstable"
    );
    assert_eq!(
        qos_class(&pod(
            json!({"limits": {"cpu": "0"}, "requests": {"memory": "0"}})
        )),
        "BestEffort"
    );
}

#[test]
fn pods_without_node_or_ips_and_with_gates_read_like_kubectl() {
    let pod = json!({
        "metadata": {"name": "p", "namespace": "shop",
            "ownerReferences": [{"kind": "Job", "name": "j", "controller": true}]},
        "spec": {"containers": [{"name": "c", "image": "busybox"}],
            "readinessGates": [{"conditionType": "example.com/ready"}, {"conditionType": "other"}]},
        "status": {"phase": "Pending", "reason": "Evicted", "message": "low memory",
            "conditions": [{"type": "example.com/ready", "status": "True"}]},
    });
    assert_eq!(
        describe(&pod, Some(Ok(Vec::new()))),
        "Name:           p
Namespace:      shop
Node:           <none>
Labels:         <none>
Annotations:    <none>
Status:         Pending
Reason:         Evicted
Message:        low memory
IP:             
IPs:            <none>
Controlled By:  Job/j
Containers:
  c:
    Image:        busybox
    Port:         <none>
    Host Port:    <none>
    Environment:  <none>
    Mounts:       <none>
Readiness Gates:
  Type                Status
  example.com/ready   True 
  other               <none> 
Conditions:
  Type                Status
  example.com/ready   True 
Volumes:              <none>
QoS Class:            BestEffort
Node-Selectors:       <none>
Tolerations:          <none>
Events:               <none>
"
    );
}
