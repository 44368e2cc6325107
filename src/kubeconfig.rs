//! kubeconfig loading and writing, the way kubectl does it.
//!
//! - Files come from `--kubeconfig` (must exist), else `KUBECONFIG` (a `:`-separated list;
//!   missing files are skipped), else `~/.kube/config`.
//! - Files merge with the first file winning per key: the first `current-context`, the first
//!   cluster/user/context of a given name (later entries of that name are ignored entirely).
//! - Flags override the kubeconfig: `--context`, `--cluster`, `--user`, `--server`, `--token`, …;
//!   the namespace is `-n` > the context's namespace > `default`.
//! - Relative file references resolve against the file that defined the entry.
//! - Writes go to the file that defines the entry, keep everything else in it, and keep its
//!   mode (0600 for a file kz creates).

use std::ffi::OsStr;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow, bail};
use kube::config::{
    AuthInfo, Cluster, Context, Kubeconfig, NamedAuthInfo, NamedCluster, NamedContext,
};
use secrecy::SecretString;
use serde_json::{Map, Value};

use crate::cli::GlobalArgs;

pub const KUBECONFIG_ENV: &str = "KUBECONFIG";

/// Where kubeconfig files come from. Captured from the process once; tests build their own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadingRules {
    /// `--kubeconfig`: the only file, and it must exist.
    pub explicit: Option<PathBuf>,
    /// The non-empty entries of `KUBECONFIG`, when it has any.
    pub env_paths: Vec<PathBuf>,
    /// `~/.kube/config`.
    pub default_path: Option<PathBuf>,
}

impl LoadingRules {
    pub fn new(
        explicit: Option<PathBuf>,
        kubeconfig_env: Option<&OsStr>,
        home: Option<&Path>,
    ) -> Self {
        let env_paths = kubeconfig_env
            .map(|value| {
                std::env::split_paths(value)
                    .filter(|path| !path.as_os_str().is_empty())
                    .collect()
            })
            .unwrap_or_default();
        LoadingRules {
            explicit,
            env_paths,
            default_path: home.map(|home| home.join(".kube").join("config")),
        }
    }

    /// The files to read, highest precedence first.
    pub fn precedence(&self) -> Vec<PathBuf> {
        if let Some(explicit) = &self.explicit {
            vec![explicit.clone()]
        } else if !self.env_paths.is_empty() {
            self.env_paths.clone()
        } else {
            self.default_path.iter().cloned().collect()
        }
    }
}

/// One kubeconfig file in the precedence list.
#[derive(Debug, Clone)]
pub struct KubeconfigFile {
    pub path: PathBuf,
    /// `None` when the file does not exist (allowed for `KUBECONFIG` entries and the default).
    pub config: Option<Kubeconfig>,
}

/// All kubeconfig files in precedence order, and their merge.
#[derive(Debug, Clone)]
pub struct Kubeconfigs {
    rules: LoadingRules,
    files: Vec<KubeconfigFile>,
    merged: Kubeconfig,
}

impl Kubeconfigs {
    pub fn load(rules: LoadingRules) -> Result<Self> {
        let mut files = Vec::new();
        for path in rules.precedence() {
            let must_exist = rules.explicit.is_some();
            let config = read_file(&path, must_exist)?;
            files.push(KubeconfigFile { path, config });
        }
        let merged = merge(files.iter().filter_map(|file| file.config.clone()))?;
        Ok(Kubeconfigs {
            rules,
            files,
            merged,
        })
    }

    /// Builds from already-parsed files (for tests and callers that have the documents).
    pub fn from_files(rules: LoadingRules, files: Vec<KubeconfigFile>) -> Result<Self> {
        let merged = merge(files.iter().filter_map(|file| file.config.clone()))?;
        Ok(Kubeconfigs {
            rules,
            files,
            merged,
        })
    }

    pub fn merged(&self) -> &Kubeconfig {
        &self.merged
    }

    pub fn files(&self) -> &[KubeconfigFile] {
        &self.files
    }

    /// Whether the kubeconfig defines nothing at all (no file, or only empty files).
    pub fn is_empty(&self) -> bool {
        let merged = &self.merged;
        merged.clusters.is_empty()
            && merged.auth_infos.is_empty()
            && merged.contexts.is_empty()
            && merged.current_context.is_none()
    }

    fn origin(&self, defines: impl Fn(&Kubeconfig) -> bool) -> Option<&Path> {
        self.files
            .iter()
            .find(|file| file.config.as_ref().is_some_and(&defines))
            .map(|file| file.path.as_path())
    }

    /// The file whose entry for context `name` is in effect.
    pub fn context_origin(&self, name: &str) -> Option<&Path> {
        self.origin(|config| config.contexts.iter().any(|c| c.name == name))
    }

    pub fn cluster_origin(&self, name: &str) -> Option<&Path> {
        self.origin(|config| config.clusters.iter().any(|c| c.name == name))
    }

    pub fn user_origin(&self, name: &str) -> Option<&Path> {
        self.origin(|config| config.auth_infos.iter().any(|u| u.name == name))
    }

    /// Where new entries go: the explicit file, else the first existing file in precedence
    /// order, else the first one (client-go's `GetDefaultFilename`).
    pub fn default_file(&self) -> Option<PathBuf> {
        if let Some(explicit) = &self.rules.explicit {
            return Some(explicit.clone());
        }
        self.files
            .iter()
            .find(|file| file.config.is_some())
            .or_else(|| self.files.first())
            .map(|file| file.path.clone())
    }

    /// Where `current-context` is written: the file that sets it now, else the default file.
    pub fn current_context_file(&self) -> Option<PathBuf> {
        self.origin(|config| config.current_context.is_some())
            .map(Path::to_path_buf)
            .or_else(|| self.default_file())
    }

    /// The context in effect: `--context`, else the merged `current-context`.
    pub fn context_name<'a>(&'a self, flags: &'a GlobalArgs) -> Option<&'a str> {
        flags
            .context
            .as_deref()
            .filter(|name| !name.is_empty())
            .or(self.merged.current_context.as_deref())
    }

    pub fn find_context(&self, name: &str) -> Option<&Context> {
        self.merged
            .contexts
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| c.context.as_ref())
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
            Some(name) => self.find_context(name).cloned().ok_or_else(|| {
                anyhow!(
                    "context \"{name}\" not found in kubeconfig{}",
                    self.describe_files()
                )
            })?,
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

        let cluster_name = flags
            .cluster
            .clone()
            .filter(|name| !name.is_empty())
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

        let user_name = flags
            .user
            .clone()
            .filter(|name| !name.is_empty())
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
        })
    }

    fn describe_files(&self) -> String {
        let paths: Vec<String> = self
            .files
            .iter()
            .map(|f| f.path.display().to_string())
            .collect();
        if paths.is_empty() {
            String::new()
        } else {
            format!(" ({})", paths.join(", "))
        }
    }
}

/// What a command connects to.
#[derive(Debug, Clone)]
pub struct Selection {
    /// The context in use, when there is one.
    pub context: Option<String>,
    pub namespace: String,
    pub config: kube::Config,
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
        })
    }
}

/// Hands the selected cluster and user to kube, which loads CA bundles, client certificates,
/// token files and exec plugins.
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

fn read_file(path: &Path, must_exist: bool) -> Result<Option<Kubeconfig>> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound && !must_exist => return Ok(None),
        Err(err) => {
            return Err(err).with_context(|| format!("reading kubeconfig {}", path.display()));
        }
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow!("kubeconfig {} is not UTF-8 text", path.display()))?;
    parse(&text)
        .with_context(|| format!("invalid kubeconfig {}", path.display()))
        .map(Some)
}

/// Parses one kubeconfig file (which may hold several YAML documents).
pub fn parse(text: &str) -> Result<Kubeconfig> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let documents: Vec<Value> = crate::yaml::from_multiple(text)?;
    let documents = documents
        .into_iter()
        .map(|mut document| {
            fill_required_fields(&mut document);
            serde_json::from_value::<Kubeconfig>(document)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut merged = merge(documents)?;
    // Empty strings mean "not set" to kubectl.
    if merged.current_context.as_deref() == Some("") {
        merged.current_context = None;
    }
    Ok(merged)
}

/// kube's types require a context's `cluster`, which kubectl treats as optional (and writes as
/// `""` when unset): fill it in so that every kubeconfig kubectl reads, kz reads too.
fn fill_required_fields(document: &mut Value) {
    let Some(contexts) = document.get_mut("contexts").and_then(Value::as_array_mut) else {
        return;
    };
    for entry in contexts {
        if let Some(context) = entry.get_mut("context").and_then(Value::as_object_mut) {
            context
                .entry("cluster")
                .or_insert_with(|| Value::String(String::new()));
        }
    }
}

fn merge(configs: impl IntoIterator<Item = Kubeconfig>) -> Result<Kubeconfig> {
    let mut merged: Option<Kubeconfig> = None;
    for mut config in configs {
        if config.current_context.as_deref() == Some("") {
            config.current_context = None;
        }
        // kubectl does not compare `kind`/`apiVersion` across files; kube refuses mismatches.
        config.kind = None;
        config.api_version = None;
        merged = Some(match merged {
            None => config,
            Some(first) => first.merge(config)?,
        });
    }
    Ok(merged.unwrap_or_default())
}

/// Whether a named list (`contexts`, `clusters`, `users`) has an entry called `name`.
fn has_named(list: &[Value], name: &str) -> bool {
    list.iter()
        .any(|entry| entry.get("name").and_then(Value::as_str) == Some(name))
}

/// What a write did to a named entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Created,
    Modified,
}

/// The fields `set-context` may change; `None` leaves a field alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContextFields {
    pub cluster: Option<String>,
    pub user: Option<String>,
    pub namespace: Option<String>,
}

/// Sets `current-context` in a kubeconfig document.
pub fn set_current_context(doc: &mut Map<String, Value>, name: &str) {
    doc.insert("current-context".to_owned(), Value::String(name.to_owned()));
}

/// Creates or updates context `name` in a kubeconfig document.
pub fn upsert_context(
    doc: &mut Map<String, Value>,
    name: &str,
    fields: &ContextFields,
) -> Result<Change> {
    let contexts = doc
        .entry("contexts")
        .or_insert_with(|| Value::Array(Vec::new()));
    if contexts.is_null() {
        *contexts = Value::Array(Vec::new());
    }
    let list = contexts
        .as_array_mut()
        .ok_or_else(|| anyhow!("`contexts` is not a list"))?;
    let change = if has_named(list, name) {
        Change::Modified
    } else {
        // kubectl writes unset references as empty strings.
        list.push(serde_json::json!({ "name": name, "context": {"cluster": "", "user": ""} }));
        Change::Created
    };
    let entry = list
        .iter_mut()
        .find(|entry| entry.get("name").and_then(Value::as_str) == Some(name))
        .and_then(Value::as_object_mut)
        .ok_or_else(|| anyhow!("context \"{name}\" is not a mapping"))?;
    let context = entry
        .entry("context")
        .or_insert_with(|| Value::Object(Map::new()));
    if context.is_null() {
        *context = Value::Object(Map::new());
    }
    let context = context
        .as_object_mut()
        .ok_or_else(|| anyhow!("context \"{name}\" is not a mapping"))?;
    for (key, value) in [
        ("cluster", &fields.cluster),
        ("user", &fields.user),
        ("namespace", &fields.namespace),
    ] {
        if let Some(value) = value {
            context.insert(key.to_owned(), Value::String(value.clone()));
        }
    }
    Ok(change)
}

/// The document kubectl starts a new kubeconfig file with.
fn empty_document() -> Map<String, Value> {
    let mut doc = Map::new();
    doc.insert("apiVersion".into(), Value::String("v1".into()));
    doc.insert("kind".into(), Value::String("Config".into()));
    doc.insert("clusters".into(), Value::Null);
    doc.insert("contexts".into(), Value::Null);
    doc.insert("current-context".into(), Value::String(String::new()));
    doc.insert("preferences".into(), Value::Object(Map::new()));
    doc.insert("users".into(), Value::Null);
    doc
}

/// Reads the kubeconfig file at `path` as a document tree (a new empty Config when the file
/// does not exist), lets `edit` change it, and writes it back atomically. Everything `edit`
/// does not touch is kept; the file keeps its mode, and a new file gets 0600.
pub fn edit_file<T>(
    path: &Path,
    edit: impl FnOnce(&mut Map<String, Value>) -> Result<T>,
) -> Result<T> {
    // Write through symlinks to the real file, as kubectl does.
    let path = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let existing = match fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
        Err(err) => {
            return Err(err).with_context(|| format!("reading kubeconfig {}", path.display()));
        }
    };
    let mut doc = match &existing {
        Some(text) if !text.trim().is_empty() => {
            let value: Value = crate::yaml::from_str(text.strip_prefix('\u{feff}').unwrap_or(text))
                .with_context(|| format!("invalid kubeconfig {}", path.display()))?;
            match value {
                Value::Object(map) => map,
                Value::Null => empty_document(),
                _ => bail!("invalid kubeconfig {}: not a mapping", path.display()),
            }
        }
        _ => empty_document(),
    };
    let result = edit(&mut doc)?;
    let text = crate::yaml::to_string(&Value::Object(doc))?;
    write_atomically(&path, text.as_bytes())
        .with_context(|| format!("writing kubeconfig {}", path.display()))?;
    Ok(result)
}

fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|dir| !dir.as_os_str().is_empty());
    if let Some(dir) = dir {
        fs::create_dir_all(dir)?;
    }
    let mode = existing_mode(path);
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config".to_owned());
    let temp = path.with_file_name(format!(".{file_name}.kz-{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = create_private(&temp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        set_mode(&temp, mode)?;
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

#[cfg(unix)]
fn existing_mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    fs::metadata(path)
        .map(|meta| meta.permissions().mode() & 0o7777)
        .unwrap_or(0o600)
}

#[cfg(not(unix))]
fn existing_mode(_path: &Path) -> u32 {
    0o600
}

#[cfg(unix)]
fn create_private(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> std::io::Result<fs::File> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIRST: &str = r#"
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev-cluster
  cluster:
    server: https://dev.example:6443
    certificate-authority: certs/ca.crt
- name: shared
  cluster:
    server: https://first.example:6443
contexts:
- name: dev
  context:
    cluster: dev-cluster
    user: dev-user
    namespace: team-a
users:
- name: dev-user
  user:
    token: first-token
"#;

    const SECOND: &str = r#"
apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: shared
  cluster:
    server: https://second.example:6443
    insecure-skip-tls-verify: true
- name: prod-cluster
  cluster:
    server: https://prod.example:6443
contexts:
- name: dev
  context:
    cluster: prod-cluster
    user: prod-user
- name: prod
  context:
    cluster: prod-cluster
    user: prod-user
users:
- name: prod-user
  user:
    client-certificate: prod.crt
    client-key: prod.key
"#;

    fn two_files() -> Kubeconfigs {
        let rules = LoadingRules {
            env_paths: vec!["/cfg/one/first".into(), "/cfg/two/second".into()],
            ..LoadingRules::default()
        };
        let files = vec![
            KubeconfigFile {
                path: "/cfg/one/first".into(),
                config: Some(parse(FIRST).unwrap()),
            },
            KubeconfigFile {
                path: "/cfg/two/second".into(),
                config: Some(parse(SECOND).unwrap()),
            },
        ];
        Kubeconfigs::from_files(rules, files).unwrap()
    }

    fn flags() -> GlobalArgs {
        GlobalArgs::default()
    }

    #[test]
    fn first_file_wins_per_key() {
        let configs = two_files();
        let merged = configs.merged();
        assert_eq!(merged.current_context.as_deref(), Some("dev"));
        let names: Vec<&str> = merged.clusters.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["dev-cluster", "shared", "prod-cluster"]);
        let shared = merged.clusters.iter().find(|c| c.name == "shared").unwrap();
        let shared = shared.cluster.as_ref().unwrap();
        // The whole entry comes from the first file: no field-level mixing.
        assert_eq!(shared.server.as_deref(), Some("https://first.example:6443"));
        assert_eq!(shared.insecure_skip_tls_verify, None);
        let dev = configs.find_context("dev").unwrap();
        assert_eq!(dev.cluster, "dev-cluster");
    }

    #[test]
    fn empty_current_context_does_not_shadow_later_files() {
        let first = parse("current-context: \"\"\n").unwrap();
        let second = parse("current-context: prod\n").unwrap();
        let merged = merge([first, second]).unwrap();
        assert_eq!(merged.current_context.as_deref(), Some("prod"));
    }

    #[test]
    fn contexts_without_a_cluster_are_accepted() {
        let config = parse("contexts:\n- name: bare\n  context:\n    namespace: x\n").unwrap();
        assert_eq!(config.contexts[0].context.as_ref().unwrap().cluster, "");
    }

    #[test]
    fn files_of_different_kinds_still_merge() {
        let first = parse("kind: Config\napiVersion: v1\n").unwrap();
        let second = parse("kind: Other\napiVersion: v2\ncurrent-context: x\n").unwrap();
        assert_eq!(
            merge([first, second]).unwrap().current_context.as_deref(),
            Some("x")
        );
    }

    #[test]
    fn origins_point_at_the_defining_file() {
        let configs = two_files();
        assert_eq!(
            configs.context_origin("dev"),
            Some(Path::new("/cfg/one/first"))
        );
        assert_eq!(
            configs.context_origin("prod"),
            Some(Path::new("/cfg/two/second"))
        );
        assert_eq!(configs.context_origin("nope"), None);
        assert_eq!(configs.default_file(), Some("/cfg/one/first".into()));
        assert_eq!(
            configs.current_context_file(),
            Some("/cfg/one/first".into())
        );
    }

    #[test]
    fn default_file_skips_missing_files() {
        let rules = LoadingRules {
            env_paths: vec!["/missing".into(), "/present".into()],
            ..LoadingRules::default()
        };
        let files = vec![
            KubeconfigFile {
                path: "/missing".into(),
                config: None,
            },
            KubeconfigFile {
                path: "/present".into(),
                config: Some(parse(SECOND).unwrap()),
            },
        ];
        let configs = Kubeconfigs::from_files(rules, files).unwrap();
        assert_eq!(configs.default_file(), Some("/present".into()));
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
        let selection = configs.select(&prod).unwrap();
        let user = &selection.config.auth_info;
        assert_eq!(
            user.client_certificate.as_deref(),
            Some("/cfg/two/prod.crt")
        );
        assert_eq!(user.client_key.as_deref(), Some("/cfg/two/prod.key"));

        // The dev cluster's CA is relative to the first file; it does not exist, and the error
        // says which file kz looked for and for which context.
        let err = format!("{:#}", configs.select(&flags()).unwrap_err());
        assert!(err.contains("/cfg/one/certs/ca.crt"), "{err}");
        assert!(
            err.starts_with(
                r#"loading cluster "dev-cluster" and user "dev-user" (used by context "dev")"#
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
        let err = format!("{:#}", configs.select(&missing).unwrap_err());
        assert!(
            err.starts_with("context \"nope\" not found in kubeconfig"),
            "{err}"
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

    #[test]
    fn loading_rules_follow_kubectl_precedence() {
        let rules = LoadingRules::new(None, Some(OsStr::new("/a::/b")), Some(Path::new("/home/u")));
        assert_eq!(
            rules.precedence(),
            [PathBuf::from("/a"), PathBuf::from("/b")]
        );
        let rules = LoadingRules::new(None, Some(OsStr::new("")), Some(Path::new("/home/u")));
        assert_eq!(rules.precedence(), [PathBuf::from("/home/u/.kube/config")]);
        let rules = LoadingRules::new(
            Some("/x".into()),
            Some(OsStr::new("/a")),
            Some(Path::new("/home/u")),
        );
        assert_eq!(rules.precedence(), [PathBuf::from("/x")]);
    }

    #[test]
    fn malformed_yaml_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad");
        fs::write(&path, "apiVersion: v1\nclusters: [\n").unwrap();
        let rules = LoadingRules {
            explicit: Some(path.clone()),
            ..LoadingRules::default()
        };
        let err = format!("{:#}", Kubeconfigs::load(rules).unwrap_err());
        assert!(
            err.starts_with(&format!("invalid kubeconfig {}", path.display())),
            "{err}"
        );
        assert!(err.contains("line"), "{err}");
    }

    #[test]
    fn explicit_file_must_exist_but_env_files_may_not() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let explicit = LoadingRules {
            explicit: Some(missing.clone()),
            ..LoadingRules::default()
        };
        let err = format!("{:#}", Kubeconfigs::load(explicit).unwrap_err());
        assert!(err.contains("missing"), "{err}");
        let env = LoadingRules {
            env_paths: vec![missing],
            ..LoadingRules::default()
        };
        assert!(Kubeconfigs::load(env).unwrap().is_empty());
    }

    #[test]
    fn upsert_creates_then_modifies() {
        let mut doc = empty_document();
        let fields = ContextFields {
            namespace: Some("shop".into()),
            ..ContextFields::default()
        };
        assert_eq!(
            upsert_context(&mut doc, "new", &fields).unwrap(),
            Change::Created
        );
        let cluster = ContextFields {
            cluster: Some("k".into()),
            ..ContextFields::default()
        };
        assert_eq!(
            upsert_context(&mut doc, "new", &cluster).unwrap(),
            Change::Modified
        );
        assert_eq!(
            doc["contexts"],
            serde_json::json!([{"name": "new", "context": {"namespace": "shop", "cluster": "k", "user": ""}}])
        );
    }

    #[cfg(unix)]
    #[test]
    fn edits_keep_unrelated_content_and_file_mode() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        fs::write(
            &path,
            FIRST.replace("kind: Config", "kind: Config\nx-custom: keep-me"),
        )
        .unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        edit_file(&path, |doc| {
            set_current_context(doc, "other");
            Ok(())
        })
        .unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains("current-context: other"), "{text}");
        assert!(text.contains("x-custom: keep-me"), "{text}");
        assert!(text.contains("token: first-token"), "{text}");
        assert!(
            text.contains("certificate-authority: certs/ca.crt"),
            "{text}"
        );
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        // What kz wrote is still a kubeconfig.
        let reparsed = parse(&text).unwrap();
        assert_eq!(reparsed.current_context.as_deref(), Some("other"));
        assert_eq!(reparsed.clusters.len(), 2);
    }

    #[cfg(unix)]
    #[test]
    fn new_files_are_private() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".kube").join("config");
        edit_file(&path, |doc| {
            set_current_context(doc, "x");
            Ok(())
        })
        .unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let text = fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("apiVersion: v1\nclusters: null\n"),
            "{text}"
        );
    }
}
