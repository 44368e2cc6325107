//! `kz diff -f`: what `kz apply` with the same flags would change. The input is read and
//! checked as apply checks it (`apply::input`: any invalid document and nothing is
//! requested); then each object is read and applied in a server dry run, several at a time
//! (`apply::dry_run`: the request apply would send, last-applied annotation included), and
//! each object's live and merged versions are compared, in input order, by kz's own unified
//! diff or by the `KUBECTL_EXTERNAL_DIFF` program.
//!
//! Like kubectl: exit 0 when nothing would change, 1 when something would, and 2 on an error
//! (after the diffs of the objects that had none).

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use serde_json::Value;
use tokio::sync::Semaphore;

use crate::apply::input::{self, Item, Refusal};
use crate::apply::{Settings, Validation};
use crate::cli::{DiffArgs, DryRun};
use crate::client::ApiClient;
use crate::context::Context;
use crate::diff::external::{self, ExternalDiff};
use crate::diff::{self, Pair};
use crate::error::{self, ExitStatus};
use crate::resource::{Plan, Verb};
use crate::selector::LabelSelector;
use crate::ui::colour::Palette;

/// What diff says when the input is invalid.
const REFUSAL: Refusal = Refusal {
    verb: "diff",
    done: "diffed",
    doing: "requesting",
};

/// Exit code when the apply would change something.
const EXIT_DIFFERENCES: u8 = 1;

/// Exit code when kz or the diff program failed.
const EXIT_ERROR: u8 = 2;

/// `diff`'s validated options.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub plan: Plan,
    /// What apply would be run with.
    pub settings: Settings,
    pub selector: Option<LabelSelector>,
    pub show_managed_fields: bool,
    /// How many objects are asked about at once.
    pub concurrency: usize,
}

impl Options {
    pub fn from_args(args: DiffArgs) -> Result<Options> {
        super::apply::refuse_client_side(args.server_side)?;
        let selector = input::selector(args.manifests.selector.as_deref())?;
        let plan = args.manifests.builder(Verb::Diff).parse()?;
        Ok(Options {
            plan,
            settings: Settings {
                field_manager: args.field_manager,
                force_conflicts: args.force_conflicts,
                dry_run: DryRun::Server,
                validation: Validation::Strict,
            },
            selector,
            show_managed_fields: args.show_managed_fields,
            concurrency: usize::from(args.concurrency),
        })
    }
}

pub fn run(args: DiffArgs, ctx: &mut Context) -> Result<()> {
    match diff(args, ctx) {
        Ok(false) => Ok(()),
        Ok(true) => Err(ExitStatus(EXIT_DIFFERENCES).into()),
        Err(err) if error::is_broken_pipe(&err) => Err(err),
        Err(err) => {
            // The diffs printed so far go out ahead of the error.
            ctx.flush()?;
            if !error::is_already_reported(&err) {
                let message = error::message(&err);
                ctx.err.line(message.trim_end_matches('\n'));
            }
            Err(ExitStatus(EXIT_ERROR).into())
        }
    }
}

/// Prints the differences; says whether there were any.
fn diff(args: DiffArgs, ctx: &mut Context) -> Result<bool> {
    let options = Options::from_args(args)?;
    let external = ExternalDiff::parse(std::env::var(external::ENV).ok().as_deref());
    let client = ctx.client()?;
    let items = input::read(ctx, &options.plan, options.selector.as_ref(), REFUSAL)?;
    let results = ctx.block_on(dry_runs(&client, &items, &options))?;
    let mut pairs: Vec<Pair> = Vec::new();
    let mut positions = HashMap::new();
    let mut failures = Vec::new();
    for (item, result) in items.iter().zip(results) {
        let (live, merged) = match result {
            Ok(versions) => versions,
            Err(err) => {
                failures.push(err);
                continue;
            }
        };
        if let Some(live) = &live
            && live["metadata"]["deletionTimestamp"].is_string()
        {
            ctx.err.line(format!(
                "Warning: Detected changes to resource {} which is currently being deleted.",
                item.manifest.name
            ));
        }
        let pair = Pair::new(
            &item.rt,
            item.manifest.namespace.as_deref(),
            &item.manifest.name,
            live,
            merged,
            options.show_managed_fields,
        )?;
        // An object given twice has one file, the last one's, as in kubectl's directories.
        match positions.get(&pair.name) {
            Some(&position) => pairs[position] = pair,
            None => {
                positions.insert(pair.name.clone(), pairs.len());
                pairs.push(pair);
            }
        }
    }
    let differences = match external {
        Some(program) => {
            ctx.flush()?;
            program.run(&pairs)?
        }
        None => {
            let time = diff::file_time(&jiff::Zoned::now());
            let palette = Palette::new(ctx.out_terminal().color);
            let mut differences = false;
            for pair in &pairs {
                differences |= diff::write_unified(&mut ctx.out, pair, &time, palette)
                    .context("writing output")?;
            }
            differences
        }
    };
    super::report_errors(&ctx.err, super::distinct_errors(failures))?;
    Ok(differences)
}

/// Each item's live object and dry-run result, `concurrency` objects at a time, in input
/// order.
async fn dry_runs(
    client: &ApiClient,
    items: &[Item],
    options: &Options,
) -> Vec<Result<(Option<Value>, Value)>> {
    let permits = Arc::new(Semaphore::new(options.concurrency));
    let tasks: Vec<_> = items
        .iter()
        .map(|item| {
            let client = client.clone();
            let permits = Arc::clone(&permits);
            let settings = options.settings.clone();
            let item = item.clone();
            tokio::spawn(async move {
                let _permit = permits.acquire_owned().await?;
                crate::apply::dry_run(&client, &item.rt, &item.manifest, &settings).await
            })
        })
        .collect();
    let mut results = Vec::with_capacity(tasks.len());
    for task in tasks {
        results.push(match task.await {
            Ok(result) => result,
            Err(err) => Err(anyhow::Error::new(err).context("diffing an object")),
        });
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(extra: &[&str]) -> clap::error::Result<DiffArgs> {
        let mut argv = vec!["kz", "diff", "-f", "x.yaml"];
        argv.extend_from_slice(extra);
        // As the binary parses: Go-style booleans (`--flag=false`) included.
        match crate::cli::try_parse_from(argv)?.command {
            crate::cli::Command::Diff(args) => Ok(*args),
            other => panic!("not diff: {other:?}"),
        }
    }

    #[test]
    fn a_client_side_diff_is_refused_not_ignored() {
        let refused = Options::from_args(args(&["--server-side=false"]).expect("parsed"))
            .expect_err("client-side");
        assert!(
            refused.to_string().starts_with("--server-side=false: "),
            "{refused}"
        );
    }

    #[test]
    fn flags_become_what_apply_would_be_run_with() {
        let options = Options::from_args(
            args(&[
                "--field-manager=ci",
                "--force-conflicts",
                "--server-side",
                "--concurrency=2",
                "-l",
                "app=web",
            ])
            .expect("parsed"),
        )
        .expect("options");
        assert_eq!(
            options.settings,
            Settings {
                field_manager: "ci".into(),
                force_conflicts: true,
                dry_run: DryRun::Server,
                validation: Validation::Strict,
            }
        );
        assert_eq!(options.concurrency, 2);
        assert!(options.selector.is_some());
        let defaults = Options::from_args(args(&[]).expect("parsed")).expect("options");
        assert_eq!(defaults.settings.field_manager, "kz");
        assert!(!defaults.show_managed_fields);
    }

    #[test]
    fn prune_and_no_concurrency_are_refused() {
        assert!(args(&["--prune"]).is_err());
        assert!(args(&["--concurrency=0"]).is_err());
        assert!(
            Options::from_args(args(&["-l", "app in web"]).expect("parsed"))
                .unwrap_err()
                .to_string()
                .starts_with("the provided selector")
        );
    }
}
