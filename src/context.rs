//! The one seam every command gets: flags, kubeconfig, namespace, API client, discovery, the
//! output streams and what is known about the terminal behind them. Everything is built lazily,
//! so `kz version --client` reads no kubeconfig and starts no runtime. Tests build a `Context`
//! with their own `Environment` (terminal facts included) and captured streams.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context as _, Result};

use crate::cli::GlobalArgs;
use crate::client::ApiClient;
use crate::credentials::Credentials;
use crate::discovery::{Discovery, DiscoveryCache};
use crate::kubeconfig::{KUBECONFIG_ENV, Kubeconfigs, LoadingRules, Selection};
use crate::streams::Stderr;
use crate::terminal::{Terminal, TerminalEnv};

/// Overrides the discovery cache location (tests, CI sandboxes).
pub const CACHE_DIR_ENV: &str = "KZ_CACHE_DIR";

/// What kz reads from its process environment and standard streams, captured once.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// `KUBECONFIG`.
    pub kubeconfig: Option<OsString>,
    pub home: Option<PathBuf>,
    /// Where the discovery cache lives: `KZ_CACHE_DIR`, else `<user cache dir>/kz`.
    pub cache_root: Option<PathBuf>,
    /// Whether a pod's service-account configuration may be used (`KUBERNETES_SERVICE_HOST`).
    pub in_cluster: bool,
    /// Whether stdout and stderr are terminals, their widths, `NO_COLOR`, `TERM`, `COLUMNS`.
    pub terminal: TerminalEnv,
    /// Whether stdin is a terminal: exec credential plugins may then talk to the user.
    pub stdin_is_terminal: bool,
}

impl Environment {
    pub fn from_process() -> Self {
        let cache_root = std::env::var_os(CACHE_DIR_ENV)
            .filter(|dir| !dir.is_empty())
            .map(PathBuf::from)
            .or_else(|| dirs::cache_dir().map(|dir| dir.join("kz")));
        Environment {
            kubeconfig: std::env::var_os(KUBECONFIG_ENV),
            home: dirs::home_dir(),
            cache_root,
            in_cluster: std::env::var_os("KUBERNETES_SERVICE_HOST").is_some_and(|h| !h.is_empty()),
            terminal: TerminalEnv::from_process(),
            stdin_is_terminal: std::io::IsTerminal::is_terminal(&std::io::stdin()),
        }
    }
}

pub struct Context {
    pub global: GlobalArgs,
    /// Where commands print their results.
    pub out: Box<dyn Write>,
    /// Where warnings, notices, `-v` traces and the final error go; writes cannot fail.
    pub err: Stderr,
    env: Environment,
    kubeconfigs: Option<Kubeconfigs>,
    selection: Option<Selection>,
    runtime: Option<tokio::runtime::Runtime>,
    client: Option<ApiClient>,
}

impl Context {
    pub fn new(global: GlobalArgs, env: Environment, out: Box<dyn Write>, err: Stderr) -> Self {
        Context {
            global,
            out,
            err,
            env,
            kubeconfigs: None,
            selection: None,
            runtime: None,
            client: None,
        }
    }

    /// The kubeconfig files (`--kubeconfig`, `KUBECONFIG` or `~/.kube/config`), loaded once.
    pub fn kubeconfigs(&mut self) -> Result<&Kubeconfigs> {
        if let Some(loaded) = self.kubeconfigs.take() {
            return Ok(self.kubeconfigs.insert(loaded));
        }
        let rules = LoadingRules::new(
            self.global.kubeconfig.clone(),
            self.env.kubeconfig.as_deref(),
            self.env.home.as_deref(),
        );
        let loaded = Kubeconfigs::load(rules)?;
        if self.global.verbosity >= 6 {
            for file in loaded.files().iter().filter(|file| file.config.is_some()) {
                self.err.line(format_args!(
                    "Config loaded from file: {}",
                    file.path.display()
                ));
            }
        }
        Ok(self.kubeconfigs.insert(loaded))
    }

    /// The cluster, user and namespace in effect: the kubeconfig with flags applied, or the
    /// pod's service account when there is no kubeconfig at all.
    pub fn selection(&mut self) -> Result<&Selection> {
        if let Some(selection) = self.selection.take() {
            return Ok(self.selection.insert(selection));
        }
        let use_in_cluster = self.env.in_cluster
            && self.global.server.is_none()
            && self.global.context.is_none()
            && self.kubeconfigs()?.is_empty();
        let selection = if use_in_cluster {
            Selection::in_cluster(&self.global)?
        } else {
            let global = self.global.clone();
            self.kubeconfigs()?.select(&global)?
        };
        Ok(self.selection.insert(selection))
    }

    /// The namespace commands default to: `-n` > the context's namespace > `default`.
    pub fn namespace(&mut self) -> Result<String> {
        Ok(self.selection()?.namespace.clone())
    }

    /// The API client for the selected server.
    pub fn client(&mut self) -> Result<ApiClient> {
        if let Some(client) = &self.client {
            return Ok(client.clone());
        }
        let stdin_is_terminal = self.env.stdin_is_terminal;
        let selection = self.selection()?;
        let mut config = selection.config.clone();
        let credentials = match selection.token_source.clone() {
            Some((user, source)) => {
                let (credentials, certificate) =
                    Credentials::fetch_first(&user, source, stdin_is_terminal)?;
                if let Some(issued) = certificate {
                    use base64::Engine as _;
                    use secrecy::ExposeSecret as _;
                    let base64 = base64::engine::general_purpose::STANDARD;
                    config.auth_info.client_certificate_data =
                        Some(base64.encode(issued.certificate_pem));
                    config.auth_info.client_key_data =
                        Some(base64.encode(issued.key_pem.expose_secret()).into());
                }
                credentials
            }
            None => None,
        };
        let timeout = self.global.request_timeout();
        let verbosity = self.global.verbosity;
        let runtime = self.runtime()?;
        // kube spawns its connection worker on the current runtime.
        let _entered = runtime.enter();
        let client = ApiClient::new(config, timeout, verbosity, self.err.clone())?
            .with_credentials(credentials);
        self.client = Some(client.clone());
        Ok(client)
    }

    /// Discovery for the selected server, cached on disk under the cache root.
    pub fn discovery(&mut self) -> Result<Discovery<ApiClient>> {
        let client = self.client()?;
        let cache = self
            .env
            .cache_root
            .as_deref()
            .map(|root| DiscoveryCache::new(root, client.server()));
        Ok(Discovery::new(client, cache))
    }

    /// The selected server's discovery catalog from the disk cache, whatever its age, without
    /// a request; `None` when nothing is cached (completion offers types from it).
    pub fn cached_catalog(&mut self) -> Result<Option<crate::discovery::Catalog>> {
        let client = self.client()?;
        Ok(self
            .env
            .cache_root
            .as_deref()
            .and_then(|root| DiscoveryCache::new(root, client.server()).read(None)))
    }

    /// Whether stdout is a terminal, its width and whether to colour it (`--color`).
    pub fn out_terminal(&self) -> Terminal {
        self.env.terminal.stdout(self.global.color)
    }

    /// Whether stderr is a terminal, its width and whether to colour it (`--color`).
    pub fn err_terminal(&self) -> Terminal {
        self.env.terminal.stderr(self.global.color)
    }

    /// Runs `future` to completion on kz's runtime.
    pub fn block_on<F: Future>(&mut self, future: F) -> Result<F::Output> {
        Ok(self.runtime()?.block_on(future))
    }

    /// Flushes buffered output.
    pub fn flush(&mut self) -> Result<()> {
        self.out.flush().context("writing output")
    }

    fn runtime(&mut self) -> Result<&tokio::runtime::Runtime> {
        if let Some(runtime) = self.runtime.take() {
            return Ok(self.runtime.insert(runtime));
        }
        // One thread: a list's next page is asked for before the current one is printed, and
        // the server works on it meanwhile (see api::list).
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the async runtime")?;
        Ok(self.runtime.insert(runtime))
    }
}

/// Test contexts: captured streams and terminal facts the test chooses.
#[cfg(test)]
impl Context {
    /// A context whose stdout and stderr are captured; read them from the returned streams.
    pub fn for_test(global: GlobalArgs, env: Environment) -> (Context, CapturedStreams) {
        let streams = CapturedStreams::default();
        let ctx = Context::new(
            global,
            env,
            Box::new(streams.out.clone()),
            Stderr::new(streams.err.clone()),
        );
        (ctx, streams)
    }
}

/// What a test context wrote to stdout and to stderr.
#[cfg(test)]
#[derive(Debug, Clone, Default)]
pub struct CapturedStreams {
    pub out: crate::streams::Captured,
    pub err: crate::streams::Captured,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::ColorMode;
    use crate::terminal::Tty;

    fn env_for(kubeconfig: &std::path::Path) -> Environment {
        Environment {
            kubeconfig: Some(kubeconfig.as_os_str().to_owned()),
            ..Environment::default()
        }
    }

    fn context_for(kubeconfig: &std::path::Path, global: GlobalArgs) -> Context {
        Context::for_test(global, env_for(kubeconfig)).0
    }

    fn run(args: &[&str], env: Environment) -> (Result<()>, CapturedStreams) {
        let cli = crate::cli::try_parse_from(std::iter::once("kz").chain(args.iter().copied()))
            .expect("valid arguments");
        let (mut ctx, streams) = Context::for_test(cli.global, env);
        let result = crate::cmd::run(cli.command, &mut ctx).and(ctx.flush());
        (result, streams)
    }

    #[test]
    fn a_command_writes_its_result_to_stdout_and_notices_to_stderr() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(&path, "current-context: shop\n").unwrap();
        let (result, streams) = run(&["config", "current-context", "-v=6"], env_for(&path));
        result.unwrap();
        assert_eq!(streams.out.text(), "shop\n");
        assert_eq!(
            streams.err.text(),
            format!("Config loaded from file: {}\n", path.display())
        );
    }

    #[test]
    fn request_traces_and_get_notices_go_to_the_context_stderr() {
        let server = kz_testserver::TestServer::builder().empty().start();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        server
            .write_kubeconfig(&path, &kz_testserver::User::admin())
            .unwrap();

        let (result, streams) = run(&["get", "namespace", "kube-system", "-v=6"], env_for(&path));
        result.unwrap();
        let out = streams.out.text();
        assert!(
            out.starts_with("NAME          STATUS   AGE\nkube-system   Active   "),
            "{out}"
        );
        let err = streams.err.text();
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(
            lines[0],
            format!("Config loaded from file: {}", path.display())
        );
        let request = format!(
            "GET {}/api/v1/namespaces/kube-system 200 OK in ",
            server.url()
        );
        assert!(
            lines[1..]
                .iter()
                .any(|line| line.starts_with(&request) && line.ends_with(" milliseconds")),
            "{err}"
        );

        let (result, streams) = run(&["get", "configmaps", "-n", "nowhere"], env_for(&path));
        result.unwrap();
        assert_eq!(streams.out.text(), "");
        assert_eq!(
            streams.err.text(),
            "No resources found in nowhere namespace.\n"
        );
    }

    #[test]
    fn terminal_decisions_follow_the_color_flag_and_the_environment() {
        let env = Environment {
            terminal: TerminalEnv {
                term: Some("xterm".into()),
                columns: Some("100".into()),
                stdout: Tty {
                    is_terminal: true,
                    window_width: Some(80),
                },
                ..TerminalEnv::default()
            },
            ..Environment::default()
        };
        let context = |color| {
            let global = GlobalArgs {
                color,
                ..GlobalArgs::default()
            };
            Context::for_test(global, env.clone()).0
        };
        let auto = context(ColorMode::Auto);
        assert_eq!(
            auto.out_terminal(),
            Terminal {
                is_terminal: true,
                width: Some(100),
                color: true,
            }
        );
        assert_eq!(auto.err_terminal(), Terminal::default());
        assert!(context(ColorMode::Always).err_terminal().color);
        assert!(!context(ColorMode::Never).out_terminal().color);
    }

    #[test]
    fn namespace_comes_from_the_flag_then_the_context() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(
            &path,
            "current-context: c\nclusters:\n- name: k\n  cluster: {server: 'http://127.0.0.1:1'}\ncontexts:\n- name: c\n  context: {cluster: k, namespace: shop}\n",
        )
        .unwrap();
        assert_eq!(
            context_for(&path, GlobalArgs::default())
                .namespace()
                .unwrap(),
            "shop"
        );
        let flagged = GlobalArgs {
            namespace: Some("kube-system".into()),
            ..GlobalArgs::default()
        };
        assert_eq!(
            context_for(&path, flagged).namespace().unwrap(),
            "kube-system"
        );
    }

    #[test]
    fn nothing_is_loaded_until_asked_for() {
        let mut ctx = context_for(
            std::path::Path::new("/nonexistent/kubeconfig"),
            GlobalArgs::default(),
        );
        assert!(ctx.kubeconfigs.is_none() && ctx.runtime.is_none());
        // A missing KUBECONFIG entry is skipped, like kubectl; nothing to select then.
        let err = format!("{:#}", ctx.namespace().unwrap_err());
        assert!(err.starts_with("no kubeconfig found"), "{err}");
        assert!(ctx.runtime.is_none());
    }
}
