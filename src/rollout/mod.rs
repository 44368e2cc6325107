//! Rollouts: the pure rules that say how far a Deployment, StatefulSet or DaemonSet has rolled
//! out (`status`). Commands fetch and watch; these functions only read objects.

pub mod status;
