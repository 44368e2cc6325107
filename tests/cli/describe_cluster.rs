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
