//! `kz describe` of the cluster-level kinds — nodes, HorizontalPodAutoscalers, RBAC roles
//! and bindings, CustomResourceDefinitions — against the real kubectl on the same server.

use kz_testserver::{TestServer, User};

use crate::describe::describe_like_kubectl;
use crate::support::{Sandbox, run};

fn cluster() -> (TestServer, Sandbox) {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    (server, sandbox)
}

const RBAC: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: shop-reader, namespace: shop, labels: {team: web}}
rules:
- apiGroups: ["", apps]
  resources: [pods, deployments/scale, pods/log]
  verbs: [get, list]
- apiGroups: [""]
  resources: [pods]
  verbs: [watch, get]
- apiGroups: [""]
  resources: [configmaps]
  resourceNames: [settings, flags]
  verbs: [update, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ops, annotations: {owner: platform}}
rules:
- nonResourceURLs: [/healthz, /metrics]
  verbs: [get, post]
- apiGroups: ["*"]
  resources: ["*"]
  verbs: ["*"]
- apiGroups: [batch]
  resources: [jobs, cronjobs]
  verbs: [create, delete]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: empty}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read-shop, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: shop-reader}
subjects:
- {kind: User, name: jane, apiGroup: rbac.authorization.k8s.io}
- {kind: ServiceAccount, name: default, namespace: shop}
- {kind: Group, name: "system:authenticated", apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops-team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ops}
subjects:
- {kind: ServiceAccount, name: operator, namespace: kube-system}
"#;

mod rbac {
    use super::*;

    /// Roles with several rules: broken down, compacted per resource and sorted by verbs
    /// first, as kubectl does.
    #[test]
    fn roles_and_bindings_are_described_like_kubectl() {
        let (server, sandbox) = cluster();
        server.create(RBAC).expect("rbac objects");
        let role =
            describe_like_kubectl(&sandbox, &["describe", "role", "shop-reader", "-n", "shop"]);
        assert!(
            role.contains(
                "  pods                    []                 []              [get list watch]\n"
            ),
            "{role}"
        );
        let ops = describe_like_kubectl(&sandbox, &["describe", "clusterrole", "ops"]);
        assert!(ops.contains("[/healthz]"), "{ops}");
        describe_like_kubectl(&sandbox, &["describe", "clusterrole", "empty"]);
        describe_like_kubectl(&sandbox, &["describe", "clusterroles"]);
        describe_like_kubectl(
            &sandbox,
            &["describe", "rolebinding", "read-shop", "-n", "shop"],
        );
        describe_like_kubectl(&sandbox, &["describe", "clusterrolebinding", "ops-team"]);
        describe_like_kubectl(&sandbox, &["describe", "roles,rolebindings", "-A"]);
    }

    #[test]
    fn missing_roles_are_reported_like_kubectl() {
        let (server, sandbox) = cluster();
        server.create(RBAC).expect("rbac objects");
        describe_like_kubectl(&sandbox, &["describe", "role", "nope", "-n", "shop"]);
        describe_like_kubectl(&sandbox, &["describe", "clusterrole", "o"]);
        describe_like_kubectl(&sandbox, &["describe", "clusterrolebinding", "zzz"]);
        let missing = run(sandbox.kz(), &["describe", "role", "nope", "-n", "shop"]);
        assert_eq!(missing.code, Some(1));
    }
}

/// An HPA with every metric type and a scaling behavior (the status as a controller that
/// could measure cpu would write it).
const WEB_HPA: &str = r#"
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: StatefulSet, name: cache}
  maxReplicas: 5
  metrics:
  - {type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}}
  - {type: Resource, resource: {name: memory, target: {type: Utilization}}}
  - {type: ContainerResource, containerResource: {name: cpu, container: app, target: {type: AverageValue, averageValue: "0.5"}}}
  - {type: Pods, pods: {metric: {name: qps}, target: {type: AverageValue, averageValue: 1k}}}
  - {type: Object, object: {metric: {name: hits}, describedObject: {kind: Service, name: web}, target: {type: Value, value: "10"}}}
  - {type: External, external: {metric: {name: queue}, target: {type: AverageValue, averageValue: "30"}}}
  behavior:
    scaleUp:
      stabilizationWindowSeconds: 0
      policies: [{type: Pods, value: 4, periodSeconds: 15}, {type: Percent, value: 100, periodSeconds: 15}]
    scaleDown:
      selectPolicy: Min
      policies: [{type: Percent, value: 10, periodSeconds: 60}]
"#;

mod hpa {
    use super::*;

    #[test]
    fn the_fixture_hpa_is_described_like_kubectl() {
        let (_server, sandbox) = cluster();
        let out = describe_like_kubectl(&sandbox, &["describe", "hpa", "frontend", "-n", "shop"]);
        assert!(out.contains("Reference:"), "{out}");
        describe_like_kubectl(
            &sandbox,
            &["describe", "hpa", "-n", "shop", "--show-events=false"],
        );
    }

    /// The fake metrics pipeline: every pod uses half its request, so a 20% cpu target
    /// scales the frontend up — limited to twice its size — and the HPA says so.
    #[test]
    fn an_hpa_with_resource_metrics_scales_and_is_described_like_kubectl() {
        let (server, sandbox) = cluster();
        server
            .create(
                "apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: frontend-cpu, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: frontend}
  minReplicas: 1
  maxReplicas: 10
  metrics:
  - {type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 20}}}
  - {type: Resource, resource: {name: memory, target: {type: AverageValue, averageValue: 64Mi}}}
",
            )
            .expect("hpa");
        server.controller().step(1);
        let out =
            describe_like_kubectl(&sandbox, &["describe", "hpa", "frontend-cpu", "-n", "shop"]);
        assert!(
            out.contains(
                "  resource cpu on pods  (as a percentage of request):  50% (25m) / 20%\n"
            ),
            "{out}"
        );
        assert!(
            out.contains(
                "  resource memory on pods:                             16777216 / 64Mi\n"
            ),
            "{out}"
        );
        assert!(
            out.contains(
                "Deployment pods:                                       2 current / 4 desired\n"
            ),
            "{out}"
        );
        assert!(
            out.contains("ScalingLimited  True    ScaleUpLimit"),
            "{out}"
        );
        assert!(
            out.contains(
                "New size: 4; reason: cpu resource utilization (percentage of request) above target"
            ),
            "{out}"
        );
        server.controller().step(12);
        describe_like_kubectl(&sandbox, &["describe", "hpa", "-n", "shop"]);
    }

    /// kubectl still prints the HPA when its events cannot be read, with `Events: <none>`.
    #[test]
    fn forbidden_events_leave_the_description() {
        let (server, _) = cluster();
        server.deny("viewer", "list", "events");
        let sandbox = Sandbox::for_server(&server, &User::named("viewer"));
        let out = describe_like_kubectl(&sandbox, &["describe", "hpa", "frontend", "-n", "shop"]);
        assert!(out.ends_with("Events:           <none>\n"), "{out}");
        describe_like_kubectl(&sandbox, &["describe", "hpa", "nope", "-n", "shop"]);
        describe_like_kubectl(&sandbox, &["describe", "hpa", "fr", "-n", "shop"]);
    }

    #[test]
    fn every_metric_type_is_described_like_kubectl() {
        let (server, sandbox) = cluster();
        server.create(WEB_HPA).expect("hpa");
        let out = describe_like_kubectl(&sandbox, &["describe", "hpa", "web", "-n", "shop"]);
        assert!(out.contains("  \"queue\" (target average value):"), "{out}");
    }
}

mod node {
    use super::*;

    #[test]
    fn nodes_are_described_like_kubectl() {
        let (_server, sandbox) = cluster();
        let out = describe_like_kubectl(&sandbox, &["describe", "node", "fake-node-1"]);
        assert!(
            out.contains("Lease:\n  HolderIdentity:  fake-node-1\n"),
            "{out}"
        );
        assert!(out.contains("Non-terminated Pods:"), "{out}");
        describe_like_kubectl(&sandbox, &["describe", "nodes"]);
        describe_like_kubectl(
            &sandbox,
            &["describe", "node", "fake-node-2", "--show-events=false"],
        );
    }

    /// Forty pods with requests and limits (and an init container) spread over the two
    /// nodes: the table, the percentages and the totals.
    #[test]
    fn a_node_with_many_pods_is_described_like_kubectl() {
        let (server, sandbox) = cluster();
        server
            .create(
                "apiVersion: apps/v1
kind: Deployment
metadata: {name: busy, namespace: shop}
spec:
  replicas: 40
  selector: {matchLabels: {app: busy}}
  template:
    metadata: {labels: {app: busy}}
    spec:
      initContainers:
      - {name: setup, image: busybox, resources: {requests: {cpu: 700m, memory: 10Mi}}}
      containers:
      - name: app
        image: nginx
        resources: {requests: {cpu: 150m, memory: 300Mi}, limits: {cpu: \"1.5\", memory: 1Gi, example.com/gpu: \"1\"}}
      - {name: side, image: nginx, resources: {requests: {cpu: 0.05, memory: 1G}}}
",
            )
            .expect("deployment");
        server.controller().step(6);
        let out = describe_like_kubectl(&sandbox, &["describe", "node", "fake-node-1"]);
        assert!(out.contains("700m (8%)"), "{out}");
        describe_like_kubectl(&sandbox, &["describe", "node", "fake-node-2"]);
    }

    /// Pods the user may not list read `Pods: not authorized`; forbidden events leave the
    /// Events section empty; a missing node is kubectl's NotFound.
    #[test]
    fn forbidden_and_missing_read_like_kubectl() {
        let (server, _) = cluster();
        server.deny("viewer", "list", "pods");
        server.deny("viewer", "list", "events");
        server.deny("viewer", "get", "leases");
        let sandbox = Sandbox::for_server(&server, &User::named("viewer"));
        let out = describe_like_kubectl(&sandbox, &["describe", "node", "fake-node-1"]);
        assert!(
            out.contains("Pods:                         not authorized\n"),
            "{out}"
        );
        assert!(
            out.contains("Lease:              Failed to get lease: "),
            "{out}"
        );
        describe_like_kubectl(&sandbox, &["describe", "node", "nope"]);
        describe_like_kubectl(&sandbox, &["describe", "node", "fake"]);
        let missing = run(sandbox.kz(), &["describe", "node", "nope"]);
        assert_eq!(missing.code, Some(1));
    }
}

mod crd {
    use super::*;

    /// kubectl has no describer for CustomResourceDefinitions: the generic one applies.
    #[test]
    fn crds_are_described_like_kubectl() {
        let (_server, sandbox) = cluster();
        let out = describe_like_kubectl(&sandbox, &["describe", "crd", "gizmos.example.org"]);
        assert!(
            out.starts_with("Name:         gizmos.example.org\n"),
            "{out}"
        );
        describe_like_kubectl(&sandbox, &["describe", "crd"]);
        describe_like_kubectl(&sandbox, &["describe", "crd", "nope.example.org"]);
    }
}
