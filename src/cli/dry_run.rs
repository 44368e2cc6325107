//! `--dry-run`, as every writing verb reads it (kubectl's `cmdutil.GetDryRunStrategy`):
//! `none`, `client`, `server`, `--dry-run` alone (client, deprecated) and the deprecated
//! booleans.

use anyhow::{Result, bail};
use clap::Args;

/// `--dry-run[=STRATEGY]`, the same flag (and kubectl's help text) on every writing verb.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct DryRunArg {
    /// Must be "none", "server", or "client". If client strategy, only print the object that
    /// would be sent, without sending it. If server strategy, submit server-side request
    /// without persisting the resource.
    #[arg(
        long = "dry-run",
        value_name = "STRATEGY",
        default_value = "none",
        num_args = 0..=1,
        default_missing_value = DRY_RUN_ALONE,
        require_equals = true
    )]
    pub value: String,
}

impl Default for DryRunArg {
    fn default() -> Self {
        DryRunArg {
            value: "none".to_owned(),
        }
    }
}

impl DryRunArg {
    /// The strategy, and kubectl's deprecation warning where it gives one.
    pub fn parse(&self) -> Result<(DryRun, Option<String>)> {
        DryRun::parse(&self.value)
    }
}

/// Whether the change is made, and who pretends to make it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DryRun {
    #[default]
    None,
    Client,
    Server,
}

/// What clap stores for `--dry-run` given without a value.
pub const DRY_RUN_ALONE: &str = "unchanged";

impl DryRun {
    /// The strategy `value` names, and kubectl's deprecation warning where it gives one;
    /// kubectl's message for anything else.
    pub fn parse(value: &str) -> Result<(DryRun, Option<String>)> {
        let deprecated = |replacement: &str| {
            Some(format!(
                "Warning: --dry-run={value} is deprecated (boolean value) and can be replaced with --dry-run={replacement}."
            ))
        };
        Ok(match value {
            "none" => (DryRun::None, None),
            "client" => (DryRun::Client, None),
            "server" => (DryRun::Server, None),
            DRY_RUN_ALONE => (
                DryRun::Client,
                Some(
                    "Warning: --dry-run is deprecated and can be replaced with --dry-run=client."
                        .to_owned(),
                ),
            ),
            "1" | "t" | "T" | "true" | "TRUE" | "True" => (DryRun::Client, deprecated("client")),
            "0" | "f" | "F" | "false" | "FALSE" | "False" => (DryRun::None, deprecated("none")),
            other => {
                bail!(
                    "Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."
                )
            }
        })
    }

    /// What kubectl adds to the printed operation: ` (dry run)`, ` (server dry run)`.
    pub fn suffix(self) -> &'static str {
        match self {
            DryRun::None => "",
            DryRun::Client => " (dry run)",
            DryRun::Server => " (server dry run)",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dry_run_values_read_like_kubectl() {
        assert_eq!(DryRun::parse("server").unwrap(), (DryRun::Server, None));
        assert_eq!(DryRun::parse("none").unwrap(), (DryRun::None, None));
        assert_eq!(DryRun::parse(DRY_RUN_ALONE).unwrap().0, DryRun::Client);
        assert_eq!(DryRun::parse("true").unwrap().0, DryRun::Client);
        assert_eq!(DryRun::parse("false").unwrap().0, DryRun::None);
        assert_eq!(
            DryRun::parse("bogus").unwrap_err().to_string(),
            "Invalid dry-run value (bogus). Must be \"none\", \"server\", or \"client\"."
        );
        assert_eq!(DryRun::Server.suffix(), " (server dry run)");
    }
}
