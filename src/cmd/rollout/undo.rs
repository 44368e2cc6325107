//! `kz rollout undo`: roll each workload back to its previous revision, or to
//! `--to-revision`, printing what came of it (`rolled back`, `skipped rollback (…)`, or the
//! pod template a client dry run would restore).

use anyhow::{Context as _, Result, anyhow, bail};
use http::Request;
use http::header::{ACCEPT, CONTENT_TYPE};
use serde_json::Value;

use super::objects::{self, Subject};
use super::output::Output;
use crate::api::{JSON_ACCEPT, Query, object_path};
use crate::cli::DryRun;
use crate::cli::rollout::UndoArgs;
use crate::client::ApiClient;
use crate::context::Context;
use crate::resource::Plan;
use crate::rollout::change::Workload;
use crate::rollout::undo::{self, ROLLED_BACK, Step};

/// `undo`'s validated options.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub plan: Plan,
    /// 0 for the revision before the latest.
    pub to_revision: i64,
    pub dry_run: DryRun,
    /// kubectl's deprecation warning for how `--dry-run` was given, if it was.
    pub dry_run_warning: Option<String>,
    pub output: Output,
}

impl Options {
    pub fn from_args(args: &UndoArgs) -> Result<Options> {
        let plan = objects::plan(&args.objects)?;
        let (dry_run, dry_run_warning) = args.dry_run.parse()?;
        Ok(Options {
            plan,
            to_revision: args.to_revision,
            dry_run,
            dry_run_warning,
            output: Output::from_args(&args.print)?,
        })
    }
}

pub fn run(args: UndoArgs, ctx: &mut Context) -> Result<()> {
    let options = Options::from_args(&args)?;
    if let Some(warning) = &options.dry_run_warning {
        ctx.err.line(warning);
    }
    let client = ctx.client()?;
    let fetched = objects::fetch(ctx, &client, options.plan.clone())?;
    let mut errors = fetched.errors;
    for subject in fetched.subjects {
        match ctx.block_on(roll_back(&client, &subject, &options))? {
            Ok(result) => {
                // kubectl makes its printer only now, once the object was rolled back.
                if let Err(err) = options.output.check() {
                    errors.push(err);
                    continue;
                }
                let operation = format!("{result}{}", options.dry_run.suffix());
                options
                    .output
                    .print(&subject.rt, subject.object, &operation, &mut ctx.out)?;
            }
            Err(err) => errors.push(err),
        }
    }
    crate::cmd::report_errors(&ctx.err, errors)
}

/// Rolls one workload back; what to print after its name.
async fn roll_back(client: &ApiClient, subject: &Subject, options: &Options) -> Result<String> {
    let workload =
        undo::rollbacker(&subject.rt.group, &subject.rt.kind).map_err(|reason| anyhow!(reason))?;
    let to = options.to_revision;
    if to < 0 {
        bail!(undo::revision_not_found(to));
    }
    let revisions = objects::revisions(client, subject, workload).await?;
    let step = match workload {
        Workload::Deployment => undo::deployment(&subject.object, &revisions, to, options.dry_run),
        Workload::StatefulSet | Workload::DaemonSet => {
            undo::controller(&subject.object, &revisions, to, options.dry_run)
        }
    }
    .map_err(|reason| anyhow!(reason))?;
    match step {
        Step::Say(text) => Ok(text),
        Step::Patch {
            content_type,
            patch,
        } => {
            send(client, subject, content_type, &patch, options.dry_run)
                .await
                .map_err(|err| {
                    anyhow!(
                        "failed restoring revision {to}: {}",
                        crate::error::describe_chain(&err)
                    )
                })?;
            Ok(ROLLED_BACK.to_owned())
        }
    }
}

/// `PATCH` the workload (`dryRun=All` for a server dry run).
async fn send(
    client: &ApiClient,
    subject: &Subject,
    content_type: &str,
    patch: &Value,
    dry_run: DryRun,
) -> Result<()> {
    let query = Query::new().pair("dryRun", (dry_run == DryRun::Server).then_some("All"));
    let path = object_path(&subject.rt, subject.namespace(), subject.name(), None);
    let request = Request::patch(format!("{path}{query}"))
        .header(ACCEPT, JSON_ACCEPT)
        .header(CONTENT_TYPE, content_type)
        .body(serde_json::to_vec(patch)?)
        .with_context(|| format!("building the request for {path}"))?;
    client.send(request).await?;
    Ok(())
}
