//! The command line: global connection flags (kubectl's names and formats) and one Args struct
//! per verb. Parsing only; commands turn these into validated options.

mod apply;
mod completion;
mod create;
mod delete;
mod describe;
mod diff;
mod dry_run;
mod get;
mod logs;
mod plugin;
mod print;
pub mod rollout;
mod scale;
pub mod suggest;
mod targets;
mod validate;
mod values;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Arg, ArgAction, Args, CommandFactory, Parser, Subcommand, ValueEnum};
use clap_complete::ArgValueCompleter;

pub use apply::ApplyArgs;
pub use completion::{CompletionArgs, CompletionShell};
pub use create::CreateArgs;
pub use delete::DeleteArgs;
pub use describe::DescribeArgs;
pub use diff::DiffArgs;
pub use dry_run::{DRY_RUN_ALONE, DryRun, DryRunArg};
pub use get::GetArgs;
pub use logs::{LogFormat, LogsArgs};
pub use plugin::{PLUGIN_BINARY, command_for, is_plugin};
pub use print::PrintArgs;
pub use rollout::RolloutCommand;
pub use scale::ScaleArgs;
pub use targets::ObjectArgs;
pub use validate::ValidateArg;
pub use values::{
    parse_go_bool, parse_go_duration, parse_request_timeout, parse_signed_duration, parse_timeout,
};

/// kz's command line: the derived definition, with every boolean flag taking kubectl's
/// optional Go-style value (`--no-headers`, `--no-headers=false`, `-A=true`).
pub fn command() -> clap::Command {
    with_go_booleans(Cli::command())
}

/// Parses `args` (the program name first) with [`command`]; main parses the process's own.
#[cfg(test)]
pub fn try_parse_from<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::FromArgMatches as _;
    let matches = command().try_get_matches_from(args)?;
    Cli::from_arg_matches(&matches)
}

/// Applies [`go_boolean`] to every argument of `command` and of its subcommands.
fn with_go_booleans(command: clap::Command) -> clap::Command {
    command
        .mut_args(go_boolean)
        .mut_subcommands(with_go_booleans)
}

/// A plain boolean flag becomes one of kubectl's: `--flag` means true, `--flag=false` false
/// (Go's `strconv.ParseBool` spellings), absent false unless the flag declared a default of
/// true. A tri-state `Option<bool>` flag is not a plain boolean and is left alone.
fn go_boolean(arg: Arg) -> Arg {
    if !matches!(arg.get_action(), ArgAction::SetTrue) {
        return arg;
    }
    // A flag that declared its own default (true) keeps it.
    let arg = if arg.get_default_values().is_empty() {
        arg.default_value("false")
    } else {
        arg
    };
    arg.action(ArgAction::Set)
        .value_name("BOOL")
        .num_args(0..=1)
        .require_equals(true)
        .default_missing_value("true")
        .value_parser(parse_go_bool)
}

/// A fast, friendly Kubernetes command-line client.
#[derive(Debug, Parser)]
#[command(
    name = "kz",
    version,
    about = "A fast, friendly Kubernetes command-line client",
    arg_required_else_help = true,
    disable_help_subcommand = true,
    long_about = "kz controls Kubernetes clusters: the kubectl commands people use every day, with kubectl's flags, output and exit codes, in one fast binary.",
    after_help = "Examples:\n  kz get pods -A\n  kz describe deploy/web\n  kz -n shop rollout status deploy/web\n  kz completion bash   # shell completion\n\nUse \"kz <command> --help\" for more information about a given command."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Flags every verb accepts, before or after the verb, exactly as kubectl spells them.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Path to the kubeconfig file to use (instead of KUBECONFIG or ~/.kube/config).
    #[arg(long, global = true, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,

    /// The name of the kubeconfig context to use.
    #[arg(long, global = true, value_name = "NAME", add = ArgValueCompleter::new(crate::complete::contexts))]
    pub context: Option<String>,

    /// The name of the kubeconfig cluster to use.
    #[arg(long, global = true, value_name = "NAME", add = ArgValueCompleter::new(crate::complete::clusters))]
    pub cluster: Option<String>,

    /// The name of the kubeconfig user to use.
    #[arg(long, global = true, value_name = "NAME", add = ArgValueCompleter::new(crate::complete::users))]
    pub user: Option<String>,

    /// The namespace scope for this request.
    #[arg(short = 'n', long, global = true, value_name = "NAMESPACE", add = ArgValueCompleter::new(crate::complete::namespaces))]
    pub namespace: Option<String>,

    /// The address and port of the Kubernetes API server.
    #[arg(short = 's', long, global = true, value_name = "URL")]
    pub server: Option<String>,

    /// Bearer token for authentication to the API server.
    #[arg(long, global = true, value_name = "TOKEN")]
    pub token: Option<String>,

    /// Path to a certificate file for the certificate authority.
    #[arg(long, global = true, value_name = "PATH")]
    pub certificate_authority: Option<PathBuf>,

    /// Path to a client certificate file for TLS.
    #[arg(long, global = true, value_name = "PATH")]
    pub client_certificate: Option<PathBuf>,

    /// Path to a client key file for TLS.
    #[arg(long, global = true, value_name = "PATH")]
    pub client_key: Option<PathBuf>,

    /// If true, the server's certificate will not be checked for validity (insecure).
    #[arg(long, global = true)]
    pub insecure_skip_tls_verify: bool,

    /// Server name to use for server certificate validation.
    #[arg(long, global = true, value_name = "NAME")]
    pub tls_server_name: Option<String>,

    /// How long to wait for a single server request: seconds (30) or a duration (30s, 1m, 2h).
    /// 0 waits forever.
    #[arg(
        long,
        global = true,
        value_name = "DURATION",
        default_value = "0",
        value_parser = parse_request_timeout,
    )]
    pub request_timeout: Duration,

    /// Log verbosity: 6 traces requests, 7 adds request headers, 8 adds response bodies.
    /// Credentials are always redacted.
    #[arg(
        short = 'v',
        long = "v",
        global = true,
        value_name = "LEVEL",
        default_value_t = 0
    )]
    pub verbosity: u8,

    /// Username to impersonate for the operation.
    #[arg(long = "as", global = true, value_name = "USER")]
    pub impersonate: Option<String>,

    /// Group to impersonate for the operation; repeat for several groups.
    #[arg(long = "as-group", global = true, value_name = "GROUP")]
    pub impersonate_groups: Vec<String>,

    /// When to use colour on stdout and stderr.
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "WHEN",
        default_value_t = ColorMode::Auto
    )]
    pub color: ColorMode,
}

/// `--color`: whether kz may colour what it writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorMode {
    /// Colour a stream only when it is a terminal, NO_COLOR is unset or empty and TERM is
    /// not dumb.
    #[default]
    Auto,
    /// Always colour, even into a pipe or a file.
    Always,
    /// Never colour.
    Never,
}

impl GlobalArgs {
    /// `--request-timeout`, where zero means none.
    pub fn request_timeout(&self) -> Option<Duration> {
        Some(self.request_timeout).filter(|timeout| !timeout.is_zero())
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Display one or many resources.
    Get(Box<GetArgs>),

    /// Show details of a specific resource or group of resources.
    Describe(DescribeArgs),

    /// Apply a configuration to resources by file name or stdin.
    #[command(long_about = apply::LONG_ABOUT)]
    Apply(Box<ApplyArgs>),
    /// Diff the live version against a would-be applied version.
    #[command(long_about = diff::LONG_ABOUT)]
    Diff(Box<DiffArgs>),
    /// Create a resource from a file or from stdin.
    Create(Box<CreateArgs>),
    /// Delete resources by file names, stdin, resources and names, or by resources and label
    /// selector.
    Delete(Box<DeleteArgs>),

    /// Set a new size for a deployment, replica set, replication controller or stateful set.
    Scale(Box<ScaleArgs>),
    /// Print the logs for a container in a pod.
    Logs(Box<LogsArgs>),
    /// Manage the rollout of one or many resources.
    #[command(
        subcommand,
        after_help = "Examples:\n  kz rollout status deployment/web\n  kz rollout history deployment/web\n  kz rollout undo deployment/web\n  kz rollout restart deployment/web"
    )]
    Rollout(RolloutCommand),

    /// Print the client and server version information.
    #[command(after_help = "Examples:\n  kz version\n  kz version --client -o yaml")]
    Version(VersionArgs),

    /// Print the supported API resources on the server.
    #[command(
        after_help = "Examples:\n  kz api-resources\n  kz api-resources --namespaced=false -o wide\n  kz api-resources --api-group=apps --verbs=list,watch\n  kz api-resources -o name --sort-by=name"
    )]
    ApiResources(ApiResourcesArgs),

    /// Print the supported API versions on the server, in the form of "group/version".
    #[command(after_help = "Examples:\n  kz api-versions")]
    ApiVersions,

    /// Modify kubeconfig files.
    #[command(
        subcommand,
        after_help = "Examples:\n  kz config view\n  kz config get-contexts\n  kz config use-context prod\n  kz config set-context --current --namespace=shop"
    )]
    Config(ConfigCommand),

    /// Output shell completion code for the specified shell (bash, zsh, fish or powershell).
    Completion(CompletionArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StructuredOutput {
    Json,
    Yaml,
}

#[derive(Debug, Args)]
pub struct VersionArgs {
    /// If true, shows client version only (no server required).
    #[arg(long)]
    pub client: bool,

    /// One of 'yaml' or 'json'.
    #[arg(short, long, value_enum, value_name = "FORMAT")]
    pub output: Option<StructuredOutput>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ApiResourcesOutput {
    Wide,
    Name,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ApiResourcesSort {
    Name,
    Kind,
}

#[derive(Debug, Args)]
pub struct ApiResourcesArgs {
    /// Output format: wide or name.
    #[arg(short, long, value_enum, value_name = "FORMAT")]
    pub output: Option<ApiResourcesOutput>,

    /// Only show namespaced (true) or cluster-scoped (false) resources.
    #[arg(
        long,
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        value_parser = parse_go_bool,
    )]
    pub namespaced: Option<bool>,

    /// Limit to resources in the specified API group ("" for the core group).
    #[arg(long, value_name = "GROUP")]
    pub api_group: Option<String>,

    /// Limit to resources that support the specified verbs (comma-separated).
    #[arg(long, value_name = "VERBS", value_delimiter = ',')]
    pub verbs: Vec<String>,

    /// Limit to resources that belong to the specified categories (comma-separated).
    #[arg(long, value_name = "CATEGORIES", value_delimiter = ',')]
    pub categories: Vec<String>,

    /// Sort by a field: name or kind.
    #[arg(long, value_enum, value_name = "FIELD")]
    pub sort_by: Option<ApiResourcesSort>,

    /// Don't print headers.
    #[arg(long)]
    pub no_headers: bool,

    /// Use the cached discovery even when it is older than its 6-hour lifetime.
    #[arg(long)]
    pub cached: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Display merged kubeconfig settings or a specified kubeconfig file.
    #[command(
        after_help = "Examples:\n  kz config view\n  kz config view --minify --raw\n  kz config view -o json"
    )]
    View(ConfigViewArgs),

    /// Display the current-context.
    #[command(after_help = "Examples:\n  kz config current-context")]
    CurrentContext,

    /// Describe one or many contexts.
    #[command(
        after_help = "Examples:\n  kz config get-contexts\n  kz config get-contexts prod -o name"
    )]
    GetContexts(GetContextsArgs),

    /// Set the current-context in a kubeconfig file.
    #[command(after_help = "Examples:\n  kz config use-context prod")]
    UseContext(UseContextArgs),

    /// Set a context entry in kubeconfig: `kz config set-context NAME --namespace=NS
    /// [--cluster=NAME] [--user=NAME]` (the global --namespace, --cluster and --user flags give
    /// the values to store).
    #[command(
        after_help = "Examples:\n  kz config set-context --current --namespace=shop\n  kz config set-context dev --cluster=dev --user=alice --namespace=web"
    )]
    SetContext(SetContextArgs),
}

#[derive(Debug, Args)]
pub struct ConfigViewArgs {
    /// Display raw byte data and sensitive data.
    #[arg(long)]
    pub raw: bool,

    /// Remove all information not used by the current-context from the output.
    #[arg(long)]
    pub minify: bool,

    /// Embed the files the kubeconfig names (CA, client certificate and key) as data, for a
    /// self-contained file. Like kubectl, this shows credentials as --raw does.
    #[arg(long)]
    pub flatten: bool,

    #[command(flatten)]
    pub print: PrintArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NameOutput {
    Name,
}

#[derive(Debug, Args)]
pub struct GetContextsArgs {
    /// Only these contexts.
    pub names: Vec<String>,

    /// Output format: name.
    #[arg(short, long, value_enum, value_name = "FORMAT")]
    pub output: Option<NameOutput>,

    /// Don't print headers.
    #[arg(long)]
    pub no_headers: bool,
}

#[derive(Debug, Args)]
pub struct UseContextArgs {
    /// The context to make current.
    pub name: String,
}

#[derive(Debug, Args)]
pub struct SetContextArgs {
    /// The context to create or modify.
    pub name: Option<String>,

    /// Modify the current context.
    #[arg(long)]
    pub current: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Cli {
        try_parse_from(std::iter::once("kz").chain(args.iter().copied()))
            .unwrap_or_else(|err| panic!("{args:?}: {err}"))
    }

    #[test]
    fn clap_definition_is_consistent() {
        command().debug_assert();
    }

    /// Every `TYPE[/NAME]` positional of every verb completes types and names: a verb that
    /// declares its own instead of using `ObjectArgs` must attach the completer too.
    #[test]
    fn every_type_name_positional_completes_from_the_cluster() {
        fn check(command: &clap::Command, path: &str, found: &mut usize) {
            for arg in command.get_positionals() {
                let names = arg.get_value_names().unwrap_or_default();
                if names.iter().any(|name| name.starts_with("TYPE")) {
                    *found += 1;
                    assert!(
                        arg.get::<ArgValueCompleter>().is_some(),
                        "{path}: add = ArgValueCompleter::new(crate::complete::resource_args)"
                    );
                }
            }
            for sub in command.get_subcommands() {
                check(sub, &format!("{path} {}", sub.get_name()), found);
            }
        }
        let mut found = 0;
        check(&command(), "kz", &mut found);
        assert!(found >= 10, "{found} TYPE[/NAME] positionals");
    }

    /// Like kubectl's, every verb's help ends with examples (the man pages' EXAMPLES too).
    #[test]
    fn every_verb_has_examples() {
        fn check(command: &clap::Command, path: &str) {
            let help = command.get_after_help().map(|help| help.to_string());
            assert!(
                help.as_deref()
                    .is_some_and(|help| help.starts_with("Examples:\n  ")),
                "{path}: add after_help = \"Examples:\\n  kz …\""
            );
            for sub in command.get_subcommands() {
                check(sub, &format!("{path} {}", sub.get_name()));
            }
        }
        check(&command(), "kz");
    }

    #[test]
    fn global_flags_work_before_and_after_the_verb() {
        let before = parse(&["-n", "shop", "--context", "prod", "api-resources"]);
        let after = parse(&["api-resources", "-n", "shop", "--context=prod"]);
        for cli in [before, after] {
            assert_eq!(cli.global.namespace.as_deref(), Some("shop"));
            assert_eq!(cli.global.context.as_deref(), Some("prod"));
        }
    }

    #[test]
    fn verbosity_accepts_kubectl_spellings() {
        for args in [
            &["-v", "8", "api-versions"][..],
            &["-v=8", "api-versions"],
            &["--v=8", "api-versions"],
            &["api-versions", "-v8"],
        ] {
            assert_eq!(parse(args).global.verbosity, 8, "{args:?}");
        }
    }

    #[test]
    fn request_timeout_formats() {
        let cli = parse(&["--request-timeout=1m", "api-versions"]);
        assert_eq!(cli.global.request_timeout(), Some(Duration::from_secs(60)));
        let cli = parse(&["--request-timeout", "30", "api-versions"]);
        assert_eq!(cli.global.request_timeout(), Some(Duration::from_secs(30)));
        let cli = parse(&["api-versions"]);
        assert_eq!(cli.global.request_timeout(), None);
        assert!(try_parse_from(["kz", "--request-timeout=soon", "api-versions"]).is_err());
    }

    #[test]
    fn go_style_booleans() {
        let cli = parse(&["api-resources", "--namespaced=false", "--no-headers"]);
        let Command::ApiResources(args) = cli.command else {
            panic!("wrong command")
        };
        assert_eq!(args.namespaced, Some(false));
        assert!(args.no_headers);

        let cli = parse(&["--insecure-skip-tls-verify", "api-versions"]);
        assert!(cli.global.insecure_skip_tls_verify);
    }

    #[test]
    fn every_boolean_flag_takes_a_go_value() {
        let get = |args: &[&str]| match parse(args).command {
            Command::Get(get) => get,
            other => panic!("not get: {other:?}"),
        };
        let plain = get(&["get", "pods"]);
        assert!(!plain.all_namespaces && !plain.no_headers && !plain.watch);
        assert!(
            plain.print.allow_missing_template_keys,
            "the one flag that defaults to true"
        );
        let set = get(&[
            "get",
            "pods",
            "-A",
            "--no-headers",
            "--watch=true",
            "--show-kind=T",
        ]);
        assert!(set.all_namespaces && set.no_headers && set.watch && set.show_kind);
        let unset = get(&[
            "get",
            "pods",
            "-A=false",
            "--no-headers=0",
            "--allow-missing-template-keys=false",
        ]);
        assert!(
            !unset.all_namespaces && !unset.no_headers && !unset.print.allow_missing_template_keys
        );
        assert!(try_parse_from(["kz", "get", "pods", "--show-labels=maybe"]).is_err());
    }

    #[test]
    fn color_defaults_to_auto_and_takes_a_mode() {
        assert_eq!(parse(&["api-versions"]).global.color, ColorMode::Auto);
        assert_eq!(
            parse(&["--color=never", "api-versions"]).global.color,
            ColorMode::Never
        );
        assert_eq!(
            parse(&["api-versions", "--color", "always"]).global.color,
            ColorMode::Always
        );
        assert!(try_parse_from(["kz", "--color=sometimes", "api-versions"]).is_err());
    }

    #[test]
    fn impersonation_and_credentials() {
        let cli = parse(&[
            "--as=alice",
            "--as-group=devs",
            "--as-group",
            "ops",
            "--token=abc",
            "-s",
            "https://k:6443",
            "api-versions",
        ]);
        assert_eq!(cli.global.impersonate.as_deref(), Some("alice"));
        assert_eq!(cli.global.impersonate_groups, ["devs", "ops"]);
        assert_eq!(cli.global.token.as_deref(), Some("abc"));
        assert_eq!(cli.global.server.as_deref(), Some("https://k:6443"));
    }

    #[test]
    fn api_resources_lists() {
        let cli = parse(&["api-resources", "--verbs=list,watch", "--api-group="]);
        let Command::ApiResources(args) = cli.command else {
            panic!("wrong command")
        };
        assert_eq!(args.verbs, ["list", "watch"]);
        assert_eq!(args.api_group.as_deref(), Some(""));
    }

    #[test]
    fn set_context_takes_values_from_the_global_flags() {
        let cli = parse(&["config", "set-context", "--current", "--namespace=shop"]);
        assert_eq!(cli.global.namespace.as_deref(), Some("shop"));
        let Command::Config(ConfigCommand::SetContext(args)) = cli.command else {
            panic!("wrong command")
        };
        assert!(args.current);
        assert_eq!(args.name, None);
    }
}
