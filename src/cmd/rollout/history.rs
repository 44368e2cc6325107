//! `kz rollout history`: each workload's revisions as a table, one revision's pod template
//! (`--revision`), or the revisions' objects through the shared printers (`-o`).

use std::io::Write as _;

use anyhow::{Result, anyhow, bail};
use serde_json::Value;

use super::objects::{self, Subject};
use super::output::Output;
use crate::cli::rollout::HistoryArgs;
use crate::client::ApiClient;
use crate::context::Context;
use crate::discovery::ResourceType;
use crate::print::EachObject;
use crate::print::printer::kind_label;
use crate::resource::{Plan, UsageError};
use crate::rollout::change::Workload;
use crate::rollout::history::{self, History};

/// `history`'s validated options.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub plan: Plan,
    /// The revision to show; 0 for all of them.
    pub revision: i64,
    pub output: Output,
}

impl Options {
    pub fn from_args(args: &HistoryArgs) -> Result<Options> {
        let plan = objects::plan(&args.objects)?;
        if args.revision < 0 {
            bail!("revision must be a positive integer: {}", args.revision);
        }
        Ok(Options {
            plan,
            revision: args.revision,
            output: Output::from_args(&args.print)?,
        })
    }
}

pub fn run(args: HistoryArgs, ctx: &mut Context) -> Result<()> {
    let options = Options::from_args(&args)?;
    let client = ctx.client()?;
    // With -o, kubectl makes its printer before it looks at any object.
    if !options.output.is_default() {
        options.output.check()?;
    }
    let fetched = objects::fetch(ctx, &client, options.plan.clone())?;
    let mut errors = fetched.errors;
    let mut stream = options.output.stream();
    for subject in &fetched.subjects {
        let workload = match history::viewer(&subject.rt.group, &subject.rt.kind) {
            Ok(workload) => workload,
            Err(reason) => {
                errors.push(anyhow!(reason));
                continue;
            }
        };
        match ctx.block_on(read_history(&client, subject, workload))? {
            Ok(history) => {
                if let Err(err) = show(ctx, &options, &mut stream, subject, &history) {
                    errors.push(err);
                }
            }
            Err(err) => errors.push(err),
        }
    }
    crate::cmd::report_errors(&ctx.err, errors)
}

/// Prints one workload's history as the options ask.
fn show(
    ctx: &mut Context,
    options: &Options,
    stream: &mut EachObject<'_>,
    subject: &Subject,
    history: &History,
) -> Result<()> {
    let missing = || UsageError("error: unable to find the specified revision".to_owned());
    if !options.output.is_default() {
        let revisions: Vec<&history::Revision> = if options.revision > 0 {
            vec![history.get(&options.revision).ok_or_else(missing)?]
        } else {
            history.values().collect()
        };
        for revision in revisions {
            let rt = object_type(subject, &revision.object);
            stream.print(&rt, revision.object.clone(), &mut ctx.out)?;
        }
        return Ok(());
    }
    let (heading, text) = if options.revision > 0 {
        let text = if history.is_empty() {
            history::table(history)
        } else {
            let revision = history.get(&options.revision).ok_or_else(missing)?;
            history::template_text(&revision.template)
        };
        (format!("with revision #{}", options.revision), text)
    } else {
        (String::new(), history::table(history))
    };
    writeln!(
        ctx.out,
        "{}/{} {heading}\n{text}",
        kind_label(&subject.rt),
        subject.name()
    )?;
    Ok(())
}

/// The type of an object `-o` prints: a Deployment's revisions are ReplicaSets.
fn object_type(subject: &Subject, object: &Value) -> ResourceType {
    if object["kind"] == "ReplicaSet" {
        objects::apps_v1("replicasets", "ReplicaSet")
    } else {
        subject.rt.clone()
    }
}

/// The workload's revisions, from the objects it controls.
async fn read_history(
    client: &ApiClient,
    subject: &Subject,
    workload: Workload,
) -> Result<History> {
    let items = objects::revisions(client, subject, workload).await?;
    Ok(match workload {
        Workload::Deployment => history::deployment_history(&subject.object, &items),
        Workload::StatefulSet | Workload::DaemonSet => {
            history::controller_history(&subject.object, &items)
        }
    })
}
