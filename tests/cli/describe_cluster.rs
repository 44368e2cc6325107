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
        describe_like_kubectl(&sandbox, &["describe", "hpa", "-n", "shop", "--show-events=false"]);
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
        assert!(out.contains("Non-terminated Pods:"), "{out}");
        describe_like_kubectl(&sandbox, &["describe", "nodes"]);
    }
}
