//! `kz config view`: the merged kubeconfig, minified or flattened on request, printed as
//! kubectl prints it. kubectl converts the config into client-go's `clientcmd/api/v1` types
//! and marshals those, so the document below mirrors them: JSON has each struct's fields in
//! declaration order and leaves out what Go's `omitempty` leaves out (a `false`, an empty
//! string or list), YAML has the same fields sorted. Certificate data and credentials are
//! replaced unless `--raw`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Result, anyhow};
use base64::Engine as _;
use kube::config::{
    AuthInfo, AuthProviderConfig, Cluster, Context as KubeContext, ExecConfig, ExecInteractiveMode,
    Kubeconfig, NamedExtension,
};
use secrecy::ExposeSecret as _;
use serde::Serialize;
use serde_json::Value;

use crate::cli::{ConfigViewArgs, PrintArgs};
use crate::context::Context;
use crate::discovery::ResourceType;
use crate::kubeconfig;
use crate::print::format::{NotAnObjectFormat, OutputArg};
use crate::print::{self, EachObject, OutputFormat, PrintOptions};

const DATA_OMITTED: &str = "DATA+OMITTED";
const REDACTED: &str = "REDACTED";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ViewOptions {
    pub raw: bool,
    pub minify: bool,
}

pub fn view(args: ConfigViewArgs, ctx: &mut Context) -> Result<()> {
    let print = print_options(&args.print)?;
    let options = ViewOptions {
        // kubectl's --flatten prints the credentials it embeds.
        raw: args.raw || args.flatten,
        minify: args.minify,
    };
    let context_flag = ctx.global.context.clone();
    let kubeconfigs = ctx.kubeconfigs()?;
    let mut config = kubeconfigs.merged().clone();
    if args.flatten {
        flatten(&mut config, kubeconfigs)?;
    }
    let document = view_document(&config, &options, context_flag.as_deref())?;
    write_document(&mut ctx.out, &document, &print)
}

/// `-o`: kubectl's object printers, YAML when none is asked for; no table.
fn print_options(args: &PrintArgs) -> Result<PrintOptions> {
    let mut print = args.to_options()?;
    match print.format {
        OutputFormat::Table => print.format = OutputFormat::Yaml,
        OutputFormat::Wide | OutputFormat::CustomColumns { .. } => {
            let typed = args
                .output
                .as_ref()
                .map(OutputArg::text)
                .unwrap_or_default();
            return Err(NotAnObjectFormat(typed).into());
        }
        _ => {}
    }
    Ok(print)
}

/// Prints `document` as `print` says.
pub fn write_document(
    out: &mut impl std::io::Write,
    document: &ViewDocument,
    print: &PrintOptions,
) -> Result<()> {
    match print.format {
        // client-go's structs, in their fields' order.
        OutputFormat::Json => print::write_json(out, document, 4),
        // kubectl turns its JSON into YAML, which sorts every object's keys; a Value does too.
        OutputFormat::Yaml => print::write_yaml(out, document),
        // Names and templates read the document as kubectl's do, as decoded JSON.
        _ => EachObject::new(print).print(&config_type(), serde_json::to_value(document)?, out),
    }
}

/// The type a kubeconfig document would have in discovery, for the object printers.
fn config_type() -> ResourceType {
    ResourceType {
        group: String::new(),
        version: "v1".to_owned(),
        resource: "config".to_owned(),
        singular: "config".to_owned(),
        kind: "Config".to_owned(),
        namespaced: false,
        verbs: Vec::new(),
        short_names: Vec::new(),
        categories: Vec::new(),
        subresources: Vec::new(),
    }
}

// ---- the document: client-go's v1 types -----------------------------------------------------

/// `Config`.
#[derive(Debug, Serialize)]
pub struct ViewDocument {
    kind: &'static str,
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    preferences: ViewPreferences,
    /// `null` when there are none, as Go writes a nil slice.
    clusters: Option<Vec<NamedCluster>>,
    users: Option<Vec<NamedUser>>,
    contexts: Option<Vec<NamedContext>>,
    #[serde(rename = "current-context")]
    current_context: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extensions: Vec<Extension>,
}

#[derive(Debug, Serialize)]
struct ViewPreferences {
    #[serde(skip_serializing_if = "is_false")]
    colors: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extensions: Vec<Extension>,
}

#[derive(Debug, Serialize)]
struct Extension {
    name: String,
    extension: Value,
}

#[derive(Debug, Serialize)]
struct NamedCluster {
    name: String,
    cluster: ViewCluster,
}

#[derive(Debug, Serialize)]
struct NamedUser {
    name: String,
    user: ViewUser,
}

#[derive(Debug, Serialize)]
struct NamedContext {
    name: String,
    context: ViewContext,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
struct ViewCluster {
    server: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    tls_server_name: String,
    #[serde(skip_serializing_if = "is_false")]
    insecure_skip_tls_verify: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    certificate_authority: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    certificate_authority_data: String,
    #[serde(rename = "proxy-url", skip_serializing_if = "String::is_empty")]
    proxy_url: String,
    #[serde(skip_serializing_if = "is_false")]
    disable_compression: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extensions: Vec<Extension>,
}

#[derive(Debug, Serialize)]
struct ViewUser {
    #[serde(
        rename = "client-certificate",
        skip_serializing_if = "String::is_empty"
    )]
    client_certificate: String,
    #[serde(
        rename = "client-certificate-data",
        skip_serializing_if = "String::is_empty"
    )]
    client_certificate_data: String,
    #[serde(rename = "client-key", skip_serializing_if = "String::is_empty")]
    client_key: String,
    #[serde(rename = "client-key-data", skip_serializing_if = "String::is_empty")]
    client_key_data: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    token: String,
    #[serde(rename = "tokenFile", skip_serializing_if = "String::is_empty")]
    token_file: String,
    #[serde(rename = "as", skip_serializing_if = "String::is_empty")]
    impersonate: String,
    #[serde(rename = "as-uid", skip_serializing_if = "String::is_empty")]
    impersonate_uid: String,
    #[serde(rename = "as-groups", skip_serializing_if = "Vec::is_empty")]
    impersonate_groups: Vec<String>,
    #[serde(rename = "as-user-extra", skip_serializing_if = "BTreeMap::is_empty")]
    impersonate_user_extra: BTreeMap<String, Vec<String>>,
    #[serde(skip_serializing_if = "String::is_empty")]
    username: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    password: String,
    #[serde(rename = "auth-provider", skip_serializing_if = "Option::is_none")]
    auth_provider: Option<ViewAuthProvider>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exec: Option<ViewExec>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extensions: Vec<Extension>,
}

#[derive(Debug, Serialize)]
struct ViewAuthProvider {
    name: String,
    /// kube reads a missing `config` as an empty one; kubectl prints a missing one as `null`,
    /// the more common of the two.
    config: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Serialize)]
struct ViewExec {
    command: String,
    args: Option<Vec<String>>,
    env: Option<Vec<ExecEnvVar>>,
    #[serde(rename = "apiVersion", skip_serializing_if = "String::is_empty")]
    api_version: String,
    #[serde(rename = "installHint", skip_serializing_if = "String::is_empty")]
    install_hint: String,
    #[serde(rename = "provideClusterInfo")]
    provide_cluster_info: bool,
    #[serde(rename = "interactiveMode", skip_serializing_if = "Option::is_none")]
    interactive_mode: Option<&'static str>,
}

#[derive(Debug, Serialize)]
struct ExecEnvVar {
    name: String,
    value: String,
}

#[derive(Debug, Serialize)]
struct ViewContext {
    cluster: String,
    user: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    namespace: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extensions: Vec<Extension>,
}

fn is_false(value: &bool) -> bool {
    !value
}

// ---- from kube's types ------------------------------------------------------------------------

/// The merged kubeconfig as `config view` prints it: minified to one context if asked, with
/// certificate data and credentials replaced unless `raw`.
pub fn view_document(
    config: &Kubeconfig,
    options: &ViewOptions,
    context_flag: Option<&str>,
) -> Result<ViewDocument> {
    let config = if options.minify {
        minify(config, context_flag)?
    } else {
        config.clone()
    };
    let clusters = config.clusters.iter().map(|named| NamedCluster {
        name: named.name.clone(),
        cluster: view_cluster(named.cluster.as_ref(), options.raw),
    });
    let users = config.auth_infos.iter().map(|named| NamedUser {
        name: named.name.clone(),
        user: view_user(named.auth_info.as_ref(), options.raw),
    });
    let contexts = config.contexts.iter().map(|named| NamedContext {
        name: named.name.clone(),
        context: view_context(named.context.as_ref()),
    });
    let preferences = config.preferences.as_ref();
    Ok(ViewDocument {
        kind: "Config",
        api_version: "v1",
        preferences: ViewPreferences {
            colors: preferences.and_then(|p| p.colors).unwrap_or_default(),
            extensions: extensions(preferences.and_then(|p| p.extensions.as_ref())),
        },
        clusters: by_name(clusters, |entry| &entry.name),
        users: by_name(users, |entry| &entry.name),
        contexts: by_name(contexts, |entry| &entry.name),
        current_context: config.current_context.clone().unwrap_or_default(),
        extensions: extensions(config.extensions.as_ref()),
    })
}

/// Entries sorted by name, as kubectl keeps them in maps; `None` (Go's nil slice) for none.
fn by_name<T>(entries: impl Iterator<Item = T>, name: impl Fn(&T) -> &String) -> Option<Vec<T>> {
    let mut entries: Vec<T> = entries.collect();
    entries.sort_by(|a, b| name(a).cmp(name(b)));
    (!entries.is_empty()).then_some(entries)
}

fn view_cluster(cluster: Option<&Cluster>, raw: bool) -> ViewCluster {
    let text = |field: Option<&String>| field.cloned().unwrap_or_default();
    let default = Cluster::default();
    let cluster = cluster.unwrap_or(&default);
    ViewCluster {
        server: text(cluster.server.as_ref()),
        tls_server_name: text(cluster.tls_server_name.as_ref()),
        insecure_skip_tls_verify: cluster.insecure_skip_tls_verify.unwrap_or_default(),
        certificate_authority: text(cluster.certificate_authority.as_ref()),
        certificate_authority_data: certificate_data(
            cluster.certificate_authority_data.as_deref(),
            raw,
        ),
        proxy_url: text(cluster.proxy_url.as_ref()),
        disable_compression: cluster.disable_compression.unwrap_or_default(),
        extensions: extensions(cluster.extensions.as_ref()),
    }
}

fn view_user(user: Option<&AuthInfo>, raw: bool) -> ViewUser {
    let text = |field: Option<&String>| field.cloned().unwrap_or_default();
    let secret = |field: Option<&secrecy::SecretString>| {
        let value = field.map(|s| s.expose_secret()).unwrap_or_default();
        if raw || value.is_empty() {
            value.to_owned()
        } else {
            REDACTED.to_owned()
        }
    };
    let default = AuthInfo::default();
    let user = user.unwrap_or(&default);
    ViewUser {
        client_certificate: text(user.client_certificate.as_ref()),
        client_certificate_data: certificate_data(user.client_certificate_data.as_deref(), raw),
        client_key: text(user.client_key.as_ref()),
        client_key_data: certificate_data(
            user.client_key_data.as_ref().map(|s| s.expose_secret()),
            raw,
        ),
        token: secret(user.token.as_ref()),
        token_file: text(user.token_file.as_ref()),
        impersonate: text(user.impersonate.as_ref()),
        impersonate_uid: text(user.impersonate_uid.as_ref()),
        impersonate_groups: user.impersonate_groups.clone().unwrap_or_default(),
        impersonate_user_extra: user
            .impersonate_user_extra
            .iter()
            .flatten()
            .map(|(key, values)| (key.clone(), values.clone()))
            .collect(),
        username: text(user.username.as_ref()),
        password: secret(user.password.as_ref()),
        auth_provider: user.auth_provider.as_ref().map(view_auth_provider),
        exec: user.exec.as_ref().map(view_exec),
        extensions: extensions(user.extensions.as_ref()),
    }
}

fn view_auth_provider(provider: &AuthProviderConfig) -> ViewAuthProvider {
    ViewAuthProvider {
        name: provider.name.clone(),
        config: (!provider.config.is_empty()).then(|| {
            provider
                .config
                .iter()
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect()
        }),
    }
}

fn view_exec(exec: &ExecConfig) -> ViewExec {
    let env = exec.env.as_ref().map(|vars| {
        vars.iter()
            .map(|var| ExecEnvVar {
                name: var.get("name").cloned().unwrap_or_default(),
                value: var.get("value").cloned().unwrap_or_default(),
            })
            .collect()
    });
    ViewExec {
        command: exec.command.clone().unwrap_or_default(),
        args: exec.args.clone(),
        env,
        api_version: exec.api_version.clone().unwrap_or_default(),
        install_hint: exec.install_hint.clone().unwrap_or_default(),
        provide_cluster_info: exec.provide_cluster_info,
        interactive_mode: exec.interactive_mode.as_ref().map(|mode| match mode {
            ExecInteractiveMode::Never => "Never",
            ExecInteractiveMode::IfAvailable => "IfAvailable",
            ExecInteractiveMode::Always => "Always",
        }),
    }
}

fn view_context(context: Option<&KubeContext>) -> ViewContext {
    let default = KubeContext::default();
    let context = context.unwrap_or(&default);
    ViewContext {
        cluster: context.cluster.clone(),
        user: context.user.clone().unwrap_or_default(),
        namespace: context.namespace.clone().unwrap_or_default(),
        extensions: extensions(context.extensions.as_ref()),
    }
}

fn extensions(named: Option<&Vec<NamedExtension>>) -> Vec<Extension> {
    named
        .into_iter()
        .flatten()
        .map(|named| Extension {
            name: named.name.clone(),
            extension: named.extension.clone(),
        })
        .collect()
}

/// Base64 certificate data as kubectl prints it: replaced unless `raw`, else decoded and
/// encoded again as Go's `[]byte` fields are (line breaks in the file gone). Data that is not
/// base64 is printed as it is.
fn certificate_data(data: Option<&str>, raw: bool) -> String {
    let data = data.unwrap_or_default();
    if data.is_empty() {
        return String::new();
    }
    if !raw {
        return DATA_OMITTED.to_owned();
    }
    let joined: String = data.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
    let engine = base64::engine::general_purpose::STANDARD;
    match engine.decode(&joined) {
        Ok(bytes) => engine.encode(bytes),
        Err(_) => data.to_owned(),
    }
}

// ---- --flatten and --minify ------------------------------------------------------------------

fn flatten(config: &mut Kubeconfig, files: &kubeconfig::Kubeconfigs) -> Result<()> {
    for named in &mut config.clusters {
        let dir = files.cluster_origin(&named.name).and_then(Path::parent);
        if let Some(cluster) = &mut named.cluster {
            let what = || format!("certificate-authority of cluster \"{}\"", named.name);
            if let Some(data) = embed(&mut cluster.certificate_authority, dir, what)? {
                cluster.certificate_authority_data = Some(data);
            }
        }
    }
    for named in &mut config.auth_infos {
        let dir = files.user_origin(&named.name).and_then(Path::parent);
        if let Some(user) = &mut named.auth_info {
            let what = |field: &str| format!("{field} of user \"{}\"", named.name);
            if let Some(data) = embed(&mut user.client_certificate, dir, || {
                what("client-certificate")
            })? {
                user.client_certificate_data = Some(data);
            }
            if let Some(data) = embed(&mut user.client_key, dir, || what("client-key"))? {
                user.client_key_data = Some(data.into());
            }
        }
    }
    Ok(())
}

/// Reads the file `path` names (relative to `dir`), clears `path` and returns the contents
/// in base64; `None` when there is no file.
fn embed(
    path: &mut Option<String>,
    dir: Option<&Path>,
    what: impl Fn() -> String,
) -> Result<Option<String>> {
    use base64::Engine as _;
    let Some(file) = path.take().filter(|file| !file.is_empty()) else {
        return Ok(None);
    };
    let full = match dir {
        Some(dir) if Path::new(&file).is_relative() => dir.join(&file),
        _ => file.into(),
    };
    let bytes = std::fs::read(&full).map_err(|err| {
        anyhow!(
            "reading the {} for --flatten: {}: {}",
            what(),
            full.display(),
            crate::error::io_message(&err)
        )
    })?;
    Ok(Some(
        base64::engine::general_purpose::STANDARD.encode(bytes),
    ))
}

/// Keeps only the context in use (`--context` or current-context), its cluster and its user.
fn minify(config: &Kubeconfig, context_flag: Option<&str>) -> Result<Kubeconfig> {
    let name = context_flag
        .or(config.current_context.as_deref())
        .ok_or_else(|| anyhow!("current-context must exist in order to minify"))?;
    let context = config
        .contexts
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| anyhow!("cannot locate context {name}"))?;
    let body = context.context.clone().unwrap_or_default();
    let cluster = config
        .clusters
        .iter()
        .find(|c| c.name == body.cluster)
        .ok_or_else(|| anyhow!("cannot locate cluster {}", body.cluster))?;
    let users = match body.user.as_deref().filter(|user| !user.is_empty()) {
        Some(user) => vec![
            config
                .auth_infos
                .iter()
                .find(|u| u.name == user)
                .ok_or_else(|| anyhow!("cannot locate user {user}"))?
                .clone(),
        ],
        None => Vec::new(),
    };
    Ok(Kubeconfig {
        clusters: vec![cluster.clone()],
        auth_infos: users,
        contexts: vec![context.clone()],
        current_context: Some(name.to_owned()),
        ..config.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::config::tests::CONFIG;
    use crate::kubeconfig::parse;

    fn render(options: ViewOptions, format: OutputFormat, context: Option<&str>) -> String {
        let document = view_document(&parse(CONFIG).unwrap(), &options, context).unwrap();
        let mut out = Vec::new();
        write_document(&mut out, &document, &PrintOptions::new(format)).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn render_view(options: ViewOptions, context: Option<&str>) -> String {
        render(options, OutputFormat::Yaml, context)
    }

    /// `kubectl config view` (v1.32) on CONFIG.
    #[test]
    fn view_redacts_like_kubectl() {
        let expected = "apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: DATA+OMITTED
    server: https://127.0.0.1:1
  name: c1
contexts:
- context:
    cluster: c1
    namespace: shop
    user: u1
  name: good
- context:
    cluster: missing
    user: u1
  name: nocluster
- context:
    cluster: c1
    user: missinguser
  name: nouser
current-context: good
kind: Config
preferences: {}
users:
- name: u1
  user:
    client-key-data: DATA+OMITTED
    token: REDACTED
";
        assert_eq!(render_view(ViewOptions::default(), None), expected);
    }

    #[test]
    fn raw_view_shows_secrets() {
        let text = render_view(
            ViewOptions {
                raw: true,
                ..ViewOptions::default()
            },
            None,
        );
        assert!(text.contains("token: secret-token"), "{text}");
        assert!(
            text.contains("certificate-authority-data: aGVsbG8K"),
            "{text}"
        );
    }

    /// `kubectl config view --minify -o json` (v1.32) on CONFIG.
    #[test]
    fn minified_json_has_kubectls_shape() {
        let expected = r#"{
    "kind": "Config",
    "apiVersion": "v1",
    "preferences": {},
    "clusters": [
        {
            "name": "c1",
            "cluster": {
                "server": "https://127.0.0.1:1",
                "certificate-authority-data": "DATA+OMITTED"
            }
        }
    ],
    "users": [
        {
            "name": "u1",
            "user": {
                "client-key-data": "DATA+OMITTED",
                "token": "REDACTED"
            }
        }
    ],
    "contexts": [
        {
            "name": "good",
            "context": {
                "cluster": "c1",
                "user": "u1",
                "namespace": "shop"
            }
        }
    ],
    "current-context": "good"
}
"#;
        let options = ViewOptions {
            minify: true,
            ..ViewOptions::default()
        };
        assert_eq!(render(options, OutputFormat::Json, None), expected);
    }

    #[test]
    fn minify_errors_name_what_is_missing() {
        let config = parse(CONFIG).unwrap();
        let options = ViewOptions {
            minify: true,
            ..ViewOptions::default()
        };
        let err = view_document(&config, &options, Some("nocluster")).unwrap_err();
        assert_eq!(err.to_string(), "cannot locate cluster missing");
        let err = view_document(&config, &options, Some("nouser")).unwrap_err();
        assert_eq!(err.to_string(), "cannot locate user missinguser");
        let empty = Kubeconfig::default();
        let err = view_document(&empty, &options, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "current-context must exist in order to minify"
        );
    }

    #[test]
    fn empty_config_view_matches_kubectl() {
        let document =
            view_document(&Kubeconfig::default(), &ViewOptions::default(), None).unwrap();
        let mut out = Vec::new();
        write_document(&mut out, &document, &PrintOptions::new(OutputFormat::Yaml)).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "apiVersion: v1\nclusters: null\ncontexts: null\ncurrent-context: \"\"\nkind: Config\npreferences: {}\nusers: null\n"
        );
    }
}
