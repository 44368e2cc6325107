//! `kz describe pod` against the real kubectl on the test server: the fixture cluster's pods,
//! and pods made for these tests with init containers, probes of every kind, environment from
//! ConfigMaps, Secrets, fields and resources, volumes of many types, and restarts.

use kz_testserver::{TestServer, User};

use crate::describe::describe_like_kubectl;
use crate::support::{Sandbox, run};

/// A pod with everything `describePod` prints.
const RICH_POD: &str = r#"
apiVersion: v1
kind: Pod
metadata:
  name: rich
  namespace: shop
  labels: {app: rich, tier: backend}
  annotations: {note: "describe me"}
spec:
  priority: 100
  priorityClassName: high
  runtimeClassName: gvisor
  nodeSelector: {kubernetes.io/os: linux}
  securityContext:
    seccompProfile: {type: RuntimeDefault}
  tolerations:
  - {key: gpu, operator: Equal, value: "yes", effect: NoSchedule}
  - {operator: Exists}
  topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: zone
    whenUnsatisfiable: ScheduleAnyway
    labelSelector: {matchLabels: {app: rich}}
  readinessGates:
  - conditionType: example.com/warm
  initContainers:
  - name: migrate
    image: busybox:1.36
    command: [sh, -c, "echo migrating\necho done"]
  containers:
  - name: app
    image: httpd:2.4.62
    args: [--verbose]
    ports:
    - {containerPort: 8080, name: http}
    - {containerPort: 9090, hostPort: 19090, protocol: UDP}
    resources:
      limits: {cpu: "0.5", memory: 1024Mi}
      requests: {cpu: 250m, memory: 256Mi}
    livenessProbe:
      exec: {command: [cat, /tmp/healthy]}
      initialDelaySeconds: 5
    readinessProbe:
      httpGet: {path: "/ready?full=1", port: http, host: localhost}
    startupProbe:
      tcpSocket: {port: 8080}
      failureThreshold: 30
    envFrom:
    - configMapRef: {name: shop-config}
    - secretRef: {name: shop-secret, optional: true}
      prefix: SECRET_
    env:
    - {name: PLAIN, value: "one\ntwo"}
    - name: POD_NAME
      valueFrom: {fieldRef: {apiVersion: v1, fieldPath: metadata.name}}
    - name: POD_IP
      valueFrom: {fieldRef: {apiVersion: v1, fieldPath: status.podIP}}
    - name: CPU_LIMIT
      valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}
    - name: MEM_REQUEST
      valueFrom: {resourceFieldRef: {containerName: app, resource: requests.memory, divisor: 1Mi}}
    - name: THEME
      valueFrom: {configMapKeyRef: {name: shop-config, key: theme}}
    - name: PASSWORD
      valueFrom: {secretKeyRef: {name: shop-secret, key: password, optional: false}}
    volumeMounts:
    - {name: scratch, mountPath: /scratch}
    - {name: config, mountPath: /etc/app, readOnly: true}
    - {name: secret, mountPath: /etc/secret, subPath: token}
  - name: sidecar
    image: busybox:1.36
    command: [sleep, infinity]
    resources:
      limits: {cpu: 100m, memory: 64Mi}
    securityContext:
      seccompProfile: {type: Localhost, localhostProfile: profiles/audit.json}
  volumes:
  - name: scratch
    emptyDir: {medium: Memory, sizeLimit: 64Mi}
  - name: config
    configMap: {name: shop-config}
  - name: secret
    secret: {secretName: shop-secret, optional: true}
  - name: logs
    hostPath: {path: /var/log, type: Directory}
  - name: data
    persistentVolumeClaim: {claimName: data, readOnly: true}
  - name: info
    downwardAPI:
      items:
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
  - name: bundle
    projected:
      sources:
      - secret: {name: shop-secret}
      - configMap: {name: shop-config, optional: true}
      - serviceAccountToken: {path: token, expirationSeconds: 3600}
  - name: csi
    csi: {driver: secrets-store.csi.k8s.io, readOnly: true, volumeAttributes: {provider: vault, role: app}}
  - name: nfs
    nfs: {server: nfs.example.org, path: /exports}
  - name: scratch-claim
    ephemeral:
      volumeClaimTemplate:
        metadata:
          labels: {type: scratch, team: shop}
        spec:
          accessModes: [ReadWriteOnce]
          storageClassName: fast
          resources:
            requests: {storage: 1Gi}
"#;

/// A pod whose container crash-loops (the test server's `:broken` image convention), so it
/// has restarts and a last state.
const CRASHING_POD: &str = r#"
apiVersion: v1
kind: Pod
metadata:
  name: crasher
  namespace: shop
spec:
  containers:
  - name: main
    image: worker:broken
    resources:
      limits: {cpu: 200m, memory: 128Mi}
"#;

fn cluster() -> (TestServer, Sandbox) {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    (server, sandbox)
}

/// A cluster with the rich and the crashing pod created and run by the kubelet for a while.
fn cluster_with_test_pods() -> (TestServer, Sandbox) {
    let (server, sandbox) = cluster();
    server.create(RICH_POD).expect("rich pod");
    server.create(CRASHING_POD).expect("crashing pod");
    server.controller().step(12);
    (server, sandbox)
}

#[test]
fn the_fixture_clusters_pods_are_described_like_kubectl() {
    let (_server, sandbox) = cluster();
    let out = describe_like_kubectl(&sandbox, &["describe", "pods", "log-agent", "-n", "shop"]);
    assert!(out.contains("\n  rotator:\n"), "{out}");
    let all = describe_like_kubectl(&sandbox, &["describe", "pods", "-n", "shop"]);
    assert!(
        all.contains("\n\n\nName:"),
        "descriptions are separated: {all}"
    );
    describe_like_kubectl(&sandbox, &["describe", "pods", "-A"]);
}

#[test]
fn a_pod_with_every_section_is_described_like_kubectl() {
    let (_server, sandbox) = cluster_with_test_pods();
    let out = describe_like_kubectl(&sandbox, &["describe", "pod", "rich", "-n", "shop"]);
    for piece in [
        "Init Containers:\n  migrate:\n",
        "      echo migrating\n      echo done\n",
        "    State:          Terminated\n      Reason:       Completed\n",
        "    Ports:         8080/TCP, 9090/UDP\n",
        "      cpu:     500m\n      memory:  1Gi\n",
        "      POD_NAME:     rich (v1:metadata.name)\n",
        "      CPU_LIMIT:    500 (limits.cpu)\n",
        "Readiness Gates:\n",
        "    Type:          EphemeralVolume",
        "    Labels:            team=shop\n                       type=scratch\n",
        "QoS Class:                    Burstable\n",
    ] {
        assert!(out.contains(piece), "{piece:?} in\n{out}");
    }
}

#[test]
fn a_crash_looping_pod_shows_its_restarts_like_kubectl() {
    let (_server, sandbox) = cluster_with_test_pods();
    let out = describe_like_kubectl(&sandbox, &["describe", "pod", "crasher", "-n", "shop"]);
    for piece in [
        "    State:          Waiting\n      Reason:       CrashLoopBackOff\n",
        "    Last State:     Terminated\n      Reason:       Error\n      Exit Code:    1\n",
        "QoS Class:                   Guaranteed\n",
        "Warning  BackOff",
    ] {
        assert!(out.contains(piece), "{piece:?} in\n{out}");
    }
    assert!(!out.contains("Restart Count:  0\n"), "{out}");
}

#[test]
fn prefixes_selectors_and_missing_pods_like_kubectl() {
    let (_server, sandbox) = cluster_with_test_pods();
    let out = describe_like_kubectl(&sandbox, &["describe", "pods", "cache", "-n", "shop"]);
    assert!(out.starts_with("Name:             cache-0\n"), "{out}");
    assert!(out.contains("\nName:             cache-1\n"), "{out}");
    describe_like_kubectl(
        &sandbox,
        &["describe", "pods", "-l", "app=log-agent", "-n", "shop"],
    );
    describe_like_kubectl(
        &sandbox,
        &["describe", "pods", "-l", "app=nothing", "-n", "shop"],
    );
    let missing = run(sandbox.kz(), &["describe", "pod", "nope", "-n", "shop"]);
    assert_eq!(
        missing.failure(),
        "Error from server (NotFound): pods \"nope\" not found\n"
    );
    describe_like_kubectl(&sandbox, &["describe", "pod", "nope", "-n", "shop"]);
    describe_like_kubectl(
        &sandbox,
        &["describe", "pod/rich", "pod/nope", "-n", "shop"],
    );
}

/// kubectl ignores a forbidden events request: the pod is described, its events `<none>`.
#[test]
fn forbidden_events_leave_the_section_out_like_kubectl() {
    let (server, _) = cluster();
    let user = User::named("viewer");
    server.deny("viewer", "list", "events");
    let sandbox = Sandbox::for_server(&server, &user);
    let out = describe_like_kubectl(&sandbox, &["describe", "pod", "cache-0", "-n", "shop"]);
    assert!(out.starts_with("Name:             cache-0\n"), "{out}");
    assert!(
        out.ends_with("\nEvents:                      <none>\n"),
        "{out}"
    );
    // kubectl says nothing more; kz says on stderr why the events are missing.
    let kz = crate::support::run(sandbox.kz(), &["describe", "pod", "cache-0", "-n", "shop"]);
    assert_eq!(kz.code, Some(0));
    assert!(
        kz.stderr.starts_with(
            "warning: the events of pod/cache-0 could not be read: Error from server (Forbidden): events is forbidden: User \"viewer\" cannot list resource \"events\""
        ),
        "{}",
        kz.stderr
    );
}
