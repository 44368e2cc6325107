//! `kz config`: view, current-context, get-contexts, use-context, set-context. Reads merge all
//! kubeconfig files; writes go to the file that defines the entry, as kubectl's do.

use std::io::Write;
use std::path::Path;

use anyhow::{Context as _, Result, anyhow, bail};
use kube::config::Kubeconfig;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::cli::{
    ConfigCommand, ConfigViewArgs, GetContextsArgs, NameOutput, SetContextArgs, StructuredOutput,
    UseContextArgs,
};
use crate::context::Context;
use crate::kubeconfig::{self, Change, ContextFields};
use crate::print::{self, write_table};

pub fn run(command: ConfigCommand, ctx: &mut Context) -> Result<()> {
    match command {
        ConfigCommand::View(args) => view(args, ctx),
        ConfigCommand::CurrentContext => current_context(ctx),
        ConfigCommand::GetContexts(args) => get_contexts(args, ctx),
        ConfigCommand::UseContext(args) => use_context(args, ctx),
        ConfigCommand::SetContext(args) => set_context(args, ctx),
    }
}

// ---- view ----------------------------------------------------------------------------------

const DATA_OMITTED: &str = "DATA+OMITTED";
const REDACTED: &str = "REDACTED";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ViewOptions {
    pub raw: bool,
    pub minify: bool,
    pub output: Option<StructuredOutput>,
}

fn view(args: ConfigViewArgs, ctx: &mut Context) -> Result<()> {
    let options = ViewOptions {
        // kubectl's --flatten prints the credentials it embeds.
        raw: args.raw || args.flatten,
        minify: args.minify,
        output: args.output,
    };
    let context_flag = ctx.global.context.clone();
    let kubeconfigs = ctx.kubeconfigs()?;
    let mut config = kubeconfigs.merged().clone();
    if args.flatten {
        flatten(&mut config, kubeconfigs)?;
    }
    let document = view_document(&config, &options, context_flag.as_deref())?;
    match options.output {
        Some(StructuredOutput::Json) => print::write_json(&mut ctx.out, &document, 4),
        // kubectl's YAML has sorted keys; a Value sorts them.
        None | Some(StructuredOutput::Yaml) => {
            print::write_yaml(&mut ctx.out, &serde_json::to_value(&document)?)
        }
    }
}

/// `config view`'s document, fields in kubectl's order (for JSON).
#[derive(Debug, Serialize)]
pub struct ViewDocument {
    kind: &'static str,
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    preferences: Value,
    clusters: Option<Vec<NamedEntry>>,
    users: Option<Vec<NamedEntry>>,
    contexts: Option<Vec<NamedEntry>>,
    #[serde(rename = "current-context")]
    current_context: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    extensions: Option<Value>,
}

#[derive(Debug, Serialize)]
struct NamedEntry {
    name: String,
    #[serde(flatten)]
    body: Map<String, Value>,
}

/// The merged kubeconfig as `config view` prints it: minified to one context if asked, with
/// certificate data and credentials replaced unless `raw`.
pub fn view_document(
    config: &Kubeconfig,
    options: &ViewOptions,
    context_flag: Option<&str>,
) -> Result<ViewDocument> {
    let mut config = if options.minify {
        minify(config, context_flag)?
    } else {
        config.clone()
    };
    // kubectl keeps these as maps, so it prints them sorted by name.
    config.clusters.sort_by(|a, b| a.name.cmp(&b.name));
    config.auth_infos.sort_by(|a, b| a.name.cmp(&b.name));
    config.contexts.sort_by(|a, b| a.name.cmp(&b.name));
    let entries = |items: Vec<(String, &'static str, Value)>| -> Option<Vec<NamedEntry>> {
        if items.is_empty() {
            return None;
        }
        Some(
            items
                .into_iter()
                .map(|(name, key, mut value)| {
                    strip_nulls(&mut value);
                    let mut body = Map::new();
                    body.insert(key.to_owned(), value);
                    NamedEntry { name, body }
                })
                .collect(),
        )
    };
    let clusters = config
        .clusters
        .iter()
        .map(|named| {
            let mut value = serde_json::to_value(named.cluster.clone().unwrap_or_default())?;
            if !options.raw {
                replace_if_present(&mut value, "certificate-authority-data", DATA_OMITTED);
            }
            Ok((named.name.clone(), "cluster", value))
        })
        .collect::<Result<Vec<_>>>()?;
    let users = config
        .auth_infos
        .iter()
        .map(|named| {
            let mut value = serde_json::to_value(named.auth_info.clone().unwrap_or_default())?;
            if !options.raw {
                replace_if_present(&mut value, "client-certificate-data", DATA_OMITTED);
                replace_if_present(&mut value, "client-key-data", DATA_OMITTED);
                replace_if_present(&mut value, "token", REDACTED);
                replace_if_present(&mut value, "password", REDACTED);
            }
            Ok((named.name.clone(), "user", value))
        })
        .collect::<Result<Vec<_>>>()?;
    let contexts = config
        .contexts
        .iter()
        .map(|named| {
            let value = serde_json::to_value(named.context.clone().unwrap_or_default())?;
            Ok((named.name.clone(), "context", value))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ViewDocument {
        kind: "Config",
        api_version: "v1",
        preferences: config
            .preferences
            .as_ref()
            .map(serde_json::to_value)
            .transpose()?
            .unwrap_or_else(|| Value::Object(Map::new())),
        clusters: entries(clusters),
        users: entries(users),
        contexts: entries(contexts),
        current_context: config.current_context.clone().unwrap_or_default(),
        extensions: config
            .extensions
            .as_ref()
            .map(serde_json::to_value)
            .transpose()?,
    })
}

/// `--flatten`: the CA, client certificate and client key files become inline data, read
/// from paths relative to the file that defines the entry.
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

fn replace_if_present(value: &mut Value, key: &str, replacement: &str) {
    if let Some(field) = value.get_mut(key)
        && field.as_str().is_some_and(|text| !text.is_empty())
    {
        *field = Value::String(replacement.to_owned());
    }
}

fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

// ---- current-context -----------------------------------------------------------------------

fn current_context(ctx: &mut Context) -> Result<()> {
    let current = ctx.kubeconfigs()?.merged().current_context.clone();
    let current = current.ok_or_else(|| anyhow!("current-context is not set"))?;
    writeln!(ctx.out, "{current}")?;
    Ok(())
}

// ---- get-contexts --------------------------------------------------------------------------

fn get_contexts(args: GetContextsArgs, ctx: &mut Context) -> Result<()> {
    let config = ctx.kubeconfigs()?.merged().clone();
    let missing = print_contexts(&mut ctx.out, &config, &args)?;
    if let Some(name) = missing.first() {
        bail!("context {name} not found");
    }
    Ok(())
}

/// Prints the contexts (all, or those named), sorted by name; returns the names not found.
pub fn print_contexts<W: Write>(
    out: &mut W,
    config: &Kubeconfig,
    args: &GetContextsArgs,
) -> Result<Vec<String>> {
    let mut contexts: Vec<_> = config
        .contexts
        .iter()
        .filter(|c| args.names.is_empty() || args.names.contains(&c.name))
        .collect();
    contexts.sort_by(|a, b| a.name.cmp(&b.name));
    let missing = args
        .names
        .iter()
        .filter(|name| !config.contexts.iter().any(|c| &c.name == *name))
        .cloned()
        .collect();

    if args.output == Some(NameOutput::Name) {
        for context in &contexts {
            writeln!(out, "{}", context.name)?;
        }
        return Ok(missing);
    }
    let current = config.current_context.as_deref();
    let rows = contexts.iter().map(|named| {
        let body = named.context.clone().unwrap_or_default();
        vec![
            if Some(named.name.as_str()) == current {
                "*"
            } else {
                ""
            }
            .to_owned(),
            named.name.clone(),
            body.cluster,
            body.user.unwrap_or_default(),
            body.namespace.unwrap_or_default(),
        ]
    });
    let header: &[&str] = &["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"];
    write_table(out, (!args.no_headers).then_some(header), rows)?;
    Ok(missing)
}

// ---- use-context ---------------------------------------------------------------------------

fn use_context(args: UseContextArgs, ctx: &mut Context) -> Result<()> {
    let configs = ctx.kubeconfigs()?;
    if configs.find_context(&args.name).is_none() {
        bail!("no context exists with the name: \"{}\"", args.name);
    }
    let file = configs.current_context_file().ok_or_else(|| {
        anyhow!("no kubeconfig file to write to; set KUBECONFIG or pass --kubeconfig")
    })?;
    kubeconfig::edit_file(&file, |doc| {
        kubeconfig::set_current_context(doc, &args.name);
        Ok(())
    })?;
    writeln!(ctx.out, "Switched to context \"{}\".", args.name)?;
    Ok(())
}

// ---- set-context ---------------------------------------------------------------------------

fn set_context(args: SetContextArgs, ctx: &mut Context) -> Result<()> {
    let fields = ContextFields {
        cluster: ctx.global.cluster.clone(),
        user: ctx.global.user.clone(),
        namespace: ctx.global.namespace.clone(),
    };
    let configs = ctx.kubeconfigs()?;
    let name = match (args.name, args.current) {
        (Some(_), true) => bail!("you cannot specify both a context name and --current"),
        (None, true) => configs
            .merged()
            .current_context
            .clone()
            .ok_or_else(|| anyhow!("no current context is set"))?,
        (Some(name), false) if !name.is_empty() => name,
        _ => bail!("you must specify a non-empty context name or --current"),
    };
    let file = configs
        .context_origin(&name)
        .map(ToOwned::to_owned)
        .or_else(|| configs.default_file())
        .ok_or_else(|| {
            anyhow!("no kubeconfig file to write to; set KUBECONFIG or pass --kubeconfig")
        })?;
    let change =
        kubeconfig::edit_file(&file, |doc| kubeconfig::upsert_context(doc, &name, &fields))
            .with_context(|| format!("setting context \"{name}\""))?;
    let verb = match change {
        Change::Created => "created",
        Change::Modified => "modified",
    };
    writeln!(ctx.out, "Context \"{name}\" {verb}.")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubeconfig::parse;

    const CONFIG: &str = r#"
apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster:
    server: https://127.0.0.1:1
    certificate-authority-data: aGVsbG8K
contexts:
- name: good
  context: {cluster: c1, user: u1, namespace: shop}
- name: nocluster
  context: {cluster: missing, user: u1}
- name: nouser
  context: {cluster: c1, user: missinguser}
current-context: good
users:
- name: u1
  user:
    token: secret-token
    client-key-data: aGVsbG8K
"#;

    fn render_view(options: ViewOptions, context: Option<&str>) -> String {
        let document = view_document(&parse(CONFIG).unwrap(), &options, context).unwrap();
        let mut out = Vec::new();
        match options.output {
            Some(StructuredOutput::Json) => print::write_json(&mut out, &document, 4).unwrap(),
            _ => print::write_yaml(&mut out, &serde_json::to_value(&document).unwrap()).unwrap(),
        }
        String::from_utf8(out).unwrap()
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

    /// `kubectl config view --minify -o json` (v1.32) on CONFIG has the same document; only the
    /// key order inside each entry differs (kubectl follows its Go structs, kz sorts).
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
                "certificate-authority-data": "DATA+OMITTED",
                "server": "https://127.0.0.1:1"
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
                "namespace": "shop",
                "user": "u1"
            }
        }
    ],
    "current-context": "good"
}
"#;
        let options = ViewOptions {
            minify: true,
            output: Some(StructuredOutput::Json),
            ..ViewOptions::default()
        };
        assert_eq!(render_view(options, None), expected);
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
        print::write_yaml(&mut out, &serde_json::to_value(&document).unwrap()).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "apiVersion: v1\nclusters: null\ncontexts: null\ncurrent-context: \"\"\nkind: Config\npreferences: {}\nusers: null\n"
        );
    }

    fn contexts_args(names: &[&str], output: Option<NameOutput>) -> GetContextsArgs {
        GetContextsArgs {
            names: names.iter().map(|n| (*n).to_owned()).collect(),
            output,
            no_headers: false,
        }
    }

    /// `kubectl config get-contexts` (v1.32) on CONFIG, trailing spaces included.
    #[test]
    fn get_contexts_matches_kubectl() {
        let mut out = Vec::new();
        let missing =
            print_contexts(&mut out, &parse(CONFIG).unwrap(), &contexts_args(&[], None)).unwrap();
        assert!(missing.is_empty());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "CURRENT   NAME        CLUSTER   AUTHINFO      NAMESPACE\n\
             *         good        c1        u1            shop\n          \
             nocluster   missing   u1            \n          \
             nouser      c1        missinguser   \n"
        );
    }

    #[test]
    fn get_contexts_by_name_reports_missing_ones() {
        let mut out = Vec::new();
        let missing = print_contexts(
            &mut out,
            &parse(CONFIG).unwrap(),
            &contexts_args(&["nouser", "nope"], Some(NameOutput::Name)),
        )
        .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "nouser\n");
        assert_eq!(missing, ["nope"]);
    }
}
