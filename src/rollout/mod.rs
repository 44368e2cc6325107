//! What `kz rollout` knows about workloads, apart from the requests: kubectl's polymorphic
//! helpers for the kinds it supports. Commands fetch and watch; these functions only read
//! objects and build patches.
//!
//! - `status`: how far a Deployment, StatefulSet or DaemonSet has rolled out (kubectl's
//!   status viewers).
//! - `change`: the patches `pause`, `resume` and `restart` send (kubectl's ObjectPauser,
//!   ObjectResumer and ObjectRestarter), or why an object cannot take them.
//! - `history`: revisions from ReplicaSets and ControllerRevisions, and their texts.
//! - `undo`: the rollbackers: which revision, whether it is already running, the patch.

pub mod change;
pub mod history;
pub mod status;
pub mod undo;
