//! `kz scale`: kubectl's flags, parsed. `cmd::scale` validates them into options.

use std::time::Duration;

use clap::Args;

use super::{PrintArgs, parse_timeout};

/// Set a new size for a deployment, replica set, replication controller, stateful set, or
/// any custom resource with a scale subresource.
#[derive(Debug, Clone, Default, Args)]
#[command(
    after_help = "Examples:\n  kz scale --replicas=3 deploy/web\n  kz scale --current-replicas=2 --replicas=3 deploy/web\n  kz scale --replicas=0 deploy,sts -l app=web\n  kz scale --replicas=5 --timeout=2m statefulset/db"
)]
pub struct ScaleArgs {
    #[command(flatten)]
    pub objects: super::ObjectArgs,

    /// The new desired number of replicas. Required.
    #[arg(long, value_name = "COUNT", allow_hyphen_values = true)]
    pub replicas: Option<i64>,

    /// Precondition for current size: the current size must match this value in order to
    /// scale. -1 (default) for no condition.
    #[arg(long, value_name = "COUNT", default_value_t = -1, allow_hyphen_values = true)]
    pub current_replicas: i64,

    /// Precondition for resource version: the current resource version must match this
    /// value in order to scale.
    #[arg(long, value_name = "VERSION")]
    pub resource_version: Option<String>,

    /// How long to wait until the status reaches the new size (1s, 2m, 3h); 0 does not wait.
    #[arg(long, value_name = "DURATION", default_value = "0", value_parser = parse_timeout)]
    pub timeout: Duration,

    /// Select all resources in the namespace of the specified resource types.
    #[arg(long)]
    pub all: bool,

    #[command(flatten)]
    pub dry_run: super::DryRunArg,

    #[command(flatten)]
    pub print: PrintArgs,
}
