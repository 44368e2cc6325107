//! One describer per kind, keyed by API group and kind like kubectl's `describerMap`; every
//! other kind (custom resources included) gets the generic describer.

mod cluster_role;
mod cluster_role_binding;
mod configmap;
mod cronjob;
mod daemonset;
mod deployment;
mod endpoints;
mod endpointslice;
mod errors;
mod horizontal_pod_autoscaler;
mod ingress;
mod ingressclass;
mod job;
mod namespace;
#[cfg(test)]
mod network_fixtures;
mod networkpolicy;
mod node;
mod persistentvolume;
mod persistentvolumeclaim;
mod pod;
mod pod_requests;
pub mod pod_template;
mod poddisruptionbudget;
mod priorityclass;
mod rbac;
mod replicaset;
mod replicationcontroller;
mod resourcequota;
mod role;
mod role_binding;
mod secret;
mod service;
mod serviceaccount;
mod statefulset;
mod storage;
mod storageclass;
#[cfg(test)]
mod test_support;
pub mod volumes;
mod workload;
#[cfg(test)]
mod workload_fixtures;

use super::Describer;
use super::generic::Generic;

/// (group, kind, describer), one line per kind, sorted by kind.
#[rustfmt::skip]
static DESCRIBERS: &[(&str, &str, &(dyn Describer + 'static))] = &[
    ("rbac.authorization.k8s.io", "ClusterRole", &cluster_role::ClusterRole),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding", &cluster_role_binding::ClusterRoleBinding),
    ("", "ConfigMap", &configmap::ConfigMap),
    ("batch", "CronJob", &cronjob::CronJob),
    ("apps", "DaemonSet", &daemonset::DaemonSet),
    ("apps", "Deployment", &deployment::Deployment),
    ("discovery.k8s.io", "EndpointSlice", &endpointslice::EndpointSlice),
    ("", "Endpoints", &endpoints::Endpoints),
    ("autoscaling", "HorizontalPodAutoscaler", &horizontal_pod_autoscaler::HorizontalPodAutoscaler),
    ("networking.k8s.io", "Ingress", &ingress::Ingress),
    ("networking.k8s.io", "IngressClass", &ingressclass::IngressClass),
    ("batch", "Job", &job::Job),
    ("", "LimitRange", &resourcequota::LimitRange),
    ("", "Namespace", &namespace::Namespace),
    ("networking.k8s.io", "NetworkPolicy", &networkpolicy::NetworkPolicy),
    ("", "Node", &node::Node),
    ("", "PersistentVolume", &persistentvolume::PersistentVolume),
    ("", "PersistentVolumeClaim", &persistentvolumeclaim::PersistentVolumeClaim),
    ("", "Pod", &pod::Pod),
    ("policy", "PodDisruptionBudget", &poddisruptionbudget::PodDisruptionBudget),
    ("scheduling.k8s.io", "PriorityClass", &priorityclass::PriorityClass),
    ("apps", "ReplicaSet", &replicaset::ReplicaSet),
    ("", "ReplicationController", &replicationcontroller::ReplicationController),
    ("", "ResourceQuota", &resourcequota::ResourceQuota),
    ("rbac.authorization.k8s.io", "Role", &role::Role),
    ("rbac.authorization.k8s.io", "RoleBinding", &role_binding::RoleBinding),
    ("", "Secret", &secret::Secret),
    ("", "Service", &service::Service),
    ("", "ServiceAccount", &serviceaccount::ServiceAccount),
    ("apps", "StatefulSet", &statefulset::StatefulSet),
    ("storage.k8s.io", "StorageClass", &storageclass::StorageClass),
];

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
