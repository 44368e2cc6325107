//! `kz delete`: kubectl's flags, parsed. `cmd::delete` validates them into options.

use clap::Args;

/// Delete resources by file names, stdin, resources and names, or by resources and label
/// selector.
#[derive(Debug, Clone, Default, Args)]
#[command(
    after_help = "Examples:\n  kz delete pod web-0\n  kz delete deploy/web svc/web\n  kz delete -f manifests/app.yaml\n  kz delete pods -l app=web\n  kz delete pods --all --cascade=orphan"
)]
pub struct DeleteArgs {
    #[command(flatten)]
    pub objects: super::ObjectArgs,

    /// Field selector (=, ==, !=), e.g. status.phase=Failed.
    #[arg(long, value_name = "SELECTOR")]
    pub field_selector: Option<String>,

    /// Select across all namespaces (with --all or a selector).
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,

    /// Delete all resources, in the namespace, of the specified resource types.
    #[arg(long)]
    pub all: bool,

    /// What happens to dependents: background (default), foreground (the object goes after
    /// them) or orphan (they stay).
    #[arg(
        long,
        value_name = "STRATEGY",
        default_value = "background",
        num_args = 0..=1,
        default_missing_value = "background",
        require_equals = true
    )]
    pub cascade: String,

    /// Seconds the object has to terminate gracefully; -1 (default) takes the object's own.
    /// 0 only together with --force.
    #[arg(long, value_name = "SECONDS", default_value_t = -1, allow_hyphen_values = true)]
    pub grace_period: i64,

    /// Signal the objects to stop at once (a grace period of 1 second).
    #[arg(long)]
    pub now: bool,

    /// Remove the objects from the API at once, without waiting for them to terminate.
    #[arg(long)]
    pub force: bool,

    /// Wait until the objects are gone before returning.
    #[arg(long, default_value_t = true)]
    pub wait: bool,

    /// How long to wait for each object to be gone before giving up (e.g. 30s, 5m); 0 waits
    /// for a week, as kubectl does.
    #[arg(long, value_name = "DURATION", default_value = "0s", value_parser = super::parse_timeout)]
    pub timeout: std::time::Duration,

    /// An object that does not exist is not an error.
    #[arg(long)]
    pub ignore_not_found: bool,

    /// List the objects and delete them only when the answer is y.
    #[arg(short = 'i', long)]
    pub interactive: bool,

    #[command(flatten)]
    pub dry_run: super::DryRunArg,

    /// "name" prints resource/name for each deleted object.
    #[arg(short = 'o', long, value_name = "FORMAT", value_parser = ["name"])]
    pub output: Option<String>,
}
