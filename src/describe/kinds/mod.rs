//! One describer per kind, keyed by API group and kind like kubectl's `describerMap`; every
//! other kind (custom resources included) gets the generic describer.

mod cronjob;
mod daemonset;
mod deployment;
mod job;
mod pod;
pub mod pod_template;
mod replicaset;
mod replicationcontroller;
mod statefulset;
pub mod volumes;
mod workload;
#[cfg(test)]
mod workload_fixtures;

use super::Describer;
use super::generic::Generic;

/// (group, kind, describer), one line per kind, sorted by kind.
static DESCRIBERS: &[(&str, &str, &(dyn Describer + 'static))] = &[
    ("batch", "CronJob", &cronjob::CronJob),
    ("apps", "DaemonSet", &daemonset::DaemonSet),
    ("apps", "Deployment", &deployment::Deployment),
    ("batch", "Job", &job::Job),
    ("", "Pod", &pod::Pod),
    ("apps", "ReplicaSet", &replicaset::ReplicaSet),
    (
        "",
        "ReplicationController",
        &replicationcontroller::ReplicationController,
    ),
    ("apps", "StatefulSet", &statefulset::StatefulSet),
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
