//! What each verb lets its arguments name, and the words kubectl uses when they name nothing.
//! The builder asks here; no verb words these messages itself.

use anyhow::anyhow;

use super::UsageError;

/// kubectl's message when `get` has nothing to get.
pub const REQUIRED_RESOURCE: &str = "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples";

/// The resource builder's own message when nothing at all was named (`missingResourceError`).
pub const MISSING_RESOURCE: &str = "You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'";

const LOGS_USAGE: &str = "expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples";

/// A verb that turns arguments into objects through the builder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    Describe,
    Delete,
    Scale,
    /// Every `rollout` subcommand: status, history, undo, restart, pause, resume.
    Rollout,
    /// `logs POD [CONTAINER]`, `logs TYPE/NAME`, `logs -l SELECTOR`.
    Logs,
    /// `-f` only.
    Apply,
    /// `-f` only, like apply.
    Diff,
    /// `create -f`: `-f` only, and objects may leave their name to the server
    /// (`generateName`).
    Create,
}

impl Verb {
    /// What kubectl says before building anything when no argument and no `-f` was given;
    /// `None` where the builder's own rules decide (delete, scale; logs, which may have `-l`
    /// instead).
    pub(super) fn nothing_named(self) -> Option<anyhow::Error> {
        match self {
            Verb::Get => Some(UsageError(REQUIRED_RESOURCE.to_owned()).into()),
            Verb::Describe => Some(anyhow!(
                "You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources."
            )),
            Verb::Rollout => Some(anyhow!("required resource not specified")),
            Verb::Apply | Verb::Diff | Verb::Create => {
                Some(anyhow!("must specify one of -f and -k"))
            }
            Verb::Delete | Verb::Scale | Verb::Logs => None,
        }
    }

    /// Whether `TYPE` alone means every object of the type (kubectl's `allowEmptySelector`);
    /// `all` is the verb's `--all` flag.
    pub(super) fn type_alone_selects_all(self, all: bool) -> bool {
        match self {
            Verb::Get | Verb::Describe | Verb::Rollout => true,
            // kubectl scale passes --all as allowEmptySelector.
            Verb::Scale => all,
            Verb::Delete | Verb::Logs | Verb::Apply | Verb::Diff | Verb::Create => false,
        }
    }

    /// Whether `--all` selects everything like an empty label selector (delete's
    /// `SelectAllParam`), so it cannot go with names or other selectors.
    pub(super) fn all_is_a_selector(self) -> bool {
        self == Verb::Delete
    }

    /// Whether the verb takes objects from `-f` only, with no positional arguments.
    pub(super) fn reads_files_only(self) -> bool {
        matches!(self, Verb::Apply | Verb::Diff | Verb::Create)
    }

    /// Whether every object of a manifest must have a name (every verb but `create` acts on
    /// existing objects or applies by name).
    pub(super) fn needs_manifest_names(self) -> bool {
        self != Verb::Create
    }

    /// `kubectl apply pods`: positional arguments where only `-f` is read.
    pub(super) fn unexpected_args(self, args: &[String]) -> anyhow::Error {
        anyhow!(
            "Unexpected args: [{}]\nSee 'kubectl {} -h' for help and examples",
            args.join(" "),
            self.name()
        )
    }

    /// The command's name, as kubectl's messages spell it.
    pub fn name(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::Describe => "describe",
            Verb::Delete => "delete",
            Verb::Scale => "scale",
            Verb::Rollout => "rollout",
            Verb::Logs => "logs",
            Verb::Apply => "apply",
            Verb::Diff => "diff",
            Verb::Create => "create",
        }
    }
}

/// `logs` with no pod, or with more than a pod and a container.
pub(super) fn logs_usage() -> anyhow::Error {
    anyhow!("{LOGS_USAGE}")
}

/// `logs web-0 -l app=web`.
pub(super) fn logs_name_and_selector() -> anyhow::Error {
    anyhow!(
        "only a selector (-l) or a POD name is allowed\nSee 'kubectl logs -h' for help and examples"
    )
}
