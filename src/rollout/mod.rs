//! What `kz rollout` does to workloads, apart from the requests: kubectl's polymorphic
//! helpers for the kinds it supports.
//!
//! - `change`: the patches `pause`, `resume` and `restart` send (kubectl's ObjectPauser,
//!   ObjectResumer and ObjectRestarter), or why an object cannot take them.
//! - `history`: revisions from ReplicaSets and ControllerRevisions, and their texts.
//! - `undo`: the rollbackers: which revision, whether it is already running, the patch.

pub mod change;
pub mod history;
pub mod undo;
