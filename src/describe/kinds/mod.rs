//! One describer per kind, keyed by API group and kind like kubectl's `describerMap`; every
//! other kind (custom resources included) gets the generic describer.

mod cluster_role;
mod cluster_role_binding;
mod horizontal_pod_autoscaler;
mod node;
mod pod_requests;
mod rbac;
mod role;
mod role_binding;

use super::Describer;
use super::generic::Generic;

/// (group, kind, describer), one line per kind, sorted by kind.
#[rustfmt::skip]
static DESCRIBERS: &[(&str, &str, &(dyn Describer + 'static))] = &[
    (RBAC, "ClusterRole", &cluster_role::ClusterRole),
    (RBAC, "ClusterRoleBinding", &cluster_role_binding::ClusterRoleBinding),
    ("autoscaling", "HorizontalPodAutoscaler", &horizontal_pod_autoscaler::HorizontalPodAutoscaler),
    ("", "Node", &node::Node),
    (RBAC, "Role", &role::Role),
    (RBAC, "RoleBinding", &role_binding::RoleBinding),
];

const RBAC: &str = "rbac.authorization.k8s.io";

/// The describer for objects of `group` (empty for the core group) and `kind`.
pub fn describer_for(group: &str, kind: &str) -> &'static dyn Describer {
    DESCRIBERS
        .iter()
        .find(|(g, k, _)| *g == group && *k == kind)
        .map_or(&Generic, |(_, _, describer)| *describer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_registered_once() {
        for (i, (group, kind, _)) in DESCRIBERS.iter().enumerate() {
            assert!(
                !DESCRIBERS[..i]
                    .iter()
                    .any(|(g, k, _)| g == group && k == kind),
                "{group}/{kind} twice"
            );
        }
    }
}
