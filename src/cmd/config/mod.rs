//! `kz config`: view, current-context, get-contexts, use-context, set-context. Reads merge all
//! kubeconfig files; writes go to the file that defines the entry, as kubectl's do.

mod view;

use std::io::Write;

use anyhow::{Context as _, Result, anyhow, bail};
use kube::config::Kubeconfig;

use crate::cli::{ConfigCommand, GetContextsArgs, NameOutput, SetContextArgs, UseContextArgs};
use crate::context::Context;
use crate::kubeconfig::{self, Change, ContextFields};
use crate::print::write_table;

pub fn run(command: ConfigCommand, ctx: &mut Context) -> Result<()> {
    match command {
        ConfigCommand::View(args) => view::view(args, ctx),
        ConfigCommand::CurrentContext => current_context(ctx),
        ConfigCommand::GetContexts(args) => get_contexts(args, ctx),
        ConfigCommand::UseContext(args) => use_context(args, ctx),
        ConfigCommand::SetContext(args) => set_context(args, ctx),
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

    pub(super) const CONFIG: &str = r#"
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
