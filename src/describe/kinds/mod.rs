//! One describer per kind, keyed by API group and kind like kubectl's `describerMap`; every
//! other kind (custom resources included) gets the generic describer.

mod configmap;
mod cronjob;
mod daemonset;
mod deployment;
mod endpoints;
mod endpointslice;
mod errors;
mod ingress;
mod ingressclass;
mod job;
mod namespace;
#[cfg(test)]
mod network_fixtures;
mod networkpolicy;
mod persistentvolume;
mod persistentvolumeclaim;
mod pod;
pub mod pod_template;
mod poddisruptionbudget;
mod priorityclass;
mod replicaset;
mod replicationcontroller;
mod resourcequota;
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
    ("", "ConfigMap", &configmap::ConfigMap),
    ("batch", "CronJob", &cronjob::CronJob),
    ("apps", "DaemonSet", &daemonset::DaemonSet),
    ("apps", "Deployment", &deployment::Deployment),
    ("discovery.k8s.io", "EndpointSlice", &endpointslice::EndpointSlice),
    ("", "Endpoints", &endpoints::Endpoints),
    ("networking.k8s.io", "Ingress", &ingress::Ingress),
    ("networking.k8s.io", "IngressClass", &ingressclass::IngressClass),
    ("batch", "Job", &job::Job),
    ("", "LimitRange", &resourcequota::LimitRange),
    ("", "Namespace", &namespace::Namespace),
    ("networking.k8s.io", "NetworkPolicy", &networkpolicy::NetworkPolicy),
    ("", "PersistentVolume", &persistentvolume::PersistentVolume),
    ("", "PersistentVolumeClaim", &persistentvolumeclaim::PersistentVolumeClaim),
    ("", "Pod", &pod::Pod),
    ("policy", "PodDisruptionBudget", &poddisruptionbudget::PodDisruptionBudget),
    ("scheduling.k8s.io", "PriorityClass", &priorityclass::PriorityClass),
    ("apps", "ReplicaSet", &replicaset::ReplicaSet),
    ("", "ReplicationController", &replicationcontroller::ReplicationController),
    ("", "ResourceQuota", &resourcequota::ResourceQuota),
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
