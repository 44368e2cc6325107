//! The built-in workload controllers: Deployments, ReplicaSets, StatefulSets, DaemonSets.
