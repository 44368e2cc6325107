//! The flags on top of the kubeconfig: which context, cluster, user and namespace a command
//! uses, and the `kube::Config` that connects to them.

use std::fmt;
use std::path::Path;

use anyhow::{Context as _, Result, bail};
use kube::config::{
    AuthInfo, Cluster, Context, Kubeconfig, NamedAuthInfo, NamedCluster, NamedContext,
};
use secrecy::SecretString;

use super::Kubeconfigs;
use crate::cli::GlobalArgs;
use crate::credentials::{ClusterInfo, ExecPlugin, TokenSource};

impl Kubeconfigs {
    /// The context in effect: `--context`, else the merged `current-context`.
    pub fn context_name<'a>(&'a self, flags: &'a GlobalArgs) -> Option<&'a str> {
        flags
            .context
            .as_deref()
            .filter(|name| !name.is_empty())
            .or(self.merged.current_context.as_deref())
    }

    /// The namespace commands default to: `-n` > the context's namespace > `default`.
    pub fn namespace(&self, flags: &GlobalArgs) -> String {
        if let Some(namespace) = flags.namespace.as_deref().filter(|ns| !ns.is_empty()) {
            return namespace.to_owned();
        }
        self.context_name(flags)
            .and_then(|name| self.find_context(name))
            .and_then(|context| context.namespace.clone())
            .filter(|ns| !ns.is_empty())
            .unwrap_or_else(|| "default".to_owned())
    }

    /// The cluster, user and namespace to talk to, with the flags applied.
    pub fn select(&self, flags: &GlobalArgs) -> Result<Selection> {
        let context_name = self.context_name(flags).map(str::to_owned);
        let context = match &context_name {
            Some(name) => match self.find_context(name) {
                Some(context) => context.clone(),
                None => return Err(self.context_not_found(name, flags).into()),
            },
            None if flags.server.is_some() => Context::default(),
            None if self.is_empty() => bail!(
                "no kubeconfig found{}; set KUBECONFIG, pass --kubeconfig, or pass --server",
                self.describe_files()
            ),
            None => bail!(
                "current-context is not set in kubeconfig{}; pass --context or run `kz config use-context NAME`",
                self.describe_files()
            ),
        };
        let about_context = context_name
            .as_deref()
            .map(|name| format!(" (used by context \"{name}\")"))
            .unwrap_or_default();

        let cluster_flag = flags.cluster.as_deref().filter(|name| !name.is_empty());
        if let Some(name) = cluster_flag
            && !self.has_cluster(name)
        {
            // kubectl's words, even with --server.
            bail!("no server found for cluster \"{name}\"");
        }
        let cluster_name = cluster_flag
            .map(str::to_owned)
            .or_else(|| Some(context.cluster.clone()).filter(|name| !name.is_empty()));
        let mut cluster = match &cluster_name {
            Some(name) => match self.merged.clusters.iter().find(|c| &c.name == name) {
                Some(named) => {
                    let mut cluster = named.cluster.clone().unwrap_or_default();
                    if let Some(origin) = self.cluster_origin(name).and_then(Path::parent) {
                        resolve_cluster_paths(&mut cluster, origin);
                    }
                    cluster
                }
                None if flags.server.is_some() => Cluster::default(),
                None => bail!("cluster \"{name}\"{about_context} not found in kubeconfig"),
            },
            None => Cluster::default(),
        };

        let user_flag = flags.user.as_deref().filter(|name| !name.is_empty());
        if let Some(name) = user_flag
            && !self.merged.auth_infos.iter().any(|u| u.name == name)
        {
            bail!("auth info \"{name}\" does not exist");
        }
        let user_name = user_flag
            .map(str::to_owned)
            .or_else(|| context.user.clone().filter(|name| !name.is_empty()));
        let mut user = match &user_name {
            Some(name) => match self.merged.auth_infos.iter().find(|u| &u.name == name) {
                Some(named) => {
                    let mut user = named.auth_info.clone().unwrap_or_default();
                    if let Some(origin) = self.user_origin(name).and_then(Path::parent) {
                        resolve_user_paths(&mut user, origin);
                    }
                    user
                }
                None => bail!("user \"{name}\"{about_context} not found in kubeconfig"),
            },
            None => AuthInfo::default(),
        };

        apply_cluster_flags(&mut cluster, flags);
        apply_user_flags(&mut user, flags);
        if cluster.server.as_deref().is_none_or(str::is_empty) {
            let which = cluster_name.as_deref().unwrap_or("(none)");
            bail!(
                "cluster \"{which}\"{about_context} has no server address; set one or pass --server"
            );
        }

        crate::tls::inline_cluster(&mut cluster, cluster_name.as_deref())?;
        crate::tls::inline_user(&mut user, user_name.as_deref())?;
        let token_source = take_token_source(&mut user, &cluster, user_name.as_deref())?;
        let namespace = self.namespace(flags);
        let config = kube_config(cluster, user, &namespace).with_context(|| {
            let cluster = cluster_name.as_deref().unwrap_or("(none)");
            let user = user_name.as_deref().unwrap_or("(none)");
            format!("loading cluster \"{cluster}\" and user \"{user}\"{about_context}")
        })?;
        Ok(Selection {
            context: context_name,
            namespace,
            config,
            token_source,
        })
    }

    fn has_cluster(&self, name: &str) -> bool {
        self.merged.clusters.iter().any(|c| c.name == name)
    }

    /// kubectl's report for a context the kubeconfig lacks, which also names a `--cluster`
    /// it lacks, plus a hint with the contexts there are.
    fn context_not_found(&self, name: &str, flags: &GlobalArgs) -> ConfigurationError {
        let mut problems = vec![format!(
            "context was not found for specified context: {name}"
        )];
        if let Some(cluster) = flags.cluster.as_deref().filter(|c| !c.is_empty())
            && !self.has_cluster(cluster)
        {
            problems.push(format!("no server found for cluster \"{cluster}\""));
        }
        let mut contexts: Vec<&str> = self
            .merged
            .contexts
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        // Sorted, as `config get-contexts` lists them.
        contexts.sort_unstable();
        let hint = if contexts.is_empty() {
            format!(
                "There are no contexts in the kubeconfig{}.",
                self.describe_files()
            )
        } else {
            format!("Contexts in the kubeconfig: {}.", contexts.join(", "))
        };
        ConfigurationError { problems, hint }
    }
}

/// kubectl's `Error in configuration:` report, printed as it is (without `error: `), with
/// kz's hint on the line after it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigurationError {
    pub problems: Vec<String>,
    pub hint: String,
}

impl fmt::Display for ConfigurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Error in configuration: ")?;
        match self.problems.as_slice() {
            [one] => f.write_str(one)?,
            many => {
                for problem in many {
                    write!(f, "\n* {problem}")?;
                }
            }
        }
        write!(f, "\n{}", self.hint)
    }
}

/// What a command connects to.
#[derive(Debug, Clone)]
pub struct Selection {
    /// The context in use, when there is one.
    pub context: Option<String>,
    pub namespace: String,
    /// The connection, without the credentials kz fetches itself.
    pub config: kube::Config,
    /// The user (as messages name it) and where their changing token comes from: an exec
    /// plugin or a token file (see `credentials`).
    pub token_source: Option<(String, TokenSource)>,
}

impl Selection {
    /// In-cluster configuration (service account token and CA) with the flags applied.
    pub fn in_cluster(flags: &GlobalArgs) -> Result<Selection> {
        let mut config =
            kube::Config::incluster().context("loading the in-cluster configuration")?;
        if let Some(token) = &flags.token {
            config.auth_info = AuthInfo {
                token: Some(SecretString::from(token.clone())),
                ..AuthInfo::default()
            };
        }
        if flags.insecure_skip_tls_verify {
            config.accept_invalid_certs = true;
        }
        if let Some(name) = &flags.tls_server_name {
            config.tls_server_name = Some(name.clone());
        }
        apply_impersonation(&mut config.auth_info, flags);
        let namespace = flags
            .namespace
            .clone()
            .filter(|ns| !ns.is_empty())
            .unwrap_or_else(|| config.default_namespace.clone());
        Ok(Selection {
            context: None,
            namespace,
            config,
            token_source: None,
        })
    }
}

/// Takes the exec plugin or token file out of `user`, for kz to run or read as the command
/// goes (kube would do it once). A static token, basic auth or an auth provider wins over
/// both, as it does in kube.
fn take_token_source(
    user: &mut AuthInfo,
    cluster: &Cluster,
    name: Option<&str>,
) -> Result<Option<(String, TokenSource)>> {
    let name = name.unwrap_or("(none)").to_owned();
    let static_auth = user.token.is_some()
        || user.username.is_some()
        || user.password.is_some()
        || user.auth_provider.is_some();
    if static_auth {
        return Ok(None);
    }
    if let Some(exec) = user.exec.take() {
        let exec_extension = cluster.extensions.iter().flatten().find_map(|extension| {
            (extension.name == "client.authentication.k8s.io/exec").then_some(&extension.extension)
        });
        let info = ClusterInfo {
            server: cluster.server.as_deref().unwrap_or_default(),
            tls_server_name: cluster.tls_server_name.as_deref(),
            insecure_skip_tls_verify: cluster.insecure_skip_tls_verify == Some(true),
            certificate_authority_data: cluster.certificate_authority_data.as_deref(),
            proxy_url: cluster.proxy_url.as_deref(),
            disable_compression: cluster.disable_compression == Some(true),
            config: exec_extension,
        };
        let plugin = ExecPlugin::new(&exec, &name, info)?;
        return Ok(Some((name, TokenSource::Exec(plugin))));
    }
    Ok(user
        .token_file
        .take()
        .filter(|path| !path.is_empty())
        .map(|path| (name, TokenSource::File(path.into()))))
}

/// Hands the selected cluster and user (TLS material inline by now) to kube, which loads
/// token files and runs exec plugins.
fn kube_config(cluster: Cluster, user: AuthInfo, namespace: &str) -> Result<kube::Config> {
    const SELECTED: &str = "selected";
    let kubeconfig = Kubeconfig {
        clusters: vec![NamedCluster {
            name: SELECTED.to_owned(),
            cluster: Some(cluster),
            ..NamedCluster::default()
        }],
        auth_infos: vec![NamedAuthInfo {
            name: SELECTED.to_owned(),
            auth_info: Some(user),
            ..NamedAuthInfo::default()
        }],
        contexts: vec![NamedContext {
            name: SELECTED.to_owned(),
            context: Some(Context {
                cluster: SELECTED.to_owned(),
                user: Some(SELECTED.to_owned()),
                namespace: Some(namespace.to_owned()),
                ..Context::default()
            }),
            ..NamedContext::default()
        }],
        current_context: Some(SELECTED.to_owned()),
        ..Kubeconfig::default()
    };
    Ok(kube::Config::try_from(kubeconfig)?)
}

/// kubectl's cluster overrides. `--server` also replaces the kubeconfig's `tls-server-name`
/// (with `--tls-server-name` or nothing); `--insecure-skip-tls-verify` without a CA flag drops
/// the kubeconfig's CA.
fn apply_cluster_flags(cluster: &mut Cluster, flags: &GlobalArgs) {
    if let Some(server) = &flags.server {
        cluster.server = Some(server.clone());
        cluster.tls_server_name = flags.tls_server_name.clone();
    }
    if let Some(name) = &flags.tls_server_name {
        cluster.tls_server_name = Some(name.clone());
    }
    if let Some(ca) = &flags.certificate_authority {
        cluster.certificate_authority = Some(ca.display().to_string());
        cluster.certificate_authority_data = None;
    }
    if flags.insecure_skip_tls_verify {
        cluster.insecure_skip_tls_verify = Some(true);
        if flags.certificate_authority.is_none() {
            cluster.certificate_authority = None;
            cluster.certificate_authority_data = None;
        }
    }
}

/// kubectl's user overrides: `--token` replaces every other bearer credential, the client
/// certificate flags replace the kubeconfig's certificate and key.
fn apply_user_flags(user: &mut AuthInfo, flags: &GlobalArgs) {
    if let Some(token) = &flags.token {
        user.token = Some(SecretString::from(token.clone()));
        user.token_file = None;
        user.exec = None;
        user.auth_provider = None;
        user.username = None;
        user.password = None;
    }
    if let Some(cert) = &flags.client_certificate {
        user.client_certificate = Some(cert.display().to_string());
        user.client_certificate_data = None;
    }
    if let Some(key) = &flags.client_key {
        user.client_key = Some(key.display().to_string());
        user.client_key_data = None;
    }
    apply_impersonation(user, flags);
}

fn apply_impersonation(user: &mut AuthInfo, flags: &GlobalArgs) {
    if let Some(name) = &flags.impersonate {
        user.impersonate = Some(name.clone());
    }
    if !flags.impersonate_groups.is_empty() {
        user.impersonate_groups = Some(flags.impersonate_groups.clone());
    }
}

fn resolve_cluster_paths(cluster: &mut Cluster, dir: &Path) {
    resolve(&mut cluster.certificate_authority, dir);
}

fn resolve_user_paths(user: &mut AuthInfo, dir: &Path) {
    resolve(&mut user.client_certificate, dir);
    resolve(&mut user.client_key, dir);
    resolve(&mut user.token_file, dir);
    // Like client-go, only commands with a path separator are file references; `aws` is looked
    // up on PATH.
    if let Some(exec) = &mut user.exec
        && exec.command.as_deref().is_some_and(|c| c.contains('/'))
    {
        resolve(&mut exec.command, dir);
    }
}

fn resolve(path: &mut Option<String>, dir: &Path) {
    if let Some(value) = path
        && !value.is_empty()
        && Path::new(value).is_relative()
    {
        *value = dir.join(&*value).display().to_string();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubeconfig::tests::two_files;
    use crate::kubeconfig::{KubeconfigFile, LoadingRules, parse};

    fn flags() -> GlobalArgs {
        GlobalArgs::default()
    }

    #[test]
    fn namespace_precedence_is_flag_then_context_then_default() {
        let configs = two_files();
        assert_eq!(configs.namespace(&flags()), "team-a");
        let with_flag = GlobalArgs {
            namespace: Some("shop".into()),
            ..flags()
        };
        assert_eq!(configs.namespace(&with_flag), "shop");
        let other_context = GlobalArgs {
            context: Some("prod".into()),
            ..flags()
        };
        assert_eq!(configs.namespace(&other_context), "default");
    }

    #[test]
    fn selection_resolves_relative_paths_against_the_defining_file() {
        let configs = two_files();
        let prod = GlobalArgs {
            context: Some("prod".into()),
            ..flags()
        };
        // The files do not exist, and the errors say which files kz looked for.
        let err = format!("{:#}", configs.select(&prod).unwrap_err());
        assert!(
            err.starts_with(
                r#"reading client-certificate /cfg/two/prod.crt for user "prod-user": "#
            ),
            "{err}"
        );
        let err = format!("{:#}", configs.select(&flags()).unwrap_err());
        assert!(
            err.starts_with(
                r#"reading certificate-authority /cfg/one/certs/ca.crt for cluster "dev-cluster": "#
            ),
            "{err}"
        );
    }

    #[test]
    fn selection_applies_server_and_token_flags() {
        let configs = two_files();
        let overridden = GlobalArgs {
            server: Some("https://override.example:7443".into()),
            token: Some("flag-token".into()),
            insecure_skip_tls_verify: true,
            impersonate: Some("alice".into()),
            ..flags()
        };
        let selection = configs.select(&overridden).unwrap();
        assert_eq!(selection.context.as_deref(), Some("dev"));
        assert_eq!(selection.namespace, "team-a");
        assert_eq!(
            selection.config.cluster_url.to_string(),
            "https://override.example:7443/"
        );
        assert!(selection.config.auth_info.token.is_some());
        assert_eq!(
            selection.config.auth_info.impersonate.as_deref(),
            Some("alice")
        );
    }

    #[test]
    fn unknown_context_cluster_and_user_are_errors() {
        let configs = two_files();
        let missing = GlobalArgs {
            context: Some("nope".into()),
            ..flags()
        };
        let err = configs.select(&missing).unwrap_err();
        assert_eq!(
            err.downcast_ref::<ConfigurationError>(),
            Some(&ConfigurationError {
                problems: vec!["context was not found for specified context: nope".into()],
                hint: "Contexts in the kubeconfig: dev, prod.".into(),
            })
        );
        let missing_cluster_too = GlobalArgs {
            cluster: Some("lost".into()),
            ..missing.clone()
        };
        assert_eq!(
            configs
                .select(&missing_cluster_too)
                .unwrap_err()
                .to_string(),
            "Error in configuration: \n\
             * context was not found for specified context: nope\n\
             * no server found for cluster \"lost\"\n\
             Contexts in the kubeconfig: dev, prod."
        );
        // A missing --cluster or --user is an error even when the context exists, and even
        // when --server names a server.
        let flagged = |cluster: Option<&str>, user: Option<&str>| GlobalArgs {
            cluster: cluster.map(str::to_owned),
            user: user.map(str::to_owned),
            server: Some("https://elsewhere:6443".into()),
            ..flags()
        };
        assert_eq!(
            format!(
                "{:#}",
                configs.select(&flagged(Some("lost"), None)).unwrap_err()
            ),
            r#"no server found for cluster "lost""#
        );
        assert_eq!(
            format!(
                "{:#}",
                configs.select(&flagged(None, Some("ghost"))).unwrap_err()
            ),
            r#"auth info "ghost" does not exist"#
        );
        assert!(
            configs
                .select(&flagged(Some("shared"), Some("dev-user")))
                .is_ok()
        );

        let dangling = parse(
            "current-context: c\ncontexts:\n- name: c\n  context: {cluster: gone, user: u}\n",
        )
        .unwrap();
        let configs = Kubeconfigs::from_files(
            LoadingRules::default(),
            vec![KubeconfigFile {
                path: "/k".into(),
                config: Some(dangling),
            }],
        )
        .unwrap();
        let err = format!("{:#}", configs.select(&flags()).unwrap_err());
        assert_eq!(
            err,
            r#"cluster "gone" (used by context "c") not found in kubeconfig"#
        );
    }

    #[test]
    fn missing_user_is_an_error() {
        let config = parse(
            "current-context: c\nclusters:\n- name: k\n  cluster: {server: 'https://k:1'}\ncontexts:\n- name: c\n  context: {cluster: k, user: ghost}\n",
        )
        .unwrap();
        let configs = Kubeconfigs::from_files(
            LoadingRules::default(),
            vec![KubeconfigFile {
                path: "/k".into(),
                config: Some(config),
            }],
        )
        .unwrap();
        let err = format!("{:#}", configs.select(&flags()).unwrap_err());
        assert_eq!(
            err,
            r#"user "ghost" (used by context "c") not found in kubeconfig"#
        );
    }

    #[test]
    fn no_config_at_all_asks_for_one() {
        let configs = Kubeconfigs::from_files(LoadingRules::default(), Vec::new()).unwrap();
        assert!(configs.is_empty());
        let err = format!("{:#}", configs.select(&flags()).unwrap_err());
        assert!(err.starts_with("no kubeconfig found"), "{err}");
        let server_only = GlobalArgs {
            server: Some("http://127.0.0.1:8080".into()),
            ..flags()
        };
        let selection = configs.select(&server_only).unwrap();
        assert_eq!(selection.namespace, "default");
        assert_eq!(selection.context, None);
        let named = GlobalArgs {
            context: Some("nope".into()),
            ..flags()
        };
        assert_eq!(
            configs.select(&named).unwrap_err().to_string(),
            "Error in configuration: context was not found for specified context: nope\n\
             There are no contexts in the kubeconfig."
        );
    }

    #[test]
    fn insecure_flag_drops_the_kubeconfig_ca() {
        let mut cluster = Cluster {
            server: Some("https://k".into()),
            certificate_authority_data: Some("Zm9v".into()),
            ..Cluster::default()
        };
        apply_cluster_flags(
            &mut cluster,
            &GlobalArgs {
                insecure_skip_tls_verify: true,
                ..flags()
            },
        );
        assert_eq!(cluster.certificate_authority_data, None);
        assert_eq!(cluster.insecure_skip_tls_verify, Some(true));
    }
}
