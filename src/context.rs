//! The one seam every command gets: flags, kubeconfig, namespace, API client, discovery and
//! the output stream. Everything is built lazily, so `kz version --client` reads no kubeconfig
//! and starts no runtime. Tests build a `Context` with their own `Environment` and output.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context as _, Result};

use crate::cli::GlobalArgs;
use crate::client::ApiClient;
use crate::discovery::{Discovery, DiscoveryCache};
use crate::kubeconfig::{KUBECONFIG_ENV, Kubeconfigs, LoadingRules, Selection};

/// Overrides the discovery cache location (tests, CI sandboxes).
pub const CACHE_DIR_ENV: &str = "KZ_CACHE_DIR";

/// What kz reads from its process environment, captured once.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// `KUBECONFIG`.
    pub kubeconfig: Option<OsString>,
    pub home: Option<PathBuf>,
    /// Where the discovery cache lives: `KZ_CACHE_DIR`, else `<user cache dir>/kz`.
    pub cache_root: Option<PathBuf>,
    /// Whether a pod's service-account configuration may be used (`KUBERNETES_SERVICE_HOST`).
    pub in_cluster: bool,
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
        }
    }
}

pub struct Context {
    pub global: GlobalArgs,
    /// Where commands print their results.
    pub out: Box<dyn Write>,
    env: Environment,
    kubeconfigs: Option<Kubeconfigs>,
    selection: Option<Selection>,
    runtime: Option<tokio::runtime::Runtime>,
    client: Option<ApiClient>,
}

impl Context {
    pub fn new(global: GlobalArgs, env: Environment, out: Box<dyn Write>) -> Self {
        Context {
            global,
            out,
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
                eprintln!("Config loaded from file: {}", file.path.display());
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
        let config = self.selection()?.config.clone();
        let timeout = self.global.request_timeout();
        let verbosity = self.global.verbosity;
        let runtime = self.runtime()?;
        // kube spawns its connection worker on the current runtime.
        let _entered = runtime.enter();
        let client = ApiClient::new(config, timeout, verbosity)?;
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
        // One worker beside the main thread: the next page of a list is fetched and decoded
        // there while this thread prints the current one.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .context("starting the async runtime")?;
        Ok(self.runtime.insert(runtime))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context_for(kubeconfig: &std::path::Path, global: GlobalArgs) -> Context {
        let env = Environment {
            kubeconfig: Some(kubeconfig.as_os_str().to_owned()),
            home: None,
            cache_root: None,
            in_cluster: false,
        };
        Context::new(global, env, Box::new(std::io::sink()))
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
