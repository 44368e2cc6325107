//! The flags that say which objects a `rollout` subcommand acts on, shared by history, undo,
//! restart, pause and resume.

pub use crate::cli::ObjectArgs;

/// `--field-manager`, as kubectl spells its default for rollout's writes.
pub const FIELD_MANAGER: &str = "kubectl-rollout";
