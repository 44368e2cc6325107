use crate::describe::fields::rfc1123z;
use serde_json::{Value, json};

use super::*;

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

/// The recorded kubectl stdout of a `tests/fixtures/kubectl/*.txt` file.
fn recorded_stdout(name: &str) -> String {
    let text = fixture(&format!("kubectl/{name}"));
    text.split_once("# --- stdout\n")
        .and_then(|(_, rest)| rest.split_once("# --- stderr"))
        .expect("stdout")
        .0
        .to_string()
}

fn render(f: impl FnOnce(&mut PrefixWriter)) -> String {
    let mut w = PrefixWriter::new();
    f(&mut w);
    w.finish()
}

/// The recorded Deployment's template gives the `Pod Template:` section kubectl printed
/// (the recording was taken one revision later, with a `FIXTURE` variable added first).
#[test]
fn a_recorded_template_matches_kubectls_pod_template_section() {
    let deployment: Value =
        serde_json::from_str(&fixture("http/088-get-deployment.json")).expect("json");
    let mut template = deployment["spec"]["template"].clone();
    let env = template["spec"]["containers"][0]["env"]
        .as_array_mut()
        .expect("env");
    env.insert(0, json!({"name": "FIXTURE", "value": "1"}));
    let text = render(|w| {
        put!(
            w,
            0,
            "RollingUpdateStrategy:\t{}\n",
            "25% max unavailable, 25% max surge"
        );
        describe_pod_template(&template, w);
    });
    let recorded = recorded_stdout("describe-deployment.txt");
    let start = recorded.find("RollingUpdateStrategy:").expect("start");
    let end = recorded.find("Conditions:").expect("end");
    assert_eq!(text, recorded[start..end]);
}

#[test]
fn containers_show_commands_probes_env_and_mounts_like_kubectl() {
    let pod = json!({"metadata": {"name": "web-1", "namespace": "shop"}});
    let containers = json!([{
        "name": "app",
        "image": "busybox:1.36",
        "command": ["sh", "-c"],
        "args": ["echo one\necho two"],
        "ports": [
            {"containerPort": 80, "protocol": "TCP"},
            {"containerPort": 53, "hostPort": 5353, "protocol": "UDP"}
        ],
        "resources": {"limits": {"memory": "1024Mi", "cpu": "0.5"}, "requests": {"cpu": "250m"}},
        "livenessProbe": {"exec": {"command": ["cat", "/tmp/ok"]}, "initialDelaySeconds": 5,
            "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3},
        "startupProbe": {"tcpSocket": {"port": "http"}, "timeoutSeconds": 1, "periodSeconds": 10,
            "successThreshold": 1, "failureThreshold": 30},
        "readinessProbe": {"grpc": {"port": 9090, "service": ""}, "timeoutSeconds": 1,
            "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3},
        "envFrom": [
            {"configMapRef": {"name": "shop-config"}},
            {"secretRef": {"name": "creds", "optional": true}, "prefix": "DB_"}
        ],
        "env": [
            {"name": "POD", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
            {"name": "IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}},
            {"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "1m"}}},
            {"name": "MEM", "valueFrom": {"resourceFieldRef": {"resource": "requests.memory", "divisor": "0"}}},
            {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "password"}}},
            {"name": "MOTD", "value": "hello\nworld"}
        ],
        "volumeMounts": [
            {"name": "data", "mountPath": "/var/data", "subPath": "app"},
            {"name": "config", "mountPath": "/etc/app", "readOnly": true}
        ]
    }]);
    let statuses = json!([{
        "name": "app", "containerID": "containerd://abc", "imageID": "docker.io/library/busybox@sha256:1",
        "ready": false, "restartCount": 2,
        "state": {"waiting": {"reason": "CrashLoopBackOff"}},
        "lastState": {"terminated": {"exitCode": 137, "signal": 9, "reason": "OOMKilled",
            "startedAt": "2026-11-22T03:51:17Z", "finishedAt": "2026-11-22T03:52:17Z"}}
    }]);
    let text = render(|w| {
        describe_containers(
            "Containers",
            &containers,
            Some(&statuses),
            Some(&pod),
            w,
            "",
        )
    });
    // The times are in the local zone, as kubectl prints them.
    let started = rfc1123z(&json!("2026-11-22T03:51:17Z"));
    let finished = rfc1123z(&json!("2026-11-22T03:52:17Z"));
    let expected = format!(
        "Containers:
  app:
    Container ID:  containerd://abc
    Image:         busybox:1.36
    Image ID:      docker.io/library/busybox@sha256:1
    Ports:         80/TCP, 53/UDP
    Host Ports:    0/TCP, 5353/UDP
    Command:
      sh
      -c
    Args:
      echo one
      echo two
    State:          Waiting
      Reason:       CrashLoopBackOff
    Last State:     Terminated
      Reason:       OOMKilled
      Exit Code:    137
      Signal:       9
      Started:      {started}
      Finished:     {finished}
    Ready:          False
    Restart Count:  2
    Limits:
      cpu:     500m
      memory:  1Gi
    Requests:
      cpu:      250m
    Liveness:   exec [cat /tmp/ok] delay=5s timeout=1s period=10s #success=1 #failure=3
    Readiness:  grpc <pod>:9090  delay=0s timeout=1s period=10s #success=1 #failure=3
    Startup:    tcp-socket :http delay=0s timeout=1s period=10s #success=1 #failure=30
    Environment Variables from:
      shop-config  ConfigMap                 Optional: false
      creds        Secret with prefix 'DB_'  Optional: true
    Environment:
      POD:       web-1 (v1:metadata.name)
      IP:         (v1:status.podIP)
      CPU:       500 (limits.cpu)
      MEM:       0 (requests.memory)
      PASSWORD:  <set to the key 'password' in secret 'creds'>  Optional: false
      MOTD:      hello
                 world
    Mounts:
      /etc/app from config (ro)
      /var/data from data (rw,path=\"app\")
"
    );
    assert_eq!(text, expected);
}

#[test]
fn templates_show_init_containers_volumes_and_scheduling_like_kubectl() {
    let template = json!({
        "metadata": {"labels": {"app": "db"}, "annotations": {"note": "x"}},
        "spec": {
            "serviceAccountName": "db",
            "priorityClassName": "high",
            "initContainers": [{"name": "init", "image": "busybox"}],
            "containers": [],
            "volumes": [
                {"name": "scratch", "emptyDir": {"sizeLimit": "1Gi"}},
                {"name": "host", "hostPath": {"path": "/var/log", "type": ""}},
                {"name": "claim", "persistentVolumeClaim": {"claimName": "data"}},
                {"name": "info", "downwardAPI": {"items": [
                    {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
                    {"path": "cpu", "resourceFieldRef": {"resource": "limits.cpu"}}
                ]}},
                {"name": "csi", "csi": {"driver": "x.csi.io", "volumeAttributes": {"a": "1", "b": "2"}}},
                {"name": "odd", "someFutureSource": {}}
            ],
            "topologySpreadConstraints": [
                {"topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule", "maxSkew": 1,
                 "labelSelector": {"matchLabels": {"app": "db"}}}
            ],
            "nodeSelector": {"disk": "ssd"},
            "tolerations": [
                {"operator": "Exists"},
                {"key": "gpu", "operator": "Equal", "value": "yes", "effect": "NoSchedule"},
                {"key": "a", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 60}
            ]
        }
    });
    let text = render(|w| describe_pod_template(&template, w));
    assert_eq!(
        text,
        "Pod Template:
  Labels:           app=db
  Annotations:      note: x
  Service Account:  db
  Init Containers:
   init:
    Image:        busybox
    Port:         <none>
    Host Port:    <none>
    Environment:  <none>
    Mounts:       <none>
  Containers: <none>
  Volumes:
   scratch:
    Type:       EmptyDir (a temporary directory that shares a pod's lifetime)
    Medium:     
    SizeLimit:  1Gi
   host:
    Type:          HostPath (bare host directory volume)
    Path:          /var/log
    HostPathType:  
   claim:
    Type:       PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)
    ClaimName:  data
    ReadOnly:   false
   info:
    Type:  DownwardAPI (a volume populated by information about the pod)
    Items:
      metadata.labels -> labels
      limits.cpu -> cpu
   csi:
    Type:              CSI (a Container Storage Interface (CSI) volume source)
    Driver:            x.csi.io
    FSType:            
    ReadOnly:          false
    VolumeAttributes:      a=1
                           b=2
   odd:
  <unknown>
  Topology Spread Constraints:  zone:DoNotSchedule when max skew 1 is exceeded for selector app=db
  Priority Class Name:          high
  Node-Selectors:               disk=ssd
  Tolerations:                  op=Exists
                                a:NoExecute op=Exists for 60s
                                gpu=yes:NoSchedule
"
    );
}
