//! `--dry-run`, as every writing verb reads it (kubectl's `cmdutil.GetDryRunStrategy`):
//! `none`, `client`, `server`, `--dry-run` alone (client, deprecated) and the deprecated
//! booleans.

use anyhow::{Result, bail};

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
